/* SPDX-License-Identifier: MIT */
/*
 * setup/setup.c - the records a domain owner publishes (vouch/setup.h):
 * SPF, a DKIM key and record, DMARC p=none, MTA-STS in testing mode and
 * TLS-RPT, or the no-mail set (null MX, "v=spf1 -all", p=reject), and the
 * next steps of the rollout.
 *
 * Every input is hostile (MX names come from DNS, the rest from a command
 * line): names go through vouch_domain_normalize, addresses through
 * vouch_ip_parse, and each finished record through its protocol's parser
 * (SPF record check, DMARC and TLS-RPT record parsers, the MTA-STS
 * writers' own checks), so nothing is handed out that would not parse.
 * All sizes are bounded by the fixed arrays of the result.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vouch/address.h"
#include "vouch/dmarc.h"
#include "vouch/mtasts.h"
#include "vouch/setup.h"
#include "vouch/spf.h"
#include "vouch/tlsrpt.h"
#include "core/internal.h"

#define MOD "setup"

/* private key PEM: an RSA 4096 key is about 3.3 KiB */
#define PEM_MAX ((size_t)16 << 10)
/* policy: a header and VOUCH_SETUP_MX_MAX lines of at most 253 bytes */
#define POLICY_MAX ((size_t)8 << 10)

/* see vouch/setup.h */
const char *
vouch_setup_kind_name(vouch_setup_kind_t k)
{
    static const char *const names[] = { "mx",    "spf",     "dkim",
                                         "dmarc", "mta-sts", "tls-rpt" };

    return (unsigned)k < VOUCH_ARRAY_LEN(names) ? names[k] : "unknown";
}

/* UTC calendar date and time of t (days-from-civil inverted, proleptic
 * Gregorian calendar; t >= 0). */
typedef struct civil {
    unsigned year, month, day, hour, min, sec;
} civil_t;

static void
civil_from_time(civil_t *c, int64_t t)
{
    int64_t days, secs, era, doe, yoe, doy, mp, y;

    if (t < 0) {
        t = 0;
    }
    days = t / 86400;
    secs = t % 86400;
    c->hour = (unsigned)(secs / 3600);
    c->min = (unsigned)(secs % 3600 / 60);
    c->sec = (unsigned)(secs % 60);
    days += 719468; /* from 1970-01-01 to 0000-03-01 */
    era = days / 146097;
    doe = days - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    c->day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    c->month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    c->year = (unsigned)(c->month <= 2 ? y + 1 : y);
}

static int
add_record(vouch_setup_result_t *res, vouch_setup_kind_t kind,
           const char *prefix, uint16_t type, const char *value, size_t len,
           bool existing, vouch_error_t *err)
{
    vouch_setup_record_t *r;
    char name[VOUCH_DNS_NAME_MAX + 2];
    int n;

    if (res->nrecords == VOUCH_SETUP_RECORDS_MAX) {
        return vouch__error(err, VOUCH_ETOOBIG, MOD, 0, "too many records");
    }
    if (len > VOUCH_SETUP_VALUE_MAX) {
        return vouch__error(err, VOUCH_ETOOBIG, MOD, 0,
                            "the %s record would be %zu bytes, over %d",
                            vouch_setup_kind_name(kind), len,
                            VOUCH_SETUP_VALUE_MAX);
    }
    r = &res->record[res->nrecords];
    n = snprintf(name, sizeof(name), "%s%s%s.", prefix,
                 prefix[0] != '\0' ? "." : "", res->domain);
    if (n < 0 || (size_t)n >= sizeof(name)) {
        return vouch__error(err, VOUCH_ESYNTAX, MOD, 0,
                            "the name %s.%s is too long", prefix, res->domain);
    }
    memcpy(r->name, name, (size_t)n + 1);
    r->kind = kind;
    r->type = type;
    memcpy(r->value, value, len);
    r->value[len] = '\0';
    r->existing = existing;
    res->nrecords++;
    return 0;
}

static void add_step(vouch_setup_result_t *res, const char *record,
                     const char *fmt, ...) VOUCH_PRINTF(3, 4);

static void
add_step(vouch_setup_result_t *res, const char *record, const char *fmt, ...)
{
    vouch_setup_step_t *s;
    va_list ap;

    if (res->nsteps == VOUCH_SETUP_STEPS_MAX) {
        return;
    }
    s = &res->step[res->nsteps];
    s->order = (unsigned)++res->nsteps;
    va_start(ap, fmt);
    (void)vsnprintf(s->text, sizeof(s->text), fmt, ap);
    va_end(ap);
    (void)snprintf(s->record, sizeof(s->record), "%s", record);
}

/* A host name into out (normalised, no final dot). */
static int
host_name(char out[VOUCH_DNS_NAME_MAX + 1], const char *what, const char *in,
          vouch_error_t *err)
{
    vouch_error_t e;
    char shown[80];
    size_t len = strlen(in);

    vouch_error_clear(&e);
    if (len > VOUCH_DNS_NAME_MAX + 1 ||
        vouch_domain_normalize(out, in, len, &e) != 0) {
        vouch__escape_into(shown, sizeof(shown), in, len);
        return vouch__error(err, VOUCH_ESYNTAX, MOD, 0, "%s \"%s\": %s", what,
                            shown,
                            e.msg[0] != '\0' ? e.msg : "not a host name");
    }
    return 0;
}

/* A selector: dot-separated labels of letters, digits and hyphens
 * (RFC 6376 §3.1 sub-domain), at most VOUCH_SETUP_SELECTOR_MAX bytes. */
static bool
selector_ok(const char *s)
{
    size_t i, label = 0, len = strlen(s);

    if (len == 0 || len > VOUCH_SETUP_SELECTOR_MAX) {
        return false;
    }
    for (i = 0; i < len; i++) {
        if (s[i] == '.') {
            if (label == 0 || s[i - 1] == '-') {
                return false;
            }
            label = 0;
        } else if (vouch__is_alnum(s[i]) || (s[i] == '-' && label > 0)) {
            label++;
        } else {
            return false;
        }
    }
    return label > 0 && s[len - 1] != '-';
}

/* "ADDR" or "ADDR/LEN" as an SPF ip4:/ip6: term into spf. */
static int
ip_term(vouch_buf_t *spf, const char *in, vouch_error_t *err)
{
    const char *slash = strchr(in, '/');
    size_t alen = slash != NULL ? (size_t)(slash - in) : strlen(in);
    vouch_ip_t ip;
    char text[VOUCH_IP_STRLEN], shown[80];
    uint64_t prefix = 0;
    const char *cur, *end;
    int rc;

    vouch__escape_into(shown, sizeof(shown), in, strlen(in));
    if (vouch_ip_parse(&ip, in, alen) != 0) {
        return vouch__error(err, VOUCH_ESYNTAX, MOD, 0,
                            "\"%s\" is not an IP address", shown);
    }
    (void)vouch_ip_unmap(&ip);
    if (slash != NULL) {
        cur = slash + 1;
        end = cur + strlen(cur);
        if (vouch__parse_uint(&cur, end, ip.family == 4 ? 32 : 128, &prefix) !=
                0 ||
            cur != end || end - (slash + 1) > 3) {
            return vouch__error(err, VOUCH_ESYNTAX, MOD, 0,
                                "\"%s\": bad prefix length", shown);
        }
    }
    rc = vouch_buf_printf(spf, " ip%d:%s", ip.family,
                          vouch_ip_format(&ip, text));
    if (rc == 0 && slash != NULL) {
        rc = vouch_buf_printf(spf, "/%u", (unsigned)prefix);
    }
    return rc;
}

/* A URI list given for rua: VCHARs except the record's own separators. */
static int
uri_ok(const char *what, const char *uri, vouch_error_t *err)
{
    size_t i, len = strlen(uri);
    char shown[80];

    vouch__escape_into(shown, sizeof(shown), uri, len);
    if (len == 0 || len > VOUCH_SETUP_URI_MAX) {
        return vouch__error(err, VOUCH_ESYNTAX, MOD, 0,
                            "%s \"%s\": empty or over %d bytes", what, shown,
                            VOUCH_SETUP_URI_MAX);
    }
    for (i = 0; i < len; i++) {
        if (!vouch__is_vchar(uri[i]) || uri[i] == ';' || uri[i] == '"' ||
            uri[i] == '\\') {
            return vouch__error(err, VOUCH_ESYNTAX, MOD, i,
                                "%s \"%s\": character %zu is not allowed", what,
                                shown, i + 1);
        }
    }
    return 0;
}

static bool
have_sender(const vouch_setup_result_t *res, const vouch_setup_provider_t *p)
{
    size_t i;

    for (i = 0; i < res->nsenders; i++) {
        if (res->sender[i].provider == p) {
            return true;
        }
    }
    return false;
}

static int
add_sender(vouch_setup_result_t *res, const vouch_setup_provider_t *p,
           bool inferred, vouch_error_t *err)
{
    if (have_sender(res, p)) {
        return 0;
    }
    if (res->nsenders == VOUCH_SETUP_SENDERS_MAX) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0, "more than %d senders",
                            VOUCH_SETUP_SENDERS_MAX);
    }
    res->sender[res->nsenders].provider = p;
    res->sender[res->nsenders].inferred = inferred;
    res->nsenders++;
    return 0;
}

/* The MX records, and the senders and "mx" term they imply. */
static int
do_mx(vouch_setup_result_t *res, const vouch_setup_options_t *o,
      char hosts[][VOUCH_DNS_NAME_MAX + 1], vouch_error_t *err)
{
    char value[VOUCH_DNS_NAME_MAX + 16];
    const vouch_setup_provider_t *p;
    size_t i;
    unsigned pref;
    int rc;

    for (i = 0; i < o->nmx; i++) {
        if (o->mx[i] == NULL) {
            return vouch__error(err, VOUCH_EINVAL, MOD, 0, "NULL MX host");
        }
        if ((rc = host_name(hosts[i], "MX host", o->mx[i], err)) != 0) {
            return rc;
        }
        pref = o->mx_pref != NULL ? o->mx_pref[i] : (unsigned)(10 * (i + 1));
        (void)snprintf(value, sizeof(value), "%u %.253s.", pref, hosts[i]);
        if ((rc = add_record(res, VOUCH_SETUP_MX, "", VOUCH_DNS_MX, value,
                             strlen(value), o->mx_existing, err)) != 0) {
            return rc;
        }
        p = vouch_setup_provider_for_mx(hosts[i], strlen(hosts[i]));
        if (p == NULL) {
            res->spf_mx = true;
        } else if ((rc = add_sender(res, p, true, err)) != 0) {
            return rc;
        }
    }
    return 0;
}

static int
do_spf(vouch_setup_result_t *res, const vouch_setup_options_t *o,
       vouch_buf_t *tmp, vouch_error_t *err)
{
    vouch_error_t e;
    size_t i;
    int rc;

    vouch_buf_clear(tmp);
    rc = vouch_buf_puts(tmp, "v=spf1");
    if (rc == 0 && res->spf_mx) {
        rc = vouch_buf_puts(tmp, " mx");
    }
    res->spf_lookups = res->spf_mx ? 1 : 0;
    for (i = 0; rc == 0 && i < o->nips; i++) {
        if (o->ips[i] == NULL) {
            return vouch__error(err, VOUCH_EINVAL, MOD, 0, "NULL address");
        }
        rc = ip_term(tmp, o->ips[i], err);
    }
    for (i = 0; rc == 0 && i < res->nsenders; i++) {
        rc = vouch_buf_printf(tmp, " include:%s",
                              res->sender[i].provider->spf_include);
        res->spf_lookups += res->sender[i].provider->spf_lookups;
    }
    if (rc == 0) {
        rc = vouch_buf_puts(tmp, " ~all");
    }
    if (rc != 0) {
        return vouch__error_code(err, rc, MOD);
    }
    if (res->spf_lookups > VOUCH_SETUP_SPF_LOOKUPS_MAX) {
        return vouch__error(
            err, VOUCH_ETOOBIG, MOD, 0,
            "the SPF record would need about %u DNS lookups, over the limit "
            "of %d (RFC 7208 4.6.4): send some services from a subdomain, or "
            "list their addresses with --ip",
            res->spf_lookups, VOUCH_SETUP_SPF_LOOKUPS_MAX);
    }
    if (res->spf_mx && o->nmx > 10) {
        /* §4.6.4: an mx term over more than 10 MX names is a permerror */
        return vouch__error(err, VOUCH_ETOOBIG, MOD, 0,
                            "%zu MX hosts: an SPF mx term fails over 10 (RFC "
                            "7208 4.6.4); list the sending servers with --ip",
                            o->nmx);
    }
    vouch_error_clear(&e);
    if (vouch_spf_check_record(tmp->ptr, tmp->len, &e) != 0) {
        return vouch__error(err, VOUCH_ESYNTAX, MOD, 0, "SPF record: %s",
                            e.msg);
    }
    return add_record(res, VOUCH_SETUP_SPF, "", VOUCH_DNS_TXT, tmp->ptr,
                      tmp->len, false, err);
}

static int
do_dkim(vouch_setup_result_t *res, const vouch_ctx_t *ctx,
        const vouch_setup_options_t *o, const civil_t *now, vouch_buf_t *tmp,
        vouch_error_t *err)
{
    char prefix[VOUCH_SETUP_SELECTOR_MAX + 16];
    int rc;

    if (o->selector != NULL) {
        if (!selector_ok(o->selector)) {
            char shown[80];

            vouch__escape_into(shown, sizeof(shown), o->selector,
                               strlen(o->selector));
            return vouch__error(err, VOUCH_ESYNTAX, MOD, 0,
                                "selector \"%s\": want labels of letters, "
                                "digits and hyphens, at most %d bytes",
                                shown, VOUCH_SETUP_SELECTOR_MAX);
        }
        (void)snprintf(res->selector, sizeof(res->selector), "%s", o->selector);
    } else {
        (void)snprintf(res->selector, sizeof(res->selector), "vouch%04u%02u",
                       now->year % 10000, now->month);
    }
    if (o->alg != VOUCH_DKIM_RSA_SHA256 &&
        o->alg != VOUCH_DKIM_ED25519_SHA256) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0,
                            "DKIM algorithm is rsa-sha256 or ed25519-sha256");
    }
    res->alg = o->alg;
    vouch_buf_clear(tmp);
    rc = vouch_dkim_keygen(&res->private_key, tmp, ctx, o->alg, o->bits, err);
    if (rc != 0) {
        return rc;
    }
    res->dkim = true;
    (void)snprintf(prefix, sizeof(prefix), "%s._domainkey", res->selector);
    return add_record(res, VOUCH_SETUP_DKIM, prefix, VOUCH_DNS_TXT, tmp->ptr,
                      tmp->len, false, err);
}

static int
do_dmarc(vouch_setup_result_t *res, const vouch_setup_options_t *o,
         vouch_buf_t *tmp, vouch_error_t *err)
{
    vouch_dmarc_record_t rec;
    vouch_error_t e;
    const char *p, *comma;
    int rc;

    if (o->dmarc_rua != NULL && (rc = uri_ok("DMARC rua", o->dmarc_rua, err))) {
        return rc;
    }
    /* mailto: is the one scheme every receiver must support (RFC 7489
     * §6.3), so every URI of the list is one */
    for (p = o->dmarc_rua; p != NULL; p = comma != NULL ? comma + 1 : NULL) {
        comma = strchr(p, ',');
        if (!vouch__str_iprefix(p, strlen(p), "mailto:")) {
            return vouch__error(err, VOUCH_ESYNTAX, MOD, 0,
                                "DMARC rua: reports go to mailto: URIs");
        }
    }
    vouch_buf_clear(tmp);
    rc = vouch_buf_puts(tmp, res->no_mail ? "v=DMARC1; p=reject; sp=reject; "
                                            "adkim=s; aspf=s"
                                          : "v=DMARC1; p=none");
    if (rc == 0 && o->dmarc_rua != NULL) {
        rc = vouch_buf_printf(tmp, "; rua=%s", o->dmarc_rua);
    } else if (rc == 0 && !res->no_mail) {
        rc =
            vouch_buf_printf(tmp, "; rua=mailto:dmarc-reports@%s", res->domain);
    }
    if (rc != 0) {
        return vouch__error_code(err, rc, MOD);
    }
    vouch_error_clear(&e);
    if (vouch_dmarc_record_parse(&rec, tmp->ptr, tmp->len, VOUCH_DMARC_9989,
                                 &e) != 0) {
        return vouch__error(err, VOUCH_ESYNTAX, MOD, 0, "DMARC record: %s",
                            e.msg);
    }
    if (rec.nwarnings > 0) {
        return vouch__error(err, VOUCH_ESYNTAX, MOD, 0,
                            "DMARC record: tag %s: %s", rec.warnings[0].tag,
                            rec.warnings[0].msg);
    }
    return add_record(res, VOUCH_SETUP_DMARC, "_dmarc", VOUCH_DNS_TXT, tmp->ptr,
                      tmp->len, false, err);
}

static int
do_tls(vouch_setup_result_t *res, const vouch_setup_options_t *o,
       char hosts[][VOUCH_DNS_NAME_MAX + 1], const civil_t *now,
       vouch_buf_t *tmp, vouch_error_t *err)
{
    const char *mx[VOUCH_SETUP_MX_MAX];
    vouch_tlsrpt_record_t rec;
    vouch_error_t e;
    size_t i;
    int rc;

    for (i = 0; i < o->nmx; i++) {
        mx[i] = hosts[i];
    }
    rc = vouch_mtasts_policy_write(
        &res->mtasts_policy, VOUCH_MTASTS_MODE_TESTING,
        VOUCH_SETUP_MTASTS_MAX_AGE, mx, o->nmx, false, err);
    if (rc != 0) {
        return rc;
    }
    (void)snprintf(res->mtasts_id, sizeof(res->mtasts_id),
                   "%04u%02u%02u%02u%02u%02u", now->year % 10000, now->month,
                   now->day, now->hour, now->min, now->sec);
    vouch_buf_clear(tmp);
    if ((rc = vouch_mtasts_record_write(tmp, res->mtasts_id, NULL, 0, err)) !=
            0 ||
        (rc = add_record(res, VOUCH_SETUP_MTASTS, "_mta-sts", VOUCH_DNS_TXT,
                         tmp->ptr, tmp->len, false, err)) != 0) {
        return rc;
    }
    if (o->tlsrpt_rua != NULL &&
        (rc = uri_ok("TLS-RPT rua", o->tlsrpt_rua, err)) != 0) {
        return rc;
    }
    vouch_buf_clear(tmp);
    rc = o->tlsrpt_rua != NULL
             ? vouch_buf_printf(tmp, "v=TLSRPTv1; rua=%s", o->tlsrpt_rua)
             : vouch_buf_printf(tmp, "v=TLSRPTv1; rua=mailto:tls-reports@%s",
                                res->domain);
    if (rc != 0) {
        return vouch__error_code(err, rc, MOD);
    }
    vouch_error_clear(&e);
    if (vouch_tlsrpt_record_parse(&rec, tmp->ptr, tmp->len, &e) != 0) {
        return vouch__error(err, VOUCH_ESYNTAX, MOD, 0, "TLS-RPT record: %s",
                            e.msg);
    }
    return add_record(res, VOUCH_SETUP_TLSRPT, "_smtp._tls", VOUCH_DNS_TXT,
                      tmp->ptr, tmp->len, false, err);
}

/* A record's zone line into out (for steps). */
static void
zone_line(char *out, size_t cap, const char *name, const char *value)
{
    (void)snprintf(out, cap, "%s IN TXT \"%s\"", name, value);
}

static void
steps(vouch_setup_result_t *res, const char *dmarc_rua)
{
    const char *dom = res->domain;
    char rec[VOUCH_SETUP_VALUE_MAX + 1];
    char val[VOUCH_SETUP_URI_MAX + VOUCH_DNS_NAME_MAX + 96];
    char name[VOUCH_DNS_NAME_MAX + 16];
    char rua[VOUCH_SETUP_URI_MAX + VOUCH_DNS_NAME_MAX + 32];
    size_t i;

    if (res->no_mail) {
        add_step(res, "",
                 "publish the records above in the %s zone and remove every "
                 "other MX record and v=spf1 record there: together they tell "
                 "receivers that no mail comes from %s and none is accepted",
                 dom, dom);
        add_step(res, "",
                 "check the result: vouch check %s (before publishing: "
                 "vouch check %s --overlay FILE with this output in FILE)",
                 dom, dom);
        return;
    }
    add_step(res, "",
             "publish the records above in the %s zone; a domain has exactly "
             "one v=spf1 record, so this one replaces any other; check the "
             "draft first with vouch check %s --overlay FILE%s%s",
             dom, dom, res->dkim ? " --selector " : "",
             res->dkim ? res->selector : "");
    if (res->dkim) {
        add_step(res, "",
                 "sign the mail of your own servers with the private key "
                 "(d=%s, s=%s, %s) in your MTA's DKIM signer (OpenDKIM, "
                 "rspamd, ...)",
                 dom, res->selector, vouch_dkim_alg_name(res->alg));
    }
    for (i = 0; i < res->nsenders; i++) {
        const vouch_setup_provider_t *p = res->sender[i].provider;

        add_step(res, "", "%s%s: DKIM: %s", p->title,
                 res->sender[i].inferred ? " (from your MX)" : "",
                 p->dkim_howto);
    }
    if (res->spf_mx) {
        add_step(res, "",
                 "the SPF record authorises your MX hosts (mx); if they do "
                 "not send mail, replace mx with the addresses of the "
                 "servers that do (--ip)");
    }
    if (res->spf_lookups >= 9) {
        add_step(res, "",
                 "the SPF record needs about %u of its 10 DNS lookups: adding "
                 "one more service may break it; send bulk mail from a "
                 "subdomain",
                 res->spf_lookups);
    }
    add_step(res, "",
             "serve the MTA-STS policy at "
             "https://mta-sts.%s/.well-known/mta-sts.txt (Content-Type "
             "text/plain, a certificate valid for mta-sts.%s, no redirect); "
             "mta-sts.%s needs an A/AAAA or CNAME record",
             dom, dom, dom);
    (void)snprintf(rua, sizeof(rua), "%s%s",
                   dmarc_rua != NULL ? dmarc_rua : "mailto:dmarc-reports@",
                   dmarc_rua != NULL ? "" : dom);
    add_step(res, "",
             "monitor the DMARC aggregate reports sent to %s for two to four "
             "weeks: every service that sends as %s must pass SPF or DKIM "
             "aligned with it",
             rua, dom);
    (void)snprintf(name, sizeof(name), "_dmarc.%s.", dom);
    (void)snprintf(val, sizeof(val), "v=DMARC1; p=quarantine; rua=%s", rua);
    zone_line(rec, sizeof(rec), name, val);
    add_step(res, rec,
             "when the reports show only your own mail passing, move DMARC "
             "to p=quarantine");
    (void)snprintf(val, sizeof(val), "v=DMARC1; p=reject; rua=%s", rua);
    zone_line(rec, sizeof(rec), name, val);
    add_step(res, rec,
             "after a few more clean weeks, move to p=reject (and SPF from "
             "~all to -all)");
    add_step(res, "",
             "read the TLS-RPT reports; when they show no failures for a few "
             "weeks, change the policy to mode: enforce with max_age: "
             "1209600 or more, and publish a new id in _mta-sts.%s",
             dom);
}

static void
civil_now(civil_t *c, const vouch_ctx_t *ctx)
{
    civil_from_time(c, vouch_ctx_now(ctx));
}

static int
build(vouch_setup_result_t *res, const vouch_ctx_t *ctx,
      const vouch_setup_options_t *o, vouch_error_t *err)
{
    char hosts[VOUCH_SETUP_MX_MAX][VOUCH_DNS_NAME_MAX + 1];
    const vouch_setup_provider_t *p;
    vouch_buf_t tmp;
    civil_t now;
    size_t i;
    int rc;

    if (o->nmx > VOUCH_SETUP_MX_MAX || o->nsenders > VOUCH_SETUP_SENDERS_MAX ||
        o->nips > VOUCH_SETUP_IPS_MAX) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0,
                            "at most %d MX hosts, %d senders and %d addresses",
                            VOUCH_SETUP_MX_MAX, VOUCH_SETUP_SENDERS_MAX,
                            VOUCH_SETUP_IPS_MAX);
    }
    if ((o->mx == NULL && o->nmx > 0) ||
        (o->senders == NULL && o->nsenders > 0) ||
        (o->ips == NULL && o->nips > 0)) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0, "bad arguments");
    }
    if (o->no_mail && (o->nmx > 0 || o->nsenders > 0 || o->nips > 0)) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0,
                            "a domain without mail has no MX, senders or "
                            "addresses");
    }
    if (!o->no_mail && o->nmx == 0) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0,
                            "a mail domain needs its MX hosts");
    }
    if ((rc = host_name(res->domain, "domain", o->domain, err)) != 0) {
        return rc;
    }
    res->no_mail = o->no_mail;
    civil_now(&now, ctx);
    for (i = 0; i < o->nsenders; i++) {
        p = o->senders[i] != NULL ? vouch_setup_provider_find(
                                        o->senders[i], strlen(o->senders[i]))
                                  : NULL;
        if (p == NULL) {
            char shown[64];

            vouch__escape_into(shown, sizeof(shown),
                               o->senders[i] != NULL ? o->senders[i] : "",
                               o->senders[i] != NULL ? strlen(o->senders[i])
                                                     : 0);
            return vouch__error(err, VOUCH_EINVAL, MOD, 0,
                                "unknown sender \"%s\"", shown);
        }
        if ((rc = add_sender(res, p, false, err)) != 0) {
            return rc;
        }
    }
    vouch_buf_init(&tmp, ctx, VOUCH_SETUP_VALUE_MAX);
    if (o->no_mail) {
        rc = add_record(res, VOUCH_SETUP_MX, "", VOUCH_DNS_MX, "0 .", 3, false,
                        err);
        if (rc == 0) {
            rc = add_record(res, VOUCH_SETUP_SPF, "", VOUCH_DNS_TXT,
                            "v=spf1 -all", 11, false, err);
        }
        if (rc == 0) {
            rc = do_dmarc(res, o, &tmp, err);
        }
    } else {
        rc = do_mx(res, o, hosts, err);
        if (rc == 0) {
            rc = do_spf(res, o, &tmp, err);
        }
        if (rc == 0 && o->dkim) {
            rc = do_dkim(res, ctx, o, &now, &tmp, err);
        }
        if (rc == 0) {
            rc = do_dmarc(res, o, &tmp, err);
        }
        if (rc == 0) {
            rc = do_tls(res, o, hosts, &now, &tmp, err);
        }
    }
    vouch_buf_dispose(&tmp);
    if (rc == 0) {
        steps(res, o->dmarc_rua);
    }
    return rc;
}

/* see vouch/setup.h */
int
vouch_setup_build(vouch_setup_result_t **out, const vouch_ctx_t *ctx,
                  const vouch_setup_options_t *opts, vouch_error_t *err)
{
    vouch_setup_result_t *res;
    int rc;

    if (out != NULL) {
        *out = NULL;
    }
    if (out == NULL || ctx == NULL || opts == NULL || opts->version != 1 ||
        opts->domain == NULL) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0, "bad arguments");
    }
    res = vouch__calloc(ctx, 1, sizeof(*res));
    if (res == NULL) {
        return vouch__error_code(err, VOUCH_ENOMEM, MOD);
    }
    res->ctx = ctx;
    vouch_buf_init(&res->private_key, ctx, PEM_MAX);
    vouch_buf_init(&res->mtasts_policy, ctx, POLICY_MAX);
    rc = build(res, ctx, opts, err);
    if (rc != 0) {
        vouch_setup_result_free(res);
        return rc;
    }
    *out = res;
    return 0;
}

/* see vouch/setup.h */
int
vouch_setup_zone_write(vouch_buf_t *out, const vouch_setup_result_t *res)
{
    size_t i;
    int rc = 0;

    for (i = 0; rc == 0 && i < res->nrecords; i++) {
        const vouch_setup_record_t *r = &res->record[i];

        rc = vouch_buf_printf(
            out, "; %s%s\n%s %u IN %s ", vouch_setup_kind_name(r->kind),
            r->existing ? " (already published)" : "", r->name, VOUCH_SETUP_TTL,
            r->type == VOUCH_DNS_MX ? "MX" : "TXT");
        if (rc == 0) {
            rc = r->type == VOUCH_DNS_MX
                     ? vouch_buf_puts(out, r->value)
                     : vouch_dkim_zone_txt(out, r->value, strlen(r->value));
        }
        if (rc == 0) {
            rc = vouch_buf_addc(out, '\n');
        }
    }
    return rc;
}

/* see vouch/setup.h */
void
vouch_setup_result_free(vouch_setup_result_t *res)
{
    if (res == NULL) {
        return;
    }
    if (res->private_key.ptr != NULL) {
        explicit_bzero(res->private_key.ptr, res->private_key.cap);
    }
    vouch_buf_dispose(&res->private_key);
    vouch_buf_dispose(&res->mtasts_policy);
    vouch__free(res->ctx, res);
}
