/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_tlsrpt.c - the TLS-RPT record parser and rua URI checks
 * (tlsrpt/record.c) on arbitrary bytes. A parsed record has 1..16 URIs,
 * each inside the input at its offset, with a known scheme and a host
 * inside the URI; each URI must pass vouch_tlsrpt_uri_check() alone. The
 * whole input is also checked as one URI. Refusals carry a message and an
 * offset inside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
inside(const char *base, size_t size, vouch_str_t v)
{
    if (v.ptr < base || v.len > size || (size_t)(v.ptr - base) + v.len > size) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    vouch_tlsrpt_record_t r;
    vouch_tlsrpt_uri_t u;
    vouch_error_t err;
    size_t i;
    int rc;

    vouch_error_clear(&err);
    rc = vouch_tlsrpt_uri_check(&u, in, size, &err);
    if (rc == 0) {
        inside(in, size, u.host);
    } else if ((rc != VOUCH_ESYNTAX && rc != VOUCH_ETOOBIG) ||
               err.offset > size || err.msg[0] == '\0') {
        abort();
    }
    vouch_error_clear(&err);
    rc = vouch_tlsrpt_record_parse(&r, in, size, &err);
    if (rc != 0) {
        if ((rc != VOUCH_ESYNTAX && rc != VOUCH_ETOOBIG) || err.code != rc ||
            err.msg[0] == '\0' || err.offset > size || r.nrua != 0) {
            abort();
        }
        return 0;
    }
    if (r.nrua == 0 || r.nrua > VOUCH_TLSRPT_RUA_MAX ||
        r.next > VOUCH_TLSRPT_EXT_MAX) {
        abort();
    }
    for (i = 0; i < r.nrua; i++) {
        const vouch_tlsrpt_uri_t *x = &r.rua[i];

        inside(in, size, x->uri);
        inside(x->uri.ptr, x->uri.len, x->host);
        if (x->uri.ptr != in + x->offset ||
            (x->scheme != VOUCH_TLSRPT_MAILTO &&
             x->scheme != VOUCH_TLSRPT_HTTPS) ||
            vouch_tlsrpt_uri_check(&u, x->uri.ptr, x->uri.len, NULL) != 0) {
            abort();
        }
    }
    for (i = 0; i < r.next; i++) {
        inside(in, size, r.ext[i].name);
        inside(in, size, r.ext[i].value);
    }
    return 0;
}
