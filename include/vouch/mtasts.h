/* SPDX-License-Identifier: MIT */
/*
 * vouch/mtasts.h - SMTP MTA Strict Transport Security, RFC 8461.
 *
 * What is here:
 *   - the `_mta-sts.<domain>` TXT record parser (§3.1) and the choice of
 *     the one record among a TXT RRset (§3.1: records not starting with
 *     "v=STSv1" are discarded; any number but one means "no policy");
 *   - the policy file parser (§3.2): version, mode, max_age, mx patterns
 *     (with the "*." wildcard), extensions; LF or CRLF lines; a 64 KiB cap;
 *     every error names its line;
 *   - writers for a policy file and a TXT record (for `vouch setup`);
 *   - MX host matching against the policy's patterns (§4.1);
 *   - the policy fetch (§3.3) over vouch/http.h: status 200, no redirect,
 *     Content-Type text/plain, a certificate valid for mta-sts.<domain>,
 *     the body cap, then the parser; each failure is data (a status and a
 *     reason) for an audit;
 *   - discovery (§3): record lookup through a vouch resolver, then fetch.
 *
 * Not done here: policy caching and refresh (§5), SMTP/STARTTLS checks of
 * the MX hosts (§4.2), TLS-RPT (vouch/tlsrpt.h).
 *
 * Thread safety: parsed records and policies are immutable and may be read
 * by many threads; fetch and discovery may run in many threads at once.
 */
#ifndef VOUCH_MTASTS_H
#define VOUCH_MTASTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "dns.h"
#include "error.h"
#include "http.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- limits ---------------------------------------------------------------
 */

/* §3.1: id is 1*32(ALPHA / DIGIT). */
#define VOUCH_MTASTS_ID_MAX 32
/* §3.1/§3.2: extension names are at most 32 characters. */
#define VOUCH_MTASTS_EXT_NAME_MAX 32
/* Extensions kept per record or policy; more is VOUCH_ETOOBIG. */
#define VOUCH_MTASTS_EXT_MAX 32
/* mx patterns per policy; more is VOUCH_ETOOBIG (real policies list a
 * handful). */
#define VOUCH_MTASTS_MX_MAX 256
/* §3.2: max_age is at most 31557600 seconds (about a year). */
#define VOUCH_MTASTS_MAX_AGE_MAX 31557600u
/* §3.3: "A RECOMMENDED limit for the response body size is 64 kilobytes". */
#define VOUCH_MTASTS_POLICY_MAX ((size_t)64 << 10)
/* Timeouts of the policy fetch when the options say 0 (§3.3 recommends at
 * most 60 s; an audit wants less). */
#define VOUCH_MTASTS_FETCH_TIMEOUT_MS 10000

/* One extension (key and value) of a record or policy. */
typedef struct vouch_mtasts_ext {
    vouch_str_t name;
    vouch_str_t value;
} vouch_mtasts_ext_t;

/* ---- TXT record (§3.1) ----------------------------------------------------
 */

/*
 * A parsed `_mta-sts` TXT record. Fixed size; id is copied, extension views
 * borrow the parsed text (valid as long as it is).
 */
typedef struct vouch_mtasts_record {
    char id[VOUCH_MTASTS_ID_MAX + 1]; /* NUL-terminated */
    size_t next;
    vouch_mtasts_ext_t ext[VOUCH_MTASTS_EXT_MAX];
} vouch_mtasts_record_t;

/*
 * Parse a TXT value (len bytes, strings joined, any byte may appear):
 *   v=STSv1 *WSP ";" *WSP id=1*32(ALPHA/DIGIT) [ ";" ext-name=ext-value ]...
 * "v=STSv1" must come first (case-sensitive); fields are separated by ";"
 * with optional whitespace around it (and around "="); one trailing ";" is
 * allowed, an empty field is not. id is required, once. Extensions
 * (name (ALPHA/DIGIT) *31(ALPHA/DIGIT/"_"/"-"/"."), value of VCHARs except
 * "=" and ";") are kept and otherwise ignored.
 * Returns 0; VOUCH_ESYNTAX (err->offset at the fault, err->msg says what);
 * VOUCH_ETOOBIG (more than VOUCH_MTASTS_EXT_MAX extensions). *out is zeroed
 * on failure.
 */
VOUCH_EXTERN int
vouch_mtasts_record_parse(vouch_mtasts_record_t *out, const char *txt,
                          size_t len, vouch_error_t *err) VOUCH_WARN_UNUSED;

/* ---- policy (§3.2) ---------------------------------------------------------
 */

typedef enum vouch_mtasts_mode {
    VOUCH_MTASTS_MODE_NONE = 0,
    VOUCH_MTASTS_MODE_TESTING,
    VOUCH_MTASTS_MODE_ENFORCE
} vouch_mtasts_mode_t;

/* "none", "testing", "enforce" */
VOUCH_EXTERN const char *vouch_mtasts_mode_name(vouch_mtasts_mode_t m);

/*
 * A parsed policy, allocated by the library (one block), immutable; free
 * with vouch_mtasts_policy_free(). All views point into the block.
 */
typedef struct vouch_mtasts_policy {
    vouch_mtasts_mode_t mode;
    uint32_t max_age; /* seconds, 0..VOUCH_MTASTS_MAX_AGE_MAX */
    size_t nmx;
    const vouch_str_t *mx; /* patterns as written ("*.example.com") */
    size_t next;
    const vouch_mtasts_ext_t *ext; /* unknown keys, in order */
    const vouch_ctx_t *ctx;        /* retained: allocator */
} vouch_mtasts_policy_t;

/*
 * Parse a policy body (len bytes; at most VOUCH_MTASTS_POLICY_MAX).
 * Lines end in LF or CRLF (mixed is fine; empty lines are skipped); each
 * is "key:" *WSP value *WSP (whitespace before ":" is tolerated). Keys and
 * keyword values are case-sensitive (§3.2 ABNF %s).
 *   version  must be STSv1, required
 *   mode     enforce | testing | none, required
 *   max_age  1..10 digits, 0..31557600, required
 *   mx       ["*."] Domain (RFC 5321 LDH labels, A-labels only; the
 *            wildcard only as the whole left-most label); one per line,
 *            required at least once unless mode is none
 *   other    ext-name ":" ext-value (printable ASCII and spaces), kept
 * version, mode and max_age given twice are errors (ambiguous policy).
 * Returns 0; VOUCH_ESYNTAX (err->msg starts "line N: ", err->offset is the
 * byte offset of the fault); VOUCH_ETOOBIG (body over the cap, too many mx
 * or extensions); VOUCH_ENOMEM; VOUCH_EINVAL (out or ctx NULL).
 * *out is NULL on failure.
 */
VOUCH_EXTERN int
vouch_mtasts_policy_parse(vouch_mtasts_policy_t **out, const vouch_ctx_t *ctx,
                          const char *text, size_t len,
                          vouch_error_t *err) VOUCH_WARN_UNUSED;

/* Free a policy. NULL is a no-op. */
VOUCH_EXTERN void vouch_mtasts_policy_free(vouch_mtasts_policy_t *policy);

/*
 * Write a policy file into out (appended; out's maximum applies): the
 * fields in the order version, mode, max_age, mx (one line each), lines
 * ending in CRLF (crlf true, as RFC 8461 §3.2 describes the file) or LF.
 * Each pattern (NUL-terminated) must be what the parser accepts; mode
 * enforce or testing needs at least one. What is written parses back to
 * the same policy.
 * Returns 0; VOUCH_ESYNTAX (a bad pattern: err names it; or no mx for
 * enforce/testing); VOUCH_EINVAL (max_age above the maximum, more than
 * VOUCH_MTASTS_MX_MAX patterns, NULL arguments); VOUCH_ETOOBIG;
 * VOUCH_ENOMEM. On failure out holds what it held before.
 */
VOUCH_EXTERN int
vouch_mtasts_policy_write(vouch_buf_t *out, vouch_mtasts_mode_t mode,
                          uint32_t max_age, const char *const *mx, size_t nmx,
                          bool crlf, vouch_error_t *err) VOUCH_WARN_UNUSED;

/*
 * Write a TXT record value "v=STSv1; id=<id>" and then "; name=value" for
 * each of ext[0..next) into out (appended). id (NUL-terminated) must be
 * 1-32 letters and digits; extensions must be what the parser accepts.
 * Returns 0; VOUCH_ESYNTAX (bad id or extension); VOUCH_EINVAL;
 * VOUCH_ETOOBIG; VOUCH_ENOMEM. On failure out holds what it held before.
 */
VOUCH_EXTERN int
vouch_mtasts_record_write(vouch_buf_t *out, const char *id,
                          const vouch_mtasts_ext_t *ext, size_t next,
                          vouch_error_t *err) VOUCH_WARN_UNUSED;

/* ---- MX matching (§4.1) -----------------------------------------------------
 */

/*
 * Does the MX host name (hlen bytes) match the pattern (plen bytes)?
 * ASCII case-insensitive; one final dot on either is ignored. A pattern
 * "*.example.com" matches exactly one extra left-most label
 * ("mx.example.com", not "example.com" nor "a.b.example.com"). An empty or
 * malformed host never matches.
 */
VOUCH_EXTERN bool vouch_mtasts_mx_match(const char *pattern, size_t plen,
                                        const char *host, size_t hlen);

/*
 * Index of the first mx pattern of policy that host matches, or -1.
 */
VOUCH_EXTERN long vouch_mtasts_policy_match(const vouch_mtasts_policy_t *policy,
                                            const char *host, size_t hlen);

/* ---- fetch (§3.3) -----------------------------------------------------------
 */

typedef enum vouch_mtasts_fetch_status {
    VOUCH_MTASTS_FETCH_OK = 0,       /* policy fetched and valid */
    VOUCH_MTASTS_FETCH_NETWORK,      /* resolve, connect, TLS, timeout */
    VOUCH_MTASTS_FETCH_CERT,         /* certificate not valid for the host */
    VOUCH_MTASTS_FETCH_REDIRECT,     /* a 3xx (§3.3: MUST NOT follow) */
    VOUCH_MTASTS_FETCH_HTTP_STATUS,  /* any other status than 200 */
    VOUCH_MTASTS_FETCH_CONTENT_TYPE, /* not text/plain */
    VOUCH_MTASTS_FETCH_TOO_BIG,      /* body over the cap */
    VOUCH_MTASTS_FETCH_POLICY        /* the body is not a valid policy */
} vouch_mtasts_fetch_status_t;

/* "ok", "network", "certificate", "redirect", "http-status",
 * "content-type", "too-big", "policy" */
VOUCH_EXTERN const char *
vouch_mtasts_fetch_status_name(vouch_mtasts_fetch_status_t s);

/*
 * What one policy fetch found. Caller-owned: start zeroed (or from an
 * earlier call) and release with vouch_mtasts_fetch_dispose().
 */
typedef struct vouch_mtasts_fetch_result {
    vouch_mtasts_fetch_status_t status;
    char url[VOUCH_DNS_NAME_MAX + 64]; /* the URL fetched */
    long http_status;                  /* 0 if no response */
    char content_type[128]; /* as sent, escaped, may end "..."; or "" */
    char location[256];     /* a redirect's target, escaped; or "" */
    char reason[VOUCH_ERROR_MSG_MAX]; /* why status is not OK; or "" */
    size_t line;                      /* POLICY: line of the fault */
    vouch_mtasts_policy_t *policy;    /* OK: owned; otherwise NULL */
} vouch_mtasts_fetch_t;

/*
 * Fetch https://mta-sts.<domain>/.well-known/mta-sts.txt and check it
 * (§3.3). domain (len bytes, one final dot allowed) must be an LDH name
 * in A-labels. http gives the trust store, connect-to mapping, timeouts
 * (0 here means VOUCH_MTASTS_FETCH_TIMEOUT_MS) and cap (0, or anything
 * above, means VOUCH_MTASTS_POLICY_MAX); may be NULL.
 * Returns 0 when a verdict was reached, whatever it is (out->status);
 * VOUCH_ESYNTAX (domain is not a host name); VOUCH_EINVAL; VOUCH_ENOMEM.
 * Thread-safe.
 */
VOUCH_EXTERN int vouch_mtasts_fetch(vouch_mtasts_fetch_t *out,
                                    const vouch_ctx_t *ctx, const char *domain,
                                    size_t len,
                                    const vouch_http_options_t *http,
                                    vouch_error_t *err) VOUCH_WARN_UNUSED;

/* Free the policy a fetch holds; out is zeroed. */
VOUCH_EXTERN void vouch_mtasts_fetch_dispose(vouch_mtasts_fetch_t *fetch);

/* ---- discovery (§3) ---------------------------------------------------------
 */

typedef enum vouch_mtasts_outcome {
    VOUCH_MTASTS_NONE = 0,     /* no usable record: no MTA-STS */
    VOUCH_MTASTS_VALID,        /* record and a valid policy */
    VOUCH_MTASTS_FETCH_ERROR,  /* record found, policy unusable */
    VOUCH_MTASTS_DNS_TEMPERROR /* the record lookup failed */
} vouch_mtasts_outcome_t;

/* "none", "valid", "fetch-error", "temperror" */
VOUCH_EXTERN const char *vouch_mtasts_outcome_name(vouch_mtasts_outcome_t o);

typedef struct vouch_mtasts_result {
    vouch_mtasts_outcome_t outcome;
    vouch_dns_status_t dns_status;    /* of the TXT query */
    size_t nrecords;                  /* TXT records starting "v=STSv1" */
    bool have_record;                 /* record below is valid */
    vouch_mtasts_record_t record;     /* extension views are not kept */
    char reason[VOUCH_ERROR_MSG_MAX]; /* why not VALID; or "" */
    vouch_mtasts_fetch_t fetch;       /* when a record was found */
} vouch_mtasts_result_t;

/*
 * Discover the domain's policy: query TXT _mta-sts.<domain> through
 * resolver (budget may be NULL); exactly one record starting "v=STSv1"
 * must be there and parse, else NONE (§3.1; a DNS failure is
 * DNS_TEMPERROR); then fetch the policy (FETCH_ERROR unless
 * out->fetch.status is OK). The policy host is resolved through the same
 * resolver unless http->resolver or http->connect_to says otherwise, so
 * the system resolver is never asked. Returns 0 with a verdict; VOUCH_ESYNTAX
 * (domain is not a host name); VOUCH_ETOOBIG / VOUCH_ETEMP (budget);
 * VOUCH_EINVAL; VOUCH_ENOMEM. Release with vouch_mtasts_result_dispose().
 * Thread-safe.
 */
VOUCH_EXTERN int vouch_mtasts_discover(vouch_mtasts_result_t *out,
                                       const vouch_ctx_t *ctx,
                                       vouch_resolver_t *resolver,
                                       vouch_dns_budget_t *budget,
                                       const char *domain, size_t len,
                                       const vouch_http_options_t *http,
                                       vouch_error_t *err) VOUCH_WARN_UNUSED;

/* Free what a result holds; out is zeroed. */
VOUCH_EXTERN void vouch_mtasts_result_dispose(vouch_mtasts_result_t *result);

#ifdef __cplusplus
}
#endif

#endif
