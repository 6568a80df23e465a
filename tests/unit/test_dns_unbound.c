/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_dns_unbound.c - the libunbound backend without a real
 * DNS server: option errors (forwarder syntax, unreadable or bad files),
 * and queries through a forwarder that is a tiny responder inside this
 * test, on a loopback port. The responder answers from a table, so rdata
 * libunbound passes through unchecked (A of 3 bytes, TXT whose string
 * lengths overrun) can be served; it can also delay answers or never
 * answer, which drives the time limits, cancellation and the sharing of
 * one resolver by several threads.
 *
 * Nothing here talks to a non-loopback address or uses /etc/resolv.conf.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "dns/dns_internal.h"

/* ---- the responder ------------------------------------------------------- */

#define NEVER (-1) /* rcode of a name that is never answered */

typedef struct rd {
    const char *p;
    size_t len;
} rd_t;

typedef struct row {
    const char *name; /* raw bytes, lower case, no final dot */
    uint16_t type;    /* 0: any type */
    int rcode;
    unsigned n;
    rd_t rd[2];
} row_t;

#define RD(s)                                                                  \
    {                                                                          \
        s, sizeof(s) - 1                                                       \
    }

static const row_t rows[] = {
    { "a.test", VOUCH_DNS_A, 0, 2, { RD("\x7f\0\0\1"), RD("\x7f\0\0\2") } },
    { "aaaa.test",
      VOUCH_DNS_AAAA,
      0,
      1,
      { RD("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1") } },
    { "short-a.test", VOUCH_DNS_A, 0, 1, { RD("\x7f\0\0") } },
    { "long-aaaa.test", VOUCH_DNS_AAAA, 0, 1, { RD("\0\0\0\0\0\0\0\0\0\0") } },
    { "txt.test", VOUCH_DNS_TXT, 0, 1, { RD("\7v=spf1 \4-all") } },
    /* an empty string and a NUL inside: joined "a\0bxyz", 3 strings */
    { "multi.test", VOUCH_DNS_TXT, 0, 1, { RD("\3a\0b\0\3xyz") } },
    { "spf.test", VOUCH_DNS_SPF, 0, 1, { RD("\4v=sp\3f1 ") } },
    { "bad-txt.test", VOUCH_DNS_TXT, 0, 1, { RD("\5abc") } },
    { "empty-txt.test", VOUCH_DNS_TXT, 0, 1, { RD("") } },
    { "mx.test", VOUCH_DNS_MX, 0, 1, { RD("\0\12\2mx\4test\0") } },
    { "odd-mx.test", VOUCH_DNS_MX, 0, 1, { RD("\1\0\5a.b\\ \4Test\0") } },
    { "cname.test", VOUCH_DNS_CNAME, 0, 1, { RD("\6target\4test\0") } },
    { "ns.test", VOUCH_DNS_NS, 0, 1, { RD("\3ns1\4test\0") } },
    { "1.0.0.127.in-addr.arpa", VOUCH_DNS_PTR, 0, 1, { RD("\2mx\4test\0") } },
    { "raw.test", VOUCH_DNS_TLSA, 0, 1, { RD("\3\1\1\xab\xcd") } },
    { "nodata.test", VOUCH_DNS_TXT, 0, 0, { { NULL, 0 } } },
    { "servfail.test", 0, 2, 0, { { NULL, 0 } } },
    { "refused.test", 0, 5, 0, { { NULL, 0 } } },
    { "notimp.test", 0, 4, 0, { { NULL, 0 } } },
    { "silent.test", 0, NEVER, 0, { { NULL, 0 } } },
    /* bytes that are special in presentation format, and non-ASCII */
    { "q(\";\\@$) x\x01\xff.test", VOUCH_DNS_TXT, 0, 1, { RD("\2ok") } },
};

typedef struct pending {
    int64_t due;
    struct sockaddr_storage to;
    socklen_t tolen;
    size_t len;
    uint8_t msg[512];
} pending_t;

typedef struct responder {
    int udp, tcp;
    unsigned port;
    pthread_t thread;
    int stop; /* atomic */
    unsigned queries;
    pending_t pend[64];
    size_t npend;
} responder_t;

static int64_t
now_ms(void)
{
    return vouch_dns_monotonic_ms();
}

/* Read the question name as raw bytes joined by '.'. Returns the wire
 * length of the name or 0. */
static size_t
question_name(const uint8_t *q, size_t len, char *out, size_t cap)
{
    size_t i = 12, o = 0;

    while (i < len && q[i] != 0) {
        size_t l = q[i++];

        if (l > 63 || i + l > len || o + l + 2 > cap) {
            return 0;
        }
        if (o > 0) {
            out[o++] = '.';
        }
        for (size_t k = 0; k < l; k++) {
            char c = (char)q[i + k];

            out[o++] = (c >= 'A' && c <= 'Z') ? (char)(c | 0x20) : c;
        }
        i += l;
    }
    out[o] = '\0';
    return i < len ? i + 1 - 12 : 0;
}

static uint8_t *
put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return p + 2;
}

static uint8_t *
put_rr(uint8_t *p, const uint8_t *owner, size_t olen, unsigned type,
       const void *rd, size_t len)
{
    memcpy(p, owner, olen);
    p += olen;
    p = put16(p, type);
    p = put16(p, 1);
    p = put16(p, 0);
    p = put16(p, 300); /* TTL 300 */
    p = put16(p, (unsigned)len);
    memcpy(p, rd, len);
    return p + len;
}

/* "echo<digits>.test" answers TXT with its own name after a delay that
 * depends on the digits (0-99 ms); rows answer at once. */
static const row_t *
lookup(const char *name, unsigned qtype, row_t *echo, unsigned *delay)
{
    size_t i;

    *delay = 0;
    if (strncmp(name, "echo", 4) == 0) {
        unsigned v = 0;

        for (i = 4; name[i] >= '0' && name[i] <= '9'; i++) {
            v = v * 31 + (unsigned)(name[i] - '0');
        }
        *delay = v % 100;
        echo->name = name;
        echo->type = VOUCH_DNS_TXT;
        echo->rcode = 0;
        echo->n = 0;
        return echo;
    }
    for (i = 0; i < VOUCH_ARRAY_LEN(rows); i++) {
        if (strcmp(rows[i].name, name) == 0) {
            if (rows[i].type == 0 || rows[i].type == qtype) {
                return &rows[i];
            }
            return NULL; /* the name exists: NODATA */
        }
    }
    return &rows[0] + VOUCH_ARRAY_LEN(rows); /* NXDOMAIN marker */
}

/* Build the reply to query q into out; returns its length, or 0 to stay
 * silent. */
static size_t
reply(const uint8_t *q, size_t qlen, uint8_t *out, unsigned *delay)
{
    static const uint8_t soa[] = "\2ns\4test\0\1h\4test\0"
                                 "\0\0\0\1\0\0\x0e\x10\0\0\x0e\x10"
                                 "\0\0\x0e\x10\0\0\0\x3c";
    char name[300];
    size_t nlen = question_name(q, qlen, name, sizeof(name)), i;
    unsigned qtype, an = 0, ns = 0;
    const row_t *r;
    row_t echo;
    uint8_t *p;
    int rcode = 0;

    if (nlen == 0 || 12 + nlen + 4 > qlen) {
        return 0;
    }
    qtype = (unsigned)(q[12 + nlen] << 8 | q[13 + nlen]);
    r = lookup(name, qtype, &echo, delay);
    if (r == &rows[0] + VOUCH_ARRAY_LEN(rows)) {
        rcode = 3;
    } else if (r != NULL && r->rcode == NEVER) {
        return 0;
    } else if (r != NULL) {
        rcode = r->rcode;
    }
    memcpy(out, q, 12 + nlen + 4);            /* header and question */
    out[2] = (uint8_t)(0x80 | (q[2] & 0x79)); /* QR, opcode, RD */
    out[3] = (uint8_t)(0x80 | rcode);         /* RA, rcode */
    p = out + 12 + nlen + 4;
    if (r == &echo) {
        uint8_t txt[256];
        size_t l = strlen(name);

        txt[0] = (uint8_t)l;
        memcpy(txt + 1, name, l);
        p = put_rr(p, (const uint8_t *)"\xc0\x0c", 2, qtype, txt, l + 1);
        an = 1;
    } else if (r != NULL && rcode == 0) {
        for (i = 0; i < r->n; i++) {
            p = put_rr(p, (const uint8_t *)"\xc0\x0c", 2, qtype, r->rd[i].p,
                       r->rd[i].len);
        }
        an = r->n;
    }
    if (an == 0 && (rcode == 0 || rcode == 3)) {
        /* RFC 2308 §3: the SOA gives the negative TTL (60) */
        p = put_rr(p, (const uint8_t *)"\4test\0", 6, VOUCH_DNS_SOA, soa,
                   sizeof(soa) - 1);
        ns = 1;
    }
    put16(out + 6, an);
    put16(out + 8, ns);
    put16(out + 10, 0); /* no EDNS in the reply */
    return (size_t)(p - out);
}

static void
flush_due(responder_t *r)
{
    size_t i = 0;

    while (i < r->npend) {
        pending_t *pd = &r->pend[i];

        if (pd->due > now_ms()) {
            i++;
            continue;
        }
        (void)sendto(r->udp, pd->msg, pd->len, 0, (struct sockaddr *)&pd->to,
                     pd->tolen);
        r->pend[i] = r->pend[--r->npend];
    }
}

static void *
responder_main(void *arg)
{
    responder_t *r = arg;

    while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
        struct pollfd pfd = { r->udp, POLLIN, 0 };
        uint8_t q[512];
        pending_t *pd;
        unsigned delay;
        ssize_t n;

        flush_due(r);
        if (poll(&pfd, 1, 5) <= 0 || r->npend == VOUCH_ARRAY_LEN(r->pend)) {
            continue;
        }
        pd = &r->pend[r->npend];
        pd->tolen = sizeof(pd->to);
        n = recvfrom(r->udp, q, sizeof(q), 0, (struct sockaddr *)&pd->to,
                     &pd->tolen);
        if (n < 12) {
            continue;
        }
        __atomic_add_fetch(&r->queries, 1, __ATOMIC_RELAXED);
        pd->len = reply(q, (size_t)n, pd->msg, &delay);
        if (pd->len > 0) {
            pd->due = now_ms() + delay;
            r->npend++;
        }
    }
    return NULL;
}

/* Start a responder on 127.0.0.1: UDP answers; TCP accepts connections
 * into the backlog and never answers, so a fallback to TCP cannot turn a
 * silent name into a quick failure. */
static int
responder_start(responder_t *r)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);

    memset(r, 0, sizeof(*r));
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    r->udp = socket(AF_INET, SOCK_DGRAM, 0);
    if (r->udp < 0 || bind(r->udp, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        getsockname(r->udp, (struct sockaddr *)&sa, &sl) != 0) {
        return -1;
    }
    r->port = ntohs(sa.sin_port);
    r->tcp = socket(AF_INET, SOCK_STREAM, 0);
    if (r->tcp < 0 || bind(r->tcp, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        listen(r->tcp, 64) != 0) {
        return -1;
    }
    return pthread_create(&r->thread, NULL, responder_main, r) == 0 ? 0 : -1;
}

static void
responder_stop(responder_t *r)
{
    __atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
    pthread_join(r->thread, NULL);
    close(r->udp);
    close(r->tcp);
}

/* A resolver forwarding to port on 127.0.0.1. */
static vouch_resolver_t *
forwarding_resolver(unsigned port, unsigned timeout_ms)
{
    vouch_unbound_options_t opts = VOUCH_UNBOUND_OPTIONS_INIT;
    vouch_resolver_t *r = NULL;
    vouch_error_t err;
    char fwd[32];

    (void)snprintf(fwd, sizeof(fwd), "127.0.0.1@%u", port);
    opts.forwarder = fwd;
    opts.timeout_ms = timeout_ms;
    vouch_error_clear(&err);
    if (vouch_resolver_new_unbound(&r, test_ctx(), &opts, &err) != 0) {
        fprintf(stderr, "  resolver: %s\n", err.msg);
        return NULL;
    }
    return r;
}

static const vouch_dns_answer_t *
ask(vouch_resolver_t *r, const char *name, size_t len, uint16_t type)
{
    const vouch_dns_answer_t *a = NULL;
    vouch_error_t err;

    vouch_error_clear(&err);
    if (vouch_dns_query(r, NULL, name, len, type, &a, &err) != 0) {
        fprintf(stderr, "  query %s: %s\n", name, err.msg);
        return NULL;
    }
    return a;
}

/* ---- option errors ------------------------------------------------------- */

static void
test_dns_unbound__bad_forwarders(void)
{
    static const char *const bad[] = {
        "1.2.3.4@notaport",
        "[::1]:53",
        "[::1]@53",
        "1.2.3.4:53",
        "1.2.3.4@0",
        "1.2.3.4@65536",
        "1.2.3.4@",
        "1.2.3.4@53@53",
        "",
        "@53",
        "localhost",
        "dns.example",
        "1.2.3",
        "256.1.1.1",
        "::1%lo",
        "fe80::1%eth0@53",
        " 1.2.3.4",
        "1.2.3.4 ",
        "1.2.3.4@+53",
        "1.2.3.4@-1",
        "1.2.3.4/32",
    };
    vouch_unbound_options_t opts = VOUCH_UNBOUND_OPTIONS_INIT;
    vouch_resolver_t *r;
    vouch_error_t err;
    size_t i;

    for (i = 0; i < VOUCH_ARRAY_LEN(bad); i++) {
        int rc;

        opts.forwarder = bad[i];
        r = (vouch_resolver_t *)1;
        vouch_error_clear(&err);
        rc = vouch_resolver_new_unbound(&r, test_ctx(), &opts, &err);
        CHECKF(rc == VOUCH_EINVAL && r == NULL, "\"%s\": rc %d", bad[i], rc);
        CHECKF(err.code == VOUCH_EINVAL && strstr(err.msg, "forwarder") &&
                   strcmp(err.module, "dns") == 0,
               "\"%s\": message \"%s\"", bad[i], err.msg);
    }
}

static void
test_dns_unbound__good_forwarders(void)
{
    static const char *const good[] = {
        "127.0.0.1", "127.0.0.1@53",    "::1",
        "::1@5354",  "192.0.2.1@65535", "::ffff:127.0.0.1@1",
    };
    vouch_unbound_options_t opts = VOUCH_UNBOUND_OPTIONS_INIT;
    vouch_error_t err;
    size_t i;

    /* set-up sends nothing: these never reach the network */
    for (i = 0; i < VOUCH_ARRAY_LEN(good); i++) {
        vouch_resolver_t *r = NULL;
        int rc;

        opts.forwarder = good[i];
        vouch_error_clear(&err);
        rc = vouch_resolver_new_unbound(&r, test_ctx(), &opts, &err);
        CHECKF(rc == 0 && r != NULL, "\"%s\": rc %d %s", good[i], rc, err.msg);
        vouch_resolver_free(r);
    }
}

static char *
temp_file(const char *content)
{
    static char path[64];
    static const char tmpl[] = "/tmp/vouch-test-XXXXXX";
    int fd;

    memcpy(path, tmpl, sizeof(tmpl));
    fd = mkstemp(path);
    if (fd < 0) {
        return NULL;
    }
    if (write(fd, content, strlen(content)) != (ssize_t)strlen(content)) {
        close(fd);
        return NULL;
    }
    close(fd);
    return path;
}

static void
test_dns_unbound__file_errors(void)
{
    vouch_unbound_options_t opts = VOUCH_UNBOUND_OPTIONS_INIT;
    vouch_resolver_t *r = (vouch_resolver_t *)1;
    vouch_error_t err;
    char *path;
    int rc;

    opts.forwarder = "127.0.0.1@53";
    opts.trust_anchor_file = "/nonexistent/anchors.ds";
    vouch_error_clear(&err);
    rc = vouch_resolver_new_unbound(&r, test_ctx(), &opts, &err);
    CHECK(rc == VOUCH_EIO && r == NULL);
    CHECKF(strstr(err.msg, "cannot read trust anchor file "
                           "/nonexistent/anchors.ds") != NULL &&
               strstr(err.msg, "No such file") != NULL,
           "%s", err.msg);

    /* a trust anchor file libunbound cannot parse fails now, not later */
    path = temp_file("this is not a DS record\n");
    REQUIRE(path != NULL);
    opts.trust_anchor_file = path;
    vouch_error_clear(&err);
    fprintf(stderr, "  (libunbound's own complaints about %s follow)\n", path);
    rc = vouch_resolver_new_unbound(&r, test_ctx(), &opts, &err);
    CHECKF(rc == VOUCH_EIO && strstr(err.msg, "trust anchor") != NULL,
           "rc %d: %s", rc, err.msg);
    unlink(path);
    opts.trust_anchor_file = NULL;

    opts.config_file = "/nonexistent/unbound.conf";
    vouch_error_clear(&err);
    rc = vouch_resolver_new_unbound(&r, test_ctx(), &opts, &err);
    CHECKF(rc == VOUCH_EIO && strstr(err.msg, "/nonexistent/unbound.conf"),
           "rc %d: %s", rc, err.msg);
    path = temp_file("server:\n    no-such-option: yes\n");
    REQUIRE(path != NULL);
    opts.config_file = path;
    vouch_error_clear(&err);
    rc = vouch_resolver_new_unbound(&r, test_ctx(), &opts, &err);
    CHECKF(rc == VOUCH_EIO && strstr(err.msg, "config file") != NULL,
           "rc %d: %s", rc, err.msg);
    unlink(path);
    opts.config_file = NULL;

    opts.forwarder = NULL;
    opts.resolv_conf = "/nonexistent/resolv.conf";
    vouch_error_clear(&err);
    rc = vouch_resolver_new_unbound(&r, test_ctx(), &opts, &err);
    CHECKF(rc == VOUCH_EIO && strstr(err.msg, "/nonexistent/resolv.conf"),
           "rc %d: %s", rc, err.msg);

    opts.resolv_conf = NULL;
    opts.version = 2;
    CHECK(vouch_resolver_new_unbound(&r, test_ctx(), &opts, &err) ==
          VOUCH_EINVAL);
}

static void
test_dns_unbound__other_modes(void)
{
    vouch_unbound_options_t opts = VOUCH_UNBOUND_OPTIONS_INIT;
    vouch_resolver_t *r = NULL;
    vouch_error_t err;
    char *path;

    /* a resolv.conf with servers, one without (recursion), recursion */
    path = temp_file("# test\nsearch example\nnameserver 127.0.0.1\n");
    REQUIRE(path != NULL);
    opts.resolv_conf = path;
    CHECK(vouch_resolver_new_unbound(&r, test_ctx(), &opts, &err) == 0);
    vouch_resolver_free(r);
    unlink(path);
    path = temp_file("search example\n");
    REQUIRE(path != NULL);
    opts.resolv_conf = path;
    CHECK(vouch_resolver_new_unbound(&r, test_ctx(), &opts, &err) == 0);
    vouch_resolver_free(r);
    unlink(path);
    opts.resolv_conf = NULL;
    opts.recursive = 1;
    CHECK(vouch_resolver_new_unbound(&r, test_ctx(), &opts, &err) == 0);
    vouch_resolver_free(r);
    vouch_resolver_free(NULL);
}

/* Every allocation of the set-up may fail: a clean ENOMEM, no leak. */
static void
test_dns_unbound__oom(void)
{
    vouch_unbound_options_t opts = VOUCH_UNBOUND_OPTIONS_INIT;
    vouch_ctx_t *oc = test_oom_ctx(); /* made before failures start */
    long base = test_oom_live;
    vouch_resolver_t *r = NULL;
    unsigned long n;
    char *path = temp_file("nameserver 127.0.0.1\n");

    REQUIRE(path != NULL);
    opts.resolv_conf = path; /* read through the context's allocator */
    for (n = 1;; n++) {
        int rc;

        test_oom_fail_at = n;
        test_oom_count = 0;
        rc = vouch_resolver_new_unbound(&r, oc, &opts, NULL);
        if (rc == 0) {
            break;
        }
        CHECKF(rc == VOUCH_ENOMEM && r == NULL && test_oom_live == base,
               "failing allocation %lu: rc %d", n, rc);
    }
    test_oom_fail_at = 0;
    CHECK(n > 2);
    vouch_resolver_free(r);
    CHECK(test_oom_live == base);
    unlink(path);
}

/* ---- answers through the responder --------------------------------------- */

static void
test_dns_unbound__records(void)
{
    responder_t resp;
    vouch_resolver_t *r;
    const vouch_dns_answer_t *a;

    REQUIRE(responder_start(&resp) == 0);
    r = forwarding_resolver(resp.port, 3000);
    REQUIRE(r != NULL);

    a = ask(r, "A.Test.", 7, VOUCH_DNS_A);
    REQUIRE(a != NULL);
    CHECK(a->status == VOUCH_DNS_NOERROR && a->n == 2 && a->ttl == 300);
    CHECK(a->dnssec == VOUCH_DNSSEC_INSECURE && a->why == NULL);
    if (a->n == 2) {
        /* libunbound may rotate the set */
        CHECK(a->rr[0].len == 4 && a->rr[1].len == 4);
        CHECK(memcmp(a->rr[0].data, "\x7f\0\0", 3) == 0);
        CHECK(a->rr[0].type == VOUCH_DNS_A && a->rr[0].ttl == 300);
    }
    vouch_dns_answer_free(a);

    a = ask(r, "aaaa.test", 9, VOUCH_DNS_AAAA);
    REQUIRE(a != NULL);
    CHECK(a->n == 1 && a->rr[0].len == 16 && a->rr[0].data[15] == 1);
    vouch_dns_answer_free(a);

    a = ask(r, "txt.test", 8, VOUCH_DNS_TXT);
    REQUIRE(a != NULL && a->n == 1);
    CHECK(a->rr[0].nstrings == 2 && a->rr[0].len == 11 &&
          memcmp(a->rr[0].data, "v=spf1 -all", 11) == 0);
    vouch_dns_answer_free(a);

    a = ask(r, "multi.test", 10, VOUCH_DNS_TXT);
    REQUIRE(a != NULL && a->n == 1);
    CHECK(a->rr[0].nstrings == 3 && a->rr[0].len == 6 &&
          memcmp(a->rr[0].data, "a\0bxyz", 6) == 0);
    vouch_dns_answer_free(a);

    a = ask(r, "spf.test", 8, VOUCH_DNS_SPF);
    REQUIRE(a != NULL && a->n == 1);
    CHECK(a->rr[0].nstrings == 2 && a->rr[0].len == 7 &&
          memcmp(a->rr[0].data, "v=spf1 ", 7) == 0);
    vouch_dns_answer_free(a);

    a = ask(r, "raw.test", 8, VOUCH_DNS_TLSA);
    REQUIRE(a != NULL && a->n == 1);
    CHECK(a->rr[0].len == 5 && memcmp(a->rr[0].data, "\3\1\1\xab\xcd", 5) == 0);
    vouch_dns_answer_free(a);
    vouch_resolver_free(r);
    responder_stop(&resp);
}

static void
test_dns_unbound__names_in_rdata(void)
{
    static const struct {
        const char *q;
        uint16_t type;
        uint16_t pref;
        const char *want;
    } cases[] = {
        { "mx.test", VOUCH_DNS_MX, 10, "mx.test" },
        /* libunbound lower-cases names in rdata: compared without case */
        { "odd-mx.test", VOUCH_DNS_MX, 256, "a\\046b\\\\\\032.Test" },
        { "cname.test", VOUCH_DNS_CNAME, 0, "target.test" },
        { "ns.test", VOUCH_DNS_NS, 0, "ns1.test" },
        /* a lifted default zone of libunbound (RFC 6303 loopback) */
        { "1.0.0.127.in-addr.arpa", VOUCH_DNS_PTR, 0, "mx.test" },
    };

    responder_t resp;
    vouch_resolver_t *r;
    size_t i;

    REQUIRE(responder_start(&resp) == 0);
    r = forwarding_resolver(resp.port, 3000);
    REQUIRE(r != NULL);
    for (i = 0; i < VOUCH_ARRAY_LEN(cases); i++) {
        const vouch_dns_answer_t *a =
            ask(r, cases[i].q, strlen(cases[i].q), cases[i].type);

        CHECKF(a != NULL && a->status == VOUCH_DNS_NOERROR && a->n == 1,
               "%s: %s", cases[i].q,
               a != NULL ? vouch_dns_status_name(a->status) : "error");
        if (a != NULL && a->n == 1) {
            CHECKF(strcasecmp(a->rr[0].data, cases[i].want) == 0 &&
                       a->rr[0].len == strlen(cases[i].want) &&
                       a->rr[0].pref == cases[i].pref,
                   "%s: got \"%s\" pref %u", cases[i].q, a->rr[0].data,
                   a->rr[0].pref);
        }
        vouch_dns_answer_free(a);
    }
    vouch_resolver_free(r);
    responder_stop(&resp);
}

static void
test_dns_unbound__statuses(void)
{
    static const struct {
        const char *q;
        uint16_t type;
        vouch_dns_status_t status;
        uint32_t ttl;
        const char *why; /* substring, or NULL for no reason */
    } cases[] = {
        { "nodata.test", VOUCH_DNS_TXT, VOUCH_DNS_NODATA, 60, NULL },
        { "txt.test", VOUCH_DNS_MX, VOUCH_DNS_NODATA, 60, NULL },
        { "nothing.test", VOUCH_DNS_TXT, VOUCH_DNS_NXDOMAIN, 60, NULL },
        { "servfail.test", VOUCH_DNS_A, VOUCH_DNS_SERVFAIL, 0, "" },
        { "notimp.test", VOUCH_DNS_A, VOUCH_DNS_SERVFAIL, 0, "" },
        { "short-a.test", VOUCH_DNS_A, VOUCH_DNS_SERVFAIL, 0,
          "malformed rdata in A" },
        { "long-aaaa.test", VOUCH_DNS_AAAA, VOUCH_DNS_SERVFAIL, 0,
          "malformed rdata in AAAA" },
        { "bad-txt.test", VOUCH_DNS_TXT, VOUCH_DNS_SERVFAIL, 0,
          "malformed rdata in TXT" },
        /* libunbound itself refuses a TXT without strings */
        { "empty-txt.test", VOUCH_DNS_TXT, VOUCH_DNS_SERVFAIL, 0, "" },
    };

    responder_t resp;
    vouch_resolver_t *r;
    size_t i;

    REQUIRE(responder_start(&resp) == 0);
    r = forwarding_resolver(resp.port, 3000);
    REQUIRE(r != NULL);
    for (i = 0; i < VOUCH_ARRAY_LEN(cases); i++) {
        const vouch_dns_answer_t *a =
            ask(r, cases[i].q, strlen(cases[i].q), cases[i].type);

        REQUIRE(a != NULL);
        CHECKF(a->status == cases[i].status && a->n == 0 && a->rr == NULL,
               "%s: %s", cases[i].q, vouch_dns_status_name(a->status));
        CHECKF(cases[i].status == VOUCH_DNS_SERVFAIL || a->ttl == cases[i].ttl,
               "%s: ttl %u", cases[i].q, a->ttl);
        CHECKF(cases[i].why == NULL
                   ? a->why == NULL
                   : a->why != NULL && strstr(a->why, cases[i].why) != NULL,
               "%s: why \"%s\"", cases[i].q, a->why ? a->why : "(null)");
        vouch_dns_answer_free(a);
    }
    vouch_resolver_free(r);
    responder_stop(&resp);
}

/* Bytes outside [a-z0-9-_] reach the server as themselves. */
static void
test_dns_unbound__escaped_query_names(void)
{
    static const char name[] = "Q(\";\\@$) X\x01\xff.test";
    responder_t resp;
    vouch_resolver_t *r;
    const vouch_dns_answer_t *a;

    REQUIRE(responder_start(&resp) == 0);
    r = forwarding_resolver(resp.port, 3000);
    REQUIRE(r != NULL);
    a = ask(r, name, sizeof(name) - 1, VOUCH_DNS_TXT);
    CHECK(a != NULL && a->status == VOUCH_DNS_NOERROR && a->n == 1 &&
          a->rr[0].len == 2 && memcmp(a->rr[0].data, "ok", 2) == 0);
    vouch_dns_answer_free(a);
    vouch_resolver_free(r);
    responder_stop(&resp);
}

/* ---- time limits --------------------------------------------------------- */

static void
check_gives_up(vouch_resolver_t *r, vouch_dns_budget_t *budget,
               const char *name, int64_t min_ms, int64_t max_ms)
{
    const vouch_dns_answer_t *a = NULL;
    int64_t t0 = now_ms(), took;
    int rc =
        vouch_dns_query(r, budget, name, strlen(name), VOUCH_DNS_A, &a, NULL);

    took = now_ms() - t0;
    CHECKF(rc == 0 && a != NULL, "%s: rc %d", name, rc);
    if (a == NULL) {
        return;
    }
    CHECKF(a->status == VOUCH_DNS_TIMEOUT || a->status == VOUCH_DNS_SERVFAIL,
           "%s: %s", name, vouch_dns_status_name(a->status));
    CHECKF(took >= min_ms && took <= max_ms, "%s: took %lld ms", name,
           (long long)took);
    CHECK(a->why != NULL);
    vouch_dns_answer_free(a);
}

static void
test_dns_unbound__silent_server_times_out(void)
{
    responder_t resp;
    vouch_resolver_t *r;
    vouch_dns_budget_t budget;
    const vouch_dns_answer_t *a;

    REQUIRE(responder_start(&resp) == 0);
    r = forwarding_resolver(resp.port, 400);
    REQUIRE(r != NULL);
    check_gives_up(r, NULL, "silent.test", 390, 1500);
    /* the budget's deadline wins when it is nearer */
    vouch_resolver_free(r);
    r = forwarding_resolver(resp.port, 5000);
    REQUIRE(r != NULL);
    vouch_dns_budget_init(&budget, 5, 250);
    check_gives_up(r, &budget, "silent.test", 240, 1200);
    /* the resolver still works afterwards */
    a = ask(r, "txt.test", 8, VOUCH_DNS_TXT);
    CHECK(a != NULL && a->status == VOUCH_DNS_NOERROR);
    vouch_dns_answer_free(a);
    vouch_resolver_free(r);
    responder_stop(&resp);
}

static void
test_dns_unbound__nothing_listening(void)
{
    responder_t resp;
    vouch_resolver_t *r;
    unsigned port;

    /* take a free port, then close it again */
    REQUIRE(responder_start(&resp) == 0);
    port = resp.port;
    responder_stop(&resp);
    r = forwarding_resolver(port, 500);
    REQUIRE(r != NULL);
    check_gives_up(r, NULL, "example.test", 0, 1500);
    check_gives_up(r, NULL, "example.org", 0, 1500);
    vouch_resolver_free(r);
}

/* ---- threads ------------------------------------------------------------- */

typedef struct tally {
    int ok, timeouts, wrong;
} tally_t;

/* Ask for an echo name and count the outcome: its own name back, a
 * time-out, or wrong. */
static void
ask_echo(vouch_resolver_t *r, const char *name, size_t len, tally_t *t)
{
    const vouch_dns_answer_t *a = NULL;

    if (vouch_dns_query(r, NULL, name, len, VOUCH_DNS_TXT, &a, NULL) != 0) {
        t->wrong++;
        return;
    }
    if (a->status == VOUCH_DNS_TIMEOUT) {
        t->timeouts++;
    } else if (a->status == VOUCH_DNS_NOERROR && a->n == 1 &&
               a->rr[0].len == len && memcmp(a->rr[0].data, name, len) == 0) {
        t->ok++;
    } else {
        t->wrong++;
    }
    vouch_dns_answer_free(a);
}

typedef struct qthread {
    vouch_resolver_t *r;
    int id;
    int rounds;
    tally_t n;
} qthread_t;

static void *
query_thread(void *arg)
{
    qthread_t *t = arg;
    int i;

    for (i = 0; i < t->rounds; i++) {
        char name[64];
        int len = snprintf(name, sizeof(name), "echo%d%03d.test", t->id, i);

        ask_echo(t->r, name, (size_t)len, &t->n);
    }
    return NULL;
}

static void
run_threads(unsigned port, unsigned timeout_ms, int rounds, int *ok,
            int *timeouts, int *wrong)
{
    vouch_resolver_t *r = forwarding_resolver(port, timeout_ms);
    qthread_t t[4];
    pthread_t th[4];
    int i;

    *ok = *timeouts = *wrong = 0;
    if (r == NULL) {
        *wrong = 1;
        return;
    }
    for (i = 0; i < 4; i++) {
        t[i] = (qthread_t){ r, i + 1, rounds, { 0, 0, 0 } };
        if (pthread_create(&th[i], NULL, query_thread, &t[i]) != 0) {
            t[i].n.wrong = 1;
            t[i].rounds = -1;
        }
    }
    for (i = 0; i < 4; i++) {
        if (t[i].rounds >= 0) {
            pthread_join(th[i], NULL);
        }
        *ok += t[i].n.ok;
        *timeouts += t[i].n.timeouts;
        *wrong += t[i].n.wrong;
    }
    vouch_resolver_free(r);
}

/* Four threads share one resolver; answers arrive out of order (delays
 * 0-99 ms), and every thread must get its own. */
static void
test_dns_unbound__threads_share_a_resolver(void)
{
    responder_t resp;
    int ok, timeouts, wrong;
    int64_t t0;

    REQUIRE(responder_start(&resp) == 0);
    t0 = now_ms();
    run_threads(resp.port, 3000, 25, &ok, &timeouts, &wrong);
    CHECKF(ok == 100 && timeouts == 0 && wrong == 0,
           "ok %d timeouts %d wrong %d", ok, timeouts, wrong);
    /* 25 sequential queries of at most 99 ms each per thread */
    CHECKF(now_ms() - t0 < 4000, "took %lld ms", (long long)(now_ms() - t0));

    /* time limits in the middle of the delays: some queries are cancelled,
     * some cancels come too late; none may get a wrong answer */
    run_threads(resp.port, 50, 25, &ok, &timeouts, &wrong);
    CHECKF(wrong == 0 && ok + timeouts == 100, "ok %d timeouts %d wrong %d", ok,
           timeouts, wrong);
    responder_stop(&resp);
}

/* ---- lanes --------------------------------------------------------------- */

/* An answer as one comparable line (records sorted: libunbound may rotate
 * a set). */
static void
summary(const vouch_dns_answer_t *a, char *out, size_t cap)
{
    char rrs[4][160];
    size_t i, j, o;

    if (a == NULL) {
        (void)snprintf(out, cap, "error");
        return;
    }
    for (i = 0; i < a->n && i < 4; i++) {
        o = (size_t)snprintf(rrs[i], sizeof(rrs[i]),
                             "%u/%u/%u/%zu:", a->rr[i].type, a->rr[i].pref,
                             a->rr[i].nstrings, a->rr[i].len);
        for (j = 0; j < a->rr[i].len && o + 3 < sizeof(rrs[i]); j++) {
            o += (size_t)snprintf(rrs[i] + o, sizeof(rrs[i]) - o, "%02x",
                                  (unsigned char)a->rr[i].data[j]);
        }
    }
    if (a->n == 2 && strcmp(rrs[0], rrs[1]) > 0) {
        char t[160];

        memcpy(t, rrs[0], sizeof(t));
        memcpy(rrs[0], rrs[1], sizeof(t));
        memcpy(rrs[1], t, sizeof(t));
    }
    o = (size_t)snprintf(out, cap, "%s %s n=%zu ttl=%u why=%s",
                         vouch_dns_status_name(a->status),
                         vouch_dnssec_name(a->dnssec), a->n, a->ttl,
                         a->why != NULL ? a->why : "-");
    for (i = 0; i < a->n && i < 4 && o < cap; i++) {
        o += (size_t)snprintf(out + o, cap - o, " %s", rrs[i]);
    }
}

static const struct {
    const char *name;
    uint16_t type;
} lane_queries[] = {
    { "a.test", VOUCH_DNS_A },
    { "aaaa.test", VOUCH_DNS_AAAA },
    { "short-a.test", VOUCH_DNS_A },
    { "long-aaaa.test", VOUCH_DNS_AAAA },
    { "txt.test", VOUCH_DNS_TXT },
    { "multi.test", VOUCH_DNS_TXT },
    { "spf.test", VOUCH_DNS_SPF },
    { "bad-txt.test", VOUCH_DNS_TXT },
    { "empty-txt.test", VOUCH_DNS_TXT },
    { "mx.test", VOUCH_DNS_MX },
    { "odd-mx.test", VOUCH_DNS_MX },
    { "cname.test", VOUCH_DNS_CNAME },
    { "ns.test", VOUCH_DNS_NS },
    { "1.0.0.127.in-addr.arpa", VOUCH_DNS_PTR },
    { "raw.test", VOUCH_DNS_TLSA },
    { "nodata.test", VOUCH_DNS_TXT },
    { "a.test", VOUCH_DNS_TXT },       /* NODATA: the name has an A */
    { "nowhere.test", VOUCH_DNS_TXT }, /* NXDOMAIN */
    { "servfail.test", VOUCH_DNS_TXT },
    { "refused.test", VOUCH_DNS_TXT },
    { "notimp.test", VOUCH_DNS_TXT },
    { "silent.test", VOUCH_DNS_TXT },
};

typedef struct lane_run {
    vouch_resolver_t *r;
    size_t next, count;
    char got[VOUCH_ARRAY_LEN(lane_queries)][1024];
    unsigned idle_left; /* steps that say idle before any work */
    int nested_rc;
    int echo_base; /* echo mode: names echo<base><i>.test */
    tally_t n;
} lane_run_t;

static vouch_lane_step_t
table_job(void *arg)
{
    lane_run_t *lr = arg;
    const vouch_dns_answer_t *a;
    size_t i;

    if (lr->idle_left > 0) {
        lr->idle_left--;
        return VOUCH_LANE_IDLE;
    }
    if (lr->next == lr->count) {
        return VOUCH_LANE_DONE;
    }
    i = lr->next++;
    if (i == 0) {
        lr->nested_rc = vouch_resolver_lanes_run(lr->r, 1, table_job, lr, NULL);
    }
    a = ask(lr->r, lane_queries[i].name, strlen(lane_queries[i].name),
            lane_queries[i].type);
    summary(a, lr->got[i], sizeof(lr->got[i]));
    vouch_dns_answer_free(a);
    return VOUCH_LANE_MORE;
}

/* Every answer through lanes (libunbound's event API, the response read
 * from its packet) is the answer of the threaded path (its ub_result):
 * records, names in rdata (compressed in the packet), statuses, TTLs,
 * negative TTLs, malformed rdata, time-outs. */
static void
test_dns_unbound__lanes_answer_alike(void)
{
    static lane_run_t lr;
    char want[1024];
    responder_t resp;
    vouch_resolver_t *threaded, *r;
    size_t i;

    REQUIRE(responder_start(&resp) == 0);
    threaded = forwarding_resolver(resp.port, 300);
    r = forwarding_resolver(resp.port, 300);
    REQUIRE(threaded != NULL && r != NULL);
    memset(&lr, 0, sizeof(lr));
    lr.r = r;
    lr.count = VOUCH_ARRAY_LEN(lane_queries);
    lr.idle_left = 3;
    CHECK(vouch_resolver_lanes_run(r, 4, table_job, &lr, NULL) == 0);
    CHECK(lr.next == lr.count && lr.idle_left == 0);
    /* lanes do not nest */
    CHECK(lr.nested_rc == VOUCH_EINVAL);
    for (i = 0; i < lr.count; i++) {
        const vouch_dns_answer_t *a =
            ask(threaded, lane_queries[i].name, strlen(lane_queries[i].name),
                lane_queries[i].type);

        summary(a, want, sizeof(want));
        vouch_dns_answer_free(a);
        if (strcmp(lane_queries[i].name, "empty-txt.test") == 0) {
            /* TXT rdata without a string: libunbound's threaded path
             * fails the response, the packet shows it and it is refused
             * here */
            CHECK(strncmp(want, "SERVFAIL", 8) == 0);
            CHECK_STR(lr.got[i], "SERVFAIL insecure n=0 ttl=300 why=malformed "
                                 "rdata in TXT");
            continue;
        }
        CHECKF(strcmp(lr.got[i], want) == 0, "%s: lanes \"%s\", threads \"%s\"",
               lane_queries[i].name, lr.got[i], want);
    }
    vouch_resolver_free(threaded);
    vouch_resolver_free(r);
    responder_stop(&resp);
}

static vouch_lane_step_t
echo_job(void *arg)
{
    lane_run_t *lr = arg;
    char name[64];
    int len;

    if (lr->next == lr->count) {
        return VOUCH_LANE_DONE;
    }
    len = snprintf(name, sizeof(name), "echo%d%03zu.test", lr->echo_base,
                   lr->next++);
    ask_echo(lr->r, name, (size_t)len, &lr->n);
    return VOUCH_LANE_MORE;
}

static void *
echo_thread(void *arg)
{
    lane_run_t *lr = arg;

    if (vouch_resolver_lanes_run(lr->r, 16, echo_job, lr, NULL) != 0) {
        lr->n.wrong = -1;
    }
    return NULL;
}

/* Two threads, each with 16 lanes on one resolver, 100 queries each whose
 * answers take 0-99 ms and arrive out of order: each lane gets its own
 * answer, and the lanes of a thread wait together, not one after the
 * other. With a time limit inside the delays, answers and time-outs mix
 * (cancelled queries are never called back) and none is wrong. */
static void
test_dns_unbound__lanes_keep_queries_in_flight(void)
{
    static lane_run_t lr[2];
    static const unsigned limits[] = { 3000, 50 };
    responder_t resp;
    vouch_resolver_t *r;
    pthread_t th[2];
    size_t k;
    int i;

    REQUIRE(responder_start(&resp) == 0);
    for (k = 0; k < VOUCH_ARRAY_LEN(limits); k++) {
        int64_t t0 = now_ms();

        r = forwarding_resolver(resp.port, limits[k]);
        REQUIRE(r != NULL);
        for (i = 0; i < 2; i++) {
            memset(&lr[i], 0, sizeof(lr[i]));
            lr[i].r = r;
            lr[i].count = 100;
            lr[i].echo_base = (int)k * 2 + i + 1;
            REQUIRE(pthread_create(&th[i], NULL, echo_thread, &lr[i]) == 0);
        }
        for (i = 0; i < 2; i++) {
            pthread_join(th[i], NULL);
            CHECKF(lr[i].n.wrong == 0 && lr[i].n.ok + lr[i].n.timeouts == 100,
                   "limit %u: ok %d timeouts %d wrong %d", limits[k],
                   lr[i].n.ok, lr[i].n.timeouts, lr[i].n.wrong);
        }
        if (limits[k] == 3000) {
            CHECK(lr[0].n.ok == 100 && lr[1].n.ok == 100);
            /* one after the other would take about 5 s per thread */
            CHECKF(now_ms() - t0 < 2500, "took %lld ms",
                   (long long)(now_ms() - t0));
        }
        vouch_resolver_free(r);
    }
    responder_stop(&resp);
}

/* Lanes need libunbound behind the resolver, and 1 to VOUCH_LANES_MAX. */
static void
test_dns_unbound__lanes_refused(void)
{
    static lane_run_t lr;
    vouch_resolver_t *zr = NULL, *r;
    vouch_zone_t *zone = NULL;
    vouch_error_t err;

    REQUIRE(vouch_zone_new(&zone, test_ctx()) == 0);
    REQUIRE(vouch_resolver_new_zone(&zr, test_ctx(), zone) == 0);
    memset(&lr, 0, sizeof(lr));
    vouch_error_clear(&err);
    CHECK(vouch_resolver_lanes_run(zr, 4, table_job, &lr, &err) ==
          VOUCH_EINVAL);
    CHECK(strstr(err.msg, "libunbound") != NULL);
    vouch_resolver_free(zr);
    r = forwarding_resolver(9, 100);
    REQUIRE(r != NULL);
    CHECK(vouch_resolver_lanes_run(r, 0, table_job, &lr, NULL) == VOUCH_EINVAL);
    CHECK(vouch_resolver_lanes_run(r, VOUCH_LANES_MAX + 1, table_job, &lr,
                                   NULL) == VOUCH_EINVAL);
    CHECK(lr.next == 0);
    vouch_resolver_free(r);
}

static const test_case_t cases[] = {
    TEST(dns_unbound__bad_forwarders),
    TEST(dns_unbound__good_forwarders),
    TEST(dns_unbound__file_errors),
    TEST(dns_unbound__other_modes),
    TEST(dns_unbound__oom),
    TEST(dns_unbound__records),
    TEST(dns_unbound__names_in_rdata),
    TEST(dns_unbound__statuses),
    TEST(dns_unbound__escaped_query_names),
    TEST(dns_unbound__silent_server_times_out),
    TEST(dns_unbound__nothing_listening),
    TEST(dns_unbound__threads_share_a_resolver),
    TEST(dns_unbound__lanes_answer_alike),
    TEST(dns_unbound__lanes_keep_queries_in_flight),
    TEST(dns_unbound__lanes_refused),
};

TEST_MAIN(cases)
