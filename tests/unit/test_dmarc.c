/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_dmarc.c - DMARC (RFC 9989, RFC 7489 mode): the record
 * parser table, a scenario table over zone files covering the branches of
 * discovery, the tree walk, alignment, p/sp/np and t=/pct=, DNS failures at
 * every step of a walk, the PSL wrapper, destination verification, and an
 * OOM sweep.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

#define P_UNSET VOUCH_DMARC_P_UNSET
#define P_NONE  VOUCH_DMARC_P_NONE
#define P_QUAR  VOUCH_DMARC_P_QUARANTINE
#define P_REJ   VOUCH_DMARC_P_REJECT
#define M9989   VOUCH_DMARC_9989
#define M7489   VOUCH_DMARC_7489

/* ---- record parser
 * ------------------------------------------------------------ */

typedef struct rec_case {
    const char *name;
    const char *txt;
    vouch_dmarc_mode_t mode;
    int rc;
    /* ESYNTAX: where and which tag */
    size_t err_offset;
    const char *err_has;
    /* 0: fields below */
    vouch_dmarc_policy_t p, sp, np;
    unsigned invalid;
    int warn_kind; /* -1: no warning expected */
    const char *warn_tag;
} rec_case_t;

static const rec_case_t rec_cases[] = {
    { "minimal", "v=DMARC1; p=none", M9989, 0, 0, NULL, P_NONE, P_UNSET,
      P_UNSET, 0, -1, NULL },
    { "all 9989 tags",
      "v=DMARC1; p=reject; sp=quarantine; np=none; adkim=s; aspf=s; "
      "fo=1:d:s; rua=mailto:a@example.com; ruf=mailto:f@example.com; t=y; "
      "psd=n",
      M9989, 0, 0, NULL, P_REJ, P_QUAR, P_NONE, 0, -1, NULL },
    { "trailing semicolon and spaces", "v = DMARC1 ;p = quarantine ;  ", M9989,
      0, 0, NULL, P_QUAR, P_UNSET, P_UNSET, 0, -1, NULL },
    { "tabs", "v=DMARC1;\tp=reject\t;\tsp=none", M9989, 0, 0, NULL, P_REJ,
      P_NONE, P_UNSET, 0, -1, NULL },
    { "keyword case", "v=DMARC1; P=Reject; SP=NONE", M9989, 0, 0, NULL, P_REJ,
      P_NONE, P_UNSET, 0, -1, NULL },
    { "v lower value", "v=dmarc1; p=none", M9989, VOUCH_ESYNTAX, 0, "'v'",
      P_UNSET, P_UNSET, P_UNSET, 0, -1, NULL },
    { "v not first", "p=none; v=DMARC1", M9989, VOUCH_ESYNTAX, 0, "'v'",
      P_UNSET, P_UNSET, P_UNSET, 0, -1, NULL },
    { "no v", "p=reject", M9989, VOUCH_ESYNTAX, 0, "v=DMARC1", P_UNSET, P_UNSET,
      P_UNSET, 0, -1, NULL },
    { "v=DMARC10", "v=DMARC10; p=none", M9989, VOUCH_ESYNTAX, 0, "'v'", P_UNSET,
      P_UNSET, P_UNSET, 0, -1, NULL },
    { "empty", "", M9989, VOUCH_ESYNTAX, 0, "'v'", P_UNSET, P_UNSET, P_UNSET, 0,
      -1, NULL },
    { "spf record", "v=spf1 -all", M9989, VOUCH_ESYNTAX, 0, "'v'", P_UNSET,
      P_UNSET, P_UNSET, 0, -1, NULL },
    { "duplicate p", "v=DMARC1; p=none; p=reject", M9989, VOUCH_ESYNTAX, 18,
      "'p' given twice", P_UNSET, P_UNSET, P_UNSET, 0, -1, NULL },
    { "duplicate v", "v=DMARC1; v=DMARC1", M9989, VOUCH_ESYNTAX, 10,
      "'v' given twice", P_UNSET, P_UNSET, P_UNSET, 0, -1, NULL },
    { "duplicate unknown tag", "v=DMARC1; x=1; p=none; X=2", M9989,
      VOUCH_ESYNTAX, 23, "'X' given twice", P_UNSET, P_UNSET, P_UNSET, 0, -1,
      NULL },
    { "bad p", "v=DMARC1; p=block", M9989, 0, 0, NULL, P_UNSET, P_UNSET,
      P_UNSET, VOUCH_DMARC_TAG_P, VOUCH_DMARC_W_BAD_VALUE, "p" },
    { "empty p", "v=DMARC1; p=", M9989, 0, 0, NULL, P_UNSET, P_UNSET, P_UNSET,
      VOUCH_DMARC_TAG_P, VOUCH_DMARC_W_BAD_VALUE, "p" },
    { "bad sp", "v=DMARC1; p=none; sp=maybe", M9989, 0, 0, NULL, P_NONE,
      P_UNSET, P_UNSET, VOUCH_DMARC_TAG_SP, VOUCH_DMARC_W_BAD_VALUE, "sp" },
    { "bad np", "v=DMARC1; p=none; np=x", M9989, 0, 0, NULL, P_NONE, P_UNSET,
      P_UNSET, VOUCH_DMARC_TAG_NP, VOUCH_DMARC_W_BAD_VALUE, "np" },
    { "bad adkim", "v=DMARC1; p=none; adkim=x", M9989, 0, 0, NULL, P_NONE,
      P_UNSET, P_UNSET, VOUCH_DMARC_TAG_ADKIM, VOUCH_DMARC_W_BAD_VALUE,
      "adkim" },
    { "bad aspf", "v=DMARC1; p=none; aspf=strict", M9989, 0, 0, NULL, P_NONE,
      P_UNSET, P_UNSET, VOUCH_DMARC_TAG_ASPF, VOUCH_DMARC_W_BAD_VALUE, "aspf" },
    { "bad t", "v=DMARC1; p=none; t=yes", M9989, 0, 0, NULL, P_NONE, P_UNSET,
      P_UNSET, VOUCH_DMARC_TAG_T, VOUCH_DMARC_W_BAD_VALUE, "t" },
    { "bad psd", "v=DMARC1; p=none; psd=x", M9989, 0, 0, NULL, P_NONE, P_UNSET,
      P_UNSET, VOUCH_DMARC_TAG_PSD, VOUCH_DMARC_W_BAD_VALUE, "psd" },
    { "bad fo", "v=DMARC1; p=none; fo=2; ruf=mailto:a@b.example", M9989, 0, 0,
      NULL, P_NONE, P_UNSET, P_UNSET, VOUCH_DMARC_TAG_FO,
      VOUCH_DMARC_W_BAD_VALUE, "fo" },
    { "fo without ruf", "v=DMARC1; p=none; fo=1", M9989, 0, 0, NULL, P_NONE,
      P_UNSET, P_UNSET, 0, VOUCH_DMARC_W_NOTE, "fo" },
    { "bad rua (all)", "v=DMARC1; p=none; rua=not a uri", M9989, 0, 0, NULL,
      P_NONE, P_UNSET, P_UNSET, VOUCH_DMARC_TAG_RUA, VOUCH_DMARC_W_BAD_URI,
      "rua" },
    { "bad ruf size", "v=DMARC1; p=none; ruf=mailto:a@b.example!10x", M9989, 0,
      0, NULL, P_NONE, P_UNSET, P_UNSET, VOUCH_DMARC_TAG_RUF,
      VOUCH_DMARC_W_BAD_URI, "ruf" },
    { "unknown tag", "v=DMARC1; p=none; foo=bar", M9989, 0, 0, NULL, P_NONE,
      P_UNSET, P_UNSET, 0, VOUCH_DMARC_W_UNKNOWN_TAG, "foo" },
    { "pct in 9989", "v=DMARC1; p=reject; pct=50", M9989, 0, 0, NULL, P_REJ,
      P_UNSET, P_UNSET, 0, VOUCH_DMARC_W_OTHER_MODE, "pct" },
    { "rf in 9989", "v=DMARC1; p=reject; rf=afrf", M9989, 0, 0, NULL, P_REJ,
      P_UNSET, P_UNSET, 0, VOUCH_DMARC_W_OTHER_MODE, "rf" },
    { "ri in 9989", "v=DMARC1; p=reject; ri=3600", M9989, 0, 0, NULL, P_REJ,
      P_UNSET, P_UNSET, 0, VOUCH_DMARC_W_OTHER_MODE, "ri" },
    { "np in 7489", "v=DMARC1; p=reject; np=none", M7489, 0, 0, NULL, P_REJ,
      P_UNSET, P_UNSET, 0, VOUCH_DMARC_W_OTHER_MODE, "np" },
    { "psd in 7489", "v=DMARC1; p=reject; psd=y", M7489, 0, 0, NULL, P_REJ,
      P_UNSET, P_UNSET, 0, VOUCH_DMARC_W_OTHER_MODE, "psd" },
    { "t in 7489", "v=DMARC1; p=reject; t=y", M7489, 0, 0, NULL, P_REJ, P_UNSET,
      P_UNSET, 0, VOUCH_DMARC_W_OTHER_MODE, "t" },
    { "pct 7489", "v=DMARC1; p=reject; pct=0", M7489, 0, 0, NULL, P_REJ,
      P_UNSET, P_UNSET, 0, -1, NULL },
    { "pct 101", "v=DMARC1; p=reject; pct=101", M7489, 0, 0, NULL, P_REJ,
      P_UNSET, P_UNSET, VOUCH_DMARC_TAG_PCT, VOUCH_DMARC_W_BAD_VALUE, "pct" },
    { "pct negative", "v=DMARC1; p=reject; pct=-1", M7489, 0, 0, NULL, P_REJ,
      P_UNSET, P_UNSET, VOUCH_DMARC_TAG_PCT, VOUCH_DMARC_W_BAD_VALUE, "pct" },
    { "pct junk", "v=DMARC1; p=reject; pct=50%", M7489, 0, 0, NULL, P_REJ,
      P_UNSET, P_UNSET, VOUCH_DMARC_TAG_PCT, VOUCH_DMARC_W_BAD_VALUE, "pct" },
    { "ri too big", "v=DMARC1; p=none; ri=4294967296", M7489, 0, 0, NULL,
      P_NONE, P_UNSET, P_UNSET, VOUCH_DMARC_TAG_RI, VOUCH_DMARC_W_BAD_VALUE,
      "ri" },
    { "bad rf", "v=DMARC1; p=none; rf=xml", M7489, 0, 0, NULL, P_NONE, P_UNSET,
      P_UNSET, VOUCH_DMARC_TAG_RF, VOUCH_DMARC_W_BAD_VALUE, "rf" },
    { "no equals", "v=DMARC1; p=none; junk", M9989, 0, 0, NULL, P_NONE, P_UNSET,
      P_UNSET, 0, VOUCH_DMARC_W_SYNTAX, "" },
    { "bad tag name", "v=DMARC1; p=none; r_a=x", M9989, 0, 0, NULL, P_NONE,
      P_UNSET, P_UNSET, 0, VOUCH_DMARC_W_SYNTAX, "r_a" },
    { "control byte in value", "v=DMARC1; p=no\x01ne", M9989, 0, 0, NULL,
      P_UNSET, P_UNSET, P_UNSET, VOUCH_DMARC_TAG_P, VOUCH_DMARC_W_BAD_VALUE,
      "p" },
    { "empty tag-spec", "v=DMARC1;; p=none", M9989, 0, 0, NULL, P_NONE, P_UNSET,
      P_UNSET, 0, VOUCH_DMARC_W_SYNTAX, "" },
    { "size suffix in 9989", "v=DMARC1; p=none; rua=mailto:a@b.example!10m",
      M9989, 0, 0, NULL, P_NONE, P_UNSET, P_UNSET, 0, VOUCH_DMARC_W_NOTE,
      "rua" },
};

static void
test_dmarc__record_table(void)
{
    size_t i;

    for (i = 0; i < sizeof(rec_cases) / sizeof(rec_cases[0]); i++) {
        const rec_case_t *c = &rec_cases[i];
        vouch_dmarc_record_t rec;
        vouch_error_t err;
        int rc;

        vouch_error_clear(&err);
        rc = vouch_dmarc_record_parse(&rec, c->txt, strlen(c->txt), c->mode,
                                      &err);
        CHECKF(rc == c->rc, "%s: rc %d want %d (%s)", c->name, rc, c->rc,
               err.msg);
        if (rc != 0 || c->rc != 0) {
            if (c->err_has != NULL) {
                CHECKF(strstr(err.msg, c->err_has) != NULL,
                       "%s: msg '%s' lacks '%s'", c->name, err.msg, c->err_has);
            }
            CHECKF(err.offset == c->err_offset, "%s: offset %zu want %zu",
                   c->name, err.offset, c->err_offset);
            continue;
        }
        CHECKF(rec.p == c->p, "%s: p %d want %d", c->name, rec.p, c->p);
        CHECKF(rec.sp == c->sp, "%s: sp %d", c->name, rec.sp);
        CHECKF(rec.np == c->np, "%s: np %d", c->name, rec.np);
        CHECKF(rec.invalid == c->invalid, "%s: invalid %#x want %#x", c->name,
               rec.invalid, c->invalid);
        if (c->warn_kind < 0) {
            CHECKF(rec.nwarnings == 0, "%s: %zu warnings (first: %s)", c->name,
                   rec.nwarnings, rec.nwarnings > 0 ? rec.warnings[0].msg : "");
        } else {
            CHECKF(rec.nwarnings == 1, "%s: %zu warnings", c->name,
                   rec.nwarnings);
            if (rec.nwarnings > 0) {
                CHECKF((int)rec.warnings[0].kind == c->warn_kind, "%s: kind %s",
                       c->name,
                       vouch_dmarc_warning_kind_name(rec.warnings[0].kind));
                CHECKF(strcmp(rec.warnings[0].tag, c->warn_tag) == 0,
                       "%s: tag '%s' want '%s'", c->name, rec.warnings[0].tag,
                       c->warn_tag);
                /* a tag's warning points at the tag (a URI's at the URI) */
                if (c->warn_tag[0] != '\0' &&
                    c->warn_kind != VOUCH_DMARC_W_BAD_URI &&
                    strcmp(c->warn_tag, "rua") != 0) {
                    CHECKF(strncmp(c->txt + rec.warnings[0].offset, c->warn_tag,
                                   strlen(c->warn_tag)) == 0,
                           "%s: offset %zu", c->name, rec.warnings[0].offset);
                }
            }
        }
    }
}

static void
test_dmarc__record_fields(void)
{
    static const char txt[] =
        "v=DMARC1; p=quarantine; sp=reject; np=none; adkim=s; aspf=r; "
        "fo=0:d; rua=mailto:agg@example.com!10m, https://r.example/x!2k ,"
        "mailto:b@example.net; ruf=mailto:f@example.com!1g; t=y; psd=u";
    static const char txt7[] = "v=DMARC1; p=reject; pct=25; rf=afrf:iodef; "
                               "ri=3600; ruf=mailto:x@example.org!1t";
    vouch_dmarc_record_t rec;

    REQUIRE(vouch_dmarc_record_parse(&rec, txt, sizeof(txt) - 1, M9989, NULL) ==
            0);
    CHECK(rec.p == P_QUAR && rec.sp == P_REJ && rec.np == P_NONE);
    CHECK(rec.adkim == VOUCH_DMARC_ALIGN_STRICT);
    CHECK(rec.aspf == VOUCH_DMARC_ALIGN_RELAXED);
    CHECK(rec.fo == (VOUCH_DMARC_FO_0 | VOUCH_DMARC_FO_D));
    CHECK(rec.t && rec.psd == VOUCH_DMARC_PSD_U);
    CHECK(rec.rua.n == 3 && rec.ruf.n == 1);
    CHECK_STR(rec.rua.uri[0].uri, "mailto:agg@example.com");
    CHECK(rec.rua.uri[0].max_size == 10u << 20);
    CHECK_STR(rec.rua.uri[1].uri, "https://r.example/x");
    CHECK(rec.rua.uri[1].max_size == 2048);
    CHECK(rec.rua.uri[2].max_size == 0);
    CHECK(rec.ruf.uri[0].max_size == (uint64_t)1 << 30);
    CHECK(rec.present ==
          (VOUCH_DMARC_TAG_V | VOUCH_DMARC_TAG_P | VOUCH_DMARC_TAG_SP |
           VOUCH_DMARC_TAG_NP | VOUCH_DMARC_TAG_ADKIM | VOUCH_DMARC_TAG_ASPF |
           VOUCH_DMARC_TAG_FO | VOUCH_DMARC_TAG_RUA | VOUCH_DMARC_TAG_RUF |
           VOUCH_DMARC_TAG_T | VOUCH_DMARC_TAG_PSD));
    CHECK(rec.pct == 100 && rec.ri == 86400 && rec.rf == VOUCH_DMARC_RF_AFRF);

    REQUIRE(vouch_dmarc_record_parse(&rec, txt7, sizeof(txt7) - 1, M7489,
                                     NULL) == 0);
    CHECK(rec.pct == 25 && rec.ri == 3600);
    CHECK(rec.rf == (VOUCH_DMARC_RF_AFRF | VOUCH_DMARC_RF_IODEF));
    CHECK(rec.ruf.uri[0].max_size == (uint64_t)1 << 40);
    CHECK(rec.nwarnings == 0);
}

static void
test_dmarc__record_limits(void)
{
    char big[4096];
    vouch_dmarc_record_t rec;
    size_t i, o;
    int rc;

    /* more URIs than kept: the extra ones are warned about */
    o = (size_t)snprintf(big, sizeof(big), "v=DMARC1; p=none; rua=");
    for (i = 0; i < VOUCH_DMARC_URIS_MAX + 2; i++) {
        o += (size_t)snprintf(big + o, sizeof(big) - o, "%smailto:r%zu@x.test",
                              i > 0 ? "," : "", i);
    }
    REQUIRE(vouch_dmarc_record_parse(&rec, big, o, M9989, NULL) == 0);
    CHECK(rec.rua.n == VOUCH_DMARC_URIS_MAX);
    CHECK(rec.nwarnings == 2);
    CHECK(rec.invalid == 0);

    /* a URI over the length cap */
    o = (size_t)snprintf(big, sizeof(big), "v=DMARC1; p=none; rua=mailto:");
    memset(big + o, 'a', VOUCH_DMARC_URI_MAX);
    o += VOUCH_DMARC_URI_MAX;
    REQUIRE(vouch_dmarc_record_parse(&rec, big, o, M9989, NULL) == 0);
    CHECK(rec.rua.n == 0 && (rec.invalid & VOUCH_DMARC_TAG_RUA));

    /* many tags: over the cap the text is not a record */
    o = (size_t)snprintf(big, sizeof(big), "v=DMARC1");
    for (i = 0; i < 70; i++) {
        o += (size_t)snprintf(big + o, sizeof(big) - o, "; x%c%c=1",
                              'a' + (int)(i / 26), 'a' + (int)(i % 26));
    }
    rc = vouch_dmarc_record_parse(&rec, big, o, M9989, NULL);
    CHECK(rc == VOUCH_ESYNTAX);

    /* many warnings: counted beyond the array */
    o = (size_t)snprintf(big, sizeof(big), "v=DMARC1");
    for (i = 0; i < 26; i++) {
        o +=
            (size_t)snprintf(big + o, sizeof(big) - o, "; y%c=1", 'a' + (int)i);
    }
    REQUIRE(vouch_dmarc_record_parse(&rec, big, o, M9989, NULL) == 0);
    CHECK(rec.nwarnings == VOUCH_DMARC_WARNINGS_MAX);
    CHECK(rec.nwarnings + rec.warnings_dropped == 26);

    /* embedded NUL: a bad value, not a crash or a short read */
    rc = vouch_dmarc_record_parse(&rec, "v=DMARC1; p=no\0ne", 17, M9989, NULL);
    CHECK(rc == 0 && (rec.invalid & VOUCH_DMARC_TAG_P));
    CHECK(vouch_dmarc_record_parse(NULL, "v=DMARC1", 8, M9989, NULL) ==
          VOUCH_EINVAL);
}

static void
test_dmarc__record_policy(void)
{
    static const struct {
        const char *txt;
        bool sub, nx;
        vouch_dmarc_policy_t want;
        const char *tag;
    } t[] = {
        { "v=DMARC1; p=reject; sp=quarantine; np=none", false, false, P_REJ,
          "p" },
        { "v=DMARC1; p=reject; sp=quarantine; np=none", true, false, P_QUAR,
          "sp" },
        { "v=DMARC1; p=reject; sp=quarantine; np=none", true, true, P_NONE,
          "np" },
        { "v=DMARC1; p=reject; sp=quarantine", true, true, P_QUAR, "sp" },
        { "v=DMARC1; p=reject", true, true, P_REJ, "p" },
        { "v=DMARC1; rua=mailto:a@b.test", false, false, P_NONE, "p" },
        { "v=DMARC1; p=bad; rua=mailto:a@b.test", true, false, P_NONE, "p" },
        { "v=DMARC1; p=reject; sp=bad; rua=mailto:a@b.test", true, false,
          P_NONE, "p" },
        { "v=DMARC1; p=reject; np=bad", false, false, P_UNSET, "" },
        { "v=DMARC1; p=bad", false, false, P_UNSET, "" },
        { "v=DMARC1", false, false, P_UNSET, "" },
        { "v=DMARC1; rua=bad", false, false, P_UNSET, "" },
    };

    size_t i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        vouch_dmarc_record_t rec;
        const char *tag = NULL;

        REQUIRE(vouch_dmarc_record_parse(&rec, t[i].txt, strlen(t[i].txt),
                                         M9989, NULL) == 0);
        CHECKF(vouch_dmarc_record_policy(&rec, t[i].sub, t[i].nx, &tag) ==
                   t[i].want,
               "%zu: %s", i, t[i].txt);
        CHECKF(tag != NULL && strcmp(tag, t[i].tag) == 0, "%zu: tag %s", i,
               tag != NULL ? tag : "(null)");
    }
}

static void
test_dmarc__names(void)
{
    CHECK_STR(vouch_dmarc_policy_name(P_QUAR), "quarantine");
    CHECK_STR(vouch_dmarc_policy_name(P_UNSET), "unset");
    CHECK_STR(vouch_dmarc_code_name(VOUCH_DMARC_TEMPERROR), "temperror");
    CHECK_STR(vouch_dmarc_code_name(VOUCH_DMARC_PERMERROR), "permerror");
    CHECK_STR(vouch_dmarc_code_name((vouch_dmarc_code_t)99), "unknown");
    CHECK_STR(vouch_dmarc_mode_name(M7489), "7489");
    CHECK_STR(vouch_dmarc_dest_name(VOUCH_DMARC_DEST_UNAUTHORIZED),
              "unauthorized");
}

/* ---- scenarios
 * ----------------------------------------------------------------- */

/* One zone for most scenarios; names say what each part is for. */
static const char zone_main[] =
    /* an Organizational Domain with p, sp, np */
    "example.com. 300 IN A 192.0.2.1\n"
    "_dmarc.example.com. 300 IN TXT \"v=DMARC1; p=reject; sp=quarantine; "
    "np=none; rua=mailto:d@example.com\"\n"
    "mail.example.com. 300 IN A 192.0.2.2\n"
    "a.mail.example.com. 300 IN A 192.0.2.3\n"
    /* a department declaring itself an Organizational Domain */
    "_dmarc.dept.example.com. 300 IN TXT \"v=DMARC1; p=none; psd=n\"\n"
    "x.dept.example.com. 300 IN A 192.0.2.4\n"
    /* strict alignment */
    "strict.test. 300 IN A 192.0.2.5\n"
    "_dmarc.strict.test. 300 IN TXT \"v=DMARC1; p=quarantine; aspf=s; "
    "adkim=s\"\n"
    /* testing */
    "_dmarc.t.test. 300 IN TXT \"v=DMARC1; p=reject; t=y\"\n"
    "_dmarc.tq.test. 300 IN TXT \"v=DMARC1; p=quarantine; t=y\"\n"
    "_dmarc.tn.test. 300 IN TXT \"v=DMARC1; p=none; t=y\"\n"
    /* a Public Suffix Domain with a policy, nothing below */
    "_dmarc.psd. 300 IN TXT \"v=DMARC1; p=reject; psd=y\"\n"
    "a.mail.example.psd. 300 IN A 192.0.2.6\n"
    /* RFC 9989 tree walk example: records at two levels */
    "_dmarc.mail.example.org. 300 IN TXT \"v=DMARC1; p=none; sp=reject\"\n"
    "_dmarc.example.org. 300 IN TXT \"v=DMARC1; p=reject; sp=quarantine\"\n"
    "a.mail.example.org. 300 IN A 192.0.2.7\n"
    "_dmarc.multi.example.org. 300 IN TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.multi.example.org. 300 IN TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.multi.example.org. 300 IN TXT \"not dmarc\"\n"
    "_dmarc.dup.example.org. 300 IN TXT \"v=DMARC1; p=none; p=none\"\n"
    "_dmarc.other.example.org. 300 IN TXT \"v=spf1 -all\"\n"
    "_dmarc.other.example.org. 300 IN TXT \"v=DMARC1; p=none\"\n"
    /* long names: a zone cut 7 labels down */
    "_dmarc.c.d.e.f.g.example.net. 300 IN TXT \"v=DMARC1; p=quarantine; "
    "psd=n\"\n"
    "_dmarc.b.c.d.e.f.g.example.net. 300 IN TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.example.net. 300 IN TXT \"v=DMARC1; p=reject\"\n"
    /* invalid p with and without rua */
    "_dmarc.badp.test. 300 IN TXT \"v=DMARC1; p=bogus; "
    "rua=mailto:r@badp.test\"\n"
    "_dmarc.badp2.test. 300 IN TXT \"v=DMARC1; p=bogus\"\n"
    "_dmarc.nop.test. 300 IN TXT \"v=DMARC1; rua=mailto:r@nop.test\"\n"
    /* pct (RFC 7489) */
    "_dmarc.pct.test. 300 IN TXT \"v=DMARC1; p=reject; pct=50\"\n"
    "_dmarc.pct0.test. 300 IN TXT \"v=DMARC1; p=quarantine; pct=0\"\n"
    /* DNS failures */
    "_dmarc.slow.example.com. 300 IN TXT \"v=DMARC1; p=reject\"\n"
    "$FAULT _dmarc.sub.slow.example.com. TXT TIMEOUT\n"
    "$FAULT nx.timeout.example.com. A TIMEOUT\n"
    "$FAULT _dmarc.sf.example.com. TXT SERVFAIL\n"
    "$FAULT _dmarc.slow7.test. TXT TIMEOUT\n"
    "_dmarc.own.slowparent.test. 300 IN TXT \"v=DMARC1; p=reject\"\n"
    "$FAULT _dmarc.slowparent.test. TXT TIMEOUT\n";

#define MAXDKIM 3

typedef struct scen {
    const char *name;
    vouch_dmarc_mode_t mode;
    const char *from;
    const char *spf_domain;
    vouch_spf_code_t spf;
    const char *dkim[MAXDKIM]; /* "domain" pass, "~domain" temperror,
                                  "-domain" fail */
    int pct_draw;
    vouch_dmarc_code_t result;
    vouch_dmarc_policy_t policy, disposition;
    const char *policy_tag;
    const char *org;
    const char *policy_domain;
    int spf_aligned, dkim_aligned; /* -1: not checked */
    int testing;                   /* -1: not checked */
    int queries;                   /* -1: not checked */
    const char *reason_has;
} scen_t;

#define NOSPF NULL, VOUCH_SPF_NONE
#define NODKIM                                                                 \
    {                                                                          \
        NULL                                                                   \
    }

static const scen_t scens[] = {
    /* the Author Domain's own record: p */
    { "own record, SPF aligned", M9989, "example.com", "example.com",
      VOUCH_SPF_PASS, NODKIM, -1, VOUCH_DMARC_PASS, P_REJ, P_NONE, "p",
      "example.com", "example.com", 1, 0, 0, 2, NULL },
    { "own record, nothing passes", M9989, "example.com", NOSPF, NODKIM, -1,
      VOUCH_DMARC_FAIL, P_REJ, P_REJ, "p", "example.com", "example.com", 0, 0,
      0, 2, "p=reject" },
    { "SPF fail is no pass", M9989, "example.com", "example.com",
      VOUCH_SPF_FAIL, NODKIM, -1, VOUCH_DMARC_FAIL, P_REJ, P_REJ, "p",
      "example.com", "example.com", 0, 0, 0, 2, NULL },
    /* subdomains: sp for an existing one, np for a nonexistent one */
    { "existing subdomain: sp", M9989, "mail.example.com", NOSPF, NODKIM, -1,
      VOUCH_DMARC_FAIL, P_QUAR, P_QUAR, "sp", "example.com", "example.com", 0,
      0, 0, 4, NULL },
    { "nonexistent subdomain: np", M9989, "nx.example.com", NOSPF, NODKIM, -1,
      VOUCH_DMARC_FAIL, P_NONE, P_NONE, "np", "example.com", "example.com", 0,
      0, 0, 4, NULL },
    { "nonexistent subdomain, DKIM aligned",
      M9989,
      "nx.example.com",
      NOSPF,
      { "example.com" },
      -1,
      VOUCH_DMARC_PASS,
      P_NONE,
      P_NONE,
      "np",
      "example.com",
      "example.com",
      0,
      1,
      0,
      -1,
      NULL },
    /* relaxed alignment through the walk of the identifier */
    { "relaxed SPF from a subdomain", M9989, "example.com",
      "bounce.mail.example.com", VOUCH_SPF_PASS, NODKIM, -1, VOUCH_DMARC_PASS,
      P_REJ, P_NONE, "p", "example.com", "example.com", 1, 0, 0, 4, NULL },
    { "relaxed DKIM, parent signs for subdomain",
      M9989,
      "a.mail.example.com",
      NOSPF,
      { "example.com" },
      -1,
      VOUCH_DMARC_PASS,
      P_QUAR,
      P_NONE,
      "sp",
      "example.com",
      "example.com",
      0,
      1,
      0,
      -1,
      NULL },
    { "unrelated DKIM domain",
      M9989,
      "example.com",
      NOSPF,
      { "example.net" },
      -1,
      VOUCH_DMARC_FAIL,
      P_REJ,
      P_REJ,
      "p",
      "example.com",
      "example.com",
      0,
      0,
      0,
      2,
      NULL },
    { "second DKIM signature aligns",
      M9989,
      "example.com",
      NOSPF,
      { "-example.com", "example.net", "news.example.com" },
      -1,
      VOUCH_DMARC_PASS,
      P_REJ,
      P_NONE,
      "p",
      "example.com",
      "example.com",
      0,
      1,
      0,
      -1,
      NULL },
    { "psd=n department is its own org",
      M9989,
      "example.com",
      NOSPF,
      { "dept.example.com" },
      -1,
      VOUCH_DMARC_FAIL,
      P_REJ,
      P_REJ,
      "p",
      "example.com",
      "example.com",
      0,
      0,
      0,
      -1,
      NULL },
    { "psd=n department: its subdomain", M9989, "x.dept.example.com",
      "dept.example.com", VOUCH_SPF_PASS, NODKIM, -1, VOUCH_DMARC_PASS, P_NONE,
      P_NONE, "p", "dept.example.com", "dept.example.com", 1, 0, 0, -1, NULL },
    /* strict */
    { "strict SPF: subdomain not aligned", M9989, "strict.test",
      "mail.strict.test", VOUCH_SPF_PASS, NODKIM, -1, VOUCH_DMARC_FAIL, P_QUAR,
      P_QUAR, "p", "strict.test", "strict.test", 0, 0, 0, -1, NULL },
    { "strict DKIM: exact match aligned",
      M9989,
      "strict.test",
      "mail.strict.test",
      VOUCH_SPF_PASS,
      { "STRICT.test." },
      -1,
      VOUCH_DMARC_PASS,
      P_QUAR,
      P_NONE,
      "p",
      "strict.test",
      "strict.test",
      0,
      1,
      0,
      -1,
      NULL },
    { "strict DKIM: subdomain not aligned",
      M9989,
      "strict.test",
      NOSPF,
      { "s.strict.test" },
      -1,
      VOUCH_DMARC_FAIL,
      P_QUAR,
      P_QUAR,
      "p",
      "strict.test",
      "strict.test",
      0,
      0,
      0,
      -1,
      NULL },
    { "strict SPF exact", M9989, "strict.test", "strict.test", VOUCH_SPF_PASS,
      NODKIM, -1, VOUCH_DMARC_PASS, P_QUAR, P_NONE, "p", "strict.test",
      "strict.test", 1, 0, 0, -1, NULL },
    /* t=y: one level lower */
    { "t=y reject -> quarantine", M9989, "t.test", NOSPF, NODKIM, -1,
      VOUCH_DMARC_FAIL, P_REJ, P_QUAR, "p", "t.test", "t.test", 0, 0, 1, -1,
      "testing" },
    { "t=y quarantine -> none", M9989, "tq.test", NOSPF, NODKIM, -1,
      VOUCH_DMARC_FAIL, P_QUAR, P_NONE, "p", "tq.test", "tq.test", 0, 0, 1, -1,
      NULL },
    { "t=y none stays none", M9989, "tn.test", NOSPF, NODKIM, -1,
      VOUCH_DMARC_FAIL, P_NONE, P_NONE, "p", "tn.test", "tn.test", 0, 0, 1, -1,
      NULL },
    { "t=y ignored in 7489", M7489, "t.test", NOSPF, NODKIM, 0,
      VOUCH_DMARC_FAIL, P_REJ, P_REJ, "p", "t.test", "t.test", 0, 0, 0, -1,
      NULL },
    /* PSD policy (psd=y) */
    { "PSD record applies below", M9989, "a.mail.example.psd", NOSPF, NODKIM,
      -1, VOUCH_DMARC_FAIL, P_REJ, P_REJ, "p", "example.psd", "psd", 0, 0, 0, 4,
      NULL },
    { "PSD: org domain one below",
      M9989,
      "a.mail.example.psd",
      NOSPF,
      { "example.psd" },
      -1,
      VOUCH_DMARC_PASS,
      P_REJ,
      P_NONE,
      "p",
      "example.psd",
      "psd",
      0,
      1,
      0,
      -1,
      NULL },
    { "PSD: sibling under the PSD is not aligned",
      M9989,
      "a.mail.example.psd",
      NOSPF,
      { "other.psd" },
      -1,
      VOUCH_DMARC_FAIL,
      P_REJ,
      P_REJ,
      "p",
      "example.psd",
      "psd",
      0,
      0,
      0,
      -1,
      NULL },
    { "PSD: 7489 has no PSD policy", M7489, "a.mail.example.psd", NOSPF, NODKIM,
      0, VOUCH_DMARC_NONE, P_UNSET, P_UNSET, "", "example.psd", "", 0, 0, 0, 2,
      NULL },
    { "PSD itself: own record", M9989, "psd", NOSPF, NODKIM, -1,
      VOUCH_DMARC_FAIL, P_REJ, P_REJ, "p", "psd", "psd", 0, 0, 0, 1, NULL },
    /* RFC 9989 examples: records at two levels, org is the shortest */
    { "two levels: org is example.org", M9989, "a.mail.example.org", NOSPF,
      NODKIM, -1, VOUCH_DMARC_FAIL, P_QUAR, P_QUAR, "sp", "example.org",
      "example.org", 0, 0, 0, 4, NULL },
    { "two levels: own record at mail",
      M9989,
      "mail.example.org",
      NOSPF,
      { "a.example.org" },
      -1,
      VOUCH_DMARC_PASS,
      P_NONE,
      P_NONE,
      "p",
      "example.org",
      "mail.example.org",
      0,
      1,
      0,
      -1,
      NULL },
    /* several records at one name */
    { "multiple records discarded (9989)", M9989, "multi.example.org", NOSPF,
      NODKIM, -1, VOUCH_DMARC_FAIL, P_QUAR, P_QUAR, "sp", "example.org",
      "example.org", 0, 0, 0, 3, NULL },
    { "multiple records end discovery (7489)", M7489, "multi.example.org",
      NOSPF, NODKIM, 0, VOUCH_DMARC_NONE, P_UNSET, P_UNSET, "", "example.org",
      "", 0, 0, 0, 1, "several" },
    { "duplicate tag: record ignored", M9989, "dup.example.org", NOSPF, NODKIM,
      -1, VOUCH_DMARC_FAIL, P_QUAR, P_QUAR, "sp", "example.org", "example.org",
      0, 0, 0, 3, NULL },
    { "non-DMARC TXT beside a record", M9989, "other.example.org", NOSPF,
      NODKIM, -1, VOUCH_DMARC_FAIL, P_NONE, P_NONE, "p", "example.org",
      "other.example.org", 0, 0, 0, 3, NULL },
    /* nothing anywhere */
    { "no record", M9989, "nothing.example.invalid", "nothing.example.invalid",
      VOUCH_SPF_PASS, NODKIM, -1, VOUCH_DMARC_NONE, P_UNSET, P_UNSET, "", NULL,
      "", 0, 0, 0, 3, "no DMARC policy record" },
    { "no record (7489)", M7489, "a.nothing.example.invalid", NOSPF, NODKIM, 0,
      VOUCH_DMARC_NONE, P_UNSET, P_UNSET, "", "example.invalid", "", 0, 0, 0, 2,
      NULL },
    /* org-only record, 7489 */
    { "org record, sp (7489)", M7489, "mail.example.com", NOSPF, NODKIM, 0,
      VOUCH_DMARC_FAIL, P_QUAR, P_QUAR, "sp", "example.com", "example.com", 0,
      0, 0, 2, NULL },
    { "np ignored in 7489", M7489, "nx.example.com", NOSPF, NODKIM, 0,
      VOUCH_DMARC_FAIL, P_QUAR, P_QUAR, "sp", "example.com", "example.com", 0,
      0, 0, 2, NULL },
    { "psd=n not known to 7489: aligned by PSL",
      M7489,
      "example.com",
      NOSPF,
      { "dept.example.com" },
      0,
      VOUCH_DMARC_PASS,
      P_REJ,
      P_NONE,
      "p",
      "example.com",
      "example.com",
      0,
      1,
      0,
      1,
      NULL },
    /* long names */
    { "long name: 8 queries at most", M9989,
      "a.b.c.d.e.f.g.h.i.j.mail.example.com", NOSPF, NODKIM, -1,
      VOUCH_DMARC_FAIL, P_NONE, P_NONE, "np", "example.com", "example.com", 0,
      0, 0, 9 /* 8 TXT + the A for np */, NULL },
    { "long name: zone cut at 7 labels found", M9989,
      "mail.a.b.c.d.e.f.g.example.net", NOSPF, NODKIM, -1, VOUCH_DMARC_FAIL,
      P_QUAR, P_QUAR, "p", "c.d.e.f.g.example.net", "c.d.e.f.g.example.net", 0,
      0, 0, 2, NULL },
    { "8 labels: record at 7 labels, 8-label one skipped", M9989,
      "x.b.c.d.e.f.g.example.net", NOSPF, NODKIM, -1, VOUCH_DMARC_FAIL, P_QUAR,
      P_QUAR, "p", "c.d.e.f.g.example.net", "c.d.e.f.g.example.net", 0, 0, 0, 2,
      NULL },
    { "7 labels: one label at a time", M9989, "b.c.d.e.f.g.example.net", NOSPF,
      NODKIM, -1, VOUCH_DMARC_FAIL, P_NONE, P_NONE, "p",
      "c.d.e.f.g.example.net", "b.c.d.e.f.g.example.net", 0, 0, 0, 2, NULL },
    { "long name (7489): From and PSL org only", M7489,
      "mail.a.b.c.d.e.f.g.example.net", NOSPF, NODKIM, 0, VOUCH_DMARC_FAIL,
      P_REJ, P_REJ, "p", "example.net", "example.net", 0, 0, 0, 2, NULL },
    /* invalid p */
    { "bad p with rua: p=none", M9989, "badp.test", NOSPF, NODKIM, -1,
      VOUCH_DMARC_FAIL, P_NONE, P_NONE, "p", "badp.test", "badp.test", 0, 0, 0,
      -1, NULL },
    { "bad p without rua: no processing", M9989, "badp2.test", NOSPF, NODKIM,
      -1, VOUCH_DMARC_NONE, P_UNSET, P_UNSET, "", "badp2.test", "badp2.test", 0,
      0, 0, -1, "no valid p" },
    { "no p with rua: p=none", M9989, "nop.test", NOSPF, NODKIM, -1,
      VOUCH_DMARC_FAIL, P_NONE, P_NONE, "p", "nop.test", "nop.test", 0, 0, 0,
      -1, NULL },
    /* pct (7489) */
    { "pct=50 sampled", M7489, "pct.test", NOSPF, NODKIM, 10, VOUCH_DMARC_FAIL,
      P_REJ, P_REJ, "p", "pct.test", "pct.test", 0, 0, 0, -1, NULL },
    { "pct=50 not sampled", M7489, "pct.test", NOSPF, NODKIM, 50,
      VOUCH_DMARC_FAIL, P_REJ, P_QUAR, "p", "pct.test", "pct.test", 0, 0, 1, -1,
      NULL },
    { "pct=0 never sampled", M7489, "pct0.test", NOSPF, NODKIM, 0,
      VOUCH_DMARC_FAIL, P_QUAR, P_NONE, "p", "pct0.test", "pct0.test", 0, 0, 1,
      -1, NULL },
    { "pct ignored in 9989", M9989, "pct.test", NOSPF, NODKIM, 99,
      VOUCH_DMARC_FAIL, P_REJ, P_REJ, "p", "pct.test", "pct.test", 0, 0, 0, -1,
      NULL },
    /* temporary errors of the mechanisms */
    { "SPF temperror on an aligned domain", M9989, "example.com", "example.com",
      VOUCH_SPF_TEMPERROR, NODKIM, -1, VOUCH_DMARC_TEMPERROR, P_REJ, P_UNSET,
      "p", "example.com", "example.com", 0, 0, 0, -1, NULL },
    { "SPF temperror on an unrelated domain", M9989, "example.com",
      "example.net", VOUCH_SPF_TEMPERROR, NODKIM, -1, VOUCH_DMARC_FAIL, P_REJ,
      P_REJ, "p", "example.com", "example.com", 0, 0, 0, -1, NULL },
    { "DKIM temperror, aligned",
      M9989,
      "example.com",
      NOSPF,
      { "~example.com" },
      -1,
      VOUCH_DMARC_TEMPERROR,
      P_REJ,
      P_UNSET,
      "p",
      "example.com",
      "example.com",
      0,
      0,
      0,
      -1,
      NULL },
    { "DKIM temperror but SPF aligned",
      M9989,
      "example.com",
      "example.com",
      VOUCH_SPF_PASS,
      { "~example.com" },
      -1,
      VOUCH_DMARC_PASS,
      P_REJ,
      P_NONE,
      "p",
      "example.com",
      "example.com",
      1,
      0,
      0,
      -1,
      NULL },
    /* DNS failures */
    { "timeout in an identifier's walk",
      M9989,
      "slow.example.com",
      NOSPF,
      { "sub.slow.example.com" },
      -1,
      VOUCH_DMARC_TEMPERROR,
      P_REJ,
      P_UNSET,
      "p",
      "example.com",
      "slow.example.com",
      0,
      0,
      0,
      -1,
      "tree walk" },
    { "timeout in an identifier's walk, other aligned",
      M9989,
      "slow.example.com",
      "slow.example.com",
      VOUCH_SPF_PASS,
      { "sub.slow.example.com" },
      -1,
      VOUCH_DMARC_PASS,
      P_REJ,
      P_NONE,
      "p",
      "example.com",
      "slow.example.com",
      1,
      0,
      0,
      -1,
      NULL },
    { "existence check times out", M9989, "nx.timeout.example.com", NOSPF,
      NODKIM, -1, VOUCH_DMARC_TEMPERROR, P_QUAR, P_UNSET, "sp", "example.com",
      "example.com", 0, 0, 0, 5, "TIMEOUT" },
    { "SERVFAIL at the From domain", M9989, "sf.example.com", NOSPF, NODKIM, -1,
      VOUCH_DMARC_TEMPERROR, P_UNSET, P_UNSET, "", NULL, "", 0, 0, 0, 1,
      "_dmarc.sf.example.com" },
    { "SERVFAIL at the From domain (7489)", M7489, "sf.example.com", NOSPF,
      NODKIM, 0, VOUCH_DMARC_TEMPERROR, P_UNSET, P_UNSET, "", "example.com", "",
      0, 0, 0, 1, "SERVFAIL" },
    { "timeout at the org domain (7489)", M7489, "a.slow7.test", NOSPF, NODKIM,
      0, VOUCH_DMARC_TEMPERROR, P_UNSET, P_UNSET, "", "slow7.test", "", 0, 0, 0,
      2, "_dmarc.slow7.test" },
    { "timeout at the parent (9989)", M9989, "a.slow7.test", NOSPF, NODKIM, -1,
      VOUCH_DMARC_TEMPERROR, P_UNSET, P_UNSET, "", NULL, "", 0, 0, 0, 2,
      "_dmarc.slow7.test" },
    { "relaxed SPF from a subdomain (7489)", M7489, "example.com",
      "bounce.mail.example.com", VOUCH_SPF_PASS, NODKIM, 0, VOUCH_DMARC_PASS,
      P_REJ, P_NONE, "p", "example.com", "example.com", 1, 0, 0, 1, NULL },
    { "strict SPF (7489)", M7489, "strict.test", "mail.strict.test",
      VOUCH_SPF_PASS, NODKIM, 0, VOUCH_DMARC_FAIL, P_QUAR, P_QUAR, "p",
      "strict.test", "strict.test", 0, 0, 0, 1, NULL },
    { "two levels (7489): PSL org, sp of mail ignored", M7489,
      "a.mail.example.org", NOSPF, NODKIM, 0, VOUCH_DMARC_FAIL, P_QUAR, P_QUAR,
      "sp", "example.org", "example.org", 0, 0, 0, 2, NULL },
    { "record at the From domain only (7489)", M7489, "mail.example.org", NOSPF,
      NODKIM, 0, VOUCH_DMARC_FAIL, P_NONE, P_NONE, "p", "example.org",
      "mail.example.org", 0, 0, 0, 1, NULL },
    { "own record, org walk fails: exact SPF still passes", M9989,
      "own.slowparent.test", "own.slowparent.test", VOUCH_SPF_PASS, NODKIM, -1,
      VOUCH_DMARC_PASS, P_REJ, P_NONE, "p", "", "own.slowparent.test", 1, 0, 0,
      2, NULL },
    { "own record, org walk fails: relaxed DKIM unknown",
      M9989,
      "own.slowparent.test",
      NOSPF,
      { "d.own.slowparent.test" },
      -1,
      VOUCH_DMARC_TEMPERROR,
      P_REJ,
      P_UNSET,
      "p",
      "",
      "own.slowparent.test",
      0,
      0,
      0,
      2,
      "could not be determined" },
    /* bad input */
    { "From domain with an empty label", M9989, "bad..example.com", NOSPF,
      NODKIM, -1, VOUCH_DMARC_PERMERROR, P_UNSET, P_UNSET, "", "", "", 0, 0, 0,
      0, "not a valid" },
};

static vouch_resolver_t *
zone_resolver(const vouch_ctx_t *ctx, const char *text, size_t len)
{
    vouch_zone_t *z = NULL;
    vouch_resolver_t *r = NULL;
    vouch_error_t err;

    if (vouch_zone_new(&z, ctx) != 0) {
        return NULL;
    }
    if (vouch_zone_load_text(z, text, len, "test", &err) != 0) {
        fprintf(stderr, "zone: %s\n", err.msg);
        vouch_zone_free(z);
        return NULL;
    }
    if (vouch_resolver_new_zone(&r, ctx, z) != 0) {
        return NULL;
    }
    return r;
}

static vouch_psl_t *
test_psl(void)
{
    static vouch_psl_t *psl;
    char path[4096];

    if (psl == NULL) {
        (void)snprintf(path, sizeof(path), "%s/psl/public_suffix_list.dat",
                       test_testdata_or_skip());
        if (vouch_psl_load(&psl, test_ctx(), path, NULL) != 0) {
            return NULL;
        }
    }
    return psl;
}

static int
run_scen(vouch_dmarc_result_t *res, const vouch_ctx_t *ctx, vouch_resolver_t *r,
         const scen_t *s)
{
    vouch_dmarc_options_t opts = VOUCH_DMARC_OPTIONS_INIT;
    vouch_dmarc_dkim_in_t dk[MAXDKIM];
    vouch_dmarc_input_t in;
    size_t n = 0, i;

    for (i = 0; i < MAXDKIM && s->dkim[i] != NULL; i++) {
        const char *d = s->dkim[i];

        dk[n].pass = d[0] != '~' && d[0] != '-';
        dk[n].temperror = d[0] == '~';
        dk[n].domain = dk[n].pass ? d : d + 1;
        n++;
    }
    opts.mode = s->mode;
    opts.pct_draw = s->pct_draw;
    opts.psl = s->mode == M7489 ? test_psl() : NULL;
    memset(&in, 0, sizeof(in));
    in.from_domain = s->from;
    in.spf_domain = s->spf_domain;
    in.spf_result = s->spf;
    in.dkim = dk;
    in.ndkim = n;
    return vouch_dmarc_evaluate(res, ctx, r, &opts, &in, NULL);
}

static void
test_dmarc__scenarios(void)
{
    vouch_resolver_t *r =
        zone_resolver(test_ctx(), zone_main, sizeof(zone_main) - 1);
    size_t i, ok = 0;

    REQUIRE(r != NULL);
    for (i = 0; i < sizeof(scens) / sizeof(scens[0]); i++) {
        const scen_t *s = &scens[i];
        vouch_dmarc_result_t res;
        int before = test_failures_in_case;

        CHECKF(run_scen(&res, test_ctx(), r, s) == 0, "%s", s->name);
        CHECKF(res.result == s->result, "%s: result %s want %s (%s)", s->name,
               vouch_dmarc_code_name(res.result),
               vouch_dmarc_code_name(s->result), res.reason);
        CHECKF(res.policy == s->policy, "%s: policy %s want %s", s->name,
               vouch_dmarc_policy_name(res.policy),
               vouch_dmarc_policy_name(s->policy));
        CHECKF(res.disposition == s->disposition, "%s: disposition %s want %s",
               s->name, vouch_dmarc_policy_name(res.disposition),
               vouch_dmarc_policy_name(s->disposition));
        CHECKF(strcmp(res.policy_tag, s->policy_tag) == 0,
               "%s: tag '%s' want '%s'", s->name, res.policy_tag,
               s->policy_tag);
        if (s->org != NULL) {
            CHECKF(strcmp(res.org_domain, s->org) == 0,
                   "%s: org '%s' want '%s'", s->name, res.org_domain, s->org);
        }
        CHECKF(strcmp(res.policy_domain, s->policy_domain) == 0,
               "%s: policy domain '%s' want '%s'", s->name, res.policy_domain,
               s->policy_domain);
        if (s->spf_aligned >= 0) {
            CHECKF(res.spf_aligned == (s->spf_aligned != 0),
                   "%s: spf_aligned %d", s->name, res.spf_aligned);
        }
        if (s->dkim_aligned >= 0) {
            CHECKF(res.dkim_aligned == (s->dkim_aligned != 0),
                   "%s: dkim_aligned %d", s->name, res.dkim_aligned);
        }
        if (s->testing >= 0) {
            CHECKF(res.testing == (s->testing != 0), "%s: testing %d", s->name,
                   res.testing);
        }
        if (s->queries >= 0) {
            CHECKF(res.queries == (unsigned)s->queries,
                   "%s: %u queries want %d", s->name, res.queries, s->queries);
        }
        if (s->reason_has != NULL) {
            CHECKF(strstr(res.reason, s->reason_has) != NULL,
                   "%s: reason '%s' lacks '%s'", s->name, res.reason,
                   s->reason_has);
        }
        ok += test_failures_in_case == before;
    }
    printf("dmarc scenarios: %zu passed, %zu failed\n", ok,
           sizeof(scens) / sizeof(scens[0]) - ok);
    vouch_resolver_free(r);
}

/*
 * A DNS failure at each step of a tree walk makes discovery a temperror
 * that names the step: the RFC's 5-query example domain, and the 8-query
 * walk of a long name.
 */
static void
test_dmarc__walk_failure_each_step(void)
{
    static const char *const walks[][VOUCH_DMARC_WALK_QUERIES_MAX + 1] = {
        { "a.b.mail.example.com", "a.b.mail.example.com", "b.mail.example.com",
          "mail.example.com", "example.com", "com", NULL },
        { "a.b.c.d.e.f.g.h.i.j.mail.example.com",
          "a.b.c.d.e.f.g.h.i.j.mail.example.com", "g.h.i.j.mail.example.com",
          "h.i.j.mail.example.com", "i.j.mail.example.com",
          "j.mail.example.com", "mail.example.com", "example.com", "com" },
    };
    static const char *const faults[] = { "TIMEOUT", "SERVFAIL", "REFUSED" };
    size_t w, step, f, total = 0, ok = 0;

    for (w = 0; w < 2; w++) {
        for (step = 1;
             step <= VOUCH_DMARC_WALK_QUERIES_MAX && walks[w][step] != NULL;
             step++) {
            for (f = 0; f < 3; f++) {
                char zone[1024], want[300];
                vouch_dmarc_result_t res;
                vouch_dmarc_input_t in;
                vouch_resolver_t *r;
                int n, before = test_failures_in_case;

                n = snprintf(zone, sizeof(zone),
                             "_dmarc.example.com. 300 IN TXT \"v=DMARC1; "
                             "p=reject\"\n"
                             "$FAULT _dmarc.%s. TXT %s\n",
                             walks[w][step], faults[f]);
                r = zone_resolver(test_ctx(), zone, (size_t)n);
                REQUIRE(r != NULL);
                memset(&in, 0, sizeof(in));
                in.from_domain = walks[w][0];
                CHECK(vouch_dmarc_evaluate(&res, test_ctx(), r, NULL, &in,
                                           NULL) == 0);
                (void)snprintf(want, sizeof(want), "_dmarc.%s", walks[w][step]);
                CHECKF(res.result == VOUCH_DMARC_TEMPERROR,
                       "%s step %zu %s: %s (%s)", walks[w][0], step, faults[f],
                       vouch_dmarc_code_name(res.result), res.reason);
                CHECKF(strstr(res.reason, want) != NULL &&
                           strstr(res.reason, faults[f]) != NULL,
                       "reason '%s'", res.reason);
                CHECKF(res.queries == step, "%s step %zu: %u queries",
                       walks[w][0], step, res.queries);
                vouch_resolver_free(r);
                total++;
                ok += test_failures_in_case == before;
            }
        }
    }
    printf("walk failure steps: %zu passed, %zu failed\n", ok, total - ok);
}

/* Every identifier's walk shares the memo; many distinct DKIM domains under
 * the org domain cannot push the queries past the budget. */
static void
test_dmarc__query_caps(void)
{
    static const char zone[] =
        "_dmarc.example.com. 300 IN TXT \"v=DMARC1; p=reject\"\n";
    vouch_dmarc_dkim_in_t dk[VOUCH_DMARC_DKIM_MAX];
    char names[VOUCH_DMARC_DKIM_MAX][64];
    vouch_resolver_t *r = zone_resolver(test_ctx(), zone, sizeof(zone) - 1);
    vouch_dmarc_result_t res;
    vouch_dmarc_input_t in;
    size_t i;

    REQUIRE(r != NULL);
    for (i = 0; i < VOUCH_DMARC_DKIM_MAX; i++) {
        (void)snprintf(names[i], sizeof(names[i]), "s%zu.x%zu.example.com", i,
                       i);
        dk[i].domain = names[i];
        dk[i].pass = true;
        dk[i].temperror = false;
    }
    memset(&in, 0, sizeof(in));
    in.from_domain = "mail.example.com";
    in.dkim = dk;
    in.ndkim = VOUCH_DMARC_DKIM_MAX;
    /* the first one aligns: one walk only */
    CHECK(vouch_dmarc_evaluate(&res, test_ctx(), r, NULL, &in, NULL) == 0);
    CHECK(res.result == VOUCH_DMARC_PASS && res.dkim_aligned);
    CHECK_STR(res.dkim_aligned_domain, "s0.x0.example.com");
    CHECK(res.queries == 5);
    /* none passes until the last: the memo cap stops the work */
    for (i = 0; i + 1 < VOUCH_DMARC_DKIM_MAX; i++) {
        dk[i].pass = false;
        dk[i].temperror = true;
    }
    CHECK(vouch_dmarc_evaluate(&res, test_ctx(), r, NULL, &in, NULL) == 0);
    CHECK(res.result == VOUCH_DMARC_TEMPERROR);
    CHECK(res.queries <= 48); /* VOUCH_DMARC_QUERY_BUDGET */
    in.ndkim = VOUCH_DMARC_DKIM_MAX + 1;
    CHECK(vouch_dmarc_evaluate(&res, test_ctx(), r, NULL, &in, NULL) ==
          VOUCH_EINVAL);
    vouch_resolver_free(r);
}

static void
test_dmarc__bad_args(void)
{
    vouch_dmarc_options_t opts = VOUCH_DMARC_OPTIONS_INIT;
    static const char zone[] = "x.test. 300 IN A 192.0.2.1\n";
    vouch_resolver_t *r = zone_resolver(test_ctx(), zone, sizeof(zone) - 1);
    vouch_dmarc_result_t res;
    vouch_dmarc_input_t in;
    vouch_dmarc_dest_t dst;

    REQUIRE(r != NULL);
    memset(&in, 0, sizeof(in));
    in.from_domain = "x.test";
    CHECK(vouch_dmarc_evaluate(NULL, test_ctx(), r, NULL, &in, NULL) ==
          VOUCH_EINVAL);
    CHECK(vouch_dmarc_evaluate(&res, test_ctx(), r, NULL, NULL, NULL) ==
          VOUCH_EINVAL);
    opts.mode = M7489; /* no PSL */
    CHECK(vouch_dmarc_evaluate(&res, test_ctx(), r, &opts, &in, NULL) ==
          VOUCH_EINVAL);
    opts.mode = M9989;
    opts.pct_draw = 100;
    CHECK(vouch_dmarc_evaluate(&res, test_ctx(), r, &opts, &in, NULL) ==
          VOUCH_EINVAL);
    opts.pct_draw = -1;
    opts.version = 2;
    CHECK(vouch_dmarc_evaluate(&res, test_ctx(), r, &opts, &in, NULL) ==
          VOUCH_EINVAL);
    in.ndkim = 1;
    CHECK(vouch_dmarc_evaluate(&res, test_ctx(), r, NULL, &in, NULL) ==
          VOUCH_EINVAL);
    CHECK(vouch_dmarc_check_destination(&dst, test_ctx(), r, NULL, NULL,
                                        "mailto:a@b", 10,
                                        NULL) == VOUCH_EINVAL);
    vouch_resolver_free(r);
}

/* ---- PSL and destinations
 * ----------------------------------------------------- */

static void
test_dmarc__psl(void)
{
    vouch_psl_t *psl = test_psl();
    char out[VOUCH_DNS_NAME_MAX + 1];
    vouch_error_t err;
    vouch_psl_t *bad = NULL;

    REQUIRE(psl != NULL);
    CHECK(vouch_psl_org_domain(psl, "a.b.Example.CO.UK.", out) == 0);
    CHECK_STR(out, "example.co.uk");
    CHECK(vouch_psl_org_domain(psl, "co.uk", out) == VOUCH_ENOTFOUND);
    CHECK_STR(out, "");
    CHECK(vouch_psl_org_domain(psl, ".example.com", out) == VOUCH_ENOTFOUND);
    CHECK(vouch_psl_org_domain(psl, "a..example.com", out) == VOUCH_ENOTFOUND);
    CHECK(vouch_psl_org_domain(psl, "", out) == VOUCH_ENOTFOUND);
    CHECK(vouch_psl_org_domain(NULL, "x", out) == VOUCH_EINVAL);
    CHECK(vouch_psl_load(&bad, test_ctx(), "/nonexistent/psl.dat", &err) ==
          VOUCH_EIO);
    CHECK(bad == NULL && strstr(err.msg, "/nonexistent/psl.dat") != NULL);
    vouch_psl_free(NULL);
}

static void
test_dmarc__destination(void)
{
    static const char zone[] =
        "_dmarc.example.com. 300 IN TXT \"v=DMARC1; p=none\"\n"
        "example.com._report._dmarc.reports.example.net. 300 IN TXT "
        "\"v=DMARC1\"\n"
        "example.com._report._dmarc.other.example.org. 300 IN TXT "
        "\"v=spf1\"\n"
        "$FAULT example.com._report._dmarc.slow.example.org. TXT TIMEOUT\n";

    static const struct {
        const char *uri;
        vouch_dmarc_mode_t mode;
        vouch_dmarc_dest_t want;
    } t[] = {
        { "mailto:dmarc@example.com", M9989, VOUCH_DMARC_DEST_SAME_ORG },
        { "mailto:dmarc@mail.example.com!10m", M9989,
          VOUCH_DMARC_DEST_SAME_ORG },
        { "mailto:agg@Reports.Example.NET", M9989,
          VOUCH_DMARC_DEST_AUTHORIZED },
        { "mailto:agg@other.example.org", M9989,
          VOUCH_DMARC_DEST_UNAUTHORIZED },
        { "mailto:agg@nowhere.example.org", M9989,
          VOUCH_DMARC_DEST_UNAUTHORIZED },
        { "mailto:agg@slow.example.org", M9989, VOUCH_DMARC_DEST_TEMPERROR },
        { "https://u:p@reports.example.net:8443/x", M9989,
          VOUCH_DMARC_DEST_AUTHORIZED },
        { "mailto:no-at-sign", M9989, VOUCH_DMARC_DEST_BAD_URI },
        { "https:/nohost", M9989, VOUCH_DMARC_DEST_BAD_URI },
        { "nocolon", M9989, VOUCH_DMARC_DEST_BAD_URI },
        { "mailto:agg@reports.example.net", M7489,
          VOUCH_DMARC_DEST_AUTHORIZED },
        { "mailto:agg@sub.example.com", M7489, VOUCH_DMARC_DEST_SAME_ORG },
    };

    vouch_resolver_t *r = zone_resolver(test_ctx(), zone, sizeof(zone) - 1);
    size_t i;

    REQUIRE(r != NULL);
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        vouch_dmarc_options_t opts = VOUCH_DMARC_OPTIONS_INIT;
        vouch_dmarc_dest_t d = VOUCH_DMARC_DEST_SAME_ORG;

        opts.mode = t[i].mode;
        opts.psl = t[i].mode == M7489 ? test_psl() : NULL;
        CHECKF(vouch_dmarc_check_destination(&d, test_ctx(), r, &opts,
                                             "example.com", t[i].uri,
                                             strlen(t[i].uri), NULL) == 0,
               "%s", t[i].uri);
        CHECKF(d == t[i].want, "%s: %s want %s", t[i].uri,
               vouch_dmarc_dest_name(d), vouch_dmarc_dest_name(t[i].want));
    }
    vouch_resolver_free(r);
}

/* STYLE.md §8: fail allocation N for N = 1.. until the call succeeds. */
static void
test_dmarc__oom_sweep(void)
{
    vouch_ctx_t *ctx = test_oom_ctx();
    const scen_t *s = NULL;
    unsigned long n;
    size_t i;
    int done = 0;

    /* a walk for the From domain and one for a DKIM identifier */
    for (i = 0; i < sizeof(scens) / sizeof(scens[0]); i++) {
        if (strcmp(scens[i].name, "relaxed DKIM, parent signs for subdomain") ==
            0) {
            s = &scens[i];
        }
    }
    REQUIRE(s != NULL);
    for (n = 1; n < 10000 && !done; n++) {
        long live = test_oom_live;
        vouch_dmarc_result_t res;
        vouch_resolver_t *r;
        int rc;

        test_oom_fail_at = 0;
        r = zone_resolver(ctx, zone_main, sizeof(zone_main) - 1);
        REQUIRE(r != NULL);
        test_oom_count = 0;
        test_oom_fail_at = n;
        rc = run_scen(&res, ctx, r, s);
        test_oom_fail_at = 0;
        CHECKF(rc == 0 || rc == VOUCH_ENOMEM, "n=%lu: rc %d", n, rc);
        if (rc == VOUCH_ENOMEM) {
            CHECK(res.result == VOUCH_DMARC_TEMPERROR);
        }
        if (rc == 0 && res.result == VOUCH_DMARC_PASS) {
            done = 1;
        }
        vouch_resolver_free(r);
        CHECKF(test_oom_live == live, "n=%lu: %ld blocks leaked", n,
               test_oom_live - live);
    }
    CHECK(done);
}

static const test_case_t cases[] = {
    TEST(dmarc__record_table),
    TEST(dmarc__record_fields),
    TEST(dmarc__record_limits),
    TEST(dmarc__record_policy),
    TEST(dmarc__names),
    TEST(dmarc__scenarios),
    TEST(dmarc__walk_failure_each_step),
    TEST(dmarc__query_caps),
    TEST(dmarc__bad_args),
    TEST(dmarc__psl),
    TEST(dmarc__destination),
    TEST(dmarc__oom_sweep),
};

TEST_MAIN(cases)
