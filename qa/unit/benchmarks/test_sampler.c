/* test_sampler.c: the real signal path without the network, under each clock (perf
 * task-clock counters, POSIX CPU-time timers): the per-thread clocks fire, the handler
 * unwinds into the rings, and the samples name the functions that burned the CPU, in this
 * thread and in a registered second thread; after stop nothing more arrives. Then a thread
 * that runs in short bursts and sleeps between them (as a request-driven service's
 * workers do): the perf clock samples it at the rate of its CPU time; the timer's count is
 * printed, not checked (it depends on the kernel's ticks: sampler.c). */
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

/* Bursts of burst_us of CPU time with sleep_us sleeps between, until cpu_s of this
 * thread's CPU time is used; returns the samples taken per sample the CPU time calls for. */
static double bursty(int clock, double burst_us, long sleep_us, double cpu_s, int rate) {
    CHECK(agent_sampler_start(rate, clock) == 0, "%s: sampler starts for the bursty thread",
          clock == AGENT_SAMPLER_PERF ? "perf" : "timer");
    agent_sampler_thread_start();
    double c0 = cpu_now(CLOCK_THREAD_CPUTIME_ID);
    while (cpu_now(CLOCK_THREAD_CPUTIME_ID) - c0 < cpu_s) {
        double b = cpu_now(CLOCK_THREAD_CPUTIME_ID);
        while (cpu_now(CLOCK_THREAD_CPUTIME_ID) - b < burst_us / 1e6) sink = burn_in_main(200);
        struct timespec ts = {0, sleep_us * 1000};
        nanosleep(&ts, NULL);
    }
    double used = cpu_now(CLOCK_THREAD_CPUTIME_ID) - c0;
    agent_sampler_stop();
    uint64_t taken, dropped, ticks;
    agent_sampler_counts(&taken, &dropped, &ticks);
    agent_sampler_free();
    return (double)(taken + dropped) / (used * rate);
}

static void steady(int clock) {
    const char *name = clock == AGENT_SAMPLER_PERF ? "perf" : "timer";
    total = in_main_burn = in_thread_burn = deep = 0;
    CHECK(agent_sampler_start(200, clock) == 0, "%s: sampler starts at 200 Hz", name);
    CHECK(agent_sampler_thread_start() == 0, "%s: main thread registers", name);
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
          "%s: 200 Hz of CPU time: %d samples for %.3f s of CPU", name, total, cpu);
    CHECK(taken == (uint64_t)total && dropped == 0, "%s: counters match what was drained", name);
    CHECK(in_main_burn >= total / 3, "%s: the main thread's samples are in burn_in_main", name);
    CHECK(in_thread_burn >= total / 5, "%s: the registered thread is sampled, in burn_in_thread",
          name);
    CHECK(deep >= total / 2, "%s: stacks go past a frameless leaf to its caller", name);

    total = 0;
    sink = burn_in_main(50000000);
    agent_sampler_drain(classify, NULL);
    CHECK(total == 0, "%s: no samples after stop", name);
    agent_sampler_free();
}

int main(void) {
    syms = agent_symbols_new();
    steady(AGENT_SAMPLER_TIMER);
    steady(AGENT_SAMPLER_PERF);
    int perf = strcmp(agent_sampler_clock(), "perf") == 0;
    if (!perf) printf("# perf_event_open is refused here: the perf clock fell back to timers\n");

    /* 250 us bursts, 1 ms sleeps, 0.5 s of CPU at 100 Hz: 50 samples called for */
    double timer_ratio = bursty(AGENT_SAMPLER_TIMER, 250, 1000, 0.5, 100);
    double perf_ratio = bursty(AGENT_SAMPLER_PERF, 250, 1000, 0.5, 100);
    printf("# bursty thread, samples per sample its CPU time calls for: perf %.2f, timer %.2f\n",
           perf_ratio, timer_ratio);
    if (perf)
        CHECK(perf_ratio >= 0.8 && perf_ratio <= 1.2,
              "perf: a bursty thread is sampled at the rate of its CPU time (%.2f)", perf_ratio);
    agent_symbols_free(syms);
    return TAP_DONE();
}
