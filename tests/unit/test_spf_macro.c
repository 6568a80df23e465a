/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of SPF macro syntax and expansion (RFC 7208 §7), including
 * every example of §7.4.
 */
#include "harness.h"
#include "spf/spf_internal.h"

static int
ptr_stub(void *payload, vouch_str_t *out)
{
    (void)payload;
    out->ptr = "mx.example.org";
    out->len = 14;
    return 0;
}

static vouch_str_t
sv(const char *s)
{
    vouch_str_t v = { s, strlen(s) };

    return v;
}

/* The §7.4 setting: sender strong-bad@email.example.com, client
 * 192.0.2.3 (or 2001:db8::cb01), PTR name mx.example.org. */
static void
env_74(spf_macro_env_t *env, vouch_ip_t *ip, int family)
{
    memset(env, 0, sizeof(*env));
    if (family == 4) {
        CHECK(vouch_ip_parse(ip, "192.0.2.3", 9) == 0);
    } else {
        CHECK(vouch_ip_parse(ip, "2001:db8::cb01", 14) == 0);
    }
    env->sender = sv("strong-bad@email.example.com");
    env->local = sv("strong-bad");
    env->sender_domain = sv("email.example.com");
    env->domain = sv("email.example.com");
    env->helo = sv("mx.example.org");
    env->ip = ip;
    env->now = 1700000000;
    env->ptr_fn = ptr_stub;
}

typedef struct macro_case {
    const char *in;
    int family;
    spf_macro_where_t where;
    const char *out; /* NULL: expansion fails */
} macro_case_t;

static const macro_case_t macro_cases[] = {
    /* RFC 7208 §7.4 */
    { "%{s}", 4, SPF_MACRO_DOMAIN, "strong-bad@email.example.com" },
    { "%{o}", 4, SPF_MACRO_DOMAIN, "email.example.com" },
    { "%{d}", 4, SPF_MACRO_DOMAIN, "email.example.com" },
    { "%{d4}", 4, SPF_MACRO_DOMAIN, "email.example.com" },
    { "%{d3}", 4, SPF_MACRO_DOMAIN, "email.example.com" },
    { "%{d2}", 4, SPF_MACRO_DOMAIN, "example.com" },
    { "%{d1}", 4, SPF_MACRO_DOMAIN, "com" },
    { "%{dr}", 4, SPF_MACRO_DOMAIN, "com.example.email" },
    { "%{d2r}", 4, SPF_MACRO_DOMAIN, "example.email" },
    { "%{l}", 4, SPF_MACRO_DOMAIN, "strong-bad" },
    { "%{l-}", 4, SPF_MACRO_DOMAIN, "strong.bad" },
    { "%{lr}", 4, SPF_MACRO_DOMAIN, "strong-bad" },
    { "%{lr-}", 4, SPF_MACRO_DOMAIN, "bad.strong" },
    { "%{l1r-}", 4, SPF_MACRO_DOMAIN, "strong" },
    { "%{ir}.%{v}._spf.%{d2}", 4, SPF_MACRO_DOMAIN,
      "3.2.0.192.in-addr._spf.example.com" },
    { "%{lr-}.lp._spf.%{d2}", 4, SPF_MACRO_DOMAIN,
      "bad.strong.lp._spf.example.com" },
    { "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", 4, SPF_MACRO_DOMAIN,
      "bad.strong.lp.3.2.0.192.in-addr._spf.example.com" },
    { "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", 4, SPF_MACRO_DOMAIN,
      "3.2.0.192.in-addr.strong.lp._spf.example.com" },
    { "%{d2}.trusted-domains.example.net", 4, SPF_MACRO_DOMAIN,
      "example.com.trusted-domains.example.net" },
    /* §7.4 writes the nibbles in lower case; their case is not specified
     * and we follow the openspf suite (upper case) */
    { "%{ir}.%{v}._spf.%{d2}", 6, SPF_MACRO_DOMAIN,
      "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6."
      "_spf.example.com" },
    /* more letters and transformers */
    { "%{i}", 4, SPF_MACRO_DOMAIN, "192.0.2.3" },
    { "%{h}", 4, SPF_MACRO_DOMAIN, "mx.example.org" },
    { "%{p}", 4, SPF_MACRO_DOMAIN, "mx.example.org" },
    { "%{v}", 6, SPF_MACRO_DOMAIN, "ip6" },
    { "%{d99}", 4, SPF_MACRO_DOMAIN, "email.example.com" },
    { "%{d99999999999999999999}", 4, SPF_MACRO_DOMAIN, "email.example.com" },
    { "%{S}", 4, SPF_MACRO_DOMAIN, "strong-bad%40email.example.com" },
    { "%{l2r-.}", 4, SPF_MACRO_DOMAIN, "bad.strong" },
    { "%%%_%-", 4, SPF_MACRO_DOMAIN, "% %20" },
    { "%{c}", 6, SPF_MACRO_EXPLAIN, "2001:db8::cb01" },
    { "%{c}", 4, SPF_MACRO_EXPLAIN, "192.0.2.3" },
    { "%{r}", 4, SPF_MACRO_EXPLAIN, "unknown" },
    { "%{t}", 4, SPF_MACRO_EXPLAIN, "1700000000" },
    { "%{C} said hi", 6, SPF_MACRO_EXPLAIN, "2001%3Adb8%3A%3Acb01 said hi" },
};

static void
test_spf_macro__expand_table(void)
{
    size_t i;

    for (i = 0; i < sizeof(macro_cases) / sizeof(macro_cases[0]); i++) {
        const macro_case_t *c = &macro_cases[i];
        spf_macro_env_t env;
        vouch_ip_t ip;
        vouch_buf_t out;
        size_t bad;
        int rc;

        env_74(&env, &ip, c->family);
        vouch_buf_init(&out, test_ctx(), 4096);
        CHECKF(vouch__spf_macro_check(c->in, strlen(c->in), c->where, &bad) ==
                   0,
               "%s: syntax rejected at %zu", c->in, bad);
        rc =
            vouch__spf_macro_expand(&out, c->in, strlen(c->in), c->where, &env);
        CHECKF(rc == 0, "%s: rc %d", c->in, rc);
        if (rc == 0) {
            CHECKF(strcmp(out.ptr, c->out) == 0, "%s: got \"%s\", want \"%s\"",
                   c->in, out.ptr, c->out);
        }
        vouch_buf_dispose(&out);
    }
}

static void
test_spf_macro__syntax(void)
{
    static const struct {
        const char *in;
        spf_macro_where_t where;
        int ok;
    } rows[] = {
        { "%{d}", SPF_MACRO_DOMAIN, 1 },
        { "%{c}", SPF_MACRO_DOMAIN, 0 },
        { "%{r}", SPF_MACRO_DOMAIN, 0 },
        { "%{t}", SPF_MACRO_DOMAIN, 0 },
        { "%{c}", SPF_MACRO_EXPLAIN, 1 },
        { "%{c}", SPF_MACRO_MODIFIER, 1 },
        { "%{x}", SPF_MACRO_EXPLAIN, 0 },
        { "%{d0}", SPF_MACRO_DOMAIN, 0 },
        { "%{d1r}", SPF_MACRO_DOMAIN, 1 },
        { "%{dr1}", SPF_MACRO_DOMAIN, 0 },
        { "%{d.-+,/_=}", SPF_MACRO_DOMAIN, 1 },
        { "%{d:}", SPF_MACRO_DOMAIN, 0 },
        { "%{d", SPF_MACRO_DOMAIN, 0 },
        { "%", SPF_MACRO_DOMAIN, 0 },
        { "%x", SPF_MACRO_DOMAIN, 0 },
        { "a b", SPF_MACRO_DOMAIN, 0 },
        { "a b", SPF_MACRO_EXPLAIN, 1 },
        { "a\tb", SPF_MACRO_EXPLAIN, 0 },
        { "\x80", SPF_MACRO_EXPLAIN, 0 },
    };

    size_t i, bad;

    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        int rc = vouch__spf_macro_check(rows[i].in, strlen(rows[i].in),
                                        rows[i].where, &bad);

        CHECKF((rc == 0) == rows[i].ok, "'%s' where=%d: rc %d", rows[i].in,
               (int)rows[i].where, rc);
    }
}

static void
test_spf_macro__domain_end(void)
{
    static const struct {
        const char *in;
        int ok;
    } rows[] = {
        { "example.com", 1 }, { "example.com.", 1 }, { "%{d}", 1 },
        { "foo.%{d}", 1 },    { "%{d}.com", 1 },     { "museum", 0 },
        { "abc.123", 0 },     { "example.-com", 0 }, { "a.b-c", 1 },
        { "a.1-2", 1 },       { "a.com:8080", 0 },   { "%{d}.", 0 },
        { ".com", 1 },        { "a.xn--zckzah", 1 }, { "a.com-", 0 },
    };

    size_t i;

    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        CHECKF(vouch__spf_domain_end_ok(rows[i].in, strlen(rows[i].in)) ==
                   (bool)rows[i].ok,
               "'%s'", rows[i].in);
    }
}

static void
test_spf_macro__bounded(void)
{
    spf_macro_env_t env;
    vouch_ip_t ip;
    vouch_buf_t out;

    env_74(&env, &ip, 4);
    /* the output buffer's maximum is an error, never a cut */
    vouch_buf_init(&out, test_ctx(), 10);
    CHECK(vouch__spf_macro_expand(&out, "%{s}", 4, SPF_MACRO_DOMAIN, &env) ==
          VOUCH_ETOOBIG);
    vouch_buf_dispose(&out);
}

static const test_case_t cases[] = {
    TEST(spf_macro__expand_table),
    TEST(spf_macro__syntax),
    TEST(spf_macro__domain_end),
    TEST(spf_macro__bounded),
};

TEST_MAIN(cases)
