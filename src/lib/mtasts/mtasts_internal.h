/* SPDX-License-Identifier: MIT */
/*
 * mtasts/mtasts_internal.h - what the MTA-STS files share, and the host
 * name check TLS-RPT uses for its URIs too.
 */
#ifndef VOUCH_MTASTS_INTERNAL_H
#define VOUCH_MTASTS_INTERNAL_H

#include "vouch/mtasts.h"
#include "../core/internal.h"

/*
 * Is p[0..len) a host name in LDH form (RFC 5321 "Domain": labels of
 * letters, digits and '-', 1..63 bytes, not starting or ending with '-',
 * separated by single dots, no final dot, at most 253 bytes)? On false,
 * *bad (if not NULL) is the offset of the first fault and *why says what.
 */
VOUCH_HIDDEN bool vouch__ldh_domain_check(const char *p, size_t len,
                                          size_t *bad, const char **why);

/* Extension name of RFC 8461 / RFC 8460: (ALPHA / DIGIT) *31(ALPHA /
 * DIGIT / "_" / "-" / "."). */
VOUCH_HIDDEN bool vouch__sts_ext_name_ok(const char *p, size_t len);

/* Index of the first byte of p[0..len) that is not an RFC 8461 / RFC 8460
 * record extension-value character (%x21-3A / %x3C / %x3E-7E), or len. */
VOUCH_HIDDEN size_t vouch__sts_ext_value_bad(const char *p, size_t len);

#endif
