#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Every public header compiles on its own, as C11 and as C++11, with
strict warnings (STYLE.md §3, §8). usage: check_headers.py INCLUDE_DIR
Prints "N passed, N failed"."""
import glob
import os
import shutil
import subprocess
import sys

inc = sys.argv[1]
headers = sorted(glob.glob(os.path.join(inc, "vouch", "*.h")))
strict = ["-Wall", "-Wextra", "-Wpedantic", "-Werror", "-Wshadow",
          "-Wcast-qual", "-Wundef", "-fsyntax-only", "-I" + inc]
compilers = [("C", os.environ.get("CC", "cc"), ["-x", "c", "-std=c11",
                                                "-Wstrict-prototypes"]),
             ("C++", os.environ.get("CXX", "c++"), ["-x", "c++", "-std=c++11"])]
passed = failed = 0
for lang, cc, flags in compilers:
    if shutil.which(cc) is None:
        print("FAIL no %s compiler (%s)" % (lang, cc))
        failed += 1
        continue
    for h in headers:
        # the typedef keeps a macro-only header from being an empty unit
        src = '#include "vouch/%s"\ntypedef int header_check_t;\n' % (
            os.path.basename(h))
        p = subprocess.run([cc, *flags, *strict, "-"], input=src,
                           capture_output=True, text=True)
        if p.returncode == 0:
            passed += 1
        else:
            failed += 1
            print("FAIL %s as %s:\n%s" % (os.path.basename(h), lang, p.stderr))
print("%d passed, %d failed" % (passed, failed))
sys.exit(0 if failed == 0 else 1)
