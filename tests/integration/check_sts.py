#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`vouch check` MTA-STS and TLS-RPT areas against real nginx HTTPS.

One HTTPS site per scenario (tests/fixtures/https-fixture.sh on a private
port with a fresh test CA); DNS comes from a zone file (never the system
resolver); each domain is checked with
  vouch check DOMAIN --zone Z --https-ca CA --https-connect-to ... --json
and checks.mtasts / checks.tlsrpt / findings are asserted: a valid
enforce policy matching every MX, testing mode, an MX not covered,
max_age too short, a policy syntax error, wrong Content-Type, a redirect,
a 404, an untrusted certificate, and --no-fetch.
Prints "N passed, N failed"; exit 77 (skip) without nginx/openssl.
usage: check_sts.py VOUCH SOURCE_ROOT
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import fixture

VOUCH, SRC = sys.argv[1], sys.argv[2]
FIXTURE = os.path.join(SRC, "tests", "fixtures", "https-fixture.sh")
PORT = "18453"
results = []


def case(name, cond, detail=""):
    results.append(bool(cond))
    if not cond:
        print("FAIL %s %s" % (name, detail))


def policy(mode, mx, max_age=1209600):
    return "version: STSv1\nmode: %s\n%smax_age: %d\n" % (
        mode, "".join("mx: %s\n" % m for m in mx), max_age)


# domain -> site: policy body (None: no file), cert kind, nginx directives;
# zone: the MX hosts of the domain
SCENARIOS = {
    "enforce.loc": dict(body=policy("enforce", ["*.enforce.loc"]),
                        mx=["mx1.enforce.loc", "mx2.enforce.loc"]),
    "testing.loc": dict(body=policy("testing", ["mx.testing.loc"]),
                        mx=["mx.testing.loc"]),
    "uncovered.loc": dict(body=policy("enforce", ["mx.uncovered.loc"]),
                          mx=["mx.uncovered.loc", "backup.other.loc"]),
    "short.loc": dict(body=policy("enforce", ["mx.short.loc"], 3600),
                      mx=["mx.short.loc"]),
    "syntax.loc": dict(body="version: STSv1\nmode: enforce\nmode: none\n"
                            "mx: mx.syntax.loc\nmax_age: 86400\n",
                       mx=["mx.syntax.loc"]),
    "ctype.loc": dict(body=policy("enforce", ["mx.ctype.loc"]),
                      mx=["mx.ctype.loc"],
                      conf="types { } default_type text/html;"),
    "redirect.loc": dict(body=None, mx=["mx.redirect.loc"],
                         conf="return 301 https://mta-sts.enforce.loc"
                              "/.well-known/mta-sts.txt;"),
    "missing.loc": dict(body=None, mx=["mx.missing.loc"]),
    "untrusted.loc": dict(body=policy("enforce", ["mx.untrusted.loc"]),
                          mx=["mx.untrusted.loc"], cert="untrusted"),
}


def write_sites(root):
    for dom, sc in SCENARIOS.items():
        d = os.path.join(root, "mta-sts." + dom)
        os.makedirs(os.path.join(d, ".well-known"))
        with open(os.path.join(d, "cert"), "w") as f:
            f.write(sc.get("cert", "valid") + "\n")
        if sc["body"] is not None:
            with open(os.path.join(d, ".well-known", "mta-sts.txt"),
                      "w") as f:
                f.write(sc["body"])
        if sc.get("conf"):
            with open(os.path.join(d, "server.conf"), "w") as f:
                f.write(sc["conf"] + "\n")


def write_zone(path):
    with open(path, "w") as f:
        f.write("$TTL 300\n")
        for dom, sc in SCENARIOS.items():
            for i, mx in enumerate(sc["mx"]):
                f.write("%s. MX %d %s.\n" % (dom, 10 * (i + 1), mx))
                f.write("%s. A 192.0.2.%d\n" % (mx, 10 + i))
            f.write("_mta-sts.%s. TXT \"v=STSv1; id=20260101T000000\"\n"
                    % dom)
            if dom != "testing.loc":
                f.write("_smtp._tls.%s. TXT \"v=TLSRPTv1; "
                        "rua=mailto:tls@%s\"\n" % (dom, dom))


def check(zone, ca, dom, *extra):
    # the first mapping names another host: the second one must be used
    p = subprocess.run(
        [VOUCH, "check", dom, "--zone", zone, "--https-ca", ca,
         "--https-connect-to", "mta-sts.nowhere.loc:443:127.0.0.1:9",
         "--https-connect-to", "::127.0.0.1:" + PORT, "--no-discovery",
         "--json", *extra],
        capture_output=True, text=True, timeout=120)
    try:
        o = json.loads(p.stdout)
    except ValueError:
        print("FAIL %s: no JSON (rc %d): %s" % (dom, p.returncode,
                                                p.stderr[:300]))
        return {"checks": {"mtasts": {}, "tlsrpt": {}}, "findings": [],
                "plan": []}
    return o


def finding(o, fid):
    for f in o["findings"]:
        if f["id"] == fid:
            return f
    return None


def sts_ids(o):
    return sorted(f["id"] for f in o["findings"] if f["area"] == "mtasts")


def run_cases(zone, ca):
    # a valid enforce policy whose wildcard covers every MX
    o = check(zone, ca, "enforce.loc")
    s = o["checks"]["mtasts"]
    case("enforce status", s.get("status") == "ok" and
         s.get("score") == 100, str(s))
    case("enforce fields", s.get("policy_fetch") == "ok" and
         s.get("mode") == "enforce" and s.get("max_age") == 1209600 and
         s.get("mx") == ["*.enforce.loc"] and s.get("mx_covered") is True and
         s.get("id") == "20260101T000000" and
         s.get("record") == "v=STSv1; id=20260101T000000" and
         s.get("mx_uncovered") == [], str(s))
    case("enforce url", s.get("policy_url") ==
         "https://mta-sts.enforce.loc/.well-known/mta-sts.txt", str(s))
    case("enforce no findings", sts_ids(o) == [], str(sts_ids(o)))
    t = o["checks"]["tlsrpt"]
    case("tlsrpt valid", t.get("status") == "ok" and t.get("valid") is True
         and t.get("rua") == ["mailto:tls@enforce.loc"], str(t))

    # testing: advise enforce, with the policy to serve; no TLS-RPT here
    o = check(zone, ca, "testing.loc")
    s = o["checks"]["mtasts"]
    case("testing fields", s.get("mode") == "testing" and
         s.get("mx_covered") is True and s.get("status") == "warning", str(s))
    f = finding(o, "mtasts-testing")
    case("testing finding", f is not None and f["severity"] == "warning" and
         "mode: enforce" in f["fix"] and "mx: mx.testing.loc" in f["fix"] and
         "Publish a TLS-RPT record" in f["explanation"], str(f))
    f = finding(o, "tlsrpt-none")
    case("tlsrpt-none with MTA-STS is a warning", f is not None and
         f["severity"] == "warning", str(f))
    areas = [p["area"] for p in o["plan"]]
    case("plan: tlsrpt then mtasts", "tlsrpt" in areas and "mtasts" in areas
         and areas.index("tlsrpt") < areas.index("mtasts"), str(areas))

    # an MX the enforce policy does not list: critical, grade capped
    o = check(zone, ca, "uncovered.loc")
    s = o["checks"]["mtasts"]
    case("uncovered list", s.get("mx_uncovered") == ["backup.other.loc"],
         str(s))
    case("uncovered fields", s.get("mx_covered") is False and
         s.get("status") == "fail" and s.get("score") == 0, str(s))
    f = finding(o, "mtasts-mx-uncovered")
    case("uncovered finding", f is not None and f["severity"] == "critical"
         and "backup.other.loc" in f["explanation"] and
         "mx: mx.uncovered.loc\nmx: backup.other.loc" in f["fix"] and
         "mode: enforce" in f["fix"], str(f))
    case("uncovered caps the score", o.get("score", 100) <= 59,
         o.get("score"))

    # max_age under a day
    o = check(zone, ca, "short.loc")
    f = finding(o, "mtasts-max-age-short")
    case("max_age short", f is not None and f["severity"] == "warning" and
         "max_age: 604800" in f["fix"] and
         o["checks"]["mtasts"].get("max_age") == 3600, str(f))

    # fetch failures: each a finding with the reason
    for dom, status, fid, words in [
            ("syntax.loc", "policy", "mtasts-policy-syntax", "line 3"),
            ("ctype.loc", "content-type", "mtasts-fetch-content-type",
             "text/html"),
            ("redirect.loc", "redirect", "mtasts-fetch-redirect", "301"),
            ("missing.loc", "http-status", "mtasts-fetch-status", "404"),
            ("untrusted.loc", "certificate", "mtasts-fetch-certificate",
             "certificate")]:
        o = check(zone, ca, dom)
        s = o["checks"]["mtasts"]
        case(dom + " policy_fetch", s.get("policy_fetch") == status and
             s.get("mode") is None and s.get("mx_covered") is None and
             s.get("status") == "fail", str(s))
        case(dom + " reason", words in (s.get("policy_fetch_reason") or ""),
             str(s.get("policy_fetch_reason")))
        f = finding(o, fid)
        case(dom + " finding", f is not None and f["severity"] == "error" and
             words in f["explanation"] and "mode: testing" in f["fix"],
             str(f))
        if status == "policy":
            case("policy line", s.get("policy_line") == 3, str(s))

    # --no-fetch: the record only
    o = check(zone, ca, "enforce.loc", "--no-fetch")
    s = o["checks"]["mtasts"]
    case("no-fetch", s.get("policy_fetch") == "not-fetched" and
         s.get("mode") is None and s.get("id") == "20260101T000000" and
         finding(o, "mtasts-not-fetched") is not None, str(s))

    # without the test CA the fixture's certificate is not trusted
    p = subprocess.run(
        [VOUCH, "check", "enforce.loc", "--zone", zone,
         "--https-connect-to", "::127.0.0.1:" + PORT, "--no-discovery",
         "--json"], capture_output=True, text=True, timeout=120)
    o = json.loads(p.stdout) if p.stdout else {"checks": {"mtasts": {}}}
    case("system store rejects the test CA",
         o["checks"]["mtasts"].get("policy_fetch") == "certificate",
         str(o["checks"]["mtasts"]))


def main():
    rc = fixture.missing(("nginx", "openssl"), "nginx-light, openssl")
    if rc is not None:
        return rc
    work = tempfile.mkdtemp(prefix="vouch-checksts-")
    os.chmod(work, 0o755)
    state = os.path.join(work, "state")
    sites = os.path.join(work, "sites")
    zone = os.path.join(work, "sts.zone")
    os.makedirs(sites)
    write_sites(sites)
    write_zone(zone)
    fixture.readable(sites)
    env = dict(os.environ, FIXTURE_STATE_DIR=state, HTTPS_PORT=PORT)
    try:
        with fixture.running(FIXTURE, [sites], env) as fx:
            run_cases(zone, fx["HTTPS_CA"])
    except fixture.NotStarted as e:
        return fixture.not_started(e)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return fixture.summary(results)


if __name__ == "__main__":
    sys.exit(main())
