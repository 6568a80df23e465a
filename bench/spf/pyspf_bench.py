#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The SPF workload through pyspf (python3-spf), a benchmark peer only.

DNS comes from the workload's JSON map through spf.DNSLookup, the hook
pyspf's own test driver replaces: every query is answered from memory, like
a warm cache. Each evaluation is spf.check2(i=, s=, h=), a fresh query
object (pyspf keeps its per-query cache only for one evaluation).

usage: pyspf_bench.py DNS.json TRIPLES [SECONDS [RESULTS]]

Evaluates every triple once (warm-up; the tally comes from this pass), then
again and again until SECONDS (default 3) of CPU time have been used.
Prints one line of JSON; RESULTS, if given, gets one line per triple of the
first pass: result<TAB>explanation.
"""
import ipaddress
import json
import sys
import time

import spf

if not 3 <= len(sys.argv) <= 5:
    sys.exit("usage: pyspf_bench.py DNS.json TRIPLES [SECONDS [RESULTS]]")
with open(sys.argv[1]) as f:
    dns = {k.lower(): v for k, v in json.load(f).items()}
seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 3.0


def lookup(name, qtype, strict=True, timeout=None, level=0):
    """Answer like spf.DNSLookup_pydns: [((name, type), data), ...]."""
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
with open(sys.argv[2]) as f:
    triples = [l.rstrip("\r\n").split("\t") for l in f if l.strip()]
tally = {}
rows = []
for ip, sender, helo in triples:
    r, expl = spf.check2(i=ip, s=sender, h=helo)
    tally[r] = tally.get(r, 0) + 1
    rows.append("%s\t%s\n" % (r, expl.replace("\t", " ").replace("\n", " ")))
if len(sys.argv) > 4:
    with open(sys.argv[4], "w") as f:
        f.writelines(rows)
# timed on the process's CPU time (waiting for the CPU does not count),
# wall time reported beside it
evals, t0, w0 = 0, time.process_time(), time.perf_counter()
while True:
    for ip, sender, helo in triples:
        spf.check2(i=ip, s=sender, h=helo)
    evals += len(triples)
    t = time.process_time() - t0
    if t >= seconds:
        break
w = time.perf_counter() - w0
print(json.dumps({"impl": "pyspf", "evals_per_s": round(evals / t),
                  "evals_per_wall_s": round(evals / w), "evals": evals,
                  "cpu_seconds": round(t, 3), "wall_seconds": round(w, 3),
                  "tally": tally}))
