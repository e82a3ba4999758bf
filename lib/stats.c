/* stats.c: summaries, the CI of the median, the Mann-Whitney U test and the unpaired
 * Hodges-Lehmann ratio (ab_compare_unpaired) of lib/stats.h, with the helpers every
 * lib/stats*.c shares (stats_internal.h). Every definition here is reproduced
 * independently by qa/gen-stats-vectors (numpy/scipy) and checked by
 * qa/unit/lib/test_stats.c; doc/journal.md ("Statistics") states them in words. */
#include "stats.h"
#include "stats_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int ab_stats_cmp_double(const void *pa, const void *pb) {
    double a = *(const double *)pa, b = *(const double *)pb;
    if (a < b) return -1;
    if (a > b) return 1;
    if (a == b) return 0;
    /* NaNs sort last so the order stays total */
    return isnan(a) - isnan(b);
}

double *ab_stats_sorted_copy(const double *x, size_t n) {
    double *s = malloc((n ? n : 1) * sizeof *s);
    if (!s) return NULL;
    memcpy(s, x, n * sizeof *s);
    ab_stats_sort(s, n);
    return s;
}

double ab_stats_clamp_finite(double v) {
    if (isnan(v)) return 0;
    if (v > DBL_MAX) return DBL_MAX;
    if (v < -DBL_MAX) return -DBL_MAX;
    return v;
}

/* a + f (b - a) without overflowing when b - a does. */
double ab_stats_lerp(double a, double b, double f) {
    if (f == 0) return a;
    double d = b - a;
    if (isfinite(d)) return a + f * d;
    return (1 - f) * a + f * b;
}

/* numpy's default ("linear") quantile of an ascending array. */
static double quantile_sorted(const double *s, size_t n, double q) {
    if (n == 0) return 0;
    if (!(q > 0)) q = 0; /* also catches NaN */
    if (q > 1) q = 1;
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo >= n - 1) return s[n - 1];
    return ab_stats_lerp(s[lo], s[lo + 1], h - (double)lo);
}

double ab_quantile(const double *x, size_t n, double q) {
    if (n == 0) return 0;
    double *s = ab_stats_sorted_copy(x, n);
    if (!s) return 0;
    double v = quantile_sorted(s, n, q);
    free(s);
    return v;
}

double ab_median(const double *x, size_t n) {
    return ab_quantile(x, n, 0.5);
}

/* Mean and sample standard deviation by two passes over the values divided by a power of
 * two near the largest magnitude (exact), so that neither the sum of huge values overflows
 * nor the squares of tiny ones underflow. */
static void mean_stddev(const double *x, size_t n, double *mean, double *sd) {
    double big = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(x[i]) > big) big = fabs(x[i]);
    int e = 0;
    frexp(big, &e);
    double scale = big > 0 ? ldexp(1, e) : 1;
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += x[i] / scale;
    double m = sum / (double)n;
    double ss = 0;
    for (size_t i = 0; i < n; i++) {
        double d = x[i] / scale - m;
        ss += d * d;
    }
    *mean = ab_stats_clamp_finite(m * scale);
    *sd = n < 2 ? 0 : ab_stats_clamp_finite(sqrt(ss / (double)(n - 1)) * scale);
}

/* log P(B = k) for B ~ Binomial(n, 1/2). */
static double log_binom_half_pmf(size_t n, size_t k) {
    return lgamma((double)n + 1) - lgamma((double)k + 1) - lgamma((double)(n - k) + 1) -
           (double)n * M_LN2;
}

/* The 1-based rank j of the lower bound of the distribution-free 95% CI of the median:
 * the largest j with P(B <= j-1) <= 0.025, B ~ Binomial(n, 1/2); 1 when there is none
 * (n <= 5), which makes the CI [min, max]. The upper bound is rank n+1-j. *tail (may be
 * NULL) gets P(B <= j-1). The sum starts 10 standard deviations below the mean (at 0
 * for n <= 100), where what it leaves out is below exp(-50) by Hoeffding's bound, and
 * steps by pmf(k+1) = pmf(k) (n-k) / (k+1): O(sqrt(n)). */
static size_t median_rank_tail(size_t n, double *tail) {
    double sd = sqrt((double)n) / 2, from = floor((double)n / 2 - 10 * sd);
    size_t k0 = from > 0 ? (size_t)from : 0;
    size_t j = 1;
    double pmf = n ? exp(log_binom_half_pmf(n, k0)) : 1;
    double cdf = 0, at_j = k0 == 0 ? pmf : 0;
    for (size_t k = k0; k < n; k++) { /* pmf = P(B = k), cdf = P(B <= k) */
        cdf += pmf;
        if (cdf > AB_ALPHA_HALF) break;
        j = k + 1;
        at_j = cdf;
        pmf *= (double)(n - k) / (double)(k + 1);
    }
    if (tail) *tail = at_j;
    return j;
}

size_t ab_median_ci_rank(size_t n) {
    return median_rank_tail(n, NULL);
}

/* 95% is reached when P(B <= 0) = 2^-n <= 0.025, i.e. from n = 6. */
#define MEDIAN_CI_MIN_N 6

ab_ci_level ab_stats_ci_level(size_t n, double tail, size_t min_n) {
    ab_ci_level l = {0, 0, 0};
    l.coverage = n && tail < 0.5 ? 1 - 2 * tail : 0;
    l.nominal = n >= min_n;
    l.need = l.nominal ? 0 : min_n;
    return l;
}

static ab_ci_level median_level(size_t n, double tail) {
    return ab_stats_ci_level(n, tail, MEDIAN_CI_MIN_N);
}

ab_ci_level ab_median_ci_level(size_t n) {
    double tail;
    median_rank_tail(n, &tail);
    return median_level(n, tail);
}

int ab_summarize(const double *x, size_t n, ab_summary *out) {
    memset(out, 0, sizeof *out);
    if (n == 0 || !x) return -1;
    double *s = ab_stats_sorted_copy(x, n);
    if (!s) return -1;
    out->n = n;
    out->min = s[0];
    out->max = s[n - 1];
    out->median = quantile_sorted(s, n, 0.5);
    mean_stddev(s, n, &out->mean, &out->stddev);

    double tail;
    size_t j = median_rank_tail(n, &tail);
    out->ci_low = s[j - 1];
    out->ci_high = s[n - j];
    out->ci_level = median_level(n, tail);

    double q1 = quantile_sorted(s, n, 0.25), q3 = quantile_sorted(s, n, 0.75);
    double iqr = ab_stats_clamp_finite(q3 - q1);
    double lo = ab_stats_clamp_finite(q1 - 1.5 * iqr), hi = ab_stats_clamp_finite(q3 + 1.5 * iqr);
    for (size_t i = 0; i < n; i++)
        if (s[i] < lo || s[i] > hi) out->outliers++;
    free(s);
    return 0;
}

/* ---- Mann-Whitney U ---------------------------------------------------------------- */

/* The lower half of the null distribution of U for samples of sizes m and n without ties:
 * returns a malloc'd array cdf[0..N/2] (N = m*n, N/2 rounded down) with cdf[u] = P(U <= u),
 * or NULL. By symmetry P(U >= u) = P(U <= N - u).
 * The counts of the C(m+n, m) orderings by their U are the coefficients of the Gaussian
 * binomial coefficient [m+n choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i); each
 * factor only looks at lower coefficients, so the polynomial is kept truncated at N/2.
 * Counts are exact integers in doubles while C(m+n, m) < 2^53 (m, n <= 20 and more). */
double *ab_stats_mw_lower_cdf(size_t m, size_t n) {
    if (m > n) {
        size_t t = m;
        m = n;
        n = t;
    }
    size_t N = m * n, L = N / 2;
    double *c = calloc(L + 1, sizeof *c);
    if (!c) return NULL;
    c[0] = 1;
    size_t deg = 0; /* degree of the untruncated polynomial so far */
    for (size_t i = 1; i <= m; i++) {
        size_t shift = n + i;
        size_t top = deg + shift < L ? deg + shift : L;
        for (size_t k = top; k >= shift && k <= top; k--) /* times (1 - q^(n+i)) */
            c[k] -= c[k - shift];
        size_t end = deg + n < L ? deg + n : L;
        for (size_t k = i; k <= end; k++) /* divided by (1 - q^i) */
            c[k] += c[k - i];
        for (size_t k = deg + n + 1; k <= top; k++) /* above the new degree */
            c[k] = 0;
        deg += n;
    }
    /* the total, C(m+n, m), from the symmetric halves */
    double half = 0;
    for (size_t u = 0; u < (N + 1) / 2; u++) half += c[u];
    double total = 2 * half + (N % 2 == 0 ? c[L] : 0);
    double cum = 0;
    for (size_t u = 0; u <= L; u++) {
        cum += c[u];
        c[u] = cum / total;
    }
    return c;
}

void ab_stats_merge_ranks(const double *a, size_t na, const double *b, size_t nb,
                          double *rank_sum_a, double *rank_sum_b, double *ties_out) {
    double ra = 0, rb = 0, ties = 0;
    size_t i = 0, j = 0, done = 0; /* done: values ranked so far */
    while (i < na || j < nb) {
        double v = j >= nb || (i < na && ab_stats_cmp_double(&a[i], &b[j]) <= 0) ? a[i] : b[j];
        size_t ca = 0, cb = 0;
        while (i + ca < na && a[i + ca] == v) ca++;
        while (j + cb < nb && b[j + cb] == v) cb++;
        if (ca + cb == 0) { /* NaN, equal to nothing: a group of its own */
            if (i < na && isnan(a[i])) ca = 1;
            else cb = 1;
        }
        double t = (double)(ca + cb);
        double avg = (double)done + (t + 1) / 2; /* ranks done+1 .. done+t */
        ra += (double)ca * avg;
        rb += (double)cb * avg;
        ties += t * t * t - t;
        i += ca;
        j += cb;
        done += ca + cb;
    }
    if (rank_sum_a) *rank_sum_a = ra;
    if (rank_sum_b) *rank_sum_b = rb;
    *ties_out = ties;
}

/* ab_mann_whitney_p of two ascending samples. */
static double mann_whitney_sorted(const double *sa, size_t na, const double *sb, size_t nb,
                                  double *u_out) {
    if (u_out) *u_out = 0;
    if (na == 0 || nb == 0) return 1;
    size_t n = na + nb;
    double r1, ties;
    ab_stats_merge_ranks(sa, na, sb, nb, &r1, NULL, &ties);

    double mn = (double)na * (double)nb;
    double u1 = r1 - (double)na * ((double)na + 1) / 2;
    double u2 = mn - u1;
    double u = u1 > u2 ? u1 : u2;
    if (u_out) *u_out = u1;

    double p;
    if (ties == 0 && na <= 20 && nb <= 20) {
        /* exact: p = 2 P(U >= max(U1, U2)) = 2 P(U <= N - max(U1, U2)) */
        double *cdf = ab_stats_mw_lower_cdf(na, nb);
        if (!cdf) return 1;
        p = 2 * cdf[na * nb - (size_t)u];
        free(cdf);
    } else {
        /* normal approximation, tie and continuity corrected (scipy 'asymptotic') */
        double nn = (double)n;
        double var = mn / 12 * ((nn + 1) - ties / (nn * (nn - 1)));
        if (!(var > 0)) return 1; /* every value equal */
        double z = (u - mn / 2 - 0.5) / sqrt(var);
        p = 2 * (0.5 * erfc(z / M_SQRT2));
    }
    if (!(p >= 0)) p = 0;
    if (p > 1) p = 1;
    return p;
}

double ab_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb, double *u_out) {
    if (u_out) *u_out = 0;
    if (na == 0 || nb == 0 || !a || !b) return 1;
    double *sa = ab_stats_sorted_copy(a, na), *sb = ab_stats_sorted_copy(b, nb);
    double p = sa && sb ? mann_whitney_sorted(sa, na, sb, nb, u_out) : 1;
    free(sa);
    free(sb);
    return p;
}

/* ---- Hodges-Lehmann ratio ---------------------------------------------------------- */

/* Rearrange d[lo..hi] so that d[k] holds the value a full sort would put there, with
 * nothing larger before it and nothing smaller after it (quickselect, median-of-three
 * pivots). Expected O(hi - lo). */
static void select_kth(double *d, size_t lo, size_t hi, size_t k) {
    while (hi > lo) {
        size_t mid = lo + (hi - lo) / 2;
        /* order d[lo], d[mid], d[hi]; the median of the three is the pivot */
        if (d[mid] < d[lo]) {
            double t = d[mid];
            d[mid] = d[lo];
            d[lo] = t;
        }
        if (d[hi] < d[lo]) {
            double t = d[hi];
            d[hi] = d[lo];
            d[lo] = t;
        }
        if (d[hi] < d[mid]) {
            double t = d[hi];
            d[hi] = d[mid];
            d[mid] = t;
        }
        double pivot = d[mid];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (d[i] < pivot) i++;
            while (d[j] > pivot) j--;
            if (i <= j) {
                double t = d[i];
                d[i] = d[j];
                d[j] = t;
                i++;
                if (j == 0) break;
                j--;
            }
        }
        /* now d[lo..j] <= pivot <= d[i..hi], and lo..j, i..hi do not overlap */
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else return; /* j < k < i: d[k] == pivot */
    }
}

double ab_stats_kth(double *d, size_t n, size_t k) {
    select_kth(d, 0, n - 1, k);
    return d[k];
}

double ab_stats_norm_cdf(double z) {
    return 0.5 * erfc(-z / M_SQRT2);
}

/* The 1-based rank k of the lower bound of the 95% CI of the Hodges-Lehmann shift among
 * the N = m*n sorted pairwise differences; the upper bound is rank N+1-k.
 * When m*n <= 10000: k = the largest k >= 1 with P(U <= k-1) <= 0.025 under the exact
 * null distribution of U (no ties), or 1 if there is none.
 * Beyond: k = floor(N/2 + 0.5 - 1.959963984540054 * sqrt(m n (m+n+1) / 12)), at least 1.
 * *tail (may be NULL) gets P(U <= k-1), exact or by the normal approximation. */
static size_t hl_rank_tail(size_t m, size_t n, double *tail) {
    size_t N = m * n;
    if (N <= AB_CI_EXACT_MAX_PAIRS) {
        double *cdf = ab_stats_mw_lower_cdf(m, n);
        if (!cdf) {
            if (tail) *tail = 1;
            return 1;
        }
        size_t k = 1;
        for (size_t u = 0; u <= N / 2 && cdf[u] <= AB_ALPHA_HALF; u++) k = u + 1;
        if (tail) *tail = cdf[k - 1]; /* cdf[0] when none qualifies */
        free(cdf);
        return k;
    }
    double mm = (double)m, nn = (double)n;
    double sd = sqrt(mm * nn * (mm + nn + 1) / 12);
    double kk = floor((double)N / 2 + 0.5 - AB_Z_975 * sd);
    size_t k = kk < 1 ? 1 : (size_t)kk;
    if (tail && k == 1) /* [min, max] (a very unbalanced pair): P(U <= 0) = 1 / C(m+n, m) */
        *tail = exp(lgamma(mm + 1) + lgamma(nn + 1) - lgamma(mm + nn + 1));
    else if (tail) *tail = ab_stats_norm_cdf(((double)k - 0.5 - (double)N / 2) / sd);
    return k;
}

size_t ab_hl_ci_rank(size_t m, size_t n) {
    return hl_rank_tail(m, n, NULL);
}

/* Is the [min, max] CI of m x n differences 95%? 1 / C(m+n, m) <= 0.025. */
static int hl_reaches(size_t m, size_t n) {
    double log_c = lgamma((double)(m + n) + 1) - lgamma((double)m + 1) - lgamma((double)n + 1);
    return log_c >= log(1 / AB_ALPHA_HALF) - 1e-12;
}

/* The level of the CI whose rank has tail P(U <= k-1) = tail. */
static ab_ci_level hl_level(size_t m, size_t n, double tail) {
    ab_ci_level l = {0, 0, 0};
    if (m == 0 || n == 0) {
        l.need = 4;
        return l;
    }
    l.coverage = tail < 0.5 ? 1 - 2 * tail : 0;
    l.nominal = hl_reaches(m, n);
    if (!l.nominal) {
        size_t t = 1;
        while (!hl_reaches(m > t ? m : t, n > t ? n : t)) t++;
        l.need = t;
    }
    return l;
}

ab_ci_level ab_hl_ci_level(size_t m, size_t n) {
    double tail = 1;
    if (m && n) hl_rank_tail(m, n, &tail);
    return hl_level(m, n, tail);
}

/* The Hodges-Lehmann ratio and its CI (rank k) from lb, the logs of the baseline in
 * descending order, and lx, the profiled logs in ascending order. */
static int hl_of_logs(const double *lb, size_t nb, const double *lx, size_t nx, size_t k,
                      double *ratio, double *ci_low, double *ci_high) {
    /* the differences lx_i - lb_j, the smaller sample along the rows */
    ab_pairs p = nx <= nb ? (ab_pairs){AB_PAIRS_DIFF, lx, lb, nx, nb}
                          : (ab_pairs){AB_PAIRS_RDIFF, lb, lx, nb, nx};
    return ab_pairs_hl(&p, k, ratio, ci_low, ci_high);
}

static int all_positive(const double *x, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!(x[i] > 0) || !isfinite(x[i])) return 0;
    return 1;
}

/* Sorted ascending base and x (> 0) into their logs, base's reversed (descending). */
static void to_logs(double *base, size_t nb, double *x, size_t nx) {
    for (size_t i = 0; i < nx; i++) x[i] = log(x[i]);
    for (size_t j = 0; j < nb; j++) base[j] = log(base[j]);
    for (size_t i = 0, j = nb - 1; nb && i < j; i++, j--) {
        double t = base[i];
        base[i] = base[j];
        base[j] = t;
    }
}

/* ab_ratio_hl with the CI's rank k given. */
static int ratio_hl_at(const double *base, size_t nb, const double *x, size_t nx, size_t k,
                       double *ratio, double *ci_low, double *ci_high) {
    if (nb == 0 || nx == 0 || !base || !x || !all_positive(base, nb) || !all_positive(x, nx))
        return -1;
    double *lb = ab_stats_sorted_copy(base, nb), *lx = ab_stats_sorted_copy(x, nx);
    int rc = -1;
    if (lb && lx) {
        to_logs(lb, nb, lx, nx);
        rc = hl_of_logs(lb, nb, lx, nx, k, ratio, ci_low, ci_high);
    }
    free(lb);
    free(lx);
    return rc;
}

int ab_ratio_hl(const double *base, size_t nb, const double *x, size_t nx, double *ratio,
                double *ci_low, double *ci_high) {
    if (nb == 0 || nx == 0) return -1;
    return ratio_hl_at(base, nb, x, nx, ab_hl_ci_rank(nx, nb), ratio, ci_low, ci_high);
}

int ab_compare_unpaired(const double *base, size_t nb, const double *x, size_t nx,
                        ab_comparison *out) {
    memset(out, 0, sizeof *out);
    out->pairing = AB_UNPAIRED;
    if (nb == 0 || nx == 0 || !base || !x) return -1;
    double *b = malloc(nb * sizeof *b), *c = malloc(nx * sizeof *c);
    int rc = -1;
    if (b && c) {
        memcpy(b, base, nb * sizeof *b);
        memcpy(c, x, nx * sizeof *c);
        rc = ab_compare_unpaired_inplace(b, nb, c, nx, out);
    }
    free(b);
    free(c);
    return rc;
}

int ab_compare_unpaired_inplace(double *base, size_t nb, double *x, size_t nx, ab_comparison *out) {
    memset(out, 0, sizeof *out);
    out->pairing = AB_UNPAIRED;
    if (nb == 0 || nx == 0 || !base || !x || !all_positive(base, nb) || !all_positive(x, nx))
        return -1;
    /* the test on the values, sorted; the estimate on their logs, which keep the order */
    ab_stats_sort(base, nb);
    ab_stats_sort(x, nx);
    out->p = mann_whitney_sorted(x, nx, base, nb, NULL);
    double tail;
    size_t k = hl_rank_tail(nx, nb, &tail);
    to_logs(base, nb, x, nx);
    if (hl_of_logs(base, nb, x, nx, k, &out->ratio, &out->ci_low, &out->ci_high) < 0) {
        memset(out, 0, sizeof *out);
        out->pairing = AB_UNPAIRED;
        return -1;
    }
    out->n_base = nb;
    out->n_x = nx;
    out->ci_level = hl_level(nx, nb, tail);
    out->valid = 1;
    return 0;
}
