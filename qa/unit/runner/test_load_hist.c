/* test_load_hist.c: the load generator's log-linear histogram (runner/load/hist.h) against
 * exact answers: every value lies in its bucket, buckets tile the range without gaps and
 * are at most 2^-P of their values wide, and percentiles of random data sets are never
 * below the exact nearest-rank value nor more than 2^-P above it. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "load/hist.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_random(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* exact nearest rank: the ceil(permille * n / 1000)-th smallest */
static uint64_t exact_quantile(const uint64_t *sorted, size_t n, unsigned permille) {
    size_t rank = (permille * n + 999) / 1000;
    if (rank == 0) rank = 1;
    return sorted[rank - 1];
}

static int quantiles_close(const uint64_t *values, size_t n, const char *what) {
    static load_hist h;
    rn_load_hist_init(&h);
    uint64_t *sorted = malloc(n * sizeof *sorted);
    memcpy(sorted, values, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_u64);
    for (size_t i = 0; i < n; i++) rn_load_hist_record(&h, values[i]);
    static const unsigned permille[] = {1, 100, 500, 900, 990, 999, 1000};
    int ok = 1;
    for (size_t k = 0; k < sizeof permille / sizeof permille[0]; k++) {
        uint64_t exact = exact_quantile(sorted, n, permille[k]);
        uint64_t got = rn_load_hist_quantile(&h, permille[k] / 1000.0);
        double bound = (double)exact * (1.0 + 1.0 / (1 << LOAD_HIST_PRECISION_BITS));
        if (got < exact || (double)got > bound || got > sorted[n - 1]) {
            printf("# %s q=%.3f exact %llu got %llu\n", what, permille[k] / 1000.0,
                   (unsigned long long)exact, (unsigned long long)got);
            ok = 0;
        }
    }
    free(sorted);
    return ok;
}

int main(void) {
    /* buckets: every value inside its own, contiguous indices, bounded width */
    int inside = 1, contiguous = 1, narrow = 1;
    unsigned prev = rn_load_hist_index(0);
    for (uint64_t v = 1; v < (1u << 20); v++) {
        unsigned i = rn_load_hist_index(v);
        if (i != prev && i != prev + 1) contiguous = 0;
        prev = i;
    }
    for (int k = 0; k < 200000; k++) {
        uint64_t v = next_random() >> (next_random() % 64);
        if (v >> LOAD_HIST_TOP_EXPONENT) continue;
        uint64_t lo, hi;
        rn_load_hist_bucket_range(rn_load_hist_index(v), &lo, &hi);
        if (v < lo || v > hi) inside = 0;
        if ((double)(hi - lo + 1) > (double)lo / (1 << LOAD_HIST_PRECISION_BITS) && hi != lo)
            narrow = 0;
    }
    for (unsigned e = LOAD_HIST_PRECISION_BITS + 1; e < LOAD_HIST_TOP_EXPONENT; e++) {
        uint64_t lo, hi, v = (uint64_t)1 << e;
        rn_load_hist_bucket_range(rn_load_hist_index(v - 1), &lo, &hi);
        if (hi != v - 1) contiguous = 0; /* a power of two starts a bucket */
        rn_load_hist_bucket_range(rn_load_hist_index(v), &lo, &hi);
        if (lo != v) contiguous = 0;
    }
    CHECK(contiguous, "bucket indices grow by 0 or 1 and powers of two start a bucket");
    CHECK(inside, "every value lies in the range of its bucket");
    CHECK(narrow, "a bucket is at most 2^-P of its lowest value wide");
    CHECK(rn_load_hist_index(((uint64_t)1 << LOAD_HIST_TOP_EXPONENT) - 1) == LOAD_HIST_BUCKETS - 1,
          "the largest value in range has the last bucket");
    CHECK(rn_load_hist_index(UINT64_MAX) == LOAD_HIST_BUCKETS - 1,
          "larger values count in the last bucket");

    /* small values are exact */
    static load_hist h;
    rn_load_hist_init(&h);
    CHECK(rn_load_hist_quantile(&h, 0.5) == 0 && rn_load_hist_mean(&h) == 0,
          "an empty histogram answers 0");
    for (uint64_t v = 1; v <= 1000; v++) rn_load_hist_record(&h, v);
    CHECK(rn_load_hist_quantile(&h, 0.5) == 500, "1..1000: p50 is 500");
    CHECK(rn_load_hist_quantile(&h, 0.999) == 999, "1..1000: p99.9 is 999 (nearest rank)");
    CHECK(rn_load_hist_quantile(&h, 0) == 1 && rn_load_hist_quantile(&h, 1) == 1000,
          "q 0 and 1 are min and max");
    CHECK(fabs(rn_load_hist_mean(&h) - 500.5) < 1e-9, "the mean is exact");

    /* random data sets: uniform, log-uniform (latency-like, 1 us .. 10 s), a stall tail */
    enum {
        N = 100000
    };
    uint64_t *v = malloc(N * sizeof *v);
    for (size_t i = 0; i < N; i++) v[i] = 1000 + next_random() % 9000000;
    CHECK(quantiles_close(v, N, "uniform"),
          "uniform 1 us..9 ms: percentiles within 2^-P above exact");
    for (size_t i = 0; i < N; i++)
        v[i] = (uint64_t)(1e3 * pow(1e7, (double)(next_random() % 1000000) / 1e6));
    CHECK(quantiles_close(v, N, "log-uniform"),
          "log-uniform 1 us..10 s: percentiles within 2^-P above exact");
    for (size_t i = 0; i < N; i++)
        v[i] = i % 100 == 0 ? 200000000 - (i % 7919) * 20000 : 50000 + i % 97;
    CHECK(quantiles_close(v, N, "stall"), "a 1%% stall tail: percentiles within 2^-P above exact");
    CHECK(quantiles_close(v, 7, "seven"), "seven values: percentiles within 2^-P above exact");

    /* merge = recording everything in one */
    static load_hist a, b, all;
    rn_load_hist_init(&a), rn_load_hist_init(&b), rn_load_hist_init(&all);
    for (size_t i = 0; i < N; i++) {
        rn_load_hist_record(i % 3 ? &a : &b, v[i]);
        rn_load_hist_record(&all, v[i]);
    }
    rn_load_hist_merge(&a, &b);
    CHECK(a.count == all.count && a.min == all.min && a.max == all.max &&
              !memcmp(a.buckets, all.buckets, sizeof a.buckets),
          "merging two histograms equals recording into one");

    /* overflow: values past the top keep an exact max and are never understated */
    rn_load_hist_init(&h);
    rn_load_hist_record(&h, 5);
    rn_load_hist_record(&h, (uint64_t)1 << 50);
    CHECK(rn_load_hist_quantile(&h, 1) == (uint64_t)1 << 50 &&
              rn_load_hist_quantile(&h, 0.9) == (uint64_t)1 << 50,
          "a value past the top bucket is answered with the exact max");
    free(v);
    return TAP_DONE();
}
