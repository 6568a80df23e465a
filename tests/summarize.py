#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Sum the results of meson test runs (and fuzz runs) into one line.

Arguments are NAME=FILE, FILE a meson testlog.json (one JSON object per
line). Each test program prints its own "N passed, N failed"; those counts
are summed (a program that prints none counts as one case). Failed and, when
VOUCH_REQUIRE_ALL=1, skipped programs are listed. The last line printed is
"N passed, N failed"; exit 1 if anything failed.
"""
import json
import os
import re
import sys

COUNT = re.compile(r"(\d+) passed, (\d+) failed")


def main():
    require_all = os.environ.get("VOUCH_REQUIRE_ALL") == "1"
    passed = failed = 0
    for arg in sys.argv[1:]:
        name, _, path = arg.partition("=")
        try:
            with open(path, encoding="utf-8") as f:
                entries = [json.loads(line) for line in f if line.strip()]
        except OSError as e:
            print("[%s] no results: %s" % (name, e))
            failed += 1
            continue
        for e in entries:
            result = e.get("result", "")
            out = e.get("stdout") or ""
            counts = COUNT.findall(out)
            label = "[%s] %s" % (name, e.get("name"))
            if result == "SKIP":
                msg = out.strip().splitlines()[-1:] or ["skipped"]
                print("%s: SKIPPED (%s)" % (label, msg[0]))
                if require_all:
                    failed += 1
                continue
            if counts:
                p, f_ = (int(x) for x in counts[-1])
            else:
                p, f_ = (1, 0) if result == "OK" else (0, 1)
            if result != "OK" and f_ == 0:
                f_ = 1  # crashed or timed out after printing its counts
            passed += p
            failed += f_
            print("%s: %d passed, %d failed%s" % (
                label, p, f_, "" if result == "OK" else "  <-- " + result))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
