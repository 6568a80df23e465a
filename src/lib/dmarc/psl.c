/* SPDX-License-Identifier: MIT */
/*
 * dmarc/psl.c - the Public Suffix List for RFC 7489 mode, through libpsl.
 *
 * RFC 7489 §3.2 defines the Organizational Domain as the public suffix
 * plus one label: libpsl's "registrable domain". libpsl allocates with the
 * C library; only our wrapper goes through the context's allocator. A
 * loaded list is never changed, so lookups may run in many threads.
 */
#include <libpsl.h>
#include <string.h>

#include "dmarc_internal.h"

struct vouch_psl {
    const vouch_ctx_t *ctx;
    psl_ctx_t *psl;
};

/* see vouch/dmarc.h */
int
vouch_psl_load(vouch_psl_t **out, const vouch_ctx_t *ctx, const char *path,
               vouch_error_t *err)
{
    vouch_psl_t *p;

    if (out == NULL) {
        return vouch__error(err, VOUCH_EINVAL, "psl", 0, "no output");
    }
    *out = NULL;
    p = vouch__calloc(ctx, 1, sizeof(*p));
    if (p == NULL) {
        return vouch__error_code(err, VOUCH_ENOMEM, "psl");
    }
    p->ctx = ctx;
    p->psl = path != NULL ? psl_load_file(path) : psl_latest(NULL);
    if (p->psl == NULL) {
        vouch__free(ctx, p);
        return vouch__error(err, VOUCH_EIO, "psl", 0,
                            "cannot load the public suffix list %s",
                            path != NULL ? path : "(libpsl default)");
    }
    *out = p;
    return 0;
}

/* see vouch/dmarc.h */
int
vouch_psl_org_domain(const vouch_psl_t *psl, const char *domain,
                     char out[VOUCH_DNS_NAME_MAX + 1])
{
    char low[VOUCH_DNS_NAME_MAX + 1];
    const char *reg;
    size_t len, i;

    if (psl == NULL || domain == NULL || out == NULL) {
        return VOUCH_EINVAL;
    }
    out[0] = '\0';
    len = strlen(domain);
    if (len > 0 && domain[len - 1] == '.') {
        len--;
    }
    if (len > VOUCH_DNS_NAME_MAX) {
        return VOUCH_ETOOBIG;
    }
    for (i = 0; i < len; i++) {
        /* an empty label (leading dot, "..") has no registrable domain */
        if (domain[i] == '.' && (i == 0 || domain[i - 1] == '.')) {
            return VOUCH_ENOTFOUND;
        }
        low[i] = vouch__lower(domain[i]);
    }
    low[len] = '\0';
    if (len == 0) {
        return VOUCH_ENOTFOUND;
    }
    reg = psl_registrable_domain(psl->psl, low);
    if (reg == NULL) {
        return VOUCH_ENOTFOUND;
    }
    memcpy(out, reg, strlen(reg) + 1);
    return 0;
}

/* see vouch/dmarc.h */
void
vouch_psl_free(vouch_psl_t *psl)
{
    if (psl == NULL) {
        return;
    }
    psl_free(psl->psl);
    vouch__free(psl->ctx, psl);
}
