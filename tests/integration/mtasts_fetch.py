#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""MTA-STS discovery and policy fetch against real nginx HTTPS on loopback.

Builds one HTTPS site per scenario of
$VOUCH_TESTDATA/mta-sts/postfix-resolver-scenarios.json (see its
SOURCES.md) plus the extra scenarios below (redirects, slow and silent
servers, an expired certificate, the 64 KiB boundary, Content-Type
parameters), starts tests/fixtures/https-fixture.sh on a private port with
a fresh test CA, and runs build/tests/integration/test_mtasts_fetch, which
takes the TXT records from zone text (never the system resolver), fetches
through vouch_mtasts_discover() with the fixture's CA and a connect-to
mapping to 127.0.0.1:PORT, and prints "N passed, N failed".
Exit 77 (skip) when nginx/openssl or the test data are missing.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import fixture

PROG, SRC = sys.argv[1], sys.argv[2]
FIXTURE = os.path.join(SRC, "tests", "fixtures", "https-fixture.sh")
PORT = "18443"

POLICY = "version: STSv1\nmode: enforce\nmx: mail.loc\nmax_age: 86400\n"
GOOD_TXT = "v=STSv1; id=20240101T000000"


def padded(total):
    """A valid policy of exactly `total` bytes (an extension line pads)."""
    head = POLICY + "pad: "
    return head + "a" * (total - len(head) - 1) + "\n"


# Extra scenarios (same fields as the shared file, plus the fetch status
# vouch must report and the nginx directives of the site).
EXTRA = [
    dict(domain="redirect.loc", txt_record=GOOD_TXT, http_status=301,
         body=POLICY, tls="valid", expect="FETCH_ERROR",
         fetch_status="redirect",
         conf="return 301 https://mta-sts.good.loc/.well-known/mta-sts.txt;",
         note="3xx must not be followed (RFC 8461 §3.3)"),
    dict(domain="redirect302.loc", txt_record=GOOD_TXT, http_status=302,
         body=POLICY, tls="valid", expect="FETCH_ERROR",
         fetch_status="redirect",
         conf="return 302 /elsewhere.txt;", note="relative redirect"),
    dict(domain="slow.loc", txt_record=GOOD_TXT, http_status=200,
         body=padded(60000), tls="valid", expect="FETCH_ERROR",
         fetch_status="network", conf="limit_rate 1k;",
         note="a trickling server: the total timeout stops it"),
    dict(domain="expired.loc", txt_record=GOOD_TXT, http_status=200,
         body=POLICY, tls="expired", expect="FETCH_ERROR",
         fetch_status="certificate", note="certificate expired in 2020"),
    dict(domain="exact64k.loc", txt_record=GOOD_TXT, http_status=200,
         body=padded(65536), tls="valid", expect="VALID",
         note="a policy of exactly 64 KiB is accepted"),
    dict(domain="over64k.loc", txt_record=GOOD_TXT, http_status=200,
         body=padded(65537), tls="valid", expect="FETCH_ERROR",
         fetch_status="too-big", note="one byte over 64 KiB"),
    dict(domain="charset.loc", txt_record=GOOD_TXT, http_status=200,
         body=POLICY, tls="valid", expect="VALID",
         conf='types { } default_type "text/plain; charset=utf-8";',
         note="Content-Type parameters are allowed"),
    dict(domain="crlf.loc", txt_record=GOOD_TXT, http_status=200,
         body=POLICY.replace("\n", "\r\n"), tls="valid", expect="VALID",
         note="CRLF line ends"),
    dict(domain="silent.loc", txt_record=GOOD_TXT, http_status=200,
         body=None, tls=None, expect="FETCH_ERROR", fetch_status="network",
         server="silent",
         note="a server that accepts and never answers (no TLS hello)"),
    dict(domain="refused.loc", txt_record=GOOD_TXT, http_status=200,
         body=None, tls=None, expect="FETCH_ERROR", fetch_status="network",
         server="closed", note="nothing listens"),
    dict(domain="two-records.loc", txt_record=[GOOD_TXT, "v=STSv1; id=2"],
         http_status=200, body=POLICY, tls="valid", expect="NONE",
         note="two v=STSv1 records: RFC 8461 §3.1 says no policy"),
    dict(domain="other-txt.loc", txt_record=[GOOD_TXT, "v=spf1 -all"],
         http_status=200, body=POLICY, tls="valid", expect="VALID",
         note="TXT records not starting v=STSv1 are discarded"),
]


def site(root, sc):
    host = "mta-sts." + sc["domain"]
    d = os.path.join(root, host)
    os.makedirs(os.path.join(d, ".well-known"))
    body = sc.get("body")
    conf = [sc["conf"]] if sc.get("conf") else []
    if body is not None and body.startswith("<"):
        body = POLICY + "a" * 131136  # the shared file's placeholder
        if "chunked" in sc["domain"]:
            # the sub filter drops Content-Length: chunked encoding
            conf.append("sub_filter_types text/plain;")
            conf.append("sub_filter 'zzz' 'y';")
    if sc.get("content_type") not in (None, "text/plain"):
        conf.append("types { } default_type %s;" % sc["content_type"])
    tls = sc.get("tls")
    if tls and "untrusted" in tls:
        kind = "untrusted"
    elif tls and tls.startswith("certificate names only"):
        kind = "name=" + sc["domain"]
    elif tls == "expired":
        kind = "expired"
    else:
        kind = "valid"
    with open(os.path.join(d, "cert"), "w") as f:
        f.write(kind + "\n")
    if body is not None and sc.get("http_status") == 200:
        with open(os.path.join(d, ".well-known", "mta-sts.txt"), "w",
                  newline="") as f:
            f.write(body)
    if conf:
        with open(os.path.join(d, "server.conf"), "w") as f:
            f.write("\n".join(conf) + "\n")


def main():
    rc = fixture.missing(("nginx", "openssl"), "nginx-light, openssl")
    if rc is not None:
        return rc
    data = os.environ.get("VOUCH_TESTDATA") or \
        os.environ.get("VOUCH_TESTDATA_DEFAULT", "")
    shared = os.path.join(data, "mta-sts", "postfix-resolver-scenarios.json")
    if not os.path.isfile(shared):
        print("SKIP: %s missing (set VOUCH_TESTDATA)" % shared)
        return 77
    with open(shared) as f:
        scenarios = json.load(f)["scenarios"]
    work = tempfile.mkdtemp(prefix="vouch-mtasts-")
    os.chmod(work, 0o755)
    state = os.path.join(work, "state")
    sites = os.path.join(work, "sites")
    os.makedirs(sites)
    for sc in scenarios + EXTRA:
        if sc.get("body") is not None or sc.get("http_status") != 200:
            if sc["domain"].startswith(".") or sc.get("server"):
                continue
            site(sites, sc)
    extra = os.path.join(work, "extra.json")
    with open(extra, "w") as f:
        json.dump({"scenarios": [{k: v for k, v in sc.items() if k != "conf"}
                                 for sc in EXTRA]}, f)
    fixture.readable(work)
    env = dict(os.environ, FIXTURE_STATE_DIR=state, HTTPS_PORT=PORT)
    try:
        with fixture.running(FIXTURE, [sites], env) as fx:
            return subprocess.run([PROG, PORT, fx["HTTPS_CA"], shared, extra],
                                  timeout=300).returncode
    except fixture.NotStarted as e:
        return fixture.not_started(e)
    finally:
        shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    sys.exit(main())
