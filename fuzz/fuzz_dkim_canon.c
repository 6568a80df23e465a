/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_dkim_canon.c - DKIM body canonicalization (canon.c): for both
 * algorithms, the body fed in one chunk and in chunks cut where the input
 * says (1-byte chunks and cuts between CR and LF included) must give the
 * same hash and length, and the canonical length stays bounded by the
 * input (relaxed never grows a line; simple adds at most one CRLF per
 * bare LF and the final CRLF). A bare LF must count as the CRLF the mail
 * reader would make of it: the body with a CR put before each bare LF
 * gives the same hash and length (the reader hands DKIM the body as it
 * comes, vouch__mail_reader_new_raw).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"
#include "dkim/dkim_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
run(vouch_dkim_canon_t c, const uint8_t *p, size_t n, const uint8_t *cuts,
    size_t ncuts, uint8_t out[32], uint64_t *emitted)
{
    vouch__hash_t *h;
    dkim_body_t b;
    size_t i = 0, k = 0, len;

    if (vouch__hash_new(&h, NULL, VOUCH__SHA256) != 0) {
        abort();
    }
    vouch__dkim_body_init(&b, c, h, UINT64_MAX);
    while (i < n) {
        size_t step = ncuts == 0 ? n - i : 1 + (size_t)(cuts[k++ % ncuts] % 17);

        step = step > n - i ? n - i : step;
        vouch__dkim_body_update(&b, (const char *)p + i, step);
        i += step;
    }
    vouch__dkim_body_final(&b);
    if (vouch__hash_final(h, out, &len) != 0) {
        abort();
    }
    *emitted = b.emitted;
    vouch__hash_free(h);
}

/* p[0..n) with a CR put before each bare LF, as the mail reader does;
 * NULL if out of memory. */
static uint8_t *
crlf_only(const uint8_t *p, size_t n, size_t *len)
{
    uint8_t *q = malloc(2 * n + 1);
    size_t i, k = 0;

    if (q == NULL) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r')) {
            q[k++] = '\r';
        }
        q[k++] = p[i];
    }
    *len = k;
    return q;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *norm;
    size_t ncuts, nlen;
    int alg;

    if (size < 1) {
        return 0;
    }
    ncuts = data[0] % 8; /* the first bytes say where to cut */
    if (ncuts + 1 > size) {
        return 0;
    }
    norm = crlf_only(data + 1 + ncuts, size - 1 - ncuts, &nlen);
    if (norm == NULL) {
        abort();
    }
    for (alg = 0; alg < 2; alg++) {
        vouch_dkim_canon_t c = alg ? VOUCH_DKIM_RELAXED : VOUCH_DKIM_SIMPLE;
        const uint8_t *body = data + 1 + ncuts;
        size_t n = size - 1 - ncuts;
        uint8_t whole[32], cut[32], crlf[32];
        uint64_t e1, e2, e3;

        run(c, body, n, NULL, 0, whole, &e1);
        run(c, body, n, data + 1, ncuts, cut, &e2);
        run(c, norm, nlen, data + 1, ncuts, crlf, &e3);
        if (memcmp(whole, cut, 32) != 0 || e1 != e2 ||
            e1 > 2 * (uint64_t)n + 2 || memcmp(whole, crlf, 32) != 0 ||
            e1 != e3) {
            __builtin_trap();
        }
    }
    free(norm);
    return 0;
}
