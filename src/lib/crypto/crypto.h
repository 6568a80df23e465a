/* SPDX-License-Identifier: MIT */
/*
 * crypto/crypto.h - the cryptography vouch needs, behind one interface:
 * SHA-1/SHA-256 streaming hashes, public keys from DKIM key records, and
 * private keys for signing and key generation. One backend: OpenSSL 3
 * (crypto/openssl.c).
 *
 * Signatures are over a digest computed by the caller, as DKIM defines
 * them: RSASSA-PKCS1-v1_5 with the digest's DigestInfo (RFC 6376 §3.3.1),
 * and Ed25519 (PureEdDSA) over the 32-byte SHA-256 digest (RFC 8463 §3).
 */
#ifndef VOUCH_CRYPTO_H
#define VOUCH_CRYPTO_H

#include "../core/internal.h"

typedef enum vouch__hash_alg {
    VOUCH__SHA1 = 0,
    VOUCH__SHA256
} vouch__hash_alg_t;

typedef enum vouch__key_kind {
    VOUCH__KEY_RSA = 0,
    VOUCH__KEY_ED25519
} vouch__key_kind_t;

#define VOUCH__DIGEST_MAX 32
/* Largest public key data accepted from a key record (DER of an RSA key of
 * 8192 bits is about 1.1 KiB). */
#define VOUCH__PUBKEY_MAX 4096
/* Largest signature we make or accept (RSA 8192 bits). */
#define VOUCH__SIG_MAX 1024

/* ---- hashes ----------------------------------------------------------------
 */

typedef struct vouch__hash vouch__hash_t;

/* Returns 0, VOUCH_ENOMEM. */
VOUCH_HIDDEN int vouch__hash_new(vouch__hash_t **out, const vouch_ctx_t *ctx,
                                 vouch__hash_alg_t alg);
VOUCH_HIDDEN void vouch__hash_update(vouch__hash_t *h, const void *p, size_t n);
/* Writes the digest (20 or 32 bytes) and its length. The hash can be
 * updated no more afterwards. Returns 0 or VOUCH_EINTERNAL. */
VOUCH_HIDDEN int vouch__hash_final(vouch__hash_t *h,
                                   uint8_t out[VOUCH__DIGEST_MAX], size_t *len);
/* Start over with the same algorithm (after final, or to drop what was
 * fed), keeping what the backend set up. Returns 0 or VOUCH_EINTERNAL. */
VOUCH_HIDDEN int vouch__hash_reset(vouch__hash_t *h);
VOUCH_HIDDEN void vouch__hash_free(vouch__hash_t *h);

/* ---- public keys ------------------------------------------------------------
 */

typedef struct vouch__pubkey vouch__pubkey_t;

/*
 * A public key from the decoded p= of a DKIM key record: for RSA a DER
 * SubjectPublicKeyInfo (or a bare PKCS#1 RSAPublicKey, which some
 * publishers use), for Ed25519 the raw 32 bytes (RFC 8463 §4).
 * Returns 0; VOUCH_ESYNTAX (not such a key; err says why); VOUCH_ENOMEM.
 */
VOUCH_HIDDEN int vouch__pubkey_new(vouch__pubkey_t **out,
                                   const vouch_ctx_t *ctx,
                                   vouch__key_kind_t kind, const uint8_t *p,
                                   size_t len, vouch_error_t *err);

/* Size in bits (RSA modulus; 256 for Ed25519). */
VOUCH_HIDDEN unsigned vouch__pubkey_bits(const vouch__pubkey_t *k);

/* Verify sig over digest. Returns 1 (good), 0 (bad), VOUCH_EINTERNAL. */
VOUCH_HIDDEN int vouch__pubkey_verify(const vouch__pubkey_t *k,
                                      vouch__hash_alg_t alg,
                                      const uint8_t *digest, size_t dlen,
                                      const uint8_t *sig, size_t slen);

VOUCH_HIDDEN void vouch__pubkey_free(vouch__pubkey_t *k);

/* ---- private keys
 * ------------------------------------------------------------ */

typedef struct vouch__privkey vouch__privkey_t;

/* From PEM (PKCS#1/PKCS#8 RSA, PKCS#8 Ed25519) or the base64 of a raw
 * Ed25519 seed. Returns 0, VOUCH_ESYNTAX, VOUCH_ENOMEM. */
VOUCH_HIDDEN int vouch__privkey_load(vouch__privkey_t **out,
                                     const vouch_ctx_t *ctx, const char *p,
                                     size_t len, vouch_error_t *err);

VOUCH_HIDDEN vouch__key_kind_t vouch__privkey_kind(const vouch__privkey_t *k);
VOUCH_HIDDEN unsigned vouch__privkey_bits(const vouch__privkey_t *k);

/* Sign digest into sig (VOUCH__SIG_MAX bytes). Returns 0 or
 * VOUCH_EINTERNAL. Thread-safe on a shared key: k is not const because an
 * Ed25519 key keeps a pool of ready operations (under the key's mutex). */
VOUCH_HIDDEN int vouch__privkey_sign(vouch__privkey_t *k, vouch__hash_alg_t alg,
                                     const uint8_t *digest, size_t dlen,
                                     uint8_t *sig, size_t *slen,
                                     vouch_error_t *err);

/*
 * Generate a key pair of kind (RSA of bits bits, or Ed25519). Appends the
 * private key as PKCS#8 PEM to pem and the public key bytes DKIM publishes
 * (DER SubjectPublicKeyInfo for RSA, raw 32 bytes for Ed25519) to pub.
 * Returns 0, VOUCH_ENOMEM, VOUCH_ETOOBIG, VOUCH_EINTERNAL.
 */
VOUCH_HIDDEN int vouch__keygen(vouch_buf_t *pem, vouch_buf_t *pub,
                               vouch__key_kind_t kind, unsigned bits,
                               vouch_error_t *err);

VOUCH_HIDDEN void vouch__privkey_free(vouch__privkey_t *k);

#endif
