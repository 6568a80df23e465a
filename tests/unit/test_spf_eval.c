/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of check_host() (RFC 7208 §4-§6) over the zone backend:
 * verdicts, the decisive term, reasons, lookup counts, limits, DNS
 * failures, explanations, Received-SPF, and an OOM sweep.
 */
#include "harness.h"

static const char zone_text[] =
    "$ORIGIN example.com.\n"
    "$TTL 300\n"
    "@          TXT \"v=spf1 mx a:relay.example.com include:_spf.example.net "
    "-all exp=why.example.com\"\n"
    "@          MX 10 mx1\n"
    "mx1        A 192.0.2.25\n"
    "           AAAA 2001:db8::25\n"
    "relay      A 198.51.100.7\n"
    "why        TXT \"%{i} may not send for %{d} (%{c}, %{r}, %{t})\"\n"
    "$ORIGIN example.net.\n"
    "_spf       TXT \"v=spf1 ip4:203.0.113.0/24 ip6:2001:db8:feed::/48 ~all\"\n"
    /* loops */
    "loop1      TXT \"v=spf1 include:loop2.example.net -all\"\n"
    "loop2      TXT \"v=spf1 include:loop1.example.net -all\"\n"
    "rloop      TXT \"v=spf1 redirect=rloop.example.net\"\n"
    /* 11 DNS-querying terms */
    "many       TXT \"v=spf1 a:a1.example.net a:a2.example.net "
    "a:a3.example.net a:a4.example.net a:a5.example.net a:a6.example.net "
    "a:a7.example.net a:a8.example.net a:a9.example.net a:a10.example.net "
    "a:a11.example.net -all\"\n"
    "a1 A 192.0.2.1\na2 A 192.0.2.1\na3 A 192.0.2.1\na4 A 192.0.2.1\n"
    "a5 A 192.0.2.1\na6 A 192.0.2.1\na7 A 192.0.2.1\na8 A 192.0.2.1\n"
    "a9 A 192.0.2.1\na10 A 192.0.2.1\na11 A 192.0.2.200\n"
    /* void lookups */
    "voids      TXT \"v=spf1 a:nx1.example.net a:nx2.example.net "
    "a:nx3.example.net +all\"\n"
    "twovoids   TXT \"v=spf1 a:nx1.example.net a:nx2.example.net +all\"\n"
    /* mx with 11 names */
    "bigmx      TXT \"v=spf1 mx -all\"\n"
    "bigmx MX 1 m1\nbigmx MX 2 m2\nbigmx MX 3 m3\nbigmx MX 4 m4\n"
    "bigmx MX 5 m5\nbigmx MX 6 m6\nbigmx MX 7 m7\nbigmx MX 8 m8\n"
    "bigmx MX 9 m9\nbigmx MX 10 m10\nbigmx MX 11 m11\n"
    "m3 A 192.0.2.31\nm11 A 192.0.2.1\n"
    /* DNS failures */
    "tempa      TXT \"v=spf1 a:broken.example.net -all\"\n"
    "$FAULT broken.example.net. A SERVFAIL\n"
    "$FAULT timeout.example.net. TXT TIMEOUT\n"
    "incnone    TXT \"v=spf1 include:nothing.example.net -all\"\n"
    "rednone    TXT \"v=spf1 redirect=nothing.example.net\"\n"
    "two        TXT \"v=spf1 -all\"\n"
    "two        TXT \"v=spf1 +all\"\n"
    "bad        TXT \"v=spf1 ip4:192.0.2.1 foo:bar -all\"\n"
    "neutral    TXT \"v=spf1 ip4:192.0.2.1\"\n"
    "redir      TXT \"v=spf1 redirect=_spf.example.net\"\n"
    /* ptr and %{p} */
    "ptrd       TXT \"v=spf1 ptr:example.com -all exp=pexp.example.net\"\n"
    "pexp       TXT \"from %{p}\"\n"
    "25.2.0.192.in-addr.arpa. PTR mx1.example.com.\n"
    "99.2.0.192.in-addr.arpa. PTR liar.example.com.\n"
    "liar.example.com. A 192.0.2.1\n";

typedef struct eval_case {
    const char *name;
    const char *ip;
    const char *mail_from;
    const char *helo;
    vouch_spf_code_t code;
    const char *mechanism;   /* NULL: no decisive term */
    const char *reason_part; /* substring of the reason, or NULL */
    unsigned lookups;
    unsigned voids;
} eval_case_t;

static const eval_case_t eval_cases[] = {
    { "mx pass", "192.0.2.25", "alice@example.com", "mx1.example.com",
      VOUCH_SPF_PASS, "mx", "matched 'mx' in example.com", 1, 0 },
    { "mx pass ipv6", "2001:db8::25", "alice@example.com", "mx1.example.com",
      VOUCH_SPF_PASS, "mx", NULL, 1, 0 },
    { "a pass", "198.51.100.7", "bob@example.com", "relay.example.com",
      VOUCH_SPF_PASS, "a:relay.example.com", NULL, 2, 0 },
    { "include pass", "203.0.113.9", "news@example.com", "out.example.net",
      VOUCH_SPF_PASS, "include:_spf.example.net",
      "matched 'ip4:203.0.113.0/24' in _spf.example.net, via "
      "'include:_spf.example.net' in example.com",
      3, 0 },
    { "ipv4-mapped client", "::ffff:203.0.113.9", "news@example.com",
      "out.example.net", VOUCH_SPF_PASS, "include:_spf.example.net", NULL, 3,
      0 },
    { "fail", "192.0.2.99", "alice@example.com", "x.example.org",
      VOUCH_SPF_FAIL, "-all", "matched '-all' in example.com", 3, 0 },
    { "helo identity", "192.0.2.25", "", "example.com", VOUCH_SPF_PASS, "mx",
      NULL, 1, 0 },
    { "no local-part", "192.0.2.25", "@example.com", "x", VOUCH_SPF_PASS, "mx",
      NULL, 1, 0 },
    { "include loop", "192.0.2.1", "a@loop1.example.net", "x",
      VOUCH_SPF_PERMERROR, NULL,
      "loop: loop1.example.net → loop2.example.net → loop1.example.net", 2, 0 },
    { "redirect loop", "192.0.2.1", "a@rloop.example.net", "x",
      VOUCH_SPF_PERMERROR, NULL, "loop", 1, 0 },
    { "11 terms", "192.0.2.200", "a@many.example.net", "x", VOUCH_SPF_PERMERROR,
      NULL, "limit reached at 'a:a11.example.net'", 11, 0 },
    { "10 terms then all", "192.0.2.99", "a@many.example.net", "x",
      VOUCH_SPF_PERMERROR, NULL, "more than 10", 11, 0 },
    { "third void", "192.0.2.1", "a@voids.example.net", "x",
      VOUCH_SPF_PERMERROR, NULL, "more than 2 void", 3, 3 },
    { "two voids", "192.0.2.1", "a@twovoids.example.net", "x", VOUCH_SPF_PASS,
      "+all", NULL, 2, 2 },
    { "mx over 10 names", "192.0.2.1", "a@bigmx.example.net", "x",
      VOUCH_SPF_PERMERROR, NULL, "more than 10 MX hosts", 1, 0 },
    { "mx match before the 11th", "192.0.2.31", "a@bigmx.example.net", "x",
      VOUCH_SPF_PASS, "mx", NULL, 1, 0 },
    { "servfail in a", "192.0.2.1", "a@tempa.example.net", "x",
      VOUCH_SPF_TEMPERROR, NULL, "SERVFAIL", 1, 0 },
    { "timeout on record", "192.0.2.1", "a@timeout.example.net", "x",
      VOUCH_SPF_TEMPERROR, NULL, "TIMEOUT", 0, 0 },
    { "include of nothing", "192.0.2.1", "a@incnone.example.net", "x",
      VOUCH_SPF_PERMERROR, NULL, "has no SPF record", 1, 0 },
    { "redirect to nothing", "192.0.2.1", "a@rednone.example.net", "x",
      VOUCH_SPF_PERMERROR, NULL, "has no SPF record", 1, 0 },
    { "two records", "192.0.2.1", "a@two.example.net", "x", VOUCH_SPF_PERMERROR,
      NULL, "2 SPF records", 0, 0 },
    { "syntax error after a match", "192.0.2.1", "a@bad.example.net", "x",
      VOUCH_SPF_PERMERROR, NULL, "bad term 'foo:bar' at offset 21", 0, 0 },
    { "no match default", "192.0.2.2", "a@neutral.example.net", "x",
      VOUCH_SPF_NEUTRAL, "default", "default neutral", 0, 0 },
    { "redirect", "203.0.113.1", "a@redir.example.net", "x", VOUCH_SPF_PASS,
      "ip4:203.0.113.0/24", NULL, 1, 0 },
    { "redirect softfail", "192.0.2.1", "a@redir.example.net", "x",
      VOUCH_SPF_SOFTFAIL, "~all", NULL, 1, 0 },
    { "no record", "192.0.2.1", "a@nothing.example.net", "x", VOUCH_SPF_NONE,
      NULL, "NXDOMAIN", 0, 0 },
    { "single label", "192.0.2.1", "a@localhost", "x", VOUCH_SPF_NONE, NULL,
      "not a multi-label domain", 0, 0 },
    { "empty label", "192.0.2.1", "a@foo..example.com", "x", VOUCH_SPF_NONE,
      NULL, "empty label", 0, 0 },
    { "address literal helo", "192.0.2.1", "", "[192.0.2.1]", VOUCH_SPF_NONE,
      NULL, "address literal", 0, 0 },
    { "ptr validated", "192.0.2.25", "a@ptrd.example.net", "x", VOUCH_SPF_PASS,
      "ptr:example.com", NULL, 1, 0 },
    { "ptr not validated", "192.0.2.99", "a@ptrd.example.net", "x",
      VOUCH_SPF_FAIL, "-all", NULL, 1, 0 },
};

static vouch_resolver_t *
make_resolver(const vouch_ctx_t *ctx)
{
    vouch_zone_t *z = NULL;
    vouch_resolver_t *r = NULL;
    vouch_error_t err;

    if (vouch_zone_new(&z, ctx) != 0) {
        return NULL;
    }
    if (vouch_zone_load_text(z, zone_text, sizeof(zone_text) - 1, "test",
                             &err) != 0) {
        fprintf(stderr, "zone: %s\n", err.msg);
        vouch_zone_free(z);
        return NULL;
    }
    if (vouch_resolver_new_zone(&r, ctx, z) != 0) {
        return NULL;
    }
    return r;
}

static vouch_str_t
sv(const char *s)
{
    vouch_str_t v = { s, s != NULL ? strlen(s) : 0 };

    return v;
}

static int
check(vouch_spf_result_t *res, const vouch_ctx_t *ctx, vouch_resolver_t *r,
      const char *ip, const char *from, const char *helo)
{
    vouch_spf_request_t req = VOUCH_SPF_REQUEST_INIT;

    if (vouch_ip_parse(&req.ip, ip, strlen(ip)) != 0) {
        return VOUCH_EINVAL;
    }
    req.mail_from = sv(from);
    req.helo = sv(helo);
    req.receiver = sv("mx.receiver.example");
    return vouch_spf_check(res, ctx, r, &req, NULL);
}

static void
test_spf_eval__table(void)
{
    vouch_resolver_t *r = make_resolver(test_ctx());
    size_t i;

    REQUIRE(r != NULL);
    for (i = 0; i < sizeof(eval_cases) / sizeof(eval_cases[0]); i++) {
        const eval_case_t *c = &eval_cases[i];
        vouch_spf_result_t res;

        vouch_spf_result_init(&res, test_ctx());
        CHECKF(check(&res, test_ctx(), r, c->ip, c->mail_from, c->helo) == 0,
               "%s: call failed", c->name);
        CHECKF(res.code == c->code, "%s: %s, want %s (%s)", c->name,
               vouch_spf_code_name(res.code), vouch_spf_code_name(c->code),
               res.reason.ptr);
        if (c->mechanism != NULL) {
            CHECKF(res.mechanism.len > 0 &&
                       strcmp(res.mechanism.ptr, c->mechanism) == 0,
                   "%s: mechanism '%s', want '%s'", c->name,
                   res.mechanism.ptr ? res.mechanism.ptr : "", c->mechanism);
        } else {
            CHECKF(res.mechanism.len == 0, "%s: mechanism '%s'", c->name,
                   res.mechanism.ptr);
        }
        if (c->reason_part != NULL) {
            CHECKF(res.reason.ptr != NULL &&
                       strstr(res.reason.ptr, c->reason_part) != NULL,
                   "%s: reason '%s' lacks '%s'", c->name,
                   res.reason.ptr ? res.reason.ptr : "", c->reason_part);
        }
        CHECKF(res.lookups == c->lookups && res.void_lookups == c->voids,
               "%s: lookups %u/%u, want %u/%u", c->name, res.lookups,
               res.void_lookups, c->lookups, c->voids);
        CHECKF(res.reason.len > 0, "%s: no reason", c->name);
        vouch_spf_result_dispose(&res);
    }
    vouch_resolver_free(r);
}

static int64_t
fixed_now(void *payload)
{
    (void)payload;
    return 1700000000;
}

static void
test_spf_eval__explanation(void)
{
    vouch_ctx_t *ctx;
    vouch_resolver_t *r;
    vouch_spf_result_t res;

    REQUIRE(vouch_ctx_new(&ctx, NULL) == 0);
    vouch_ctx_set_clock(ctx, fixed_now, NULL);
    r = make_resolver(ctx);
    REQUIRE(r != NULL);
    vouch_spf_result_init(&res, ctx);
    REQUIRE(check(&res, ctx, r, "2001:db8::99", "a@example.com", "h") == 0);
    CHECK(res.code == VOUCH_SPF_FAIL && res.has_explanation);
    CHECK_STR(res.explanation.ptr,
              "2.0.0.1.0.D.B.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.9.9"
              " may not send for example.com (2001:db8::99, "
              "mx.receiver.example, 1700000000)");
    /* %{p}: the validated name, else "unknown" */
    REQUIRE(check(&res, ctx, r, "192.0.2.99", "a@ptrd.example.net", "h") == 0);
    CHECK(res.code == VOUCH_SPF_FAIL);
    CHECK_STR(res.explanation.ptr, "from unknown");
    /* no exp=: the default explanation */
    REQUIRE(check(&res, ctx, r, "192.0.2.1", "a@two.example.net", "h") == 0);
    CHECK(!res.has_explanation);
    REQUIRE(check(&res, ctx, r, "192.0.2.200", "a@tempa.example.net", "h") ==
            0);
    CHECK(res.code == VOUCH_SPF_TEMPERROR && !res.has_explanation);
    vouch_spf_result_dispose(&res);
    vouch_resolver_free(r);
    vouch_ctx_free(ctx);
}

/* The value unfolded; NULL if a line is longer than max_cols */
static char *
rspf_unfold(const vouch_buf_t *hdr, size_t max_cols)
{
    size_t n;

    return test_unfold(hdr->ptr, hdr->len, 14, max_cols, &n);
}

static void
test_spf_eval__received_spf(void)
{
    vouch_resolver_t *r = make_resolver(test_ctx());
    vouch_spf_request_t req = VOUCH_SPF_REQUEST_INIT;
    vouch_spf_result_t res;
    vouch_buf_t hdr;
    char *u, big[600];

    REQUIRE(r != NULL);
    vouch_spf_result_init(&res, test_ctx());
    vouch_buf_init(&hdr, test_ctx(), 8192);
    REQUIRE(vouch_ip_parse(&req.ip, "192.0.2.25", 10) == 0);
    req.mail_from = sv("alice@example.com");
    req.helo = sv("mx1.example.com");
    req.receiver = sv("mx.receiver.example");
    REQUIRE(vouch_spf_check(&res, test_ctx(), r, &req, NULL) == 0);
    REQUIRE(vouch_spf_received_spf(&hdr, &req, &res) == 0);
    /* folded before spaces, within 78 columns with the field name */
    CHECK_STR(
        hdr.ptr,
        "pass (mx.receiver.example: domain of alice@example.com\r\n"
        " designates 192.0.2.25 as permitted sender) client-ip=192.0.2.25;"
        "\r\n envelope-from=\"alice@example.com\"; helo=mx1.example.com;"
        "\r\n receiver=mx.receiver.example; identity=mailfrom;"
        " mechanism=mx");
    u = rspf_unfold(&hdr, 78);
    REQUIRE(u != NULL);
    CHECK_STR(u, "pass (mx.receiver.example: domain of alice@example.com "
                 "designates 192.0.2.25 as permitted sender) "
                 "client-ip=192.0.2.25; envelope-from=\"alice@example.com\"; "
                 "helo=mx1.example.com; receiver=mx.receiver.example; "
                 "identity=mailfrom; mechanism=mx");
    free(u);
    /* hostile HELO and sender: no bare CR/LF, no unbalanced quote or
     * comment; a fold inside a quoted-string unfolds to the same bytes */
    vouch_buf_clear(&hdr);
    req.mail_from = sv("a\")(b\r\nX-Evil: 1@example.com");
    req.helo = sv("x\"\r\n; y=(z  two  spaces  in  a  row  and  more  words  "
                  "to  fold  at");
    REQUIRE(vouch_spf_check(&res, test_ctx(), r, &req, NULL) == 0);
    REQUIRE(vouch_spf_received_spf(&hdr, &req, &res) == 0);
    u = rspf_unfold(&hdr, 78);
    REQUIRE(u != NULL);
    CHECK(strstr(u, "helo=\"x\\\"\\\\x0d\\\\x0a; y=(z  two  spaces  in  a  row"
                    "  and  more  words  to  fold  at\"") != NULL);
    CHECK(strstr(u, "envelope-from=\"a\\\")(b\\\\x0d\\\\x0aX-Evil: "
                    "1@example.com\"") != NULL);
    free(u);
    /* runs of spaces: the fold goes before the run, never inside it, so
     * no line is only spaces or ends in one (RFC 5322 §3.2.2) */
    {
        static const struct {
            size_t a, sp, b;
        } runs[] = { { 1, 200, 1 }, { 100, 3, 80 }, { 60, 5, 60 },
                     { 70, 2, 2 },  { 5, 90, 70 },  { 1, 1, 300 } };

        char h[512];
        size_t k;

        for (k = 0; k < sizeof(runs) / sizeof(*runs); k++) {
            memset(h, 'a', runs[k].a);
            memset(h + runs[k].a, ' ', runs[k].sp);
            memset(h + runs[k].a + runs[k].sp, 'b', runs[k].b);
            req.helo.ptr = h;
            req.helo.len = runs[k].a + runs[k].sp + runs[k].b;
            vouch_buf_clear(&hdr);
            REQUIRE(vouch_spf_received_spf(&hdr, &req, &res) == 0);
            u = rspf_unfold(&hdr, 998);
            CHECKF(u != NULL, "run %zu: %s", k, hdr.ptr);
            CHECKF(u != NULL && strstr(u, "helo=\"") != NULL &&
                       memcmp(strstr(u, "helo=\"") + 6, h, req.helo.len) == 0,
                   "run %zu: value changed", k);
            free(u);
        }
    }
    /* RFC 7208 §9.1: "not excessively long". A 600-byte HELO and sender
     * without a space cannot be folded: their pairs are left out; a
     * 300-byte receiver is cut at 256 columns with "..." in the comment
     * and kept whole in its pair; no line passes 998. */
    vouch_buf_clear(&hdr);
    memset(big, 'h', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    req.helo = sv(big);
    req.mail_from = sv(big);
    big[0] = 'a';
    big[1] = '@';
    req.receiver.ptr = big + 1;
    req.receiver.len = 300;
    REQUIRE(vouch_spf_check(&res, test_ctx(), r, &req, NULL) == 0);
    REQUIRE(vouch_spf_received_spf(&hdr, &req, &res) == 0);
    CHECK(strstr(hdr.ptr, "helo=") == NULL);
    CHECK(strstr(hdr.ptr, "envelope-from=") == NULL);
    CHECK(strstr(hdr.ptr, "(@hhhh") != NULL);
    CHECK(strstr(hdr.ptr, "hhh...:\r\n domain of") != NULL);
    /* the sender's domain is not usable (too long): the comment names the
     * sender given, cut */
    CHECK(strstr(hdr.ptr, " a@hhhh") != NULL);
    CHECK(strstr(hdr.ptr, "receiver=@hhhh") == NULL); /* not an atom */
    CHECK(strstr(hdr.ptr, "receiver=\"@hhhh") != NULL);
    CHECK(strstr(hdr.ptr, "identity=mailfrom") != NULL);
    u = rspf_unfold(&hdr, 998);
    CHECK(u != NULL);
    free(u);
    /* a HELO check that found no usable identity names the HELO name in
     * its comment, not the MAIL FROM address */
    vouch_buf_clear(&hdr);
    req.mail_from = sv("alice@example.com");
    req.helo = sv("localhost");
    req.receiver = sv("mx.receiver.example");
    req.check_helo = true;
    REQUIRE(vouch_spf_check(&res, test_ctx(), r, &req, NULL) == 0);
    REQUIRE(vouch_spf_received_spf(&hdr, &req, &res) == 0);
    CHECKF(res.identity != VOUCH_SPF_HELO || res.sender.len > 0 ||
               strstr(hdr.ptr, "domain of localhost") != NULL,
           "%s", hdr.ptr);
    CHECK(strstr(hdr.ptr, "domain of alice") == NULL);
    u = rspf_unfold(&hdr, 998);
    CHECK(u != NULL);
    free(u);
    vouch_buf_dispose(&hdr);
    vouch_spf_result_dispose(&res);
    vouch_resolver_free(r);
}

static void
test_spf_eval__bad_request(void)
{
    vouch_resolver_t *r = make_resolver(test_ctx());
    vouch_spf_request_t req = VOUCH_SPF_REQUEST_INIT;
    vouch_spf_result_t res;
    vouch_error_t err;

    REQUIRE(r != NULL);
    vouch_spf_result_init(&res, test_ctx());
    CHECK(vouch_spf_check(&res, test_ctx(), r, &req, &err) == VOUCH_EINVAL);
    req.version = 99;
    req.ip.family = 4;
    CHECK(vouch_spf_check(&res, test_ctx(), r, &req, &err) == VOUCH_EINVAL);
    vouch_spf_result_dispose(&res);
    vouch_resolver_free(r);
}

/* STYLE.md §8: fail allocation N for N = 1.. until the call succeeds; each
 * failure must be a clean VOUCH_ENOMEM and leak nothing. */
static void
test_spf_eval__oom_sweep(void)
{
    vouch_ctx_t *ctx = test_oom_ctx();
    unsigned long n;
    int done = 0;

    for (n = 1; n < 10000 && !done; n++) {
        long live = test_oom_live;
        vouch_resolver_t *r;
        vouch_spf_result_t res;
        int rc;

        test_oom_fail_at = 0;
        r = make_resolver(ctx);
        REQUIRE(r != NULL);
        vouch_spf_result_init(&res, ctx);
        test_oom_count = 0;
        test_oom_fail_at = n;
        rc = check(&res, ctx, r, "203.0.113.9", "news@example.com",
                   "out.example.net");
        test_oom_fail_at = 0;
        CHECKF(rc == 0 || rc == VOUCH_ENOMEM, "n=%lu: rc %d", n, rc);
        if (rc == 0) {
            CHECK(res.code == VOUCH_SPF_PASS);
            done = 1;
        }
        vouch_spf_result_dispose(&res);
        vouch_resolver_free(r);
        CHECKF(test_oom_live == live, "n=%lu: %ld blocks leaked", n,
               test_oom_live - live);
    }
    CHECK(done);
}

static const test_case_t cases[] = {
    TEST(spf_eval__table),        TEST(spf_eval__explanation),
    TEST(spf_eval__received_spf), TEST(spf_eval__bad_request),
    TEST(spf_eval__oom_sweep),
};

TEST_MAIN(cases)
