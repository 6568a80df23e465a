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
 *
 * §9.1 also asks that the field not be "excessively long": the value is
 * built on one line and then folded before a space (CRLF inserted, the
 * space kept: unfolding gives the value back byte for byte, also inside a
 * quoted-string) so that lines stay within 78 columns, counting the field
 * name, where a space allows. What cannot be folded is bounded: a text
 * quoted in the comment shows at most RSPF_TEXT_COLS columns and then
 * "...", and a key=value pair whose value would take more than
 * RSPF_PAIR_COLS columns is left out (the pairs are optional), so no line
 * comes near RFC 5322's 998.
 */
#include <stdint.h>
#include <string.h>

#include "spf_internal.h"

#define RSPF_LINE_COLS 78  /* RFC 5322 §2.1.1's SHOULD */
#define RSPF_NAME_COLS 14  /* "Received-SPF: " */
#define RSPF_TEXT_COLS 256 /* of a text quoted in the comment */
#define RSPF_PAIR_COLS 512 /* of a key=value pair's value */

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

/* Columns of byte c once escaped (a quoted-pair, \xHH or itself). */
static size_t
escaped_cols(unsigned char c, const char *specials)
{
    if (c < 0x20 || c > 0x7e) {
        return 5;
    }
    return strchr(specials, (char)c) != NULL ? 2 : 1;
}

/* Append bytes escaped for a quoted-string or a comment: specials get a
 * backslash, bytes that no quoted-pair can carry become \xHH. At most
 * max_cols columns are written; a longer text ends in "...". */
static int
add_escaped(vouch_buf_t *out, const char *p, size_t len, const char *specials,
            size_t max_cols)
{
    static const char hx[] = "0123456789abcdef";
    size_t i, cols = 0;
    int rc = 0;

    for (i = 0; i < len && rc == 0; i++) {
        unsigned char c = (unsigned char)p[i];

        cols += escaped_cols(c, specials);
        if (cols > max_cols) {
            return vouch_buf_puts(out, "...");
        }
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

/* A text quoted in the comment */
static int
add_text(vouch_buf_t *out, const char *p, size_t len)
{
    return add_escaped(out, p, len, "()\\", RSPF_TEXT_COLS);
}

/* "; key=value"; nothing when the value would be too long (see above) */
static int
add_pair(vouch_buf_t *out, const char *key, const char *p, size_t len)
{
    bool atom = is_dot_atom(p, len);
    size_t i, cols = 2;
    int rc;

    for (i = 0; i < len && !atom; i++) {
        cols += escaped_cols((unsigned char)p[i], "\"\\");
    }
    if ((atom ? len : cols) > RSPF_PAIR_COLS) {
        return 0;
    }
    if ((rc = vouch_buf_printf(out, "; %s=", key)) != 0) {
        return rc;
    }
    if (atom) {
        return vouch_buf_add(out, p, len);
    }
    if ((rc = vouch_buf_addc(out, '"')) != 0 ||
        (rc = add_escaped(out, p, len, "\"\\", SIZE_MAX)) != 0) {
        return rc;
    }
    return vouch_buf_addc(out, '"');
}

/* The comment's sentence for each result (after "<receiver>: "). */
static int
add_comment(vouch_buf_t *out, const vouch_spf_result_t *res,
            const vouch_spf_request_t *req, const char *ip,
            vouch_str_t receiver)
{
    const char *s = res->sender.ptr;
    size_t slen = res->sender.len;
    int rc;

    if (slen == 0) { /* no usable identity: name the one checked */
        vouch_str_t given =
            res->identity == VOUCH_SPF_HELO || req->mail_from.len == 0
                ? req->helo
                : req->mail_from;

        s = given.ptr;
        slen = given.len;
    }
    if (s == NULL) {
        s = "";
    }

    if ((rc = vouch_buf_addc(out, '(')) != 0 ||
        (rc = add_text(out, receiver.ptr, receiver.len)) != 0) {
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
            rc = add_text(out, s, slen);
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
            rc = add_text(out, s, slen);
        }
        return rc == 0 ? vouch_buf_puts(out, " does not designate permitted "
                                             "sender hosts)")
                       : rc;
    default:
        rc = vouch_buf_puts(out, ": error in processing during lookup of ");
        break;
    }
    if (rc == 0) {
        rc = add_text(out, s, slen);
    }
    if (rc == 0 && res->code >= VOUCH_SPF_TEMPERROR && res->reason.len > 0) {
        rc = vouch_buf_puts(out, ": ");
        if (rc == 0) {
            rc = add_text(out, res->reason.ptr, res->reason.len);
        }
    }
    return rc == 0 ? vouch_buf_addc(out, ')') : rc;
}

/* Append line to out folded (see the top of the file): a fold goes
 * before a run of spaces and the word after it, never inside the run, so
 * no line ends in a space and none is only spaces (RFC 5322 §3.2.2; the
 * value never ends in a space). */
static int
fold_into(vouch_buf_t *out, const char *line, size_t len)
{
    size_t i = 0, col = RSPF_NAME_COLS;
    int rc = 0;

    while (i < len && rc == 0) {
        size_t end = i, width;

        while (end < len && line[end] == ' ') {
            end++;
        }
        while (end < len && line[end] != ' ') {
            end++;
        }
        width = end - i;
        if (line[i] == ' ' && line[end - 1] != ' ' &&
            col + width > RSPF_LINE_COLS) {
            rc = vouch_buf_add(out, "\r\n", 2);
            col = 0;
        }
        if (rc == 0) {
            rc = vouch_buf_add(out, line + i, width);
        }
        col += width;
        i = end;
    }
    return rc;
}

int
vouch_spf_received_spf(vouch_buf_t *out, const vouch_spf_request_t *req,
                       const vouch_spf_result_t *res)
{
    char ip[VOUCH_IP_STRLEN];
    vouch_str_t receiver = req->receiver;
    vouch_ip_t client = req->ip;
    vouch_buf_t line;
    size_t mark = out->len;
    int rc;

    if (receiver.len == 0) {
        receiver.ptr = "unknown";
        receiver.len = 7;
    }
    vouch_buf_init(&line, out->ctx, out->max);
    (void)vouch_ip_unmap(&client);
    vouch_ip_format(&client, ip);
    rc = vouch_buf_printf(&line, "%s ", vouch_spf_code_name(res->code));
    if (rc == 0) {
        rc = add_comment(&line, res, req, ip, receiver);
    }
    if (rc == 0) {
        rc = vouch_buf_printf(&line, " client-ip=%s", ip);
    }
    /* the envelope sender as given; for a HELO check without one, the
     * postmaster address that was checked */
    if (rc == 0 && req->mail_from.len > 0) {
        rc = add_pair(&line, "envelope-from", req->mail_from.ptr,
                      req->mail_from.len);
    } else if (rc == 0 && res->sender.len > 0) {
        rc = add_pair(&line, "envelope-from", res->sender.ptr, res->sender.len);
    }
    if (rc == 0 && req->helo.len > 0) {
        rc = add_pair(&line, "helo", req->helo.ptr, req->helo.len);
    }
    if (rc == 0) {
        rc = add_pair(&line, "receiver", receiver.ptr, receiver.len);
    }
    if (rc == 0) {
        rc = vouch_buf_printf(&line, "; identity=%s",
                              vouch_spf_identity_name(res->identity));
    }
    if (rc == 0 && res->mechanism.len > 0) {
        rc = add_pair(&line, "mechanism", res->mechanism.ptr,
                      res->mechanism.len);
    }
    if (rc == 0 && res->code >= VOUCH_SPF_TEMPERROR && res->reason.len > 0) {
        rc = add_pair(&line, "problem", res->reason.ptr, res->reason.len);
    }
    if (rc == 0) {
        rc = fold_into(out, line.ptr, line.len);
    }
    vouch_buf_dispose(&line);
    if (rc != 0) {
        out->len = mark;
        if (out->ptr != NULL) {
            out->ptr[mark] = '\0';
        }
    }
    return rc;
}
