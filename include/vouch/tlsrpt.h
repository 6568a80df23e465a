/* SPDX-License-Identifier: MIT */
/*
 * vouch/tlsrpt.h - SMTP TLS Reporting, RFC 8460: the `_smtp._tls` TXT
 * record (§3).
 *
 *   tlsrpt-record  = tlsrpt-version 1*(field-delim tlsrpt-field)
 *                    [field-delim]
 *   field-delim    = *WSP ";" *WSP
 *   tlsrpt-version = %s"v=TLSRPTv1"
 *   tlsrpt-rua     = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
 *   tlsrpt-uri     = URI (RFC 3986), "mailto:" or "https:"
 *   tlsrpt-extension = tlsrpt-ext-name "=" tlsrpt-ext-value
 *
 * Each rua URI is checked: mailto: with one addr-spec (local-part of
 * atext, dots and %-escapes; a host name domain) and optional ?hfields;
 * https: with a host name, IPv4 or [IPv6] host, an optional port, and a
 * path/query of RFC 3986 characters; no userinfo, no fragment.
 *
 * Not done here: sending or receiving reports (§4-§5), checking that a
 * mailbox or endpoint accepts them.
 *
 * Thread safety: parsing has no state; a record may be read by many
 * threads.
 */
#ifndef VOUCH_TLSRPT_H
#define VOUCH_TLSRPT_H

#include <stddef.h>

#include "common.h"
#include "dns.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* URIs kept per rua=; more is VOUCH_ETOOBIG. */
#define VOUCH_TLSRPT_RUA_MAX 16
/* Extensions kept per record; more is VOUCH_ETOOBIG. */
#define VOUCH_TLSRPT_EXT_MAX 16
/* Longest URI accepted. */
#define VOUCH_TLSRPT_URI_MAX 2048

typedef enum vouch_tlsrpt_scheme {
    VOUCH_TLSRPT_MAILTO = 0,
    VOUCH_TLSRPT_HTTPS
} vouch_tlsrpt_scheme_t;

/* One rua URI. Views borrow the parsed text. */
typedef struct vouch_tlsrpt_uri {
    vouch_tlsrpt_scheme_t scheme;
    vouch_str_t uri;  /* as written */
    vouch_str_t host; /* mailto: the address's domain; https: the host
                         (brackets of an IPv6 literal included) */
    size_t offset;    /* of the URI in the record */
} vouch_tlsrpt_uri_t;

/* A parsed record; fixed size; views borrow the parsed text. */
typedef struct vouch_tlsrpt_record {
    size_t nrua;
    vouch_tlsrpt_uri_t rua[VOUCH_TLSRPT_RUA_MAX];
    size_t next;

    struct {
        vouch_str_t name;
        vouch_str_t value;
    } ext[VOUCH_TLSRPT_EXT_MAX];
} vouch_tlsrpt_record_t;

/*
 * Parse a TXT value (len bytes, strings joined, any byte may appear) as a
 * TLS-RPT record. "v=TLSRPTv1" must be the first bytes; rua= is required
 * exactly once with at least one valid URI; extensions are kept.
 * Returns 0; VOUCH_ESYNTAX (err->offset points at the fault: the field,
 * the URI or the byte inside it; err->msg says what); VOUCH_ETOOBIG (too
 * many URIs or extensions, a URI over VOUCH_TLSRPT_URI_MAX); VOUCH_EINVAL.
 * *out is zeroed on failure.
 */
VOUCH_EXTERN int
vouch_tlsrpt_record_parse(vouch_tlsrpt_record_t *out, const char *txt,
                          size_t len, vouch_error_t *err) VOUCH_WARN_UNUSED;

/*
 * Check one rua URI (len bytes) alone, as the record parser does. On
 * success *out gets the scheme, host and the URI (offset 0). Returns 0,
 * VOUCH_ESYNTAX (err->offset inside the URI), VOUCH_ETOOBIG.
 */
VOUCH_EXTERN int vouch_tlsrpt_uri_check(vouch_tlsrpt_uri_t *out,
                                        const char *uri, size_t len,
                                        vouch_error_t *err) VOUCH_WARN_UNUSED;

/*
 * The record among a TXT answer for _smtp._tls.<domain> (RFC 8460 §3:
 * strings not starting "v=TLSRPTv1" are discarded; anything but exactly
 * one left means the domain does not take reports). *nrecords (may be
 * NULL) gets how many started "v=TLSRPTv1". On success the views of *out
 * borrow the answer: keep it until done with them.
 * Returns 0; VOUCH_ENOTFOUND (answer not NOERROR, or not exactly one
 * record: err->msg says which); VOUCH_ESYNTAX / VOUCH_ETOOBIG (the one
 * record is invalid, as vouch_tlsrpt_record_parse); VOUCH_EINVAL.
 */
VOUCH_EXTERN int vouch_tlsrpt_record_find(vouch_tlsrpt_record_t *out,
                                          const vouch_dns_answer_t *answer,
                                          size_t *nrecords,
                                          vouch_error_t *err) VOUCH_WARN_UNUSED;

#ifdef __cplusplus
}
#endif

#endif
