/* SPDX-License-Identifier: MIT */
/*
 * spf/macro.c - SPF macros (RFC 7208 §7): syntax of macro-strings and
 * domain-ends, and expansion.
 *
 * Expansion of %{<letter><digits>[r]<delimiters>} (§7.3): take the value
 * of the letter, split it at any of the delimiters (default "."), reverse
 * the parts with "r", keep the rightmost <digits> parts, join them with
 * "."; an upper-case letter URL-escapes the result (§7.3, RFC 3986
 * unreserved characters stay). %% %_ %- are "%", " " and "%20".
 * The letters c, r and t are only allowed in explanations (§7.2).
 *
 * Values are short (a sender is capped by the evaluator), so part
 * boundaries live in a fixed array; a longer value is VOUCH_ETOOBIG, never
 * cut. Expansion appends to a bounded vouch_buf_t.
 */
#include <stdio.h>
#include <string.h>

#include "spf_internal.h"

/* Parts in one macro value (a value has at most len + 1 parts). */
#define MACRO_PARTS_MAX 1024

static bool
is_delimiter(char c)
{
    return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' ||
           c == '_' || c == '=';
}

static bool
is_letter(char c, spf_macro_where_t where)
{
    switch (vouch__lower(c)) {
    case 's':
    case 'l':
    case 'o':
    case 'd':
    case 'i':
    case 'p':
    case 'h':
    case 'v':
        return true;
    case 'c':
    case 'r':
    case 't':
        /* §7.2: only in "exp" text; an unknown modifier is never
         * expanded, so its value is only checked against the grammar */
        return where != SPF_MACRO_DOMAIN;
    default:
        return false;
    }
}

/*
 * Length of the macro-expand at s (s[0] == '%'), or 0 if it is not one.
 * For "%{...}" also returns the letter, digits, reverse flag and the
 * delimiter span through the out parameters (any may be NULL).
 */
static size_t
macro_token(const char *s, size_t len, spf_macro_where_t where, char *letter,
            uint64_t *digits, bool *reverse, vouch_str_t *delims)
{
    size_t i = 2;
    uint64_t n = 0;
    bool have_digits = false;

    if (len < 2) {
        return 0;
    }
    if (s[1] == '%' || s[1] == '_' || s[1] == '-') {
        if (letter != NULL) {
            *letter = s[1];
        }
        return 2;
    }
    if (s[1] != '{' || len < 4 || !is_letter(s[2], where)) {
        return 0;
    }
    i = 3;
    while (i < len && vouch__is_digit(s[i])) {
        have_digits = true;
        /* more parts than any value has means "all": saturate */
        n = n > MACRO_PARTS_MAX ? n : n * 10 + (uint64_t)(s[i] - '0');
        i++;
    }
    if (have_digits && n == 0) {
        return 0; /* §7.3: a DIGIT transformer must be nonzero */
    }
    if (reverse != NULL) {
        *reverse = false;
    }
    if (i < len && vouch__lower(s[i]) == 'r') {
        if (reverse != NULL) {
            *reverse = true;
        }
        i++;
    }
    if (delims != NULL) {
        delims->ptr = s + i;
    }
    while (i < len && is_delimiter(s[i])) {
        i++;
    }
    if (i >= len || s[i] != '}') {
        return 0;
    }
    if (delims != NULL) {
        delims->len = (size_t)(s + i - delims->ptr);
    }
    if (letter != NULL) {
        *letter = s[2];
    }
    if (digits != NULL) {
        *digits = have_digits ? n : 0;
    }
    return i + 1;
}

int
vouch__spf_macro_check(const char *s, size_t len, spf_macro_where_t where,
                       size_t *bad_off)
{
    size_t i = 0;

    while (i < len) {
        char c = s[i];

        if (c == '%') {
            size_t n =
                macro_token(s + i, len - i, where, NULL, NULL, NULL, NULL);

            if (n == 0) {
                *bad_off = i;
                return VOUCH_ESYNTAX;
            }
            i += n;
            continue;
        }
        /* macro-literal = %x21-24 / %x26-7E; explain-string adds SP */
        if (!vouch__is_vchar(c) && !(c == ' ' && where == SPF_MACRO_EXPLAIN)) {
            *bad_off = i;
            return VOUCH_ESYNTAX;
        }
        i++;
    }
    return 0;
}

/* toplabel = ( *alphanum ALPHA *alphanum ) /
 *            ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
static bool
is_toplabel(const char *s, size_t len)
{
    size_t i;
    bool alpha = false, dash = false;

    if (len == 0 || !vouch__is_alnum(s[0]) || !vouch__is_alnum(s[len - 1])) {
        return false;
    }
    for (i = 0; i < len; i++) {
        if (vouch__is_alpha(s[i])) {
            alpha = true;
        } else if (s[i] == '-') {
            dash = true;
        } else if (!vouch__is_digit(s[i])) {
            return false;
        }
    }
    return alpha || dash;
}

bool
vouch__spf_domain_end_ok(const char *s, size_t len)
{
    size_t i = 0, tail = 0, dot;
    bool ends_in_macro = false;

    /* find where the literal text after the last macro-expand starts */
    while (i < len) {
        if (s[i] == '%') {
            size_t n = macro_token(s + i, len - i, SPF_MACRO_MODIFIER, NULL,
                                   NULL, NULL, NULL);

            i += n == 0 ? 1 : n;
            tail = i;
            ends_in_macro = i == len;
            continue;
        }
        i++;
    }
    if (ends_in_macro) {
        return true;
    }
    /* domain-end = "." toplabel [ "." ] in the literal tail */
    if (len > tail && s[len - 1] == '.') {
        len--;
    }
    for (dot = len; dot > tail && s[dot - 1] != '.'; dot--) {
    }
    if (dot == tail) {
        return false; /* no '.' before the top label */
    }
    return is_toplabel(s + dot, len - dot);
}

/* RFC 3986 §2.3 unreserved characters stay; everything else is %XX. */
static int
add_url_escaped(vouch_buf_t *out, const char *p, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        int rc;

        if (vouch__is_alnum(c) || c == '-' || c == '.' || c == '_' ||
            c == '~') {
            rc = vouch_buf_addc(out, (char)c);
        } else {
            char e[3] = { '%', hex[c >> 4], hex[c & 15] };

            rc = vouch_buf_add(out, e, 3);
        }
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

/* The value of a macro letter into tmp (or a view of env). */
static int
letter_value(char letter, const spf_macro_env_t *env, char *tmp, size_t tmp_cap,
             vouch_str_t *out)
{
    const uint8_t *a = env->ip->addr;
    int rc;

    switch (vouch__lower(letter)) {
    case 's':
        *out = env->sender;
        return 0;
    case 'l':
        *out = env->local;
        return 0;
    case 'o':
        *out = env->sender_domain;
        return 0;
    case 'd':
        *out = env->domain;
        return 0;
    case 'h':
        *out = env->helo;
        return 0;
    case 'r':
        if (env->receiver.len == 0) {
            out->ptr = "unknown";
            out->len = 7;
        } else {
            *out = env->receiver;
        }
        return 0;
    case 'v':
        out->ptr = env->ip->family == 6 ? "ip6" : "in-addr";
        out->len = strlen(out->ptr);
        return 0;
    case 'c':
        vouch_ip_format(env->ip, tmp);
        break;
    case 'i':
        if (env->ip->family == 6) {
            /* §7.3: 32 dot-separated nibbles. The RFC leaves their case
             * open (its §7.4 example is lower case); the openspf suite and
             * pyspf use upper case, and DNS does not care. */
            size_t k, o = 0;

            for (k = 0; k < 16; k++) {
                static const char hx[] = "0123456789ABCDEF";

                tmp[o++] = hx[a[k] >> 4];
                tmp[o++] = '.';
                tmp[o++] = hx[a[k] & 15];
                tmp[o++] = k == 15 ? '\0' : '.';
            }
        } else {
            (void)snprintf(tmp, tmp_cap, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
        }
        break;
    case 't':
        (void)snprintf(tmp, tmp_cap, "%lld", (long long)env->now);
        break;
    case 'p':
        if (env->ptr_fn == NULL) {
            out->ptr = "unknown";
            out->len = 7;
            return 0;
        }
        rc = env->ptr_fn(env->ptr_payload, out);
        return rc;
    default:
        return VOUCH_ESYNTAX;
    }
    out->ptr = tmp;
    out->len = strlen(tmp);
    return 0;
}

/* Append the transformed value (§7.3) of one %{...} to out. */
static int
expand_one(vouch_buf_t *out, vouch_str_t v, uint64_t digits, bool reverse,
           vouch_str_t delims, bool escape)
{
    uint16_t start[MACRO_PARTS_MAX + 1];
    size_t nparts = 0, i, count;
    size_t mark = out->len;
    int rc = 0;

    if (v.len >= MACRO_PARTS_MAX) {
        return VOUCH_ETOOBIG;
    }
    /* start[k] = offset of part k; parts end one before the next start */
    start[nparts++] = 0;
    for (i = 0; i < v.len; i++) {
        char c = v.ptr[i];
        bool split = delims.len == 0
                         ? c == '.'
                         : memchr(delims.ptr, c, delims.len) != NULL;

        if (split) {
            start[nparts++] = (uint16_t)(i + 1);
        }
    }
    start[nparts] = (uint16_t)(v.len + 1);
    count = digits == 0 || digits > nparts ? nparts : (size_t)digits;
    for (i = 0; i < count && rc == 0; i++) {
        /* reversed, the rightmost count parts are P[count-1] .. P[0] */
        size_t k = reverse ? count - 1 - i : nparts - count + i;
        size_t b = start[k], e = (size_t)start[k + 1] - 1;

        if (i > 0) {
            rc = vouch_buf_addc(out, '.');
        }
        if (rc == 0) {
            rc = escape ? add_url_escaped(out, v.ptr + b, e - b)
                        : vouch_buf_add(out, v.ptr + b, e - b);
        }
    }
    if (rc != 0) {
        out->len = mark;
        if (out->ptr != NULL) {
            out->ptr[mark] = '\0';
        }
    }
    return rc;
}

int
vouch__spf_macro_expand(vouch_buf_t *out, const char *s, size_t len,
                        spf_macro_where_t where, const spf_macro_env_t *env)
{
    size_t i = 0;

    while (i < len) {
        char letter = 0, tmp[80];
        uint64_t digits = 0;
        bool reverse = false;
        vouch_str_t delims = { NULL, 0 }, v;
        size_t n, lit = i;
        int rc;

        while (i < len && s[i] != '%') {
            i++;
        }
        if (i > lit && (rc = vouch_buf_add(out, s + lit, i - lit)) != 0) {
            return rc;
        }
        if (i == len) {
            break;
        }
        n = macro_token(s + i, len - i, where, &letter, &digits, &reverse,
                        &delims);
        if (n == 0) {
            return VOUCH_ESYNTAX;
        }
        i += n;
        if (n == 2) {
            rc = letter == '%'   ? vouch_buf_addc(out, '%')
                 : letter == '_' ? vouch_buf_addc(out, ' ')
                                 : vouch_buf_add(out, "%20", 3);
        } else {
            rc = letter_value(letter, env, tmp, sizeof(tmp), &v);
            if (rc == 0) {
                rc = expand_one(out, v, digits, reverse, delims,
                                letter >= 'A' && letter <= 'Z');
            }
        }
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}
