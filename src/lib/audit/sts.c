/* SPDX-License-Identifier: MIT */
/*
 * audit/sts.c - the MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) areas.
 *
 * MTA-STS: the _mta-sts TXT record (exactly one starting "v=STSv1",
 * §3.1, parsed by vouch_mtasts_record_parse), then, unless the options
 * say no_fetch, the policy fetched by vouch_mtasts_fetch (§3.3: HTTPS
 * with a valid certificate, no redirect, status 200, text/plain, 64 KiB)
 * resolving through the audit's resolver or a connect-to mapping, never
 * the system resolver. A usable policy is judged on its mode, its max_age
 * and whether every MX host of the MX area matches an mx pattern (§4.1):
 * in enforce mode a host that does not is critical, since senders refuse
 * to deliver to it.
 * TLS-RPT: the _smtp._tls record (vouch_tlsrpt_record_find: one record,
 * rua URIs checked), advised when MTA-STS or DANE is in use.
 *
 * Fixes are pasteable: the TXT record with a fresh id (§3.1: the id must
 * change with the policy) and the policy file written by
 * vouch_mtasts_policy_write, built from the MX hosts the audit saw.
 * Not done here: SMTP probes of the MX hosts (STARTTLS, certificates),
 * policy caching; the fetch's own DNS queries are not in the budget.
 */
#include <stdio.h>
#include <string.h>

#include "audit_internal.h"

/* max_age under a day is too short to protect anything (a sender that
 * meets the domain daily re-fetches before each use); RFC 8461 §3.2
 * suggests weeks. */
#define STS_AGE_SHORT   86400u
#define STS_AGE_WEEK    604800u
#define STS_AGE_ENFORCE 1209600u

/* ---- helpers --------------------------------------------------------------
 */

/* A fresh record id from the context's clock: YYYYMMDDhhmmss (UTC). */
static void
fresh_id(const vouch_ctx_t *ctx, char out[VOUCH_MTASTS_ID_MAX + 1])
{
    int64_t t = vouch_ctx_now(ctx), days, sec, y, m, d, era, doe, yoe, doy, mp;

    if (t < 0) {
        t = 0;
    }
    days = t / 86400;
    sec = t % 86400;
    /* civil date from days since 1970-01-01 (proleptic Gregorian) */
    days += 719468;
    era = days / 146097;
    doe = days - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    (void)snprintf(out, VOUCH_MTASTS_ID_MAX + 1, "%04d%02d%02d%02d%02d%02d",
                   (int)(y % 10000), (int)m, (int)d, (int)(sec / 3600),
                   (int)(sec / 60 % 60), (int)(sec % 60));
}

/* name without one final dot into out (cap bytes); false when empty. */
static bool
host_of(char *out, size_t cap, const char *name)
{
    size_t n = strlen(name);

    if (n > 0 && name[n - 1] == '.') {
        n--;
    }
    if (n == 0 || n >= cap) {
        return false;
    }
    memcpy(out, name, n);
    out[n] = '\0';
    return true;
}

/* The MX host names the policy must cover: the MX hosts, or the domain
 * itself for an implicit MX (RFC 5321 §5.1). Returns how many. */
static size_t
mx_hosts(const audit_t *a, const char *out[VOUCH_AUDIT_MX_MAX])
{
    const vouch_audit_mx_t *mx = &a->res->mx;
    size_t i;

    if (mx->n == 0 && mx->implicit) {
        out[0] = a->res->domain;
        return 1;
    }
    for (i = 0; i < mx->n; i++) {
        out[i] = mx->host[i].name;
    }
    return mx->n;
}

/*
 * The fix for the MTA-STS area into fix: the TXT record with a fresh id,
 * then the URL and the policy file (LF lines) with mode and max_age, the
 * patterns of the published policy (when keep) and every MX host none of
 * them matches. When the policy does not fit, the fix is the record only.
 */
static void
sts_fix(audit_t *a, vouch_mtasts_mode_t mode, uint32_t max_age, bool keep,
        char *fix, size_t cap)
{
    const vouch_audit_mtasts_t *st = &a->res->mtasts;
    const char *d = a->res->domain;
    const char *hosts[VOUCH_AUDIT_MX_MAX];
    const char *pat[VOUCH_AUDIT_STS_MX_MAX + VOUCH_AUDIT_MX_MAX];
    char names[VOUCH_AUDIT_MX_MAX][VOUCH_DNS_NAME_MAX + 1];
    char id[VOUCH_MTASTS_ID_MAX + 1], owner[VOUCH_DNS_NAME_MAX + 16];
    char value[64];
    size_t nh, np = 0, i, j, o;
    vouch_buf_t pol;
    int n, rc;

    fix[0] = '\0';
    if (keep) {
        for (i = 0; i < st->nmx; i++) {
            pat[np++] = st->mx[i];
        }
    }
    nh = mx_hosts(a, hosts);
    for (i = 0; i < nh; i++) {
        bool covered = false;

        if (!host_of(names[i], sizeof(names[i]), hosts[i])) {
            continue;
        }
        for (j = 0; j < np && !covered; j++) {
            covered = vouch_mtasts_mx_match(pat[j], strlen(pat[j]), names[i],
                                            strlen(names[i]));
        }
        if (!covered) {
            pat[np++] = names[i];
        }
    }
    fresh_id(a->ctx, id);
    (void)snprintf(owner, sizeof(owner), "_mta-sts.%s", d);
    (void)snprintf(value, sizeof(value), "v=STSv1; id=%s", id);
    if (!vouch__audit_txt_fix(fix, cap, owner, value)) {
        return;
    }
    o = strlen(fix);
    vouch_buf_init(&pol, a->ctx, cap);
    rc = vouch_mtasts_policy_write(&pol, mode, max_age, pat, np, false, NULL);
    if (rc != 0) {
        if (rc == VOUCH_ENOMEM) {
            a->fatal = rc;
        }
        vouch_buf_dispose(&pol);
        return; /* no usable pattern, or too long: the record alone */
    }
    n = snprintf(fix + o, cap - o,
                 "\nhttps://mta-sts.%s/.well-known/mta-sts.txt "
                 "(Content-Type: text/plain):\n%.*s",
                 d, (int)pol.len, pol.ptr);
    if (n < 0 || (size_t)n >= cap - o) {
        fix[o] = '\0';
    } else if (o + (size_t)n > 0 && fix[o + (size_t)n - 1] == '\n') {
        fix[o + (size_t)n - 1] = '\0';
    }
    vouch_buf_dispose(&pol);
}

/* The TXT records at name starting with prefix: how many, and the first. */
static size_t
pick_txt(const vouch_dns_answer_t *ans, const char *prefix,
         const vouch_dns_rr_t **first)
{
    size_t i, n = 0, plen = strlen(prefix);

    *first = NULL;
    for (i = 0; i < ans->n; i++) {
        const vouch_dns_rr_t *rr = &ans->rr[i];

        if (rr->type == VOUCH_DNS_TXT && rr->len >= plen &&
            memcmp(rr->data, prefix, plen) == 0) {
            if (n++ == 0) {
                *first = rr;
            }
        }
    }
    return n;
}

/* ---- TLS-RPT (RFC 8460) ---------------------------------------------------
 */

static void
tlsrpt_record_fix(audit_t *a, char *fix, size_t cap)
{
    char owner[VOUCH_DNS_NAME_MAX + 16], value[VOUCH_DNS_NAME_MAX + 48];

    (void)snprintf(owner, sizeof(owner), "_smtp._tls.%s", a->res->domain);
    (void)snprintf(value, sizeof(value),
                   "v=TLSRPTv1; rua=mailto:tls-reports@%s", a->res->domain);
    (void)vouch__audit_txt_fix(fix, cap, owner, value);
}

/* Look the record up and judge it; "none" is judged later (sts_advice),
 * once MTA-STS and DANE are known. Returns false when no query was
 * possible (the area is skipped). */
static bool
tlsrpt_check(audit_t *a)
{
    vouch_audit_tlsrpt_t *tr = &a->res->tlsrpt;
    char name[VOUCH_DNS_NAME_MAX + 16], fix[VOUCH_AUDIT_FIX_MAX];
    const vouch_dns_answer_t *ans;
    const vouch_dns_rr_t *first;
    vouch_tlsrpt_record_t rec;
    vouch_error_t err;
    size_t i;
    int rc;

    (void)snprintf(name, sizeof(name), "_smtp._tls.%s", a->res->domain);
    ans = vouch__audit_query(a, name, VOUCH_DNS_TXT);
    if (ans == NULL) {
        vouch__audit_skip(a->res, VOUCH_AUDIT_TLSRPT,
                          "not checked: DNS queries stopped");
        return false;
    }
    tr->dns = ans->status;
    tlsrpt_record_fix(a, fix, sizeof(fix));
    if (vouch__audit_dns_failed(ans->status)) {
        vouch__audit_finding(a, VOUCH_AUDIT_TLSRPT, VOUCH_AUDIT_ERROR,
                             "tlsrpt-dns-error", NULL,
                             "the TLS-RPT lookup of %s failed (%s): senders "
                             "cannot find where to report TLS failures",
                             name, vouch_dns_status_name(ans->status));
        vouch_dns_answer_free(ans);
        return true;
    }
    tr->nrecords = pick_txt(ans, "v=TLSRPTv1", &first);
    if (first != NULL) {
        vouch__escape_into(tr->record, sizeof(tr->record), first->data,
                           first->len);
    }
    vouch_error_clear(&err);
    rc = vouch_tlsrpt_record_find(&rec, ans, NULL, &err);
    if (rc == 0) {
        tr->valid = true;
        tr->nrua = rec.nrua;
        for (i = 0; i < rec.nrua; i++) {
            vouch__escape_into(tr->rua[i], sizeof(tr->rua[i]),
                               rec.rua[i].uri.ptr, rec.rua[i].uri.len);
        }
    } else if (tr->nrecords > 1) {
        (void)snprintf(tr->error, sizeof(tr->error), "%zu records",
                       tr->nrecords);
        vouch__audit_finding(
            a, VOUCH_AUDIT_TLSRPT, VOUCH_AUDIT_ERROR, "tlsrpt-multiple", fix,
            "%s has %zu v=TLSRPTv1 records: RFC 8460 §3 says senders then "
            "send no reports; keep one",
            name, tr->nrecords);
    } else if (tr->nrecords == 1) {
        (void)snprintf(tr->error, sizeof(tr->error), "%s", err.msg);
        vouch__audit_finding(
            a, VOUCH_AUDIT_TLSRPT, VOUCH_AUDIT_ERROR, "tlsrpt-syntax", fix,
            "the TLS-RPT record at %s is invalid at byte %zu (%s): senders "
            "ignore it; rua needs mailto: or https: URIs",
            name, err.offset, err.msg);
    }
    vouch_dns_answer_free(ans);
    return true;
}

/* ---- MTA-STS (RFC 8461) ---------------------------------------------------
 */

static const char *
fetch_id(vouch_mtasts_fetch_status_t s)
{
    switch (s) {
    case VOUCH_MTASTS_FETCH_CERT:
        return "mtasts-fetch-certificate";
    case VOUCH_MTASTS_FETCH_REDIRECT:
        return "mtasts-fetch-redirect";
    case VOUCH_MTASTS_FETCH_HTTP_STATUS:
        return "mtasts-fetch-status";
    case VOUCH_MTASTS_FETCH_CONTENT_TYPE:
        return "mtasts-fetch-content-type";
    case VOUCH_MTASTS_FETCH_TOO_BIG:
        return "mtasts-fetch-too-big";
    case VOUCH_MTASTS_FETCH_POLICY:
        return "mtasts-policy-syntax";
    default:
        return "mtasts-fetch-network";
    }
}

/* Which MX hosts the policy covers (§4.1); none known: not judged. */
static void
coverage(audit_t *a, const vouch_mtasts_policy_t *pol)
{
    vouch_audit_mtasts_t *st = &a->res->mtasts;
    const char *hosts[VOUCH_AUDIT_MX_MAX];
    char list[200], fix[VOUCH_AUDIT_FIX_MAX];
    size_t nh, i, nbad = 0, o = 0;

    nh = mx_hosts(a, hosts);
    if (nh == 0 || pol->mode == VOUCH_MTASTS_MODE_NONE) {
        return;
    }
    list[0] = '\0';
    for (i = 0; i < nh; i++) {
        bool ok =
            vouch_mtasts_policy_match(pol, hosts[i], strlen(hosts[i])) >= 0;

        if (i < a->res->mx.n) {
            st->host_covered[i] = ok;
        }
        if (!ok) {
            int n = snprintf(list + o, sizeof(list) - o, "%s%s",
                             nbad > 0 ? ", " : "", hosts[i]);

            if (n > 0 && (size_t)n < sizeof(list) - o) {
                o += (size_t)n;
            }
            nbad++;
        }
    }
    st->mx_covered = nbad == 0;
    if (nbad == 0) {
        return;
    }
    sts_fix(a, pol->mode, pol->max_age, true, fix, sizeof(fix));
    if (pol->mode == VOUCH_MTASTS_MODE_ENFORCE) {
        vouch__audit_finding(
            a, VOUCH_AUDIT_MTASTS, VOUCH_AUDIT_CRITICAL, "mtasts-mx-uncovered",
            fix,
            "%zu MX host%s match no mx pattern of the enforce policy (%s): "
            "senders that apply MTA-STS refuse to deliver there (RFC 8461 "
            "§4.1); add the hosts and change the id",
            nbad, nbad == 1 ? " does" : "s do", list);
    } else {
        vouch__audit_finding(
            a, VOUCH_AUDIT_MTASTS, VOUCH_AUDIT_WARNING, "mtasts-mx-uncovered",
            fix,
            "%zu MX host%s match no mx pattern of the testing policy (%s): "
            "TLS-RPT reports will show failures, and enforce mode would "
            "stop mail to them; add the hosts and change the id",
            nbad, nbad == 1 ? " does" : "s do", list);
    }
}

/* Judge a fetched policy: keep what the result shows, then mode, max_age,
 * MX coverage. */
static void
policy_check(audit_t *a, const vouch_mtasts_policy_t *pol)
{
    vouch_audit_mtasts_t *st = &a->res->mtasts;
    char fix[VOUCH_AUDIT_FIX_MAX];
    size_t i;

    st->have_policy = true;
    st->mode = pol->mode;
    st->max_age = pol->max_age;
    st->mx_total = pol->nmx;
    for (i = 0; i < pol->nmx && i < VOUCH_AUDIT_STS_MX_MAX; i++) {
        vouch__escape_into(st->mx[i], sizeof(st->mx[i]), pol->mx[i].ptr,
                           pol->mx[i].len);
    }
    st->nmx = i;
    if (pol->mode == VOUCH_MTASTS_MODE_NONE) {
        sts_fix(a, VOUCH_MTASTS_MODE_TESTING, STS_AGE_WEEK, false, fix,
                sizeof(fix));
        vouch__audit_finding(
            a, VOUCH_AUDIT_MTASTS, VOUCH_AUDIT_WARNING, "mtasts-mode-none", fix,
            "the MTA-STS policy has mode none: it withdraws MTA-STS and "
            "protects nothing; unless that is the intent, publish a testing "
            "policy and change the id");
        return;
    }
    coverage(a, pol);
    if (pol->mode == VOUCH_MTASTS_MODE_TESTING) {
        sts_fix(a, VOUCH_MTASTS_MODE_ENFORCE,
                pol->max_age >= STS_AGE_ENFORCE ? pol->max_age
                                                : STS_AGE_ENFORCE,
                true, fix, sizeof(fix));
        vouch__audit_finding(
            a, VOUCH_AUDIT_MTASTS, VOUCH_AUDIT_WARNING, "mtasts-testing", fix,
            "the MTA-STS policy is in mode testing: senders report TLS "
            "failures but still deliver without TLS. %s then switch to "
            "enforce and change the id",
            a->res->tlsrpt.valid
                ? "Once the TLS-RPT reports have been clean for a few weeks,"
                : "Publish a TLS-RPT record to receive the reports; once "
                  "they are clean,");
    }
    if (pol->max_age < STS_AGE_SHORT) {
        sts_fix(a, pol->mode, STS_AGE_WEEK, true, fix, sizeof(fix));
        vouch__audit_finding(
            a, VOUCH_AUDIT_MTASTS, VOUCH_AUDIT_WARNING, "mtasts-max-age-short",
            fix,
            "max_age is %u seconds (under a day): senders forget the policy "
            "almost at once, so a downgrade attack between fetches goes "
            "unnoticed; RFC 8461 §3.2 suggests weeks",
            (unsigned)pol->max_age);
    } else if (pol->max_age < STS_AGE_WEEK) {
        sts_fix(a, pol->mode, STS_AGE_WEEK, true, fix, sizeof(fix));
        vouch__audit_finding(
            a, VOUCH_AUDIT_MTASTS, VOUCH_AUDIT_INFO, "mtasts-max-age-low", fix,
            "max_age is %u seconds (under a week); RFC 8461 §3.2 suggests "
            "weeks (e.g. 604800 or more)",
            (unsigned)pol->max_age);
    }
}

static void
fetch_policy(audit_t *a)
{
    vouch_audit_mtasts_t *st = &a->res->mtasts;
    const vouch_audit_options_t *o = a->opts;
    vouch_http_options_t h = VOUCH_HTTP_OPTIONS_INIT;
    char host[VOUCH_DNS_NAME_MAX + 16], fix[VOUCH_AUDIT_FIX_MAX];
    vouch_mtasts_fetch_t f;
    vouch_error_t err;
    int rc;

    (void)snprintf(host, sizeof(host), "mta-sts.%s", a->res->domain);
    h.ca_file = o->https_ca;
    h.connect_to = vouch__audit_connect_to(o, host, "443");
    h.resolver = a->resolver; /* never the system resolver */
    /* the whole fetch within the domain's time left */
    h.timeout_ms = vouch__audit_fetch_ms(a);
    vouch_error_clear(&err);
    rc = vouch_mtasts_fetch(&f, a->ctx, a->res->domain, strlen(a->res->domain),
                            &h, &err);
    if (rc == VOUCH_ENOMEM) {
        a->fatal = rc;
        return;
    }
    if (rc == VOUCH_EINTERNAL) {
        /* libcurl could not be loaded: this host's problem, not the
         * domain's */
        vouch__audit_finding(a, VOUCH_AUDIT_MTASTS, VOUCH_AUDIT_WARNING,
                             "mtasts-not-fetched", NULL,
                             "the MTA-STS policy was not fetched (%s): only "
                             "the TXT record was checked",
                             err.msg);
        return;
    }
    st->fetched = true;
    if (rc != 0) {
        /* the domain was normalised, so this is a fetch that could not
         * start (e.g. a name too long for mta-sts.): say it as such */
        st->fetch = VOUCH_MTASTS_FETCH_NETWORK;
        (void)snprintf(st->fetch_reason, sizeof(st->fetch_reason), "%s",
                       err.msg);
    } else {
        st->fetch = f.status;
        (void)snprintf(st->url, sizeof(st->url), "%s", f.url);
        (void)snprintf(st->fetch_reason, sizeof(st->fetch_reason), "%s",
                       f.reason);
        st->fetch_line = f.line;
    }
    if (rc == 0 && f.status == VOUCH_MTASTS_FETCH_OK) {
        policy_check(a, f.policy);
    } else {
        sts_fix(a, VOUCH_MTASTS_MODE_TESTING, STS_AGE_WEEK, false, fix,
                sizeof(fix));
        vouch__audit_finding(
            a, VOUCH_AUDIT_MTASTS, VOUCH_AUDIT_ERROR, fetch_id(st->fetch), fix,
            "the MTA-STS policy https://mta-sts.%s/.well-known/mta-sts.txt "
            "cannot be used (%s): senders without a cached policy apply "
            "none",
            a->res->domain, st->fetch_reason);
    }
    if (rc == 0) {
        vouch_mtasts_fetch_dispose(&f);
    }
}

/* The record; then the policy. Returns false when no query was possible. */
static bool
mtasts_check(audit_t *a)
{
    vouch_audit_mtasts_t *st = &a->res->mtasts;
    char name[VOUCH_DNS_NAME_MAX + 16], fix[VOUCH_AUDIT_FIX_MAX];
    const vouch_dns_answer_t *ans;
    const vouch_dns_rr_t *first;
    vouch_mtasts_record_t rec;
    vouch_error_t err;

    (void)snprintf(name, sizeof(name), "_mta-sts.%s", a->res->domain);
    ans = vouch__audit_query(a, name, VOUCH_DNS_TXT);
    if (ans == NULL) {
        vouch__audit_skip(a->res, VOUCH_AUDIT_MTASTS,
                          "not checked: DNS queries stopped");
        return false;
    }
    st->dns = ans->status;
    if (vouch__audit_dns_failed(ans->status)) {
        vouch__audit_finding(a, VOUCH_AUDIT_MTASTS, VOUCH_AUDIT_ERROR,
                             "mtasts-dns-error", NULL,
                             "the MTA-STS lookup of %s failed (%s): senders "
                             "cannot tell whether a policy exists",
                             name, vouch_dns_status_name(ans->status));
        vouch_dns_answer_free(ans);
        return true;
    }
    /* §3.1: records not starting "v=STSv1" are discarded */
    st->nrecords = pick_txt(ans, "v=STSv1", &first);
    if (first != NULL) {
        vouch__escape_into(st->record, sizeof(st->record), first->data,
                           first->len);
    }
    sts_fix(a, VOUCH_MTASTS_MODE_TESTING, STS_AGE_WEEK, false, fix,
            sizeof(fix));
    if (st->nrecords == 0) {
        vouch__audit_finding(
            a, VOUCH_AUDIT_MTASTS, VOUCH_AUDIT_WARNING, "mtasts-none", fix,
            "no MTA-STS record at %s: senders deliver over TLS only when a "
            "man in the middle lets them. Publish the record and serve the "
            "policy in mode testing first (RFC 8461)",
            name);
    } else if (st->nrecords > 1) {
        vouch__audit_finding(
            a, VOUCH_AUDIT_MTASTS, VOUCH_AUDIT_ERROR, "mtasts-multiple", fix,
            "%s has %zu v=STSv1 records: RFC 8461 §3.1 says senders then "
            "apply no policy; keep one",
            name, st->nrecords);
    } else {
        vouch_error_clear(&err);
        if (vouch_mtasts_record_parse(&rec, first->data, first->len, &err) !=
            0) {
            vouch__audit_finding(
                a, VOUCH_AUDIT_MTASTS, VOUCH_AUDIT_ERROR,
                "mtasts-record-syntax", fix,
                "the MTA-STS record at %s is invalid at byte %zu (%s): "
                "senders apply no policy",
                name, err.offset, err.msg);
        } else {
            st->record_ok = true;
            (void)snprintf(st->id, sizeof(st->id), "%s", rec.id);
        }
    }
    vouch_dns_answer_free(ans);
    if (!st->record_ok) {
        return true;
    }
    if (a->opts->no_fetch) {
        vouch__audit_finding(
            a, VOUCH_AUDIT_MTASTS, VOUCH_AUDIT_INFO, "mtasts-not-fetched", NULL,
            "the MTA-STS policy was not fetched (no_fetch): only the TXT "
            "record was checked");
        return true;
    }
    if (vouch__audit_fetch_ms(a) == 0) {
        vouch__audit_finding(
            a, VOUCH_AUDIT_MTASTS, VOUCH_AUDIT_WARNING, "mtasts-not-fetched",
            NULL,
            "the MTA-STS policy was not fetched: the domain's time limit "
            "was reached; only the TXT record was checked");
        return true;
    }
    fetch_policy(a);
    return true;
}

/* see audit_internal.h */
void
vouch__audit_sts(audit_t *a)
{
    vouch_audit_result_t *res = a->res;
    char fix[VOUCH_AUDIT_FIX_MAX];
    bool tlsrpt;

    if (res->mx.null_mx || res->mx.status == VOUCH_DNS_NXDOMAIN ||
        (res->mx.n == 0 && !res->mx.implicit &&
         !vouch__audit_dns_failed(res->mx.status))) {
        const char *why = res->mx.null_mx
                              ? "null MX: the domain takes no mail"
                              : "no MX hosts: the domain takes no mail";

        vouch__audit_skip(res, VOUCH_AUDIT_MTASTS, why);
        vouch__audit_skip(res, VOUCH_AUDIT_TLSRPT, why);
        return;
    }
    /* TLS-RPT first: the MTA-STS advice depends on it, and its own advice
     * on MTA-STS and DANE */
    tlsrpt = tlsrpt_check(a);
    if (!mtasts_check(a) || !tlsrpt || res->tlsrpt.nrecords > 0 ||
        vouch__audit_dns_failed(res->tlsrpt.dns)) {
        return;
    }
    tlsrpt_record_fix(a, fix, sizeof(fix));
    if (res->mtasts.nrecords > 0 || res->dnssec.dane) {
        vouch__audit_finding(
            a, VOUCH_AUDIT_TLSRPT, VOUCH_AUDIT_WARNING, "tlsrpt-none", fix,
            "no TLS-RPT record at _smtp._tls.%s although the domain uses "
            "%s: failures of TLS delivery to it go unreported (RFC 8460). "
            "Publish one with a mailbox that exists",
            res->domain, res->mtasts.nrecords > 0 ? "MTA-STS" : "DANE");
    } else {
        vouch__audit_finding(
            a, VOUCH_AUDIT_TLSRPT, VOUCH_AUDIT_INFO, "tlsrpt-none", fix,
            "no TLS-RPT record at _smtp._tls.%s: publish one (with a "
            "mailbox that exists) before MTA-STS, to see TLS failures of "
            "mail sent to you (RFC 8460)",
            res->domain);
    }
}
