/* SPDX-License-Identifier: MIT */
/*
 * vouch/setup.h - what a domain owner publishes to authenticate mail:
 * the records behind `vouch setup DOMAIN`.
 *
 * From the domain's MX hosts, the sending services it uses (a table of
 * well-known providers: their SPF include, its approximate cost in DNS
 * lookups, their MX host suffixes and DKIM selector conventions) and its
 * own sending addresses, one call builds:
 *   - SPF (RFC 7208): "v=spf1 [mx] [ip4:/ip6:...] [include:...] ~all"; an
 *     MX host of a known provider makes that provider a sender instead of
 *     adding "mx"; the DNS-querying terms are estimated from the table and
 *     a set over the limit of 10 (§4.6.4) is refused;
 *   - a DKIM key pair (RFC 6376, vouch_dkim_keygen) and its TXT record at
 *     <selector>._domainkey;
 *   - DMARC (RFC 9989) p=none with rua, the first stage of the rollout;
 *   - the MTA-STS TXT record and policy file in mode testing listing every
 *     MX host (RFC 8461), and a TLS-RPT record (RFC 8460);
 *   - for a domain that sends and receives no mail: a null MX (RFC 7505),
 *     "v=spf1 -all" and DMARC p=reject;
 *   - the next steps in rollout order (publish, monitor DMARC reports,
 *     quarantine, reject; MTA-STS testing -> enforce).
 * Every record is checked by the project's own parser for its protocol
 * before it is handed out, so hostile input (an MX name from DNS, a URI
 * on the command line) becomes VOUCH_ESYNTAX, never a broken record.
 *
 * Not done here: DNS lookups (the caller reads the MX set), writing files,
 * the providers' own DKIM keys (they are made in each provider's console;
 * the steps say where), SPF flattening.
 *
 * Thread safety: vouch_setup_build() may run in many threads at once; a
 * result belongs to one thread. The provider table is static and
 * read-only.
 */
#ifndef VOUCH_SETUP_H
#define VOUCH_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "dkim.h"
#include "dns.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- limits -------------------------------------------------------------- */

#define VOUCH_SETUP_MX_MAX       16   /* MX hosts (as vouch/audit.h keeps) */
#define VOUCH_SETUP_SENDERS_MAX  16   /* --sender providers */
#define VOUCH_SETUP_IPS_MAX      32   /* own addresses or networks */
#define VOUCH_SETUP_RECORDS_MAX  24   /* records in a result */
#define VOUCH_SETUP_VALUE_MAX    2048 /* one record's value */
#define VOUCH_SETUP_STEPS_MAX    24   /* next steps */
#define VOUCH_SETUP_TEXT_MAX     480  /* one step's text */
#define VOUCH_SETUP_SELECTOR_MAX 63   /* longest DKIM selector accepted */
#define VOUCH_SETUP_URI_MAX      256  /* a rua URI given by the caller */
/* RFC 7208 §4.6.4: at most 10 DNS-querying terms per evaluation. */
#define VOUCH_SETUP_SPF_LOOKUPS_MAX 10
/* TTL of the records written, seconds. */
#define VOUCH_SETUP_TTL 3600
/* max_age of the testing policy: one day, so a mistake ages out fast
 * (RFC 8461 §3.2 allows up to a year; enforce wants weeks). */
#define VOUCH_SETUP_MTASTS_MAX_AGE 86400

/* ---- providers ------------------------------------------------------------
 */

/* One well-known sending service (static data; docs/setup.md lists it). */
typedef struct vouch_setup_provider {
    const char *name;        /* "google": what --sender takes */
    const char *title;       /* "Google Workspace" */
    const char *spf_include; /* "_spf.google.com" */
    /* DNS-querying terms the include costs, itself included, as the
     * provider published it when the table was written (approximate:
     * providers change their records; `vouch check` counts the real
     * tree) */
    unsigned spf_lookups;
    /* MX hosts under these suffixes belong to the provider ("google.com"
     * matches "aspmx.l.google.com"); NULL-terminated, may be empty */
    const char *const *mx_suffixes;
    /* the selectors the provider's DKIM keys use, space-separated, or ""
     * when they are made per account (then dkim_howto says what) */
    const char *dkim_selectors;
    const char *dkim_howto; /* where the provider's DKIM key is made */
} vouch_setup_provider_t;

/* The table, *n entries (static). */
VOUCH_EXTERN const vouch_setup_provider_t *vouch_setup_providers(size_t *n);

/* The provider named name (len bytes, ASCII case-insensitive), or NULL. */
VOUCH_EXTERN const vouch_setup_provider_t *
vouch_setup_provider_find(const char *name, size_t len);

/* The provider an MX host (len bytes, a final dot allowed) belongs to,
 * or NULL. */
VOUCH_EXTERN const vouch_setup_provider_t *
vouch_setup_provider_for_mx(const char *host, size_t len);

/* ---- building -------------------------------------------------------------
 */

typedef struct vouch_setup_options {
    unsigned version; /* 1 */
    /* the domain, NUL-terminated; U-labels become A-labels */
    const char *domain;
    /* no mail at all: null MX, "v=spf1 -all", p=reject; then mx, senders
     * and ips must be empty */
    bool no_mail;
    /* the MX hosts in preference order (borrowed; host names,
     * NUL-terminated, a final dot allowed); at least one unless no_mail */
    const char *const *mx;
    size_t nmx;
    /* their preferences (NULL: 10, 20, 30, ...) */
    const uint16_t *mx_pref;
    /* true: the MX records are already published (read from DNS); they
     * are still listed, marked existing, so the snippet is complete for
     * `vouch check --overlay` (an overlay name hides all its live
     * records) */
    bool mx_existing;
    /* provider names (vouch_setup_provider_find) */
    const char *const *senders;
    size_t nsenders;
    /* own sending servers: "ADDR" or "ADDR/LEN", IPv4 or IPv6 */
    const char *const *ips;
    size_t nips;
    /* DKIM: make a key (false: no key, no record) */
    bool dkim;
    const char *selector; /* NULL: "vouch" + YYYYMM of the ctx clock */
    vouch_dkim_alg_t alg; /* rsa-sha256 or ed25519-sha256 */
    unsigned bits;        /* RSA: 1024-4096, 0 = 2048 */
    /* DMARC rua (a URI list); NULL: mailto:dmarc-reports@DOMAIN for a
     * mail domain, none for a no-mail domain (its null MX takes no mail) */
    const char *dmarc_rua;
    /* TLS-RPT rua; NULL: mailto:tls-reports@DOMAIN */
    const char *tlsrpt_rua;
} vouch_setup_options_t;

#define VOUCH_SETUP_OPTIONS_INIT                                               \
    {                                                                          \
        1, NULL, false, NULL, 0, NULL, false, NULL, 0, NULL, 0, true, NULL,    \
            VOUCH_DKIM_RSA_SHA256, 0, NULL, NULL                               \
    }

/* What a record is for. */
typedef enum vouch_setup_kind {
    VOUCH_SETUP_MX = 0,
    VOUCH_SETUP_SPF,
    VOUCH_SETUP_DKIM,
    VOUCH_SETUP_DMARC,
    VOUCH_SETUP_MTASTS,
    VOUCH_SETUP_TLSRPT
} vouch_setup_kind_t;

/* "mx", "spf", "dkim", "dmarc", "mta-sts", "tls-rpt" */
VOUCH_EXTERN const char *vouch_setup_kind_name(vouch_setup_kind_t k);

typedef struct vouch_setup_record {
    vouch_setup_kind_t kind;
    char name[VOUCH_DNS_NAME_MAX + 2]; /* absolute, final dot */
    uint16_t type;                     /* VOUCH_DNS_MX or VOUCH_DNS_TXT */
    /* TXT: the value (strings joined); MX: "10 mx.example.com." */
    char value[VOUCH_SETUP_VALUE_MAX + 1];
    bool existing; /* already published (MX read from DNS) */
} vouch_setup_record_t;

typedef struct vouch_setup_sender {
    const vouch_setup_provider_t *provider;
    bool inferred; /* from an MX host, not asked for */
} vouch_setup_sender_t;

typedef struct vouch_setup_step {
    unsigned order; /* 1, 2, ... */
    char text[VOUCH_SETUP_TEXT_MAX];
    char record[VOUCH_SETUP_VALUE_MAX + 1]; /* zone line to publish, or "" */
} vouch_setup_step_t;

/* What to publish. Allocated by vouch_setup_build(). */
typedef struct vouch_setup_result {
    char domain[VOUCH_DNS_NAME_MAX + 1]; /* normalised, no final dot */
    bool no_mail;
    size_t nrecords;
    vouch_setup_record_t record[VOUCH_SETUP_RECORDS_MAX];
    size_t nsenders;
    vouch_setup_sender_t sender[VOUCH_SETUP_SENDERS_MAX];
    bool spf_mx;          /* the SPF record has "mx" */
    unsigned spf_lookups; /* estimated DNS-querying terms of the SPF tree */
    /* DKIM (when options->dkim and not no_mail) */
    bool dkim;
    char selector[VOUCH_SETUP_SELECTOR_MAX + 1];
    vouch_dkim_alg_t alg;
    vouch_buf_t private_key; /* PEM (PKCS#8); wiped when freed */
    /* MTA-STS policy file (LF lines; "" for a no-mail domain) */
    vouch_buf_t mtasts_policy;
    char mtasts_id[33];
    size_t nsteps;
    vouch_setup_step_t step[VOUCH_SETUP_STEPS_MAX];
    const vouch_ctx_t *ctx; /* retained: allocator */
} vouch_setup_result_t;

/*
 * Build the records for opts (see the options). The clock of ctx gives
 * the default selector and the MTA-STS id (UTC YYYYMMDDHHMMSS).
 * Returns 0 and *out; VOUCH_EINVAL (NULL arguments, bad options version,
 * no MX for a mail domain, mx/senders/ips with no_mail, an unknown
 * sender, too many of something: err says what); VOUCH_ESYNTAX (a domain,
 * MX host, address, selector or URI that is not valid, or a record that
 * would not parse: err says which); VOUCH_ETOOBIG (SPF over 10 lookups or
 * a record over VOUCH_SETUP_VALUE_MAX: err gives the count);
 * VOUCH_EINTERNAL (key generation failed); VOUCH_ENOMEM. *out is NULL on
 * failure. Thread-safe.
 */
VOUCH_EXTERN int vouch_setup_build(vouch_setup_result_t **out,
                                   const vouch_ctx_t *ctx,
                                   const vouch_setup_options_t *opts,
                                   vouch_error_t *err) VOUCH_WARN_UNUSED;

/*
 * Append the records as an RFC 1035 master file (absolute names, TTL,
 * class IN; TXT values as quoted strings of at most 255 bytes) that the
 * vouch zone loader reads; lines of comments say what each record is.
 * Returns 0, VOUCH_ENOMEM, VOUCH_ETOOBIG (out's maximum).
 */
VOUCH_EXTERN int
vouch_setup_zone_write(vouch_buf_t *out,
                       const vouch_setup_result_t *res) VOUCH_WARN_UNUSED;

/* Free a result (the private key is wiped first). NULL is a no-op. */
VOUCH_EXTERN void vouch_setup_result_free(vouch_setup_result_t *res);

#ifdef __cplusplus
}
#endif

#endif
