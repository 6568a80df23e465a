/* SPDX-License-Identifier: MIT */
/*
 * cli/cli.h - what the subcommands of the vouch program share: exit codes,
 * the global options (DNS, clock, output), building a resolver from them,
 * and JSON output helpers.
 */
#ifndef VOUCH_CLI_H
#define VOUCH_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "vouch/vouch.h"

/* DESIGN.md: 0 the command ran (whatever the verdict), 1 an operational
 * error (I/O, resolver unusable), 2 usage. */
#define CLI_OK    0
#define CLI_ERROR 1
#define CLI_USAGE 2

#define CLI_ZONES_MAX 64

/* The root zone's trust anchor (Debian: dns-root-data). */
#define CLI_ROOT_ANCHOR "/usr/share/dns/root.key"

/* Global options, accepted by every subcommand. */
typedef struct cli_global {
    const char *zones[CLI_ZONES_MAX];
    size_t nzones;
    const char *overlay;
    const char *resolver;     /* ADDR[@PORT] */
    const char *trust_anchor; /* "none": no validation */
    /* without --trust-anchor, validate from the root trust anchor of
     * Debian's dns-root-data when it is installed (vouch check) */
    bool root_anchor;
    const char *unbound_conf;
    unsigned dns_timeout_ms;
    bool json;
    bool now_set;
    int64_t now;
} cli_global_t;

/* Option codes of the global options (values above any short option). */
enum {
    OPT_ZONE = 1000,
    OPT_OVERLAY,
    OPT_RESOLVER,
    OPT_TRUST_ANCHOR,
    OPT_UNBOUND_CONF,
    OPT_DNS_TIMEOUT,
    OPT_JSON,
    OPT_NOW,
    OPT_GLOBAL_END
};

/* getopt_long entries of the global options, to splice into a
 * subcommand's table (CLI_GLOBAL_OPTIONS, then the command's own). */
#define CLI_GLOBAL_OPTIONS                                                     \
    { "zone", required_argument, NULL, OPT_ZONE },                             \
        { "overlay", required_argument, NULL, OPT_OVERLAY },                   \
        { "resolver", required_argument, NULL, OPT_RESOLVER },                 \
        { "trust-anchor", required_argument, NULL, OPT_TRUST_ANCHOR },         \
        { "unbound-conf", required_argument, NULL, OPT_UNBOUND_CONF },         \
        { "dns-timeout", required_argument, NULL, OPT_DNS_TIMEOUT },           \
        { "json", no_argument, NULL, OPT_JSON },                               \
        { "now", required_argument, NULL, OPT_NOW },                           \
    {                                                                          \
        "help", no_argument, NULL, 'h'                                         \
    }

/* Help text of the global options, for each command's --help. */
extern const char cli_global_help[];

/* What cli_next_option() returns besides an option code (> 0). */
#define CLI_OPT_END   0  /* no more options: optind is the first operand */
#define CLI_OPT_HELP  -1 /* -h or --help */
#define CLI_OPT_USAGE -2 /* a usage error, message printed */

/*
 * The next of the command's own options in argv, by getopt_long over
 * longopts (CLI_GLOBAL_OPTIONS, which include --help, then the command's
 * own): global options are stored in g and skipped. cmd names the command
 * in messages ("dkim sign"). Returns the option's code (optarg its
 * value), CLI_OPT_END, CLI_OPT_HELP or CLI_OPT_USAGE (an unknown option,
 * a missing value, a bad value of a global option). getopt's state is the
 * process's: one command parses its options once per process.
 */
int cli_next_option(cli_global_t *g, const char *cmd, int argc, char **argv,
                    const struct option *longopts);

/* The context for a command: the --now clock applied. NULL on failure
 * (message printed). */
vouch_ctx_t *cli_make_ctx(const cli_global_t *g);

/*
 * Build the resolver the options ask for: --zone files (closed world),
 * --overlay over live DNS, or live DNS (libunbound) alone; with a cache.
 * Returns CLI_OK, CLI_ERROR (message printed: file and line for zone
 * errors) or CLI_USAGE.
 */
int cli_make_resolver(vouch_resolver_t **out, vouch_ctx_t *ctx,
                      const cli_global_t *g);

/* Print "vouch: <fmt>" to stderr. */
void cli_error(const char *fmt, ...) VOUCH_PRINTF(1, 2);

/* A JSON string from untrusted bytes: UTF-8 kept, other bytes as \xHH
 * text. Never NULL unless out of memory. */
json_t *cli_json_bytes(const char *p, size_t len);

/* Print obj as one line of compact JSON (or indented when pretty) and a
 * newline; consumes the reference. Returns 0 or -1 (I/O). */
int cli_json_print(FILE *f, json_t *obj, bool pretty);

/* A whole decimal number in [0, max] into *out: 0, or -1 if arg is
 * anything else. */
int cli_parse_uint(const char *arg, unsigned max, unsigned *out);

/* The JSON objects of an SPF result (`vouch spf`) and of a DKIM signature
 * (`vouch dkim verify`), shared by `vouch verify`. */
json_t *cli_spf_json(const vouch_spf_request_t *req,
                     const vouch_spf_result_t *res);
json_t *cli_dkim_sig_json(const vouch_dkim_sig_t *s);

/* A command's subcommands ("vouch dkim verify|sign|keygen"). */
typedef struct cli_sub {
    const char *name;
    int (*fn)(int argc, char **argv); /* argv[0] is the subcommand */
    const char *summary;
} cli_sub_t;

/* Run the subcommand argv[1] of command cmd from subs (n of them), or
 * print the list for --help (CLI_OK) or an error (CLI_USAGE). */
int cli_dispatch(const char *cmd, const cli_sub_t *subs, size_t n, int argc,
                 char **argv);

/* Subcommands: argc/argv start at the subcommand name. */
int cli_cmd_spf(int argc, char **argv);
int cli_cmd_dkim(int argc, char **argv);
int cli_cmd_dmarc(int argc, char **argv);
int cli_cmd_arc(int argc, char **argv);
int cli_cmd_verify(int argc, char **argv);
int cli_cmd_check(int argc, char **argv);
int cli_cmd_setup(int argc, char **argv);

#endif
