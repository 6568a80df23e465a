/* SPDX-License-Identifier: MIT */
/*
 * vouch/bimi.h - Brand Indicators for Message Identification: the checks a
 * domain audit runs on bytes it has already fetched.
 *
 * What is here:
 *   - the BIMI Assertion Record parser (draft-brand-indicators-for-message-
 *     identification, "Assertion Record Definition"): the TXT value at
 *     <selector>._bimi.<domain>, v=BIMI1 first, l= and a= (HTTPS URIs or
 *     empty), avp= (brand|personal); unknown tags are ignored; "v=BIMI1;
 *     l=; a=;" is a declination to publish;
 *   - an SVG Tiny Portable/Secure profile checker (the BIMI Group's SVG
 *     Tiny PS profile): our own rules over a libxml2 tree, not a schema
 *     validation; every violation is a finding with a code and a line;
 *   - mark certificate (VMC/CMC) checks with OpenSSL: the PEM chain up to a
 *     trust store file, validity at the context's clock, the BIMI extended
 *     key usage (1.3.6.1.5.5.7.3.31), the domain in subjectAltName, and the
 *     RFC 3709 logotype extension whose embedded SVG must be the published
 *     one.
 *
 * Not done here: DNS lookups (the record's TXT comes from the caller),
 * HTTPS fetches (l= and a= are fetched by the caller through http/), the
 * DMARC precondition, revocation (CRL/OCSP) and Certificate Transparency
 * checks of the mark certificate, and rendering or judging the logo.
 *
 * Everything here is synchronous and thread-safe on a shared context:
 * results are caller-owned structs of fixed size.
 */
#ifndef VOUCH_BIMI_H
#define VOUCH_BIMI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- limits -------------------------------------------------------------
 */

/* Longest l= or a= URI kept; a longer one makes the record invalid. */
#define VOUCH_BIMI_URI_MAX 1024
/* Size cap of an SVG indicator: the BIMI Group's implementation guide
 * recommends at most 32 KiB; a larger file is a finding and is not
 * parsed. */
#define VOUCH_BIMI_SVG_MAX (32u * 1024u)
/* Element nesting accepted in an SVG; deeper is a finding (a real logo
 * nests a handful of groups). */
#define VOUCH_BIMI_SVG_DEPTH_MAX 32
/* Findings kept per check; more are counted in `dropped`. */
#define VOUCH_BIMI_FINDINGS_MAX 32
/* Size cap of a PEM mark certificate chain. */
#define VOUCH_BIMI_PEM_MAX (256u * 1024u)
/* Certificates read from one PEM chain. */
#define VOUCH_BIMI_CHAIN_MAX 8

/* ---- the assertion record -----------------------------------------------
 */

typedef enum vouch_bimi_avp {
    VOUCH_BIMI_AVP_BRAND = 0, /* the default */
    VOUCH_BIMI_AVP_PERSONAL
} vouch_bimi_avp_t;

/* Why a TXT value is not a usable BIMI record. */
typedef enum vouch_bimi_record_error {
    VOUCH_BIMI_REC_OK = 0,
    VOUCH_BIMI_REC_SYNTAX,    /* not a tag=value list */
    VOUCH_BIMI_REC_DUPLICATE, /* a tag given twice */
    VOUCH_BIMI_REC_MISSING_V, /* v= is not the first tag */
    VOUCH_BIMI_REC_BAD_V,     /* v= is not BIMI1 */
    VOUCH_BIMI_REC_MISSING_L, /* no l= tag */
    VOUCH_BIMI_REC_BAD_L,     /* l= is neither empty nor an https URI */
    VOUCH_BIMI_REC_BAD_A,     /* a= is neither empty nor an https URI */
    VOUCH_BIMI_REC_BAD_AVP,   /* avp= is neither brand nor personal */
} vouch_bimi_record_error_t;

/* "ok", "syntax", "duplicate-tag", "missing-v", "bad-v", "missing-l",
 * "bad-l", "bad-a", "bad-avp" */
VOUCH_EXTERN const char *
vouch_bimi_record_error_name(vouch_bimi_record_error_t e);

typedef struct vouch_bimi_record {
    vouch_bimi_record_error_t error; /* REC_OK when the call returned 0 */
    char tag[8];      /* the tag at fault (escaped), "" when none */
    bool declination; /* l= and a= empty: the domain declines BIMI (an
                         empty l= with an a= takes the logo from the
                         mark certificate) */
    char l[VOUCH_BIMI_URI_MAX + 1]; /* the indicator URI, "" when empty */
    char a[VOUCH_BIMI_URI_MAX + 1]; /* the evidence URI, "" when absent */
    vouch_bimi_avp_t avp;
    bool avp_present;
    unsigned unknown_tags; /* ignored, as the draft says */
} vouch_bimi_record_t;

/*
 * Parse a TXT value (len bytes, character-strings already joined; not
 * NUL-terminated; any byte may appear) as a BIMI Assertion Record.
 *
 * The record is a tag=value list (";" separated, whitespace around names
 * and values allowed, a final ";" allowed). Tag names and the v= value are
 * compared ignoring ASCII case (Mail::BIMI accepts "v=bimi1"). l= and a=
 * must be empty or one URI starting "https://" with a host, made of
 * printable ASCII without spaces or commas.
 *
 * Returns 0 (out->error == VOUCH_BIMI_REC_OK); VOUCH_ESYNTAX (out->error
 * and out->tag say why, err->msg too and err->offset points at the tag);
 * VOUCH_EINVAL (out or txt NULL). out is always filled when not NULL.
 */
VOUCH_EXTERN int vouch_bimi_record_parse(vouch_bimi_record_t *out,
                                         const char *txt, size_t len,
                                         vouch_error_t *err) VOUCH_WARN_UNUSED;

/* ---- findings -------------------------------------------------------------
 */

typedef enum vouch_bimi_code {
    /* SVG Tiny PS profile */
    VOUCH_BIMI_SVG_TOO_BIG = 0,    /* over VOUCH_BIMI_SVG_MAX: not parsed */
    VOUCH_BIMI_SVG_NOT_XML,        /* not well-formed XML */
    VOUCH_BIMI_SVG_DOCTYPE,        /* entity declarations in a DOCTYPE:
                                      refused before parsing (a DOCTYPE
                                      without them is allowed; no DTD is
                                      ever loaded) */
    VOUCH_BIMI_SVG_NOT_SVG,        /* root is not svg in the SVG namespace */
    VOUCH_BIMI_SVG_VERSION,        /* root version is not "1.2" */
    VOUCH_BIMI_SVG_BASE_PROFILE,   /* root baseProfile is not "tiny-ps" */
    VOUCH_BIMI_SVG_ROOT_XY,        /* x= or y= on the root */
    VOUCH_BIMI_SVG_NO_TITLE,       /* no title child of the root */
    VOUCH_BIMI_SVG_SCRIPT,         /* script element or on* handler */
    VOUCH_BIMI_SVG_FOREIGN_OBJECT, /* foreignObject */
    VOUCH_BIMI_SVG_ANIMATION,      /* animate*, set, discard */
    VOUCH_BIMI_SVG_IMAGE,          /* image (raster or external) */
    VOUCH_BIMI_SVG_EXTERNAL_REF,   /* href to anything but #fragment */
    VOUCH_BIMI_SVG_ELEMENT,        /* element outside the allow-list */
    VOUCH_BIMI_SVG_ATTRIBUTE,      /* attribute outside the allow-list */
    VOUCH_BIMI_SVG_TOO_DEEP,       /* nesting over VOUCH_BIMI_SVG_DEPTH_MAX */
    /* mark certificate */
    VOUCH_BIMI_VMC_PEM,          /* no certificate, or unreadable PEM */
    VOUCH_BIMI_VMC_CHAIN,        /* does not chain to the trust store */
    VOUCH_BIMI_VMC_VALIDITY,     /* not valid at the context's time */
    VOUCH_BIMI_VMC_EKU,          /* no BIMI extended key usage */
    VOUCH_BIMI_VMC_DOMAIN,       /* no subjectAltName dNSName for the domain */
    VOUCH_BIMI_VMC_LOGOTYPE,     /* no usable RFC 3709 logotype */
    VOUCH_BIMI_VMC_LOGO_HASH,    /* logotype hash does not match its data */
    VOUCH_BIMI_VMC_SVG_MISMATCH, /* embedded SVG is not the published one */
} vouch_bimi_code_t;

/* "svg-too-big", "svg-not-xml", ... "vmc-svg-mismatch" */
VOUCH_EXTERN const char *vouch_bimi_code_name(vouch_bimi_code_t c);

typedef struct vouch_bimi_finding {
    vouch_bimi_code_t code;
    unsigned line;    /* SVG line (1-based), or certificate index in the
                         chain (0 = leaf) for VMC findings; 0 unknown */
    char detail[120]; /* human text, NUL-terminated, untrusted bytes
                         escaped */
} vouch_bimi_finding_t;

typedef struct vouch_bimi_findings {
    size_t n;
    size_t dropped; /* findings beyond VOUCH_BIMI_FINDINGS_MAX */
    vouch_bimi_finding_t f[VOUCH_BIMI_FINDINGS_MAX];
} vouch_bimi_findings_t;

/* ---- the SVG indicator -----------------------------------------------------
 */

typedef struct vouch_bimi_svg_result {
    bool ok;            /* no finding: conforms to our SVG Tiny PS rules */
    uint8_t sha256[32]; /* of the bytes checked */
    vouch_bimi_findings_t findings;
} vouch_bimi_svg_result_t;

/*
 * Check svg (len bytes, as fetched; not NUL-terminated) against the SVG
 * Tiny PS profile. The XML is parsed by libxml2 without network access,
 * without loading or validating a DTD and without substituting entities;
 * input declaring entities is refused before parsing ("SVG bombs").
 * libxml2 allocates with its own allocator, not ctx's.
 *
 * libxml2 (libxml2.so.2) is loaded by the first call, not linked.
 *
 * Returns 0 with the verdict in *out (findings, ok, sha256); VOUCH_EINVAL
 * (NULL out or ctx, or svg NULL with len > 0); VOUCH_EINTERNAL (libxml2
 * cannot be loaded); VOUCH_ENOMEM. Thread-safe.
 */
VOUCH_EXTERN int vouch_bimi_svg_check(vouch_bimi_svg_result_t *out,
                                      const vouch_ctx_t *ctx, const char *svg,
                                      size_t len,
                                      vouch_error_t *err) VOUCH_WARN_UNUSED;

/* ---- the mark certificate --------------------------------------------------
 */

typedef struct vouch_bimi_vmc_input {
    unsigned version; /* 1 */
    const char *pem;  /* the a= document: leaf first, then issuers */
    size_t pem_len;
    const char *trust_file; /* PEM file of trusted roots (--bimi-trust);
                               NULL: the chain is not checked */
    const char *domain;     /* the BIMI domain (A-labels) */
    const char *org_domain; /* its organizational domain; may be NULL */
    const char *svg;        /* the published l= SVG; NULL: not compared */
    size_t svg_len;
} vouch_bimi_vmc_input_t;

#define VOUCH_BIMI_VMC_INPUT_INIT                                              \
    {                                                                          \
        1, NULL, 0, NULL, NULL, NULL, NULL, 0                                  \
    }

typedef struct vouch_bimi_vmc_result {
    bool ok;       /* no finding and the chain verified: never true
                      without a trust file (then findings.n == 0 says
                      the other checks passed) */
    bool chain_ok; /* chains to a trusted root (time not considered);
                      false when no trust file was given */
    bool time_ok;  /* every certificate valid at the context's time */
    bool eku_ok, domain_ok;
    bool logo_found;               /* an SVG was extracted from the logotype */
    bool svg_match;                /* it is byte-for-byte the published SVG */
    unsigned ncerts;               /* certificates read from the PEM */
    char subject[160];             /* leaf subject, one line, escaped */
    int64_t not_before, not_after; /* leaf validity, seconds since epoch */
    uint8_t logo_sha256[32];       /* of the extracted (decompressed) SVG */
    vouch_bimi_findings_t findings;
} vouch_bimi_vmc_result_t;

/*
 * Check a VMC/CMC PEM chain. Verification uses OpenSSL with the
 * certificates of the trust file as the only trust anchors (each one, root
 * or intermediate, is an anchor: the mvarcs store lists issuing CAs); with
 * no trust file (in->trust_file NULL) the chain is not verified and
 * chain_ok stays false, every other check is made; validity
 * is checked at vouch_ctx_now(ctx) for every certificate. The subjectAltName
 * must hold a dNSName equal (ASCII case ignored, no wildcards) to in->domain or
 * in->org_domain. The leaf's logotype extension (RFC 3709, subjectLogo, direct)
 * must hold an image/svg+xml image as a "data:image/svg+xml;base64," URI
 * (gzip'ed or not) whose hash (SHA-256, SHA-384 or SHA-512, as listed) matches;
 * the decompressed SVG must equal in->svg when given.
 *
 * Returns 0 with the verdict in *out; VOUCH_EINVAL (NULL pointers, bad
 * version, pem_len over VOUCH_BIMI_PEM_MAX); VOUCH_EIO (the trust file
 * cannot be read; err says which); VOUCH_ENOMEM. Thread-safe.
 */
VOUCH_EXTERN int vouch_bimi_vmc_check(vouch_bimi_vmc_result_t *out,
                                      const vouch_ctx_t *ctx,
                                      const vouch_bimi_vmc_input_t *in,
                                      vouch_error_t *err) VOUCH_WARN_UNUSED;

#ifdef __cplusplus
}
#endif

#endif
