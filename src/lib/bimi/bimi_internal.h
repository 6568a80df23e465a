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

#endif
