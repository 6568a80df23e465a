/* SPDX-License-Identifier: MIT */
/*
 * vouch/authres.h - the Authentication-Results header field (RFC 8601):
 * writing our own results, parsing anybody's, and finding the fields that
 * claim to come from us so that they can be removed before ours is added
 * (§5; the OpenDKIM CVE-2022-48521 bug class).
 *
 * Writer: method, result, ptype and property are program-supplied keywords
 * and checked (VOUCH_EINVAL when they are not RFC 8601 Keywords); the
 * authserv-id is checked (token or quoted-string, no control bytes); every
 * other string (property values, reason, comment) is untrusted and is
 * written so that the field always parses, both by vouch_ar_parse and by
 * the RFC grammar: a value that is an RFC 2045 token or an RFC 8601
 * [local-part@]domain-name is written bare, anything else as a
 * quoted-string with '\' and '"' escaped; comments escape '(', ')' and
 * '\'. Bytes that no quoted-string or comment may carry -- the control
 * bytes 0x00-0x1f and 0x7f (CR, LF, NUL, TAB...) and bytes >= 0x80 that
 * are not part of well-formed UTF-8 (RFC 6532) -- are each replaced by '?'.
 * So no value can end the field, start another field, or start a resinfo.
 * Bare or quoted is decided on the bytes as written, so what was parsed
 * writes back identically. Values are C strings: a NUL ends them.
 * Lines are folded (CRLF + TAB between parts, CRLF before a space inside a
 * quoted-string or comment) to stay under 78 columns where possible; a
 * part without a space that is longer than a line stays one long line.
 *
 * Parser: RFC 8601 §2.2 with CFWS and nested comments anywhere, the
 * optional version, "none", method/version (the method-version is checked
 * and dropped), reason=, and ptype.property=pvalue with pvalue a token, a
 * quoted-string or [local-part]@domain. Leniencies, because real fields
 * have them: a bare pvalue may also contain '/' and '=' (base64
 * header.b=), reason= may stand among the properties, a trailing ';' is
 * accepted. A field using properties without a ptype (Microsoft's
 * "action=none") is a syntax error.
 *
 * Not done: the meaning of results (each module produces its own) and the
 * RFC 8617 "i=N;" prefix of ARC-Authentication-Results (the ARC module
 * writes it before vouch_ar_write_resinfo's output).
 *
 * Thread safety: a parsed vouch_ar_t may be read from many threads; the
 * functions keep no state.
 */
#ifndef VOUCH_AUTHRES_H
#define VOUCH_AUTHRES_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "error.h"
#include "mail.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- limits -------------------------------------------------------------- */

/* Properties of one method (RFC 8601 registers at most 4 for one method;
 * DKIM writes d, i, s, b). */
#define VOUCH_AR_PROPS_MAX 8

/* Methods (resinfo) in one parsed field. A field reporting more is more
 * likely an attack than a report. */
#define VOUCH_AR_METHODS_MAX 64

/* Bytes of one parsed field value. */
#define VOUCH_AR_FIELD_MAX 65536

/* ---- types --------------------------------------------------------------- */

typedef struct vouch_ar_prop {
    const char *ptype;    /* "smtp", "header", "body", "policy" */
    const char *property; /* "mailfrom", "d", "i", "s", "from", "b", ... */
    const char *value;    /* untrusted bytes, written quoted/escaped as
                             needed */
} vouch_ar_prop_t;

/* One resinfo. (The struct tag is not vouch_ar_method: in C++ that
 * would clash with the function vouch_ar_method.) */
typedef struct vouch_ar_resinfo {
    const char *method;  /* "spf", "dkim", "arc", "dmarc", "iprev", ... */
    const char *result;  /* "pass", "fail", ... */
    const char *reason;  /* NULL, or text written as reason="..." */
    const char *comment; /* NULL, or text written as a (comment) after the
                            result; parens/backslashes escaped */
    vouch_ar_prop_t props[VOUCH_AR_PROPS_MAX];
    size_t nprops;
} vouch_ar_method_t;

/* ---- writing ------------------------------------------------------------- */

/*
 * Append the field value "authserv-id; resinfo; resinfo" (no field name,
 * no final CRLF), or "authserv-id; none" when n == 0, to out. m[0..n) are
 * read during the call only. Folded with CRLF + TAB: each resinfo after the
 * first starts a new line; parts move to a new line before column 78.
 * The value is assumed to start after "Authentication-Results: ".
 * Returns 0; VOUCH_EINVAL (out NULL; authserv_id NULL, empty, or with a control
 * or 8-bit byte; m NULL with n > 0; method, result, ptype or property NULL or
 * not a Keyword; value NULL; nprops > VOUCH_AR_PROPS_MAX); VOUCH_ENOMEM;
 * VOUCH_ETOOBIG (out's max). On failure out is as it was. err may be NULL.
 */
VOUCH_EXTERN int vouch_ar_write_value(vouch_buf_t *out, const char *authserv_id,
                                      const vouch_ar_method_t *m, size_t n,
                                      vouch_error_t *err) VOUCH_WARN_UNUSED;

/* Append a whole field "Authentication-Results: <value>\r\n". Same
 * arguments and returns as vouch_ar_write_value. */
VOUCH_EXTERN int vouch_ar_write_field(vouch_buf_t *out, const char *authserv_id,
                                      const vouch_ar_method_t *m, size_t n,
                                      vouch_error_t *err) VOUCH_WARN_UNUSED;

/*
 * Append only the resinfo list "m1;\r\n\tm2" (for
 * ARC-Authentication-Results, which puts "i=N; authserv-id; " before it;
 * folding assumes the list starts near column 40). n must be at least 1.
 * Same returns as vouch_ar_write_value (VOUCH_EINVAL when n == 0).
 */
VOUCH_EXTERN int vouch_ar_write_resinfo(vouch_buf_t *out,
                                        const vouch_ar_method_t *m, size_t n,
                                        vouch_error_t *err) VOUCH_WARN_UNUSED;

/* ---- parsing ------------------------------------------------------------- */

typedef struct vouch_ar vouch_ar_t;

/*
 * Parse an A-R field value (value bytes after the colon, folding line
 * ends included -- CRLF or bare LF, as milters get them; len bytes, not
 * NUL-terminated; may contain anything).
 * Returns 0 with *out owned by the caller (free with vouch_ar_free);
 * VOUCH_ESYNTAX (err->msg says what, err->offset where); VOUCH_ETOOBIG
 * (more than VOUCH_AR_METHODS_MAX methods, more than VOUCH_AR_PROPS_MAX
 * properties in one method, value longer than VOUCH_AR_FIELD_MAX);
 * VOUCH_EINVAL (out, ctx or value NULL); VOUCH_ENOMEM. *out is NULL on
 * failure.
 */
VOUCH_EXTERN int vouch_ar_parse(vouch_ar_t **out, const vouch_ctx_t *ctx,
                                const char *value, size_t len,
                                vouch_error_t *err) VOUCH_WARN_UNUSED;

/* The authserv-id, decoded (quotes removed). Borrowed from ar. */
VOUCH_EXTERN const char *vouch_ar_authserv_id(const vouch_ar_t *ar);

/* The authres-version; 1 when absent. */
VOUCH_EXTERN unsigned vouch_ar_version(const vouch_ar_t *ar);

/* Number of methods; 0 for "none". */
VOUCH_EXTERN size_t vouch_ar_count(const vouch_ar_t *ar);

/* Method i in field order, or NULL when i is out of range. Strings are
 * decoded (quotes and quoted-pairs removed, folding CRLFs dropped);
 * reason and comment are NULL when absent (comment: the first comment
 * after the result). Borrowed from ar. */
VOUCH_EXTERN const vouch_ar_method_t *vouch_ar_method(const vouch_ar_t *ar,
                                                      size_t i);

/* Free ar. NULL is a no-op. */
VOUCH_EXTERN void vouch_ar_free(vouch_ar_t *ar);

/* ---- our fields ---------------------------------------------------------- */

/*
 * Does this A-R field value carry authserv_id (ASCII case-insensitive,
 * after CFWS, folds with CRLF or bare LF)? The authserv-id is read as a
 * token (or quoted-string) and must equal authserv_id whole:
 * "example.net.evil" is not "example.net".
 * Robust: a value that does not parse fully still counts as ours if its
 * authserv-id is ours ("example.net; garbage", "example.net/x").
 * False when authserv_id or value is NULL.
 */
VOUCH_EXTERN bool vouch_ar_is_ours(const char *value, size_t len,
                                   const char *authserv_id);

/*
 * Indices (header order) of ALL Authentication-Results fields of hdr
 * (field name matched case-insensitively) that are ours, wherever they are
 * in the header: top, middle or bottom. Fills idx[0..min(*n, max)); *n is
 * the total found. Returns 0, VOUCH_ETOOBIG when *n > max, VOUCH_EINVAL
 * (hdr, authserv_id or n NULL, idx NULL with max > 0).
 */
VOUCH_EXTERN int vouch_ar_find_ours(const vouch_mail_header_t *hdr,
                                    const char *authserv_id, size_t *idx,
                                    size_t max, size_t *n) VOUCH_WARN_UNUSED;

#ifdef __cplusplus
}
#endif

#endif
