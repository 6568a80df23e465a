#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Command-line contract of `vouch` (DESIGN.md "The command line").

Exit status 0 whatever the verdict, 1 on operational errors, 2 on usage
errors; --help tells the truth; JSON fields as documented in docs/spf.md;
--batch keeps input order and reports bad lines in place.

usage: test_cli.py VOUCH EXAMPLE_ZONE ; prints "N passed, N failed".
"""
import json
import os
import subprocess
import sys
import tempfile

VOUCH, ZONE = sys.argv[1], sys.argv[2]
results = []


def run(*args, stdin=None):
    return subprocess.run([VOUCH, *args], input=stdin, capture_output=True,
                          text=True)


def case(name, cond, detail=""):
    results.append(cond)
    if not cond:
        print("FAIL %s %s" % (name, detail))


def spf(*args, stdin=None):
    return run("spf", "--zone", ZONE, *args, stdin=stdin)


# usage errors: exit 2 with a message
for name, args in [
        ("no command", []),
        ("unknown command", ["frobnicate"]),
        ("spf without ip", ["spf", "--helo", "x"]),
        ("spf bad ip", ["spf", "--ip", "1.2.3", "--helo", "x"]),
        ("spf ip with zone id", ["spf", "--ip", "fe80::1%eth0", "--helo", "x"]),
        ("spf unknown option", ["spf", "--ip", "1.2.3.4", "--helo", "x",
                                "--bogus"]),
        ("spf missing value", ["spf", "--ip"]),
        ("spf stray argument", ["spf", "--ip", "1.2.3.4", "--helo", "x",
                                "extra"]),
        ("zone with resolver", ["spf", "--ip", "1.2.3.4", "--helo", "x",
                                "--zone", ZONE, "--resolver", "127.0.0.1"]),
        ("batch with ip", ["spf", "--batch", "-", "--ip", "1.2.3.4"]),
        ("bad --now", ["spf", "--ip", "1.2.3.4", "--helo", "x", "--now",
                       "yesterday"]),
        ("bad --dns-timeout", ["spf", "--ip", "1.2.3.4", "--helo", "x",
                               "--dns-timeout", "0"]),
]:
    p = run(*args)
    case(name, p.returncode == 2 and p.stderr.strip() != "",
         "rc=%d stderr=%r" % (p.returncode, p.stderr))

# help: exit 0, mentions the options it has
p = run("--help")
case("help", p.returncode == 0 and "spf" in p.stdout)
p = run("spf", "--help")
case("spf help", p.returncode == 0 and all(
    o in p.stdout for o in ("--ip", "--helo", "--mail-from", "--receiver",
                            "--batch", "--zone", "--overlay", "--resolver",
                            "--trust-anchor", "--json", "--now")))
p = run("--version")
case("version", p.returncode == 0 and p.stdout.startswith("vouch "))

# operational errors: exit 1 with file (and line) named
with tempfile.TemporaryDirectory() as d:
    missing = os.path.join(d, "missing.zone")
    p = run("spf", "--zone", missing, "--ip", "1.2.3.4", "--helo", "x")
    case("missing zone file", p.returncode == 1 and "missing.zone" in p.stderr,
         p.stderr)
    bad = os.path.join(d, "bad.zone")
    with open(bad, "w") as f:
        f.write("ok.example. 300 IN A 192.0.2.1\nbad.example. 300 IN A 999.1.1.1\n")
    p = run("spf", "--zone", bad, "--ip", "1.2.3.4", "--helo", "x")
    case("bad zone line", p.returncode == 1 and "bad.zone:2" in p.stderr,
         p.stderr)
    p = run("spf", "--zone", ZONE, "--batch", os.path.join(d, "nope.tsv"))
    case("missing batch file", p.returncode == 1 and "nope.tsv" in p.stderr)

# verdicts: exit 0 whatever they are, with the documented JSON fields
FIELDS = {"result", "explanation", "mechanism", "domain", "identity",
          "sender", "lookups", "void_lookups", "dnssec", "reason",
          "received_spf"}
for ip, want in [("192.0.2.25", "pass"), ("192.0.2.99", "fail")]:
    p = spf("--ip", ip, "--helo", "h.example.org", "--mail-from",
            "alice@example.com", "--json")
    ok = p.returncode == 0
    o = json.loads(p.stdout) if ok else {}
    case("json " + want, ok and o.get("result") == want and
         FIELDS <= set(o), p.stdout + p.stderr)
p = spf("--ip", "192.0.2.99", "--helo", "h.example.org", "--mail-from",
        "alice@example.com", "--json")
o = json.loads(p.stdout)
case("fail has explanation", isinstance(o["explanation"], str) and
     o["explanation"] != "")
case("received_spf starts with the result",
     o["received_spf"].startswith("fail ("))
p = spf("--ip", "192.0.2.25", "--helo", "h.example.org", "--mail-from",
        "alice@broken.example", "--json")
o = json.loads(p.stdout)
case("permerror exit 0", p.returncode == 0 and o["result"] == "permerror" and
     o["mechanism"] is None and o["explanation"] is None)
p = spf("--ip", "192.0.2.25", "--helo", "mx1.example.com", "--json")
o = json.loads(p.stdout)
case("helo identity", o["identity"] == "helo" and
     o["sender"] == "postmaster@mx1.example.com")
p = spf("--ip", "192.0.2.25", "--helo", "mx1.example.com", "--mail-from", "")
case("human output", p.returncode == 0 and p.stdout.startswith("spf: ") and
     "Received-SPF: " in p.stdout)

# batch: order kept, bad lines reported in place, CRLF tolerated
lines = ("192.0.2.25\talice@example.com\tmx1.example.com\n"
         "not-an-ip\talice@example.com\tx\n"
         "# a comment\n"
         "\n"
         "192.0.2.99\talice@example.com\tx\r\n"
         "only-two\tfields\n"
         "2001:db8:100::1\tnews@example.com\tout.provider.example\n")
p = spf("--batch", "-", stdin=lines)
out = [json.loads(l) for l in p.stdout.splitlines()]
case("batch exit", p.returncode == 0, p.stderr)
case("batch count", len(out) == 5, p.stdout)
if len(out) == 5:
    case("batch order", [o.get("result", "error") for o in out] ==
         ["pass", "error", "fail", "error", "pass"],
         str([o.get("result") for o in out]))
    case("batch error line numbers", out[1].get("line") == 2 and
         out[3].get("line") == 6)

print("%d passed, %d failed" % (results.count(True), results.count(False)))
sys.exit(0 if all(results) else 1)
