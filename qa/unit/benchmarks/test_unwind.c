/* test_unwind.c: the frame-pointer walker on hand-built stacks: it follows a good chain,
 * and stops (without reading outside the stack) at frame pointers that are below the
 * stack pointer, above the stack, misaligned, or not increasing. */
#include "../tap.h"
#include "unwind.h"

#include <stdint.h>
#include <string.h>

static uintptr_t stack[64];

/* Builds frames at stack[at[i]] linking to stack[at[i+1]], return address 0x1000 + i. */
static uintptr_t build(const int *at, int n) {
    memset(stack, 0, sizeof stack);
    for (int i = 0; i < n; i++) {
        stack[at[i]] = i + 1 < n ? (uintptr_t)&stack[at[i + 1]] : 0;
        stack[at[i] + 1] = 0x1000 + (uintptr_t)i;
    }
    return (uintptr_t)&stack[at[0]];
}

int main(void) {
    uintptr_t pcs[16];
    uintptr_t sp = (uintptr_t)&stack[0], hi = (uintptr_t)&stack[64];

    int chain[] = {2, 10, 20, 30};
    uintptr_t fp = build(chain, 4);
    size_t n = agent_unwind_fp(0x42, fp, sp, hi, pcs, 16);
    CHECK(n == 5, "a chain of 4 frames gives pc + 4 return addresses");
    CHECK(pcs[0] == 0x42 && pcs[1] == 0x1000 && pcs[4] == 0x1003, "in order, leaf first");

    n = agent_unwind_fp(0x42, fp, sp, hi, pcs, 3);
    CHECK(n == 3, "max frames is respected");

    n = agent_unwind_fp(0x42, fp, (uintptr_t)&stack[3], hi, pcs, 16);
    CHECK(n == 1, "a frame pointer below the stack pointer is not followed");

    n = agent_unwind_fp(0x42, (uintptr_t)&stack[63], sp, hi, pcs, 16);
    CHECK(n == 1, "a frame whose record would cross the stack top is not read");

    n = agent_unwind_fp(0x42, fp + 4, sp, hi, pcs, 16);
    CHECK(n == 1, "a misaligned frame pointer is not followed");

    n = agent_unwind_fp(0x42, 0, sp, hi, pcs, 16);
    CHECK(n == 1, "a null frame pointer ends the walk");

    int loop[] = {20, 10};
    fp = build(loop, 2);
    n = agent_unwind_fp(0x42, fp, sp, hi, pcs, 16);
    CHECK(n == 2, "a chain that goes down the stack stops (no loops)");

    stack[40] = (uintptr_t)&stack[40];
    stack[41] = 0x77;
    n = agent_unwind_fp(0x42, (uintptr_t)&stack[40], sp, hi, pcs, 16);
    CHECK(n == 2, "a frame pointing at itself stops");

    int outside[] = {4, 8};
    fp = build(outside, 2);
    stack[8] = (uintptr_t)&stack[64] + 4096; /* next frame outside the stack */
    n = agent_unwind_fp(0x42, fp, sp, hi, pcs, 16);
    CHECK(n == 3, "a frame pointer above the stack top is not followed");

    CHECK(agent_unwind_fp(0x42, fp, sp, hi, pcs, 0) == 0, "max 0 writes nothing");
    return TAP_DONE();
}
