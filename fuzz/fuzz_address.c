/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_address.c - the RFC 5322 address-list parser and domain
 * normalisation on arbitrary bytes. Invariants: a known return code with
 * err filled and the offset inside the input; never more than max
 * addresses written (a guard slot after them stays untouched); every
 * local part NUL-terminated inside its array and free of CR, LF; every
 * domain either "" or normalised (lower-case LDH, no final dot, labels
 * 1-63, at most 253 bytes) and stable under a second normalisation; the
 * domain status agreeing with has_domain and the domain. The same bytes
 * as a From field value go through vouch_from_get: a known status, a
 * reason exactly when not OK, and an OK verdict's domain normalised and
 * non-empty.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/address.h"
#include "core/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX 4

static void
check_normal(const char *d)
{
    size_t len = strnlen(d, VOUCH_DNS_NAME_MAX + 1), i, label = 0;
    char again[VOUCH_DNS_NAME_MAX + 1];

    if (len > VOUCH_DNS_NAME_MAX) {
        abort();
    }
    if (len == 0) {
        return;
    }
    if (d[len - 1] == '.' || d[0] == '.') {
        abort();
    }
    for (i = 0; i < len; i++) {
        if (d[i] == '.') {
            if (label == 0 || d[i - 1] == '-') {
                abort();
            }
            label = 0;
            continue;
        }
        if (!(vouch__is_digit(d[i]) || (d[i] >= 'a' && d[i] <= 'z') ||
              d[i] == '-') ||
            (label == 0 && d[i] == '-') || ++label > VOUCH_DNS_LABEL_MAX) {
            abort();
        }
    }
    if (vouch_domain_normalize(again, d, len, NULL) != 0 ||
        strcmp(again, d) != 0) {
        abort();
    }
}

static void
check_address(const vouch_address_t *a)
{
    size_t l = strnlen(a->local, sizeof(a->local));

    if (l > VOUCH_ADDRESS_LOCAL_MAX || memchr(a->local, '\r', l) != NULL ||
        memchr(a->local, '\n', l) != NULL) {
        abort();
    }
    check_normal(a->domain);
    if (a->domain_cfws && !a->has_domain) {
        abort();
    }
    switch (a->domain_status) {
    case VOUCH_ADDRESS_DOMAIN_OK:
        if (!a->has_domain || a->domain[0] == '\0') {
            abort();
        }
        break;
    case VOUCH_ADDRESS_DOMAIN_NONE:
        if (a->has_domain || a->domain[0] != '\0') {
            abort();
        }
        break;
    case VOUCH_ADDRESS_DOMAIN_LITERAL:
    case VOUCH_ADDRESS_DOMAIN_INVALID:
        if (!a->has_domain || a->domain[0] != '\0') {
            abort();
        }
        break;
    default:
        abort();
    }
}

static void
check_from(const char *in, size_t size)
{
    static vouch_ctx_t *ctx;
    vouch_mail_header_t *h = NULL;
    vouch_from_t f;
    char *raw;

    if (ctx == NULL && vouch_ctx_new(&ctx, NULL) != 0) {
        return;
    }
    raw = malloc(size + 5);
    if (raw == NULL) {
        return;
    }
    memcpy(raw, "From:", 5);
    memcpy(raw + 5, in, size);
    if (vouch_mail_header_new(&h, ctx) == 0 &&
        vouch_mail_header_add(h, raw, size + 5, NULL) == 0 &&
        vouch_from_get(&f, h) == 0) {
        if ((unsigned)f.status > VOUCH_FROM_SYNTAX ||
            (f.status == VOUCH_FROM_OK) != (f.reason[0] == '\0') ||
            strnlen(f.reason, sizeof(f.reason)) >= sizeof(f.reason)) {
            abort();
        }
        if (f.status == VOUCH_FROM_OK) {
            check_address(&f.address);
            if (f.address.domain[0] == '\0' || f.address.domain_cfws ||
                f.field_index != 0 || f.naddresses != 1) {
                abort();
            }
        }
    }
    vouch_mail_header_free(h);
    free(raw);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    vouch_address_t out[MAX + 1], guard;
    char dom[VOUCH_DNS_NAME_MAX + 1];
    vouch_error_t err;
    size_t n = 0, i;
    int rc;

    memset(out, 0x5a, sizeof(out));
    memset(&guard, 0x5a, sizeof(guard));
    vouch_error_clear(&err);
    rc = vouch_address_list_parse(in, size, out, MAX, &n, &err);
    if (memcmp(&out[MAX], &guard, sizeof(guard)) != 0) {
        abort(); /* wrote past max */
    }
    if (rc != 0) {
        if ((rc != VOUCH_ESYNTAX && rc != VOUCH_ETOOBIG &&
             rc != VOUCH_ENOMEM) ||
            err.code != rc || err.offset > size || err.msg[0] == '\0') {
            abort();
        }
    } else if (n > MAX) {
        abort();
    }
    if (rc == VOUCH_ETOOBIG && n <= MAX &&
        strstr(err.msg, "local part") == NULL) {
        abort();
    }
    for (i = 0; i < n && i < MAX; i++) {
        check_address(&out[i]);
    }

    vouch_error_clear(&err);
    rc = vouch_domain_normalize(dom, in, size, &err);
    if (rc == 0) {
        check_normal(dom);
        if (dom[0] == '\0') {
            abort();
        }
    } else if ((rc != VOUCH_ESYNTAX && rc != VOUCH_ENOMEM) || dom[0] != '\0' ||
               err.msg[0] == '\0') {
        abort();
    }
    check_from(in, size);
    return 0;
}
