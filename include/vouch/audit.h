/* SPDX-License-Identifier: MIT */
/*
 * vouch/audit.h - the domain audit behind `vouch check`: is a domain's
 * mail protected, and what exactly should it publish next?
 *
 * One call looks a domain up through a resolver and fills a result with
 * one area per topic (MX, SPF, DKIM, DMARC, MTA-STS, TLS-RPT, BIMI,
 * DNSSEC), findings (id, severity, area, explanation and the exact record
 * to publish or change), a score per area and overall (0-100), a letter
 * grade and a prioritised plan that follows the rollout
 * SPF -> DKIM -> DMARC p=none with rua -> monitor -> quarantine -> reject;
 * MTA-STS testing -> enforce with TLS-RPT; BIMI once DMARC enforces.
 *
 * It reuses the protocol modules, never a second parser: the SPF record
 * cursor and evaluator (vouch/spf.h), the DKIM key-record parser, the DMARC
 * record parser, tree walk and external destination check (vouch/dmarc.h),
 * domain normalisation (vouch/address.h) and the DNS layer (vouch/dns.h).
 *
 * Checked here: MX and null MX (RFC 7505) and whether the domain handles
 * mail at all; the SPF include/redirect tree with DNS-querying-term and
 * void-lookup counts per branch and in total (RFC 7208 §4.6.4), loops,
 * ptr, the all term, several records, record size, and the set of
 * authorised networks; DKIM keys at given and well-known selectors
 * (RFC 6376 §3.6.1: key type, size, t=y, revocation, syntax); DMARC
 * (RFC 9989 tree walk, policy strength, sp/np, rua/ruf and external
 * destinations); DNSSEC state of the answers and DANE TLSA records
 * (RFC 7672) at _25._tcp.<mx>; MTA-STS (RFC 8461: the _mta-sts record,
 * the policy fetched over HTTPS with vouch/mtasts.h, its mode, max_age and
 * whether every MX host matches an mx pattern) and TLS-RPT (RFC 8460: the
 * _smtp._tls record and its rua URIs, vouch/tlsrpt.h).
 * BIMI (vouch/bimi.h): the record at <selector>._bimi (default), the
 * DMARC enforcement it needs, the l= logo fetched over HTTPS and checked
 * against the SVG Tiny PS profile, the a= mark certificate (VMC/CMC)
 * fetched and checked (chain to a given trust store, validity at the
 * context's clock, BIMI EKU, domain, logotype hash against the fetched
 * logo).
 * With options->smtp_probe, each MX host is also probed on port 25
 * (vouch_http_smtp_probe: STARTTLS and the certificate, checked against
 * the MX name that the MTA-STS mx patterns must match); the results and
 * findings belong to the MTA-STS area.
 * Not done here: the BIMI fallback to the organizational domain's record;
 * revocation of mark certificates.
 *
 * Everything a domain publishes is untrusted; DNS failures are findings,
 * not errors. Memory is bounded: every list has a cap below, and a
 * longer one is cut with a finding saying so.
 * Thread safety: vouch_audit_run() may run in many threads at once on a
 * shared context and resolver; a result belongs to one thread.
 */
#ifndef VOUCH_AUDIT_H
#define VOUCH_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bimi.h"
#include "common.h"
#include "dmarc.h"
#include "dns.h"
#include "error.h"
#include "http.h"
#include "mtasts.h"
#include "spf.h"
#include "tlsrpt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- limits -------------------------------------------------------------- */

#define VOUCH_AUDIT_FINDINGS_MAX   48  /* more are counted, not kept */
#define VOUCH_AUDIT_TEXT_MAX       320 /* explanation of a finding */
#define VOUCH_AUDIT_FIX_MAX        640 /* the record to publish */
#define VOUCH_AUDIT_RECORD_MAX     640 /* record text kept for display */
#define VOUCH_AUDIT_MX_MAX         16  /* MX hosts kept */
#define VOUCH_AUDIT_SPF_NODES_MAX  48  /* records in the SPF tree */
#define VOUCH_AUDIT_SPF_DEPTH_MAX  10  /* include/redirect nesting followed */
#define VOUCH_AUDIT_SPF_NETS_MAX   128 /* authorised networks kept */
#define VOUCH_AUDIT_SELECTORS_MAX  24  /* DKIM selectors tried */
#define VOUCH_AUDIT_SELECTOR_LEN   63  /* longest selector accepted */
#define VOUCH_AUDIT_PLAN_MAX       12  /* plan steps */
#define VOUCH_AUDIT_STS_MX_MAX     16  /* MTA-STS mx patterns kept */
#define VOUCH_AUDIT_URI_MAX        256 /* a TLS-RPT rua URI kept */
#define VOUCH_AUDIT_CONNECT_TO_MAX 8   /* https_connect_to entries */
/* DNS queries per domain (cache hits count); past it, checks stop with a
 * finding. Covers an SPF tree far over its limits plus discovery. */
#define VOUCH_AUDIT_QUERY_BUDGET 400

/* ---- areas, severities, findings -------------------------------------- */

typedef enum vouch_audit_area {
    VOUCH_AUDIT_MX = 0,
    VOUCH_AUDIT_SPF,
    VOUCH_AUDIT_DKIM,
    VOUCH_AUDIT_DMARC,
    VOUCH_AUDIT_MTASTS,
    VOUCH_AUDIT_TLSRPT,
    VOUCH_AUDIT_BIMI,
    VOUCH_AUDIT_DNSSEC,
    VOUCH_AUDIT_AREAS /* count */
} vouch_audit_area_t;

/* "mx", "spf", "dkim", "dmarc", "mtasts", "tlsrpt", "bimi", "dnssec" */
VOUCH_EXTERN const char *vouch_audit_area_name(vouch_audit_area_t a);

typedef enum vouch_audit_severity {
    VOUCH_AUDIT_INFO = 0,
    VOUCH_AUDIT_WARNING,
    VOUCH_AUDIT_ERROR,
    VOUCH_AUDIT_CRITICAL
} vouch_audit_severity_t;

/* "info", "warning", "error", "critical" */
VOUCH_EXTERN const char *vouch_audit_severity_name(vouch_audit_severity_t s);

typedef struct vouch_audit_finding {
    const char *id; /* stable, static: "spf-too-many-lookups" */
    vouch_audit_area_t area;
    vouch_audit_severity_t severity;
    char explanation[VOUCH_AUDIT_TEXT_MAX]; /* human text; DNS data escaped */
    char fix[VOUCH_AUDIT_FIX_MAX];          /* the record to publish or change,
                                               zone-file form; "" when none */
} vouch_audit_finding_t;

typedef enum vouch_audit_status {
    VOUCH_AUDIT_STATUS_OK = 0, /* nothing worse than info */
    VOUCH_AUDIT_STATUS_WARNING,
    VOUCH_AUDIT_STATUS_FAIL, /* an error or critical finding */
    VOUCH_AUDIT_STATUS_SKIPPED
} vouch_audit_status_t;

/* "ok", "warning", "fail", "skipped" */
VOUCH_EXTERN const char *vouch_audit_status_name(vouch_audit_status_t s);

typedef struct vouch_audit_area_result {
    vouch_audit_status_t status;
    int score;       /* 0..100; -1 when skipped */
    unsigned weight; /* in the overall score (docs/check.md) */
    char note[96];   /* why skipped; or "" */
} vouch_audit_area_result_t;

/* ---- per-area data --------------------------------------------------- */

typedef struct vouch_audit_mx_host {
    char name[VOUCH_DNS_NAME_MAX + 1];
    uint16_t pref;
    vouch_dns_status_t addr_status; /* A lookup of the host */
    /* DANE (RFC 7672): TLSA at _25._tcp.<name> */
    vouch_dns_status_t tlsa_status;
    unsigned tlsa_n;       /* TLSA records found */
    unsigned tlsa_bad;     /* of which malformed or unusable */
    vouch_dnssec_t dnssec; /* of the TLSA answer */
} vouch_audit_mx_host_t;

typedef struct vouch_audit_mx {
    vouch_dns_status_t status;
    bool null_mx;    /* RFC 7505 "0 ." */
    bool implicit;   /* no MX, but an address: RFC 5321 §5.1 implicit MX */
    bool sends_mail; /* receives or sends mail, from MX and SPF */
    size_t n;        /* hosts kept (sorted by preference) */
    size_t total;    /* MX records seen */
    vouch_audit_mx_host_t host[VOUCH_AUDIT_MX_MAX];
} vouch_audit_mx_t;

/* One record of the SPF tree (the domain's own record is node 0). */
typedef struct vouch_audit_spf_node {
    char domain[VOUCH_DNS_NAME_MAX + 1];
    int parent;      /* index of the including record; -1 for the root */
    unsigned depth;  /* 0 for the root */
    const char *via; /* "root", "include", "redirect" (static) */
    char record[VOUCH_AUDIT_RECORD_MAX + 1]; /* escaped; "..." if cut */
    unsigned lookups;      /* DNS-querying terms in this record */
    unsigned void_lookups; /* void lookups of this record's terms */
    unsigned tree_lookups; /* this record and all below it */
    unsigned tree_void;    /* same for void lookups */
    char error[160];       /* "" or what is wrong with this record */
} vouch_audit_spf_node_t;

typedef struct vouch_audit_spf {
    size_t nrecords; /* v=spf1 TXT records at the domain */
    char record[VOUCH_AUDIT_RECORD_MAX + 1];
    size_t record_len; /* bytes of the record as published */
    size_t nstrings;   /* character-strings it was split into */
    char all[12];      /* "-all", "~all", "?all", "+all", "redirect", "" */
    unsigned lookups;  /* DNS-querying terms over the whole tree */
    unsigned void_lookups;
    size_t nnodes;
    vouch_audit_spf_node_t node[VOUCH_AUDIT_SPF_NODES_MAX];
    /* networks authorised: ip4/ip6 terms, a and mx expanded */
    size_t nnets;
    bool nets_truncated; /* more than VOUCH_AUDIT_SPF_NETS_MAX */
    bool nets_partial;   /* some terms could not be expanded (macros,
                            exists, ptr, DNS failures) */
    char nets[VOUCH_AUDIT_SPF_NETS_MAX][VOUCH_IP_STRLEN + 4];
    /* the evaluator's view (vouch_spf_check from 192.0.2.1, a TEST-NET
     * address no sane record authorises): permerror shows limits hit */
    vouch_spf_code_t eval;
    unsigned eval_lookups, eval_void;
    char eval_reason[200];
} vouch_audit_spf_t;

typedef struct vouch_audit_selector {
    char name[VOUCH_AUDIT_SELECTOR_LEN + 1];
    bool given;           /* from options->selectors, else discovered */
    bool found;           /* a TXT record was there */
    bool usable;          /* a key that verifies signatures */
    const char *key_type; /* "rsa", "ed25519", or "" (static) */
    unsigned key_bits;
    bool testing; /* t=y */
    bool revoked; /* p= empty */
    vouch_dnssec_t dnssec;
    char error[160]; /* "" or the problem */
} vouch_audit_selector_t;

typedef struct vouch_audit_dkim {
    size_t n; /* selectors tried */
    vouch_audit_selector_t sel[VOUCH_AUDIT_SELECTORS_MAX];
    size_t nfound; /* of which found */
} vouch_audit_dkim_t;

typedef struct vouch_audit_dmarc {
    bool found;
    char policy_domain[VOUCH_DNS_NAME_MAX + 1]; /* where it was found */
    char org_domain[VOUCH_DNS_NAME_MAX + 1];
    size_t nrecords; /* v=DMARC1 records at _dmarc.<policy_domain> */
    char record[VOUCH_AUDIT_RECORD_MAX + 1];
    vouch_dmarc_record_t rec;            /* parsed (9989 mode) */
    vouch_dmarc_policy_t policy, sp, np; /* effective, after defaults */
    vouch_dmarc_dest_t rua_dest[VOUCH_DMARC_URIS_MAX];
    vouch_dmarc_dest_t ruf_dest[VOUCH_DMARC_URIS_MAX];
} vouch_audit_dmarc_t;

typedef struct vouch_audit_dnssec {
    vouch_dnssec_t state; /* weakest over the answers the audit used */
    unsigned secure, insecure, bogus; /* answers seen of each */
    bool dane;                        /* some MX host publishes TLSA */
} vouch_audit_dnssec_t;

/* The SMTP probe of one MX host (options->smtp_probe). */
typedef struct vouch_audit_smtp_probe {
    char host[VOUCH_DNS_NAME_MAX + 1]; /* the MX name, without final dot */
    bool probed; /* false: not probed (the domain's time limit) */
    vouch_http_smtp_result_t r; /* when probed */
} vouch_audit_smtp_probe_t;

/* MTA-STS (RFC 8461). */
typedef struct vouch_audit_mtasts {
    vouch_dns_status_t dns; /* of the _mta-sts TXT query */
    size_t nrecords;        /* TXT records starting "v=STSv1" */
    char record[VOUCH_AUDIT_RECORD_MAX + 1]; /* the one record, escaped */
    bool record_ok;                          /* it parsed: id is valid */
    char id[VOUCH_MTASTS_ID_MAX + 1];
    /* the policy fetch: not tried without a usable record or with
     * options->no_fetch */
    bool fetched;
    vouch_mtasts_fetch_status_t fetch;      /* when fetched */
    char fetch_reason[VOUCH_ERROR_MSG_MAX]; /* "" when OK */
    size_t fetch_line;                      /* policy syntax: line */
    char url[VOUCH_DNS_NAME_MAX + 64];
    /* the policy (when the fetch was OK) */
    bool have_policy;
    vouch_mtasts_mode_t mode;
    uint32_t max_age;
    size_t nmx; /* patterns kept */
    size_t mx_total;
    char mx[VOUCH_AUDIT_STS_MX_MAX][VOUCH_DNS_NAME_MAX + 1];
    /* every MX host (of vouch_audit_mx_t) matches a pattern; per host */
    bool mx_covered;
    bool host_covered[VOUCH_AUDIT_MX_MAX];
    /* SMTP probes (options->smtp_probe), in the order of the MX hosts (the
     * domain itself for an implicit MX); 0 without probes */
    size_t nprobes;
    vouch_audit_smtp_probe_t probe[VOUCH_AUDIT_MX_MAX];
} vouch_audit_mtasts_t;

/* TLS-RPT (RFC 8460). */
typedef struct vouch_audit_tlsrpt {
    vouch_dns_status_t dns; /* of the _smtp._tls TXT query */
    size_t nrecords;        /* TXT records starting "v=TLSRPTv1" */
    char record[VOUCH_AUDIT_RECORD_MAX + 1]; /* escaped; "" when none */
    bool valid;                              /* exactly one, and it parsed */
    size_t nrua;
    char rua[VOUCH_TLSRPT_RUA_MAX][VOUCH_AUDIT_URI_MAX]; /* escaped */
    char error[VOUCH_ERROR_MSG_MAX];                     /* "" or why */
} vouch_audit_tlsrpt_t;

/* What came of an HTTPS fetch of the BIMI area. */
typedef enum vouch_audit_fetch {
    VOUCH_AUDIT_FETCH_NONE = 0,    /* nothing to fetch (no URL, no record) */
    VOUCH_AUDIT_FETCH_NOT_FETCHED, /* options->no_fetch or the time limit */
    VOUCH_AUDIT_FETCH_OK,          /* status 200, body within the cap */
    VOUCH_AUDIT_FETCH_HTTP_STATUS, /* another status (3xx not followed) */
    VOUCH_AUDIT_FETCH_CERTIFICATE, /* the server's certificate */
    VOUCH_AUDIT_FETCH_TIMEOUT,     /* connect or transfer timeout */
    VOUCH_AUDIT_FETCH_TOO_BIG,     /* body over the cap */
    VOUCH_AUDIT_FETCH_NETWORK      /* resolve, connect, TLS, protocol */
} vouch_audit_fetch_t;

/* "none", "not-fetched", "ok", "http-status", "certificate", "timeout",
 * "too-big", "network" */
VOUCH_EXTERN const char *vouch_audit_fetch_name(vouch_audit_fetch_t f);

/* One fetch of the BIMI area (the logo or the mark certificate). */
typedef struct vouch_audit_bimi_fetch {
    char url[VOUCH_BIMI_URI_MAX + 1]; /* from the record; "" when none */
    vouch_audit_fetch_t fetch;
    long http_status;                 /* 0 when no response */
    char content_type[64];            /* as sent, escaped; "" when none */
    size_t bytes;                     /* body size when fetched */
    char reason[VOUCH_ERROR_MSG_MAX]; /* why the fetch failed; "" when ok */
} vouch_audit_bimi_fetch_t;

/* BIMI (draft-brand-indicators-for-message-identification). */
typedef struct vouch_audit_bimi {
    char selector[VOUCH_AUDIT_SELECTOR_LEN + 1]; /* "default" unless set */
    vouch_dns_status_t dns; /* of the <selector>._bimi TXT query */
    size_t nrecords;        /* TXT records starting "v=" */
    char record[VOUCH_AUDIT_RECORD_MAX + 1]; /* the first, escaped */
    bool record_ok;                          /* exactly one, and it parsed */
    bool declined;                           /* l= and a= empty */
    bool dmarc_enforces; /* p=quarantine|reject, pct=100, no t=y, sp */
    /* the l= indicator: fetched when the record is usable, not declined
     * and l= is not empty */
    vouch_audit_bimi_fetch_t logo;
    bool logo_checked;    /* the SVG check ran (fetch OK) */
    bool logo_valid;      /* no finding of the SVG Tiny PS check */
    size_t logo_findings; /* SVG findings (dropped ones included) */
    uint8_t logo_sha256[32];
    /* the a= mark certificate */
    vouch_audit_bimi_fetch_t vmc;
    bool vmc_checked;       /* the certificate check ran (fetch OK) */
    bool vmc_chain_checked; /* against options->bimi_trust */
    bool vmc_valid;         /* checked, chain included, and no finding */
    bool vmc_chain_ok, vmc_time_ok, vmc_eku_ok, vmc_domain_ok;
    bool vmc_logo_found; /* an SVG in the logotype extension */
    bool vmc_svg_match;  /* it is the fetched logo, byte for byte */
    unsigned vmc_ncerts;
    char vmc_subject[160];                 /* leaf subject, escaped */
    int64_t vmc_not_before, vmc_not_after; /* leaf validity, epoch s */
    size_t vmc_findings; /* certificate findings (dropped included) */
} vouch_audit_bimi_t;

typedef struct vouch_audit_step {
    unsigned order; /* 1, 2, ... */
    vouch_audit_area_t area;
    char text[VOUCH_AUDIT_TEXT_MAX];
    char record[VOUCH_AUDIT_FIX_MAX]; /* what to publish; "" none */
} vouch_audit_step_t;

/* The audit of one domain. Allocated by vouch_audit_run(). */
typedef struct vouch_audit_result {
    char domain[VOUCH_DNS_NAME_MAX + 1]; /* normalised (A-labels) */
    int score;                           /* 0..100 */
    char grade;                          /* 'A' .. 'F' */
    vouch_audit_area_result_t area[VOUCH_AUDIT_AREAS];
    vouch_audit_mx_t mx;
    vouch_audit_spf_t spf;
    vouch_audit_dkim_t dkim;
    vouch_audit_dmarc_t dmarc;
    vouch_audit_mtasts_t mtasts;
    vouch_audit_tlsrpt_t tlsrpt;
    vouch_audit_bimi_t bimi;
    vouch_audit_dnssec_t dnssec;
    size_t nfindings;
    size_t findings_dropped;
    vouch_audit_finding_t finding[VOUCH_AUDIT_FINDINGS_MAX];
    size_t nsteps;
    vouch_audit_step_t step[VOUCH_AUDIT_PLAN_MAX];
    unsigned queries;       /* DNS queries made */
    const vouch_ctx_t *ctx; /* retained: allocator */
} vouch_audit_result_t;

/* ---- running ----------------------------------------------------------- */

typedef struct vouch_audit_options {
    unsigned version; /* 1 */
    /* DKIM selectors to look at (borrowed for the call); may be NULL */
    const char *const *selectors;
    size_t nselectors;
    /* also try the well-known selectors of big providers (google,
     * selector1, selector2, k1, s1, s2, default, dkim, mail, ...) */
    bool discovery;
    /* wall-clock cap on one domain, milliseconds; 0: 30000 */
    unsigned timeout_ms;
    /* do not fetch over HTTPS: neither the MTA-STS policy nor the BIMI
     * logo and mark certificate (the areas then judge the TXT records
     * only and say so); bulk runs use it */
    bool no_fetch;
    /* PEM file of CAs trusted for the HTTPS fetches (MTA-STS policy, BIMI
     * logo and certificate) instead of the system store
     * (vouch_http_options_t.ca_file); NULL: the system store */
    const char *https_ca;
    /* connect-to mappings "HOST:PORT:ADDR:PORT" (borrowed; at most
     * VOUCH_AUDIT_CONNECT_TO_MAX): the fetch of https://H/ uses the first
     * whose HOST is empty or H (ASCII case-insensitive) and whose PORT is
     * empty or 443; without one, H is resolved through the audit's
     * resolver, never the system's */
    const char *const *https_connect_to;
    size_t nconnect_to;
    /* BIMI selector (borrowed; a DNS label, at most
     * VOUCH_AUDIT_SELECTOR_LEN): the record is <selector>._bimi.<domain>;
     * NULL: "default" */
    const char *bimi_selector;
    /* PEM file of the trust anchors for mark certificates (e.g. the BIMI
     * Group's list of VMC/CMC issuers); NULL: the chain is not checked
     * and a finding says so. The https_ca and connect-to options apply to
     * the BIMI fetches as to the MTA-STS one; no_fetch skips them. */
    const char *bimi_trust;
    /* probe every MX host (at most VOUCH_AUDIT_MX_MAX, one after another)
     * on port 25: STARTTLS, and the certificate checked against the MX
     * name (vouch_http_smtp_probe). https_ca is the trust store here too;
     * the connect-to mapping is the first of https_connect_to whose HOST
     * is empty or the MX name and whose PORT is empty or 25; without one
     * the MX name is resolved through the audit's resolver */
    bool smtp_probe;
    /* time for one probe, ms; 0: 10000. Probes stop at timeout_ms for the
     * domain (hosts left are reported as not probed) */
    unsigned smtp_timeout_ms;
    /* the probes' EHLO name (borrowed; vouch_http_ehlo_ok); NULL: the
     * local host name */
    const char *smtp_ehlo;
} vouch_audit_options_t;

#define VOUCH_AUDIT_OPTIONS_INIT                                               \
    {                                                                          \
        1, NULL, 0, true, 0, false, NULL, NULL, 0, NULL, NULL, false, 0, NULL  \
    }

/*
 * Audit domain (len bytes, not NUL-terminated; U-labels are turned into
 * A-labels). opts may be NULL (defaults).
 * Returns 0 and a result in *out (every DNS failure is a finding);
 * VOUCH_ESYNTAX (not a domain name: IP literal, empty label, too long,
 * bad IDNA; err says why; *out NULL); VOUCH_EINVAL (NULL pointers, bad
 * options version, a DKIM or BIMI selector that is not a DNS label, an
 * smtp_ehlo that is not a DNS name, more than
 * VOUCH_AUDIT_CONNECT_TO_MAX connect-to mappings or one that is not
 * HOST:PORT:ADDR:PORT); VOUCH_ENOMEM.
 * Free the result with vouch_audit_result_free(). Thread-safe.
 */
VOUCH_EXTERN int vouch_audit_run(vouch_audit_result_t **out,
                                 const vouch_ctx_t *ctx,
                                 vouch_resolver_t *resolver,
                                 const vouch_audit_options_t *opts,
                                 const char *domain, size_t len,
                                 vouch_error_t *err) VOUCH_WARN_UNUSED;

/* Free a result. NULL is a no-op. */
VOUCH_EXTERN void vouch_audit_result_free(vouch_audit_result_t *res);

/* The well-known DKIM selectors tried by discovery, NULL-terminated
 * (static). */
VOUCH_EXTERN const char *const *vouch_audit_discovery_selectors(void);

/* Whether s (NUL-terminated) is a selector the audit takes (a DKIM
 * selector or the BIMI selector): DNS labels (letters, digits, hyphens,
 * underscores, dots between labels) of at most VOUCH_AUDIT_SELECTOR_LEN
 * bytes. */
VOUCH_EXTERN bool vouch_audit_selector_ok(const char *s);

#ifdef __cplusplus
}
#endif

#endif
