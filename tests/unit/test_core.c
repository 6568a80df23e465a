/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the base layer: buffers, errors, ASCII helpers, numbers,
 * IP addresses, the context and the allocation funnel.
 */
#include "harness.h"
#include "core/internal.h"

static void
test_core__buf_bounded(void)
{
    vouch_buf_t b;

    vouch_buf_init(&b, test_ctx(), 8);
    CHECK(vouch_buf_add(&b, "abcd", 4) == 0);
    CHECK(vouch_buf_addc(&b, 'e') == 0);
    CHECK(b.len == 5 && strcmp(b.ptr, "abcde") == 0);
    /* over the maximum: refused whole, contents unchanged */
    CHECK(vouch_buf_add(&b, "wxyz", 4) == VOUCH_ETOOBIG);
    CHECK(b.len == 5 && strcmp(b.ptr, "abcde") == 0);
    CHECK(vouch_buf_printf(&b, "%d", 123) == 0);
    CHECK(b.len == 8 && strcmp(b.ptr, "abcde123") == 0);
    CHECK(vouch_buf_printf(&b, "%d", 4) == VOUCH_ETOOBIG);
    vouch_buf_clear(&b);
    CHECK(b.len == 0 && b.ptr[0] == '\0');
    CHECK(vouch_buf_add(&b, "a\0b", 3) == 0);
    CHECK(b.len == 3 && b.ptr[1] == '\0' && b.ptr[2] == 'b');
    vouch_buf_dispose(&b);
    CHECK(b.ptr == NULL && b.len == 0);
}

static void
test_core__buf_grows(void)
{
    vouch_buf_t b;
    size_t i;
    int ok = 1;

    vouch_buf_init(&b, test_ctx(), 100000);
    for (i = 0; i < 100000; i++) {
        ok &= vouch_buf_addc(&b, (char)('a' + i % 26)) == 0;
    }
    CHECK(ok && b.len == 100000 && b.ptr[99999] == 'a' + 99999 % 26);
    CHECK(b.cap <= 100001);
    CHECK(vouch_buf_addc(&b, 'x') == VOUCH_ETOOBIG);
    vouch_buf_dispose(&b);
}

static void
test_core__buf_oom(void)
{
    vouch_buf_t b;
    long live;

    test_oom_ctx();
    live = test_oom_live;
    test_oom_count = 0;
    test_oom_fail_at = 1;
    vouch_buf_init(&b, test_oom_ctx(), 100);
    CHECK(vouch_buf_add(&b, "abc", 3) == VOUCH_ENOMEM);
    CHECK(b.len == 0);
    test_oom_fail_at = 0;
    CHECK(vouch_buf_add(&b, "abc", 3) == 0);
    vouch_buf_dispose(&b);
    CHECK(test_oom_live == live);
}

static void
test_core__errors(void)
{
    vouch_error_t e;

    CHECK_STR(vouch_strerror(VOUCH_ENOMEM), "out of memory");
    CHECK_STR(vouch_errname(VOUCH_ETOOBIG), "VOUCH_ETOOBIG");
    CHECK_STR(vouch_strerror(0), "success");
    CHECK_STR(vouch_strerror(-999), "unknown error");
    CHECK_STR(vouch_errname(-999), "VOUCH_E?");
    /* codes are never renumbered */
    CHECK(VOUCH_ENOMEM == -1 && VOUCH_EINVAL == -2 && VOUCH_ESYNTAX == -3 &&
          VOUCH_ETOOBIG == -4 && VOUCH_ENOTFOUND == -5 && VOUCH_ETEMP == -6 &&
          VOUCH_EINTERNAL == -7 && VOUCH_EIO == -8);
    vouch_error_clear(&e);
    CHECK(e.code == 0 && e.msg[0] == '\0');
    CHECK(vouch__error(&e, VOUCH_ESYNTAX, "test", 7, "bad %s", "thing") ==
          VOUCH_ESYNTAX);
    CHECK(e.code == VOUCH_ESYNTAX && e.offset == 7);
    CHECK_STR(e.msg, "bad thing");
    CHECK_STR(e.module, "test");
    /* error_code does not overwrite a detailed message */
    CHECK(vouch__error_code(&e, VOUCH_ENOMEM, "x") == VOUCH_ENOMEM);
    CHECK_STR(e.msg, "bad thing");
    CHECK(vouch__error(NULL, VOUCH_EIO, "x", 0, "ignored") == VOUCH_EIO);
}

static void
test_core__parse_uint(void)
{
    static const struct {
        const char *in;
        uint64_t max;
        int rc;
        uint64_t val;
        size_t used;
    } rows[] = {
        { "0", 10, 0, 0, 1 },
        { "42abc", 100, 0, 42, 2 },
        { "255", 255, 0, 255, 3 },
        { "256", 255, VOUCH_ETOOBIG, 0, 3 },
        { "", 10, VOUCH_ESYNTAX, 0, 0 },
        { "-1", 10, VOUCH_ESYNTAX, 0, 0 },
        { " 1", 10, VOUCH_ESYNTAX, 0, 0 },
        { "18446744073709551615", UINT64_MAX, 0, UINT64_MAX, 20 },
        { "18446744073709551616", UINT64_MAX, VOUCH_ETOOBIG, 0, 20 },
        { "99999999999999999999999", 5, VOUCH_ETOOBIG, 0, 23 },
    };

    size_t i;

    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const char *cur = rows[i].in;
        uint64_t v = 0;
        int rc = vouch__parse_uint(&cur, rows[i].in + strlen(rows[i].in),
                                   rows[i].max, &v);

        CHECKF(rc == rows[i].rc, "'%s': rc %d", rows[i].in, rc);
        CHECKF(rc != 0 || v == rows[i].val, "'%s': value", rows[i].in);
        CHECKF((size_t)(cur - rows[i].in) == rows[i].used, "'%s': used %zu",
               rows[i].in, (size_t)(cur - rows[i].in));
    }
}

static void
test_core__strings(void)
{
    char out[16];
    vouch_buf_t b;

    CHECK(vouch__str_ieq("Example.COM", 11, "example.com", 11));
    CHECK(!vouch__str_ieq("example.com", 11, "example.co", 10));
    CHECK(vouch__str_iprefix("V=SPF1 -all", 11, "v=spf1"));
    CHECK(!vouch__str_iprefix("v=sp", 4, "v=spf1"));
    vouch__escape_into(out, sizeof(out), "a\nb\\c", 5);
    CHECK_STR(out, "a\\x0ab\\x5cc");
    vouch__escape_into(out, sizeof(out), "0123456789abcdefghij", 20);
    CHECK(strlen(out) < sizeof(out) && strstr(out, "...") != NULL);
    vouch_buf_init(&b, test_ctx(), 64);
    CHECK(vouch__buf_add_escaped(&b, "\x00\xff", 2) == 0);
    CHECK_STR(b.ptr, "\\x00\\xff");
    vouch_buf_dispose(&b);
}

static void
test_core__ip(void)
{
    static const struct {
        const char *in;
        int family; /* 0: invalid */
        const char *text;
    } rows[] = {
        { "192.0.2.1", 4, "192.0.2.1" },
        { "2001:db8::1", 6, "2001:db8::1" },
        { "::ffff:192.0.2.1", 6, "::ffff:192.0.2.1" },
        { "::", 6, "::" },
        { "192.0.2", 0, NULL },
        { "192.0.2.256", 0, NULL },
        { "01.2.3.4", 0, NULL },
        { "fe80::1%eth0", 0, NULL },
        { "[::1]", 0, NULL },
        { "192.0.2.1/24", 0, NULL },
        { " 192.0.2.1", 0, NULL },
        { "", 0, NULL },
        { "1:2:3:4:5:6:7:8:9", 0, NULL },
        { "0000:0000:0000:0000:0000:0000:0000:0000:0000:00", 0, NULL },
    };

    size_t i;
    vouch_ip_t ip;
    char text[VOUCH_IP_STRLEN];

    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        int rc = vouch_ip_parse(&ip, rows[i].in, strlen(rows[i].in));

        CHECKF((rc == 0) == (rows[i].family != 0), "'%s': rc %d", rows[i].in,
               rc);
        if (rc == 0) {
            CHECK(ip.family == rows[i].family);
            CHECK_STR(vouch_ip_format(&ip, text), rows[i].text);
        }
    }
    /* an embedded NUL is not the end of the address */
    CHECK(vouch_ip_parse(&ip, "1.2.3.4\0x", 9) == VOUCH_ESYNTAX);
    CHECK(vouch_ip_parse(&ip, "::ffff:192.0.2.1", 16) == 0);
    CHECK(vouch_ip_unmap(&ip) == 1 && ip.family == 4);
    CHECK_STR(vouch_ip_format(&ip, text), "192.0.2.1");
    CHECK(vouch_ip_unmap(&ip) == 0);
}

static int64_t
fixed_clock(void *payload)
{
    return *(int64_t *)payload;
}

static void
test_core__ctx_clock_and_log(void)
{
    vouch_ctx_t *ctx;
    int64_t t = 1234567890;

    REQUIRE(vouch_ctx_new(&ctx, NULL) == 0);
    CHECK(vouch_ctx_now(ctx) > 1700000000);
    vouch_ctx_set_clock(ctx, fixed_clock, &t);
    CHECK(vouch_ctx_now(ctx) == 1234567890);
    vouch_ctx_set_clock(ctx, NULL, NULL);
    CHECK(vouch_ctx_now(ctx) > 1700000000);
    vouch_ctx_free(ctx);
    vouch_ctx_free(NULL);
}

static int log_calls;
static char log_last[64];

static void
log_fn(vouch_log_level_t level, const char *module, const char *msg,
       void *payload)
{
    (void)payload;
    (void)level;
    log_calls++;
    snprintf(log_last, sizeof(log_last), "%s: %s", module, msg);
}

static void
test_core__log_levels(void)
{
    vouch_ctx_t *ctx;

    REQUIRE(vouch_ctx_new(&ctx, NULL) == 0);
    vouch__log(ctx, VOUCH_LOG_ERROR, "t", "not delivered: no callback");
    vouch_ctx_set_log(ctx, log_fn, VOUCH_LOG_WARN, NULL);
    vouch__log(ctx, VOUCH_LOG_DEBUG, "t", "filtered");
    CHECK(log_calls == 0);
    vouch__log(ctx, VOUCH_LOG_WARN, "dns", "hello %d", 7);
    CHECK(log_calls == 1);
    CHECK_STR(log_last, "dns: hello 7");
    vouch_ctx_free(ctx);
}

static void
test_core__alloc_funnel(void)
{
    vouch_ctx_t *ctx = test_oom_ctx();
    long live = test_oom_live;
    char *p;

    test_oom_fail_at = 0;
    p = vouch__memdup(ctx, "abc", 3);
    CHECK(p != NULL && strcmp(p, "abc") == 0);
    CHECK(test_oom_live == live + 1);
    vouch__free(ctx, p);
    CHECK(test_oom_live == live);
    /* the single-allocation cap and overflow checks never reach malloc */
    CHECK(vouch__malloc(ctx, VOUCH_ALLOC_MAX + 1) == NULL);
    CHECK(vouch__calloc(ctx, SIZE_MAX / 2, 4) == NULL);
    CHECK(test_oom_live == live);
}

static const test_case_t cases[] = {
    TEST(core__buf_bounded), TEST(core__buf_grows),
    TEST(core__buf_oom),     TEST(core__errors),
    TEST(core__parse_uint),  TEST(core__strings),
    TEST(core__ip),          TEST(core__ctx_clock_and_log),
    TEST(core__log_levels),  TEST(core__alloc_funnel),
};

TEST_MAIN(cases)
