#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""dkimpy (python3-dkim) as a DKIM interop peer of vouch.

Reads one JSON request on stdin:
  {"dns_port": N, "jobs": [JOB, ...]}
  sign:   {"op": "sign", "in": FILE, "alg": "rsa-sha256"|"ed25519-sha256",
           "canon": "relaxed/relaxed", "domain": D, "selector": S,
           "key_pem": PEM (RSA), "ed25519_seed": FILE (base64 of the raw
           32-byte seed: dkimpy's Ed25519 key format)}
  verify: {"op": "verify", "in": FILE}
prints one JSON array, one object per job:
  sign:   {"ok": true, "header": "DKIM-Signature: ...\\r\\n"} | {"ok": false, "error": T}
  verify: {"result": "pass"|"fail"|"error", "detail": TEXT}
dkimpy works on the bytes it is given; keys come from 127.0.0.1:dns_port
through dnspython (dkimpy's dnsfunc hook), never the system resolver.
"""
import json
import logging
import sys

import dkim
import dns.exception
import dns.rdatatype
import dns.resolver


def make_dnsfunc(port):
    res = dns.resolver.Resolver(configure=False)
    res.nameservers = ["127.0.0.1"]
    res.port = port
    res.lifetime = 5

    def get_txt(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode("ascii")
        try:
            a = res.resolve(name, dns.rdatatype.TXT, raise_on_no_answer=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoNameservers):
            return None
        except dns.exception.Timeout as e:
            raise dkim.DnsTimeoutError(str(e))
        for rrset in a.response.answer:
            if rrset.rdtype == dns.rdatatype.TXT:
                return b"".join(list(rrset.items)[0].strings)
        return None

    return get_txt


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def sign(job):
    with open(job["in"], "rb") as f:
        msg = f.read()
    canon = tuple(c.encode() for c in job["canon"].split("/"))
    if job["alg"] == "ed25519-sha256":
        with open(job["ed25519_seed"], "rb") as f:
            key = f.read().strip()
    else:
        with open(job["key_pem"], "rb") as f:
            key = f.read()
    h = dkim.sign(msg, job["selector"].encode(), job["domain"].encode(), key,
                  canonicalize=canon, signature_algorithm=job["alg"].encode())
    if not h:
        return {"ok": False, "error": "dkim.sign returned nothing"}
    return {"ok": True, "header": h.decode("ascii")}


def verify(job, dnsfunc):
    with open(job["in"], "rb") as f:
        msg = f.read()
    log = logging.getLogger("dkimpy-peer")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    cap = Capture()
    log.addHandler(cap)
    try:
        d = dkim.DKIM(msg, logger=log)
        ok = d.verify(dnsfunc=dnsfunc)
        detail = "; ".join(l for l in cap.lines if not l.startswith("sig:"))
        return {"result": "pass" if ok else "fail", "detail": detail[-300:]}
    except dkim.DKIMException as e:
        return {"result": "fail", "detail": "%s: %s" % (type(e).__name__, e)}
    finally:
        log.removeHandler(cap)


def main():
    req = json.load(sys.stdin)
    dnsfunc = make_dnsfunc(int(req["dns_port"]))
    out = []
    for job in req["jobs"]:
        try:
            out.append(sign(job) if job["op"] == "sign" else verify(job, dnsfunc))
        except Exception as e:  # a peer crash is a result, not a harness error
            key = "error" if job["op"] == "sign" else "detail"
            r = {"ok": False} if job["op"] == "sign" else {"result": "error"}
            r[key] = "%s: %s" % (type(e).__name__, e)
            out.append(r)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
