/* latency.h: a fixed-size log-scale latency histogram (bounded memory whatever the
 * request count) giving approximate percentiles and the exact maximum. */
#ifndef ING_LATENCY_H
#define ING_LATENCY_H

#include <stdint.h>

/* 8 buckets per doubling from 1 us up to ~2^28 us (~4.5 min); slower goes in the last. */
#define LAT_PER_DOUBLING 8
#define LAT_BUCKETS      (LAT_PER_DOUBLING * 28 + 1)

typedef struct latency_hist {
    uint64_t count;
    uint64_t max_ns;
    uint64_t buckets[LAT_BUCKETS];
} latency_hist;

void ing_latency_record(latency_hist *h, uint64_t ns);

/* The q-quantile (0..1) in milliseconds: the upper edge of the bucket holding it, never
 * above the maximum seen. 0 when empty. Relative error at most ~9%. */
double ing_latency_quantile_ms(const latency_hist *h, double q);

#endif
