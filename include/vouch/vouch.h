/* SPDX-License-Identifier: MIT */
/*
 * vouch/vouch.h - everything: include this one header.
 */
#ifndef VOUCH_VOUCH_H
#define VOUCH_VOUCH_H

#include "version.h"
#include "common.h"
#include "error.h"
#include "dns.h"
#include "spf.h"
#include "mail.h"
#include "address.h"
#include "dkim.h"
#include "authres.h"
#include "dmarc.h"
#include "arc.h"
#include "http.h"
#include "mtasts.h"
#include "tlsrpt.h"
#include "audit.h"
#include "bimi.h"
#include "setup.h"

#endif
