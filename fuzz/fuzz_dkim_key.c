/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_dkim_key.c - DKIM key records (RFC 6376 §3.6.1) from hostile
 * DNS. The input is one TXT rdata of an answer (alone, and before a good
 * record: the first usable record wins) given to vouch__dkim_keyrec_get;
 * the input is also taken as a p= value, decoded and parsed as an RSA and
 * an Ed25519 public key, and a key that parses verifies a dummy signature.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dkim/dkim_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char good[] =
    "v=DKIM1; k=ed25519; p=YRBvu0kn2FX2Vpm2BJ6M6XUOTwvSDE87J2JCBCFOmaA=";

static void
check_rec(const vouch_ctx_t *ctx, const vouch_dns_rr_t *rr, size_t n)
{
    const vouch_dns_answer_t *a = NULL;
    const dkim_keyrec_t *k, *k2;
    dkim_keyrec_t *owned = NULL;

    if (vouch__dns_answer_new(ctx, VOUCH_DNS_NOERROR, VOUCH_DNSSEC_INSECURE,
                              300, rr, n, NULL, &a) != 0) {
        return;
    }
    k = vouch__dkim_keyrec_get(ctx, a, &owned);
    if (k != NULL) {
        if ((k->status == 0) != (k->key != NULL) ||
            (k->status != 0 && k->status != VOUCH_ESYNTAX) ||
            (k->revoked && k->status == 0) ||
            memchr(k->error, '\0', sizeof(k->error)) == NULL ||
            (k->status == 0 && k->bits == 0)) {
            abort();
        }
        if (n == 2 && k->status != 0) {
            abort(); /* the good record is usable whatever comes first */
        }
        k2 = vouch__dkim_keyrec_get(ctx, a, &owned);
        if (k2 != k) {
            abort(); /* parsed once, kept on the answer */
        }
    }
    vouch__dkim_keyrec_free(ctx, owned);
    vouch_dns_answer_free(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t der[VOUCH__PUBKEY_MAX + 16];
    vouch_ctx_t *ctx = NULL;
    vouch_dns_rr_t rr[2];
    size_t dlen, kind;

    if (size > 8192 || vouch_ctx_new(&ctx, NULL) != 0) {
        return 0;
    }
    memset(rr, 0, sizeof(rr));
    rr[0].type = VOUCH_DNS_TXT;
    rr[0].nstrings = 1;
    rr[0].data = (const char *)data;
    rr[0].len = size;
    rr[1] = rr[0];
    rr[1].data = good;
    rr[1].len = sizeof(good) - 1;
    check_rec(ctx, rr, 1);
    check_rec(ctx, rr, 2);

    /* the bytes as a p= value */
    if (vouch__b64_decode(der, sizeof(der), &dlen, (const char *)data, size) ==
        0) {
        for (kind = 0; kind < 2; kind++) {
            vouch__pubkey_t *pk = NULL;
            vouch_error_t err;
            uint8_t digest[32] = { 0 }, sig[256] = { 1 };
            int rc;

            rc = vouch__pubkey_new(&pk, ctx,
                                   kind ? VOUCH__KEY_ED25519 : VOUCH__KEY_RSA,
                                   der, dlen, &err);
            if ((rc == 0) != (pk != NULL)) {
                abort();
            }
            if (rc == 0) {
                (void)vouch__pubkey_bits(pk);
                /* (a weak published key, such as the Ed25519 identity,
                 * may accept this: the key's owner chose it) */
                rc = vouch__pubkey_verify(pk, VOUCH__SHA256, digest, 32, sig,
                                          kind ? 64 : sizeof(sig));
                if (rc != 0 && rc != 1) {
                    abort();
                }
            }
            vouch__pubkey_free(pk);
        }
    }
    vouch_ctx_free(ctx);
    return 0;
}
