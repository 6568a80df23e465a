/* SPDX-License-Identifier: MIT */
/*
 * dns/resolver.c - the resolver front: name checks, the query budget, the
 * cache, and the zone and overlay resolvers (thin wrappers over zone.c).
 * Backends only ever see normalised names (dns_internal.h).
 *
 * Answers are one allocation each (struct, records, bytes, reason), shared
 * by reference count between the cache and callers.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dns_internal.h"

/* ---- answers
 * -------------------------------------------------------------------- */

typedef struct answer_block {
    vouch_dns_answer_t pub; /* first: callers see only this */
    const vouch_ctx_t *ctx;
    atomic_uint refs;
    size_t size;
    _Atomic(vouch__dns_memo_t *) memo;
} answer_block_t;

int
vouch__dns_answer_new(const vouch_ctx_t *ctx, vouch_dns_status_t status,
                      vouch_dnssec_t dnssec, uint32_t ttl,
                      const vouch_dns_rr_t *rr, size_t n, const char *why,
                      const vouch_dns_answer_t **out)
{
    size_t size = sizeof(answer_block_t), rr_bytes, why_len = 0, i;
    answer_block_t *b;
    vouch_dns_rr_t *copy;
    char *p;

    *out = NULL;
    if (n > VOUCH_DNS_ANSWER_RR_MAX) {
        return VOUCH_ETOOBIG;
    }
    /* align the record array after the header */
    size = (size + 15) & ~(size_t)15;
    rr_bytes = n * sizeof(vouch_dns_rr_t);
    size += rr_bytes;
    for (i = 0; i < n; i++) {
        if (vouch__add_overflow(size, rr[i].len + 1, &size)) {
            return VOUCH_ETOOBIG;
        }
    }
    if (why != NULL) {
        why_len = strlen(why);
        if (vouch__add_overflow(size, why_len + 1, &size)) {
            return VOUCH_ETOOBIG;
        }
    }
    b = vouch__malloc(ctx, size);
    if (b == NULL) {
        return VOUCH_ENOMEM;
    }
    memset(b, 0, sizeof(*b));
    b->ctx = ctx;
    b->size = size;
    atomic_init(&b->refs, 1);
    atomic_init(&b->memo, NULL);
    copy =
        (vouch_dns_rr_t *)(void *)((char *)b + ((sizeof(answer_block_t) + 15) &
                                                ~(size_t)15));
    p = (char *)copy + rr_bytes;
    for (i = 0; i < n; i++) {
        copy[i] = rr[i];
        if (rr[i].len > 0) {
            memcpy(p, rr[i].data, rr[i].len);
        }
        p[rr[i].len] = '\0'; /* convenience for names; data may hold NULs */
        copy[i].data = p;
        p += rr[i].len + 1;
    }
    if (why != NULL) {
        memcpy(p, why, why_len + 1);
        b->pub.why = p;
    }
    b->pub.status = status;
    b->pub.dnssec = dnssec;
    b->pub.ttl = ttl;
    b->pub.n = n;
    b->pub.rr = n > 0 ? copy : NULL;
    *out = &b->pub;
    return 0;
}

const vouch_dns_answer_t *
vouch_dns_answer_ref(const vouch_dns_answer_t *answer)
{
    answer_block_t *b = (answer_block_t *)(uintptr_t)answer;

    atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
    return answer;
}

void
vouch_dns_answer_free(const vouch_dns_answer_t *answer)
{
    answer_block_t *b = (answer_block_t *)(uintptr_t)answer;

    if (b == NULL) {
        return;
    }
    if (atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1) {
        vouch__dns_memo_t *m = atomic_load(&b->memo);

        if (m != NULL) {
            m->ops->free(m, b->ctx);
        }
        vouch__free(b->ctx, b);
    }
}

void *
vouch__dns_answer_memo(const vouch_dns_answer_t *answer,
                       const vouch__dns_memo_ops_t *ops)
{
    answer_block_t *b = (answer_block_t *)(uintptr_t)answer;
    vouch__dns_memo_t *m = atomic_load_explicit(&b->memo, memory_order_acquire);

    return m != NULL && m->ops == ops ? m : NULL;
}

void *
vouch__dns_answer_memo_set(const vouch_dns_answer_t *answer, void *memo)
{
    answer_block_t *b = (answer_block_t *)(uintptr_t)answer;
    vouch__dns_memo_t *mine = memo, *old = NULL;
    const vouch__dns_memo_ops_t *ops;

    if (atomic_compare_exchange_strong_explicit(
            &b->memo, &old, mine, memory_order_acq_rel, memory_order_acquire)) {
        return mine;
    }
    /* lost to another thread or another kind: use what is there */
    ops = mine->ops;
    ops->free(mine, b->ctx);
    return old->ops == ops ? old : NULL;
}

/* ---- names of things
 * --------------------------------------------------------------- */

const char *
vouch_dns_status_name(vouch_dns_status_t status)
{
    switch (status) {
    case VOUCH_DNS_NOERROR:
        return "NOERROR";
    case VOUCH_DNS_NODATA:
        return "NODATA";
    case VOUCH_DNS_NXDOMAIN:
        return "NXDOMAIN";
    case VOUCH_DNS_SERVFAIL:
        return "SERVFAIL";
    case VOUCH_DNS_TIMEOUT:
        return "TIMEOUT";
    case VOUCH_DNS_REFUSED:
        return "REFUSED";
    }
    return "UNKNOWN";
}

const char *
vouch_dnssec_name(vouch_dnssec_t state)
{
    switch (state) {
    case VOUCH_DNSSEC_SECURE:
        return "secure";
    case VOUCH_DNSSEC_BOGUS:
        return "bogus";
    case VOUCH_DNSSEC_INSECURE:
        break;
    }
    return "insecure";
}

static const struct {
    uint16_t type;
    const char *name;
} type_names[] = {
    { VOUCH_DNS_A, "A" },         { VOUCH_DNS_NS, "NS" },
    { VOUCH_DNS_CNAME, "CNAME" }, { VOUCH_DNS_SOA, "SOA" },
    { VOUCH_DNS_PTR, "PTR" },     { VOUCH_DNS_MX, "MX" },
    { VOUCH_DNS_TXT, "TXT" },     { VOUCH_DNS_AAAA, "AAAA" },
    { VOUCH_DNS_TLSA, "TLSA" },   { VOUCH_DNS_SPF, "SPF" },
    { VOUCH_DNS_CAA, "CAA" },
};

const char *
vouch_dns_type_name(uint16_t type, char tmp[16])
{
    size_t i;

    for (i = 0; i < VOUCH_ARRAY_LEN(type_names); i++) {
        if (type_names[i].type == type) {
            return type_names[i].name;
        }
    }
    (void)snprintf(tmp, 16, "TYPE%u", (unsigned)type);
    return tmp;
}

int
vouch_dns_type_parse(uint16_t *out, const char *text, size_t len)
{
    size_t i;

    for (i = 0; i < VOUCH_ARRAY_LEN(type_names); i++) {
        const char *n = type_names[i].name;

        if (vouch__str_ieq(text, len, n, strlen(n))) {
            *out = type_names[i].type;
            return 0;
        }
    }
    /* RFC 3597 §5: TYPEnnn */
    if (len > 4 && vouch__str_iprefix(text, len, "TYPE")) {
        const char *cur = text + 4;
        uint64_t v;

        if (vouch__parse_uint(&cur, text + len, 65535, &v) == 0 &&
            cur == text + len) {
            *out = (uint16_t)v;
            return 0;
        }
    }
    return VOUCH_ESYNTAX;
}

/* ---- budget
 * ------------------------------------------------------------------------- */

int64_t
vouch_dns_monotonic_ms(void)
{
    struct timespec ts;

    /* the coarse clock: a few milliseconds of resolution are plenty for
     * deadlines and TTLs, and it is read on every query */
    if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) != 0 &&
        clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0;
    }
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
vouch_dns_budget_init(vouch_dns_budget_t *budget, unsigned max_queries,
                      unsigned timeout_ms)
{
    budget->max_queries = max_queries;
    budget->queries = 0;
    budget->deadline_ms =
        timeout_ms == 0 ? 0 : vouch_dns_monotonic_ms() + (int64_t)timeout_ms;
}

/* ---- the query front
 * ------------------------------------------------------------------ */

int
vouch__resolver_wrap(vouch_resolver_t **out, const vouch_ctx_t *ctx,
                     const vouch__dns_backend_t *ops, void *impl)
{
    vouch_resolver_t *r;

    *out = NULL;
    r = vouch__calloc(ctx, 1, sizeof(*r));
    if (r == NULL) {
        ops->free(impl);
        return VOUCH_ENOMEM;
    }
    r->ctx = ctx;
    r->ops = ops;
    r->impl = impl;
    *out = r;
    return 0;
}

int
vouch_resolver_enable_cache(vouch_resolver_t *resolver, size_t max_entries)
{
    if (resolver->cache != NULL || max_entries == 0) {
        return VOUCH_EINVAL;
    }
    return vouch__dns_cache_new(&resolver->cache, resolver->ctx, max_entries);
}

int
vouch_dns_query(vouch_resolver_t *resolver, vouch_dns_budget_t *budget,
                const char *name, size_t len, uint16_t type,
                const vouch_dns_answer_t **out, vouch_error_t *err)
{
    char norm[VOUCH_DNS_NAME_BUF];
    size_t nlen;
    int64_t deadline = 0;
    const vouch_dns_answer_t *ans;
    int rc;

    *out = NULL;
    if (vouch__dns_name_normalize(norm, &nlen, name, len) != 0) {
        char shown[80];

        vouch__escape_into(shown, sizeof(shown), name, len);
        return vouch__error(err, VOUCH_ESYNTAX, "dns", 0,
                            "not a valid domain name: \"%s\"", shown);
    }
    if (budget != NULL) {
        if (budget->queries >= budget->max_queries) {
            return vouch__error(err, VOUCH_ETOOBIG, "dns", 0,
                                "DNS query budget of %u spent",
                                budget->max_queries);
        }
        budget->queries++;
        deadline = budget->deadline_ms;
        if (deadline != 0 && vouch_dns_monotonic_ms() >= deadline) {
            return vouch__error(err, VOUCH_ETEMP, "dns", 0,
                                "DNS time budget spent");
        }
    }
    if (resolver->cache != NULL) {
        ans = vouch__dns_cache_get(resolver->cache, norm, nlen, type);
        if (ans != NULL) {
            *out = ans;
            return 0;
        }
    }
    rc = resolver->ops->query(resolver->impl, norm, nlen, type, deadline, &ans,
                              err);
    if (rc != 0) {
        return rc;
    }
    if (resolver->cache != NULL) {
        vouch__dns_cache_put(resolver->cache, norm, nlen, type, ans);
    }
    *out = ans;
    return 0;
}

void
vouch_resolver_free(vouch_resolver_t *resolver)
{
    if (resolver == NULL) {
        return;
    }
    resolver->ops->free(resolver->impl);
    vouch__dns_cache_free(resolver->cache);
    vouch__free(resolver->ctx, resolver);
}

/* ---- zone resolver
 * -------------------------------------------------------------------- */

static int
zone_backend_query(void *impl, const char *name, size_t len, uint16_t type,
                   int64_t deadline_ms, const vouch_dns_answer_t **out,
                   vouch_error_t *err)
{
    return vouch__zone_query(impl, name, len, type, NULL, deadline_ms, out,
                             err);
}

static void
zone_backend_free(void *impl)
{
    vouch_zone_free(impl);
}

static const vouch__dns_backend_t zone_backend = {
    "zone", zone_backend_query, zone_backend_free,
    NULL, /* answers without waiting */
};

int
vouch_resolver_new_zone(vouch_resolver_t **out, const vouch_ctx_t *ctx,
                        vouch_zone_t *zone)
{
    return vouch__resolver_wrap(out, ctx, &zone_backend, zone);
}

/* ---- overlay resolver
 * ------------------------------------------------------------------ */

typedef struct overlay {
    const vouch_ctx_t *ctx;
    vouch_zone_t *zone;
    vouch_resolver_t *live;
} overlay_t;

static int
overlay_query(void *impl, const char *name, size_t len, uint16_t type,
              int64_t deadline_ms, const vouch_dns_answer_t **out,
              vouch_error_t *err)
{
    overlay_t *o = impl;

    if (vouch__zone_has_name(o->zone, name, len)) {
        return vouch__zone_query(o->zone, name, len, type, o->live, deadline_ms,
                                 out, err);
    }
    return o->live->ops->query(o->live->impl, name, len, type, deadline_ms, out,
                               err);
}

static void
overlay_free(void *impl)
{
    overlay_t *o = impl;

    vouch_zone_free(o->zone);
    vouch_resolver_free(o->live);
    vouch__free(o->ctx, o);
}

/* Lanes wait on the live resolver's answers. */
static int
overlay_lanes_attach(void *impl, vouch__lanes_t *lanes, vouch_error_t *err)
{
    overlay_t *o = impl;

    if (o->live->ops->lanes_attach == NULL) {
        return vouch__error(err, VOUCH_EINVAL, "dns", 0,
                            "lanes: the resolver does not use libunbound");
    }
    return o->live->ops->lanes_attach(o->live->impl, lanes, err);
}

static const vouch__dns_backend_t overlay_backend = {
    "overlay",
    overlay_query,
    overlay_free,
    overlay_lanes_attach,
};

int
vouch_resolver_new_overlay(vouch_resolver_t **out, const vouch_ctx_t *ctx,
                           vouch_zone_t *zone, vouch_resolver_t *live)
{
    overlay_t *o;

    *out = NULL;
    o = vouch__calloc(ctx, 1, sizeof(*o));
    if (o == NULL) {
        vouch_zone_free(zone);
        vouch_resolver_free(live);
        return VOUCH_ENOMEM;
    }
    o->ctx = ctx;
    o->zone = zone;
    o->live = live;
    return vouch__resolver_wrap(out, ctx, &overlay_backend, o);
}
