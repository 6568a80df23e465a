/* SPDX-License-Identifier: MIT */
/*
 * dmarc/dmarc_internal.h - what the DMARC files share: name helpers, the
 * "is this TXT a DMARC record at all" test, and URI host extraction.
 */
#ifndef VOUCH_DMARC_INTERNAL_H
#define VOUCH_DMARC_INTERNAL_H

#include "vouch/dmarc.h"
#include "../core/internal.h"

#define DMARC_NAME_BUF (VOUCH_DNS_NAME_MAX + 1)

/*
 * Does the TXT value start with a v=DMARC1 tag (RFC 9989 "DNS Tree Walk"
 * step 2: records that do not are discarded)? Whitespace around "=" and
 * before ";" is allowed; the value is case-sensitive.
 */
VOUCH_HIDDEN bool vouch__dmarc_is_candidate(const char *txt, size_t len);

/*
 * Normalise a domain name: ASCII lower case, one final dot dropped, every
 * label 1..63 bytes of printable ASCII, at most 253 bytes in all.
 * Returns 0 or VOUCH_ESYNTAX.
 */
VOUCH_HIDDEN int vouch__dmarc_name_norm(char out[DMARC_NAME_BUF],
                                        const char *name, size_t len);

/* Number of labels of a normalised name. */
VOUCH_HIDDEN unsigned vouch__dmarc_labels(const char *name);

/* Is a (normalised) equal to or a subdomain of b (normalised)? */
VOUCH_HIDDEN bool vouch__dmarc_under(const char *a, const char *b);

/*
 * The host a reporting URI points at: the domain of a mailto: address, the
 * authority host of other URIs ("scheme://[user@]host[:port]/..."); a
 * trailing "!size" is ignored. Normalised into out. Returns 0 or
 * VOUCH_ESYNTAX (no usable host).
 */
VOUCH_HIDDEN int vouch__dmarc_uri_host(char out[DMARC_NAME_BUF],
                                       const char *uri, size_t len);

#endif
