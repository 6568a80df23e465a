/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_setup.c - vouch/setup.h: the provider table and MX
 * matching, the records built from option sets (table-driven, with the
 * error for each bad input), dates from the clock, the zone snippet read
 * back by the zone loader, the no-mail set, and an OOM sweep.
 */
#include "harness.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static int64_t
fixed_clock(void *payload)
{
    return *(const int64_t *)payload;
}

static void
test_setup__providers(void)
{
    static const struct {
        const char *host;
        const char *want; /* provider name or NULL */
    } mx[] = {
        { "aspmx.l.google.com", "google" },
        { "ASPMX.L.GOOGLE.COM.", "google" },
        { "google.com", "google" },
        { "alt1.gmail-smtp-in.l.google.com", "google" },
        { "notgoogle.com", NULL },
        { "google.com.evil.example", NULL },
        { "example-com.mail.protection.outlook.com", "microsoft365" },
        { "mx.zoho.eu", "zoho-eu" },
        { "in1-smtp.messagingengine.com", "fastmail" },
        { "mail.protonmail.ch", "protonmail" },
        { "mx1.example.com", NULL },
        { "", NULL },
        { ".", NULL },
    };

    static const char *const need[] = {
        "google",  "microsoft365", "mailchimp", "sendgrid", "amazonses",
        "mailgun", "postmark",     "zoho",      "fastmail"
    };
    const vouch_setup_provider_t *p, *all;
    size_t i, n;

    all = vouch_setup_providers(&n);
    REQUIRE(all != NULL && n >= LEN(need));
    for (i = 0; i < LEN(need); i++) {
        p = vouch_setup_provider_find(need[i], strlen(need[i]));
        CHECKF(p != NULL && strcmp(p->name, need[i]) == 0, "%s", need[i]);
    }
    for (i = 0; i < n; i++) {
        CHECKF(all[i].spf_lookups >= 1 && all[i].spf_lookups <= 10 &&
                   all[i].spf_include[0] != '\0' && all[i].dkim_howto[0],
               "%s", all[i].name);
    }
    CHECK(vouch_setup_provider_find("GOOGLE", 6) == &all[0]);
    CHECK(vouch_setup_provider_find("googl", 5) == NULL);
    CHECK(vouch_setup_provider_find("google\0x", 8) == NULL);
    CHECK(vouch_setup_provider_find(NULL, 0) == NULL);
    for (i = 0; i < LEN(mx); i++) {
        p = vouch_setup_provider_for_mx(mx[i].host, strlen(mx[i].host));
        CHECKF(mx[i].want == NULL
                   ? p == NULL
                   : p != NULL && strcmp(p->name, mx[i].want) == 0,
               "%s -> %s", mx[i].host, p != NULL ? p->name : "NULL");
    }
}

/* The SPF value of a result, or "". */
static const char *
spf_of(const vouch_setup_result_t *r)
{
    size_t i;

    for (i = 0; i < r->nrecords; i++) {
        if (r->record[i].kind == VOUCH_SETUP_SPF) {
            return r->record[i].value;
        }
    }
    return "";
}

static void
test_setup__table(void)
{
    static const char *const own[] = { "mx1.example.com", "mx2.example.com" };
    static const char *const gmx[] = { "aspmx.l.google.com" };
    static const char *const eleven[] = { "a.example", "b.example", "c.example",
                                          "d.example", "e.example", "f.example",
                                          "g.example", "h.example", "i.example",
                                          "j.example", "k.example" };
    static const char *const badmx[] = { "bad_host.example" };
    static const char *const ips[] = { "192.0.2.1", "2001:db8::/32",
                                       "::ffff:198.51.100.9", "10.0.0.0/8" };
    static const char *const badip[] = { "192.0.2.256" };
    static const char *const badpfx[] = { "192.0.2.0/33" };
    static const char *const badpfx6[] = { "2001:db8::/129" };
    static const char *const junkpfx[] = { "192.0.2.0/2x" };
    static const char *const s_g[] = { "google", "sendgrid" };
    static const char *const s_many[] = { "google", "microsoft365", "mailgun",
                                          "sendgrid" };
    static const char *const s_bad[] = { "nosuch" };
    static const char *const s_dup[] = { "google", "Google" };

    static const struct {
        const char *name;
        const char *domain;
        const char *const *mx;
        size_t nmx;
        const char *const *senders;
        size_t nsenders;
        const char *const *ips;
        size_t nips;
        bool no_mail;
        const char *rua, *tlsrua;
        int rc;
        const char *spf;
        unsigned lookups;
    } t[] = {
        { "own mx", "example.com", own, 2, NULL, 0, NULL, 0, false, NULL, NULL,
          0, "v=spf1 mx ~all", 1 },
        { "ips", "example.com", own, 1, NULL, 0, ips, 4, false, NULL, NULL, 0,
          "v=spf1 mx ip4:192.0.2.1 ip6:2001:db8::/32 ip4:198.51.100.9 "
          "ip4:10.0.0.0/8 ~all",
          1 },
        { "google mx", "example.com", gmx, 1, NULL, 0, NULL, 0, false, NULL,
          NULL, 0, "v=spf1 include:_spf.google.com ~all", 4 },
        { "senders", "example.com", own, 1, s_g, 2, NULL, 0, false, NULL, NULL,
          0, "v=spf1 mx include:_spf.google.com include:sendgrid.net ~all", 7 },
        { "duplicate sender", "example.com", gmx, 1, s_dup, 2, NULL, 0, false,
          NULL, NULL, 0, "v=spf1 include:_spf.google.com ~all", 4 },
        { "over the limit", "example.com", own, 1, s_many, 4, NULL, 0, false,
          NULL, NULL, VOUCH_ETOOBIG, NULL, 0 },
        { "11 MX with mx", "example.com", eleven, 11, NULL, 0, NULL, 0, false,
          NULL, NULL, VOUCH_ETOOBIG, NULL, 0 },
        { "10 MX with mx", "example.com", eleven, 10, NULL, 0, NULL, 0, false,
          NULL, NULL, 0, "v=spf1 mx ~all", 1 },
        { "unknown sender", "example.com", own, 1, s_bad, 1, NULL, 0, false,
          NULL, NULL, VOUCH_EINVAL, NULL, 0 },
        { "no mx", "example.com", NULL, 0, NULL, 0, NULL, 0, false, NULL, NULL,
          VOUCH_EINVAL, NULL, 0 },
        { "no-mail with mx", "example.com", own, 1, NULL, 0, NULL, 0, true,
          NULL, NULL, VOUCH_EINVAL, NULL, 0 },
        { "no-mail with ips", "example.com", NULL, 0, NULL, 0, ips, 1, true,
          NULL, NULL, VOUCH_EINVAL, NULL, 0 },
        { "no-mail", "example.com", NULL, 0, NULL, 0, NULL, 0, true, NULL, NULL,
          0, "v=spf1 -all", 0 },
        { "bad mx", "example.com", badmx, 1, NULL, 0, NULL, 0, false, NULL,
          NULL, VOUCH_ESYNTAX, NULL, 0 },
        { "bad ip", "example.com", own, 1, NULL, 0, badip, 1, false, NULL, NULL,
          VOUCH_ESYNTAX, NULL, 0 },
        { "bad prefix", "example.com", own, 1, NULL, 0, badpfx, 1, false, NULL,
          NULL, VOUCH_ESYNTAX, NULL, 0 },
        { "bad v6 prefix", "example.com", own, 1, NULL, 0, badpfx6, 1, false,
          NULL, NULL, VOUCH_ESYNTAX, NULL, 0 },
        { "junk prefix", "example.com", own, 1, NULL, 0, junkpfx, 1, false,
          NULL, NULL, VOUCH_ESYNTAX, NULL, 0 },
        { "ip literal domain", "192.0.2.1", own, 1, NULL, 0, NULL, 0, false,
          NULL, NULL, VOUCH_ESYNTAX, NULL, 0 },
        { "empty label", "a..example", own, 1, NULL, 0, NULL, 0, false, NULL,
          NULL, VOUCH_ESYNTAX, NULL, 0 },
        { "rua injection", "example.com", own, 1, NULL, 0, NULL, 0, false,
          "mailto:a@example.com; p=reject", NULL, VOUCH_ESYNTAX, NULL, 0 },
        { "rua quote", "example.com", own, 1, NULL, 0, NULL, 0, false,
          "mailto:a@example.com\"", NULL, VOUCH_ESYNTAX, NULL, 0 },
        { "rua https", "example.com", own, 1, NULL, 0, NULL, 0, false,
          "https://r.example.com/", NULL, VOUCH_ESYNTAX, NULL, 0 },
        { "rua list", "example.com", own, 1, NULL, 0, NULL, 0, false,
          "mailto:a@example.com,mailto:b@example.net", NULL, 0,
          "v=spf1 mx ~all", 1 },
        { "rua list with https", "example.com", own, 1, NULL, 0, NULL, 0, false,
          "mailto:a@example.com,https://x.example/", NULL, VOUCH_ESYNTAX, NULL,
          0 },
        { "tls rua ftp", "example.com", own, 1, NULL, 0, NULL, 0, false, NULL,
          "ftp://x.example", VOUCH_ESYNTAX, NULL, 0 },
        { "tls rua https", "example.com", own, 1, NULL, 0, NULL, 0, false, NULL,
          "https://tlsrpt.example.com/r", 0, "v=spf1 mx ~all", 1 },
    };

    vouch_ctx_t *ctx = test_ctx();
    size_t i;

    for (i = 0; i < LEN(t); i++) {
        vouch_setup_options_t o = VOUCH_SETUP_OPTIONS_INIT;
        vouch_setup_result_t *r = NULL;
        vouch_error_t err;
        int rc;

        o.domain = t[i].domain;
        o.mx = t[i].mx;
        o.nmx = t[i].nmx;
        o.senders = t[i].senders;
        o.nsenders = t[i].nsenders;
        o.ips = t[i].ips;
        o.nips = t[i].nips;
        o.no_mail = t[i].no_mail;
        o.dmarc_rua = t[i].rua;
        o.tlsrpt_rua = t[i].tlsrua;
        o.dkim = false;
        vouch_error_clear(&err);
        rc = vouch_setup_build(&r, ctx, &o, &err);
        CHECKF(rc == t[i].rc, "%s: rc %d want %d (%s)", t[i].name, rc, t[i].rc,
               err.msg);
        if (rc != 0) {
            CHECKF(r == NULL && err.msg[0] != '\0', "%s: no message",
                   t[i].name);
            continue;
        }
        REQUIRE(r != NULL);
        CHECKF(t[i].spf != NULL && strcmp(spf_of(r), t[i].spf) == 0,
               "%s: spf \"%s\"", t[i].name, spf_of(r));
        CHECKF(r->spf_lookups == t[i].lookups, "%s: lookups %u", t[i].name,
               r->spf_lookups);
        vouch_setup_result_free(r);
    }
}

static void
test_setup__arguments(void)
{
    static const char *const own[] = { "mx.example.com" };
    vouch_setup_options_t o = VOUCH_SETUP_OPTIONS_INIT;
    vouch_setup_result_t *r = (vouch_setup_result_t *)1;
    vouch_ctx_t *ctx = test_ctx();

    o.domain = "example.com";
    o.mx = own;
    o.nmx = 1;
    o.dkim = false;
    CHECK(vouch_setup_build(NULL, ctx, &o, NULL) == VOUCH_EINVAL);
    CHECK(vouch_setup_build(&r, NULL, &o, NULL) == VOUCH_EINVAL && r == NULL);
    CHECK(vouch_setup_build(&r, ctx, NULL, NULL) == VOUCH_EINVAL);
    o.version = 2;
    CHECK(vouch_setup_build(&r, ctx, &o, NULL) == VOUCH_EINVAL);
    o.version = 1;
    o.nmx = VOUCH_SETUP_MX_MAX + 1;
    CHECK(vouch_setup_build(&r, ctx, &o, NULL) == VOUCH_EINVAL);
    o.nmx = 1;
    o.mx = NULL;
    CHECK(vouch_setup_build(&r, ctx, &o, NULL) == VOUCH_EINVAL);
    o.mx = own;
    o.dkim = true;
    o.alg = VOUCH_DKIM_RSA_SHA1;
    CHECK(vouch_setup_build(&r, ctx, &o, NULL) == VOUCH_EINVAL && r == NULL);
    o.alg = VOUCH_DKIM_ED25519_SHA256;
    o.selector = "bad_selector";
    CHECK(vouch_setup_build(&r, ctx, &o, NULL) == VOUCH_ESYNTAX);
    o.selector = "-a";
    CHECK(vouch_setup_build(&r, ctx, &o, NULL) == VOUCH_ESYNTAX);
    o.selector = "a..b";
    CHECK(vouch_setup_build(&r, ctx, &o, NULL) == VOUCH_ESYNTAX);
    o.selector = "2026.mail";
    CHECK(vouch_setup_build(&r, ctx, &o, NULL) == 0 && r != NULL);
    CHECK(r != NULL && r->dkim && strcmp(r->selector, "2026.mail") == 0);
    vouch_setup_result_free(r);
    vouch_setup_result_free(NULL);
    CHECK(strcmp(vouch_setup_kind_name(VOUCH_SETUP_TLSRPT), "tls-rpt") == 0);
    CHECK(strcmp(vouch_setup_kind_name((vouch_setup_kind_t)99), "unknown") ==
          0);
}

/* Dates from the clock: the MTA-STS id and the default selector. */
static void
test_setup__clock(void)
{
    static const struct {
        int64_t t;
        const char *id, *selector;
    } t[] = {
        { 1795000000, "20261118110640", "vouch202611" },
        { 951782400, "20000229000000", "vouch200002" },
        { 0, "19700101000000", "vouch197001" },
        { 4102444799, "20991231235959", "vouch209912" },
    };

    static const char *const own[] = { "mx.example.com" };
    vouch_ctx_t *ctx = NULL;
    int64_t now;
    size_t i;

    REQUIRE(vouch_ctx_new(&ctx, NULL) == 0);
    vouch_ctx_set_clock(ctx, fixed_clock, &now);
    for (i = 0; i < LEN(t); i++) {
        vouch_setup_options_t o = VOUCH_SETUP_OPTIONS_INIT;
        vouch_setup_result_t *r = NULL;

        now = t[i].t;
        o.domain = "example.com";
        o.mx = own;
        o.nmx = 1;
        o.alg = VOUCH_DKIM_ED25519_SHA256;
        CHECK(vouch_setup_build(&r, ctx, &o, NULL) == 0);
        if (r == NULL) {
            continue;
        }
        CHECK_STR(r->mtasts_id, t[i].id);
        CHECK_STR(r->selector, t[i].selector);
        vouch_setup_result_free(r);
    }
    vouch_ctx_free(ctx);
}

/* The snippet loads in the zone loader and answers every record. */
static void
test_setup__zone_roundtrip(void)
{
    static const char *const own[] = { "mx1.example.com", "mx2.example.com" };
    static const char *const s[] = { "fastmail" };
    vouch_setup_options_t o = VOUCH_SETUP_OPTIONS_INIT;
    vouch_setup_result_t *r = NULL;
    vouch_ctx_t *ctx = test_ctx();
    vouch_resolver_t *res = NULL;
    vouch_zone_t *zone = NULL;
    vouch_buf_t text;
    vouch_error_t err;
    size_t i, ntxt = 0;

    o.domain = "EXAMPLE.com.";
    o.mx = own;
    o.nmx = 2;
    o.senders = s;
    o.nsenders = 1;
    o.bits = 4096; /* a DKIM record split into several strings */
    vouch_error_clear(&err);
    REQUIRE(vouch_setup_build(&r, ctx, &o, &err) == 0);
    CHECK_STR(r->domain, "example.com");
    vouch_buf_init(&text, ctx, 1 << 20);
    REQUIRE(vouch_setup_zone_write(&text, r) == 0);
    REQUIRE(vouch_zone_new(&zone, ctx) == 0);
    CHECKF(vouch_zone_load_text(zone, text.ptr, text.len, "snippet", &err) == 0,
           "%s", err.msg);
    REQUIRE(vouch_resolver_new_zone(&res, ctx, zone) == 0);
    for (i = 0; i < r->nrecords; i++) {
        const vouch_setup_record_t *rec = &r->record[i];
        const vouch_dns_answer_t *a = NULL;
        size_t k;
        bool found = false;

        REQUIRE(vouch_dns_query(res, NULL, rec->name, strlen(rec->name),
                                rec->type, &a, NULL) == 0);
        for (k = 0; k < a->n; k++) {
            if (rec->type == VOUCH_DNS_TXT) {
                found |= a->rr[k].len == strlen(rec->value) &&
                         memcmp(a->rr[k].data, rec->value, a->rr[k].len) == 0;
                ntxt += a->rr[k].nstrings > 1;
            } else {
                found = true;
            }
        }
        CHECKF(found, "%s %s", rec->name, rec->value);
        vouch_dns_answer_free(a);
    }
    CHECK(ntxt >= 1); /* the 4096-bit key took several strings */
    CHECK(r->mtasts_policy.len > 0 &&
          strstr(r->mtasts_policy.ptr, "mode: testing\n") != NULL &&
          strstr(r->mtasts_policy.ptr, "mx: mx2.example.com\n") != NULL);
    CHECK(r->private_key.len > 0 &&
          strncmp(r->private_key.ptr, "-----BEGIN PRIVATE KEY-----", 27) == 0);
    CHECK(r->nsteps >= 6 && r->nsteps <= VOUCH_SETUP_STEPS_MAX);
    vouch_resolver_free(res);
    vouch_buf_dispose(&text);
    vouch_setup_result_free(r);
}

static void
test_setup__no_mail(void)
{
    vouch_setup_options_t o = VOUCH_SETUP_OPTIONS_INIT;
    vouch_setup_result_t *r = NULL;
    vouch_ctx_t *ctx = test_ctx();

    o.domain = "parked.example";
    o.no_mail = true;
    REQUIRE(vouch_setup_build(&r, ctx, &o, NULL) == 0);
    REQUIRE(r->nrecords == 3);
    CHECK(r->record[0].type == VOUCH_DNS_MX);
    CHECK_STR(r->record[0].value, "0 .");
    CHECK_STR(r->record[1].value, "v=spf1 -all");
    CHECK_STR(r->record[2].name, "_dmarc.parked.example.");
    CHECK_STR(r->record[2].value,
              "v=DMARC1; p=reject; sp=reject; adkim=s; aspf=s");
    CHECK(!r->dkim && r->private_key.len == 0 && r->mtasts_policy.len == 0);
    vouch_setup_result_free(r);
}

/* STYLE.md §8: fail allocation N for N = 1.. until the build succeeds. */
static void
test_setup__oom_sweep(void)
{
    static const char *const own[] = { "mx.example.com" };
    static const char *const s[] = { "google" };
    vouch_ctx_t *ctx = test_oom_ctx();
    unsigned long n;
    bool done = false;

    for (n = 1; n < 200 && !done; n++) {
        vouch_setup_options_t o = VOUCH_SETUP_OPTIONS_INIT;
        vouch_setup_result_t *r = NULL;
        vouch_buf_t text;
        long live = test_oom_live;
        int rc;

        o.domain = "example.com";
        o.mx = own;
        o.nmx = 1;
        o.senders = s;
        o.nsenders = 1;
        o.alg = VOUCH_DKIM_ED25519_SHA256;
        test_oom_count = 0;
        test_oom_fail_at = n;
        rc = vouch_setup_build(&r, ctx, &o, NULL);
        if (rc == 0) {
            vouch_buf_init(&text, ctx, 1 << 16);
            rc = vouch_setup_zone_write(&text, r);
            vouch_buf_dispose(&text);
        }
        test_oom_fail_at = 0;
        CHECKF(rc == 0 || rc == VOUCH_ENOMEM || rc == VOUCH_EINTERNAL,
               "n=%lu: rc %d", n, rc);
        done = rc == 0;
        vouch_setup_result_free(r);
        CHECKF(test_oom_live == live, "n=%lu: %ld blocks leaked", n,
               test_oom_live - live);
    }
    CHECK(done);
}

static const test_case_t cases[] = {
    TEST(setup__providers), TEST(setup__table),          TEST(setup__arguments),
    TEST(setup__clock),     TEST(setup__zone_roundtrip), TEST(setup__no_mail),
    TEST(setup__oom_sweep),
};

TEST_MAIN(cases)
