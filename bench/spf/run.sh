#!/usr/bin/env bash
# bench/spf/run.sh [SECONDS] - SPF evaluations per second, vouch beside
# libspf2, pyspf and mailauth on the same workload, one core each
# (taskset -c 1), warm in-memory DNS for all. Prints a table of figures,
# ratios and result tallies (which must agree). Run by hand; not a test.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$top/bench/out
secs=${1:-3}
cd "$top"
scripts/install-deps build bench
command -v npm >/dev/null 2>&1 || scripts/install-deps node
[ -d bench/node_modules/mailauth ] || (cd bench && npm ci --no-audit --no-fund >/dev/null)
mkdir -p "$out"
python3 bench/spf/gen_workload.py "$out" >/dev/null
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
d = json.load(open(out + "/spf-dns.json"))
with open(out + "/spf-dns.tsv", "w") as f:
    for name, types in d.items():
        for t, vals in types.items():
            for v in vals:
                f.write("%s\t%s\t%s\n" % (name, t, v[1] if t == "MX" else v))
PY
[ -f "$out/build/build.ninja" ] ||
    meson setup "$out/build" --buildtype=release -Db_ndebug=true >/dev/null
ninja -C "$out/build" >/dev/null
cc -O2 -Iinclude -o "$out/vouch_bench" bench/spf/vouch_bench.c \
    "$out/build/src/lib/libvouch.a" -lunbound -lpthread
cc -O2 -o "$out/libspf2_bench" bench/spf/libspf2_bench.c -lspf2
# the CLI end to end: the 2,000 triples 25 times, JSON out
for _ in $(seq 25); do cat "$out/spf-triples.tsv"; done >"$out/spf-triples-50k.tsv"

run() { # NAME CMD... : one JSON line with peak RSS added
    python3 - "$@" <<'PY'
import json, resource, subprocess, sys
p = subprocess.run(["taskset", "-c", "1"] + sys.argv[2:], capture_output=True,
                   text=True, check=True)
o = json.loads(p.stdout.strip().splitlines()[-1])
o["max_rss_kib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps(o))
PY
}
{
    run vouch "$out/vouch_bench" "$out/spf.zone" "$out/spf-triples.tsv" "$secs"
    run libspf2 "$out/libspf2_bench" "$out/spf-dns.tsv" "$out/spf-triples.tsv" "$secs"
    run pyspf /usr/bin/python3 bench/spf/pyspf_bench.py "$out/spf-dns.json" "$out/spf-triples.tsv" "$secs"
    run mailauth node bench/spf/mailauth_bench.mjs "$out/spf-dns.json" "$out/spf-triples.tsv" "$secs"
    python3 - "$out" <<'PY'
import json, resource, subprocess, sys, time
out = sys.argv[1]
t0 = time.perf_counter()
p = subprocess.run(["taskset", "-c", "1", out + "/build/src/cli/vouch", "spf",
                    "--zone", out + "/spf.zone", "--batch",
                    out + "/spf-triples-50k.tsv"],
                   capture_output=True, text=True, check=True)
t = time.perf_counter() - t0
lines = p.stdout.splitlines()
tally = {}
for l in lines[:2000]:
    r = json.loads(l)["result"]
    tally[r] = tally.get(r, 0) + 1
print(json.dumps({"impl": "vouch spf --batch (CLI, JSON out, cold start)",
                  "evals_per_s": round(len(lines) / t), "tally": tally,
                  "max_rss_kib": resource.getrusage(
                      resource.RUSAGE_CHILDREN).ru_maxrss}))
PY
} >"$out/spf-results.jsonl"
python3 - "$out/spf-results.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
v = rows[0]["evals_per_s"]
clean = lambda t: {k: n for k, n in t.items() if n}
print("%-48s %12s %10s %9s  %s" % ("implementation", "evals/s", "vouch is",
                                   "RSS KiB", "results"))
for r in rows:
    peer = r is not rows[0] and not r["impl"].startswith("vouch")
    ratio = "%.1fx" % (v / r["evals_per_s"]) if peer else "-"
    print("%-48s %12d %10s %9d  %s" % (r["impl"], r["evals_per_s"], ratio,
                                       r["max_rss_kib"],
                                       json.dumps(clean(r["tally"]))))
tallies = {json.dumps(clean(r["tally"]), sort_keys=True) for r in rows}
print("results agree" if len(tallies) == 1 else "RESULTS DISAGREE")
PY
