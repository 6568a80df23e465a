/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_mail.c - the header list and the streaming message
 * reader (vouch/mail.h): fields kept byte for byte (folding included),
 * bare LF taken as CRLF in header and body, the caps (VOUCH_ETOOBIG with
 * the line number), syntax errors (VOUCH_ESYNTAX), a message without the
 * empty line, results independent of chunking, case-insensitive lookup,
 * and an OOM sweep.
 */
#include "harness.h"

/* What a reading produced. */
typedef struct got {
    vouch_buf_t fields; /* each field's raw bytes, then "|" */
    vouch_buf_t body;
    unsigned headers;
    int rc;
    vouch_error_t err;
} got_t;

static int
on_header(void *payload, const vouch_mail_header_t *hdr)
{
    got_t *g = payload;
    size_t i;
    int rc = 0;

    g->headers++;
    for (i = 0; rc == 0 && i < vouch_mail_header_count(hdr); i++) {
        const vouch_mail_field_t *f = vouch_mail_header_field(hdr, i);

        rc = vouch_buf_add(&g->fields, f->raw, f->len);
        if (rc == 0) {
            rc = vouch_buf_add(&g->fields, "|", 1);
        }
    }
    return rc;
}

static int
on_body(void *payload, const char *p, size_t n)
{
    got_t *g = payload;

    return vouch_buf_add(&g->body, p, n);
}

/* Read msg in chunks of step bytes (0: whole). */
static void
read_msg(got_t *g, vouch_ctx_t *ctx, const char *msg, size_t len, size_t step)
{
    vouch_mail_handler_t h = { on_header, on_body, g };
    vouch_mail_reader_t *r;
    size_t i = 0;

    memset(g, 0, sizeof(*g));
    vouch_buf_init(&g->fields, test_ctx(), 1 << 22);
    vouch_buf_init(&g->body, test_ctx(), 1 << 22);
    vouch_error_clear(&g->err);
    g->rc = vouch_mail_reader_new(&r, ctx, &h);
    if (g->rc != 0) {
        return;
    }
    while (g->rc == 0 && i < len) {
        size_t n = step == 0 || step > len - i ? len - i : step;

        g->rc = vouch_mail_reader_feed(r, msg + i, n, &g->err);
        i += n;
    }
    if (g->rc == 0) {
        g->rc = vouch_mail_reader_finish(r, &g->err);
    }
    if (g->rc == 0 && vouch_mail_reader_body_bytes(r) != g->body.len) {
        g->rc = -9999; /* the count must match what was passed on */
    }
    vouch_mail_reader_free(r);
}

static void
got_dispose(got_t *g)
{
    vouch_buf_dispose(&g->fields);
    vouch_buf_dispose(&g->body);
}

static const char *
str(const vouch_buf_t *b)
{
    return b->ptr != NULL ? b->ptr : "";
}

/* ---- table: messages and what the reader makes of them
 * ------------------------------------------------------ */

typedef struct mail_case {
    const char *name;
    const char *msg; /* NUL-free unless len is given */
    size_t len;      /* 0: strlen(msg) */
    int rc;
    const char *fields; /* expected, "|" after each field */
    const char *body;
    const char *msg_has; /* in the error message */
} mail_case_t;

static const mail_case_t cases[] = {
    { "folding kept byte for byte",
      "From: a@example.com\r\nSubject: one\r\n  two\r\n\tthree\r\n\r\nbody\r\n",
      0, 0, "From: a@example.com|Subject: one\r\n  two\r\n\tthree|", "body\r\n",
      NULL },
    { "bare LF becomes CRLF in header and body",
      "From: a\nSubject: x\n y\n\nl1\nl2\r\nl3\n", 0, 0,
      "From: a|Subject: x\r\n y|", "l1\r\nl2\r\nl3\r\n", NULL },
    { "bare CR is data", "From: a\rb\r\n\r\nx\ry\r", 0, 0, "From: a\rb|",
      "x\ry\r", NULL },
    { "WSP before the colon", "Subject \t: x\r\n\r\n", 0, 0, "Subject \t: x|",
      "", NULL },
    { "no empty line: all header, no body", "From: a\r\nTo: b\r\n", 0, 0,
      "From: a|To: b|", "", NULL },
    { "no line end at all", "From: a", 0, 0, "From: a|", "", NULL },
    { "empty message", "", 0, 0, "", "", NULL },
    { "empty header, body", "\r\nbody", 0, 0, "", "body", NULL },
    { "missing colon", "From: a\r\nno colon\r\n\r\n", 0, VOUCH_ESYNTAX, NULL,
      NULL, "line 2" },
    { "mbox From line", "From a@b Mon Jan 1\nFrom: a\n\n", 0, VOUCH_ESYNTAX,
      NULL, NULL, "mbox" },
    { "continuation first", " x\r\nFrom: a\r\n\r\n", 0, VOUCH_ESYNTAX, NULL,
      NULL, "continuation" },
    { "NUL in the header", "From: a\r\nTo: b\0c\r\n\r\n", 21, VOUCH_ESYNTAX,
      NULL, NULL, "line 2: NUL" },
    { "empty field name", ": x\r\n\r\n", 0, VOUCH_ESYNTAX, NULL, NULL,
      "empty field name" },
    { "NUL in the body is data", "From: a\r\n\r\na\0b", 14, 0, "From: a|", NULL,
      NULL },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void
test_mail__table(void)
{
    size_t i;

    for (i = 0; i < NCASES; i++) {
        const mail_case_t *c = &cases[i];
        size_t len = c->len != 0 ? c->len : strlen(c->msg);
        got_t g;

        read_msg(&g, test_ctx(), c->msg, len, 0);
        CHECKF(g.rc == c->rc, "%s: rc %d (%s), want %d", c->name, g.rc,
               g.err.msg, c->rc);
        if (c->rc == 0) {
            CHECKF(g.headers == 1, "%s: %u header calls", c->name, g.headers);
            CHECKF(strcmp(str(&g.fields), c->fields) == 0, "%s: fields \"%s\"",
                   c->name, str(&g.fields));
            if (c->body != NULL) {
                CHECKF(strcmp(str(&g.body), c->body) == 0, "%s: body \"%s\"",
                       c->name, str(&g.body));
            }
        } else {
            CHECKF(g.headers == 0, "%s: header handler called", c->name);
            CHECKF(strstr(g.err.msg, c->msg_has) != NULL,
                   "%s: message \"%s\" lacks \"%s\"", c->name, g.err.msg,
                   c->msg_has);
        }
        got_dispose(&g);
    }
}

/* The NUL in the body goes through as data. */
static void
test_mail__nul_body(void)
{
    got_t g;

    read_msg(&g, test_ctx(), "From: a\r\n\r\na\0b", 14, 0);
    REQUIRE(g.rc == 0);
    CHECK(g.body.len == 3 && memcmp(g.body.ptr, "a\0b", 3) == 0);
    got_dispose(&g);
}

/* Every row read in chunks of every size from 1 to 9 (cuts between CR and
 * LF, inside the empty line and at the header/body edge included) gives
 * what the whole message gives: fields, body, code and message. */
static void
test_mail__chunking(void)
{
    static const char big[] =
        "Received: from x\r\n\tby y\r\nFrom: a\nSubject: s\r\n s2\n\r\n"
        "line  \r\n\n\r\r\n\r\nend\r";
    size_t i, step;

    for (i = 0; i <= NCASES; i++) {
        const char *msg = i < NCASES ? cases[i].msg : big;
        size_t len = i < NCASES
                         ? (cases[i].len != 0 ? cases[i].len : strlen(msg))
                         : sizeof(big) - 1;
        got_t whole;

        read_msg(&whole, test_ctx(), msg, len, 0);
        for (step = 1; step < 10; step++) {
            got_t g;

            read_msg(&g, test_ctx(), msg, len, step);
            CHECKF(g.rc == whole.rc && strcmp(g.err.msg, whole.err.msg) == 0,
                   "case %zu step %zu: %d \"%s\" vs %d \"%s\"", i, step, g.rc,
                   g.err.msg, whole.rc, whole.err.msg);
            CHECKF(g.fields.len == whole.fields.len &&
                       memcmp(str(&g.fields), str(&whole.fields),
                              g.fields.len) == 0,
                   "case %zu step %zu: fields differ", i, step);
            CHECKF(g.body.len == whole.body.len &&
                       memcmp(str(&g.body), str(&whole.body), g.body.len) == 0,
                   "case %zu step %zu: body differs", i, step);
            got_dispose(&g);
        }
        got_dispose(&whole);
    }
}

/* A CR ending one chunk and a LF starting the next is one CRLF in the
 * body, not a CR and a bare LF. */
static void
test_mail__cr_lf_split(void)
{
    vouch_mail_handler_t h;
    vouch_mail_reader_t *r;
    got_t g;

    memset(&g, 0, sizeof(g));
    vouch_buf_init(&g.fields, test_ctx(), 1 << 20);
    vouch_buf_init(&g.body, test_ctx(), 1 << 20);
    h.on_header = on_header;
    h.on_body = on_body;
    h.payload = &g;
    REQUIRE(vouch_mail_reader_new(&r, test_ctx(), &h) == 0);
    CHECK(vouch_mail_reader_feed(r, "From: a\r\n\r\nx\r", 13, NULL) == 0);
    CHECK(vouch_mail_reader_feed(r, "\ny\n", 3, NULL) == 0);
    CHECK(vouch_mail_reader_finish(r, NULL) == 0);
    CHECK_STR(str(&g.body), "x\r\ny\r\n");
    CHECK(vouch_mail_reader_body_bytes(r) == 6);
    vouch_mail_reader_free(r);
    got_dispose(&g);
}

/* ---- caps
 * ------------------------------------------------------------------ */

/* "From: a", then a field line of total bytes (its CR included), then the
 * empty line. */
static char *
long_line_msg(size_t total, size_t *len)
{
    char *m = malloc(total + 32);

    if (m != NULL) {
        memcpy(m, "From: a\r\nX: ", 12);
        memset(m + 12, 'a', total - 4);
        memcpy(m + 12 + total - 4, "\r\n\r\n", 4);
        *len = 9 + total + 3;
    }
    return m;
}

static void
test_mail__line_cap(void)
{
    size_t len, step;
    char *msg = long_line_msg(VOUCH_MAIL_LINE_MAX + 1, &len);

    REQUIRE(msg != NULL);
    for (step = 0; step < 3; step++) {
        got_t g;

        read_msg(&g, test_ctx(), msg, len, step == 0 ? 0 : step * 1000 + 1);
        CHECKF(g.rc == VOUCH_ETOOBIG, "step %zu: rc %d", step, g.rc);
        CHECKF(strstr(g.err.msg, "line 2:") != NULL, "step %zu: \"%s\"", step,
               g.err.msg);
        got_dispose(&g);
    }
    free(msg);
    msg = long_line_msg(VOUCH_MAIL_LINE_MAX, &len); /* at the cap: read */
    REQUIRE(msg != NULL);
    for (step = 0; step < 3; step++) {
        got_t g;

        read_msg(&g, test_ctx(), msg, len, step == 0 ? 0 : step * 1000 + 1);
        CHECKF(g.rc == 0, "step %zu: rc %d: %s", step, g.rc, g.err.msg);
        CHECK(g.fields.len == 8 + VOUCH_MAIL_LINE_MAX - 1 + 1);
        got_dispose(&g);
    }
    free(msg);
}

static void
test_mail__fields_cap(void)
{
    vouch_buf_t m;
    size_t i;
    got_t g;
    char line[64];

    vouch_buf_init(&m, test_ctx(), 1 << 20);
    for (i = 0; i < VOUCH_MAIL_FIELDS_MAX + 1; i++) {
        int n = snprintf(line, sizeof(line), "X-%zu: v\r\n", i);

        REQUIRE(vouch_buf_add(&m, line, (size_t)n) == 0);
    }
    REQUIRE(vouch_buf_add(&m, "\r\n", 2) == 0);
    read_msg(&g, test_ctx(), m.ptr, m.len, 0);
    CHECK(g.rc == VOUCH_ETOOBIG);
    CHECKF(strstr(g.err.msg, "header line 1001") != NULL, "\"%s\"", g.err.msg);
    got_dispose(&g);
    /* one fewer fits */
    read_msg(&g, test_ctx(), m.ptr, m.len - strlen("X-1000: v\r\n") - 2, 0);
    CHECKF(g.rc == 0, "rc %d: %s", g.rc, g.err.msg);
    got_dispose(&g);
    vouch_buf_dispose(&m);
}

static void
test_mail__header_block_cap(void)
{
    vouch_buf_t m;
    size_t lines = 0;
    char line[1100];
    got_t g;
    int n;

    /* folded fields of 1000-byte lines past VOUCH_MAIL_HEADER_MAX */
    vouch_buf_init(&m, test_ctx(), 4 << 20);
    REQUIRE(vouch_buf_add(&m, "X: a\r\n", 6) == 0);
    lines++;
    memset(line, 'b', sizeof(line));
    line[0] = ' ';
    while (m.len <= VOUCH_MAIL_HEADER_MAX) {
        REQUIRE(vouch_buf_add(&m, line, 1000) == 0);
        REQUIRE(vouch_buf_add(&m, "\r\n", 2) == 0);
        lines++;
    }
    REQUIRE(vouch_buf_add(&m, "\r\n", 2) == 0);
    read_msg(&g, test_ctx(), m.ptr, m.len, 0);
    CHECK(g.rc == VOUCH_ETOOBIG);
    /* the line that took the field over the cap */
    n = snprintf(line, sizeof(line), "line %zu: header block", lines);
    CHECKF(n > 0 && strstr(g.err.msg, line) != NULL, "\"%s\" lacks \"%s\"",
           g.err.msg, line);
    got_dispose(&g);
    vouch_buf_dispose(&m);
}

/* ---- the header list on its own
 * ------------------------------------------------------------------ */

static void
test_mail__header_add(void)
{
    vouch_mail_header_t *h;
    const vouch_mail_field_t *f;
    vouch_error_t err;

    REQUIRE(vouch_mail_header_new(&h, test_ctx()) == 0);
    CHECK(vouch_mail_header_add(h, "Subject: a\n b", 13, &err) == 0);
    CHECK(vouch_mail_header_add(h, "From : x", 8, &err) == 0);
    CHECK(vouch_mail_header_add(h, "To: a\r\nb", 8, &err) == VOUCH_ESYNTAX);
    CHECK(vouch_mail_header_add(h, "To: a\n", 6, &err) == VOUCH_ESYNTAX);
    CHECK(vouch_mail_header_add(h, "To: a\0b", 7, &err) == VOUCH_ESYNTAX);
    CHECK(strstr(err.msg, "NUL") != NULL);
    CHECK(vouch_mail_header_add(h, "T o: a", 6, &err) == VOUCH_ESYNTAX);
    CHECK(vouch_mail_header_add(h, "To a", 4, &err) == VOUCH_ESYNTAX);
    REQUIRE(vouch_mail_header_count(h) == 2);
    f = vouch_mail_header_field(h, 0);
    CHECK(f->len == 14 && memcmp(f->raw, "Subject: a\r\n b", 14) == 0);
    CHECK(f->name_len == 7 && f->value_off == 8);
    f = vouch_mail_header_field(h, 1);
    CHECK(f->name_len == 4 && f->value_off == 6);
    CHECK(vouch_mail_header_field(h, 2) == NULL);
    CHECK(vouch_mail_header_size(h) == 14 + 2 + 8 + 2);
    vouch_mail_header_free(h);
}

static void
test_mail__header_find(void)
{
    vouch_mail_header_t *h;
    vouch_error_t err;
    size_t i;

    REQUIRE(vouch_mail_header_new(&h, test_ctx()) == 0);
    for (i = 0; i < 5; i++) {
        static const char *const f[] = { "From: a", "DKIM-Signature: 1",
                                         "To: b", "dkim-signature: 2",
                                         "DKIM-SIGNATUREX: 3" };

        REQUIRE(vouch_mail_header_add(h, f[i], strlen(f[i]), &err) == 0);
    }
    CHECK(vouch_mail_header_find(h, "dKiM-sIgNaTuRe", 14, 0) == 1);
    CHECK(vouch_mail_header_find(h, "DKIM-Signature", 14, 2) == 3);
    CHECK(vouch_mail_header_find(h, "DKIM-Signature", 14, 4) == (size_t)-1);
    CHECK(vouch_mail_header_find(h, "FROM", 4, 0) == 0);
    CHECK(vouch_mail_header_find(h, "Fro", 3, 0) == (size_t)-1);
    CHECK(vouch_mail_header_find(h, "cc", 2, 0) == (size_t)-1);
    CHECK(vouch_mail_header_find(h, "To", 2, 99) == (size_t)-1);
    vouch_mail_header_free(h);
}

/* ---- OOM
 * ------------------------------------------------------------------ */

static void
test_mail__oom(void)
{
    static const char msg[] =
        "From: a\r\nSubject: x\r\n y\r\nTo: b\r\n\r\nbody\n";
    vouch_ctx_t *ctx = test_oom_ctx();
    unsigned long n;
    bool done = false;

    for (n = 1; n < 10000 && !done; n++) {
        long live = test_oom_live;
        got_t g;

        test_oom_count = 0;
        test_oom_fail_at = n;
        read_msg(&g, ctx, msg, sizeof(msg) - 1, 3);
        test_oom_fail_at = 0;
        CHECKF(g.rc == 0 || g.rc == VOUCH_ENOMEM, "n=%lu: rc %d", n, g.rc);
        if (g.rc == 0) {
            CHECK_STR(str(&g.fields), "From: a|Subject: x\r\n y|To: b|");
            done = test_oom_count < n;
        }
        CHECKF(test_oom_live == live, "n=%lu: %ld blocks leaked", n,
               test_oom_live - live);
        got_dispose(&g);
    }
    CHECK(done);
    CHECKF(n > 3, "the sweep stopped at %lu", n);
}

/* A field with bare LFs is copied in several appends; when one fails
 * after an earlier one moved the arena, the fields already there must
 * still point into it (they were left dangling: ASan saw the read). */
static void
test_mail__oom_header_add(void)
{
    vouch_ctx_t *ctx = test_oom_ctx();
    char big[200];
    unsigned long n;
    bool done = false;

    memset(big, 'v', sizeof(big));
    memcpy(big, "Long: ", 6);
    big[60] = '\n';
    big[61] = ' ';
    for (n = 1; n < 1000 && !done; n++) {
        vouch_mail_header_t *h = NULL;
        long live = test_oom_live;
        int rc;

        test_oom_count = 0;
        test_oom_fail_at = n;
        rc = vouch_mail_header_new(&h, ctx);
        if (rc == 0 && (rc = vouch_mail_header_add(h, "A: x", 4, NULL)) == 0) {
            rc = vouch_mail_header_add(h, big, sizeof(big), NULL);
            CHECKF(vouch_mail_header_count(h) == (rc == 0 ? 2u : 1u),
                   "n=%lu: %zu fields", n, vouch_mail_header_count(h));
            CHECKF(vouch_mail_header_field(h, 0)->len == 4 &&
                       memcmp(vouch_mail_header_field(h, 0)->raw, "A: x", 4) ==
                           0,
                   "n=%lu: first field damaged", n);
            if (rc == 0) {
                CHECK(vouch_mail_header_field(h, 1)->len == sizeof(big) + 1);
            }
        }
        test_oom_fail_at = 0;
        CHECKF(rc == 0 || rc == VOUCH_ENOMEM, "n=%lu: rc %d", n, rc);
        done = rc == 0 && test_oom_count < n;
        vouch_mail_header_free(h);
        CHECKF(test_oom_live == live, "n=%lu: %ld blocks leaked", n,
               test_oom_live - live);
    }
    CHECK(done);
}

static const test_case_t list[] = {
    TEST(mail__table),
    TEST(mail__nul_body),
    TEST(mail__chunking),
    TEST(mail__cr_lf_split),
    TEST(mail__line_cap),
    TEST(mail__fields_cap),
    TEST(mail__header_block_cap),
    TEST(mail__header_add),
    TEST(mail__header_find),
    TEST(mail__oom),
    TEST(mail__oom_header_add),
};

TEST_MAIN(list)
