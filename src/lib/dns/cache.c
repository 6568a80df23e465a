/* SPDX-License-Identifier: MIT */
/*
 * dns/cache.c - the resolver's TTL cache, shared by threads.
 *
 * Keyed by (normalised name, type); values are answer references. Positive
 * answers (NOERROR) and negative ones (NODATA, NXDOMAIN; RFC 2308) are kept
 * for their TTL, capped at VOUCH_DNS_CACHE_TTL_MAX; failures and bogus
 * answers are never kept, so a transient error is asked again.
 *
 * The table is split into shards, each with its own lock, hash chains and
 * LRU list, so threads rarely wait on each other; a shard holds at most
 * its share of max_entries and drops its least recently used entry when
 * full. A lookup allocates nothing; an insert allocates one entry (the
 * name is stored inline). Running out of memory only means not caching.
 */
#include <pthread.h>
#include <string.h>

#include "dns_internal.h"

#define SHARDS 16

typedef struct lru {
    struct lru *prev, *next;
} lru_t;

typedef struct entry {
    lru_t lru;          /* first: an lru_t * is an entry_t * */
    struct entry *next; /* hash chain */
    const vouch_dns_answer_t *answer;
    int64_t expires_ms;
    uint64_t hash;
    uint16_t type;
    size_t len;
    char name[]; /* len bytes, not NUL-terminated */
} entry_t;

typedef struct shard {
    pthread_mutex_t lock;
    entry_t **buckets;
    size_t mask; /* buckets - 1 (a power of two minus one) */
    size_t count;
    size_t max;
    lru_t lru; /* sentinel: lru.next is the most recent entry */
} shard_t;

struct vouch__dns_cache {
    const vouch_ctx_t *ctx;
    shard_t shards[SHARDS];
};

/* A multiply-xorshift hash over 8-byte words of the name, then the type
 * (names are short and already lower-case; this runs on every lookup). */
static uint64_t
key_hash(const char *name, size_t len, uint16_t type)
{
    const uint64_t k = 0x9e3779b97f4a7c15ULL;
    uint64_t h = (uint64_t)len * k ^ type;
    size_t i;

    for (i = 0; i + 8 <= len; i += 8) {
        uint64_t w;

        memcpy(&w, name + i, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    if (i < len) {
        uint64_t w = 0;

        memcpy(&w, name + i, len - i);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    h *= k;
    return h ^ (h >> 32);
}

static void
lru_unlink(entry_t *e)
{
    e->lru.prev->next = e->lru.next;
    e->lru.next->prev = e->lru.prev;
}

static void
lru_push_front(shard_t *s, entry_t *e)
{
    e->lru.prev = &s->lru;
    e->lru.next = s->lru.next;
    s->lru.next->prev = &e->lru;
    s->lru.next = &e->lru;
}

int
vouch__dns_cache_new(vouch__dns_cache_t **out, const vouch_ctx_t *ctx,
                     size_t max_entries)
{
    vouch__dns_cache_t *c;
    size_t per = (max_entries + SHARDS - 1) / SHARDS, nb = 16, i;

    *out = NULL;
    while (nb < per && nb < ((size_t)1 << 20)) {
        nb <<= 1;
    }
    c = vouch__calloc(ctx, 1, sizeof(*c));
    if (c == NULL) {
        return VOUCH_ENOMEM;
    }
    c->ctx = ctx;
    for (i = 0; i < SHARDS; i++) {
        shard_t *s = &c->shards[i];

        s->buckets = vouch__calloc(ctx, nb, sizeof(entry_t *));
        if (s->buckets == NULL) {
            vouch__dns_cache_free(c);
            return VOUCH_ENOMEM;
        }
        s->mask = nb - 1;
        s->max = per == 0 ? 1 : per;
        s->lru.next = s->lru.prev = &s->lru;
        pthread_mutex_init(&s->lock, NULL);
    }
    *out = c;
    return 0;
}

/* The entry for the key in s, or NULL. Call with the lock held. */
static entry_t **
find(shard_t *s, uint64_t h, const char *name, size_t len, uint16_t type)
{
    entry_t **pp = &s->buckets[h & s->mask];

    for (; *pp != NULL; pp = &(*pp)->next) {
        entry_t *e = *pp;

        if (e->hash == h && e->type == type && e->len == len &&
            memcmp(e->name, name, len) == 0) {
            return pp;
        }
    }
    return NULL;
}

/* Unlink *pp from its chain and the LRU list and free it (lock held). */
static void
drop(vouch__dns_cache_t *c, shard_t *s, entry_t **pp)
{
    entry_t *e = *pp;

    *pp = e->next;
    lru_unlink(e);
    s->count--;
    vouch_dns_answer_free(e->answer);
    vouch__free(c->ctx, e);
}

const vouch_dns_answer_t *
vouch__dns_cache_get(vouch__dns_cache_t *c, const char *name, size_t len,
                     uint16_t type)
{
    uint64_t h = key_hash(name, len, type);
    shard_t *s = &c->shards[h % SHARDS];
    const vouch_dns_answer_t *a = NULL;
    entry_t **pp;

    pthread_mutex_lock(&s->lock);
    pp = find(s, h, name, len, type);
    if (pp != NULL) {
        if ((*pp)->expires_ms <= vouch_dns_monotonic_ms()) {
            drop(c, s, pp);
        } else {
            a = vouch_dns_answer_ref((*pp)->answer);
            lru_unlink(*pp);
            lru_push_front(s, *pp);
        }
    }
    pthread_mutex_unlock(&s->lock);
    return a;
}

void
vouch__dns_cache_put(vouch__dns_cache_t *c, const char *name, size_t len,
                     uint16_t type, const vouch_dns_answer_t *answer)
{
    uint64_t h = key_hash(name, len, type);
    shard_t *s = &c->shards[h % SHARDS];
    uint32_t ttl = answer->ttl;
    entry_t **pp, *e;
    size_t size;

    if ((answer->status != VOUCH_DNS_NOERROR &&
         answer->status != VOUCH_DNS_NODATA &&
         answer->status != VOUCH_DNS_NXDOMAIN) ||
        answer->dnssec == VOUCH_DNSSEC_BOGUS || ttl == 0) {
        return;
    }
    if (ttl > VOUCH_DNS_CACHE_TTL_MAX) {
        ttl = VOUCH_DNS_CACHE_TTL_MAX;
    }
    if (vouch__add_overflow(sizeof(entry_t), len, &size)) {
        return;
    }
    e = vouch__malloc(c->ctx, size);
    if (e == NULL) {
        return;
    }
    e->answer = vouch_dns_answer_ref(answer);
    e->expires_ms = vouch_dns_monotonic_ms() + (int64_t)ttl * 1000;
    e->hash = h;
    e->type = type;
    e->len = len;
    memcpy(e->name, name, len);
    pthread_mutex_lock(&s->lock);
    pp = find(s, h, name, len, type);
    if (pp != NULL) {
        drop(c, s, pp);
    }
    if (s->count >= s->max) {
        entry_t *old = (entry_t *)(void *)s->lru.prev;

        drop(c, s, find(s, old->hash, old->name, old->len, old->type));
    }
    e->next = s->buckets[h & s->mask];
    s->buckets[h & s->mask] = e;
    lru_push_front(s, e);
    s->count++;
    pthread_mutex_unlock(&s->lock);
}

void
vouch__dns_cache_free(vouch__dns_cache_t *c)
{
    size_t i;

    if (c == NULL) {
        return;
    }
    for (i = 0; i < SHARDS; i++) {
        shard_t *s = &c->shards[i];

        if (s->buckets == NULL) {
            continue;
        }
        while (s->lru.next != &s->lru) {
            entry_t *e = (entry_t *)(void *)s->lru.next;

            drop(c, s, find(s, e->hash, e->name, e->len, e->type));
        }
        vouch__free(c->ctx, s->buckets);
        pthread_mutex_destroy(&s->lock);
    }
    vouch__free(c->ctx, c);
}
