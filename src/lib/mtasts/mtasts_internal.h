/* SPDX-License-Identifier: MIT */
/*
 * mtasts/mtasts_internal.h - what the MTA-STS files share, and the host
 * name check TLS-RPT uses for its URIs too.
 */
#ifndef VOUCH_MTASTS_INTERNAL_H
#define VOUCH_MTASTS_INTERNAL_H

#include "vouch/mtasts.h"
#include "../core/internal.h"

/*
 * Is p[0..len) a host name in LDH form (RFC 5321 "Domain": labels of
 * letters, digits and '-', 1..63 bytes, not starting or ending with '-',
 * separated by single dots, no final dot, at most 253 bytes)? On false,
 * *bad (if not NULL) is the offset of the first fault and *why says what.
 */
VOUCH_HIDDEN bool vouch__ldh_domain_check(const char *p, size_t len,
                                          size_t *bad, const char **why);

/* Extension name of RFC 8461 / RFC 8460: (ALPHA / DIGIT) *31(ALPHA /
 * DIGIT / "_" / "-" / "."). */
VOUCH_HIDDEN bool vouch__sts_ext_name_ok(const char *p, size_t len);

/* Index of the first byte of p[0..len) that is not an RFC 8461 / RFC 8460
 * record extension-value character (%x21-3A / %x3C / %x3E-7E), or len. */
VOUCH_HIDDEN size_t vouch__sts_ext_value_bad(const char *p, size_t len);

/*
 * The field scanner both TXT record formats share (RFC 8461 §3.1, RFC 8460
 * §3: fields after the version, separated by *WSP ";" *WSP, one final ";"
 * allowed). At *p (after the version or the previous value) it returns 0
 * at the end of the record, or 1 with the field's name in *name and *p at
 * the first byte of its value (whitespace around "=" skipped); the caller
 * consumes the value. VOUCH_ESYNTAX (module mod, offset into txt) for a
 * missing ";", an empty field or a field without "=".
 */
VOUCH_HIDDEN int vouch__sts_field(const char *txt, const char **p,
                                  const char *end, vouch_str_t *name,
                                  const char *mod, vouch_error_t *err);

/* The plain value at *p: the bytes up to ";", whitespace or the end;
 * advances *p past it. */
VOUCH_HIDDEN vouch_str_t vouch__sts_value(const char **p, const char *end);

/* An extension field (name, value) of either record. Returns 0 or
 * VOUCH_ESYNTAX (module mod, offset into txt). */
VOUCH_HIDDEN int vouch__sts_ext_check(const char *txt, vouch_str_t name,
                                      vouch_str_t value, const char *mod,
                                      vouch_error_t *err);

#endif
