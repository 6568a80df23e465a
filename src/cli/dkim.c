/* SPDX-License-Identifier: MIT */
/*
 * cli/dkim.c - `vouch dkim verify | sign | keygen`.
 *
 * verify reads files, folders (a maildir: cur/ and new/ too) or stdin in
 * chunks and never holds a body. sign spools the message to a temporary
 * file (it must come after the signature fields) and streams it through
 * the signer, then prints the fields and the message. keygen writes a key
 * pair and the TXT record to publish.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define CHUNK      65536
#define WALK_DEPTH 3

/* ---- verify
 * ------------------------------------------------------------------------ */

typedef struct verify_opts {
    cli_global_t g;
    vouch_dkim_verify_options_t v;
    bool jsonl;
    bool array;    /* --json over several messages: one JSON array */
    size_t nfiles; /* results printed so far */
} verify_opts_t;

json_t *
cli_dkim_sig_json(const vouch_dkim_sig_t *s)
{
    json_t *o = json_object();

    json_object_set_new(o, "domain",
                        cli_json_bytes(s->domain, strlen(s->domain)));
    json_object_set_new(o, "selector",
                        cli_json_bytes(s->selector, strlen(s->selector)));
    json_object_set_new(o, "algorithm",
                        json_string(vouch_dkim_alg_name(s->algorithm)));
    json_object_set_new(o, "result",
                        json_string(vouch_dkim_code_name(s->result)));
    json_object_set_new(o, "reason",
                        cli_json_bytes(s->reason, strlen(s->reason)));
    json_object_set_new(o, "identity",
                        cli_json_bytes(s->identity, strlen(s->identity)));
    json_object_set_new(o, "header_b",
                        cli_json_bytes(s->header_b, strlen(s->header_b)));
    json_object_set_new(o, "unsigned_body_bytes",
                        s->has_length
                            ? json_integer((json_int_t)s->unsigned_body_bytes)
                            : json_null());
    json_object_set_new(o, "key_bits", json_integer(s->key_bits));
    json_object_set_new(o, "key_testing", json_boolean(s->key_testing));
    json_object_set_new(o, "dnssec", json_string(vouch_dnssec_name(s->dnssec)));
    return o;
}

/* Print the outcome of one input. */
static int
report(verify_opts_t *o, const char *name, vouch_dkim_verifier_t *v,
       const vouch_error_t *err)
{
    size_t i, n = v != NULL ? vouch_dkim_verifier_count(v) : 0;
    json_t *obj, *arr;

    if (!o->g.json && !o->jsonl) {
        if (err != NULL) {
            printf("%s: error: %s\n", name, err->msg);
            return 0;
        }
        printf("%s: %zu DKIM signature%s\n", name, n, n == 1 ? "" : "s");
        for (i = 0; i < n; i++) {
            const vouch_dkim_sig_t *s = vouch_dkim_verifier_result(v, i);

            printf("  %-9s d=%s s=%s a=%s: %s\n",
                   vouch_dkim_code_name(s->result), s->domain, s->selector,
                   vouch_dkim_alg_name(s->algorithm), s->reason);
        }
        return 0;
    }
    obj = json_object();
    json_object_set_new(obj, "file", cli_json_bytes(name, strlen(name)));
    if (err != NULL) {
        json_object_set_new(obj, "error",
                            cli_json_bytes(err->msg, strlen(err->msg)));
    } else {
        arr = json_array();
        for (i = 0; i < n; i++) {
            json_array_append_new(
                arr, cli_dkim_sig_json(vouch_dkim_verifier_result(v, i)));
        }
        json_object_set_new(obj, "signatures", arr);
    }
    if (o->array) {
        /* several messages with --json: one array, written as it goes */
        fputs(o->nfiles++ == 0 ? "[\n" : ",\n", stdout);
        return json_dumpf(obj, stdout,
                          JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                              JSON_ENSURE_ASCII) == 0
                   ? (json_decref(obj), 0)
                   : (json_decref(obj), -1);
    }
    return cli_json_print(stdout, obj, o->g.json);
}

/* Verify one stream. Returns CLI_OK, or CLI_ERROR for an I/O failure. */
static int
verify_stream(verify_opts_t *o, vouch_ctx_t *ctx, vouch_resolver_t *r, FILE *f,
              const char *name)
{
    static char buf[CHUNK];
    vouch_dkim_verifier_t *v = NULL;
    vouch_error_t err;
    size_t n;
    int rc;

    vouch_error_clear(&err);
    rc = vouch_dkim_verifier_new(&v, ctx, r, &o->v, &err);
    while (rc == 0 && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
        rc = vouch_dkim_verifier_feed(v, buf, n, &err);
    }
    if (rc == 0 && ferror(f)) {
        cli_error("%s: %s", name, strerror(errno));
        vouch_dkim_verifier_free(v);
        return CLI_ERROR;
    }
    if (rc == 0) {
        rc = vouch_dkim_verifier_finish(v, &err);
    }
    if (rc != 0 && err.msg[0] == '\0') {
        (void)snprintf(err.msg, sizeof(err.msg), "%s", vouch_strerror(rc));
    }
    rc = report(o, name, v, rc != 0 ? &err : NULL);
    vouch_dkim_verifier_free(v);
    return rc == 0 ? CLI_OK : CLI_ERROR;
}

static int verify_path(verify_opts_t *o, vouch_ctx_t *ctx, vouch_resolver_t *r,
                       const char *path, int depth);

static int
entry_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A folder: its files in name order, and its subfolders (a maildir's cur
 * and new) down to WALK_DEPTH. */
static int
verify_dir(verify_opts_t *o, vouch_ctx_t *ctx, vouch_resolver_t *r,
           const char *path, int depth)
{
    DIR *d = opendir(path);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    int rc = CLI_OK;

    if (d == NULL) {
        cli_error("%s: %s", path, strerror(errno));
        return CLI_ERROR;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        if (n == cap) {
            char **nn =
                realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*nn));

            if (nn == NULL) {
                rc = CLI_ERROR;
                break;
            }
            names = nn;
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;

        if ((names[n] = malloc(len)) == NULL) {
            rc = CLI_ERROR;
            break;
        }
        (void)snprintf(names[n++], len, "%s/%s", path, e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), entry_cmp);
    for (i = 0; i < n; i++) {
        if (rc == CLI_OK) {
            int r2 = verify_path(o, ctx, r, names[i], depth + 1);

            rc = r2 != CLI_OK ? r2 : rc;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

static int
verify_path(verify_opts_t *o, vouch_ctx_t *ctx, vouch_resolver_t *r,
            const char *path, int depth)
{
    struct stat st;
    FILE *f;
    int rc;

    if (strcmp(path, "-") == 0) {
        return verify_stream(o, ctx, r, stdin, "-");
    }
    if (stat(path, &st) != 0) {
        cli_error("%s: %s", path, strerror(errno));
        return CLI_ERROR;
    }
    if (S_ISDIR(st.st_mode)) {
        return depth < WALK_DEPTH ? verify_dir(o, ctx, r, path, depth) : CLI_OK;
    }
    if ((f = fopen(path, "rb")) == NULL) {
        cli_error("%s: %s", path, strerror(errno));
        return CLI_ERROR;
    }
    rc = verify_stream(o, ctx, r, f, path);
    fclose(f);
    return rc;
}

static const char verify_help[] =
    "usage: vouch dkim verify [FILE|DIR|-]... [options]\n\n"
    "Verify the DKIM signatures of messages (RFC 6376, 8301, 8463). A folder\n"
    "is read file by file (a maildir's cur/ and new/ too); no argument or -\n"
    "reads stdin. By default rsa-sha1 and RSA keys under 1024 bits give the\n"
    "result \"policy\" (RFC 8301).\n\n"
    "  --allow-rsa-sha1     accept rsa-sha1 signatures\n"
    "  --min-rsa-bits N     smallest RSA key accepted (default 1024)\n"
    "  --reject-length      signatures with l= give \"policy\"\n"
    "  --allow-drafts       accept pre-RFC draft signatures (no v=, v=0.5)\n"
    "  --max-signatures N   signatures evaluated per message (default 10)\n"
    "  --jsonl              one JSON object per message, with \"file\"\n\n";

static int
cmd_verify(int argc, char **argv)
{
    enum {
        OPT_SHA1 = OPT_GLOBAL_END,
        OPT_MINBITS,
        OPT_REJECTL,
        OPT_MAXSIG,
        OPT_JSONL,
        OPT_DRAFTS
    };
    static const struct option longopts[] = {
        CLI_GLOBAL_OPTIONS,
        { "allow-rsa-sha1", no_argument, NULL, OPT_SHA1 },
        { "min-rsa-bits", required_argument, NULL, OPT_MINBITS },
        { "reject-length", no_argument, NULL, OPT_REJECTL },
        { "max-signatures", required_argument, NULL, OPT_MAXSIG },
        { "jsonl", no_argument, NULL, OPT_JSONL },
        { "allow-drafts", no_argument, NULL, OPT_DRAFTS },
        { NULL, 0, NULL, 0 },
    };
    static const vouch_dkim_verify_options_t vdef =
        VOUCH_DKIM_VERIFY_OPTIONS_INIT;
    verify_opts_t o;
    vouch_ctx_t *ctx;
    vouch_resolver_t *r = NULL;
    int c, rc, i;

    memset(&o, 0, sizeof(o));
    o.v = vdef;
    while ((c = cli_next_option(&o.g, "dkim verify", argc, argv, longopts)) >
           0) {
        switch (c) {
        case OPT_SHA1:
            o.v.allow_rsa_sha1 = true;
            break;
        case OPT_MINBITS:
            if (cli_parse_uint(optarg, 16384, &o.v.min_rsa_bits) != 0) {
                cli_error("dkim verify: --min-rsa-bits wants bits, not '%s'",
                          optarg);
                return CLI_USAGE;
            }
            break;
        case OPT_REJECTL:
            o.v.reject_length = true;
            break;
        case OPT_MAXSIG:
            if (cli_parse_uint(optarg, VOUCH_DKIM_SIGNATURES_MAX,
                               &o.v.max_signatures) != 0 ||
                o.v.max_signatures == 0) {
                cli_error("dkim verify: --max-signatures is 1-%d",
                          VOUCH_DKIM_SIGNATURES_MAX);
                return CLI_USAGE;
            }
            break;
        case OPT_JSONL:
            o.jsonl = true;
            break;
        case OPT_DRAFTS:
            o.v.allow_drafts = true;
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
    if ((ctx = cli_make_ctx(&o.g)) == NULL) {
        return CLI_ERROR;
    }
    if ((rc = cli_make_resolver(&r, ctx, &o.g)) == CLI_OK) {
        struct stat st;

        o.array = o.g.json && !o.jsonl &&
                  (argc - optind > 1 ||
                   (optind < argc && stat(argv[optind], &st) == 0 &&
                    S_ISDIR(st.st_mode)));
        if (optind >= argc) {
            rc = verify_path(&o, ctx, r, "-", 0);
        }
        for (i = optind; i < argc; i++) {
            int r2 = verify_path(&o, ctx, r, argv[i], 0);

            rc = r2 != CLI_OK ? r2 : rc;
        }
        if (o.array) {
            fputs(o.nfiles > 0 ? "\n]\n" : "[]\n", stdout);
        }
    }
    vouch_resolver_free(r);
    vouch_ctx_free(ctx);
    return rc;
}

/* ---- sign
 * ---------------------------------------------------------------------------
 */

static const char sign_help[] =
    "usage: vouch dkim sign --domain D --selector S --key PEM\n"
    "                       [--selector S2 --key PEM2]... [options] "
    "[FILE|-]\n\n"
    "Sign a message and print it with its DKIM-Signature fields first. Each\n"
    "--key is paired with the --selector given at the same position (and\n"
    "--domain, when given more than once): an RSA and an Ed25519 key make\n"
    "two signatures in one pass. A key is PEM (PKCS#1 or PKCS#8) or the\n"
    "base64 of a raw Ed25519 seed.\n\n"
    "  --domain D           d= (the signing domain)\n"
    "  --selector S         s= (the key's selector under _domainkey.D)\n"
    "  --key FILE           private key file\n"
    "  --headers LIST       header fields to sign, \"from:to:subject\"\n"
    "                       (default: RFC 6376 5.4.1's list, Message-ID, "
    "MIME)\n"
    "  --no-oversign        do not sign From, To, Subject, ... once more\n"
    "  --canon H/B          relaxed/relaxed (default), simple/simple, ...\n"
    "  --identity I         i=\n"
    "  --expire SECONDS     x= that many seconds after t=\n"
    "  --body-length        add l= (not recommended: RFC 6376 8.2)\n\n";

#define SIGN_MAX VOUCH_DKIM_SIGNERS_MAX

typedef struct sign_opts {
    cli_global_t g;
    const char *domains[SIGN_MAX], *selectors[SIGN_MAX], *keys[SIGN_MAX];
    size_t ndomains, nselectors, nkeys;
    vouch_dkim_sign_options_t base;
} sign_opts_t;

static int
add_to(const char **list, size_t *n, const char *v, const char *what)
{
    if (*n == SIGN_MAX) {
        cli_error("dkim sign: at most %d %s", SIGN_MAX, what);
        return -1;
    }
    list[(*n)++] = v;
    return 0;
}

static int
parse_canon(const char *arg, vouch_dkim_sign_options_t *o)
{
    const char *slash = strchr(arg, '/');
    size_t hl = slash != NULL ? (size_t)(slash - arg) : strlen(arg);
    const char *b = slash != NULL ? slash + 1 : "simple";

    if ((hl == 7 && strncmp(arg, "relaxed", 7) == 0) ||
        (hl == 6 && strncmp(arg, "simple", 6) == 0)) {
        o->header_canon =
            arg[0] == 'r' ? VOUCH_DKIM_RELAXED : VOUCH_DKIM_SIMPLE;
    } else {
        return -1;
    }
    if (strcmp(b, "relaxed") == 0 || strcmp(b, "simple") == 0) {
        o->body_canon = b[0] == 'r' ? VOUCH_DKIM_RELAXED : VOUCH_DKIM_SIMPLE;
        return 0;
    }
    return -1;
}

static int
sign_args(sign_opts_t *o, int argc, char **argv)
{
    enum {
        OPT_DOMAIN = OPT_GLOBAL_END,
        OPT_SELECTOR,
        OPT_KEY,
        OPT_HEADERS,
        OPT_NOOVER,
        OPT_CANON,
        OPT_IDENT,
        OPT_EXPIRE,
        OPT_BODYLEN
    };
    static const struct option longopts[] = {
        CLI_GLOBAL_OPTIONS,
        { "domain", required_argument, NULL, OPT_DOMAIN },
        { "selector", required_argument, NULL, OPT_SELECTOR },
        { "key", required_argument, NULL, OPT_KEY },
        { "headers", required_argument, NULL, OPT_HEADERS },
        { "no-oversign", no_argument, NULL, OPT_NOOVER },
        { "canon", required_argument, NULL, OPT_CANON },
        { "identity", required_argument, NULL, OPT_IDENT },
        { "expire", required_argument, NULL, OPT_EXPIRE },
        { "body-length", no_argument, NULL, OPT_BODYLEN },
        { NULL, 0, NULL, 0 },
    };
    int c, g;

    while ((c = cli_next_option(&o->g, "dkim sign", argc, argv, longopts)) >
           0) {
        switch (c) {
        case OPT_DOMAIN:
            g = add_to(o->domains, &o->ndomains, optarg, "--domain");
            break;
        case OPT_SELECTOR:
            g = add_to(o->selectors, &o->nselectors, optarg, "--selector");
            break;
        case OPT_KEY:
            g = add_to(o->keys, &o->nkeys, optarg, "--key");
            break;
        case OPT_HEADERS:
            o->base.headers = optarg;
            break;
        case OPT_NOOVER:
            o->base.oversign = false;
            break;
        case OPT_CANON:
            g = parse_canon(optarg, &o->base);
            if (g != 0) {
                cli_error("dkim sign: --canon is H/B of relaxed or simple, "
                          "not '%s'",
                          optarg);
            }
            break;
        case OPT_IDENT:
            o->base.identity = optarg;
            break;
        case OPT_EXPIRE:
            g = cli_parse_uint(optarg, 100000000, &o->base.expire_after);
            if (g != 0 || o->base.expire_after == 0) {
                cli_error("dkim sign: --expire wants seconds, not '%s'",
                          optarg);
                g = -1;
            }
            break;
        case OPT_BODYLEN:
            o->base.body_length = true;
            break;
        }
        if (g != 0) {
            return CLI_USAGE;
        }
    }
    if (c == CLI_OPT_HELP) {
        printf("%s%s", sign_help, cli_global_help);
        return -1;
    }
    if (c == CLI_OPT_USAGE) {
        return CLI_USAGE;
    }
    if (o->nkeys == 0 || o->nkeys != o->nselectors || o->ndomains == 0 ||
        (o->ndomains != 1 && o->ndomains != o->nkeys)) {
        cli_error("dkim sign: give --domain, and one --selector per --key");
        return CLI_USAGE;
    }
    if (argc - optind > 1) {
        cli_error("dkim sign: one message at a time");
        return CLI_USAGE;
    }
    return CLI_OK;
}

static int
io_error(vouch_error_t *err, const char *what)
{
    (void)snprintf(err->msg, sizeof(err->msg), "%s: %s", what, strerror(errno));
    return VOUCH_EIO;
}

/* Copy the input to a temporary file while feeding the signer. */
static int
sign_spool(vouch_dkim_signer_t *s, FILE *in, FILE *spool, bool *crlf,
           vouch_error_t *err)
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
            return io_error(err, "temporary file");
        }
        rc = vouch_dkim_signer_feed(s, buf, n, err);
    }
    if (rc == 0 && ferror(in)) {
        return io_error(err, "input");
    }
    return rc;
}

/* The signature fields, with the message's own line ends. */
static int
print_fields(const vouch_buf_t *fields, bool crlf)
{
    size_t i;

    for (i = 0; i < fields->len; i++) {
        if (!crlf && fields->ptr[i] == '\r') {
            continue;
        }
        if (putchar(fields->ptr[i]) == EOF) {
            return -1;
        }
    }
    return 0;
}

static int
cmd_sign(int argc, char **argv)
{
    static char buf[CHUNK];
    sign_opts_t o;
    vouch_dkim_sign_options_t sigs[SIGN_MAX];
    vouch_dkim_key_t *keys[SIGN_MAX] = { NULL };
    vouch_dkim_signer_t *s = NULL;
    vouch_ctx_t *ctx;
    vouch_buf_t fields;
    vouch_error_t err;
    FILE *in = stdin, *spool = NULL;
    bool crlf = true;
    size_t i, n;
    int rc;

    memset(&o, 0, sizeof(o));
    o.base = (vouch_dkim_sign_options_t)VOUCH_DKIM_SIGN_OPTIONS_INIT;
    rc = sign_args(&o, argc, argv);
    if (rc != CLI_OK) {
        return rc < 0 ? CLI_OK : rc;
    }
    if ((ctx = cli_make_ctx(&o.g)) == NULL) {
        return CLI_ERROR;
    }
    vouch_error_clear(&err);
    vouch_buf_init(&fields, ctx, 1 << 20);
    for (i = 0; rc == CLI_OK && i < o.nkeys; i++) {
        if (vouch_dkim_key_load_file(&keys[i], ctx, o.keys[i], &err) != 0) {
            cli_error("dkim sign: %s: %s", o.keys[i], err.msg);
            rc = CLI_ERROR;
            break;
        }
        sigs[i] = o.base;
        sigs[i].domain = o.domains[o.ndomains == 1 ? 0 : i];
        sigs[i].selector = o.selectors[i];
        sigs[i].key = keys[i];
    }
    if (rc == CLI_OK &&
        vouch_dkim_signer_new(&s, ctx, sigs, o.nkeys, &err) != 0) {
        cli_error("dkim sign: %s", err.msg);
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK && optind < argc && strcmp(argv[optind], "-") != 0 &&
        (in = fopen(argv[optind], "rb")) == NULL) {
        cli_error("%s: %s", argv[optind], strerror(errno));
        rc = CLI_ERROR;
    }
    if (rc == CLI_OK && (spool = tmpfile()) == NULL) {
        cli_error("temporary file: %s", strerror(errno));
        rc = CLI_ERROR;
    }
    if (rc == CLI_OK && (sign_spool(s, in, spool, &crlf, &err) != 0 ||
                         vouch_dkim_signer_finish(s, &fields, &err) != 0)) {
        cli_error("dkim sign: %s", err.msg);
        rc = CLI_ERROR;
    }
    if (rc == CLI_OK) {
        rewind(spool);
        rc = print_fields(&fields, crlf) == 0 ? CLI_OK : CLI_ERROR;
        while (rc == CLI_OK && (n = fread(buf, 1, sizeof(buf), spool)) > 0) {
            rc = fwrite(buf, 1, n, stdout) == n ? CLI_OK : CLI_ERROR;
        }
    }
    if (spool != NULL) {
        fclose(spool);
    }
    if (in != stdin) {
        fclose(in);
    }
    vouch_dkim_signer_free(s);
    for (i = 0; i < o.nkeys; i++) {
        vouch_dkim_key_free(keys[i]);
    }
    vouch_buf_dispose(&fields);
    vouch_ctx_free(ctx);
    return rc;
}

/* ---- keygen
 * -------------------------------------------------------------------------- */

static const char keygen_help[] =
    "usage: vouch dkim keygen --domain D --selector S\n"
    "                         [--algorithm rsa-sha256|ed25519-sha256]\n"
    "                         [--bits N] [--out PREFIX] [--json]\n\n"
    "Generate a DKIM key pair and the TXT record to publish at\n"
    "S._domainkey.D. With --out, the private key goes to PREFIX.private\n"
    "(mode 0600) and the zone-file line to PREFIX.txt; otherwise both are\n"
    "printed.\n\n"
    "  --algorithm A   rsa-sha256 (default) or ed25519-sha256\n"
    "  --bits N        RSA key size, 1024-4096 (default 2048)\n\n";

static int
write_file(const char *path, const char *data, size_t len, mode_t mode)
{
    FILE *f;
    int ok;

    (void)unlink(path);
    f = fopen(path, "wx");
    if (f == NULL) {
        cli_error("%s: %s", path, strerror(errno));
        return CLI_ERROR;
    }
    ok = chmod(path, mode) == 0 && fwrite(data, 1, len, f) == len;
    if (fclose(f) != 0 || !ok) {
        cli_error("%s: %s", path, strerror(errno));
        return CLI_ERROR;
    }
    return CLI_OK;
}

static int
cmd_keygen(int argc, char **argv)
{
    enum {
        OPT_DOMAIN = OPT_GLOBAL_END,
        OPT_SELECTOR,
        OPT_ALG,
        OPT_BITS,
        OPT_OUT
    };
    static const struct option longopts[] = {
        CLI_GLOBAL_OPTIONS,
        { "domain", required_argument, NULL, OPT_DOMAIN },
        { "selector", required_argument, NULL, OPT_SELECTOR },
        { "algorithm", required_argument, NULL, OPT_ALG },
        { "bits", required_argument, NULL, OPT_BITS },
        { "out", required_argument, NULL, OPT_OUT },
        { NULL, 0, NULL, 0 },
    };
    cli_global_t g;
    const char *domain = NULL, *selector = NULL, *out = NULL;
    vouch_dkim_alg_t alg = VOUCH_DKIM_RSA_SHA256;
    unsigned bits = 0;
    vouch_buf_t pem, rec, line;
    vouch_error_t err;
    vouch_ctx_t *ctx;
    char path[4096];
    int c, rc = CLI_OK;

    memset(&g, 0, sizeof(g));
    while ((c = cli_next_option(&g, "dkim keygen", argc, argv, longopts)) > 0) {
        switch (c) {
        case OPT_DOMAIN:
            domain = optarg;
            break;
        case OPT_SELECTOR:
            selector = optarg;
            break;
        case OPT_ALG:
            if (strcmp(optarg, "ed25519-sha256") == 0 ||
                strcmp(optarg, "ed25519") == 0) {
                alg = VOUCH_DKIM_ED25519_SHA256;
            } else if (strcmp(optarg, "rsa-sha256") != 0 &&
                       strcmp(optarg, "rsa") != 0) {
                cli_error("dkim keygen: --algorithm is rsa-sha256 or "
                          "ed25519-sha256, not '%s'",
                          optarg);
                return CLI_USAGE;
            }
            break;
        case OPT_BITS:
            if (cli_parse_uint(optarg, 4096, &bits) != 0 || bits < 1024) {
                cli_error("dkim keygen: --bits is 1024-4096, not '%s'", optarg);
                return CLI_USAGE;
            }
            break;
        case OPT_OUT:
            out = optarg;
            break;
        }
    }
    if (c == CLI_OPT_HELP) {
        printf("%s%s", keygen_help, cli_global_help);
        return CLI_OK;
    }
    if (c == CLI_OPT_USAGE) {
        return CLI_USAGE;
    }
    if (domain == NULL || selector == NULL || optind < argc) {
        cli_error("dkim keygen: --domain and --selector are required");
        return CLI_USAGE;
    }
    if ((ctx = cli_make_ctx(&g)) == NULL) {
        return CLI_ERROR;
    }
    vouch_buf_init(&pem, ctx, 1 << 16);
    vouch_buf_init(&rec, ctx, 1 << 16);
    vouch_buf_init(&line, ctx, 1 << 16);
    vouch_error_clear(&err);
    if (vouch_dkim_keygen(&pem, &rec, ctx, alg, bits, &err) != 0 ||
        vouch_buf_printf(&line, "%s._domainkey.%s. IN TXT ", selector,
                         domain) != 0 ||
        vouch_dkim_zone_txt(&line, rec.ptr, rec.len) != 0 ||
        vouch_buf_addc(&line, '\n') != 0) {
        cli_error("dkim keygen: %s", err.msg[0] ? err.msg : "out of memory");
        rc = CLI_ERROR;
    }
    if (rc == CLI_OK && out != NULL) {
        (void)snprintf(path, sizeof(path), "%s.private", out);
        rc = write_file(path, pem.ptr, pem.len, 0600);
        (void)snprintf(path, sizeof(path), "%s.txt", out);
        if (rc == CLI_OK) {
            rc = write_file(path, line.ptr, line.len, 0644);
        }
    }
    if (rc == CLI_OK && g.json) {
        json_t *o = json_object();

        json_object_set_new(o, "domain", json_string(domain));
        json_object_set_new(o, "selector", json_string(selector));
        json_object_set_new(o, "algorithm",
                            json_string(vouch_dkim_alg_name(alg)));
        json_object_set_new(o, "record", json_string(rec.ptr));
        json_object_set_new(o, "zone_line",
                            json_stringn(line.ptr, line.len - 1));
        if (out == NULL) {
            json_object_set_new(o, "private_key", json_string(pem.ptr));
        } else {
            (void)snprintf(path, sizeof(path), "%s.private", out);
            json_object_set_new(o, "private_key_file", json_string(path));
        }
        rc = cli_json_print(stdout, o, true) == 0 ? CLI_OK : CLI_ERROR;
    } else if (rc == CLI_OK) {
        if (out == NULL) {
            fputs(pem.ptr, stdout);
        } else {
            printf("private key: %s.private\n", out);
        }
        printf("publish this TXT record:\n%s", line.ptr);
    }
    vouch_buf_dispose(&pem);
    vouch_buf_dispose(&rec);
    vouch_buf_dispose(&line);
    vouch_ctx_free(ctx);
    return rc;
}

/* ---- dispatch
 * ------------------------------------------------------------------------ */

int
cli_cmd_dkim(int argc, char **argv)
{
    static const cli_sub_t subs[] = {
        { "verify", cmd_verify, "check the DKIM signatures of messages" },
        { "sign", cmd_sign, "sign a message" },
        { "keygen", cmd_keygen, "make a key pair and its DNS record" },
    };

    return cli_dispatch("dkim", subs, sizeof(subs) / sizeof(subs[0]), argc,
                        argv);
}
