/* SPDX-License-Identifier: MIT */
/*
 * dns/wire.c - reading a DNS response (RFC 1035 §4.1) as libunbound's
 * event API hands it over: the answer records of the asked type, each
 * rdata as the zone holds it (domain names inside it uncompressed, as
 * ub_result gives them), and how long the answer may be cached.
 *
 * Every offset is checked against the packet before it is read. A
 * compression pointer must point before itself (RFC 1035 §4.1.4: to a
 * prior occurrence) and a name is at most 255 bytes, so following
 * pointers always ends.
 */
#include <string.h>

#include "dns_internal.h"

#define HEADER_LEN    12
#define RR_FIXED_LEN  10 /* type, class, TTL, rdata length */
#define WIRE_NAME_MAX 255
#define CLASS_IN      1
#define SOA_TAIL_LEN  20 /* serial, refresh, retry, expire, minimum */

static uint16_t
get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

/* Move *pos past the (possibly compressed) name there. */
static int
skip_name(const uint8_t *pkt, size_t len, size_t *pos)
{
    size_t i = *pos;

    for (;;) {
        uint8_t c;

        if (i >= len) {
            return VOUCH_ESYNTAX;
        }
        c = pkt[i];
        if (c == 0) {
            *pos = i + 1;
            return 0;
        }
        if ((c & 0xc0) == 0xc0) {
            if (len - i < 2) {
                return VOUCH_ESYNTAX;
            }
            *pos = i + 2;
            return 0;
        }
        if (c > VOUCH_DNS_LABEL_MAX) {
            return VOUCH_ESYNTAX; /* label types 01 and 10 are not in use */
        }
        i += 1 + (size_t)c;
    }
}

/* Append the name at pkt[*pos], uncompressed, to out[*o..cap); *pos moves
 * past the name as it is written in place (the pointer ends it). */
static int
unpack_name(const uint8_t *pkt, size_t len, size_t *pos, uint8_t *out,
            size_t *o, size_t cap)
{
    size_t i = *pos, end = 0, wrote = 0;
    bool jumped = false;

    for (;;) {
        uint8_t c;

        if (i >= len) {
            return VOUCH_ESYNTAX;
        }
        c = pkt[i];
        if ((c & 0xc0) == 0xc0) {
            size_t target;

            if (len - i < 2) {
                return VOUCH_ESYNTAX;
            }
            target = (size_t)(c & 0x3f) << 8 | pkt[i + 1];
            if (target >= i) {
                return VOUCH_ESYNTAX; /* not a prior occurrence */
            }
            if (!jumped) {
                end = i + 2;
                jumped = true;
            }
            i = target;
            continue;
        }
        if (c > VOUCH_DNS_LABEL_MAX || (size_t)c >= len - i ||
            wrote + 1 + c > WIRE_NAME_MAX || *o + 1 + c > cap) {
            return VOUCH_ESYNTAX;
        }
        memcpy(out + *o, pkt + i, 1 + (size_t)c);
        *o += 1 + (size_t)c;
        wrote += 1 + (size_t)c;
        i += 1 + (size_t)c;
        if (c == 0) {
            break;
        }
    }
    *pos = jumped ? end : i;
    return 0;
}

/* How many domain names lead the rdata of type (which RFC 3597 §4 lets a
 * server compress), and the fixed bytes in front of them. */
static unsigned
rdata_names(uint16_t type, size_t *lead)
{
    *lead = 0;
    switch (type) {
    case VOUCH_DNS_MX:
        *lead = 2;
        return 1;
    case VOUCH_DNS_CNAME:
    case VOUCH_DNS_NS:
    case VOUCH_DNS_PTR:
        return 1;
    case VOUCH_DNS_SOA:
        return 2;
    default:
        return 0;
    }
}

/* Copy the rdata at pkt[at..at+rdlen) into w->buf with its names
 * uncompressed; it must end exactly where the record says. */
static int
copy_rdata(vouch__dns_wire_t *w, const uint8_t *pkt, uint16_t type, size_t at,
           size_t rdlen)
{
    size_t lead, pos = at, start = w->used, tail = 0;
    unsigned names = rdata_names(type, &lead), k;

    if (names == 0) {
        w->rr[w->n].data = pkt + at;
        w->rr[w->n].len = rdlen;
        return 0;
    }
    if (type == VOUCH_DNS_SOA) {
        tail = SOA_TAIL_LEN;
    }
    if (rdlen < lead || w->cap - w->used < lead) {
        return VOUCH_ESYNTAX;
    }
    memcpy(w->buf + w->used, pkt + pos, lead);
    w->used += lead;
    pos += lead;
    for (k = 0; k < names; k++) {
        if (unpack_name(pkt, at + rdlen, &pos, w->buf, &w->used, w->cap) != 0) {
            return VOUCH_ESYNTAX;
        }
    }
    if (at + rdlen - pos != tail || w->cap - w->used < tail) {
        return VOUCH_ESYNTAX;
    }
    memcpy(w->buf + w->used, pkt + pos, tail);
    w->used += tail;
    w->rr[w->n].data = w->buf + start;
    w->rr[w->n].len = w->used - start;
    return 0;
}

/* The negative-caching TTL of a response without records (RFC 2308 §5):
 * the authority section's SOA, the smaller of its TTL and MINIMUM. */
static uint32_t
negative_ttl(const uint8_t *pkt, size_t len, size_t pos, unsigned nscount)
{
    unsigned k;

    for (k = 0; k < nscount; k++) {
        uint16_t type;
        uint32_t ttl, min;
        size_t rdlen;

        if (skip_name(pkt, len, &pos) != 0 || len - pos < RR_FIXED_LEN) {
            return 0;
        }
        type = get16(pkt + pos);
        ttl = get32(pkt + pos + 4);
        rdlen = get16(pkt + pos + 8);
        pos += RR_FIXED_LEN;
        if (rdlen > len - pos) {
            return 0;
        }
        if (type == VOUCH_DNS_SOA && rdlen >= 2 + SOA_TAIL_LEN) {
            min = get32(pkt + pos + rdlen - 4);
            return ttl < min ? ttl : min;
        }
        pos += rdlen;
    }
    return 0;
}

int
vouch__dns_wire_parse(vouch__dns_wire_t *w, const vouch_ctx_t *ctx,
                      const uint8_t *pkt, size_t len, uint16_t qtype)
{
    size_t pos = HEADER_LEN, most;
    unsigned qdcount, ancount, nscount, k;
    uint32_t ttl = UINT32_MAX;
    int rc;

    memset(w, 0, sizeof(*w));
    w->ctx = ctx;
    if (len < HEADER_LEN) {
        return VOUCH_ESYNTAX;
    }
    w->rcode = pkt[3] & 0x0f;
    qdcount = get16(pkt + 4);
    ancount = get16(pkt + 6);
    nscount = get16(pkt + 8);
    for (k = 0; k < qdcount; k++) {
        if (skip_name(pkt, len, &pos) != 0 || len - pos < 4) {
            return VOUCH_ESYNTAX;
        }
        pos += 4;
    }
    /* each record takes at least a root name and the fixed part */
    most = (len - pos) / (1 + RR_FIXED_LEN);
    if (ancount > most) {
        return VOUCH_ESYNTAX;
    }
    if (ancount > VOUCH_DNS_ANSWER_RR_MAX) {
        return VOUCH_ETOOBIG;
    }
    if (ancount > 0) {
        size_t lead;

        w->rr = vouch__calloc(ctx, ancount, sizeof(*w->rr));
        if (rdata_names(qtype, &lead) > 0) {
            w->cap =
                (size_t)ancount * (lead + 2 * WIRE_NAME_MAX + SOA_TAIL_LEN);
            w->buf = vouch__malloc(ctx, w->cap);
        }
        if (w->rr == NULL || (w->cap > 0 && w->buf == NULL)) {
            vouch__dns_wire_free(w);
            return VOUCH_ENOMEM;
        }
    }
    for (k = 0; k < ancount; k++) {
        uint16_t type, class;
        uint32_t rttl;
        size_t rdlen;

        if (skip_name(pkt, len, &pos) != 0 || len - pos < RR_FIXED_LEN) {
            rc = VOUCH_ESYNTAX;
            goto fail;
        }
        type = get16(pkt + pos);
        class = get16(pkt + pos + 2);
        rttl = get32(pkt + pos + 4);
        rdlen = get16(pkt + pos + 8);
        pos += RR_FIXED_LEN;
        if (rdlen > len - pos) {
            rc = VOUCH_ESYNTAX;
            goto fail;
        }
        if (rttl < ttl) {
            ttl = rttl; /* a CNAME in front expires the answer too */
        }
        if (type == qtype && class == CLASS_IN) {
            if ((rc = copy_rdata(w, pkt, type, pos, rdlen)) != 0) {
                goto fail;
            }
            w->n++;
        }
        pos += rdlen;
    }
    w->ttl = w->n > 0 ? ttl : negative_ttl(pkt, len, pos, nscount);
    return 0;
fail:
    vouch__dns_wire_free(w);
    return rc;
}

void
vouch__dns_wire_free(vouch__dns_wire_t *w)
{
    vouch__free(w->ctx, w->rr);
    vouch__free(w->ctx, w->buf);
    w->rr = NULL;
    w->buf = NULL;
    w->n = 0;
}
