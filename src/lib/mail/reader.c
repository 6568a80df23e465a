/* SPDX-License-Identifier: MIT */
/*
 * mail/reader.c - the streaming message reader of vouch/mail.h.
 *
 * Header: bytes are gathered a line at a time (at most VOUCH_MAIL_LINE_MAX)
 * and a field at a time (a line plus its continuation lines); a finished
 * field goes to the header list, which checks it. The empty line ends the
 * header. Body: passed on as it comes, in the caller's chunks, with a CR
 * added before a bare LF (unless the handler takes bare LFs itself, see
 * vouch__mail_reader_new_raw); nothing of it is kept but whether the last
 * byte was a CR.
 */
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "mail_internal.h"

typedef enum state { IN_HEADER = 0, IN_BODY, FAILED } state_t;

struct vouch_mail_reader {
    const vouch_ctx_t *ctx;
    vouch_mail_handler_t handler;
    vouch_mail_header_t *header;
    state_t state;
    int error;
    vouch_buf_t line;  /* the header line being read (without line end) */
    vouch_buf_t field; /* the field being gathered */
    size_t lineno;     /* of the line being read, from 1 */
    size_t field_line; /* where the field being gathered starts */
    bool body_cr;      /* the last body byte passed on was a CR */
    bool raw_body;     /* body passed on as it comes, bare LFs and all */
    uint64_t body_bytes;
};

int
vouch__mail_reader_new_raw(vouch_mail_reader_t **out, const vouch_ctx_t *ctx,
                           const vouch_mail_handler_t *handler)
{
    int rc = vouch_mail_reader_new(out, ctx, handler);

    if (rc == 0) {
        (*out)->raw_body = true;
    }
    return rc;
}

int
vouch_mail_reader_new(vouch_mail_reader_t **out, const vouch_ctx_t *ctx,
                      const vouch_mail_handler_t *handler)
{
    vouch_mail_reader_t *r;
    int rc;

    *out = NULL;
    r = vouch__calloc(ctx, 1, sizeof(*r));
    if (r == NULL) {
        return VOUCH_ENOMEM;
    }
    r->ctx = ctx;
    r->handler = *handler;
    r->lineno = 1;
    vouch_buf_init(&r->line, ctx, VOUCH_MAIL_LINE_MAX);
    vouch_buf_init(&r->field, ctx, VOUCH_MAIL_HEADER_MAX);
    if ((rc = vouch_mail_header_new(&r->header, ctx)) != 0) {
        vouch__free(ctx, r);
        return rc;
    }
    *out = r;
    return 0;
}

static int
stop(vouch_mail_reader_t *r, int rc)
{
    r->state = FAILED;
    r->error = rc;
    return rc;
}

/* Hand the gathered field to the header list. */
static int
flush_field(vouch_mail_reader_t *r, vouch_error_t *err)
{
    int rc;

    if (r->field.len == 0) {
        return 0;
    }
    /* lines without NUL, joined by CRLF, continuations start with WSP */
    rc = vouch__mail_header_add(r->header, r->field.ptr, r->field.len,
                                r->field_line, true, err);
    vouch_buf_clear(&r->field);
    return rc;
}

static int
end_header(vouch_mail_reader_t *r, vouch_error_t *err)
{
    int rc = flush_field(r, err);

    if (rc == 0) {
        r->state = IN_BODY;
        if (r->handler.on_header != NULL) {
            rc = r->handler.on_header(r->handler.payload, r->header);
        }
    }
    return rc;
}

/* One complete header line (without its LF). */
static int
header_line(vouch_mail_reader_t *r, const char *p, size_t len,
            vouch_error_t *err)
{
    int rc;

    if (len > 0 && p[len - 1] == '\r') {
        len--;
    }
    if (memchr(p, '\0', len) != NULL) {
        return vouch__error(err, VOUCH_ESYNTAX, "mail", 0,
                            "header line %zu: NUL byte in the header",
                            r->lineno);
    }
    if (len == 0) {
        return end_header(r, err);
    }
    if (vouch__is_space(p[0])) {
        if (r->field.len == 0) {
            return vouch__error(err, VOUCH_ESYNTAX, "mail", 0,
                                "header line %zu: continuation line before "
                                "any field",
                                r->lineno);
        }
        rc = vouch_buf_add(&r->field, "\r\n", 2);
    } else {
        rc = flush_field(r, err);
        r->field_line = r->lineno;
    }
    if (rc == 0) {
        rc = vouch_buf_add(&r->field, p, len);
    }
    if (rc == VOUCH_ETOOBIG) {
        return vouch__error(err, rc, "mail", 0,
                            "header line %zu: header block over %zu bytes",
                            r->lineno, (size_t)VOUCH_MAIL_HEADER_MAX);
    }
    return rc;
}

/* Header bytes: returns how many were used (the rest are body), or a
 * negative error. */
static int
feed_header(vouch_mail_reader_t *r, const char *p, size_t len, size_t *used,
            vouch_error_t *err)
{
    size_t i = 0;
    int rc;

    while (i < len && r->state == IN_HEADER) {
        const char *lf = memchr(p + i, '\n', len - i);
        size_t n = lf != NULL ? (size_t)(lf - (p + i)) : len - i;

        if (lf != NULL && r->line.len == 0) {
            /* a whole line in this chunk: read in place */
            rc = n > VOUCH_MAIL_LINE_MAX ? VOUCH_ETOOBIG : 0;
        } else {
            rc = vouch_buf_add(&r->line, p + i, n);
        }
        if (rc == VOUCH_ETOOBIG) {
            return vouch__error(err, rc, "mail", 0,
                                "header line %zu: longer than %d bytes",
                                r->lineno, VOUCH_MAIL_LINE_MAX);
        }
        if (rc != 0) {
            return rc;
        }
        if (lf == NULL) {
            i += n;
            break;
        }
        if (r->line.len == 0) {
            rc = header_line(r, p + i, n, err);
        } else {
            rc = header_line(r, r->line.ptr, r->line.len, err);
            vouch_buf_clear(&r->line);
        }
        if (rc != 0) {
            return rc;
        }
        i += n + 1; /* the line and its LF */
        r->lineno++;
    }
    *used = i;
    return 0;
}

static int
body_out(vouch_mail_reader_t *r, const char *p, size_t n)
{
    r->body_bytes += n;
    if (n == 0 || r->handler.on_body == NULL) {
        return 0;
    }
    return r->handler.on_body(r->handler.payload, p, n);
}

/*
 * Index of the first bare LF of p[0..n) (a LF without a CR before it;
 * prev_cr: the byte before p[0] was a CR), or n. Body lines are short,
 * so a search for each LF (memchr) would cost a call per line; this looks
 * at sixteen byte pairs at a time.
 */
static size_t
find_bare_lf(const char *p, size_t n, bool prev_cr)
{
    size_t i = 1;

    if (n == 0 || (p[0] == '\n' && !prev_cr)) {
        return 0;
    }
#if defined(__SSE2__)
    {
        const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');

        for (; i + 16 <= n; i += 16) {
            __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            __m128i a =
                _mm_loadu_si128((const __m128i *)(const void *)(p + i - 1));
            int m = _mm_movemask_epi8(
                _mm_andnot_si128(_mm_cmpeq_epi8(a, cr), _mm_cmpeq_epi8(c, lf)));

            if (m != 0) {
                return i + (unsigned)__builtin_ctz((unsigned)m);
            }
        }
    }
#endif
    for (; i < n; i++) {
        if (p[i] == '\n' && p[i - 1] != '\r') {
            return i;
        }
    }
    return n;
}

/* Body bytes: passed on in as few calls as possible; a span ends only
 * where a bare LF needs its CR. */
static int
feed_body(vouch_mail_reader_t *r, const char *p, size_t len)
{
    size_t start = 0, pos;
    int rc;

    if (r->raw_body) {
        return body_out(r, p, len);
    }
    /* after a bare LF at start - 1, the byte before start is no CR */
    while ((pos = start + find_bare_lf(p + start, len - start,
                                       start == 0 && r->body_cr)) < len) {
        if ((rc = body_out(r, p + start, pos - start)) != 0 ||
            (rc = body_out(r, "\r\n", 2)) != 0) {
            return rc;
        }
        start = pos + 1;
    }
    if ((rc = body_out(r, p + start, len - start)) != 0) {
        return rc;
    }
    if (len > 0) {
        r->body_cr = p[len - 1] == '\r';
    }
    return 0;
}

int
vouch_mail_reader_feed(vouch_mail_reader_t *r, const void *data, size_t len,
                       vouch_error_t *err)
{
    const char *p = data;
    size_t used = 0;
    int rc = 0;

    if (r->state == FAILED) {
        return vouch__error_code(err, r->error, "mail");
    }
    if (r->state == IN_HEADER) {
        rc = feed_header(r, p, len, &used, err);
        if (rc != 0) {
            return stop(r, rc);
        }
    }
    if (r->state == IN_BODY && used < len) {
        rc = feed_body(r, p + used, len - used);
        if (rc != 0) {
            return stop(r, rc);
        }
    }
    return 0;
}

int
vouch_mail_reader_finish(vouch_mail_reader_t *r, vouch_error_t *err)
{
    int rc = 0;

    if (r->state == FAILED) {
        return vouch__error_code(err, r->error, "mail");
    }
    if (r->state == IN_HEADER) {
        /* a last line without line end, then no empty line: all header */
        if (r->line.len > 0) {
            rc = header_line(r, r->line.ptr, r->line.len, err);
        }
        if (rc == 0 && r->state == IN_HEADER) {
            rc = end_header(r, err);
        }
        if (rc != 0) {
            return stop(r, rc);
        }
    }
    return 0;
}

const vouch_mail_header_t *
vouch_mail_reader_header(const vouch_mail_reader_t *r)
{
    return r->header;
}

uint64_t
vouch_mail_reader_body_bytes(const vouch_mail_reader_t *r)
{
    return r->body_bytes;
}

void
vouch_mail_reader_free(vouch_mail_reader_t *r)
{
    if (r == NULL) {
        return;
    }
    vouch_mail_header_free(r->header);
    vouch_buf_dispose(&r->line);
    vouch_buf_dispose(&r->field);
    vouch__free(r->ctx, r);
}
