#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Synthetic domains for bench/check/run.sh: N mail domains in one zone
bench.test (deterministic), and the list of their names.

Each dN.bench.test has an MX (a shared host), an SPF record with mx, an
include (shared) and ip4 terms, and a DMARC record; a third of them have
p=none, a fifth lack DMARC, so grades and findings vary; reports go to
the domain itself (an external rua adds one query per domain: the
_report._dmarc authorisation). No DKIM (the
benchmark runs without selector discovery) and no HTTPS.

usage: gen_domains.py N ZONEFILE LISTFILE
"""
import sys

n, zone_path, list_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(zone_path, "w") as z, open(list_path, "w") as l:
    z.write("$TTL 3600\n$ORIGIN bench.test.\n")
    z.write("@ SOA ns hostmaster 1 7200 3600 1209600 300\n@ NS ns\n")
    z.write("ns A 127.0.0.1\nmx A 192.0.2.25\nmx AAAA 2001:db8::25\n")
    z.write("_spf TXT \"v=spf1 ip4:198.51.100.0/24 ip6:2001:db8:1::/48 "
            "~all\"\n")
    for i in range(n):
        d = "d%d" % i
        z.write("%s MX 10 mx.bench.test.\n" % d)
        z.write("%s TXT \"v=spf1 mx include:_spf.bench.test ip4:203.0.113.%d "
                "-all\"\n" % (d, i % 256))
        if i % 5 != 0:
            z.write("_dmarc.%s TXT \"v=DMARC1; p=%s; rua=mailto:r@%s.bench.test"
                    "\"\n" % (d, "none" if i % 3 == 0 else "reject", d))
        l.write("%s.bench.test\n" % d)
