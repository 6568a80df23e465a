/* SPDX-License-Identifier: MIT */
/*
 * dmarc/names.c - domain-name helpers for DMARC: normalising the From and
 * identifier domains, counting labels for the tree walk, and taking the
 * host out of a reporting URI (RFC 9989 "External Report Addresses").
 *
 * Names are compared as DNS does (RFC 4343: ASCII case-insensitive), so
 * they are lower-cased once here and compared bytewise afterwards.
 */
#include <string.h>

#include "dmarc_internal.h"

/* see dmarc_internal.h */
int
vouch__dmarc_name_norm(char out[DMARC_NAME_BUF], const char *name, size_t len)
{
    size_t i, label = 0;

    if (len > 0 && name[len - 1] == '.') {
        len--;
    }
    if (len == 0 || len > VOUCH_DNS_NAME_MAX) {
        return VOUCH_ESYNTAX;
    }
    for (i = 0; i < len; i++) {
        char c = name[i];

        if (c == '.') {
            if (label == 0) {
                return VOUCH_ESYNTAX;
            }
            label = 0;
        } else if (!vouch__is_vchar(c) || ++label > VOUCH_DNS_LABEL_MAX) {
            return VOUCH_ESYNTAX;
        }
        out[i] = vouch__lower(c);
    }
    if (label == 0) {
        return VOUCH_ESYNTAX;
    }
    out[len] = '\0';
    return 0;
}

/* see dmarc_internal.h */
unsigned
vouch__dmarc_labels(const char *name)
{
    unsigned n = 1;

    for (; *name != '\0'; name++) {
        n += *name == '.';
    }
    return n;
}

/* see dmarc_internal.h */
bool
vouch__dmarc_under(const char *a, const char *b)
{
    size_t al = strlen(a), bl = strlen(b);

    if (al < bl || memcmp(a + al - bl, b, bl) != 0) {
        return false;
    }
    return al == bl || a[al - bl - 1] == '.';
}

/* see dmarc_internal.h */
int
vouch__dmarc_uri_host(char out[DMARC_NAME_BUF], const char *uri, size_t len)
{
    const char *p = uri, *e = uri + len, *bang, *colon;

    bang = memchr(p, '!', len);
    if (bang != NULL) {
        e = bang;
    }
    colon = memchr(p, ':', (size_t)(e - p));
    if (colon == NULL) {
        return VOUCH_ESYNTAX;
    }
    if (vouch__str_ieq(p, (size_t)(colon - p), "mailto", 6)) {
        const char *q = memchr(colon, '?', (size_t)(e - colon));
        const char *at = NULL, *s;

        if (q != NULL) {
            e = q;
        }
        for (s = colon + 1; s < e; s++) {
            if (*s == '@') {
                at = s;
            }
        }
        if (at == NULL) {
            return VOUCH_ESYNTAX;
        }
        p = at + 1;
    } else {
        const char *s, *h;

        if ((size_t)(e - colon) < 3 || colon[1] != '/' || colon[2] != '/') {
            return VOUCH_ESYNTAX;
        }
        h = colon + 3;
        for (s = h; s < e && *s != '/' && *s != '?' && *s != '#'; s++) {
            if (*s == '@') {
                h = s + 1;
            }
        }
        e = s;
        p = h;
        s = memchr(p, ':', (size_t)(e - p));
        if (s != NULL) {
            e = s;
        }
    }
    return vouch__dmarc_name_norm(out, p, (size_t)(e - p));
}
