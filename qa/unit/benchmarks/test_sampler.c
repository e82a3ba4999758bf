/* test_sampler.c: the real signal path without the network: per-thread CPU timers fire,
 * the handler unwinds into the rings, and the samples name the functions that burned the
 * CPU, in this thread and in a registered second thread; after stop nothing more arrives. */
#include "leaf.h"
#include "ring.h"
#include "sampler.h"
#include "symbols.h"
#include "../tap.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

static agent_symbols *syms;
static int total, in_main_burn, in_thread_burn, deep;

static double cpu_now(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Fixed work with no calls inside (a CPU-time loop would put samples in clock_gettime). */
static __attribute__((noinline)) uint64_t burn_in_main(long n) {
    uint64_t x = 1;
    for (long i = 0; i < n; i++) x = x * 6364136223846793005ULL + 1;
    return x;
}

static __attribute__((noinline)) uint64_t burn_in_thread(long n) {
    uint64_t x = 3;
    for (long i = 0; i < n; i++) x = x * 2862933555777941757ULL + 3;
    return x;
}

static volatile uint64_t sink;

static void *thread_main(void *arg) {
    agent_sampler_thread_start();
    uint64_t x = burn_in_thread(150000000);
    agent_sampler_thread_stop();
    return (void *)(uintptr_t)(x & 1);
}

static void classify(const agent_sample *s, void *arg) {
    char name[256];
    total++;
    uintptr_t frames[AGENT_MAX_FRAMES + 1];
    uint32_t n = 0;
    frames[n++] = s->pcs[0];
    uintptr_t caller = agent_leaf_caller(syms, s);
    if (caller != 0) frames[n++] = caller - 1; /* the caller of a frameless leaf */
    for (uint32_t k = 1; k < s->depth; k++) frames[n++] = s->pcs[k] - 1;
    for (uint32_t k = 0; k < n && k < 3; k++) {
        agent_symbols_lookup(syms, frames[k], name, sizeof name);
        if (strcmp(name, "burn_in_main") == 0) in_main_burn++;
        if (strcmp(name, "burn_in_thread") == 0) in_thread_burn++;
        if (strcmp(name, "main") == 0 || strcmp(name, "thread_main") == 0) deep++;
    }
}

int main(void) {
    syms = agent_symbols_new();
    CHECK(agent_sampler_start(200) == 0, "sampler starts at 200 Hz");
    CHECK(agent_sampler_thread_start() == 0, "main thread registers");
    pthread_t t;
    pthread_create(&t, NULL, thread_main, NULL);
    double cpu0 = cpu_now(CLOCK_PROCESS_CPUTIME_ID);
    sink = burn_in_main(250000000);
    pthread_join(t, NULL);
    double cpu = cpu_now(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    agent_sampler_stop();
    agent_sampler_drain(classify, NULL);

    uint64_t taken, dropped;
    uint64_t ticks;
    agent_sampler_counts(&taken, &dropped, &ticks);
    /* 200 samples per second of CPU time, give or take 30% and a few ticks. */
    double expected = cpu * 200;
    CHECK(total >= expected * 0.7 - 3 && total <= expected * 1.3 + 3,
          "200 Hz of CPU time: samples match the CPU time used");
    if (tap_failed) printf("# %d samples for %.3f s of CPU\n", total, cpu);
    CHECK(taken == (uint64_t)total && dropped == 0, "counters match what was drained");
    CHECK(in_main_burn >= total / 3, "the main thread's samples are in burn_in_main");
    CHECK(in_thread_burn >= total / 5, "the registered thread is sampled, in burn_in_thread");
    CHECK(deep >= total / 2, "stacks go past a frameless leaf to its caller");

    total = 0;
    sink = burn_in_main(50000000);
    agent_sampler_drain(classify, NULL);
    CHECK(total == 0, "no samples after stop");
    agent_sampler_free();
    agent_symbols_free(syms);
    return TAP_DONE();
}
