/* SPDX-License-Identifier: MIT */
/*
 * cli/dmarc.c - `vouch dmarc`: explain a DMARC policy record, or show which
 * record applies to a From domain (RFC 9989 tree walk or RFC 7489 PSL).
 *
 *   vouch dmarc record TXT [--dmarc-mode 9989|7489] [--json]
 *   vouch dmarc check DOMAIN [--dmarc-mode 9989|7489] [--psl FILE]
 *                             [DNS options] [--json]
 *
 * Exit status (DESIGN.md): 0 the command ran, whatever the record or the
 * discovery gave (the verdict is in the output); 1 operational error (a
 * zone or PSL file that cannot be read); 2 usage. JSON fields are listed in
 * docs/dmarc.md.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct dmarc_opts {
    cli_global_t g;
    vouch_dmarc_mode_t mode;
    const char *psl;
    const char *arg; /* TXT or DOMAIN */
} dmarc_opts_t;

static void
record_usage(FILE *f)
{
    fprintf(f, "usage: vouch dmarc record TXT [--dmarc-mode 9989|7489] "
               "[--json]\n\n"
               "Parse a DMARC policy record (the TXT value at _dmarc.<domain>) "
               "and explain\neach tag, the defaults applied and what was "
               "ignored.\n\n"
               "  --dmarc-mode M     9989 (DMARCbis, default) or 7489\n"
               "  --json             print JSON\n");
}

static void
check_usage(FILE *f)
{
    fprintf(f,
            "usage: vouch dmarc check DOMAIN [--dmarc-mode 9989|7489] "
            "[--psl FILE] [options]\n\n"
            "Discover the DMARC policy record that applies to mail from "
            "DOMAIN (the\nRFC5322.From domain): the record, where it was "
            "found, the organizational\ndomain, the policy (p, sp or np) and "
            "the DNS queries made.\n\n"
            "  --dmarc-mode M     9989 (DNS tree walk, default) or 7489 "
            "(Public Suffix List)\n"
            "  --psl FILE         public_suffix_list.dat for 7489 mode "
            "(default: the\n"
            "                     system's list)\n\n"
            "%s",
            cli_global_help);
}

static int
parse_args(dmarc_opts_t *o, int argc, char **argv, bool check)
{
    enum { OPT_MODE = OPT_GLOBAL_END, OPT_PSL };
    static const struct option longopts[] = {
        CLI_GLOBAL_OPTIONS,
        { "dmarc-mode", required_argument, NULL, OPT_MODE },
        { "psl", required_argument, NULL, OPT_PSL },
        { NULL, 0, NULL, 0 },
    };
    const char *cmd = check ? "check" : "record";
    int c;

    while ((c = cli_next_option(&o->g, check ? "dmarc check" : "dmarc record",
                                argc, argv, longopts)) > 0) {
        switch (c) {
        case OPT_MODE:
            if (strcmp(optarg, "9989") == 0) {
                o->mode = VOUCH_DMARC_9989;
            } else if (strcmp(optarg, "7489") == 0) {
                o->mode = VOUCH_DMARC_7489;
            } else {
                cli_error("dmarc: --dmarc-mode is 9989 or 7489, not '%s'",
                          optarg);
                return CLI_USAGE;
            }
            break;
        case OPT_PSL:
            if (!check) {
                cli_error("dmarc record: --psl is for 'dmarc check'");
                return CLI_USAGE;
            }
            o->psl = optarg;
            break;
        }
    }
    if (c == CLI_OPT_HELP) {
        if (check) {
            check_usage(stdout);
        } else {
            record_usage(stdout);
        }
        return -1;
    }
    if (c == CLI_OPT_USAGE) {
        return CLI_USAGE;
    }
    if (optind + 1 != argc) {
        cli_error(optind == argc ? "dmarc %s: expected one %s"
                                 : "dmarc %s: expected one %s, got more",
                  cmd, check ? "DOMAIN" : "TXT record");
        return CLI_USAGE;
    }
    o->arg = argv[optind];
    return CLI_OK;
}

/* ---- record
 * --------------------------------------------------------------------- */

typedef struct tag_info {
    const char *name;
    unsigned bit;
    const char *meaning;
} tag_info_t;

static const tag_info_t tag_infos[] = {
    { "v", VOUCH_DMARC_TAG_V, "version, must be DMARC1 and first" },
    { "p", VOUCH_DMARC_TAG_P, "policy for the domain itself" },
    { "sp", VOUCH_DMARC_TAG_SP, "policy for existing subdomains" },
    { "np", VOUCH_DMARC_TAG_NP, "policy for nonexistent subdomains" },
    { "adkim", VOUCH_DMARC_TAG_ADKIM, "DKIM alignment: r relaxed, s strict" },
    { "aspf", VOUCH_DMARC_TAG_ASPF, "SPF alignment: r relaxed, s strict" },
    { "fo", VOUCH_DMARC_TAG_FO, "failure report options" },
    { "rua", VOUCH_DMARC_TAG_RUA, "aggregate report URIs" },
    { "ruf", VOUCH_DMARC_TAG_RUF, "failure report URIs" },
    { "t", VOUCH_DMARC_TAG_T, "testing: y applies one level lower" },
    { "psd", VOUCH_DMARC_TAG_PSD,
      "public suffix domain: y PSD, n org domain, u walk" },
    { "pct", VOUCH_DMARC_TAG_PCT, "percentage of failing mail to act on" },
    { "rf", VOUCH_DMARC_TAG_RF, "failure report formats" },
    { "ri", VOUCH_DMARC_TAG_RI, "aggregate report interval, seconds" },
};

static bool
tag_applies(vouch_dmarc_mode_t mode, unsigned bit)
{
    unsigned only9989 =
        VOUCH_DMARC_TAG_NP | VOUCH_DMARC_TAG_PSD | VOUCH_DMARC_TAG_T;
    unsigned only7489 =
        VOUCH_DMARC_TAG_PCT | VOUCH_DMARC_TAG_RF | VOUCH_DMARC_TAG_RI;

    return mode == VOUCH_DMARC_9989 ? !(bit & only7489) : !(bit & only9989);
}

static const char *
policy_or(vouch_dmarc_policy_t p, const char *dflt)
{
    return p == VOUCH_DMARC_P_UNSET ? dflt : vouch_dmarc_policy_name(p);
}

/* The parsed value of a tag, in record syntax. */
static void
tag_value(char *out, size_t cap, const vouch_dmarc_record_t *r, unsigned bit)
{
    const vouch_dmarc_urilist_t *l = NULL;
    size_t i, o = 0;

    out[0] = '\0';
    switch (bit) {
    case VOUCH_DMARC_TAG_V:
        (void)snprintf(out, cap, "DMARC1");
        break;
    case VOUCH_DMARC_TAG_P:
        (void)snprintf(out, cap, "%s", policy_or(r->p, "(none given)"));
        break;
    case VOUCH_DMARC_TAG_SP:
        (void)snprintf(out, cap, "%s", policy_or(r->sp, "(as p)"));
        break;
    case VOUCH_DMARC_TAG_NP:
        (void)snprintf(out, cap, "%s", policy_or(r->np, "(as sp, then p)"));
        break;
    case VOUCH_DMARC_TAG_ADKIM:
    case VOUCH_DMARC_TAG_ASPF:
        (void)snprintf(out, cap, "%s",
                       (bit == VOUCH_DMARC_TAG_ADKIM ? r->adkim : r->aspf) ==
                               VOUCH_DMARC_ALIGN_STRICT
                           ? "s"
                           : "r");
        break;
    case VOUCH_DMARC_TAG_FO:
        (void)snprintf(out, cap, "%s%s%s%s",
                       (r->fo & VOUCH_DMARC_FO_0) ? "0:" : "",
                       (r->fo & VOUCH_DMARC_FO_1) ? "1:" : "",
                       (r->fo & VOUCH_DMARC_FO_D) ? "d:" : "",
                       (r->fo & VOUCH_DMARC_FO_S) ? "s:" : "");
        o = strlen(out);
        if (o > 0) {
            out[o - 1] = '\0';
        }
        break;
    case VOUCH_DMARC_TAG_RUA:
    case VOUCH_DMARC_TAG_RUF:
        l = bit == VOUCH_DMARC_TAG_RUA ? &r->rua : &r->ruf;
        for (i = 0; i < l->n && o + 1 < cap; i++) {
            int n = snprintf(out + o, cap - o, "%s%s", i > 0 ? "," : "",
                             l->uri[i].uri);

            o = n < 0 ? o : o + (size_t)n;
            if (l->uri[i].max_size > 0 && o + 1 < cap) {
                n = snprintf(out + o, cap - o, "!%" PRIu64, l->uri[i].max_size);
                o = n < 0 ? o : o + (size_t)n;
            }
        }
        if (l->n == 0) {
            (void)snprintf(out, cap, "(no reports)");
        }
        break;
    case VOUCH_DMARC_TAG_T:
        (void)snprintf(out, cap, "%s", r->t ? "y" : "n");
        break;
    case VOUCH_DMARC_TAG_PSD:
        (void)snprintf(out, cap, "%s",
                       r->psd == VOUCH_DMARC_PSD_Y   ? "y"
                       : r->psd == VOUCH_DMARC_PSD_N ? "n"
                                                     : "u");
        break;
    case VOUCH_DMARC_TAG_PCT:
        (void)snprintf(out, cap, "%u", r->pct);
        break;
    case VOUCH_DMARC_TAG_RF:
        (void)snprintf(
            out, cap, "%s%s%s", (r->rf & VOUCH_DMARC_RF_AFRF) ? "afrf" : "",
            (r->rf & VOUCH_DMARC_RF_AFRF) && (r->rf & VOUCH_DMARC_RF_IODEF)
                ? ":"
                : "",
            (r->rf & VOUCH_DMARC_RF_IODEF) ? "iodef" : "");
        break;
    case VOUCH_DMARC_TAG_RI:
        (void)snprintf(out, cap, "%" PRIu32, r->ri);
        break;
    default:
        break;
    }
}

static json_t *
tags_json(const vouch_dmarc_record_t *r)
{
    json_t *tags = json_array();
    size_t i;

    for (i = 0; tags != NULL && i < sizeof(tag_infos) / sizeof(tag_infos[0]);
         i++) {
        const tag_info_t *t = &tag_infos[i];
        json_t *e = json_object();
        char val[4096];

        if (e == NULL) {
            continue;
        }
        tag_value(val, sizeof(val), r, t->bit);
        json_object_set_new(e, "tag", json_string(t->name));
        json_object_set_new(e, "value", json_string(val));
        json_object_set_new(e, "present",
                            json_boolean((r->present & t->bit) != 0));
        json_object_set_new(e, "valid",
                            json_boolean((r->invalid & t->bit) == 0));
        json_object_set_new(e, "applies",
                            json_boolean(tag_applies(r->mode, t->bit)));
        json_object_set_new(e, "meaning", json_string(t->meaning));
        json_array_append_new(tags, e);
    }
    return tags;
}

static json_t *
uris_json(const vouch_dmarc_urilist_t *l)
{
    json_t *uris = json_array();
    size_t i;

    for (i = 0; uris != NULL && i < l->n; i++) {
        json_t *u = json_object();

        if (u == NULL) {
            continue;
        }
        json_object_set_new(u, "uri", json_string(l->uri[i].uri));
        json_object_set_new(u, "max_size",
                            l->uri[i].max_size > 0
                                ? json_integer((json_int_t)l->uri[i].max_size)
                                : json_null());
        json_array_append_new(uris, u);
    }
    return uris;
}

static json_t *
policy_json(const vouch_dmarc_record_t *r)
{
    json_t *pol = json_object();

    if (pol == NULL) {
        return NULL;
    }
    json_object_set_new(pol, "domain",
                        json_string(vouch_dmarc_policy_name(
                            vouch_dmarc_record_policy(r, false, false, NULL))));
    json_object_set_new(pol, "subdomain",
                        json_string(vouch_dmarc_policy_name(
                            vouch_dmarc_record_policy(r, true, false, NULL))));
    json_object_set_new(pol, "nonexistent_subdomain",
                        json_string(vouch_dmarc_policy_name(
                            vouch_dmarc_record_policy(r, true, true, NULL))));
    return pol;
}

static json_t *
warnings_json(const vouch_dmarc_record_t *r)
{
    json_t *warns = json_array();
    size_t i;

    for (i = 0; warns != NULL && i < r->nwarnings; i++) {
        const vouch_dmarc_warning_t *w = &r->warnings[i];
        json_t *e = json_object();

        if (e == NULL) {
            continue;
        }
        json_object_set_new(
            e, "kind", json_string(vouch_dmarc_warning_kind_name(w->kind)));
        json_object_set_new(e, "tag", cli_json_bytes(w->tag, strlen(w->tag)));
        json_object_set_new(e, "offset", json_integer((json_int_t)w->offset));
        json_object_set_new(e, "message",
                            cli_json_bytes(w->msg, strlen(w->msg)));
        json_array_append_new(warns, e);
    }
    return warns;
}

/* An invalid record has empty tags, rua, ruf and warnings, and a null
 * policy. */
static json_t *
record_json(const vouch_dmarc_record_t *r, int rc, const vouch_error_t *err)
{
    json_t *o = json_object();

    if (o == NULL) {
        return NULL;
    }
    json_object_set_new(o, "valid", json_boolean(rc == 0));
    json_object_set_new(o, "mode", json_string(vouch_dmarc_mode_name(r->mode)));
    json_object_set_new(o, "error",
                        rc == 0 ? json_null()
                                : cli_json_bytes(err->msg, strlen(err->msg)));
    json_object_set_new(o, "error_offset",
                        rc == 0 ? json_null()
                                : json_integer((json_int_t)err->offset));
    json_object_set_new(o, "tags", rc == 0 ? tags_json(r) : json_array());
    json_object_set_new(o, "rua", uris_json(&r->rua));
    json_object_set_new(o, "ruf", uris_json(&r->ruf));
    json_object_set_new(o, "policy", rc == 0 ? policy_json(r) : json_null());
    json_object_set_new(o, "warnings", warnings_json(r));
    json_object_set_new(o, "warnings_dropped",
                        json_integer((json_int_t)r->warnings_dropped));
    return o;
}

static void
record_human(const vouch_dmarc_record_t *r, int rc, const vouch_error_t *err)
{
    size_t i;

    if (rc != 0) {
        printf("dmarc record: not a DMARC record (RFC %s mode)\n"
               "  error: %s (at byte %zu)\n"
               "  A receiver ignores this TXT record.\n",
               vouch_dmarc_mode_name(r->mode), err->msg, err->offset);
        return;
    }
    printf("dmarc record: valid (RFC %s mode)\n",
           vouch_dmarc_mode_name(r->mode));
    for (i = 0; i < sizeof(tag_infos) / sizeof(tag_infos[0]); i++) {
        const tag_info_t *t = &tag_infos[i];
        char val[4096];
        const char *state;

        if (!tag_applies(r->mode, t->bit)) {
            continue;
        }
        tag_value(val, sizeof(val), r, t->bit);
        state = !(r->present & t->bit)  ? "default"
                : (r->invalid & t->bit) ? "invalid, default"
                                        : "given";
        printf("  %-6s %-30s [%s] %s\n", t->name, val, state, t->meaning);
    }
    printf("policy: domain %s, existing subdomains %s",
           vouch_dmarc_policy_name(
               vouch_dmarc_record_policy(r, false, false, NULL)),
           vouch_dmarc_policy_name(
               vouch_dmarc_record_policy(r, true, false, NULL)));
    if (r->mode == VOUCH_DMARC_9989) {
        printf(", nonexistent subdomains %s",
               vouch_dmarc_policy_name(
                   vouch_dmarc_record_policy(r, true, true, NULL)));
    }
    printf("\n");
    if (vouch_dmarc_record_policy(r, false, false, NULL) ==
        VOUCH_DMARC_P_UNSET) {
        printf("  no valid p and no valid rua: receivers apply no DMARC "
               "processing\n");
    }
    if (r->nwarnings > 0) {
        printf("warnings:\n");
    }
    for (i = 0; i < r->nwarnings; i++) {
        const vouch_dmarc_warning_t *w = &r->warnings[i];

        printf("  [%s] %s%s(byte %zu) %s\n",
               vouch_dmarc_warning_kind_name(w->kind), w->tag,
               w->tag[0] != '\0' ? " " : "", w->offset, w->msg);
    }
    if (r->warnings_dropped > 0) {
        printf("  ... and %zu more\n", r->warnings_dropped);
    }
}

static int
cmd_record(int argc, char **argv)
{
    dmarc_opts_t o;
    vouch_dmarc_record_t rec;
    vouch_error_t err;
    int rc;

    memset(&o, 0, sizeof(o));
    rc = parse_args(&o, argc, argv, false);
    if (rc != CLI_OK) {
        if (rc == CLI_USAGE) {
            fprintf(stderr, "try 'vouch dmarc record --help'\n");
        }
        return rc < 0 ? CLI_OK : rc;
    }
    vouch_error_clear(&err);
    rc = vouch_dmarc_record_parse(&rec, o.arg, strlen(o.arg), o.mode, &err);
    if (o.g.json) {
        return cli_json_print(stdout, record_json(&rec, rc, &err), false) == 0
                   ? CLI_OK
                   : CLI_ERROR;
    }
    record_human(&rec, rc, &err);
    return CLI_OK;
}

/* ---- check
 * ---------------------------------------------------------------------- */

static const char *
discovery_status(vouch_dmarc_code_t c)
{
    switch (c) {
    case VOUCH_DMARC_FAIL:
    case VOUCH_DMARC_PASS:
        return "found";
    case VOUCH_DMARC_NONE:
        return "none";
    case VOUCH_DMARC_TEMPERROR:
        return "temperror";
    default:
        return "permerror";
    }
}

static json_t *
nullable(const char *s)
{
    return s[0] != '\0' ? cli_json_bytes(s, strlen(s)) : json_null();
}

static json_t *
check_json(const vouch_dmarc_result_t *res, vouch_dmarc_mode_t mode)
{
    json_t *o = json_object();

    if (o == NULL) {
        return NULL;
    }
    json_object_set_new(o, "domain", nullable(res->from_domain));
    json_object_set_new(o, "mode", json_string(vouch_dmarc_mode_name(mode)));
    json_object_set_new(o, "status",
                        json_string(discovery_status(res->result)));
    json_object_set_new(o, "policy_domain", nullable(res->policy_domain));
    json_object_set_new(o, "org_domain", nullable(res->org_domain));
    json_object_set_new(o, "record", nullable(res->record));
    json_object_set_new(o, "policy",
                        res->policy != VOUCH_DMARC_P_UNSET
                            ? json_string(vouch_dmarc_policy_name(res->policy))
                            : json_null());
    json_object_set_new(o, "policy_tag", nullable(res->policy_tag));
    json_object_set_new(
        o, "failing_mail",
        res->result == VOUCH_DMARC_FAIL
            ? json_string(vouch_dmarc_policy_name(res->disposition))
            : json_null());
    json_object_set_new(o, "testing", json_boolean(res->testing));
    json_object_set_new(o, "domain_exists", json_boolean(res->from_exists));
    json_object_set_new(o, "queries", json_integer(res->queries));
    json_object_set_new(o, "reason", nullable(res->reason));
    return o;
}

static void
check_human(const vouch_dmarc_result_t *res, vouch_dmarc_mode_t mode)
{
    printf("dmarc check: %s (RFC %s mode)\n", discovery_status(res->result),
           vouch_dmarc_mode_name(mode));
    printf("  domain:        %s%s\n", res->from_domain,
           res->from_exists ? "" : " (does not exist: NXDOMAIN)");
    printf("  policy domain: %s\n",
           res->policy_domain[0] != '\0' ? res->policy_domain : "-");
    printf("  org domain:    %s\n",
           res->org_domain[0] != '\0' ? res->org_domain : "-");
    printf("  record:        %s\n", res->record[0] != '\0' ? res->record : "-");
    if (res->policy != VOUCH_DMARC_P_UNSET) {
        printf("  policy:        %s=%s\n", res->policy_tag,
               vouch_dmarc_policy_name(res->policy));
    }
    if (res->result == VOUCH_DMARC_FAIL) {
        printf("  failing mail:  %s%s\n",
               vouch_dmarc_policy_name(res->disposition),
               res->testing ? " (testing: one level lower)" : "");
    }
    printf("  queries:       %u\n", res->queries);
    if (res->result != VOUCH_DMARC_FAIL) {
        printf("  reason:        %s\n", res->reason);
    }
}

static int
cmd_check(int argc, char **argv)
{
    dmarc_opts_t o;
    vouch_ctx_t *ctx = NULL;
    vouch_resolver_t *r = NULL;
    vouch_psl_t *psl = NULL;
    vouch_dmarc_options_t opts = VOUCH_DMARC_OPTIONS_INIT;
    vouch_dmarc_input_t in;
    vouch_dmarc_result_t res;
    vouch_error_t err;
    int rc;

    memset(&o, 0, sizeof(o));
    rc = parse_args(&o, argc, argv, true);
    if (rc != CLI_OK) {
        if (rc == CLI_USAGE) {
            fprintf(stderr, "try 'vouch dmarc check --help'\n");
        }
        return rc < 0 ? CLI_OK : rc;
    }
    if (o.psl != NULL && o.mode != VOUCH_DMARC_7489) {
        cli_error("dmarc check: --psl needs --dmarc-mode 7489");
        return CLI_USAGE;
    }
    if ((ctx = cli_make_ctx(&o.g)) == NULL) {
        return CLI_ERROR;
    }
    vouch_error_clear(&err);
    if (o.mode == VOUCH_DMARC_7489 &&
        vouch_psl_load(&psl, ctx, o.psl, &err) != 0) {
        cli_error("dmarc check: %s", err.msg);
        vouch_ctx_free(ctx);
        return CLI_ERROR;
    }
    rc = cli_make_resolver(&r, ctx, &o.g);
    if (rc == CLI_OK) {
        opts.mode = o.mode;
        opts.psl = psl;
        /* no sampling: show the disposition of a sampled message */
        opts.pct_draw = 0;
        memset(&in, 0, sizeof(in));
        in.from_domain = o.arg;
        if (vouch_dmarc_evaluate(&res, ctx, r, &opts, &in, &err) != 0) {
            cli_error("dmarc check: %s", err.msg);
            rc = CLI_ERROR;
        } else if (o.g.json) {
            rc = cli_json_print(stdout, check_json(&res, o.mode), false) == 0
                     ? CLI_OK
                     : CLI_ERROR;
        } else {
            check_human(&res, o.mode);
        }
    }
    vouch_resolver_free(r);
    vouch_psl_free(psl);
    vouch_ctx_free(ctx);
    return rc;
}

int
cli_cmd_dmarc(int argc, char **argv)
{
    static const cli_sub_t subs[] = {
        { "record", cmd_record, "parse and explain a DMARC policy record" },
        { "check", cmd_check, "find the policy record for a From domain" },
    };

    return cli_dispatch("dmarc", subs, sizeof(subs) / sizeof(subs[0]), argc,
                        argv);
}
