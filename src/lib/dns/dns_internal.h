/* SPDX-License-Identifier: MIT */
/*
 * dns/dns_internal.h - what the resolver front (resolver.c), the backends
 * (zone.c, unbound.c, overlay in resolver.c) and the cache (cache.c) share.
 *
 * Names inside the DNS layer: a query name reaches a backend normalised by
 * vouch__dns_name_normalize(): lower-case ASCII, no final dot, labels of
 * 1..63 bytes separated by '.', at most 253 bytes, any byte but NUL and '.'
 * inside a label. There are no escapes in this form; a backend that needs
 * presentation format (libunbound) escapes itself.
 */
#ifndef VOUCH_DNS_INTERNAL_H
#define VOUCH_DNS_INTERNAL_H

#include "vouch/dns.h"
#include "../core/internal.h"

/* Size of a buffer that holds any normalised name plus NUL. */
#define VOUCH_DNS_NAME_BUF (VOUCH_DNS_NAME_MAX + 1)

/* ---- backends
 * ---------------------------------------------------------------- */

typedef struct vouch__lanes vouch__lanes_t;

typedef struct vouch__dns_backend {
    const char *name; /* "zone", "unbound", "overlay" */
    /*
     * Answer (name, type); name is normalised, NUL-terminated, len bytes.
     * deadline_ms: monotonic deadline (0 = none): give up and answer
     * TIMEOUT after it. Returns 0 with *out set (any status), or ENOMEM.
     */
    int (*query)(void *impl, const char *name, size_t len, uint16_t type,
                 int64_t deadline_ms, const vouch_dns_answer_t **out,
                 vouch_error_t *err);
    void (*free)(void *impl);
    /*
     * Give lanes (lanes.c) an event-driven context of this backend, or
     * NULL when it has none to give (answers without waiting). Returns 0,
     * VOUCH_EINVAL (no libunbound behind it), VOUCH_EIO, VOUCH_ENOMEM.
     */
    int (*lanes_attach)(void *impl, vouch__lanes_t *lanes, vouch_error_t *err);
} vouch__dns_backend_t;

typedef struct vouch__dns_cache vouch__dns_cache_t;

struct vouch_resolver {
    const vouch_ctx_t *ctx;
    const vouch__dns_backend_t *ops;
    void *impl;                /* owned, freed with ops->free */
    vouch__dns_cache_t *cache; /* owned, or NULL */
};

/* Wrap a backend into a resolver. On failure ops->free(impl) is called.
 * Returns 0, VOUCH_ENOMEM. */
VOUCH_HIDDEN int vouch__resolver_wrap(vouch_resolver_t **out,
                                      const vouch_ctx_t *ctx,
                                      const vouch__dns_backend_t *ops,
                                      void *impl);

/* ---- lanes (lanes.c)
 * ---------------------------------------------------------------- */

typedef struct vouch__lane vouch__lane_t;

/* What a backend attached to the lanes of a thread (lanes_attach). */
typedef struct vouch__lanes_backend {
    void *owner;                 /* the backend's impl */
    void *state;                 /* its event-driven context */
    void (*detach)(void *state); /* called when the lanes end */
} vouch__lanes_backend_t;

/* The lanes of the calling thread and the lane running, while a lane runs;
 * else NULL. */
VOUCH_HIDDEN vouch__lane_t *vouch__lane_self(vouch__lanes_t **lanes);

/* The event base (libevent's struct event_base) of the lanes. */
VOUCH_HIDDEN void *vouch__lanes_base(vouch__lanes_t *lanes);

/* Where a backend keeps what it attached to these lanes. */
VOUCH_HIDDEN vouch__lanes_backend_t *
vouch__lanes_backend(vouch__lanes_t *lanes);

/*
 * Switch the running lane out until vouch__lane_wake() or the monotonic
 * deadline_ms (0 = none). Returns true if woken, false at the deadline.
 */
VOUCH_HIDDEN bool vouch__lane_wait(vouch__lanes_t *lanes, vouch__lane_t *lane,
                                   int64_t deadline_ms);

/* Make a waiting lane runnable again (from an event callback). */
VOUCH_HIDDEN void vouch__lane_wake(vouch__lane_t *lane);

/* ---- answers
 * ------------------------------------------------------------------ */

/*
 * Build an answer: copies rr[0..n) (and the bytes they point to) and why
 * into one reference-counted block owned by the caller. ttl is the cache
 * lifetime. Returns 0, VOUCH_ENOMEM, VOUCH_ETOOBIG (n over
 * VOUCH_DNS_ANSWER_RR_MAX).
 */
VOUCH_HIDDEN int vouch__dns_answer_new(const vouch_ctx_t *ctx,
                                       vouch_dns_status_t status,
                                       vouch_dnssec_t dnssec, uint32_t ttl,
                                       const vouch_dns_rr_t *rr, size_t n,
                                       const char *why,
                                       const vouch_dns_answer_t **out);

/*
 * Memos: an upper layer may attach what it derived from an answer (SPF its
 * parsed record, DKIM its public key) to the answer itself, so work is done
 * once per answer and lives exactly as long as the cached answer. A memo
 * starts with a vouch__dns_memo_t; the answer frees it with ops->free.
 * One memo per answer: a second kind finds the slot taken and simply does
 * without.
 */
typedef struct vouch__dns_memo_ops {
    const char *name;
    void (*free)(void *memo, const vouch_ctx_t *ctx);
} vouch__dns_memo_ops_t;

typedef struct vouch__dns_memo {
    const vouch__dns_memo_ops_t *ops;
} vouch__dns_memo_t;

/* The memo of kind ops attached to answer, or NULL. Thread-safe. */
VOUCH_HIDDEN void *vouch__dns_answer_memo(const vouch_dns_answer_t *answer,
                                          const vouch__dns_memo_ops_t *ops);

/*
 * Attach memo (a vouch__dns_memo_t first) to answer, which then owns it.
 * If the slot is already taken (another thread, another kind), memo is
 * freed and the memo in place is returned when it is of kind memo->ops,
 * else NULL. Returns the memo to use. Thread-safe.
 */
VOUCH_HIDDEN void *vouch__dns_answer_memo_set(const vouch_dns_answer_t *answer,
                                              void *memo);

/* ---- names (name.c)
 * ------------------------------------------------------------- */

/*
 * Check and normalise a query name (see the top of this file) into out
 * (VOUCH_DNS_NAME_BUF bytes), NUL-terminated; *out_len gets its length.
 * One final dot is dropped. Returns 0 or VOUCH_ESYNTAX (empty name, empty
 * label, label over 63, name over 253, NUL byte).
 */
VOUCH_HIDDEN int vouch__dns_name_normalize(char *out, size_t *out_len,
                                           const char *name, size_t len);

/*
 * Write the wire-form name at wire[off..len) (uncompressed: rdata from
 * libunbound and zone rdata) in text form as described for vouch_dns_rr_t
 * (labels as-is, '.' and bytes outside 0x21-0x7e as \DDD, '\' as "\\", no
 * final dot; the root is "."). *consumed gets the wire length.
 * Returns 0, VOUCH_ESYNTAX (truncated, compression pointer, label too
 * long), VOUCH_ETOOBIG (text does not fit out_cap with its NUL).
 */
VOUCH_HIDDEN int vouch__dns_name_from_wire(char *out, size_t out_cap,
                                           size_t *out_len, const uint8_t *wire,
                                           size_t len, size_t *consumed);

/*
 * Compare two text names as DNS does: ASCII case-insensitive, ignoring
 * one final dot on either.
 */
VOUCH_HIDDEN bool vouch__dns_name_eq(const char *a, size_t alen, const char *b,
                                     size_t blen);

/* ---- responses (wire.c)
 * ------------------------------------------------------------ */

typedef struct vouch__dns_rdata {
    const uint8_t *data;
    size_t len;
} vouch__dns_rdata_t;

/* The answer records of one type in a response packet. */
typedef struct vouch__dns_wire {
    const vouch_ctx_t *ctx;
    int rcode;              /* the header's RCODE */
    vouch__dns_rdata_t *rr; /* n rdata: into the packet, or into buf */
    size_t n;
    uint32_t ttl; /* smallest answer TTL; no records: RFC 2308 §5 */
    uint8_t *buf; /* rdata with names uncompressed */
    size_t cap, used;
} vouch__dns_wire_t;

/*
 * Read the response pkt[0..len): its RCODE, the answer records of type qtype,
 * class IN, in order (CNAMEs leading to them are passed over), each rdata with
 * the domain names in it uncompressed (MX, CNAME, NS, PTR, SOA); ttl is
 * the smallest TTL in the answer section, or without records the
 * negative-caching time of the authority SOA (0 if none). The rdata point
 * into pkt or into w's own buffer: keep pkt until vouch__dns_wire_free().
 * Returns 0, VOUCH_ESYNTAX (malformed: nothing to free), VOUCH_ETOOBIG
 * (over VOUCH_DNS_ANSWER_RR_MAX answer records), VOUCH_ENOMEM.
 */
VOUCH_HIDDEN int vouch__dns_wire_parse(vouch__dns_wire_t *w,
                                       const vouch_ctx_t *ctx,
                                       const uint8_t *pkt, size_t len,
                                       uint16_t qtype);

VOUCH_HIDDEN void vouch__dns_wire_free(vouch__dns_wire_t *w);

/* ---- cache (cache.c)
 * --------------------------------------------------------------- */

/* A bounded TTL cache keyed by (normalised name, type), safe to share
 * between threads. Returns 0, VOUCH_ENOMEM. */
VOUCH_HIDDEN int vouch__dns_cache_new(vouch__dns_cache_t **out,
                                      const vouch_ctx_t *ctx,
                                      size_t max_entries);

/* A new reference to the cached answer, or NULL (absent or expired). */
VOUCH_HIDDEN const vouch_dns_answer_t *
vouch__dns_cache_get(vouch__dns_cache_t *cache, const char *name, size_t len,
                     uint16_t type);

/* Remember answer (takes its own reference) if its status is cacheable.
 * Failing to allocate only means not caching. */
VOUCH_HIDDEN void vouch__dns_cache_put(vouch__dns_cache_t *cache,
                                       const char *name, size_t len,
                                       uint16_t type,
                                       const vouch_dns_answer_t *answer);

VOUCH_HIDDEN void vouch__dns_cache_free(vouch__dns_cache_t *cache);

/* ---- zone sets (zone.c)
 * ------------------------------------------------------------- */

/*
 * Answer (name, type) from a zone set: the lookup the zone resolver and the
 * overlay use. name is normalised. If fallback is not NULL, a CNAME whose
 * target the zone does not hold is continued there (overlay); otherwise
 * such a target does not exist (closed world).
 */
VOUCH_HIDDEN int vouch__zone_query(const vouch_zone_t *zone, const char *name,
                                   size_t len, uint16_t type,
                                   vouch_resolver_t *fallback,
                                   int64_t deadline_ms,
                                   const vouch_dns_answer_t **out,
                                   vouch_error_t *err);

/* Does the zone hold name (normalised) as the owner of a record or of a
 * $FAULT line? (Ancestors that only exist as empty non-terminals do not
 * count: an overlay replaces the names it lists, nothing more.) */
VOUCH_HIDDEN bool vouch__zone_has_name(const vouch_zone_t *zone,
                                       const char *name, size_t len);

#endif
