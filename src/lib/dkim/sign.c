/* SPDX-License-Identifier: MIT */
/*
 * dkim/sign.c - making DKIM signatures (RFC 6376 §5), several in one pass
 * (an RSA and an Ed25519 signature side by side, RFC 8463 §6).
 *
 * The header fields to sign default to RFC 6376 §5.4.1's list plus
 * Message-ID and the MIME fields; every instance present is signed, and
 * the fields a forger would like to add (From, To, Subject, Date, Reply-To,
 * Cc, Message-ID, MIME) are named once more than present ("oversigning",
 * §8.15), so adding one breaks the signature.
 *
 * The new field is built with an empty b=, hashed with the signed fields,
 * signed, and b= filled in. Lines are folded at 78 columns; b= is folded
 * inside its value, which verifiers remove whole with its whitespace
 * (§3.7), so the folding does not change what was signed.
 */
#include <stdio.h>
#include <string.h>

#include "dkim_internal.h"

#define FOLD_AT 78

static const char *const default_headers[] = {
    "from",
    "reply-to",
    "subject",
    "date",
    "to",
    "cc",
    "resent-date",
    "resent-from",
    "resent-to",
    "resent-cc",
    "in-reply-to",
    "references",
    "list-id",
    "list-help",
    "list-unsubscribe",
    "list-subscribe",
    "list-post",
    "list-owner",
    "list-archive",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
};

static const char *const oversigned[] = {
    "from",         "to",
    "subject",      "date",
    "reply-to",     "cc",
    "message-id",   "mime-version",
    "content-type", "content-transfer-encoding",
};

typedef struct one_sig {
    vouch_dkim_sign_options_t opts;
    vouch__hash_t *hash;
    dkim_body_t body;
} one_sig_t;

struct vouch_dkim_signer {
    const vouch_ctx_t *ctx;
    one_sig_t sigs[VOUCH_DKIM_SIGNERS_MAX];
    size_t n;
    vouch_mail_reader_t *reader;
    vouch_mail_header_t *fields;
    const vouch_mail_header_t *hdr;
    bool header_done;
    bool finished; /* the fields were made: the hashes are spent */
    int error;
};

static bool
in_list(const char *const *list, size_t n, const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < n; i++) {
        /* the first letter sorts out most names without a strlen */
        if (len > 0 && vouch__lower(list[i][0]) == vouch__lower(name[0]) &&
            vouch__str_ieq(list[i], strlen(list[i]), name, len)) {
            return true;
        }
    }
    return false;
}

static int
on_header(void *payload, const vouch_mail_header_t *hdr)
{
    vouch_dkim_signer_t *s = payload;

    s->hdr = hdr;
    s->header_done = true;
    return 0;
}

static int
on_body(void *payload, const char *data, size_t len)
{
    vouch_dkim_signer_t *s = payload;
    size_t i;

    for (i = 0; i < s->n; i++) {
        vouch__dkim_body_update(&s->sigs[i].body, data, len);
    }
    return 0;
}

/* A header list given by the caller: names of printable characters
 * without ':' or whitespace, separated by ':'; short enough for build_h
 * (1023 bytes, 63 names), which must not cut it silently. */
static bool
headers_ok(const char *list)
{
    const char *p;
    size_t names = 1;

    if (list == NULL) {
        return true;
    }
    for (p = list; *p != '\0'; p++) {
        if (!vouch__is_vchar(*p) || p - list >= 1023) {
            return false;
        }
        names += *p == ':';
    }
    return *list != '\0' && names <= 63;
}

/* d=, s= and i= as a verifier will read them (sig.c): a field built from
 * them must parse, or finish would fail for the caller's options (finish
 * does not parse it again). Without i=, that is d= and s= being names
 * (sig.c's check; their characters are all fine in a tag list); an i=
 * goes through a trial field and the parser (dkim-quoted-printable, its
 * domain against d=). */
static bool
names_ok(const vouch_dkim_sign_options_t *o)
{
    char v[1024];
    dkim_sigfields_t f;
    int n;

    if (o->identity == NULL) {
        vouch_str_t d = { o->domain, strlen(o->domain) },
                    sel = { o->selector, strlen(o->selector) };

        return vouch__dkim_domain_ok(d) && vouch__dkim_domain_ok(sel);
    }
    n = snprintf(v, sizeof(v),
                 "v=1; a=rsa-sha256; d=%s; s=%s%s%s; h=from; "
                 "bh=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=; b=AA==",
                 o->domain, o->selector, o->identity ? "; i=" : "",
                 o->identity ? o->identity : "");

    return n > 0 && (size_t)n < sizeof(v) &&
           vouch__dkim_sig_parse(&f, v, (size_t)n, false, NULL) == 0;
}

int
vouch_dkim_signer_new(vouch_dkim_signer_t **out, const vouch_ctx_t *ctx,
                      const vouch_dkim_sign_options_t *sigs, size_t n,
                      vouch_error_t *err)
{
    vouch_dkim_signer_t *s;
    size_t i;
    int rc;

    *out = NULL;
    if (n == 0 || n > VOUCH_DKIM_SIGNERS_MAX) {
        return vouch__error(err, VOUCH_EINVAL, "dkim", 0,
                            "1 to %d signatures per pass",
                            VOUCH_DKIM_SIGNERS_MAX);
    }
    for (i = 0; i < n; i++) {
        vouch_str_t d = { sigs[i].domain,
                          sigs[i].domain ? strlen(sigs[i].domain) : 0 };
        char tmp[VOUCH_DNS_NAME_BUF];
        size_t len;

        if (sigs[i].version != 1 || sigs[i].key == NULL ||
            sigs[i].selector == NULL || *sigs[i].selector == '\0' ||
            vouch__dns_name_normalize(tmp, &len, d.ptr, d.len) != 0 ||
            !headers_ok(sigs[i].headers) || !names_ok(&sigs[i])) {
            return vouch__error(err, VOUCH_EINVAL, "dkim", 0,
                                "signature %zu: a domain, a selector and a "
                                "key are needed, and a valid header list",
                                i + 1);
        }
    }
    s = vouch__calloc(ctx, 1, sizeof(*s));
    if (s == NULL) {
        return vouch__error_code(err, VOUCH_ENOMEM, "dkim");
    }
    s->ctx = ctx;
    s->n = n;
    for (i = 0; i < n; i++) {
        one_sig_t *o = &s->sigs[i];

        o->opts = sigs[i];
        if ((rc = vouch__hash_new(&o->hash, ctx, VOUCH__SHA256)) != 0) {
            vouch_dkim_signer_free(s);
            return vouch__error_code(err, rc, "dkim");
        }
        vouch__dkim_body_init(&o->body, o->opts.body_canon, o->hash,
                              UINT64_MAX);
    }
    *out = s;
    return 0;
}

static int
fail(vouch_dkim_signer_t *s, int rc, vouch_error_t *err)
{
    s->error = rc;
    return vouch__error_code(err, rc, "dkim");
}

int
vouch_dkim_signer_feed(vouch_dkim_signer_t *s, const void *data, size_t len,
                       vouch_error_t *err)
{
    vouch_mail_handler_t h = { on_header, on_body, s };
    int rc;

    if (s->error != 0) {
        return vouch__error_code(err, s->error, "dkim");
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
vouch_dkim_signer_header(vouch_dkim_signer_t *s, const char *raw, size_t len,
                         vouch_error_t *err)
{
    int rc;

    if (s->error != 0) {
        return vouch__error_code(err, s->error, "dkim");
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
vouch_dkim_signer_end_header(vouch_dkim_signer_t *s, vouch_error_t *err)
{
    int rc;

    if (s->error != 0) {
        return vouch__error_code(err, s->error, "dkim");
    }
    if (s->reader != NULL || s->header_done) {
        return fail(s, VOUCH_EINVAL, err);
    }
    if (s->fields == NULL &&
        (rc = vouch_mail_header_new(&s->fields, s->ctx)) != 0) {
        return fail(s, rc, err);
    }
    return on_header(s, s->fields);
}

int
vouch_dkim_signer_body(vouch_dkim_signer_t *s, const void *data, size_t len,
                       vouch_error_t *err)
{
    if (s->error != 0) {
        return vouch__error_code(err, s->error, "dkim");
    }
    if (s->reader != NULL || !s->header_done || s->finished) {
        return fail(s, VOUCH_EINVAL, err);
    }
    return on_body(s, data, len);
}

/* ---- building the field
 * ---------------------------------------------------------- */

/* Appends text to the field being built, folding before it when the
 * current line would pass FOLD_AT columns. *col tracks the column. */
static int
put(vouch_buf_t *f, size_t *col, const char *text, size_t len, bool fold_ok)
{
    int rc;

    if (fold_ok && *col + len > FOLD_AT && *col > 1) {
        if ((rc = vouch_buf_add(f, "\r\n\t", 3)) != 0) {
            return rc;
        }
        *col = 1;
    }
    *col += len;
    return vouch_buf_add(f, text, len);
}

/* Append a long value (h=, bh=) in pieces of at most width columns. */
static int
put_long(vouch_buf_t *f, size_t *col, const char *v, size_t len)
{
    size_t i, room;
    int rc = 0;

    for (i = 0; rc == 0 && i < len; i += room) {
        room = *col < FOLD_AT ? FOLD_AT - *col : 0;
        if (room < 8) {
            if ((rc = vouch_buf_add(f, "\r\n\t", 3)) != 0) {
                return rc;
            }
            *col = 1;
            room = FOLD_AT - 1;
        }
        room = room > len - i ? len - i : room;
        rc = vouch_buf_add(f, v + i, room);
        *col += room;
    }
    return rc;
}

/* Append an h= list, folding only next to a colon (FWS is allowed there
 * and nowhere inside a name, RFC 6376 §3.5). */
static int
put_hlist(vouch_buf_t *f, size_t *col, const char *h)
{
    const char *p = h;
    int rc = 0;

    while (rc == 0 && *p != '\0') {
        const char *colon = strchr(p, ':');
        size_t n = colon != NULL ? (size_t)(colon - p) + 1 : strlen(p);

        rc = put(f, col, p, n, true);
        p += n;
    }
    return rc;
}

/* The h= list for one signature over this header. VOUCH_ETOOBIG: more
 * than VOUCH_DKIM_H_MAX names, which a verifier refuses. */
static int
build_h(vouch_buf_t *h, const vouch_mail_header_t *hdr,
        const vouch_dkim_sign_options_t *o)
{
    const char *names[64];
    char list[1024];
    size_t nnames = 0, i, count = 0, k;
    int rc = 0;

    if (o->headers != NULL) {
        char *p, *save = NULL;

        (void)snprintf(list, sizeof(list), "%s", o->headers);
        for (p = strtok_r(list, ":", &save); p != NULL && nnames < 63;
             p = strtok_r(NULL, ":", &save)) {
            names[nnames++] = p;
        }
        if (!in_list(names, nnames, "from", 4)) {
            names[nnames++] = "from"; /* From is always signed (§5.4) */
        }
    } else {
        for (i = 0; i < VOUCH_ARRAY_LEN(default_headers); i++) {
            names[nnames++] = default_headers[i];
        }
    }
    for (i = 0; rc == 0 && i < nnames; i++) {
        size_t len = strlen(names[i]), idx = 0, present = 0;

        while ((idx = vouch_mail_header_find(hdr, names[i], len, idx)) !=
               (size_t)-1) {
            present++;
            idx++;
        }
        if (o->oversign &&
            in_list(oversigned, VOUCH_ARRAY_LEN(oversigned), names[i], len)) {
            present++;
        }
        for (k = 0; rc == 0 && k < present; k++) {
            if (count == VOUCH_DKIM_H_MAX) {
                return VOUCH_ETOOBIG; /* a verifier would refuse h= */
            }
            if (count++ > 0) {
                rc = vouch_buf_add(h, ":", 1);
            }
            if (rc == 0) {
                rc = vouch_buf_add(h, names[i], len);
            }
        }
    }
    return rc;
}

/* Appends " name=value;" (name given with its space and '='), folding
 * before it as put does; the text is made without printf. */
static int
put_tag(vouch_buf_t *f, size_t *col, const char *name, const char *v,
        size_t vlen)
{
    char tag[400];
    size_t n = strlen(name);

    if (vlen > sizeof(tag) - 1 - n) {
        return VOUCH_EINVAL;
    }
    memcpy(tag, name, n);
    memcpy(tag + n, v, vlen);
    tag[n + vlen] = ';';
    return put(f, col, tag, n + vlen + 1, true);
}

/* put_tag of a number. */
static int
put_num(vouch_buf_t *f, size_t *col, const char *name, uint64_t v)
{
    char digits[20];
    size_t i = sizeof(digits);

    do {
        digits[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    return put_tag(f, col, name, digits + i, sizeof(digits) - i);
}

/* The new field with b= empty, and where b='s value goes. */
static int
build_field(vouch_buf_t *f, size_t *col, const vouch_dkim_signer_t *s,
            const one_sig_t *o, const char *bh, const char *h)
{
    const vouch_dkim_sign_options_t *op = &o->opts;
    const char *alg = vouch_dkim_alg_name(vouch_dkim_key_alg(op->key));
    const char *canon =
        op->header_canon == VOUCH_DKIM_RELAXED
            ? (op->body_canon == VOUCH_DKIM_RELAXED ? "relaxed/relaxed"
                                                    : "relaxed/simple")
            : (op->body_canon == VOUCH_DKIM_RELAXED ? "simple/relaxed"
                                                    : "simple/simple");
    int64_t now = vouch_ctx_now(s->ctx);
    int rc;

    *col = 0;
    rc = vouch_buf_puts(f, "DKIM-Signature: ");
    *col = 16;
    if (rc == 0 && (rc = put(f, col, "v=1;", 4, true)) == 0 &&
        (rc = put_tag(f, col, " a=", alg, strlen(alg))) == 0 &&
        (rc = put_tag(f, col, " c=", canon, strlen(canon))) == 0 &&
        (rc = put_tag(f, col, " d=", op->domain, strlen(op->domain))) == 0) {
        rc = put_tag(f, col, " s=", op->selector, strlen(op->selector));
    }
    if (rc == 0 && op->identity != NULL) {
        rc = put_tag(f, col, " i=", op->identity, strlen(op->identity));
    }
    if (rc == 0 && (op->timestamp || op->expire_after > 0)) {
        /* a clock before 1970 makes no valid t= */
        rc = now < 0 ? VOUCH_EINVAL : put_num(f, col, " t=", (uint64_t)now);
    }
    if (rc == 0 && op->expire_after > 0) {
        rc = put_num(f, col, " x=", (uint64_t)now + (uint64_t)op->expire_after);
    }
    if (rc == 0 && op->body_length) {
        rc = put_num(f, col, " l=", o->body.emitted);
    }
    if (rc == 0 && (rc = put(f, col, " h=", 3, true)) == 0 &&
        (rc = put_hlist(f, col, h)) == 0 &&
        (rc = put(f, col, "; bh=", 5, false)) == 0 &&
        (rc = put_long(f, col, bh, strlen(bh))) == 0) {
        rc = put(f, col, "; b=", 4, false);
    }
    return rc;
}

/* Sign one signature and append its field (with CRLF) to out. */
static int
sign_one(vouch_dkim_signer_t *s, one_sig_t *o, vouch_buf_t *out,
         vouch_error_t *err)
{
    uint8_t bh[VOUCH__DIGEST_MAX], digest[VOUCH__DIGEST_MAX],
        sig[VOUCH__SIG_MAX];
    char bh64[VOUCH_B64_LEN(VOUCH__DIGEST_MAX) + 1];
    char sig64[VOUCH_B64_LEN(VOUCH__SIG_MAX) + 1];
    size_t bhlen, dlen, slen, col, fstart = out->len;
    vouch_buf_t h, field;
    dkim_sigfields_t sf;
    int rc;

    vouch__dkim_body_final(&o->body);
    if ((rc = vouch__hash_final(o->hash, bh, &bhlen)) != 0) {
        return rc;
    }
    vouch__b64_encode(bh64, bh, bhlen);
    vouch_buf_init(&h, s->ctx, 65536);
    vouch_buf_init(&field, s->ctx, 2 * 65536);
    rc = build_h(&h, s->hdr, &o->opts);
    if (rc == VOUCH_ETOOBIG) {
        rc = vouch__error(err, rc, "dkim", 0,
                          "more than %d header fields to sign",
                          VOUCH_DKIM_H_MAX);
    }
    if (rc == 0) {
        rc = build_field(&field, &col, s, o, bh64, h.ptr);
    }
    /* hash the signed fields and the new one (b= empty), as a verifier
     * will, with the shared code: it reads h=, the header canonicalization
     * and where b= is, which are known here (the field is not parsed back:
     * its names were checked by names_ok, the rest is made here); the
     * body's hash is spent (its digest kept) and hashes the header */
    if (rc == 0 && (rc = vouch_buf_add(&field, "AA==", 4)) == 0) {
        const vouch_mail_field_t nf = { field.ptr, field.len, 14, 15 };

        memset(&sf, 0, sizeof(sf));
        sf.headers = (vouch_str_t){ h.ptr, h.len };
        sf.hcanon = o->opts.header_canon;
        sf.b = (vouch_str_t){ field.ptr + field.len - 4, 4 };
        if ((rc = vouch__hash_reset(o->hash)) == 0 &&
            (rc = vouch__dkim_header_feed(o->hash, s->hdr, &sf, &nf)) == 0) {
            rc = vouch__hash_final(o->hash, digest, &dlen);
        }
        field.len -= 4; /* the placeholder goes */
        field.ptr[field.len] = '\0';
    }
    if (rc == 0) {
        rc = vouch__privkey_sign(o->opts.key->key, VOUCH__SHA256, digest, dlen,
                                 sig, &slen, err);
    }
    if (rc == 0) {
        vouch__b64_encode(sig64, sig, slen);
        rc = vouch_buf_add(out, field.ptr, field.len);
    }
    if (rc == 0 && (rc = put_long(out, &col, sig64, strlen(sig64))) == 0) {
        rc = vouch_buf_add(out, "\r\n", 2);
    }
    if (rc != 0) {
        out->len = fstart;
    }
    vouch_buf_dispose(&h);
    vouch_buf_dispose(&field);
    return rc;
}

int
vouch_dkim_signer_finish(vouch_dkim_signer_t *s, vouch_buf_t *out,
                         vouch_error_t *err)
{
    size_t i;
    int rc;

    if (s->error != 0) {
        return vouch__error_code(err, s->error, "dkim");
    }
    if (s->finished) {
        return fail(s, VOUCH_EINVAL, err); /* the hashes are final */
    }
    if (s->reader != NULL) {
        if ((rc = vouch_mail_reader_finish(s->reader, err)) != 0) {
            return fail(s, rc, err);
        }
    } else if (!s->header_done &&
               (rc = vouch_dkim_signer_end_header(s, err)) != 0) {
        return rc;
    }
    if (vouch_mail_header_find(s->hdr, "from", 4, 0) == (size_t)-1) {
        return fail(s,
                    vouch__error(err, VOUCH_EINVAL, "dkim", 0,
                                 "the message has no From field to sign"),
                    err);
    }
    s->finished = true;
    for (i = 0; i < s->n; i++) {
        if ((rc = sign_one(s, &s->sigs[i], out, err)) != 0) {
            return fail(s, rc, err);
        }
    }
    return 0;
}

void
vouch_dkim_signer_free(vouch_dkim_signer_t *s)
{
    size_t i;

    if (s == NULL) {
        return;
    }
    for (i = 0; i < s->n; i++) {
        vouch__hash_free(s->sigs[i].hash);
    }
    vouch_mail_reader_free(s->reader);
    vouch_mail_header_free(s->fields);
    vouch__free(s->ctx, s);
}
