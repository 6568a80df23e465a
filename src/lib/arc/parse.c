/* SPDX-License-Identifier: MIT */
/*
 * arc/parse.c - the three ARC header fields (RFC 8617 §4.1): the instance
 * prefix of ARC-Authentication-Results, ARC-Message-Signature (a
 * DKIM-Signature without v= whose i= is the instance) and ARC-Seal.
 *
 * Tag lists are read as RFC 6376 §3.2 says: names and values are
 * case-sensitive, a name given twice or a token without '=' makes the list
 * invalid, unknown tags are ignored. The checks are the ones a verifier
 * must make before it fetches a key; each refusal has its own reason.
 */
#include <string.h>

#include "arc_internal.h"
#include "../parse/parse.h"

static int
refuse(vouch_error_t *err, const char *what)
{
    return vouch__error(err, VOUCH_ESYNTAX, "arc", 0, "%s", what);
}

static bool
is(vouch_str_t v, const char *s)
{
    size_t n = strlen(s);

    return v.len == n && memcmp(v.ptr, s, n) == 0;
}

static int
parse_number(vouch_str_t v, uint64_t max, uint64_t *out)
{
    const char *p = v.ptr;

    if (v.len == 0 || !vouch__is_digit(v.ptr[0]) ||
        vouch__parse_uint(&p, v.ptr + v.len, max, out) != 0 ||
        p != v.ptr + v.len) {
        return VOUCH_ESYNTAX;
    }
    return 0;
}

/* i= (§4.2.1): 1 to VOUCH_ARC_INSTANCE_MAX. */
static int
parse_instance(const vouch__tag_t *t, unsigned *out, vouch_error_t *err)
{
    uint64_t v;

    if (t == NULL) {
        return refuse(err, "missing i=");
    }
    if (parse_number(t->value, 1000, &v) != 0 || v < 1 ||
        v > VOUCH_ARC_INSTANCE_MAX) {
        return refuse(err, "i= is not an instance number 1-50");
    }
    *out = (unsigned)v;
    return 0;
}

/* a= : the algorithms of RFC 8617 §4.1.3 / RFC 6376 with RFC 8463. */
static int
parse_alg(vouch_str_t v, vouch_dkim_alg_t *alg, vouch__hash_alg_t *hash,
          vouch__key_kind_t *kind, vouch_error_t *err)
{
    if (is(v, "rsa-sha256")) {
        *alg = VOUCH_DKIM_RSA_SHA256;
        *hash = VOUCH__SHA256;
        *kind = VOUCH__KEY_RSA;
    } else if (is(v, "ed25519-sha256")) {
        *alg = VOUCH_DKIM_ED25519_SHA256;
        *hash = VOUCH__SHA256;
        *kind = VOUCH__KEY_ED25519;
    } else if (is(v, "rsa-sha1")) {
        *alg = VOUCH_DKIM_RSA_SHA1;
        *hash = VOUCH__SHA1;
        *kind = VOUCH__KEY_RSA;
    } else {
        *alg = VOUCH_DKIM_ALG_UNKNOWN;
        return refuse(err, "unknown algorithm a=");
    }
    return 0;
}

/* d= and s=: labels of letters, digits, '-' and '_'. */
static bool
domain_ok(vouch_str_t d)
{
    size_t i, label = 0;

    if (d.len == 0 || d.len > VOUCH_DNS_NAME_MAX) {
        return false;
    }
    for (i = 0; i < d.len; i++) {
        char c = d.ptr[i];

        if (c == '.') {
            if (label == 0) {
                return false;
            }
            label = 0;
        } else if (vouch__is_alnum(c) || c == '-' || c == '_') {
            if (++label > VOUCH_DNS_LABEL_MAX) {
                return false;
            }
        } else {
            return false;
        }
    }
    return label > 0;
}

static int
required(const vouch__tag_t *tags, size_t n, const char *const *need,
         size_t nneed, vouch_error_t *err)
{
    size_t i;

    for (i = 0; i < nneed; i++) {
        if (vouch__tags_find(tags, n, need[i]) == NULL) {
            return vouch__error(err, VOUCH_ESYNTAX, "arc", 0,
                                "missing required tag %s=", need[i]);
        }
    }
    return 0;
}

static int
parse_time(const vouch__tag_t *t, int64_t *out, vouch_error_t *err)
{
    uint64_t v;

    *out = -1;
    if (t == NULL) {
        return 0;
    }
    if (parse_number(t->value, (uint64_t)INT64_MAX, &v) != 0) {
        return refuse(err, "t= is not a number");
    }
    *out = (int64_t)v;
    return 0;
}

static int
parse_sig(uint8_t *sig, size_t *siglen, vouch_str_t b, vouch_error_t *err)
{
    if (vouch__b64_decode(sig, VOUCH__SIG_MAX, siglen, b.ptr, b.len) != 0 ||
        *siglen == 0) {
        return refuse(err, "b= is not a signature in base64");
    }
    return 0;
}

/* c= : header[/body], simple or relaxed each, simple by default. */
static int
parse_canon(dkim_sigfields_t *s, const vouch__tag_t *t, vouch_error_t *err)
{
    const char *slash;
    vouch_str_t h, b = { "simple", 6 };

    /* §4.1.2: the AMS has the semantics of a DKIM-Signature, so no c=
     * means simple/simple (the ValiMail suite expects relaxed here:
     * tests/conformance/arc-differences.txt) */
    s->hcanon = s->bcanon = VOUCH_DKIM_SIMPLE;
    if (t == NULL) {
        return 0;
    }
    h = t->value;
    slash = memchr(h.ptr, '/', h.len);
    if (slash != NULL) {
        b.ptr = slash + 1;
        b.len = h.len - (size_t)(slash - h.ptr) - 1;
        h.len = (size_t)(slash - h.ptr);
    }
    if (is(h, "relaxed")) {
        s->hcanon = VOUCH_DKIM_RELAXED;
    } else if (!is(h, "simple")) {
        return refuse(err, "unknown canonicalization c=");
    }
    if (is(b, "relaxed")) {
        s->bcanon = VOUCH_DKIM_RELAXED;
    } else if (!is(b, "simple")) {
        return refuse(err, "unknown canonicalization c=");
    }
    return 0;
}

/* h= : a colon list, capped; ARC-Seal must not be signed (§4.1.2). */
static int
check_h(vouch_str_t h, vouch_error_t *err)
{
    dkim_hlist_t it;
    vouch_str_t name;
    size_t n = 0;

    vouch__dkim_hlist_init(&it, h);
    while (vouch__dkim_hlist_next(&it, &name)) {
        if (vouch__str_ieq(name.ptr, name.len, "arc-seal", 8)) {
            return refuse(err, "h= names ARC-Seal");
        }
        if (++n > VOUCH_DKIM_H_MAX) {
            return refuse(err, "h= names more than 256 fields");
        }
    }
    return 0;
}

int
vouch__arc_ams_parse(dkim_sigfields_t *s, const char *value, size_t len,
                     vouch_error_t *err)
{
    static const char *const need[] = { "i", "a", "b", "bh", "d", "h", "s" };
    vouch__tag_t tags[VOUCH_TAGS_MAX];
    const vouch__tag_t *t;
    uint64_t l;
    size_t n;
    int rc;

    memset(s, 0, sizeof(*s));
    s->timestamp = s->expiration = -1;
    s->length = UINT64_MAX;
    if (vouch__tags_parse(tags, VOUCH_ARRAY_LEN(tags), &n, value, len, err) !=
        0) {
        return VOUCH_ESYNTAX;
    }
    if ((t = vouch__tags_find(tags, n, "d")) != NULL) {
        s->domain = t->value;
    }
    if ((t = vouch__tags_find(tags, n, "s")) != NULL) {
        s->selector = t->value;
    }
    if ((rc = parse_instance(vouch__tags_find(tags, n, "i"), &s->instance,
                             err)) != 0 ||
        (rc = required(tags, n, need, VOUCH_ARRAY_LEN(need), err)) != 0 ||
        (rc = parse_alg(vouch__tags_find(tags, n, "a")->value, &s->alg,
                        &s->hash, &s->key_kind, err)) != 0 ||
        (rc = parse_canon(s, vouch__tags_find(tags, n, "c"), err)) != 0) {
        return rc;
    }
    s->headers = vouch__tags_find(tags, n, "h")->value;
    s->b = vouch__tags_find(tags, n, "b")->value;
    if (!domain_ok(s->domain)) {
        return refuse(err, "d= is not a domain name");
    }
    if (!domain_ok(s->selector)) {
        return refuse(err, "s= is not a valid selector");
    }
    if ((rc = check_h(s->headers, err)) != 0 ||
        (rc = parse_time(vouch__tags_find(tags, n, "t"), &s->timestamp, err)) !=
            0) {
        return rc;
    }
    if ((t = vouch__tags_find(tags, n, "l")) != NULL) {
        if (parse_number(t->value, UINT64_MAX - 1, &l) != 0) {
            return refuse(err, "l= is not a number");
        }
        s->length = l;
    }
    t = vouch__tags_find(tags, n, "bh");
    if (vouch__b64_decode(s->bh, sizeof(s->bh), &s->bhlen, t->value.ptr,
                          t->value.len) != 0 ||
        s->bhlen != (s->hash == VOUCH__SHA1 ? 20u : 32u)) {
        return refuse(err, "bh= is not a body hash in base64");
    }
    /* the AMS identifies its signer by d= alone (§4.1.2) */
    s->identity[0] = '@';
    memcpy(s->identity + 1, s->domain.ptr, s->domain.len);
    s->identity_len = s->domain.len + 1;
    s->identity[s->identity_len] = '\0';
    return parse_sig(s->sig, &s->siglen, s->b, err);
}

int
vouch__arc_seal_parse(arc_seal_tags_t *s, const char *value, size_t len,
                      unsigned *instance, vouch_error_t *err)
{
    static const char *const need[] = { "a", "b", "cv", "d", "s" };
    vouch__tag_t tags[VOUCH_TAGS_MAX];
    const vouch__tag_t *t;
    size_t n;
    int rc;

    memset(s, 0, sizeof(*s));
    s->timestamp = -1;
    s->cv = VOUCH_ARC_FAIL;
    *instance = 0;
    if (vouch__tags_parse(tags, VOUCH_ARRAY_LEN(tags), &n, value, len, err) !=
        0) {
        return VOUCH_ESYNTAX;
    }
    if ((t = vouch__tags_find(tags, n, "d")) != NULL) {
        s->domain = t->value;
    }
    if ((t = vouch__tags_find(tags, n, "s")) != NULL) {
        s->selector = t->value;
    }
    if ((t = vouch__tags_find(tags, n, "cv")) != NULL) {
        s->cv = is(t->value, "none")   ? VOUCH_ARC_NONE
                : is(t->value, "pass") ? VOUCH_ARC_PASS
                                       : VOUCH_ARC_FAIL;
    }
    if ((rc = parse_instance(vouch__tags_find(tags, n, "i"), instance, err)) !=
            0 ||
        (rc = required(tags, n, need, VOUCH_ARRAY_LEN(need), err)) != 0) {
        return rc;
    }
    t = vouch__tags_find(tags, n, "cv");
    if (!is(t->value, "none") && !is(t->value, "pass") &&
        !is(t->value, "fail")) {
        return refuse(err, "cv= is not none, pass or fail");
    }
    if (vouch__tags_find(tags, n, "h") != NULL) {
        return refuse(err, "h= is not allowed in an ARC-Seal");
    }
    if ((rc = parse_alg(vouch__tags_find(tags, n, "a")->value, &s->alg,
                        &s->hash, &s->key_kind, err)) != 0) {
        return rc;
    }
    if (!domain_ok(s->domain)) {
        return refuse(err, "d= is not a domain name");
    }
    if (!domain_ok(s->selector)) {
        return refuse(err, "s= is not a valid selector");
    }
    if ((rc = parse_time(vouch__tags_find(tags, n, "t"), &s->timestamp, err)) !=
        0) {
        return rc;
    }
    s->b = vouch__tags_find(tags, n, "b")->value;
    return parse_sig(s->sig, &s->siglen, s->b, err);
}

/* Skip folding whitespace (SP, HTAB, CR, LF: the field is well formed). */
static size_t
skip_ws(const char *p, size_t len, size_t i)
{
    while (i < len && (vouch__is_space(p[i]) || p[i] == '\r' || p[i] == '\n')) {
        i++;
    }
    return i;
}

int
vouch__arc_aar_instance(unsigned *out, const char *p, size_t len,
                        vouch_error_t *err)
{
    /* arc-info = instance [CFWS] ";" authres-payload (§4.1.1), instance =
     * [FWS] "i" [FWS] "=" [FWS] 1*2DIGIT */
    size_t i = skip_ws(p, len, 0), start;
    uint64_t v = 0;

    *out = 0;
    if (i >= len || p[i] != 'i') {
        return refuse(err, "does not start with i=");
    }
    i = skip_ws(p, len, i + 1);
    if (i >= len || p[i] != '=') {
        return refuse(err, "does not start with i=");
    }
    i = skip_ws(p, len, i + 1);
    for (start = i; i < len && vouch__is_digit(p[i]) && i - start < 3; i++) {
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    if (i == start || i - start > 2 || v < 1 || v > VOUCH_ARC_INSTANCE_MAX) {
        return refuse(err, "i= is not an instance number 1-50");
    }
    i = skip_ws(p, len, i);
    if (i >= len || p[i] != ';') {
        return refuse(err, "no ';' after i=");
    }
    *out = (unsigned)v;
    return 0;
}
