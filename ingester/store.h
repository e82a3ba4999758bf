/* store.h: --store DIR: each application's stacks aggregated as folded text
 * (DIR/<app>.folded, "frame;frame;frame COUNT" per distinct stack, sorted), rewritten
 * atomically (temporary file + rename) by store_flush. */
#ifndef ING_STORE_H
#define ING_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "strmap.h"

typedef struct ing_store {
    char *dir;
    strmap apps;            /* application -> store_app* */
    size_t max_stacks;      /* distinct stacks kept per application */
    uint64_t dropped;       /* stacks not kept because an application was full */
    int dirty;
} ing_store;

/* Create DIR when missing. 0, or -1 with a message in err. */
int store_init(ing_store *s, const char *dir, char *err, size_t errlen);
void store_free(ing_store *s);

void store_add(ing_store *s, const char *app, const char *folded, size_t len, uint64_t value);

/* Rewrite the files of applications changed since the last flush. 0, or -1 (errno set)
 * when a file could not be written (the others still are). */
int store_flush(ing_store *s);

/* The file name for an application: characters other than letters, digits, '.', '_' and
 * '-' become '_', a leading '.' too; ".folded" appended. */
void store_file_name(const char *app, char *out, size_t outlen);

#endif
