/* SPDX-License-Identifier: MIT */
/*
 * audit/audit_internal.h - what the audit files share: the state of one
 * domain's audit (context, resolver, query budget, result), the query
 * wrapper that records DNSSEC states, and findings.
 */
#ifndef VOUCH_AUDIT_INTERNAL_H
#define VOUCH_AUDIT_INTERNAL_H

#include "vouch/audit.h"
#include "../core/internal.h"
#include "../dns/dns_internal.h"

/* One domain's audit in progress. */
typedef struct audit {
    const vouch_ctx_t *ctx;
    vouch_resolver_t *resolver;
    vouch_dns_budget_t budget;
    const vouch_audit_options_t *opts;
    vouch_audit_result_t *res;
    bool budget_spent; /* a finding about it was made */
    int fatal;         /* VOUCH_ENOMEM: stop */
} audit_t;

/*
 * Query (name, type) within the budget. Returns the answer (any status;
 * the caller frees it), or NULL when no query could be made (budget spent,
 * deadline, not a valid name, no memory): a finding is made for the first
 * two, a->fatal set for the last. Counts the answer's DNSSEC state.
 */
VOUCH_HIDDEN const vouch_dns_answer_t *
vouch__audit_query(audit_t *a, const char *name, uint16_t type);

/* Did the query fail (SERVFAIL, TIMEOUT, REFUSED)? */
VOUCH_HIDDEN bool vouch__audit_dns_failed(vouch_dns_status_t s);

/* The DMARC record of the organizational domain found by the DMARC area
 * (the first candidate at _dmarc.<org_domain>, parsed in RFC 9989 mode)
 * into *rec: true, or false when there is none, it does not parse or the
 * query could not be made. */
VOUCH_HIDDEN bool vouch__audit_dmarc_org(audit_t *a, vouch_dmarc_record_t *rec);

/* An HTTPS fetch (MTA-STS policy, BIMI logo or certificate) gets at most
 * AUDIT_FETCH_MS, less when the domain's time runs short; with less than
 * AUDIT_FETCH_MIN_MS left none starts. */
#define AUDIT_FETCH_MS     10000
#define AUDIT_FETCH_MIN_MS 500

/* Milliseconds a fetch may take now (above); 0: too little time left to
 * start one. */
VOUCH_HIDDEN unsigned vouch__audit_fetch_ms(const audit_t *a);

/* Mark area skipped, with why as its note. */
VOUCH_HIDDEN void vouch__audit_skip(vouch_audit_result_t *res,
                                    vouch_audit_area_t area, const char *why);

/*
 * Add a finding. fix may be NULL (none); fmt is the explanation. Past
 * VOUCH_AUDIT_FINDINGS_MAX findings are counted in findings_dropped.
 */
VOUCH_HIDDEN void vouch__audit_finding(audit_t *a, vouch_audit_area_t area,
                                       vouch_audit_severity_t sev,
                                       const char *id, const char *fix,
                                       const char *fmt, ...) VOUCH_PRINTF(6, 7);

/*
 * Write "owner. IN TXT ..." with value cut into quoted strings of at most
 * 255 bytes (RFC 1035 §3.3) into out. Returns false (out "") when it does
 * not fit cap.
 */
VOUCH_HIDDEN bool vouch__audit_txt_fix(char *out, size_t cap, const char *owner,
                                       const char *value);

/*
 * The connect-to mapping of opts for https://host:port/, or NULL: the
 * first entry whose HOST is empty or host (ASCII case ignored) and whose
 * PORT is empty or port.
 */
VOUCH_HIDDEN const char *vouch__audit_connect_to(const vouch_audit_options_t *o,
                                                 const char *host,
                                                 const char *port);

/* The checks, in the order run (each in its own file). */
VOUCH_HIDDEN void vouch__audit_mx(audit_t *a);
VOUCH_HIDDEN void vouch__audit_spf(audit_t *a);
VOUCH_HIDDEN void vouch__audit_dkim(audit_t *a);
VOUCH_HIDDEN void vouch__audit_dmarc(audit_t *a);
VOUCH_HIDDEN void vouch__audit_dane(audit_t *a);
/* MTA-STS and TLS-RPT (sts.c); after the MX area and DANE. */
VOUCH_HIDDEN void vouch__audit_sts(audit_t *a);
/* BIMI record, DMARC enforcement, logo and mark certificate (bimi.c);
 * after DMARC. */
VOUCH_HIDDEN void vouch__audit_bimi(audit_t *a);
/* SMTP STARTTLS probes of the MX hosts (smtp.c); after sts.c, whose
 * policy mode sets the severities. */
VOUCH_HIDDEN void vouch__audit_smtp(audit_t *a);

/* Scores, grade and plan from the findings (grade.c). */
VOUCH_HIDDEN void vouch__audit_grade(audit_t *a);

#endif
