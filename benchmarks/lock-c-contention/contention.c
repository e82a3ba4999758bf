/* contention.c: the lock-c-contention benchmark: THREADS threads (default 4, more than this
 * machine's cores) each do ITERATIONS rounds of a little private work followed by an update
 * of shared state under one of two mutexes, so they spend their time contending, sleeping
 * in futexes and being woken. Every thread is registered with the agent
 * (agent_pthread_create), so each is sampled on its own CPU clock. The shared state is
 * a sum, so the checksum does not depend on the order the threads ran in. */
#include "abagent.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOCKS       2
#define MAX_THREADS 64

typedef struct shared_counter {
    pthread_mutex_t lock;
    uint64_t total;
    uint64_t updates;
} shared_counter;

static shared_counter counters[LOCKS];
static long iterations;

static __attribute__((noinline)) uint64_t private_work(uint64_t x) {
    for (int i = 0; i < 40; i++) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return x;
}

static __attribute__((noinline)) void update_shared(shared_counter *c, uint64_t value) {
    pthread_mutex_lock(&c->lock);
    /* A short critical section: enough that the lock is often held when others arrive. */
    uint64_t v = value;
    for (int i = 0; i < 20; i++) v = (v >> 3) ^ (v * 31);
    c->total += v & 0xffff;
    c->updates++;
    pthread_mutex_unlock(&c->lock);
}

static void *worker(void *arg) {
    uint64_t seed = (uint64_t)(uintptr_t)arg * 0x9E3779B97F4A7C15ULL + 1;
    for (long i = 0; i < iterations; i++) {
        seed = private_work(seed);
        update_shared(&counters[seed >> 63], seed);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc > 1 && argv[1][0] == '-') {
        printf("usage: contention [THREADS [ITERATIONS]]   (default 4 threads, 2500000 rounds)\n");
        return strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    long threads = argc > 1 ? atol(argv[1]) : 4;
    iterations = argc > 2 ? atol(argv[2]) : 2500000;
    if (threads < 1 || threads > MAX_THREADS || iterations < 0) {
        fprintf(stderr, "contention: THREADS must be 1..%d and ITERATIONS >= 0\n", MAX_THREADS);
        return 2;
    }
    for (int k = 0; k < LOCKS; k++) pthread_mutex_init(&counters[k].lock, NULL);

    agent_start();
    pthread_t tids[MAX_THREADS];
    for (long t = 0; t < threads; t++) {
        int err = agent_pthread_create(&tids[t], NULL, worker, (void *)(uintptr_t)(t + 1));
        if (err != 0) {
            fprintf(stderr, "contention: pthread_create: %s\n", strerror(err));
            return 1;
        }
    }
    for (long t = 0; t < threads; t++) pthread_join(tids[t], NULL);

    uint64_t sum = 0, updates = 0;
    for (int k = 0; k < LOCKS; k++) {
        sum = sum * 1000003 + counters[k].total;
        updates += counters[k].updates;
    }
    printf("%ld threads, %llu locked updates\n", threads, (unsigned long long)updates);
    agent_work_done("checksum: %llu\n", (unsigned long long)sum);
    agent_stop();
    return 0;
}
