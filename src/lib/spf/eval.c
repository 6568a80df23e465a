/* SPDX-License-Identifier: MIT */
/*
 * spf/eval.c - check_host() (RFC 7208 §4-§6).
 *
 * One evaluation: initial processing of the identity (§4.3), record
 * lookup and selection (§4.4, §4.5), a syntax check of the whole record
 * before anything is evaluated (§4.6), then the terms left to right
 * (§4.6.2, §5), redirect= when nothing matched (§6.1) and exp= for a fail
 * (§6.2). include and redirect recurse; the limits of §4.6.4 (10
 * DNS-querying terms, 2 void lookups, 10 MX names, 10 PTR names) bound
 * the recursion, and a DNS query budget and deadline bound the rest.
 *
 * Nothing is allocated per term: records come parsed from their DNS
 * answer (compile.c; kept referenced while their frame runs), names are
 * expanded into one scratch buffer and copied into fixed arrays of 254
 * bytes. What decided the verdict is noted as it happens and put into
 * words once, at the end; only errors write their reason on the spot.
 *
 * Verdicts, not errors: every DNS failure and bad record ends as a
 * temperror or permerror with a reason; only allocation failure and
 * caller misuse are errors.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "spf_internal.h"
#include "../dns/dns_internal.h"

/* Nested include/redirect frames: each costs one DNS-querying term, so
 * the limit of 10 stops recursion at depth 11. */
#define SPF_DEPTH_MAX (VOUCH_SPF_DNS_TERMS_MAX + 1)

/* Longest term text quoted in a reason (longer ones end in "...") */
#define SPF_SHOWN_MAX 200

typedef enum match {
    NO_MATCH = 0,
    MATCH = 1,
    DECIDED = 2 /* the term decided the result (an error): stop */
} match_t;

typedef struct spf_eval {
    const vouch_ctx_t *ctx;
    vouch_resolver_t *resolver;
    vouch_dns_budget_t budget;
    vouch_spf_result_t *res;
    vouch_ip_t ip;
    spf_macro_env_t env;
    unsigned include_depth;
    unsigned depth;
    const char *stack[SPF_DEPTH_MAX + 1]; /* domains being evaluated */
    vouch_buf_t scratch;                  /* macro expansion */
    int fatal;                            /* VOUCH_ENOMEM and the like */
    vouch_spf_code_t code;                /* verdict of a DECIDED term */
    bool quiet;                           /* explaining: keep the reason */
    /* what decided, for the reason written once at the end */
    bool by_term;                          /* a term or the default */
    char top_domain[VOUCH_DNS_NAME_BUF];   /* where it was decided */
    char inner_term[SPF_SHOWN_MAX + 4];    /* innermost term that matched */
    char inner_domain[VOUCH_DNS_NAME_BUF]; /* and its record's domain */
    /* %{p} and ptr: validated names, computed once (§5.5) */
    bool ptr_done;
    size_t nvalid;
    char valid[VOUCH_SPF_PTR_NAMES_MAX][VOUCH_DNS_NAME_BUF];
    char ptr_value[VOUCH_DNS_NAME_BUF];
} spf_eval_t;

const char *
vouch_spf_code_name(vouch_spf_code_t code)
{
    static const char *const names[] = { "none",     "neutral",  "pass",
                                         "fail",     "softfail", "temperror",
                                         "permerror" };

    return (unsigned)code < VOUCH_ARRAY_LEN(names) ? names[code] : "unknown";
}

const char *
vouch_spf_identity_name(vouch_spf_identity_t id)
{
    return id == VOUCH_SPF_HELO ? "helo" : "mailfrom";
}

/* ---- reasons
 * ------------------------------------------------------------------ */

/* Replace the reason text. A failure to record it is not a verdict
 * failure, except for memory, which the caller learns through ev->fatal. */
static void set_reason(spf_eval_t *ev, const char *fmt, ...) VOUCH_PRINTF(2, 3);

static void
set_reason(spf_eval_t *ev, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;

    if (ev->quiet) {
        return;
    }
    va_start(ap, fmt);
    (void)vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    vouch_buf_clear(&ev->res->reason);
    if (vouch_buf_puts(&ev->res->reason, tmp) == VOUCH_ENOMEM) {
        ev->fatal = VOUCH_ENOMEM;
    }
}

/* Escaped copy of untrusted bytes for a reason text. */
static const char *
shown(char *tmp, size_t cap, const char *p, size_t len)
{
    vouch__escape_into(tmp, cap, p, len);
    return tmp;
}

/* Stop the evaluation with a verdict (from inside a term). */
static match_t
decide(spf_eval_t *ev, vouch_spf_code_t code)
{
    ev->code = code;
    return DECIDED;
}

/* ---- DNS
 * ---------------------------------------------------------------------- */

static void
note_dnssec(spf_eval_t *ev, const vouch_dns_answer_t *a)
{
    vouch_dnssec_t s = a->dnssec;

    /* weakest wins: bogus < insecure < secure */
    if (s == VOUCH_DNSSEC_BOGUS || ev->res->dnssec == VOUCH_DNSSEC_BOGUS) {
        ev->res->dnssec = VOUCH_DNSSEC_BOGUS;
    } else if (s == VOUCH_DNSSEC_INSECURE) {
        ev->res->dnssec = VOUCH_DNSSEC_INSECURE;
    }
}

/*
 * Query (name, type). Returns the answer, or NULL when the query could not
 * be made (budget spent, deadline, bad name, memory): *why then says what,
 * and ev->fatal is set for memory.
 */
static const vouch_dns_answer_t *
query(spf_eval_t *ev, const char *name, size_t len, uint16_t type, int *why)
{
    const vouch_dns_answer_t *a = NULL;
    vouch_error_t e;
    int rc;

    vouch_error_clear(&e);
    rc = vouch_dns_query(ev->resolver, &ev->budget, name, len, type, &a, &e);
    if (rc != 0) {
        if (rc == VOUCH_ENOMEM) {
            ev->fatal = rc;
        }
        *why = rc;
        return NULL;
    }
    note_dnssec(ev, a);
    return a;
}

static bool
dns_failed(vouch_dns_status_t s)
{
    return s == VOUCH_DNS_SERVFAIL || s == VOUCH_DNS_TIMEOUT ||
           s == VOUCH_DNS_REFUSED;
}

/* A query that could not even be made: budget, deadline or a bad name. */
static match_t
query_refused(spf_eval_t *ev, int why, const char *name, size_t len)
{
    char tmp[300];

    shown(tmp, sizeof(tmp), name, len);
    if (why == VOUCH_ESYNTAX) {
        set_reason(ev, "invalid domain name '%s'", tmp);
        return decide(ev, VOUCH_SPF_PERMERROR);
    }
    set_reason(ev, "DNS budget exhausted at '%s'", tmp);
    return decide(ev, VOUCH_SPF_TEMPERROR);
}

static match_t
dns_error(spf_eval_t *ev, const vouch_dns_answer_t *a, const char *name,
          uint16_t type)
{
    char tn[16];

    set_reason(ev, "DNS %s for %s %s%s%s", vouch_dns_status_name(a->status),
               name, vouch_dns_type_name(type, tn), a->why != NULL ? ": " : "",
               a->why != NULL ? a->why : "");
    return decide(ev, VOUCH_SPF_TEMPERROR);
}

/* Count a void lookup (§4.6.4); a third one is a permerror. */
static match_t
void_lookup(spf_eval_t *ev, const char *name)
{
    if (++ev->res->void_lookups > VOUCH_SPF_VOID_LOOKUPS_MAX) {
        set_reason(ev, "more than %d void DNS lookups (last: %s)",
                   VOUCH_SPF_VOID_LOOKUPS_MAX, name);
        return decide(ev, VOUCH_SPF_PERMERROR);
    }
    return NO_MATCH;
}

/* Count a DNS-querying term (§4.6.4) before its lookup. */
static match_t
count_term(spf_eval_t *ev, const vouch_spf_term_t *t)
{
    char tmp[200];

    if (++ev->res->lookups > VOUCH_SPF_DNS_TERMS_MAX) {
        set_reason(ev,
                   "more than %d DNS-querying terms (limit reached at '%s')",
                   VOUCH_SPF_DNS_TERMS_MAX,
                   shown(tmp, sizeof(tmp), t->text.ptr, t->text.len));
        return decide(ev, VOUCH_SPF_PERMERROR);
    }
    return NO_MATCH;
}

/* ---- names
 * ---------------------------------------------------------------------- */

/*
 * Expand a domain-spec (or take the current domain when there is none)
 * into out: §7.3 truncation to 253 characters from the left, final dot
 * dropped. Returns NO_MATCH on success, DECIDED on failure.
 */
static match_t
target_name(spf_eval_t *ev, const vouch_spf_term_t *t, const char *domain,
            char out[VOUCH_DNS_NAME_BUF], size_t *out_len)
{
    const char *p;
    size_t len;
    int rc;

    if (t->domain_spec.len == 0) {
        len = strlen(domain);
        memcpy(out, domain, len + 1);
        *out_len = len;
        return NO_MATCH;
    }
    vouch_buf_clear(&ev->scratch);
    if (memchr(t->domain_spec.ptr, '%', t->domain_spec.len) == NULL) {
        /* no macro: the text is the name */
        rc =
            vouch_buf_add(&ev->scratch, t->domain_spec.ptr, t->domain_spec.len);
    } else {
        ev->env.domain.ptr = domain;
        ev->env.domain.len = strlen(domain);
        rc = vouch__spf_macro_expand(&ev->scratch, t->domain_spec.ptr,
                                     t->domain_spec.len, SPF_MACRO_DOMAIN,
                                     &ev->env);
    }
    if (rc == VOUCH_ENOMEM) {
        ev->fatal = rc;
        return decide(ev, VOUCH_SPF_TEMPERROR);
    }
    if (rc != 0) {
        char tmp[200];

        set_reason(ev, "cannot expand '%s': %s",
                   shown(tmp, sizeof(tmp), t->text.ptr, t->text.len),
                   vouch_strerror(rc));
        return decide(ev, VOUCH_SPF_PERMERROR);
    }
    p = ev->scratch.ptr;
    len = ev->scratch.len;
    if (len > 0 && p[len - 1] == '.') {
        len--;
    }
    /* §7.3: drop labels from the left until it fits */
    while (len > VOUCH_SPF_DOMAIN_MAX) {
        const char *dot = memchr(p, '.', len);

        if (dot == NULL) {
            break;
        }
        len -= (size_t)(dot + 1 - p);
        p = dot + 1;
    }
    if (len > VOUCH_SPF_DOMAIN_MAX) {
        len = VOUCH_SPF_DOMAIN_MAX + 1; /* let the query reject it */
        p = ev->scratch.ptr;
        memcpy(out, p, VOUCH_SPF_DOMAIN_MAX);
        out[VOUCH_SPF_DOMAIN_MAX] = '\0';
        *out_len = VOUCH_SPF_DOMAIN_MAX;
        return query_refused(ev, VOUCH_ESYNTAX, ev->scratch.ptr,
                             ev->scratch.len);
    }
    memcpy(out, p, len);
    out[len] = '\0';
    *out_len = len;
    return NO_MATCH;
}

/* ---- addresses
 * -------------------------------------------------------------------- */

static bool
prefix_match(const uint8_t *a, const uint8_t *b, unsigned bits)
{
    unsigned full = bits / 8, rest = bits % 8;

    if (memcmp(a, b, full) != 0) {
        return false;
    }
    if (rest == 0) {
        return true;
    }
    return ((a[full] ^ b[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* Does an A/AAAA answer hold the client address within the prefix? */
static bool
answer_has_ip(const spf_eval_t *ev, const vouch_dns_answer_t *a, unsigned cidr4,
              unsigned cidr6)
{
    size_t i;
    bool v6 = ev->ip.family == 6;

    for (i = 0; i < a->n; i++) {
        const vouch_dns_rr_t *rr = &a->rr[i];

        if (rr->type == VOUCH_DNS_A && !v6 && rr->len == 4 &&
            prefix_match((const uint8_t *)rr->data, ev->ip.addr, cidr4)) {
            return true;
        }
        if (rr->type == VOUCH_DNS_AAAA && v6 && rr->len == 16 &&
            prefix_match((const uint8_t *)rr->data, ev->ip.addr, cidr6)) {
            return true;
        }
    }
    return false;
}

/*
 * Look up the client's address family at name and compare. Used by a and
 * by each MX host. Errors decide (temperror); an empty answer is a void
 * lookup when count_void.
 */
static match_t
match_host(spf_eval_t *ev, const char *name, size_t len, unsigned cidr4,
           unsigned cidr6, bool count_void)
{
    uint16_t type = ev->ip.family == 6 ? VOUCH_DNS_AAAA : VOUCH_DNS_A;
    const vouch_dns_answer_t *a;
    match_t m;
    int why;

    a = query(ev, name, len, type, &why);
    if (a == NULL) {
        return query_refused(ev, why, name, len);
    }
    if (dns_failed(a->status)) {
        m = dns_error(ev, a, name, type);
    } else if (a->status != VOUCH_DNS_NOERROR) {
        m = count_void ? void_lookup(ev, name) : NO_MATCH;
    } else {
        m = answer_has_ip(ev, a, cidr4, cidr6) ? MATCH : NO_MATCH;
    }
    vouch_dns_answer_free(a);
    return m;
}

/* ---- ptr and %{p} (§5.5, §7.3)
 * ---------------------------------------------------- */

/* The reverse-lookup name of the client address (§5.5). */
static size_t
reverse_name(const vouch_ip_t *ip, char out[80])
{
    static const char hx[] = "0123456789abcdef";
    size_t o = 0;
    int i;

    if (ip->family == 4) {
        return (size_t)snprintf(out, 80, "%u.%u.%u.%u.in-addr.arpa",
                                ip->addr[3], ip->addr[2], ip->addr[1],
                                ip->addr[0]);
    }
    for (i = 15; i >= 0; i--) {
        out[o++] = hx[ip->addr[i] & 15];
        out[o++] = '.';
        out[o++] = hx[ip->addr[i] >> 4];
        out[o++] = '.';
    }
    memcpy(out + o, "ip6.arpa", 9);
    return o + 8;
}

/*
 * Compute the validated names of the client (§5.5): PTR names (the first
 * 10) whose A/AAAA records include the client address. DNS errors only
 * skip names; none of these lookups count as terms.
 */
static void
validate_ptr(spf_eval_t *ev)
{
    char rev[80];
    size_t rlen = reverse_name(&ev->ip, rev), i;
    uint16_t type = ev->ip.family == 6 ? VOUCH_DNS_AAAA : VOUCH_DNS_A;
    const vouch_dns_answer_t *ptr;
    int why;

    ev->ptr_done = true;
    ev->nvalid = 0;
    ptr = query(ev, rev, rlen, VOUCH_DNS_PTR, &why);
    if (ptr == NULL) {
        return;
    }
    for (i = 0; i < ptr->n && i < VOUCH_SPF_PTR_NAMES_MAX; i++) {
        const vouch_dns_rr_t *rr = &ptr->rr[i];
        const vouch_dns_answer_t *a;

        if (rr->type != VOUCH_DNS_PTR || rr->len > VOUCH_DNS_NAME_MAX) {
            continue;
        }
        a = query(ev, rr->data, rr->len, type, &why);
        if (a == NULL) {
            if (ev->fatal != 0) {
                break;
            }
            continue;
        }
        if (a->status == VOUCH_DNS_NOERROR && answer_has_ip(ev, a, 32, 128)) {
            memcpy(ev->valid[ev->nvalid], rr->data, rr->len);
            ev->valid[ev->nvalid][rr->len] = '\0';
            ev->nvalid++;
        }
        vouch_dns_answer_free(a);
    }
    vouch_dns_answer_free(ptr);
}

/* Is name equal to domain or a subdomain of it (case-insensitive)? */
static bool
name_within(const char *name, const char *domain)
{
    size_t n = strlen(name), d = strlen(domain);

    if (n > 0 && name[n - 1] == '.') {
        n--;
    }
    if (n == d) {
        return vouch__str_ieq(name, n, domain, d);
    }
    return n > d && name[n - d - 1] == '.' &&
           vouch__str_ieq(name + n - d, d, domain, d);
}

/* %{p}: a validated name, preferring the current domain or a subdomain of
 * it; "unknown" when there is none (§7.3). */
static int
ptr_macro(void *payload, vouch_str_t *out)
{
    spf_eval_t *ev = payload;
    char domain[VOUCH_DNS_NAME_BUF];
    size_t i, best = SIZE_MAX;

    if (ev->env.domain.len > VOUCH_DNS_NAME_MAX) {
        return VOUCH_ETOOBIG;
    }
    /* env.domain may point into the scratch buffer being expanded */
    memcpy(domain, ev->env.domain.ptr, ev->env.domain.len);
    domain[ev->env.domain.len] = '\0';
    if (!ev->ptr_done) {
        validate_ptr(ev);
        if (ev->fatal != 0) {
            return ev->fatal;
        }
    }
    for (i = 0; i < ev->nvalid && best == SIZE_MAX; i++) {
        if (name_within(ev->valid[i], domain)) {
            best = i;
        }
    }
    if (best == SIZE_MAX && ev->nvalid > 0) {
        best = 0;
    }
    if (best == SIZE_MAX) {
        out->ptr = "unknown";
        out->len = 7;
        return 0;
    }
    memcpy(ev->ptr_value, ev->valid[best], sizeof(ev->ptr_value));
    out->ptr = ev->ptr_value;
    out->len = strlen(ev->ptr_value);
    return 0;
}

/* ---- mechanisms
 * ---------------------------------------------------------------------- */

static vouch_spf_code_t check_host(spf_eval_t *ev, const char *domain);

static match_t
eval_ip(const spf_eval_t *ev, const vouch_spf_term_t *t)
{
    if (t->ip.family != ev->ip.family) {
        return NO_MATCH;
    }
    return prefix_match(t->ip.addr, ev->ip.addr,
                        t->ip.family == 6 ? t->cidr6 : t->cidr4)
               ? MATCH
               : NO_MATCH;
}

/* MX records by preference, ties in answer order (for a stable order of
 * the lazy walk below). */
static void
sort_mx(const vouch_dns_rr_t **mx, size_t n)
{
    size_t i, j;

    for (i = 1; i < n; i++) {
        const vouch_dns_rr_t *x = mx[i];

        for (j = i; j > 0 && mx[j - 1]->pref > x->pref; j--) {
            mx[j] = mx[j - 1];
        }
        mx[j] = x;
    }
}

/*
 * §5.4 with the §4.6.4 limit read literally: the MX hosts are looked at in
 * preference order and the mechanism matches at the first host holding
 * the client address; needing the address records of an 11th host is a
 * permerror.
 */
static match_t
eval_mx(spf_eval_t *ev, const vouch_spf_term_t *t, const char *name, size_t len)
{
    const vouch_dns_rr_t *hosts[VOUCH_SPF_MX_NAMES_MAX + 1];
    const vouch_dns_answer_t *mx;
    match_t m = NO_MATCH;
    size_t i, n = 0;
    int why;

    mx = query(ev, name, len, VOUCH_DNS_MX, &why);
    if (mx == NULL) {
        return query_refused(ev, why, name, len);
    }
    if (dns_failed(mx->status)) {
        m = dns_error(ev, mx, name, VOUCH_DNS_MX);
    } else if (mx->status != VOUCH_DNS_NOERROR) {
        m = void_lookup(ev, name);
    }
    for (i = 0; m == NO_MATCH && i < mx->n && n <= VOUCH_SPF_MX_NAMES_MAX;
         i++) {
        /* RFC 7505 null MX (".") names no host */
        if (mx->rr[i].type == VOUCH_DNS_MX &&
            strcmp(mx->rr[i].data, ".") != 0) {
            hosts[n++] = &mx->rr[i];
        }
    }
    sort_mx(hosts, n);
    for (i = 0; m == NO_MATCH && i < n; i++) {
        if (i == VOUCH_SPF_MX_NAMES_MAX) {
            set_reason(ev, "%s has more than %d MX hosts to look at", name,
                       VOUCH_SPF_MX_NAMES_MAX);
            m = decide(ev, VOUCH_SPF_PERMERROR);
            break;
        }
        m = match_host(ev, hosts[i]->data, hosts[i]->len, t->cidr4, t->cidr6,
                       false);
    }
    vouch_dns_answer_free(mx);
    return m;
}

static match_t
eval_ptr(spf_eval_t *ev, const char *target)
{
    size_t i;

    if (!ev->ptr_done) {
        validate_ptr(ev);
        if (ev->fatal != 0) {
            return decide(ev, VOUCH_SPF_TEMPERROR);
        }
    }
    for (i = 0; i < ev->nvalid; i++) {
        if (name_within(ev->valid[i], target)) {
            return MATCH;
        }
    }
    return NO_MATCH;
}

static match_t
eval_exists(spf_eval_t *ev, const char *name, size_t len)
{
    const vouch_dns_answer_t *a;
    match_t m;
    int why;

    /* §5.7: always an A query, whatever the client's address family */
    a = query(ev, name, len, VOUCH_DNS_A, &why);
    if (a == NULL) {
        return query_refused(ev, why, name, len);
    }
    if (dns_failed(a->status)) {
        m = dns_error(ev, a, name, VOUCH_DNS_A);
    } else if (a->status != VOUCH_DNS_NOERROR) {
        m = void_lookup(ev, name);
    } else {
        m = MATCH;
    }
    vouch_dns_answer_free(a);
    return m;
}

static match_t
eval_include(spf_eval_t *ev, const vouch_spf_term_t *t, const char *target)
{
    vouch_spf_code_t r;
    char tmp[200];

    ev->include_depth++;
    r = check_host(ev, target);
    ev->include_depth--;
    if (ev->fatal != 0) {
        return decide(ev, VOUCH_SPF_TEMPERROR);
    }
    /* §5.2: the include table */
    switch (r) {
    case VOUCH_SPF_PASS:
        return MATCH;
    case VOUCH_SPF_FAIL:
    case VOUCH_SPF_SOFTFAIL:
    case VOUCH_SPF_NEUTRAL:
        return NO_MATCH;
    case VOUCH_SPF_TEMPERROR:
        return decide(ev, VOUCH_SPF_TEMPERROR);
    case VOUCH_SPF_NONE:
        set_reason(ev, "'%s': %s has no SPF record",
                   shown(tmp, sizeof(tmp), t->text.ptr, t->text.len), target);
        return decide(ev, VOUCH_SPF_PERMERROR);
    case VOUCH_SPF_PERMERROR:
        break;
    }
    return decide(ev, VOUCH_SPF_PERMERROR);
}

/* Evaluate one mechanism of the record of domain. */
static match_t
eval_mechanism(spf_eval_t *ev, const vouch_spf_term_t *t, const char *domain)
{
    char name[VOUCH_DNS_NAME_BUF];
    size_t len;
    match_t m;

    switch (t->kind) {
    case VOUCH_SPF_TERM_ALL:
        return MATCH;
    case VOUCH_SPF_TERM_IP4:
    case VOUCH_SPF_TERM_IP6:
        return eval_ip(ev, t);
    default:
        break;
    }
    m = count_term(ev, t);
    if (m == NO_MATCH) {
        m = target_name(ev, t, domain, name, &len);
    }
    if (m != NO_MATCH) {
        return m;
    }
    switch (t->kind) {
    case VOUCH_SPF_TERM_A:
        return match_host(ev, name, len, t->cidr4, t->cidr6, true);
    case VOUCH_SPF_TERM_MX:
        return eval_mx(ev, t, name, len);
    case VOUCH_SPF_TERM_PTR:
        return eval_ptr(ev, name);
    case VOUCH_SPF_TERM_EXISTS:
        return eval_exists(ev, name, len);
    case VOUCH_SPF_TERM_INCLUDE:
        return eval_include(ev, t, name);
    default:
        break;
    }
    return NO_MATCH;
}

/* ---- explanation (§6.2)
 * ------------------------------------------------------------- */

static const char default_explanation[] =
    "%{o} does not designate %{c} as a permitted sender";

/* Expand explain-string text into the result's explanation. */
static bool
expand_explanation(spf_eval_t *ev, const char *text, size_t len)
{
    vouch_buf_t *out = &ev->res->explanation;
    size_t bad;
    int rc;

    if (vouch__spf_macro_check(text, len, SPF_MACRO_EXPLAIN, &bad) != 0) {
        return false;
    }
    vouch_buf_clear(out);
    rc = vouch__spf_macro_expand(out, text, len, SPF_MACRO_EXPLAIN, &ev->env);
    if (rc == VOUCH_ENOMEM) {
        ev->fatal = rc;
    }
    return rc == 0;
}

/*
 * Fill the explanation for a fail decided in the record of domain, whose
 * exp= term is exp (or NULL). Any problem with exp= means the default
 * explanation (§6.2); the TXT lookup does not count as a term.
 */
static void
explain(spf_eval_t *ev, const vouch_spf_term_t *exp, const char *domain)
{
    char name[VOUCH_DNS_NAME_BUF];
    size_t len;
    const vouch_dns_answer_t *a = NULL;
    bool done = false;
    vouch_spf_code_t saved = ev->code;
    int why;

    /* a problem with exp= is not the verdict: keep the reason as it is */
    ev->quiet = true;
    if (exp != NULL && target_name(ev, exp, domain, name, &len) == NO_MATCH) {
        a = query(ev, name, len, VOUCH_DNS_TXT, &why);
    }
    ev->env.domain.ptr = domain; /* %{d} of the explanation */
    ev->env.domain.len = strlen(domain);
    if (a != NULL && a->status == VOUCH_DNS_NOERROR && a->n == 1) {
        done = expand_explanation(ev, a->rr[0].data, a->rr[0].len);
    }
    vouch_dns_answer_free(a);
    if (!done && ev->fatal == 0) {
        done = expand_explanation(ev, default_explanation,
                                  sizeof(default_explanation) - 1);
    }
    ev->res->has_explanation = done;
    ev->quiet = false;
    ev->code = saved;
}

/* ---- records
 * ---------------------------------------------------------------------- */

/*
 * Fetch and select the SPF record of domain (§4.4, §4.5). Returns
 * VOUCH_SPF_PASS for "found", with *ans holding the answer and *rec its
 * parsed record (*owned set when the caller must free it); otherwise the
 * verdict (none, temperror, permerror) and *ans is NULL.
 */
static vouch_spf_code_t
fetch_record(spf_eval_t *ev, const char *domain, const vouch_dns_answer_t **ans,
             const spf_record_t **rec, spf_record_t **owned)
{
    const vouch_dns_answer_t *a;
    size_t nfound;
    int why;

    *ans = NULL;
    *owned = NULL;
    a = query(ev, domain, strlen(domain), VOUCH_DNS_TXT, &why);
    if (a == NULL) {
        (void)query_refused(ev, why, domain, strlen(domain));
        return why == VOUCH_ESYNTAX ? VOUCH_SPF_NONE : ev->code;
    }
    if (dns_failed(a->status)) {
        (void)dns_error(ev, a, domain, VOUCH_DNS_TXT);
        vouch_dns_answer_free(a);
        return VOUCH_SPF_TEMPERROR;
    }
    *rec = vouch__spf_record_get(ev->ctx, a, owned);
    if (*rec == NULL) {
        ev->fatal = VOUCH_ENOMEM;
        vouch_dns_answer_free(a);
        return VOUCH_SPF_TEMPERROR;
    }
    nfound = (*rec)->nfound;
    if (nfound == 1) {
        *ans = a;
        return VOUCH_SPF_PASS;
    }
    if (nfound == 0) {
        set_reason(ev, "no SPF record at %s (%s)", domain,
                   a->status == VOUCH_DNS_NOERROR
                       ? "no TXT record starts with v=spf1"
                       : vouch_dns_status_name(a->status));
    } else {
        set_reason(ev, "%zu SPF records at %s (§4.5 allows one)", nfound,
                   domain);
    }
    vouch__spf_record_free(ev->ctx, *owned);
    *owned = NULL;
    *rec = NULL;
    vouch_dns_answer_free(a);
    return nfound == 0 ? VOUCH_SPF_NONE : VOUCH_SPF_PERMERROR;
}

static vouch_spf_code_t
qualifier_code(char q)
{
    switch (q) {
    case '-':
        return VOUCH_SPF_FAIL;
    case '~':
        return VOUCH_SPF_SOFTFAIL;
    case '?':
        return VOUCH_SPF_NEUTRAL;
    default:
        return VOUCH_SPF_PASS;
    }
}

/* Copy a domain being evaluated (at most 253 bytes, checked on entry). */
static void
copy_domain(char out[VOUCH_DNS_NAME_BUF], const char *domain)
{
    size_t n = strlen(domain);

    n = n > VOUCH_DNS_NAME_MAX ? VOUCH_DNS_NAME_MAX : n;
    memcpy(out, domain, n);
    out[n] = '\0';
}

/* Copy at most SPF_SHOWN_MAX bytes of a term's text (visible ASCII: the
 * record passed its syntax check) for the reason. */
static void
copy_shown(char *out, const vouch_str_t *text)
{
    size_t n = text->len > SPF_SHOWN_MAX ? SPF_SHOWN_MAX : text->len;

    memcpy(out, text->ptr, n);
    memcpy(out + n, text->len > n ? "..." : "", text->len > n ? 4 : 1);
}

/* Note the term that matched in the record of domain. */
static void
note_match(spf_eval_t *ev, const vouch_spf_term_t *t, const char *domain)
{
    if (t->kind != VOUCH_SPF_TERM_INCLUDE) {
        copy_shown(ev->inner_term, &t->text);
        copy_domain(ev->inner_domain, domain);
    }
    if (ev->include_depth > 0) {
        return;
    }
    ev->by_term = true;
    copy_domain(ev->top_domain, domain);
    vouch_buf_clear(&ev->res->mechanism);
    if (vouch_buf_add(&ev->res->mechanism, t->text.ptr, t->text.len) ==
        VOUCH_ENOMEM) {
        ev->fatal = VOUCH_ENOMEM;
    }
}

/* Put what decided into words (once, at the end), without printf: this
 * runs for every evaluation. */
static void
write_reason(spf_eval_t *ev)
{
    const vouch_buf_t *m = &ev->res->mechanism;
    vouch_buf_t *r = &ev->res->reason;
    const char *parts[9];
    char top[SPF_SHOWN_MAX + 4];
    size_t n = 0, i;

    if (m->len == 7 && memcmp(m->ptr, "default", 7) == 0) {
        parts[n++] = "no term matched in ";
        parts[n++] = ev->top_domain;
        parts[n++] = ": default neutral";
    } else {
        parts[n++] = "matched '";
        parts[n++] = ev->inner_term;
        parts[n++] = "' in ";
        if (vouch__str_iprefix(m->ptr, m->len, "include:")) {
            vouch_str_t v = { m->ptr, m->len };

            copy_shown(top, &v);
            parts[n++] = ev->inner_domain;
            parts[n++] = ", via '";
            parts[n++] = top;
            parts[n++] = "' in ";
        }
        parts[n++] = ev->top_domain;
    }
    vouch_buf_clear(r);
    for (i = 0; i < n; i++) {
        if (vouch_buf_puts(r, parts[i]) == VOUCH_ENOMEM) {
            ev->fatal = VOUCH_ENOMEM;
        }
    }
}

/*
 * Evaluate a syntactically valid record of domain (§4.6.2). Returns true
 * when nothing matched and the record has a redirect= to follow; otherwise
 * the verdict is in ev->code.
 */
static bool
eval_record(spf_eval_t *ev, const spf_record_t *rec, const char *domain)
{
    const vouch_spf_term_t *t;
    spf_iter_t it;
    match_t m;

    vouch__spf_iter_init(&it, rec);
    while ((t = vouch__spf_iter_next(&it)) != NULL) {
        m = eval_mechanism(ev, t, domain);
        if (m == DECIDED) {
            return false;
        }
        if (m == MATCH) {
            ev->code = qualifier_code(t->qualifier);
            note_match(ev, t, domain);
            if (ev->code == VOUCH_SPF_FAIL && ev->include_depth == 0) {
                explain(ev, rec->has_exp ? &rec->exp : NULL, domain);
            }
            return false;
        }
    }
    if (rec->has_redirect) {
        return true;
    }
    if (ev->include_depth == 0) {
        ev->by_term = true;
        copy_domain(ev->top_domain, domain);
        vouch_buf_clear(&ev->res->mechanism);
        if (vouch_buf_puts(&ev->res->mechanism, "default") != 0) {
            ev->fatal = VOUCH_ENOMEM;
        }
    }
    ev->code = VOUCH_SPF_NEUTRAL;
    return false;
}

/* §6.1: the redirect= of the record of domain, after nothing matched. */
static vouch_spf_code_t
follow_redirect(spf_eval_t *ev, const vouch_spf_term_t *t, const char *domain)
{
    char name[VOUCH_DNS_NAME_BUF];
    size_t len;
    vouch_spf_code_t r;
    char tmp[200];

    if (count_term(ev, t) == DECIDED ||
        target_name(ev, t, domain, name, &len) == DECIDED) {
        return ev->code;
    }
    r = check_host(ev, name);
    if (r == VOUCH_SPF_NONE) {
        set_reason(ev, "'%s' in %s: %s has no SPF record",
                   shown(tmp, sizeof(tmp), t->text.ptr, t->text.len), domain,
                   name);
        return VOUCH_SPF_PERMERROR;
    }
    return r;
}

static bool
loop_check(spf_eval_t *ev, const char *domain)
{
    char chain[400];
    size_t i, o = 0;

    for (i = 0; i < ev->depth; i++) {
        if (vouch__dns_name_eq(ev->stack[i], strlen(ev->stack[i]), domain,
                               strlen(domain))) {
            break;
        }
    }
    if (i == ev->depth) {
        return false;
    }
    for (; i < ev->depth && o < sizeof(chain) - 1; i++) {
        int n = snprintf(chain + o, sizeof(chain) - o, "%s → ", ev->stack[i]);

        o = n < 0 ? o : o + (size_t)n;
        o = o >= sizeof(chain) ? sizeof(chain) - 1 : o;
    }
    set_reason(ev, "include/redirect loop: %s%s", chain, domain);
    return true;
}

/* check_host(<ip>, <domain>, <sender>) of §4 for the current frame. */
static vouch_spf_code_t
check_host(spf_eval_t *ev, const char *domain)
{
    const vouch_dns_answer_t *ans;
    const spf_record_t *rec = NULL;
    spf_record_t *owned;
    vouch_spf_code_t code;

    if (ev->depth >= SPF_DEPTH_MAX) {
        set_reason(ev, "include/redirect nesting deeper than %d",
                   SPF_DEPTH_MAX);
        return VOUCH_SPF_PERMERROR;
    }
    if (loop_check(ev, domain)) {
        return VOUCH_SPF_PERMERROR;
    }
    code = fetch_record(ev, domain, &ans, &rec, &owned);
    if (code != VOUCH_SPF_PASS) {
        return code;
    }
    if (rec->syntax != 0) {
        /* §4.6: an error anywhere, before anything is evaluated */
        set_reason(ev, "SPF record of %s: %s", domain, rec->syntax_msg);
        code = VOUCH_SPF_PERMERROR;
    } else {
        ev->stack[ev->depth++] = domain;
        code = eval_record(ev, rec, domain)
                   ? follow_redirect(ev, &rec->redirect, domain)
                   : ev->code;
        ev->depth--;
    }
    vouch__spf_record_free(ev->ctx, owned);
    vouch_dns_answer_free(ans);
    return code;
}

/* ---- the entry point
 * --------------------------------------------------------------- */

void
vouch_spf_result_init(vouch_spf_result_t *res, const vouch_ctx_t *ctx)
{
    memset(res, 0, sizeof(*res));
    vouch_buf_init(&res->sender, ctx,
                   VOUCH_SPF_LOCALPART_MAX + 1 + VOUCH_DNS_NAME_MAX);
    vouch_buf_init(&res->mechanism, ctx, VOUCH_DNS_RDATA_MAX);
    vouch_buf_init(&res->explanation, ctx, VOUCH_SPF_EXPLANATION_MAX);
    vouch_buf_init(&res->reason, ctx, 1024);
}

void
vouch_spf_result_dispose(vouch_spf_result_t *res)
{
    vouch_buf_dispose(&res->sender);
    vouch_buf_dispose(&res->mechanism);
    vouch_buf_dispose(&res->explanation);
    vouch_buf_dispose(&res->reason);
}

static void
result_reset(vouch_spf_result_t *res)
{
    res->code = VOUCH_SPF_NONE;
    res->identity = VOUCH_SPF_MAILFROM;
    res->domain[0] = '\0';
    vouch_buf_clear(&res->sender);
    vouch_buf_clear(&res->mechanism);
    vouch_buf_clear(&res->explanation);
    vouch_buf_clear(&res->reason);
    res->has_explanation = false;
    res->lookups = 0;
    res->void_lookups = 0;
    res->dnssec = VOUCH_DNSSEC_SECURE;
}

/*
 * §4.3: is domain a multi-label domain name with labels of 1 to 63 bytes,
 * at most 253 bytes (a final dot allowed)? If not the result is "none".
 */
static const char *
domain_problem(const char *d, size_t len)
{
    size_t i, label = 0, labels = 0;

    if (len > 0 && d[len - 1] == '.') {
        len--;
    }
    if (len == 0) {
        return "empty domain";
    }
    if (d[0] == '[') {
        return "address literal, not a domain";
    }
    if (len > VOUCH_DNS_NAME_MAX) {
        return "domain longer than 253 bytes";
    }
    for (i = 0; i <= len; i++) {
        if (i == len || d[i] == '.') {
            if (label == 0) {
                return "empty label in domain";
            }
            labels++;
            label = 0;
        } else if (++label > VOUCH_DNS_LABEL_MAX) {
            return "label longer than 63 bytes in domain";
        } else if (d[i] == '\0') {
            return "NUL byte in domain";
        }
    }
    return labels < 2 ? "not a multi-label domain" : NULL;
}

/*
 * Work out identity, sender and domain (§2.3, §2.4, §4.3). Returns NULL,
 * or the reason the result is "none" without any lookup.
 */
static const char *
setup_identity(spf_eval_t *ev, const vouch_spf_request_t *req, int *rc)
{
    vouch_spf_result_t *res = ev->res;
    vouch_str_t local = { "postmaster", 10 }, dom = req->helo;
    const char *at = NULL, *problem;
    size_t i, dlen;

    *rc = 0;
    if (req->mail_from.len > 0 && !req->check_helo) {
        for (i = req->mail_from.len; i > 0; i--) {
            if (req->mail_from.ptr[i - 1] == '@') {
                at = req->mail_from.ptr + i - 1;
                break;
            }
        }
        res->identity = VOUCH_SPF_MAILFROM;
        dom = req->mail_from;
        if (at != NULL) {
            dom.ptr = at + 1;
            dom.len =
                req->mail_from.len - (size_t)(at + 1 - req->mail_from.ptr);
            if (at > req->mail_from.ptr) {
                local.ptr = req->mail_from.ptr;
                local.len = (size_t)(at - req->mail_from.ptr);
            }
        }
    } else {
        res->identity = VOUCH_SPF_HELO;
    }
    if (local.len > VOUCH_SPF_LOCALPART_MAX) {
        return "local-part longer than the supported maximum";
    }
    dlen = dom.len > 0 && dom.ptr[dom.len - 1] == '.' ? dom.len - 1 : dom.len;
    problem = domain_problem(dom.ptr, dom.len);
    if (problem != NULL) {
        return problem;
    }
    memcpy(res->domain, dom.ptr, dlen);
    res->domain[dlen] = '\0';
    if ((*rc = vouch_buf_add(&res->sender, local.ptr, local.len)) != 0 ||
        (*rc = vouch_buf_addc(&res->sender, '@')) != 0 ||
        (*rc = vouch_buf_add(&res->sender, res->domain, dlen)) != 0) {
        return "out of memory";
    }
    ev->env.sender.ptr = res->sender.ptr;
    ev->env.sender.len = res->sender.len;
    ev->env.local.ptr = res->sender.ptr;
    ev->env.local.len = local.len;
    ev->env.sender_domain.ptr = res->domain;
    ev->env.sender_domain.len = dlen;
    return NULL;
}

int
vouch_spf_check(vouch_spf_result_t *res, const vouch_ctx_t *ctx,
                vouch_resolver_t *resolver, const vouch_spf_request_t *req,
                vouch_error_t *err)
{
    spf_eval_t *ev;
    const char *problem;
    int rc;

    if (req->version != 1 || (req->ip.family != 4 && req->ip.family != 6) ||
        resolver == NULL) {
        return vouch__error(err, VOUCH_EINVAL, "spf", 0, "invalid SPF request");
    }
    result_reset(res);
    /* the frame is large (validated names): off the stack, and only its
     * head is cleared (the name arrays are written before they are read) */
    ev = vouch__malloc(ctx, sizeof(*ev));
    if (ev == NULL) {
        return vouch__error_code(err, VOUCH_ENOMEM, "spf");
    }
    memset(ev, 0, offsetof(spf_eval_t, top_domain));
    ev->inner_term[0] = '\0';
    ev->inner_domain[0] = '\0';
    ev->ptr_done = false;
    ev->nvalid = 0;
    ev->ctx = ctx;
    ev->resolver = resolver;
    ev->res = res;
    ev->ip = req->ip;
    (void)vouch_ip_unmap(&ev->ip); /* IPv4-mapped IPv6 is IPv4 */
    vouch_dns_budget_init(&ev->budget, VOUCH_SPF_QUERY_BUDGET,
                          VOUCH_SPF_TIMEOUT_MS);
    vouch_buf_init(&ev->scratch, ctx, VOUCH_SPF_EXPAND_MAX);
    ev->env.ip = &ev->ip;
    ev->env.helo = req->helo;
    ev->env.receiver = req->receiver;
    ev->env.now = vouch_ctx_now(ctx);
    ev->env.ptr_fn = ptr_macro;
    ev->env.ptr_payload = ev;
    problem = setup_identity(ev, req, &rc);
    if (rc != 0) {
        ev->fatal = rc;
    } else if (problem != NULL) {
        set_reason(ev, "%s: no SPF check (RFC 7208 §4.3)", problem);
        res->code = VOUCH_SPF_NONE;
    } else {
        res->code = check_host(ev, res->domain);
        if (ev->by_term) {
            write_reason(ev);
        }
    }
    if (res->code == VOUCH_SPF_NONE || res->code >= VOUCH_SPF_TEMPERROR) {
        vouch_buf_clear(&res->mechanism);
    }
    rc = ev->fatal;
    vouch_buf_dispose(&ev->scratch);
    vouch__free(ctx, ev);
    if (rc != 0) {
        return vouch__error_code(err, rc, "spf");
    }
    return 0;
}
