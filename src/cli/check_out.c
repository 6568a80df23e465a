/* SPDX-License-Identifier: MIT */
/*
 * cli/check_out.c - how `vouch check` shows a domain's audit: one JSON
 * object (schema in docs/check.md) or a human report, coloured only when
 * the caller says the output is a terminal.
 */
#include <string.h>
#include <time.h>

#include "check.h"

/* ---- JSON -----------------------------------------------------------------
 */

static json_t *
str(const char *s)
{
    return cli_json_bytes(s, strlen(s));
}

static json_t *
area_base(const vouch_audit_result_t *r, vouch_audit_area_t a)
{
    const vouch_audit_area_result_t *ar = &r->area[a];
    json_t *o = json_object();

    json_object_set_new(o, "status",
                        json_string(vouch_audit_status_name(ar->status)));
    json_object_set_new(o, "score",
                        ar->score < 0 ? json_null() : json_integer(ar->score));
    json_object_set_new(o, "weight", json_integer(ar->weight));
    if (ar->note[0] != '\0') {
        json_object_set_new(o, "note", str(ar->note));
    }
    return o;
}

static json_t *
mx_json(const vouch_audit_result_t *r)
{
    const vouch_audit_mx_t *mx = &r->mx;
    json_t *o = area_base(r, VOUCH_AUDIT_MX), *hosts = json_array();
    size_t i;

    json_object_set_new(o, "dns",
                        json_string(vouch_dns_status_name(mx->status)));
    json_object_set_new(o, "null_mx", json_boolean(mx->null_mx));
    json_object_set_new(o, "implicit", json_boolean(mx->implicit));
    json_object_set_new(o, "sends_mail", json_boolean(mx->sends_mail));
    for (i = 0; i < mx->n; i++) {
        const vouch_audit_mx_host_t *h = &mx->host[i];
        json_t *e = json_object(), *t = json_object();

        json_object_set_new(e, "host", str(h->name));
        json_object_set_new(e, "preference", json_integer(h->pref));
        json_object_set_new(e, "address",
                            json_string(vouch_dns_status_name(h->addr_status)));
        json_object_set_new(t, "records", json_integer(h->tlsa_n));
        json_object_set_new(t, "malformed", json_integer(h->tlsa_bad));
        json_object_set_new(t, "dnssec",
                            json_string(vouch_dnssec_name(h->dnssec)));
        json_object_set_new(e, "tlsa", t);
        json_array_append_new(hosts, e);
    }
    json_object_set_new(o, "hosts", hosts);
    json_object_set_new(o, "records", json_integer((json_int_t)mx->total));
    return o;
}

/* The tree below node i, nested; nodes come after their parents. */
static json_t *
spf_node(const vouch_audit_spf_t *spf, size_t i)
{
    const vouch_audit_spf_node_t *n = &spf->node[i];
    json_t *o = json_object(), *kids = json_array();
    size_t j;

    json_object_set_new(o, "domain", str(n->domain));
    json_object_set_new(o, "via", json_string(n->via));
    json_object_set_new(o, "record",
                        n->record[0] != '\0' ? str(n->record) : json_null());
    json_object_set_new(o, "lookups", json_integer(n->lookups));
    json_object_set_new(o, "void_lookups", json_integer(n->void_lookups));
    json_object_set_new(o, "branch_lookups", json_integer(n->tree_lookups));
    json_object_set_new(o, "branch_void_lookups", json_integer(n->tree_void));
    if (n->error[0] != '\0') {
        json_object_set_new(o, "error", str(n->error));
    }
    for (j = i + 1; j < spf->nnodes; j++) {
        if (spf->node[j].parent == (int)i) {
            json_array_append_new(kids, spf_node(spf, j));
        }
    }
    json_object_set_new(o, "children", kids);
    return o;
}

static json_t *
spf_json(const vouch_audit_result_t *r)
{
    const vouch_audit_spf_t *spf = &r->spf;
    json_t *o = area_base(r, VOUCH_AUDIT_SPF), *nets = json_array(), *ev;
    size_t i;

    json_object_set_new(o, "record",
                        spf->nrecords > 0 ? str(spf->record) : json_null());
    json_object_set_new(o, "records", json_integer((json_int_t)spf->nrecords));
    json_object_set_new(o, "record_bytes",
                        json_integer((json_int_t)spf->record_len));
    json_object_set_new(o, "strings", json_integer((json_int_t)spf->nstrings));
    json_object_set_new(
        o, "all", spf->all[0] != '\0' ? json_string(spf->all) : json_null());
    json_object_set_new(o, "lookups", json_integer(spf->lookups));
    json_object_set_new(o, "void_lookups", json_integer(spf->void_lookups));
    json_object_set_new(o, "lookup_limit", json_integer(10));
    json_object_set_new(o, "void_lookup_limit", json_integer(2));
    json_object_set_new(o, "tree",
                        spf->nnodes > 0 ? spf_node(spf, 0) : json_null());
    for (i = 0; i < spf->nnets; i++) {
        json_array_append_new(nets, json_string(spf->nets[i]));
    }
    json_object_set_new(o, "networks", nets);
    json_object_set_new(o, "networks_truncated",
                        json_boolean(spf->nets_truncated));
    json_object_set_new(o, "networks_partial", json_boolean(spf->nets_partial));
    ev = json_object();
    json_object_set_new(ev, "result",
                        json_string(vouch_spf_code_name(spf->eval)));
    json_object_set_new(ev, "lookups", json_integer(spf->eval_lookups));
    json_object_set_new(ev, "void_lookups", json_integer(spf->eval_void));
    json_object_set_new(ev, "reason", str(spf->eval_reason));
    json_object_set_new(o, "evaluation", ev);
    return o;
}

static json_t *
dkim_json(const vouch_audit_result_t *r)
{
    json_t *o = area_base(r, VOUCH_AUDIT_DKIM), *sels = json_array();
    size_t i;

    for (i = 0; i < r->dkim.n; i++) {
        const vouch_audit_selector_t *s = &r->dkim.sel[i];
        json_t *e = json_object();

        json_object_set_new(e, "name", str(s->name));
        json_object_set_new(e, "given", json_boolean(s->given));
        json_object_set_new(e, "found", json_boolean(s->found));
        json_object_set_new(e, "usable", json_boolean(s->usable));
        json_object_set_new(e, "key_type",
                            s->key_type[0] != '\0' ? json_string(s->key_type)
                                                   : json_null());
        json_object_set_new(e, "key_bits",
                            s->key_bits > 0 ? json_integer(s->key_bits)
                                            : json_null());
        json_object_set_new(e, "testing", json_boolean(s->testing));
        json_object_set_new(e, "revoked", json_boolean(s->revoked));
        json_object_set_new(e, "dnssec",
                            json_string(vouch_dnssec_name(s->dnssec)));
        if (s->error[0] != '\0') {
            json_object_set_new(e, "error", str(s->error));
        }
        json_array_append_new(sels, e);
    }
    json_object_set_new(o, "selectors", sels);
    return o;
}

static json_t *
uris_json(const vouch_dmarc_urilist_t *l, const vouch_dmarc_dest_t *dest)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < l->n; i++) {
        json_t *e = json_object();

        json_object_set_new(e, "uri", str(l->uri[i].uri));
        json_object_set_new(e, "destination",
                            json_string(vouch_dmarc_dest_name(dest[i])));
        json_array_append_new(a, e);
    }
    return a;
}

static json_t *
policy_or_null(bool found, vouch_dmarc_policy_t p)
{
    return found && p != VOUCH_DMARC_P_UNSET
               ? json_string(vouch_dmarc_policy_name(p))
               : json_null();
}

static json_t *
dmarc_json(const vouch_audit_result_t *r)
{
    const vouch_audit_dmarc_t *dm = &r->dmarc;
    json_t *o = area_base(r, VOUCH_AUDIT_DMARC);

    json_object_set_new(o, "record", dm->found ? str(dm->record) : json_null());
    json_object_set_new(o, "records", json_integer((json_int_t)dm->nrecords));
    json_object_set_new(o, "policy", policy_or_null(dm->found, dm->policy));
    json_object_set_new(o, "subdomain_policy",
                        policy_or_null(dm->found, dm->sp));
    json_object_set_new(o, "nonexistent_policy",
                        policy_or_null(dm->found, dm->np));
    json_object_set_new(o, "policy_domain",
                        dm->policy_domain[0] != '\0' ? str(dm->policy_domain)
                                                     : json_null());
    json_object_set_new(o, "org_domain",
                        dm->org_domain[0] != '\0' ? str(dm->org_domain)
                                                  : json_null());
    json_object_set_new(o, "testing", json_boolean(dm->found && dm->rec.t));
    json_object_set_new(o, "rua", uris_json(&dm->rec.rua, dm->rua_dest));
    json_object_set_new(o, "ruf", uris_json(&dm->rec.ruf, dm->ruf_dest));
    return o;
}

static json_t *
dnssec_json(const vouch_audit_result_t *r)
{
    json_t *o = area_base(r, VOUCH_AUDIT_DNSSEC);

    json_object_set_new(o, "state",
                        json_string(vouch_dnssec_name(r->dnssec.state)));
    json_object_set_new(o, "secure", json_integer(r->dnssec.secure));
    json_object_set_new(o, "insecure", json_integer(r->dnssec.insecure));
    json_object_set_new(o, "bogus", json_integer(r->dnssec.bogus));
    json_object_set_new(o, "dane", json_boolean(r->dnssec.dane));
    return o;
}

/* t (seconds since 1970) as "YYYY-MM-DDThh:mm:ssZ" into out. */
static const char *
iso_time(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL ||
        strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        (void)snprintf(out, 32, "%lld", (long long)t);
    }
    return out;
}

/* The SMTP probes of the MX hosts (docs/check.md), or null. */
static json_t *
probes_json(const vouch_audit_mtasts_t *st)
{
    json_t *a;
    size_t i, j;

    if (st->nprobes == 0) {
        return json_null();
    }
    a = json_array();
    for (i = 0; i < st->nprobes; i++) {
        const vouch_audit_smtp_probe_t *p = &st->probe[i];
        const vouch_http_smtp_result_t *r = &p->r;
        json_t *e = json_object(), *names = json_array();
        char when[32];

        json_object_set_new(e, "host", str(p->host));
        json_object_set_new(
            e, "status",
            json_string(p->probed ? vouch_http_failure_name(r->failure)
                                  : "not-probed"));
        json_object_set_new(e, "starttls", json_boolean(r->starttls));
        json_object_set_new(e, "tls", json_boolean(r->tls));
        json_object_set_new(e, "cert_valid", json_boolean(r->cert_valid));
        json_object_set_new(
            e, "cert_problem",
            r->failure == VOUCH_HTTP_F_CERT
                ? json_string(vouch_http_cert_problem_name(r->problem))
                : json_null());
        json_object_set_new(e, "subject",
                            r->have_cert ? str(r->subject) : json_null());
        for (j = 0; j < r->nnames; j++) {
            json_array_append_new(names, str(r->names[j]));
        }
        json_object_set_new(e, "names", names);
        json_object_set_new(e, "names_total",
                            json_integer((json_int_t)r->names_total));
        json_object_set_new(e, "not_after",
                            r->have_cert && r->not_after != 0
                                ? json_string(iso_time(r->not_after, when))
                                : json_null());
        json_object_set_new(e, "error",
                            r->error[0] != '\0' ? str(r->error) : json_null());
        json_array_append_new(a, e);
    }
    return a;
}

static json_t *
mtasts_json(const vouch_audit_result_t *r)
{
    const vouch_audit_mtasts_t *st = &r->mtasts;
    json_t *o = area_base(r, VOUCH_AUDIT_MTASTS), *mx = json_array();
    bool judged;
    size_t i;

    if (r->area[VOUCH_AUDIT_MTASTS].status == VOUCH_AUDIT_STATUS_SKIPPED) {
        json_decref(mx);
        return o;
    }
    json_object_set_new(o, "dns", json_string(vouch_dns_status_name(st->dns)));
    json_object_set_new(o, "records", json_integer((json_int_t)st->nrecords));
    json_object_set_new(o, "record",
                        st->record[0] != '\0' ? str(st->record) : json_null());
    json_object_set_new(o, "id", st->record_ok ? str(st->id) : json_null());
    if (!st->fetched) {
        json_object_set_new(o, "policy_fetch",
                            st->record_ok ? json_string("not-fetched")
                                          : json_null());
    } else {
        json_object_set_new(
            o, "policy_fetch",
            json_string(vouch_mtasts_fetch_status_name(st->fetch)));
        json_object_set_new(o, "policy_url", str(st->url));
        json_object_set_new(o, "policy_fetch_reason",
                            st->fetch_reason[0] != '\0' ? str(st->fetch_reason)
                                                        : json_null());
        if (st->fetch == VOUCH_MTASTS_FETCH_POLICY) {
            json_object_set_new(o, "policy_line",
                                json_integer((json_int_t)st->fetch_line));
        }
    }
    json_object_set_new(o, "mode",
                        st->have_policy
                            ? json_string(vouch_mtasts_mode_name(st->mode))
                            : json_null());
    json_object_set_new(o, "max_age",
                        st->have_policy ? json_integer(st->max_age)
                                        : json_null());
    for (i = 0; i < st->nmx; i++) {
        json_array_append_new(mx, str(st->mx[i]));
    }
    json_object_set_new(o, "mx", st->have_policy ? mx : json_null());
    if (!st->have_policy) {
        json_decref(mx);
    }
    json_object_set_new(o, "mx_patterns",
                        json_integer((json_int_t)st->mx_total));
    judged = st->have_policy && st->mode != VOUCH_MTASTS_MODE_NONE &&
             (r->mx.n > 0 || r->mx.implicit);
    json_object_set_new(o, "mx_covered",
                        judged ? json_boolean(st->mx_covered) : json_null());
    if (judged) {
        json_t *bad = json_array();

        for (i = 0; i < r->mx.n; i++) {
            if (!st->host_covered[i]) {
                json_array_append_new(bad, str(r->mx.host[i].name));
            }
        }
        if (r->mx.n == 0 && !st->mx_covered) {
            json_array_append_new(bad, str(r->domain));
        }
        json_object_set_new(o, "mx_uncovered", bad);
    }
    json_object_set_new(o, "probes", probes_json(st));
    return o;
}

static json_t *
tlsrpt_json(const vouch_audit_result_t *r)
{
    const vouch_audit_tlsrpt_t *tr = &r->tlsrpt;
    json_t *o = area_base(r, VOUCH_AUDIT_TLSRPT), *rua = json_array();
    size_t i;

    if (r->area[VOUCH_AUDIT_TLSRPT].status == VOUCH_AUDIT_STATUS_SKIPPED) {
        json_decref(rua);
        return o;
    }
    json_object_set_new(o, "dns", json_string(vouch_dns_status_name(tr->dns)));
    json_object_set_new(o, "records", json_integer((json_int_t)tr->nrecords));
    json_object_set_new(o, "record",
                        tr->record[0] != '\0' ? str(tr->record) : json_null());
    json_object_set_new(o, "valid", json_boolean(tr->valid));
    for (i = 0; i < tr->nrua; i++) {
        json_array_append_new(rua, str(tr->rua[i]));
    }
    json_object_set_new(o, "rua", rua);
    json_object_set_new(o, "error",
                        tr->error[0] != '\0' ? str(tr->error) : json_null());
    return o;
}

static json_t *
int_or_null(bool have, json_int_t v)
{
    return have ? json_integer(v) : json_null();
}

static json_t *
str_or_null(const char *s)
{
    return s[0] != '\0' ? str(s) : json_null();
}

/* What every BIMI fetch shows: url, fetch, status, content_type, bytes,
 * reason. */
static json_t *
bimi_fetch_json(const vouch_audit_bimi_fetch_t *f)
{
    json_t *o = json_object();
    bool answered = f->fetch == VOUCH_AUDIT_FETCH_OK ||
                    f->fetch == VOUCH_AUDIT_FETCH_HTTP_STATUS;

    json_object_set_new(o, "url", str(f->url));
    json_object_set_new(o, "fetch",
                        json_string(vouch_audit_fetch_name(f->fetch)));
    json_object_set_new(o, "status",
                        int_or_null(f->http_status != 0, f->http_status));
    json_object_set_new(o, "content_type",
                        answered ? str_or_null(f->content_type) : json_null());
    json_object_set_new(
        o, "bytes",
        int_or_null(f->fetch == VOUCH_AUDIT_FETCH_OK, (json_int_t)f->bytes));
    json_object_set_new(o, "reason", str_or_null(f->reason));
    return o;
}

static json_t *
bimi_json(const vouch_audit_result_t *r)
{
    const vouch_audit_bimi_t *b = &r->bimi;
    json_t *o = area_base(r, VOUCH_AUDIT_BIMI), *logo, *vmc;
    char hex[65], when[32];
    size_t i;

    if (r->area[VOUCH_AUDIT_BIMI].status == VOUCH_AUDIT_STATUS_SKIPPED) {
        return o;
    }
    json_object_set_new(o, "selector", str(b->selector));
    json_object_set_new(o, "dns", json_string(vouch_dns_status_name(b->dns)));
    json_object_set_new(o, "records", json_integer((json_int_t)b->nrecords));
    json_object_set_new(o, "record", str_or_null(b->record));
    json_object_set_new(o, "valid", json_boolean(b->record_ok));
    json_object_set_new(o, "declined", json_boolean(b->declined));
    json_object_set_new(o, "dmarc_enforces", json_boolean(b->dmarc_enforces));
    if (b->logo.url[0] != '\0') {
        logo = bimi_fetch_json(&b->logo);
        for (i = 0; i < sizeof(b->logo_sha256); i++) {
            (void)snprintf(hex + 2 * i, 3, "%02x", b->logo_sha256[i]);
        }
        json_object_set_new(o, "logo", logo);
        json_object_set_new(logo, "valid",
                            b->logo_checked ? json_boolean(b->logo_valid)
                                            : json_null());
        json_object_set_new(
            logo, "findings",
            int_or_null(b->logo_checked, (json_int_t)b->logo_findings));
        json_object_set_new(logo, "sha256",
                            b->logo_checked ? json_string(hex) : json_null());
    } else {
        json_object_set_new(o, "logo", json_null());
    }
    if (b->vmc.url[0] == '\0') {
        json_object_set_new(o, "vmc", json_null());
        return o;
    }
    vmc = bimi_fetch_json(&b->vmc);
    json_object_set_new(o, "vmc", vmc);
    json_object_set_new(vmc, "checked", json_boolean(b->vmc_checked));
    json_object_set_new(vmc, "chain_checked",
                        json_boolean(b->vmc_chain_checked));
    /* null, not true, when the chain was not checked and nothing else
     * was wrong: never a silent pass */
    json_object_set_new(vmc, "valid",
                        !b->vmc_checked        ? json_null()
                        : b->vmc_findings > 0  ? json_false()
                        : b->vmc_chain_checked ? json_true()
                                               : json_null());
    if (!b->vmc_checked) {
        return o;
    }
    json_object_set_new(vmc, "chain",
                        b->vmc_chain_checked ? json_boolean(b->vmc_chain_ok)
                                             : json_null());
    json_object_set_new(vmc, "validity", json_boolean(b->vmc_time_ok));
    json_object_set_new(vmc, "eku", json_boolean(b->vmc_eku_ok));
    json_object_set_new(vmc, "domain", json_boolean(b->vmc_domain_ok));
    json_object_set_new(vmc, "logo_found", json_boolean(b->vmc_logo_found));
    json_object_set_new(vmc, "svg_match",
                        b->logo_checked ? json_boolean(b->vmc_svg_match)
                                        : json_null());
    json_object_set_new(vmc, "certificates", json_integer(b->vmc_ncerts));
    json_object_set_new(vmc, "subject", str_or_null(b->vmc_subject));
    json_object_set_new(vmc, "not_before",
                        b->vmc_ncerts > 0 && b->vmc_not_before != 0
                            ? json_string(iso_time(b->vmc_not_before, when))
                            : json_null());
    json_object_set_new(vmc, "not_after",
                        b->vmc_ncerts > 0 && b->vmc_not_after != 0
                            ? json_string(iso_time(b->vmc_not_after, when))
                            : json_null());
    json_object_set_new(vmc, "findings",
                        json_integer((json_int_t)b->vmc_findings));
    return o;
}

json_t *
check_json(const vouch_audit_result_t *r)
{
    json_t *o = json_object(), *checks = json_object();
    json_t *findings = json_array(), *plan = json_array();
    char grade[2] = { r->grade, '\0' };
    size_t i;

    json_object_set_new(o, "domain", str(r->domain));
    json_object_set_new(o, "grade", json_string(grade));
    json_object_set_new(o, "score", json_integer(r->score));
    json_object_set_new(checks, "mx", mx_json(r));
    json_object_set_new(checks, "spf", spf_json(r));
    json_object_set_new(checks, "dkim", dkim_json(r));
    json_object_set_new(checks, "dmarc", dmarc_json(r));
    json_object_set_new(checks, "mtasts", mtasts_json(r));
    json_object_set_new(checks, "tlsrpt", tlsrpt_json(r));
    json_object_set_new(checks, "bimi", bimi_json(r));
    json_object_set_new(checks, "dnssec", dnssec_json(r));
    json_object_set_new(o, "checks", checks);
    for (i = 0; i < r->nfindings; i++) {
        const vouch_audit_finding_t *f = &r->finding[i];
        json_t *e = json_object();

        json_object_set_new(e, "id", json_string(f->id));
        json_object_set_new(
            e, "severity", json_string(vouch_audit_severity_name(f->severity)));
        json_object_set_new(e, "area",
                            json_string(vouch_audit_area_name(f->area)));
        json_object_set_new(e, "explanation", str(f->explanation));
        json_object_set_new(e, "fix",
                            f->fix[0] != '\0' ? str(f->fix) : json_null());
        json_array_append_new(findings, e);
    }
    json_object_set_new(o, "findings", findings);
    json_object_set_new(o, "findings_dropped",
                        json_integer((json_int_t)r->findings_dropped));
    for (i = 0; i < r->nsteps; i++) {
        const vouch_audit_step_t *s = &r->step[i];
        json_t *e = json_object();

        json_object_set_new(e, "step", json_integer(s->order));
        json_object_set_new(e, "area",
                            json_string(vouch_audit_area_name(s->area)));
        json_object_set_new(e, "action", str(s->text));
        json_object_set_new(
            e, "record", s->record[0] != '\0' ? str(s->record) : json_null());
        json_array_append_new(plan, e);
    }
    json_object_set_new(o, "plan", plan);
    json_object_set_new(o, "queries", json_integer(r->queries));
    return o;
}

json_t *
check_error_json(const char *input, const char *msg)
{
    json_t *o = json_object();

    json_object_set_new(o, "domain", str(input));
    json_object_set_new(o, "error", str(msg));
    return o;
}

/* ---- human report ----------------------------------------------------------
 */

#define C_RESET  "\033[0m"
#define C_BOLD   "\033[1m"
#define C_RED    "\033[31m"
#define C_GREEN  "\033[32m"
#define C_YELLOW "\033[33m"
#define C_DIM    "\033[2m"

static const char *
colour(bool on, const char *c)
{
    return on ? c : "";
}

static const char *
status_colour(vouch_audit_status_t s)
{
    switch (s) {
    case VOUCH_AUDIT_STATUS_OK:
        return C_GREEN;
    case VOUCH_AUDIT_STATUS_WARNING:
        return C_YELLOW;
    case VOUCH_AUDIT_STATUS_FAIL:
        return C_RED;
    default:
        return C_DIM;
    }
}

static const char *
severity_colour(vouch_audit_severity_t s)
{
    return s >= VOUCH_AUDIT_ERROR     ? C_RED
           : s == VOUCH_AUDIT_WARNING ? C_YELLOW
                                      : C_DIM;
}

/* The state of one BIMI fetch and check, a few words. */
static void
bimi_part(const vouch_audit_bimi_fetch_t *f, bool checked, size_t nfindings,
          bool valid, char *buf, size_t cap)
{
    if (f->url[0] == '\0') {
        (void)snprintf(buf, cap, "none");
    } else if (f->fetch != VOUCH_AUDIT_FETCH_OK) {
        (void)snprintf(buf, cap, "%s", vouch_audit_fetch_name(f->fetch));
    } else if (!checked) {
        (void)snprintf(buf, cap, "fetched, not checked");
    } else if (nfindings > 0) {
        (void)snprintf(buf, cap, "%zu finding%s", nfindings,
                       nfindings == 1 ? "" : "s");
    } else {
        (void)snprintf(buf, cap, "%s", valid ? "valid" : "chain not checked");
    }
}

static void
bimi_summary(const vouch_audit_bimi_t *b, char *buf, size_t cap)
{
    char logo[48], vmc[48];

    if (b->dns != VOUCH_DNS_NOERROR && b->dns != VOUCH_DNS_NODATA &&
        b->dns != VOUCH_DNS_NXDOMAIN) {
        (void)snprintf(buf, cap, "%s._bimi: %s", b->selector,
                       vouch_dns_status_name(b->dns));
    } else if (b->nrecords != 1) {
        (void)snprintf(buf, cap, "%s at %s._bimi",
                       b->nrecords == 0 ? "no record" : "several records",
                       b->selector);
    } else if (!b->record_ok) {
        (void)snprintf(buf, cap, "invalid record at %s._bimi", b->selector);
    } else if (b->declined) {
        (void)snprintf(buf, cap, "declined at %s._bimi", b->selector);
    } else {
        bimi_part(&b->logo, b->logo_checked, b->logo_findings, b->logo_valid,
                  logo, sizeof(logo));
        bimi_part(&b->vmc, b->vmc_checked, b->vmc_findings, b->vmc_valid, vmc,
                  sizeof(vmc));
        (void)snprintf(buf, cap, "logo %s, VMC %s", logo, vmc);
    }
}

/* One line of summary per area. */
static void
summary(const vouch_audit_result_t *r, vouch_audit_area_t a, char *buf,
        size_t cap)
{
    buf[0] = '\0';
    if (r->area[a].status == VOUCH_AUDIT_STATUS_SKIPPED) {
        (void)snprintf(buf, cap, "%s", r->area[a].note);
        return;
    }
    switch (a) {
    case VOUCH_AUDIT_MX:
        if (r->mx.null_mx) {
            (void)snprintf(buf, cap, "null MX: takes no mail");
        } else if (r->mx.n > 0) {
            (void)snprintf(buf, cap, "%zu host%s, first %s", r->mx.n,
                           r->mx.n == 1 ? "" : "s", r->mx.host[0].name);
        } else {
            (void)snprintf(buf, cap, "no MX (%s)",
                           vouch_dns_status_name(r->mx.status));
        }
        break;
    case VOUCH_AUDIT_SPF:
        (void)snprintf(buf, cap, "%s, %u/10 lookups, %u/2 void",
                       r->spf.nrecords > 0 ? r->spf.all : "no record",
                       r->spf.lookups, r->spf.void_lookups);
        break;
    case VOUCH_AUDIT_DKIM:
        (void)snprintf(buf, cap, "%zu key%s found", r->dkim.nfound,
                       r->dkim.nfound == 1 ? "" : "s");
        break;
    case VOUCH_AUDIT_DMARC:
        if (r->dmarc.found) {
            (void)snprintf(buf, cap, "p=%s at %s",
                           vouch_dmarc_policy_name(r->dmarc.policy),
                           r->dmarc.policy_domain);
        } else {
            (void)snprintf(buf, cap, "no record");
        }
        break;
    case VOUCH_AUDIT_MTASTS:
        if (r->mtasts.have_policy) {
            (void)snprintf(buf, cap, "mode %s, max_age %u%s",
                           vouch_mtasts_mode_name(r->mtasts.mode),
                           (unsigned)r->mtasts.max_age,
                           r->mtasts.mode == VOUCH_MTASTS_MODE_NONE ? ""
                           : r->mtasts.mx_covered ? ", all MX covered"
                                                  : ", MX not covered");
        } else if (r->mtasts.fetched) {
            (void)snprintf(buf, cap, "policy fetch failed: %s",
                           vouch_mtasts_fetch_status_name(r->mtasts.fetch));
        } else if (r->mtasts.record_ok) {
            (void)snprintf(buf, cap, "id=%s, policy not fetched", r->mtasts.id);
        } else {
            (void)snprintf(buf, cap, "%s",
                           r->mtasts.nrecords == 0 ? "no record"
                                                   : "no usable record");
        }
        break;
    case VOUCH_AUDIT_TLSRPT:
        if (r->tlsrpt.valid) {
            (void)snprintf(buf, cap, "%zu rua URI%s", r->tlsrpt.nrua,
                           r->tlsrpt.nrua == 1 ? "" : "s");
        } else {
            (void)snprintf(buf, cap, "%s",
                           r->tlsrpt.nrecords == 0 ? "no record"
                                                   : "no usable record");
        }
        break;
    case VOUCH_AUDIT_BIMI:
        bimi_summary(&r->bimi, buf, cap);
        break;
    case VOUCH_AUDIT_DNSSEC:
        (void)snprintf(buf, cap, "%s%s", vouch_dnssec_name(r->dnssec.state),
                       r->dnssec.dane ? ", DANE" : "");
        break;
    default:
        (void)snprintf(buf, cap, "%s", r->area[a].note);
        break;
    }
}

/* text (a fix: several lines for an MTA-STS policy), every line after
 * the first indented to line up under the first. */
static void
indented(FILE *f, const char *text, int indent)
{
    const char *nl;

    while ((nl = strchr(text, '\n')) != NULL) {
        fprintf(f, "%.*s\n%*s", (int)(nl - text), text, indent, "");
        text = nl + 1;
    }
    fprintf(f, "%s\n", text);
}

/* "SMTP probes:" and one line per MX host, when there were probes. */
static void
probes_human(FILE *f, const vouch_audit_mtasts_t *st)
{
    size_t i, j;

    if (st->nprobes > 0) {
        fprintf(f, "\n  SMTP probes (port 25):\n");
    }
    for (i = 0; i < st->nprobes; i++) {
        const vouch_audit_smtp_probe_t *p = &st->probe[i];
        const vouch_http_smtp_result_t *r = &p->r;
        char when[32];

        fprintf(f, "    %s: ", p->host);
        if (!p->probed) {
            fprintf(f, "not probed (time limit)\n");
            continue;
        }
        if (r->failure == VOUCH_HTTP_OK) {
            fprintf(f, "STARTTLS, certificate valid");
        } else if (r->failure == VOUCH_HTTP_F_CERT) {
            fprintf(f, "STARTTLS, certificate refused (%s): %s",
                    vouch_http_cert_problem_name(r->problem), r->error);
        } else {
            fprintf(f, "%s: %s", vouch_http_failure_name(r->failure), r->error);
        }
        if (r->have_cert) {
            fprintf(f, "\n      names:");
            for (j = 0; j < r->nnames; j++) {
                fprintf(f, "%s %s", j > 0 ? "," : "", r->names[j]);
            }
            if (r->names_total > r->nnames) {
                fprintf(f, " (+%zu)", r->names_total - r->nnames);
            }
            if (r->nnames == 0) {
                fprintf(f, " none (subject %s)", r->subject);
            }
            if (r->not_after != 0) {
                fprintf(f, "; not after %s", iso_time(r->not_after, when));
            }
        }
        fputc('\n', f);
    }
}

void
check_human(FILE *f, const vouch_audit_result_t *r, bool tty)
{
    static const char *const labels[VOUCH_AUDIT_AREAS] = {
        "MX", "SPF", "DKIM", "DMARC", "MTA-STS", "TLS-RPT", "BIMI", "DNSSEC",
    };
    char line[400];
    size_t i;

    fprintf(f, "%s%s%s  grade %s%c%s (%d/100)\n\n", colour(tty, C_BOLD),
            r->domain, colour(tty, C_RESET),
            colour(tty, r->grade <= 'B'   ? C_GREEN
                        : r->grade <= 'D' ? C_YELLOW
                                          : C_RED),
            r->grade, colour(tty, C_RESET), r->score);
    for (i = 0; i < VOUCH_AUDIT_AREAS; i++) {
        const vouch_audit_area_result_t *ar = &r->area[i];
        char score[16] = "   ";

        if (ar->score >= 0) {
            (void)snprintf(score, sizeof(score), "%3d", ar->score);
        }
        summary(r, (vouch_audit_area_t)i, line, sizeof(line));
        fprintf(f, "  %-8s %s%-8s%s %s  %s\n", labels[i],
                colour(tty, status_colour(ar->status)),
                vouch_audit_status_name(ar->status), colour(tty, C_RESET),
                score, line);
    }
    if (r->spf.nrecords > 0 || r->dmarc.found || r->bimi.nrecords > 0) {
        fputc('\n', f);
    }
    if (r->spf.nrecords > 0) {
        fprintf(f, "  SPF record: %s\n", r->spf.record);
    }
    if (r->dmarc.found) {
        fprintf(f, "  DMARC record: %s\n", r->dmarc.record);
    }
    if (r->bimi.nrecords > 0) {
        fprintf(f, "  BIMI record: %s\n", r->bimi.record);
    }
    if (r->bimi.logo.fetch == VOUCH_AUDIT_FETCH_OK) {
        fprintf(f, "  BIMI logo: %s (%zu bytes, %s)\n", r->bimi.logo.url,
                r->bimi.logo.bytes,
                !r->bimi.logo_checked ? "not checked"
                : r->bimi.logo_valid  ? "SVG Tiny PS"
                                      : "not SVG Tiny PS");
    }
    if (r->bimi.vmc_checked && r->bimi.vmc_ncerts > 0) {
        fprintf(f, "  BIMI VMC: %s\n", r->bimi.vmc_subject);
    }
    probes_human(f, &r->mtasts);
    if (r->nfindings > 0) {
        fprintf(f, "\nFindings:\n");
    }
    for (i = 0; i < r->nfindings; i++) {
        const vouch_audit_finding_t *fd = &r->finding[i];

        fprintf(f, "  %s%-8s%s %s (%s)\n      %s\n",
                colour(tty, severity_colour(fd->severity)),
                vouch_audit_severity_name(fd->severity), colour(tty, C_RESET),
                fd->id, vouch_audit_area_name(fd->area), fd->explanation);
        if (fd->fix[0] != '\0') {
            fprintf(f, "      fix: ");
            indented(f, fd->fix, 11);
        }
    }
    if (r->findings_dropped > 0) {
        fprintf(f, "  (%zu more findings not shown)\n", r->findings_dropped);
    }
    if (r->nsteps > 0) {
        fprintf(f, "\nPlan:\n");
    }
    for (i = 0; i < r->nsteps; i++) {
        const vouch_audit_step_t *s = &r->step[i];

        fprintf(f, "  %u. [%s] %s\n", s->order, vouch_audit_area_name(s->area),
                s->text);
        if (s->record[0] != '\0') {
            fprintf(f, "     publish: ");
            indented(f, s->record, 14);
        }
    }
}
