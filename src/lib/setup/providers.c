/* SPDX-License-Identifier: MIT */
/*
 * setup/providers.c - the well-known sending services `vouch setup` knows:
 * SPF include, its approximate lookup cost, MX host suffixes and DKIM
 * selector conventions. The data is what each provider documented when
 * the table was written (docs/setup.md lists it); providers change their
 * records, so the lookup costs are estimates that `vouch check` verifies
 * against the real tree once published.
 */
#include <string.h>

#include "vouch/setup.h"
#include "core/internal.h"

static const char *const none[] = { NULL };
static const char *const google_mx[] = { "google.com", "googlemail.com", NULL };
static const char *const m365_mx[] = { "mail.protection.outlook.com", NULL };
static const char *const zoho_mx[] = { "zoho.com", NULL };
static const char *const zoho_eu_mx[] = { "zoho.eu", NULL };
static const char *const fastmail_mx[] = { "messagingengine.com", NULL };
static const char *const proton_mx[] = { "protonmail.ch", NULL };

static const vouch_setup_provider_t providers[] = {
    { "google", "Google Workspace", "_spf.google.com", 4, google_mx, "google",
      "generate the key in the Google Admin console (Apps > Google Workspace "
      "> Gmail > Authenticate email), publish its TXT record at "
      "google._domainkey, then start authentication there" },
    { "microsoft365", "Microsoft 365 (Exchange Online)",
      "spf.protection.outlook.com", 2, m365_mx, "selector1 selector2",
      "publish the CNAMEs selector1._domainkey and selector2._domainkey that "
      "the Microsoft Defender portal shows (they point into your "
      "onmicrosoft.com tenant), then enable DKIM signing there" },
    { "mailchimp", "Mailchimp", "servers.mcsv.net", 1, none, "k2 k3",
      "publish the CNAMEs k2._domainkey -> dkim2.mcsv.net and k3._domainkey "
      "-> dkim3.mcsv.net (older accounts: k1 -> dkim.mcsv.net) and "
      "authenticate the domain in Mailchimp" },
    { "sendgrid", "Twilio SendGrid", "sendgrid.net", 2, none, "s1 s2",
      "publish the CNAMEs s1._domainkey and s2._domainkey (and the return-path "
      "CNAME) that Settings > Sender Authentication shows" },
    { "amazonses", "Amazon SES", "amazonses.com", 1, none, "",
      "publish the three Easy DKIM CNAMEs <token>._domainkey -> "
      "<token>.dkim.amazonses.com; SPF aligns only with a custom MAIL FROM "
      "subdomain, which needs its own include:amazonses.com record" },
    { "mailgun", "Mailgun", "mailgun.org", 3, none, "pdk1 pdk2",
      "publish the DKIM records Mailgun shows for the domain (pdk1/pdk2 "
      "CNAMEs; older domains a TXT at smtp, mx or k1); Mailgun usually sends "
      "from a subdomain (mg.<domain>), which needs its own SPF record" },
    { "postmark", "Postmark", "spf.mtasv.net", 1, none, "",
      "publish the TXT record at the dated selector (<timestamp>pm._domainkey) "
      "that Postmark shows, and the Return-Path CNAME pm-bounces -> "
      "pm.mtasv.net for SPF alignment" },
    { "zoho", "Zoho Mail", "zohomail.com", 2, zoho_mx, "",
      "add a DKIM selector (e.g. zmail) in the Zoho Mail admin console, "
      "publish the TXT record it shows, then verify it there" },
    { "zoho-eu", "Zoho Mail (EU data centre)", "zohomail.eu", 2, zoho_eu_mx, "",
      "add a DKIM selector (e.g. zmail) in the Zoho Mail admin console, "
      "publish the TXT record it shows, then verify it there" },
    { "fastmail", "Fastmail", "spf.messagingengine.com", 1, fastmail_mx,
      "fm1 fm2 fm3",
      "publish the CNAMEs fmN._domainkey -> fmN.<domain>.dkim.fmhosted.com "
      "for N = 1, 2, 3" },
    { "protonmail", "Proton Mail", "_spf.protonmail.ch", 1, proton_mx,
      "protonmail protonmail2 protonmail3",
      "publish the three DKIM CNAMEs (protonmail, protonmail2, protonmail3) "
      "that the Proton domain settings show" },
};

/* see vouch/setup.h */
const vouch_setup_provider_t *
vouch_setup_providers(size_t *n)
{
    if (n != NULL) {
        *n = VOUCH_ARRAY_LEN(providers);
    }
    return providers;
}

/* see vouch/setup.h */
const vouch_setup_provider_t *
vouch_setup_provider_find(const char *name, size_t len)
{
    size_t i;

    if (name == NULL) {
        return NULL;
    }
    for (i = 0; i < VOUCH_ARRAY_LEN(providers); i++) {
        if (vouch__str_ieq(name, len, providers[i].name,
                           strlen(providers[i].name))) {
            return &providers[i];
        }
    }
    return NULL;
}

/* does host end in "." suffix (or equal it)? */
static bool
under(const char *host, size_t len, const char *suffix)
{
    size_t slen = strlen(suffix);

    if (len == slen) {
        return vouch__str_ieq(host, len, suffix, slen);
    }
    return len > slen && host[len - slen - 1] == '.' &&
           vouch__str_ieq(host + len - slen, slen, suffix, slen);
}

/* see vouch/setup.h */
const vouch_setup_provider_t *
vouch_setup_provider_for_mx(const char *host, size_t len)
{
    size_t i;
    const char *const *s;

    if (host == NULL) {
        return NULL;
    }
    if (len > 0 && host[len - 1] == '.') {
        len--;
    }
    for (i = 0; i < VOUCH_ARRAY_LEN(providers); i++) {
        for (s = providers[i].mx_suffixes; *s != NULL; s++) {
            if (under(host, len, *s)) {
                return &providers[i];
            }
        }
    }
    return NULL;
}
