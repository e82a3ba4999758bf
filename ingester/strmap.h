/* strmap.h: a small open-addressing hash table from byte-string keys to a 64-bit value
 * or a pointer. Used for the per-application counters and for --store's stack tables. */
#ifndef ING_STRMAP_H
#define ING_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct strmap_entry {
    char *key;          /* NUL-terminated copy of the key (NULL: empty slot) */
    size_t klen;
    uint64_t hash;
    union {
        uint64_t u;
        void *p;
    } val;
} strmap_entry;

typedef struct strmap {
    strmap_entry *slots;
    size_t cap;         /* power of two, 0 before the first insert */
    size_t len;
} strmap;

uint64_t strmap_hash(const char *key, size_t klen);

/* Find the entry for key, or NULL. */
strmap_entry *strmap_find(const strmap *m, const char *key, size_t klen);

/* Find the entry for key, inserting it (value zeroed) when absent. *created tells which.
 * NULL when out of memory. Pointers to entries are valid until the next insert. */
strmap_entry *strmap_upsert(strmap *m, const char *key, size_t klen, int *created);

/* Free the table and the key copies (not what val.p points at). */
void strmap_free(strmap *m);

#define strmap_foreach(m, e) \
    for (strmap_entry *e = (m)->slots; e && e < (m)->slots + (m)->cap; e++) if (e->key)

#endif
