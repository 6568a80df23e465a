/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_bimi_conformance.c - BIMI against the shared data in
 * ../shared/testdata/bimi (see its SOURCES.md):
 *
 *   - mail-bimi/record-cases.tsv: record validity as Mail::BIMI sees it;
 *   - every SVG of mailauth-svg-cases/ and mail-bimi/FM-good.svg through
 *     our checker and through libxml2's RELAX NG validator with
 *     mail-bimi/SVG_1.2_PS.rng, the oracle (here, in the test only); the
 *     recorded xmllint verdict of cases.tsv must agree with the oracle, and
 *     every file mailauth rejects we must reject too;
 *   - mail-bimi/vmc-roots/ against the mvarcs/cacert.pem trust store: which
 *     certificates chain (expected: the certificate or its issuer is in the
 *     store, by name) and which carry the BIMI EKU (expected: the text dump
 *     at the top of each file says so).
 *
 * Every case where we differ from Mail::BIMI or the schema must be listed
 * with its reason in tests/conformance/bimi-differences.txt; a listed case
 * that no longer differs fails too. Exit 77 when the data is missing.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "harness.h"

static unsigned passed, failed;
static char *differences; /* the differences file, one case per line */

static void
result(bool ok, const char *what, const char *name, const char *detail)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL %s %s: %s\n", what, name, detail);
    }
}

/* Is "<kind>:<name>" listed (at the start of a line) in the differences? */
static bool
listed(const char *kind, const char *name)
{
    char key[512];
    const char *p = differences;
    size_t n = (size_t)snprintf(key, sizeof(key), "%s:%s ", kind, name);

    while (p != NULL && *p != '\0') {
        if (strncmp(p, key, n) == 0) {
            return true;
        }
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    return false;
}

/* Agreement is expected unless listed; a listed case must still differ. */
static void
compare(const char *kind, const char *name, bool ours, bool theirs,
        const char *who)
{
    bool differ = ours != theirs, l = listed(kind, name);
    char msg[256];

    snprintf(msg, sizeof(msg), "we say %s, %s says %s%s",
             ours ? "valid" : "invalid", who, theirs ? "valid" : "invalid",
             l ? " (listed as a difference but no longer differs)"
               : " (not listed in bimi-differences.txt)");
    result(differ == l, kind, name, msg);
    if (differ && l) {
        printf("known difference %s:%s: we say %s, %s says %s\n", kind, name,
               ours ? "valid" : "invalid", who, theirs ? "valid" : "invalid");
    }
}

/* ---- records ---------------------------------------------------------- */

static void
run_records(const char *dir)
{
    char path[8192];
    char *text, *line, *next;
    size_t len;

    snprintf(path, sizeof(path), "%s/mail-bimi/record-cases.tsv", dir);
    text = test_read_file(path, &len);
    if (text == NULL) {
        result(false, "record", path, "cannot read");
        return;
    }
    for (line = text; line != NULL && *line != '\0'; line = next) {
        char *tab1, *tab2;
        vouch_bimi_record_t r;
        int rc;

        next = strchr(line, '\n');
        if (next != NULL) {
            *next++ = '\0';
        }
        if (line[0] == '#' || line[0] == '\0') {
            continue;
        }
        tab1 = strchr(line, '\t');
        tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
        if (tab2 == NULL) {
            result(false, "record", line, "malformed line");
            continue;
        }
        *tab1 = '\0';
        rc = vouch_bimi_record_parse(&r, line, strlen(line), NULL);
        compare("record", line, rc == 0, tab1[1] == '1', "Mail::BIMI");
    }
    free(text);
}

/* ---- SVG against the RELAX NG oracle ---------------------------------- */

static void
silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

/* The oracle: 1 valid, 0 invalid, -1 not well-formed. */
static int
rng_verdict(xmlRelaxNGPtr schema, const char *svg, size_t len)
{
    xmlDocPtr doc;
    xmlRelaxNGValidCtxtPtr v;
    int rc;

    if (len == 0) {
        return -1;
    }
    doc = xmlReadMemory(svg, (int)len, NULL, NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING);
    if (doc == NULL) {
        return -1;
    }
    v = xmlRelaxNGNewValidCtxt(schema);
    xmlRelaxNGSetValidErrors(v, silent, silent, NULL);
    rc = xmlRelaxNGValidateDoc(v, doc);
    xmlRelaxNGFreeValidCtxt(v);
    xmlFreeDoc(doc);
    return rc == 0 ? 1 : 0;
}

/* mailauth's error codes ("A|B": either) and the findings they mean. */
static bool
mailauth_matches(const char *codes, const vouch_bimi_svg_result_t *r)
{
    static const struct {
        const char *mailauth;
        vouch_bimi_code_t ours[2];
    } map[] = {
        { "INVALID_XML_FILE",
          { VOUCH_BIMI_SVG_NOT_XML, VOUCH_BIMI_SVG_NOT_XML } },
        { "INVALID_SVG_FILE",
          { VOUCH_BIMI_SVG_NOT_XML, VOUCH_BIMI_SVG_NOT_SVG } },
        { "INVALID_BASE_PROFILE",
          { VOUCH_BIMI_SVG_BASE_PROFILE, VOUCH_BIMI_SVG_BASE_PROFILE } },
        { "LOGO_MISSING_TITLE",
          { VOUCH_BIMI_SVG_NO_TITLE, VOUCH_BIMI_SVG_NO_TITLE } },
        { "LOGO_INVALID_ROOT_ATTRS",
          { VOUCH_BIMI_SVG_ROOT_XY, VOUCH_BIMI_SVG_ROOT_XY } },
        { "LOGO_INVALID_ELEMENT",
          { VOUCH_BIMI_SVG_SCRIPT, VOUCH_BIMI_SVG_ANIMATION } },
        { "LOGO_INCLUDES_REFERENCE",
          { VOUCH_BIMI_SVG_EXTERNAL_REF, VOUCH_BIMI_SVG_EXTERNAL_REF } },
    };

    size_t i, j, k;

    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strstr(codes, map[i].mailauth) == NULL) {
            continue;
        }
        for (j = 0; j < r->findings.n; j++) {
            for (k = 0; k < 2; k++) {
                if (r->findings.f[j].code == map[i].ours[k]) {
                    return true;
                }
            }
        }
    }
    return false;
}

static void
run_svg(xmlRelaxNGPtr schema, const char *path, const char *name,
        const char *recorded, const char *mailauth)
{
    vouch_bimi_svg_result_t r;
    size_t len;
    char *svg = test_read_file(path, &len);
    int oracle;

    if (svg == NULL) {
        result(false, "svg", name, "cannot read");
        return;
    }
    oracle = rng_verdict(schema, svg, len);
    if (vouch_bimi_svg_check(&r, test_ctx(), svg, len, NULL) != 0) {
        result(false, "svg", name, "check failed");
        free(svg);
        return;
    }
    compare("svg", name, r.ok, oracle == 1, "SVG_1.2_PS.rng");
    if (recorded != NULL) {
        const char *want = oracle == 1   ? "valid"
                           : oracle == 0 ? "invalid"
                                         : "not-xml";

        result(strcmp(recorded, want) == 0, "svg-recorded", name,
               "cases.tsv's xmllint verdict differs from libxml2 here");
    }
    if (mailauth != NULL && strcmp(mailauth, "valid") != 0) {
        char msg[160];

        snprintf(msg, sizeof(msg), "mailauth says %s, no matching finding",
                 mailauth);
        result(!r.ok && mailauth_matches(mailauth, &r), "svg-mailauth", name,
               msg);
    }
    free(svg);
}

static void
run_svgs(const char *dir)
{
    char path[8192], *text, *line, *next;
    xmlRelaxNGParserCtxtPtr pc;
    xmlRelaxNGPtr schema;
    size_t len;

    snprintf(path, sizeof(path), "%s/mail-bimi/SVG_1.2_PS.rng", dir);
    pc = xmlRelaxNGNewParserCtxt(path);
    schema = pc ? xmlRelaxNGParse(pc) : NULL;
    xmlRelaxNGFreeParserCtxt(pc);
    if (schema == NULL) {
        result(false, "svg", path, "cannot load the schema");
        return;
    }
    snprintf(path, sizeof(path), "%s/mail-bimi/FM-good.svg", dir);
    run_svg(schema, path, "FM-good.svg", "valid", "valid");

    snprintf(path, sizeof(path), "%s/mailauth-svg-cases/cases.tsv", dir);
    text = test_read_file(path, &len);
    if (text == NULL) {
        result(false, "svg", path, "cannot read");
        xmlRelaxNGFree(schema);
        return;
    }
    for (line = text; line != NULL && *line != '\0'; line = next) {
        char *f[3];
        int i;

        next = strchr(line, '\n');
        if (next != NULL) {
            *next++ = '\0';
        }
        if (line[0] == '#' || line[0] == '\0') {
            continue;
        }
        f[0] = line;
        for (i = 1; i < 3; i++) {
            f[i] = strchr(f[i - 1], '\t');
            if (f[i] == NULL) {
                break;
            }
            *f[i]++ = '\0';
        }
        if (i < 3) {
            result(false, "svg", line, "malformed line");
            continue;
        }
        *strchrnul(f[2], '\t') = '\0';
        snprintf(path, sizeof(path), "%s/mailauth-svg-cases/%s", dir, f[0]);
        run_svg(schema, path, f[0], f[2], f[1]);
    }
    free(text);
    xmlRelaxNGFree(schema);
}

/* ---- mark verifying authority certificates ---------------------------- */

static STACK_OF(X509) * load_store_certs(const char *path)
{
    BIO *b = BIO_new_file(path, "r");
    STACK_OF(X509) *s = sk_X509_new_null();
    X509 *x;

    while (b != NULL && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
        sk_X509_push(s, x);
    }
    BIO_free(b);
    return s;
}

static bool
name_in(STACK_OF(X509) * store, const X509_NAME *n)
{
    int i;

    for (i = 0; i < sk_X509_num(store); i++) {
        if (X509_NAME_cmp(X509_get_subject_name(sk_X509_value(store, i)), n) ==
            0) {
            return true;
        }
    }
    return false;
}

static void
run_vmc_file(STACK_OF(X509) * store, const char *trust, const char *path,
             const char *name)
{
    vouch_bimi_vmc_input_t in = VOUCH_BIMI_VMC_INPUT_INIT;
    vouch_bimi_vmc_result_t r;
    char *pem, msg[256];
    size_t len;
    BIO *b;
    X509 *x;
    bool want_chain, want_eku;

    pem = test_read_file(path, &len);
    if (pem == NULL) {
        result(false, "vmc", name, "cannot read");
        return;
    }
    b = BIO_new_mem_buf(pem, (int)len);
    x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    BIO_free(b);
    if (x == NULL) {
        result(false, "vmc", name, "no certificate in the file");
        free(pem);
        return;
    }
    want_chain = name_in(store, X509_get_subject_name(x)) ||
                 name_in(store, X509_get_issuer_name(x));
    want_eku =
        strstr(pem, "Brand Indicator for Message Identification") != NULL;
    X509_free(x);
    in.pem = pem;
    in.pem_len = len;
    in.trust_file = trust;
    in.domain = "example.com";
    if (vouch_bimi_vmc_check(&r, test_ctx(), &in, NULL) != 0) {
        result(false, "vmc", name, "check failed");
        free(pem);
        return;
    }
    snprintf(msg, sizeof(msg),
             "chain %d (want %d), eku %d (want %d), time %d, ncerts %u",
             r.chain_ok, want_chain, r.eku_ok, want_eku, r.time_ok, r.ncerts);
    result(r.ncerts == 1 && r.chain_ok == want_chain && r.eku_ok == want_eku &&
               r.time_ok && !r.domain_ok && !r.logo_found && !r.ok,
           "vmc", name, msg);
    printf("vmc %s: chain %s, BIMI EKU %s\n", name, r.chain_ok ? "ok" : "no",
           r.eku_ok ? "yes" : "no");
    free(pem);
}

static int
by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
run_vmcs(const char *dir)
{
    char trust[8192], path[16384], folder[8192];
    char *names[64];
    size_t n = 0, i;
    STACK_OF(X509) * store;
    struct dirent *e;
    DIR *d;

    snprintf(trust, sizeof(trust), "%s/mvarcs/cacert.pem", dir);
    store = load_store_certs(trust);
    result(sk_X509_num(store) == 6, "vmc", "mvarcs/cacert.pem",
           "expected the 6 certificates SOURCES.md lists");
    /* each anchor verifies against the store it is in */
    for (i = 0; i < (size_t)sk_X509_num(store); i++) {
        vouch_bimi_vmc_input_t in = VOUCH_BIMI_VMC_INPUT_INIT;
        vouch_bimi_vmc_result_t r;
        char pemtext[16384], label[64];
        BIO *b = BIO_new(BIO_s_mem());
        char *p;
        long l;

        PEM_write_bio_X509(b, sk_X509_value(store, (int)i));
        l = BIO_get_mem_data(b, &p);
        if (l <= 0 || (size_t)l >= sizeof(pemtext)) {
            BIO_free(b);
            continue;
        }
        memcpy(pemtext, p, (size_t)l);
        BIO_free(b);
        in.pem = pemtext;
        in.pem_len = (size_t)l;
        in.trust_file = trust;
        in.domain = "example.com";
        snprintf(label, sizeof(label), "mvarcs/cacert.pem#%zu", i);
        result(vouch_bimi_vmc_check(&r, test_ctx(), &in, NULL) == 0 &&
                   r.chain_ok && r.time_ok,
               "vmc", label, "an anchor of the store does not verify");
    }

    snprintf(folder, sizeof(folder), "%s/mail-bimi/vmc-roots", dir);
    d = opendir(folder);
    if (d == NULL) {
        result(false, "vmc", folder, "cannot open");
        sk_X509_pop_free(store, X509_free);
        return;
    }
    while ((e = readdir(d)) != NULL && n < 64) {
        if (strstr(e->d_name, ".pem") != NULL) {
            names[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), by_name);
    result(n == 10, "vmc", "vmc-roots", "expected 10 PEM files");
    for (i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", folder, names[i]);
        run_vmc_file(store, trust, path, names[i]);
        free(names[i]);
    }
    sk_X509_pop_free(store, X509_free);
}

int
main(void)
{
    const char *dir = test_testdata_or_skip();
    const char *root = getenv("VOUCH_SOURCE_ROOT");
    char bimi[4096], path[8192];
    struct stat st;
    size_t len;

    snprintf(bimi, sizeof(bimi), "%s/bimi", dir);
    if (stat(bimi, &st) != 0) {
        printf("no BIMI test data at %s: skipped\n", bimi);
        return 77;
    }
    snprintf(path, sizeof(path), "%s/tests/conformance/bimi-differences.txt",
             root ? root : ".");
    differences = test_read_file(path, &len);
    if (differences == NULL) {
        printf("cannot read %s (set VOUCH_SOURCE_ROOT)\n0 passed, 1 failed\n",
               path);
        return 1;
    }
    xmlInitParser();
    run_records(bimi);
    run_svgs(bimi);
    run_vmcs(bimi);
    free(differences);
    printf("%u passed, %u failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
