/* folded.c: the stack table (open addressing on a hash of the frame-id sequence) and the
 * name table (open addressing on a hash of the string) behind folded.h. */
#include "folded.h"

#include <stdlib.h>
#include <string.h>

typedef struct stack_entry {
    uint64_t hash;
    uint64_t count;
    uint32_t n;
    uint32_t *ids; /* NULL: empty slot */
} stack_entry;

struct agent_folded {
    stack_entry *stacks;
    size_t stack_cap, stack_used;
    uint64_t samples, lost;
    char **names; /* by id */
    size_t nnames, names_cap;
    uint32_t *name_slots; /* hash slots holding id + 1; 0 = empty */
    size_t name_slot_cap;
};

static uint64_t hash_bytes(const void *p, size_t len) {
    const unsigned char *b = p;
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

agent_folded *agent_folded_new(void) {
    agent_folded *f = calloc(1, sizeof *f);
    if (f == NULL) return NULL;
    f->stack_cap = 256;
    f->stacks = calloc(f->stack_cap, sizeof(stack_entry));
    f->name_slot_cap = 256;
    f->name_slots = calloc(f->name_slot_cap, sizeof(uint32_t));
    if (f->stacks == NULL || f->name_slots == NULL) {
        agent_folded_free(f);
        return NULL;
    }
    return f;
}

void agent_folded_reset(agent_folded *f) {
    for (size_t i = 0; i < f->stack_cap; i++) {
        free(f->stacks[i].ids);
        f->stacks[i].ids = NULL;
    }
    f->stack_used = 0;
    f->samples = 0;
}

void agent_folded_free(agent_folded *f) {
    if (f == NULL) return;
    if (f->stacks != NULL) agent_folded_reset(f);
    free(f->stacks);
    for (size_t i = 0; i < f->nnames; i++) free(f->names[i]);
    free(f->names);
    free(f->name_slots);
    free(f);
}

static int grow_names(agent_folded *f) {
    size_t cap = f->name_slot_cap * 2;
    uint32_t *slots = calloc(cap, sizeof(uint32_t));
    if (slots == NULL) return -1;
    for (size_t id = 0; id < f->nnames; id++) {
        size_t i = hash_bytes(f->names[id], strlen(f->names[id])) & (cap - 1);
        while (slots[i] != 0) i = (i + 1) & (cap - 1);
        slots[i] = (uint32_t)id + 1;
    }
    free(f->name_slots);
    f->name_slots = slots;
    f->name_slot_cap = cap;
    return 0;
}

uint32_t agent_folded_intern(agent_folded *f, const char *name) {
    if ((f->nnames + 1) * 2 > f->name_slot_cap && grow_names(f) < 0) return UINT32_MAX;
    size_t len = strlen(name);
    char *copy = malloc(len + 1);
    if (copy == NULL) return UINT32_MAX;
    for (size_t k = 0; k < len; k++)
        copy[k] = (name[k] == ';' || name[k] == ' ' || name[k] == '\n' || name[k] == '\r')
                      ? '_'
                      : name[k];
    copy[len] = '\0';
    size_t i = hash_bytes(copy, len) & (f->name_slot_cap - 1);
    for (; f->name_slots[i] != 0; i = (i + 1) & (f->name_slot_cap - 1)) {
        if (strcmp(f->names[f->name_slots[i] - 1], copy) == 0) {
            free(copy);
            return f->name_slots[i] - 1;
        }
    }
    if (f->nnames == f->names_cap) {
        size_t cap = f->names_cap ? f->names_cap * 2 : 64;
        char **names = realloc(f->names, cap * sizeof(char *));
        if (names == NULL) {
            free(copy);
            return UINT32_MAX;
        }
        f->names = names;
        f->names_cap = cap;
    }
    uint32_t id = (uint32_t)f->nnames;
    f->names[f->nnames++] = copy;
    f->name_slots[i] = id + 1;
    return id;
}

const char *agent_folded_name(const agent_folded *f, uint32_t id) {
    return id < f->nnames ? f->names[id] : "[unknown]";
}

static int grow_stacks(agent_folded *f) {
    size_t cap = f->stack_cap * 2;
    stack_entry *stacks = calloc(cap, sizeof(stack_entry));
    if (stacks == NULL) return -1;
    for (size_t k = 0; k < f->stack_cap; k++) {
        if (f->stacks[k].ids == NULL) continue;
        size_t i = f->stacks[k].hash & (cap - 1);
        while (stacks[i].ids != NULL) i = (i + 1) & (cap - 1);
        stacks[i] = f->stacks[k];
    }
    free(f->stacks);
    f->stacks = stacks;
    f->stack_cap = cap;
    return 0;
}

int agent_folded_add(agent_folded *f, const uint32_t *ids, size_t n, uint64_t count) {
    if (n == 0) return 0;
    if ((f->stack_used + 1) * 2 > f->stack_cap && grow_stacks(f) < 0) {
        f->lost += count;
        return -1;
    }
    uint64_t h = hash_bytes(ids, n * sizeof(uint32_t));
    size_t i = h & (f->stack_cap - 1);
    for (; f->stacks[i].ids != NULL; i = (i + 1) & (f->stack_cap - 1)) {
        stack_entry *e = &f->stacks[i];
        if (e->hash == h && e->n == n && memcmp(e->ids, ids, n * sizeof(uint32_t)) == 0) {
            e->count += count;
            f->samples += count;
            return 0;
        }
    }
    uint32_t *copy = malloc(n * sizeof(uint32_t));
    if (copy == NULL) {
        f->lost += count;
        return -1;
    }
    memcpy(copy, ids, n * sizeof(uint32_t));
    f->stacks[i] = (stack_entry){.hash = h, .count = count, .n = (uint32_t)n, .ids = copy};
    f->stack_used++;
    f->samples += count;
    return 0;
}

size_t agent_folded_stacks(const agent_folded *f) {
    return f->stack_used;
}
uint64_t agent_folded_samples(const agent_folded *f) {
    return f->samples;
}
uint64_t agent_folded_lost(const agent_folded *f) {
    return f->lost;
}

typedef struct text {
    char *buf;
    size_t len, cap;
    int failed;
} text;

static void text_put(text *t, const char *s, size_t n) {
    if (t->failed) return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (t->len + n + 1 > cap) cap *= 2;
        char *buf = realloc(t->buf, cap);
        if (buf == NULL) {
            t->failed = 1;
            return;
        }
        t->buf = buf;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

char *agent_folded_render(const agent_folded *f, size_t *len) {
    text t = {0};
    text_put(&t, "", 0);
    for (size_t k = 0; k < f->stack_cap; k++) {
        const stack_entry *e = &f->stacks[k];
        if (e->ids == NULL) continue;
        for (uint32_t j = e->n; j-- > 0;) {
            const char *name = agent_folded_name(f, e->ids[j]);
            text_put(&t, name, strlen(name));
            if (j > 0) text_put(&t, ";", 1);
        }
        char num[32];
        int m = 0;
        char digits[24];
        uint64_t c = e->count;
        do {
            digits[m++] = (char)('0' + c % 10);
            c /= 10;
        } while (c != 0);
        num[0] = ' ';
        for (int d = 0; d < m; d++) num[1 + d] = digits[m - 1 - d];
        num[1 + m] = '\n';
        text_put(&t, num, (size_t)m + 2);
    }
    if (t.failed) {
        free(t.buf);
        return NULL;
    }
    *len = t.len;
    return t.buf;
}
