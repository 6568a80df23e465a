/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_http.c - the HTTPS layer's refusals, which happen before
 * any connection (no network here): non-https URLs, hostile URL bytes,
 * oversized URLs and caps, malformed connect-to mappings; the response
 * lifecycle and the names. Real transfers (redirects, caps, certificates,
 * timeouts) are tested against nginx in tests/integration.
 * The SMTP probe likewise: host names refused before any connection, and
 * resolution through a zone resolver failing as a result (not an error);
 * its conversations are tested in tests/integration/check_smtp.py.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void
test_http__refused_urls(void)
{
    static const char *const urls[] = {
        "http://example.com/",
        "ftp://example.com/",
        "file:///etc/passwd",
        "HTTPS:/example.com",
        "example.com",
        "",
        "https://exa mple.com/",
        "https://example.com/\r\nX: y",
        "https://example.com/\x7f",
        "https://example.com/\xc3\xa9",
    };
    vouch_ctx_t *ctx = test_ctx();
    vouch_http_response_t resp;
    vouch_error_t err;
    size_t i;

    vouch_http_response_init(&resp, ctx);
    for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        int rc;

        vouch_error_clear(&err);
        rc = vouch_http_get(&resp, urls[i], NULL, &err);
        CHECKF(rc == VOUCH_EINVAL && resp.failure == VOUCH_HTTP_F_URL &&
                   resp.status == 0 && resp.body.len == 0 && err.msg[0] != '\0',
               "%zu: rc %d", i, rc);
    }
    vouch_http_response_dispose(&resp);
}

static void
test_http__refused_options(void)
{
    vouch_ctx_t *ctx = test_ctx();
    vouch_http_options_t o = VOUCH_HTTP_OPTIONS_INIT;
    vouch_http_response_t resp;
    char *url;

    vouch_http_response_init(&resp, ctx);
    /* a URL one byte over the cap */
    url = malloc(VOUCH_HTTP_URL_MAX + 2);
    REQUIRE(url != NULL);
    memcpy(url, "https://a.b/", 12);
    memset(url + 12, 'x', VOUCH_HTTP_URL_MAX + 1 - 12);
    url[VOUCH_HTTP_URL_MAX + 1] = '\0';
    CHECK(vouch_http_get(&resp, url, NULL, NULL) == VOUCH_EINVAL);
    free(url);

    o.max_body = VOUCH_HTTP_BODY_MAX + 1;
    CHECK(vouch_http_get(&resp, "https://a.b/", &o, NULL) == VOUCH_EINVAL);
    o.max_body = 0;
    o.connect_to = "a:1:b";
    CHECK(vouch_http_get(&resp, "https://a.b/", &o, NULL) == VOUCH_EINVAL);
    o.connect_to = "a:1: b:2";
    CHECK(vouch_http_get(&resp, "https://a.b/", &o, NULL) == VOUCH_EINVAL);
    CHECK(vouch_http_get(NULL, "https://a.b/", &o, NULL) == VOUCH_EINVAL);
    CHECK(vouch_http_get(&resp, NULL, &o, NULL) == VOUCH_EINVAL);
    vouch_http_response_dispose(&resp);
    vouch_http_response_dispose(NULL);
}

/* With a resolver, a host without address fails before any connection. */
static void
test_http__resolver(void)
{
    static const char zone[] = "v6only.test. AAAA ::1\n"
                               "mx.noaddr.test. MX 10 x.test.\n"
                               "$FAULT fail.test. ANY SERVFAIL\n";
    vouch_ctx_t *ctx = test_ctx();
    vouch_http_options_t o = VOUCH_HTTP_OPTIONS_INIT;
    vouch_http_response_t resp;
    vouch_zone_t *z = NULL;
    vouch_resolver_t *r = NULL;
    vouch_error_t err;
    int rc;

    REQUIRE(vouch_zone_new(&z, ctx) == 0);
    REQUIRE(vouch_zone_load_text(z, zone, sizeof(zone) - 1, NULL, &err) == 0);
    REQUIRE(vouch_resolver_new_zone(&r, ctx, z) == 0);
    o.resolver = r;
    vouch_http_response_init(&resp, ctx);
    rc = vouch_http_get(&resp, "https://nothing.test/x", &o, &err);
    CHECK(rc == VOUCH_ETEMP && resp.failure == VOUCH_HTTP_F_RESOLVE);
    CHECKF(strstr(err.msg, "has no address (A NXDOMAIN, AAAA NXDOMAIN)") !=
               NULL,
           "%s", err.msg);
    rc = vouch_http_get(&resp, "https://mx.noaddr.test/", &o, &err);
    CHECK(rc == VOUCH_ETEMP && strstr(err.msg, "A NODATA") != NULL);
    rc = vouch_http_get(&resp, "https://fail.test/", &o, &err);
    CHECK(rc == VOUCH_ETEMP && resp.failure == VOUCH_HTTP_F_RESOLVE);
    CHECKF(strstr(err.msg, "could not be resolved (A SERVFAIL") != NULL, "%s",
           err.msg);
    rc = vouch_http_get(&resp, "https://bad_name!.test/", &o, &err);
    CHECK(rc == VOUCH_EINVAL || rc == VOUCH_ETEMP);
    vouch_http_response_dispose(&resp);
    vouch_resolver_free(r);
}

static void
test_http__names(void)
{
    CHECK(strcmp(vouch_http_failure_name(VOUCH_HTTP_OK), "ok") == 0);
    CHECK(strcmp(vouch_http_failure_name(VOUCH_HTTP_F_CERT), "certificate") ==
          0);
    CHECK(strcmp(vouch_http_failure_name(VOUCH_HTTP_F_URL), "url") == 0);
    CHECK(strcmp(vouch_http_failure_name((vouch_http_failure_t)42),
                 "unknown") == 0);
    CHECK(vouch_http_global_init() == 0);
    CHECK(vouch_http_global_init() == 0);
}

static void
test_http__smtp_refused(void)
{
    static const char *const hosts[] = {
        "",
        ".",
        "a..b",
        ".a.b",
        "a.b..",
        "exa mple.com",
        "a/b",
        "mx.test:25",
        "user@mx.test",
        "mx.test/path",
        "mx.test\r\nQUIT",
        "bad_name!.test",
        "[::1]",
        "m\xc3\xa9.test",
        "a%20b.test", /* libcurl URL-decodes an smtp:// path */
        "a?b.test",
        "a#b.test",
        /* a label of 64 bytes */
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.t",
    };
    vouch_http_options_t o = VOUCH_HTTP_OPTIONS_INIT;
    vouch_http_smtp_result_t r;
    vouch_error_t err;
    char longname[VOUCH_DNS_NAME_MAX + 2];
    size_t i;
    int rc;

    for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        vouch_error_clear(&err);
        memset(&r, 0x5a, sizeof(r));
        rc = vouch_http_smtp_probe(&r, NULL, hosts[i], NULL, &err);
        CHECKF(rc == VOUCH_EINVAL && r.failure == VOUCH_HTTP_F_URL &&
                   !r.starttls && !r.have_cert && r.nnames == 0 &&
                   err.msg[0] != '\0',
               "%zu: rc %d", i, rc);
        /* the same names refused as the EHLO name (it becomes the URL's
         * path: no '/', '@', CR LF or space may reach it) */
        CHECKF(!vouch_http_ehlo_ok(hosts[i]), "%zu: EHLO ok", i);
        o.ehlo = hosts[i];
        rc = vouch_http_smtp_probe(&r, NULL, "mx.test", &o, NULL);
        CHECKF(rc == VOUCH_EINVAL && r.failure == VOUCH_HTTP_F_URL,
               "%zu: EHLO rc %d", i, rc);
        o.ehlo = NULL;
    }
    CHECK(vouch_http_ehlo_ok("mx1.example.org"));
    CHECK(vouch_http_ehlo_ok("mx1.example.org."));
    CHECK(vouch_http_ehlo_ok("localhost"));
    CHECK(!vouch_http_ehlo_ok(NULL));
    /* 254 bytes: one over the name cap (labels of 50 and dots) */
    for (i = 0; i < sizeof(longname) - 1; i++) {
        longname[i] = i % 51 == 50 ? '.' : 'a';
    }
    longname[sizeof(longname) - 1] = '\0';
    CHECK(vouch_http_smtp_probe(&r, NULL, longname, NULL, NULL) ==
          VOUCH_EINVAL);
    CHECK(!vouch_http_ehlo_ok(longname));
    o.connect_to = "mx.test:25:127.0.0.1";
    CHECK(vouch_http_smtp_probe(&r, NULL, "mx.test", &o, NULL) == VOUCH_EINVAL);
    o.connect_to = "mx.test:25: 127.0.0.1:2525";
    CHECK(vouch_http_smtp_probe(&r, NULL, "mx.test", &o, NULL) == VOUCH_EINVAL);
    CHECK(vouch_http_smtp_probe(NULL, NULL, "mx.test", NULL, NULL) ==
          VOUCH_EINVAL);
    CHECK(vouch_http_smtp_probe(&r, NULL, NULL, NULL, NULL) == VOUCH_EINVAL);
}

/* Through a zone resolver: no address is a probe result (RESOLVE), with
 * the reason, and nothing about TLS. */
static void
test_http__smtp_resolver(void)
{
    static const char zone[] = "$FAULT fail.test. ANY SERVFAIL\n";
    vouch_ctx_t *ctx = test_ctx();
    vouch_http_options_t o = VOUCH_HTTP_OPTIONS_INIT;
    vouch_http_smtp_result_t r;
    vouch_zone_t *z = NULL;
    vouch_resolver_t *res = NULL;
    vouch_error_t err;
    int rc;

    REQUIRE(vouch_zone_new(&z, ctx) == 0);
    REQUIRE(vouch_zone_load_text(z, zone, sizeof(zone) - 1, NULL, &err) == 0);
    REQUIRE(vouch_resolver_new_zone(&res, ctx, z) == 0);
    o.resolver = res;
    /* one final dot is allowed */
    rc = vouch_http_smtp_probe(&r, ctx, "mx.nothing.test.", &o, &err);
    CHECK(rc == 0 && r.failure == VOUCH_HTTP_F_RESOLVE && !r.starttls &&
          !r.tls && !r.cert_valid && !r.have_cert &&
          r.problem == VOUCH_HTTP_CERT_NONE);
    CHECKF(strstr(r.error, "smtp://mx.nothing.test:25") != NULL &&
               strstr(r.error, "has no address") != NULL,
           "%s", r.error);
    rc = vouch_http_smtp_probe(&r, ctx, "fail.test", &o, &err);
    CHECK(rc == 0 && r.failure == VOUCH_HTTP_F_RESOLVE);
    CHECKF(strstr(r.error, "could not be resolved (A SERVFAIL") != NULL, "%s",
           r.error);
    vouch_resolver_free(res);
}

static void
test_http__smtp_names(void)
{
    CHECK(strcmp(vouch_http_failure_name(VOUCH_HTTP_F_NO_STARTTLS),
                 "no-starttls") == 0);
    CHECK(strcmp(vouch_http_cert_problem_name(VOUCH_HTTP_CERT_NONE), "none") ==
          0);
    CHECK(strcmp(vouch_http_cert_problem_name(VOUCH_HTTP_CERT_EXPIRED),
                 "expired") == 0);
    CHECK(strcmp(vouch_http_cert_problem_name(VOUCH_HTTP_CERT_NAME), "name") ==
          0);
    CHECK(strcmp(vouch_http_cert_problem_name(VOUCH_HTTP_CERT_UNTRUSTED),
                 "untrusted") == 0);
    CHECK(strcmp(vouch_http_cert_problem_name(VOUCH_HTTP_CERT_OTHER),
                 "other") == 0);
    CHECK(strcmp(vouch_http_cert_problem_name((vouch_http_cert_problem_t)9),
                 "unknown") == 0);
}

static const test_case_t cases[] = {
    TEST(http__refused_urls), TEST(http__refused_options),
    TEST(http__resolver),     TEST(http__names),
    TEST(http__smtp_refused), TEST(http__smtp_resolver),
    TEST(http__smtp_names),
};

TEST_MAIN(cases)
