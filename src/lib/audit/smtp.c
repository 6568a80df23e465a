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
 * Hosts failing alike share one finding that names them (as many as fit
 * the explanation, the others counted), so that sixteen MX hosts behind
 * a blocked port 25 take one finding and one plan step, not a third of
 * VOUCH_AUDIT_FINDINGS_MAX and all of the plan; checks.mtasts.probes
 * keeps each host's facts.
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

/* What a host (several hosts: many) failing the TLS requirements means
 * under the policy. */
static const char *
consequence(level_t lv, bool many)
{
    switch (lv) {
    case LEVEL_ENFORCE:
        return many ? "senders that apply the enforce policy refuse to "
                      "deliver to them (RFC 8461 §4.2, §5)"
                    : "senders that apply the enforce policy refuse to "
                      "deliver to it (RFC 8461 §4.2, §5)";
    case LEVEL_TESTING:
        return "the testing policy makes senders report it over TLS-RPT; "
               "under enforce they would refuse to deliver (RFC 8461 §5)";
    default:
        return "an MTA-STS policy needs STARTTLS and a certificate valid "
               "for the MX name (RFC 8461 §4.2)";
    }
}

/*
 * The findings a probe can give. The text of one is pre, the hosts, mid,
 * the detail, post, and the consequence under the policy (tls) or
 * nothing; [0] for one host, [1] for several.
 */
typedef enum kind {
    K_NONE,
    K_STARTTLS,
    K_TLS,
    K_EXPIRED,
    K_NAME,
    K_UNTRUSTED,
    K_CERT,
    K_PROBE
} kind_t;

typedef struct text {
    const char *id;
    bool tls;  /* a TLS requirement: severity and consequence by policy */
    bool cert; /* a certificate fact: informational without a policy */
    const char *pre[2], *mid[2], *post[2];
} text_t;

static const text_t texts[] = {
    [K_STARTTLS] = { "smtp-starttls-missing",
                     true,
                     false,
                     { "", "" },
                     { " does not offer STARTTLS (",
                       " do not offer STARTTLS (" },
                     { "): mail to it travels in clear text; ",
                       "): mail to them travels in clear text; " } },
    [K_TLS] = { "smtp-tls-failed",
                true,
                false,
                { "", "" },
                { " accepts STARTTLS but the TLS handshake fails (",
                  " accept STARTTLS but the TLS handshake fails (" },
                { "; TLS 1.2 or later is required): ",
                  "; TLS 1.2 or later is required): " } },
    [K_EXPIRED] = { "smtp-cert-expired",
                    true,
                    true,
                    { "the certificate of ", "the certificates of " },
                    { " is expired or not yet valid (",
                      " are expired or not yet valid (" },
                    { "): ", "): " } },
    [K_NAME] = { "smtp-cert-name",
                 true,
                 true,
                 { "the certificate of ", "the certificates of " },
                 { " is not valid for that name (",
                   " are not valid for those names (" },
                 { "): ", "): " } },
    [K_UNTRUSTED] = { "smtp-cert-untrusted",
                      true,
                      true,
                      { "the certificate of ", "the certificates of " },
                      { " does not chain to a trusted CA (",
                        " do not chain to a trusted CA (" },
                      { "): ", "): " } },
    [K_CERT] = { "smtp-cert-invalid",
                 true,
                 true,
                 { "the certificate of ", "the certificates of " },
                 { " was refused (", " were refused (" },
                 { "): ", "): " } },
    [K_PROBE] = { "smtp-probe-failed",
                  false,
                  false,
                  { "could not probe ", "could not probe " },
                  { " on port 25 (", " on port 25 (" },
                  { "): its STARTTLS and certificate are unknown (outgoing "
                    "port 25 is often blocked; run the probe from a mail "
                    "server)",
                    "): their STARTTLS and certificates are unknown "
                    "(outgoing port 25 is often blocked; run the probe from "
                    "a mail server)" } },
};

/* Which finding a probe gives; K_NONE for none. */
static kind_t
kind_of(const vouch_audit_smtp_probe_t *p)
{
    if (!p->probed) {
        return K_NONE; /* counted in smtp-not-probed */
    }
    switch (p->r.failure) {
    case VOUCH_HTTP_OK:
        return K_NONE;
    case VOUCH_HTTP_F_NO_STARTTLS:
        return K_STARTTLS;
    case VOUCH_HTTP_F_TLS:
        return K_TLS;
    case VOUCH_HTTP_F_CERT:
        return p->r.problem == VOUCH_HTTP_CERT_EXPIRED     ? K_EXPIRED
               : p->r.problem == VOUCH_HTTP_CERT_NAME      ? K_NAME
               : p->r.problem == VOUCH_HTTP_CERT_UNTRUSTED ? K_UNTRUSTED
                                                           : K_CERT;
    default:
        return K_PROBE;
    }
}

static vouch_audit_severity_t
severity(kind_t k, level_t lv)
{
    if (!texts[k].tls) {
        return VOUCH_AUDIT_WARNING; /* nothing is known */
    }
    if (texts[k].cert && lv == LEVEL_NONE) {
        return VOUCH_AUDIT_INFO; /* opportunistic TLS still uses it */
    }
    return lv == LEVEL_ENFORCE ? VOUCH_AUDIT_ERROR : VOUCH_AUDIT_WARNING;
}

/*
 * Whether probes p and q are reported in one finding: the same finding
 * (hence severity) and, where the reason tells hosts apart, the same
 * reason: STARTTLS not offered or refused (libcurl's text, without host
 * or address), and the kind of failure of a probe that could not run.
 * Other texts name addresses or vary with the host; one stands for all.
 */
static bool
same_group(const vouch_audit_smtp_probe_t *p, const vouch_audit_smtp_probe_t *q)
{
    kind_t k = kind_of(p);

    if (k != kind_of(q)) {
        return false;
    }
    if (k == K_STARTTLS) {
        return strcmp(p->r.error, q->r.error) == 0;
    }
    if (k == K_PROBE) {
        return p->r.failure == q->r.failure;
    }
    return true;
}

/* Append s to out (cap >= 4 bytes with the NUL, *o of them used); what
 * does not fit is cut and marked "..." (never silently). */
static void
put(char *out, size_t cap, size_t *o, const char *s)
{
    size_t n = strlen(s), room = cap - 1 - *o;

    if (n <= room) {
        memcpy(out + *o, s, n);
        *o += n;
        out[*o] = '\0';
        return;
    }
    memcpy(out + *o, s, room);
    *o = cap - 1;
    out[*o] = '\0';
    memcpy(out + cap - 4, "...", 3);
}

/* The reason of one probe, without its host: the names of its
 * certificate, or libcurl's text. */
static void
reason(char *out, size_t cap, const vouch_audit_smtp_probe_t *p, kind_t k)
{
    const vouch_http_smtp_result_t *r = &p->r;
    char more[40];
    size_t i, o = 0;

    out[0] = '\0';
    if (k != K_NAME) {
        put(out, cap, &o, r->error);
        return;
    }
    if (r->nnames == 0) {
        put(out, cap, &o, "no DNS name; subject ");
        put(out, cap, &o, r->subject[0] != '\0' ? r->subject : "unknown");
        return;
    }
    put(out, cap, &o, "names ");
    /* whole names, with room left to count the others */
    for (i = 0; i < r->nnames &&
                (i == 0 || o + 2 + strlen(r->names[i]) + sizeof(more) < cap);
         i++) {
        put(out, cap, &o, i > 0 ? ", " : "");
        put(out, cap, &o, r->names[i]);
    }
    if (i < r->names_total) {
        (void)snprintf(more, sizeof(more), " and %zu more", r->names_total - i);
        put(out, cap, &o, more);
    }
}

/*
 * The detail of a group of n probes (g[0] first) into out (cap >= 4
 * bytes): the reason when it is the same for all of them, else the first
 * host's, as an example; a probe that could not run starts with the kind
 * of failure, which the group shares.
 */
static void
detail(char *out, size_t cap, const vouch_audit_smtp_probe_t *const *g,
       size_t n, kind_t k)
{
    char first[VOUCH_AUDIT_TEXT_MAX], other[VOUCH_AUDIT_TEXT_MAX];
    bool same = true;
    size_t i, o = 0;

    reason(first, sizeof(first), g[0], k);
    for (i = 1; i < n && same; i++) {
        reason(other, sizeof(other), g[i], k);
        same = strcmp(first, other) == 0;
    }
    out[0] = '\0';
    if (k == K_PROBE) {
        put(out, cap, &o, vouch_http_failure_name(g[0]->r.failure));
        put(out, cap, &o, same ? ": " : "; ");
    }
    if (!same) {
        put(out, cap, &o, k == K_NAME ? "e.g. that of " : "e.g. ");
        if (k == K_NAME || strstr(first, g[0]->host) == NULL) {
            put(out, cap, &o, g[0]->host); /* else the text names it */
            put(out, cap, &o, k == K_NAME ? " " : ": ");
        }
    } else if (k == K_NAME) {
        put(out, cap, &o, n > 1 ? "each " : "it ");
    }
    put(out, cap, &o, first);
}

/* Append a then b to out at *o; false (out unchanged) when they do not
 * fit cap. */
static bool
add(char *out, size_t cap, size_t *o, const char *a, const char *b)
{
    int w = snprintf(out + *o, cap - *o, "%s%s", a, b);

    if (w < 0 || (size_t)w >= cap - *o) {
        out[*o] = '\0';
        return false;
    }
    *o += (size_t)w;
    return true;
}

/* "MX host a" or "MX hosts a, b and c" (k == n), "MX hosts a, b and 3
 * more" (k < n); false when it does not fit cap. */
static bool
list_hosts(char *out, size_t cap, const vouch_audit_smtp_probe_t *const *g,
           size_t n, size_t k)
{
    char more[32];
    size_t i, o = 0;
    bool ok = add(out, cap, &o, "MX host", n == 1 ? " " : "s ");

    for (i = 0; i < k && ok; i++) {
        ok = add(out, cap, &o,
                 i == 0       ? ""
                 : i == n - 1 ? " and "
                              : ", ",
                 g[i]->host);
    }
    if (k < n && ok) {
        (void)snprintf(more, sizeof(more), " and %zu more", n - k);
        ok = add(out, cap, &o, more, "");
    }
    return ok;
}

/* The hosts of a group within cap: as many names as fit, the others
 * counted ("and 3 more"); "5 MX hosts" when not even one name fits. */
static void
host_phrase(char *out, size_t cap, const vouch_audit_smtp_probe_t *const *g,
            size_t n)
{
    size_t k;

    for (k = n; k > 0; k--) {
        if (list_hosts(out, cap, g, n, k)) {
            return;
        }
    }
    (void)snprintf(out, cap, "%zu MX host%s", n, n == 1 ? "" : "s");
}

/*
 * One finding for the n probes of a group (g[0] first): their hosts and
 * the detail, bounded together to the explanation's size. The detail
 * comes first, leaving room for at least the first host and a count of
 * the others (half of the room at most); the hosts get what it leaves.
 * Each says what it left out.
 */
static void
report(audit_t *a, const vouch_audit_smtp_probe_t *const *g, size_t n,
       level_t lv)
{
    kind_t k = kind_of(g[0]);
    const text_t *t = &texts[k];
    const char *c = t->tls ? consequence(lv, n > 1) : "";
    size_t m = n > 1 ? 1 : 0, fixed, avail, full = 9, least, i;
    char d[VOUCH_AUDIT_TEXT_MAX], h[VOUCH_AUDIT_TEXT_MAX];

    fixed =
        strlen(t->pre[m]) + strlen(t->mid[m]) + strlen(t->post[m]) + strlen(c);
    /* the texts above leave far more than this */
    if (VOUCH_NEVER(fixed + 64 > VOUCH_AUDIT_TEXT_MAX)) {
        return;
    }
    avail = VOUCH_AUDIT_TEXT_MAX - 1 - fixed;
    for (i = 0; i < n; i++) {
        full += strlen(g[i]->host) + 5;
    }
    /* room kept for the hosts: all of them, or at least the first and
     * "and 15 more", but never more than half */
    least = 9 + strlen(g[0]->host) + (n > 1 ? 16 : 0);
    least = least < full ? least : full;
    least = least < avail / 2 ? least : avail / 2;
    detail(d, avail - least + 1, g, n, k);
    host_phrase(h, avail - strlen(d) + 1, g, n);
    vouch__audit_finding(a, VOUCH_AUDIT_MTASTS, severity(k, lv), t->id, NULL,
                         "%s%s%s%s%s%s", t->pre[m], h, t->mid[m], d, t->post[m],
                         c);
}

/*
 * The findings of the probes: one per group of hosts with the same
 * finding and reason (same_group), in the order of each group's first
 * host, so that many MX hosts failing alike (port 25 blocked) take one
 * finding and one plan step, not the findings cap.
 */
static void
judge(audit_t *a, const vouch_audit_mtasts_t *st, level_t lv)
{
    size_t i, j;

    for (i = 0; i < st->nprobes; i++) {
        const vouch_audit_smtp_probe_t *g[VOUCH_AUDIT_MX_MAX];
        size_t n = 0;
        bool seen = false;

        if (kind_of(&st->probe[i]) == K_NONE) {
            continue;
        }
        for (j = 0; j < st->nprobes && !seen; j++) {
            if (same_group(&st->probe[i], &st->probe[j])) {
                seen = j < i; /* reported with that one */
                g[n++] = &st->probe[j];
            }
        }
        if (!seen) {
            report(a, g, n, lv);
        }
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
    h.ehlo = o->smtp_ehlo;
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
    if (n > 0 && vouch_http_global_init() != 0) {
        /* this host's problem, not the domain's: one note, no probe */
        vouch__audit_finding(a, VOUCH_AUDIT_MTASTS, VOUCH_AUDIT_WARNING,
                             "smtp-not-probed", NULL,
                             "the MX hosts were not probed: libcurl "
                             "(libcurl.so.4) could not be loaded here");
        return;
    }
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
    }
    if (a->fatal != 0) {
        return;
    }
    judge(a, st, lv);
    if (skipped > 0) {
        vouch__audit_finding(
            a, VOUCH_AUDIT_MTASTS, VOUCH_AUDIT_WARNING, "smtp-not-probed", NULL,
            "%zu of %zu MX hosts were not probed: the time limit of the "
            "domain was reached",
            skipped, n);
    }
}
