/* SPDX-License-Identifier: MIT */
/*
 * cli/json.c - the one place JSON is written: jansson does the encoding
 * and escaping; bytes that are not UTF-8 (hostile DNS or SMTP input) are
 * shown as \xHH text instead of making the encoder fail.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

json_t *
cli_json_bytes(const char *p, size_t len)
{
    json_t *s;
    char *tmp;
    size_t i, o = 0;
    static const char hx[] = "0123456789abcdef";

    if (p == NULL) {
        return json_null();
    }
    s = json_stringn(p, len); /* NULL when p is not valid UTF-8 */
    if (s != NULL) {
        return s;
    }
    if (len > (SIZE_MAX - 1) / 4) {
        return NULL;
    }
    tmp = malloc(len * 4 + 1);
    if (tmp == NULL) {
        return NULL;
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];

        if (c >= 0x20 && c < 0x7f) {
            tmp[o++] = (char)c;
        } else {
            tmp[o++] = '\\';
            tmp[o++] = 'x';
            tmp[o++] = hx[c >> 4];
            tmp[o++] = hx[c & 15];
        }
    }
    s = json_stringn(tmp, o);
    free(tmp);
    return s;
}

int
cli_json_print(FILE *f, json_t *obj, bool pretty)
{
    int rc;

    if (obj == NULL) {
        return -1;
    }
    rc = json_dumpf(obj, f,
                    (pretty ? JSON_INDENT(2) : JSON_COMPACT) |
                        JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    json_decref(obj);
    if (rc != 0 || fputc('\n', f) == EOF) {
        return -1;
    }
    return 0;
}
