#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Run the public ARC test data through `vouch arc verify` / `vouch arc seal`.

usage: arc_suite.py VOUCH validation|signing|stalwart

Suites (data in $VOUCH_TESTDATA/arc, see its SOURCES.md):
  validation  ValiMail's arc-draft-validation-tests.yml: every message
              (LF -> CRLF) with its scenario's txt-records as a zone,
              `vouch arc verify --json --zone Z --now T`; cv must be the
              expected one. An empty `cv:` (3 tests whose seal already says
              cv=fail) means "fail" (SOURCES.md).
  signing     ValiMail's arc-draft-sign-tests.yml: `vouch arc seal` with
              the scenario's key, d=, s=, the test's t= (--now), sig-headers
              and srv-id; the AAR payload is the merge of the message's
              Authentication-Results fields carrying srv-id, one result per
              "; ". The produced AS, AMS and AAR must equal the expected
              values byte for byte once folding whitespace is removed (the
              suite's normalized form); a test expecting no fields must get
              none. RSA PKCS#1 v1.5 is deterministic, so b= is compared too.
              The sealed message must then validate: pass, or fail when
              the new seal says cv=fail (or no set was added to a failed
              chain).
  stalwart    Stalwart's two sealed messages (Gmail; a two-hop chain with
              ed25519 and RSA): both validate (cv=pass).

Differences where RFC 8617 wins over the suite are listed in
arc-differences.txt: those tests must give the other verdict and are
counted apart ("N differ as documented"). Prints failures and
"N passed, N failed"; exit 77 without test data.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from spf_suites import name_text, txt_rdata  # noqa: E402  (shared zone writer)

results = []
differences = {}  # test name -> why: vouch must differ (arc-differences.txt)
differ = 0
STALWART_NOW = 1667843664  # the time upstream verifies its messages at


def load_differences(suite):
    with open(os.path.join(HERE, "arc-differences.txt")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            where, _, rest = line.partition(" ")
            name, _, why = rest.partition(":")
            if where == suite:
                differences[name.strip()] = why.strip()


def check(name, ok, detail=""):
    global differ
    if name in differences:
        why = differences.pop(name)
        if ok:
            print("UNEXPECTED PASS %s (listed in arc-differences.txt: %s)"
                  % (name, why))
            results.append(False)
        else:
            differ += 1
        return
    results.append(ok)
    if not ok:
        print("FAIL %s: %s" % (name, detail))


def write_zone(path, records):
    """txt-records as a zone. A YAML literal block (the signing file's key)
    holds the record over several lines: each line is one string of the
    TXT record, and a TXT record's strings are joined with nothing
    between them (RFC 6376 §3.6.2.2)."""
    with open(path, "w") as z:
        for owner, value in (records or {}).items():
            parts = [p for p in str(value).split("\n") if p]
            z.write("%s 300 IN TXT %s\n" % (name_text(owner),
                                             txt_rdata(parts)))


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("latin-1")


def arc_verify(vouch, zone, path, now):
    p = subprocess.run([vouch, "arc", "verify", "--json", "--zone", zone,
                        "--now", str(now), path],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return {"cv": "error", "reason": p.stderr.strip()}
    return json.loads(p.stdout)


def suite_validation(vouch, data, work):
    path = os.path.join(data, "arc-draft-validation-tests.yml")
    with open(path, encoding="utf-8") as f:
        docs = list(yaml.safe_load_all(f))
    for n, doc in enumerate(docs):
        zone = os.path.join(work, "validation%d.zone" % n)
        write_zone(zone, doc.get("txt-records"))
        for name, t in doc["tests"].items():
            want = (t.get("cv") or "fail").strip().lower()
            mpath = os.path.join(work, name + ".eml")
            with open(mpath, "wb") as m:
                m.write(crlf(t.get("message") or ""))
            got = arc_verify(vouch, zone, mpath, 1500000000)
            check(name, got.get("cv") == want,
                  "want %s, got %s" % (want, json.dumps(got)))


def squash(value):
    """The suite's normalized form without its folding: no whitespace."""
    return re.sub(r"\s+", "", value or "")


def unfold(value):
    return re.sub(r"\r?\n[ \t]+", " ", value)


def authres_for(message, srv_id):
    """Merge the Authentication-Results fields carrying srv_id: their
    results, in order, joined by "; " (SOURCES.md)."""
    header = message.split("\n\n", 1)[0]
    results_ = []
    for field in re.split(r"\n(?=\S)", header):
        name, _, value = field.partition(":")
        if name.strip().lower() != "authentication-results":
            continue
        parts = [p.strip() for p in unfold(value).split(";")]
        if not parts or parts[0] != srv_id:
            continue
        results_.extend(re.sub(r"\s+", " ", p) for p in parts[1:] if p)
    return "; ".join(results_)


def seal_fields(out):
    """The ARC fields vouch put in front of the message, by short name."""
    fields = {}
    header = out.split("\r\n\r\n", 1)[0]
    for field in re.split(r"\r\n(?=\S)", header):
        name, _, value = field.partition(":")
        short = {"arc-seal": "AS", "arc-message-signature": "AMS",
                 "arc-authentication-results": "AAR"}.get(name.lower())
        if short is not None and short not in fields:
            fields[short] = value
    return fields


def suite_signing(vouch, data, work):
    path = os.path.join(data, "arc-draft-sign-tests.yml")
    with open(path, encoding="utf-8") as f:
        docs = list(yaml.safe_load_all(f))
    for n, doc in enumerate(docs):
        zone = os.path.join(work, "signing%d.zone" % n)
        write_zone(zone, doc.get("txt-records"))
        key = os.path.join(work, "signing%d.pem" % n)
        with open(key, "w") as k:
            k.write(doc["privatekey"])
        for name, t in doc["tests"].items():
            mpath = os.path.join(work, name + ".eml")
            with open(mpath, "wb") as m:
                m.write(crlf(t["message"]))
            before = seal_fields(crlf(t["message"]).decode("latin-1"))
            args = [vouch, "arc", "seal", "--zone", zone,
                    "--now", str(t["t"]), "--domain", doc["domain"],
                    "--selector", doc["sel"], "--key", key,
                    "--authserv-id", t["srv-id"],
                    "--authres", authres_for(t["message"], t["srv-id"]),
                    "--headers", t["sig-headers"], mpath]
            p = subprocess.run(args, capture_output=True)
            if p.returncode != 0:
                check(name, False, p.stderr.decode("latin-1").strip())
                continue
            got = seal_fields(p.stdout.decode("latin-1"))
            for part in ("AS", "AMS", "AAR"):
                want = squash(t.get(part))
                have = squash(got.get(part)) if got.get(part) != \
                    before.get(part) else ""
                check("%s %s" % (name, part), have == want,
                      "\n  want %r\n  got  %r" % (want, have))
            # the sealed message validates as its new seal says
            spath = os.path.join(work, name + ".sealed")
            with open(spath, "wb") as m:
                m.write(p.stdout)
            cv = re.search(r"cv=(\w+)", squash(got.get("AS")) or "cv=none")
            want_cv = "fail" if cv.group(1) == "fail" or not t.get("AS") \
                else "pass"
            res = arc_verify(vouch, zone, spath, t["t"])
            check("%s sealed message" % name, res.get("cv") == want_cv,
                  "want %s, got %s" % (want_cv, json.dumps(res)))


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
                owner, _, value = line.partition(" ")
                z.write("%s 300 IN TXT %s\n" % (name_text(owner),
                                                 txt_rdata(value.strip())))
        mpath = os.path.join(work, fname)
        with open(mpath, "wb") as m:
            m.write(crlf(msg))
        got = arc_verify(vouch, zone, mpath, STALWART_NOW)
        check(fname, got.get("cv") == "pass", json.dumps(got))


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    vouch, suite = sys.argv[1], sys.argv[2]
    base = os.environ.get("VOUCH_TESTDATA") or \
        os.environ.get("VOUCH_TESTDATA_DEFAULT") or ""
    data = os.path.join(base, "arc")
    if not os.path.isdir(data):
        print("no ARC test data in %s" % data)
        return 77
    load_differences(suite)
    with tempfile.TemporaryDirectory() as work:
        {"validation": suite_validation, "signing": suite_signing,
         "stalwart": suite_stalwart}[suite](vouch, data, work)
    for name, why in differences.items():
        print("FAIL %s: listed in arc-differences.txt but not run" % name)
        results.append(False)
    passed = sum(1 for r in results if r)
    if differ:
        print("%d differ from the suite as documented" % differ)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if results and all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
