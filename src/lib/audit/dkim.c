/* SPDX-License-Identifier: MIT */
/*
 * audit/dkim.c - the DKIM area: key records (RFC 6376 §3.6.1) at the
 * selectors the caller names and, with discovery, at the well-known
 * selectors of big senders. Keys are parsed by the DKIM module's own
 * key-record parser (dkim/key.c), the same one the verifier uses.
 * Judged: key type and size (RSA under 1024 bits is refused by verifiers,
 * RFC 8301 §3.2; under 2048 is weak), t=y (testing), empty p= (revoked),
 * syntax. A selector nobody uses is not a finding: DNS cannot list them,
 * so "no key found" is only a warning, and only for a sending domain.
 */
#include <stdio.h>
#include <string.h>

#include "../dkim/dkim_internal.h"
#include "audit_internal.h"

static void
judge(audit_t *a, const vouch_audit_selector_t *s)
{
    const char *d = a->res->domain;

    if (s->revoked) {
        vouch__audit_finding(a, VOUCH_AUDIT_DKIM, VOUCH_AUDIT_INFO,
                             "dkim-revoked", NULL,
                             "selector %s of %s is revoked (empty p=): fine "
                             "after a key rotation, as long as nothing signs "
                             "with it",
                             s->name, d);
        return;
    }
    if (!s->usable) {
        vouch__audit_finding(a, VOUCH_AUDIT_DKIM, VOUCH_AUDIT_ERROR,
                             "dkim-key-invalid", NULL,
                             "the key record at %s._domainkey.%s is not "
                             "usable: %s",
                             s->name, d, s->error);
        return;
    }
    if (strcmp(s->key_type, "rsa") == 0 && s->key_bits < 1024) {
        vouch__audit_finding(
            a, VOUCH_AUDIT_DKIM, VOUCH_AUDIT_ERROR, "dkim-key-too-small", NULL,
            "selector %s has a %u-bit RSA key: verifiers refuse keys under "
            "1024 bits (RFC 8301 §3.2); make a 2048-bit key (vouch dkim "
            "keygen) and publish it under a new selector",
            s->name, s->key_bits);
    } else if (strcmp(s->key_type, "rsa") == 0 && s->key_bits < 2048) {
        vouch__audit_finding(
            a, VOUCH_AUDIT_DKIM, VOUCH_AUDIT_WARNING, "dkim-key-weak", NULL,
            "selector %s has a %u-bit RSA key: use 2048 bits (RFC 8301 "
            "§3.2 recommends at least 2048)",
            s->name, s->key_bits);
    }
    if (s->testing) {
        vouch__audit_finding(a, VOUCH_AUDIT_DKIM, VOUCH_AUDIT_WARNING,
                             "dkim-testing", NULL,
                             "selector %s has t=y (testing): verifiers may "
                             "treat its signatures as unsigned; remove t=y",
                             s->name);
    }
}

/* Look at one selector; kept in the result when given or found. */
static void
selector(audit_t *a, const char *name, bool given)
{
    vouch_audit_dkim_t *dk = &a->res->dkim;
    vouch_audit_selector_t *s;
    char qname[VOUCH_DNS_NAME_MAX + 80];
    const vouch_dns_answer_t *ans;
    const dkim_keyrec_t *k;
    dkim_keyrec_t *owned = NULL;
    size_t i;

    for (i = 0; i < dk->n; i++) {
        if (strcmp(dk->sel[i].name, name) == 0) {
            return; /* given and also in the discovery list */
        }
    }
    if (dk->n == VOUCH_AUDIT_SELECTORS_MAX) {
        return;
    }
    (void)snprintf(qname, sizeof(qname), "%s._domainkey.%s", name,
                   a->res->domain);
    ans = vouch__audit_query(a, qname, VOUCH_DNS_TXT);
    if (ans == NULL) {
        return;
    }
    if (!given && ans->status != VOUCH_DNS_NOERROR &&
        !vouch__audit_dns_failed(ans->status)) {
        vouch_dns_answer_free(ans);
        return;
    }
    s = &dk->sel[dk->n++];
    memset(s, 0, sizeof(*s));
    (void)snprintf(s->name, sizeof(s->name), "%s", name);
    s->given = given;
    s->key_type = "";
    s->dnssec = ans->dnssec;
    if (ans->status != VOUCH_DNS_NOERROR) {
        bool failed = vouch__audit_dns_failed(ans->status);

        (void)snprintf(s->error, sizeof(s->error), "%s",
                       vouch_dns_status_name(ans->status));
        vouch__audit_finding(
            a, VOUCH_AUDIT_DKIM,
            failed ? VOUCH_AUDIT_WARNING : VOUCH_AUDIT_ERROR,
            failed ? "dkim-dns-error" : "dkim-selector-missing", NULL,
            "no DKIM key at %s (%s)%s", qname,
            vouch_dns_status_name(ans->status),
            failed ? "" : ": mail signed with this selector fails DKIM");
        vouch_dns_answer_free(ans);
        return;
    }
    k = vouch__dkim_keyrec_get(a->ctx, ans, &owned);
    if (k == NULL) {
        a->fatal = VOUCH_ENOMEM;
        vouch_dns_answer_free(ans);
        return;
    }
    s->found = true;
    dk->nfound++;
    s->usable = k->status == 0;
    s->revoked = k->revoked;
    s->testing = k->testing;
    s->key_type = k->kind == VOUCH__KEY_ED25519 ? "ed25519" : "rsa";
    s->key_bits = k->bits;
    if (k->status != 0 && !k->revoked) {
        vouch__escape_into(s->error, sizeof(s->error), k->error,
                           strlen(k->error));
    }
    vouch__dkim_keyrec_free(a->ctx, owned);
    vouch_dns_answer_free(ans);
    judge(a, s);
}

void
vouch__audit_dkim(audit_t *a)
{
    vouch_audit_area_result_t *area = &a->res->area[VOUCH_AUDIT_DKIM];
    const char *const *p;
    size_t i;

    for (i = 0; i < a->opts->nselectors; i++) {
        selector(a, a->opts->selectors[i], true);
    }
    if (a->opts->discovery) {
        for (p = vouch_audit_discovery_selectors(); *p != NULL; p++) {
            selector(a, *p, false);
        }
    }
    if (a->res->dkim.nfound > 0) {
        return;
    }
    if (a->opts->nselectors == 0 && !a->opts->discovery) {
        area->status = VOUCH_AUDIT_STATUS_SKIPPED;
        (void)snprintf(area->note, sizeof(area->note),
                       "no selector given and discovery off");
        return;
    }
    if (!a->res->mx.sends_mail) {
        return; /* a domain that sends no mail needs no key */
    }
    vouch__audit_finding(
        a, VOUCH_AUDIT_DKIM, VOUCH_AUDIT_WARNING, "dkim-not-found", NULL,
        "no DKIM key found at the %s selectors tried; DNS cannot list "
        "selectors, so name yours with --selector. If none exists, make a "
        "key (vouch dkim keygen) and sign outgoing mail",
        a->opts->discovery ? "well-known and given" : "given");
}
