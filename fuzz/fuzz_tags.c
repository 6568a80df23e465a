/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_tags.c - the tag-list parser (RFC 6376 §3.2) on arbitrary
 * bytes, and the base64 and dkim-quoted-printable decoders on every value
 * it returns. Every view must lie inside the input, names must be
 * non-empty tag-names, values free of ';', no name twice, and the decoders
 * must stay inside their output caps.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
inside(const char *in, size_t size, vouch_str_t v)
{
    if (v.ptr < in || v.ptr > in + size || v.len > size ||
        (size_t)(v.ptr - in) + v.len > size) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vouch__tag_t tags[VOUCH_TAGS_MAX];
    const char *in = (const char *)data;
    vouch_error_t err;
    uint8_t b64[512];
    char qp[512];
    size_t n = 0, i, j, out;
    int rc;

    vouch_error_clear(&err);
    rc = vouch__tags_parse(tags, VOUCH_TAGS_MAX, &n, in, size, &err);
    if (rc != 0) {
        if ((rc != VOUCH_ESYNTAX && rc != VOUCH_ETOOBIG) || err.code != rc ||
            err.offset > size || err.msg[0] == '\0') {
            abort();
        }
        return 0;
    }
    if (n > VOUCH_TAGS_MAX) {
        abort();
    }
    for (i = 0; i < n; i++) {
        const vouch__tag_t *t = &tags[i];

        inside(in, size, t->name);
        inside(in, size, t->value);
        if (t->name.len == 0 || t->name.ptr != in + t->offset ||
            !vouch__is_alpha(t->name.ptr[0]) ||
            memchr(t->value.ptr, ';', t->value.len) != NULL ||
            vouch__tags_find(tags, n, "") != NULL) {
            abort();
        }
        /* values carry no leading or trailing whitespace */
        if (t->value.len > 0 &&
            (vouch__is_space(t->value.ptr[0]) ||
             vouch__is_space(t->value.ptr[t->value.len - 1]))) {
            abort();
        }
        for (j = 0; j < i; j++) {
            if (tags[j].name.len == t->name.len &&
                memcmp(tags[j].name.ptr, t->name.ptr, t->name.len) == 0) {
                abort(); /* a name twice must have been refused */
            }
        }
        rc = vouch__b64_decode(b64, sizeof(b64), &out, t->value.ptr,
                               t->value.len);
        if (rc == 0 && (out > sizeof(b64) || out > t->value.len)) {
            abort();
        }
        rc = vouch__dkim_qp_decode(qp, sizeof(qp), &out, t->value.ptr,
                                   t->value.len);
        if (rc == 0 && (out > sizeof(qp) || out > t->value.len)) {
            abort();
        }
    }
    return 0;
}
