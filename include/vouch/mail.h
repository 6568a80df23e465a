/* SPDX-License-Identifier: MIT */
/*
 * vouch/mail.h - RFC 5322 messages as DKIM, ARC and DMARC need them: the
 * header block as a list of fields kept byte for byte (canonicalization
 * works on the exact bytes), and a streaming reader that splits a message
 * given in chunks of any size into that header and a body passed on as it
 * arrives, never holding the body.
 *
 * Line ends: CRLF is the line end; a bare LF is taken as CRLF (as an MTA
 * does when it receives a message from a local program), so a field's raw
 * bytes and the body always use CRLF. A bare CR is kept as a data byte.
 * A message that ends without the empty line has no body.
 *
 * Bounded: the header block, the number of fields and the length of a
 * header line are capped; exceeding a cap is VOUCH_ETOOBIG with the line
 * number. A header line without a colon, a continuation line before the
 * first field, and a NUL byte in the header are VOUCH_ESYNTAX. The body
 * has no cap and may hold any byte.
 *
 * Not done here: MIME structure, encoded words, address parsing (see the
 * address parser for From), 8-bit header charset conversion.
 *
 * Thread safety: a header or reader belongs to one thread at a time.
 */
#ifndef VOUCH_MAIL_H
#define VOUCH_MAIL_H

#include <stddef.h>

#include "common.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- limits -------------------------------------------------------------- */

/* Bytes of the header block, CRLFs included. Real headers stay far below
 * (a long list message: ~20 KiB); this bounds memory per message. */
#define VOUCH_MAIL_HEADER_MAX ((size_t)1 << 20)

/* Header fields in one message. */
#define VOUCH_MAIL_FIELDS_MAX 1000

/* Bytes of one header line (one physical line, folded fields have
 * several). RFC 5322 §2.1.1 says 998; real mail sometimes has longer
 * lines, so we accept up to this. */
#define VOUCH_MAIL_LINE_MAX 16384

/* ---- header fields ------------------------------------------------------- */

/*
 * One field, borrowed from its header. raw holds the field exactly:
 * "Name: value", folding CRLFs included, without the CRLF that ends it.
 * raw[0..name_len) is the field name (without any whitespace before the
 * colon); raw[value_off..len) is the value, starting just after the colon.
 */
typedef struct vouch_mail_field {
    const char *raw;
    size_t len;
    size_t name_len;
    size_t value_off;
} vouch_mail_field_t;

typedef struct vouch_mail_header vouch_mail_header_t;

/* An empty header. Returns 0, VOUCH_ENOMEM. */
VOUCH_EXTERN int
vouch_mail_header_new(vouch_mail_header_t **out,
                      const vouch_ctx_t *ctx) VOUCH_WARN_UNUSED;

/*
 * Append a field (copied). raw is one field without its final CRLF; lines
 * inside it are separated by CRLF (a bare LF is taken as CRLF).
 * Returns 0; VOUCH_ESYNTAX (no colon, empty or bad name, a line after the
 * first not starting with whitespace, NUL byte); VOUCH_ETOOBIG (a cap);
 * VOUCH_ENOMEM. err says which.
 */
VOUCH_EXTERN int vouch_mail_header_add(vouch_mail_header_t *header,
                                       const char *raw, size_t len,
                                       vouch_error_t *err) VOUCH_WARN_UNUSED;

/* Number of fields. */
VOUCH_EXTERN size_t vouch_mail_header_count(const vouch_mail_header_t *header);

/* Field i (0 = first in the message), or NULL when i is out of range.
 * Valid until the header is changed or freed. */
VOUCH_EXTERN const vouch_mail_field_t *
vouch_mail_header_field(const vouch_mail_header_t *header, size_t i);

/*
 * Index of the first field at or after index start whose name equals name
 * (name_len bytes, ASCII case-insensitive), or (size_t)-1 if none.
 */
VOUCH_EXTERN size_t vouch_mail_header_find(const vouch_mail_header_t *header,
                                           const char *name, size_t name_len,
                                           size_t start);

/* Total bytes of the fields (raw lengths plus their CRLFs). */
VOUCH_EXTERN size_t vouch_mail_header_size(const vouch_mail_header_t *header);

/* Free the header. NULL is a no-op. */
VOUCH_EXTERN void vouch_mail_header_free(vouch_mail_header_t *header);

/* ---- streaming reader ------------------------------------------------------
 */

/* Called once, when the header block ends (at the empty line, or at
 * vouch_mail_reader_finish for a message without one). The header stays
 * owned by the reader. Return 0 to go on; anything else stops the reader
 * and is returned by the feed/finish call. */
typedef int (*vouch_mail_header_fn)(void *payload,
                                    const vouch_mail_header_t *header);

/* Called with body bytes as they arrive (CRLF line ends). Chunks may end
 * anywhere, even between CR and LF. Return 0 to go on, else stop. */
typedef int (*vouch_mail_body_fn)(void *payload, const char *data, size_t len);

typedef struct vouch_mail_handler {
    vouch_mail_header_fn on_header; /* may be NULL */
    vouch_mail_body_fn on_body;     /* may be NULL */
    void *payload;
} vouch_mail_handler_t;

typedef struct vouch_mail_reader vouch_mail_reader_t;

/* A reader calling handler (copied). Returns 0, VOUCH_ENOMEM. */
VOUCH_EXTERN int
vouch_mail_reader_new(vouch_mail_reader_t **out, const vouch_ctx_t *ctx,
                      const vouch_mail_handler_t *handler) VOUCH_WARN_UNUSED;

/*
 * Feed the next len bytes of the message. Results never depend on how the
 * message is cut into chunks. Returns 0; VOUCH_ESYNTAX or VOUCH_ETOOBIG
 * (bad header, err has the line number and why); VOUCH_ENOMEM; or a
 * handler's nonzero return. After an error the reader only fails.
 */
VOUCH_EXTERN int vouch_mail_reader_feed(vouch_mail_reader_t *reader,
                                        const void *data, size_t len,
                                        vouch_error_t *err) VOUCH_WARN_UNUSED;

/* End of the message: flushes what is pending (calls on_header if the
 * header never ended). Same returns as feed. */
VOUCH_EXTERN int vouch_mail_reader_finish(vouch_mail_reader_t *reader,
                                          vouch_error_t *err) VOUCH_WARN_UNUSED;

/* The header read so far (complete once on_header was called). */
VOUCH_EXTERN const vouch_mail_header_t *
vouch_mail_reader_header(const vouch_mail_reader_t *reader);

/* Body bytes passed on so far (after line-end normalisation). */
VOUCH_EXTERN uint64_t
vouch_mail_reader_body_bytes(const vouch_mail_reader_t *reader);

/* Free the reader and its header. NULL is a no-op. */
VOUCH_EXTERN void vouch_mail_reader_free(vouch_mail_reader_t *reader);

#ifdef __cplusplus
}
#endif

#endif
