/* SPDX-License-Identifier: MIT */
/*
 * vouch/dkim.h - DomainKeys Identified Mail: verifying and signing
 * (RFC 6376), with the cryptographic updates of RFC 8301 and Ed25519
 * (RFC 8463).
 *
 * Verifying: the message is given in chunks of any size (or, from an MTA,
 * as header fields and body chunks); signatures are checked in one
 * streaming pass and the body is never held. Each DKIM-Signature field
 * gets a result with a machine reason: pass, fail (body hash mismatch,
 * signature does not verify), neutral, policy (RFC 8301: rsa-sha1, RSA
 * keys under 1024 bits; l=, when asked), temperror (DNS), permerror (bad
 * tags, bad or revoked key, expired). Algorithms: rsa-sha256,
 * ed25519-sha256; rsa-sha1 is recognised and refused by default.
 * Public keys are parsed once and kept with their DNS answer.
 *
 * Signing: relaxed/relaxed by default, a sensible header set with From
 * always and the usual fields oversigned, optional x= and l=, and several
 * signatures (RSA and Ed25519 together) in one pass.
 *
 * Key generation: RSA (1024-4096 bits, 2048 by default) and Ed25519 key
 * pairs as PEM, with the TXT record to publish.
 *
 * Not done: DomainKeys (RFC 4870, historic) and the pre-RFC DKIM drafts;
 * the z= copied header fields are decoded for display only; g= (RFC 4871)
 * is ignored as RFC 6376 says.
 *
 * Thread safety: verifiers and signers belong to one thread; a private key
 * may be shared by signers in many threads.
 */
#ifndef VOUCH_DKIM_H
#define VOUCH_DKIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "dns.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- results ----------------------------------------------------------------
 */

/* RFC 8601 §2.7.1 results for one signature. */
typedef enum vouch_dkim_code {
    VOUCH_DKIM_PASS = 0,
    VOUCH_DKIM_FAIL,
    VOUCH_DKIM_NEUTRAL,
    VOUCH_DKIM_POLICY,
    VOUCH_DKIM_TEMPERROR,
    VOUCH_DKIM_PERMERROR
} vouch_dkim_code_t;

/* "pass", "fail", "neutral", "policy", "temperror", "permerror" */
VOUCH_EXTERN const char *vouch_dkim_code_name(vouch_dkim_code_t code);

typedef enum vouch_dkim_alg {
    VOUCH_DKIM_RSA_SHA256 = 0,
    VOUCH_DKIM_ED25519_SHA256,
    VOUCH_DKIM_RSA_SHA1,
    VOUCH_DKIM_ALG_UNKNOWN
} vouch_dkim_alg_t;

/* "rsa-sha256", "ed25519-sha256", "rsa-sha1", "unknown" */
VOUCH_EXTERN const char *vouch_dkim_alg_name(vouch_dkim_alg_t alg);

/* Longest reason text, NUL included. */
#define VOUCH_DKIM_REASON_MAX 160

/* One DKIM-Signature field and what became of it. Strings are
 * NUL-terminated; those from the message are cut to their arrays only in
 * the display copies (the checks use the full values). */
typedef struct vouch_dkim_sig {
    vouch_dkim_code_t result;
    char reason[VOUCH_DKIM_REASON_MAX];    /* "body hash mismatch", ... */
    char domain[VOUCH_DNS_NAME_MAX + 1];   /* d= */
    char selector[VOUCH_DNS_NAME_MAX + 1]; /* s= */
    char identity[320];                    /* i= decoded, or "@" d= */
    vouch_dkim_alg_t algorithm;
    char header_b[16];            /* first characters of b= (RFC 6008) */
    bool has_length;              /* l= present */
    uint64_t unsigned_body_bytes; /* body bytes after l= (has_length) */
    unsigned key_bits;            /* size of the public key, when known */
    bool key_testing;             /* t=y in the key record */
    vouch_dnssec_t dnssec;        /* of the key record */
    int64_t timestamp;            /* t=, or -1 */
    int64_t expiration;           /* x=, or -1 */
    size_t field_index;           /* which header field (0 = first) */
} vouch_dkim_sig_t;

/* ---- verifying
 * ------------------------------------------------------------------ */

typedef struct vouch_dkim_verify_options {
    unsigned version;
    bool allow_rsa_sha1;   /* RFC 8301 §3.1: rsa-sha1 is "policy" unless set */
    unsigned min_rsa_bits; /* RFC 8301 §3.2: smaller keys are "policy" */
    bool reject_length;    /* signatures with l= are "policy" */
    unsigned max_signatures; /* evaluated per message; the rest "policy" */
    unsigned clock_skew;     /* seconds of grace after x= */
    bool allow_drafts;       /* legacy: accept pre-RFC draft signatures
                                (no v=, or v=0.5; q=dns) */
} vouch_dkim_verify_options_t;

#define VOUCH_DKIM_VERIFY_OPTIONS_INIT                                         \
    {                                                                          \
        1, false, 1024, false, 10, 300, false                                  \
    }

/* Signatures looked at in one message, at most (the default of
 * max_signatures is lower); more is an error of the message, not of a
 * signature. */
#define VOUCH_DKIM_SIGNATURES_MAX 50

typedef struct vouch_dkim_verifier vouch_dkim_verifier_t;

/*
 * A verifier. resolver answers the key queries (retained: it must outlive
 * the verifier). opts may be NULL (defaults). The time comes from ctx.
 * Returns 0, VOUCH_EINVAL (options), VOUCH_ENOMEM.
 */
VOUCH_EXTERN int
vouch_dkim_verifier_new(vouch_dkim_verifier_t **out, const vouch_ctx_t *ctx,
                        vouch_resolver_t *resolver,
                        const vouch_dkim_verify_options_t *opts,
                        vouch_error_t *err) VOUCH_WARN_UNUSED;

/*
 * Feed the next chunk of the raw message (header and body; see
 * vouch/mail.h for line ends). Results never depend on chunking.
 * Returns 0; VOUCH_ESYNTAX / VOUCH_ETOOBIG (the header cannot be read:
 * err says where); VOUCH_ENOMEM.
 */
VOUCH_EXTERN int vouch_dkim_verifier_feed(vouch_dkim_verifier_t *v,
                                          const void *data, size_t len,
                                          vouch_error_t *err) VOUCH_WARN_UNUSED;

/*
 * The same for callers that have the message split already (an MTA):
 * every header field (raw "Name: value", without its final CRLF), then
 * end_header, then the body in chunks (CRLF line ends). Do not mix with
 * vouch_dkim_verifier_feed.
 */
VOUCH_EXTERN int
vouch_dkim_verifier_header(vouch_dkim_verifier_t *v, const char *raw,
                           size_t len, vouch_error_t *err) VOUCH_WARN_UNUSED;
VOUCH_EXTERN int
vouch_dkim_verifier_end_header(vouch_dkim_verifier_t *v,
                               vouch_error_t *err) VOUCH_WARN_UNUSED;
VOUCH_EXTERN int vouch_dkim_verifier_body(vouch_dkim_verifier_t *v,
                                          const void *data, size_t len,
                                          vouch_error_t *err) VOUCH_WARN_UNUSED;

/*
 * End of the message: finish the hashes and verify. Afterwards the results
 * are available. Returns 0 (whatever the verdicts) or an error of the
 * feed calls.
 */
VOUCH_EXTERN int
vouch_dkim_verifier_finish(vouch_dkim_verifier_t *v,
                           vouch_error_t *err) VOUCH_WARN_UNUSED;

/* Number of DKIM-Signature fields with a result (0: the message is not
 * signed). */
VOUCH_EXTERN size_t vouch_dkim_verifier_count(const vouch_dkim_verifier_t *v);

/* Result i, in header order; NULL when out of range. Borrowed from v. */
VOUCH_EXTERN const vouch_dkim_sig_t *
vouch_dkim_verifier_result(const vouch_dkim_verifier_t *v, size_t i);

VOUCH_EXTERN void vouch_dkim_verifier_free(vouch_dkim_verifier_t *v);

/* ---- keys
 * ---------------------------------------------------------------------------
 */

typedef struct vouch_dkim_key vouch_dkim_key_t;

/*
 * A private key from PEM (PKCS#1 or PKCS#8 RSA, PKCS#8 Ed25519), or from
 * the base64 of a raw 32-byte Ed25519 seed (dkimpy's format). Returns 0;
 * VOUCH_ESYNTAX (not a key we can sign with; err says why); VOUCH_ENOMEM.
 */
VOUCH_EXTERN int vouch_dkim_key_load(vouch_dkim_key_t **out,
                                     const vouch_ctx_t *ctx, const char *data,
                                     size_t len,
                                     vouch_error_t *err) VOUCH_WARN_UNUSED;

/* The same from a file: VOUCH_EIO when it cannot be read. */
VOUCH_EXTERN int vouch_dkim_key_load_file(vouch_dkim_key_t **out,
                                          const vouch_ctx_t *ctx,
                                          const char *path,
                                          vouch_error_t *err) VOUCH_WARN_UNUSED;

/* The algorithm a key signs with (rsa-sha256 or ed25519-sha256) and its
 * size in bits. */
VOUCH_EXTERN vouch_dkim_alg_t vouch_dkim_key_alg(const vouch_dkim_key_t *key);
VOUCH_EXTERN unsigned vouch_dkim_key_bits(const vouch_dkim_key_t *key);

VOUCH_EXTERN void vouch_dkim_key_free(vouch_dkim_key_t *key);

/*
 * Generate a key pair: alg rsa-sha256 (bits 1024-4096, 0 = 2048) or
 * ed25519-sha256 (bits ignored). Appends the private key as PEM (PKCS#8)
 * to private_pem and the TXT record value to publish ("v=DKIM1; k=...;
 * p=...") to record. Returns 0, VOUCH_EINVAL (bits, alg), VOUCH_ENOMEM,
 * VOUCH_EINTERNAL (the crypto library failed; err says why).
 */
VOUCH_EXTERN int vouch_dkim_keygen(vouch_buf_t *private_pem,
                                   vouch_buf_t *record, const vouch_ctx_t *ctx,
                                   vouch_dkim_alg_t alg, unsigned bits,
                                   vouch_error_t *err) VOUCH_WARN_UNUSED;

/*
 * Write a TXT record value as a zone-file rdata: quoted strings of at most
 * 255 bytes each, in parentheses when there are several
 * ( "v=DKIM1; k=rsa; p=MIIB..." "...rest" ). Appends to out.
 */
VOUCH_EXTERN int vouch_dkim_zone_txt(vouch_buf_t *out, const char *value,
                                     size_t len) VOUCH_WARN_UNUSED;

/* ---- signing
 * ------------------------------------------------------------------------ */

typedef enum vouch_dkim_canon {
    VOUCH_DKIM_RELAXED = 0,
    VOUCH_DKIM_SIMPLE
} vouch_dkim_canon_t;

typedef struct vouch_dkim_sign_options {
    unsigned version;
    const char *domain;          /* d= */
    const char *selector;        /* s= */
    const vouch_dkim_key_t *key; /* retained until the signer is freed */
    const char *identity;        /* i=, or NULL */
    const char *headers;         /* "from:to:subject", or NULL for the
                                    default set */
    bool oversign;               /* sign From, To, Subject, Date, Reply-To,
                                    Cc, Message-ID and MIME fields once more
                                    than present, so none can be added */
    vouch_dkim_canon_t header_canon;
    vouch_dkim_canon_t body_canon;
    bool body_length;      /* add l= */
    bool timestamp;        /* add t= */
    unsigned expire_after; /* x= = t= + this many seconds; 0: none */
} vouch_dkim_sign_options_t;

#define VOUCH_DKIM_SIGN_OPTIONS_INIT                                           \
    {                                                                          \
        1, NULL, NULL, NULL, NULL, NULL, true, VOUCH_DKIM_RELAXED,             \
            VOUCH_DKIM_RELAXED, false, true, 0                                 \
    }

/* Signatures made in one pass, at most. */
#define VOUCH_DKIM_SIGNERS_MAX 8

typedef struct vouch_dkim_signer vouch_dkim_signer_t;

/*
 * A signer making one signature per element of sigs (n of them, 1 to
 * VOUCH_DKIM_SIGNERS_MAX) in the same pass. Returns 0, VOUCH_EINVAL (a
 * missing domain, selector or key; a bad header list), VOUCH_ENOMEM.
 */
VOUCH_EXTERN int vouch_dkim_signer_new(vouch_dkim_signer_t **out,
                                       const vouch_ctx_t *ctx,
                                       const vouch_dkim_sign_options_t *sigs,
                                       size_t n,
                                       vouch_error_t *err) VOUCH_WARN_UNUSED;

/* Feed the raw message, or fields and body chunks; as for the verifier. */
VOUCH_EXTERN int vouch_dkim_signer_feed(vouch_dkim_signer_t *s,
                                        const void *data, size_t len,
                                        vouch_error_t *err) VOUCH_WARN_UNUSED;
VOUCH_EXTERN int vouch_dkim_signer_header(vouch_dkim_signer_t *s,
                                          const char *raw, size_t len,
                                          vouch_error_t *err) VOUCH_WARN_UNUSED;
VOUCH_EXTERN int
vouch_dkim_signer_end_header(vouch_dkim_signer_t *s,
                             vouch_error_t *err) VOUCH_WARN_UNUSED;
VOUCH_EXTERN int vouch_dkim_signer_body(vouch_dkim_signer_t *s,
                                        const void *data, size_t len,
                                        vouch_error_t *err) VOUCH_WARN_UNUSED;

/*
 * Finish and append the DKIM-Signature fields to out, each folded at 78
 * columns and ending in CRLF, in the order to prepend them to the message.
 * Returns 0, VOUCH_EINVAL (the message has no From field), VOUCH_ENOMEM,
 * VOUCH_ETOOBIG (out's max), VOUCH_EINTERNAL (the crypto library failed).
 */
VOUCH_EXTERN int vouch_dkim_signer_finish(vouch_dkim_signer_t *s,
                                          vouch_buf_t *out,
                                          vouch_error_t *err) VOUCH_WARN_UNUSED;

VOUCH_EXTERN void vouch_dkim_signer_free(vouch_dkim_signer_t *s);

#ifdef __cplusplus
}
#endif

#endif
