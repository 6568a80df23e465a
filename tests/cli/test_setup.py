#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Command-line contract of `vouch setup` (docs/setup.md).

The acceptance test of issue 5 item 4: `vouch check` on setup's own output
grades it well. Setup's output is loaded as a zone file on top of a base
zone (the MX hosts' addresses, SOA/NS) and audited with `vouch check
--zone base --zone snippet --selector SEL --no-discovery --json`.

Provider includes (_spf.google.com, ...) do not resolve in a closed-world
zone: check reports them as spf-include-missing, and the test asserts
exactly that. To test the lookup arithmetic, stub records are added whose
include trees cost what the provider table says (docs/setup.md); check's
count of the whole tree must then equal setup's estimate and stay within
10. The stubs model the table, not the providers' live records.

Also: the DKIM key signs a message that verifies against the published
record (RSA and Ed25519), key file mode 0600 and never overwritten,
--no-mail, MX inference, the SPF lookup limit, --json schema, the policy
file, MX read from DNS (null MX, timeouts, hostile names), usage errors.

usage: test_setup.py VOUCH ; prints "N passed, N failed".
"""
import datetime
import json
import os
import re
import stat
import subprocess
import sys
import tempfile

VOUCH = os.path.abspath(sys.argv[1])
NOW = "1795000000"  # 2026-11-18 11:06:40 UTC
results = []
tmp = tempfile.mkdtemp(prefix="vouch-setup-")


def vouch(*args, stdin=None):
    return subprocess.run([VOUCH, *args], input=stdin, capture_output=True,
                          text=True, timeout=120, cwd=tmp)


def setup(*args):
    return vouch("setup", "--now", NOW, *args)


def case(name, cond, detail=""):
    results.append(bool(cond))
    if not cond:
        print("FAIL %s %s" % (name, str(detail)[:600]))


def write(name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def check(domain, *zones, selector=None):
    args = ["check", domain, "--json", "--no-discovery"]
    for z in zones:
        args += ["--zone", z]
    if selector:
        args += ["--selector", selector]
    p = vouch(*args)
    try:
        return json.loads(p.stdout)
    except ValueError:
        print("check output: %s %s" % (p.stdout[:300], p.stderr[:300]))
        return {}


def bad(o, areas):
    """Findings of severity error or critical in the areas."""
    return [(f["id"], f["severity"]) for f in o.get("findings", [])
            if f["area"] in areas and f["severity"] in ("error", "critical")]


BASE = write("base.zone", """$TTL 300
$ORIGIN example.com.
@ SOA ns hostmaster 1 3600 600 86400 300
@ NS ns
@ MX 10 mx1
@ MX 20 mx2
ns A 192.0.2.53
mx1 A 192.0.2.10
mx2 A 192.0.2.11
""")
STAMP = datetime.datetime.fromtimestamp(int(NOW), datetime.timezone.utc)
SEL = "vouch" + STAMP.strftime("%Y%m")

# ---- the acceptance test: own MX hosts, own addresses, RSA --------------
p = setup("example.com", "--zone", BASE, "--ip", "198.51.100.7",
          "--ip", "2001:db8::/32", "--out", "rsa")
case("setup exit", p.returncode == 0, p.stderr)
snippet = write("snippet.zone", p.stdout)
case("output is a zone file: every line a comment or a record",
     all(l.startswith(";") or l.startswith(("example.com. ",
                                            "_dmarc.", "_mta-sts.",
                                            "_smtp._tls.", SEL + "."))
         for l in p.stdout.splitlines()), p.stdout[:400])
case("default selector from the clock", (SEL + "._domainkey.example.com. "
                                         "3600 IN TXT") in p.stdout)
case("spf record", '"v=spf1 mx ip4:198.51.100.7 ip6:2001:db8::/32 ~all"'
     in p.stdout, p.stdout[:600])
case("existing MX listed for --overlay",
     "example.com. 3600 IN MX 10 mx1.example.com." in p.stdout and
     "(already published)" in p.stdout)
case("mta-sts id from the clock",
     '"v=STSv1; id=%s"' % STAMP.strftime("%Y%m%d%H%M%S") in p.stdout)
case("policy printed as comments",
     ";   mode: testing\n" in p.stdout and ";   mx: mx1.example.com\n"
     in p.stdout and ";   mx: mx2.example.com\n" in p.stdout)
case("next steps in rollout order",
     p.stdout.find("monitor the DMARC") < p.stdout.find("p=quarantine")
     < p.stdout.find("p=reject") < p.stdout.find("mode: enforce"))
key = os.path.join(tmp, "rsa.private")
st = os.stat(key)
case("key file mode 0600", stat.S_IMODE(st.st_mode) == 0o600,
     oct(st.st_mode))
case("key file is PEM", open(key).read().startswith(
    "-----BEGIN PRIVATE KEY-----"))

o = check("example.com", BASE, snippet, selector=SEL)
case("check: score >= 80", o.get("score", 0) >= 80, o.get("score"))
case("check: grade A or B", o.get("grade") in ("A", "B"), o.get("grade"))
case("check: no error/critical in mx, spf, dkim, dmarc",
     bad(o, ["mx", "spf", "dkim", "dmarc"]) == [],
     bad(o, ["mx", "spf", "dkim", "dmarc"]))
ch = o.get("checks", {})
case("check: spf lookups 1", ch.get("spf", {}).get("lookups") == 1)
case("check: dkim key 2048", [(s["name"], s["key_bits"]) for s in
                              ch.get("dkim", {}).get("selectors", [])]
     == [(SEL, 2048)], ch.get("dkim"))
case("check: dmarc p=none", ch.get("dmarc", {}).get("policy") == "none")
case("check: mx hosts", ch.get("mx", {}).get("status") == "ok")
for area in ["mtasts", "tlsrpt"]:
    # an MTA-STS check cannot fetch the policy in a closed world: only the
    # records are judged here (no record findings of error severity)
    case("check: %s records not in error" % area,
         [f for f in o.get("findings", []) if f["area"] == area and
          f["severity"] in ("error", "critical") and "fetch" not in f["id"]
          and "policy" not in f["id"]] == [])

# the key pair matches the record: sign, then verify against the zone
msg = ("From: a@example.com\r\nTo: b@example.net\r\nSubject: hi\r\n"
       "Date: Wed, 18 Nov 2026 11:00:00 +0000\r\nMessage-ID: <1@example.com>"
       "\r\n\r\nhello\r\n")
s = vouch("dkim", "sign", "--domain", "example.com", "--selector", SEL,
          "--key", key, stdin=msg)
v = vouch("dkim", "verify", "--zone", snippet, "--json", stdin=s.stdout)
case("rsa key signs, record verifies",
     s.returncode == 0 and '"pass"' in v.stdout, v.stdout[:300] + v.stderr)

# the key file is never overwritten
before = open(key).read()
p = setup("example.com", "--zone", BASE, "--out", "rsa")
case("existing key file: exit 1", p.returncode == 1, p.stderr)
case("existing key file untouched", open(key).read() == before)

# ---- Ed25519 ---------------------------------------------------------------
p = setup("example.com", "--zone", BASE, "--algorithm", "ed25519-sha256",
          "--selector", "ed", "--out", "ed", "--json")
j = json.loads(p.stdout) if p.returncode == 0 else {}
case("ed25519 exit", p.returncode == 0, p.stderr)
case("ed25519 dkim object", j.get("dkim") == {
    "selector": "ed", "algorithm": "ed25519-sha256",
    "private_key_file": "ed.private"}, j.get("dkim"))
edz = write("ed.zone", j.get("zone", ""))
o = check("example.com", BASE, edz, selector="ed")
sels = o.get("checks", {}).get("dkim", {}).get("selectors", [])
case("ed25519 check: key found", sels and sels[0]["name"] == "ed" and
     sels[0].get("key_type") == "ed25519", sels)
case("ed25519 check: score >= 80, no dkim errors",
     o.get("score", 0) >= 80 and bad(o, ["dkim", "spf", "dmarc"]) == [],
     (o.get("score"), bad(o, ["dkim", "spf", "dmarc"])))
case("ed25519 key mode 0600",
     stat.S_IMODE(os.stat(os.path.join(tmp, "ed.private")).st_mode) == 0o600)
s = vouch("dkim", "sign", "--domain", "example.com", "--selector", "ed",
          "--key", os.path.join(tmp, "ed.private"), stdin=msg)
v = vouch("dkim", "verify", "--zone", edz, "--json", stdin=s.stdout)
case("ed25519 key signs, record verifies", '"pass"' in v.stdout,
     v.stdout[:300] + v.stderr)

# ---- JSON schema -------------------------------------------------------------
for k in ["domain", "records", "mta_sts_policy", "dkim", "next_steps",
          "senders", "spf_lookups", "zone"]:
    case("json has " + k, k in j)
case("json records", j.get("records") and all(
    set(["name", "type", "value"]) <= set(r) for r in j["records"]))
case("json record types", sorted(set(r["type"] for r in j["records"]))
     == ["MX", "TXT"])
case("json purposes", [r["purpose"] for r in j["records"]] ==
     ["mx", "mx", "spf", "dkim", "dmarc", "mta-sts", "tls-rpt"],
     [r["purpose"] for r in j.get("records", [])])
case("json names absolute", all(r["name"].endswith(".")
                                for r in j["records"]))
case("json tls-rpt", any(r["name"] == "_smtp._tls.example.com." and
                         r["value"] == "v=TLSRPTv1; rua=mailto:tls-reports@"
                         "example.com" for r in j["records"]))
case("json policy", j.get("mta_sts_policy") ==
     "version: STSv1\nmode: testing\nmax_age: 86400\n"
     "mx: mx1.example.com\nmx: mx2.example.com\n", j.get("mta_sts_policy"))
case("json next_steps", j.get("next_steps") and
     j["next_steps"][0]["step"] == 1 and
     all("action" in s for s in j["next_steps"]))

# ---- providers: closed world, then stubs of the table's lookup costs --------
p = setup("example.com", "--mx", "mx1.example.com", "--sender", "google",
          "--sender", "microsoft365", "--sender", "mailchimp",
          "--no-dkim", "--json")
j = json.loads(p.stdout) if p.returncode == 0 else {}
case("senders exit", p.returncode == 0, p.stderr)
spf = [r["value"] for r in j.get("records", []) if r["purpose"] == "spf"]
case("senders spf", spf == ["v=spf1 mx include:_spf.google.com "
                            "include:spf.protection.outlook.com "
                            "include:servers.mcsv.net ~all"], spf)
est = j.get("spf_lookups")
case("senders estimate", est == 1 + sum(s["spf_lookups"]
                                        for s in j.get("senders", [])))
sz = write("senders.zone", j.get("zone", ""))
o = check("example.com", BASE, sz)
missing = sorted(f["id"] for f in o.get("findings", [])
                 if f["id"] == "spf-include-missing")
case("closed world: each provider include is missing (honest finding)",
     len(missing) == 3, [f["id"] for f in o.get("findings", [])])

stubs = []
for s in j.get("senders", []):
    # a chain: the include, then spf_lookups-1 nested includes, each with
    # an address, so the tree costs what the table says
    name = s["spf_include"]
    for i in range(s["spf_lookups"]):
        nxt = "n%d.stub.%s" % (i + 1, s["spf_include"])
        more = " include:%s" % nxt if i + 1 < s["spf_lookups"] else ""
        stubs.append('%s. TXT "v=spf1 ip4:203.0.113.%d%s ~all"'
                     % (name, i + 1, more))
        name = nxt
stub_zone = write("stubs.zone", "$TTL 300\n" + "\n".join(stubs) + "\n")
o = check("example.com", BASE, sz, stub_zone)
spf = o.get("checks", {}).get("spf", {})
case("stubbed: check counts setup's estimate", spf.get("lookups") == est,
     (spf.get("lookups"), est))
case("stubbed: within the limit", est is not None and est <= 10)
case("stubbed: no spf error", bad(o, ["spf"]) == [], bad(o, ["spf"]))

# every provider of the table works alone, and its stub tree counts right
p = vouch("setup", "--list-senders", "--json")
table = json.loads(p.stdout) if p.returncode == 0 else []
names = [t["name"] for t in table]
for need in ["google", "microsoft365", "mailchimp", "sendgrid", "amazonses",
             "mailgun", "postmark", "zoho", "fastmail"]:
    case("provider %s listed" % need, need in names)
for t in table:
    p = setup("example.com", "--mx", "mx1.example.com", "--sender",
              t["name"], "--no-dkim", "--json")
    jj = json.loads(p.stdout) if p.returncode == 0 else {}
    case("provider %s include" % t["name"],
         any("include:%s " % t["spf_include"] in r["value"]
             for r in jj.get("records", [])), p.stderr)
    case("provider %s estimate" % t["name"],
         jj.get("spf_lookups") == 1 + t["spf_lookups"])

# over the limit: refused, with the count
p = setup("example.com", "--mx", "mx1.example.com", "--sender", "google",
          "--sender", "microsoft365", "--sender", "mailgun",
          "--sender", "sendgrid", "--no-dkim")
case("over 10 lookups refused", p.returncode == 2 and "12 DNS lookups"
     in p.stderr and p.stdout == "", p.stderr)

# an MX host of a known provider: the provider is the sender, no "mx"
p = setup("example.com", "--mx", "ASPMX.L.GOOGLE.COM.", "--mx",
          "alt1.aspmx.l.google.com", "--no-dkim", "--json")
jj = json.loads(p.stdout) if p.returncode == 0 else {}
spf = [r["value"] for r in jj.get("records", []) if r["purpose"] == "spf"]
case("mx inference spf", spf == ["v=spf1 include:_spf.google.com ~all"], spf)
case("mx inference sender", [(s["name"], s["inferred"])
                             for s in jj.get("senders", [])]
     == [("google", True)])
case("mx inference policy", jj.get("mta_sts_policy", "").endswith(
    "mx: aspmx.l.google.com\nmx: alt1.aspmx.l.google.com\n"))

# ---- --no-mail -------------------------------------------------------------------
p = setup("parked.example", "--no-mail", "--json")
jj = json.loads(p.stdout) if p.returncode == 0 else {}
recs = [(r["name"], r["type"], r["value"]) for r in jj.get("records", [])]
case("no-mail records", recs == [
    ("parked.example.", "MX", "0 ."),
    ("parked.example.", "TXT", "v=spf1 -all"),
    ("_dmarc.parked.example.", "TXT",
     "v=DMARC1; p=reject; sp=reject; adkim=s; aspf=s")], recs)
case("no-mail: no dkim, no policy", jj.get("dkim") is None and
     jj.get("mta_sts_policy") is None)
case("no-mail: no key file", not [f for f in os.listdir(tmp)
                                  if f.startswith("parked")])
pz = write("parked.zone", "$TTL 300\nparked.example. SOA ns.parked.example. "
           "h.parked.example. 1 3600 600 86400 300\n" + jj.get("zone", ""))
o = check("parked.example", pz)
case("no-mail check: score >= 80", o.get("score", 0) >= 80, o.get("score"))
case("no-mail check: no error/critical", bad(o, ["mx", "spf", "dmarc"]) ==
     [], bad(o, ["mx", "spf", "dmarc"]))
case("no-mail check: p=reject", o.get("checks", {}).get("dmarc", {})
     .get("policy") == "reject")
p = setup("parked.example", "--no-mail", "--rua",
          "mailto:dmarc@reports.example.net")
case("no-mail --rua", "rua=mailto:dmarc@reports.example.net" in p.stdout)

# ---- MX from DNS: null MX, failures, hostile names ---------------------------
dz = write("dns.zone", """$TTL 300
null.example. MX 0 .
slow.example. A 192.0.2.1
$FAULT slow.example. MX TIMEOUT
weird.example. MX 10 a\\032b.weird.example.
mixed.example. MX 0 .
mixed.example. MX 10 mx.mixed.example.
many.example. MX 5 mx3.many.example.
many.example. MX 1 mx1.many.example.
""")
p = setup("null.example", "--zone", dz)
case("null MX: no-mail set", p.returncode == 0 and "IN MX 0 ." in p.stdout
     and '"v=spf1 -all"' in p.stdout and "null MX" in p.stderr,
     p.stdout + p.stderr)
p = setup("slow.example", "--zone", dz)
case("MX timeout: exit 1", p.returncode == 1 and "TIMEOUT" in p.stderr,
     p.stderr)
p = setup("weird.example", "--zone", dz, "--no-dkim")
case("hostile MX name: clear error", p.returncode in (1, 2) and
     "not a host name" in p.stderr, p.stderr)
p = setup("many.example", "--zone", dz, "--no-dkim", "--json")
jj = json.loads(p.stdout) if p.returncode == 0 else {}
case("MX sorted by preference", [r["value"] for r in jj.get("records", [])
                                 if r["type"] == "MX"] ==
     ["1 mx1.many.example.", "5 mx3.many.example."])
case("MX from DNS marked existing", all(
    r["existing"] for r in jj.get("records", []) if r["type"] == "MX"))
p = setup("mixed.example", "--zone", dz)
case("null MX mixed with others: exit 1", p.returncode == 1 and
     "null MX" in p.stderr, p.stderr)
p = setup("nomx.example", "--zone", dz)
case("no MX: usage, names --mx", p.returncode == 2 and "--mx" in p.stderr,
     p.stderr)

# ---- other options -------------------------------------------------------------
pol = os.path.join(tmp, "policy.txt")
p = setup("example.com", "--zone", BASE, "--no-dkim", "--policy-out", pol,
          "--rua", "mailto:d@example.com", "--tlsrpt-rua",
          "https://tlsrpt.example.com/v1")
case("policy-out written", open(pol).read().startswith(
    "version: STSv1\nmode: testing\n") and "policy written to" in p.stdout)
case("--rua", '"v=DMARC1; p=none; rua=mailto:d@example.com"' in p.stdout)
case("--tlsrpt-rua", '"v=TLSRPTv1; rua=https://tlsrpt.example.com/v1"'
     in p.stdout)
case("--no-dkim: no dkim record", "_domainkey" not in p.stdout)
p = setup("b\u00fccher.example", "--mx", "mx.example.net", "--no-dkim")
case("IDN domain to A-labels", "xn--bcher-kva.example. 3600 IN TXT"
     in p.stdout, p.stdout[:300] + p.stderr)
p = setup("example.com", "--mx", "mx1.example.com", "--bits", "3072",
          "--out", "big", "--json")
jj = json.loads(p.stdout) if p.returncode == 0 else {}
o = check("example.com", BASE, write("big.zone", jj.get("zone", "")),
          selector=SEL)
case("--bits 3072", [s["key_bits"] for s in o.get("checks", {})
                     .get("dkim", {}).get("selectors", [])] == [3072])
p = setup("example.com", "--zone", BASE, "--no-dkim", "--json",
          "--ip", "::ffff:192.0.2.1", "--ip", "10.0.0.0/8")
jj = json.loads(p.stdout) if p.returncode == 0 else {}
case("--ip forms", any(r["value"] == "v=spf1 mx ip4:192.0.2.1 ip4:10.0.0.0/8 "
                       "~all" for r in jj.get("records", [])),
     jj.get("records"))

# ---- usage errors ----------------------------------------------------------------
USAGE = [
    ("no domain", []),
    ("two domains", ["a.example", "b.example", "--mx", "mx.a.example"]),
    ("unknown sender", ["a.example", "--mx", "m.a.example", "--sender",
                        "nosuch"]),
    ("no-mail with mx", ["a.example", "--no-mail", "--mx", "m.a.example"]),
    ("no-mail with sender", ["a.example", "--no-mail", "--sender", "google"]),
    ("no-mail with out", ["a.example", "--no-mail", "--out", "x"]),
    ("bad ip", ["a.example", "--mx", "m.a.example", "--ip", "300.1.1.1"]),
    ("bad prefix", ["a.example", "--mx", "m.a.example", "--ip",
                    "192.0.2.0/33"]),
    ("bad selector", ["a.example", "--mx", "m.a.example", "--selector",
                      "a_b"]),
    ("long selector", ["a.example", "--mx", "m.a.example", "--selector",
                       "s" * 64]),
    ("bad algorithm", ["a.example", "--mx", "m.a.example", "--algorithm",
                       "dsa"]),
    ("small bits", ["a.example", "--mx", "m.a.example", "--bits", "512"]),
    ("rua injection", ["a.example", "--mx", "m.a.example", "--no-dkim",
                       "--rua", "mailto:a@b.example; p=reject"]),
    ("bad rua", ["a.example", "--mx", "m.a.example", "--no-dkim", "--rua",
                 "gopher://x"]),
    ("bad tlsrpt rua", ["a.example", "--mx", "m.a.example", "--no-dkim",
                        "--tlsrpt-rua", "ftp://x.example"]),
    ("ip literal domain", ["192.0.2.1", "--mx", "m.a.example"]),
    ("empty label", ["a..example", "--mx", "m.a.example"]),
    ("300-byte name", ["a" * 300 + ".example", "--mx", "m.a.example"]),
    ("bad mx", ["a.example", "--mx", "-bad-.example"]),
    ("newline in --out", ["a.example", "--mx", "m.a.example", "--out",
                          "k\nexample.com. TXT x"]),
    ("unknown option", ["a.example", "--frobnicate"]),
    ("missing value", ["a.example", "--mx"]),
]
for name, args in USAGE:
    p = setup(*args)
    case("usage: " + name, p.returncode == 2 and p.stderr.startswith(
        "vouch: ") and p.stdout == "", (p.returncode, p.stderr))
p = setup("a.example", "--mx", "m.a.example", *sum(
    [["--ip", "192.0.2.%d" % i] for i in range(33)], []))
case("usage: too many --ip", p.returncode == 2, p.stderr)
p = vouch("setup", "--help")
case("help", p.returncode == 0 and "--sender" in p.stdout and
     "--no-mail" in p.stdout)
p = vouch("--help")
case("listed in vouch --help", re.search(r"\n  setup ", p.stdout) is not None)

print("%d passed, %d failed" % (results.count(True), results.count(False)))
sys.exit(0 if all(results) else 1)
