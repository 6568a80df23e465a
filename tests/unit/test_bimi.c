/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_bimi.c - BIMI: the assertion record parser, the SVG Tiny
 * PS checker (each rule broken once, SVG bombs) and the mark certificate
 * checks on certificates made here with OpenSSL (test_bimi_certs.h).
 */
#include <stdbool.h>
#include <string.h>

#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "bimi_certs.h"

/* ---- records ---------------------------------------------------------- */

typedef struct rec_case {
    const char *txt;
    vouch_bimi_record_error_t want;
    const char *l, *a; /* when OK */
    bool declination;
    const char *tag; /* tag at fault */
} rec_case_t;

static const rec_case_t rec_cases[] = {
    { "v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/v.pem",
      VOUCH_BIMI_REC_OK, "https://example.com/logo.svg",
      "https://example.com/v.pem", false, "" },
    { "v=BIMI1; l=https://e.com/l.svg", VOUCH_BIMI_REC_OK,
      "https://e.com/l.svg", "", false, "" },
    { "v=BIMI1;l=https://e.com/l.svg;", VOUCH_BIMI_REC_OK,
      "https://e.com/l.svg", "", false, "" },
    { " v = bimi1 ; L = https://e.com/l.svg ; A = ; ", VOUCH_BIMI_REC_OK,
      "https://e.com/l.svg", "", false, "" },
    { "v=BIMI1; l=; a=;", VOUCH_BIMI_REC_OK, "", "", true, "" },
    { "v=BIMI1; l=", VOUCH_BIMI_REC_OK, "", "", true, "" },
    { "v=BIMI1; l=; a=https://e.com/v.pem", VOUCH_BIMI_REC_OK, "",
      "https://e.com/v.pem", false, "" },
    { "v=BIMI1; l=https://e.com/l.svg; x=whatever; avp=personal",
      VOUCH_BIMI_REC_OK, "https://e.com/l.svg", "", false, "" },
    { "", VOUCH_BIMI_REC_MISSING_V, NULL, NULL, false, "" },
    { "l=https://e.com/l.svg; v=BIMI1", VOUCH_BIMI_REC_MISSING_V, NULL, NULL,
      false, "l" },
    { "v=BIMI2; l=https://e.com/l.svg", VOUCH_BIMI_REC_BAD_V, NULL, NULL, false,
      "v" },
    { "v=; l=https://e.com/l.svg", VOUCH_BIMI_REC_BAD_V, NULL, NULL, false,
      "v" },
    { "v=BIMI1; v=BIMI1; l=https://e.com/l.svg", VOUCH_BIMI_REC_DUPLICATE, NULL,
      NULL, false, "v" },
    { "v=BIMI1; l=https://e.com/l.svg; L=https://e.com/m.svg",
      VOUCH_BIMI_REC_DUPLICATE, NULL, NULL, false, "L" },
    { "v=BIMI1", VOUCH_BIMI_REC_MISSING_L, NULL, NULL, false, "" },
    { "v=BIMI1; a=https://e.com/v.pem", VOUCH_BIMI_REC_MISSING_L, NULL, NULL,
      false, "" },
    { "v=BIMI1; l=http://e.com/l.svg", VOUCH_BIMI_REC_BAD_L, NULL, NULL, false,
      "l" },
    { "v=BIMI1; l=https://", VOUCH_BIMI_REC_BAD_L, NULL, NULL, false, "l" },
    { "v=BIMI1; l=https://e.com/a.svg,https://e.com/b.svg",
      VOUCH_BIMI_REC_BAD_L, NULL, NULL, false, "l" },
    { "v=BIMI1; l=https://e.com/a b.svg", VOUCH_BIMI_REC_BAD_L, NULL, NULL,
      false, "l" },
    { "v=BIMI1; l=https://e.com/l.svg; a=ftp://e.com/v.pem",
      VOUCH_BIMI_REC_BAD_A, NULL, NULL, false, "a" },
    { "v=BIMI1; l=https://e.com/l.svg; avp=corporate", VOUCH_BIMI_REC_BAD_AVP,
      NULL, NULL, false, "avp" },
    { "v=BIMI1; l=https://e.com/l.svg; junk", VOUCH_BIMI_REC_SYNTAX, NULL, NULL,
      false, "" },
    { "v=BIMI1; =x; l=https://e.com/l.svg", VOUCH_BIMI_REC_SYNTAX, NULL, NULL,
      false, "" },
};

static void
test_bimi__record_table(void)
{
    size_t i;

    for (i = 0; i < sizeof(rec_cases) / sizeof(rec_cases[0]); i++) {
        const rec_case_t *c = &rec_cases[i];
        vouch_bimi_record_t r;
        vouch_error_t err;
        int rc;

        vouch_error_clear(&err);
        rc = vouch_bimi_record_parse(&r, c->txt, strlen(c->txt), &err);
        CHECKF(r.error == c->want, "%s: got %s, want %s", c->txt,
               vouch_bimi_record_error_name(r.error),
               vouch_bimi_record_error_name(c->want));
        CHECKF(rc == (c->want == VOUCH_BIMI_REC_OK ? 0 : VOUCH_ESYNTAX),
               "%s: rc %d", c->txt, rc);
        CHECKF(strcmp(r.tag, c->tag) == 0, "%s: tag \"%s\"", c->txt, r.tag);
        if (c->want == VOUCH_BIMI_REC_OK) {
            CHECKF(strcmp(r.l, c->l) == 0, "%s: l=\"%s\"", c->txt, r.l);
            CHECKF(strcmp(r.a, c->a) == 0, "%s: a=\"%s\"", c->txt, r.a);
            CHECKF(r.declination == c->declination, "%s: declination", c->txt);
        } else {
            CHECKF(err.code == VOUCH_ESYNTAX && err.msg[0] != '\0',
                   "%s: error detail", c->txt);
        }
    }
}

static void
test_bimi__record_fields(void)
{
    static const char txt[] =
        "v=BIMI1; l=https://e.com/l.svg; avp=personal; foo=1; bar=2";
    vouch_bimi_record_t r;
    vouch_error_t err;
    char big[VOUCH_BIMI_URI_MAX + 64];
    char nul[] = "v=BIMI1; l=https://e.com/\0.svg";
    size_t i, n;

    REQUIRE(vouch_bimi_record_parse(&r, txt, sizeof(txt) - 1, NULL) == 0);
    CHECK(r.avp_present && r.avp == VOUCH_BIMI_AVP_PERSONAL);
    CHECK(r.unknown_tags == 2);

    /* error offset points at the tag */
    CHECK(vouch_bimi_record_parse(&r, "v=BIMI1; avp=x; l=", 18, &err) ==
          VOUCH_ESYNTAX);
    CHECK(err.offset == 9);
    CHECK(strstr(err.msg, "avp") != NULL);

    /* a URI longer than the cap is an error, never truncated */
    n = (size_t)snprintf(big, sizeof(big), "v=BIMI1; l=https://e.com/");
    for (i = n; i < sizeof(big) - 1; i++) {
        big[i] = 'a';
    }
    big[sizeof(big) - 1] = '\0';
    CHECK(vouch_bimi_record_parse(&r, big, strlen(big), NULL) == VOUCH_ESYNTAX);
    CHECK(r.error == VOUCH_BIMI_REC_BAD_L);

    /* an embedded NUL is a bad URI, not the end of the record */
    CHECK(vouch_bimi_record_parse(&r, nul, sizeof(nul) - 1, NULL) ==
          VOUCH_ESYNTAX);
    CHECK(r.error == VOUCH_BIMI_REC_BAD_L);

    CHECK(vouch_bimi_record_parse(NULL, txt, 3, NULL) == VOUCH_EINVAL);
    CHECK(vouch_bimi_record_parse(&r, NULL, 3, NULL) == VOUCH_EINVAL);
    CHECK_STR(vouch_bimi_record_error_name(VOUCH_BIMI_REC_BAD_AVP), "bad-avp");
    CHECK_STR(vouch_bimi_record_error_name((vouch_bimi_record_error_t)99),
              "unknown");
}

static void
test_bimi__record_many_tags(void)
{
    char txt[4096];
    size_t n = (size_t)snprintf(txt, sizeof(txt), "v=BIMI1; l=");
    int i;

    for (i = 0; i < 100; i++) {
        n += (size_t)snprintf(txt + n, sizeof(txt) - n, "; t%d=x", i);
    }
    vouch_bimi_record_t r;
    CHECK(vouch_bimi_record_parse(&r, txt, n, NULL) == VOUCH_ESYNTAX);
    CHECK(r.error == VOUCH_BIMI_REC_SYNTAX);
}

/* ---- SVG -------------------------------------------------------------- */

#define HEAD                                                                   \
    "<svg xmlns=\"http://www.w3.org/2000/svg\" "                               \
    "xmlns:xlink=\"http://www.w3.org/1999/xlink\" version=\"1.2\" "            \
    "baseProfile=\"tiny-ps\" viewBox=\"0 0 10 10\">\n<title>T</title>\n"

typedef struct svg_case {
    const char *name;
    const char *svg;
    int want; /* a vouch_bimi_code_t, or -1: valid */
    unsigned line;
} svg_case_t;

static const svg_case_t svg_cases[] = {
    { "good",
      HEAD "<g id=\"a\"><rect width=\"1\" height=\"1\"/></g>\n"
           "<use xlink:href=\"#a\"/></svg>",
      -1, 0 },
    { "good-gradient",
      HEAD "<defs><linearGradient id=\"g\"><stop offset=\"0\" "
           "stop-color=\"red\"/></linearGradient></defs>\n"
           "<rect fill=\"url(#g)\" width=\"1\" height=\"1\"/></svg>",
      -1, 0 },
    { "not-xml", "<svg", VOUCH_BIMI_SVG_NOT_XML, 1 },
    { "empty", "", VOUCH_BIMI_SVG_NOT_XML, 0 },
    /* a DOCTYPE without entities is harmless: its DTD is never loaded */
    { "doctype-plain",
      "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" "
      "\"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n" HEAD "</svg>",
      -1, 0 },
    { "doctype-entity", "<!DOCTYPE svg [\n<!ENTITY t \"T\">]>\n" HEAD "</svg>",
      VOUCH_BIMI_SVG_DOCTYPE, 2 },
    { "not-svg", "<html xmlns=\"http://www.w3.org/1999/xhtml\"/>",
      VOUCH_BIMI_SVG_NOT_SVG, 1 },
    { "no-namespace",
      "<svg version=\"1.2\" baseProfile=\"tiny-ps\"><title>T</title></svg>",
      VOUCH_BIMI_SVG_NOT_SVG, 1 },
    { "version",
      "<svg xmlns=\"http://www.w3.org/2000/svg\" baseProfile=\"tiny-ps\">"
      "<title>T</title></svg>",
      VOUCH_BIMI_SVG_VERSION, 1 },
    { "base-profile",
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.2\" "
      "baseProfile=\"tiny\"><title>T</title></svg>",
      VOUCH_BIMI_SVG_BASE_PROFILE, 1 },
    { "root-x",
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.2\" "
      "baseProfile=\"tiny-ps\" x=\"0\"><title>T</title></svg>",
      VOUCH_BIMI_SVG_ROOT_XY, 1 },
    { "no-title",
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.2\" "
      "baseProfile=\"tiny-ps\"><desc>no title</desc></svg>",
      VOUCH_BIMI_SVG_NO_TITLE, 1 },
    { "script", HEAD "<script>alert(1)</script></svg>", VOUCH_BIMI_SVG_SCRIPT,
      3 },
    { "script-upper", HEAD "<SCRIPT>alert(1)</SCRIPT></svg>",
      VOUCH_BIMI_SVG_SCRIPT, 3 },
    { "onload", HEAD "<rect onclick=\"x()\"/></svg>", VOUCH_BIMI_SVG_SCRIPT,
      3 },
    { "foreign", HEAD "<foreignObject/></svg>", VOUCH_BIMI_SVG_FOREIGN_OBJECT,
      3 },
    { "animate", HEAD "<g>\n<animate attributeName=\"x\"/></g></svg>",
      VOUCH_BIMI_SVG_ANIMATION, 4 },
    { "set", HEAD "<set attributeName=\"x\"/></svg>", VOUCH_BIMI_SVG_ANIMATION,
      3 },
    { "image", HEAD "<image/></svg>", VOUCH_BIMI_SVG_IMAGE, 3 },
    { "external-href", HEAD "<use xlink:href=\"https://e.com/x.svg#a\"/></svg>",
      VOUCH_BIMI_SVG_EXTERNAL_REF, 3 },
    { "data-href", HEAD "<use href=\"data:image/png;base64,AAAA\"/></svg>",
      VOUCH_BIMI_SVG_EXTERNAL_REF, 3 },
    { "external-url", HEAD "<rect fill=\"url(http://e.com/p#g)\"/></svg>",
      VOUCH_BIMI_SVG_EXTERNAL_REF, 3 },
    { "element", HEAD "<filter/></svg>", VOUCH_BIMI_SVG_ELEMENT, 3 },
    { "foreign-ns", HEAD "<x:y xmlns:x=\"urn:x\"/></svg>",
      VOUCH_BIMI_SVG_ELEMENT, 3 },
    { "attribute", HEAD "<rect style=\"fill:red\"/></svg>",
      VOUCH_BIMI_SVG_ATTRIBUTE, 3 },
    { "attribute-ns", HEAD "<rect xmlns:i=\"urn:i\" i:label=\"x\"/></svg>",
      VOUCH_BIMI_SVG_ATTRIBUTE, 3 },
};

static bool
has_code(const vouch_bimi_svg_result_t *r, int code, unsigned *line)
{
    size_t i;

    for (i = 0; i < r->findings.n; i++) {
        if ((int)r->findings.f[i].code == code) {
            *line = r->findings.f[i].line;
            return true;
        }
    }
    return false;
}

static void
test_bimi__svg_rules(void)
{
    size_t i;

    for (i = 0; i < sizeof(svg_cases) / sizeof(svg_cases[0]); i++) {
        const svg_case_t *c = &svg_cases[i];
        vouch_bimi_svg_result_t r;
        unsigned line = 0;

        REQUIRE(vouch_bimi_svg_check(&r, test_ctx(), c->svg, strlen(c->svg),
                                     NULL) == 0);
        if (c->want < 0) {
            CHECKF(r.ok && r.findings.n == 0, "%s: %zu findings, first %s: %s",
                   c->name, r.findings.n,
                   r.findings.n ? vouch_bimi_code_name(r.findings.f[0].code)
                                : "-",
                   r.findings.n ? r.findings.f[0].detail : "");
            continue;
        }
        CHECKF(!r.ok, "%s: accepted", c->name);
        CHECKF(has_code(&r, c->want, &line), "%s: no %s (first: %s)", c->name,
               vouch_bimi_code_name((vouch_bimi_code_t)c->want),
               r.findings.n ? vouch_bimi_code_name(r.findings.f[0].code) : "-");
        CHECKF(line == c->line, "%s: line %u, want %u", c->name, line, c->line);
    }
}

static void
test_bimi__svg_sha256(void)
{
    static const uint8_t abc[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
        0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
        0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
    };
    vouch_bimi_svg_result_t r;

    REQUIRE(vouch_bimi_svg_check(&r, test_ctx(), "abc", 3, NULL) == 0);
    CHECK(memcmp(r.sha256, abc, 32) == 0);
    CHECK(!r.ok);
    CHECK(vouch_bimi_svg_check(NULL, test_ctx(), "abc", 3, NULL) ==
          VOUCH_EINVAL);
    CHECK(vouch_bimi_svg_check(&r, test_ctx(), NULL, 3, NULL) == VOUCH_EINVAL);
    CHECK_STR(vouch_bimi_code_name(VOUCH_BIMI_SVG_TOO_BIG), "svg-too-big");
    CHECK_STR(vouch_bimi_code_name(VOUCH_BIMI_VMC_SVG_MISMATCH),
              "vmc-svg-mismatch");
}

static void
test_bimi__svg_bombs(void)
{
    static const char laughs[] =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
        "<!ENTITY lol \"lol\">\n"
        "<!ENTITY lol2 "
        "\"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        "<!ENTITY lol3 "
        "\"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
        "]>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><title>&lol3;</title>"
        "</svg>";
    static const char external[] =
        "<!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><title>&x;</title></svg>";
    static const char utf16[] = "<\0s\0v\0g\0/\0>\0";
    vouch_bimi_svg_result_t r;
    unsigned line = 0;
    char *buf;
    size_t n, i;

    REQUIRE(vouch_bimi_svg_check(&r, test_ctx(), laughs, sizeof(laughs) - 1,
                                 NULL) == 0);
    CHECK(r.findings.n == 1 && has_code(&r, VOUCH_BIMI_SVG_DOCTYPE, &line));
    CHECK(line == 3);
    REQUIRE(vouch_bimi_svg_check(&r, test_ctx(), external, sizeof(external) - 1,
                                 NULL) == 0);
    CHECK(has_code(&r, VOUCH_BIMI_SVG_DOCTYPE, &line));
    REQUIRE(vouch_bimi_svg_check(&r, test_ctx(), utf16, sizeof(utf16) - 1,
                                 NULL) == 0);
    CHECK(has_code(&r, VOUCH_BIMI_SVG_NOT_XML, &line));

    /* deep nesting: 2000 <g> (libxml2 alone would stop at 256) */
    buf = malloc(VOUCH_BIMI_SVG_MAX);
    REQUIRE(buf != NULL);
    n = (size_t)snprintf(buf, VOUCH_BIMI_SVG_MAX, "%s", HEAD);
    for (i = 0; i < 40; i++) {
        n += (size_t)snprintf(buf + n, VOUCH_BIMI_SVG_MAX - n, "<g>");
    }
    for (i = 0; i < 40; i++) {
        n += (size_t)snprintf(buf + n, VOUCH_BIMI_SVG_MAX - n, "</g>");
    }
    n += (size_t)snprintf(buf + n, VOUCH_BIMI_SVG_MAX - n, "</svg>");
    REQUIRE(vouch_bimi_svg_check(&r, test_ctx(), buf, n, NULL) == 0);
    CHECK(r.findings.n == 1 && has_code(&r, VOUCH_BIMI_SVG_TOO_DEEP, &line));
    n = (size_t)snprintf(buf, VOUCH_BIMI_SVG_MAX, "%s", HEAD);
    for (i = 0; i < 2000; i++) {
        n += (size_t)snprintf(buf + n, VOUCH_BIMI_SVG_MAX - n, "<g>");
    }
    for (i = 0; i < 2000; i++) {
        n += (size_t)snprintf(buf + n, VOUCH_BIMI_SVG_MAX - n, "</g>");
    }
    n += (size_t)snprintf(buf + n, VOUCH_BIMI_SVG_MAX - n, "</svg>");
    REQUIRE(n < VOUCH_BIMI_SVG_MAX);
    REQUIRE(vouch_bimi_svg_check(&r, test_ctx(), buf, n, NULL) == 0);
    CHECK(r.findings.n == 1 && has_code(&r, VOUCH_BIMI_SVG_NOT_XML, &line));
    CHECK(strstr(r.findings.f[0].detail, "depth") != NULL ||
          strstr(r.findings.f[0].detail, "Depth") != NULL);

    /* a huge attribute just under the cap parses; one over it is refused
     * unparsed */
    n = (size_t)snprintf(buf, VOUCH_BIMI_SVG_MAX, "%s<path d=\"", HEAD);
    while (n < VOUCH_BIMI_SVG_MAX - 20) {
        buf[n++] = 'M';
    }
    n += (size_t)snprintf(buf + n, VOUCH_BIMI_SVG_MAX - n, "\"/></svg>");
    REQUIRE(vouch_bimi_svg_check(&r, test_ctx(), buf, n, NULL) == 0);
    CHECK(r.ok);
    free(buf);
    buf = malloc(VOUCH_BIMI_SVG_MAX + 1);
    REQUIRE(buf != NULL);
    memset(buf, ' ', VOUCH_BIMI_SVG_MAX + 1);
    REQUIRE(vouch_bimi_svg_check(&r, test_ctx(), buf, VOUCH_BIMI_SVG_MAX + 1,
                                 NULL) == 0);
    CHECK(r.findings.n == 1 && has_code(&r, VOUCH_BIMI_SVG_TOO_BIG, &line));
    free(buf);
}

static void
test_bimi__svg_findings_cap(void)
{
    char buf[8192];
    size_t n = (size_t)snprintf(buf, sizeof(buf), "%s", HEAD), i;
    vouch_bimi_svg_result_t r;

    for (i = 0; i < 50; i++) {
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "<filter/>");
    }
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, "</svg>");
    REQUIRE(vouch_bimi_svg_check(&r, test_ctx(), buf, n, NULL) == 0);
    CHECK(r.findings.n == VOUCH_BIMI_FINDINGS_MAX);
    CHECK(r.findings.dropped == 50 - VOUCH_BIMI_FINDINGS_MAX);
}

/* ---- mark certificates ------------------------------------------------ */

static const char logo_svg[] = HEAD "<rect width=\"1\" height=\"1\"/></svg>";

static int64_t
pinned_clock(void *payload)
{
    return *(const int64_t *)payload;
}

typedef struct vmc_case {
    const char *name;
    const char *domain, *org;
    const char *eku;
    const char *san;
    int logo;  /* 0 none, 1 gzip, 2 plain, 3 wrong hash, 4 other svg */
    long na;   /* leaf notAfter from CERT_T0 */
    int trust; /* 0 our root, 1 another root */
    bool intermediate;
    int want; /* code expected, -1 none */
} vmc_case_t;

#define EKU_BIMI "1.3.6.1.5.5.7.3.31"
#define YEAR     (365L * 86400)

static const vmc_case_t vmc_cases[] = {
    { "good", "example.com", NULL, EKU_BIMI, "DNS:example.com", 1, YEAR, 0,
      false, -1 },
    { "good-plain-svg", "example.com", NULL, EKU_BIMI, "DNS:example.com", 2,
      YEAR, 0, false, -1 },
    { "good-intermediate", "example.com", NULL, EKU_BIMI, "DNS:example.com", 1,
      YEAR, 0, true, -1 },
    { "good-org-domain", "mail.example.com", "example.com", EKU_BIMI,
      "DNS:example.com", 1, YEAR, 0, false, -1 },
    { "expired", "example.com", NULL, EKU_BIMI, "DNS:example.com", 1, 3600, 0,
      false, VOUCH_BIMI_VMC_VALIDITY },
    { "wrong-eku", "example.com", NULL, "serverAuth", "DNS:example.com", 1,
      YEAR, 0, false, VOUCH_BIMI_VMC_EKU },
    { "no-eku", "example.com", NULL, NULL, "DNS:example.com", 1, YEAR, 0, false,
      VOUCH_BIMI_VMC_EKU },
    { "wrong-domain", "example.com", NULL, EKU_BIMI, "DNS:example.org", 1, YEAR,
      0, false, VOUCH_BIMI_VMC_DOMAIN },
    { "subdomain-not-org", "example.com", NULL, EKU_BIMI,
      "DNS:mail.example.com", 1, YEAR, 0, false, VOUCH_BIMI_VMC_DOMAIN },
    { "hash-mismatch", "example.com", NULL, EKU_BIMI, "DNS:example.com", 3,
      YEAR, 0, false, VOUCH_BIMI_VMC_LOGO_HASH },
    { "svg-mismatch", "example.com", NULL, EKU_BIMI, "DNS:example.com", 4, YEAR,
      0, false, VOUCH_BIMI_VMC_SVG_MISMATCH },
    { "no-logotype", "example.com", NULL, EKU_BIMI, "DNS:example.com", 0, YEAR,
      0, false, VOUCH_BIMI_VMC_LOGOTYPE },
    { "untrusted-root", "example.com", NULL, EKU_BIMI, "DNS:example.com", 1,
      YEAR, 1, false, VOUCH_BIMI_VMC_CHAIN },
};

static char *
write_temp(const char *text)
{
    static char path[64];
    int fd;

    snprintf(path, sizeof(path), "/tmp/vouch-bimi-XXXXXX");
    fd = mkstemp(path);
    if (fd < 0) {
        return NULL;
    }
    if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
        close(fd);
        return NULL;
    }
    close(fd);
    return path;
}

/* A logotype SVG that inflates past VOUCH_BIMI_SVG_MAX is a finding; then
 * an OOM sweep over a good certificate. */
static void
vmc_bomb_and_oom(vouch_ctx_t *ctx, const char *trust, X509 *root, EVP_PKEY *rk,
                 EVP_PKEY *lk)
{
    static char big[VOUCH_BIMI_SVG_MAX * 2], pem[65536];
    static der_buf_t logo;
    cert_spec_t ls = { "Example Brand", false, EKU_BIMI, "DNS:example.com",
                       &logo,           -3600, YEAR };
    vouch_bimi_vmc_input_t in = VOUCH_BIMI_VMC_INPUT_INIT;
    vouch_bimi_vmc_result_t r;
    vouch_ctx_t *oom = test_oom_ctx();
    unsigned long n;
    X509 *leaf;
    size_t i;
    int rc = -1;

    memset(big, ' ', sizeof(big) - 1);
    memcpy(big, HEAD, strlen(HEAD));
    make_logotype(&logo, big, true, NULL);
    leaf = make_cert(&ls, lk, root, rk);
    in.pem = pem;
    in.pem_len = pem_of(pem, sizeof(pem), &leaf, 1);
    X509_free(leaf);
    in.trust_file = trust;
    in.domain = "example.com";
    REQUIRE(vouch_bimi_vmc_check(&r, ctx, &in, NULL) == 0);
    CHECK(!r.logo_found && r.findings.n == 1 &&
          r.findings.f[0].code == VOUCH_BIMI_VMC_LOGOTYPE &&
          strstr(r.findings.f[0].detail, "cap") != NULL);

    make_logotype(&logo, logo_svg, true, NULL);
    leaf = make_cert(&ls, lk, root, rk);
    in.pem_len = pem_of(pem, sizeof(pem), &leaf, 1);
    X509_free(leaf);
    in.svg = logo_svg;
    in.svg_len = strlen(logo_svg);
    for (n = 1; n < 50 && rc != 0; n++) {
        long live = test_oom_live;

        test_oom_count = 0;
        test_oom_fail_at = n;
        rc = vouch_bimi_vmc_check(&r, oom, &in, NULL);
        test_oom_fail_at = 0;
        CHECKF(rc == 0 || rc == VOUCH_ENOMEM, "n=%lu: rc %d", n, rc);
        CHECKF(test_oom_live == live, "n=%lu: %ld blocks leaked", n,
               test_oom_live - live);
    }
    CHECK(rc == 0 && r.logo_found && r.svg_match);
    for (i = 0; i < r.findings.n; i++) {
        CHECK(r.findings.f[i].code == VOUCH_BIMI_VMC_VALIDITY);
    }
}

static void
test_bimi__vmc_cases(void)
{
    static char pem[65536], root_pem[8192], other_pem[8192];
    static der_buf_t logo;
    int64_t now = CERT_T0 + 86400;
    EVP_PKEY *rk = EVP_EC_gen("P-256"), *ik = EVP_EC_gen("P-256");
    EVP_PKEY *ok = EVP_EC_gen("P-256"), *lk = EVP_EC_gen("P-256");
    cert_spec_t rs = { "Test Mark Root", true, NULL, NULL, NULL, -YEAR,
                       10 * YEAR };
    cert_spec_t is = {
        "Test Mark Issuing CA", true, NULL, NULL, NULL, -YEAR, 5 * YEAR
    };
    cert_spec_t os = { "Other Root", true, NULL, NULL, NULL, -YEAR, 10 * YEAR };
    X509 *root, *inter, *other;
    char *root_file, *other_file;
    char root_path[64], other_path[64];
    vouch_ctx_t *ctx;
    size_t i;

    REQUIRE(rk && ik && ok && lk);
    REQUIRE(vouch_ctx_new(&ctx, NULL) == 0);
    vouch_ctx_set_clock(ctx, pinned_clock, &now);
    root = make_cert(&rs, rk, NULL, NULL);
    inter = make_cert(&is, ik, root, rk);
    other = make_cert(&os, ok, NULL, NULL);
    pem_of(root_pem, sizeof(root_pem), &root, 1);
    pem_of(other_pem, sizeof(other_pem), &other, 1);
    root_file = write_temp(root_pem);
    REQUIRE(root_file != NULL);
    snprintf(root_path, sizeof(root_path), "%s", root_file);
    other_file = write_temp(other_pem);
    REQUIRE(other_file != NULL);
    snprintf(other_path, sizeof(other_path), "%s", other_file);

    for (i = 0; i < sizeof(vmc_cases) / sizeof(vmc_cases[0]); i++) {
        const vmc_case_t *c = &vmc_cases[i];
        cert_spec_t ls = { "Example Brand", false, c->eku, c->san, NULL,
                           -3600,           c->na };
        vouch_bimi_vmc_input_t in = VOUCH_BIMI_VMC_INPUT_INIT;
        vouch_bimi_vmc_result_t r;
        X509 *chain[2];
        size_t j;
        bool found = false;

        if (c->logo != 0) {
            make_logotype(&logo, c->logo == 4 ? HEAD "<g/></svg>" : logo_svg,
                          c->logo != 2, c->logo == 3 ? "not the image" : NULL);
            ls.logo = &logo;
        }
        chain[0] = c->intermediate ? make_cert(&ls, lk, inter, ik)
                                   : make_cert(&ls, lk, root, rk);
        chain[1] = inter;
        in.pem = pem;
        in.pem_len = pem_of(pem, sizeof(pem), chain, c->intermediate ? 2 : 1);
        in.trust_file = c->trust ? other_path : root_path;
        in.domain = c->domain;
        in.org_domain = c->org;
        in.svg = logo_svg;
        in.svg_len = strlen(logo_svg);
        REQUIRE(vouch_bimi_vmc_check(&r, ctx, &in, NULL) == 0);
        if (c->trust) {
            /* no trust file: the chain is not checked, the rest is */
            in.trust_file = NULL;
            REQUIRE(vouch_bimi_vmc_check(&r, ctx, &in, NULL) == 0);
            CHECKF(!r.ok && !r.chain_ok && r.findings.n == 0 && r.eku_ok &&
                       r.domain_ok && r.time_ok && r.svg_match,
                   "%s without trust file: %zu findings", c->name,
                   r.findings.n);
            in.trust_file = other_path;
            REQUIRE(vouch_bimi_vmc_check(&r, ctx, &in, NULL) == 0);
        }
        X509_free(chain[0]);
        CHECKF(r.ncerts == (c->intermediate ? 2u : 1u), "%s: %u certs", c->name,
               r.ncerts);
        if (c->want < 0) {
            CHECKF(strstr(r.subject, "Example Brand") != NULL &&
                       r.not_after == CERT_T0 + c->na,
                   "%s: subject %s, not_after %lld", c->name, r.subject,
                   (long long)r.not_after);
            CHECKF(r.ok && r.chain_ok && r.time_ok && r.eku_ok && r.domain_ok &&
                       r.logo_found && r.svg_match,
                   "%s: %zu findings, first %s: %s", c->name, r.findings.n,
                   r.findings.n ? vouch_bimi_code_name(r.findings.f[0].code)
                                : "-",
                   r.findings.n ? r.findings.f[0].detail : "");
            continue;
        }
        CHECKF(!r.ok, "%s: accepted", c->name);
        for (j = 0; j < r.findings.n; j++) {
            found |= (int)r.findings.f[j].code == c->want;
        }
        CHECKF(found && r.findings.n == 1,
               "%s: want only %s, got %zu, first %s: %s", c->name,
               vouch_bimi_code_name((vouch_bimi_code_t)c->want), r.findings.n,
               r.findings.n ? vouch_bimi_code_name(r.findings.f[0].code) : "-",
               r.findings.n ? r.findings.f[0].detail : "");
    }
    vmc_bomb_and_oom(ctx, root_path, root, rk, lk);
    X509_free(root);
    X509_free(inter);
    X509_free(other);
    EVP_PKEY_free(rk);
    EVP_PKEY_free(ik);
    EVP_PKEY_free(ok);
    EVP_PKEY_free(lk);
    unlink(root_path);
    unlink(other_path);
    vouch_ctx_free(ctx);
}

static void
test_bimi__vmc_misc(void)
{
    static const char garbage[] = "-----BEGIN CERTIFICATE-----\nAAAA\n"
                                  "-----END CERTIFICATE-----\n";
    vouch_bimi_vmc_input_t in = VOUCH_BIMI_VMC_INPUT_INIT;
    vouch_bimi_vmc_result_t r;
    vouch_error_t err;
    char *trust = write_temp(garbage);
    char path[64];

    REQUIRE(trust != NULL);
    snprintf(path, sizeof(path), "%s", trust);
    in.pem = garbage;
    in.pem_len = sizeof(garbage) - 1;
    in.domain = "example.com";
    in.trust_file = "/nonexistent/trust.pem";
    CHECK(vouch_bimi_vmc_check(&r, test_ctx(), &in, &err) == VOUCH_EIO);
    CHECK(strstr(err.msg, "/nonexistent/trust.pem") != NULL);
    in.trust_file = "/etc/ssl/certs/ca-certificates.crt";
    if (access(in.trust_file, R_OK) == 0) {
        REQUIRE(vouch_bimi_vmc_check(&r, test_ctx(), &in, NULL) == 0);
        CHECK(!r.ok && r.ncerts == 0 && r.findings.n == 1 &&
              r.findings.f[0].code == VOUCH_BIMI_VMC_PEM);
    }
    in.pem_len = VOUCH_BIMI_PEM_MAX + 1;
    CHECK(vouch_bimi_vmc_check(&r, test_ctx(), &in, NULL) == VOUCH_EINVAL);
    in.pem_len = 3;
    in.version = 2;
    CHECK(vouch_bimi_vmc_check(&r, test_ctx(), &in, NULL) == VOUCH_EINVAL);
    in.version = 1;
    in.domain = NULL;
    CHECK(vouch_bimi_vmc_check(&r, test_ctx(), &in, NULL) == VOUCH_EINVAL);
    unlink(path);
}

static const test_case_t cases[] = {
    TEST(bimi__record_table),     TEST(bimi__record_fields),
    TEST(bimi__record_many_tags), TEST(bimi__svg_rules),
    TEST(bimi__svg_sha256),       TEST(bimi__svg_bombs),
    TEST(bimi__svg_findings_cap), TEST(bimi__vmc_cases),
    TEST(bimi__vmc_misc),
};

TEST_MAIN(cases)
