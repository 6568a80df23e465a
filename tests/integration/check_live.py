#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`vouch check` over real DNS: NSD + validating unbound on loopback.

Writes two zones (dnssec.test, DNSSEC-signed; plain.test, not), starts
tests/fixtures/dns-fixture.sh on private ports, and checks through
libunbound (--resolver 127.0.0.1@PORT --trust-anchor DS-file):
  - a signed domain: every answer secure, checks.dnssec.state "secure",
    DANE usable (TLSA at _25._tcp.<mx> in a secure answer), no DNSSEC
    finding;
  - without the trust anchor the same domain is insecure;
  - an unsigned domain: insecure, the dnssec-unsigned finding, TLSA there
    reported as ignored (dane-insecure);
  - a name whose TXT was altered after signing: bogus, a critical
    dnssec-bogus finding, SPF not read from the bogus data;
  - bulk through libunbound (--jobs 8 and 64 with --no-fetch: lanes on
    libunbound's event API; --jobs 8 with fetches: a thread per domain)
    keeps input order and gives each domain its one-domain result.
Prints "N passed, N failed"; exit 77 (skip) when NSD/unbound are missing.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import fixture

VOUCH, SRC = sys.argv[1], sys.argv[2]
FIXTURE = os.path.join(SRC, "tests", "fixtures", "dns-fixture.sh")
AUTH_PORT, RES_PORT = "25353", "25354"
results = []
DIGEST = "0123456789abcdef" * 4

SIGNED = """$ORIGIN dnssec.test.
$TTL 300
@          IN SOA  ns1 hostmaster 2026112901 3600 600 86400 300
           IN NS   ns1
           IN MX   10 mx
           IN TXT  "v=spf1 mx -all"
ns1        IN A    127.0.0.1
mx         IN A    127.0.0.1
_25._tcp.mx IN TLSA 3 1 1 %s
_dmarc     IN TXT  "v=DMARC1; p=reject; rua=mailto:d@dnssec.test"
bad        IN MX   10 mx
           IN TXT  "v=spf1 BREAK-SIGNATURE -all"
""" % DIGEST

PLAIN = """$ORIGIN plain.test.
$TTL 300
@          IN SOA  ns1 hostmaster 2026112901 3600 600 86400 300
           IN NS   ns1
           IN MX   10 mx
           IN TXT  "v=spf1 mx -all"
ns1        IN A    127.0.0.1
mx         IN A    127.0.0.1
_25._tcp.mx IN TLSA 3 1 1 %s
_dmarc     IN TXT  "v=DMARC1; p=reject; rua=mailto:d@plain.test"
""" % DIGEST


def check(name, cond, detail=""):
    results.append(bool(cond))
    if not cond:
        print("FAIL %s %s" % (name, detail))


def vouch(args, stdin=None):
    p = subprocess.run([VOUCH, "check", "--no-discovery", *args],
                       input=stdin, capture_output=True, text=True,
                       timeout=120)
    return p


def one(args, domain):
    p = vouch(args + ["--jsonl", domain])
    if not p.stdout:
        raise RuntimeError("vouch failed: %s" % p.stderr)
    return json.loads(p.stdout)


def ids(o):
    return [f["id"] for f in o.get("findings", [])]


def verdict(o):
    """What a bulk result must share with the same domain checked alone."""
    return (o.get("grade"), o.get("score"),
            o.get("checks", {}).get("dnssec", {}).get("state"),
            sorted(ids(o)))


def run(fx):
    live = ["--resolver", "127.0.0.1@" + RES_PORT, "--dns-timeout", "3000"]
    anchored = live + ["--trust-anchor", fx["DNS_TRUST_ANCHORS"]]

    o = one(anchored, "dnssec.test")
    d = o["checks"]["dnssec"]
    check("signed: secure", d["state"] == "secure" and d["insecure"] == 0 and
          d["secure"] > 0, json.dumps(d))
    check("signed: dane", d["dane"] is True, json.dumps(d))
    check("signed: no dnssec finding", not [i for i in ids(o)
                                            if i.startswith(("dnssec",
                                                             "dane"))],
          str(ids(o)))
    check("signed: graded", o["grade"] == "A", o["grade"])
    check("signed: tlsa seen", o["checks"]["mx"]["hosts"][0]["tlsa"] ==
          {"records": 1, "malformed": 0, "dnssec": "secure"},
          json.dumps(o["checks"]["mx"]["hosts"]))

    o = one(live + ["--trust-anchor", "none"], "dnssec.test")
    check("no trust anchor: insecure",
          o["checks"]["dnssec"]["state"] == "insecure" and
          "dnssec-unsigned" in ids(o) and "dane-insecure" in ids(o),
          str(ids(o)))

    # without --trust-anchor, check validates from the root anchor of
    # dns-root-data: the fixture's zones hang off no real root and its
    # resolver reaches no root server, so validation fails (bogus), where
    # "--trust-anchor none" above said insecure
    if os.path.exists("/usr/share/dns/root.key"):
        o = one(live, "dnssec.test")
        check("root anchor by default: validated (bogus here)",
              o["checks"]["dnssec"]["state"] == "bogus" and
              "dnssec-bogus" in ids(o),
              json.dumps(o.get("checks", {}).get("dnssec")))

    o = one(anchored, "plain.test")
    check("unsigned: insecure", o["checks"]["dnssec"]["state"] ==
          "insecure" and "dnssec-unsigned" in ids(o), str(ids(o)))
    check("unsigned: dane ignored", "dane-insecure" in ids(o) and
          o["checks"]["dnssec"]["dane"] is False)

    o = one(anchored, "bad.dnssec.test")
    check("bogus: state", o["checks"]["dnssec"]["state"] == "bogus",
          json.dumps(o["checks"]["dnssec"]))
    check("bogus: critical finding", "dnssec-bogus" in ids(o), str(ids(o)))
    check("bogus: spf not read", o["checks"]["spf"]["record"] is None and
          "spf-dns-error" in ids(o), str(ids(o)))
    check("bogus: grade F", o["grade"] == "F", o["grade"])

    # bulk runs its domains in lanes on libunbound's event API: each
    # result (DNSSEC state, grade, findings) is the one-domain result
    distinct = ["dnssec.test", "plain.test", "bad.dnssec.test",
                "nx.plain.test"]
    alone = {n: verdict(one(anchored, n)) for n in distinct}
    names = distinct * 10
    # with --no-fetch in lanes, without it on a thread per domain
    for jobs, fetch in (("8", ["--no-fetch"]), ("64", ["--no-fetch"]),
                        ("8", [])):
        p = vouch(anchored + fetch + ["--jsonl", "--jobs", jobs, "--from", "-"],
                  stdin="\n".join(names) + "\n")
        got = [json.loads(l) for l in p.stdout.splitlines()]
        check("bulk --jobs %s: input order" % jobs,
              [o["domain"] for o in got] == names,
              str([o["domain"] for o in got][:8]))
        wrong = [o["domain"] for o in got if verdict(o) != alone[o["domain"]]]
        check("bulk --jobs %s: results as one by one" % jobs, not wrong,
              str(wrong[:4]))


def main():
    rc = fixture.missing(("nsd", "unbound", "ldns-signzone", "dig"),
                         "scripts/install-deps test")
    if rc is not None:
        return rc
    zones = tempfile.mkdtemp(prefix="vouch-check-zones-")
    with open(os.path.join(zones, "dnssec.test.zone"), "w") as f:
        f.write(SIGNED)
    with open(os.path.join(zones, "plain.test.zone"), "w") as f:
        f.write(PLAIN)
    state = tempfile.mkdtemp(prefix="vouch-check-state-")
    env = dict(os.environ, FIXTURE_STATE_DIR=state, DNS_AUTH_PORT=AUTH_PORT,
               DNS_RESOLVER_PORT=RES_PORT)
    try:
        with fixture.running(FIXTURE, ["--sign", "dnssec.test", zones],
                             env) as fx:
            run(fx)
    except fixture.NotStarted as e:
        return fixture.not_started(e)
    finally:
        shutil.rmtree(state, ignore_errors=True)
        shutil.rmtree(zones, ignore_errors=True)
    return fixture.summary(results)


if __name__ == "__main__":
    sys.exit(main())
