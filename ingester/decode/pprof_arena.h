/* pprof_arena.h: a bump allocator handed to protobuf-c so that unpacking a message costs a few
 * large allocations instead of one per sub-message, and freeing it costs one pass. With a
 * budget, every byte it hands out is held against the request's (decode_internal.h):
 * past it, an allocation fails and so does the unpack (the caller answers 413). */
#ifndef ING_PPROF_ARENA_H
#define ING_PPROF_ARENA_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

typedef struct ing_arena_block ing_arena_block;
struct ing_budget;

typedef struct ing_arena {
    ing_arena_block *head;
    size_t used, total;        /* bytes handed out / allocated in blocks */
    ProtobufCAllocator alloc;  /* what protobuf_c_message_unpack takes */
    struct ing_budget *budget; /* NULL: not counted */
    size_t charged;            /* bytes held against it since the last reset */
} ing_arena;

void ing_arena_init(ing_arena *a);
/* Count what the next message takes against budget (until the reset). */
void ing_arena_set_budget(ing_arena *a, struct ing_budget *budget);
/* Forget every allocation but keep (up to 8 MiB of) memory for the next message; give
 * the budget back what it held and forget it. */
void ing_arena_reset(ing_arena *a);
void ing_arena_free(ing_arena *a);

#endif
