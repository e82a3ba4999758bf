/* latency.c: log-scale histogram; bucket i holds [2^((i-1)/8), 2^(i/8)) microseconds. */
#include "latency.h"

#include <math.h>

static double bucket_upper_us(int i) {
    return exp2((double)i / LAT_PER_DOUBLING);
}

static int bucket_of(uint64_t ns) {
    double us = (double)ns / 1000.0;
    if (us <= 1.0) return 0;
    int i = (int)ceil(log2(us) * LAT_PER_DOUBLING);
    if (i >= LAT_BUCKETS) i = LAT_BUCKETS - 1;
    /* guard against rounding at the edges */
    while (i > 0 && bucket_upper_us(i - 1) >= us) i--;
    while (i < LAT_BUCKETS - 1 && bucket_upper_us(i) < us) i++;
    return i;
}

void ing_latency_record(latency_hist *h, uint64_t ns) {
    h->buckets[bucket_of(ns)]++;
    h->count++;
    if (ns > h->max_ns) h->max_ns = ns;
}

double ing_latency_quantile_ms(const latency_hist *h, double q) {
    if (h->count == 0) return 0.0;
    if (q < 0) q = 0;
    if (q > 1) q = 1;
    uint64_t rank = (uint64_t)ceil(q * (double)h->count);
    if (rank == 0) rank = 1;
    double max_ms = (double)h->max_ns / 1e6;
    uint64_t seen = 0;
    for (int i = 0; i < LAT_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            double ms = bucket_upper_us(i) / 1000.0;
            return ms < max_ms ? ms : max_ms;
        }
    }
    return max_ms;
}
