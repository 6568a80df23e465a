/* SPDX-License-Identifier: MIT */
/*
 * core/buf.c - bounded growable byte buffers (see vouch/common.h).
 * Invariant: when ptr is not NULL, len < cap and ptr[len] == '\0'.
 * An append that would pass max fails with VOUCH_ETOOBIG and changes
 * nothing.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

void
vouch_buf_init(vouch_buf_t *buf, const vouch_ctx_t *ctx, size_t max)
{
    buf->ptr = NULL;
    buf->len = 0;
    buf->cap = 0;
    buf->max = max;
    buf->ctx = ctx;
}

/* Make room for extra more bytes plus the NUL. */
static int
grow(vouch_buf_t *buf, size_t extra)
{
    size_t need, cap;
    char *p;

    if (vouch__add_overflow(buf->len, extra, &need) || need > buf->max) {
        return VOUCH_ETOOBIG;
    }
    need++; /* NUL */
    if (need <= buf->cap) {
        return 0;
    }
    cap = buf->cap < 64 ? 64 : buf->cap;
    while (cap < need) {
        if (vouch__mul_overflow(cap, 2, &cap)) {
            cap = need;
            break;
        }
    }
    if (cap > buf->max + 1) {
        cap = buf->max + 1;
    }
    p = vouch__realloc(buf->ctx, buf->ptr, cap);
    if (p == NULL) {
        return VOUCH_ENOMEM;
    }
    buf->ptr = p;
    buf->cap = cap;
    return 0;
}

int
vouch_buf_add(vouch_buf_t *buf, const void *data, size_t len)
{
    int rc = grow(buf, len);

    if (rc != 0) {
        return rc;
    }
    if (len > 0) {
        memcpy(buf->ptr + buf->len, data, len);
    }
    buf->len += len;
    buf->ptr[buf->len] = '\0';
    return 0;
}

int
vouch_buf_addc(vouch_buf_t *buf, char c)
{
    return vouch_buf_add(buf, &c, 1);
}

int
vouch_buf_puts(vouch_buf_t *buf, const char *s)
{
    return vouch_buf_add(buf, s, strlen(s));
}

int
vouch_buf_printf(vouch_buf_t *buf, const char *fmt, ...)
{
    va_list ap;
    int n;
    size_t need;
    int rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return VOUCH_EINVAL;
    }
    need = (size_t)n;
    rc = grow(buf, need);
    if (rc != 0) {
        return rc;
    }
    va_start(ap, fmt);
    (void)vsnprintf(buf->ptr + buf->len, need + 1, fmt, ap);
    va_end(ap);
    buf->len += need;
    return 0;
}

void
vouch_buf_clear(vouch_buf_t *buf)
{
    buf->len = 0;
    if (buf->ptr != NULL) {
        buf->ptr[0] = '\0';
    }
}

void
vouch_buf_dispose(vouch_buf_t *buf)
{
    vouch__free(buf->ctx, buf->ptr);
    buf->ptr = NULL;
    buf->len = 0;
    buf->cap = 0;
}
