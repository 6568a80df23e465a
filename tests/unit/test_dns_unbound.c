/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the libunbound resolver that need no DNS server: option
 * errors, and a forwarder on a loopback port where nothing answers (the
 * query must end as a failure within its timeout, never hang). The tests
 * against real servers are in tests/integration/spf_live.py.
 */
#include "harness.h"
#include "dns/dns_internal.h"

static int
make(const char *fwd, const char *ta, const char *conf, unsigned timeout,
     vouch_resolver_t **r, vouch_error_t *err)
{
    vouch_unbound_options_t o = VOUCH_UNBOUND_OPTIONS_INIT;

    o.forwarder = fwd;
    o.trust_anchor_file = ta;
    o.config_file = conf;
    o.timeout_ms = timeout;
    vouch_error_clear(err);
    return vouch_resolver_new_unbound(r, test_ctx(), &o, err);
}

static void
test_dns_unbound__bad_forwarders(void)
{
    static const char *const bad[] = {
        "1.2.3.4@notaport", "[::1]:53",         "1.2.3.4@0",
        "1.2.3.4@65536",    "resolver.example", "",
        "1.2.3.4@",         "1.2.3.4@53@53",    "fe80::1%lo",
    };
    vouch_resolver_t *r;
    vouch_error_t err;
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECKF(make(bad[i], NULL, NULL, 0, &r, &err) == VOUCH_EINVAL,
               "'%s' accepted", bad[i]);
        CHECKF(r == NULL && strstr(err.msg, "resolver") != NULL,
               "'%s': message '%s'", bad[i], err.msg);
    }
    CHECK(make("127.0.0.1@5354", NULL, NULL, 0, &r, &err) == 0);
    vouch_resolver_free(r);
    CHECK(make("::1", NULL, NULL, 0, &r, &err) == 0);
    vouch_resolver_free(r);
}

static void
test_dns_unbound__missing_files(void)
{
    vouch_resolver_t *r;
    vouch_error_t err;

    CHECK(make("127.0.0.1", "/nonexistent/ta.ds", NULL, 0, &r, &err) ==
          VOUCH_EIO);
    CHECK(r == NULL && strstr(err.msg, "/nonexistent/ta.ds") != NULL);
    CHECK(make(NULL, NULL, "/nonexistent/unbound.conf", 0, &r, &err) ==
          VOUCH_EIO);
    CHECK(strstr(err.msg, "/nonexistent/unbound.conf") != NULL);
}

static void
test_dns_unbound__bad_version(void)
{
    vouch_unbound_options_t o = VOUCH_UNBOUND_OPTIONS_INIT;
    vouch_resolver_t *r;
    vouch_error_t err;

    o.version = 7;
    CHECK(vouch_resolver_new_unbound(&r, test_ctx(), &o, &err) == VOUCH_EINVAL);
}

static void
test_dns_unbound__silent_server_times_out(void)
{
    vouch_resolver_t *r;
    vouch_error_t err;
    const vouch_dns_answer_t *a = NULL;
    int64_t t0;

    /* port 9 (discard) on loopback: nothing answers DNS there */
    REQUIRE(make("127.0.0.1@9", NULL, NULL, 600, &r, &err) == 0);
    t0 = vouch_dns_monotonic_ms();
    CHECK(vouch_dns_query(r, NULL, "example.test", 12, VOUCH_DNS_TXT, &a,
                          &err) == 0);
    CHECK(vouch_dns_monotonic_ms() - t0 < 3000);
    REQUIRE(a != NULL);
    CHECKF(a->status == VOUCH_DNS_TIMEOUT || a->status == VOUCH_DNS_SERVFAIL,
           "status %s", vouch_dns_status_name(a->status));
    CHECK(a->n == 0);
    vouch_dns_answer_free(a);
    vouch_resolver_free(r);
}

static const test_case_t cases[] = {
    TEST(dns_unbound__bad_forwarders),
    TEST(dns_unbound__missing_files),
    TEST(dns_unbound__bad_version),
    TEST(dns_unbound__silent_server_times_out),
};

TEST_MAIN(cases)
