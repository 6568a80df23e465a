/* SPDX-License-Identifier: MIT */
/*
 * core/ip.c - IP addresses in text form. The C library's inet_pton does the
 * parsing; this file only guarantees it sees a bounded, NUL-terminated
 * copy and refuses what inet_pton would not see coming (zone ids,
 * brackets, embedded NULs).
 */
#include <arpa/inet.h>
#include <string.h>

#include "internal.h"

int
vouch_ip_parse(vouch_ip_t *out, const char *text, size_t len)
{
    char tmp[VOUCH_IP_STRLEN];
    size_t i;
    bool colon = false;

    memset(out, 0, sizeof(*out));
    if (len == 0 || len >= sizeof(tmp)) {
        return VOUCH_ESYNTAX;
    }
    for (i = 0; i < len; i++) {
        char c = text[i];

        if (c == ':') {
            colon = true;
        } else if (!vouch__is_hex(c) && c != '.') {
            return VOUCH_ESYNTAX; /* '%' zone ids, '/', '[', spaces, NUL */
        }
    }
    memcpy(tmp, text, len);
    tmp[len] = '\0';
    if (colon) {
        if (inet_pton(AF_INET6, tmp, out->addr) != 1) {
            return VOUCH_ESYNTAX;
        }
        out->family = 6;
        return 0;
    }
    if (inet_pton(AF_INET, tmp, out->addr) != 1) {
        return VOUCH_ESYNTAX;
    }
    out->family = 4;
    return 0;
}

int
vouch_ip_unmap(vouch_ip_t *ip)
{
    static const uint8_t prefix[12] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
    };

    if (ip->family != 6 || memcmp(ip->addr, prefix, sizeof(prefix)) != 0) {
        return 0;
    }
    memmove(ip->addr, ip->addr + 12, 4);
    memset(ip->addr + 4, 0, 12);
    ip->family = 4;
    return 1;
}

const char *
vouch_ip_format(const vouch_ip_t *ip, char out[VOUCH_IP_STRLEN])
{
    if (inet_ntop(ip->family == 6 ? AF_INET6 : AF_INET, ip->addr, out,
                  VOUCH_IP_STRLEN) == NULL) {
        out[0] = '\0';
    }
    return out;
}
