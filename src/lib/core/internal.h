/* SPDX-License-Identifier: MIT */
/*
 * core/internal.h - what every library module uses: the allocation funnel,
 * error filling, logging, overflow-checked arithmetic and ASCII helpers.
 * Semi-public: programs in this repository may include it; it is not
 * installed.
 */
#ifndef VOUCH_CORE_INTERNAL_H
#define VOUCH_CORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vouch/common.h"
#include "vouch/error.h"
#include "limits.h"

#if defined(__GNUC__)
#define VOUCH_HIDDEN __attribute__((visibility("hidden")))
#else
#define VOUCH_HIDDEN
#endif

/* "Impossible but handled" branches (SQLite's ALWAYS/NEVER): true in
 * release builds, asserted in debug builds. */
#ifdef NDEBUG
#define VOUCH_ALWAYS(x) (x)
#define VOUCH_NEVER(x)  (x)
#else
#include <assert.h>
#define VOUCH_ALWAYS(x) ((x) ? 1 : (assert(0), 0))
#define VOUCH_NEVER(x)  ((x) ? (assert(0), 1) : 0)
#endif

#define VOUCH_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- context ----------------------------------------------------------------
 */

struct vouch_ctx {
    vouch_allocator_t alloc;
    vouch_log_fn log_fn;
    vouch_log_level_t log_level;
    void *log_payload;
    vouch_clock_fn clock_fn;
    void *clock_payload;
};

/* ---- allocation (core/alloc.c)
 * ------------------------------------------------ */

/* All allocation goes through these. Sizes above VOUCH_ALLOC_MAX fail. */
VOUCH_HIDDEN void *vouch__malloc(const vouch_ctx_t *ctx, size_t size);
VOUCH_HIDDEN void *vouch__calloc(const vouch_ctx_t *ctx, size_t n, size_t size);
VOUCH_HIDDEN void *vouch__realloc(const vouch_ctx_t *ctx, void *ptr,
                                  size_t size);
VOUCH_HIDDEN void vouch__free(const vouch_ctx_t *ctx, void *ptr);

/* Copy of len bytes plus a NUL; NULL on failure. */
VOUCH_HIDDEN char *vouch__memdup(const vouch_ctx_t *ctx, const void *p,
                                 size_t len);

/* Returns true (and leaves *out alone) when a + b or a * b overflows. */
static inline bool
vouch__add_overflow(size_t a, size_t b, size_t *out)
{
    return __builtin_add_overflow(a, b, out);
}

static inline bool
vouch__mul_overflow(size_t a, size_t b, size_t *out)
{
    return __builtin_mul_overflow(a, b, out);
}

/* ---- errors (core/error.c)
 * ----------------------------------------------------- */

/* Fill *err (if not NULL) and return code. Never allocates. */
VOUCH_HIDDEN int vouch__error(vouch_error_t *err, int code, const char *module,
                              size_t offset, const char *fmt, ...)
    VOUCH_PRINTF(5, 6);

/* Fill *err (if not NULL and still empty) with the generic text of code.
 * Returns code. */
VOUCH_HIDDEN int vouch__error_code(vouch_error_t *err, int code,
                                   const char *module);

/* ---- logging (core/ctx.c)
 * ----------------------------------------------------- */

VOUCH_HIDDEN void vouch__log(const vouch_ctx_t *ctx, vouch_log_level_t level,
                             const char *module, const char *fmt, ...)
    VOUCH_PRINTF(4, 5);

/* ---- ASCII (core/str.c)
 * --------------------------------------------------------- */

static inline bool
vouch__is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static inline bool
vouch__is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool
vouch__is_alnum(int c)
{
    return vouch__is_alpha(c) || vouch__is_digit(c);
}

static inline bool
vouch__is_hex(int c)
{
    return vouch__is_digit(c) || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
}

static inline int
vouch__hex_value(int c)
{
    if (vouch__is_digit(c)) {
        return c - '0';
    }
    return (c | 0x20) - 'a' + 10;
}

/* Printable ASCII without space (VCHAR, RFC 5234). */
static inline bool
vouch__is_vchar(int c)
{
    return c >= 0x21 && c <= 0x7e;
}

static inline bool
vouch__is_space(int c)
{
    return c == ' ' || c == '\t';
}

static inline char
vouch__lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c | 0x20) : c;
}

/* One symbol of a library loaded with vouch__dl_load(): its name and the
 * table slot its address goes to (a function pointer taken as void *, as
 * POSIX allows for dlsym). */
typedef struct vouch__dl_sym {
    const char *name;
    void **slot;
} vouch__dl_sym_t;

/* dlopen soname (RTLD_LOCAL) and fill every slot of syms (n of them).
 * Returns true; false, with the library closed again, when it or one
 * symbol is missing (slots may then hold garbage: the caller keeps its
 * table unused). Call once, e.g. under pthread_once. */
VOUCH_HIDDEN bool vouch__dl_load(const char *soname,
                                 const vouch__dl_sym_t *syms, size_t n);

/* Case-insensitive ASCII comparison of two byte strings. */
VOUCH_HIDDEN bool vouch__str_ieq(const char *a, size_t alen, const char *b,
                                 size_t blen);

/* Case-insensitive: does a (alen bytes) start with the NUL-terminated
 * prefix? */
VOUCH_HIDDEN bool vouch__str_iprefix(const char *a, size_t alen,
                                     const char *prefix);

/*
 * Parse a decimal number at *cur (before end): at least one digit, no sign,
 * no leading space; the value must be <= max. Advances *cur past the
 * digits. Returns 0, VOUCH_ESYNTAX (no digit), VOUCH_ETOOBIG (> max).
 */
VOUCH_HIDDEN int vouch__parse_uint(const char **cur, const char *end,
                                   uint64_t max, uint64_t *out);

/*
 * Append len bytes to buf with every byte outside printable ASCII (and the
 * backslash) written as \xHH: for logs and messages about hostile input.
 */
VOUCH_HIDDEN int vouch__buf_add_escaped(vouch_buf_t *buf, const char *p,
                                        size_t len);

/* Same into a fixed array: writes at most cap-1 bytes plus NUL and ends
 * with "..." when the input did not fit (for messages only). */
VOUCH_HIDDEN void vouch__escape_into(char *out, size_t cap, const char *p,
                                     size_t len);

#endif
