/* SPDX-License-Identifier: MIT */
/*
 * dmarc/record.c - the DMARC policy record parser (RFC 9989 "DMARC Policy
 * Record Format" and "Formal Definition"; RFC 7489 §6.3 and §6.4 for pct,
 * rf and ri), and the names of the enums.
 *
 * The record is split on ";" by hand rather than with the DKIM tag-list
 * parser, because DMARC asks for the opposite of DKIM's strictness inside a
 * record: "Syntax errors in the remainder of the record MUST be discarded
 * in favor of default values (if any) or ignored outright", and unknown
 * tags "MUST be ignored". So only three things make a TXT value not a
 * record: v=DMARC1 not first, a tag name given twice (the RFC 6376 §3.2
 * tag-list rule DMARC inherits), or more tags than VOUCH_DMARC_TAGS_MAX;
 * every other fault is a warning and the tag keeps its default.
 *
 * Invariants: nothing is allocated; every copy into the fixed arrays of
 * vouch_dmarc_record_t is length-checked; input bytes are only compared,
 * never assumed NUL-free.
 */
#include <stdio.h>
#include <string.h>

#include "dmarc_internal.h"

/* Tags in one record at most: DMARC defines 13; a record of hundreds of
 * tags is an attack on the duplicate check, not a policy. */
#define DMARC_TAGS_MAX 64

const char *
vouch_dmarc_mode_name(vouch_dmarc_mode_t m)
{
    return m == VOUCH_DMARC_7489 ? "7489" : "9989";
}

const char *
vouch_dmarc_policy_name(vouch_dmarc_policy_t p)
{
    static const char *const names[] = { "unset", "none", "quarantine",
                                         "reject" };

    return (unsigned)p < VOUCH_ARRAY_LEN(names) ? names[p] : "unknown";
}

const char *
vouch_dmarc_code_name(vouch_dmarc_code_t c)
{
    static const char *const names[] = { "none", "pass", "fail", "temperror",
                                         "permerror" };

    return (unsigned)c < VOUCH_ARRAY_LEN(names) ? names[c] : "unknown";
}

const char *
vouch_dmarc_warning_kind_name(vouch_dmarc_warning_kind_t k)
{
    static const char *const names[] = { "unknown-tag", "other-mode",
                                         "bad-value",   "bad-uri",
                                         "syntax",      "note" };

    return (unsigned)k < VOUCH_ARRAY_LEN(names) ? names[k] : "unknown";
}

/* ---- small helpers
 * -------------------------------------------------------------- */

static bool
is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

static void
trim(const char **p, const char **e)
{
    while (*p < *e && is_wsp(**p)) {
        (*p)++;
    }
    while (*e > *p && is_wsp((*e)[-1])) {
        (*e)--;
    }
}

static bool
ieq(const char *p, size_t len, const char *word)
{
    return vouch__str_ieq(p, len, word, strlen(word));
}

static void warn(vouch_dmarc_record_t *rec, vouch_dmarc_warning_kind_t kind,
                 const char *tag, size_t tag_len, size_t offset,
                 const char *fmt, ...) VOUCH_PRINTF(6, 7);

static void
warn(vouch_dmarc_record_t *rec, vouch_dmarc_warning_kind_t kind,
     const char *tag, size_t tag_len, size_t offset, const char *fmt, ...)
{
    vouch_dmarc_warning_t *w;
    va_list ap;

    if (rec->nwarnings >= VOUCH_DMARC_WARNINGS_MAX) {
        rec->warnings_dropped++;
        return;
    }
    w = &rec->warnings[rec->nwarnings++];
    w->kind = kind;
    w->offset = offset;
    vouch__escape_into(w->tag, sizeof(w->tag), tag, tag_len);
    va_start(ap, fmt);
    (void)vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
    va_end(ap);
}

bool
vouch__dmarc_is_candidate(const char *txt, size_t len)
{
    const char *p = txt, *e = txt + len;

    while (p < e && is_wsp(*p)) {
        p++;
    }
    if (p == e || (*p != 'v' && *p != 'V')) {
        return false;
    }
    p++;
    while (p < e && is_wsp(*p)) {
        p++;
    }
    if (p == e || *p != '=') {
        return false;
    }
    p++;
    while (p < e && is_wsp(*p)) {
        p++;
    }
    if ((size_t)(e - p) < 6 || memcmp(p, "DMARC1", 6) != 0) {
        return false;
    }
    p += 6;
    while (p < e && is_wsp(*p)) {
        p++;
    }
    return p == e || *p == ';';
}

/* ---- tag values
 * ------------------------------------------------------------------- */

typedef struct tagctx {
    vouch_dmarc_record_t *rec;
    const char *txt; /* the whole record, for offsets */
    const char *name;
    size_t name_len;
    const char *val;
    size_t val_len;
    size_t offset; /* of the tag name */
} tagctx_t;

static void
bad_value(tagctx_t *t, unsigned bit, const char *expect)
{
    char shown[64];

    vouch__escape_into(shown, sizeof(shown), t->val, t->val_len);
    t->rec->invalid |= bit;
    warn(t->rec, VOUCH_DMARC_W_BAD_VALUE, t->name, t->name_len, t->offset,
         "'%s' is not %s; default used", shown, expect);
}

/* A colon-separated list of keywords (fo=, rf=): *WSP ":" *WSP between. */
static int
parse_colon_list(unsigned *out, const char *p, size_t len,
                 const char *const *words, size_t nwords)
{
    const char *e = p + len;
    unsigned bits = 0;

    for (;;) {
        const char *c = memchr(p, ':', (size_t)(e - p));
        const char *ie = c != NULL ? c : e;
        const char *ip = p;
        size_t i;

        trim(&ip, &ie);
        for (i = 0; i < nwords; i++) {
            if (ieq(ip, (size_t)(ie - ip), words[i])) {
                break;
            }
        }
        if (i == nwords) {
            return VOUCH_ESYNTAX;
        }
        bits |= 1u << i;
        if (c == NULL) {
            break;
        }
        p = c + 1;
    }
    *out = bits;
    return 0;
}

/* Is the URI text (no !size) a URI (RFC 3986 scheme ":" something), with
 * no character the DMARC grammar says must be encoded? */
static bool
uri_ok(const char *p, size_t len)
{
    size_t i = 0;

    if (len == 0 || !vouch__is_alpha(p[0])) {
        return false;
    }
    while (i < len && (vouch__is_alnum(p[i]) || p[i] == '+' || p[i] == '-' ||
                       p[i] == '.')) {
        i++;
    }
    if (i == len || p[i] != ':' || i + 1 == len) {
        return false;
    }
    for (; i < len; i++) {
        if (!vouch__is_vchar(p[i]) || p[i] == ',' || p[i] == '!' ||
            p[i] == ';') {
            return false;
        }
    }
    return true;
}

/* "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] (RFC 7489 §6.4), p after "!". */
static int
parse_size(uint64_t *out, const char *p, const char *e)
{
    uint64_t v, mult = 1;
    int rc;

    rc = vouch__parse_uint(&p, e, UINT64_MAX >> 40, &v);
    if (rc != 0) {
        return rc;
    }
    if (p < e) {
        switch (vouch__lower(*p)) {
        case 'k':
            mult = (uint64_t)1 << 10;
            break;
        case 'm':
            mult = (uint64_t)1 << 20;
            break;
        case 'g':
            mult = (uint64_t)1 << 30;
            break;
        case 't':
            mult = (uint64_t)1 << 40;
            break;
        default:
            return VOUCH_ESYNTAX;
        }
        p++;
    }
    if (p != e || v == 0) {
        return VOUCH_ESYNTAX;
    }
    *out = v * mult;
    return 0;
}

static void
parse_urilist(tagctx_t *t, vouch_dmarc_urilist_t *list, unsigned bit)
{
    const char *p = t->val, *e = t->val + t->val_len;
    size_t bad = 0, total = 0;

    for (;;) {
        const char *c = memchr(p, ',', (size_t)(e - p));
        const char *ue = c != NULL ? c : e;
        const char *up = p;
        const char *bang;
        size_t off, ulen;
        uint64_t size = 0;
        char shown[64];

        trim(&up, &ue);
        off = (size_t)(up - t->txt);
        total++;
        bang = memchr(up, '!', (size_t)(ue - up));
        ulen = (size_t)((bang != NULL ? bang : ue) - up);
        vouch__escape_into(shown, sizeof(shown), up, (size_t)(ue - up));
        if (!uri_ok(up, ulen)) {
            warn(t->rec, VOUCH_DMARC_W_BAD_URI, t->name, t->name_len, off,
                 "'%s' is not a URI; ignored", shown);
            bad++;
        } else if (bang != NULL && parse_size(&size, bang + 1, ue) != 0) {
            warn(t->rec, VOUCH_DMARC_W_BAD_URI, t->name, t->name_len, off,
                 "'%s' has a bad !size suffix; ignored", shown);
            bad++;
        } else if (ulen > VOUCH_DMARC_URI_MAX) {
            warn(t->rec, VOUCH_DMARC_W_BAD_URI, t->name, t->name_len, off,
                 "URI longer than %d bytes; ignored", VOUCH_DMARC_URI_MAX);
            bad++;
        } else if (list->n >= VOUCH_DMARC_URIS_MAX) {
            warn(t->rec, VOUCH_DMARC_W_BAD_URI, t->name, t->name_len, off,
                 "more than %d URIs; '%s' ignored", VOUCH_DMARC_URIS_MAX,
                 shown);
        } else {
            vouch_dmarc_uri_t *u = &list->uri[list->n++];

            memcpy(u->uri, up, ulen);
            u->uri[ulen] = '\0';
            u->max_size = size;
            if (bang != NULL && t->rec->mode == VOUCH_DMARC_9989) {
                warn(t->rec, VOUCH_DMARC_W_NOTE, t->name, t->name_len, off,
                     "the !size suffix is RFC 7489 syntax");
            }
        }
        if (c == NULL) {
            break;
        }
        p = c + 1;
    }
    if (bad == total) {
        t->rec->invalid |= bit;
    }
}

/* Tags of the other RFC are ignored: 9989 dropped pct, rf and ri (its
 * appendix on their removal); psd, np and t are new in 9989. */
static bool
other_mode(tagctx_t *t, unsigned bit)
{
    bool only9989 = bit == VOUCH_DMARC_TAG_NP || bit == VOUCH_DMARC_TAG_PSD ||
                    bit == VOUCH_DMARC_TAG_T;
    bool only7489 = bit == VOUCH_DMARC_TAG_PCT || bit == VOUCH_DMARC_TAG_RF ||
                    bit == VOUCH_DMARC_TAG_RI;
    vouch_dmarc_mode_t m = t->rec->mode;

    if ((only9989 && m == VOUCH_DMARC_7489) ||
        (only7489 && m == VOUCH_DMARC_9989)) {
        warn(t->rec, VOUCH_DMARC_W_OTHER_MODE, t->name, t->name_len, t->offset,
             "an RFC %s tag; ignored in RFC %s mode",
             only9989 ? "9989" : "7489", vouch_dmarc_mode_name(m));
        return true;
    }
    return false;
}

/* The index of the keyword v is (case-insensitive), or -1. */
static int
keyword(const char *v, size_t n, const char *const *words, size_t nwords)
{
    size_t i;

    for (i = 0; i < nwords; i++) {
        if (ieq(v, n, words[i])) {
            return (int)i;
        }
    }
    return -1;
}

/* Tags whose value is one keyword: p sp np (dmarc-request), adkim aspf
 * (dmarc-rors), t (dmarc-yorn), psd (dmarc-psd). Returns false when bit is
 * none of them. */
static bool
parse_keyword_tag(tagctx_t *t, unsigned bit)
{
    static const char *const request[] = { "none", "quarantine", "reject" };
    static const char *const rors[] = { "r", "s" };
    static const char *const yorn[] = { "n", "y" };
    static const char *const psd[] = { "u", "y", "n" };
    vouch_dmarc_record_t *rec = t->rec;
    int k;

    switch (bit) {
    case VOUCH_DMARC_TAG_P:
    case VOUCH_DMARC_TAG_SP:
    case VOUCH_DMARC_TAG_NP:
        k = keyword(t->val, t->val_len, request, VOUCH_ARRAY_LEN(request));
        if (k < 0) {
            bad_value(t, bit, "none, quarantine or reject");
        } else {
            *(bit == VOUCH_DMARC_TAG_P    ? &rec->p
              : bit == VOUCH_DMARC_TAG_SP ? &rec->sp
                                          : &rec->np) =
                (vouch_dmarc_policy_t)(k + 1);
        }
        return true;
    case VOUCH_DMARC_TAG_ADKIM:
    case VOUCH_DMARC_TAG_ASPF:
        k = keyword(t->val, t->val_len, rors, VOUCH_ARRAY_LEN(rors));
        if (k < 0) {
            bad_value(t, bit, "r or s");
        } else {
            *(bit == VOUCH_DMARC_TAG_ADKIM ? &rec->adkim : &rec->aspf) =
                (vouch_dmarc_align_t)k;
        }
        return true;
    case VOUCH_DMARC_TAG_T:
        k = keyword(t->val, t->val_len, yorn, VOUCH_ARRAY_LEN(yorn));
        if (k < 0) {
            bad_value(t, bit, "y or n");
        } else {
            rec->t = k == 1;
        }
        return true;
    case VOUCH_DMARC_TAG_PSD:
        k = keyword(t->val, t->val_len, psd, VOUCH_ARRAY_LEN(psd));
        if (k < 0) {
            bad_value(t, bit, "y, n or u");
        } else {
            rec->psd = (vouch_dmarc_psd_t)k;
        }
        return true;
    default:
        return false;
    }
}

/* A decimal value of the whole tag, at most max. */
static bool
parse_number(const tagctx_t *t, uint64_t max, uint64_t *out)
{
    const char *cur = t->val;

    return vouch__parse_uint(&cur, t->val + t->val_len, max, out) == 0 &&
           cur == t->val + t->val_len;
}

static void
parse_value(tagctx_t *t, unsigned bit)
{
    static const char *const fo[] = { "0", "1", "d", "s" };
    static const char *const rf[] = { "afrf", "iodef" };
    vouch_dmarc_record_t *rec = t->rec;
    uint64_t num;

    if (other_mode(t, bit) || parse_keyword_tag(t, bit)) {
        return;
    }
    switch (bit) {
    case VOUCH_DMARC_TAG_FO:
        if (parse_colon_list(&rec->fo, t->val, t->val_len, fo,
                             VOUCH_ARRAY_LEN(fo)) != 0) {
            bad_value(t, bit, "a colon-separated list of 0, 1, d, s");
        }
        break;
    case VOUCH_DMARC_TAG_RF:
        if (parse_colon_list(&rec->rf, t->val, t->val_len, rf,
                             VOUCH_ARRAY_LEN(rf)) != 0) {
            bad_value(t, bit, "a colon-separated list of afrf, iodef");
        }
        break;
    case VOUCH_DMARC_TAG_PCT:
        if (parse_number(t, 100, &num)) {
            rec->pct = (unsigned)num;
        } else {
            bad_value(t, bit, "an integer 0-100");
        }
        break;
    case VOUCH_DMARC_TAG_RI:
        if (parse_number(t, UINT32_MAX, &num)) {
            rec->ri = (uint32_t)num;
        } else {
            bad_value(t, bit, "a 32-bit number of seconds");
        }
        break;
    case VOUCH_DMARC_TAG_RUA:
        parse_urilist(t, &rec->rua, bit);
        break;
    case VOUCH_DMARC_TAG_RUF:
        parse_urilist(t, &rec->ruf, bit);
        break;
    default:
        break;
    }
}

static const struct {
    const char *name;
    unsigned bit;
} known_tags[] = {
    { "v", VOUCH_DMARC_TAG_V },         { "p", VOUCH_DMARC_TAG_P },
    { "sp", VOUCH_DMARC_TAG_SP },       { "np", VOUCH_DMARC_TAG_NP },
    { "adkim", VOUCH_DMARC_TAG_ADKIM }, { "aspf", VOUCH_DMARC_TAG_ASPF },
    { "fo", VOUCH_DMARC_TAG_FO },       { "rua", VOUCH_DMARC_TAG_RUA },
    { "ruf", VOUCH_DMARC_TAG_RUF },     { "t", VOUCH_DMARC_TAG_T },
    { "psd", VOUCH_DMARC_TAG_PSD },     { "pct", VOUCH_DMARC_TAG_PCT },
    { "rf", VOUCH_DMARC_TAG_RF },       { "ri", VOUCH_DMARC_TAG_RI },
};

static unsigned
tag_bit(const char *p, size_t len)
{
    size_t i;

    for (i = 0; i < VOUCH_ARRAY_LEN(known_tags); i++) {
        if (ieq(p, len, known_tags[i].name)) {
            return known_tags[i].bit;
        }
    }
    return 0;
}

static void
record_defaults(vouch_dmarc_record_t *out, vouch_dmarc_mode_t mode)
{
    memset(out, 0, sizeof(*out));
    out->mode = mode;
    out->fo = VOUCH_DMARC_FO_0;
    out->pct = 100;
    out->rf = VOUCH_DMARC_RF_AFRF;
    out->ri = 86400;
}

/* One tag-spec [p, e) after the first: split, check, dispatch. Returns 0
 * or VOUCH_ESYNTAX (a duplicate: the record is not a record). */
static int
parse_tag(vouch_dmarc_record_t *out, const char *txt, const char *p,
          const char *e, vouch_str_t *seen, size_t *nseen, vouch_error_t *err)
{
    const char *eq = memchr(p, '=', (size_t)(e - p));
    const char *np = p, *ne, *vp, *ve;
    size_t i, off = (size_t)(p - txt);
    char shown[64];
    tagctx_t t;
    unsigned bit;

    vouch__escape_into(shown, sizeof(shown), p, (size_t)(e - p));
    if (eq == NULL) {
        warn(out, VOUCH_DMARC_W_SYNTAX, "", 0, off,
             "'%s' is not tag=value; ignored", shown);
        return 0;
    }
    ne = eq;
    trim(&np, &ne);
    vp = eq + 1;
    ve = e;
    trim(&vp, &ve);
    for (i = 0; i < (size_t)(ne - np); i++) {
        if (!vouch__is_alpha(np[i])) {
            break;
        }
    }
    if (np == ne || i != (size_t)(ne - np)) {
        warn(out, VOUCH_DMARC_W_SYNTAX, np, (size_t)(ne - np), off,
             "'%s' has a bad tag name; ignored", shown);
        return 0;
    }
    for (i = 0; i < *nseen; i++) {
        if (vouch__str_ieq(seen[i].ptr, seen[i].len, np, (size_t)(ne - np))) {
            char name[32];

            vouch__escape_into(name, sizeof(name), np, (size_t)(ne - np));
            return vouch__error(err, VOUCH_ESYNTAX, "dmarc", off,
                                "tag '%s' given twice", name);
        }
    }
    if (*nseen >= DMARC_TAGS_MAX) {
        return vouch__error(err, VOUCH_ESYNTAX, "dmarc", off,
                            "more than %d tags", DMARC_TAGS_MAX);
    }
    seen[*nseen].ptr = np;
    seen[(*nseen)++].len = (size_t)(ne - np);

    t.rec = out;
    t.txt = txt;
    t.name = np;
    t.name_len = (size_t)(ne - np);
    t.val = vp;
    t.val_len = (size_t)(ve - vp);
    t.offset = off;
    bit = tag_bit(np, t.name_len);
    if (bit == 0) {
        warn(out, VOUCH_DMARC_W_UNKNOWN_TAG, np, t.name_len, off,
             "not a DMARC tag; ignored");
        return 0;
    }
    out->present |= bit;
    /* dmarc-tag = 1*ALPHA equals 1*dmarc-value, dmarc-value %x20-3A /
     * %x3C-7E */
    for (i = 0; i < t.val_len; i++) {
        if (vp[i] < 0x20 || vp[i] > 0x7e) {
            break;
        }
    }
    if (t.val_len == 0 || i != t.val_len) {
        if (!other_mode(&t, bit)) {
            bad_value(&t, bit, "a value of printable characters");
        }
        return 0;
    }
    parse_value(&t, bit);
    return 0;
}

/* see vouch/dmarc.h */
int
vouch_dmarc_record_parse(vouch_dmarc_record_t *out, const char *txt, size_t len,
                         vouch_dmarc_mode_t mode, vouch_error_t *err)
{
    vouch_str_t seen[DMARC_TAGS_MAX];
    size_t nseen = 1;
    const char *p, *e;
    int rc;

    if (out == NULL) {
        return vouch__error(err, VOUCH_EINVAL, "dmarc", 0, "no record");
    }
    record_defaults(out, mode);
    if (txt == NULL) {
        return vouch__error(err, VOUCH_EINVAL, "dmarc", 0, "no text");
    }
    if (!vouch__dmarc_is_candidate(txt, len)) {
        return vouch__error(err, VOUCH_ESYNTAX, "dmarc", 0,
                            "tag 'v': a DMARC record starts with v=DMARC1");
    }
    out->present = VOUCH_DMARC_TAG_V;
    seen[0].ptr = "v";
    seen[0].len = 1;
    p = memchr(txt, ';', len);
    e = txt + len;
    while (p != NULL) {
        const char *s = p + 1, *te;

        p = memchr(s, ';', (size_t)(e - s));
        te = p != NULL ? p : e;
        {
            const char *ts = s, *tt = te;

            trim(&ts, &tt);
            if (ts == tt) {
                /* a final ";" is allowed; an empty one inside is noise */
                if (p != NULL) {
                    warn(out, VOUCH_DMARC_W_SYNTAX, "", 0, (size_t)(s - txt),
                         "empty tag-spec; ignored");
                }
                continue;
            }
            rc = parse_tag(out, txt, ts, tt, seen, &nseen, err);
        }
        if (rc != 0) {
            vouch_dmarc_mode_t m = out->mode;

            record_defaults(out, m);
            return rc;
        }
    }
    if ((out->present & VOUCH_DMARC_TAG_FO) &&
        !(out->present & VOUCH_DMARC_TAG_RUF)) {
        size_t i, off = 0;

        /* seen[] points into txt (after the literal "v"): find fo there */
        for (i = 1; i < nseen; i++) {
            if (ieq(seen[i].ptr, seen[i].len, "fo")) {
                off = (size_t)(seen[i].ptr - txt);
            }
        }
        warn(out, VOUCH_DMARC_W_NOTE, "fo", 2, off,
             "fo is ignored without ruf");
    }
    return 0;
}

/* see vouch/dmarc.h */
vouch_dmarc_policy_t
vouch_dmarc_record_policy(const vouch_dmarc_record_t *rec, bool subdomain,
                          bool nonexistent, const char **tag_out)
{
    const char *tag = "";
    vouch_dmarc_policy_t pol = VOUCH_DMARC_P_UNSET;
    bool np_ok = rec->mode == VOUCH_DMARC_9989;
    unsigned bad = VOUCH_DMARC_TAG_SP | (np_ok ? VOUCH_DMARC_TAG_NP : 0);

    /* RFC 9989 "DMARC Policy Discovery": a record without a valid p, or
     * with an invalid sp or np, counts as p=none if rua has a valid URI,
     * else no DMARC processing (RFC 7489 §6.6.3 step 6 says the same for p
     * and sp). */
    if (rec->p == VOUCH_DMARC_P_UNSET || (rec->invalid & bad) != 0) {
        if (rec->rua.n > 0) {
            pol = VOUCH_DMARC_P_NONE;
            tag = "p";
        }
    } else if (subdomain && nonexistent && np_ok &&
               rec->np != VOUCH_DMARC_P_UNSET) {
        pol = rec->np;
        tag = "np";
    } else if (subdomain && rec->sp != VOUCH_DMARC_P_UNSET) {
        pol = rec->sp;
        tag = "sp";
    } else {
        pol = rec->p;
        tag = "p";
    }
    if (tag_out != NULL) {
        *tag_out = tag;
    }
    return pol;
}
