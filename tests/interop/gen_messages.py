#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The hard messages of the DKIM interop test, made the same way every time.

    gen_messages.py OUTDIR     writes OUTDIR/<name>.eml, prints the names

Every message has From (in interop.test, the signing domain), To, Subject,
Date and Message-ID, and CRLF line ends, except `bare-lf`, which is LF-only
from its first byte to its last. Nothing random: the large bodies come from
fixed arithmetic, so the bytes (and their sha256, printed with -v) never
change between runs or machines.
"""
import hashlib
import os
import sys

DOMAIN = "interop.test"
CRLF = b"\r\n"


def header(name, extra=(), subject=None, to=b"Bob <bob@example.org>"):
    """The five fields every message has, then extra (already encoded)."""
    n = sum(name.encode()) % 50
    fields = [
        b"From: Alice <alice@" + DOMAIN.encode() + b">",
        b"To: " + to,
        b"Subject: " + (subject if subject is not None else
                        b"interop " + name.encode()),
        b"Date: Tue, 14 Nov 2023 22:13:%02d +0000" % n,
        b"Message-ID: <" + name.encode() + b".1700000000@" +
        DOMAIN.encode() + b">",
    ]
    return fields + list(extra)


def build(fields, body_lines, final_eol=True, eol=CRLF):
    """fields and body lines (bytes without line ends) into one message."""
    msg = eol.join(fields) + eol + eol
    msg += eol.join(body_lines)
    if body_lines and final_eol:
        msg += eol
    return msg


def text_lines(seed, count, width=72):
    """Deterministic printable lines (a linear congruential generator)."""
    words = [b"lorem", b"ipsum", b"dolor", b"sit", b"amet", b"consectetur",
             b"adipiscing", b"elit", b"sed", b"do", b"eiusmod", b"tempor",
             b"incididunt", b"ut", b"labore", b"et", b"dolore", b"magna",
             b"aliqua", b"DKIM", b"relaxed", b"simple", b"vouch", b"0123456789"]
    x = seed
    out = []
    for _ in range(count):
        line = b""
        while True:
            x = (x * 1103515245 + 12345) % 2147483648
            w = words[(x >> 16) % len(words)]
            if len(line) + 1 + len(w) > width:
                break
            line = line + b" " + w if line else w
        out.append(line)
    return out


def messages():
    """[(name, bytes)], in a fixed order."""
    m = []

    # --- normal messages ---------------------------------------------------
    m.append(("plain", build(header("plain"), [
        b"Hello Bob,", b"", b"this is a perfectly ordinary message.", b"",
        b"-- ", b"Alice"])))

    boundary = b"=_interop_boundary_42"
    m.append(("mime-multipart", build(header("mime-multipart", [
        b"MIME-Version: 1.0",
        b'Content-Type: multipart/alternative; boundary="' + boundary + b'"',
    ]), [
        b"This is a multi-part message in MIME format.", b"",
        b"--" + boundary,
        b"Content-Type: text/plain; charset=us-ascii",
        b"Content-Transfer-Encoding: 7bit", b"",
        b"Plain part.", b"",
        b"--" + boundary,
        b"Content-Type: text/html; charset=us-ascii",
        b"Content-Transfer-Encoding: quoted-printable", b"",
        b"<p>HTML part with a soft=", b"break.</p>", b"",
        b"--" + boundary + b"--"])))

    m.append(("reply-cc", build(header("reply-cc", [
        b"Cc: Carol <carol@example.net>, dave@example.com",
        b"In-Reply-To: <plain.1700000000@interop.test>",
        b"References: <plain.1700000000@interop.test>",
        b"Reply-To: alice+replies@interop.test",
        b"MIME-Version: 1.0",
        b"Content-Type: text/plain; charset=us-ascii",
    ]), [b"> quoted line", b">", b"Reply text."] + text_lines(7, 20))))

    # --- body edge cases ---------------------------------------------------
    # header, blank line, no body bytes at all
    m.append(("empty-body", build(header("empty-body"), [])))

    m.append(("no-final-crlf", build(header("no-final-crlf"), [
        b"first line", b"the last line has no line end"], final_eol=False)))

    m.append(("trailing-whitespace", build(header("trailing-whitespace"), [
        b"spaces at the end   ", b"a tab at the end\t", b"mixed \t \t",
        b"  leading and inner  spaces\tand\t\ttabs  ", b"", b"   ", b"\t",
        b"", b"", b""])))

    m.append(("long-lines", build(header("long-lines"), [
        b"short line",
        b"".join(b"%05d-" % i for i in range(400)),       # 2400 bytes
        b"x" * 5000,
        b"word " * 700,                                   # 3500, ends in SP
        b"end"])))

    # --- 8-bit content -----------------------------------------------------
    m.append(("8bit-utf8", build(header("8bit-utf8", [
        b"MIME-Version: 1.0",
        b"Content-Type: text/plain; charset=utf-8",
        b"Content-Transfer-Encoding: 8bit",
    ], subject="Grüße aus Köln – ☃".encode("utf-8")), [
        "Grüße, Ærøskøbing, Ελληνικά, русский, 日本語, emoji 🙂".encode("utf-8"),
        "trailing non-break space\u00a0".encode("utf-8"),
        b"plain ascii line"])))

    m.append(("8bit-latin1", build(header("8bit-latin1", [
        b"MIME-Version: 1.0",
        b"Content-Type: text/plain; charset=iso-8859-1",
        b"Content-Transfer-Encoding: 8bit",
    ]), [
        "Grüße aus Köln, ça va? Ærøskøbing ½ £ ÿ".encode("latin-1"),
        bytes(range(0xa0, 0x100)),
        b"plain ascii line"])))

    # --- line ends ---------------------------------------------------------
    m.append(("bare-lf", build(header("bare-lf", [
        b"MIME-Version: 1.0",
    ]), [b"This message has LF line ends only,", b"as a Unix mailbox keeps it.",
         b"trailing space ", b"", b""], eol=b"\n")))

    # --- header edge cases -------------------------------------------------
    m.append(("many-headers", build(header("many-headers", [
        b"X-Filler-%03d: value %d of a long run of small fields" % (i, i)
        for i in range(200)]), [b"200 small header fields above."])))

    to = b",\r\n\t".join(b"User %d <user%d@example.org>" % (i, i)
                         for i in range(40))
    m.append(("folded-headers", build(header(
        "folded-headers",
        [b"X-Folded: first part\r\n second part\r\n\tthird part"],
        subject=b"a subject folded\r\n over three lines\r\n\tof the header",
        to=to), [b"Folded Subject, To and X-Folded above."])))

    # inside and at the end of values: relaxed folds runs of WSP into one
    # SP and drops them at the end; simple keeps every byte
    m.append(("header-whitespace", build(header("header-whitespace", [
        b"X-Tabs: value\twith\ttabs\t",
        b"X-Spaces: value   with    many     spaces   ",
        b"X-Mixed: mixed \t  whitespace \t ",
        b"x-lower-case: lower-case field name",
    ], subject=b"subject  with\ttabs   and \t spaces  "), [b"body"])))

    # at the start of values: anything but one SP after the colon, and an
    # empty value (milters are handed values without the leading space)
    m.append(("header-leading-whitespace", build(header(
        "header-leading-whitespace", [
            b"X-Empty:",
            b"X-Leading-Tab:\tvalue",
        ], subject=b"\t  leading tab and spaces"), [b"body"])))

    # RFC 5322 4.5.8 obsolete syntax: white space before the colon of a
    # field (one that no signer signs by default)
    m.append(("header-space-before-colon", build(header(
        "header-space-before-colon", [
            b"X-Space-Before-Colon : value",
        ]), [b"body"])))

    # --- size --------------------------------------------------------------
    big = text_lines(2023, 2900)     # about 200 KB
    m.append(("big-body", build(header("big-body", [
        b"MIME-Version: 1.0",
        b"Content-Type: text/plain; charset=us-ascii",
    ]), big)))

    return m


def write(outdir):
    os.makedirs(outdir, exist_ok=True)
    names = []
    for name, data in messages():
        with open(os.path.join(outdir, name + ".eml"), "wb") as f:
            f.write(data)
        names.append(name)
    return names


def main():
    args = [a for a in sys.argv[1:] if a != "-v"]
    if len(args) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    write(args[0])
    for name, data in messages():
        if "-v" in sys.argv:
            print("%-20s %7d  %s" % (name, len(data),
                                     hashlib.sha256(data).hexdigest()[:16]))
        else:
            print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
