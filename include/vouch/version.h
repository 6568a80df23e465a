/* SPDX-License-Identifier: MIT */
/*
 * vouch/version.h - library version, for compile-time and run-time checks.
 */
#ifndef VOUCH_VERSION_H
#define VOUCH_VERSION_H

#define VOUCH_VERSION_MAJOR  0
#define VOUCH_VERSION_MINOR  1
#define VOUCH_VERSION_PATCH  0
#define VOUCH_VERSION_STRING "0.1.0"

#endif
