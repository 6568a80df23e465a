/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_psl_vectors.c - the Public Suffix List test vectors
 * (../shared/testdata/psl, see its SOURCES.md) against
 * vouch_psl_org_domain() with the list snapshot kept beside them.
 *
 * Both files are read: tests.txt ("<input> <expected>") and test_psl.txt
 * (checkPublicSuffix('<input>', '<expected>'); lines). "null" input is a
 * NULL domain, "null" output means no registrable domain. Lines commented
 * out upstream ("//") are skipped. Prints "N passed, N failed".
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

static unsigned passed, failed;

static void
check_vector(const vouch_psl_t *psl, const char *file, unsigned line,
             const char *in, const char *want)
{
    char out[VOUCH_DNS_NAME_MAX + 1];
    int rc;

    rc = vouch_psl_org_domain(psl, in, out);
    if (want == NULL ? rc != 0 : (rc == 0 && strcmp(out, want) == 0)) {
        passed++;
        return;
    }
    failed++;
    fprintf(stderr, "  FAIL %s:%u: '%s' -> rc %d '%s', want '%s'\n", file, line,
            in != NULL ? in : "null", rc, rc == 0 ? out : "",
            want != NULL ? want : "null");
}

/* Split one vector line into its input and expected output (NULL for
 * "null"). Returns false for comments and blank lines. */
static bool
parse_line(char *s, bool js, const char **in, const char **want)
{
    char *a, *b, *end;

    while (*s == ' ' || *s == '\t') {
        s++;
    }
    if (*s == '\0' || *s == '\n' || strncmp(s, "//", 2) == 0) {
        return false;
    }
    end = s + strcspn(s, "\r\n");
    *end = '\0';
    if (js) {
        /* checkPublicSuffix('in', 'out'); with null unquoted */
        char *args = strchr(s, '(');

        if (args == NULL) {
            return false;
        }
        a = args + 1;
        b = strchr(a, ',');
        if (b == NULL) {
            return false;
        }
        *b++ = '\0';
        while (*b == ' ') {
            b++;
        }
        b[strcspn(b, ")")] = '\0';
        if (*a == '\'') {
            a++;
            a[strcspn(a, "'")] = '\0';
        }
        if (*b == '\'') {
            b++;
            b[strcspn(b, "'")] = '\0';
        }
    } else {
        a = s;
        b = s + strcspn(s, " \t");
        if (*b == '\0') {
            return false;
        }
        *b++ = '\0';
        b += strspn(b, " \t");
    }
    *in = strcmp(a, "null") == 0 ? NULL : a;
    *want = strcmp(b, "null") == 0 ? NULL : b;
    return true;
}

static unsigned
run_file(const vouch_psl_t *psl, const char *dir, const char *name, bool js)
{
    char path[4200], *text, *line, *next;
    unsigned n = 0, lineno = 0;
    size_t len;

    (void)snprintf(path, sizeof(path), "%s/psl/%s", dir, name);
    text = test_read_file(path, &len);
    if (text == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
        failed++;
        return 0;
    }
    for (line = text; line != NULL && *line != '\0'; line = next) {
        const char *in, *want;

        next = strchr(line, '\n');
        if (next != NULL) {
            *next++ = '\0';
        }
        lineno++;
        if (parse_line(line, js, &in, &want)) {
            check_vector(psl, name, lineno, in, want);
            n++;
        }
    }
    free(text);
    return n;
}

int
main(void)
{
    const char *dir = test_testdata_or_skip();
    char path[4200];
    vouch_psl_t *psl = NULL;
    vouch_error_t err;
    unsigned a, b;

    (void)snprintf(path, sizeof(path), "%s/psl/public_suffix_list.dat", dir);
    if (vouch_psl_load(&psl, test_ctx(), path, &err) != 0) {
        printf("cannot load %s: %s\n0 passed, 1 failed\n", path, err.msg);
        return 1;
    }
    a = run_file(psl, dir, "tests.txt", false);
    b = run_file(psl, dir, "test_psl.txt", true);
    vouch_psl_free(psl);
    printf("tests.txt: %u vectors, test_psl.txt: %u vectors\n", a, b);
    if (a == 0 || a != b) {
        printf("the two files should hold the same vectors\n");
        failed++;
    }
    printf("%u passed, %u failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
