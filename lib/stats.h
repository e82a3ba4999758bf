/* stats.h: the statistics agentbench reports: summaries with a confidence interval of the
 * median, outlier counts, Mann-Whitney U p-values and Hodges-Lehmann ratio estimates.
 * Pure functions over arrays of doubles; no allocation visible to the caller. */
#ifndef AB_STATS_H
#define AB_STATS_H

#include <stddef.h>

typedef struct ab_summary {
    size_t n;
    double median, mean, stddev;   /* stddev: sample (n-1) standard deviation, 0 when n < 2 */
    double min, max;
    double ci_low, ci_high;        /* 95% distribution-free CI of the median (binomial order
                                    * statistics, see ab_median_ci_rank); [min, max] when
                                    * n <= 5 is too small for 95% (equal to the median at
                                    * n == 1) */
    size_t outliers;               /* values outside [Q1 - 1.5 IQR, Q3 + 1.5 IQR] */
} ab_summary;

/* Summarize x[0..n). Returns 0, or -1 when n == 0 (out is zeroed). Never yields NaN/Inf
 * for finite input. */
int ab_summarize(const double *x, size_t n, ab_summary *out);

/* Median and linear-interpolated quantile (q in [0,1], like numpy's default). */
double ab_median(const double *x, size_t n);
double ab_quantile(const double *x, size_t n, double q);

/* Two-sided Mann-Whitney U test of a vs b. Exact distribution when there are no ties and
 * both samples are small (na, nb <= 20 here, like scipy's 'auto' at 8); otherwise the
 * normal approximation with tie correction and continuity correction (scipy
 * mannwhitneyu(..., alternative='two-sided', method=...)). Returns p in [0,1]; 1 when a
 * sample is empty. *u_out (may be NULL) receives U of a. */
double ab_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb,
                         double *u_out);

/* Overhead of `x` relative to `base` as a ratio, with a 95% CI: Hodges-Lehmann estimate
 * of the shift in log space (median of all pairwise log(x_i) - log(base_j)), and the
 * distribution-free CI from the Mann-Whitney distribution; the results are exp()'d.
 * Values <= 0 are not allowed (returns -1). Returns 0 on success. */
int ab_ratio_hl(const double *base, size_t nb, const double *x, size_t nx,
                double *ratio, double *ci_low, double *ci_high);

/* The 1-based order-statistic ranks behind the confidence intervals (exposed for tests
 * and documentation). Median CI of n values: [x_(j), x_(n+1-j)] with j the largest j >= 1
 * such that P(B <= j-1) <= 0.025, B ~ Binomial(n, 1/2); j = 1 when none (n <= 5).
 * Hodges-Lehmann CI over the N = m*n sorted pairwise differences: [d_(k), d_(N+1-k)] with,
 * when N <= 10000, k the largest k >= 1 such that P(U <= k-1) <= 0.025 under the exact
 * no-ties null distribution of the Mann-Whitney U for sizes m, n (k = 1 when none); when
 * N > 10000, k = max(1, floor(N/2 + 0.5 - 1.959963984540054 * sqrt(m n (m+n+1)/12))). */
size_t ab_median_ci_rank(size_t n);
size_t ab_hl_ci_rank(size_t m, size_t n);

#endif
