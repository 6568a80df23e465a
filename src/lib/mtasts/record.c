/* SPDX-License-Identifier: MIT */
/*
 * mtasts/record.c - the `_mta-sts` TXT record parser (RFC 8461 §3.1) and
 * the LDH host name check the MTA-STS and TLS-RPT parsers share.
 *
 *   sts-text-record = sts-version 1*(sts-field-delim sts-field)
 *                     [sts-field-delim]
 *   sts-field-delim = *WSP ";" *WSP
 *   sts-version     = %s"v=" %s"STSv1"
 *   sts-id          = %s"id=" 1*32(ALPHA / DIGIT)
 *   sts-extension   = sts-ext-name "=" sts-ext-value
 *
 * Whitespace around "=" in a field is tolerated (as mox does); "v=STSv1"
 * must be the first bytes, since §3.1 selects records by that prefix. An
 * id given twice is refused: the record would be ambiguous.
 *
 * Invariants: nothing is allocated; reading stays inside [txt, txt+len);
 * the id is copied only after its length was checked.
 */
#include <string.h>

#include "mtasts_internal.h"

#define MOD "mtasts"

bool
vouch__ldh_domain_check(const char *p, size_t len, size_t *bad,
                        const char **why)
{
    size_t i, start = 0;
    const char *w = NULL;
    size_t at = 0;

    if (len == 0) {
        w = "empty name";
        goto fail;
    }
    if (len > VOUCH_DNS_NAME_MAX) {
        w = "name longer than 253 characters";
        at = VOUCH_DNS_NAME_MAX;
        goto fail;
    }
    for (i = 0; i <= len; i++) {
        if (i == len || p[i] == '.') {
            size_t n = i - start;

            if (n == 0) {
                w = "empty label";
                at = i;
                goto fail;
            }
            if (n > VOUCH_DNS_LABEL_MAX) {
                w = "label longer than 63 characters";
                at = start;
                goto fail;
            }
            if (p[start] == '-' || p[i - 1] == '-') {
                w = "label starts or ends with '-'";
                at = p[start] == '-' ? start : i - 1;
                goto fail;
            }
            start = i + 1;
        } else if (!vouch__is_alnum(p[i]) && p[i] != '-') {
            w = (unsigned char)p[i] >= 0x80
                    ? "non-ASCII character (write the name in A-labels)"
                    : "character not allowed in a host name";
            at = i;
            goto fail;
        }
    }
    return true;
fail:
    if (bad != NULL) {
        *bad = at;
    }
    if (why != NULL) {
        *why = w;
    }
    return false;
}

bool
vouch__sts_ext_name_ok(const char *p, size_t len)
{
    size_t i;

    if (len == 0 || len > VOUCH_MTASTS_EXT_NAME_MAX || !vouch__is_alnum(p[0])) {
        return false;
    }
    for (i = 1; i < len; i++) {
        if (!vouch__is_alnum(p[i]) && p[i] != '_' && p[i] != '-' &&
            p[i] != '.') {
            return false;
        }
    }
    return true;
}

size_t
vouch__sts_ext_value_bad(const char *p, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];

        if (c < 0x21 || c > 0x7e || c == ';' || c == '=') {
            return i;
        }
    }
    return len;
}

static const char *
skip_wsp(const char *p, const char *end)
{
    while (p < end && vouch__is_space(*p)) {
        p++;
    }
    return p;
}

int
vouch__sts_field(const char *txt, const char **pp, const char *end,
                 vouch_str_t *name, const char *mod, vouch_error_t *err)
{
    const char *p = skip_wsp(*pp, end), *n;

    if (p == end) {
        return 0;
    }
    if (*p != ';') {
        return vouch__error(err, VOUCH_ESYNTAX, mod, (size_t)(p - txt),
                            "expected ';' between fields");
    }
    p = skip_wsp(p + 1, end);
    if (p == end) {
        return 0; /* one final ";" is allowed */
    }
    if (*p == ';') {
        return vouch__error(err, VOUCH_ESYNTAX, mod, (size_t)(p - txt),
                            "empty field (\";;\")");
    }
    n = p;
    while (p < end && *p != '=' && *p != ';' && !vouch__is_space(*p)) {
        p++;
    }
    name->ptr = n;
    name->len = (size_t)(p - n);
    p = skip_wsp(p, end);
    if (p == end || *p != '=') {
        return vouch__error(err, VOUCH_ESYNTAX, mod, (size_t)(n - txt),
                            "field without '='");
    }
    *pp = skip_wsp(p + 1, end);
    return 1;
}

vouch_str_t
vouch__sts_value(const char **pp, const char *end)
{
    const char *p = *pp;
    vouch_str_t v;

    while (p < end && *p != ';' && !vouch__is_space(*p)) {
        p++;
    }
    v.ptr = *pp;
    v.len = (size_t)(p - *pp);
    *pp = p;
    return v;
}

int
vouch__sts_ext_check(const char *txt, vouch_str_t name, vouch_str_t value,
                     const char *mod, vouch_error_t *err)
{
    size_t bad;

    if (!vouch__sts_ext_name_ok(name.ptr, name.len)) {
        return vouch__error(err, VOUCH_ESYNTAX, mod, (size_t)(name.ptr - txt),
                            "invalid extension name (1-32 letters, digits, "
                            "'_', '-', '.'; starting with a letter or digit)");
    }
    if (value.len == 0) {
        return vouch__error(err, VOUCH_ESYNTAX, mod, (size_t)(value.ptr - txt),
                            "extension with an empty value");
    }
    bad = vouch__sts_ext_value_bad(value.ptr, value.len);
    if (bad < value.len) {
        return vouch__error(err, VOUCH_ESYNTAX, mod,
                            (size_t)(value.ptr - txt) + bad,
                            "character not allowed in an extension value");
    }
    return 0;
}

/* id=1*32(ALPHA / DIGIT), once */
static int
field_id(vouch_mtasts_record_t *out, const char *txt, vouch_str_t name,
         vouch_str_t v, vouch_error_t *err)
{
    size_t i;

    if (out->id[0] != '\0') {
        return vouch__error(err, VOUCH_ESYNTAX, MOD, (size_t)(name.ptr - txt),
                            "id given twice");
    }
    if (v.len == 0) {
        return vouch__error(err, VOUCH_ESYNTAX, MOD, (size_t)(v.ptr - txt),
                            "empty id");
    }
    if (v.len > VOUCH_MTASTS_ID_MAX) {
        return vouch__error(err, VOUCH_ESYNTAX, MOD, (size_t)(v.ptr - txt),
                            "id longer than 32 characters");
    }
    for (i = 0; i < v.len; i++) {
        if (!vouch__is_alnum(v.ptr[i])) {
            return vouch__error(err, VOUCH_ESYNTAX, MOD,
                                (size_t)(v.ptr - txt) + i,
                                "id may only hold letters and digits");
        }
    }
    memcpy(out->id, v.ptr, v.len);
    out->id[v.len] = '\0';
    return 0;
}

/* see vouch/mtasts.h */
int
vouch_mtasts_record_parse(vouch_mtasts_record_t *out, const char *txt,
                          size_t len, vouch_error_t *err)
{
    static const char version[] = "v=STSv1";
    const char *p, *end;
    vouch_str_t name, v;
    int rc;

    if (out == NULL || (txt == NULL && len > 0)) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0, "no record or output");
    }
    memset(out, 0, sizeof(*out));
    if (len < sizeof(version) - 1 ||
        memcmp(txt, version, sizeof(version) - 1) != 0) {
        return vouch__error(err, VOUCH_ESYNTAX, MOD, 0,
                            "record does not start with \"v=STSv1\"");
    }
    p = txt + sizeof(version) - 1;
    end = txt + len;
    if (p < end && *p != ';' && !vouch__is_space(*p)) {
        return vouch__error(err, VOUCH_ESYNTAX, MOD, 2,
                            "unsupported version (only STSv1)");
    }
    while ((rc = vouch__sts_field(txt, &p, end, &name, MOD, err)) == 1) {
        v = vouch__sts_value(&p, end);
        if (name.len == 2 && memcmp(name.ptr, "id", 2) == 0) {
            rc = field_id(out, txt, name, v, err);
        } else if ((rc = vouch__sts_ext_check(txt, name, v, MOD, err)) == 0) {
            if (out->next == VOUCH_MTASTS_EXT_MAX) {
                rc = vouch__error(
                    err, VOUCH_ETOOBIG, MOD, (size_t)(name.ptr - txt),
                    "more than %d extensions", VOUCH_MTASTS_EXT_MAX);
            } else {
                out->ext[out->next].name = name;
                out->ext[out->next].value = v;
                out->next++;
            }
        }
        if (rc != 0) {
            break;
        }
    }
    if (rc == 0 && out->id[0] == '\0') {
        rc = vouch__error(err, VOUCH_ESYNTAX, MOD, len, "missing id=");
    }
    if (rc != 0) {
        memset(out, 0, sizeof(*out));
    }
    return rc;
}
