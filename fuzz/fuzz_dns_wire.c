/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_dns_wire.c - the DNS response reader (dns/wire.c) on
 * arbitrary packets, asked for each type whose rdata holds names and for
 * TXT. A parsed answer has at most as many records as the header says;
 * each rdata lies inside the packet or inside the reader's buffer, and in
 * an MX, CNAME, NS or PTR the name after the fixed part is an uncompressed
 * wire name that ends exactly at the end of the rdata (an SOA: two names
 * and 20 bytes).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"
#include "dns/dns_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
within(const uint8_t *p, size_t len, const uint8_t *base, size_t cap)
{
    return base != NULL && p >= base && len <= cap &&
           (size_t)(p - base) <= cap - len;
}

static void
check(const vouch__dns_wire_t *w, const uint8_t *pkt, size_t size,
      uint16_t type)
{
    size_t i;

    if (size >= 8 && w->n > (size_t)(pkt[6] << 8 | pkt[7])) {
        abort();
    }
    for (i = 0; i < w->n; i++) {
        const vouch__dns_rdata_t *rd = &w->rr[i];
        size_t lead = type == VOUCH_DNS_MX ? 2 : 0, tlen, used;
        char text[VOUCH_DNS_NAME_MAX * 4 + 2];

        if (!within(rd->data, rd->len, pkt, size) &&
            !within(rd->data, rd->len, w->buf, w->used)) {
            abort();
        }
        if (type == VOUCH_DNS_TXT) {
            continue;
        }
        if (type == VOUCH_DNS_SOA) {
            /* two names, then the 20 bytes of numbers */
            if (vouch__dns_name_from_wire(text, sizeof(text), &tlen, rd->data,
                                          rd->len, &used) != 0 ||
                vouch__dns_name_from_wire(text, sizeof(text), &tlen,
                                          rd->data + used, rd->len - used,
                                          &lead) != 0 ||
                used + lead + 20 != rd->len) {
                abort();
            }
            continue;
        }
        if (rd->len < lead ||
            vouch__dns_name_from_wire(text, sizeof(text), &tlen,
                                      rd->data + lead, rd->len - lead,
                                      &used) != 0 ||
            lead + used != rd->len) {
            abort();
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint16_t types[] = { VOUCH_DNS_MX,  VOUCH_DNS_CNAME,
                                      VOUCH_DNS_NS,  VOUCH_DNS_PTR,
                                      VOUCH_DNS_SOA, VOUCH_DNS_TXT };
    size_t i;

    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        vouch__dns_wire_t w;
        int rc = vouch__dns_wire_parse(&w, NULL, data, size, types[i]);

        if (rc == 0) {
            check(&w, data, size, types[i]);
            vouch__dns_wire_free(&w);
        } else if (rc != VOUCH_ESYNTAX && rc != VOUCH_ETOOBIG) {
            abort();
        }
    }
    return 0;
}
