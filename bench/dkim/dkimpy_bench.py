#!/usr/bin/python3
"""bench/dkim/dkimpy_bench.py - DKIM messages/s through dkimpy, one thread.

  dkimpy_bench.py verify DIR RECORDS.tsv [SECONDS]
  dkimpy_bench.py sign DIR KEY SELECTOR ALG HEADERS [SECONDS]

Keys come from memory through dkim.verify's dnsfunc= hook (a dict of the
TXT records). sign: relaxed/relaxed, h= the list vouch signs (HEADERS,
colon-separated, with its oversigning), ALG rsa-sha256 or ed25519-sha256
(the key is then the base64 Ed25519 seed, dkimpy's format). Warm-up pass
(tallies), then whole passes until SECONDS. One line of JSON.
"""
import json
import os
import sys
import time

import dkim


def load(d):
    names = sorted(n for n in os.listdir(d) if n.endswith(".eml"))
    return [(n, open(os.path.join(d, n), "rb").read()) for n in names]


def main():
    op, d = sys.argv[1], sys.argv[2]
    msgs = load(d)
    if op == "verify":
        recs = {}
        for line in open(sys.argv[3]):
            name, val = line.rstrip("\n").split("\t", 1)
            recs[(name + ".").encode()] = val.encode()
            recs[name.encode()] = val.encode()
        seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 3.0

        def dnsfunc(name, timeout=5):
            return recs.get(name)

        def one(m):
            return dkim.verify(m, dnsfunc=dnsfunc)
    else:
        key = open(sys.argv[3], "rb").read()
        sel, alg = sys.argv[4].encode(), sys.argv[5].encode()
        hdrs = [h.encode() for h in sys.argv[6].split(":")]
        seconds = float(sys.argv[7]) if len(sys.argv) > 7 else 3.0

        def one(m):
            return dkim.sign(m, sel, b"bench.example", key,
                             canonicalize=(b"relaxed", b"relaxed"),
                             signature_algorithm=alg, include_headers=hdrs)
    tally, first_bad = {}, ""
    for name, m in msgs:
        try:
            r = one(m)
            k = ("pass" if r else "fail") if op == "verify" else \
                ("signed" if r else "error")
        except Exception as e:  # noqa: BLE001 - a finding, reported
            k = "error"
            r = e
        tally[k] = tally.get(k, 0) + 1
        if k not in ("pass", "signed") and not first_bad:
            first_bad = "%s: %s" % (name, k)
    done, t0 = 0, time.process_time()
    while True:
        for _, m in msgs:
            one(m)
        done += len(msgs)
        t = time.process_time() - t0
        if t >= seconds:
            break
    print(json.dumps({"impl": "dkimpy " + dkim.__version__ if hasattr(dkim, "__version__") else "dkimpy",
                      "op": op, "msgs_per_s": round(done / t, 1),
                      "messages": len(msgs), "tally": tally,
                      "first_bad": first_bad}))


if __name__ == "__main__":
    main()
