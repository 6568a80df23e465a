/* SPDX-License-Identifier: MIT */
/*
 * DKIM known-answer tests from dkimpy's data (../shared/testdata/dkim/
 * dkimpy, see its SOURCES.md):
 *   - the RFC 6376 example message signed per RFC 8463 (ed25519-sha256 with
 *     the RFC 8032 §7.1 test key, and rsa-sha256): for each signature, our
 *     body hash equals bh= and signing our canonical header data with the
 *     same key gives b= byte for byte (both schemes are deterministic);
 *   - signing test.message (RSA) and ed25519test.msg (Ed25519) and
 *     verifying against the published keys;
 *   - badk.txt and badversion.txt: key records nothing may verify with.
 */
#include "harness.h"
#include "dkim/dkim_internal.h"

static char dir[4096];

static char *
data_file(const char *name, size_t *len)
{
    char path[4200];

    (void)snprintf(path, sizeof(path), "%s/%s", dir, name);
    return test_read_file(path, len);
}

/* The signature at header field i, re-made with our code. */
static void
check_signature(const vouch_mail_header_t *hdr, size_t i, const char *body,
                size_t blen)
{
    const vouch_mail_field_t *f = vouch_mail_header_field(hdr, i);
    dkim_sigfields_t sf;
    vouch_error_t err;
    uint8_t digest[VOUCH__DIGEST_MAX], sig[VOUCH__SIG_MAX], bh[32];
    char sig64[VOUCH_B64_LEN(VOUCH__SIG_MAX) + 1], want[2048];
    size_t dlen, slen, klen, wlen = 0, k, bhlen;
    vouch__privkey_t *key = NULL;
    vouch__hash_t *h;
    dkim_body_t b;
    char *keytext;

    REQUIRE(vouch__dkim_sig_parse(&sf, f->raw + f->value_off,
                                  f->len - f->value_off, false, &err) == 0);
    /* the body hash */
    REQUIRE(vouch__hash_new(&h, test_ctx(), sf.hash) == 0);
    vouch__dkim_body_init(&b, sf.bcanon, h, sf.length);
    vouch__dkim_body_update(&b, body, blen);
    vouch__dkim_body_final(&b);
    REQUIRE(vouch__hash_final(h, bh, &bhlen) == 0);
    vouch__hash_free(h);
    CHECKF(bhlen == sf.bhlen && memcmp(bh, sf.bh, bhlen) == 0,
           "s=%.*s: body hash differs", (int)sf.selector.len, sf.selector.ptr);
    /* the signature, re-made with the same key */
    keytext = data_file(
        vouch__str_ieq(sf.selector.ptr, sf.selector.len, "brisbane", 8)
            ? "rfc8032_7_1.key"
            : "test.private",
        &klen);
    REQUIRE(keytext != NULL);
    REQUIRE(vouch__privkey_load(&key, test_ctx(), keytext, klen, &err) == 0);
    REQUIRE(vouch__dkim_header_hash(test_ctx(), hdr, &sf, i, digest, &dlen) ==
            0);
    REQUIRE(vouch__privkey_sign(key, sf.hash, digest, dlen, sig, &slen, &err) ==
            0);
    vouch__b64_encode(sig64, sig, slen);
    for (k = 0; k < sf.b.len && wlen + 1 < sizeof(want); k++) {
        if (vouch__is_vchar(sf.b.ptr[k])) {
            want[wlen++] = sf.b.ptr[k];
        }
    }
    want[wlen] = '\0';
    CHECKF(strcmp(sig64, want) == 0, "s=%.*s: b= differs:\n got %s\nwant %s",
           (int)sf.selector.len, sf.selector.ptr, sig64, want);
    vouch__privkey_free(key);
    free(keytext);
}

static void
test_dkim_vectors__rfc8463_signatures_byte_exact(void)
{
    size_t len, i, n = 0;
    char *msg = data_file("rfc6376.signed.msg", &len);
    vouch_mail_reader_t *r = NULL;
    vouch_mail_handler_t hnd = { NULL, NULL, NULL };
    vouch_buf_t body;
    vouch_error_t err;
    const char *sep;

    REQUIRE(msg != NULL);
    REQUIRE(vouch_mail_reader_new(&r, test_ctx(), &hnd) == 0);
    REQUIRE(vouch_mail_reader_feed(r, msg, len, &err) == 0);
    REQUIRE(vouch_mail_reader_finish(r, &err) == 0);
    /* the body as the reader normalises it (the file has LF ends) */
    vouch_buf_init(&body, test_ctx(), 1 << 20);
    sep = strstr(msg, "\n\n");
    REQUIRE(sep != NULL);
    for (i = (size_t)(sep + 2 - msg); i < len; i++) {
        if (msg[i] == '\n') {
            REQUIRE(vouch_buf_addc(&body, '\r') == 0);
        }
        REQUIRE(vouch_buf_addc(&body, msg[i]) == 0);
    }
    for (i = 0; i < vouch_mail_header_count(vouch_mail_reader_header(r)); i++) {
        const vouch_mail_field_t *f =
            vouch_mail_header_field(vouch_mail_reader_header(r), i);

        if (vouch__str_ieq(f->raw, f->name_len, "DKIM-Signature", 14)) {
            check_signature(vouch_mail_reader_header(r), i,
                            body.ptr != NULL ? body.ptr : "", body.len);
            n++;
        }
    }
    CHECK(n == 2);
    vouch_buf_dispose(&body);
    vouch_mail_reader_free(r);
    free(msg);
}

/* A zone of dns.tsv (owner TAB value) plus an optional override. */
static vouch_resolver_t *
dns_tsv_resolver(const char *override_owner, const char *override_value)
{
    size_t len;
    char *tsv = data_file("dns.tsv", &len), *line, *save = NULL;
    vouch_buf_t zone;
    vouch_zone_t *z = NULL;
    vouch_resolver_t *r = NULL;
    vouch_error_t err;

    if (tsv == NULL) {
        return NULL;
    }
    vouch_buf_init(&zone, test_ctx(), 1 << 20);
    for (line = strtok_r(tsv, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char *tab = strchr(line, '\t');

        if (line[0] == '#' || tab == NULL) {
            continue;
        }
        *tab = '\0';
        if (override_owner != NULL && strcmp(line, override_owner) == 0) {
            continue;
        }
        if (vouch_buf_printf(&zone, "%s. 300 IN TXT ", line) != 0 ||
            vouch_dkim_zone_txt(&zone, tab + 1, strlen(tab + 1)) != 0 ||
            vouch_buf_addc(&zone, '\n') != 0) {
            abort();
        }
    }
    if (override_owner != NULL &&
        (vouch_buf_printf(&zone, "%s. 300 IN TXT ", override_owner) != 0 ||
         vouch_dkim_zone_txt(&zone, override_value, strlen(override_value)) !=
             0)) {
        abort();
    }
    if (vouch_zone_new(&z, test_ctx()) == 0 &&
        vouch_zone_load_text(z, zone.ptr, zone.len, "dns.tsv", &err) == 0) {
        if (vouch_resolver_new_zone(&r, test_ctx(), z) != 0) {
            r = NULL;
        }
    } else {
        fprintf(stderr, "zone: %s\n", err.msg);
        vouch_zone_free(z);
    }
    vouch_buf_dispose(&zone);
    free(tsv);
    return r;
}

/* Sign file with key as (domain, selector), verify against r: the result
 * of the one signature. */
static vouch_dkim_code_t
sign_and_verify(vouch_resolver_t *r, const char *file, const char *keyfile,
                const char *domain, const char *selector)
{
    vouch_dkim_sign_options_t o = VOUCH_DKIM_SIGN_OPTIONS_INIT;
    vouch_dkim_verifier_t *v = NULL;
    vouch_dkim_signer_t *s = NULL;
    vouch_dkim_key_t *key = NULL;
    vouch_buf_t fields;
    vouch_error_t err;
    size_t len, klen;
    char *msg = data_file(file, &len), *kt = data_file(keyfile, &klen);
    vouch_dkim_code_t code = VOUCH_DKIM_PERMERROR;

    vouch_buf_init(&fields, test_ctx(), 1 << 16);
    if (msg == NULL || kt == NULL ||
        vouch_dkim_key_load(&key, test_ctx(), kt, klen, &err) != 0) {
        goto out;
    }
    o.domain = domain;
    o.selector = selector;
    o.key = key;
    if (vouch_dkim_signer_new(&s, test_ctx(), &o, 1, &err) != 0 ||
        vouch_dkim_signer_feed(s, msg, len, &err) != 0 ||
        vouch_dkim_signer_finish(s, &fields, &err) != 0 ||
        vouch_dkim_verifier_new(&v, test_ctx(), r, NULL, &err) != 0 ||
        vouch_dkim_verifier_feed(v, fields.ptr, fields.len, &err) != 0 ||
        vouch_dkim_verifier_feed(v, msg, len, &err) != 0 ||
        vouch_dkim_verifier_finish(v, &err) != 0 ||
        vouch_dkim_verifier_count(v) != 1) {
        fprintf(stderr, "  %s: %s\n", file, err.msg);
        goto out;
    }
    code = vouch_dkim_verifier_result(v, 0)->result;
out:
    vouch_dkim_verifier_free(v);
    vouch_dkim_signer_free(s);
    vouch_dkim_key_free(key);
    vouch_buf_dispose(&fields);
    free(msg);
    free(kt);
    return code;
}

static void
test_dkim_vectors__sign_and_verify(void)
{
    vouch_resolver_t *r = dns_tsv_resolver(NULL, NULL);

    REQUIRE(r != NULL);
    CHECK(sign_and_verify(r, "test.message", "test.private", "example.com",
                          "test") == VOUCH_DKIM_PASS);
    CHECK(sign_and_verify(r, "ed25519test.msg", "ed25519test.key",
                          "example.net", "test") == VOUCH_DKIM_PASS);
    vouch_resolver_free(r);
}

static void
test_dkim_vectors__bad_key_records(void)
{
    static const char *const bad[] = { "badk.txt", "badversion.txt" };
    size_t i, len;

    for (i = 0; i < 2; i++) {
        char *rec = data_file(bad[i], &len);
        vouch_resolver_t *r;
        vouch_dkim_code_t code;

        REQUIRE(rec != NULL);
        while (len > 0 && (rec[len - 1] == '\n' || rec[len - 1] == '\r')) {
            rec[--len] = '\0';
        }
        r = dns_tsv_resolver("test._domainkey.example.com", rec);
        REQUIRE(r != NULL);
        code = sign_and_verify(r, "test.message", "test.private", "example.com",
                               "test");
        CHECKF(code == VOUCH_DKIM_PERMERROR, "%s: %s", bad[i],
               vouch_dkim_code_name(code));
        vouch_resolver_free(r);
        free(rec);
    }
}

static const test_case_t cases[] = {
    TEST(dkim_vectors__rfc8463_signatures_byte_exact),
    TEST(dkim_vectors__sign_and_verify),
    TEST(dkim_vectors__bad_key_records),
};

int
main(int argc, char **argv)
{
    (void)snprintf(dir, sizeof(dir), "%s/dkim/dkimpy", test_testdata_or_skip());
    return test_run(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
}
