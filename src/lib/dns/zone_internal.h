/* SPDX-License-Identifier: MIT */
/*
 * dns/zone_internal.h - what the zone store and lookup (zone.c) and the
 * master-file reader (zone_parse.c) share. Nothing outside those two files
 * includes it; the rest of the DNS layer sees zones through
 * dns_internal.h.
 *
 * Names handed to the store are in wire form (RFC 1035 §3.1: length-
 * prefixed labels ending with the zero-length root label), case as
 * written: the store folds owners to lower case itself.
 */
#ifndef VOUCH_DNS_ZONE_INTERNAL_H
#define VOUCH_DNS_ZONE_INTERNAL_H

#include "dns_internal.h"

/* RFC 1035 §3.1: a wire-form name, root label included, is at most 255
 * octets; it holds at most 127 labels plus the root. */
#define VOUCH__ZONE_KEY_MAX 255
#define VOUCH__ZONE_LABELS  128

/* Text form of any name as name.c writes it (a 253-byte name with every
 * byte as \DDD is 1012 characters), plus its NUL. */
#define VOUCH__ZONE_TEXT_MAX 1024

/* RFC 2181 §8: a TTL is a 31-bit number. */
#define VOUCH__ZONE_TTL_MAX 2147483647u

/* TTL of records without one and of negative answers when no $TTL and no
 * SOA says otherwise (NSD's default; RFC 2308 §4 leaves it open). */
#define VOUCH__ZONE_TTL_DEFAULT 3600u

/*
 * Add one decoded record (rr->data is copied) at owner. For CNAME, target
 * is the wire-form target (the chase follows the first CNAME of a name).
 * An exact duplicate of a record already there is dropped (RFC 2181 §5).
 * Returns 0; VOUCH_ENOMEM; VOUCH_ETOOBIG with *why set (record limit of
 * the set, or an RRset larger than an answer may be). On failure the set
 * stays consistent, possibly with new empty names.
 */
VOUCH_HIDDEN int vouch__zone_add(vouch_zone_t *zone, const uint8_t *owner,
                                 size_t owner_len, const vouch_dns_rr_t *rr,
                                 const uint8_t *target, size_t target_len,
                                 const char **why);

/* Record a $FAULT: queries for (owner, type), or with any for every type
 * without records at owner, answer status. A later one replaces an earlier
 * one. Returns 0, VOUCH_ENOMEM. */
VOUCH_HIDDEN int vouch__zone_add_fault(vouch_zone_t *zone, const uint8_t *owner,
                                       size_t owner_len, bool any,
                                       uint16_t type,
                                       vouch_dns_status_t status);

/* A $TTL was read: the first one becomes the negative-answer TTL used
 * where no SOA encloses the name. */
VOUCH_HIDDEN void vouch__zone_set_default_ttl(vouch_zone_t *zone, uint32_t ttl);

/* The context the set was made with (allocator of the reader's buffers). */
VOUCH_HIDDEN const vouch_ctx_t *vouch__zone_ctx(const vouch_zone_t *zone);

#endif
