#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`vouch check --smtp-probe` against real SMTP servers on loopback.

tests/fixtures/smtp_starttls.py runs one listener per scenario (STARTTLS
with a good, wrong-name, untrusted or expired certificate; no STARTTLS;
STARTTLS refused with 454; a silent server; an endless greeting line; an
endless multi-line greeting),
each MX name is mapped to its listener with --https-connect-to
MX:25:127.0.0.1:PORT, and a small HTTPS server (python ssl) serves the
MTA-STS policies that set the severities. Certificates come from a
throwaway CA made here with openssl; DNS from a zone file (never the
system resolver). checks.mtasts.probes and the findings are asserted,
also that many hosts failing alike give one finding naming them.
Prints "N passed, N failed"; exit 77 (skip) without openssl.
usage: check_smtp.py VOUCH SOURCE_ROOT
"""
import http.server
import json
import re
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

VOUCH, SRC = sys.argv[1], sys.argv[2]
FIXTURE = os.path.join(SRC, "tests", "fixtures", "smtp_starttls.py")
SILENT_MS = 1500
results = []


def case(name, cond, detail=""):
    results.append(bool(cond))
    if not cond:
        print("FAIL %s %s" % (name, str(detail)[:600]))


def policy(mode, mx):
    return ("version: STSv1\nmode: %s\n%smax_age: 1209600\n"
            % (mode, "".join("mx: %s\n" % m for m in mx)))


# domain -> MX hosts (name, listener) and the MTA-STS policy (None: none)
SCENARIOS = {
    "good.test": ([("mx.good.test", "good")], "enforce"),
    "plain.test": ([("mx.plain.test", "plain")], "enforce"),
    "plainnopol.test": ([("mx.plainnopol.test", "plain")], None),
    "denied.test": ([("mx.denied.test", "denied")], None),
    "wrongname.test": ([("mx.wrongname.test", "wrong")], "enforce"),
    "untrusted.test": ([("mx.untrusted.test", "untrusted")], "testing"),
    "expired.test": ([("mx.expired.test", "expired")], None),
    "expiredenf.test": ([("mx.expiredenf.test", "expired")], "enforce"),
    "refused.test": ([("mx.refused.test", "closed")], "enforce"),
    "silent.test": ([("mx.silent.test", "silent")], None),
    "noquit.test": ([("mx.noquit.test", "noquit")], None),
    "endless.test": ([("mx.endless.test", "endless")], None),
    "manylines.test": ([("mx.manylines.test", "manylines")], None),
    "multi.test": ([("mx1.multi.test", "good"), ("mx2.multi.test", "plain")],
                   "enforce"),
    "slow.test": ([("mx%d.slow.test" % i, "silent") for i in range(1, 5)],
                  None),
    # sixteen hosts failing alike: port 25 blocked, no STARTTLS under enforce
    "blocked.test": ([("mx%d.blocked.test" % i, "closed")
                      for i in range(1, 17)], None),
    "plainmany.test": ([("mx%d.plainmany.test" % i, "plain")
                        for i in range(1, 17)], "enforce"),
}
MX_NAMES = [mx for mxs, _ in SCENARIOS.values() for mx, _ in mxs]


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True,
                   capture_output=True)


def make_certs(d):
    """CA, a second (untrusted) CA, and the leaf certificates."""
    for ca, cn in (("ca", "vouch test CA"), ("ca2", "untrusted CA")):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", ca + ".key", "-out", ca + ".pem", "-days", "2",
                "-subj", "/CN=" + cn, cwd=d)

    def leaf(name, names, ca, days):
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write("subjectAltName=%s\nbasicConstraints=CA:FALSE\n"
                    "extendedKeyUsage=serverAuth\n"
                    % ",".join("DNS:" + n for n in names))
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout",
                name + ".key", "-out", name + ".csr", "-subj",
                "/CN=" + names[0], cwd=d)
        # -days -1: notAfter a day before notBefore, i.e. expired now
        openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem",
                "-CAkey", ca + ".key", "-CAcreateserial", "-out",
                name + ".pem", "-days", str(days), "-extfile", name + ".ext",
                cwd=d)

    leaf("good", MX_NAMES, "ca", 2)
    leaf("wrong", ["mx.elsewhere.test", "smtp.elsewhere.test"], "ca", 2)
    leaf("untrusted", MX_NAMES, "ca2", 2)
    leaf("expired", MX_NAMES, "ca", -1)
    leaf("https", ["mta-sts." + dom for dom in SCENARIOS], "ca", 2)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_smtp(d):
    specs = [("good", "starttls:good.pem:good.key"),
             ("wrong", "starttls:wrong.pem:wrong.key"),
             ("untrusted", "starttls:untrusted.pem:untrusted.key"),
             ("expired", "starttls:expired.pem:expired.key"),
             ("noquit", "noquit:good.pem:good.key"),
             ("plain", "nostarttls"), ("denied", "refuse"),
             ("silent", "silent"), ("endless", "endless"),
             ("manylines", "manylines")]
    p = subprocess.Popen(
        [sys.executable, FIXTURE, "--log", os.path.join(d, "smtp.log")] +
        ["0:" + m for _, m in specs], cwd=d,
        stdout=subprocess.PIPE, text=True)
    words = p.stdout.readline().split()
    if not words or words[0] != "ready" or len(words) != len(specs) + 1:
        p.kill()
        raise RuntimeError("SMTP fixture did not start")
    ports = {name: int(w) for (name, _), w in zip(specs, words[1:])}
    ports["closed"] = free_port()  # nothing listens there
    return p, ports


class PolicyHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0]
        dom = host[len("mta-sts."):] if host.startswith("mta-sts.") else ""
        sc = SCENARIOS.get(dom)
        if self.path != "/.well-known/mta-sts.txt" or sc is None or \
                sc[1] is None:
            self.send_error(404)
            return
        body = policy(sc[1], [mx for mx, _ in sc[0]]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def start_https(d):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PolicyHandler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(d, "https.pem"),
                        os.path.join(d, "https.key"))
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def write_zone(path):
    with open(path, "w") as f:
        f.write("$TTL 300\n")
        for dom, (mxs, mode) in SCENARIOS.items():
            for i, (mx, _) in enumerate(mxs):
                f.write("%s. MX %d %s.\n" % (dom, 10 * (i + 1), mx))
                f.write("%s. A 192.0.2.%d\n" % (mx, 10 + i))
            if mode is not None:
                f.write("_mta-sts.%s. TXT \"v=STSv1; id=20261129\"\n" % dom)
                f.write("_smtp._tls.%s. TXT \"v=TLSRPTv1; "
                        "rua=mailto:tls@%s\"\n" % (dom, dom))


class Env:
    def __init__(self, work, ports, https_port):
        self.work, self.ports, self.https_port = work, ports, https_port
        self.zone = os.path.join(work, "smtp.zone")
        self.ca = os.path.join(work, "ca.pem")

    def argv(self, dom, *extra, probe=True):
        a = [VOUCH, "check", dom, "--zone", self.zone, "--https-ca",
             self.ca, "--no-discovery"]
        mxs = SCENARIOS[dom][0]
        if len(mxs) > 4:
            # more hosts than --https-connect-to takes (8): one listener
            a += ["--https-connect-to",
                  ":25:127.0.0.1:%d" % self.ports[mxs[0][1]]]
        else:
            for mx, listener in mxs:
                a += ["--https-connect-to",
                      "%s:25:127.0.0.1:%d" % (mx, self.ports[listener])]
        a += ["--https-connect-to", ":443:127.0.0.1:%d" % self.https_port]
        if probe:
            a.append("--smtp-probe")
        return a + list(extra)

    def session_log(self, listener):
        """The commands of the last session on a listener, as the fixture
        logged them (waiting up to 2 s for the fixture to see it end)."""
        port, path = str(self.ports[listener]), os.path.join(self.work,
                                                             "smtp.log")
        for _ in range(40):
            lines = []
            if os.path.exists(path):
                with open(path) as f:
                    lines = [l.split(" ", 1)[1].strip() for l in f
                             if l.split(" ", 1)[0] == port]
            if lines and lines[-1] == "END":
                break
            time.sleep(0.05)
        start = len(lines) - 1
        while start > 0 and lines[start - 1] != "END":
            start -= 1
        return lines[start:]

    def check(self, dom, *extra, probe=True):
        """JSON result, seconds taken, peak RSS of vouch in KiB."""
        out = os.path.join(self.work, "out.json")
        t0 = time.monotonic()
        err = os.path.join(self.work, "err.txt")
        with open(out, "w") as f, open(err, "w") as ef:
            p = subprocess.Popen(self.argv(dom, "--json", *extra,
                                           probe=probe),
                                 stdout=f, stderr=ef)
            _, status, usage = os.wait4(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(status)
        took = time.monotonic() - t0
        with open(err) as ef:
            # a sanitizer report (ASan build) also changes the status
            case(dom + " exit 0", p.returncode == 0,
                 "rc %d: %s" % (p.returncode, ef.read()[-400:]))
        try:
            with open(out) as f:
                o = json.load(f)
        except ValueError:
            print("FAIL %s: no JSON (rc %d)" % (dom, p.returncode))
            o = {"checks": {"mtasts": {}}, "findings": []}
        return o, took, usage.ru_maxrss


def finding(o, fid):
    for f in o.get("findings", []):
        if f["id"] == fid:
            return f
    return None


def smtp_ids(o):
    return sorted(f["id"] for f in o.get("findings", [])
                  if f["id"].startswith("smtp-"))


def named(text, dom, n):
    """How many of mx1.DOM .. mxN.DOM text names, and its "and N more"."""
    m = re.search(r" and (\d+) more", text)
    return (sum(("mx%d.%s" % (i, dom)) in text for i in range(1, n + 1)),
            int(m.group(1)) if m else 0)


def probes(o):
    return o["checks"]["mtasts"].get("probes") or [{}]


def run_cases(env):
    # a STARTTLS server with a valid certificate under an enforce policy
    o, _, rss_good = env.check("good.test")
    p = probes(o)[0]
    case("good probe", p.get("host") == "mx.good.test" and
         p.get("status") == "ok" and p.get("starttls") is True and
         p.get("tls") is True and p.get("cert_valid") is True and
         p.get("cert_problem") is None and p.get("error") is None, p)
    case("good cert facts", p.get("subject") == "CN=mx.good.test" and
         "mx.good.test" in p.get("names", []) and
         p.get("names_total") == len(MX_NAMES) and
         len(p.get("names", [])) == 8 and
         (p.get("not_after") or "").endswith("Z"), p)
    case("good no findings", smtp_ids(o) == [] and
         o["checks"]["mtasts"].get("status") == "ok", smtp_ids(o))
    # the session, as the server saw it: EHLO, STARTTLS, EHLO over TLS,
    # then QUIT over TLS (RFC 5321 §4.1.1.10), no mail transaction
    log = env.session_log("good")
    verbs = [" ".join(l.split()[:2 if l.startswith("TLS ") else 1])
             for l in log]
    case("good session ends with QUIT",
         verbs == ["EHLO", "STARTTLS", "TLS EHLO", "TLS QUIT", "END"], log)
    # --smtp-ehlo: the name given in both EHLOs (a final dot not sent)
    env.check("good.test", "--smtp-ehlo", "probe.vouch.test.")
    log = env.session_log("good")
    case("--smtp-ehlo name sent",
         [l for l in log if "EHLO" in l] ==
         ["EHLO probe.vouch.test", "TLS EHLO probe.vouch.test"], log)
    # a server that never answers QUIT: the probe's verdict stands and the
    # wait for the reply is at most a second, not the probe's time
    o, took, _ = env.check("noquit.test", "--smtp-timeout", "8000")
    p = probes(o)[0]
    log = env.session_log("noquit")
    case("noquit probe ok", p.get("status") == "ok" and
         p.get("cert_valid") is True and "TLS QUIT" in log, (p, log))
    case("noquit: QUIT waited at most a second", took < 4, took)
    o, _, _ = env.check("good.test", probe=False)
    case("no --smtp-probe: no probes",
         o["checks"]["mtasts"].get("probes", "absent") is None, o["checks"])

    # no STARTTLS: error under enforce, warning without a policy
    o, _, _ = env.check("plain.test")
    p = probes(o)[0]
    f = finding(o, "smtp-starttls-missing")
    case("plain probe", p.get("status") == "no-starttls" and
         p.get("starttls") is False and p.get("tls") is False and
         p.get("cert_valid") is False and p.get("subject") is None and
         "STARTTLS" in (p.get("error") or ""), p)
    case("plain enforce: error", f is not None and f["severity"] == "error"
         and f["area"] == "mtasts" and "mx.plain.test" in f["explanation"]
         and o["checks"]["mtasts"].get("status") == "fail", f)
    o, _, _ = env.check("plainnopol.test")
    f = finding(o, "smtp-starttls-missing")
    case("plain no policy: warning", f is not None and
         f["severity"] == "warning", f)

    # STARTTLS offered but refused with 454
    o, _, _ = env.check("denied.test")
    p = probes(o)[0]
    f = finding(o, "smtp-starttls-missing")
    case("denied probe", p.get("status") == "no-starttls" and
         "454" in (p.get("error") or ""), p)
    case("denied finding", f is not None and "454" in f["explanation"], f)

    # certificate for another name, under enforce
    o, _, _ = env.check("wrongname.test")
    p = probes(o)[0]
    f = finding(o, "smtp-cert-name")
    case("wrong name probe", p.get("status") == "certificate" and
         p.get("cert_problem") == "name" and p.get("starttls") is True and
         p.get("tls") is True and p.get("cert_valid") is False and
         p.get("names") == ["mx.elsewhere.test", "smtp.elsewhere.test"], p)
    case("wrong name finding", f is not None and f["severity"] == "error" and
         "mx.elsewhere.test" in f["explanation"], f)

    # certificate from an unknown CA, under testing: a warning
    o, _, _ = env.check("untrusted.test")
    p = probes(o)[0]
    f = finding(o, "smtp-cert-untrusted")
    case("untrusted probe", p.get("status") == "certificate" and
         p.get("cert_problem") == "untrusted" and
         p.get("cert_valid") is False and
         p.get("subject") == "CN=" + MX_NAMES[0] and
         "mx.untrusted.test" in p.get("names", []), p)
    case("untrusted finding", f is not None and f["severity"] == "warning"
         and "testing" in f["explanation"], f)
    # it blocks the move to enforce: a plan step, before that move
    steps = [s["action"] for s in o["plan"] if s["area"] == "mtasts"]
    testing = finding(o, "mtasts-testing")
    case("untrusted in the plan, before enforce",
         f is not None and testing is not None and
         f["explanation"] in steps and testing["explanation"] in steps and
         steps.index(f["explanation"]) < steps.index(testing["explanation"]),
         steps)

    # expired: facts only without a policy (info), error under enforce
    o, _, _ = env.check("expired.test")
    p = probes(o)[0]
    f = finding(o, "smtp-cert-expired")
    na = p.get("not_after") or ""
    case("expired probe", p.get("status") == "certificate" and
         p.get("cert_problem") == "expired" and
         "expired" in (p.get("error") or "") and
         na < time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), p)
    case("expired no policy: info", f is not None and
         f["severity"] == "info", f)
    o, _, _ = env.check("expiredenf.test")
    f = finding(o, "smtp-cert-expired")
    case("expired enforce: error", f is not None and
         f["severity"] == "error", f)

    # nothing listens: could not probe
    o, _, _ = env.check("refused.test")
    p = probes(o)[0]
    f = finding(o, "smtp-probe-failed")
    case("refused probe", p.get("status") == "connect" and
         p.get("starttls") is False, p)
    case("refused finding", f is not None and f["severity"] == "warning" and
         smtp_ids(o) == ["smtp-probe-failed"], smtp_ids(o))

    # a server that never speaks: a timeout within --smtp-timeout
    o, took, _ = env.check("silent.test", "--smtp-timeout", str(SILENT_MS))
    p = probes(o)[0]
    case("silent probe", p.get("status") == "timeout" and
         finding(o, "smtp-probe-failed") is not None, p)
    case("silent bounded in time", took < SILENT_MS / 1000.0 + 5, took)

    # a greeting line without end: a clear finding, memory bounded
    o, took, rss = env.check("endless.test", "--smtp-timeout", "5000")
    p = probes(o)[0]
    f = finding(o, "smtp-probe-failed")
    case("endless probe", p.get("status") == "protocol" and
         p.get("error"), p)
    case("endless finding", f is not None and "protocol" in f["explanation"],
         f)
    case("endless bounded in time", took < 10, took)
    case("endless bounded in memory", rss < rss_good + 16 * 1024,
         "%d KiB vs %d KiB" % (rss, rss_good))

    # a greeting of continuation lines without end: the same
    o, took, rss = env.check("manylines.test", "--smtp-timeout", "5000")
    p = probes(o)[0]
    case("manylines probe", p.get("status") == "protocol" and
         finding(o, "smtp-probe-failed") is not None, p)
    case("manylines bounded", took < 10 and rss < rss_good + 16 * 1024,
         "%.1f s, %d KiB vs %d KiB" % (took, rss, rss_good))

    # two MX hosts, in preference order, one without STARTTLS
    o, _, _ = env.check("multi.test")
    ps = o["checks"]["mtasts"].get("probes") or []
    case("multi probes", [(x.get("host"), x.get("status")) for x in ps] ==
         [("mx1.multi.test", "ok"), ("mx2.multi.test", "no-starttls")], ps)
    f = finding(o, "smtp-starttls-missing")
    case("multi finding names mx2", f is not None and
         f["explanation"].startswith("MX host mx2.multi.test does not offer "
                                     "STARTTLS") and
         "mx1.multi.test" not in f["explanation"] and
         smtp_ids(o) == ["smtp-starttls-missing"], smtp_ids(o))

    # four silent MX hosts at 12 s each: the domain's 30 s end the probes
    # (12 + 12 + the 6 s left), the fourth is not probed
    o, took, _ = env.check("slow.test", "--smtp-timeout", "12000")
    ps = o["checks"]["mtasts"].get("probes") or []
    case("time limit statuses", [x.get("status") for x in ps] ==
         ["timeout", "timeout", "timeout", "not-probed"],
         [x.get("status") for x in ps])
    f = finding(o, "smtp-not-probed")
    case("time limit finding", f is not None and
         "1 of 4 MX hosts" in f["explanation"], f)
    # the three timeouts (the third with less time) are one finding
    f = finding(o, "smtp-probe-failed")
    case("time limit: one grouped finding",
         smtp_ids(o) == ["smtp-not-probed", "smtp-probe-failed"] and
         f is not None and f["explanation"].startswith(
             "could not probe MX hosts mx1.slow.test, mx2.slow.test and "
             "mx3.slow.test on port 25 (timeout") and
         "mx4.slow.test" not in f["explanation"], smtp_ids(o))

    # sixteen hosts behind a blocked port 25: one finding naming them,
    # the names that do not fit counted; every probe kept
    o, _, _ = env.check("blocked.test")
    ps = o["checks"]["mtasts"].get("probes") or []
    f = finding(o, "smtp-probe-failed")
    case("blocked probes", [(x.get("host"), x.get("status")) for x in ps] ==
         [("mx%d.blocked.test" % i, "connect") for i in range(1, 17)], ps)
    n, more = named(f["explanation"] if f else "", "blocked.test", 16)
    case("blocked: one finding naming the hosts", f is not None and
         smtp_ids(o) == ["smtp-probe-failed"] and
         f["severity"] == "warning" and n >= 2 and n + more == 16 and
         f["explanation"].startswith(
             "could not probe MX hosts mx1.blocked.test, mx2.blocked.test") and
         "Couldn't connect to server)" in f["explanation"] and
         len(f["explanation"]) < 320, f)

    # sixteen hosts without STARTTLS under enforce: one error, one step
    o, _, _ = env.check("plainmany.test")
    f = finding(o, "smtp-starttls-missing")
    n, more = named(f["explanation"] if f else "", "plainmany.test", 16)
    case("plainmany: one error naming the hosts", f is not None and
         smtp_ids(o) == ["smtp-starttls-missing"] and
         f["severity"] == "error" and n >= 2 and n + more == 16 and
         " do not offer STARTTLS (STARTTLS not supported.)" in
         f["explanation"] and
         f["explanation"].endswith("deliver to them (RFC 8461 §4.2, §5)"), f)
    steps = [s["action"] for s in o["plan"]]
    case("plainmany: one plan step", f is not None and
         steps.count(f["explanation"]) == 1 and
         sum("STARTTLS" in s for s in steps) == 1 and
         o.get("findings_dropped", 0) == 0, steps)
    case("time limit respected", 28 < took < 36, took)

    # the human report
    p = subprocess.run(env.argv("multi.test"), capture_output=True,
                       text=True, timeout=60)
    case("human report", "SMTP probes (port 25):" in p.stdout and
         "mx1.multi.test: STARTTLS, certificate valid" in p.stdout and
         "mx2.multi.test: no-starttls: STARTTLS not" in p.stdout,
         p.stdout[-800:])

    # bad --smtp-timeout is a usage error
    p = subprocess.run(env.argv("good.test", "--smtp-timeout", "0"),
                       capture_output=True, text=True, timeout=60)
    case("--smtp-timeout 0 refused", p.returncode == 2 and
         "--smtp-timeout" in p.stderr, (p.returncode, p.stderr))
    p = subprocess.run(env.argv("good.test", "--smtp-ehlo", "not a name"),
                       capture_output=True, text=True, timeout=60)
    case("--smtp-ehlo 'not a name' refused", p.returncode == 2 and
         "--smtp-ehlo" in p.stderr, (p.returncode, p.stderr))


def main():
    if shutil.which("openssl") is None:
        print("SKIP: openssl not installed")
        return 77
    work = tempfile.mkdtemp(prefix="vouch-checksmtp-")
    smtp = srv = None
    try:
        make_certs(work)
        write_zone(os.path.join(work, "smtp.zone"))
        smtp, ports = start_smtp(work)
        srv = start_https(work)
        run_cases(Env(work, ports, srv.server_address[1]))
    finally:
        if smtp is not None:
            smtp.terminate()
            smtp.wait()
        if srv is not None:
            srv.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (results.count(True),
                                    results.count(False)))
    return 0 if results and all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
