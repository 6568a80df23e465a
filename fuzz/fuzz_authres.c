/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_authres.c - the Authentication-Results parser (RFC 8601 §2.2)
 * on arbitrary bytes, and the our-field check on the same bytes. A parse
 * failure must be a syntax or limit error with a message and an offset
 * inside the input. A success must respect the
 * caps, say the field is ours for its own authserv-id, and survive the
 * writer: what was parsed is written back, parses again to the same
 * number of methods, and writing that gives the same bytes (the writer's
 * replacements are idempotent).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vouch_ctx_t *ctx;

static void
check_methods(const vouch_ar_t *ar)
{
    size_t i, k;

    if (vouch_ar_count(ar) > VOUCH_AR_METHODS_MAX ||
        vouch_ar_method(ar, vouch_ar_count(ar)) != NULL) {
        abort();
    }
    for (i = 0; i < vouch_ar_count(ar); i++) {
        const vouch_ar_method_t *m = vouch_ar_method(ar, i);

        if (m == NULL || m->method == NULL || m->result == NULL ||
            m->nprops > VOUCH_AR_PROPS_MAX) {
            abort();
        }
        for (k = 0; k < m->nprops; k++) {
            if (m->props[k].ptype == NULL || m->props[k].property == NULL ||
                m->props[k].value == NULL) {
                abort();
            }
        }
    }
}

/* Write ar's methods as a value with a fixed authserv-id into out. */
static void
write_back(vouch_buf_t *out, const vouch_ar_t *ar)
{
    int rc = vouch_ar_write_value(out, "fuzz.example", vouch_ar_method(ar, 0),
                                  vouch_ar_count(ar), NULL);

    if (rc != 0) {
        abort(); /* parsed methods are always writable */
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    vouch_ar_t *ar = NULL, *ar2 = NULL;
    vouch_buf_t out1, out2;
    vouch_error_t err;
    const char *id;
    int rc;

    if (ctx == NULL && vouch_ctx_new(&ctx, NULL) != 0) {
        abort();
    }
    /* the robust check reads any bytes */
    (void)vouch_ar_is_ours(in, size, "example.net");
    vouch_error_clear(&err);
    rc = vouch_ar_parse(&ar, ctx, in, size, &err);
    if (rc != 0) {
        if ((rc != VOUCH_ESYNTAX && rc != VOUCH_ETOOBIG) || ar != NULL ||
            err.code != rc || err.offset > size || err.msg[0] == '\0') {
            abort();
        }
        return 0;
    }
    check_methods(ar);
    id = vouch_ar_authserv_id(ar);
    if (id == NULL || (id[0] != '\0' && !vouch_ar_is_ours(in, size, id))) {
        abort();
    }
    vouch_buf_init(&out1, ctx, (size_t)1 << 20);
    vouch_buf_init(&out2, ctx, (size_t)1 << 20);
    write_back(&out1, ar);
    if (vouch_ar_parse(&ar2, ctx, out1.ptr, out1.len, &err) != 0 ||
        vouch_ar_count(ar2) != vouch_ar_count(ar) ||
        !vouch_ar_is_ours(out1.ptr, out1.len, "fuzz.example")) {
        abort();
    }
    check_methods(ar2);
    write_back(&out2, ar2);
    if (out1.len != out2.len || memcmp(out1.ptr, out2.ptr, out1.len) != 0) {
        abort();
    }
    vouch_buf_dispose(&out1);
    vouch_buf_dispose(&out2);
    vouch_ar_free(ar2);
    vouch_ar_free(ar);
    return 0;
}
