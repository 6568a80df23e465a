#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Run the public DKIM corpora through `vouch dkim verify --jsonl --zone`.

Suites (data in $VOUCH_TESTDATA/dkim, see its SOURCES.md):
  mail-dkim  Mail::DKIM's verifier corpus (79 messages, FAKE_DNS.dat) with
             the verdicts of expected.tsv: the lenient run (--allow-rsa-sha1
             --min-rsa-bits 512) must give Mail::DKIM's default verdict; the
             default (RFC 8301) run must give its Strict verdict where
             upstream tests one, where a refusal is vouch's "policy".
             DomainKeys messages (RFC 4870, historic) and the pre-RFC
             draft-00 messages upstream skips are out of scope: listed, not
             counted.
  stalwart   Stalwart's six real-world messages with their keys, verified at
             upstream's fixed time: the last signature of each passes, and
             every signature passes (all were re-checked, SOURCES.md).
  dkimpy     dkimpy's verify cases (cases.tsv, dns.tsv).

Overall verdict of a message, as Mail::DKIM words it: pass if a signature
passes, else policy if one was refused by policy, else fail if one failed
(hash or signature), else invalid (permerror, temperror, neutral), else
none. Prints failures and "N passed, N failed"; exit 77 without test data.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from spf_suites import name_text, txt_rdata  # noqa: E402  (shared zone writer)

results = []
differences = {}  # name -> reason: must fail (see <suite>-differences.txt)
differ = 0


def check(name, ok, detail=""):
    global differ
    if name in differences:
        if ok:
            print("UNEXPECTED PASS %s (listed as a known difference: %s)"
                  % (name, differences.pop(name)))
            results.append(False)
        else:
            differences.pop(name)
            differ += 1
        return
    results.append(ok)
    if not ok:
        print("FAIL %s: %s" % (name, detail))


def overall(sigs):
    words = [s["result"] for s in sigs]
    for want, word in (("pass", "pass"), ("policy", "policy"),
                       ("fail", "fail")):
        if want in words:
            return word
    return "invalid" if words else "none"


def verify(vouch, zone, files, extra=(), now=None):
    args = [vouch, "dkim", "verify", "--jsonl", "--zone", zone, *extra]
    if now is not None:
        args += ["--now", str(now)]
    p = subprocess.run(args + files, capture_output=True, text=True)
    if p.returncode not in (0, 1):
        raise RuntimeError("vouch exited %d: %s" % (p.returncode, p.stderr))
    out = {}
    for line in p.stdout.splitlines():
        o = json.loads(line)
        out[os.path.basename(o["file"])] = o
    return out


def fake_dns_zone(path, out):
    """FAKE_DNS.dat lines "name value" -> a zone file (SOURCES.md)."""
    lines = []
    with open(path, encoding="latin-1") as f:
        for raw in f:
            raw = raw.rstrip("\r\n")
            if not raw.strip() or raw.lstrip()[0] in "#;":
                continue
            name, _, value = raw.strip().partition(" ")
            value = value.strip()
            owner = name_text(name)
            if value == "NXDOMAIN":
                continue
            if value == "~~Query timed out~~":
                lines.append("$FAULT %s TXT TIMEOUT" % owner)
            elif value == "~~SERVFAIL~~":
                lines.append("$FAULT %s TXT SERVFAIL" % owner)
            elif value == '""':
                lines.append('%s 300 IN TXT ""' % owner)
            else:
                lines.append("%s 300 IN TXT %s" % (owner, txt_rdata(value)))
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


def suite_mail_dkim(vouch, data, work):
    base = os.path.join(data, "mail-dkim")
    zone = os.path.join(work, "fake_dns.zone")
    fake_dns_zone(os.path.join(base, "FAKE_DNS.dat"), zone)
    rows = []
    with open(os.path.join(base, "expected.tsv")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            fname, expected, strict, kind, note = line.rstrip("\n").split("\t")
            rows.append((fname, expected, strict, kind, note))
    files = [os.path.join(base, "corpus", r[0]) for r in rows]
    lenient = verify(vouch, zone, files,
                     ("--allow-rsa-sha1", "--min-rsa-bits", "512",
                      "--allow-drafts"))
    default = verify(vouch, zone, files)
    out_of_scope = []
    for fname, expected, strict, kind, note in rows:
        if kind == "DK" or note.startswith("skipped upstream"):
            out_of_scope.append(fname)
            continue
        got = lenient[fname]
        verdict = overall(got.get("signatures", [])) if "error" not in got \
            else "error"
        check("%s (lenient)" % fname, verdict == expected,
              "want %s, got %s %s" % (expected, verdict, json.dumps(got)))
        if strict == "-":
            continue
        got = default[fname]
        verdict = overall(got.get("signatures", []))
        want = strict if strict == expected else "policy"
        check("%s (RFC 8301 default)" % fname, verdict == want,
              "want %s (Mail::DKIM strict: %s), got %s %s" % (
                  want, strict, verdict, json.dumps(got)))
    print("mail-dkim: %d messages out of scope (DomainKeys, or pre-RFC "
          "drafts upstream skips): %s" % (len(out_of_scope),
                                          " ".join(out_of_scope)))


def suite_stalwart(vouch, data, work):
    base = os.path.join(data, "stalwart-mail-auth")
    for fname in sorted(os.listdir(base)):
        if not (fname.endswith(".txt") and fname[:-4].isdigit()):
            continue
        with open(os.path.join(base, fname), "rb") as f:
            raw = f.read().decode("latin-1")
        dns, _, msg = raw.partition("\n\n")
        zone = os.path.join(work, fname + ".zone")
        with open(zone, "w") as z:
            for line in dns.splitlines():
                name, _, value = line.partition(" ")
                z.write("%s 300 IN TXT %s\n" % (name_text(name),
                                                 txt_rdata(value.strip())))
        mpath = os.path.join(work, fname)
        with open(mpath, "wb") as m:
            m.write(msg.replace("\n", "\r\n").encode("latin-1"))
        got = verify(vouch, zone, [mpath], now=1667843664)[fname]
        sigs = got.get("signatures", [])
        check("%s last signature" % fname, bool(sigs) and
              sigs[-1]["result"] == "pass", json.dumps(got))
        check("%s every signature" % fname, bool(sigs) and
              all(s["result"] == "pass" for s in sigs), json.dumps(got))


def suite_dkimpy(vouch, data, work):
    base = os.path.join(data, "dkimpy")
    zone = os.path.join(work, "dkimpy.zone")
    with open(os.path.join(base, "dns.tsv")) as f, open(zone, "w") as z:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, value = line.rstrip("\n").split("\t", 1)
            z.write("%s 300 IN TXT %s\n" % (name_text(name), txt_rdata(value)))
    with open(os.path.join(base, "cases.tsv")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            fname, kind, expected, _ = line.rstrip("\n").split("\t", 3)
            if kind != "verify":
                continue  # signing vectors: tests/unit/test_dkim_vectors.c
            got = verify(vouch, zone, [os.path.join(base, fname)])[fname]
            words = [s["result"] for s in got.get("signatures", [])]
            check(fname, words == expected.split(","),
                  "want %s, got %s" % (expected, json.dumps(got)))


def main():
    vouch, suite = sys.argv[1], sys.argv[2]
    data = os.environ.get("VOUCH_TESTDATA") or \
        os.environ.get("VOUCH_TESTDATA_DEFAULT")
    if not data or not os.path.isdir(os.path.join(data, "dkim")):
        print("SKIP: DKIM test data not found (set VOUCH_TESTDATA)")
        return 77
    dpath = os.path.join(HERE, "dkim-%s-differences.txt" % suite)
    if os.path.exists(dpath):
        with open(dpath, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    name, _, why = line.partition("  ")
                    differences[name.strip()] = why.strip()
    with tempfile.TemporaryDirectory(prefix="vouch-dkim-") as work:
        {"mail-dkim": suite_mail_dkim, "stalwart": suite_stalwart,
         "dkimpy": suite_dkimpy}[suite](vouch, os.path.join(data, "dkim"),
                                         work)
    for name in sorted(differences):
        print("FAIL %s: listed as a known difference but not run" % name)
        results.append(False)
    if differ:
        print("%s: %d known differences (dkim-%s-differences.txt)"
              % (suite, differ, suite))
    print("%s: %d passed, %d failed" % (suite, results.count(True),
                                        results.count(False)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
