/* SPDX-License-Identifier: MIT */
/*
 * http/http.c - the one HTTPS GET of the library (libcurl easy interface),
 * with the fences vouch/http.h promises: https only, validated
 * certificates, no redirects, a body cap, timeouts, no proxy, no cookies,
 * no content decoding.
 *
 * Each call uses its own easy handle, so calls share nothing but libcurl's
 * global state, initialised once under pthread_once. libcurl itself is
 * loaded then (dlopen): linked in, it and the two dozen libraries it
 * depends on (Kerberos, LDAP, SASL, ssh2, ...) would be mapped and
 * relocated at the start of every program using libvouch, about 4 MiB of
 * memory, even of one that only verifies DKIM; loaded on first use, only
 * fetches pay for it. The function table is written once under the same
 * pthread_once and only read afterwards. The body cap is
 * enforced twice: CURLOPT_MAXFILESIZE refuses an announced Content-Length
 * above it before any byte is read, and the write callback refuses the
 * byte that would pass it (chunked or lying servers), so a body is either
 * whole or absent.
 */
#include <pthread.h>
#include <string.h>

#include "vouch/version.h"
#include "http_internal.h"

#define MOD "http"

/* Below this many bytes per second for LOW_SPEED_SECS, a transfer is
 * abandoned before the total timeout (a trickling server). */
#define LOW_SPEED_BYTES 16
#define LOW_SPEED_SECS  5

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static CURLcode init_rc = CURLE_FAILED_INIT;
static vouch__curl_api_t curl;

#define SYM(field, name)                                                       \
    {                                                                          \
        name, (void **)&curl.field                                             \
    }

static void
global_init(void)
{
    const vouch__dl_sym_t syms[] = {
        SYM(global_init, "curl_global_init"),
        SYM(easy_init, "curl_easy_init"),
        SYM(easy_setopt, "curl_easy_setopt"),
        SYM(easy_perform, "curl_easy_perform"),
        SYM(easy_getinfo, "curl_easy_getinfo"),
        SYM(easy_send, "curl_easy_send"),
        SYM(easy_recv, "curl_easy_recv"),
        SYM(easy_cleanup, "curl_easy_cleanup"),
        SYM(easy_strerror, "curl_easy_strerror"),
        SYM(slist_append, "curl_slist_append"),
        SYM(slist_free_all, "curl_slist_free_all"),
        SYM(url, "curl_url"),
        SYM(url_set, "curl_url_set"),
        SYM(url_get, "curl_url_get"),
        SYM(url_cleanup, "curl_url_cleanup"),
        SYM(str_free, "curl_free"),
    };

    if (vouch__dl_load("libcurl.so.4", syms, VOUCH_ARRAY_LEN(syms))) {
        init_rc = curl.global_init(CURL_GLOBAL_DEFAULT);
    }
}

/* see vouch/http.h */
int
vouch_http_global_init(void)
{
    if (pthread_once(&init_once, global_init) != 0 || init_rc != CURLE_OK) {
        return VOUCH_EINTERNAL;
    }
    return 0;
}

/* see http_internal.h */
const vouch__curl_api_t *
vouch__http_curl(void)
{
    return vouch_http_global_init() == 0 ? &curl : NULL;
}

const char *
vouch_http_failure_name(vouch_http_failure_t f)
{
    static const char *const names[] = { "ok",         "resolve",     "connect",
                                         "tls",        "certificate", "timeout",
                                         "too-big",    "protocol",    "url",
                                         "no-starttls" };

    return (unsigned)f < VOUCH_ARRAY_LEN(names) ? names[f] : "unknown";
}

/* see vouch/http.h */
void
vouch_http_response_init(vouch_http_response_t *resp, const vouch_ctx_t *ctx)
{
    memset(resp, 0, sizeof(*resp));
    vouch_buf_init(&resp->body, ctx, VOUCH_HTTP_BODY_DEFAULT);
}

/* see vouch/http.h */
void
vouch_http_response_dispose(vouch_http_response_t *resp)
{
    const vouch_ctx_t *ctx;

    if (resp == NULL) {
        return;
    }
    ctx = resp->body.ctx;
    vouch__free(ctx, resp->content_type);
    vouch__free(ctx, resp->location);
    vouch_buf_dispose(&resp->body);
    resp->content_type = NULL;
    resp->location = NULL;
    resp->status = 0;
    resp->failure = VOUCH_HTTP_OK;
}

typedef struct sink {
    vouch_buf_t *body;
    bool too_big;
    bool nomem;
} sink_t;

static size_t
on_data(char *data, size_t size, size_t nmemb, void *payload)
{
    sink_t *s = payload;
    size_t n = size * nmemb; /* curl guarantees size == 1 */
    int rc = vouch_buf_add(s->body, data, n);

    if (rc == VOUCH_ETOOBIG) {
        s->too_big = true;
        return 0; /* stops the transfer: CURLE_WRITE_ERROR */
    }
    if (rc != 0) {
        s->nomem = true;
        return 0;
    }
    return n;
}

static bool
url_ok(const char *url)
{
    size_t i;

    if (!vouch__str_iprefix(url, strlen(url), "https://")) {
        return false;
    }
    for (i = 0; url[i] != '\0'; i++) {
        if (!vouch__is_vchar((unsigned char)url[i])) {
            return false;
        }
    }
    return i <= VOUCH_HTTP_URL_MAX;
}

/* see http_internal.h */
bool
vouch__http_mapping_ok(const char *m)
{
    size_t i, colons = 0;

    for (i = 0; m[i] != '\0'; i++) {
        if (!vouch__is_vchar((unsigned char)m[i]) || i >= 512) {
            return false;
        }
        colons += m[i] == ':';
    }
    return colons >= 3;
}

/* see http_internal.h */
vouch_http_failure_t
vouch__http_classify(CURLcode c)
{
    switch (c) {
    case CURLE_OK:
        return VOUCH_HTTP_OK;
    case CURLE_USE_SSL_FAILED: /* "STARTTLS not supported." / "denied" */
        return VOUCH_HTTP_F_NO_STARTTLS;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return VOUCH_HTTP_F_RESOLVE;
    case CURLE_COULDNT_CONNECT:
        return VOUCH_HTTP_F_CONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return VOUCH_HTTP_F_TIMEOUT;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
        return VOUCH_HTTP_F_CERT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
        return VOUCH_HTTP_F_TLS;
    case CURLE_FILESIZE_EXCEEDED:
        return VOUCH_HTTP_F_TOO_BIG;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return VOUCH_HTTP_F_URL;
    default:
        return VOUCH_HTTP_F_PROTOCOL;
    }
}

/* Addresses taken per family from the resolver. */
#define RESOLVE_ADDRS_MAX 8

/* Append the addresses of one answer as ",a.b.c.d" or ",[v6]". */
static int
add_addrs(vouch_buf_t *b, const vouch_dns_answer_t *a, unsigned *n)
{
    unsigned taken = 0;
    size_t i;

    for (i = 0; i < a->n && taken < RESOLVE_ADDRS_MAX; i++) {
        const vouch_dns_rr_t *rr = &a->rr[i];
        char text[VOUCH_IP_STRLEN];
        vouch_ip_t ip;
        int rc;

        if ((rr->type != VOUCH_DNS_A || rr->len != 4) &&
            (rr->type != VOUCH_DNS_AAAA || rr->len != 16)) {
            continue;
        }
        memset(&ip, 0, sizeof(ip));
        ip.family = rr->type == VOUCH_DNS_A ? 4 : 6;
        memcpy(ip.addr, rr->data, rr->len);
        vouch_ip_format(&ip, text);
        rc = vouch_buf_printf(b, ip.family == 4 ? "%s%s" : "%s[%s]",
                              *n > 0 ? "," : "", text);
        if (rc != 0) {
            return rc;
        }
        (*n)++;
        taken++;
    }
    return 0;
}

static bool
dns_failed(const vouch_dns_answer_t *a)
{
    return a->status == VOUCH_DNS_SERVFAIL || a->status == VOUCH_DNS_TIMEOUT ||
           a->status == VOUCH_DNS_REFUSED;
}

/* see http_internal.h */
int
vouch__http_resolve_entry(const vouch_ctx_t *ctx, vouch_resolver_t *resolver,
                          const char *url, vouch_http_failure_t *failure,
                          struct curl_slist **entry, vouch_error_t *err)
{
    const vouch_dns_answer_t *a4 = NULL, *a6 = NULL;
    char *host = NULL, *port = NULL;
    vouch_buf_t b;
    unsigned n = 0;
    vouch_ip_t ip;
    CURLU *u;
    int rc;

    *entry = NULL;
    vouch_buf_init(&b, ctx, 4096);
    u = curl.url();
    if (u == NULL) {
        return vouch__error(err, VOUCH_ENOMEM, MOD, 0, "out of memory");
    }
    if (curl.url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl.url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl.url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
            CURLUE_OK) {
        *failure = VOUCH_HTTP_F_URL;
        rc = vouch__error(err, VOUCH_EINVAL, MOD, 0, "%s: malformed URL", url);
        goto out;
    }
    if (host[0] == '[' || vouch_ip_parse(&ip, host, strlen(host)) == 0) {
        rc = 0; /* an IP literal: nothing to resolve */
        goto out;
    }
    rc = vouch_dns_query(resolver, NULL, host, strlen(host), VOUCH_DNS_A, &a4,
                         err);
    if (rc == 0) {
        rc = vouch_dns_query(resolver, NULL, host, strlen(host), VOUCH_DNS_AAAA,
                             &a6, err);
    }
    if (rc == VOUCH_ESYNTAX) {
        *failure = VOUCH_HTTP_F_RESOLVE;
        rc = vouch__error(err, VOUCH_ETEMP, MOD, 0,
                          "%s: host is not a valid DNS name", url);
        goto out;
    }
    if (rc != 0) {
        goto out;
    }
    rc = vouch_buf_printf(&b, "%s:%s:", host, port);
    if (rc == 0) {
        rc = add_addrs(&b, a4, &n);
    }
    if (rc == 0) {
        rc = add_addrs(&b, a6, &n);
    }
    if (rc != 0) {
        rc = vouch__error(err, rc == VOUCH_ETOOBIG ? VOUCH_EINVAL : rc, MOD, 0,
                          "%s: cannot hold the addresses", url);
        goto out;
    }
    if (n == 0) {
        *failure = VOUCH_HTTP_F_RESOLVE;
        rc = vouch__error(
            err, VOUCH_ETEMP, MOD, 0, "%s: %s %s (A %s, AAAA %s)", url, host,
            dns_failed(a4) || dns_failed(a6) ? "could not be resolved"
                                             : "has no address",
            vouch_dns_status_name(a4->status),
            vouch_dns_status_name(a6->status));
        goto out;
    }
    *entry = curl.slist_append(NULL, b.ptr);
    rc = *entry != NULL
             ? 0
             : vouch__error(err, VOUCH_ENOMEM, MOD, 0, "out of memory");
out:
    vouch_dns_answer_free(a4);
    vouch_dns_answer_free(a6);
    curl.str_free(host);
    curl.str_free(port);
    curl.url_cleanup(u);
    vouch_buf_dispose(&b);
    return rc;
}

static int
setup(CURL *h, const char *url, const vouch_http_options_t *o, size_t cap,
      struct curl_slist *connect_to, struct curl_slist *resolve, sink_t *sink,
      char *errbuf)
{
    unsigned cto = o->connect_timeout_ms != 0
                       ? o->connect_timeout_ms
                       : VOUCH_HTTP_CONNECT_TIMEOUT_DEFAULT;
    unsigned tto =
        o->timeout_ms != 0 ? o->timeout_ms : VOUCH_HTTP_TIMEOUT_DEFAULT;
    CURLcode c = CURLE_OK;

#define SET(opt, val)                                                          \
    do {                                                                       \
        if (c == CURLE_OK) {                                                   \
            c = curl.easy_setopt(h, opt, val);                                 \
        }                                                                      \
    } while (0)
    SET(CURLOPT_ERRORBUFFER, errbuf);
    SET(CURLOPT_URL, url);
    SET(CURLOPT_PROTOCOLS_STR, "https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    SET(CURLOPT_HTTP_CONTENT_DECODING, 0L);
    SET(CURLOPT_CONNECTTIMEOUT_MS, (long)cto);
    SET(CURLOPT_TIMEOUT_MS, (long)tto);
    SET(CURLOPT_LOW_SPEED_LIMIT, (long)LOW_SPEED_BYTES);
    SET(CURLOPT_LOW_SPEED_TIME, (long)LOW_SPEED_SECS);
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)cap);
    SET(CURLOPT_WRITEFUNCTION, on_data);
    SET(CURLOPT_WRITEDATA, sink);
    SET(CURLOPT_FORBID_REUSE, 1L);
    SET(CURLOPT_USERAGENT,
        o->user_agent != NULL ? o->user_agent : "vouch/" VOUCH_VERSION_STRING);
    if (!o->use_env_proxy) {
        /* "" disables proxies, the environment's included */
        SET(CURLOPT_PROXY, "");
    }
    if (o->ca_file != NULL) {
        /* only this file: no default CA directory beside it */
        SET(CURLOPT_CAINFO, o->ca_file);
        SET(CURLOPT_CAPATH, NULL);
    }
    if (connect_to != NULL) {
        SET(CURLOPT_CONNECT_TO, connect_to);
    }
    if (resolve != NULL) {
        SET(CURLOPT_RESOLVE, resolve);
    }
#undef SET
    return c == CURLE_OK ? 0 : -1;
}

/* A transfer that did not complete: empty the body, say which step
 * failed, map it to a code (see vouch/http.h). */
static int
failed(vouch_http_response_t *resp, CURLcode c, const sink_t *sink,
       const char *url, size_t cap, const char *errbuf, vouch_error_t *err)
{
    const char *why = errbuf[0] != '\0' ? errbuf : curl.easy_strerror(c);

    vouch_buf_dispose(&resp->body);
    if (sink->nomem) {
        return vouch__error(err, VOUCH_ENOMEM, MOD, 0, "out of memory");
    }
    resp->failure =
        sink->too_big ? VOUCH_HTTP_F_TOO_BIG : vouch__http_classify(c);
    switch (resp->failure) {
    case VOUCH_HTTP_F_TOO_BIG:
        return vouch__error(err, VOUCH_ETOOBIG, MOD, cap,
                            "%s: response body larger than %zu bytes", url,
                            cap);
    case VOUCH_HTTP_F_URL:
        return vouch__error(err, VOUCH_EINVAL, MOD, 0, "%s: %s", url, why);
    case VOUCH_HTTP_F_PROTOCOL:
        return vouch__error(err, VOUCH_EIO, MOD, 0, "%s: %s", url, why);
    default:
        return vouch__error(err, VOUCH_ETEMP, MOD, 0, "%s: %s", url, why);
    }
}

static int
copy_info(vouch_http_response_t *resp, CURL *h)
{
    const vouch_ctx_t *ctx = resp->body.ctx;
    char *s = NULL;

    (void)curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
    if (curl.easy_getinfo(h, CURLINFO_CONTENT_TYPE, &s) == CURLE_OK &&
        s != NULL) {
        resp->content_type = vouch__memdup(ctx, s, strlen(s));
        if (resp->content_type == NULL) {
            return VOUCH_ENOMEM;
        }
    }
    s = NULL;
    if (resp->status >= 300 && resp->status < 400 &&
        curl.easy_getinfo(h, CURLINFO_REDIRECT_URL, &s) == CURLE_OK &&
        s != NULL) {
        resp->location = vouch__memdup(ctx, s, strlen(s));
        if (resp->location == NULL) {
            return VOUCH_ENOMEM;
        }
    }
    return 0;
}

/* see vouch/http.h */
int
vouch_http_get(vouch_http_response_t *resp, const char *url,
               const vouch_http_options_t *opts, vouch_error_t *err)
{
    static const vouch_http_options_t defaults = VOUCH_HTTP_OPTIONS_INIT;
    const vouch_http_options_t *o = opts != NULL ? opts : &defaults;
    char errbuf[CURL_ERROR_SIZE];
    struct curl_slist *connect_to = NULL, *resolve = NULL;
    sink_t sink = { NULL, false, false };
    const vouch_ctx_t *ctx;
    size_t cap;
    CURL *h = NULL;
    CURLcode c;
    int rc;

    if (resp == NULL || url == NULL) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0, "no response or URL");
    }
    ctx = resp->body.ctx;
    vouch_http_response_dispose(resp);
    cap = o->max_body != 0 ? o->max_body : VOUCH_HTTP_BODY_DEFAULT;
    if (!url_ok(url) || cap > VOUCH_HTTP_BODY_MAX ||
        (o->connect_to != NULL && !vouch__http_mapping_ok(o->connect_to))) {
        resp->failure = VOUCH_HTTP_F_URL;
        return vouch__error(err, VOUCH_EINVAL, MOD, 0,
                            "refused: only printable https:// URLs up to "
                            "%d bytes, a body cap up to 64 MiB and a "
                            "HOST:PORT:HOST:PORT connect-to",
                            VOUCH_HTTP_URL_MAX);
    }
    vouch_buf_init(&resp->body, ctx, cap);
    sink.body = &resp->body;
    if (vouch_http_global_init() != 0) {
        return vouch__error(err, VOUCH_EINTERNAL, MOD, 0,
                            "libcurl (libcurl.so.4) could not be "
                            "loaded or initialised");
    }
    h = curl.easy_init();
    if (h == NULL) {
        return vouch__error(err, VOUCH_ENOMEM, MOD, 0, "curl_easy_init failed");
    }
    if (o->connect_to != NULL) {
        connect_to = curl.slist_append(NULL, o->connect_to);
        if (connect_to == NULL) {
            rc = vouch__error(err, VOUCH_ENOMEM, MOD, 0, "out of memory");
            goto out;
        }
    }
    if (o->resolver != NULL && o->connect_to == NULL) {
        rc = vouch__http_resolve_entry(ctx, o->resolver, url, &resp->failure,
                                       &resolve, err);
        if (rc != 0) {
            goto out;
        }
    }
    errbuf[0] = '\0';
    if (setup(h, url, o, cap, connect_to, resolve, &sink, errbuf) != 0) {
        rc = vouch__error(err, VOUCH_EINTERNAL, MOD, 0,
                          "libcurl lacks a required option (curl >= 7.85 "
                          "needed)");
        goto out;
    }
    c = curl.easy_perform(h);
    rc = copy_info(resp, h);
    if (rc != 0) {
        rc = vouch__error(err, rc, MOD, 0, "out of memory");
        goto out;
    }
    if (c == CURLE_OK) {
        rc = 0;
        goto out;
    }
    rc = failed(resp, c, &sink, url, cap, errbuf, err);
out:
    curl.slist_free_all(connect_to);
    curl.slist_free_all(resolve);
    curl.easy_cleanup(h);
    return rc;
}
