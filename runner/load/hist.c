/* hist.c: the log-linear latency histogram of hist.h.
 *
 * Index of a value v with P precision bits: v itself below 2^(P+1); otherwise, with
 * e = floor(log2 v) and shift = e - P, (shift << P) + (v >> shift). v >> shift keeps the
 * P+1 leading bits of v (in [2^P, 2^(P+1))), so consecutive powers of two follow each
 * other without a gap and the inverse is a shift: see rn_load_hist_bucket_range. */
#include "hist.h"

#include <string.h>

#define P LOAD_HIST_PRECISION_BITS

void rn_load_hist_init(load_hist *h) {
    memset(h, 0, sizeof *h);
    h->min = UINT64_MAX;
}

unsigned rn_load_hist_index(uint64_t v) {
    if (v < ((uint64_t)1 << (P + 1))) return (unsigned)v;
    unsigned e = 63u - (unsigned)__builtin_clzll(v);
    if (e >= LOAD_HIST_TOP_EXPONENT) return LOAD_HIST_BUCKETS - 1;
    unsigned shift = e - P;
    return (shift << P) + (unsigned)(v >> shift);
}

void rn_load_hist_bucket_range(unsigned index, uint64_t *low, uint64_t *high) {
    if (index < (1u << (P + 1))) {
        *low = *high = index;
        return;
    }
    unsigned shift = (index >> P) - 1;
    uint64_t mantissa = index - ((uint64_t)shift << P);
    *low = mantissa << shift;
    *high = *low + ((uint64_t)1 << shift) - 1;
}

void rn_load_hist_record(load_hist *h, uint64_t v) {
    h->buckets[rn_load_hist_index(v)]++;
    h->count++;
    h->sum += (double)v;
    if (v < h->min) h->min = v;
    if (v > h->max) h->max = v;
}

void rn_load_hist_merge(load_hist *into, const load_hist *from) {
    for (unsigned i = 0; i < LOAD_HIST_BUCKETS; i++) into->buckets[i] += from->buckets[i];
    into->count += from->count;
    into->sum += from->sum;
    if (from->min < into->min) into->min = from->min;
    if (from->max > into->max) into->max = from->max;
}

uint64_t rn_load_hist_quantile(const load_hist *h, double q) {
    if (h->count == 0) return 0;
    if (q <= 0) return h->min;
    if (q >= 1) return h->max;
    /* nearest rank: the smallest value with at least ceil(q * count) values <= it */
    double r = q * (double)h->count * (1 - 1e-12); /* 0.999 * 1000 is 999, not 999.0000001 */
    uint64_t rank = (uint64_t)r;
    if ((double)rank < r) rank++;
    if (rank == 0) rank = 1;
    uint64_t seen = 0;
    for (unsigned i = 0; i < LOAD_HIST_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            if (i == LOAD_HIST_BUCKETS - 1) return h->max; /* the overflow bucket */
            uint64_t low, high;
            rn_load_hist_bucket_range(i, &low, &high);
            if (high > h->max) high = h->max;
            if (high < h->min) high = h->min;
            return high;
        }
    }
    return h->max;
}

double rn_load_hist_mean(const load_hist *h) {
    return h->count ? h->sum / (double)h->count : 0.0;
}
