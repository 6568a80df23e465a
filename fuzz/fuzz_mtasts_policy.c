/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_mtasts_policy.c - the MTA-STS policy parser (mtasts/policy.c)
 * on arbitrary bytes, then MX matching of every pattern against every
 * other pattern and against hosts made from the input. A parsed policy
 * must be self-consistent: mode enforce/testing has mx patterns, max_age
 * within the RFC bound, every view inside the policy's own copy, no
 * pattern or extension empty; a failure must carry a message and an
 * offset inside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vouch_ctx_t *
ctx_get(void)
{
    static vouch_ctx_t *ctx;

    if (ctx == NULL && vouch_ctx_new(&ctx, NULL) != 0) {
        abort();
    }
    return ctx;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    vouch_mtasts_policy_t *p = NULL;
    vouch_error_t err;
    size_t i, j;
    int rc;

    vouch_error_clear(&err);
    rc = vouch_mtasts_policy_parse(&p, ctx_get(), in, size, &err);
    if (rc != 0) {
        if ((rc != VOUCH_ESYNTAX && rc != VOUCH_ETOOBIG) || p != NULL ||
            err.code != rc || err.msg[0] == '\0' ||
            (rc == VOUCH_ESYNTAX && err.offset > size)) {
            abort();
        }
        /* whatever failed, matching on the raw input must stay sane */
        (void)vouch_mtasts_mx_match(in, size / 2, in + size / 2,
                                    size - size / 2);
        return 0;
    }
    if (p->max_age > VOUCH_MTASTS_MAX_AGE_MAX || p->nmx > VOUCH_MTASTS_MX_MAX ||
        p->next > VOUCH_MTASTS_EXT_MAX ||
        (p->mode != VOUCH_MTASTS_MODE_NONE && p->nmx == 0)) {
        abort();
    }
    for (i = 0; i < p->nmx; i++) {
        if (p->mx[i].len == 0 || p->mx[i].len > size ||
            memchr(p->mx[i].ptr, '\n', p->mx[i].len) != NULL) {
            abort();
        }
        for (j = 0; j < p->nmx && j < 16; j++) {
            const vouch_str_t *a = &p->mx[i], *b = &p->mx[j];

            /* a non-wildcard pattern always matches itself */
            if (a->ptr[0] != '*' &&
                !vouch_mtasts_mx_match(a->ptr, a->len, a->ptr, a->len)) {
                abort();
            }
            (void)vouch_mtasts_mx_match(a->ptr, a->len, b->ptr, b->len);
        }
        if (vouch_mtasts_policy_match(p, p->mx[i].ptr, p->mx[i].len) >
            (long)i) {
            abort();
        }
    }
    for (i = 0; i < p->next; i++) {
        if (p->ext[i].name.len == 0 || p->ext[i].value.len == 0) {
            abort();
        }
    }
    vouch_mtasts_policy_free(p);
    return 0;
}
