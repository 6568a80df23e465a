/* SPDX-License-Identifier: MIT */
/*
 * spf/spf_internal.h - what the SPF files share: macro-string syntax and
 * expansion (macro.c), used by the record parser (record.c) and the
 * evaluator (eval.c).
 */
#ifndef VOUCH_SPF_INTERNAL_H
#define VOUCH_SPF_INTERNAL_H

#include "vouch/spf.h"
#include "../core/internal.h"
#include "../dns/dns_internal.h"

/* Where a macro-string appears decides what it may hold (§7.1). */
typedef enum spf_macro_where {
    SPF_MACRO_DOMAIN = 0, /* domain-spec: no %{c} %{r} %{t}, no spaces */
    SPF_MACRO_MODIFIER,   /* unknown-modifier value: as domain-spec, any
                             letter is only syntax-checked */
    SPF_MACRO_EXPLAIN     /* explain-string: all letters, spaces allowed */
} spf_macro_where_t;

/*
 * Check the syntax of a macro-string (§7.1). Returns 0 or VOUCH_ESYNTAX
 * with *bad_off set to the offset of the first bad byte.
 */
VOUCH_HIDDEN int vouch__spf_macro_check(const char *s, size_t len,
                                        spf_macro_where_t where,
                                        size_t *bad_off);

/* Does a domain-spec end as §7.1 wants (domain-end: "." toplabel ["."] or a
 * macro-expand)? s must already pass vouch__spf_macro_check. */
VOUCH_HIDDEN bool vouch__spf_domain_end_ok(const char *s, size_t len);

/* Values the macro letters expand to; filled by the evaluator. */
typedef struct spf_macro_env {
    vouch_str_t sender;        /* s */
    vouch_str_t local;         /* l */
    vouch_str_t sender_domain; /* o */
    vouch_str_t domain;        /* d: the current domain */
    const vouch_ip_t *ip;      /* i, c, v */
    vouch_str_t helo;          /* h */
    vouch_str_t receiver;      /* r */
    int64_t now;               /* t */
    /* p: computed on first use (DNS); NULL means "not available" */
    int (*ptr_fn)(void *payload, vouch_str_t *out);
    void *ptr_payload;
} spf_macro_env_t;

/*
 * Expand a macro-string (already syntax-checked) into out (appended).
 * Returns 0; VOUCH_ETOOBIG (out's max); VOUCH_ENOMEM; VOUCH_ESYNTAX (a
 * letter not allowed where it appears); or what ptr_fn returned.
 */
VOUCH_HIDDEN int vouch__spf_macro_expand(vouch_buf_t *out, const char *s,
                                         size_t len, spf_macro_where_t where,
                                         const spf_macro_env_t *env);

/* ---- compiled records (compile.c)
 * ----------------------------------------------- */

/* Mechanisms kept in a compiled record; a longer record is read again with
 * a cursor at each evaluation instead (bounded memory per cached answer). */
#define VOUCH_SPF_COMPILED_MAX 128

/* The SPF record of a TXT answer (§4.5), parsed. Views point into the
 * answer, which owns this as its memo. */
typedef struct spf_record {
    vouch__dns_memo_t memo;
    size_t nfound;    /* TXT records starting with v=spf1 */
    const char *text; /* the record when nfound == 1 */
    size_t len;
    int syntax; /* 0, or VOUCH_ESYNTAX with syntax_msg */
    char syntax_msg[VOUCH_ERROR_MSG_MAX];
    bool has_redirect, has_exp;
    vouch_spf_term_t redirect, exp;
    size_t nterms; /* mechanisms in terms[], or SIZE_MAX: use a cursor */
    vouch_spf_term_t terms[];
} spf_record_t;

/*
 * The record of a (a TXT answer), built on first use and kept on the
 * answer. Valid while the caller holds a. When the answer cannot keep it,
 * *owned is set and must go to vouch__spf_record_free. NULL: no memory.
 */
VOUCH_HIDDEN const spf_record_t *
vouch__spf_record_get(const vouch_ctx_t *ctx, const vouch_dns_answer_t *a,
                      spf_record_t **owned);

VOUCH_HIDDEN void vouch__spf_record_free(const vouch_ctx_t *ctx,
                                         spf_record_t *owned);

/* Walks the mechanisms of a valid record (modifiers skipped). */
typedef struct spf_iter {
    const spf_record_t *rec;
    size_t i;
    vouch_spf_cursor_t cur;
    vouch_spf_term_t tmp;
} spf_iter_t;

VOUCH_HIDDEN void vouch__spf_iter_init(spf_iter_t *it, const spf_record_t *rec);

/* The next mechanism, or NULL at the end. */
VOUCH_HIDDEN const vouch_spf_term_t *vouch__spf_iter_next(spf_iter_t *it);

#endif
