/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the zone backend (dns/zone.c, dns/zone_parse.c): master-file
 * syntax, record decoding, the lookup rules (CNAME chase, NODATA,
 * NXDOMAIN, empty non-terminals, $FAULT, overlay fallback), error messages,
 * limits, and an OOM sweep. Files for $INCLUDE go to a mkdtemp folder.
 */
#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "dns/dns_internal.h"

/* ---- helpers ------------------------------------------------------------ */

static vouch_error_t last_err;

/* A zone holding text (named "t.zone"); NULL (and a failure) if it does
 * not load. */
static vouch_zone_t *
zone_of(const char *text)
{
    vouch_zone_t *z;
    int rc;

    if (vouch_zone_new(&z, test_ctx()) != 0) {
        return NULL;
    }
    vouch_error_clear(&last_err);
    rc = vouch_zone_load_text(z, text, strlen(text), "t.zone", &last_err);
    if (rc != 0) {
        CHECKF(rc == 0, "load: %s: %s", vouch_errname(rc), last_err.msg);
        vouch_zone_free(z);
        return NULL;
    }
    return z;
}

/* Query the zone directly (the name normalised as the resolver front
 * does). NULL on error. */
static const vouch_dns_answer_t *
ask_via(const vouch_zone_t *z, const char *name, uint16_t type,
        vouch_resolver_t *fallback)
{
    char norm[VOUCH_DNS_NAME_BUF];
    const vouch_dns_answer_t *a = NULL;
    size_t len;

    if (vouch__dns_name_normalize(norm, &len, name, strlen(name)) != 0 ||
        vouch__zone_query(z, norm, len, type, fallback, 0, &a, NULL) != 0) {
        return NULL;
    }
    return a;
}

static const vouch_dns_answer_t *
ask(const vouch_zone_t *z, const char *name, uint16_t type)
{
    return ask_via(z, name, type, NULL);
}

/* Does (name, type) answer status with n records? */
static bool
answers(const vouch_zone_t *z, const char *name, uint16_t type,
        vouch_dns_status_t status, size_t n)
{
    const vouch_dns_answer_t *a = ask(z, name, type);
    bool ok = a != NULL && a->status == status && a->n == n &&
              a->dnssec == VOUCH_DNSSEC_INSECURE;

    if (!ok) {
        fprintf(stderr, "    %s type %u: got %s n=%zu, want %s n=%zu\n", name,
                (unsigned)type,
                a != NULL ? vouch_dns_status_name(a->status) : "(error)",
                a != NULL ? a->n : 0, vouch_dns_status_name(status), n);
    }
    vouch_dns_answer_free(a);
    return ok;
}

/* The text data of the first record of (name, type), into buf. */
static const char *
first_data(const vouch_zone_t *z, const char *name, uint16_t type, char *buf,
           size_t cap)
{
    const vouch_dns_answer_t *a = ask(z, name, type);

    buf[0] = '\0';
    if (a != NULL && a->n > 0 && a->rr[0].len < cap) {
        memcpy(buf, a->rr[0].data, a->rr[0].len);
        buf[a->rr[0].len] = '\0';
    }
    vouch_dns_answer_free(a);
    return buf;
}

static char tmpdir[256];

/* Write text to tmpdir/rel (folders must exist). Returns the full path in
 * a static buffer. */
static const char *
write_file(const char *rel, const char *text)
{
    static char path[512];
    FILE *f;

    (void)snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
    f = fopen(path, "w");
    if (f == NULL) {
        return NULL;
    }
    fputs(text, f);
    fclose(f);
    return path;
}

static void
remove_tmpdir(void)
{
    char cmd[300];

    (void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", tmpdir);
    }
}

/* A fresh folder under /tmp, removed at exit. */
static bool
make_tmpdir(void)
{
    if (tmpdir[0] != '\0') {
        return true;
    }
    (void)snprintf(tmpdir, sizeof(tmpdir), "/tmp/vouch-zone-XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        tmpdir[0] = '\0';
        return false;
    }
    atexit(remove_tmpdir);
    return true;
}

/* ---- record types and their decoding ------------------------------------ */

static const struct {
    const char *name;
    const char *zone;
    const char *qname;
    uint16_t qtype;
    uint16_t pref, nstrings;
    uint32_t ttl;
    const char *data;
    size_t len;
} rr_cases[] = {
    { "A", "a.example. 300 IN A 192.0.2.1", "a.example", VOUCH_DNS_A, 0, 0, 300,
      "\300\000\002\001", 4 },
    { "AAAA", "a.example. 300 IN AAAA 2001:db8::1", "a.example", VOUCH_DNS_AAAA,
      0, 0, 300, "\040\001\015\270\0\0\0\0\0\0\0\0\0\0\0\001", 16 },
    { "AAAA mapped", "a.example. 1 AAAA ::ffff:192.0.2.1", "a.example",
      VOUCH_DNS_AAAA, 0, 0, 1, "\0\0\0\0\0\0\0\0\0\0\377\377\300\000\002\001",
      16 },
    { "MX", "a.example. 60 IN MX 10 Mail.Example.", "a.example", VOUCH_DNS_MX,
      10, 0, 60, "Mail.Example", 12 },
    { "MX root", "a.example. 60 IN MX 0 .", "a.example", VOUCH_DNS_MX, 0, 0, 60,
      ".", 1 },
    { "TXT", "a.example. 60 TXT \"v=spf1 -all\"", "a.example", VOUCH_DNS_TXT, 0,
      1, 60, "v=spf1 -all", 11 },
    { "TXT multi", "a.example. 60 TXT \"ab\" \"\" \"cd\"", "a.example",
      VOUCH_DNS_TXT, 0, 3, 60, "abcd", 4 },
    { "TXT bare words", "a.example. 60 TXT v=spf1 -all", "a.example",
      VOUCH_DNS_TXT, 0, 2, 60, "v=spf1-all", 10 },
    { "TXT none", "a.example. 60 TXT", "a.example", VOUCH_DNS_TXT, 0, 0, 60, "",
      0 },
    { "TXT generic empty", "a.example. 60 TYPE16 \\# 0", "a.example",
      VOUCH_DNS_TXT, 0, 0, 60, "", 0 },
    { "TXT generic", "a.example. 60 TXT \\# 6 02 6869 01 21 00", "a.example",
      VOUCH_DNS_TXT, 0, 3, 60, "hi!", 3 },
    { "SPF", "a.example. 60 SPF \"v=spf1\" \" a\"", "a.example", VOUCH_DNS_SPF,
      0, 2, 60, "v=spf1 a", 8 },
    { "PTR", "1.2.0.192.in-addr.arpa. 60 PTR host.example.",
      "1.2.0.192.in-addr.arpa", VOUCH_DNS_PTR, 0, 0, 60, "host.example", 12 },
    { "CNAME asked", "a.example. 60 CNAME b.example.", "a.example",
      VOUCH_DNS_CNAME, 0, 0, 60, "b.example", 9 },
    { "NS", "example. 60 NS ns1.example.", "example", VOUCH_DNS_NS, 0, 0, 60,
      "ns1.example", 11 },
    { "SOA", "example. 60 SOA ns.example. host.example. ( 7 1h 2m 1w 5 )",
      "example", VOUCH_DNS_SOA, 0, 0, 60,
      "\002ns\007example\000\004host\007example\000"
      "\000\000\000\007\000\000\016\020\000\000\000\170"
      "\000\011\072\200\000\000\000\005",
      46 },
    { "TLSA", "_25._tcp.mx.example. 60 TLSA 3 1 1 ( 0a0B 0c )",
      "_25._tcp.mx.example", VOUCH_DNS_TLSA, 0, 0, 60,
      "\003\001\001\012\013\014", 6 },
    { "CAA", "example. 60 CAA 0 issue \"ca.example; x=1\"", "example",
      VOUCH_DNS_CAA, 0, 0, 60, "\000\005issueca.example; x=1", 22 },
    { "generic", "a.example. 60 TYPE65280 \\# 3 ABcdEF", "a.example", 65280, 0,
      0, 60, "\253\315\357", 3 },
    { "generic empty", "a.example. 60 TYPE65280 \\# 0", "a.example", 65280, 0,
      0, 60, "", 0 },
    { "A generic", "a.example. 60 A \\# 4 C0000201", "a.example", VOUCH_DNS_A,
      0, 0, 60, "\300\000\002\001", 4 },
    { "MX generic", "a.example. 60 MX \\# 7 0005 01 61 01 62 00", "a.example",
      VOUCH_DNS_MX, 5, 0, 60, "a.b", 3 },
    { "CLASS1", "a.example. CLASS1 60 A 192.0.2.1", "a.example", VOUCH_DNS_A, 0,
      0, 60, "\300\000\002\001", 4 },
    { "lower-case type", "a.example. 60 in txt x", "a.example", VOUCH_DNS_TXT,
      0, 1, 60, "x", 1 },
};

static void
test_dns_zone__record_types(void)
{
    size_t i;

    for (i = 0; i < VOUCH_ARRAY_LEN(rr_cases); i++) {
        vouch_zone_t *z = zone_of(rr_cases[i].zone);
        const vouch_dns_answer_t *a;
        const vouch_dns_rr_t *rr;

        CHECKF(z != NULL, "%s: %s", rr_cases[i].name, last_err.msg);
        if (z == NULL) {
            continue;
        }
        a = ask(z, rr_cases[i].qname, rr_cases[i].qtype);
        CHECKF(a != NULL && a->status == VOUCH_DNS_NOERROR && a->n == 1, "%s",
               rr_cases[i].name);
        if (a != NULL && a->n == 1) {
            rr = &a->rr[0];
            CHECKF(rr->type == rr_cases[i].qtype &&
                       rr->pref == rr_cases[i].pref &&
                       rr->nstrings == rr_cases[i].nstrings &&
                       rr->ttl == rr_cases[i].ttl && a->ttl == rr->ttl,
                   "%s: type %u pref %u nstrings %u ttl %u", rr_cases[i].name,
                   rr->type, rr->pref, rr->nstrings, rr->ttl);
            CHECKF(rr->len == rr_cases[i].len &&
                       memcmp(rr->data, rr_cases[i].data, rr->len) == 0,
                   "%s: data of %zu bytes", rr_cases[i].name, rr->len);
        }
        CHECK(vouch_zone_count(z) == 1);
        vouch_dns_answer_free(a);
        vouch_zone_free(z);
    }
}

/* ---- escapes ------------------------------------------------------------ */

static void
test_dns_zone__escapes(void)
{
    static const char text[] =
        "$ORIGIN example.\n"
        "t1 TXT \"a\\000b\" \"q\\\"uote\" \"back\\\\slash\" \"\\;x\"\n"
        "t2 TXT \"caf\303\251\" caf\\195\\169 sp\\032ace \\(x\\)\n"
        "t3 TXT \"semi;colon (paren)\"\n"
        "p1 PTR a\\.b.example.\n"
        "p2 PTR sp\\032ace.Example.\n"
        "p3 PTR back\\\\slash.example.\n"
        "\\065\\066c A 192.0.2.1\n"
        "odd\\.label A 192.0.2.2\n";
    vouch_zone_t *z = zone_of(text);
    const vouch_dns_answer_t *a;
    char buf[128];

    REQUIRE(z != NULL);
    a = ask(z, "t1.example", VOUCH_DNS_TXT);
    REQUIRE(a != NULL && a->n == 1);
    CHECK(a->rr[0].nstrings == 4);
    CHECK(a->rr[0].len == 3 + 6 + 10 + 2 &&
          memcmp(a->rr[0].data, "a\0bq\"uoteback\\slash;x", 21) == 0);
    vouch_dns_answer_free(a);

    a = ask(z, "t2.example", VOUCH_DNS_TXT);
    REQUIRE(a != NULL && a->n == 1);
    CHECK(a->rr[0].nstrings == 4);
    CHECK(a->rr[0].len == 5 + 5 + 6 + 3 &&
          memcmp(a->rr[0].data, "caf\303\251caf\303\251sp ace(x)", 19) == 0);
    vouch_dns_answer_free(a);

    CHECK_STR(first_data(z, "t3.example", VOUCH_DNS_TXT, buf, sizeof(buf)),
              "semi;colon (paren)");
    /* rdata names: '.' and odd bytes inside a label as \DDD, case kept */
    CHECK_STR(first_data(z, "p1.example", VOUCH_DNS_PTR, buf, sizeof(buf)),
              "a\\046b.example");
    CHECK_STR(first_data(z, "p2.example", VOUCH_DNS_PTR, buf, sizeof(buf)),
              "sp\\032ace.Example");
    CHECK_STR(first_data(z, "p3.example", VOUCH_DNS_PTR, buf, sizeof(buf)),
              "back\\\\slash.example");
    /* owners: escapes decoded, compared case-insensitively */
    CHECK(answers(z, "abc.example", VOUCH_DNS_A, VOUCH_DNS_NOERROR, 1));
    CHECK(answers(z, "ABC.EXAMPLE", VOUCH_DNS_A, VOUCH_DNS_NOERROR, 1));
    /* "odd\.label" is one label holding a dot: no query name can say it */
    CHECK(answers(z, "odd.label.example", VOUCH_DNS_A, VOUCH_DNS_NXDOMAIN, 0));
    CHECK(answers(z, "label.example", VOUCH_DNS_A, VOUCH_DNS_NXDOMAIN, 0));
    CHECK(vouch_zone_count(z) == 8);
    vouch_zone_free(z);
}

/* ---- master-file syntax ------------------------------------------------- */

static void
test_dns_zone__syntax(void)
{
    static const char text[] =
        "; a comment line\n"
        "\n"
        "   ; an indented comment line\n"
        "$TTL 1h30m\n"
        "$ORIGIN Example.\n"
        "@          IN SOA ns hostmaster (\n"
        "                  2024010101 ; serial\n"
        "                  7200 3600\n"
        "                  1209600 300 )\n"
        "           NS     ns\n"
        "           MX     10 mx1 ; blank owner: example.\n"
        "ns         A      192.0.2.53\r\n"
        "mx1        A      192.0.2.25\n"
        "           AAAA   2001:db8::25\n"
        "www  600   IN A   192.0.2.80\n"
        "www2 IN    600 A  192.0.2.81\n"
        "long TXT   ( \"part one \"   ; comment inside\n"
        "             \"part two\" )\n"
        "$ORIGIN sub\n" /* relative: sub.example. */
        "host       A      192.0.2.9\n"
        "abs.other. A      192.0.2.10\n"
        "           TXT    \"blank owner after an absolute name\"\n"
        "(  paren   A      192.0.2.11 )\n"
        "( )\n"
        "  ( ; an entry of nothing\n"
        "  )\n";
    vouch_zone_t *z = zone_of(text);
    const vouch_dns_answer_t *a;
    char buf[128];

    REQUIRE(z != NULL);
    CHECK(answers(z, "example", VOUCH_DNS_SOA, VOUCH_DNS_NOERROR, 1));
    CHECK(answers(z, "example", VOUCH_DNS_NS, VOUCH_DNS_NOERROR, 1));
    CHECK_STR(first_data(z, "example", VOUCH_DNS_MX, buf, sizeof(buf)),
              "mx1.Example");
    CHECK(answers(z, "ns.example", VOUCH_DNS_A, VOUCH_DNS_NOERROR, 1));
    CHECK(answers(z, "mx1.example", VOUCH_DNS_AAAA, VOUCH_DNS_NOERROR, 1));
    /* $TTL 1h30m for records without TTL, explicit TTLs in either order */
    a = ask(z, "mx1.example", VOUCH_DNS_A);
    CHECK(a != NULL && a->n == 1 && a->rr[0].ttl == 5400 && a->ttl == 5400);
    vouch_dns_answer_free(a);
    a = ask(z, "www.example", VOUCH_DNS_A);
    CHECK(a != NULL && a->n == 1 && a->rr[0].ttl == 600);
    vouch_dns_answer_free(a);
    a = ask(z, "www2.example", VOUCH_DNS_A);
    CHECK(a != NULL && a->n == 1 && a->rr[0].ttl == 600);
    vouch_dns_answer_free(a);
    a = ask(z, "long.example", VOUCH_DNS_TXT);
    CHECK(a != NULL && a->n == 1 && a->rr[0].nstrings == 2 &&
          a->rr[0].len == 17 &&
          memcmp(a->rr[0].data, "part one part two", 17) == 0);
    vouch_dns_answer_free(a);
    CHECK(answers(z, "host.sub.example", VOUCH_DNS_A, VOUCH_DNS_NOERROR, 1));
    CHECK(answers(z, "abs.other", VOUCH_DNS_A, VOUCH_DNS_NOERROR, 1));
    CHECK(answers(z, "abs.other", VOUCH_DNS_TXT, VOUCH_DNS_NOERROR, 1));
    CHECK(answers(z, "paren.sub.example", VOUCH_DNS_A, VOUCH_DNS_NOERROR, 1));
    CHECK(vouch_zone_count(z) == 13);
    vouch_dns_answer_free(NULL);
    vouch_zone_free(z);
}

static void
test_dns_zone__ttl_defaults(void)
{
    vouch_zone_t *z;
    const vouch_dns_answer_t *a;

    /* no $TTL: the last explicit TTL, else 3600 */
    z = zone_of("a.example. A 192.0.2.1\n"
                "b.example. 120 A 192.0.2.2\n"
                "c.example. A 192.0.2.3\n"
                "d.example. 2w A 192.0.2.4\n"
                "e.example. 1d2h3m4s A 192.0.2.5\n"
                "f.example. 1W A 192.0.2.6\n"
                "f.example. 2147483647 A 192.0.2.7\n");
    REQUIRE(z != NULL);
    a = ask(z, "a.example", VOUCH_DNS_A);
    CHECK(a != NULL && a->n == 1 && a->rr[0].ttl == 3600);
    vouch_dns_answer_free(a);
    a = ask(z, "c.example", VOUCH_DNS_A);
    CHECK(a != NULL && a->n == 1 && a->rr[0].ttl == 120);
    vouch_dns_answer_free(a);
    a = ask(z, "d.example", VOUCH_DNS_A);
    CHECK(a != NULL && a->n == 1 && a->rr[0].ttl == 1209600);
    vouch_dns_answer_free(a);
    a = ask(z, "e.example", VOUCH_DNS_A);
    CHECK(a != NULL && a->n == 1 && a->rr[0].ttl == 93784);
    vouch_dns_answer_free(a);
    /* an answer lives as long as its shortest record */
    a = ask(z, "f.example", VOUCH_DNS_A);
    CHECK(a != NULL && a->n == 2 && a->rr[0].ttl == 604800 &&
          a->rr[1].ttl == 2147483647u && a->ttl == 604800);
    vouch_dns_answer_free(a);
    /* negative answers: no $TTL, no SOA: 3600 */
    a = ask(z, "nope.example", VOUCH_DNS_A);
    CHECK(a != NULL && a->status == VOUCH_DNS_NXDOMAIN && a->ttl == 3600);
    vouch_dns_answer_free(a);
    vouch_zone_free(z);
}

/* ---- lookup rules ------------------------------------------------------- */

static void
test_dns_zone__nodata_nxdomain(void)
{
    static const char text[] = "$TTL 900\n"
                               "$ORIGIN example.\n"
                               "a           A    192.0.2.1\n"
                               "x.y.z.deep  TXT  \"deep\"\n"
                               "$ORIGIN other.\n"
                               "@  77 SOA ns host 1 2 3 4 50\n"
                               "h  A 192.0.2.2\n"
                               "$ORIGIN big.other.\n"
                               "@  20 SOA ns host 1 2 3 4 500\n";
    vouch_zone_t *z = zone_of(text);
    const vouch_dns_answer_t *a;

    REQUIRE(z != NULL);
    CHECK(answers(z, "a.example", VOUCH_DNS_A, VOUCH_DNS_NOERROR, 1));
    CHECK(answers(z, "a.example", VOUCH_DNS_TXT, VOUCH_DNS_NODATA, 0));
    CHECK(answers(z, "b.example", VOUCH_DNS_A, VOUCH_DNS_NXDOMAIN, 0));
    CHECK(answers(z, "x.a.example", VOUCH_DNS_A, VOUCH_DNS_NXDOMAIN, 0));
    /* RFC 8020: ancestors of an owner exist (empty non-terminals) */
    CHECK(answers(z, "y.z.deep.example", VOUCH_DNS_TXT, VOUCH_DNS_NODATA, 0));
    CHECK(answers(z, "z.deep.example", VOUCH_DNS_A, VOUCH_DNS_NODATA, 0));
    CHECK(answers(z, "deep.example", VOUCH_DNS_A, VOUCH_DNS_NODATA, 0));
    CHECK(answers(z, "example", VOUCH_DNS_A, VOUCH_DNS_NODATA, 0));
    CHECK(
        answers(z, "x.y.z.deep.example", VOUCH_DNS_TXT, VOUCH_DNS_NOERROR, 1));
    CHECK(answers(z, "w.z.deep.example", VOUCH_DNS_TXT, VOUCH_DNS_NXDOMAIN, 0));
    /* only owners count for an overlay */
    CHECK(vouch__zone_has_name(z, "a.example", 9));
    CHECK(vouch__zone_has_name(z, "x.y.z.deep.example", 18));
    CHECK(!vouch__zone_has_name(z, "z.deep.example", 14));
    CHECK(!vouch__zone_has_name(z, "example", 7));
    CHECK(!vouch__zone_has_name(z, "nope.example", 12));
    /* negative TTLs: closest enclosing SOA, min(TTL, MINIMUM) (RFC 2308
     * §5); elsewhere the $TTL */
    a = ask(z, "nope.h.other", VOUCH_DNS_A);
    CHECK(a != NULL && a->status == VOUCH_DNS_NXDOMAIN && a->ttl == 50);
    vouch_dns_answer_free(a);
    a = ask(z, "h.other", VOUCH_DNS_TXT);
    CHECK(a != NULL && a->status == VOUCH_DNS_NODATA && a->ttl == 50);
    vouch_dns_answer_free(a);
    a = ask(z, "x.big.other", VOUCH_DNS_A);
    CHECK(a != NULL && a->status == VOUCH_DNS_NXDOMAIN && a->ttl == 20);
    vouch_dns_answer_free(a);
    a = ask(z, "nope.example", VOUCH_DNS_A);
    CHECK(a != NULL && a->status == VOUCH_DNS_NXDOMAIN && a->ttl == 900 &&
          a->why == NULL);
    vouch_dns_answer_free(a);
    a = ask(z, "nope.elsewhere", VOUCH_DNS_A);
    CHECK(a != NULL && a->status == VOUCH_DNS_NXDOMAIN && a->ttl == 900);
    vouch_dns_answer_free(a);
    vouch_zone_free(z);
}

static void
test_dns_zone__cname(void)
{
    static const char text[] =
        "$ORIGIN example.\n"
        "a      300 CNAME b\n"
        "b      200 CNAME C.example.\n"
        "c      400 A     192.0.2.1\n"
        "c      500 A     192.0.2.2\n"
        "c          TXT   \"at c\"\n"
        "tonx       CNAME nowhere.example.\n"
        "toent      CNAME deep.example.\n"
        "x.y.deep   A     192.0.2.3\n"
        "self       CNAME self\n"
        "loop1      CNAME loop2\n"
        "loop2      CNAME loop3\n"
        "loop3      CNAME loop1\n"
        "both       CNAME c\n"
        "both       TXT   \"own\"\n"
        /* 8 links: followed; 9: too many */
        "h0 CNAME h1\nh1 CNAME h2\nh2 CNAME h3\nh3 CNAME h4\nh4 CNAME h5\n"
        "h5 CNAME h6\nh6 CNAME h7\nh7 CNAME h8\nh8 A 192.0.2.8\n"
        "g0 CNAME g1\ng1 CNAME g2\ng2 CNAME g3\ng3 CNAME g4\ng4 CNAME g5\n"
        "g5 CNAME g6\ng6 CNAME g7\ng7 CNAME g8\ng8 CNAME g9\ng9 A 192.0.2.9\n";
    vouch_zone_t *z = zone_of(text);
    const vouch_dns_answer_t *a;

    REQUIRE(z != NULL);
    /* the answer holds the records of the final name; TTL is the chain's
     * minimum */
    a = ask(z, "a.example", VOUCH_DNS_A);
    REQUIRE(a != NULL);
    CHECK(a->status == VOUCH_DNS_NOERROR && a->n == 2 && a->ttl == 200);
    CHECK(a->n == 2 && a->rr[0].type == VOUCH_DNS_A && a->rr[0].ttl == 400 &&
          memcmp(a->rr[1].data, "\300\000\002\002", 4) == 0);
    vouch_dns_answer_free(a);
    CHECK(answers(z, "a.example", VOUCH_DNS_TXT, VOUCH_DNS_NOERROR, 1));
    CHECK(answers(z, "a.example", VOUCH_DNS_MX, VOUCH_DNS_NODATA, 0));
    CHECK(answers(z, "a.example", VOUCH_DNS_CNAME, VOUCH_DNS_NOERROR, 1));
    /* closed world: a target outside the zone does not exist */
    CHECK(answers(z, "tonx.example", VOUCH_DNS_A, VOUCH_DNS_NXDOMAIN, 0));
    CHECK(answers(z, "toent.example", VOUCH_DNS_A, VOUCH_DNS_NODATA, 0));
    a = ask(z, "self.example", VOUCH_DNS_A);
    CHECK(a != NULL && a->status == VOUCH_DNS_SERVFAIL && a->n == 0 &&
          a->why != NULL && strstr(a->why, "CNAME loop") != NULL);
    vouch_dns_answer_free(a);
    a = ask(z, "loop1.example", VOUCH_DNS_TXT);
    CHECK(a != NULL && a->status == VOUCH_DNS_SERVFAIL && a->why != NULL);
    if (a != NULL && a->why != NULL) {
        CHECK_STR(a->why, "CNAME loop: loop1.example -> loop2.example -> "
                          "loop3.example -> loop1.example");
    }
    vouch_dns_answer_free(a);
    CHECK(answers(z, "loop2.example", VOUCH_DNS_CNAME, VOUCH_DNS_NOERROR, 1));
    /* records of the type at the name come before its CNAME */
    CHECK(answers(z, "both.example", VOUCH_DNS_TXT, VOUCH_DNS_NOERROR, 1));
    CHECK(answers(z, "both.example", VOUCH_DNS_A, VOUCH_DNS_NOERROR, 2));
    /* VOUCH_DNS_CNAME_MAX links */
    CHECK(answers(z, "h0.example", VOUCH_DNS_A, VOUCH_DNS_NOERROR, 1));
    a = ask(z, "g0.example", VOUCH_DNS_A);
    CHECK(a != NULL && a->status == VOUCH_DNS_SERVFAIL && a->why != NULL &&
          strstr(a->why, "CNAME chain too long") != NULL);
    vouch_dns_answer_free(a);
    CHECK(answers(z, "g1.example", VOUCH_DNS_A, VOUCH_DNS_NOERROR, 1));
    vouch_zone_free(z);
}

static void
test_dns_zone__fault(void)
{
    static const char text[] = "$ORIGIN example.\n"
                               "t        TXT \"v=spf1 -all\"\n"
                               "$FAULT t ANY TIMEOUT\n"
                               "$FAULT s.example. A SERVFAIL\n"
                               "s        A   192.0.2.1\n"
                               "s        MX  10 mx\n"
                               "$FAULT r TXT refused\n"
                               "$FAULT only TYPE65280 SERVFAIL\n"
                               "c        CNAME t\n"
                               "$ORIGIN sub.example.\n"
                               "$FAULT @ ANY SERVFAIL\n"
                               "$FAULT x ANY REFUSED\n"
                               "$FAULT x ANY TIMEOUT\n";
    vouch_zone_t *z = zone_of(text);
    const vouch_dns_answer_t *a;

    REQUIRE(z != NULL);
    CHECK(vouch_zone_count(z) == 4); /* faults are not records */
    /* ANY: every type without records */
    CHECK(answers(z, "t.example", VOUCH_DNS_TXT, VOUCH_DNS_NOERROR, 1));
    a = ask(z, "t.example", VOUCH_DNS_A);
    CHECK(a != NULL && a->status == VOUCH_DNS_TIMEOUT && a->n == 0 &&
          a->why != NULL);
    vouch_dns_answer_free(a);
    CHECK(answers(z, "t.example", VOUCH_DNS_MX, VOUCH_DNS_TIMEOUT, 0));
    /* a type: that type fails, even with records; others answer */
    CHECK(answers(z, "s.example", VOUCH_DNS_A, VOUCH_DNS_SERVFAIL, 0));
    CHECK(answers(z, "s.example", VOUCH_DNS_MX, VOUCH_DNS_NOERROR, 1));
    CHECK(answers(z, "s.example", VOUCH_DNS_TXT, VOUCH_DNS_NODATA, 0));
    CHECK(answers(z, "r.example", VOUCH_DNS_TXT, VOUCH_DNS_REFUSED, 0));
    CHECK(answers(z, "r.example", VOUCH_DNS_A, VOUCH_DNS_NODATA, 0));
    /* a name with only $FAULT lines exists */
    CHECK(answers(z, "only.example", VOUCH_DNS_A, VOUCH_DNS_NODATA, 0));
    CHECK(answers(z, "only.example", 65280, VOUCH_DNS_SERVFAIL, 0));
    CHECK(vouch__zone_has_name(z, "only.example", 12));
    CHECK(vouch__zone_has_name(z, "r.example", 9));
    /* through a CNAME: the status of the final name */
    CHECK(answers(z, "c.example", VOUCH_DNS_A, VOUCH_DNS_TIMEOUT, 0));
    CHECK(answers(z, "c.example", VOUCH_DNS_TXT, VOUCH_DNS_NOERROR, 1));
    /* owners relative to $ORIGIN, @; a later $FAULT replaces */
    CHECK(answers(z, "sub.example", VOUCH_DNS_A, VOUCH_DNS_SERVFAIL, 0));
    CHECK(answers(z, "x.sub.example", VOUCH_DNS_A, VOUCH_DNS_TIMEOUT, 0));
    CHECK(answers(z, "y.sub.example", VOUCH_DNS_A, VOUCH_DNS_NXDOMAIN, 0));
    vouch_zone_free(z);
}

static void
test_dns_zone__duplicates_and_sets(void)
{
    static const char one[] = "a.example. 60 A 192.0.2.1\n"
                              "a.example. 90 A 192.0.2.1\n"
                              "A.EXAMPLE. 60 A 192.0.2.2\n"
                              "a.example. 60 TXT \"ab\" \"c\"\n"
                              "a.example. 60 TXT \"abc\"\n";
    static const char two[] = "a.example. 60 A 192.0.2.3\n"
                              "a.example. 60 A 192.0.2.1\n"
                              "b.example. 60 MX 10 mx.example.\n"
                              "b.example. 60 MX 20 mx.example.\n";
    vouch_zone_t *z;
    vouch_error_t err;

    REQUIRE(vouch_zone_new(&z, test_ctx()) == 0);
    CHECK(vouch_zone_load_text(z, one, strlen(one), NULL, &err) == 0);
    /* exact duplicates are kept once (RFC 2181 §5); "ab" "c" and "abc"
     * differ */
    CHECK(vouch_zone_count(z) == 4);
    CHECK(vouch_zone_load_text(z, two, strlen(two), NULL, &err) == 0);
    CHECK(vouch_zone_count(z) == 7);
    CHECK(vouch_zone_load_text(z, two, strlen(two), NULL, &err) == 0);
    CHECK(vouch_zone_count(z) == 7);
    CHECK(answers(z, "a.example", VOUCH_DNS_A, VOUCH_DNS_NOERROR, 3));
    CHECK(answers(z, "a.example", VOUCH_DNS_TXT, VOUCH_DNS_NOERROR, 2));
    CHECK(answers(z, "b.example", VOUCH_DNS_MX, VOUCH_DNS_NOERROR, 2));
    vouch_zone_free(z);
    CHECK(vouch_zone_count(NULL) == 0);
    vouch_zone_free(NULL);
}

/* ---- the resolver front and the overlay --------------------------------- */

static void
test_dns_zone__resolver(void)
{
    vouch_zone_t *z = zone_of("$ORIGIN Example.COM.\n"
                              "WWW A 192.0.2.1\n"
                              "alias CNAME www\n");
    vouch_resolver_t *r;
    const vouch_dns_answer_t *a;
    vouch_error_t err;
    static const char *const names[] = { "www.example.com", "WWW.EXAMPLE.COM",
                                         "www.Example.com.",
                                         "alias.example.com." };
    size_t i;

    REQUIRE(z != NULL);
    REQUIRE(vouch_resolver_new_zone(&r, test_ctx(), z) == 0);
    for (i = 0; i < VOUCH_ARRAY_LEN(names); i++) {
        CHECK(vouch_dns_query(r, NULL, names[i], strlen(names[i]), VOUCH_DNS_A,
                              &a, &err) == 0);
        CHECKF(a != NULL && a->status == VOUCH_DNS_NOERROR && a->n == 1 &&
                   a->dnssec == VOUCH_DNSSEC_INSECURE,
               "%s", names[i]);
        vouch_dns_answer_free(a);
    }
    CHECK(vouch_dns_query(r, NULL, "nope.example.com", 16, VOUCH_DNS_A, &a,
                          &err) == 0);
    CHECK(a != NULL && a->status == VOUCH_DNS_NXDOMAIN);
    vouch_dns_answer_free(a);
    CHECK(vouch_dns_query(r, NULL, "a..b", 4, VOUCH_DNS_A, &a, &err) ==
          VOUCH_ESYNTAX);
    CHECK(a == NULL);
    vouch_resolver_free(r);
}

static void
test_dns_zone__fallback(void)
{
    vouch_zone_t *front = zone_of("$ORIGIN draft.example.\n"
                                  "@      TXT   \"v=spf1 include:x -all\"\n"
                                  "out  600 CNAME target.live.example.\n"
                                  "inz    CNAME in.draft.example.\n"
                                  "in     A     192.0.2.1\n"
                                  "toent  CNAME y.draft.example.\n"
                                  "x.y    A     192.0.2.2\n"
                                  "odd    CNAME a\\.b.live.example.\n");
    vouch_zone_t *live_zone = zone_of("$ORIGIN live.example.\n"
                                      "target 60 A 198.51.100.1\n"
                                      "target 60 A 198.51.100.2\n"
                                      "y.draft.example. A 198.51.100.3\n"
                                      "other A 198.51.100.4\n");
    vouch_zone_t *front2 =
        zone_of("draft.example. TXT \"v=spf1 -all\"\n"
                "out.draft.example. CNAME other.live.example.\n");
    vouch_resolver_t *live = NULL, *overlay = NULL, *live2 = NULL;
    const vouch_dns_answer_t *a;
    vouch_error_t err;

    REQUIRE(front != NULL && live_zone != NULL && front2 != NULL);
    REQUIRE(vouch_resolver_new_zone(&live, test_ctx(), live_zone) == 0);
    /* the chain leaves the zone: continued in the fallback */
    a = ask_via(front, "out.draft.example", VOUCH_DNS_A, live);
    CHECK(a != NULL && a->status == VOUCH_DNS_NOERROR && a->n == 2 &&
          a->ttl == 60 && a->dnssec == VOUCH_DNSSEC_INSECURE);
    vouch_dns_answer_free(a);
    a = ask_via(front, "out.draft.example", VOUCH_DNS_TXT, live);
    CHECK(a != NULL && a->status == VOUCH_DNS_NODATA);
    vouch_dns_answer_free(a);
    /* an empty non-terminal of the overlay is not one of its names */
    a = ask_via(front, "toent.draft.example", VOUCH_DNS_A, live);
    CHECK(a != NULL && a->status == VOUCH_DNS_NOERROR && a->n == 1);
    vouch_dns_answer_free(a);
    a = ask_via(front, "inz.draft.example", VOUCH_DNS_A, live);
    CHECK(a != NULL && a->status == VOUCH_DNS_NOERROR && a->n == 1 &&
          memcmp(a->rr[0].data, "\300\000\002\001", 4) == 0);
    vouch_dns_answer_free(a);
    /* without a fallback: closed world */
    CHECK(answers(front, "out.draft.example", VOUCH_DNS_A, VOUCH_DNS_NXDOMAIN,
                  0));
    /* the query's deadline has passed before the fallback could answer */
    a = NULL;
    CHECK(vouch__zone_query(front, "out.draft.example", 17, VOUCH_DNS_A, live,
                            1, &a, NULL) == 0);
    CHECK(a != NULL && a->status == VOUCH_DNS_TIMEOUT && a->n == 0);
    vouch_dns_answer_free(a);
    /* a target label holding a '.' cannot be asked of another resolver */
    a = ask_via(front, "odd.draft.example", VOUCH_DNS_A, live);
    CHECK(a != NULL && a->status == VOUCH_DNS_SERVFAIL && a->why != NULL);
    vouch_dns_answer_free(a);
    vouch_zone_free(front);

    /* the overlay resolver: its names from the zone, others live */
    REQUIRE(
        vouch_resolver_new_zone(&live2, test_ctx(),
                                zone_of("other.live.example. A 198.51.100.4\n"
                                        "draft.example. TXT \"live\"\n")) == 0);
    REQUIRE(vouch_resolver_new_overlay(&overlay, test_ctx(), front2, live2) ==
            0);
    CHECK(vouch_dns_query(overlay, NULL, "draft.example", 13, VOUCH_DNS_TXT, &a,
                          &err) == 0);
    CHECK(a != NULL && a->n == 1 && a->rr[0].len == 11);
    vouch_dns_answer_free(a);
    CHECK(vouch_dns_query(overlay, NULL, "out.draft.example", 17, VOUCH_DNS_A,
                          &a, &err) == 0);
    CHECK(a != NULL && a->status == VOUCH_DNS_NOERROR && a->n == 1);
    vouch_dns_answer_free(a);
    CHECK(vouch_dns_query(overlay, NULL, "other.live.example", 18, VOUCH_DNS_A,
                          &a, &err) == 0);
    CHECK(a != NULL && a->status == VOUCH_DNS_NOERROR && a->n == 1);
    vouch_dns_answer_free(a);
    vouch_resolver_free(overlay);
    vouch_resolver_free(live);
}

/* ---- errors ------------------------------------------------------------- */

static const struct {
    const char *text;
    int code;
    const char *msg; /* the whole message, or its start when ending in "*" */
} bad_cases[] = {
    { "a TXTX x\n", VOUCH_ESYNTAX, "t.zone:1: unknown record type 'TXTX'" },
    { "\na A 1.2.3\n", VOUCH_ESYNTAX, "t.zone:2: bad IPv4 address '1.2.3'" },
    { "a A 1.2.3.256\n", VOUCH_ESYNTAX,
      "t.zone:1: bad IPv4 address '1.2.3.256'" },
    { "a AAAA 192.0.2.1\n", VOUCH_ESYNTAX,
      "t.zone:1: bad IPv6 address '192.0.2.1'" },
    { "a TXT \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaa\"\n",
      VOUCH_ETOOBIG, "t.zone:1: TXT string longer than 255 bytes" },
    { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.x. A "
      "192.0.2.1\n",
      VOUCH_ETOOBIG, "t.zone:1: label longer than 63 bytes in *" },
    { "$ORIGIN "
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.\n"
      "ok A 192.0.2.1\n"
      "toolong A 192.0.2.1\n",
      VOUCH_ETOOBIG, "t.zone:3: domain name longer than 253 characters: *" },
    { "a TXT \"abc\nb A 192.0.2.1\n", VOUCH_ESYNTAX,
      "t.zone:1: unterminated quoted string" },
    { "a TXT ( \"x\"\nb A 192.0.2.1\nc A 192.0.2.2\n", VOUCH_ESYNTAX,
      "t.zone:1: '(' never closed" },
    { "a A 192.0.2.1 )\n", VOUCH_ESYNTAX, "t.zone:1: ')' without '('" },
    { "a TXT ( ( \"x\" ) )\n", VOUCH_ESYNTAX, "t.zone:1: nested '('" },
    { "a TXT ( \"x\"\n  \"y\" )\nb TXTX\n", VOUCH_ESYNTAX,
      "t.zone:3: unknown record type 'TXTX'" },
    { "$FAULT a A CRASH\n", VOUCH_ESYNTAX,
      "t.zone:1: bad $FAULT status 'CRASH' (TIMEOUT, SERVFAIL or REFUSED)" },
    { "$FAULT a BOGUS TIMEOUT\n", VOUCH_ESYNTAX,
      "t.zone:1: unknown record type 'BOGUS'" },
    { "$FAULT a A\n", VOUCH_ESYNTAX,
      "t.zone:1: missing field: $FAULT <owner> <TYPE|ANY> "
      "<TIMEOUT|SERVFAIL|REFUSED>" },
    { "$FAULT a A TIMEOUT extra\n", VOUCH_ESYNTAX,
      "t.zone:1: unexpected 'extra' at the end of the entry" },
    { "$GENERATE 1-4 a$ A 192.0.2.$\n", VOUCH_ESYNTAX,
      "t.zone:1: unknown directive '$GENERATE'" },
    { "$INCLUDE other.zone\n", VOUCH_ESYNTAX,
      "t.zone:1: $INCLUDE is refused in text loaded from memory" },
    { "a CH A 192.0.2.1\n", VOUCH_ESYNTAX,
      "t.zone:1: class 'CH' not supported (only IN)" },
    { "a CLASS3 A 192.0.2.1\n", VOUCH_ESYNTAX,
      "t.zone:1: class 'CLASS3' not supported (only IN)" },
    { "a 1x A 192.0.2.1\n", VOUCH_ESYNTAX, "t.zone:1: bad TTL '1x'" },
    { "a 2147483648 A 192.0.2.1\n", VOUCH_ESYNTAX,
      "t.zone:1: bad TTL '2147483648'" },
    { "$TTL 1h30\n", VOUCH_ESYNTAX, "t.zone:1: bad TTL '1h30'" },
    { "a TXT \"\\256\"\n", VOUCH_ESYNTAX,
      "t.zone:1: bad escape in '\\x5c256'" },
    { "a TXT x\\1\n", VOUCH_ESYNTAX, "t.zone:1: bad escape in 'x\\x5c1'" },
    { "a TYPE65280 \\# 3 0102\n", VOUCH_ESYNTAX,
      "t.zone:1: \\# says 3 bytes, the data has 2" },
    { "a TYPE65280 \\# 2 010\n", VOUCH_ESYNTAX,
      "t.zone:1: odd number of hex digits" },
    { "a TYPE65280 \\# 1 zz\n", VOUCH_ESYNTAX, "t.zone:1: bad hex data 'zz'" },
    { "a TYPE65280 abc\n", VOUCH_ESYNTAX,
      "t.zone:1: TYPE65280 rdata must be written \\# <length> <hex> (RFC "
      "3597)" },
    { " A 192.0.2.1\n", VOUCH_ESYNTAX, "t.zone:1: no owner name *" },
    { "a A 192.0.2.1 5\n", VOUCH_ESYNTAX,
      "t.zone:1: unexpected '5' at the end of the entry" },
    { "a MX 65536 mx\n", VOUCH_ESYNTAX, "t.zone:1: bad MX preference '65536'" },
    { "a MX 10\n", VOUCH_ESYNTAX, "t.zone:1: missing MX exchange" },
    { "a CNAME\n", VOUCH_ESYNTAX, "t.zone:1: missing target name" },
    { "a\n", VOUCH_ESYNTAX, "t.zone:1: missing record type" },
    { "a..b A 192.0.2.1\n", VOUCH_ESYNTAX, "t.zone:1: empty label in 'a..b'" },
    { "a\\999 A 192.0.2.1\n", VOUCH_ESYNTAX,
      "t.zone:1: bad escape in 'a\\x5c999'" },
    { "a TXT \"abc\\", VOUCH_ESYNTAX, "t.zone:1: unterminated quoted string" },
    { "$INCLUDE\n", VOUCH_ESYNTAX,
      "t.zone:1: $INCLUDE is refused in text loaded from memory" },
    { ".a A 192.0.2.1\n", VOUCH_ESYNTAX, "t.zone:1: empty label in '.a'" },
    { "\"a\" A 192.0.2.1\n", VOUCH_ESYNTAX,
      "t.zone:1: domain name in quotes: \"a\"" },
    { "a A \\# 3 010203\n", VOUCH_ESYNTAX, "t.zone:1: bad A rdata" },
    { "a MX \\# 3 000a05\n", VOUCH_ESYNTAX, "t.zone:1: bad MX rdata" },
    { "a SOA \\# 1 00\n", VOUCH_ESYNTAX, "t.zone:1: bad SOA rdata" },
    { "a TXT \\# 2 0501\n", VOUCH_ESYNTAX, "t.zone:1: bad TXT rdata" },
    { "a CNAME \\# 0\n", VOUCH_ESYNTAX, "t.zone:1: bad CNAME rdata" },
    { "a MX \\# 0\n", VOUCH_ESYNTAX, "t.zone:1: bad MX rdata" },
    { "a SOA \\# 0\n", VOUCH_ESYNTAX, "t.zone:1: bad SOA rdata" },
    { "a A \\# 0\n", VOUCH_ESYNTAX, "t.zone:1: bad A rdata" },
    { "a TLSA 3 1 1\n", VOUCH_ESYNTAX,
      "t.zone:1: missing TLSA certificate association data" },
    { "a TLSA 3 1 256 00\n", VOUCH_ESYNTAX,
      "t.zone:1: bad TLSA matching type '256'" },
    { "a CAA 0 is-sue \"x\"\n", VOUCH_ESYNTAX,
      "t.zone:1: bad CAA tag 'is-sue'" },
    { "a SOA ns host 1 2 3 4\n", VOUCH_ESYNTAX,
      "t.zone:1: missing SOA minimum" },
    { "a TXT x\\", VOUCH_ESYNTAX, "t.zone:1: '\\' at the end of the input" },
    /* 63.63.63.62 and the root: 256 octets */
    { "%s A 192.0.2.1\n", VOUCH_ETOOBIG,
      "t.zone:1: domain name longer than 253 characters: *" },
    { "ok A 192.0.2.1\n\n\n; c\nbad A\n", VOUCH_ESYNTAX,
      "t.zone:5: missing IPv4 address" },
};

/* "aaa...aaa." of labels 63, 63, 63 and last (static buffer). */
static const char *
long_name(size_t last)
{
    static char name[300];
    size_t i, o = 0;

    for (i = 0; i < 4; i++) {
        size_t n = i < 3 ? 63 : last;

        memset(name + o, 'a', n);
        o += n;
        name[o++] = '.';
    }
    name[o] = '\0';
    return name;
}

static void
test_dns_zone__errors(void)
{
    const char *text;
    char buf[400];
    size_t i;

    for (i = 0; i < VOUCH_ARRAY_LEN(bad_cases); i++) {
        const char *want = bad_cases[i].msg;
        size_t wl = strlen(want);
        vouch_error_t err;
        vouch_zone_t *z;
        int rc;

        REQUIRE(vouch_zone_new(&z, test_ctx()) == 0);
        vouch_error_clear(&err);
        text = bad_cases[i].text;
        if (strncmp(text, "%s", 2) == 0) { /* a name of 63.63.63.62. */
            (void)snprintf(buf, sizeof(buf), text, long_name(62));
            text = buf;
        }
        rc = vouch_zone_load_text(z, text, strlen(text), "t.zone", &err);
        CHECKF(rc == bad_cases[i].code, "case %zu: %s, want %s", i,
               vouch_errname(rc), vouch_errname(bad_cases[i].code));
        CHECKF(err.code == rc && err.module != NULL &&
                   strcmp(err.module, "zone") == 0,
               "case %zu: err.code %d", i, err.code);
        if (want[wl - 1] == '*') {
            CHECKF(strncmp(err.msg, want, wl - 1) == 0,
                   "case %zu: got \"%s\", want \"%s\"", i, err.msg, want);
        } else {
            CHECKF(strcmp(err.msg, want) == 0,
                   "case %zu: got \"%s\", want \"%s\"", i, err.msg, want);
        }
        vouch_zone_free(z);
    }
}

static void
test_dns_zone__nul_and_binary(void)
{
    static const char text[] = "a TXT \"x\0y\"\n";
    static const char word[] = "a TXT x\0y\n";
    static const char bin[] = "\377\376\001\002 \"\\\n(\n";
    vouch_error_t err;
    vouch_zone_t *z;

    REQUIRE(vouch_zone_new(&z, test_ctx()) == 0);
    CHECK(vouch_zone_load_text(z, text, sizeof(text) - 1, "t.zone", &err) ==
          VOUCH_ESYNTAX);
    CHECK_STR(err.msg, "t.zone:1: NUL byte (write it \\000)");
    CHECK(vouch_zone_load_text(z, word, sizeof(word) - 1, "t.zone", &err) ==
          VOUCH_ESYNTAX);
    CHECK_STR(err.msg, "t.zone:1: NUL byte (write it \\000)");
    CHECK(err.offset == 7);
    CHECK(vouch_zone_load_text(z, bin, sizeof(bin) - 1, NULL, &err) ==
          VOUCH_ESYNTAX);
    CHECK(strncmp(err.msg, "<memory>:1: ", 12) == 0);
    /* empty inputs are fine */
    CHECK(vouch_zone_load_text(z, NULL, 0, NULL, &err) == 0);
    CHECK(vouch_zone_load_text(z, "\n\n  ; x\n", 8, NULL, NULL) == 0);
    CHECK(vouch_zone_count(z) == 0);
    vouch_zone_free(z);
}

/* ---- limits ------------------------------------------------------------- */

static void
test_dns_zone__limits(void)
{
    char name[VOUCH_DNS_NAME_BUF];
    vouch_buf_t b;
    vouch_error_t err;
    vouch_zone_t *z;
    char *big;
    size_t i;
    int ok = 1;

    /* a name of exactly 253 characters (255 octets) loads; RRsets up to
     * what an answer holds */
    vouch_buf_init(&b, test_ctx(), 1 << 20);
    for (i = 0; i < 253; i++) { /* 63.63.63.61 */
        ok &= vouch_buf_addc(&b, i == 63 || i == 127 || i == 191 ? '.' : 'a') ==
              0;
    }
    REQUIRE(ok && b.len == 253);
    (void)snprintf(name, sizeof(name), "%s", b.ptr);
    ok &= vouch_buf_puts(&b, ". A 192.0.2.1\n") == 0;
    for (i = 0; i < VOUCH_DNS_ANSWER_RR_MAX; i++) {
        ok &= vouch_buf_printf(&b, "big.example. TXT \"%zu\"\n", i) == 0;
    }
    REQUIRE(ok);
    REQUIRE(vouch_zone_new(&z, test_ctx()) == 0);
    CHECKF(vouch_zone_load_text(z, b.ptr, b.len, NULL, &err) == 0, "%s",
           err.msg);
    CHECK(answers(z, "big.example", VOUCH_DNS_TXT, VOUCH_DNS_NOERROR,
                  VOUCH_DNS_ANSWER_RR_MAX));
    CHECK(answers(z, name, VOUCH_DNS_A, VOUCH_DNS_NOERROR, 1));
    CHECK(vouch_zone_load_text(z, "big.example. TXT x\n", 19, NULL, &err) ==
          VOUCH_ETOOBIG);
    CHECK_STR(err.msg, "<memory>:1: more than 4096 records of one type at "
                       "one name (an answer holds no more)");
    vouch_zone_free(z);
    vouch_buf_dispose(&b);

    /* rdata up to 65535 bytes (RFC 1035 §4.2.1 message size), no more */
    vouch_buf_init(&b, test_ctx(), 1 << 20);
    ok &= vouch_buf_puts(&b, "t.example. TXT") == 0;
    for (i = 0; i < 256; i++) { /* 256 length bytes + 255 * 255 + 254 */
        ok &= vouch_buf_printf(&b, i < 255 ? " \"%0255d\"" : " \"%0254d\"",
                               0) == 0;
    }
    ok &= vouch_buf_puts(&b, "\nc.example. CAA 0 x \"") == 0;
    for (i = 0; i < 60000; i++) {
        ok &= vouch_buf_addc(&b, (char)('a' + i % 26)) == 0;
    }
    ok &= vouch_buf_puts(&b, "\"\n") == 0;
    REQUIRE(ok);
    REQUIRE(vouch_zone_new(&z, test_ctx()) == 0);
    CHECKF(vouch_zone_load_text(z, b.ptr, b.len, NULL, &err) == 0, "%s",
           err.msg);
    {
        const vouch_dns_answer_t *a = ask(z, "t.example", VOUCH_DNS_TXT);

        CHECK(a != NULL && a->n == 1 && a->rr[0].len == 65535 - 256 &&
              a->rr[0].nstrings == 256 && a->rr[0].data[65278] == '0');
        vouch_dns_answer_free(a);
        a = ask(z, "c.example", VOUCH_DNS_CAA);
        CHECK(a != NULL && a->n == 1 && a->rr[0].len == 3 + 60000 &&
              a->rr[0].data[60002] == 'a' + 59999 % 26);
        vouch_dns_answer_free(a);
    }
    vouch_buf_clear(&b);
    ok &= vouch_buf_puts(&b, "t.example. TXT") == 0;
    for (i = 0; i < 258; i++) {
        ok &= vouch_buf_printf(&b, " \"%0254d\"", 0) == 0;
    }
    REQUIRE(ok);
    CHECK(vouch_zone_load_text(z, b.ptr, b.len, NULL, &err) == VOUCH_ETOOBIG);
    CHECK_STR(err.msg, "<memory>:1: rdata longer than 65535 bytes");
    vouch_buf_dispose(&b);
    vouch_zone_free(z);

    /* file size: refused before reading a byte */
    big = calloc(1, VOUCH_ZONE_FILE_MAX + 1);
    REQUIRE(big != NULL);
    REQUIRE(vouch_zone_new(&z, test_ctx()) == 0);
    CHECK(vouch_zone_load_text(z, big, VOUCH_ZONE_FILE_MAX + 1, "huge.zone",
                               &err) == VOUCH_ETOOBIG);
    CHECK(strncmp(err.msg, "huge.zone: larger than", 22) == 0);
    free(big);
    vouch_zone_free(z);
}

/* ---- files -------------------------------------------------------------- */

static void
test_dns_zone__include(void)
{
    char path[512], sub[512];
    const char *p;
    vouch_error_t err;
    vouch_zone_t *z;

    REQUIRE(make_tmpdir());
    (void)snprintf(sub, sizeof(sub), "%s/sub", tmpdir);
    REQUIRE(mkdir(sub, 0700) == 0 || access(sub, F_OK) == 0);
    REQUIRE(write_file("sub/inc.zone", "@    A   192.0.2.1\n"
                                       "www  A   192.0.2.2\n"
                                       "$TTL 77\n"
                                       "$ORIGIN other.example.\n"
                                       "x    A   192.0.2.3\n"
                                       "$INCLUDE \"deeper.zone\"\n") != NULL);
    REQUIRE(write_file("sub/deeper.zone", "deep TXT \"from deeper\"\n") !=
            NULL);
    p = write_file("main.zone", "$ORIGIN example.\n"
                                "$TTL 300\n"
                                "first A 192.0.2.8\n"
                                "$INCLUDE sub/inc.zone sub.example. ; origin\n"
                                "      TXT \"owner restored\"\n"
                                "after A 192.0.2.9\n");
    REQUIRE(p != NULL);
    (void)snprintf(path, sizeof(path), "%s", p);

    REQUIRE(vouch_zone_new(&z, test_ctx()) == 0);
    CHECKF(vouch_zone_load_file(z, path, &err) == 0, "%s", err.msg);
    CHECK(answers(z, "sub.example", VOUCH_DNS_A, VOUCH_DNS_NOERROR, 1));
    CHECK(answers(z, "www.sub.example", VOUCH_DNS_A, VOUCH_DNS_NOERROR, 1));
    CHECK(answers(z, "x.other.example", VOUCH_DNS_A, VOUCH_DNS_NOERROR, 1));
    CHECK(
        answers(z, "deep.other.example", VOUCH_DNS_TXT, VOUCH_DNS_NOERROR, 1));
    /* nothing the included file changed comes back: origin, owner, $TTL */
    CHECK(answers(z, "first.example", VOUCH_DNS_TXT, VOUCH_DNS_NOERROR, 1));
    {
        const vouch_dns_answer_t *a = ask(z, "after.example", VOUCH_DNS_A);

        CHECK(a != NULL && a->n == 1 && a->rr[0].ttl == 300);
        vouch_dns_answer_free(a);
        a = ask(z, "deep.other.example", VOUCH_DNS_TXT);
        CHECK(a != NULL && a->n == 1 && a->rr[0].ttl == 77);
        vouch_dns_answer_free(a);
    }
    CHECK(vouch_zone_count(z) == 7);
    /* loading the same file again adds nothing */
    CHECK(vouch_zone_load_file(z, path, &err) == 0);
    CHECK(vouch_zone_count(z) == 7);
    vouch_zone_free(z);
}

static void
test_dns_zone__include_errors(void)
{
    char name[64], text[600], want[600];
    const char *p;
    vouch_error_t err;
    vouch_zone_t *z;
    int i;

    REQUIRE(make_tmpdir());
    REQUIRE(vouch_zone_new(&z, test_ctx()) == 0);
    /* an unreadable file */
    (void)snprintf(want, sizeof(want), "%s/absent.zone", tmpdir);
    CHECK(vouch_zone_load_file(z, want, &err) == VOUCH_EIO);
    CHECK(strstr(err.msg, "cannot read") != NULL &&
          strstr(err.msg, "absent.zone") != NULL && err.module != NULL &&
          strcmp(err.module, "zone") == 0);
    CHECK(vouch_zone_load_file(z, tmpdir, &err) == VOUCH_EIO);
    /* a missing include: the including file and line */
    p = write_file("missing.zone", "a A 192.0.2.1\n$INCLUDE nothere.zone\n");
    REQUIRE(p != NULL);
    (void)snprintf(text, sizeof(text), "%s", p);
    CHECK(vouch_zone_load_file(z, text, &err) == VOUCH_EIO);
    (void)snprintf(want, sizeof(want),
                   "%s/missing.zone:2: cannot read %s/nothere.zone: No such "
                   "file or directory",
                   tmpdir, tmpdir);
    CHECK_STR(err.msg, want);
    /* an error inside an included file names that file */
    REQUIRE(write_file("inner_bad.zone", "\n\nx A 300.1.1.1\n") != NULL);
    p = write_file("outer.zone", "$INCLUDE inner_bad.zone\n");
    REQUIRE(p != NULL);
    CHECK(vouch_zone_load_file(z, p, &err) == VOUCH_ESYNTAX);
    (void)snprintf(want, sizeof(want),
                   "%s/inner_bad.zone:3: bad IPv4 address '300.1.1.1'", tmpdir);
    CHECK_STR(err.msg, want);
    p = write_file("emptyname.zone", "$INCLUDE \"\"\n");
    REQUIRE(p != NULL);
    CHECK(vouch_zone_load_file(z, p, &err) == VOUCH_ESYNTAX);
    CHECK(strstr(err.msg, "emptyname.zone:1: bad $INCLUDE file name ''") !=
          NULL);
    /* a loop */
    REQUIRE(write_file("loop_a.zone", "$INCLUDE loop_b.zone\n") != NULL);
    p = write_file("loop_b.zone", "b A 192.0.2.1\n$INCLUDE loop_a.zone\n");
    REQUIRE(p != NULL);
    CHECK(vouch_zone_load_file(z, p, &err) == VOUCH_ESYNTAX);
    CHECK(strstr(err.msg, "loop_a.zone:1: $INCLUDE loop: ") != NULL);
    /* depth: d1 .. d9 is 8 includes deep, d0 .. d9 nine */
    for (i = 0; i < 10; i++) {
        (void)snprintf(name, sizeof(name), "d%d.zone", i);
        (void)snprintf(text, sizeof(text),
                       i < 9 ? "d%d A 192.0.2.1\n$INCLUDE d%d.zone\n"
                             : "d%d A 192.0.2.1\n",
                       i, i + 1);
        REQUIRE(write_file(name, text) != NULL);
    }
    (void)snprintf(text, sizeof(text), "%s/d1.zone", tmpdir);
    CHECKF(vouch_zone_load_file(z, text, &err) == 0, "%s", err.msg);
    CHECK(answers(z, "d9", VOUCH_DNS_A, VOUCH_DNS_NOERROR, 1));
    (void)snprintf(text, sizeof(text), "%s/d0.zone", tmpdir);
    CHECK(vouch_zone_load_file(z, text, &err) == VOUCH_ETOOBIG);
    CHECK(strstr(err.msg, "d8.zone:2: $INCLUDE nested deeper than 8") != NULL);
    vouch_zone_free(z);
}

static void
test_dns_zone__file_too_big(void)
{
    char path[512];
    vouch_error_t err;
    vouch_zone_t *z;
    FILE *f;

    REQUIRE(make_tmpdir());
    (void)snprintf(path, sizeof(path), "%s/huge.zone", tmpdir);
    f = fopen(path, "w");
    REQUIRE(f != NULL);
    /* sparse: no disk used */
    REQUIRE(ftruncate(fileno(f), (off_t)VOUCH_ZONE_FILE_MAX + 1) == 0);
    fclose(f);
    REQUIRE(vouch_zone_new(&z, test_ctx()) == 0);
    CHECK(vouch_zone_load_file(z, path, &err) == VOUCH_ETOOBIG);
    CHECK(strstr(err.msg, "huge.zone: too large") != NULL);
    vouch_zone_free(z);
    unlink(path);
}

/* ---- scale and threads -------------------------------------------------- */

#define MANY 100000

static vouch_zone_t *many_zone;

static void *
reader(void *arg)
{
    size_t i, bad = 0, seed = (size_t)(uintptr_t)arg;

    for (i = 0; i < MANY; i++) {
        char name[64];
        size_t k = (i * 7919 + seed) % (MANY + 100);
        const vouch_dns_answer_t *a;

        (void)snprintf(name, sizeof(name), "h%zu.example", k);
        a = ask(many_zone, name, VOUCH_DNS_A);
        if (a == NULL ||
            a->status != (k < MANY ? VOUCH_DNS_NOERROR : VOUCH_DNS_NXDOMAIN) ||
            (k < MANY && (a->n != 1 || (uint8_t)a->rr[0].data[3] != k % 256))) {
            bad++;
        }
        vouch_dns_answer_free(a);
    }
    return (void *)(uintptr_t)bad;
}

static void
test_dns_zone__many_names_threads(void)
{
    pthread_t th[4];
    vouch_buf_t b;
    vouch_error_t err;
    size_t i;
    int ok = 1;

    vouch_buf_init(&b, test_ctx(), (size_t)64 << 20);
    for (i = 0; i < MANY; i++) {
        ok &= vouch_buf_printf(&b, "h%zu.example. A 10.%zu.%zu.%zu\n", i,
                               i >> 16, (i >> 8) & 255, i & 255) == 0;
    }
    REQUIRE(ok);
    REQUIRE(vouch_zone_new(&many_zone, test_ctx()) == 0);
    CHECK(vouch_zone_load_text(many_zone, b.ptr, b.len, NULL, &err) == 0);
    vouch_buf_dispose(&b);
    CHECK(vouch_zone_count(many_zone) == MANY);
    /* read-only after loading: no locks needed */
    for (i = 0; i < 4; i++) {
        REQUIRE(pthread_create(&th[i], NULL, reader, (void *)(uintptr_t)i) ==
                0);
    }
    for (i = 0; i < 4; i++) {
        void *bad;

        pthread_join(th[i], &bad);
        CHECKF(bad == NULL, "thread %zu: %zu wrong answers", i,
               (size_t)(uintptr_t)bad);
    }
    vouch_zone_free(many_zone);
}

/* ---- OOM ---------------------------------------------------------------- */

static const char oom_text[] =
    "$TTL 300\n$ORIGIN example.\n"
    "@ SOA ns host 1 2 3 4 60\n"
    "a A 192.0.2.1\n A 192.0.2.2\n A 192.0.2.3\n A 192.0.2.4\n"
    "  A 192.0.2.5\n\tTXT \"v=spf1\" \" -all\"\n"
    "c CNAME a\nx.y.z TXT \"deep\"\n$FAULT f ANY TIMEOUT\n"
    "mx MX 10 a\n";

/* Build, load, query; any step may fail with ENOMEM. */
static int
oom_run(const char *path, size_t *count)
{
    const vouch_dns_answer_t *a = NULL;
    vouch_error_t err;
    vouch_zone_t *z;
    int rc = vouch_zone_new(&z, test_oom_ctx());

    if (rc != 0) {
        return rc;
    }
    rc = path != NULL
             ? vouch_zone_load_file(z, path, &err)
             : vouch_zone_load_text(z, oom_text, strlen(oom_text), NULL, &err);
    if (rc == 0) {
        rc = vouch__zone_query(z, "c.example", 9, VOUCH_DNS_A, NULL, 0, &a,
                               &err);
    }
    if (rc == 0) {
        *count = a->n;
        vouch_dns_answer_free(a);
        rc = vouch__zone_query(z, "nope.example", 12, VOUCH_DNS_A, NULL, 0, &a,
                               &err);
        vouch_dns_answer_free(a);
    }
    if (rc != 0 && err.code != rc) {
        rc = VOUCH_EINTERNAL; /* the error detail must match */
    }
    vouch_zone_free(z);
    return rc;
}

static void
oom_sweep(const char *path)
{
    unsigned long n;
    long live;
    size_t count = 0;
    int rc;

    test_oom_ctx();
    live = test_oom_live;
    for (n = 1; n < 100000; n++) {
        test_oom_count = 0;
        test_oom_fail_at = n;
        rc = oom_run(path, &count);
        test_oom_fail_at = 0;
        CHECKF(test_oom_live == live, "fail at %lu: %ld blocks leaked", n,
               test_oom_live - live);
        if (rc == 0) {
            break;
        }
        CHECKF(rc == VOUCH_ENOMEM, "fail at %lu: %s", n, vouch_errname(rc));
        if (rc != VOUCH_ENOMEM) {
            break;
        }
    }
    CHECKF(n > 10, "only %lu allocations", n);
    CHECK(count == 5);
}

static void
test_dns_zone__oom(void)
{
    char path[512];
    const char *p;

    oom_sweep(NULL);
    REQUIRE(make_tmpdir());
    REQUIRE(write_file("oom_inc.zone", oom_text) != NULL);
    p = write_file("oom.zone", "$INCLUDE oom_inc.zone\n");
    REQUIRE(p != NULL);
    (void)snprintf(path, sizeof(path), "%s", p);
    oom_sweep(path);
}

static const test_case_t cases[] = {
    TEST(dns_zone__record_types),
    TEST(dns_zone__escapes),
    TEST(dns_zone__syntax),
    TEST(dns_zone__ttl_defaults),
    TEST(dns_zone__nodata_nxdomain),
    TEST(dns_zone__cname),
    TEST(dns_zone__fault),
    TEST(dns_zone__duplicates_and_sets),
    TEST(dns_zone__resolver),
    TEST(dns_zone__fallback),
    TEST(dns_zone__errors),
    TEST(dns_zone__nul_and_binary),
    TEST(dns_zone__limits),
    TEST(dns_zone__include),
    TEST(dns_zone__include_errors),
    TEST(dns_zone__file_too_big),
    TEST(dns_zone__many_names_threads),
    TEST(dns_zone__oom),
};

TEST_MAIN(cases)
