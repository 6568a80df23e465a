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
 * The same libcurl also makes the SMTP STARTTLS probe of an MX host
 * (vouch_http_smtp_probe, below): greeting, EHLO, STARTTLS and the TLS
 * handshake on port 25 with the same certificate checks; no mail is sent.
 *
 * Not done here: caching, retries, POST, authentication, HTTP/3, SMTP
 * beyond the handshake (no MAIL FROM, no DANE: TLSA is the audit's).
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

#include <stdbool.h>
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
    /* The SMTP probe's EHLO name (a DNS name, vouch_http_ehlo_ok); NULL:
     * the local host name, as libcurl sends it. Not used by HTTPS. */
    const char *ehlo;
} vouch_http_options_t;

#define VOUCH_HTTP_OPTIONS_INIT                                                \
    {                                                                          \
        1, NULL, NULL, 0, 0, 0, 0, NULL, NULL, NULL                            \
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
    VOUCH_HTTP_F_URL,      /* the URL was refused before any connection */
    VOUCH_HTTP_F_NO_STARTTLS /* SMTP probe: STARTTLS not offered, or
                                refused (RFC 3207 §4) */
} vouch_http_failure_t;

/* "ok", "resolve", "connect", "tls", "certificate", "timeout", "too-big",
 * "protocol", "url", "no-starttls" */
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

/* ---- SMTP STARTTLS probe ------------------------------------------------
 *
 * What the probe does, on one connection to HOST port 25 (RFC 5321):
 * read the greeting, EHLO (with options->ehlo, else the local host name
 * as libcurl sends it), STARTTLS (RFC 3207), the TLS handshake (TLS 1.2 or
 * later, as RFC 8461 §5 requires), EHLO again, then QUIT (RFC 5321 §4.1.1.10;
 * the reply is awaited at most a second) and close; no MAIL FROM, nothing sent.
 * The certificate is checked like an HTTPS one: chain to the system
 * store or options->ca_file, validity now, and HOST itself as the
 * reference identity (RFC 6125; the name MTA-STS policies match, RFC
 * 8461 §4.1), wherever connect_to sends the connection.
 * Options used: ca_file, connect_to (for port 25: "HOST:25:ADDR:PORT"),
 * ehlo, resolver, timeout_ms (default 15 s) and connect_timeout_ms (0: the
 * same; libcurl counts the whole dialogue up to the handshake as
 * connecting, so it bounds all of it); never a proxy (max_body,
 * use_env_proxy and user_agent do not apply). Each response line from
 * the server is bounded by libcurl (a greeting that never ends fails with
 * failure PROTOCOL), and the whole probe by timeout_ms, the wait for the
 * reply to QUIT included (at most a second of it).
 * When verification fails before the certificate could be read (chain
 * not trusted, expired), a second connection without verification reads
 * it, so subject, names and not_after are known for every failure kind
 * CERT; cert_valid stays false.
 */

#define VOUCH_HTTP_SMTP_NAMES_MAX   8   /* subjectAltName names kept */
#define VOUCH_HTTP_SMTP_SUBJECT_MAX 256 /* subject text kept (escaped) */

/* What is wrong with the certificate (failure CERT). */
typedef enum vouch_http_cert_problem {
    VOUCH_HTTP_CERT_NONE = 0,  /* none found (also: not known) */
    VOUCH_HTTP_CERT_EXPIRED,   /* outside notBefore..notAfter now */
    VOUCH_HTTP_CERT_NAME,      /* HOST matches no name of the certificate */
    VOUCH_HTTP_CERT_UNTRUSTED, /* the chain does not reach a trusted CA */
    VOUCH_HTTP_CERT_OTHER      /* any other verification failure */
} vouch_http_cert_problem_t;

/* "none", "expired", "name", "untrusted", "other" */
VOUCH_EXTERN const char *
vouch_http_cert_problem_name(vouch_http_cert_problem_t p);

/* The result of a probe: fixed size, caller-owned, nothing to free. */
typedef struct vouch_http_smtp_result {
    /* OK: STARTTLS done and the certificate valid for HOST; CONNECT,
     * RESOLVE, TIMEOUT, PROTOCOL: could not probe; NO_STARTTLS; TLS:
     * handshake failed; CERT: see problem */
    vouch_http_failure_t failure;
    bool starttls;   /* STARTTLS was offered and accepted */
    bool tls;        /* a TLS session was set up (verified or not) */
    bool cert_valid; /* trusted, in validity, and valid for HOST */
    vouch_http_cert_problem_t problem; /* when failure is CERT */
    /* libcurl's text ("STARTTLS not supported.", "SSL certificate
     * problem: certificate has expired"), escaped; "" when OK */
    char error[VOUCH_ERROR_MSG_MAX];
    /* the server certificate (when have_cert): subject (RFC 2253,
     * escaped), DNS names of subjectAltName (escaped, at most
     * VOUCH_HTTP_SMTP_NAMES_MAX; names_total counts all, IP addresses
     * and other kinds not included), notAfter in seconds since 1970 */
    bool have_cert;
    char subject[VOUCH_HTTP_SMTP_SUBJECT_MAX];
    size_t nnames;
    size_t names_total;
    char names[VOUCH_HTTP_SMTP_NAMES_MAX][VOUCH_DNS_NAME_MAX + 1];
    int64_t not_after;
} vouch_http_smtp_result_t;

/* Is name usable as the probe's EHLO name: a DNS name of LDH labels (and
 * '_') of 1-63 bytes, at most VOUCH_DNS_NAME_MAX bytes, one final dot
 * allowed (and not sent)? (RFC 5321 §4.1.4 asks for the client's primary
 * host name.) */
VOUCH_EXTERN bool vouch_http_ehlo_ok(const char *name);

/*
 * Probe host (NUL-terminated DNS name, at most VOUCH_DNS_NAME_MAX bytes,
 * one final dot allowed) on port 25 into *out (overwritten). ctx (may be
 * NULL: the C library) allocates the little temporary memory; opts may
 * be NULL (defaults).
 * Returns 0 when the probe ran, whatever its outcome (out->failure says
 * it: a server without STARTTLS or with a bad certificate is a result,
 * not an error); VOUCH_EINVAL (NULL pointers, host or ehlo not a DNS
 * name, bad connect_to); VOUCH_EINTERNAL (libcurl missing or too old);
 * VOUCH_ENOMEM. Thread-safe.
 */
VOUCH_EXTERN int vouch_http_smtp_probe(vouch_http_smtp_result_t *out,
                                       const vouch_ctx_t *ctx, const char *host,
                                       const vouch_http_options_t *opts,
                                       vouch_error_t *err) VOUCH_WARN_UNUSED;

#ifdef __cplusplus
}
#endif

#endif
