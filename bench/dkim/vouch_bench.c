/* SPDX-License-Identifier: MIT */
/*
 * bench/dkim/vouch_bench.c - DKIM verify or sign messages per second
 * through libvouch, one thread, messages preloaded in memory.
 *
 *   vouch_bench verify DIR ZONEFILE [SECONDS]
 *   vouch_bench sign DIR KEY SELECTOR [SECONDS]
 *   vouch_bench paired-verify DIR ZONEFILE KEY [SECONDS]
 *   vouch_bench paired-sign DIR KEY SELECTOR [SECONDS]
 *
 * verify: the keys come from a zone in a string (vouch_zone_load_text),
 * behind the resolver cache; each message goes through a new streaming
 * verifier (new, feed, finish, free). sign: relaxed/relaxed, vouch's
 * default header set, d=bench.example. One warm-up pass (which also
 * tallies the results and names the first message that does not pass),
 * then whole passes until SECONDS (default 3) have gone by. Prints one
 * line of JSON. DIR may also be a single message (for memory checks).
 *
 * paired-*: vouch beside the limit (SHA-256 over the message's header
 * and body bytes + one public-key operation), both in this process,
 * interleaved in blocks of a few messages, the block's order alternating.
 * The public-key operation is made as `openssl speed` makes it: the
 * operation set up once on KEY (a PEM private key; verify checks a
 * signature made with it) and repeated on the same context, over the
 * 32-byte digest. On a shared machine the speed of the CPU changes from
 * one second to the next (other guests, frequency); measured within
 * milliseconds of each other, vouch and the limit see the same machine,
 * which two runs a second apart do not. Prints one line of JSON: the
 * ratio of the two CPU times over the run and per pass of the corpus, and
 * the rate of the limit's public-key operation alone afterwards (to
 * compare with `openssl speed`).
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "limit_hash.h"
#include "vouch/vouch.h"

static vouch_ctx_t *ctx;
static vouch_resolver_t *resolver;
static const vouch_dkim_key_t *key;
static const char *selector;
static vouch_buf_t sigbuf;

/* 0: every signature passed; else 1 + the code of the first that did not
 * (or 1 + VOUCH_DKIM_PERMERROR + 1 for "no signature"). */
static int
verify_one(const msg_t *m, char *why, size_t whylen)
{
    vouch_dkim_verifier_t *v;
    vouch_error_t err;
    size_t i, n;
    int rc = 0;

    if (vouch_dkim_verifier_new(&v, ctx, resolver, NULL, &err) != 0 ||
        vouch_dkim_verifier_feed(v, m->data, m->len, &err) != 0 ||
        vouch_dkim_verifier_finish(v, &err) != 0) {
        fprintf(stderr, "%s: %s\n", m->name, err.msg);
        exit(1);
    }
    n = vouch_dkim_verifier_count(v);
    if (n == 0) {
        rc = VOUCH_DKIM_PERMERROR + 2;
        snprintf(why, whylen, "no signature");
    }
    for (i = 0; i < n && rc == 0; i++) {
        const vouch_dkim_sig_t *s = vouch_dkim_verifier_result(v, i);

        if (s->result != VOUCH_DKIM_PASS) {
            rc = 1 + (int)s->result;
            snprintf(why, whylen, "%s (%s)", vouch_dkim_code_name(s->result),
                     s->reason);
        }
    }
    vouch_dkim_verifier_free(v);
    return rc;
}

static int
sign_one(const msg_t *m, char *why, size_t whylen)
{
    vouch_dkim_sign_options_t o = VOUCH_DKIM_SIGN_OPTIONS_INIT;
    vouch_dkim_signer_t *s;
    vouch_error_t err;

    o.domain = "bench.example";
    o.selector = selector;
    o.key = key;
    vouch_buf_clear(&sigbuf);
    if (vouch_dkim_signer_new(&s, ctx, &o, 1, &err) != 0 ||
        vouch_dkim_signer_feed(s, m->data, m->len, &err) != 0 ||
        vouch_dkim_signer_finish(s, &sigbuf, &err) != 0) {
        snprintf(why, whylen, "%s", err.msg);
        return 1;
    }
    vouch_dkim_signer_free(s);
    return sigbuf.len > 0 ? 0 : 1;
}

/* The limit's public-key operation, set up once as openssl speed does. */
static EVP_MD_CTX *lim_ed;
static EVP_PKEY_CTX *lim_rsa;
static unsigned char lim_sig[512];
static size_t lim_siglen;
static int lim_verify;
static const unsigned char lim_dg[32] = { 1, 2, 3 }; /* what lim_sig signs */

static void
lim_setup(const char *path, int verify)
{
    FILE *f = fopen(path, "r");
    EVP_PKEY *k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    int ok;

    if (k == NULL) {
        fprintf(stderr, "%s: cannot read the key\n", path);
        exit(1);
    }
    fclose(f);
    lim_siglen = sizeof(lim_sig);
    if (EVP_PKEY_get_base_id(k) == EVP_PKEY_ED25519) {
        EVP_MD_CTX *c = EVP_MD_CTX_new();

        ok = EVP_DigestSignInit(c, NULL, NULL, NULL, k) == 1 &&
             EVP_DigestSign(c, lim_sig, &lim_siglen, lim_dg, 32) == 1;
        lim_ed = EVP_MD_CTX_new();
        ok = ok &&
             (verify ? EVP_DigestVerifyInit(lim_ed, NULL, NULL, NULL, k)
                     : EVP_DigestSignInit(lim_ed, NULL, NULL, NULL, k)) == 1;
        EVP_MD_CTX_free(c);
    } else {
        EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);

        ok = c != NULL && EVP_PKEY_sign_init(c) == 1 &&
             EVP_PKEY_sign(c, lim_sig, &lim_siglen, lim_dg, 32) == 1;
        lim_rsa = EVP_PKEY_CTX_new(k, NULL);
        ok = ok && lim_rsa != NULL &&
             (verify ? EVP_PKEY_verify_init(lim_rsa)
                     : EVP_PKEY_sign_init(lim_rsa)) == 1;
        EVP_PKEY_CTX_free(c);
    }
    if (!ok) {
        fprintf(stderr, "%s: cannot set the operation up\n", path);
        exit(1);
    }
    lim_verify = verify;
    EVP_PKEY_free(k);
}

/* One public-key operation: a signature over DG, or (verify) the check
 * of lim_sig over lim_dg (DG was hashed all the same). */
static void
lim_pk(const unsigned char *dg)
{
    unsigned char sig[512];
    size_t sl = sizeof(sig);
    int ok;

    if (lim_ed != NULL) {
        ok = lim_verify
                 ? EVP_DigestVerify(lim_ed, lim_sig, lim_siglen, lim_dg, 32)
                 : EVP_DigestSign(lim_ed, sig, &sl, dg, 32);
    } else {
        ok = lim_verify
                 ? EVP_PKEY_verify(lim_rsa, lim_sig, lim_siglen, lim_dg, 32)
                 : EVP_PKEY_sign(lim_rsa, sig, &sl, dg, 32);
    }
    if (ok != 1) {
        fprintf(stderr, "the limit's public-key operation failed\n");
        exit(1);
    }
}

#define BLOCK 4 /* messages of each in turn */

/* The limit for messages M[0..N), N <= BLOCK: the two digests of each
 * (limit_hash.h), then one public-key operation each. */
static void
lim_block(const msg_t *m, size_t n)
{
    unsigned char md[BLOCK][32];
    size_t i;

    for (i = 0; i < n; i++) {
        limit_hash(&m[i], md[i]);
    }
    for (i = 0; i < n; i++) {
        lim_pk(md[i]);
    }
}

/* vouch and the limit interleaved, for SECONDS of vouch's time; then the
 * limit's public-key operation alone for half a second (its rate, to
 * compare with openssl speed: timing it inside the pairs would add clock
 * reads to the limit's side only) */
static void
paired(const msg_t *m, size_t n, int sign, double seconds)
{
    static double pass_ratio[100000];
    char why[256];
    double tv = 0, tl = 0, t0, pk;
    size_t passes = 0, i, j, ops = 0;

    if (n == 0 || !(seconds > 0)) {
        fprintf(stderr, "paired: no message, or SECONDS not above 0\n");
        exit(2);
    }
    while (tv < seconds && passes < sizeof(pass_ratio) / sizeof(*pass_ratio)) {
        double pv = 0, pl = 0;

        for (i = 0; i < n; i += BLOCK) {
            size_t end = i + BLOCK < n ? i + BLOCK : n;
            int k;

            for (k = 0; k < 2; k++) { /* vouch first on even blocks */
                int lim = (k + (int)(i / BLOCK) + (int)passes) & 1;

                t0 = now();
                for (j = i; j < end && !lim; j++) {
                    if (sign) {
                        (void)sign_one(&m[j], why, sizeof(why));
                    } else {
                        (void)verify_one(&m[j], why, sizeof(why));
                    }
                }
                if (lim) {
                    lim_block(&m[i], end - i);
                }
                *(lim ? &pl : &pv) += now() - t0;
            }
        }
        if (pv > 0) {
            pass_ratio[passes++] = pl / pv;
        }
        tv += pv;
        tl += pl;
    }
    t0 = now();
    do {
        for (i = 0; i < 50; i++) {
            lim_pk(lim_dg);
        }
        ops += 50;
    } while ((pk = now() - t0) < 0.5);
    printf("{\"impl\": \"vouch\", \"op\": \"%s\", \"paired\": true, "
           "\"vouch_msgs_per_s\": %.1f, \"limit_msgs_per_s\": %.1f, "
           "\"ratio\": %.4f, \"pk_ops_per_s\": %.1f, \"pass_ratios\": [",
           sign ? "sign" : "verify", (double)(passes * n) / tv,
           (double)(passes * n) / tl, tl / tv, (double)ops / pk);
    for (i = 0; i < passes; i++) {
        printf("%s%.4f", i ? ", " : "", pass_ratio[i]);
    }
    printf("]}\n");
}

int
main(int argc, char **argv)
{
    static const char *names[] = { "pass",   "fail",      "neutral",
                                   "policy", "temperror", "permerror",
                                   "none" };
    const char *mode = argc > 1 ? argv[1] : "";
    int pair = strncmp(mode, "paired-", 7) == 0;
    int sign = strcmp(mode + (pair ? 7 : 0), "sign") == 0;
    int argn = sign || pair ? 5 : 4; /* where SECONDS is */
    double seconds, t0, t;
    unsigned long tally[8] = { 0 }, done = 0;
    msg_t *m;
    size_t n, i, bytes = 0;
    vouch_error_t err;
    char why[256], first_bad[512] = "";

    if (argc < argn ||
        (!sign && strcmp(mode + (pair ? 7 : 0), "verify") != 0)) {
        fprintf(stderr, "usage: vouch_bench verify DIR ZONEFILE [SECONDS]\n"
                        "       vouch_bench sign DIR KEY SELECTOR "
                        "[SECONDS]\n"
                        "       vouch_bench paired-verify DIR ZONEFILE KEY "
                        "[SECONDS]\n"
                        "       vouch_bench paired-sign DIR KEY SELECTOR "
                        "[SECONDS]\n");
        return 2;
    }
    seconds = argc > argn ? atof(argv[argn]) : 3.0;
    if (vouch_ctx_new(&ctx, NULL) != 0) {
        return 1;
    }
    vouch_buf_init(&sigbuf, ctx, 1 << 16);
    n = load_corpus(argv[2], &m);
    if (sign) {
        vouch_dkim_key_t *k;

        if (vouch_dkim_key_load_file(&k, ctx, argv[3], &err) != 0) {
            fprintf(stderr, "%s: %s\n", argv[3], err.msg);
            return 1;
        }
        key = k;
        selector = argv[4];
    } else {
        vouch_zone_t *zone;
        size_t zlen;
        char *text = (char *)read_all(argv[3], &zlen);

        if (vouch_zone_new(&zone, ctx) != 0 ||
            vouch_zone_load_text(zone, text, zlen, "keys", &err) != 0 ||
            vouch_resolver_new_zone(&resolver, ctx, zone) != 0 ||
            vouch_resolver_enable_cache(resolver, 1024) != 0) {
            fprintf(stderr, "zone: %s\n", err.msg);
            return 1;
        }
        free(text);
    }
    for (i = 0; i < n; i++) { /* warm up; tally once */
        int rc = sign ? sign_one(&m[i], why, sizeof(why))
                      : verify_one(&m[i], why, sizeof(why));

        tally[rc]++;
        bytes += m[i].len;
        if (rc != 0 && first_bad[0] == '\0') {
            snprintf(first_bad, sizeof(first_bad), "%s: %s", m[i].name, why);
        }
    }
    if (pair) {
        if (tally[0] != n) {
            fprintf(stderr, "not every message passed: %s\n", first_bad);
            return 1;
        }
        lim_setup(argv[sign ? 3 : 4], !sign);
        paired(m, n, sign, seconds);
        return 0;
    }
    t0 = now();
    do {
        for (i = 0; i < n; i++) {
            if (sign) {
                (void)sign_one(&m[i], why, sizeof(why));
            } else {
                (void)verify_one(&m[i], why, sizeof(why));
            }
        }
        done += n;
        t = now() - t0;
    } while (t < seconds);
    printf("{\"impl\": \"vouch\", \"op\": \"%s\", \"msgs_per_s\": %.1f, "
           "\"messages\": %zu, \"bytes\": %zu, \"tally\": {",
           sign ? "sign" : "verify", (double)done / t, n, bytes);
    if (sign) {
        printf("\"signed\": %lu, \"error\": %lu", tally[0], n - tally[0]);
    } else {
        for (i = 0; i < 7; i++) {
            printf("%s\"%s\": %lu", i ? ", " : "", names[i], tally[i]);
        }
    }
    printf("}, \"first_bad\": \"%s\"}\n", first_bad);
    vouch_buf_dispose(&sigbuf);
    return 0;
}
