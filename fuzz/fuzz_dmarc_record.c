/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_dmarc_record.c - the DMARC record parser (dmarc/record.c) in
 * both modes on arbitrary bytes, the policy choice on what it parsed, and
 * the reporting-URI host extraction through destination verification (a
 * closed-world empty zone, so no real DNS).
 */
#include <stdint.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vouch_resolver_t *
resolver(vouch_ctx_t **ctx_out)
{
    static vouch_ctx_t *ctx;
    static vouch_resolver_t *r;
    vouch_zone_t *z = NULL;

    if (r == NULL) {
        if (vouch_ctx_new(&ctx, NULL) != 0 || vouch_zone_new(&z, ctx) != 0 ||
            vouch_resolver_new_zone(&r, ctx, z) != 0) {
            __builtin_trap();
        }
    }
    *ctx_out = ctx;
    return r;
}

static void
check_list(const vouch_dmarc_urilist_t *l)
{
    vouch_ctx_t *ctx;
    vouch_resolver_t *r = resolver(&ctx);
    size_t i;

    if (l->n > VOUCH_DMARC_URIS_MAX) {
        __builtin_trap();
    }
    for (i = 0; i < l->n; i++) {
        size_t len = strnlen(l->uri[i].uri, sizeof(l->uri[i].uri));
        vouch_dmarc_dest_t d;

        if (len == 0 || len > VOUCH_DMARC_URI_MAX) {
            __builtin_trap();
        }
        if (vouch_dmarc_check_destination(&d, ctx, r, NULL, "example.com",
                                          l->uri[i].uri, len, NULL) != 0) {
            __builtin_trap();
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *txt = (const char *)data;
    vouch_dmarc_mode_t modes[] = { VOUCH_DMARC_9989, VOUCH_DMARC_7489 };
    size_t m, i;

    for (m = 0; m < 2; m++) {
        vouch_dmarc_record_t rec;
        vouch_error_t err;
        int rc = vouch_dmarc_record_parse(&rec, txt, size, modes[m], &err);

        if (rc != 0) {
            if (rc != VOUCH_ESYNTAX || err.offset > size) {
                __builtin_trap();
            }
            continue;
        }
        if (rec.nwarnings > VOUCH_DMARC_WARNINGS_MAX || rec.pct > 100 ||
            (rec.present & VOUCH_DMARC_TAG_V) == 0) {
            __builtin_trap();
        }
        for (i = 0; i < rec.nwarnings; i++) {
            if (rec.warnings[i].offset > size ||
                strnlen(rec.warnings[i].msg, sizeof(rec.warnings[i].msg)) ==
                    sizeof(rec.warnings[i].msg)) {
                __builtin_trap();
            }
        }
        for (i = 0; i < 4; i++) {
            (void)vouch_dmarc_record_policy(&rec, (i & 1) != 0, (i & 2) != 0,
                                            NULL);
        }
        check_list(&rec.rua);
        check_list(&rec.ruf);
    }
    return 0;
}
