/* test_stats.c: lib/stats*.c against the vectors numpy/scipy computed
 * (qa/gen-stats-vectors -> vectors/stats.txt), to 1e-9; the Hodges-Lehmann selection
 * against a plain materialise-and-sort of every pairwise difference / Walsh average (the
 * O(n1 n2) algorithm it replaced), exactly, on every vector and on random inputs with
 * ties, and at huge n against counts by binary search; plus the edge cases that must never
 * give NaN or Inf. Usage: test_stats UNIT_DIR */
#include "stats.h"
#include "stats_internal.h"
#include "../tap.h"

#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-9

/* |got - want| <= TOL * max(|want|, scale): relative, with a floor for values near 0
 * (such as the standard deviation of equal values). */
static int agree(double got, double want, double scale) {
    if (got == want) return 1;
    double s = fabs(want) > scale ? fabs(want) : scale;
    return isfinite(got) && fabs(got - want) <= TOL * s;
}

/* A tokenizer over one vector line. */
typedef struct {
    char *save;
    int bad;
} toks;

static char *tok(toks *t) {
    char *s = strtok_r(NULL, " \n", &t->save);
    if (!s) t->bad = 1;
    return s ? s : "";
}

static double tnum(toks *t) {
    char *s = tok(t), *end;
    double v = strtod(s, &end);
    if (end == s || *end) t->bad = 1;
    return v;
}

static double *tarray(toks *t, size_t *n_out) {
    double n = tnum(t);
    if (t->bad || n < 0 || n > 1e6) {
        t->bad = 1;
        *n_out = 0;
        return NULL;
    }
    size_t n_ = (size_t)n;
    double *x = malloc((n_ ? n_ : 1) * sizeof *x);
    for (size_t i = 0; i < n_; i++) x[i] = tnum(t);
    *n_out = n_;
    return x;
}

static void arrow(toks *t) {
    if (strcmp(tok(t), "=>")) t->bad = 1;
}

static double max_abs(const double *x, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(x[i]) > m) m = fabs(x[i]);
    return m;
}

static void check_quantile(const char *name, toks *t) {
    size_t n;
    double *x = tarray(t, &n);
    double q = tnum(t);
    arrow(t);
    double want = tnum(t);
    if (t->bad) {
        CHECK(0, "quantile %s: malformed vector", name);
        free(x);
        return;
    }
    double got = ab_quantile(x, n, q);
    CHECK(agree(got, want, max_abs(x, n)), "quantile %s q=%g: %.17g vs scipy %.17g", name, q, got,
          want);
    free(x);
}

static void check_summary(const char *name, toks *t) {
    size_t n;
    double *x = tarray(t, &n);
    arrow(t);
    double w[10];
    for (int i = 0; i < 10; i++) w[i] = tnum(t);
    if (t->bad) {
        CHECK(0, "summary %s: malformed vector", name);
        free(x);
        return;
    }
    ab_summary s;
    int rc = ab_summarize(x, n, &s);
    double scale = max_abs(x, n);
    double got[8] = {s.median, s.mean, s.stddev, s.min, s.max, s.ci_low, s.ci_high};
    static const char *field[] = {"median", "mean", "stddev", "min", "max", "ci_low", "ci_high"};
    int all = rc == 0 && s.n == (size_t)w[0];
    char why[512] = "";
    for (int i = 0; i < 7; i++) {
        if (!agree(got[i], w[i + 1], scale)) {
            all = 0;
            snprintf(why + strlen(why), sizeof why - strlen(why), " %s %.17g != %.17g", field[i],
                     got[i], w[i + 1]);
        }
    }
    if (s.outliers != (size_t)w[8]) {
        all = 0;
        snprintf(why + strlen(why), sizeof why - strlen(why), " outliers %zu != %.0f", s.outliers,
                 w[8]);
    }
    if (ab_median_ci_rank(n) != (size_t)w[9]) {
        all = 0;
        snprintf(why + strlen(why), sizeof why - strlen(why), " j %zu != %.0f",
                 ab_median_ci_rank(n), w[9]);
    }
    CHECK(all, "summary %s (n=%zu)%s", name, n, why);
    free(x);
}

static void check_mwu(const char *name, toks *t) {
    size_t na, nb;
    double *a = tarray(t, &na);
    double *b = tarray(t, &nb);
    arrow(t);
    double want_u = tnum(t), want_p = tnum(t);
    const char *method = tok(t);
    if (t->bad) {
        CHECK(0, "mwu %s: malformed vector", name);
        free(a);
        free(b);
        return;
    }
    double u;
    double p = ab_mann_whitney_p(a, na, b, nb, &u);
    CHECK(agree(u, want_u, 1) && agree(p, want_p, 1e-12),
          "mwu %s (%zu vs %zu, %s): U %.17g vs %.17g, p %.17g vs scipy %.17g", name, na, nb, method,
          u, want_u, p, want_p);
    free(a);
    free(b);
}

static int ref_ratio_hl(const double *b, size_t nb, const double *x, size_t nx, double *r,
                        double *lo, double *hi);

static void check_hl(const char *name, toks *t) {
    size_t nb, nx;
    double *b = tarray(t, &nb);
    double *x = tarray(t, &nx);
    arrow(t);
    double want_r = tnum(t), want_lo = tnum(t), want_hi = tnum(t), want_k = tnum(t);
    if (t->bad) {
        CHECK(0, "hl %s: malformed vector", name);
        free(b);
        free(x);
        return;
    }
    double r = 0, lo = 0, hi = 0;
    int rc = ab_ratio_hl(b, nb, x, nx, &r, &lo, &hi);
    size_t k = ab_hl_ci_rank(nx, nb);
    size_t N = nx * nb;
    if (k > (N + 1) / 2) k = (N + 1) / 2;
    CHECK(rc == 0 && agree(r, want_r, 0) && agree(lo, want_lo, 0) && agree(hi, want_hi, 0) &&
              k == (size_t)want_k,
          "hl %s (%zu vs %zu): ratio %.17g [%.17g, %.17g] k=%zu vs %.17g [%.17g, %.17g] k=%.0f",
          name, nb, nx, r, lo, hi, k, want_r, want_lo, want_hi, want_k);
    double rr = 0, rlo = 0, rhi = 0;
    int rrc = ref_ratio_hl(b, nb, x, nx, &rr, &rlo, &rhi);
    CHECK(rc == 0 && rrc == 0 && r == rr && lo == rlo && hi == rhi,
          "hl %s: selection equals materialise-and-sort (%.17g %.17g %.17g vs %.17g %.17g %.17g)",
          name, r, lo, hi, rr, rlo, rhi);
    free(b);
    free(x);
}

/* ---- the plain reference: every pair materialised and sorted ----------------------- */

static int cmp_d(const void *pa, const void *pb) {
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Median (numpy's) and ranks k, N+1-k of d[0..N), sorted in place. */
static void ref_order_stats(double *d, size_t N, size_t k, double *med, double *lo, double *hi) {
    qsort(d, N, sizeof *d, cmp_d);
    *med = N % 2 ? d[N / 2] : d[N / 2 - 1] + 0.5 * (d[N / 2] - d[N / 2 - 1]);
    if (k > (N + 1) / 2) k = (N + 1) / 2;
    *lo = d[k - 1];
    *hi = d[N - k];
}

/* ab_ratio_hl as it was: all log(x_i) - log(b_j). Returns 0 or -1. */
static int ref_ratio_hl(const double *b, size_t nb, const double *x, size_t nx, double *r,
                        double *lo, double *hi) {
    size_t N = nb * nx;
    double *d = malloc(N * sizeof *d);
    if (!d) return -1;
    for (size_t i = 0; i < nx; i++)
        for (size_t j = 0; j < nb; j++) d[i * nb + j] = log(x[i]) - log(b[j]);
    double med, l, h;
    ref_order_stats(d, N, ab_hl_ci_rank(nx, nb), &med, &l, &h);
    free(d);
    *r = ab_stats_clamp_finite(exp(med));
    *lo = ab_stats_clamp_finite(exp(l));
    *hi = ab_stats_clamp_finite(exp(h));
    return 0;
}

/* The paired one: all Walsh averages of d_i = log(x_i) - log(b_i). */
static int ref_ratio_hl_paired(const double *b, const double *x, size_t n, double *r, double *lo,
                               double *hi) {
    size_t N = n * (n + 1) / 2, c = 0;
    double *d = malloc(n * sizeof *d), *w = malloc(N * sizeof *w);
    if (!d || !w) {
        free(d);
        free(w);
        return -1;
    }
    for (size_t i = 0; i < n; i++) d[i] = log(x[i]) - log(b[i]);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i; j < n; j++) w[c++] = (d[i] + d[j]) / 2;
    double med, l, h;
    ref_order_stats(w, N, ab_walsh_ci_rank(n), &med, &l, &h);
    free(d);
    free(w);
    *r = ab_stats_clamp_finite(exp(med));
    *lo = ab_stats_clamp_finite(exp(l));
    *hi = ab_stats_clamp_finite(exp(h));
    return 0;
}

static void check_phl(const char *name, toks *t) {
    size_t n = (size_t)tnum(t);
    if (t->bad || n > 1000000) {
        CHECK(0, "phl %s: malformed vector", name);
        return;
    }
    double *b = malloc((n ? n : 1) * sizeof *b), *x = malloc((n ? n : 1) * sizeof *x);
    for (size_t i = 0; i < n; i++) b[i] = tnum(t);
    for (size_t i = 0; i < n; i++) x[i] = tnum(t);
    arrow(t);
    double want_r = tnum(t), want_lo = tnum(t), want_hi = tnum(t), want_k = tnum(t);
    double want_p = tnum(t);
    if (t->bad) {
        CHECK(0, "phl %s: malformed vector", name);
        free(b);
        free(x);
        return;
    }
    ab_comparison c;
    int rc = ab_compare_paired(b, x, n, &c);
    size_t N = n * (n + 1) / 2, k = ab_walsh_ci_rank(n);
    if (k > (N + 1) / 2) k = (N + 1) / 2;
    CHECK(rc == 0 && c.valid && c.pairing == AB_PAIRED && agree(c.ratio, want_r, 0) &&
              agree(c.ci_low, want_lo, 0) && agree(c.ci_high, want_hi, 0) &&
              agree(c.p, want_p, 1e-12) && k == (size_t)want_k,
          "phl %s (%zu pairs): ratio %.17g [%.17g, %.17g] p %.17g k=%zu vs %.17g [%.17g, %.17g] "
          "p %.17g k=%.0f",
          name, n, c.ratio, c.ci_low, c.ci_high, c.p, k, want_r, want_lo, want_hi, want_p, want_k);
    double r, lo, hi, rr = 0, rlo = 0, rhi = 0;
    rc = ab_ratio_hl_paired(b, x, n, &r, &lo, &hi);
    int rrc = ref_ratio_hl_paired(b, x, n, &rr, &rlo, &rhi);
    CHECK(rc == 0 && rrc == 0 && r == rr && lo == rlo && hi == rhi,
          "phl %s: selection equals materialise-and-sort (%.17g %.17g %.17g vs %.17g %.17g %.17g)",
          name, r, lo, hi, rr, rlo, rhi);
    free(b);
    free(x);
}

static void check_wilcoxon(const char *name, toks *t) {
    size_t n;
    double *d = tarray(t, &n);
    arrow(t);
    double want_t = tnum(t), want_p = tnum(t);
    const char *method = tok(t);
    if (t->bad) {
        CHECK(0, "wilcoxon %s: malformed vector", name);
        free(d);
        return;
    }
    double T;
    double p = ab_wilcoxon_p(d, n, &T);
    CHECK(agree(T, want_t, 1) && agree(p, want_p, 1e-12),
          "wilcoxon %s (n=%zu, %s): T %.17g vs %.17g, p %.17g vs scipy %.17g", name, n, method, T,
          want_t, p, want_p);
    free(d);
}

static void check_level(const char *kind, toks *t) {
    size_t m = (size_t)tnum(t), n = (size_t)tnum(t);
    arrow(t);
    double want_rank = tnum(t), want_cov = tnum(t), want_nominal = tnum(t), want_need = tnum(t);
    if (t->bad) {
        CHECK(0, "level %s: malformed vector", kind);
        return;
    }
    ab_ci_level l;
    size_t rank;
    if (!strcmp(kind, "median")) {
        l = ab_median_ci_level(n);
        rank = ab_median_ci_rank(n);
    } else if (!strcmp(kind, "hl")) {
        l = ab_hl_ci_level(m, n);
        rank = ab_hl_ci_rank(m, n);
    } else {
        l = ab_walsh_ci_level(n);
        rank = ab_walsh_ci_rank(n);
    }
    CHECK(rank == (size_t)want_rank && agree(l.coverage, want_cov, 1e-12) &&
              l.nominal == (int)want_nominal && l.need == (size_t)want_need,
          "level %s %zu %zu (rank %zu coverage %.17g nominal %d need %zu vs %.0f %.17g %.0f %.0f)",
          kind, m, n, rank, l.coverage, l.nominal, l.need, want_rank, want_cov, want_nominal,
          want_need);
}

static void check_holm(const char *name, toks *t) {
    size_t m;
    double *p = tarray(t, &m);
    double *want = malloc((m ? m : 1) * sizeof *want), *got = malloc((m ? m : 1) * sizeof *got);
    arrow(t);
    for (size_t i = 0; i < m; i++) want[i] = tnum(t);
    int all = !t->bad && ab_holm(p, m, got) == 0;
    for (size_t i = 0; all && i < m; i++) all = agree(got[i], want[i], 1e-12);
    double inplace_ok = all && ab_holm(p, m, p) == 0; /* adj may be p */
    for (size_t i = 0; inplace_ok && i < m; i++) inplace_ok = p[i] == got[i];
    CHECK(all && inplace_ok, "holm %s (m=%zu): adjusted p-values as computed from the definition",
          name, m);
    free(p);
    free(want);
    free(got);
}

static void check_verdict(const char *name, toks *t) {
    ab_comparison c = {0};
    c.valid = 1;
    c.ratio = tnum(t);
    c.ci_low = tnum(t);
    c.ci_high = tnum(t);
    double p = tnum(t);
    c.p = p;
    c.ci_level.nominal = (int)tnum(t);
    ab_verdict_rule rule = {tnum(t), tnum(t)};
    arrow(t);
    char want[64];
    snprintf(want, sizeof want, "%s", tok(t));
    for (char *q = want; *q; q++)
        if (*q == '_') *q = ' ';
    if (t->bad) {
        CHECK(0, "verdict %s: malformed vector", name);
        return;
    }
    const char *got = ab_verdict_name(ab_verdict_of(&c, p, &rule));
    CHECK(!strcmp(got, want), "verdict %s: %s (want %s)", name, got, want);
}

static void check_spearman(const char *name, toks *t) {
    size_t n = (size_t)tnum(t);
    if (t->bad || n > 1000000) {
        CHECK(0, "spearman %s: malformed vector", name);
        return;
    }
    double *x = malloc((n ? n : 1) * sizeof *x);
    for (size_t i = 0; i < n; i++) x[i] = tnum(t);
    arrow(t);
    double want_rho = tnum(t), want_p = tnum(t);
    if (t->bad) {
        CHECK(0, "spearman %s: malformed vector", name);
        free(x);
        return;
    }
    double rho, p;
    int rc = ab_spearman_trend(x, n, &rho, &p);
    /* a perfect trend: numpy's corrcoef may give 1 - 1e-16, whose p is ~1e-24, not 0 */
    int edge = fabs(rho) == 1 && want_p < 1e-12;
    CHECK(rc == 0 && agree(rho, want_rho, 1e-12) && (agree(p, want_p, 1e-300) || edge),
          "spearman %s (n=%zu): rho %.17g p %.17g vs scipy %.17g %.17g", name, n, rho, p, want_rho,
          want_p);
    free(x);
}

static void check_tsf(const char *name, toks *t) {
    double tv = strtod(name, NULL), df = tnum(t);
    arrow(t);
    double want = tnum(t);
    if (t->bad) {
        CHECK(0, "tsf %s: malformed vector", name);
        return;
    }
    double got = ab_student_t_sf2(tv, df);
    CHECK(agree(got, want, 1e-300), "tsf t=%s df=%g: 2 P(T > |t|) = %.17g vs scipy %.17g", name, df,
          got, want);
}

static int run_vectors(const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/vectors/stats.txt", dir);
    FILE *f = fopen(path, "r");
    if (!CHECK(f != NULL, "open %s", path)) return 0;
    char *line = NULL;
    size_t cap = 0;
    int cases = 0;
    while (getline(&line, &cap, f) > 0) {
        if (line[0] == '#' || line[0] == '\n') continue;
        toks t = {NULL, 0};
        char *kind = strtok_r(line, " \n", &t.save);
        char *name = tok(&t);
        if (!strcmp(kind, "quantile")) check_quantile(name, &t);
        else if (!strcmp(kind, "summary")) check_summary(name, &t);
        else if (!strcmp(kind, "mwu")) check_mwu(name, &t);
        else if (!strcmp(kind, "hl")) check_hl(name, &t);
        else if (!strcmp(kind, "phl")) check_phl(name, &t);
        else if (!strcmp(kind, "wilcoxon")) check_wilcoxon(name, &t);
        else if (!strcmp(kind, "level")) check_level(name, &t);
        else if (!strcmp(kind, "holm")) check_holm(name, &t);
        else if (!strcmp(kind, "verdict")) check_verdict(name, &t);
        else if (!strcmp(kind, "spearman")) check_spearman(name, &t);
        else if (!strcmp(kind, "tsf")) check_tsf(name, &t);
        else CHECK(0, "unknown vector kind %s", kind);
        cases++;
    }
    free(line);
    fclose(f);
    return cases;
}

static int all_finite(const ab_summary *s) {
    return isfinite(s->median) && isfinite(s->mean) && isfinite(s->stddev) && isfinite(s->min) &&
           isfinite(s->max) && isfinite(s->ci_low) && isfinite(s->ci_high);
}

static void edge_cases(void) {
    ab_summary s;
    CHECK(ab_summarize(NULL, 0, &s) == -1 && s.n == 0 && s.median == 0,
          "summary of nothing: -1 and zeroed");
    double one = 7;
    CHECK(ab_summarize(&one, 1, &s) == 0 && s.median == 7 && s.stddev == 0 && s.ci_low == 7 &&
              s.ci_high == 7 && s.outliers == 0,
          "summary of one value");

    double extreme[] = {DBL_MAX, -DBL_MAX, DBL_MAX, -DBL_MAX, 0};
    CHECK(ab_summarize(extreme, 5, &s) == 0 && all_finite(&s),
          "summary of +-DBL_MAX stays finite (mean %g sd %g)", s.mean, s.stddev);
    double two[] = {DBL_MAX, -DBL_MAX};
    CHECK(ab_summarize(two, 2, &s) == 0 && all_finite(&s) && s.median == 0,
          "median of DBL_MAX and -DBL_MAX is 0, not inf-inf");
    double sub[] = {4.9e-324, 1e-323, 0, 4.9e-324};
    CHECK(ab_summarize(sub, 4, &s) == 0 && all_finite(&s), "subnormal values stay finite");

    CHECK(ab_quantile(NULL, 0, 0.5) == 0, "quantile of nothing is 0");
    double q3[] = {3, 1, 2};
    CHECK(ab_quantile(q3, 3, -1) == 1 && ab_quantile(q3, 3, 2) == 3 && ab_quantile(q3, 3, NAN) == 1,
          "quantile clamps q to [0,1]");

    double u = -1;
    CHECK(ab_mann_whitney_p(NULL, 0, q3, 3, &u) == 1 && u == 0, "mwu with an empty sample: p 1");
    double eq[] = {5, 5, 5, 5};
    double p = ab_mann_whitney_p(eq, 4, eq, 4, &u);
    CHECK(p == 1 && u == 8, "mwu of identical constant samples: p 1, U 8 (p=%g U=%g)", p, u);
    double big[] = {DBL_MAX, DBL_MAX / 2, -DBL_MAX};
    p = ab_mann_whitney_p(big, 3, q3, 3, &u);
    CHECK(p >= 0 && p <= 1, "mwu of extreme values: p in [0,1]");

    double r, lo, hi;
    double pos[] = {1, 2}, withzero[] = {1, 0}, withneg[] = {-1, 2};
    CHECK(ab_ratio_hl(pos, 2, withzero, 2, &r, &lo, &hi) == -1, "hl refuses a zero value");
    CHECK(ab_ratio_hl(withneg, 2, pos, 2, &r, &lo, &hi) == -1, "hl refuses a negative value");
    CHECK(ab_ratio_hl(pos, 0, pos, 2, &r, &lo, &hi) == -1, "hl refuses an empty sample");
    double hugev[] = {DBL_MAX}, tinyv[] = {4.9e-324};
    CHECK(ab_ratio_hl(tinyv, 1, hugev, 1, &r, &lo, &hi) == 0 && isfinite(r) && isfinite(lo) &&
              isfinite(hi),
          "hl ratio DBL_MAX / denormal clamps to a finite value");
    CHECK(ab_ratio_hl(pos, 2, pos, 2, &r, &lo, &hi) == 0 && r == 1 && lo <= 1 && hi >= 1,
          "hl of a sample against itself: ratio 1 inside its CI");

    CHECK(ab_median_ci_rank(5) == 1 && ab_median_ci_rank(6) == 1 && ab_median_ci_rank(9) == 2 &&
              ab_median_ci_rank(100) == 40,
          "median CI ranks (n=5,6,9,100 -> 1,1,2,40)");
    CHECK(ab_hl_ci_rank(3, 3) == 1 && ab_hl_ci_rank(5, 5) == 3 && ab_hl_ci_rank(10, 10) == 24,
          "HL CI ranks (3x3, 5x5, 10x10 -> 1, 3, 24)");

    /* small n: what the report prints instead of a 95% verdict */
    ab_summary s2;
    double two_runs[] = {1.0, 1.1}, three_runs[] = {1.0, 1.1, 1.2};
    ab_summarize(two_runs, 2, &s2);
    CHECK(s2.ci_low == 1.0 && s2.ci_high == 1.1 && s2.ci_level.coverage == 0.5 &&
              !s2.ci_level.nominal && s2.ci_level.need == 6,
          "median CI of 2 runs: [min, max], 50%%, not 95%%, need 6");
    ab_comparison c3;
    ab_compare_unpaired(three_runs, 3, three_runs, 3, &c3);
    CHECK(c3.valid && fabs(c3.ci_level.coverage - 0.9) < 1e-15 && !c3.ci_level.nominal &&
              c3.ci_level.need == 4 && ab_verdict_of(&c3, c3.p, NULL) == AB_VERDICT_TOO_FEW,
          "3 vs 3 runs: overhead CI covers 90%%, verdict \"%s\", need 4",
          ab_verdict_name(ab_verdict_of(&c3, c3.p, NULL)));
    ab_compare_unpaired(two_runs, 2, two_runs, 2, &c3);
    CHECK(fabs(c3.ci_level.coverage - 2.0 / 3) < 1e-15, "2 vs 2 runs: [min, max] covers 67%%");

    /* the paired test's edges */
    double zeros[] = {0, 0, 0}, T = -1;
    CHECK(ab_wilcoxon_p(zeros, 3, &T) == 1 && T == 0 && ab_wilcoxon_p(NULL, 0, &T) == 1,
          "signed-rank test of nothing or of zeros only: p 1");
    CHECK(ab_compare_paired(pos, withzero, 2, &c3) == -1 && !c3.valid &&
              ab_compare_paired(pos, pos, 0, &c3) == -1,
          "paired comparison refuses a zero value and no pairs");
    CHECK(ab_compare_unpaired(pos, 2, withneg, 2, &c3) == -1 && !c3.valid,
          "unpaired comparison refuses a negative value");
    double same[] = {1, 2, 3, 4, 5, 6, 7};
    ab_compare_paired(same, same, 7, &c3);
    CHECK(c3.valid && c3.ratio == 1 && c3.ci_low == 1 && c3.ci_high == 1 && c3.p == 1 &&
              ab_verdict_of(&c3, c3.p, NULL) == AB_VERDICT_NO_CHANGE,
          "identical rounds: ratio 1 [1, 1], p 1, no change");

    /* pairing by round: rounds both have, in order; a failed run leaves its round out */
    uint32_t rb[] = {3, 1, 2, 5, 2}, rx[] = {1, 2, 4, 5, 3}, ib[5], ix[5];
    double vb[] = {30, 10, 20, 50, 99}, vx[] = {11, 21, 41, 51, 31};
    size_t np = ab_pair_rounds(rb, 5, rx, 5, ib, ix);
    CHECK(np == 4 && vb[ib[0]] == 10 && vx[ix[0]] == 11 && vb[ib[1]] == 20 && vx[ix[1]] == 21 &&
              vb[ib[2]] == 30 && vx[ix[2]] == 31 && vb[ib[3]] == 50 && vx[ix[3]] == 51 &&
              ab_pair_rounds(rb, 0, rx, 5, ib, ix) == 0,
          "pairing by round: rounds 1, 2, 3, 5 (4 has no baseline; the second round 2 is ignored)");
    uint32_t sb[] = {1, 2, 3, 5, 6}, sx[] = {2, 3, 4, 6};
    np = ab_pair_rounds(sb, 5, sx, 4, ib, ix);
    CHECK(np == 3 && ib[0] == 1 && ix[0] == 0 && ib[1] == 2 && ix[1] == 1 && ib[2] == 4 &&
              ix[2] == 3,
          "pairing runs in the runner's order: a merge, rounds 2, 3, 6");

    /* Holm and the verdict rule's edges */
    double pv[] = {NAN, 0.01, 2, -1}, adj[4];
    CHECK(ab_holm(pv, 4, adj) == 0 && adj[0] == 1 && adj[3] == 0 && adj[1] == 0.03 && adj[2] == 1 &&
              ab_holm(NULL, 0, NULL) == 0,
          "holm: NaN and > 1 count as 1, < 0 as 0; empty family");
    ab_comparison slow = {.valid = 1,
                          .ratio = 1.05,
                          .ci_low = 1.03,
                          .ci_high = 1.07,
                          .p = 0.001,
                          .ci_level = {0.96, 1, 0}};
    ab_verdict_rule bad_rule = {7, -1};
    CHECK(ab_verdict_of(&slow, 0.001, &bad_rule) == AB_VERDICT_SLOWER &&
              ab_verdict_of(&slow, NAN, NULL) == AB_VERDICT_INCONCLUSIVE &&
              ab_verdict_of(NULL, 0, NULL) == AB_VERDICT_NONE,
          "verdict: a rule out of range means the defaults, a NaN p shows no difference");
    ab_verdict_rule wide = {0.05, 0.10};
    CHECK(ab_verdict_of(&slow, 0.2, &wide) == AB_VERDICT_NO_CHANGE &&
              ab_verdict_of(&slow, 0.2, NULL) == AB_VERDICT_INCONCLUSIVE,
          "verdict: the equivalence band is configurable");
    CHECK(!strcmp(ab_verdict_name(AB_VERDICT_TOO_FEW), "too few runs") &&
              !strcmp(ab_verdict_name((ab_verdict)99), "n/a") &&
              !strcmp(ab_pairing_name(AB_PAIRED), "paired") &&
              !strcmp(ab_pairing_name(AB_UNPAIRED), "unpaired"),
          "verdict and pairing names");
}

/* xorshift64: reproducible inputs */
static uint64_t rnd_state = 88172645463325252ull;
static uint64_t rnd(void) {
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}
static double rnd01(void) {
    return (double)(rnd() >> 11) * 0x1p-53;
}

/* A sample of n run times: continuous around 1 with 3% noise, or `distinct` > 0 values
 * only (heavy ties, like rss in KiB or rounded times). */
static void fill_sample(double *v, size_t n, int distinct, double shift) {
    for (size_t i = 0; i < n; i++)
        v[i] = distinct > 0 ? shift * (100 + (double)(rnd() % (uint64_t)distinct))
                            : shift * (1 + 0.03 * (rnd01() + rnd01() + rnd01() - 1.5));
}

/* The selection against materialise-and-sort on random sizes, balanced or not, continuous
 * or tied: every result must be the very same double. */
static void hl_selection_vs_sort(void) {
    int bad = 0, trials = 0;
    for (int t = 0; t < 400; t++, trials++) {
        size_t nb, nx;
        if (t < 300) {
            nb = 1 + rnd() % 40;
            nx = 1 + rnd() % 40;
        } else if (t < 380) {
            nb = 1 + rnd() % 400;
            nx = 1 + rnd() % 400;
        } else {
            nb = 1 + rnd() % 3;
            nx = 500 + rnd() % 3000;
        }
        if (t % 2) {
            size_t tmp = nb;
            nb = nx;
            nx = tmp;
        }
        int distinct = t % 3 == 0 ? 0 : 1 + (int)(rnd() % 20);
        double *b = malloc(nb * sizeof *b), *x = malloc(nx * sizeof *x);
        fill_sample(b, nb, distinct, 1);
        fill_sample(x, nx, distinct, t % 4 ? 1 : 1.03);
        double r, lo, hi, rr, rlo, rhi;
        if (ab_ratio_hl(b, nb, x, nx, &r, &lo, &hi) != 0 ||
            ref_ratio_hl(b, nb, x, nx, &rr, &rlo, &rhi) != 0 || r != rr || lo != rlo || hi != rhi) {
            if (!bad) diag("first difference: %zu x %zu, %d distinct", nb, nx, distinct);
            bad++;
        }
        free(b);
        free(x);
    }
    CHECK(bad == 0,
          "unpaired HL by selection equals materialise-and-sort in %d random cases, "
          "continuous and tied (%d differ)",
          trials, bad);

    bad = trials = 0;
    for (int t = 0; t < 300; t++, trials++) {
        size_t n = t < 250 ? 1 + rnd() % 60 : 100 + rnd() % 600;
        int distinct = t % 3 == 0 ? 0 : 1 + (int)(rnd() % 10);
        double *b = malloc(n * sizeof *b), *x = malloc(n * sizeof *x);
        fill_sample(b, n, distinct, 1);
        fill_sample(x, n, distinct, t % 4 ? 1 : 1.03);
        double r, lo, hi, rr, rlo, rhi;
        if (ab_ratio_hl_paired(b, x, n, &r, &lo, &hi) != 0 ||
            ref_ratio_hl_paired(b, x, n, &rr, &rlo, &rhi) != 0 || r != rr || lo != rlo ||
            hi != rhi) {
            if (!bad) diag("first difference: %zu pairs, %d distinct", n, distinct);
            bad++;
        }
        free(b);
        free(x);
    }
    CHECK(bad == 0,
          "paired HL (Walsh averages) by selection equals materialise-and-sort in %d "
          "random cases (%d differ)",
          trials, bad);
}

/* How many elements of a sorted matrix are < v and <= v, by binary search in each row: an
 * independent check of a selection where the matrix is too big to materialise. */
static void count_by_search(const ab_pairs *p, double v, size_t *lt, size_t *le) {
    *lt = *le = 0;
    for (size_t i = 0; i < p->m; i++) {
        size_t start = p->kind == AB_PAIRS_WALSH ? i : 0;
        for (int strict = 0; strict < 2; strict++) {
            size_t lo = start, hi = p->n; /* first column whose element is not below v */
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                double e = p->kind == AB_PAIRS_DIFF    ? p->row[i] - p->col[mid]
                           : p->kind == AB_PAIRS_RDIFF ? p->col[mid] - p->row[i]
                                                       : (p->row[i] + p->row[mid]) / 2;
                if (strict ? e <= v : e < v) lo = mid + 1;
                else hi = mid;
            }
            if (strict) *le += lo - start;
            else *lt += lo - start;
        }
    }
}

static int sorted_desc_cmp(const void *pa, const void *pb) {
    return -cmp_d(pa, pb);
}

/* Huge samples (10^10 and more pairs): each selected value v of rank r must satisfy
 * #(< v) <= r < #(<= v). */
static void hl_selection_huge(void) {
    const size_t m = 200000, n = 300000;
    double *a = malloc(m * sizeof *a), *b = malloc(n * sizeof *b);
    fill_sample(a, m, 0, 1);
    fill_sample(b, n, 0, 1.01);
    for (size_t i = 0; i < m; i++) a[i] = log(a[i]);
    for (size_t j = 0; j < n; j++) b[j] = log(b[j]);
    qsort(a, m, sizeof *a, cmp_d);           /* rows ascending */
    qsort(b, n, sizeof *b, sorted_desc_cmp); /* columns descending */
    ab_pairs p = {AB_PAIRS_DIFF, a, b, m, n};
    size_t N = ab_pairs_count(&p), k = ab_hl_ci_rank(m, n);
    size_t ranks[] = {k - 1, (N - 1) / 2, N / 2, N - k, 0, N - 1, 12345};
    size_t nr = sizeof ranks / sizeof ranks[0];
    double v[sizeof ranks / sizeof ranks[0]];
    int good = ab_pairs_select(&p, ranks, nr, v) == 0;
    for (size_t i = 0; good && i < nr; i++) {
        size_t lt, le;
        count_by_search(&p, v[i], &lt, &le);
        good = lt <= ranks[i] && ranks[i] < le;
    }
    CHECK(good, "selection among %zu x %zu = %.1e differences agrees with counts by binary search",
          m, n, (double)N);

    /* heavy ties at scale: 5 distinct values per sample */
    fill_sample(a, m, 5, 1);
    fill_sample(b, n, 5, 1);
    qsort(a, m, sizeof *a, cmp_d);
    qsort(b, n, sizeof *b, sorted_desc_cmp);
    good = ab_pairs_select(&p, ranks, nr, v) == 0;
    for (size_t i = 0; good && i < nr; i++) {
        size_t lt, le;
        count_by_search(&p, v[i], &lt, &le);
        good = lt <= ranks[i] && ranks[i] < le;
    }
    CHECK(good, "the same with 5 distinct values per sample (ties everywhere)");

    const size_t w = 300000;
    double *d = malloc(w * sizeof *d);
    fill_sample(d, w, 0, 1);
    for (size_t i = 0; i < w; i++) d[i] = log(d[i]);
    qsort(d, w, sizeof *d, cmp_d);
    ab_pairs q = {AB_PAIRS_WALSH, d, NULL, w, w};
    size_t W = ab_pairs_count(&q), kw = ab_walsh_ci_rank(w);
    size_t wranks[] = {kw - 1, (W - 1) / 2, W / 2, W - kw, 0, W - 1};
    double wv[6];
    good = ab_pairs_select(&q, wranks, 6, wv) == 0;
    for (size_t i = 0; good && i < 6; i++) {
        size_t lt, le;
        count_by_search(&q, wv[i], &lt, &le);
        good = lt <= wranks[i] && wranks[i] < le;
    }
    CHECK(good,
          "selection among the %.1e Walsh averages of %zu values agrees with counts by "
          "binary search",
          (double)W, w);
    free(a);
    free(b);
    free(d);

    /* the public functions at 10^5 runs a side: an overhead, inside its CI */
    size_t big = 100000;
    double *base = malloc(big * sizeof *base), *x = malloc(big * sizeof *x);
    fill_sample(base, big, 0, 1);
    fill_sample(x, big, 0, 1.03);
    ab_comparison cu, cp;
    int rcu = ab_compare_unpaired(base, big, x, big, &cu);
    int rcp = ab_compare_paired(base, x, big, &cp);
    CHECK(rcu == 0 && cu.valid && cu.ci_level.nominal && cu.ci_low <= cu.ratio &&
              cu.ratio <= cu.ci_high && fabs(cu.ratio - 1.03) < 0.005 && cu.p < 1e-6,
          "unpaired overhead of 10^5 runs a side: %.5f [%.5f, %.5f] p %.3g", cu.ratio, cu.ci_low,
          cu.ci_high, cu.p);
    CHECK(rcp == 0 && cp.valid && cp.ci_level.nominal && cp.ci_low <= cp.ratio &&
              cp.ratio <= cp.ci_high && fabs(cp.ratio - 1.03) < 0.005 && cp.p < 1e-6,
          "paired overhead of 10^5 rounds: %.5f [%.5f, %.5f] p %.3g", cp.ratio, cp.ci_low,
          cp.ci_high, cp.p);
    free(base);
    free(x);
}

/* The radix sort against qsort, bit for bit (but -0 reads as +0), around its size limit
 * and with negative, tiny, huge and NaN values. */
static void sort_vs_qsort(void) {
    int bad = 0;
    size_t sizes[] = {0, 1, 2, 255, 256, 257, 1000, 100000};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        double *a = malloc((n ? n : 1) * sizeof *a), *b = malloc((n ? n : 1) * sizeof *b);
        for (size_t i = 0; i < n; i++) {
            uint64_t r = rnd();
            switch (r % 8) {
                case 0: a[i] = -(double)(r >> 20) * 1e-3; break;
                case 1: a[i] = (r & 256) ? 0.0 : -0.0; break;
                case 2: a[i] = 1e-310 * (double)(r % 1000); break;
                case 3: a[i] = (r & 512 ? -1 : 1) * DBL_MAX / (double)(1 + r % 7); break;
                case 4: a[i] = n > 300 && r % 64 == 4 ? NAN : 1.5; break;
                default: a[i] = rnd01() * 10 - 5;
            }
            b[i] = a[i] == 0 ? 0.0 : a[i];
        }
        ab_stats_sort(a, n);
        qsort(b, n, sizeof *b, ab_stats_cmp_double);
        for (size_t i = 0; i < n; i++)
            if (memcmp(&a[i], &b[i], sizeof a[i]) && !(isnan(a[i]) && isnan(b[i]))) bad++;
        free(a);
        free(b);
    }
    CHECK(bad == 0, "radix sort equals qsort bit for bit, NaNs last, -0 as +0 (%d differ)", bad);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : ".";
    int cases = run_vectors(dir);
    CHECK(cases >= 150, "read %d scipy vectors", cases);
    edge_cases();
    sort_vs_qsort();
    hl_selection_vs_sort();
    hl_selection_huge();
    return TAP_DONE();
}
