#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""DKIM interop: vouch, dkimpy, Mail::DKIM, OpenDKIM and mailauth sign for
one another and verify one another.

    dkim_interop.py VOUCH_BINARY [-k] [-v]
        -k  keep the temp dir (messages, keys, zone, every signed message)
        -v  print every verdict, not just the failures

For every message of gen_messages.py x signer x algorithm (rsa-sha256 with
a 2048-bit key, ed25519-sha256) x canonicalization (relaxed/relaxed,
simple/simple), the signer signs; then every verifier checks the signed
message, fetching the public key from DNS: NSD + unbound of
tests/fixtures/dns-fixture.sh on loopback, private ports, serving a zone
made here (interop.test) with the public halves of keys made here by
openssl. Expected: every verifier says pass. Pairs that cannot work are in
UNSUPPORTED below, printed as such, and counted neither way; they are
never skipped silently.

Line ends: the message files are wire form (CRLF), except `bare-lf`,
which is LF-only. Every signer gets the file's bytes as they are (except
those listed in CRLF_INPUT, whose API takes SMTP line ends only: they get
the CRLF form). The harness then puts the signer's DKIM-Signature field
in front of the bytes it signed and turns every bare LF of the result into
CRLF: that wire form, the same bytes, goes to every verifier. So `bare-lf`
asks each signer: "LF-only in, does your signature hold on the wire?"

vouch takes part when `VOUCH_BINARY dkim --help` exits 0; otherwise the
four peers are tested among themselves. Prints the pass-count matrices
(signer rows, verifier columns), every failure with what the verifier
said, and "N passed, N failed". Exit 0 if nothing failed, 1 if something
did, 77 (skip) if a peer is missing: Debian's python3-dkim,
libmail-dkim-perl, opendkim (scripts/install-deps test), or node/npm for
mailauth (installed here, by `npm ci` in tests/interop, when missing).
"""
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
FIXTURE = os.path.join(SRC, "tests", "fixtures", "dns-fixture.sh")
PY = "/usr/bin/python3"      # Debian's python, where python3-dkim lives
AUTH_PORT, RES_PORT = 15453, 15454
DOMAIN = "interop.test"
ALGS = ("rsa-sha256", "ed25519-sha256")
CANONS = ("relaxed/relaxed", "simple/simple")
SELECTOR = {"rsa-sha256": "rsa2048", "ed25519-sha256": "ed25519"}

sys.path.insert(0, HERE)
import gen_messages  # noqa: E402

# ---------------------------------------------------------------------------
# What is expected. Everything not listed here must pass.
#
# (peer, role, algorithm, why): this peer cannot do this, so every pair
# that needs it is reported "unsupported", not run.
UNSUPPORTED = [
    ("mail-dkim", "sign", "ed25519-sha256",
     "Mail::DKIM 1.20230212 (Debian 12) has no ed25519-sha256 "
     "(no Mail::DKIM::Algorithm::ed25519_sha256; it arrived in a later "
     "release, with CryptX)"),
    ("mail-dkim", "verify", "ed25519-sha256",
     "Mail::DKIM 1.20230212 (Debian 12) has no ed25519-sha256: it "
     "reports such signatures 'invalid' (unsupported algorithm)"),
]
# Known bugs of the peers, found by this test: the pairs listed fail, and
# are reported as "known peer bug", counted neither way. Each entry is
# (signers, verifiers, algorithms, canonicalizations, messages, why); a
# set is names, "*" is every one, "!name" every one but name. "(signing)"
# as verifier means the signer gives no signature at all. They are
# strict: a listed pair that passes is a failure ("unexpected pass"), and
# a pair not listed must pass, so the whole pattern is pinned: e.g. for
# Mail::DKIM's simple body below, Mail::DKIM -> Mail::DKIM must pass while
# every other pair with Mail::DKIM on one side fails, and the other four
# must agree among themselves. No entry names vouch.
ALL = "*"
KNOWN_PEER_BUGS = [
    ("opendkim", ALL, ("ed25519-sha256",), ("simple/simple",), ALL,
     "OpenDKIM 2.11.0~beta2 signs ed25519-sha256 with simple header "
     "canonicalization wrongly: it hashes its DKIM-Signature field with "
     "'h=...; b=' on one line but writes it with a fold before 'b=' (the "
     "short Ed25519 b= changes its folding), so b= verifies nowhere, not "
     "even in OpenDKIM; joining that one fold makes it pass (rsa-sha256 "
     "simple and ed25519 relaxed are fine)"),
    ("opendkim", "(signing)", ALGS, ("relaxed/relaxed",), ("no-final-crlf",),
     "OpenDKIM 2.11.0~beta2 will not sign a body without a final CRLF in "
     "relaxed: 'no signature added: CRLF at end of body missing'"),
    ("!opendkim", "opendkim", ALGS, ("relaxed/relaxed",), ("no-final-crlf",),
     "OpenDKIM 2.11.0~beta2 does not verify relaxed signatures of a body "
     "without a final CRLF: it says 'message not signed'"),
    ("opendkim", "!opendkim", ALGS, ("simple/simple",),
     ("header-leading-whitespace",),
     "opendkim -t (2.11.0~beta2) rebuilds each field as 'Name: value', "
     "value stripped of its leading white space (the milter convention): "
     "simple header canonicalization breaks for a signed field that does "
     "not have exactly one SP after the colon, or an empty value"),
    ("!opendkim", "opendkim", ALGS, ("simple/simple",),
     ("header-leading-whitespace",),
     "opendkim -t (2.11.0~beta2): the same, verifying"),
    ("mail-dkim", "!mail-dkim", ALGS, ("simple/simple",), ("no-final-crlf",),
     "Mail::DKIM 1.20230212 simple body canonicalization does not add the "
     "CRLF that RFC 6376 3.4.3 adds to a body without a final CRLF"),
    ("!mail-dkim", "mail-dkim", ALGS, ("simple/simple",), ("no-final-crlf",),
     "Mail::DKIM 1.20230212: the same, verifying ('body has been altered')"),
    ("dkimpy", "(signing)", ALGS, CANONS, ("header-space-before-colon",),
     "dkimpy 1.1.4 refuses a field with white space before its colon "
     "(RFC 5322 4.5.8 obsolete syntax): MessageFormatError"),
    ("!dkimpy", "dkimpy", ALGS, CANONS, ("header-space-before-colon",),
     "dkimpy 1.1.4: the same, verifying"),
]


def _in(name, pat):
    if name == "(signing)" and pat != "(signing)":
        return False    # only an explicit "(signing)" matches a signer failure
    if pat == ALL:
        return True
    if isinstance(pat, str):
        return name != pat[1:] if pat.startswith("!") else name == pat
    return name in pat


def known_bug(signer, verifier, alg, canon, msg):
    for s, v, algs, canons, msgs, why in KNOWN_PEER_BUGS:
        if (_in(signer, s) and _in(verifier, v) and _in(alg, algs) and
                _in(canon, canons) and _in(msg, msgs)):
            return why
    return None


# Signers fed the CRLF form of the LF-only message: their API documents
# that the caller must give SMTP (CRLF) line ends.
CRLF_INPUT = {
    "mail-dkim": "Mail::DKIM::Signer documents that the caller converts "
                 "local line ends to CRLF before PRINT",
}

VERBOSE = "-v" in sys.argv
KEEP = "-k" in sys.argv


def unsupported(signer, verifier, alg):
    why = []
    for peer, role, a, text in UNSUPPORTED:
        if a == alg and ((role == "sign" and peer == signer) or
                         (role == "verify" and peer == verifier)):
            why.append("%s %s: %s" % (peer, role, text))
    return why


def to_wire(data):
    """Every LF not preceded by CR becomes CRLF."""
    return re.sub(rb"(?<!\r)\n", b"\r\n", data)


def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("timeout", 120)
    return subprocess.run(cmd, **kw)


def batch(cmd, dns_port, jobs, cwd=None):
    """One request to a peer driver (peers/*): JSON in, JSON array out."""
    req = json.dumps({"dns_port": dns_port, "jobs": jobs}).encode()
    p = run(cmd, input=req, cwd=cwd, timeout=600)
    try:
        out = json.loads(p.stdout)
    except ValueError:
        raise RuntimeError("%s gave no JSON (exit %d): %s" % (
            " ".join(cmd), p.returncode, p.stderr.decode(errors="replace")[-800:]))
    if len(out) != len(jobs):
        raise RuntimeError("%s answered %d of %d jobs" % (cmd[0], len(out), len(jobs)))
    return out


# ---------------------------------------------------------------------------
# The implementations. Each has: name, version(), sign_all(jobs) ->
# [(ok, header-or-whole-message bytes | error text)], verify_all(paths) ->
# [(result, detail)].

class Vouch:
    name = "vouch"
    whole_message = True    # prints the signed message, not just the field

    def __init__(self, exe, ctx):
        self.exe, self.ctx = exe, ctx

    def version(self):
        p = run([self.exe, "--version"])
        return (p.stdout or p.stderr).decode(errors="replace").strip().splitlines()[0] \
            if p.returncode == 0 else "vouch (version unknown)"

    def sign_all(self, jobs):
        out = []
        for j in jobs:
            p = run([self.exe, "dkim", "sign", "--domain", DOMAIN,
                     "--selector", j["selector"], "--key", j["key_pem"],
                     "--canon", j["canon"], j["in"]])
            if p.returncode == 0 and p.stdout:
                out.append((True, p.stdout))
            else:
                out.append((False, "exit %d: %s" % (
                    p.returncode, p.stderr.decode(errors="replace").strip())))
        return out

    def verify_all(self, paths):
        res = {}
        for i in range(0, len(paths), 200):
            chunk = paths[i:i + 200]
            p = run([self.exe, "dkim", "verify", "--resolver",
                     "127.0.0.1@%d" % RES_PORT, "--dns-timeout", "3000",
                     "--jsonl"] + chunk)
            for line in p.stdout.decode(errors="replace").splitlines():
                try:
                    o = json.loads(line)
                except ValueError:
                    continue
                sigs = o.get("signatures") or []
                if sigs:
                    s = sigs[0]
                    res[o.get("file")] = (s.get("result"), s.get("reason", ""))
                else:
                    res[o.get("file")] = ("none", "no signature found")
            for f in chunk:
                res.setdefault(f, ("error", "no output (exit %d): %s" % (
                    p.returncode, p.stderr.decode(errors="replace").strip()[-300:])))
        return [res[f] for f in paths]


class Dkimpy:
    name = "dkimpy"
    whole_message = False

    def __init__(self, ctx):
        self.ctx = ctx
        self.cmd = [PY, os.path.join(HERE, "peers", "dkimpy_peer.py")]

    def version(self):
        p = run([PY, "-c", "import importlib.metadata as m; print(m.version('dkimpy'))"])
        return "dkimpy " + p.stdout.decode().strip()

    def sign_all(self, jobs):
        out = batch(self.cmd, RES_PORT, jobs)
        return [(o["ok"], o["header"].encode() if o["ok"] else o["error"]) for o in out]

    def verify_all(self, paths):
        out = batch(self.cmd, RES_PORT, [{"op": "verify", "in": p} for p in paths])
        return [(o["result"], o["detail"]) for o in out]


class MailDkim:
    name = "mail-dkim"
    whole_message = False

    def __init__(self, ctx):
        self.ctx = ctx
        self.cmd = ["perl", os.path.join(HERE, "peers", "mail_dkim.pl")]

    def version(self):
        p = run(["perl", "-MMail::DKIM", "-e", "print $Mail::DKIM::VERSION"])
        return "Mail::DKIM " + p.stdout.decode().strip()

    def sign_all(self, jobs):
        out = batch(self.cmd, RES_PORT, jobs)
        return [(o["ok"], o["header"].encode() if o["ok"] else o["error"]) for o in out]

    def verify_all(self, paths):
        out = batch(self.cmd, RES_PORT, [{"op": "verify", "in": p} for p in paths])
        return [(o["result"], o["detail"]) for o in out]


class Mailauth:
    name = "mailauth"
    whole_message = False

    def __init__(self, ctx):
        self.ctx = ctx
        self.cmd = ["node", os.path.join(HERE, "peers", "mailauth_peer.mjs")]

    def version(self):
        with open(os.path.join(HERE, "node_modules", "mailauth", "package.json")) as f:
            v = json.load(f)["version"]
        node = run(["node", "--version"]).stdout.decode().strip()
        return "mailauth %s (node %s)" % (v, node)

    def sign_all(self, jobs):
        out = batch(self.cmd, RES_PORT, jobs)
        return [(o["ok"], o["header"].encode() if o["ok"] else o["error"]) for o in out]

    def verify_all(self, paths):
        out = batch(self.cmd, RES_PORT, [{"op": "verify", "in": p} for p in paths])
        return [(o["result"], o["detail"]) for o in out]


class OpenDkim:
    """opendkim -t FILE: the milter's own code run on one stored message.
    Signing: a Mode s config per algorithm and canonicalization; -vv makes
    it print the field it would insert (LF-folded), which goes in front of
    the file. Verifying: a verify-only config (with the signing config it
    would sign again), keys through ResolverConfiguration = the fixture's
    libunbound config. One message at a time (concurrent sessions through
    libunbound crash 2.11.0~beta2); no syslog, so -vv output is parsed."""
    name = "opendkim"
    whole_message = False

    def __init__(self, ctx):
        self.ctx = ctx
        self.dir = os.path.join(ctx["tmp"], "opendkim")
        os.makedirs(self.dir, exist_ok=True)

    def version(self):
        p = run(["opendkim", "-V"])
        first = (p.stdout + p.stderr).decode().splitlines()[0]
        v = run(["dpkg-query", "-W", "-f=${Version}", "opendkim"]).stdout.decode()
        return "%s (Debian %s)" % (first.replace("OpenDKIM Filter ", "OpenDKIM "), v)

    def _sign_conf(self, j):
        path = os.path.join(self.dir, "sign-%s-%s.conf" % (
            j["alg"], j["canon"].replace("/", "-")))
        if not os.path.exists(path):
            key = os.path.join(self.dir, j["selector"] + ".key")
            if not os.path.exists(key):
                shutil.copyfile(j["key_pem"], key)
                os.chmod(key, 0o600)
            with open(path, "w") as f:
                f.write("Mode s\nSyslog no\nDomain %s\nSelector %s\nKeyFile %s\n"
                        "Canonicalization %s\nSignatureAlgorithm %s\n"
                        "RequireSafeKeys no\n" % (
                            DOMAIN, j["selector"], key, j["canon"], j["alg"]))
        return path

    def sign_all(self, jobs):
        out = []
        for j in jobs:
            p = run(["opendkim", "-x", self._sign_conf(j), "-t", j["in"], "-vv"])
            text = (p.stdout + p.stderr).decode(errors="replace")
            m = re.search(r"hname='DKIM-Signature' hvalue='(.*?)'\n", text, re.S)
            if p.returncode == 0 and m:
                out.append((True, b"DKIM-Signature: " + m.group(1).encode() + b"\n"))
            else:
                why = [l.split(": ", 2)[-1] for l in text.splitlines()
                       if "no signature added" in l or "error" in l.lower()]
                out.append((False, "exit %d: %s" % (
                    p.returncode, "; ".join(why) or text.strip()[-300:])))
        return out

    def verify_all(self, paths):
        conf = os.path.join(self.dir, "verify.conf")
        with open(conf, "w") as f:
            f.write("Mode v\nSyslog no\nAlwaysAddARHeader yes\n"
                    "AuthservID verifier.interop.test\nResolverConfiguration %s\n"
                    % self.ctx["libunbound_conf"])
        out = []
        for path in paths:
            p = run(["opendkim", "-x", conf, "-t", path, "-vv"])
            text = (p.stdout + p.stderr).decode(errors="replace")
            m = re.search(r"hname='Authentication-Results' hvalue='(.*?)'\n", text, re.S)
            verdict = [l.split(": ", 2)[-1] for l in text.splitlines()
                       if re.search(r": (verification|message not signed|"
                                    r"bad signature|key retrieval|"
                                    r"can't|no signature)", l)]
            r = re.search(r"\bdkim=(\w+)", m.group(1)) if m else None
            if r:
                out.append((r.group(1), "; ".join(verdict) or
                            " ".join(m.group(1).split())))
            elif any("message not signed" in l for l in verdict):
                out.append(("none", "; ".join(verdict)))
            else:
                out.append(("error", "exit %d: %s" % (p.returncode, text.strip()[-300:])))
        return out


# ---------------------------------------------------------------------------

def missing_peers():
    """What is missing, as (what, how to get it)."""
    miss = []
    p = run([PY, "-c", "import dkim, nacl, dns.resolver"])
    if p.returncode != 0:
        miss.append(("dkimpy (python3-dkim)", "scripts/install-deps test"))
    p = run(["perl", "-MMail::DKIM::Verifier", "-MNet::DNS", "-MJSON::PP", "-e", "1"])
    if p.returncode != 0:
        miss.append(("Mail::DKIM (libmail-dkim-perl)", "scripts/install-deps test"))
    if shutil.which("opendkim") is None:
        miss.append(("OpenDKIM (opendkim)", "scripts/install-deps test"))
    for prog in ("nsd", "unbound", "dig", "openssl"):
        if shutil.which(prog) is None:
            miss.append((prog, "scripts/install-deps test"))
    if shutil.which("node") is None or shutil.which("npm") is None:
        # the machine's Node.js (NodeSource, with npm) is the usual case;
        # else Debian's nodejs + npm
        print("no node/npm: scripts/install-deps node", flush=True)
        run([os.path.join(SRC, "scripts", "install-deps"), "node"],
            capture_output=False, timeout=900)
    if shutil.which("node") is None:
        miss.append(("node (for mailauth)", "scripts/install-deps node"))
    elif not os.path.isdir(os.path.join(HERE, "node_modules", "mailauth")):
        why = install_mailauth()
        if why:
            miss.append(("mailauth (npm)", why))
    return miss


def install_mailauth():
    """npm ci in tests/interop, from the committed package-lock.json. This is
    the one step that reaches beyond loopback (the npm registry), once per
    checkout. Returns None on success, else why not."""
    if shutil.which("npm") is None:
        return "no npm: run scripts/install-deps node, then `npm ci` in tests/interop"
    print("installing mailauth: npm ci in %s" % HERE, flush=True)
    p = run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=HERE, timeout=300)
    if p.returncode != 0 or not os.path.isdir(os.path.join(HERE, "node_modules", "mailauth")):
        return "`npm ci` in tests/interop failed: %s" % (
            p.stderr.decode(errors="replace").strip()[-300:])
    return None


def make_keys(tmp):
    """RSA 2048 and Ed25519 keys by openssl, in every form a peer wants."""
    keys = {}
    d = os.path.join(tmp, "keys")
    os.makedirs(d)
    for alg in ALGS:
        sel = SELECTOR[alg]
        pem = os.path.join(d, sel + ".pem")
        if alg == "rsa-sha256":
            gen = ["openssl", "genpkey", "-algorithm", "RSA",
                   "-pkeyopt", "rsa_keygen_bits:2048", "-out", pem]
        else:
            gen = ["openssl", "genpkey", "-algorithm", "ED25519", "-out", pem]
        p = run(gen)
        if p.returncode != 0:
            raise RuntimeError("openssl genpkey: %s" % p.stderr.decode())
        os.chmod(pem, 0o600)
        spki = run(["openssl", "pkey", "-in", pem, "-pubout", "-outform", "DER"],
                   check=True).stdout
        k = {"selector": sel, "key_pem": pem}
        if alg == "rsa-sha256":
            # RFC 6376 3.6.1: p= is the SubjectPublicKeyInfo
            k["p"] = base64.b64encode(spki).decode()
            k["k"] = "rsa"
            # Mail::DKIM re-armours the key's base64 as "RSA PRIVATE KEY"
            # (PKCS#1); OpenSSL 3 reads PKCS#8 in it too, but give it PKCS#1
            pkcs1 = os.path.join(d, sel + ".pkcs1.pem")
            run(["openssl", "rsa", "-in", pem, "-traditional", "-out", pkcs1],
                check=True)
            k["key_pkcs1"] = pkcs1
        else:
            # RFC 8463 4: p= is the raw 32-byte public key (the SPKI's tail)
            k["p"] = base64.b64encode(spki[-32:]).decode()
            k["k"] = "ed25519"
            # dkimpy's Ed25519 private key: base64 of the raw 32-byte seed
            der = run(["openssl", "pkey", "-in", pem, "-outform", "DER"],
                      check=True).stdout
            seed = os.path.join(d, sel + ".seed.b64")
            with open(seed, "wb") as f:
                f.write(base64.b64encode(der[-32:]) + b"\n")
            k["ed25519_seed"] = seed
        keys[alg] = k
    return keys


def txt_strings(text):
    """A TXT value as quoted strings of at most 255 bytes (we use 250)."""
    return " ".join('"%s"' % text[i:i + 250] for i in range(0, len(text), 250))


def write_zone(tmp, keys):
    d = os.path.join(tmp, "zones")
    os.makedirs(d)
    lines = [
        "$ORIGIN %s." % DOMAIN, "$TTL 300",
        "@ IN SOA ns.%s. hostmaster.%s. 1 3600 600 86400 300" % (DOMAIN, DOMAIN),
        "@ IN NS ns", "ns IN A 127.0.0.1",
    ]
    for alg in ALGS:
        k = keys[alg]
        lines.append("%s._domainkey IN TXT %s" % (
            k["selector"], txt_strings("v=DKIM1; k=%s; p=%s" % (k["k"], k["p"]))))
    with open(os.path.join(d, DOMAIN + ".zone"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return d


def start_dns(tmp, zonedir):
    # A fixed state dir, so that a run killed before its clean-up (its
    # NSD/unbound still on our ports) is stopped here first: `stop` only
    # signals the pids recorded there, after checking their executables.
    state = os.path.join(tempfile.gettempdir(),
                         "vouch-dkim-interop-fixture-%d" % os.getuid())
    env = dict(os.environ, FIXTURE_STATE_DIR=state,
               DNS_AUTH_PORT=str(AUTH_PORT), DNS_RESOLVER_PORT=str(RES_PORT))
    run(["bash", FIXTURE, "stop"], env=env)
    p = run(["bash", FIXTURE, "start", zonedir], env=env)
    if p.returncode != 0:
        raise RuntimeError("DNS fixture did not start: %s" % p.stderr.decode())
    fx = {}
    for line in p.stdout.decode().splitlines():
        if line.startswith("export "):
            k, _, v = line[7:].partition("=")
            fx[k] = v.strip('"')
    return env, fx


def stop_dns(env):
    run(["bash", FIXTURE, "stop"], env=env)


# ---------------------------------------------------------------------------

def on_sigterm(signum, frame):
    # meson's timeout sends SIGTERM: unwind, so the DNS fixture is stopped
    raise SystemExit("terminated (signal %d)" % signum)


def main():
    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        return main2()
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        print("FAIL harness: %s" % e)
        print("0 passed, 1 failed")
        return 1


def main2():
    if len(sys.argv) < 2:
        print("usage: dkim_interop.py VOUCH_BINARY [-k] [-v]", file=sys.stderr)
        return 2
    vouch_exe = os.path.abspath(sys.argv[1])
    t_start = time.monotonic()

    miss = missing_peers()
    if miss:
        for what, how in miss:
            print("missing: %s (%s)" % (what, how))
        print("SKIP: DKIM interop needs every peer: missing %s" %
              ", ".join(w for w, _ in miss))
        return 77

    tmp = tempfile.mkdtemp(prefix="vouch-dkim-interop-")
    ctx = {"tmp": tmp}
    env = None
    try:
        msgdir = os.path.join(tmp, "messages")
        names = gen_messages.write(msgdir)
        keys = make_keys(tmp)
        zonedir = write_zone(tmp, keys)
        env, fx = start_dns(tmp, zonedir)
        ctx["libunbound_conf"] = fx["DNS_LIBUNBOUND_CONF"]

        impls = []
        p = run([vouch_exe, "dkim", "--help"]) if os.access(vouch_exe, os.X_OK) else None
        if p is not None and p.returncode == 0:
            impls.append(Vouch(vouch_exe, ctx))
        else:
            print("NOTE: `%s dkim --help` does not exit 0: vouch's rows and "
                  "columns are off; the peers are tested among themselves" % vouch_exe)
        impls += [Dkimpy(ctx), MailDkim(ctx), OpenDkim(ctx), Mailauth(ctx)]
        for im in impls:
            print("%-10s %s" % (im.name, im.version()))
        print()
        failures, cells, unsup, known = interop(impls, names, msgdir, keys, tmp)
    finally:
        if env is not None:
            stop_dns(env)
        if KEEP:
            print("kept: %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    report(impls, cells, failures, unsup, known)
    passed = sum(c[0] for c in cells.values())
    failed = len(failures)
    print("interop run took %.1f s" % (time.monotonic() - t_start))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


def interop(impls, names, msgdir, keys, tmp):
    """Sign everything, verify everything. Returns (failures, cells,
    unsupported) where cells[(signer, verifier, alg)] = [passed, total]."""
    failures = []
    known = []      # (signer, verifier, alg, canon, msg, result, detail, why)
    timing = {}     # name: [seconds signing, seconds verifying]
    cells = {}
    signed = []     # (signer, alg, canon, msg, path)
    crlf_dir = os.path.join(tmp, "messages-crlf")
    os.makedirs(crlf_dir)
    for n in names:
        with open(os.path.join(msgdir, n + ".eml"), "rb") as f:
            data = f.read()
        with open(os.path.join(crlf_dir, n + ".eml"), "wb") as f:
            f.write(to_wire(data))

    t0 = time.monotonic()
    for im in impls:
        jobs, meta = [], []
        for alg in ALGS:
            if unsupported(im.name, None, alg):
                continue
            for canon in CANONS:
                for n in names:
                    src = os.path.join(crlf_dir if im.name in CRLF_INPUT else msgdir,
                                       n + ".eml")
                    j = {"op": "sign", "in": src, "alg": alg, "canon": canon,
                         "domain": DOMAIN}
                    j.update(keys[alg])
                    jobs.append(j)
                    meta.append((alg, canon, n, src))
        t1 = time.monotonic()
        results = im.sign_all(jobs)
        timing.setdefault(im.name, [0.0, 0.0])[0] += time.monotonic() - t1
        for (alg, canon, n, src), (ok, data) in zip(meta, results):
            kb = known_bug(im.name, "(signing)", alg, canon, n)
            if not ok:
                if kb:
                    known.append((im.name, "(signing)", alg, canon, n,
                                  "not signed", str(data), kb))
                else:
                    failures.append((im.name, "(signing)", alg, canon, n,
                                     "sign failed", str(data)))
                continue
            if kb:
                failures.append((im.name, "(signing)", alg, canon, n, "signed",
                                 "unexpected pass: listed in KNOWN_PEER_BUGS (%s)" % kb))
            if not im.whole_message:
                with open(src, "rb") as f:
                    data = to_wire(data) + f.read()
            d = os.path.join(tmp, "signed", im.name, alg, canon.replace("/", "-"))
            os.makedirs(d, exist_ok=True)
            path = os.path.join(d, n + ".eml")
            with open(path, "wb") as f:
                f.write(to_wire(data))
            signed.append((im.name, alg, canon, n, path))
    t_sign = time.monotonic() - t0

    t0 = time.monotonic()
    unsup = {}
    for v in impls:
        todo = []
        for s in signed:
            why = unsupported(s[0], v.name, s[1])
            if why:
                unsup.setdefault((s[0], v.name, s[1]), why)
                continue
            todo.append(s)
        t1 = time.monotonic()
        verdicts = v.verify_all([s[4] for s in todo])
        timing.setdefault(v.name, [0.0, 0.0])[1] += time.monotonic() - t1
        for (signer, alg, canon, n, _), (result, detail) in zip(todo, verdicts):
            cell = cells.setdefault((signer, v.name, alg), [0, 0, 0])
            kb = known_bug(signer, v.name, alg, canon, n)
            if kb and result != "pass":
                cell[2] += 1
                known.append((signer, v.name, alg, canon, n, result, detail, kb))
            elif kb:
                cell[1] += 1
                failures.append((signer, v.name, alg, canon, n, result,
                                 "unexpected pass: listed in KNOWN_PEER_BUGS (%s)" % kb))
            elif result == "pass":
                cell[0] += 1
                cell[1] += 1
            else:
                cell[1] += 1
                failures.append((signer, v.name, alg, canon, n, result, detail))
            if VERBOSE:
                print("%-9s -> %-9s %-14s %-15s %-20s %s %s" % (
                    signer, v.name, alg, canon, n, result, detail))
    # pairs whose signer cannot sign at all get their unsupported entry too
    for s in impls:
        for v in impls:
            for alg in ALGS:
                why = unsupported(s.name, v.name, alg)
                if why:
                    unsup.setdefault((s.name, v.name, alg), why)
    t_verify = time.monotonic() - t0
    print("signed %d messages in %.1f s, verified them in %.1f s (%s)" % (
        len(signed), t_sign, t_verify, ", ".join(
            "%s %.1f+%.1f s" % (k, a, b) for k, (a, b) in timing.items())))
    return failures, cells, unsup, known


def report(impls, cells, failures, unsup, known):
    names = [im.name for im in impls]
    w = max(len(n) for n in names) + 2
    sign_fail = {}
    for f in failures:
        if f[1] == "(signing)" and f[5] == "sign failed":
            sign_fail[(f[0], f[2])] = sign_fail.get((f[0], f[2]), 0) + 1
    for alg in ALGS:
        print()
        print("%s: messages passed / verified (rows sign, columns verify; "
              "%s)" % (alg, " + ".join(CANONS)))
        print(" " * w + "".join(n.rjust(w) for n in names))
        for s in names:
            row = s.ljust(w)
            for v in names:
                if (s, v, alg) in unsup:
                    row += "n/a".rjust(w)
                else:
                    c = cells.get((s, v, alg), [0, 0, 0])
                    row += ("%d/%d%s" % (c[0], c[1], "*" if c[2] else "")).rjust(w)
            if sign_fail.get((s, alg)):
                row += "   (%d not signed)" % sign_fail[(s, alg)]
            print(row)
    if unsup:
        print()
        print("unsupported (n/a above; expected, not counted):")
        seen = set()
        for key in sorted(unsup):
            for why in unsup[key]:
                if why not in seen:
                    seen.add(why)
                    print("  %s" % why)
        print("  pairs: %s" % ", ".join("%s->%s %s" % k for k in sorted(unsup)))
    if known:
        print()
        print("known peer bugs (* above; expected to fail, not counted; "
              "KNOWN_PEER_BUGS):")
        by_why = {}
        for k in known:
            by_why.setdefault(k[7], []).append(k)
        for why, ks in by_why.items():
            print("  %d x %s" % (len(ks), why))
            for signer, verifier, alg, canon, n, result, detail, _ in ks[:3]:
                print("      e.g. %s -> %s %s %s %s: %s (%s)" % (
                    signer, verifier, alg, canon, n, result,
                    " ".join(str(detail).split())[:160]))
    if failures:
        print()
        print("failures (%d):" % len(failures))
        for signer, verifier, alg, canon, n, result, detail in failures:
            detail = " ".join(str(detail).split())
            print("  FAIL %s -> %s %s %s %s: %s (%s)" % (
                signer, verifier, alg, canon, n, result, detail[:300]))


if __name__ == "__main__":
    sys.exit(main())
