/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_audit.c - the domain audit (vouch_audit_run) on hostile
 * records. The first byte picks where the rest of the input is published
 * for fuzz.example: its SPF TXT record, its DMARC record, the DKIM key at
 * selector s1, or the TLSA rdata of its MX host; with bit 3 set, the
 * first two are its _mta-sts and _smtp._tls records instead (no policy
 * fetch: fuzzing stays offline); with bit 4 set (and not the TLSA case)
 * it is the BIMI record at default._bimi (DMARC enforces in the fixed
 * zone; nothing fetched); a fixed zone around it
 * gives the SPF tree includes, a loop, void names and faults to find.
 * Every audit must end in a result whose scores, grade, counts and texts
 * are within their bounds: never a crash, a hang or an overrun.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed_zone[] =
    "$ORIGIN example.\n"
    "fuzz MX 10 mx.fuzz\n"
    "mx.fuzz A 192.0.2.1\n"
    "mx.fuzz AAAA 2001:db8::1\n"
    "inc TXT \"v=spf1 ip4:192.0.2.0/24 include:fuzz.example a:nx.example "
    "~all\"\n"
    "loop TXT \"v=spf1 include:loop.example -all\"\n"
    "rua._report._dmarc.other TXT \"v=DMARC1\"\n"
    "$FAULT slow.example. ANY TIMEOUT\n"
    "$FAULT broken.example. A SERVFAIL\n";

static const char *const owners[] = {
    "fuzz.example. TXT",
    "_dmarc.fuzz.example. TXT",
    "s1._domainkey.fuzz.example. TXT",
};

static const char *const sts_owners[] = {
    "_mta-sts.fuzz.example. TXT",
    "_smtp._tls.fuzz.example. TXT",
    "s1._domainkey.fuzz.example. TXT",
};

static bool
terminated(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}

static void
check(const vouch_audit_result_t *r)
{
    size_t i;

    if (r->score < 0 || r->score > 100 || r->grade < 'A' || r->grade > 'F' ||
        r->nfindings > VOUCH_AUDIT_FINDINGS_MAX ||
        r->nsteps > VOUCH_AUDIT_PLAN_MAX || r->spf.nnodes < 1 ||
        r->spf.nnodes > VOUCH_AUDIT_SPF_NODES_MAX ||
        r->spf.nnets > VOUCH_AUDIT_SPF_NETS_MAX ||
        r->dkim.n > VOUCH_AUDIT_SELECTORS_MAX || r->mx.n > VOUCH_AUDIT_MX_MAX ||
        !terminated(r->spf.record, sizeof(r->spf.record)) ||
        !terminated(r->dmarc.record, sizeof(r->dmarc.record)) ||
        !terminated(r->mtasts.record, sizeof(r->mtasts.record)) ||
        !terminated(r->mtasts.id, sizeof(r->mtasts.id)) || r->mtasts.fetched ||
        r->mtasts.nmx > VOUCH_AUDIT_STS_MX_MAX ||
        !terminated(r->tlsrpt.record, sizeof(r->tlsrpt.record)) ||
        !terminated(r->tlsrpt.error, sizeof(r->tlsrpt.error)) ||
        r->tlsrpt.nrua > VOUCH_TLSRPT_RUA_MAX ||
        !terminated(r->bimi.record, sizeof(r->bimi.record)) ||
        !terminated(r->bimi.logo.url, sizeof(r->bimi.logo.url)) ||
        !terminated(r->bimi.vmc.url, sizeof(r->bimi.vmc.url)) ||
        r->bimi.logo_checked || r->bimi.vmc_checked ||
        (r->bimi.logo.fetch != VOUCH_AUDIT_FETCH_NONE &&
         r->bimi.logo.fetch != VOUCH_AUDIT_FETCH_NOT_FETCHED)) {
        abort();
    }
    for (i = 0; i < VOUCH_AUDIT_AREAS; i++) {
        if (r->area[i].score < -1 || r->area[i].score > 100) {
            abort();
        }
    }
    for (i = 0; i < r->nfindings; i++) {
        const vouch_audit_finding_t *f = &r->finding[i];

        if (f->id == NULL || (unsigned)f->area >= VOUCH_AUDIT_AREAS ||
            (unsigned)f->severity > VOUCH_AUDIT_CRITICAL ||
            !terminated(f->explanation, sizeof(f->explanation)) ||
            !terminated(f->fix, sizeof(f->fix))) {
            abort();
        }
    }
    for (i = 1; i < r->spf.nnodes; i++) {
        if (r->spf.node[i].parent < 0 || (size_t)r->spf.node[i].parent >= i) {
            abort();
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const sel[] = { "s1" };
    vouch_audit_options_t opts = VOUCH_AUDIT_OPTIONS_INIT;
    vouch_ctx_t *ctx = NULL;
    vouch_zone_t *zone = NULL;
    vouch_resolver_t *r = NULL;
    vouch_audit_result_t *res = NULL;
    vouch_buf_t text;
    unsigned where;
    size_t i;

    if (size < 1 || size > 4096 || vouch_ctx_new(&ctx, NULL) != 0) {
        return 0;
    }
    where = data[0] & 3;
    vouch_buf_init(&text, ctx, 1 << 20);
    if (vouch_buf_puts(&text, fixed_zone) != 0 ||
        ((data[0] & 16) != 0 && where != 3 &&
         vouch_buf_puts(&text, "_dmarc.fuzz.example. TXT "
                               "\"v=DMARC1; p=reject\"\n") != 0)) {
        goto out;
    }
    if (where == 3) {
        /* TLSA of the MX host in RFC 3597 form (at most 1024 bytes) */
        size_t n = size - 1 > 1024 ? 1024 : size - 1;

        if (vouch_buf_printf(&text, "_25._tcp.mx.fuzz.example. TYPE52 \\# %zu ",
                             n) != 0) {
            goto out;
        }
        for (i = 1; i <= n; i++) {
            if (vouch_buf_printf(&text, "%02x", data[i]) != 0) {
                goto out;
            }
        }
        if (n == 0 && vouch_buf_puts(&text, "00") != 0) {
            goto out;
        }
    } else {
        if (vouch_buf_printf(&text, "%s \"",
                             (data[0] & 16) != 0
                                 ? "default._bimi.fuzz.example. TXT"
                             : (data[0] & 8) != 0 ? sts_owners[where]
                                                  : owners[where]) != 0) {
            goto out;
        }
        /* the value, in 255-byte strings, every byte as \DDD */
        for (i = 1; i < size; i++) {
            if (i > 1 && (i - 1) % 255 == 0 &&
                vouch_buf_puts(&text, "\" \"") != 0) {
                goto out;
            }
            if (vouch_buf_printf(&text, "\\%03u", data[i]) != 0) {
                goto out;
            }
        }
        if (vouch_buf_puts(&text, "\"") != 0) {
            goto out;
        }
    }
    if (vouch_buf_puts(&text, "\n") != 0 || vouch_zone_new(&zone, ctx) != 0 ||
        vouch_zone_load_text(zone, text.ptr, text.len, "fuzz", NULL) != 0 ||
        vouch_resolver_new_zone(&r, ctx, zone) != 0) {
        vouch_zone_free(zone);
        goto out;
    }
    opts.selectors = sel;
    opts.nselectors = 1;
    opts.discovery = (data[0] & 4) != 0;
    opts.no_fetch = true;
    if (vouch_audit_run(&res, ctx, r, &opts, "fuzz.example", 12, NULL) == 0) {
        check(res);
    }
    vouch_audit_result_free(res);
    vouch_resolver_free(r);
out:
    vouch_buf_dispose(&text);
    vouch_ctx_free(ctx);
    return 0;
}
