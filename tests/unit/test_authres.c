/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of Authentication-Results (RFC 8601): the writer and the
 * parser in both directions, the RFC's Appendix B examples, hostile values
 * (quotes, backslashes, ';', parens, CRLF, 8-bit, long), a seeded
 * property-based loop of random bytes, the finding of our own fields for
 * removal (CVE-2022-48521 class), OOM sweeps, and the injection safety of
 * the Received-SPF writer (RFC 7208 §9.1) with hostile HELO and MAIL FROM.
 */
#include <stdint.h>

#include "harness.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ------------------------------------------------------------- */

/* The writer's documented replacement: control bytes and bytes >= 0x80
 * that are not well-formed UTF-8 become '?'. Written independently of
 * the library on purpose. */
static size_t
utf8_ok(const unsigned char *p, size_t len)
{
    uint32_t cp;
    size_t n, i;

    if (p[0] < 0xc0) {
        return 0;
    }
    n = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : p[0] < 0xf8 ? 4 : 0;
    if (n == 0 || len < n) {
        return 0;
    }
    cp = p[0] & (0x7fu >> n);
    for (i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (p[i] & 0x3fu);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
        (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return n;
}

static void
sanitize(char *out, const char *in)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t len = strlen(in), i = 0, o = 0, n;

    while (i < len) {
        if (s[i] >= 0x80 && (n = utf8_ok(s + i, len - i)) > 0) {
            memcpy(out + o, s + i, n);
            o += n;
            i += n;
        } else {
            out[o++] = (s[i] < 0x20 || s[i] >= 0x7f) ? '?' : (char)s[i];
            i++;
        }
    }
    out[o] = '\0';
}

static bool
same(const char *got, const char *want_raw)
{
    static char want[8192];

    if (got == NULL || want_raw == NULL) {
        return got == want_raw;
    }
    sanitize(want, want_raw);
    return strcmp(got, want) == 0;
}

/* Every CRLF in a field value is a fold (followed by SP or TAB), no bare
 * CR or LF, no NUL, no control byte other than TAB. */
static bool
folds_only(const char *v, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];

        if (c == '\r') {
            if (i + 2 >= len || v[i + 1] != '\n' ||
                (v[i + 2] != ' ' && v[i + 2] != '\t')) {
                return false;
            }
            i++;
        } else if (c == '\n' || c == 0x7f || (c < 0x20 && c != '\t')) {
            return false;
        }
    }
    return true;
}

static size_t
longest_line(const char *v, size_t len)
{
    size_t i, cur = 0, max = 0;

    for (i = 0; i < len; i++) {
        if (v[i] == '\r') {
            cur = 0;
            i++;
        } else if (++cur > max) {
            max = cur;
        }
    }
    return max;
}

/* Does parsed method g carry exactly what m asked for (after the
 * documented replacement)? */
static bool
method_eq(const vouch_ar_method_t *g, const vouch_ar_method_t *m)
{
    size_t i;

    if (g == NULL || strcmp(g->method, m->method) != 0 ||
        strcmp(g->result, m->result) != 0 || !same(g->reason, m->reason) ||
        !same(g->comment, m->comment) || g->nprops != m->nprops) {
        return false;
    }
    for (i = 0; i < m->nprops; i++) {
        if (strcmp(g->props[i].ptype, m->props[i].ptype) != 0 ||
            strcmp(g->props[i].property, m->props[i].property) != 0 ||
            !same(g->props[i].value, m->props[i].value)) {
            return false;
        }
    }
    return true;
}

/* Write m[0..n) as a whole field, check its shape, parse the value back
 * and compare. Returns true when everything held. */
static bool
round_trip(const char *id, const vouch_ar_method_t *m, size_t n,
           size_t line_max)
{
    static const char name[] = "Authentication-Results: ";
    vouch_buf_t b;
    vouch_ar_t *ar = NULL;
    vouch_error_t e;
    const char *v;
    size_t vlen, i;
    bool ok = true;
    int rc;

    vouch_buf_init(&b, test_ctx(), 1 << 20);
    rc = vouch_ar_write_field(&b, id, m, n, &e);
    if (rc != 0) {
        fprintf(stderr, "    write: %s\n", e.msg);
        vouch_buf_dispose(&b);
        return false;
    }
    if (b.len < sizeof(name) + 1 || memcmp(b.ptr, name, sizeof(name) - 1) ||
        memcmp(b.ptr + b.len - 2, "\r\n", 2) != 0) {
        fprintf(stderr, "    bad field shape: %s\n", b.ptr);
        vouch_buf_dispose(&b);
        return false;
    }
    v = b.ptr + sizeof(name) - 1;
    vlen = b.len - (sizeof(name) - 1) - 2;
    if (!folds_only(v, vlen)) {
        fprintf(stderr, "    raw CR/LF/control in: %s\n", b.ptr);
        ok = false;
    }
    if (line_max > 0 && longest_line(b.ptr, b.len - 2) > line_max) {
        fprintf(stderr, "    line over %zu: %s\n", line_max, b.ptr);
        ok = false;
    }
    rc = vouch_ar_parse(&ar, test_ctx(), v, vlen, &e);
    if (rc != 0) {
        fprintf(stderr, "    parse: %s in: %s\n", e.msg, b.ptr);
        vouch_buf_dispose(&b);
        return false;
    }
    if (strcmp(vouch_ar_authserv_id(ar), id) != 0 || vouch_ar_count(ar) != n ||
        vouch_ar_version(ar) != 1 || !vouch_ar_is_ours(v, vlen, id)) {
        fprintf(stderr, "    id/count/ours differ in: %s\n", b.ptr);
        ok = false;
    }
    for (i = 0; ok && i < n; i++) {
        if (!method_eq(vouch_ar_method(ar, i), &m[i])) {
            fprintf(stderr, "    method %zu differs in: %s\n", i, b.ptr);
            ok = false;
        }
    }
    /* what was parsed writes back to the same bytes */
    if (ok) {
        vouch_buf_t again;

        vouch_buf_init(&again, test_ctx(), 1 << 20);
        if (vouch_ar_write_field(&again, id, vouch_ar_method(ar, 0),
                                 vouch_ar_count(ar), NULL) != 0 ||
            again.len != b.len || memcmp(again.ptr, b.ptr, b.len) != 0) {
            fprintf(stderr, "    rewrite differs: %s\n", b.ptr);
            ok = false;
        }
        vouch_buf_dispose(&again);
    }
    vouch_ar_free(ar);
    vouch_buf_dispose(&b);
    return ok;
}

#define PROP(t, p, v)                                                          \
    {                                                                          \
        t, p, v                                                                \
    }

/* ---- writer -------------------------------------------------------------- */

static void
test_authres__write_exact(void)
{
    vouch_ar_method_t m[2];
    vouch_buf_t b;

    memset(m, 0, sizeof(m));
    m[0].method = "spf";
    m[0].result = "pass";
    m[0].props[0] = (vouch_ar_prop_t)PROP("smtp", "mailfrom", "example.net");
    m[0].nprops = 1;
    m[1].method = "dkim";
    m[1].result = "pass";
    m[1].comment = "good signature";
    m[1].props[0] = (vouch_ar_prop_t)PROP("header", "i", "@example.com");
    m[1].props[1] = (vouch_ar_prop_t)PROP("header", "b", "abc/def+");
    m[1].nprops = 2;
    vouch_buf_init(&b, test_ctx(), 4096);
    CHECK(vouch_ar_write_value(&b, "example.com", NULL, 0, NULL) == 0);
    CHECK_STR(b.ptr, "example.com; none");
    vouch_buf_clear(&b);
    CHECK(vouch_ar_write_field(&b, "example.com", m, 1, NULL) == 0);
    CHECK_STR(b.ptr, "Authentication-Results: example.com; spf=pass "
                     "smtp.mailfrom=example.net\r\n");
    vouch_buf_clear(&b);
    CHECK(vouch_ar_write_value(&b, "example.com", m, 2, NULL) == 0);
    CHECK_STR(b.ptr, "example.com; spf=pass smtp.mailfrom=example.net;\r\n"
                     "\tdkim=pass (good signature) header.i=@example.com "
                     "header.b=\"abc/def+\"");
    vouch_buf_clear(&b);
    CHECK(vouch_ar_write_resinfo(&b, m, 2, NULL) == 0);
    CHECK_STR(b.ptr, "spf=pass smtp.mailfrom=example.net;\r\n"
                     "\tdkim=pass (good signature) header.i=@example.com "
                     "header.b=\"abc/def+\"");
    vouch_buf_clear(&b);
    /* bare or quoted is decided on the bytes as written: an invalid 8-bit
     * byte becomes '?', which a local-part may hold but a token not */
    m[0].props[0].value = "\xfa@example.com";
    CHECK(vouch_ar_write_value(&b, "example.com", m, 1, NULL) == 0);
    CHECK_STR(b.ptr, "example.com; spf=pass smtp.mailfrom=?@example.com");
    vouch_buf_clear(&b);
    m[0].props[0].value = "a\r\nb";
    CHECK(vouch_ar_write_value(&b, "example.com", m, 1, NULL) == 0);
    CHECK_STR(b.ptr, "example.com; spf=pass smtp.mailfrom=\"a??b\"");
    vouch_buf_clear(&b);
    /* an authserv-id that is no token is quoted */
    CHECK(vouch_ar_write_value(&b, "my server", NULL, 0, NULL) == 0);
    CHECK_STR(b.ptr, "\"my server\"; none");
    vouch_buf_dispose(&b);
}

static void
test_authres__write_invalid(void)
{
    vouch_ar_method_t m;
    vouch_buf_t b;
    vouch_error_t e;
    static const char *bad_ids[] = { "",       "a\r\nb",   "a\nb", "a\tb",
                                     "x\x01y", "\xc3\xa9", "a\x7f" };
    static const char *bad_kw[] = { "",    "-x",  "x-",     "a b",     "a.b",
                                    "a;b", "a=b", "a\r\nb", "\xc3\xa9" };
    size_t i;

    vouch_buf_init(&b, test_ctx(), 4096);
    CHECK(vouch_buf_add(&b, "keep", 4) == 0);
    memset(&m, 0, sizeof(m));
    m.method = "spf";
    m.result = "pass";
    CHECK(vouch_ar_write_value(&b, NULL, &m, 1, &e) == VOUCH_EINVAL);
    for (i = 0; i < N_OF(bad_ids); i++) {
        CHECKF(vouch_ar_write_value(&b, bad_ids[i], &m, 1, &e) == VOUCH_EINVAL,
               "id %zu", i);
    }
    CHECK(vouch_ar_write_value(&b, "x", NULL, 1, &e) == VOUCH_EINVAL);
    CHECK(vouch_ar_write_value(NULL, "x", &m, 1, &e) == VOUCH_EINVAL);
    CHECK(vouch_ar_write_field(NULL, "x", &m, 1, &e) == VOUCH_EINVAL);
    CHECK(vouch_ar_write_resinfo(NULL, &m, 1, &e) == VOUCH_EINVAL);
    CHECK(vouch_ar_write_resinfo(&b, &m, 0, &e) == VOUCH_EINVAL);
    for (i = 0; i < N_OF(bad_kw); i++) {
        m.method = bad_kw[i];
        CHECKF(vouch_ar_write_value(&b, "x", &m, 1, &e) == VOUCH_EINVAL,
               "method %zu", i);
        m.method = "spf";
        m.result = bad_kw[i];
        CHECKF(vouch_ar_write_value(&b, "x", &m, 1, &e) == VOUCH_EINVAL,
               "result %zu", i);
        m.result = "pass";
        m.props[0] = (vouch_ar_prop_t)PROP(bad_kw[i], "d", "x");
        m.nprops = 1;
        CHECKF(vouch_ar_write_value(&b, "x", &m, 1, &e) == VOUCH_EINVAL,
               "ptype %zu", i);
        m.props[0] = (vouch_ar_prop_t)PROP("header", bad_kw[i], "x");
        CHECKF(vouch_ar_write_value(&b, "x", &m, 1, &e) == VOUCH_EINVAL,
               "property %zu", i);
        m.nprops = 0;
    }
    m.props[0] = (vouch_ar_prop_t)PROP("header", "d", NULL);
    m.nprops = 1;
    CHECK(vouch_ar_write_value(&b, "x", &m, 1, &e) == VOUCH_EINVAL);
    m.props[0].value = "x";
    m.nprops = VOUCH_AR_PROPS_MAX + 1;
    CHECK(vouch_ar_write_value(&b, "x", &m, 1, &e) == VOUCH_EINVAL);
    CHECK(e.code == VOUCH_EINVAL && e.msg[0] != '\0');
    /* nothing was written by any failed call */
    CHECK(b.len == 4 && strcmp(b.ptr, "keep") == 0);
    vouch_buf_dispose(&b);
}

static void
test_authres__write_too_big(void)
{
    vouch_ar_method_t m;
    vouch_buf_t b;
    size_t max;

    memset(&m, 0, sizeof(m));
    m.method = "dkim";
    m.result = "pass";
    m.comment = "a comment long enough to need a second line when it is "
                "written after the result";
    m.props[0] = (vouch_ar_prop_t)PROP("header", "d", "example.com");
    m.nprops = 1;
    /* every output size below the full one fails whole, leaving the
     * buffer as it was */
    vouch_buf_init(&b, test_ctx(), 1 << 16);
    REQUIRE(vouch_ar_write_field(&b, "example.org", &m, 1, NULL) == 0);
    max = b.len;
    vouch_buf_dispose(&b);
    for (size_t cap = 3; cap < max; cap++) {
        vouch_buf_init(&b, test_ctx(), cap);
        REQUIRE(vouch_buf_add(&b, "ab", 2) == 0);
        CHECKF(vouch_ar_write_field(&b, "example.org", &m, 1, NULL) ==
                   VOUCH_ETOOBIG,
               "cap %zu", cap);
        CHECKF(b.len == 2 && strcmp(b.ptr, "ab") == 0, "cap %zu", cap);
        vouch_buf_dispose(&b);
    }
}

/* A table of ordinary methods: exact round trip, short lines. */
static void
test_authres__round_trip_table(void)
{
    static const vouch_ar_method_t t[] = {
        { "spf",
          "pass",
          NULL,
          NULL,
          { PROP("smtp", "mailfrom", "user@example.net") },
          1 },
        { "spf",
          "none",
          NULL,
          "mx.example.org: domain of example.net does "
          "not designate permitted sender hosts",
          { PROP("smtp", "helo", "mail.example.net") },
          1 },
        { "dkim",
          "pass",
          NULL,
          "2048-bit key; secure",
          { PROP("header", "d", "example.com"),
            PROP("header", "i", "@example.com"),
            PROP("header", "s", "sel-2024"), PROP("header", "b", "aBc+/9Xy"),
            PROP("header", "a", "rsa-sha256") },
          5 },
        { "dkim",
          "fail",
          "signature verification failed",
          NULL,
          { PROP("header", "d", "example.com") },
          1 },
        { "dmarc",
          "pass",
          NULL,
          "p=REJECT sp=NONE dis=NONE",
          { PROP("header", "from", "example.com") },
          1 },
        { "arc",
          "pass",
          NULL,
          NULL,
          { PROP("smtp", "remote-ip", "2001:db8::1"),
            PROP("header", "oldest-pass", "0") },
          2 },
        { "iprev",
          "pass",
          NULL,
          NULL,
          { PROP("policy", "iprev", "192.0.2.200") },
          1 },
        { "auth",
          "pass",
          NULL,
          "cram-md5",
          { PROP("smtp", "auth", "sender@example.net") },
          1 },
        { "dkim", "neutral", "", "", { PROP("header", "d", "") }, 1 },
        { "x-custom",
          "temperror",
          NULL,
          NULL,
          { PROP("policy", "x", "1") },
          1 },
    };
    size_t i;

    for (i = 0; i < N_OF(t); i++) {
        CHECKF(round_trip("mx.example.org", &t[i], 1, 78), "row %zu", i);
    }
    CHECK(round_trip("mx.example.org", t, N_OF(t), 78));
    CHECK(round_trip("Mx.Example.Org", t, 3, 78));
    CHECK(round_trip("odd id \"with\" quotes\\", t, 3, 0));
}

/* ---- parser: RFC 8601 Appendix B ------------------------------------------
 */

typedef struct exp_method {
    const char *method, *result, *reason, *comment;
    const char *props[4][3];
    size_t nprops;
} exp_method_t;

typedef struct example {
    const char *name;
    const char *value;
    const char *id;
    unsigned version;
    size_t n;
    exp_method_t m[3];
} example_t;

static const example_t examples[] = {
    { "B.2 none", " example.org 1; none", "example.org", 1, 0, { { 0 } } },
    { "B.3 spf",
      " example.com;\r\n          spf=pass smtp.mailfrom=example.net",
      "example.com",
      1,
      1,
      { { "spf",
          "pass",
          NULL,
          NULL,
          { { "smtp", "mailfrom", "example.net" } },
          1 } } },
    { "B.4 auth",
      " example.com;\r\n          auth=pass (cram-md5) "
      "smtp.auth=sender@example.net;\r\n          spf=pass "
      "smtp.mailfrom=example.net",
      "example.com",
      1,
      2,
      { { "auth",
          "pass",
          NULL,
          "cram-md5",
          { { "smtp", "auth", "sender@example.net" } },
          1 },
        { "spf",
          "pass",
          NULL,
          NULL,
          { { "smtp", "mailfrom", "example.net" } },
          1 } } },
    { "B.4 iprev",
      " example.com; iprev=pass\r\n          policy.iprev=192.0.2.200",
      "example.com",
      1,
      1,
      { { "iprev",
          "pass",
          NULL,
          NULL,
          { { "policy", "iprev", "192.0.2.200" } },
          1 } } },
    { "B.5 dkim",
      " example.com;\r\n          dkim=pass (good signature) "
      "header.d=example.com",
      "example.com",
      1,
      1,
      { { "dkim",
          "pass",
          NULL,
          "good signature",
          { { "header", "d", "example.com" } },
          1 } } },
    { "B.5 auth spf",
      " example.com;\r\n          auth=pass (cram-md5) "
      "smtp.auth=sender@example.com;\r\n          spf=fail "
      "smtp.mailfrom=example.com",
      "example.com",
      1,
      2,
      { { "auth",
          "pass",
          NULL,
          "cram-md5",
          { { "smtp", "auth", "sender@example.com" } },
          1 },
        { "spf",
          "fail",
          NULL,
          NULL,
          { { "smtp", "mailfrom", "example.com" } },
          1 } } },
    { "B.6 multiple, first",
      " example.com;\r\n      dkim=pass reason=\"good signature\"\r\n"
      "        header.i=@mail-router.example.net;\r\n      dkim=fail "
      "reason=\"bad signature\"\r\n        header.i=@newyork.example.com",
      "example.com",
      1,
      2,
      { { "dkim",
          "pass",
          "good signature",
          NULL,
          { { "header", "i", "@mail-router.example.net" } },
          1 },
        { "dkim",
          "fail",
          "bad signature",
          NULL,
          { { "header", "i", "@newyork.example.com" } },
          1 } } },
    { "B.6 multiple, second",
      " example.net;\r\n      dkim=pass (good signature) "
      "header.i=@newyork.example.com",
      "example.net",
      1,
      1,
      { { "dkim",
          "pass",
          NULL,
          "good signature",
          { { "header", "i", "@newyork.example.com" } },
          1 } } },
    { "B.7 comment-heavy",
      " foo.example.net (foobar) 1 (baz);\r\n    dkim (Because I like it) / 1 "
      "(One yay) = (wait for it) fail\r\n      policy (A dot can go here) . "
      "(like that) expired\r\n      (this surprised me) = (as I wasn't "
      "expecting it) 1362471462",
      "foo.example.net",
      1,
      1,
      { { "dkim",
          "fail",
          NULL,
          NULL,
          { { "policy", "expired", "1362471462" } },
          1 } } },
    /* beyond Appendix B: real-world shapes */
    { "gmail",
      " mx.google.com;\r\n       dkim=pass header.i=@github.com "
      "header.s=pf2014 header.b=Ab/cD+9z;\r\n       spf=pass (google.com: "
      "domain of noreply@github.com designates 192.30.252.1 as permitted "
      "sender) smtp.mailfrom=noreply@github.com;\r\n       dmarc=pass "
      "(p=REJECT sp=REJECT dis=NONE) header.from=github.com",
      "mx.google.com",
      1,
      3,
      { { "dkim",
          "pass",
          NULL,
          NULL,
          { { "header", "i", "@github.com" },
            { "header", "s", "pf2014" },
            { "header", "b", "Ab/cD+9z" } },
          3 },
        { "spf",
          "pass",
          NULL,
          "google.com: domain of noreply@github.com designates 192.30.252.1 "
          "as permitted sender",
          { { "smtp", "mailfrom", "noreply@github.com" } },
          1 },
        { "dmarc",
          "pass",
          NULL,
          "p=REJECT sp=REJECT dis=NONE",
          { { "header", "from", "github.com" } },
          1 } } },
    { "quoted id, quoted local-part, nested comment, method version",
      "(c (nested \\) x)) \"ex\\ample.com\" ; dkim/1=pass reason=ok "
      "header.i=\"a b\"@example.com smtp.mailfrom=\"x;y\"",
      "example.com",
      1,
      1,
      { { "dkim",
          "pass",
          "ok",
          NULL,
          { { "header", "i", "\"a b\"@example.com" },
            { "smtp", "mailfrom", "x;y" } },
          2 } } },
    { "bare LF folds (milter)",
      "\n\texample.com;\n\tspf=pass (a\n b) smtp.mailfrom=\"x\n y\"\n",
      "example.com",
      1,
      1,
      { { "spf",
          "pass",
          NULL,
          "a b",
          { { "smtp", "mailfrom", "x y" } },
          1 } } },
    { "version 2, trailing ';' and CRLF",
      "example.com 2; spf=pass;\r\n",
      "example.com",
      2,
      1,
      { { "spf", "pass", NULL, NULL, { { 0 } }, 0 } } },
};

static void
test_authres__rfc8601_examples(void)
{
    size_t i, j, k;

    for (i = 0; i < N_OF(examples); i++) {
        const example_t *x = &examples[i];
        vouch_ar_t *ar = NULL;
        vouch_error_t e;
        int rc;

        rc = vouch_ar_parse(&ar, test_ctx(), x->value, strlen(x->value), &e);
        CHECKF(rc == 0, "%s: %s", x->name, e.msg);
        if (rc != 0) {
            continue;
        }
        CHECKF(strcmp(vouch_ar_authserv_id(ar), x->id) == 0, "%s: id '%s'",
               x->name, vouch_ar_authserv_id(ar));
        CHECKF(vouch_ar_version(ar) == x->version, "%s", x->name);
        CHECKF(vouch_ar_count(ar) == x->n, "%s: %zu methods", x->name,
               vouch_ar_count(ar));
        CHECKF(vouch_ar_method(ar, vouch_ar_count(ar)) == NULL, "%s", x->name);
        for (j = 0; j < x->n && j < vouch_ar_count(ar); j++) {
            const vouch_ar_method_t *g = vouch_ar_method(ar, j);
            const exp_method_t *w = &x->m[j];

            CHECKF(strcmp(g->method, w->method) == 0 &&
                       strcmp(g->result, w->result) == 0,
                   "%s #%zu: %s=%s", x->name, j, g->method, g->result);
            CHECKF((g->reason == NULL && w->reason == NULL) ||
                       (g->reason && w->reason &&
                        strcmp(g->reason, w->reason) == 0),
                   "%s #%zu: reason '%s'", x->name, j,
                   g->reason ? g->reason : "(null)");
            CHECKF((g->comment == NULL && w->comment == NULL) ||
                       (g->comment && w->comment &&
                        strcmp(g->comment, w->comment) == 0),
                   "%s #%zu: comment '%s'", x->name, j,
                   g->comment ? g->comment : "(null)");
            CHECKF(g->nprops == w->nprops, "%s #%zu: %zu props", x->name, j,
                   g->nprops);
            for (k = 0; k < w->nprops && k < g->nprops; k++) {
                CHECKF(strcmp(g->props[k].ptype, w->props[k][0]) == 0 &&
                           strcmp(g->props[k].property, w->props[k][1]) == 0 &&
                           strcmp(g->props[k].value, w->props[k][2]) == 0,
                       "%s #%zu prop %zu: %s.%s=%s", x->name, j, k,
                       g->props[k].ptype, g->props[k].property,
                       g->props[k].value);
            }
        }
        /* what we parsed, we write back and read again the same */
        if (x->n > 0) {
            vouch_ar_method_t copy[3];

            memcpy(copy, vouch_ar_method(ar, 0), x->n * sizeof(copy[0]));
            CHECKF(round_trip(x->id, copy, x->n, 0), "%s: rewrite", x->name);
        }
        vouch_ar_free(ar);
    }
}

/* ---- parser: errors and limits --------------------------------------------
 */

static void
test_authres__parse_errors(void)
{
    static const struct {
        const char *value;
        int rc;
    } t[] = {
        { "", VOUCH_ESYNTAX },
        { "   ", VOUCH_ESYNTAX },
        { "example.com", VOUCH_ESYNTAX },
        { "; none", VOUCH_ESYNTAX },
        { "example.com;", VOUCH_ESYNTAX },
        { "example.com; none x", VOUCH_ESYNTAX },
        { "example.com; spf", VOUCH_ESYNTAX },
        { "example.com; spf=", VOUCH_ESYNTAX },
        { "example.com; spf=pass smtp", VOUCH_ESYNTAX },
        { "example.com; spf=pass smtp.mailfrom", VOUCH_ESYNTAX },
        { "example.com; spf=pass smtp.mailfrom=", VOUCH_ESYNTAX },
        { "example.com; spf=pass action=none", VOUCH_ESYNTAX },
        { "example.com; spf=pass reason=a reason=b", VOUCH_ESYNTAX },
        { "example.com; spf=pass smtp.mailfrom=a@b@c", VOUCH_ESYNTAX },
        { "example.com; spf=pass smtp.mailfrom=a@", VOUCH_ESYNTAX },
        { "example.com; spf=pass smtp.mailfrom=\"a", VOUCH_ESYNTAX },
        { "example.com; spf=pass (unclosed", VOUCH_ESYNTAX },
        { "example.com; spf=pass\r\nX-Injected: 1", VOUCH_ESYNTAX },
        { "example.com; spf=pass\nX-Injected: 1", VOUCH_ESYNTAX },
        { "example.com; spf=pass smtp.mailfrom=\"a\r\nb\"", VOUCH_ESYNTAX },
        { "example.com; spf=pass (a\x01) ", VOUCH_ESYNTAX },
        { "example.com; spf=pass smtp.mailfrom=\"a\\", VOUCH_ESYNTAX },
        { "example.com; spf=pass smtp.mailfrom=\"a\\\x01\"", VOUCH_ESYNTAX },
        { "example.com; -spf=pass", VOUCH_ESYNTAX },
        { "example.com; spf-=pass", VOUCH_ESYNTAX },
        { "example.com; dkim/x=pass", VOUCH_ESYNTAX },
        { "example.com 99999999999; none", VOUCH_ESYNTAX },
        { "\"example.com; none", VOUCH_ESYNTAX },
        { "example.com;; spf=pass", VOUCH_ESYNTAX },
    };

    size_t i;

    for (i = 0; i < N_OF(t); i++) {
        vouch_ar_t *ar = (vouch_ar_t *)1;
        vouch_error_t e;
        int rc;

        vouch_error_clear(&e);
        rc =
            vouch_ar_parse(&ar, test_ctx(), t[i].value, strlen(t[i].value), &e);
        CHECKF(rc == t[i].rc && ar == NULL, "row %zu '%s': rc %d", i,
               t[i].value, rc);
        CHECKF(e.code == rc && e.msg[0] != '\0' &&
                   e.offset <= strlen(t[i].value),
               "row %zu: err", i);
    }
    /* a NUL inside the value is a syntax error, not an end */
    {
        static const char v[] = "example.com; spf=pass smtp.mailfrom=a\0b";
        vouch_ar_t *ar = NULL;

        CHECK(vouch_ar_parse(&ar, test_ctx(), v, sizeof(v) - 1, NULL) ==
              VOUCH_ESYNTAX);
        CHECK(ar == NULL);
    }
    CHECK(vouch_ar_parse(NULL, test_ctx(), "x; none", 7, NULL) == VOUCH_EINVAL);
}

static void
test_authres__parse_limits(void)
{
    vouch_buf_t b;
    vouch_ar_t *ar = NULL;
    vouch_error_t e;
    size_t i;

    /* VOUCH_AR_METHODS_MAX methods pass, one more is too big */
    vouch_buf_init(&b, test_ctx(), 1 << 20);
    REQUIRE(vouch_buf_puts(&b, "example.com") == 0);
    for (i = 0; i < VOUCH_AR_METHODS_MAX; i++) {
        REQUIRE(vouch_buf_puts(&b, "; spf=pass") == 0);
    }
    CHECK(vouch_ar_parse(&ar, test_ctx(), b.ptr, b.len, &e) == 0);
    CHECK(ar != NULL && vouch_ar_count(ar) == VOUCH_AR_METHODS_MAX);
    vouch_ar_free(ar);
    REQUIRE(vouch_buf_puts(&b, "; dkim=pass") == 0);
    CHECK(vouch_ar_parse(&ar, test_ctx(), b.ptr, b.len, &e) == VOUCH_ETOOBIG);
    CHECK(ar == NULL && e.code == VOUCH_ETOOBIG);
    /* VOUCH_AR_PROPS_MAX properties pass, one more is too big */
    vouch_buf_clear(&b);
    REQUIRE(vouch_buf_puts(&b, "example.com; dkim=pass") == 0);
    for (i = 0; i < VOUCH_AR_PROPS_MAX; i++) {
        REQUIRE(vouch_buf_puts(&b, " header.d=x") == 0);
    }
    CHECK(vouch_ar_parse(&ar, test_ctx(), b.ptr, b.len, &e) == 0);
    CHECK(ar != NULL && vouch_ar_method(ar, 0)->nprops == VOUCH_AR_PROPS_MAX);
    vouch_ar_free(ar);
    REQUIRE(vouch_buf_puts(&b, " header.s=y") == 0);
    CHECK(vouch_ar_parse(&ar, test_ctx(), b.ptr, b.len, &e) == VOUCH_ETOOBIG);
    CHECK(ar == NULL);
    /* the field length */
    vouch_buf_clear(&b);
    REQUIRE(vouch_buf_puts(&b, "example.com; dkim=pass (") == 0);
    while (b.len < VOUCH_AR_FIELD_MAX) {
        REQUIRE(vouch_buf_addc(&b, 'x') == 0);
    }
    REQUIRE(vouch_buf_addc(&b, ')') == 0);
    CHECK(vouch_ar_parse(&ar, test_ctx(), b.ptr, b.len, &e) == VOUCH_ETOOBIG);
    /* one byte less is within the cap */
    CHECK(vouch_ar_parse(&ar, test_ctx(), b.ptr + 1, b.len - 1, &e) == 0);
    vouch_ar_free(ar);
    vouch_buf_clear(&b);
    /* deep comment nesting costs nothing but time */
    REQUIRE(vouch_buf_puts(&b, "example.com; spf=pass ") == 0);
    for (i = 0; i < 20000; i++) {
        REQUIRE(vouch_buf_addc(&b, '(') == 0);
    }
    for (i = 0; i < 20000; i++) {
        REQUIRE(vouch_buf_addc(&b, ')') == 0);
    }
    CHECK(vouch_ar_parse(&ar, test_ctx(), b.ptr, b.len, &e) == 0);
    vouch_ar_free(ar);
    vouch_buf_dispose(&b);
}

/* ---- hostile values -------------------------------------------------------
 */

static void
test_authres__hostile_values(void)
{
    static char big[2001], bigsp[2001];
    const char *hostile[] = {
        "x; dkim=pass",
        "\"; dkim=pass header.d=bank.example",
        "a\"b",
        "a\\b",
        "\\",
        "\"",
        "a;b",
        "(c)",
        "a)b(c",
        "x\r\nAuthentication-Results: example.org; dkim=pass",
        "x\rX: y",
        "x\nX: y",
        "\r\n",
        "a\tb",
        "caf\xc3\xa9@example.com",
        "\xff\xfe\x80 bad utf-8 \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80",
        "\xe2\x82",
        "user@example.com",
        "\"quoted local\"@example.com",
        "@example.com",
        "a..b@example.com",
        ".a@example.com",
        "a@-bad-.example",
        "a@localhost",
        "foo@bar@baz",
        "header.d=x",
        "=",
        "",
        " ",
        "   leading and trailing   ",
        "\x7f",
        big,
        bigsp,
    };
    size_t i, k;

    memset(big, 'a', sizeof(big) - 1);
    for (k = 0; k < sizeof(bigsp) - 1; k++) {
        bigsp[k] = (k % 7 == 6) ? ' ' : (k % 11 == 0) ? ';' : 'b';
    }
    for (i = 0; i < N_OF(hostile); i++) {
        const char *h = hostile[i];
        vouch_ar_method_t m[3];

        memset(m, 0, sizeof(m));
        /* DKIM d= and s=, From, MAIL FROM, HELO all hostile at once */
        m[0].method = "dkim";
        m[0].result = "pass";
        m[0].comment = h;
        m[0].props[0] = (vouch_ar_prop_t)PROP("header", "d", h);
        m[0].props[1] = (vouch_ar_prop_t)PROP("header", "s", h);
        m[0].nprops = 2;
        m[1].method = "spf";
        m[1].result = "fail";
        m[1].reason = h;
        m[1].props[0] = (vouch_ar_prop_t)PROP("smtp", "mailfrom", h);
        m[1].props[1] = (vouch_ar_prop_t)PROP("smtp", "helo", h);
        m[1].nprops = 2;
        m[2].method = "dmarc";
        m[2].result = "none";
        m[2].props[0] = (vouch_ar_prop_t)PROP("header", "from", h);
        m[2].nprops = 1;
        CHECKF(round_trip("example.org", m, 3, strlen(h) > 60 ? 0 : 78),
               "hostile %zu", i);
        CHECKF(round_trip("example.org", &m[1], 1, 0), "hostile %zu alone", i);
    }
}

/* Long texts with spaces are folded inside their quoted-string or comment
 * and come back unchanged. */
static void
test_authres__fold_long(void)
{
    static char text[1200];
    vouch_ar_method_t m;
    vouch_buf_t b;
    size_t k;

    for (k = 0; k < sizeof(text) - 1; k++) {
        text[k] = (k % 9 == 8) ? ' ' : (char)('a' + k % 26);
    }
    memset(&m, 0, sizeof(m));
    m.method = "spf";
    m.result = "pass";
    m.comment = text;
    m.reason = text;
    m.props[0] = (vouch_ar_prop_t)PROP("smtp", "mailfrom", text);
    m.nprops = 1;
    CHECK(round_trip("example.org", &m, 1, 78));
    vouch_buf_init(&b, test_ctx(), 1 << 16);
    CHECK(vouch_ar_write_resinfo(&b, &m, 1, NULL) == 0);
    CHECK(folds_only(b.ptr, b.len) && longest_line(b.ptr, b.len) <= 78);
    vouch_buf_dispose(&b);
}

/* ---- property-based: random bytes ------------------------------------------
 */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t
rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 32);
}

static void
random_value(char *out, size_t cap)
{
    static const char nasty[] = "\"\\;()=@. \r\n\t\x7f\xc3\xa9\xff";
    size_t len = rng() % (cap - 1), i;

    for (i = 0; i < len; i++) {
        uint32_t r = rng() % 4;

        if (r == 0) {
            out[i] = nasty[rng() % (sizeof(nasty) - 1)];
        } else if (r == 1) {
            out[i] = (char)(1 + rng() % 255); /* no NUL: it ends a C string */
        } else {
            out[i] = (char)('a' + rng() % 26);
        }
    }
    out[len] = '\0';
}

static void
test_authres__random_round_trip(void)
{
    static char vals[3][VOUCH_AR_PROPS_MAX + 2][64];
    static const char *ptypes[] = { "smtp", "header", "body", "policy" };
    static const char *props[] = { "mailfrom", "helo", "d", "i", "s", "from" };
    unsigned iter, failed = 0;

    for (iter = 0; iter < 4000; iter++) {
        vouch_ar_method_t m[3];
        size_t n = 1 + rng() % 3, i, k;

        memset(m, 0, sizeof(m));
        for (i = 0; i < n; i++) {
            m[i].method = i == 0 ? "dkim" : i == 1 ? "spf" : "dmarc";
            m[i].result = "pass";
            m[i].nprops = rng() % (VOUCH_AR_PROPS_MAX + 1);
            for (k = 0; k < m[i].nprops; k++) {
                random_value(vals[i][k], sizeof(vals[i][k]));
                m[i].props[k].ptype = ptypes[rng() % 4];
                m[i].props[k].property = props[rng() % 6];
                m[i].props[k].value = vals[i][k];
            }
            if (rng() % 2) {
                random_value(vals[i][VOUCH_AR_PROPS_MAX], sizeof(vals[i][0]));
                m[i].reason = vals[i][VOUCH_AR_PROPS_MAX];
            }
            if (rng() % 2) {
                random_value(vals[i][VOUCH_AR_PROPS_MAX + 1],
                             sizeof(vals[i][0]));
                m[i].comment = vals[i][VOUCH_AR_PROPS_MAX + 1];
            }
        }
        if (!round_trip("example.org", m, n, 0)) {
            fprintf(stderr, "    iteration %u\n", iter);
            if (++failed > 5) {
                break;
            }
        }
    }
    CHECK(failed == 0);
}

/* ---- our fields -----------------------------------------------------------
 */

static void
test_authres__is_ours(void)
{
    static const struct {
        const char *value;
        bool ours;
    } t[] = {
        { " example.net; spf=pass", true },
        { "example.net;spf=pass", true },
        { " EXAMPLE.NET; none", true },
        { " Example.Net 1; none", true },
        { " (c) example.net; dkim=pass", true },
        { " (a (nested) comment) example.net; dkim=pass", true },
        { "\r\n\texample.net;\r\n\tdkim=pass", true },
        { "\n\texample.net;\n\tdkim=pass", true },
        { "\n (c\n x)\n example.net; none", true },
        { " \"example.net\"; none", true },
        { " \"exa\\mple.net\"; none", true },
        { " example.net(c); none", true },
        /* malformed after our id: still ours, so it gets removed */
        { " example.net; garbage ((", true },
        { " example.net", true },
        { " example.net/x", true },
        { " example.net\x01junk", true },
        { " example.net\r\nX: y", true },
        /* someone else */
        { " example.net.evil; spf=pass", false },
        { " example.netx; spf=pass", false },
        { " evil.example.net; spf=pass", false },
        { " xexample.net; spf=pass", false },
        { " example.ne; spf=pass", false },
        { " \"example.net \"; none", false },
        { " \"example.net", false },
        { " (example.net) other.org; none", false },
        { " (unterminated example.net; none", false },
        { "", false },
        { " ; example.net", false },
    };

    size_t i;

    for (i = 0; i < N_OF(t); i++) {
        CHECKF(vouch_ar_is_ours(t[i].value, strlen(t[i].value),
                                "example.net") == t[i].ours,
               "row %zu '%s'", i, t[i].value);
    }
    CHECK(!vouch_ar_is_ours(NULL, 0, "example.net"));
    CHECK(!vouch_ar_is_ours(" example.net; none", 18, NULL));
    CHECK(!vouch_ar_is_ours(" example.net; none", 18, ""));
    /* length, not NUL, ends the value */
    CHECK(!vouch_ar_is_ours(" example.net.evil; none", 12, "example.ne"));
    CHECK(vouch_ar_is_ours(" example.net.evil; none", 12, "example.net"));
}

static vouch_mail_header_t *
header_of(const char *const *fields, size_t n)
{
    vouch_mail_header_t *h = NULL;
    size_t i;

    if (vouch_mail_header_new(&h, test_ctx()) != 0) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        if (vouch_mail_header_add(h, fields[i], strlen(fields[i]), NULL) != 0) {
            vouch_mail_header_free(h);
            return NULL;
        }
    }
    return h;
}

static void
test_authres__find_ours(void)
{
    static const char *const none[] = {
        "Received: from a by b",
        "Authentication-Results: example.net.evil; dkim=pass",
        "Authentication-Results: other.org; spf=pass",
        "X-Authentication-Results: example.net; dkim=pass",
        "Subject: example.net; dkim=pass",
    };
    static const char *const one[] = {
        "Received: from a by b",
        "Authentication-Results: example.net; dkim=pass",
        "From: a@example.com",
    };
    /* ours at the top, in the middle and at the bottom; different case of
     * the id and of the field name; comments before the id; malformed */
    static const char *const many[] = {
        "authentication-results: EXAMPLE.NET; dkim=pass",               /* 0 */
        "Received: from a by b",                                        /* 1 */
        "Authentication-Results: other.org; spf=pass",                  /* 2 */
        "Authentication-Results: (c) example.net; spf=pass",            /* 3 */
        "Subject: hi",                                                  /* 4 */
        "Authentication-Results: example.net.evil; spf=pass",           /* 5 */
        "AUTHENTICATION-RESULTS:\r\n\t\"example.net\";\r\n\tdkim=pass", /* 6 */
        "From: a@example.com",                                          /* 7 */
        "Authentication-Results : example.net; ((broken",               /* 8 */
        "Authentication-Results: example.net",                          /* 9 */
    };
    static const size_t want[] = { 0, 3, 6, 8, 9 };
    vouch_mail_header_t *h;
    size_t idx[8], n = 99, i;

    h = header_of(none, N_OF(none));
    REQUIRE(h != NULL);
    CHECK(vouch_ar_find_ours(h, "example.net", idx, 8, &n) == 0 && n == 0);
    vouch_mail_header_free(h);

    h = header_of(one, N_OF(one));
    REQUIRE(h != NULL);
    CHECK(vouch_ar_find_ours(h, "example.net", idx, 8, &n) == 0 && n == 1 &&
          idx[0] == 1);
    vouch_mail_header_free(h);

    h = header_of(many, N_OF(many));
    REQUIRE(h != NULL);
    CHECK(vouch_ar_find_ours(h, "Example.Net", idx, 8, &n) == 0);
    CHECKF(n == N_OF(want), "found %zu", n);
    for (i = 0; i < n && i < N_OF(want); i++) {
        CHECKF(idx[i] == want[i], "#%zu: %zu", i, idx[i]);
    }
    /* too small an array: the first ones, the full count, ETOOBIG */
    memset(idx, 0, sizeof(idx));
    CHECK(vouch_ar_find_ours(h, "example.net", idx, 2, &n) == VOUCH_ETOOBIG);
    CHECK(n == N_OF(want) && idx[0] == 0 && idx[1] == 3 && idx[2] == 0);
    CHECK(vouch_ar_find_ours(h, "example.net", NULL, 0, &n) == VOUCH_ETOOBIG &&
          n == N_OF(want));
    CHECK(vouch_ar_find_ours(h, "other.org", idx, 8, &n) == 0 && n == 1 &&
          idx[0] == 2);
    CHECK(vouch_ar_find_ours(NULL, "x", idx, 8, &n) == VOUCH_EINVAL);
    CHECK(vouch_ar_find_ours(h, NULL, idx, 8, &n) == VOUCH_EINVAL);
    CHECK(vouch_ar_find_ours(h, "x", NULL, 8, &n) == VOUCH_EINVAL);
    vouch_mail_header_free(h);

    /* an empty header */
    h = header_of(NULL, 0);
    REQUIRE(h != NULL);
    CHECK(vouch_ar_find_ours(h, "example.net", idx, 8, &n) == 0 && n == 0);
    vouch_mail_header_free(h);
}

/* Our own field, once written, is found as ours and nobody else's. */
static void
test_authres__written_is_ours(void)
{
    vouch_ar_method_t m;
    vouch_mail_header_t *h = NULL;
    vouch_buf_t b;
    size_t idx[2], n = 0;

    memset(&m, 0, sizeof(m));
    m.method = "spf";
    m.result = "pass";
    m.props[0] = (vouch_ar_prop_t)PROP("smtp", "mailfrom",
                                       "x\r\nAuthentication-Results: "
                                       "example.net.evil; dkim=pass");
    m.nprops = 1;
    vouch_buf_init(&b, test_ctx(), 4096);
    REQUIRE(vouch_ar_write_field(&b, "example.net", &m, 1, NULL) == 0);
    REQUIRE(vouch_mail_header_new(&h, test_ctx()) == 0);
    /* one field: the value cannot have started a second one */
    CHECK(vouch_mail_header_add(h, b.ptr, b.len - 2, NULL) == 0);
    CHECK(vouch_mail_header_count(h) == 1);
    CHECK(vouch_ar_find_ours(h, "example.net", idx, 2, &n) == 0 && n == 1);
    CHECK(vouch_ar_find_ours(h, "example.net.evil", idx, 2, &n) == 0 && n == 0);
    vouch_mail_header_free(h);
    vouch_buf_dispose(&b);
}

/* ---- OOM ------------------------------------------------------------------
 */

static void
test_authres__oom(void)
{
    static const char v[] = "example.com; dkim=pass header.d=a.example; "
                            "spf=pass; dmarc=pass; arc=pass; iprev=pass; "
                            "auth=pass (c) reason=\"r\"";
    vouch_ctx_t *ctx = test_oom_ctx();
    unsigned long n;
    bool done = false;

    for (n = 1; n < 100 && !done; n++) {
        long live = test_oom_live;
        vouch_ar_t *ar = (vouch_ar_t *)1;
        vouch_buf_t b;
        int rc;

        test_oom_count = 0;
        test_oom_fail_at = n;
        rc = vouch_ar_parse(&ar, ctx, v, sizeof(v) - 1, NULL);
        CHECKF(rc == 0 || rc == VOUCH_ENOMEM, "n=%lu: rc %d", n, rc);
        CHECKF((rc == 0) == (ar != NULL), "n=%lu", n);
        if (rc == 0) {
            vouch_buf_init(&b, ctx, 4096);
            rc = vouch_ar_write_value(&b, "example.com", vouch_ar_method(ar, 0),
                                      vouch_ar_count(ar), NULL);
            CHECKF(rc == 0 || rc == VOUCH_ENOMEM, "n=%lu: write rc %d", n, rc);
            CHECKF(rc != 0 || b.len > 0, "n=%lu", n);
            vouch_buf_dispose(&b);
            done = rc == 0;
            vouch_ar_free(ar);
        }
        test_oom_fail_at = 0;
        CHECKF(test_oom_live == live, "n=%lu: leak", n);
    }
    CHECK(done);
}

/* ---- Received-SPF injection safety -----------------------------------------
 */

/* A small reader of the Received-SPF value (RFC 7208 §9.1): result, the
 * comment, then key=value pairs ("; " between them) where a value is a
 * dot-atom or a quoted-string. Fills keys/values (decoded); false when
 * the text does not read that way. */
typedef struct spf_pair {
    char key[32];
    char value[4096];
} spf_pair_t;

static bool
read_received_spf(const char *v, size_t len, spf_pair_t *pairs, size_t max,
                  size_t *n)
{
    size_t i = 0, depth = 0, o;

    *n = 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];

        if (c < 0x20 || c >= 0x7f) {
            return false; /* CR, LF, NUL, controls, 8-bit: never raw */
        }
    }
    i = 0;
    while (i < len && v[i] != ' ') {
        i++;
    }
    if (i + 1 >= len || v[i + 1] != '(') {
        return false;
    }
    for (i++; i < len; i++) {
        if (v[i] == '\\') {
            i++;
        } else if (v[i] == '(') {
            depth++;
        } else if (v[i] == ')' && --depth == 0) {
            break;
        }
    }
    if (i >= len || depth != 0) {
        return false;
    }
    i++;
    if (i < len && v[i] == ' ') {
        i++;
    }
    while (i < len) {
        spf_pair_t *p;

        if (*n == max) {
            return false;
        }
        p = &pairs[(*n)++];
        for (o = 0; i < len && v[i] != '=' && o < sizeof(p->key) - 1; i++) {
            p->key[o++] = v[i];
        }
        p->key[o] = '\0';
        if (i >= len || v[i] != '=') {
            return false;
        }
        i++;
        o = 0;
        if (i < len && v[i] == '"') {
            for (i++; i < len && v[i] != '"'; i++) {
                if (v[i] == '\\') {
                    if (++i >= len) {
                        return false;
                    }
                }
                if (o < sizeof(p->value) - 1) {
                    p->value[o++] = v[i];
                }
            }
            if (i >= len) {
                return false; /* unbalanced quote */
            }
            i++;
        } else {
            for (; i < len && v[i] != ';'; i++) {
                if (v[i] == ' ' || v[i] == '"' || v[i] == '(' || v[i] == ')' ||
                    v[i] == '\\') {
                    return false; /* not a dot-atom */
                }
                if (o < sizeof(p->value) - 1) {
                    p->value[o++] = v[i];
                }
            }
        }
        p->value[o] = '\0';
        if (i < len) {
            if (len - i < 2 || v[i] != ';' || v[i + 1] != ' ') {
                return false;
            }
            i += 2;
        }
    }
    return true;
}

/* The writer's representation of a value: bytes outside printable ASCII
 * shown as the four characters \xhh. */
static void
spf_shown(char *out, const char *in, size_t len)
{
    static const char hx[] = "0123456789abcdef";
    size_t i, o = 0;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];

        if (c < 0x20 || c > 0x7e) {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hx[c >> 4];
            out[o++] = hx[c & 15];
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
}

static const char *
spf_find(const spf_pair_t *p, size_t n, const char *key, size_t *count)
{
    const char *v = NULL;
    size_t i;

    *count = 0;
    for (i = 0; i < n; i++) {
        if (strcmp(p[i].key, key) == 0) {
            v = p[i].value;
            (*count)++;
        }
    }
    return v;
}

static void
test_authres__received_spf_hostile(void)
{
    static const struct {
        const char *s;
        size_t len;
    } hostile[] = {

#define H(s) { s, sizeof(s) - 1 }
        H("user@example.com"), H("mail.example.com"),
        H("x; identity=helo"), H("a\"b; receiver=evil"),
        H("\"unbalanced"),     H("back\\slash\\"),
        H("paren) (close"),    H("x\r\nReceived-SPF: pass"),
        H("x\nX-Evil: 1"),     H("x\rX-Evil: 1"),
        H("nul\0inside"),      H("\xc3\xa9\xff 8-bit"),
        H("\x7f\x01\x1b[31m"), H(""),
#undef H
    };
    static const vouch_spf_code_t codes[] = { VOUCH_SPF_PASS, VOUCH_SPF_FAIL,
                                              VOUCH_SPF_NEUTRAL, VOUCH_SPF_NONE,
                                              VOUCH_SPF_PERMERROR };
    size_t i, c;

    for (i = 0; i < N_OF(hostile); i++) {
        for (c = 0; c < N_OF(codes); c++) {
            vouch_spf_request_t req = VOUCH_SPF_REQUEST_INIT;
            vouch_spf_result_t res;
            static spf_pair_t pairs[16];
            static char want[4096];
            vouch_buf_t b;
            size_t n = 0, cnt, ulen = 0;
            const char *v;
            char *u;
            bool ok;

            REQUIRE(vouch_ip_parse(&req.ip, "192.0.2.1", 9) == 0);
            req.mail_from.ptr = hostile[i].s;
            req.mail_from.len = hostile[i].len;
            req.helo.ptr = hostile[i].s;
            req.helo.len = hostile[i].len;
            req.receiver.ptr = "mx.example.org";
            req.receiver.len = 14;
            vouch_spf_result_init(&res, test_ctx());
            res.code = codes[c];
            REQUIRE(vouch_buf_add(&res.sender, hostile[i].s, hostile[i].len) ==
                    0);
            REQUIRE(vouch_buf_add(&res.mechanism, hostile[i].s,
                                  hostile[i].len) == 0);
            REQUIRE(vouch_buf_add(&res.reason, hostile[i].s, hostile[i].len) ==
                    0);
            vouch_buf_init(&b, test_ctx(), 1 << 16);
            REQUIRE(vouch_spf_received_spf(&b, &req, &res) == 0);
            /* folded within 78 columns, only before a space */
            u = test_unfold(b.ptr, b.len, 14, 78, &ulen);
            ok = u != NULL && read_received_spf(u, ulen, pairs, 16, &n);
            CHECKF(ok, "hostile %zu code %zu: %s", i, c, b.ptr);
            if (ok) {
                /* exactly the pairs written, each once, no injected one */
                CHECKF(spf_find(pairs, n, "client-ip", &cnt) != NULL &&
                           cnt == 1,
                       "%zu/%zu client-ip", i, c);
                CHECKF(spf_find(pairs, n, "receiver", &cnt) != NULL && cnt == 1,
                       "%zu/%zu receiver", i, c);
                v = spf_find(pairs, n, "identity", &cnt);
                CHECKF(v != NULL && cnt == 1 && strcmp(v, "mailfrom") == 0,
                       "%zu/%zu identity", i, c);
                spf_shown(want, hostile[i].s, hostile[i].len);
                if (hostile[i].len > 0) {
                    v = spf_find(pairs, n, "envelope-from", &cnt);
                    CHECKF(v != NULL && cnt == 1 && strcmp(v, want) == 0,
                           "%zu/%zu envelope-from '%s'", i, c, v ? v : "");
                    v = spf_find(pairs, n, "helo", &cnt);
                    CHECKF(v != NULL && cnt == 1 && strcmp(v, want) == 0,
                           "%zu/%zu helo '%s'", i, c, v ? v : "");
                    v = spf_find(pairs, n, "mechanism", &cnt);
                    CHECKF(v != NULL && cnt == 1 && strcmp(v, want) == 0,
                           "%zu/%zu mechanism", i, c);
                }
                CHECKF(n == (hostile[i].len > 0 ? 6u : 3u) +
                                (codes[c] == VOUCH_SPF_PERMERROR &&
                                         hostile[i].len > 0
                                     ? 1u
                                     : 0u),
                       "%zu/%zu: %zu pairs", i, c, n);
            }
            free(u);
            vouch_buf_dispose(&b);
            vouch_spf_result_dispose(&res);
        }
    }
}

static const test_case_t cases[] = {
    TEST(authres__write_exact),
    TEST(authres__write_invalid),
    TEST(authres__write_too_big),
    TEST(authres__round_trip_table),
    TEST(authres__rfc8601_examples),
    TEST(authres__parse_errors),
    TEST(authres__parse_limits),
    TEST(authres__hostile_values),
    TEST(authres__fold_long),
    TEST(authres__random_round_trip),
    TEST(authres__is_ours),
    TEST(authres__find_ours),
    TEST(authres__written_is_ours),
    TEST(authres__oom),
    TEST(authres__received_spf_hostile),
};

TEST_MAIN(cases)
