/* pprof_arena.c: the bump allocator of pprof_arena.h. */
#include "pprof_arena.h"
#include "decode_internal.h"

#include <stdint.h>
#include <stdlib.h>

struct ing_arena_block {
    ing_arena_block *next;
    size_t size, used;
    max_align_t data[];
};

#define ARENA_MIN_BLOCK (256 * 1024)
#define ARENA_CHARGE    (64 * 1024)       /* held against the budget this much at a time */
#define ARENA_KEEP_MAX  (8 * 1024 * 1024) /* bytes kept between messages */

static void *arena_alloc(void *arg, size_t n) {
    ing_arena *a = arg;
    size_t need = (n + 15) & ~(size_t)15;
    if (need < n) return NULL;
    if (a->budget && a->used + need > a->charged) {
        /* what it needs and, to take the budget less often, up to ARENA_CHARGE more (an
         * eighth of what is left at most: the rest of the decoder needs some too) */
        size_t left = a->budget->limit - a->budget->held, more = left / 8;
        size_t step = a->used + need - a->charged + (more < ARENA_CHARGE ? more : ARENA_CHARGE);
        if (ing_budget_take(a->budget, step) < 0) return NULL;
        a->charged += step;
    }
    ing_arena_block *b = a->head;
    if (b == NULL || b->size - b->used < need) {
        size_t size = ARENA_MIN_BLOCK;
        if (a->total / 2 > size) size = a->total / 2; /* grow geometrically with the message */
        if (size < need) size = need;
        if (size > SIZE_MAX - sizeof(*b) || (b = malloc(sizeof(*b) + size)) == NULL)
            return NULL; /* what was charged is given back at the reset */
        b->size = size;
        b->used = 0;
        b->next = a->head;
        a->head = b;
        a->total += size;
    }
    void *p = (char *)b->data + b->used;
    b->used += need;
    a->used += need;
    return p;
}

static void arena_nofree(void *arg, void *p) {
    (void)arg;
    (void)p;
}

void ing_arena_init(ing_arena *a) {
    a->head = NULL;
    a->used = a->total = 0;
    a->budget = NULL;
    a->charged = 0;
    a->alloc.alloc = arena_alloc;
    a->alloc.free = arena_nofree;
    a->alloc.allocator_data = a;
}

void ing_arena_set_budget(ing_arena *a, struct ing_budget *budget) {
    a->budget = budget;
}

void ing_arena_reset(ing_arena *a) {
    ing_budget_give(a->budget, a->charged);
    a->budget = NULL;
    a->charged = 0;
    /* Keep one block big enough for the same message again (its pages already touched),
     * unless that would hold more than ARENA_KEEP_MAX. */
    size_t want = a->used;
    if (a->head && a->head->next == NULL && a->head->size >= want &&
        a->head->size <= ARENA_KEEP_MAX) {
        a->head->used = 0;
        a->used = 0;
        return;
    }
    ing_arena_free(a);
    if (want == 0 || want > ARENA_KEEP_MAX) return;
    if (want < ARENA_MIN_BLOCK) want = ARENA_MIN_BLOCK;
    ing_arena_block *b = malloc(sizeof(*b) + want);
    if (b == NULL) return;
    b->size = want;
    b->used = 0;
    b->next = NULL;
    a->head = b;
    a->total = want;
}

void ing_arena_free(ing_arena *a) {
    ing_budget_give(a->budget, a->charged);
    ing_arena_block *b = a->head;
    while (b) {
        ing_arena_block *next = b->next;
        free(b);
        b = next;
    }
    ing_arena_init(a);
}
