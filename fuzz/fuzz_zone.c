/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_zone.c - libFuzzer target for the zone backend: the input is
 * loaded as master-file text into a fresh set, then names taken from the
 * input itself (every blank-separated word that is a valid query name, and
 * a few fixed ones) are looked up with several types, directly, through
 * the zone resolver and with a fallback (overlay path). A failed load is
 * queried too: dns.h only says to discard such a set, so it must still be
 * safe to read. Every answer byte is read so ASan sees it. A load error
 * that does not match its detail (code, module "zone", "file:line")
 * aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"
#include "dns/dns_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Words (and fixed names) looked up per input: bounds the time per run. */
#define NAMES_MAX 24

static volatile unsigned sink;

static void
touch(const vouch_dns_answer_t *a)
{
    size_t i, j;
    unsigned sum = (unsigned)a->status + a->ttl;

    for (i = 0; i < a->n; i++) {
        for (j = 0; j < a->rr[i].len; j++) {
            sum += (unsigned char)a->rr[i].data[j];
        }
        sum += (unsigned)a->rr[i].type + a->rr[i].pref + a->rr[i].nstrings;
    }
    if (a->why != NULL) {
        sum += (unsigned)strlen(a->why);
    }
    sink = sum;
}

static void
lookup(const vouch_zone_t *z, vouch_resolver_t *r, vouch_resolver_t *fb,
       const char *name, size_t len, uint16_t extra)
{
    static const uint16_t types[] = { VOUCH_DNS_A,   VOUCH_DNS_TXT,
                                      VOUCH_DNS_MX,  VOUCH_DNS_CNAME,
                                      VOUCH_DNS_SOA, VOUCH_DNS_AAAA,
                                      VOUCH_DNS_SPF };
    char norm[VOUCH_DNS_NAME_BUF];
    const vouch_dns_answer_t *a;
    size_t nlen, i;

    if (vouch__dns_name_normalize(norm, &nlen, name, len) != 0) {
        return;
    }
    (void)vouch__zone_has_name(z, norm, nlen);
    for (i = 0; i <= VOUCH_ARRAY_LEN(types); i++) {
        uint16_t t = i < VOUCH_ARRAY_LEN(types) ? types[i] : extra;

        if (vouch__zone_query(z, norm, nlen, t, NULL, 0, &a, NULL) == 0) {
            touch(a);
            vouch_dns_answer_free(a);
        }
        if (fb != NULL &&
            vouch__zone_query(z, norm, nlen, t, fb, 0, &a, NULL) == 0) {
            touch(a);
            vouch_dns_answer_free(a);
        }
    }
    if (r != NULL &&
        vouch_dns_query(r, NULL, name, len, VOUCH_DNS_TXT, &a, NULL) == 0) {
        touch(a);
        vouch_dns_answer_free(a);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const fixed[] = { "example", "a.example", "example.com",
                                         "www.example.com" };
    const char *text = (const char *)data;
    vouch_zone_t *z = NULL, *z2 = NULL;
    vouch_resolver_t *fb = NULL;
    vouch_error_t err;
    size_t i = 0, names = 0;
    int rc;
    uint16_t extra =
        size >= 2 ? (uint16_t)((unsigned)data[0] << 8 | data[1]) : 0;

    if (vouch_zone_new(&z, NULL) != 0 || vouch_zone_new(&z2, NULL) != 0) {
        goto out;
    }
    vouch_error_clear(&err);
    rc = vouch_zone_load_text(z, text, size, "fuzz.zone", &err);
    /* dns.h: a failure says why, in "file:line: ..." form */
    if (rc != 0 && (err.code != rc || err.module == NULL ||
                    strcmp(err.module, "zone") != 0 ||
                    strncmp(err.msg, "fuzz.zone:", 10) != 0)) {
        abort();
    }
    if (vouch_zone_load_text(z2, text, size, NULL, NULL) != rc) {
        abort(); /* the same text loads the same way */
    }
    /* the second copy answers as the fallback of the first: CNAMEs that
     * leave z's owners continue there */
    if (vouch_resolver_new_zone(&fb, NULL, z2) != 0) {
        z2 = NULL; /* freed by vouch_resolver_new_zone */
        goto out;
    }
    z2 = NULL; /* now owned by fb */
    for (i = 0; i < VOUCH_ARRAY_LEN(fixed); i++) {
        lookup(z, fb, fb, fixed[i], strlen(fixed[i]), extra);
    }
    for (i = 0; i < size && names < NAMES_MAX;) {
        size_t start;

        while (i < size && (text[i] == ' ' || text[i] == '\t' ||
                            text[i] == '\n' || text[i] == '\r')) {
            i++;
        }
        for (start = i; i < size && text[i] != ' ' && text[i] != '\t' &&
                        text[i] != '\n' && text[i] != '\r';
             i++) {
        }
        if (i > start) {
            lookup(z, fb, fb, text + start, i - start, extra);
            names++;
        }
    }
out:
    vouch_resolver_free(fb);
    vouch_zone_free(z2);
    vouch_zone_free(z);
    return 0;
}
