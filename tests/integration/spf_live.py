#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""SPF over real DNS: NSD + validating unbound on loopback.

Starts tests/fixtures/dns-fixture.sh with tests/fixtures/zones (signed.test
DNSSEC-signed, unsigned.test and 127.in-addr.arpa not) on private ports,
then evaluates the same cases twice with `vouch spf --batch`:
  - through libunbound (--resolver 127.0.0.1@PORT --trust-anchor DS-file),
  - through the zone backend on the same zone files (--zone ...),
and checks that
  - both backends give the same result, mechanism, explanation and counts;
  - answers used only from signed.test are `secure`, anything touching an
    unsigned zone `insecure`;
  - the record broken after signing is DNSSEC-bogus: temperror, `bogus`;
  - a resolver that does not answer gives temperror within the timeout.
Prints "N passed, N failed"; exit 77 (skip) when NSD/unbound are missing.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import fixture

VOUCH, SRC = sys.argv[1], sys.argv[2]
FIXTURE = os.path.join(SRC, "tests", "fixtures", "dns-fixture.sh")
ZONES = os.path.join(SRC, "tests", "fixtures", "zones")
AUTH_PORT, RES_PORT = "15353", "15354"

# (ip, mail-from, helo, expected result, expected dnssec)
CASES = [
    ("127.0.0.1", "a@signed.test", "mx.signed.test", "pass", "secure"),
    ("::1", "a@signed.test", "mx.signed.test", "pass", "secure"),
    ("127.0.0.2", "a@signed.test", "relay.signed.test", "pass", "secure"),
    ("127.0.1.5", "a@signed.test", "out.signed.test", "pass", "secure"),
    ("2001:db8:1::5", "a@signed.test", "out.signed.test", "pass", "secure"),
    ("127.0.0.99", "a@signed.test", "x.example", "fail", "secure"),
    ("127.0.0.3", "a@multi.signed.test", "x.example", "pass", "secure"),
    ("127.0.0.1", "a@twospf.signed.test", "x.example", "permerror", "secure"),
    ("127.0.0.1", "a@ptr.signed.test", "x.example", "pass", "insecure"),
    ("127.0.0.3", "a@ptr.signed.test", "x.example", "fail", "insecure"),
    ("127.0.0.1", "a@pmacro.signed.test", "x.example", "fail", "insecure"),
    ("127.0.0.1", "a@exists.signed.test", "x.example", "pass", "secure"),
    ("127.0.0.5", "a@exists.signed.test", "x.example", "fail", "secure"),
    ("127.0.0.1", "a@voids.signed.test", "x.example", "permerror", "secure"),
    ("127.0.0.9", "a@alias.signed.test", "x.example", "pass", "secure"),
    ("127.0.1.1", "a@redirect.signed.test", "x.example", "pass", "secure"),
    ("127.0.0.1", "alice@users.signed.test", "x.example", "pass", "secure"),
    ("127.0.0.1", "bob@users.signed.test", "x.example", "fail", "secure"),
    ("127.0.0.1", "a@loop.signed.test", "x.example", "permerror", "secure"),
    ("127.0.0.1", "a@nothing.signed.test", "x.example", "none", "secure"),
    ("127.0.0.1", "a@unsigned.test", "x.example", "pass", "insecure"),
    ("127.0.0.7", "a@unsigned.test", "x.example", "softfail", "insecure"),
    ("127.0.0.1", "", "helo.unsigned.test", "pass", "insecure"),
    ("::1", "a@ip6only.unsigned.test", "x.example", "pass", "insecure"),
]
COMPARED = ("result", "mechanism", "explanation", "lookups", "void_lookups",
            "domain", "identity")

results = []


def check(name, cond, detail=""):
    results.append(bool(cond))
    if not cond:
        print("FAIL %s %s" % (name, detail))


def batch(args, cases):
    text = "".join("%s\t%s\t%s\n" % c[:3] for c in cases)
    p = subprocess.run([VOUCH, "spf", "--batch", "-", "--now", "1700000000",
                        *args], input=text, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("vouch failed: %s" % p.stderr)
    return [json.loads(l) for l in p.stdout.splitlines()]


def main():
    rc = fixture.missing(("nsd", "unbound", "ldns-signzone", "dig"),
                         "scripts/install-deps test")
    if rc is not None:
        return rc
    state = tempfile.mkdtemp(prefix="vouch-fixture-state-")
    env = dict(os.environ, FIXTURE_STATE_DIR=state, DNS_AUTH_PORT=AUTH_PORT,
               DNS_RESOLVER_PORT=RES_PORT)
    try:
        with fixture.running(FIXTURE, ["--sign", "signed.test", ZONES],
                             env) as fx:
            run(fx)
    except fixture.NotStarted as e:
        return fixture.not_started(e)
    finally:
        shutil.rmtree(state, ignore_errors=True)
    return fixture.summary(results)



def run(fx):
    live = ["--resolver", "127.0.0.1@" + RES_PORT, "--trust-anchor",
            fx["DNS_TRUST_ANCHORS"], "--dns-timeout", "3000"]
    zones = []
    for f in sorted(os.listdir(ZONES)):
        zones += ["--zone", os.path.join(ZONES, f)]
    got_live = batch(live, CASES)
    got_zone = batch(zones, CASES)
    for c, l, z in zip(CASES, got_live, got_zone):
        name = "%s %s" % (c[0], c[1] or "helo:" + c[2])
        check(name + " result", l["result"] == c[3],
              "want %s, got %s (%s)" % (c[3], l["result"], l["reason"]))
        check(name + " dnssec", l["dnssec"] == c[4],
              "want %s, got %s" % (c[4], l["dnssec"]))
        diff = {k: (l.get(k), z.get(k)) for k in COMPARED
                if l.get(k) != z.get(k)}
        check(name + " same as zone backend", not diff, repr(diff))
        check(name + " zone backend insecure", z["dnssec"] == "insecure")
    # the explanation really came from DNS, macros expanded
    fail = got_live[5]
    check("exp text", fail["explanation"] ==
          "127.0.0.99 is not one of signed.test's senders (127.0.0.99)",
          repr(fail["explanation"]))
    check("%{p} validated", got_live[10]["explanation"] == "from mx.signed.test",
          repr(got_live[10]["explanation"]))
    # bogus: the validator rejects the data; SPF must not see it
    bogus = batch(live, [("127.0.0.1", "a@bogus.signed.test", "x")])[0]
    check("bogus is temperror", bogus["result"] == "temperror", repr(bogus))
    check("bogus dnssec", bogus["dnssec"] == "bogus", repr(bogus))
    check("bogus reason", "validation failure" in bogus["reason"] or
          "bogus" in bogus["reason"].lower(), bogus["reason"])
    # without the trust anchor nothing is secure (and bogus data passes as
    # insecure, which is why the anchor matters)
    plain = batch(["--resolver", "127.0.0.1@" + RES_PORT],
                  [("127.0.0.1", "a@signed.test", "x")])[0]
    check("no trust anchor: insecure", plain["dnssec"] == "insecure" and
          plain["result"] == "pass", repr(plain))
    # a resolver that never answers: temperror within the timeout
    t0 = time.monotonic()
    dead = batch(["--resolver", "127.0.0.1@9", "--dns-timeout", "700"],
                 [("127.0.0.1", "a@signed.test", "x")])[0]
    took = time.monotonic() - t0
    check("dead resolver is temperror", dead["result"] == "temperror",
          repr(dead))
    check("dead resolver bounded", took < 5, "took %.1f s" % took)


if __name__ == "__main__":
    sys.exit(main())
