#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`vouch verify`: SPF, DKIM, ARC and DMARC of one message, end to end.

Keys are made with `vouch dkim keygen` and messages signed with
`vouch dkim sign` at test time; DNS comes from a zone file written here.
Each scenario checks the JSON verdicts and the Authentication-Results
field (one field, every method, values that cannot inject anything).

usage: test_verify.py VOUCH EXAMPLES_DIR ; prints "N passed, N failed".
"""
import json
import os
import re
import subprocess
import sys
import tempfile

VOUCH, EXAMPLES = sys.argv[1], sys.argv[2]
NOW = "1764000000"
results = []
tmp = tempfile.mkdtemp(prefix="vouch-verify-")


def case(name, cond, detail=""):
    results.append(bool(cond))
    if not cond:
        print("FAIL %s %s" % (name, detail))


def run(*args, stdin=None):
    return subprocess.run([VOUCH, *args], input=stdin, capture_output=True)


def keygen(domain, selector, alg):
    prefix = os.path.join(tmp, "%s-%s" % (domain, selector))
    p = run("dkim", "keygen", "--domain", domain, "--selector", selector,
            "--algorithm", alg, "--out", prefix)
    assert p.returncode == 0, p.stderr
    with open(prefix + ".txt") as f:
        return prefix + ".private", f.read()


KEYS = {}
records = []
for dom, sel, alg in [("author.example", "s1", "rsa-sha256"),
                      ("author.example", "e1", "ed25519-sha256"),
                      ("esp.example", "k1", "rsa-sha256"),
                      ("list.example", "l1", "rsa-sha256")]:
    KEYS[(dom, sel)], rec = keygen(dom, sel, alg)
    records.append(rec)

ZONE_TEXT = """$TTL 300
author.example.        IN TXT "v=spf1 ip4:192.0.2.1 -all"
author.example.        IN A   192.0.2.1
_dmarc.author.example. IN TXT "v=DMARC1; p=reject; rua=mailto:d@author.example"
sub.author.example.    IN A   192.0.2.1
sub.author.example.    IN TXT "v=spf1 ip4:192.0.2.1 -all"
esp.example.           IN TXT "v=spf1 ip4:198.51.100.0/24 -all"
esp.example.           IN A   198.51.100.1
list.example.          IN TXT "v=spf1 ip4:203.0.113.5 -all"
list.example.          IN A   203.0.113.5
none.example.          IN A   192.0.2.9
quar.example.          IN A   192.0.2.9
_dmarc.quar.example.   IN TXT "v=DMARC1; p=quarantine; t=y"
slow.example.          IN A   192.0.2.9
$FAULT _dmarc.slow.example. TXT TIMEOUT
""" + "".join(records)
ZONE = os.path.join(tmp, "verify.zone")
with open(ZONE, "w") as f:
    f.write(ZONE_TEXT)


def message(frm, extra=b"", body=b"Hello.\r\n"):
    return (extra + b"From: " + frm + b"\r\nTo: bob@rcpt.example\r\n"
            b"Subject: test\r\nDate: Mon, 24 Nov 2025 16:00:00 +0000\r\n"
            b"Message-ID: <1@author.example>\r\n\r\n" + body)


def sign(msg, domain, selector):
    p = run("dkim", "sign", "--now", NOW, "--domain", domain, "--selector",
            selector, "--key", KEYS[(domain, selector)], "-", stdin=msg)
    assert p.returncode == 0, p.stderr
    return p.stdout


def verify(msg, ip, mail_from, helo="mx.sender.example", *extra):
    path = os.path.join(tmp, "msg.eml")
    with open(path, "wb") as f:
        f.write(msg)
    p = run("verify", path, "--zone", ZONE, "--now", NOW, "--ip", ip,
            "--helo", helo, "--mail-from", mail_from, "--authserv-id",
            "mx.rcpt.example", "--json", *extra)
    if p.returncode != 0:
        return None, p
    return json.loads(p.stdout), p


def check(name, msg, ip, mail_from, want, helo="mx.sender.example",
          extra=()):
    """want: dict of dotted JSON paths -> expected value."""
    out, p = verify(msg, ip, mail_from, helo, *extra)
    if out is None:
        case(name, False, "rc=%d %s" % (p.returncode, p.stderr))
        return None
    for path, value in want.items():
        cur = out
        for part in path.split("."):
            cur = cur[int(part)] if isinstance(cur, list) else cur.get(part)
        case("%s: %s" % (name, path), cur == value,
             "got %r, want %r" % (cur, value))
    ar = out["authentication_results"]
    # one field value, nothing that could start another field
    case(name + ": A-R has no line break outside folding",
         re.search(r"\r?\n(?![ \t])", ar) is None, repr(ar))
    case(name + ": A-R starts with the authserv-id",
         ar.startswith("mx.rcpt.example;"), repr(ar[:40]))
    for method in ("spf=", "dmarc=", "arc="):
        case("%s: A-R has %s" % (name, method), method in ar, repr(ar))
    return out


ALICE = b"Alice <alice@author.example>"

# aligned DKIM (both algorithms) and aligned SPF
signed = sign(sign(message(ALICE), "author.example", "s1"),
              "author.example", "e1")
out = check("aligned", signed, "192.0.2.1", "alice@author.example", {
    "spf.result": "pass", "dkim.0.result": "pass", "dkim.1.result": "pass",
    "arc.cv": "none", "dmarc.result": "pass", "dmarc.policy": "reject",
    "dmarc.disposition": "none", "dmarc.from_domain": "author.example",
    "dmarc.spf_aligned": True, "dmarc.dkim_aligned": True})
if out:
    ar = out["authentication_results"]
    case("aligned: A-R dkim twice", ar.count("dkim=pass") == 2, ar)
    case("aligned: A-R header.d", "header.d=author.example" in ar, ar)
    case("aligned: Received-SPF", out["received_spf"].startswith("pass"),
         out["received_spf"])

# d= in another case than From: still aligned (domains compare as names)
KEYS[("Author.EXAMPLE", "s1")] = KEYS[("author.example", "s1")]
check("d= case", sign(message(ALICE), "Author.EXAMPLE", "s1"), "203.0.113.9",
      "x@esp.example", {"dkim.0.result": "pass", "dmarc.result": "pass",
                        "dmarc.dkim_aligned": True})

# SPF only, aligned; DKIM absent
check("spf only", message(ALICE), "192.0.2.1", "bounce@author.example", {
    "spf.result": "pass", "dkim": [], "dmarc.result": "pass",
    "dmarc.spf_aligned": True, "dmarc.dkim_aligned": False})

# relaxed alignment: MAIL FROM in a subdomain of the From domain
check("relaxed spf", message(ALICE), "192.0.2.1", "b@sub.author.example", {
    "spf.result": "pass", "dmarc.spf_aligned": True, "dmarc.result": "pass"})

# an ESP: SPF passes for its own domain, signs with its own domain: no
# alignment, p=reject applies
esp = sign(message(ALICE), "esp.example", "k1")
check("unaligned esp", esp, "198.51.100.7", "bounce@esp.example", {
    "spf.result": "pass", "dkim.0.result": "pass", "dkim.0.domain":
    "esp.example", "dmarc.result": "fail", "dmarc.policy": "reject",
    "dmarc.disposition": "reject", "dmarc.spf_aligned": False,
    "dmarc.dkim_aligned": False})

# a forged message: SPF fails, no signature
check("forged", message(ALICE), "203.0.113.99", "alice@author.example", {
    "spf.result": "fail", "dmarc.result": "fail",
    "dmarc.disposition": "reject"})

# body changed after signing (a list footer): DKIM fails, SPF of the list
# passes unaligned
broken = signed.replace(b"Hello.\r\n", b"Hello.\r\n-- \r\nlist footer\r\n")
check("list footer", broken, "203.0.113.5", "list-bounces@list.example", {
    "spf.result": "pass", "dkim.0.result": "fail",
    "dkim.0.reason": "body hash mismatch", "dmarc.result": "fail"})

# t=y: testing mode lowers the disposition
check("testing", message(b"<x@quar.example>"), "192.0.2.9", "x@quar.example",
      {"dmarc.result": "fail", "dmarc.policy": "quarantine",
       "dmarc.testing": True})

# no DMARC record anywhere
check("no record", message(b"<x@none.example>"), "192.0.2.9",
      "x@none.example", {"dmarc.result": "none"})

# DNS timeout on the DMARC record: temperror, never none
check("dmarc timeout", message(b"<x@slow.example>"), "192.0.2.9",
      "x@slow.example", {"dmarc.result": "temperror"})

# From shapes that must never pass (Composition Kills, verifier side)
for name, frm in [
        ("two From domains", b"<alice@author.example>, <eve@evil.example>"),
        ("evil first", b"<eve@evil.example>, <alice@author.example>"),
        ("display-name address", b"alice@author.example <eve@evil.example>"),
        ("quoted display address",
         b"\"alice@author.example\" <eve@evil.example>"),
        ("comment address", b"eve@evil.example (alice@author.example)"),
]:
    out = check(name, sign(message(frm), "author.example", "s1"),
                "192.0.2.1", "alice@author.example", {})
    if out:
        case(name + ": no dmarc pass", out["dmarc"]["result"] != "pass",
             json.dumps(out["dmarc"]))

two_fields = sign(message(ALICE, extra=b"From: <eve@evil.example>\r\n"),
                  "author.example", "s1")
out = check("two From fields", two_fields, "192.0.2.1",
            "alice@author.example", {})
if out:
    case("two From fields: not pass", out["dmarc"]["result"] != "pass",
         json.dumps(out["dmarc"]))

for name, msg in [
        ("no From", b"To: bob@rcpt.example\r\nSubject: x\r\n\r\nbody\r\n"),
        ("From without domain", message(b"<alice>")),
        ("empty group From", message(b"undisclosed-recipients:;")),
]:
    check(name, msg, "192.0.2.1", "alice@author.example",
          {"dmarc.result": "permerror"})

# a NUL byte in the header: the message is refused with a clear error
out, p = verify(message(b"<alice@author.example\x00.evil>"), "192.0.2.1",
                "alice@author.example")
case("From with NUL: refused", out is None and p.returncode == 1 and
     b"NUL" in p.stderr, p.stderr)


def methods(ar):
    """The method names of an A-R value, read as RFC 8601 does: quoted
    strings and comments are not structure."""
    out, i, depth = [], 0, 0
    text = []
    while i < len(ar):
        c = ar[i]
        if depth == 0 and c == '"':
            i += 1
            while i < len(ar) and ar[i] != '"':
                i += 2 if ar[i] == "\\" else 1
            text.append('""')
        elif c == "(":
            depth += 1
        elif c == ")" and depth > 0:
            depth -= 1
        elif c == "\\" and depth > 0:
            i += 1
        elif depth == 0:
            text.append(c)
        i += 1
    for part in "".join(text).split(";")[1:]:
        out.append(part.strip().split("=")[0])
    return out


# hostile envelope values never break the A-R field
for name, helo, mail_from in [
        ("quote helo", 'evil"; dkim=pass header.d=author.example', ""),
        ("crlf mail from", "mx.example", "a\r\nX-Injected: yes@author.example"),
        ("semicolon mail from", "mx.example", "a;dmarc=pass@esp.example"),
        ("paren helo", "(x", "b@esp.example"),
]:
    out, p = verify(message(ALICE), "198.51.100.7", mail_from, helo)
    if out is None:
        # refused as a usage error is also safe
        case(name, p.returncode in (1, 2), p.stderr)
        continue
    ar = out["authentication_results"]
    case(name + ": no injected line", "\nX-Injected" not in ar, repr(ar))
    case(name + ": methods", methods(ar) == ["spf", "arc", "dmarc"],
         "%r from %r" % (methods(ar), ar))

# the human output: the fields to prepend
p = run("verify", "--zone", ZONE, "--now", NOW, "--ip", "192.0.2.1",
        "--helo", "mx.example", "--mail-from", "alice@author.example",
        "--authserv-id", "mx.rcpt.example", "-", stdin=signed)
text = p.stdout.decode("utf-8", "replace")
case("human: exit 0", p.returncode == 0, p.stderr)
case("human: A-R field", text.startswith(
    "Authentication-Results: mx.rcpt.example;"), text[:80])
case("human: Received-SPF field", "\nReceived-SPF: pass" in text, text)

# the README's example: a message forwarded by a mailing list
p = run("verify", os.path.join(EXAMPLES, "forwarded.eml"), "--zone",
        os.path.join(EXAMPLES, "example.zone"), "--now", "1795867600",
        "--ip", "203.0.113.25", "--helo", "lists.example.org", "--mail-from",
        "team-bounces@list.example.org", "--authserv-id", "mx.example.net",
        "--json")
out = json.loads(p.stdout) if p.returncode == 0 else {}
case("example: runs", p.returncode == 0, p.stderr)
if out:
    got = (out["spf"]["result"],
           [(d["domain"], d["result"]) for d in out["dkim"]],
           out["arc"]["cv"], out["dmarc"]["result"], out["dmarc"]["policy"])
    case("example: verdicts", got == (
        "pass", [("list.example.org", "pass"), ("example.com", "fail")],
        "pass", "fail", "none"), got)

# usage errors
for name, args in [("no ip", ["--helo", "x", "--mail-from", "a@b"]),
                   ("bad ip", ["--ip", "x", "--helo", "x", "--mail-from",
                               "a@b"]),
                   ("bad mode", ["--ip", "192.0.2.1", "--helo", "x",
                                 "--mail-from", "a@b", "--dmarc-mode",
                                 "8000"]),
                   ("two files", ["--ip", "192.0.2.1", "--helo", "x",
                                  "--mail-from", "a@b", "a", "b"])]:
    p = run("verify", *args)
    case("usage: " + name, p.returncode == 2 and p.stderr, p.stderr)
p = run("verify", "--help")
case("help", p.returncode == 0 and b"--dmarc-mode" in p.stdout, p.stdout)

print("%d passed, %d failed" % (results.count(True), results.count(False)))
sys.exit(0 if all(results) else 1)
