/* accuracy/accuracy.h: is a profile right? A benchmark's ground truth (bench.conf
 * `truth.FUNCTION = SHARE`: the percent of its CPU time FUNCTION should get) against the
 * folded stacks a profiler delivered (doc/accuracy.md). Pure code: no processes, no
 * files other than the folded text it is handed.
 *
 * Attribution: each sample counts for the truth function nearest its leaf (scanning its
 * stack from the leaf), or for "other" when none is on it. With truth functions that are
 * distinct leaves, as in the accuracy benchmarks, that is their self time; it stays so
 * when a profiler puts a builtin, a libc or kernel frame above the leaf (perf does). A
 * sample counts once, so the shares and other sum to 100%.
 *
 * Error: the total variation distance between the profile's shares and the truth (other's
 * truth is 100 - the sum), in percentage points: half the sum of the absolute
 * differences, 0 for a perfect profile, 100 for a disjoint one.
 *
 * Bound: what sampling alone explains. N samples that each land in category i with
 * probability q_i give shares p_i with Pearson's X^2 = N sum (p_i - q_i)^2 / q_i, about
 * chi-square with k - 1 degrees of freedom (k categories with q_i > 0); by Cauchy-Schwarz
 * sum |p_i - q_i| <= sqrt(X^2 / N), so TVD <= 1/2 sqrt(X^2 / N). The bound is that with
 * the 99.9% quantile of chi-square(k - 1): a correct profiler exceeds it once in a
 * thousand runs, and the bound shrinks as 1/sqrt(N), whatever the machine's speed. */
#ifndef AB_RUNNER_ACCURACY_H
#define AB_RUNNER_ACCURACY_H

#include <stddef.h>
#include <stdio.h>

#define AB_TRUTH_MAX      32  /* functions in one ground truth */
#define AB_TRUTH_NAME_MAX 200 /* bytes in one function name */

typedef struct ab_truth {
    size_t n;
    char *fn[AB_TRUTH_MAX];     /* malloc'd */
    double share[AB_TRUTH_MAX]; /* percent of the CPU time, in (0, 100] */
} ab_truth;

/* One `truth.FUNCTION = VALUE` line: VALUE a percentage in (0, 100], '%' allowed.
 * 0, or -1 with a message in err (bad name or value, named twice, too many). */
int rn_truth_add(ab_truth *t, const char *function, const char *value, char *err, size_t errlen);
/* The whole truth: its shares sum to at most 100 (within 1e-9). 0, or -1 with err. */
int rn_truth_check(const ab_truth *t, char *err, size_t errlen);
double rn_truth_sum(const ab_truth *t);
/* Categories with a positive expected share: the functions, and other when the sum is
 * below 100. */
size_t rn_truth_categories(const ab_truth *t);
void rn_truth_free(ab_truth *t);

/* 1 when the frame (len bytes, not NUL-terminated) names function: the frame itself, the
 * frame cut at its first '.' (gcc's .constprop.0, .isra.0, .cold clones), a V8 perf-map
 * frame "JS:*name path:line:col" (also LazyCompile:, Function:, InterpretedFunction:,
 * Script:; the '*', '~', '^' or '+' tier mark dropped), the same frame as the flame graph
 * folding names it ("name file:line:col"), or a Pyroscope Node.js frame "path:name:line". */
int rn_frame_names(const char *frame, size_t len, const char *function);

/* Samples of a profile per category. count[i] goes with truth->fn[i]. */
typedef struct ab_tally {
    unsigned long long count[AB_TRUTH_MAX], other, total;
    unsigned long long bad_lines; /* lines that are not "stack COUNT" */
} ab_tally;

/* Add the folded text in in ("frame;...;leaf COUNT" lines, root first; blank lines and
 * '#' comments skipped) to ty. 0, or -1 on a read error or when out of memory. */
int rn_tally_folded(const ab_truth *t, FILE *in, ab_tally *ty);
/* d = after - before, category by category. 0, or -1 when a count went down (they are
 * not the same growing profile). */
int rn_tally_diff(const ab_tally *after, const ab_tally *before, ab_tally *d);

/* A profile against the truth. */
typedef struct ab_accuracy {
    double share[AB_TRUTH_MAX]; /* percent, per truth function */
    double other;               /* percent */
    double error_pct;           /* total variation distance, percentage points */
    double samples;             /* N: the tally's total over the samples' mean weight */
    double bound_pct;           /* the sampling bound at N (above) */
} ab_accuracy;

/* Compare ty with t. weight: what one sample counts for on average (>= 1: the C agent's
 * timer overruns; 1 for samples counted once). 0, or -1 when ty is empty. */
int rn_accuracy_of(const ab_truth *t, const ab_tally *ty, double weight, ab_accuracy *a);
/* 50 sqrt(chi2_{0.999}(max(1, categories - 1)) / n), percentage points; 100 when n < 1. */
double rn_accuracy_bound_pct(size_t categories, double n);
/* The 99.9% quantile of chi-square with df degrees of freedom, 1 <= df <= AB_TRUTH_MAX. */
double rn_chi2_999(size_t df);

#endif
