/* SPDX-License-Identifier: MIT */
/*
 * dmarc/eval.c - DMARC evaluation: policy discovery, the Organizational
 * Domain, identifier alignment, the policy that applies and the
 * disposition; and external report destination verification.
 *
 * RFC 9989 mode follows "DNS Tree Walk", "DMARC Policy Discovery" and
 * "Identifier Alignment Evaluation":
 *   - a walk queries _dmarc.<start>, then drops one label at a time, except
 *     that a name of 8 or more labels is cut to its last 7 first, so no
 *     walk makes more than 8 queries; it stops at a single valid record
 *     carrying psd=y or psd=n; several DMARC records at one name are all
 *     discarded (the walk goes on);
 *   - the Organizational Domain of the start is, among the names where a
 *     walk found a record, the first with psd=n; else the name one label
 *     below the first psd=y (other than the start); else the one with the
 *     fewest labels; else the start itself;
 *   - the policy record is the Author Domain's own (p applies), else the
 *     Organizational Domain's, else the Public Suffix Domain's (sp, or np
 *     when the Author Domain does not exist, RFC 8020 NXDOMAIN; p when
 *     those are absent).
 * RFC 7489 mode (§6.6.3): _dmarc.<From>, else _dmarc.<Organizational
 * Domain> from the Public Suffix List; several records end discovery.
 *
 * Every _dmarc lookup is remembered for the call (memo), so the walks for
 * the From domain and for SPF/DKIM identifiers share the names above the
 * Organizational Domain; the memo and a query budget cap the work.
 *
 * Verdicts, not errors: DNS failures become temperror with the name in
 * the reason; only caller misuse and memory are errors.
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "dmarc_internal.h"

typedef enum ent_state {
    ENT_NOREC = 0, /* no (single, valid) DMARC record at the name */
    ENT_REC,       /* one valid record */
    ENT_MULTI,     /* more than one: all discarded */
    ENT_FAIL       /* the lookup failed (DNS, budget) */
} ent_state_t;

typedef struct ent {
    char name[DMARC_NAME_BUF]; /* the domain, without "_dmarc." */
    ent_state_t state;
    vouch_dmarc_record_t *rec; /* ENT_REC */
    char *txt;                 /* ENT_REC: the record text */
    size_t txt_len;
    char why[160]; /* ENT_FAIL: what failed; ENT_NOREC: a record ignored */
} ent_t;

/* The outcome of one tree walk: memo indexes of the names where a record
 * was found, longest first. */
typedef struct walk {
    size_t found[VOUCH_DMARC_WALK_QUERIES_MAX];
    size_t nfound;
    bool failed;
    size_t fail_ent; /* memo index of the failed lookup */
    unsigned nqueries;
} walk_t;

typedef struct dmarc_eval {
    const vouch_ctx_t *ctx;
    vouch_resolver_t *resolver;
    vouch_dns_budget_t budget;
    vouch_dmarc_mode_t mode;
    const vouch_psl_t *psl;
    unsigned queries;
    int fatal;
    size_t nent;
    ent_t ent[VOUCH_DMARC_MEMO_MAX + 1]; /* the last: "memo full" */
} dmarc_eval_t;

static void set_reason(vouch_dmarc_result_t *out, const char *fmt, ...)
    VOUCH_PRINTF(2, 3);

static void
set_reason(vouch_dmarc_result_t *out, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
    va_end(ap);
}

static bool
dns_failed(vouch_dns_status_t s)
{
    return s == VOUCH_DNS_SERVFAIL || s == VOUCH_DNS_TIMEOUT ||
           s == VOUCH_DNS_REFUSED;
}

static int
eval_new(dmarc_eval_t **out, const vouch_ctx_t *ctx, vouch_resolver_t *resolver,
         const vouch_dmarc_options_t *opts)
{
    dmarc_eval_t *ev = vouch__calloc(ctx, 1, sizeof(*ev));

    if (ev == NULL) {
        return VOUCH_ENOMEM;
    }
    ev->ctx = ctx;
    ev->resolver = resolver;
    ev->mode = opts->mode;
    ev->psl = opts->psl;
    vouch_dns_budget_init(&ev->budget, VOUCH_DMARC_QUERY_BUDGET,
                          VOUCH_DMARC_TIMEOUT_MS);
    *out = ev;
    return 0;
}

static void
eval_free(dmarc_eval_t *ev)
{
    size_t i;

    if (ev == NULL) {
        return;
    }
    for (i = 0; i < ev->nent; i++) {
        vouch__free(ev->ctx, ev->ent[i].rec);
        vouch__free(ev->ctx, ev->ent[i].txt);
    }
    vouch__free(ev->ctx, ev);
}

/*
 * One query through the budget. Returns the answer, or NULL with *why
 * filled (budget, deadline, memory; ev->fatal set for memory).
 */
static const vouch_dns_answer_t *
query(dmarc_eval_t *ev, const char *name, size_t len, uint16_t type, char *why,
      size_t why_cap)
{
    const vouch_dns_answer_t *a = NULL;
    char tn[16];
    int rc;

    rc = vouch_dns_query(ev->resolver, &ev->budget, name, len, type, &a, NULL);
    if (rc == 0) {
        ev->queries++;
        if (dns_failed(a->status)) {
            (void)snprintf(why, why_cap, "DNS %s for %s %s%s%s",
                           vouch_dns_status_name(a->status), name,
                           vouch_dns_type_name(type, tn),
                           a->why != NULL ? ": " : "",
                           a->why != NULL ? a->why : "");
        }
        return a;
    }
    if (rc == VOUCH_ENOMEM) {
        ev->fatal = rc;
    }
    (void)snprintf(why, why_cap, "%s before querying %s",
                   rc == VOUCH_ETOOBIG ? "DNS query budget spent"
                   : rc == VOUCH_ETEMP ? "DNS deadline passed"
                                       : vouch_strerror(rc),
                   name);
    return NULL;
}

/* Fill a memo entry from the TXT answer at _dmarc.<name>. */
static void
classify(dmarc_eval_t *ev, ent_t *e, const vouch_dns_answer_t *a)
{
    const vouch_dns_rr_t *one = NULL;
    vouch_error_t perr;
    size_t i, n = 0;

    for (i = 0; i < a->n; i++) {
        if (a->rr[i].type == VOUCH_DNS_TXT &&
            vouch__dmarc_is_candidate(a->rr[i].data, a->rr[i].len)) {
            one = &a->rr[i];
            n++;
        }
    }
    if (n > 1) {
        e->state = ENT_MULTI;
        return;
    }
    if (n == 0) {
        return;
    }
    e->rec = vouch__malloc(ev->ctx, sizeof(*e->rec));
    e->txt = vouch__memdup(ev->ctx, one->data, one->len);
    if (e->rec == NULL || e->txt == NULL) {
        ev->fatal = VOUCH_ENOMEM;
        e->state = ENT_FAIL;
        (void)snprintf(e->why, sizeof(e->why), "out of memory");
        return;
    }
    e->txt_len = one->len;
    vouch_error_clear(&perr);
    if (vouch_dmarc_record_parse(e->rec, one->data, one->len, ev->mode,
                                 &perr) != 0) {
        /* not a record after all (a tag given twice): discarded */
        (void)snprintf(e->why, sizeof(e->why), "record ignored: %.100s",
                       perr.msg);
        return;
    }
    e->state = ENT_REC;
}

/* The memo entry of _dmarc.<name> (name normalised), looked up on first
 * use. Never NULL. */
static size_t
lookup(dmarc_eval_t *ev, const char *name)
{
    char qname[DMARC_NAME_BUF + 8];
    const vouch_dns_answer_t *a;
    size_t i, nlen = strlen(name);
    ent_t *e;

    for (i = 0; i < ev->nent; i++) {
        if (strcmp(ev->ent[i].name, name) == 0) {
            return i;
        }
    }
    if (ev->nent == VOUCH_DMARC_MEMO_MAX) {
        e = &ev->ent[VOUCH_DMARC_MEMO_MAX];
        memcpy(e->name, name, nlen + 1);
        e->state = ENT_FAIL;
        (void)snprintf(e->why, sizeof(e->why),
                       "more than %d DMARC lookups (at _dmarc.%s)",
                       VOUCH_DMARC_MEMO_MAX, name);
        return VOUCH_DMARC_MEMO_MAX;
    }
    i = ev->nent++;
    e = &ev->ent[i];
    memset(e, 0, sizeof(*e));
    memcpy(e->name, name, nlen + 1);
    if (nlen + 7 > VOUCH_DNS_NAME_MAX) {
        /* _dmarc.<name> is not a DNS name: nothing can be published */
        return i;
    }
    memcpy(qname, "_dmarc.", 7);
    memcpy(qname + 7, name, nlen + 1);
    a = query(ev, qname, nlen + 7, VOUCH_DNS_TXT, e->why, sizeof(e->why));
    if (a == NULL || dns_failed(a->status)) {
        e->state = ENT_FAIL;
    } else if (a->status == VOUCH_DNS_NOERROR) {
        classify(ev, e, a);
    }
    vouch_dns_answer_free(a);
    return i;
}

/* The next target of a walk (RFC 9989 "DNS Tree Walk" steps 3-4 and 7):
 * one label less, or the last 7 labels of a name of 8 or more. NULL after
 * the last label. */
static const char *
next_target(const char *name)
{
    unsigned x = vouch__dmarc_labels(name), drop;

    if (x <= 1) {
        return NULL;
    }
    drop = x < VOUCH_DMARC_WALK_QUERIES_MAX
               ? 1
               : x - (VOUCH_DMARC_WALK_QUERIES_MAX - 1);
    while (drop-- > 0) {
        name = strchr(name, '.') + 1;
    }
    return name;
}

/* Walk from start (normalised), querying start itself first. */
static void
tree_walk(dmarc_eval_t *ev, const char *start, walk_t *w)
{
    const char *name = start;

    memset(w, 0, sizeof(*w));
    while (name != NULL && w->nqueries < VOUCH_DMARC_WALK_QUERIES_MAX) {
        size_t i = lookup(ev, name);
        const ent_t *e = &ev->ent[i];

        w->nqueries++;
        if (e->state == ENT_FAIL) {
            w->failed = true;
            w->fail_ent = i;
            return;
        }
        if (e->state == ENT_REC) {
            w->found[w->nfound++] = i;
            if (e->rec->psd != VOUCH_DMARC_PSD_U) {
                return;
            }
        }
        name = next_target(name);
    }
}

/* The suffix of name that has n labels (n <= labels of name). */
static const char *
last_labels(const char *name, unsigned n)
{
    unsigned x = vouch__dmarc_labels(name);

    while (x-- > n) {
        name = strchr(name, '.') + 1;
    }
    return name;
}

/* The Organizational Domain of start from its walk (RFC 9989 "Identifier
 * Alignment Evaluation", selection steps 1-3). Returns a name in the memo
 * or start. */
static const char *
org_select(const dmarc_eval_t *ev, const walk_t *w, const char *start)
{
    size_t i;

    for (i = 0; i < w->nfound; i++) {
        const ent_t *e = &ev->ent[w->found[i]];

        if (e->rec->psd == VOUCH_DMARC_PSD_N) {
            return e->name;
        }
        if (e->rec->psd == VOUCH_DMARC_PSD_Y && strcmp(e->name, start) != 0) {
            return last_labels(start, vouch__dmarc_labels(e->name) + 1);
        }
    }
    if (w->nfound > 0) {
        return ev->ent[w->found[w->nfound - 1]].name;
    }
    return start;
}

/* RFC 7489 §3.2: the registrable domain, or the name itself when it is a
 * public suffix. */
static void
psl_org(const dmarc_eval_t *ev, const char *name, char out[DMARC_NAME_BUF])
{
    if (vouch_psl_org_domain(ev->psl, name, out) != 0) {
        memcpy(out, name, strlen(name) + 1);
    }
}

/* ---- discovery
 * ------------------------------------------------------------------ */

typedef struct discovery {
    size_t policy_ent; /* memo index of the policy record */
    bool found;
    bool subdomain; /* the record is not the Author Domain's own */
    bool org_known;
    char org[DMARC_NAME_BUF];
} discovery_t;

/* Returns the verdict when discovery ends it (NONE, TEMPERROR), or PASS
 * to say "a policy record was found, go on". */
static vouch_dmarc_code_t
discover_9989(dmarc_eval_t *ev, const char *from, discovery_t *d,
              vouch_dmarc_result_t *out)
{
    const ent_t *first;
    size_t i;
    walk_t w;

    tree_walk(ev, from, &w);
    first = &ev->ent[lookup(ev, from)];
    if (first->state == ENT_FAIL) {
        set_reason(out, "policy discovery: %s", first->why);
        return VOUCH_DMARC_TEMPERROR;
    }
    if (first->state == ENT_REC) {
        d->found = true;
        d->policy_ent = lookup(ev, from);
        d->org_known = !w.failed;
        if (d->org_known) {
            const char *org = org_select(ev, &w, from);

            memcpy(d->org, org, strlen(org) + 1);
        }
        return VOUCH_DMARC_PASS;
    }
    if (w.failed) {
        set_reason(out, "policy discovery (tree walk): %s",
                   ev->ent[w.fail_ent].why);
        return VOUCH_DMARC_TEMPERROR;
    }
    if (w.nfound == 0) {
        /* "If this process does not determine the Organizational Domain,
         * then the initial target domain is the Organizational Domain." */
        memcpy(d->org, from, strlen(from) + 1);
        d->org_known = true;
        set_reason(out, "no DMARC policy record for %s or its parents%s%s",
                   from,
                   first->state == ENT_MULTI
                       ? " (several records at the From domain, all ignored)"
                       : "",
                   first->why[0] != '\0' ? " (the From domain's " : "");
        if (first->why[0] != '\0') {
            size_t l = strlen(out->reason);

            (void)snprintf(out->reason + l, sizeof(out->reason) - l, "%s)",
                           first->why);
        }
        return VOUCH_DMARC_NONE;
    }
    {
        const char *org = org_select(ev, &w, from);

        memcpy(d->org, org, strlen(org) + 1);
    }
    d->org_known = true;
    d->found = true;
    d->subdomain = true;
    /* the Organizational Domain's record, else the PSD's (psd=y, last) */
    d->policy_ent = w.found[w.nfound - 1];
    for (i = 0; i < w.nfound; i++) {
        if (strcmp(ev->ent[w.found[i]].name, d->org) == 0) {
            d->policy_ent = w.found[i];
        }
    }
    return VOUCH_DMARC_PASS;
}

static vouch_dmarc_code_t
discover_7489(dmarc_eval_t *ev, const char *from, discovery_t *d,
              vouch_dmarc_result_t *out)
{
    const ent_t *e;
    size_t i;

    psl_org(ev, from, d->org);
    d->org_known = true;
    i = lookup(ev, from);
    e = &ev->ent[i];
    if (e->state == ENT_NOREC && strcmp(d->org, from) != 0) {
        /* §6.6.3 step 3: only when the From domain's set is empty */
        d->subdomain = true;
        i = lookup(ev, d->org);
        e = &ev->ent[i];
    }
    switch (e->state) {
    case ENT_FAIL:
        set_reason(out, "policy discovery: %s", e->why);
        return VOUCH_DMARC_TEMPERROR;
    case ENT_MULTI:
        set_reason(out,
                   "several DMARC records at _dmarc.%s (RFC 7489 "
                   "§6.6.3: no DMARC processing)",
                   e->name);
        return VOUCH_DMARC_NONE;
    case ENT_NOREC:
        set_reason(out, "no DMARC policy record for %s%s%s%s%s", from,
                   d->subdomain ? " or its organizational domain " : "",
                   d->subdomain ? d->org : "", e->why[0] != '\0' ? "; " : "",
                   e->why);
        return VOUCH_DMARC_NONE;
    case ENT_REC:
        break;
    }
    d->found = true;
    d->policy_ent = i;
    return VOUCH_DMARC_PASS;
}

/* ---- alignment
 * ------------------------------------------------------------------ */

typedef enum align {
    NOT_ALIGNED = 0,
    ALIGNED,
    UNKNOWN /* a DNS failure kept us from knowing */
} align_t;

static align_t
aligned(dmarc_eval_t *ev, const char *from, const discovery_t *d,
        const char *ident, vouch_dmarc_align_t mode)
{
    char id[DMARC_NAME_BUF], org[DMARC_NAME_BUF];
    walk_t w;

    if (ident == NULL ||
        vouch__dmarc_name_norm(id, ident, strlen(ident)) != 0) {
        return NOT_ALIGNED;
    }
    if (strcmp(id, from) == 0) {
        return ALIGNED;
    }
    if (mode == VOUCH_DMARC_ALIGN_STRICT) {
        return NOT_ALIGNED;
    }
    if (ev->mode == VOUCH_DMARC_7489) {
        psl_org(ev, id, org);
        return strcmp(org, d->org) == 0 ? ALIGNED : NOT_ALIGNED;
    }
    if (!d->org_known) {
        return UNKNOWN;
    }
    /* an Organizational Domain is the name or one of its parents, so only
     * names at or under the From domain's can share it */
    if (!vouch__dmarc_under(id, d->org)) {
        return NOT_ALIGNED;
    }
    tree_walk(ev, id, &w);
    if (w.failed) {
        return UNKNOWN;
    }
    return strcmp(org_select(ev, &w, id), d->org) == 0 ? ALIGNED : NOT_ALIGNED;
}

/* ---- the verdict
 * ---------------------------------------------------------------- */

static vouch_dmarc_policy_t
one_lower(vouch_dmarc_policy_t p)
{
    return p == VOUCH_DMARC_P_REJECT
               ? VOUCH_DMARC_P_QUARANTINE
               : (p == VOUCH_DMARC_P_UNSET ? p : VOUCH_DMARC_P_NONE);
}

static unsigned
pct_draw(const vouch_dmarc_options_t *opts)
{
    uint32_t r;

    if (opts->pct_draw >= 0) {
        return (unsigned)opts->pct_draw;
    }
    if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
        r = (uint32_t)vouch_dns_monotonic_ms();
    }
    return r % 100;
}

/*
 * Does the Author Domain exist (RFC 9989 "Non-existent Domains", RFC 8020:
 * NXDOMAIN for a query at the name)? Returns 1 yes, 0 no, -1 unknown.
 */
static int
from_exists(dmarc_eval_t *ev, const char *from, char *why, size_t why_cap)
{
    const vouch_dns_answer_t *a;
    int r;

    a = query(ev, from, strlen(from), VOUCH_DNS_A, why, why_cap);
    if (a == NULL || dns_failed(a->status)) {
        r = -1;
    } else {
        r = a->status != VOUCH_DNS_NXDOMAIN;
    }
    vouch_dns_answer_free(a);
    return r;
}

static void
check_identifiers(dmarc_eval_t *ev, const char *from, const discovery_t *d,
                  const vouch_dmarc_record_t *rec,
                  const vouch_dmarc_input_t *in, vouch_dmarc_result_t *out,
                  bool *unknown)
{
    size_t i;
    align_t a;

    if (in->spf_result == VOUCH_SPF_PASS ||
        in->spf_result == VOUCH_SPF_TEMPERROR) {
        a = aligned(ev, from, d, in->spf_domain, rec->aspf);
        if (in->spf_result == VOUCH_SPF_PASS && a == ALIGNED) {
            out->spf_aligned = true;
        } else if (a != NOT_ALIGNED) {
            *unknown = true;
        }
    }
    for (i = 0; i < in->ndkim && !out->dkim_aligned; i++) {
        const vouch_dmarc_dkim_in_t *k = &in->dkim[i];

        if (!k->pass && !k->temperror) {
            continue;
        }
        a = aligned(ev, from, d, k->domain, rec->adkim);
        if (k->pass && a == ALIGNED) {
            out->dkim_aligned = true;
            (void)vouch__dmarc_name_norm(out->dkim_aligned_domain, k->domain,
                                         strlen(k->domain));
        } else if (a != NOT_ALIGNED) {
            *unknown = true;
        }
    }
}

static int
check_args(const vouch_dmarc_options_t *opts, const vouch_ctx_t *ctx,
           vouch_resolver_t *resolver, vouch_error_t *err)
{
    if (ctx == NULL || resolver == NULL) {
        return vouch__error(err, VOUCH_EINVAL, "dmarc", 0,
                            "no context or resolver");
    }
    if (opts->version != 1 ||
        (opts->mode != VOUCH_DMARC_9989 && opts->mode != VOUCH_DMARC_7489) ||
        opts->pct_draw < -1 || opts->pct_draw > 99) {
        return vouch__error(err, VOUCH_EINVAL, "dmarc", 0, "bad options");
    }
    if (opts->mode == VOUCH_DMARC_7489 && opts->psl == NULL) {
        return vouch__error(err, VOUCH_EINVAL, "dmarc", 0,
                            "RFC 7489 mode needs a public suffix list");
    }
    return 0;
}

/* Alignment, the policy that applies and the disposition, once a policy
 * record was found. */
static void
decide(dmarc_eval_t *ev, const vouch_dmarc_options_t *opts, const char *from,
       const discovery_t *d, const vouch_dmarc_input_t *in,
       vouch_dmarc_result_t *out)
{
    const ent_t *pe = &ev->ent[d->policy_ent];
    const vouch_dmarc_record_t *rec = pe->rec;
    bool unknown = false, nonexistent = false;
    char why[160] = "";
    int exists = 1;

    memcpy(out->policy_domain, pe->name, strlen(pe->name) + 1);
    vouch__escape_into(out->record, sizeof(out->record), pe->txt, pe->txt_len);
    if (vouch_dmarc_record_policy(rec, d->subdomain, false, NULL) ==
        VOUCH_DMARC_P_UNSET) {
        out->result = VOUCH_DMARC_NONE;
        set_reason(out,
                   "record at _dmarc.%s has no valid p (or a bad sp/np) and "
                   "no valid rua: no DMARC processing",
                   pe->name);
        return;
    }
    /* np only matters for a subdomain, in 9989 mode, when written */
    if (d->subdomain && ev->mode == VOUCH_DMARC_9989 &&
        rec->np != VOUCH_DMARC_P_UNSET) {
        exists = from_exists(ev, from, why, sizeof(why));
        nonexistent = exists == 0;
        out->from_exists = exists != 0;
    }
    out->policy = vouch_dmarc_record_policy(rec, d->subdomain, nonexistent,
                                            &out->policy_tag);
    check_identifiers(ev, from, d, rec, in, out, &unknown);
    out->testing = ev->mode == VOUCH_DMARC_9989 && rec->t;
    if (out->spf_aligned || out->dkim_aligned) {
        out->result = VOUCH_DMARC_PASS;
        out->disposition = VOUCH_DMARC_P_NONE;
        set_reason(out, "%s aligned with %s (policy from _dmarc.%s)",
                   out->dkim_aligned ? "DKIM" : "SPF", from, pe->name);
        return;
    }
    if (unknown || exists < 0) {
        out->result = VOUCH_DMARC_TEMPERROR;
        set_reason(out, "%s",
                   exists < 0 ? why
                              : "an identifier's alignment could not be "
                                "determined (DNS failure in its tree walk)");
        return;
    }
    out->result = VOUCH_DMARC_FAIL;
    out->disposition = out->policy;
    if (out->testing) {
        out->disposition = one_lower(out->policy);
    } else if (ev->mode == VOUCH_DMARC_7489 && rec->pct < 100 &&
               pct_draw(opts) >= rec->pct) {
        /* §6.6.4: a message left out of the sample gets the next policy
         * down */
        out->testing = true;
        out->disposition = one_lower(out->policy);
    }
    set_reason(out, "no aligned SPF or DKIM pass; %s=%s from _dmarc.%s%s",
               out->policy_tag, vouch_dmarc_policy_name(out->policy), pe->name,
               out->testing ? " (testing: one level lower)" : "");
}

/* see vouch/dmarc.h */
int
vouch_dmarc_evaluate(vouch_dmarc_result_t *out, const vouch_ctx_t *ctx,
                     vouch_resolver_t *resolver,
                     const vouch_dmarc_options_t *opts,
                     const vouch_dmarc_input_t *in, vouch_error_t *err)
{
    static const vouch_dmarc_options_t defaults = VOUCH_DMARC_OPTIONS_INIT;
    char from[DMARC_NAME_BUF];
    dmarc_eval_t *ev = NULL;
    discovery_t d;
    vouch_dmarc_code_t c;
    int rc;

    if (out == NULL) {
        return vouch__error(err, VOUCH_EINVAL, "dmarc", 0, "no result");
    }
    memset(out, 0, sizeof(*out));
    out->policy_tag = "";
    out->from_exists = true;
    out->result = VOUCH_DMARC_PERMERROR;
    if (opts == NULL) {
        opts = &defaults;
    }
    rc = check_args(opts, ctx, resolver, err);
    if (rc == 0 && (in == NULL || in->from_domain == NULL ||
                    in->ndkim > VOUCH_DMARC_DKIM_MAX ||
                    (in->ndkim > 0 && in->dkim == NULL))) {
        rc = vouch__error(err, VOUCH_EINVAL, "dmarc", 0, "bad input");
    }
    if (rc != 0) {
        set_reason(out, "%s", vouch_strerror(rc));
        return rc;
    }
    vouch__escape_into(out->from_domain, sizeof(out->from_domain),
                       in->from_domain, strlen(in->from_domain));
    if (vouch__dmarc_name_norm(from, in->from_domain,
                               strlen(in->from_domain)) != 0) {
        set_reason(out, "the From domain is not a valid domain name");
        return 0;
    }
    memcpy(out->from_domain, from, strlen(from) + 1);
    if (eval_new(&ev, ctx, resolver, opts) != 0) {
        out->result = VOUCH_DMARC_TEMPERROR;
        set_reason(out, "out of memory");
        return vouch__error_code(err, VOUCH_ENOMEM, "dmarc");
    }
    memset(&d, 0, sizeof(d));
    c = opts->mode == VOUCH_DMARC_7489 ? discover_7489(ev, from, &d, out)
                                       : discover_9989(ev, from, &d, out);
    if (d.org_known) {
        memcpy(out->org_domain, d.org, strlen(d.org) + 1);
    }
    if (c == VOUCH_DMARC_PASS) {
        decide(ev, opts, from, &d, in, out);
    } else {
        out->result = c;
    }
    out->queries = ev->queries;
    rc = ev->fatal;
    eval_free(ev);
    if (rc != 0) {
        out->result = VOUCH_DMARC_TEMPERROR;
        out->disposition = VOUCH_DMARC_P_UNSET;
        set_reason(out, "out of memory");
        return vouch__error_code(err, rc, "dmarc");
    }
    return 0;
}

/* ---- external destinations
 * ------------------------------------------------------ */

const char *
vouch_dmarc_dest_name(vouch_dmarc_dest_t dst)
{
    static const char *const names[] = { "same-org", "authorized",
                                         "unauthorized", "temperror",
                                         "bad-uri" };

    return (unsigned)dst < VOUCH_ARRAY_LEN(names) ? names[dst] : "unknown";
}

/* The Organizational Domain of name for destination checks. Returns false
 * on a DNS failure. */
static bool
org_of(dmarc_eval_t *ev, const char *name, char out[DMARC_NAME_BUF])
{
    const char *org;
    walk_t w;

    if (ev->mode == VOUCH_DMARC_7489) {
        psl_org(ev, name, out);
        return true;
    }
    tree_walk(ev, name, &w);
    if (w.failed) {
        return false;
    }
    org = org_select(ev, &w, name);
    memcpy(out, org, strlen(org) + 1);
    return true;
}

static vouch_dmarc_dest_t
authorized(dmarc_eval_t *ev, const char *policy_domain, const char *host)
{
    char qname[3 * DMARC_NAME_BUF], why[160];
    const vouch_dns_answer_t *a;
    vouch_dmarc_dest_t r = VOUCH_DMARC_DEST_UNAUTHORIZED;
    int n;
    size_t i;

    n = snprintf(qname, sizeof(qname), "%s._report._dmarc.%s", policy_domain,
                 host);
    if (n < 0 || (size_t)n > VOUCH_DNS_NAME_MAX) {
        return r; /* no such name can hold a record */
    }
    a = query(ev, qname, (size_t)n, VOUCH_DNS_TXT, why, sizeof(why));
    if (a == NULL || dns_failed(a->status)) {
        r = VOUCH_DMARC_DEST_TEMPERROR;
    } else {
        for (i = 0; i < a->n; i++) {
            if (a->rr[i].type == VOUCH_DNS_TXT &&
                vouch__dmarc_is_candidate(a->rr[i].data, a->rr[i].len)) {
                r = VOUCH_DMARC_DEST_AUTHORIZED;
            }
        }
    }
    vouch_dns_answer_free(a);
    return r;
}

/* see vouch/dmarc.h */
int
vouch_dmarc_check_destination(vouch_dmarc_dest_t *out, const vouch_ctx_t *ctx,
                              vouch_resolver_t *resolver,
                              const vouch_dmarc_options_t *opts,
                              const char *policy_domain, const char *uri,
                              size_t uri_len, vouch_error_t *err)
{
    static const vouch_dmarc_options_t defaults = VOUCH_DMARC_OPTIONS_INIT;
    char pd[DMARC_NAME_BUF], host[DMARC_NAME_BUF];
    char org_pd[DMARC_NAME_BUF], org_host[DMARC_NAME_BUF];
    dmarc_eval_t *ev = NULL;
    int rc;

    if (out == NULL || policy_domain == NULL || uri == NULL) {
        return vouch__error(err, VOUCH_EINVAL, "dmarc", 0, "bad arguments");
    }
    *out = VOUCH_DMARC_DEST_BAD_URI;
    if (opts == NULL) {
        opts = &defaults;
    }
    rc = check_args(opts, ctx, resolver, err);
    if (rc != 0) {
        return rc;
    }
    if (vouch__dmarc_name_norm(pd, policy_domain, strlen(policy_domain)) != 0) {
        return vouch__error(err, VOUCH_EINVAL, "dmarc", 0, "bad policy domain");
    }
    if (vouch__dmarc_uri_host(host, uri, uri_len) != 0) {
        return 0;
    }
    if (eval_new(&ev, ctx, resolver, opts) != 0) {
        return vouch__error_code(err, VOUCH_ENOMEM, "dmarc");
    }
    if (!org_of(ev, pd, org_pd) || !org_of(ev, host, org_host)) {
        *out = VOUCH_DMARC_DEST_TEMPERROR;
    } else if (strcmp(org_pd, org_host) == 0) {
        *out = VOUCH_DMARC_DEST_SAME_ORG;
    } else {
        *out = authorized(ev, pd, host);
    }
    rc = ev->fatal;
    eval_free(ev);
    if (rc != 0) {
        *out = VOUCH_DMARC_DEST_TEMPERROR;
        return vouch__error_code(err, rc, "dmarc");
    }
    return 0;
}
