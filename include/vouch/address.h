/* SPDX-License-Identifier: MIT */
/*
 * vouch/address.h - RFC 5322 addresses as DMARC needs them: a strict
 * parser for address lists (From, Sender, To, ...), domain normalisation
 * to A-labels, and the RFC5322.From author domain of a message (RFC 9989
 * §4.4, RFC 7489 §6.6.1).
 *
 * The parser follows RFC 5322 §3.4 with the obsolete forms of §4.4 that a
 * receiver must still accept (obs-local-part "a . b", obs-domain, obs-route
 * "<@a,@b:x@y>", empty list elements, CFWS between any two tokens) and RFC
 * 6854 groups in From. Text may hold UTF-8 (RFC 6532): 8-bit bytes are
 * accepted in display names, comments, quoted strings and atoms. Encoded
 * words (RFC 2047) are never decoded: they are display text, and an
 * address hidden in one is not an address.
 *
 * Deliberate choices, all in the direction of "ambiguous is not OK":
 *   - a NUL byte anywhere, a CR or LF that is not part of a fold (CRLF
 *     followed by a space or tab), comments nested deeper than
 *     VOUCH_ADDRESS_COMMENT_DEPTH_MAX, a quoted-pair of NUL/CR/LF, and
 *     anything after an address other than "," (or ";" in a group) are
 *     VOUCH_ESYNTAX, with the byte offset;
 *   - one leniency: a local part without "@domain" ("From: root", RFC 822
 *     era local mail) parses as an address with has_domain false, so a
 *     caller can tell "no-domain" from "syntax";
 *   - a domain may end with one dot (an absolute DNS name); it is removed;
 *   - a domain that parses but is unusable (address literal, bad IDN,
 *     invalid UTF-8, not LDH, label or name too long) does not fail the
 *     parse: the address carries domain_status and an empty domain;
 *   - CFWS inside a domain (obs-domain "legit.example. evil.example") is
 *     joined as §4.4 says ("legit.example.evil.example") but flagged
 *     (domain_cfws): a display may stop at the gap and show
 *     "legit.example.", so vouch_from_get calls such a domain bad.
 *
 * Not done here: decoding encoded words or display names (they are not
 * returned), SMTP (RFC 5321) path syntax, EAI local-part normalisation.
 *
 * Thread safety: no state; every function may be called from any thread.
 * Nothing allocates through the context: the only allocation is libidn2's
 * own during IDN conversion (VOUCH_ENOMEM if it fails).
 */
#ifndef VOUCH_ADDRESS_H
#define VOUCH_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "error.h"
#include "dns.h"
#include "mail.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- limits -------------------------------------------------------------- */

/* Bytes of a decoded local part kept. RFC 5321 §4.5.3.1.1 allows 64 on
 * the wire; header syntax has no limit, so we allow more but never
 * truncate: a longer local part is VOUCH_ETOOBIG. */
#define VOUCH_ADDRESS_LOCAL_MAX 256

/* Nesting depth of comments "(a (b (c)))": deeper is VOUCH_ESYNTAX (a
 * recursion/stack bound; real mail nests one or two levels). */
#define VOUCH_ADDRESS_COMMENT_DEPTH_MAX 64

/* Bytes of a domain as written (U-labels, before conversion). A 253-byte
 * A-label name is at most ~4x that in UTF-8; longer is unusable. */
#define VOUCH_ADDRESS_DOMAIN_INPUT_MAX 1024

/* ---- addresses ----------------------------------------------------------- */

/* What the domain of an address is worth. */
typedef enum vouch_address_domain_status {
    VOUCH_ADDRESS_DOMAIN_OK = 0,  /* domain holds the normalised name */
    VOUCH_ADDRESS_DOMAIN_NONE,    /* no "@domain" at all (has_domain false) */
    VOUCH_ADDRESS_DOMAIN_LITERAL, /* an address literal "[1.2.3.4]" */
    VOUCH_ADDRESS_DOMAIN_INVALID  /* does not normalise: bad IDN, invalid
                                     UTF-8, not LDH, label/name too long */
} vouch_address_domain_status_t;

typedef struct vouch_address {
    char local[VOUCH_ADDRESS_LOCAL_MAX + 1]; /* local part, quotes and
                                                quoted-pairs removed, CFWS
                                                dropped; NUL-terminated; any
                                                byte but NUL, CR, LF */
    char domain[VOUCH_DNS_NAME_MAX + 1];     /* A-labels, lower case, no final
                                                dot; "" if none or unusable */
    bool has_domain;                         /* "@domain" was present */
    vouch_address_domain_status_t domain_status;
    bool domain_cfws; /* whitespace or a comment between '@' and the end of
                         the domain ("a@ b . c", obs-domain): domain is
                         joined as RFC 5322 says, but readers may cut it
                         at the gap, so vouch_from_get refuses it */
    size_t offset;    /* where the address (display name included) starts in
                         the parsed value */
} vouch_address_t;

/*
 * Parse an RFC 5322 address-list (mailboxes and groups; a group's members
 * count as addresses, the group itself does not): value is len bytes, not
 * NUL-terminated, may be folded (CRLF + WSP), as a field value after the
 * colon. Fills out[0..min(*n,max)) in order; *n = number of addresses
 * found, which may exceed max: then the whole value was still checked and
 * the call returns VOUCH_ETOOBIG. An empty value (or only CFWS and commas)
 * gives *n = 0 and returns 0. out may be NULL when max is 0.
 * Returns 0; VOUCH_ESYNTAX (err->msg says what, err->offset where);
 * VOUCH_ETOOBIG (more than max addresses, or a local part longer than
 * VOUCH_ADDRESS_LOCAL_MAX: err says which); VOUCH_ENOMEM (libidn2).
 * err may be NULL. On an error, out and *n hold what was parsed before it.
 */
VOUCH_EXTERN int vouch_address_list_parse(const char *value, size_t len,
                                          vouch_address_t *out, size_t max,
                                          size_t *n,
                                          vouch_error_t *err) VOUCH_WARN_UNUSED;

/*
 * Normalise a domain name (len bytes of in, not NUL-terminated): U-labels
 * to A-labels with libidn2 (IDNA2008 with UTS #46 non-transitional
 * mapping, NFC input), A-labels checked to decode, lower case, one final
 * dot removed; then checked: labels 1-63 bytes, name at most 253, letters
 * digits and hyphens only, no label starting or ending with a hyphen, top
 * label not all digits. Names without non-ASCII bytes or "xn--" labels are
 * not passed to libidn2 (so "ab--cd" stays valid).
 * out always holds a NUL-terminated string: the name, or "" on error.
 * Returns 0; VOUCH_ESYNTAX (err says why); VOUCH_ENOMEM (libidn2).
 */
VOUCH_EXTERN int vouch_domain_normalize(char out[VOUCH_DNS_NAME_MAX + 1],
                                        const char *in, size_t len,
                                        vouch_error_t *err) VOUCH_WARN_UNUSED;

/* ---- the RFC5322.From author domain -------------------------------------- */

/*
 * Verdicts on a message's From. Every status but OK means there is no
 * single author domain the reader is sure to see, so DMARC must not pass:
 * two fields, two addresses or text that parsers split differently let a
 * verifier check one domain while the mail client shows another (Chen et
 * al., USENIX Security 2020). RFC 5322 §3.6 allows exactly one From;
 * RFC 7489 §6.6.1 leaves none/several fields to local policy and for
 * several addresses wants every domain checked, the strictest failure
 * applied. The DMARC module maps every non-OK status to dmarc=permerror
 * with no header.from (not "none", which would mean "no policy
 * published"); the disposition is local policy, reject recommended for
 * missing, multiple-fields, multiple-addresses, empty and syntax.
 * docs/address.md has the table.
 */
typedef enum vouch_from_status {
    VOUCH_FROM_OK = 0,
    VOUCH_FROM_MISSING,            /* no From field (Sender is never used) */
    VOUCH_FROM_MULTIPLE_FIELDS,    /* more than one From field */
    VOUCH_FROM_MULTIPLE_ADDRESSES, /* one field, several addresses (distinct
                                      or not) */
    VOUCH_FROM_EMPTY,      /* no address at all (empty value, empty group) */
    VOUCH_FROM_NO_DOMAIN,  /* an address without a domain */
    VOUCH_FROM_BAD_DOMAIN, /* domain unusable: literal, bad IDN, bad label,
                              CFWS inside it */
    VOUCH_FROM_SYNTAX      /* the field does not parse (NUL, bare CR/LF,
                              stray text, too long a local part, ...) */
} vouch_from_status_t;

/* "ok", "missing", "multiple-fields", "multiple-addresses", "empty",
 * "no-domain", "bad-domain", "syntax"; "unknown" for anything else. */
VOUCH_EXTERN const char *vouch_from_status_name(vouch_from_status_t s);

typedef struct vouch_from {
    vouch_from_status_t status;
    char reason[160];        /* human reason ("2 From fields", ...); "" when
                                ok; untrusted bytes escaped */
    vouch_address_t address; /* valid when status == VOUCH_FROM_OK */
    size_t field_index;      /* index of the From field in the header, when
                                there is exactly one; else (size_t)-1 */
    size_t naddresses;       /* addresses in that field (0 if it did not
                                parse or there is not exactly one field) */
} vouch_from_t;

/*
 * The RFC5322.From author domain of a message (RFC 9989 §4.4 / RFC 7489
 * §6.6.1): exactly one From field (name compared case-insensitively) with
 * exactly one mailbox with a usable domain, else the status says why.
 * Checks, first failing wins: missing, multiple-fields, syntax, empty,
 * multiple-addresses, no-domain, bad-domain. For multiple-addresses the
 * caller may re-parse field field_index with vouch_address_list_parse to
 * apply RFC 7489 §6.6.1's "strictest policy of all domains" instead.
 * Always fills out (hdr borrowed for the call only); returns 0 (verdict in
 * out->status) or VOUCH_ENOMEM (libidn2; then status is SYNTAX, reason
 * says out of memory). hdr NULL is VOUCH_EINVAL.
 */
VOUCH_EXTERN int
vouch_from_get(vouch_from_t *out,
               const vouch_mail_header_t *hdr) VOUCH_WARN_UNUSED;

#ifdef __cplusplus
}
#endif

#endif
