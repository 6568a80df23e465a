/* SPDX-License-Identifier: MIT */
/*
 * http/http_internal.h - what the HTTPS GET (http.c) and the SMTP
 * STARTTLS probe (smtp.c) share: the libcurl function table loaded with
 * dlopen, the connect-to check and the CURLOPT_RESOLVE entry made from
 * the caller's resolver.
 */
#ifndef VOUCH_HTTP_INTERNAL_H
#define VOUCH_HTTP_INTERNAL_H

#include <curl/curl.h>

#include "vouch/http.h"
#include "../core/internal.h"

/* The libcurl functions we call, looked up when it is loaded. */
typedef struct vouch__curl_api {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
    CURLcode (*easy_perform)(CURL *h);
    CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
    CURLcode (*easy_send)(CURL *h, const void *p, size_t len, size_t *sent);
    CURLcode (*easy_recv)(CURL *h, void *p, size_t len, size_t *got);
    void (*easy_cleanup)(CURL *h);
    const char *(*easy_strerror)(CURLcode c);
    struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
    void (*slist_free_all)(struct curl_slist *l);
    CURLU *(*url)(void);
    CURLUcode (*url_set)(CURLU *u, CURLUPart part, const char *v,
                         unsigned flags);
    CURLUcode (*url_get)(const CURLU *u, CURLUPart part, char **v,
                         unsigned flags);
    void (*url_cleanup)(CURLU *u);
    void (*str_free)(void *p);
} vouch__curl_api_t;

/* libcurl, loaded and initialised once (vouch_http_global_init); NULL
 * when it could not be. The table is read-only afterwards. */
VOUCH_HIDDEN const vouch__curl_api_t *vouch__http_curl(void);

/* A CURLOPT_CONNECT_TO entry: printable, no space, 3 colons at least,
 * under 512 bytes. */
VOUCH_HIDDEN bool vouch__http_mapping_ok(const char *m);

/* curl's result code -> which step failed (HTTPS and the SMTP probe). */
VOUCH_HIDDEN vouch_http_failure_t vouch__http_classify(CURLcode c);

/*
 * With a resolver: look up A and AAAA of url's host and make the
 * CURLOPT_RESOLVE entry "HOST:PORT:ADDR,..." in *entry (NULL when the host
 * is an IP literal; free with slist_free_all). ctx (may be NULL) for the
 * temporary buffer. Returns 0; VOUCH_ETEMP (no address or a failed
 * lookup: *failure RESOLVE); VOUCH_EINVAL (*failure URL when malformed);
 * VOUCH_ENOMEM.
 */
VOUCH_HIDDEN int
vouch__http_resolve_entry(const vouch_ctx_t *ctx, vouch_resolver_t *resolver,
                          const char *url, vouch_http_failure_t *failure,
                          struct curl_slist **entry, vouch_error_t *err);

#endif
