#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`vouch check` BIMI area against real nginx HTTPS on loopback.

Logos and mark certificates are served by tests/fixtures/https-fixture.sh
(one site per host name, a fresh test CA, a private port); DNS comes from
a zone file (never the system resolver); each domain is checked with
  vouch check DOMAIN --zone Z --https-ca CA --https-connect-to ... \\
      --bimi-trust MARKROOT --json
and checks.bimi / findings are asserted: a good SVG with a good VMC; SVGs
with a script, without a title, with a raster image; a 404, a redirect,
an untrusted server certificate, an oversized logo, a server too slow, a
wrong Content-Type; mark
certificates made here with the openssl CLI (mark_cert below writes the
RFC 3709 logotype extension with the SVG's hash): expired, wrong EKU,
wrong domain, another SVG, another root; no --bimi-trust; --no-fetch;
--bimi-selector; DMARC not enforcing.
Prints "N passed, N failed"; exit 77 (skip) without nginx/openssl.
usage: check_bimi.py VOUCH SOURCE_ROOT
"""
import base64
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import fixture

VOUCH, SRC = sys.argv[1], sys.argv[2]
FIXTURE = os.path.join(SRC, "tests", "fixtures", "https-fixture.sh")
PORT = "18454"
IMG = "img.bimi.loc"             # the logo host (valid certificate)
ROGUE = "rogue.bimi.loc"         # a certificate no one trusts
PLAIN = "plain.bimi.loc"         # serves everything as text/plain
SLOW = "slow.bimi.loc"           # one byte a second
MOVED = "moved.bimi.loc"         # redirects everything to IMG
results = []


def case(name, cond, detail=""):
    results.append(bool(cond))
    if not cond:
        print("FAIL %s %s" % (name, detail))


HEAD = ('<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" version="1.2" '
        'baseProfile="tiny-ps" viewBox="0 0 10 10">\n')
GOOD_SVG = HEAD + '<title>Brand</title>\n<rect width="5" height="5"/>\n</svg>\n'
OTHER_SVG = HEAD + '<title>Other</title>\n<circle r="3"/>\n</svg>\n'
SVGS = {
    "good.svg": GOOD_SVG,
    "other.svg": OTHER_SVG,
    "script.svg": HEAD + '<title>B</title>\n<script>alert(1)</script>\n'
                         '</svg>\n',
    "notitle.svg": HEAD + '<rect width="5" height="5"/>\n</svg>\n',
    "raster.svg": HEAD + '<title>B</title>\n<image width="5" height="5" '
                         'xlink:href="data:image/png;base64,iVBORw0KGgo="/>'
                         '\n</svg>\n',
    # over the 32 KiB cap
    "big.svg": HEAD + '<title>B</title>\n' +
               '<rect width="1" height="1"/>\n' * 1400 + '</svg>\n',
}

# domain -> l= and a= (file names on IMG unless a full URL), the DMARC
# policy, and the selector the record is published under
SCENARIOS = {
    "good.loc": dict(l="good.svg", a="vmc-good.pem"),
    "script.loc": dict(l="script.svg"),
    "notitle.loc": dict(l="notitle.svg"),
    "raster.loc": dict(l="raster.svg"),
    "missing.loc": dict(l="nothere.svg"),
    "untrusted.loc": dict(l="https://%s/good.svg" % ROGUE),
    "big.loc": dict(l="big.svg"),
    "ctype.loc": dict(l="https://%s/good.svg" % PLAIN),
    "slow.loc": dict(l="https://%s/good.svg" % SLOW),
    "moved.loc": dict(l="https://%s/good.svg" % MOVED),
    "expired.loc": dict(l="good.svg", a="vmc-expired.pem"),
    "eku.loc": dict(l="good.svg", a="vmc-eku.pem"),
    "wrongdom.loc": dict(l="good.svg", a="vmc-wrongdom.pem"),
    "mismatch.loc": dict(l="good.svg", a="vmc-mismatch.pem"),
    "otherroot.loc": dict(l="good.svg", a="vmc-otherroot.pem"),
    "vmcmissing.loc": dict(l="good.svg", a="vmc-nothere.pem"),
    "weak.loc": dict(l="good.svg", dmarc="none"),
    "sel.loc": dict(l="good.svg", selector="brand"),
}

# mark certificate -> (domain in subjectAltName, EKU, SVG in the
# logotype, validity, issuing root)
VMCS = {
    "vmc-good.pem": ("good.loc", "bimi", GOOD_SVG, "now", "mark"),
    "vmc-expired.pem": ("expired.loc", "bimi", GOOD_SVG, "past", "mark"),
    "vmc-eku.pem": ("eku.loc", "serverAuth", GOOD_SVG, "now", "mark"),
    "vmc-wrongdom.pem": ("other.loc", "bimi", GOOD_SVG, "now", "mark"),
    "vmc-mismatch.pem": ("mismatch.loc", "bimi", OTHER_SVG, "now", "mark"),
    "vmc-otherroot.pem": ("otherroot.loc", "bimi", GOOD_SVG, "now",
                          "other"),
}


# ---- DER for the logotype extension (RFC 3709) -------------------------

def der(tag, body):
    n = len(body)
    if n < 0x80:
        head = bytes([n])
    else:
        ln = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(ln)]) + ln
    return bytes([tag]) + head + body


def logotype(svg):
    """LogotypeExtn with one direct subject logo: image/svg+xml, its
    SHA-256, and a data: URI of the gzip'ed SVG."""
    img = gzip.compress(svg.encode(), mtime=0)
    sha256_alg = der(0x30, der(0x06, bytes.fromhex("608648016503040201")) +
                     der(0x05, b""))
    hash_val = der(0x30, sha256_alg + der(0x04, hashlib.sha256(img).digest()))
    uri = b"data:image/svg+xml;base64," + base64.b64encode(img)
    details = der(0x30, der(0x16, b"image/svg+xml") + der(0x30, hash_val) +
                  der(0x30, der(0x16, uri)))
    image = der(0x30, details)                 # LogotypeImage
    # direct [0] LogotypeData (IMPLICIT: the tag replaces its SEQUENCE)
    # holding image SEQUENCE OF LogotypeImage; subjectLogo [2] (a CHOICE,
    # so explicit); LogotypeExtn
    data = der(0xa0, der(0x30, image))
    return der(0x30, der(0xa2, data))


# ---- certificates with the openssl CLI ---------------------------------

def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True,
                   capture_output=True)


def make_ca(d, name, cn):
    """A CA in d/name: key, self-signed certificate, `openssl ca` set-up."""
    ca = os.path.join(d, name)
    os.makedirs(os.path.join(ca, "newcerts"))
    open(os.path.join(ca, "index.txt"), "w").close()
    with open(os.path.join(ca, "serial"), "w") as f:
        f.write("1000\n")
    with open(os.path.join(ca, "ca.cnf"), "w") as f:
        f.write("[ca]\ndefault_ca = c\n[c]\ndir = %s\n"
                "database = $dir/index.txt\nnew_certs_dir = $dir/newcerts\n"
                "serial = $dir/serial\ncertificate = $dir/ca.pem\n"
                "private_key = $dir/ca.key\ndefault_md = sha256\n"
                "policy = p\nunique_subject = no\n[p]\n"
                "commonName = supplied\n" % ca)
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
            "-out", "ca.pem", "-days", "3650", "-subj", "/CN=" + cn,
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=ca)
    return ca


def mark_cert(work, ca, out, domain, eku, svg, when):
    """Issue a mark certificate for domain into out (PEM, leaf only)."""
    base = os.path.join(work, os.path.basename(out))
    ext = base + ".ext"
    with open(ext, "w") as f:
        f.write("[leaf]\nbasicConstraints = critical, CA:FALSE\n"
                "keyUsage = critical, digitalSignature\n"
                "extendedKeyUsage = %s\nsubjectAltName = DNS:%s\n"
                "1.3.6.1.5.5.7.1.12 = DER:%s\n"
                % ("1.3.6.1.5.5.7.3.31" if eku == "bimi" else eku, domain,
                   logotype(svg).hex()))
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-nodes", "-keyout", base + ".key",
            "-out", base + ".csr", "-subj", "/CN=Brand of " + domain,
            cwd=work)
    if when == "past":
        start, end = "20200101000000Z", "20210101000000Z"
    else:
        start, end = "20250101000000Z", "20350101000000Z"
    openssl("ca", "-batch", "-config", os.path.join(ca, "ca.cnf"), "-notext",
            "-extfile", ext, "-extensions", "leaf", "-in", base + ".csr",
            "-out", out, "-startdate", start, "-enddate", end, cwd=work)


# ---- sites and zone -----------------------------------------------------

def write_sites(work, sites):
    for host, kind, conf in [(IMG, "valid", None),
                             (ROGUE, "untrusted", None),
                             (PLAIN, "valid",
                              "types { } default_type text/plain;"),
                             (SLOW, "valid", "limit_rate 1;"),
                             (MOVED, "valid",
                              "return 301 https://%s$request_uri;" % IMG)]:
        d = os.path.join(sites, host)
        os.makedirs(d)
        with open(os.path.join(d, "cert"), "w") as f:
            f.write(kind + "\n")
        if conf:
            with open(os.path.join(d, "server.conf"), "w") as f:
                f.write(conf + "\n")
        for name, text in SVGS.items():
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
    cas = {"mark": make_ca(work, "mark", "Test Mark Root"),
           "other": make_ca(work, "other", "Other Mark Root")}
    for name, (dom, eku, svg, when, root) in VMCS.items():
        mark_cert(work, cas[root], os.path.join(sites, IMG, name), dom, eku,
                  svg, when)
    for dirpath, dirnames, filenames in os.walk(sites):
        for n in dirnames + filenames:
            os.chmod(os.path.join(dirpath, n),
                     0o755 if n in dirnames else 0o644)
    return os.path.join(cas["mark"], "ca.pem")


def url(v):
    return v if v.startswith("https://") else "https://%s/%s" % (IMG, v)


def write_zone(path):
    with open(path, "w") as f:
        f.write("$TTL 300\n")
        for dom, sc in SCENARIOS.items():
            f.write("%s. MX 10 mx.%s.\nmx.%s. A 192.0.2.10\n"
                    % (dom, dom, dom))
            f.write("%s. TXT \"v=spf1 mx -all\"\n" % dom)
            f.write("_dmarc.%s. TXT \"v=DMARC1; p=%s; rua=mailto:d@%s\"\n"
                    % (dom, sc.get("dmarc", "reject"), dom))
            rec = "v=BIMI1; l=%s" % url(sc["l"])
            if sc.get("a"):
                rec += "; a=%s" % url(sc["a"])
            f.write("%s._bimi.%s. TXT \"%s\"\n"
                    % (sc.get("selector", "default"), dom, rec))


# ---- the cases ------------------------------------------------------------

def check(zone, ca, trust, dom, *extra):
    args = [VOUCH, "check", dom, "--zone", zone, "--https-ca", ca,
            "--https-connect-to", "::127.0.0.1:" + PORT, "--no-discovery",
            "--json", *extra]
    if trust is not None:
        args += ["--bimi-trust", trust]
    p = subprocess.run(args, capture_output=True, text=True, timeout=120)
    # a sanitizer build reports on stderr (and leaks at exit)
    case(dom + " clean exit", p.returncode == 0 and
         "Sanitizer" not in p.stderr and "runtime error" not in p.stderr,
         "rc %d: %s" % (p.returncode, p.stderr[:600]))
    try:
        return json.loads(p.stdout)
    except ValueError:
        print("FAIL %s: no JSON (rc %d): %s" % (dom, p.returncode,
                                                p.stderr[:300]))
        return {"checks": {"bimi": {}}, "findings": [], "plan": []}


def finding(o, fid):
    for f in o["findings"]:
        if f["id"] == fid:
            return f
    return None


def bimi_ids(o, sev=("warning", "error", "critical")):
    return sorted(f["id"] for f in o["findings"]
                  if f["area"] == "bimi" and f["severity"] in sev)


def run_cases(zone, ca, trust):
    # good SVG and good VMC: no BIMI warning or error
    o = check(zone, ca, trust, "good.loc")
    b = o["checks"]["bimi"]
    logo, vmc = b.get("logo") or {}, b.get("vmc") or {}
    case("good: no findings", bimi_ids(o) == [], str(bimi_ids(o)))
    case("good: area", b.get("status") == "ok" and b.get("score") == 100 and
         b.get("weight") == 0 and b.get("selector") == "default" and
         b.get("valid") is True and b.get("dmarc_enforces") is True, str(b))
    case("good: logo", logo.get("url") == "https://%s/good.svg" % IMG and
         logo.get("fetch") == "ok" and logo.get("status") == 200 and
         logo.get("valid") is True and logo.get("findings") == 0 and
         logo.get("bytes") == len(GOOD_SVG) and
         logo.get("content_type", "").startswith("image/svg+xml") and
         logo.get("sha256") == hashlib.sha256(GOOD_SVG.encode()).hexdigest(),
         str(logo))
    case("good: vmc", vmc.get("fetch") == "ok" and vmc.get("valid") is True
         and vmc.get("chain_checked") is True and vmc.get("chain") is True
         and vmc.get("validity") is True and vmc.get("eku") is True and
         vmc.get("domain") is True and vmc.get("logo_found") is True and
         vmc.get("svg_match") is True and vmc.get("certificates") == 1 and
         "Brand of good.loc" in (vmc.get("subject") or "") and
         vmc.get("findings") == 0, str(vmc))
    case("good: vmc validity as UTC times",
         all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                          vmc.get(k) or "")
             for k in ("not_before", "not_after")) and
         vmc["not_before"] < vmc["not_after"], str(vmc))
    case("good: no BIMI plan step",
         all(p["area"] != "bimi" for p in o["plan"]), str(o["plan"]))

    # the same without a trust store: the chain is said not checked
    o = check(zone, ca, None, "good.loc")
    vmc = o["checks"]["bimi"].get("vmc") or {}
    f = finding(o, "bimi-vmc-chain-unchecked")
    case("no trust: finding", f is not None and f["severity"] == "warning"
         and "--bimi-trust" in f["explanation"], str(f))
    case("no trust: not a pass", vmc.get("valid") is None and
         vmc.get("chain_checked") is False and vmc.get("chain") is None and
         vmc.get("eku") is True and vmc.get("svg_match") is True, str(vmc))

    # --no-fetch: the record only
    o = check(zone, ca, trust, "good.loc", "--no-fetch")
    b = o["checks"]["bimi"]
    case("no-fetch", (b.get("logo") or {}).get("fetch") == "not-fetched" and
         (b.get("vmc") or {}).get("fetch") == "not-fetched" and
         (b.get("logo") or {}).get("valid") is None and
         finding(o, "bimi-not-fetched") is not None, str(b))

    # SVG profile violations, each its finding; no a=: the VMC note
    for dom, fid in [("script.loc", "bimi-svg-script"),
                     ("notitle.loc", "bimi-svg-no-title"),
                     ("raster.loc", "bimi-svg-image")]:
        o = check(zone, ca, trust, dom)
        b = o["checks"]["bimi"]
        logo = b.get("logo") or {}
        f = finding(o, fid)
        case(dom + " finding", f is not None and f["severity"] == "error" and
             "line" in f["explanation"], str(bimi_ids(o)))
        case(dom + " logo", logo.get("fetch") == "ok" and
             logo.get("valid") is False and logo.get("findings", 0) >= 1 and
             b.get("status") == "fail" and b.get("vmc") is None, str(logo))
        case(dom + " no-vmc note", finding(o, "bimi-no-vmc") is not None,
             str(bimi_ids(o, ("info",))))

    # fetch failures
    for dom, fetch, fid, status, words in [
            ("missing.loc", "http-status", "bimi-logo-fetch-status", 404,
             "404"),
            ("untrusted.loc", "certificate", "bimi-logo-fetch-certificate",
             None, "certificate"),
            ("big.loc", "too-big", "bimi-logo-fetch-too-big", 200,
             "32768"),
            ("moved.loc", "http-status", "bimi-logo-fetch-status", 301,
             "redirect to https://%s/good.svg" % IMG),
            ("slow.loc", "timeout", "bimi-logo-fetch-timeout", None,
             "too slow")]:
        o = check(zone, ca, trust, dom)
        logo = o["checks"]["bimi"].get("logo") or {}
        f = finding(o, fid)
        case(dom + " fetch", logo.get("fetch") == fetch and
             logo.get("status") == status and logo.get("valid") is None and
             words in (logo.get("reason") or ""), str(logo))
        case(dom + " finding", f is not None and f["severity"] == "error"
             and logo.get("url", "-") in f["explanation"], str(f))
    o = check(zone, ca, trust, "vmcmissing.loc")
    vmc = o["checks"]["bimi"].get("vmc") or {}
    case("vmc 404", vmc.get("fetch") == "http-status" and
         vmc.get("status") == 404 and vmc.get("valid") is None and
         finding(o, "bimi-vmc-fetch-status") is not None, str(vmc))

    # wrong Content-Type: a warning, the SVG is still checked
    o = check(zone, ca, trust, "ctype.loc")
    logo = o["checks"]["bimi"].get("logo") or {}
    f = finding(o, "bimi-logo-content-type")
    case("content-type", f is not None and f["severity"] == "warning" and
         "text/plain" in f["explanation"] and logo.get("valid") is True,
         str(logo))

    # mark certificates, each with its one finding
    for dom, fid, field in [("expired.loc", "bimi-vmc-validity", "validity"),
                            ("eku.loc", "bimi-vmc-eku", "eku"),
                            ("wrongdom.loc", "bimi-vmc-domain", "domain"),
                            ("mismatch.loc", "bimi-vmc-svg-mismatch",
                             "svg_match"),
                            ("otherroot.loc", "bimi-vmc-chain", "chain")]:
        o = check(zone, ca, trust, dom)
        vmc = o["checks"]["bimi"].get("vmc") or {}
        ids = bimi_ids(o)
        case(dom + " finding", ids == [fid], str(ids))
        case(dom + " vmc", vmc.get("fetch") == "ok" and
             vmc.get("valid") is False and vmc.get(field) is False and
             vmc.get("findings") == 1 and
             (o["checks"]["bimi"].get("logo") or {}).get("valid") is True,
             str(vmc))

    # DMARC not enforcing: the logo is still checked, no BIMI plan step
    o = check(zone, ca, trust, "weak.loc")
    b = o["checks"]["bimi"]
    case("weak: dmarc", finding(o, "bimi-dmarc-not-enforced") is not None
         and b.get("dmarc_enforces") is False and
         (b.get("logo") or {}).get("valid") is True, str(bimi_ids(o)))
    case("weak: no BIMI plan step",
         all(p["area"] != "bimi" for p in o["plan"]), str(o["plan"]))

    # --bimi-selector
    o = check(zone, ca, trust, "sel.loc")
    case("selector default: none", finding(o, "bimi-none") is not None,
         str(bimi_ids(o, ("info",))))
    o = check(zone, ca, trust, "sel.loc", "--bimi-selector", "brand")
    b = o["checks"]["bimi"]
    case("selector brand", b.get("selector") == "brand" and
         b.get("records") == 1 and (b.get("logo") or {}).get("valid") is True
         and finding(o, "bimi-none") is None, str(b))

    # the human report
    p = subprocess.run(
        [VOUCH, "check", "good.loc", "--zone", zone, "--https-ca", ca,
         "--https-connect-to", "::127.0.0.1:" + PORT, "--no-discovery",
         "--bimi-trust", trust], capture_output=True, text=True, timeout=120)
    case("human", "logo valid, VMC valid" in p.stdout and
         "BIMI logo: https://%s/good.svg" % IMG in p.stdout and
         "BIMI VMC: " in p.stdout, p.stdout[:600])


def main():
    rc = fixture.missing(("nginx", "openssl"), "nginx-light, openssl")
    if rc is not None:
        return rc
    work = tempfile.mkdtemp(prefix="vouch-checkbimi-")
    os.chmod(work, 0o755)
    state = os.path.join(work, "state")
    sites = os.path.join(work, "sites")
    zone = os.path.join(work, "bimi.zone")
    os.makedirs(sites)
    trust = write_sites(work, sites)
    write_zone(zone)
    env = dict(os.environ, FIXTURE_STATE_DIR=state, HTTPS_PORT=PORT)
    try:
        with fixture.running(FIXTURE, [sites], env) as fx:
            run_cases(zone, fx["HTTPS_CA"], trust)
    except fixture.NotStarted as e:
        return fixture.not_started(e)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return fixture.summary(results)


if __name__ == "__main__":
    sys.exit(main())
