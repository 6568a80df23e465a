/* SPDX-License-Identifier: MIT */
/*
 * arc/seal.c - adding an ARC set (RFC 8617 §5.1): validate the incoming
 * chain (chain.c) while the message streams past, then make the
 * ARC-Authentication-Results, the ARC-Message-Signature over the message
 * and the ARC-Seal over the chain.
 *
 * Each new field is built with a placeholder b=, put with the others into
 * a copy of the header in the order the fields will have in the message
 * (new AS, AMS, AAR on top), parsed back and hashed by the same code a
 * validator uses, signed, and b= filled in. Tags are written in
 * alphabetical order (as the ValiMail suite's normalized form has them)
 * with b= on a line of its own, unfolded.
 *
 * No set is added to a chain whose newest seal says cv=fail, or to one
 * with VOUCH_ARC_INSTANCE_MAX sets (§5.1.2). A seal with cv=fail signs
 * only its own set (§5.1.2).
 */
#include <stdio.h>
#include <string.h>

#include "arc_internal.h"
#include "../parse/parse.h"

#define FOLD_AT   78
#define FIELD_MAX 65536

/* The AMS h= default: every present instance of these (From at least). */
static const char *const default_headers[] = {
    "from",           "to",           "cc",
    "subject",        "date",         "message-id",
    "reply-to",       "in-reply-to",  "references",
    "mime-version",   "content-type", "content-transfer-encoding",
    "dkim-signature",
};

struct vouch_arc_sealer {
    const vouch_ctx_t *ctx;
    arc_chain_t chain;
    const vouch_dkim_key_t *key;
    char *domain, *selector, *authserv_id, *authres, *headers;
    bool timestamp;
    size_t body; /* the hasher of the new AMS: relaxed, sha256, no l= */
    vouch_mail_reader_t *reader;
    vouch_mail_header_t *fields;
    bool header_done;
    bool finished;
    int error;
};

static int
on_header(void *payload, const vouch_mail_header_t *hdr)
{
    vouch_arc_sealer_t *s = payload;
    int rc;

    s->header_done = true;
    if ((rc = vouch__arc_chain_header(&s->chain, hdr)) != 0) {
        return rc;
    }
    return vouch__arc_chain_body_for(&s->chain, VOUCH_DKIM_RELAXED,
                                     VOUCH__SHA256, UINT64_MAX, &s->body);
}

static int
on_body(void *payload, const char *data, size_t len)
{
    vouch_arc_sealer_t *s = payload;

    vouch__arc_chain_body(&s->chain, data, len);
    return 0;
}

/* Text that may go into a header field: printable ASCII or UTF-8 and
 * spaces, no line breaks; for ids and names no ';' or space either. */
static bool
text_ok(const char *p, bool word)
{
    if (p == NULL || *p == '\0') {
        return false;
    }
    for (; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;

        if (c < 0x20 || c == 0x7f || (word && (c == ' ' || c == ';'))) {
            return false;
        }
    }
    return true;
}

/* An h= list we can write: names of field characters and colons, and not
 * ARC-Seal (§4.1.2). */
static bool
headers_ok(const char *h)
{
    dkim_hlist_t it;
    vouch_str_t name;
    const char *p;

    for (p = h; *p != '\0'; p++) {
        if (!(vouch__is_vchar(*p) && *p != ';')) {
            return false;
        }
    }
    vouch__dkim_hlist_init(&it, (vouch_str_t){ h, strlen(h) });
    while (vouch__dkim_hlist_next(&it, &name)) {
        if (vouch__str_ieq(name.ptr, name.len, "arc-seal", 8)) {
            return false;
        }
    }
    return true;
}

static int
dup(const vouch_ctx_t *ctx, char **out, const char *s)
{
    if (s == NULL) {
        *out = NULL;
        return 0;
    }
    *out = vouch__memdup(ctx, s, strlen(s));
    return *out != NULL ? 0 : VOUCH_ENOMEM;
}

int
vouch_arc_sealer_new(vouch_arc_sealer_t **out, const vouch_ctx_t *ctx,
                     vouch_resolver_t *resolver,
                     const vouch_arc_seal_options_t *opts, vouch_error_t *err)
{
    static const vouch_arc_verify_options_t vdef =
        VOUCH_ARC_VERIFY_OPTIONS_INIT;
    vouch_arc_sealer_t *s;

    *out = NULL;
    if (opts == NULL || opts->version != 1 || resolver == NULL ||
        opts->key == NULL || !text_ok(opts->domain, true) ||
        !text_ok(opts->selector, true) || !text_ok(opts->authserv_id, true) ||
        strlen(opts->domain) > VOUCH_DNS_NAME_MAX ||
        strlen(opts->selector) > VOUCH_DNS_NAME_MAX ||
        (opts->authres != NULL && !text_ok(opts->authres, false)) ||
        (opts->headers != NULL && !headers_ok(opts->headers))) {
        return vouch__error(err, VOUCH_EINVAL, "arc", 0,
                            "invalid seal options: domain, selector, key and "
                            "authserv-id are required, h= must not name "
                            "ARC-Seal");
    }
    s = vouch__calloc(ctx, 1, sizeof(*s));
    if (s == NULL) {
        return vouch__error_code(err, VOUCH_ENOMEM, "arc");
    }
    s->ctx = ctx;
    s->key = opts->key;
    s->timestamp = opts->timestamp;
    vouch__arc_chain_init(&s->chain, ctx, resolver, &vdef);
    if (dup(ctx, &s->domain, opts->domain) != 0 ||
        dup(ctx, &s->selector, opts->selector) != 0 ||
        dup(ctx, &s->authserv_id, opts->authserv_id) != 0 ||
        dup(ctx, &s->authres, opts->authres) != 0 ||
        dup(ctx, &s->headers, opts->headers) != 0) {
        vouch_arc_sealer_free(s);
        return vouch__error_code(err, VOUCH_ENOMEM, "arc");
    }
    *out = s;
    return 0;
}

static int
fail(vouch_arc_sealer_t *s, int rc, vouch_error_t *err)
{
    s->error = rc;
    return vouch__error_code(err, rc, "arc");
}

int
vouch_arc_sealer_feed(vouch_arc_sealer_t *s, const void *data, size_t len,
                      vouch_error_t *err)
{
    vouch_mail_handler_t h = { on_header, on_body, s };
    int rc;

    if (s->error != 0) {
        return vouch__error_code(err, s->error, "arc");
    }
    if (s->fields != NULL || s->finished) {
        return fail(s, VOUCH_EINVAL, err);
    }
    if (s->reader == NULL &&
        (rc = vouch__mail_reader_new_raw(&s->reader, s->ctx, &h)) != 0) {
        return fail(s, rc, err);
    }
    rc = vouch_mail_reader_feed(s->reader, data, len, err);
    return rc == 0 ? 0 : fail(s, rc, err);
}

int
vouch_arc_sealer_header(vouch_arc_sealer_t *s, const char *raw, size_t len,
                        vouch_error_t *err)
{
    int rc;

    if (s->error != 0) {
        return vouch__error_code(err, s->error, "arc");
    }
    if (s->reader != NULL || s->header_done) {
        return fail(s, VOUCH_EINVAL, err);
    }
    if (s->fields == NULL &&
        (rc = vouch_mail_header_new(&s->fields, s->ctx)) != 0) {
        return fail(s, rc, err);
    }
    rc = vouch_mail_header_add(s->fields, raw, len, err);
    return rc == 0 ? 0 : fail(s, rc, err);
}

int
vouch_arc_sealer_end_header(vouch_arc_sealer_t *s, vouch_error_t *err)
{
    int rc;

    if (s->error != 0) {
        return vouch__error_code(err, s->error, "arc");
    }
    if (s->reader != NULL || s->header_done) {
        return fail(s, VOUCH_EINVAL, err);
    }
    if (s->fields == NULL &&
        (rc = vouch_mail_header_new(&s->fields, s->ctx)) != 0) {
        return fail(s, rc, err);
    }
    rc = on_header(s, s->fields);
    return rc == 0 ? 0 : fail(s, rc, err);
}

int
vouch_arc_sealer_body(vouch_arc_sealer_t *s, const void *data, size_t len,
                      vouch_error_t *err)
{
    if (s->error != 0) {
        return vouch__error_code(err, s->error, "arc");
    }
    if (s->reader != NULL || !s->header_done || s->finished) {
        return fail(s, VOUCH_EINVAL, err);
    }
    return on_body(s, data, len);
}

/* ---- building the fields
 * ------------------------------------------------------ */

/* Append "text" after a space, or on a new line when it would pass
 * FOLD_AT columns (relaxed canonicalization reads both as one space). */
static int
put_word(vouch_buf_t *f, size_t *col, const char *text, size_t len)
{
    int rc;

    if (*col + 1 + len > FOLD_AT) {
        rc = vouch_buf_add(f, "\r\n\t", 3);
        *col = 1;
    } else {
        rc = vouch_buf_addc(f, ' ');
        *col += 1;
    }
    *col += len;
    return rc == 0 ? vouch_buf_add(f, text, len) : rc;
}

/* Append a tag-value list or result text word by word. */
static int
put_words(vouch_buf_t *f, size_t *col, const char *text)
{
    const char *p = text;
    int rc = 0;

    while (rc == 0 && *p != '\0') {
        size_t n = strcspn(p, " ");

        if (n > 0) {
            rc = put_word(f, col, p, n);
        }
        p += n;
        p += strspn(p, " ");
    }
    return rc;
}

/* Append "\r\n\tb=" and the value on that one line (an RSA-4096 b= is
 * 684 columns, within RFC 5322's 998), then ";". Unfolded, because the
 * AMS's b= is part of what later seals sign: relaxed canonicalization
 * would keep a space for every fold in it. */
static int
put_b(vouch_buf_t *f, const char *b64)
{
    int rc = vouch_buf_puts(f, "\r\n\tb=");

    if (rc == 0) {
        rc = vouch_buf_puts(f, b64);
    }
    return rc == 0 ? vouch_buf_addc(f, ';') : rc;
}

/* The AMS h= list: the option's, or the default fields present. */
static int
build_h(vouch_buf_t *h, const vouch_arc_sealer_t *s)
{
    const vouch_mail_header_t *hdr = s->chain.hdr;
    size_t i, count = 0;
    int rc = 0;

    if (s->headers != NULL) {
        return vouch_buf_puts(h, s->headers);
    }
    for (i = 0; rc == 0 && i < VOUCH_ARRAY_LEN(default_headers); i++) {
        const char *name = default_headers[i];
        size_t len = strlen(name), idx = 0, present = 0;

        while ((idx = vouch_mail_header_find(hdr, name, len, idx)) !=
               (size_t)-1) {
            present++;
            idx++;
        }
        if (i == 0 && present == 0) {
            present = 1; /* From is always signed (RFC 6376 §5.4) */
        }
        for (; rc == 0 && present > 0; present--) {
            rc = vouch_buf_printf(h, "%s%s", count++ > 0 ? ":" : "", name);
        }
    }
    return rc;
}

/* A header: the given new fields on top of the message's. */
static int
stack(vouch_mail_header_t **out, const vouch_arc_sealer_t *s,
      const vouch_buf_t *const *top, size_t ntop, vouch_error_t *err)
{
    const vouch_mail_header_t *hdr = s->chain.hdr;
    size_t i;
    int rc;

    if ((rc = vouch_mail_header_new(out, s->ctx)) != 0) {
        return rc;
    }
    for (i = 0; rc == 0 && i < ntop; i++) {
        rc = vouch_mail_header_add(*out, top[i]->ptr, top[i]->len, err);
    }
    for (i = 0; rc == 0 && i < vouch_mail_header_count(hdr); i++) {
        const vouch_mail_field_t *f = vouch_mail_header_field(hdr, i);

        rc = vouch_mail_header_add(*out, f->raw, f->len, err);
    }
    return rc;
}

static int
sign(const vouch_arc_sealer_t *s, const uint8_t *digest, size_t dlen,
     char out[VOUCH_B64_LEN(VOUCH__SIG_MAX) + 1], vouch_error_t *err)
{
    uint8_t sig[VOUCH__SIG_MAX];
    size_t slen;
    int rc;

    rc = vouch__privkey_sign(s->key->key, VOUCH__SHA256, digest, dlen, sig,
                             &slen, err);
    if (rc == 0) {
        vouch__b64_encode(out, sig, slen);
    }
    return rc;
}

/* The AAR of the new set. */
static int
build_aar(vouch_buf_t *f, const vouch_arc_sealer_t *s, unsigned inst)
{
    char head[64];
    size_t col;
    int rc;

    (void)snprintf(head, sizeof(head), "ARC-Authentication-Results: i=%u;",
                   inst);
    col = strlen(head);
    rc = vouch_buf_puts(f, head);
    if (rc == 0 &&
        (rc = put_word(f, &col, s->authserv_id, strlen(s->authserv_id))) == 0) {
        rc = vouch_buf_addc(f, ';');
        col++;
    }
    return rc == 0
               ? put_words(f, &col, s->authres != NULL ? s->authres : "none")
               : rc;
}

/* The AMS of the new set, b= holding b64. */
static int
build_ams(vouch_buf_t *f, const vouch_arc_sealer_t *s, unsigned inst,
          const char *alg, const char *bh64, const char *h, const char *b64)
{
    char t[40] = "";
    size_t col = FOLD_AT; /* bh= starts a line of its own */
    vouch_buf_t tags;
    int rc;

    if (s->timestamp) {
        (void)snprintf(t, sizeof(t), "; t=%lld",
                       (long long)vouch_ctx_now(s->ctx));
    }
    vouch_buf_init(&tags, s->ctx, FIELD_MAX);
    rc = vouch_buf_printf(f, "ARC-Message-Signature: a=%s;", alg);
    if (rc == 0) {
        rc = put_b(f, b64);
    }
    if (rc == 0) {
        rc = vouch_buf_printf(&tags,
                              "bh=%s; c=relaxed/relaxed; d=%s; h=%s; i=%u; "
                              "s=%s%s",
                              bh64, s->domain, h, inst, s->selector, t);
    }
    if (rc == 0) {
        rc = put_words(f, &col, tags.ptr);
    }
    vouch_buf_dispose(&tags);
    return rc;
}

/* The AS of the new set, b= holding b64. */
static int
build_as(vouch_buf_t *f, const vouch_arc_sealer_t *s, unsigned inst,
         const char *alg, vouch_arc_cv_t cv, const char *b64)
{
    char tags[VOUCH_DNS_NAME_MAX * 2 + 128], t[40] = "";
    size_t col = FOLD_AT; /* the tags after b= start a line of their own */
    int rc;

    if (s->timestamp) {
        (void)snprintf(t, sizeof(t), "; t=%lld",
                       (long long)vouch_ctx_now(s->ctx));
    }
    (void)snprintf(tags, sizeof(tags), "cv=%s; d=%s; i=%u; s=%s%s",
                   vouch_arc_cv_name(cv), s->domain, inst, s->selector, t);
    rc = vouch_buf_printf(f, "ARC-Seal: a=%s;", alg);
    if (rc == 0) {
        rc = put_b(f, b64);
    }
    return rc == 0 ? put_words(f, &col, tags) : rc;
}

/* Sign the new AMS: *ams gets the finished field. */
static int
make_ams(vouch_arc_sealer_t *s, unsigned inst, const char *alg,
         const vouch_buf_t *aar, vouch_buf_t *ams, vouch_error_t *err)
{
    const arc_body_t *b = &s->chain.bodies[s->body];
    char bh64[VOUCH_B64_LEN(VOUCH__DIGEST_MAX) + 1];
    char sig64[VOUCH_B64_LEN(VOUCH__SIG_MAX) + 1];
    uint8_t digest[VOUCH__DIGEST_MAX];
    const vouch_buf_t *top[2];
    vouch_mail_header_t *tmp = NULL;
    dkim_sigfields_t f;
    vouch_error_t perr;
    vouch_buf_t h;
    size_t dlen;
    int rc;

    vouch__b64_encode(bh64, b->digest, b->dlen);
    vouch_buf_init(&h, s->ctx, FIELD_MAX);
    rc = build_h(&h, s);
    if (rc == 0) {
        rc = build_ams(ams, s, inst, alg, bh64, h.ptr, "AA==");
    }
    top[0] = ams;
    top[1] = aar;
    if (rc == 0 && (rc = stack(&tmp, s, top, 2, err)) == 0) {
        const vouch_mail_field_t *nf = vouch_mail_header_field(tmp, 0);

        vouch_error_clear(&perr);
        if (vouch__arc_ams_parse(&f, nf->raw + nf->value_off,
                                 nf->len - nf->value_off, &perr) != 0) {
            rc = vouch__error(err, VOUCH_EINTERNAL, "arc", 0,
                              "the new AMS does not parse: %s", perr.msg);
        } else {
            rc = vouch__dkim_header_hash(s->ctx, tmp, &f, 0, digest, &dlen);
        }
    }
    if (rc == 0) {
        rc = sign(s, digest, dlen, sig64, err);
    }
    if (rc == 0) {
        vouch_buf_clear(ams);
        rc = build_ams(ams, s, inst, alg, bh64, h.ptr, sig64);
    }
    vouch_mail_header_free(tmp);
    vouch_buf_dispose(&h);
    return rc;
}

/* Sign the new AS over the chain (or, cv=fail, its own set only). */
static int
make_as(vouch_arc_sealer_t *s, unsigned inst, const char *alg,
        vouch_arc_cv_t cv, const vouch_buf_t *aar, const vouch_buf_t *ams,
        vouch_buf_t *as, vouch_error_t *err)
{
    size_t sets[VOUCH_ARC_INSTANCE_MAX][3], n = 0;
    char sig64[VOUCH_B64_LEN(VOUCH__SIG_MAX) + 1];
    uint8_t digest[VOUCH__DIGEST_MAX];
    const vouch_buf_t *top[3];
    vouch_mail_header_t *tmp = NULL;
    arc_seal_tags_t f;
    vouch_error_t perr;
    unsigned k, fi;
    size_t dlen;
    int rc;

    rc = build_as(as, s, inst, alg, cv, "AA==");
    top[0] = as;
    top[1] = ams;
    top[2] = aar;
    if (rc == 0 && (rc = stack(&tmp, s, top, 3, err)) == 0) {
        const vouch_mail_field_t *nf = vouch_mail_header_field(tmp, 0);

        vouch_error_clear(&perr);
        if (vouch__arc_seal_parse(&f, nf->raw + nf->value_off,
                                  nf->len - nf->value_off, &fi, &perr) != 0) {
            rc = vouch__error(err, VOUCH_EINTERNAL, "arc", 0,
                              "the new AS does not parse: %s", perr.msg);
        }
    }
    /* the fields of the message moved down by the three new ones */
    for (k = 1; rc == 0 && cv != VOUCH_ARC_FAIL && k < inst; k++, n++) {
        sets[n][0] = s->chain.sets[k].aar + 3;
        sets[n][1] = s->chain.sets[k].ams + 3;
        sets[n][2] = s->chain.sets[k].as + 3;
    }
    sets[n][0] = 2;
    sets[n][1] = 1;
    sets[n][2] = 0;
    if (rc == 0) {
        rc = vouch__arc_seal_hash(s->ctx, tmp, (const size_t(*)[3])sets, n + 1,
                                  f.b, VOUCH__SHA256, digest, &dlen);
    }
    if (rc == 0) {
        rc = sign(s, digest, dlen, sig64, err);
    }
    if (rc == 0) {
        vouch_buf_clear(as);
        rc = build_as(as, s, inst, alg, cv, sig64);
    }
    vouch_mail_header_free(tmp);
    return rc;
}

int
vouch_arc_sealer_finish(vouch_arc_sealer_t *s, vouch_buf_t *out,
                        vouch_error_t *err)
{
    const char *alg = vouch_dkim_alg_name(vouch_dkim_key_alg(s->key));
    vouch_buf_t aar, ams, as;
    vouch_arc_cv_t cv;
    unsigned inst;
    int rc;

    if (s->error != 0) {
        return vouch__error_code(err, s->error, "arc");
    }
    if (s->finished) {
        return fail(s, VOUCH_EINVAL, err); /* the hashes are spent */
    }
    if (s->reader != NULL) {
        rc = vouch_mail_reader_finish(s->reader, err);
    } else if (!s->header_done) {
        rc = vouch_arc_sealer_end_header(s, err);
    } else {
        rc = 0;
    }
    if (rc == 0) {
        rc = vouch__arc_chain_finish(&s->chain);
    }
    if (rc != 0) {
        return fail(s, rc, err);
    }
    s->finished = true;
    cv = s->chain.result.cv;
    inst = s->chain.n + 1;
    if (s->chain.newest_cv_fail || inst > VOUCH_ARC_INSTANCE_MAX) {
        return 0; /* §5.1.2: a failed or full chain gets no new set */
    }
    vouch_buf_init(&aar, s->ctx, FIELD_MAX);
    vouch_buf_init(&ams, s->ctx, FIELD_MAX);
    vouch_buf_init(&as, s->ctx, FIELD_MAX);
    rc = build_aar(&aar, s, inst);
    if (rc == 0) {
        rc = make_ams(s, inst, alg, &aar, &ams, err);
    }
    if (rc == 0) {
        rc = make_as(s, inst, alg, cv, &aar, &ams, &as, err);
    }
    if (rc == 0) {
        size_t start = out->len;

        if ((rc = vouch_buf_add(out, as.ptr, as.len)) != 0 ||
            (rc = vouch_buf_add(out, "\r\n", 2)) != 0 ||
            (rc = vouch_buf_add(out, ams.ptr, ams.len)) != 0 ||
            (rc = vouch_buf_add(out, "\r\n", 2)) != 0 ||
            (rc = vouch_buf_add(out, aar.ptr, aar.len)) != 0 ||
            (rc = vouch_buf_add(out, "\r\n", 2)) != 0) {
            out->len = start;
        }
    }
    vouch_buf_dispose(&aar);
    vouch_buf_dispose(&ams);
    vouch_buf_dispose(&as);
    return rc == 0 ? 0 : fail(s, rc, err);
}

const vouch_arc_result_t *
vouch_arc_sealer_chain(const vouch_arc_sealer_t *s)
{
    return s->finished ? &s->chain.result : NULL;
}

void
vouch_arc_sealer_free(vouch_arc_sealer_t *s)
{
    if (s == NULL) {
        return;
    }
    vouch__arc_chain_dispose(&s->chain);
    vouch_mail_reader_free(s->reader);
    vouch_mail_header_free(s->fields);
    vouch__free(s->ctx, s->domain);
    vouch__free(s->ctx, s->selector);
    vouch__free(s->ctx, s->authserv_id);
    vouch__free(s->ctx, s->authres);
    vouch__free(s->ctx, s->headers);
    vouch__free(s->ctx, s);
}
