/* stats.c: the statistics of lib/stats.h. Every definition here is reproduced
 * independently by qa/gen-stats-vectors (numpy/scipy) and checked by
 * qa/unit/lib/test_stats.c; doc/journal.md ("Statistics") states them in words. */
#include "stats.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define Z_975 1.959963984540054   /* scipy.stats.norm.ppf(0.975) */
#define ALPHA_HALF 0.025

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    if (a < b) return -1;
    if (a > b) return 1;
    if (a == b) return 0;
    /* NaNs sort last so the order stays total */
    return isnan(a) - isnan(b);
}

static double *sorted_copy(const double *x, size_t n)
{
    double *s = malloc((n ? n : 1) * sizeof *s);
    if (!s) return NULL;
    memcpy(s, x, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    return s;
}

static double clamp_finite(double v)
{
    if (isnan(v)) return 0;
    if (v > DBL_MAX) return DBL_MAX;
    if (v < -DBL_MAX) return -DBL_MAX;
    return v;
}

/* a + f (b - a) without overflowing when b - a does. */
static double lerp(double a, double b, double f)
{
    if (f == 0) return a;
    double d = b - a;
    if (isfinite(d)) return a + f * d;
    return (1 - f) * a + f * b;
}

/* numpy's default ("linear") quantile of an ascending array. */
static double quantile_sorted(const double *s, size_t n, double q)
{
    if (n == 0) return 0;
    if (!(q > 0)) q = 0;        /* also catches NaN */
    if (q > 1) q = 1;
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo >= n - 1) return s[n - 1];
    return lerp(s[lo], s[lo + 1], h - (double)lo);
}

double ab_quantile(const double *x, size_t n, double q)
{
    if (n == 0) return 0;
    double *s = sorted_copy(x, n);
    if (!s) return 0;
    double v = quantile_sorted(s, n, q);
    free(s);
    return v;
}

double ab_median(const double *x, size_t n)
{
    return ab_quantile(x, n, 0.5);
}

/* Mean and sample standard deviation by two passes over the values divided by a power of
 * two near the largest magnitude (exact), so that neither the sum of huge values overflows
 * nor the squares of tiny ones underflow. */
static void mean_stddev(const double *x, size_t n, double *mean, double *sd)
{
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
    *mean = clamp_finite(m * scale);
    *sd = n < 2 ? 0 : clamp_finite(sqrt(ss / (double)(n - 1)) * scale);
}

/* log P(B = k) for B ~ Binomial(n, 1/2). */
static double log_binom_half_pmf(size_t n, size_t k)
{
    return lgamma((double)n + 1) - lgamma((double)k + 1) - lgamma((double)(n - k) + 1)
           - (double)n * M_LN2;
}

/* The 1-based rank j of the lower bound of the distribution-free 95% CI of the median:
 * the largest j with P(B <= j-1) <= 0.025, B ~ Binomial(n, 1/2); 1 when there is none
 * (n <= 5), which makes the CI [min, max]. The upper bound is rank n+1-j. */
size_t ab_median_ci_rank(size_t n)
{
    size_t j = 1;
    double cdf = 0;
    for (size_t k = 0; k < n; k++) {    /* cdf = P(B <= k) */
        cdf += exp(log_binom_half_pmf(n, k));
        if (cdf <= ALPHA_HALF) j = k + 1;
        else break;
    }
    return j;
}

int ab_summarize(const double *x, size_t n, ab_summary *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0 || !x) return -1;
    double *s = sorted_copy(x, n);
    if (!s) return -1;
    out->n = n;
    out->min = s[0];
    out->max = s[n - 1];
    out->median = quantile_sorted(s, n, 0.5);
    mean_stddev(s, n, &out->mean, &out->stddev);

    size_t j = ab_median_ci_rank(n);
    out->ci_low = s[j - 1];
    out->ci_high = s[n - j];

    double q1 = quantile_sorted(s, n, 0.25), q3 = quantile_sorted(s, n, 0.75);
    double iqr = clamp_finite(q3 - q1);
    double lo = clamp_finite(q1 - 1.5 * iqr), hi = clamp_finite(q3 + 1.5 * iqr);
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
static double *mw_lower_cdf(size_t m, size_t n)
{
    if (m > n) { size_t t = m; m = n; n = t; }
    size_t N = m * n, L = N / 2;
    double *c = calloc(L + 1, sizeof *c);
    if (!c) return NULL;
    c[0] = 1;
    size_t deg = 0;   /* degree of the untruncated polynomial so far */
    for (size_t i = 1; i <= m; i++) {
        size_t shift = n + i;
        size_t top = deg + shift < L ? deg + shift : L;
        for (size_t k = top; k >= shift && k <= top; k--)     /* times (1 - q^(n+i)) */
            c[k] -= c[k - shift];
        size_t end = deg + n < L ? deg + n : L;
        for (size_t k = i; k <= end; k++)                     /* divided by (1 - q^i) */
            c[k] += c[k - i];
        for (size_t k = deg + n + 1; k <= top; k++)           /* above the new degree */
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

/* Orders pooled items by value (the value is each item's first member). */
static int cmp_item(const void *pa, const void *pb)
{
    return cmp_double(pa, pb);
}

/* Average ranks (1-based) of the pooled sample; *ties_out gets sum(t^3 - t) over groups of
 * tied values. ranks[i] is the rank of pooled value i (a's first, then b's). */
static int pooled_ranks(const double *a, size_t na, const double *b, size_t nb,
                        double *ranks, double *ties_out)
{
    size_t n = na + nb;
    typedef struct { double v; size_t i; } item;
    item *it = malloc(n * sizeof *it);
    if (!it) return -1;
    for (size_t i = 0; i < na; i++) it[i] = (item){ a[i], i };
    for (size_t i = 0; i < nb; i++) it[na + i] = (item){ b[i], na + i };
    qsort(it, n, sizeof *it, cmp_item);
    double ties = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && it[j].v == it[i].v) j++;
        double avg = ((double)(i + 1) + (double)j) / 2;   /* ranks i+1 .. j */
        for (size_t k = i; k < j; k++) ranks[it[k].i] = avg;
        double t = (double)(j - i);
        ties += t * t * t - t;
        i = j;
    }
    free(it);
    *ties_out = ties;
    return 0;
}

double ab_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb,
                         double *u_out)
{
    if (u_out) *u_out = 0;
    if (na == 0 || nb == 0 || !a || !b) return 1;
    size_t n = na + nb;
    double *ranks = malloc(n * sizeof *ranks);
    double ties;
    if (!ranks || pooled_ranks(a, na, b, nb, ranks, &ties) < 0) { free(ranks); return 1; }
    double r1 = 0;
    for (size_t i = 0; i < na; i++) r1 += ranks[i];
    free(ranks);

    double mn = (double)na * (double)nb;
    double u1 = r1 - (double)na * ((double)na + 1) / 2;
    double u2 = mn - u1;
    double u = u1 > u2 ? u1 : u2;
    if (u_out) *u_out = u1;

    double p;
    if (ties == 0 && na <= 20 && nb <= 20) {
        /* exact: p = 2 P(U >= max(U1, U2)) = 2 P(U <= N - max(U1, U2)) */
        double *cdf = mw_lower_cdf(na, nb);
        if (!cdf) return 1;
        p = 2 * cdf[na * nb - (size_t)u];
        free(cdf);
    } else {
        /* normal approximation, tie and continuity corrected (scipy 'asymptotic') */
        double nn = (double)n;
        double var = mn / 12 * ((nn + 1) - ties / (nn * (nn - 1)));
        if (!(var > 0)) return 1;   /* every value equal */
        double z = (u - mn / 2 - 0.5) / sqrt(var);
        p = 2 * (0.5 * erfc(z / M_SQRT2));
    }
    if (!(p >= 0)) p = 0;
    if (p > 1) p = 1;
    return p;
}

/* ---- Hodges-Lehmann ratio ---------------------------------------------------------- */

/* Rearrange d[lo..hi] so that d[k] holds the value a full sort would put there, with
 * nothing larger before it and nothing smaller after it (quickselect, median-of-three
 * pivots). Expected O(hi - lo). */
static void select_kth(double *d, size_t lo, size_t hi, size_t k)
{
    while (hi > lo) {
        size_t mid = lo + (hi - lo) / 2;
        /* order d[lo], d[mid], d[hi]; the median of the three is the pivot */
        if (d[mid] < d[lo]) { double t = d[mid]; d[mid] = d[lo]; d[lo] = t; }
        if (d[hi] < d[lo]) { double t = d[hi]; d[hi] = d[lo]; d[lo] = t; }
        if (d[hi] < d[mid]) { double t = d[hi]; d[hi] = d[mid]; d[mid] = t; }
        double pivot = d[mid];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (d[i] < pivot) i++;
            while (d[j] > pivot) j--;
            if (i <= j) {
                double t = d[i]; d[i] = d[j]; d[j] = t;
                i++;
                if (j == 0) break;
                j--;
            }
        }
        /* now d[lo..j] <= pivot <= d[i..hi], and lo..j, i..hi do not overlap */
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else return;   /* j < k < i: d[k] == pivot */
    }
}

/* The k-th smallest (0-based) of d[0..n), reordering d. */
static double kth(double *d, size_t n, size_t k)
{
    select_kth(d, 0, n - 1, k);
    return d[k];
}

/* The 1-based rank k of the lower bound of the 95% CI of the Hodges-Lehmann shift among
 * the N = m*n sorted pairwise differences; the upper bound is rank N+1-k.
 * When m*n <= 10000: k = the largest k >= 1 with P(U <= k-1) <= 0.025 under the exact
 * null distribution of U (no ties), or 1 if there is none.
 * Beyond: k = floor(N/2 + 0.5 - 1.959963984540054 * sqrt(m n (m+n+1) / 12)), at least 1. */
size_t ab_hl_ci_rank(size_t m, size_t n)
{
    size_t N = m * n;
    if (N <= 10000) {
        double *cdf = mw_lower_cdf(m, n);
        if (!cdf) return 1;
        size_t k = 1;
        for (size_t u = 0; u <= N / 2 && cdf[u] <= ALPHA_HALF; u++) k = u + 1;
        free(cdf);
        return k;
    }
    double mm = (double)m, nn = (double)n;
    double kk = floor((double)N / 2 + 0.5 - Z_975 * sqrt(mm * nn * (mm + nn + 1) / 12));
    return kk < 1 ? 1 : (size_t)kk;
}

int ab_ratio_hl(const double *base, size_t nb, const double *x, size_t nx,
                double *ratio, double *ci_low, double *ci_high)
{
    if (nb == 0 || nx == 0 || !base || !x) return -1;
    for (size_t i = 0; i < nb; i++)
        if (!(base[i] > 0) || !isfinite(base[i])) return -1;
    for (size_t i = 0; i < nx; i++)
        if (!(x[i] > 0) || !isfinite(x[i])) return -1;
    size_t N = nb * nx;
    if (N / nx != nb) return -1;
    double *d = malloc(N * sizeof *d);
    double *lb = malloc(nb * sizeof *lb);
    if (!d || !lb) { free(d); free(lb); return -1; }
    for (size_t j = 0; j < nb; j++) lb[j] = log(base[j]);
    for (size_t i = 0; i < nx; i++) {
        double lx = log(x[i]);
        for (size_t j = 0; j < nb; j++) d[i * nb + j] = lx - lb[j];
    }
    free(lb);
    /* order statistics by selection: the median (numpy's: the mean of the middle two when
     * N is even) and ranks k and N+1-k */
    double hl = kth(d, N, (N - 1) / 2);
    if (N % 2 == 0) hl = lerp(hl, kth(d, N, N / 2), 0.5);
    size_t k = ab_hl_ci_rank(nx, nb);
    if (k > (N + 1) / 2) k = (N + 1) / 2;
    double lo = kth(d, N, k - 1), hi = kth(d, N, N - k);
    free(d);
    if (ratio) *ratio = clamp_finite(exp(hl));
    if (ci_low) *ci_low = clamp_finite(exp(lo));
    if (ci_high) *ci_high = clamp_finite(exp(hi));
    return 0;
}
