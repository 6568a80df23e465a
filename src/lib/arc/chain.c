/* SPDX-License-Identifier: MIT */
/*
 * arc/chain.c - validating an ARC chain (RFC 8617 §5.2), shared by the
 * verifier and the sealer.
 *
 * At the end of the header the ARC fields are collected by instance and
 * parsed; the structure (one of each field per instance, 1..N without
 * gaps) is decided there, and a body hasher is started for every AMS that
 * parsed (shared per canonicalization, hash and l=). At the end of the
 * message the steps of §5.2 run in order: the newest seal's cv, the cv
 * sequence, the newest AMS, the older AMS fields for oldest-pass, then
 * every seal from the newest down. The first failure gives the reason.
 */
#include <stdio.h>
#include <string.h>

#include "arc_internal.h"

void
vouch__arc_chain_init(arc_chain_t *c, const vouch_ctx_t *ctx,
                      vouch_resolver_t *resolver,
                      const vouch_arc_verify_options_t *opts)
{
    size_t i;

    memset(c, 0, sizeof(*c));
    c->ctx = ctx;
    c->resolver = resolver;
    c->opts = *opts;
    for (i = 0; i < VOUCH_ARRAY_LEN(c->sets); i++) {
        c->sets[i].aar = c->sets[i].ams = c->sets[i].as = SIZE_MAX;
        c->sets[i].body = SIZE_MAX;
    }
    /* two keys per set at most; 20 s for all of them */
    vouch_dns_budget_init(&c->budget, 2 * VOUCH_ARC_INSTANCE_MAX, 20000);
}

static void set_reason(arc_chain_t *c, const char *fmt, ...) VOUCH_PRINTF(2, 3);

static void
set_reason(arc_chain_t *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(c->result.reason, sizeof(c->result.reason), fmt, ap);
    va_end(ap);
}

/* The chain cannot be valid: the first reason found stays. */
static void broken(arc_chain_t *c, const char *fmt, ...) VOUCH_PRINTF(2, 3);

static void
broken(arc_chain_t *c, const char *fmt, ...)
{
    va_list ap;

    if (c->broken) {
        return;
    }
    c->broken = true;
    va_start(ap, fmt);
    (void)vsnprintf(c->result.reason, sizeof(c->result.reason), fmt, ap);
    va_end(ap);
}

int
vouch__arc_chain_body_for(arc_chain_t *c, vouch_dkim_canon_t canon,
                          vouch__hash_alg_t alg, uint64_t limit, size_t *out)
{
    arc_body_t *b;
    size_t i;
    int rc;

    for (i = 0; i < c->nbodies; i++) {
        b = &c->bodies[i];
        if (b->canon == canon && b->alg == alg && b->limit == limit) {
            *out = i;
            return 0;
        }
    }
    if (c->nbodies == VOUCH_ARRAY_LEN(c->bodies)) {
        return VOUCH_ETOOBIG;
    }
    b = &c->bodies[c->nbodies];
    if ((rc = vouch__hash_new(&b->hash, c->ctx, alg)) != 0) {
        return rc;
    }
    b->canon = canon;
    b->alg = alg;
    b->limit = limit;
    vouch__dkim_body_init(&b->body, canon, b->hash, limit);
    *out = c->nbodies++;
    return 0;
}

/* Kind of ARC field: 0 AAR, 1 AMS, 2 AS, -1 none. */
static int
field_kind(const vouch_mail_field_t *f)
{
    if (vouch__str_ieq(f->raw, f->name_len, "ARC-Authentication-Results", 26)) {
        return 0;
    }
    if (vouch__str_ieq(f->raw, f->name_len, "ARC-Message-Signature", 21)) {
        return 1;
    }
    if (vouch__str_ieq(f->raw, f->name_len, "ARC-Seal", 8)) {
        return 2;
    }
    return -1;
}

static const char *const kind_names[] = { "AAR", "AMS", "AS" };

/* Read one ARC field into its set. Returns 0 or VOUCH_ENOMEM. */
static int
collect(arc_chain_t *c, const vouch_mail_field_t *f, size_t idx, int kind)
{
    const char *v = f->raw + f->value_off;
    size_t vlen = f->len - f->value_off;
    dkim_sigfields_t ams;
    arc_seal_tags_t as;
    vouch_error_t err;
    unsigned inst = 0;
    arc_set_t *s;
    size_t *slot;
    int rc;

    vouch_error_clear(&err);
    if (kind == 0) {
        rc = vouch__arc_aar_instance(&inst, v, vlen, &err);
    } else if (kind == 1) {
        rc = vouch__arc_ams_parse(&ams, v, vlen, &err);
        inst = ams.instance;
    } else {
        rc = vouch__arc_seal_parse(&as, v, vlen, &inst, &err);
    }
    if (inst == 0) {
        broken(c, "%s without a valid instance: %s", kind_names[kind], err.msg);
        return 0;
    }
    s = &c->sets[inst];
    slot = kind == 0 ? &s->aar : kind == 1 ? &s->ams : &s->as;
    if (*slot != SIZE_MAX) {
        broken(c, "more than one %s with i=%u", kind_names[kind], inst);
        return 0;
    }
    *slot = idx;
    if (inst > c->n) {
        c->n = inst;
    }
    if (kind == 1) {
        s->ams_rc = rc;
        s->ams_f = ams;
        (void)snprintf(s->ams_why, sizeof(s->ams_why), "%s", err.msg);
    } else if (kind == 2) {
        s->as_rc = rc;
        s->as_f = as;
        (void)snprintf(s->as_why, sizeof(s->as_why), "%s", err.msg);
    } /* an AAR with an instance is well formed: nothing more to read */
    return 0;
}

/* Copy a view into a display array (cut if longer: display only). */
static void
show(char *out, size_t cap, vouch_str_t v)
{
    size_t n = v.len < cap - 1 ? v.len : cap - 1;

    if (n > 0) {
        memcpy(out, v.ptr, n);
    }
    out[n] = '\0';
}

int
vouch__arc_chain_header(arc_chain_t *c, const vouch_mail_header_t *hdr)
{
    size_t i, nfields = 0, count = vouch_mail_header_count(hdr);
    unsigned k;
    int rc;

    c->hdr = hdr;
    for (i = 0; i < count; i++) {
        const vouch_mail_field_t *f = vouch_mail_header_field(hdr, i);
        int kind = field_kind(f);

        if (kind < 0) {
            continue;
        }
        if (++nfields > 3 * VOUCH_ARC_INSTANCE_MAX) {
            broken(c, "more than %u ARC fields", 3 * VOUCH_ARC_INSTANCE_MAX);
            break;
        }
        if ((rc = collect(c, f, i, kind)) != 0) {
            return rc;
        }
    }
    c->result.sets = c->n;
    if (c->n > 0 && c->sets[c->n].as != SIZE_MAX) {
        const arc_seal_tags_t *as = &c->sets[c->n].as_f;

        show(c->result.domain, sizeof(c->result.domain), as->domain);
        show(c->result.selector, sizeof(c->result.selector), as->selector);
        c->newest_cv_fail =
            c->sets[c->n].as_rc == 0 && as->cv == VOUCH_ARC_FAIL;
    }
    for (k = 1; k <= c->n; k++) {
        const arc_set_t *s = &c->sets[k];

        if (s->aar == SIZE_MAX && s->ams == SIZE_MAX && s->as == SIZE_MAX) {
            broken(c, "missing instance %u", k);
        } else if (s->aar == SIZE_MAX || s->ams == SIZE_MAX ||
                   s->as == SIZE_MAX) {
            broken(c, "missing %s i=%u",
                   s->aar == SIZE_MAX   ? "AAR"
                   : s->ams == SIZE_MAX ? "AMS"
                                        : "AS",
                   k);
        }
    }
    if (c->broken) {
        return 0;
    }
    for (k = 1; k <= c->n; k++) {
        arc_set_t *s = &c->sets[k];

        if (s->ams_rc == 0) {
            rc = vouch__arc_chain_body_for(c, s->ams_f.bcanon, s->ams_f.hash,
                                           s->ams_f.length, &s->body);
            if (rc != 0) {
                return rc;
            }
        }
    }
    return 0;
}

void
vouch__arc_chain_body(arc_chain_t *c, const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < c->nbodies; i++) {
        vouch__dkim_body_update(&c->bodies[i].body, p, n);
    }
}

/* Fetch and check the key for (d=, s=), for a signature of kind/hash.
 * *pk is the usable key (valid until *answer is freed); otherwise why
 * says what is wrong. Returns 0 or VOUCH_ENOMEM. */
static int
get_key(arc_chain_t *c, vouch_str_t d, vouch_str_t sel, vouch__key_kind_t kind,
        vouch__hash_alg_t hash, const vouch_dns_answer_t **answer,
        dkim_keyrec_t **owned, const vouch__pubkey_t **pk, char *why,
        size_t cap)
{
    char name[VOUCH_DNS_NAME_MAX + 16];
    const dkim_keyrec_t *k;
    vouch_error_t err;
    int n, rc;

    *pk = NULL;
    *answer = NULL;
    *owned = NULL;
    n = snprintf(name, sizeof(name), "%.*s._domainkey.%.*s", (int)sel.len,
                 sel.ptr, (int)d.len, d.ptr);
    vouch_error_clear(&err);
    rc = n < 0 || (size_t)n >= sizeof(name)
             ? VOUCH_ESYNTAX
             : vouch_dns_query(c->resolver, &c->budget, name, (size_t)n,
                               VOUCH_DNS_TXT, answer, &err);
    if (rc == VOUCH_ENOMEM) {
        return rc;
    }
    if (rc != 0) {
        (void)snprintf(why, cap, "key lookup: %s",
                       err.msg[0] ? err.msg : "name too long");
        return 0;
    }
    if ((*answer)->status == VOUCH_DNS_NXDOMAIN ||
        (*answer)->status == VOUCH_DNS_NODATA) {
        (void)snprintf(why, cap, "no key at %s", name);
        return 0;
    }
    if ((*answer)->status != VOUCH_DNS_NOERROR) {
        (void)snprintf(why, cap, "key lookup: %s",
                       vouch_dns_status_name((*answer)->status));
        return 0;
    }
    if ((k = vouch__dkim_keyrec_get(c->ctx, *answer, owned)) == NULL) {
        return VOUCH_ENOMEM;
    }
    if (k->revoked) {
        (void)snprintf(why, cap, "key revoked");
    } else if (k->status != 0) {
        (void)snprintf(why, cap, "%s", k->error);
    } else if (k->kind != kind) {
        (void)snprintf(why, cap, "key type does not match a=");
    } else if (!(hash == VOUCH__SHA1 ? k->sha1_ok : k->sha256_ok)) {
        (void)snprintf(why, cap, "key h= does not allow the hash");
    } else if (kind == VOUCH__KEY_RSA && k->bits < c->opts.min_rsa_bits) {
        (void)snprintf(why, cap,
                       "RSA key of %u bits is too short (RFC 8301: %u)",
                       k->bits, c->opts.min_rsa_bits);
    } else {
        *pk = k->key;
    }
    return 0;
}

/* Verify sig over digest with the key of (d=, s=). *ok, or why. */
static int
verify_sig(arc_chain_t *c, vouch_str_t d, vouch_str_t sel, vouch_dkim_alg_t alg,
           vouch__key_kind_t kind, vouch__hash_alg_t hash,
           const uint8_t *digest, size_t dlen, const uint8_t *sig,
           size_t siglen, bool *ok, char *why, size_t cap)
{
    const vouch_dns_answer_t *answer;
    const vouch__pubkey_t *pk;
    dkim_keyrec_t *owned;
    int rc;

    *ok = false;
    if (alg == VOUCH_DKIM_RSA_SHA1 && !c->opts.allow_rsa_sha1) {
        (void)snprintf(why, cap, "rsa-sha1 is not accepted (RFC 8301)");
        return 0;
    }
    rc = get_key(c, d, sel, kind, hash, &answer, &owned, &pk, why, cap);
    if (rc == 0 && pk != NULL) {
        rc = vouch__pubkey_verify(pk, hash, digest, dlen, sig, siglen);
        if (rc == 1) {
            *ok = true;
            rc = 0;
        } else if (rc == 0) {
            (void)snprintf(why, cap, "signature did not verify");
        }
    }
    vouch__dkim_keyrec_free(c->ctx, owned);
    vouch_dns_answer_free(answer);
    return rc;
}

/* Validate the AMS of instance k: *ok, or why. */
static int
check_ams(arc_chain_t *c, unsigned k, bool *ok, char *why, size_t cap)
{
    const arc_set_t *s = &c->sets[k];
    const dkim_sigfields_t *f = &s->ams_f;
    const arc_body_t *b;
    uint8_t digest[VOUCH__DIGEST_MAX];
    size_t dlen;
    int rc;

    *ok = false;
    if (s->ams_rc != 0) {
        (void)snprintf(why, cap, "%s", s->ams_why);
        return 0;
    }
    b = &c->bodies[s->body];
    if (f->length != UINT64_MAX && b->body.emitted < f->length) {
        (void)snprintf(why, cap, "l= is longer than the body");
        return 0;
    }
    if (b->dlen != f->bhlen || memcmp(b->digest, f->bh, b->dlen) != 0) {
        (void)snprintf(why, cap, "body hash mismatch");
        return 0;
    }
    rc = vouch__dkim_header_hash(c->ctx, c->hdr, f, s->ams, digest, &dlen);
    if (rc != 0) {
        return rc;
    }
    return verify_sig(c, f->domain, f->selector, f->alg, f->key_kind, f->hash,
                      digest, dlen, f->sig, f->siglen, ok, why, cap);
}

int
vouch__arc_seal_hash(const vouch_ctx_t *ctx, const vouch_mail_header_t *hdr,
                     const size_t (*sets)[3], size_t n, vouch_str_t last_b,
                     vouch__hash_alg_t alg, uint8_t digest[VOUCH__DIGEST_MAX],
                     size_t *dlen)
{
    dkim_sigfields_t last;
    vouch__hash_t *h = NULL;
    vouch_buf_t data;
    size_t i, j;
    int rc = 0;

    if (n == 0) {
        return VOUCH_EINTERNAL;
    }
    vouch_buf_init(&data, ctx, 2 * VOUCH_MAIL_HEADER_MAX);
    for (i = 0; rc == 0 && i < n; i++) {
        for (j = 0; rc == 0 && j < 3; j++) {
            const vouch_mail_field_t *f;

            if (i == n - 1 && j == 2) {
                break; /* the seal being made or checked: below */
            }
            f = vouch_mail_header_field(hdr, sets[i][j]);
            rc = vouch__dkim_canon_header(&data, VOUCH_DKIM_RELAXED, f->raw,
                                          f->len, f->name_len, true);
        }
    }
    /* the last seal: an empty h= signs no other field, only the seal with
     * b= emptied (RFC 6376 §3.7, as §5.1.1 asks) */
    memset(&last, 0, sizeof(last));
    last.hcanon = VOUCH_DKIM_RELAXED;
    last.hash = alg;
    last.b = last_b;
    if (rc == 0) {
        rc = vouch__dkim_header_data(&data, hdr, &last, sets[n - 1][2]);
    }
    if (rc == 0) {
        rc = vouch__hash_new(&h, ctx, alg);
    }
    if (rc == 0) {
        vouch__hash_update(h, data.ptr, data.len);
        rc = vouch__hash_final(h, digest, dlen);
    }
    vouch__hash_free(h);
    vouch_buf_dispose(&data);
    return rc;
}

/* Validate the AS of instance k over the sets 1..k. */
static int
check_as(arc_chain_t *c, unsigned k, bool *ok, char *why, size_t cap)
{
    size_t sets[VOUCH_ARC_INSTANCE_MAX][3];
    const arc_seal_tags_t *f = &c->sets[k].as_f;
    uint8_t digest[VOUCH__DIGEST_MAX];
    size_t dlen;
    unsigned j;
    int rc;

    *ok = false;
    if (c->sets[k].as_rc != 0) {
        (void)snprintf(why, cap, "%s", c->sets[k].as_why);
        return 0;
    }
    for (j = 1; j <= k; j++) {
        sets[j - 1][0] = c->sets[j].aar;
        sets[j - 1][1] = c->sets[j].ams;
        sets[j - 1][2] = c->sets[j].as;
    }
    rc = vouch__arc_seal_hash(c->ctx, c->hdr, (const size_t(*)[3])sets, k, f->b,
                              f->hash, digest, &dlen);
    if (rc != 0) {
        return rc;
    }
    return verify_sig(c, f->domain, f->selector, f->alg, f->key_kind, f->hash,
                      digest, dlen, f->sig, f->siglen, ok, why, cap);
}

/* §5.2 steps 2 to 7, the sets being well formed. */
static int
validate(arc_chain_t *c)
{
    char why[VOUCH_ERROR_MSG_MAX + 32];
    unsigned k;
    bool ok;
    int rc;

    c->result.cv = VOUCH_ARC_FAIL;
    if (c->sets[c->n].as_rc == 0 && c->sets[c->n].as_f.cv == VOUCH_ARC_FAIL) {
        set_reason(c, "AS i=%u says cv=fail", c->n);
        return 0;
    }
    for (k = 1; k <= c->n; k++) {
        const arc_set_t *s = &c->sets[k];
        vouch_arc_cv_t want = k == 1 ? VOUCH_ARC_NONE : VOUCH_ARC_PASS;

        if (s->as_rc != 0) {
            set_reason(c, "AS i=%u %s", k, s->as_why);
            return 0;
        }
        if (s->as_f.cv != want) {
            set_reason(c, "AS i=%u has cv=%s, not %s", k,
                       vouch_arc_cv_name(s->as_f.cv), vouch_arc_cv_name(want));
            return 0;
        }
    }
    if ((rc = check_ams(c, c->n, &ok, why, sizeof(why))) != 0) {
        return rc;
    }
    if (!ok) {
        set_reason(c, "AMS i=%u %s", c->n, why);
        return 0;
    }
    for (k = c->n; k-- > 1;) {
        if ((rc = check_ams(c, k, &ok, why, sizeof(why))) != 0) {
            return rc;
        }
        if (!ok) {
            c->result.oldest_pass = k + 1;
            break;
        }
    }
    for (k = c->n; k >= 1; k--) {
        if ((rc = check_as(c, k, &ok, why, sizeof(why))) != 0) {
            return rc;
        }
        if (!ok) {
            c->result.oldest_pass = 0;
            set_reason(c, "AS i=%u %s", k, why);
            return 0;
        }
    }
    c->result.cv = VOUCH_ARC_PASS;
    set_reason(c, "chain of %u set%s validated", c->n, c->n == 1 ? "" : "s");
    return 0;
}

int
vouch__arc_chain_finish(arc_chain_t *c)
{
    size_t i;
    int rc;

    for (i = 0; i < c->nbodies; i++) {
        arc_body_t *b = &c->bodies[i];

        vouch__dkim_body_final(&b->body);
        if ((rc = vouch__hash_final(b->hash, b->digest, &b->dlen)) != 0) {
            return rc;
        }
    }
    if (c->broken) {
        c->result.cv = VOUCH_ARC_FAIL;
        return 0;
    }
    if (c->n == 0) {
        c->result.cv = VOUCH_ARC_NONE;
        set_reason(c, "no ARC sets");
        return 0;
    }
    return validate(c);
}

void
vouch__arc_chain_dispose(arc_chain_t *c)
{
    size_t i;

    for (i = 0; i < c->nbodies; i++) {
        vouch__hash_free(c->bodies[i].hash);
    }
    c->nbodies = 0;
}
