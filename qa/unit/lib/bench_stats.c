/* bench_stats.c: `make -C lib bench`: how long the statistics take at the sample sizes a
 * suite produces, each beside a reference measured in the same run (qsort of the same
 * number of doubles), so the figures compare across machines. Prints; asserts nothing. */
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double sample(unsigned *seed)
{
    /* a run time around 1 s with ~2% noise */
    double u = (double)rand_r(seed) / RAND_MAX + (double)rand_r(seed) / RAND_MAX
               + (double)rand_r(seed) / RAND_MAX - 1.5;
    return 1.0 + 0.02 * u;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static volatile double sink;

/* Seconds per call of what(), repeated for at least 0.2 s. */
#define TIME_IT(result, body)                                      \
    do {                                                           \
        long reps = 0;                                             \
        double t0 = now(), t;                                      \
        do { body; reps++; } while ((t = now()) - t0 < 0.2);       \
        result = (t - t0) / (double)reps;                          \
    } while (0)

int main(void)
{
    unsigned seed = 12345;
    enum { MAX = 1000 };
    static double a[MAX], b[MAX], tmp[MAX * 2];
    for (int i = 0; i < MAX; i++) { a[i] = sample(&seed); b[i] = 1.01 * sample(&seed); }

    const size_t sizes[] = { 10, 20, 30, 100, 300, 1000 };
    printf("%6s %14s %14s %14s %14s %14s\n", "n", "qsort(2n) us", "summarize us",
           "mann-whitney us", "hodges-lehmann us", "HL / qsort");
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        double t_ref, t_sum, t_mw, t_hl;
        TIME_IT(t_ref, { memcpy(tmp, a, n * sizeof *a); memcpy(tmp + n, b, n * sizeof *b);
                         qsort(tmp, 2 * n, sizeof *tmp, cmp); sink = tmp[0]; });
        ab_summary s;
        TIME_IT(t_sum, { ab_summarize(a, n, &s); sink = s.median; });
        TIME_IT(t_mw, { sink = ab_mann_whitney_p(a, n, b, n, NULL); });
        double r, lo, hi;
        TIME_IT(t_hl, { ab_ratio_hl(a, n, b, n, &r, &lo, &hi); sink = r; });
        printf("%6zu %14.2f %14.2f %14.2f %14.2f %14.1f\n", n, t_ref * 1e6, t_sum * 1e6,
               t_mw * 1e6, t_hl * 1e6, t_hl / t_ref);
    }
    return 0;
}
