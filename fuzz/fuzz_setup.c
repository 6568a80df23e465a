/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_setup.c - record generation (vouch_setup_build) on hostile
 * options: the input is lines, the first the domain, then "mx HOST",
 * "ip ADDR", "s SENDER", "rua URI", "tls URI" or "nomail" (no DKIM key:
 * key generation is slow and takes no input). Whatever is built must
 * hold up: the snippet loads in the zone loader and answers every record
 * byte for byte, the SPF record passes the SPF record check, and the
 * MTA-STS policy parses. Never a crash, an overrun or a broken record.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LINES_MAX 64

static void
verify(const vouch_ctx_t *ctx, vouch_setup_result_t *r)
{
    vouch_buf_t text;
    vouch_zone_t *zone = NULL;
    vouch_resolver_t *res = NULL;
    vouch_mtasts_policy_t *pol = NULL;
    size_t i, k;

    vouch_buf_init(&text, ctx, 1 << 20);
    if (vouch_setup_zone_write(&text, r) != 0 || vouch_zone_new(&zone, ctx) ||
        vouch_zone_load_text(zone, text.ptr, text.len, NULL, NULL) != 0 ||
        vouch_resolver_new_zone(&res, ctx, zone) != 0) {
        abort();
    }
    for (i = 0; i < r->nrecords; i++) {
        const vouch_setup_record_t *rec = &r->record[i];
        const vouch_dns_answer_t *a = NULL;
        bool found = false;

        if (vouch_dns_query(res, NULL, rec->name, strlen(rec->name), rec->type,
                            &a, NULL) != 0 ||
            a->status != VOUCH_DNS_NOERROR) {
            abort();
        }
        for (k = 0; k < a->n && rec->type == VOUCH_DNS_TXT; k++) {
            found |= a->rr[k].len == strlen(rec->value) &&
                     memcmp(a->rr[k].data, rec->value, a->rr[k].len) == 0;
        }
        if ((rec->type == VOUCH_DNS_TXT && !found) ||
            (rec->kind == VOUCH_SETUP_SPF &&
             vouch_spf_check_record(rec->value, strlen(rec->value), NULL))) {
            abort();
        }
        vouch_dns_answer_free(a);
    }
    if (r->mtasts_policy.len > 0 &&
        vouch_mtasts_policy_parse(&pol, ctx, r->mtasts_policy.ptr,
                                  r->mtasts_policy.len, NULL) != 0) {
        abort();
    }
    vouch_mtasts_policy_free(pol);
    vouch_resolver_free(res);
    vouch_buf_dispose(&text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static vouch_ctx_t *ctx;
    const char *mx[LINES_MAX], *ip[LINES_MAX], *snd[LINES_MAX];
    vouch_setup_options_t o = VOUCH_SETUP_OPTIONS_INIT;
    vouch_setup_result_t *r = NULL;
    char *text, *line, *nl;

    if (ctx == NULL && vouch_ctx_new(&ctx, NULL) != 0) {
        return 0;
    }
    if (size > 4096 || (text = malloc(size + 1)) == NULL) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    o.dkim = false;
    o.mx = mx;
    o.ips = ip;
    o.senders = snd;
    o.domain = text;
    for (line = text; line != NULL; line = nl) {
        nl = strchr(line, '\n');
        if (nl != NULL) {
            *nl++ = '\0';
        }
        if (line == text) {
            continue;
        }
        if (strncmp(line, "mx ", 3) == 0 && o.nmx < LINES_MAX) {
            mx[o.nmx++] = line + 3;
        } else if (strncmp(line, "ip ", 3) == 0 && o.nips < LINES_MAX) {
            ip[o.nips++] = line + 3;
        } else if (strncmp(line, "s ", 2) == 0 && o.nsenders < LINES_MAX) {
            snd[o.nsenders++] = line + 2;
        } else if (strncmp(line, "rua ", 4) == 0) {
            o.dmarc_rua = line + 4;
        } else if (strncmp(line, "tls ", 4) == 0) {
            o.tlsrpt_rua = line + 4;
        } else if (strcmp(line, "nomail") == 0) {
            o.no_mail = true;
        }
    }
    if (vouch_setup_build(&r, ctx, &o, NULL) == 0) {
        verify(ctx, r);
    } else if (r != NULL) {
        abort();
    }
    vouch_setup_result_free(r);
    free(text);
    return 0;
}
