/* SPDX-License-Identifier: MIT */
/*
 * core/dl.c - a shared library loaded on first use (dlopen) and a table
 * of its symbols filled in one go: how libcurl and libxml2 reach vouch
 * without costing every process their dependency trees at start.
 */
#include <dlfcn.h>

#include "internal.h"

/* see internal.h */
bool
vouch__dl_load(const char *soname, const vouch__dl_sym_t *syms, size_t n)
{
    void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    size_t i;

    if (lib == NULL) {
        return false;
    }
    for (i = 0; i < n; i++) {
        if ((*syms[i].slot = dlsym(lib, syms[i].name)) == NULL) {
            dlclose(lib);
            return false;
        }
    }
    return true; /* the library stays loaded for the process */
}
