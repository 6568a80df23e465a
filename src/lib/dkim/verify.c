/* SPDX-License-Identifier: MIT */
/*
 * dkim/verify.c - verifying DKIM signatures (RFC 6376 §6), with the
 * RFC 8301 policy.
 *
 * At the end of the header every DKIM-Signature field is parsed and
 * checked, and the key of each signature still in the running is fetched
 * and checked, in that order: tags first, then the key, then the hashes,
 * so a broken signature says why it is broken rather than that its hash
 * differs. Signatures that need the same body hash (canonicalization,
 * algorithm, l=) share one body hasher; the body is hashed as it streams
 * past and never kept. At the end, body hashes are compared and the
 * header signatures checked.
 *
 * Policy (rsa-sha1, short RSA keys, l= when refused) is applied to a
 * signature that would otherwise pass: a broken signature reports
 * "fail", the more useful word.
 */
#include <stdio.h>
#include <string.h>

#include "dkim_internal.h"

typedef struct body_hasher {
    vouch_dkim_canon_t canon;
    vouch__hash_alg_t alg;
    uint64_t limit;
    vouch__hash_t *hash;
    dkim_body_t body;
    uint8_t digest[VOUCH__DIGEST_MAX];
    size_t dlen;
} body_hasher_t;

typedef struct sigstate {
    vouch_dkim_sig_t pub;
    bool active; /* still to be checked at the end */
    dkim_sigfields_t f;
    const vouch_dns_answer_t *answer; /* holds the key record */
    const dkim_keyrec_t *key;
    dkim_keyrec_t *key_owned;
    size_t body;
} sigstate_t;

struct vouch_dkim_verifier {
    const vouch_ctx_t *ctx;
    vouch_resolver_t *resolver;
    vouch_dkim_verify_options_t opts;
    vouch_dns_budget_t budget;
    vouch_mail_reader_t *reader;    /* when fed the raw message */
    vouch_mail_header_t *fields;    /* when fed field by field */
    const vouch_mail_header_t *hdr; /* the one in use */
    sigstate_t *sigs; /* one per DKIM-Signature field (at most the cap) */
    size_t nsigs;
    body_hasher_t *bodies; /* as many as sigs, at most */
    size_t nbodies;
    bool header_done;
    bool finished;
    int error; /* sticky */
};

const char *
vouch_dkim_code_name(vouch_dkim_code_t code)
{
    static const char *const names[] = { "pass",   "fail",      "neutral",
                                         "policy", "temperror", "permerror" };

    return (unsigned)code < VOUCH_ARRAY_LEN(names) ? names[code] : "unknown";
}

const char *
vouch_dkim_alg_name(vouch_dkim_alg_t alg)
{
    static const char *const names[] = { "rsa-sha256", "ed25519-sha256",
                                         "rsa-sha1", "unknown" };

    return (unsigned)alg < VOUCH_ARRAY_LEN(names) ? names[alg] : "unknown";
}

/* Decide a signature: it is out of the running. */
static void verdict(sigstate_t *s, vouch_dkim_code_t code, const char *fmt, ...)
    VOUCH_PRINTF(3, 4);

static void
verdict(sigstate_t *s, vouch_dkim_code_t code, const char *fmt, ...)
{
    va_list ap;

    s->pub.result = code;
    s->active = false;
    va_start(ap, fmt);
    (void)vsnprintf(s->pub.reason, sizeof(s->pub.reason), fmt, ap);
    va_end(ap);
}

/* Copy a view into a display array (cut if longer: display only). */
static void
show(char *out, size_t cap, vouch_str_t v)
{
    size_t n = v.len < cap - 1 ? v.len : cap - 1;

    if (n > 0) { /* an absent tag is a NULL view */
        memcpy(out, v.ptr, n);
    }
    out[n] = '\0';
}

static void
fill_display(sigstate_t *s)
{
    size_t i, o = 0;

    show(s->pub.domain, sizeof(s->pub.domain), s->f.domain);
    show(s->pub.selector, sizeof(s->pub.selector), s->f.selector);
    memcpy(s->pub.identity, s->f.identity, sizeof(s->pub.identity));
    s->pub.algorithm = s->f.alg;
    for (i = 0; i < s->f.b.len && o + 1 < sizeof(s->pub.header_b); i++) {
        char c = s->f.b.ptr[i];

        if (vouch__is_vchar(c)) {
            s->pub.header_b[o++] = c;
        }
    }
    s->pub.header_b[o] = '\0';
    s->pub.has_length = s->f.length != UINT64_MAX;
    s->pub.timestamp = s->f.timestamp;
    s->pub.expiration = s->f.expiration;
}

/* A body hasher for (canon, alg, limit): shared when one exists. */
static int
body_for(vouch_dkim_verifier_t *v, const dkim_sigfields_t *f, size_t *out)
{
    body_hasher_t *b;
    size_t i;
    int rc;

    for (i = 0; i < v->nbodies; i++) {
        b = &v->bodies[i];
        if (b->canon == f->bcanon && b->alg == f->hash &&
            b->limit == f->length) {
            *out = i;
            return 0;
        }
    }
    b = &v->bodies[v->nbodies];
    if ((rc = vouch__hash_new(&b->hash, v->ctx, f->hash)) != 0) {
        return rc;
    }
    b->canon = f->bcanon;
    b->alg = f->hash;
    b->limit = f->length;
    vouch__dkim_body_init(&b->body, f->bcanon, b->hash, f->length);
    *out = v->nbodies++;
    return 0;
}

/* Fetch and check the key of s (§6.1.2). */
static int
fetch_key(vouch_dkim_verifier_t *v, sigstate_t *s)
{
    char name[VOUCH_DNS_NAME_MAX + 16];
    const vouch_dns_answer_t *a = NULL;
    const dkim_keyrec_t *k;
    vouch_error_t err;
    int n, rc;

    n = snprintf(name, sizeof(name), "%.*s._domainkey.%.*s",
                 (int)s->f.selector.len, s->f.selector.ptr,
                 (int)s->f.domain.len, s->f.domain.ptr);
    vouch_error_clear(&err);
    rc = n < 0 || (size_t)n >= sizeof(name)
             ? VOUCH_ESYNTAX
             : vouch_dns_query(v->resolver, &v->budget, name, (size_t)n,
                               VOUCH_DNS_TXT, &a, &err);
    if (rc == VOUCH_ENOMEM) {
        return rc;
    }
    if (rc != 0) {
        verdict(s,
                rc == VOUCH_ESYNTAX ? VOUCH_DKIM_PERMERROR
                                    : VOUCH_DKIM_TEMPERROR,
                "key lookup: %s", err.msg[0] ? err.msg : "name too long");
        return 0;
    }
    s->answer = a;
    s->pub.dnssec = a->dnssec;
    if (a->status == VOUCH_DNS_NXDOMAIN || a->status == VOUCH_DNS_NODATA) {
        verdict(s, VOUCH_DKIM_PERMERROR, "no key at %s", name);
        return 0;
    }
    if (a->status != VOUCH_DNS_NOERROR) {
        verdict(s, VOUCH_DKIM_TEMPERROR, "key lookup: %s%s%s",
                vouch_dns_status_name(a->status), a->why ? ": " : "",
                a->why ? a->why : "");
        return 0;
    }
    k = vouch__dkim_keyrec_get(v->ctx, a, &s->key_owned);
    if (k == NULL) {
        return VOUCH_ENOMEM;
    }
    s->key = k;
    s->pub.key_testing = k->testing;
    s->pub.key_bits = k->bits;
    if (k->revoked) {
        verdict(s, VOUCH_DKIM_PERMERROR, "key revoked");
    } else if (k->status != 0) {
        verdict(s, VOUCH_DKIM_PERMERROR, "%s", k->error);
    } else if (k->kind != s->f.key_kind) {
        verdict(s, VOUCH_DKIM_PERMERROR, "key type does not match a=%s",
                vouch_dkim_alg_name(s->f.alg));
    } else if (!(s->f.hash == VOUCH__SHA1 ? k->sha1_ok : k->sha256_ok)) {
        verdict(s, VOUCH_DKIM_PERMERROR, "key h= does not allow %s",
                s->f.hash == VOUCH__SHA1 ? "sha1" : "sha256");
    } else if (k->strict) {
        /* the domain of i= is after its last '@' (sig.c) */
        const char *id = s->f.identity, *end = id + s->f.identity_len;
        const char *at = end;

        while (at > id && at[-1] != '@') {
            at--;
        }
        if (at == id || !vouch__str_ieq(at, (size_t)(end - at), s->f.domain.ptr,
                                        s->f.domain.len)) {
            verdict(s, VOUCH_DKIM_PERMERROR,
                    "key t=s and i= is a subdomain of d=");
        }
    }
    return 0;
}

/* Parse and check one signature field; fetch its key. */
static int
prepare(vouch_dkim_verifier_t *v, sigstate_t *s, const vouch_mail_field_t *fl)
{
    vouch_error_t err;
    int64_t now = vouch_ctx_now(v->ctx);
    int rc;

    vouch_error_clear(&err);
    rc = vouch__dkim_sig_parse(&s->f, fl->raw + fl->value_off,
                               fl->len - fl->value_off, v->opts.allow_drafts,
                               &err);
    fill_display(s);
    s->active = true;
    if (rc != 0) {
        verdict(s, VOUCH_DKIM_PERMERROR, "%s", err.msg);
        return 0;
    }
    /* now - x= rather than x= + skew: x= may be as large as INT64_MAX */
    if (s->f.expiration >= 0 && s->f.expiration < now &&
        now - s->f.expiration > (int64_t)v->opts.clock_skew) {
        verdict(s, VOUCH_DKIM_PERMERROR, "signature expired");
        return 0;
    }
    if ((rc = fetch_key(v, s)) != 0 || !s->active) {
        return rc;
    }
    return body_for(v, &s->f, &s->body);
}

static int
on_header(void *payload, const vouch_mail_header_t *hdr)
{
    vouch_dkim_verifier_t *v = payload;
    size_t i, n = 0, count = vouch_mail_header_count(hdr);
    int rc;

    v->hdr = hdr;
    v->header_done = true;
    /* state only for the signatures present: most messages have one */
    for (i = 0; i < count && n < VOUCH_DKIM_SIGNATURES_MAX; i++) {
        const vouch_mail_field_t *f = vouch_mail_header_field(hdr, i);

        n += vouch__str_ieq(f->raw, f->name_len, "DKIM-Signature", 14);
    }
    if (n == 0) {
        return 0;
    }
    v->sigs = vouch__calloc(v->ctx, n, sizeof(*v->sigs));
    v->bodies = vouch__calloc(v->ctx, n, sizeof(*v->bodies));
    if (v->sigs == NULL || v->bodies == NULL) {
        return VOUCH_ENOMEM;
    }
    for (i = 0; i < count && v->nsigs < n; i++) {
        const vouch_mail_field_t *f = vouch_mail_header_field(hdr, i);
        sigstate_t *s;

        if (!vouch__str_ieq(f->raw, f->name_len, "DKIM-Signature", 14)) {
            continue;
        }
        s = &v->sigs[v->nsigs++];
        s->pub.field_index = i;
        s->pub.timestamp = s->pub.expiration = -1;
        if (v->nsigs > v->opts.max_signatures) {
            verdict(s, VOUCH_DKIM_POLICY,
                    "not evaluated: more than %u signatures",
                    v->opts.max_signatures);
            continue;
        }
        if ((rc = prepare(v, s, f)) != 0) {
            return rc;
        }
    }
    return 0;
}

static int
on_body(void *payload, const char *data, size_t len)
{
    vouch_dkim_verifier_t *v = payload;
    size_t i;

    for (i = 0; i < v->nbodies; i++) {
        vouch__dkim_body_update(&v->bodies[i].body, data, len);
    }
    return 0;
}

int
vouch_dkim_verifier_new(vouch_dkim_verifier_t **out, const vouch_ctx_t *ctx,
                        vouch_resolver_t *resolver,
                        const vouch_dkim_verify_options_t *opts,
                        vouch_error_t *err)
{
    static const vouch_dkim_verify_options_t defaults =
        VOUCH_DKIM_VERIFY_OPTIONS_INIT;
    vouch_dkim_verifier_t *v;

    *out = NULL;
    opts = opts != NULL ? opts : &defaults;
    if (opts->version != 1 || resolver == NULL) {
        return vouch__error(err, VOUCH_EINVAL, "dkim", 0,
                            "invalid verifier options");
    }
    v = vouch__calloc(ctx, 1, sizeof(*v));
    if (v == NULL) {
        return vouch__error_code(err, VOUCH_ENOMEM, "dkim");
    }
    v->ctx = ctx;
    v->resolver = resolver;
    v->opts = *opts;
    if (v->opts.max_signatures == 0 ||
        v->opts.max_signatures > VOUCH_DKIM_SIGNATURES_MAX) {
        v->opts.max_signatures = VOUCH_DKIM_SIGNATURES_MAX;
    }
    /* one key query per signature; 20 s for all of them */
    vouch_dns_budget_init(&v->budget, VOUCH_DKIM_SIGNATURES_MAX, 20000);
    *out = v;
    return 0;
}

/* Record a sticky error and return it. */
static int
fail(vouch_dkim_verifier_t *v, int rc, vouch_error_t *err)
{
    v->error = rc;
    return vouch__error_code(err, rc, "dkim");
}

int
vouch_dkim_verifier_feed(vouch_dkim_verifier_t *v, const void *data, size_t len,
                         vouch_error_t *err)
{
    vouch_mail_handler_t h = { on_header, on_body, v };
    int rc;

    if (v->error != 0) {
        return vouch__error_code(err, v->error, "dkim");
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
vouch_dkim_verifier_header(vouch_dkim_verifier_t *v, const char *raw,
                           size_t len, vouch_error_t *err)
{
    int rc;

    if (v->error != 0) {
        return vouch__error_code(err, v->error, "dkim");
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
vouch_dkim_verifier_end_header(vouch_dkim_verifier_t *v, vouch_error_t *err)
{
    int rc;

    if (v->error != 0) {
        return vouch__error_code(err, v->error, "dkim");
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
vouch_dkim_verifier_body(vouch_dkim_verifier_t *v, const void *data, size_t len,
                         vouch_error_t *err)
{
    if (v->error != 0) {
        return vouch__error_code(err, v->error, "dkim");
    }
    if (v->reader != NULL || !v->header_done) {
        return fail(v, VOUCH_EINVAL, err);
    }
    return on_body(v, data, len);
}

/* The end-of-message checks of one signature still in the running. */
static int
check(vouch_dkim_verifier_t *v, sigstate_t *s)
{
    body_hasher_t *b = &v->bodies[s->body];
    uint8_t digest[VOUCH__DIGEST_MAX];
    size_t dlen;
    int rc;

    if (s->f.length != UINT64_MAX) {
        if (b->body.emitted < s->f.length) {
            verdict(s, VOUCH_DKIM_FAIL, "l= is longer than the body");
            return 0;
        }
        s->pub.unsigned_body_bytes = b->body.emitted - s->f.length;
    }
    if (b->dlen != s->f.bhlen || memcmp(b->digest, s->f.bh, b->dlen) != 0) {
        verdict(s, VOUCH_DKIM_FAIL, "body hash mismatch");
        return 0;
    }
    /* the body's hash is spent (its digest kept): it hashes the header */
    if ((rc = vouch__hash_reset(b->hash)) == 0 &&
        (rc = vouch__dkim_header_feed(
             b->hash, v->hdr, &s->f,
             vouch_mail_header_field(v->hdr, s->pub.field_index))) == 0) {
        rc = vouch__hash_final(b->hash, digest, &dlen);
    }
    if (rc != 0) {
        return rc;
    }
    rc = vouch__pubkey_verify(s->key->key, s->f.hash, digest, dlen, s->f.sig,
                              s->f.siglen);
    if (rc < 0) {
        return rc;
    }
    if (rc == 0) {
        verdict(s, VOUCH_DKIM_FAIL, "signature did not verify");
    } else if (s->f.alg == VOUCH_DKIM_RSA_SHA1 && !v->opts.allow_rsa_sha1) {
        verdict(s, VOUCH_DKIM_POLICY, "rsa-sha1 is not accepted (RFC 8301)");
    } else if (s->f.key_kind == VOUCH__KEY_RSA &&
               s->key->bits < v->opts.min_rsa_bits) {
        verdict(s, VOUCH_DKIM_POLICY,
                "RSA key of %u bits is too short (RFC 8301: %u)", s->key->bits,
                v->opts.min_rsa_bits);
    } else if (s->f.length != UINT64_MAX && v->opts.reject_length) {
        verdict(s, VOUCH_DKIM_POLICY, "l= signatures are not accepted");
    } else {
        verdict(s, VOUCH_DKIM_PASS, "signature verified");
    }
    return 0;
}

int
vouch_dkim_verifier_finish(vouch_dkim_verifier_t *v, vouch_error_t *err)
{
    size_t i;
    int rc;

    if (v->error != 0) {
        return vouch__error_code(err, v->error, "dkim");
    }
    if (v->finished) {
        return 0;
    }
    if (v->reader != NULL) {
        rc = vouch_mail_reader_finish(v->reader, err);
    } else if (!v->header_done) {
        rc = vouch_dkim_verifier_end_header(v, err);
    } else {
        rc = 0;
    }
    if (rc != 0) {
        return fail(v, rc, err);
    }
    for (i = 0; i < v->nbodies; i++) {
        body_hasher_t *b = &v->bodies[i];

        vouch__dkim_body_final(&b->body);
        if ((rc = vouch__hash_final(b->hash, b->digest, &b->dlen)) != 0) {
            return fail(v, rc, err);
        }
    }
    for (i = 0; i < v->nsigs; i++) {
        if (v->sigs[i].active && (rc = check(v, &v->sigs[i])) != 0) {
            return fail(v, rc, err);
        }
    }
    v->finished = true;
    return 0;
}

size_t
vouch_dkim_verifier_count(const vouch_dkim_verifier_t *v)
{
    return v->finished ? v->nsigs : 0;
}

const vouch_dkim_sig_t *
vouch_dkim_verifier_result(const vouch_dkim_verifier_t *v, size_t i)
{
    return v->finished && i < v->nsigs ? &v->sigs[i].pub : NULL;
}

void
vouch_dkim_verifier_free(vouch_dkim_verifier_t *v)
{
    size_t i;

    if (v == NULL) {
        return;
    }
    for (i = 0; i < v->nsigs; i++) {
        vouch__dkim_keyrec_free(v->ctx, v->sigs[i].key_owned);
        vouch_dns_answer_free(v->sigs[i].answer);
    }
    for (i = 0; i < v->nbodies; i++) {
        vouch__hash_free(v->bodies[i].hash);
    }
    vouch_mail_reader_free(v->reader);
    vouch_mail_header_free(v->fields);
    vouch__free(v->ctx, v->sigs);
    vouch__free(v->ctx, v->bodies);
    vouch__free(v->ctx, v);
}
