/* SPDX-License-Identifier: MIT */
/*
 * cli/arc.c - `vouch arc verify | seal` (RFC 8617).
 *
 * verify reads one message (file or stdin) in chunks and prints the chain
 * validation. seal spools the message to a temporary file (the new fields
 * go before it; when this hop's results are computed, a DKIM and an ARC
 * verifier read it on the way), then streams the spool through the sealer
 * and prints the new ARC set and the message.
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
    enum { OPT_SHA1 = OPT_GLOBAL_END, OPT_MINBITS };
    static const struct option longopts[] = {
        CLI_GLOBAL_OPTIONS,
        { "allow-rsa-sha1", no_argument, NULL, OPT_SHA1 },
        { "min-rsa-bits", required_argument, NULL, OPT_MINBITS },
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
    while ((c = cli_next_option(&g, "arc verify", argc, argv, longopts)) > 0) {
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
        }
    }
    if (c == CLI_OPT_HELP) {
        printf("%s%s", verify_help, cli_global_help);
        return CLI_OK;
    }
    if (c == CLI_OPT_USAGE) {
        return CLI_USAGE;
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

/* ---- seal
 * -------------------------------------------------------------------------- */

static const char seal_help[] =
    "usage: vouch arc seal --domain D --selector S --key PEM "
    "--authserv-id ID\n"
    "                      [--authres TEXT | --ip IP --helo NAME "
    "[--mail-from ADDR]]\n"
    "                      [--headers LIST] [--no-timestamp] [FILE|-]\n\n"
    "Validate the ARC chain of a message and add the next ARC set (RFC 8617\n"
    "5.1): print the message with ARC-Seal, ARC-Message-Signature and\n"
    "ARC-Authentication-Results first. The seal's cv= is the validation\n"
    "result; a chain whose newest seal says cv=fail (or that has 50 sets)\n"
    "gets no new set and the message is printed unchanged.\n\n"
    "The AAR carries this hop's results: --authres TEXT as they follow the\n"
    "authserv-id in an Authentication-Results field (\"spf=pass\n"
    "smtp.mailfrom=a.example; dkim=pass header.d=b.example\"); or, with\n"
    "--ip and --helo, vouch computes them: arc= (the chain), spf= (the\n"
    "client IP, HELO and MAIL FROM, RFC 7208) and dkim= (each signature);\n"
    "with neither, \"none\".\n\n"
    "  --domain D           d= of the new AMS and AS\n"
    "  --selector S         s= (the key's selector under _domainkey.D)\n"
    "  --key FILE           private key (RSA: rsa-sha256, Ed25519:\n"
    "                       ed25519-sha256)\n"
    "  --authserv-id ID     the authserv-id of the AAR\n"
    "  --authres TEXT       the results the AAR carries\n"
    "  --ip IP              SMTP client address: compute the results\n"
    "  --helo NAME          HELO/EHLO name (with --ip)\n"
    "  --mail-from ADDR     MAIL FROM address (with --ip; none: null "
    "sender)\n"
    "  --headers LIST       AMS h=, \"from:to:subject\" (default: From, To,\n"
    "                       Cc, Subject, Date, Message-ID, MIME, ... present)\n"
    "  --no-timestamp       no t= on the new AMS and AS\n\n";

typedef struct seal_opts {
    cli_global_t g;
    vouch_arc_seal_options_t so;
    const char *key;
    const char *ip, *helo, *mail_from;
} seal_opts_t;

/* A value that can stand as an RFC 8601 property value here: printable,
 * no space, ';', '(' or quote. */
static bool
token_ok(const char *v)
{
    if (*v == '\0') {
        return false;
    }
    for (; *v != '\0'; v++) {
        if (*v <= ' ' || *v >= 0x7f || strchr(";()\"\\", *v) != NULL) {
            return false;
        }
    }
    return true;
}

/* The first pass: the input to the spool, and, when the results are to
 * be computed, through a DKIM and an ARC verifier. */
static int
spool_input(FILE *in, FILE *spool, bool *crlf, vouch_dkim_verifier_t *dv,
            vouch_arc_verifier_t *av, vouch_error_t *err)
{
    static char buf[CHUNK];
    bool first_line = true;
    size_t n;
    int rc = 0;

    while (rc == 0 && (n = fread(buf, 1, sizeof(buf), in)) > 0) {
        if (first_line) {
            char *lf = memchr(buf, '\n', n);

            if (lf != NULL) {
                *crlf = lf > buf && lf[-1] == '\r';
                first_line = false;
            }
        }
        if (fwrite(buf, 1, n, spool) != n) {
            (void)snprintf(err->msg, sizeof(err->msg), "temporary file: %s",
                           strerror(errno));
            return VOUCH_EIO;
        }
        if (dv != NULL) {
            rc = vouch_dkim_verifier_feed(dv, buf, n, err);
        }
        if (rc == 0 && av != NULL) {
            rc = vouch_arc_verifier_feed(av, buf, n, err);
        }
    }
    if (rc == 0 && ferror(in)) {
        (void)snprintf(err->msg, sizeof(err->msg), "input: %s",
                       strerror(errno));
        return VOUCH_EIO;
    }
    if (rc == 0 && dv != NULL) {
        rc = vouch_dkim_verifier_finish(dv, err);
    }
    if (rc == 0 && av != NULL) {
        rc = vouch_arc_verifier_finish(av, err);
    }
    return rc;
}

/* This hop's results (RFC 8601 resinfo) from the chain, SPF and DKIM. */
static int
compute_authres(vouch_buf_t *out, const seal_opts_t *o, vouch_ctx_t *ctx,
                vouch_resolver_t *r, const vouch_dkim_verifier_t *dv,
                const vouch_arc_verifier_t *av, vouch_error_t *err)
{
    vouch_spf_request_t req = VOUCH_SPF_REQUEST_INIT;
    vouch_spf_result_t res;
    const char *mf = o->mail_from != NULL ? o->mail_from : "";
    size_t i;
    int rc;

    if (vouch_ip_parse(&req.ip, o->ip, strlen(o->ip)) != 0) {
        (void)snprintf(err->msg, sizeof(err->msg), "--ip: not an address");
        return VOUCH_EINVAL;
    }
    req.mail_from = (vouch_str_t){ mf, strlen(mf) };
    req.helo = (vouch_str_t){ o->helo, strlen(o->helo) };
    vouch_spf_result_init(&res, ctx);
    rc = vouch_spf_check(&res, ctx, r, &req, err);
    if (rc == 0) {
        rc = vouch_buf_printf(
            out, "arc=%s; spf=%s",
            vouch_arc_cv_name(vouch_arc_verifier_result(av)->cv),
            vouch_spf_code_name(res.code));
    }
    if (rc == 0 && *mf != '\0') {
        rc = vouch_buf_printf(out, " smtp.mailfrom=%s", mf);
    } else if (rc == 0) {
        rc = vouch_buf_printf(out, " smtp.helo=%s", o->helo);
    }
    vouch_spf_result_dispose(&res);
    for (i = 0; rc == 0 && i < vouch_dkim_verifier_count(dv); i++) {
        const vouch_dkim_sig_t *sig = vouch_dkim_verifier_result(dv, i);

        rc = vouch_buf_printf(out, "; dkim=%s",
                              vouch_dkim_code_name(sig->result));
        if (rc == 0 && token_ok(sig->domain)) {
            rc = vouch_buf_printf(out, " header.d=%s", sig->domain);
        }
        if (rc == 0 && token_ok(sig->selector)) {
            rc = vouch_buf_printf(out, " header.s=%s", sig->selector);
        }
        if (rc == 0 && token_ok(sig->header_b)) {
            rc = vouch_buf_printf(out, " header.b=%s", sig->header_b);
        }
    }
    if (rc == 0 && vouch_dkim_verifier_count(dv) == 0) {
        rc = vouch_buf_puts(out, "; dkim=none");
    }
    return rc;
}

/* The second pass: the spool through the sealer. */
static int
seal_spool(vouch_arc_sealer_t *s, FILE *spool, vouch_buf_t *fields,
           vouch_error_t *err)
{
    static char buf[CHUNK];
    size_t n;
    int rc = 0;

    rewind(spool);
    while (rc == 0 && (n = fread(buf, 1, sizeof(buf), spool)) > 0) {
        rc = vouch_arc_sealer_feed(s, buf, n, err);
    }
    if (rc == 0 && ferror(spool)) {
        (void)snprintf(err->msg, sizeof(err->msg), "temporary file: %s",
                       strerror(errno));
        return VOUCH_EIO;
    }
    return rc == 0 ? vouch_arc_sealer_finish(s, fields, err) : rc;
}

/* The new fields with the message's own line ends, then the message. */
static int
print_sealed(const vouch_buf_t *fields, bool crlf, FILE *spool)
{
    static char buf[CHUNK];
    size_t i, n;

    for (i = 0; i < fields->len; i++) {
        if ((crlf || fields->ptr[i] != '\r') &&
            putchar(fields->ptr[i]) == EOF) {
            return CLI_ERROR;
        }
    }
    rewind(spool);
    while ((n = fread(buf, 1, sizeof(buf), spool)) > 0) {
        if (fwrite(buf, 1, n, stdout) != n) {
            return CLI_ERROR;
        }
    }
    return ferror(spool) ? CLI_ERROR : CLI_OK;
}

static int
seal_args(seal_opts_t *o, int argc, char **argv)
{
    enum {
        OPT_DOMAIN = OPT_GLOBAL_END,
        OPT_SELECTOR,
        OPT_KEY,
        OPT_SRVID,
        OPT_AUTHRES,
        OPT_IP,
        OPT_HELO,
        OPT_MAILFROM,
        OPT_HEADERS,
        OPT_NOTIME
    };
    static const struct option longopts[] = {
        CLI_GLOBAL_OPTIONS,
        { "domain", required_argument, NULL, OPT_DOMAIN },
        { "selector", required_argument, NULL, OPT_SELECTOR },
        { "key", required_argument, NULL, OPT_KEY },
        { "authserv-id", required_argument, NULL, OPT_SRVID },
        { "authres", required_argument, NULL, OPT_AUTHRES },
        { "ip", required_argument, NULL, OPT_IP },
        { "helo", required_argument, NULL, OPT_HELO },
        { "mail-from", required_argument, NULL, OPT_MAILFROM },
        { "headers", required_argument, NULL, OPT_HEADERS },
        { "no-timestamp", no_argument, NULL, OPT_NOTIME },
        { NULL, 0, NULL, 0 },
    };
    int c;

    while ((c = cli_next_option(&o->g, "arc seal", argc, argv, longopts)) > 0) {
        switch (c) {
        case OPT_DOMAIN:
            o->so.domain = optarg;
            break;
        case OPT_SELECTOR:
            o->so.selector = optarg;
            break;
        case OPT_KEY:
            o->key = optarg;
            break;
        case OPT_SRVID:
            o->so.authserv_id = optarg;
            break;
        case OPT_AUTHRES:
            o->so.authres = optarg;
            break;
        case OPT_IP:
            o->ip = optarg;
            break;
        case OPT_HELO:
            o->helo = optarg;
            break;
        case OPT_MAILFROM:
            o->mail_from = optarg;
            break;
        case OPT_HEADERS:
            o->so.headers = optarg;
            break;
        case OPT_NOTIME:
            o->so.timestamp = false;
            break;
        }
    }
    if (c == CLI_OPT_HELP) {
        printf("%s%s", seal_help, cli_global_help);
        return -1;
    }
    if (c == CLI_OPT_USAGE) {
        return CLI_USAGE;
    }
    if (o->so.domain == NULL || o->so.selector == NULL || o->key == NULL ||
        o->so.authserv_id == NULL) {
        cli_error("arc seal: --domain, --selector, --key and --authserv-id "
                  "are required");
        return CLI_USAGE;
    }
    if ((o->ip != NULL) != (o->helo != NULL) ||
        (o->mail_from != NULL && o->ip == NULL) ||
        (o->ip != NULL && o->so.authres != NULL)) {
        cli_error("arc seal: --ip and --helo go together (with "
                  "--mail-from), instead of --authres");
        return CLI_USAGE;
    }
    if ((o->helo != NULL && !token_ok(o->helo)) ||
        (o->mail_from != NULL && *o->mail_from != '\0' &&
         !token_ok(o->mail_from))) {
        cli_error("arc seal: --helo and --mail-from take one word each");
        return CLI_USAGE;
    }
    if (argc - optind > 1) {
        cli_error("arc seal: one message at a time");
        return CLI_USAGE;
    }
    return CLI_OK;
}

static int
cmd_seal(int argc, char **argv)
{
    seal_opts_t o;
    vouch_arc_sealer_t *s = NULL;
    vouch_dkim_verifier_t *dv = NULL;
    vouch_arc_verifier_t *av = NULL;
    vouch_resolver_t *r = NULL;
    vouch_dkim_key_t *key = NULL;
    vouch_ctx_t *ctx;
    vouch_buf_t fields, authres;
    vouch_error_t err;
    FILE *in = NULL, *spool = NULL;
    bool crlf = true;
    int rc;

    memset(&o, 0, sizeof(o));
    o.so = (vouch_arc_seal_options_t)VOUCH_ARC_SEAL_OPTIONS_INIT;
    rc = seal_args(&o, argc, argv);
    if (rc != CLI_OK) {
        return rc < 0 ? CLI_OK : rc;
    }
    if ((ctx = cli_make_ctx(&o.g)) == NULL) {
        return CLI_ERROR;
    }
    vouch_error_clear(&err);
    vouch_buf_init(&fields, ctx, 1 << 20);
    vouch_buf_init(&authres, ctx, 1 << 16);
    rc = cli_make_resolver(&r, ctx, &o.g);
    if (rc == CLI_OK && vouch_dkim_key_load_file(&key, ctx, o.key, &err) != 0) {
        cli_error("arc seal: %s: %s", o.key, err.msg);
        rc = CLI_ERROR;
    }
    o.so.key = key;
    if (rc == CLI_OK && o.ip != NULL &&
        (vouch_dkim_verifier_new(&dv, ctx, r, NULL, &err) != 0 ||
         vouch_arc_verifier_new(&av, ctx, r, NULL, &err) != 0)) {
        cli_error("arc seal: %s", err.msg);
        rc = CLI_ERROR;
    }
    if (rc == CLI_OK &&
        (in = open_input(optind < argc ? argv[optind] : NULL)) == NULL) {
        rc = CLI_ERROR;
    }
    if (rc == CLI_OK && (spool = tmpfile()) == NULL) {
        cli_error("temporary file: %s", strerror(errno));
        rc = CLI_ERROR;
    }
    if (rc == CLI_OK &&
        (spool_input(in, spool, &crlf, dv, av, &err) != 0 ||
         (o.ip != NULL &&
          compute_authres(&authres, &o, ctx, r, dv, av, &err) != 0))) {
        cli_error("arc seal: %s", err.msg);
        rc = CLI_ERROR;
    }
    if (rc == CLI_OK && o.ip != NULL) {
        o.so.authres = authres.ptr;
    }
    if (rc == CLI_OK && vouch_arc_sealer_new(&s, ctx, r, &o.so, &err) != 0) {
        cli_error("arc seal: %s", err.msg);
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK && seal_spool(s, spool, &fields, &err) != 0) {
        cli_error("arc seal: %s", err.msg);
        rc = CLI_ERROR;
    }
    if (rc == CLI_OK) {
        const vouch_arc_result_t *chain = vouch_arc_sealer_chain(s);

        if (fields.len == 0) {
            cli_error("arc seal: no ARC set added (incoming chain: arc=%s, "
                      "%s)",
                      vouch_arc_cv_name(chain->cv), chain->reason);
        }
        rc = print_sealed(&fields, crlf, spool);
    }
    if (spool != NULL) {
        fclose(spool);
    }
    if (in != NULL && in != stdin) {
        fclose(in);
    }
    vouch_arc_sealer_free(s);
    vouch_dkim_verifier_free(dv);
    vouch_arc_verifier_free(av);
    vouch_dkim_key_free(key);
    vouch_resolver_free(r);
    vouch_buf_dispose(&fields);
    vouch_buf_dispose(&authres);
    vouch_ctx_free(ctx);
    return rc;
}

/* ---- dispatch
 * ------------------------------------------------------------------------ */

int
cli_cmd_arc(int argc, char **argv)
{
    static const cli_sub_t subs[] = {
        { "verify", cmd_verify, "validate the ARC chain of a message" },
        { "seal", cmd_seal, "add an ARC set to a message" },
    };

    return cli_dispatch("arc", subs, sizeof(subs) / sizeof(subs[0]), argc,
                        argv);
}
