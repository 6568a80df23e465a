/* SPDX-License-Identifier: MIT */
/*
 * cli/setup.c - `vouch setup DOMAIN`: what a domain owner publishes (SPF,
 * a DKIM key and record, DMARC p=none, MTA-STS testing, TLS-RPT; or the
 * no-mail set) as a zone-file snippet, the MTA-STS policy file and the
 * next steps (vouch/setup.h, docs/setup.md).
 *
 * The MX set is read from DNS (the global --zone/--overlay/--resolver
 * options) unless --mx names it or --no-mail says there is none. The whole
 * human output is a master file (everything but the records is a ";"
 * comment), so it can be given to `vouch check --overlay` as it is. The
 * private key goes to a file created with mode 0600 that must not exist
 * yet: a key in use is never overwritten.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define SETUP_PATH_MAX 4096
#define SETUP_ZONE_MAX ((size_t)256 << 10)

typedef struct setup_opts {
    cli_global_t g;
    vouch_setup_options_t so;
    const char *mx[VOUCH_SETUP_MX_MAX];
    const char *senders[VOUCH_SETUP_SENDERS_MAX];
    const char *ips[VOUCH_SETUP_IPS_MAX];
    const char *out;        /* --out PREFIX */
    const char *policy_out; /* --policy-out FILE */
    bool list;              /* --list-senders */
    const char *domain;
} setup_opts_t;

static void
setup_usage(FILE *f)
{
    fprintf(f,
            "usage: vouch setup [OPTIONS] DOMAIN\n"
            "       vouch setup --list-senders\n\n"
            "Print what DOMAIN publishes to authenticate its mail: SPF, a DKIM "
            "key and\nrecord, DMARC p=none with rua, MTA-STS (testing) and "
            "TLS-RPT, as a zone-file\nsnippet, plus the MTA-STS policy file "
            "and the next steps (docs/setup.md).\nThe MX hosts are read from "
            "DNS unless --mx or --no-mail is given.\n\n"
            "  --sender NAME      a service that sends as DOMAIN (repeatable; "
            "--list-senders)\n"
            "  --ip ADDR[/LEN]    an own sending server or network "
            "(repeatable, at most %d)\n"
            "  --mx HOST          an MX host, in preference order, when DNS "
            "has none yet\n"
            "                     (repeatable, at most %d)\n"
            "  --no-mail          the domain sends and receives no mail: null "
            "MX,\n"
            "                     v=spf1 -all, DMARC p=reject\n"
            "  --selector S       DKIM selector (default vouchYYYYMM)\n"
            "  --algorithm A      rsa-sha256 (default) or ed25519-sha256\n"
            "  --bits N           RSA key size, 1024-4096 (default 2048)\n"
            "  --no-dkim          make no DKIM key\n"
            "  --out PREFIX       private key to PREFIX.private (default "
            "DOMAIN.SELECTOR);\n"
            "                     created with mode 0600, never overwritten\n"
            "  --rua URI          DMARC aggregate reports (default "
            "mailto:dmarc-reports@DOMAIN)\n"
            "  --tlsrpt-rua URI   TLS reports (default "
            "mailto:tls-reports@DOMAIN)\n"
            "  --policy-out FILE  write the MTA-STS policy file to FILE\n"
            "  --list-senders     list the known sending services\n\n%s",
            VOUCH_SETUP_IPS_MAX, VOUCH_SETUP_MX_MAX, cli_global_help);
}

static int
add_opt(const char **arr, size_t *n, size_t max, const char *what,
        const char *arg)
{
    if (*n == max) {
        cli_error("setup: at most %zu %s", max, what);
        return CLI_USAGE;
    }
    arr[(*n)++] = arg;
    return CLI_OK;
}

/* NULL or free of control characters (file names go into comments of
 * the snippet, which a newline would break). */
static bool
printable(const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f) {
            return false;
        }
    }
    return true;
}

/* CLI_OK, CLI_USAGE, or -1 (help printed). */
static int
parse_args(setup_opts_t *o, int argc, char **argv)
{
    enum {
        OPT_SENDER = OPT_GLOBAL_END,
        OPT_IP,
        OPT_MX,
        OPT_NO_MAIL,
        OPT_SELECTOR,
        OPT_ALG,
        OPT_BITS,
        OPT_NO_DKIM,
        OPT_OUT,
        OPT_RUA,
        OPT_TLSRPT_RUA,
        OPT_POLICY_OUT,
        OPT_LIST
    };
    static const struct option longopts[] = {
        CLI_GLOBAL_OPTIONS,
        { "sender", required_argument, NULL, OPT_SENDER },
        { "ip", required_argument, NULL, OPT_IP },
        { "mx", required_argument, NULL, OPT_MX },
        { "no-mail", no_argument, NULL, OPT_NO_MAIL },
        { "selector", required_argument, NULL, OPT_SELECTOR },
        { "algorithm", required_argument, NULL, OPT_ALG },
        { "bits", required_argument, NULL, OPT_BITS },
        { "no-dkim", no_argument, NULL, OPT_NO_DKIM },
        { "out", required_argument, NULL, OPT_OUT },
        { "rua", required_argument, NULL, OPT_RUA },
        { "tlsrpt-rua", required_argument, NULL, OPT_TLSRPT_RUA },
        { "policy-out", required_argument, NULL, OPT_POLICY_OUT },
        { "list-senders", no_argument, NULL, OPT_LIST },
        { NULL, 0, NULL, 0 },
    };
    vouch_setup_options_t *so = &o->so;
    int c, rc = CLI_OK;

    while (rc == CLI_OK &&
           (c = cli_next_option(&o->g, "setup", argc, argv, longopts)) > 0) {
        switch (c) {
        case OPT_SENDER:
            if (vouch_setup_provider_find(optarg, strlen(optarg)) == NULL) {
                cli_error("setup: unknown sender '%s' (vouch setup "
                          "--list-senders)",
                          optarg);
                return CLI_USAGE;
            }
            rc = add_opt(o->senders, &so->nsenders, VOUCH_SETUP_SENDERS_MAX,
                         "--sender", optarg);
            break;
        case OPT_IP:
            rc =
                add_opt(o->ips, &so->nips, VOUCH_SETUP_IPS_MAX, "--ip", optarg);
            break;
        case OPT_MX:
            rc = add_opt(o->mx, &so->nmx, VOUCH_SETUP_MX_MAX, "--mx", optarg);
            break;
        case OPT_NO_MAIL:
            so->no_mail = true;
            break;
        case OPT_SELECTOR:
            so->selector = optarg;
            break;
        case OPT_ALG:
            if (strcmp(optarg, "ed25519-sha256") == 0 ||
                strcmp(optarg, "ed25519") == 0) {
                so->alg = VOUCH_DKIM_ED25519_SHA256;
            } else if (strcmp(optarg, "rsa-sha256") == 0 ||
                       strcmp(optarg, "rsa") == 0) {
                so->alg = VOUCH_DKIM_RSA_SHA256;
            } else {
                cli_error("setup: --algorithm is rsa-sha256 or "
                          "ed25519-sha256, not '%s'",
                          optarg);
                return CLI_USAGE;
            }
            break;
        case OPT_BITS:
            if (cli_parse_uint(optarg, 4096, &so->bits) != 0 ||
                so->bits < 1024) {
                cli_error("setup: --bits is 1024-4096, not '%s'", optarg);
                return CLI_USAGE;
            }
            break;
        case OPT_NO_DKIM:
            so->dkim = false;
            break;
        case OPT_OUT:
            o->out = optarg;
            break;
        case OPT_RUA:
            so->dmarc_rua = optarg;
            break;
        case OPT_TLSRPT_RUA:
            so->tlsrpt_rua = optarg;
            break;
        case OPT_POLICY_OUT:
            o->policy_out = optarg;
            break;
        case OPT_LIST:
            o->list = true;
            break;
        }
    }
    if (c == CLI_OPT_HELP) {
        setup_usage(stdout);
        return -1;
    }
    if (c == CLI_OPT_USAGE) {
        return CLI_USAGE;
    }
    if (rc != CLI_OK || o->list) {
        return rc;
    }
    if (optind != argc - 1) {
        cli_error("setup: name one DOMAIN");
        return CLI_USAGE;
    }
    if (!printable(o->out) || !printable(o->policy_out)) {
        cli_error("setup: --out and --policy-out take printable file names");
        return CLI_USAGE;
    }
    o->domain = argv[optind];
    so->domain = o->domain;
    if (so->no_mail && (so->nmx > 0 || so->nsenders > 0 || so->nips > 0)) {
        cli_error("setup: --no-mail excludes --mx, --sender and --ip");
        return CLI_USAGE;
    }
    if (so->no_mail && (o->out != NULL || o->policy_out != NULL)) {
        cli_error("setup: --no-mail makes no DKIM key and no MTA-STS policy "
                  "(--out, --policy-out)");
        return CLI_USAGE;
    }
    return CLI_OK;
}

static int
list_senders(bool json)
{
    const vouch_setup_provider_t *p;
    size_t n, i;
    json_t *arr;

    p = vouch_setup_providers(&n);
    if (!json) {
        for (i = 0; i < n; i++) {
            printf("%-13s %-32s include:%-26s ~%u lookup%s  DKIM: %s\n",
                   p[i].name, p[i].title, p[i].spf_include, p[i].spf_lookups,
                   p[i].spf_lookups == 1 ? "" : "s",
                   p[i].dkim_selectors[0] != '\0' ? p[i].dkim_selectors
                                                  : "(per account)");
        }
        return CLI_OK;
    }
    arr = json_array();
    for (i = 0; i < n; i++) {
        json_array_append_new(
            arr,
            json_pack("{s:s, s:s, s:s, s:i, s:s, s:s}", "name", p[i].name,
                      "title", p[i].title, "spf_include", p[i].spf_include,
                      "spf_lookups", (int)p[i].spf_lookups, "dkim_selectors",
                      p[i].dkim_selectors, "dkim_howto", p[i].dkim_howto));
    }
    return cli_json_print(stdout, arr, true) == 0 ? CLI_OK : CLI_ERROR;
}

/* Read the MX set of the domain into o->so (names kept in store). */
static int
read_mx(setup_opts_t *o, vouch_ctx_t *ctx, char store[][VOUCH_DNS_NAME_MAX + 1],
        uint16_t *pref)
{
    char name[VOUCH_DNS_NAME_MAX + 1];
    vouch_resolver_t *resolver = NULL;
    const vouch_dns_answer_t *ans = NULL;
    vouch_error_t err;
    size_t i, j, order[VOUCH_SETUP_MX_MAX], n = 0;
    int rc;

    vouch_error_clear(&err);
    if (vouch_domain_normalize(name, o->domain, strlen(o->domain), &err) != 0) {
        cli_error("setup: '%s' is not a domain name: %s", o->domain, err.msg);
        return CLI_USAGE;
    }
    if ((rc = cli_make_resolver(&resolver, ctx, &o->g)) != CLI_OK) {
        return rc;
    }
    if (vouch_dns_query(resolver, NULL, name, strlen(name), VOUCH_DNS_MX, &ans,
                        &err) != 0) {
        cli_error("setup: MX lookup of %s: %s", name, err.msg);
        vouch_resolver_free(resolver);
        return CLI_ERROR;
    }
    rc = CLI_OK;
    if (ans->status == VOUCH_DNS_NODATA || ans->status == VOUCH_DNS_NXDOMAIN) {
        cli_error("setup: %s has no MX records (%s): name the hosts that "
                  "will receive its mail with --mx HOST, or use --no-mail",
                  name, vouch_dns_status_name(ans->status));
        rc = CLI_USAGE;
    } else if (ans->status != VOUCH_DNS_NOERROR) {
        cli_error("setup: MX lookup of %s failed (%s): try again, or give "
                  "--mx HOST",
                  name, vouch_dns_status_name(ans->status));
        rc = CLI_ERROR;
    } else if (ans->n == 1 && strcmp(ans->rr[0].data, ".") == 0) {
        /* RFC 7505 null MX: the domain says it takes no mail */
        fprintf(stderr,
                "vouch: setup: %s publishes a null MX: setting it up as a "
                "domain without mail (--mx HOST to set up mail instead)\n",
                name);
        o->so.no_mail = true;
    }
    for (i = 0; rc == CLI_OK && !o->so.no_mail && i < ans->n; i++) {
        if (ans->rr[i].type != VOUCH_DNS_MX) {
            continue;
        }
        if (strcmp(ans->rr[i].data, ".") == 0) {
            cli_error("setup: %s mixes a null MX with other MX records "
                      "(RFC 7505 3): remove one, or give --mx or --no-mail",
                      name);
            rc = CLI_ERROR;
            break;
        }
        if (n == VOUCH_SETUP_MX_MAX) {
            cli_error("setup: %s has more than %d MX records", name,
                      VOUCH_SETUP_MX_MAX);
            rc = CLI_ERROR;
            break;
        }
        if (ans->rr[i].len > VOUCH_DNS_NAME_MAX ||
            memchr(ans->rr[i].data, '\0', ans->rr[i].len) != NULL) {
            cli_error("setup: %s has an MX host that is not a host name", name);
            rc = CLI_ERROR;
            break;
        }
        /* insertion by preference, stable */
        for (j = n; j > 0 && ans->rr[order[j - 1]].pref > ans->rr[i].pref;
             j--) {
            order[j] = order[j - 1];
        }
        order[j] = i;
        n++;
    }
    for (i = 0; rc == CLI_OK && i < n; i++) {
        const vouch_dns_rr_t *rr = &ans->rr[order[i]];

        memcpy(store[i], rr->data, rr->len);
        store[i][rr->len] = '\0';
        pref[i] = rr->pref;
        o->mx[i] = store[i];
    }
    if (rc == CLI_OK && !o->so.no_mail) {
        o->so.nmx = n;
        o->so.mx_pref = pref;
        o->so.mx_existing = true;
    }
    vouch_dns_answer_free(ans);
    vouch_resolver_free(resolver);
    return rc;
}

/* Create path with mode and write data; never follows or replaces an
 * existing file when excl. */
static int
write_file(const char *path, const char *data, size_t len, mode_t mode,
           bool excl)
{
    int fd, flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC;
    size_t done = 0;
    ssize_t w;

    flags |= excl ? O_EXCL : O_TRUNC;
    fd = open(path, flags, mode);
    if (fd < 0) {
        cli_error("setup: %s: %s", path, strerror(errno));
        return CLI_ERROR;
    }
    if (fchmod(fd, mode) != 0) {
        cli_error("setup: %s: %s", path, strerror(errno));
        (void)close(fd);
        return CLI_ERROR;
    }
    while (done < len) {
        w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            cli_error("setup: %s: %s", path, strerror(errno));
            (void)close(fd);
            return CLI_ERROR;
        }
        done += (size_t)w;
    }
    if (close(fd) != 0) {
        cli_error("setup: %s: %s", path, strerror(errno));
        return CLI_ERROR;
    }
    return CLI_OK;
}

/* Lines of text as "; " comments. */
static int
add_comment_lines(vouch_buf_t *b, const char *text)
{
    const char *p = text, *nl;
    int rc = 0;

    while (rc == 0 && *p != '\0') {
        nl = strchr(p, '\n');
        if (nl == NULL) {
            nl = p + strlen(p);
        }
        rc = vouch_buf_printf(b, ";   %.*s\n", (int)(nl - p), p);
        p = *nl == '\n' ? nl + 1 : nl;
    }
    return rc;
}

/* The human output: a master file whose comments say the rest. */
static int
human(vouch_buf_t *b, const setup_opts_t *o, const vouch_setup_result_t *res,
      const char *keyfile)
{
    size_t i;
    int rc;

    rc = vouch_buf_printf(b,
                          "; vouch setup %s: records to publish (RFC 1035 "
                          "master-file syntax)\n",
                          res->domain);
    if (rc == 0 && res->nsenders > 0) {
        rc = vouch_buf_puts(b, "; senders:");
        for (i = 0; rc == 0 && i < res->nsenders; i++) {
            rc = vouch_buf_printf(b, " %s%s", res->sender[i].provider->name,
                                  res->sender[i].inferred ? " (from MX)" : "");
        }
        if (rc == 0) {
            rc = vouch_buf_printf(b, "; SPF needs about %u of 10 lookups\n",
                                  res->spf_lookups);
        }
    }
    if (rc == 0 && res->dkim) {
        rc = vouch_buf_printf(b, "; DKIM selector %s (%s), private key in %s\n",
                              res->selector, vouch_dkim_alg_name(res->alg),
                              keyfile);
    }
    if (rc == 0) {
        rc = vouch_setup_zone_write(b, res);
    }
    if (rc == 0 && res->mtasts_policy.len > 0) {
        if (o->policy_out != NULL) {
            rc = vouch_buf_printf(b,
                                  ";\n; MTA-STS policy written to %s: serve "
                                  "it at https://mta-sts.%s/.well-known/"
                                  "mta-sts.txt\n",
                                  o->policy_out, res->domain);
        } else {
            rc = vouch_buf_printf(b,
                                  ";\n; MTA-STS policy, to serve at "
                                  "https://mta-sts.%s/.well-known/"
                                  "mta-sts.txt:\n",
                                  res->domain);
            if (rc == 0) {
                rc = add_comment_lines(b, res->mtasts_policy.ptr);
            }
        }
    }
    if (rc == 0) {
        rc = vouch_buf_puts(b, ";\n; next steps:\n");
    }
    for (i = 0; rc == 0 && i < res->nsteps; i++) {
        rc = vouch_buf_printf(b, "; %u. %s\n", res->step[i].order,
                              res->step[i].text);
        if (rc == 0 && res->step[i].record[0] != '\0') {
            rc = vouch_buf_printf(b, ";      %s\n", res->step[i].record);
        }
    }
    return rc;
}

static json_t *
to_json(const vouch_setup_result_t *res, const char *keyfile,
        const char *policy_out, const vouch_buf_t *zone)
{
    json_t *o = json_object(), *recs = json_array(), *snd = json_array(),
           *steps = json_array(), *dk;
    char tname[16];
    size_t i;

    json_object_set_new(o, "domain", json_string(res->domain));
    json_object_set_new(o, "no_mail", json_boolean(res->no_mail));
    for (i = 0; i < res->nrecords; i++) {
        const vouch_setup_record_t *r = &res->record[i];

        json_array_append_new(
            recs,
            json_pack("{s:s, s:s, s:s, s:s, s:b}", "name", r->name, "type",
                      vouch_dns_type_name(r->type, tname), "value", r->value,
                      "purpose", vouch_setup_kind_name(r->kind), "existing",
                      r->existing));
    }
    json_object_set_new(o, "records", recs);
    json_object_set_new(o, "zone", json_stringn(zone->ptr, zone->len));
    json_object_set_new(o, "mta_sts_policy",
                        res->mtasts_policy.len > 0
                            ? json_string(res->mtasts_policy.ptr)
                            : json_null());
    json_object_set_new(o, "mta_sts_policy_file",
                        policy_out != NULL ? json_string(policy_out)
                                           : json_null());
    if (res->dkim) {
        dk = json_pack("{s:s, s:s, s:s}", "selector", res->selector,
                       "algorithm", vouch_dkim_alg_name(res->alg),
                       "private_key_file", keyfile);
    } else {
        dk = json_null();
    }
    json_object_set_new(o, "dkim", dk);
    for (i = 0; i < res->nsenders; i++) {
        const vouch_setup_provider_t *p = res->sender[i].provider;

        json_array_append_new(
            snd,
            json_pack("{s:s, s:s, s:s, s:i, s:s, s:b}", "name", p->name,
                      "title", p->title, "spf_include", p->spf_include,
                      "spf_lookups", (int)p->spf_lookups, "dkim_selectors",
                      p->dkim_selectors, "inferred", res->sender[i].inferred));
    }
    json_object_set_new(o, "senders", snd);
    json_object_set_new(o, "spf_lookups",
                        json_integer((json_int_t)res->spf_lookups));
    for (i = 0; i < res->nsteps; i++) {
        json_t *s = json_pack("{s:i, s:s}", "step", (int)res->step[i].order,
                              "action", res->step[i].text);

        if (res->step[i].record[0] != '\0') {
            json_object_set_new(s, "record", json_string(res->step[i].record));
        }
        json_array_append_new(steps, s);
    }
    json_object_set_new(o, "next_steps", steps);
    return o;
}

int
cli_cmd_setup(int argc, char **argv)
{
    static setup_opts_t o;
    static char store[VOUCH_SETUP_MX_MAX][VOUCH_DNS_NAME_MAX + 1];
    uint16_t pref[VOUCH_SETUP_MX_MAX];
    vouch_setup_result_t *res = NULL;
    vouch_ctx_t *ctx = NULL;
    vouch_buf_t out, zone;
    vouch_error_t err;
    char keyfile[SETUP_PATH_MAX];
    int rc, n;

    memset(&o, 0, sizeof(o));
    o.so = (vouch_setup_options_t)VOUCH_SETUP_OPTIONS_INIT;
    o.so.mx = o.mx;
    o.so.senders = o.senders;
    o.so.ips = o.ips;
    rc = parse_args(&o, argc, argv);
    if (rc != CLI_OK) {
        return rc < 0 ? CLI_OK : rc;
    }
    if (o.list) {
        return list_senders(o.g.json);
    }
    if ((ctx = cli_make_ctx(&o.g)) == NULL) {
        return CLI_ERROR;
    }
    if (!o.so.no_mail && o.so.nmx == 0 &&
        (rc = read_mx(&o, ctx, store, pref)) != CLI_OK) {
        vouch_ctx_free(ctx);
        return rc;
    }
    if (o.so.no_mail) {
        o.so.dkim = false;
    }
    vouch_error_clear(&err);
    if (vouch_setup_build(&res, ctx, &o.so, &err) != 0) {
        cli_error("setup: %s", err.msg);
        vouch_ctx_free(ctx);
        return err.code == VOUCH_ENOMEM || err.code == VOUCH_EINTERNAL
                   ? CLI_ERROR
                   : CLI_USAGE;
    }
    keyfile[0] = '\0';
    rc = CLI_OK;
    if (res->dkim) {
        n = o.out != NULL
                ? snprintf(keyfile, sizeof(keyfile), "%s.private", o.out)
                : snprintf(keyfile, sizeof(keyfile), "%s.%s.private",
                           res->domain, res->selector);
        if (n < 0 || (size_t)n >= sizeof(keyfile)) {
            cli_error("setup: --out is too long");
            rc = CLI_USAGE;
        } else {
            rc = write_file(keyfile, res->private_key.ptr, res->private_key.len,
                            0600, true);
        }
    }
    if (rc == CLI_OK && o.policy_out != NULL) {
        rc = write_file(o.policy_out, res->mtasts_policy.ptr,
                        res->mtasts_policy.len, 0644, false);
    }
    vouch_buf_init(&out, ctx, SETUP_ZONE_MAX);
    vouch_buf_init(&zone, ctx, SETUP_ZONE_MAX);
    if (rc == CLI_OK) {
        if (human(&out, &o, res, keyfile) != 0 ||
            vouch_setup_zone_write(&zone, res) != 0) {
            cli_error("setup: out of memory");
            rc = CLI_ERROR;
        }
    }
    if (rc == CLI_OK && o.g.json) {
        rc = cli_json_print(stdout, to_json(res, keyfile, o.policy_out, &zone),
                            true) == 0
                 ? CLI_OK
                 : CLI_ERROR;
    } else if (rc == CLI_OK) {
        rc =
            fwrite(out.ptr, 1, out.len, stdout) == out.len ? CLI_OK : CLI_ERROR;
    }
    vouch_buf_dispose(&out);
    vouch_buf_dispose(&zone);
    vouch_setup_result_free(res);
    vouch_ctx_free(ctx);
    return rc;
}
