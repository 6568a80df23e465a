/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of DKIM canonicalization (RFC 6376 §3.4): the examples of
 * §3.4.6, a table of edge cases for both body algorithms, results that do
 * not depend on chunking (every split point, single bytes, random cuts),
 * l= limits, and a differential test against a plain line-by-line
 * reference implementation on random bodies.
 */
#include <stdint.h>

#include "harness.h"
#include "dkim/dkim_internal.h"

/* SHA-256 of bytes, through the same hash wrapper. */
static void
digest_of(const char *p, size_t n, uint8_t out[32])
{
    vouch__hash_t *h;
    size_t len;

    if (vouch__hash_new(&h, test_ctx(), VOUCH__SHA256) != 0) {
        abort();
    }
    vouch__hash_update(h, p, n);
    if (vouch__hash_final(h, out, &len) != 0) {
        abort();
    }
    vouch__hash_free(h);
}

/* Canonicalize body (fed in chunks of the given sizes, cycling; 0 = one
 * chunk) and return the digest and the canonical length. */
static void
canon_body(vouch_dkim_canon_t c, const char *p, size_t n, const size_t *cuts,
           size_t ncuts, uint64_t limit, uint8_t out[32], uint64_t *emitted)
{
    vouch__hash_t *h;
    dkim_body_t b;
    size_t i = 0, k = 0, len;

    if (vouch__hash_new(&h, test_ctx(), VOUCH__SHA256) != 0) {
        abort();
    }
    vouch__dkim_body_init(&b, c, h, limit);
    while (i < n) {
        size_t step = ncuts == 0 ? n : cuts[k++ % ncuts];

        step = step == 0 || step > n - i ? n - i : step;
        vouch__dkim_body_update(&b, p + i, step);
        i += step;
    }
    vouch__dkim_body_final(&b);
    if (vouch__hash_final(h, out, &len) != 0) {
        abort();
    }
    *emitted = b.emitted;
    vouch__hash_free(h);
}

typedef struct body_case {
    const char *name;
    const char *in;
    const char *simple;
    const char *relaxed;
} body_case_t;

static const body_case_t body_cases[] = {
    /* RFC 6376 §3.4.6 */
    { "rfc example", " C \r\nD \t E\r\n\r\n\r\n", " C \r\nD \t E\r\n",
      " C\r\nD E\r\n" },
    { "empty", "", "\r\n", "" },
    { "one empty line", "\r\n", "\r\n", "" },
    { "only empty lines", "\r\n\r\n\r\n", "\r\n", "" },
    { "no final crlf", "abc", "abc\r\n", "abc\r\n" },
    { "trailing spaces, no crlf", "abc \t ", "abc \t \r\n", "abc\r\n" },
    { "leading empty lines kept", "\r\n\r\nabc\r\n\r\n", "\r\n\r\nabc\r\n",
      "\r\n\r\nabc\r\n" },
    { "whitespace-only line at end", "a\r\n \t \r\n", "a\r\n \t \r\n",
      "a\r\n" },
    { "whitespace-only line inside", "a\r\n \r\nb", "a\r\n \r\nb\r\n",
      "a\r\n\r\nb\r\n" },
    { "runs of whitespace", " \t a \t b \t \r\n", " \t a \t b \t \r\n",
      " a b\r\n" },
    { "tab alone", "a\tb\r\n", "a\tb\r\n", "a b\r\n" },
    { "bare cr is data", "a\rb\r\n", "a\rb\r\n", "a\rb\r\n" },
    { "cr at the very end", "ab\r", "ab\r\r\n", "ab\r\r\n" },
    { "space before cr", "ab \r\r\n", "ab \r\r\n", "ab \r\r\n" },
    { "many empty lines between", "a\r\n\r\n\r\n\r\nb\r\n",
      "a\r\n\r\n\r\n\r\nb\r\n", "a\r\n\r\n\r\n\r\nb\r\n" },
    { "line of spaces then text", "   x\r\n", "   x\r\n", " x\r\n" },
    { "8-bit bytes", "caf\xc3\xa9 \xff\r\n", "caf\xc3\xa9 \xff\r\n",
      "caf\xc3\xa9 \xff\r\n" },
    { "bare lf as crlf", "a\nb \n\n", "a\r\nb \r\n", "a\r\nb\r\n" },
    { "lf after cr-lf", "a\r\n\nb", "a\r\n\r\nb\r\n", "a\r\n\r\nb\r\n" },
    /* empty lines that content follows are passed through whole; those
     * before a whitespace line or the end are withheld */
    { "empty lines, text, empty lines", "a\r\n\r\nb\r\n\r\n\r\nc d\r\n\r\n\r\n",
      "a\r\n\r\nb\r\n\r\n\r\nc d\r\n", "a\r\n\r\nb\r\n\r\n\r\nc d\r\n" },
    { "empty lines, then whitespace lines", "a\r\n\r\n\r\n \t\r\n\r\n \r\n",
      "a\r\n\r\n\r\n \t\r\n\r\n \r\n", "a\r\n" },
    { "empty lines, then an indented line", "a\r\n\r\n\tb \r\n\r\n",
      "a\r\n\r\n\tb \r\n", "a\r\n\r\n b\r\n" },
    /* the vector scan stops at a space before a control byte, where the
     * slow path finds nothing to change; long enough for the vector loop */
    { "space before control bytes",
      "a \x01b \x1f  \x0b\tc \x02d 0123456789abcdef0123456789abcdef\r\n",
      "a \x01b \x1f  \x0b\tc \x02d 0123456789abcdef0123456789abcdef\r\n",
      "a \x01b \x1f \x0b c \x02d 0123456789abcdef0123456789abcdef\r\n" },
    { "empty lines, then a bare lf", "a\r\n\r\n\nb\r\n\r\n\n",
      "a\r\n\r\n\r\nb\r\n", "a\r\n\r\n\r\nb\r\n" },
};

static void
test_dkim_canon__body_table(void)
{
    static const size_t one[] = { 1 };
    size_t i, split;

    for (i = 0; i < sizeof(body_cases) / sizeof(body_cases[0]); i++) {
        const body_case_t *c = &body_cases[i];
        size_t n = strlen(c->in);
        int alg;

        for (alg = 0; alg < 2; alg++) {
            vouch_dkim_canon_t canon =
                alg == 0 ? VOUCH_DKIM_SIMPLE : VOUCH_DKIM_RELAXED;
            const char *want = alg == 0 ? c->simple : c->relaxed;
            uint8_t expect[32], got[32];
            uint64_t emitted;

            digest_of(want, strlen(want), expect);
            canon_body(canon, c->in, n, NULL, 0, UINT64_MAX, got, &emitted);
            CHECKF(memcmp(got, expect, 32) == 0 && emitted == strlen(want),
                   "%s (%s): canonical form differs (len %llu, want %zu)",
                   c->name, alg == 0 ? "simple" : "relaxed",
                   (unsigned long long)emitted, strlen(want));
            canon_body(canon, c->in, n, one, 1, UINT64_MAX, got, &emitted);
            CHECKF(memcmp(got, expect, 32) == 0, "%s (%s): 1-byte chunks",
                   c->name, alg == 0 ? "simple" : "relaxed");
            for (split = 1; split < n; split++) {
                size_t cuts[2] = { split, n };

                canon_body(canon, c->in, n, cuts, 2, UINT64_MAX, got, &emitted);
                CHECKF(memcmp(got, expect, 32) == 0, "%s (%s): split at %zu",
                       c->name, alg == 0 ? "simple" : "relaxed", split);
            }
        }
    }
}

static void
test_dkim_canon__header_rfc_example(void)
{
    /* RFC 6376 §3.4.6 */
    static const char a[] = "A: X";
    static const char b[] = "B : Y\t\r\n\tZ  ";
    vouch_buf_t out;

    vouch_buf_init(&out, test_ctx(), 1024);
    CHECK(vouch__dkim_canon_header(&out, VOUCH_DKIM_RELAXED, a, 4, 1, true) ==
          0);
    CHECK(vouch__dkim_canon_header(&out, VOUCH_DKIM_RELAXED, b, sizeof(b) - 1,
                                   1, true) == 0);
    CHECK_STR(out.ptr, "a:X\r\nb:Y Z\r\n");
    vouch_buf_clear(&out);
    CHECK(vouch__dkim_canon_header(&out, VOUCH_DKIM_SIMPLE, a, 4, 1, true) ==
          0);
    CHECK(vouch__dkim_canon_header(&out, VOUCH_DKIM_SIMPLE, b, sizeof(b) - 1, 1,
                                   true) == 0);
    CHECK_STR(out.ptr, "A: X\r\nB : Y\t\r\n\tZ  \r\n");
    vouch_buf_clear(&out);
    /* no final CRLF for the signature field itself; an empty value */
    CHECK(vouch__dkim_canon_header(&out, VOUCH_DKIM_RELAXED, "Subject:   ", 11,
                                   7, false) == 0);
    CHECK_STR(out.ptr, "subject:");
    vouch_buf_dispose(&out);
}

static void
test_dkim_canon__length_limit(void)
{
    static const char body[] = "hello\r\nworld\r\n";
    uint8_t got[32], expect[32];
    uint64_t emitted;

    canon_body(VOUCH_DKIM_SIMPLE, body, sizeof(body) - 1, NULL, 0, 7, got,
               &emitted);
    digest_of(body, 7, expect);
    CHECK(memcmp(got, expect, 32) == 0);
    CHECK(emitted == 14); /* all counted, only 7 hashed */
    canon_body(VOUCH_DKIM_SIMPLE, body, sizeof(body) - 1, NULL, 0, 0, got,
               &emitted);
    digest_of("", 0, expect);
    CHECK(memcmp(got, expect, 32) == 0);
}

/* The reference: cut the body into lines at CRLF (or a bare LF, which the
 * body canonicalizer takes as CRLF like the mail reader), canonicalize each
 * line (relaxed: runs of WSP to one SP, none at the end), end each with CRLF,
 * drop the empty lines at the end; an empty result is CRLF (simple) or
 * nothing (relaxed). */
static size_t
reference(vouch_dkim_canon_t c, const char *in, size_t n, char *out)
{
    size_t o = 0, i = 0, keep = 0;

    while (i < n) {
        size_t j = i, start = o;
        bool ws = false;

        while (j < n && in[j] != '\n' &&
               !(in[j] == '\r' && j + 1 < n && in[j + 1] == '\n')) {
            char ch = in[j++];

            if (c == VOUCH_DKIM_RELAXED && (ch == ' ' || ch == '\t')) {
                ws = true;
                continue;
            }
            if (ws) {
                out[o++] = ' ';
            }
            ws = false;
            out[o++] = ch;
        }
        if (c == VOUCH_DKIM_SIMPLE && ws) {
            abort(); /* simple never sets ws */
        }
        out[o++] = '\r';
        out[o++] = '\n';
        if (o - 2 > start) {
            keep = o; /* a line with content: what precedes stays */
        }
        i = j + (j < n && in[j] == '\n' ? 1 : 2); /* past the line end */
    }
    if (keep == 0 && c == VOUCH_DKIM_SIMPLE) {
        memcpy(out, "\r\n", 2);
        return 2;
    }
    return keep;
}

static void
test_dkim_canon__random_differential(void)
{
    static const char alphabet[] = "ab \t\r\n\r\n  x";
    size_t round;
    uint32_t seed = 12345;
    char *in = malloc(4096), *ref = malloc(3 * 4096 + 8);

    REQUIRE(in != NULL && ref != NULL);
    for (round = 0; round < 3000; round++) {
        size_t n = round % 300, i, rlen;
        size_t cuts[5];
        int alg;

        for (i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            in[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
        }
        for (i = 0; i < 5; i++) {
            seed = seed * 1103515245u + 12345u;
            cuts[i] = 1 + (seed >> 16) % 40;
        }
        for (alg = 0; alg < 2; alg++) {
            vouch_dkim_canon_t c = alg ? VOUCH_DKIM_RELAXED : VOUCH_DKIM_SIMPLE;
            uint8_t want[32], got[32];
            uint64_t emitted;

            rlen = reference(c, in, n, ref);
            digest_of(ref, rlen, want);
            canon_body(c, in, n, cuts, 5, UINT64_MAX, got, &emitted);
            CHECKF(memcmp(want, got, 32) == 0 && emitted == rlen,
                   "round %zu (%s): differs from the reference (%llu vs %zu)",
                   round, alg ? "relaxed" : "simple",
                   (unsigned long long)emitted, rlen);
        }
    }
    free(in);
    free(ref);
}

static void
test_dkim_canon__large_body_chunking(void)
{
    /* 1 MiB of text-like lines with odd whitespace, fed whole and in
     * chunks of many sizes: the digests agree */
    size_t n = 1 << 20, i;
    char *body = malloc(n);
    static const size_t cuts[] = { 1, 7, 4096, 65536, 3, 100000 };
    uint8_t whole[32], chunked[32];
    uint64_t e1, e2;
    int alg;

    REQUIRE(body != NULL);
    for (i = 0; i < n; i++) {
        size_t col = i % 73;

        body[i] = col == 71       ? '\r'
                  : col == 72     ? '\n'
                  : col % 9 == 0  ? ' '
                  : col % 31 == 0 ? '\t'
                                  : (char)('a' + col % 26);
    }
    for (alg = 0; alg < 2; alg++) {
        vouch_dkim_canon_t c = alg ? VOUCH_DKIM_RELAXED : VOUCH_DKIM_SIMPLE;

        canon_body(c, body, n, NULL, 0, UINT64_MAX, whole, &e1);
        canon_body(c, body, n, cuts, sizeof(cuts) / sizeof(cuts[0]), UINT64_MAX,
                   chunked, &e2);
        CHECK(memcmp(whole, chunked, 32) == 0 && e1 == e2);
    }
    free(body);
}

static const test_case_t cases[] = {
    TEST(dkim_canon__body_table),
    TEST(dkim_canon__header_rfc_example),
    TEST(dkim_canon__length_limit),
    TEST(dkim_canon__random_differential),
    TEST(dkim_canon__large_body_chunking),
};

TEST_MAIN(cases)
