/* SPDX-License-Identifier: MIT */
/*
 * vouch/http.h - one bounded HTTPS GET (libcurl), the only way the library
 * talks HTTP (MTA-STS policies, BIMI logos and certificates).
 *
 * What a fetch always does:
 *   - https only (no http, no other protocol, also not after a redirect);
 *   - certificate chain and host name validated, against the system trust
 *     store or a given CA file;
 *   - no redirect followed: a 3xx is a response like any other, with its
 *     Location in the result;
 *   - a body cap: a Content-Length above it, or more bytes than it, stops
 *     the transfer with VOUCH_ETOOBIG (never a truncated body);
 *   - a connect timeout, a total timeout and a low-speed limit, so a slow
 *     or silent server cannot hold a caller;
 *   - no proxy from the environment (unless use_env_proxy), no cookies, no
 *     content decoding (no gzip bombs), no signals (CURLOPT_NOSIGNAL).
 * A connect-to mapping (CURLOPT_CONNECT_TO) sends the connection somewhere
 * else while the URL's host name is still the one validated (tests reach a
 * loopback server that way).
 *
 * Not done here: caching, retries, POST, authentication, HTTP/3.
 *
 * Thread safety: vouch_http_get() may run in many threads at once. The
 * first call loads libcurl (libcurl.so.4, with dlopen: programs that
 * never fetch do not pay for it and its dependencies) and initialises it
 * once (curl_global_init under pthread_once); a program that uses libcurl
 * itself, or wants the initialisation at a known time, may call
 * vouch_http_global_init() (or curl_global_init) before starting threads.
 */
#ifndef VOUCH_HTTP_H
#define VOUCH_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "dns.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- limits ---------------------------------------------------------------
 */

/* Default body cap (bytes) when the options say 0. */
#define VOUCH_HTTP_BODY_DEFAULT ((size_t)1 << 20)
/* Largest body cap accepted at all. */
#define VOUCH_HTTP_BODY_MAX ((size_t)64 << 20)
/* Default timeouts, milliseconds. */
#define VOUCH_HTTP_CONNECT_TIMEOUT_DEFAULT 5000
#define VOUCH_HTTP_TIMEOUT_DEFAULT         15000
/* Longest URL accepted. */
#define VOUCH_HTTP_URL_MAX 2048

/* ---- options --------------------------------------------------------------
 */

typedef struct vouch_http_options {
    unsigned version;
    /* PEM file of CA certificates to trust instead of the system store;
     * NULL: the system store. */
    const char *ca_file;
    /* CURLOPT_CONNECT_TO entry "HOST:PORT:CONNECT-HOST:CONNECT-PORT" (an
     * empty HOST or PORT matches any), e.g. "::127.0.0.1:8443" sends every
     * connection to 127.0.0.1:8443; NULL: none. Certificates are still
     * checked against the URL's host. */
    const char *connect_to;
    /* body cap in bytes; 0: VOUCH_HTTP_BODY_DEFAULT */
    size_t max_body;
    /* connect (TCP + TLS) timeout, ms; 0: the default above */
    unsigned connect_timeout_ms;
    /* whole transfer timeout, ms; 0: the default above */
    unsigned timeout_ms;
    /* nonzero: honour http_proxy/https_proxy/no_proxy from the
     * environment; 0 (default): never use a proxy */
    int use_env_proxy;
    /* User-Agent; NULL: "vouch/<version>" */
    const char *user_agent;
    /* Resolve the URL's host (A and AAAA, at most 8 of each) through this
     * resolver instead of the system's getaddrinfo, so a DNS failure or a
     * DNSSEC-bogus answer is seen as such and tests stay off the system
     * resolver; NULL: the system resolver. Not used when connect_to is set
     * or the host is an IP literal. Retained for the call only. */
    vouch_resolver_t *resolver;
} vouch_http_options_t;

#define VOUCH_HTTP_OPTIONS_INIT                                                \
    {                                                                          \
        1, NULL, NULL, 0, 0, 0, 0, NULL, NULL                                  \
    }

/* Which step failed (vouch_http_response_t.failure). */
typedef enum vouch_http_failure {
    VOUCH_HTTP_OK = 0,     /* a response was received */
    VOUCH_HTTP_F_RESOLVE,  /* the host name could not be resolved */
    VOUCH_HTTP_F_CONNECT,  /* TCP connection failed */
    VOUCH_HTTP_F_TLS,      /* TLS handshake failed */
    VOUCH_HTTP_F_CERT,     /* certificate not trusted / wrong name / expired */
    VOUCH_HTTP_F_TIMEOUT,  /* connect or total timeout, or too slow */
    VOUCH_HTTP_F_TOO_BIG,  /* body over the cap */
    VOUCH_HTTP_F_PROTOCOL, /* malformed HTTP, or anything else */
    VOUCH_HTTP_F_URL       /* the URL was refused before any connection */
} vouch_http_failure_t;

/* "ok", "resolve", "connect", "tls", "certificate", "timeout", "too-big",
 * "protocol", "url" */
VOUCH_EXTERN const char *vouch_http_failure_name(vouch_http_failure_t f);

/*
 * The result of a GET. Caller-owned struct: start with
 * vouch_http_response_init(), release with vouch_http_response_dispose().
 */
typedef struct vouch_http_response {
    vouch_http_failure_t failure;
    long status; /* HTTP status, 0 when none was received */
    /* Content-Type as sent (NUL-terminated, owned), or NULL when absent */
    char *content_type;
    /* Location of a 3xx (resolved against the URL; owned), or NULL */
    char *location;
    /* the body (bounded by the cap; may hold NUL bytes); empty after a
     * failure */
    vouch_buf_t body;
} vouch_http_response_t;

/* Start an empty response; ctx is retained for its allocator. */
VOUCH_EXTERN void vouch_http_response_init(vouch_http_response_t *resp,
                                           const vouch_ctx_t *ctx);

/* Free what the response holds; it is empty and reusable afterwards. */
VOUCH_EXTERN void vouch_http_response_dispose(vouch_http_response_t *resp);

/*
 * Load and initialise libcurl once for the process (thread-safe,
 * idempotent). Returns 0, VOUCH_EINTERNAL (libcurl.so.4 missing or
 * curl_global_init failed).
 */
VOUCH_EXTERN int vouch_http_global_init(void) VOUCH_WARN_UNUSED;

/*
 * GET url (NUL-terminated, "https://..." only, at most VOUCH_HTTP_URL_MAX
 * bytes) into resp (initialised, emptied first). opts may be NULL
 * (defaults).
 * Returns 0 when a response arrived, whatever its status (3xx included;
 * not followed); VOUCH_EINVAL (not an https URL, bad options: resp->failure
 * is URL); VOUCH_ETEMP (resolve, connect, TLS, certificate or timeout
 * failure: resp->failure says which, err->msg has curl's text, e.g.
 * "SSL certificate problem: unable to get local issuer certificate");
 * VOUCH_ETOOBIG (body over the cap: failure TOO_BIG); VOUCH_EIO (malformed
 * response: failure PROTOCOL); VOUCH_ENOMEM. On failure resp->status may
 * still hold a status already received, and the body is empty.
 * Thread-safe.
 */
VOUCH_EXTERN int vouch_http_get(vouch_http_response_t *resp, const char *url,
                                const vouch_http_options_t *opts,
                                vouch_error_t *err) VOUCH_WARN_UNUSED;

#ifdef __cplusplus
}
#endif

#endif
