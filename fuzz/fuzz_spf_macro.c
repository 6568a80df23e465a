/* SPDX-License-Identifier: MIT */
/*
 * fuzz/fuzz_spf_macro.c - SPF macro syntax check and expansion (macro.c).
 * The first byte picks the context (domain-spec, modifier, explanation)
 * and the client address family; the rest is the macro-string.
 */
#include <stdint.h>
#include <string.h>

#include "vouch/vouch.h"
#include "spf/spf_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
ptr_stub(void *payload, vouch_str_t *out)
{
    (void)payload;
    out->ptr = "mx.example.org";
    out->len = 14;
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char sender[] = "strong-bad@email.example.com";
    spf_macro_env_t env;
    spf_macro_where_t where;
    vouch_ip_t ip;
    vouch_buf_t out;
    size_t bad;

    if (size < 1) {
        return 0;
    }
    where = (spf_macro_where_t)(data[0] % 3);
    memset(&env, 0, sizeof(env));
    if (((data[0] & 4) ? vouch_ip_parse(&ip, "2001:db8::cb01", 14)
                       : vouch_ip_parse(&ip, "192.0.2.3", 9)) != 0) {
        __builtin_trap();
    }
    env.sender.ptr = sender;
    env.sender.len = sizeof(sender) - 1;
    env.local.ptr = sender;
    env.local.len = 10;
    env.sender_domain.ptr = sender + 11;
    env.sender_domain.len = sizeof(sender) - 12;
    env.domain = env.sender_domain;
    env.helo = env.sender_domain;
    env.ip = &ip;
    env.now = 1700000000;
    env.ptr_fn = (data[0] & 8) ? ptr_stub : NULL;
    data++;
    size--;
    if (vouch__spf_macro_check((const char *)data, size, where, &bad) != 0) {
        if (bad >= size) {
            __builtin_trap();
        }
        return 0;
    }
    (void)vouch__spf_domain_end_ok((const char *)data, size);
    vouch_buf_init(&out, NULL, 1 << 16);
    (void)vouch__spf_macro_expand(&out, (const char *)data, size, where, &env);
    vouch_buf_dispose(&out);
    return 0;
}
