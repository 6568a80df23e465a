/* SPDX-License-Identifier: MIT */
/*
 * core/limits.h - every cap the library enforces, with where it comes from.
 * Exceeding one is VOUCH_ETOOBIG or the protocol's own verdict, never
 * silent truncation.
 */
#ifndef VOUCH_CORE_LIMITS_H
#define VOUCH_CORE_LIMITS_H

/* Largest single allocation (guards size arithmetic on hostile counts). */
#define VOUCH_ALLOC_MAX ((size_t)1 << 30)

/* ---- DNS ------------------------------------------------------------------
 */

/* RFC 1035 §4.2.1: a DNS message over TCP is at most 65535 bytes, so no
 * single TXT record (joined strings) can be longer. */
#define VOUCH_DNS_RDATA_MAX 65535

/* CNAME chain followed by the zone backend before answering SERVFAIL
 * (resolvers use about 8-16; unbound uses 8 for its own chase). */
#define VOUCH_DNS_CNAME_MAX 8

/* Records returned in one answer; larger RRsets are refused (SERVFAIL from
 * a resolver, a load error in a zone file). A UDP/TCP message cannot carry
 * more than ~5000 A records anyway. */
#define VOUCH_DNS_ANSWER_RR_MAX 4096

/* Default entries in a resolver's cache. */
#define VOUCH_DNS_CACHE_DEFAULT 65536

/* Longest time an answer stays cached, whatever its TTL (RFC 8767 §4
 * suggests capping TTLs at 7 days; we keep it to one day). */
#define VOUCH_DNS_CACHE_TTL_MAX 86400

/* ---- zone files
 * -------------------------------------------------------------- */

/* One zone file (before $INCLUDEs): 64 MiB. */
#define VOUCH_ZONE_FILE_MAX ((size_t)64 << 20)

/* $INCLUDE nesting (BIND and NSD refuse loops; we cap depth). */
#define VOUCH_ZONE_INCLUDE_DEPTH 8

/* Bytes read by one load, $INCLUDEs and all: a full chain of files. */
#define VOUCH_ZONE_LOAD_MAX                                                    \
    (VOUCH_ZONE_FILE_MAX * (VOUCH_ZONE_INCLUDE_DEPTH + 1))

/* Records in one zone set. */
#define VOUCH_ZONE_RECORDS_MAX 4000000

/* ---- SPF (RFC 7208)
 * ----------------------------------------------------------- */

/* §4.6.4: at most 10 mechanisms/modifiers that cause DNS queries. */
#define VOUCH_SPF_DNS_TERMS_MAX 10

/* §4.6.4: at most 2 "void lookups" (NXDOMAIN or no answers). */
#define VOUCH_SPF_VOID_LOOKUPS_MAX 2

/* §4.6.4: at most 10 MX names (mx) and 10 PTR names (ptr, %{p}) looked at. */
#define VOUCH_SPF_MX_NAMES_MAX  10
#define VOUCH_SPF_PTR_NAMES_MAX 10

/* §7.3: an expanded domain-spec longer than 253 characters is cut from the
 * left, label by label. */
#define VOUCH_SPF_DOMAIN_MAX 253

/* Queries one check_host() may make in all: 10 terms, each up to 1 + 10
 * lookups (mx, ptr), plus the record queries, %{p} and exp=. The RFC limits
 * stop evaluation well before this; the budget is a second fence. */
#define VOUCH_SPF_QUERY_BUDGET 256

/* Wall-clock cap on one check_host(), milliseconds (§4.6.4 suggests at
 * least 20 seconds for the whole evaluation). */
#define VOUCH_SPF_TIMEOUT_MS 20000

/* Longest expanded macro string (exp= text, expanded domain-specs before
 * §7.3 truncation). A TXT record is at most 64 KiB; expansion may at most
 * multiply it by the length of a macro value. */
#define VOUCH_SPF_EXPAND_MAX 8192

/* Longest explanation kept (§6.2: the exp TXT is one record). */
#define VOUCH_SPF_EXPLANATION_MAX 4096

/* Longest local-part accepted in a MAIL FROM address (RFC 5321 §4.5.3.1.1
 * says 64; we accept more, as MTAs do, but not without bound). */
#define VOUCH_SPF_LOCALPART_MAX 256

/* ---- DMARC (RFC 9989, RFC 7489)
 * ---------------------------------------------------------- */

/* Distinct _dmarc names one evaluation looks up and remembers: the From
 * domain's tree walk (at most 8, RFC 9989 "DNS Tree Walk") plus the walks
 * for authenticated identifiers, which share every name at and above the
 * Organizational Domain. An identifier whose walk needs more is treated
 * as unknown (temperror unless another identifier aligned). */
#define VOUCH_DMARC_MEMO_MAX 40

/* Queries one evaluation may make: the memo above plus the existence
 * check of the Author Domain (np) and slack; a second fence. */
#define VOUCH_DMARC_QUERY_BUDGET 48

/* Wall-clock cap on one evaluation, milliseconds (as for SPF). */
#define VOUCH_DMARC_TIMEOUT_MS 20000

#endif
