#!/usr/bin/env python3
"""bench/dkim/report.py OUT/dkim - the table of bench/dkim/run.sh, from
results.jsonl (the drivers), limit.jsonl (limit_bench), speed.txt
(openssl speed rsa2048 ed25519), paired.jsonl (vouch_bench paired-*: the
targets), opendkim_rounds.jsonl (vouch and libopendkim in turn) and
rss.txt."""
import json
import re
import sys

d = sys.argv[1]
rows = [json.loads(l) for l in open(d + "/results.jsonl")]
COLS = [("verify", "rsa"), ("verify", "ed25519"), ("sign", "rsa"),
        ("sign", "ed25519")]
NAME = {"rsa": "rsa-sha256", "ed25519": "ed25519"}
OK = {"pass", "signed"}


def cell(impl, op, alg):
    for r in rows:
        if r["impl"] == impl and r["op"] == op and r["alg"] == alg:
            return r
    return None


def good(r):
    return r is not None and all(
        k in OK for k, n in r["tally"].items() if n)


impls = []
for r in rows:
    if r["impl"] not in impls:
        impls.append(r["impl"])

print("DKIM messages/s on one core (taskset -c 1); corpus %d messages, "
      "%.1f MB; 'vouch is' = vouch / peer"
      % (rows[0]["messages"], rows[0]["bytes"] / 1e6))
print()
hdr = "%-32s" % "implementation"
for op, alg in COLS:
    hdr += " %21s" % ("%s %s" % (NAME[alg], op))
print(hdr)
for impl in impls:
    line = "%-32s" % impl
    for op, alg in COLS:
        r, v = cell(impl, op, alg), cell("vouch", op, alg)
        if r is None:
            line += " %21s" % "n/a"
        elif not good(r):
            line += " %21s" % "not all pass"
        elif impl == "vouch":
            line += " %21s" % ("%.0f" % r["msgs_per_s"])
        else:
            line += " %21s" % ("%.0f (vouch %.1fx)"
                               % (r["msgs_per_s"],
                                  v["msgs_per_s"] / r["msgs_per_s"]))
    print(line)

# the limit
lim = {}
for l in open(d + "/limit.jsonl"):
    o = json.loads(l)
    if "dir" in o:
        lim[o["dir"].rstrip("/").split("/")[-1]] = o
    else:
        fresh = o
speed = open(d + "/speed.txt").read()
m = re.search(r"rsa\s+2048 bits\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)", speed)
rsa_sign, rsa_verify = float(m.group(1)), float(m.group(2))
m = re.search(r"Ed25519\)\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)", speed)
ed_sign, ed_verify = float(m.group(1)), float(m.group(2))
pk = {("verify", "rsa"): rsa_verify, ("verify", "ed25519"): ed_verify,
      ("sign", "rsa"): rsa_sign, ("sign", "ed25519"): ed_sign}
target = {("verify", "rsa"): 0.7, ("verify", "ed25519"): 0.85,
          ("sign", "rsa"): 0.9, ("sign", "ed25519"): 0.8}
print()
print("The limit: SHA-256 over each message's bytes (header and body, "
      "measured with EVP on the same buffers) + one public-key operation "
      "per message (openssl speed); SHA-256 %.0f MB/s on 16 KiB."
      % (lim["plain"]["sha256_Bps_16k"] / 1e6))
print("%-20s %10s %11s %12s %12s %12s  %s" % (
    "", "hash us/msg", "pk ops/s", "limit msg/s", "vouch msg/s",
    "vouch/limit", "limit with a fresh EVP ctx per op"))
for op, alg in COLS:
    corpus = lim[alg if op == "verify" else "plain"]
    n = corpus["messages"]
    h = corpus["hash_s_per_pass"] / n
    limit = 1.0 / (h + 1.0 / pk[(op, alg)])
    fr = fresh["%s_%s" % ("rsa" if alg == "rsa" else "ed25519", op)]
    limit_fresh = 1.0 / (h + 1.0 / fr)
    v = cell("vouch", op, alg)["msgs_per_s"]
    print("%-20s %10.1f %11.0f %12.0f %12.0f %12.2f  %.0f (vouch/that %.2f)"
          % ("%s %s" % (NAME[alg], op), h * 1e6, pk[(op, alg)], limit, v,
             v / limit, limit_fresh, v / limit_fresh))

# the targets: vouch and the limit interleaved in one process
paired = {(o["op"], o["alg"]): o
          for o in map(json.loads, open(d + "/paired.jsonl"))}
print()
print("Targets, vouch and the limit interleaved in one process (a few "
      "messages of each in turn; the public-key operation set up once and "
      "repeated, as openssl speed does); judged on the ratio of the CPU "
      "times over the run:")
print("%-20s %8s %8s %8s %8s %11s %11s %12s %10s" % (
    "", "ratio", "median", "lowest", "highest", "vouch msg/s", "limit msg/s",
    "pk ops/s *", "target"))
misses = []
for op, alg in COLS:
    o = paired[(op, alg)]
    r = sorted(o["pass_ratios"])
    met = o["ratio"] >= target[(op, alg)]
    if not met:
        misses.append("%s %s" % (NAME[alg], op))
    print("%-20s %8.3f %8.3f %8.3f %8.3f %11.0f %11.0f %12.0f %10s %s"
          % ("%s %s" % (NAME[alg], op), o["ratio"], r[len(r) // 2], r[0],
             r[-1], o["vouch_msgs_per_s"], o["limit_msgs_per_s"],
             o["pk_ops_per_s"], ">= %.2f" % target[(op, alg)],
             "met" if met else "MISSED"))
print("  (median, lowest, highest: of the %s passes over the corpus; "
      "* the limit's public-key operation alone in the same process after "
      "the pairs, beside openssl speed's %s)"
      % ("/".join(str(len(paired[c]["pass_ratios"])) for c in COLS),
         " / ".join("%.0f" % pk[c] for c in COLS)))

odk = [json.loads(l) for l in open(d + "/opendkim_rounds.jsonl")]
odk = [{o["impl"]: o["msgs_per_s"] for o in odk[i:i + 2]}
       for i in range(0, len(odk) - 1, 2)]
odk = sorted(p["vouch"] / p["libopendkim"] for p in odk) or [float("nan")]
print("%-20s vouch is %.1fx libopendkim (target: about 6x; median of %d "
      "rounds of one second each in turn, %.1f-%.1fx)"
      % ("rsa-sha256 verify", odk[len(odk) // 2], len(odk), odk[0], odk[-1]))

# agreement
print()
print("Results (every message must pass or be signed, for everybody):")
disagree = False
for op, alg in COLS:
    for impl in impls:
        r = cell(impl, op, alg)
        if r is None:
            continue
        t = {k: n for k, n in r["tally"].items() if n}
        flag = "" if good(r) else "   <-- first: " + r.get("first_bad", "")
        disagree |= not good(r)
        print("  %-8s %-8s %-32s %s%s" % (NAME[alg], op, impl,
                                          json.dumps(t), flag))
print("results agree" if not disagree else
      "RESULTS DISAGREE (see the lines marked; 'unsupported algorithm' is a "
      "missing feature of that version, not a wrong verdict)")

# memory
rss = dict(l.split(None, 1) for l in open(d + "/rss.txt"))
print()
print("Peak RSS of `vouch dkim verify` on a %.1f MB signed message "
      "(target < 8 MiB): from a file %.1f MiB, stdin redirected %.1f MiB, "
      "through a pipe %.1f MiB; signatures passing: %s"
      % (int(rss["size"]) / 1e6, int(rss["file"]) / 1024,
         int(rss["stdin"]) / 1024, int(rss["pipe"]) / 1024,
         rss["result"].strip()))
if misses:
    print("targets missed: " + ", ".join(misses))
