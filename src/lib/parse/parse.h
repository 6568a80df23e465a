/* SPDX-License-Identifier: MIT */
/*
 * parse/parse.h - small parsers the protocols share: tag-lists (RFC 6376
 * §3.2, used by DKIM, ARC and DMARC records), base64 with folding
 * whitespace (RFC 6376 §3.5 b=, bh=, p=), and dkim-quoted-printable
 * (RFC 6376 §2.11). All take (pointer, length), allocate nothing, and
 * report where the input went wrong.
 */
#ifndef VOUCH_PARSE_H
#define VOUCH_PARSE_H

#include "../core/internal.h"

/* Tags in one tag-list at most (DKIM defines 14; ARC and DMARC fewer). */
#define VOUCH_TAGS_MAX 64

typedef struct vouch__tag {
    vouch_str_t name;  /* as written */
    vouch_str_t value; /* without leading and trailing whitespace; folding
                          whitespace inside is kept */
    size_t offset;     /* of the tag name in the input */
} vouch__tag_t;

/*
 * Parse a tag-list:
 *   tag-list = tag-spec *( ";" tag-spec ) [ ";" ]
 *   tag-spec = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
 * with tag-name = ALPHA *(ALPHA / DIGIT / "_") and values made of
 * VALCHARs (%x21-3A / %x3C-7E) and folding whitespace. A name given twice
 * makes the whole list invalid (§3.2). Fills out[0..*n).
 * Returns 0; VOUCH_ESYNTAX (err->offset at the fault, err->msg says what);
 * VOUCH_ETOOBIG (more than max tags).
 */
VOUCH_HIDDEN int vouch__tags_parse(vouch__tag_t *out, size_t max, size_t *n,
                                   const char *p, size_t len,
                                   vouch_error_t *err);

/* The value of the tag called name (case-sensitive, as §3.2 says), or
 * NULL. */
VOUCH_HIDDEN const vouch__tag_t *vouch__tags_find(const vouch__tag_t *tags,
                                                  size_t n, const char *name);

/*
 * Decode base64, skipping whitespace (SP, HTAB, CR, LF) anywhere. Padding
 * must be right ("=" only at the end, making a multiple of 4). Writes at
 * most cap bytes. Returns 0; VOUCH_ESYNTAX (bad character or padding);
 * VOUCH_ETOOBIG (does not fit).
 */
VOUCH_HIDDEN int vouch__b64_decode(uint8_t *out, size_t cap, size_t *out_len,
                                   const char *p, size_t len);

/* Bytes needed to encode n bytes (no line breaks), NUL not counted. */
#define VOUCH_B64_LEN(n) ((((n) + 2) / 3) * 4)

/* Encode n bytes into out (VOUCH_B64_LEN(n) + 1 bytes, NUL-terminated). */
VOUCH_HIDDEN void vouch__b64_encode(char *out, const uint8_t *p, size_t n);

/*
 * Decode dkim-quoted-printable (RFC 6376 §2.11): "=XX" is the byte XX,
 * whitespace is dropped. Writes at most cap bytes. Returns 0;
 * VOUCH_ESYNTAX (bad escape, a character outside the grammar);
 * VOUCH_ETOOBIG.
 */
VOUCH_HIDDEN int vouch__dkim_qp_decode(char *out, size_t cap, size_t *out_len,
                                       const char *p, size_t len);

#endif
