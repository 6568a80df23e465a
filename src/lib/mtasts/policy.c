/* SPDX-License-Identifier: MIT */
/*
 * mtasts/policy.c - the MTA-STS policy file parser (RFC 8461 §3.2) and MX
 * host matching (§4.1).
 *
 *   sts-policy-record  = sts-policy-field *WSP
 *                        *(sts-policy-term sts-policy-field *WSP)
 *                        [sts-policy-term]
 *   sts-policy-field-delim = ":" *WSP
 *   sts-policy-term    = LF / CRLF
 *   version: STSv1 | mode: testing/enforce/none | max_age: 1*10DIGIT
 *   mx: ["*."] Domain | ext-name: ext-value
 *
 * Tolerated beyond the ABNF, as common implementations do: whitespace
 * before ":", empty lines. Refused although the ABNF is silent: version,
 * mode or max_age given twice (a sender could not know which one holds).
 *
 * Invariants: the body is scanned once within [text, text+len); the
 * patterns and extensions are collected as views, then the text is copied
 * into the one block holding the policy and the views rebased onto it, so
 * the caller's buffer is not retained.
 */
#include <stdio.h>
#include <string.h>

#include "mtasts_internal.h"

#define MOD "mtasts"

const char *
vouch_mtasts_mode_name(vouch_mtasts_mode_t m)
{
    static const char *const names[] = { "none", "testing", "enforce" };

    return (unsigned)m < VOUCH_ARRAY_LEN(names) ? names[m] : "unknown";
}

typedef struct scan {
    const char *text;
    vouch_error_t *err;
    size_t line;
    vouch_str_t mx[VOUCH_MTASTS_MX_MAX];
    size_t nmx;
    vouch_mtasts_ext_t ext[VOUCH_MTASTS_EXT_MAX];
    size_t next;
    bool have_version, have_mode, have_max_age;
    vouch_mtasts_mode_t mode;
    uint32_t max_age;
} scan_t;

static int
fault(scan_t *s, int code, const char *at, const char *what)
{
    return vouch__error(s->err, code, MOD, (size_t)(at - s->text),
                        "line %zu: %s", s->line, what);
}

static bool
is_key(const char *k, size_t klen, const char *want)
{
    size_t n = strlen(want);

    return klen == n && memcmp(k, want, n) == 0;
}

static bool
is_value(vouch_str_t v, const char *want)
{
    return is_key(v.ptr, v.len, want);
}

static int
field_mx(scan_t *s, vouch_str_t v)
{
    const char *name = v.ptr;
    size_t len = v.len, bad = 0;
    const char *why = NULL;

    if (len == 0) {
        return fault(s, VOUCH_ESYNTAX, v.ptr, "empty mx value");
    }
    if (len >= 2 && name[0] == '*' && name[1] == '.') {
        name += 2;
        len -= 2;
    }
    if (!vouch__ldh_domain_check(name, len, &bad, &why)) {
        const char *at = name + bad;
        char msg[160];

        if (memchr(name, '*', len) != NULL) {
            why = "a wildcard is allowed only as the whole left-most label "
                  "(\"*.example.com\")";
        }
        (void)snprintf(msg, sizeof(msg), "mx pattern: %s", why);
        return fault(s, VOUCH_ESYNTAX, at, msg);
    }
    if (s->nmx == VOUCH_MTASTS_MX_MAX) {
        return fault(s, VOUCH_ETOOBIG, v.ptr, "too many mx lines (over 256)");
    }
    s->mx[s->nmx++] = v;
    return 0;
}

static int
field_max_age(scan_t *s, vouch_str_t v)
{
    const char *cur = v.ptr, *end = v.ptr + v.len;
    uint64_t n = 0;
    size_t i;

    if (s->have_max_age) {
        return fault(s, VOUCH_ESYNTAX, v.ptr, "max_age given twice");
    }
    for (i = 0; i < v.len; i++) {
        if (!vouch__is_digit(v.ptr[i])) {
            return fault(s, VOUCH_ESYNTAX, v.ptr + i,
                         "max_age is not a number of seconds");
        }
    }
    if (v.len == 0) {
        return fault(s, VOUCH_ESYNTAX, v.ptr, "empty max_age");
    }
    if (v.len > 10) {
        return fault(s, VOUCH_ESYNTAX, v.ptr,
                     "max_age has more than 10 digits");
    }
    if (vouch__parse_uint(&cur, end, VOUCH_MTASTS_MAX_AGE_MAX, &n) != 0 ||
        cur != end) {
        return fault(s, VOUCH_ESYNTAX, v.ptr,
                     "max_age above 31557600 seconds (RFC 8461 §3.2)");
    }
    s->max_age = (uint32_t)n;
    s->have_max_age = true;
    return 0;
}

static int
field(scan_t *s, const char *key, size_t klen, vouch_str_t v)
{
    if (is_key(key, klen, "version")) {
        if (s->have_version) {
            return fault(s, VOUCH_ESYNTAX, key, "version given twice");
        }
        if (!is_value(v, "STSv1")) {
            return fault(s, VOUCH_ESYNTAX, v.ptr,
                         "unsupported version (only STSv1)");
        }
        s->have_version = true;
        return 0;
    }
    if (is_key(key, klen, "mode")) {
        if (s->have_mode) {
            return fault(s, VOUCH_ESYNTAX, key, "mode given twice");
        }
        if (is_value(v, "enforce")) {
            s->mode = VOUCH_MTASTS_MODE_ENFORCE;
        } else if (is_value(v, "testing")) {
            s->mode = VOUCH_MTASTS_MODE_TESTING;
        } else if (is_value(v, "none")) {
            s->mode = VOUCH_MTASTS_MODE_NONE;
        } else {
            return fault(s, VOUCH_ESYNTAX, v.ptr,
                         "unknown mode (enforce, testing or none)");
        }
        s->have_mode = true;
        return 0;
    }
    if (is_key(key, klen, "max_age")) {
        return field_max_age(s, v);
    }
    if (is_key(key, klen, "mx")) {
        return field_mx(s, v);
    }
    /* sts-policy-extension: kept, otherwise ignored */
    if (!vouch__sts_ext_name_ok(key, klen)) {
        return fault(s, VOUCH_ESYNTAX, key,
                     "invalid key (1-32 letters, digits, '_', '-', '.'; "
                     "starting with a letter or digit)");
    }
    if (v.len == 0) {
        return fault(s, VOUCH_ESYNTAX, v.ptr, "extension with an empty value");
    }
    if (s->next == VOUCH_MTASTS_EXT_MAX) {
        return fault(s, VOUCH_ETOOBIG, key, "too many extension lines");
    }
    s->ext[s->next].name.ptr = key;
    s->ext[s->next].name.len = klen;
    s->ext[s->next].value = v;
    s->next++;
    return 0;
}

static int
scan_line(scan_t *s, const char *p, const char *end)
{
    const char *colon, *k_end, *v;
    vouch_str_t val;
    size_t i;

    /* trailing whitespace is allowed after every field */
    while (end > p && vouch__is_space(end[-1])) {
        end--;
    }
    if (p == end) {
        return 0;
    }
    colon = memchr(p, ':', (size_t)(end - p));
    if (colon == NULL) {
        return fault(s, VOUCH_ESYNTAX, p, "expected \"key: value\"");
    }
    k_end = colon;
    while (k_end > p && vouch__is_space(k_end[-1])) {
        k_end--;
    }
    if (k_end == p) {
        return fault(s, VOUCH_ESYNTAX, p, "empty key");
    }
    v = colon + 1;
    while (v < end && vouch__is_space(*v)) {
        v++;
    }
    /* sts-policy-vchar and spaces only (a bare CR, NUL, tab inside) */
    for (i = 0; i < (size_t)(end - v); i++) {
        unsigned char c = (unsigned char)v[i];

        if (c != ' ' && !vouch__is_vchar(c)) {
            return fault(s, VOUCH_ESYNTAX, v + i,
                         c >= 0x80 ? "non-ASCII byte in value (names must "
                                     "be A-labels)"
                                   : "control character in value");
        }
    }
    val.ptr = v;
    val.len = (size_t)(end - v);
    return field(s, p, (size_t)(k_end - p), val);
}

/* one block: policy, mx views, ext views, copy of the text */
static int
build(vouch_mtasts_policy_t **out, const vouch_ctx_t *ctx, const scan_t *s,
      const char *text, size_t len)
{
    size_t head = sizeof(vouch_mtasts_policy_t);
    size_t mx_sz = s->nmx * sizeof(vouch_str_t);
    size_t ext_sz = s->next * sizeof(vouch_mtasts_ext_t);
    size_t total = head + mx_sz + ext_sz + len + 1;
    vouch_mtasts_policy_t *pol;
    vouch_str_t *mx;
    vouch_mtasts_ext_t *ext;
    char *copy;
    size_t i;

    pol = vouch__malloc(ctx, total);
    if (pol == NULL) {
        return VOUCH_ENOMEM;
    }
    mx = (vouch_str_t *)(void *)((char *)pol + head);
    ext = (vouch_mtasts_ext_t *)(void *)((char *)mx + mx_sz);
    copy = (char *)ext + ext_sz;
    if (len > 0) {
        memcpy(copy, text, len);
    }
    copy[len] = '\0';
    for (i = 0; i < s->nmx; i++) {
        mx[i].ptr = copy + (s->mx[i].ptr - text);
        mx[i].len = s->mx[i].len;
    }
    for (i = 0; i < s->next; i++) {
        ext[i].name.ptr = copy + (s->ext[i].name.ptr - text);
        ext[i].name.len = s->ext[i].name.len;
        ext[i].value.ptr = copy + (s->ext[i].value.ptr - text);
        ext[i].value.len = s->ext[i].value.len;
    }
    pol->mode = s->mode;
    pol->max_age = s->max_age;
    pol->nmx = s->nmx;
    pol->mx = s->nmx > 0 ? mx : NULL;
    pol->next = s->next;
    pol->ext = s->next > 0 ? ext : NULL;
    pol->ctx = ctx;
    *out = pol;
    return 0;
}

/* see vouch/mtasts.h */
int
vouch_mtasts_policy_parse(vouch_mtasts_policy_t **out, const vouch_ctx_t *ctx,
                          const char *text, size_t len, vouch_error_t *err)
{
    const char *p, *end;
    scan_t *s;
    int rc;

    if (out == NULL) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0, "no output");
    }
    *out = NULL;
    if (ctx == NULL || (text == NULL && len > 0)) {
        return vouch__error(err, VOUCH_EINVAL, MOD, 0, "no context or text");
    }
    if (len > VOUCH_MTASTS_POLICY_MAX) {
        return vouch__error(err, VOUCH_ETOOBIG, MOD, VOUCH_MTASTS_POLICY_MAX,
                            "policy larger than 64 KiB (%zu bytes)", len);
    }
    /* the views (about 12 KiB) live on the heap, not the stack */
    s = vouch__calloc(ctx, 1, sizeof(*s));
    if (s == NULL) {
        return vouch__error(err, VOUCH_ENOMEM, MOD, 0, "out of memory");
    }
    s->text = text;
    s->err = err;
    p = text;
    end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl != NULL ? nl : end;

        s->line++;
        /* CRLF: the CR belongs to the terminator */
        if (nl != NULL && le > p && le[-1] == '\r') {
            le--;
        }
        rc = scan_line(s, p, le);
        if (rc != 0) {
            goto out;
        }
        p = nl != NULL ? nl + 1 : end;
    }
    s->line++;
    if (!s->have_version) {
        rc = vouch__error(err, VOUCH_ESYNTAX, MOD, len,
                          "missing \"version: STSv1\"");
        goto out;
    }
    if (!s->have_mode) {
        rc = vouch__error(err, VOUCH_ESYNTAX, MOD, len, "missing mode");
        goto out;
    }
    if (!s->have_max_age) {
        rc = vouch__error(err, VOUCH_ESYNTAX, MOD, len, "missing max_age");
        goto out;
    }
    if (s->mode != VOUCH_MTASTS_MODE_NONE && s->nmx == 0) {
        rc = vouch__error(err, VOUCH_ESYNTAX, MOD, len,
                          "mode %s without any mx pattern",
                          vouch_mtasts_mode_name(s->mode));
        goto out;
    }
    rc = build(out, ctx, s, text, len);
    if (rc != 0) {
        rc = vouch__error(err, rc, MOD, 0, "out of memory");
    }
out:
    vouch__free(ctx, s);
    return rc;
}

/* see vouch/mtasts.h */
void
vouch_mtasts_policy_free(vouch_mtasts_policy_t *policy)
{
    if (policy != NULL) {
        vouch__free(policy->ctx, policy);
    }
}

/* length without one final dot */
static size_t
undotted(const char *p, size_t len)
{
    return len > 0 && p[len - 1] == '.' ? len - 1 : len;
}

/* see vouch/mtasts.h */
bool
vouch_mtasts_mx_match(const char *pattern, size_t plen, const char *host,
                      size_t hlen)
{
    const char *dot;

    if (pattern == NULL || host == NULL) {
        return false;
    }
    plen = undotted(pattern, plen);
    hlen = undotted(host, hlen);
    if (!vouch__ldh_domain_check(host, hlen, NULL, NULL)) {
        return false;
    }
    if (plen >= 2 && pattern[0] == '*' && pattern[1] == '.') {
        /* §4.1: the wildcard matches exactly one left-most label */
        if (!vouch__ldh_domain_check(pattern + 2, plen - 2, NULL, NULL)) {
            return false;
        }
        dot = memchr(host, '.', hlen);
        if (dot == NULL || dot == host) {
            return false;
        }
        return vouch__str_ieq(dot + 1, hlen - (size_t)(dot + 1 - host),
                              pattern + 2, plen - 2);
    }
    if (!vouch__ldh_domain_check(pattern, plen, NULL, NULL)) {
        return false;
    }
    return vouch__str_ieq(pattern, plen, host, hlen);
}

/* see vouch/mtasts.h */
long
vouch_mtasts_policy_match(const vouch_mtasts_policy_t *policy, const char *host,
                          size_t hlen)
{
    size_t i;

    if (policy == NULL) {
        return -1;
    }
    for (i = 0; i < policy->nmx; i++) {
        if (vouch_mtasts_mx_match(policy->mx[i].ptr, policy->mx[i].len, host,
                                  hlen)) {
            return (long)i;
        }
    }
    return -1;
}
