/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/harness.h - a tiny test runner for the unit tests.
 *
 * A test file defines its cases as functions `static void
 * test_<module>__<case>(void)` and lists them with TEST_LIST; main() comes
 * from TEST_MAIN. Run one case by naming it: `test_spf spf__macro_basic`.
 * CHECK records a failure and goes on; REQUIRE stops the case.
 * The runner prints "<n> passed, <n> failed" and exits 1 on any failure.
 *
 * An allocator that fails the Nth allocation is provided for OOM sweeps
 * (STYLE.md §8): test_oom_ctx() returns a context whose allocation number
 * test_oom_fail_at (1-based; 0 = never) returns NULL; test_oom_live counts
 * blocks not yet freed, so a sweep can check nothing leaked.
 */
#ifndef VOUCH_TEST_HARNESS_H
#define VOUCH_TEST_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vouch.h"

extern int test_failures_in_case;
extern const char *test_current;

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "  FAIL %s: %s:%d: %s\n", test_current, __FILE__,  \
                    __LINE__, #cond);                                          \
            test_failures_in_case++;                                           \
        }                                                                      \
    } while (0)

#define REQUIRE(cond)                                                          \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "  FAIL %s: %s:%d: %s (stopping case)\n",          \
                    test_current, __FILE__, __LINE__, #cond);                  \
            test_failures_in_case++;                                           \
            return;                                                            \
        }                                                                      \
    } while (0)

/* CHECK with a printf-style message when it fails (for table rows). */
#define CHECKF(cond, ...)                                                      \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "  FAIL %s: %s:%d: %s: ", test_current, __FILE__,  \
                    __LINE__, #cond);                                          \
            fprintf(stderr, __VA_ARGS__);                                      \
            fprintf(stderr, "\n");                                             \
            test_failures_in_case++;                                           \
        }                                                                      \
    } while (0)

#define CHECK_STR(got, want)                                                   \
    CHECKF(strcmp((got), (want)) == 0, "got \"%s\", want \"%s\"", (got), (want))

typedef struct test_case {
    const char *name;
    void (*fn)(void);
} test_case_t;

#define TEST(name)                                                             \
    {                                                                          \
#name, test_##name                                                     \
    }

/* OOM injection (harness.c). */
extern unsigned long test_oom_fail_at;
extern unsigned long test_oom_count;
extern long test_oom_live;
vouch_ctx_t *test_oom_ctx(void);

/* A plain context for tests; freed at exit. */
vouch_ctx_t *test_ctx(void);

/* Folder of the shared conformance data, or NULL (then the case says it
 * skips; .ci/run makes sure that never happens in CI). */
const char *test_testdata_dir(void);

/* The folder of the shared test data, or exit 77 (meson: skipped) with a
 * message when it is absent. CI treats a skip as a failure. */
const char *test_testdata_or_skip(void);

/* Read a whole file into a malloc'ed buffer (NUL added); NULL on error. */
char *test_read_file(const char *path, size_t *len);

/* A header field's value v[0..len) unfolded (each CRLF before a WSP
 * removed) into a malloc'ed string, *out_len its length; NULL when a CR
 * or LF stands anywhere but in such a fold, a line is only WSP or ends in
 * WSP before a fold, or a line would be longer than max_cols, the first
 * counting first_cols (the field name). */
char *test_unfold(const char *v, size_t len, size_t first_cols, size_t max_cols,
                  size_t *out_len);

int test_run(const test_case_t *cases, size_t n, int argc, char **argv);

#define TEST_MAIN(list)                                                        \
    int main(int argc, char **argv)                                            \
    {                                                                          \
        return test_run(list, sizeof(list) / sizeof(list[0]), argc, argv);     \
    }

#endif
