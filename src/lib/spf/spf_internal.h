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
    vouch_str_t sender;  /* s */
    vouch_str_t local;   /* l */
    vouch_str_t sender_domain; /* o */
    vouch_str_t domain;  /* d: the current domain */
    const vouch_ip_t *ip; /* i, c, v */
    vouch_str_t helo;    /* h */
    vouch_str_t receiver; /* r */
    int64_t now;         /* t */
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

#endif
