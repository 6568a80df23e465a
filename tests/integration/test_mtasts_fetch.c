/* SPDX-License-Identifier: MIT */
/*
 * tests/integration/test_mtasts_fetch.c - MTA-STS discovery and the
 * bounded HTTPS layer against a real HTTPS server (nginx) on loopback.
 *
 * usage: test_mtasts_fetch PORT CA_FILE SCENARIOS.json [MORE.json...]
 *
 * Started by tests/integration/mtasts_fetch.py, which builds one site per
 * scenario and runs tests/fixtures/https-fixture.sh on PORT with a fresh
 * test CA (CA_FILE). Each scenario (fields of
 * postfix-resolver-scenarios.json, see its SOURCES.md) becomes zone text
 * (its _mta-sts TXT record, or a $FAULT for the DNS timeout case) for the
 * zone resolver - the system resolver is never used - and then
 * vouch_mtasts_discover() runs with the CA file and a connect-to mapping
 * of every host to 127.0.0.1:PORT, so the real names are validated.
 * Checked: the outcome (VALID, NONE, FETCH_ERROR; a DNS temperror counts
 * as FETCH_ERROR, a malformed domain as NONE), the fetch status that
 * explains a FETCH_ERROR, the time taken, MX matching on valid policies.
 * Scenarios with "server": "silent" or "closed" go to a socket of this
 * program that never answers, or to a port nobody listens on. Then a few
 * direct vouch_http_get() checks, and discoveries from several threads at
 * once on one context and resolver. Prints "N passed, N failed".
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "vouch/vouch.h"

/* every fetch must end within this (timeouts below, plus slack) */
#define FETCH_TIMEOUT_MS 3000
#define ELAPSED_MAX_MS   8000

static unsigned passed, failed;
static const char *ca_file;
static int https_port, silent_port, closed_port;

static void
check(bool ok, const char *name, const char *what, const char *detail)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    printf("FAIL %s: %s (%s)\n", name, what, detail != NULL ? detail : "");
}

static long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* a zone-file TXT record for value (split into 255-byte strings) */
static void
zone_txt(vouch_buf_t *z, const char *dom, const char *value)
{
    size_t i, len = strlen(value);

    if (vouch_buf_printf(z, "_mta-sts.%s. 300 IN TXT", dom) != 0) {
        abort();
    }
    for (i = 0; i == 0 || i < len; i += 255) {
        size_t j;

        if (vouch_buf_puts(z, " \"") != 0) {
            abort();
        }
        for (j = i; j < len && j < i + 255; j++) {
            if ((value[j] == '"' || value[j] == '\\') &&
                vouch_buf_addc(z, '\\') != 0) {
                abort();
            }
            if (vouch_buf_addc(z, value[j]) != 0) {
                abort();
            }
        }
        if (vouch_buf_addc(z, '"') != 0) {
            abort();
        }
    }
    if (vouch_buf_addc(z, '\n') != 0) {
        abort();
    }
}

static void
zone_add(vouch_buf_t *z, json_t *sc)
{
    const char *dom = json_string_value(json_object_get(sc, "domain"));
    json_t *txt = json_object_get(sc, "txt_record");
    const char *expect = json_string_value(json_object_get(sc, "expect"));
    const char *note = json_string_value(json_object_get(sc, "note"));
    json_t *v;
    size_t i;

    if (dom[0] == '.') {
        return;
    }
    if (json_is_string(txt)) {
        zone_txt(z, dom, json_string_value(txt));
    } else if (json_is_array(txt)) {
        json_array_foreach(txt, i, v)
        {
            zone_txt(z, dom, json_string_value(v));
        }
    } else if (strcmp(expect, "FETCH_ERROR") == 0) {
        /* no record and still an error: the DNS timeout scenario */
        if (vouch_buf_printf(z, "$FAULT _mta-sts.%s. ANY TIMEOUT\n", dom) !=
            0) {
            abort();
        }
    } else if (note != NULL && strstr(note, "A record") != NULL) {
        if (vouch_buf_printf(z, "_mta-sts.%s. 300 IN A 127.0.0.1\n", dom) !=
            0) {
            abort();
        }
    }
}

/* which fetch status explains a FETCH_ERROR of a shared scenario */
static const char *
derive_status(json_t *sc)
{
    const char *tls = json_string_value(json_object_get(sc, "tls"));
    const char *ct = json_string_value(json_object_get(sc, "content_type"));
    const char *body = json_string_value(json_object_get(sc, "body"));
    json_int_t st = json_integer_value(json_object_get(sc, "http_status"));

    if (json_is_null(json_object_get(sc, "txt_record"))) {
        return NULL; /* DNS failure: no fetch */
    }
    if (tls != NULL && strcmp(tls, "valid") != 0) {
        return "certificate";
    }
    if (st != 200) {
        return "http-status";
    }
    if (ct != NULL && strcmp(ct, "text/plain") != 0) {
        return "content-type";
    }
    if (body != NULL && body[0] == '<') {
        return "too-big";
    }
    return "policy";
}

static void
run_one(const vouch_ctx_t *ctx, vouch_resolver_t *res, json_t *sc,
        const char *dom)
{
    const char *expect = json_string_value(json_object_get(sc, "expect"));
    const char *want_fetch =
        json_string_value(json_object_get(sc, "fetch_status"));
    const char *server = json_string_value(json_object_get(sc, "server"));
    vouch_http_options_t http = VOUCH_HTTP_OPTIONS_INIT;
    vouch_mtasts_result_t r;
    vouch_error_t err;
    char map[64], name[300];
    const char *got;
    long t0, took;
    int rc, port = https_port;

    if (server != NULL) {
        port = strcmp(server, "silent") == 0 ? silent_port : closed_port;
    }
    (void)snprintf(map, sizeof(map), "::127.0.0.1:%d", port);
    (void)snprintf(name, sizeof(name), "scenario %s", dom);
    http.ca_file = ca_file;
    http.connect_to = map;
    http.timeout_ms = FETCH_TIMEOUT_MS;
    http.connect_timeout_ms = 2000;
    if (want_fetch == NULL && strcmp(expect, "FETCH_ERROR") == 0) {
        want_fetch = derive_status(sc);
    }
    vouch_error_clear(&err);
    t0 = now_ms();
    rc = vouch_mtasts_discover(&r, ctx, res, NULL, dom, strlen(dom), &http,
                               &err);
    took = now_ms() - t0;
    if (rc == VOUCH_ESYNTAX) {
        got = "NONE"; /* not a domain: no lookup, no policy */
    } else if (rc != 0) {
        check(false, name, "discover failed", err.msg);
        return;
    } else if (r.outcome == VOUCH_MTASTS_VALID) {
        got = "VALID";
    } else if (r.outcome == VOUCH_MTASTS_NONE) {
        got = "NONE";
    } else {
        got = "FETCH_ERROR";
    }
    printf("%-24s %-12s %-13s %5ld ms  %s\n", dom, got,
           rc == 0 && r.have_record
               ? vouch_mtasts_fetch_status_name(r.fetch.status)
               : "-",
           took, rc == 0 ? r.reason : err.msg);
    check(strcmp(got, expect) == 0, name, "outcome", got);
    check(took < ELAPSED_MAX_MS, name, "took too long", NULL);
    if (rc != 0) {
        return;
    }
    if (want_fetch != NULL) {
        check(strcmp(vouch_mtasts_fetch_status_name(r.fetch.status),
                     want_fetch) == 0,
              name, "fetch status", want_fetch);
    }
    if (r.outcome == VOUCH_MTASTS_VALID) {
        const vouch_mtasts_policy_t *p = r.fetch.policy;

        check(p != NULL && r.reason[0] == '\0', name, "policy kept", NULL);
        if (p != NULL && p->mode != VOUCH_MTASTS_MODE_NONE) {
            check(vouch_mtasts_policy_match(p, "mail.loc", 8) == 0 &&
                      vouch_mtasts_policy_match(p, "MAIL.LOC.", 9) == 0 &&
                      vouch_mtasts_policy_match(p, "x.mail.loc", 10) == -1,
                  name, "mx matching", NULL);
        }
    } else {
        check(r.reason[0] != '\0', name, "a reason is given", NULL);
    }
    vouch_mtasts_result_dispose(&r);
}

static int
listener(bool keep)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(fd, 8) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
        perror("listener");
        exit(1);
    }
    if (!keep) {
        close(fd);
    }
    return ntohs(a.sin_port);
}

/* vouch_http_get itself: refusals, redirects not followed, caps */
static void
http_direct(const vouch_ctx_t *ctx)
{
    vouch_http_options_t o = VOUCH_HTTP_OPTIONS_INIT;
    vouch_http_response_t resp;
    vouch_error_t err;
    char map[64];
    int rc;

    (void)snprintf(map, sizeof(map), "::127.0.0.1:%d", https_port);
    o.ca_file = ca_file;
    o.connect_to = map;
    o.timeout_ms = FETCH_TIMEOUT_MS;
    vouch_http_response_init(&resp, ctx);

    rc = vouch_http_get(&resp, "http://mta-sts.good.loc/", &o, &err);
    check(rc == VOUCH_EINVAL && resp.failure == VOUCH_HTTP_F_URL, "http",
          "plain http refused", err.msg);
    rc = vouch_http_get(&resp, "https://mta-sts.good.loc/a b", &o, &err);
    check(rc == VOUCH_EINVAL, "http", "URL with a space refused", err.msg);

    rc = vouch_http_get(&resp,
                        "https://mta-sts.redirect.loc/.well-known/mta-sts.txt",
                        &o, &err);
    check(rc == 0 && resp.status == 301 && resp.location != NULL &&
              strcmp(resp.location,
                     "https://mta-sts.good.loc/.well-known/mta-sts.txt") == 0,
          "http", "301 returned with its Location, not followed", err.msg);

    rc = vouch_http_get(
        &resp, "https://mta-sts.good.loc/.well-known/mta-sts.txt", &o, &err);
    check(rc == 0 && resp.status == 200 && resp.body.len > 0 &&
              resp.content_type != NULL &&
              strcmp(resp.content_type, "text/plain") == 0,
          "http", "200 with body and Content-Type", err.msg);

    o.max_body = 10;
    rc = vouch_http_get(
        &resp, "https://mta-sts.good.loc/.well-known/mta-sts.txt", &o, &err);
    check(rc == VOUCH_ETOOBIG && resp.failure == VOUCH_HTTP_F_TOO_BIG &&
              resp.body.len == 0 && strstr(err.msg, "larger") != NULL,
          "http", "body cap (Content-Length)", err.msg);
    rc = vouch_http_get(
        &resp, "https://mta-sts.chunked-overlength.loc/.well-known/mta-sts.txt",
        &o, &err);
    check(rc == VOUCH_ETOOBIG && resp.body.len == 0, "http",
          "body cap (chunked)", err.msg);
    o.max_body = 0;

    /* the system store does not know the test CA */
    o.ca_file = NULL;
    rc = vouch_http_get(
        &resp, "https://mta-sts.good.loc/.well-known/mta-sts.txt", &o, &err);
    check(rc == VOUCH_ETEMP && resp.failure == VOUCH_HTTP_F_CERT &&
              strstr(err.msg, "certificate") != NULL,
          "http", "test CA not in the system store", err.msg);
    o.ca_file = "/nonexistent/ca.pem";
    rc = vouch_http_get(
        &resp, "https://mta-sts.good.loc/.well-known/mta-sts.txt", &o, &err);
    check(rc == VOUCH_ETEMP && resp.failure == VOUCH_HTTP_F_CERT, "http",
          "missing CA file", err.msg);

    /* no connect-to: the host is resolved through a vouch resolver (zone
     * text), never the system's */
    {
        static const char zone[] = "mta-sts.good.loc. A 127.0.0.1\n";
        vouch_zone_t *z = NULL;
        vouch_resolver_t *r = NULL;
        char url[128];

        if (vouch_zone_new(&z, ctx) != 0 ||
            vouch_zone_load_text(z, zone, sizeof(zone) - 1, NULL, &err) != 0 ||
            vouch_resolver_new_zone(&r, ctx, z) != 0) {
            abort();
        }
        o.ca_file = ca_file;
        o.connect_to = NULL;
        o.resolver = r;
        (void)snprintf(url, sizeof(url),
                       "https://mta-sts.good.loc:%d/.well-known/mta-sts.txt",
                       https_port);
        rc = vouch_http_get(&resp, url, &o, &err);
        check(rc == 0 && resp.status == 200 && resp.body.len > 0, "http",
              "host resolved through the zone resolver", err.msg);
        vouch_resolver_free(r);
    }
    vouch_http_response_dispose(&resp);
}

/* Threads fetching at once through one context and one resolver. */
#define THREADS       4
#define THREAD_ROUNDS 8

typedef struct worker {
    const vouch_ctx_t *ctx;
    vouch_resolver_t *res;
    unsigned valid;
} worker_t;

static void *
work(void *arg)
{
    worker_t *w = arg;
    vouch_http_options_t http = VOUCH_HTTP_OPTIONS_INIT;
    char map[64];
    int i;

    (void)snprintf(map, sizeof(map), "::127.0.0.1:%d", https_port);
    http.ca_file = ca_file;
    http.connect_to = map;
    http.timeout_ms = FETCH_TIMEOUT_MS;
    for (i = 0; i < THREAD_ROUNDS; i++) {
        vouch_mtasts_result_t r;
        const char *dom = i % 2 == 0 ? "good.loc" : "bad-policy3.loc";

        if (vouch_mtasts_discover(&r, w->ctx, w->res, NULL, dom, strlen(dom),
                                  &http, NULL) == 0 &&
            r.outcome ==
                (i % 2 == 0 ? VOUCH_MTASTS_VALID : VOUCH_MTASTS_FETCH_ERROR)) {
            w->valid++;
        }
        vouch_mtasts_result_dispose(&r);
    }
    return NULL;
}

static void
threads(const vouch_ctx_t *ctx, vouch_resolver_t *res)
{
    pthread_t t[THREADS];
    worker_t w[THREADS];
    unsigned ok = 0;
    int i;

    for (i = 0; i < THREADS; i++) {
        w[i].ctx = ctx;
        w[i].res = res;
        w[i].valid = 0;
        if (pthread_create(&t[i], NULL, work, &w[i]) != 0) {
            abort();
        }
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        ok += w[i].valid;
    }
    printf("%u of %u concurrent discoveries as expected\n", ok,
           THREADS * THREAD_ROUNDS);
    check(ok == THREADS * THREAD_ROUNDS, "threads",
          "concurrent discoveries give the same outcomes", NULL);
}

int
main(int argc, char **argv)
{
    vouch_ctx_t *ctx = NULL;
    vouch_zone_t *zone = NULL;
    vouch_resolver_t *res = NULL;
    vouch_error_t err;
    vouch_buf_t z;
    json_t *sets[8];
    int nsets = 0, i;
    size_t k;
    json_t *sc;

    if (argc < 4 || argc > 10) {
        fprintf(stderr, "usage: %s PORT CA_FILE SCENARIOS.json [MORE...]\n",
                argv[0]);
        return 2;
    }
    https_port = atoi(argv[1]);
    ca_file = argv[2];
    silent_port = listener(true);
    closed_port = listener(false);
    if (vouch_ctx_new(&ctx, NULL) != 0 || vouch_http_global_init() != 0) {
        return 1;
    }
    vouch_buf_init(&z, ctx, 1 << 20);
    for (i = 3; i < argc; i++) {
        json_error_t jerr;

        sets[nsets] = json_load_file(argv[i], 0, &jerr);
        if (sets[nsets] == NULL) {
            fprintf(stderr, "%s: %s\n", argv[i], jerr.text);
            return 1;
        }
        json_array_foreach(json_object_get(sets[nsets], "scenarios"), k, sc)
        {
            zone_add(&z, sc);
        }
        nsets++;
    }
    if (vouch_zone_new(&zone, ctx) != 0 ||
        vouch_zone_load_text(zone, z.ptr, z.len, "scenarios", &err) != 0 ||
        vouch_resolver_new_zone(&res, ctx, zone) != 0) {
        fprintf(stderr, "zone: %s\n", err.msg);
        return 1;
    }
    for (i = 0; i < nsets; i++) {
        json_array_foreach(json_object_get(sets[i], "scenarios"), k, sc)
        {
            const char *dom = json_string_value(json_object_get(sc, "domain"));

            run_one(ctx, res, sc, dom);
            if (strcmp(dom, "good.loc") == 0) {
                run_one(ctx, res, sc, "good.loc.");
                run_one(ctx, res, sc, "GOOD.loc");
            }
        }
        json_decref(sets[i]);
    }
    http_direct(ctx);
    threads(ctx, res);
    vouch_resolver_free(res);
    vouch_buf_dispose(&z);
    vouch_ctx_free(ctx);
    printf("%u passed, %u failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
