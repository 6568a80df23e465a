/* SPDX-License-Identifier: MIT */
/*
 * audit/spf.c - the SPF area: the domain's record and its whole
 * include/redirect tree, read with the SPF module's own cursor and record
 * checker (vouch/spf.h), with the RFC 7208 §4.6.4 counts per record, per
 * branch and in total: DNS-querying terms (include, a, mx, ptr, exists,
 * redirect; limit 10), void lookups (a, mx, exists answering NODATA or
 * NXDOMAIN, as the evaluator counts them; limit 2), MX names per mx term
 * (limit 10). Also loops, ptr, the all term, several records, record size,
 * and the networks the record authorises (ip4/ip6 terms, a and mx
 * expanded) for a flattened fix. Last, the evaluator itself runs once from
 * an address nobody authorises, so its verdict (permerror when a limit
 * is hit) is shown next to the audit's own counts.
 *
 * The tree is counted as an evaluation that never matches would walk it
 * (the worst case, which is what a receiver hits for a forged sender).
 * Terms whose domain-spec holds macros are counted but not followed: their
 * target depends on the sender.
 */
#include <stdio.h>
#include <string.h>

#include "audit_internal.h"

/* An address no SPF record should authorise (RFC 1112 class E). */
#define PROBE_IP "240.0.0.1"

typedef struct walk {
    audit_t *a;
    vouch_audit_spf_t *spf;
    bool root_authorises; /* the root record can pass someone */
} walk_t;

static void
add_net(walk_t *w, const vouch_ip_t *ip, unsigned cidr)
{
    vouch_audit_spf_t *spf = w->spf;
    char text[VOUCH_IP_STRLEN], net[sizeof(spf->nets[0])];
    size_t i;

    (void)vouch_ip_format(ip, text);
    if (cidr == (ip->family == 4 ? 32u : 128u)) {
        (void)snprintf(net, sizeof(net), "%s", text);
    } else {
        (void)snprintf(net, sizeof(net), "%s/%u", text, cidr);
    }
    for (i = 0; i < spf->nnets; i++) {
        if (strcmp(spf->nets[i], net) == 0) {
            return;
        }
    }
    if (spf->nnets == VOUCH_AUDIT_SPF_NETS_MAX) {
        spf->nets_truncated = true;
        return;
    }
    memcpy(spf->nets[spf->nnets++], net, sizeof(net));
}

/* Add the addresses of an A or AAAA answer with the term's prefixes. */
static void
add_answer_nets(walk_t *w, const vouch_dns_answer_t *ans, unsigned cidr4,
                unsigned cidr6)
{
    size_t i;

    for (i = 0; i < ans->n; i++) {
        const vouch_dns_rr_t *rr = &ans->rr[i];
        vouch_ip_t ip;

        memset(&ip, 0, sizeof(ip));
        if (rr->type == VOUCH_DNS_A && rr->len == 4) {
            ip.family = 4;
            memcpy(ip.addr, rr->data, 4);
            add_net(w, &ip, cidr4);
        } else if (rr->type == VOUCH_DNS_AAAA && rr->len == 16) {
            ip.family = 6;
            memcpy(ip.addr, rr->data, 16);
            add_net(w, &ip, cidr6);
        }
    }
}

/* A and AAAA of name: *void_out when neither has records (NXDOMAIN or
 * NODATA); false when a query failed (a DNS error finding is made). */
static bool
host_addresses(walk_t *w, const char *name, unsigned cidr4, unsigned cidr6,
               bool collect, bool *void_out)
{
    static const uint16_t types[2] = { VOUCH_DNS_A, VOUCH_DNS_AAAA };
    bool any = false, ok = true;
    size_t t;

    for (t = 0; t < 2; t++) {
        const vouch_dns_answer_t *ans =
            vouch__audit_query(w->a, name, types[t]);

        if (ans == NULL) {
            ok = false;
            continue;
        }
        if (vouch__audit_dns_failed(ans->status)) {
            ok = false;
            vouch__audit_finding(w->a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_ERROR,
                                 "spf-dns-error", NULL,
                                 "SPF lookup of %s %s failed (%s): receivers "
                                 "get temperror",
                                 name, types[t] == VOUCH_DNS_A ? "A" : "AAAA",
                                 vouch_dns_status_name(ans->status));
        } else if (ans->status == VOUCH_DNS_NOERROR) {
            any = true;
            if (collect) {
                add_answer_nets(w, ans, cidr4, cidr6);
            }
        }
        vouch_dns_answer_free(ans);
    }
    *void_out = ok && !any;
    return ok;
}

/* The target of a term: its domain-spec, else the current domain. false
 * when the spec holds a macro or is not a name we can query. */
static bool
target_of(const vouch_spf_term_t *t, const char *current,
          char out[VOUCH_DNS_NAME_MAX + 1])
{
    size_t n = t->domain_spec.len;

    if (n == 0) {
        (void)snprintf(out, VOUCH_DNS_NAME_MAX + 1, "%s", current);
        return true;
    }
    if (memchr(t->domain_spec.ptr, '%', n) != NULL) {
        return false;
    }
    if (n > 0 && t->domain_spec.ptr[n - 1] == '.') {
        n--;
    }
    if (n == 0 || n > VOUCH_DNS_NAME_MAX) {
        return false;
    }
    memcpy(out, t->domain_spec.ptr, n);
    out[n] = '\0';
    return true;
}

/* Is name the domain of node i or of one of its ancestors? */
static bool
on_path(const vouch_audit_spf_t *spf, int i, const char *name)
{
    for (; i >= 0; i = spf->node[i].parent) {
        const char *d = spf->node[i].domain;

        if (vouch__str_ieq(d, strlen(d), name, strlen(name))) {
            return true;
        }
    }
    return false;
}

static int walk_record(walk_t *w, const char *domain, int parent,
                       unsigned depth, const char *via, bool authorising);

/* mx term: the MX query (void when empty) and, for the networks, the
 * addresses of at most 10 hosts (§4.6.4: more is a permerror). */
static void
term_mx(walk_t *w, vouch_audit_spf_node_t *node, const vouch_spf_term_t *t,
        const char *target, bool collect)
{
    const vouch_dns_answer_t *ans;
    char hosts[VOUCH_SPF_MX_NAMES_MAX][VOUCH_DNS_NAME_MAX + 1];
    size_t i, n = 0, total = 0;
    bool v;

    ans = vouch__audit_query(w->a, target, VOUCH_DNS_MX);
    if (ans == NULL) {
        w->spf->nets_partial = true;
        return;
    }
    if (vouch__audit_dns_failed(ans->status)) {
        vouch__audit_finding(w->a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_ERROR,
                             "spf-dns-error", NULL,
                             "SPF lookup of %s MX failed (%s): receivers get "
                             "temperror",
                             target, vouch_dns_status_name(ans->status));
        w->spf->nets_partial = true;
    } else if (ans->status != VOUCH_DNS_NOERROR) {
        node->void_lookups++;
    }
    for (i = 0; i < ans->n; i++) {
        if (ans->rr[i].type != VOUCH_DNS_MX ||
            strcmp(ans->rr[i].data, ".") == 0) {
            continue;
        }
        if (total++ < VOUCH_SPF_MX_NAMES_MAX) {
            vouch__escape_into(hosts[n++], sizeof(hosts[0]), ans->rr[i].data,
                               ans->rr[i].len);
        }
    }
    vouch_dns_answer_free(ans);
    if (total > VOUCH_SPF_MX_NAMES_MAX) {
        vouch__audit_finding(
            w->a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_ERROR, "spf-mx-too-many", NULL,
            "'%.*s' in the record of %s names %zu MX hosts; more than %d is "
            "a permerror (RFC 7208 §4.6.4)",
            (int)t->text.len, t->text.ptr, node->domain, total,
            VOUCH_SPF_MX_NAMES_MAX);
    }
    for (i = 0; i < n; i++) {
        if (!host_addresses(w, hosts[i], t->cidr4, t->cidr6, collect, &v)) {
            w->spf->nets_partial = true;
        }
    }
}

/* One mechanism or modifier of node idx. */
static void
term(walk_t *w, int idx, const vouch_spf_term_t *t, bool authorising,
     unsigned depth)
{
    vouch_audit_spf_t *spf = w->spf;
    vouch_audit_spf_node_t *node = &spf->node[idx];
    char target[VOUCH_DNS_NAME_MAX + 1];
    bool collect = authorising && t->qualifier == '+';
    bool has_target = target_of(t, node->domain, target), v;

    switch (t->kind) {
    case VOUCH_SPF_TERM_IP4:
    case VOUCH_SPF_TERM_IP6:
        if (collect) {
            add_net(w, &t->ip,
                    t->kind == VOUCH_SPF_TERM_IP4 ? t->cidr4 : t->cidr6);
        }
        return;
    case VOUCH_SPF_TERM_ALL:
    case VOUCH_SPF_TERM_EXP:
    case VOUCH_SPF_TERM_UNKNOWN_MODIFIER:
        return;
    default:
        break;
    }
    node->lookups++; /* every other term queries DNS (§4.6.4) */
    if (!has_target) {
        spf->nets_partial = true;
        vouch__audit_finding(w->a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_INFO,
                             "spf-macro", NULL,
                             "'%.*s' in the record of %s uses macros: it was "
                             "counted, not followed",
                             (int)t->text.len, t->text.ptr, node->domain);
        return;
    }
    switch (t->kind) {
    case VOUCH_SPF_TERM_A:
        if (host_addresses(w, target, t->cidr4, t->cidr6, collect, &v)) {
            node->void_lookups += v ? 1u : 0u;
        } else {
            spf->nets_partial = true;
        }
        return;
    case VOUCH_SPF_TERM_MX:
        term_mx(w, node, t, target, collect);
        return;
    case VOUCH_SPF_TERM_PTR:
        spf->nets_partial = true;
        vouch__audit_finding(
            w->a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_WARNING, "spf-ptr", NULL,
            "the record of %s uses ptr, which RFC 7208 §5.5 says not to use "
            "(slow, unreliable, often ignored): list the addresses instead",
            node->domain);
        return;
    case VOUCH_SPF_TERM_EXISTS: {
        const vouch_dns_answer_t *ans =
            vouch__audit_query(w->a, target, VOUCH_DNS_A);

        spf->nets_partial = true;
        if (ans != NULL) {
            if (ans->status == VOUCH_DNS_NXDOMAIN ||
                ans->status == VOUCH_DNS_NODATA) {
                node->void_lookups++;
            }
            vouch_dns_answer_free(ans);
        }
        return;
    }
    case VOUCH_SPF_TERM_INCLUDE:
    case VOUCH_SPF_TERM_REDIRECT: {
        bool inc = t->kind == VOUCH_SPF_TERM_INCLUDE;

        if (on_path(spf, idx, target)) {
            vouch__audit_finding(
                w->a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_ERROR, "spf-loop", NULL,
                "'%.*s' in the record of %s leads back to %s: a loop, which "
                "ends in permerror when the limits are hit",
                (int)t->text.len, t->text.ptr, node->domain, target);
            return;
        }
        if (depth + 1 > VOUCH_AUDIT_SPF_DEPTH_MAX) {
            vouch__audit_finding(
                w->a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_ERROR, "spf-too-deep", NULL,
                "the SPF tree is nested more than %d deep at %s",
                VOUCH_AUDIT_SPF_DEPTH_MAX, target);
            spf->nets_partial = true;
            return;
        }
        (void)walk_record(w, target, idx, depth + 1,
                          inc ? "include" : "redirect",
                          inc ? collect : authorising);
        return;
    }
    default:
        return;
    }
}

/* Pick the v=spf1 record(s) of a TXT answer. Returns how many. */
static size_t
find_records(const vouch_dns_answer_t *ans, const vouch_dns_rr_t **first)
{
    size_t i, n = 0;

    *first = NULL;
    for (i = 0; i < ans->n; i++) {
        if (ans->rr[i].type == VOUCH_DNS_TXT &&
            vouch_spf_is_record(ans->rr[i].data, ans->rr[i].len)) {
            if (n++ == 0) {
                *first = &ans->rr[i];
            }
        }
    }
    return n;
}

static void
root_facts(walk_t *w, const vouch_dns_rr_t *rr, size_t nrec)
{
    vouch_audit_spf_t *spf = w->spf;

    spf->nrecords = nrec;
    spf->record_len = rr->len;
    spf->nstrings = rr->nstrings;
    vouch__escape_into(spf->record, sizeof(spf->record), rr->data, rr->len);
    if (rr->len > 450) {
        vouch__audit_finding(
            w->a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_INFO, "spf-long", NULL,
            "the SPF record is %zu bytes: with the other TXT records at %s "
            "the answer may not fit a 512-byte UDP reply and needs EDNS or "
            "TCP (RFC 7208 §3.4 suggests staying under 450)",
            rr->len, w->a->res->domain);
    }
}

/* Note the all term and whether the root record can pass anyone. */
static void
root_term(walk_t *w, const vouch_spf_term_t *t)
{
    if (t->kind == VOUCH_SPF_TERM_ALL) {
        (void)snprintf(w->spf->all, sizeof(w->spf->all), "%call", t->qualifier);
    }
    if (t->kind == VOUCH_SPF_TERM_REDIRECT) {
        if (w->spf->all[0] == '\0') {
            (void)snprintf(w->spf->all, sizeof(w->spf->all), "redirect");
        }
        w->root_authorises = true;
    } else if (t->kind < VOUCH_SPF_TERM_REDIRECT && t->qualifier == '+') {
        w->root_authorises = true;
    }
}

static int
walk_record(walk_t *w, const char *domain, int parent, unsigned depth,
            const char *via, bool authorising)
{
    vouch_audit_spf_t *spf = w->spf;
    const vouch_dns_answer_t *ans;
    const vouch_dns_rr_t *rr;
    vouch_audit_spf_node_t *node;
    vouch_spf_cursor_t cur;
    vouch_spf_term_t t;
    vouch_error_t err;
    size_t nrec;
    int idx, rc;
    bool has_all = false, has_redirect = false;

    if (spf->nnodes == VOUCH_AUDIT_SPF_NODES_MAX) {
        spf->nets_partial = true;
        vouch__audit_finding(w->a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_WARNING,
                             "spf-tree-truncated", NULL,
                             "the SPF tree has more than %d records; the "
                             "rest (from %s on) was not counted",
                             VOUCH_AUDIT_SPF_NODES_MAX, domain);
        return -1;
    }
    idx = (int)spf->nnodes++;
    node = &spf->node[idx];
    memset(node, 0, sizeof(*node));
    (void)snprintf(node->domain, sizeof(node->domain), "%s", domain);
    node->parent = parent;
    node->depth = depth;
    node->via = via;
    ans = vouch__audit_query(w->a, domain, VOUCH_DNS_TXT);
    if (ans == NULL) {
        (void)snprintf(node->error, sizeof(node->error), "not queried");
        spf->nets_partial = true;
        return idx;
    }
    if (vouch__audit_dns_failed(ans->status)) {
        (void)snprintf(node->error, sizeof(node->error), "DNS %s",
                       vouch_dns_status_name(ans->status));
        vouch__audit_finding(w->a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_ERROR,
                             "spf-dns-error", NULL,
                             "TXT lookup of %s failed (%s): receivers get "
                             "temperror",
                             domain, vouch_dns_status_name(ans->status));
        spf->nets_partial = true;
        vouch_dns_answer_free(ans);
        return idx;
    }
    nrec = find_records(ans, &rr);
    if (depth == 0 && nrec > 0) {
        root_facts(w, rr, nrec);
    }
    if (nrec != 1) {
        (void)snprintf(node->error, sizeof(node->error),
                       nrec == 0 ? "no SPF record" : "%zu SPF records", nrec);
        if (depth > 0) {
            vouch__audit_finding(
                w->a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_ERROR,
                nrec == 0 ? "spf-include-missing" : "spf-include-multiple",
                NULL,
                "%s target %s has %s: every evaluation reaching it is a "
                "permerror (RFC 7208 §5.2, §6.1)",
                via, domain, nrec == 0 ? "no SPF record" : "several records");
        }
        vouch_dns_answer_free(ans);
        return idx;
    }
    vouch__escape_into(node->record, sizeof(node->record), rr->data, rr->len);
    vouch_error_clear(&err);
    if (vouch_spf_check_record(rr->data, rr->len, &err) != 0) {
        vouch__escape_into(node->error, sizeof(node->error), err.msg,
                           strlen(err.msg));
        vouch__audit_finding(
            w->a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_ERROR, "spf-syntax", NULL,
            "the SPF record of %s is invalid (permerror): %s", domain, err.msg);
        vouch_dns_answer_free(ans);
        return idx;
    }
    vouch_spf_cursor_init(&cur, rr->data, rr->len);
    while ((rc = vouch_spf_cursor_next(&cur, &t, NULL)) == 1 &&
           w->a->fatal == 0) {
        if (depth == 0) {
            root_term(w, &t);
        }
        has_all |= t.kind == VOUCH_SPF_TERM_ALL;
        has_redirect |= t.kind == VOUCH_SPF_TERM_REDIRECT;
        /* §6.1: redirect is ignored when the record has an all term */
        if (t.kind == VOUCH_SPF_TERM_REDIRECT && has_all) {
            continue;
        }
        term(w, idx, &t, authorising, depth);
    }
    if (has_all && has_redirect) {
        vouch__audit_finding(w->a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_INFO,
                             "spf-redirect-ignored", NULL,
                             "the record of %s has both all and redirect=: "
                             "redirect= is ignored (RFC 7208 §6.1)",
                             domain);
    }
    vouch_dns_answer_free(ans);
    return idx;
}

/* Sum the counts up the tree: children come after their parents. */
static void
sum_tree(vouch_audit_spf_t *spf)
{
    size_t i;

    for (i = 0; i < spf->nnodes; i++) {
        spf->node[i].tree_lookups = spf->node[i].lookups;
        spf->node[i].tree_void = spf->node[i].void_lookups;
    }
    for (i = spf->nnodes; i-- > 1;) {
        vouch_audit_spf_node_t *p = &spf->node[spf->node[i].parent];

        p->tree_lookups += spf->node[i].tree_lookups;
        p->tree_void += spf->node[i].tree_void;
    }
    spf->lookups = spf->node[0].tree_lookups;
    spf->void_lookups = spf->node[0].tree_void;
}

/* Flattened record: the networks in place of the DNS-querying terms. */
static void
flattened_fix(walk_t *w, char *fix, size_t cap)
{
    const vouch_audit_spf_t *spf = w->spf;
    char value[VOUCH_AUDIT_FIX_MAX];
    size_t i, o;
    int n;

    fix[0] = '\0';
    if (spf->nets_partial || spf->nets_truncated || spf->nnets == 0) {
        return;
    }
    o = (size_t)snprintf(value, sizeof(value), "v=spf1");
    for (i = 0; i < spf->nnets; i++) {
        n = snprintf(value + o, sizeof(value) - o, " ip%c:%s",
                     strchr(spf->nets[i], ':') != NULL ? '6' : '4',
                     spf->nets[i]);
        if (n < 0 || (size_t)n >= sizeof(value) - o) {
            return;
        }
        o += (size_t)n;
    }
    n = snprintf(value + o, sizeof(value) - o, " %s",
                 spf->all[0] == '-' || spf->all[0] == '~' ? spf->all : "-all");
    if (n < 0 || (size_t)n >= sizeof(value) - o) {
        return;
    }
    (void)vouch__audit_txt_fix(fix, cap, w->a->res->domain, value);
}

static void
limits(walk_t *w)
{
    const vouch_audit_spf_t *spf = w->spf;
    char fix[VOUCH_AUDIT_FIX_MAX];

    if (spf->lookups > VOUCH_SPF_DNS_TERMS_MAX) {
        flattened_fix(w, fix, sizeof(fix));
        vouch__audit_finding(
            w->a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_ERROR, "spf-too-many-lookups",
            fix,
            "the SPF tree has %u DNS-querying terms; more than %d is a "
            "permerror (RFC 7208 §4.6.4), so SPF fails for every sender "
            "past the limit: remove includes you no longer use or replace "
            "them with ip4:/ip6: terms%s",
            spf->lookups, VOUCH_SPF_DNS_TERMS_MAX,
            fix[0] != '\0' ? " (the fix lists every network found)" : "");
    } else if (spf->lookups >= 9) {
        vouch__audit_finding(w->a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_WARNING,
                             "spf-lookups-near-limit", NULL,
                             "the SPF tree has %u DNS-querying terms, close "
                             "to the limit of %d: one more include breaks it",
                             spf->lookups, VOUCH_SPF_DNS_TERMS_MAX);
    }
    if (spf->void_lookups > VOUCH_SPF_VOID_LOOKUPS_MAX) {
        vouch__audit_finding(w->a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_ERROR,
                             "spf-void-lookups", NULL,
                             "the SPF tree has %u void lookups (names that "
                             "do not exist or have no records); more than %d "
                             "is a permerror (RFC 7208 §4.6.4)",
                             spf->void_lookups, VOUCH_SPF_VOID_LOOKUPS_MAX);
    } else if (spf->void_lookups > 0) {
        vouch__audit_finding(w->a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_WARNING,
                             "spf-void-lookup", NULL,
                             "the SPF tree has %u void lookup(s): terms "
                             "pointing at names without records; remove them",
                             spf->void_lookups);
    }
}

static void
all_term(walk_t *w)
{
    const vouch_audit_spf_t *spf = w->spf;
    const char *d = w->a->res->domain;

    if (strcmp(spf->all, "+all") == 0) {
        vouch__audit_finding(w->a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_CRITICAL,
                             "spf-plus-all", NULL,
                             "the SPF record of %s ends in +all: every host "
                             "on the Internet may send as %s",
                             d, d);
    } else if (strcmp(spf->all, "?all") == 0) {
        vouch__audit_finding(w->a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_WARNING,
                             "spf-neutral-all", NULL,
                             "the SPF record ends in ?all (neutral): it "
                             "protects nothing; end it in -all or ~all");
    } else if (spf->all[0] == '\0') {
        vouch__audit_finding(w->a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_WARNING,
                             "spf-no-all", NULL,
                             "the SPF record has no all term and no "
                             "redirect=: other senders get neutral; end it "
                             "in -all or ~all");
    } else if (strcmp(spf->all, "~all") == 0) {
        vouch__audit_finding(w->a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_INFO,
                             "spf-softfail-all", NULL,
                             "the SPF record ends in ~all (softfail): fine "
                             "with DMARC at enforcement; -all is stricter");
    }
}

static void
missing(walk_t *w)
{
    audit_t *a = w->a;
    const char *d = a->res->domain;
    char fix[VOUCH_AUDIT_FIX_MAX];
    bool mx = a->res->mx.n > 0;

    (void)vouch__audit_txt_fix(fix, sizeof(fix), d,
                               mx ? "v=spf1 mx -all" : "v=spf1 -all");
    if (mx) {
        vouch__audit_finding(
            a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_ERROR, "spf-missing", fix,
            "%s has no SPF record: anyone can use it as envelope sender; "
            "publish one naming your outgoing servers and services (the fix "
            "assumes your MX hosts send; add include: terms of providers)",
            d);
    } else {
        vouch__audit_finding(a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_ERROR,
                             "spf-missing-nomail", fix,
                             "%s sends no mail but has no SPF record saying "
                             "so: publish v=spf1 -all",
                             d);
    }
}

/* The evaluator's verdict for a sender nobody authorises. */
static void
evaluate(walk_t *w)
{
    audit_t *a = w->a;
    vouch_spf_request_t req = VOUCH_SPF_REQUEST_INIT;
    vouch_spf_result_t res;
    char from[VOUCH_DNS_NAME_MAX + 16];
    int rc;

    (void)snprintf(from, sizeof(from), "postmaster@%s", a->res->domain);
    if (vouch_ip_parse(&req.ip, PROBE_IP, strlen(PROBE_IP)) != 0) {
        return;
    }
    req.mail_from.ptr = from;
    req.mail_from.len = strlen(from);
    req.helo.ptr = a->res->domain;
    req.helo.len = strlen(a->res->domain);
    vouch_spf_result_init(&res, a->ctx);
    rc = vouch_spf_check(&res, a->ctx, a->resolver, &req, NULL);
    if (rc == VOUCH_ENOMEM) {
        a->fatal = rc;
    } else if (rc == 0) {
        w->spf->eval = res.code;
        w->spf->eval_lookups = res.lookups;
        w->spf->eval_void = res.void_lookups;
        vouch__escape_into(w->spf->eval_reason, sizeof(w->spf->eval_reason),
                           res.reason.ptr != NULL ? res.reason.ptr : "",
                           res.reason.len);
    }
    vouch_spf_result_dispose(&res);
}

void
vouch__audit_spf(audit_t *a)
{
    walk_t w;
    vouch_audit_spf_t *spf = &a->res->spf;

    memset(&w, 0, sizeof(w));
    w.a = a;
    w.spf = spf;
    (void)walk_record(&w, a->res->domain, -1, 0, "root", true);
    sum_tree(spf);
    /* real MX hosts (even next to a null MX) or senders in SPF */
    a->res->mx.sends_mail = a->res->mx.n > 0 || w.root_authorises;
    if (spf->nrecords > 1) {
        vouch__audit_finding(a, VOUCH_AUDIT_SPF, VOUCH_AUDIT_ERROR,
                             "spf-multiple", NULL,
                             "%s has %zu SPF records: every check is a "
                             "permerror (RFC 7208 §4.5); merge them into one",
                             a->res->domain, spf->nrecords);
    } else if (strcmp(spf->node[0].error, "no SPF record") == 0) {
        missing(&w);
    }
    if (spf->nrecords == 1 && spf->node[0].error[0] == '\0') {
        limits(&w);
        all_term(&w);
    }
    evaluate(&w);
}
