/* stats.h: the statistics agentbench reports. Summaries with a distribution-free CI of the
 * median; comparisons of a profiled variant with its baseline, unpaired (Mann-Whitney U,
 * Hodges-Lehmann shift of the logs) or paired by round (Wilcoxon signed-rank, Hodges-
 * Lehmann of the Walsh averages of the per-round log ratios); the real coverage of every
 * CI at small n and the n it needs for 95%; Holm's family-wise correction; verdicts.
 * Pure functions over arrays of doubles; no allocation visible to the caller. Every
 * definition is stated in doc/journal.md ("Statistics") and checked against numpy/scipy
 * by qa/gen-stats-vectors and qa/300. */
#ifndef AB_STATS_H
#define AB_STATS_H

#include <stddef.h>
#include <stdint.h>

/* What an order-statistic CI really covers. Its nominal level is 95%; with few values no
 * pair of order statistics reaches it and the CI is the widest one ([min, max]) with a
 * lower coverage: the report must then print that coverage, not "95%", and no verdict. */
typedef struct ab_ci_level {
    double coverage; /* probability that the interval covers the true value, for
                      * continuous data (no ties): e.g. [min, max] of 2 values covers
                      * the median with 0.5, of 3 with 0.75 */
    int nominal;     /* coverage >= 95% */
    size_t need;     /* when !nominal: the fewest values (per variant; pairs, for a
                      * paired comparison) with which it would be; 0 when nominal */
} ab_ci_level;

typedef struct ab_summary {
    size_t n;
    double median, mean, stddev; /* stddev: sample (n-1) standard deviation, 0 when n < 2 */
    double min, max;
    double ci_low, ci_high; /* distribution-free CI of the median (binomial order
                             * statistics, see ab_median_ci_rank): 95% from n = 6;
                             * [min, max] below, with ci_level.coverage */
    ab_ci_level ci_level;   /* of [ci_low, ci_high] (ab_median_ci_level(n)) */
    size_t outliers;        /* values outside [Q1 - 1.5 IQR, Q3 + 1.5 IQR] */
} ab_summary;

/* Summarize x[0..n). Returns 0, or -1 when n == 0 (out is zeroed). Never yields NaN/Inf
 * for finite input. */
int ab_summarize(const double *x, size_t n, ab_summary *out);

/* Median and linear-interpolated quantile (q in [0,1], like numpy's default). */
double ab_median(const double *x, size_t n);
double ab_quantile(const double *x, size_t n, double q);

/* ---- unpaired comparison ----------------------------------------------------------- */

/* Two-sided Mann-Whitney U test of a vs b. Exact distribution when there are no ties and
 * both samples are small (na, nb <= 20 here, like scipy's 'auto' at 8); otherwise the
 * normal approximation with tie correction and continuity correction (scipy
 * mannwhitneyu(..., alternative='two-sided', method=...)). Returns p in [0,1]; 1 when a
 * sample is empty. *u_out (may be NULL) receives U of a. */
double ab_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb, double *u_out);

/* Overhead of `x` relative to `base` as a ratio, with a 95% CI: Hodges-Lehmann estimate
 * of the shift in log space (median of all pairwise log(x_i) - log(base_j)), and the
 * distribution-free CI from the Mann-Whitney distribution; the results are exp()'d.
 * O((nb + nx) log(nb + nx)) time, O(nb + nx) memory (the pairs are never materialised).
 * Values <= 0 are not allowed (returns -1). Returns 0 on success. */
int ab_ratio_hl(const double *base, size_t nb, const double *x, size_t nx, double *ratio,
                double *ci_low, double *ci_high);

/* ---- paired comparison (one baseline and one profiled run per round) --------------- */

/* Two-sided Wilcoxon signed-rank test that d[0..n) is symmetric about 0; zero values are
 * dropped (scipy's zero_method='wilcox'). Exact null distribution when n <= 50 and there
 * are no zeros and no ties among |d|; otherwise the normal approximation with tie
 * correction and continuity correction (scipy wilcoxon(d, zero_method='wilcox',
 * correction=True, method='exact' or 'approx' by that rule)). Returns p in [0,1]; 1 when
 * n == 0 or every d is 0. *t_out (may be NULL) receives T = min(W+, W-), scipy's
 * statistic. */
double ab_wilcoxon_p(const double *d, size_t n, double *t_out);

/* The pairs of a paired comparison: the rounds (the runs' `run` numbers) that both
 * samples have, in round order, as indices: the k-th pair is base[ib[k]] and x[ix[k]]
 * (ib, ix need room for min(nb, nx) each). A round a sample has twice counts with its
 * first value. Returns the number of pairs. O(nb + nx) when both round lists increase
 * strictly (the runner's order), else O((nb + nx) log(nb + nx)); 0 on allocation failure. */
size_t ab_pair_rounds(const uint32_t *base_round, size_t nb, const uint32_t *x_round, size_t nx,
                      uint32_t *ib, uint32_t *ix);

/* Paired overhead: with d_i = log(x_i) - log(base_i) the log ratio of round i, the
 * Hodges-Lehmann estimate exp(median of the Walsh averages (d_i + d_j) / 2, i <= j) and
 * its distribution-free 95% CI from the signed-rank distribution (ab_walsh_ci_rank).
 * O(n log n) time, O(n) memory. Values <= 0 are not allowed (returns -1). */
int ab_ratio_hl_paired(const double *base, const double *x, size_t n, double *ratio, double *ci_low,
                       double *ci_high);

/* ---- drift -------------------------------------------------------------------------- */

/* Spearman's rank correlation rho of x[0..n) with its order 0..n-1 (average ranks for
 * ties), and the two-sided p-value of "no monotonic trend" from Student's t with n - 2
 * degrees of freedom, t = rho sqrt((n - 2) / ((1 + rho)(1 - rho))) (scipy.stats.spearmanr
 * against arange(n)). Returns 0, or -1 (rho 0, p 1) when n < 3, a value is not finite,
 * every value is equal, or no memory. O(n log n). */
int ab_spearman_trend(const double *x, size_t n, double *rho, double *p);
/* P(|T| > |t|) for Student's t with df > 0 degrees of freedom (2 scipy t.sf(|t|, df)). */
double ab_student_t_sf2(double t, double df);

/* ---- the order statistics behind the CIs, and what they cover ---------------------- */

/* The 1-based ranks behind the confidence intervals (exposed for tests and docs).
 * Median CI of n values: [x_(j), x_(n+1-j)] with j the largest j >= 1 such that
 * P(B <= j-1) <= 0.025, B ~ Binomial(n, 1/2); j = 1 when none (n <= 5).
 * Hodges-Lehmann CI over the N = m*n sorted pairwise differences: [d_(k), d_(N+1-k)] with,
 * when N <= 10000, k the largest k >= 1 such that P(U <= k-1) <= 0.025 under the exact
 * no-ties null distribution of the Mann-Whitney U for sizes m, n (k = 1 when none); when
 * N > 10000, k = max(1, floor(N/2 + 0.5 - 1.959963984540054 * sqrt(m n (m+n+1)/12))).
 * Paired (Walsh) CI over the N = n(n+1)/2 sorted Walsh averages: [w_(k), w_(N+1-k)], k as
 * for the unpaired one with the Wilcoxon signed-rank statistic T for n in place of U, and
 * sqrt(n (n+1) (2n+1) / 24) in the normal approximation. */
size_t ab_median_ci_rank(size_t n);
size_t ab_hl_ci_rank(size_t m, size_t n);
size_t ab_walsh_ci_rank(size_t n);

/* Coverage of those CIs: 1 - 2 P(stat <= rank - 1) under the exact null distribution (its
 * normal approximation, continuity corrected, where the rank is), so
 *   median of n:  n = 2: 50%, 3: 75%, 4: 87.5%, 5: 93.75%, nominal from 6 (96.9%);
 *   unpaired m x n: [min, max] of the differences covers 1 - 2 / C(m+n, m): 2x2: 66.7%,
 *                   3x3: 90%, 3x4: 94.3%, nominal from 4x4 (97.1%) or e.g. 2x8, 3x5;
 *                   need = the fewest runs t per variant with max(m,t) x max(n,t) nominal;
 *   paired n:     1 - 2 / 2^n: like the median: nominal from 6 pairs. */
ab_ci_level ab_median_ci_level(size_t n);
ab_ci_level ab_hl_ci_level(size_t m, size_t n);
ab_ci_level ab_walsh_ci_level(size_t n);

/* ---- comparisons and verdicts ------------------------------------------------------ */

typedef enum ab_pairing {
    AB_UNPAIRED = 0,
    AB_PAIRED = 1
} ab_pairing;
const char *ab_pairing_name(ab_pairing p); /* "unpaired", "paired" */

/* A profiled sample against its baseline: all a report or a verdict needs. */
typedef struct ab_comparison {
    int valid; /* 0: no comparison (too few values, a value <= 0) */
    ab_pairing pairing;
    size_t n_base, n_x;            /* values used (paired: both are the pairs) */
    double ratio, ci_low, ci_high; /* x / base: Hodges-Lehmann, its order-statistic CI */
    double p;                      /* two-sided: Mann-Whitney U, or Wilcoxon signed-rank */
    ab_ci_level ci_level;          /* what [ci_low, ci_high] really covers */
} ab_comparison;

/* Fill *out (zeroed, valid = 0 on failure; returns 0 or -1). Unpaired needs >= 1 value on
 * each side, paired >= 1 pair; a CI that is not yet 95% is flagged in ci_level. */
int ab_compare_unpaired(const double *base, size_t nb, const double *x, size_t nx,
                        ab_comparison *out);
int ab_compare_paired(const double *base, const double *x, size_t n, ab_comparison *out);
/* The same without copies, for big samples (a report of a million runs): the unpaired one
 * on base and x, which it reorders and overwrites; the paired one on d, the per-round log
 * ratios log(x_i) - log(base_i) (finite), which it reorders. */
int ab_compare_unpaired_inplace(double *base, size_t nb, double *x, size_t nx, ab_comparison *out);
int ab_compare_paired_logs(double *d, size_t n, ab_comparison *out);

/* Holm's step-down correction of a family of m p-values: with p_(1) <= ... <= p_(m),
 * adj_(i) = max over l <= i of min(1, (m - l + 1) p_(l)); rejecting where adj < alpha
 * controls the family-wise error rate at alpha. adj may be p. NaN counts as 1.
 * Returns 0, or -1 (memory). */
int ab_holm(const double *p, size_t m, double *adj);

typedef enum ab_verdict {
    AB_VERDICT_NONE = 0,     /* "n/a": no valid comparison */
    AB_VERDICT_TOO_FEW,      /* "too few runs": the CI is below 95% (see ci_level.need) */
    AB_VERDICT_SLOWER,       /* ci_low > 1 and the family-adjusted p < alpha */
    AB_VERDICT_FASTER,       /* ci_high < 1 and the family-adjusted p < alpha */
    AB_VERDICT_NO_CHANGE,    /* not the above, CI inside [1 - e, 1 + e]: equivalence */
    AB_VERDICT_INCONCLUSIVE, /* none of the above: the CI reaches beyond the band and no
                              * difference is shown */
} ab_verdict;

typedef struct ab_verdict_rule {
    double alpha;       /* family-wise significance level, (0, 1): default 0.05 */
    double equivalence; /* e, the half-width of the "no change" band, (0, 1): 0.02 */
} ab_verdict_rule;
#define AB_VERDICT_ALPHA       0.05
#define AB_VERDICT_EQUIVALENCE 0.02

/* The verdict of one comparison, in the order the enum lists them. p_family is c->p after
 * the family-wise correction (ab_holm over every comparison the suite reports; c->p for a
 * family of one). rule NULL, or a field out of range: the defaults. */
ab_verdict ab_verdict_of(const ab_comparison *c, double p_family, const ab_verdict_rule *rule);
const char *ab_verdict_name(ab_verdict v); /* "n/a", "too few runs", "slower", "faster",
                                            * "no change", "inconclusive" */

#endif
