/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_mail.c - the streaming message reader (vouch/mail.h): the
 * message fed whole and fed in chunks cut where the input says (1-byte
 * chunks, cuts between CR and LF included) must give the same header
 * fields byte for byte (raw, name length, value offset), the same body
 * bytes, the same error code and message, and the header handler called
 * once exactly when reading succeeds. The body must also use CRLF line
 * ends only (no bare LF passes the reader).
 *
 * Input: the first byte says how many cut bytes follow (0-7); the rest
 * is the message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What one reading produced: fields and body, serialised. */
typedef struct seen {
    char *fields, *body;
    size_t flen, blen;
    unsigned headers; /* on_header calls */
    bool last_cr;     /* the body so far ends with a CR */
    int rc;
    char msg[VOUCH_ERROR_MSG_MAX];
} seen_t;

static void
append(char **buf, size_t *len, const void *p, size_t n)
{
    char *b;

    if (n == 0) {
        return;
    }
    b = realloc(*buf, *len + n);
    if (b == NULL) {
        abort();
    }
    memcpy(b + *len, p, n);
    *buf = b;
    *len += n;
}

static int
on_header(void *payload, const vouch_mail_header_t *hdr)
{
    seen_t *s = payload;
    size_t i, n = vouch_mail_header_count(hdr);

    s->headers++;
    for (i = 0; i < n; i++) {
        const vouch_mail_field_t *f = vouch_mail_header_field(hdr, i);
        size_t meta[3] = { f->len, f->name_len, f->value_off };

        if (f->name_len == 0 || f->value_off > f->len ||
            f->raw[f->value_off - 1] != ':' ||
            memchr(f->raw, '\0', f->len) != NULL) {
            abort();
        }
        /* the field is found by its own name, from its index on */
        if (vouch_mail_header_find(hdr, f->raw, f->name_len, i) != i ||
            vouch_mail_header_find(hdr, f->raw, f->name_len, 0) > i) {
            abort();
        }
        append(&s->fields, &s->flen, meta, sizeof(meta));
        append(&s->fields, &s->flen, f->raw, f->len);
    }
    return 0;
}

static int
on_body(void *payload, const char *p, size_t n)
{
    seen_t *s = payload;
    size_t i;

    if (n == 0) {
        abort(); /* the reader passes on no empty chunks */
    }
    for (i = 0; i < n; i++) {
        bool prev_cr = i > 0 ? p[i - 1] == '\r' : s->last_cr;

        if (p[i] == '\n' && !prev_cr) {
            abort(); /* a bare LF got through */
        }
    }
    s->last_cr = p[n - 1] == '\r';
    append(&s->body, &s->blen, p, n);
    return 0;
}

static void
run(seen_t *s, const uint8_t *p, size_t n, const uint8_t *cuts, size_t ncuts)
{
    vouch_mail_handler_t h = { on_header, on_body, s };
    vouch_mail_reader_t *r;
    vouch_error_t err;
    size_t i = 0, k = 0;
    int rc = 0;

    memset(s, 0, sizeof(*s));
    vouch_error_clear(&err);
    if (vouch_mail_reader_new(&r, NULL, &h) != 0) {
        abort();
    }
    while (rc == 0 && i < n) {
        size_t step = ncuts == 0 ? n - i : 1 + (size_t)(cuts[k++ % ncuts] % 23);

        step = step > n - i ? n - i : step;
        rc = vouch_mail_reader_feed(r, p + i, step, &err);
        i += step;
    }
    if (rc == 0) {
        rc = vouch_mail_reader_finish(r, &err);
    }
    s->rc = rc;
    memcpy(s->msg, err.msg, sizeof(s->msg));
    if (rc == 0 &&
        (s->headers != 1 || vouch_mail_reader_body_bytes(r) != s->blen)) {
        abort();
    }
    /* after an error the reader only fails, with the same code */
    if (rc != 0 && vouch_mail_reader_feed(r, "x", 1, NULL) != rc) {
        abort();
    }
    vouch_mail_reader_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    seen_t whole, cut;
    size_t ncuts;

    if (size < 1) {
        return 0;
    }
    ncuts = data[0] % 8; /* the first bytes say where to cut */
    if (ncuts + 1 > size) {
        return 0;
    }
    run(&whole, data + 1 + ncuts, size - 1 - ncuts, NULL, 0);
    run(&cut, data + 1 + ncuts, size - 1 - ncuts, data + 1, ncuts);
    if (whole.rc != cut.rc || strcmp(whole.msg, cut.msg) != 0 ||
        whole.headers != cut.headers || whole.flen != cut.flen ||
        whole.blen != cut.blen ||
        (whole.flen > 0 && memcmp(whole.fields, cut.fields, whole.flen)) ||
        (whole.blen > 0 && memcmp(whole.body, cut.body, whole.blen))) {
        abort();
    }
    free(whole.fields);
    free(whole.body);
    free(cut.fields);
    free(cut.body);
    return 0;
}
