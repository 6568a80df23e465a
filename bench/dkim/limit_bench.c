/* SPDX-License-Identifier: MIT */
/*
 * bench/dkim/limit_bench.c - the hashing part of the theoretical limit of
 * DKIM on this machine, measured on the same buffers the implementations
 * get:
 *
 *   limit_bench hash DIR [SECONDS]
 *       SHA-256 over every message of DIR as two digests (the header
 *       bytes, the body bytes) with OpenSSL's EVP, warm, repeated for
 *       SECONDS; prints the seconds one pass over the corpus takes, and
 *       SHA-256 bytes/s on a 16 KiB buffer (as openssl speed -bytes 16384).
 *
 *   limit_bench pk RSAKEY EDKEY [SECONDS]
 *       the public-key operations with the benchmark's keys, each with a
 *       fresh EVP context per operation (what a verifier or signer pays
 *       once per message, on top of what `openssl speed` shows, which
 *       sets its context up once): RSA-2048 and Ed25519 sign/s and
 *       verify/s over a 32-byte digest.
 *
 * One line of JSON each. The public-key part of the limit itself comes
 * from `openssl speed rsa2048 ed25519` (run.sh).
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "limit_hash.h"

/* SHA-256 of each message's header and body (limit_hash.h) */
static double
hash_pass(const msg_t *m, size_t n)
{
    unsigned char md[32];
    double t0 = now();
    size_t i;

    for (i = 0; i < n; i++) {
        limit_hash(&m[i], md);
    }
    return now() - t0;
}

static EVP_PKEY *
load_key(const char *path)
{
    FILE *f = fopen(path, "r");
    EVP_PKEY *k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;

    if (k == NULL) {
        fprintf(stderr, "%s: cannot read the key\n", path);
        exit(1);
    }
    fclose(f);
    return k;
}

/* ops/s of sign (verify = 0) or verify, fresh EVP_MD_CTX each time */
static double
pk_rate(EVP_PKEY *k, int rsa, int verify, double seconds)
{
    unsigned char dg[32] = { 1, 2, 3 }, sig[512];
    size_t siglen = sizeof(sig);
    unsigned long ops = 0;
    double t0, t;
    EVP_MD_CTX *c = EVP_MD_CTX_new();

    /* RSA: PKCS#1 v1.5 over the DigestInfo of SHA-256(dg), which is what
     * EVP_DigestSign with SHA-256 does; Ed25519: pure, over dg. */
    EVP_DigestSignInit(c, NULL, rsa ? EVP_sha256() : NULL, NULL, k);
    EVP_DigestSign(c, sig, &siglen, dg, sizeof(dg));
    EVP_MD_CTX_free(c);
    t0 = now();
    do {
        int i;

        for (i = 0; i < 50; i++) {
            size_t sl = sizeof(sig);

            c = EVP_MD_CTX_new();
            if (verify) {
                if (EVP_DigestVerifyInit(c, NULL, rsa ? EVP_sha256() : NULL,
                                         NULL, k) != 1 ||
                    EVP_DigestVerify(c, sig, siglen, dg, sizeof(dg)) != 1) {
                    fprintf(stderr, "verify failed\n");
                    exit(1);
                }
            } else if (EVP_DigestSignInit(c, NULL, rsa ? EVP_sha256() : NULL,
                                          NULL, k) != 1 ||
                       EVP_DigestSign(c, sig, &sl, dg, sizeof(dg)) != 1) {
                fprintf(stderr, "sign failed\n");
                exit(1);
            }
            EVP_MD_CTX_free(c);
        }
        ops += 50;
        t = now() - t0;
    } while (t < seconds);
    return (double)ops / t;
}

int
main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "hash") == 0) {
        double seconds = argc > 3 ? atof(argv[3]) : 2.0, best = 1e9, t0;
        static unsigned char buf[16384];
        unsigned char md[32];
        unsigned int mdlen;
        unsigned long blocks = 0;
        msg_t *m;
        size_t n = load_corpus(argv[2], &m), i, bytes = 0;

        for (i = 0; i < n; i++) {
            bytes += m[i].len;
        }
        hash_pass(m, n); /* warm */
        t0 = now();
        do { /* the fastest pass: the machine's other load only adds */
            double t = hash_pass(m, n);

            best = t < best ? t : best;
        } while (now() - t0 < seconds);
        t0 = now();
        do {
            for (i = 0; i < 1000; i++) {
                EVP_Digest(buf, sizeof(buf), md, &mdlen, EVP_sha256(), NULL);
            }
            blocks += 1000;
        } while (now() - t0 < 1.0);
        printf("{\"dir\": \"%s\", \"messages\": %zu, \"bytes\": %zu, "
               "\"hash_s_per_pass\": %.9f, \"sha256_Bps_16k\": %.0f}\n",
               argv[2], n, bytes, best,
               (double)blocks * sizeof(buf) / (now() - t0));
        return 0;
    }
    if (argc >= 4 && strcmp(argv[1], "pk") == 0) {
        double s = argc > 4 ? atof(argv[4]) : 1.0;
        EVP_PKEY *rsa = load_key(argv[2]), *ed = load_key(argv[3]);

        printf("{\"rsa_sign\": %.1f, \"rsa_verify\": %.1f, "
               "\"ed25519_sign\": %.1f, \"ed25519_verify\": %.1f}\n",
               pk_rate(rsa, 1, 0, s), pk_rate(rsa, 1, 1, s),
               pk_rate(ed, 0, 0, s), pk_rate(ed, 0, 1, s));
        return 0;
    }
    fprintf(stderr, "usage: limit_bench hash DIR [SECONDS] | "
                    "limit_bench pk RSAKEY EDKEY [SECONDS]\n");
    return 2;
}
