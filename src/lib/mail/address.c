/* SPDX-License-Identifier: MIT */
/*
 * mail/address.c - RFC 5322 §3.4 address lists with the obsolete syntax of
 * §4.4 and RFC 6532 UTF-8, domain normalisation (IDNA2008 / UTS #46 via
 * libidn2), and the RFC5322.From author domain (RFC 7489 §6.6.1).
 *
 * The parser is a single left-to-right pass over (ptr, len) with a cursor
 * that never passes end. A pre-scan refuses NUL and any CR or LF that is
 * not CRLF followed by WSP, so afterwards a CR always starts a fold and the
 * scanners can step over "CRLF WSP" as whitespace. Comments are scanned
 * iteratively with a depth counter (no recursion on input); groups cannot
 * nest (RFC 5322 group-list holds mailboxes only), so the only recursion
 * is address -> group -> address, one level.
 *
 * A phrase and a local part share their first tokens ("a.b" could start
 * either "a.b <x@y>" or "a.b@y"), so words and dots are scanned once,
 * tracking whether they still form a valid local part (word *("." word))
 * and a valid phrase (a word first), and decoding the local part as they
 * go; the special that follows ('<', ':', '@', ',' ...) decides.
 *
 * Non-goals: decoding encoded words or display names, returning display
 * names, route domains (parsed and dropped).
 */
#include <stdio.h>
#include <string.h>

#include <idn2.h>

#include "vouch/address.h"
#include "mail_internal.h"

#define MOD "address"

/* ---- characters (RFC 5322 §3.2, §4.1; RFC 6532 §3.2) ---------------------
 */

static bool
is_wsp(unsigned char ch)
{
    return ch == ' ' || ch == '\t';
}

/* obs-NO-WS-CTL: controls other than NUL, HTAB, LF, CR. */
static bool
is_obs_ctl(unsigned char ch)
{
    return (ch >= 1 && ch <= 8) || ch == 11 || ch == 12 ||
           (ch >= 14 && ch <= 31) || ch == 127;
}

/* atext, with RFC 6532's UTF8-non-ascii (any 8-bit byte here; a domain's
 * UTF-8 is validated before IDN conversion). */
static bool
is_atext(unsigned char ch)
{
    if (ch >= 0x80 || vouch__is_alnum(ch)) {
        return true;
    }
    return ch != 0 && strchr("!#$%&'*+-/=?^_`{|}~", ch) != NULL;
}

static bool
is_ctext(unsigned char ch)
{
    return (ch >= 33 && ch <= 39) || (ch >= 42 && ch <= 91) ||
           (ch >= 93 && ch <= 126) || ch >= 0x80 || is_obs_ctl(ch);
}

static bool
is_qtext(unsigned char ch)
{
    return ch == 33 || (ch >= 35 && ch <= 91) || (ch >= 93 && ch <= 126) ||
           ch >= 0x80 || is_obs_ctl(ch);
}

static bool
is_dtext(unsigned char ch)
{
    return (ch >= 33 && ch <= 90) || (ch >= 94 && ch <= 126) || ch >= 0x80 ||
           is_obs_ctl(ch);
}

/* What may follow a backslash: VCHAR / WSP (§3.2.1), obs-qp without NUL,
 * CR and LF (§4.1: those would smuggle line structure into a value), and
 * UTF-8 (RFC 6532). */
static bool
is_qp_char(unsigned char ch)
{
    return vouch__is_vchar(ch) || is_wsp(ch) || is_obs_ctl(ch) || ch >= 0x80;
}

/* ---- cursor and errors ---------------------------------------------------
 */

typedef struct cur {
    const char *start, *p, *end;
    vouch_error_t *err;
} cur_t;

static size_t
off_of(const cur_t *c, const char *at)
{
    return (size_t)(at - c->start);
}

static bool
at(const cur_t *c, char ch)
{
    return c->p < c->end && *c->p == ch;
}

/* "'x'", "byte 0xHH" or "the end" for the byte at the cursor. */
static void
describe(const cur_t *c, char out[16])
{
    unsigned char ch;

    if (c->p >= c->end) {
        memcpy(out, "the end", 8);
        return;
    }
    ch = (unsigned char)*c->p;
    if (vouch__is_vchar(ch)) {
        (void)snprintf(out, 16, "'%c'", ch);
    } else {
        (void)snprintf(out, 16, "byte 0x%02x", ch);
    }
}

static int
syntax_at(const cur_t *c, const char *where, const char *what)
{
    return vouch__error(c->err, VOUCH_ESYNTAX, MOD, off_of(c, where), "%s",
                        what);
}

/* "<what>, found <byte at cursor>" at the cursor. */
static int
unexpected(const cur_t *c, const char *what)
{
    char found[16];

    describe(c, found);
    return vouch__error(c->err, VOUCH_ESYNTAX, MOD, off_of(c, c->p),
                        "%s, found %s", what, found);
}

/* a then b into dst (cap bytes, NUL included), cut to fit: for human
 * messages only, never for data. */
static void
join(char *dst, size_t cap, const char *a, const char *b)
{
    size_t o = 0, n;

    n = strlen(a);
    n = n < cap - 1 ? n : cap - 1;
    memcpy(dst, a, n);
    o = n;
    n = strlen(b);
    n = n < cap - 1 - o ? n : cap - 1 - o;
    memcpy(dst + o, b, n);
    dst[o + n] = '\0';
}

/*
 * NUL is not header text (RFC 5322 §2.2) and lets an attacker show one
 * parser a shorter value than another; CR and LF only occur as CRLF WSP
 * (a fold, §3.2.2). Anything else is refused here, once.
 */
static int
prescan(const cur_t *c)
{
    const char *p;

    for (p = c->start; p < c->end; p++) {
        if (*p == '\0') {
            return syntax_at(c, p, "NUL byte in an address field");
        }
        if (*p == '\n') {
            return syntax_at(c, p, "LF that is not part of a fold");
        }
        if (*p == '\r') {
            if (c->end - p < 3 || p[1] != '\n' ||
                !is_wsp((unsigned char)p[2])) {
                return syntax_at(c, p, "CR that is not part of a fold");
            }
            p += 2;
        }
    }
    return 0;
}

/* ---- FWS, comments, quoted strings ---------------------------------------
 */

/* FWS and obs-FWS; after prescan a CR is always CRLF WSP. */
static void
fws(cur_t *c)
{
    while (c->p < c->end) {
        if (is_wsp((unsigned char)*c->p)) {
            c->p++;
        } else if (*c->p == '\r') {
            c->p += 2;
        } else {
            return;
        }
    }
}

/* A backslash and the byte it quotes (cursor on the backslash). */
static int
quoted_pair(cur_t *c)
{
    if (c->end - c->p < 2) {
        return syntax_at(c, c->p, "backslash at the end of the value");
    }
    if (!is_qp_char((unsigned char)c->p[1])) {
        return syntax_at(c, c->p, "backslash before CR, LF or NUL");
    }
    c->p += 2;
    return 0;
}

/* A comment, nested ones included (cursor on '('). */
static int
comment(cur_t *c)
{
    const char *open = c->p;
    unsigned depth = 0;

    while (c->p < c->end) {
        unsigned char ch = (unsigned char)*c->p;
        int rc;

        if (ch == '(') {
            if (++depth > VOUCH_ADDRESS_COMMENT_DEPTH_MAX) {
                return syntax_at(c, c->p, "comments nested too deeply");
            }
            c->p++;
        } else if (ch == ')') {
            c->p++;
            if (--depth == 0) {
                return 0;
            }
        } else if (ch == '\\') {
            if ((rc = quoted_pair(c)) != 0) {
                return rc;
            }
        } else if (ch == '\r') {
            c->p += 2;
        } else if (is_wsp(ch) || is_ctext(ch)) {
            c->p++;
        } else {
            return unexpected(c, "bad byte in a comment");
        }
    }
    return syntax_at(c, open, "comment not closed");
}

/* [CFWS]: any mix of FWS and comments. */
static int
cfws(cur_t *c)
{
    for (;;) {
        int rc;

        fws(c);
        if (!at(c, '(')) {
            return 0;
        }
        if ((rc = comment(c)) != 0) {
            return rc;
        }
    }
}

/* The decoded local part as it is scanned; over records that it did not
 * fit (reported only if the words turn out to be a local part). */
typedef struct acc {
    char buf[VOUCH_ADDRESS_LOCAL_MAX + 1];
    size_t len;
    bool over;
} acc_t;

static void
acc_add(acc_t *a, const char *p, size_t n)
{
    if (a->over || n > VOUCH_ADDRESS_LOCAL_MAX - a->len) {
        a->over = true;
        return;
    }
    memcpy(a->buf + a->len, p, n);
    a->len += n;
}

/* A quoted string (cursor on '"'), its content decoded into a: quoted
 * pairs lose their backslash, a fold loses its CRLF (§3.2.4). */
static int
quoted_string(cur_t *c, acc_t *a)
{
    const char *open = c->p;

    c->p++;
    while (c->p < c->end) {
        unsigned char ch = (unsigned char)*c->p;
        int rc;

        if (ch == '"') {
            c->p++;
            return 0;
        }
        if (ch == '\\') {
            if ((rc = quoted_pair(c)) != 0) {
                return rc;
            }
            acc_add(a, c->p - 1, 1);
        } else if (ch == '\r') {
            c->p += 2;
        } else if (is_wsp(ch) || is_qtext(ch)) {
            acc_add(a, c->p, 1);
            c->p++;
        } else {
            return unexpected(c, "bad byte in a quoted string");
        }
    }
    return syntax_at(c, open, "quoted string not closed");
}

/* ---- words: a phrase or a local part --------------------------------------
 */

typedef struct words {
    const char *first;     /* where the first word or dot starts */
    int last;              /* 0: nothing yet, 1: a word, 2: a dot */
    bool phrase_ok;        /* word *(word / "." / CFWS)  (obs-phrase) */
    const char *local_bad; /* NULL while word *("." word) holds */
    const char *local_why;
    acc_t local;
} words_t;

static void
local_bad(words_t *w, const char *where, const char *why)
{
    if (w->local_bad == NULL) {
        w->local_bad = where;
        w->local_why = why;
    }
}

/* Words (atoms, quoted strings) and dots with CFWS anywhere between them
 * (obs-local-part, obs-phrase), up to the first other byte. */
static int
scan_words(cur_t *c, words_t *w)
{
    memset(w, 0, sizeof(*w));
    w->phrase_ok = true;
    for (;;) {
        const char *tok;
        unsigned char ch;
        int rc;

        if ((rc = cfws(c)) != 0) {
            return rc;
        }
        if (c->p >= c->end) {
            break;
        }
        tok = c->p;
        ch = (unsigned char)*c->p;
        if (ch == '"' || is_atext(ch)) {
            if (w->last == 1) {
                local_bad(w, tok, "two words without a '.' between them");
            }
            if (ch == '"') {
                if ((rc = quoted_string(c, &w->local)) != 0) {
                    return rc;
                }
            } else {
                while (c->p < c->end && is_atext((unsigned char)*c->p)) {
                    c->p++;
                }
                acc_add(&w->local, tok, (size_t)(c->p - tok));
            }
            w->last = 1;
        } else if (ch == '.') {
            if (w->last == 0) {
                w->phrase_ok = false;
                local_bad(w, tok, "'.' before the first word");
            } else if (w->last == 2) {
                local_bad(w, tok, "two '.' in a row");
            }
            acc_add(&w->local, ".", 1);
            c->p++;
            w->last = 2;
        } else {
            break;
        }
        if (w->first == NULL) {
            w->first = tok;
        }
    }
    if (w->last == 2) {
        local_bad(w, c->p, "'.' after the last word");
    }
    return 0;
}

/* ---- domains --------------------------------------------------------------
 */

/* A domain literal (cursor on '['); its content is never used. */
static int
domain_literal(cur_t *c)
{
    const char *open = c->p;

    c->p++;
    while (c->p < c->end) {
        unsigned char ch = (unsigned char)*c->p;
        int rc;

        if (ch == ']') {
            c->p++;
            return 0;
        }
        if (ch == '\\') {
            if ((rc = quoted_pair(c)) != 0) {
                return rc;
            }
        } else if (ch == '\r') {
            c->p += 2;
        } else if (is_wsp(ch) || is_dtext(ch)) {
            c->p++;
        } else {
            return unexpected(c, "bad byte in an address literal");
        }
    }
    return syntax_at(c, open, "address literal not closed");
}

/* What a domain came to; a NULL target only checks syntax (route
 * domains). */
typedef struct domain_out {
    vouch_address_t *addr;
    char *why; /* first unusable domain's reason, may be NULL */
    size_t why_cap;
} domain_out_t;

/*
 * domain = dot-atom / domain-literal / obs-domain (cursor after '@'):
 * atoms joined by dots, CFWS allowed around each. One final dot is
 * accepted (an absolute name; normalisation drops it).
 */
static int
domain(cur_t *c, domain_out_t *o)
{
    char raw[VOUCH_ADDRESS_DOMAIN_INPUT_MAX];
    const char *gap = c->p; /* start of the CFWS before the next token */
    size_t len = 0;
    bool over = false, split = false;
    int last = 0, rc;
    vouch_error_t derr;

    if ((rc = cfws(c)) != 0) {
        return rc;
    }
    if (at(c, '[')) {
        if ((rc = domain_literal(c)) != 0 || (rc = cfws(c)) != 0) {
            return rc;
        }
        if (o->addr != NULL) {
            o->addr->domain_status = VOUCH_ADDRESS_DOMAIN_LITERAL;
        }
        return 0;
    }
    while (c->p < c->end) {
        const char *tok = c->p;

        if (is_atext((unsigned char)*c->p) && last != 1) {
            while (c->p < c->end && is_atext((unsigned char)*c->p)) {
                c->p++;
            }
            last = 1;
        } else if (*c->p == '.') {
            if (last != 1) {
                return syntax_at(c, tok, "empty label in a domain");
            }
            c->p++;
            last = 2;
        } else {
            break;
        }
        split = split || tok != gap;
        if ((size_t)(c->p - tok) > sizeof(raw) - len) {
            over = true;
        } else if (!over) {
            memcpy(raw + len, tok, (size_t)(c->p - tok));
            len += (size_t)(c->p - tok);
        }
        gap = c->p;
        if ((rc = cfws(c)) != 0) {
            return rc;
        }
    }
    if (last == 0) {
        return unexpected(c, "expected a domain after '@'");
    }
    if (o->addr == NULL) {
        return 0;
    }
    o->addr->domain_cfws = split;
    vouch_error_clear(&derr);
    if (over) {
        rc = vouch__error(&derr, VOUCH_ESYNTAX, MOD, 0,
                          "domain longer than %d bytes",
                          VOUCH_ADDRESS_DOMAIN_INPUT_MAX);
    } else {
        rc = vouch_domain_normalize(o->addr->domain, raw, len, &derr);
    }
    if (rc == VOUCH_ENOMEM) {
        return vouch__error(c->err, rc, MOD, off_of(c, c->p),
                            "out of memory converting a domain");
    }
    if (rc != 0) {
        o->addr->domain[0] = '\0';
        o->addr->domain_status = VOUCH_ADDRESS_DOMAIN_INVALID;
        if (o->why != NULL && o->why[0] == '\0') {
            join(o->why, o->why_cap, derr.msg, "");
        }
    }
    return 0;
}

/* ---- addresses ------------------------------------------------------------
 */

typedef struct parser {
    cur_t c;
    vouch_address_t *out;
    size_t max, n;
    char *why; /* first unusable domain's reason (vouch_from_get) */
    size_t why_cap;
} parser_t;

/* The words scanned are the local part of a: check and copy them. */
static int
take_local(parser_t *ps, const words_t *w, vouch_address_t *a)
{
    if (w->local_bad != NULL) {
        return syntax_at(&ps->c, w->local_bad, w->local_why);
    }
    if (w->local.over) {
        return vouch__error(
            ps->c.err, VOUCH_ETOOBIG, MOD, off_of(&ps->c, w->first),
            "local part longer than %d bytes", VOUCH_ADDRESS_LOCAL_MAX);
    }
    memcpy(a->local, w->local.buf, w->local.len);
    a->local[w->local.len] = '\0';
    return 0;
}

/* The local part (words scanned) and, after '@', the domain of a. */
static int
addr_spec_rest(parser_t *ps, const words_t *w, vouch_address_t *a)
{
    domain_out_t o = { a, ps->why, ps->why_cap };
    int rc;

    if ((rc = take_local(ps, w, a)) != 0) {
        return rc;
    }
    if (!at(&ps->c, '@')) {
        /* the one leniency: "root" parses, without a domain */
        a->has_domain = false;
        a->domain_status = VOUCH_ADDRESS_DOMAIN_NONE;
        return 0;
    }
    ps->c.p++;
    a->has_domain = true;
    a->domain_status = VOUCH_ADDRESS_DOMAIN_OK;
    return domain(&ps->c, &o);
}

/* obs-route = obs-domain-list ":" (cursor on '@' or ','); the domains are
 * checked and dropped (RFC 5322 §4.4: a receiver ignores the route). */
static int
route(parser_t *ps)
{
    cur_t *c = &ps->c;
    domain_out_t none = { NULL, NULL, 0 };
    int rc;

    for (;;) {
        if ((rc = cfws(c)) != 0) {
            return rc;
        }
        if (!at(c, ',')) {
            break;
        }
        c->p++;
    }
    if (!at(c, '@')) {
        return unexpected(c, "expected '@' in a source route");
    }
    c->p++;
    if ((rc = domain(c, &none)) != 0) {
        return rc;
    }
    while (at(c, ',')) {
        c->p++;
        if ((rc = cfws(c)) != 0) {
            return rc;
        }
        if (at(c, '@')) {
            c->p++;
            if ((rc = domain(c, &none)) != 0) {
                return rc;
            }
        }
    }
    if (!at(c, ':')) {
        return unexpected(c, "expected ':' after a source route");
    }
    c->p++;
    return 0;
}

/* angle-addr / obs-angle-addr (cursor on '<'). */
static int
angle_addr(parser_t *ps, vouch_address_t *a)
{
    cur_t *c = &ps->c;
    words_t w;
    int rc;

    c->p++;
    if ((rc = cfws(c)) != 0) {
        return rc;
    }
    if ((at(c, '@') || at(c, ',')) && (rc = route(ps)) != 0) {
        return rc;
    }
    if ((rc = scan_words(c, &w)) != 0) {
        return rc;
    }
    if (w.last == 0) {
        return unexpected(c, "expected an address after '<'");
    }
    if ((rc = addr_spec_rest(ps, &w, a)) != 0) {
        return rc;
    }
    if (!at(c, '>')) {
        return unexpected(c, "expected '>' after the address");
    }
    c->p++;
    return cfws(c);
}

static void
emit(parser_t *ps, const vouch_address_t *a)
{
    if (ps->n < ps->max) {
        ps->out[ps->n] = *a;
    }
    ps->n++;
}

static int address(parser_t *ps, bool in_group);

/* group = display-name ":" [group-list] ";" [CFWS] (cursor on ':'). */
static int
group(parser_t *ps, const char *open)
{
    cur_t *c = &ps->c;
    bool need_sep = false;
    int rc;

    c->p++;
    for (;;) {
        if ((rc = cfws(c)) != 0) {
            return rc;
        }
        if (c->p >= c->end) {
            return syntax_at(c, open, "group not closed with ';'");
        }
        if (*c->p == ';') {
            c->p++;
            return cfws(c);
        }
        if (*c->p == ',') {
            c->p++;
            need_sep = false;
            continue;
        }
        if (need_sep) {
            return unexpected(c, "expected ',' or ';' after an address");
        }
        if ((rc = address(ps, true)) != 0) {
            return rc;
        }
        need_sep = true;
    }
}

/* address = mailbox / group; a group only at the top level. */
static int
address(parser_t *ps, bool in_group)
{
    cur_t *c = &ps->c;
    vouch_address_t a;
    words_t w;
    const char *start = c->p;
    int rc;

    memset(&a, 0, sizeof(a));
    a.offset = off_of(c, start);
    if ((rc = scan_words(c, &w)) != 0) {
        return rc;
    }
    if (at(c, '<')) {
        if (!w.phrase_ok) {
            return syntax_at(c, w.first, "display name starts with '.'");
        }
        if ((rc = angle_addr(ps, &a)) != 0) {
            return rc;
        }
        emit(ps, &a);
        return 0;
    }
    if (at(c, ':')) {
        if (in_group) {
            return syntax_at(c, c->p, "group inside a group");
        }
        if (w.last == 0 || !w.phrase_ok) {
            return syntax_at(c, c->p, "group without a display name");
        }
        return group(ps, start);
    }
    if (w.last == 0) {
        return unexpected(c, "expected an address");
    }
    if ((rc = addr_spec_rest(ps, &w, &a)) != 0) {
        return rc;
    }
    emit(ps, &a);
    return 0;
}

/* obs-addr-list: empty elements between commas are allowed (§4.4). */
static int
list_parse(parser_t *ps)
{
    cur_t *c = &ps->c;
    bool need_sep = false;
    int rc;

    if ((rc = prescan(c)) != 0) {
        return rc;
    }
    for (;;) {
        if ((rc = cfws(c)) != 0) {
            return rc;
        }
        if (c->p >= c->end) {
            return 0;
        }
        if (*c->p == ',') {
            c->p++;
            need_sep = false;
            continue;
        }
        if (need_sep) {
            return unexpected(c, "expected ',' after an address");
        }
        if ((rc = address(ps, false)) != 0) {
            return rc;
        }
        need_sep = true;
    }
}

/* see vouch/address.h */
int
vouch_address_list_parse(const char *value, size_t len, vouch_address_t *out,
                         size_t max, size_t *n, vouch_error_t *err)
{
    parser_t ps;
    int rc;

    if (n != NULL) {
        *n = 0;
    }
    if (n == NULL || (value == NULL && len > 0) || (out == NULL && max > 0)) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0, "bad arguments");
    }
    memset(&ps, 0, sizeof(ps));
    ps.c.start = ps.c.p = value;
    ps.c.end = value != NULL ? value + len : value; /* no offset on NULL */
    ps.c.err = err;
    ps.out = out;
    ps.max = max;
    rc = list_parse(&ps);
    *n = ps.n;
    if (rc == 0 && ps.n > max) {
        rc = vouch__error(err, VOUCH_ETOOBIG, MOD, 0,
                          "%zu addresses, room for %zu", ps.n, max);
    }
    return rc;
}

/* ---- domain normalisation -------------------------------------------------
 */

static int
bad_domain(vouch_error_t *err, const char *why, const char *name, size_t len)
{
    char shown[72];

    vouch__escape_into(shown, sizeof(shown), name, len);
    return vouch__error(err, VOUCH_ESYNTAX, MOD, 0, "%s: '%s'", why, shown);
}

/* Strict UTF-8 (RFC 3629): no overlong forms, surrogates or values above
 * U+10FFFF. */
static bool
utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        unsigned char b = s[i];
        size_t k, need;
        uint32_t cp;

        if (b < 0x80) {
            i++;
            continue;
        }
        if (b >= 0xc2 && b <= 0xdf) {
            need = 1;
            cp = b & 0x1fu;
        } else if (b >= 0xe0 && b <= 0xef) {
            need = 2;
            cp = b & 0x0fu;
        } else if (b >= 0xf0 && b <= 0xf4) {
            need = 3;
            cp = b & 0x07u;
        } else {
            return false;
        }
        if (len - i <= need) {
            return false;
        }
        for (k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (s[i + k] & 0x3fu);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return false;
        }
        i += need + 1;
    }
    return true;
}

/* Does some label start with "xn--" (ASCII case-insensitive)? */
static bool
has_alabel(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if ((i == 0 || s[i - 1] == '.') &&
            vouch__str_iprefix(s + i, len - i, "xn--")) {
            return true;
        }
    }
    return false;
}

/* The final checks on an ASCII name (RFC 1034 §3.5 LDH, RFC 1035 §2.3.4
 * lengths, RFC 3696 §2 top label not all-numeric), then the copy. */
static int
check_name(char out[VOUCH_DNS_NAME_MAX + 1], const char *name, size_t len,
           vouch_error_t *err)
{
    size_t i, label = 0;
    bool digits = true;

    if (len == 0) {
        return bad_domain(err, "empty domain", name, len);
    }
    if (len > VOUCH_DNS_NAME_MAX) {
        return bad_domain(err, "domain longer than 253 bytes", name, len);
    }
    for (i = 0; i <= len; i++) {
        char ch = i < len ? name[i] : '.';

        if (ch == '.') {
            if (label == 0) {
                return bad_domain(err, "empty label in domain", name, len);
            }
            if (label > VOUCH_DNS_LABEL_MAX) {
                return bad_domain(err, "label longer than 63 bytes", name, len);
            }
            if (name[i - 1] == '-') {
                return bad_domain(err, "label ends with '-'", name, len);
            }
            label = 0;
            continue;
        }
        if (!vouch__is_alnum(ch) && ch != '-') {
            return bad_domain(err, "not a host name (letters, digits, '-')",
                              name, len);
        }
        if (ch == '-' && label == 0) {
            return bad_domain(err, "label starts with '-'", name, len);
        }
        if (label == 0) {
            digits = true;
        }
        digits = digits && vouch__is_digit(ch);
        label++;
    }
    if (digits) {
        return bad_domain(err, "top-level label is all digits", name, len);
    }
    memcpy(out, name, len);
    out[len] = '\0';
    return 0;
}

/* U-labels (or checked A-labels) through libidn2 into tmp (lower case).
 * tmp holds len bytes of input and has room for the NUL. */
static int
to_alabels(char *tmp, size_t *len, vouch_error_t *err)
{
    char *a = NULL;
    size_t alen;
    int rc;

    if (!utf8_valid((const unsigned char *)tmp, *len)) {
        return bad_domain(err, "domain is not valid UTF-8", tmp, *len);
    }
    tmp[*len] = '\0';
    rc = idn2_to_ascii_8z(tmp, &a, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    if (rc == IDN2_MALLOC) {
        return vouch__error(err, VOUCH_ENOMEM, MOD, 0, "out of memory (IDN)");
    }
    if (rc != IDN2_OK || a == NULL) {
        char shown[72];

        vouch__escape_into(shown, sizeof(shown), tmp, *len);
        idn2_free(a);
        return vouch__error(err, VOUCH_ESYNTAX, MOD, 0, "bad IDN '%s': %s",
                            shown, idn2_strerror(rc));
    }
    alen = strlen(a);
    if (alen > VOUCH_ADDRESS_DOMAIN_INPUT_MAX) {
        idn2_free(a);
        return bad_domain(err, "domain too long after IDN conversion", tmp,
                          *len);
    }
    memcpy(tmp, a, alen);
    idn2_free(a);
    *len = alen;
    return 0;
}

/* see vouch/address.h */
int
vouch_domain_normalize(char out[VOUCH_DNS_NAME_MAX + 1], const char *in,
                       size_t len, vouch_error_t *err)
{
    char tmp[VOUCH_ADDRESS_DOMAIN_INPUT_MAX + 1];
    bool ascii = true;
    size_t i;
    int rc;

    if (out == NULL || (in == NULL && len > 0)) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0, "bad arguments");
    }
    out[0] = '\0';
    if (len == 0) {
        return bad_domain(err, "empty domain", "", 0);
    }
    if (len > VOUCH_ADDRESS_DOMAIN_INPUT_MAX) {
        return bad_domain(err, "domain too long", in, len);
    }
    if (memchr(in, '\0', len) != NULL) {
        return bad_domain(err, "NUL byte in domain", in, len);
    }
    /* an absolute name: the root label is not part of the author domain */
    if (len > 0 && in[len - 1] == '.') {
        len--;
    }
    for (i = 0; i < len; i++) {
        tmp[i] = vouch__lower(in[i]);
        ascii = ascii && (unsigned char)in[i] < 0x80;
    }
    tmp[len] = '\0';
    if (!ascii || has_alabel(tmp, len)) {
        if (len == 0 || tmp[0] == '.' || strstr(tmp, "..") != NULL) {
            return bad_domain(err, "empty label in domain", tmp, len);
        }
        if ((rc = to_alabels(tmp, &len, err)) != 0) {
            return rc;
        }
        /* a final U+3002 (ideographic full stop) maps to '.' */
        if (len > 0 && tmp[len - 1] == '.') {
            len--;
        }
        for (i = 0; i < len; i++) {
            tmp[i] = vouch__lower(tmp[i]);
        }
    }
    return check_name(out, tmp, len, err);
}

/* ---- the From author domain ----------------------------------------------
 */

/* see vouch/address.h */
const char *
vouch_from_status_name(vouch_from_status_t s)
{
    switch (s) {
    case VOUCH_FROM_OK:
        return "ok";
    case VOUCH_FROM_MISSING:
        return "missing";
    case VOUCH_FROM_MULTIPLE_FIELDS:
        return "multiple-fields";
    case VOUCH_FROM_MULTIPLE_ADDRESSES:
        return "multiple-addresses";
    case VOUCH_FROM_EMPTY:
        return "empty";
    case VOUCH_FROM_NO_DOMAIN:
        return "no-domain";
    case VOUCH_FROM_BAD_DOMAIN:
        return "bad-domain";
    case VOUCH_FROM_SYNTAX:
        return "syntax";
    }
    return "unknown";
}

static void
verdict(vouch_from_t *out, vouch_from_status_t s, const char *reason)
{
    out->status = s;
    join(out->reason, sizeof(out->reason), reason, "");
}

/* The one From field's value, parsed. */
static int
from_field(vouch_from_t *out, const vouch_mail_field_t *f)
{
    vouch_address_t first;
    vouch_error_t err;
    char why[VOUCH_ERROR_MSG_MAX] = "";
    char reason[sizeof(out->reason)];
    parser_t ps;
    int rc;

    memset(&ps, 0, sizeof(ps));
    vouch_error_clear(&err);
    ps.c.start = ps.c.p = f->raw + f->value_off;
    ps.c.end = f->raw + f->len;
    ps.c.err = &err;
    ps.out = &first;
    ps.max = 1;
    ps.why = why;
    ps.why_cap = sizeof(why);
    rc = list_parse(&ps);
    if (rc == VOUCH_ENOMEM) {
        verdict(out, VOUCH_FROM_SYNTAX, "out of memory");
        return rc;
    }
    if (rc != 0) {
        char where[48];

        (void)snprintf(where, sizeof(where), "From, byte %zu: ", err.offset);
        join(reason, sizeof(reason), where, err.msg);
        verdict(out, VOUCH_FROM_SYNTAX, reason);
        return 0;
    }
    out->naddresses = ps.n;
    if (ps.n == 0) {
        verdict(out, VOUCH_FROM_EMPTY, "From holds no address");
    } else if (ps.n > 1) {
        (void)snprintf(reason, sizeof(reason), "From holds %zu addresses",
                       ps.n);
        verdict(out, VOUCH_FROM_MULTIPLE_ADDRESSES, reason);
    } else if (!first.has_domain) {
        verdict(out, VOUCH_FROM_NO_DOMAIN, "From address has no domain");
    } else if (first.domain_cfws) {
        verdict(out, VOUCH_FROM_BAD_DOMAIN,
                "From domain has whitespace or a comment inside it");
    } else if (first.domain_status == VOUCH_ADDRESS_DOMAIN_LITERAL) {
        verdict(out, VOUCH_FROM_BAD_DOMAIN,
                "From domain is an address literal");
    } else if (first.domain_status != VOUCH_ADDRESS_DOMAIN_OK) {
        join(reason, sizeof(reason), "From domain unusable: ", why);
        verdict(out, VOUCH_FROM_BAD_DOMAIN, reason);
    } else {
        out->status = VOUCH_FROM_OK;
        out->address = first;
    }
    return 0;
}

/* see vouch/address.h */
int
vouch_from_get(vouch_from_t *out, const vouch_mail_header_t *hdr)
{
    size_t first, i, count = 0;
    char reason[sizeof(out->reason)];

    if (out == NULL) {
        return VOUCH_EINVAL;
    }
    memset(out, 0, sizeof(*out));
    out->field_index = (size_t)-1;
    if (hdr == NULL) {
        verdict(out, VOUCH_FROM_MISSING, "no header");
        return VOUCH_EINVAL;
    }
    first = vouch_mail_header_find(hdr, "From", 4, 0);
    for (i = first; i != (size_t)-1;
         i = vouch_mail_header_find(hdr, "From", 4, i + 1)) {
        count++;
    }
    if (count == 0) {
        /* RFC 7489 §6.6.1: the author is From; Sender is never a stand-in */
        verdict(out, VOUCH_FROM_MISSING, "no From field");
        return 0;
    }
    if (count > 1) {
        (void)snprintf(reason, sizeof(reason), "%zu From fields", count);
        verdict(out, VOUCH_FROM_MULTIPLE_FIELDS, reason);
        return 0;
    }
    out->field_index = first;
    return from_field(out, vouch_mail_header_field(hdr, first));
}
