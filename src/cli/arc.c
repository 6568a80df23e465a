/* SPDX-License-Identifier: MIT */
/*
 * cli/arc.c - `vouch arc verify | seal` (RFC 8617).
 *
 * verify reads one message (file or stdin) in chunks and prints the chain
 * validation. seal spools the message to a temporary file (the new fields
 * go before it) while streaming it through the sealer, then prints the new
 * ARC set and the message.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CHUNK 65536

static int
parse_uint_arg(const char *arg, unsigned max, unsigned *out)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(arg, &end, 10);
    if (errno != 0 || *arg < '0' || *arg > '9' || *end != '\0' || v > max) {
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

static json_t *
result_json(const vouch_arc_result_t *r)
{
    json_t *o = json_object();

    json_object_set_new(o, "cv", json_string(vouch_arc_cv_name(r->cv)));
    json_object_set_new(o, "sets", json_integer(r->sets));
    json_object_set_new(o, "oldest_pass", json_integer(r->oldest_pass));
    json_object_set_new(o, "reason",
                        cli_json_bytes(r->reason, strlen(r->reason)));
    json_object_set_new(o, "domain",
                        cli_json_bytes(r->domain, strlen(r->domain)));
    json_object_set_new(o, "selector",
                        cli_json_bytes(r->selector, strlen(r->selector)));
    return o;
}

static void
print_result(const vouch_arc_result_t *r)
{
    printf("arc=%s (%u set%s", vouch_arc_cv_name(r->cv), r->sets,
           r->sets == 1 ? "" : "s");
    if (r->domain[0] != '\0') {
        printf(", newest d=%s s=%s", r->domain, r->selector);
    }
    if (r->oldest_pass > 0) {
        printf(", oldest-pass=%u", r->oldest_pass);
    }
    printf("): %s\n", r->reason);
}

/* Open the message argument (NULL or "-": stdin). */
static FILE *
open_input(const char *path)
{
    FILE *f;

    if (path == NULL || strcmp(path, "-") == 0) {
        return stdin;
    }
    if ((f = fopen(path, "rb")) == NULL) {
        cli_error("%s: %s", path, strerror(errno));
    }
    return f;
}

/* ---- verify
 * ------------------------------------------------------------------------ */

static const char verify_help[] =
    "usage: vouch arc verify [FILE|-] [options]\n\n"
    "Validate the ARC chain of a message (RFC 8617 5.2): the ARC sets'\n"
    "structure, the newest ARC-Message-Signature, every ARC-Seal. Prints\n"
    "arc=none|pass|fail with the reason; --json prints {cv, sets,\n"
    "oldest_pass, reason, domain, selector}. RSA keys under 1024 bits and\n"
    "rsa-sha1 fail (RFC 8301) unless allowed.\n\n"
    "  --allow-rsa-sha1     accept rsa-sha1 signatures\n"
    "  --min-rsa-bits N     smallest RSA key accepted (default 1024)\n\n";

static int
cmd_verify(int argc, char **argv)
{
    enum { OPT_SHA1 = OPT_GLOBAL_END, OPT_MINBITS, OPT_HELP };
    static const struct option longopts[] = {
        CLI_GLOBAL_OPTIONS,
        { "allow-rsa-sha1", no_argument, NULL, OPT_SHA1 },
        { "min-rsa-bits", required_argument, NULL, OPT_MINBITS },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 },
    };
    static char buf[CHUNK];
    vouch_arc_verify_options_t vo =
        (vouch_arc_verify_options_t)VOUCH_ARC_VERIFY_OPTIONS_INIT;
    vouch_arc_verifier_t *v = NULL;
    vouch_resolver_t *r = NULL;
    vouch_error_t err;
    vouch_ctx_t *ctx;
    cli_global_t g;
    FILE *in;
    size_t n;
    int c, k, rc;

    memset(&g, 0, sizeof(g));
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if ((k = cli_global_option(&g, c, optarg)) != 0) {
            if (k < 0) {
                return CLI_USAGE;
            }
            continue;
        }
        switch (c) {
        case OPT_SHA1:
            vo.allow_rsa_sha1 = true;
            break;
        case OPT_MINBITS:
            if (parse_uint_arg(optarg, 16384, &vo.min_rsa_bits) != 0) {
                cli_error("arc verify: --min-rsa-bits wants bits, not '%s'",
                          optarg);
                return CLI_USAGE;
            }
            break;
        case 'h':
        case OPT_HELP:
            printf("%s%s", verify_help, cli_global_help);
            return CLI_OK;
        default:
            cli_error("arc verify: %s '%s'",
                      c == ':' ? "missing value for" : "unknown option",
                      argv[optind - 1]);
            return CLI_USAGE;
        }
    }
    if (argc - optind > 1) {
        cli_error("arc verify: one message at a time");
        return CLI_USAGE;
    }
    if ((ctx = cli_make_ctx(&g)) == NULL) {
        return CLI_ERROR;
    }
    if ((rc = cli_make_resolver(&r, ctx, &g)) != CLI_OK) {
        vouch_ctx_free(ctx);
        return rc;
    }
    if ((in = open_input(optind < argc ? argv[optind] : NULL)) == NULL) {
        rc = CLI_ERROR;
    }
    vouch_error_clear(&err);
    if (rc == CLI_OK) {
        k = vouch_arc_verifier_new(&v, ctx, r, &vo, &err);
        while (k == 0 && (n = fread(buf, 1, sizeof(buf), in)) > 0) {
            k = vouch_arc_verifier_feed(v, buf, n, &err);
        }
        if (k == 0 && ferror(in)) {
            cli_error("input: %s", strerror(errno));
            rc = CLI_ERROR;
        } else if (k != 0 || (k = vouch_arc_verifier_finish(v, &err)) != 0) {
            cli_error("arc verify: %s",
                      err.msg[0] != '\0' ? err.msg : vouch_strerror(k));
            rc = CLI_ERROR;
        }
    }
    if (rc == CLI_OK && g.json) {
        rc = cli_json_print(stdout, result_json(vouch_arc_verifier_result(v)),
                            false) == 0
                 ? CLI_OK
                 : CLI_ERROR;
    } else if (rc == CLI_OK) {
        print_result(vouch_arc_verifier_result(v));
    }
    if (in != NULL && in != stdin) {
        fclose(in);
    }
    vouch_arc_verifier_free(v);
    vouch_resolver_free(r);
    vouch_ctx_free(ctx);
    return rc;
}

/* ---- dispatch
 * ------------------------------------------------------------------------ */

int
cli_cmd_arc(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "verify") == 0) {
        return cmd_verify(argc - 1, argv + 1);
    }
    if (argc >= 2 &&
        (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: vouch arc verify|seal [options]\n"
               "  verify   validate the ARC chain of a message\n"
               "  seal     add an ARC set to a message\n"
               "'vouch arc COMMAND --help' tells more.\n");
        return CLI_OK;
    }
    cli_error("arc: expected verify or seal");
    return CLI_USAGE;
}
