/* SPDX-License-Identifier: MIT */
/*
 * http/smtp.c - the SMTP STARTTLS probe of one MX host (vouch/http.h):
 * libcurl with an smtp:// URL, CURLOPT_USE_SSL = CURLUSESSL_ALL (STARTTLS
 * required, RFC 3207) and CURLOPT_CONNECT_ONLY, which stops after the
 * protocol's connect phase: greeting, EHLO, STARTTLS, TLS handshake,
 * EHLO again. No transaction is started, so no mail can be sent. A probe
 * that got that far ends the session with QUIT (RFC 5321 §4.1.1.10; curl
 * does not send one for a CONNECT_ONLY connection) and waits at most
 * QUIT_WAIT_MS for the reply, so the server sees a clean end rather than
 * a lost connection; the verdict is made before and stands.
 *
 * libcurl verifies the certificate exactly as for HTTPS (the same CA
 * options; RFC 6125 matching against the URL's host, i.e. the MX name,
 * also when CURLOPT_CONNECT_TO sends the connection elsewhere). The
 * certificate is read from CURLOPT_CERTINFO's PEM copy and decoded with
 * OpenSSL, never from curl's text rendering (a hostile subjectAltName
 * could contain ", DNS:" and fake extra names there). Which problem a
 * CERT failure is (expired, name, untrusted) is decided on the decoded
 * certificate, not on curl's message text.
 *
 * Invariants: the result is fixed-size; every string from the server or
 * the certificate is escaped and bounded; response lines are bounded by
 * libcurl and the whole probe by the options' timeouts.
 */
#include <poll.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "http_internal.h"

#define MOD "http"

/* RFC 5321 §4.5.4.2 / RFC 8461: MX delivery is to port 25. */
#define SMTP_PORT "25"

/* How long a probe waits for the reply to its QUIT. */
#define QUIT_WAIT_MS 1000

const char *
vouch_http_cert_problem_name(vouch_http_cert_problem_t p)
{
    static const char *const names[] = { "none", "expired", "name", "untrusted",
                                         "other" };

    return (unsigned)p < VOUCH_ARRAY_LEN(names) ? names[p] : "unknown";
}

/* A host name for the URL: LDH labels (and '_') of 1-63 bytes, at most
 * VOUCH_DNS_NAME_MAX bytes without one final dot. out (may be NULL) gets
 * it without that dot. */
static bool
host_ok(const char *host, char out[VOUCH_DNS_NAME_MAX + 1])
{
    size_t n = strlen(host), i, label = 0;

    if (n > 0 && host[n - 1] == '.') {
        n--;
    }
    if (n == 0 || n > VOUCH_DNS_NAME_MAX) {
        return false;
    }
    for (i = 0; i < n; i++) {
        char c = host[i];

        if (c == '.') {
            if (label == 0) {
                return false;
            }
            label = 0;
            continue;
        }
        if (!(vouch__is_alnum(c) || c == '-' || c == '_') || ++label > 63) {
            return false;
        }
    }
    if (label == 0) {
        return false;
    }
    if (out != NULL) {
        memcpy(out, host, n);
        out[n] = '\0';
    }
    return true;
}

/* curl's result -> which step failed (vouch__http_classify), but for
 * the plain-text dialogue: a receive or send error there (an endless
 * greeting: "Too large response headers"; a reply that is not SMTP) is
 * PROTOCOL, where for HTTPS it means the TLS connection broke. */
static vouch_http_failure_t
classify(CURLcode c)
{
    switch (c) {
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
        return VOUCH_HTTP_F_PROTOCOL;
    default:
        return vouch__http_classify(c);
    }
}

/* One connection. */
typedef struct attempt {
    const vouch__curl_api_t *curl;
    const char *url;      /* smtp://HOST:25, for routing and messages */
    const char *curl_url; /* the same with the EHLO name as its path */
    const char *host;     /* without a final dot */
    const vouch_http_options_t *o;
    struct curl_slist *connect_to, *resolve;
    unsigned connect_ms, total_ms;
    bool verify;
    char errbuf[CURL_ERROR_SIZE];
} attempt_t;

static CURLcode
setup(CURL *h, attempt_t *at)
{
    const vouch__curl_api_t *curl = at->curl;
    const vouch_http_options_t *o = at->o;
    CURLcode c = CURLE_OK;

#define SET(opt, val)                                                          \
    do {                                                                       \
        if (c == CURLE_OK) {                                                   \
            c = curl->easy_setopt(h, opt, val);                                \
        }                                                                      \
    } while (0)
    SET(CURLOPT_ERRORBUFFER, at->errbuf);
    SET(CURLOPT_URL, at->curl_url);
    SET(CURLOPT_PROTOCOLS_STR, "smtp");
    SET(CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    SET(CURLOPT_CONNECT_ONLY, 1L);
    SET(CURLOPT_CERTINFO, 1L);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_SSL_VERIFYPEER, at->verify ? 1L : 0L);
    SET(CURLOPT_SSL_VERIFYHOST, at->verify ? 2L : 0L);
    SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    SET(CURLOPT_CONNECTTIMEOUT_MS, (long)at->connect_ms);
    SET(CURLOPT_TIMEOUT_MS, (long)at->total_ms);
    /* bounds each reply (in seconds). No CURLOPT_FORBID_REUSE: it would
     * close the connection at the end of the connect phase, before QUIT;
     * the handle is ours alone and its cleanup closes the connection. */
    SET(CURLOPT_SERVER_RESPONSE_TIMEOUT, (long)(at->total_ms + 999) / 1000);
    SET(CURLOPT_PROXY, ""); /* never a proxy, the environment's included */
    if (o->ca_file != NULL) {
        SET(CURLOPT_CAINFO, o->ca_file);
        SET(CURLOPT_CAPATH, NULL);
    }
    if (at->connect_to != NULL) {
        SET(CURLOPT_CONNECT_TO, at->connect_to);
    }
    if (at->resolve != NULL) {
        SET(CURLOPT_RESOLVE, at->resolve);
    }
#undef SET
    return c;
}

/* The leaf certificate from CURLINFO_CERTINFO (its "Cert:" PEM), or NULL.
 * The caller frees it with X509_free. */
static X509 *
leaf_of(const vouch__curl_api_t *curl, CURL *h)
{
    struct curl_certinfo *ci = NULL;
    const struct curl_slist *s;
    X509 *x = NULL;

    if (curl->easy_getinfo(h, CURLINFO_CERTINFO, &ci) != CURLE_OK ||
        ci == NULL || ci->num_of_certs < 1) {
        return NULL;
    }
    for (s = ci->certinfo[0]; s != NULL && x == NULL; s = s->next) {
        if (strncmp(s->data, "Cert:", 5) == 0) {
            BIO *b = BIO_new_mem_buf(s->data + 5, -1);

            if (b != NULL) {
                x = PEM_read_bio_X509(b, NULL, NULL, NULL);
            }
            BIO_free(b);
        }
    }
    return x;
}

static int64_t
asn1_seconds(const ASN1_TIME *t)
{
    struct tm tm;

    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
        return 0;
    }
    return (int64_t)timegm(&tm);
}

/* Subject, DNS names and notAfter of the leaf into out. */
static void
describe(vouch_http_smtp_result_t *out, X509 *x)
{
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    BIO *b = BIO_new(BIO_s_mem());
    int i;

    out->have_cert = true;
    if (b != NULL && X509_NAME_print_ex(b, X509_get_subject_name(x), 0,
                                        XN_FLAG_RFC2253) >= 0) {
        char *p = NULL;
        long n = BIO_get_mem_data(b, &p);

        if (n > 0 && p != NULL) {
            vouch__escape_into(out->subject, sizeof(out->subject), p,
                               (size_t)n);
        }
    }
    BIO_free(b);
    for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

        if (g->type != GEN_DNS) {
            continue;
        }
        if (out->nnames < VOUCH_HTTP_SMTP_NAMES_MAX) {
            vouch__escape_into(
                out->names[out->nnames], sizeof(out->names[0]),
                (const char *)ASN1_STRING_get0_data(g->d.dNSName),
                (size_t)ASN1_STRING_length(g->d.dNSName));
            out->nnames++;
        }
        out->names_total++;
    }
    GENERAL_NAMES_free(gens);
    out->not_after = asn1_seconds(X509_get0_notAfter(x));
}

/* Which problem a certificate that failed verification has: expired (or
 * not yet valid), then not valid for the host, then the chain. */
static vouch_http_cert_problem_t
problem_of(X509 *x, const char *host, CURLcode c)
{
    if (x == NULL) {
        return c == CURLE_PEER_FAILED_VERIFICATION ? VOUCH_HTTP_CERT_UNTRUSTED
                                                   : VOUCH_HTTP_CERT_OTHER;
    }
    /* X509_cmp_current_time: -1 before now, 1 after, 0 on error */
    if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0 ||
        X509_cmp_current_time(X509_get0_notBefore(x)) > 0) {
        return VOUCH_HTTP_CERT_EXPIRED;
    }
    if (X509_check_host(x, host, strlen(host), 0, NULL) != 1) {
        return VOUCH_HTTP_CERT_NAME;
    }
    return c == CURLE_PEER_FAILED_VERIFICATION ? VOUCH_HTTP_CERT_UNTRUSTED
                                               : VOUCH_HTTP_CERT_OTHER;
}

/* Send QUIT on the connection CONNECT_ONLY left open and wait (at most
 * wait_ms, 0: not at all) for a reply or the end of the connection. Best
 * effort. */
static void
quit(const vouch__curl_api_t *curl, CURL *h, unsigned wait_ms)
{
    curl_socket_t fd = CURL_SOCKET_BAD;
    int64_t end = vouch_dns_monotonic_ms() + wait_ms;
    char reply[512];
    size_t n = 0;

    if (curl->easy_getinfo(h, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK ||
        fd == CURL_SOCKET_BAD ||
        curl->easy_send(h, "QUIT\r\n", 6, &n) != CURLE_OK || n != 6) {
        return;
    }
    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        CURLcode c = curl->easy_recv(h, reply, sizeof(reply), &n);
        int64_t left = end - vouch_dns_monotonic_ms();

        if (c != CURLE_AGAIN || left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
            return; /* a reply, the end, an error or no more time */
        }
    }
}

/* Run one connection; *leaf gets the certificate when one was seen. The
 * QUIT waits for its reply only on a verified connection (the unverified
 * one only reads a certificate) and only within the time left. */
static int
run(attempt_t *at, CURLcode *code, X509 **leaf, vouch_error_t *err)
{
    const vouch__curl_api_t *curl = at->curl;
    CURL *h = curl->easy_init();
    int64_t start = vouch_dns_monotonic_ms(), left;

    *leaf = NULL;
    if (h == NULL) {
        return vouch__error(err, VOUCH_ENOMEM, MOD, 0, "curl_easy_init failed");
    }
    at->errbuf[0] = '\0';
    if (setup(h, at) != CURLE_OK) {
        curl->easy_cleanup(h);
        return vouch__error(err, VOUCH_EINTERNAL, MOD, 0,
                            "libcurl lacks a required option (curl >= 7.85 "
                            "with SMTP needed)");
    }
    *code = curl->easy_perform(h);
    if (at->errbuf[0] == '\0') {
        (void)snprintf(at->errbuf, sizeof(at->errbuf), "%s",
                       curl->easy_strerror(*code));
    }
    *leaf = leaf_of(curl, h);
    if (*code == CURLE_OK) {
        left = (int64_t)at->total_ms - (vouch_dns_monotonic_ms() - start);
        left = left < QUIT_WAIT_MS ? left : QUIT_WAIT_MS;
        quit(curl, h, at->verify && left > 0 ? (unsigned)left : 0);
    }
    curl->easy_cleanup(h);
    return 0;
}

/* After a CERT failure without the certificate (the chain check stops the
 * handshake before it is kept): connect again without verification, in
 * the time left, only to read it. */
static int
read_unverified(vouch_http_smtp_result_t *out, attempt_t *at, int64_t start,
                X509 **leaf, vouch_error_t *err)
{
    int64_t left = (int64_t)at->total_ms - (vouch_dns_monotonic_ms() - start);
    CURLcode c;
    int rc;

    if (left <= 0) {
        return 0;
    }
    at->verify = false;
    at->total_ms = (unsigned)left;
    if (at->connect_ms > at->total_ms) {
        at->connect_ms = at->total_ms;
    }
    rc = run(at, &c, leaf, err);
    if (rc == 0 && c == CURLE_OK) {
        out->tls = true;
    }
    return rc;
}

/*
 * Where the connection goes: the connect-to entry, or the addresses from
 * the resolver as a CURLOPT_RESOLVE entry. A name without address is a
 * result (out->failure RESOLVE, *done); errors are returned.
 */
static int
route(attempt_t *at, vouch_http_smtp_result_t *out, const vouch_ctx_t *ctx,
      bool *done, vouch_error_t *err)
{
    const vouch_http_options_t *o = at->o;
    vouch_error_t e;
    int rc;

    *done = false;
    if (o->connect_to != NULL) {
        at->connect_to = at->curl->slist_append(NULL, o->connect_to);
        return at->connect_to != NULL
                   ? 0
                   : vouch__error(err, VOUCH_ENOMEM, MOD, 0, "out of memory");
    }
    if (o->resolver == NULL) {
        return 0;
    }
    vouch_error_clear(&e);
    rc = vouch__http_resolve_entry(ctx, o->resolver, at->url, &out->failure,
                                   &at->resolve, &e);
    if (rc == VOUCH_ETEMP) {
        /* no address: a result like a refused connection */
        vouch__escape_into(out->error, sizeof(out->error), e.msg,
                           strlen(e.msg));
        *done = true;
        return 0;
    }
    return rc == 0 ? 0 : vouch__error(err, rc, MOD, 0, "%s", e.msg);
}

/* The outcome of the first connection into out (code c, leaf or NULL);
 * a second one reads the certificate when needed. */
static int
judge(vouch_http_smtp_result_t *out, attempt_t *at, CURLcode c, X509 **leaf,
      int64_t start, vouch_error_t *err)
{
    int rc = 0;

    out->failure = classify(c);
    if (c != CURLE_OK) {
        vouch__escape_into(out->error, sizeof(out->error), at->errbuf,
                           strlen(at->errbuf));
    }
    /* STARTTLS was accepted when the TLS step was reached */
    out->starttls = c == CURLE_OK || out->failure == VOUCH_HTTP_F_CERT ||
                    out->failure == VOUCH_HTTP_F_TLS;
    out->tls =
        c == CURLE_OK || (out->failure == VOUCH_HTTP_F_CERT && *leaf != NULL);
    out->cert_valid = c == CURLE_OK;
    if (out->failure == VOUCH_HTTP_F_CERT && *leaf == NULL) {
        rc = read_unverified(out, at, start, leaf, err);
    }
    if (rc == 0 && out->failure == VOUCH_HTTP_F_CERT) {
        out->problem = problem_of(*leaf, at->host, c);
    }
    if (rc == 0 && *leaf != NULL) {
        describe(out, *leaf);
    }
    return rc;
}

/* see vouch/http.h */
bool
vouch_http_ehlo_ok(const char *name)
{
    return name != NULL && host_ok(name, NULL);
}

/* see vouch/http.h */
int
vouch_http_smtp_probe(vouch_http_smtp_result_t *out, const vouch_ctx_t *ctx,
                      const char *host, const vouch_http_options_t *opts,
                      vouch_error_t *err)
{
    static const vouch_http_options_t defaults = VOUCH_HTTP_OPTIONS_INIT;
    const vouch_http_options_t *o = opts != NULL ? opts : &defaults;
    char name[VOUCH_DNS_NAME_MAX + 1], ehlo[VOUCH_DNS_NAME_MAX + 1] = "";
    char url[VOUCH_DNS_NAME_MAX + 32];
    char curl_url[sizeof(url) + sizeof(ehlo) + 1]; /* url "/" ehlo */
    attempt_t at;
    X509 *leaf = NULL;
    int64_t start = vouch_dns_monotonic_ms();
    CURLcode c = CURLE_OK;
    bool done;
    int rc;

    if (out == NULL || host == NULL) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0, "no result or host");
    }
    memset(out, 0, sizeof(*out));
    /* both without their final dot (RFC 5321 §4.1.2 for the EHLO name) */
    if (!host_ok(host, name) || (o->ehlo != NULL && !host_ok(o->ehlo, ehlo)) ||
        (o->connect_to != NULL && !vouch__http_mapping_ok(o->connect_to))) {
        out->failure = VOUCH_HTTP_F_URL;
        return vouch__error(err, VOUCH_EINVAL, MOD, 0,
                            "refused: the host and the EHLO name must be DNS "
                            "names and the connect-to HOST:PORT:HOST:PORT");
    }
    (void)snprintf(url, sizeof(url), "smtp://%s:" SMTP_PORT, name);
    /* libcurl takes the EHLO name from the path of an smtp:// URL (none:
     * the local host name); host_ok lets no '/', '%' or space into it */
    (void)snprintf(curl_url, sizeof(curl_url), "%s/%s", url, ehlo);
    memset(&at, 0, sizeof(at));
    at.curl = vouch__http_curl();
    if (at.curl == NULL) {
        return vouch__error(err, VOUCH_EINTERNAL, MOD, 0,
                            "libcurl (libcurl.so.4) could not be "
                            "loaded or initialised");
    }
    at.url = url;
    at.curl_url = curl_url;
    at.host = name;
    at.o = o;
    at.verify = true;
    at.total_ms =
        o->timeout_ms != 0 ? o->timeout_ms : VOUCH_HTTP_TIMEOUT_DEFAULT;
    /* libcurl counts the whole dialogue up to the handshake as connecting
     * (CONNECT_ONLY stops there), so its connect timeout bounds the probe:
     * the total unless the caller asks for less */
    at.connect_ms =
        o->connect_timeout_ms != 0 && o->connect_timeout_ms < at.total_ms
            ? o->connect_timeout_ms
            : at.total_ms;
    rc = route(&at, out, ctx, &done, err);
    if (rc == 0 && !done) {
        rc = run(&at, &c, &leaf, err);
        if (rc == 0) {
            rc = judge(out, &at, c, &leaf, start, err);
        }
    }
    X509_free(leaf);
    at.curl->slist_free_all(at.connect_to);
    at.curl->slist_free_all(at.resolve);
    return rc;
}
