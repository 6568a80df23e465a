/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_spf_record.c - the SPF record parser (record.c): whole-record
 * check and the term cursor, on arbitrary bytes.
 */
#include <stdint.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *rec = (const char *)data;
    vouch_spf_cursor_t cur;
    vouch_spf_term_t t;
    vouch_error_t err;
    size_t n = 0;
    int checked = vouch_spf_check_record(rec, size, &err);

    if (checked != 0 && checked != VOUCH_ESYNTAX) {
        __builtin_trap();
    }
    if (!vouch_spf_is_record(rec, size)) {
        return 0;
    }
    vouch_spf_cursor_init(&cur, rec, size);
    while (vouch_spf_cursor_next(&cur, &t, &err) == 1) {
        /* every view must lie inside the input */
        if (t.text.ptr < rec || t.text.ptr + t.text.len > rec + size ||
            (t.domain_spec.len > 0 &&
             (t.domain_spec.ptr < rec ||
              t.domain_spec.ptr + t.domain_spec.len > rec + size)) ||
            t.cidr4 > 32 || t.cidr6 > 128) {
            __builtin_trap();
        }
        n++;
    }
    return n > size ? 1 : 0;
}
