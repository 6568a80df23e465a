/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the domain audit (vouch/audit.h) over the zone backend:
 * SPF tree counting on tricky trees (nested includes, redirect, loops,
 * void lookups, mx with many names, the limits exactly at 10 and 11),
 * the all term, ptr, several records; MX and null MX, non-mail domains;
 * DKIM key sizes, t=y, revoked keys; DMARC policy, inheritance and
 * external report destinations; DANE TLSA checks; MTA-STS and TLS-RPT
 * records (the policy fetch is off here: tests/integration/check_sts.py
 * runs it against nginx); BIMI records, selector, no_fetch and fetches
 * failing at resolution (tests/integration/check_bimi.py fetches from
 * nginx); SMTP probes that fail before any connection
 * (tests/integration/check_smtp.py runs real ones); DNS faults becoming
 * findings; bad domain names; scores and grade; the zone-file fix writer;
 * an OOM sweep.
 */
#include "harness.h"

#include "../../src/lib/audit/audit_internal.h"

#define RSA512                                                                 \
    "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBANvfyuYLqEjuiwn2VwtDUspklgViYFrsBoI37dzI" \
    "ojcvrVqdqSHA2fk58/wUc01L4LbRIWjZ4ITa8euor9IfXLMCAwEAAQ=="
#define RSA1024                                                                \
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDgAnSThKLJ+KHHVKZ7Wk1S/B2QgA3UAGbE" \
    "DmIjq7knjAwEwb1q2bhI680fDMrewYhpXymILPsAb9I2LKWHYCFEfWwW+ly0E1BnVJd7CoRy" \
    "Fb8Ps9ovMputZuL0dTTwUPseGSLTWJSo7np/8eBMd0cXst/5O4Z10I6y7sWfAq45YQIDAQAB"
#define ED25519 "pehku+q1vUvv+nvmU6fw9iK3++tvwOkl+ZwTCyPl4WU="
#define SHA256HEX                                                              \
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char zone_text[] =
    "$TTL 300\n"
    /* a good domain: everything in place, p=reject */
    "$ORIGIN good.test.\n"
    "@ MX 10 mx\n"
    "@ TXT \"v=spf1 mx include:_spf.good.test -all\"\n"
    "_spf TXT \"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all\"\n"
    "mx A 192.0.2.25\n"
    "_dmarc TXT \"v=DMARC1; p=reject; rua=mailto:d@good.test\"\n"
    "s1._domainkey TXT \"v=DKIM1; k=ed25519; p=" ED25519 "\"\n"
    "_25._tcp.mx TLSA 3 1 1 " SHA256HEX "\n"
    /* nested includes: root 2 terms + a (1 + b (1 + c (2)))  = 6 */
    "$ORIGIN nest.test.\n"
    "@ MX 10 mx.good.test.\n"
    "@ TXT \"v=spf1 a include:a.nest.test -all\"\n"
    "@ A 192.0.2.1\n"
    "a TXT \"v=spf1 include:b.nest.test ~all\"\n"
    "b TXT \"v=spf1 mx:good.test include:c.nest.test ~all\"\n"
    "c TXT \"v=spf1 a:mx.good.test exists:x.good.test ~all\"\n"
    /* redirect: root 1 (redirect) + target 2 = 3 */
    "$ORIGIN redir.test.\n"
    "@ MX 10 mx.good.test.\n"
    "@ TXT \"v=spf1 redirect=_r.redir.test\"\n"
    "_r TXT \"v=spf1 a:mx.good.test mx:good.test -all\"\n"
    /* loops */
    "$ORIGIN loop.test.\n"
    "@ MX 10 mx.good.test.\n"
    "@ TXT \"v=spf1 include:l2.loop.test -all\"\n"
    "l2 TXT \"v=spf1 include:loop.test -all\"\n"
    "$ORIGIN rloop.test.\n"
    "@ MX 10 mx.good.test.\n"
    "@ TXT \"v=spf1 redirect=rloop.test\"\n"
    /* void lookups: three names without addresses */
    "$ORIGIN voids.test.\n"
    "@ MX 10 mx.good.test.\n"
    "@ TXT \"v=spf1 a:nx1.voids.test a:nx2.voids.test mx:nx3.voids.test "
    "-all\"\n"
    "$ORIGIN twovoids.test.\n"
    "@ MX 10 mx.good.test.\n"
    "@ TXT \"v=spf1 a:nx1.voids.test a:nx2.voids.test -all\"\n"
    /* exactly 10 DNS-querying terms over the tree, and 11 */
    "$ORIGIN ten.test.\n"
    "@ MX 10 mx.good.test.\n"
    "@ TXT \"v=spf1 a:h.good.test a:h.good.test a:h.good.test "
    "include:_i.ten.test -all\"\n"
    "_i TXT \"v=spf1 a:h.good.test a:h.good.test a:h.good.test "
    "a:h.good.test a:h.good.test a:h.good.test ~all\"\n"
    "$ORIGIN eleven.test.\n"
    "@ MX 10 mx.good.test.\n"
    "@ TXT \"v=spf1 a:h.good.test a:h.good.test a:h.good.test "
    "include:_i.eleven.test -all\"\n"
    "_i TXT \"v=spf1 a:h.good.test a:h.good.test a:h.good.test "
    "a:h.good.test a:h.good.test a:h.good.test a:h.good.test ~all\"\n"
    "h.good.test. A 192.0.2.9\n"
    /* mx with 11 names */
    "$ORIGIN bigmx.test.\n"
    "@ TXT \"v=spf1 mx -all\"\n"
    "@ MX 1 m1\n@ MX 2 m2\n@ MX 3 m3\n@ MX 4 m4\n@ MX 5 m5\n@ MX 6 m6\n"
    "@ MX 7 m7\n@ MX 8 m8\n@ MX 9 m9\n@ MX 10 m10\n@ MX 11 m11\n"
    "m1 A 192.0.2.1\nm2 A 192.0.2.2\nm3 A 192.0.2.3\nm4 A 192.0.2.4\n"
    "m5 A 192.0.2.5\nm6 A 192.0.2.6\nm7 A 192.0.2.7\nm8 A 192.0.2.8\n"
    "m9 A 192.0.2.9\nm10 A 192.0.2.10\nm11 A 192.0.2.11\n"
    /* all terms, ptr, two records, include of nothing, bad syntax */
    "$ORIGIN plusall.test.\n"
    "@ MX 10 mx.good.test.\n"
    "@ TXT \"v=spf1 +all\"\n"
    "$ORIGIN noall.test.\n"
    "@ MX 10 mx.good.test.\n"
    "@ TXT \"v=spf1 ip4:192.0.2.1 ptr\"\n"
    "$ORIGIN two.test.\n"
    "@ MX 10 mx.good.test.\n"
    "@ TXT \"v=spf1 -all\"\n"
    "@ TXT \"v=spf1 mx -all\"\n"
    "$ORIGIN incnone.test.\n"
    "@ MX 10 mx.good.test.\n"
    "@ TXT \"v=spf1 include:nothing.incnone.test -all\"\n"
    "$ORIGIN badsyntax.test.\n"
    "@ MX 10 mx.good.test.\n"
    "@ TXT \"v=spf1 ip4:192.0.2.300 -all\"\n"
    /* a domain that takes no mail, done right, and done wrong */
    "$ORIGIN parked.test.\n"
    "@ MX 0 .\n"
    "@ TXT \"v=spf1 -all\"\n"
    "_dmarc TXT \"v=DMARC1; p=reject\"\n"
    "$ORIGIN parkedbad.test.\n"
    "@ MX 0 .\n"
    "_dmarc TXT \"v=DMARC1; p=none; rua=mailto:d@parkedbad.test\"\n"
    "$ORIGIN mixednull.test.\n"
    "@ MX 0 .\n"
    "@ MX 10 mx.good.test.\n"
    /* DKIM keys */
    "$ORIGIN keys.test.\n"
    "@ MX 10 mx.good.test.\n"
    "@ TXT \"v=spf1 mx -all\"\n"
    "_dmarc TXT \"v=DMARC1; p=none; rua=mailto:r@reports.example; "
    "ruf=mailto:f@other.example\"\n"
    "small._domainkey TXT \"v=DKIM1; k=rsa; p=" RSA512 "\"\n"
    "weak._domainkey TXT \"v=DKIM1; k=rsa; t=y; p=" RSA1024 "\"\n"
    "gone._domainkey TXT \"v=DKIM1; p=\"\n"
    "junk._domainkey TXT \"v=DKIM1; k=rsa; p=!!!\"\n"
    "google._domainkey TXT \"v=DKIM1; k=ed25519; p=" ED25519 "\"\n"
    "keys.test._report._dmarc.reports.example. TXT \"v=DMARC1\"\n"
    /* DMARC inherited from the organisational domain */
    "$ORIGIN sub.good.test.\n"
    "@ MX 10 mx.good.test.\n"
    "@ TXT \"v=spf1 mx -all\"\n"
    /* DANE: bad TLSA */
    "$ORIGIN dane.test.\n"
    "@ MX 10 mx\n"
    "mx A 192.0.2.25\n"
    "_25._tcp.mx TLSA 3 1 1 abcd\n"
    "_25._tcp.mx TLSA 1 0 1 " SHA256HEX "\n"
    /* DNS faults everywhere */
    "$ORIGIN faulty.test.\n"
    "$FAULT faulty.test. ANY TIMEOUT\n"
    "$FAULT _dmarc.faulty.test. TXT SERVFAIL\n";

/* BIMI records */
static const char bimi_zone_text[] =
    "$ORIGIN bimiok.test.\n"
    "@ MX 10 mx.good.test.\n"
    "_dmarc TXT \"v=DMARC1; p=reject\"\n"
    "default._bimi TXT \"v=BIMI1; l=https://b.test/l.svg\"\n"
    "$ORIGIN bimiweak.test.\n"
    "@ MX 10 mx.good.test.\n"
    "_dmarc TXT \"v=DMARC1; p=none\"\n"
    "default._bimi TXT \"v=BIMI1; l=https://b.test/l.svg\"\n"
    "$ORIGIN bimitwo.test.\n"
    "@ MX 10 mx.good.test.\n"
    "_dmarc TXT \"v=DMARC1; p=reject\"\n"
    "default._bimi TXT \"v=BIMI1; l=https://b.test/l.svg\"\n"
    "default._bimi TXT \"v=BIMI1; l=https://b.test/m.svg\"\n"
    "$ORIGIN bimibad.test.\n"
    "@ MX 10 mx.good.test.\n"
    "_dmarc TXT \"v=DMARC1; p=reject\"\n"
    "default._bimi TXT \"v=BIMI1; l=http://b.test/l.svg\"\n"
    "$ORIGIN bimidecl.test.\n"
    "@ MX 10 mx.good.test.\n"
    "_dmarc TXT \"v=DMARC1; p=reject\"\n"
    "default._bimi TXT \"v=BIMI1; l=; a=\"\n"
    /* l= and a= (hosts without addresses: a fetch fails at resolution,
     * through the zone, before any connection) */
    "$ORIGIN bimifull.test.\n"
    "@ MX 10 mx.good.test.\n"
    "_dmarc TXT \"v=DMARC1; p=quarantine\"\n"
    "default._bimi TXT \"v=BIMI1; l=https://img.bimifull.test/l.svg; "
    "a=https://img.bimifull.test/v.pem\"\n"
    /* only a selector other than default */
    "$ORIGIN bimisel.test.\n"
    "@ MX 10 mx.good.test.\n"
    "_dmarc TXT \"v=DMARC1; p=reject\"\n"
    "brand._bimi TXT \"v=BIMI1; l=https://img.bimisel.test/l.svg\"\n"
    /* a BIMI record beside another v= record (discarded), and only
     * another one */
    "$ORIGIN bimiother.test.\n"
    "@ MX 10 mx.good.test.\n"
    "_dmarc TXT \"v=DMARC1; p=reject\"\n"
    "default._bimi TXT \"v=spf1 -all\"\n"
    "default._bimi TXT \"v=BIMI1; l=https://b.test/l.svg\"\n"
    "$ORIGIN bimispf.test.\n"
    "@ MX 10 mx.good.test.\n"
    "_dmarc TXT \"v=DMARC1; p=reject\"\n"
    "default._bimi TXT \"v=spf1 -all\"\n"
    /* the author domain enforces, its organizational domain does not */
    "$ORIGIN bimiorg.test.\n"
    "_dmarc TXT \"v=DMARC1; p=none\"\n"
    "sub MX 10 mx.good.test.\n"
    "_dmarc.sub TXT \"v=DMARC1; p=reject\"\n"
    "default._bimi.sub TXT \"v=BIMI1; l=https://b.test/l.svg\"\n"
    "$ORIGIN bimiorg2.test.\n"
    "_dmarc TXT \"v=DMARC1; p=quarantine\"\n"
    "sub MX 10 mx.good.test.\n"
    "_dmarc.sub TXT \"v=DMARC1; p=reject\"\n"
    "default._bimi.sub TXT \"v=BIMI1; l=https://b.test/l.svg\"\n"
    "bare MX 10 mx.good.test.\n"
    "_dmarc.bare TXT \"v=DMARC1; p=reject\"\n"
    /* default._bimi.<this> is longer than a DNS name may be */
    "$ORIGIN "
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx."
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx."
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx."
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.bimil.test.\n"
    "@ MX 10 mx.good.test.\n"
    "_dmarc TXT \"v=DMARC1; p=reject\"\n";

/* MTA-STS and TLS-RPT records (a second text: C99 string length) */
static const char sts_zone_text[] =
    "$TTL 300\n"
    "$ORIGIN sts.test.\n"
    "@ MX 10 mx.good.test.\n"
    "_mta-sts TXT \"v=STSv1; id=20240101T000000\"\n"
    "_mta-sts TXT \"v=spf1 -all\"\n"
    "_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:tls@sts.test,"
    "https://reports.example/tls\"\n"
    "$ORIGIN stsmulti.test.\n"
    "@ MX 10 mx.good.test.\n"
    "_mta-sts TXT \"v=STSv1; id=1\"\n"
    "_mta-sts TXT \"v=STSv1; id=2\"\n"
    "_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:a@stsmulti.test\"\n"
    "_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:b@stsmulti.test\"\n"
    "$ORIGIN stsbad.test.\n"
    "@ MX 10 mx.good.test.\n"
    "_mta-sts TXT \"v=STSv1; id=not-valid!\"\n"
    "_smtp._tls TXT \"v=TLSRPTv1; rua=ftp://reports.example/\"\n"
    "$ORIGIN stsonly.test.\n"
    "@ MX 10 mx.good.test.\n"
    "_mta-sts TXT \"v=STSv1; id=abc\"\n"
    "$ORIGIN stsfault.test.\n"
    "@ MX 10 mx.good.test.\n"
    "$FAULT _mta-sts.stsfault.test. TXT SERVFAIL\n"
    "$FAULT _smtp._tls.stsfault.test. TXT TIMEOUT\n"
    /* SMTP probes: MX hosts without address, and one failing */
    "$ORIGIN probe.test.\n"
    "@ MX 10 mx1\n"
    "@ MX 20 mx2\n"
    "$FAULT mx2.probe.test. ANY SERVFAIL\n"
    /* sixteen MX hosts that fail alike: one grouped finding */
    "$ORIGIN probemany.test.\n"
    "@ MX 1 mx01-a-rather-long-mail-exchanger-name\n"
    "@ MX 2 mx02-a-rather-long-mail-exchanger-name\n"
    "@ MX 3 mx03-a-rather-long-mail-exchanger-name\n"
    "@ MX 4 mx04-a-rather-long-mail-exchanger-name\n"
    "@ MX 5 mx05-a-rather-long-mail-exchanger-name\n"
    "@ MX 6 mx06-a-rather-long-mail-exchanger-name\n"
    "@ MX 7 mx07-a-rather-long-mail-exchanger-name\n"
    "@ MX 8 mx08-a-rather-long-mail-exchanger-name\n"
    "@ MX 9 mx09-a-rather-long-mail-exchanger-name\n"
    "@ MX 10 mx10-a-rather-long-mail-exchanger-name\n"
    "@ MX 11 mx11-a-rather-long-mail-exchanger-name\n"
    "@ MX 12 mx12-a-rather-long-mail-exchanger-name\n"
    "@ MX 13 mx13-a-rather-long-mail-exchanger-name\n"
    "@ MX 14 mx14-a-rather-long-mail-exchanger-name\n"
    "@ MX 15 mx15-a-rather-long-mail-exchanger-name\n"
    "@ MX 16 mx16-a-rather-long-mail-exchanger-name\n";

static vouch_resolver_t *
make_resolver(const vouch_ctx_t *ctx)
{
    vouch_zone_t *z = NULL;
    vouch_resolver_t *r = NULL;
    vouch_error_t err;

    if (vouch_zone_new(&z, ctx) != 0) {
        return NULL;
    }
    vouch_error_clear(&err);
    if (vouch_zone_load_text(z, zone_text, sizeof(zone_text) - 1, "test",
                             &err) != 0 ||
        vouch_zone_load_text(z, sts_zone_text, sizeof(sts_zone_text) - 1, "sts",
                             &err) != 0 ||
        vouch_zone_load_text(z, bimi_zone_text, sizeof(bimi_zone_text) - 1,
                             "bimi", &err) != 0) {
        fprintf(stderr, "zone: %s\n", err.msg);
        vouch_zone_free(z);
        return NULL;
    }
    if (vouch_resolver_new_zone(&r, ctx, z) != 0) {
        return NULL;
    }
    return r;
}

/* Audit domain over a fresh resolver of zone_text. */
static vouch_audit_result_t *
audit(const char *domain, const char *const *sel, size_t nsel, bool disc)
{
    vouch_audit_options_t o = VOUCH_AUDIT_OPTIONS_INIT;
    vouch_audit_result_t *res = NULL;
    vouch_resolver_t *shared = make_resolver(test_ctx());
    vouch_error_t err;
    int rc;

    if (shared == NULL) {
        return NULL;
    }
    o.selectors = sel;
    o.nselectors = nsel;
    o.discovery = disc;
    o.no_fetch = true; /* never HTTPS from unit tests */
    vouch_error_clear(&err);
    rc = vouch_audit_run(&res, test_ctx(), shared, &o, domain, strlen(domain),
                         &err);
    if (rc != 0) {
        fprintf(stderr, "  audit %s: %s\n", domain, err.msg);
    }
    vouch_resolver_free(shared);
    return res;
}

static const vouch_audit_finding_t *
find(const vouch_audit_result_t *r, const char *id)
{
    size_t i;

    for (i = 0; i < r->nfindings; i++) {
        if (strcmp(r->finding[i].id, id) == 0) {
            return &r->finding[i];
        }
    }
    return NULL;
}

/* ---- SPF tree counting ----------------------------------------------------
 */

typedef struct tree_case {
    const char *domain;
    unsigned lookups, voids;
    size_t nodes;
    const char *finding;   /* must be there, or NULL */
    const char *absent;    /* must not be there, or NULL */
    vouch_spf_code_t eval; /* the evaluator's verdict from 240.0.0.1 */
} tree_case_t;

static const tree_case_t tree_cases[] = {
    { "good.test", 2, 0, 2, NULL, "spf-too-many-lookups", VOUCH_SPF_FAIL },
    { "nest.test", 7, 1, 4, "spf-void-lookup", "spf-void-lookups",
      VOUCH_SPF_FAIL },
    { "redir.test", 3, 0, 2, NULL, "spf-no-all", VOUCH_SPF_FAIL },
    { "loop.test", 2, 0, 2, "spf-loop", NULL, VOUCH_SPF_PERMERROR },
    { "rloop.test", 1, 0, 1, "spf-loop", NULL, VOUCH_SPF_PERMERROR },
    { "voids.test", 3, 3, 1, "spf-void-lookups", NULL, VOUCH_SPF_PERMERROR },
    { "twovoids.test", 2, 2, 1, "spf-void-lookup", "spf-void-lookups",
      VOUCH_SPF_FAIL },
    { "ten.test", 10, 0, 2, "spf-lookups-near-limit", "spf-too-many-lookups",
      VOUCH_SPF_FAIL },
    { "eleven.test", 11, 0, 2, "spf-too-many-lookups", NULL,
      VOUCH_SPF_PERMERROR },
    { "bigmx.test", 1, 0, 1, "spf-mx-too-many", NULL, VOUCH_SPF_PERMERROR },
    { "plusall.test", 0, 0, 1, "spf-plus-all", NULL, VOUCH_SPF_PASS },
    { "noall.test", 1, 0, 1, "spf-ptr", NULL, VOUCH_SPF_NEUTRAL },
    { "two.test", 0, 0, 1, "spf-multiple", NULL, VOUCH_SPF_PERMERROR },
    { "incnone.test", 1, 0, 2, "spf-include-missing", NULL,
      VOUCH_SPF_PERMERROR },
    { "badsyntax.test", 0, 0, 1, "spf-syntax", NULL, VOUCH_SPF_PERMERROR },
};

static void
test_audit__spf_tree(void)
{
    size_t i;

    for (i = 0; i < VOUCH_ARRAY_LEN(tree_cases); i++) {
        const tree_case_t *c = &tree_cases[i];
        vouch_audit_result_t *r = audit(c->domain, NULL, 0, false);

        CHECKF(r != NULL, "%s: no result", c->domain);
        if (r == NULL) {
            continue;
        }
        CHECKF(r->spf.lookups == c->lookups, "%s: lookups %u, want %u",
               c->domain, r->spf.lookups, c->lookups);
        CHECKF(r->spf.void_lookups == c->voids, "%s: voids %u, want %u",
               c->domain, r->spf.void_lookups, c->voids);
        CHECKF(r->spf.nnodes == c->nodes, "%s: %zu nodes, want %zu", c->domain,
               r->spf.nnodes, c->nodes);
        CHECKF(c->finding == NULL || find(r, c->finding) != NULL,
               "%s: no finding %s", c->domain, c->finding);
        CHECKF(c->absent == NULL || find(r, c->absent) == NULL,
               "%s: unexpected finding %s", c->domain, c->absent);
        CHECKF(r->spf.eval == c->eval, "%s: evaluator %s, want %s", c->domain,
               vouch_spf_code_name(r->spf.eval), vouch_spf_code_name(c->eval));
        vouch_audit_result_free(r);
    }
}

static void
test_audit__spf_branches(void)
{
    vouch_audit_result_t *r = audit("nest.test", NULL, 0, false);

    REQUIRE(r != NULL);
    REQUIRE(r->spf.nnodes == 4);
    /* root: a + include = 2 own, 7 in the branch */
    CHECK(r->spf.node[0].lookups == 2 && r->spf.node[0].tree_lookups == 7);
    CHECK_STR(r->spf.node[1].domain, "a.nest.test");
    CHECK(r->spf.node[1].lookups == 1 && r->spf.node[1].tree_lookups == 5);
    CHECK(r->spf.node[2].lookups == 2 && r->spf.node[2].tree_lookups == 4);
    CHECK(r->spf.node[3].lookups == 2 && r->spf.node[3].parent == 2);
    /* exists:x.good.test is void, counted in c and every branch above */
    CHECK(r->spf.node[3].void_lookups == 1 && r->spf.node[0].tree_void == 1);
    CHECK(r->spf.node[3].depth == 3);
    CHECK_STR(r->spf.node[3].via, "include");
    /* exists cannot be expanded into networks */
    CHECK(r->spf.nets_partial);
    vouch_audit_result_free(r);

    r = audit("redir.test", NULL, 0, false);
    REQUIRE(r != NULL);
    CHECK_STR(r->spf.all, "redirect");
    CHECK_STR(r->spf.node[1].via, "redirect");
    vouch_audit_result_free(r);
}

static void
test_audit__spf_networks(void)
{
    vouch_audit_result_t *r = audit("good.test", NULL, 0, false);
    const vouch_audit_finding_t *f;

    REQUIRE(r != NULL);
    REQUIRE(r->spf.nnets == 3);
    CHECK_STR(r->spf.nets[0], "192.0.2.25"); /* mx expanded */
    CHECK_STR(r->spf.nets[1], "192.0.2.0/24");
    CHECK_STR(r->spf.nets[2], "2001:db8::/32");
    CHECK(!r->spf.nets_partial && !r->spf.nets_truncated);
    vouch_audit_result_free(r);

    /* too many lookups: the fix is the flattened record */
    r = audit("eleven.test", NULL, 0, false);
    REQUIRE(r != NULL);
    f = find(r, "spf-too-many-lookups");
    REQUIRE(f != NULL);
    CHECK_STR(f->fix, "eleven.test. IN TXT \"v=spf1 ip4:192.0.2.9 -all\"");
    vouch_audit_result_free(r);
}

/* ---- MX, non-mail domains --------------------------------------------------
 */

static void
test_audit__mx(void)
{
    vouch_audit_result_t *r = audit("parked.test", NULL, 0, true);
    const vouch_audit_finding_t *f;

    REQUIRE(r != NULL);
    CHECK(r->mx.null_mx);
    CHECK(!r->mx.sends_mail);
    CHECK(r->nfindings == 1); /* dnssec-unsigned only */
    CHECK(r->area[VOUCH_AUDIT_DKIM].status == VOUCH_AUDIT_STATUS_SKIPPED);
    CHECK(r->grade == 'A');
    vouch_audit_result_free(r);

    r = audit("parkedbad.test", NULL, 0, true);
    REQUIRE(r != NULL);
    f = find(r, "dmarc-nomail-not-reject");
    REQUIRE(f != NULL);
    CHECK_STR(f->fix, "_dmarc.parkedbad.test. IN TXT \"v=DMARC1; p=reject; "
                      "rua=mailto:d@parkedbad.test\"");
    f = find(r, "spf-missing-nomail");
    REQUIRE(f != NULL);
    CHECK_STR(f->fix, "parkedbad.test. IN TXT \"v=spf1 -all\"");
    vouch_audit_result_free(r);

    r = audit("mixednull.test", NULL, 0, true);
    REQUIRE(r != NULL);
    CHECK(find(r, "mx-null-mixed") != NULL);
    CHECK(find(r, "spf-missing") != NULL);
    CHECK(find(r, "dmarc-missing") != NULL);
    CHECK(r->score <= 59 && r->grade == 'F'); /* dmarc-missing is critical */
    vouch_audit_result_free(r);
}

/* ---- DKIM ------------------------------------------------------------------
 */

static void
test_audit__dkim(void)
{
    static const char *const sel[] = { "small", "weak", "gone", "junk",
                                       "absent" };
    vouch_audit_result_t *r = audit("keys.test", sel, 5, true);
    const vouch_audit_selector_t *s;

    REQUIRE(r != NULL);
    REQUIRE(r->dkim.n == 6); /* five given + google discovered */
    s = &r->dkim.sel[0];
    CHECK(s->usable && s->key_bits == 512 && strcmp(s->key_type, "rsa") == 0);
    s = &r->dkim.sel[1];
    CHECK(s->usable && s->key_bits == 1024 && s->testing);
    CHECK(r->dkim.sel[2].revoked && !r->dkim.sel[2].usable);
    CHECK(!r->dkim.sel[3].usable && r->dkim.sel[3].error[0] != '\0');
    CHECK(!r->dkim.sel[4].found && r->dkim.sel[4].given);
    CHECK_STR(r->dkim.sel[5].name, "google");
    CHECK(!r->dkim.sel[5].given && r->dkim.sel[5].key_bits == 256);
    CHECK(find(r, "dkim-key-too-small") != NULL);
    CHECK(find(r, "dkim-key-weak") != NULL);
    CHECK(find(r, "dkim-testing") != NULL);
    CHECK(find(r, "dkim-revoked") != NULL);
    CHECK(find(r, "dkim-key-invalid") != NULL);
    CHECK(find(r, "dkim-selector-missing") != NULL);
    vouch_audit_result_free(r);

    /* no selector, no discovery: skipped, not failed */
    r = audit("keys.test", NULL, 0, false);
    REQUIRE(r != NULL);
    CHECK(r->area[VOUCH_AUDIT_DKIM].status == VOUCH_AUDIT_STATUS_SKIPPED);
    CHECK(r->area[VOUCH_AUDIT_DKIM].score == -1);
    vouch_audit_result_free(r);
}

/* ---- DMARC -----------------------------------------------------------------
 */

static void
test_audit__dmarc(void)
{
    vouch_audit_result_t *r = audit("keys.test", NULL, 0, false);
    const vouch_audit_finding_t *f;

    REQUIRE(r != NULL);
    CHECK(r->dmarc.found && r->dmarc.policy == VOUCH_DMARC_P_NONE);
    CHECK(r->dmarc.rua_dest[0] == VOUCH_DMARC_DEST_AUTHORIZED);
    CHECK(r->dmarc.ruf_dest[0] == VOUCH_DMARC_DEST_UNAUTHORIZED);
    f = find(r, "dmarc-report-unauthorized");
    REQUIRE(f != NULL);
    CHECK_STR(f->fix,
              "keys.test._report._dmarc.other.example. IN TXT \"v=DMARC1\"");
    f = find(r, "dmarc-monitor-only");
    REQUIRE(f != NULL);
    CHECK(strstr(f->fix, "p=quarantine; rua=mailto:r@reports.example; "
                         "ruf=mailto:f@other.example") != NULL);
    vouch_audit_result_free(r);

    r = audit("sub.good.test", NULL, 0, false);
    REQUIRE(r != NULL);
    CHECK(r->dmarc.found);
    CHECK_STR(r->dmarc.policy_domain, "good.test");
    CHECK(find(r, "dmarc-inherited") != NULL);
    vouch_audit_result_free(r);

    r = audit("nest.test", NULL, 0, false);
    REQUIRE(r != NULL);
    f = find(r, "dmarc-missing");
    REQUIRE(f != NULL);
    CHECK(f->severity == VOUCH_AUDIT_CRITICAL);
    CHECK_STR(f->fix, "_dmarc.nest.test. IN TXT \"v=DMARC1; p=none; "
                      "rua=mailto:dmarc-reports@nest.test\"");
    vouch_audit_result_free(r);
}

/* ---- DANE, faults, grade ----------------------------------------------------
 */

static void
test_audit__dane(void)
{
    vouch_audit_result_t *r = audit("dane.test", NULL, 0, false);

    REQUIRE(r != NULL);
    REQUIRE(r->mx.n == 1);
    CHECK(r->mx.host[0].tlsa_n == 2 && r->mx.host[0].tlsa_bad == 1);
    CHECK(find(r, "dane-tlsa-bad") != NULL);
    CHECK(find(r, "dane-pkix-usage") != NULL);
    CHECK(find(r, "dane-insecure") != NULL); /* zone answers are insecure */
    CHECK(!r->dnssec.dane);
    vouch_audit_result_free(r);

    r = audit("good.test", NULL, 0, false);
    REQUIRE(r != NULL);
    CHECK(r->mx.host[0].tlsa_n == 1 && r->mx.host[0].tlsa_bad == 0);
    CHECK(find(r, "dane-tlsa-bad") == NULL);
    vouch_audit_result_free(r);
}

static void
test_audit__faults(void)
{
    vouch_audit_result_t *r = audit("faulty.test", NULL, 0, true);

    REQUIRE(r != NULL);
    CHECK(find(r, "mx-dns-error") != NULL);
    CHECK(find(r, "spf-dns-error") != NULL);
    CHECK(find(r, "dmarc-dns-error") != NULL);
    CHECK(r->mx.status == VOUCH_DNS_TIMEOUT);
    vouch_audit_result_free(r);
}

static void
test_audit__bimi_record(void)
{
    static const struct {
        const char *domain, *id;
    } cases[] = {
        { "bimiweak.test", "bimi-dmarc-not-enforced" },
        { "bimitwo.test", "bimi-multiple" },
        { "bimibad.test", "bimi-syntax" },
        { "bimidecl.test", "bimi-declined" },
        { "bimispf.test", "bimi-none" },
    };

    vouch_audit_result_t *r = audit("bimiok.test", NULL, 0, true);
    size_t i;

    REQUIRE(r != NULL);
    CHECK(r->area[VOUCH_AUDIT_BIMI].status != VOUCH_AUDIT_STATUS_SKIPPED);
    CHECK(find(r, "bimi-none") == NULL);
    CHECK(find(r, "bimi-dmarc-not-enforced") == NULL);
    CHECK(find(r, "bimi-syntax") == NULL);
    vouch_audit_result_free(r);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        r = audit(cases[i].domain, NULL, 0, true);
        REQUIRE(r != NULL);
        CHECKF(find(r, cases[i].id) != NULL, "%s", cases[i].domain);
        vouch_audit_result_free(r);
    }
}

/* Other v= records at the BIMI name are not BIMI records (draft §7.2). */
static void
check_other_records(vouch_audit_result_t *r)
{
    CHECK(r->bimi.nrecords == 1 && r->bimi.record_ok);
    CHECK(find(r, "bimi-multiple") == NULL);
    CHECK(find(r, "bimi-syntax") == NULL);
    CHECK(strncmp(r->bimi.record, "v=BIMI1", 7) == 0);
}

/* BIMI needs the organizational domain's policy to enforce too (draft
 * §7.1), not only the author domain's own record. */
static void
test_audit__bimi_org_dmarc(void)
{
    const vouch_audit_finding_t *f;
    vouch_audit_result_t *r = audit("sub.bimiorg.test", NULL, 0, true);

    REQUIRE(r != NULL);
    CHECK_STR(r->dmarc.policy_domain, "sub.bimiorg.test");
    CHECK_STR(r->dmarc.org_domain, "bimiorg.test");
    CHECK(!r->bimi.dmarc_enforces);
    f = find(r, "bimi-dmarc-not-enforced");
    CHECKF(f != NULL && strstr(f->explanation, "bimiorg.test publishes "
                                               "p=none") != NULL,
           "%s", f ? f->explanation : "no finding");
    vouch_audit_result_free(r);
    r = audit("sub.bimiorg2.test", NULL, 0, true);
    REQUIRE(r != NULL);
    CHECK(r->bimi.dmarc_enforces);
    CHECK(find(r, "bimi-dmarc-not-enforced") == NULL);
    vouch_audit_result_free(r);
    /* no record at a subdomain: receivers fall back, the audit says it
     * did not look */
    r = audit("bare.bimiorg2.test", NULL, 0, true);
    REQUIRE(r != NULL);
    f = find(r, "bimi-none");
    CHECKF(f != NULL && strstr(f->explanation,
                               "organizational domain bimiorg2.test, which "
                               "this audit does not check") != NULL,
           "%s", f ? f->explanation : "no finding");
    vouch_audit_result_free(r);
    r = audit("bimiother.test", NULL, 0, true);
    REQUIRE(r != NULL);
    check_other_records(r);
    vouch_audit_result_free(r);
}

/* A BIMI name over 253 bytes: the area says it was not checked, never
 * "no record". */
static void
test_audit__bimi_long_name(void)
{
    vouch_audit_result_t *r = audit(
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx."
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx."
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx."
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.bimil.test",
        NULL, 0, true);

    REQUIRE(r != NULL);
    CHECK(r->area[VOUCH_AUDIT_BIMI].status == VOUCH_AUDIT_STATUS_SKIPPED);
    CHECK(strstr(r->area[VOUCH_AUDIT_BIMI].note, "not checked") != NULL);
    CHECK(find(r, "bimi-none") == NULL);
    vouch_audit_result_free(r);
}

/* Audit domain with o (fresh resolver); NULL when the run fails, its
 * code in *rc. */
static vouch_audit_result_t *
audit_with(const char *domain, const vouch_audit_options_t *o, int *rc)
{
    vouch_audit_result_t *res = NULL;
    vouch_resolver_t *shared = make_resolver(test_ctx());

    if (shared == NULL) {
        *rc = VOUCH_ENOMEM;
        return NULL;
    }
    *rc = vouch_audit_run(&res, test_ctx(), shared, o, domain, strlen(domain),
                          NULL);
    vouch_resolver_free(shared);
    return res;
}

/* no_fetch: the record only, said in a finding; the URLs are kept. */
static void
test_audit__bimi_no_fetch(void)
{
    vouch_audit_options_t o = VOUCH_AUDIT_OPTIONS_INIT;
    vouch_audit_result_t *r;
    const vouch_audit_finding_t *f;
    int rc;

    o.no_fetch = true;
    r = audit_with("bimifull.test", &o, &rc);
    REQUIRE(r != NULL);
    CHECK_STR(r->bimi.selector, "default");
    CHECK(r->bimi.record_ok && r->bimi.dmarc_enforces && r->bimi.nrecords == 1);
    CHECK_STR(r->bimi.logo.url, "https://img.bimifull.test/l.svg");
    CHECK_STR(r->bimi.vmc.url, "https://img.bimifull.test/v.pem");
    CHECK(r->bimi.logo.fetch == VOUCH_AUDIT_FETCH_NOT_FETCHED);
    CHECK(r->bimi.vmc.fetch == VOUCH_AUDIT_FETCH_NOT_FETCHED);
    CHECK(!r->bimi.logo_checked && !r->bimi.vmc_checked);
    f = find(r, "bimi-not-fetched");
    CHECK(f != NULL && f->severity == VOUCH_AUDIT_INFO &&
          strstr(f->explanation, "only the record") != NULL);
    CHECK(find(r, "bimi-no-vmc") == NULL);
    CHECK(r->area[VOUCH_AUDIT_BIMI].status == VOUCH_AUDIT_STATUS_OK);
    vouch_audit_result_free(r);

    /* no a=: a note that Gmail and Apple need a mark certificate */
    r = audit_with("bimiok.test", &o, &rc);
    REQUIRE(r != NULL);
    f = find(r, "bimi-no-vmc");
    CHECK(f != NULL && f->severity == VOUCH_AUDIT_INFO &&
          strstr(f->explanation, "Gmail") != NULL);
    CHECK(r->bimi.vmc.fetch == VOUCH_AUDIT_FETCH_NONE &&
          r->bimi.vmc.url[0] == '\0');
    CHECK(r->bimi.logo.fetch == VOUCH_AUDIT_FETCH_NOT_FETCHED);
    vouch_audit_result_free(r);

    /* fetching: hosts the zone does not know fail at resolution, through
     * the audit's resolver (never the system's), each a finding */
    o.no_fetch = false;
    r = audit_with("bimifull.test", &o, &rc);
    REQUIRE(r != NULL);
    CHECK(r->bimi.logo.fetch == VOUCH_AUDIT_FETCH_NETWORK);
    CHECK(r->bimi.vmc.fetch == VOUCH_AUDIT_FETCH_NETWORK);
    CHECK(strstr(r->bimi.logo.reason, "img.bimifull.test") != NULL);
    f = find(r, "bimi-logo-fetch-network");
    CHECK(f != NULL && f->severity == VOUCH_AUDIT_ERROR);
    CHECK(find(r, "bimi-vmc-fetch-network") != NULL);
    CHECK(find(r, "bimi-not-fetched") == NULL);
    CHECK(r->area[VOUCH_AUDIT_BIMI].status == VOUCH_AUDIT_STATUS_FAIL);
    vouch_audit_result_free(r);

    /* a domain with 300 ms in all: the zone answers in far less, but no
     * fetch starts with under 500 ms left */
    o.timeout_ms = 300;
    r = audit_with("bimifull.test", &o, &rc);
    REQUIRE(r != NULL);
    CHECK(find(r, "dns-budget") == NULL);
    CHECK(r->bimi.logo.fetch == VOUCH_AUDIT_FETCH_NOT_FETCHED);
    CHECK(r->bimi.vmc.fetch == VOUCH_AUDIT_FETCH_NOT_FETCHED);
    f = find(r, "bimi-not-fetched");
    CHECK(f != NULL && f->severity == VOUCH_AUDIT_WARNING &&
          strstr(f->explanation, "time limit") != NULL);
    CHECK(strstr(r->bimi.logo.reason, "time limit") != NULL);
    vouch_audit_result_free(r);
}

/* bimi_selector: another record name; validated as a DNS label. */
static void
test_audit__bimi_selector(void)
{
    static const char *const bad[] = { "", "a..b", ".a", "a b", "x/y", "a\n" };
    vouch_audit_options_t o = VOUCH_AUDIT_OPTIONS_INIT;
    vouch_audit_result_t *r;
    char longsel[80];
    size_t i;
    int rc;

    o.no_fetch = true;
    r = audit_with("bimisel.test", &o, &rc);
    REQUIRE(r != NULL);
    CHECK(find(r, "bimi-none") != NULL && r->bimi.nrecords == 0);
    vouch_audit_result_free(r);
    o.bimi_selector = "brand";
    r = audit_with("bimisel.test", &o, &rc);
    REQUIRE(r != NULL);
    CHECK_STR(r->bimi.selector, "brand");
    CHECK(r->bimi.nrecords == 1 && r->bimi.record_ok);
    CHECK_STR(r->bimi.record, "v=BIMI1; l=https://img.bimisel.test/l.svg");
    CHECK(find(r, "bimi-none") == NULL);
    vouch_audit_result_free(r);
    for (i = 0; i < VOUCH_ARRAY_LEN(bad); i++) {
        o.bimi_selector = bad[i];
        r = audit_with("bimisel.test", &o, &rc);
        CHECKF(rc == VOUCH_EINVAL && r == NULL, "selector %zu accepted", i);
    }
    memset(longsel, 'a', VOUCH_AUDIT_SELECTOR_LEN + 1);
    longsel[VOUCH_AUDIT_SELECTOR_LEN + 1] = '\0';
    o.bimi_selector = longsel;
    r = audit_with("bimisel.test", &o, &rc);
    CHECK(rc == VOUCH_EINVAL && r == NULL);
    longsel[VOUCH_AUDIT_SELECTOR_LEN] = '\0';
    r = audit_with("bimisel.test", &o, &rc);
    CHECK(rc == 0 && r != NULL && find(r, "bimi-none") != NULL);
    vouch_audit_result_free(r);
}

/* BIMI plan steps only once DMARC enforces. */
static void
test_audit__bimi_plan(void)
{
    vouch_audit_result_t *r = audit("bimiweak.test", NULL, 0, false);
    size_t i;

    REQUIRE(r != NULL);
    CHECK(find(r, "bimi-dmarc-not-enforced") != NULL);
    CHECK(!r->bimi.dmarc_enforces);
    for (i = 0; i < r->nsteps; i++) {
        CHECKF(r->step[i].area != VOUCH_AUDIT_BIMI, "BIMI step %zu", i);
    }
    vouch_audit_result_free(r);
    r = audit("bimiok.test", NULL, 0, false);
    REQUIRE(r != NULL && r->nsteps > 0);
    CHECK(r->step[r->nsteps - 1].area == VOUCH_AUDIT_BIMI);
    CHECK(strstr(r->step[r->nsteps - 1].text, "Gmail") != NULL);
    vouch_audit_result_free(r);
}

static void
test_audit__grade(void)
{
    static const char *const sel[] = { "s1" };
    vouch_audit_result_t *r = audit("good.test", sel, 1, false);

    REQUIRE(r != NULL);
    /* dnssec-unsigned and dane-insecure (55 off a weight of 5), no
     * MTA-STS (15 off 5), no TLS-RPT (info): (10+25+20+30)*100 + 5*85 +
     * 5*100 + 5*45 over 100 = 96.5 -> 97 */
    CHECK(r->nfindings == 5);
    CHECK(find(r, "bimi-none") != NULL);
    CHECK(find(r, "dane-insecure") != NULL);
    CHECK(find(r, "mtasts-none") != NULL);
    CHECK(find(r, "tlsrpt-none") != NULL);
    CHECK(r->area[VOUCH_AUDIT_DNSSEC].score == 45);
    CHECK(r->area[VOUCH_AUDIT_MTASTS].score == 85);
    CHECK(r->area[VOUCH_AUDIT_TLSRPT].score == 100);
    CHECKF(r->score == 97, "score %d", r->score);
    CHECK(r->grade == 'A');
    CHECK(r->area[VOUCH_AUDIT_BIMI].status == VOUCH_AUDIT_STATUS_OK);
    /* enforcing DMARC: TLS-RPT, then MTA-STS testing, then BIMI with the
     * record to publish */
    REQUIRE(r->nsteps == 3);
    CHECK(strstr(r->step[2].record, "default._bimi.good.test. IN TXT "
                                    "\"v=BIMI1; l=https://") != NULL);
    CHECK(r->step[0].area == VOUCH_AUDIT_TLSRPT);
    CHECK(r->step[1].area == VOUCH_AUDIT_MTASTS);
    CHECK(strstr(r->step[1].record, "mode: testing") != NULL);
    CHECK(r->step[r->nsteps - 1].area == VOUCH_AUDIT_BIMI);
    vouch_audit_result_free(r);
}

static void
test_audit__plan_order(void)
{
    vouch_audit_result_t *r = audit("mixednull.test", NULL, 0, false);
    size_t i;
    int last = -1;
    static const int rank[VOUCH_AUDIT_AREAS] = { 3, 0, 1, 2, 5, 5, 6, 4 };

    REQUIRE(r != NULL);
    REQUIRE(r->nsteps >= 3);
    CHECK(r->step[0].area == VOUCH_AUDIT_SPF);
    for (i = 0; i < r->nsteps; i++) {
        CHECK(r->step[i].order == i + 1);
        CHECKF(rank[r->step[i].area] >= last, "step %zu out of order", i);
        last = rank[r->step[i].area];
    }
    vouch_audit_result_free(r);
}

/* ---- MTA-STS and TLS-RPT --------------------------------------------------
 */

/* 14 digits: a fresh id from the clock, YYYYMMDDhhmmss */
static bool
fresh_id_in(const char *fix, const char *owner)
{
    const char *p = strstr(fix, owner);
    size_t i;

    if (p == NULL || (p = strstr(p, "\"v=STSv1; id=")) == NULL) {
        return false;
    }
    p += 13;
    for (i = 0; i < 14; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return false;
        }
    }
    return p[14] == '"';
}

static void
test_audit__mtasts_records(void)
{
    vouch_audit_result_t *r;
    const vouch_audit_finding_t *f;

    /* no record: the fix is the record and a testing policy for the MX */
    r = audit("good.test", NULL, 0, false);
    REQUIRE(r != NULL);
    f = find(r, "mtasts-none");
    REQUIRE(f != NULL);
    CHECK(f->severity == VOUCH_AUDIT_WARNING);
    CHECK(fresh_id_in(f->fix, "_mta-sts.good.test. IN TXT "));
    CHECK(strstr(f->fix, "https://mta-sts.good.test/.well-known/mta-sts.txt") !=
          NULL);
    CHECK(strstr(f->fix, "\nversion: STSv1\nmode: testing\nmax_age: "
                         "604800\nmx: mx.good.test") != NULL);
    CHECK(r->mtasts.nrecords == 0 && !r->mtasts.record_ok);
    CHECK(r->mtasts.dns == VOUCH_DNS_NXDOMAIN);
    /* no MTA-STS nor DANE: TLS-RPT is advice only */
    f = find(r, "tlsrpt-none");
    REQUIRE(f != NULL);
    CHECK(f->severity == VOUCH_AUDIT_INFO);
    CHECK_STR(f->fix, "_smtp._tls.good.test. IN TXT \"v=TLSRPTv1; "
                      "rua=mailto:tls-reports@good.test\"");
    vouch_audit_result_free(r);

    /* one record (other TXT discarded), not fetched; TLS-RPT valid */
    r = audit("sts.test", NULL, 0, false);
    REQUIRE(r != NULL);
    CHECK(r->mtasts.nrecords == 1 && r->mtasts.record_ok);
    CHECK_STR(r->mtasts.id, "20240101T000000");
    CHECK_STR(r->mtasts.record, "v=STSv1; id=20240101T000000");
    CHECK(!r->mtasts.fetched && !r->mtasts.have_policy);
    CHECK(find(r, "mtasts-not-fetched") != NULL);
    CHECK(find(r, "mtasts-none") == NULL);
    CHECK(r->area[VOUCH_AUDIT_MTASTS].status == VOUCH_AUDIT_STATUS_OK);
    CHECK(r->tlsrpt.valid && r->tlsrpt.nrecords == 1);
    REQUIRE(r->tlsrpt.nrua == 2);
    CHECK_STR(r->tlsrpt.rua[0], "mailto:tls@sts.test");
    CHECK_STR(r->tlsrpt.rua[1], "https://reports.example/tls");
    CHECK(find(r, "tlsrpt-none") == NULL);
    CHECK(r->area[VOUCH_AUDIT_TLSRPT].status == VOUCH_AUDIT_STATUS_OK);
    CHECK(r->area[VOUCH_AUDIT_TLSRPT].score == 100);
    vouch_audit_result_free(r);

    /* several records of each */
    r = audit("stsmulti.test", NULL, 0, false);
    REQUIRE(r != NULL);
    CHECK(r->mtasts.nrecords == 2 && !r->mtasts.record_ok);
    f = find(r, "mtasts-multiple");
    REQUIRE(f != NULL);
    CHECK(f->severity == VOUCH_AUDIT_ERROR);
    CHECK(fresh_id_in(f->fix, "_mta-sts.stsmulti.test. IN TXT "));
    CHECK(find(r, "mtasts-not-fetched") == NULL);
    CHECK(r->tlsrpt.nrecords == 2 && !r->tlsrpt.valid);
    CHECK(find(r, "tlsrpt-multiple") != NULL);
    CHECK(r->area[VOUCH_AUDIT_MTASTS].status == VOUCH_AUDIT_STATUS_FAIL);
    CHECK(r->area[VOUCH_AUDIT_MTASTS].score == 60);
    CHECK(r->area[VOUCH_AUDIT_TLSRPT].status == VOUCH_AUDIT_STATUS_FAIL);
    vouch_audit_result_free(r);

    /* syntax: a bad id, a rua that is neither mailto: nor https: */
    r = audit("stsbad.test", NULL, 0, false);
    REQUIRE(r != NULL);
    f = find(r, "mtasts-record-syntax");
    REQUIRE(f != NULL);
    CHECK(strstr(f->explanation, "at byte ") != NULL);
    CHECK(!r->mtasts.record_ok && r->mtasts.id[0] == '\0');
    CHECK_STR(r->mtasts.record, "v=STSv1; id=not-valid!");
    f = find(r, "tlsrpt-syntax");
    REQUIRE(f != NULL);
    CHECK(f->fix[0] != '\0');
    CHECK(!r->tlsrpt.valid && r->tlsrpt.error[0] != '\0');
    CHECK(r->tlsrpt.nrua == 0);
    vouch_audit_result_free(r);

    /* MTA-STS without TLS-RPT: a warning, planned before MTA-STS */
    r = audit("stsonly.test", NULL, 0, false);
    REQUIRE(r != NULL);
    f = find(r, "tlsrpt-none");
    REQUIRE(f != NULL);
    CHECK(f->severity == VOUCH_AUDIT_WARNING);
    CHECK(strstr(f->explanation, "MTA-STS") != NULL);
    vouch_audit_result_free(r);

    /* DNS failures are findings */
    r = audit("stsfault.test", NULL, 0, false);
    REQUIRE(r != NULL);
    CHECK(find(r, "mtasts-dns-error") != NULL);
    CHECK(find(r, "tlsrpt-dns-error") != NULL);
    CHECK(find(r, "tlsrpt-none") == NULL);
    CHECK(r->mtasts.dns == VOUCH_DNS_SERVFAIL);
    vouch_audit_result_free(r);

    /* a domain that takes no mail: both areas skipped */
    r = audit("parked.test", NULL, 0, false);
    REQUIRE(r != NULL);
    CHECK(r->area[VOUCH_AUDIT_MTASTS].status == VOUCH_AUDIT_STATUS_SKIPPED);
    CHECK(r->area[VOUCH_AUDIT_TLSRPT].status == VOUCH_AUDIT_STATUS_SKIPPED);
    CHECK(strstr(r->area[VOUCH_AUDIT_MTASTS].note, "null MX") != NULL);
    CHECK(r->area[VOUCH_AUDIT_MTASTS].score == -1);
    vouch_audit_result_free(r);
}

static int64_t
pinned_clock(void *payload)
{
    (void)payload;
    return INT64_C(1772334245); /* 2026-03-01 03:04:05 UTC */
}

/* the fresh id is the UTC time of the context's clock */
static void
test_audit__mtasts_fresh_id(void)
{
    vouch_audit_options_t o = VOUCH_AUDIT_OPTIONS_INIT;
    vouch_audit_result_t *r = NULL;
    vouch_resolver_t *res;
    vouch_ctx_t *ctx = NULL;
    const vouch_audit_finding_t *f;
    static const char want[] =
        "_mta-sts.good.test. IN TXT \"v=STSv1; id=20260301030405\"\n";

    REQUIRE(vouch_ctx_new(&ctx, NULL) == 0);
    vouch_ctx_set_clock(ctx, pinned_clock, NULL);
    res = make_resolver(ctx);
    REQUIRE(res != NULL);
    o.no_fetch = true;
    REQUIRE(vouch_audit_run(&r, ctx, res, &o, "good.test", 9, NULL) == 0);
    f = find(r, "mtasts-none");
    REQUIRE(f != NULL);
    CHECKF(strncmp(f->fix, want, sizeof(want) - 1) == 0, "fix %s", f->fix);
    vouch_audit_result_free(r);
    vouch_resolver_free(res);
    vouch_ctx_free(ctx);
}

/* connect-to mappings are checked before anything is looked up */
static void
test_audit__https_options(void)
{
    static const char *const good[] = { "::127.0.0.1:8443",
                                        "mta-sts.a.test:443:[::1]:8443" };
    static const char *const bad[] = { "127.0.0.1:8443" };
    static const char *const ctl[] = { "::127.0.0.1:84\n43" };
    const char *many[VOUCH_AUDIT_CONNECT_TO_MAX + 1];
    vouch_audit_options_t o = VOUCH_AUDIT_OPTIONS_INIT;
    vouch_resolver_t *shared = make_resolver(test_ctx());
    vouch_audit_result_t *r = NULL;
    vouch_error_t err;
    size_t i;

    REQUIRE(shared != NULL);
    o.no_fetch = true;
    o.https_connect_to = good;
    o.nconnect_to = 2;
    CHECK(vouch_audit_run(&r, test_ctx(), shared, &o, "sts.test", 8, &err) ==
          0);
    vouch_audit_result_free(r);
    o.https_connect_to = bad;
    o.nconnect_to = 1;
    CHECK(vouch_audit_run(&r, test_ctx(), shared, &o, "sts.test", 8, &err) ==
              VOUCH_EINVAL &&
          r == NULL);
    o.https_connect_to = ctl;
    CHECK(vouch_audit_run(&r, test_ctx(), shared, &o, "sts.test", 8, &err) ==
          VOUCH_EINVAL);
    for (i = 0; i < VOUCH_ARRAY_LEN(many); i++) {
        many[i] = good[0];
    }
    o.https_connect_to = many;
    o.nconnect_to = VOUCH_ARRAY_LEN(many);
    CHECK(vouch_audit_run(&r, test_ctx(), shared, &o, "sts.test", 8, &err) ==
          VOUCH_EINVAL);
    o.https_connect_to = NULL;
    o.nconnect_to = 1;
    CHECK(vouch_audit_run(&r, test_ctx(), shared, &o, "sts.test", 8, &err) ==
          VOUCH_EINVAL);
    /* the probes' EHLO name must be a DNS name */
    o.nconnect_to = 0;
    o.smtp_ehlo = "probe/../x";
    CHECK(vouch_audit_run(&r, test_ctx(), shared, &o, "sts.test", 8, &err) ==
              VOUCH_EINVAL &&
          r == NULL);
    o.smtp_ehlo = "probe.vouch.test";
    CHECK(vouch_audit_run(&r, test_ctx(), shared, &o, "sts.test", 8, &err) ==
          0);
    vouch_audit_result_free(r);
    vouch_resolver_free(shared);
}

/* ---- bad input ----------------------------------------------------------- */

static void
test_audit__bad_domains(void)
{
    static const char *const bad[] = {
        "192.0.2.1", "[192.0.2.1]", "a..b.test", ".", "", "-a.test", "a b.test",
    };
    char longname[300];
    vouch_audit_result_t *r;
    vouch_error_t err;
    vouch_resolver_t *shared = make_resolver(test_ctx());
    size_t i;
    int rc;

    REQUIRE(shared != NULL);
    for (i = 0; i < VOUCH_ARRAY_LEN(bad); i++) {
        r = (vouch_audit_result_t *)1;
        rc = vouch_audit_run(&r, test_ctx(), shared, NULL, bad[i],
                             strlen(bad[i]), &err);
        CHECKF(rc == VOUCH_ESYNTAX && r == NULL, "'%s': rc %d", bad[i], rc);
    }
    memset(longname, 'a', sizeof(longname));
    for (i = 60; i < sizeof(longname); i += 61) {
        longname[i] = '.';
    }
    rc = vouch_audit_run(&r, test_ctx(), shared, NULL, longname,
                         sizeof(longname), &err);
    CHECK(rc == VOUCH_ESYNTAX && r == NULL);
    /* U-labels become A-labels */
    rc = vouch_audit_run(&r, test_ctx(), shared, NULL,
                         "b\xc3\xbc"
                         "cher.test",
                         12, &err);
    REQUIRE(rc == 0);
    CHECK_STR(r->domain, "xn--bcher-kva.test");
    CHECK(find(r, "domain-nxdomain") != NULL);
    vouch_audit_result_free(r);
    {
        static const char *const badsel[] = { "a..b" };
        vouch_audit_options_t o = VOUCH_AUDIT_OPTIONS_INIT;

        o.selectors = badsel;
        o.nselectors = 1;
        rc = vouch_audit_run(&r, test_ctx(), shared, &o, "good.test", 9, &err);
        CHECK(rc == VOUCH_EINVAL && r == NULL);
    }
    vouch_resolver_free(shared);
}

static void
test_audit__txt_fix(void)
{
    char out[700], value[300];

    CHECK(vouch__audit_txt_fix(out, sizeof(out), "a.test", "v=spf1 -all"));
    CHECK_STR(out, "a.test. IN TXT \"v=spf1 -all\"");
    CHECK(vouch__audit_txt_fix(out, sizeof(out), "a.test", "x\"y"));
    CHECK_STR(out, "a.test. IN TXT \"x\\\"y\"");
    memset(value, 'v', sizeof(value) - 1);
    value[sizeof(value) - 1] = '\0';
    REQUIRE(vouch__audit_txt_fix(out, sizeof(out), "a.test", value));
    CHECK(strncmp(out, "a.test. IN TXT ( \"", 18) == 0);
    CHECK(out[18 + 255] == '"' && out[18 + 256] == ' ');
    CHECK(strcmp(out + strlen(out) - 3, "\" )") == 0);
    CHECK(!vouch__audit_txt_fix(out, 40, "a.test", value));
    CHECK_STR(out, "");
}

/* Audit domain with allocation n failing, for n = 1, 2, ... until a run
 * completes and reached(result) says the whole path was walked: each run
 * gives ENOMEM or a result, and leaks nothing. */
static void
oom_sweep(const vouch_audit_options_t *o, const char *domain,
          bool (*reached)(const vouch_audit_result_t *res))
{
    vouch_ctx_t *ctx = test_oom_ctx();
    unsigned long n;
    int done = 0;

    for (n = 1; n < 4000 && !done; n++) {
        long live = test_oom_live;
        vouch_resolver_t *r;
        vouch_audit_result_t *res = NULL;
        int rc;

        test_oom_fail_at = 0;
        r = make_resolver(ctx);
        REQUIRE(r != NULL);
        test_oom_count = 0;
        test_oom_fail_at = n;
        rc = vouch_audit_run(&res, ctx, r, o, domain, strlen(domain), NULL);
        test_oom_fail_at = 0;
        CHECKF(rc == 0 || rc == VOUCH_ENOMEM, "n=%lu: rc %d", n, rc);
        CHECKF((rc == 0) == (res != NULL), "n=%lu: result and rc disagree", n);
        if (rc == 0 && reached(res)) {
            done = 1;
        }
        vouch_audit_result_free(res);
        vouch_resolver_free(r);
        CHECKF(test_oom_live == live, "n=%lu: %ld blocks leaked", n,
               test_oom_live - live);
    }
    CHECKF(done, "%s: no run reached the end", domain);
}

static bool
keys_reached(const vouch_audit_result_t *res)
{
    return find(res, "dkim-key-too-small") != NULL && res->dmarc.found &&
           res->spf.lookups == 1;
}

static void
test_audit__oom_sweep(void)
{
    static const char *const sel[] = { "small" };
    vouch_audit_options_t o = VOUCH_AUDIT_OPTIONS_INIT;

    o.no_fetch = true;
    o.selectors = sel;
    o.nselectors = 1;
    oom_sweep(&o, "keys.test", keys_reached);
}

/* Sixteen MX hosts failing alike give one finding: as many names as fit
 * the explanation, the others counted, never cut; each probe kept. */
static void
smtp_probe_grouped(vouch_resolver_t *shared)
{
    vouch_audit_options_t o = VOUCH_AUDIT_OPTIONS_INIT;
    vouch_audit_result_t *r = NULL;
    const vouch_audit_finding_t *f;
    const char *more, *end = "run the probe from a mail server)";
    char host[80];
    size_t i, n = 0, named = 0, len;

    o.no_fetch = true;
    o.discovery = false;
    o.smtp_probe = true;
    REQUIRE(vouch_audit_run(&r, test_ctx(), shared, &o, "probemany.test", 14,
                            NULL) == 0);
    REQUIRE(r->mtasts.nprobes == 16);
    for (i = 0; i < r->mtasts.nprobes; i++) {
        const vouch_audit_smtp_probe_t *p = &r->mtasts.probe[i];

        (void)snprintf(host, sizeof(host),
                       "mx%02zu-a-rather-long-mail-exchanger-name."
                       "probemany.test",
                       i + 1);
        CHECKF(p->probed && p->r.failure == VOUCH_HTTP_F_RESOLVE &&
                   strcmp(p->host, host) == 0,
               "probe %zu: %s", i, p->host);
    }
    for (i = 0; i < r->nfindings; i++) {
        n += strncmp(r->finding[i].id, "smtp-", 5) == 0;
    }
    CHECK(n == 1);
    f = find(r, "smtp-probe-failed");
    REQUIRE(f != NULL);
    len = strlen(f->explanation);
    CHECKF(len < sizeof(f->explanation) - 1 && len > strlen(end) &&
               strcmp(f->explanation + len - strlen(end), end) == 0,
           "%zu: %s", len, f->explanation);
    for (i = 0; i < 16; i++) {
        (void)snprintf(host, sizeof(host), "mx%02zu-a-rather", i + 1);
        named += strstr(f->explanation, host) != NULL;
    }
    more = strstr(f->explanation, " and ");
    CHECKF(named >= 1 && named < 16 && more != NULL &&
               strtoul(more + 5, NULL, 10) == 16 - named &&
               strncmp(f->explanation, "could not probe MX hosts mx01-", 30) ==
                   0,
           "%zu named: %s", named, f->explanation);
    vouch_audit_result_free(r);
}

/* Probes of MX hosts that do not resolve: results and findings, never a
 * connection (the names resolve through the zone only); the same failure
 * on many hosts (smtp_probe_grouped). */
static void
test_audit__smtp_probe(void)
{
    vouch_audit_options_t o = VOUCH_AUDIT_OPTIONS_INIT;
    vouch_resolver_t *shared = make_resolver(test_ctx());
    vouch_audit_result_t *r = NULL;
    const vouch_audit_mtasts_t *st;
    size_t i, nfailed = 0;

    REQUIRE(shared != NULL);
    o.no_fetch = true;
    o.discovery = false;
    REQUIRE(vouch_audit_run(&r, test_ctx(), shared, &o, "probe.test", 10,
                            NULL) == 0);
    CHECK(r->mtasts.nprobes == 0 && find(r, "smtp-probe-failed") == NULL);
    vouch_audit_result_free(r);

    o.smtp_probe = true;
    REQUIRE(vouch_audit_run(&r, test_ctx(), shared, &o, "probe.test", 10,
                            NULL) == 0);
    st = &r->mtasts;
    REQUIRE(st->nprobes == 2);
    CHECK(strcmp(st->probe[0].host, "mx1.probe.test") == 0 &&
          strcmp(st->probe[1].host, "mx2.probe.test") == 0);
    for (i = 0; i < st->nprobes; i++) {
        const vouch_http_smtp_result_t *p = &st->probe[i].r;

        CHECKF(st->probe[i].probed && p->failure == VOUCH_HTTP_F_RESOLVE &&
                   !p->starttls && !p->have_cert && p->error[0] != '\0',
               "probe %zu: %s %s", i, vouch_http_failure_name(p->failure),
               p->error);
    }
    CHECK(strstr(st->probe[1].r.error, "SERVFAIL") != NULL);
    for (i = 0; i < r->nfindings; i++) {
        const vouch_audit_finding_t *f = &r->finding[i];

        if (strcmp(f->id, "smtp-probe-failed") == 0) {
            /* both hosts in one finding; their reasons differ */
            CHECKF(
                f->severity == VOUCH_AUDIT_WARNING &&
                    f->area == VOUCH_AUDIT_MTASTS &&
                    strstr(f->explanation,
                           "MX hosts mx1.probe.test and mx2.probe.test "
                           "on port 25 (resolve; e.g. smtp://mx1.probe.test") !=
                        NULL,
                "%s", f->explanation);
            nfailed++;
        }
    }
    CHECK(nfailed == 1);
    vouch_audit_result_free(r);

    /* a domain that takes no mail is not probed */
    REQUIRE(vouch_audit_run(&r, test_ctx(), shared, &o, "parked.test", 11,
                            NULL) == 0);
    CHECK(r->mtasts.nprobes == 0);
    vouch_audit_result_free(r);
    smtp_probe_grouped(shared);
    vouch_resolver_free(shared);
}

/* Which connect-to entry a host and port get: the first whose HOST is
 * empty or the host (case ignored) and whose PORT is empty or the port. */
static void
test_audit__connect_to(void)
{
    static const char *const maps[] = { "mx.a.test:443:127.0.0.1:1",
                                        "MX.A.test:25:127.0.0.1:2",
                                        "mx.a.test::127.0.0.1:3",
                                        ":25:127.0.0.1:4" };
    vouch_audit_options_t o = VOUCH_AUDIT_OPTIONS_INIT;

    o.https_connect_to = maps;
    o.nconnect_to = 4;
    CHECK(vouch__audit_connect_to(&o, "mx.a.test", "443") == maps[0]);
    CHECK(vouch__audit_connect_to(&o, "mx.a.test", "25") == maps[1]);
    CHECK(vouch__audit_connect_to(&o, "mx.a.test", "587") == maps[2]);
    CHECK(vouch__audit_connect_to(&o, "mx.b.test", "25") == maps[3]);
    CHECK(vouch__audit_connect_to(&o, "mx.b.test", "443") == NULL);
    CHECK(vouch__audit_connect_to(&o, "mx.a.tes", "25") == maps[3]);
    o.nconnect_to = 0;
    CHECK(vouch__audit_connect_to(&o, "mx.a.test", "25") == NULL);
}

static bool
probes_reached(const vouch_audit_result_t *res)
{
    return res->mtasts.nprobes == 2 &&
           res->mtasts.probe[1].r.failure == VOUCH_HTTP_F_RESOLVE;
}

/* Allocation failures during probes: ENOMEM or a result, no leak. */
static void
test_audit__smtp_probe_oom(void)
{
    vouch_audit_options_t o = VOUCH_AUDIT_OPTIONS_INIT;

    o.no_fetch = true;
    o.discovery = false;
    o.smtp_probe = true;
    oom_sweep(&o, "probe.test", probes_reached);
}

static const test_case_t cases[] = {
    TEST(audit__spf_tree),       TEST(audit__spf_branches),
    TEST(audit__spf_networks),   TEST(audit__mx),
    TEST(audit__dkim),           TEST(audit__dmarc),
    TEST(audit__dane),           TEST(audit__faults),
    TEST(audit__grade),          TEST(audit__bimi_record),
    TEST(audit__bimi_org_dmarc), TEST(audit__bimi_long_name),
    TEST(audit__bimi_no_fetch),  TEST(audit__bimi_selector),
    TEST(audit__bimi_plan),      TEST(audit__plan_order),
    TEST(audit__bad_domains),    TEST(audit__txt_fix),
    TEST(audit__oom_sweep),      TEST(audit__mtasts_records),
    TEST(audit__https_options),  TEST(audit__mtasts_fresh_id),
    TEST(audit__smtp_probe),     TEST(audit__connect_to),
    TEST(audit__smtp_probe_oom),
};

TEST_MAIN(cases)
