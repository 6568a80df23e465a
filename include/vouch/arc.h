/* SPDX-License-Identifier: MIT */
/*
 * vouch/arc.h - Authenticated Received Chain (RFC 8617): validating the
 * chain of ARC sets on a message and sealing it with a new set.
 *
 * Validating (§5.2): the ARC-Authentication-Results (AAR),
 * ARC-Message-Signature (AMS) and ARC-Seal (AS) fields are collected by
 * instance (1 to 50, exactly one of each per instance, no gaps); the newest
 * seal must not say cv=fail; instance 1 must say cv=none and every later
 * one cv=pass; the newest AMS is verified as a DKIM signature (RFC 6376
 * with i= the instance, no v=); every AMS below it is checked to find the
 * oldest one that still validates (arc.oldest-pass); every seal is verified
 * over the ARC sets up to its own, in instance order, with relaxed header
 * canonicalization. Anything broken makes the chain "fail" with a reason;
 * a message without ARC fields is "none". Tag lists are read strictly:
 * names and values are case-sensitive, unknown tags are ignored, a tag
 * given twice or a token without '=' is a failure. Algorithms:
 * rsa-sha256 and ed25519-sha256 (rsa-sha1 only when allowed); RSA keys
 * under min_rsa_bits fail.
 *
 * Sealing (§5.1): the sealer validates the incoming chain in the same pass
 * and adds the set i = N + 1 with cv= the validation result. A chain whose
 * newest seal already says cv=fail, or that has VOUCH_ARC_INSTANCE_MAX
 * sets, gets no new set (§5.1.2: nothing is gained by sealing a chain that
 * already failed). A seal with cv=fail signs only its own set (§5.1.2).
 *
 * The body is hashed once per (canonicalization, hash, l=) the AMS fields
 * and the sealer need, as it streams past; it is never held. Results do not
 * depend on how the message is cut into chunks.
 *
 * Not done: the AAR payload is not interpreted (it is carried, not
 * checked); key lookups use TXT records only (q=dns/txt).
 *
 * Thread safety: a verifier or sealer belongs to one thread.
 */
#ifndef VOUCH_ARC_H
#define VOUCH_ARC_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "dkim.h"
#include "dns.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- results
 * ------------------------------------------------------------------ */

/* Chain validation status (RFC 8617 §4.4). */
typedef enum vouch_arc_cv {
    VOUCH_ARC_NONE = 0,
    VOUCH_ARC_PASS,
    VOUCH_ARC_FAIL
} vouch_arc_cv_t;

/* "none", "pass", "fail" ("unknown" out of range). */
VOUCH_EXTERN const char *vouch_arc_cv_name(vouch_arc_cv_t cv);

/* Highest instance number (RFC 8617 §4.2.1). */
#define VOUCH_ARC_INSTANCE_MAX 50

typedef struct vouch_arc_result {
    vouch_arc_cv_t cv;
    unsigned sets;        /* ARC sets found (the highest instance) */
    unsigned oldest_pass; /* §5.2 step 5: the lowest instance from which on
                             every AMS validates; 0 when all do (or when
                             the chain does not pass) */
    char reason[160];     /* "AMS i=2 body hash mismatch", "missing
                             instance 1", "chain validated", ... */
    char domain[VOUCH_DNS_NAME_MAX + 1];   /* d= of the newest AS, or "" */
    char selector[VOUCH_DNS_NAME_MAX + 1]; /* s= of the newest AS, or "" */
} vouch_arc_result_t;

/* ---- validating
 * --------------------------------------------------------------- */

typedef struct vouch_arc_verify_options {
    unsigned version;
    unsigned min_rsa_bits; /* RFC 8301 §3.2: smaller RSA keys fail */
    bool allow_rsa_sha1;   /* RFC 8301 §3.1: rsa-sha1 fails unless set */
} vouch_arc_verify_options_t;

#define VOUCH_ARC_VERIFY_OPTIONS_INIT                                          \
    {                                                                          \
        1, 1024, false                                                         \
    }

typedef struct vouch_arc_verifier vouch_arc_verifier_t;

/*
 * A verifier. resolver answers the key queries (retained: it must outlive
 * the verifier). opts may be NULL (defaults). Returns 0, VOUCH_EINVAL
 * (options, no resolver), VOUCH_ENOMEM.
 */
VOUCH_EXTERN int vouch_arc_verifier_new(vouch_arc_verifier_t **out,
                                        const vouch_ctx_t *ctx,
                                        vouch_resolver_t *resolver,
                                        const vouch_arc_verify_options_t *opts,
                                        vouch_error_t *err) VOUCH_WARN_UNUSED;

/*
 * Feed the next chunk of the raw message (see vouch/mail.h for line ends).
 * Returns 0; VOUCH_ESYNTAX / VOUCH_ETOOBIG (the header cannot be read: err
 * says where); VOUCH_ENOMEM. After an error the verifier only fails.
 */
VOUCH_EXTERN int vouch_arc_verifier_feed(vouch_arc_verifier_t *v,
                                         const void *data, size_t len,
                                         vouch_error_t *err) VOUCH_WARN_UNUSED;

/*
 * For callers that have the message split already (an MTA): each header
 * field (raw "Name: value" without its final CRLF), then end_header, then
 * the body in chunks (CRLF line ends). Do not mix with feed.
 */
VOUCH_EXTERN int
vouch_arc_verifier_header(vouch_arc_verifier_t *v, const char *raw, size_t len,
                          vouch_error_t *err) VOUCH_WARN_UNUSED;
VOUCH_EXTERN int
vouch_arc_verifier_end_header(vouch_arc_verifier_t *v,
                              vouch_error_t *err) VOUCH_WARN_UNUSED;
VOUCH_EXTERN int vouch_arc_verifier_body(vouch_arc_verifier_t *v,
                                         const void *data, size_t len,
                                         vouch_error_t *err) VOUCH_WARN_UNUSED;

/*
 * End of the message: finish the hashes, fetch keys, validate. Returns 0
 * (whatever the verdict), an error of the feed calls, VOUCH_ENOMEM or
 * VOUCH_EINTERNAL (the crypto library failed). A key lookup that fails
 * (DNS error) makes the chain fail with the reason "... key lookup: ...".
 */
VOUCH_EXTERN int
vouch_arc_verifier_finish(vouch_arc_verifier_t *v,
                          vouch_error_t *err) VOUCH_WARN_UNUSED;

/* The verdict, after a successful finish; NULL before. Borrowed from v. */
VOUCH_EXTERN const vouch_arc_result_t *
vouch_arc_verifier_result(const vouch_arc_verifier_t *v);

/* NULL is a no-op. */
VOUCH_EXTERN void vouch_arc_verifier_free(vouch_arc_verifier_t *v);

/* ---- sealing
 * ------------------------------------------------------------------ */

typedef struct vouch_arc_seal_options {
    unsigned version;
    const char *domain;          /* d= of the AMS and the AS */
    const char *selector;        /* s= */
    const vouch_dkim_key_t *key; /* retained until the sealer is freed;
                                    RSA signs rsa-sha256, Ed25519
                                    ed25519-sha256 */
    const char *authserv_id;     /* of the AAR (RFC 8601 §2.5) */
    const char *authres;         /* the results the AAR carries, as in an
                                    Authentication-Results field after the
                                    authserv-id ("spf=pass
                                    smtp.mailfrom=a.example; dkim=pass
                                    header.d=b.example"); NULL: "none"
                                    (RFC 8601 §2.2: no results) */
    const char *headers;         /* AMS h= ("from:to:subject"), NULL:
                                    every present instance of From, To,
                                    Cc, Subject, Date, Message-ID,
                                    Reply-To, In-Reply-To, References,
                                    MIME-Version, Content-Type,
                                    Content-Transfer-Encoding and
                                    DKIM-Signature. Must not name
                                    ARC-Seal (§4.1.2). */
    bool timestamp;              /* t= on the AMS and the AS (the time of
                                    ctx) */
} vouch_arc_seal_options_t;

#define VOUCH_ARC_SEAL_OPTIONS_INIT                                            \
    {                                                                          \
        1, NULL, NULL, NULL, NULL, NULL, NULL, true                            \
    }

typedef struct vouch_arc_sealer vouch_arc_sealer_t;

/*
 * A sealer. It validates the incoming chain in the same pass, with the
 * default validation options (hence the resolver, retained). The strings
 * of opts are copied; opts->key is retained. Returns 0, VOUCH_EINVAL (a
 * missing domain, selector, key or authserv-id; text that cannot go into a
 * header field; an h= naming ARC-Seal), VOUCH_ENOMEM.
 */
VOUCH_EXTERN int vouch_arc_sealer_new(vouch_arc_sealer_t **out,
                                      const vouch_ctx_t *ctx,
                                      vouch_resolver_t *resolver,
                                      const vouch_arc_seal_options_t *opts,
                                      vouch_error_t *err) VOUCH_WARN_UNUSED;

/* As for the verifier. */
VOUCH_EXTERN int vouch_arc_sealer_feed(vouch_arc_sealer_t *s, const void *data,
                                       size_t len,
                                       vouch_error_t *err) VOUCH_WARN_UNUSED;
VOUCH_EXTERN int vouch_arc_sealer_header(vouch_arc_sealer_t *s, const char *raw,
                                         size_t len,
                                         vouch_error_t *err) VOUCH_WARN_UNUSED;
VOUCH_EXTERN int
vouch_arc_sealer_end_header(vouch_arc_sealer_t *s,
                            vouch_error_t *err) VOUCH_WARN_UNUSED;
VOUCH_EXTERN int vouch_arc_sealer_body(vouch_arc_sealer_t *s, const void *data,
                                       size_t len,
                                       vouch_error_t *err) VOUCH_WARN_UNUSED;

/*
 * Finish: validate the incoming chain and append the new ARC-Seal,
 * ARC-Message-Signature and ARC-Authentication-Results fields to out, in
 * that order (the order to prepend them to the message), each folded and
 * ending in CRLF. Appends nothing when the chain gets no new set (see
 * above; vouch_arc_sealer_chain says why). Returns 0, VOUCH_ENOMEM,
 * VOUCH_ETOOBIG (out's max), VOUCH_EINTERNAL (crypto), or an error of the
 * feed calls. Call once.
 */
VOUCH_EXTERN int vouch_arc_sealer_finish(vouch_arc_sealer_t *s,
                                         vouch_buf_t *out,
                                         vouch_error_t *err) VOUCH_WARN_UNUSED;

/* The validation of the incoming chain, after finish; NULL before. */
VOUCH_EXTERN const vouch_arc_result_t *
vouch_arc_sealer_chain(const vouch_arc_sealer_t *s);

/* NULL is a no-op. */
VOUCH_EXTERN void vouch_arc_sealer_free(vouch_arc_sealer_t *s);

#ifdef __cplusplus
}
#endif

#endif
