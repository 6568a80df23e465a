/* SPDX-License-Identifier: MIT */
/*
 * cli/verify.c - `vouch verify`: everything a receiver decides about one
 * message. SPF for the SMTP client, DKIM and ARC in one streaming pass
 * over the message, the author domain from the From field, DMARC for it,
 * and the Authentication-Results (and Received-SPF) fields to prepend.
 *
 * Author domains: a message whose From fields hold one domain (one
 * address, or several addresses of the same domain) is evaluated for it.
 * Several distinct domains (several From fields or addresses) are each
 * evaluated and the message gets the worst result and the strictest
 * policy among them (RFC 9989: apply the strictest policy). No From, an
 * address without a domain, an unusable domain or a From that does not
 * parse: dmarc=permerror with the reason; never a pass.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define CHUNK        65536
#define FROM_MAX     8  /* distinct author domains evaluated */
#define FROM_ADDRS   32 /* addresses read from one From field */
#define AR_METHODS   (2 + VOUCH_DKIM_SIGNATURES_MAX + FROM_MAX)
#define HOSTNAME_MAX 256

typedef struct verify_opts {
    cli_global_t g;
    const char *file;
    const char *ip;
    vouch_ip_t ipaddr;
    const char *helo;
    const char *mail_from;
    const char *authserv_id;
    const char *psl;
    vouch_dmarc_mode_t mode;
    vouch_dkim_verify_options_t dkim;
    char hostname[HOSTNAME_MAX];
} verify_opts_t;

/* The author domains of a message, or why there is none to evaluate. */
typedef struct authors {
    char domain[FROM_MAX][VOUCH_DNS_NAME_MAX + 1];
    size_t n;
    char error[200]; /* non-empty: no usable author domain (the size of
                        vouch_dmarc_result_t.reason) */
} authors_t;

/* What one message produced. */
typedef struct verdicts {
    vouch_spf_request_t spf_req;
    vouch_spf_result_t spf;
    vouch_dkim_verifier_t *dkim;
    vouch_arc_verifier_t *arc;
    authors_t authors;
    vouch_dmarc_result_t dmarc[FROM_MAX];
    vouch_dmarc_result_t summary; /* worst result, strictest policy */
    /* the SPF and DKIM domains normalised for DMARC (A-labels, lower case;
     * empty when they do not normalise) */
    char spf_domain[VOUCH_DNS_NAME_MAX + 1];
    char dkim_domain[VOUCH_DKIM_SIGNATURES_MAX][VOUCH_DNS_NAME_MAX + 1];
} verdicts_t;

/* The reader's callbacks feed both verifiers. */
typedef struct pass {
    verdicts_t *v;
    vouch_error_t *err;
} pass_t;

static const char verify_help[] =
    "usage: vouch verify [FILE|-] --ip IP --helo NAME --mail-from ADDR "
    "[options]\n\n"
    "Authenticate one received message: SPF (RFC 7208) for the client, DKIM\n"
    "(RFC 6376) and ARC (RFC 8617) signatures, and DMARC (RFC 9989) for the\n"
    "domain of the From field. Prints the Authentication-Results (RFC 8601)\n"
    "and Received-SPF fields to prepend; --json prints every result.\n"
    "No FILE or - reads stdin.\n\n"
    "  --ip IP              address of the SMTP client\n"
    "  --helo NAME          HELO/EHLO name the client gave\n"
    "  --mail-from ADDR     MAIL FROM address (empty for the null sender)\n"
    "  --authserv-id ID     our name in Authentication-Results (default: "
    "this\n"
    "                       host's name)\n"
    "  --dmarc-mode MODE    9989 (DNS tree walk, default) or 7489 (Public\n"
    "                       Suffix List)\n"
    "  --psl FILE           public suffix list for 7489 mode (default: "
    "Debian's)\n"
    "  --allow-rsa-sha1     accept rsa-sha1 DKIM signatures\n"
    "  --min-rsa-bits N     smallest RSA key accepted (default 1024)\n\n";

/* ---- reading the message ------------------------------------------------- */

static int
on_header(void *payload, const vouch_mail_header_t *hdr)
{
    pass_t *p = payload;
    size_t i, n = vouch_mail_header_count(hdr);
    int rc = 0;

    for (i = 0; i < n && rc == 0; i++) {
        const vouch_mail_field_t *f = vouch_mail_header_field(hdr, i);

        rc = vouch_dkim_verifier_header(p->v->dkim, f->raw, f->len, p->err);
        if (rc == 0) {
            rc = vouch_arc_verifier_header(p->v->arc, f->raw, f->len, p->err);
        }
    }
    if (rc == 0) {
        rc = vouch_dkim_verifier_end_header(p->v->dkim, p->err);
    }
    if (rc == 0) {
        rc = vouch_arc_verifier_end_header(p->v->arc, p->err);
    }
    return rc;
}

static int
on_body(void *payload, const char *data, size_t len)
{
    pass_t *p = payload;
    int rc = vouch_dkim_verifier_body(p->v->dkim, data, len, p->err);

    return rc != 0 ? rc : vouch_arc_verifier_body(p->v->arc, data, len, p->err);
}

/* Read f through one reader feeding the DKIM and ARC verifiers; the
 * header stays with the reader for the From field. */
static int
read_message(verdicts_t *v, vouch_mail_reader_t *reader, FILE *f,
             vouch_error_t *err)
{
    static char buf[CHUNK];
    size_t n;
    int rc = 0;

    while (rc == 0 && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
        rc = vouch_mail_reader_feed(reader, buf, n, err);
    }
    if (rc == 0 && ferror(f)) {
        (void)snprintf(err->msg, sizeof(err->msg), "%s", strerror(errno));
        return VOUCH_EIO;
    }
    if (rc == 0) {
        rc = vouch_mail_reader_finish(reader, err);
    }
    if (rc == 0) {
        rc = vouch_dkim_verifier_finish(v->dkim, err);
    }
    return rc == 0 ? vouch_arc_verifier_finish(v->arc, err) : rc;
}

/* ---- author domains ------------------------------------------------------ */

static void
add_author(authors_t *a, const char *domain)
{
    size_t i;

    for (i = 0; i < a->n; i++) {
        if (strcmp(a->domain[i], domain) == 0) {
            return;
        }
    }
    if (a->n == FROM_MAX) {
        (void)snprintf(a->error, sizeof(a->error),
                       "more than %d distinct From domains", FROM_MAX);
        return;
    }
    (void)snprintf(a->domain[a->n++], sizeof(a->domain[0]), "%s", domain);
}

/* Every address of every From field: their distinct domains. */
static void
collect_authors(authors_t *a, const vouch_mail_header_t *hdr)
{
    vouch_address_t addr[FROM_ADDRS];
    vouch_from_t from;
    size_t i, k, n;
    vouch_error_t err;

    memset(a, 0, sizeof(*a));
    if (vouch_from_get(&from, hdr) != 0) {
        (void)snprintf(a->error, sizeof(a->error), "out of memory");
        return;
    }
    if (from.status == VOUCH_FROM_OK) {
        add_author(a, from.address.domain);
        return;
    }
    if (from.status != VOUCH_FROM_MULTIPLE_FIELDS &&
        from.status != VOUCH_FROM_MULTIPLE_ADDRESSES) {
        (void)snprintf(a->error, sizeof(a->error), "From %s: %s",
                       vouch_from_status_name(from.status), from.reason);
        return;
    }
    for (i = vouch_mail_header_find(hdr, "From", 4, 0);
         i != (size_t)-1 && a->error[0] == '\0';
         i = vouch_mail_header_find(hdr, "From", 4, i + 1)) {
        const vouch_mail_field_t *f = vouch_mail_header_field(hdr, i);

        vouch_error_clear(&err);
        if (vouch_address_list_parse(f->raw + f->value_off,
                                     f->len - f->value_off, addr, FROM_ADDRS,
                                     &n, &err) != 0) {
            (void)snprintf(a->error, sizeof(a->error), "From: %.180s", err.msg);
            return;
        }
        for (k = 0; k < n && a->error[0] == '\0'; k++) {
            if (!addr[k].has_domain || addr[k].domain[0] == '\0') {
                (void)snprintf(a->error, sizeof(a->error),
                               "From: an address without a domain");
            } else {
                add_author(a, addr[k].domain);
            }
        }
    }
    if (a->error[0] == '\0' && a->n == 0) {
        (void)snprintf(a->error, sizeof(a->error), "From: no address");
    }
}

/* ---- DMARC --------------------------------------------------------------- */

/* Severity of a result for combining several author domains. */
static int
dmarc_rank(vouch_dmarc_code_t c)
{
    switch (c) {
    case VOUCH_DMARC_PASS:
        return 0;
    case VOUCH_DMARC_NONE:
        return 1;
    case VOUCH_DMARC_TEMPERROR:
        return 2;
    case VOUCH_DMARC_PERMERROR:
        return 3;
    case VOUCH_DMARC_FAIL:
        return 4;
    }
    return 4;
}

/* A domain from the message or the envelope as DMARC compares them;
 * empty when it is not a usable name (then it cannot align). */
static void
normalize(char out[VOUCH_DNS_NAME_MAX + 1], const char *domain)
{
    vouch_error_t err;

    if (vouch_domain_normalize(out, domain, strlen(domain), &err) != 0) {
        out[0] = '\0';
    }
}

static int
run_dmarc(verdicts_t *v, const verify_opts_t *o, vouch_ctx_t *ctx,
          vouch_resolver_t *r, const vouch_psl_t *psl, vouch_error_t *err)
{
    vouch_dmarc_options_t dopt = VOUCH_DMARC_OPTIONS_INIT;
    vouch_dmarc_dkim_in_t dk[VOUCH_DKIM_SIGNATURES_MAX];
    vouch_dmarc_input_t in;
    vouch_dmarc_result_t *sum = &v->summary;
    size_t i, n = vouch_dkim_verifier_count(v->dkim);
    int rc;

    dopt.mode = o->mode;
    dopt.psl = psl;
    for (i = 0; i < n && i < VOUCH_DKIM_SIGNATURES_MAX; i++) {
        const vouch_dkim_sig_t *s = vouch_dkim_verifier_result(v->dkim, i);

        normalize(v->dkim_domain[i], s->domain);
        dk[i].domain = v->dkim_domain[i];
        dk[i].pass = s->result == VOUCH_DKIM_PASS && dk[i].domain[0] != '\0';
        dk[i].temperror = s->result == VOUCH_DKIM_TEMPERROR;
    }
    memset(&in, 0, sizeof(in));
    normalize(v->spf_domain, v->spf.domain);
    in.spf_domain = v->spf_domain;
    in.spf_result = v->spf.code;
    in.dkim = dk;
    in.ndkim = i;
    memset(sum, 0, sizeof(*sum));
    if (v->authors.error[0] != '\0') {
        sum->result = VOUCH_DMARC_PERMERROR;
        (void)snprintf(sum->reason, sizeof(sum->reason), "%s",
                       v->authors.error);
        return 0;
    }
    for (i = 0; i < v->authors.n; i++) {
        const vouch_dmarc_result_t *d = &v->dmarc[i];

        in.from_domain = v->authors.domain[i];
        rc = vouch_dmarc_evaluate(&v->dmarc[i], ctx, r, &dopt, &in, err);
        if (rc != 0) {
            return rc;
        }
        if (i == 0 || dmarc_rank(d->result) > dmarc_rank(sum->result)) {
            vouch_dmarc_policy_t pol = sum->policy, disp = sum->disposition;

            *sum = *d;
            sum->policy = pol > sum->policy ? pol : sum->policy;
            sum->disposition =
                disp > sum->disposition ? disp : sum->disposition;
        } else {
            sum->policy = d->policy > sum->policy ? d->policy : sum->policy;
            sum->disposition = d->disposition > sum->disposition
                                   ? d->disposition
                                   : sum->disposition;
        }
    }
    return 0;
}

/* ---- Authentication-Results -----------------------------------------------
 */

static void
prop(vouch_ar_method_t *m, const char *ptype, const char *property,
     const char *value)
{
    if (m->nprops < VOUCH_AR_PROPS_MAX && value != NULL && value[0] != '\0') {
        m->props[m->nprops].ptype = ptype;
        m->props[m->nprops].property = property;
        m->props[m->nprops].value = value;
        m->nprops++;
    }
}

/* Text owned by the A-R methods while they are written. */
typedef struct ar_text {
    char comment[AR_METHODS][VOUCH_DNS_NAME_MAX + 32];
    char oldest[16];
    char ip[VOUCH_IP_STRLEN];
} ar_text_t;

static size_t
build_methods(vouch_ar_method_t *m, ar_text_t *t, const verdicts_t *v)
{
    const vouch_arc_result_t *arc = vouch_arc_verifier_result(v->arc);
    size_t n = 0, i, nsig = vouch_dkim_verifier_count(v->dkim);

    memset(m, 0, sizeof(*m) * AR_METHODS);
    m[n].method = "spf";
    m[n].result = vouch_spf_code_name(v->spf.code);
    m[n].reason = v->spf.reason.len > 0 ? v->spf.reason.ptr : NULL;
    prop(&m[n], "smtp", v->spf.identity == VOUCH_SPF_HELO ? "helo" : "mailfrom",
         v->spf.identity == VOUCH_SPF_HELO ? v->spf.domain : v->spf.sender.ptr);
    n++;
    for (i = 0; i < nsig && n < AR_METHODS - 1 - FROM_MAX; i++) {
        const vouch_dkim_sig_t *s = vouch_dkim_verifier_result(v->dkim, i);

        m[n].method = "dkim";
        m[n].result = vouch_dkim_code_name(s->result);
        if (s->result != VOUCH_DKIM_PASS) {
            m[n].reason = s->reason;
        }
        if (s->key_bits > 0) {
            (void)snprintf(t->comment[n], sizeof(t->comment[n]),
                           "%u-bit %s key", s->key_bits,
                           s->algorithm == VOUCH_DKIM_ED25519_SHA256 ? "ed25519"
                                                                     : "rsa");
            m[n].comment = t->comment[n];
        }
        prop(&m[n], "header", "d", s->domain);
        prop(&m[n], "header", "i", s->identity);
        prop(&m[n], "header", "s", s->selector);
        prop(&m[n], "header", "a", vouch_dkim_alg_name(s->algorithm));
        prop(&m[n], "header", "b", s->header_b);
        n++;
    }
    m[n].method = "arc";
    m[n].result = vouch_arc_cv_name(arc->cv);
    if (arc->cv == VOUCH_ARC_FAIL) {
        m[n].reason = arc->reason;
    }
    if (arc->sets > 0) {
        (void)snprintf(t->comment[n], sizeof(t->comment[n]), "i=%u d=%s",
                       arc->sets, arc->domain);
        m[n].comment = t->comment[n];
    }
    if (arc->cv == VOUCH_ARC_PASS) {
        (void)snprintf(t->oldest, sizeof(t->oldest), "%u", arc->oldest_pass);
        prop(&m[n], "header", "oldest-pass", t->oldest);
    }
    prop(&m[n], "smtp", "remote-ip", vouch_ip_format(&v->spf_req.ip, t->ip));
    n++;
    if (v->authors.error[0] != '\0') {
        m[n].method = "dmarc";
        m[n].result = vouch_dmarc_code_name(VOUCH_DMARC_PERMERROR);
        m[n].reason = v->authors.error;
        return n + 1;
    }
    for (i = 0; i < v->authors.n; i++) {
        const vouch_dmarc_result_t *d = &v->dmarc[i];

        m[n].method = "dmarc";
        m[n].result = vouch_dmarc_code_name(d->result);
        if (d->result != VOUCH_DMARC_PASS && d->reason[0] != '\0') {
            m[n].reason = d->reason;
        }
        if (d->policy != VOUCH_DMARC_P_UNSET) {
            (void)snprintf(t->comment[n], sizeof(t->comment[n]),
                           "p=%s dis=%s%s", vouch_dmarc_policy_name(d->policy),
                           vouch_dmarc_policy_name(d->disposition),
                           d->testing ? " testing" : "");
            m[n].comment = t->comment[n];
        }
        prop(&m[n], "header", "from", d->from_domain);
        n++;
    }
    return n;
}

/* ---- output -------------------------------------------------------------- */

static json_t *
str_json(const char *s)
{
    return cli_json_bytes(s, strlen(s));
}

static json_t *
dmarc_json(const vouch_dmarc_result_t *d)
{
    json_t *o = json_object();

    json_object_set_new(o, "result",
                        json_string(vouch_dmarc_code_name(d->result)));
    json_object_set_new(o, "policy",
                        json_string(vouch_dmarc_policy_name(d->policy)));
    json_object_set_new(o, "disposition",
                        json_string(vouch_dmarc_policy_name(d->disposition)));
    json_object_set_new(o, "from_domain", str_json(d->from_domain));
    json_object_set_new(o, "org_domain", str_json(d->org_domain));
    json_object_set_new(o, "policy_domain", str_json(d->policy_domain));
    json_object_set_new(o, "record", str_json(d->record));
    json_object_set_new(o, "spf_aligned", json_boolean(d->spf_aligned));
    json_object_set_new(o, "dkim_aligned", json_boolean(d->dkim_aligned));
    json_object_set_new(o, "testing", json_boolean(d->testing));
    json_object_set_new(o, "reason", str_json(d->reason));
    return o;
}

static json_t *
arc_json(const vouch_arc_result_t *a)
{
    json_t *o = json_object();

    json_object_set_new(o, "cv", json_string(vouch_arc_cv_name(a->cv)));
    json_object_set_new(o, "sets", json_integer(a->sets));
    json_object_set_new(o, "oldest_pass", json_integer(a->oldest_pass));
    json_object_set_new(o, "domain", str_json(a->domain));
    json_object_set_new(o, "reason", str_json(a->reason));
    return o;
}

static int
print_results(const verdicts_t *v, const verify_opts_t *o, const char *ar,
              const char *rspf)
{
    json_t *obj, *arr, *froms;
    size_t i, n = vouch_dkim_verifier_count(v->dkim);

    if (!o->g.json) {
        printf("Authentication-Results: %s\r\nReceived-SPF: %s\r\n", ar, rspf);
        return 0;
    }
    obj = json_object();
    json_object_set_new(obj, "spf", cli_spf_json(&v->spf_req, &v->spf));
    arr = json_array();
    for (i = 0; i < n; i++) {
        json_array_append_new(
            arr, cli_dkim_sig_json(vouch_dkim_verifier_result(v->dkim, i)));
    }
    json_object_set_new(obj, "dkim", arr);
    json_object_set_new(obj, "arc",
                        arc_json(vouch_arc_verifier_result(v->arc)));
    json_object_set_new(obj, "dmarc", dmarc_json(&v->summary));
    froms = json_array();
    for (i = 0; i < v->authors.n && v->authors.error[0] == '\0'; i++) {
        json_array_append_new(froms, dmarc_json(&v->dmarc[i]));
    }
    json_object_set_new(obj, "dmarc_per_author", froms);
    json_object_set_new(obj, "authentication_results", str_json(ar));
    json_object_set_new(obj, "received_spf", str_json(rspf));
    return cli_json_print(stdout, obj, true);
}

/* ---- the command --------------------------------------------------------- */

static int
authenticate(verify_opts_t *o, vouch_ctx_t *ctx, vouch_resolver_t *r,
             const vouch_psl_t *psl, FILE *f)
{
    verdicts_t v;
    pass_t pass;
    vouch_mail_handler_t h;
    vouch_mail_reader_t *reader = NULL;
    vouch_ar_method_t methods[AR_METHODS];
    ar_text_t *text = NULL;
    vouch_buf_t ar, rspf;
    vouch_error_t err;
    int rc;

    memset(&v, 0, sizeof(v));
    vouch_error_clear(&err);
    vouch_buf_init(&ar, ctx, 1 << 20);
    vouch_buf_init(&rspf, ctx, 1 << 16);
    vouch_spf_result_init(&v.spf, ctx);
    v.spf_req = (vouch_spf_request_t)VOUCH_SPF_REQUEST_INIT;
    v.spf_req.ip = o->ipaddr;
    v.spf_req.mail_from.ptr = o->mail_from;
    v.spf_req.mail_from.len = strlen(o->mail_from);
    v.spf_req.helo.ptr = o->helo;
    v.spf_req.helo.len = strlen(o->helo);
    v.spf_req.receiver.ptr = o->authserv_id;
    v.spf_req.receiver.len = strlen(o->authserv_id);
    pass.v = &v;
    pass.err = &err;
    h.on_header = on_header;
    h.on_body = on_body;
    h.payload = &pass;
    rc = vouch_dkim_verifier_new(&v.dkim, ctx, r, &o->dkim, &err);
    if (rc == 0) {
        vouch_arc_verify_options_t aopt = VOUCH_ARC_VERIFY_OPTIONS_INIT;

        aopt.min_rsa_bits = o->dkim.min_rsa_bits;
        aopt.allow_rsa_sha1 = o->dkim.allow_rsa_sha1;
        rc = vouch_arc_verifier_new(&v.arc, ctx, r, &aopt, &err);
    }
    if (rc == 0) {
        rc = vouch_mail_reader_new(&reader, ctx, &h);
    }
    if (rc == 0) {
        rc = read_message(&v, reader, f, &err);
    }
    if (rc == 0) {
        collect_authors(&v.authors, vouch_mail_reader_header(reader));
        rc = vouch_spf_check(&v.spf, ctx, r, &v.spf_req, &err);
    }
    if (rc == 0) {
        rc = run_dmarc(&v, o, ctx, r, psl, &err);
    }
    if (rc == 0 && (text = calloc(1, sizeof(*text))) == NULL) {
        rc = VOUCH_ENOMEM;
    }
    if (rc == 0) {
        size_t n = build_methods(methods, text, &v);

        rc = vouch_ar_write_value(&ar, o->authserv_id, methods, n, &err);
    }
    if (rc == 0) {
        rc = vouch_spf_received_spf(&rspf, &v.spf_req, &v.spf);
    }
    if (rc == 0) {
        rc = print_results(&v, o, ar.ptr, rspf.ptr) == 0 ? CLI_OK : CLI_ERROR;
    } else {
        cli_error("verify: %s",
                  err.msg[0] != '\0' ? err.msg : vouch_strerror(rc));
        rc = CLI_ERROR;
    }
    free(text);
    vouch_buf_dispose(&ar);
    vouch_buf_dispose(&rspf);
    vouch_spf_result_dispose(&v.spf);
    vouch_mail_reader_free(reader);
    vouch_arc_verifier_free(v.arc);
    vouch_dkim_verifier_free(v.dkim);
    return rc;
}

static int
parse_args(verify_opts_t *o, int argc, char **argv)
{
    enum {
        OPT_IP = OPT_GLOBAL_END,
        OPT_HELO,
        OPT_FROM,
        OPT_AUTHSERV,
        OPT_MODE,
        OPT_PSL,
        OPT_SHA1,
        OPT_MINBITS
    };
    static const struct option longopts[] = {
        CLI_GLOBAL_OPTIONS,
        { "ip", required_argument, NULL, OPT_IP },
        { "helo", required_argument, NULL, OPT_HELO },
        { "mail-from", required_argument, NULL, OPT_FROM },
        { "authserv-id", required_argument, NULL, OPT_AUTHSERV },
        { "dmarc-mode", required_argument, NULL, OPT_MODE },
        { "psl", required_argument, NULL, OPT_PSL },
        { "allow-rsa-sha1", no_argument, NULL, OPT_SHA1 },
        { "min-rsa-bits", required_argument, NULL, OPT_MINBITS },
        { NULL, 0, NULL, 0 },
    };
    int c;

    while ((c = cli_next_option(&o->g, "verify", argc, argv, longopts)) > 0) {
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
        case OPT_AUTHSERV:
            o->authserv_id = optarg;
            break;
        case OPT_MODE:
            if (strcmp(optarg, "9989") == 0) {
                o->mode = VOUCH_DMARC_9989;
            } else if (strcmp(optarg, "7489") == 0) {
                o->mode = VOUCH_DMARC_7489;
            } else {
                cli_error("verify: --dmarc-mode is 9989 or 7489, not '%s'",
                          optarg);
                return CLI_USAGE;
            }
            break;
        case OPT_PSL:
            o->psl = optarg;
            break;
        case OPT_SHA1:
            o->dkim.allow_rsa_sha1 = true;
            break;
        case OPT_MINBITS:
            if (cli_parse_uint(optarg, 16384, &o->dkim.min_rsa_bits) != 0) {
                cli_error("verify: --min-rsa-bits wants bits, not '%s'",
                          optarg);
                return CLI_USAGE;
            }
            break;
        }
    }
    if (c == CLI_OPT_HELP) {
        printf("%s%s", verify_help, cli_global_help);
        return -1;
    }
    if (c == CLI_OPT_USAGE) {
        return CLI_USAGE;
    }
    if (optind < argc) {
        o->file = argv[optind++];
    }
    if (optind < argc) {
        cli_error("verify: one message at a time ('%s')", argv[optind]);
        return CLI_USAGE;
    }
    if (o->ip == NULL || o->helo == NULL || o->mail_from == NULL) {
        cli_error("verify: --ip, --helo and --mail-from are required "
                  "(--mail-from '' for the null sender)");
        return CLI_USAGE;
    }
    if (vouch_ip_parse(&o->ipaddr, o->ip, strlen(o->ip)) != 0) {
        cli_error("verify: --ip '%s' is not an IPv4 or IPv6 address", o->ip);
        return CLI_USAGE;
    }
    if (o->authserv_id == NULL) {
        if (gethostname(o->hostname, sizeof(o->hostname) - 1) != 0 ||
            o->hostname[0] == '\0') {
            (void)snprintf(o->hostname, sizeof(o->hostname), "localhost");
        }
        o->authserv_id = o->hostname;
    }
    return CLI_OK;
}

int
cli_cmd_verify(int argc, char **argv)
{
    static const vouch_dkim_verify_options_t vdef =
        VOUCH_DKIM_VERIFY_OPTIONS_INIT;
    verify_opts_t o;
    vouch_ctx_t *ctx;
    vouch_resolver_t *r = NULL;
    vouch_psl_t *psl = NULL;
    vouch_error_t err;
    FILE *f = stdin;
    int rc;

    memset(&o, 0, sizeof(o));
    o.dkim = vdef;
    rc = parse_args(&o, argc, argv);
    if (rc != CLI_OK) {
        if (rc == CLI_USAGE) {
            fprintf(stderr, "try 'vouch verify --help'\n");
        }
        return rc < 0 ? CLI_OK : rc;
    }
    if ((ctx = cli_make_ctx(&o.g)) == NULL) {
        return CLI_ERROR;
    }
    rc = cli_make_resolver(&r, ctx, &o.g);
    vouch_error_clear(&err);
    if (rc == CLI_OK && (o.mode == VOUCH_DMARC_7489 || o.psl != NULL) &&
        vouch_psl_load(&psl, ctx, o.psl, &err) != 0) {
        cli_error("verify: public suffix list: %s", err.msg);
        rc = CLI_ERROR;
    }
    if (rc == CLI_OK && o.file != NULL && strcmp(o.file, "-") != 0 &&
        (f = fopen(o.file, "rb")) == NULL) {
        cli_error("verify: %s: %s", o.file, strerror(errno));
        rc = CLI_ERROR;
    }
    if (rc == CLI_OK) {
        rc = authenticate(&o, ctx, r, psl, f);
    }
    if (f != NULL && f != stdin) {
        fclose(f);
    }
    vouch_psl_free(psl);
    vouch_resolver_free(r);
    vouch_ctx_free(ctx);
    return rc;
}
