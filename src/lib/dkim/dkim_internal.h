/* SPDX-License-Identifier: MIT */
/*
 * dkim/dkim_internal.h - what the DKIM files share: canonicalization and
 * body hashing (canon.c), DKIM-Signature parsing (sig.c), key records
 * (key.c), used by the verifier (verify.c) and the signer (sign.c).
 */
#ifndef VOUCH_DKIM_INTERNAL_H
#define VOUCH_DKIM_INTERNAL_H

#include "vouch/dkim.h"
#include "vouch/mail.h"
#include "../core/internal.h"
#include "../crypto/crypto.h"
#include "../dns/dns_internal.h"
#include "../mail/mail_internal.h"
#include "../parse/parse.h"

/* ---- canonicalization (canon.c, RFC 6376 §3.4)
 * ------------------------------------ */

/* A streaming body canonicalizer feeding a hash. Results do not depend on
 * how the body is cut into chunks. */
typedef struct dkim_body {
    vouch_dkim_canon_t canon;
    vouch__hash_t *hash;
    uint64_t limit;     /* l=: canonical bytes hashed at most */
    uint64_t emitted;   /* canonical bytes produced (also past limit) */
    uint64_t pend_crlf; /* empty lines withheld: dropped if they end the body */
    bool line_content;  /* the current line has content */
    bool pend_wsp;      /* relaxed: whitespace withheld */
    bool pend_cr;       /* the last chunk ended with a CR */
    bool ends_crlf;     /* what was emitted ends with CRLF */
    bool any;           /* anything emitted */
    size_t nstage;      /* short pieces gathered for the hash */
    char stage[128];    /* small: ARC keeps 51 of these inline */
} dkim_body_t;

/* Start; hash is borrowed. limit UINT64_MAX: no l=. */
VOUCH_HIDDEN void vouch__dkim_body_init(dkim_body_t *b, vouch_dkim_canon_t c,
                                        vouch__hash_t *hash, uint64_t limit);
VOUCH_HIDDEN void vouch__dkim_body_update(dkim_body_t *b, const char *p,
                                          size_t n);
/* End of body: the final CRLF rules of §3.4.3 / §3.4.4. The hash has
 * been given every canonical byte only after this (short pieces are
 * gathered and hashed in blocks). */
VOUCH_HIDDEN void vouch__dkim_body_final(dkim_body_t *b);

/*
 * Append the canonical form of one header field (raw bytes as in
 * vouch_mail_field_t, name_len bytes of name) to out: "name:value\r\n".
 * With crlf false the final CRLF is left out (the signature field itself,
 * §3.7). Returns 0 or the buffer's error.
 */
VOUCH_HIDDEN int vouch__dkim_canon_header(vouch_buf_t *out,
                                          vouch_dkim_canon_t c, const char *raw,
                                          size_t len, size_t name_len,
                                          bool crlf);

/*
 * Where canonical header data goes: appended to a buffer, or hashed
 * (buf NULL). Bytes are staged and passed on in blocks, so short runs
 * cost no hash call each. rc is sticky: the first error of the buffer.
 */
typedef struct dkim_sink {
    vouch_buf_t *buf;
    vouch__hash_t *hash;
    size_t n;
    int rc;
    char stage[2048];
} dkim_sink_t;

/* buf or hash (the other NULL) is borrowed. */
VOUCH_HIDDEN void vouch__dkim_sink_init(dkim_sink_t *k, vouch_buf_t *buf,
                                        vouch__hash_t *hash);
/* Pass the staged bytes on. Returns rc. */
VOUCH_HIDDEN int vouch__dkim_sink_flush(dkim_sink_t *k);

/* vouch__dkim_canon_header into a sink (staged: flush at the end).
 * Returns rc. */
VOUCH_HIDDEN int vouch__dkim_canon_header_sink(dkim_sink_t *k,
                                               vouch_dkim_canon_t c,
                                               const char *raw, size_t len,
                                               size_t name_len, bool crlf);
/* The same with the bytes [cut, cut_end) left out (name_len <= cut <=
 * cut_end <= len): the value of b= in the signature field (§3.7). */
VOUCH_HIDDEN int vouch__dkim_canon_header_cut(dkim_sink_t *k,
                                              vouch_dkim_canon_t c,
                                              const char *raw, size_t len,
                                              size_t name_len, size_t cut,
                                              size_t cut_end, bool crlf);

/* ---- DKIM-Signature fields (sig.c, RFC 6376 §3.5)
 * ----------------------------------- */

/* Names in one h= list at most (real lists have 10-30). */
#define VOUCH_DKIM_H_MAX 256

/* A DKIM-Signature (or ARC-Message-Signature) parsed and checked. Views
 * point into the field. */
typedef struct dkim_sigfields {
    vouch_dkim_alg_t alg;
    vouch__hash_alg_t hash;
    vouch__key_kind_t key_kind;
    vouch_dkim_canon_t hcanon, bcanon;
    vouch_str_t domain;   /* d= */
    vouch_str_t selector; /* s= */
    vouch_str_t headers;  /* h= as written */
    vouch_str_t b;        /* b= as written */
    uint8_t sig[VOUCH__SIG_MAX];
    size_t siglen;
    uint8_t bh[VOUCH__DIGEST_MAX];
    size_t bhlen;
    uint64_t length;    /* l=, UINT64_MAX when absent */
    int64_t timestamp;  /* t=, -1 */
    int64_t expiration; /* x=, -1 */
    char identity[320]; /* i= decoded, or "@" d= */
    size_t identity_len;
    unsigned instance; /* i= of ARC fields (0 for DKIM) */
} dkim_sigfields_t;

/* d= or s= as vouch__dkim_sig_parse accepts it: labels of letters,
 * digits, '-' and '_', at most a domain name long. */
VOUCH_HIDDEN bool vouch__dkim_domain_ok(vouch_str_t d);

/*
 * Parse and check the value of a DKIM-Signature field (§3.5, §6.1.1):
 * required tags, v=1, known a= and c=, h= holding "from", i= within d=,
 * q=dns/txt, x= after t=, base64 of b= and bh=. allow_drafts accepts
 * the pre-RFC draft forms (no v=, v=0.5, q=dns). Returns 0, or
 * VOUCH_ESYNTAX with err->msg the reason (for a permerror).
 */
VOUCH_HIDDEN int vouch__dkim_sig_parse(dkim_sigfields_t *out, const char *value,
                                       size_t len, bool allow_drafts,
                                       vouch_error_t *err);

/* Does the h= list of s name field f (case-insensitive)? Walks "a:b:c". */
typedef struct dkim_hlist {
    const char *p, *end;
} dkim_hlist_t;

VOUCH_HIDDEN void vouch__dkim_hlist_init(dkim_hlist_t *it, vouch_str_t h);
/* Next name of the list (whitespace stripped); false at the end. */
VOUCH_HIDDEN bool vouch__dkim_hlist_next(dkim_hlist_t *it, vouch_str_t *name);

/*
 * Append to out the canonical header data that a signature covers
 * (§3.7): the fields named in h=, each instance picked from the bottom
 * up, then the signature field itself (field index sig_field) with the
 * value of b= removed and no final CRLF.
 */
VOUCH_HIDDEN int vouch__dkim_header_data(vouch_buf_t *out,
                                         const vouch_mail_header_t *hdr,
                                         const dkim_sigfields_t *s,
                                         size_t sig_field);

/* Hash the canonical header data of s into digest. */
VOUCH_HIDDEN int
vouch__dkim_header_hash(const vouch_ctx_t *ctx, const vouch_mail_header_t *hdr,
                        const dkim_sigfields_t *s, size_t sig_field,
                        uint8_t digest[VOUCH__DIGEST_MAX], size_t *dlen);

/*
 * Feed the canonical header data of s into h (which the caller started
 * and finishes), as vouch__dkim_header_data, with the signature field
 * given by sig (it need not be in hdr: a signer hashes the field it is
 * making). Returns 0 or VOUCH_ENOMEM.
 */
VOUCH_HIDDEN int vouch__dkim_header_feed(vouch__hash_t *h,
                                         const vouch_mail_header_t *hdr,
                                         const dkim_sigfields_t *s,
                                         const vouch_mail_field_t *sig);

/* ---- key records (key.c, RFC 6376 §3.6.1)
 * ------------------------------------------- */

/* A key record, parsed once per DNS answer (kept as its memo). */
typedef struct dkim_keyrec {
    vouch__dns_memo_t memo;
    int status; /* 0 usable; VOUCH_ESYNTAX: see error */
    char error[VOUCH_ERROR_MSG_MAX + 16];
    bool revoked; /* p= empty */
    vouch__key_kind_t kind;
    bool sha1_ok, sha256_ok; /* h= */
    bool testing;            /* t=y */
    bool strict;             /* t=s: i= domain must be d= */
    vouch__pubkey_t *key;
    unsigned bits;
} dkim_keyrec_t;

/* The key record of a TXT answer (first record that is one), parsed
 * and kept on the answer; *owned when the caller must free it. NULL:
 * no memory. */
VOUCH_HIDDEN const dkim_keyrec_t *
vouch__dkim_keyrec_get(const vouch_ctx_t *ctx, const vouch_dns_answer_t *a,
                       dkim_keyrec_t **owned);
VOUCH_HIDDEN void vouch__dkim_keyrec_free(const vouch_ctx_t *ctx,
                                          dkim_keyrec_t *owned);

struct vouch_dkim_key {
    const vouch_ctx_t *ctx;
    vouch__privkey_t *key;
};

#endif
