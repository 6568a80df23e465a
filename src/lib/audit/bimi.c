/* SPDX-License-Identifier: MIT */
/*
 * audit/bimi.c - the BIMI area, record level: the assertion record at
 * default._bimi.<domain> (none, several, syntax, declination) and the
 * DMARC enforcement BIMI requires. The SVG and mark certificate fetch
 * is not done yet (issue 5).
 */
#include <stdio.h>
#include <string.h>

#include "audit_internal.h"
#include "vouch/bimi.h"

static bool
dmarc_enforces(const vouch_audit_dmarc_t *d)
{
    bool p_ok = d->policy == VOUCH_DMARC_P_QUARANTINE ||
                d->policy == VOUCH_DMARC_P_REJECT;
    bool sp_ok = d->sp != VOUCH_DMARC_P_NONE;

    return d->found && p_ok && sp_ok && !d->rec.t && d->rec.pct == 100;
}

void
vouch__audit_bimi(audit_t *a)
{
    char name[VOUCH_DNS_NAME_MAX + 16];
    const vouch_dns_answer_t *ans;
    const vouch_dns_rr_t *first = NULL;
    vouch_bimi_record_t rec;
    vouch_error_t err;
    size_t i, n = 0;
    bool enforces = dmarc_enforces(&a->res->dmarc);

    if (!a->res->mx.sends_mail) {
        a->res->area[VOUCH_AUDIT_BIMI].status = VOUCH_AUDIT_STATUS_SKIPPED;
        (void)snprintf(a->res->area[VOUCH_AUDIT_BIMI].note,
                       sizeof(a->res->area[VOUCH_AUDIT_BIMI].note),
                       "the domain sends no mail");
        return;
    }
    a->res->area[VOUCH_AUDIT_BIMI].status = VOUCH_AUDIT_STATUS_OK;
    (void)snprintf(name, sizeof(name), "default._bimi.%s", a->res->domain);
    ans = vouch__audit_query(a, name, VOUCH_DNS_TXT);
    if (ans == NULL) {
        return;
    }
    if (vouch__audit_dns_failed(ans->status)) {
        vouch__audit_finding(a, VOUCH_AUDIT_BIMI, VOUCH_AUDIT_WARNING,
                             "bimi-dns-error", NULL,
                             "the BIMI lookup of %s failed (%s)", name,
                             vouch_dns_status_name(ans->status));
        vouch_dns_answer_free(ans);
        return;
    }
    for (i = 0; i < ans->n; i++) {
        const vouch_dns_rr_t *rr = &ans->rr[i];

        if (rr->type == VOUCH_DNS_TXT && rr->len >= 2 &&
            (rr->data[0] == 'v' || rr->data[0] == 'V') && rr->data[1] == '=') {
            if (n++ == 0) {
                first = rr;
            }
        }
    }
    (void)snprintf(a->res->area[VOUCH_AUDIT_BIMI].note,
                   sizeof(a->res->area[VOUCH_AUDIT_BIMI].note),
                   n == 0 ? "no record" : "%zu record(s)", n);
    if (n == 0) {
        vouch__audit_finding(a, VOUCH_AUDIT_BIMI, VOUCH_AUDIT_INFO, "bimi-none",
                             NULL, "no BIMI record at %s%s", name,
                             enforces
                                 ? ": publish one to show a brand logo"
                                 : ": consider BIMI only once DMARC enforces");
    } else if (n > 1) {
        vouch__audit_finding(a, VOUCH_AUDIT_BIMI, VOUCH_AUDIT_ERROR,
                             "bimi-multiple", NULL,
                             "%s has %zu records: receivers ignore them all; "
                             "keep one",
                             name, n);
    } else {
        vouch_error_clear(&err);
        if (vouch_bimi_record_parse(&rec, (const char *)first->data, first->len,
                                    &err) != 0) {
            vouch__audit_finding(
                a, VOUCH_AUDIT_BIMI, VOUCH_AUDIT_ERROR, "bimi-syntax", NULL,
                "the BIMI record at %s is invalid (%s): receivers ignore it",
                name, vouch_bimi_record_error_name(rec.error));
        } else if (rec.declination) {
            vouch__audit_finding(a, VOUCH_AUDIT_BIMI, VOUCH_AUDIT_INFO,
                                 "bimi-declined", NULL,
                                 "the BIMI record at %s declines BIMI "
                                 "(empty l= and a=)",
                                 name);
        } else if (!enforces) {
            vouch__audit_finding(
                a, VOUCH_AUDIT_BIMI, VOUCH_AUDIT_ERROR,
                "bimi-dmarc-not-enforced", NULL,
                "BIMI needs DMARC at enforcement (p=quarantine or reject, "
                "pct=100, no t=y, sp not none): receivers show no logo");
        }
    }
    vouch_dns_answer_free(ans);
}
