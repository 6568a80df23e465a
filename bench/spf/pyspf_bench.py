#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The SPF workload through pyspf (python3-spf), a benchmark peer only.

DNS comes from the workload's JSON map through spf.DNSLookup (the hook
pyspf's own test driver uses): an in-memory answer, like a warm cache.
usage: pyspf_bench.py DNS.json TRIPLES [SECONDS]
"""
import ipaddress
import json
import sys
import time

import spf

dns = {k.lower(): v for k, v in json.load(open(sys.argv[1])).items()}
seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 3.0


def lookup(name, qtype, strict=True, timeout=None, level=0):
    node = dns.get(name.lower().rstrip("."), {})
    out = []
    for v in node.get(qtype, []):
        if qtype == "TXT":
            v = (v.encode(),)
        elif qtype == "MX":
            v = (v[0], v[1])
        elif qtype == "AAAA":
            v = ipaddress.ip_address(v).packed
        out.append(((name, qtype), v))
    return out


spf.DNSLookup = lookup
triples = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
tally = {}
for ip, sender, helo in triples:
    r = spf.check2(i=ip, s=sender, h=helo)[0]
    tally[r] = tally.get(r, 0) + 1
evals, t0 = 0, time.perf_counter()
while True:
    for ip, sender, helo in triples:
        spf.check2(i=ip, s=sender, h=helo)
    evals += len(triples)
    t = time.perf_counter() - t0
    if t >= seconds:
        break
print(json.dumps({"impl": "pyspf", "evals_per_s": round(evals / t),
                  "tally": tally}))
