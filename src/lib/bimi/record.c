/* SPDX-License-Identifier: MIT */
/*
 * bimi/record.c - the BIMI Assertion Record parser
 * (draft-brand-indicators-for-message-identification, "Assertion Record
 * Definition" and "Declination to Publish"), and the names of the codes.
 *
 * The record is split on ";" by hand: tag names are compared ignoring case
 * and unknown tags are skipped, so the strict DKIM tag-list parser does not
 * fit. What makes a TXT value unusable: v=BIMI1 not first, a tag given
 * twice, a tag-spec without "=", no l=, an l= or a= that is neither empty
 * nor an https URI, an avp= that is neither brand nor personal.
 *
 * Invariants: nothing is allocated; copies into the fixed arrays are
 * length-checked; input bytes are only compared, never assumed NUL-free.
 */
#include <string.h>

#include "../core/internal.h"
#include "vouch/bimi.h"

/* Tags in one record at most: BIMI defines 4; hundreds of tags is an
 * attack on the duplicate check, not a record. */
#define BIMI_TAGS_MAX 32

const char *
vouch_bimi_record_error_name(vouch_bimi_record_error_t e)
{
    static const char *const names[] = {
        "ok",        "syntax", "duplicate-tag", "missing-v", "bad-v",
        "missing-l", "bad-l",  "bad-a",         "bad-avp",
    };

    return (unsigned)e < VOUCH_ARRAY_LEN(names) ? names[e] : "unknown";
}

typedef struct span {
    const char *p;
    size_t len;
    size_t off;
} span_t;

static bool
is_wsp(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static span_t
trim(const char *base, const char *p, const char *e)
{
    span_t s;

    while (p < e && is_wsp(*p)) {
        p++;
    }
    while (e > p && is_wsp(e[-1])) {
        e--;
    }
    s.p = p;
    s.len = (size_t)(e - p);
    s.off = (size_t)(p - base);
    return s;
}

static int
fail(vouch_bimi_record_t *out, vouch_error_t *err,
     vouch_bimi_record_error_t code, const span_t *tag, const char *what)
{
    out->error = code;
    if (tag != NULL) {
        vouch__escape_into(out->tag, sizeof(out->tag), tag->p, tag->len);
    }
    return vouch__error(err, VOUCH_ESYNTAX, "bimi", tag ? tag->off : 0,
                        "%s%s%s", out->tag[0] ? out->tag : "",
                        out->tag[0] ? "=: " : "", what);
}

/* An https URI: "https://", a non-empty host, printable ASCII without
 * space or comma (the draft allows one URI per tag). */
static bool
https_uri(const span_t *v)
{
    size_t i, host = 0;

    if (!vouch__str_iprefix(v->p, v->len, "https://")) {
        return false;
    }
    for (i = 8; i < v->len; i++) {
        char c = v->p[i];

        if (!vouch__is_vchar(c) || c == ',') {
            return false;
        }
        if (host == i - 8 && c != '/' && c != '?' && c != '#') {
            host++;
        }
    }
    return host > 0;
}

static int
take_uri(vouch_bimi_record_t *out, vouch_error_t *err, char *dst,
         const span_t *name, const span_t *v, vouch_bimi_record_error_t bad)
{
    if (v->len == 0) {
        dst[0] = '\0';
        return 0;
    }
    if (!https_uri(v)) {
        return fail(out, err, bad, name, "not an https URI");
    }
    if (v->len > VOUCH_BIMI_URI_MAX) {
        return fail(out, err, bad, name, "URI too long");
    }
    memcpy(dst, v->p, v->len);
    dst[v->len] = '\0';
    return 0;
}

/* see vouch/bimi.h */
int
vouch_bimi_record_parse(vouch_bimi_record_t *out, const char *txt, size_t len,
                        vouch_error_t *err)
{
    span_t names[BIMI_TAGS_MAX];
    const char *p = txt, *end;
    size_t ntags = 0, i;
    bool have_l = false;
    int rc;

    if (out == NULL) {
        return vouch__error(err, VOUCH_EINVAL, "bimi", 0, "out is NULL");
    }
    memset(out, 0, sizeof(*out));
    if (txt == NULL) {
        out->error = VOUCH_BIMI_REC_SYNTAX;
        return vouch__error(err, VOUCH_EINVAL, "bimi", 0, "txt is NULL");
    }
    end = txt + len;
    while (p < end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *stop = semi ? semi : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        span_t name, value;

        if (eq == NULL) {
            span_t all = trim(txt, p, stop);

            /* "v=BIMI1;" and "v=BIMI1; " end with an empty tag-spec */
            if (all.len != 0) {
                return fail(out, err, VOUCH_BIMI_REC_SYNTAX, NULL,
                            "a tag without \"=\"");
            }
            p = semi ? semi + 1 : end;
            continue;
        }
        name = trim(txt, p, eq);
        value = trim(txt, eq + 1, stop);
        p = semi ? semi + 1 : end;
        if (name.len == 0) {
            return fail(out, err, VOUCH_BIMI_REC_SYNTAX, NULL,
                        "a tag without a name");
        }
        if (ntags == BIMI_TAGS_MAX) {
            return fail(out, err, VOUCH_BIMI_REC_SYNTAX, &name,
                        "too many tags");
        }
        for (i = 0; i < ntags; i++) {
            if (vouch__str_ieq(names[i].p, names[i].len, name.p, name.len)) {
                return fail(out, err, VOUCH_BIMI_REC_DUPLICATE, &name,
                            "tag given twice");
            }
        }
        names[ntags++] = name;
        if (ntags == 1) {
            /* "v= ... MUST be the first tag" */
            if (!vouch__str_ieq(name.p, name.len, "v", 1)) {
                return fail(out, err, VOUCH_BIMI_REC_MISSING_V, &name,
                            "the first tag is not v=");
            }
            if (!vouch__str_ieq(value.p, value.len, "BIMI1", 5)) {
                return fail(out, err, VOUCH_BIMI_REC_BAD_V, &name,
                            "version is not BIMI1");
            }
        } else if (vouch__str_ieq(name.p, name.len, "l", 1)) {
            have_l = true;
            rc =
                take_uri(out, err, out->l, &name, &value, VOUCH_BIMI_REC_BAD_L);
            if (rc != 0) {
                return rc;
            }
        } else if (vouch__str_ieq(name.p, name.len, "a", 1)) {
            rc =
                take_uri(out, err, out->a, &name, &value, VOUCH_BIMI_REC_BAD_A);
            if (rc != 0) {
                return rc;
            }
        } else if (vouch__str_ieq(name.p, name.len, "avp", 3)) {
            out->avp_present = true;
            if (vouch__str_ieq(value.p, value.len, "brand", 5)) {
                out->avp = VOUCH_BIMI_AVP_BRAND;
            } else if (vouch__str_ieq(value.p, value.len, "personal", 8)) {
                out->avp = VOUCH_BIMI_AVP_PERSONAL;
            } else {
                return fail(out, err, VOUCH_BIMI_REC_BAD_AVP, &name,
                            "neither brand nor personal");
            }
        } else {
            out->unknown_tags++;
        }
    }
    if (ntags == 0) {
        return fail(out, err, VOUCH_BIMI_REC_MISSING_V, NULL, "empty record");
    }
    if (!have_l) {
        return fail(out, err, VOUCH_BIMI_REC_MISSING_L, NULL, "no l= tag");
    }
    out->declination = out->l[0] == '\0' && out->a[0] == '\0';
    return 0;
}
