/* SPDX-License-Identifier: MIT */
/*
 * dns/zone_parse.c - the master-file reader of the zone backend: RFC 1035
 * §5 text as BIND and NSD read it, handed record by record to the store in
 * zone.c.
 *
 * Accepted: $ORIGIN and $INCLUDE (§5.1; an included file is found relative
 * to the including file's folder, nesting is capped and loops are refused;
 * text loaded from memory may not include), $TTL (RFC 2308 §4) and BIND's
 * TTL units (1h30m), relative names and @, a blank owner meaning the
 * previous one, TTL and class (IN only) in either order, parentheses
 * across lines, ; comments, quoted and bare character-strings, \X and \DDD
 * escapes (in names too, where an escaped '.' is a byte of its label),
 * types A AAAA NS CNAME SOA PTR MX TXT SPF TLSA CAA in presentation form,
 * any type as TYPEnnn with RFC 3597 §5 \# rdata, and the $FAULT test
 * directive (dns.h).
 *
 * Every record goes through wire form: presentation rdata is encoded, \#
 * rdata is taken as is, and one decoder turns both into the vouch_dns_rr_t
 * form (so "MX \# ..." is checked like "MX 10 mx").
 *
 * Invariants: the lexer walks a (pointer, end) pair and never reads past
 * end; each byte is looked at a bounded number of times, so time is linear
 * in the input; every entry ends at a newline outside parentheses or at
 * the end, so the loop always advances. Bytes read by one load are capped
 * at VOUCH_ZONE_FILE_MAX per file times the files a full $INCLUDE chain may
 * hold. Errors name the file and line.
 *
 * Not done: $GENERATE, classes other than IN, mnemonics that
 * vouch_dns_type_parse() does not know (write them TYPEnnn \# ...).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "zone_internal.h"

#define KEY_MAX VOUCH__ZONE_KEY_MAX

/* Bytes of a token shown in a message. */
#define SHOW 48

/* Longest $INCLUDE path, folder included (Linux's PATH_MAX). */
#define PATH_BYTES 4096

typedef struct scratch { /* grows up to VOUCH_DNS_RDATA_MAX bytes */
    uint8_t *p;
    size_t cap;
} scratch_t;

typedef struct load { /* one load call */
    vouch_zone_t *zone;
    vouch_error_t *err;
    scratch_t wire; /* rdata being read */
    scratch_t text; /* the same, decoded */
    size_t bytes;   /* read from every file of this load */
    bool files;     /* $INCLUDE allowed */
} load_t;

typedef struct tok {
    const char *p; /* inside the quotes when quoted */
    size_t len;
    unsigned long line;
    bool quoted;
} tok_t;

typedef struct file { /* one file, or the text, being read */
    load_t *ld;
    const struct file *parent; /* the file that included this one */
    const char *name;
    unsigned depth;
    bool real; /* dev and ino identify the file */
    dev_t dev;
    ino_t ino;
    const char *base, *p, *end;
    unsigned long line, end_line, paren_line;
    bool paren, at_end, has_pending;
    tok_t pending;
    uint8_t origin[KEY_MAX], owner[KEY_MAX];
    size_t origin_len, owner_len; /* owner_len 0: no owner yet */
    uint32_t ttl, last_ttl;       /* $TTL; last explicit TTL */
    bool has_ttl, has_last_ttl;
} file_t;

static const uint8_t root_name[1] = { 0 };

static int load_path(load_t *ld, const char *path, const file_t *parent,
                     const tok_t *at, const uint8_t *origin, size_t origin_len);

/* ---- messages ----------------------------------------------------------- */

static int fail(const file_t *f, int code, const tok_t *t, const char *fmt, ...)
    VOUCH_PRINTF(4, 5);

/* "file:line: message" into the load's error; the line is the token's, or
 * the current one (the entry's last when it has ended). */
static int
fail(const file_t *f, int code, const tok_t *t, const char *fmt, ...)
{
    char msg[VOUCH_ERROR_MSG_MAX];
    unsigned long line = t != NULL   ? t->line
                         : f->at_end ? f->end_line
                                     : f->line;
    const char *at = t != NULL ? t->p : f->p;
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return vouch__error(f->ld->err, code, "zone", (size_t)(at - f->base),
                        "%s:%lu: %s", f->name, line, msg);
}

static const char *
show(const tok_t *t, char buf[SHOW])
{
    vouch__escape_into(buf, SHOW, t->p, t->len);
    return buf;
}

/* ---- lexer (RFC 1035 §5.1) --------------------------------------------- */

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Skip empty and comment-only lines up to the next entry. *blank: its line
 * starts with a blank, so it belongs to the previous owner. False at the
 * end of the input. */
static bool
lex_entry(file_t *f, bool *blank)
{
    f->at_end = false;
    f->has_pending = false;
    for (;;) {
        const char *p = f->p;

        if (p >= f->end) {
            return false;
        }
        *blank = *p == ' ' || *p == '\t';
        while (p < f->end && is_blank(*p)) {
            p++;
        }
        if (p < f->end && *p == ';') {
            p = memchr(p, '\n', (size_t)(f->end - p));
            p = p != NULL ? p : f->end;
        }
        f->p = p;
        if (p >= f->end) {
            return false;
        }
        if (*p != '\n') {
            return true;
        }
        f->p++;
        f->line++;
    }
}

/* After a backslash at *p (inside the token): step over the escaped byte.
 * False at the end of the input. */
static bool
lex_escape(file_t *f, const char **p)
{
    if (++*p >= f->end) {
        return false;
    }
    if (**p == '\n') {
        f->line++;
    }
    return true;
}

static int
lex_word(file_t *f, tok_t *t)
{
    const char *p = f->p;

    t->p = p;
    t->line = f->line;
    t->quoted = false;
    while (p < f->end && !is_blank(*p) && *p != '\n' && *p != '(' &&
           *p != ')' && *p != ';' && *p != '"') {
        if (*p == '\0') {
            f->p = p;
            return fail(f, VOUCH_ESYNTAX, NULL, "NUL byte (write it \\000)");
        }
        if (*p == '\\' && !lex_escape(f, &p)) {
            return fail(f, VOUCH_ESYNTAX, t, "'\\' at the end of the input");
        }
        p++;
    }
    t->len = (size_t)(p - t->p);
    f->p = p;
    return 1;
}

static int
lex_quoted(file_t *f, tok_t *t)
{
    const char *p = f->p + 1;

    t->p = p;
    t->line = f->line;
    t->quoted = true;
    for (;;) {
        /* a newline must be escaped: an unclosed quote then stops at its
         * own line instead of swallowing the file */
        if (p >= f->end || *p == '\n') {
            return fail(f, VOUCH_ESYNTAX, t, "unterminated quoted string");
        }
        if (*p == '"') {
            break;
        }
        if (*p == '\0') {
            f->p = p;
            return fail(f, VOUCH_ESYNTAX, NULL, "NUL byte (write it \\000)");
        }
        if (*p == '\\' && !lex_escape(f, &p)) {
            return fail(f, VOUCH_ESYNTAX, t, "unterminated quoted string");
        }
        p++;
    }
    t->len = (size_t)(p - t->p);
    f->p = p + 1;
    return 1;
}

/* The next token of the entry: 1 (token in *t), 0 (the entry has ended;
 * so it stays until lex_entry), or an error. */
static int
next(file_t *f, tok_t *t)
{
    if (f->has_pending) {
        *t = f->pending;
        f->has_pending = false;
        return 1;
    }
    while (!f->at_end) {
        char c;

        if (f->p >= f->end) {
            if (f->paren) {
                tok_t open = { f->p, 0, f->paren_line, false };

                return fail(f, VOUCH_ESYNTAX, &open, "'(' never closed");
            }
            f->at_end = true;
            f->end_line = f->line;
            break;
        }
        c = *f->p;
        if (is_blank(c)) {
            f->p++;
        } else if (c == ';') {
            const char *nl = memchr(f->p, '\n', (size_t)(f->end - f->p));

            f->p = nl != NULL ? nl : f->end;
        } else if (c == '\n') {
            f->p++;
            if (!f->paren) {
                f->at_end = true;
                f->end_line = f->line;
            }
            f->line++;
        } else if (c == '(' || c == ')') {
            if (f->paren == (c == '(')) {
                return fail(f, VOUCH_ESYNTAX, NULL,
                            c == '(' ? "nested '('" : "')' without '('");
            }
            f->paren = c == '(';
            f->paren_line = f->paren ? f->line : f->paren_line;
            f->p++;
        } else {
            return c == '"' ? lex_quoted(f, t) : lex_word(f, t);
        }
    }
    return 0;
}

static void
unget(file_t *f, const tok_t *t)
{
    f->pending = *t;
    f->has_pending = true;
}

static int
need(file_t *f, tok_t *t, const char *what)
{
    int rc = next(f, t);

    if (rc == 0) {
        return fail(f, VOUCH_ESYNTAX, NULL, "missing %s", what);
    }
    return rc < 0 ? rc : 0;
}

static int
expect_end(file_t *f)
{
    char s[SHOW];
    tok_t t;
    int rc = next(f, &t);

    if (rc <= 0) {
        return rc;
    }
    return fail(f, VOUCH_ESYNTAX, &t, "unexpected '%s' at the end of the entry",
                show(&t, s));
}

static bool
is(const tok_t *t, const char *word)
{
    return !t->quoted && vouch__str_ieq(t->p, t->len, word, strlen(word));
}

/* ---- fields ------------------------------------------------------------- */

/* RFC 1035 §5.1: "\X" is X itself, "\DDD" the byte of decimal value DDD.
 * *p is just after the backslash. */
static bool
unescape(const char **p, const char *end, uint8_t *out)
{
    const char *s = *p;
    unsigned v;

    if (s >= end) {
        return false;
    }
    if (!vouch__is_digit(*s)) {
        *out = (uint8_t)*s;
        *p = s + 1;
        return true;
    }
    if (end - s < 3 || !vouch__is_digit(s[1]) || !vouch__is_digit(s[2])) {
        return false;
    }
    v = (unsigned)(s[0] - '0') * 100 + (unsigned)(s[1] - '0') * 10 +
        (unsigned)(s[2] - '0');
    if (v > 255) {
        return false;
    }
    *out = (uint8_t)v;
    *p = s + 3;
    return true;
}

/* A <character-string> (quoted or not), escapes decoded, at most max. */
static int
cstring(const file_t *f, const tok_t *t, uint8_t *out, size_t max, size_t *len,
        const char *what)
{
    const char *p = t->p, *end = t->p + t->len;
    size_t n = 0;
    char s[SHOW];

    while (p < end) {
        uint8_t b = (uint8_t)*p++;

        if (b == '\\' && !unescape(&p, end, &b)) {
            return fail(f, VOUCH_ESYNTAX, t, "bad escape in '%s'", show(t, s));
        }
        if (n == max) {
            return fail(f, VOUCH_ETOOBIG, t, "%s longer than %zu bytes", what,
                        max);
        }
        out[n++] = b;
    }
    *len = n;
    return 0;
}

static int
too_long(const file_t *f, const tok_t *t)
{
    char s[SHOW];

    return fail(f, VOUCH_ETOOBIG, t,
                "domain name longer than 253 characters: '%s'", show(t, s));
}

/*
 * A <domain-name> into wire form (case kept). RFC 1035 §5.1: "@" is the
 * origin, a name without a final dot is relative to it; an escaped dot is
 * a byte of its label. §2.3.4: labels of 63 bytes, names of 255 (253 in
 * text).
 */
static int
name(const file_t *f, const tok_t *t, uint8_t *out, size_t *out_len)
{
    const char *p = t->p, *end = t->p + t->len;
    size_t lp = 0, o = 1; /* out[lp] takes the length of the open label */
    char s[SHOW];

    if (t->quoted) {
        return fail(f, VOUCH_ESYNTAX, t, "domain name in quotes: \"%s\"",
                    show(t, s));
    }
    if (t->len == 1 && (*p == '@' || *p == '.')) {
        *out_len = *p == '@' ? f->origin_len : 1;
        memcpy(out, *p == '@' ? f->origin : root_name, *out_len);
        return 0;
    }
    while (p < end) {
        uint8_t b = (uint8_t)*p++;

        if (b == '.') {
            if (o - lp == 1) {
                return fail(f, VOUCH_ESYNTAX, t, "empty label in '%s'",
                            show(t, s));
            }
            out[lp] = (uint8_t)(o - lp - 1);
            lp = o++;
            if (o > KEY_MAX) {
                return too_long(f, t);
            }
            continue;
        }
        if (b == '\\' && !unescape(&p, end, &b)) {
            return fail(f, VOUCH_ESYNTAX, t, "bad escape in '%s'", show(t, s));
        }
        if (o - lp - 1 == VOUCH_DNS_LABEL_MAX) {
            return fail(f, VOUCH_ETOOBIG, t,
                        "label longer than 63 bytes in '%s'", show(t, s));
        }
        if (o >= KEY_MAX) {
            return too_long(f, t);
        }
        out[o++] = b;
    }
    if (o - lp == 1) { /* a final dot: absolute */
        out[lp] = 0;
        *out_len = lp + 1;
        return 0;
    }
    out[lp] = (uint8_t)(o - lp - 1);
    if (o + f->origin_len > KEY_MAX) {
        return too_long(f, t);
    }
    memcpy(out + o, f->origin, f->origin_len);
    *out_len = o + f->origin_len;
    return 0;
}

static int
number(const file_t *f, const tok_t *t, uint64_t max, uint64_t *v,
       const char *what)
{
    const char *p = t->p;
    char s[SHOW];

    if (t->quoted || vouch__parse_uint(&p, t->p + t->len, max, v) != 0 ||
        p != t->p + t->len) {
        return fail(f, VOUCH_ESYNTAX, t, "bad %s '%s'", what, show(t, s));
    }
    return 0;
}

static uint64_t
ttl_unit(char c)
{
    switch (vouch__lower(c)) {
    case 's':
        return 1;
    case 'm':
        return 60;
    case 'h':
        return 3600;
    case 'd':
        return 86400;
    case 'w':
        return 604800;
    default:
        return 0;
    }
}

/* A TTL: seconds, or BIND's units ("1h30m", "2w"), at most 2^31 - 1
 * (RFC 2181 §8). */
static int
ttl_value(const file_t *f, const tok_t *t, uint32_t *out)
{
    const char *p = t->p, *end = t->p + t->len;
    uint64_t total = 0, v, unit;
    char s[SHOW];

    if (t->quoted || vouch__parse_uint(&p, end, VOUCH__ZONE_TTL_MAX, &v) != 0) {
        goto bad;
    }
    if (p == end) {
        *out = (uint32_t)v;
        return 0;
    }
    for (;;) {
        if ((unit = ttl_unit(*p++)) == 0) {
            goto bad;
        }
        total += v * unit; /* < 2^31 * 2^20: no overflow */
        if (total > VOUCH__ZONE_TTL_MAX) {
            goto bad;
        }
        if (p == end) {
            break;
        }
        if (vouch__parse_uint(&p, end, VOUCH__ZONE_TTL_MAX, &v) != 0 ||
            p == end) {
            goto bad;
        }
    }
    *out = (uint32_t)total;
    return 0;
bad:
    return fail(f, VOUCH_ESYNTAX, t, "bad TTL '%s'", show(t, s));
}

static bool
is_class(const tok_t *t)
{
    size_t i;

    if (is(t, "IN") || is(t, "CH") || is(t, "CS") || is(t, "HS")) {
        return true;
    }
    if (t->quoted || t->len <= 5 ||
        !vouch__str_iprefix(t->p, t->len, "CLASS")) {
        return false;
    }
    for (i = 5; i < t->len && vouch__is_digit(t->p[i]); i++) {
    }
    return i == t->len;
}

/* RFC 3597 §5: CLASS1 is IN. */
static int
check_class(const file_t *f, const tok_t *t)
{
    const char *p = t->p + 5;
    uint64_t v;
    char s[SHOW];

    /* is_class() let through IN, CH, CS, HS and CLASS<digits> only */
    if (is(t, "IN") ||
        (t->len > 5 && vouch__parse_uint(&p, t->p + t->len, 65535, &v) == 0 &&
         v == 1)) {
        return 0;
    }
    return fail(f, VOUCH_ESYNTAX, t, "class '%s' not supported (only IN)",
                show(t, s));
}

/* ---- rdata into wire form ----------------------------------------------- */

/* Room for n <= VOUCH_DNS_RDATA_MAX bytes in s. */
static int
reserve(const file_t *f, scratch_t *s, size_t n, const tok_t *t)
{
    size_t cap = s->cap == 0 ? 512 : s->cap;
    uint8_t *p;

    if (n <= s->cap) {
        return 0;
    }
    while (cap < n) {
        cap *= 2;
    }
    cap = cap > VOUCH_DNS_RDATA_MAX ? VOUCH_DNS_RDATA_MAX : cap;
    p = vouch__realloc(vouch__zone_ctx(f->ld->zone), s->p, cap);
    if (p == NULL) {
        return fail(f, VOUCH_ENOMEM, t, "out of memory");
    }
    s->p = p;
    s->cap = cap;
    return 0;
}

static int
put(file_t *f, size_t *len, const void *b, size_t n, const tok_t *t)
{
    int rc;

    if (n > VOUCH_DNS_RDATA_MAX - *len) {
        return fail(f, VOUCH_ETOOBIG, t, "rdata longer than %d bytes",
                    VOUCH_DNS_RDATA_MAX);
    }
    if ((rc = reserve(f, &f->ld->wire, *len + n, t)) != 0) {
        return rc;
    }
    if (n > 0) {
        memcpy(f->ld->wire.p + *len, b, n);
    }
    *len += n;
    return 0;
}

static int
rd_addr(file_t *f, size_t *len, int family)
{
    vouch_ip_t ip;
    char s[SHOW];
    tok_t t;
    int rc = need(f, &t, family == 4 ? "IPv4 address" : "IPv6 address");

    if (rc != 0) {
        return rc;
    }
    if (t.quoted || vouch_ip_parse(&ip, t.p, t.len) != 0 ||
        ip.family != family) {
        return fail(f, VOUCH_ESYNTAX, &t, "bad IPv%d address '%s'", family,
                    show(&t, s));
    }
    return put(f, len, ip.addr, family == 4 ? 4 : 16, &t);
}

static int
rd_name(file_t *f, size_t *len, const char *what)
{
    uint8_t w[KEY_MAX];
    size_t wl;
    tok_t t;
    int rc;

    if ((rc = need(f, &t, what)) != 0 || (rc = name(f, &t, w, &wl)) != 0) {
        return rc;
    }
    return put(f, len, w, wl, &t);
}

/* An unsigned number of 1, 2 or 4 bytes, network order. */
static int
rd_number(file_t *f, size_t *len, unsigned bytes, const char *what)
{
    uint64_t v;
    uint8_t b[4];
    unsigned i;
    tok_t t;
    int rc;

    if ((rc = need(f, &t, what)) != 0 ||
        (rc = number(f, &t, ((uint64_t)1 << (8 * bytes)) - 1, &v, what)) != 0) {
        return rc;
    }
    for (i = 0; i < bytes; i++) {
        b[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
    }
    return put(f, len, b, bytes, &t);
}

/* SOA timers: TTL syntax (BIND accepts units there too). */
static int
rd_timer(file_t *f, size_t *len, const char *what)
{
    uint32_t v;
    uint8_t b[4];
    tok_t t;
    int rc;

    if ((rc = need(f, &t, what)) != 0 || (rc = ttl_value(f, &t, &v)) != 0) {
        return rc;
    }
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
    return put(f, len, b, 4, &t);
}

/* RFC 1035 §3.3.14: one or more <character-string>s; zero is allowed too
 * (it is what "\# 0" says). */
static int
rd_txt(file_t *f, size_t *len)
{
    uint8_t b[256];
    size_t n;
    tok_t t;
    int rc;

    while ((rc = next(f, &t)) == 1) {
        if ((rc = cstring(f, &t, b + 1, 255, &n, "TXT string")) != 0) {
            return rc;
        }
        b[0] = (uint8_t)n;
        if ((rc = put(f, len, b, n + 1, &t)) != 0) {
            return rc;
        }
    }
    return rc;
}

/* Hex digits up to the end of the entry, blanks allowed between (RFC 3597
 * §5, RFC 6698 §2.2). *count gets the bytes. */
static int
rd_hex(file_t *f, size_t *len, size_t *count)
{
    size_t start = *len, i;
    int hi = -1, rc;
    char s[SHOW];
    tok_t t;

    while ((rc = next(f, &t)) == 1) {
        for (i = 0; i < t.len; i++) {
            uint8_t b;

            if (t.quoted || !vouch__is_hex(t.p[i])) {
                return fail(f, VOUCH_ESYNTAX, &t, "bad hex data '%s'",
                            show(&t, s));
            }
            if (hi < 0) {
                hi = vouch__hex_value(t.p[i]);
                continue;
            }
            b = (uint8_t)(hi << 4 | vouch__hex_value(t.p[i]));
            hi = -1;
            if ((rc = put(f, len, &b, 1, &t)) != 0) {
                return rc;
            }
        }
    }
    if (rc < 0) {
        return rc;
    }
    if (hi >= 0) {
        return fail(f, VOUCH_ESYNTAX, NULL, "odd number of hex digits");
    }
    *count = *len - start;
    return 0;
}

/* RFC 3597 §5: \# <length> <hex>, for any type. */
static int
rd_generic(file_t *f, size_t *len)
{
    uint64_t n;
    size_t count;
    tok_t t;
    int rc;

    if ((rc = need(f, &t, "\\# length")) != 0 ||
        (rc = number(f, &t, VOUCH_DNS_RDATA_MAX, &n, "\\# length")) != 0 ||
        (rc = rd_hex(f, len, &count)) != 0) {
        return rc;
    }
    if (count != n) {
        return fail(f, VOUCH_ESYNTAX, &t,
                    "\\# says %lu bytes, the data has %zu", (unsigned long)n,
                    count);
    }
    return 0;
}

static int
rd_soa(file_t *f, size_t *len)
{
    static const char *const timers[] = { "SOA refresh", "SOA retry",
                                          "SOA expire", "SOA minimum" };
    size_t i;
    int rc;

    if ((rc = rd_name(f, len, "SOA MNAME")) != 0 ||
        (rc = rd_name(f, len, "SOA RNAME")) != 0 ||
        (rc = rd_number(f, len, 4, "SOA serial")) != 0) {
        return rc;
    }
    for (i = 0; i < VOUCH_ARRAY_LEN(timers); i++) {
        if ((rc = rd_timer(f, len, timers[i])) != 0) {
            return rc;
        }
    }
    return 0;
}

/* RFC 6698 §2.2: usage, selector, matching type, then hex (non-empty). */
static int
rd_tlsa(file_t *f, size_t *len)
{
    size_t count;
    int rc;

    if ((rc = rd_number(f, len, 1, "TLSA usage")) != 0 ||
        (rc = rd_number(f, len, 1, "TLSA selector")) != 0 ||
        (rc = rd_number(f, len, 1, "TLSA matching type")) != 0 ||
        (rc = rd_hex(f, len, &count)) != 0) {
        return rc;
    }
    if (count == 0) {
        return fail(f, VOUCH_ESYNTAX, NULL,
                    "missing TLSA certificate association data");
    }
    return 0;
}

/* RFC 8659 §4.1.1: flags, a tag of letters and digits, a value (the rest
 * of the rdata on the wire, so not capped at 255). */
static int
rd_caa(file_t *f, size_t *len)
{
    uint8_t tag[256];
    size_t tl, vl = 0, i, max;
    char s[SHOW];
    tok_t t;
    int rc;

    if ((rc = rd_number(f, len, 1, "CAA flags")) != 0 ||
        (rc = need(f, &t, "CAA tag")) != 0 ||
        (rc = cstring(f, &t, tag + 1, 255, &tl, "CAA tag")) != 0) {
        return rc;
    }
    for (i = 0; i < tl && vouch__is_alnum(tag[1 + i]); i++) {
    }
    if (tl == 0 || i < tl) {
        return fail(f, VOUCH_ESYNTAX, &t, "bad CAA tag '%s'", show(&t, s));
    }
    tag[0] = (uint8_t)tl;
    if ((rc = put(f, len, tag, tl + 1, &t)) != 0 ||
        (rc = need(f, &t, "CAA value")) != 0) {
        return rc;
    }
    /* decoding never makes a token longer */
    max = t.len < VOUCH_DNS_RDATA_MAX ? t.len : VOUCH_DNS_RDATA_MAX;
    if ((rc = reserve(f, &f->ld->text, max, &t)) != 0 ||
        (rc = cstring(f, &t, f->ld->text.p, max, &vl, "CAA value")) != 0) {
        return rc;
    }
    return put(f, len, f->ld->text.p, vl, &t);
}

static int
rdata(file_t *f, uint16_t type, size_t *len)
{
    char tn[16];
    tok_t t;
    int rc;

    /* decode() reads the buffer even for empty rdata ("CNAME \# 0") */
    *len = 0;
    if ((rc = reserve(f, &f->ld->wire, 256, NULL)) != 0 ||
        (rc = next(f, &t)) < 0) {
        return rc;
    }
    if (rc == 1 && !t.quoted && t.len == 2 && t.p[0] == '\\' && t.p[1] == '#') {
        return rd_generic(f, len);
    }
    if (rc == 1) {
        unget(f, &t);
    }
    switch (type) {
    case VOUCH_DNS_A:
    case VOUCH_DNS_AAAA:
        rc = rd_addr(f, len, type == VOUCH_DNS_A ? 4 : 6);
        break;
    case VOUCH_DNS_NS:
    case VOUCH_DNS_CNAME:
    case VOUCH_DNS_PTR:
        rc = rd_name(f, len, "target name");
        break;
    case VOUCH_DNS_MX:
        if ((rc = rd_number(f, len, 2, "MX preference")) == 0) {
            rc = rd_name(f, len, "MX exchange");
        }
        break;
    case VOUCH_DNS_TXT:
    case VOUCH_DNS_SPF:
        return rd_txt(f, len);
    case VOUCH_DNS_SOA:
        rc = rd_soa(f, len);
        break;
    case VOUCH_DNS_TLSA:
        return rd_tlsa(f, len);
    case VOUCH_DNS_CAA:
        rc = rd_caa(f, len);
        break;
    default:
        return fail(f, VOUCH_ESYNTAX, rc == 1 ? &t : NULL,
                    "%s rdata must be written \\# <length> <hex> (RFC 3597)",
                    vouch_dns_type_name(type, tn));
    }
    return rc != 0 ? rc : expect_end(f);
}

/* ---- wire form into the caller's form (dns.h) --------------------------- */

/* One uncompressed name at w[*off..len) into text (name.c's format). */
static bool
wire_name(file_t *f, const uint8_t *w, size_t len, size_t *off,
          vouch_dns_rr_t *rr)
{
    size_t tlen, used;

    if (vouch__dns_name_from_wire((char *)f->ld->text.p, VOUCH__ZONE_TEXT_MAX,
                                  &tlen, w + *off, len - *off, &used) != 0) {
        return false;
    }
    *off += used;
    rr->data = (const char *)f->ld->text.p;
    rr->len = tlen;
    return true;
}

/* Checks the rdata (it may have come as \#) and sets rr->data, len, pref,
 * nstrings. */
static int
decode(file_t *f, size_t len, vouch_dns_rr_t *rr, const tok_t *t)
{
    const uint8_t *w = f->ld->wire.p;
    size_t i = 0, o = 0;
    char tn[16];
    int rc;

    /* TXT joins at most len bytes; a name's text is at most TEXT_MAX */
    rc = reserve(f, &f->ld->text,
                 len > VOUCH__ZONE_TEXT_MAX ? len : VOUCH__ZONE_TEXT_MAX, t);
    if (rc != 0) {
        return rc;
    }

    rr->data = (const char *)w;
    rr->len = len;
    switch (rr->type) {
    case VOUCH_DNS_A:
    case VOUCH_DNS_AAAA:
        if (len != (rr->type == VOUCH_DNS_A ? 4u : 16u)) {
            goto bad;
        }
        return 0;
    case VOUCH_DNS_TXT:
    case VOUCH_DNS_SPF:
        /* at most 65535 strings: each takes a length byte */
        while (i < len) {
            size_t l = w[i++];

            if (l > len - i) {
                goto bad;
            }
            memcpy(f->ld->text.p + o, w + i, l);
            o += l;
            i += l;
            rr->nstrings++;
        }
        rr->data = (const char *)f->ld->text.p;
        rr->len = o;
        return 0;
    case VOUCH_DNS_MX:
        if (len < 3) {
            goto bad;
        }
        rr->pref = (uint16_t)(w[0] << 8 | w[1]);
        i = 2;
        if (!wire_name(f, w, len, &i, rr) || i != len) {
            goto bad;
        }
        return 0;
    case VOUCH_DNS_NS:
    case VOUCH_DNS_CNAME:
    case VOUCH_DNS_PTR:
        if (!wire_name(f, w, len, &i, rr) || i != len) {
            goto bad;
        }
        return 0;
    case VOUCH_DNS_SOA:
        /* the negative TTL reads MINIMUM from the last 4 bytes */
        if (!wire_name(f, w, len, &i, rr) || !wire_name(f, w, len, &i, rr) ||
            len - i != 20) {
            goto bad;
        }
        rr->data = (const char *)w;
        rr->len = len;
        return 0;
    default:
        return 0;
    }
bad:
    return fail(f, VOUCH_ESYNTAX, t, "bad %s rdata",
                vouch_dns_type_name(rr->type, tn));
}

/* ---- entries ------------------------------------------------------------ */

/* <type> <rdata> after the owner, with TTL and class before it in either
 * order (RFC 1035 §5.1). t holds the first token after the owner. */
static int
record(file_t *f, tok_t *t)
{
    bool has_ttl = false, has_class = false;
    vouch_dns_rr_t rr;
    const char *why;
    uint32_t ttl = 0;
    size_t len;
    char s[SHOW];
    int rc;

    for (;;) {
        if (!has_ttl && !t->quoted && vouch__is_digit(t->p[0])) {
            rc = ttl_value(f, t, &ttl);
            has_ttl = true;
        } else if (!has_class && is_class(t)) {
            rc = check_class(f, t);
            has_class = true;
        } else {
            break;
        }
        if (rc != 0 || (rc = need(f, t, "record type")) != 0) {
            return rc;
        }
    }
    memset(&rr, 0, sizeof(rr));
    if (t->quoted || vouch_dns_type_parse(&rr.type, t->p, t->len) != 0) {
        return fail(f, VOUCH_ESYNTAX, t, "unknown record type '%s'",
                    show(t, s));
    }
    /* RFC 2308 §4: $TTL; before one, BIND's rule: the last TTL given */
    if (has_ttl) {
        f->last_ttl = ttl;
        f->has_last_ttl = true;
    } else {
        ttl = f->has_ttl        ? f->ttl
              : f->has_last_ttl ? f->last_ttl
                                : VOUCH__ZONE_TTL_DEFAULT;
    }
    rr.ttl = ttl;
    if ((rc = rdata(f, rr.type, &len)) != 0 ||
        (rc = decode(f, len, &rr, t)) != 0) {
        return rc;
    }
    rc = vouch__zone_add(f->ld->zone, f->owner, f->owner_len, &rr,
                         f->ld->wire.p, len, &why);
    if (rc != 0) {
        return fail(f, rc, t, "%s", rc == VOUCH_ENOMEM ? "out of memory" : why);
    }
    return 0;
}

static int
dir_origin(file_t *f)
{
    uint8_t w[KEY_MAX];
    size_t wl;
    tok_t t;
    int rc;

    if ((rc = need(f, &t, "$ORIGIN name")) != 0 ||
        (rc = name(f, &t, w, &wl)) != 0 || (rc = expect_end(f)) != 0) {
        return rc;
    }
    memcpy(f->origin, w, wl);
    f->origin_len = wl;
    return 0;
}

static int
dir_ttl(file_t *f)
{
    uint32_t ttl;
    tok_t t;
    int rc;

    if ((rc = need(f, &t, "$TTL value")) != 0 ||
        (rc = ttl_value(f, &t, &ttl)) != 0 || (rc = expect_end(f)) != 0) {
        return rc;
    }
    f->ttl = ttl;
    f->has_ttl = true;
    vouch__zone_set_default_ttl(f->ld->zone, ttl);
    return 0;
}

/* $FAULT <owner> <TYPE|ANY> <TIMEOUT|SERVFAIL|REFUSED> (dns.h) */
static int
dir_fault(file_t *f)
{
    static const char usage[] =
        "field: $FAULT <owner> <TYPE|ANY> <TIMEOUT|SERVFAIL|REFUSED>";

    static const struct {
        const char *word;
        vouch_dns_status_t status;
    } statuses[] = {
        { "TIMEOUT", VOUCH_DNS_TIMEOUT },
        { "SERVFAIL", VOUCH_DNS_SERVFAIL },
        { "REFUSED", VOUCH_DNS_REFUSED },
    };

    uint8_t w[KEY_MAX];
    uint16_t type = 0;
    size_t wl, i;
    bool any;
    char s[SHOW];
    tok_t t;
    int rc;

    if ((rc = need(f, &t, usage)) != 0 || (rc = name(f, &t, w, &wl)) != 0 ||
        (rc = need(f, &t, usage)) != 0) {
        return rc;
    }
    any = is(&t, "ANY");
    if (!any && (t.quoted || vouch_dns_type_parse(&type, t.p, t.len) != 0)) {
        return fail(f, VOUCH_ESYNTAX, &t, "unknown record type '%s'",
                    show(&t, s));
    }
    if ((rc = need(f, &t, usage)) != 0) {
        return rc;
    }
    for (i = 0; i < VOUCH_ARRAY_LEN(statuses) && !is(&t, statuses[i].word);
         i++) {
    }
    if (i == VOUCH_ARRAY_LEN(statuses)) {
        return fail(f, VOUCH_ESYNTAX, &t,
                    "bad $FAULT status '%s' (TIMEOUT, SERVFAIL or REFUSED)",
                    show(&t, s));
    }
    if ((rc = expect_end(f)) != 0) {
        return rc;
    }
    rc = vouch__zone_add_fault(f->ld->zone, w, wl, any, type,
                               statuses[i].status);
    return rc == 0 ? 0 : fail(f, rc, NULL, "out of memory");
}

/* $INCLUDE <file> [<origin>] (RFC 1035 §5.1): the origin applies to the
 * included file only; nothing it changes comes back to this one. */
static int
dir_include(file_t *f, const tok_t *dir)
{
    char path[PATH_BYTES], full[PATH_BYTES];
    uint8_t origin[KEY_MAX];
    size_t plen = 0, olen = f->origin_len, dlen = 0, i;
    char s[SHOW];
    tok_t t, o;
    int rc, n;

    if (!f->ld->files) {
        return fail(f, VOUCH_ESYNTAX, dir,
                    "$INCLUDE is refused in text loaded from memory");
    }
    if ((rc = need(f, &t, "$INCLUDE file name")) != 0 ||
        (rc = cstring(f, &t, (uint8_t *)path, sizeof(path) - 1, &plen,
                      "$INCLUDE file name")) != 0) {
        return rc;
    }
    if (plen == 0 || memchr(path, '\0', plen) != NULL) {
        return fail(f, VOUCH_ESYNTAX, &t, "bad $INCLUDE file name '%s'",
                    show(&t, s));
    }
    path[plen] = '\0';
    memcpy(origin, f->origin, olen);
    if ((rc = next(f, &o)) < 0 ||
        (rc == 1 && ((rc = name(f, &o, origin, &olen)) != 0 ||
                     (rc = expect_end(f)) != 0))) {
        return rc;
    }
    /* relative to the folder of the including file (dns.h) */
    for (i = 0; path[0] != '/' && f->name[i] != '\0'; i++) {
        dlen = f->name[i] == '/' ? i + 1 : dlen;
    }
    n = snprintf(full, sizeof(full), "%.*s%s", (int)dlen, f->name, path);
    if (n < 0 || (size_t)n >= sizeof(full)) {
        return fail(f, VOUCH_EIO, &t, "$INCLUDE path too long");
    }
    return load_path(f->ld, full, f, &t, origin, olen);
}

static int
directive(file_t *f, const tok_t *t)
{
    char s[SHOW];

    if (is(t, "$ORIGIN")) {
        return dir_origin(f);
    }
    if (is(t, "$TTL")) {
        return dir_ttl(f);
    }
    if (is(t, "$INCLUDE")) {
        return dir_include(f, t);
    }
    if (is(t, "$FAULT")) {
        return dir_fault(f);
    }
    return fail(f, VOUCH_ESYNTAX, t, "unknown directive '%s'", show(t, s));
}

static int
entry(file_t *f, bool blank)
{
    uint8_t owner[KEY_MAX];
    size_t olen;
    tok_t t;
    int rc = next(f, &t);

    if (rc <= 0) {
        return rc; /* nothing but parentheses */
    }
    if (!blank && !t.quoted && t.p[0] == '$') {
        return directive(f, &t);
    }
    if (!blank) {
        if ((rc = name(f, &t, owner, &olen)) != 0) {
            return rc;
        }
        memcpy(f->owner, owner, olen);
        f->owner_len = olen;
        if ((rc = need(f, &t, "record type")) != 0) {
            return rc;
        }
    } else if (f->owner_len == 0) {
        return fail(f, VOUCH_ESYNTAX, &t,
                    "no owner name (a blank at the start of a line means "
                    "the previous one)");
    }
    return record(f, &t);
}

static int
parse(file_t *f)
{
    bool blank;
    int rc;

    while (lex_entry(f, &blank)) {
        if ((rc = entry(f, blank)) != 0) {
            return rc;
        }
        /* each entry ends at a newline or at the end: the loop advances */
        if (VOUCH_NEVER(!f->at_end)) {
            return fail(f, VOUCH_EINTERNAL, NULL, "entry not finished");
        }
    }
    return 0;
}

/* ---- files -------------------------------------------------------------- */

static void
file_init(file_t *f, load_t *ld, const char *name, const char *text, size_t len)
{
    memset(f, 0, sizeof(*f));
    f->ld = ld;
    f->name = name;
    f->base = text != NULL ? text : "";
    f->p = f->base;
    f->end = f->base + len;
    f->line = 1;
    memcpy(f->origin, root_name, sizeof(root_name));
    f->origin_len = sizeof(root_name);
}

/* Read an open file whole, within the caps. *e gets errno on VOUCH_EIO. */
static int
slurp(load_t *ld, FILE *fp, const struct stat *st, vouch_buf_t *buf, int *e)
{
    char chunk[16384];
    size_t n;
    int rc;

    vouch_buf_init(buf, vouch__zone_ctx(ld->zone), VOUCH_ZONE_FILE_MAX);
    if (S_ISREG(st->st_mode) && (uint64_t)st->st_size > VOUCH_ZONE_FILE_MAX) {
        return VOUCH_ETOOBIG;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
        if ((rc = vouch_buf_add(buf, chunk, n)) != 0) {
            return rc;
        }
    }
    if (ferror(fp)) {
        *e = errno;
        return VOUCH_EIO;
    }
    /* a chain of includes may re-read files: cap the whole load */
    ld->bytes += buf->len;
    if (ld->bytes > VOUCH_ZONE_LOAD_MAX) {
        return VOUCH_ETOOBIG;
    }
    return 0;
}

/* An error about the file path: "including:line: ..." for an include,
 * plain for the top file. */
static int
path_error(load_t *ld, const file_t *parent, const tok_t *at, int code,
           const char *path, int e)
{
    char msg[VOUCH_ERROR_MSG_MAX];

    if (code == VOUCH_EIO) {
        (void)snprintf(msg, sizeof(msg), "cannot read %s: %s", path,
                       strerror(e));
    } else if (code == VOUCH_ETOOBIG) {
        (void)snprintf(msg, sizeof(msg),
                       "%s: too large (%zu bytes per file, "
                       "%zu for one load)",
                       path, VOUCH_ZONE_FILE_MAX, VOUCH_ZONE_LOAD_MAX);
    } else {
        (void)snprintf(msg, sizeof(msg), "%s: out of memory", path);
    }
    if (parent != NULL) {
        return fail(parent, code, at, "%s", msg);
    }
    return vouch__error(ld->err, code, "zone", 0, "%s", msg);
}

static int
load_path(load_t *ld, const char *path, const file_t *parent, const tok_t *at,
          const uint8_t *origin, size_t origin_len)
{
    unsigned depth = parent != NULL ? parent->depth + 1 : 0;
    const file_t *p;
    vouch_buf_t buf;
    struct stat st;
    file_t f;
    FILE *fp;
    int rc, e = 0;

    if (depth > VOUCH_ZONE_INCLUDE_DEPTH) {
        return fail(parent, VOUCH_ETOOBIG, at,
                    "$INCLUDE nested deeper than %d files",
                    VOUCH_ZONE_INCLUDE_DEPTH);
    }
    fp = fopen(path, "rb");
    if (fp == NULL || fstat(fileno(fp), &st) != 0) {
        e = errno;
        if (fp != NULL) {
            fclose(fp);
        }
        return path_error(ld, parent, at, VOUCH_EIO, path, e);
    }
    for (p = parent; p != NULL; p = p->parent) {
        if (p->real && p->dev == st.st_dev && p->ino == st.st_ino) {
            fclose(fp);
            return fail(parent, VOUCH_ESYNTAX, at,
                        "$INCLUDE loop: %s is already being read", path);
        }
    }
    rc = slurp(ld, fp, &st, &buf, &e);
    fclose(fp);
    if (rc != 0) {
        vouch_buf_dispose(&buf);
        return path_error(ld, parent, at, rc, path, e);
    }
    file_init(&f, ld, path, buf.ptr, buf.len);
    f.parent = parent;
    f.depth = depth;
    f.real = true;
    f.dev = st.st_dev;
    f.ino = st.st_ino;
    memcpy(f.origin, origin, origin_len);
    f.origin_len = origin_len;
    if (parent != NULL) { /* as if the text stood in the parent */
        memcpy(f.owner, parent->owner, parent->owner_len);
        f.owner_len = parent->owner_len;
        f.ttl = parent->ttl;
        f.has_ttl = parent->has_ttl;
        f.last_ttl = parent->last_ttl;
        f.has_last_ttl = parent->has_last_ttl;
    }
    rc = parse(&f);
    vouch_buf_dispose(&buf);
    return rc;
}

static void
load_begin(load_t *ld, vouch_zone_t *zone, vouch_error_t *err, bool files)
{
    memset(ld, 0, sizeof(*ld));
    ld->zone = zone;
    ld->err = err;
    ld->files = files;
}

static void
load_end(load_t *ld)
{
    vouch__free(vouch__zone_ctx(ld->zone), ld->wire.p);
    vouch__free(vouch__zone_ctx(ld->zone), ld->text.p);
}

/* see vouch/dns.h */
int
vouch_zone_load_file(vouch_zone_t *zone, const char *path, vouch_error_t *err)
{
    load_t ld;
    int rc;

    load_begin(&ld, zone, err, true);
    rc = load_path(&ld, path, NULL, NULL, root_name, sizeof(root_name));
    load_end(&ld);
    return rc;
}

/* see vouch/dns.h */
int
vouch_zone_load_text(vouch_zone_t *zone, const char *text, size_t len,
                     const char *name, vouch_error_t *err)
{
    load_t ld;
    file_t f;
    int rc;

    name = name != NULL ? name : "<memory>";
    if (len > VOUCH_ZONE_FILE_MAX) {
        return vouch__error(err, VOUCH_ETOOBIG, "zone", 0,
                            "%s: larger than %zu bytes", name,
                            VOUCH_ZONE_FILE_MAX);
    }
    load_begin(&ld, zone, err, false);
    file_init(&f, &ld, name, text, len);
    rc = parse(&f);
    load_end(&ld);
    return rc;
}
