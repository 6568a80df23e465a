/* SPDX-License-Identifier: MIT */
/*
 * mail/mail_internal.h - the header list's layout, shared by header.c and
 * the reader; the reader for body handlers that take bare LFs themselves.
 */
#ifndef VOUCH_MAIL_INTERNAL_H
#define VOUCH_MAIL_INTERNAL_H

#include "vouch/mail.h"
#include "../core/internal.h"

struct vouch_mail_header {
    const vouch_ctx_t *ctx;
    vouch_buf_t arena;          /* the fields' bytes, CRLF inside */
    vouch_mail_field_t *fields; /* raw points into arena */
    size_t *offsets;            /* of each field in arena */
    size_t n, cap;
    size_t size; /* bytes with the CRLFs that end fields */
};

/* vouch_mail_header_add, with the line number to put in messages.
 * lines_ok: the caller made sure there is no NUL byte, no bare LF, and
 * every line after the first starts with whitespace (the reader builds
 * fields so); those checks are then skipped. */
VOUCH_HIDDEN int vouch__mail_header_add(vouch_mail_header_t *h, const char *raw,
                                        size_t len, size_t line, bool lines_ok,
                                        vouch_error_t *err);

/*
 * vouch_mail_reader_new for a body handler that takes a bare LF as a line
 * end itself, as DKIM's body canonicalizers do (dkim/canon.c): the body is
 * passed on as it comes, without the CR the reader would add before a bare
 * LF, so its bytes are looked at once, by the handler, instead of twice.
 * vouch_mail_reader_body_bytes then counts the bytes as they came.
 */
VOUCH_HIDDEN int
vouch__mail_reader_new_raw(vouch_mail_reader_t **out, const vouch_ctx_t *ctx,
                           const vouch_mail_handler_t *handler);

#endif
