/* SPDX-License-Identifier: MIT */
/*
 * vouch/common.h - the base every module stands on: string views, bounded
 * buffers, IP addresses, and the context that carries the allocator, the
 * logging callback and the (injectable) clock.
 *
 * No globals: every library call that allocates, logs or needs the time
 * gets a vouch_ctx_t. A context is configured once, then only read, so one
 * context may be shared by any number of threads.
 */
#ifndef VOUCH_COMMON_H
#define VOUCH_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define VOUCH_EXTERN            __attribute__((visibility("default")))
#define VOUCH_WARN_UNUSED       __attribute__((warn_unused_result))
#define VOUCH_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define VOUCH_EXTERN
#define VOUCH_WARN_UNUSED
#define VOUCH_PRINTF(fmt, args)
#endif

typedef struct vouch_error vouch_error_t;

/* ---- string views ------------------------------------------------------ */

/* A borrowed, length-carrying byte string. Never assumed NUL-terminated;
 * may contain NUL bytes. */
typedef struct vouch_str {
    const char *ptr;
    size_t len;
} vouch_str_t;

/* ---- context ------------------------------------------------------------ */

/* Allocator hooks. All library allocation goes through these. */
typedef struct vouch_allocator {
    void *(*malloc_fn)(size_t size, void *payload);
    void *(*realloc_fn)(void *ptr, size_t size, void *payload);
    void (*free_fn)(void *ptr, void *payload);
    void *payload;
} vouch_allocator_t;

typedef enum vouch_log_level {
    VOUCH_LOG_ERROR = 0,
    VOUCH_LOG_WARN = 1,
    VOUCH_LOG_INFO = 2,
    VOUCH_LOG_DEBUG = 3
} vouch_log_level_t;

/* Logging callback. module is a static string ("dns", "spf"); msg is
 * NUL-terminated and has untrusted bytes already escaped. */
typedef void (*vouch_log_fn)(vouch_log_level_t level, const char *module,
                             const char *msg, void *payload);

/* Wall clock: seconds since the Unix epoch. */
typedef int64_t (*vouch_clock_fn)(void *payload);

typedef struct vouch_ctx vouch_ctx_t;

/*
 * Create a context. alloc may be NULL (use the C library); it is copied.
 * Returns 0, VOUCH_ENOMEM. *out is NULL on failure.
 */
VOUCH_EXTERN int
vouch_ctx_new(vouch_ctx_t **out,
              const vouch_allocator_t *alloc) VOUCH_WARN_UNUSED;

/* Set the logging callback; messages above max_level are not formatted.
 * fn NULL disables logging (the default). Not thread-safe: configure before
 * sharing the context. */
VOUCH_EXTERN void vouch_ctx_set_log(vouch_ctx_t *ctx, vouch_log_fn fn,
                                    vouch_log_level_t max_level, void *payload);

/* Replace the wall clock (tests pin time with it). fn NULL restores the
 * system clock. Not thread-safe: configure before sharing the context. */
VOUCH_EXTERN void vouch_ctx_set_clock(vouch_ctx_t *ctx, vouch_clock_fn fn,
                                      void *payload);

/* Current time from the context's clock, seconds since the epoch. */
VOUCH_EXTERN int64_t vouch_ctx_now(const vouch_ctx_t *ctx);

/* Free the context. NULL is a no-op. Every object made with it must be
 * freed first. */
VOUCH_EXTERN void vouch_ctx_free(vouch_ctx_t *ctx);

/* ---- bounded growable buffer ------------------------------------------- */

/*
 * An owned byte buffer with a mandatory maximum length. ptr is always
 * NUL-terminated after a successful call (the NUL is not counted in len),
 * so it can be printed, but it may hold NUL bytes of its own.
 * Growing past max fails with VOUCH_ETOOBIG and leaves the buffer as it
 * was: never silent truncation.
 */
typedef struct vouch_buf {
    char *ptr; /* NULL until the first successful append */
    size_t len;
    size_t cap;
    size_t max;
    const vouch_ctx_t *ctx; /* retained: allocator */
} vouch_buf_t;

/* Start an empty buffer that may hold at most max bytes. Cannot fail. */
VOUCH_EXTERN void vouch_buf_init(vouch_buf_t *buf, const vouch_ctx_t *ctx,
                                 size_t max);

/* Append bytes. Returns 0, VOUCH_ENOMEM, VOUCH_ETOOBIG. */
VOUCH_EXTERN int vouch_buf_add(vouch_buf_t *buf, const void *data,
                               size_t len) VOUCH_WARN_UNUSED;

/* Append one byte. Returns 0, VOUCH_ENOMEM, VOUCH_ETOOBIG. */
VOUCH_EXTERN int vouch_buf_addc(vouch_buf_t *buf, char c) VOUCH_WARN_UNUSED;

/* Append a NUL-terminated string (trusted, program-supplied text). */
VOUCH_EXTERN int vouch_buf_puts(vouch_buf_t *buf,
                                const char *s) VOUCH_WARN_UNUSED;

/* Append formatted text. Returns 0, VOUCH_ENOMEM, VOUCH_ETOOBIG. */
VOUCH_EXTERN int vouch_buf_printf(vouch_buf_t *buf, const char *fmt, ...)
    VOUCH_PRINTF(2, 3) VOUCH_WARN_UNUSED;

/* Forget the contents, keep the memory. */
VOUCH_EXTERN void vouch_buf_clear(vouch_buf_t *buf);

/* Free the memory; the buffer is empty and usable again afterwards. */
VOUCH_EXTERN void vouch_buf_dispose(vouch_buf_t *buf);

/* ---- IP addresses ------------------------------------------------------- */

/* Longest text form of an address, NUL included (INET6_ADDRSTRLEN). */
#define VOUCH_IP_STRLEN 46

typedef struct vouch_ip {
    int family;       /* 4 or 6 */
    uint8_t addr[16]; /* network order; IPv4 uses the first 4 bytes */
} vouch_ip_t;

/*
 * Parse an IPv4 or IPv6 address in text form (len bytes, not necessarily
 * NUL-terminated). Zone ids ("fe80::1%eth0"), brackets, CIDR suffixes and
 * surrounding spaces are rejected. An IPv4-mapped IPv6 address is kept as
 * IPv6 (see vouch_ip_unmap). Returns 0, VOUCH_ESYNTAX.
 */
VOUCH_EXTERN int vouch_ip_parse(vouch_ip_t *out, const char *text,
                                size_t len) VOUCH_WARN_UNUSED;

/* If ip is an IPv4-mapped IPv6 address (::ffff:a.b.c.d), turn it into the
 * IPv4 address. Returns 1 if it changed, 0 if not. */
VOUCH_EXTERN int vouch_ip_unmap(vouch_ip_t *ip);

/* Text form of ip into out (VOUCH_IP_STRLEN bytes). Returns out. */
VOUCH_EXTERN const char *vouch_ip_format(const vouch_ip_t *ip,
                                         char out[VOUCH_IP_STRLEN]);

#ifdef __cplusplus
}
#endif

#endif
