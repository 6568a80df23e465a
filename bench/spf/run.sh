#!/usr/bin/env bash
# bench/spf/run.sh [SECONDS [ROUNDS]]
# bench/spf/run.sh --callgrind [PASSES]
#
# SPF evaluations per second: vouch beside libspf2, pyspf and mailauth on
# the same workload, warm in-memory DNS for all, each pinned to one core
# (taskset -c 1). Prints a table of figures, ratios, peak RSS and verdict
# tallies, and checks that every implementation reaches the same verdict on
# every triple. SECONDS: timed length of each run (default 3); ROUNDS: runs
# of each implementation, interleaved, the best kept (default 3).
#
# --callgrind: instead of timing, instructions per warm evaluation of vouch
# and libspf2 under callgrind (whatever the machine's load) and vouch's top
# functions; PASSES warm passes are counted (default 2).
#
# VOUCH_BUILD=DIR uses an existing vouch build instead of bench/out/build.
# Run by hand; not a test. Exit status 3 when the verdicts disagree.
set -euo pipefail
mode=timing
if [ "${1:-}" = --callgrind ]; then
    mode=callgrind
    shift
fi
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$top/bench/out
secs=${1:-3}
rounds=${2:-3}
build=${VOUCH_BUILD:-$out/build}
cd "$top"

# peers (benchmark peers only, never dependencies of vouch)
scripts/install-deps build bench
command -v npm >/dev/null 2>&1 || scripts/install-deps node
[ -d bench/node_modules/mailauth ] ||
    (cd bench && npm ci --no-audit --no-fund >/dev/null)

mkdir -p "$out"
/usr/bin/python3 bench/spf/gen_workload.py "$out" >/dev/null

[ -f "$build/build.ninja" ] ||
    meson setup "$build" --buildtype=release -Db_ndebug=true >/dev/null
ninja -C "$build" src/lib/libvouch.a src/cli/vouch >/dev/null
read -ra libs <<<"$(pkg-config --libs libunbound libcrypto)"
cc -O2 -Wall -Wextra -Iinclude -o "$out/vouch_bench" bench/spf/vouch_bench.c \
    "$build/src/lib/libvouch.a" "${libs[@]}" -lpthread
cc -O2 -Wall -Wextra -o "$out/libspf2_bench" bench/spf/libspf2_bench.c -lspf2

if [ "$mode" = callgrind ]; then
    exec /usr/bin/python3 bench/spf/callgrind.py "$out" "${1:-2}"
fi
exec /usr/bin/python3 bench/spf/report.py "$out" "$build" "$secs" "$rounds"
