/* SPDX-License-Identifier: MIT */
/*
 * cli/check.c - `vouch check DOMAIN...`: audit domains (vouch/audit.h) and
 * print a graded report, one JSON object (--json) or one JSON line per
 * domain (--jsonl).
 *
 * Bulk: --from FILE|- reads one domain a line ('#' comments, blank lines
 * skipped); --jobs N audits N domains at a time, sharing one context and
 * one cached resolver (both thread-safe). With --no-fetch and no
 * --smtp-probe (DNS is then all an audit waits for) that is one thread per
 * CPU, each running its share of the N as lanes on libunbound's event API
 * (vouch/dns.h), or, without libunbound (--zone), one domain at a time;
 * otherwise N threads, as fetches and probes block. Output is in
 * input order: finished results wait in a reorder window of 4 x N slots,
 * and a worker does not start a domain more than the window ahead of the
 * oldest unprinted one, so memory stays bounded whatever the input size.
 * A domain that cannot be checked gives {"domain", "error"} and the run
 * goes on; the exit status is then 1. Progress goes to stderr only when it
 * is a terminal.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define CHECK_LINE_MAX   1024 /* an input line; longer is an error */
#define CHECK_JOBS_MAX   256
#define CHECK_WINDOW_PER 4
#define CHECK_MS_MAX     600000

typedef struct check_opts {
    cli_global_t g;
    const char *selectors[VOUCH_AUDIT_SELECTORS_MAX];
    size_t nselectors;
    bool no_discovery;
    bool no_fetch;
    const char *https_ca;
    const char *bimi_selector;
    const char *bimi_trust;
    const char *connect_to[VOUCH_AUDIT_CONNECT_TO_MAX];
    size_t nconnect_to;
    bool smtp_probe;
    unsigned smtp_timeout_ms;
    const char *smtp_ehlo;
    unsigned timeout_ms; /* per domain; 0: the library's 30 s */
    bool jsonl;
    const char *from;
    unsigned jobs;
    char **names; /* positional domains */
    size_t nnames;
} check_opts_t;

/* Where domains come from: the command line, then --from. */
typedef struct source {
    const check_opts_t *o;
    size_t next_name;
    FILE *in;
    bool error; /* reading --from failed */
} source_t;

typedef struct item {
    char input[CHECK_LINE_MAX + 1];
    bool too_long;
    bool ready;
    int rc;
    char msg[VOUCH_ERROR_MSG_MAX + 64];
    vouch_audit_result_t *res;
} item_t;

typedef struct runner {
    const check_opts_t *o;
    vouch_ctx_t *ctx;
    vouch_resolver_t *resolver;
    vouch_audit_options_t aopts;
    bool out_tty, err_tty;
    unsigned long done, failed;
    bool write_error;
} runner_t;

static void
check_usage(FILE *f)
{
    fprintf(f,
            "usage: vouch check [OPTIONS] DOMAIN...\n"
            "       vouch check --from FILE|- [--jobs N] [--jsonl] "
            "[OPTIONS]\n\n"
            "Audit the mail setup of domains: MX, SPF, DKIM, DMARC, DNSSEC, "
            "DANE,\nMTA-STS, TLS-RPT and BIMI; print a graded report with the "
            "records to\npublish (docs/check.md).\n\n"
            "  --selector S      a DKIM selector to check (repeatable, at "
            "most %d)\n"
            "  --no-discovery    do not try the well-known selectors of big "
            "providers\n"
            "  --no-fetch        fetch nothing over HTTPS (MTA-STS policy, "
            "BIMI logo and\n"
            "                    certificate): judge the TXT records only\n"
            "  --https-ca FILE   trust the CAs in FILE (PEM) for the HTTPS "
            "fetches\n"
            "                    and the SMTP probe\n"
            "  --https-connect-to HOST:PORT:ADDR:PORT\n"
            "                    connect there instead (repeatable, at most "
            "%d); the\n"
            "                    certificate is still checked for HOST; "
            "PORT 25 (or\n"
            "                    empty) also maps the SMTP probe\n"
            "  --bimi-selector NAME\n"
            "                    the BIMI record is NAME._bimi.DOMAIN "
            "(default: default)\n"
            "  --bimi-trust FILE check BIMI mark certificates (VMC/CMC) "
            "against the\n"
            "                    issuers in FILE (PEM); without it their "
            "chain is not\n"
            "                    checked\n"
            "  --smtp-probe      connect to each MX host on port 25: "
            "STARTTLS and its\n"
            "                    certificate for the MX name (CAs: "
            "--https-ca)\n"
            "  --smtp-timeout MS time for one probe (default 10000, at "
            "most %d)\n"
            "  --smtp-ehlo NAME  the probes' EHLO name (default: this "
            "host's name)\n"
            "  --timeout MS      time for one domain, fetches and probes "
            "included\n"
            "                    (default 30000, 1000-%d)\n"
            "  --jsonl           one JSON object per line per domain\n"
            "  --from FILE|-     read domains from FILE (one a line), - for "
            "stdin\n"
            "  --jobs N          audit N domains at a time (1-%d, default "
            "1);\n"
            "                    output stays in input order; with "
            "--no-fetch the N\n"
            "                    share one thread per CPU (lanes), so N may "
            "be large\n\n%s",
            VOUCH_AUDIT_SELECTORS_MAX, VOUCH_AUDIT_CONNECT_TO_MAX, CHECK_MS_MAX,
            CHECK_MS_MAX, CHECK_JOBS_MAX, cli_global_help);
}

static size_t
colons(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++) {
        n += *s == ':';
    }
    return n;
}

static int
parse_args(check_opts_t *o, int argc, char **argv)
{
    enum {
        OPT_SELECTOR = OPT_GLOBAL_END,
        OPT_NO_DISCOVERY,
        OPT_NO_FETCH,
        OPT_HTTPS_CA,
        OPT_CONNECT_TO,
        OPT_BIMI_SELECTOR,
        OPT_BIMI_TRUST,
        OPT_SMTP_PROBE,
        OPT_SMTP_TIMEOUT,
        OPT_SMTP_EHLO,
        OPT_TIMEOUT,
        OPT_JSONL,
        OPT_FROM,
        OPT_JOBS
    };
    static const struct option longopts[] = {
        CLI_GLOBAL_OPTIONS,
        { "selector", required_argument, NULL, OPT_SELECTOR },
        { "no-discovery", no_argument, NULL, OPT_NO_DISCOVERY },
        { "no-fetch", no_argument, NULL, OPT_NO_FETCH },
        { "https-ca", required_argument, NULL, OPT_HTTPS_CA },
        { "https-connect-to", required_argument, NULL, OPT_CONNECT_TO },
        { "bimi-selector", required_argument, NULL, OPT_BIMI_SELECTOR },
        { "bimi-trust", required_argument, NULL, OPT_BIMI_TRUST },
        { "smtp-probe", no_argument, NULL, OPT_SMTP_PROBE },
        { "smtp-timeout", required_argument, NULL, OPT_SMTP_TIMEOUT },
        { "smtp-ehlo", required_argument, NULL, OPT_SMTP_EHLO },
        { "timeout", required_argument, NULL, OPT_TIMEOUT },
        { "jsonl", no_argument, NULL, OPT_JSONL },
        { "from", required_argument, NULL, OPT_FROM },
        { "jobs", required_argument, NULL, OPT_JOBS },
        { NULL, 0, NULL, 0 },
    };
    int c;

    o->jobs = 1;
    while ((c = cli_next_option(&o->g, "check", argc, argv, longopts)) > 0) {
        switch (c) {
        case OPT_SELECTOR:
            if (o->nselectors == VOUCH_AUDIT_SELECTORS_MAX) {
                cli_error("check: at most %d --selector",
                          VOUCH_AUDIT_SELECTORS_MAX);
                return CLI_USAGE;
            }
            if (!vouch_audit_selector_ok(optarg)) {
                cli_error("check: --selector wants a DKIM selector (DNS "
                          "labels of letters, digits, '-', '_'; at most %d), "
                          "not '%s'",
                          VOUCH_AUDIT_SELECTOR_LEN, optarg);
                return CLI_USAGE;
            }
            o->selectors[o->nselectors++] = optarg;
            break;
        case OPT_NO_DISCOVERY:
            o->no_discovery = true;
            break;
        case OPT_NO_FETCH:
            o->no_fetch = true;
            break;
        case OPT_HTTPS_CA:
            o->https_ca = optarg;
            break;
        case OPT_CONNECT_TO:
            if (o->nconnect_to == VOUCH_AUDIT_CONNECT_TO_MAX) {
                cli_error("check: at most %d --https-connect-to",
                          VOUCH_AUDIT_CONNECT_TO_MAX);
                return CLI_USAGE;
            }
            if (colons(optarg) < 3) {
                cli_error("check: --https-connect-to wants "
                          "HOST:PORT:ADDR:PORT, not '%s'",
                          optarg);
                return CLI_USAGE;
            }
            o->connect_to[o->nconnect_to++] = optarg;
            break;
        case OPT_BIMI_SELECTOR:
            if (!vouch_audit_selector_ok(optarg)) {
                cli_error("check: --bimi-selector wants a DNS label (letters, "
                          "digits, '-', '_'; at most %d), not '%s'",
                          VOUCH_AUDIT_SELECTOR_LEN, optarg);
                return CLI_USAGE;
            }
            o->bimi_selector = optarg;
            break;
        case OPT_BIMI_TRUST:
            o->bimi_trust = optarg;
            break;
        case OPT_SMTP_PROBE:
            o->smtp_probe = true;
            break;
        case OPT_SMTP_TIMEOUT:
            if (cli_parse_uint(optarg, CHECK_MS_MAX, &o->smtp_timeout_ms) !=
                    0 ||
                o->smtp_timeout_ms == 0) {
                cli_error("check: --smtp-timeout wants milliseconds (1-%d), "
                          "not '%s'",
                          CHECK_MS_MAX, optarg);
                return CLI_USAGE;
            }
            break;
        case OPT_SMTP_EHLO:
            if (!vouch_http_ehlo_ok(optarg)) {
                cli_error("check: --smtp-ehlo wants a host name, not '%s'",
                          optarg);
                return CLI_USAGE;
            }
            o->smtp_ehlo = optarg;
            break;
        case OPT_TIMEOUT:
            if (cli_parse_uint(optarg, CHECK_MS_MAX, &o->timeout_ms) != 0 ||
                o->timeout_ms < 1000) {
                cli_error("check: --timeout wants milliseconds (1000-%d), "
                          "not '%s'",
                          CHECK_MS_MAX, optarg);
                return CLI_USAGE;
            }
            break;
        case OPT_JSONL:
            o->jsonl = true;
            break;
        case OPT_FROM:
            o->from = optarg;
            break;
        case OPT_JOBS:
            if (cli_parse_uint(optarg, CHECK_JOBS_MAX, &o->jobs) != 0 ||
                o->jobs == 0) {
                cli_error("check: --jobs wants 1-%d, not '%s'", CHECK_JOBS_MAX,
                          optarg);
                return CLI_USAGE;
            }
            break;
        }
    }
    if (c == CLI_OPT_HELP) {
        check_usage(stdout);
        return -1;
    }
    if (c == CLI_OPT_USAGE) {
        return CLI_USAGE;
    }
    o->names = argv + optind;
    o->nnames = (size_t)(argc - optind);
    if (o->nnames == 0 && o->from == NULL) {
        cli_error("check: name a DOMAIN or use --from FILE");
        return CLI_USAGE;
    }
    if (o->jsonl && o->g.json) {
        cli_error("check: --json and --jsonl exclude each other");
        return CLI_USAGE;
    }
    if (!o->smtp_probe && (o->smtp_timeout_ms != 0 || o->smtp_ehlo != NULL)) {
        cli_error("check: --smtp-timeout and --smtp-ehlo need --smtp-probe");
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* The next domain into it: 1, or 0 at the end. Blank lines and '#'
 * comments are skipped, spaces around a name trimmed. */
static int
source_next(source_t *s, item_t *it)
{
    char line[CHECK_LINE_MAX + 2];
    size_t n, start;
    int ch;

    it->too_long = false;
    if (s->next_name < s->o->nnames) {
        const char *name = s->o->names[s->next_name++];

        n = strlen(name);
        it->too_long = n > CHECK_LINE_MAX;
        memcpy(it->input, name, it->too_long ? CHECK_LINE_MAX : n);
        it->input[it->too_long ? CHECK_LINE_MAX : n] = '\0';
        return 1;
    }
    while (s->in != NULL && fgets(line, sizeof(line), s->in) != NULL) {
        n = strlen(line);
        if (n > 0 && line[n - 1] == '\n') {
            line[--n] = '\0';
        } else if (n > CHECK_LINE_MAX) {
            /* over-long line: keep the head, drop the rest */
            while ((ch = fgetc(s->in)) != EOF && ch != '\n') {
            }
            it->too_long = true;
            n = CHECK_LINE_MAX;
            line[n] = '\0';
        }
        while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t' ||
                         line[n - 1] == '\r')) {
            line[--n] = '\0';
        }
        for (start = 0; line[start] == ' ' || line[start] == '\t'; start++) {
        }
        if (line[start] == '\0' || line[start] == '#') {
            it->too_long = false;
            continue;
        }
        memcpy(it->input, line + start, n - start + 1);
        return 1;
    }
    if (s->in != NULL && ferror(s->in)) {
        s->error = true;
    }
    return 0;
}

static void
run_item(runner_t *r, item_t *it)
{
    vouch_error_t err;

    it->res = NULL;
    it->msg[0] = '\0';
    if (it->too_long) {
        it->rc = VOUCH_ESYNTAX;
        (void)snprintf(it->msg, sizeof(it->msg), "input longer than %d bytes",
                       CHECK_LINE_MAX);
        return;
    }
    vouch_error_clear(&err);
    it->rc = vouch_audit_run(&it->res, r->ctx, r->resolver, &r->aopts,
                             it->input, strlen(it->input), &err);
    if (it->rc != 0) {
        (void)snprintf(it->msg, sizeof(it->msg), "not checked: %s",
                       err.msg[0] != '\0' ? err.msg : vouch_strerror(it->rc));
    }
}

/* Print one item (and free its result). */
static void
emit(runner_t *r, item_t *it)
{
    const check_opts_t *o = r->o;
    bool json = o->g.json || o->jsonl;

    if (it->rc != 0) {
        r->failed++;
        if (json) {
            r->write_error |=
                cli_json_print(stdout, check_error_json(it->input, it->msg),
                               o->g.json) != 0;
        } else {
            cli_error("%s: %s", it->input, it->msg);
        }
    } else if (json) {
        r->write_error |=
            cli_json_print(stdout, check_json(it->res), o->g.json) != 0;
    } else {
        if (r->done > 0) {
            fputc('\n', stdout);
        }
        check_human(stdout, it->res, r->out_tty);
        r->write_error |= ferror(stdout) != 0;
    }
    vouch_audit_result_free(it->res);
    it->res = NULL;
    r->done++;
    if (r->err_tty && o->from != NULL && r->done % 100 == 0) {
        fprintf(stderr, "\r%lu checked", r->done);
    }
}

/* ---- the pool ------------------------------------------------------------ */

typedef struct pool {
    runner_t *r;
    source_t *src;
    pthread_mutex_t mu;
    pthread_cond_t ready; /* a result arrived, or the input ended */
    pthread_cond_t space; /* the window moved */
    item_t *ring;
    size_t window;
    size_t next_in;  /* sequence number of the next domain read */
    size_t next_out; /* sequence number of the next domain printed */
    bool eof;
    bool stop; /* the printer gave up (write error) */
} pool_t;

/* Take the next domain into it, numbered *seq: 1 taken; 0 the input ended
 * or the printer stopped; -1 the window is full. Holding p->mu. */
static int
pool_take(pool_t *p, item_t *it, size_t *seq)
{
    if (p->eof || p->stop) {
        return 0;
    }
    if (p->next_in >= p->next_out + p->window) {
        return -1;
    }
    if (source_next(p->src, it) == 0) {
        p->eof = true;
        pthread_cond_broadcast(&p->ready);
        pthread_cond_broadcast(&p->space);
        return 0;
    }
    *seq = p->next_in++;
    return 1;
}

/* Hand a checked domain to the printer. Holding p->mu. */
static void
pool_put(pool_t *p, const item_t *it, size_t seq)
{
    p->ring[seq % p->window] = *it;
    p->ring[seq % p->window].ready = true;
    pthread_cond_broadcast(&p->ready);
}

/* A thread checking one domain at a time. */
static void
pool_work(pool_t *p)
{
    item_t tmp;
    size_t seq;
    int took;

    pthread_mutex_lock(&p->mu);
    while ((took = pool_take(p, &tmp, &seq)) != 0) {
        if (took < 0) {
            pthread_cond_wait(&p->space, &p->mu);
            continue;
        }
        pthread_mutex_unlock(&p->mu);
        run_item(p->r, &tmp);
        pthread_mutex_lock(&p->mu);
        pool_put(p, &tmp, seq);
    }
    pthread_mutex_unlock(&p->mu);
}

/* One domain of a lane: a lane must not sleep on the window (the domain
 * the printer waits for may be in another lane of this thread), so a full
 * window makes it idle. */
static vouch_lane_step_t
lane_job(void *payload)
{
    pool_t *p = payload;
    item_t tmp;
    size_t seq;
    int took;

    pthread_mutex_lock(&p->mu);
    took = pool_take(p, &tmp, &seq);
    pthread_mutex_unlock(&p->mu);
    if (took <= 0) {
        return took < 0 ? VOUCH_LANE_IDLE : VOUCH_LANE_DONE;
    }
    run_item(p->r, &tmp);
    pthread_mutex_lock(&p->mu);
    pool_put(p, &tmp, seq);
    pthread_mutex_unlock(&p->mu);
    return VOUCH_LANE_MORE;
}

typedef struct worker {
    pool_t *pool;
    unsigned lanes; /* 0: one domain at a time */
} worker_t;

/* A thread running its share of the jobs as lanes (vouch/dns.h), or,
 * without lanes or when the resolver has none, one domain at a time. */
static void *
worker(void *arg)
{
    worker_t *w = arg;
    vouch_error_t err;
    int rc = VOUCH_EINVAL;

    vouch_error_clear(&err);
    if (w->lanes > 0) {
        rc = vouch_resolver_lanes_run(w->pool->r->resolver, w->lanes, lane_job,
                                      w->pool, &err);
    }
    if (rc != 0) {
        if (rc != VOUCH_EINVAL) {
            cli_error("check: %s; checking one domain at a time",
                      err.msg[0] != '\0' ? err.msg : vouch_strerror(rc));
        }
        pool_work(w->pool);
    }
    return NULL;
}

/* The CPUs this process may run on (at least 1). */
static unsigned
usable_cpus(void)
{
    cpu_set_t set;
    int n;

    if (sched_getaffinity(0, sizeof(set), &set) != 0 ||
        (n = CPU_COUNT(&set)) < 1) {
        return 1;
    }
    return (unsigned)n;
}

static int
run_pool(runner_t *r, source_t *src, unsigned jobs)
{
    pool_t p;
    pthread_t tids[CHECK_JOBS_MAX];
    worker_t workers[CHECK_JOBS_MAX];
    unsigned cpus = usable_cpus(), threads = jobs, started = 0, i;
    /* only DNS switches lanes: HTTPS fetches and SMTP probes block their
     * thread, so with them every domain keeps a thread of its own */
    bool lanes = r->aopts.no_fetch && !r->aopts.smtp_probe;
    item_t *it;

    memset(&p, 0, sizeof(p));
    p.r = r;
    p.src = src;
    p.window = (size_t)jobs * CHECK_WINDOW_PER;
    p.ring = calloc(p.window, sizeof(*p.ring));
    if (p.ring == NULL) {
        cli_error("out of memory");
        return CLI_ERROR;
    }
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.ready, NULL);
    pthread_cond_init(&p.space, NULL);
    /* lanes: one thread per CPU, the jobs shared out among them */
    if (lanes && cpus < jobs) {
        threads = cpus;
    }
    for (i = 0; i < threads; i++) {
        workers[i].pool = &p;
        workers[i].lanes = lanes ? jobs / threads + (i < jobs % threads) : 0;
        if (pthread_create(&tids[i], NULL, worker, &workers[i]) != 0) {
            break;
        }
        started++;
    }
    pthread_mutex_lock(&p.mu);
    if (started == 0) {
        p.stop = true;
        cli_error("check: cannot start threads: %s", strerror(errno));
    }
    while (!p.stop) {
        it = &p.ring[p.next_out % p.window];
        while (!it->ready && !(p.eof && p.next_out == p.next_in)) {
            pthread_cond_wait(&p.ready, &p.mu);
        }
        if (!it->ready) {
            break; /* input ended and everything is printed */
        }
        pthread_mutex_unlock(&p.mu);
        emit(r, it); /* only the printer touches a ready slot */
        pthread_mutex_lock(&p.mu);
        it->ready = false;
        p.next_out++;
        p.stop = r->write_error;
        pthread_cond_broadcast(&p.space);
    }
    pthread_mutex_unlock(&p.mu);
    for (i = 0; i < started; i++) {
        pthread_join(tids[i], NULL);
    }
    for (i = 0; i < p.window; i++) {
        vouch_audit_result_free(p.ring[i].res);
    }
    pthread_cond_destroy(&p.space);
    pthread_cond_destroy(&p.ready);
    pthread_mutex_destroy(&p.mu);
    free(p.ring);
    return started == 0 ? CLI_ERROR : CLI_OK;
}

static int
run_serial(runner_t *r, source_t *src)
{
    item_t *it = malloc(sizeof(*it));

    if (it == NULL) {
        cli_error("out of memory");
        return CLI_ERROR;
    }
    while (!r->write_error && source_next(src, it) == 1) {
        run_item(r, it);
        emit(r, it);
    }
    free(it);
    return CLI_OK;
}

int
cli_cmd_check(int argc, char **argv)
{
    check_opts_t o;
    runner_t r;
    source_t src;
    vouch_audit_options_t aopts = VOUCH_AUDIT_OPTIONS_INIT;
    int rc;

    memset(&o, 0, sizeof(o));
    rc = parse_args(&o, argc, argv);
    if (rc != CLI_OK) {
        if (rc == CLI_USAGE) {
            fprintf(stderr, "try 'vouch check --help'\n");
        }
        return rc < 0 ? CLI_OK : rc;
    }
    if (o.https_ca != NULL && access(o.https_ca, R_OK) != 0) {
        cli_error("check: cannot read --https-ca %s: %s", o.https_ca,
                  strerror(errno));
        return CLI_ERROR;
    }
    if (o.bimi_trust != NULL && access(o.bimi_trust, R_OK) != 0) {
        cli_error("check: cannot read --bimi-trust %s: %s", o.bimi_trust,
                  strerror(errno));
        return CLI_ERROR;
    }
    memset(&src, 0, sizeof(src));
    src.o = &o;
    if (o.from != NULL) {
        src.in = strcmp(o.from, "-") == 0 ? stdin : fopen(o.from, "r");
        if (src.in == NULL) {
            cli_error("check: cannot open %s: %s", o.from, strerror(errno));
            return CLI_ERROR;
        }
    }
    memset(&r, 0, sizeof(r));
    r.o = &o;
    r.out_tty = isatty(STDOUT_FILENO) == 1 && getenv("NO_COLOR") == NULL;
    r.err_tty = isatty(STDERR_FILENO) == 1;
    aopts.selectors = o.selectors;
    aopts.nselectors = o.nselectors;
    aopts.discovery = !o.no_discovery;
    aopts.no_fetch = o.no_fetch;
    aopts.https_ca = o.https_ca;
    aopts.https_connect_to = o.connect_to;
    aopts.nconnect_to = o.nconnect_to;
    aopts.bimi_selector = o.bimi_selector;
    aopts.bimi_trust = o.bimi_trust;
    aopts.smtp_probe = o.smtp_probe;
    aopts.smtp_timeout_ms = o.smtp_timeout_ms;
    aopts.smtp_ehlo = o.smtp_ehlo;
    aopts.timeout_ms = o.timeout_ms;
    r.aopts = aopts;
    if ((r.ctx = cli_make_ctx(&o.g)) == NULL) {
        rc = CLI_ERROR;
    } else {
        o.g.root_anchor = true; /* the DNSSEC area needs validation */
        rc = cli_make_resolver(&r.resolver, r.ctx, &o.g);
    }
    if (rc == CLI_OK) {
        rc = o.jobs > 1 ? run_pool(&r, &src, o.jobs) : run_serial(&r, &src);
    }
    if (r.err_tty && o.from != NULL && r.done >= 100) {
        fprintf(stderr, "\r%lu checked\n", r.done);
    }
    if (rc == CLI_OK && src.error) {
        cli_error("check: reading %s: %s", o.from, strerror(errno));
        rc = CLI_ERROR;
    }
    if (rc == CLI_OK && (r.write_error || fflush(stdout) != 0)) {
        cli_error("check: cannot write the output");
        rc = CLI_ERROR;
    }
    if (rc == CLI_OK && r.failed > 0) {
        rc = CLI_ERROR;
    }
    if (src.in != NULL && src.in != stdin) {
        fclose(src.in);
    }
    vouch_resolver_free(r.resolver);
    vouch_ctx_free(r.ctx);
    return rc;
}
