/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the DNS front (resolver.c), names (name.c) and the cache
 * (cache.c), with a fake backend that counts what reaches it.
 */
#include <pthread.h>
#include <unistd.h>

#include "harness.h"
#include "dns/dns_internal.h"

/* ---- a fake backend
 * --------------------------------------------------------------- */

typedef struct fake {
    const vouch_ctx_t *ctx;
    unsigned calls;
    char last[VOUCH_DNS_NAME_BUF];
    vouch_dns_status_t status;
    vouch_dnssec_t dnssec;
    uint32_t ttl;
    pthread_mutex_t lock;
} fake_t;

static int
fake_query(void *impl, const char *name, size_t len, uint16_t type,
           int64_t deadline_ms, const vouch_dns_answer_t **out,
           vouch_error_t *err)
{
    fake_t *f = impl;
    vouch_dns_rr_t rr;
    static const uint8_t addr[4] = { 192, 0, 2, 1 };

    (void)deadline_ms;
    (void)err;
    pthread_mutex_lock(&f->lock);
    f->calls++;
    memcpy(f->last, name, len + 1);
    pthread_mutex_unlock(&f->lock);
    memset(&rr, 0, sizeof(rr));
    rr.type = type;
    rr.ttl = f->ttl;
    rr.data = (const char *)addr;
    rr.len = 4;
    return vouch__dns_answer_new(f->ctx, f->status, f->dnssec, f->ttl, &rr,
                                 f->status == VOUCH_DNS_NOERROR ? 1 : 0, NULL,
                                 out);
}

static void
fake_free(void *impl)
{
    (void)impl; /* owned by the test */
}

static const vouch__dns_backend_t fake_backend = { "fake", fake_query,
                                                   fake_free, NULL };

static vouch_resolver_t *
fake_resolver(fake_t *f, size_t cache)
{
    vouch_resolver_t *r = NULL;

    memset(f, 0, sizeof(*f));
    f->ctx = test_ctx();
    f->ttl = 300;
    pthread_mutex_init(&f->lock, NULL);
    if (vouch__resolver_wrap(&r, test_ctx(), &fake_backend, f) != 0) {
        return NULL;
    }
    if (cache > 0 && vouch_resolver_enable_cache(r, cache) != 0) {
        vouch_resolver_free(r);
        return NULL;
    }
    return r;
}

static int
q(vouch_resolver_t *r, vouch_dns_budget_t *b, const char *name, uint16_t type,
  const vouch_dns_answer_t **a)
{
    return vouch_dns_query(r, b, name, strlen(name), type, a, NULL);
}

/* ---- names
 * ------------------------------------------------------------------------ */

static void
test_dns__name_normalize(void)
{
    static const struct {
        const char *in;
        size_t len;
        const char *out; /* NULL: invalid */
    } rows[] = {
        { "Example.COM", 11, "example.com" },
        { "example.com.", 12, "example.com" },
        { "a", 1, "a" },
        { "", 0, NULL },
        { ".", 1, NULL },
        { "a..b", 4, NULL },
        { ".a", 2, NULL },
        { "a.b..", 5, NULL },
        { "a\0b.com", 7, NULL },
        { "with space.example", 18, "with space.example" },
        /* letters only change case; neighbours and 8-bit bytes do not,
         * in the 8-byte blocks and in the tail */
        { "@AZ[`az{\xc1\xda.@AZ[`az{", 19, "@az[`az{\xc1\xda.@az[`az{" },
        { "MiXeD-CaSe_Label.EXAMPLE.ORG", 28, "mixed-case_label.example.org" },
    };

    char out[VOUCH_DNS_NAME_BUF], name[400];
    size_t i, len;

    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        int rc = vouch__dns_name_normalize(out, &len, rows[i].in, rows[i].len);

        CHECKF((rc == 0) == (rows[i].out != NULL), "row %zu: rc %d", i, rc);
        if (rc == 0) {
            CHECK_STR(out, rows[i].out);
            CHECK(len == strlen(rows[i].out));
        }
    }
    /* 63-byte label fine, 64 not; 253 bytes fine, 254 not */
    memset(name, 'a', 63);
    CHECK(vouch__dns_name_normalize(out, &len, name, 63) == 0);
    memset(name, 'a', 64);
    CHECK(vouch__dns_name_normalize(out, &len, name, 64) == VOUCH_ESYNTAX);
    for (i = 0; i < 254; i++) {
        name[i] = (i % 4 == 3) ? '.' : 'a';
    }
    CHECK(vouch__dns_name_normalize(out, &len, name, 253) == 0);
    CHECK(vouch__dns_name_normalize(out, &len, name, 254) == VOUCH_ESYNTAX);
}

static void
test_dns__name_from_wire(void)
{
    static const uint8_t plain[] = "\3www\7example\3com";
    static const uint8_t odd[] = { 3, 'a', '.', 'b', 2, '\\', 0xff, 0 };
    static const uint8_t root[] = { 0 };
    static const uint8_t ptr[] = { 0xc0, 12 };
    static const uint8_t cut[] = { 5, 'a', 'b' };
    char out[VOUCH_DNS_NAME_BUF];
    size_t len, used;

    CHECK(vouch__dns_name_from_wire(out, sizeof(out), &len, plain,
                                    sizeof(plain), &used) == 0);
    CHECK_STR(out, "www.example.com");
    CHECK(used == sizeof(plain));
    CHECK(vouch__dns_name_from_wire(out, sizeof(out), &len, odd, sizeof(odd),
                                    &used) == 0);
    CHECK_STR(out, "a\\046b.\\\\\\255");
    CHECK(vouch__dns_name_from_wire(out, sizeof(out), &len, root, 1, &used) ==
          0);
    CHECK_STR(out, ".");
    CHECK(vouch__dns_name_from_wire(out, sizeof(out), &len, ptr, 2, &used) ==
          VOUCH_ESYNTAX);
    CHECK(vouch__dns_name_from_wire(out, sizeof(out), &len, cut, 3, &used) ==
          VOUCH_ESYNTAX);
    CHECK(vouch__dns_name_from_wire(out, 5, &len, plain, sizeof(plain),
                                    &used) == VOUCH_ETOOBIG);
    CHECK(vouch__dns_name_eq("Example.com.", 12, "example.COM", 11));
    CHECK(!vouch__dns_name_eq("example.com", 11, "example.co", 10));
}

static void
test_dns__types_and_names(void)
{
    char tmp[16];
    uint16_t t;

    CHECK_STR(vouch_dns_type_name(VOUCH_DNS_TXT, tmp), "TXT");
    CHECK_STR(vouch_dns_type_name(65280, tmp), "TYPE65280");
    CHECK(vouch_dns_type_parse(&t, "txt", 3) == 0 && t == VOUCH_DNS_TXT);
    CHECK(vouch_dns_type_parse(&t, "TYPE99", 6) == 0 && t == 99);
    CHECK(vouch_dns_type_parse(&t, "TYPE65536", 9) == VOUCH_ESYNTAX);
    CHECK(vouch_dns_type_parse(&t, "TYPE", 4) == VOUCH_ESYNTAX);
    CHECK(vouch_dns_type_parse(&t, "TXTX", 4) == VOUCH_ESYNTAX);
    CHECK_STR(vouch_dns_status_name(VOUCH_DNS_NXDOMAIN), "NXDOMAIN");
    CHECK_STR(vouch_dnssec_name(VOUCH_DNSSEC_BOGUS), "bogus");
}

/* ---- front: names, budget
 * --------------------------------------------------------- */

static void
test_dns__front_normalises(void)
{
    fake_t f;
    vouch_resolver_t *r = fake_resolver(&f, 0);
    const vouch_dns_answer_t *a;
    vouch_error_t err;

    REQUIRE(r != NULL);
    CHECK(q(r, NULL, "WWW.Example.COM.", VOUCH_DNS_A, &a) == 0);
    CHECK_STR(f.last, "www.example.com");
    CHECK(a->status == VOUCH_DNS_NOERROR && a->n == 1 && a->rr[0].len == 4);
    vouch_dns_answer_free(a);
    CHECK(vouch_dns_query(r, NULL, "a..b", 4, VOUCH_DNS_A, &a, &err) ==
          VOUCH_ESYNTAX);
    CHECK(a == NULL && strstr(err.msg, "a..b") != NULL);
    CHECK(f.calls == 1);
    vouch_resolver_free(r);
}

static void
test_dns__budget(void)
{
    fake_t f;
    vouch_resolver_t *r = fake_resolver(&f, 0);
    vouch_dns_budget_t b;
    const vouch_dns_answer_t *a;
    int i;

    REQUIRE(r != NULL);
    vouch_dns_budget_init(&b, 3, 0);
    for (i = 0; i < 3; i++) {
        CHECK(q(r, &b, "example.com", VOUCH_DNS_A, &a) == 0);
        vouch_dns_answer_free(a);
    }
    CHECK(q(r, &b, "example.com", VOUCH_DNS_A, &a) == VOUCH_ETOOBIG);
    CHECK(f.calls == 3 && b.queries == 3);
    /* a deadline in the past: no backend call */
    vouch_dns_budget_init(&b, 10, 1);
    usleep(50 * 1000); /* well past the coarse clock's tick */
    CHECK(q(r, &b, "example.com", VOUCH_DNS_A, &a) == VOUCH_ETEMP);
    CHECK(f.calls == 3);
    vouch_resolver_free(r);
}

/* ---- cache
 * ------------------------------------------------------------------------- */

static void
test_dns__cache_hits_and_negative(void)
{
    fake_t f;
    vouch_resolver_t *r = fake_resolver(&f, 100);
    const vouch_dns_answer_t *a, *b;

    REQUIRE(r != NULL);
    CHECK(q(r, NULL, "example.com", VOUCH_DNS_A, &a) == 0);
    CHECK(q(r, NULL, "EXAMPLE.com.", VOUCH_DNS_A, &b) == 0);
    CHECK(f.calls == 1 && a == b); /* the same shared answer */
    vouch_dns_answer_free(a);
    vouch_dns_answer_free(b);
    CHECK(q(r, NULL, "example.com", VOUCH_DNS_AAAA, &a) == 0);
    CHECK(f.calls == 2); /* another type is another key */
    vouch_dns_answer_free(a);
    f.status = VOUCH_DNS_NXDOMAIN;
    CHECK(q(r, NULL, "nx.example.com", VOUCH_DNS_A, &a) == 0);
    vouch_dns_answer_free(a);
    CHECK(q(r, NULL, "nx.example.com", VOUCH_DNS_A, &a) == 0);
    CHECK(a->status == VOUCH_DNS_NXDOMAIN && f.calls == 3);
    vouch_dns_answer_free(a);
    vouch_resolver_free(r);
}

static void
test_dns__cache_never_keeps_failures(void)
{
    static const vouch_dns_status_t fails[] = { VOUCH_DNS_SERVFAIL,
                                                VOUCH_DNS_TIMEOUT,
                                                VOUCH_DNS_REFUSED };
    fake_t f;
    vouch_resolver_t *r = fake_resolver(&f, 100);
    const vouch_dns_answer_t *a;
    size_t i;

    REQUIRE(r != NULL);
    for (i = 0; i < 3; i++) {
        f.status = fails[i];
        CHECK(q(r, NULL, "fail.example", VOUCH_DNS_TXT, &a) == 0);
        vouch_dns_answer_free(a);
        CHECK(q(r, NULL, "fail.example", VOUCH_DNS_TXT, &a) == 0);
        vouch_dns_answer_free(a);
    }
    CHECK(f.calls == 6);
    /* bogus and TTL 0 neither */
    f.status = VOUCH_DNS_NOERROR;
    f.dnssec = VOUCH_DNSSEC_BOGUS;
    CHECK(q(r, NULL, "bogus.example", VOUCH_DNS_TXT, &a) == 0);
    vouch_dns_answer_free(a);
    CHECK(q(r, NULL, "bogus.example", VOUCH_DNS_TXT, &a) == 0);
    vouch_dns_answer_free(a);
    f.dnssec = VOUCH_DNSSEC_INSECURE;
    f.ttl = 0;
    CHECK(q(r, NULL, "zero.example", VOUCH_DNS_TXT, &a) == 0);
    vouch_dns_answer_free(a);
    CHECK(q(r, NULL, "zero.example", VOUCH_DNS_TXT, &a) == 0);
    vouch_dns_answer_free(a);
    CHECK(f.calls == 10);
    vouch_resolver_free(r);
}

static void
test_dns__cache_expiry(void)
{
    fake_t f;
    vouch_resolver_t *r = fake_resolver(&f, 100);
    const vouch_dns_answer_t *a;

    REQUIRE(r != NULL);
    f.ttl = 1;
    CHECK(q(r, NULL, "short.example", VOUCH_DNS_A, &a) == 0);
    vouch_dns_answer_free(a);
    CHECK(q(r, NULL, "short.example", VOUCH_DNS_A, &a) == 0);
    vouch_dns_answer_free(a);
    CHECK(f.calls == 1);
    usleep(1100 * 1000);
    CHECK(q(r, NULL, "short.example", VOUCH_DNS_A, &a) == 0);
    vouch_dns_answer_free(a);
    CHECK(f.calls == 2);
    vouch_resolver_free(r);
}

static void
test_dns__cache_eviction(void)
{
    fake_t f;
    vouch_resolver_t *r = fake_resolver(&f, 16); /* one entry per shard */
    const vouch_dns_answer_t *a;
    char name[32];
    int i, again = 0;

    REQUIRE(r != NULL);
    for (i = 0; i < 1000; i++) {
        snprintf(name, sizeof(name), "h%d.example", i);
        CHECK(q(r, NULL, name, VOUCH_DNS_A, &a) == 0);
        vouch_dns_answer_free(a);
    }
    CHECK(f.calls == 1000);
    /* at most 16 of the 1000 can still be cached */
    for (i = 0; i < 1000; i++) {
        snprintf(name, sizeof(name), "h%d.example", i);
        CHECK(q(r, NULL, name, VOUCH_DNS_A, &a) == 0);
        vouch_dns_answer_free(a);
    }
    again = (int)f.calls - 1000;
    CHECKF(again >= 1000 - 16, "only %d misses", again);
    vouch_resolver_free(r);
}

typedef struct thread_arg {
    vouch_resolver_t *r;
    int id;
    int bad;
} thread_arg_t;

static void *
hammer(void *p)
{
    thread_arg_t *t = p;
    char name[32];
    int i;

    for (i = 0; i < 20000; i++) {
        const vouch_dns_answer_t *a;

        snprintf(name, sizeof(name), "n%d.example", (i * 7 + t->id) % 300);
        if (q(t->r, NULL, name, VOUCH_DNS_A, &a) != 0 || a->n != 1) {
            t->bad++;
            continue;
        }
        vouch_dns_answer_free(a);
    }
    return NULL;
}

static void
test_dns__cache_threads(void)
{
    fake_t f;
    vouch_resolver_t *r = fake_resolver(&f, 128);
    pthread_t th[4];
    thread_arg_t args[4];
    int i, bad = 0;

    REQUIRE(r != NULL);
    for (i = 0; i < 4; i++) {
        args[i].r = r;
        args[i].id = i;
        args[i].bad = 0;
        pthread_create(&th[i], NULL, hammer, &args[i]);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        bad += args[i].bad;
    }
    CHECK(bad == 0);
    vouch_resolver_free(r);
}

static void
test_dns__cache_oom(void)
{
    vouch_resolver_t *r = NULL;
    fake_t f;
    unsigned long n;
    long live;

    memset(&f, 0, sizeof(f));
    pthread_mutex_init(&f.lock, NULL);
    f.ttl = 300;
    f.ctx = test_oom_ctx();
    for (n = 1; n < 200; n++) {
        const vouch_dns_answer_t *a = NULL;
        int rc;

        live = test_oom_live;
        test_oom_fail_at = 0;
        REQUIRE(vouch__resolver_wrap(&r, test_oom_ctx(), &fake_backend, &f) ==
                0);
        test_oom_count = 0;
        test_oom_fail_at = n;
        rc = vouch_resolver_enable_cache(r, 64);
        if (rc == 0) {
            /* a failed insert only means not caching */
            rc = q(r, NULL, "example.com", VOUCH_DNS_A, &a);
            CHECK(rc == 0 || rc == VOUCH_ENOMEM);
            vouch_dns_answer_free(a);
        } else {
            CHECK(rc == VOUCH_ENOMEM);
        }
        test_oom_fail_at = 0;
        vouch_resolver_free(r);
        CHECKF(test_oom_live == live, "n=%lu leaked %ld", n,
               test_oom_live - live);
    }
}

/* ---- responses (wire.c)
 * ----------------------------------------------------------- */

/* A response to "mx.test" with the given answer section (ancount n) and
 * authority section (nscount ns) after the question; the question name
 * sits at offset 12 for pointers (0xc00c). */
static size_t
packet(uint8_t *out, uint8_t rcode, unsigned an, unsigned ns,
       const void *sections, size_t len)
{
    static const uint8_t head[] = { 0x12, 0x34, 0x81, 0x80, 0,   1,   0,
                                    0,    0,    0,    0,    0,   2,   'm',
                                    'x',  4,    't',  'e',  's', 't', 0,
                                    0,    15,   0,    1 };

    memcpy(out, head, sizeof(head));
    out[3] = (uint8_t)(0x80 | rcode);
    out[7] = (uint8_t)an;
    out[9] = (uint8_t)ns;
    memcpy(out + sizeof(head), sections, len);
    return sizeof(head) + len;
}

static void
test_dns__wire_records(void)
{
    /* a CNAME (TTL 60) to the MX set; the MX's exchange is compressed
     * (a label and a pointer to "test"), a CH-class MX is passed over */
    static const uint8_t an[] =
        "\xc0\x0c\x00\x05\x00\x01\x00\x00\x00\x3c\x00\x02\xc0\x0c"
        "\xc0\x0c\x00\x0f\x00\x01\x00\x00\x01\x2c\x00\x07\x00\x0a\x02mx"
        "\xc0\x0f"
        "\xc0\x0c\x00\x0f\x00\x03\x00\x00\x01\x2c\x00\x04\x00\x01\xc0\x0c"
        "\xc0\x0c\x00\x0f\x00\x01\x00\x00\x01\x2c\x00\x08\x00\x14\x03mx2"
        "\xc0\x0c";
    uint8_t pkt[512];
    size_t len = packet(pkt, 0, 4, 0, an, sizeof(an) - 1);
    vouch__dns_wire_t w;

    REQUIRE(vouch__dns_wire_parse(&w, test_ctx(), pkt, len, VOUCH_DNS_MX) == 0);
    CHECK(w.rcode == 0 && w.n == 2 && w.ttl == 60);
    CHECK(w.rr[0].len == 11 &&
          memcmp(w.rr[0].data, "\x00\x0a\x02mx\x04test\x00", 11) == 0);
    CHECK(w.rr[1].len == 15 &&
          memcmp(w.rr[1].data, "\x00\x14\x03mx2\x02mx\x04test\x00", 15) == 0);
    vouch__dns_wire_free(&w);

    /* the same answer asked as CNAME: only the CNAME */
    REQUIRE(vouch__dns_wire_parse(&w, test_ctx(), pkt, len, VOUCH_DNS_CNAME) ==
            0);
    CHECK(w.n == 1 && w.rr[0].len == 9 &&
          memcmp(w.rr[0].data, "\x02mx\x04test\x00", 9) == 0);
    vouch__dns_wire_free(&w);
}

static void
test_dns__wire_negative(void)
{
    /* NXDOMAIN with an SOA of TTL 3600 and MINIMUM 300: 300 (RFC 2308) */
    static const uint8_t ns[] =
        "\xc0\x0f\x00\x06\x00\x01\x00\x00\x0e\x10\x00\x1d"
        "\x02ns\xc0\x0f\x01h\xc0\x0f"
        "\x00\x00\x00\x01\x00\x00\x0e\x10\x00\x00\x0e\x10\x00\x00\x0e\x10"
        "\x00\x00\x01\x2c";
    uint8_t pkt[512];
    size_t len = packet(pkt, 3, 0, 1, ns, sizeof(ns) - 1);
    vouch__dns_wire_t w;

    REQUIRE(vouch__dns_wire_parse(&w, test_ctx(), pkt, len, VOUCH_DNS_MX) == 0);
    CHECK(w.rcode == 3 && w.n == 0 && w.ttl == 300);
    vouch__dns_wire_free(&w);
    /* the SOA itself asked for: its names uncompressed */
    pkt[7] = 1;
    pkt[9] = 0;
    REQUIRE(vouch__dns_wire_parse(&w, test_ctx(), pkt, len, VOUCH_DNS_SOA) ==
            0);
    CHECK(w.n == 1 && w.ttl == 3600 && w.rr[0].len == 9 + 8 + 20 &&
          memcmp(w.rr[0].data, "\x02ns\x04test\x00\x01h\x04test\x00", 17) == 0);
    vouch__dns_wire_free(&w);
    /* no SOA: nothing to cache by */
    len = packet(pkt, 3, 0, 0, "", 0);
    REQUIRE(vouch__dns_wire_parse(&w, test_ctx(), pkt, len, VOUCH_DNS_MX) == 0);
    CHECK(w.n == 0 && w.ttl == 0);
    vouch__dns_wire_free(&w);
}

static void
test_dns__wire_malformed(void)
{
    static const struct {
        const char *what;
        const char *an;
        size_t len;
    } bad[] = {
        /* a pointer to itself, and one pointing forward */
        { "loop",
          "\xc0\x0c\x00\x0f\x00\x01\x00\x00\x01\x2c\x00\x04\x00\x01"
          "\xc0\x27",
          16 },
        { "forward",
          "\xc0\x0c\x00\x0f\x00\x01\x00\x00\x01\x2c\x00\x04\x00\x01"
          "\xc0\x30",
          16 },
        /* the exchange runs past the rdata */
        { "past rdata",
          "\xc0\x0c\x00\x0f\x00\x01\x00\x00\x01\x2c\x00\x03\x00"
          "\x01\x02mx\x00",
          18 },
        /* rdata length beyond the packet */
        { "rdlength", "\xc0\x0c\x00\x10\x00\x01\x00\x00\x01\x2c\x00\x40\x01x",
          14 },
        /* label type 01 */
        { "label type", "\x41x\x00\x00\x10\x00\x01\x00\x00\x01\x2c\x00\x00",
          13 },
    };

    uint8_t pkt[512];
    vouch__dns_wire_t w;
    size_t i, len, cut;

    for (i = 0; i < VOUCH_ARRAY_LEN(bad); i++) {
        len = packet(pkt, 0, 1, 0, bad[i].an, bad[i].len);
        CHECKF(vouch__dns_wire_parse(&w, test_ctx(), pkt, len, VOUCH_DNS_MX) ==
                   VOUCH_ESYNTAX,
               "%s", bad[i].what);
    }
    /* an answer count the packet cannot hold */
    len = packet(pkt, 0, 200, 0, "", 0);
    CHECK(vouch__dns_wire_parse(&w, test_ctx(), pkt, len, VOUCH_DNS_MX) ==
          VOUCH_ESYNTAX);
    /* names through chains of pointers: labels of 63 bytes, each followed
     * by a pointer to the one before, held in the rdata of a record of a
     * type nobody asks for; a CNAME then points at the last link. Three
     * links make 193 bytes, five make 321, over the 255 of RFC 1035. */
    {
        size_t links;

        for (links = 3; links <= 5; links += 2) {
            size_t prev = 0, k, rdlen_at;

            len = packet(pkt, 0, 2, 0, "", 0);
            memcpy(pkt + len, "\x00\xff\x00\x00\x01\x00\x00\x01\x2c", 9);
            len += 9;
            rdlen_at = len;
            len += 2;
            for (k = 0; k < links; k++) {
                size_t at = len;

                pkt[len++] = 63;
                memset(pkt + len, 'a', 63);
                len += 63;
                if (k == 0) {
                    pkt[len++] = 0;
                } else {
                    pkt[len++] = (uint8_t)(0xc0 | prev >> 8);
                    pkt[len++] = (uint8_t)prev;
                }
                prev = at;
            }
            pkt[rdlen_at] = (uint8_t)((len - rdlen_at - 2) >> 8);
            pkt[rdlen_at + 1] = (uint8_t)(len - rdlen_at - 2);
            memcpy(pkt + len, "\x00\x00\x05\x00\x01\x00\x00\x01\x2c\x00\x02",
                   11);
            len += 11;
            pkt[len++] = (uint8_t)(0xc0 | prev >> 8);
            pkt[len++] = (uint8_t)prev;
            if (links == 3) {
                REQUIRE(vouch__dns_wire_parse(&w, test_ctx(), pkt, len,
                                              VOUCH_DNS_CNAME) == 0);
                CHECK(w.n == 1 && w.rr[0].len == 193);
                vouch__dns_wire_free(&w);
            } else {
                CHECK(vouch__dns_wire_parse(&w, test_ctx(), pkt, len,
                                            VOUCH_DNS_CNAME) == VOUCH_ESYNTAX);
            }
        }
    }
    /* every truncation of a good packet fails cleanly (or, cut at a
     * section end, parses) */
    {
        static const uint8_t an[] =
            "\xc0\x0c\x00\x0f\x00\x01\x00\x00\x01\x2c\x00\x07\x00\x0a\x02mx"
            "\xc0\x0f";
        size_t full = packet(pkt, 0, 1, 0, an, sizeof(an) - 1);

        for (cut = 0; cut < full; cut++) {
            int rc =
                vouch__dns_wire_parse(&w, test_ctx(), pkt, cut, VOUCH_DNS_MX);

            CHECKF(rc == VOUCH_ESYNTAX, "cut at %zu: %d", cut, rc);
        }
        CHECK(vouch__dns_wire_parse(&w, test_ctx(), pkt, full, VOUCH_DNS_MX) ==
              0);
        vouch__dns_wire_free(&w);
    }
}

static void
test_dns__wire_oom(void)
{
    static const uint8_t an[] =
        "\xc0\x0c\x00\x0f\x00\x01\x00\x00\x01\x2c\x00\x07\x00\x0a\x02mx"
        "\xc0\x0f";
    uint8_t pkt[512];
    size_t len = packet(pkt, 0, 1, 0, an, sizeof(an) - 1);
    unsigned long n;

    for (n = 1; n <= 3; n++) {
        vouch__dns_wire_t w;
        long live = test_oom_live;
        int rc;

        test_oom_count = 0;
        test_oom_fail_at = n;
        rc = vouch__dns_wire_parse(&w, test_oom_ctx(), pkt, len, VOUCH_DNS_MX);
        test_oom_fail_at = 0;
        CHECK(rc == 0 || rc == VOUCH_ENOMEM);
        if (rc == 0) {
            vouch__dns_wire_free(&w);
        }
        CHECKF(test_oom_live == live, "n=%lu leaked", n);
    }
}

static const test_case_t cases[] = {
    TEST(dns__name_normalize),
    TEST(dns__name_from_wire),
    TEST(dns__types_and_names),
    TEST(dns__front_normalises),
    TEST(dns__budget),
    TEST(dns__cache_hits_and_negative),
    TEST(dns__cache_never_keeps_failures),
    TEST(dns__cache_expiry),
    TEST(dns__cache_eviction),
    TEST(dns__cache_threads),
    TEST(dns__cache_oom),
    TEST(dns__wire_records),
    TEST(dns__wire_negative),
    TEST(dns__wire_malformed),
    TEST(dns__wire_oom),
};

TEST_MAIN(cases)
