/* SPDX-License-Identifier: MIT */
/*
 * bench/spf/libspf2_bench.c - the same workload through libspf2 (a
 * benchmark peer only): its in-memory zone DNS layer with its DNS cache
 * layer on top (warm after the first pass), one thread.
 * usage: libspf2_bench DNS.json... no: DNS.tsv TRIPLES [SECONDS]
 * DNS.tsv lines: name<TAB>TYPE<TAB>value (written by run.sh from the JSON).
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

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
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

static int
eval(SPF_server_t *srv, const char *ip, const char *from, const char *helo)
{
    SPF_request_t *req = SPF_request_new(srv);
    SPF_response_t *resp = NULL;
    int r;

    if (strchr(ip, ':') != NULL) {
        SPF_request_set_ipv6_str(req, ip);
    } else {
        SPF_request_set_ipv4_str(req, ip);
    }
    SPF_request_set_helo_dom(req, helo);
    SPF_request_set_env_from(req, from);
    SPF_request_query_mailfrom(req, &resp);
    r = (int)SPF_response_result(resp);
    SPF_response_free(resp);
    SPF_request_free(req);
    return r;
}

int
main(int argc, char **argv)
{
    static char lines[MAXT][3][256];
    unsigned long tally[16] = { 0 };
    double seconds = argc > 3 ? atof(argv[3]) : 3.0, t0, t;
    SPF_dns_server_t *zone, *cache;
    SPF_server_t *srv;
    char buf[800];
    size_t n = 0, i;
    unsigned long evals = 0;
    FILE *f;

    if (argc < 3) {
        fprintf(stderr, "usage: libspf2_bench DNS.tsv TRIPLES [SECONDS]\n");
        return 2;
    }
    zone = SPF_dns_zone_new(NULL, "bench", 0);
    if ((f = fopen(argv[1], "r")) == NULL) {
        perror(argv[1]);
        return 1;
    }
    while (fgets(buf, sizeof(buf), f) != NULL) {
        char *name = strtok(buf, "\t\n"), *type = strtok(NULL, "\t\n"),
             *val = strtok(NULL, "\n");

        if (name != NULL && type != NULL && val != NULL) {
            SPF_dns_zone_add_str(zone, name, type_of(type), NETDB_SUCCESS, val);
        }
    }
    fclose(f);
    cache = SPF_dns_cache_new(zone, "cache", 0, 12);
    srv = SPF_server_new_dns(cache, 0);
    if ((f = fopen(argv[2], "r")) == NULL) {
        perror(argv[2]);
        return 1;
    }
    while (n < MAXT && fgets(buf, sizeof(buf), f) != NULL) {
        char *ip = strtok(buf, "\t\n"), *from = strtok(NULL, "\t\n"),
             *helo = strtok(NULL, "\t\n");

        if (ip == NULL || from == NULL || helo == NULL) {
            continue;
        }
        snprintf(lines[n][0], 256, "%s", ip);
        snprintf(lines[n][1], 256, "%s", from);
        snprintf(lines[n][2], 256, "%s", helo);
        n++;
    }
    fclose(f);
    for (i = 0; i < n; i++) {
        tally[eval(srv, lines[i][0], lines[i][1], lines[i][2]) & 15]++;
    }
    t0 = now();
    do {
        for (i = 0; i < n; i++) {
            eval(srv, lines[i][0], lines[i][1], lines[i][2]);
        }
        evals += n;
        t = now() - t0;
    } while (t < seconds);
    /* SPF_result_t: 1 pass, 2 fail, 3 softfail, 4 neutral, 5 permerror,
     * 6 temperror, 7 none */
    printf("{\"impl\": \"libspf2\", \"evals_per_s\": %.0f, \"tally\": "
           "{\"none\": %lu, \"neutral\": %lu, \"pass\": %lu, \"fail\": %lu, "
           "\"softfail\": %lu, \"temperror\": %lu, \"permerror\": %lu}}\n",
           (double)evals / t, tally[SPF_RESULT_NONE], tally[SPF_RESULT_NEUTRAL],
           tally[SPF_RESULT_PASS], tally[SPF_RESULT_FAIL],
           tally[SPF_RESULT_SOFTFAIL], tally[SPF_RESULT_TEMPERROR],
           tally[SPF_RESULT_PERMERROR]);
    SPF_server_free(srv);
    return 0;
}
