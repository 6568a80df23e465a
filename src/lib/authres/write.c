/* SPDX-License-Identifier: MIT */
/*
 * authres/write.c - writing Authentication-Results (RFC 8601 §2.2).
 *
 * The output is built from parts that are never split -- "authserv-id;",
 * "method=result", "(comment)", "reason=value", "ptype.property=value" --
 * joined by a space, or by CRLF + TAB when the next part would pass column
 * 78 (RFC 5322 §2.1.1); each resinfo after the first starts a new line.
 * Inside a quoted-string or a comment, a long text is also folded by
 * putting CRLF before one of its spaces (RFC 5322 §3.2.2: unfolding gives
 * the space back, so the decoded value is unchanged).
 *
 * Invariant: every byte taken from a value, reason or comment is either a
 * printable ASCII byte, the space, or part of a well-formed UTF-8
 * sequence; everything else becomes '?' (see vouch/authres.h). Together
 * with the quoting this is what keeps a hostile value inside its part.
 * On any failure the output buffer is restored to its length on entry.
 */
#include <string.h>

#include "authres_internal.h"

/* RFC 5322 §2.1.1: lines SHOULD be at most 78 characters. */
#define AR_LINE_COLS 78

/* "Authentication-Results: " */
#define AR_FIELD_NAME  "Authentication-Results: "
#define AR_VALUE_START (sizeof(AR_FIELD_NAME) - 1)
/* "ARC-Authentication-Results: i=1; " plus a short authserv-id */
#define AR_RESINFO_START 40

typedef enum { TEXT_QUOTED, TEXT_COMMENT } text_kind_t;

typedef struct writer {
    vouch_buf_t *out;
    size_t col; /* characters on the current line so far */
    int rc;     /* first failure; later writes do nothing */
} writer_t;

size_t
vouch__ar_utf8_len(const unsigned char *p, size_t len)
{
    unsigned char c = p[0];
    size_t n, i;
    unsigned char lo = 0x80, hi = 0xbf;

    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80; /* overlong */
        hi = c == 0xed ? 0x9f : 0xbf; /* surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        lo = c == 0xf0 ? 0x90 : 0x80; /* overlong */
        hi = c == 0xf4 ? 0x8f : 0xbf; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (len < n || p[1] < lo || p[1] > hi) {
        return 0;
    }
    for (i = 2; i < n; i++) {
        if (p[i] < 0x80 || p[i] > 0xbf) {
            return 0;
        }
    }
    return n;
}

static void
put(writer_t *w, const char *p, size_t len, size_t cols)
{
    if (w->rc == 0) {
        w->rc = vouch_buf_add(w->out, p, len);
    }
    w->col += cols;
}

static void
puts_ascii(writer_t *w, const char *s)
{
    size_t len = strlen(s);

    put(w, s, len, len);
}

static void
fold(writer_t *w)
{
    put(w, "\r\n\t", 3, 0);
    w->col = 1;
}

/* Start a part of width columns: a space, or a fold when it would not fit
 * (with room for a ';' after it) and folding helps. */
static void
separate(writer_t *w, size_t width)
{
    if (w->col > 1 && w->col + 1 + width + 1 > AR_LINE_COLS) {
        fold(w);
    } else {
        put(w, " ", 1, 1);
    }
}

static bool
is_special(unsigned char c, text_kind_t kind)
{
    if (c == '\\') {
        return true;
    }
    return kind == TEXT_QUOTED ? c == '"' : (c == '(' || c == ')');
}

/* Bytes consumed and columns taken by the character at p[0] once written:
 * *bytes is 1 for a byte replaced by '?'. */
static size_t
char_cols(const unsigned char *p, size_t len, text_kind_t kind, size_t *bytes)
{
    size_t n;

    *bytes = 1;
    if (p[0] >= 0x80) {
        n = vouch__ar_utf8_len(p, len);
        if (n > 0) {
            *bytes = n;
        }
        return 1;
    }
    return is_special(p[0], kind) ? 2 : 1;
}

/* Columns of s[0..len) up to (not including) its first space. */
static size_t
word_cols(const unsigned char *s, size_t len, text_kind_t kind)
{
    size_t i = 0, cols = 0, bytes;

    while (i < len && s[i] != ' ') {
        cols += char_cols(s + i, len - i, kind, &bytes);
        i += bytes;
    }
    return cols;
}

static size_t
text_cols(const unsigned char *s, size_t len, text_kind_t kind)
{
    size_t i = 0, cols = 0, bytes;

    while (i < len) {
        cols += char_cols(s + i, len - i, kind, &bytes);
        i += bytes;
    }
    return cols;
}

/* Write s[0..len) between delimiters open/close: specials escaped,
 * unrepresentable bytes replaced by '?', folded before a space when the
 * word after it would pass the line limit. */
static void
put_text(writer_t *w, const char *str, size_t len, text_kind_t kind)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, bytes;
    bool after_space = false;

    put(w, kind == TEXT_QUOTED ? "\"" : "(", 1, 1);
    while (i < len && w->rc == 0) {
        unsigned char c = s[i];

        if (c == ' ') {
            /* a fold needs something other than WSP on the line it ends
             * (RFC 5322 §3.2.2), hence not after a space; room is kept for
             * the space, the closing delimiter and a ';' */
            if (!after_space && w->col > 1 &&
                w->col + 3 + word_cols(s + i + 1, len - i - 1, kind) >
                    AR_LINE_COLS) {
                put(w, "\r\n", 2, 0);
                w->col = 0;
            }
            put(w, " ", 1, 1);
            after_space = true;
            i++;
            continue;
        }
        after_space = false;
        (void)char_cols(s + i, len - i, kind, &bytes);
        if (c >= 0x80 && bytes > 1) {
            put(w, str + i, bytes, 1);
        } else if (c < 0x20 || c >= 0x7f) {
            put(w, "?", 1, 1);
        } else if (is_special(c, kind)) {
            char e[2] = { '\\', (char)c };

            put(w, e, 2, 2);
        } else {
            put(w, str + i, 1, 1);
        }
        i += bytes;
    }
    put(w, kind == TEXT_QUOTED ? "\"" : ")", 1, 1);
}

/* RFC 5321 §4.1.2 Ldh-str as RFC 8601 Keyword: letters, digits, hyphens,
 * starting with a letter or digit, not ending with a hyphen. */
static bool
is_keyword(const char *s)
{
    size_t i, len = strlen(s);

    if (len == 0 || !vouch__is_alnum(s[0]) || s[len - 1] == '-') {
        return false;
    }
    for (i = 1; i < len; i++) {
        if (!vouch__is_alnum(s[i]) && s[i] != '-') {
            return false;
        }
    }
    return true;
}

/* A byte as it will be written when it stands outside a UTF-8 sequence:
 * control and 8-bit bytes become '?'. Bare-or-quoted is decided on the
 * written bytes, so writing what was parsed back gives the same text. */
static unsigned char
shown(char c)
{
    unsigned char u = (unsigned char)c;

    return (u < 0x20 || u >= 0x7f) ? '?' : u;
}

static bool
is_token(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (!vouch__ar_is_tchar(shown(s[i]))) {
            return false;
        }
    }
    return len > 0;
}

/* RFC 5322 §3.2.3 dot-atom-text (may be empty here: "@domain"). */
static bool
is_local_part(const char *s, size_t len)
{
    size_t i;

    if (len == 0) {
        return true;
    }
    if (s[0] == '.' || s[len - 1] == '.') {
        return false;
    }
    for (i = 0; i < len; i++) {
        if (s[i] == '.' ? s[i - 1] == '.' : !vouch__ar_is_atext(shown(s[i]))) {
            return false;
        }
    }
    return true;
}

/* RFC 6376 §3.5 domain-name: sub-domain 1*("." sub-domain), sub-domain
 * = Let-dig [Ldh-str]. */
static bool
is_domain_name(const char *s, size_t len)
{
    size_t i, label = 0, labels = 1;

    if (len == 0) {
        return false;
    }
    for (i = 0; i < len; i++) {
        if (s[i] == '.') {
            if (label == 0 || s[i - 1] == '-') {
                return false;
            }
            label = 0;
            labels++;
        } else if (vouch__is_alnum(s[i]) || (s[i] == '-' && label > 0)) {
            label++;
        } else {
            return false;
        }
    }
    return label > 0 && s[len - 1] != '-' && labels >= 2;
}

/* RFC 8601 pvalue written without quotes: a token, or
 * [local-part]@domain-name. */
static bool
is_bare_pvalue(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    const char *at;
    size_t i;

    for (i = 0; i < len; i++) {
        if (u[i] >= 0x80 && vouch__ar_utf8_len(u + i, len - i) > 0) {
            return false; /* UTF-8 is written as it is: quoted */
        }
    }
    if (is_token(s, len)) {
        return true;
    }
    at = memchr(s, '@', len);
    if (at == NULL) {
        return false;
    }
    return is_local_part(s, (size_t)(at - s)) &&
           is_domain_name(at + 1, len - (size_t)(at - s) - 1);
}

static size_t
value_cols(const char *s, size_t len, bool bare)
{
    return bare ? len
                : 2 + text_cols((const unsigned char *)s, len, TEXT_QUOTED);
}

static int
check_method(const vouch_ar_method_t *m, size_t idx, vouch_error_t *err)
{
    size_t i;

    if (m->method == NULL || !is_keyword(m->method)) {
        return vouch__error(err, VOUCH_EINVAL, "authres", idx,
                            "method %zu: method is not a keyword", idx);
    }
    if (m->result == NULL || !is_keyword(m->result)) {
        return vouch__error(err, VOUCH_EINVAL, "authres", idx,
                            "method %zu: result is not a keyword", idx);
    }
    if (m->nprops > VOUCH_AR_PROPS_MAX) {
        return vouch__error(err, VOUCH_EINVAL, "authres", idx,
                            "method %zu: %zu properties (at most %d)", idx,
                            m->nprops, VOUCH_AR_PROPS_MAX);
    }
    for (i = 0; i < m->nprops; i++) {
        const vouch_ar_prop_t *p = &m->props[i];

        if (p->ptype == NULL || !is_keyword(p->ptype) || p->property == NULL ||
            !is_keyword(p->property) || p->value == NULL) {
            return vouch__error(err, VOUCH_EINVAL, "authres", idx,
                                "method %zu, property %zu: ptype or "
                                "property not a keyword, or no value",
                                idx, i);
        }
    }
    return 0;
}

static void
put_method(writer_t *w, const vouch_ar_method_t *m, bool sep)
{
    size_t i, width;

    width = strlen(m->method) + 1 + strlen(m->result);
    if (sep) {
        separate(w, width);
    }
    puts_ascii(w, m->method);
    put(w, "=", 1, 1);
    puts_ascii(w, m->result);
    if (m->comment != NULL) {
        size_t len = strlen(m->comment);

        separate(w, 2 + text_cols((const unsigned char *)m->comment, len,
                                  TEXT_COMMENT));
        put_text(w, m->comment, len, TEXT_COMMENT);
    }
    if (m->reason != NULL) {
        size_t len = strlen(m->reason);

        separate(w, 7 + value_cols(m->reason, len, false));
        puts_ascii(w, "reason=");
        put_text(w, m->reason, len, TEXT_QUOTED);
    }
    for (i = 0; i < m->nprops; i++) {
        const vouch_ar_prop_t *p = &m->props[i];
        size_t vlen = strlen(p->value);
        bool bare = is_bare_pvalue(p->value, vlen);

        width = strlen(p->ptype) + 1 + strlen(p->property) + 1 +
                value_cols(p->value, vlen, bare);
        separate(w, width);
        puts_ascii(w, p->ptype);
        put(w, ".", 1, 1);
        puts_ascii(w, p->property);
        put(w, "=", 1, 1);
        if (bare) {
            for (size_t k = 0; k < vlen; k++) {
                char c = (char)shown(p->value[k]);

                put(w, &c, 1, 1);
            }
        } else {
            put_text(w, p->value, vlen, TEXT_QUOTED);
        }
    }
}

/* The resinfo list; sep: a separator before the first method (the others
 * start a new line). */
static void
put_list(writer_t *w, const vouch_ar_method_t *m, size_t n, bool sep)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (i > 0) {
            put(w, ";", 1, 1);
            fold(w);
        }
        put_method(w, &m[i], i == 0 && sep);
    }
}

static int
check_list(const vouch_buf_t *out, const vouch_ar_method_t *m, size_t n,
           vouch_error_t *err)
{
    size_t i;
    int rc;

    if (out == NULL) {
        return vouch__error(err, VOUCH_EINVAL, "authres", 0, "out is NULL");
    }
    if (m == NULL && n > 0) {
        return vouch__error(err, VOUCH_EINVAL, "authres", 0,
                            "no methods given");
    }
    for (i = 0; i < n; i++) {
        if ((rc = check_method(&m[i], i, err)) != 0) {
            return rc;
        }
    }
    return 0;
}

/* authserv-id = value (RFC 2045 token / quoted-string), configuration:
 * printable ASCII and spaces only. */
static int
check_authserv_id(const char *id, vouch_error_t *err)
{
    size_t i;

    if (id == NULL || id[0] == '\0') {
        return vouch__error(err, VOUCH_EINVAL, "authres", 0,
                            "empty authserv-id");
    }
    for (i = 0; id[i] != '\0'; i++) {
        if (id[i] != ' ' && !vouch__is_vchar((unsigned char)id[i])) {
            return vouch__error(err, VOUCH_EINVAL, "authres", i,
                                "authserv-id has a control or 8-bit byte "
                                "at offset %zu",
                                i);
        }
    }
    return 0;
}

static int
finish(writer_t *w, size_t mark, vouch_error_t *err)
{
    if (w->rc != 0) {
        w->out->len = mark;
        if (w->out->ptr != NULL) {
            w->out->ptr[mark] = '\0';
        }
        return vouch__error_code(err, w->rc, "authres");
    }
    return 0;
}

static int
write_value(vouch_buf_t *out, const char *authserv_id,
            const vouch_ar_method_t *m, size_t n, bool field,
            vouch_error_t *err)
{
    writer_t w = { out, 0, 0 };
    size_t mark, idlen;
    int rc;

    if ((rc = check_authserv_id(authserv_id, err)) != 0 ||
        (rc = check_list(out, m, n, err)) != 0) {
        return rc;
    }
    mark = out->len;
    if (field) {
        puts_ascii(&w, AR_FIELD_NAME);
    } else {
        w.col = AR_VALUE_START;
    }
    idlen = strlen(authserv_id);
    if (is_token(authserv_id, idlen)) {
        put(&w, authserv_id, idlen, idlen);
    } else {
        put_text(&w, authserv_id, idlen, TEXT_QUOTED);
    }
    put(&w, ";", 1, 1);
    if (n == 0) {
        puts_ascii(&w, " none");
    } else {
        put_list(&w, m, n, true);
    }
    if (field) {
        put(&w, "\r\n", 2, 0);
    }
    return finish(&w, mark, err);
}

/* see vouch/authres.h */
int
vouch_ar_write_value(vouch_buf_t *out, const char *authserv_id,
                     const vouch_ar_method_t *m, size_t n, vouch_error_t *err)
{
    return write_value(out, authserv_id, m, n, false, err);
}

/* see vouch/authres.h */
int
vouch_ar_write_field(vouch_buf_t *out, const char *authserv_id,
                     const vouch_ar_method_t *m, size_t n, vouch_error_t *err)
{
    return write_value(out, authserv_id, m, n, true, err);
}

/* see vouch/authres.h */
int
vouch_ar_write_resinfo(vouch_buf_t *out, const vouch_ar_method_t *m, size_t n,
                       vouch_error_t *err)
{
    writer_t w = { out, AR_RESINFO_START, 0 };
    size_t mark;
    int rc;

    if (n == 0) {
        return vouch__error(err, VOUCH_EINVAL, "authres", 0,
                            "a resinfo list needs at least one method");
    }
    if ((rc = check_list(out, m, n, err)) != 0) {
        return rc;
    }
    mark = out->len;
    put_list(&w, m, n, false);
    return finish(&w, mark, err);
}
