/* SPDX-License-Identifier: MIT */
/*
 * dkim/canon.c - canonicalization (RFC 6376 §3.4): header fields, and
 * streaming body canonicalization into a hash.
 *
 * Body, simple (§3.4.3): trailing empty lines go; a body not ending in
 * CRLF gets one; an empty body is one CRLF. Relaxed (§3.4.4): whitespace
 * at the end of lines goes, runs of whitespace become one space, trailing
 * empty lines go, and a non-empty body ends in CRLF; an empty body stays
 * empty. A bare LF ends a line as a CRLF does, as the mail reader would
 * make it (the reader passes bare LFs on to DKIM and ARC unchanged,
 * vouch__mail_reader_new_raw, so that the body's bytes are scanned once,
 * here); a bare CR is an ordinary byte.
 *
 * Streaming without buffering the body: what cannot be decided yet is
 * kept as state (empty lines that may end the body, whitespace that may
 * end a line, a CR whose LF may be in the next chunk). Speed: most bytes
 * need no change, so a scanner looks for the few byte pairs that do
 * (a tab, a space before whitespace or CR, an empty line after a line
 * end) sixteen bytes at a time, and the spans in between are hashed
 * straight from the caller's buffer, with no copy.
 */
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "dkim_internal.h"

static const char crlf[] = "\r\n";

static void
flush_stage(dkim_body_t *b)
{
    vouch__hash_update(b->hash, b->stage, b->nstage);
    b->nstage = 0;
}

/* Hash what is emitted: long spans at once, short pieces (a CRLF, a
 * space, a byte) gathered first, as a hash call per piece costs more
 * than hashing the piece. */
static void
emit(dkim_body_t *b, const char *p, size_t n)
{
    uint64_t room = b->limit > b->emitted ? b->limit - b->emitted : 0;
    size_t take = n < room ? n : (size_t)room;

    if (take > 0) {
        if (b->nstage + take > sizeof(b->stage)) {
            flush_stage(b);
        }
        if (take >= sizeof(b->stage) / 4) {
            flush_stage(b);
            vouch__hash_update(b->hash, p, take);
        } else {
            memcpy(b->stage + b->nstage, p, take);
            b->nstage += take;
        }
    }
    b->emitted += n;
    b->any = true;
}

void
vouch__dkim_body_init(dkim_body_t *b, vouch_dkim_canon_t c, vouch__hash_t *hash,
                      uint64_t limit)
{
    memset(b, 0, sizeof(*b));
    b->canon = c;
    b->hash = hash;
    b->limit = limit;
}

/* A line end. Relaxed: whitespace before it goes. */
static void
on_crlf(dkim_body_t *b)
{
    b->pend_wsp = false;
    if (b->line_content) {
        emit(b, crlf, 2);
        b->line_content = false;
        b->ends_crlf = true;
    } else {
        b->pend_crlf++; /* an empty line: kept back until content follows */
    }
}

/* Content follows: the empty lines and the whitespace withheld before it
 * go out (relaxed: a run of whitespace as one space). */
static void
settle(dkim_body_t *b)
{
    for (; b->pend_crlf > 0; b->pend_crlf--) {
        emit(b, crlf, 2);
    }
    if (b->pend_wsp) {
        emit(b, " ", 1);
        b->pend_wsp = false;
    }
}

/* A content byte (not a line end, not relaxed whitespace). */
static void
on_content(dkim_body_t *b, const char *p)
{
    settle(b);
    emit(b, p, 1);
    b->line_content = true;
    b->ends_crlf = false;
}

/*
 * Where the slow path must take over, looking at byte pairs (a, c) =
 * (p[i], p[i+1]): at c when it starts an empty line (a LF, c CR) or is a
 * bare LF; in relaxed mode at a when it is a tab, or a space before space,
 * tab, CR or LF. Returns the index of that byte, or n when the pairs up to the
 * last byte need nothing. (The vector scan below may also stop at a space
 * before a control byte: stopping early is always safe, the slow path
 * then passes the bytes on unchanged.)
 */
static size_t
scan_scalar(const unsigned char *p, size_t i, size_t n, bool relaxed)
{
    for (; i + 1 < n; i++) {
        unsigned char a = p[i], c = p[i + 1];

        if (relaxed && (a == '\t' || (a == ' ' && (c == ' ' || c == '\t' ||
                                                   c == '\r' || c == '\n')))) {
            return i;
        }
        if ((a == '\n' && c == '\r') || (c == '\n' && a != '\r')) {
            return i + 1;
        }
    }
    return n;
}

#if defined(__SSE2__)
static size_t
scan(const unsigned char *p, size_t n, bool relaxed)
{
    const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t'),
                  cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    size_t i = 0;

    for (; i + 17 <= n; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(p + i + 1));
        /* conditions on c: an empty line starts, or a bare LF */
        __m128i at_c = _mm_or_si128(
            _mm_and_si128(_mm_cmpeq_epi8(a, lf), _mm_cmpeq_epi8(c, cr)),
            _mm_andnot_si128(_mm_cmpeq_epi8(a, cr), _mm_cmpeq_epi8(c, lf)));
        __m128i at_a = _mm_setzero_si128();
        int m;

        if (relaxed) {
            /* a space before any byte up to 0x20: the whitespace and line
             * ends, and control bytes too, for which stopping early only
             * means the slow path finds nothing to change */
            __m128i c_low = _mm_cmpeq_epi8(_mm_min_epu8(c, sp), c);

            at_a = _mm_or_si128(_mm_cmpeq_epi8(a, tab),
                                _mm_and_si128(_mm_cmpeq_epi8(a, sp), c_low));
        }
        m = _mm_movemask_epi8(_mm_or_si128(at_c, at_a));
        if (m != 0) {
            unsigned bit = (unsigned)__builtin_ctz((unsigned)m);
            int ma = _mm_movemask_epi8(at_a);

            return i + bit + ((ma >> bit) & 1 ? 0 : 1);
        }
    }
    return scan_scalar(p, i, n, relaxed);
}
#else
static size_t
scan(const unsigned char *p, size_t n, bool relaxed)
{
    return scan_scalar(p, 0, n, relaxed);
}
#endif

/* A byte that starts a line with content in both canonicalizations: an
 * empty line before it cannot end the body. */
static bool
starts_content(unsigned char c, bool relaxed)
{
    return c != '\r' && c != '\n' && (!relaxed || (c != ' ' && c != '\t'));
}

/*
 * How many bytes from p can be hashed as they are. Called only in a clean
 * state (nothing withheld) with p[0] neither CR nor LF, so a LF inside the
 * span always ends a CRLF. Empty lines followed by content in the same
 * chunk stay in the span: only those that may end the body are withheld.
 */
static size_t
passthrough(const dkim_body_t *b, const char *p, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
    bool relaxed = b->canon == VOUCH_DKIM_RELAXED;
    size_t i = scan(u, n, relaxed), j;

    /* scan stops at a CR only where it starts an empty line */
    while (i < n && u[i] == '\r') {
        for (j = i; j + 1 < n && u[j] == '\r' && u[j + 1] == '\n'; j += 2) {
        }
        if (j == n || !starts_content(u[j], relaxed)) {
            return i;
        }
        i = j + scan(u + j, n - j, relaxed);
    }
    if (i < n) {
        return i;
    }
    /* the last byte needs its successor: a CR (LF?) or relaxed space */
    if (u[n - 1] == '\r' ||
        (relaxed && (u[n - 1] == ' ' || u[n - 1] == '\t'))) {
        return n - 1;
    }
    return n;
}

void
vouch__dkim_body_update(dkim_body_t *b, const char *p, size_t n)
{
    bool relaxed = b->canon == VOUCH_DKIM_RELAXED;
    size_t i = 0;

    if (n > 0 && b->pend_cr) {
        b->pend_cr = false;
        if (p[0] == '\n') {
            on_crlf(b);
            i = 1;
        } else {
            on_content(b, "\r");
        }
    }
    while (i < n) {
        char c = p[i];
        bool wsp = relaxed && (c == ' ' || c == '\t');

        /* content settles what was withheld and starts a span; whitespace
         * does so only in a clean state (it may end a line, or make a
         * whitespace-only line that is empty) */
        if (c != '\r' && c != '\n' &&
            !(wsp && (b->pend_wsp || b->pend_crlf > 0))) {
            size_t j;

            settle(b);
            j = passthrough(b, p + i, n - i);

            if (j > 0) {
                emit(b, p + i, j);
                i += j;
                /* only CRLF ends a line: a bare LF is data, as on the slow
                 * path (a CR before a lone LF was never passed through) */
                b->line_content =
                    !(j >= 2 && p[i - 2] == '\r' && p[i - 1] == '\n');
                b->ends_crlf = !b->line_content;
                continue;
            }
        }
        if (c == '\r') {
            if (i + 1 == n) {
                b->pend_cr = true;
                return;
            }
            if (p[i + 1] == '\n') {
                on_crlf(b);
                i += 2;
                continue;
            }
        } else if (c == '\n') {
            on_crlf(b); /* a bare LF ends a line, as the mail reader says */
            i++;
            continue;
        } else if (relaxed && (c == ' ' || c == '\t')) {
            b->pend_wsp = true;
            i++;
            continue;
        }
        on_content(b, p + i);
        i++;
    }
}

void
vouch__dkim_body_final(dkim_body_t *b)
{
    if (b->pend_cr) {
        b->pend_cr = false;
        on_content(b, "\r"); /* a bare CR at the very end */
    }
    /* withheld empty lines and trailing whitespace are dropped */
    b->pend_crlf = 0;
    b->pend_wsp = false;
    if (b->canon == VOUCH_DKIM_SIMPLE ? !b->ends_crlf
                                      : (b->any && !b->ends_crlf)) {
        emit(b, crlf, 2);
    }
    flush_stage(b);
}

/* ---- header fields
 * -------------------------------------------------------------------- */

void
vouch__dkim_sink_init(dkim_sink_t *k, vouch_buf_t *buf, vouch__hash_t *hash)
{
    k->buf = buf;
    k->hash = hash;
    k->n = 0;
    k->rc = 0;
}

int
vouch__dkim_sink_flush(dkim_sink_t *k)
{
    if (k->n > 0 && k->rc == 0) {
        if (k->buf != NULL) {
            k->rc = vouch_buf_add(k->buf, k->stage, k->n);
        } else {
            vouch__hash_update(k->hash, k->stage, k->n);
        }
    }
    k->n = 0;
    return k->rc;
}

/* Append n bytes: staged, or passed on whole when they would not fit. */
static void
sink_put(dkim_sink_t *k, const char *p, size_t n)
{
    if (k->n + n > sizeof(k->stage)) {
        (void)vouch__dkim_sink_flush(k);
        if (n > sizeof(k->stage)) {
            if (k->rc == 0 && k->buf != NULL) {
                k->rc = vouch_buf_add(k->buf, p, n);
            } else if (k->rc == 0) {
                vouch__hash_update(k->hash, p, n);
            }
            return;
        }
    }
    memcpy(k->stage + k->n, p, n);
    k->n += n;
}

static void
sink_putc(dkim_sink_t *k, char c)
{
    if (k->n == sizeof(k->stage)) {
        (void)vouch__dkim_sink_flush(k);
    }
    k->stage[k->n++] = c;
}

/* Relaxed (§3.4.2) value bytes [p, end): unfolded, whitespace runs as
 * one space, none at the start or the end (*space: whitespace withheld;
 * *value: something was written). */
static void
relaxed_value(dkim_sink_t *k, const char *p, const char *end, bool *space,
              bool *value)
{
    while (p < end) {
        const char *run = p;

        /* a run of bytes that stay as they are, copied whole */
        while (p < end && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
            p++;
        }
        if (p > run) {
            if (*space && *value) {
                sink_putc(k, ' ');
            }
            sink_put(k, run, (size_t)(p - run));
            *space = false;
            *value = true;
            continue;
        }
        /* unfold: the CRLF goes, the WSP after it stays */
        *space = *space || *p == ' ' || *p == '\t';
        p++;
    }
}

int
vouch__dkim_canon_header_cut(dkim_sink_t *k, vouch_dkim_canon_t c,
                             const char *raw, size_t len, size_t name_len,
                             size_t cut, size_t cut_end, bool add_crlf)
{
    const char *colon;
    bool space = false, value = false;
    size_t i;

    if (c == VOUCH_DKIM_SIMPLE) {
        sink_put(k, raw, cut);
        sink_put(k, raw + cut_end, len - cut_end);
        if (add_crlf) {
            sink_put(k, crlf, 2);
        }
        return k->rc;
    }
    /* relaxed (§3.4.2): lower-case name, no whitespace around the colon,
     * unfolded, whitespace runs as one space, none at the end */
    for (i = 0; i < name_len; i++) {
        sink_putc(k, vouch__lower(raw[i]));
    }
    sink_putc(k, ':');
    colon = memchr(raw + name_len, ':', cut - name_len);
    if (colon != NULL) {
        relaxed_value(k, colon + 1, raw + cut, &space, &value);
        relaxed_value(k, raw + cut_end, raw + len, &space, &value);
    }
    if (add_crlf) {
        sink_put(k, crlf, 2);
    }
    return k->rc;
}

int
vouch__dkim_canon_header_sink(dkim_sink_t *k, vouch_dkim_canon_t c,
                              const char *raw, size_t len, size_t name_len,
                              bool add_crlf)
{
    return vouch__dkim_canon_header_cut(k, c, raw, len, name_len, len, len,
                                        add_crlf);
}

int
vouch__dkim_canon_header(vouch_buf_t *out, vouch_dkim_canon_t c,
                         const char *raw, size_t len, size_t name_len,
                         bool add_crlf)
{
    size_t start = out->len;
    dkim_sink_t k;

    vouch__dkim_sink_init(&k, out, NULL);
    if (vouch__dkim_canon_header_sink(&k, c, raw, len, name_len, add_crlf) !=
            0 ||
        vouch__dkim_sink_flush(&k) != 0) {
        out->len = start;
        if (out->ptr != NULL) {
            out->ptr[start] = '\0';
        }
        return k.rc;
    }
    return 0;
}
