#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Run every libFuzzer target of a -Dfuzz=true build for a short while.

usage: fuzz_runs.py BUILDDIR CORPUSDIR   (FUZZ_SECONDS, default 10)

Each target fuzz/fuzz_<name> starts from a copy of CORPUSDIR/<name> (the
repository's seeds are never modified) and runs -max_total_time seconds.
Prints one meson-testlog-style JSON line per target (for summarize.py);
a crash, leak or timeout is a failure and its reproducer path is shown.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    build, corpus = sys.argv[1], sys.argv[2]
    seconds = int(os.environ.get("FUZZ_SECONDS", "10"))
    ok_all = True
    targets = sorted(glob.glob(os.path.join(build, "fuzz", "fuzz_*")))
    targets = [t for t in targets if os.access(t, os.X_OK) and
               os.path.isfile(t)]
    if not targets:
        print(json.dumps({"name": "fuzz", "result": "FAIL",
                          "stdout": "no fuzz targets built"}))
        return 1
    art = os.path.join(build, "fuzz-artifacts")
    os.makedirs(art, exist_ok=True)
    for t in targets:
        name = os.path.basename(t)[len("fuzz_"):]
        with tempfile.TemporaryDirectory(prefix="vouch-fuzz-") as work:
            seeds = os.path.join(corpus, name)
            run = os.path.join(work, "corpus")
            shutil.copytree(seeds, run)
            p = subprocess.run(
                [t, "-max_total_time=%d" % seconds, "-timeout=10",
                 "-rss_limit_mb=2048", "-max_len=65536",
                 "-artifact_prefix=%s/%s-" % (art, name), run],
                capture_output=True, text=True, errors="replace")
        tail = "\n".join(p.stderr.strip().splitlines()[-15:])
        ok = p.returncode == 0
        ok_all &= ok
        runs = [l for l in p.stderr.splitlines() if l.startswith("Done ")]
        print(json.dumps({
            "name": "fuzz_" + name,
            "result": "OK" if ok else "FAIL",
            "stdout": "%s\n%d passed, %d failed\n" % (
                runs[-1] if runs else tail, 1 if ok else 0, 0 if ok else 1),
        }))
        if not ok:
            sys.stderr.write("fuzz_%s failed:\n%s\n" % (name, tail))
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
