/* SPDX-License-Identifier: MIT */
/*
 * bench/spf/libspf2_bench.c - the SPF workload through libspf2 (a benchmark
 * peer only, never a dependency of vouch): its in-memory zone DNS layer
 * (SPF_dns_zone_new + SPF_dns_zone_add_str) under its DNS cache layer
 * (SPF_dns_cache_new), as libspf2 stacks layers; one thread.
 *
 * usage: libspf2_bench DNS.tsv TRIPLES [SECONDS [RESULTS]]
 *
 * DNS.tsv lines: name<TAB>TYPE<TAB>value, the workload's DNS data as
 * gen_workload.py writes it for this driver (an MX value is the exchange
 * only: SPF looks at every exchange, whatever its preference).
 *
 * Evaluates every triple once with SPF_request_query_mailfrom (warm-up;
 * the tally comes from this pass), then again and again until SECONDS
 * (default 3) of CPU time have been used, or exactly N times over when
 * SECONDS is written "Nx" (for callgrind). Prints one line of JSON like
 * vouch_bench's; RESULTS, if given, gets one line per triple of the first
 * pass: result<TAB>reason.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <spf2/spf.h>
#include <spf2/spf_dns_cache.h>
#include <spf2/spf_dns_zone.h>

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

static ns_type
type_of(const char *t)
{
    if (strcmp(t, "A") == 0) {
        return ns_t_a;
    }
    if (strcmp(t, "AAAA") == 0) {
        return ns_t_aaaa;
    }
    if (strcmp(t, "MX") == 0) {
        return ns_t_mx;
    }
    if (strcmp(t, "PTR") == 0) {
        return ns_t_ptr;
    }
    return ns_t_txt;
}

static SPF_result_t
eval(SPF_server_t *srv, const char *ip, const char *from, const char *helo,
     SPF_reason_t *why)
{
    SPF_request_t *req = SPF_request_new(srv);
    SPF_response_t *resp = NULL;
    SPF_result_t r;

    if (strchr(ip, ':') != NULL) {
        SPF_request_set_ipv6_str(req, ip);
    } else {
        SPF_request_set_ipv4_str(req, ip);
    }
    SPF_request_set_helo_dom(req, helo);
    SPF_request_set_env_from(req, from);
    SPF_request_query_mailfrom(req, &resp);
    r = SPF_response_result(resp);
    if (why != NULL) {
        *why = SPF_response_reason(resp);
    }
    SPF_response_free(resp);
    SPF_request_free(req);
    return r;
}

/* One pass over the triples; what is timed (and, by name, what
 * "callgrind --toggle-collect=timed_pass" profiles). */
static __attribute__((noinline)) void
timed_pass(SPF_server_t *srv, char (*text)[3][FLD], size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        eval(srv, text[i][0], text[i][1], text[i][2], NULL);
    }
}

static int
load_zone(SPF_dns_server_t *zone, const char *path)
{
    FILE *f = fopen(path, "r");
    char buf[1024];

    if (f == NULL) {
        perror(path);
        return -1;
    }
    while (fgets(buf, sizeof(buf), f) != NULL) {
        char *name = strtok(buf, "\t\n"), *type = strtok(NULL, "\t\n"),
             *val = strtok(NULL, "\n");

        if (name != NULL && type != NULL && val != NULL &&
            SPF_dns_zone_add_str(zone, name, type_of(type), NETDB_SUCCESS,
                                 val) != SPF_E_SUCCESS) {
            fprintf(stderr, "%s: cannot add %s %s\n", path, name, type);
            fclose(f);
            return -1;
        }
    }
    fclose(f);
    return 0;
}

int
main(int argc, char **argv)
{
    static char text[MAXT][3][FLD];
    unsigned long tally[16] = { 0 };
    double seconds = argc > 3 ? atof(argv[3]) : 3.0, t0, t, w0, w;
    /* "5x" instead of seconds: exactly 5 timed passes (for callgrind) */
    unsigned long passes = argc > 3 && strchr(argv[3], 'x') != NULL
                               ? strtoul(argv[3], NULL, 10)
                               : 0;
    SPF_dns_server_t *zone, *cache;
    SPF_server_t *srv;
    char buf[3 * FLD];
    size_t n = 0, i;
    unsigned long evals = 0;
    FILE *f, *out = NULL;

    if (argc < 3 || argc > 5) {
        fprintf(stderr,
                "usage: libspf2_bench DNS.tsv TRIPLES [SECONDS [RESULTS]]\n");
        return 2;
    }
    zone = SPF_dns_zone_new(NULL, "bench", 0);
    if (zone == NULL || load_zone(zone, argv[1]) != 0) {
        return 1;
    }
    cache = SPF_dns_cache_new(zone, "cache", 0, 12);
    srv = cache != NULL ? SPF_server_new_dns(cache, 0) : NULL;
    if (srv == NULL) {
        fprintf(stderr, "libspf2_bench: cannot make the server\n");
        return 1;
    }
    if ((f = fopen(argv[2], "r")) == NULL) {
        perror(argv[2]);
        return 1;
    }
    while (n < MAXT && fgets(buf, sizeof(buf), f) != NULL) {
        char *ip = strtok(buf, "\t\r\n"), *from = strtok(NULL, "\t\r\n"),
             *helo = strtok(NULL, "\t\r\n");

        if (ip == NULL || from == NULL || helo == NULL) {
            continue;
        }
        snprintf(text[n][0], FLD, "%s", ip);
        snprintf(text[n][1], FLD, "%s", from);
        snprintf(text[n][2], FLD, "%s", helo);
        n++;
    }
    fclose(f);
    if (argc > 4 && (out = fopen(argv[4], "w")) == NULL) {
        perror(argv[4]);
        return 1;
    }
    for (i = 0; i < n; i++) { /* warm the cache; tally once */
        SPF_reason_t why;
        SPF_result_t r = eval(srv, text[i][0], text[i][1], text[i][2], &why);

        tally[r & 15]++;
        if (out != NULL) {
            fprintf(out, "%s\t%s\n", SPF_strresult(r), SPF_strreason(why));
        }
    }
    if (out != NULL && fclose(out) != 0) {
        perror(argv[4]);
        return 1;
    }
    w0 = now(CLOCK_MONOTONIC);
    t0 = now(CLOCK_PROCESS_CPUTIME_ID);
    do {
        timed_pass(srv, text, n);
        evals += n;
        t = now(CLOCK_PROCESS_CPUTIME_ID) - t0;
    } while (passes > 0 ? evals < passes * (unsigned long)n : t < seconds);
    w = now(CLOCK_MONOTONIC) - w0;
    printf("{\"impl\": \"libspf2\", \"evals_per_s\": %.0f, "
           "\"evals_per_wall_s\": %.0f, \"evals\": %lu, "
           "\"cpu_seconds\": %.3f, \"wall_seconds\": %.3f, \"tally\": "
           "{\"none\": %lu, \"neutral\": %lu, \"pass\": %lu, \"fail\": %lu, "
           "\"softfail\": %lu, \"temperror\": %lu, \"permerror\": %lu}}\n",
           (double)evals / t, (double)evals / w, evals, t, w,
           tally[SPF_RESULT_NONE], tally[SPF_RESULT_NEUTRAL],
           tally[SPF_RESULT_PASS], tally[SPF_RESULT_FAIL],
           tally[SPF_RESULT_SOFTFAIL], tally[SPF_RESULT_TEMPERROR],
           tally[SPF_RESULT_PERMERROR]);
    SPF_server_free(srv);
    return 0;
}
