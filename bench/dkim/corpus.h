/* SPDX-License-Identifier: MIT */
/*
 * bench/dkim/corpus.h - shared by the C drivers of the DKIM benchmark:
 * load every *.eml of a folder into memory (sorted by name), find where
 * the header ends, time things. The figures are per second of CPU time
 * of the process (user + system), not of the wall clock: on a shared
 * machine the wall clock counts other people's work too, while the CPU
 * time is what the work costs (openssl speed counts the same way).
 */
#ifndef BENCH_DKIM_CORPUS_H
#define BENCH_DKIM_CORPUS_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct msg {
    char name[64];
    unsigned char *data;
    size_t len;
    size_t hlen; /* header bytes, through the blank line */
} msg_t;

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(((const msg_t *)a)->name, ((const msg_t *)b)->name);
}

static unsigned char *
read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *p;
    long n;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0 || (p = malloc((size_t)n + 1)) == NULL ||
        fread(p, 1, (size_t)n, f) != (size_t)n) {
        perror(path);
        exit(1);
    }
    fclose(f);
    p[n] = '\0';
    *len = (size_t)n;
    return p;
}

/* Loads the .eml files of DIR, or the single file DIR. Returns the count. */
static size_t
load_corpus(const char *dir, msg_t **out)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    msg_t *m = NULL;
    size_t n = 0, cap = 0, i;
    char path[4096];

    if (d == NULL) { /* one file */
        m = calloc(1, sizeof(*m));
        snprintf(m->name, sizeof(m->name), "%s", dir);
        m->data = read_all(dir, &m->len);
        n = 1;
    } else {
        while ((e = readdir(d)) != NULL) {
            size_t l = strlen(e->d_name);

            if (l < 5 || strcmp(e->d_name + l - 4, ".eml") != 0) {
                continue;
            }
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                m = realloc(m, cap * sizeof(*m));
            }
            snprintf(m[n].name, sizeof(m[n].name), "%s", e->d_name);
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            m[n].data = read_all(path, &m[n].len);
            n++;
        }
        closedir(d);
        qsort(m, n, sizeof(*m), name_cmp);
    }
    for (i = 0; i < n; i++) {
        unsigned char *p =
            (unsigned char *)strstr((char *)m[i].data, "\r\n\r\n");
        m[i].hlen = p ? (size_t)(p - m[i].data) + 4 : m[i].len;
    }
    *out = m;
    return n;
}

#endif
