/* SPDX-License-Identifier: MIT */
/*
 * authres/authres_internal.h - character classes shared by the
 * Authentication-Results writer and parser (RFC 8601 §2.2, RFC 2045 §5.1
 * token, RFC 5322 §3.2.3 atext, RFC 6532 UTF-8).
 */
#ifndef VOUCH_AUTHRES_INTERNAL_H
#define VOUCH_AUTHRES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/internal.h"
#include "vouch/authres.h"

/* RFC 2045 §5.1: any printable US-ASCII byte except tspecials. */
static inline bool
vouch__ar_is_tchar(int c)
{
    switch (c) {
    case '(':
    case ')':
    case '<':
    case '>':
    case '@':
    case ',':
    case ';':
    case ':':
    case '\\':
    case '"':
    case '/':
    case '[':
    case ']':
    case '?':
    case '=':
        return false;
    default:
        return vouch__is_vchar(c);
    }
}

/* RFC 5322 §3.2.3 atext. */
static inline bool
vouch__ar_is_atext(int c)
{
    switch (c) {
    case '(':
    case ')':
    case '<':
    case '>':
    case '[':
    case ']':
    case ':':
    case ';':
    case '@':
    case '\\':
    case ',':
    case '.':
    case '"':
        return false;
    default:
        return vouch__is_vchar(c);
    }
}

/* Length of the well-formed UTF-8 sequence (RFC 3629 §4: no overlong
 * forms, no surrogates, at most U+10FFFF) of non-ASCII bytes starting at
 * p[0], or 0 when there is none. */
VOUCH_HIDDEN size_t vouch__ar_utf8_len(const unsigned char *p, size_t len);

#endif
