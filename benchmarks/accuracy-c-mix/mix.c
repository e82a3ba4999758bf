/* mix.c: the accuracy-c-mix benchmark: a CPU-bound program whose profile is known in
 * advance. Four leaf functions get 50%, 30%, 15% and 5% of its CPU time, at four stack
 * depths, so a profiler's view can be checked against the truth (bench.conf `truth.*`,
 * doc/accuracy.md):
 *
 *     main > run_rounds > work_a                                   50%  (depth 3)
 *     main > run_rounds > via_b1 > work_b                          30%  (depth 4)
 *     main > run_rounds > via_c2 > via_c1 > work_c                 15%  (depth 5)
 *     main > run_rounds > via_d3 > via_d2 > via_d1 > work_d         5%  (depth 6)
 *
 * How the shares are made, and why that way. The work is cut into chunks: one chunk is
 * CHUNK_STEPS steps of one kernel, a serial chain of xor-shift-multiply steps on a single
 * 64-bit value (each step needs the previous one's result). Each work_* function is the
 * same inlined kernel, compiled with the same flags and aligned the same way, so a chunk
 * is the same instruction stream in all four, and a serial chain runs at the latency of
 * its multiply whatever the core's width, the code's placement or its caches: a chunk
 * costs the same time in every function on any machine. A round deals a deck of 20
 * chunks, 10 of work_a, 6 of work_b, 3 of work_c, 1 of work_d, so the shares are the
 * deck's ratios by construction. The deck is shuffled afresh each round (a fixed-seed
 * PRNG) so that a periodic sampler (the kernel's tick-driven CPU timers, perf's 99 Hz
 * hrtimer) cannot stay in phase with the order of the work. The intermediate via_*
 * functions do one step after their call (so it is not a tail call and their frame
 * stays on the stack) and take a negligible share.
 *
 * The alternative, running each function until it has used its share of the thread's
 * CPU clock (CLOCK_THREAD_CPUTIME_ID), is not speed-independent where it matters: the
 * work done, hence the checksum, would differ between machines and between variants
 * (the agent's signal handler runs on the sampled thread and is charged to its clock),
 * and the clock reads themselves would land in the profile. Fixed ratios keep the
 * checksum contract: the same rounds give the same checksum in every variant.
 *
 * `mix --check ROUNDS` measures the construction on this machine: it times every chunk
 * with the thread's CPU clock and prints each function's measured share (the qa tests
 * compare it with the truth).
 *
 * usage: mix [ROUNDS]   (default 3000; a round is 20 chunks, about 0.6 ms on a 3 GHz core) */
#include "abagent.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHUNK_STEPS 20000u
#define DECK        20

enum {
    FN_A,
    FN_B,
    FN_C,
    FN_D,
    NFN
};
static const char *const fn_names[NFN] = {"work_a", "work_b", "work_c", "work_d"};
static const unsigned deck_counts[NFN] = {10, 6, 3, 1}; /* 50%, 30%, 15%, 5% of 20 */

#define LEAF __attribute__((noinline, aligned(64)))
#define HOP  __attribute__((noinline))

/* The kernel: a serial dependency chain (xorshift, then an odd multiply). */
static inline __attribute__((always_inline)) uint64_t kernel(uint64_t x) {
    for (unsigned i = 0; i < CHUNK_STEPS; i++) {
        x ^= x >> 29;
        x *= 0x9E3779B97F4A7C15ULL;
        __asm__ volatile("" : "+r"(x)); /* one step at a time: no vectorising, no folding */
    }
    return x;
}

LEAF uint64_t work_a(uint64_t x) {
    return kernel(x);
}
LEAF uint64_t work_b(uint64_t x) {
    return kernel(x);
}
LEAF uint64_t work_c(uint64_t x) {
    return kernel(x);
}
LEAF uint64_t work_d(uint64_t x) {
    return kernel(x);
}

HOP uint64_t via_b1(uint64_t x) {
    return work_b(x) + 1;
}
HOP uint64_t via_c1(uint64_t x) {
    return work_c(x) + 1;
}
HOP uint64_t via_c2(uint64_t x) {
    return via_c1(x) + 1;
}
HOP uint64_t via_d1(uint64_t x) {
    return work_d(x) + 1;
}
HOP uint64_t via_d2(uint64_t x) {
    return via_d1(x) + 1;
}
HOP uint64_t via_d3(uint64_t x) {
    return via_d2(x) + 1;
}

static inline __attribute__((always_inline)) uint64_t chunk(int fn, uint64_t x) {
    switch (fn) {
        case FN_A: return work_a(x);
        case FN_B: return via_b1(x);
        case FN_C: return via_c2(x);
        default: return via_d3(x);
    }
}

/* xorshift64*: the deck's shuffle, the same sequence in every run. */
static uint64_t rng_next(uint64_t *s) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

static double thread_cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* rounds rounds of the shuffled deck; with spent (--check), each chunk's CPU time is
 * added to its function's slot. Returns the chain's final value. */
static HOP uint64_t run_rounds(long rounds, double *spent) {
    int deck[DECK], n = 0;
    for (int f = 0; f < NFN; f++)
        for (unsigned k = 0; k < deck_counts[f]; k++) deck[n++] = f;
    uint64_t rng = 0x853C49E6748FEA9BULL, x = 1;
    for (long r = 0; r < rounds; r++) {
        for (int i = DECK - 1; i > 0; i--) {
            int j = (int)(rng_next(&rng) % (uint64_t)(i + 1));
            int t = deck[i];
            deck[i] = deck[j];
            deck[j] = t;
        }
        for (int i = 0; i < DECK; i++) {
            if (!spent) {
                x = chunk(deck[i], x);
                continue;
            }
            double t0 = thread_cpu_s();
            x = chunk(deck[i], x);
            spent[deck[i]] += thread_cpu_s() - t0;
        }
    }
    return x;
}

int main(int argc, char **argv) {
    int check = argc > 1 && !strcmp(argv[1], "--check");
    if (argc > 1 && argv[1][0] == '-' && !check) {
        printf("usage: mix [--check] [ROUNDS]   ROUNDS rounds of 20 chunks (default 3000):\n"
               "work_a 50%%, work_b 30%%, work_c 15%%, work_d 5%% of the CPU time;\n"
               "--check measures each function's share with the thread CPU clock\n");
        return strcmp(argv[1], "--help") && strcmp(argv[1], "-h") ? 2 : 0;
    }
    const char *arg = argc > 1 + check ? argv[1 + check] : "3000";
    char *end = NULL;
    long rounds = strtol(arg, &end, 10);
    if (*end != '\0' || rounds < 1 || rounds > 100000000) {
        fprintf(stderr, "mix: ROUNDS must be an integer in [1, 100000000]\n");
        return 2;
    }
    if (check) {
        double spent[NFN] = {0}, total = 0;
        run_rounds(rounds, spent);
        for (int f = 0; f < NFN; f++) total += spent[f];
        for (int f = 0; f < NFN; f++)
            printf("%s %.3f%% (truth %u%%)\n", fn_names[f], total > 0 ? 100 * spent[f] / total : 0,
                   deck_counts[f] * 100 / DECK);
        return 0;
    }
    agent_start();
    uint64_t x = run_rounds(rounds, NULL);
    agent_stop();
    printf("%ld rounds of %d chunks\n", rounds, DECK);
    printf("checksum: %016llx\n", (unsigned long long)x);
    return 0;
}
