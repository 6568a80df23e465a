/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of ARC (RFC 8617): the parsers of the three ARC fields, and
 * sealing and validating end to end over a zone (keys generated at start):
 * chains of RSA and Ed25519 sets, tampering, structure faults, the
 * 50-set limit, cv=fail seals, chunking and field-by-field independence,
 * misuse and OOM sweeps. The public suites run in tests/conformance.
 */
#include "harness.h"
#include "arc/arc_internal.h"

/* ---- parsers
 * ------------------------------------------------------------------ */

#define AMS_BASE                                                               \
    "i=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=sel; "             \
    "h=from:to; bh=KWSe46TZKCcDbH4klJPo+tjk5LWJnVRlP5pvjXFZYLQ=; b=AAAA"
#define AS_BASE "i=2; a=rsa-sha256; cv=pass; d=example.org; s=sel; b=AAAA"

typedef struct parse_case {
    const char *name;
    int kind; /* 0 AAR, 1 AMS, 2 AS */
    const char *in;
    unsigned instance; /* 0: refused */
    const char *msg;   /* substring of the reason when refused */
} parse_case_t;

static const parse_case_t parse_cases[] = {
    { "aar plain", 0, "i=1; mx.example; spf=pass", 1, NULL },
    { "aar folded", 0, " \r\n\ti = 12 ;mx.example; none", 12, NULL },
    { "aar i=50", 0, "i=50; mx", 50, NULL },
    { "aar i=0", 0, "i=0; mx", 0, "instance number" },
    { "aar i=51", 0, "i=51; mx", 0, "instance number" },
    { "aar i=007", 0, "i=007; mx", 0, "instance number" },
    { "aar no i", 0, "mx.example; i=1", 0, "does not start with i=" },
    { "aar no semicolon", 0, "i=1 mx.example;", 0, "no ';'" },
    { "aar empty", 0, "", 0, "does not start" },
    { "aar upper I", 0, "I=1; mx", 0, "does not start" },
    { "ams ok", 1, AMS_BASE, 1, NULL },
    { "ams no c=", 1,
      "i=3; a=ed25519-sha256; d=example.org; s=sel; h=; "
      "bh=KWSe46TZKCcDbH4klJPo+tjk5LWJnVRlP5pvjXFZYLQ=; b=AAAA; x=y",
      3, NULL },
    { "ams v= ignored", 1, AMS_BASE "; v=1", 1, NULL },
    { "ams no i", 1, "a=rsa-sha256; d=e.org; s=s; h=from; bh=AA==; b=AA==", 0,
      "missing i=" },
    { "ams i=0", 1, "i=0; a=rsa-sha256", 0, "instance number" },
    { "ams i=51", 1, "i=51; a=rsa-sha256", 0, "instance number" },
    { "ams i=x", 1, "i=x; a=rsa-sha256", 0, "instance number" },
    { "ams i= empty", 1, "i=; a=rsa-sha256", 0, "instance number" },
    { "ams no a", 1,
      "i=1; c=relaxed/relaxed; d=example.org; s=sel; h=from; bh=AA==; "
      "b=AAAA",
      1, "missing required tag a=" },
    { "ams a upper", 1,
      "i=1; a=RSA-SHA256; d=example.org; s=sel; h=from; bh=AA==; b=AAAA", 1,
      "unknown algorithm" },
    { "ams c= empty", 1,
      "i=1; a=rsa-sha256; c=; d=e.org; s=s; h=f; bh=AA==; b=AA==", 1,
      "canonicalization" },
    { "ams d bad", 1,
      "i=1; a=rsa-sha256; d=example...; s=sel; h=from; bh=AA==; b=AAAA", 1,
      "d= is not a domain" },
    { "ams h arc-seal", 1,
      "i=1; a=rsa-sha256; d=e.org; s=sel; h=from:ARC-Seal; bh=AA==; b=AAAA", 1,
      "h= names ARC-Seal" },
    { "ams t spaced", 1, AMS_BASE "; t=1 2", 1, "t= is not a number" },
    { "ams bh short", 1,
      "i=1; a=rsa-sha256; d=e.org; s=sel; h=from; bh=AAAA; b=AAAA", 1, "bh=" },
    { "ams b empty", 1,
      "i=1; a=rsa-sha256; d=e.org; s=sel; h=from; "
      "bh=KWSe46TZKCcDbH4klJPo+tjk5LWJnVRlP5pvjXFZYLQ=; b=",
      1, "b= is not a signature" },
    { "ams tag without =", 1, AMS_BASE "; junk", 0, "expected '='" },
    { "ams double ;", 1, "i=1;; a=rsa-sha256", 0, "tag name" },
    { "ams duplicate tag", 1, AMS_BASE "; d=example.org", 0, "" },
    { "as ok", 2, AS_BASE "; t=12345", 2, NULL },
    { "as cv none", 2, "i=1; a=rsa-sha256; cv=none; d=e.org; s=s; b=AAAA", 1,
      NULL },
    { "as cv upper", 2, "i=1; a=rsa-sha256; cv=Pass; d=e.org; s=s; b=AAAA", 1,
      "cv= is not" },
    { "as cv missing", 2, "i=1; a=rsa-sha256; d=e.org; s=s; b=AAAA", 1,
      "missing required tag cv=" },
    { "as h present", 2, AS_BASE "; h=from", 2, "h= is not allowed" },
    { "as sha1", 2, "i=1; a=rsa-sha1; cv=none; d=e.org; s=s; b=AAAA", 1, NULL },
    { "as unknown alg", 2, "i=1; a=rsa-sha512; cv=none; d=e.org; s=s; b=AA==",
      1, "unknown algorithm" },
    { "as i=51", 2, "i=51; a=rsa-sha256; cv=none; d=e.org; s=s; b=AA==", 0,
      "instance number" },
    { "as s empty", 2, "i=1; a=rsa-sha256; cv=none; d=e.org; s=; b=AA==", 1,
      "s= is not" },
};

static void
test_arc__parse_table(void)
{
    size_t i;

    for (i = 0; i < VOUCH_ARRAY_LEN(parse_cases); i++) {
        const parse_case_t *c = &parse_cases[i];
        static dkim_sigfields_t ams;
        static arc_seal_tags_t as;
        vouch_error_t err;
        unsigned inst = 0;
        int rc;

        vouch_error_clear(&err);
        if (c->kind == 0) {
            rc = vouch__arc_aar_instance(&inst, c->in, strlen(c->in), &err);
        } else if (c->kind == 1) {
            rc = vouch__arc_ams_parse(&ams, c->in, strlen(c->in), &err);
            inst = ams.instance;
        } else {
            rc = vouch__arc_seal_parse(&as, c->in, strlen(c->in), &inst, &err);
        }
        CHECKF(inst == c->instance, "%s: instance %u, want %u", c->name, inst,
               c->instance);
        CHECKF((rc == 0) == (c->msg == NULL), "%s: rc %d (%s)", c->name, rc,
               err.msg);
        if (c->msg != NULL) {
            CHECKF(rc == VOUCH_ESYNTAX && strstr(err.msg, c->msg) != NULL,
                   "%s: reason '%s', want '%s'", c->name, err.msg, c->msg);
        }
    }
}

static void
test_arc__parse_fields(void)
{
    static dkim_sigfields_t ams;
    static arc_seal_tags_t as;
    unsigned inst;
    const char *a = "i=3; a=ed25519-sha256; d=example.org; s=sel; h=; "
                    "bh=KWSe46TZKCcDbH4klJPo+tjk5LWJnVRlP5pvjXFZYLQ=; "
                    "b=AAAA; l=10; t=5";

    REQUIRE(vouch__arc_ams_parse(&ams, a, strlen(a), NULL) == 0);
    CHECK(ams.instance == 3 && ams.alg == VOUCH_DKIM_ED25519_SHA256);
    /* RFC 8617 §4.1.2: DKIM semantics, so no c= is simple/simple */
    CHECK(ams.hcanon == VOUCH_DKIM_SIMPLE && ams.bcanon == VOUCH_DKIM_SIMPLE);
    CHECK(ams.length == 10 && ams.timestamp == 5 && ams.headers.len == 0);
    CHECK_STR(ams.identity, "@example.org");
    REQUIRE(vouch__arc_seal_parse(&as, AS_BASE, strlen(AS_BASE), &inst, NULL) ==
            0);
    CHECK(inst == 2 && as.cv == VOUCH_ARC_PASS && as.timestamp == -1 &&
          as.siglen == 3 && as.b.len == 4);
    {
        /* a signature over 8192 bits is refused, not read past its buffer */
        static char big[4096];
        vouch_error_t err;
        int n = snprintf(big, sizeof(big), "%s", AS_BASE);

        memset(big + n, 'A', 2000);
        REQUIRE(vouch__arc_seal_parse(&as, big, (size_t)n + 2000, &inst,
                                      &err) == VOUCH_ESYNTAX);
        CHECK(strstr(err.msg, "b= is not a signature") != NULL);
    }
    CHECK_STR(vouch_arc_cv_name(VOUCH_ARC_NONE), "none");
    CHECK_STR(vouch_arc_cv_name(VOUCH_ARC_FAIL), "fail");
    CHECK_STR(vouch_arc_cv_name((vouch_arc_cv_t)7), "unknown");
}

/* ---- fixture: keys and a zone
 * ------------------------------------------------- */

static struct {
    bool ready, failed;
    vouch_ctx_t *ctx;
    vouch_dkim_key_t *rsa, *ed, *rsa_small;
    char zone[8192];
} fx;

static int64_t
test_clock(void *payload)
{
    (void)payload;
    return 1700000000;
}

/* Generate a key; append "sel TXT record" to the zone. */
static int
gen(vouch_dkim_key_t **key, const char *sel, vouch_dkim_alg_t alg,
    unsigned bits)
{
    vouch_buf_t pem, rec, line;
    int rc;

    vouch_buf_init(&pem, fx.ctx, 65536);
    vouch_buf_init(&rec, fx.ctx, 65536);
    vouch_buf_init(&line, fx.ctx, 65536);
    rc = vouch_dkim_keygen(&pem, &rec, fx.ctx, alg, bits, NULL);
    if (rc == 0) {
        rc = vouch_dkim_key_load(key, fx.ctx, pem.ptr, pem.len, NULL);
    }
    if (rc == 0 && (rc = vouch_buf_printf(&line, "%s TXT ", sel)) == 0 &&
        (rc = vouch_dkim_zone_txt(&line, rec.ptr, rec.len)) == 0) {
        size_t used = strlen(fx.zone);

        rc = used + line.len + 2 < sizeof(fx.zone) ? 0 : VOUCH_ETOOBIG;
        if (rc == 0) {
            memcpy(fx.zone + used, line.ptr, line.len);
            memcpy(fx.zone + used + line.len, "\n", 2);
        }
    }
    vouch_buf_dispose(&pem);
    vouch_buf_dispose(&rec);
    vouch_buf_dispose(&line);
    return rc;
}

static bool
fixture(void)
{
    if (fx.ready || fx.failed) {
        return fx.ready;
    }
    fx.failed = true;
    if (vouch_ctx_new(&fx.ctx, NULL) != 0) {
        return false;
    }
    vouch_ctx_set_clock(fx.ctx, test_clock, NULL);
    (void)snprintf(fx.zone, sizeof(fx.zone),
                   "$ORIGIN _domainkey.example.org.\n$TTL 300\n"
                   "revoked TXT \"v=DKIM1; p=\"\n"
                   "$FAULT servfail TXT SERVFAIL\n");
    if (gen(&fx.rsa, "rsa", VOUCH_DKIM_RSA_SHA256, 1024) != 0 ||
        gen(&fx.ed, "ed", VOUCH_DKIM_ED25519_SHA256, 0) != 0 ||
        gen(&fx.rsa_small, "big", VOUCH_DKIM_RSA_SHA256, 2048) != 0) {
        return false;
    }
    fx.ready = true;
    fx.failed = false;
    return true;
}

static vouch_resolver_t *
make_resolver(const vouch_ctx_t *ctx)
{
    vouch_zone_t *z = NULL;
    vouch_resolver_t *r = NULL;

    if (vouch_zone_new(&z, ctx) != 0) {
        return NULL;
    }
    if (vouch_zone_load_text(z, fx.zone, strlen(fx.zone), "test", NULL) != 0 ||
        vouch_resolver_new_zone(&r, ctx, z) != 0) {
        vouch_zone_free(z);
        return NULL;
    }
    return r;
}

static const char msg1[] = "From: Alice <alice@a.example>\r\n"
                           "To: bob@b.example\r\n"
                           "Subject: hello\r\n"
                           "Date: Thu, 14 Jan 2015 15:00:01 -0800\r\n"
                           "\r\n"
                           "Hello  world\r\n\r\n";

static vouch_arc_seal_options_t
sopts(const vouch_dkim_key_t *key, const char *sel)
{
    vouch_arc_seal_options_t o = VOUCH_ARC_SEAL_OPTIONS_INIT;

    o.domain = "example.org";
    o.selector = sel;
    o.key = key;
    o.authserv_id = "mx.example.org";
    o.authres = "spf=pass smtp.mailfrom=a.example";
    return o;
}

/* Seal in (len bytes) into out: the new fields, then the message.
 * chain (may be NULL) gets the incoming validation. */
static int
seal(vouch_buf_t *out, const vouch_ctx_t *ctx, vouch_resolver_t *r,
     const vouch_arc_seal_options_t *o, const char *in, size_t len,
     vouch_arc_result_t *chain)
{
    vouch_arc_sealer_t *s = NULL;
    vouch_error_t err;
    int rc;

    vouch_error_clear(&err);
    rc = vouch_arc_sealer_new(&s, ctx, r, o, &err);
    if (rc == 0) {
        rc = vouch_arc_sealer_feed(s, in, len, &err);
    }
    if (rc == 0) {
        rc = vouch_arc_sealer_finish(s, out, &err);
    }
    if (rc == 0 && chain != NULL) {
        *chain = *vouch_arc_sealer_chain(s);
    }
    if (rc == 0) {
        rc = vouch_buf_add(out, in, len);
    }
    vouch_arc_sealer_free(s);
    return rc;
}

/* Validate in chunks of chunk bytes (0: whole). */
static int
verify(vouch_arc_result_t *res, const vouch_ctx_t *ctx, vouch_resolver_t *r,
       const vouch_arc_verify_options_t *o, const char *m, size_t len,
       size_t chunk)
{
    vouch_arc_verifier_t *v = NULL;
    size_t i, n;
    int rc;

    memset(res, 0, sizeof(*res));
    rc = vouch_arc_verifier_new(&v, ctx, r, o, NULL);
    for (i = 0; rc == 0 && i < len; i += n) {
        n = chunk == 0 || chunk > len - i ? len - i : chunk;
        rc = vouch_arc_verifier_feed(v, m + i, n, NULL);
    }
    if (rc == 0) {
        rc = vouch_arc_verifier_finish(v, NULL);
    }
    if (rc == 0) {
        *res = *vouch_arc_verifier_result(v);
    }
    vouch_arc_verifier_free(v);
    return rc;
}

/* A chain of n sets over msg1, alternating Ed25519 and RSA keys. */
static int
chain_of(vouch_buf_t *m, vouch_resolver_t *r, unsigned n)
{
    vouch_arc_seal_options_t o;
    vouch_buf_t next;
    unsigned k;
    int rc;

    vouch_buf_clear(m);
    rc = vouch_buf_add(m, msg1, sizeof(msg1) - 1);
    for (k = 1; rc == 0 && k <= n; k++) {
        o = k % 2 == 0 ? sopts(fx.rsa, "rsa") : sopts(fx.ed, "ed");
        vouch_buf_init(&next, fx.ctx, 1 << 20);
        rc = seal(&next, fx.ctx, r, &o, m->ptr, m->len, NULL);
        vouch_buf_clear(m);
        if (rc == 0) {
            rc = vouch_buf_add(m, next.ptr, next.len);
        }
        vouch_buf_dispose(&next);
    }
    return rc;
}

/* ---- end to end
 * --------------------------------------------------------------- */

static void
test_arc__seal_and_verify(void)
{
    vouch_arc_result_t res, chain;
    vouch_arc_seal_options_t o;
    vouch_resolver_t *r;
    vouch_buf_t m1, m2;

    REQUIRE(fixture());
    REQUIRE((r = make_resolver(fx.ctx)) != NULL);
    vouch_buf_init(&m1, fx.ctx, 1 << 20);
    vouch_buf_init(&m2, fx.ctx, 1 << 20);
    o = sopts(fx.rsa, "rsa");
    REQUIRE(seal(&m1, fx.ctx, r, &o, msg1, sizeof(msg1) - 1, &chain) == 0);
    CHECK(chain.cv == VOUCH_ARC_NONE && chain.sets == 0);
    CHECK(strncmp(m1.ptr, "ARC-Seal: a=rsa-sha256;", 23) == 0);
    CHECK(strstr(m1.ptr, "cv=none; d=example.org; i=1; s=rsa; t=1700000000") !=
          NULL);
    CHECK(strstr(m1.ptr,
                 "ARC-Authentication-Results: i=1; mx.example.org; "
                 "spf=pass\r\n\tsmtp.mailfrom=a.example\r\nFrom:") != NULL);
    CHECK(strstr(m1.ptr, "h=from:to:subject:date;") != NULL);
    REQUIRE(verify(&res, fx.ctx, r, NULL, m1.ptr, m1.len, 0) == 0);
    CHECK(res.cv == VOUCH_ARC_PASS && res.sets == 1 && res.oldest_pass == 0);
    CHECK_STR(res.domain, "example.org");
    CHECK_STR(res.selector, "rsa");

    o = sopts(fx.ed, "ed");
    o.authres = NULL;
    o.timestamp = false;
    REQUIRE(seal(&m2, fx.ctx, r, &o, m1.ptr, m1.len, &chain) == 0);
    CHECK(chain.cv == VOUCH_ARC_PASS && chain.sets == 1);
    CHECK(strstr(m2.ptr, "i=2; mx.example.org; none\r\n") != NULL);
    CHECK(strstr(m2.ptr, "cv=pass; d=example.org; i=2; s=ed\r\n") != NULL);
    REQUIRE(verify(&res, fx.ctx, r, NULL, m2.ptr, m2.len, 0) == 0);
    CHECK(res.cv == VOUCH_ARC_PASS && res.sets == 2);
    CHECK_STR(res.selector, "ed");
    /* RFC 8301: the same chain with a 2048-bit minimum fails on the RSA
     * set's seal */
    {
        vouch_arc_verify_options_t vo = VOUCH_ARC_VERIFY_OPTIONS_INIT;

        vo.min_rsa_bits = 2048;
        REQUIRE(verify(&res, fx.ctx, r, &vo, m2.ptr, m2.len, 0) == 0);
        CHECK(res.cv == VOUCH_ARC_FAIL &&
              strstr(res.reason, "AS i=1 RSA key of 1024 bits") != NULL);
    }
    vouch_buf_dispose(&m1);
    vouch_buf_dispose(&m2);
    vouch_resolver_free(r);
}

/* Replace the first "from" in m by "to" (same length). */
static bool
patch(vouch_buf_t *m, const char *from, const char *to)
{
    char *p = strstr(m->ptr, from);

    if (p == NULL || strlen(from) != strlen(to)) {
        return false;
    }
    memcpy(p, to, strlen(to));
    return true;
}

typedef struct tamper_case {
    const char *name;
    const char *from, *to;
    const char *reason; /* prefix */
    unsigned oldest_pass;
} tamper_case_t;

static const tamper_case_t tamper_cases[] = {
    { "body", "Hello  world", "Hallo  world", "AMS i=3 body hash mismatch", 0 },
    { "subject", "Subject: hello", "Subject: jello",
      "AMS i=3 signature did not verify", 0 },
    { "aar 1", "i=1; mx.example.org", "i=1; mx.example.com",
      "AS i=3 signature did not verify", 0 },
    { "missing AMS 2", "ARC-Message-Signature: a=rsa-sha256",
      "ARC-Message-Signaturx: a=rsa-sha256", "missing AMS i=2", 0 },
    { "duplicate instance", "i=1; mx.example.org", "i=3; mx.example.org",
      "more than one AAR with i=3", 0 },
    { "cv of 2", "cv=pass; d=example.org; i=2", "cv=none; d=example.org; i=2",
      "AS i=2 has cv=none, not pass", 0 },
    { "instance 0", "i=1; mx.example.org", "i=0; mx.example.org",
      "AAR without a valid instance", 0 },
    { "gap", "i=1; mx.example.org", "i=4; mx.example.org", "missing AAR i=1",
      0 },
    { "unknown selector", "d=example.org; i=3; s=ed",
      "d=example.org; i=3; s=xx", "AS i=3 no key at xx._domainkey", 0 },
};

static void
test_arc__tampering(void)
{
    vouch_arc_result_t res;
    vouch_resolver_t *r;
    vouch_buf_t m, t;
    size_t i;

    REQUIRE(fixture());
    REQUIRE((r = make_resolver(fx.ctx)) != NULL);
    vouch_buf_init(&m, fx.ctx, 1 << 20);
    vouch_buf_init(&t, fx.ctx, 1 << 20);
    REQUIRE(chain_of(&m, r, 3) == 0);
    REQUIRE(verify(&res, fx.ctx, r, NULL, m.ptr, m.len, 0) == 0);
    CHECK(res.cv == VOUCH_ARC_PASS && res.sets == 3);
    for (i = 0; i < VOUCH_ARRAY_LEN(tamper_cases); i++) {
        const tamper_case_t *c = &tamper_cases[i];

        vouch_buf_clear(&t);
        REQUIRE(vouch_buf_add(&t, m.ptr, m.len) == 0);
        CHECKF(patch(&t, c->from, c->to), "%s: not found", c->name);
        REQUIRE(verify(&res, fx.ctx, r, NULL, t.ptr, t.len, 0) == 0);
        CHECKF(res.cv == VOUCH_ARC_FAIL &&
                   strncmp(res.reason, c->reason, strlen(c->reason)) == 0,
               "%s: %s: %s", c->name, vouch_arc_cv_name(res.cv), res.reason);
    }
    vouch_buf_dispose(&m);
    vouch_buf_dispose(&t);
    vouch_resolver_free(r);
}

/* An older AMS that no longer validates, the newest one does: the chain
 * passes and oldest-pass (§5.2 step 5) says from where the AMS fields
 * hold. Hop 2 signs only From, then Subject changes. */
static void
test_arc__oldest_pass(void)
{
    vouch_arc_seal_options_t o1 = sopts(fx.ed, "ed"), o2 = sopts(fx.rsa, "rsa");
    vouch_arc_result_t res;
    vouch_resolver_t *r;
    vouch_buf_t m1, m2, m3;

    REQUIRE(fixture());
    REQUIRE((r = make_resolver(fx.ctx)) != NULL);
    vouch_buf_init(&m1, fx.ctx, 1 << 20);
    vouch_buf_init(&m2, fx.ctx, 1 << 20);
    vouch_buf_init(&m3, fx.ctx, 1 << 20);
    o2.headers = "from";
    REQUIRE(seal(&m1, fx.ctx, r, &o1, msg1, sizeof(msg1) - 1, NULL) == 0);
    REQUIRE(seal(&m2, fx.ctx, r, &o2, m1.ptr, m1.len, NULL) == 0);
    REQUIRE(patch(&m2, "Subject: hello", "Subject: [list"));
    REQUIRE(verify(&res, fx.ctx, r, NULL, m2.ptr, m2.len, 0) == 0);
    CHECKF(res.cv == VOUCH_ARC_PASS && res.oldest_pass == 2, "%s %u",
           res.reason, res.oldest_pass);
    REQUIRE(seal(&m3, fx.ctx, r, &o1, m2.ptr, m2.len, NULL) == 0);
    REQUIRE(verify(&res, fx.ctx, r, NULL, m3.ptr, m3.len, 0) == 0);
    CHECKF(res.cv == VOUCH_ARC_PASS && res.sets == 3 && res.oldest_pass == 2,
           "%s %u", res.reason, res.oldest_pass);
    vouch_buf_dispose(&m1);
    vouch_buf_dispose(&m2);
    vouch_buf_dispose(&m3);
    vouch_resolver_free(r);
}

/* Sealing a broken chain: cv=fail (what it signs, only its own set, is
 * checked byte for byte by the ValiMail signing suite), the chain reads
 * "fail", and no further set is added. */
static void
test_arc__fail_seal(void)
{
    vouch_arc_seal_options_t o = sopts(fx.rsa, "rsa");
    vouch_arc_result_t res, chain;
    vouch_resolver_t *r;
    vouch_buf_t m, out, again;
    const char *as;

    REQUIRE(fixture());
    REQUIRE((r = make_resolver(fx.ctx)) != NULL);
    vouch_buf_init(&m, fx.ctx, 1 << 20);
    vouch_buf_init(&out, fx.ctx, 1 << 20);
    vouch_buf_init(&again, fx.ctx, 1 << 20);
    REQUIRE(chain_of(&m, r, 2) == 0);
    REQUIRE(patch(&m, "Hello  world", "Howdy  world"));
    REQUIRE(seal(&out, fx.ctx, r, &o, m.ptr, m.len, &chain) == 0);
    CHECK(chain.cv == VOUCH_ARC_FAIL &&
          strcmp(chain.reason, "AMS i=2 body hash mismatch") == 0);
    as = strstr(out.ptr, "cv=fail; d=example.org; i=3; s=rsa");
    CHECK(as != NULL && as < strstr(out.ptr, "ARC-Message-Signature"));
    REQUIRE(verify(&res, fx.ctx, r, NULL, out.ptr, out.len, 0) == 0);
    CHECK(res.cv == VOUCH_ARC_FAIL && res.sets == 3);
    CHECK_STR(res.reason, "AS i=3 says cv=fail");
    REQUIRE(seal(&again, fx.ctx, r, &o, out.ptr, out.len, &chain) == 0);
    CHECK(again.len == out.len && memcmp(again.ptr, out.ptr, out.len) == 0);
    vouch_buf_dispose(&m);
    vouch_buf_dispose(&out);
    vouch_buf_dispose(&again);
    vouch_resolver_free(r);
}

static void
test_arc__limit(void)
{
    vouch_arc_result_t res, chain;
    vouch_arc_seal_options_t o = sopts(fx.ed, "ed");
    vouch_resolver_t *r;
    vouch_buf_t m, out;

    REQUIRE(fixture());
    REQUIRE((r = make_resolver(fx.ctx)) != NULL);
    vouch_buf_init(&m, fx.ctx, 1 << 20);
    vouch_buf_init(&out, fx.ctx, 1 << 20);
    REQUIRE(chain_of(&m, r, VOUCH_ARC_INSTANCE_MAX) == 0);
    REQUIRE(verify(&res, fx.ctx, r, NULL, m.ptr, m.len, 0) == 0);
    CHECKF(res.cv == VOUCH_ARC_PASS && res.sets == 50, "%s", res.reason);
    /* a full chain gets no new set; the message is left as it is */
    REQUIRE(seal(&out, fx.ctx, r, &o, m.ptr, m.len, &chain) == 0);
    CHECK(chain.cv == VOUCH_ARC_PASS && chain.sets == 50);
    CHECK(out.len == m.len && memcmp(out.ptr, m.ptr, m.len) == 0);
    /* instance 51 is refused */
    REQUIRE(patch(&m, "ARC-Authentication-Results: i=50;",
                  "ARC-Authentication-Results: i=51;"));
    REQUIRE(verify(&res, fx.ctx, r, NULL, m.ptr, m.len, 0) == 0);
    CHECK(res.cv == VOUCH_ARC_FAIL &&
          strstr(res.reason, "AAR without a valid instance") != NULL);
    vouch_buf_dispose(&m);
    vouch_buf_dispose(&out);
    vouch_resolver_free(r);
}

static bool
same(const vouch_arc_result_t *a, const vouch_arc_result_t *b)
{
    return a->cv == b->cv && a->sets == b->sets &&
           a->oldest_pass == b->oldest_pass &&
           strcmp(a->reason, b->reason) == 0 &&
           strcmp(a->domain, b->domain) == 0 &&
           strcmp(a->selector, b->selector) == 0;
}

static void
test_arc__chunking(void)
{
    vouch_arc_result_t whole, part;
    vouch_resolver_t *r;
    vouch_buf_t m;
    size_t chunk;

    REQUIRE(fixture());
    REQUIRE((r = make_resolver(fx.ctx)) != NULL);
    vouch_buf_init(&m, fx.ctx, 1 << 20);
    REQUIRE(chain_of(&m, r, 2) == 0);
    REQUIRE(verify(&whole, fx.ctx, r, NULL, m.ptr, m.len, 0) == 0);
    CHECK(whole.cv == VOUCH_ARC_PASS);
    for (chunk = 1; chunk < 80; chunk++) {
        REQUIRE(verify(&part, fx.ctx, r, NULL, m.ptr, m.len, chunk) == 0);
        CHECKF(same(&whole, &part), "chunk %zu: %s", chunk, part.reason);
    }
    vouch_buf_dispose(&m);
    vouch_resolver_free(r);
}

/* The split API (fields, then body chunks) gives the same result, and
 * sealing that way gives the same fields. */
static void
test_arc__header_api(void)
{
    vouch_arc_seal_options_t o = sopts(fx.rsa, "rsa");
    vouch_arc_verifier_t *v = NULL;
    vouch_arc_sealer_t *s = NULL;
    vouch_arc_result_t whole;
    vouch_resolver_t *r;
    vouch_buf_t m, f1, f2;
    const char *p, *end, *body;

    REQUIRE(fixture());
    REQUIRE((r = make_resolver(fx.ctx)) != NULL);
    vouch_buf_init(&m, fx.ctx, 1 << 20);
    vouch_buf_init(&f1, fx.ctx, 1 << 20);
    vouch_buf_init(&f2, fx.ctx, 1 << 20);
    REQUIRE(chain_of(&m, r, 2) == 0);
    REQUIRE(verify(&whole, fx.ctx, r, NULL, m.ptr, m.len, 0) == 0);
    REQUIRE(vouch_arc_verifier_new(&v, fx.ctx, r, NULL, NULL) == 0);
    REQUIRE(vouch_arc_sealer_new(&s, fx.ctx, r, &o, NULL) == 0);
    body = strstr(m.ptr, "\r\n\r\n") + 4;
    for (p = m.ptr; p < body - 2; p = end + 2) {
        end = p;
        while (!(end[0] == '\r' && end[1] == '\n' && end[2] != ' ' &&
                 end[2] != '\t')) {
            end++;
        }
        CHECK(vouch_arc_verifier_header(v, p, (size_t)(end - p), NULL) == 0);
        CHECK(vouch_arc_sealer_header(s, p, (size_t)(end - p), NULL) == 0);
    }
    CHECK(vouch_arc_verifier_end_header(v, NULL) == 0);
    CHECK(vouch_arc_sealer_end_header(s, NULL) == 0);
    CHECK(vouch_arc_verifier_body(v, body, 3, NULL) == 0);
    CHECK(vouch_arc_verifier_body(v, body + 3, strlen(body + 3), NULL) == 0);
    CHECK(vouch_arc_sealer_body(s, body, strlen(body), NULL) == 0);
    CHECK(vouch_arc_verifier_result(v) == NULL);
    REQUIRE(vouch_arc_verifier_finish(v, NULL) == 0);
    CHECK(same(&whole, vouch_arc_verifier_result(v)));
    CHECK(vouch_arc_sealer_chain(s) == NULL);
    REQUIRE(vouch_arc_sealer_finish(s, &f1, NULL) == 0);
    REQUIRE(seal(&f2, fx.ctx, r, &o, m.ptr, m.len, NULL) == 0);
    CHECK(f1.len > 0 && f1.len < f2.len && memcmp(f1.ptr, f2.ptr, f1.len) == 0);
    /* misuse: the raw feed after the split API, a second finish */
    CHECK(vouch_arc_verifier_feed(v, "x", 1, NULL) == VOUCH_EINVAL);
    CHECK(vouch_arc_sealer_finish(s, &f1, NULL) == VOUCH_EINVAL);
    CHECK(vouch_arc_sealer_body(s, "x", 1, NULL) == VOUCH_EINVAL);
    vouch_arc_verifier_free(v);
    vouch_arc_sealer_free(s);
    vouch_buf_dispose(&m);
    vouch_buf_dispose(&f1);
    vouch_buf_dispose(&f2);
    vouch_resolver_free(r);
}

static void
test_arc__options(void)
{
    vouch_arc_verify_options_t vo = VOUCH_ARC_VERIFY_OPTIONS_INIT;
    vouch_arc_seal_options_t o;
    vouch_arc_verifier_t *v = (vouch_arc_verifier_t *)&o;
    vouch_arc_sealer_t *s = (vouch_arc_sealer_t *)&o;
    vouch_resolver_t *r;
    vouch_error_t err;

    REQUIRE(fixture());
    REQUIRE((r = make_resolver(fx.ctx)) != NULL);
    vo.version = 2;
    CHECK(vouch_arc_verifier_new(&v, fx.ctx, r, &vo, &err) == VOUCH_EINVAL &&
          v == NULL);
    CHECK(vouch_arc_verifier_new(&v, fx.ctx, NULL, NULL, &err) == VOUCH_EINVAL);
    o = sopts(fx.rsa, "rsa");
    o.domain = NULL;
    CHECK(vouch_arc_sealer_new(&s, fx.ctx, r, &o, &err) == VOUCH_EINVAL &&
          s == NULL);
    o = sopts(fx.rsa, "rsa");
    o.authserv_id = "two words";
    CHECK(vouch_arc_sealer_new(&s, fx.ctx, r, &o, &err) == VOUCH_EINVAL);
    o = sopts(fx.rsa, "rsa");
    o.authres = "spf=pass\r\nX-Injected: yes";
    CHECK(vouch_arc_sealer_new(&s, fx.ctx, r, &o, &err) == VOUCH_EINVAL);
    o = sopts(fx.rsa, "rsa");
    o.headers = "from:Arc-Seal";
    CHECK(vouch_arc_sealer_new(&s, fx.ctx, r, &o, &err) == VOUCH_EINVAL);
    o = sopts(NULL, "rsa");
    CHECK(vouch_arc_sealer_new(&s, fx.ctx, r, &o, &err) == VOUCH_EINVAL);
    vouch_arc_verifier_free(NULL);
    vouch_arc_sealer_free(NULL);
    vouch_resolver_free(r);
}

/* ---- OOM sweeps
 * ----------------------------------------------------------------- */

static void
test_arc__oom(void)
{
    vouch_ctx_t *ctx = test_oom_ctx();
    vouch_arc_seal_options_t o = sopts(fx.rsa, "rsa");
    vouch_arc_result_t res;
    vouch_resolver_t *r, *r0;
    vouch_buf_t m, out;
    unsigned long n;
    bool vdone = false, sdone = false;
    int rc;

    REQUIRE(fixture());
    REQUIRE((r0 = make_resolver(fx.ctx)) != NULL);
    vouch_buf_init(&m, fx.ctx, 1 << 20);
    REQUIRE(chain_of(&m, r0, 2) == 0);
    vouch_resolver_free(r0);
    for (n = 1; n < 100000 && !(vdone && sdone); n++) {
        long live = test_oom_live;

        test_oom_fail_at = 0;
        REQUIRE((r = make_resolver(ctx)) != NULL);
        vouch_buf_init(&out, ctx, 1 << 20);
        test_oom_count = 0;
        test_oom_fail_at = n;
        if (!vdone) {
            rc = verify(&res, ctx, r, NULL, m.ptr, m.len, 7);
            CHECKF(rc == 0 || rc == VOUCH_ENOMEM, "verify n=%lu: rc %d", n, rc);
            if (rc == 0) {
                CHECKF(res.cv == VOUCH_ARC_PASS, "n=%lu: %s", n, res.reason);
                vdone = test_oom_count < n;
            }
        } else {
            rc = seal(&out, ctx, r, &o, m.ptr, m.len, NULL);
            CHECKF(rc == 0 || rc == VOUCH_ENOMEM, "seal n=%lu: rc %d", n, rc);
            sdone = rc == 0 && test_oom_count < n;
        }
        test_oom_fail_at = 0;
        vouch_buf_dispose(&out);
        vouch_resolver_free(r);
        CHECKF(test_oom_live == live, "n=%lu: %ld blocks leaked", n,
               test_oom_live - live);
    }
    CHECK(vdone && sdone);
    vouch_buf_dispose(&m);
}

static const test_case_t cases[] = {
    TEST(arc__parse_table), TEST(arc__parse_fields), TEST(arc__seal_and_verify),
    TEST(arc__tampering),   TEST(arc__oldest_pass),  TEST(arc__fail_seal),
    TEST(arc__limit),       TEST(arc__chunking),     TEST(arc__header_api),
    TEST(arc__options),     TEST(arc__oom),
};

TEST_MAIN(cases)
