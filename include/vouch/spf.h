/* SPDX-License-Identifier: MIT */
/*
 * vouch/spf.h - Sender Policy Framework, RFC 7208.
 *
 * check_host() (§4) with every mechanism and modifier (§5, §6), all macros
 * (§7, including %{p} with validated PTR names and %{c} %{r} %{t} in
 * explanations), the processing limits of §4.6.4 (10 DNS-querying terms,
 * 2 void lookups, 10 MX and 10 PTR names), the initial processing rules of
 * §4.3, HELO identity checks (§2.3) and the Received-SPF header field
 * (§9.1). A record parser usable on its own (for audits) comes with it.
 *
 * Not done: the type 99 SPF RR is never queried (RFC 7208 §3.1 drops it);
 * "Sender ID" (RFC 4406) records (spf2.0/...) are not SPF records.
 *
 * Every result carries the verdict, the term that decided it, the
 * explanation for fail, the DNS lookup counts and a human reason.
 * Thread safety: vouch_spf_check() may run in many threads at once on a
 * shared context and resolver; a result belongs to one thread.
 */
#ifndef VOUCH_SPF_H
#define VOUCH_SPF_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "dns.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- verdicts --------------------------------------------------------------
 */

typedef enum vouch_spf_code {
    VOUCH_SPF_NONE = 0,
    VOUCH_SPF_NEUTRAL,
    VOUCH_SPF_PASS,
    VOUCH_SPF_FAIL,
    VOUCH_SPF_SOFTFAIL,
    VOUCH_SPF_TEMPERROR,
    VOUCH_SPF_PERMERROR
} vouch_spf_code_t;

/* "none", "neutral", "pass", "fail", "softfail", "temperror", "permerror" */
VOUCH_EXTERN const char *vouch_spf_code_name(vouch_spf_code_t code);

typedef enum vouch_spf_identity {
    VOUCH_SPF_MAILFROM = 0, /* the MAIL FROM identity */
    VOUCH_SPF_HELO          /* the HELO identity (postmaster@HELO) */
} vouch_spf_identity_t;

/* "mailfrom" or "helo" */
VOUCH_EXTERN const char *vouch_spf_identity_name(vouch_spf_identity_t id);

/* ---- records
 * ------------------------------------------------------------------ */

typedef enum vouch_spf_term_kind {
    VOUCH_SPF_TERM_ALL = 0,
    VOUCH_SPF_TERM_INCLUDE,
    VOUCH_SPF_TERM_A,
    VOUCH_SPF_TERM_MX,
    VOUCH_SPF_TERM_PTR,
    VOUCH_SPF_TERM_IP4,
    VOUCH_SPF_TERM_IP6,
    VOUCH_SPF_TERM_EXISTS,
    VOUCH_SPF_TERM_REDIRECT, /* modifiers from here on */
    VOUCH_SPF_TERM_EXP,
    VOUCH_SPF_TERM_UNKNOWN_MODIFIER
} vouch_spf_term_kind_t;

/* One term of a record. Views point into the record text. */
typedef struct vouch_spf_term {
    vouch_spf_term_kind_t kind;
    char qualifier;          /* '+', '-', '~' or '?' (mechanisms) */
    vouch_str_t text;        /* the whole term as written */
    vouch_str_t name;        /* mechanism or modifier name as written */
    vouch_str_t domain_spec; /* domain-spec or modifier value; len 0 if none */
    vouch_ip_t ip;           /* ip4, ip6 */
    unsigned cidr4;          /* a, mx, ip4: prefix length (32 if absent) */
    unsigned cidr6;          /* a, mx, ip6: prefix length (128 if absent) */
    size_t offset;           /* of text in the record */
} vouch_spf_term_t;

/* A cursor over the terms of a record. */
typedef struct vouch_spf_cursor {
    const char *start;
    const char *pos;
    const char *end;
} vouch_spf_cursor_t;

/* Is txt an SPF record: "v=spf1" (any case) alone or followed by a space
 * (§4.5)? */
VOUCH_EXTERN bool vouch_spf_is_record(const char *txt, size_t len);

/* Start reading the terms of record (which must pass vouch_spf_is_record;
 * the version is skipped). The record is borrowed while reading. */
VOUCH_EXTERN void vouch_spf_cursor_init(vouch_spf_cursor_t *cur,
                                        const char *record, size_t len);

/*
 * Read the next term. Returns 1 (term filled), 0 (no more terms), or
 * VOUCH_ESYNTAX with err->offset at the offending term and err->msg naming
 * it ("bad term 'ip4:1.2.3' at offset 7: invalid IPv4 address").
 * Checks §4.6.1 syntax of the term only: macro-string syntax, CIDR ranges,
 * addresses, modifier names. Record-level rules are in vouch_spf_check_record.
 */
VOUCH_EXTERN int vouch_spf_cursor_next(vouch_spf_cursor_t *cur,
                                       vouch_spf_term_t *term,
                                       vouch_error_t *err) VOUCH_WARN_UNUSED;

/*
 * Check a whole record: every term, at most one redirect= and one exp=
 * (§6), no characters outside 7-bit ASCII (§3.1 via §4.6.1).
 * Returns 0 or VOUCH_ESYNTAX (err says where and why).
 */
VOUCH_EXTERN int vouch_spf_check_record(const char *record, size_t len,
                                        vouch_error_t *err) VOUCH_WARN_UNUSED;

/* ---- evaluation
 * ------------------------------------------------------------------ */

typedef struct vouch_spf_request {
    unsigned version;
    vouch_ip_t ip;         /* the SMTP client; an IPv4-mapped IPv6 address
                              is evaluated as IPv4 */
    vouch_str_t mail_from; /* MAIL FROM address without <>; empty (or
                              ptr NULL) = null sender: the HELO identity is
                              checked (postmaster@HELO), §2.4 */
    vouch_str_t helo;      /* HELO/EHLO name */
    vouch_str_t receiver;  /* our host name, for %{r} and Received-SPF;
                              empty: "unknown" */
    bool check_helo;       /* check the HELO identity even when there is a
                              MAIL FROM (§2.3) */
} vouch_spf_request_t;

#define VOUCH_SPF_REQUEST_INIT                                                 \
    {                                                                          \
        1, { 0, { 0 } }, { NULL, 0 }, { NULL, 0 }, { NULL, 0 }, false          \
    }

/* Result of one check_host() evaluation. Initialise with
 * vouch_spf_result_init, release with vouch_spf_result_dispose. */
typedef struct vouch_spf_result {
    vouch_spf_code_t code;
    vouch_spf_identity_t identity;
    /* the domain checked first (sender domain or HELO), as given */
    char domain[VOUCH_DNS_NAME_MAX + 1];
    /* the sender used for macros: local-part@domain */
    vouch_buf_t sender;
    /* the term that decided: "-all", "include:_spf.example.net", "default"
     * (no term matched), or empty (none, errors) */
    vouch_buf_t mechanism;
    /* fail: the explanation (§6.2; the default one when there is no exp=
     * or it cannot be used); has_explanation says whether there is one */
    vouch_buf_t explanation;
    bool has_explanation;
    /* why, for a human: "matched ip4:192.0.2.0/24 in example.com" */
    vouch_buf_t reason;
    /* DNS-querying terms counted against the limit of 10, and void
     * lookups counted against the limit of 2 (§4.6.4) */
    unsigned lookups;
    unsigned void_lookups;
    /* weakest DNSSEC state among the answers the verdict used */
    vouch_dnssec_t dnssec;
} vouch_spf_result_t;

VOUCH_EXTERN void vouch_spf_result_init(vouch_spf_result_t *res,
                                        const vouch_ctx_t *ctx);

VOUCH_EXTERN void vouch_spf_result_dispose(vouch_spf_result_t *res);

/*
 * Evaluate SPF for req: check_host(ip, domain, sender) of the MAIL FROM
 * identity, or of the HELO identity when the MAIL FROM is empty or
 * req->check_helo is set. res must be initialised (its previous contents
 * are replaced).
 * Returns 0 with a verdict in res (every DNS failure and bad record is a
 * verdict: temperror, permerror); VOUCH_EINVAL (req->ip not set, version
 * unknown); VOUCH_ENOMEM.
 */
VOUCH_EXTERN int vouch_spf_check(vouch_spf_result_t *res,
                                 const vouch_ctx_t *ctx,
                                 vouch_resolver_t *resolver,
                                 const vouch_spf_request_t *req,
                                 vouch_error_t *err) VOUCH_WARN_UNUSED;

/*
 * Append the value of a Received-SPF header field (§9.1; the field name is
 * not written) for a result of vouch_spf_check on req, folded (CRLF before
 * a space) so that its lines, the first counted with "Received-SPF: ",
 * stay within 78 columns where a space allows:
 *   pass (mail.example: domain of a@example designates 192.0.2.1 as
 *    permitted sender) client-ip=192.0.2.1; envelope-from="a@example";
 *    helo=mail.example; receiver=mx.example; identity=mailfrom;
 *    mechanism="ip4:192.0.2.0/24"
 * Every value taken from the message or from DNS is written as a quoted
 * string or a dot-atom (bytes outside printable ASCII, CR and LF among
 * them, as \xHH), so the field always parses and the only CRs are those
 * of the folds. Not excessively long (§9.1): a text quoted in the comment
 * shows at most 256 columns, then "..."; a key=value pair whose value
 * would take more than 512 columns is left out.
 * Returns 0, VOUCH_ENOMEM, VOUCH_ETOOBIG (out's max).
 */
VOUCH_EXTERN int
vouch_spf_received_spf(vouch_buf_t *out, const vouch_spf_request_t *req,
                       const vouch_spf_result_t *res) VOUCH_WARN_UNUSED;

#ifdef __cplusplus
}
#endif

#endif
