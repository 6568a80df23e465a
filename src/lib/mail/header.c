/* SPDX-License-Identifier: MIT */
/*
 * mail/header.c - the header block as a list of fields kept byte for byte
 * (RFC 5322 §2.2, §3.6; obsolete whitespace before the colon, §4.5).
 *
 * Fields live in one arena with an index; when the arena moves the index
 * pointers are fixed up, so a field pointer stays valid until the header
 * changes. Adding a field checks it (name, colon, continuation lines, no
 * NUL) and normalises bare LF to CRLF, so every consumer sees the same
 * form whether the field came from a file or from an MTA.
 */
#include <string.h>

#include "mail_internal.h"

int
vouch_mail_header_new(vouch_mail_header_t **out, const vouch_ctx_t *ctx)
{
    vouch_mail_header_t *h;

    *out = NULL;
    h = vouch__calloc(ctx, 1, sizeof(*h));
    if (h == NULL) {
        return VOUCH_ENOMEM;
    }
    h->ctx = ctx;
    vouch_buf_init(&h->arena, ctx, VOUCH_MAIL_HEADER_MAX);
    *out = h;
    return 0;
}

/* Check a field and find its name and value: 0 or VOUCH_ESYNTAX with
 * *why set. */
static int
check_field(const char *raw, size_t len, bool lines_ok, size_t *name_len,
            size_t *value_off, const char **why)
{
    const char *end = raw + len, *lf;
    size_t i, colon;

    for (colon = 0; colon < len && raw[colon] != ':' && raw[colon] != '\r' &&
                    raw[colon] != '\n';
         colon++) {
    }
    if (colon == len || raw[colon] != ':') {
        *why = len >= 5 && memcmp(raw, "From ", 5) == 0
                   ? "no colon (an mbox 'From ' line?)"
                   : "no colon";
        return VOUCH_ESYNTAX;
    }
    *name_len = colon;
    while (*name_len > 0 && vouch__is_space(raw[*name_len - 1])) {
        (*name_len)--; /* obs-optional: WSP before the colon */
    }
    if (*name_len == 0) {
        *why = "empty field name";
        return VOUCH_ESYNTAX;
    }
    for (i = 0; i < *name_len; i++) {
        if (!vouch__is_vchar(raw[i])) {
            *why = "invalid character in the field name";
            return VOUCH_ESYNTAX;
        }
    }
    *value_off = colon + 1;
    if (lines_ok) {
        return 0;
    }
    if (memchr(raw, '\0', len) != NULL) {
        *why = "NUL byte in the header";
        return VOUCH_ESYNTAX;
    }
    for (lf = memchr(raw, '\n', len); lf != NULL;
         lf = memchr(lf + 1, '\n', (size_t)(end - lf - 1))) {
        if (lf + 1 == end || !vouch__is_space(lf[1])) {
            *why = "a line inside the field does not start with whitespace";
            return VOUCH_ESYNTAX;
        }
    }
    return 0;
}

/* How many LFs of raw have no CR before them. */
static size_t
count_bare_lf(const char *raw, size_t len)
{
    const char *lf = memchr(raw, '\n', len), *end = raw + len;
    size_t n = 0;

    for (; lf != NULL; lf = memchr(lf + 1, '\n', (size_t)(end - lf - 1))) {
        n += lf == raw || lf[-1] != '\r';
    }
    return n;
}

/* Re-point the fields after the arena moved. */
static void
fix_pointers(vouch_mail_header_t *h)
{
    size_t i;

    for (i = 0; i < h->n; i++) {
        h->fields[i].raw = h->arena.ptr + h->offsets[i];
    }
}

int
vouch__mail_header_add(vouch_mail_header_t *h, const char *raw, size_t len,
                       size_t line, bool lines_ok, vouch_error_t *err)
{
    const char *why = NULL, *old = h->arena.ptr;
    size_t name_len, value_off, start = h->arena.len, i, from, extra;
    int rc;

    if (check_field(raw, len, lines_ok, &name_len, &value_off, &why) != 0) {
        return vouch__error(err, VOUCH_ESYNTAX, "mail", 0,
                            "header line %zu: %s", line, why);
    }
    if (h->n == VOUCH_MAIL_FIELDS_MAX) {
        return vouch__error(err, VOUCH_ETOOBIG, "mail", 0,
                            "header line %zu: more than %d fields", line,
                            VOUCH_MAIL_FIELDS_MAX);
    }
    if (h->n == h->cap) {
        size_t cap = h->cap == 0 ? 32 : h->cap * 2;
        vouch_mail_field_t *f =
            vouch__realloc(h->ctx, h->fields, cap * sizeof(*f));
        size_t *o;

        if (f == NULL) {
            return vouch__error_code(err, VOUCH_ENOMEM, "mail");
        }
        h->fields = f;
        o = vouch__realloc(h->ctx, h->offsets, cap * sizeof(*o));
        if (o == NULL) {
            return vouch__error_code(err, VOUCH_ENOMEM, "mail");
        }
        h->offsets = o;
        h->cap = cap;
    }
    /* copy, a bare LF becoming CRLF: runs up to each bare LF are copied
     * whole; count the CRs it adds first */
    extra = lines_ok ? 0 : count_bare_lf(raw, len);
    if (h->arena.len + len + extra + 2 > VOUCH_MAIL_HEADER_MAX) {
        return vouch__error(err, VOUCH_ETOOBIG, "mail", 0,
                            "header line %zu: header block over %zu bytes",
                            line, (size_t)VOUCH_MAIL_HEADER_MAX);
    }
    for (i = 0, from = 0, rc = 0; rc == 0 && extra > 0 && i < len;) {
        const char *lf = memchr(raw + i, '\n', len - i);
        size_t at;

        if (lf == NULL) {
            break;
        }
        at = (size_t)(lf - raw);
        i = at + 1;
        if (at == 0 || raw[at - 1] != '\r') {
            rc = vouch_buf_add(&h->arena, raw + from, at - from);
            if (rc == 0) {
                rc = vouch_buf_add(&h->arena, "\r\n", 2);
            }
            from = i;
        }
    }
    if (rc == 0) {
        rc = vouch_buf_add(&h->arena, raw + from, len - from);
    }
    if (rc != 0) {
        h->arena.len = start;
        if (h->arena.ptr != old) {
            fix_pointers(h); /* an append grew the arena, then failed */
        }
        return vouch__error_code(err, rc, "mail");
    }
    h->offsets[h->n] = start;
    h->fields[h->n].len = len + extra;
    h->fields[h->n].name_len = name_len;
    h->fields[h->n].value_off = value_off; /* before any inserted CR */
    h->n++;
    h->size += len + extra + 2;
    if (h->arena.ptr != old || h->n == 1) {
        fix_pointers(h);
    } else {
        h->fields[h->n - 1].raw = h->arena.ptr + start;
    }
    return 0;
}

int
vouch_mail_header_add(vouch_mail_header_t *header, const char *raw, size_t len,
                      vouch_error_t *err)
{
    return vouch__mail_header_add(header, raw, len, header->n + 1, false, err);
}

size_t
vouch_mail_header_count(const vouch_mail_header_t *header)
{
    return header->n;
}

const vouch_mail_field_t *
vouch_mail_header_field(const vouch_mail_header_t *header, size_t i)
{
    return i < header->n ? &header->fields[i] : NULL;
}

size_t
vouch_mail_header_find(const vouch_mail_header_t *header, const char *name,
                       size_t name_len, size_t start)
{
    size_t i;

    for (i = start; i < header->n; i++) {
        const vouch_mail_field_t *f = &header->fields[i];

        if (f->name_len == name_len &&
            vouch__str_ieq(f->raw, f->name_len, name, name_len)) {
            return i;
        }
    }
    return (size_t)-1;
}

size_t
vouch_mail_header_size(const vouch_mail_header_t *header)
{
    return header->size;
}

void
vouch_mail_header_free(vouch_mail_header_t *header)
{
    if (header == NULL) {
        return;
    }
    vouch_buf_dispose(&header->arena);
    vouch__free(header->ctx, header->fields);
    vouch__free(header->ctx, header->offsets);
    vouch__free(header->ctx, header);
}
