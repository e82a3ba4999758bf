/* pprof_arena.h: a bump allocator handed to protobuf-c so that unpacking a message costs a few
 * large allocations instead of one per sub-message, and freeing it costs one pass. */
#ifndef ING_PPROF_ARENA_H
#define ING_PPROF_ARENA_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

typedef struct ing_arena_block ing_arena_block;

typedef struct ing_arena {
    ing_arena_block *head;
    size_t used, total;        /* bytes handed out / allocated in blocks */
    ProtobufCAllocator alloc;  /* what protobuf_c_message_unpack takes */
} ing_arena;

void ing_arena_init(ing_arena *a);
/* Forget every allocation but keep (up to 8 MiB of) memory for the next message. */
void ing_arena_reset(ing_arena *a);
void ing_arena_free(ing_arena *a);

#endif
