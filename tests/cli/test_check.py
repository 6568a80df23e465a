#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Command-line contract of `vouch check` (docs/check.md).

The JSON schema fields; --jsonl order with --jobs (input order kept);
bad domains (IP literals, 300-byte names, empty labels, non-ASCII) give a
per-domain error and the run goes on; DNS timeouts ($FAULT lines) become
findings, not crashes; the human report has no colour when piped;
--overlay changes the verdict (what-if); usage errors exit 2; the BIMI
fields, --bimi-selector (bad ones are usage errors), --bimi-trust.

usage: test_check.py VOUCH EXAMPLE_ZONE ; prints "N passed, N failed".
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

VOUCH, EXAMPLE = sys.argv[1], sys.argv[2]
results = []
AREAS = ["mx", "spf", "dkim", "dmarc", "mtasts", "tlsrpt", "bimi", "dnssec"]


def run(*args, stdin=None):
    return subprocess.run([VOUCH, "check", *args], input=stdin,
                          capture_output=True, text=True, timeout=120)


def case(name, cond, detail=""):
    results.append(bool(cond))
    if not cond:
        print("FAIL %s %s" % (name, detail))


tmp = tempfile.mkdtemp(prefix="vouch-check-")
zone = os.path.join(tmp, "bulk.zone")
N = 300
with open(zone, "w") as f:
    f.write("$TTL 300\n$ORIGIN bulk.test.\n")
    f.write("mx A 192.0.2.25\n")
    f.write("_spf TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n")
    for i in range(N):
        d = "d%d" % i
        f.write("%s MX 10 mx.bulk.test.\n" % d)
        # every third domain lacks DMARC, every fifth SPF
        if i % 5 != 0:
            f.write("%s TXT \"v=spf1 mx include:_spf.bulk.test -all\"\n" % d)
        if i % 3 != 0:
            f.write("_dmarc.%s TXT \"v=DMARC1; p=reject; "
                    "rua=mailto:r@bulk.test\"\n" % d)
    # faults: the domain times out everywhere, another only on TXT
    f.write("$FAULT slow.bulk.test. ANY TIMEOUT\n")
    f.write("half MX 10 mx.bulk.test.\n")
    f.write("$FAULT half.bulk.test. TXT TIMEOUT\n")
    f.write("$FAULT _dmarc.half.bulk.test. TXT SERVFAIL\n")

# ---- the bundled example: graded, offline -----------------------------------
p = run("example.com", "--zone", EXAMPLE)
case("example exit", p.returncode == 0, p.stderr)
case("example graded", p.stdout.startswith("example.com  grade ") and
     "/100)" in p.stdout.splitlines()[0], p.stdout[:200])
case("example no colour when piped", "\033[" not in p.stdout)
case("example has a plan", "\nPlan:\n" in p.stdout)

p = run("example.com", "--zone", EXAMPLE, "--json", "--selector", "rsa2026")
o = json.loads(p.stdout)
case("json one object", p.returncode == 0 and isinstance(o, dict))
for key in ["domain", "grade", "score", "checks", "findings", "plan"]:
    case("json has " + key, key in o)
case("json areas", sorted(o["checks"]) == sorted(AREAS), str(o["checks"]))
case("json score range", 0 <= o["score"] <= 100 and o["grade"] in "ABCDF")
spf = o["checks"]["spf"]
case("spf.record", spf["record"].startswith("v=spf1 mx "))
case("spf.lookups", spf["lookups"] == 6, spf["lookups"])
case("spf.void_lookups", spf["void_lookups"] == 0)
case("spf.tree", spf["tree"]["domain"] == "example.com" and
     len(spf["tree"]["children"]) == 2 and
     spf["tree"]["branch_lookups"] == 6)
case("spf.networks", "198.18.0.0/16" in spf["networks"])
dm = o["checks"]["dmarc"]
case("dmarc.record", dm["record"].startswith("v=DMARC1; p=none"))
case("dmarc.policy", dm["policy"] == "none")
sels = o["checks"]["dkim"]["selectors"]
case("dkim.selectors", sels and sels[0]["name"] == "rsa2026" and
     sels[0]["key_bits"] == 2048, str(sels))
bimi = o["checks"]["bimi"]
case("bimi checked", bimi["status"] != "skipped", str(bimi))
case("bimi fields", bimi.get("selector") == "default" and
     bimi.get("records") == 0 and bimi.get("record") is None and
     bimi.get("valid") is False and bimi.get("logo") is None and
     bimi.get("vmc") is None and bimi.get("weight") == 0, str(bimi))
sts = o["checks"]["mtasts"]
case("mtasts fields", sts["status"] == "warning" and sts["score"] == 85 and
     sts["record"] is None and sts["id"] is None and sts["mode"] is None and
     sts["policy_fetch"] is None and sts["mx_covered"] is None, str(sts))
tr = o["checks"]["tlsrpt"]
case("tlsrpt fields", tr["status"] == "ok" and tr["record"] is None and
     tr["rua"] == [] and tr["valid"] is False, str(tr))
ids = [x["id"] for x in o["findings"]]
case("mtasts-none and tlsrpt-none", "mtasts-none" in ids and
     "tlsrpt-none" in ids, str(ids))
fix = [x for x in o["findings"] if x["id"] == "mtasts-none"][0]["fix"]
case("mtasts-none fix is record and policy",
     fix.startswith('_mta-sts.example.com. IN TXT "v=STSv1; id=') and
     "\nmode: testing\n" in fix and "\nmx: mx1.example.com" in fix, fix)
areas = [s["area"] for s in o["plan"]]
case("plan: tlsrpt before mtasts", "tlsrpt" in areas and "mtasts" in areas
     and areas.index("tlsrpt") < areas.index("mtasts"), str(areas))
fi = o["findings"]
case("finding fields", fi and all(set(["id", "severity", "area",
                                       "explanation", "fix"]) <= set(x)
                                  for x in fi))
case("finding severities", all(x["severity"] in
                               ["info", "warning", "error", "critical"]
                               for x in fi))
case("plan fields", o["plan"] and o["plan"][0]["step"] == 1 and
     all("action" in s and "area" in s for s in o["plan"]))

# ---- what-if: --overlay a draft DMARC record --------------------------------
# The draft answers the names it holds; everything else goes to "live" DNS,
# here a resolver that never answers, so those lookups time out and become
# findings while the draft record is what the audit sees.
draft = os.path.join(tmp, "draft.zone")
with open(draft, "w") as f:
    f.write("_dmarc.example.com. 300 IN TXT \"v=DMARC1; p=reject; "
            "rua=mailto:dmarc-reports@example.com\"\n")
p = run("example.com", "--overlay", draft, "--resolver", "127.0.0.1@9",
        "--dns-timeout", "200", "--no-discovery", "--json")
o = json.loads(p.stdout) if p.stdout else {}
case("overlay exit", p.returncode == 0, p.stderr)
case("overlay draft seen", o.get("checks", {}).get("dmarc", {})
     .get("policy") == "reject", p.stdout[:300])
case("overlay live timeouts are findings",
     "mx-dns-error" in [f["id"] for f in o.get("findings", [])])
p = run("example.com", "--zone", EXAMPLE, "--overlay", draft)
case("overlay with zone is usage", p.returncode == 2, p.stderr)

# ---- bulk: --jobs keeps input order ----------------------------------------
names = ["d%d.bulk.test" % i for i in range(N)]
p = run("--from", "-", "--jobs", "8", "--jsonl", "--zone", zone,
        "--no-discovery", stdin="\n".join(names) + "\n")
lines = p.stdout.splitlines()
case("bulk exit", p.returncode == 0, p.stderr[:300])
case("bulk count", len(lines) == N, len(lines))
got = [json.loads(l)["domain"] for l in lines]
case("bulk order", got == names)
case("bulk no progress when not a tty", p.stderr == "", p.stderr[:200])
objs = [json.loads(l) for l in lines]
case("bulk grades vary", objs[1]["grade"] != objs[0]["grade"])
case("bulk missing dmarc found", any(f["id"] == "dmarc-missing"
                                     for f in objs[3]["findings"]))

# serial and parallel agree (the clock pinned: the MTA-STS fixes carry a
# fresh id made from it)
p1 = run("--from", "-", "--jsonl", "--zone", zone, "--no-discovery",
         "--now", "1795867600", stdin="\n".join(names[:40]) + "\n")
p8 = run("--from", "-", "--jobs", "4", "--jsonl", "--zone", zone,
         "--no-discovery", "--now", "1795867600",
         stdin="\n".join(names[:40]) + "\n")
case("jobs 1 == jobs 4", p1.stdout == p8.stdout)

# ---- bad domains: an error line each, the run goes on -----------------------
bad = ["192.0.2.1", "[192.0.2.1]", "a..bulk.test", "x" * 300,
       ".".join(["a" * 60] * 5), "-bad.bulk.test", "b\u00fccher.bulk.test",
       "d1.bulk.test", "slow.bulk.test", "half.bulk.test",
       "# a comment", "", "   d2.bulk.test  "]
p = run("--from", "-", "--jobs", "3", "--jsonl", "--zone", zone,
        "--no-discovery", stdin="\n".join(bad) + "\n")
out = [json.loads(l) for l in p.stdout.splitlines()]
case("bad exit 1", p.returncode == 1, p.returncode)
case("bad count", len(out) == 11, len(out))
if len(out) == 11:
    for i in range(5):
        case("bad %d error" % i, "error" in out[i] and "grade" not in out[i],
             str(out[i]))
    case("hyphen label error", "error" in out[5])
    case("idna", out[6].get("domain") == "xn--bcher-kva.bulk.test" and
         "grade" in out[6], str(out[6]))
    case("good after bad", out[7].get("domain") == "d1.bulk.test" and
         "grade" in out[7])
    ids = [f["id"] for f in out[8].get("findings", [])]
    case("timeout becomes findings", "mx-dns-error" in ids and
         "spf-dns-error" in ids, str(ids))
    ids = [f["id"] for f in out[9].get("findings", [])]
    case("txt timeout findings", "spf-dns-error" in ids and
         "dmarc-dns-error" in ids, str(ids))
    case("trimmed", out[10].get("domain") == "d2.bulk.test")

# command-line domain that is not one: exit 1 with a message, not a crash
p = run("192.0.2.1", "--zone", zone)
case("ip literal exit 1", p.returncode == 1 and "192.0.2.1" in p.stderr,
     p.stderr)

# ---- usage errors -----------------------------------------------------------
for name, args in [
        ("nothing", []),
        ("json and jsonl", ["x.test", "--json", "--jsonl"]),
        ("jobs 0", ["x.test", "--jobs", "0"]),
        ("jobs too many", ["x.test", "--jobs", "100000"]),
        ("unknown option", ["x.test", "--bogus"]),
        ("bad selector", ["x.test", "--zone", zone, "--selector", "a..b"]),
        ("bad connect-to", ["x.test", "--zone", zone,
                            "--https-connect-to", "127.0.0.1:8443"]),
        ("too many connect-to", ["x.test", "--zone", zone] +
         ["--https-connect-to", "::127.0.0.1:8443"] * 9),
        ("timeout 0", ["x.test", "--zone", zone, "--timeout", "0"]),
        ("timeout under 1 s", ["x.test", "--zone", zone, "--timeout", "999"]),
        ("timeout not a number", ["x.test", "--zone", zone, "--timeout", "1s"]),
        ("timeout too long", ["x.test", "--zone", zone, "--timeout",
                              "600001"]),
]:
    p = run(*args)
    case("usage " + name, p.returncode in (1, 2) and p.stderr.strip() != "",
         "rc=%d %r" % (p.returncode, p.stderr))
for sel in ["a..b", "", "x y", "a" * 64, "-/-"]:
    for opt in ("--bimi-selector", "--selector"):
        p = run("x.test", "--zone", zone, opt, sel)
        case("usage bad %s %r" % (opt, sel), p.returncode == 2 and
             opt + " wants" in p.stderr, "rc=%d %r" % (p.returncode, p.stderr))
# the probe's options without the probe: a usage error, not ignored
for extra in (["--smtp-timeout", "5000"], ["--smtp-ehlo", "probe.test"]):
    p = run("x.test", "--zone", zone, *extra)
    case("usage %s without --smtp-probe" % extra[0], p.returncode == 2 and
         "need --smtp-probe" in p.stderr, "rc=%d %r" % (p.returncode, p.stderr))
p = run("x.test", "--zone", zone, "--bimi-trust", os.path.join(tmp, "no.pem"))
case("missing --bimi-trust file", p.returncode == 1 and
     "bimi-trust" in p.stderr, p.stderr)
p = run("--help")
case("help", p.returncode == 0 and "--jobs" in p.stdout and
     "--selector" in p.stdout and "--no-fetch" in p.stdout and
     "--https-connect-to" in p.stdout and "--bimi-selector" in p.stdout and
     "--bimi-trust" in p.stdout)

# --timeout: a policy server that accepts and never answers holds the
# domain only as long as --timeout says (a listening socket nobody reads:
# the TLS handshake waits; without --timeout the fetch gives up after its
# 5 s connect timeout)
silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
silent.bind(("127.0.0.1", 0))
silent.listen(8)
tzone = os.path.join(tmp, "slow.zone")
with open(tzone, "w") as f:
    f.write("$TTL 300\n$ORIGIN slow.test.\n@ MX 10 mx\nmx A 192.0.2.25\n"
            "_mta-sts TXT \"v=STSv1; id=42\"\n"
            "_dmarc TXT \"v=DMARC1; p=reject\"\n")
t0 = time.monotonic()
p = run("slow.test", "--zone", tzone, "--json", "--timeout", "2000",
        "--https-connect-to", "::127.0.0.1:%d" % silent.getsockname()[1])
took = time.monotonic() - t0
silent.close()
o = json.loads(p.stdout) if p.stdout else {}
case("--timeout bounds a silent policy server", p.returncode == 0 and
     took < 4.5 and o.get("grade") is not None and
     any(f["id"].startswith("mtasts-") and "time" in f["explanation"]
         for f in o.get("findings", [])),
     "rc=%d took %.1f s %r" % (p.returncode, took,
                              [f["id"] for f in o.get("findings", [])]))

# a host where libcurl cannot be loaded (a libcurl.so.4 without its
# symbols first on the library path): the fetches and probes are said not
# made, never blamed on the domain
fake = os.path.join(tmp, "fakecurl")
os.mkdir(fake)
with open(os.path.join(fake, "empty.c"), "w") as f:
    f.write("int vouch_test_not_libcurl;\n")
cc = subprocess.run(["cc", "-shared", "-fPIC", "-o",
                     os.path.join(fake, "libcurl.so.4"),
                     os.path.join(fake, "empty.c")], capture_output=True)
nzone = os.path.join(tmp, "nocurl.zone")
with open(nzone, "w") as f:
    f.write("$TTL 300\n$ORIGIN nocurl.test.\n@ MX 10 mx\nmx A 192.0.2.25\n"
            "_mta-sts TXT \"v=STSv1; id=42\"\n"
            "_dmarc TXT \"v=DMARC1; p=reject\"\n"
            "default._bimi TXT \"v=BIMI1; l=https://img.nocurl.test/l.svg\"\n")
env = dict(os.environ, LD_LIBRARY_PATH=fake + ":" +
           os.environ.get("LD_LIBRARY_PATH", ""))
p = subprocess.run([VOUCH, "check", "nocurl.test", "--zone", nzone, "--json",
                    "--smtp-probe"], capture_output=True, text=True,
                   timeout=120, env=env)
o = json.loads(p.stdout) if p.stdout else {}
ids = {f["id"]: f for f in o.get("findings", [])}
case("no libcurl: fake library built", cc.returncode == 0, cc.stderr)
case("no libcurl: said, not blamed on the domain", p.returncode == 0 and
     all(k in ids and ids[k]["severity"] == "warning" and
         "libcurl" in ids[k]["explanation"]
         for k in ("mtasts-not-fetched", "bimi-not-fetched",
                   "smtp-not-probed")) and
     not any(k.startswith(("mtasts-fetch", "bimi-logo-fetch", "smtp-probe-"))
             for k in ids) and
     o["checks"]["mtasts"].get("policy_fetch") == "not-fetched",
     "rc=%d %r" % (p.returncode, sorted(ids)))

# --no-fetch: a record is judged alone and the policy says not-fetched
stszone = os.path.join(tmp, "sts.zone")
with open(stszone, "w") as f:
    f.write("$TTL 300\n$ORIGIN sts.test.\n@ MX 10 mx\nmx A 192.0.2.25\n"
            "_mta-sts TXT \"v=STSv1; id=42\"\n"
            "_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:t@sts.test\"\n"
            "_dmarc TXT \"v=DMARC1; p=reject\"\n"
            "brand._bimi TXT \"v=BIMI1; l=https://img.sts.test/l.svg\"\n")
p = run("sts.test", "--zone", stszone, "--no-fetch", "--json",
        "--bimi-selector", "brand")
o = json.loads(p.stdout) if p.stdout else {}
bimi = o.get("checks", {}).get("bimi", {})
case("no-fetch bimi", bimi.get("selector") == "brand" and
     bimi.get("valid") is True and
     (bimi.get("logo") or {}).get("fetch") == "not-fetched" and
     (bimi.get("logo") or {}).get("valid") is None and
     bimi.get("vmc") is None and "bimi-not-fetched" in
     [x["id"] for x in o.get("findings", [])], str(bimi))
p = run("sts.test", "--zone", stszone, "--no-fetch", "--json")
o = json.loads(p.stdout) if p.stdout else {}
sts = o.get("checks", {}).get("mtasts", {})
case("no-fetch record", sts.get("id") == "42" and
     sts.get("policy_fetch") == "not-fetched" and sts.get("mode") is None,
     str(sts))
case("no-fetch finding", "mtasts-not-fetched" in
     [x["id"] for x in o.get("findings", [])])
tr = o.get("checks", {}).get("tlsrpt", {})
case("tlsrpt rua", tr.get("valid") is True and
     tr.get("rua") == ["mailto:t@sts.test"], str(tr))
p = run("x.test", "--zone", zone, "--https-ca", os.path.join(tmp, "no.pem"))
case("missing --https-ca file", p.returncode == 1 and "https-ca" in p.stderr,
     p.stderr)
p = run("--from", os.path.join(tmp, "missing.txt"), "--zone", zone)
case("missing --from file", p.returncode == 1 and p.stderr != "")

print("%d passed, %d failed" % (results.count(True), results.count(False)))
sys.exit(0 if all(results) else 1)
