/* SPDX-License-Identifier: MIT */
/*
 * core/str.c - ASCII string helpers for untrusted input: comparisons that
 * never read past a length, a bounded number parser (instead of atoi and
 * strtol), and escaping of hostile bytes for messages and logs.
 */
#include <string.h>

#include "internal.h"

bool
vouch__str_ieq(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t i;

    if (alen != blen) {
        return false;
    }
    for (i = 0; i < alen; i++) {
        if (vouch__lower(a[i]) != vouch__lower(b[i])) {
            return false;
        }
    }
    return true;
}

bool
vouch__str_iprefix(const char *a, size_t alen, const char *prefix)
{
    size_t plen = strlen(prefix);

    return alen >= plen && vouch__str_ieq(a, plen, prefix, plen);
}

int
vouch__parse_uint(const char **cur, const char *end, uint64_t max,
                  uint64_t *out)
{
    const char *p = *cur;
    uint64_t v = 0;
    bool big = false;

    if (p >= end || !vouch__is_digit(*p)) {
        return VOUCH_ESYNTAX;
    }
    while (p < end && vouch__is_digit(*p)) {
        uint64_t d = (uint64_t)(*p - '0');

        if (!big && (v > (max - d) / 10 || v * 10 + d > max)) {
            big = true;
        }
        if (!big) {
            v = v * 10 + d;
        }
        p++;
    }
    *cur = p;
    if (big) {
        return VOUCH_ETOOBIG;
    }
    *out = v;
    return 0;
}

static const char hexdigits[] = "0123456789abcdef";

/* Escaped form of byte c into out[4]; returns its length. */
static size_t
escape_byte(unsigned char c, char out[4])
{
    if (c >= 0x20 && c < 0x7f && c != '\\') {
        out[0] = (char)c;
        return 1;
    }
    out[0] = '\\';
    out[1] = 'x';
    out[2] = hexdigits[c >> 4];
    out[3] = hexdigits[c & 15];
    return 4;
}

int
vouch__buf_add_escaped(vouch_buf_t *buf, const char *p, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        char tmp[4];
        size_t n = escape_byte((unsigned char)p[i], tmp);
        int rc = vouch_buf_add(buf, tmp, n);

        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

void
vouch__escape_into(char *out, size_t cap, const char *p, size_t len)
{
    size_t o = 0, i;

    if (cap == 0) {
        return;
    }
    for (i = 0; i < len; i++) {
        char tmp[4];
        size_t n = escape_byte((unsigned char)p[i], tmp);

        if (o + n + 4 > cap) {
            if (cap >= 4) {
                o = o > cap - 4 ? cap - 4 : o;
                memcpy(out + o, "...", 3);
                o += 3;
            }
            break;
        }
        memcpy(out + o, tmp, n);
        o += n;
    }
    out[o] = '\0';
}
