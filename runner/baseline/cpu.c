/* baseline/cpu.c: CPU figures: an integer kernel (xorshift mixing, a serial dependency
 * chain) and a floating-point kernel (four independent multiply-add chains), each run on
 * one thread and on every online CPU at once, reported in millions of operations per
 * second. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "parts.h"
#include "clock.h"

#define CHUNK            200000L
#define INT_OPS_PER_ITER 7.0 /* 3 shifts, 3 xors, 1 add */
#define FP_OPS_PER_ITER  8.0 /* 4 multiplies, 4 adds */

static volatile uint64_t int_sink;
static volatile double fp_sink;

static __attribute__((noinline)) uint64_t int_kernel(uint64_t x, long iters) {
    for (long i = 0; i < iters; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x += (uint64_t)i;
    }
    return x;
}

static __attribute__((noinline)) double fp_kernel(double seed, long iters) {
    double a = seed, b = seed + 1, c = seed + 2, d = seed + 3;
    const double m = 0.9999999, k = 1e-7;
    for (long i = 0; i < iters; i++) {
        a = a * m + k;
        b = b * m + k;
        c = c * m + k;
        d = d * m + k;
    }
    return a + b + c + d;
}

typedef struct worker {
    pthread_t tid;
    int fp;
    double seconds;   /* how long to run */
    double ops_per_s; /* result */
} worker;

static void *work(void *arg) {
    worker *w = arg;
    double start = ab_mono_s(), el;
    long chunks = 0;
    uint64_t x = 88172645463325252ULL;
    double y = 1.0;
    do {
        if (w->fp) y = fp_kernel(y, CHUNK);
        else x = int_kernel(x, CHUNK);
        chunks++;
        el = ab_mono_s() - start;
    } while (el < w->seconds);
    int_sink = x;
    fp_sink = y;
    w->ops_per_s = chunks * CHUNK * (w->fp ? FP_OPS_PER_ITER : INT_OPS_PER_ITER) / el;
    return NULL;
}

/* Sum of per-thread rates over nthreads threads running together; -1 on failure. */
static double run_kernel(int fp, int nthreads, double seconds) {
    worker w[256];
    if (nthreads > 256) nthreads = 256;
    int started = 0;
    for (int i = 0; i < nthreads; i++) {
        w[i] = (worker){.fp = fp, .seconds = seconds};
        if (pthread_create(&w[i].tid, NULL, work, &w[i]) != 0) break;
        started++;
    }
    double sum = 0;
    for (int i = 0; i < started; i++) {
        pthread_join(w[i].tid, NULL);
        sum += w[i].ops_per_s;
    }
    return started == nthreads ? sum : -1;
}

int rn_bl_cpu(const bl_opts *o, bl_figures *f, char *err, size_t errlen) {
    double secs = o->quick ? 0.1 : 1.0;
    static const struct {
        int fp, all;
        const char *name, *unit;
    } runs[] = {
        {0, 0, "int_single_mops", "Mops/s"},
        {0, 1, "int_all_mops", "Mops/s"},
        {1, 0, "fp_single_mflops", "Mflop/s"},
        {1, 1, "fp_all_mflops", "Mflop/s"},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        int threads = runs[i].all ? o->threads : 1;
        double r = run_kernel(runs[i].fp, threads, secs);
        if (r <= 0) {
            snprintf(err, errlen, "cannot start %d threads", threads);
            return -1;
        }
        rn_bl_add(f, "cpu", runs[i].name, r / 1e6, runs[i].unit,
                  json_pack("{s:i, s:f, s:s}", "threads", threads, "seconds", secs, "kernel",
                            runs[i].fp ? "4 multiply-add chains" : "xorshift chain"));
    }
    return 0;
}
