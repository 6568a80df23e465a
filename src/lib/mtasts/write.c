/* SPDX-License-Identifier: MIT */
/*
 * mtasts/write.c - writing an MTA-STS policy file (RFC 8461 §3.2) and the
 * `_mta-sts` TXT record (§3.1), for tools that generate what a domain
 * should publish. The input is checked with the parser's own rules, so
 * what is written always parses back.
 *
 * Invariants: a failed write leaves the buffer's length as it was (the
 * text is appended, and cut back on failure).
 */
#include <string.h>

#include "mtasts_internal.h"

#define MOD "mtasts"

/* back to len bytes after a failed append */
static void
cut(vouch_buf_t *out, size_t len)
{
    out->len = len;
    if (out->ptr != NULL) {
        out->ptr[len] = '\0';
    }
}

static int
check_pattern(const char *mx, vouch_error_t *err)
{
    size_t len = strlen(mx), bad = 0;
    const char *name = mx, *why = NULL;

    if (len >= 2 && mx[0] == '*' && mx[1] == '.') {
        name += 2;
        len -= 2;
    }
    if (!vouch__ldh_domain_check(name, len, &bad, &why)) {
        char shown[80];

        vouch__escape_into(shown, sizeof(shown), mx, strlen(mx));
        return vouch__error(err, VOUCH_ESYNTAX, MOD, (size_t)(name - mx) + bad,
                            "mx pattern \"%s\": %s", shown, why);
    }
    return 0;
}

/* see vouch/mtasts.h */
int
vouch_mtasts_policy_write(vouch_buf_t *out, vouch_mtasts_mode_t mode,
                          uint32_t max_age, const char *const *mx, size_t nmx,
                          bool crlf, vouch_error_t *err)
{
    const char *eol = crlf ? "\r\n" : "\n";
    size_t start, i;
    int rc;

    if (out == NULL || (mx == NULL && nmx > 0) ||
        (unsigned)mode > VOUCH_MTASTS_MODE_ENFORCE) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0, "bad arguments");
    }
    if (max_age > VOUCH_MTASTS_MAX_AGE_MAX || nmx > VOUCH_MTASTS_MX_MAX) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0,
                            "max_age over 31557600 or more than %d mx",
                            VOUCH_MTASTS_MX_MAX);
    }
    if (mode != VOUCH_MTASTS_MODE_NONE && nmx == 0) {
        return vouch__error(err, VOUCH_ESYNTAX, MOD, 0,
                            "mode %s needs at least one mx pattern",
                            vouch_mtasts_mode_name(mode));
    }
    for (i = 0; i < nmx; i++) {
        if (mx[i] == NULL) {
            return vouch__error(err, VOUCH_EINVAL, MOD, 0, "NULL mx pattern");
        }
        rc = check_pattern(mx[i], err);
        if (rc != 0) {
            return rc;
        }
    }
    start = out->len;
    rc = vouch_buf_printf(out, "version: STSv1%smode: %s%smax_age: %u%s", eol,
                          vouch_mtasts_mode_name(mode), eol, (unsigned)max_age,
                          eol);
    for (i = 0; rc == 0 && i < nmx; i++) {
        rc = vouch_buf_printf(out, "mx: %s%s", mx[i], eol);
    }
    if (rc != 0) {
        cut(out, start);
        return vouch__error_code(err, rc, MOD);
    }
    return 0;
}

/* see vouch/mtasts.h */
int
vouch_mtasts_record_write(vouch_buf_t *out, const char *id,
                          const vouch_mtasts_ext_t *ext, size_t next,
                          vouch_error_t *err)
{
    size_t start, n, i;
    int rc;

    if (out == NULL || id == NULL || (ext == NULL && next > 0)) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0, "bad arguments");
    }
    n = strlen(id);
    for (i = 0; i < n && vouch__is_alnum(id[i]); i++) {
    }
    if (n == 0 || n > VOUCH_MTASTS_ID_MAX || i < n) {
        return vouch__error(err, VOUCH_ESYNTAX, MOD, i,
                            "id must be 1-32 letters and digits");
    }
    for (i = 0; i < next; i++) {
        const vouch_mtasts_ext_t *e = &ext[i];

        if (!vouch__sts_ext_name_ok(e->name.ptr, e->name.len) ||
            e->value.len == 0 || e->value.len > VOUCH_DNS_RDATA_MAX ||
            vouch__sts_ext_value_bad(e->value.ptr, e->value.len) <
                e->value.len ||
            (e->name.len == 2 && memcmp(e->name.ptr, "id", 2) == 0)) {
            return vouch__error(err, VOUCH_ESYNTAX, MOD, i,
                                "extension %zu is not name=value of the "
                                "RFC 8461 §3.1 characters",
                                i);
        }
    }
    start = out->len;
    rc = vouch_buf_printf(out, "v=STSv1; id=%s", id);
    for (i = 0; rc == 0 && i < next; i++) {
        rc = vouch_buf_printf(out, "; %.*s=%.*s", (int)ext[i].name.len,
                              ext[i].name.ptr, (int)ext[i].value.len,
                              ext[i].value.ptr);
    }
    if (rc != 0) {
        cut(out, start);
        return vouch__error_code(err, rc, MOD);
    }
    return 0;
}
