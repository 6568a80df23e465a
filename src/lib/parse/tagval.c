/* SPDX-License-Identifier: MIT */
/*
 * parse/tagval.c - tag-lists of RFC 6376 §3.2 (DKIM-Signature fields, key
 * records, ARC fields, DMARC records).
 *
 * Whitespace around names, "=" and values is folding whitespace: SP, HTAB
 * and CRLF followed by SP or HTAB. The parser keeps values as views; the
 * caller strips the whitespace a particular tag allows inside (b=, h=).
 */
#include <string.h>

#include "parse.h"

/* Skip [FWS] at *i: WSP, and CRLF when WSP follows (§2.8). */
static void
skip_fws(const char *p, size_t len, size_t *i)
{
    while (*i < len) {
        if (vouch__is_space(p[*i])) {
            (*i)++;
        } else if (p[*i] == '\r' && *i + 2 < len && p[*i + 1] == '\n' &&
                   vouch__is_space(p[*i + 2])) {
            *i += 3;
        } else if (p[*i] == '\n' && *i + 1 < len &&
                   vouch__is_space(p[*i + 1])) {
            (*i) += 2; /* a bare-LF fold, as found in files */
        } else {
            break;
        }
    }
}

static int
bad(vouch_error_t *err, size_t off, const char *what)
{
    return vouch__error(err, VOUCH_ESYNTAX, "tags", off,
                        "tag-list: %s at offset %zu", what, off);
}

/* Parse one tag-spec starting at *i (after FWS); stops at ';' or end. */
static int
parse_spec(vouch__tag_t *t, const char *p, size_t len, size_t *i,
           vouch_error_t *err)
{
    size_t start, vend;

    start = *i;
    if (*i >= len || !vouch__is_alpha(p[*i])) {
        return bad(err, *i, "expected a tag name");
    }
    while (*i < len && (vouch__is_alnum(p[*i]) || p[*i] == '_')) {
        (*i)++;
    }
    t->name.ptr = p + start;
    t->name.len = *i - start;
    t->offset = start;
    skip_fws(p, len, i);
    if (*i >= len || p[*i] != '=') {
        return bad(err, *i, "expected '=' after the tag name");
    }
    (*i)++;
    skip_fws(p, len, i);
    start = vend = *i;
    while (*i < len && p[*i] != ';') {
        unsigned char c = (unsigned char)p[*i];

        if (c >= 0x21 && c <= 0x7e) {
            (*i)++;
            vend = *i;
        } else if (vouch__is_space(c) || c == '\r' || c == '\n') {
            size_t before = *i;

            skip_fws(p, len, i);
            if (*i == before) {
                return bad(err, *i, "line break not followed by whitespace");
            }
        } else {
            return bad(err, *i, "character not allowed in a tag value");
        }
    }
    t->value.ptr = p + start;
    t->value.len = vend - start;
    return 0;
}

int
vouch__tags_parse(vouch__tag_t *out, size_t max, size_t *n, const char *p,
                  size_t len, vouch_error_t *err)
{
    size_t i = 0, k, j;
    int rc;

    *n = 0;
    for (;;) {
        skip_fws(p, len, &i);
        if (i >= len) {
            return 0; /* an empty list, or a final ";" */
        }
        if (*n == max) {
            return vouch__error(err, VOUCH_ETOOBIG, "tags", i,
                                "tag-list: more than %zu tags", max);
        }
        rc = parse_spec(&out[*n], p, len, &i, err);
        if (rc != 0) {
            return rc;
        }
        k = (*n)++;
        for (j = 0; j < k; j++) {
            if (out[j].name.len == out[k].name.len &&
                memcmp(out[j].name.ptr, out[k].name.ptr, out[k].name.len) ==
                    0) {
                return vouch__error(err, VOUCH_ESYNTAX, "tags", out[k].offset,
                                    "tag-list: tag '%.*s' given twice",
                                    (int)out[k].name.len, out[k].name.ptr);
            }
        }
        if (i >= len) {
            return 0;
        }
        i++; /* ';' */
    }
}

const vouch__tag_t *
vouch__tags_find(const vouch__tag_t *tags, size_t n, const char *name)
{
    size_t i, len = strlen(name);

    for (i = 0; i < n; i++) {
        if (tags[i].name.len == len &&
            memcmp(tags[i].name.ptr, name, len) == 0) {
            return &tags[i];
        }
    }
    return NULL;
}
