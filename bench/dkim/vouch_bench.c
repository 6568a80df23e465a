/* SPDX-License-Identifier: MIT */
/*
 * bench/dkim/vouch_bench.c - DKIM verify or sign messages per second
 * through libvouch, one thread, messages preloaded in memory.
 *
 *   vouch_bench verify DIR ZONEFILE [SECONDS]
 *   vouch_bench sign DIR KEY SELECTOR [SECONDS]
 *
 * verify: the keys come from a zone in a string (vouch_zone_load_text),
 * behind the resolver cache; each message goes through a new streaming
 * verifier (new, feed, finish, free). sign: relaxed/relaxed, vouch's
 * default header set, d=bench.example. One warm-up pass (which also
 * tallies the results and names the first message that does not pass),
 * then whole passes until SECONDS (default 3) have gone by. Prints one
 * line of JSON. DIR may also be a single message (for memory checks).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
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

int
main(int argc, char **argv)
{
    static const char *names[] = { "pass",   "fail",      "neutral",
                                   "policy", "temperror", "permerror",
                                   "none" };
    int sign = argc > 1 && strcmp(argv[1], "sign") == 0;
    double seconds, t0, t;
    unsigned long tally[8] = { 0 }, done = 0;
    msg_t *m;
    size_t n, i, bytes = 0;
    vouch_error_t err;
    char why[256], first_bad[512] = "";

    if (argc < 4 || (sign && argc < 5) ||
        (!sign && strcmp(argv[1], "verify") != 0)) {
        fprintf(stderr, "usage: vouch_bench verify DIR ZONEFILE [SECONDS]\n"
                        "       vouch_bench sign DIR KEY SELECTOR "
                        "[SECONDS]\n");
        return 2;
    }
    seconds = argc > (sign ? 5 : 4) ? atof(argv[sign ? 5 : 4]) : 3.0;
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
