/* SPDX-License-Identifier: MIT */
/*
 * dkim/sig.c - DKIM-Signature fields (RFC 6376 §3.5) and the header data
 * a signature covers (§3.7).
 *
 * Parsing checks everything a verifier must refuse before it fetches a
 * key (§6.1.1): the required tags, the version, known algorithm and
 * canonicalization, h= holding From, i= inside d=, the query method, x=
 * after t=, and base64 that decodes. Each refusal has its own reason.
 */
#include <string.h>

#include "dkim_internal.h"

static int
refuse(vouch_error_t *err, const char *fmt, const char *detail)
{
    return vouch__error(err, VOUCH_ESYNTAX, "dkim", 0, fmt, detail);
}

/* Refuse naming the value found (escaped, shortened). */
static int
refuse_value(vouch_error_t *err, const char *what, vouch_str_t v)
{
    char shown[48];

    vouch__escape_into(shown, sizeof(shown), v.ptr, v.len);
    return vouch__error(err, VOUCH_ESYNTAX, "dkim", 0, "%s '%s'", what, shown);
}

static bool
is(vouch_str_t v, const char *s)
{
    return vouch__str_ieq(v.ptr, v.len, s, strlen(s));
}

/* a= (§3.5): rsa-sha1, rsa-sha256, ed25519-sha256 (RFC 8463). */
static int
parse_alg(dkim_sigfields_t *s, vouch_str_t v, vouch_error_t *err)
{
    if (is(v, "rsa-sha256")) {
        s->alg = VOUCH_DKIM_RSA_SHA256;
        s->hash = VOUCH__SHA256;
        s->key_kind = VOUCH__KEY_RSA;
    } else if (is(v, "ed25519-sha256")) {
        s->alg = VOUCH_DKIM_ED25519_SHA256;
        s->hash = VOUCH__SHA256;
        s->key_kind = VOUCH__KEY_ED25519;
    } else if (is(v, "rsa-sha1")) {
        s->alg = VOUCH_DKIM_RSA_SHA1;
        s->hash = VOUCH__SHA1;
        s->key_kind = VOUCH__KEY_RSA;
    } else {
        s->alg = VOUCH_DKIM_ALG_UNKNOWN;
        return refuse_value(err, "unknown algorithm a=", v);
    }
    return 0;
}

static int
canon_word(vouch_str_t w, vouch_dkim_canon_t *out)
{
    if (is(w, "simple")) {
        *out = VOUCH_DKIM_SIMPLE;
        return 0;
    }
    if (is(w, "relaxed")) {
        *out = VOUCH_DKIM_RELAXED;
        return 0;
    }
    return VOUCH_ESYNTAX;
}

/* c= (§3.5): header[/body], each simple or relaxed; the default of both
 * is simple, and a missing body part is simple. */
static int
parse_canon(dkim_sigfields_t *s, vouch_str_t v, vouch_error_t *err)
{
    const char *slash = memchr(v.ptr, '/', v.len);
    vouch_str_t h = v, b = { "simple", 6 };

    if (slash != NULL) {
        h.len = (size_t)(slash - v.ptr);
        b.ptr = slash + 1;
        b.len = v.len - h.len - 1;
    }
    if (canon_word(h, &s->hcanon) != 0 || canon_word(b, &s->bcanon) != 0) {
        return refuse_value(err, "unknown canonicalization c=", v);
    }
    return 0;
}

static int
parse_number(vouch_str_t v, uint64_t max, uint64_t *out)
{
    const char *p = v.ptr;

    if (v.len == 0 || vouch__parse_uint(&p, v.ptr + v.len, max, out) != 0 ||
        p != v.ptr + v.len) {
        return VOUCH_ESYNTAX;
    }
    return 0;
}

bool
vouch__dkim_domain_ok(vouch_str_t d)
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

/* i= (§3.5): "[local-part] @ domain", the domain d= or a subdomain of it. */
static int
parse_identity(dkim_sigfields_t *s, const vouch__tag_t *t, vouch_error_t *err)
{
    size_t n, dlen;
    const char *at;

    if (t == NULL) {
        s->identity[0] = '@';
        memcpy(s->identity + 1, s->domain.ptr, s->domain.len);
        s->identity_len = s->domain.len + 1;
        s->identity[s->identity_len] = '\0';
        return 0;
    }
    if (vouch__dkim_qp_decode(s->identity, sizeof(s->identity) - 1, &n,
                              t->value.ptr, t->value.len) != 0) {
        return refuse(err, "i= is not valid dkim-quoted-printable%s", "");
    }
    s->identity[n] = '\0';
    s->identity_len = n;
    /* the last '@': a quoted local-part may hold one (RFC 5321 §4.1.2) */
    for (at = NULL; n > 0; n--) {
        if (s->identity[n - 1] == '@') {
            at = &s->identity[n - 1];
            break;
        }
    }
    n = s->identity_len;
    if (at == NULL) {
        return refuse(err, "i= has no '@'%s", "");
    }
    dlen = n - (size_t)(at + 1 - s->identity);
    /* the domain of i= is d= or ends in "." d= (§3.5) */
    if (!(vouch__str_ieq(at + 1, dlen, s->domain.ptr, s->domain.len) ||
          (dlen > s->domain.len && at[1 + dlen - s->domain.len - 1] == '.' &&
           vouch__str_ieq(at + 1 + dlen - s->domain.len, s->domain.len,
                          s->domain.ptr, s->domain.len)))) {
        return refuse(err, "i= domain is not d= or a subdomain of it%s", "");
    }
    return 0;
}

/* h= must name From (§5.4); the list is capped so the signed data is
 * bounded and every name can be tracked. */
static int
check_h(vouch_str_t h, vouch_error_t *err)
{
    dkim_hlist_t it;
    vouch_str_t name;
    size_t n = 0;
    bool from = false;

    vouch__dkim_hlist_init(&it, h);
    while (vouch__dkim_hlist_next(&it, &name)) {
        from |= is(name, "from");
        if (++n > VOUCH_DKIM_H_MAX) {
            return refuse(err, "h= names more than %s fields", "256");
        }
    }
    return from ? 0 : refuse(err, "h= does not include From%s", "");
}

/* q= (§3.5): a colon-separated list of methods; dns/txt must be there
 * (the drafts wrote "dns"). */
static bool
q_ok(vouch_str_t q, bool drafts)
{
    dkim_hlist_t it;
    vouch_str_t m;

    vouch__dkim_hlist_init(&it, q);
    while (vouch__dkim_hlist_next(&it, &m)) {
        if (is(m, "dns/txt") || (drafts && is(m, "dns"))) {
            return true;
        }
    }
    return false;
}

/* The tags that must be there; check the value-free ones first. */
static int
required(const vouch__tag_t *tags, size_t n, bool drafts, vouch_error_t *err)
{
    static const char *const need[] = { "v", "a", "b", "bh", "d", "h", "s" };
    size_t i;

    /* §6.1.1: a missing required tag is a permerror; the drafts had no v= */
    for (i = drafts ? 1 : 0; i < VOUCH_ARRAY_LEN(need); i++) {
        if (vouch__tags_find(tags, n, need[i]) == NULL) {
            return refuse(err, "missing required tag %s=", need[i]);
        }
    }
    return 0;
}

static int
parse_times(dkim_sigfields_t *s, const vouch__tag_t *tags, size_t n,
            vouch_error_t *err)
{
    const vouch__tag_t *t = vouch__tags_find(tags, n, "t"),
                       *x = vouch__tags_find(tags, n, "x"),
                       *l = vouch__tags_find(tags, n, "l");
    uint64_t v;

    s->timestamp = s->expiration = -1;
    s->length = UINT64_MAX;
    if (t != NULL) {
        if (parse_number(t->value, (uint64_t)INT64_MAX, &v) != 0) {
            return refuse(err, "t= is not a number%s", "");
        }
        s->timestamp = (int64_t)v;
    }
    if (x != NULL) {
        if (parse_number(x->value, (uint64_t)INT64_MAX, &v) != 0) {
            return refuse(err, "x= is not a number%s", "");
        }
        s->expiration = (int64_t)v;
    }
    if (t != NULL && x != NULL && s->expiration <= s->timestamp) {
        return refuse(err, "x= is not after t=%s", "");
    }
    if (l != NULL && parse_number(l->value, UINT64_MAX - 1, &s->length) != 0) {
        return refuse(err, "l= is not a number%s", "");
    }
    return 0;
}

int
vouch__dkim_sig_parse(dkim_sigfields_t *s, const char *value, size_t len,
                      bool drafts, vouch_error_t *err)
{
    vouch__tag_t tags[VOUCH_TAGS_MAX];
    const vouch__tag_t *t;
    size_t n;
    int rc;

    memset(s, 0, sizeof(*s));
    /* absent until parsed: a field refused early must not read as t=0, l=0 */
    s->timestamp = s->expiration = -1;
    s->length = UINT64_MAX;
    if ((rc = vouch__tags_parse(tags, VOUCH_ARRAY_LEN(tags), &n, value, len,
                                err)) != 0) {
        return VOUCH_ESYNTAX;
    }
    /* what names the signature first, so even a refused one can be shown */
    if ((t = vouch__tags_find(tags, n, "d")) != NULL) {
        s->domain = t->value;
    }
    if ((t = vouch__tags_find(tags, n, "s")) != NULL) {
        s->selector = t->value;
    }
    if ((t = vouch__tags_find(tags, n, "a")) != NULL) {
        (void)parse_alg(s, t->value, NULL);
    }
    if ((rc = required(tags, n, drafts, err)) != 0) {
        return rc;
    }
    t = vouch__tags_find(tags, n, "v");
    if (t != NULL && !is(t->value, "1") && !(drafts && is(t->value, "0.5"))) {
        return refuse_value(err, "incompatible version v=", t->value);
    }
    if ((rc = parse_alg(s, vouch__tags_find(tags, n, "a")->value, err)) != 0) {
        return rc;
    }
    s->hcanon = s->bcanon = VOUCH_DKIM_SIMPLE;
    if ((t = vouch__tags_find(tags, n, "c")) != NULL &&
        (rc = parse_canon(s, t->value, err)) != 0) {
        return rc;
    }
    s->domain = vouch__tags_find(tags, n, "d")->value;
    s->selector = vouch__tags_find(tags, n, "s")->value;
    s->headers = vouch__tags_find(tags, n, "h")->value;
    s->b = vouch__tags_find(tags, n, "b")->value;
    if (!vouch__dkim_domain_ok(s->domain)) {
        return refuse(err, "d= is not a domain name%s", "");
    }
    if (!vouch__dkim_domain_ok(s->selector)) {
        return refuse(err, "s= is not a valid selector%s", "");
    }
    if ((rc = check_h(s->headers, err)) != 0) {
        return rc;
    }
    if ((t = vouch__tags_find(tags, n, "q")) != NULL &&
        !q_ok(t->value, drafts)) {
        return refuse(err, "q= does not offer dns/txt%s", "");
    }
    if ((rc = parse_identity(s, vouch__tags_find(tags, n, "i"), err)) != 0 ||
        (rc = parse_times(s, tags, n, err)) != 0) {
        return rc;
    }
    t = vouch__tags_find(tags, n, "bh");
    if (vouch__b64_decode(s->bh, sizeof(s->bh), &s->bhlen, t->value.ptr,
                          t->value.len) != 0 ||
        s->bhlen != (s->hash == VOUCH__SHA1 ? 20u : 32u)) {
        return refuse(err, "bh= is not a %s body hash in base64",
                      s->hash == VOUCH__SHA1 ? "SHA-1" : "SHA-256");
    }
    if (vouch__b64_decode(s->sig, sizeof(s->sig), &s->siglen, s->b.ptr,
                          s->b.len) != 0 ||
        s->siglen == 0) {
        return refuse(err, "b= is not a signature in base64%s", "");
    }
    return 0;
}

/* ---- h= lists
 * ----------------------------------------------------------------------- */

void
vouch__dkim_hlist_init(dkim_hlist_t *it, vouch_str_t h)
{
    it->p = h.ptr;
    it->end = h.ptr != NULL ? h.ptr + h.len : h.ptr; /* no offset on NULL */
}

bool
vouch__dkim_hlist_next(dkim_hlist_t *it, vouch_str_t *name)
{
    const char *s, *e;

    while (it->p < it->end) {
        s = it->p;
        e = memchr(s, ':', (size_t)(it->end - s));
        if (e == NULL) {
            e = it->end;
        }
        it->p = e < it->end ? e + 1 : e;
        /* strip folding whitespace around the name */
        while (s < e && (vouch__is_space(*s) || *s == '\r' || *s == '\n')) {
            s++;
        }
        while (e > s &&
               (vouch__is_space(e[-1]) || e[-1] == '\r' || e[-1] == '\n')) {
            e--;
        }
        if (e > s) {
            name->ptr = s;
            name->len = (size_t)(e - s);
            return true;
        }
    }
    return false;
}

/* ---- the signed header data (§3.7)
 * ---------------------------------------------------- */

/* The signature field with the value of b= (and the whitespace around it)
 * removed, canonicalized without its final CRLF. */
static int
add_sig_field(dkim_sink_t *k, const vouch_mail_field_t *f,
              const dkim_sigfields_t *s)
{
    const char *bstart = s->b.ptr, *bend = s->b.ptr + s->b.len;
    const char *raw = f->raw, *end = f->raw + f->len;

    /* s->b points into this field's value; take out everything from just
     * after "b=" to the next ';' or the end */
    while (bstart > raw && bstart[-1] != '=') {
        bstart--;
    }
    while (bend < end && *bend != ';') {
        bend++;
    }
    return vouch__dkim_canon_header_cut(k, s->hcanon, raw, f->len, f->name_len,
                                        (size_t)(bstart - raw),
                                        (size_t)(bend - raw), false);
}

/* The signed header data of s into k (§3.7), the signature field last. */
static int
header_walk(dkim_sink_t *k, const vouch_mail_header_t *hdr,
            const dkim_sigfields_t *s, const vouch_mail_field_t *sig)
{
    /* per name, how many instances were used already, from the bottom */
    struct {
        vouch_str_t name;
        size_t used;
    } seen[VOUCH_DKIM_H_MAX];

    size_t nseen = 0, count = vouch_mail_header_count(hdr), k_, i;
    dkim_hlist_t it;
    vouch_str_t name;
    int rc;

    vouch__dkim_hlist_init(&it, s->headers);
    while (vouch__dkim_hlist_next(&it, &name)) {
        size_t skip = 0, idx = SIZE_MAX;

        for (k_ = 0; k_ < nseen; k_++) {
            if (vouch__str_ieq(seen[k_].name.ptr, seen[k_].name.len, name.ptr,
                               name.len)) {
                skip = seen[k_].used++;
                break;
            }
        }
        if (k_ == nseen && nseen < VOUCH_ARRAY_LEN(seen)) {
            seen[nseen].name = name;
            seen[nseen++].used = 1;
        }
        /* the (skip+1)-th instance from the bottom; none: the name signs
         * an absent field (contributes nothing, §5.4) */
        for (i = count; i-- > 0;) {
            const vouch_mail_field_t *f = vouch_mail_header_field(hdr, i);

            if (f->name_len == name.len &&
                vouch__str_ieq(f->raw, f->name_len, name.ptr, name.len)) {
                if (skip == 0) {
                    idx = i;
                    break;
                }
                skip--;
            }
        }
        if (idx != SIZE_MAX) {
            const vouch_mail_field_t *f = vouch_mail_header_field(hdr, idx);

            rc = vouch__dkim_canon_header_sink(k, s->hcanon, f->raw, f->len,
                                               f->name_len, true);
            if (rc != 0) {
                return rc;
            }
        }
    }
    if ((rc = add_sig_field(k, sig, s)) != 0) {
        return rc;
    }
    return vouch__dkim_sink_flush(k);
}

int
vouch__dkim_header_data(vouch_buf_t *out, const vouch_mail_header_t *hdr,
                        const dkim_sigfields_t *s, size_t sig_field)
{
    dkim_sink_t k;

    vouch__dkim_sink_init(&k, out, NULL);
    return header_walk(&k, hdr, s, vouch_mail_header_field(hdr, sig_field));
}

int
vouch__dkim_header_feed(vouch__hash_t *h, const vouch_mail_header_t *hdr,
                        const dkim_sigfields_t *s,
                        const vouch_mail_field_t *sig)
{
    dkim_sink_t k;

    vouch__dkim_sink_init(&k, NULL, h);
    return header_walk(&k, hdr, s, sig);
}

int
vouch__dkim_header_hash(const vouch_ctx_t *ctx, const vouch_mail_header_t *hdr,
                        const dkim_sigfields_t *s, size_t sig_field,
                        uint8_t digest[VOUCH__DIGEST_MAX], size_t *dlen)
{
    vouch__hash_t *h = NULL;
    int rc;

    rc = vouch__hash_new(&h, ctx, s->hash);
    if (rc == 0) {
        rc = vouch__dkim_header_feed(h, hdr, s,
                                     vouch_mail_header_field(hdr, sig_field));
    }
    if (rc == 0) {
        rc = vouch__hash_final(h, digest, dlen);
    }
    vouch__hash_free(h);
    return rc;
}
