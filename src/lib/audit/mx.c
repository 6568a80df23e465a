/* SPDX-License-Identifier: MIT */
/*
 * audit/mx.c - the MX area: MX hosts (sorted by preference), null MX
 * (RFC 7505), the implicit MX of RFC 5321 §5.1, hosts that do not
 * resolve; and DANE for SMTP (RFC 7672): TLSA records at
 * _25._tcp.<mx host>, their field values (RFC 6698 §2.1) and whether they
 * can be used at all (only from a DNSSEC-secure answer).
 */
#include <stdio.h>
#include <string.h>

#include "audit_internal.h"

static bool
has_address(audit_t *a, const char *name, vouch_dns_status_t *st)
{
    const vouch_dns_answer_t *ans = vouch__audit_query(a, name, VOUCH_DNS_A);
    bool ok;

    if (ans == NULL) {
        *st = VOUCH_DNS_SERVFAIL;
        return false;
    }
    *st = ans->status;
    ok = ans->status == VOUCH_DNS_NOERROR;
    vouch_dns_answer_free(ans);
    if (!ok && !vouch__audit_dns_failed(*st)) {
        ans = vouch__audit_query(a, name, VOUCH_DNS_AAAA);
        if (ans != NULL) {
            ok = ans->status == VOUCH_DNS_NOERROR;
            if (ok || vouch__audit_dns_failed(ans->status)) {
                *st = ans->status;
            }
            vouch_dns_answer_free(ans);
        }
    }
    return ok;
}

/* Keep host h in preference order (insertion); the list is capped. */
static void
keep_host(vouch_audit_mx_t *mx, const vouch_dns_rr_t *rr)
{
    size_t i;

    if (mx->n == VOUCH_AUDIT_MX_MAX) {
        return;
    }
    i = mx->n++;
    while (i > 0 && mx->host[i - 1].pref > rr->pref) {
        mx->host[i] = mx->host[i - 1];
        i--;
    }
    memset(&mx->host[i], 0, sizeof(mx->host[i]));
    vouch__escape_into(mx->host[i].name, sizeof(mx->host[i].name), rr->data,
                       rr->len);
    mx->host[i].pref = rr->pref;
}

static void
no_mx(audit_t *a, vouch_dns_status_t st)
{
    vouch_audit_mx_t *mx = &a->res->mx;
    const char *d = a->res->domain;
    char fix[VOUCH_AUDIT_FIX_MAX];
    vouch_dns_status_t ast;

    (void)snprintf(fix, sizeof(fix), "%s. IN MX 0 .", d);
    if (st == VOUCH_DNS_NXDOMAIN) {
        vouch__audit_finding(a, VOUCH_AUDIT_MX, VOUCH_AUDIT_CRITICAL,
                             "domain-nxdomain", NULL,
                             "%s does not exist (NXDOMAIN): nothing else can "
                             "be checked meaningfully",
                             d);
        return;
    }
    if (has_address(a, d, &ast)) {
        mx->implicit = true;
        vouch__audit_finding(
            a, VOUCH_AUDIT_MX, VOUCH_AUDIT_WARNING, "mx-implicit", fix,
            "no MX record: mail for %s goes to its address record (implicit "
            "MX, RFC 5321 §5.1); publish MX records, or a null MX (RFC "
            "7505) if the domain takes no mail",
            d);
        return;
    }
    vouch__audit_finding(a, VOUCH_AUDIT_MX, VOUCH_AUDIT_INFO, "mx-none", fix,
                         "no MX and no address: %s takes no mail; say so "
                         "with a null MX (RFC 7505)",
                         d);
}

void
vouch__audit_mx(audit_t *a)
{
    vouch_audit_mx_t *mx = &a->res->mx;
    const char *d = a->res->domain;
    const vouch_dns_answer_t *ans;
    size_t i;

    ans = vouch__audit_query(a, d, VOUCH_DNS_MX);
    if (ans == NULL) {
        mx->status = VOUCH_DNS_SERVFAIL;
        return;
    }
    mx->status = ans->status;
    if (vouch__audit_dns_failed(ans->status)) {
        vouch__audit_finding(
            a, VOUCH_AUDIT_MX, VOUCH_AUDIT_ERROR, "mx-dns-error", NULL,
            "MX query for %s failed: %s%s%s", d,
            vouch_dns_status_name(ans->status), ans->why != NULL ? ": " : "",
            ans->why != NULL ? ans->why : "");
        vouch_dns_answer_free(ans);
        return;
    }
    if (ans->status != VOUCH_DNS_NOERROR) {
        vouch_dns_status_t st = ans->status;

        vouch_dns_answer_free(ans);
        no_mx(a, st);
        return;
    }
    for (i = 0; i < ans->n; i++) {
        if (ans->rr[i].type != VOUCH_DNS_MX) {
            continue;
        }
        mx->total++;
        if (strcmp(ans->rr[i].data, ".") == 0) {
            mx->null_mx = true;
        } else {
            keep_host(mx, &ans->rr[i]);
        }
    }
    vouch_dns_answer_free(ans);
    if (mx->null_mx && mx->total > 1) {
        char fix[VOUCH_AUDIT_FIX_MAX];

        (void)snprintf(fix, sizeof(fix), "%s. IN MX 0 .", d);
        vouch__audit_finding(
            a, VOUCH_AUDIT_MX, VOUCH_AUDIT_ERROR, "mx-null-mixed", fix,
            "a null MX must be the only MX record (RFC 7505 §3); %zu "
            "other MX records make senders try them",
            mx->total - 1);
    }
    if (mx->total > VOUCH_AUDIT_MX_MAX + (mx->null_mx ? 1u : 0u)) {
        vouch__audit_finding(a, VOUCH_AUDIT_MX, VOUCH_AUDIT_INFO, "mx-many",
                             NULL,
                             "%zu MX records; the first %d by preference "
                             "were checked",
                             mx->total, VOUCH_AUDIT_MX_MAX);
    }
    for (i = 0; i < mx->n; i++) {
        vouch_audit_mx_host_t *h = &mx->host[i];

        if (!has_address(a, h->name, &h->addr_status)) {
            vouch__audit_finding(
                a, VOUCH_AUDIT_MX, VOUCH_AUDIT_ERROR, "mx-host-unresolvable",
                NULL,
                "MX host %s has no address (%s): mail to it bounces "
                "or is delayed",
                h->name, vouch_dns_status_name(h->addr_status));
        }
    }
}

/* ---- DANE (RFC 7672, RFC 6698) ------------------------------------------ */

/* RFC 6698 §2.1: usage 0-3, selector 0-1, matching type 0-2; SHA-256 and
 * SHA-512 digests are 32 and 64 bytes. */
static bool
tlsa_ok(const vouch_dns_rr_t *rr, bool *pkix)
{
    const uint8_t *p = (const uint8_t *)rr->data;
    size_t dlen;

    if (rr->len < 4) {
        return false;
    }
    dlen = rr->len - 3;
    *pkix = p[0] < 2;
    if (p[0] > 3 || p[1] > 1 || p[2] > 2) {
        return false;
    }
    return (p[2] == 0) || (p[2] == 1 && dlen == 32) ||
           (p[2] == 2 && dlen == 64);
}

void
vouch__audit_dane(audit_t *a)
{
    vouch_audit_mx_t *mx = &a->res->mx;
    char name[VOUCH_DNS_NAME_MAX + 16];
    size_t i, j;

    for (i = 0; i < mx->n; i++) {
        vouch_audit_mx_host_t *h = &mx->host[i];
        const vouch_dns_answer_t *ans;
        bool pkix = false;

        (void)snprintf(name, sizeof(name), "_25._tcp.%s", h->name);
        h->tlsa_status = VOUCH_DNS_NXDOMAIN;
        ans = vouch__audit_query(a, name, VOUCH_DNS_TLSA);
        if (ans == NULL) {
            continue;
        }
        h->tlsa_status = ans->status;
        h->dnssec = ans->dnssec;
        for (j = 0; j < ans->n; j++) {
            if (ans->rr[j].type != VOUCH_DNS_TLSA) {
                continue;
            }
            h->tlsa_n++;
            if (!tlsa_ok(&ans->rr[j], &pkix)) {
                h->tlsa_bad++;
            }
        }
        vouch_dns_answer_free(ans);
        if (h->tlsa_n == 0) {
            continue;
        }
        if (h->tlsa_bad > 0) {
            vouch__audit_finding(
                a, VOUCH_AUDIT_DNSSEC, VOUCH_AUDIT_ERROR, "dane-tlsa-bad", NULL,
                "%u of %u TLSA records at %s have bad field values or "
                "digest lengths (RFC 6698 §2.1)",
                h->tlsa_bad, h->tlsa_n, name);
        }
        if (pkix) {
            vouch__audit_finding(
                a, VOUCH_AUDIT_DNSSEC, VOUCH_AUDIT_WARNING, "dane-pkix-usage",
                NULL,
                "TLSA at %s uses a PKIX usage (0 or 1), which SMTP DANE "
                "does not support (RFC 7672 §3.1.3): use 3 1 1 or 2 1 1",
                name);
        }
        if (h->dnssec != VOUCH_DNSSEC_SECURE) {
            vouch__audit_finding(
                a, VOUCH_AUDIT_DNSSEC, VOUCH_AUDIT_WARNING, "dane-insecure",
                NULL,
                "TLSA records at %s are not DNSSEC-secure: senders ignore "
                "them (RFC 7672 §2.2)",
                name);
        } else if (h->tlsa_bad < h->tlsa_n) {
            a->res->dnssec.dane = true;
        }
    }
}
