/* bench_stats.c: `make -C lib bench`: how long the statistics take, each figure beside a
 * reference measured in the same run, so the ratios compare across machines. Prints;
 * asserts nothing. Usage: bench_stats UNIT_DIR (where bench_stats_ref.py is).
 *
 * 1. Per call at the sample sizes a suite usually has (10..1000 runs a variant), against
 *    qsort of the same number of doubles.
 * 2. A report's statistics at scale: a suite of 1k, 10k, 100k and 1M runs, half baseline
 *    and half one profiled variant. The report summarizes wall, user, sys, cpu and rss of
 *    both cells and compares the profiled one with the baseline: unpaired (Hodges-Lehmann
 *    + Mann-Whitney, for wall, cpu and rss) and paired (Walsh averages + Wilcoxon, wall).
 *    The reference is a small Python script that takes numpy's median of the same ten
 *    arrays (bench_stats_ref.py). Each size runs in a child process, whose peak RSS
 *    (the data, the statistics' scratch memory and the process itself) is printed beside
 *    the size of the data. */
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A uniform number in [0, 1) from a xorshift state. */
static double rnd01(unsigned long long *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (double)(*s >> 11) * 0x1p-53;
}

/* Around 1 with ~2% noise (a sum of three uniforms). */
static double noisy(unsigned long long *s) {
    return 1.0 + 0.02 * (rnd01(s) + rnd01(s) + rnd01(s) - 1.5);
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static volatile double sink;

/* Seconds per call of body, repeated for at least 0.2 s. */
#define TIME_IT(result, body)             \
    do {                                  \
        long reps = 0;                    \
        double t0 = now(), t;             \
        do {                              \
            body;                         \
            reps++;                       \
        } while ((t = now()) - t0 < 0.2); \
        result = (t - t0) / (double)reps; \
    } while (0)

static void per_call_table(void) {
    unsigned long long seed = 12345;
    enum {
        MAX = 1000
    };
    static double a[MAX], b[MAX], tmp[MAX * 2];
    for (int i = 0; i < MAX; i++) {
        a[i] = noisy(&seed);
        b[i] = 1.01 * noisy(&seed);
    }

    const size_t sizes[] = {10, 20, 30, 100, 300, 1000};
    printf("per call, n runs a variant; reference: qsort of 2n doubles\n");
    printf("%6s %13s %13s %13s %13s %13s %10s %10s\n", "n", "qsort(2n) us", "summarize us",
           "mann-whit us", "hodges-l us", "paired us", "HL/qsort", "paired/q");
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        double t_ref, t_sum, t_mw, t_hl, t_pr;
        TIME_IT(t_ref, {
            memcpy(tmp, a, n * sizeof *a);
            memcpy(tmp + n, b, n * sizeof *b);
            qsort(tmp, 2 * n, sizeof *tmp, cmp);
            sink = tmp[0];
        });
        ab_summary s;
        TIME_IT(t_sum, {
            ab_summarize(a, n, &s);
            sink = s.median;
        });
        TIME_IT(t_mw, { sink = ab_mann_whitney_p(a, n, b, n, NULL); });
        double r, lo, hi;
        TIME_IT(t_hl, {
            ab_ratio_hl(a, n, b, n, &r, &lo, &hi);
            sink = r;
        });
        ab_comparison c;
        TIME_IT(t_pr, {
            ab_compare_paired(a, b, n, &c);
            sink = c.ratio;
        });
        printf("%6zu %13.2f %13.2f %13.2f %13.2f %13.2f %10.1f %10.1f\n", n, t_ref * 1e6,
               t_sum * 1e6, t_mw * 1e6, t_hl * 1e6, t_pr * 1e6, t_hl / t_ref, t_pr / t_ref);
    }
}

/* ---- a report's statistics at scale ------------------------------------------------ */

enum {
    FIGURES = 5,
    ARRAYS = 2 * FIGURES
}; /* wall user sys cpu rss, of two cells */

/* The ten arrays of a suite of `total` runs: [cell * FIGURES + figure][run]. */
static double **make_suite(size_t per_cell) {
    unsigned long long seed = 20261201;
    double **v = calloc(ARRAYS, sizeof *v);
    for (int k = 0; k < ARRAYS; k++) v[k] = malloc(per_cell * sizeof **v);
    for (size_t i = 0; i < per_cell; i++) {
        double drift = 1 + 0.01 * rnd01(&seed); /* shared by the round's two runs */
        for (int cell = 0; cell < 2; cell++) {
            double **c = v + cell * FIGURES, f = cell ? 1.03 : 1.0;
            c[0][i] = f * drift * noisy(&seed);                      /* wall */
            c[1][i] = 0.95 * c[0][i];                                /* user */
            c[2][i] = 0.01 * noisy(&seed);                           /* sys */
            c[3][i] = c[1][i] + c[2][i];                             /* cpu */
            c[4][i] = 20480 + (double)(unsigned)(64 * rnd01(&seed)); /* rss KiB: ties */
        }
    }
    return v;
}

/* What the report computes for the suite; returns seconds. */
static double report_stats(double **v, size_t n, int *ok) {
    double t0 = now();
    ab_summary s;
    *ok = 1;
    for (int k = 0; k < ARRAYS; k++) *ok &= ab_summarize(v[k], n, &s) == 0;
    const int compared[] = {0, 3, 4}; /* wall, cpu, rss */
    for (int i = 0; i < 3; i++) {
        ab_comparison c;
        *ok &= ab_compare_unpaired(v[compared[i]], n, v[FIGURES + compared[i]], n, &c) == 0;
        sink = c.ratio;
    }
    ab_comparison c;
    *ok &= ab_compare_paired(v[0], v[FIGURES], n, &c) == 0;
    sink = c.ratio;
    return now() - t0;
}

/* The reference: bench_stats_ref.py's seconds for numpy's medians of the same arrays. */
static double reference(const char *unit_dir, double **v, size_t n) {
    char path[] = "/tmp/agentbench-bench-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    FILE *f = fdopen(fd, "wb");
    for (int k = 0; k < ARRAYS; k++) fwrite(v[k], sizeof **v, n, f);
    fclose(f);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/bench_stats_ref.py %s %d %zu", unit_dir, path,
             ARRAYS, n);
    FILE *p = popen(cmd, "r");
    double secs = -1;
    if (p && fscanf(p, "%lf", &secs) != 1) secs = -1;
    if (p) pclose(p);
    unlink(path);
    return secs;
}

typedef struct {
    double secs, ref;
    long peak_kb;
    int ok;
} scale_result;

/* The peak resident set of this process so far (VmHWM), KiB; 0 if unknown. */
static long peak_rss_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld", &kb) == 1) break;
    if (f) fclose(f);
    return kb;
}

/* One size, in a child process so that its peak RSS is its own (read before the
 * reference runs). */
static int measure_size(const char *unit_dir, size_t total, scale_result *out) {
    int fds[2];
    if (pipe(fds) < 0) return -1;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        close(fds[0]);
        size_t n = total / 2;
        double **v = make_suite(n);
        scale_result r = {0, 0, 0, 0};
        r.secs = report_stats(v, n, &r.ok);
        if (r.secs < 0.2) { /* small: the best of several */
            for (int rep = 0; rep < 20; rep++) {
                int ok2;
                double t = report_stats(v, n, &ok2);
                if (t < r.secs) r.secs = t;
            }
        }
        r.peak_kb = peak_rss_kb();
        r.ref = reference(unit_dir, v, n);
        if (write(fds[1], &r, sizeof r) != (ssize_t)sizeof r) _exit(1);
        _exit(0);
    }
    close(fds[1]);
    ssize_t got = read(fds[0], out, sizeof *out);
    close(fds[0]);
    int status;
    if (waitpid(pid, &status, 0) < 0 || got != (ssize_t)sizeof *out) return -1;
    return 0;
}

static void scale_table(const char *unit_dir) {
    printf("\na report's statistics for a suite of N runs (half baseline, half profiled):\n"
           "10 summaries, 3 unpaired overheads (HL + Mann-Whitney), 1 paired (Walsh + "
           "Wilcoxon);\nreference: numpy's median of the same 10 arrays "
           "(bench_stats_ref.py)\n");
    printf("%9s %12s %12s %9s %12s %12s %s\n", "N runs", "stats ms", "numpy ms", "ratio",
           "data MiB", "peak MiB", "");
    const size_t sizes[] = {1000, 10000, 100000, 1000000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        scale_result r;
        if (measure_size(unit_dir, sizes[i], &r) < 0) {
            printf("%9zu  (measurement failed)\n", sizes[i]);
            continue;
        }
        double data_mib = (double)sizes[i] * FIGURES * sizeof(double) / 1048576.0;
        printf("%9zu %12.2f %12.2f %9.1f %12.1f %12.1f %s\n", sizes[i], r.secs * 1e3, r.ref * 1e3,
               r.ref > 0 ? r.secs / r.ref : 0, data_mib, (double)r.peak_kb / 1024.0,
               r.ok ? "" : "(a statistic failed)");
        fflush(stdout);
    }
}

int main(int argc, char **argv) {
    const char *unit_dir = argc > 1 ? argv[1] : ".";
    per_call_table();
    fflush(stdout);
    scale_table(unit_dir);
    return 0;
}
