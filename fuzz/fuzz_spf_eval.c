/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_spf_eval.c - check_host() on a hostile record. The input
 * (after a first byte that picks the client address and identity) becomes
 * the TXT record of fuzz.example, inside a fixed zone that gives the
 * terms something to find: hosts, MX, PTR, includes, a loop, faults.
 * Every evaluation must end in a verdict, never a crash or a hang.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed_zone[] =
    "$ORIGIN example.\n"
    "mail.fuzz A 192.0.2.1\n"
    "mail.fuzz AAAA 2001:db8::1\n"
    "fuzz MX 10 mail.fuzz\n"
    "inc TXT \"v=spf1 ip4:192.0.2.0/24 include:fuzz.example ~all\"\n"
    "red TXT \"v=spf1 redirect=%{d2}\"\n"
    "exp TXT \"%{i} %{c} %{r} %{t} %{p} %{l} %{o} %{h} %{v}\"\n"
    "1.2.0.192.in-addr.arpa. PTR mail.fuzz.example.\n"
    "$FAULT slow.example. ANY TIMEOUT\n"
    "$FAULT broken.example. A SERVFAIL\n";

static const char *const clients[] = { "192.0.2.1", "2001:db8::1",
                                       "::ffff:192.0.2.1", "198.51.100.9" };

/* Is v a field value whose every CR and LF is a fold (CRLF + space) after
 * a line with more than spaces that does not end in one, and whose lines
 * stay within RFC 5322's 998 (with "Received-SPF: ")? */
static int
folded_ok(const char *v, size_t len)
{
    size_t i, col = 14;
    int text = 1;

    for (i = 0; i < len; i++) {
        if (v[i] == '\r' || v[i] == '\n') {
            if (v[i] != '\r' || len - i < 3 || v[i + 1] != '\n' ||
                v[i + 2] != ' ' || !text || (i > 0 && v[i - 1] == ' ')) {
                return 0;
            }
            i++;
            col = 0;
            text = 0;
        } else if (++col > 998) {
            return 0;
        } else if (v[i] != ' ') {
            text = 1;
        }
    }
    return text;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vouch_ctx_t *ctx = NULL;
    vouch_zone_t *zone = NULL;
    vouch_resolver_t *r = NULL;
    vouch_spf_request_t req = VOUCH_SPF_REQUEST_INIT;
    vouch_spf_result_t res;
    vouch_buf_t text, hdr;
    const char *ip;
    size_t i;

    if (size < 1 || size > 4096 || vouch_ctx_new(&ctx, NULL) != 0) {
        return 0;
    }
    vouch_buf_init(&text, ctx, 1 << 20);
    vouch_buf_init(&hdr, ctx, 1 << 20);
    if (vouch_buf_puts(&text, fixed_zone) != 0 ||
        vouch_buf_puts(&text, "fuzz.example. TXT \"") != 0) {
        goto out;
    }
    /* the record, in 255-byte strings, every byte as \DDD */
    for (i = 1; i < size; i++) {
        if (i > 1 && (i - 1) % 255 == 0 &&
            vouch_buf_puts(&text, "\" \"") != 0) {
            goto out;
        }
        if (vouch_buf_printf(&text, "\\%03u", data[i]) != 0) {
            goto out;
        }
    }
    if (vouch_buf_puts(&text, "\"\n") != 0 || vouch_zone_new(&zone, ctx) != 0 ||
        vouch_zone_load_text(zone, text.ptr, text.len, "fuzz", NULL) != 0 ||
        vouch_resolver_new_zone(&r, ctx, zone) != 0) {
        vouch_zone_free(zone);
        goto out;
    }
    ip = clients[data[0] & 3];
    if (vouch_ip_parse(&req.ip, ip, strlen(ip)) != 0) {
        abort();
    }
    req.mail_from.ptr = (data[0] & 4) ? "a.b@fuzz.example" : "";
    req.mail_from.len = strlen(req.mail_from.ptr);
    req.helo.ptr = "fuzz.example";
    req.helo.len = 12;
    req.check_helo = (data[0] & 8) != 0;
    vouch_spf_result_init(&res, ctx);
    if (vouch_spf_check(&res, ctx, r, &req, NULL) == 0) {
        if (res.lookups > 11 || res.void_lookups > 3 ||
            (res.has_explanation && res.code != VOUCH_SPF_FAIL)) {
            abort(); /* the limits and the exp rule always hold */
        }
        if (vouch_spf_received_spf(&hdr, &req, &res) == 0 &&
            !folded_ok(hdr.ptr, hdr.len)) {
            abort(); /* a header that a record could end early */
        }
    }
    vouch_spf_result_dispose(&res);
out:
    vouch_resolver_free(r);
    vouch_buf_dispose(&text);
    vouch_buf_dispose(&hdr);
    vouch_ctx_free(ctx);
    return 0;
}
