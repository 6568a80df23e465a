/* SPDX-License-Identifier: MIT */
/*
 * cli/spf.c - `vouch spf`: evaluate SPF for one (ip, mail-from, helo), or
 * for every tab-separated line of a batch file (log replay, benchmarks).
 *
 * JSON object (one per evaluation; with --batch one per line, in order):
 *   result, explanation (string or null), mechanism (string or null),
 *   domain, identity, sender, lookups, void_lookups, dnssec, reason,
 *   received_spf; a batch line that cannot be read gives {"line": N,
 *   "error": "..."} instead.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct spf_opts {
    cli_global_t g;
    const char *ip;
    const char *helo;
    const char *mail_from;
    const char *receiver;
    const char *batch;
    bool check_helo;
} spf_opts_t;

static void
spf_usage(FILE *f)
{
    fprintf(f,
            "usage: vouch spf --ip IP --helo NAME [--mail-from ADDR] "
            "[--receiver NAME] [options]\n"
            "       vouch spf --batch FILE|- [options]\n\n"
            "Evaluate SPF (RFC 7208) for an SMTP client. An empty or absent "
            "--mail-from\nchecks the HELO identity (postmaster@NAME). "
            "--batch reads lines\n'ip<TAB>mail-from<TAB>helo' and prints one "
            "JSON object per line.\n\n"
            "  --ip IP            address of the SMTP client (IPv4 or IPv6)\n"
            "  --helo NAME        HELO/EHLO name the client gave\n"
            "  --mail-from ADDR   MAIL FROM address (without <>)\n"
            "  --receiver NAME    our host name, for %%{r} and Received-SPF\n"
            "  --identity ID      mailfrom (default; the HELO identity when "
            "there is no\n"
            "                     MAIL FROM) or helo (check the HELO name "
            "even when there is)\n"
            "  --batch FILE|-     evaluate every line of FILE (- = stdin)\n\n"
            "%s",
            cli_global_help);
}

json_t *
cli_spf_json(const vouch_spf_request_t *req, const vouch_spf_result_t *res)
{
    vouch_buf_t hdr;
    json_t *o = json_object();

    if (o == NULL) {
        return NULL;
    }
    vouch_buf_init(&hdr, NULL, 65536);
    json_object_set_new(o, "result",
                        json_string(vouch_spf_code_name(res->code)));
    json_object_set_new(
        o, "explanation",
        res->has_explanation
            ? cli_json_bytes(res->explanation.ptr, res->explanation.len)
            : json_null());
    json_object_set_new(
        o, "mechanism",
        res->mechanism.len > 0
            ? cli_json_bytes(res->mechanism.ptr, res->mechanism.len)
            : json_null());
    json_object_set_new(o, "domain",
                        cli_json_bytes(res->domain, strlen(res->domain)));
    json_object_set_new(o, "identity",
                        json_string(vouch_spf_identity_name(res->identity)));
    json_object_set_new(o, "sender",
                        cli_json_bytes(res->sender.ptr, res->sender.len));
    json_object_set_new(o, "lookups", json_integer(res->lookups));
    json_object_set_new(o, "void_lookups", json_integer(res->void_lookups));
    json_object_set_new(o, "dnssec",
                        json_string(vouch_dnssec_name(res->dnssec)));
    json_object_set_new(o, "reason",
                        cli_json_bytes(res->reason.ptr, res->reason.len));
    if (vouch_spf_received_spf(&hdr, req, res) == 0) {
        json_object_set_new(o, "received_spf",
                            cli_json_bytes(hdr.ptr, hdr.len));
    }
    vouch_buf_dispose(&hdr);
    return o;
}

static void
print_human(const vouch_spf_request_t *req, const vouch_spf_result_t *res)
{
    vouch_buf_t hdr;

    printf("spf: %s\n", vouch_spf_code_name(res->code));
    printf("  identity:    %s (%s)\n", vouch_spf_identity_name(res->identity),
           res->sender.len > 0 ? res->sender.ptr : "-");
    printf("  domain:      %s\n", res->domain[0] != '\0' ? res->domain : "-");
    if (res->mechanism.len > 0) {
        printf("  mechanism:   %s\n", res->mechanism.ptr);
    }
    if (res->has_explanation) {
        printf("  explanation: %s\n", res->explanation.ptr);
    }
    printf("  reason:      %s\n", res->reason.len > 0 ? res->reason.ptr : "-");
    printf("  lookups:     %u DNS-querying terms (limit 10), %u void (limit "
           "2)\n",
           res->lookups, res->void_lookups);
    printf("  dnssec:      %s\n", vouch_dnssec_name(res->dnssec));
    vouch_buf_init(&hdr, NULL, 65536);
    if (vouch_spf_received_spf(&hdr, req, res) == 0) {
        const char *p;

        /* folded with CRLF, shown with the terminal's LF (the value has
         * no other CR: vouch/spf.h) */
        fputs("Received-SPF: ", stdout);
        for (p = hdr.ptr; *p != '\0'; p++) {
            if (*p != '\r') {
                putchar(*p);
            }
        }
        putchar('\n');
    }
    vouch_buf_dispose(&hdr);
}

static vouch_str_t
view(const char *s)
{
    vouch_str_t v = { s, s != NULL ? strlen(s) : 0 };

    return v;
}

/* Evaluate one request and print it. Returns CLI_OK or CLI_ERROR. */
static int
run_one(vouch_ctx_t *ctx, vouch_resolver_t *r, const vouch_spf_request_t *req,
        bool json)
{
    vouch_spf_result_t res;
    vouch_error_t err;
    int rc;

    vouch_spf_result_init(&res, ctx);
    vouch_error_clear(&err);
    rc = vouch_spf_check(&res, ctx, r, req, &err);
    if (rc != 0) {
        cli_error("spf: %s", err.msg[0] != '\0' ? err.msg : vouch_strerror(rc));
        vouch_spf_result_dispose(&res);
        return CLI_ERROR;
    }
    if (json) {
        rc = cli_json_print(stdout, cli_spf_json(req, &res), false);
    } else {
        print_human(req, &res);
    }
    vouch_spf_result_dispose(&res);
    return rc == 0 ? CLI_OK : CLI_ERROR;
}

static int
batch_error(unsigned long line, const char *msg)
{
    json_t *o = json_object();

    json_object_set_new(o, "line", json_integer((json_int_t)line));
    json_object_set_new(o, "error", json_string(msg));
    return cli_json_print(stdout, o, false) == 0 ? CLI_OK : CLI_ERROR;
}

/* One batch line "ip\tmail-from\thelo" (a trailing CR is ignored). */
static int
batch_line(vouch_ctx_t *ctx, vouch_resolver_t *r, const spf_opts_t *o,
           char *line, size_t len, unsigned long lineno)
{
    vouch_spf_request_t req = VOUCH_SPF_REQUEST_INIT;
    char *f[3];
    size_t nf = 0, i, start = 0;

    if (len > 0 && line[len - 1] == '\r') {
        line[--len] = '\0';
    }
    for (i = 0; i <= len && nf < 3; i++) {
        if (i == len || line[i] == '\t') {
            line[i] = '\0';
            f[nf++] = line + start;
            start = i + 1;
        }
    }
    if (nf != 3 || start <= len) {
        return batch_error(lineno, "expected 3 tab-separated fields: "
                                   "ip, mail-from, helo");
    }
    if (vouch_ip_parse(&req.ip, f[0], strlen(f[0])) != 0) {
        return batch_error(lineno, "invalid IP address");
    }
    req.mail_from = view(f[1]);
    req.helo = view(f[2]);
    req.receiver = view(o->receiver);
    req.check_helo = o->check_helo;
    return run_one(ctx, r, &req, true);
}

static int
run_batch(vouch_ctx_t *ctx, vouch_resolver_t *r, const spf_opts_t *o)
{
    FILE *in = stdin;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long lineno = 0;
    int rc = CLI_OK;

    if (strcmp(o->batch, "-") != 0 && (in = fopen(o->batch, "r")) == NULL) {
        cli_error("cannot open %s: %s", o->batch, strerror(errno));
        return CLI_ERROR;
    }
    while (rc == CLI_OK && (n = getline(&line, &cap, in)) >= 0) {
        lineno++;
        if (n > 0 && line[n - 1] == '\n') {
            line[--n] = '\0';
        }
        if (n == 0 || line[0] == '#') {
            continue;
        }
        rc = batch_line(ctx, r, o, line, (size_t)n, lineno);
    }
    if (rc == CLI_OK && ferror(in)) {
        cli_error("reading %s: %s", o->batch, strerror(errno));
        rc = CLI_ERROR;
    }
    free(line);
    if (in != stdin) {
        fclose(in);
    }
    return rc;
}

static int
parse_args(spf_opts_t *o, int argc, char **argv)
{
    enum {
        OPT_IP = OPT_GLOBAL_END,
        OPT_HELO,
        OPT_FROM,
        OPT_RECEIVER,
        OPT_BATCH,
        OPT_IDENTITY
    };
    static const struct option longopts[] = {
        CLI_GLOBAL_OPTIONS,
        { "ip", required_argument, NULL, OPT_IP },
        { "helo", required_argument, NULL, OPT_HELO },
        { "mail-from", required_argument, NULL, OPT_FROM },
        { "receiver", required_argument, NULL, OPT_RECEIVER },
        { "batch", required_argument, NULL, OPT_BATCH },
        { "identity", required_argument, NULL, OPT_IDENTITY },
        { NULL, 0, NULL, 0 },
    };
    int c;

    while ((c = cli_next_option(&o->g, "spf", argc, argv, longopts)) > 0) {
        switch (c) {
        case OPT_IP:
            o->ip = optarg;
            break;
        case OPT_HELO:
            o->helo = optarg;
            break;
        case OPT_FROM:
            o->mail_from = optarg;
            break;
        case OPT_RECEIVER:
            o->receiver = optarg;
            break;
        case OPT_BATCH:
            o->batch = optarg;
            break;
        case OPT_IDENTITY:
            if (strcmp(optarg, "helo") != 0 &&
                strcmp(optarg, "mailfrom") != 0) {
                cli_error("spf: --identity is mailfrom or helo, not '%s'",
                          optarg);
                return CLI_USAGE;
            }
            o->check_helo = strcmp(optarg, "helo") == 0;
            break;
        }
    }
    if (c == CLI_OPT_HELP) {
        spf_usage(stdout);
        return -1;
    }
    if (c == CLI_OPT_USAGE) {
        return CLI_USAGE;
    }
    if (optind < argc) {
        cli_error("spf: unexpected argument '%s'", argv[optind]);
        return CLI_USAGE;
    }
    if (o->batch == NULL && (o->ip == NULL || o->helo == NULL)) {
        cli_error("spf: --ip and --helo are required (or --batch)");
        return CLI_USAGE;
    }
    if (o->batch != NULL &&
        (o->ip != NULL || o->helo != NULL || o->mail_from != NULL)) {
        cli_error("spf: --batch takes its ip, mail-from and helo from the "
                  "file");
        return CLI_USAGE;
    }
    return CLI_OK;
}

int
cli_cmd_spf(int argc, char **argv)
{
    spf_opts_t o;
    vouch_ctx_t *ctx = NULL;
    vouch_resolver_t *r = NULL;
    vouch_spf_request_t req = VOUCH_SPF_REQUEST_INIT;
    int rc;

    memset(&o, 0, sizeof(o));
    rc = parse_args(&o, argc, argv);
    if (rc != CLI_OK) {
        if (rc == CLI_USAGE) {
            fprintf(stderr, "try 'vouch spf --help'\n");
        }
        return rc < 0 ? CLI_OK : rc;
    }
    if (o.ip != NULL && vouch_ip_parse(&req.ip, o.ip, strlen(o.ip)) != 0) {
        cli_error("spf: --ip '%s' is not an IPv4 or IPv6 address", o.ip);
        return CLI_USAGE;
    }
    if ((ctx = cli_make_ctx(&o.g)) == NULL) {
        return CLI_ERROR;
    }
    rc = cli_make_resolver(&r, ctx, &o.g);
    if (rc == CLI_OK) {
        if (o.batch != NULL) {
            rc = run_batch(ctx, r, &o);
        } else {
            req.mail_from = view(o.mail_from);
            req.helo = view(o.helo);
            req.receiver = view(o.receiver);
            req.check_helo = o.check_helo;
            rc = run_one(ctx, r, &req, o.g.json);
        }
    }
    vouch_resolver_free(r);
    vouch_ctx_free(ctx);
    return rc;
}
