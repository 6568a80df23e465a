/* SPDX-License-Identifier: MIT */
/*
 * dns/zone.c - the zone backend's store: a read-only set of records loaded
 * from master files (the reader is zone_parse.c), and the lookup the zone
 * and overlay resolvers use.
 *
 * Lookup follows RFC 1034 §4.3.2: records of the type, else a CNAME is
 * chased (at most VOUCH_DNS_CNAME_MAX links, loops refused), else NODATA
 * when the name exists and NXDOMAIN when it does not. Every ancestor of an
 * owner exists as an empty non-terminal (RFC 8020). Negative answers live
 * for the SOA MINIMUM of the closest enclosing SOA (RFC 2308 §5), else for
 * the first $TTL loaded. The $FAULT test directive turns a (name, type) or
 * (name, every type without records) into TIMEOUT, SERVFAIL or REFUSED.
 *
 * Layout: names are lower-case wire-form keys (so a label holding '.' or
 * any byte is representable and ancestors are suffixes: an empty
 * non-terminal points into its descendant's key and costs no bytes). A
 * node per name, an RRset per (node, type) holding records already decoded
 * as vouch_dns_rr_t, so an answer is two hash probes and one copy. Three
 * open-addressing tables (names, RRsets, records) keep loading and lookup
 * O(1): no scans, also for hostile files. Names and rdata bytes sit in a
 * chunked arena. After loading nothing is written, which is what lets
 * threads look up without locks.
 *
 * Not done: wildcard expansion, DNAME, zone cuts (NS records are data like
 * any other), classes other than IN.
 */
#include <stdio.h>
#include <string.h>

#include "zone_internal.h"

/* A chunk of the arena; requests of more than a quarter of a chunk get a
 * chunk of their own so the current one is not abandoned half-used. */
#define ARENA_CHUNK ((size_t)64 << 10)

#define STR_(x) #x
#define STR(x)  STR_(x)

static const char too_many_records[] =
    "more than " STR(VOUCH_ZONE_RECORDS_MAX) " records in the zone set";
static const char rrset_too_big[] =
    "more than " STR(VOUCH_DNS_ANSWER_RR_MAX) " records of one type at one "
                                              "name (an answer holds no more)";

typedef struct slot {
    uint32_t hash;
    uint32_t id; /* index + 1 of the node, RRset or record; 0: empty */
} slot_t;

typedef struct table {
    slot_t *slots;
    uint32_t mask; /* slot count - 1; the count is a power of two */
    uint32_t used; /* kept at most half the slots: probes stay short */
} table_t;

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    uint8_t data[];
} chunk_t;

typedef struct node {
    const uint8_t *key; /* arena; may be a suffix of a descendant's key */
    uint32_t hash;
    uint32_t cname;    /* id of the CNAME RRset, 0: none */
    uint8_t len;       /* key length, root byte included: 1..255 */
    uint8_t owner;     /* owns a record or a $FAULT; else empty non-terminal */
    uint8_t fault_any; /* status of "$FAULT name ANY", 0: none */
} node_t;

typedef struct rrset {
    vouch_dns_rr_t one;    /* the record while cap is 0 */
    vouch_dns_rr_t *many;  /* all records once there are two */
    const uint8_t *target; /* CNAME: lower-case key of the first target */
    uint32_t node;         /* id of the owner node */
    uint32_t n, cap;
    uint32_t min_ttl;
    uint16_t type;
    uint8_t fault; /* status of "$FAULT name TYPE", 0: none */
    uint8_t target_len;
} rrset_t;

typedef struct rref {
    uint32_t set, pos; /* record pos of RRset id set */
} rref_t;

struct vouch_zone {
    const vouch_ctx_t *ctx;
    node_t *nodes;
    rrset_t *sets;
    rref_t *refs;
    uint32_t nnodes, nsets, nrefs; /* nrefs: records stored */
    uint32_t nodes_cap, sets_cap, refs_cap;
    table_t names, rrsets, records;
    chunk_t *arena;
    uint32_t neg_ttl; /* negative TTL without an enclosing SOA */
    bool have_ttl;    /* neg_ttl came from a $TTL */
    bool have_soa;
};

/* ---- hashing and tables ------------------------------------------------- */

/* MurmurHash3's finaliser: FNV-1a alone leaves the low bits (the ones a
 * power-of-two table uses) poorly mixed. */
static uint32_t
fmix(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

#define FNV_BASIS 2166136261u

/* FNV-1a run from the last byte to the first: the state after the bytes
 * from a label start on is the hash of that suffix, an ancestor's key, so
 * one backward pass hashes every ancestor of a name. */
static uint32_t
fnv_back(uint32_t h, const uint8_t *p, size_t len)
{
    while (len-- > 0) {
        h ^= p[len];
        h *= 16777619u;
    }
    return h;
}

static uint32_t
hash_bytes(const uint8_t *p, size_t len, uint32_t seed)
{
    return fmix(fnv_back(FNV_BASIS ^ seed, p, len));
}

/* Offsets and hashes of a key and of its ancestors' keys (the root
 * excepted, unless the key is the root), the key first. Returns how many:
 * at most VOUCH__ZONE_LABELS. */
static size_t
suffixes(const uint8_t *key, size_t len, size_t *offs, uint32_t *hashes)
{
    uint32_t h = FNV_BASIS;
    size_t n = 0, off, end = len;

    for (off = 0; off < len && (off == 0 || key[off] != 0) &&
                  VOUCH_ALWAYS(n < VOUCH__ZONE_LABELS);
         off += (size_t)key[off] + 1) {
        offs[n++] = off;
    }
    for (off = n; off-- > 0;) {
        h = fnv_back(h, key + offs[off], end - offs[off]);
        hashes[off] = fmix(h);
        end = offs[off];
    }
    return n;
}

static uint32_t
set_hash(uint32_t node_hash, uint16_t type)
{
    return fmix(node_hash ^ ((uint32_t)type * 0x9e3779b9u));
}

static uint32_t
rec_hash(uint32_t set, const vouch_dns_rr_t *rr)
{
    return hash_bytes((const uint8_t *)rr->data, rr->len,
                      set * 0x9e3779b9u ^ rr->pref ^
                          ((uint32_t)rr->nstrings << 16));
}

/* Make room for one more entry (rehashing at half full). */
static int
table_reserve(const vouch_ctx_t *ctx, table_t *t)
{
    uint32_t size = t->slots != NULL ? t->mask + 1 : 0, nsize, i;
    slot_t *ns;

    if ((size_t)t->used + 1 <= (size_t)size / 2) {
        return 0;
    }
    if (size >= ((uint32_t)1 << 31)) {
        return VOUCH_ENOMEM;
    }
    nsize = size == 0 ? 64 : size * 2;
    ns = vouch__calloc(ctx, nsize, sizeof(*ns));
    if (ns == NULL) {
        return VOUCH_ENOMEM;
    }
    for (i = 0; i < size; i++) {
        uint32_t j;

        if (t->slots[i].id == 0) {
            continue;
        }
        for (j = t->slots[i].hash & (nsize - 1); ns[j].id != 0;
             j = (j + 1) & (nsize - 1)) {
        }
        ns[j] = t->slots[i];
    }
    vouch__free(ctx, t->slots);
    t->slots = ns;
    t->mask = nsize - 1;
    return 0;
}

/* After table_reserve: cannot fail. */
static void
table_put(table_t *t, uint32_t hash, uint32_t id)
{
    uint32_t i;

    for (i = hash & t->mask; t->slots[i].id != 0; i = (i + 1) & t->mask) {
    }
    t->slots[i].hash = hash;
    t->slots[i].id = id;
    t->used++;
}

static uint32_t
find_node(const vouch_zone_t *z, const uint8_t *key, size_t len, uint32_t hash)
{
    const table_t *t = &z->names;
    uint32_t i;

    if (t->slots == NULL) {
        return 0;
    }
    /* terminates: the table is never more than half full */
    for (i = hash & t->mask; t->slots[i].id != 0; i = (i + 1) & t->mask) {
        const node_t *n;

        if (t->slots[i].hash != hash) {
            continue;
        }
        n = &z->nodes[t->slots[i].id - 1];
        if (n->len == len && memcmp(n->key, key, len) == 0) {
            return t->slots[i].id;
        }
    }
    return 0;
}

static uint32_t
find_set(const vouch_zone_t *z, uint32_t node, uint16_t type)
{
    const table_t *t = &z->rrsets;
    uint32_t hash, i;

    if (t->slots == NULL) {
        return 0;
    }
    hash = set_hash(z->nodes[node - 1].hash, type);
    for (i = hash & t->mask; t->slots[i].id != 0; i = (i + 1) & t->mask) {
        const rrset_t *s;

        if (t->slots[i].hash != hash) {
            continue;
        }
        s = &z->sets[t->slots[i].id - 1];
        if (s->node == node && s->type == type) {
            return t->slots[i].id;
        }
    }
    return 0;
}

static const vouch_dns_rr_t *
set_rrs(const rrset_t *s)
{
    return s->cap > 0 ? s->many : &s->one;
}

static bool
rr_same(const vouch_dns_rr_t *a, const vouch_dns_rr_t *b)
{
    return a->pref == b->pref && a->nstrings == b->nstrings &&
           a->len == b->len &&
           (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static bool
has_record(const vouch_zone_t *z, uint32_t set, const vouch_dns_rr_t *rr,
           uint32_t hash)
{
    const table_t *t = &z->records;
    uint32_t i;

    if (t->slots == NULL) {
        return false;
    }
    for (i = hash & t->mask; t->slots[i].id != 0; i = (i + 1) & t->mask) {
        const rref_t *r;

        if (t->slots[i].hash != hash) {
            continue;
        }
        r = &z->refs[t->slots[i].id - 1];
        if (r->set == set && rr_same(&set_rrs(&z->sets[set - 1])[r->pos], rr)) {
            return true;
        }
    }
    return false;
}

/* ---- memory ------------------------------------------------------------- */

static uint8_t *
arena_alloc(vouch_zone_t *z, size_t len)
{
    chunk_t *c = z->arena;
    uint8_t *p;

    if (c == NULL || c->cap - c->used < len) {
        size_t cap = len > ARENA_CHUNK / 4 ? len : ARENA_CHUNK;

        c = vouch__malloc(z->ctx, sizeof(chunk_t) + cap);
        if (c == NULL) {
            return NULL;
        }
        c->used = 0;
        c->cap = cap;
        if (cap == len && z->arena != NULL) {
            c->next = z->arena->next; /* the current chunk stays current */
            z->arena->next = c;
        } else {
            c->next = z->arena;
            z->arena = c;
        }
    }
    p = c->data + c->used;
    c->used += len;
    return p;
}

/* Grow an array of elem-byte items to hold one more than *cap; first
 * becomes the capacity of a new array. NULL (array untouched) on failure. */
static void *
grow(const vouch_ctx_t *ctx, void *arr, uint32_t *cap, uint32_t first,
     size_t elem)
{
    size_t ncap = *cap == 0 ? first : (size_t)*cap * 2, bytes;
    void *p;

    if (ncap > UINT32_MAX / 2 || vouch__mul_overflow(ncap, elem, &bytes)) {
        return NULL;
    }
    p = vouch__realloc(ctx, arr, bytes);
    if (p != NULL) {
        *cap = (uint32_t)ncap;
    }
    return p;
}

/* ---- building ----------------------------------------------------------- */

/* Lower-case copy of a wire-form name. Length bytes are below 64, so
 * folding them is harmless. */
static void
key_lower(uint8_t *out, const uint8_t *key, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        out[i] = (uint8_t)vouch__lower((char)key[i]);
    }
}

static int
node_new(vouch_zone_t *z, const uint8_t *key, size_t len, uint32_t hash,
         uint32_t *id)
{
    node_t *n;

    if (z->nnodes == z->nodes_cap) {
        node_t *p = grow(z->ctx, z->nodes, &z->nodes_cap, 64, sizeof(*p));

        if (p == NULL) {
            return VOUCH_ENOMEM;
        }
        z->nodes = p;
    }
    if (table_reserve(z->ctx, &z->names) != 0) {
        return VOUCH_ENOMEM;
    }
    n = &z->nodes[z->nnodes];
    memset(n, 0, sizeof(*n));
    n->key = key;
    n->len = (uint8_t)len;
    n->hash = hash;
    *id = ++z->nnodes;
    table_put(&z->names, hash, *id);
    return 0;
}

/* The node of a lower-case key, made (with its missing ancestors) if
 * needed. */
static int
node_get(vouch_zone_t *z, const uint8_t *key, size_t len, uint32_t *id)
{
    uint32_t hashes[VOUCH__ZONE_LABELS];
    size_t offs[VOUCH__ZONE_LABELS], n = suffixes(key, len, offs, hashes), i;
    uint8_t *copy;
    int rc;

    *id = find_node(z, key, len, hashes[0]);
    if (*id != 0) {
        return 0;
    }
    copy = arena_alloc(z, len);
    if (copy == NULL) {
        return VOUCH_ENOMEM;
    }
    memcpy(copy, key, len);
    /* RFC 8020: every ancestor exists. Find the missing ones (ancestors of
     * an existing node exist already), then make them top-down, so a
     * failure midway never leaves a node whose parent is missing. */
    for (i = 1; i < n; i++) {
        if (find_node(z, copy + offs[i], len - offs[i], hashes[i]) != 0) {
            break;
        }
    }
    while (i-- > 0) {
        rc = node_new(z, copy + offs[i], len - offs[i], hashes[i], id);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

static int
set_get(vouch_zone_t *z, uint32_t node, uint16_t type, uint32_t *id)
{
    rrset_t *s;

    *id = find_set(z, node, type);
    if (*id != 0) {
        return 0;
    }
    if (z->nsets == z->sets_cap) {
        rrset_t *p = grow(z->ctx, z->sets, &z->sets_cap, 64, sizeof(*p));

        if (p == NULL) {
            return VOUCH_ENOMEM;
        }
        z->sets = p;
    }
    if (table_reserve(z->ctx, &z->rrsets) != 0) {
        return VOUCH_ENOMEM;
    }
    s = &z->sets[z->nsets];
    memset(s, 0, sizeof(*s));
    s->node = node;
    s->type = type;
    *id = ++z->nsets;
    table_put(&z->rrsets, set_hash(z->nodes[node - 1].hash, type), *id);
    return 0;
}

/* Room for one more record in s (and in the record index). */
static int
reserve_record(vouch_zone_t *z, rrset_t *s)
{
    if (z->nrefs == z->refs_cap) {
        rref_t *p = grow(z->ctx, z->refs, &z->refs_cap, 64, sizeof(*p));

        if (p == NULL) {
            return VOUCH_ENOMEM;
        }
        z->refs = p;
    }
    if (table_reserve(z->ctx, &z->records) != 0) {
        return VOUCH_ENOMEM;
    }
    if (s->n > 0 && (s->cap == 0 || s->n == s->cap)) {
        uint32_t cap = s->cap;
        vouch_dns_rr_t *p = grow(z->ctx, s->many, &cap, 4, sizeof(*p));

        if (p == NULL) {
            return VOUCH_ENOMEM;
        }
        if (s->cap == 0) {
            p[0] = s->one;
        }
        s->many = p;
        s->cap = cap;
    }
    return 0;
}

int
vouch__zone_add(vouch_zone_t *z, const uint8_t *owner, size_t owner_len,
                const vouch_dns_rr_t *rr, const uint8_t *target,
                size_t target_len, const char **why)
{
    uint8_t key[VOUCH__ZONE_KEY_MAX];
    vouch_dns_rr_t copy = *rr;
    uint32_t nid, sid, hash;
    uint8_t *tkey = NULL;
    rrset_t *s;
    int rc;

    *why = NULL;
    if (z->nrefs >= VOUCH_ZONE_RECORDS_MAX) {
        *why = too_many_records;
        return VOUCH_ETOOBIG;
    }
    key_lower(key, owner, owner_len);
    if ((rc = node_get(z, key, owner_len, &nid)) != 0 ||
        (rc = set_get(z, nid, rr->type, &sid)) != 0) {
        return rc;
    }
    z->nodes[nid - 1].owner = 1;
    s = &z->sets[sid - 1];
    hash = rec_hash(sid, rr);
    if (has_record(z, sid, rr, hash)) {
        return 0; /* RFC 2181 §5: an RRset holds no duplicates */
    }
    if (s->n >= VOUCH_DNS_ANSWER_RR_MAX) {
        *why = rrset_too_big;
        return VOUCH_ETOOBIG;
    }
    if ((rc = reserve_record(z, s)) != 0) {
        return rc;
    }
    if (rr->len > 0) {
        uint8_t *data = arena_alloc(z, rr->len);

        if (data == NULL) {
            return VOUCH_ENOMEM;
        }
        memcpy(data, rr->data, rr->len);
        copy.data = (const char *)data;
    } else {
        copy.data = "";
    }
    if (rr->type == VOUCH_DNS_CNAME && s->n == 0) {
        tkey = arena_alloc(z, target_len);
        if (tkey == NULL) {
            return VOUCH_ENOMEM;
        }
        key_lower(tkey, target, target_len);
    }
    /* everything is allocated: from here on nothing fails */
    (s->cap > 0 ? s->many : &s->one)[s->n] = copy;
    s->min_ttl = s->n == 0 || copy.ttl < s->min_ttl ? copy.ttl : s->min_ttl;
    z->refs[z->nrefs].set = sid;
    z->refs[z->nrefs].pos = s->n++;
    table_put(&z->records, hash, ++z->nrefs);
    if (tkey != NULL) {
        s->target = tkey;
        s->target_len = (uint8_t)target_len;
        z->nodes[nid - 1].cname = sid;
    }
    if (rr->type == VOUCH_DNS_SOA) {
        z->have_soa = true;
    }
    return 0;
}

int
vouch__zone_add_fault(vouch_zone_t *z, const uint8_t *owner, size_t owner_len,
                      bool any, uint16_t type, vouch_dns_status_t status)
{
    uint8_t key[VOUCH__ZONE_KEY_MAX];
    uint32_t nid, sid;
    int rc;

    key_lower(key, owner, owner_len);
    if ((rc = node_get(z, key, owner_len, &nid)) != 0) {
        return rc;
    }
    /* a name with only $FAULT lines exists */
    z->nodes[nid - 1].owner = 1;
    if (any) {
        z->nodes[nid - 1].fault_any = (uint8_t)status;
        return 0;
    }
    if ((rc = set_get(z, nid, type, &sid)) != 0) {
        return rc;
    }
    z->sets[sid - 1].fault = (uint8_t)status;
    return 0;
}

void
vouch__zone_set_default_ttl(vouch_zone_t *z, uint32_t ttl)
{
    if (!z->have_ttl) {
        z->neg_ttl = ttl;
        z->have_ttl = true;
    }
}

/* ---- lifecycle ---------------------------------------------------------- */

/* see vouch/dns.h */
int
vouch_zone_new(vouch_zone_t **out, const vouch_ctx_t *ctx)
{
    vouch_zone_t *z;

    *out = NULL;
    z = vouch__calloc(ctx, 1, sizeof(*z));
    if (z == NULL) {
        return VOUCH_ENOMEM;
    }
    z->ctx = ctx;
    z->neg_ttl = VOUCH__ZONE_TTL_DEFAULT;
    *out = z;
    return 0;
}

const vouch_ctx_t *
vouch__zone_ctx(const vouch_zone_t *zone)
{
    return zone->ctx;
}

size_t
vouch_zone_count(const vouch_zone_t *zone)
{
    return zone != NULL ? zone->nrefs : 0;
}

void
vouch_zone_free(vouch_zone_t *zone)
{
    uint32_t i;

    if (zone == NULL) {
        return;
    }
    while (zone->arena != NULL) {
        chunk_t *next = zone->arena->next;

        vouch__free(zone->ctx, zone->arena);
        zone->arena = next;
    }
    for (i = 0; i < zone->nsets; i++) {
        vouch__free(zone->ctx, zone->sets[i].many);
    }
    vouch__free(zone->ctx, zone->nodes);
    vouch__free(zone->ctx, zone->sets);
    vouch__free(zone->ctx, zone->refs);
    vouch__free(zone->ctx, zone->names.slots);
    vouch__free(zone->ctx, zone->rrsets.slots);
    vouch__free(zone->ctx, zone->records.slots);
    vouch__free(zone->ctx, zone);
}

/* ---- lookup ------------------------------------------------------------- */

/* Key of a normalised name (dns_internal.h): at most 253 bytes of 1..63
 * byte labels, so the key fits in 255. */
static bool
name_key(uint8_t *key, size_t *klen, const char *name, size_t len)
{
    size_t o = 0, start = 0, i;

    if (len == 0 || len > VOUCH_DNS_NAME_MAX) {
        return false;
    }
    for (i = 0; i <= len; i++) {
        if (i == len || name[i] == '.') {
            size_t l = i - start;

            if (l == 0 || l > VOUCH_DNS_LABEL_MAX) {
                return false;
            }
            key[o++] = (uint8_t)l;
            key_lower(key + o, (const uint8_t *)name + start, l);
            o += l;
            start = i + 1;
        }
    }
    key[o++] = 0;
    *klen = o;
    return true;
}

/* Normalised text of a key, for the fallback resolver; false when a label
 * holds a '.' or a NUL (no query name can say that). */
static bool
key_name(char *out, size_t *out_len, const uint8_t *key, size_t len)
{
    size_t i = 0, o = 0;

    while (i < len && key[i] != 0) {
        size_t l = key[i++];

        if (l > len - i || memchr(key + i, '.', l) != NULL ||
            memchr(key + i, '\0', l) != NULL) {
            return false;
        }
        if (o > 0) {
            out[o++] = '.';
        }
        memcpy(out + o, key + i, l);
        o += l;
        i += l;
    }
    out[o] = '\0';
    *out_len = o;
    return o > 0;
}

static uint32_t
min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

/* RFC 2308 §5: a negative answer lives for min(SOA TTL, SOA MINIMUM) of
 * the closest enclosing SOA; without one, the first $TTL (or 3600). */
static uint32_t
negative_ttl(const vouch_zone_t *z, const uint8_t *key, size_t len)
{
    uint32_t hashes[VOUCH__ZONE_LABELS];
    size_t offs[VOUCH__ZONE_LABELS], n, i;

    if (!z->have_soa) {
        return z->neg_ttl;
    }
    n = suffixes(key, len, offs, hashes);
    for (i = 0; i < n; i++) {
        uint32_t nid = find_node(z, key + offs[i], len - offs[i], hashes[i]);
        uint32_t sid = nid != 0 ? find_set(z, nid, VOUCH_DNS_SOA) : 0;

        if (sid != 0 && z->sets[sid - 1].n > 0) {
            /* the loader checked SOA rdata ends with 20 bytes of numbers */
            const vouch_dns_rr_t *rr = set_rrs(&z->sets[sid - 1]);
            const uint8_t *m = (const uint8_t *)rr->data + rr->len - 4;
            uint32_t minimum = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
                               (uint32_t)m[2] << 8 | m[3];

            return min_u32(rr->ttl, minimum);
        }
    }
    return z->neg_ttl;
}

static int
reply(const vouch_zone_t *z, vouch_dns_status_t status, uint32_t ttl,
      const vouch_dns_rr_t *rr, size_t n, const char *why,
      const vouch_dns_answer_t **out, vouch_error_t *err)
{
    int rc = vouch__dns_answer_new(z->ctx, status, VOUCH_DNSSEC_INSECURE, ttl,
                                   rr, n, why, out);

    if (rc == VOUCH_ENOMEM) {
        return vouch__error(err, rc, "zone", 0,
                            "out of memory building a zone answer");
    }
    if (VOUCH_NEVER(rc != 0)) { /* RRsets are capped when loaded */
        return reply(z, VOUCH_DNS_SERVFAIL, 0, NULL, 0, "answer too large", out,
                     err);
    }
    return 0;
}

/* "CNAME loop: a -> b -> a" into why (cut with "..." if long). */
static void
chain_why(const vouch_zone_t *z, const char *what, const uint32_t *seen,
          size_t n, uint32_t last, char *why, size_t cap)
{
    size_t o, i;
    int w = snprintf(why, cap, "%s:", what);

    o = w < 0 ? 0 : (size_t)w;
    for (i = 0; i <= n && o < cap; i++) {
        const node_t *nd = &z->nodes[(i < n ? seen[i] : last) - 1];
        char text[VOUCH__ZONE_TEXT_MAX];
        size_t tlen, used;

        if (vouch__dns_name_from_wire(text, sizeof(text), &tlen, nd->key,
                                      nd->len, &used) != 0) {
            break;
        }
        w = snprintf(why + o, cap - o, "%s%s", i == 0 ? " " : " -> ", text);
        o += w < 0 ? 0 : (size_t)w;
    }
    if (o >= cap && cap > 4) {
        memcpy(why + cap - 4, "...", 4);
    }
}

/* The chain left the zone: an overlay continues in live DNS. The result is
 * at best insecure: the CNAME that led there was not validated. */
static int
leave_zone(const vouch_zone_t *z, const uint8_t *key, size_t len, uint16_t type,
           vouch_resolver_t *fallback, int64_t deadline_ms, uint32_t ttl,
           const vouch_dns_answer_t **out, vouch_error_t *err)
{
    vouch_dns_budget_t budget = { 1, 0, deadline_ms };
    const vouch_dns_answer_t *a;
    char name[VOUCH_DNS_NAME_BUF];
    vouch_error_t e;
    size_t nlen;
    int rc;

    if (!key_name(name, &nlen, key, len)) {
        return reply(z, VOUCH_DNS_SERVFAIL, 0, NULL, 0,
                     "CNAME target cannot be looked up outside the zone", out,
                     err);
    }
    vouch_error_clear(&e);
    rc = vouch_dns_query(fallback, deadline_ms != 0 ? &budget : NULL, name,
                         nlen, type, &a, &e);
    if (rc == VOUCH_ENOMEM) {
        return vouch__error(err, rc, "zone", 0, "%s", e.msg);
    }
    if (rc != 0) {
        return reply(z,
                     rc == VOUCH_ETEMP ? VOUCH_DNS_TIMEOUT : VOUCH_DNS_SERVFAIL,
                     0, NULL, 0, e.msg, out, err);
    }
    rc = vouch__dns_answer_new(
        z->ctx, a->status,
        a->dnssec == VOUCH_DNSSEC_BOGUS ? a->dnssec : VOUCH_DNSSEC_INSECURE,
        min_u32(a->ttl, ttl), a->rr, a->n, a->why, out);
    vouch_dns_answer_free(a);
    if (rc != 0) {
        return vouch__error(err, VOUCH_ENOMEM, "zone", 0,
                            "out of memory building a zone answer");
    }
    return 0;
}

/* see dns_internal.h */
int
vouch__zone_query(const vouch_zone_t *zone, const char *name, size_t len,
                  uint16_t type, vouch_resolver_t *fallback,
                  int64_t deadline_ms, const vouch_dns_answer_t **out,
                  vouch_error_t *err)
{
    uint8_t key[VOUCH__ZONE_KEY_MAX];
    uint32_t seen[VOUCH_DNS_CNAME_MAX + 1], ttl = VOUCH__ZONE_TTL_MAX;
    size_t klen, hops = 0, i;
    char why[256];

    *out = NULL;
    if (!name_key(key, &klen, name, len)) {
        return reply(zone, VOUCH_DNS_NXDOMAIN, zone->neg_ttl, NULL, 0, NULL,
                     out, err);
    }
    for (;;) {
        uint32_t nid = find_node(zone, key, klen, hash_bytes(key, klen, 0));
        const node_t *nd = nid != 0 ? &zone->nodes[nid - 1] : NULL;
        const rrset_t *s;

        if (hops > 0 && fallback != NULL && (nd == NULL || !nd->owner)) {
            /* an overlay holds only its owners (vouch__zone_has_name) */
            return leave_zone(zone, key, klen, type, fallback, deadline_ms, ttl,
                              out, err);
        }
        if (nd == NULL) {
            return reply(zone, VOUCH_DNS_NXDOMAIN,
                         min_u32(ttl, negative_ttl(zone, key, klen)), NULL, 0,
                         NULL, out, err);
        }
        for (i = 0; i < hops; i++) {
            if (seen[i] == nid) {
                chain_why(zone, "CNAME loop", seen, hops, nid, why,
                          sizeof(why));
                return reply(zone, VOUCH_DNS_SERVFAIL, 0, NULL, 0, why, out,
                             err);
            }
        }
        i = find_set(zone, nid, type);
        s = i != 0 ? &zone->sets[i - 1] : NULL;
        /* an explicit $FAULT for the type wins over its records */
        if (s != NULL && s->fault != 0) {
            return reply(zone, (vouch_dns_status_t)s->fault, 0, NULL, 0,
                         "$FAULT in zone", out, err);
        }
        if (s != NULL && s->n > 0) {
            return reply(zone, VOUCH_DNS_NOERROR, min_u32(ttl, s->min_ttl),
                         set_rrs(s), s->n, NULL, out, err);
        }
        if (nd->fault_any != 0) {
            return reply(zone, (vouch_dns_status_t)nd->fault_any, 0, NULL, 0,
                         "$FAULT in zone", out, err);
        }
        if (nd->cname == 0 || type == VOUCH_DNS_CNAME) {
            return reply(zone, VOUCH_DNS_NODATA,
                         min_u32(ttl, negative_ttl(zone, key, klen)), NULL, 0,
                         NULL, out, err);
        }
        /* RFC 1034 §4.3.2 step 3a: restart at the canonical name */
        s = &zone->sets[nd->cname - 1];
        seen[hops++] = nid;
        ttl = min_u32(ttl, set_rrs(s)[0].ttl);
        if (hops > VOUCH_DNS_CNAME_MAX) {
            chain_why(zone, "CNAME chain too long", seen, hops - 1, nid, why,
                      sizeof(why));
            return reply(zone, VOUCH_DNS_SERVFAIL, 0, NULL, 0, why, out, err);
        }
        memcpy(key, s->target, s->target_len);
        klen = s->target_len;
    }
}

/* see dns_internal.h */
bool
vouch__zone_has_name(const vouch_zone_t *zone, const char *name, size_t len)
{
    uint8_t key[VOUCH__ZONE_KEY_MAX];
    size_t klen;
    uint32_t nid;

    if (!name_key(key, &klen, name, len)) {
        return false;
    }
    nid = find_node(zone, key, klen, hash_bytes(key, klen, 0));
    return nid != 0 && zone->nodes[nid - 1].owner;
}
