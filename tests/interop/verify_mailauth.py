#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Differential test: `vouch verify` against mailauth's authenticate().

    verify_mailauth.py VOUCH_BINARY [-k] [-v]
        -k  keep the temp dir (zone, DNS map, keys, messages, both outputs)
        -v  print every compared field, not just the failures

Builds a corpus (the same cases every run, in a temp dir) of messages that
vary the From domain's DMARC record, the From field's shape, the DKIM
signatures and the SPF outcome; signs them with `vouch dkim sign --now`
and keys made by `vouch dkim keygen`. DNS is one table, written as a zone
file for vouch (`--zone`, closed world) and as a JSON map for the peer
(peers/mailauth_auth.mjs, whose `resolver` answers from it the way node's
dns.promises does: ENOTFOUND for names that do not exist, ENODATA for
names without the type). vouch runs once per message (`--dmarc-mode 7489`,
since mailauth evaluates DMARC with RFC 7489 and the PSL); mailauth runs
once, in one node process, over all of them.

Compared, per message: spf (result), dkim:D/S (each signature's result),
dmarc (result; `absent` when mailauth reports none), dmarc.policy (when
both report one), dmarc.spf_aligned and dmarc.dkim_aligned (when mailauth
reports alignment), arc (cv; `none` for messages without ARC sets).
Each comparison is one case. A disagreement passes only if
verify-mailauth-differences.txt lists it exactly (case pattern, field,
what vouch says, what mailauth says); a listed difference that no longer
occurs is a failure too, so the list cannot go stale.

Prints "N passed, N failed"; exit 0, 1 (a failure) or 77 (skip: no node,
npm, mailauth or openssl; `npm ci` in tests/interop installs mailauth when
missing).
"""
import base64
import fnmatch
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
PEER = os.path.join(HERE, "peers", "mailauth_auth.mjs")
DIFFERENCES = os.path.join(HERE, "verify-mailauth-differences.txt")
VERBOSE = "-v" in sys.argv
KEEP = "-k" in sys.argv
NOW = "1764000000"          # signing and verification time
AUTHSERV = "mx.rcpt.example"

# ---- the DNS table ----------------------------------------------------------

IP_PASS = "192.0.2.10"      # allowed by every author domain's SPF
IP_FAIL = "203.0.113.66"    # -ip4
IP_NEUTRAL = "203.0.113.88"  # ?ip4
IP_OTHER = "203.0.113.77"   # ~all
IP_ESP = "198.51.100.10"    # esp.example's
AUTHOR_SPF = "v=spf1 ip4:%s -ip4:%s ?ip4:%s ~all" % (IP_PASS, IP_FAIL,
                                                       IP_NEUTRAL)
HELO = "mx.relay.example"   # exists, no SPF record: HELO check says none

# From domain -> (organizational domain or None when it is its own, the
# DMARC records at _dmarc.<organizational domain>). A From domain below its
# organizational domain has no record of its own. GHOST does not exist; the
# others have an A record and AUTHOR_SPF, as do em.<them> (a MAIL FROM
# subdomain) and dk.<them> (a DKIM d= subdomain).
AUTHORS = {
    "none.example": (None, []),
    "pnone.example": (None, ["v=DMARC1; p=none"]),
    "quar.example": (None, ["v=DMARC1; p=quarantine"]),
    "rej.example": (None, ["v=DMARC1; p=reject"]),
    "strict.example": (None, ["v=DMARC1; p=reject; adkim=s; aspf=s"]),
    "testing.example": (None, ["v=DMARC1; p=reject; t=y"]),
    "nop.example": (None, ["v=DMARC1; rua=mailto:dmarc@nop.example"]),
    "badp.example": (None, ["v=DMARC1; p=bogus; rua=mailto:d@badp.example"]),
    "dup.example": (None, ["v=DMARC1; p=reject", "v=DMARC1; p=none"]),
    "sub.sp.example": ("sp.example", ["v=DMARC1; p=reject; sp=none"]),
    "sub.orgd.example": ("orgd.example",
                         ["v=DMARC1; p=quarantine; sp=reject; np=none"]),
    # does not exist (NXDOMAIN): RFC 9989's np=, RFC 7489's sp=
    "ghost.orgd.example": ("orgd.example", None),
    # the DMARC query times out
    "slow.example": (None, []),
    # an IDN: the From field gives it as a U-label (shape utf8) or A-label
    "xn--bcher-kva.example": (None, ["v=DMARC1; p=reject"]),
}
IDN = "xn--bcher-kva.example"
GHOST = "ghost.orgd.example"


def build_dns(keys):
    """name -> type -> [rdata]; TXT rdata is a list of strings. A query
    listed by faults() times out instead (zone: $FAULT ... TIMEOUT; the
    peer: ETIMEOUT)."""
    dns = {}

    def add(name, typ, rdata):
        dns.setdefault(name, {}).setdefault(typ, []).append(rdata)

    def host(name, spf=None):
        add(name, "A", IP_PASS)
        if spf:
            add(name, "TXT", [spf])

    signing = set()
    for dom, (org, recs) in AUTHORS.items():
        if dom == GHOST:
            continue
        host(dom, AUTHOR_SPF)
        host("em." + dom, AUTHOR_SPF)
        signing.update([dom, "dk." + dom])
        if org is None:
            for r in recs:
                add("_dmarc." + dom, "TXT", [r])
        else:
            host(org, AUTHOR_SPF)
            signing.add(org)
            for r in recs:
                add("_dmarc." + org, "TXT", [r])
    host("esp.example", "v=spf1 ip4:198.51.100.0/24 -all")
    host("mx.esp.example", "v=spf1 ip4:198.51.100.0/24 -all")
    signing.add("esp.example")
    host("nospf.example")
    host(HELO)
    host("eve.example", "v=spf1 -all")
    host("list.example", "v=spf1 ip4:198.51.100.0/24 -all")
    host("mx.list.example")
    signing.add("list.example")
    host("spfslow.example")
    for name, (_, recs) in SPF_EXTRA.items():
        host(name + ".example")
        for r in recs:
            add(name + ".example", "TXT", [r])
    add("spfmx.example", "MX", "10 mx.relay.example")
    add("192.0.2.10.ok.example", "A", "127.0.0.2")
    add("bounce.spfmacro.example.users.example", "A", "127.0.0.2")
    host("void.example")
    host("keyslow.example")
    signing.add("keyslow.example")
    for dom in sorted(signing):
        for sel, strings in keys.items():
            add("%s._domainkey.%s" % (sel, dom), "TXT", strings)
    pub = "".join(keys["r1"]).split("p=", 1)[1]
    for dom in KEY_DOMAINS:
        for sel, rec in KEY_VARIANTS.values():
            if rec is not None:
                text = rec.format(p=pub)
                add("%s._domainkey.%s" % (sel, dom), "TXT",
                    [text[i:i + 250] for i in range(0, len(text), 250)])
    return dns


def faults():
    """(name, type) whose queries time out: a DMARC record, an SPF record
    and a DKIM key, each unaligned, and for each of KEY_DOMAINS an aligned
    key (selector "slow") and an aligned MAIL FROM domain (spfto.<it>)."""
    out = [("_dmarc.slow.example", "TXT"), ("spfslow.example", "TXT"),
           ("r1._domainkey.keyslow.example", "TXT")]
    for dom in KEY_DOMAINS:
        out += [("slow._domainkey." + dom, "TXT"), ("spfto." + dom, "TXT")]
    return out


def zone_text(dns):
    def q(s):
        return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')
    lines = ["$TTL 300"]
    for name in sorted(dns):
        for typ in sorted(dns[name]):
            for rd in dns[name][typ]:
                val = " ".join(q(s) for s in rd) if typ == "TXT" else rd
                lines.append("%s. IN %s %s" % (name, typ, val))
    for name, typ in faults():
        lines.append("$FAULT %s. %s TIMEOUT" % (name, typ))
    return "\n".join(lines) + "\n"


def parse_txt_strings(line):
    """The quoted strings of a zone-file TXT line (keygen prints them
    without escapes)."""
    out, i = [], 0
    while True:
        i = line.find('"', i)
        if i < 0:
            return out
        j = line.index('"', i + 1)
        out.append(line[i + 1:j])
        i = j + 1


def make_keys(vouch, tmp):
    """Keys by selector: r1 (RSA 2048) and e1 (Ed25519) from vouch dkim
    keygen, k512 (RSA 512) from openssl. Returns (selector -> TXT strings,
    selector -> private key file); build_dns publishes each under every
    signing domain."""
    keys, files = {}, {}
    for sel, alg in (("r1", "rsa-sha256"), ("e1", "ed25519-sha256")):
        prefix = os.path.join(tmp, "key-" + sel)
        p = run([vouch, "dkim", "keygen", "--domain", "key.example",
                 "--selector", sel, "--algorithm", alg, "--out", prefix])
        if p.returncode != 0:
            raise RuntimeError("keygen: %s" % p.stderr.decode(errors="replace"))
        with open(prefix + ".txt") as f:
            keys[sel] = parse_txt_strings(f.read())
        files[sel] = prefix + ".private"
    # 512 bits: below what vouch dkim keygen makes, so openssl
    pem = os.path.join(tmp, "key-k512.pem")
    check(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
           "rsa_keygen_bits:512", "-out", pem])
    der = check(["openssl", "pkey", "-in", pem, "-pubout", "-outform", "DER"])
    keys["k512"] = ["v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()]
    files["k512"] = pem
    return keys, files


def check(cmd, **kw):
    p = run(cmd, **kw)
    if p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd),
                                       p.stderr.decode(errors="replace")))
    return p.stdout


# ---- signing by hand (what vouch dkim sign will not do) ---------------------

SIGNED_FIELDS = ("from", "to", "subject", "date", "message-id")


def relaxed_header(name, value):
    value = re.sub(rb"\r\n(?=[ \t])", b"", value)
    value = re.sub(rb"[ \t]+", b" ", value).strip(b" ")
    return name.lower() + b":" + value


def relaxed_body(body):
    lines = body.split(b"\r\n")
    lines = [re.sub(rb"[ \t]+", b" ", ln).rstrip(b" ") for ln in lines]
    while lines and lines[-1] == b"":
        lines.pop()
    return b"".join(ln + b"\r\n" for ln in lines)


def hand_sign(msg, domain, selector, alg, keyfile):
    """A relaxed/relaxed DKIM signature (RFC 6376 3.4.2, 3.4.4, 3.7) made
    with openssl: for rsa-sha1 and for keys vouch will not sign with."""
    head, _, body = msg.partition(b"\r\n\r\n")
    fields = []
    for raw in re.split(rb"\r\n(?![ \t])", head):
        name, _, value = raw.partition(b":")
        fields.append((name.strip(), value))
    digest = "sha1" if alg == "rsa-sha1" else "sha256"
    bh = base64.b64encode(hashlib.new(digest, relaxed_body(body)).digest())
    signed = [f for f in fields if f[0].lower().decode() in SIGNED_FIELDS]
    sig = ("v=1; a=%s; c=relaxed/relaxed; d=%s; s=%s; t=%s;\r\n\t"
           "h=%s; bh=%s;\r\n\tb=" % (
               alg, domain, selector, NOW,
               ":".join(f[0].decode().lower() for f in signed),
               bh.decode())).encode()
    data = b"".join(relaxed_header(n, v) + b"\r\n" for n, v in signed)
    data += relaxed_header(b"DKIM-Signature", sig)
    b = check(["openssl", "dgst", "-" + digest, "-sign", keyfile], input=data)
    return (b"DKIM-Signature: " + sig + base64.b64encode(b) + b"\r\n" +
            msg)


# ---- the corpus -------------------------------------------------------------

def org_of(dom):
    return AUTHORS[dom][0] or dom


# DKIM variants: name -> list of (signing domain, selector) for a From
# domain, or None when the variant does not apply to it. "broken" changes
# the body after signing.
def dkim_variant(name, dom):
    ghost = dom == GHOST
    org = org_of(dom)
    if name == "none":
        return []
    if name == "aligned":
        return None if ghost else [(dom, "r1")]
    if name == "aligned-ed":
        return None if ghost else [(dom, "e1")]
    if name == "org":
        return [(org, "r1")] if org != dom else None
    if name == "subd":
        return None if ghost else [("dk." + dom, "r1")]
    if name == "thirdparty":
        return [("esp.example", "r1")]
    if name == "broken":
        return [(org if ghost else dom, "r1")]
    if name == "two":
        return [(org if ghost else dom, "e1"), ("esp.example", "r1")]
    if name == "two-broken":
        return [(org if ghost else dom, "e1"), ("esp.example", "r1")]
    if name == "sha1":
        # rsa-sha1 (RFC 8301 3.1), signed here, 2048-bit key
        return None if ghost else [(dom, "r1")]
    if name == "short":
        # rsa-sha256 with a 512-bit key (RFC 8301 3.2), signed here
        return None if ghost else [(dom, "k512")]
    if name in KEY_VARIANTS:
        return [(dom, KEY_VARIANTS[name][0])] if dom in KEY_DOMAINS else None
    if name == "keyslow":
        # the key query times out
        return [("keyslow.example", "r1")]
    if name == "keyslow-aligned":
        return [(dom, "slow")] if dom in KEY_DOMAINS else None
    raise ValueError(name)


# Key records (RFC 6376 3.6.1) for the r1 key under other selectors:
# variant -> (selector, record with {p} for the key's base64; None: no
# record at all). Signed with r1's private key, d= the From domain.
KEY_VARIANTS = {
    "nokey": ("gone", None),
    "revoked": ("rv", "v=DKIM1; k=rsa; p="),
    "key-h-sha1": ("hs", "v=DKIM1; k=rsa; h=sha1; p={p}"),
    "key-h-both": ("hb", "v=DKIM1; k=rsa; h=sha1:sha256; p={p}"),
    "key-testing": ("ty", "v=DKIM1; k=rsa; t=y; p={p}"),
    "key-s-email": ("se", "v=DKIM1; k=rsa; s=email; p={p}"),
    "key-s-other": ("so", "v=DKIM1; k=rsa; s=other; p={p}"),
    "key-k-unknown": ("ku", "v=DKIM1; k=dsa; p={p}"),
    "key-v-wrong": ("vw", "v=DKIM2; k=rsa; p={p}"),
    "key-no-v": ("nv", "k=rsa; p={p}"),
    "key-garbage": ("gb", "v=DKIM1; k=rsa; p=bm90IGEga2V5"),
    "key-t-s": ("ts", "v=DKIM1; k=rsa; t=s; p={p}"),
}
KEY_DOMAINS = ("rej.example", "none.example", "sub.orgd.example")

DKIM_VARIANTS = ("none", "aligned", "aligned-ed", "org", "subd", "thirdparty",
                 "broken", "two", "two-broken", "sha1", "short",
                 "keyslow", "keyslow-aligned") + tuple(KEY_VARIANTS)
# variants signed by hand_sign(), with their algorithm
HAND_SIGNED = {"sha1": "rsa-sha1", "short": "rsa-sha256"}


# SPF evaluation beyond one record (RFC 7208 4.6.4, 5, 6): variant
# "x-NAME" sends from bounce@NAME.example at IP; NAME.example publishes the
# records. All unaligned with every From domain.
SPF_EXTRA = {
    "spfinc": (IP_ESP, ["v=spf1 include:esp.example -all"]),
    "spfredir": (IP_ESP, ["v=spf1 redirect=esp.example"]),
    "spfmx": (IP_PASS, ["v=spf1 mx -all"]),
    "spfa": (IP_PASS, ["v=spf1 a:mx.relay.example -all"]),
    "spfexists": (IP_PASS, ["v=spf1 exists:%{i}.ok.example -all"]),
    "spfvoid": (IP_ESP, ["v=spf1 a:n1.void.example a:n2.void.example "
                         "a:n3.void.example -all"]),
    "spfmany": (IP_ESP, ["v=spf1 a a a a a a a a a a a -all"]),
    "spftwo": (IP_PASS, ["v=spf1 ip4:192.0.2.10 -all", "v=spf1 -all"]),
    "spfsyntax": (IP_PASS, ["v=spf1 ip4:192.0.2.300 -all"]),
    "spfnoall": (IP_PASS, ["v=spf1 ip4:192.0.2.99"]),
    "spfinclnone": (IP_PASS, ["v=spf1 include:nospf.example -all"]),
    "spfredirnone": (IP_PASS, ["v=spf1 redirect=nospf.example"]),
    "spfmacro": (IP_PASS, ["v=spf1 exists:%{l}.%{d}.users.example -all"]),
}
SPF_EXTRA_DOMAINS = ("rej.example", "none.example")


# SPF variants: name -> (ip, helo, MAIL FROM), or None.
def spf_variant(name, dom):
    ghost = dom == GHOST
    if name.startswith("x-"):
        return (SPF_EXTRA[name[2:]][0], HELO, "bounce@%s.example" % name[2:])
    if name == "pass-aligned":
        return None if ghost else (IP_PASS, HELO, "bounce@" + dom)
    if name == "pass-sub":
        return None if ghost else (IP_PASS, HELO, "bounce@em." + dom)
    if name == "pass-unaligned":
        return (IP_ESP, HELO, "bounce@esp.example")
    if name == "fail":
        return (IP_FAIL, HELO, "bounce@" + dom) if not ghost else None
    if name == "softfail":
        return (IP_OTHER, HELO, "bounce@" + dom) if not ghost else None
    if name == "neutral":
        return (IP_NEUTRAL, HELO, "bounce@" + dom) if not ghost else None
    if name == "none":
        return (IP_PASS, HELO, "bounce@nospf.example")
    if name == "pass-list":
        return (IP_ESP, "mx.list.example", "bounce@list.example")
    if name == "temperror":
        return (IP_PASS, HELO, "bounce@spfslow.example")
    if name == "temperror-aligned":
        return ((IP_PASS, HELO, "bounce@spfto." + dom)
                if dom in KEY_DOMAINS else None)
    if name == "null-helo":
        # null sender: SPF checks postmaster@HELO (RFC 7208 2.4)
        return (IP_PASS, dom, "")
    if name == "null-helo-esp":
        return (IP_ESP, "mx.esp.example", "")
    raise ValueError(name)


SPF_VARIANTS = ("pass-aligned", "pass-sub", "pass-unaligned", "fail",
                "softfail", "neutral", "none", "temperror",
                "temperror-aligned", "null-helo", "null-helo-esp")


def from_fields(shape, dom):
    """The From field(s) of a message of that shape."""
    if shape == "plain":
        return [b"From: alice@" + dom.encode()]
    if shape == "display":
        return [b'From: "Alice Example" <alice@' + dom.encode() + b">"]
    if shape == "multi-same":
        return [b"From: alice@" + dom.encode() + b", Bob <bob@" +
                dom.encode() + b">"]
    if shape == "multi-diff":
        return [b"From: alice@" + dom.encode() + b", eve@eve.example"]
    if shape == "two-fields":
        return [b"From: alice@" + dom.encode(), b"From: eve@eve.example"]
    if shape == "two-fields-same":
        return [b"From: alice@" + dom.encode(),
                b"From: Bob <bob@" + dom.encode() + b">"]
    if shape == "no-from":
        return []
    if shape == "upper":
        return [b"From: alice@" + dom.upper().encode()]
    if shape == "comment":
        return [b"From: alice@" + dom.encode() + b" (Alice Example)"]
    if shape == "quoted-local":
        return [b'From: "alice example"@' + dom.encode()]
    if shape == "display-spoof":
        # the display name looks like the author; the address is eve's
        return [b'From: "alice@' + dom.encode() + b'" <eve@eve.example>']
    if shape == "group-empty":
        return [b"From: undisclosed-recipients:;"]
    if shape == "utf8":
        # RFC 6532: the From domain as a U-label, raw UTF-8
        return [b"From: alice@" + dom.encode("ascii").decode("idna").encode()]
    raise ValueError(shape)


SHAPES = ("display", "multi-same", "multi-diff", "two-fields",
          "two-fields-same", "no-from", "upper", "comment", "quoted-local",
          "display-spoof", "group-empty")
SHAPE_DOMAINS = ("none.example", "quar.example", "rej.example",
                 "sub.sp.example", "strict.example")
# ARC: a mailing list (list.example) adds a footer (breaking the author's
# DKIM signature) and seals; "pass2": another hop (esp.example) seals
# again; "broken": the body changes after the list sealed.
ARC_VARIANTS = ("pass1", "pass2", "broken")
ARC_DOMAINS = ("none.example", "quar.example", "rej.example",
               "sub.sp.example")
SHAPE_COMBOS = (("aligned", "pass-unaligned"), ("none", "pass-aligned"),
                ("thirdparty", "fail"), ("broken", "pass-sub"))


def corpus():
    """The cases, in a fixed order: dicts with id, from domain, shape, dkim
    and spf variant names."""
    cases, seen = [], set()

    def add(dom, shape, dk, sp, arc="none"):
        if dkim_variant(dk, dom) is None or spf_variant(sp, dom) is None:
            return
        cid = "%s,%s,dkim=%s,spf=%s,arc=%s" % (dom, shape, dk, sp, arc)
        if cid in seen:
            return
        seen.add(cid)
        cases.append({"id": cid, "from": dom, "shape": shape, "dkim": dk,
                      "spf": sp, "arc": arc})

    for dom in AUTHORS:
        for dk in DKIM_VARIANTS:
            for sp in ("pass-unaligned", "fail"):
                add(dom, "plain", dk, sp)
        for sp in SPF_VARIANTS:
            for dk in ("none", "thirdparty"):
                add(dom, "plain", dk, sp)
    for dom in SHAPE_DOMAINS:
        for shape in SHAPES:
            for dk, sp in SHAPE_COMBOS:
                add(dom, shape, dk, sp)
    for dk, sp in SHAPE_COMBOS:
        add(IDN, "utf8", dk, sp)
    for dom in SPF_EXTRA_DOMAINS:
        for name in SPF_EXTRA:
            add(dom, "plain", "none", "x-" + name)
    for dom in ARC_DOMAINS:
        for arc in ARC_VARIANTS:
            for dk in ("aligned", "thirdparty"):
                add(dom, "plain", dk, "pass-list", arc)
    return cases


def message(case, n):
    """The message before signing. A no-from message is made with a plain
    From field, which write_corpus removes after signing (vouch signs only
    messages with a From field)."""
    dom = case["from"]
    shape = "plain" if case["shape"] == "no-from" else case["shape"]
    head = from_fields(shape, dom)
    head += [b"To: bob@rcpt.example",
             b"Subject: differential case " + str(n).encode(),
             b"Date: Mon, 24 Nov 2025 16:00:00 +0000",
             b"Message-ID: <case%d@%s>" % (n, dom.encode())]
    body = (b"Hello,\r\n\r\nthis is case " + case["id"].encode() +
            b".\r\n\r\n-- \r\nAlice\r\n")
    return b"\r\n".join(head) + b"\r\n\r\n" + body


def sign(vouch, msg, sigs, keyfiles):
    if not sigs:
        return msg
    args = [vouch, "dkim", "sign", "--now", NOW]
    for dom, sel in sigs:
        args += ["--domain", dom, "--selector", sel, "--key",
                 keyfiles.get(sel, keyfiles["r1"])]
    p = run(args + ["-"], input=msg)
    if p.returncode != 0:
        raise RuntimeError("sign %r: %s" % (sigs, p.stderr.decode(errors="replace")))
    return p.stdout


def add_footer(msg):
    return msg.replace(b"-- \r\nAlice\r\n", b"-- \r\nAlice\r\nlist footer\r\n")


def arc_seal(vouch, zone, msg, domain, authres, keyfiles):
    return check([vouch, "arc", "seal", "--zone", zone, "--now", NOW,
                  "--domain", domain, "--selector", "r1", "--key",
                  keyfiles["r1"], "--authserv-id", "mx." + domain,
                  "--authres", authres, "-"], input=msg)


def forward(vouch, zone, case, msg, keyfiles):
    """What the ARC variant does to a signed message."""
    if case["arc"] == "none":
        return msg
    msg = add_footer(msg)
    msg = arc_seal(vouch, zone, msg, "list.example",
                   "dkim=pass header.d=%s; spf=pass smtp.mailfrom=%s" % (
                       case["from"], case["from"]), keyfiles)
    if case["arc"] == "pass2":
        msg = arc_seal(vouch, zone, msg, "esp.example",
                       "spf=pass smtp.mailfrom=list.example", keyfiles)
    if case["arc"] == "broken":
        msg = msg.replace(b"list footer\r\n", b"list footer, changed\r\n")
    return msg


def write_case(vouch, zone, keyfiles, d, n, case):
    """Make, sign and forward one message; returns its job."""
    msg = message(case, n)
    sigs = dkim_variant(case["dkim"], case["from"])
    if case["dkim"] == "two-broken":
        # the author's signature breaks (a footer added), then a third
        # party signs the changed message: one fail, one pass
        signed = sign(vouch, msg, sigs[:1], keyfiles)
        signed = sign(vouch, add_footer(signed), sigs[1:], keyfiles)
    elif case["dkim"] in HAND_SIGNED:
        (dom, sel), = sigs
        signed = hand_sign(msg, dom, sel, HAND_SIGNED[case["dkim"]],
                           keyfiles[sel])
    else:
        signed = sign(vouch, msg, sigs, keyfiles)
        if case["dkim"] == "broken":
            signed = add_footer(signed)
    signed = forward(vouch, zone, case, signed, keyfiles)
    if case["shape"] == "no-from":
        signed = re.sub(rb"(?m)^From: [^\r\n]*\r\n", b"", signed, count=1)
    path = os.path.join(d, "%04d.eml" % n)
    with open(path, "wb") as f:
        f.write(signed)
    ip, helo, mf = spf_variant(case["spf"], case["from"])
    return {"id": case["id"], "file": path, "ip": ip, "helo": helo,
            "sender": mf}


def write_corpus(vouch, tmp, zone, keyfiles):
    """Every case's message in tmp/messages (two at a time); the jobs, in
    corpus order."""
    d = os.path.join(tmp, "messages")
    os.makedirs(d)
    with ThreadPoolExecutor(max_workers=2) as ex:
        return list(ex.map(lambda nc: write_case(vouch, zone, keyfiles, d, *nc),
                           enumerate(corpus())))


# ---- running both -----------------------------------------------------------

def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    return subprocess.run(cmd, **kw)


def vouch_one(vouch, zone, job):
    p = run([vouch, "verify", job["file"], "--zone", zone, "--now", NOW,
             "--ip", job["ip"], "--helo", job["helo"], "--mail-from",
             job["sender"], "--authserv-id", AUTHSERV, "--dmarc-mode", "7489",
             "--json"])
    if p.returncode != 0 or p.stderr:
        # a verdict is never an error, and nothing is written to stderr
        # (sanitizer reports included)
        return {"error": "exit %d: %s" % (p.returncode,
                                          p.stderr.decode(errors="replace").strip())}
    return json.loads(p.stdout)


def run_vouch(vouch, zone, jobs):
    with ThreadPoolExecutor(max_workers=2) as ex:
        return list(ex.map(lambda j: vouch_one(vouch, zone, j), jobs))


def run_mailauth(dns, jobs, tmp):
    req = json.dumps({"dns": dns, "faults": faults(), "mta": AUTHSERV,
                      "jobs": jobs})
    p = run(["node", PEER], input=req.encode(), cwd=HERE, timeout=600)
    if p.returncode != 0:
        raise RuntimeError("mailauth peer: exit %d: %s" % (
            p.returncode, p.stderr.decode(errors="replace")[-2000:]))
    out = json.loads(p.stdout)
    with open(os.path.join(tmp, "mailauth.json"), "w") as f:
        json.dump(out, f, indent=1)
    return out


# ---- comparing --------------------------------------------------------------

def fields(v, m):
    """(field, vouch says, mailauth says) for one message; values are
    strings."""
    out = []
    if "error" in v or "error" in m:
        return [("run", v.get("error", "ok"), m.get("error", "ok"))]
    out.append(("spf", v["spf"]["result"], m["spf"]["result"]))
    vd = {"%s/%s" % (s["domain"].lower(), s["selector"]): s["result"]
          for s in v["dkim"]}
    md = {"%s/%s" % (s["domain"].lower(), s["selector"]): s["result"]
          for s in m["dkim"]}
    for key in sorted(set(vd) | set(md)):
        out.append(("dkim:" + key, vd.get(key, "absent"), md.get(key, "absent")))
    vdm, mdm = v["dmarc"], m["dmarc"]
    out.append(("dmarc", vdm["result"], mdm["result"] if mdm else "absent"))
    if mdm and mdm.get("policy") and vdm["policy"] not in ("", "unset"):
        out.append(("dmarc.policy", vdm["policy"], str(mdm["policy"])))
    elif mdm and (mdm.get("policy") or vdm["policy"] not in ("", "unset")):
        # one of them reports a policy, the other none
        out.append(("dmarc.policy", vdm["policy"] or "unset",
                    str(mdm.get("policy") or "unset")))
    if mdm and mdm.get("spf_aligned") is not None:
        for k in ("spf_aligned", "dkim_aligned"):
            out.append(("dmarc." + k, str(vdm[k]).lower(), str(mdm[k]).lower()))
    out.append(("arc", v["arc"]["cv"], m["arc"]["result"] or "absent"))
    return out


def load_differences():
    """Listed differences: [case pattern, field pattern, vouch, mailauth,
    why, line, used]."""
    entries = []
    with open(DIFFERENCES, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 5 or not all(parts):
                raise RuntimeError("%s:%d: want CASE | FIELD | VOUCH | "
                                   "MAILAUTH | WHY" % (DIFFERENCES, lineno))
            entries.append(parts + [lineno, 0])
    return entries


def braces(pattern):
    """Expand {a,b} groups (not nested) into the patterns they stand for."""
    m = re.search(r"\{([^{}]*)\}", pattern)
    if m is None:
        return [pattern]
    out = []
    for alt in m.group(1).split(","):
        out += braces(pattern[:m.start()] + alt + pattern[m.end():])
    return out


def matches(name, pattern):
    return any(fnmatch.fnmatchcase(name, p) for p in braces(pattern))


def listed(entries, cid, field, vs, ms):
    for e in entries:
        if (matches(cid, e[0]) and matches(field, e[1])
                and e[2] == vs and e[3] == ms):
            e[6] += 1
            return e
    return None


def compare(jobs, vout, mout, entries):
    passed = failed = 0
    for job, v, m in zip(jobs, vout, mout):
        if m.get("id") != job["id"]:
            raise RuntimeError("mailauth answered out of order at %s" % job["id"])
        for field, vs, ms in fields(v, m):
            if vs == ms:
                passed += 1
                if VERBOSE:
                    print("ok   %s %s: %s" % (job["id"], field, vs))
                continue
            e = listed(entries, job["id"], field, vs, ms)
            if e is not None:
                passed += 1
                if VERBOSE:
                    print("diff %s %s: vouch %s, mailauth %s (listed, line %d)"
                          % (job["id"], field, vs, ms, e[5]))
                continue
            failed += 1
            print("FAIL %s %s: vouch says %s, mailauth says %s" %
                  (job["id"], field, vs, ms))
    for e in entries:
        if e[6] == 0:
            failed += 1
            print("FAIL %s:%d: listed difference never seen: %s | %s | %s | %s"
                  % (os.path.basename(DIFFERENCES), e[5], e[0], e[1], e[2], e[3]))
    print()
    print("listed differences (counted as passes):")
    for e in entries:
        print("  line %d: %s | %s: vouch %s, mailauth %s -- %d field(s)" %
              (e[5], e[0], e[1], e[2], e[3], e[6]))
    return passed, failed


# ---- setup ------------------------------------------------------------------

def install_mailauth():
    """npm ci in tests/interop from the committed lock file, as
    dkim_interop.py does. Returns None on success, else why not."""
    if shutil.which("npm") is None:
        return "no npm: run scripts/install-deps node, then `npm ci` in tests/interop"
    print("installing mailauth: npm ci in %s" % HERE, flush=True)
    p = run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=HERE, timeout=300)
    if p.returncode != 0 or not os.path.isdir(os.path.join(HERE, "node_modules", "mailauth")):
        return "`npm ci` in tests/interop failed: %s" % (
            p.stderr.decode(errors="replace").strip()[-300:])
    return None


def missing_peer():
    if shutil.which("openssl") is None:
        return "openssl (scripts/install-deps test)"
    if shutil.which("node") is None or shutil.which("npm") is None:
        print("no node/npm: scripts/install-deps node", flush=True)
        run([os.path.join(SRC, "scripts", "install-deps"), "node"],
            capture_output=False, timeout=900)
    if shutil.which("node") is None:
        return "node (scripts/install-deps node)"
    if not os.path.isdir(os.path.join(HERE, "node_modules", "mailauth")):
        return install_mailauth()
    return None


def on_sigterm(signum, frame):
    raise SystemExit("terminated (signal %d)" % signum)


def main():
    signal.signal(signal.SIGTERM, on_sigterm)
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    if len(args) != 1:
        print("usage: verify_mailauth.py VOUCH_BINARY [-k] [-v]", file=sys.stderr)
        return 2
    vouch = os.path.abspath(args[0])
    why = missing_peer()
    if why:
        print("SKIP: mailauth is missing: %s" % why)
        return 77
    t0 = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="vouch-verify-mailauth-")
    try:
        entries = load_differences()
        keys, keyfiles = make_keys(vouch, tmp)
        dns = build_dns(keys)
        zone = os.path.join(tmp, "corpus.zone")
        with open(zone, "w") as f:
            f.write(zone_text(dns))
        with open(os.path.join(tmp, "dns.json"), "w") as f:
            json.dump(dns, f, indent=1)
        jobs = write_corpus(vouch, tmp, zone, keyfiles)
        with open(os.path.join(HERE, "node_modules", "mailauth", "package.json")) as f:
            version = json.load(f)["version"]
        print("mailauth %s (node %s), %d messages" % (
            version, run(["node", "--version"]).stdout.decode().strip(), len(jobs)))
        vout = run_vouch(vouch, zone, jobs)
        with open(os.path.join(tmp, "vouch.json"), "w") as f:
            json.dump(vout, f, indent=1)
        mout = run_mailauth(dns, jobs, tmp)
        passed, failed = compare(jobs, vout, mout, entries)
    except (RuntimeError, OSError, ValueError, subprocess.SubprocessError) as e:
        print("FAIL harness: %s" % e)
        print("0 passed, 1 failed")
        return 1
    finally:
        if KEEP:
            print("kept: %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("run took %.1f s" % (time.monotonic() - t0))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
