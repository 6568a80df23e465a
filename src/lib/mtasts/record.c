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

/* see vouch/mtasts.h */
int
vouch_mtasts_record_parse(vouch_mtasts_record_t *out, const char *txt,
                          size_t len, vouch_error_t *err)
{
    static const char version[] = "v=STSv1";
    const char *p, *end;
    bool have_id = false;
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
    for (;;) {
        const char *name, *name_end, *val, *val_end;

        p = skip_wsp(p, end);
        if (p == end) {
            break;
        }
        if (*p != ';') {
            rc = vouch__error(err, VOUCH_ESYNTAX, MOD, (size_t)(p - txt),
                              "expected ';' between fields");
            goto fail;
        }
        p = skip_wsp(p + 1, end);
        if (p == end) {
            break; /* one final ";" is allowed */
        }
        if (*p == ';') {
            rc = vouch__error(err, VOUCH_ESYNTAX, MOD, (size_t)(p - txt),
                              "empty field (\";;\")");
            goto fail;
        }
        name = p;
        while (p < end && *p != '=' && *p != ';' && !vouch__is_space(*p)) {
            p++;
        }
        name_end = p;
        p = skip_wsp(p, end);
        if (p == end || *p != '=') {
            rc = vouch__error(err, VOUCH_ESYNTAX, MOD, (size_t)(name - txt),
                              "field without '='");
            goto fail;
        }
        p = skip_wsp(p + 1, end);
        val = p;
        while (p < end && *p != ';' && !vouch__is_space(*p)) {
            p++;
        }
        val_end = p;
        if (name_end - name == 2 && memcmp(name, "id", 2) == 0) {
            size_t n = (size_t)(val_end - val), i;

            if (have_id) {
                rc = vouch__error(err, VOUCH_ESYNTAX, MOD, (size_t)(name - txt),
                                  "id given twice");
                goto fail;
            }
            if (n == 0) {
                rc = vouch__error(err, VOUCH_ESYNTAX, MOD, (size_t)(val - txt),
                                  "empty id");
                goto fail;
            }
            if (n > VOUCH_MTASTS_ID_MAX) {
                rc = vouch__error(err, VOUCH_ESYNTAX, MOD, (size_t)(val - txt),
                                  "id longer than 32 characters");
                goto fail;
            }
            for (i = 0; i < n; i++) {
                if (!vouch__is_alnum(val[i])) {
                    rc = vouch__error(err, VOUCH_ESYNTAX, MOD,
                                      (size_t)(val - txt) + i,
                                      "id may only hold letters and digits");
                    goto fail;
                }
            }
            memcpy(out->id, val, n);
            out->id[n] = '\0';
            have_id = true;
            continue;
        }
        if (!vouch__sts_ext_name_ok(name, (size_t)(name_end - name))) {
            rc = vouch__error(err, VOUCH_ESYNTAX, MOD, (size_t)(name - txt),
                              "invalid extension name (1-32 letters, digits, "
                              "'_', '-', '.'; starting with a letter or "
                              "digit)");
            goto fail;
        }
        if (val == val_end) {
            rc = vouch__error(err, VOUCH_ESYNTAX, MOD, (size_t)(val - txt),
                              "extension with an empty value");
            goto fail;
        }
        {
            size_t bad = vouch__sts_ext_value_bad(val, (size_t)(val_end - val));

            if (bad < (size_t)(val_end - val)) {
                rc = vouch__error(err, VOUCH_ESYNTAX, MOD,
                                  (size_t)(val - txt) + bad,
                                  "character not allowed in an extension "
                                  "value");
                goto fail;
            }
        }
        if (out->next == VOUCH_MTASTS_EXT_MAX) {
            rc = vouch__error(err, VOUCH_ETOOBIG, MOD, (size_t)(name - txt),
                              "more than %d extensions", VOUCH_MTASTS_EXT_MAX);
            goto fail;
        }
        out->ext[out->next].name.ptr = name;
        out->ext[out->next].name.len = (size_t)(name_end - name);
        out->ext[out->next].value.ptr = val;
        out->ext[out->next].value.len = (size_t)(val_end - val);
        out->next++;
    }
    if (!have_id) {
        rc = vouch__error(err, VOUCH_ESYNTAX, MOD, len, "missing id=");
        goto fail;
    }
    return 0;
fail:
    memset(out, 0, sizeof(*out));
    return rc;
}
