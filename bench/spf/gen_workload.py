#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Generate the SPF benchmark workload (deterministic).

100 sender domains dN.example, each with an include chain three deep
(dN -> _s1 -> _s2 -> _s3) mixing ip4, ip6, a and mx terms and ending in
~all, plus 2,000 (ip, mail-from, helo) triples from IPv4 and IPv6 clients:
about 85% pass, at every depth of the chain; the rest fail, softfail or are
neutral. An include only passes on a match (RFC 7208 §5.2), so a verdict
other than pass is always decided by a term of the top record: fail by a
"-ip4"/"-ip6" term before the chain (nothing below the top is read), neutral
by a "?ip4"/"?ip6" term after it and softfail by "~all" (both after the
whole chain, three levels deep, was walked without a match).

Writes to OUTDIR (default bench/out):
  spf.zone          master file for vouch (--zone)
  spf-dns.json      the same data as {name: {type: [values]}} for the peers
                    (an MX value is [preference, exchange])
  spf-dns.tsv       the same again as name<TAB>TYPE<TAB>value lines, for the
                    libspf2 driver (an MX value is the exchange only)
  spf-triples.tsv   ip<TAB>mail-from<TAB>helo
"""
import json
import os
import random
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "out")
os.makedirs(out, exist_ok=True)
rnd = random.Random(7208)
dns = {}


def add(name, rtype, value):
    dns.setdefault(name, {}).setdefault(rtype, []).append(value)


passing = []  # (domain, ip) pairs that pass
for n in range(100):
    d = "d%d.example" % n
    a, b = n // 250 + 10, n % 250
    # top record: a denied block, ip4 block, own mail host (a), the include
    # chain, then a block left neutral
    add(d, "TXT", "v=spf1 -ip4:10.%d.%d.64/27 -ip6:2001:db8:%x:dead::/64 "
        "ip4:10.%d.%d.0/26 a:mail.%s include:_s1.%s ?ip4:198.51.100.%d "
        "?ip6:2001:db8:%x:beef::/64 ~all" % (a, b, n, a, b, d, d, n, n))
    add("mail." + d, "A", "10.%d.%d.100" % (a, b))
    add("mail." + d, "AAAA", "2001:db8:%x::25" % n)
    add(d, "MX", (10, "mx1." + d))
    add(d, "MX", (20, "mx2." + d))
    add("mx1." + d, "A", "10.%d.%d.110" % (a, b))
    add("mx2." + d, "A", "10.%d.%d.111" % (a, b))
    add("mx1." + d, "AAAA", "2001:db8:%x::110" % n)
    add("mx2." + d, "AAAA", "2001:db8:%x::111" % n)
    # depth 1: mx, ip6, next include
    add("_s1." + d, "TXT", "v=spf1 mx:%s ip6:2001:db8:%x:1::/64 "
        "include:_s2.%s ~all" % (d, n, d))
    # depth 2: ip4, a, next include
    add("_s2." + d, "TXT", "v=spf1 ip4:172.16.%d.0/24 a:out.%s "
        "include:_s3.%s ~all" % (n, d, d))
    add("out." + d, "A", "172.17.%d.5" % n)
    add("out." + d, "A", "172.17.%d.6" % n)
    add("out." + d, "AAAA", "2001:db8:%x:2::5" % n)
    # depth 3: ip4, ip6, mx of a provider-like name
    add("_s3." + d, "TXT", "v=spf1 ip4:192.168.%d.0/25 ip6:2001:db8:%x:3::/64 "
        "mx:relay.%s ~all" % (n, n, d))
    add("relay." + d, "MX", (5, "smtp.relay." + d))
    add("smtp.relay." + d, "A", "198.18.%d.9" % n)
    # every host has both families: implementations count void lookups of
    # MX hosts differently (RFC 7208 §4.6.4 speaks of "terms"), and the
    # benchmark compares speed on work all of them do alike
    add("smtp.relay." + d, "AAAA", "2001:db8:%x:4::9" % n)
    passing += [(d, "10.%d.%d.%d" % (a, b, rnd.randrange(1, 60))),
                (d, "10.%d.%d.100" % (a, b)),
                (d, "2001:db8:%x::25" % n),
                (d, "10.%d.%d.111" % (a, b)),
                (d, "2001:db8:%x::110" % n),
                (d, "2001:db8:%x:1::%x" % (n, rnd.randrange(1, 9999))),
                (d, "172.16.%d.%d" % (n, rnd.randrange(1, 250))),
                (d, "172.17.%d.6" % n),
                (d, "2001:db8:%x:2::5" % n),
                (d, "192.168.%d.%d" % (n, rnd.randrange(1, 120))),
                (d, "2001:db8:%x:3::%x" % (n, rnd.randrange(1, 999))),
                (d, "198.18.%d.9" % n),
                (d, "2001:db8:%x:4::9" % n)]

triples = []
for i in range(2000):
    if rnd.random() < 0.85:
        d, ip = rnd.choice(passing)
    else:
        n = rnd.randrange(100)
        d = "d%d.example" % n
        a, b = n // 250 + 10, n % 250
        ip = rnd.choice([
            # fail at the top, before the chain
            "10.%d.%d.%d" % (a, b, rnd.randrange(64, 96)),
            "2001:db8:%x:dead::%x" % (n, rnd.randrange(1, 9999)),
            # neutral, after the whole chain
            "198.51.100.%d" % n,
            "2001:db8:%x:beef::%x" % (n, rnd.randrange(1, 9999)),
            # softfail: nothing matches
            "203.0.113.%d" % rnd.randrange(1, 250),
            "2001:db8:ffff::%x" % rnd.randrange(1, 9999)])
    triples.append((ip, "user%d@%s" % (rnd.randrange(1000), d), "mail." + d))

with open(os.path.join(out, "spf-dns.json"), "w") as f:
    json.dump(dns, f, indent=0, sort_keys=True)
with open(os.path.join(out, "spf-dns.tsv"), "w") as f:
    for name in sorted(dns):
        for rtype, values in sorted(dns[name].items()):
            for v in values:
                f.write("%s\t%s\t%s\n" % (name, rtype,
                                          v[1] if rtype == "MX" else v))
with open(os.path.join(out, "spf-triples.tsv"), "w") as f:
    for t in triples:
        f.write("\t".join(t) + "\n")
with open(os.path.join(out, "spf.zone"), "w") as f:
    f.write("; generated by bench/spf/gen_workload.py\n$TTL 86400\n")
    for name in sorted(dns):
        for rtype, values in sorted(dns[name].items()):
            for v in values:
                if rtype == "TXT":
                    f.write('%s. IN TXT "%s"\n' % (name, v))
                elif rtype == "MX":
                    f.write("%s. IN MX %d %s.\n" % (name, v[0], v[1]))
                else:
                    f.write("%s. IN %s %s\n" % (name, rtype, v))
print("%d names, %d triples in %s" % (len(dns), len(triples), out))
