/* SPDX-License-Identifier: MIT */
/*
 * audit/dmarc.c - the DMARC area: the policy record found by the RFC 9989
 * DNS tree walk (vouch_dmarc_evaluate does the walk), parsed by the DMARC
 * module's record parser; several records at one name; the strength of
 * p, sp and np; t=y; rua/ruf present and, for destinations in another
 * Organizational Domain, authorised by their _report._dmarc record
 * (vouch_dmarc_check_destination). The fixes are whole records, built
 * from the published one with one thing changed, so they can be pasted.
 */
#include <stdio.h>
#include <string.h>

#include "../dmarc/dmarc_internal.h"
#include "audit_internal.h"

/* Strength order of policies: unset < none < quarantine < reject. */
static int
strength(vouch_dmarc_policy_t p)
{
    return (int)p;
}

/* The published record with p set to want (sp dropped when weaker, t=
 * dropped, rua added when missing), as "_dmarc.D. IN TXT ..." */
static void
compose(audit_t *a, vouch_dmarc_policy_t want, char *fix, size_t cap)
{
    const vouch_audit_dmarc_t *dm = &a->res->dmarc;
    const vouch_dmarc_record_t *r = &dm->rec;
    const char *d = dm->found ? dm->policy_domain : a->res->domain;
    char value[VOUCH_AUDIT_FIX_MAX], owner[VOUCH_DNS_NAME_MAX + 8];
    size_t o, i;
    int n;

    o = (size_t)snprintf(value, sizeof(value), "v=DMARC1; p=%s",
                         vouch_dmarc_policy_name(want));
#define ADD(...)                                                               \
    do {                                                                       \
        n = snprintf(value + o, sizeof(value) - o, __VA_ARGS__);               \
        if (n < 0 || (size_t)n >= sizeof(value) - o) {                         \
            fix[0] = '\0';                                                     \
            return;                                                            \
        }                                                                      \
        o += (size_t)n;                                                        \
    } while (0)
    if (dm->found && (r->present & VOUCH_DMARC_TAG_SP) &&
        r->sp != VOUCH_DMARC_P_UNSET && strength(r->sp) >= strength(want)) {
        ADD("; sp=%s", vouch_dmarc_policy_name(r->sp));
    }
    if (dm->found && r->rua.n > 0) {
        for (i = 0; i < r->rua.n; i++) {
            ADD("%s%s", i == 0 ? "; rua=" : ",", r->rua.uri[i].uri);
        }
    } else {
        ADD("; rua=mailto:dmarc-reports@%s", d);
    }
    for (i = 0; dm->found && i < r->ruf.n; i++) {
        ADD("%s%s", i == 0 ? "; ruf=" : ",", r->ruf.uri[i].uri);
    }
    if (dm->found && r->adkim == VOUCH_DMARC_ALIGN_STRICT) {
        ADD("; adkim=s");
    }
    if (dm->found && r->aspf == VOUCH_DMARC_ALIGN_STRICT) {
        ADD("; aspf=s");
    }
#undef ADD
    (void)snprintf(owner, sizeof(owner), "_dmarc.%s", d);
    (void)vouch__audit_txt_fix(fix, cap, owner, value);
}

static void
destinations(audit_t *a, const vouch_dmarc_urilist_t *list,
             vouch_dmarc_dest_t *dest, const char *tag)
{
    vouch_audit_dmarc_t *dm = &a->res->dmarc;
    size_t i;

    for (i = 0; i < list->n; i++) {
        const char *uri = list->uri[i].uri;
        char host[DMARC_NAME_BUF], fix[VOUCH_AUDIT_FIX_MAX];
        char owner[2 * VOUCH_DNS_NAME_MAX + 32];
        int rc;

        rc = vouch_dmarc_check_destination(&dest[i], a->ctx, a->resolver, NULL,
                                           dm->policy_domain, uri, strlen(uri),
                                           NULL);
        if (rc == VOUCH_ENOMEM) {
            a->fatal = rc;
            return;
        }
        if (rc != 0) {
            dest[i] = VOUCH_DMARC_DEST_BAD_URI;
        }
        switch (dest[i]) {
        case VOUCH_DMARC_DEST_UNAUTHORIZED:
            fix[0] = '\0';
            if (vouch__dmarc_uri_host(host, uri, strlen(uri)) == 0) {
                (void)snprintf(owner, sizeof(owner), "%s._report._dmarc.%s",
                               dm->policy_domain, host);
                (void)vouch__audit_txt_fix(fix, sizeof(fix), owner, "v=DMARC1");
            }
            vouch__audit_finding(
                a, VOUCH_AUDIT_DMARC, VOUCH_AUDIT_ERROR,
                "dmarc-report-unauthorized", fix,
                "%s destination %s is in another domain that has not "
                "agreed to take reports for %s: no reports are sent there "
                "(the fix goes in the receiving domain's zone)",
                tag, uri, dm->policy_domain);
            break;
        case VOUCH_DMARC_DEST_TEMPERROR:
            vouch__audit_finding(a, VOUCH_AUDIT_DMARC, VOUCH_AUDIT_WARNING,
                                 "dmarc-report-dns-error", NULL,
                                 "could not check that %s destination %s "
                                 "accepts reports (DNS failure)",
                                 tag, uri);
            break;
        case VOUCH_DMARC_DEST_BAD_URI:
            vouch__audit_finding(
                a, VOUCH_AUDIT_DMARC, VOUCH_AUDIT_ERROR, "dmarc-report-bad-uri",
                NULL, "%s destination %s names no usable host", tag, uri);
            break;
        default:
            break;
        }
    }
}

/* Fetch and parse the record at _dmarc.<policy_domain>. */
static bool
load_record(audit_t *a)
{
    vouch_audit_dmarc_t *dm = &a->res->dmarc;
    char qname[VOUCH_DNS_NAME_MAX + 8];
    const vouch_dns_answer_t *ans;
    const vouch_dns_rr_t *rr = NULL;
    vouch_error_t err;
    size_t i;
    int rc;

    (void)snprintf(qname, sizeof(qname), "_dmarc.%s", dm->policy_domain);
    ans = vouch__audit_query(a, qname, VOUCH_DNS_TXT);
    if (ans == NULL) {
        return false;
    }
    for (i = 0; i < ans->n; i++) {
        if (ans->rr[i].type == VOUCH_DNS_TXT &&
            vouch__dmarc_is_candidate(ans->rr[i].data, ans->rr[i].len)) {
            if (dm->nrecords++ == 0) {
                rr = &ans->rr[i];
            }
        }
    }
    if (rr == NULL) {
        vouch_dns_answer_free(ans);
        return false;
    }
    vouch__escape_into(dm->record, sizeof(dm->record), rr->data, rr->len);
    vouch_error_clear(&err);
    rc = vouch_dmarc_record_parse(&dm->rec, rr->data, rr->len, VOUCH_DMARC_9989,
                                  &err);
    vouch_dns_answer_free(ans);
    if (rc != 0) {
        vouch__audit_finding(a, VOUCH_AUDIT_DMARC, VOUCH_AUDIT_ERROR,
                             "dmarc-syntax", NULL,
                             "the DMARC record at %s is not valid and is "
                             "ignored by receivers: %s",
                             qname, err.msg);
        return false;
    }
    if (dm->nrecords > 1) {
        vouch__audit_finding(a, VOUCH_AUDIT_DMARC, VOUCH_AUDIT_ERROR,
                             "dmarc-multiple", NULL,
                             "%s has %zu DMARC records: receivers may use "
                             "none of them; keep one",
                             qname, dm->nrecords);
    }
    for (i = 0; i < dm->rec.nwarnings; i++) {
        vouch__audit_finding(
            a, VOUCH_AUDIT_DMARC, VOUCH_AUDIT_WARNING, "dmarc-tag", NULL,
            "DMARC record, tag %s: %s",
            dm->rec.warnings[i].tag[0] != '\0' ? dm->rec.warnings[i].tag : "-",
            dm->rec.warnings[i].msg);
    }
    return true;
}

/* see audit_internal.h */
bool
vouch__audit_dmarc_org(audit_t *a, vouch_dmarc_record_t *rec)
{
    const vouch_audit_dmarc_t *dm = &a->res->dmarc;
    char qname[VOUCH_DNS_NAME_MAX + 8];
    const vouch_dns_answer_t *ans;
    vouch_error_t err;
    bool ok = false;
    size_t i;

    if (dm->org_domain[0] == '\0') {
        return false;
    }
    (void)snprintf(qname, sizeof(qname), "_dmarc.%s", dm->org_domain);
    ans = vouch__audit_query(a, qname, VOUCH_DNS_TXT);
    if (ans == NULL) {
        return false;
    }
    for (i = 0; i < ans->n && !ok; i++) {
        if (ans->rr[i].type == VOUCH_DNS_TXT &&
            vouch__dmarc_is_candidate(ans->rr[i].data, ans->rr[i].len)) {
            vouch_error_clear(&err);
            ok = vouch_dmarc_record_parse(rec, ans->rr[i].data, ans->rr[i].len,
                                          VOUCH_DMARC_9989, &err) == 0;
            break;
        }
    }
    vouch_dns_answer_free(ans);
    return ok;
}

static void
not_found(audit_t *a)
{
    char fix[VOUCH_AUDIT_FIX_MAX];
    bool mail = a->res->mx.sends_mail;

    compose(a, mail ? VOUCH_DMARC_P_NONE : VOUCH_DMARC_P_REJECT, fix,
            sizeof(fix));
    if (mail) {
        vouch__audit_finding(
            a, VOUCH_AUDIT_DMARC, VOUCH_AUDIT_CRITICAL, "dmarc-missing", fix,
            "no DMARC record for %s: receivers cannot tell forged From "
            "addresses from real ones and you get no reports. Start with "
            "p=none and rua to see who sends as you",
            a->res->domain);
    } else {
        vouch__audit_finding(a, VOUCH_AUDIT_DMARC, VOUCH_AUDIT_ERROR,
                             "dmarc-missing-nomail", fix,
                             "%s sends no mail but has no DMARC record: "
                             "publish p=reject so forged mail is refused",
                             a->res->domain);
    }
}

static void
policy(audit_t *a)
{
    vouch_audit_dmarc_t *dm = &a->res->dmarc;
    const vouch_dmarc_record_t *r = &dm->rec;
    char fix[VOUCH_AUDIT_FIX_MAX];

    dm->policy = vouch_dmarc_record_policy(r, false, false, NULL);
    dm->sp = vouch_dmarc_record_policy(r, true, false, NULL);
    dm->np = vouch_dmarc_record_policy(r, true, true, NULL);
    if (!a->res->mx.sends_mail && dm->policy != VOUCH_DMARC_P_REJECT) {
        compose(a, VOUCH_DMARC_P_REJECT, fix, sizeof(fix));
        vouch__audit_finding(a, VOUCH_AUDIT_DMARC, VOUCH_AUDIT_ERROR,
                             "dmarc-nomail-not-reject", fix,
                             "%s sends no mail: its DMARC policy should be "
                             "p=reject, not %s",
                             a->res->domain,
                             vouch_dmarc_policy_name(dm->policy));
    } else if (dm->policy == VOUCH_DMARC_P_UNSET) {
        compose(a, VOUCH_DMARC_P_NONE, fix, sizeof(fix));
        vouch__audit_finding(a, VOUCH_AUDIT_DMARC, VOUCH_AUDIT_ERROR,
                             "dmarc-no-policy", fix,
                             "the DMARC record has no valid p= and no rua: "
                             "receivers do no DMARC processing");
    } else if (dm->policy == VOUCH_DMARC_P_NONE) {
        compose(a, VOUCH_DMARC_P_QUARANTINE, fix, sizeof(fix));
        vouch__audit_finding(
            a, VOUCH_AUDIT_DMARC, VOUCH_AUDIT_WARNING, "dmarc-monitor-only",
            fix,
            "DMARC is p=none (monitoring): forged mail is still delivered. "
            "Read the aggregate reports for a few weeks; once all your "
            "senders pass SPF or DKIM aligned, move to p=quarantine");
    } else if (dm->policy == VOUCH_DMARC_P_QUARANTINE) {
        compose(a, VOUCH_DMARC_P_REJECT, fix, sizeof(fix));
        vouch__audit_finding(
            a, VOUCH_AUDIT_DMARC, VOUCH_AUDIT_INFO, "dmarc-quarantine", fix,
            "DMARC is p=quarantine: forged mail goes to spam. When reports "
            "stay clean, finish with p=reject");
    }
    if (r->t) {
        vouch__audit_finding(a, VOUCH_AUDIT_DMARC, VOUCH_AUDIT_WARNING,
                             "dmarc-testing", NULL,
                             "t=y: receivers apply one level less than the "
                             "policy (RFC 9989); remove t=y when done "
                             "testing");
    }
    if ((r->present & VOUCH_DMARC_TAG_SP) &&
        strength(dm->sp) < strength(dm->policy)) {
        vouch__audit_finding(a, VOUCH_AUDIT_DMARC, VOUCH_AUDIT_WARNING,
                             "dmarc-sp-weaker", NULL,
                             "sp=%s is weaker than p=%s: subdomains can be "
                             "forged more easily than the domain",
                             vouch_dmarc_policy_name(dm->sp),
                             vouch_dmarc_policy_name(dm->policy));
    }
    if ((r->present & VOUCH_DMARC_TAG_NP) &&
        strength(dm->np) < strength(dm->sp)) {
        vouch__audit_finding(a, VOUCH_AUDIT_DMARC, VOUCH_AUDIT_WARNING,
                             "dmarc-np-weaker", NULL,
                             "np=%s is weaker than the subdomain policy: "
                             "names that do not exist are easy to forge",
                             vouch_dmarc_policy_name(dm->np));
    }
    if (r->rua.n == 0 && a->res->mx.sends_mail) {
        compose(a,
                dm->policy == VOUCH_DMARC_P_UNSET ? VOUCH_DMARC_P_NONE
                                                  : dm->policy,
                fix, sizeof(fix));
        vouch__audit_finding(a, VOUCH_AUDIT_DMARC, VOUCH_AUDIT_WARNING,
                             "dmarc-no-rua", fix,
                             "no rua=: you get no aggregate reports, so you "
                             "cannot see who sends as you");
    }
}

void
vouch__audit_dmarc(audit_t *a)
{
    vouch_audit_dmarc_t *dm = &a->res->dmarc;
    vouch_dmarc_input_t in;
    vouch_dmarc_result_t r;
    int rc;

    if (a->fatal != 0) {
        return;
    }
    memset(&in, 0, sizeof(in));
    in.from_domain = a->res->domain;
    in.spf_result = VOUCH_SPF_NONE;
    rc = vouch_dmarc_evaluate(&r, a->ctx, a->resolver, NULL, &in, NULL);
    if (rc == VOUCH_ENOMEM) {
        a->fatal = rc;
        return;
    }
    a->res->queries += r.queries;
    (void)snprintf(dm->org_domain, sizeof(dm->org_domain), "%s", r.org_domain);
    if (rc != 0 || r.result == VOUCH_DMARC_TEMPERROR) {
        vouch__audit_finding(a, VOUCH_AUDIT_DMARC, VOUCH_AUDIT_ERROR,
                             "dmarc-dns-error", NULL,
                             "DMARC policy discovery failed: %s", r.reason);
        return;
    }
    if (r.policy_domain[0] == '\0') {
        not_found(a);
        return;
    }
    (void)snprintf(dm->policy_domain, sizeof(dm->policy_domain), "%s",
                   r.policy_domain);
    if (!load_record(a)) {
        if (a->fatal == 0 && dm->nrecords == 0) {
            not_found(a);
        }
        return;
    }
    dm->found = true;
    if (strcmp(dm->policy_domain, a->res->domain) != 0) {
        vouch__audit_finding(a, VOUCH_AUDIT_DMARC, VOUCH_AUDIT_INFO,
                             "dmarc-inherited", NULL,
                             "no DMARC record at _dmarc.%s: the policy of %s "
                             "applies (tree walk)",
                             a->res->domain, dm->policy_domain);
    }
    policy(a);
    destinations(a, &dm->rec.rua, dm->rua_dest, "rua");
    destinations(a, &dm->rec.ruf, dm->ruf_dest, "ruf");
}
