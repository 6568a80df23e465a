/* SPDX-License-Identifier: MIT */
/*
 * cli/main.c - the vouch program: dispatch to a subcommand.
 */
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} commands[] = {
    { "spf", cli_cmd_spf, "evaluate SPF (RFC 7208) for a client and sender" },
    { "dkim", cli_cmd_dkim, "verify and sign DKIM (RFC 6376), make keys" },
    { "dmarc", cli_cmd_dmarc,
      "explain DMARC records, find the policy for a domain (RFC 9989)" },
    { "arc", cli_cmd_arc, "validate and seal ARC chains (RFC 8617)" },
    { "verify", cli_cmd_verify,
      "authenticate a message: SPF, DKIM, ARC, DMARC, A-R" },
    { "check", cli_cmd_check,
      "audit a domain's mail setup, grade it, say what to publish" },
    { "setup", cli_cmd_setup,
      "generate the SPF, DKIM, DMARC, MTA-STS and TLS-RPT records to publish" },
};

static void
usage(FILE *f)
{
    size_t i;

    fprintf(f,
            "usage: vouch COMMAND [OPTIONS]\n\n"
            "vouch %s: email authentication (SPF, DKIM, DMARC, ARC, "
            "MTA-STS, TLS-RPT, BIMI).\n\ncommands:\n",
            VOUCH_VERSION_STRING);
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(f, "\n'vouch COMMAND --help' tells more. Exit status: 0 the "
               "command ran (whatever\nthe verdict), 1 operational error, "
               "2 usage error.\n");
}

int
main(int argc, char **argv)
{
    size_t i;

    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("vouch %s\n", VOUCH_VERSION_STRING);
        return CLI_OK;
    }
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            return commands[i].fn(argc - 1, argv + 1);
        }
    }
    cli_error("unknown command '%s'", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
