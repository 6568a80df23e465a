/* SPDX-License-Identifier: MIT */
/*
 * mtasts/fetch.c - policy retrieval (RFC 8461 §3.3) and discovery (§3).
 *
 * The fetch asks vouch/http.h for https://mta-sts.<domain>/.well-known/
 * mta-sts.txt with the §3.3 fences (certificate valid for that host, no
 * redirect, 64 KiB, a time limit), then checks what came back in the
 * order a sender would: status 200, Content-Type text/plain (parameters
 * allowed), then the policy syntax. Every failure becomes a status and a
 * reason in the result rather than an error: for an audit they are
 * findings.
 *
 * Discovery reads TXT _mta-sts.<domain> through the caller's resolver;
 * §3.1 keeps only records starting "v=STSv1" and wants exactly one of
 * them, valid, before any fetch.
 *
 * Invariants: every string copied into the fixed arrays of the results is
 * length-checked or escaped with a cap; the policy is owned by the fetch
 * result and nothing else.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mtasts_internal.h"

#define MOD "mtasts"

/* "mta-sts." in front of the domain */
#define PREFIX_LEN 8

const char *
vouch_mtasts_fetch_status_name(vouch_mtasts_fetch_status_t s)
{
    static const char *const names[] = { "ok",          "network",
                                         "certificate", "redirect",
                                         "http-status", "content-type",
                                         "too-big",     "policy" };

    return (unsigned)s < VOUCH_ARRAY_LEN(names) ? names[s] : "unknown";
}

const char *
vouch_mtasts_outcome_name(vouch_mtasts_outcome_t o)
{
    static const char *const names[] = { "none", "valid", "fetch-error",
                                         "temperror" };

    return (unsigned)o < VOUCH_ARRAY_LEN(names) ? names[o] : "unknown";
}

/* Check and lower-case the policy domain into out (no final dot). */
static int
domain_prepare(char out[VOUCH_DNS_NAME_MAX + 1], const char *d, size_t len,
               vouch_error_t *err)
{
    size_t i, bad = 0;
    const char *why = NULL;

    if (d == NULL) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0, "no domain");
    }
    if (len > 0 && d[len - 1] == '.') {
        len--;
    }
    if (!vouch__ldh_domain_check(d, len, &bad, &why)) {
        return vouch__error(err, VOUCH_ESYNTAX, MOD, bad,
                            "policy domain is not a host name: %s", why);
    }
    if (len + PREFIX_LEN > VOUCH_DNS_NAME_MAX) {
        return vouch__error(err, VOUCH_ESYNTAX, MOD, 0,
                            "mta-sts.<domain> would be longer than 253 "
                            "characters");
    }
    for (i = 0; i < len; i++) {
        out[i] = vouch__lower(d[i]);
    }
    out[len] = '\0';
    return 0;
}

/* RFC 8461 §3.3: "text/plain", parameters allowed (RFC 9110 §8.3.1) */
static bool
is_text_plain(const char *ct)
{
    static const char want[] = "text/plain";
    size_t n = sizeof(want) - 1, len;
    const char *p;

    if (ct == NULL) {
        return false;
    }
    len = strlen(ct);
    p = ct;
    while (len > 0 && vouch__is_space(*p)) {
        p++;
        len--;
    }
    if (len < n || !vouch__str_ieq(p, n, want, n)) {
        return false;
    }
    p += n;
    while (vouch__is_space(*p)) {
        p++;
    }
    return *p == '\0' || *p == ';';
}

/* Reasons are informative text: a long one is cut at the array's end,
 * as vouch__error does for messages. */
static void VOUCH_PRINTF(3, 4) text(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
}

static void
say(vouch_mtasts_fetch_t *out, vouch_mtasts_fetch_status_t st, const char *fmt,
    const char *arg)
{
    out->status = st;
    text(out->reason, sizeof(out->reason), fmt, arg);
}

static size_t
line_of(const char *body, size_t len, size_t off)
{
    size_t i, line = 1;

    for (i = 0; i < off && i < len; i++) {
        line += body[i] == '\n';
    }
    return line;
}

/* see vouch/mtasts.h */
void
vouch_mtasts_fetch_dispose(vouch_mtasts_fetch_t *fetch)
{
    if (fetch == NULL) {
        return;
    }
    vouch_mtasts_policy_free(fetch->policy);
    memset(fetch, 0, sizeof(*fetch));
}

static int
judge(vouch_mtasts_fetch_t *out, const vouch_ctx_t *ctx,
      vouch_http_response_t *resp)
{
    vouch_error_t perr;
    int rc;

    out->http_status = resp->status;
    if (resp->content_type != NULL) {
        vouch__escape_into(out->content_type, sizeof(out->content_type),
                           resp->content_type, strlen(resp->content_type));
    }
    if (resp->status >= 300 && resp->status < 400) {
        if (resp->location != NULL) {
            vouch__escape_into(out->location, sizeof(out->location),
                               resp->location, strlen(resp->location));
        }
        out->status = VOUCH_MTASTS_FETCH_REDIRECT;
        text(out->reason, sizeof(out->reason),
             "HTTP %ld redirect to %s: RFC 8461 §3.3 forbids "
             "following redirects; serve the policy directly",
             resp->status,
             out->location[0] != '\0' ? out->location : "nowhere");
        return 0;
    }
    if (resp->status != 200) {
        out->status = VOUCH_MTASTS_FETCH_HTTP_STATUS;
        text(out->reason, sizeof(out->reason),
             "HTTP status %ld (RFC 8461 §3.3 needs 200)", resp->status);
        return 0;
    }
    if (!is_text_plain(resp->content_type)) {
        say(out, VOUCH_MTASTS_FETCH_CONTENT_TYPE,
            "Content-Type is \"%s\", not text/plain (RFC 8461 §3.3)",
            resp->content_type != NULL ? out->content_type : "(none)");
        return 0;
    }
    vouch_error_clear(&perr);
    rc = vouch_mtasts_policy_parse(&out->policy, ctx, resp->body.ptr,
                                   resp->body.len, &perr);
    if (rc == VOUCH_ENOMEM) {
        return rc;
    }
    if (rc != 0) {
        out->line = line_of(resp->body.ptr, resp->body.len, perr.offset);
        say(out, VOUCH_MTASTS_FETCH_POLICY, "invalid policy: %s", perr.msg);
        return 0;
    }
    out->status = VOUCH_MTASTS_FETCH_OK;
    return 0;
}

/* see vouch/mtasts.h */
int
vouch_mtasts_fetch(vouch_mtasts_fetch_t *out, const vouch_ctx_t *ctx,
                   const char *domain, size_t len,
                   const vouch_http_options_t *http, vouch_error_t *err)
{
    vouch_http_options_t o = VOUCH_HTTP_OPTIONS_INIT;
    char dom[VOUCH_DNS_NAME_MAX + 1];
    vouch_http_response_t resp;
    vouch_error_t herr;
    int rc;

    if (out == NULL || ctx == NULL) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0, "no context or output");
    }
    memset(out, 0, sizeof(*out));
    rc = domain_prepare(dom, domain, len, err);
    if (rc != 0) {
        return rc;
    }
    if (http != NULL) {
        o = *http;
    }
    if (o.max_body == 0 || o.max_body > VOUCH_MTASTS_POLICY_MAX) {
        o.max_body = VOUCH_MTASTS_POLICY_MAX;
    }
    if (o.timeout_ms == 0) {
        o.timeout_ms = VOUCH_MTASTS_FETCH_TIMEOUT_MS;
    }
    (void)snprintf(out->url, sizeof(out->url),
                   "https://mta-sts.%s/.well-known/mta-sts.txt", dom);
    vouch_http_response_init(&resp, ctx);
    vouch_error_clear(&herr);
    rc = vouch_http_get(&resp, out->url, &o, &herr);
    switch (rc) {
    case 0:
        rc = judge(out, ctx, &resp);
        break;
    case VOUCH_ETOOBIG:
        out->http_status = resp.status;
        say(out, VOUCH_MTASTS_FETCH_TOO_BIG,
            "policy larger than the cap: %s (RFC 8461 §3.3 recommends "
            "64 KiB)",
            herr.msg);
        rc = 0;
        break;
    case VOUCH_ETEMP:
    case VOUCH_EIO:
        out->http_status = resp.status;
        say(out,
            resp.failure == VOUCH_HTTP_F_CERT ? VOUCH_MTASTS_FETCH_CERT
                                              : VOUCH_MTASTS_FETCH_NETWORK,
            "%s", herr.msg);
        rc = 0;
        break;
    default:
        if (err != NULL) {
            *err = herr;
        }
        break;
    }
    vouch_http_response_dispose(&resp);
    if (rc != 0) {
        vouch_mtasts_fetch_dispose(out);
    }
    return rc;
}

/* see vouch/mtasts.h */
void
vouch_mtasts_result_dispose(vouch_mtasts_result_t *result)
{
    if (result == NULL) {
        return;
    }
    vouch_mtasts_fetch_dispose(&result->fetch);
    memset(result, 0, sizeof(*result));
}

/* §3.1: does this TXT string start a record ("v=STSv1" then ';', WSP or
 * the end)? "v=STSv10" does not. */
static bool
starts_record(const char *p, size_t len)
{
    return len >= 7 && memcmp(p, "v=STSv1", 7) == 0 &&
           (len == 7 || p[7] == ';' || vouch__is_space(p[7]));
}

/* see vouch/mtasts.h */
int
vouch_mtasts_discover(vouch_mtasts_result_t *out, const vouch_ctx_t *ctx,
                      vouch_resolver_t *resolver, vouch_dns_budget_t *budget,
                      const char *domain, size_t len,
                      const vouch_http_options_t *http, vouch_error_t *err)
{
    char dom[VOUCH_DNS_NAME_MAX + 1], qname[VOUCH_DNS_NAME_MAX + 16];
    vouch_http_options_t h = VOUCH_HTTP_OPTIONS_INIT;
    const vouch_dns_answer_t *ans = NULL;
    const vouch_dns_rr_t *pick = NULL;
    vouch_error_t rerr;
    size_t i;
    int rc, n;

    if (out == NULL || ctx == NULL || resolver == NULL) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0,
                            "no context, resolver or output");
    }
    memset(out, 0, sizeof(*out));
    rc = domain_prepare(dom, domain, len, err);
    if (rc != 0) {
        return rc;
    }
    n = snprintf(qname, sizeof(qname), "_mta-sts.%s", dom);
    rc = vouch_dns_query(resolver, budget, qname, (size_t)n, VOUCH_DNS_TXT,
                         &ans, err);
    if (rc != 0) {
        return rc;
    }
    out->dns_status = ans->status;
    switch (ans->status) {
    case VOUCH_DNS_NOERROR:
        break;
    case VOUCH_DNS_NODATA:
    case VOUCH_DNS_NXDOMAIN:
        out->outcome = VOUCH_MTASTS_NONE;
        text(out->reason, sizeof(out->reason), "no TXT record at %s (%s)",
             qname, vouch_dns_status_name(ans->status));
        goto done;
    default:
        out->outcome = VOUCH_MTASTS_DNS_TEMPERROR;
        text(out->reason, sizeof(out->reason), "TXT lookup of %s failed: %s",
             qname, vouch_dns_status_name(ans->status));
        goto done;
    }
    for (i = 0; i < ans->n; i++) {
        if (ans->rr[i].type == VOUCH_DNS_TXT &&
            starts_record(ans->rr[i].data, ans->rr[i].len)) {
            out->nrecords++;
            pick = &ans->rr[i];
        }
    }
    if (out->nrecords != 1) {
        out->outcome = VOUCH_MTASTS_NONE;
        text(out->reason, sizeof(out->reason),
             "%zu TXT records starting \"v=STSv1\" at %s; RFC 8461 "
             "§3.1 needs exactly one",
             out->nrecords, qname);
        goto done;
    }
    vouch_error_clear(&rerr);
    if (vouch_mtasts_record_parse(&out->record, pick->data, pick->len, &rerr) !=
        0) {
        out->outcome = VOUCH_MTASTS_NONE;
        text(out->reason, sizeof(out->reason),
             "invalid record at %s (byte %zu): %s", qname, rerr.offset,
             rerr.msg);
        goto done;
    }
    /* the extension views point into the answer, released below */
    out->record.next = 0;
    memset(out->record.ext, 0, sizeof(out->record.ext));
    out->have_record = true;
    /* the policy host is resolved like the record, unless told otherwise */
    if (http != NULL) {
        h = *http;
    }
    if (h.resolver == NULL) {
        h.resolver = resolver;
    }
    rc = vouch_mtasts_fetch(&out->fetch, ctx, dom, strlen(dom), &h, err);
    if (rc != 0) {
        goto done;
    }
    if (out->fetch.status == VOUCH_MTASTS_FETCH_OK) {
        out->outcome = VOUCH_MTASTS_VALID;
    } else {
        out->outcome = VOUCH_MTASTS_FETCH_ERROR;
        text(out->reason, sizeof(out->reason), "%s: %s",
             vouch_mtasts_fetch_status_name(out->fetch.status),
             out->fetch.reason);
    }
done:
    vouch_dns_answer_free(ans);
    if (rc != 0) {
        vouch_mtasts_result_dispose(out);
    }
    return rc;
}
