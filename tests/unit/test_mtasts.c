/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_mtasts.c - MTA-STS (RFC 8461): the TXT record parser,
 * the policy parser (every error path, the caps, hostile bytes), MX
 * matching, discovery up to the fetch over zone files (no network), the
 * argument checks, and an OOM sweep of the policy parser. The HTTPS half
 * is tests/integration/test_mtasts_fetch.c.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define ESYN VOUCH_ESYNTAX
#define EBIG VOUCH_ETOOBIG

/* ---- record
 * ------------------------------------------------------------------- */

typedef struct rec_case {
    const char *name;
    const char *txt;
    int rc;
    size_t err_offset; /* when rc != 0 */
    const char *id;    /* when rc == 0 */
    size_t next;
} rec_case_t;

static const rec_case_t rec_cases[] = {
    { "minimal", "v=STSv1; id=a", 0, 0, "a", 0 },
    { "trailing semicolon", "v=STSv1;id=abc;", 0, 0, "abc", 0 },
    { "spaces", "v=STSv1 ;\tid = 20190429T010101 ; ", 0, 0, "20190429T010101",
      0 },
    { "32-char id", "v=STSv1; id=0123456789abcdef0123456789ABCDEF", 0, 0,
      "0123456789abcdef0123456789ABCDEF", 0 },
    { "extensions", "v=STSv1; x.y-z_1=v!; id=1; 9=:", 0, 0, "1", 2 },
    { "empty", "", ESYN, 0, NULL, 0 },
    { "leading space", " v=STSv1; id=1", ESYN, 0, NULL, 0 },
    { "lowercase version", "v=stsv1; id=1", ESYN, 0, NULL, 0 },
    { "STSv10", "v=STSv10; id=1", ESYN, 2, NULL, 0 },
    { "id first", "id=1; v=STSv1", ESYN, 0, NULL, 0 },
    { "no id", "v=STSv1;", ESYN, 8, NULL, 0 },
    { "ID uppercase is an extension", "v=STSv1; ID=1", ESYN, 13, NULL, 0 },
    { "id twice", "v=STSv1; id=1; id=2", ESYN, 15, NULL, 0 },
    { "33-char id", "v=STSv1; id=0123456789abcdef0123456789ABCDEFx", ESYN, 12,
      NULL, 0 },
    { "id with dot", "v=STSv1; id=1.2", ESYN, 13, NULL, 0 },
    { "id with space inside", "v=STSv1; id=1 2", ESYN, 14, NULL, 0 },
    { "double semicolon", "v=STSv1; id=1;;", ESYN, 14, NULL, 0 },
    { "field without =", "v=STSv1; id=1; junk", ESYN, 15, NULL, 0 },
    { "ext name with _ first", "v=STSv1; id=1; _x=1", ESYN, 15, NULL, 0 },
    { "ext name 33 chars", "v=STSv1; id=1; a23456789012345678901234567890123=1",
      ESYN, 15, NULL, 0 },
    { "ext value empty", "v=STSv1; id=1; e=", ESYN, 17, NULL, 0 },
    { "ext value =", "v=STSv1; id=1; e==", ESYN, 17, NULL, 0 },
    { "ext value 8-bit", "v=STSv1; id=1; e=\xc3\xa9", ESYN, 17, NULL, 0 },
    { "NUL in id", "v=STSv1; id=a\0b", ESYN, 13, NULL, 0 },
};

static void
test_mtasts__record_table(void)
{
    size_t i;

    for (i = 0; i < (sizeof(rec_cases) / sizeof(rec_cases[0])); i++) {
        const rec_case_t *c = &rec_cases[i];
        size_t len = strcmp(c->name, "NUL in id") == 0 ? 15 : strlen(c->txt);
        vouch_mtasts_record_t r;
        vouch_error_t err;
        int rc;

        vouch_error_clear(&err);
        rc = vouch_mtasts_record_parse(&r, c->txt, len, &err);
        CHECKF(rc == c->rc, "%s: rc %d (%s)", c->name, rc, err.msg);
        if (rc != 0) {
            CHECKF(err.offset == c->err_offset && err.msg[0] != '\0' &&
                       r.id[0] == '\0',
                   "%s: offset %zu, want %zu (%s)", c->name, err.offset,
                   c->err_offset, err.msg);
            continue;
        }
        CHECKF(strcmp(r.id, c->id) == 0 && r.next == c->next,
               "%s: id %s next %zu", c->name, r.id, r.next);
    }
}

static void
test_mtasts__record_extension_cap(void)
{
    char txt[2048];
    size_t n = 0, i;
    vouch_mtasts_record_t r;
    vouch_error_t err;

    n += (size_t)snprintf(txt, sizeof(txt), "v=STSv1; id=1");
    for (i = 0; i < VOUCH_MTASTS_EXT_MAX; i++) {
        n += (size_t)snprintf(txt + n, sizeof(txt) - n, "; e%zu=v", i);
    }
    CHECK(vouch_mtasts_record_parse(&r, txt, n, &err) == 0);
    CHECK(r.next == VOUCH_MTASTS_EXT_MAX);
    CHECK(r.ext[0].name.len == 2 && memcmp(r.ext[0].name.ptr, "e0", 2) == 0);
    n += (size_t)snprintf(txt + n, sizeof(txt) - n, "; last=v");
    CHECK(vouch_mtasts_record_parse(&r, txt, n, &err) == EBIG);
    CHECK(strstr(err.msg, "extensions") != NULL);
    CHECK(vouch_mtasts_record_parse(NULL, txt, n, NULL) == VOUCH_EINVAL);
    CHECK(vouch_mtasts_record_parse(&r, NULL, 3, NULL) == VOUCH_EINVAL);
}

/* ---- policy
 * ------------------------------------------------------------------- */

typedef struct pol_case {
    const char *name;
    const char *body;
    int rc;
    const char *err_has; /* rc != 0: in err.msg */
    vouch_mtasts_mode_t mode;
    uint32_t max_age;
    size_t nmx, next;
} pol_case_t;

#define OKP(n, b, m, a, x, e)                                                  \
    {                                                                          \
        n, b, 0, NULL, VOUCH_MTASTS_MODE_##m, a, x, e                          \
    }
#define BADP(n, b, rc, has)                                                    \
    {                                                                          \
        n, b, rc, has, VOUCH_MTASTS_MODE_NONE, 0, 0, 0                         \
    }

static const pol_case_t pol_cases[] = {
    OKP("enforce", "version: STSv1\nmode: enforce\nmx: a.b\nmax_age: 86400\n",
        ENFORCE, 86400, 1, 0),
    OKP("no final newline", "version: STSv1\nmode: none\nmax_age: 0", NONE, 0,
        0, 0),
    OKP("CRLF and LF mixed",
        "version: STSv1\r\nmode: testing\nmx: *.a.b\r\nmax_age: 31557600\r\n",
        TESTING, 31557600, 1, 0),
    OKP("blank lines", "\nversion: STSv1\n\n  \nmode: none\nmax_age: 5\n\n",
        NONE, 5, 0, 0),
    OKP("space before colon", "version : STSv1\nmode :none\nmax_age\t: 1", NONE,
        1, 0, 0),
    OKP("ten digits", "version: STSv1\nmode: none\nmax_age: 0000000001", NONE,
        1, 0, 0),
    OKP("mx in none mode", "version: STSv1\nmode: none\nmx: a.b\nmax_age: 1",
        NONE, 1, 1, 0),
    OKP("extensions kept",
        "version: STSv1\nmode: none\nmax_age: 1\nx-y.z_: a b\n9: c", NONE, 1, 0,
        2),
    OKP("mx case kept",
        "version: STSv1\nmode: enforce\nmx: MX.Example.COM\n"
        "mx: *.example.net\nmax_age: 1",
        ENFORCE, 1, 2, 0),
    BADP("empty", "", ESYN, "missing \"version"),
    BADP("only newlines", "\n\r\n\n", ESYN, "missing \"version"),
    BADP("no colon", "version: STSv1\nmode none\n", ESYN, "line 2:"),
    BADP("empty key", ": x\n", ESYN, "line 1: empty key"),
    BADP("leading space key", "version: STSv1\n mode: none\nmax_age: 1", ESYN,
         "line 2: invalid key"),
    BADP("version STSv2", "version: STSv2\nmode: none\nmax_age: 1", ESYN,
         "line 1: unsupported version"),
    BADP("version lower", "version: stsv1\nmode: none\nmax_age: 1", ESYN,
         "line 1"),
    BADP("Version key", "Version: STSv1\nmode: none\nmax_age: 1", ESYN,
         "missing \"version"),
    BADP("version twice", "version: STSv1\nversion: STSv1\nmode: none", ESYN,
         "line 2: version given twice"),
    BADP("mode twice", "version: STSv1\nmode: none\nmode: none\nmax_age: 1",
         ESYN, "line 3: mode given twice"),
    BADP("max_age twice", "version: STSv1\nmode: none\nmax_age: 1\nmax_age: 2",
         ESYN, "line 4: max_age given twice"),
    BADP("mode Enforce", "version: STSv1\nmode: Enforce\nmax_age: 1", ESYN,
         "line 2: unknown mode"),
    BADP("missing mode", "version: STSv1\nmax_age: 1", ESYN, "missing mode"),
    BADP("missing max_age", "version: STSv1\nmode: none", ESYN,
         "missing max_age"),
    BADP("max_age empty", "version: STSv1\nmode: none\nmax_age:", ESYN,
         "line 3: empty max_age"),
    BADP("max_age negative", "version: STSv1\nmode: none\nmax_age: -1", ESYN,
         "line 3: max_age is not"),
    BADP("max_age 11 digits",
         "version: STSv1\nmode: none\nmax_age: 00000000001", ESYN,
         "more than 10 digits"),
    BADP("max_age over a year", "version: STSv1\nmode: none\nmax_age: 31557601",
         ESYN, "above 31557600"),
    BADP("max_age 10 digits big",
         "version: STSv1\nmode: none\nmax_age: 9999999999", ESYN,
         "above 31557600"),
    BADP("max_age with space inside",
         "version: STSv1\nmode: none\nmax_age: 1 2", ESYN, "not a number"),
    BADP("enforce no mx", "version: STSv1\nmode: enforce\nmax_age: 1", ESYN,
         "enforce without any mx"),
    BADP("testing no mx", "version: STSv1\nmode: testing\nmax_age: 1", ESYN,
         "testing without any mx"),
    BADP("mx empty", "version: STSv1\nmode: none\nmax_age: 1\nmx:", ESYN,
         "line 4: empty mx"),
    BADP("mx trailing dot", "version: STSv1\nmode: none\nmax_age: 1\nmx: a.b.",
         ESYN, "line 4: mx pattern: empty label"),
    BADP("mx double wildcard",
         "version: STSv1\nmode: none\nmax_age: 1\nmx: *.*.a.b", ESYN,
         "wildcard is allowed only"),
    BADP("mx wildcard in label",
         "version: STSv1\nmode: none\nmax_age: 1\nmx: mx*.a.b", ESYN,
         "wildcard is allowed only"),
    BADP("mx bare wildcard", "version: STSv1\nmode: none\nmax_age: 1\nmx: *",
         ESYN, "wildcard"),
    BADP("mx hyphen end", "version: STSv1\nmode: none\nmax_age: 1\nmx: a-.b",
         ESYN, "starts or ends with '-'"),
    BADP("mx underscore", "version: STSv1\nmode: none\nmax_age: 1\nmx: a_b.c",
         ESYN, "not allowed in a host name"),
    BADP("mx long label",
         "version: STSv1\nmode: none\nmax_age: 1\nmx: "
         "a123456789012345678901234567890123456789012345678901234567890123.b",
         ESYN, "longer than 63"),
    BADP("mx U-label",
         "version: STSv1\nmode: none\nmax_age: 1\nmx: m\xc3\xb8x.example", ESYN,
         "non-ASCII"),
    BADP("mx with space", "version: STSv1\nmode: none\nmax_age: 1\nmx: a b.c",
         ESYN, "not allowed"),
    BADP("tab inside value", "version: STSv1\nmode: none\nmax_age: 1\nx: a\tb",
         ESYN, "line 4: control character"),
    BADP("bare CR", "version: STSv1\rmode: none\nmax_age: 1", ESYN,
         "line 1: control character"),
    BADP("ext empty value", "version: STSv1\nmode: none\nmax_age: 1\next:",
         ESYN, "line 4: extension with an empty value"),
    BADP("ext name underscore", "version: STSv1\nmode: none\nmax_age: 1\n_x: 1",
         ESYN, "line 4: invalid key"),
    BADP("ext name 33",
         "version: STSv1\nmode: none\nmax_age: 1\n"
         "a23456789012345678901234567890123: 1",
         ESYN, "invalid key"),
};

static void
test_mtasts__policy_table(void)
{
    vouch_ctx_t *ctx = test_ctx();
    size_t i;

    for (i = 0; i < (sizeof(pol_cases) / sizeof(pol_cases[0])); i++) {
        const pol_case_t *c = &pol_cases[i];
        vouch_mtasts_policy_t *p = NULL;
        vouch_error_t err;
        int rc;

        vouch_error_clear(&err);
        rc = vouch_mtasts_policy_parse(&p, ctx, c->body, strlen(c->body), &err);
        CHECKF(rc == c->rc, "%s: rc %d (%s)", c->name, rc, err.msg);
        if (rc != 0) {
            CHECKF(p == NULL && strstr(err.msg, c->err_has) != NULL &&
                       err.offset <= strlen(c->body),
                   "%s: msg \"%s\" offset %zu, want \"%s\"", c->name, err.msg,
                   err.offset, c->err_has);
            continue;
        }
        REQUIRE(p != NULL);
        CHECKF(p->mode == c->mode && p->max_age == c->max_age &&
                   p->nmx == c->nmx && p->next == c->next,
               "%s: mode %d max_age %u nmx %zu next %zu", c->name, p->mode,
               p->max_age, p->nmx, p->next);
        vouch_mtasts_policy_free(p);
    }
}

static void
test_mtasts__policy_fields(void)
{
    static const char body[] = "version: STSv1\r\nmode: enforce\r\n"
                               "mx:  *.Example.com \r\nmx: mx2.example.net\r\n"
                               "max_age: 604800\r\nnote: hello  world \r\n";
    vouch_ctx_t *ctx = test_ctx();
    vouch_mtasts_policy_t *p = NULL;
    char *copy = malloc(sizeof(body));

    REQUIRE(copy != NULL);
    memcpy(copy, body, sizeof(body));
    REQUIRE(vouch_mtasts_policy_parse(&p, ctx, copy, sizeof(body) - 1, NULL) ==
            0);
    /* the policy owns its text: the caller's buffer may go */
    memset(copy, 'x', sizeof(body));
    free(copy);
    CHECK(p->nmx == 2 && p->mx[0].len == 13 &&
          memcmp(p->mx[0].ptr, "*.Example.com", 13) == 0);
    CHECK(p->mx[1].len == 15 &&
          memcmp(p->mx[1].ptr, "mx2.example.net", 15) == 0);
    CHECK(p->next == 1 && p->ext[0].name.len == 4 &&
          p->ext[0].value.len == 12 &&
          memcmp(p->ext[0].value.ptr, "hello  world", 12) == 0);
    CHECK(strcmp(vouch_mtasts_mode_name(p->mode), "enforce") == 0);
    CHECK(p->max_age == 604800);
    vouch_mtasts_policy_free(p);
    vouch_mtasts_policy_free(NULL);
}

/* A body of len bytes: a valid head then filler lines of `line`. */
static char *
body_of(size_t len, const char *line, size_t *out_len)
{
    static const char head[] = "version: STSv1\nmode: none\nmax_age: 1\n";
    size_t n = sizeof(head) - 1, l = strlen(line);
    char *b = malloc(len + 1);

    if (b == NULL) {
        abort();
    }
    memcpy(b, head, n);
    while (n + l <= len) {
        memcpy(b + n, line, l);
        n += l;
    }
    memset(b + n, '\n', len - n);
    *out_len = len;
    return b;
}

static void
test_mtasts__policy_caps(void)
{
    vouch_ctx_t *ctx = test_ctx();
    vouch_mtasts_policy_t *p = NULL;
    vouch_error_t err;
    char buf[8192];
    size_t len, n, i;
    char *b;

    /* 64 KiB exactly is fine (blank lines pad), one byte more is not */
    b = body_of(VOUCH_MTASTS_POLICY_MAX, "\n", &len);
    CHECK(vouch_mtasts_policy_parse(&p, ctx, b, len, &err) == 0);
    vouch_mtasts_policy_free(p);
    p = NULL;
    free(b);
    b = body_of(VOUCH_MTASTS_POLICY_MAX + 1, "\n", &len);
    CHECK(vouch_mtasts_policy_parse(&p, ctx, b, len, &err) == EBIG);
    CHECK(p == NULL && strstr(err.msg, "64 KiB") != NULL);
    free(b);

    /* 256 mx lines fine, 257 too many */
    n = (size_t)snprintf(buf, sizeof(buf),
                         "version: STSv1\nmode: enforce\nmax_age: 1\n");
    for (i = 0; i < VOUCH_MTASTS_MX_MAX; i++) {
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "mx: m%zu.x\n", i);
    }
    CHECK(vouch_mtasts_policy_parse(&p, ctx, buf, n, &err) == 0);
    CHECK(p != NULL && p->nmx == VOUCH_MTASTS_MX_MAX);
    CHECK(p != NULL && vouch_mtasts_policy_match(p, "m255.x", 6) == 255);
    vouch_mtasts_policy_free(p);
    p = NULL;
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, "mx: one.more\n");
    CHECK(vouch_mtasts_policy_parse(&p, ctx, buf, n, &err) == EBIG);
    CHECK(strstr(err.msg, "line 260:") != NULL);

    /* extensions */
    n = (size_t)snprintf(buf, sizeof(buf),
                         "version: STSv1\nmode: none\nmax_age: 1\n");
    for (i = 0; i <= VOUCH_MTASTS_EXT_MAX; i++) {
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "e%zu: v\n", i);
    }
    CHECK(vouch_mtasts_policy_parse(&p, ctx, buf, n, &err) == EBIG);

    /* a NUL byte inside a value */
    memcpy(buf, "version: STSv1\nmode: none\nmax_age: 1\nx: a\0b\n", 45);
    CHECK(vouch_mtasts_policy_parse(&p, ctx, buf, 45, &err) == ESYN);
    CHECK(err.offset == 41 && strstr(err.msg, "line 4") != NULL);

    /* arguments */
    CHECK(vouch_mtasts_policy_parse(NULL, ctx, "", 0, NULL) == VOUCH_EINVAL);
    CHECK(vouch_mtasts_policy_parse(&p, NULL, "", 0, NULL) == VOUCH_EINVAL);
    CHECK(vouch_mtasts_policy_parse(&p, ctx, NULL, 1, NULL) == VOUCH_EINVAL);
    CHECK(p == NULL);
}

/* ---- writers
 * ------------------------------------------------------------------ */

static void
test_mtasts__write(void)
{
    static const char *const mx[] = { "mx1.example.com", "*.example.net" };
    static const char *const bad[] = { "mx1.example.com", "a..b" };
    vouch_ctx_t *ctx = test_ctx();
    vouch_mtasts_policy_t *p = NULL;
    vouch_mtasts_ext_t ext[1] = { { { "x", 1 }, { "y=", 2 } } };
    vouch_mtasts_record_t rec;
    vouch_error_t err;
    vouch_buf_t out, small;

    vouch_buf_init(&out, ctx, 4096);
    REQUIRE(vouch_mtasts_policy_write(&out, VOUCH_MTASTS_MODE_TESTING, 86400,
                                      mx, 2, true, &err) == 0);
    CHECK_STR(out.ptr, "version: STSv1\r\nmode: testing\r\nmax_age: 86400\r\n"
                       "mx: mx1.example.com\r\nmx: *.example.net\r\n");
    /* what is written parses back to the same policy */
    REQUIRE(vouch_mtasts_policy_parse(&p, ctx, out.ptr, out.len, &err) == 0);
    CHECK(p->mode == VOUCH_MTASTS_MODE_TESTING && p->max_age == 86400 &&
          p->nmx == 2 &&
          vouch_mtasts_policy_match(p, "a.example.net", 13) == 1);
    vouch_mtasts_policy_free(p);

    vouch_buf_clear(&out);
    CHECK(vouch_mtasts_policy_write(&out, VOUCH_MTASTS_MODE_NONE, 0, NULL, 0,
                                    false, &err) == 0);
    CHECK_STR(out.ptr, "version: STSv1\nmode: none\nmax_age: 0\n");
    vouch_buf_clear(&out);
    CHECK(vouch_mtasts_policy_write(&out, VOUCH_MTASTS_MODE_ENFORCE, 1, bad, 2,
                                    true, &err) == ESYN);
    CHECK(strstr(err.msg, "a..b") != NULL && out.len == 0);
    CHECK(vouch_mtasts_policy_write(&out, VOUCH_MTASTS_MODE_ENFORCE, 1, NULL, 0,
                                    true, &err) == ESYN);
    CHECK(vouch_mtasts_policy_write(&out, VOUCH_MTASTS_MODE_NONE,
                                    VOUCH_MTASTS_MAX_AGE_MAX + 1, NULL, 0, true,
                                    &err) == VOUCH_EINVAL);
    CHECK(vouch_mtasts_policy_write(&out, (vouch_mtasts_mode_t)7, 1, NULL, 0,
                                    true, &err) == VOUCH_EINVAL);
    CHECK(vouch_mtasts_policy_write(NULL, VOUCH_MTASTS_MODE_NONE, 1, NULL, 0,
                                    true, &err) == VOUCH_EINVAL);
    /* too small a buffer: ETOOBIG, and it keeps what it had */
    vouch_buf_init(&small, ctx, 40);
    REQUIRE(vouch_buf_puts(&small, "keep") == 0);
    CHECK(vouch_mtasts_policy_write(&small, VOUCH_MTASTS_MODE_TESTING, 86400,
                                    mx, 2, true, &err) == EBIG);
    CHECK(small.len == 4 && strcmp(small.ptr, "keep") == 0);
    vouch_buf_dispose(&small);

    vouch_buf_clear(&out);
    CHECK(vouch_mtasts_record_write(&out, "20240101T000000", NULL, 0, &err) ==
          0);
    CHECK_STR(out.ptr, "v=STSv1; id=20240101T000000");
    CHECK(vouch_mtasts_record_parse(&rec, out.ptr, out.len, &err) == 0);
    CHECK(vouch_mtasts_record_write(&out, "a-b", NULL, 0, &err) == ESYN);
    CHECK(vouch_mtasts_record_write(&out, "", NULL, 0, &err) == ESYN);
    CHECK(vouch_mtasts_record_write(&out, "a", ext, 1, &err) == ESYN);
    CHECK(vouch_mtasts_record_write(&out, "a", NULL, 1, &err) == VOUCH_EINVAL);
    CHECK(strcmp(out.ptr, "v=STSv1; id=20240101T000000") == 0);
    vouch_buf_dispose(&out);
}

/* ---- MX matching (§4.1)
 * ------------------------------------------------------- */

static void
test_mtasts__mx_match(void)
{
    static const struct {
        const char *pattern, *host;
        bool match;
    } t[] = {
        { "mail.example.com", "mail.example.com", true },
        { "mail.example.com", "MAIL.Example.COM", true },
        { "mail.example.com", "mail.example.com.", true },
        { "mail.example.com.", "mail.example.com", true },
        { "mail.example.com", "mail.example.co", false },
        { "mail.example.com", "xmail.example.com", false },
        { "*.example.com", "mx1.example.com", true },
        { "*.example.com", "MX1.EXAMPLE.COM.", true },
        { "*.example.com", "example.com", false },
        { "*.example.com", "a.b.example.com", false },
        { "*.example.com", ".example.com", false },
        { "*.example.com", "mx1.example.org", false },
        { "*.example.com", "mx1example.com", false },
        { "*.com", "example.com", true },
        { "*.*.com", "a.b.com", false },
        { "*", "example", false },
        { "example.com", "", false },
        { "", "", false },
        { "example.com", ".", false },
        { "a..b", "a..b", false },
        { "mx_1.example.com", "mx_1.example.com", false },
        { "mail.example.com", "mail.example.com..", false },
    };

    size_t i;

    for (i = 0; i < (sizeof(t) / sizeof(t[0])); i++) {
        bool got = vouch_mtasts_mx_match(t[i].pattern, strlen(t[i].pattern),
                                         t[i].host, strlen(t[i].host));

        CHECKF(got == t[i].match, "%s vs %s: %d", t[i].pattern, t[i].host, got);
    }
    CHECK(!vouch_mtasts_mx_match(NULL, 0, "a", 1));
    CHECK(!vouch_mtasts_mx_match("a", 1, NULL, 0));
    CHECK(vouch_mtasts_policy_match(NULL, "a", 1) == -1);
}

/* ---- discovery up to the fetch (zone files, no network)
 * ------------------------------------------------------------------------ */

static const char zone[] = "_mta-sts.two.test. TXT \"v=STSv1; id=1\"\n"
                           "_mta-sts.two.test. TXT \"v=STSv1; id=2\"\n"
                           "_mta-sts.bad.test. TXT \"v=STSv1; id=a-b\"\n"
                           "_mta-sts.v10.test. TXT \"v=STSv10; id=1\"\n"
                           "_mta-sts.spf.test. TXT \"v=spf1 -all\"\n"
                           "_mta-sts.nodata.test. A 127.0.0.1\n"
                           "_mta-sts.nohost.test. TXT \"v=STSv1; id=1\"\n"
                           "$FAULT _mta-sts.timeout.test. TXT TIMEOUT\n"
                           "$FAULT _mta-sts.servfail.test. TXT SERVFAIL\n";

static void
test_mtasts__discover_without_fetch(void)
{
    static const struct {
        const char *domain;
        vouch_mtasts_outcome_t outcome;
        size_t nrecords;
        const char *reason_has;
    } t[] = {
        { "two.test", VOUCH_MTASTS_NONE, 2, "exactly one" },
        { "bad.test", VOUCH_MTASTS_NONE, 1, "invalid record" },
        { "v10.test", VOUCH_MTASTS_NONE, 0, "exactly one" },
        { "spf.test", VOUCH_MTASTS_NONE, 0, "exactly one" },
        { "nodata.test", VOUCH_MTASTS_NONE, 0, "NODATA" },
        { "nothing.test", VOUCH_MTASTS_NONE, 0, "NXDOMAIN" },
        { "timeout.test", VOUCH_MTASTS_DNS_TEMPERROR, 0, "TIMEOUT" },
        { "servfail.test.", VOUCH_MTASTS_DNS_TEMPERROR, 0, "SERVFAIL" },
        /* the policy host is resolved through the zone: no address */
        { "nohost.test", VOUCH_MTASTS_FETCH_ERROR, 1,
          "network: https://mta-sts.nohost.test/.well-known/mta-sts.txt: "
          "mta-sts.nohost.test has no address" },
    };

    vouch_ctx_t *ctx = test_ctx();
    vouch_zone_t *z = NULL;
    vouch_resolver_t *r = NULL;
    vouch_mtasts_result_t res;
    vouch_dns_budget_t budget;
    vouch_error_t err;
    size_t i;

    REQUIRE(vouch_zone_new(&z, ctx) == 0);
    REQUIRE(vouch_zone_load_text(z, zone, sizeof(zone) - 1, NULL, &err) == 0);
    REQUIRE(vouch_resolver_new_zone(&r, ctx, z) == 0);
    for (i = 0; i < (sizeof(t) / sizeof(t[0])); i++) {
        int rc = vouch_mtasts_discover(&res, ctx, r, NULL, t[i].domain,
                                       strlen(t[i].domain), NULL, &err);

        CHECKF(rc == 0, "%s: rc %d", t[i].domain, rc);
        CHECKF(
            res.outcome == t[i].outcome && res.nrecords == t[i].nrecords &&
                res.have_record == (t[i].outcome == VOUCH_MTASTS_FETCH_ERROR) &&
                res.fetch.policy == NULL &&
                strstr(res.reason, t[i].reason_has) != NULL,
            "%s: %s %zu \"%s\"", t[i].domain,
            vouch_mtasts_outcome_name(res.outcome), res.nrecords, res.reason);
        vouch_mtasts_result_dispose(&res);
    }
    /* not host names: no query at all */
    CHECK(vouch_mtasts_discover(&res, ctx, r, NULL, ".two.test", 9, NULL,
                                &err) == ESYN);
    CHECK(vouch_mtasts_discover(&res, ctx, r, NULL, "a b.test", 8, NULL,
                                &err) == ESYN);
    CHECK(vouch_mtasts_discover(&res, ctx, r, NULL, "", 0, NULL, &err) == ESYN);
    CHECK(vouch_mtasts_discover(&res, ctx, r, NULL, "1.2.3.4]", 8, NULL,
                                &err) == ESYN);
    CHECK(vouch_mtasts_discover(NULL, ctx, r, NULL, "a.test", 6, NULL, &err) ==
          VOUCH_EINVAL);
    CHECK(vouch_mtasts_discover(&res, ctx, NULL, NULL, "a.test", 6, NULL,
                                &err) == VOUCH_EINVAL);
    /* a spent budget stops before the query */
    vouch_dns_budget_init(&budget, 0, 0);
    CHECK(vouch_mtasts_discover(&res, ctx, r, &budget, "two.test", 8, NULL,
                                &err) == EBIG);
    vouch_resolver_free(r);
}

static void
test_mtasts__fetch_refusals(void)
{
    vouch_ctx_t *ctx = test_ctx();
    vouch_http_options_t o = VOUCH_HTTP_OPTIONS_INIT;
    vouch_mtasts_fetch_t f;
    vouch_error_t err;
    char longname[260];

    /* a 250-byte domain: mta-sts.<domain> would pass 253 */
    memset(longname, 'a', sizeof(longname));
    longname[60] = longname[121] = longname[182] = longname[243] = '.';
    CHECK(vouch_mtasts_fetch(&f, ctx, longname, 250, NULL, &err) == ESYN);
    CHECK(strstr(err.msg, "253") != NULL);
    CHECK(vouch_mtasts_fetch(&f, ctx, "ex ample.com", 12, NULL, &err) == ESYN);
    CHECK(vouch_mtasts_fetch(&f, ctx, "m\xc3\xb8x.com", 8, NULL, &err) == ESYN);
    CHECK(strstr(err.msg, "A-labels") != NULL);
    CHECK(vouch_mtasts_fetch(&f, NULL, "a.com", 5, NULL, &err) == VOUCH_EINVAL);
    CHECK(vouch_mtasts_fetch(NULL, ctx, "a.com", 5, NULL, &err) ==
          VOUCH_EINVAL);
    CHECK(vouch_mtasts_fetch(&f, ctx, NULL, 0, NULL, &err) == VOUCH_EINVAL);
    /* options the HTTP layer refuses are errors, not findings */
    o.connect_to = "bad mapping";
    CHECK(vouch_mtasts_fetch(&f, ctx, "a.com", 5, &o, &err) == VOUCH_EINVAL);
    CHECK(f.policy == NULL && f.status == VOUCH_MTASTS_FETCH_OK);
    vouch_mtasts_fetch_dispose(&f);
    vouch_mtasts_fetch_dispose(NULL);
}

static void
test_mtasts__names(void)
{
    CHECK(strcmp(vouch_mtasts_mode_name(VOUCH_MTASTS_MODE_TESTING),
                 "testing") == 0);
    CHECK(strcmp(vouch_mtasts_mode_name((vouch_mtasts_mode_t)9), "unknown") ==
          0);
    CHECK(strcmp(vouch_mtasts_fetch_status_name(VOUCH_MTASTS_FETCH_POLICY),
                 "policy") == 0);
    CHECK(strcmp(vouch_mtasts_fetch_status_name(VOUCH_MTASTS_FETCH_CERT),
                 "certificate") == 0);
    CHECK(
        strcmp(vouch_mtasts_fetch_status_name((vouch_mtasts_fetch_status_t)99),
               "unknown") == 0);
    CHECK(strcmp(vouch_mtasts_outcome_name(VOUCH_MTASTS_DNS_TEMPERROR),
                 "temperror") == 0);
    CHECK(strcmp(vouch_mtasts_outcome_name(VOUCH_MTASTS_FETCH_ERROR),
                 "fetch-error") == 0);
}

/* STYLE.md §8: fail allocation N for N = 1.. until the parse succeeds. */
static void
test_mtasts__oom_sweep(void)
{
    static const char body[] = "version: STSv1\nmode: enforce\nmx: a.b\n"
                               "mx: *.c.d\nmax_age: 10\next: 1\n";
    vouch_ctx_t *ctx = test_oom_ctx();
    unsigned long n;
    bool done = false;

    for (n = 1; n < 100 && !done; n++) {
        long live = test_oom_live;
        vouch_mtasts_policy_t *p = NULL;
        int rc;

        test_oom_count = 0;
        test_oom_fail_at = n;
        rc = vouch_mtasts_policy_parse(&p, ctx, body, sizeof(body) - 1, NULL);
        test_oom_fail_at = 0;
        CHECKF(rc == 0 || (rc == VOUCH_ENOMEM && p == NULL), "n=%lu: rc %d", n,
               rc);
        done = rc == 0;
        vouch_mtasts_policy_free(p);
        CHECKF(test_oom_live == live, "n=%lu: %ld blocks leaked", n,
               test_oom_live - live);
    }
    CHECK(done);
}

static const test_case_t cases[] = {
    TEST(mtasts__record_table),   TEST(mtasts__record_extension_cap),
    TEST(mtasts__policy_table),   TEST(mtasts__policy_fields),
    TEST(mtasts__policy_caps),    TEST(mtasts__write),
    TEST(mtasts__mx_match),       TEST(mtasts__discover_without_fetch),
    TEST(mtasts__fetch_refusals), TEST(mtasts__names),
    TEST(mtasts__oom_sweep),
};

TEST_MAIN(cases)
