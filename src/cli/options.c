/* SPDX-License-Identifier: MIT */
/*
 * cli/options.c - the global options every subcommand takes, and the
 * resolver and context they describe.
 *
 * --zone FILE (repeatable) is a closed world: only those names exist.
 * --overlay FILE answers the names it holds and sends the rest to live DNS.
 * Otherwise live DNS through libunbound: the system's resolv.conf, or
 * --resolver ADDR[@PORT], validating DNSSEC with --trust-anchor FILE.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

const char cli_global_help[] =
    "DNS and global options:\n"
    "  --zone FILE            answer DNS from this master file (repeatable;\n"
    "                         closed world: names not in the files do not "
    "exist)\n"
    "  --overlay FILE         names in FILE replace live DNS, the rest is "
    "live\n"
    "  --resolver ADDR[@PORT] send queries to this resolver (default: the\n"
    "                         servers of /etc/resolv.conf)\n"
    "  --trust-anchor FILE    validate DNSSEC with these DS/DNSKEY records\n"
    "                         ('none': do not validate; vouch check uses\n"
    "                         " CLI_ROOT_ANCHOR " when it exists)\n"
    "  --unbound-conf FILE    extra libunbound configuration\n"
    "  --dns-timeout MS       per-query timeout in milliseconds (default "
    "5000)\n"
    "  --now UNIX_TIME        pin the clock (for %{t}, tests and replays)\n"
    "  --json                 print JSON\n";

void
cli_error(const char *fmt, ...)
{
    va_list ap;

    fputs("vouch: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* A whole decimal number in [0, max]; false if arg is anything else. */
static bool
parse_number(const char *arg, unsigned long long max, unsigned long long *out)
{
    unsigned long long v = 0;
    const char *p = arg;

    if (*p == '\0') {
        return false;
    }
    for (; *p != '\0'; p++) {
        if (*p < '0' || *p > '9') {
            return false;
        }
        if (v > (max - (unsigned)(*p - '0')) / 10) {
            return false;
        }
        v = v * 10 + (unsigned)(*p - '0');
    }
    *out = v;
    return true;
}

/* Handle option code c with argument arg if it is a global option.
 * Returns 1 handled, 0 not a global option, -1 bad value (message
 * printed). */
static int
global_option(cli_global_t *g, int c, const char *arg)
{
    unsigned long long v;

    switch (c) {
    case OPT_ZONE:
        if (g->nzones == CLI_ZONES_MAX) {
            cli_error("at most %d --zone files", CLI_ZONES_MAX);
            return -1;
        }
        g->zones[g->nzones++] = arg;
        return 1;
    case OPT_OVERLAY:
        g->overlay = arg;
        return 1;
    case OPT_RESOLVER:
        g->resolver = arg;
        return 1;
    case OPT_TRUST_ANCHOR:
        g->trust_anchor = arg;
        return 1;
    case OPT_UNBOUND_CONF:
        g->unbound_conf = arg;
        return 1;
    case OPT_DNS_TIMEOUT:
        if (!parse_number(arg, 600000, &v) || v == 0) {
            cli_error("--dns-timeout wants milliseconds (1-600000), not '%s'",
                      arg);
            return -1;
        }
        g->dns_timeout_ms = (unsigned)v;
        return 1;
    case OPT_JSON:
        g->json = true;
        return 1;
    case OPT_NOW:
        if (!parse_number(arg, (unsigned long long)INT64_MAX, &v)) {
            cli_error("--now wants a Unix time in seconds, not '%s'", arg);
            return -1;
        }
        g->now = (int64_t)v;
        g->now_set = true;
        return 1;
    default:
        return 0;
    }
}

int
cli_next_option(cli_global_t *g, const char *cmd, int argc, char **argv,
                const struct option *longopts)
{
    int c, k;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if ((k = global_option(g, c, optarg)) > 0) {
            continue;
        }
        if (k < 0) {
            return CLI_OPT_USAGE;
        }
        if (c == 'h') {
            return CLI_OPT_HELP;
        }
        if (c == ':' || c == '?') {
            cli_error("%s: %s '%s'", cmd,
                      c == ':' ? "missing value for" : "unknown option",
                      argv[optind - 1]);
            return CLI_OPT_USAGE;
        }
        return c;
    }
    return CLI_OPT_END;
}

static int64_t
fixed_clock(void *payload)
{
    return *(const int64_t *)payload;
}

vouch_ctx_t *
cli_make_ctx(const cli_global_t *g)
{
    vouch_ctx_t *ctx;

    if (vouch_ctx_new(&ctx, NULL) != 0) {
        cli_error("out of memory");
        return NULL;
    }
    if (g->now_set) {
        /* g outlives the context: the command keeps both until exit */
        vouch_ctx_set_clock(ctx, fixed_clock, (void *)(uintptr_t)&g->now);
    }
    return ctx;
}

static int
load_zone(vouch_zone_t *zone, const char *path)
{
    vouch_error_t err;
    int rc;

    vouch_error_clear(&err);
    rc = vouch_zone_load_file(zone, path, &err);
    if (rc != 0) {
        cli_error("%s", err.msg[0] != '\0' ? err.msg : vouch_strerror(rc));
        return CLI_ERROR;
    }
    return CLI_OK;
}

static int
make_live(vouch_resolver_t **out, vouch_ctx_t *ctx, const cli_global_t *g)
{
    vouch_unbound_options_t opts = VOUCH_UNBOUND_OPTIONS_INIT;
    vouch_error_t err;
    int rc;

    opts.forwarder = g->resolver;
    opts.trust_anchor_file = g->trust_anchor;
    if (g->trust_anchor != NULL && strcmp(g->trust_anchor, "none") == 0) {
        opts.trust_anchor_file = NULL;
    } else if (g->trust_anchor == NULL && g->root_anchor &&
               access(CLI_ROOT_ANCHOR, R_OK) == 0) {
        opts.trust_anchor_file = CLI_ROOT_ANCHOR;
    }
    opts.config_file = g->unbound_conf;
    opts.timeout_ms = g->dns_timeout_ms;
    vouch_error_clear(&err);
    rc = vouch_resolver_new_unbound(out, ctx, &opts, &err);
    if (rc != 0) {
        cli_error("DNS resolver: %s",
                  err.msg[0] != '\0' ? err.msg : vouch_strerror(rc));
        return rc == VOUCH_EINVAL ? CLI_USAGE : CLI_ERROR;
    }
    return CLI_OK;
}

int
cli_make_resolver(vouch_resolver_t **out, vouch_ctx_t *ctx,
                  const cli_global_t *g)
{
    vouch_zone_t *zone = NULL;
    vouch_resolver_t *r = NULL, *live = NULL;
    size_t i;
    int rc;

    *out = NULL;
    if (g->nzones > 0 && (g->overlay != NULL || g->resolver != NULL ||
                          g->trust_anchor != NULL)) {
        cli_error("--zone is a closed world: it cannot be combined with "
                  "--overlay, --resolver or --trust-anchor");
        return CLI_USAGE;
    }
    if (g->nzones > 0 || g->overlay != NULL) {
        if (vouch_zone_new(&zone, ctx) != 0) {
            cli_error("out of memory");
            return CLI_ERROR;
        }
        for (i = 0; i < g->nzones; i++) {
            if ((rc = load_zone(zone, g->zones[i])) != CLI_OK) {
                vouch_zone_free(zone);
                return rc;
            }
        }
        if (g->overlay != NULL &&
            (rc = load_zone(zone, g->overlay)) != CLI_OK) {
            vouch_zone_free(zone);
            return rc;
        }
    }
    if (g->nzones > 0) {
        rc = vouch_resolver_new_zone(&r, ctx, zone);
    } else {
        if ((rc = make_live(&live, ctx, g)) != CLI_OK) {
            vouch_zone_free(zone);
            return rc;
        }
        if (zone != NULL) {
            rc = vouch_resolver_new_overlay(&r, ctx, zone, live);
        } else {
            r = live;
            rc = 0;
        }
    }
    if (rc == 0) {
        rc = vouch_resolver_enable_cache(r, 65536);
    }
    if (rc != 0) {
        vouch_resolver_free(r);
        cli_error("out of memory");
        return CLI_ERROR;
    }
    *out = r;
    return CLI_OK;
}

int
cli_parse_uint(const char *arg, unsigned max, unsigned *out)
{
    unsigned long long v;

    if (!parse_number(arg, max, &v)) {
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

int
cli_dispatch(const char *cmd, const cli_sub_t *subs, size_t n, int argc,
             char **argv)
{
    size_t i;

    for (i = 0; argc >= 2 && i < n; i++) {
        if (strcmp(argv[1], subs[i].name) == 0) {
            return subs[i].fn(argc - 1, argv + 1);
        }
    }
    if (argc >= 2 &&
        (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: vouch %s", cmd);
        for (i = 0; i < n; i++) {
            printf("%c%s", i == 0 ? ' ' : '|', subs[i].name);
        }
        printf(" [options]\n");
        for (i = 0; i < n; i++) {
            printf("  %-8s %s\n", subs[i].name, subs[i].summary);
        }
        printf("'vouch %s COMMAND --help' tells more.\n", cmd);
        return CLI_OK;
    }
    {
        char list[256];
        size_t len = 0;

        for (i = 0; i < n && len < sizeof(list); i++) {
            int w = snprintf(list + len, sizeof(list) - len, "%s%s",
                             i == 0       ? ""
                             : i + 1 == n ? " or "
                                          : ", ",
                             subs[i].name);

            len += w > 0 ? (size_t)w : 0;
        }
        cli_error("%s: expected %s", cmd, list);
    }
    return CLI_USAGE;
}
