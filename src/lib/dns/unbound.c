/* throwaway stub */
#include "dns_internal.h"
int vouch_resolver_new_unbound(vouch_resolver_t **out, const vouch_ctx_t *ctx, const vouch_unbound_options_t *opts, vouch_error_t *err) { (void)ctx; (void)opts; *out = NULL; return vouch__error(err, VOUCH_EIO, "dns", 0, "stub"); }
