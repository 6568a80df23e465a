/* SPDX-License-Identifier: MIT */
/*
 * spf/record.c - SPF record syntax (RFC 7208 §4.5, §4.6.1, §5, §6, §12).
 *
 * A cursor walks the terms of a record without allocating: each term is
 * checked against the ABNF of §12 (mechanism names, qualifiers, CIDR
 * lengths without leading zeros, addresses, macro-string and domain-end
 * syntax, modifier names) and returned as views into the record. The
 * evaluator checks the whole record first (§4.6: any syntax error anywhere
 * is a permerror before anything is evaluated), then walks it again to
 * evaluate; the audit uses the same cursor.
 *
 * Terms are separated by spaces (0x20) only; any other byte outside
 * visible ASCII is a syntax error (§3.1 restricts records to 7-bit ASCII).
 */
#include <string.h>

#include "spf_internal.h"

static const struct {
    const char *name;
    size_t len;
    vouch_spf_term_kind_t kind;
} mechanisms[] = {
    { "all", 3, VOUCH_SPF_TERM_ALL }, { "include", 7, VOUCH_SPF_TERM_INCLUDE },
    { "a", 1, VOUCH_SPF_TERM_A },     { "mx", 2, VOUCH_SPF_TERM_MX },
    { "ptr", 3, VOUCH_SPF_TERM_PTR }, { "ip4", 3, VOUCH_SPF_TERM_IP4 },
    { "ip6", 3, VOUCH_SPF_TERM_IP6 }, { "exists", 6, VOUCH_SPF_TERM_EXISTS },
};

bool
vouch_spf_is_record(const char *txt, size_t len)
{
    /* §4.5: exactly "v=spf1" followed by a space or the end */
    return vouch__str_iprefix(txt, len, "v=spf1") &&
           (len == 6 || txt[6] == ' ');
}

void
vouch_spf_cursor_init(vouch_spf_cursor_t *cur, const char *record, size_t len)
{
    cur->start = record;
    cur->end = record + len;
    cur->pos = record + (len >= 6 ? 6 : len);
}

/* Fill err for a bad term and return VOUCH_ESYNTAX. */
static int
bad_term(vouch_error_t *err, const vouch_spf_term_t *t, const char *why)
{
    char shown[96];

    vouch__escape_into(shown, sizeof(shown), t->text.ptr, t->text.len);
    return vouch__error(err, VOUCH_ESYNTAX, "spf", t->offset,
                        "bad term '%s' at offset %zu: %s", shown, t->offset,
                        why);
}

/* name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
static size_t
name_len(const char *p, const char *end)
{
    const char *q = p;

    if (q >= end || !vouch__is_alpha(*q)) {
        return 0;
    }
    q++;
    while (q < end &&
           (vouch__is_alnum(*q) || *q == '-' || *q == '_' || *q == '.')) {
        q++;
    }
    return (size_t)(q - p);
}

/*
 * Does arg[0..len) end in "/N" (N decimal, no leading zero, at most max)?
 * Then store N, and the offset of the '/' in *slash.
 */
static bool
cidr_suffix(const char *arg, size_t len, unsigned max, unsigned *out,
            size_t *slash)
{
    size_t i = len;
    const char *p;
    uint64_t v;

    while (i > 0 && vouch__is_digit(arg[i - 1])) {
        i--;
    }
    if (i == len || i == 0 || arg[i - 1] != '/') {
        return false;
    }
    if (arg[i] == '0' && len - i > 1) {
        return false; /* §12: no leading zeros */
    }
    p = arg + i;
    if (vouch__parse_uint(&p, arg + len, max, &v) != 0) {
        return false;
    }
    *out = (unsigned)v;
    *slash = i - 1;
    return true;
}

/*
 * Split off the CIDR lengths of a, mx (dual-cidr-length: [/N4][//N6]), ip4
 * (/N4) or ip6 (/N6), read from the right because a macro in a domain-spec
 * may use '/' as a delimiter. *len shrinks to what precedes them. Any '/'
 * left in an address, or a bad length, is caught by the caller's checks.
 */
static int
split_cidr(vouch_spf_term_t *t, const char *arg, size_t *len)
{
    size_t slash;
    unsigned v;

    switch (t->kind) {
    case VOUCH_SPF_TERM_IP4:
        if (cidr_suffix(arg, *len, 32, &v, &slash)) {
            t->cidr4 = v;
            *len = slash;
        }
        break;
    case VOUCH_SPF_TERM_IP6:
        if (cidr_suffix(arg, *len, 128, &v, &slash)) {
            t->cidr6 = v;
            *len = slash;
        }
        break;
    default:
        if (cidr_suffix(arg, *len, 128, &v, &slash) && slash > 0 &&
            arg[slash - 1] == '/') {
            t->cidr6 = v;
            *len = slash - 1;
        }
        if (cidr_suffix(arg, *len, 32, &v, &slash)) {
            t->cidr4 = v;
            *len = slash;
        }
        break;
    }
    return memchr(arg, '/', *len) != NULL && t->kind != VOUCH_SPF_TERM_A &&
                   t->kind != VOUCH_SPF_TERM_MX
               ? VOUCH_ESYNTAX
               : 0;
}

/* Check a domain-spec (macro-string + domain-end) for term t. */
static int
check_domain_spec(vouch_error_t *err, const vouch_spf_term_t *t, const char *s,
                  size_t len)
{
    size_t bad;

    if (len == 0) {
        return bad_term(err, t, "empty domain-spec");
    }
    if (vouch__spf_macro_check(s, len, SPF_MACRO_DOMAIN, &bad) != 0) {
        return bad_term(err, t, "invalid macro-string");
    }
    if (!vouch__spf_domain_end_ok(s, len)) {
        return bad_term(err, t,
                        "domain-spec must end in a top-level "
                        "label or a macro");
    }
    return 0;
}

static int
parse_ip_arg(vouch_error_t *err, vouch_spf_term_t *t, const char *arg,
             size_t len)
{
    bool v6 = t->kind == VOUCH_SPF_TERM_IP6;

    if (split_cidr(t, arg, &len) != 0) {
        return bad_term(err, t, "invalid CIDR length");
    }
    if (vouch_ip_parse(&t->ip, arg, len) != 0 || t->ip.family != (v6 ? 6 : 4)) {
        return bad_term(err, t,
                        v6 ? "invalid IPv6 address" : "invalid IPv4 address");
    }
    t->domain_spec.ptr = arg;
    t->domain_spec.len = len;
    return 0;
}

/* Parse the part of a mechanism after its name (p points at ':', '/' or
 * the end). */
static int
parse_mechanism_arg(vouch_error_t *err, vouch_spf_term_t *t, const char *p,
                    const char *end)
{
    const char *arg = p;
    size_t len;
    bool has_colon = p < end && *p == ':';
    bool dual = t->kind == VOUCH_SPF_TERM_A || t->kind == VOUCH_SPF_TERM_MX;

    if (has_colon) {
        arg++;
    }
    len = (size_t)(end - arg);
    switch (t->kind) {
    case VOUCH_SPF_TERM_ALL:
        return p == end ? 0 : bad_term(err, t, "'all' takes no argument");
    case VOUCH_SPF_TERM_IP4:
    case VOUCH_SPF_TERM_IP6:
        if (!has_colon) {
            return bad_term(err, t, "missing ':' and address");
        }
        return parse_ip_arg(err, t, arg, len);
    case VOUCH_SPF_TERM_INCLUDE:
    case VOUCH_SPF_TERM_EXISTS:
        if (!has_colon) {
            return bad_term(err, t, "missing ':' and domain");
        }
        t->domain_spec.ptr = arg;
        t->domain_spec.len = len;
        return check_domain_spec(err, t, arg, len);
    default:
        break;
    }
    /* a, mx, ptr: [ ":" domain-spec ] (and a dual-cidr-length for a, mx) */
    if (!has_colon && p < end && (*p != '/' || !dual)) {
        return bad_term(err, t, "unexpected text after mechanism name");
    }
    if (dual && split_cidr(t, arg, &len) != 0) {
        return bad_term(err, t, "invalid CIDR length");
    }
    if (!has_colon) {
        return len == 0 ? 0 : bad_term(err, t, "invalid CIDR length");
    }
    t->domain_spec.ptr = arg;
    t->domain_spec.len = len;
    return check_domain_spec(err, t, arg, len);
}

static int
parse_modifier(vouch_error_t *err, vouch_spf_term_t *t, const char *value,
               const char *end)
{
    size_t len = (size_t)(end - value), bad;

    t->domain_spec.ptr = value;
    t->domain_spec.len = len;
    if (vouch__str_ieq(t->name.ptr, t->name.len, "redirect", 8)) {
        t->kind = VOUCH_SPF_TERM_REDIRECT;
        return check_domain_spec(err, t, value, len);
    }
    if (vouch__str_ieq(t->name.ptr, t->name.len, "exp", 3)) {
        t->kind = VOUCH_SPF_TERM_EXP;
        return check_domain_spec(err, t, value, len);
    }
    t->kind = VOUCH_SPF_TERM_UNKNOWN_MODIFIER;
    if (vouch__spf_macro_check(value, len, SPF_MACRO_MODIFIER, &bad) != 0) {
        return bad_term(err, t, "invalid macro-string in modifier value");
    }
    return 0;
}

int
vouch_spf_cursor_next(vouch_spf_cursor_t *cur, vouch_spf_term_t *t,
                      vouch_error_t *err)
{
    const char *p = cur->pos, *end = cur->end, *q, *tend;
    size_t nlen, i;

    while (p < end && *p == ' ') {
        p++;
    }
    if (p == end) {
        cur->pos = p;
        return 0;
    }
    for (tend = p; tend < end && *tend != ' '; tend++) {
    }
    memset(t, 0, sizeof(*t));
    t->text.ptr = p;
    t->text.len = (size_t)(tend - p);
    t->offset = (size_t)(p - cur->start);
    t->qualifier = '+';
    t->cidr4 = 32;
    t->cidr6 = 128;
    cur->pos = tend;
    for (q = p; q < tend; q++) {
        if (!vouch__is_vchar(*q)) {
            return bad_term(err, t, "character outside visible ASCII");
        }
    }
    q = p;
    if (*q == '+' || *q == '-' || *q == '~' || *q == '?') {
        t->qualifier = *q++;
    }
    nlen = name_len(q, tend);
    t->name.ptr = q;
    t->name.len = nlen;
    if (nlen > 0 && q + nlen < tend && q[nlen] == '=' && q == p) {
        return parse_modifier(err, t, q + nlen + 1, tend) == 0 ? 1
                                                               : VOUCH_ESYNTAX;
    }
    /* a mechanism name is letters and digits only: stop at ':' or '/' */
    for (nlen = 0; q + nlen < tend && vouch__is_alnum(q[nlen]); nlen++) {
    }
    t->name.len = nlen;
    for (i = 0; i < VOUCH_ARRAY_LEN(mechanisms); i++) {
        if (nlen == mechanisms[i].len &&
            vouch__str_ieq(q, nlen, mechanisms[i].name, nlen)) {
            t->kind = mechanisms[i].kind;
            return parse_mechanism_arg(err, t, q + nlen, tend) == 0
                       ? 1
                       : VOUCH_ESYNTAX;
        }
    }
    return bad_term(err, t, "unknown mechanism");
}

int
vouch_spf_check_record(const char *record, size_t len, vouch_error_t *err)
{
    vouch_spf_cursor_t cur;
    vouch_spf_term_t t;
    bool redirect = false, exp = false;
    int rc;

    if (!vouch_spf_is_record(record, len)) {
        return vouch__error(err, VOUCH_ESYNTAX, "spf", 0,
                            "not an SPF record (must start with v=spf1)");
    }
    vouch_spf_cursor_init(&cur, record, len);
    while ((rc = vouch_spf_cursor_next(&cur, &t, err)) == 1) {
        bool *seen = t.kind == VOUCH_SPF_TERM_REDIRECT ? &redirect
                     : t.kind == VOUCH_SPF_TERM_EXP    ? &exp
                                                       : NULL;

        if (seen == NULL) {
            continue;
        }
        if (*seen) {
            /* §6: redirect and exp appear at most once each */
            return bad_term(err, &t, "modifier given twice");
        }
        *seen = true;
    }
    return rc;
}
