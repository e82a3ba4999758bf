/* stats_paired.c: the paired analysis of lib/stats.h. A suite interleaves its variants
 * round by round, and runs of one round share the machine's state of the moment (drift,
 * neighbours), so the per-round log ratio d_i = log(x_i / base_i) removes that shared part.
 * The test is Wilcoxon's signed-rank test of "d is symmetric about 0" (scipy's conventions:
 * zeros dropped, exact when small and untied, else normal with tie and continuity
 * corrections); the estimate is the Hodges-Lehmann one that goes with it, the median of
 * the Walsh averages (d_i + d_j) / 2, i <= j, with the CI from the same signed-rank
 * distribution, selected without materialising the n (n + 1) / 2 averages
 * (stats_select.c). */
#include "stats.h"
#include "stats_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WILCOXON_EXACT_MAX_N 50 /* scipy's method='auto' */
#define WALSH_CI_MIN_N       6  /* 2^-n <= 0.025 from n = 6 */

double *ab_stats_signed_rank_cdf(size_t n, size_t tmax) {
    double *c = calloc(tmax + 1, sizeof *c);
    if (!c) return NULL;
    /* counts of the 2^n sign patterns by their T: the coefficients of prod (1 + q^i),
     * truncated at tmax; exact integers in doubles up to n = 50 and more */
    c[0] = 1;
    size_t top = 0; /* degree so far, i (i + 1) / 2 */
    for (size_t i = 1; i <= n; i++) {
        top += i;
        size_t hi = top < tmax ? top : tmax;
        for (size_t t = hi; t >= i && t <= hi; t--) c[t] += c[t - i];
    }
    double cum = 0;
    for (size_t t = 0; t <= tmax; t++) {
        cum += c[t];
        c[t] = ldexp(cum, -(int)n);
    }
    return c;
}

/* ---- Wilcoxon signed-rank test ----------------------------------------------------- */

double ab_wilcoxon_p(const double *d, size_t n, double *t_out) {
    if (t_out) *t_out = 0;
    if (n == 0 || !d) return 1;
    /* the magnitudes of the positive and of the negative values, each sorted: ranked
     * together they give W+ and W- (zeros dropped) */
    double *buf = malloc(n * sizeof *buf); /* positives from the front, negatives from
                                            * the back */
    if (!buf) return 1;
    size_t np = 0, nn = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i] > 0) buf[np++] = d[i];
        else if (d[i] < 0) buf[n - ++nn] = -d[i];
    }
    size_t count = np + nn;
    if (count == 0) {
        free(buf);
        return 1;
    }
    double *pos = buf, *neg = buf + n - nn;
    ab_stats_sort(pos, np);
    ab_stats_sort(neg, nn);
    double w_plus, w_minus, ties;
    ab_stats_merge_ranks(pos, np, neg, nn, &w_plus, &w_minus, &ties);
    free(buf);
    double T = w_plus < w_minus ? w_plus : w_minus;
    if (t_out) *t_out = T;

    double p;
    if (n <= WILCOXON_EXACT_MAX_N && count == n && ties == 0) {
        /* exact: 2 min(P(W+ <= w+), P(W+ >= w+)); by symmetry P(W+ >= w) = P(W+ <= N - w) */
        size_t N = n * (n + 1) / 2, w = (size_t)w_plus;
        double *cdf = ab_stats_signed_rank_cdf(n, N);
        if (!cdf) return 1;
        double less = cdf[w], greater = cdf[N - w];
        free(cdf);
        p = 2 * (less < greater ? less : greater);
    } else {
        double c = (double)count;
        double mean = c * (c + 1) / 4;
        double var = (c * (c + 1) * (2 * c + 1) - 0.5 * ties) / 24;
        if (!(var > 0)) return 1;
        double corr = T > mean ? 0.5 : T < mean ? -0.5 : 0;
        double z = (T - mean - corr) / sqrt(var);
        p = erfc(fabs(z) / M_SQRT2); /* 2 P(Z > |z|) */
    }
    if (!(p >= 0)) p = 0;
    if (p > 1) p = 1;
    return p;
}

/* ---- Hodges-Lehmann of the Walsh averages ------------------------------------------ */

/* The rank k of the CI over the N = n(n+1)/2 Walsh averages (stats.h) and *tail (may be
 * NULL) = P(T <= k-1), exact or by the normal approximation. */
static size_t walsh_rank_tail(size_t n, double *tail) {
    size_t N = n * (n + 1) / 2;
    if (N <= AB_CI_EXACT_MAX_PAIRS) {
        double *cdf = ab_stats_signed_rank_cdf(n, N / 2);
        if (!cdf) {
            if (tail) *tail = 1;
            return 1;
        }
        size_t k = 1;
        for (size_t t = 0; t <= N / 2 && cdf[t] <= AB_ALPHA_HALF; t++) k = t + 1;
        if (tail) *tail = cdf[k - 1];
        free(cdf);
        return k;
    }
    double nn = (double)n;
    double sd = sqrt(nn * (nn + 1) * (2 * nn + 1) / 24);
    double kk = floor((double)N / 2 + 0.5 - AB_Z_975 * sd);
    size_t k = kk < 1 ? 1 : (size_t)kk;
    if (tail) *tail = ab_stats_norm_cdf(((double)k - 0.5 - (double)N / 2) / sd);
    return k;
}

size_t ab_walsh_ci_rank(size_t n) {
    return walsh_rank_tail(n, NULL);
}

static ab_ci_level walsh_level(size_t n, double tail) {
    return ab_stats_ci_level(n, tail, WALSH_CI_MIN_N);
}

ab_ci_level ab_walsh_ci_level(size_t n) {
    double tail = 1;
    if (n) walsh_rank_tail(n, &tail);
    return walsh_level(n, tail);
}

/* ---- pairing by round -------------------------------------------------------------- */

static int increasing(const uint32_t *round, size_t n) {
    for (size_t i = 1; i < n; i++)
        if (round[i] <= round[i - 1]) return 0;
    return 1;
}

static int cmp_u64(const void *pa, const void *pb) {
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return (a > b) - (a < b);
}

/* (round << 32 | index), sorted: by round, the first occurrence first. */
static uint64_t *by_round(const uint32_t *round, size_t n) {
    uint64_t *r = malloc((n ? n : 1) * sizeof *r);
    if (!r) return NULL;
    for (size_t i = 0; i < n; i++) r[i] = (uint64_t)round[i] << 32 | (uint64_t)i;
    qsort(r, n, sizeof *r, cmp_u64);
    return r;
}

size_t ab_pair_rounds(const uint32_t *base_round, size_t nb, const uint32_t *x_round, size_t nx,
                      uint32_t *ib, uint32_t *ix) {
    if (nb > UINT32_MAX || nx > UINT32_MAX) return 0;
    size_t pairs = 0;
    if (increasing(base_round, nb) && increasing(x_round, nx)) {
        for (size_t i = 0, j = 0; i < nb && j < nx;) {
            if (base_round[i] < x_round[j]) i++;
            else if (base_round[i] > x_round[j]) j++;
            else {
                ib[pairs] = (uint32_t)i++;
                ix[pairs++] = (uint32_t)j++;
            }
        }
        return pairs;
    }
    uint64_t *rb = by_round(base_round, nb), *rx = by_round(x_round, nx);
    for (size_t i = 0, j = 0; rb && rx && i < nb && j < nx;) {
        uint32_t a = (uint32_t)(rb[i] >> 32), b = (uint32_t)(rx[j] >> 32);
        if (a < b) {
            i++;
            continue;
        }
        if (a > b) {
            j++;
            continue;
        }
        ib[pairs] = (uint32_t)rb[i];
        ix[pairs++] = (uint32_t)rx[j];
        while (i < nb && (uint32_t)(rb[i] >> 32) == a) i++; /* later duplicates */
        while (j < nx && (uint32_t)(rx[j] >> 32) == a) j++;
    }
    free(rb);
    free(rx);
    return pairs;
}

/* ---- the comparison ----------------------------------------------------------------- */

/* The per-round log ratios log(x_i) - log(base_i), malloc'd; NULL if a value is not > 0
 * and finite (or no memory). */
static double *log_ratios(const double *base, const double *x, size_t n) {
    if (n == 0 || !base || !x) return NULL;
    for (size_t i = 0; i < n; i++)
        if (!(base[i] > 0) || !isfinite(base[i]) || !(x[i] > 0) || !isfinite(x[i])) return NULL;
    double *d = malloc(n * sizeof *d);
    if (!d) return NULL;
    for (size_t i = 0; i < n; i++) d[i] = log(x[i]) - log(base[i]);
    return d;
}

/* Estimate and CI (rank k) from the log ratios d[0..n) (reordered). */
static int walsh_hl(double *d, size_t n, size_t k, double *ratio, double *ci_low, double *ci_high) {
    ab_stats_sort(d, n);
    ab_pairs p = {AB_PAIRS_WALSH, d, NULL, n, n};
    return ab_pairs_hl(&p, k, ratio, ci_low, ci_high);
}

int ab_ratio_hl_paired(const double *base, const double *x, size_t n, double *ratio, double *ci_low,
                       double *ci_high) {
    double *d = log_ratios(base, x, n);
    if (!d) return -1;
    int rc = walsh_hl(d, n, ab_walsh_ci_rank(n), ratio, ci_low, ci_high);
    free(d);
    return rc;
}

int ab_compare_paired(const double *base, const double *x, size_t n, ab_comparison *out) {
    double *d = log_ratios(base, x, n);
    if (!d) {
        memset(out, 0, sizeof *out);
        out->pairing = AB_PAIRED;
        return -1;
    }
    int rc = ab_compare_paired_logs(d, n, out);
    free(d);
    return rc;
}

int ab_compare_paired_logs(double *d, size_t n, ab_comparison *out) {
    memset(out, 0, sizeof *out);
    out->pairing = AB_PAIRED;
    if (n == 0 || !d) return -1;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(d[i])) return -1;
    out->p = ab_wilcoxon_p(d, n, NULL);
    double tail;
    size_t k = walsh_rank_tail(n, &tail);
    int rc = walsh_hl(d, n, k, &out->ratio, &out->ci_low, &out->ci_high);
    if (rc < 0) {
        memset(out, 0, sizeof *out);
        out->pairing = AB_PAIRED;
        return -1;
    }
    out->n_base = out->n_x = n;
    out->ci_level = walsh_level(n, tail);
    out->valid = 1;
    return 0;
}
