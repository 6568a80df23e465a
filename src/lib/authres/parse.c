/* SPDX-License-Identifier: MIT */
/*
 * authres/parse.c - parsing Authentication-Results values (RFC 8601 §2.2)
 * and recognising the ones that carry our authserv-id (§5).
 *
 * One pass over (ptr, len) with a cursor that never passes end. CFWS
 * (RFC 5322 §3.2.2) may stand between any two items: spaces, tabs, a line
 * end followed by a space or tab (CRLF, or a bare LF as milters receive
 * folded values), and comments, which nest (a counter, no
 * recursion). Decoded strings (quotes and quoted-pairs removed, folding
 * CRLFs dropped) go to one pool allocated up front: every string comes
 * from a span of at least one input byte and needs at most its span plus
 * a NUL, so 2 * len + 1 bytes always suffice and pointers into the pool
 * stay valid.
 *
 * The same scanner decodes the authserv-id for vouch_ar_is_ours, comparing
 * instead of storing, so that check needs no allocation and no full parse.
 */
#include <string.h>

#include "authres_internal.h"

struct vouch_ar {
    const vouch_ctx_t *ctx;
    char *pool;
    const char *authserv_id;
    unsigned version;
    vouch_ar_method_t *methods;
    size_t n;
    size_t cap;
};

typedef struct parser {
    const char *start;
    const char *p;
    const char *end;
    vouch_error_t *err;
    /* storing: decoded bytes go to pool[pool_len] */
    char *pool;
    size_t pool_len;
    size_t pool_cap;
    /* comparing (pool NULL): decoded bytes are matched against want */
    const char *want;
    size_t want_len;
    size_t want_pos;
    bool differs;
} parser_t;

static int
syntax(parser_t *ps, const char *what)
{
    size_t off = (size_t)(ps->p - ps->start);

    return vouch__error(ps->err, VOUCH_ESYNTAX, "authres", off,
                        "%s at offset %zu", what, off);
}

static void
emit(parser_t *ps, char c)
{
    if (ps->pool != NULL) {
        if (VOUCH_ALWAYS(ps->pool_len + 1 < ps->pool_cap)) {
            ps->pool[ps->pool_len++] = c;
        }
    } else if (ps->want_pos < ps->want_len &&
               vouch__lower(c) == vouch__lower(ps->want[ps->want_pos])) {
        ps->want_pos++;
    } else {
        ps->differs = true;
    }
}

/* Start a decoded string in the pool. */
static size_t
str_begin(const parser_t *ps)
{
    return ps->pool_len;
}

/* End it with a NUL; returns it. */
static const char *
str_end(parser_t *ps, size_t mark)
{
    if (ps->pool == NULL) {
        return NULL;
    }
    if (VOUCH_ALWAYS(ps->pool_len < ps->pool_cap)) {
        ps->pool[ps->pool_len++] = '\0';
    }
    return ps->pool + mark;
}

static const char *
copy(parser_t *ps, const char *s, size_t len)
{
    size_t mark = str_begin(ps), i;

    for (i = 0; i < len; i++) {
        emit(ps, s[i]);
    }
    return str_end(ps, mark);
}

/* Length of the line end at p (CRLF, or a bare LF as milters and local
 * programs hand header values over), or 0. */
static size_t
line_end(const parser_t *ps)
{
    if (ps->p < ps->end && *ps->p == '\n') {
        return 1;
    }
    if (ps->end - ps->p >= 2 && ps->p[0] == '\r' && ps->p[1] == '\n') {
        return 2;
    }
    return 0;
}

/* Is this a fold (line end, then WSP)? Moves past the line end if so. */
static bool
skip_fold(parser_t *ps)
{
    size_t n = line_end(ps);

    if (n > 0 && ps->end - ps->p > (ptrdiff_t)n && vouch__is_space(ps->p[n])) {
        ps->p += n;
        return true;
    }
    return false;
}

/* quoted-pair (RFC 5322 §3.2.1, RFC 6532 §3.2): backslash and one VCHAR,
 * WSP or 8-bit byte; obs-qp control bytes are refused. */
static int
quoted_pair(parser_t *ps, bool keep)
{
    unsigned char c;

    if (ps->end - ps->p < 2) {
        return syntax(ps, "backslash at the end");
    }
    c = (unsigned char)ps->p[1];
    if (c < 0x20 ? c != '\t' : c == 0x7f) {
        return syntax(ps, "control byte after backslash");
    }
    if (keep) {
        emit(ps, (char)c);
    }
    ps->p += 2;
    return 0;
}

/* A byte allowed raw inside a quoted-string or comment besides WSP:
 * printable ASCII or 8-bit (RFC 6532 UTF-8, taken leniently). */
static bool
is_text(unsigned char c)
{
    return c >= 0x21 && c != 0x7f;
}

/* At '(': one comment, nested ones inside it; keep: decode its text. */
static int
comment(parser_t *ps, bool keep)
{
    size_t depth = 1;
    int rc;

    ps->p++;
    while (ps->p < ps->end) {
        unsigned char c = (unsigned char)*ps->p;

        if (c == '\\') {
            if ((rc = quoted_pair(ps, keep)) != 0) {
                return rc;
            }
            continue;
        }
        if ((c == '\r' || c == '\n') && skip_fold(ps)) {
            continue;
        }
        if (c == ')' && --depth == 0) {
            ps->p++;
            return 0;
        }
        if (c == '(') {
            depth++;
        } else if (!vouch__is_space(c) && !is_text(c)) {
            return syntax(ps, "control byte in a comment");
        }
        if (keep) {
            emit(ps, (char)c);
        }
        ps->p++;
    }
    return syntax(ps, "unterminated comment");
}

/* CFWS, possibly empty. *capture, when not NULL and still NULL, gets the
 * decoded text of the first comment. A line end ending the input is
 * allowed (the field's own). */
static int
cfws(parser_t *ps, const char **capture)
{
    int rc;

    while (ps->p < ps->end) {
        char c = *ps->p;

        if (vouch__is_space(c)) {
            ps->p++;
        } else if ((c == '\r' || c == '\n') && skip_fold(ps)) {
            continue;
        } else if (line_end(ps) > 0 &&
                   (size_t)(ps->end - ps->p) == line_end(ps)) {
            ps->p = ps->end;
        } else if (c == '(') {
            bool keep = capture != NULL && *capture == NULL;
            size_t mark = str_begin(ps);

            if ((rc = comment(ps, keep)) != 0) {
                return rc;
            }
            if (keep) {
                *capture = str_end(ps, mark);
            }
        } else {
            break;
        }
    }
    return 0;
}

/* At '"': a quoted-string, decoded. */
static int
quoted_string(parser_t *ps)
{
    int rc;

    ps->p++;
    while (ps->p < ps->end) {
        unsigned char c = (unsigned char)*ps->p;

        if (c == '"') {
            ps->p++;
            return 0;
        }
        if (c == '\\') {
            if ((rc = quoted_pair(ps, true)) != 0) {
                return rc;
            }
            continue;
        }
        if ((c == '\r' || c == '\n') && skip_fold(ps)) {
            continue;
        }
        if (!vouch__is_space(c) && !is_text(c)) {
            return syntax(ps, "control byte in a quoted-string");
        }
        emit(ps, (char)c);
        ps->p++;
    }
    return syntax(ps, "unterminated quoted-string");
}

static size_t
span(const parser_t *ps, bool (*ok)(int))
{
    const char *q = ps->p;

    while (q < ps->end && ok((unsigned char)*q)) {
        q++;
    }
    return (size_t)(q - ps->p);
}

static bool
is_ldh(int c)
{
    return vouch__is_alnum(c) || c == '-';
}

/* RFC 8601 Keyword (RFC 5321 Ldh-str); *len 0 when there is none. */
static int
keyword(parser_t *ps, const char **s, size_t *len, const char *what)
{
    size_t n = span(ps, is_ldh);

    if (n == 0 || ps->p[0] == '-' || ps->p[n - 1] == '-') {
        return syntax(ps, what);
    }
    *s = ps->p;
    *len = n;
    ps->p += n;
    return 0;
}

/* value (RFC 2045 §5.1): token / quoted-string, decoded. */
static int
value(parser_t *ps, const char **out, const char *what)
{
    size_t mark = str_begin(ps), n;
    int rc;

    if (ps->p < ps->end && *ps->p == '"') {
        if ((rc = quoted_string(ps)) != 0) {
            return rc;
        }
    } else {
        n = span(ps, vouch__ar_is_tchar);
        if (n == 0) {
            return syntax(ps, what);
        }
        while (n-- > 0) {
            emit(ps, *ps->p++);
        }
    }
    *out = str_end(ps, mark);
    return 0;
}

/* Bytes of a bare pvalue: token, dot-atom-text, '@', and '/' (lenient,
 * for base64 header.b=). */
static bool
is_bare_char(int c)
{
    return vouch__ar_is_tchar(c) || vouch__ar_is_atext(c) || c == '@';
}

static bool
is_domain_char(int c)
{
    return vouch__ar_is_atext(c) || c == '.';
}

/* pvalue = [CFWS] ( value / [ [ local-part ] "@" ] domain-name ) [CFWS] */
static int
pvalue(parser_t *ps, const char **out)
{
    size_t mark = str_begin(ps), n, i;
    const char *from = ps->p, *at = NULL;
    int rc;

    if (ps->p < ps->end && *ps->p == '"') {
        if ((rc = quoted_string(ps)) != 0) {
            return rc;
        }
        if (ps->p < ps->end && *ps->p == '@') {
            /* a quoted local-part: keep it as written, quotes and all */
            ps->p++;
            if (span(ps, is_domain_char) == 0) {
                return syntax(ps, "expected a domain after '@'");
            }
            ps->p += span(ps, is_domain_char);
            ps->pool_len = mark;
            for (i = 0; from + i < ps->p; i++) {
                if (from[i] != '\r' && from[i] != '\n') {
                    emit(ps, from[i]);
                }
            }
        }
        *out = str_end(ps, mark);
        return 0;
    }
    n = span(ps, is_bare_char);
    for (i = 0; i < n; i++) {
        if (ps->p[i] == '@') {
            if (at != NULL) {
                return syntax(ps, "two '@' in a value");
            }
            at = ps->p + i;
        }
    }
    if (n == 0 || (at != NULL && at == ps->p + n - 1)) {
        return syntax(ps, "expected a property value");
    }
    *out = copy(ps, ps->p, n);
    ps->p += n;
    return 0;
}

static bool
at(const parser_t *ps, char c)
{
    return ps->p < ps->end && *ps->p == c;
}

static int
add_method(vouch_ar_t *ar, vouch_ar_method_t **m)
{
    if (ar->n == ar->cap) {
        size_t cap = ar->cap == 0 ? 4 : ar->cap * 2;
        vouch_ar_method_t *a;

        if (ar->n >= VOUCH_AR_METHODS_MAX) {
            return VOUCH_ETOOBIG;
        }
        if (cap > VOUCH_AR_METHODS_MAX) {
            cap = VOUCH_AR_METHODS_MAX;
        }
        a = vouch__realloc(ar->ctx, ar->methods, cap * sizeof(*a));
        if (a == NULL) {
            return VOUCH_ENOMEM;
        }
        ar->methods = a;
        ar->cap = cap;
    }
    *m = &ar->methods[ar->n++];
    memset(*m, 0, sizeof(**m));
    return 0;
}

/* ptype "." property "=" pvalue, at the "." after ptype. */
static int
propspec(parser_t *ps, vouch_ar_method_t *m, const char *ptype, size_t plen)
{
    vouch_ar_prop_t *prop;
    const char *s;
    size_t len;
    int rc;

    if (m->nprops == VOUCH_AR_PROPS_MAX) {
        size_t off = (size_t)(ps->p - ps->start);

        return vouch__error(ps->err, VOUCH_ETOOBIG, "authres", off,
                            "more than %d properties in one method at "
                            "offset %zu",
                            VOUCH_AR_PROPS_MAX, off);
    }
    prop = &m->props[m->nprops];
    ps->p++;
    if ((rc = cfws(ps, NULL)) != 0 ||
        (rc = keyword(ps, &s, &len, "expected a property name")) != 0) {
        return rc;
    }
    prop->ptype = copy(ps, ptype, plen);
    prop->property = copy(ps, s, len);
    if ((rc = cfws(ps, NULL)) != 0) {
        return rc;
    }
    if (!at(ps, '=')) {
        return syntax(ps, "expected '=' after the property name");
    }
    ps->p++;
    if ((rc = cfws(ps, NULL)) != 0 || (rc = pvalue(ps, &prop->value)) != 0) {
        return rc;
    }
    m->nprops++;
    return 0;
}

/* The rest of a resinfo after the method keyword name[0..len):
 * [ "/" version ] "=" result [ reasonspec ] *propspec */
static int
resinfo(parser_t *ps, vouch_ar_t *ar, const char *name, size_t len)
{
    vouch_ar_method_t *m;
    const char *s;
    size_t slen;
    uint64_t ver;
    int rc;

    if ((rc = add_method(ar, &m)) != 0) {
        if (rc == VOUCH_ETOOBIG) {
            size_t off = (size_t)(ps->p - ps->start);

            return vouch__error(ps->err, rc, "authres", off,
                                "more than %d methods at offset %zu",
                                VOUCH_AR_METHODS_MAX, off);
        }
        return vouch__error_code(ps->err, rc, "authres");
    }
    m->method = copy(ps, name, len);
    if ((rc = cfws(ps, NULL)) != 0) {
        return rc;
    }
    if (at(ps, '/')) {
        ps->p++;
        if ((rc = cfws(ps, NULL)) != 0) {
            return rc;
        }
        if (vouch__parse_uint(&ps->p, ps->end, 999999, &ver) != 0) {
            return syntax(ps, "bad method version");
        }
        if ((rc = cfws(ps, NULL)) != 0) {
            return rc;
        }
    }
    if (!at(ps, '=')) {
        return syntax(ps, "expected '=' after the method");
    }
    ps->p++;
    if ((rc = cfws(ps, NULL)) != 0 ||
        (rc = keyword(ps, &s, &slen, "expected a result")) != 0) {
        return rc;
    }
    m->result = copy(ps, s, slen);
    for (;;) {
        if ((rc = cfws(ps, m->nprops == 0 && m->reason == NULL ? &m->comment
                                                               : NULL)) != 0) {
            return rc;
        }
        if (ps->p == ps->end || at(ps, ';')) {
            return 0;
        }
        if ((rc = keyword(ps, &s, &slen, "expected a property")) != 0 ||
            (rc = cfws(ps, NULL)) != 0) {
            return rc;
        }
        if (at(ps, '=') && vouch__str_ieq(s, slen, "reason", 6)) {
            if (m->reason != NULL) {
                return syntax(ps, "reason given twice");
            }
            ps->p++;
            if ((rc = cfws(ps, NULL)) != 0 ||
                (rc = value(ps, &m->reason, "expected a reason")) != 0) {
                return rc;
            }
        } else if (at(ps, '.')) {
            if ((rc = propspec(ps, m, s, slen)) != 0) {
                return rc;
            }
        } else {
            return syntax(ps, "expected ptype.property=value");
        }
    }
}

/* authres-payload after the authserv-id. */
static int
payload(parser_t *ps, vouch_ar_t *ar)
{
    const char *s;
    size_t len;
    uint64_t ver;
    int rc;

    if ((rc = cfws(ps, NULL)) != 0) {
        return rc;
    }
    if (ps->p < ps->end && vouch__is_digit(*ps->p)) {
        if (vouch__parse_uint(&ps->p, ps->end, 999999, &ver) != 0) {
            return syntax(ps, "bad version");
        }
        ar->version = (unsigned)ver;
        if ((rc = cfws(ps, NULL)) != 0) {
            return rc;
        }
    }
    if (!at(ps, ';')) {
        return syntax(ps, "expected ';' after the authserv-id");
    }
    ps->p++;
    if ((rc = cfws(ps, NULL)) != 0 ||
        (rc = keyword(ps, &s, &len, "expected a method or 'none'")) != 0) {
        return rc;
    }
    if (vouch__str_ieq(s, len, "none", 4)) {
        const char *after = ps->p;

        if ((rc = cfws(ps, NULL)) != 0) {
            return rc;
        }
        if (!at(ps, '=') && !at(ps, '/')) {
            /* no-result; a stray ';' after it is tolerated */
            if (at(ps, ';')) {
                ps->p++;
                if ((rc = cfws(ps, NULL)) != 0) {
                    return rc;
                }
            }
            return ps->p == ps->end ? 0 : syntax(ps, "text after 'none'");
        }
        ps->p = after;
    }
    for (;;) {
        if ((rc = resinfo(ps, ar, s, len)) != 0) {
            return rc;
        }
        if (ps->p == ps->end) {
            return 0;
        }
        ps->p++; /* the ';' resinfo stopped at */
        if ((rc = cfws(ps, NULL)) != 0) {
            return rc;
        }
        if (ps->p == ps->end) {
            return 0; /* a trailing ';' is tolerated */
        }
        if ((rc = keyword(ps, &s, &len, "expected a method")) != 0) {
            return rc;
        }
    }
}

/* see vouch/authres.h */
int
vouch_ar_parse(vouch_ar_t **out, const vouch_ctx_t *ctx, const char *value_,
               size_t len, vouch_error_t *err)
{
    parser_t ps;
    vouch_ar_t *ar;
    int rc;

    if (out == NULL) {
        return vouch__error(err, VOUCH_EINVAL, "authres", 0, "out is NULL");
    }
    *out = NULL;
    if (ctx == NULL || (value_ == NULL && len > 0)) {
        return vouch__error(err, VOUCH_EINVAL, "authres", 0,
                            "ctx or value is NULL");
    }
    if (len > VOUCH_AR_FIELD_MAX) {
        return vouch__error(err, VOUCH_ETOOBIG, "authres", 0,
                            "field value of %zu bytes (at most %d)", len,
                            VOUCH_AR_FIELD_MAX);
    }
    ar = vouch__calloc(ctx, 1, sizeof(*ar));
    if (ar == NULL) {
        return vouch__error_code(err, VOUCH_ENOMEM, "authres");
    }
    ar->ctx = ctx;
    ar->version = 1;
    memset(&ps, 0, sizeof(ps));
    ps.pool_cap = 2 * len + 1;
    ar->pool = vouch__malloc(ctx, ps.pool_cap);
    if (ar->pool == NULL) {
        vouch_ar_free(ar);
        return vouch__error_code(err, VOUCH_ENOMEM, "authres");
    }
    ps.start = ps.p = value_ != NULL ? value_ : "";
    ps.end = ps.start + len;
    ps.err = err;
    ps.pool = ar->pool;
    if ((rc = cfws(&ps, NULL)) != 0 ||
        (rc = value(&ps, &ar->authserv_id, "expected an authserv-id")) != 0 ||
        (rc = payload(&ps, ar)) != 0) {
        vouch_ar_free(ar);
        return rc;
    }
    *out = ar;
    return 0;
}

/* see vouch/authres.h */
const char *
vouch_ar_authserv_id(const vouch_ar_t *ar)
{
    return ar->authserv_id;
}

/* see vouch/authres.h */
unsigned
vouch_ar_version(const vouch_ar_t *ar)
{
    return ar->version;
}

/* see vouch/authres.h */
size_t
vouch_ar_count(const vouch_ar_t *ar)
{
    return ar->n;
}

/* see vouch/authres.h */
const vouch_ar_method_t *
vouch_ar_method(const vouch_ar_t *ar, size_t i)
{
    return i < ar->n ? &ar->methods[i] : NULL;
}

/* see vouch/authres.h */
void
vouch_ar_free(vouch_ar_t *ar)
{
    if (ar == NULL) {
        return;
    }
    vouch__free(ar->ctx, ar->methods);
    vouch__free(ar->ctx, ar->pool);
    vouch__free(ar->ctx, ar);
}

/* see vouch/authres.h */
bool
vouch_ar_is_ours(const char *value_, size_t len, const char *authserv_id)
{
    parser_t ps;
    size_t n;

    if (value_ == NULL || authserv_id == NULL || authserv_id[0] == '\0') {
        return false;
    }
    memset(&ps, 0, sizeof(ps));
    ps.start = ps.p = value_;
    ps.end = value_ + len;
    ps.want = authserv_id;
    ps.want_len = strlen(authserv_id);
    if (cfws(&ps, NULL) != 0) {
        return false;
    }
    if (at(&ps, '"')) {
        /* an unterminated quoted-string is nobody's authserv-id */
        if (quoted_string(&ps) != 0) {
            return false;
        }
    } else {
        n = span(&ps, vouch__ar_is_tchar);
        while (n-- > 0) {
            emit(&ps, *ps.p++);
        }
    }
    return !ps.differs && ps.want_pos == ps.want_len;
}

/* see vouch/authres.h */
int
vouch_ar_find_ours(const vouch_mail_header_t *hdr, const char *authserv_id,
                   size_t *idx, size_t max, size_t *n)
{
    static const char name[] = "Authentication-Results";
    size_t i, count, found = 0;

    if (hdr == NULL || authserv_id == NULL || n == NULL ||
        (idx == NULL && max > 0)) {
        return VOUCH_EINVAL;
    }
    count = vouch_mail_header_count(hdr);
    for (i = 0; i < count; i++) {
        const vouch_mail_field_t *f = vouch_mail_header_field(hdr, i);

        if (f == NULL ||
            !vouch__str_ieq(f->raw, f->name_len, name, sizeof(name) - 1)) {
            continue;
        }
        if (vouch_ar_is_ours(f->raw + f->value_off, f->len - f->value_off,
                             authserv_id)) {
            if (found < max) {
                idx[found] = i;
            }
            found++;
        }
    }
    *n = found;
    return found > max ? VOUCH_ETOOBIG : 0;
}
