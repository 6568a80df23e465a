/* SPDX-License-Identifier: MIT */
/*
 * audit/audit.c - running one domain's audit: name normalisation, the
 * query wrapper (budget, deadline, DNSSEC bookkeeping), findings, and the
 * order of the checks. The checks live in mx.c, spf.c, dkim.c, dmarc.c,
 * sts.c, smtp.c, bimi.c; scores, grade and plan in grade.c.
 *
 * Invariants: a result is filled even when DNS fails everywhere (failures
 * are findings); the only errors are a bad domain, bad options and
 * ENOMEM. Every query goes through one budget, so a hostile SPF tree or
 * a slow resolver cannot make one domain run for ever.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vouch/address.h"
#include "audit_internal.h"

/* A whole domain: 30 s of wall clock unless the caller says otherwise. */
#define AUDIT_TIMEOUT_MS 30000

static const char *const area_names[VOUCH_AUDIT_AREAS] = {
    "mx", "spf", "dkim", "dmarc", "mtasts", "tlsrpt", "bimi", "dnssec",
};

const char *
vouch_audit_area_name(vouch_audit_area_t a)
{
    return (unsigned)a < VOUCH_AUDIT_AREAS ? area_names[a] : "unknown";
}

const char *
vouch_audit_severity_name(vouch_audit_severity_t s)
{
    static const char *const names[] = { "info", "warning", "error",
                                         "critical" };

    return (unsigned)s < VOUCH_ARRAY_LEN(names) ? names[s] : "unknown";
}

const char *
vouch_audit_status_name(vouch_audit_status_t s)
{
    static const char *const names[] = { "ok", "warning", "fail", "skipped" };

    return (unsigned)s < VOUCH_ARRAY_LEN(names) ? names[s] : "unknown";
}

/* Selectors of big senders (published conventions): Google Workspace,
 * Microsoft 365, Mailchimp/Mandrill, Amazon SES, generic defaults. */
static const char *const discovery[] = {
    "google",   "selector1",     "selector2", "k1",   "k2",   "s1",
    "s2",       "default",       "dkim",      "mail", "smtp", "mxvault",
    "mandrill", "everlytickey1", "zoho",      "sig1", NULL,
};

const char *const *
vouch_audit_discovery_selectors(void)
{
    return discovery;
}

bool
vouch__audit_dns_failed(vouch_dns_status_t s)
{
    return s == VOUCH_DNS_SERVFAIL || s == VOUCH_DNS_TIMEOUT ||
           s == VOUCH_DNS_REFUSED;
}

/* see audit_internal.h */
const char *
vouch__audit_connect_to(const vouch_audit_options_t *o, const char *host,
                        const char *port)
{
    size_t i, hl = strlen(host), pl = strlen(port);

    for (i = 0; i < o->nconnect_to; i++) {
        const char *m = o->https_connect_to[i];
        const char *c1 = strchr(m, ':'), *c2;
        size_t n, k;
        bool same = true;

        if (c1 == NULL || (c2 = strchr(c1 + 1, ':')) == NULL) {
            continue;
        }
        n = (size_t)(c1 - m);
        if (n != 0) {
            same = n == hl;
            for (k = 0; same && k < n; k++) {
                same = vouch__lower(m[k]) == vouch__lower(host[k]);
            }
        }
        if (same && (c2 == c1 + 1 || ((size_t)(c2 - c1 - 1) == pl &&
                                      memcmp(c1 + 1, port, pl) == 0))) {
            return m;
        }
    }
    return NULL;
}

void
vouch__audit_finding(audit_t *a, vouch_audit_area_t area,
                     vouch_audit_severity_t sev, const char *id,
                     const char *fix, const char *fmt, ...)
{
    vouch_audit_result_t *res = a->res;
    vouch_audit_finding_t *f;
    va_list ap;

    if (res->nfindings == VOUCH_AUDIT_FINDINGS_MAX) {
        res->findings_dropped++;
        return;
    }
    f = &res->finding[res->nfindings++];
    f->id = id;
    f->area = area;
    f->severity = sev;
    va_start(ap, fmt);
    (void)vsnprintf(f->explanation, sizeof(f->explanation), fmt, ap);
    va_end(ap);
    (void)snprintf(f->fix, sizeof(f->fix), "%s", fix != NULL ? fix : "");
}

const vouch_dns_answer_t *
vouch__audit_query(audit_t *a, const char *name, uint16_t type)
{
    const vouch_dns_answer_t *ans = NULL;
    vouch_audit_dnssec_t *d = &a->res->dnssec;
    vouch_error_t err;
    int rc;

    if (a->fatal != 0) {
        return NULL;
    }
    vouch_error_clear(&err);
    rc = vouch_dns_query(a->resolver, &a->budget, name, strlen(name), type,
                         &ans, &err);
    if (rc == VOUCH_ENOMEM) {
        a->fatal = rc;
        return NULL;
    }
    if (rc == VOUCH_ETOOBIG || rc == VOUCH_ETEMP) {
        if (!a->budget_spent) {
            a->budget_spent = true;
            vouch__audit_finding(
                a, VOUCH_AUDIT_DNSSEC, VOUCH_AUDIT_ERROR, "dns-budget", NULL,
                "the audit stopped querying DNS (%s): later checks are "
                "incomplete",
                rc == VOUCH_ETOOBIG ? "query budget spent" : "time limit");
        }
        return NULL;
    }
    if (rc != 0) {
        return NULL; /* not a valid name: the caller reports it */
    }
    a->res->queries++;
    switch (ans->dnssec) {
    case VOUCH_DNSSEC_SECURE:
        d->secure++;
        break;
    case VOUCH_DNSSEC_BOGUS:
        d->bogus++;
        break;
    default:
        d->insecure++;
        break;
    }
    return ans;
}

/* see audit_internal.h */
unsigned
vouch__audit_fetch_ms(const audit_t *a)
{
    int64_t left;

    if (a->budget.deadline_ms == 0) {
        return AUDIT_FETCH_MS;
    }
    left = a->budget.deadline_ms - vouch_dns_monotonic_ms();
    if (left < AUDIT_FETCH_MIN_MS) {
        return 0;
    }
    return left > AUDIT_FETCH_MS ? AUDIT_FETCH_MS : (unsigned)left;
}

/* see audit_internal.h */
void
vouch__audit_skip(vouch_audit_result_t *res, vouch_audit_area_t area,
                  const char *why)
{
    res->area[area].status = VOUCH_AUDIT_STATUS_SKIPPED;
    (void)snprintf(res->area[area].note, sizeof(res->area[area].note), "%s",
                   why);
}

/* see vouch/audit.h */
bool
vouch_audit_selector_ok(const char *s)
{
    size_t i, n = strlen(s);

    if (n == 0 || n > VOUCH_AUDIT_SELECTOR_LEN || s[0] == '.' ||
        s[n - 1] == '.') {
        return false;
    }
    for (i = 0; i < n; i++) {
        char c = s[i];

        if (!(vouch__is_alnum(c) || c == '-' || c == '_' ||
              (c == '.' && s[i + 1] != '.'))) {
            return false;
        }
    }
    return true;
}

/* A connect-to mapping: HOST:PORT:ADDR:PORT, printable, at most 255
 * bytes (HOST and PORT may be empty; ADDR may be a bracketed IPv6). */
static bool
mapping_ok(const char *m)
{
    size_t i, colons = 0;

    if (m == NULL) {
        return false;
    }
    for (i = 0; m[i] != '\0'; i++) {
        if (!vouch__is_vchar((unsigned char)m[i]) || i >= 255) {
            return false;
        }
        colons += m[i] == ':';
    }
    return colons >= 3;
}

static void
dnssec_summary(audit_t *a)
{
    vouch_audit_dnssec_t *d = &a->res->dnssec;

    if (d->bogus > 0) {
        d->state = VOUCH_DNSSEC_BOGUS;
        vouch__audit_finding(
            a, VOUCH_AUDIT_DNSSEC, VOUCH_AUDIT_CRITICAL, "dnssec-bogus", NULL,
            "%u DNS answers failed DNSSEC validation (bogus): resolvers "
            "that validate see this domain as broken",
            d->bogus);
    } else if (d->secure > 0 && d->insecure == 0) {
        d->state = VOUCH_DNSSEC_SECURE;
    } else {
        d->state = VOUCH_DNSSEC_INSECURE;
        if (d->secure == 0) {
            vouch__audit_finding(
                a, VOUCH_AUDIT_DNSSEC, VOUCH_AUDIT_WARNING, "dnssec-unsigned",
                NULL,
                "no answer was DNSSEC-validated (the zone is not signed, or "
                "the resolver has no trust anchor): DANE cannot be used and "
                "records can be spoofed");
        } else {
            vouch__audit_finding(
                a, VOUCH_AUDIT_DNSSEC, VOUCH_AUDIT_WARNING, "dnssec-partial",
                NULL,
                "%u answers were secure but %u insecure: some names the "
                "mail setup depends on are not signed",
                d->secure, d->insecure);
        }
    }
}

int
vouch_audit_run(vouch_audit_result_t **out, const vouch_ctx_t *ctx,
                vouch_resolver_t *resolver, const vouch_audit_options_t *opts,
                const char *domain, size_t len, vouch_error_t *err)
{
    static const vouch_audit_options_t defaults = VOUCH_AUDIT_OPTIONS_INIT;
    vouch_audit_result_t *res;
    audit_t a;
    size_t i;
    int rc;

    if (out != NULL) {
        *out = NULL;
    }
    if (out == NULL || ctx == NULL || resolver == NULL || domain == NULL) {
        return vouch__error(err, VOUCH_EINVAL, "audit", 0, "NULL argument");
    }
    if (opts == NULL) {
        opts = &defaults;
    }
    if (opts->version != 1 || (opts->nselectors > 0 && !opts->selectors)) {
        return vouch__error(err, VOUCH_EINVAL, "audit", 0, "bad options");
    }
    if (opts->nselectors > VOUCH_AUDIT_SELECTORS_MAX) {
        return vouch__error(err, VOUCH_EINVAL, "audit", 0,
                            "more than %d selectors",
                            VOUCH_AUDIT_SELECTORS_MAX);
    }
    if (opts->nconnect_to > VOUCH_AUDIT_CONNECT_TO_MAX ||
        (opts->nconnect_to > 0 && opts->https_connect_to == NULL)) {
        return vouch__error(err, VOUCH_EINVAL, "audit", 0,
                            "at most %d connect-to mappings",
                            VOUCH_AUDIT_CONNECT_TO_MAX);
    }
    for (i = 0; i < opts->nconnect_to; i++) {
        if (!mapping_ok(opts->https_connect_to[i])) {
            return vouch__error(err, VOUCH_EINVAL, "audit", 0,
                                "connect-to %zu is not HOST:PORT:ADDR:PORT",
                                i + 1);
        }
    }
    for (i = 0; i < opts->nselectors; i++) {
        if (!vouch_audit_selector_ok(opts->selectors[i])) {
            return vouch__error(err, VOUCH_EINVAL, "audit", 0,
                                "selector %zu is not a DNS label", i + 1);
        }
    }
    if (opts->bimi_selector != NULL &&
        !vouch_audit_selector_ok(opts->bimi_selector)) {
        return vouch__error(err, VOUCH_EINVAL, "audit", 0,
                            "the BIMI selector is not a DNS label");
    }
    if (opts->smtp_ehlo != NULL && !vouch_http_ehlo_ok(opts->smtp_ehlo)) {
        return vouch__error(err, VOUCH_EINVAL, "audit", 0,
                            "the EHLO name is not a DNS name");
    }
    res = vouch__calloc(ctx, 1, sizeof(*res));
    if (res == NULL) {
        return vouch__error(err, VOUCH_ENOMEM, "audit", 0, "out of memory");
    }
    res->ctx = ctx;
    rc = vouch_domain_normalize(res->domain, domain, len, err);
    if (rc != 0) {
        vouch__free(ctx, res);
        return rc;
    }
    memset(&a, 0, sizeof(a));
    a.ctx = ctx;
    a.resolver = resolver;
    a.opts = opts;
    a.res = res;
    vouch_dns_budget_init(&a.budget, VOUCH_AUDIT_QUERY_BUDGET,
                          opts->timeout_ms != 0 ? opts->timeout_ms
                                                : AUDIT_TIMEOUT_MS);
    vouch__audit_mx(&a);
    vouch__audit_spf(&a);
    vouch__audit_dkim(&a);
    vouch__audit_dmarc(&a);
    vouch__audit_dane(&a);
    vouch__audit_sts(&a);
    /* BIMI before the SMTP probes: its fetches are capped, while probes of
     * silent MX hosts may use what is left of the domain's time */
    vouch__audit_bimi(&a);
    vouch__audit_smtp(&a);
    dnssec_summary(&a);
    if (a.fatal != 0) {
        vouch__free(ctx, res);
        return vouch__error(err, a.fatal, "audit", 0, "out of memory");
    }
    vouch__audit_grade(&a);
    *out = res;
    return 0;
}

void
vouch_audit_result_free(vouch_audit_result_t *res)
{
    if (res != NULL) {
        vouch__free(res->ctx, res);
    }
}

bool
vouch__audit_txt_fix(char *out, size_t cap, const char *owner,
                     const char *value)
{
    size_t o, i, start = 0, n = strlen(value);
    int w;

    w = snprintf(out, cap, "%s. IN TXT %s", owner, n > 255 ? "( " : "");
    if (w < 0 || (size_t)w >= cap) {
        out[0] = '\0';
        return false;
    }
    o = (size_t)w;
    do {
        /* one character-string: at most 255 bytes before escaping */
        size_t end = n - start > 255 ? start + 255 : n;

        if (o + 2 * (end - start) + 8 > cap) {
            out[0] = '\0';
            return false;
        }
        if (start > 0) {
            out[o++] = ' ';
        }
        out[o++] = '"';
        for (i = start; i < end; i++) {
            if (value[i] == '"' || value[i] == '\\') {
                out[o++] = '\\';
            }
            out[o++] = value[i];
        }
        out[o++] = '"';
        start = end;
    } while (start < n);
    if (n > 255) {
        out[o++] = ' ';
        out[o++] = ')';
    }
    out[o] = '\0';
    return true;
}
