/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_mtasts_vectors.c - the MTA-STS parse vectors of the
 * shared test data (../shared/testdata/mta-sts, see its SOURCES.md)
 * through vouch_mtasts_record_parse() and vouch_mtasts_policy_parse():
 *
 *   mox-parse-cases.json       record_valid / record_invalid /
 *                              policy_valid / policy_invalid: valid ones
 *                              must give the expected fields (v, id,
 *                              extensions; mode, mx, max_age, extensions),
 *                              invalid ones must be refused.
 *   postfix-resolver-scenarios.json  the offline half of each scenario:
 *                              its TXT record must parse exactly when the
 *                              scenario is not NONE; its policy body (when
 *                              served 200, text/plain, valid certificate)
 *                              must parse exactly when it is VALID. The
 *                              HTTPS half runs in tests/integration.
 *
 *   postfix-resolver-refdata*.tsv  the Postfix policy-map answers,
 *                              computed from the same offline pipeline
 *                              (see refdata() for the mapping).
 *
 * policy_serialize / record_serialize are mox's output: the writers
 * (vouch_mtasts_policy_write with LF line ends, vouch_mtasts_record_write)
 * chose the same field order, so their output must be byte-identical.
 * Prints failures and "N passed, N failed"; exit 77 when the data is
 * missing.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

static unsigned passed, failed;

static void
result(bool ok, const char *set, size_t i, const char *input,
       const char *detail)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    fprintf(stderr, "  FAIL %s[%zu] %s: %s\n", set, i, input, detail);
}

static bool
str_eq(vouch_str_t s, const char *want)
{
    return want != NULL && s.len == strlen(want) &&
           memcmp(s.ptr, want, s.len) == 0;
}

/* expected [[name, value], ...] against ext[0..n) */
static bool
ext_eq(json_t *want, const vouch_mtasts_ext_t *ext, size_t n)
{
    size_t i;

    if (!json_is_array(want) || json_array_size(want) != n) {
        return false;
    }
    for (i = 0; i < n; i++) {
        json_t *pair = json_array_get(want, i);

        if (!str_eq(ext[i].name, json_string_value(json_array_get(pair, 0))) ||
            !str_eq(ext[i].value, json_string_value(json_array_get(pair, 1)))) {
            return false;
        }
    }
    return true;
}

static void
records(json_t *root)
{
    json_t *c;
    size_t i;

    json_array_foreach(json_object_get(root, "record_valid"), i, c)
    {
        const char *txt = json_string_value(json_object_get(c, "txt"));
        json_t *exp = json_object_get(c, "expect");
        vouch_mtasts_record_t rec;
        vouch_error_t err;
        int rc;

        vouch_error_clear(&err);
        rc = vouch_mtasts_record_parse(&rec, txt, strlen(txt), &err);
        if (rc != 0) {
            result(false, "record_valid", i, txt, err.msg);
            continue;
        }
        result(
            strcmp(json_string_value(json_object_get(exp, "v")), "STSv1") ==
                    0 &&
                strcmp(rec.id, json_string_value(json_object_get(exp, "id"))) ==
                    0 &&
                ext_eq(json_object_get(exp, "extensions"), rec.ext, rec.next),
            "record_valid", i, txt, "fields differ");
    }
    json_array_foreach(json_object_get(root, "record_invalid"), i, c)
    {
        const char *txt = json_string_value(json_object_get(c, "txt"));
        vouch_mtasts_record_t rec;
        int rc = vouch_mtasts_record_parse(&rec, txt, strlen(txt), NULL);

        result(rc == VOUCH_ESYNTAX, "record_invalid", i, txt,
               json_string_value(json_object_get(c, "reason")));
    }
}

/* the writers against mox's output (one case or a list) */
static void
serialize_one(json_t *c, bool policy, size_t i)
{
    static const char *const modes[] = { "none", "testing", "enforce" };
    json_t *in = json_object_get(c, "input"), *v;
    const char *want = json_string_value(
        json_object_get(c, policy ? "expect_body" : "expect_txt"));
    vouch_buf_t out;
    vouch_error_t err;
    int rc = VOUCH_EINVAL;
    size_t k;

    vouch_buf_init(&out, test_ctx(), 1 << 16);
    vouch_error_clear(&err);
    if (policy) {
        const char *mx[64];
        json_t *list = json_object_get(in, "mx");
        const char *mode = json_string_value(json_object_get(in, "mode"));
        vouch_mtasts_mode_t m = VOUCH_MTASTS_MODE_NONE;
        size_t n = 0;

        for (k = 0; k < 3; k++) {
            if (mode != NULL && strcmp(mode, modes[k]) == 0) {
                m = (vouch_mtasts_mode_t)k;
            }
        }
        json_array_foreach(list, k, v)
        {
            if (n < 64) {
                mx[n++] = json_string_value(v);
            }
        }
        rc = vouch_mtasts_policy_write(
            &out, m,
            (uint32_t)json_integer_value(json_object_get(in, "max_age")), mx, n,
            false, &err);
    } else {
        vouch_mtasts_ext_t ext[8];
        size_t n = 0;

        json_array_foreach(json_object_get(in, "extensions"), k, v)
        {
            const char *a = json_string_value(json_array_get(v, 0));
            const char *b = json_string_value(json_array_get(v, 1));

            if (n < 8 && a != NULL && b != NULL) {
                ext[n].name.ptr = a;
                ext[n].name.len = strlen(a);
                ext[n].value.ptr = b;
                ext[n].value.len = strlen(b);
                n++;
            }
        }
        rc = vouch_mtasts_record_write(
            &out, json_string_value(json_object_get(in, "id")), ext, n, &err);
    }
    result(rc == 0 && want != NULL && out.ptr != NULL &&
               strcmp(out.ptr, want) == 0,
           policy ? "policy_serialize" : "record_serialize", i,
           want != NULL ? want : "?", rc == 0 ? out.ptr : err.msg);
    vouch_buf_dispose(&out);
}

static void
serialize(json_t *root)
{
    static const char *const sets[] = { "policy_serialize",
                                        "record_serialize" };
    size_t s, i;

    for (s = 0; s < 2; s++) {
        json_t *j = json_object_get(root, sets[s]), *c;

        if (json_is_object(j)) {
            serialize_one(j, s == 0, 0);
            continue;
        }
        json_array_foreach(j, i, c)
        {
            serialize_one(c, s == 0, i);
        }
    }
}

static void
policies(vouch_ctx_t *ctx, json_t *root)
{
    static const char *const modes[] = { "none", "testing", "enforce" };
    json_t *c;
    size_t i, j;

    json_array_foreach(json_object_get(root, "policy_valid"), i, c)
    {
        const char *body = json_string_value(json_object_get(c, "body"));
        json_t *exp = json_object_get(c, "expect");
        json_t *mx = json_object_get(exp, "mx");
        vouch_mtasts_policy_t *pol = NULL;
        vouch_error_t err;
        bool ok;

        vouch_error_clear(&err);
        if (vouch_mtasts_policy_parse(&pol, ctx, body, strlen(body), &err) !=
            0) {
            result(false, "policy_valid", i, body, err.msg);
            continue;
        }
        ok = strcmp(modes[pol->mode],
                    json_string_value(json_object_get(exp, "mode"))) == 0 &&
             pol->max_age ==
                 json_integer_value(json_object_get(exp, "max_age")) &&
             json_array_size(mx) == pol->nmx &&
             ext_eq(json_object_get(exp, "extensions"), pol->ext, pol->next);
        for (j = 0; ok && j < pol->nmx; j++) {
            ok = str_eq(pol->mx[j], json_string_value(json_array_get(mx, j)));
        }
        result(ok, "policy_valid", i, body, "fields differ");
        vouch_mtasts_policy_free(pol);
    }
    json_array_foreach(json_object_get(root, "policy_invalid"), i, c)
    {
        const char *body = json_string_value(json_object_get(c, "body"));
        vouch_mtasts_policy_t *pol = NULL;
        vouch_error_t err;
        int rc;

        vouch_error_clear(&err);
        rc = vouch_mtasts_policy_parse(&pol, ctx, body, strlen(body), &err);
        result(rc == VOUCH_ESYNTAX && pol == NULL && err.msg[0] != '\0',
               "policy_invalid", i, body,
               json_string_value(json_object_get(c, "reason")));
        vouch_mtasts_policy_free(pol);
    }
    serialize(root);
}

static void
scenarios(vouch_ctx_t *ctx, json_t *root)
{
    json_t *c;
    size_t i;

    json_array_foreach(json_object_get(root, "scenarios"), i, c)
    {
        const char *dom = json_string_value(json_object_get(c, "domain"));
        const char *txt = json_string_value(json_object_get(c, "txt_record"));
        const char *body = json_string_value(json_object_get(c, "body"));
        const char *expect = json_string_value(json_object_get(c, "expect"));
        const char *ctype =
            json_string_value(json_object_get(c, "content_type"));
        const char *tls = json_string_value(json_object_get(c, "tls"));
        json_int_t status =
            json_integer_value(json_object_get(c, "http_status"));
        vouch_mtasts_record_t rec;
        vouch_mtasts_policy_t *pol = NULL;
        bool rec_ok, served;

        if (txt == NULL) {
            continue; /* nothing offline to parse */
        }
        rec_ok = vouch_mtasts_record_parse(&rec, txt, strlen(txt), NULL) == 0;
        result(rec_ok == (strcmp(expect, "NONE") != 0), "scenario-record", i,
               dom, rec_ok ? "record accepted" : "record refused");
        served = body != NULL && body[0] != '<' && status == 200 &&
                 ctype != NULL && strcmp(ctype, "text/plain") == 0 &&
                 tls != NULL && strcmp(tls, "valid") == 0;
        if (!rec_ok || !served) {
            continue;
        }
        if (vouch_mtasts_policy_parse(&pol, ctx, body, strlen(body), NULL) ==
            0) {
            result(strcmp(expect, "VALID") == 0, "scenario-policy", i, dom,
                   "policy accepted");
        } else {
            result(strcmp(expect, "FETCH_ERROR") == 0, "scenario-policy", i,
                   dom, "policy refused");
        }
        vouch_mtasts_policy_free(pol);
    }
}

/* The policy a scenario's domain ends up with offline: its record parses,
 * and its body was served 200, text/plain, valid certificate, and parses.
 * NULL otherwise. */
static vouch_mtasts_policy_t *
offline_policy(vouch_ctx_t *ctx, json_t *scens, const char *dom, size_t len)
{
    vouch_mtasts_record_t rec;
    vouch_mtasts_policy_t *pol = NULL;
    json_t *c;
    size_t i;

    json_array_foreach(scens, i, c)
    {
        const char *d = json_string_value(json_object_get(c, "domain"));
        const char *txt = json_string_value(json_object_get(c, "txt_record"));
        const char *body = json_string_value(json_object_get(c, "body"));
        const char *ct = json_string_value(json_object_get(c, "content_type"));
        const char *tls = json_string_value(json_object_get(c, "tls"));

        if (strlen(d) != len || memcmp(d, dom, len) != 0 || txt == NULL ||
            body == NULL || body[0] == '<' || ct == NULL ||
            strcmp(ct, "text/plain") != 0 || tls == NULL ||
            strcmp(tls, "valid") != 0 ||
            json_integer_value(json_object_get(c, "http_status")) != 200 ||
            vouch_mtasts_record_parse(&rec, txt, strlen(txt), NULL) != 0 ||
            vouch_mtasts_policy_parse(&pol, ctx, body, strlen(body), NULL) !=
                0) {
            continue;
        }
        return pol;
    }
    return NULL;
}

/*
 * The Postfix socketmap answers (postfix-resolver-refdata*.tsv) computed
 * from the offline pipeline: the query is reduced to a policy domain as
 * the resolver does (brackets and ":port" dropped, one final dot dropped,
 * an IP literal has no policy), then "OK secure match=<mx:mx...>
 * servername=hostname" when the policy is enforce (or testing, in the
 * strict variant), else "NOTFOUND ". The _nosni variant has no servername.
 */
static void
refdata(vouch_ctx_t *ctx, const char *dir, json_t *scens, const char *file,
        bool strict, bool sni)
{
    char path[4096], line[1024], want[512], got[512];
    FILE *f;
    size_t n = 0;

    (void)snprintf(path, sizeof(path), "%s/mta-sts/%s", dir, file);
    f = fopen(path, "r");
    if (f == NULL) {
        printf("SKIP: cannot read %s\n", path);
        exit(77);
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        char *tab = strchr(line, '\t'), *q = strchr(line, ' '), *e;
        vouch_mtasts_policy_t *pol = NULL;
        size_t len, i;
        int w;

        if (tab == NULL || q == NULL || q > tab) {
            continue;
        }
        n++;
        *tab = '\0';
        q++;
        (void)snprintf(want, sizeof(want), "%s", tab + 1);
        want[strcspn(want, "\r\n")] = '\0';
        if (*q == '[') {
            q++;
            e = strchr(q, ']');
            len = e != NULL ? (size_t)(e - q) : 0;
        } else {
            e = strchr(q, ':');
            len = e != NULL ? (size_t)(e - q) : strlen(q);
        }
        if (len > 0 && q[len - 1] == '.') {
            len--;
        }
        pol = offline_policy(ctx, scens, q, len);
        if (pol != NULL &&
            (pol->mode == VOUCH_MTASTS_MODE_ENFORCE ||
             (strict && pol->mode == VOUCH_MTASTS_MODE_TESTING))) {
            w = snprintf(got, sizeof(got), "OK secure match=");
            for (i = 0; i < pol->nmx && w > 0 && (size_t)w < sizeof(got); i++) {
                w += snprintf(got + w, sizeof(got) - (size_t)w, "%s%.*s",
                              i > 0 ? ":" : "", (int)pol->mx[i].len,
                              pol->mx[i].ptr);
            }
            if (sni && w > 0 && (size_t)w < sizeof(got)) {
                (void)snprintf(got + w, sizeof(got) - (size_t)w,
                               " servername=hostname");
            }
        } else {
            (void)snprintf(got, sizeof(got), "NOTFOUND ");
        }
        vouch_mtasts_policy_free(pol);
        result(strcmp(got, want) == 0, file, n, line, got);
    }
    fclose(f);
}

static json_t *
load(const char *dir, const char *file)
{
    char path[4096];
    json_error_t jerr;
    json_t *j;

    (void)snprintf(path, sizeof(path), "%s/mta-sts/%s", dir, file);
    j = json_load_file(path, 0, &jerr);
    if (j == NULL) {
        printf("SKIP: cannot read %s: %s\n", path, jerr.text);
        exit(77);
    }
    return j;
}

int
main(void)
{
    const char *dir = test_testdata_or_skip();
    json_t *mox = load(dir, "mox-parse-cases.json");
    json_t *pf = load(dir, "postfix-resolver-scenarios.json");
    vouch_ctx_t *ctx = test_ctx();

    records(mox);
    policies(ctx, mox);
    scenarios(ctx, pf);
    refdata(ctx, dir, json_object_get(pf, "scenarios"),
            "postfix-resolver-refdata.tsv", false, true);
    refdata(ctx, dir, json_object_get(pf, "scenarios"),
            "postfix-resolver-refdata_strict.tsv", true, true);
    refdata(ctx, dir, json_object_get(pf, "scenarios"),
            "postfix-resolver-refdata_nosni.tsv", false, false);
    json_decref(mox);
    json_decref(pf);
    printf("%u passed, %u failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
