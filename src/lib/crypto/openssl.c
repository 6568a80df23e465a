/* SPDX-License-Identifier: MIT */
/*
 * crypto/openssl.c - the OpenSSL 3 backend of crypto/crypto.h.
 *
 * OpenSSL allocates its own objects; the wrappers here are plain structs
 * holding them. Keys are immutable once made, which is what makes sharing
 * them between threads safe (OpenSSL 3 objects are safe for concurrent
 * read use; every operation gets its own EVP_PKEY_CTX).
 *
 * Speed: setting an operation up (EVP_PKEY_CTX_new, *_init, the padding
 * and digest parameters, which fetch algorithms by name) costs about a
 * third of an RSA-2048 verification. So each key is made with its
 * operation set up once, as a template, and every operation works on a
 * copy of it (EVP_PKEY_CTX_dup, EVP_MD_CTX_copy_ex: they only read the
 * template, so concurrent use of a shared key stays safe). A template
 * that cannot be made is no error: the operation is then set up afresh.
 *
 * A private Ed25519 key goes one step further: an EVP_MD_CTX that has
 * signed can sign again, so each key keeps a small pool of used contexts
 * (guarded by the key's mutex, since a key is shared by signers in many
 * threads) and a signature takes one from it instead of copying the
 * template (the copy and its provider context cost about 2 us of a 26 us
 * signature).
 *
 * Digests: EVP_sha256() and EVP_sha1() given to EVP_DigestInit_ex make
 * OpenSSL 3 fetch the implementation (a lookup by name under a lock) on
 * every hash made. The two are fetched once per process instead, into a
 * table written only by the pthread_once initialiser and read-only after
 * it (the library's one piece of static state: immutable once made, it
 * changes nothing a caller can see). If a fetch fails, the EVP_sha*()
 * objects are used as before.
 */
#include <pthread.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <string.h>

#include "crypto.h"
#include "../parse/parse.h"

struct vouch__hash {
    const vouch_ctx_t *ctx;
    EVP_MD_CTX *md;
};

struct vouch__pubkey {
    const vouch_ctx_t *ctx;
    EVP_PKEY *pkey;
    vouch__key_kind_t kind;
    EVP_PKEY_CTX *rsa_sha256; /* template: RSA verify with SHA-256, or NULL */
    EVP_MD_CTX *ed25519;      /* template: Ed25519 verify, or NULL */
};

/* Used Ed25519 signing contexts a key keeps: one per thread signing with
 * it at the same moment is enough; more are freed after use. */
#define ED25519_POOL 8

struct vouch__privkey {
    const vouch_ctx_t *ctx;
    EVP_PKEY *pkey;
    vouch__key_kind_t kind;
    EVP_PKEY_CTX *rsa_sha256; /* template: RSA sign with SHA-256, or NULL */
    EVP_MD_CTX *ed25519;      /* template: Ed25519 sign, or NULL */
    pthread_mutex_t lock;     /* guards pool and npool */
    EVP_MD_CTX *pool[ED25519_POOL]; /* Ed25519 contexts ready to sign */
    size_t npool;
};

static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static EVP_MD *md_fetched[2]; /* by vouch__hash_alg_t; set by md_fetch only */

static void
md_fetch(void)
{
    md_fetched[VOUCH__SHA1] = EVP_MD_fetch(NULL, "SHA1", NULL);
    md_fetched[VOUCH__SHA256] = EVP_MD_fetch(NULL, "SHA2-256", NULL);
    ERR_clear_error();
}

/* The digest of alg, fetched once per process. */
static const EVP_MD *
md_of(vouch__hash_alg_t alg)
{
    const EVP_MD *md;

    (void)pthread_once(&md_once, md_fetch);
    md = md_fetched[alg == VOUCH__SHA1 ? VOUCH__SHA1 : VOUCH__SHA256];
    if (md == NULL) {
        md = alg == VOUCH__SHA1 ? EVP_sha1() : EVP_sha256();
    }
    return md;
}

/* The first queued OpenSSL error as text (and clear the queue). */
static int
ossl_error(vouch_error_t *err, int code, const char *what)
{
    char msg[160];
    unsigned long e = ERR_get_error();

    if (e != 0) {
        ERR_error_string_n(e, msg, sizeof(msg));
    } else {
        (void)snprintf(msg, sizeof(msg), "unknown error");
    }
    ERR_clear_error();
    return vouch__error(err, code, "crypto", 0, "%s: %s", what, msg);
}

/* ---- hashes
 * ---------------------------------------------------------------------- */

int
vouch__hash_new(vouch__hash_t **out, const vouch_ctx_t *ctx,
                vouch__hash_alg_t alg)
{
    vouch__hash_t *h;

    *out = NULL;
    h = vouch__malloc(ctx, sizeof(*h));
    if (h == NULL) {
        return VOUCH_ENOMEM;
    }
    h->ctx = ctx;
    h->md = EVP_MD_CTX_new();
    if (h->md == NULL || EVP_DigestInit_ex(h->md, md_of(alg), NULL) != 1) {
        EVP_MD_CTX_free(h->md);
        vouch__free(ctx, h);
        ERR_clear_error();
        return VOUCH_ENOMEM;
    }
    *out = h;
    return 0;
}

void
vouch__hash_update(vouch__hash_t *h, const void *p, size_t n)
{
    if (n > 0) {
        (void)EVP_DigestUpdate(h->md, p, n);
    }
}

int
vouch__hash_final(vouch__hash_t *h, uint8_t out[VOUCH__DIGEST_MAX], size_t *len)
{
    unsigned int n = 0;

    if (EVP_DigestFinal_ex(h->md, out, &n) != 1) {
        ERR_clear_error();
        return VOUCH_EINTERNAL;
    }
    *len = n;
    return 0;
}

int
vouch__hash_reset(vouch__hash_t *h)
{
    /* no type: the digest already fetched is kept (no implicit fetch) */
    if (EVP_DigestInit_ex(h->md, NULL, NULL) != 1) {
        ERR_clear_error();
        return VOUCH_EINTERNAL;
    }
    return 0;
}

void
vouch__hash_free(vouch__hash_t *h)
{
    if (h == NULL) {
        return;
    }
    EVP_MD_CTX_free(h->md);
    vouch__free(h->ctx, h);
}

/* ---- public keys
 * ------------------------------------------------------------------- */

/* Verify or sign a digest: the set-up both share. */
static EVP_PKEY_CTX *
digest_ctx(EVP_PKEY *pkey, vouch__hash_alg_t alg, bool sign)
{
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new(pkey, NULL);

    if (pctx == NULL) {
        return NULL;
    }
    if ((sign ? EVP_PKEY_sign_init(pctx) : EVP_PKEY_verify_init(pctx)) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(pctx, md_of(alg)) != 1) {
        EVP_PKEY_CTX_free(pctx);
        return NULL;
    }
    return pctx;
}

/* The Ed25519 operation set up on a new EVP_MD_CTX, or NULL. */
static EVP_MD_CTX *
ed25519_ctx(EVP_PKEY *pkey, bool sign)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    if (md != NULL &&
        (sign ? EVP_DigestSignInit(md, NULL, NULL, NULL, pkey)
              : EVP_DigestVerifyInit(md, NULL, NULL, NULL, pkey)) != 1) {
        EVP_MD_CTX_free(md);
        md = NULL;
    }
    return md;
}

/* An operation ready to use: a copy of the key's template, or set up
 * afresh. NULL: no memory or an OpenSSL failure. */
static EVP_PKEY_CTX *
rsa_op(EVP_PKEY *pkey, EVP_PKEY_CTX *templ, vouch__hash_alg_t alg, bool sign)
{
    return templ != NULL && alg == VOUCH__SHA256 ? EVP_PKEY_CTX_dup(templ)
                                                 : digest_ctx(pkey, alg, sign);
}

static EVP_MD_CTX *
ed25519_op(EVP_PKEY *pkey, const EVP_MD_CTX *templ, bool sign)
{
    EVP_MD_CTX *md;

    if (templ == NULL) {
        return ed25519_ctx(pkey, sign);
    }
    md = EVP_MD_CTX_new();
    if (md != NULL && EVP_MD_CTX_copy_ex(md, templ) != 1) {
        EVP_MD_CTX_free(md);
        md = NULL;
    }
    return md;
}

/* A key's template (none is no error). */
static void
make_templates(EVP_PKEY *pkey, vouch__key_kind_t kind, bool sign,
               EVP_PKEY_CTX **rsa, EVP_MD_CTX **ed)
{
    if (kind == VOUCH__KEY_RSA) {
        *rsa = digest_ctx(pkey, VOUCH__SHA256, sign);
    } else {
        *ed = ed25519_ctx(pkey, sign);
    }
    ERR_clear_error();
}

int
vouch__pubkey_new(vouch__pubkey_t **out, const vouch_ctx_t *ctx,
                  vouch__key_kind_t kind, const uint8_t *p, size_t len,
                  vouch_error_t *err)
{
    EVP_PKEY *pkey = NULL;
    vouch__pubkey_t *k;
    const unsigned char *q = p;

    *out = NULL;
    if (len > VOUCH__PUBKEY_MAX) {
        return vouch__error(err, VOUCH_ESYNTAX, "crypto", 0,
                            "public key data too long");
    }
    if (kind == VOUCH__KEY_ED25519) {
        if (len != 32) {
            return vouch__error(err, VOUCH_ESYNTAX, "crypto", 0,
                                "Ed25519 key of %zu bytes (32 expected)", len);
        }
        pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, p, len);
    } else {
        pkey = d2i_PUBKEY(NULL, &q, (long)len);
        if (pkey != NULL && q != p + len) {
            EVP_PKEY_free(pkey); /* trailing bytes */
            pkey = NULL;
        }
        if (pkey == NULL) {
            /* some publish the bare PKCS#1 RSAPublicKey */
            ERR_clear_error();
            q = p;
            pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &q, (long)len);
            if (pkey != NULL && q != p + len) {
                EVP_PKEY_free(pkey);
                pkey = NULL;
            }
        }
        if (pkey != NULL && EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
            EVP_PKEY_free(pkey);
            ERR_clear_error();
            return vouch__error(err, VOUCH_ESYNTAX, "crypto", 0,
                                "key is not an RSA key");
        }
    }
    if (pkey == NULL) {
        ERR_clear_error();
        return vouch__error(err, VOUCH_ESYNTAX, "crypto", 0,
                            "p= is not a valid %s public key",
                            kind == VOUCH__KEY_ED25519 ? "Ed25519" : "RSA");
    }
    k = vouch__calloc(ctx, 1, sizeof(*k));
    if (k == NULL) {
        EVP_PKEY_free(pkey);
        return VOUCH_ENOMEM;
    }
    k->ctx = ctx;
    k->pkey = pkey;
    k->kind = kind;
    make_templates(pkey, kind, false, &k->rsa_sha256, &k->ed25519);
    *out = k;
    return 0;
}

unsigned
vouch__pubkey_bits(const vouch__pubkey_t *k)
{
    int bits = EVP_PKEY_get_bits(k->pkey);

    return bits > 0 ? (unsigned)bits : 0;
}

int
vouch__pubkey_verify(const vouch__pubkey_t *k, vouch__hash_alg_t alg,
                     const uint8_t *digest, size_t dlen, const uint8_t *sig,
                     size_t slen)
{
    int rc;

    if (k->kind == VOUCH__KEY_ED25519) {
        /* RFC 8463 §3: PureEdDSA over the SHA-256 digest */
        EVP_MD_CTX *md = ed25519_op(k->pkey, k->ed25519, false);

        if (md == NULL) {
            ERR_clear_error();
            return VOUCH_EINTERNAL;
        }
        rc = EVP_DigestVerify(md, sig, slen, digest, dlen);
        EVP_MD_CTX_free(md);
    } else {
        EVP_PKEY_CTX *pctx = rsa_op(k->pkey, k->rsa_sha256, alg, false);

        if (pctx == NULL) {
            ERR_clear_error();
            return VOUCH_EINTERNAL;
        }
        rc = EVP_PKEY_verify(pctx, sig, slen, digest, dlen);
        EVP_PKEY_CTX_free(pctx);
    }
    ERR_clear_error();
    return rc == 1 ? 1 : 0;
}

void
vouch__pubkey_free(vouch__pubkey_t *k)
{
    if (k == NULL) {
        return;
    }
    EVP_PKEY_CTX_free(k->rsa_sha256);
    EVP_MD_CTX_free(k->ed25519);
    EVP_PKEY_free(k->pkey);
    vouch__free(k->ctx, k);
}

/* ---- private keys
 * ---------------------------------------------------------------- */

/* dkimpy's key files: the base64 of a raw 32-byte Ed25519 seed. */
static EVP_PKEY *
raw_ed25519_seed(const char *p, size_t len)
{
    uint8_t seed[48];
    size_t n;

    if (vouch__b64_decode(seed, sizeof(seed), &n, p, len) != 0 || n != 32) {
        return NULL;
    }
    return EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, n);
}

int
vouch__privkey_load(vouch__privkey_t **out, const vouch_ctx_t *ctx,
                    const char *p, size_t len, vouch_error_t *err)
{
    EVP_PKEY *pkey = NULL;
    vouch__privkey_t *k;
    BIO *bio;
    int id;

    *out = NULL;
    if (len > INT32_MAX) {
        return vouch__error(err, VOUCH_ESYNTAX, "crypto", 0, "key too long");
    }
    bio = BIO_new_mem_buf(p, (int)len);
    if (bio == NULL) {
        return VOUCH_ENOMEM;
    }
    pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (pkey == NULL) {
        ERR_clear_error();
        pkey = raw_ed25519_seed(p, len);
    }
    if (pkey == NULL) {
        return ossl_error(err, VOUCH_ESYNTAX,
                          "not a PEM private key nor a base64 Ed25519 seed");
    }
    id = EVP_PKEY_get_base_id(pkey);
    if (id != EVP_PKEY_RSA && id != EVP_PKEY_ED25519) {
        EVP_PKEY_free(pkey);
        return vouch__error(err, VOUCH_ESYNTAX, "crypto", 0,
                            "DKIM signs with RSA or Ed25519 keys only");
    }
    k = vouch__calloc(ctx, 1, sizeof(*k));
    if (k == NULL) {
        EVP_PKEY_free(pkey);
        return VOUCH_ENOMEM;
    }
    k->ctx = ctx;
    k->pkey = pkey;
    k->kind = id == EVP_PKEY_RSA ? VOUCH__KEY_RSA : VOUCH__KEY_ED25519;
    if (pthread_mutex_init(&k->lock, NULL) != 0) {
        EVP_PKEY_free(pkey);
        vouch__free(ctx, k);
        return VOUCH_ENOMEM;
    }
    make_templates(pkey, k->kind, true, &k->rsa_sha256, &k->ed25519);
    *out = k;
    return 0;
}

vouch__key_kind_t
vouch__privkey_kind(const vouch__privkey_t *k)
{
    return k->kind;
}

unsigned
vouch__privkey_bits(const vouch__privkey_t *k)
{
    int bits = EVP_PKEY_get_bits(k->pkey);

    return bits > 0 ? (unsigned)bits : 0;
}

/* An Ed25519 signing context: a used one from the key's pool, else a
 * copy of the template. */
static EVP_MD_CTX *
ed25519_take(vouch__privkey_t *k)
{
    EVP_MD_CTX *md = NULL;

    (void)pthread_mutex_lock(&k->lock);
    if (k->npool > 0) {
        md = k->pool[--k->npool];
    }
    (void)pthread_mutex_unlock(&k->lock);
    return md != NULL ? md : ed25519_op(k->pkey, k->ed25519, true);
}

/* Back to the pool after a signature, or freed when the pool is full. */
static void
ed25519_give(vouch__privkey_t *k, EVP_MD_CTX *md)
{
    (void)pthread_mutex_lock(&k->lock);
    if (k->npool < ED25519_POOL) {
        k->pool[k->npool++] = md;
        md = NULL;
    }
    (void)pthread_mutex_unlock(&k->lock);
    EVP_MD_CTX_free(md);
}

int
vouch__privkey_sign(vouch__privkey_t *k, vouch__hash_alg_t alg,
                    const uint8_t *digest, size_t dlen, uint8_t *sig,
                    size_t *slen, vouch_error_t *err)
{
    size_t n = VOUCH__SIG_MAX;
    int rc;

    if (k->kind == VOUCH__KEY_ED25519) {
        EVP_MD_CTX *md = ed25519_take(k);

        rc = md != NULL && EVP_DigestSign(md, sig, &n, digest, dlen) == 1;
        if (rc) {
            ed25519_give(k, md);
        } else {
            EVP_MD_CTX_free(md); /* a context that failed is not reused */
        }
    } else {
        EVP_PKEY_CTX *pctx = rsa_op(k->pkey, k->rsa_sha256, alg, true);

        rc = pctx != NULL && EVP_PKEY_get_size(k->pkey) <= VOUCH__SIG_MAX &&
             EVP_PKEY_sign(pctx, sig, &n, digest, dlen) == 1;
        EVP_PKEY_CTX_free(pctx);
    }
    if (!rc) {
        return ossl_error(err, VOUCH_EINTERNAL, "signing failed");
    }
    *slen = n;
    return 0;
}

int
vouch__keygen(vouch_buf_t *pem, vouch_buf_t *pub, vouch__key_kind_t kind,
              unsigned bits, vouch_error_t *err)
{
    EVP_PKEY *pkey = NULL;
    BIO *bio = NULL;
    unsigned char *der = NULL;
    char *mem;
    long mlen;
    int dlen, rc = VOUCH_EINTERNAL;

    if (kind == VOUCH__KEY_ED25519) {
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    } else {
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
    }
    bio = BIO_new(BIO_s_mem());
    if (pkey == NULL || bio == NULL ||
        PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) != 1) {
        rc = ossl_error(err, VOUCH_EINTERNAL, "key generation failed");
        goto out;
    }
    mlen = BIO_get_mem_data(bio, &mem);
    if (mlen <= 0 || (rc = vouch_buf_add(pem, mem, (size_t)mlen)) != 0) {
        rc = rc != 0 ? rc : VOUCH_EINTERNAL;
        goto out;
    }
    if (kind == VOUCH__KEY_ED25519) {
        uint8_t raw[32];
        size_t rlen = sizeof(raw);

        if (EVP_PKEY_get_raw_public_key(pkey, raw, &rlen) != 1) {
            rc = ossl_error(err, VOUCH_EINTERNAL, "Ed25519 public key");
            goto out;
        }
        rc = vouch_buf_add(pub, raw, rlen);
    } else {
        dlen = i2d_PUBKEY(pkey, &der);
        if (dlen <= 0) {
            rc = ossl_error(err, VOUCH_EINTERNAL, "RSA public key");
            goto out;
        }
        rc = vouch_buf_add(pub, der, (size_t)dlen);
    }
out:
    OPENSSL_free(der);
    BIO_free(bio);
    EVP_PKEY_free(pkey);
    return rc;
}

void
vouch__privkey_free(vouch__privkey_t *k)
{
    if (k == NULL) {
        return;
    }
    while (k->npool > 0) {
        EVP_MD_CTX_free(k->pool[--k->npool]);
    }
    (void)pthread_mutex_destroy(&k->lock);
    EVP_PKEY_CTX_free(k->rsa_sha256);
    EVP_MD_CTX_free(k->ed25519);
    EVP_PKEY_free(k->pkey);
    vouch__free(k->ctx, k);
}
