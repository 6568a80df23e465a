/* SPDX-License-Identifier: MIT */
/*
 * bench/dkim/opendkim_bench.c - DKIM messages/s through libopendkim
 * (libopendkim-dev), a benchmark peer only, one thread.
 *
 *   opendkim_bench verify DIR RECORDS.tsv [SECONDS] [--query-file]
 *   opendkim_bench sign DIR KEY SELECTOR ALG HEADERS [SECONDS]
 *
 * verify: keys come from memory. By default libopendkim's DNS hooks
 * (dkim_dns_set_query_start/waitreply) answer with a DNS reply built from
 * RECORDS (what a warm caching resolver on the same host gives, minus the
 * socket); --query-file uses libopendkim's test method (DKIM_QUERY_FILE:
 * it opens and reads RECORDS for every signature). The header fields are
 * split out of each message once, before timing, and given as an MTA
 * would: dkim_header per field, dkim_eoh, dkim_body, dkim_eom.
 * sign: relaxed/relaxed, ALG rsa-sha256 or ed25519-sha256, signing and
 * oversigning the fields of HEADERS (DKIM_OPTS_SIGNHDRS and
 * DKIM_OPTS_OVERSIGNHDRS), dkim_getsighdr_d for the field.
 * Warm-up pass (tallies), then whole passes until SECONDS. One JSON line.
 */
#include <arpa/nameser.h>
#include <opendkim/dkim.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"

#define MAXF 256

typedef struct fields {
    size_t n;
    size_t off[MAXF], len[MAXF];
} fields_t;

static fields_t *fld;
static DKIM_LIB *lib;
static unsigned char *secret;
static const char *selector;
static dkim_alg_t alg;

static struct rec {
    char name[256];
    char value[4096];
} recs[8];

static size_t nrecs;

/* one DNS reply: the question, then one TXT answer */
static int
q_start(void *srv, int type, unsigned char *query, unsigned char *buf,
        size_t buflen, void **qh)
{
    size_t i, n = 0, vl;
    const char *v = NULL, *p, *dot;
    unsigned char *rdlen;

    (void)srv;
    for (i = 0; i < nrecs; i++) {
        if (strcasecmp(recs[i].name, (const char *)query) == 0) {
            v = recs[i].value;
        }
    }
    if (buflen < 600 + (v ? strlen(v) : 0)) {
        return -1;
    }
    memset(buf, 0, HFIXEDSZ);
    buf[2] = 0x81;            /* QR, RD */
    buf[3] = v ? 0x80 : 0x83; /* RA; NXDOMAIN when unknown */
    buf[5] = 1;               /* QDCOUNT */
    buf[7] = v ? 1 : 0;       /* ANCOUNT */
    n = HFIXEDSZ;
    for (p = (const char *)query; *p; p = *dot ? dot + 1 : dot) {
        dot = strchr(p, '.');
        if (dot == NULL) {
            dot = p + strlen(p);
        }
        buf[n++] = (unsigned char)(dot - p);
        memcpy(buf + n, p, (size_t)(dot - p));
        n += (size_t)(dot - p);
    }
    buf[n++] = 0;
    buf[n++] = 0, buf[n++] = (unsigned char)type, buf[n++] = 0, buf[n++] = 1;
    if (v != NULL) {
        buf[n++] = 0xc0, buf[n++] = HFIXEDSZ; /* name: the question's */
        buf[n++] = 0, buf[n++] = T_TXT, buf[n++] = 0, buf[n++] = 1;
        buf[n++] = 0, buf[n++] = 0, buf[n++] = 1, buf[n++] = 0x2c; /* TTL */
        rdlen = buf + n;
        n += 2;
        for (vl = strlen(v); vl > 0;) {
            size_t c = vl > 255 ? 255 : vl;

            buf[n++] = (unsigned char)c;
            memcpy(buf + n, v, c);
            n += c, v += c, vl -= c;
        }
        rdlen[0] = (unsigned char)((buf + n - rdlen - 2) >> 8);
        rdlen[1] = (unsigned char)(buf + n - rdlen - 2);
    }
    *qh = (void *)(uintptr_t)n;
    return 0;
}

static int
q_wait(void *srv, void *qh, struct timeval *to, size_t *bytes, int *error,
       int *dnssec)
{
    (void)srv, (void)to;
    *bytes = (size_t)(uintptr_t)qh;
    if (error) {
        *error = 0;
    }
    if (dnssec) {
        *dnssec = DKIM_DNSSEC_UNKNOWN;
    }
    return DKIM_DNS_SUCCESS;
}

static int
q_cancel(void *srv, void *qh)
{
    (void)srv, (void)qh;
    return 0;
}

static void
split(const msg_t *m, fields_t *f)
{
    size_t i = 0, start = 0;

    f->n = 0;
    while (i + 1 < m->hlen) {
        if (m->data[i] == '\r' && m->data[i + 1] == '\n') {
            unsigned char c = m->data[i + 2];

            if (c != ' ' && c != '\t') { /* the field ends here */
                if (i > start && f->n < MAXF) {
                    f->off[f->n] = start;
                    f->len[f->n++] = i - start;
                }
                start = i + 2;
            }
            i += 2;
        } else {
            i++;
        }
    }
}

static DKIM_STAT
feed(DKIM *d, const msg_t *m, const fields_t *f)
{
    DKIM_STAT st = DKIM_STAT_OK;
    size_t i;

    for (i = 0; i < f->n && st == DKIM_STAT_OK; i++) {
        st = dkim_header(d, m->data + f->off[i], f->len[i]);
    }
    if (st == DKIM_STAT_OK) {
        st = dkim_eoh(d);
    }
    if (st == DKIM_STAT_OK && m->len > m->hlen) {
        st = dkim_body(d, m->data + m->hlen, m->len - m->hlen);
    }
    if (st == DKIM_STAT_OK) {
        st = dkim_eom(d, NULL);
    }
    return st;
}

/* "pass", or what went wrong (static text) */
static const char *
verify_one(const msg_t *m, const fields_t *f)
{
    DKIM_STAT st;
    DKIM *d = dkim_verify(lib, (const unsigned char *)"bench", NULL, &st);
    DKIM_SIGINFO **sigs;
    int nsigs = 0, i;
    const char *r = "pass";

    if (d == NULL) {
        return "dkim_verify failed";
    }
    st = feed(d, m, f);
    if (st != DKIM_STAT_OK) {
        r = dkim_getresultstr(st);
    } else if (dkim_getsiglist(d, &sigs, &nsigs) != DKIM_STAT_OK ||
               nsigs == 0) {
        r = "none";
    } else {
        for (i = 0; i < nsigs; i++) {
            if (!DKIM_SIG_CHECK(sigs[i])) {
                r = dkim_sig_geterrorstr(dkim_sig_geterror(sigs[i]));
                break;
            }
        }
    }
    dkim_free(d);
    return r;
}

static const char *
sign_one(const msg_t *m, const fields_t *f)
{
    DKIM_STAT st;
    DKIM *d = dkim_sign(lib, (const unsigned char *)"bench", NULL, secret,
                        (const unsigned char *)selector,
                        (const unsigned char *)"bench.example",
                        DKIM_CANON_RELAXED, DKIM_CANON_RELAXED, alg, -1, &st);
    unsigned char *hdr;
    size_t hlen;
    const char *r = "signed";

    if (d == NULL) {
        return dkim_getresultstr(st);
    }
    st = feed(d, m, f);
    if (st == DKIM_STAT_OK) {
        st = dkim_getsighdr_d(d, 16, &hdr, &hlen);
    }
    if (st != DKIM_STAT_OK) {
        r = dkim_getresultstr(st);
    }
    dkim_free(d);
    return r;
}

int
main(int argc, char **argv)
{
    int sign = argc > 1 && strcmp(argv[1], "sign") == 0;
    int qfile = argc > 1 && strcmp(argv[argc - 1], "--query-file") == 0;
    double seconds, t0, t;
    unsigned long done = 0, ok = 0;
    msg_t *m;
    size_t n, i;
    char first_bad[512] = "", tally[1024] = "";
    static const char *hdrs[64];

    if (argc < 4 || (sign && argc < 7)) {
        fprintf(stderr, "usage: opendkim_bench verify DIR RECORDS "
                        "[SECONDS] [--query-file]\n"
                        "       opendkim_bench sign DIR KEY SELECTOR ALG "
                        "HEADERS [SECONDS]\n");
        return 2;
    }
    seconds = argc > (sign ? 7 : 4) && argv[sign ? 7 : 4][0] != '-'
                  ? atof(argv[sign ? 7 : 4])
                  : 3.0;
    n = load_corpus(argv[2], &m);
    fld = calloc(n, sizeof(*fld));
    for (i = 0; i < n; i++) {
        split(&m[i], &fld[i]);
    }
    lib = dkim_init(NULL, NULL);
    if (lib == NULL) {
        return 1;
    }
    if (sign) {
        size_t klen, nh = 0;
        char *h = strdup(argv[6]), *tok, *save;

        secret = read_all(argv[3], &klen);
        selector = argv[4];
        alg = strcmp(argv[5], "ed25519-sha256") == 0 ? DKIM_SIGN_ED25519SHA256
                                                     : DKIM_SIGN_RSASHA256;
        for (tok = strtok_r(h, ":", &save); tok && nh < 63;
             tok = strtok_r(NULL, ":", &save)) {
            size_t j;
            bool dup = false;

            for (j = 0; j < nh; j++) {
                dup = dup || strcmp(hdrs[j], tok) == 0;
            }
            if (!dup) {
                hdrs[nh++] = tok;
            }
        }
        hdrs[nh] = NULL;
        if (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNHDRS, hdrs,
                         sizeof(const char **)) != DKIM_STAT_OK ||
            dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_OVERSIGNHDRS, hdrs,
                         sizeof(const char **)) != DKIM_STAT_OK) {
            fprintf(stderr, "dkim_options failed\n");
            return 1;
        }
    } else if (qfile) {
        dkim_query_t q = DKIM_QUERY_FILE;

        if (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYMETHOD, &q,
                         sizeof(q)) != DKIM_STAT_OK ||
            dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYINFO, argv[3],
                         strlen(argv[3])) != DKIM_STAT_OK) {
            fprintf(stderr, "dkim_options failed\n");
            return 1;
        }
    } else {
        FILE *f = fopen(argv[3], "r");
        char line[4500];

        while (f && nrecs < 8 && fgets(line, sizeof(line), f) != NULL) {
            char *tab = strchr(line, '\t');

            if (tab == NULL) {
                continue;
            }
            *tab = '\0';
            tab[strcspn(tab + 1, "\r\n") + 1] = '\0';
            snprintf(recs[nrecs].name, sizeof(recs[0].name), "%.255s", line);
            snprintf(recs[nrecs].value, sizeof(recs[0].value), "%.4095s",
                     tab + 1);
            nrecs++;
        }
        if (f) {
            fclose(f);
        }
        static int service; /* nothing: the hooks need no state */

        (void)dkim_dns_set_query_service(lib, &service);
        dkim_dns_set_query_start(lib, q_start);
        dkim_dns_set_query_waitreply(lib, q_wait);
        dkim_dns_set_query_cancel(lib, q_cancel);
        dkim_dns_set_init(lib, NULL);
        dkim_dns_set_close(lib, NULL);
    }
    for (i = 0; i < n; i++) { /* warm up; tally once */
        const char *r =
            sign ? sign_one(&m[i], &fld[i]) : verify_one(&m[i], &fld[i]);

        if (strcmp(r, "pass") == 0 || strcmp(r, "signed") == 0) {
            ok++;
        } else if (first_bad[0] == '\0') {
            snprintf(first_bad, sizeof(first_bad), "%s: %s", m[i].name, r);
        }
    }
    t0 = now();
    do {
        for (i = 0; i < n; i++) {
            if (sign) {
                (void)sign_one(&m[i], &fld[i]);
            } else {
                (void)verify_one(&m[i], &fld[i]);
            }
        }
        done += n;
        t = now() - t0;
    } while (t < seconds);
    snprintf(tally, sizeof(tally), "\"%s\": %lu, \"other\": %lu",
             sign ? "signed" : "pass", ok, (unsigned long)n - ok);
    for (i = 0; first_bad[i]; i++) {
        if (first_bad[i] == '"' || first_bad[i] == '\\') {
            first_bad[i] = ' ';
        }
    }
    printf("{\"impl\": \"libopendkim%s\", \"op\": \"%s\", "
           "\"msgs_per_s\": %.1f, \"messages\": %zu, \"tally\": {%s}, "
           "\"first_bad\": \"%s\"}\n",
           qfile ? " (query file)" : "", sign ? "sign" : "verify",
           (double)done / t, n, tally, first_bad);
    dkim_close(lib);
    return 0;
}
