/* SPDX-License-Identifier: MIT */
/*
 * core/ctx.c - the context: allocator, logging callback and wall clock.
 * A context is written while it is being configured and only read after,
 * which is what makes sharing it between threads safe.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

int
vouch_ctx_new(vouch_ctx_t **out, const vouch_allocator_t *alloc)
{
    vouch_ctx_t tmp;
    vouch_ctx_t *ctx;

    memset(&tmp, 0, sizeof(tmp));
    if (alloc != NULL) {
        tmp.alloc = *alloc;
    }
    *out = NULL;
    ctx = vouch__malloc(&tmp, sizeof(*ctx));
    if (ctx == NULL) {
        return VOUCH_ENOMEM;
    }
    *ctx = tmp;
    *out = ctx;
    return 0;
}

void
vouch_ctx_set_log(vouch_ctx_t *ctx, vouch_log_fn fn,
                  vouch_log_level_t max_level, void *payload)
{
    ctx->log_fn = fn;
    ctx->log_level = max_level;
    ctx->log_payload = payload;
}

void
vouch_ctx_set_clock(vouch_ctx_t *ctx, vouch_clock_fn fn, void *payload)
{
    ctx->clock_fn = fn;
    ctx->clock_payload = payload;
}

int64_t
vouch_ctx_now(const vouch_ctx_t *ctx)
{
    struct timespec ts;

    if (ctx != NULL && ctx->clock_fn != NULL) {
        return ctx->clock_fn(ctx->clock_payload);
    }
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
        return 0;
    }
    return (int64_t)ts.tv_sec;
}

void
vouch_ctx_free(vouch_ctx_t *ctx)
{
    vouch_ctx_t tmp;

    if (ctx == NULL) {
        return;
    }
    tmp = *ctx;
    vouch__free(&tmp, ctx);
}

void
vouch__log(const vouch_ctx_t *ctx, vouch_log_level_t level, const char *module,
           const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    if (ctx == NULL || ctx->log_fn == NULL || level > ctx->log_level) {
        return;
    }
    va_start(ap, fmt);
    /* log lines are bounded; callers escape untrusted bytes first */
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ctx->log_fn(level, module, msg, ctx->log_payload);
}
