/* stats_internal.h: helpers shared by the lib/stats*.c files and nobody else (the public
 * contract is lib/stats.h). One definition of each: the sort order, clamping to finite
 * values, numpy's interpolation, the exact null distributions of the rank statistics, and
 * the selection of order statistics among pairwise differences / Walsh averages. */
#ifndef AB_STATS_INTERNAL_H
#define AB_STATS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"

#define AB_Z_975              1.959963984540054 /* scipy.stats.norm.ppf(0.975) */
#define AB_ALPHA_HALF         0.025             /* the CIs are 95%: 2.5% in each tail */
#define AB_CI_EXACT_MAX_PAIRS 10000 /* exact CI ranks up to this many pairs / averages */

int ab_stats_cmp_double(const void *pa, const void *pb); /* qsort order, NaNs last */
void ab_stats_sort(double *x, size_t n);                 /* ascending, O(n); -0 -> +0 */
double *ab_stats_sorted_copy(const double *x, size_t n); /* malloc'd; NULL on failure */
/* order[k]: the index of x's k-th smallest value (stable), keys[k]: a key equal for equal
 * values and ordered like them; NaN-free x. 0, or -1 (memory). */
int ab_stats_order(const double *x, size_t n, uint32_t *order, uint64_t *keys);
double ab_stats_clamp_finite(double v);             /* NaN -> 0, +-Inf -> +-DBL_MAX */
double ab_stats_lerp(double a, double b, double f); /* a + f (b - a), overflow-safe */
/* The level of a two-sided CI whose one-sided tail is TAIL, from N runs; nominal (95%)
 * from MIN_N, else "need MIN_N". */
ab_ci_level ab_stats_ci_level(size_t n, double tail, size_t min_n);
double ab_stats_kth(double *d, size_t n, size_t k); /* k-th smallest (0-based), reorders */
double ab_stats_norm_cdf(double z);                 /* standard normal CDF */

/* The pooled sample of a[0..na) and b[0..nb), both ascending (NaNs last), ranked with
 * average ranks for ties: the sums of the ranks of a's and of b's values (either pointer
 * may be NULL), and sum(t^3 - t) over the groups of tied values. O(na + nb). */
void ab_stats_merge_ranks(const double *a, size_t na, const double *b, size_t nb,
                          double *rank_sum_a, double *rank_sum_b, double *ties_out);

/* P(U <= u) for u = 0..floor(m n / 2) under the no-ties null distribution of the
 * Mann-Whitney U for sizes m, n: a malloc'd array, or NULL. */
double *ab_stats_mw_lower_cdf(size_t m, size_t n);
/* P(T <= t) for t = 0..tmax under the null distribution of the Wilcoxon signed-rank
 * statistic T (sum of the ranks of the positive ones among n untied nonzero values):
 * a malloc'd array of tmax + 1 values, or NULL. */
double *ab_stats_signed_rank_cdf(size_t n, size_t tmax);

/* ---- order statistics of pairwise combinations (stats_select.c) ----
 * A sorted matrix: element (i, j), i < m rows, j < n columns, ascending along every row
 * and every column:
 *   AB_PAIRS_DIFF    row[i] - col[j]   (row ascending, col descending)
 *   AB_PAIRS_RDIFF   col[j] - row[i]   (row descending, col ascending)
 *   AB_PAIRS_WALSH   (row[i] + row[j]) / 2 for j >= i only (row ascending; n == m)
 * The same expression is evaluated as a full materialisation would, so the selected values
 * are bit for bit those a sort of all the elements would give. */
typedef enum {
    AB_PAIRS_DIFF,
    AB_PAIRS_RDIFF,
    AB_PAIRS_WALSH
} ab_pairs_kind;
typedef struct ab_pairs {
    ab_pairs_kind kind;
    const double *row, *col; /* col unused for AB_PAIRS_WALSH */
    size_t m, n;
} ab_pairs;

/* The number of elements: m n, or n (n + 1) / 2 for Walsh averages; 0 on overflow. */
size_t ab_pairs_count(const ab_pairs *p);
/* out[i] = the ranks[i]-th smallest element (0-based ranks, each < ab_pairs_count).
 * O((m + n) log(m n)) time per rank, O(m + n) memory. Returns 0, or -1 (memory, or more
 * than 2^32 - 1 rows or columns). */
int ab_pairs_select(const ab_pairs *p, const size_t *ranks, size_t nranks, double *out);
/* A Hodges-Lehmann estimate on log scale and its CI: the median of p's elements (numpy's:
 * the mean of the middle two when their number is even) and the elements of ranks k and
 * N + 1 - k (1-based; k capped at the median's), each exp'd and clamped finite into
 * *ratio, *ci_low, *ci_high (any may be NULL). 0, or -1 (no elements, or memory). */
int ab_pairs_hl(const ab_pairs *p, size_t k, double *ratio, double *ci_low, double *ci_high);

#endif
