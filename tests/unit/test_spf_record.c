/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the SPF record parser (RFC 7208 §4.5, §4.6.1, §12).
 */
#include "harness.h"

typedef struct record_case {
    const char *name;
    const char *record;
    int rc;            /* 0 or VOUCH_ESYNTAX */
    size_t bad_offset; /* when rc != 0 */
} record_case_t;

static const record_case_t record_cases[] = {
    { "bare version", "v=spf1", 0, 0 },
    { "trailing spaces", "v=spf1 a -all  ", 0, 0 },
    { "all qualifiers", "v=spf1 +a -mx ~ptr ?all", 0, 0 },
    { "ip4 with cidr", "v=spf1 ip4:192.0.2.0/24 -all", 0, 0 },
    { "ip6 with cidr", "v=spf1 ip6:2001:db8::/32 -all", 0, 0 },
    { "ip6 v4 tail", "v=spf1 ip6:::ffff:1.2.3.4 -all", 0, 0 },
    { "a dual cidr", "v=spf1 a/24//64 -all", 0, 0 },
    { "a only v6 cidr", "v=spf1 a//64 -all", 0, 0 },
    { "mx domain dual cidr", "v=spf1 mx:example.com/24//64", 0, 0 },
    { "macro domain", "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all", 0, 0 },
    { "macro slash delimiter", "v=spf1 a:%{l/}.example.com/24", 0, 0 },
    { "unknown modifier", "v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4", 0,
      0 },
    { "redirect", "v=spf1 redirect=_spf.example.com", 0, 0 },
    { "exp and redirect", "v=spf1 exp=e.example.com redirect=r.example.com", 0,
      0 },
    { "case-insensitive names", "V=SPF1 IP4:1.2.3.4 MX A:Example.COM -ALL", 0,
      0 },
    { "toplabel with dash", "v=spf1 a:foo.example.xn--zckzah -all", 0, 0 },
    { "trailing dot domain", "v=spf1 a:example.com. -all", 0, 0 },
    { "colon in domain", "v=spf1 a:foo:bar/baz.example.com", 0, 0 },
    { "macro literals", "v=spf1 a:macro%%percent%_%_space%-url.example.com", 0,
      0 },
    { "unknown mechanism", "v=spf1 foo -all", VOUCH_ESYNTAX, 7 },
    { "all with argument", "v=spf1 -all:foobar", VOUCH_ESYNTAX, 7 },
    { "all with cidr", "v=spf1 -all/8", VOUCH_ESYNTAX, 7 },
    { "all with dot", "v=spf1 -all.", VOUCH_ESYNTAX, 7 },
    { "ip4 missing octet", "v=spf1 ip4:1.2.3 -all", VOUCH_ESYNTAX, 7 },
    { "ip4 cidr 33", "v=spf1 ip4:1.2.3.4/33", VOUCH_ESYNTAX, 7 },
    { "ip4 cidr leading zero", "v=spf1 ip4:1.2.3.4/032", VOUCH_ESYNTAX, 7 },
    { "ip4 given ip6", "v=spf1 ip4:::1", VOUCH_ESYNTAX, 7 },
    { "ip6 cidr 129", "v=spf1 ip6:::1/129", VOUCH_ESYNTAX, 7 },
    { "ip6 zone id", "v=spf1 ip6:fe80::1%eth0", VOUCH_ESYNTAX, 7 },
    { "a cidr 33", "v=spf1 a/33 -all", VOUCH_ESYNTAX, 7 },
    { "a v6 cidr 129", "v=spf1 a//129 -all", VOUCH_ESYNTAX, 7 },
    { "a numeric toplabel", "v=spf1 a:abc.123", VOUCH_ESYNTAX, 7 },
    { "a single label", "v=spf1 a:museum", VOUCH_ESYNTAX, 7 },
    { "a empty domain", "v=spf1 a:", VOUCH_ESYNTAX, 7 },
    { "a port", "v=spf1 a:example.com:8080", VOUCH_ESYNTAX, 7 },
    { "a dash toplabel", "v=spf1 a:example.-com", VOUCH_ESYNTAX, 7 },
    { "include without domain", "v=spf1 include -all", VOUCH_ESYNTAX, 7 },
    { "exists empty", "v=spf1 exists: -all", VOUCH_ESYNTAX, 7 },
    { "bad macro letter", "v=spf1 a:%{x}.example.com", VOUCH_ESYNTAX, 7 },
    { "macro digit zero", "v=spf1 a:%{d0}.example.com", VOUCH_ESYNTAX, 7 },
    { "macro unterminated", "v=spf1 a:%{d.example.com", VOUCH_ESYNTAX, 7 },
    { "macro parens", "v=spf1 -exists:%(ir).sbl.example.com", VOUCH_ESYNTAX,
      7 },
    { "lone percent", "v=spf1 exists:foo%.sbl.example.com", VOUCH_ESYNTAX, 7 },
    { "c macro in domain", "v=spf1 a:%{c}.example.com", VOUCH_ESYNTAX, 7 },
    { "two redirects", "v=spf1 redirect=a.example.com redirect=b.example.com",
      VOUCH_ESYNTAX, 30 },
    { "two exps", "v=spf1 exp=a.example.com exp=b.example.com -all",
      VOUCH_ESYNTAX, 25 },
    { "empty modifier name", "v=spf1 =foo", VOUCH_ESYNTAX, 7 },
    { "qualified modifier", "v=spf1 -redirect=a.example.com", VOUCH_ESYNTAX,
      7 },
    { "control char", "v=spf1 ip4:1.2.3.4\n -all", VOUCH_ESYNTAX, 7 },
    { "non ascii", "v=spf1 a:caf\xc3\xa9.example.com", VOUCH_ESYNTAX, 7 },
    { "second term bad", "v=spf1 -all foo:bar", VOUCH_ESYNTAX, 12 },
    { "not spf", "v=spf10", VOUCH_ESYNTAX, 0 },
};

static void
test_spf_record__syntax_table(void)
{
    size_t i;

    for (i = 0; i < sizeof(record_cases) / sizeof(record_cases[0]); i++) {
        const record_case_t *c = &record_cases[i];
        vouch_error_t err;
        int rc;

        vouch_error_clear(&err);
        rc = vouch_spf_check_record(c->record, strlen(c->record), &err);
        CHECKF(rc == c->rc, "%s: rc %d, want %d (%s)", c->name, rc, c->rc,
               err.msg);
        if (c->rc != 0 && rc == c->rc) {
            CHECKF(err.offset == c->bad_offset, "%s: offset %zu, want %zu",
                   c->name, err.offset, c->bad_offset);
            CHECKF(err.msg[0] != '\0', "%s: no message", c->name);
        }
    }
}

static void
test_spf_record__is_record(void)
{
    CHECK(vouch_spf_is_record("v=spf1", 6));
    CHECK(vouch_spf_is_record("v=spf1 -all", 11));
    CHECK(vouch_spf_is_record("V=SpF1 -all", 11));
    CHECK(!vouch_spf_is_record("v=spf10", 7));
    CHECK(!vouch_spf_is_record("v=spf1-all", 10));
    CHECK(!vouch_spf_is_record("spf2.0/pra", 10));
    CHECK(!vouch_spf_is_record("v=spf", 5));
    CHECK(!vouch_spf_is_record("", 0));
}

static void
test_spf_record__terms(void)
{
    static const char rec[] =
        "v=spf1 ip4:192.0.2.0/24 -a:mail.example.com//64 ~mx/16 ?include:"
        "_spf.example.net redirect=r.example.org exp=why.%{d} x-y=z";
    vouch_spf_cursor_t cur;
    vouch_spf_term_t t;
    vouch_error_t err;

    vouch_spf_cursor_init(&cur, rec, sizeof(rec) - 1);
    REQUIRE(vouch_spf_cursor_next(&cur, &t, &err) == 1);
    CHECK(t.kind == VOUCH_SPF_TERM_IP4 && t.qualifier == '+');
    CHECK(t.cidr4 == 24 && t.ip.family == 4 && t.ip.addr[0] == 192);
    CHECK(t.offset == 7);
    REQUIRE(vouch_spf_cursor_next(&cur, &t, &err) == 1);
    CHECK(t.kind == VOUCH_SPF_TERM_A && t.qualifier == '-');
    CHECK(t.cidr4 == 32 && t.cidr6 == 64);
    CHECK(t.domain_spec.len == 16 &&
          memcmp(t.domain_spec.ptr, "mail.example.com", 16) == 0);
    REQUIRE(vouch_spf_cursor_next(&cur, &t, &err) == 1);
    CHECK(t.kind == VOUCH_SPF_TERM_MX && t.qualifier == '~');
    CHECK(t.cidr4 == 16 && t.cidr6 == 128 && t.domain_spec.len == 0);
    REQUIRE(vouch_spf_cursor_next(&cur, &t, &err) == 1);
    CHECK(t.kind == VOUCH_SPF_TERM_INCLUDE && t.qualifier == '?');
    CHECK(t.domain_spec.len == 16);
    REQUIRE(vouch_spf_cursor_next(&cur, &t, &err) == 1);
    CHECK(t.kind == VOUCH_SPF_TERM_REDIRECT);
    CHECK(t.domain_spec.len == 13);
    REQUIRE(vouch_spf_cursor_next(&cur, &t, &err) == 1);
    CHECK(t.kind == VOUCH_SPF_TERM_EXP);
    CHECK(t.domain_spec.len == 8 &&
          memcmp(t.domain_spec.ptr, "why.%{d}", 8) == 0);
    REQUIRE(vouch_spf_cursor_next(&cur, &t, &err) == 1);
    CHECK(t.kind == VOUCH_SPF_TERM_UNKNOWN_MODIFIER);
    CHECK(t.name.len == 3 && t.domain_spec.len == 1);
    CHECK(vouch_spf_cursor_next(&cur, &t, &err) == 0);
    CHECK(vouch_spf_cursor_next(&cur, &t, &err) == 0);
}

static void
test_spf_record__hostile_lengths(void)
{
    /* a 60 000-term record parses without recursion or allocation */
    size_t n = 6 + 60000 * 2, i;
    char *rec = malloc(n);
    vouch_error_t err;

    REQUIRE(rec != NULL);
    memcpy(rec, "v=spf1", 6);
    for (i = 6; i < n; i += 2) {
        rec[i] = ' ';
        rec[i + 1] = 'a';
    }
    CHECK(vouch_spf_check_record(rec, n, &err) == 0);
    /* a NUL in the middle is a syntax error, not the end */
    rec[100] = '\0';
    CHECK(vouch_spf_check_record(rec, n, &err) == VOUCH_ESYNTAX);
    free(rec);
}

static const test_case_t cases[] = {
    TEST(spf_record__syntax_table),
    TEST(spf_record__is_record),
    TEST(spf_record__terms),
    TEST(spf_record__hostile_lengths),
};

TEST_MAIN(cases)
