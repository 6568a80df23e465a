/* SPDX-License-Identifier: MIT */
/*
 * core/error.c - code names and texts (generated from VOUCH_ERRNO_MAP) and
 * filling of the optional error detail. Nothing here allocates.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

const char *
vouch_strerror(int code)
{
    switch (code) {
#define X(name, value, text)                                                   \
    case VOUCH_##name:                                                         \
        return text;
        VOUCH_ERRNO_MAP(X)
#undef X
    case 0:
        return "success";
    default:
        return "unknown error";
    }
}

const char *
vouch_errname(int code)
{
    switch (code) {
#define X(name, value, text)                                                   \
    case VOUCH_##name:                                                         \
        return "VOUCH_" #name;
        VOUCH_ERRNO_MAP(X)
#undef X
    default:
        return "VOUCH_E?";
    }
}

void
vouch_error_clear(vouch_error_t *err)
{
    if (err == NULL) {
        return;
    }
    err->code = 0;
    err->module = NULL;
    err->offset = 0;
    err->msg[0] = '\0';
}

int
vouch__error(vouch_error_t *err, int code, const char *module, size_t offset,
             const char *fmt, ...)
{
    va_list ap;

    if (err == NULL) {
        return code;
    }
    err->code = code;
    err->module = module;
    err->offset = offset;
    va_start(ap, fmt);
    /* the message is informative; a long one is cut at the array's end */
    (void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

int
vouch__error_code(vouch_error_t *err, int code, const char *module)
{
    if (err == NULL || err->code != 0) {
        return code;
    }
    return vouch__error(err, code, module, 0, "%s", vouch_strerror(code));
}
