/* strmap.c: open-addressing (linear probing) hash table keyed by byte strings. */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

uint64_t ab_strmap_hash(const char *key, size_t klen) {
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < klen; i++) {
        h ^= (unsigned char)key[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

static ab_strmap_entry *probe(ab_strmap_entry *slots, size_t cap, uint64_t hash, const char *key,
                              size_t klen) {
    size_t i = (size_t)hash & (cap - 1);
    for (;;) {
        ab_strmap_entry *e = &slots[i];
        if (!e->key) return e;
        if (e->hash == hash && e->klen == klen && memcmp(e->key, key, klen) == 0) return e;
        i = (i + 1) & (cap - 1);
    }
}

ab_strmap_entry *ab_strmap_find(const ab_strmap *m, const char *key, size_t klen) {
    if (m->cap == 0) return NULL;
    ab_strmap_entry *e = probe(m->slots, m->cap, ab_strmap_hash(key, klen), key, klen);
    return e->key ? e : NULL;
}

static int grow(ab_strmap *m) {
    size_t ncap = m->cap ? m->cap * 2 : 16;
    ab_strmap_entry *ns = calloc(ncap, sizeof *ns);
    if (!ns) return -1;
    for (size_t i = 0; i < m->cap; i++) {
        ab_strmap_entry *o = &m->slots[i];
        if (o->key) *probe(ns, ncap, o->hash, o->key, o->klen) = *o;
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return 0;
}

ab_strmap_entry *ab_strmap_upsert(ab_strmap *m, const char *key, size_t klen, int *created) {
    if ((m->len + 1) * 10 > m->cap * 7 && grow(m) < 0) return NULL;
    uint64_t hash = ab_strmap_hash(key, klen);
    ab_strmap_entry *e = probe(m->slots, m->cap, hash, key, klen);
    if (e->key) {
        if (created) *created = 0;
        return e;
    }
    char *copy = malloc(klen + 1);
    if (!copy) return NULL;
    memcpy(copy, key, klen);
    copy[klen] = '\0';
    e->key = copy;
    e->klen = klen;
    e->hash = hash;
    e->val.u = 0;
    m->len++;
    if (created) *created = 1;
    return e;
}

void ab_strmap_free(ab_strmap *m) {
    for (size_t i = 0; i < m->cap; i++) free(m->slots[i].key);
    free(m->slots);
    m->slots = NULL;
    m->cap = m->len = 0;
}
