/* strmap.h: agentbench's hash table: open addressing (linear probing, FNV-1a), byte-string
 * keys (copied) to a 64-bit value or a pointer. The ingester's per-application counters
 * and --store's stack tables, the runner's folded-stack multisets (flamegraph/fold.c).
 * The C agent keeps tables of its own (benchmarks/agent/folded.c): it is linked into the
 * programs it measures and depends on nothing of agentbench's. */
#ifndef AB_STRMAP_H
#define AB_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct ab_strmap_entry {
    char *key; /* NUL-terminated copy of the key (NULL: empty slot) */
    size_t klen;
    uint64_t hash;
    union {
        uint64_t u;
        void *p;
    } val;
} ab_strmap_entry;

typedef struct ab_strmap {
    ab_strmap_entry *slots;
    size_t cap; /* power of two, 0 before the first insert */
    size_t len;
} ab_strmap;

uint64_t ab_strmap_hash(const char *key, size_t klen);

/* Find the entry for key, or NULL. */
ab_strmap_entry *ab_strmap_find(const ab_strmap *m, const char *key, size_t klen);

/* Find the entry for key, inserting it (value zeroed) when absent. *created tells which.
 * NULL when out of memory. Pointers to entries are valid until the next insert. */
ab_strmap_entry *ab_strmap_upsert(ab_strmap *m, const char *key, size_t klen, int *created);

/* Free the table and the key copies (not what val.p points at). */
void ab_strmap_free(ab_strmap *m);

#define ab_strmap_foreach(m, e)                                                \
    for (ab_strmap_entry *e = (m)->slots; e && e < (m)->slots + (m)->cap; e++) \
        if (e->key)

#endif
