#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Command-line contract of `vouch arc verify | seal`.

Keys are made with `vouch dkim keygen` into a temporary folder and
published in a zone there; messages are sealed hop by hop and validated.
Exit status 0 whatever the verdict, 1 on operational errors, 2 on usage
errors; --help tells the truth; the JSON fields of docs/arc.md.

usage: test_arc_cli.py VOUCH ; prints "N passed, N failed".
"""
import json
import os
import subprocess
import sys
import tempfile

VOUCH = sys.argv[1]
results = []
MSG = ("From: Alice <alice@a.example>\r\nTo: bob@b.example\r\n"
       "Subject: ARC test\r\nDate: Thu, 14 Jan 2015 15:00:01 -0800\r\n"
       "Message-ID: <1@a.example>\r\n\r\nHello  there\r\n\r\n\r\n")


def run(*args, stdin=None):
    return subprocess.run([VOUCH, *args], input=stdin, capture_output=True)


def case(name, cond, detail=""):
    results.append(bool(cond))
    if not cond:
        print("FAIL %s %s" % (name, detail))


def main(work):
    zone = os.path.join(work, "keys.zone")
    with open(zone, "w") as z:
        for sel, alg in (("rsa", "rsa-sha256"), ("ed", "ed25519-sha256")):
            p = run("dkim", "keygen", "--domain", "seal.example", "--selector",
                    sel, "--algorithm", alg, "--bits", "1024", "--out",
                    os.path.join(work, sel))
            case("keygen " + sel, p.returncode == 0, p.stderr)
            with open(os.path.join(work, sel + ".txt")) as t:
                z.write(t.read())
        z.write('a.example. IN TXT "v=spf1 ip4:192.0.2.0/24 -all"\n')
    key = {s: os.path.join(work, s + ".private") for s in ("rsa", "ed")}
    msg = os.path.join(work, "msg.eml")
    with open(msg, "w", newline="") as m:
        m.write(MSG)

    def seal(path, sel, srv, now, *extra):
        return run("arc", "seal", "--zone", zone, "--now", str(now),
                   "--domain", "seal.example", "--selector", sel, "--key",
                   key[sel], "--authserv-id", srv, *extra, path)

    def verify(*args, stdin=None):
        p = run("arc", "verify", "--zone", zone, "--json", *args,
                stdin=stdin)
        try:
            return p, json.loads(p.stdout)
        except ValueError:
            return p, {}

    def save(name, data):
        path = os.path.join(work, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    # a message without ARC: none
    p, o = verify(msg)
    case("unsealed none", p.returncode == 0 and o.get("cv") == "none" and
         o.get("sets") == 0 and o.get("domain") == "", p.stdout)
    case("json fields", set(o) >= {"cv", "sets", "reason", "oldest_pass",
                                   "domain", "selector"}, o)

    # hop 1 (RSA) and hop 2 (Ed25519)
    p1 = seal(msg, "rsa", "mx1.seal.example", 1700000000, "--authres",
              "spf=pass smtp.mailfrom=a.example; dkim=none")
    case("seal 1 exit", p1.returncode == 0, p1.stderr)
    out1 = p1.stdout.decode()
    case("seal 1 order", out1.startswith("ARC-Seal: ") and
         out1.index("ARC-Message-Signature:") <
         out1.index("ARC-Authentication-Results: i=1; mx1.seal.example;")
         and out1.endswith(MSG), out1[:400])
    case("seal 1 cv=none", "cv=none" in out1 and "t=1700000000" in out1)
    case("seal 1 AAR results", "spf=pass" in out1 and "dkim=none" in out1)
    m1 = save("m1.eml", p1.stdout)
    p, o = verify(m1)
    case("hop 1 pass", o.get("cv") == "pass" and o.get("sets") == 1 and
         o.get("domain") == "seal.example" and o.get("selector") == "rsa",
         o)
    p2 = seal(m1, "ed", "mx2.seal.example", 1700000100, "--headers",
              "from:to:subject")
    out2 = p2.stdout.decode()
    case("seal 2", p2.returncode == 0 and "i=2" in out2 and "cv=pass" in
         out2 and "a=ed25519-sha256" in out2 and
         "h=from:to:subject;" in out2 and
         "i=2; mx2.seal.example; none" in out2, out2[:600])
    m2 = save("m2.eml", p2.stdout)
    p, o = verify(m2)
    case("hop 2 pass", o.get("cv") == "pass" and o.get("sets") == 2 and
         o.get("selector") == "ed" and o.get("oldest_pass") == 0, o)

    # the same message on stdin, and human output
    p, o = verify("-", stdin=p2.stdout)
    case("stdin", o.get("cv") == "pass", p.stderr)
    p = run("arc", "verify", "--zone", zone, m2)
    case("human output", p.returncode == 0 and
         p.stdout.decode().startswith("arc=pass (2 sets"), p.stdout)

    # LF line ends in, LF line ends out, still valid
    lf = save("lf.eml", MSG.replace("\r\n", "\n").encode())
    p = seal(lf, "rsa", "mx1.seal.example", 1700000000)
    case("LF kept", p.returncode == 0 and b"\r" not in p.stdout, p.stdout)
    p, o = verify(save("lf_sealed.eml", p.stdout))
    case("LF sealed pass", o.get("cv") == "pass", o)

    # tampering: a changed body or subject fails with a reason
    p, o = verify(save("body.eml", p2.stdout.replace(b"Hello", b"Howdy")))
    case("body changed", o.get("cv") == "fail" and
         "AMS i=2 body hash mismatch" in o.get("reason", ""), o)
    p, o = verify(save("subj.eml", p2.stdout.replace(b"ARC test",
                                                     b"ARC pest")))
    case("subject changed", o.get("cv") == "fail" and
         o.get("reason", "").startswith("AMS i=2"), o)
    p, o = verify(save("drop.eml", p2.stdout.replace(
        b"ARC-Authentication-Results: i=1", b"X-Old: i=1")))
    case("missing AAR", o.get("cv") == "fail" and
         o.get("reason") == "missing AAR i=1", o)

    # sealing a chain that fails: cv=fail, signing only its own set; and a
    # chain whose newest seal says cv=fail gets nothing more
    bad = save("bad.eml", p2.stdout.replace(b"Hello", b"Howdy"))
    p3 = seal(bad, "rsa", "mx3.seal.example", 1700000200)
    case("seal on failed chain", p3.returncode == 0 and
         b"cv=fail" in p3.stdout and b"i=3" in p3.stdout, p3.stderr)
    m3 = save("m3.eml", p3.stdout)
    p, o = verify(m3)
    case("cv=fail chain fails", o.get("cv") == "fail" and
         o.get("reason") == "AS i=3 says cv=fail", o)
    p4 = seal(m3, "rsa", "mx4.seal.example", 1700000300)
    case("no set after cv=fail", p4.returncode == 0 and
         p4.stdout == p3.stdout and b"no ARC set added" in p4.stderr,
         p4.stderr)

    # --ip/--helo/--mail-from: vouch computes this hop's results
    p = run("dkim", "sign", "--domain", "seal.example", "--selector", "rsa",
            "--key", key["rsa"], msg)
    signed = save("signed.eml", p.stdout)
    p = seal(signed, "ed", "mx1.seal.example", 1700000000, "--ip",
             "192.0.2.1", "--helo", "mx.a.example", "--mail-from",
             "alice@a.example")
    aar = p.stdout.decode().split("ARC-Authentication-Results: ")[1]
    aar = " ".join(aar.split("\r\nDKIM-Signature")[0].split())
    case("computed results", p.returncode == 0 and aar.startswith(
        "i=1; mx1.seal.example; arc=none; spf=pass "
        "smtp.mailfrom=alice@a.example; dkim=pass header.d=seal.example "
        "header.s=rsa header.b="), aar)
    p, o = verify(save("computed.eml", p.stdout))
    case("computed sealed pass", o.get("cv") == "pass", o)
    p = seal(m1, "ed", "mx2.seal.example", 1700000100, "--ip",
             "198.51.100.7", "--helo", "mx.a.example")
    case("computed hop 2", p.returncode == 0 and
         b"i=2; mx2.seal.example; arc=pass; spf=none smtp.helo=mx.a.example;"
         b" dkim=none" in p.stdout.replace(b"\r\n\t", b" "), p.stdout[:900])

    # --no-timestamp
    p = seal(msg, "ed", "mx1.seal.example", 1700000000, "--no-timestamp")
    case("no t=", p.returncode == 0 and b"t=" not in
         p.stdout.split(b"From:")[0], p.stdout[:500])

    # usage errors (2) and operational errors (1)
    for name, args in [
            ("verify unknown option", ["arc", "verify", "--bogus"]),
            ("verify two files", ["arc", "verify", msg, msg]),
            ("seal without domain", ["arc", "seal", "--selector", "rsa",
                                     "--key", key["rsa"], "--authserv-id",
                                     "x", msg]),
            ("seal without authserv-id", ["arc", "seal", "--domain", "d",
                                          "--selector", "s", "--key",
                                          key["rsa"], msg]),
            ("seal h= with arc-seal", ["arc", "seal", "--zone", zone,
                                       "--domain", "d", "--selector", "s",
                                       "--key", key["rsa"], "--authserv-id",
                                       "x", "--headers", "from:arc-seal",
                                       msg]),
            ("arc no subcommand", ["arc"]),
            ("seal ip without helo", ["arc", "seal", "--domain", "d",
                                      "--selector", "s", "--key", key["rsa"],
                                      "--authserv-id", "x", "--ip",
                                      "192.0.2.1", msg]),
            ("seal ip and authres", ["arc", "seal", "--domain", "d",
                                     "--selector", "s", "--key", key["rsa"],
                                     "--authserv-id", "x", "--ip",
                                     "192.0.2.1", "--helo", "h",
                                     "--authres", "none", msg]),
    ]:
        p = run(*args)
        case(name, p.returncode == 2 and p.stderr.strip() != b"",
             "rc=%d %r" % (p.returncode, p.stderr))
    p = run("arc", "verify", "--zone", zone, os.path.join(work, "nope"))
    case("missing file", p.returncode == 1, p.returncode)
    p = run("arc", "seal", "--zone", zone, "--domain", "d", "--selector",
            "s", "--key", os.path.join(work, "nokey"), "--authserv-id", "x",
            msg)
    case("missing key", p.returncode == 1, p.returncode)

    # help
    for sub, words in (("verify", [b"--json", b"--min-rsa-bits"]),
                       ("seal", [b"--authres", b"--authserv-id",
                                 b"--headers", b"--ip", b"--mail-from"])):
        p = run("arc", sub, "--help")
        case("help " + sub, p.returncode == 0 and
             all(w in p.stdout for w in words), p.stdout)
    p = run("--help")
    case("arc listed", b"arc" in p.stdout)


with tempfile.TemporaryDirectory() as d:
    main(d)
print("%d passed, %d failed" % (results.count(True), results.count(False)))
sys.exit(0 if results and all(results) else 1)
