#!/usr/bin/env bash
# bench/dkim/run.sh [SECONDS] - DKIM verify and sign messages per second per
# algorithm (rsa-sha256 2048, ed25519-sha256), vouch beside dkimpy,
# Mail::DKIM, mailauth and libopendkim on the same corpus, one core each
# (taskset -c 1), keys answered from memory for all; beside the limit
# (SHA-256 over the bytes + one public-key operation per message), both
# apart (openssl speed) and interleaved with vouch in one process (which
# the targets are judged on); and the peak RSS of the vouch CLI verifying
# a 50 MB message. Prints a table of figures, ratios and result tallies
# (which must agree). Run by hand; not a test. VOUCH_BUILD=DIR uses an
# existing vouch build instead of bench/out/build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$top/bench/out
d=$out/dkim
secs=${1:-3}
now=1767225600 # t= of the verify corpus (2026-01-01): fixed, in the past
cd "$top"
scripts/install-deps build bench
command -v npm >/dev/null 2>&1 || scripts/install-deps node
[ -d bench/node_modules/mailauth ] || (cd bench && npm ci --no-audit --no-fund >/dev/null)
mkdir -p "$d/keys" "$d/rsa" "$d/ed25519"

# vouch, release
build=${VOUCH_BUILD:-$out/build}
[ -f "$build/build.ninja" ] ||
    meson setup "$build" --buildtype=release -Db_ndebug=true >/dev/null
ninja -C "$build" >/dev/null
vouch=$build/src/cli/vouch
cc -O2 -Iinclude -o "$d/vouch_bench" bench/dkim/vouch_bench.c \
    "$build/src/lib/libvouch.a" -lunbound -levent -lcrypto -lpthread
cc -O2 -o "$d/opendkim_bench" bench/dkim/opendkim_bench.c -lopendkim
cc -O2 -o "$d/limit_bench" bench/dkim/limit_bench.c -lcrypto

# corpus, keys (made once, kept), the verify inputs signed by vouch
[ -f "$d/big.eml" ] || python3 bench/dkim/gen_corpus.py "$out" --big 50 >/dev/null
python3 bench/dkim/gen_corpus.py "$out" >/dev/null
k=$d/keys
[ -f "$k/rsa.private" ] || "$vouch" dkim keygen --domain bench.example \
    --selector rsa --out "$k/rsa" >/dev/null
[ -f "$k/ed.private" ] || "$vouch" dkim keygen --domain bench.example \
    --selector ed --algorithm ed25519-sha256 --out "$k/ed" >/dev/null
cat "$k/rsa.txt" "$k/ed.txt" >"$k/zone"
openssl pkey -in "$k/rsa.private" -traditional -out "$k/rsa.pkcs1.pem" # dkimpy
openssl pkey -in "$k/ed.private" -outform DER | tail -c 32 | base64 >"$k/ed.seed"
python3 - "$k" <<'PY'
import re, sys
k = sys.argv[1]
text = open(k + "/zone").read()
with open(k + "/records.tsv", "w") as tsv, open(k + "/records.qfile", "w") as qf:
    for m in re.finditer(r'(\S+?)\.?\s+IN\s+TXT\s+(\([^)]*\)|"[^"]*")', text):
        val = "".join(re.findall(r'"([^"]*)"', m.group(2)))
        tsv.write("%s\t%s\n" % (m.group(1), val))
        qf.write("%s %s\n" % (m.group(1), val))  # libopendkim's query file
PY
for f in "$d"/plain/*.eml; do
    b=$(basename "$f")
    "$vouch" dkim sign --domain bench.example --selector rsa --key "$k/rsa.private" \
        --now $now "$f" >"$d/rsa/$b"
    "$vouch" dkim sign --domain bench.example --selector ed --key "$k/ed.private" \
        --now $now "$f" >"$d/ed25519/$b"
done
"$vouch" dkim sign --domain bench.example --selector rsa --key "$k/rsa.private" \
    --now $now "$d/big.eml" >"$d/big-signed.eml"
# the h= vouch signs (with its oversigning), given to the peers that sign
python3 - "$d/rsa/000.eml" >"$k/headers" <<'PY'
import re, sys
h = open(sys.argv[1], "rb").read().split(b"\r\n\r\n")[0].decode()
h = re.sub(r"\r\n[ \t]", " ", h)  # unfold
sig = re.sub(r"\s", "", re.search(r"(?im)^DKIM-Signature:(.*)$", h).group(1))
print(re.search(r"(?:^|;)h=([^;]*)", sig).group(1))
PY
hdrs=$(cat "$k/headers")

run() { # ALG IMPL CMD... : the driver's JSON line, with alg and impl
    local alg=$1 impl=$2
    shift 2
    taskset -c 1 "$@" | python3 -c '
import json, sys
o = json.loads(sys.stdin.read().strip().splitlines()[-1])
o["alg"], o["impl"] = sys.argv[1], sys.argv[2]
print(json.dumps(o))' "$alg" "$impl"
}
v_dkimpy=$(dpkg-query -W -f='${Version}' python3-dkim | sed 's/-.*//')
v_mdkim=$(perl -MMail::DKIM -e 'print $Mail::DKIM::VERSION')
v_ma=$(node -p 'require("./bench/node_modules/mailauth/package.json").version')
v_odkim=$(dpkg-query -W -f='${Version}' libopendkim11 | sed 's/-.*//')
{
    for alg in rsa ed25519; do
        run $alg vouch "$d/vouch_bench" verify "$d/$alg" "$k/zone" "$secs"
        run $alg "libopendkim $v_odkim" "$d/opendkim_bench" verify "$d/$alg" \
            "$k/records.tsv" "$secs"
        run $alg "libopendkim $v_odkim (query file)" "$d/opendkim_bench" \
            verify "$d/$alg" "$k/records.qfile" "$secs" --query-file
        run $alg "dkimpy $v_dkimpy" /usr/bin/python3 bench/dkim/dkimpy_bench.py \
            verify "$d/$alg" "$k/records.tsv" "$secs"
        run $alg "Mail::DKIM $v_mdkim" perl bench/dkim/maildkim_bench.pl \
            verify "$d/$alg" "$k/records.tsv" "$secs"
        run $alg "mailauth $v_ma" node bench/dkim/mailauth_bench.mjs \
            verify "$d/$alg" "$k/records.tsv" "$secs"
    done
    for alg in rsa ed25519; do
        if [ $alg = rsa ]; then
            sel=rsa a=rsa-sha256 pem=$k/rsa.private py=$k/rsa.pkcs1.pem
        else
            sel=ed a=ed25519-sha256 pem=$k/ed.private py=$k/ed.seed
        fi
        run $alg vouch "$d/vouch_bench" sign "$d/plain" "$pem" $sel "$secs"
        run $alg "libopendkim $v_odkim" "$d/opendkim_bench" sign "$d/plain" \
            "$pem" $sel $a "$hdrs" "$secs"
        run $alg "dkimpy $v_dkimpy" /usr/bin/python3 bench/dkim/dkimpy_bench.py \
            sign "$d/plain" "$py" $sel $a "$hdrs" "$secs"
        # Mail::DKIM before 1.20230630 has no Ed25519
        [ $alg = ed25519 ] && ! perl -MMail::DKIM::Algorithm::ed25519_sha256 -e1 \
            2>/dev/null ||
            run $alg "Mail::DKIM $v_mdkim" perl bench/dkim/maildkim_bench.pl \
                sign "$d/plain" "$k/rsa.pkcs1.pem" $sel $a "$hdrs" "$secs"
        run $alg "mailauth $v_ma" node bench/dkim/mailauth_bench.mjs \
            sign "$d/plain" "$pem" $sel $a "$hdrs" "$secs"
    done
} >"$d/results.jsonl"

# the limit: SHA-256 over the same buffers (measured, the fastest pass) and
# one public-key operation per message (openssl speed)
{
    for dir in rsa ed25519 plain; do
        taskset -c 1 "$d/limit_bench" hash "$d/$dir" 2
    done
    taskset -c 1 "$d/limit_bench" pk "$k/rsa.private" "$k/ed.private" 1
} >"$d/limit.jsonl"
taskset -c 1 openssl speed -seconds 2 rsa2048 ed25519 2>/dev/null >"$d/speed.txt"

# the targets: vouch and the limit interleaved in one process, a few
# messages of each in turn (vouch_bench paired-*: the speed of a shared
# machine changes from one second to the next, and both must be measured
# on the same machine); DKIM_PAIRED_SECONDS (default 5) of vouch's time
# per column; the report judges the targets on the ratio of the two times
ps=${DKIM_PAIRED_SECONDS:-5}
{
    run rsa vouch "$d/vouch_bench" paired-verify "$d/rsa" "$k/zone" \
        "$k/rsa.private" "$ps"
    run ed25519 vouch "$d/vouch_bench" paired-verify "$d/ed25519" "$k/zone" \
        "$k/ed.private" "$ps"
    run rsa vouch "$d/vouch_bench" paired-sign "$d/plain" "$k/rsa.private" rsa "$ps"
    run ed25519 vouch "$d/vouch_bench" paired-sign "$d/plain" "$k/ed.private" ed "$ps"
} >"$d/paired.jsonl"
# vouch beside libopendkim on rsa-sha256 verify (the issue: about 6x), one
# second each in turn (who goes first alternates), DKIM_ROUNDS (default 7)
# times: judged on the median
for r in $(seq "${DKIM_ROUNDS:-7}"); do
    for who in $([ $((r % 2)) = 1 ] && echo "vouch odk" || echo "odk vouch"); do
        if [ "$who" = vouch ]; then
            run rsa vouch "$d/vouch_bench" verify "$d/rsa" "$k/zone" 1
        else
            run rsa libopendkim "$d/opendkim_bench" verify "$d/rsa" \
                "$k/records.tsv" 1
        fi
    done
done >"$d/opendkim_rounds.jsonl"

# peak memory: the CLI verifying the 50 MB message, from a file and stdin
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
{
    echo "file $(rss taskset -c 1 "$vouch" dkim verify --zone "$k/zone" "$d/big-signed.eml")"
    echo "stdin $(rss sh -c "taskset -c 1 '$vouch' dkim verify --zone '$k/zone' - <'$d/big-signed.eml'")"
    echo "pipe $(rss sh -c "cat '$d/big-signed.eml' | taskset -c 1 '$vouch' dkim verify --zone '$k/zone' -")"
    echo "result $("$vouch" dkim verify --zone "$k/zone" "$d/big-signed.eml" | grep -c '^  pass')"
    echo "size $(stat -c %s "$d/big-signed.eml")"
} >"$d/rss.txt"

python3 bench/dkim/report.py "$d"
echo "(load average at the end: $(cut -d" " -f1-3 /proc/loadavg); figures are per CPU-second of each process)"
