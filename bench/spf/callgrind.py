#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Instructions per warm SPF evaluation, vouch and libspf2, under callgrind.

usage: callgrind.py OUT [PASSES]

Runs the two C drivers (built by run.sh) under valgrind --tool=callgrind,
collecting only inside timed_pass() (the warm passes, PASSES of them,
default 2), and prints instructions per evaluation for each, their ratio,
and vouch's top functions by instructions (self, then inclusive). Counts do
not depend on what else the machine is doing, unlike the timings of
report.py. The profiles stay in OUT/callgrind-{vouch,libspf2}.out for
callgrind_annotate.
"""
import os
import re
import subprocess
import sys

OUT = sys.argv[1]
PASSES = int(sys.argv[2]) if len(sys.argv) > 2 else 2
TOP = 10
with open(os.path.join(OUT, "spf-triples.tsv")) as f:
    ntriples = sum(1 for l in f if l.strip())
runs = {
    "vouch": [os.path.join(OUT, "vouch_bench"), os.path.join(OUT, "spf.zone")],
    "libspf2": [os.path.join(OUT, "libspf2_bench"),
                os.path.join(OUT, "spf-dns.tsv")],
}


def annotate(cg, inclusive):
    p = subprocess.run(["callgrind_annotate", "--inclusive=" + (
        "yes" if inclusive else "no"), cg], capture_output=True, text=True,
        check=True)
    rows = []
    for line in p.stdout.splitlines():
        m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(\S.*)$", line)
        if m and "PROGRAM TOTALS" not in line:
            fn = m.group(2).split(" [")[0]
            fn = fn.split(":", 1)[1] if ":" in fn else fn
            rows.append((int(m.group(1).replace(",", "")), fn))
    return rows


per_eval = {}
for name, cmd in runs.items():
    cg = os.path.join(OUT, "callgrind-%s.out" % name)
    p = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + cg,
         "--toggle-collect=timed_pass*"] + cmd + [
            os.path.join(OUT, "spf-triples.tsv"), "%dx" % PASSES],
        capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("%s under callgrind failed:\n%s" % (name, p.stderr))
    m = re.search(r"Collected : (\d+)", p.stderr)
    per_eval[name] = int(m.group(1)) / (PASSES * ntriples)

print("instructions per warm evaluation (callgrind, %d passes of %d "
      "triples):" % (PASSES, ntriples))
for name, n in per_eval.items():
    print("  %-8s %9.0f" % (name, n))
print("  libspf2 / vouch: %.1fx" % (per_eval["libspf2"] / per_eval["vouch"]))
total = per_eval["vouch"] * PASSES * ntriples
cg = os.path.join(OUT, "callgrind-vouch.out")
for title, inclusive in (("self", False), ("inclusive", True)):
    print("vouch, top %d functions by instructions (%s), per evaluation:" %
          (TOP, title))
    rows = [r for r in annotate(cg, inclusive)
            if not inclusive or r[0] < 0.9999 * total]
    for ir, fn in rows[:TOP]:
        print("  %6.0f %5.1f%%  %s" % (ir / (PASSES * ntriples),
                                       100.0 * ir / total, fn))
