/* stats_trend.c: is a sample drifting? Spearman's rank correlation of the values with
 * their order (lib/stats.h, ab_spearman_trend), and its two-sided p-value from Student's
 * t with n - 2 degrees of freedom, as scipy.stats.spearmanr gives it. The ranks come from
 * one radix sort that carries the positions (ab_stats_order). The t distribution is the
 * regularized incomplete beta function, evaluated by its continued fraction
 * (modified Lentz), which converges in O(sqrt(max(a, b))) terms. */
#include "stats.h"
#include "stats_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

/* The continued fraction of I_x(a, b) (for x < (a + 1) / (a + b + 2)). */
static double beta_cf(double a, double b, double x) {
    const double tiny = 1e-300;
    double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < tiny) d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m < 100000; m++) {
        double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-16) break;
    }
    return h;
}

/* The regularized incomplete beta function I_x(a, b), a, b > 0, x in [0, 1]. */
static double beta_inc(double a, double b, double x) {
    if (!(x > 0)) return 0;
    if (!(x < 1)) return 1;
    double lfront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    if (x < (a + 1) / (a + b + 2)) return exp(lfront) * beta_cf(a, b, x) / a;
    return 1 - exp(lfront) * beta_cf(b, a, 1 - x) / b;
}

double ab_student_t_sf2(double t, double df) {
    if (isnan(t) || !(df > 0)) return 1;
    if (isinf(t)) return 0;
    /* P(|T| > |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2) */
    double x = df / (df + t * t);
    double p = beta_inc(df / 2, 0.5, x);
    return p < 0 ? 0 : p > 1 ? 1 : p;
}

/* ---- Spearman's rho against the order ----------------------------------------------- */

int ab_spearman_trend(const double *x, size_t n, double *rho, double *p) {
    *rho = 0;
    *p = 1;
    if (n < 3 || n > UINT32_MAX || !x) return -1;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return -1;
    uint32_t *order = malloc(n * sizeof *order);
    uint64_t *keys = malloc(n * sizeof *keys);
    if (!order || !keys || ab_stats_order(x, n, order, keys) < 0) {
        free(order);
        free(keys);
        return -1;
    }
    /* each tie group's average rank against its members' 1-based positions */
    double mean = ((double)n + 1) / 2, sxy = 0, sxx = 0, syy = 0;
    for (size_t g = 0; g < n;) {
        size_t e = g + 1;
        while (e < n && keys[e] == keys[g]) e++;
        double rank = ((double)g + (double)e + 1) / 2 - mean;
        for (size_t k = g; k < e; k++) {
            double pos = (double)order[k] + 1 - mean;
            sxy += rank * pos;
            sxx += rank * rank;
            syy += pos * pos;
        }
        g = e;
    }
    free(order);
    free(keys);
    if (!(sxx > 0)) return -1; /* every value equal: no correlation defined */
    double r = sxy / sqrt(sxx * syy);
    if (r > 1) r = 1;
    if (r < -1) r = -1;
    *rho = r;
    double df = (double)n - 2;
    double denom = (r + 1) * (1 - r);
    double t = denom > 0 ? r * sqrt(df / denom) : r > 0 ? INFINITY : -INFINITY;
    *p = ab_student_t_sf2(t, df);
    return 0;
}
