/* SPDX-License-Identifier: MIT */
/*
 * audit/grade.c - scores, grade and plan from the findings (the formula
 * is documented in docs/check.md; change both together).
 *
 * Area score: 100 minus a penalty per finding of the area (info 0,
 * warning 15, error 40, critical 100; the warning "dnssec-unsigned" 40),
 * at least 0.
 * Overall: the weighted mean of the areas that were checked, rounded;
 * at most 59 when any finding is critical. Grade: A >= 90, B >= 80,
 * C >= 70, D >= 60, else F.
 *
 * Plan: the rollout order SPF -> DKIM -> DMARC (p=none with rua ->
 * monitor -> quarantine -> reject), then MX, DNSSEC/DANE, then transport
 * security: what breaks MTA-STS (errors, criticals), TLS-RPT, then the
 * MTA-STS rollout (none -> testing -> enforce once the TLS-RPT reports
 * are clean and, with --smtp-probe, every MX offers STARTTLS with a valid
 * certificate for its name); within an area the worst findings first,
 * and among equals the rollout's order (rollout[] below). Steps are the
 * findings that block the next stage (errors, criticals) and the rollout
 * findings that move a domain forward. BIMI comes last and only once
 * DMARC enforces (before that a logo is shown nowhere, and the DMARC steps
 * matter more): no record, a broken record, logo or mark certificate, no
 * mark certificate. BIMI weighs 0 in the overall score: it shows a brand,
 * it protects nothing.
 */
#include <stdio.h>
#include <string.h>

#include "audit_internal.h"

static const unsigned weights[VOUCH_AUDIT_AREAS] = {
    [VOUCH_AUDIT_MX] = 10,    [VOUCH_AUDIT_SPF] = 25,
    [VOUCH_AUDIT_DKIM] = 20,  [VOUCH_AUDIT_DMARC] = 30,
    [VOUCH_AUDIT_MTASTS] = 5, [VOUCH_AUDIT_TLSRPT] = 5,
    [VOUCH_AUDIT_BIMI] = 0,   [VOUCH_AUDIT_DNSSEC] = 5,
};

static int
penalty(const vouch_audit_finding_t *f)
{
    static const int by_severity[] = { 0, 15, 40, 100 };

    if (strcmp(f->id, "dnssec-unsigned") == 0) {
        return 40;
    }
    return by_severity[f->severity];
}

/* Findings that move a domain along the rollout even when not errors. */
static const char *const rollout[] = {
    "spf-no-all",
    "spf-neutral-all",
    "dkim-not-found",
    "dkim-key-weak",
    "dkim-testing",
    "dmarc-no-rua",
    "dmarc-monitor-only",
    "dmarc-quarantine",
    "dmarc-testing",
    "dmarc-sp-weaker",
    "spf-lookups-near-limit",
    "tlsrpt-none",
    "mtasts-none",
    "mtasts-mode-none",
    /* an MX a sender cannot reach over verified TLS: enforce would bounce */
    "smtp-starttls-missing",
    "smtp-tls-failed",
    "smtp-cert-expired",
    "smtp-cert-name",
    "smtp-cert-untrusted",
    "smtp-cert-invalid",
    "mtasts-testing",
    "mtasts-max-age-short",
    "mtasts-mx-uncovered",
    "bimi-none",
    "bimi-no-vmc",
    "bimi-logo-content-type",
    "bimi-svg-attribute",
    NULL,
};

/* Where f stands in the plan within its area and severity: 0 for errors,
 * criticals and a null MX's findings (in the order found), 1 + the index
 * in rollout[] for the others there; -1: not a step. */
static int
rollout_rank(const audit_t *a, const vouch_audit_finding_t *f)
{
    int i;

    if (f->severity >= VOUCH_AUDIT_ERROR) {
        return 0;
    }
    if (!a->res->mx.sends_mail &&
        (strcmp(f->id, "mx-none") == 0 || strcmp(f->id, "mx-implicit") == 0)) {
        return 0; /* a null MX says "no mail here" */
    }
    for (i = 0; rollout[i] != NULL; i++) {
        if (strcmp(f->id, rollout[i]) == 0) {
            return 1 + i;
        }
    }
    return -1;
}

static void
add_step(vouch_audit_result_t *res, vouch_audit_area_t area, const char *text,
         const char *record)
{
    vouch_audit_step_t *s;

    if (res->nsteps == VOUCH_AUDIT_PLAN_MAX) {
        return;
    }
    s = &res->step[res->nsteps];
    s->order = (unsigned)++res->nsteps;
    s->area = area;
    (void)snprintf(s->text, sizeof(s->text), "%s", text);
    (void)snprintf(s->record, sizeof(s->record), "%s", record);
}

static void
plan(audit_t *a)
{
    /* areas in rollout order, each with the severities taken there */
    static const struct {
        vouch_audit_area_t area;
        int from, to;
    } order[] = {
        { VOUCH_AUDIT_SPF, VOUCH_AUDIT_INFO, VOUCH_AUDIT_CRITICAL },
        { VOUCH_AUDIT_DKIM, VOUCH_AUDIT_INFO, VOUCH_AUDIT_CRITICAL },
        { VOUCH_AUDIT_DMARC, VOUCH_AUDIT_INFO, VOUCH_AUDIT_CRITICAL },
        { VOUCH_AUDIT_MX, VOUCH_AUDIT_INFO, VOUCH_AUDIT_CRITICAL },
        { VOUCH_AUDIT_DNSSEC, VOUCH_AUDIT_INFO, VOUCH_AUDIT_CRITICAL },
        { VOUCH_AUDIT_MTASTS, VOUCH_AUDIT_ERROR, VOUCH_AUDIT_CRITICAL },
        { VOUCH_AUDIT_TLSRPT, VOUCH_AUDIT_INFO, VOUCH_AUDIT_CRITICAL },
        { VOUCH_AUDIT_MTASTS, VOUCH_AUDIT_INFO, VOUCH_AUDIT_WARNING },
        { VOUCH_AUDIT_BIMI, VOUCH_AUDIT_INFO, VOUCH_AUDIT_CRITICAL },
    };

    vouch_audit_result_t *res = a->res;
    size_t i, j;
    int sev, rank;

    for (i = 0; i < VOUCH_ARRAY_LEN(order); i++) {
        if (order[i].area == VOUCH_AUDIT_BIMI && !res->bimi.dmarc_enforces) {
            continue;
        }
        for (sev = order[i].to; sev >= order[i].from; sev--) {
            for (rank = 0; rank <= (int)VOUCH_ARRAY_LEN(rollout); rank++) {
                for (j = 0; j < res->nfindings; j++) {
                    const vouch_audit_finding_t *f = &res->finding[j];

                    if (f->area == order[i].area && (int)f->severity == sev &&
                        rollout_rank(a, f) == rank) {
                        add_step(res, f->area, f->explanation, f->fix);
                    }
                }
            }
        }
    }
}

void
vouch__audit_grade(audit_t *a)
{
    vouch_audit_result_t *res = a->res;
    int score[VOUCH_AUDIT_AREAS];
    vouch_audit_severity_t worst[VOUCH_AUDIT_AREAS];
    bool any[VOUCH_AUDIT_AREAS], critical = false;
    unsigned wsum = 0, sum = 0;
    size_t i;

    for (i = 0; i < VOUCH_AUDIT_AREAS; i++) {
        score[i] = 100;
        worst[i] = VOUCH_AUDIT_INFO;
        any[i] = false;
    }
    for (i = 0; i < res->nfindings; i++) {
        const vouch_audit_finding_t *f = &res->finding[i];

        score[f->area] -= penalty(f);
        if (f->severity > worst[f->area]) {
            worst[f->area] = f->severity;
        }
        any[f->area] = true;
        critical |= f->severity == VOUCH_AUDIT_CRITICAL;
    }
    if (!res->mx.sends_mail && !any[VOUCH_AUDIT_DKIM] &&
        res->area[VOUCH_AUDIT_DKIM].status != VOUCH_AUDIT_STATUS_SKIPPED) {
        res->area[VOUCH_AUDIT_DKIM].status = VOUCH_AUDIT_STATUS_SKIPPED;
        (void)snprintf(res->area[VOUCH_AUDIT_DKIM].note,
                       sizeof(res->area[VOUCH_AUDIT_DKIM].note),
                       "the domain sends no mail");
    }
    for (i = 0; i < VOUCH_AUDIT_AREAS; i++) {
        vouch_audit_area_result_t *ar = &res->area[i];

        ar->weight = weights[i];
        if (ar->status == VOUCH_AUDIT_STATUS_SKIPPED) {
            ar->score = -1;
            continue;
        }
        ar->score = score[i] < 0 ? 0 : score[i];
        ar->status = worst[i] >= VOUCH_AUDIT_ERROR ? VOUCH_AUDIT_STATUS_FAIL
                     : worst[i] == VOUCH_AUDIT_WARNING
                         ? VOUCH_AUDIT_STATUS_WARNING
                         : VOUCH_AUDIT_STATUS_OK;
        wsum += ar->weight;
        sum += ar->weight * (unsigned)ar->score;
    }
    res->score = wsum > 0 ? (int)((sum + wsum / 2) / wsum) : 0;
    if (critical && res->score > 59) {
        res->score = 59;
    }
    res->grade = res->score >= 90   ? 'A'
                 : res->score >= 80 ? 'B'
                 : res->score >= 70 ? 'C'
                 : res->score >= 60 ? 'D'
                                    : 'F';
    plan(a);
}
