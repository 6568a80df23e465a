/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_dkim_verify.c - the DKIM verifier on a hostile message, against
 * a fixed zone holding a real RSA 1024 and Ed25519 key (the seeds are
 * messages signed with their private halves, which are not kept) and
 * broken or odd ones: h=sha1, t=s, revoked, a bad Ed25519 key, several
 * records, SERVFAIL, TIMEOUT. The options come from a hash of the input.
 * The message is verified whole, then again in chunks whose sizes come
 * from the input: the results must be the same (dkim.h: results never
 * depend on chunking), and every result well-formed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RSA_P                                                                  \
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDOZMnWpajvmaXzp7PZzILcmpxSiaBiFW+"  \
    "rLJPqFs2SwEhM623kUs6fTivJqv4/"                                            \
    "9D1Lp6L465FgqKxYPhqdmJqkoAEqltNh5f5k7MZcDblEdOHPzsbH/"                    \
    "dmcQ2iIIFclMWNIbwKUot0YYcQGjKY4Zi4aen6vVLOkeLtYP2aBMYgTxQIDAQAB"
#define ED_P "YRBvu0kn2FX2Vpm2BJ6M6XUOTwvSDE87J2JCBCFOmaA="

static const char zone_text[] = "$ORIGIN _domainkey.fuzz.example.\n"
                                "rsa TXT \"v=DKIM1; k=rsa; p=" RSA_P "\"\n"
                                "ed TXT \"v=DKIM1; k=ed25519; p=" ED_P "\"\n"
                                "sha1 TXT \"v=DKIM1; h=sha1; p=" RSA_P "\"\n"
                                "strict TXT \"v=DKIM1; t=s:y; p=" RSA_P "\"\n"
                                "revoked TXT \"v=DKIM1; k=rsa; p=\"\n"
                                "badkey TXT \"v=DKIM1; k=ed25519; p=AAAA\"\n"
                                "multi TXT \"v=spf1 -all\"\n"
                                "multi TXT \"v=DKIM1; k=ed25519; p=" ED_P "\"\n"
                                "$FAULT temp TXT SERVFAIL\n"
                                "$FAULT slow TXT TIMEOUT\n";

typedef struct run {
    int rc;
    size_t n;
    vouch_dkim_sig_t sig[VOUCH_DKIM_SIGNATURES_MAX];
} run_t;

static int64_t
fixed_now(void *payload)
{
    (void)payload;
    return 1700000000;
}

/* FNV-1a, then xorshift for the chunk sizes */
static uint64_t
hash(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    size_t i;

    for (i = 0; i < n; i++) {
        h = (h ^ p[i]) * 1099511628211ull;
    }
    return h;
}

static void
well_formed(const vouch_dkim_sig_t *s)
{
    if ((unsigned)s->result > VOUCH_DKIM_PERMERROR ||
        (unsigned)s->algorithm > VOUCH_DKIM_ALG_UNKNOWN ||
        memchr(s->reason, '\0', sizeof(s->reason)) == NULL ||
        s->reason[0] == '\0' ||
        memchr(s->domain, '\0', sizeof(s->domain)) == NULL ||
        memchr(s->selector, '\0', sizeof(s->selector)) == NULL ||
        memchr(s->identity, '\0', sizeof(s->identity)) == NULL ||
        memchr(s->header_b, '\0', sizeof(s->header_b)) == NULL ||
        (s->result == VOUCH_DKIM_PASS &&
         (s->algorithm == VOUCH_DKIM_ALG_UNKNOWN || s->key_bits == 0))) {
        abort();
    }
}

static void
verify(run_t *out, const vouch_ctx_t *ctx, vouch_resolver_t *r,
       const vouch_dkim_verify_options_t *o, const uint8_t *data, size_t size,
       uint64_t seed)
{
    vouch_dkim_verifier_t *v = NULL;
    size_t i, len;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = vouch_dkim_verifier_new(&v, ctx, r, o, NULL);
    for (i = 0; rc == 0 && i < size; i += len) {
        if (seed == 0) {
            len = size;
        } else {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            len = (seed % 8 == 0) ? 0 : (size_t)(seed >> 8) % 80 + 1;
            len = len > size - i ? size - i : len;
        }
        rc = vouch_dkim_verifier_feed(v, data + i, len, NULL);
    }
    if (rc == 0) {
        rc = vouch_dkim_verifier_finish(v, NULL);
    }
    out->rc = rc;
    if (rc == 0) {
        out->n = vouch_dkim_verifier_count(v);
        if (out->n > VOUCH_DKIM_SIGNATURES_MAX ||
            vouch_dkim_verifier_result(v, out->n) != NULL) {
            abort();
        }
        for (i = 0; i < out->n; i++) {
            out->sig[i] = *vouch_dkim_verifier_result(v, i);
            well_formed(&out->sig[i]);
            if (i > 0 &&
                out->sig[i].field_index <= out->sig[i - 1].field_index) {
                abort();
            }
            if (i >= o->max_signatures &&
                out->sig[i].result != VOUCH_DKIM_POLICY) {
                abort();
            }
        }
    }
    vouch_dkim_verifier_free(v);
}

static bool
same(const run_t *a, const run_t *b)
{
    size_t i;

    if (a->rc != b->rc || a->n != b->n) {
        return false;
    }
    for (i = 0; i < a->n; i++) {
        const vouch_dkim_sig_t *x = &a->sig[i], *y = &b->sig[i];

        if (x->result != y->result || strcmp(x->reason, y->reason) != 0 ||
            strcmp(x->domain, y->domain) != 0 ||
            strcmp(x->selector, y->selector) != 0 ||
            strcmp(x->identity, y->identity) != 0 ||
            x->algorithm != y->algorithm ||
            strcmp(x->header_b, y->header_b) != 0 ||
            x->has_length != y->has_length ||
            x->unsigned_body_bytes != y->unsigned_body_bytes ||
            x->key_bits != y->key_bits || x->key_testing != y->key_testing ||
            x->timestamp != y->timestamp || x->expiration != y->expiration ||
            x->field_index != y->field_index) {
            return false;
        }
    }
    return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static run_t whole, chunked;
    vouch_dkim_verify_options_t o = VOUCH_DKIM_VERIFY_OPTIONS_INIT;
    vouch_ctx_t *ctx = NULL;
    vouch_zone_t *zone = NULL;
    vouch_resolver_t *r = NULL;
    uint64_t h;

    if (size > 65536 || vouch_ctx_new(&ctx, NULL) != 0) {
        return 0;
    }
    vouch_ctx_set_clock(ctx, fixed_now, NULL);
    if (vouch_zone_new(&zone, ctx) != 0 ||
        vouch_zone_load_text(zone, zone_text, sizeof(zone_text) - 1, "fuzz",
                             NULL) != 0 ||
        vouch_resolver_new_zone(&r, ctx, zone) != 0) {
        abort(); /* the fixed zone always loads */
    }
    h = hash(data, size);
    o.allow_rsa_sha1 = (h & 1) != 0;
    o.reject_length = (h & 2) != 0;
    o.max_signatures = (h & 12) == 0 ? 2 : 10;
    o.allow_drafts = (h & 16) != 0;
    o.min_rsa_bits = (h & 32) != 0 ? 2048 : 1024;
    verify(&whole, ctx, r, &o, data, size, 0);
    verify(&chunked, ctx, r, &o, data, size, h | 1);
    if (!same(&whole, &chunked)) {
        abort(); /* results depend on chunking */
    }
    vouch_resolver_free(r);
    vouch_ctx_free(ctx);
    return 0;
}
