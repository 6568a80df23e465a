/* SPDX-License-Identifier: MIT */
/*
 * audit/smtp.c - the SMTP probes of the MTA-STS area (options->smtp_probe):
 * every MX host (or the domain, for an implicit MX; RFC 5321 §5.1) is
 * probed on port 25 with vouch_http_smtp_probe: STARTTLS (RFC 3207) and
 * a certificate valid for the MX name (RFC 8461 §4.2: PKIX, the name the
 * policy's mx patterns match, §4.1).
 *
 * Severities follow the published policy: under enforce, a host without
 * STARTTLS or with a bad certificate gets no mail from senders that apply
 * MTA-STS (§5), an error; under testing they report it, a warning;
 * without a policy a missing STARTTLS is a warning (mail in clear text)
 * and certificate facts are informational. A probe that could not reach
 * the host is a warning: nothing is known (port 25 is often blocked).
 *
 * Probes run one after another, each within smtp_timeout_ms and within
 * what is left of the domain's deadline; hosts past it are counted as
 * not probed. Matching policy patterns to MX hosts is sts.c's
 * (mtasts-mx-uncovered).
 */
#include <stdio.h>
#include <string.h>

#include "audit_internal.h"

#define PROBE_TIMEOUT_MS 10000
/* Less time than this left for the domain: no probe is started. */
#define PROBE_MIN_MS 200

/* The policy the probes are judged against. */
typedef enum level { LEVEL_NONE, LEVEL_TESTING, LEVEL_ENFORCE } level_t;

static level_t
level_of(const vouch_audit_mtasts_t *st)
{
    if (!st->have_policy) {
        return LEVEL_NONE;
    }
    return st->mode == VOUCH_MTASTS_MODE_ENFORCE   ? LEVEL_ENFORCE
           : st->mode == VOUCH_MTASTS_MODE_TESTING ? LEVEL_TESTING
                                                   : LEVEL_NONE;
}

/* What a host failing the TLS requirements means under the policy. */
static const char *
consequence(level_t lv)
{
    switch (lv) {
    case LEVEL_ENFORCE:
        return "senders that apply the enforce policy refuse to deliver to "
               "it (RFC 8461 §4.2, §5)";
    case LEVEL_TESTING:
        return "the testing policy makes senders report it over TLS-RPT; "
               "under enforce they would refuse to deliver (RFC 8461 §5)";
    default:
        return "an MTA-STS policy needs STARTTLS and a certificate valid "
               "for the MX name (RFC 8461 §4.2)";
    }
}

/* The names of the certificate, for a message: "a, b, c" (bounded). */
static void
name_list(char *out, size_t cap, const vouch_http_smtp_result_t *r)
{
    size_t i, o = 0;

    out[0] = '\0';
    for (i = 0; i < r->nnames; i++) {
        int n =
            snprintf(out + o, cap - o, "%s%s", i > 0 ? ", " : "", r->names[i]);

        if (n < 0 || (size_t)n >= cap - o) {
            out[o] = '\0';
            return;
        }
        o += (size_t)n;
    }
    if (r->nnames == 0) {
        (void)snprintf(out, cap, "no DNS name; subject %s",
                       r->subject[0] != '\0' ? r->subject : "unknown");
    }
}

static void
cert_finding(audit_t *a, const vouch_audit_smtp_probe_t *p, level_t lv)
{
    const vouch_http_smtp_result_t *r = &p->r;
    vouch_audit_severity_t sev = lv == LEVEL_ENFORCE   ? VOUCH_AUDIT_ERROR
                                 : lv == LEVEL_TESTING ? VOUCH_AUDIT_WARNING
                                                       : VOUCH_AUDIT_INFO;
    char names[160];

    switch (r->problem) {
    case VOUCH_HTTP_CERT_EXPIRED:
        vouch__audit_finding(
            a, VOUCH_AUDIT_MTASTS, sev, "smtp-cert-expired", NULL,
            "the certificate of MX host %s is expired or not yet valid "
            "(%s): %s",
            p->host, r->error, consequence(lv));
        break;
    case VOUCH_HTTP_CERT_NAME:
        name_list(names, sizeof(names), r);
        vouch__audit_finding(
            a, VOUCH_AUDIT_MTASTS, sev, "smtp-cert-name", NULL,
            "the certificate of MX host %s is not valid for that name (it "
            "names %s): %s",
            p->host, names, consequence(lv));
        break;
    case VOUCH_HTTP_CERT_UNTRUSTED:
        vouch__audit_finding(
            a, VOUCH_AUDIT_MTASTS, sev, "smtp-cert-untrusted", NULL,
            "the certificate of MX host %s does not chain to a trusted CA "
            "(%s): %s",
            p->host, r->error, consequence(lv));
        break;
    default:
        vouch__audit_finding(a, VOUCH_AUDIT_MTASTS, sev, "smtp-cert-invalid",
                             NULL,
                             "the certificate of MX host %s was refused "
                             "(%s): %s",
                             p->host, r->error, consequence(lv));
        break;
    }
}

/* The findings of one probe. */
static void
judge(audit_t *a, const vouch_audit_smtp_probe_t *p, level_t lv)
{
    const vouch_http_smtp_result_t *r = &p->r;
    vouch_audit_severity_t tls_sev =
        lv == LEVEL_ENFORCE ? VOUCH_AUDIT_ERROR : VOUCH_AUDIT_WARNING;

    switch (r->failure) {
    case VOUCH_HTTP_OK:
        break;
    case VOUCH_HTTP_F_NO_STARTTLS:
        vouch__audit_finding(a, VOUCH_AUDIT_MTASTS, tls_sev,
                             "smtp-starttls-missing", NULL,
                             "MX host %s does not offer STARTTLS (%s): mail "
                             "to it travels in clear text; %s",
                             p->host, r->error, consequence(lv));
        break;
    case VOUCH_HTTP_F_TLS:
        vouch__audit_finding(a, VOUCH_AUDIT_MTASTS, tls_sev, "smtp-tls-failed",
                             NULL,
                             "MX host %s accepts STARTTLS but the TLS "
                             "handshake fails (%s; TLS 1.2 or later is "
                             "required): %s",
                             p->host, r->error, consequence(lv));
        break;
    case VOUCH_HTTP_F_CERT:
        cert_finding(a, p, lv);
        break;
    default:
        vouch__audit_finding(
            a, VOUCH_AUDIT_MTASTS, VOUCH_AUDIT_WARNING, "smtp-probe-failed",
            NULL,
            "could not probe MX host %s on port 25 (%s: %s): its STARTTLS "
            "and certificate are unknown (outgoing port 25 is often "
            "blocked; run the probe from a mail server)",
            p->host, vouch_http_failure_name(r->failure), r->error);
        break;
    }
}

/* Probe one host within ms milliseconds. */
static void
probe(audit_t *a, vouch_audit_smtp_probe_t *p, unsigned ms)
{
    const vouch_audit_options_t *o = a->opts;
    vouch_http_options_t h = VOUCH_HTTP_OPTIONS_INIT;
    vouch_error_t err;
    int rc;

    h.ca_file = o->https_ca;
    h.connect_to = vouch__audit_connect_to(o, p->host, "25");
    h.resolver = a->resolver; /* never the system resolver */
    h.timeout_ms = ms; /* the connect timeout is the same (vouch/http.h) */
    vouch_error_clear(&err);
    rc = vouch_http_smtp_probe(&p->r, a->ctx, p->host, &h, &err);
    p->probed = true;
    if (rc == VOUCH_ENOMEM) {
        a->fatal = rc;
        return;
    }
    if (rc != 0) {
        /* libcurl missing (failure still OK), or a name that is not a
         * host name (URL): not probed */
        if (p->r.failure == VOUCH_HTTP_OK) {
            p->r.failure = VOUCH_HTTP_F_PROTOCOL;
        }
        vouch__escape_into(p->r.error, sizeof(p->r.error), err.msg,
                           strlen(err.msg));
    }
}

/* see audit_internal.h */
void
vouch__audit_smtp(audit_t *a)
{
    vouch_audit_result_t *res = a->res;
    vouch_audit_mtasts_t *st = &res->mtasts;
    unsigned per = a->opts->smtp_timeout_ms != 0 ? a->opts->smtp_timeout_ms
                                                 : PROBE_TIMEOUT_MS;
    level_t lv = level_of(st);
    size_t i, n, skipped = 0;

    if (!a->opts->smtp_probe ||
        res->area[VOUCH_AUDIT_MTASTS].status == VOUCH_AUDIT_STATUS_SKIPPED) {
        return;
    }
    n = res->mx.n == 0 && res->mx.implicit ? 1 : res->mx.n;
    for (i = 0; i < n && a->fatal == 0; i++) {
        vouch_audit_smtp_probe_t *p = &st->probe[i];
        const char *name = res->mx.n == 0 ? res->domain : res->mx.host[i].name;
        size_t len = strlen(name);
        int64_t left = (int64_t)per;

        if (len > 0 && name[len - 1] == '.') {
            len--;
        }
        memcpy(p->host, name, len);
        p->host[len] = '\0';
        st->nprobes = i + 1;
        if (a->budget.deadline_ms != 0) {
            left = a->budget.deadline_ms - vouch_dns_monotonic_ms();
        }
        if (left < PROBE_MIN_MS) {
            skipped++;
            continue;
        }
        probe(a, p, left < (int64_t)per ? (unsigned)left : per);
        if (a->fatal == 0) {
            judge(a, p, lv);
        }
    }
    if (skipped > 0) {
        vouch__audit_finding(
            a, VOUCH_AUDIT_MTASTS, VOUCH_AUDIT_WARNING, "smtp-not-probed", NULL,
            "%zu of %zu MX hosts were not probed: the time limit of the "
            "domain was reached",
            skipped, n);
    }
}
