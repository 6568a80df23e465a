/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the RFC 5322 address parser, domain normalisation and the
 * RFC5322.From author domain (include/vouch/address.h).
 *
 * The attack table (address__from_attacks) has every verifier-side From
 * ambiguity of Chen, Paxson, Jiang, "Composition Kills: A Case Study of
 * Email Sender Authentication" (USENIX Security 2020, §5-§6: multiple
 * From fields, multiple addresses, display-name / comment / quoted-pair /
 * route / encoding ambiguities, empty or invalid domains, NUL, folding
 * tricks, Sender-only), plus IDN homographs. For each the safe verdict is
 * either the address the MUA would display (so DMARC checks the domain
 * the reader sees) or a status that cannot lead to a DMARC pass.
 */
#include "harness.h"

#define L(s)    s, sizeof(s) - 1
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- single valid addresses ---------------------------------------------- */

typedef struct one_case {
    const char *name;
    const char *in;
    size_t len;
    const char *local;
    const char *domain; /* NULL: no domain */
} one_case_t;

static const one_case_t one_cases[] = {
    { "addr-spec", L("user@example.com"), "user", "example.com" },
    { "angle only", L("<user@example.com>"), "user", "example.com" },
    { "name-addr (A.1.2)", L("Joe Q. Public <john.q.public@example.com>"),
      "john.q.public", "example.com" },
    { "quoted display name (A.1.2)",
      L("\"Joe Q. Public\" <john.q.public@example.com>"), "john.q.public",
      "example.com" },
    { "quoted display name with specials (A.1.2)",
      L("\"Giant; \\\"Big\\\" Box\" <sysservices@example.net>"), "sysservices",
      "example.net" },
    { "display name with comma, @ and <>",
      L("\"Smith, John <j@x.test> @y\" <john@example.com>"), "john",
      "example.com" },
    { "comments everywhere (A.5)",
      L("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>"),
      "pete", "silly.test" },
    { "comments between every token",
      L("(c)(d) John (x) <(y) john (z) @ (w) example (v) . (u) com (t)> (s)"),
      "john", "example.com" },
    { "nested comment holding @ and <x@y>",
      L("john@example.com (a (b <x@y.test> (c@d.test)) e)"), "john",
      "example.com" },
    { "quoted local part with spaces and escaped quotes",
      L("\"john \\\"jr\\\" smith\"@example.com"), "john \"jr\" smith",
      "example.com" },
    { "quoted local part with a backslash pair", L("\"a\\\\b\"@example.com"),
      "a\\b", "example.com" },
    { "quoted local part keeps its dots and spaces", L("\"a . b\"@example.com"),
      "a . b", "example.com" },
    { "obs-local-part with CFWS around dots", L("a . b (c) . c@example.com"),
      "a.b.c", "example.com" },
    { "obs-local-part mixing quoted and atoms",
      L("\"a\".\"b c\".d@example.com"), "a.b c.d", "example.com" },
    { "obs-domain with CFWS", L("john@ (c) example . (d) com"), "john",
      "example.com" },
    { "obs-route", L("<@route.example,@other.example:john@example.com>"),
      "john", "example.com" },
    { "obs-route with empty elements and CFWS",
      L("Joe < , @route.example , , @b.example (x) : john@example.com >"),
      "john", "example.com" },
    { "folded display name", L("John\r\n Smith\r\n\t<john@example.com>"),
      "john", "example.com" },
    { "fold inside a quoted local part (CRLF dropped, WSP kept)",
      L("\"John\r\n Smith\"@example.com"), "John Smith", "example.com" },
    { "obs-FWS: whitespace-only continuation lines",
      L("\r\n john@example.com\r\n \r\n\t"), "john", "example.com" },
    { "UTF-8 display name (RFC 6532)", L("J\xc3\xb6hn <john@example.com>"),
      "john", "example.com" },
    { "UTF-8 in a quoted display name",
      L("\"J\xc3\xb6hn, \xe6\x97\xa5\" <john@example.com>"), "john",
      "example.com" },
    { "UTF-8 local part (RFC 6532)", L("j\xc3\xb6hn@example.com"),
      "j\xc3\xb6hn", "example.com" },
    { "IDN to A-label",
      L("info@b\xc3\xbc"
        "cher.example"),
      "info", "xn--bcher-kva.example" },
    { "upper-case domain lowered", L("John@EXAMPLE.Com"), "John",
      "example.com" },
    { "trailing dot removed", L("john@example.com."), "john", "example.com" },
    { "trailing dot in angle", L("<john@example.com.>"), "john",
      "example.com" },
    { "encoded word in a display name is display text",
      L("=?utf-8?Q?J=C3=B6hn?= <john@example.com>"), "john", "example.com" },
    { "group with one member", L("g: a@b.example;"), "a", "b.example" },
    { "group with CFWS and a trailing null member",
      L("g (x) : (y) a@b.example , ; (z)"), "a", "b.example" },
    { "obs-addr-list: null members around", L(" , a@b.example , ,"), "a",
      "b.example" },
    { "address without a domain", L("root"), "root", NULL },
    { "angle address without a domain", L("Root <root>"), "root", NULL },
    { "obs-phrase with dots", L("J. R. R. Tolkien <jrr@example.org>"), "jrr",
      "example.org" },
    { "local part of 256 bytes",
      L("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "@example.com"),
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "example.com" },
};

static void
test_address__valid_table(void)
{
    size_t i;

    for (i = 0; i < N_OF(one_cases); i++) {
        const one_case_t *c = &one_cases[i];
        vouch_address_t a[2];
        vouch_error_t err;
        size_t n = 99;
        int rc;

        vouch_error_clear(&err);
        rc = vouch_address_list_parse(c->in, c->len, a, 2, &n, &err);
        CHECKF(rc == 0 && n == 1, "%s: rc %d n %zu (%s at %zu)", c->name, rc, n,
               err.msg, err.offset);
        if (rc != 0 || n != 1) {
            continue;
        }
        CHECKF(strcmp(a[0].local, c->local) == 0, "%s: local \"%s\"", c->name,
               a[0].local);
        if (c->domain == NULL) {
            CHECKF(!a[0].has_domain && a[0].domain[0] == '\0' &&
                       a[0].domain_status == VOUCH_ADDRESS_DOMAIN_NONE,
                   "%s: domain \"%s\"", c->name, a[0].domain);
        } else {
            CHECKF(a[0].has_domain &&
                       a[0].domain_status == VOUCH_ADDRESS_DOMAIN_OK &&
                       strcmp(a[0].domain, c->domain) == 0,
                   "%s: domain \"%s\" status %d", c->name, a[0].domain,
                   (int)a[0].domain_status);
        }
    }
}

/* ---- lists ----------------------------------------------------------------
 */

typedef struct list_case {
    const char *name;
    const char *in;
    size_t n;
    const char *addrs[4]; /* "local@domain" or "local" */
} list_case_t;

static const list_case_t list_cases[] = {
    { "empty value", "", 0, { NULL } },
    { "only CFWS", " (comment) \r\n ", 0, { NULL } },
    { "only commas", " , ,, ", 0, { NULL } },
    { "empty group", "undisclosed-recipients:;", 0, { NULL } },
    { "empty group with CFWS and commas", "g : (x) , , ;", 0, { NULL } },
    { "two mailboxes",
      "a@x.example, B <b@y.example>",
      2,
      { "a@x.example", "b@y.example" } },
    { "group of three (A.1.3)",
      "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
      3,
      { "c@a.test", "joe@where.test", "jdoe@one.test" } },
    { "group then mailbox",
      "g: a@x.example;, b@y.example",
      2,
      { "a@x.example", "b@y.example" } },
    { "two groups",
      "g: a@x.example;, h: ;, i: b@y.example;",
      2,
      { "a@x.example", "b@y.example" } },
    { "the same address twice",
      "a@x.example, a@x.example",
      2,
      { "a@x.example", "a@x.example" } },
    { "with and without domain", "a, b@y.example", 2, { "a", "b@y.example" } },
};

/* "local@domain" or "local" into out (room for both and the '@'). */
static void
format_addr(char out[VOUCH_ADDRESS_LOCAL_MAX + VOUCH_DNS_NAME_MAX + 2],
            const vouch_address_t *a)
{
    size_t l = strlen(a->local), d = strlen(a->domain);

    memcpy(out, a->local, l);
    out[l] = '\0';
    if (a->has_domain) {
        out[l] = '@';
        memcpy(out + l + 1, a->domain, d + 1);
    }
}

static void
test_address__list_table(void)
{
    size_t i, k;

    for (i = 0; i < N_OF(list_cases); i++) {
        const list_case_t *c = &list_cases[i];
        vouch_address_t a[4];
        vouch_error_t err;
        size_t n = 99;
        int rc;

        vouch_error_clear(&err);
        rc = vouch_address_list_parse(c->in, strlen(c->in), a, 4, &n, &err);
        CHECKF(rc == 0 && n == c->n, "%s: rc %d n %zu (%s)", c->name, rc, n,
               err.msg);
        for (k = 0; rc == 0 && k < n && k < c->n; k++) {
            char got[VOUCH_ADDRESS_LOCAL_MAX + VOUCH_DNS_NAME_MAX + 2];

            format_addr(got, &a[k]);
            CHECKF(strcmp(got, c->addrs[k]) == 0, "%s: #%zu \"%s\"", c->name, k,
                   got);
        }
    }
}

/* More addresses than room: all counted, the first max filled, ETOOBIG. */
static void
test_address__too_many(void)
{
    static const char in[] = "a@x.example, b@y.example, g: c@z.example;";
    vouch_address_t a[2];
    vouch_error_t err;
    size_t n = 0;

    vouch_error_clear(&err);
    CHECK(vouch_address_list_parse(in, sizeof(in) - 1, a, 1, &n, &err) ==
          VOUCH_ETOOBIG);
    CHECK(n == 3);
    CHECK(err.code == VOUCH_ETOOBIG);
    CHECK_STR(a[0].domain, "x.example");
    /* max 0 with out NULL only counts */
    CHECK(vouch_address_list_parse(in, sizeof(in) - 1, NULL, 0, &n, NULL) ==
          VOUCH_ETOOBIG);
    CHECK(n == 3);
    /* a syntax error after the max-th address still wins */
    CHECK(vouch_address_list_parse(L("a@x.example, b@y.example c"), a, 1, &n,
                                   &err) == VOUCH_ESYNTAX);
    /* bad arguments */
    CHECK(vouch_address_list_parse(L("a@b.example"), NULL, 1, &n, NULL) ==
          VOUCH_EINVAL);
    CHECK(vouch_address_list_parse(L("a@b.example"), a, 1, NULL, NULL) ==
          VOUCH_EINVAL);
    CHECK(vouch_address_list_parse(NULL, 3, a, 1, &n, NULL) == VOUCH_EINVAL);
    CHECK(vouch_address_list_parse(NULL, 0, a, 1, &n, NULL) == 0 && n == 0);
}

/* ---- syntax errors --------------------------------------------------------
 */

typedef struct bad_case {
    const char *name;
    const char *in;
    size_t len;
    int rc;
    size_t offset;
    const char *msg; /* a substring of err.msg */
} bad_case_t;

static const bad_case_t bad_cases[] = {
    { "NUL byte", L("a@b.example\0c"), VOUCH_ESYNTAX, 11, "NUL" },
    { "NUL in a display name", L("\"x\0\" <a@b.example>"), VOUCH_ESYNTAX, 2,
      "NUL" },
    { "bare CR", L("a@b.example\rc"), VOUCH_ESYNTAX, 11, "CR" },
    { "bare LF", L("a@b.example\nc"), VOUCH_ESYNTAX, 11, "LF" },
    { "CRLF not followed by WSP", L("a@b.example\r\nX: y"), VOUCH_ESYNTAX, 11,
      "CR" },
    { "CRLF at the end", L("a@b.example\r\n"), VOUCH_ESYNTAX, 11, "CR" },
    { "LF inside a quoted string", L("\"a\nb\"@c.example"), VOUCH_ESYNTAX, 2,
      "LF" },
    { "quoted-pair of CR", L("\"a\\\r\n b\"@c.example"), VOUCH_ESYNTAX, 2,
      "backslash" },
    { "comment not closed", L("a@b.example (x (y)"), VOUCH_ESYNTAX, 12,
      "comment not closed" },
    { "quoted string not closed", L("\"abc@b.example"), VOUCH_ESYNTAX, 0,
      "quoted string not closed" },
    { "backslash at the end", L("\"a\\"), VOUCH_ESYNTAX, 2, "backslash" },
    { "backslash outside quotes", L("a\\@b.example@c.example"), VOUCH_ESYNTAX,
      1, "found '\\'" },
    { "two addresses without a comma", L("a@b.example c@d.example"),
      VOUCH_ESYNTAX, 12, "expected ','" },
    { "two words as a local part", L("a b@c.example"), VOUCH_ESYNTAX, 2,
      "two words" },
    { "dot first", L(".a@b.example"), VOUCH_ESYNTAX, 0, "'.'" },
    { "dot last", L("a.@b.example"), VOUCH_ESYNTAX, 2, "'.'" },
    { "two dots", L("a..b@c.example"), VOUCH_ESYNTAX, 2, "two '.'" },
    { "empty domain", L("a@"), VOUCH_ESYNTAX, 2, "domain" },
    { "empty domain in angle", L("<a@>"), VOUCH_ESYNTAX, 3, "domain" },
    { "empty label", L("a@b..example"), VOUCH_ESYNTAX, 4, "empty label" },
    { "dot first in domain", L("a@.example"), VOUCH_ESYNTAX, 2, "empty label" },
    { "two final dots", L("a@example.."), VOUCH_ESYNTAX, 10, "empty label" },
    { "second @", L("a@b.example@c.example"), VOUCH_ESYNTAX, 11,
      "expected ','" },
    { "angle not closed", L("<a@b.example"), VOUCH_ESYNTAX, 12, "'>'" },
    { "empty angle", L("<>"), VOUCH_ESYNTAX, 1, "after '<'" },
    { "stray '>'", L("a@b.example>"), VOUCH_ESYNTAX, 11, "expected ','" },
    { "two angle addresses", L("Name <a@b.example> <c@d.example>"),
      VOUCH_ESYNTAX, 19, "expected ','" },
    { "group not closed", L("g: a@b.example"), VOUCH_ESYNTAX, 0,
      "group not closed" },
    { "group in a group", L("g: h: a@b.example;;"), VOUCH_ESYNTAX, 4,
      "group inside a group" },
    { "group without a name", L(":;"), VOUCH_ESYNTAX, 0, "display name" },
    { "group then mailbox without a comma", L("g: a@b.example; c@d.example"),
      VOUCH_ESYNTAX, 16, "expected ','" },
    { "';' at the top level", L("a@b.example; c@d.example"), VOUCH_ESYNTAX, 11,
      "expected ','" },
    { "two addresses in a group without a comma",
      L("g: a@b.example c@d.example;"), VOUCH_ESYNTAX, 15, "expected ','" },
    { "route without ':'", L("<@a.example b@c.example>"), VOUCH_ESYNTAX, 12,
      "':'" },
    { "route outside angle brackets", L("@a.example:b@c.example"),
      VOUCH_ESYNTAX, 0, "expected an address" },
    { "literal not closed", L("a@[1.2.3.4"), VOUCH_ESYNTAX, 2,
      "literal not closed" },
    { "display name starting with '.'", L(". x <a@b.example>"), VOUCH_ESYNTAX,
      0, "display name" },
    { "control byte outside quotes", L("a\x01@b.example"), VOUCH_ESYNTAX, 1,
      "expected ','" },
    { "local part of 257 bytes",
      L("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "b@example.com"),
      VOUCH_ETOOBIG, 0, "local part longer than 256" },
};

static void
test_address__syntax_table(void)
{
    size_t i;

    for (i = 0; i < N_OF(bad_cases); i++) {
        const bad_case_t *c = &bad_cases[i];
        vouch_address_t a[2];
        vouch_error_t err;
        size_t n;
        int rc;

        vouch_error_clear(&err);
        rc = vouch_address_list_parse(c->in, c->len, a, 2, &n, &err);
        CHECKF(rc == c->rc && err.code == c->rc, "%s: rc %d (%s)", c->name, rc,
               err.msg);
        CHECKF(err.offset == c->offset, "%s: offset %zu, want %zu (%s)",
               c->name, err.offset, c->offset, err.msg);
        CHECKF(strstr(err.msg, c->msg) != NULL, "%s: message \"%s\"", c->name,
               err.msg);
    }
}

/* Comments nest up to the cap; one more is a syntax error. */
static void
test_address__comment_depth(void)
{
    char in[400];
    size_t o, i, n;
    unsigned depth;

    for (depth = VOUCH_ADDRESS_COMMENT_DEPTH_MAX;
         depth <= VOUCH_ADDRESS_COMMENT_DEPTH_MAX + 1; depth++) {
        vouch_address_t a;
        vouch_error_t err;
        int rc;

        o = 0;
        memcpy(in, "a@b.example ", 12);
        o = 12;
        for (i = 0; i < depth; i++) {
            in[o++] = '(';
        }
        for (i = 0; i < depth; i++) {
            in[o++] = ')';
        }
        vouch_error_clear(&err);
        rc = vouch_address_list_parse(in, o, &a, 1, &n, &err);
        if (depth <= VOUCH_ADDRESS_COMMENT_DEPTH_MAX) {
            CHECK(rc == 0 && n == 1);
        } else {
            CHECK(rc == VOUCH_ESYNTAX);
            CHECK(strstr(err.msg, "nested") != NULL);
            CHECK(err.offset == 12 + VOUCH_ADDRESS_COMMENT_DEPTH_MAX);
        }
    }
}

/* ---- unusable domains -----------------------------------------------------
 */

typedef struct dom_case {
    const char *name;
    const char *in;
    size_t len;
    vouch_address_domain_status_t status;
} dom_case_t;

static const dom_case_t dom_cases[] = {
    { "IPv4 literal", L("a@[1.2.3.4]"), VOUCH_ADDRESS_DOMAIN_LITERAL },
    { "IPv6 literal", L("a@[IPv6:2001:db8::1]"), VOUCH_ADDRESS_DOMAIN_LITERAL },
    { "literal of a name", L("a@[example.com]"), VOUCH_ADDRESS_DOMAIN_LITERAL },
    { "literal with CFWS and a quoted-pair", L("a@ (x) [ 1.2 \\] ] (y)"),
      VOUCH_ADDRESS_DOMAIN_LITERAL },
    { "underscore", L("a@b_c.example"), VOUCH_ADDRESS_DOMAIN_INVALID },
    { "atext not LDH", L("a@b!c.example"), VOUCH_ADDRESS_DOMAIN_INVALID },
    { "leading hyphen", L("a@-b.example"), VOUCH_ADDRESS_DOMAIN_INVALID },
    { "trailing hyphen", L("a@b-.example"), VOUCH_ADDRESS_DOMAIN_INVALID },
    { "all-digit TLD", L("a@1.2.3.4"), VOUCH_ADDRESS_DOMAIN_INVALID },
    { "Latin-1, not UTF-8",
      L("a@b\xfc"
        "cher.example"),
      VOUCH_ADDRESS_DOMAIN_INVALID },
    { "overlong UTF-8", L("a@b\xc0\xae.example"),
      VOUCH_ADDRESS_DOMAIN_INVALID },
    { "IDNA2008-disallowed symbol", L("a@i\xe2\x99\xa5.example"),
      VOUCH_ADDRESS_DOMAIN_INVALID },
    { "bad punycode", L("a@xn--zz.example"), VOUCH_ADDRESS_DOMAIN_INVALID },
    { "encoded word as a domain", L("a@=?utf-8?Q?legit.com?="),
      VOUCH_ADDRESS_DOMAIN_INVALID },
    { "label of 64 bytes",
      L("a@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
        "example"),
      VOUCH_ADDRESS_DOMAIN_INVALID },
};

static void
test_address__domain_status(void)
{
    size_t i;

    for (i = 0; i < N_OF(dom_cases); i++) {
        const dom_case_t *c = &dom_cases[i];
        vouch_address_t a;
        vouch_error_t err;
        size_t n;
        int rc;

        vouch_error_clear(&err);
        rc = vouch_address_list_parse(c->in, c->len, &a, 1, &n, &err);
        CHECKF(rc == 0 && n == 1, "%s: rc %d (%s)", c->name, rc, err.msg);
        CHECKF(a.has_domain && a.domain_status == c->status &&
                   a.domain[0] == '\0',
               "%s: status %d domain \"%s\"", c->name, (int)a.domain_status,
               a.domain);
    }
}

/* ---- normalisation ---------------------------------------------------------
 */

typedef struct norm_case {
    const char *in;
    size_t len;
    const char *out; /* NULL: VOUCH_ESYNTAX */
} norm_case_t;

static const norm_case_t norm_cases[] = {
    { L("example.com"), "example.com" },
    { L("EXAMPLE.Com."), "example.com" },
    { L("b\xc3\xbc"
        "cher.example"),
      "xn--bcher-kva.example" },
    { L("B\xc3\x9c"
        "CHER.Example"),
      "xn--bcher-kva.example" },
    { L("XN--BCHER-KVA.example"), "xn--bcher-kva.example" },
    { L("ab--cd.example"), "ab--cd.example" }, /* ASCII: not through IDNA */
    { L("a-1.b2.example"), "a-1.b2.example" },
    { L("localhost"), "localhost" },
    { L("1.example"), "1.example" },
    { L("\xc3\xa9"
        "xample.com."),
      "xn--xample-9ua.com" },
    { L("a\xe3\x80\x82"
        "example"),
      "a.example" },                                    /* U+3002 full stop */
    { L("a.example\xe3\x80\x82"), "a.example" },        /* final U+3002 */
    { L("ss.\xc3\x9f.example"), "ss.xn--zca.example" }, /* non-transitional */
    /* a 63-byte label, and a 253-byte name */
    { L("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.x"),
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.x" },
    { L("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
    { L("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
      NULL }, /* 254 bytes */
    { L("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.x"),
      NULL }, /* 64-byte label */
    { L(""), NULL },
    { L("."), NULL },
    { L("a..b"), NULL },
    { L(".a"), NULL },
    { L("a.b.."), NULL },
    { L("a b.example"), NULL },
    { L("a\0b.example"), NULL },
    { L("b_c.example"), NULL },
    { L("-a.example"), NULL },
    { L("a-.example"), NULL },
    { L("example.123"), NULL },
    { L("xn--a.example"), NULL },
    { L("b\xfc"
        "cher.example"),
      NULL },                                 /* Latin-1 */
    { L("b\xed\xa0\x80.example"), NULL },     /* UTF-8 surrogate */
    { L("b\xf4\x90\x80\x80.example"), NULL }, /* above U+10FFFF */
    { L("a\xe2\x80\x8d"
        "b.example"),
      NULL }, /* ZWJ: CONTEXTJ */
    { L("\xe3\x80\x82"
        "example"),
      NULL }, /* empty first label */
};

static void
test_address__normalize_table(void)
{
    size_t i;

    for (i = 0; i < N_OF(norm_cases); i++) {
        const norm_case_t *c = &norm_cases[i];
        char out[VOUCH_DNS_NAME_MAX + 1];
        vouch_error_t err;
        int rc;

        memset(out, 'X', sizeof(out));
        vouch_error_clear(&err);
        rc = vouch_domain_normalize(out, c->in, c->len, &err);
        if (c->out != NULL) {
            CHECKF(rc == 0 && strcmp(out, c->out) == 0,
                   "#%zu: rc %d \"%s\" (%s)", i, rc, out, err.msg);
        } else {
            CHECKF(rc == VOUCH_ESYNTAX && out[0] == '\0' && err.msg[0] != '\0',
                   "#%zu: rc %d \"%s\"", i, rc, out);
        }
    }
    CHECK(vouch_domain_normalize(NULL, "a", 1, NULL) == VOUCH_EINVAL);
}

/* ---- From --------------------------------------------------------------- */

/* Read msg (a header block, or a whole message) with the streaming reader
 * and take its From. Returns the reader's or vouch_from_get's code. */
static int
from_of(const char *msg, size_t len, vouch_from_t *from)
{
    vouch_mail_handler_t h;
    vouch_mail_reader_t *r = NULL;
    vouch_error_t err;
    int rc;

    memset(&h, 0, sizeof(h));
    memset(from, 0, sizeof(*from));
    rc = vouch_mail_reader_new(&r, test_ctx(), &h);
    if (rc == 0) {
        rc = vouch_mail_reader_feed(r, msg, len, &err);
    }
    if (rc == 0) {
        rc = vouch_mail_reader_finish(r, &err);
    }
    if (rc == 0) {
        rc = vouch_from_get(from, vouch_mail_reader_header(r));
    }
    vouch_mail_reader_free(r);
    return rc;
}

typedef struct from_case {
    const char *name; /* the attack (Chen et al. 2020) or case */
    const char *msg;
    size_t len;
    int rc; /* of reading the message */
    vouch_from_status_t status;
    const char *domain; /* when OK */
} from_case_t;

#define OK_(d)  0, VOUCH_FROM_OK, d
#define NOT_(s) 0, VOUCH_FROM_##s, NULL

static const from_case_t from_cases[] = {
    { "plain", L("From: Joe <joe@legit.example>\r\nTo: x@y.example\r\n\r\nhi"),
      OK_("legit.example") },
    { "group with one member (RFC 6854)",
      L("From: team: admin@legit.example;\r\n"), OK_("legit.example") },

    /* -- §6.1 multiple From fields: the server checks one, the MUA shows
     * the other. RFC 5322 §3.6 allows exactly one: never OK. */
    { "A: two From fields",
      L("From: <attacker@evil.example>\r\nFrom: <admin@legit.example>\r\n"),
      NOT_(MULTIPLE_FIELDS) },
    { "A: two From fields, the second in upper case",
      L("From: attacker@evil.example\r\nFROM: admin@legit.example\r\n"),
      NOT_(MULTIPLE_FIELDS) },
    { "A: space before the colon ('From :') is still a From field",
      L("From : admin@legit.example\r\nFrom: attacker@evil.example\r\n"),
      NOT_(MULTIPLE_FIELDS) },
    { "A: tab before the colon",
      L("From\t: admin@legit.example\r\nFrom: attacker@evil.example\r\n"),
      NOT_(MULTIPLE_FIELDS) },
    { "A: the same From twice",
      L("From: admin@legit.example\r\nFrom: admin@legit.example\r\n"),
      NOT_(MULTIPLE_FIELDS) },
    { "A: From fields apart, one after the body-like lines",
      L("From: attacker@evil.example\r\nSubject: x\r\nTo: y@z.example\r\n"
        "from: admin@legit.example\r\n\r\nbody"),
      NOT_(MULTIPLE_FIELDS) },
    /* -- §6.1 whitespace/folding tricks around the header name */
    { "A: first line ' From:' (leading space) is refused by the reader",
      L(" From: admin@legit.example\r\nFrom: attacker@evil.example\r\n"),
      VOUCH_ESYNTAX, VOUCH_FROM_OK, NULL },
    { "A: ' From:' folded into Subject is Subject text, not a From field",
      L("Subject: hi\r\n From: admin@legit.example\r\n"
        "From: attacker@evil.example\r\n"),
      OK_("evil.example") },
    { "A: a second 'From:' folded into the From value",
      L("From: attacker@evil.example\r\n From: admin@legit.example\r\n"),
      NOT_(SYNTAX) },
    { "A: bare LF line ends are line ends (no hidden second field)",
      L("From: attacker@evil.example\nFrom: admin@legit.example\n\nbody"),
      NOT_(MULTIPLE_FIELDS) },
    { "A: bare CR inside the From value",
      L("From: admin@legit.example\rattacker@evil.example\r\n"), NOT_(SYNTAX) },
    { "A: X-From and Resent-From are not From",
      L("X-From: admin@legit.example\r\nResent-From: admin@legit.example\r\n"
        "From: attacker@evil.example\r\n"),
      OK_("evil.example") },

    /* -- §6.1 no From: the server skips DMARC, the MUA shows Sender */
    { "B: Sender only", L("Sender: admin@legit.example\r\nSubject: x\r\n"),
      NOT_(MISSING) },
    { "B: no From at all", L("Subject: x\r\n\r\nbody"), NOT_(MISSING) },
    { "B: From with an empty value", L("From:\r\nSender: a@legit.example\r\n"),
      NOT_(EMPTY) },
    { "B: From with only a comment", L("From: (admin@legit.example)\r\n"),
      NOT_(EMPTY) },
    { "B: empty group", L("From: undisclosed-recipients:;\r\n"), NOT_(EMPTY) },

    /* -- §6.2 multiple addresses in one From */
    { "C: two angle addresses",
      L("From: <attacker@evil.example>, <admin@legit.example>\r\n"),
      NOT_(MULTIPLE_ADDRESSES) },
    { "C: two addr-specs", L("From: admin@legit.example, a@evil.example\r\n"),
      NOT_(MULTIPLE_ADDRESSES) },
    { "C: the same address twice",
      L("From: admin@legit.example, admin@legit.example\r\n"),
      NOT_(MULTIPLE_ADDRESSES) },
    { "C: two members of a group",
      L("From: g: a@evil.example, admin@legit.example;\r\n"),
      NOT_(MULTIPLE_ADDRESSES) },
    { "C: a group and a mailbox",
      L("From: g: a@evil.example;, admin@legit.example\r\n"),
      NOT_(MULTIPLE_ADDRESSES) },
    { "C: an address hidden in a second folded line",
      L("From: admin@legit.example,\r\n attacker@evil.example\r\n"),
      NOT_(MULTIPLE_ADDRESSES) },
    { "C: two angle addresses without a comma (display 'Legit <x>' <y>)",
      L("From: Legit <confirm@legit.example> <attacker@evil.example>\r\n"),
      NOT_(SYNTAX) },
    { "C: '\\,' escaping the comma outside quotes",
      L("From: <admin@legit.example>\\,<attacker@evil.example>\r\n"),
      NOT_(SYNTAX) },
    { "C: ';' instead of ',' outside a group",
      L("From: <admin@legit.example>;<attacker@evil.example>\r\n"),
      NOT_(SYNTAX) },
    { "C: a trailing null member (obs-addr-list) is one address",
      L("From: admin@legit.example,\r\n"), OK_("legit.example") },

    /* -- §6.2 display-name ambiguity: the domain checked is the mailbox's,
     * never text of the display name */
    { "D: an address as an unquoted display name",
      L("From: admin@legit.example <attacker@evil.example>\r\n"),
      NOT_(SYNTAX) },
    { "D: an address as a quoted display name",
      L("From: \"admin@legit.example\" <attacker@evil.example>\r\n"),
      OK_("evil.example") },
    { "D: a whole name-addr as a quoted display name",
      L("From: \"Admin <admin@legit.example>\" <attacker@evil.example>\r\n"),
      OK_("evil.example") },
    { "D: an address as a lone quoted string (no domain)",
      L("From: \"admin@legit.example\"\r\n"), NOT_(NO_DOMAIN) },
    { "D: quoted display name then an addr-spec without brackets",
      L("From: \"<admin@legit.example>\" attacker@evil.example\r\n"),
      NOT_(SYNTAX) },
    { "D: quoted display name with an escaped quote not closed",
      L("From: \"admin@legit.example\\\" <attacker@evil.example>\r\n"),
      NOT_(SYNTAX) },

    /* -- §6.2 comments */
    { "E: comment hiding a second address (admin@legit(,attacker@evil))",
      L("From: admin@legit.example(,attacker@evil.example)\r\n"),
      OK_("legit.example") },
    { "E: comment before the address",
      L("From: (admin@legit.example) attacker@evil.example\r\n"),
      OK_("evil.example") },
    { "E: comment holding a name-addr",
      L("From: attacker@evil.example(<admin@legit.example>)\r\n"),
      OK_("evil.example") },
    { "E: comment inside the angle brackets holding '>'",
      L("From: <attacker@evil.example(>admin@legit.example)>\r\n"),
      OK_("evil.example") },
    { "E: comment between '@' and the domain (a reader may show it)",
      L("From: attacker@(legit.example)evil.example\r\n"), NOT_(BAD_DOMAIN) },
    { "E: space inside the domain: a reader may stop at 'legit.example.'",
      L("From: admin@legit.example. evil.example\r\n"), NOT_(BAD_DOMAIN) },
    { "E: comment before a dot inside the domain",
      L("From: admin@legit.example(x).evil.example\r\n"), NOT_(BAD_DOMAIN) },
    { "E: folded inside the domain",
      L("From: admin@legit.example.\r\n evil.example\r\n"), NOT_(BAD_DOMAIN) },
    { "E: comment after the domain is fine",
      L("From: admin@legit.example (Admin)\r\n"), OK_("legit.example") },
    { "E: comment in the local part holding '@domain'",
      L("From: admin(@legit.example)@evil.example\r\n"), OK_("evil.example") },
    { "E: comment not closed",
      L("From: admin@legit.example (attacker@evil.example\r\n"), NOT_(SYNTAX) },
    { "E: comments nested past the cap",
      L("From: a@legit.example "
        "(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((("
        "))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))"
        "\r\n"),
      NOT_(SYNTAX) },

    /* -- §6.2 quoted local parts and quoted-pairs */
    { "F: an address as a quoted local part",
      L("From: \"admin@legit.example\"@evil.example\r\n"),
      OK_("evil.example") },
    { "F: escaped quotes inside a quoted local part",
      L("From: \"attacker\\\"@evil.example\\\"\"@legit.example\r\n"),
      OK_("legit.example") },
    { "F: a backslash-escaped '@' outside quotes",
      L("From: admin\\@legit.example@evil.example\r\n"), NOT_(SYNTAX) },
    { "F: a quoted-pair of CR smuggling a line end",
      L("From: \"a\\\r\n b\"@legit.example\r\n"), NOT_(SYNTAX) },

    /* -- §6.2 route portion: servers took the first route domain, MUAs
     * show the mailbox; the mailbox's domain is the author domain */
    { "G: route <@legit:attacker@evil>",
      L("From: <@legit.example:attacker@evil.example>\r\n"),
      OK_("evil.example") },
    { "G: route <@evil,@any:admin@legit> (paper's form)",
      L("From: <@evil.example,@any.example:admin@legit.example>\r\n"),
      OK_("legit.example") },
    { "G: route to a mailbox without a domain",
      L("From: <@legit.example:attacker>\r\n"), NOT_(NO_DOMAIN) },
    { "G: route outside angle brackets",
      L("From: @legit.example:attacker@evil.example\r\n"), NOT_(SYNTAX) },

    /* -- §6.2 encoded words: never decoded, never an address */
    { "H: an encoded word holding admin@legit (base64) alone",
      L("From: =?utf-8?B?YWRtaW5AbGVnaXQuZXhhbXBsZQ==?=\r\n"),
      NOT_(NO_DOMAIN) },
    { "H: encoded address as display name",
      L("From: =?utf-8?B?YWRtaW5AbGVnaXQuZXhhbXBsZQ==?= "
        "<attacker@evil.example>\r\n"),
      OK_("evil.example") },
    { "H: encoded <admin@legit> then a real address",
      L("From: =?utf-8?B?PGFkbWluQGxlZ2l0LmV4YW1wbGU+?=,"
        "<attacker@evil.example>\r\n"),
      NOT_(MULTIPLE_ADDRESSES) },
    { "H: quoted-printable '@' in a display name",
      L("From: =?utf-8?Q?admin=40legit.example?= <attacker@evil.example>\r\n"),
      OK_("evil.example") },
    { "H: raw '<' inside an encoded word",
      L("From: =?utf-8?Q?<admin@legit.example>?= <attacker@evil.example>\r\n"),
      NOT_(SYNTAX) },
    { "H: an encoded word as the domain",
      L("From: admin@=?utf-8?Q?legit.example?=\r\n"), NOT_(BAD_DOMAIN) },
    { "H: an encoded word as the local part",
      L("From: =?utf-8?Q?admin?=@evil.example\r\n"), OK_("evil.example") },

    /* -- §5/§6 empty or invalid From domain: DMARC has nothing to check */
    { "I: '@' without a domain", L("From: admin@\r\n"), NOT_(SYNTAX) },
    { "I: no '@' at all", L("From: admin\r\n"), NOT_(NO_DOMAIN) },
    { "I: angle address without a domain", L("From: Admin <admin>\r\n"),
      NOT_(NO_DOMAIN) },
    { "I: empty angle address", L("From: <>\r\n"), NOT_(SYNTAX) },
    { "I: address literal", L("From: admin@[192.0.2.1]\r\n"),
      NOT_(BAD_DOMAIN) },
    { "I: address literal of the legit name",
      L("From: admin@[legit.example]\r\n"), NOT_(BAD_DOMAIN) },
    { "I: empty label", L("From: admin@legit..example\r\n"), NOT_(SYNTAX) },
    { "I: not a host name", L("From: admin@legit_example.com\r\n"),
      NOT_(BAD_DOMAIN) },
    { "I: leading hyphen", L("From: admin@-legit.example\r\n"),
      NOT_(BAD_DOMAIN) },
    { "I: an IPv4 address as a domain", L("From: admin@192.0.2.1\r\n"),
      NOT_(BAD_DOMAIN) },
    { "I: two '@'", L("From: admin@legit.example@evil.example\r\n"),
      NOT_(SYNTAX) },
    { "I: a too long local part",
      L("From: "
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "a@legit.example\r\n"),
      NOT_(SYNTAX) },

    /* -- NUL: the reader refuses the header; the parser refuses it too
     * (address__from_nul) */
    { "J: NUL splitting the From value",
      L("From: attacker@evil.example\0admin@legit.example\r\n"), VOUCH_ESYNTAX,
      VOUCH_FROM_OK, NULL },

    /* -- IDN homographs: normalised to the A-labels DNS would use */
    { "K: Cyrillic a in apple (homograph) stays a different domain",
      L("From: admin@\xd0\xb0pple.example\r\n"), OK_("xn--pple-43d.example") },
    { "K: the homograph given as A-labels",
      L("From: admin@XN--PPLE-43D.example\r\n"), OK_("xn--pple-43d.example") },
    { "K: fullwidth letters map (UTS #46) to the ASCII name",
      L("From: admin@\xef\xbd\x8c\xef\xbd\x85\xef\xbd\x87\xef\xbd\x89"
        "\xef\xbd\x94.example\r\n"),
      OK_("legit.example") },
    { "K: ideographic full stop is a dot",
      L("From: admin@legit\xe3\x80\x82"
        "example\r\n"),
      OK_("legit.example") },
    { "K: soft hyphen is dropped (UTS #46 ignored)",
      L("From: admin@le\xc2\xadgit.example\r\n"), OK_("legit.example") },
    { "K: Kelvin sign maps to k",
      L("From: admin@\xe2\x84\xaa"
        "legit.example\r\n"),
      OK_("klegit.example") },
    { "K: upper case and a final dot", L("From: admin@LEGIT.Example.\r\n"),
      OK_("legit.example") },
    { "K: zero width joiner outside its context",
      L("From: admin@le\xe2\x80\x8dgit.example\r\n"), NOT_(BAD_DOMAIN) },
    { "K: Latin-1 byte, not UTF-8", L("From: admin@l\xe9git.example\r\n"),
      NOT_(BAD_DOMAIN) },
};

static void
test_address__from_attacks(void)
{
    size_t i;

    for (i = 0; i < N_OF(from_cases); i++) {
        const from_case_t *c = &from_cases[i];
        vouch_from_t f;
        int rc = from_of(c->msg, c->len, &f);

        CHECKF(rc == c->rc, "%s: rc %d", c->name, rc);
        if (rc != 0 || c->rc != 0) {
            continue;
        }
        CHECKF(f.status == c->status, "%s: status %s (%s)", c->name,
               vouch_from_status_name(f.status), f.reason);
        if (c->status == VOUCH_FROM_OK) {
            CHECKF(strcmp(f.address.domain, c->domain) == 0 &&
                       f.reason[0] == '\0' && f.naddresses == 1,
                   "%s: domain \"%s\"", c->name, f.address.domain);
        } else {
            CHECKF(f.reason[0] != '\0', "%s: no reason", c->name);
        }
    }
}

/* What a verdict carries besides its status. */
static void
test_address__from_details(void)
{
    vouch_mail_header_t *h = NULL;
    vouch_from_t f;
    vouch_error_t err;

    CHECK(from_of(L("From: a@x.example, b@y.example\r\n"), &f) == 0);
    CHECK(f.status == VOUCH_FROM_MULTIPLE_ADDRESSES);
    CHECK(f.field_index == 0 && f.naddresses == 2);
    CHECK_STR(f.reason, "From holds 2 addresses");

    CHECK(from_of(L("From: a@x.example\r\nfrom: b@y.example\r\n"), &f) == 0);
    CHECK(f.field_index == (size_t)-1 && f.naddresses == 0);
    CHECK_STR(f.reason, "2 From fields");

    CHECK(from_of(L("To: t@x.example\r\nFrom: Joe <joe@x.example>\r\n"), &f) ==
          0);
    CHECK(f.status == VOUCH_FROM_OK && f.field_index == 1);
    CHECK_STR(f.address.local, "joe");
    CHECK(f.address.offset == 1); /* in the value, after the space */

    CHECK(from_of(L("From: a@x.example b\r\n"), &f) == 0);
    CHECK(f.status == VOUCH_FROM_SYNTAX);
    CHECKF(strstr(f.reason, "byte 13") != NULL, "%s", f.reason);

    CHECK(from_of(L("From: a@b\xfc"
                    "cher.example\r\n"),
                  &f) == 0);
    CHECK(f.status == VOUCH_FROM_BAD_DOMAIN);
    CHECKF(strstr(f.reason, "UTF-8") != NULL && strstr(f.reason, "\\xfc"), "%s",
           f.reason);

    CHECK(from_of(L("From: a@[1.2.3.4]\r\n"), &f) == 0);
    CHECK_STR(f.reason, "From domain is an address literal");

    /* a header built field by field, and misuse */
    REQUIRE(vouch_mail_header_new(&h, test_ctx()) == 0);
    CHECK(vouch_from_get(&f, h) == 0 && f.status == VOUCH_FROM_MISSING);
    CHECK(vouch_mail_header_add(h, L("FROM:a@X.Example"), &err) == 0);
    CHECK(vouch_from_get(&f, h) == 0 && f.status == VOUCH_FROM_OK);
    CHECK_STR(f.address.domain, "x.example");
    vouch_mail_header_free(h);
    CHECK(vouch_from_get(&f, NULL) == VOUCH_EINVAL);
    CHECK(vouch_from_get(NULL, NULL) == VOUCH_EINVAL);
}

/* NUL never reaches vouch_from_get through the mail layer; the parser
 * refuses it on its own wherever it is. */
static void
test_address__from_nul(void)
{
    static const char *const shapes[] = {
        "\0a@legit.example", "a\0@legit.example",        "a@legit.example\0",
        "a@legit\0.example", "\"\0\" <a@legit.example>", "a@legit.example (\0)"
    };
    static const size_t lens[] = { 16, 16, 16, 16, 21, 19 };
    size_t i, n;

    for (i = 0; i < N_OF(shapes); i++) {
        vouch_address_t a;
        vouch_error_t err;
        const char *nul = memchr(shapes[i], '\0', lens[i]);

        vouch_error_clear(&err);
        CHECKF(vouch_address_list_parse(shapes[i], lens[i], &a, 1, &n, &err) ==
                       VOUCH_ESYNTAX &&
                   err.offset == (size_t)(nul - shapes[i]),
               "#%zu: %s at %zu", i, err.msg, err.offset);
    }
}

/* CFWS inside a domain: joined (obs-domain) but flagged; around it, not. */
static void
test_address__domain_cfws(void)
{
    static const struct {
        const char *in;
        const char *domain;
        bool cfws;
    } t[] = {
        { "a@b.example", "b.example", false },
        { "a@b.example (c) ", "b.example", false },
        { "<a@b.example (c)> (d)", "b.example", false },
        { "a (x) @b.example", "b.example", false },
        { "a@ b.example", "b.example", true },
        { "a@(c)b.example", "b.example", true },
        { "a@b .example", "b.example", true },
        { "a@b. example", "b.example", true },
        { "a@b.example. c", "b.example.c", true },
        { "a@b.example\r\n .", "b.example", true },
    };

    size_t i, n;

    for (i = 0; i < N_OF(t); i++) {
        vouch_address_t a;
        vouch_error_t err;
        int rc;

        rc =
            vouch_address_list_parse(t[i].in, strlen(t[i].in), &a, 1, &n, &err);
        CHECKF(rc == 0 && n == 1 && strcmp(a.domain, t[i].domain) == 0 &&
                   a.domain_cfws == t[i].cfws,
               "%s: rc %d domain \"%s\" cfws %d", t[i].in, rc, a.domain,
               (int)a.domain_cfws);
    }
}

static void
test_address__status_names(void)
{
    CHECK_STR(vouch_from_status_name(VOUCH_FROM_OK), "ok");
    CHECK_STR(vouch_from_status_name(VOUCH_FROM_MISSING), "missing");
    CHECK_STR(vouch_from_status_name(VOUCH_FROM_MULTIPLE_FIELDS),
              "multiple-fields");
    CHECK_STR(vouch_from_status_name(VOUCH_FROM_MULTIPLE_ADDRESSES),
              "multiple-addresses");
    CHECK_STR(vouch_from_status_name(VOUCH_FROM_EMPTY), "empty");
    CHECK_STR(vouch_from_status_name(VOUCH_FROM_NO_DOMAIN), "no-domain");
    CHECK_STR(vouch_from_status_name(VOUCH_FROM_BAD_DOMAIN), "bad-domain");
    CHECK_STR(vouch_from_status_name(VOUCH_FROM_SYNTAX), "syntax");
    CHECK_STR(vouch_from_status_name((vouch_from_status_t)99), "unknown");
}

static const test_case_t cases[] = {
    TEST(address__valid_table),     TEST(address__list_table),
    TEST(address__too_many),        TEST(address__syntax_table),
    TEST(address__comment_depth),   TEST(address__domain_status),
    TEST(address__normalize_table), TEST(address__from_attacks),
    TEST(address__from_details),    TEST(address__from_nul),
    TEST(address__domain_cfws),     TEST(address__status_names),
};

TEST_MAIN(cases)
