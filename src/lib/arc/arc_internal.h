/* SPDX-License-Identifier: MIT */
/*
 * arc/arc_internal.h - what the ARC files share: the chain validator
 * (chain.c) used by the verifier (verify.c) and the sealer (seal.c), the
 * parsers of the three ARC fields, and the data an ARC-Seal signs.
 */
#ifndef VOUCH_ARC_INTERNAL_H
#define VOUCH_ARC_INTERNAL_H

#include "vouch/arc.h"
#include "../dkim/dkim_internal.h"

/* An ARC-Seal parsed and checked (RFC 8617 §4.1.3). Views point into the
 * field. */
typedef struct arc_seal_tags {
    vouch_dkim_alg_t alg;
    vouch__hash_alg_t hash;
    vouch__key_kind_t key_kind;
    vouch_str_t domain, selector, b;
    vouch_arc_cv_t cv;
    int64_t timestamp; /* -1 when absent */
    uint8_t sig[VOUCH__SIG_MAX];
    size_t siglen;
} arc_seal_tags_t;

/* Body hashers one validation (plus a seal) needs at most. */
#define VOUCH_ARC_BODIES_MAX (VOUCH_ARC_INSTANCE_MAX + 1)

typedef struct arc_body {
    vouch_dkim_canon_t canon;
    vouch__hash_alg_t alg;
    uint64_t limit;
    vouch__hash_t *hash;
    dkim_body_t body;
    uint8_t digest[VOUCH__DIGEST_MAX];
    size_t dlen;
} arc_body_t;

/* One instance: where its fields are and what they say. */
typedef struct arc_set {
    size_t aar, ams, as; /* field indexes; SIZE_MAX: absent */
    int ams_rc, as_rc;   /* parse results (0: usable) */
    char ams_why[VOUCH_ERROR_MSG_MAX];
    char as_why[VOUCH_ERROR_MSG_MAX];
    dkim_sigfields_t ams_f;
    arc_seal_tags_t as_f;
    size_t body; /* body hasher of the AMS, SIZE_MAX: none */
} arc_set_t;

typedef struct arc_chain {
    const vouch_ctx_t *ctx;
    vouch_resolver_t *resolver;
    vouch_arc_verify_options_t opts;
    vouch_dns_budget_t budget;
    const vouch_mail_header_t *hdr;
    arc_set_t sets[VOUCH_ARC_INSTANCE_MAX + 1]; /* by instance; [0] unused */
    unsigned n;                                 /* highest instance */
    bool broken;         /* the sets cannot be a chain: fail */
    bool newest_cv_fail; /* the newest AS says cv=fail */
    arc_body_t bodies[VOUCH_ARC_BODIES_MAX];
    size_t nbodies;
    vouch_arc_result_t result;
} arc_chain_t;

/* Start a chain validator (opts already checked). */
VOUCH_HIDDEN void vouch__arc_chain_init(arc_chain_t *c, const vouch_ctx_t *ctx,
                                        vouch_resolver_t *resolver,
                                        const vouch_arc_verify_options_t *opts);

/* The header is complete (hdr retained): collect and parse the ARC sets,
 * start the body hashers. Returns 0, VOUCH_ENOMEM. */
VOUCH_HIDDEN int vouch__arc_chain_header(arc_chain_t *c,
                                         const vouch_mail_header_t *hdr);

/* A body hasher for (canon, alg, limit), shared when one exists.
 * Returns 0, VOUCH_ENOMEM, VOUCH_ETOOBIG (all in use). */
VOUCH_HIDDEN int vouch__arc_chain_body_for(arc_chain_t *c,
                                           vouch_dkim_canon_t canon,
                                           vouch__hash_alg_t alg,
                                           uint64_t limit, size_t *out);

VOUCH_HIDDEN void vouch__arc_chain_body(arc_chain_t *c, const char *p,
                                        size_t n);

/* End of the message: finish the body hashes and validate into
 * c->result. Returns 0 (whatever the verdict), VOUCH_ENOMEM,
 * VOUCH_EINTERNAL. */
VOUCH_HIDDEN int vouch__arc_chain_finish(arc_chain_t *c);

VOUCH_HIDDEN void vouch__arc_chain_dispose(arc_chain_t *c);

/* Parse an ARC-Seal value. Returns 0 or VOUCH_ESYNTAX (err->msg says
 * why). */
VOUCH_HIDDEN int vouch__arc_seal_parse(arc_seal_tags_t *out, const char *value,
                                       size_t len, unsigned *instance,
                                       vouch_error_t *err);

/* Parse an ARC-Message-Signature value into out (instance in
 * out->instance). Returns 0 or VOUCH_ESYNTAX. */
VOUCH_HIDDEN int vouch__arc_ams_parse(dkim_sigfields_t *out, const char *value,
                                      size_t len, vouch_error_t *err);

/* The instance of an ARC-Authentication-Results value ("i=N;" first).
 * Returns 0 or VOUCH_ESYNTAX. */
VOUCH_HIDDEN int vouch__arc_aar_instance(unsigned *out, const char *value,
                                         size_t len, vouch_error_t *err);

/*
 * Hash what an ARC-Seal signs (RFC 8617 §5.1.1): for each triple of field
 * indexes in sets[0..n) (AAR, AMS, AS, oldest first) the fields in relaxed
 * canonical form, the last AS with the value of b= (last_b, a view into
 * it) removed and no final CRLF. Returns 0, VOUCH_ENOMEM, VOUCH_ETOOBIG,
 * VOUCH_EINTERNAL.
 */
VOUCH_HIDDEN int vouch__arc_seal_hash(const vouch_ctx_t *ctx,
                                      const vouch_mail_header_t *hdr,
                                      const size_t (*sets)[3], size_t n,
                                      vouch_str_t last_b, vouch__hash_alg_t alg,
                                      uint8_t digest[VOUCH__DIGEST_MAX],
                                      size_t *dlen);

#endif
