/* SPDX-License-Identifier: MIT */
/*
 * vouch/error.h - error codes and the optional error detail.
 *
 * Fallible functions return 0 on success or a negative VOUCH_E* code. A
 * protocol verdict (pass, fail, permerror, ...) is not an error: it is data
 * in a result struct, and the call that reached it returns 0.
 *
 * Detail goes into an optional vouch_error_t (may be NULL everywhere): the
 * code, the module that failed, a byte offset into the input when one makes
 * sense, and a fixed-size message. Filling it never allocates. There is no
 * thread-local "last error".
 *
 * Codes are never renumbered; a retired code stays reserved.
 */
#ifndef VOUCH_ERROR_H
#define VOUCH_ERROR_H

#include <stddef.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* X(name, positive value, description) */
#define VOUCH_ERRNO_MAP(X)                                                     \
    X(ENOMEM, 1, "out of memory")                                              \
    X(EINVAL, 2, "invalid argument")                                           \
    X(ESYNTAX, 3, "syntax error")                                              \
    X(ETOOBIG, 4, "limit exceeded")                                            \
    X(ENOTFOUND, 5, "not found")                                               \
    X(ETEMP, 6, "temporary failure")                                           \
    X(EINTERNAL, 7, "internal error")                                          \
    X(EIO, 8, "input/output error")

typedef enum vouch_errno {

#define VOUCH__ERRNO_ENUM(name, value, text) VOUCH_##name = -(value),
    VOUCH_ERRNO_MAP(VOUCH__ERRNO_ENUM)
#undef VOUCH__ERRNO_ENUM
} vouch_errno_t;

/* Length of vouch_error_t.msg, terminating NUL included. */
#define VOUCH_ERROR_MSG_MAX 256

typedef struct vouch_error {
    int code;           /* a VOUCH_E* value, 0 when no error was recorded */
    const char *module; /* static string: "dns", "spf", "zone", ...  */
    size_t offset;      /* byte offset into the input, when meaningful */
    char msg[VOUCH_ERROR_MSG_MAX]; /* human message, always NUL-terminated */
} vouch_error_t;

/* Text of a code ("out of memory"); "unknown error" for anything else. */
VOUCH_EXTERN const char *vouch_strerror(int code);

/* Name of a code ("VOUCH_ENOMEM"); "VOUCH_E?" for anything else. */
VOUCH_EXTERN const char *vouch_errname(int code);

/* Reset *err to "no error". err may be NULL. */
VOUCH_EXTERN void vouch_error_clear(vouch_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
