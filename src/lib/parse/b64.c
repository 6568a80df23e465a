/* SPDX-License-Identifier: MIT */
/*
 * parse/b64.c - base64 (RFC 4648 §4) as DKIM uses it: whitespace may be
 * folded in anywhere (RFC 6376 §3.5), padding must be exact. Also the
 * dkim-quoted-printable decoding of RFC 6376 §2.11.
 */
#include <string.h>

#include "parse.h"

/* Decoding by table (branches per character cost more than the rest of
 * the loop): 0-63 a digit, SKIP folding whitespace, PAD '=', BAD else. */
enum { SKIP = 64, PAD = 65, BAD = 255 };

/* sixteen entries a row; SP folding whitespace, EQ padding, X bad */
#define X  BAD
#define SP SKIP
#define EQ PAD
/* clang-format off */
static const uint8_t b64_table[256] = {
     X,  X,  X,  X,  X,  X,  X,  X,  X, SP, SP,  X,  X, SP,  X,  X,
     X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    SP,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, 62,  X,  X,  X, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61,  X,  X,  X, EQ,  X,  X,
     X,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,  X,  X,  X,  X,  X,
     X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51,  X,  X,  X,  X,  X,
     X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
     X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
     X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
     X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
     X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
     X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
     X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
     X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
};
/* clang-format on */
#undef X
#undef SP
#undef EQ

int
vouch__b64_decode(uint8_t *out, size_t cap, size_t *out_len, const char *p,
                  size_t len)
{
    uint32_t acc = 0;
    size_t i, o = 0, nchars = 0, pad = 0;

    for (i = 0; i < len; i++) {
        unsigned v = b64_table[(unsigned char)p[i]];

        /* at a group boundary, four digits in a row go at once */
        if (nchars % 4 == 0 && pad == 0 && len - i >= 4 && v < 64) {
            const unsigned char *q = (const unsigned char *)p + i;
            unsigned b = b64_table[q[1]], c = b64_table[q[2]],
                     d = b64_table[q[3]];

            if ((b | c | d) < 64) {
                uint32_t g = (uint32_t)(v << 18 | b << 12 | c << 6 | d);

                if (o + 3 > cap) {
                    return VOUCH_ETOOBIG;
                }
                out[o++] = (uint8_t)(g >> 16);
                out[o++] = (uint8_t)(g >> 8);
                out[o++] = (uint8_t)g;
                nchars += 4;
                i += 3;
                continue;
            }
        }
        if (v == SKIP) {
            continue;
        }
        if (v == PAD) {
            pad++;
            nchars++;
            continue;
        }
        if (v == BAD || pad > 0) {
            return VOUCH_ESYNTAX; /* bad character, or data after '=' */
        }
        acc = acc << 6 | (uint32_t)v;
        nchars++;
        if (nchars % 4 == 0) {
            if (o + 3 > cap) {
                return VOUCH_ETOOBIG;
            }
            out[o++] = (uint8_t)(acc >> 16);
            out[o++] = (uint8_t)(acc >> 8);
            out[o++] = (uint8_t)acc;
            acc = 0;
        }
    }
    if (nchars % 4 != 0 || pad > 2) {
        return VOUCH_ESYNTAX;
    }
    if (pad > 0) {
        /* the last group was completed with zero bits for each '=' */
        size_t keep = 3 - pad;
        uint32_t last = acc << (6 * pad);

        if (o + keep > cap) {
            return VOUCH_ETOOBIG;
        }
        /* unused bits must be zero (RFC 4648 §3.5: canonical encoding) */
        if ((pad == 1 && (last & 0xff) != 0) ||
            (pad == 2 && (last & 0xffff) != 0)) {
            return VOUCH_ESYNTAX;
        }
        out[o++] = (uint8_t)(last >> 16);
        if (keep == 2) {
            out[o++] = (uint8_t)(last >> 8);
        }
    }
    *out_len = o;
    return 0;
}

void
vouch__b64_encode(char *out, const uint8_t *p, size_t n)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i, o = 0;

    for (i = 0; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = alphabet[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;

        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;

        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = '=';
    }
    out[o] = '\0';
}

int
vouch__dkim_qp_decode(char *out, size_t cap, size_t *out_len, const char *p,
                      size_t len)
{
    size_t i, o = 0;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];

        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            continue; /* FWS is dropped (§2.11) */
        }
        if (o == cap) {
            return VOUCH_ETOOBIG;
        }
        if (c == '=') {
            if (i + 2 >= len || !vouch__is_hex(p[i + 1]) ||
                !vouch__is_hex(p[i + 2])) {
                return VOUCH_ESYNTAX;
            }
            out[o++] = (char)(vouch__hex_value(p[i + 1]) << 4 |
                              vouch__hex_value(p[i + 2]));
            i += 2;
        } else if (c >= 0x21 && c <= 0x7e && c != ';') {
            out[o++] = (char)c;
        } else {
            return VOUCH_ESYNTAX;
        }
    }
    *out_len = o;
    return 0;
}
