/* SPDX-License-Identifier: MIT */
/*
 * vouch/dmarc.h - Domain-based Message Authentication, Reporting and
 * Conformance: RFC 9989 (DMARCbis) and, as a mode, RFC 7489.
 *
 * What is here:
 *   - a policy record parser (RFC 9989 "DMARC Policy Record Format" and
 *     "Formal Definition"; RFC 7489 §6.3 adds pct, rf and ri) that keeps
 *     every tag, says which were written, and reports what it ignored;
 *   - policy discovery and the Organizational Domain: in RFC 9989 mode the
 *     "DNS Tree Walk" (at most 8 queries per walk, psd=y/n/u), in RFC 7489
 *     mode the Public Suffix List (libpsl, §3.2) and the two-query discovery
 *     of §6.6.3;
 *   - identifier alignment (relaxed and strict, for SPF and DKIM), the
 *     choice between p, sp and np (np when the Author Domain does not exist,
 *     RFC 8020 NXDOMAIN), and the disposition after t=y (RFC 9989: one level
 *     lower) or pct sampling (RFC 7489 §6.6.4: one level lower when not
 *     sampled);
 *   - external report destination verification (RFC 9989 "External Report
 *     Addresses", RFC 7489 §7.1).
 *
 * Not done here: extracting the From domain from a message (vouch/mail.h),
 * running SPF and DKIM (vouch/spf.h, vouch/dkim.h: their verdicts are the
 * input), writing or sending reports, local policy overrides.
 *
 * Verdicts are data: vouch_dmarc_evaluate() returns 0 whenever it reached a
 * verdict, DNS failures included (temperror, with the step in the reason).
 * Thread safety: records and results belong to one thread; evaluation may
 * run in many threads at once on a shared context, resolver and PSL.
 */
#ifndef VOUCH_DMARC_H
#define VOUCH_DMARC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "dns.h"
#include "error.h"
#include "spf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- limits --------------------------------------------------------------
 */

/* URIs kept per rua= or ruf= list; more are ignored with a warning. */
#define VOUCH_DMARC_URIS_MAX 8
/* Longest URI kept (without its !size suffix); longer ones are ignored with
 * a warning. */
#define VOUCH_DMARC_URI_MAX 256
/* Warnings kept per record; more are counted in warnings_dropped. */
#define VOUCH_DMARC_WARNINGS_MAX 16
/* RFC 9989 "DNS Tree Walk": at most 8 queries per walk. */
#define VOUCH_DMARC_WALK_QUERIES_MAX 8

/* ---- enums ----------------------------------------------------------------
 */

typedef enum vouch_dmarc_mode {
    VOUCH_DMARC_9989 = 0, /* DMARCbis: DNS Tree Walk, psd, np, t */
    VOUCH_DMARC_7489      /* RFC 7489: Public Suffix List, pct, rf, ri */
} vouch_dmarc_mode_t;

/* "9989" or "7489" */
VOUCH_EXTERN const char *vouch_dmarc_mode_name(vouch_dmarc_mode_t m);

typedef enum vouch_dmarc_policy {
    VOUCH_DMARC_P_UNSET = 0, /* absent, invalid, or no policy applies */
    VOUCH_DMARC_P_NONE,
    VOUCH_DMARC_P_QUARANTINE,
    VOUCH_DMARC_P_REJECT
} vouch_dmarc_policy_t;

/* "unset", "none", "quarantine", "reject" */
VOUCH_EXTERN const char *vouch_dmarc_policy_name(vouch_dmarc_policy_t p);

typedef enum vouch_dmarc_code {
    VOUCH_DMARC_NONE = 0, /* no policy record applies */
    VOUCH_DMARC_PASS,
    VOUCH_DMARC_FAIL,
    VOUCH_DMARC_TEMPERROR,
    VOUCH_DMARC_PERMERROR /* the From domain is not a usable name */
} vouch_dmarc_code_t;

/* "none", "pass", "fail", "temperror", "permerror" (RFC 8601 words) */
VOUCH_EXTERN const char *vouch_dmarc_code_name(vouch_dmarc_code_t c);

typedef enum vouch_dmarc_align {
    VOUCH_DMARC_ALIGN_RELAXED = 0, /* "r", the default */
    VOUCH_DMARC_ALIGN_STRICT       /* "s" */
} vouch_dmarc_align_t;

typedef enum vouch_dmarc_psd {
    VOUCH_DMARC_PSD_U = 0, /* default: use the tree walk */
    VOUCH_DMARC_PSD_Y,     /* a Public Suffix Domain */
    VOUCH_DMARC_PSD_N      /* an Organizational Domain */
} vouch_dmarc_psd_t;

/* Tags, as bits of vouch_dmarc_record_t.present / .invalid. */
#define VOUCH_DMARC_TAG_V     (1u << 0)
#define VOUCH_DMARC_TAG_P     (1u << 1)
#define VOUCH_DMARC_TAG_SP    (1u << 2)
#define VOUCH_DMARC_TAG_NP    (1u << 3)
#define VOUCH_DMARC_TAG_ADKIM (1u << 4)
#define VOUCH_DMARC_TAG_ASPF  (1u << 5)
#define VOUCH_DMARC_TAG_FO    (1u << 6)
#define VOUCH_DMARC_TAG_RUA   (1u << 7)
#define VOUCH_DMARC_TAG_RUF   (1u << 8)
#define VOUCH_DMARC_TAG_T     (1u << 9)
#define VOUCH_DMARC_TAG_PSD   (1u << 10)
#define VOUCH_DMARC_TAG_PCT   (1u << 11) /* RFC 7489 only */
#define VOUCH_DMARC_TAG_RF    (1u << 12) /* RFC 7489 only */
#define VOUCH_DMARC_TAG_RI    (1u << 13) /* RFC 7489 only */

/* fo= options, as bits of vouch_dmarc_record_t.fo */
#define VOUCH_DMARC_FO_0 (1u << 0) /* all mechanisms failed (default) */
#define VOUCH_DMARC_FO_1 (1u << 1) /* any mechanism failed */
#define VOUCH_DMARC_FO_D (1u << 2) /* DKIM signature failed */
#define VOUCH_DMARC_FO_S (1u << 3) /* SPF failed */

/* rf= formats (RFC 7489), as bits of vouch_dmarc_record_t.rf */
#define VOUCH_DMARC_RF_AFRF  (1u << 0) /* RFC 6591, the default */
#define VOUCH_DMARC_RF_IODEF (1u << 1) /* RFC 5070 */

/* ---- records --------------------------------------------------------------
 */

/* One reporting URI of rua= or ruf=. */
typedef struct vouch_dmarc_uri {
    char uri[VOUCH_DMARC_URI_MAX + 1]; /* as written, without "!size" */
    uint64_t max_size; /* "!size" in bytes (k/m/g/t applied); 0: none */
} vouch_dmarc_uri_t;

typedef struct vouch_dmarc_urilist {
    size_t n; /* syntactically valid URIs kept */
    vouch_dmarc_uri_t uri[VOUCH_DMARC_URIS_MAX];
} vouch_dmarc_urilist_t;

typedef enum vouch_dmarc_warning_kind {
    VOUCH_DMARC_W_UNKNOWN_TAG = 0, /* not a DMARC tag: ignored (MUST) */
    VOUCH_DMARC_W_OTHER_MODE,      /* a tag of the other RFC: ignored */
    VOUCH_DMARC_W_BAD_VALUE,       /* bad value: the default is used */
    VOUCH_DMARC_W_BAD_URI,         /* one URI of a list ignored */
    VOUCH_DMARC_W_SYNTAX,          /* a malformed tag-spec, skipped */
    VOUCH_DMARC_W_NOTE             /* valid but worth saying */
} vouch_dmarc_warning_kind_t;

/* "unknown-tag", "other-mode", "bad-value", "bad-uri", "syntax", "note" */
VOUCH_EXTERN const char *
vouch_dmarc_warning_kind_name(vouch_dmarc_warning_kind_t k);

typedef struct vouch_dmarc_warning {
    vouch_dmarc_warning_kind_t kind;
    char tag[16];  /* tag name as written (escaped, may end "..."); or "" */
    size_t offset; /* of the tag (or URI) in the record text */
    char msg[112]; /* human text, NUL-terminated */
} vouch_dmarc_warning_t;

/*
 * A parsed policy record. Fixed size, no allocation. Absent or invalid
 * tags hold their default (p, sp, np: VOUCH_DMARC_P_UNSET; adkim, aspf:
 * relaxed; fo: FO_0; psd: u; t: false; pct: 100; rf: AFRF; ri: 86400).
 * Tags that belong to the other mode (psd, np, t in 7489 mode; pct, rf, ri
 * in 9989 mode) are ignored with a warning and keep their default.
 */
typedef struct vouch_dmarc_record {
    vouch_dmarc_mode_t mode; /* the rules it was parsed with */
    unsigned present;        /* VOUCH_DMARC_TAG_* written (even if invalid) */
    unsigned invalid;        /* VOUCH_DMARC_TAG_* written with a bad value */
    vouch_dmarc_policy_t p, sp, np;
    vouch_dmarc_align_t adkim, aspf;
    unsigned fo; /* VOUCH_DMARC_FO_* */
    vouch_dmarc_psd_t psd;
    bool t;
    vouch_dmarc_urilist_t rua, ruf;
    unsigned pct; /* 0..100 */
    unsigned rf;  /* VOUCH_DMARC_RF_* */
    uint32_t ri;  /* seconds */
    size_t nwarnings;
    size_t warnings_dropped; /* warnings beyond VOUCH_DMARC_WARNINGS_MAX */
    vouch_dmarc_warning_t warnings[VOUCH_DMARC_WARNINGS_MAX];
} vouch_dmarc_record_t;

/*
 * Parse a TXT value (len bytes, the character-strings already joined; not
 * NUL-terminated; any byte may appear) as a DMARC policy record.
 *
 * A record is one whose first tag is v=DMARC1 (the value case-sensitive)
 * with no tag name given twice (RFC 6376 §3.2 tag-list rule, which DMARC
 * records follow). Anything else is VOUCH_ESYNTAX: err->msg names the tag
 * and err->offset points at it; such a record "MUST be ignored".
 * Inside a record, the RFC says syntax errors "MUST be discarded in favor
 * of default values": a bad value, a bad URI, a malformed tag-spec or an
 * unknown tag is a warning in out->warnings (tag named, offset given) and
 * the tag keeps its default; the call still returns 0. Tag names and
 * keyword values are case-insensitive (RFC 7405 literals).
 * Returns 0; VOUCH_ESYNTAX; VOUCH_EINVAL (out or txt NULL). out is always
 * filled (defaults on failure).
 */
VOUCH_EXTERN int vouch_dmarc_record_parse(vouch_dmarc_record_t *out,
                                          const char *txt, size_t len,
                                          vouch_dmarc_mode_t mode,
                                          vouch_error_t *err) VOUCH_WARN_UNUSED;

/*
 * The policy that a record requests, after RFC 9989 "DMARC Policy
 * Discovery" (and RFC 7489 §6.6.3 step 6) for a record whose p is absent
 * or invalid, or whose sp or np is invalid: p=none when rua holds at least
 * one valid URI, else UNSET ("no DMARC processing"). Otherwise the policy
 * tag for the case: subdomain selects sp (then p), nonexistent selects np
 * (then sp, then p); np only in 9989 mode. *tag_out (may be NULL) receives
 * "p", "sp", "np" or "" (static strings).
 */
VOUCH_EXTERN vouch_dmarc_policy_t
vouch_dmarc_record_policy(const vouch_dmarc_record_t *rec, bool subdomain,
                          bool nonexistent, const char **tag_out);

/* ---- Public Suffix List (RFC 7489 mode) -----------------------------------
 */

typedef struct vouch_psl vouch_psl_t; /* wraps a libpsl context */

/*
 * Load a Public Suffix List: path names a public_suffix_list.dat (or a
 * libpsl DAFSA file); NULL loads the newest of libpsl's built-in data and
 * the distribution's list (Debian: /usr/share/publicsuffix).
 * Returns 0; VOUCH_EIO (cannot read or parse; err says which file);
 * VOUCH_ENOMEM. *out is NULL on failure. Free with vouch_psl_free(). A
 * loaded list is immutable and may be shared by threads.
 */
VOUCH_EXTERN int vouch_psl_load(vouch_psl_t **out, const vouch_ctx_t *ctx,
                                const char *path,
                                vouch_error_t *err) VOUCH_WARN_UNUSED;

/*
 * The Organizational Domain of RFC 7489 §3.2: the registrable domain (the
 * public suffix plus one label) of domain, which is NUL-terminated, A-labels
 * or UTF-8; ASCII case is folded and a final dot dropped. Writes the result
 * (lower case) into out.
 * Returns 0; VOUCH_ENOTFOUND (domain is itself a public suffix, or has an
 * empty label: there is no registrable domain; out is ""); VOUCH_ETOOBIG
 * (longer than VOUCH_DNS_NAME_MAX); VOUCH_EINVAL (NULL argument).
 */
VOUCH_EXTERN int vouch_psl_org_domain(const vouch_psl_t *psl,
                                      const char *domain,
                                      char out[VOUCH_DNS_NAME_MAX + 1]);

/* Free the list. NULL is a no-op. */
VOUCH_EXTERN void vouch_psl_free(vouch_psl_t *psl);

/* ---- evaluation -----------------------------------------------------------
 */

typedef struct vouch_dmarc_options {
    unsigned version; /* 1 */
    vouch_dmarc_mode_t mode;
    /* Required in 7489 mode (VOUCH_EINVAL without it); unused in 9989 mode.
     * Borrowed for the call. */
    const vouch_psl_t *psl;
    /* pct sampling (7489 mode): the message is sampled when pct_draw < pct.
     * 0..99 fixes the draw (tests, replay); -1 draws at random. */
    int pct_draw;
} vouch_dmarc_options_t;

#define VOUCH_DMARC_OPTIONS_INIT                                               \
    {                                                                          \
        1, VOUCH_DMARC_9989, NULL, -1                                          \
    }

/* One DKIM signature's outcome. */
typedef struct vouch_dmarc_dkim_in {
    const char *domain; /* d=, normalised (A-labels, lower case) */
    bool pass;
    bool temperror; /* not pass because of a transient (DNS) failure */
} vouch_dmarc_dkim_in_t;

/* DKIM results considered per evaluation; more is VOUCH_EINVAL (a DKIM
 * verifier caps the signatures it evaluates well below this). */
#define VOUCH_DMARC_DKIM_MAX 64

typedef struct vouch_dmarc_input {
    const char *from_domain; /* normalised author domain (A-labels, lower
                                case); a final dot is allowed */
    const char *spf_domain;  /* the domain SPF checked (MAIL FROM domain, or
                                HELO when MAIL FROM was empty); may be NULL */
    vouch_spf_code_t spf_result;
    const vouch_dmarc_dkim_in_t *dkim; /* may be NULL when ndkim is 0 */
    size_t ndkim;
} vouch_dmarc_input_t;

typedef struct vouch_dmarc_result {
    vouch_dmarc_code_t result;
    vouch_dmarc_policy_t policy;      /* requested policy that applies (p, sp
                                         or np); UNSET when no record */
    vouch_dmarc_policy_t disposition; /* what to do after t= / pct: the
                                         policy (or one level lower) on fail,
                                         NONE on pass, UNSET on none and
                                         errors (receiver's choice) */
    const char *policy_tag;           /* "p", "sp", "np" or "" (static) */
    char from_domain[VOUCH_DNS_NAME_MAX + 1];
    char org_domain[VOUCH_DNS_NAME_MAX + 1];
    char policy_domain[VOUCH_DNS_NAME_MAX + 1]; /* where the record was
                                                   found; "" none */
    bool from_exists; /* false: NXDOMAIN seen for the Author Domain */
    bool spf_aligned, dkim_aligned;
    char dkim_aligned_domain[VOUCH_DNS_NAME_MAX + 1];
    bool testing;     /* t=y, or (7489) pct < 100 and not sampled */
    char reason[200]; /* human text */
    char record[512]; /* the record used, escaped, for display ("" none;
                         a longer record ends in "...") */
    unsigned queries; /* DNS queries made */
} vouch_dmarc_result_t;

/*
 * Evaluate DMARC for one message: discover the policy record of
 * in->from_domain, check SPF and DKIM identifier alignment, pick p, sp or
 * np, and apply t= (9989) or pct= (7489) to get the disposition.
 *
 * opts may be NULL (9989 defaults). Queries are TXT at _dmarc.<name>
 * (memoised within the call, so the walks for the From domain and for the
 * authenticated identifiers share them), plus one A query for the Author
 * Domain when np could apply (RFC 8020: NXDOMAIN means it does not exist).
 * A DNS failure during discovery gives temperror with the name in the
 * reason; during an identifier's walk, that identifier is unknown, which
 * gives temperror only when no other identifier aligned.
 *
 * Always fills *out. Returns 0 (verdict in out); VOUCH_EINVAL (NULL
 * pointers, ndkim over VOUCH_DMARC_DKIM_MAX, 7489 mode without a PSL, bad
 * options version); VOUCH_ENOMEM. Thread-safe.
 */
VOUCH_EXTERN int vouch_dmarc_evaluate(vouch_dmarc_result_t *out,
                                      const vouch_ctx_t *ctx,
                                      vouch_resolver_t *resolver,
                                      const vouch_dmarc_options_t *opts,
                                      const vouch_dmarc_input_t *in,
                                      vouch_error_t *err) VOUCH_WARN_UNUSED;

/* ---- external report destinations -----------------------------------------
 */

typedef enum vouch_dmarc_dest {
    VOUCH_DMARC_DEST_SAME_ORG = 0, /* no verification needed */
    VOUCH_DMARC_DEST_AUTHORIZED,   /* v=DMARC1 record found */
    VOUCH_DMARC_DEST_UNAUTHORIZED, /* no such record: do not send */
    VOUCH_DMARC_DEST_TEMPERROR,    /* DNS failure: try later */
    VOUCH_DMARC_DEST_BAD_URI       /* no host can be taken from the URI */
} vouch_dmarc_dest_t;

/* "same-org", "authorized", "unauthorized", "temperror", "bad-uri" */
VOUCH_EXTERN const char *vouch_dmarc_dest_name(vouch_dmarc_dest_t d);

/*
 * External report destination verification (RFC 9989 "External Report
 * Addresses", RFC 7489 §7.1): take the host of uri (uri_len bytes; the
 * domain of a mailto: address, the authority of other URIs; a !size suffix
 * is allowed); when its Organizational Domain (tree walk in 9989 mode,
 * PSL in 7489 mode) differs from policy_domain's, query TXT at
 * <policy_domain>._report._dmarc.<host> for a record starting "v=DMARC1".
 * opts may be NULL (9989). Returns 0 (verdict in *out); VOUCH_EINVAL;
 * VOUCH_ENOMEM. Thread-safe.
 */
VOUCH_EXTERN int vouch_dmarc_check_destination(
    vouch_dmarc_dest_t *out, const vouch_ctx_t *ctx, vouch_resolver_t *resolver,
    const vouch_dmarc_options_t *opts, const char *policy_domain,
    const char *uri, size_t uri_len, vouch_error_t *err) VOUCH_WARN_UNUSED;

#ifdef __cplusplus
}
#endif

#endif
