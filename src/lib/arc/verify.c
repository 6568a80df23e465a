/* SPDX-License-Identifier: MIT */
/*
 * arc/verify.c - the ARC verifier (RFC 8617 §5.2): the message streams in
 * (raw, or field by field), the chain validator of chain.c does the work.
 */
#include <string.h>

#include "arc_internal.h"

struct vouch_arc_verifier {
    const vouch_ctx_t *ctx;
    arc_chain_t chain;
    vouch_mail_reader_t *reader; /* when fed the raw message */
    vouch_mail_header_t *fields; /* when fed field by field */
    bool header_done;
    bool finished;
    int error; /* sticky */
};

const char *
vouch_arc_cv_name(vouch_arc_cv_t cv)
{
    static const char *const names[] = { "none", "pass", "fail" };

    return (unsigned)cv < VOUCH_ARRAY_LEN(names) ? names[cv] : "unknown";
}

static int
on_header(void *payload, const vouch_mail_header_t *hdr)
{
    vouch_arc_verifier_t *v = payload;

    v->header_done = true;
    return vouch__arc_chain_header(&v->chain, hdr);
}

static int
on_body(void *payload, const char *data, size_t len)
{
    vouch_arc_verifier_t *v = payload;

    vouch__arc_chain_body(&v->chain, data, len);
    return 0;
}

int
vouch_arc_verifier_new(vouch_arc_verifier_t **out, const vouch_ctx_t *ctx,
                       vouch_resolver_t *resolver,
                       const vouch_arc_verify_options_t *opts,
                       vouch_error_t *err)
{
    static const vouch_arc_verify_options_t defaults =
        VOUCH_ARC_VERIFY_OPTIONS_INIT;
    vouch_arc_verifier_t *v;

    *out = NULL;
    opts = opts != NULL ? opts : &defaults;
    if (opts->version != 1 || resolver == NULL) {
        return vouch__error(err, VOUCH_EINVAL, "arc", 0,
                            "invalid verifier options");
    }
    v = vouch__calloc(ctx, 1, sizeof(*v));
    if (v == NULL) {
        return vouch__error_code(err, VOUCH_ENOMEM, "arc");
    }
    v->ctx = ctx;
    vouch__arc_chain_init(&v->chain, ctx, resolver, opts);
    *out = v;
    return 0;
}

/* Record a sticky error and return it. */
static int
fail(vouch_arc_verifier_t *v, int rc, vouch_error_t *err)
{
    v->error = rc;
    return vouch__error_code(err, rc, "arc");
}

int
vouch_arc_verifier_feed(vouch_arc_verifier_t *v, const void *data, size_t len,
                        vouch_error_t *err)
{
    vouch_mail_handler_t h = { on_header, on_body, v };
    int rc;

    if (v->error != 0) {
        return vouch__error_code(err, v->error, "arc");
    }
    if (v->fields != NULL || v->finished) {
        return fail(v, VOUCH_EINVAL, err);
    }
    if (v->reader == NULL &&
        (rc = vouch__mail_reader_new_raw(&v->reader, v->ctx, &h)) != 0) {
        return fail(v, rc, err);
    }
    rc = vouch_mail_reader_feed(v->reader, data, len, err);
    return rc == 0 ? 0 : fail(v, rc, err);
}

int
vouch_arc_verifier_header(vouch_arc_verifier_t *v, const char *raw, size_t len,
                          vouch_error_t *err)
{
    int rc;

    if (v->error != 0) {
        return vouch__error_code(err, v->error, "arc");
    }
    if (v->reader != NULL || v->header_done) {
        return fail(v, VOUCH_EINVAL, err);
    }
    if (v->fields == NULL &&
        (rc = vouch_mail_header_new(&v->fields, v->ctx)) != 0) {
        return fail(v, rc, err);
    }
    rc = vouch_mail_header_add(v->fields, raw, len, err);
    return rc == 0 ? 0 : fail(v, rc, err);
}

int
vouch_arc_verifier_end_header(vouch_arc_verifier_t *v, vouch_error_t *err)
{
    int rc;

    if (v->error != 0) {
        return vouch__error_code(err, v->error, "arc");
    }
    if (v->reader != NULL || v->header_done) {
        return fail(v, VOUCH_EINVAL, err);
    }
    if (v->fields == NULL &&
        (rc = vouch_mail_header_new(&v->fields, v->ctx)) != 0) {
        return fail(v, rc, err);
    }
    rc = on_header(v, v->fields);
    return rc == 0 ? 0 : fail(v, rc, err);
}

int
vouch_arc_verifier_body(vouch_arc_verifier_t *v, const void *data, size_t len,
                        vouch_error_t *err)
{
    if (v->error != 0) {
        return vouch__error_code(err, v->error, "arc");
    }
    if (v->reader != NULL || !v->header_done || v->finished) {
        return fail(v, VOUCH_EINVAL, err);
    }
    return on_body(v, data, len);
}

int
vouch_arc_verifier_finish(vouch_arc_verifier_t *v, vouch_error_t *err)
{
    int rc;

    if (v->error != 0) {
        return vouch__error_code(err, v->error, "arc");
    }
    if (v->finished) {
        return 0;
    }
    if (v->reader != NULL) {
        rc = vouch_mail_reader_finish(v->reader, err);
    } else if (!v->header_done) {
        rc = vouch_arc_verifier_end_header(v, err);
    } else {
        rc = 0;
    }
    if (rc == 0) {
        rc = vouch__arc_chain_finish(&v->chain);
    }
    if (rc != 0) {
        return fail(v, rc, err);
    }
    v->finished = true;
    return 0;
}

const vouch_arc_result_t *
vouch_arc_verifier_result(const vouch_arc_verifier_t *v)
{
    return v->finished ? &v->chain.result : NULL;
}

void
vouch_arc_verifier_free(vouch_arc_verifier_t *v)
{
    if (v == NULL) {
        return;
    }
    vouch__arc_chain_dispose(&v->chain);
    vouch_mail_reader_free(v->reader);
    vouch_mail_header_free(v->fields);
    vouch__free(v->ctx, v);
}
