/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_bimi_record.c - the BIMI assertion record parser
 * (bimi/record.c) on arbitrary bytes: it must return 0 or VOUCH_ESYNTAX,
 * keep its error offset inside the input, and leave NUL-terminated URIs
 * that are empty or start "https://".
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_uri(const char *u, size_t cap)
{
    size_t n = strnlen(u, cap);

    if (n == cap || (n > 0 && (n <= 8 || strncasecmp(u, "https://", 8) != 0))) {
        __builtin_trap();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vouch_bimi_record_t r;
    vouch_error_t err;
    int rc;

    vouch_error_clear(&err);
    rc = vouch_bimi_record_parse(&r, (const char *)data, size, &err);
    if (rc != 0) {
        if (rc != VOUCH_ESYNTAX || err.offset > size ||
            r.error == VOUCH_BIMI_REC_OK) {
            __builtin_trap();
        }
        return 0;
    }
    if (r.error != VOUCH_BIMI_REC_OK ||
        r.declination != (r.l[0] == '\0' && r.a[0] == '\0')) {
        __builtin_trap();
    }
    check_uri(r.l, sizeof(r.l));
    check_uri(r.a, sizeof(r.a));
    return 0;
}
