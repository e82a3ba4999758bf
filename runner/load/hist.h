/* hist.h: a latency histogram in the shape of HdrHistogram: log-linear buckets, so that
 * recording is O(1) and a few tens of KiB hold every value from 1 ns to ~36 min with a
 * bounded relative error, whatever the distribution.
 *
 * Values below 2^(P+1) (P = LOAD_HIST_PRECISION_BITS) have a bucket each. Above, each
 * power of two [2^e, 2^(e+1)) is cut into 2^P equal buckets, so a bucket is at most
 * 2^-P (0.39%) of the values it holds wide. A percentile is answered with the highest
 * value of the bucket that holds the nearest-rank sample (never below the exact value,
 * at most 0.39% above it, never above the largest value recorded): a tail latency is
 * never understated. Values past the top bucket count in the top bucket; max stays exact. */
#ifndef AB_LOAD_HIST_H
#define AB_LOAD_HIST_H

#include <stdint.h>

#define LOAD_HIST_PRECISION_BITS 8
#define LOAD_HIST_TOP_EXPONENT   41 /* values < 2^41 ns (~36.6 min) are exact-enough */
#define LOAD_HIST_BUCKETS \
    (((LOAD_HIST_TOP_EXPONENT - LOAD_HIST_PRECISION_BITS) + 1) << LOAD_HIST_PRECISION_BITS)

typedef struct load_hist {
    uint64_t count;
    uint64_t min, max; /* exact; min is UINT64_MAX while empty */
    double sum;        /* for the mean */
    uint64_t buckets[LOAD_HIST_BUCKETS];
} load_hist;

void rn_load_hist_init(load_hist *h);
void rn_load_hist_record(load_hist *h, uint64_t value);
void rn_load_hist_merge(load_hist *into, const load_hist *from);

/* The value at quantile q in [0, 1] (nearest rank: the ceil(q*count)-th smallest, the
 * smallest for q = 0); 0 when empty. */
uint64_t rn_load_hist_quantile(const load_hist *h, double q);
double rn_load_hist_mean(const load_hist *h);

/* The bucket a value falls in and the range [low, high] of values that bucket holds
 * (exposed for the unit tests). */
unsigned rn_load_hist_index(uint64_t value);
void rn_load_hist_bucket_range(unsigned index, uint64_t *low, uint64_t *high);

#endif
