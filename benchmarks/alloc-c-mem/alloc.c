/* alloc.c: the alloc-c-mem benchmark: malloc/free churn of mixed sizes (16 B to 64 KiB,
 * mostly small) over a working set of about 33 MiB (48 MiB resident), well beyond the CPU caches.
 * Every block is written when allocated and read back before it is freed. The sequence of sizes and
 * slots comes from a fixed-seed generator, so the work and the checksum are the same in every run.
 */
#include "abagent.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 12288 /* live blocks; mean block ~2.7 KiB: ~33 MiB live, ~48 MiB resident */

typedef struct block {
    unsigned char *p;
    uint32_t size;
} block;

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t next_random(void) {
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

/* Mixed sizes: 3/4 small (16..256 B), 3/16 medium (256 B..4 KiB), 1/16 large (4..64 KiB). */
static uint32_t pick_size(uint64_t r) {
    unsigned kind = r & 15;
    r >>= 4;
    if (kind < 12) return 16 + (uint32_t)(r % 241);
    if (kind < 15) return 256 + (uint32_t)(r % 3841);
    return 4096 + (uint32_t)(r % 61441);
}

static __attribute__((noinline)) uint64_t release_block(block *b) {
    uint64_t sum = 0;
    if (b->p == NULL) return 0;
    for (uint32_t off = 0; off < b->size; off += 64) sum += b->p[off];
    sum += b->p[b->size - 1];
    free(b->p);
    b->p = NULL;
    return sum;
}

static __attribute__((noinline)) int allocate_block(block *b, uint32_t size, uint64_t tag) {
    b->p = malloc(size);
    if (b->p == NULL) return -1;
    b->size = size;
    memset(b->p, (int)(tag & 0xff), size);
    b->p[size - 1] = (unsigned char)(tag >> 8);
    return 0;
}

static __attribute__((noinline)) uint64_t churn(block *slots, long operations) {
    uint64_t sum = 0;
    for (long i = 0; i < operations; i++) {
        uint64_t r = next_random();
        block *b = &slots[(r >> 32) % SLOTS];
        sum += release_block(b);
        if (allocate_block(b, pick_size(next_random()), r) < 0) {
            fprintf(stderr, "alloc: out of memory\n");
            exit(1);
        }
    }
    for (size_t k = 0; k < SLOTS; k++) sum += release_block(&slots[k]);
    return sum;
}

int main(int argc, char **argv) {
    if (argc > 1 && argv[1][0] == '-') {
        printf("usage: alloc [OPERATIONS]   malloc/free churn (default 3000000)\n");
        return strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    char *end = NULL;
    long operations = argc > 1 ? strtol(argv[1], &end, 10) : 3000000;
    if ((argc > 1 && *end != '\0') || operations < 0) {
        fprintf(stderr, "alloc: OPERATIONS must be a non-negative integer\n");
        return 2;
    }
    block *slots = calloc(SLOTS, sizeof(block));
    if (slots == NULL) return 1;
    agent_start();
    uint64_t sum = churn(slots, operations);
    free(slots);
    printf("%ld allocations of mixed sizes\n", operations);
    agent_work_done("checksum: %llu\n", (unsigned long long)sum);
    agent_stop();
    return 0;
}
