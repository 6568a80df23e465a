/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/bimi_certs.h - mark certificates made on the spot with
 * OpenSSL for test_bimi.c: a P-256 test CA, and leaves with or without the
 * BIMI EKU, a subjectAltName and an RFC 3709 logotype extension holding
 * (gzip'ed) SVG. Nothing here is secret: the keys live only in memory for
 * one test run.
 */
#ifndef VOUCH_TEST_BIMI_CERTS_H
#define VOUCH_TEST_BIMI_CERTS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <zlib.h>

/* 2026-01-01T00:00:00Z: certificate times are relative to it */
#define CERT_T0 1767225600

typedef struct der_buf {
    uint8_t b[65536];
    size_t n;
} der_buf_t;

/* Wrap in[0..n) in a TLV at the end of out. */
static void
der_wrap(der_buf_t *out, unsigned tag, const uint8_t *in, size_t n)
{
    uint8_t hdr[6];
    size_t h = 0;

    hdr[h++] = (uint8_t)tag;
    if (n < 128) {
        hdr[h++] = (uint8_t)n;
    } else if (n < 256) {
        hdr[h++] = 0x81;
        hdr[h++] = (uint8_t)n;
    } else {
        hdr[h++] = 0x82;
        hdr[h++] = (uint8_t)(n >> 8);
        hdr[h++] = (uint8_t)n;
    }
    memmove(out->b + out->n, hdr, h);
    memmove(out->b + out->n + h, in, n);
    out->n += h + n;
}

static void
gzip_bytes(der_buf_t *out, const char *in, size_t n)
{
    z_stream z;

    memset(&z, 0, sizeof(z));
    deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = out->b;
    z.avail_out = sizeof(out->b);
    deflate(&z, Z_FINISH);
    out->n = z.total_out;
    deflateEnd(&z);
}

/*
 * The logotype extension value (RFC 3709 LogotypeExtn) with one subject
 * logo: image/svg+xml, a SHA-256 hash over hash_of (NULL: over the image),
 * and a data: URI of svg (gzip'ed when gz).
 */
static void
make_logotype(der_buf_t *out, const char *svg, bool gz, const char *hash_of)
{
    static const uint8_t sha256_alg[] = { 0x30, 0x0d, 0x06, 0x09, 0x60,
                                          0x86, 0x48, 0x01, 0x65, 0x03,
                                          0x04, 0x02, 0x01, 0x05, 0x00 };
    static der_buf_t img, t1, t2, t3;
    static char uri[65536];
    uint8_t md[32];
    unsigned int mdn = 0;
    size_t u;

    if (gz) {
        gzip_bytes(&img, svg, strlen(svg));
    } else {
        img.n = strlen(svg);
        memcpy(img.b, svg, img.n);
    }
    if (hash_of != NULL) {
        EVP_Digest(hash_of, strlen(hash_of), md, &mdn, EVP_sha256(), NULL);
    } else {
        EVP_Digest(img.b, img.n, md, &mdn, EVP_sha256(), NULL);
    }
    u = (size_t)snprintf(uri, sizeof(uri), "data:image/svg+xml;base64,");
    u += (size_t)EVP_EncodeBlock((unsigned char *)uri + u, img.b, (int)img.n);

    /* LogotypeDetails */
    t1.n = 0;
    der_wrap(&t1, 0x16, (const uint8_t *)"image/svg+xml", 13);
    t2.n = 0;
    memcpy(t2.b, sha256_alg, sizeof(sha256_alg));
    t2.n = sizeof(sha256_alg);
    der_wrap(&t2, 0x04, md, 32); /* HashAlgAndValue content */
    t3.n = 0;
    der_wrap(&t3, 0x30, t2.b, t2.n); /* HashAlgAndValue */
    der_wrap(&t1, 0x30, t3.b, t3.n); /* SEQUENCE OF */
    t3.n = 0;
    der_wrap(&t3, 0x16, (const uint8_t *)uri, u);
    der_wrap(&t1, 0x30, t3.b, t3.n); /* logotypeURI */
    /* LogotypeImage { LogotypeDetails } */
    t2.n = 0;
    der_wrap(&t2, 0x30, t1.b, t1.n);
    t3.n = 0;
    der_wrap(&t3, 0x30, t2.b, t2.n);
    /* image SEQUENCE OF LogotypeImage */
    t1.n = 0;
    der_wrap(&t1, 0x30, t3.b, t3.n);
    /* direct [0] LogotypeData, subjectLogo [2], LogotypeExtn */
    t2.n = 0;
    der_wrap(&t2, 0xa0, t1.b, t1.n);
    t3.n = 0;
    der_wrap(&t3, 0xa2, t2.b, t2.n);
    out->n = 0;
    der_wrap(out, 0x30, t3.b, t3.n);
}

typedef struct cert_spec {
    const char *cn;
    bool ca;
    const char *eku; /* NULL: none */
    const char *san; /* "DNS:a,DNS:b"; NULL: none */
    const der_buf_t *logo;
    long nb, na; /* validity, seconds from CERT_T0 */
} cert_spec_t;

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX v3;
    X509_EXTENSION *e;

    X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
    e = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    if (e != NULL) {
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    }
}

/* A certificate for key, signed by ikey as issuer (itself when NULL). */
static X509 *
make_cert(const cert_spec_t *s, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey)
{
    static long serial = 1;
    X509 *x = X509_new();

    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                               (const unsigned char *)s->cn, -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer)
                                   : X509_get_subject_name(x));
    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(CERT_T0 + s->nb));
    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(CERT_T0 + s->na));
    X509_set_pubkey(x, key);
    if (s->ca) {
        add_ext(x, issuer ? issuer : x, NID_basic_constraints,
                "critical,CA:TRUE");
        add_ext(x, issuer ? issuer : x, NID_key_usage,
                "critical,keyCertSign,cRLSign");
    } else {
        add_ext(x, issuer, NID_key_usage, "critical,digitalSignature");
    }
    if (s->eku != NULL) {
        add_ext(x, issuer ? issuer : x, NID_ext_key_usage, s->eku);
    }
    if (s->san != NULL) {
        add_ext(x, issuer ? issuer : x, NID_subject_alt_name, s->san);
    }
    if (s->logo != NULL) {
        ASN1_OBJECT *o = OBJ_txt2obj("1.3.6.1.5.5.7.1.12", 1);
        ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
        X509_EXTENSION *e;

        ASN1_OCTET_STRING_set(os, s->logo->b, (int)s->logo->n);
        e = X509_EXTENSION_create_by_OBJ(NULL, o, 0, os);
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
        ASN1_OCTET_STRING_free(os);
        ASN1_OBJECT_free(o);
    }
    X509_sign(x, ikey ? ikey : key, EVP_sha256());
    return x;
}

/* PEM of the certificates, in order, into out (NUL-terminated). */
static size_t
pem_of(char *out, size_t cap, X509 *const *certs, size_t n)
{
    BIO *b = BIO_new(BIO_s_mem());
    size_t i, len;
    char *p;

    for (i = 0; i < n; i++) {
        PEM_write_bio_X509(b, certs[i]);
    }
    len = (size_t)BIO_get_mem_data(b, &p);
    if (len >= cap) {
        len = 0;
    }
    memcpy(out, p, len);
    out[len] = '\0';
    BIO_free(b);
    return len;
}

#endif
