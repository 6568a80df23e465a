/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_tlsrpt.c - TLS-RPT (RFC 8460 §3): the record parser
 * table (version, fields, rua lists, extensions, every error with its
 * offset), the rua URI checks (mailto: and https:, hostile bytes), and
 * the caps.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

#define ESYN VOUCH_ESYNTAX
#define EBIG VOUCH_ETOOBIG

typedef struct rec_case {
    const char *name;
    const char *txt;
    int rc;
    size_t err_offset; /* rc != 0 */
    const char *err_has;
    size_t nrua, next; /* rc == 0 */
} rec_case_t;

static const rec_case_t rec_cases[] = {
    { "mailto", "v=TLSRPTv1; rua=mailto:tlsrpt@example.com", 0, 0, NULL, 1, 0 },
    { "https", "v=TLSRPTv1;rua=https://reports.example.com/v1/tlsrpt", 0, 0,
      NULL, 1, 0 },
    { "two URIs", "v=TLSRPTv1; rua=mailto:a@b.c,https://r.example/x;", 0, 0,
      NULL, 2, 0 },
    { "spaces around comma",
      "v=TLSRPTv1 ; rua=mailto:a@b.c , \thttps://r.example ; ", 0, 0, NULL, 2,
      0 },
    { "extension", "v=TLSRPTv1; x-1=y; rua=mailto:a@b.c; z=:", 0, 0, NULL, 1,
      2 },
    { "mailto with %-escape and hfields",
      "v=TLSRPTv1; rua=mailto:tls%2Brpt@example.com?subject=x%20y", 0, 0, NULL,
      1, 0 },
    { "https port, query, IPv4",
      "v=TLSRPTv1; rua=https://192.0.2.1:8443/r?a=b&c", 0, 0, NULL, 1, 0 },
    { "https IPv6", "v=TLSRPTv1; rua=https://[2001:db8::1]/r", 0, 0, NULL, 1,
      0 },
    { "MAILTO scheme case", "v=TLSRPTv1; rua=MAILTO:a@b.c", 0, 0, NULL, 1, 0 },
    { "empty", "", ESYN, 0, "does not start", 0, 0 },
    { "wrong version", "v=TLSRPTv2; rua=mailto:a@b.c", ESYN, 0,
      "does not start", 0, 0 },
    { "TLSRPTv10", "v=TLSRPTv10; rua=mailto:a@b.c", ESYN, 2,
      "unsupported version", 0, 0 },
    { "rua first", "rua=mailto:a@b.c; v=TLSRPTv1", ESYN, 0, "does not start", 0,
      0 },
    { "no rua", "v=TLSRPTv1;", ESYN, 11, "missing rua", 0, 0 },
    { "only extension", "v=TLSRPTv1; x=1", ESYN, 15, "missing rua", 0, 0 },
    { "rua twice", "v=TLSRPTv1; rua=mailto:a@b.c; rua=mailto:d@e.f", ESYN, 30,
      "rua given twice", 0, 0 },
    { "rua empty", "v=TLSRPTv1; rua=", ESYN, 16, "empty rua URI", 0, 0 },
    { "rua empty between commas", "v=TLSRPTv1; rua=mailto:a@b.c,,", ESYN, 29,
      "empty rua URI", 0, 0 },
    { "http scheme", "v=TLSRPTv1; rua=http://r.example/", ESYN, 16,
      "mailto: or https://", 0, 0 },
    { "no scheme", "v=TLSRPTv1; rua=a@b.c", ESYN, 16, "mailto: or https://", 0,
      0 },
    { "mailto no @", "v=TLSRPTv1; rua=mailto:abc", ESYN, 23, "without '@'", 0,
      0 },
    { "mailto empty local", "v=TLSRPTv1; rua=mailto:@b.c", ESYN, 23,
      "without a local-part", 0, 0 },
    { "mailto bad domain", "v=TLSRPTv1; rua=mailto:a@b..c", ESYN, 27,
      "empty label", 0, 0 },
    { "mailto dot end", "v=TLSRPTv1; rua=mailto:a.@b.c", ESYN, 23,
      "misplaced '.'", 0, 0 },
    { "mailto bad escape", "v=TLSRPTv1; rua=mailto:a%zz@b.c", ESYN, 24,
      "bad %-escape", 0, 0 },
    { "mailto bad char", "v=TLSRPTv1; rua=mailto:a\"b@c.d", ESYN, 24,
      "local-part", 0, 0 },
    { "mailto 8-bit", "v=TLSRPTv1; rua=mailto:\xc3\xa9@b.c", ESYN, 23,
      "local-part", 0, 0 },
    { "https userinfo", "v=TLSRPTv1; rua=https://u:p@r.example/", ESYN, 24,
      "user information", 0, 0 },
    { "https no host", "v=TLSRPTv1; rua=https:///x", ESYN, 24, "without a host",
      0, 0 },
    { "https bad port", "v=TLSRPTv1; rua=https://r.example:0/", ESYN, 33,
      "bad port", 0, 0 },
    { "https port too big", "v=TLSRPTv1; rua=https://r.example:65536/", ESYN,
      33, "bad port", 0, 0 },
    { "https fragment", "v=TLSRPTv1; rua=https://r.example/a#b", ESYN, 35,
      "fragment", 0, 0 },
    { "https bad escape", "v=TLSRPTv1; rua=https://r.example/%4", ESYN, 34,
      "bad %-escape", 0, 0 },
    { "https bad char", "v=TLSRPTv1; rua=https://r.example/a<b", ESYN, 35,
      "not allowed in a URI", 0, 0 },
    { "https bad IPv6", "v=TLSRPTv1; rua=https://[1.2.3.4]/", ESYN, 24, "IPv6",
      0, 0 },
    { "https host underscore", "v=TLSRPTv1; rua=https://r_x.example/", ESYN, 25,
      "host", 0, 0 },
    { "garbage after URI", "v=TLSRPTv1; rua=mailto:a@b.c junk", ESYN, 29,
      "expected ';'", 0, 0 },
    { "double semicolon", "v=TLSRPTv1; rua=mailto:a@b.c;;", ESYN, 29,
      "empty field", 0, 0 },
    { "field without =", "v=TLSRPTv1; rua", ESYN, 12, "without '='", 0, 0 },
    { "bad ext name", "v=TLSRPTv1; rua=mailto:a@b.c; -x=1", ESYN, 30,
      "extension name", 0, 0 },
    { "ext empty value", "v=TLSRPTv1; rua=mailto:a@b.c; x=", ESYN, 32,
      "empty value", 0, 0 },
    { "NUL in URI", "v=TLSRPTv1; rua=mailto:a\0b@c.d", ESYN, 24, "local-part",
      0, 0 },
};

static void
test_tlsrpt__record_table(void)
{
    size_t i;

    for (i = 0; i < sizeof(rec_cases) / sizeof(rec_cases[0]); i++) {
        const rec_case_t *c = &rec_cases[i];
        size_t len = strcmp(c->name, "NUL in URI") == 0 ? 31 : strlen(c->txt);
        vouch_tlsrpt_record_t r;
        vouch_error_t err;
        int rc;

        vouch_error_clear(&err);
        rc = vouch_tlsrpt_record_parse(&r, c->txt, len, &err);
        CHECKF(rc == c->rc, "%s: rc %d (%s)", c->name, rc, err.msg);
        if (rc != 0) {
            CHECKF(err.offset == c->err_offset &&
                       strstr(err.msg, c->err_has) != NULL && r.nrua == 0,
                   "%s: offset %zu (want %zu) \"%s\"", c->name, err.offset,
                   c->err_offset, err.msg);
            continue;
        }
        CHECKF(r.nrua == c->nrua && r.next == c->next, "%s: nrua %zu next %zu",
               c->name, r.nrua, r.next);
    }
}

static void
test_tlsrpt__fields(void)
{
    static const char txt[] = "v=TLSRPTv1; rua=mailto:rpt@Example.COM, "
                              "https://[2001:db8::1]:443/p?q; ext=1";
    vouch_tlsrpt_record_t r;
    vouch_tlsrpt_uri_t u;

    REQUIRE(vouch_tlsrpt_record_parse(&r, txt, sizeof(txt) - 1, NULL) == 0);
    REQUIRE(r.nrua == 2);
    CHECK(r.rua[0].scheme == VOUCH_TLSRPT_MAILTO);
    CHECK(r.rua[0].offset == 16 && r.rua[0].uri.len == 22);
    CHECK(r.rua[0].host.len == 11 &&
          memcmp(r.rua[0].host.ptr, "Example.COM", 11) == 0);
    CHECK(r.rua[1].scheme == VOUCH_TLSRPT_HTTPS);
    CHECK(r.rua[1].host.len == 13 &&
          memcmp(r.rua[1].host.ptr, "[2001:db8::1]", 13) == 0);
    CHECK(r.rua[1].uri.len == 29);
    CHECK(r.next == 1 && r.ext[0].name.len == 3 && r.ext[0].value.len == 1);

    CHECK(vouch_tlsrpt_uri_check(&u, "https://r.example", 17, NULL) == 0);
    CHECK(u.scheme == VOUCH_TLSRPT_HTTPS && u.host.len == 9 && u.offset == 0);
    CHECK(vouch_tlsrpt_uri_check(&u, "mailto:", 7, NULL) == ESYN);
    CHECK(vouch_tlsrpt_uri_check(&u, "", 0, NULL) == ESYN);
    CHECK(vouch_tlsrpt_uri_check(NULL, "x", 1, NULL) == VOUCH_EINVAL);
    CHECK(vouch_tlsrpt_record_parse(NULL, txt, 3, NULL) == VOUCH_EINVAL);
    CHECK(vouch_tlsrpt_record_parse(&r, NULL, 3, NULL) == VOUCH_EINVAL);
}

static void
test_tlsrpt__caps(void)
{
    char txt[8192];
    size_t n, i;
    vouch_tlsrpt_record_t r;
    vouch_tlsrpt_uri_t u;
    vouch_error_t err;
    static char longuri[VOUCH_TLSRPT_URI_MAX + 2];

    n = (size_t)snprintf(txt, sizeof(txt), "v=TLSRPTv1; rua=mailto:a0@b.c");
    for (i = 1; i < VOUCH_TLSRPT_RUA_MAX; i++) {
        n += (size_t)snprintf(txt + n, sizeof(txt) - n, ",mailto:a%zu@b.c", i);
    }
    CHECK(vouch_tlsrpt_record_parse(&r, txt, n, &err) == 0);
    CHECK(r.nrua == VOUCH_TLSRPT_RUA_MAX);
    n += (size_t)snprintf(txt + n, sizeof(txt) - n, ",mailto:x@b.c");
    CHECK(vouch_tlsrpt_record_parse(&r, txt, n, &err) == EBIG);
    CHECK(strstr(err.msg, "rua URIs") != NULL);

    n = (size_t)snprintf(txt, sizeof(txt), "v=TLSRPTv1; rua=mailto:a@b.c");
    for (i = 0; i <= VOUCH_TLSRPT_EXT_MAX; i++) {
        n += (size_t)snprintf(txt + n, sizeof(txt) - n, "; e%zu=1", i);
    }
    CHECK(vouch_tlsrpt_record_parse(&r, txt, n, &err) == EBIG);

    memcpy(longuri, "https://r.example/", 18);
    memset(longuri + 18, 'a', sizeof(longuri) - 19);
    CHECK(vouch_tlsrpt_uri_check(&u, longuri, VOUCH_TLSRPT_URI_MAX, &err) == 0);
    CHECK(vouch_tlsrpt_uri_check(&u, longuri, VOUCH_TLSRPT_URI_MAX + 1, &err) ==
          EBIG);
}

static void
test_tlsrpt__find(void)
{
    static const char zone[] =
        "_smtp._tls.one.test. TXT \"v=TLSRPTv1; rua=mailto:r@one.test\"\n"
        "_smtp._tls.one.test. TXT \"v=spf1 -all\"\n"
        "_smtp._tls.one.test. TXT \"v=TLSRPTv10; rua=mailto:r@one.test\"\n"
        "_smtp._tls.two.test. TXT \"v=TLSRPTv1; rua=mailto:a@two.test\"\n"
        "_smtp._tls.two.test. TXT \"v=TLSRPTv1;rua=mailto:b@two.test\"\n"
        "_smtp._tls.bad.test. TXT \"v=TLSRPTv1; rua=http://bad.test/\"\n"
        "_smtp._tls.split.test. TXT \"v=TLSRPTv1; rua=mailto:\" "
        "\"r@split.test\"\n"
        "$FAULT _smtp._tls.fail.test. TXT SERVFAIL\n";

    static const struct {
        const char *name;
        int rc;
        size_t n;
    } t[] = {
        { "_smtp._tls.one.test", 0, 1 },
        { "_smtp._tls.two.test", VOUCH_ENOTFOUND, 2 },
        { "_smtp._tls.bad.test", ESYN, 1 },
        { "_smtp._tls.split.test", 0, 1 },
        { "_smtp._tls.none.test", VOUCH_ENOTFOUND, 0 },
        { "_smtp._tls.fail.test", VOUCH_ENOTFOUND, 0 },
    };

    vouch_ctx_t *ctx = test_ctx();
    vouch_zone_t *z = NULL;
    vouch_resolver_t *r = NULL;
    vouch_error_t err;
    size_t i;

    REQUIRE(vouch_zone_new(&z, ctx) == 0);
    REQUIRE(vouch_zone_load_text(z, zone, sizeof(zone) - 1, NULL, &err) == 0);
    REQUIRE(vouch_resolver_new_zone(&r, ctx, z) == 0);
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        const vouch_dns_answer_t *a = NULL;
        vouch_tlsrpt_record_t rec;
        size_t n = 99;
        int rc;

        REQUIRE(vouch_dns_query(r, NULL, t[i].name, strlen(t[i].name),
                                VOUCH_DNS_TXT, &a, &err) == 0);
        rc = vouch_tlsrpt_record_find(&rec, a, &n, &err);
        CHECKF(rc == t[i].rc && n == t[i].n, "%s: rc %d n %zu (%s)", t[i].name,
               rc, n, err.msg);
        if (rc == 0) {
            CHECK(rec.nrua == 1 && rec.rua[0].host.len > 0);
        }
        vouch_dns_answer_free(a);
    }
    CHECK(vouch_tlsrpt_record_find(NULL, NULL, NULL, NULL) == VOUCH_EINVAL);
    vouch_resolver_free(r);
}

static const test_case_t cases[] = {
    TEST(tlsrpt__record_table),
    TEST(tlsrpt__fields),
    TEST(tlsrpt__caps),
    TEST(tlsrpt__find),
};

TEST_MAIN(cases)
