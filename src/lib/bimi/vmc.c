/* SPDX-License-Identifier: MIT */
/*
 * bimi/vmc.c - mark certificate (VMC/CMC) checks with OpenSSL: the PEM
 * chain to a trust store file, validity at the context's clock, the BIMI
 * extended key usage (id-kp-BrandIndicatorforMessageIdentification,
 * 1.3.6.1.5.5.7.3.31), the domain in subjectAltName, and the RFC 3709
 * logotype extension (1.3.6.1.5.5.7.1.12) whose embedded SVG must be the
 * published indicator.
 *
 * The logotype is read with a small DER walker of our own (RFC 3709 §4.1:
 * LogotypeExtn → subjectLogo [2] → direct [0] LogotypeData → image →
 * LogotypeDetails {mediaType, logotypeHash, logotypeURI}); every length is
 * checked against what encloses it. The image is a "data:" URI holding
 * base64 of the SVG, usually gzip'ed (RFC 6170 §5); inflating stops at
 * VOUCH_BIMI_SVG_MAX so a compression bomb cannot grow.
 *
 * Chain verification ignores time (X509_V_FLAG_NO_CHECK_TIME) so that an
 * expired certificate is one finding (validity), not two; validity is then
 * checked for every certificate of the PEM at vouch_ctx_now(). Every
 * certificate in the trust file is an anchor (X509_V_FLAG_PARTIAL_CHAIN),
 * intermediates included. No CRL,
 * OCSP or CT checks (see vouch/bimi.h). OpenSSL allocates with its own
 * allocator; our buffers go through the context's.
 */
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <zlib.h>

#include "../parse/parse.h"
#include "bimi_internal.h"

#define OID_BIMI_EKU "1.3.6.1.5.5.7.3.31"
#define OID_LOGOTYPE "1.3.6.1.5.5.7.1.12"
#define DATA_SVG_B64 "data:image/svg+xml;base64,"

/* ---- DER ------------------------------------------------------------------
 */

/* Read one TLV from *cur into *tag and *val and advance. Only low tag
 * numbers (all RFC 3709 uses) and definite lengths up to 4 bytes. */
static bool
der_next(der_t *cur, unsigned *tag, der_t *val)
{
    size_t i = 2, n;

    if (cur->len < 2 || (cur->p[0] & 0x1f) == 0x1f) {
        return false;
    }
    *tag = cur->p[0];
    n = cur->p[1];
    if (n & 0x80) {
        size_t k = n & 0x7f, j;

        if (k == 0 || k > 4 || cur->len < 2 + k) {
            return false;
        }
        for (n = 0, j = 0; j < k; j++) {
            n = (n << 8) | cur->p[2 + j];
        }
        i += k;
    }
    if (n > cur->len - i) {
        return false;
    }
    val->p = cur->p + i;
    val->len = n;
    cur->p += i + n;
    cur->len -= i + n;
    return true;
}

/* The first TLV of *cur with this tag, skipping others. */
static bool
der_find(der_t cur, unsigned tag, der_t *val)
{
    unsigned t;

    while (der_next(&cur, &t, val)) {
        if (t == tag) {
            return true;
        }
    }
    return false;
}

/* ---- the logotype ---------------------------------------------------------
 */

/* see bimi_internal.h */
bool
vouch__bimi_logo_find(const uint8_t *p, size_t len, vouch__bimi_logo_t *out)
{
    der_t cur = { p, len }, ext, subj, data, images, img;
    unsigned t;

    if (!der_next(&cur, &t, &ext) || t != 0x30 || !der_find(ext, 0xa2, &subj) ||
        !der_find(subj, 0xa0, &data) || !der_find(data, 0x30, &images)) {
        return false;
    }
    while (der_next(&images, &t, &img)) {
        der_t details, f, media;

        if (t != 0x30 || !der_find(img, 0x30, &details)) {
            continue;
        }
        f = details;
        if (!der_next(&f, &t, &media) || t != 0x16 ||
            !vouch__str_ieq((const char *)media.p, media.len, "image/svg+xml",
                            13) ||
            !der_next(&f, &t, &out->hashes) || t != 0x30 ||
            !der_next(&f, &t, &out->uri) || t != 0x30 ||
            !der_find(out->uri, 0x16, &out->uri)) {
            continue;
        }
        return true;
    }
    return false;
}

/* Does one of the listed hashes match data? Returns 1 yes, 0 no match,
 * -1 no hash in an algorithm we know. */
static int
logo_hash_ok(der_t hashes, const uint8_t *data, size_t len)
{
    static const struct {
        const char *oid;
        const char *name;
    } algs[] = {
        { "2.16.840.1.101.3.4.2.1", "SHA256" },
        { "2.16.840.1.101.3.4.2.2", "SHA384" },
        { "2.16.840.1.101.3.4.2.3", "SHA512" },
    };

    der_t hv;
    unsigned t;
    int known = -1;

    while (der_next(&hashes, &t, &hv)) {
        der_t f = hv, alg, oid, value;
        const unsigned char *op;
        ASN1_OBJECT *obj;
        char txt[64];
        size_t i;

        if (t != 0x30 || !der_next(&f, &t, &alg) || t != 0x30 ||
            !der_next(&f, &t, &value) || t != 0x04 ||
            !der_find(alg, 0x06, &oid)) {
            continue;
        }
        /* d2i wants the whole TLV: step back over tag and length */
        op = oid.p - 2;
        if (oid.len > 127 || oid.p - 2 < alg.p) {
            continue;
        }
        obj = d2i_ASN1_OBJECT(NULL, &op, (long)oid.len + 2);
        if (obj == NULL) {
            ERR_clear_error();
            continue;
        }
        i = (size_t)OBJ_obj2txt(txt, sizeof(txt), obj, 1);
        ASN1_OBJECT_free(obj);
        if (i >= sizeof(txt)) {
            continue;
        }
        for (i = 0; i < VOUCH_ARRAY_LEN(algs); i++) {
            uint8_t md[EVP_MAX_MD_SIZE];
            unsigned int n = 0;

            if (strcmp(txt, algs[i].oid) != 0) {
                continue;
            }
            known = 0;
            if (EVP_Digest(data, len, md, &n,
                           EVP_get_digestbyname(algs[i].name), NULL) == 1 &&
                n == value.len && memcmp(md, value.p, n) == 0) {
                return 1;
            }
        }
    }
    return known;
}

/* Inflate gzip data into a new buffer of at most VOUCH_BIMI_SVG_MAX
 * bytes. Returns 0, VOUCH_ESYNTAX (not gzip), VOUCH_ETOOBIG, VOUCH_ENOMEM. */
static int
gunzip(const vouch_ctx_t *ctx, const uint8_t *in, size_t len, uint8_t **out,
       size_t *out_len)
{
    z_stream z;
    uint8_t *buf;
    int zr, rc = 0;

    *out = NULL;
    buf = vouch__malloc(ctx, VOUCH_BIMI_SVG_MAX + 1);
    if (buf == NULL) {
        return VOUCH_ENOMEM;
    }
    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        vouch__free(ctx, buf);
        return VOUCH_ENOMEM;
    }
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = buf;
    z.avail_out = VOUCH_BIMI_SVG_MAX + 1;
    zr = inflate(&z, Z_FINISH);
    if (zr != Z_STREAM_END) {
        rc = z.avail_out == 0 ? VOUCH_ETOOBIG : VOUCH_ESYNTAX;
    }
    *out_len = z.total_out;
    inflateEnd(&z);
    if (rc != 0) {
        vouch__free(ctx, buf);
        return rc;
    }
    *out = buf;
    return 0;
}

/* Decode the logotype's data: URI and check hash and content. */
static int
check_logo(vouch_bimi_vmc_result_t *out, const vouch_ctx_t *ctx, X509 *leaf,
           const vouch_bimi_vmc_input_t *in)
{
    vouch_bimi_findings_t *fs = &out->findings;
    ASN1_OBJECT *oid = OBJ_txt2obj(OID_LOGOTYPE, 1);
    int idx = oid ? X509_get_ext_by_OBJ(leaf, oid, -1) : -1;
    const ASN1_OCTET_STRING *os;
    uint8_t *raw = NULL, *svg = NULL;
    size_t raw_len = 0, svg_len = 0, cap;
    vouch__bimi_logo_t logo;
    int rc = 0, h;

    ASN1_OBJECT_free(oid);
    if (idx < 0) {
        vouch__bimi_add(fs, VOUCH_BIMI_VMC_LOGOTYPE, 0,
                        "no logotype extension (RFC 3709)");
        return 0;
    }
    os = X509_EXTENSION_get_data(X509_get_ext(leaf, idx));
    if (os == NULL ||
        !vouch__bimi_logo_find(ASN1_STRING_get0_data(os),
                               (size_t)ASN1_STRING_length(os), &logo)) {
        vouch__bimi_add(fs, VOUCH_BIMI_VMC_LOGOTYPE, 0,
                        "no image/svg+xml subject logo in the logotype");
        return 0;
    }
    if (!vouch__str_iprefix((const char *)logo.uri.p, logo.uri.len,
                            DATA_SVG_B64)) {
        char u[48];

        vouch__escape_into(u, sizeof(u), (const char *)logo.uri.p,
                           logo.uri.len);
        vouch__bimi_add(fs, VOUCH_BIMI_VMC_LOGOTYPE, 0,
                        "logotype URI is not a data:image/svg+xml;base64 "
                        "URI: %s",
                        u);
        return 0;
    }
    cap = (logo.uri.len / 4 + 1) * 3;
    raw = vouch__malloc(ctx, cap);
    if (raw == NULL) {
        return VOUCH_ENOMEM;
    }
    if (vouch__b64_decode(raw, cap, &raw_len,
                          (const char *)logo.uri.p + strlen(DATA_SVG_B64),
                          logo.uri.len - strlen(DATA_SVG_B64)) != 0) {
        vouch__bimi_add(fs, VOUCH_BIMI_VMC_LOGOTYPE, 0,
                        "logotype data: URI is not valid base64");
        goto out;
    }
    h = logo_hash_ok(logo.hashes, raw, raw_len);
    if (h != 1) {
        vouch__bimi_add(fs, VOUCH_BIMI_VMC_LOGO_HASH, 0, "%s",
                        h == 0 ? "logotype hash does not match its image"
                               : "no SHA-2 logotype hash");
    }
    if (raw_len >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) {
        rc = gunzip(ctx, raw, raw_len, &svg, &svg_len);
        if (rc == VOUCH_ESYNTAX || rc == VOUCH_ETOOBIG) {
            vouch__bimi_add(fs, VOUCH_BIMI_VMC_LOGOTYPE, 0, "%s",
                            rc == VOUCH_ETOOBIG
                                ? "logotype SVG inflates past the size cap"
                                : "logotype gzip data is corrupt");
            rc = 0;
            goto out;
        }
        if (rc != 0) {
            goto out;
        }
    } else {
        svg = raw;
        svg_len = raw_len;
        raw = NULL; /* now owned by svg */
    }
    out->logo_found = true;
    if (!vouch__bimi_sha256(out->logo_sha256, svg, svg_len)) {
        rc = VOUCH_EINTERNAL;
        goto out;
    }
    if (in->svg != NULL) {
        out->svg_match =
            svg_len == in->svg_len && memcmp(svg, in->svg, svg_len) == 0;
        if (!out->svg_match) {
            vouch__bimi_add(fs, VOUCH_BIMI_VMC_SVG_MISMATCH, 0,
                            "the certificate's SVG (%zu bytes) is not the "
                            "published one (%zu bytes)",
                            svg_len, in->svg_len);
        }
    }
out:
    vouch__free(ctx, raw);
    vouch__free(ctx, svg);
    return rc;
}

/* ---- names, usage, time ---------------------------------------------------
 */

static bool
name_eq(const unsigned char *p, size_t len, const char *want)
{
    size_t n;

    if (want == NULL) {
        return false;
    }
    n = strlen(want);
    if (n > 0 && want[n - 1] == '.') {
        n--;
    }
    return n > 0 && vouch__str_ieq((const char *)p, len, want, n);
}

static void
check_domain(vouch_bimi_vmc_result_t *out, X509 *leaf,
             const vouch_bimi_vmc_input_t *in)
{
    GENERAL_NAMES *gens =
        X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
    int i;

    for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        const unsigned char *p;
        size_t len;

        if (g->type != GEN_DNS) {
            continue;
        }
        p = ASN1_STRING_get0_data(g->d.dNSName);
        len = (size_t)ASN1_STRING_length(g->d.dNSName);
        if (name_eq(p, len, in->domain) || name_eq(p, len, in->org_domain)) {
            out->domain_ok = true;
        }
    }
    GENERAL_NAMES_free(gens);
    if (!out->domain_ok) {
        char d[64];

        vouch__escape_into(d, sizeof(d), in->domain, strlen(in->domain));
        vouch__bimi_add(&out->findings, VOUCH_BIMI_VMC_DOMAIN, 0,
                        "no subjectAltName dNSName for %s%s", d,
                        in->org_domain ? " or its organizational domain" : "");
    }
}

static void
check_eku(vouch_bimi_vmc_result_t *out, X509 *leaf)
{
    EXTENDED_KEY_USAGE *eku =
        X509_get_ext_d2i(leaf, NID_ext_key_usage, NULL, NULL);
    ASN1_OBJECT *want = OBJ_txt2obj(OID_BIMI_EKU, 1);
    int i;

    for (i = 0; eku != NULL && want != NULL && i < sk_ASN1_OBJECT_num(eku);
         i++) {
        if (OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), want) == 0) {
            out->eku_ok = true;
        }
    }
    EXTENDED_KEY_USAGE_free(eku);
    ASN1_OBJECT_free(want);
    if (!out->eku_ok) {
        vouch__bimi_add(&out->findings, VOUCH_BIMI_VMC_EKU, 0,
                        "no BIMI extended key usage (" OID_BIMI_EKU ")");
    }
}

static int64_t
asn1_time(const ASN1_TIME *t)
{
    struct tm tm;

    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
        return 0;
    }
    return (int64_t)timegm(&tm);
}

static void
check_time(vouch_bimi_vmc_result_t *out, STACK_OF(X509) * certs, int64_t now)
{
    int i;

    out->time_ok = true;
    for (i = 0; i < sk_X509_num(certs); i++) {
        X509 *c = sk_X509_value(certs, i);
        int64_t nb = asn1_time(X509_get0_notBefore(c));
        int64_t na = asn1_time(X509_get0_notAfter(c));

        if (i == 0) {
            out->not_before = nb;
            out->not_after = na;
        }
        if (now < nb || now > na) {
            out->time_ok = false;
            vouch__bimi_add(&out->findings, VOUCH_BIMI_VMC_VALIDITY,
                            (unsigned)i, "certificate %d %s", i,
                            now < nb ? "is not yet valid" : "has expired");
        }
    }
}

static void
check_chain(vouch_bimi_vmc_result_t *out, X509_STORE *store,
            STACK_OF(X509) * certs)
{
    X509_STORE_CTX *sctx = X509_STORE_CTX_new();
    STACK_OF(X509) *untrusted = sk_X509_dup(certs);
    X509 *leaf = sk_X509_value(certs, 0);

    if (sctx != NULL && untrusted != NULL &&
        X509_STORE_CTX_init(sctx, store, leaf, untrusted) == 1) {
        /* every certificate of the trust file is an anchor, intermediates
         * included (the BIMI Group's mvarcs store lists issuing CAs) */
        X509_STORE_CTX_set_flags(sctx, X509_V_FLAG_NO_CHECK_TIME |
                                           X509_V_FLAG_PARTIAL_CHAIN);
        if (X509_verify_cert(sctx) == 1) {
            out->chain_ok = true;
        } else {
            int e = X509_STORE_CTX_get_error(sctx);

            vouch__bimi_add(&out->findings, VOUCH_BIMI_VMC_CHAIN,
                            (unsigned)X509_STORE_CTX_get_error_depth(sctx),
                            "chain: %s", X509_verify_cert_error_string(e));
        }
    } else {
        vouch__bimi_add(&out->findings, VOUCH_BIMI_VMC_CHAIN, 0,
                        "chain could not be checked");
    }
    ERR_clear_error();
    X509_STORE_CTX_free(sctx);
    sk_X509_free(untrusted);
}

/* Read up to VOUCH_BIMI_CHAIN_MAX certificates; stops at the first
 * non-certificate. */
static STACK_OF(X509) * read_pem(const char *pem, size_t len)
{
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    STACK_OF(X509) *certs = sk_X509_new_null();
    X509 *x;

    while (bio != NULL && certs != NULL &&
           sk_X509_num(certs) < VOUCH_BIMI_CHAIN_MAX &&
           (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (sk_X509_push(certs, x) <= 0) {
            X509_free(x);
            break;
        }
    }
    ERR_clear_error();
    BIO_free(bio);
    return certs;
}

/* see vouch/bimi.h */
int
vouch_bimi_vmc_check(vouch_bimi_vmc_result_t *out, const vouch_ctx_t *ctx,
                     const vouch_bimi_vmc_input_t *in, vouch_error_t *err)
{
    STACK_OF(X509) *certs = NULL;
    X509_STORE *store = NULL;
    X509 *leaf;
    int rc = 0;

    if (out == NULL || ctx == NULL || in == NULL || in->version != 1 ||
        (in->pem == NULL && in->pem_len > 0) || in->domain == NULL ||
        (in->svg == NULL && in->svg_len > 0)) {
        return vouch__error(err, VOUCH_EINVAL, "bimi", 0, "bad vmc arguments");
    }
    memset(out, 0, sizeof(*out));
    if (in->pem_len > VOUCH_BIMI_PEM_MAX) {
        return vouch__error(err, VOUCH_EINVAL, "bimi", 0, "PEM over %u bytes",
                            VOUCH_BIMI_PEM_MAX);
    }
    /* without a trust file the chain is not checked (chain_ok stays
     * false, no finding): the caller says so */
    if (in->trust_file != NULL && (store = X509_STORE_new()) == NULL) {
        rc = vouch__error(err, VOUCH_ENOMEM, "bimi", 0, "X509_STORE");
        goto out;
    }
    if (store != NULL && X509_STORE_load_file(store, in->trust_file) != 1) {
        ERR_clear_error();
        rc = vouch__error(err, VOUCH_EIO, "bimi", 0,
                          "cannot load trust store %s", in->trust_file);
        goto out;
    }
    certs = read_pem(in->pem ? in->pem : "", in->pem_len);
    if (certs == NULL) {
        rc = vouch__error(err, VOUCH_ENOMEM, "bimi", 0, "certificate stack");
        goto out;
    }
    out->ncerts = (unsigned)sk_X509_num(certs);
    if (out->ncerts == 0) {
        vouch__bimi_add(&out->findings, VOUCH_BIMI_VMC_PEM, 0,
                        "no PEM certificate");
        goto out;
    }
    leaf = sk_X509_value(certs, 0);
    {
        char *s = X509_NAME_oneline(X509_get_subject_name(leaf), NULL, 0);

        if (s != NULL) {
            vouch__escape_into(out->subject, sizeof(out->subject), s,
                               strlen(s));
        }
        OPENSSL_free(s);
    }
    if (store != NULL) {
        check_chain(out, store, certs);
    }
    check_time(out, certs, vouch_ctx_now(ctx));
    check_eku(out, leaf);
    check_domain(out, leaf, in);
    rc = check_logo(out, ctx, leaf, in);
    if (rc != 0) {
        rc = vouch__error_code(err, rc, "bimi");
    }
out:
    sk_X509_pop_free(certs, X509_free);
    X509_STORE_free(store);
    out->ok = rc == 0 && out->ncerts > 0 && out->chain_ok &&
              out->findings.n == 0 && out->findings.dropped == 0;
    return rc;
}
