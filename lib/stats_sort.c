/* stats_sort.c: sorting doubles for the statistics, in O(n): an LSD radix sort of their
 * IEEE-754 bit patterns, mapped to unsigned keys that order like the values (flip every
 * bit of a negative number, only the sign bit of a positive one). Eleven bits a pass, six
 * passes at most, and a pass whose digit is the same in every key is skipped: run times
 * share their sign and most exponent bits, so a suite's samples usually take four. NaNs
 * sort last (as ab_stats_cmp_double orders them) and -0 becomes +0. Small arrays, and
 * the case where the scratch buffer cannot be had, go through qsort. ab_stats_order sorts
 * the same way carrying each value's index (for ranks by position: ab_spearman_trend). */
#include "stats_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DIGIT_BITS 11
#define DIGITS     6 /* 6 x 11 >= 64 */
#define RADIX      (1u << DIGIT_BITS)
#define SMALL      256 /* below this, qsort is as fast */

typedef uint64_t __attribute__((may_alias)) key; /* the keys overwrite the values */

static uint64_t key_of(double v) {
    if (isnan(v)) return UINT64_MAX;
    if (v == 0) v = 0; /* -0 -> +0 */
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u >> 63 ? ~u : u | (1ull << 63);
}

static double value_of(uint64_t k) {
    uint64_t u = k >> 63 ? k & ~(1ull << 63) : ~k;
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

void ab_stats_sort(double *x, size_t n) {
    if (n < 2) return;
    key *tmp = n >= SMALL ? malloc(n * sizeof *tmp) : NULL;
    size_t(*count)[RADIX] = tmp ? calloc(DIGITS, sizeof *count) : NULL;
    if (!count) {
        free(tmp);
        for (size_t i = 0; i < n; i++)
            if (x[i] == 0) x[i] = 0; /* the same result as the radix path */
        qsort(x, n, sizeof *x, ab_stats_cmp_double);
        return;
    }
    key *keys = (key *)(void *)x, *a = keys, *b = tmp;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = key_of(x[i]);
        a[i] = k;
        for (int d = 0; d < DIGITS; d++) count[d][(k >> (d * DIGIT_BITS)) & (RADIX - 1)]++;
    }
    for (int d = 0; d < DIGITS; d++) {
        unsigned shift = (unsigned)d * DIGIT_BITS;
        size_t *c = count[d];
        if (c[(a[0] >> shift) & (RADIX - 1)] == n) continue; /* one digit everywhere */
        size_t sum = 0;
        for (unsigned r = 0; r < RADIX; r++) {
            size_t t = c[r];
            c[r] = sum;
            sum += t;
        }
        for (size_t i = 0; i < n; i++) b[c[(a[i] >> shift) & (RADIX - 1)]++] = a[i];
        key *t = a;
        a = b;
        b = t;
    }
    if (a != keys) memcpy(keys, a, n * sizeof *a);
    for (size_t i = 0; i < n; i++) x[i] = value_of(keys[i]);
    free(count);
    free(tmp);
}

/* The order of x: order[k] is the index of the k-th smallest (ties by index), and
 * keys[k] that value's key (keys of equal values are equal). The same radix passes,
 * carrying the indices along. Returns 0, or -1 (memory; n above 2^32 - 1). */
int ab_stats_order(const double *x, size_t n, uint32_t *order, uint64_t *keys) {
    if (n > UINT32_MAX) return -1;
    if (n == 0) return 0;
    if (n < SMALL) { /* insertion sort: stable, and no 96 KiB of counters to clear */
        for (size_t i = 0; i < n; i++) {
            uint64_t k = key_of(x[i]);
            size_t j = i;
            for (; j > 0 && keys[j - 1] > k; j--) {
                keys[j] = keys[j - 1];
                order[j] = order[j - 1];
            }
            keys[j] = k;
            order[j] = (uint32_t)i;
        }
        return 0;
    }
    uint64_t *tk = malloc(n * sizeof *tk);
    uint32_t *ti = malloc(n * sizeof *ti);
    size_t(*count)[RADIX] = calloc(DIGITS, sizeof *count);
    if (!tk || !ti || !count) {
        free(tk);
        free(ti);
        free(count);
        return -1;
    }
    uint64_t *a = keys, *b = tk;
    uint32_t *ia = order, *ib = ti;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = key_of(x[i]);
        a[i] = k;
        ia[i] = (uint32_t)i;
        for (int d = 0; d < DIGITS; d++) count[d][(k >> (d * DIGIT_BITS)) & (RADIX - 1)]++;
    }
    for (int d = 0; d < DIGITS; d++) {
        unsigned shift = (unsigned)d * DIGIT_BITS;
        size_t *c = count[d];
        if (c[(a[0] >> shift) & (RADIX - 1)] == n) continue;
        size_t sum = 0;
        for (unsigned r = 0; r < RADIX; r++) {
            size_t t = c[r];
            c[r] = sum;
            sum += t;
        }
        for (size_t i = 0; i < n; i++) { /* stable: equal keys keep their index order */
            size_t at = c[(a[i] >> shift) & (RADIX - 1)]++;
            b[at] = a[i];
            ib[at] = ia[i];
        }
        uint64_t *t = a;
        a = b;
        b = t;
        uint32_t *u = ia;
        ia = ib;
        ib = u;
    }
    if (a != keys) {
        memcpy(keys, a, n * sizeof *a);
        memcpy(order, ia, n * sizeof *ia);
    }
    free(count);
    free(tk);
    free(ti);
    return 0;
}
