/* SPDX-License-Identifier: MIT */
/*
 * spf/compile.c - the SPF record of a TXT answer, selected (RFC 7208 §4.5)
 * and parsed (§4.6.1, §12) once.
 *
 * The result is attached to the DNS answer as a memo, so a record that
 * comes from the cache is never parsed again: evaluation walks an array of
 * ready terms. The terms are views into the answer's bytes and live as
 * long as it does. A record with more terms than VOUCH_SPF_COMPILED_MAX is
 * only checked here and read again with a cursor at each evaluation, so a
 * hostile 64 KiB record costs no more memory than its answer.
 */
#include <string.h>

#include "spf_internal.h"

static void
record_free(void *memo, const vouch_ctx_t *ctx)
{
    vouch__free(ctx, memo);
}

static const vouch__dns_memo_ops_t record_memo = { "spf-record", record_free };

/* Space-separated tokens after the version: an upper bound of terms. */
static size_t
count_terms(const char *p, size_t len)
{
    size_t i, n = 0;

    for (i = 6; i < len; i++) {
        if (p[i] != ' ' && p[i - 1] == ' ') {
            n++;
        }
    }
    return n;
}

/* Parse rec->text: syntax, modifiers, and the mechanisms when they fit. */
static void
parse(spf_record_t *rec, size_t cap)
{
    vouch_spf_cursor_t cur;
    vouch_spf_term_t t;
    vouch_error_t err;
    int rc;

    vouch_error_clear(&err);
    rec->nterms = cap == 0 ? SIZE_MAX : 0;
    vouch_spf_cursor_init(&cur, rec->text, rec->len);
    while ((rc = vouch_spf_cursor_next(&cur, &t, &err)) == 1) {
        vouch_spf_term_t *slot = NULL;

        if (t.kind == VOUCH_SPF_TERM_REDIRECT) {
            slot = rec->has_redirect ? NULL : &rec->redirect;
            rec->has_redirect = true;
        } else if (t.kind == VOUCH_SPF_TERM_EXP) {
            slot = rec->has_exp ? NULL : &rec->exp;
            rec->has_exp = true;
        } else if (t.kind != VOUCH_SPF_TERM_UNKNOWN_MODIFIER) {
            if (rec->nterms < cap) {
                rec->terms[rec->nterms++] = t;
            }
            continue;
        } else {
            continue;
        }
        if (slot == NULL) {
            /* §6: redirect and exp at most once each; the whole-record
             * checker words the message */
            rc = vouch_spf_check_record(rec->text, rec->len, &err);
            break;
        }
        *slot = t;
    }
    if (rc != 0) {
        rec->syntax = VOUCH_ESYNTAX;
        memcpy(rec->syntax_msg, err.msg, sizeof(rec->syntax_msg));
    }
}

/* Select among the TXT records of a (§4.5) and build the record. */
static spf_record_t *
compile(const vouch_ctx_t *ctx, const vouch_dns_answer_t *a)
{
    const vouch_dns_rr_t *found = NULL;
    size_t i, nfound = 0, cap = 0, size;
    spf_record_t *rec;

    for (i = 0; i < a->n; i++) {
        if (a->rr[i].type == VOUCH_DNS_TXT &&
            vouch_spf_is_record(a->rr[i].data, a->rr[i].len)) {
            nfound++;
            found = &a->rr[i];
        }
    }
    if (nfound == 1) {
        cap = count_terms(found->data, found->len);
        cap = cap > VOUCH_SPF_COMPILED_MAX ? 0 : cap;
    }
    size = sizeof(*rec) + cap * sizeof(vouch_spf_term_t);
    rec = vouch__malloc(ctx, size);
    if (rec == NULL) {
        return NULL;
    }
    memset(rec, 0, sizeof(*rec));
    rec->memo.ops = &record_memo;
    rec->nfound = nfound;
    if (nfound == 1) {
        rec->text = found->data;
        rec->len = found->len;
        parse(rec, cap);
    }
    return rec;
}

const spf_record_t *
vouch__spf_record_get(const vouch_ctx_t *ctx, const vouch_dns_answer_t *a,
                      spf_record_t **owned)
{
    spf_record_t *rec = vouch__dns_answer_memo(a, &record_memo);

    *owned = NULL;
    if (rec != NULL) {
        return rec;
    }
    rec = compile(ctx, a);
    if (rec == NULL) {
        return NULL;
    }
    /* the answer takes it (or frees it and hands back the one another
     * thread attached first) */
    rec = vouch__dns_answer_memo_set(a, rec);
    if (rec != NULL) {
        return rec;
    }
    /* the slot holds another kind of memo: a private copy */
    *owned = compile(ctx, a);
    return *owned;
}

void
vouch__spf_record_free(const vouch_ctx_t *ctx, spf_record_t *owned)
{
    vouch__free(ctx, owned);
}

void
vouch__spf_iter_init(spf_iter_t *it, const spf_record_t *rec)
{
    it->rec = rec;
    it->i = 0;
    vouch_spf_cursor_init(&it->cur, rec->text, rec->len);
}

const vouch_spf_term_t *
vouch__spf_iter_next(spf_iter_t *it)
{
    if (it->rec->nterms != SIZE_MAX) {
        return it->i < it->rec->nterms ? &it->rec->terms[it->i++] : NULL;
    }
    /* too many terms to keep: read again (the record is known valid) */
    while (vouch_spf_cursor_next(&it->cur, &it->tmp, NULL) == 1) {
        if (it->tmp.kind < VOUCH_SPF_TERM_REDIRECT) {
            return &it->tmp;
        }
    }
    return NULL;
}
