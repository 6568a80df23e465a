#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`vouch verify` on real forwarded mail: the two ARC-sealed messages of
$VOUCH_TESTDATA/arc/stalwart-mail-auth (see its SOURCES.md).

001.txt is a real message from the IETF jmap list, delivered to Gmail and
sealed there (i=1). Its file carries the three DKIM/ARC public keys; the
list's SPF record and the two DMARC records (p=none, as published when the
message was sent) are added here. Gmail's own verdicts, in the message's
Authentication-Results, are the expected ones: SPF pass for the list's
bounce address, DKIM pass for ietf.org (twice), DKIM fail for stalw.art
(the list changed the body), DMARC fail for stalw.art; we add ARC pass.
All of it must come out as one Authentication-Results field.

002.txt is a two-hop chain (ed25519 then rsa) with a DKIM signature of the
last hop: ARC pass with two sets, DKIM pass.

usage: verify_forwarded.py VOUCH ; "N passed, N failed"; exit 77 without
the test data.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

VOUCH = sys.argv[1]
results = []


def case(name, cond, detail=""):
    results.append(bool(cond))
    if not cond:
        print("FAIL %s %s" % (name, detail))


def load(path, extra):
    """The zone (keys of the file plus extra) and the message (CRLF)."""
    with open(path, "rb") as f:
        head, msg = f.read().split(b"\n\n", 1)
    lines = ["$TTL 300"]
    for line in head.decode().splitlines():
        name, value = line.split(" ", 1)
        parts = [value[i:i + 250] for i in range(0, len(value), 250)]
        lines.append("%s. IN TXT ( %s )" % (
            name, " ".join('"%s"' % p for p in parts)))
    return "\n".join(lines + extra) + "\n", msg.replace(b"\n", b"\r\n")


def verify(tmp, zone, msg, now, ip, helo, mail_from):
    zpath, mpath = os.path.join(tmp, "z.zone"), os.path.join(tmp, "m.eml")
    with open(zpath, "w") as f:
        f.write(zone)
    with open(mpath, "wb") as f:
        f.write(msg)
    p = subprocess.run([VOUCH, "verify", mpath, "--zone", zpath, "--now", now,
                        "--ip", ip, "--helo", helo, "--mail-from", mail_from,
                        "--authserv-id", "mx.test", "--json"],
                       capture_output=True)
    if p.returncode != 0:
        return None, p.stderr.decode()
    return json.loads(p.stdout), ""


def main():
    data = os.environ.get("VOUCH_TESTDATA") or \
        os.environ.get("VOUCH_TESTDATA_DEFAULT")
    base = os.path.join(data or "", "arc", "stalwart-mail-auth")
    if not data or not os.path.isdir(base):
        print("SKIP: ARC test data not found (set VOUCH_TESTDATA)")
        return 77
    tmp = tempfile.mkdtemp(prefix="vouch-fwd-")

    zone, msg = load(os.path.join(base, "001.txt"), [
        'ietf.org. IN TXT "v=spf1 ip4:50.223.129.194 -all"',
        '_dmarc.ietf.org. IN TXT "v=DMARC1; p=none"',
        '_dmarc.stalw.art. IN TXT "v=DMARC1; p=none"'])
    out, err = verify(tmp, zone, msg, "1667893900", "50.223.129.194",
                      "mail.ietf.org", "jmap-bounces@ietf.org")
    case("001 runs", out is not None, err)
    if out is not None:
        dk = [(d["domain"], d["result"]) for d in out["dkim"]]
        case("001 spf", out["spf"]["result"] == "pass", out["spf"])
        case("001 dkim", dk == [("ietf.org", "pass"), ("ietf.org", "pass"),
                                ("stalw.art", "fail")], dk)
        case("001 dkim reason", out["dkim"][2]["reason"] ==
             "body hash mismatch", out["dkim"][2])
        case("001 arc", out["arc"]["cv"] == "pass" and
             out["arc"]["sets"] == 1 and
             out["arc"]["domain"] == "google.com", out["arc"])
        case("001 dmarc", out["dmarc"]["result"] == "fail" and
             out["dmarc"]["from_domain"] == "stalw.art" and
             out["dmarc"]["policy"] == "none" and
             out["dmarc"]["disposition"] == "none", out["dmarc"])
        ar = out["authentication_results"]
        for want in ["spf=pass", "dkim=pass", "header.d=ietf.org", "dkim=fail",
                     "header.d=stalw.art", "arc=pass", "dmarc=fail",
                     "header.from=stalw.art"]:
            case("001 A-R has " + want, want in ar, ar)
        case("001 A-R one field", re.search(r"\n(?![ \t])", ar) is None, ar)

    zone, msg = load(os.path.join(base, "002.txt"), [])
    m = re.search(rb"t=(\d+)", msg)
    out, err = verify(tmp, zone, msg, m.group(1).decode() if m else "0",
                      "192.0.2.1", "mx.example", "")
    case("002 runs", out is not None, err)
    if out is not None:
        case("002 arc", out["arc"]["cv"] == "pass" and
             out["arc"]["sets"] == 2, out["arc"])
        case("002 dkim", any(d["result"] == "pass" for d in out["dkim"]),
             out["dkim"])
        case("002 A-R arc", "arc=pass" in out["authentication_results"],
             out["authentication_results"])
    print("%d passed, %d failed" % (results.count(True), results.count(False)))
    return 0 if all(results) else 1


sys.exit(main())
