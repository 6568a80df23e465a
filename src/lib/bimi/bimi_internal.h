/* SPDX-License-Identifier: MIT */
/*
 * bimi/bimi_internal.h - what the BIMI files share: adding a finding.
 */
#ifndef VOUCH_BIMI_INTERNAL_H
#define VOUCH_BIMI_INTERNAL_H

#include "../core/internal.h"
#include "vouch/bimi.h"

/* Append a finding (detail formatted, then cut to fit); beyond
 * VOUCH_BIMI_FINDINGS_MAX only counts it. */
VOUCH_HIDDEN void vouch__bimi_add(vouch_bimi_findings_t *fs,
                                  vouch_bimi_code_t code, unsigned line,
                                  const char *fmt, ...) VOUCH_PRINTF(4, 5);

/* SHA-256 of len bytes into out; false when OpenSSL fails. */
VOUCH_HIDDEN bool vouch__bimi_sha256(uint8_t out[32], const void *p,
                                     size_t len);

/* A view into DER bytes. */
typedef struct der {
    const uint8_t *p;
    size_t len;
} der_t;

/* Where the SVG image of an RFC 3709 logotype is. */
typedef struct vouch__bimi_logo {
    der_t hashes; /* contents of the SEQUENCE OF HashAlgAndValue */
    der_t uri;    /* contents of the first logotypeURI IA5String */
} vouch__bimi_logo_t;

/* Find the first image/svg+xml LogotypeDetails of the subject logo in the
 * DER of a LogotypeExtn (RFC 3709 §4.1: subjectLogo [2], direct [0]).
 * Views point into p. Every length is checked against its container. */
VOUCH_HIDDEN bool vouch__bimi_logo_find(const uint8_t *p, size_t len,
                                        vouch__bimi_logo_t *out);

#endif
