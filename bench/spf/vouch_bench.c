/* SPDX-License-Identifier: MIT */
/*
 * bench/spf/vouch_bench.c - SPF evaluations per second through libvouch:
 * the zone backend with the resolver cache (warm after the first pass),
 * one thread. usage: vouch_bench ZONE TRIPLES [SECONDS]
 * Prints one line of JSON: evals_per_s and the tally of results.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vouch/vouch.h"

#define MAXT 10000

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    static vouch_spf_request_t req[MAXT];
    static char lines[MAXT][3][256];
    unsigned long tally[7] = { 0 };
    double seconds = argc > 3 ? atof(argv[3]) : 3.0, t0, t;
    vouch_ctx_t *ctx;
    vouch_zone_t *zone;
    vouch_resolver_t *r;
    vouch_spf_result_t res;
    vouch_error_t err;
    FILE *f;
    size_t n = 0, i;
    unsigned long evals = 0;
    char buf[800];

    if (argc < 3 || vouch_ctx_new(&ctx, NULL) != 0 ||
        vouch_zone_new(&zone, ctx) != 0) {
        fprintf(stderr, "usage: vouch_bench ZONE TRIPLES [SECONDS]\n");
        return 2;
    }
    if (vouch_zone_load_file(zone, argv[1], &err) != 0 ||
        vouch_resolver_new_zone(&r, ctx, zone) != 0 ||
        vouch_resolver_enable_cache(r, 65536) != 0) {
        fprintf(stderr, "zone: %s\n", err.msg);
        return 1;
    }
    if ((f = fopen(argv[2], "r")) == NULL) {
        perror(argv[2]);
        return 1;
    }
    while (n < MAXT && fgets(buf, sizeof(buf), f) != NULL) {
        char *ip = strtok(buf, "\t\n"), *from = strtok(NULL, "\t\n"),
             *helo = strtok(NULL, "\t\n");
        vouch_spf_request_t init = VOUCH_SPF_REQUEST_INIT;

        if (ip == NULL || from == NULL || helo == NULL) {
            continue;
        }
        snprintf(lines[n][0], 256, "%s", ip);
        snprintf(lines[n][1], 256, "%s", from);
        snprintf(lines[n][2], 256, "%s", helo);
        req[n] = init;
        if (vouch_ip_parse(&req[n].ip, ip, strlen(ip)) != 0) {
            continue;
        }
        req[n].mail_from.ptr = lines[n][1];
        req[n].mail_from.len = strlen(lines[n][1]);
        req[n].helo.ptr = lines[n][2];
        req[n].helo.len = strlen(lines[n][2]);
        n++;
    }
    fclose(f);
    vouch_spf_result_init(&res, ctx);
    for (i = 0; i < n; i++) { /* warm the cache; tally once */
        if (vouch_spf_check(&res, ctx, r, &req[i], NULL) != 0) {
            return 1;
        }
        tally[res.code]++;
    }
    t0 = now();
    do {
        for (i = 0; i < n; i++) {
            if (vouch_spf_check(&res, ctx, r, &req[i], NULL) != 0) {
                return 1;
            }
        }
        evals += n;
        t = now() - t0;
    } while (t < seconds);
    printf("{\"impl\": \"vouch (library)\", \"evals_per_s\": %.0f, "
           "\"tally\": {\"none\": %lu, \"neutral\": %lu, \"pass\": %lu, "
           "\"fail\": %lu, \"softfail\": %lu, \"temperror\": %lu, "
           "\"permerror\": %lu}}\n",
           (double)evals / t, tally[0], tally[1], tally[2], tally[3], tally[4],
           tally[5], tally[6]);
    vouch_spf_result_dispose(&res);
    vouch_resolver_free(r);
    vouch_ctx_free(ctx);
    return 0;
}
