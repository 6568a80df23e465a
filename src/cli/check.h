/* SPDX-License-Identifier: MIT */
/*
 * cli/check.h - what check.c (running, bulk) and check_out.c (JSON and
 * human output) of `vouch check` share.
 */
#ifndef VOUCH_CLI_CHECK_H
#define VOUCH_CLI_CHECK_H

#include "cli.h"

/* The JSON object of one audit (docs/check.md). */
json_t *check_json(const vouch_audit_result_t *r);

/* {"domain": input, "error": msg} for a domain that could not be checked. */
json_t *check_error_json(const char *input, const char *msg);

/* The human report; ANSI colour when tty. */
void check_human(FILE *f, const vouch_audit_result_t *r, bool tty);

#endif
