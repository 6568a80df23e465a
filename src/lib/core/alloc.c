/* SPDX-License-Identifier: MIT */
/*
 * core/alloc.c - the allocation funnel. Every allocation of the library
 * goes through the allocator of its context, so tests can inject failures
 * and embedders can use their own heap. Requests above VOUCH_ALLOC_MAX fail
 * before reaching the allocator: hostile counts cannot ask for gigabytes.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void *
vouch__malloc(const vouch_ctx_t *ctx, size_t size)
{
    if (size == 0) {
        size = 1;
    }
    if (size > VOUCH_ALLOC_MAX) {
        return NULL;
    }
    if (ctx != NULL && ctx->alloc.malloc_fn != NULL) {
        return ctx->alloc.malloc_fn(size, ctx->alloc.payload);
    }
    return malloc(size);
}

void *
vouch__calloc(const vouch_ctx_t *ctx, size_t n, size_t size)
{
    size_t total;
    void *p;

    if (vouch__mul_overflow(n, size, &total)) {
        return NULL;
    }
    p = vouch__malloc(ctx, total);
    if (p != NULL) {
        memset(p, 0, total == 0 ? 1 : total);
    }
    return p;
}

void *
vouch__realloc(const vouch_ctx_t *ctx, void *ptr, size_t size)
{
    if (size == 0) {
        size = 1;
    }
    if (size > VOUCH_ALLOC_MAX) {
        return NULL;
    }
    if (ctx != NULL && ctx->alloc.realloc_fn != NULL) {
        return ctx->alloc.realloc_fn(ptr, size, ctx->alloc.payload);
    }
    return realloc(ptr, size);
}

void
vouch__free(const vouch_ctx_t *ctx, void *ptr)
{
    if (ptr == NULL) {
        return;
    }
    if (ctx != NULL && ctx->alloc.free_fn != NULL) {
        ctx->alloc.free_fn(ptr, ctx->alloc.payload);
        return;
    }
    free(ptr);
}

char *
vouch__memdup(const vouch_ctx_t *ctx, const void *p, size_t len)
{
    size_t total;
    char *s;

    if (vouch__add_overflow(len, 1, &total)) {
        return NULL;
    }
    s = vouch__malloc(ctx, total);
    if (s == NULL) {
        return NULL;
    }
    if (len > 0) {
        memcpy(s, p, len);
    }
    s[len] = '\0';
    return s;
}
