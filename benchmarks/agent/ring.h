/* ring.h: a thread's lock-free sample buffer. One producer (the SIGPROF handler running on
 * that thread) and one consumer (the agent's collector thread); head and tail are C11
 * atomics, the handler never blocks: when the ring is full the sample is dropped and
 * counted. */
#ifndef AGENT_RING_H
#define AGENT_RING_H

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

/* A cheap clock the signal handler can read: the TSC on x86-64 (converted to time by the
 * agent, which calibrates it against CLOCK_MONOTONIC); 0 elsewhere. */
#if defined(__x86_64__)
#include <x86intrin.h>
static inline uint64_t agent_ticks(void) {
    return __rdtsc();
}
#else
static inline uint64_t agent_ticks(void) {
    return 0;
}
#endif

#define AGENT_MAX_FRAMES  64
#define AGENT_STACK_WORDS 8
#define AGENT_RING_SLOTS  256 /* a power of two; at 100 Hz that is 2.5 s of one thread's samples */

typedef struct agent_sample {
    uint32_t depth;  /* pcs[0] is the interrupted pc, then return addresses */
    uint32_t weight; /* intervals this sample stands for: 1 + the timer's overruns
                      * (the timer sampler: the kernel checks CPU timers once per
                      * tick); 1 for the perf sampler */
    uint32_t nwords;
    uintptr_t stack_words[AGENT_STACK_WORDS]; /* the words at the stack pointer: one of them is
                                               * the return address when the leaf keeps no frame
                                               * pointer (checked by the collector) */
    uintptr_t pcs[AGENT_MAX_FRAMES];
} agent_sample;

typedef struct agent_ring {
    _Atomic uint32_t head; /* next slot the producer fills */
    _Atomic uint32_t tail; /* next slot the consumer reads */
    _Atomic int active;    /* 0 once the thread unregistered: late signals ignored */
    _Atomic uint64_t taken;
    _Atomic uint64_t dropped;
    _Atomic uint64_t handler_ticks; /* time spent in the handler, in agent_ticks() units */
    uintptr_t stack_lo, stack_hi;   /* the thread's stack, for bounds checks while unwinding */
    timer_t timer;                  /* the timer sampler's (has_timer) */
    int has_timer;
    _Atomic int perf_fd; /* the perf sampler's task-clock counter, or -1 */
    int tid;
    struct agent_ring *next; /* registry list (owned by sampler.c, under its lock) */
    agent_sample slots[AGENT_RING_SLOTS];
} agent_ring;

/* Producer side (async-signal-safe): the slot to fill, or NULL when full (counted). */
static inline agent_sample *agent_ring_reserve(agent_ring *r) {
    uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    uint32_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
    if (head - tail >= AGENT_RING_SLOTS) {
        atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
        return NULL;
    }
    return &r->slots[head & (AGENT_RING_SLOTS - 1)];
}

/* Producer side: publishes the slot returned by agent_ring_reserve. */
static inline void agent_ring_commit(agent_ring *r) {
    uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    atomic_store_explicit(&r->head, head + 1, memory_order_release);
    atomic_fetch_add_explicit(&r->taken, 1, memory_order_relaxed);
}

/* Consumer side: calls fn on every published sample, then frees their slots. */
static inline unsigned agent_ring_drain(agent_ring *r, void (*fn)(const agent_sample *, void *),
                                        void *arg) {
    uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    uint32_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    unsigned n = 0;
    for (; tail != head; tail++, n++) fn(&r->slots[tail & (AGENT_RING_SLOTS - 1)], arg);
    atomic_store_explicit(&r->tail, tail, memory_order_release);
    return n;
}

#endif
