/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_svg.c - the SVG Tiny PS checker (bimi/svg.c) on arbitrary
 * bytes: libxml2 parsing without entities or network, our walk and its
 * caps. Findings must be consistent with the verdict and their text
 * NUL-terminated.
 */
#include <stdint.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static vouch_ctx_t *ctx;
    vouch_bimi_svg_result_t r;
    size_t i;

    if (ctx == NULL && vouch_ctx_new(&ctx, NULL) != 0) {
        __builtin_trap();
    }
    if (vouch_bimi_svg_check(&r, ctx, (const char *)data, size, NULL) != 0) {
        return 0; /* out of memory only */
    }
    if (r.findings.n > VOUCH_BIMI_FINDINGS_MAX || r.ok != (r.findings.n == 0)) {
        __builtin_trap();
    }
    for (i = 0; i < r.findings.n; i++) {
        if (strnlen(r.findings.f[i].detail, sizeof(r.findings.f[i].detail)) ==
                sizeof(r.findings.f[i].detail) ||
            r.findings.f[i].code > VOUCH_BIMI_SVG_TOO_DEEP) {
            __builtin_trap();
        }
    }
    return 0;
}
