/* SPDX-License-Identifier: MIT */
/*
 * bench/spf/vouch_bench.c - SPF evaluations per second through libvouch:
 * the zone backend with the resolver cache (warm after the first pass),
 * one thread.
 *
 * usage: vouch_bench ZONE TRIPLES [SECONDS [RESULTS]]
 *
 * Evaluates every triple once (warming the cache; the tally comes from this
 * pass), then every triple again and again until SECONDS (default 3) of
 * CPU time have been used, or exactly N times over when SECONDS is written
 * "Nx" (for callgrind). Prints one line of JSON: evaluations per CPU second
 * (evals_per_s) and per wall-clock second, and the tally. RESULTS, if
 * given, gets one line per triple of the first pass: result<TAB>mechanism.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vouch/vouch.h"

#define MAXT 10000
#define FLD  256

/* Seconds on clock id: CLOCK_PROCESS_CPUTIME_ID (what is measured: the
 * CPU time of the process, so time spent waiting for the CPU while others
 * run does not count) or CLOCK_MONOTONIC (wall time, reported beside it). */
static double
now(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read up to MAXT lines ip<TAB>mail-from<TAB>helo into req (views into
 * text). Returns the number read, or -1 (message printed). */
static long
read_triples(const char *path, vouch_spf_request_t *req, char (*text)[2][FLD])
{
    FILE *f = fopen(path, "r");
    char buf[3 * FLD];
    long n = 0;

    if (f == NULL) {
        perror(path);
        return -1;
    }
    while (n < MAXT && fgets(buf, sizeof(buf), f) != NULL) {
        char *ip = strtok(buf, "\t\r\n"), *from = strtok(NULL, "\t\r\n"),
             *helo = strtok(NULL, "\t\r\n");
        vouch_spf_request_t init = VOUCH_SPF_REQUEST_INIT;

        if (ip == NULL || from == NULL || helo == NULL) {
            continue;
        }
        req[n] = init;
        if (vouch_ip_parse(&req[n].ip, ip, strlen(ip)) != 0) {
            fprintf(stderr, "%s: bad address '%s'\n", path, ip);
            fclose(f);
            return -1;
        }
        snprintf(text[n][0], FLD, "%s", from);
        snprintf(text[n][1], FLD, "%s", helo);
        req[n].mail_from.ptr = text[n][0];
        req[n].mail_from.len = strlen(text[n][0]);
        req[n].helo.ptr = text[n][1];
        req[n].helo.len = strlen(text[n][1]);
        n++;
    }
    fclose(f);
    return n;
}

/* One pass over the triples; what is timed (and, by name, what
 * "callgrind --toggle-collect=timed_pass" profiles). */
static __attribute__((noinline)) int
timed_pass(vouch_spf_result_t *res, const vouch_ctx_t *ctx, vouch_resolver_t *r,
           const vouch_spf_request_t *req, long n)
{
    long i;

    for (i = 0; i < n; i++) {
        if (vouch_spf_check(res, ctx, r, &req[i], NULL) != 0) {
            return -1;
        }
    }
    return 0;
}

int
main(int argc, char **argv)
{
    static vouch_spf_request_t req[MAXT];
    static char text[MAXT][2][FLD];
    unsigned long tally[VOUCH_SPF_PERMERROR + 1] = { 0 };
    double seconds = argc > 3 ? atof(argv[3]) : 3.0, t0, t, w0, w;
    /* "5x" instead of seconds: exactly 5 timed passes (for callgrind) */
    unsigned long passes = argc > 3 && strchr(argv[3], 'x') != NULL
                               ? strtoul(argv[3], NULL, 10)
                               : 0;
    vouch_ctx_t *ctx = NULL;
    vouch_zone_t *zone = NULL;
    vouch_resolver_t *r = NULL;
    vouch_spf_result_t res;
    vouch_error_t err;
    FILE *out = NULL;
    long n, i;
    unsigned long evals = 0;

    memset(&err, 0, sizeof(err));
    if (argc < 3 || argc > 5) {
        fprintf(stderr,
                "usage: vouch_bench ZONE TRIPLES [SECONDS [RESULTS]]\n");
        return 2;
    }
    if (vouch_ctx_new(&ctx, NULL) != 0 || vouch_zone_new(&zone, ctx) != 0) {
        fprintf(stderr, "vouch_bench: out of memory\n");
        return 1;
    }
    if (vouch_zone_load_file(zone, argv[1], &err) != 0) {
        fprintf(stderr, "%s: %s\n", argv[1], err.msg);
        return 1;
    }
    if (vouch_resolver_new_zone(&r, ctx, zone) != 0 ||
        vouch_resolver_enable_cache(r, 65536) != 0) {
        fprintf(stderr, "vouch_bench: cannot make the resolver\n");
        return 1;
    }
    if ((n = read_triples(argv[2], req, text)) < 0) {
        return 1;
    }
    if (argc > 4 && (out = fopen(argv[4], "w")) == NULL) {
        perror(argv[4]);
        return 1;
    }
    vouch_spf_result_init(&res, ctx);
    for (i = 0; i < n; i++) { /* warm the cache; tally once */
        if (vouch_spf_check(&res, ctx, r, &req[i], NULL) != 0) {
            fprintf(stderr, "vouch_spf_check failed on triple %ld\n", i + 1);
            return 1;
        }
        tally[res.code]++;
        if (out != NULL) {
            fprintf(out, "%s\t%s\n", vouch_spf_code_name(res.code),
                    res.mechanism.ptr != NULL ? res.mechanism.ptr : "");
        }
    }
    if (out != NULL && fclose(out) != 0) {
        perror(argv[4]);
        return 1;
    }
    w0 = now(CLOCK_MONOTONIC);
    t0 = now(CLOCK_PROCESS_CPUTIME_ID);
    do {
        if (timed_pass(&res, ctx, r, req, n) != 0) {
            return 1;
        }
        evals += (unsigned long)n;
        t = now(CLOCK_PROCESS_CPUTIME_ID) - t0;
    } while (passes > 0 ? evals < passes * (unsigned long)n : t < seconds);
    w = now(CLOCK_MONOTONIC) - w0;
    printf("{\"impl\": \"vouch (library)\", \"evals_per_s\": %.0f, "
           "\"evals_per_wall_s\": %.0f, \"evals\": %lu, "
           "\"cpu_seconds\": %.3f, \"wall_seconds\": %.3f, "
           "\"tally\": {\"none\": %lu, \"neutral\": %lu, \"pass\": %lu, "
           "\"fail\": %lu, \"softfail\": %lu, \"temperror\": %lu, "
           "\"permerror\": %lu}}\n",
           (double)evals / t, (double)evals / w, evals, t, w,
           tally[VOUCH_SPF_NONE], tally[VOUCH_SPF_NEUTRAL],
           tally[VOUCH_SPF_PASS], tally[VOUCH_SPF_FAIL],
           tally[VOUCH_SPF_SOFTFAIL], tally[VOUCH_SPF_TEMPERROR],
           tally[VOUCH_SPF_PERMERROR]);
    vouch_spf_result_dispose(&res);
    vouch_resolver_free(r);
    vouch_ctx_free(ctx);
    return 0;
}
