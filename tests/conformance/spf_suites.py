#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Run the public SPF conformance suites through `vouch spf --batch`.

Each scenario's DNS data becomes an RFC 1035 master file loaded with
`--zone` (the zone backend: real parsing, closed world), each test a batch
line; the JSON verdicts are compared with the expected results.

Suites (data in $VOUCH_TESTDATA/spf, see its SOURCES.md):
  rfc7208   openspf RFC 7208 suite: every test must pass
  rfc4408   openspf RFC 4408 suite
  pyspf     pyspf's own extra tests (results only)
  stalwart  Stalwart mail-auth SPF cases (line-oriented format)

A suite may have a file <suite>-differences.txt next to this script: the
tests listed there (name, then the reason) are known, explained
differences and must fail; every other test must pass.

Zone semantics of the openspf format (SOURCES.md): SPF entries are also
published as TXT unless the name has a TXT entry (even "TXT: NONE");
"NONE" entries only make the name exist; TIMEOUT makes every type without
records at that name time out ($FAULT name ANY TIMEOUT).

Prints the failures and "N passed, N failed"; exit 0 when the suite
conforms, 1 when not, 77 (skip) when the test data is absent.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:
    print("python3-yaml is missing (apt-get install python3-yaml)")
    sys.exit(1)

HERE = os.path.dirname(os.path.abspath(__file__))
FIXED_NOW = "1700000000"


def name_text(name):
    """An owner/target name in master-file form, absolute."""
    out = []
    for b in name.encode("utf-8"):
        c = chr(b)
        if c.isascii() and (c.isalnum() or c in "-_.*"):
            out.append(c)
        else:
            out.append("\\%03d" % b)
    s = "".join(out)
    return s if s.endswith(".") else s + "."


def octets(s):
    """YAML strings stand for octets: chars below 256 are bytes."""
    if isinstance(s, bytes):
        return s
    return b"".join(
        bytes([ord(c)]) if ord(c) < 256 else c.encode("utf-8") for c in s
    )


def quoted(data):
    out = ['"']
    for b in data:
        if b in (0x22, 0x5C):
            out.append("\\" + chr(b))
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append("\\%03d" % b)
    out.append('"')
    return "".join(out)


def txt_rdata(value):
    """TXT/SPF rdata: a string or a list of strings (one record)."""
    parts = value if isinstance(value, list) else [value]
    if not parts:
        return None  # no strings at all: written as RFC 3597 generic data
    chunks = []
    for p in parts:
        data = octets(str(p))
        if not data:
            chunks.append('""')
        for i in range(0, len(data), 255):
            chunks.append(quoted(data[i:i + 255]))
    return " ".join(chunks)


def zone_lines(zonedata):
    lines = []
    for owner, records in (zonedata or {}).items():
        o = name_text(owner)
        entries = []
        timeout = False
        for r in records:
            if r == "TIMEOUT":
                timeout = True
            elif isinstance(r, dict):
                entries.extend(r.items())
        has_txt = any(t == "TXT" for t, _ in entries)
        exists = False
        for t, v in entries:
            if v == "NONE":
                continue
            exists = True
            if t in ("TXT", "SPF"):
                types = [t] if (t == "TXT" or has_txt) else ["SPF", "TXT"]
                rd = txt_rdata(v)
                for ty in types:
                    if rd is None:
                        num = 16 if ty == "TXT" else 99
                        lines.append("%s 300 IN TYPE%d \\# 0" % (o, num))
                    else:
                        lines.append("%s 300 IN %s %s" % (o, ty, rd))
            elif t == "MX":
                lines.append("%s 300 IN MX %d %s" % (o, v[0], name_text(v[1])))
            elif t in ("PTR", "CNAME"):
                lines.append("%s 300 IN %s %s" % (o, t, name_text(v)))
            elif t in ("A", "AAAA"):
                lines.append("%s 300 IN %s %s" % (o, t, v))
            else:
                raise ValueError("unsupported record type %s" % t)
        if timeout:
            lines.append("$FAULT %s ANY TIMEOUT" % o)
        elif not exists:
            # only NONE entries: the name exists, with no records to give
            lines.append("$FAULT %s TYPE65280 SERVFAIL" % o)
    return lines


def run_batch(vouch, zone_text, cases, workdir, tag, extra=()):
    """cases: list of (ip, mailfrom, helo). Returns the JSON objects."""
    zpath = os.path.join(workdir, tag + ".zone")
    bpath = os.path.join(workdir, tag + ".tsv")
    with open(zpath, "w", encoding="ascii") as f:
        f.write("\n".join(zone_text) + "\n")
    with open(bpath, "wb") as f:
        for ip, mf, helo in cases:
            f.write(b"\t".join(octets(x) for x in (ip, mf, helo)) + b"\n")
    p = subprocess.run(
        [vouch, "spf", "--batch", bpath, "--zone", zpath, "--now", FIXED_NOW,
         "--receiver", "receiver.example.net", *extra],
        capture_output=True)
    if p.returncode != 0:
        sys.stderr.write(p.stderr.decode("utf-8", "replace"))
        raise RuntimeError("vouch exited %d on %s" % (p.returncode, zpath))
    out = [json.loads(line) for line in p.stdout.splitlines()]
    if len(out) != len(cases):
        raise RuntimeError("%d results for %d cases" % (len(out), len(cases)))
    return out


def openspf(vouch, path, workdir):
    """Yield (name, ok, detail) for every test of an openspf YAML file."""
    with open(path, "rb") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    for n, scen in enumerate(docs):
        tests = list(scen["tests"].items())
        cases = [(str(t["host"]), str(t["mailfrom"]), str(t["helo"]))
                 for _, t in tests]
        got = run_batch(vouch, zone_lines(scen.get("zonedata")), cases,
                        workdir, "s%d" % n)
        for (name, t), g in zip(tests, got):
            want = t["result"]
            want = want if isinstance(want, list) else [want]
            ok = g.get("result") in want
            exp = t.get("explanation")
            if ok and exp is not None and exp != "DEFAULT":
                ok = g.get("explanation") == exp
            yield name, ok, "want %s%s, got %s" % (
                "/".join(want),
                "" if exp in (None, "DEFAULT") else " (%r)" % exp,
                json.dumps({k: g.get(k) for k in
                            ("result", "explanation", "reason")}))


def stalwart_tests(path):
    """Read a Stalwart file line by line, as its own harness does: record
    lines replace the DNS data of their owner (and stay for the rest of the
    file), domain/sender/ip lines set the next test's values, and every
    "expect:" line is a test with the DNS data as it is at that point.
    Yields (title, ip, sender, helo, expect, dns-snapshot)."""
    dns = {}
    cur = {}
    title = ""
    with open(path, "rb") as f:
        lines = f.read().decode("utf-8").split("\n")
    for raw in lines:
        s = raw.strip()
        if s.startswith("- "):
            s = s[2:].strip()
        if not s or s.startswith("#") or s in ("records:", "tests:"):
            continue
        if s == "---":
            cur = {}
            continue
        key, _, val = s.partition(":")
        val = val[1:] if val.startswith(" ") else val
        if key == "name":
            title = val
        elif key in ("spf", "exp"):
            owner, _, rest = val.partition(" ")
            dns[("TXT", owner.lower())] = rest
        elif key in ("a", "aaaa", "mx", "ptr"):
            owner, _, rest = val.partition(" ")
            dns[(key, owner.lower())] = [x.strip() for x in rest.split(",")
                                         if x.strip()]
        elif key in ("domain", "sender", "ip"):
            cur[key] = val
        elif key == "expect":
            yield (title, cur.get("ip", ""), cur.get("sender", ""),
                   cur.get("domain", ""), val.rstrip(), dict(dns))


def reverse_name(ip):
    import ipaddress
    return ipaddress.ip_address(ip).reverse_pointer + "."


def dns_name_ok(name):
    """Can name exist in DNS at all (RFC 1035 §2.3.4)?"""
    labels = name.rstrip(".").split(".")
    return (len(name.rstrip(".")) <= 253 and
            all(0 < len(l) <= 63 for l in labels))


def stalwart_zone(dns):
    lines = []
    for (kind, owner), val in sorted(dns.items()):
        if kind != "ptr" and not dns_name_ok(owner):
            # the test shows such names are refused before any lookup;
            # DNS (and so a zone file) cannot hold them
            continue
        o = name_text(owner)
        if kind == "TXT":
            lines.append("%s 300 IN TXT %s" % (o, txt_rdata(val)))
        elif kind in ("a", "aaaa"):
            for ip in val:
                lines.append("%s 300 IN %s %s" % (
                    o, "AAAA" if ":" in ip else "A", ip))
        elif kind == "mx":
            # the harness makes up one exchange name per address
            for pref, ip in enumerate(val, 1):
                host = "mx%d.%s" % (pref, o)
                lines.append("%s 300 IN MX %d %s" % (o, pref, host))
                lines.append("%s 300 IN %s %s" % (
                    host, "AAAA" if ":" in ip else "A", ip))
        elif kind == "ptr":
            for host in val:
                lines.append("%s 300 IN PTR %s" % (reverse_name(owner),
                                                   name_text(host)))
    return lines


def stalwart(vouch, folder, workdir):
    """Stalwart's harness checks the HELO identity first and reports it
    unless it passes, then the MAIL FROM identity; names starting with
    "_dns_error" fail to resolve (SERVFAIL here)."""
    for fn in sorted(os.listdir(folder)):
        if not fn.endswith(".yml"):
            continue
        path = os.path.join(folder, fn)
        with open(path, encoding="utf-8") as f:
            faults = sorted(set(re.findall(r"[A-Za-z0-9.-]*_dns_error[A-Za-z0-9._-]*",
                                           f.read())))
        fault_lines = ["$FAULT %s ANY SERVFAIL" % name_text(n) for n in faults]
        tests = list(stalwart_tests(path))
        # one batch run per stretch of tests that see the same DNS data
        groups = []
        for t in tests:
            if groups and groups[-1][0][5] == t[5]:
                groups[-1].append(t)
            else:
                groups.append([t])
        n = 0
        for gi, group in enumerate(groups):
            zone = stalwart_zone(group[0][5]) + fault_lines
            cases = [(t[1], t[2], t[3]) for t in group]
            helo = run_batch(vouch, zone, cases, workdir, "%s-%d" % (fn, gi),
                             ("--identity", "helo"))
            mail = run_batch(vouch, zone, cases, workdir, "%s-%d" % (fn, gi))
            for t, h, m in zip(group, helo, mail):
                n += 1
                g = h if (h.get("result") != "pass" or not t[2]) else m
                result, _, text = t[4].partition(" ")
                ok = g.get("result") == result
                if ok and text.strip():
                    ok = g.get("explanation") == text
                yield ("%s#%d" % (fn, n), ok,
                       "(%s) want %r, got %s" % (t[0], t[4], json.dumps(
                           {x: g.get(x) for x in
                            ("identity", "result", "explanation", "reason")})))


def load_differences(path):
    diffs = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                name, _, why = line.partition(" ")
                diffs[name] = why.strip()
    return diffs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vouch", required=True)
    ap.add_argument("--testdata", default=os.environ.get("VOUCH_TESTDATA") or
                    os.environ.get("VOUCH_TESTDATA_DEFAULT"))
    ap.add_argument("suite", choices=["rfc7208", "rfc4408", "pyspf",
                                      "stalwart"])
    a = ap.parse_args()
    spf = os.path.join(a.testdata or "", "spf")
    if not a.testdata or not os.path.isdir(spf):
        print("SKIP: SPF test data not found (set VOUCH_TESTDATA to the "
              "shared testdata folder)")
        return 77
    diffs = {}
    dpath = os.path.join(HERE, a.suite + "-differences.txt")
    if os.path.exists(dpath):
        diffs = load_differences(dpath)
    with tempfile.TemporaryDirectory(prefix="vouch-spf-") as work:
        if a.suite == "stalwart":
            results = list(stalwart(a.vouch, os.path.join(
                spf, "stalwart-mail-auth"), work))
        else:
            fname = {"rfc7208": "rfc7208-tests.yml",
                     "rfc4408": "rfc4408-tests.yml",
                     "pyspf": "pyspf-test.yml"}[a.suite]
            results = list(openspf(a.vouch, os.path.join(spf, fname), work))
    passed = failed = differ = 0
    for name, ok, detail in results:
        if name in diffs:
            if ok:
                print("UNEXPECTED PASS %s (listed as a known difference: %s)"
                      % (name, diffs[name]))
                failed += 1
            else:
                differ += 1
            continue
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL %s: %s" % (name, detail))
    if diffs:
        missing = set(diffs) - {r[0] for r in results}
        for m in sorted(missing):
            print("FAIL %s: listed in %s-differences.txt but not in the "
                  "suite" % (m, a.suite))
            failed += 1
        print("%s: %d known differences, as listed in %s-differences.txt"
              % (a.suite, differ, a.suite))
    print("%s: %d passed, %d failed" % (a.suite, passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
