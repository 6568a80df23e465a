/* SPDX-License-Identifier: MIT */
/*
 * dkim/key.c - DKIM keys: public key records (RFC 6376 §3.6.1, RFC 8463
 * §4), private keys for signing, key generation, and TXT records written
 * for zone files.
 *
 * A key record is parsed once per DNS answer and kept on it (the memo of
 * dns_internal.h), so the public key object lives exactly as long as the
 * cached answer: with the resolver cache, a busy verifier does not parse
 * the same key twice within its TTL.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dkim_internal.h"

/* ---- key records
 * ------------------------------------------------------------------- */

static void
keyrec_free(void *memo, const vouch_ctx_t *ctx)
{
    dkim_keyrec_t *k = memo;

    vouch__pubkey_free(k->key);
    vouch__free(ctx, k);
}

static const vouch__dns_memo_ops_t keyrec_memo = { "dkim-key", keyrec_free };

static bool
is(vouch_str_t v, const char *s)
{
    return vouch__str_ieq(v.ptr, v.len, s, strlen(s));
}

static int
key_error(dkim_keyrec_t *k, const char *fmt, vouch_str_t v)
{
    char shown[40];

    vouch__escape_into(shown, sizeof(shown), v.ptr, v.len);
    (void)snprintf(k->error, sizeof(k->error), fmt, shown);
    k->status = VOUCH_ESYNTAX;
    return VOUCH_ESYNTAX;
}

/* Walk a colon-separated list, calling back for each item. */
static void
each_item(vouch_str_t list, void (*fn)(dkim_keyrec_t *, vouch_str_t, bool *),
          dkim_keyrec_t *k, bool *flag)
{
    dkim_hlist_t it;
    vouch_str_t item;

    vouch__dkim_hlist_init(&it, list);
    while (vouch__dkim_hlist_next(&it, &item)) {
        fn(k, item, flag);
    }
}

static void
hash_item(dkim_keyrec_t *k, vouch_str_t item, bool *flag)
{
    (void)flag;
    k->sha1_ok |= is(item, "sha1");
    k->sha256_ok |= is(item, "sha256");
}

static void
service_item(dkim_keyrec_t *k, vouch_str_t item, bool *email)
{
    (void)k;
    *email |= is(item, "email") || is(item, "*");
}

static void
flag_item(dkim_keyrec_t *k, vouch_str_t item, bool *flag)
{
    (void)flag;
    k->testing |= is(item, "y");
    k->strict |= is(item, "s");
}

/* Parse one TXT value as a key record into k. */
static int
parse_keyrec(const vouch_ctx_t *ctx, dkim_keyrec_t *k, const char *txt,
             size_t len)
{
    vouch__tag_t tags[VOUCH_TAGS_MAX];
    const vouch__tag_t *t;
    vouch_error_t err;
    uint8_t der[VOUCH__PUBKEY_MAX];
    size_t n, dlen;
    bool email = false;
    int rc;

    vouch_error_clear(&err);
    if (vouch__tags_parse(tags, VOUCH_ARRAY_LEN(tags), &n, txt, len, &err) !=
        0) {
        (void)snprintf(k->error, sizeof(k->error), "key record: %s", err.msg);
        return k->status = VOUCH_ESYNTAX;
    }
    /* v= is optional, but when there it is DKIM1 and comes first */
    if ((t = vouch__tags_find(tags, n, "v")) != NULL &&
        (t != &tags[0] || !is(t->value, "DKIM1"))) {
        return key_error(k, "key record: bad version v=%s", t->value);
    }
    k->kind = VOUCH__KEY_RSA;
    if ((t = vouch__tags_find(tags, n, "k")) != NULL) {
        if (is(t->value, "ed25519")) {
            k->kind = VOUCH__KEY_ED25519;
        } else if (!is(t->value, "rsa")) {
            return key_error(k, "unknown key type k=%s", t->value);
        }
    }
    k->sha1_ok = k->sha256_ok = true;
    if ((t = vouch__tags_find(tags, n, "h")) != NULL) {
        k->sha1_ok = k->sha256_ok = false;
        each_item(t->value, hash_item, k, NULL);
    }
    if ((t = vouch__tags_find(tags, n, "s")) != NULL) {
        each_item(t->value, service_item, k, &email);
        if (!email) {
            return key_error(k, "key is not for email (s=%s)", t->value);
        }
    }
    if ((t = vouch__tags_find(tags, n, "t")) != NULL) {
        each_item(t->value, flag_item, k, NULL);
    }
    if ((t = vouch__tags_find(tags, n, "p")) == NULL) {
        vouch_str_t none = { "", 0 };

        return key_error(k, "key record has no p=%s", none);
    }
    if (t->value.len == 0) {
        k->revoked = true; /* §3.6.1: an empty p= revokes the key */
        return k->status = VOUCH_ESYNTAX;
    }
    rc = vouch__b64_decode(der, sizeof(der), &dlen, t->value.ptr, t->value.len);
    if (rc != 0) {
        return key_error(
            k, "p= is not base64 of a key (%s)",
            (vouch_str_t){ rc == VOUCH_ETOOBIG ? "too long" : "bad base64",
                           rc == VOUCH_ETOOBIG ? 8u : 10u });
    }
    vouch_error_clear(&err);
    rc = vouch__pubkey_new(&k->key, ctx, k->kind, der, dlen, &err);
    if (rc == VOUCH_ENOMEM) {
        return rc;
    }
    if (rc != 0) {
        (void)snprintf(k->error, sizeof(k->error), "%s", err.msg);
        return k->status = VOUCH_ESYNTAX;
    }
    k->bits = vouch__pubkey_bits(k->key);
    return k->status = 0;
}

/* The first TXT record of a that is a usable key, else the first error. */
static dkim_keyrec_t *
build(const vouch_ctx_t *ctx, const vouch_dns_answer_t *a)
{
    dkim_keyrec_t *k = vouch__calloc(ctx, 1, sizeof(*k)), tmp;
    size_t i;
    bool first = true;

    if (k == NULL) {
        return NULL;
    }
    k->memo.ops = &keyrec_memo;
    k->status = VOUCH_ESYNTAX;
    (void)snprintf(k->error, sizeof(k->error), "no key record");
    for (i = 0; i < a->n; i++) {
        int rc;

        if (a->rr[i].type != VOUCH_DNS_TXT) {
            continue;
        }
        memset(&tmp, 0, sizeof(tmp));
        tmp.memo.ops = &keyrec_memo;
        rc = parse_keyrec(ctx, &tmp, a->rr[i].data, a->rr[i].len);
        if (rc == VOUCH_ENOMEM) {
            vouch__pubkey_free(tmp.key);
            vouch__free(ctx, k);
            return NULL;
        }
        if (rc == 0 || first) {
            vouch__pubkey_free(k->key);
            *k = tmp;
            first = false;
        } else {
            vouch__pubkey_free(tmp.key);
        }
        if (rc == 0) {
            break;
        }
    }
    return k;
}

const dkim_keyrec_t *
vouch__dkim_keyrec_get(const vouch_ctx_t *ctx, const vouch_dns_answer_t *a,
                       dkim_keyrec_t **owned)
{
    dkim_keyrec_t *k = vouch__dns_answer_memo(a, &keyrec_memo);

    *owned = NULL;
    if (k != NULL) {
        return k;
    }
    if ((k = build(ctx, a)) == NULL) {
        return NULL;
    }
    if ((k = vouch__dns_answer_memo_set(a, k)) != NULL) {
        return k;
    }
    *owned = build(ctx, a); /* the slot holds another kind of memo */
    return *owned;
}

void
vouch__dkim_keyrec_free(const vouch_ctx_t *ctx, dkim_keyrec_t *owned)
{
    if (owned != NULL) {
        keyrec_free(owned, ctx);
    }
}

/* ---- private keys
 * ------------------------------------------------------------------ */

int
vouch_dkim_key_load(vouch_dkim_key_t **out, const vouch_ctx_t *ctx,
                    const char *data, size_t len, vouch_error_t *err)
{
    vouch_dkim_key_t *k;
    int rc;

    *out = NULL;
    k = vouch__calloc(ctx, 1, sizeof(*k));
    if (k == NULL) {
        return vouch__error_code(err, VOUCH_ENOMEM, "dkim");
    }
    k->ctx = ctx;
    rc = vouch__privkey_load(&k->key, ctx, data, len, err);
    if (rc != 0) {
        vouch__free(ctx, k);
        return rc;
    }
    *out = k;
    return 0;
}

int
vouch_dkim_key_load_file(vouch_dkim_key_t **out, const vouch_ctx_t *ctx,
                         const char *path, vouch_error_t *err)
{
    vouch_buf_t b;
    char chunk[4096];
    size_t n;
    FILE *f;
    int rc = 0;

    *out = NULL;
    f = fopen(path, "rb");
    if (f == NULL) {
        return vouch__error(err, VOUCH_EIO, "dkim", 0, "cannot read %s: %s",
                            path, strerror(errno));
    }
    /* a key file is small; 64 KiB is far more than an 8192-bit PEM */
    vouch_buf_init(&b, ctx, 65536);
    while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        rc = vouch_buf_add(&b, chunk, n);
    }
    if (rc == 0 && ferror(f)) {
        rc = vouch__error(err, VOUCH_EIO, "dkim", 0, "cannot read %s: %s", path,
                          strerror(errno));
    } else if (rc == VOUCH_ETOOBIG) {
        rc = vouch__error(err, VOUCH_ESYNTAX, "dkim", 0,
                          "%s is too large to be a key", path);
    }
    fclose(f);
    if (rc == 0) {
        rc = vouch_dkim_key_load(out, ctx, b.ptr != NULL ? b.ptr : "", b.len,
                                 err);
    }
    vouch_buf_dispose(&b);
    return rc;
}

vouch_dkim_alg_t
vouch_dkim_key_alg(const vouch_dkim_key_t *key)
{
    return vouch__privkey_kind(key->key) == VOUCH__KEY_ED25519
               ? VOUCH_DKIM_ED25519_SHA256
               : VOUCH_DKIM_RSA_SHA256;
}

unsigned
vouch_dkim_key_bits(const vouch_dkim_key_t *key)
{
    return vouch__privkey_bits(key->key);
}

void
vouch_dkim_key_free(vouch_dkim_key_t *key)
{
    if (key == NULL) {
        return;
    }
    vouch__privkey_free(key->key);
    vouch__free(key->ctx, key);
}

/* ---- generation and records
 * --------------------------------------------------------- */

int
vouch_dkim_keygen(vouch_buf_t *private_pem, vouch_buf_t *record,
                  const vouch_ctx_t *ctx, vouch_dkim_alg_t alg, unsigned bits,
                  vouch_error_t *err)
{
    vouch_buf_t pub;
    char *b64 = NULL;
    size_t blen;
    int rc;

    if (alg == VOUCH_DKIM_RSA_SHA256) {
        bits = bits == 0 ? 2048 : bits;
        if (bits < 1024 || bits > 4096) {
            return vouch__error(err, VOUCH_EINVAL, "dkim", 0,
                                "RSA keys of 1024 to 4096 bits, not %u", bits);
        }
    } else if (alg != VOUCH_DKIM_ED25519_SHA256) {
        return vouch__error(err, VOUCH_EINVAL, "dkim", 0,
                            "keys are generated for rsa-sha256 or "
                            "ed25519-sha256");
    }
    vouch_buf_init(&pub, ctx, VOUCH__PUBKEY_MAX);
    rc = vouch__keygen(private_pem, &pub,
                       alg == VOUCH_DKIM_RSA_SHA256 ? VOUCH__KEY_RSA
                                                    : VOUCH__KEY_ED25519,
                       bits, err);
    if (rc == 0) {
        blen = VOUCH_B64_LEN(pub.len) + 1;
        b64 = vouch__malloc(ctx, blen);
        rc = b64 == NULL ? VOUCH_ENOMEM : 0;
    }
    if (rc == 0) {
        vouch__b64_encode(b64, (const uint8_t *)pub.ptr, pub.len);
        rc = vouch_buf_printf(record, "v=DKIM1; k=%s; p=%s",
                              alg == VOUCH_DKIM_RSA_SHA256 ? "rsa" : "ed25519",
                              b64);
    }
    vouch__free(ctx, b64);
    vouch_buf_dispose(&pub);
    return rc;
}

int
vouch_dkim_zone_txt(vouch_buf_t *out, const char *value, size_t len)
{
    size_t i, n;
    bool many = len > 255;
    int rc = many ? vouch_buf_puts(out, "( ") : 0;

    for (i = 0; rc == 0 && (i < len || i == 0); i += n) {
        size_t k;

        n = len - i > 255 ? 255 : len - i;
        rc = vouch_buf_puts(out, i > 0 ? " \"" : "\"");
        for (k = 0; rc == 0 && k < n; k++) {
            char c = value[i + k];

            rc = (c == '"' || c == '\\') ? vouch_buf_printf(out, "\\%c", c)
                 : (c < 0x20 || c > 0x7e)
                     ? vouch_buf_printf(out, "\\%03u", (unsigned char)c)
                     : vouch_buf_addc(out, c);
        }
        if (rc == 0) {
            rc = vouch_buf_addc(out, '"');
        }
        if (len == 0) {
            break;
        }
    }
    return rc == 0 && many ? vouch_buf_puts(out, " )") : rc;
}
