#!/usr/bin/env python3
"""bench/dkim/gen_corpus.py OUTDIR [--big MB] - the DKIM benchmark corpus.

Deterministic (fixed seed): 200 unsigned messages in OUTDIR/dkim/plain/,
60% about 1 KB, 35% about 10 KB and 5% 200-300 KB, CRLF line ends; a
realistic header (Received chain, From, To, Subject, Date, Message-ID, MIME
fields) and a text body mixing long and short lines, blank lines, quoted
replies, some trailing whitespace and runs of spaces (so relaxed
canonicalization has work to do), and a few long base64-looking lines.
With --big MB, also OUTDIR/dkim/big.eml, one message of about MB megabytes
for the peak-memory check. Prints what it wrote.
"""
import os
import random
import sys

WORDS = ("the of and to in is that for it as was with be by on not he this are "
         "or his from at which but have an they you were her she there one all "
         "we their can has been more if will would who so no message mail "
         "server domain report invoice meeting schedule please attached review "
         "quarterly budget project deadline signature authentication delivery "
         "customer support account update password security policy network "
         "thanks regards tomorrow yesterday morning afternoon conference agenda "
         "minutes proposal contract payment receipt shipping order tracking "
         "résumé naïve café").split()
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def sentence(r, n):
    w = [r.choice(WORDS) for _ in range(n)]
    w[0] = w[0].capitalize()
    return " ".join(w) + r.choice(".!?.,;")


def body(r, size):
    out, n = [], 0
    while n < size:
        k = r.random()
        if k < 0.10:
            line = ""
        elif k < 0.18:
            line = "> " + sentence(r, r.randint(3, 14))
        elif k < 0.22:
            line = "".join(r.choice(B64) for _ in range(76))
        elif k < 0.30:  # a long unwrapped paragraph line
            line = " ".join(sentence(r, r.randint(8, 20))
                            for _ in range(r.randint(3, 8)))[:900]
        elif k < 0.36:  # runs of whitespace inside the line
            line = sentence(r, 4) + " \t  " + sentence(r, 5)
        else:
            line = sentence(r, r.randint(2, 14))
        if r.random() < 0.12:  # trailing whitespace
            line += r.choice([" ", "  ", "\t", " \t "])
        out.append(line)
        n += len(line.encode()) + 2
    out += ["", "-- ", "Sent by the vouch DKIM benchmark", "", ""]
    return "\r\n".join(out).encode()


def header(r, i):
    user = "user%d" % r.randint(1, 999)
    host = "mx%d.relay%d.example.net" % (r.randint(1, 9), r.randint(1, 50))
    h = []
    for hop in range(r.randint(1, 3)):
        h.append("Received: from %s (%s [192.0.2.%d])\r\n\tby mail%d.bench.example "
                 "(Postfix) with ESMTPS id %X\r\n\tfor <%s@bench.example>; "
                 "Tue, 1 Dec 2026 10:%02d:%02d +0000"
                 % (host, host, r.randint(1, 254), hop, r.getrandbits(40),
                    user, r.randint(0, 59), r.randint(0, 59)))
    subj = sentence(r, r.randint(3, 10))[:-1]
    h += ["From: \"Sender %d\" <sender%d@bench.example>" % (i, i % 17),
          "To: %s@example.org,  \r\n  other%d@example.org" % (user, i),
          "Subject:  %s " % subj,
          "Date: Tue, 1 Dec 2026 10:%02d:%02d +0000" % (i % 60, (i * 7) % 60),
          "Message-ID: <%d.%X@bench.example>" % (i, r.getrandbits(48)),
          "MIME-Version: 1.0",
          "Content-Type: text/plain; charset=utf-8",
          "Content-Transfer-Encoding: 8bit"]
    if r.random() < 0.3:
        h.append("Reply-To: list%d@bench.example" % (i % 5))
    if r.random() < 0.3:
        h.append("X-Mailer:   BenchMailer\t%d.%d  " % (r.randint(1, 9), r.randint(0, 99)))
    return ("\r\n".join(h) + "\r\n\r\n").encode()


def main():
    out = sys.argv[1]
    big = 0
    if "--big" in sys.argv:
        big = int(sys.argv[sys.argv.index("--big") + 1])
    d = os.path.join(out, "dkim", "plain")
    os.makedirs(d, exist_ok=True)
    r = random.Random(6376)
    n, total = 200, 0
    for i in range(n):
        if i % 20 == 19:
            size = r.randint(200_000, 300_000)
        elif i % 20 in (1, 4, 7, 9, 12, 15, 17):
            size = r.randint(8_000, 12_000)
        else:
            size = r.randint(250, 700)
        msg = header(r, i) + body(r, size)
        total += len(msg)
        with open(os.path.join(d, "%03d.eml" % i), "wb") as f:
            f.write(msg)
    print("%d messages, %d bytes in %s" % (n, total, d))
    if big:
        rb = random.Random(8463)
        path = os.path.join(out, "dkim", "big.eml")
        with open(path, "wb") as f:
            f.write(header(rb, 0))
            chunk = body(rb, 1 << 20)  # 1 MiB of text, repeated
            for _ in range(big):
                f.write(chunk)
        print("%s: %d bytes" % (path, os.path.getsize(path)))


if __name__ == "__main__":
    main()
