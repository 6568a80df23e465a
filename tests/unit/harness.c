/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/harness.c - the runner behind harness.h.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

int test_failures_in_case;
const char *test_current = "";
unsigned long test_oom_fail_at;
unsigned long test_oom_count;
long test_oom_live;

static vouch_ctx_t *plain_ctx;
static vouch_ctx_t *oom_ctx;

static void *
oom_malloc(size_t size, void *payload)
{
    void *p;

    (void)payload;
    if (test_oom_fail_at != 0 && ++test_oom_count == test_oom_fail_at) {
        return NULL;
    }
    p = malloc(size);
    if (p != NULL) {
        test_oom_live++;
    }
    return p;
}

static void *
oom_realloc(void *ptr, size_t size, void *payload)
{
    void *p;

    (void)payload;
    if (test_oom_fail_at != 0 && ++test_oom_count == test_oom_fail_at) {
        return NULL;
    }
    p = realloc(ptr, size);
    if (p != NULL && ptr == NULL) {
        test_oom_live++;
    }
    return p;
}

static void
oom_free(void *ptr, void *payload)
{
    (void)payload;
    if (ptr != NULL) {
        test_oom_live--;
    }
    free(ptr);
}

vouch_ctx_t *
test_oom_ctx(void)
{
    vouch_allocator_t a = { oom_malloc, oom_realloc, oom_free, NULL };

    if (oom_ctx == NULL && vouch_ctx_new(&oom_ctx, &a) != 0) {
        abort();
    }
    return oom_ctx;
}

vouch_ctx_t *
test_ctx(void)
{
    if (plain_ctx == NULL && vouch_ctx_new(&plain_ctx, NULL) != 0) {
        abort();
    }
    return plain_ctx;
}

const char *
test_testdata_dir(void)
{
    static char path[4096];
    const char *env = getenv("VOUCH_TESTDATA");
    FILE *f;

    if (env != NULL && *env != '\0') {
        return env;
    }
#ifdef VOUCH_TESTDATA_DEFAULT
    (void)snprintf(path, sizeof(path), "%s/spf/SOURCES.md",
                   VOUCH_TESTDATA_DEFAULT);
    f = fopen(path, "r");
    if (f != NULL) {
        fclose(f);
        return VOUCH_TESTDATA_DEFAULT;
    }
#else
    (void)f;
    (void)path;
#endif
    return NULL;
}

const char *
test_testdata_or_skip(void)
{
    const char *dir = test_testdata_dir();

    if (dir == NULL) {
        printf("SKIP: the shared test data is missing (set VOUCH_TESTDATA)\n");
        exit(77);
    }
    return dir;
}

char *
test_unfold(const char *v, size_t len, size_t first_cols, size_t max_cols,
            size_t *out_len)
{
    char *out = malloc(len + 1);
    size_t i, o = 0, col = first_cols;
    bool text = true; /* the line so far has more than WSP */

    for (i = 0; out != NULL && i < len; i++) {
        if (v[i] == '\r' || v[i] == '\n') {
            if (v[i] != '\r' || len - i < 3 || v[i + 1] != '\n' ||
                (v[i + 2] != ' ' && v[i + 2] != '\t') || !text ||
                (i > 0 && (v[i - 1] == ' ' || v[i - 1] == '\t'))) {
                free(out);
                return NULL;
            }
            i++;
            col = 0;
            text = false;
        } else if (++col > max_cols) {
            free(out);
            return NULL;
        } else {
            text = text || (v[i] != ' ' && v[i] != '\t');
            out[o++] = v[i];
        }
    }
    if (out != NULL && !text) { /* a last line of only WSP */
        free(out);
        return NULL;
    }
    if (out != NULL) {
        out[o] = '\0';
        *out_len = o;
    }
    return out;
}

char *
test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (f == NULL) {
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
        if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        } else {
            buf[n] = '\0';
            *len = (size_t)n;
        }
    }
    fclose(f);
    return buf;
}

int
test_run(const test_case_t *cases, size_t n, int argc, char **argv)
{
    size_t i;
    int passed = 0, failed = 0;

    for (i = 0; i < n; i++) {
        if (argc > 1) {
            int j, want = 0;

            for (j = 1; j < argc; j++) {
                if (strcmp(argv[j], cases[i].name) == 0) {
                    want = 1;
                }
            }
            if (!want) {
                continue;
            }
        }
        test_current = cases[i].name;
        test_failures_in_case = 0;
        cases[i].fn();
        if (test_failures_in_case == 0) {
            passed++;
        } else {
            failed++;
            fprintf(stderr, "FAILED %s\n", cases[i].name);
        }
    }
    vouch_ctx_free(plain_ctx);
    vouch_ctx_free(oom_ctx);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
