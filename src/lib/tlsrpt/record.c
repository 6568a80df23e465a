/* SPDX-License-Identifier: MIT */
/*
 * tlsrpt/record.c - the TLS-RPT record parser (RFC 8460 §3) and its rua
 * URI checks (RFC 3986 generic syntax, RFC 6068 mailto, RFC 8460 §3
 * "mailto:" or "https:" only).
 *
 * The record is scanned by hand: "v=TLSRPTv1" first (case-sensitive, §3
 * selects records by that prefix), fields split on ";" with optional
 * whitespace, rua= once, extensions validated and kept. A URI list ends at
 * ";" or the end; its URIs are separated by "," with optional whitespace
 * (a literal "," or ";" inside a URI must be %-encoded, as §3 says).
 *
 * Invariants: nothing is allocated; all views point into the input; every
 * loop advances within [txt, txt+len).
 */
#include <stdio.h>
#include <string.h>

#include "vouch/dns.h"
#include "vouch/tlsrpt.h"
#include "../mtasts/mtasts_internal.h"

#define MOD "tlsrpt"

static bool
is_unreserved(int c)
{
    return vouch__is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* c is one of the characters of set (never the NUL byte) */
static bool
in_set(int c, const char *set)
{
    return c != 0 && strchr(set, c) != NULL;
}

static bool
is_sub_delim(int c)
{
    return in_set(c, "!$&'()*+,;=");
}

/* Length of a valid "%HH" at p (3), or 0. */
static size_t
pct_len(const char *p, const char *end)
{
    return end - p >= 3 && p[0] == '%' && vouch__is_hex(p[1]) &&
                   vouch__is_hex(p[2])
               ? 3
               : 0;
}

static int
bad(vouch_error_t *err, size_t base, const char *uri, const char *at,
    const char *what)
{
    return vouch__error(err, VOUCH_ESYNTAX, MOD, base + (size_t)(at - uri),
                        "rua URI: %s", what);
}

/* mailto:local@domain[?hfields] (RFC 6068 §2, one address) */
static int
check_mailto(vouch_tlsrpt_uri_t *out, const char *uri, const char *p,
             const char *end, size_t base, vouch_error_t *err)
{
    const char *local = p, *at, *dom, *dom_end;
    size_t off = 0;
    const char *why = NULL;

    while (p < end && *p != '@') {
        size_t n = pct_len(p, end);

        if (n == 0 && *p == '%') {
            return bad(err, base, uri, p, "bad %-escape in the local-part");
        }
        if (n == 0 && !vouch__is_alnum(*p) &&
            !in_set(*p, "!$&'*+-/=^_`{|}~.")) {
            return bad(err, base, uri, p,
                       "character not allowed in a mailto: local-part");
        }
        p += n > 0 ? n : 1;
    }
    if (p == local) {
        return bad(err, base, uri, p, "mailto: without a local-part");
    }
    if (p == end) {
        return bad(err, base, uri, local, "mailto: address without '@'");
    }
    if (local[0] == '.' || p[-1] == '.' ||
        memmem(local, (size_t)(p - local), "..", 2) != NULL) {
        return bad(err, base, uri, local,
                   "mailto: local-part with a misplaced '.'");
    }
    at = p;
    dom = at + 1;
    dom_end = dom;
    while (dom_end < end && *dom_end != '?') {
        dom_end++;
    }
    if (!vouch__ldh_domain_check(dom, (size_t)(dom_end - dom), &off, &why)) {
        char msg[128];

        (void)snprintf(msg, sizeof(msg), "mailto: domain: %s", why);
        return bad(err, base, uri, dom + off, msg);
    }
    for (p = dom_end; p < end;) {
        size_t n = pct_len(p, end);

        if (n == 0 && !is_unreserved(*p) && !is_sub_delim(*p) &&
            !in_set(*p, ":@/?")) {
            return bad(err, base, uri, p,
                       "character not allowed in mailto: header fields");
        }
        p += n > 0 ? n : 1;
    }
    out->scheme = VOUCH_TLSRPT_MAILTO;
    out->host.ptr = dom;
    out->host.len = (size_t)(dom_end - dom);
    return 0;
}

/* https://host[:port][/path][?query] (RFC 3986 §3) */
static int
check_https(vouch_tlsrpt_uri_t *out, const char *uri, const char *p,
            const char *end, size_t base, vouch_error_t *err)
{
    const char *auth = p, *auth_end, *host, *host_end, *q;
    vouch_ip_t ip;

    auth_end = auth;
    while (auth_end < end && *auth_end != '/' && *auth_end != '?' &&
           *auth_end != '#') {
        auth_end++;
    }
    if (memchr(auth, '@', (size_t)(auth_end - auth)) != NULL) {
        return bad(err, base, uri, auth,
                   "https: URI with user information before '@'");
    }
    host = auth;
    if (host < auth_end && *host == '[') {
        host_end = memchr(host, ']', (size_t)(auth_end - host));
        if (host_end == NULL ||
            vouch_ip_parse(&ip, host + 1, (size_t)(host_end - host - 1)) != 0 ||
            ip.family != 6) {
            return bad(err, base, uri, host, "bad IPv6 literal host");
        }
        host_end++;
    } else {
        size_t off = 0;
        const char *why = NULL;

        host_end = host;
        while (host_end < auth_end && *host_end != ':') {
            host_end++;
        }
        if (host_end == host) {
            return bad(err, base, uri, host, "https: URI without a host");
        }
        if (vouch_ip_parse(&ip, host, (size_t)(host_end - host)) != 0 &&
            !vouch__ldh_domain_check(host, (size_t)(host_end - host), &off,
                                     &why)) {
            char msg[128];

            (void)snprintf(msg, sizeof(msg), "https: host: %s", why);
            return bad(err, base, uri, host + off, msg);
        }
    }
    if (host_end < auth_end) {
        const char *port = host_end + 1;
        uint64_t v = 0;

        if (*host_end != ':' ||
            vouch__parse_uint(&port, auth_end, 65535, &v) != 0 ||
            port != auth_end || v == 0) {
            return bad(err, base, uri, host_end, "bad port (1-65535)");
        }
    }
    for (q = auth_end; q < end;) {
        size_t n = pct_len(q, end);

        if (*q == '#') {
            return bad(err, base, uri, q, "https: URI with a fragment");
        }
        if (n == 0 && !is_unreserved(*q) && !is_sub_delim(*q) &&
            !in_set(*q, ":@/?")) {
            return bad(err, base, uri, q,
                       *q == '%' ? "bad %-escape"
                                 : "character not allowed in a URI path or "
                                   "query");
        }
        q += n > 0 ? n : 1;
    }
    out->scheme = VOUCH_TLSRPT_HTTPS;
    out->host.ptr = host;
    out->host.len = (size_t)(host_end - host);
    return 0;
}

static int
uri_check(vouch_tlsrpt_uri_t *out, const char *uri, size_t len, size_t base,
          vouch_error_t *err)
{
    const char *end = uri + len;

    memset(out, 0, sizeof(*out));
    if (len == 0) {
        return vouch__error(err, VOUCH_ESYNTAX, MOD, base, "empty rua URI");
    }
    if (len > VOUCH_TLSRPT_URI_MAX) {
        return vouch__error(err, VOUCH_ETOOBIG, MOD, base,
                            "rua URI longer than %d bytes",
                            VOUCH_TLSRPT_URI_MAX);
    }
    out->uri.ptr = uri;
    out->uri.len = len;
    out->offset = base;
    if (vouch__str_iprefix(uri, len, "mailto:")) {
        return check_mailto(out, uri, uri + 7, end, base, err);
    }
    if (vouch__str_iprefix(uri, len, "https://")) {
        return check_https(out, uri, uri + 8, end, base, err);
    }
    return vouch__error(err, VOUCH_ESYNTAX, MOD, base,
                        "rua URI must be mailto: or https:// (RFC 8460 §3)");
}

/* see vouch/tlsrpt.h */
int
vouch_tlsrpt_uri_check(vouch_tlsrpt_uri_t *out, const char *uri, size_t len,
                       vouch_error_t *err)
{
    if (out == NULL || (uri == NULL && len > 0)) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0, "no URI or output");
    }
    return uri_check(out, uri, len, 0, err);
}

static const char *
skip_wsp(const char *p, const char *end)
{
    while (p < end && vouch__is_space(*p)) {
        p++;
    }
    return p;
}

/* rua=URI *(*WSP "," *WSP URI); p after "="; returns where it stopped */
static int
parse_rua(vouch_tlsrpt_record_t *out, const char *txt, const char **pp,
          const char *end, vouch_error_t *err)
{
    const char *p = *pp;
    int rc;

    for (;;) {
        const char *u = p;

        while (p < end && *p != ',' && *p != ';' && !vouch__is_space(*p)) {
            p++;
        }
        if (out->nrua == VOUCH_TLSRPT_RUA_MAX) {
            return vouch__error(err, VOUCH_ETOOBIG, MOD, (size_t)(u - txt),
                                "more than %d rua URIs", VOUCH_TLSRPT_RUA_MAX);
        }
        rc = uri_check(&out->rua[out->nrua], u, (size_t)(p - u),
                       (size_t)(u - txt), err);
        if (rc != 0) {
            return rc;
        }
        out->nrua++;
        p = skip_wsp(p, end);
        if (p == end || *p != ',') {
            break;
        }
        p = skip_wsp(p + 1, end);
    }
    *pp = p;
    return 0;
}

static int
field(vouch_tlsrpt_record_t *out, const char *txt, const char **p,
      const char *end, vouch_str_t name, vouch_error_t *err)
{
    vouch_str_t v;
    int rc;

    if (name.len == 3 && memcmp(name.ptr, "rua", 3) == 0) {
        if (out->nrua > 0) {
            return vouch__error(err, VOUCH_ESYNTAX, MOD,
                                (size_t)(name.ptr - txt), "rua given twice");
        }
        return parse_rua(out, txt, p, end, err);
    }
    v = vouch__sts_value(p, end);
    rc = vouch__sts_ext_check(txt, name, v, MOD, err);
    if (rc != 0) {
        return rc;
    }
    if (out->next == VOUCH_TLSRPT_EXT_MAX) {
        return vouch__error(err, VOUCH_ETOOBIG, MOD, (size_t)(name.ptr - txt),
                            "more than %d extensions", VOUCH_TLSRPT_EXT_MAX);
    }
    out->ext[out->next].name = name;
    out->ext[out->next].value = v;
    out->next++;
    return 0;
}

/* see vouch/tlsrpt.h */
int
vouch_tlsrpt_record_parse(vouch_tlsrpt_record_t *out, const char *txt,
                          size_t len, vouch_error_t *err)
{
    static const char version[] = "v=TLSRPTv1";
    const char *p, *end;
    vouch_str_t name;
    int rc;

    if (out == NULL || (txt == NULL && len > 0)) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0, "no record or output");
    }
    memset(out, 0, sizeof(*out));
    if (len < sizeof(version) - 1 ||
        memcmp(txt, version, sizeof(version) - 1) != 0) {
        return vouch__error(err, VOUCH_ESYNTAX, MOD, 0,
                            "record does not start with \"v=TLSRPTv1\"");
    }
    p = txt + sizeof(version) - 1;
    end = txt + len;
    if (p < end && *p != ';' && !vouch__is_space(*p)) {
        return vouch__error(err, VOUCH_ESYNTAX, MOD, 2,
                            "unsupported version (only TLSRPTv1)");
    }
    while ((rc = vouch__sts_field(txt, &p, end, &name, MOD, err)) == 1) {
        rc = field(out, txt, &p, end, name, err);
        if (rc != 0) {
            break;
        }
    }
    if (rc == 0 && out->nrua == 0) {
        rc = vouch__error(err, VOUCH_ESYNTAX, MOD, len,
                          "missing rua= (RFC 8460 §3: required)");
    }
    if (rc != 0) {
        memset(out, 0, sizeof(*out));
    }
    return rc;
}

/* §3: "v=TLSRPTv1" then ';', WSP or the end ("v=TLSRPTv10" is not) */
static bool
starts_record(const char *p, size_t len)
{
    return len >= 10 && memcmp(p, "v=TLSRPTv1", 10) == 0 &&
           (len == 10 || p[10] == ';' || vouch__is_space(p[10]));
}

/* see vouch/tlsrpt.h */
int
vouch_tlsrpt_record_find(vouch_tlsrpt_record_t *out,
                         const vouch_dns_answer_t *answer, size_t *nrecords,
                         vouch_error_t *err)
{
    const vouch_dns_rr_t *pick = NULL;
    size_t i, n = 0;

    if (out == NULL || answer == NULL) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0, "no answer or output");
    }
    memset(out, 0, sizeof(*out));
    if (nrecords != NULL) {
        *nrecords = 0;
    }
    if (answer->status != VOUCH_DNS_NOERROR) {
        return vouch__error(err, VOUCH_ENOTFOUND, MOD, 0, "no TXT record (%s)",
                            vouch_dns_status_name(answer->status));
    }
    for (i = 0; i < answer->n; i++) {
        if (answer->rr[i].type == VOUCH_DNS_TXT &&
            starts_record(answer->rr[i].data, answer->rr[i].len)) {
            n++;
            pick = &answer->rr[i];
        }
    }
    if (nrecords != NULL) {
        *nrecords = n;
    }
    if (n != 1) {
        return vouch__error(err, VOUCH_ENOTFOUND, MOD, 0,
                            "%zu TXT records start \"v=TLSRPTv1\"; RFC 8460 "
                            "§3 needs exactly one",
                            n);
    }
    return vouch_tlsrpt_record_parse(out, pick->data, pick->len, err);
}
