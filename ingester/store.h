/* store.h: --store DIR: each application's stacks aggregated as folded text, one file per
 * profile type (DIR/<app>@<type>.folded, "frame;frame;frame COUNT" per distinct stack,
 * sorted), rewritten atomically (temporary file + rename) by ing_store_flush. A type's
 * values are of one kind (CPU samples, bytes, objects...: decode.h, "profile type"), so
 * they are never summed with another type's.
 *
 * Bounded: at most max_apps applications, ING_STORE_MAX_TYPES profile types each,
 * max_app_bytes per application (all its types) and max_bytes in all (a stack costs its
 * text and STORE_STACK_OVERHEAD bytes), max_stacks distinct stacks per application (all
 * its types). A stack that would go past a bound is not kept: ing_store_add says so, and
 * the caller counts it (stacks_cut in /stats). File names are lib/store_name.h's,
 * injective: two (application, type) pairs never share a file.
 *
 * Nothing measured is lost to a restart: ing_store_init reads back the files an earlier
 * ingester left in DIR (a restarted ingester, a resumed suite), within the same bounds, so
 * its first flush rewrites them with the old stacks and the new ones together. A file of
 * an ingester before profile types (DIR/<app>.folded: every type of the application
 * together) comes back as the application's type "" and keeps its name. */
#ifndef ING_STORE_H
#define ING_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store_name.h"
#include "strmap.h"

/* What a kept stack costs beyond its text: its table entry and key allocation. */
#define STORE_STACK_OVERHEAD 64

/* Profile types kept per application. */
#define ING_STORE_MAX_TYPES 32

typedef struct ing_store_limits {
    size_t max_apps;      /* applications kept */
    size_t max_bytes;     /* bytes of every application's stacks together */
    size_t max_app_bytes; /* bytes of one application's stacks */
    size_t max_stacks;    /* distinct stacks of one application */
} ing_store_limits;

typedef struct ing_store {
    char *dir;
    ab_strmap apps; /* application -> store_app* (its types -> their stacks) */
    ing_store_limits lim;
    size_t bytes;    /* of every application's stacks */
    uint64_t stacks; /* distinct stacks kept, every application's */
    int dirty;
    struct {                        /* what ing_store_init read back from DIR */
        size_t files, apps, stacks; /* stacks: distinct ones kept */
        size_t untyped;             /* files of an ingester before profile types */
        size_t cut;                 /* lines past a bound, not kept */
        size_t bad_lines;           /* lines that are no "STACK COUNT" */
        size_t unreadable;          /* files that could not be read, or are not ours */
    } loaded;
} ing_store;

/* Create DIR when missing, else read back its NAME.folded files (s->loaded says what was
 * kept). lim: NULL for the defaults (256 applications, 32 MiB each,
 * 256 MiB in all, a million stacks each). 0, or -1 with a message in err. */
int ing_store_init(ing_store *s, const char *dir, const ing_store_limits *lim, char *err,
                   size_t errlen);
void ing_store_free(ing_store *s);

/* Add value to the stack's count in the application's profile type (NULL or "": the
 * untyped stacks of an earlier ingester's file): 0, or -1 when it is not kept (a bound, or
 * an application and type whose file name would be too long). */
int ing_store_add(ing_store *s, const char *app, const char *type, const char *folded, size_t len,
                  uint64_t value);

/* Rewrite the files of the applications' types changed since the last flush. 0, or -1
 * (errno set) when a file could not be written (the others still are). */
int ing_store_flush(ing_store *s);

/* A type's file name is lib/store_name.h's ab_store_file_name (the runner, `agentbench
 * flamegraph --from-ingester` and the PMDA read the same files). */

#endif
