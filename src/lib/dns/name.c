/* SPDX-License-Identifier: MIT */
/*
 * dns/name.c - domain names: checking and normalising query names, wire to
 * text for rdata, and comparison. RFC 1035 §2.3.4 (63-byte labels, 255
 * bytes on the wire = 253 in text), §4.1.4 (compression: refused here, the
 * rdata we decode is always uncompressed).
 */
#include <string.h>

#include "dns_internal.h"

/* Lower-case the ASCII letters of 8 bytes at once (SWAR): a byte gets
 * 0x20 added when it is in 'A'..'Z'; other bytes, 8-bit ones included,
 * are left alone. */
static uint64_t
lower8(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    uint64_t low7 = w & ~high;
    uint64_t ge_a = low7 + (0x80 - 'A') * ones; /* high bit: byte >= 'A' */
    uint64_t gt_z = low7 + (0x7f - 'Z') * ones; /* high bit: byte > 'Z' */
    uint64_t upper = (ge_a ^ gt_z) & ~w & high;

    return w | (upper >> 2);
}

int
vouch__dns_name_normalize(char *out, size_t *out_len, const char *name,
                          size_t len)
{
    const char *p, *end, *dot;
    size_t i;

    if (len > 0 && name[len - 1] == '.') {
        len--;
    }
    if (len == 0 || len > VOUCH_DNS_NAME_MAX ||
        memchr(name, '\0', len) != NULL) {
        return VOUCH_ESYNTAX;
    }
    /* labels of 1 to 63 bytes between the dots */
    for (p = name, end = name + len; p <= end; p = dot + 1) {
        dot = memchr(p, '.', (size_t)(end - p));
        if (dot == NULL) {
            dot = end;
        }
        if (dot == p || dot - p > VOUCH_DNS_LABEL_MAX) {
            return VOUCH_ESYNTAX;
        }
    }
    for (i = 0; i + 8 <= len; i += 8) {
        uint64_t w;

        memcpy(&w, name + i, 8);
        w = lower8(w);
        memcpy(out + i, &w, 8);
    }
    for (; i < len; i++) {
        unsigned char c = (unsigned char)name[i];

        out[i] = (char)((unsigned)(c - 'A') < 26u ? c | 0x20 : c);
    }
    out[len] = '\0';
    *out_len = len;
    return 0;
}

int
vouch__dns_name_from_wire(char *out, size_t out_cap, size_t *out_len,
                          const uint8_t *wire, size_t len, size_t *consumed)
{
    size_t in = 0, o = 0;

    for (;;) {
        size_t lab, i;

        if (in >= len) {
            return VOUCH_ESYNTAX;
        }
        lab = wire[in++];
        if (lab == 0) {
            break;
        }
        if (lab > VOUCH_DNS_LABEL_MAX) {
            return VOUCH_ESYNTAX; /* compression pointer or reserved type */
        }
        if (lab > len - in) {
            return VOUCH_ESYNTAX;
        }
        if (o > 0) {
            if (o + 1 >= out_cap) {
                return VOUCH_ETOOBIG;
            }
            out[o++] = '.';
        }
        for (i = 0; i < lab; i++) {
            uint8_t c = wire[in + i];

            if (c == '\\') {
                if (o + 2 >= out_cap) {
                    return VOUCH_ETOOBIG;
                }
                out[o++] = '\\';
                out[o++] = '\\';
            } else if (c == '.' || c < 0x21 || c > 0x7e) {
                if (o + 4 >= out_cap) {
                    return VOUCH_ETOOBIG;
                }
                out[o++] = '\\';
                out[o++] = (char)('0' + c / 100);
                out[o++] = (char)('0' + c / 10 % 10);
                out[o++] = (char)('0' + c % 10);
            } else {
                if (o + 1 >= out_cap) {
                    return VOUCH_ETOOBIG;
                }
                out[o++] = (char)c;
            }
        }
        in += lab;
    }
    if (in > 255) {
        return VOUCH_ESYNTAX; /* RFC 1035 §3.1: 255 octets at most */
    }
    if (o == 0) {
        if (out_cap < 2) {
            return VOUCH_ETOOBIG;
        }
        out[o++] = '.';
    }
    out[o] = '\0';
    *out_len = o;
    *consumed = in;
    return 0;
}

bool
vouch__dns_name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen > 1 && a[alen - 1] == '.') {
        alen--;
    }
    if (blen > 1 && b[blen - 1] == '.') {
        blen--;
    }
    return vouch__str_ieq(a, alen, b, blen);
}
