/* SPDX-License-Identifier: MIT */
/*
 * audit/bimi.c - the BIMI area (draft-brand-indicators-for-message-
 * identification): the assertion record at <selector>._bimi.<domain>
 * (none, several, syntax, declination), the DMARC enforcement BIMI
 * requires, then, unless the options say no_fetch, the l= logo and the
 * a= mark certificate fetched over HTTPS (vouch/http.h: https only, a
 * valid server certificate, no redirect followed, a body cap, the audit's
 * resolver or a connect-to mapping, never the system resolver, and no
 * more time than the domain has left) and judged with vouch/bimi.h: the
 * SVG Tiny PS profile, and the certificate's chain (to options->
 * bimi_trust; without one a finding says it was not checked), validity
 * at the context's clock, BIMI EKU, domain and logotype hash against the
 * fetched logo bytes.
 *
 * The checker findings are grouped by code (one audit finding per code,
 * with the first detail and the count), so a logo with a hundred stray
 * attributes cannot crowd out the rest of the audit.
 * Not done here: the fallback to the organizational domain's record, the
 * BIMI-Selector header, revocation and CT checks of the certificate.
 */
#include <stdio.h>
#include <string.h>

#include "audit_internal.h"
#include "vouch/http.h"

/* ---- names ----------------------------------------------------------------
 */

const char *
vouch_audit_fetch_name(vouch_audit_fetch_t f)
{
    static const char *const names[] = {
        "none",        "not-fetched", "ok",      "http-status",
        "certificate", "timeout",     "too-big", "network",
    };

    return (unsigned)f < VOUCH_ARRAY_LEN(names) ? names[f] : "unknown";
}

/* Finding ids of the fetch failures, by vouch_audit_fetch_t. */
static const char *const logo_fetch_ids[] = {
    [VOUCH_AUDIT_FETCH_HTTP_STATUS] = "bimi-logo-fetch-status",
    [VOUCH_AUDIT_FETCH_CERTIFICATE] = "bimi-logo-fetch-certificate",
    [VOUCH_AUDIT_FETCH_TIMEOUT] = "bimi-logo-fetch-timeout",
    [VOUCH_AUDIT_FETCH_TOO_BIG] = "bimi-logo-fetch-too-big",
    [VOUCH_AUDIT_FETCH_NETWORK] = "bimi-logo-fetch-network",
};

static const char *const vmc_fetch_ids[] = {
    [VOUCH_AUDIT_FETCH_HTTP_STATUS] = "bimi-vmc-fetch-status",
    [VOUCH_AUDIT_FETCH_CERTIFICATE] = "bimi-vmc-fetch-certificate",
    [VOUCH_AUDIT_FETCH_TIMEOUT] = "bimi-vmc-fetch-timeout",
    [VOUCH_AUDIT_FETCH_TOO_BIG] = "bimi-vmc-fetch-too-big",
    [VOUCH_AUDIT_FETCH_NETWORK] = "bimi-vmc-fetch-network",
};

/* How each checker code becomes an audit finding: id, severity and what
 * to do about it. */
typedef struct rule {
    vouch_bimi_code_t code;
    const char *id;
    vouch_audit_severity_t sev;
    const char *advice;
} rule_t;

static const rule_t rules[] = {
    { VOUCH_BIMI_SVG_TOO_BIG, "bimi-svg-too-big", VOUCH_AUDIT_ERROR,
      "keep the file under 32 KiB" },
    { VOUCH_BIMI_SVG_NOT_XML, "bimi-svg-not-xml", VOUCH_AUDIT_ERROR,
      "serve a well-formed XML file" },
    { VOUCH_BIMI_SVG_DOCTYPE, "bimi-svg-doctype", VOUCH_AUDIT_ERROR,
      "remove the entity declarations (or the whole DOCTYPE)" },
    { VOUCH_BIMI_SVG_NOT_SVG, "bimi-svg-not-svg", VOUCH_AUDIT_ERROR,
      "the root must be <svg> in the namespace http://www.w3.org/2000/svg" },
    { VOUCH_BIMI_SVG_VERSION, "bimi-svg-version", VOUCH_AUDIT_ERROR,
      "set version=\"1.2\" on the root <svg>" },
    { VOUCH_BIMI_SVG_BASE_PROFILE, "bimi-svg-base-profile", VOUCH_AUDIT_ERROR,
      "set baseProfile=\"tiny-ps\" on the root <svg>" },
    { VOUCH_BIMI_SVG_ROOT_XY, "bimi-svg-root-xy", VOUCH_AUDIT_ERROR,
      "remove x= and y= from the root <svg>" },
    { VOUCH_BIMI_SVG_NO_TITLE, "bimi-svg-no-title", VOUCH_AUDIT_ERROR,
      "add a <title> with the brand name as a child of the root <svg>" },
    { VOUCH_BIMI_SVG_SCRIPT, "bimi-svg-script", VOUCH_AUDIT_ERROR,
      "remove <script> elements and on* event attributes" },
    { VOUCH_BIMI_SVG_FOREIGN_OBJECT, "bimi-svg-foreign-object",
      VOUCH_AUDIT_ERROR, "remove <foreignObject>" },
    { VOUCH_BIMI_SVG_ANIMATION, "bimi-svg-animation", VOUCH_AUDIT_ERROR,
      "remove animation (animate*, set, discard): the logo must be static" },
    { VOUCH_BIMI_SVG_IMAGE, "bimi-svg-image", VOUCH_AUDIT_ERROR,
      "draw the logo as vector shapes: embedded or linked raster images "
      "are not allowed" },
    { VOUCH_BIMI_SVG_EXTERNAL_REF, "bimi-svg-external-ref", VOUCH_AUDIT_ERROR,
      "inline what is referenced: only #fragment references are allowed" },
    { VOUCH_BIMI_SVG_ELEMENT, "bimi-svg-element", VOUCH_AUDIT_ERROR,
      "remove the elements SVG Tiny PS does not have (export as SVG Tiny "
      "1.2, then check again)" },
    { VOUCH_BIMI_SVG_ATTRIBUTE, "bimi-svg-attribute", VOUCH_AUDIT_WARNING,
      "remove the attributes SVG Tiny PS does not have (editors add "
      "them; strict receivers refuse the file)" },
    { VOUCH_BIMI_SVG_TOO_DEEP, "bimi-svg-too-deep", VOUCH_AUDIT_ERROR,
      "flatten the nesting of groups" },
    { VOUCH_BIMI_VMC_PEM, "bimi-vmc-pem", VOUCH_AUDIT_ERROR,
      "serve the PEM chain, leaf certificate first" },
    { VOUCH_BIMI_VMC_CHAIN, "bimi-vmc-chain", VOUCH_AUDIT_ERROR,
      "use a VMC or CMC from an authorized mark verifying authority and "
      "serve its intermediate certificates after the leaf" },
    { VOUCH_BIMI_VMC_VALIDITY, "bimi-vmc-validity", VOUCH_AUDIT_ERROR,
      "renew the mark certificate and publish the new chain" },
    { VOUCH_BIMI_VMC_EKU, "bimi-vmc-eku", VOUCH_AUDIT_ERROR,
      "a mark certificate carries the BIMI extended key usage "
      "1.3.6.1.5.5.7.3.31: this is not a VMC or CMC" },
    { VOUCH_BIMI_VMC_DOMAIN, "bimi-vmc-domain", VOUCH_AUDIT_ERROR,
      "use a certificate issued for this domain or its organizational "
      "domain" },
    { VOUCH_BIMI_VMC_LOGOTYPE, "bimi-vmc-logotype", VOUCH_AUDIT_ERROR,
      "a mark certificate embeds the logo (RFC 3709 logotype extension)" },
    { VOUCH_BIMI_VMC_LOGO_HASH, "bimi-vmc-logo-hash", VOUCH_AUDIT_ERROR,
      "the certificate's logotype hash does not match its own image: ask "
      "the issuer for a corrected certificate" },
    { VOUCH_BIMI_VMC_SVG_MISMATCH, "bimi-vmc-svg-mismatch", VOUCH_AUDIT_ERROR,
      "publish at l= exactly the SVG embedded in the certificate" },
};

static const rule_t *
rule_of(vouch_bimi_code_t code)
{
    size_t i;

    for (i = 0; i < VOUCH_ARRAY_LEN(rules); i++) {
        if (rules[i].code == code) {
            return &rules[i];
        }
    }
    return NULL;
}

/*
 * One audit finding per checker code present in fs: the first detail
 * (with its line, or certificate index), how many there were, what
 * receivers do and the advice. what: "the BIMI logo" or "the mark
 * certificate".
 */
static void
report(audit_t *a, const vouch_bimi_findings_t *fs, const char *what,
       const char *effect)
{
    size_t i, j;

    for (i = 0; i < fs->n; i++) {
        const vouch_bimi_finding_t *f = &fs->f[i];
        const rule_t *r = rule_of(f->code);
        size_t more = 0;
        char where[48] = "", extra[48] = "";
        bool seen = false;

        for (j = 0; j < fs->n; j++) {
            seen |= j < i && fs->f[j].code == f->code;
            more += j > i && fs->f[j].code == f->code;
        }
        if (seen || r == NULL) {
            continue; /* reported with its first occurrence */
        }
        if (f->line > 0) {
            (void)snprintf(where, sizeof(where),
                           f->code < VOUCH_BIMI_VMC_PEM ? " (line %u)"
                                                        : " (certificate %u)",
                           f->line);
        }
        if (more > 0) {
            (void)snprintf(extra, sizeof(extra), ", and %zu more like it",
                           more);
        }
        vouch__audit_finding(a, VOUCH_AUDIT_BIMI, r->sev, r->id, NULL,
                             "%s: %s%s%s; %s: %s", what, f->detail, where,
                             extra, effect, r->advice);
    }
}

/* ---- fetching -------------------------------------------------------------
 */

/* Host and port of an https URL (the record parser checked the scheme
 * and that a host follows) into host and port; false when they do not
 * fit. */
static bool
url_host_port(const char *url, char *host, size_t hcap, char *port, size_t pcap)
{
    const char *p = url + 8, *end = p, *at, *colon = NULL, *h;
    size_t hl, pl;

    while (*end != '\0' && *end != '/' && *end != '?' && *end != '#') {
        end++;
    }
    for (at = end; at > p && at[-1] != '@'; at--) {
    }
    h = at > p ? at : p;
    if (*h == '[') {
        const char *rb = memchr(h, ']', (size_t)(end - h));

        if (rb == NULL) {
            return false;
        }
        colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
        h++;
        hl = (size_t)(rb - h);
    } else {
        colon = memchr(h, ':', (size_t)(end - h));
        hl = (size_t)((colon != NULL ? colon : end) - h);
    }
    pl = colon != NULL ? (size_t)(end - colon - 1) : 3;
    if (hl == 0 || hl >= hcap || pl == 0 || pl >= pcap) {
        return false;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    memcpy(port, colon != NULL ? colon + 1 : "443", pl);
    port[pl] = '\0';
    return true;
}

/*
 * GET f->url into resp (initialised) with a body cap; fill f. Returns
 * true when the body can be judged (status 200). A failure is a finding
 * (ids: logo_fetch_ids or vmc_fetch_ids).
 */
static bool
fetch(audit_t *a, vouch_audit_bimi_fetch_t *f, size_t cap,
      vouch_http_response_t *resp, bool logo)
{
    const vouch_audit_options_t *o = a->opts;
    vouch_http_options_t h = VOUCH_HTTP_OPTIONS_INIT;
    char host[VOUCH_DNS_NAME_MAX + 1], port[8];
    vouch_error_t err;
    int rc;

    h.timeout_ms = vouch__audit_fetch_ms(a);
    if (h.timeout_ms == 0) {
        f->fetch = VOUCH_AUDIT_FETCH_NOT_FETCHED;
        (void)snprintf(f->reason, sizeof(f->reason),
                       "the domain's time limit was reached");
        vouch__audit_finding(a, VOUCH_AUDIT_BIMI, VOUCH_AUDIT_WARNING,
                             "bimi-not-fetched", NULL,
                             "%s was not fetched: the domain's time limit "
                             "was reached",
                             logo ? "the BIMI logo" : "the mark certificate");
        return false;
    }
    h.ca_file = o->https_ca;
    h.max_body = cap;
    h.resolver = a->resolver; /* never the system resolver */
    if (url_host_port(f->url, host, sizeof(host), port, sizeof(port))) {
        h.connect_to = vouch__audit_connect_to(o, host, port);
    }
    vouch_error_clear(&err);
    rc = vouch_http_get(resp, f->url, &h, &err);
    if (rc == VOUCH_ENOMEM) {
        a->fatal = rc;
        return false;
    }
    if (rc == VOUCH_EINTERNAL) {
        /* libcurl could not be loaded: this host's problem, not the
         * domain's */
        f->fetch = VOUCH_AUDIT_FETCH_NOT_FETCHED;
        (void)snprintf(f->reason, sizeof(f->reason), "%s", err.msg);
        vouch__audit_finding(a, VOUCH_AUDIT_BIMI, VOUCH_AUDIT_WARNING,
                             "bimi-not-fetched", NULL, "%s was not fetched: %s",
                             logo ? "the BIMI logo" : "the mark certificate",
                             f->reason);
        return false;
    }
    f->http_status = resp->status;
    if (resp->content_type != NULL) {
        vouch__escape_into(f->content_type, sizeof(f->content_type),
                           resp->content_type, strlen(resp->content_type));
    }
    if (rc == 0 && resp->status == 200) {
        f->fetch = VOUCH_AUDIT_FETCH_OK;
        f->bytes = resp->body.len;
        return true;
    }
    if (rc == 0) {
        f->fetch = VOUCH_AUDIT_FETCH_HTTP_STATUS;
        if (resp->status >= 300 && resp->status < 400) {
            char loc[200] = "nowhere";

            if (resp->location != NULL) {
                vouch__escape_into(loc, sizeof(loc), resp->location,
                                   strlen(resp->location));
            }
            (void)snprintf(f->reason, sizeof(f->reason),
                           "HTTP %ld redirect to %s: serve the file "
                           "directly",
                           resp->status, loc);
        } else {
            (void)snprintf(f->reason, sizeof(f->reason),
                           "HTTP status %ld, not 200", resp->status);
        }
    } else {
        f->fetch =
            rc == VOUCH_ETOOBIG                  ? VOUCH_AUDIT_FETCH_TOO_BIG
            : resp->failure == VOUCH_HTTP_F_CERT ? VOUCH_AUDIT_FETCH_CERTIFICATE
            : resp->failure == VOUCH_HTTP_F_TIMEOUT ? VOUCH_AUDIT_FETCH_TIMEOUT
                                                    : VOUCH_AUDIT_FETCH_NETWORK;
        (void)snprintf(f->reason, sizeof(f->reason), "%s", err.msg);
    }
    vouch__audit_finding(
        a, VOUCH_AUDIT_BIMI, VOUCH_AUDIT_ERROR,
        (logo ? logo_fetch_ids : vmc_fetch_ids)[f->fetch], NULL,
        "%s %s cannot be fetched (%s): %s",
        logo ? "the BIMI logo"
             : "the mark "
               "certificate",
        f->url, f->reason,
        logo ? "receivers show no logo"
             : "receivers that require one (Gmail, Apple Mail) show no "
               "logo");
    return false;
}

/* Is the media type of ct image/svg+xml (parameters and case ignored)? */
static bool
is_svg_type(const char *ct)
{
    static const char want[] = "image/svg+xml";
    size_t n = sizeof(want) - 1;

    if (ct == NULL || !vouch__str_iprefix(ct, strlen(ct), want)) {
        return false;
    }
    return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t';
}

/* Fetch and check the logo; resp keeps its bytes for the certificate's
 * logotype comparison. Returns true when the bytes were fetched. */
static bool
logo_check(audit_t *a, vouch_http_response_t *resp)
{
    vouch_audit_bimi_t *b = &a->res->bimi;
    vouch_bimi_svg_result_t svg;
    vouch_error_t err;
    int rc;

    if (!fetch(a, &b->logo, VOUCH_BIMI_SVG_MAX, resp, true)) {
        return false;
    }
    if (!is_svg_type(resp->content_type)) {
        vouch__audit_finding(
            a, VOUCH_AUDIT_BIMI, VOUCH_AUDIT_WARNING, "bimi-logo-content-type",
            NULL,
            "the BIMI logo is served as \"%s\", not "
            "image/svg+xml: receivers may refuse it; set "
            "the Content-Type",
            b->logo.content_type[0] != '\0' ? b->logo.content_type : "(none)");
    }
    vouch_error_clear(&err);
    rc = vouch_bimi_svg_check(&svg, a->ctx, resp->body.ptr, resp->body.len,
                              &err);
    if (rc == VOUCH_ENOMEM) {
        a->fatal = rc;
        return true;
    }
    if (rc != 0) {
        /* libxml2 could not be loaded: our problem, not the domain's */
        vouch__audit_finding(
            a, VOUCH_AUDIT_BIMI, VOUCH_AUDIT_WARNING, "bimi-logo-not-checked",
            NULL, "the BIMI logo was fetched but not checked: %s", err.msg);
        return true;
    }
    b->logo_checked = true;
    b->logo_valid = svg.ok;
    b->logo_findings = svg.findings.n + svg.findings.dropped;
    memcpy(b->logo_sha256, svg.sha256, sizeof(b->logo_sha256));
    report(a, &svg.findings, "the BIMI logo breaks the SVG Tiny PS profile",
           "receivers show no logo");
    return true;
}

/* Fetch and check the mark certificate; svg is the fetched logo (NULL
 * when l= is empty or its fetch failed: not compared). */
static void
vmc_check(audit_t *a, const char *svg, size_t svg_len)
{
    vouch_audit_bimi_t *b = &a->res->bimi;
    const vouch_audit_dmarc_t *d = &a->res->dmarc;
    vouch_bimi_vmc_input_t in = VOUCH_BIMI_VMC_INPUT_INIT;
    vouch_bimi_vmc_result_t r;
    vouch_http_response_t resp;
    vouch_error_t err;
    int rc;

    vouch_http_response_init(&resp, a->ctx);
    if (!fetch(a, &b->vmc, VOUCH_BIMI_PEM_MAX, &resp, false)) {
        vouch_http_response_dispose(&resp);
        return;
    }
    in.pem = resp.body.ptr;
    in.pem_len = resp.body.len;
    in.trust_file = a->opts->bimi_trust;
    in.domain = a->res->domain;
    in.org_domain = d->org_domain[0] != '\0' ? d->org_domain : NULL;
    in.svg = svg;
    in.svg_len = svg_len;
    vouch_error_clear(&err);
    rc = vouch_bimi_vmc_check(&r, a->ctx, &in, &err);
    vouch_http_response_dispose(&resp);
    if (rc == VOUCH_ENOMEM) {
        a->fatal = rc;
        return;
    }
    if (rc != 0) {
        /* the trust file could not be read */
        vouch__audit_finding(
            a, VOUCH_AUDIT_BIMI, VOUCH_AUDIT_WARNING, "bimi-vmc-not-checked",
            NULL, "the mark certificate was not checked: %s", err.msg);
        return;
    }
    b->vmc_checked = true;
    b->vmc_chain_checked = in.trust_file != NULL;
    b->vmc_valid = r.ok; /* never without a trust file */
    b->vmc_chain_ok = r.chain_ok;
    b->vmc_time_ok = r.time_ok;
    b->vmc_eku_ok = r.eku_ok;
    b->vmc_domain_ok = r.domain_ok;
    b->vmc_logo_found = r.logo_found;
    b->vmc_svg_match = r.svg_match;
    b->vmc_ncerts = r.ncerts;
    (void)snprintf(b->vmc_subject, sizeof(b->vmc_subject), "%s", r.subject);
    b->vmc_not_before = r.not_before;
    b->vmc_not_after = r.not_after;
    b->vmc_findings = r.findings.n + r.findings.dropped;
    report(a, &r.findings, "the mark certificate is not usable",
           "receivers that require one (Gmail, Apple Mail) show no logo");
    if (!b->vmc_chain_checked && r.ncerts > 0) {
        vouch__audit_finding(
            a, VOUCH_AUDIT_BIMI, VOUCH_AUDIT_WARNING,
            "bimi-vmc-chain-unchecked", NULL,
            "the mark certificate's chain was not checked: no trust store "
            "was given (--bimi-trust FILE with the certificates of the mark "
            "verifying authorities); its other checks %s",
            r.findings.n == 0 ? "passed" : "are listed");
    }
    if (svg == NULL && b->logo.url[0] != '\0' && r.logo_found) {
        vouch__audit_finding(a, VOUCH_AUDIT_BIMI, VOUCH_AUDIT_INFO,
                             "bimi-vmc-svg-not-compared", NULL,
                             "the logo in the mark certificate was not "
                             "compared with the l= logo, which could not be "
                             "fetched");
    }
}

/* The record is usable: fetch and judge what it points to. */
static void
fetch_and_check(audit_t *a, const vouch_bimi_record_t *rec)
{
    vouch_audit_bimi_t *b = &a->res->bimi;
    vouch_http_response_t logo;
    bool have_logo = false;

    (void)snprintf(b->logo.url, sizeof(b->logo.url), "%s", rec->l);
    (void)snprintf(b->vmc.url, sizeof(b->vmc.url), "%s", rec->a);
    if (rec->a[0] == '\0') {
        vouch__audit_finding(
            a, VOUCH_AUDIT_BIMI, VOUCH_AUDIT_INFO, "bimi-no-vmc", NULL,
            "the BIMI record has no mark certificate (a=): it is optional, "
            "but Gmail and Apple Mail show a logo only with a VMC or CMC");
    }
    if (a->opts->no_fetch) {
        b->logo.fetch = rec->l[0] != '\0' ? VOUCH_AUDIT_FETCH_NOT_FETCHED
                                          : VOUCH_AUDIT_FETCH_NONE;
        b->vmc.fetch = rec->a[0] != '\0' ? VOUCH_AUDIT_FETCH_NOT_FETCHED
                                         : VOUCH_AUDIT_FETCH_NONE;
        vouch__audit_finding(a, VOUCH_AUDIT_BIMI, VOUCH_AUDIT_INFO,
                             "bimi-not-fetched", NULL,
                             "the BIMI logo and mark certificate were not "
                             "fetched (no_fetch): only the record was "
                             "checked");
        return;
    }
    vouch_http_response_init(&logo, a->ctx);
    if (rec->l[0] != '\0') {
        have_logo = logo_check(a, &logo);
    }
    if (rec->a[0] != '\0' && a->fatal == 0) {
        vmc_check(a, have_logo ? logo.body.ptr : NULL,
                  have_logo ? logo.body.len : 0);
    }
    vouch_http_response_dispose(&logo);
}

/* ---- the record -----------------------------------------------------------
 */

static bool
enforcing(vouch_dmarc_policy_t p)
{
    return p == VOUCH_DMARC_P_QUARANTINE || p == VOUCH_DMARC_P_REJECT;
}

/* Does DMARC enforce for the domain (BIMI draft §7.1: the policy of the
 * author domain and of its organizational domain)? When not, why says so
 * (for the finding). */
static bool
dmarc_enforces(audit_t *a, char *why, size_t cap)
{
    const vouch_audit_dmarc_t *d = &a->res->dmarc;
    vouch_dmarc_record_t org;

    if (!d->found || !enforcing(d->policy) || d->sp == VOUCH_DMARC_P_NONE ||
        d->rec.t || d->rec.pct != 100) {
        (void)snprintf(why, cap, "%s",
                       "p=quarantine or reject, pct=100, no t=y, sp not none");
        return false;
    }
    /* a record of its own below the organizational domain: the
     * organizational domain's policy must enforce too */
    if (strcmp(d->policy_domain, d->org_domain) != 0 &&
        vouch__audit_dmarc_org(a, &org) &&
        (!enforcing(org.p) || org.t || org.pct != 100)) {
        (void)snprintf(why, cap,
                       "the organizational domain %s publishes p=%s%s: it "
                       "must enforce as well",
                       d->org_domain, vouch_dmarc_policy_name(org.p),
                       org.t ? " with t=y" : "");
        return false;
    }
    return true;
}

/* A BIMI record: its first tag is v=BIMI1 (spaces around '=' and the
 * value's case aside), followed by ';', whitespace or nothing. Other TXT
 * records at the name (an SPF record under a wildcard, say) are
 * discarded, as receivers discard them. */
static bool
is_bimi(const vouch_dns_rr_t *rr)
{
    const char *d = (const char *)rr->data;
    size_t n = rr->len, i = 0;

    if (rr->type != VOUCH_DNS_TXT) {
        return false;
    }
    while (i < n && (d[i] == ' ' || d[i] == '\t')) {
        i++;
    }
    if (i == n || (d[i] != 'v' && d[i] != 'V')) {
        return false;
    }
    for (i++; i < n && (d[i] == ' ' || d[i] == '\t'); i++) {
    }
    if (i == n || d[i] != '=') {
        return false;
    }
    for (i++; i < n && (d[i] == ' ' || d[i] == '\t'); i++) {
    }
    if (n - i < 5 || !vouch__str_ieq(d + i, 5, "BIMI1", 5)) {
        return false;
    }
    i += 5;
    return i == n || d[i] == ';' || d[i] == ' ' || d[i] == '\t';
}

/* The first BIMI record and how many there are. */
static size_t
pick(const vouch_dns_answer_t *ans, const vouch_dns_rr_t **first)
{
    size_t i, n = 0;

    *first = NULL;
    for (i = 0; i < ans->n; i++) {
        if (is_bimi(&ans->rr[i]) && n++ == 0) {
            *first = &ans->rr[i];
        }
    }
    return n;
}

/* Judge the TXT answer at name: none, several, one that parses. Fills
 * *rec and returns true for one usable record. */
static bool
record_check(audit_t *a, const char *name, const vouch_dns_answer_t *ans,
             vouch_bimi_record_t *rec)
{
    vouch_audit_bimi_t *b = &a->res->bimi;
    char fix[VOUCH_AUDIT_FIX_MAX], value[VOUCH_DNS_NAME_MAX + 48];
    const vouch_dns_rr_t *first;
    vouch_error_t err;

    b->nrecords = pick(ans, &first);
    if (first != NULL) {
        vouch__escape_into(b->record, sizeof(b->record),
                           (const char *)first->data, first->len);
    }
    if (b->nrecords == 0) {
        (void)snprintf(value, sizeof(value),
                       "v=BIMI1; l=https://%s/bimi/logo.svg", a->res->domain);
        if (!b->dmarc_enforces ||
            !vouch__audit_txt_fix(fix, sizeof(fix), name, value)) {
            fix[0] = '\0';
        }
        const char *org = a->res->dmarc.org_domain;
        bool below = org[0] != '\0' && strcmp(org, a->res->domain) != 0;

        vouch__audit_finding(
            a, VOUCH_AUDIT_BIMI, VOUCH_AUDIT_INFO, "bimi-none", fix,
            "no BIMI record at %s%s%s%s%s", name,
            b->dmarc_enforces
                ? ": publish one pointing at an SVG Tiny PS logo to show "
                  "your brand logo"
                : ": consider BIMI only once DMARC enforces",
            below ? " (receivers then use the record of the organizational "
                    "domain "
                  : "",
            below ? org : "",
            below ? ", which this audit does not check)" : "");
        return false;
    }
    if (b->nrecords > 1) {
        vouch__audit_finding(a, VOUCH_AUDIT_BIMI, VOUCH_AUDIT_ERROR,
                             "bimi-multiple", NULL,
                             "%s has %zu records: receivers ignore them all; "
                             "keep one",
                             name, b->nrecords);
        return false;
    }
    vouch_error_clear(&err);
    if (vouch_bimi_record_parse(rec, (const char *)first->data, first->len,
                                &err) != 0) {
        vouch__audit_finding(
            a, VOUCH_AUDIT_BIMI, VOUCH_AUDIT_ERROR, "bimi-syntax", NULL,
            "the BIMI record at %s is invalid (%s: %s): receivers ignore it",
            name, vouch_bimi_record_error_name(rec->error), err.msg);
        return false;
    }
    b->record_ok = true;
    b->declined = rec->declination;
    return true;
}

/* see audit_internal.h */
void
vouch__audit_bimi(audit_t *a)
{
    vouch_audit_bimi_t *b = &a->res->bimi;
    char name[VOUCH_DNS_NAME_MAX + VOUCH_AUDIT_SELECTOR_LEN + 16];
    char why[VOUCH_DNS_NAME_MAX + 96];
    const vouch_dns_answer_t *ans;
    vouch_bimi_record_t rec;
    bool usable;

    (void)snprintf(b->selector, sizeof(b->selector), "%s",
                   a->opts->bimi_selector != NULL ? a->opts->bimi_selector
                                                  : "default");
    if (!a->res->mx.sends_mail) {
        a->res->area[VOUCH_AUDIT_BIMI].status = VOUCH_AUDIT_STATUS_SKIPPED;
        (void)snprintf(a->res->area[VOUCH_AUDIT_BIMI].note,
                       sizeof(a->res->area[VOUCH_AUDIT_BIMI].note),
                       "the domain sends no mail");
        return;
    }
    a->res->area[VOUCH_AUDIT_BIMI].status = VOUCH_AUDIT_STATUS_OK;
    b->dmarc_enforces = dmarc_enforces(a, why, sizeof(why));
    (void)snprintf(name, sizeof(name), "%s._bimi.%s", b->selector,
                   a->res->domain);
    ans = vouch__audit_query(a, name, VOUCH_DNS_TXT);
    if (ans == NULL) {
        /* queries stopped (budget, time) or a name too long to ask */
        vouch__audit_skip(a->res, VOUCH_AUDIT_BIMI,
                          a->budget_spent ? "not checked: DNS queries stopped"
                                          : "not checked: the BIMI name is "
                                            "not a valid DNS name");
        return;
    }
    b->dns = ans->status;
    if (vouch__audit_dns_failed(ans->status)) {
        vouch__audit_finding(a, VOUCH_AUDIT_BIMI, VOUCH_AUDIT_WARNING,
                             "bimi-dns-error", NULL,
                             "the BIMI lookup of %s failed (%s)", name,
                             vouch_dns_status_name(ans->status));
        vouch_dns_answer_free(ans);
        return;
    }
    usable = record_check(a, name, ans, &rec);
    vouch_dns_answer_free(ans);
    if (!usable) {
        return;
    }
    if (b->declined) {
        vouch__audit_finding(a, VOUCH_AUDIT_BIMI, VOUCH_AUDIT_INFO,
                             "bimi-declined", NULL,
                             "the BIMI record at %s declines BIMI "
                             "(empty l= and a=)",
                             name);
        return;
    }
    if (!b->dmarc_enforces) {
        vouch__audit_finding(
            a, VOUCH_AUDIT_BIMI, VOUCH_AUDIT_ERROR, "bimi-dmarc-not-enforced",
            NULL,
            "BIMI needs DMARC at enforcement (%s): receivers show no logo",
            why);
    }
    fetch_and_check(a, &rec);
}
