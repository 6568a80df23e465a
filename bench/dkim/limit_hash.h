/* SPDX-License-Identifier: MIT */
/*
 * bench/dkim/limit_hash.h - the hashing part of the limit, shared by the
 * drivers that measure it (limit_bench.c, vouch_bench.c): SHA-256 over a
 * message's header bytes and over its body bytes, as two digests. SHA-256
 * is fetched once and one context reused, so no digest pays a lookup by
 * name or an allocation (vouch does not either).
 */
#ifndef BENCH_DKIM_LIMIT_HASH_H
#define BENCH_DKIM_LIMIT_HASH_H

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

#include "corpus.h"

/* The two digests of m; md gets the body's. */
static void
limit_hash(const msg_t *m, unsigned char md[32])
{
    static EVP_MD *sha256;
    static EVP_MD_CTX *c;

    if (c == NULL) {
        sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
        c = EVP_MD_CTX_new();
        if (sha256 == NULL || c == NULL) {
            fprintf(stderr, "no SHA-256\n");
            exit(1);
        }
    }
    EVP_DigestInit_ex(c, sha256, NULL);
    EVP_DigestUpdate(c, m->data, m->hlen);
    EVP_DigestFinal_ex(c, md, NULL);
    EVP_DigestInit_ex(c, sha256, NULL);
    EVP_DigestUpdate(c, m->data + m->hlen, m->len - m->hlen);
    EVP_DigestFinal_ex(c, md, NULL);
}

#endif
