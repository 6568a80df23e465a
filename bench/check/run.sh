#!/usr/bin/env bash
# bench/check/run.sh [N [JOBS]]   (JOBS default 32)
#
# Domains audited per second by `vouch check --from - --jobs JOBS --jsonl`
# against the loopback DNS fixture (NSD + unbound, tests/fixtures), through
# libunbound as in production, without HTTPS fetches or DKIM selector
# discovery. N synthetic domains (default 5000) in one zone
# (gen_domains.py); two passes: the first with every cache cold, the
# second with the fixture's unbound warm (vouch itself starts cold each
# time); then, for comparison, vouch alone on the same zone file through
# the zone backend. Prints domains/s and vouch's CPU per domain of each
# pass and checks every line is a graded result.
#
# VOUCH_BUILD=DIR uses an existing vouch build instead of bench/out/build.
# Run by hand; not a test. Packages: nsd unbound ldnsutils bind9-dnsutils.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$top/bench/out/check
n=${1:-5000}
jobs=${2:-32}
build=${VOUCH_BUILD:-$top/bench/out/build}
cd "$top"

if [ ! -x "$build/src/cli/vouch" ]; then
    meson setup "$build" --buildtype=release -Db_ndebug=true >/dev/null
fi
ninja -C "$build" -j2 src/cli/vouch >/dev/null

export FIXTURE_STATE_DIR=$top/bench/out/check-state
fixture=$top/tests/fixtures/dns-fixture.sh
bash "$fixture" stop >/dev/null 2>&1 || true
rm -rf "$out"
mkdir -p "$out/zones"
/usr/bin/python3 "$here/gen_domains.py" "$n" "$out/zones/bench.test.zone" \
    "$out/domains.txt"

export DNS_AUTH_PORT=${DNS_AUTH_PORT:-55353}
export DNS_RESOLVER_PORT=${DNS_RESOLVER_PORT:-55354}
eval "$(bash "$fixture" start "$out/zones")"
trap 'bash "$fixture" stop >/dev/null 2>&1 || true' EXIT

# CPU seconds used so far by the fixture's servers (NSD and unbound, all
# their processes)
server_cpu() {
    local pids p total=0 hz
    hz=$(getconf CLK_TCK)
    pids="$(cat "$DNS_FIXTURE_DIR/unbound.pid") $(pgrep -f "nsd -c $DNS_FIXTURE_DIR/" || true)"
    for p in $pids; do
        [ -r "/proc/$p/stat" ] || continue
        total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
    done
    echo "scale=3; $total / $hz" | bc
}

run_pass() {
    local name=$1 t0 t1 s0 s1
    shift
    s0=$(server_cpu)
    t0=$(date +%s.%N)
    /usr/bin/time -f "%U %S" -o "$out/$name.cpu" \
        "$build/src/cli/vouch" check --from "$out/domains.txt" --jobs "$jobs" \
        --jsonl --no-discovery --no-fetch "$@" >"$out/$name.jsonl" || true
    t1=$(date +%s.%N)
    s1=$(server_cpu)
    /usr/bin/python3 - "$out/$name.jsonl" "$n" "$t0" "$t1" "$name" "$jobs" \
        "$out/$name.cpu" "$s0" "$s1" <<'PY'
import json, sys
path, n, t0, t1, name, jobs, cpu, s0, s1 = sys.argv[1:]
servers = (float(s1) - float(s0)) * 1000 / int(n)
user, system = (float(x) for x in open(cpu).read().split()[-2:])
n, secs = int(n), float(t1) - float(t0)
lines = [json.loads(l) for l in open(path)]
graded = sum(1 for o in lines if "grade" in o)
timeouts = sum(1 for o in lines for f in o.get("findings", [])
               if f["id"].endswith("dns-error"))
grades = {}
for o in lines:
    grades[o.get("grade", "error")] = grades.get(o.get("grade", "error"), 0) + 1
print("%-5s %6d domains, --jobs %s: %6.2f s  %8.0f domains/s  "
      "CPU/domain: vouch %.2f ms, NSD+unbound %.2f ms  (graded %d, "
      "DNS-error findings %d, grades %s)"
      % (name, n, jobs, secs, n / secs, (user + system) * 1000 / n, servers,
         graded,
         timeouts, " ".join("%s=%d" % kv for kv in sorted(grades.items()))))
if len(lines) != n or graded != n:
    sys.exit("FAIL: %d lines, %d graded" % (len(lines), graded))
PY
}

# no DNSSEC validation: the fixture's zones hang off no real root (check
# would otherwise validate from dns-root-data's root anchor)
live=(--resolver "127.0.0.1@$DNS_RESOLVER_PORT" --dns-timeout 5000
    --trust-anchor none)
run_pass cold "${live[@]}"
run_pass warm "${live[@]}"
# vouch alone: the same zone through the zone backend, no DNS servers
run_pass zone --zone "$out/zones/bench.test.zone"
