/* SPDX-License-Identifier: MIT */
/*
 * vouch/dns.h - the DNS layer: one resolver interface, three kinds of
 * resolver behind it, a TTL cache and a per-evaluation query budget.
 *
 * A query answers (name, type) with a status (NOERROR, NODATA, NXDOMAIN,
 * SERVFAIL, TIMEOUT, REFUSED), the records of that type at the name reached
 * after CNAMEs, and the DNSSEC state (secure, insecure, bogus). DNS failures
 * are data in the answer, not errors: protocols turn them into their own
 * verdicts (temperror). A bogus answer is never handed out as data: its
 * status is SERVFAIL and its dnssec field says BOGUS.
 *
 * Resolvers:
 *   - zone: answers from RFC 1035 master files (vouch_zone_t). Closed world:
 *     names not in the files do not exist. Used by tests and offline runs.
 *   - unbound: libunbound, the production resolver (system resolv.conf, a
 *     forwarder, or full recursion; DNSSEC validation with a trust anchor).
 *   - overlay: a zone in front of another resolver; every name the zone
 *     holds is answered from the zone, every other name by the other
 *     resolver. Lets a domain owner test a draft record before publishing.
 * Any of them can be given a TTL cache with negative caching.
 *
 * Zone files: standard master-file syntax as NSD and BIND read it ($ORIGIN,
 * $TTL, $INCLUDE, relative names, @, parentheses, comments, multi-string
 * TXT with \DDD escapes; types A AAAA MX TXT SPF PTR CNAME NS SOA TLSA CAA,
 * and TYPEnnn with RFC 3597 \# rdata), plus a test extension:
 *     $FAULT <owner> <TYPE|ANY> <TIMEOUT|SERVFAIL|REFUSED>
 * which makes queries for that owner and type fail that way (a $FAULT for
 * a type wins over records of that type); ANY means every type that has no
 * records at that owner. A name with only $FAULT lines exists. Ancestors of
 * every owner exist (empty non-terminals answer NODATA, RFC 8020). Wildcards
 * are not expanded.
 *
 * Not done here: zone transfers, DNS UPDATE, EDNS options, class other
 * than IN.
 *
 * Thread safety: a resolver (with its cache) may be shared by threads once
 * built. A zone may be read by many threads once loaded; loading is not
 * thread-safe. Answers are reference-counted and immutable.
 */
#ifndef VOUCH_DNS_H
#define VOUCH_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- limits -------------------------------------------------------------- */

/* RFC 1035 §2.3.4: 255 octets on the wire, so 253 characters in text
 * without the final dot. */
#define VOUCH_DNS_NAME_MAX  253
#define VOUCH_DNS_LABEL_MAX 63

/* ---- record types ---------------------------------------------------------
 */

#define VOUCH_DNS_A     1
#define VOUCH_DNS_NS    2
#define VOUCH_DNS_CNAME 5
#define VOUCH_DNS_SOA   6
#define VOUCH_DNS_PTR   12
#define VOUCH_DNS_MX    15
#define VOUCH_DNS_TXT   16
#define VOUCH_DNS_AAAA  28
#define VOUCH_DNS_TLSA  52
#define VOUCH_DNS_SPF   99
#define VOUCH_DNS_CAA   257

typedef enum vouch_dns_status {
    VOUCH_DNS_NOERROR = 0, /* records of the type exist (n > 0) */
    VOUCH_DNS_NODATA,      /* the name exists, no records of the type */
    VOUCH_DNS_NXDOMAIN,    /* the name does not exist */
    VOUCH_DNS_SERVFAIL,    /* server failure, or a bogus DNSSEC answer */
    VOUCH_DNS_TIMEOUT,     /* no answer in time */
    VOUCH_DNS_REFUSED      /* the server refused */
} vouch_dns_status_t;

typedef enum vouch_dnssec {
    VOUCH_DNSSEC_INSECURE = 0, /* not signed, or not validated */
    VOUCH_DNSSEC_SECURE,       /* validated against a trust anchor */
    VOUCH_DNSSEC_BOGUS         /* validation failed */
} vouch_dnssec_t;

/*
 * One record, decoded. What data holds depends on type:
 *   A, AAAA           the 4 or 16 address bytes, network order
 *   TXT, SPF          the character-strings joined with nothing between
 *                     (may hold any byte, NUL included); nstrings tells how
 *                     many strings there were
 *   MX, CNAME, PTR, NS  the target name in text form, no final dot, labels
 *                     as in the record (case kept); a "." or a byte outside
 *                     0x21-0x7e inside a label is written \DDD, "\" as "\\";
 *                     the root name is "."; MX keeps its preference in pref
 *   anything else     the rdata in wire form
 */
typedef struct vouch_dns_rr {
    uint16_t type;
    uint16_t pref;     /* MX preference; 0 otherwise */
    uint16_t nstrings; /* TXT/SPF: number of character-strings */
    uint32_t ttl;
    const char *data;
    size_t len;
} vouch_dns_rr_t;

/* An answer. Immutable and reference-counted: release with
 * vouch_dns_answer_free(). All pointers live as long as the answer. */
typedef struct vouch_dns_answer {
    vouch_dns_status_t status;
    vouch_dnssec_t dnssec;
    uint32_t ttl; /* how long it may be cached, seconds */
    size_t n;     /* number of records */
    const vouch_dns_rr_t *rr;
    const char *why; /* failure or bogus reason, NUL-terminated; or NULL */
} vouch_dns_answer_t;

/* Release an answer (drops one reference). NULL is a no-op. Thread-safe. */
VOUCH_EXTERN void vouch_dns_answer_free(const vouch_dns_answer_t *answer);

/* Take one more reference. Thread-safe. Returns answer. */
VOUCH_EXTERN const vouch_dns_answer_t *
vouch_dns_answer_ref(const vouch_dns_answer_t *answer);

/* "NOERROR", "NODATA", "NXDOMAIN", ... */
VOUCH_EXTERN const char *vouch_dns_status_name(vouch_dns_status_t status);

/* "secure", "insecure", "bogus" */
VOUCH_EXTERN const char *vouch_dnssec_name(vouch_dnssec_t state);

/* "A", "TXT", ... or "TYPE<n>" written into the caller's 16-byte buffer. */
VOUCH_EXTERN const char *vouch_dns_type_name(uint16_t type, char tmp[16]);

/* Parse a type mnemonic ("TXT", "txt", "TYPE99"). Returns 0 or
 * VOUCH_ESYNTAX. */
VOUCH_EXTERN int vouch_dns_type_parse(uint16_t *out, const char *text,
                                      size_t len) VOUCH_WARN_UNUSED;

/* ---- query budget -----------------------------------------------------------
 */

/*
 * A per-evaluation cap on DNS work: how many queries (cache hits count too:
 * the cap bounds work, not traffic) and until when (monotonic
 * milliseconds; 0 = no deadline). Owned by the caller, usually on its stack;
 * not shared between threads.
 */
typedef struct vouch_dns_budget {
    unsigned max_queries;
    unsigned queries;    /* used so far */
    int64_t deadline_ms; /* monotonic clock, 0 = none */
} vouch_dns_budget_t;

/* Start a budget of max_queries queries lasting timeout_ms milliseconds
 * from now (0 = no deadline). */
VOUCH_EXTERN void vouch_dns_budget_init(vouch_dns_budget_t *budget,
                                        unsigned max_queries,
                                        unsigned timeout_ms);

/* Milliseconds of the monotonic clock the budgets use. */
VOUCH_EXTERN int64_t vouch_dns_monotonic_ms(void);

/* ---- zones (master files) -------------------------------------------------
 */

typedef struct vouch_zone vouch_zone_t;

/* Create an empty zone set. Returns 0, VOUCH_ENOMEM. */
VOUCH_EXTERN int vouch_zone_new(vouch_zone_t **out,
                                const vouch_ctx_t *ctx) VOUCH_WARN_UNUSED;

/*
 * Load a master file (and its $INCLUDEs, relative to the file's folder)
 * into the set. Several files may be loaded into one set; their records
 * add up. The initial $ORIGIN is the root.
 * Returns 0; VOUCH_EIO (cannot read); VOUCH_ESYNTAX (bad line, $INCLUDE
 * loop); VOUCH_ETOOBIG (a limit: file size, records, include depth, name
 * or label length, TXT string over 255 bytes, rdata over 65535 bytes, an
 * RRset over VOUCH_DNS_ANSWER_RR_MAX records); VOUCH_ENOMEM. err->msg then
 * names the file and line ("a.zone:12: ..."). On failure the set may hold part
 * of the file: discard it.
 */
VOUCH_EXTERN int vouch_zone_load_file(vouch_zone_t *zone, const char *path,
                                      vouch_error_t *err) VOUCH_WARN_UNUSED;

/*
 * Load master-file text from memory. name is used in messages (may be
 * NULL: "<memory>"); $INCLUDE is refused. Same returns as load_file.
 */
VOUCH_EXTERN int vouch_zone_load_text(vouch_zone_t *zone, const char *text,
                                      size_t len, const char *name,
                                      vouch_error_t *err) VOUCH_WARN_UNUSED;

/* Number of records loaded (faults not counted). */
VOUCH_EXTERN size_t vouch_zone_count(const vouch_zone_t *zone);

/* Free the set. NULL is a no-op. */
VOUCH_EXTERN void vouch_zone_free(vouch_zone_t *zone);

/* ---- resolvers
 * ---------------------------------------------------------------- */

typedef struct vouch_resolver vouch_resolver_t;

/* Options of the unbound resolver. Start from VOUCH_UNBOUND_OPTIONS_INIT. */
typedef struct vouch_unbound_options {
    unsigned version;
    /* "ADDR" or "ADDR@PORT": forward every query to this resolver. NULL:
     * use /etc/resolv.conf (or resolv_conf below); if that has no server,
     * recurse from the root. */
    const char *forwarder;
    /* resolv.conf-style file to take forwarders from (NULL: the system's).
     * Ignored when forwarder is set or recursive is nonzero. */
    const char *resolv_conf;
    /* nonzero: full recursion from the root hints, no forwarders */
    int recursive;
    /* DNSSEC trust anchors (DS or DNSKEY records in zone-file form). NULL:
     * no validation, every answer is insecure. */
    const char *trust_anchor_file;
    /* libunbound configuration file applied first (unbound.conf syntax),
     * or NULL. */
    const char *config_file;
    /* per-query time limit in milliseconds; 0 = VOUCH_DNS_TIMEOUT_MS */
    unsigned timeout_ms;
} vouch_unbound_options_t;

#define VOUCH_UNBOUND_OPTIONS_INIT                                             \
    {                                                                          \
        1, NULL, NULL, 0, NULL, NULL, 0                                        \
    }

/* Default per-query timeout (milliseconds). */
#define VOUCH_DNS_TIMEOUT_MS 5000

/*
 * A resolver answering from zone (closed world). Takes ownership of zone,
 * also on failure. Returns 0, VOUCH_ENOMEM.
 */
VOUCH_EXTERN int vouch_resolver_new_zone(vouch_resolver_t **out,
                                         const vouch_ctx_t *ctx,
                                         vouch_zone_t *zone) VOUCH_WARN_UNUSED;

/*
 * A libunbound resolver. opts may be NULL (all defaults).
 * Returns 0; VOUCH_EINVAL (bad forwarder syntax); VOUCH_EIO (a file named
 * in opts cannot be read, or libunbound refused the setup: err says why);
 * VOUCH_ENOMEM.
 */
VOUCH_EXTERN int
vouch_resolver_new_unbound(vouch_resolver_t **out, const vouch_ctx_t *ctx,
                           const vouch_unbound_options_t *opts,
                           vouch_error_t *err) VOUCH_WARN_UNUSED;

/*
 * Names held by zone are answered from it, all others by live. Takes
 * ownership of zone and live, also on failure. Returns 0, VOUCH_ENOMEM.
 */
VOUCH_EXTERN int
vouch_resolver_new_overlay(vouch_resolver_t **out, const vouch_ctx_t *ctx,
                           vouch_zone_t *zone,
                           vouch_resolver_t *live) VOUCH_WARN_UNUSED;

/*
 * Put a TTL cache of at most max_entries answers in front of the resolver
 * (answers NOERROR, NODATA and NXDOMAIN are cached for their TTL, failures
 * are not). Call before sharing the resolver. Returns 0, VOUCH_ENOMEM,
 * VOUCH_EINVAL (already has a cache, or max_entries is 0).
 */
VOUCH_EXTERN int
vouch_resolver_enable_cache(vouch_resolver_t *resolver,
                            size_t max_entries) VOUCH_WARN_UNUSED;

/*
 * Ask for the records of type at name (text form, len bytes, a final dot
 * allowed, case-insensitive). budget may be NULL; otherwise one query is
 * charged to it first.
 * Returns 0 and an answer in *out (whatever its status); VOUCH_ESYNTAX (not
 * a valid name: empty label, label over 63 or name over 253 bytes);
 * VOUCH_ETOOBIG (budget spent: no query made); VOUCH_ETEMP (budget
 * deadline passed); VOUCH_ENOMEM. *out is NULL on failure.
 * Thread-safe.
 */
VOUCH_EXTERN int vouch_dns_query(vouch_resolver_t *resolver,
                                 vouch_dns_budget_t *budget, const char *name,
                                 size_t len, uint16_t type,
                                 const vouch_dns_answer_t **out,
                                 vouch_error_t *err) VOUCH_WARN_UNUSED;

/*
 * Lanes: many jobs that wait on DNS, on one thread.
 * vouch_resolver_lanes_run() runs `lanes` lanes on the calling thread,
 * each calling job(payload) over and over on its own stack until it returns
 * VOUCH_LANE_DONE. While a lane waits for an answer from this resolver the
 * others run, so the thread keeps up to `lanes` queries in flight through
 * one event loop (libunbound's event API, no hand-off to a resolver thread
 * per query). VOUCH_LANE_IDLE means nothing to do yet: the lane is called
 * again once the others had their turn and, if none has work either,
 * after a pause (1 ms, doubling up to 64 ms while nothing happens).
 * Only queries to this resolver switch lanes: a job must not wait for
 * another lane of its thread in any other way (a lock held across a
 * query, a condition variable), nor block on other I/O (it would hold up
 * every lane of its thread), and has VOUCH_LANE_STACK bytes of stack.
 * Several threads may run lanes on one resolver at once; each has its own
 * libunbound context (same options, its own libunbound cache; the
 * resolver's cache is shared).
 * Returns 0 once every lane is done; VOUCH_EINVAL (lanes is 0 or over
 * VOUCH_LANES_MAX, or the resolver does not use libunbound: run the jobs
 * on threads instead); VOUCH_EIO (libunbound set-up failed: err says why);
 * VOUCH_ENOMEM (nothing ran).
 */
typedef enum vouch_lane_step {
    VOUCH_LANE_DONE = 0,
    VOUCH_LANE_MORE,
    VOUCH_LANE_IDLE
} vouch_lane_step_t;

/* Lanes per thread: each maps a stack, so a cap keeps a typo from
 * mapping terabytes. The stack: an audit peaks near 20 KB (the SPF tree
 * walk recurses ten deep); 1 MiB leaves room for libraries and sanitizers
 * and costs only the pages touched. */
#define VOUCH_LANES_MAX  4096
#define VOUCH_LANE_STACK (1024 * 1024)

VOUCH_EXTERN int
vouch_resolver_lanes_run(vouch_resolver_t *resolver, unsigned lanes,
                         vouch_lane_step_t (*job)(void *payload), void *payload,
                         vouch_error_t *err) VOUCH_WARN_UNUSED;

/* Free the resolver (and what it owns). NULL is a no-op. */
VOUCH_EXTERN void vouch_resolver_free(vouch_resolver_t *resolver);

#ifdef __cplusplus
}
#endif

#endif
