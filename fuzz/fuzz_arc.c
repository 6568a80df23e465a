/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_arc.c - ARC chain validation on a hostile message: the parsers
 * of the three ARC fields, the set structure, the AMS and AS checks,
 * against a fixed zone holding a real RSA 1024 and Ed25519 key (the seeds
 * are chains sealed with their private halves, which are not kept), a key
 * of the wrong type, a revoked one and a SERVFAIL. The options come from a
 * hash of the input. The message is validated whole, then in chunks whose
 * sizes come from the input, then field by field: the results must be the
 * same (arc.h: results never depend on chunking) and well-formed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RSA_P                                                                  \
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC6fLDkZa9bECnR+"                    \
    "eamn0FcbrZgYdasAt4VOffoOKfenQdmZs9CfDm8dhIx6ktIo9Zo2Y9LOJ7j8hwqIRhWaxFWY" \
    "6cbTbFPJDarUim0mSB+cpSDokKroXx8M+SG8fXrJJuGXXUmwQAKk/"                    \
    "vvoCPYPQVR9beyHUzSTOpdXj9JNidxWwIDAQAB"
#define ED_P "/PZpR8i24Jmw3WAFpNNrC4qNN7u+0Iz/Y/vMhSa+vuc="

static const char zone_text[] =
    "$ORIGIN _domainkey.fuzz.example.\n"
    "rsa TXT \"v=DKIM1; k=rsa; p=" RSA_P "\"\n"
    "ed TXT \"v=DKIM1; k=ed25519; p=" ED_P "\"\n"
    "wrong TXT \"v=DKIM1; k=ed25519; p=" RSA_P "\"\n"
    "revoked TXT \"v=DKIM1; k=rsa; p=\"\n"
    "$FAULT temp TXT SERVFAIL\n";

typedef struct run {
    int rc;
    vouch_arc_result_t res;
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
well_formed(const vouch_arc_result_t *r)
{
    if ((unsigned)r->cv > VOUCH_ARC_FAIL || r->sets > VOUCH_ARC_INSTANCE_MAX ||
        memchr(r->reason, '\0', sizeof(r->reason)) == NULL ||
        r->reason[0] == '\0' ||
        memchr(r->domain, '\0', sizeof(r->domain)) == NULL ||
        memchr(r->selector, '\0', sizeof(r->selector)) == NULL ||
        (r->cv == VOUCH_ARC_NONE && r->sets != 0) ||
        (r->cv == VOUCH_ARC_PASS && r->sets == 0) || r->oldest_pass > r->sets ||
        (r->cv != VOUCH_ARC_PASS && r->oldest_pass != 0)) {
        abort();
    }
}

static void
finish(run_t *out, vouch_arc_verifier_t *v, int rc)
{
    if (rc == 0) {
        rc = vouch_arc_verifier_finish(v, NULL);
    }
    out->rc = rc;
    if (rc == 0) {
        out->res = *vouch_arc_verifier_result(v);
        well_formed(&out->res);
    } else if (vouch_arc_verifier_result(v) != NULL) {
        abort();
    }
    vouch_arc_verifier_free(v);
}

static void
verify(run_t *out, const vouch_ctx_t *ctx, vouch_resolver_t *r,
       const vouch_arc_verify_options_t *o, const uint8_t *data, size_t size,
       uint64_t seed)
{
    vouch_arc_verifier_t *v = NULL;
    size_t i, len;
    int rc;

    memset(out, 0, sizeof(*out));
    if (vouch_arc_verifier_new(&v, ctx, r, o, NULL) != 0) {
        abort();
    }
    for (rc = 0, i = 0; rc == 0 && i < size; i += len) {
        if (seed == 0) {
            len = size;
        } else {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            len = (seed % 8 == 0) ? 0 : (size_t)(seed >> 8) % 80 + 1;
            len = len > size - i ? size - i : len;
        }
        rc = vouch_arc_verifier_feed(v, data + i, len, NULL);
    }
    finish(out, v, rc);
}

/* Field by field: split at CRLF not followed by whitespace, up to the
 * empty line; only for CRLF-clean input (the reader also takes bare LF). */
static bool
verify_fields(run_t *out, const vouch_ctx_t *ctx, vouch_resolver_t *r,
              const vouch_arc_verify_options_t *o, const uint8_t *data,
              size_t size)
{
    const char *p = (const char *)data, *end = p + size, *start = p;
    vouch_arc_verifier_t *v = NULL;
    int rc = 0;

    if (memchr(data, '\0', size) != NULL) {
        return false;
    }
    for (size_t i = 0; i < size; i++) {
        if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r')) {
            return false;
        }
        if (p[i] == '\r' && (i + 1 >= size || p[i + 1] != '\n')) {
            return false;
        }
    }
    if (vouch_arc_verifier_new(&v, ctx, r, o, NULL) != 0) {
        abort();
    }
    memset(out, 0, sizeof(*out));
    while (rc == 0 && p + 1 < end) {
        if (p == start && p[0] == '\r' && p[1] == '\n') {
            p += 2; /* the empty line: the body follows */
            rc = vouch_arc_verifier_end_header(v, NULL);
            if (rc == 0) {
                rc = vouch_arc_verifier_body(v, p, (size_t)(end - p), NULL);
            }
            finish(out, v, rc);
            return true;
        }
        if (p[0] == '\r' && p[1] == '\n' &&
            !(p + 2 < end && (p[2] == ' ' || p[2] == '\t'))) {
            rc = vouch_arc_verifier_header(v, start, (size_t)(p - start), NULL);
            p += 2;
            start = p;
        } else {
            p++;
        }
    }
    vouch_arc_verifier_free(v);
    return false;
}

static bool
same(const run_t *a, const run_t *b)
{
    return a->rc == b->rc &&
           (a->rc != 0 ||
            (a->res.cv == b->res.cv && a->res.sets == b->res.sets &&
             a->res.oldest_pass == b->res.oldest_pass &&
             strcmp(a->res.reason, b->res.reason) == 0 &&
             strcmp(a->res.domain, b->res.domain) == 0 &&
             strcmp(a->res.selector, b->res.selector) == 0));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static run_t whole, chunked, fields;
    vouch_arc_verify_options_t o = VOUCH_ARC_VERIFY_OPTIONS_INIT;
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
    o.min_rsa_bits = (h & 2) != 0 ? 2048 : 1024;
    verify(&whole, ctx, r, &o, data, size, 0);
    verify(&chunked, ctx, r, &o, data, size, h | 1);
    if (!same(&whole, &chunked)) {
        abort(); /* results depend on chunking */
    }
    if (verify_fields(&fields, ctx, r, &o, data, size) && whole.rc == 0 &&
        !same(&whole, &fields)) {
        abort(); /* the field-by-field API disagrees */
    }
    vouch_resolver_free(r);
    vouch_ctx_free(ctx);
    return 0;
}
