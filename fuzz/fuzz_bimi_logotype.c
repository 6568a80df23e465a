/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_bimi_logotype.c - the DER walker that finds the SVG image in
 * an RFC 3709 logotype extension (bimi/vmc.c) on arbitrary bytes: the
 * views it returns must lie inside the input.
 */
#include <stdint.h>

#include "bimi/bimi_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
inside(const der_t *v, const uint8_t *data, size_t size)
{
    if (v->p < data || v->p > data + size ||
        v->len > (size_t)(data + size - v->p)) {
        __builtin_trap();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vouch__bimi_logo_t logo;

    if (vouch__bimi_logo_find(data, size, &logo)) {
        inside(&logo.hashes, data, size);
        inside(&logo.uri, data, size);
    }
    return 0;
}
