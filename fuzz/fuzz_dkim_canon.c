/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_dkim_canon.c - DKIM body canonicalization (canon.c): for both
 * algorithms, the body fed in one chunk and in chunks cut where the input
 * says (1-byte chunks and cuts between CR and LF included) must give the
 * same hash and length, and the canonical length stays bounded by the
 * input (relaxed never grows a line; simple adds at most one CRLF per
 * bare LF and the final CRLF).
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t ncuts;
    int alg;

    if (size < 1) {
        return 0;
    }
    ncuts = data[0] % 8; /* the first bytes say where to cut */
    if (ncuts + 1 > size) {
        return 0;
    }
    for (alg = 0; alg < 2; alg++) {
        vouch_dkim_canon_t c = alg ? VOUCH_DKIM_RELAXED : VOUCH_DKIM_SIMPLE;
        const uint8_t *body = data + 1 + ncuts;
        size_t n = size - 1 - ncuts;
        uint8_t whole[32], cut[32];
        uint64_t e1, e2;

        run(c, body, n, NULL, 0, whole, &e1);
        run(c, body, n, data + 1, ncuts, cut, &e2);
        if (memcmp(whole, cut, 32) != 0 || e1 != e2 ||
            e1 > 2 * (uint64_t)n + 2) {
            __builtin_trap();
        }
    }
    return 0;
}
