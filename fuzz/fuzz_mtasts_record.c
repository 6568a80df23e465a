/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_mtasts_record.c - the `_mta-sts` TXT record parser
 * (mtasts/record.c) on arbitrary bytes. A parsed record has a 1-32 byte
 * alphanumeric id and extension views inside the input with valid names
 * and non-empty values; a refusal carries a message and an offset inside
 * the input, and leaves the record zeroed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
inside(const char *in, size_t size, vouch_str_t v)
{
    if (v.ptr < in || v.len > size || (size_t)(v.ptr - in) + v.len > size) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    vouch_mtasts_record_t r;
    vouch_error_t err;
    size_t i, n;
    int rc;

    vouch_error_clear(&err);
    rc = vouch_mtasts_record_parse(&r, in, size, &err);
    if (rc != 0) {
        if ((rc != VOUCH_ESYNTAX && rc != VOUCH_ETOOBIG) || err.code != rc ||
            err.msg[0] == '\0' || err.offset > size || r.id[0] != '\0' ||
            r.next != 0) {
            abort();
        }
        return 0;
    }
    if (size < 7 || memcmp(in, "v=STSv1", 7) != 0) {
        abort();
    }
    n = strlen(r.id);
    if (n == 0 || n > VOUCH_MTASTS_ID_MAX) {
        abort();
    }
    for (i = 0; i < n; i++) {
        char c = r.id[i];

        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
              (c >= 'A' && c <= 'Z'))) {
            abort();
        }
    }
    if (r.next > VOUCH_MTASTS_EXT_MAX) {
        abort();
    }
    for (i = 0; i < r.next; i++) {
        inside(in, size, r.ext[i].name);
        inside(in, size, r.ext[i].value);
        if (r.ext[i].name.len == 0 ||
            r.ext[i].name.len > VOUCH_MTASTS_EXT_NAME_MAX ||
            r.ext[i].value.len == 0 ||
            memchr(r.ext[i].value.ptr, ';', r.ext[i].value.len) != NULL) {
            abort();
        }
    }
    return 0;
}
