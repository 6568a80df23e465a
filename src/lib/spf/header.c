/* SPDX-License-Identifier: MIT */
/*
 * spf/header.c - the Received-SPF header field (RFC 7208 §9.1).
 *
 *   Received-SPF: pass (mx.example.org: domain of a@example.com designates
 *     192.0.2.1 as permitted sender) client-ip=192.0.2.1;
 *     envelope-from="a@example.com"; helo=mail.example.com;
 *     receiver=mx.example.org; identity=mailfrom; mechanism="ip4:192.0.2.0/24"
 *
 * The sender, HELO name and matched term come from the SMTP client or
 * from DNS: each key=value is written as a dot-atom when it is one and as
 * a quoted-string otherwise, and the comment escapes "(", ")" and "\", so
 * the field always parses and no value can end it early (CR, LF and other
 * bytes outside printable ASCII are shown as \xHH).
 */
#include <string.h>

#include "spf_internal.h"

/* RFC 5322 atext */
static bool
is_atext(char c)
{
    return vouch__is_alnum(c) ||
           (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static bool
is_dot_atom(const char *p, size_t len)
{
    size_t i;

    if (len == 0 || p[0] == '.' || p[len - 1] == '.') {
        return false;
    }
    for (i = 0; i < len; i++) {
        if (p[i] == '.') {
            if (p[i - 1] == '.') {
                return false;
            }
        } else if (!is_atext(p[i])) {
            return false;
        }
    }
    return true;
}

/* Append bytes escaped for a quoted-string or a comment: specials get a
 * backslash, bytes that no quoted-pair can carry become \xHH. */
static int
add_escaped(vouch_buf_t *out, const char *p, size_t len, const char *specials)
{
    static const char hx[] = "0123456789abcdef";
    size_t i;
    int rc = 0;

    for (i = 0; i < len && rc == 0; i++) {
        unsigned char c = (unsigned char)p[i];

        if (c < 0x20 || c > 0x7e) {
            char e[5] = { '\\', '\\', 'x', hx[c >> 4], hx[c & 15] };

            rc = vouch_buf_add(out, e, 5);
        } else if (strchr(specials, (char)c) != NULL) {
            char e[2] = { '\\', (char)c };

            rc = vouch_buf_add(out, e, 2);
        } else {
            rc = vouch_buf_addc(out, (char)c);
        }
    }
    return rc;
}

static int
add_pair(vouch_buf_t *out, const char *key, const char *p, size_t len)
{
    int rc = vouch_buf_printf(out, "; %s=", key);

    if (rc != 0) {
        return rc;
    }
    if (is_dot_atom(p, len)) {
        return vouch_buf_add(out, p, len);
    }
    if ((rc = vouch_buf_addc(out, '"')) != 0 ||
        (rc = add_escaped(out, p, len, "\"\\")) != 0) {
        return rc;
    }
    return vouch_buf_addc(out, '"');
}

/* The comment's sentence for each result (after "<receiver>: "). */
static int
add_comment(vouch_buf_t *out, const vouch_spf_result_t *res, const char *ip,
            vouch_str_t receiver)
{
    const char *s = res->sender.ptr != NULL ? res->sender.ptr : "";
    size_t slen = res->sender.len;
    int rc;

    if ((rc = vouch_buf_addc(out, '(')) != 0 ||
        (rc = add_escaped(out, receiver.ptr, receiver.len, "()\\")) != 0) {
        return rc;
    }
    switch (res->code) {
    case VOUCH_SPF_PASS:
    case VOUCH_SPF_FAIL:
    case VOUCH_SPF_SOFTFAIL:
        rc = vouch_buf_puts(out, res->code == VOUCH_SPF_SOFTFAIL
                                     ? ": domain of transitioning "
                                     : ": domain of ");
        if (rc == 0) {
            rc = add_escaped(out, s, slen, "()\\");
        }
        if (rc == 0) {
            rc = vouch_buf_printf(out, " %s %s as permitted sender)",
                                  res->code == VOUCH_SPF_PASS
                                      ? "designates"
                                      : "does not designate",
                                  ip);
        }
        return rc;
    case VOUCH_SPF_NEUTRAL:
        rc = vouch_buf_printf(out,
                              ": %s is neither permitted nor denied by "
                              "domain of ",
                              ip);
        break;
    case VOUCH_SPF_NONE:
        rc = vouch_buf_puts(out, ": domain of ");
        if (rc == 0) {
            rc = add_escaped(out, s, slen, "()\\");
        }
        return rc == 0 ? vouch_buf_puts(out, " does not designate permitted "
                                             "sender hosts)")
                       : rc;
    default:
        rc = vouch_buf_puts(out, ": error in processing during lookup of ");
        break;
    }
    if (rc == 0) {
        rc = add_escaped(out, s, slen, "()\\");
    }
    if (rc == 0 && res->code >= VOUCH_SPF_TEMPERROR && res->reason.len > 0) {
        rc = vouch_buf_puts(out, ": ");
        if (rc == 0) {
            rc = add_escaped(out, res->reason.ptr, res->reason.len, "()\\");
        }
    }
    return rc == 0 ? vouch_buf_addc(out, ')') : rc;
}

int
vouch_spf_received_spf(vouch_buf_t *out, const vouch_spf_request_t *req,
                       const vouch_spf_result_t *res)
{
    char ip[VOUCH_IP_STRLEN];
    vouch_str_t receiver = req->receiver;
    vouch_ip_t client = req->ip;
    size_t mark = out->len;
    int rc;

    if (receiver.len == 0) {
        receiver.ptr = "unknown";
        receiver.len = 7;
    }
    (void)vouch_ip_unmap(&client);
    vouch_ip_format(&client, ip);
    rc = vouch_buf_printf(out, "%s ", vouch_spf_code_name(res->code));
    if (rc == 0) {
        rc = add_comment(out, res, ip, receiver);
    }
    if (rc == 0) {
        rc = vouch_buf_printf(out, " client-ip=%s", ip);
    }
    /* the envelope sender as given; for a HELO check without one, the
     * postmaster address that was checked */
    if (rc == 0 && req->mail_from.len > 0) {
        rc = add_pair(out, "envelope-from", req->mail_from.ptr,
                      req->mail_from.len);
    } else if (rc == 0 && res->sender.len > 0) {
        rc = add_pair(out, "envelope-from", res->sender.ptr, res->sender.len);
    }
    if (rc == 0 && req->helo.len > 0) {
        rc = add_pair(out, "helo", req->helo.ptr, req->helo.len);
    }
    if (rc == 0) {
        rc = add_pair(out, "receiver", receiver.ptr, receiver.len);
    }
    if (rc == 0) {
        rc = vouch_buf_printf(out, "; identity=%s",
                              vouch_spf_identity_name(res->identity));
    }
    if (rc == 0 && res->mechanism.len > 0) {
        rc = add_pair(out, "mechanism", res->mechanism.ptr, res->mechanism.len);
    }
    if (rc == 0 && res->code >= VOUCH_SPF_TEMPERROR && res->reason.len > 0) {
        rc = add_pair(out, "problem", res->reason.ptr, res->reason.len);
    }
    if (rc != 0) {
        out->len = mark;
        if (out->ptr != NULL) {
            out->ptr[mark] = '\0';
        }
    }
    return rc;
}
