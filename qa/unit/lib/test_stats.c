/* test_stats.c: lib/stats.c against the vectors numpy/scipy computed
 * (qa/gen-stats-vectors -> vectors/stats.txt), to 1e-9, plus the edge cases that must
 * never give NaN or Inf. Usage: test_stats UNIT_DIR */
#include "stats.h"
#include "tap.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-9

/* |got - want| <= TOL * max(|want|, scale): relative, with a floor for values near 0
 * (such as the standard deviation of equal values). */
static int agree(double got, double want, double scale)
{
    if (got == want) return 1;
    double s = fabs(want) > scale ? fabs(want) : scale;
    return isfinite(got) && fabs(got - want) <= TOL * s;
}

/* A tokenizer over one vector line. */
typedef struct { char *save; int bad; } toks;

static char *tok(toks *t)
{
    char *s = strtok_r(NULL, " \n", &t->save);
    if (!s) t->bad = 1;
    return s ? s : "";
}

static double tnum(toks *t)
{
    char *s = tok(t), *end;
    double v = strtod(s, &end);
    if (end == s || *end) t->bad = 1;
    return v;
}

static double *tarray(toks *t, size_t *n_out)
{
    double n = tnum(t);
    if (t->bad || n < 0 || n > 1e6) { t->bad = 1; *n_out = 0; return NULL; }
    size_t n_ = (size_t)n;
    double *x = malloc((n_ ? n_ : 1) * sizeof *x);
    for (size_t i = 0; i < n_; i++) x[i] = tnum(t);
    *n_out = n_;
    return x;
}

static void arrow(toks *t)
{
    if (strcmp(tok(t), "=>")) t->bad = 1;
}

static double max_abs(const double *x, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) if (fabs(x[i]) > m) m = fabs(x[i]);
    return m;
}

static void check_quantile(const char *name, toks *t)
{
    size_t n;
    double *x = tarray(t, &n);
    double q = tnum(t);
    arrow(t);
    double want = tnum(t);
    if (t->bad) { ok(0, "quantile %s: malformed vector", name); free(x); return; }
    double got = ab_quantile(x, n, q);
    ok(agree(got, want, max_abs(x, n)), "quantile %s q=%g: %.17g vs scipy %.17g", name, q,
       got, want);
    free(x);
}

static void check_summary(const char *name, toks *t)
{
    size_t n;
    double *x = tarray(t, &n);
    arrow(t);
    double w[10];
    for (int i = 0; i < 10; i++) w[i] = tnum(t);
    if (t->bad) { ok(0, "summary %s: malformed vector", name); free(x); return; }
    ab_summary s;
    int rc = ab_summarize(x, n, &s);
    double scale = max_abs(x, n);
    double got[8] = { s.median, s.mean, s.stddev, s.min, s.max, s.ci_low, s.ci_high };
    static const char *field[] = { "median", "mean", "stddev", "min", "max", "ci_low",
                                   "ci_high" };
    int all = rc == 0 && s.n == (size_t)w[0];
    char why[512] = "";
    for (int i = 0; i < 7; i++) {
        if (!agree(got[i], w[i + 1], scale)) {
            all = 0;
            snprintf(why + strlen(why), sizeof why - strlen(why), " %s %.17g != %.17g",
                     field[i], got[i], w[i + 1]);
        }
    }
    if (s.outliers != (size_t)w[8]) {
        all = 0;
        snprintf(why + strlen(why), sizeof why - strlen(why), " outliers %zu != %.0f",
                 s.outliers, w[8]);
    }
    if (ab_median_ci_rank(n) != (size_t)w[9]) {
        all = 0;
        snprintf(why + strlen(why), sizeof why - strlen(why), " j %zu != %.0f",
                 ab_median_ci_rank(n), w[9]);
    }
    ok(all, "summary %s (n=%zu)%s", name, n, why);
    free(x);
}

static void check_mwu(const char *name, toks *t)
{
    size_t na, nb;
    double *a = tarray(t, &na);
    double *b = tarray(t, &nb);
    arrow(t);
    double want_u = tnum(t), want_p = tnum(t);
    const char *method = tok(t);
    if (t->bad) { ok(0, "mwu %s: malformed vector", name); free(a); free(b); return; }
    double u;
    double p = ab_mann_whitney_p(a, na, b, nb, &u);
    ok(agree(u, want_u, 1) && agree(p, want_p, 1e-12),
       "mwu %s (%zu vs %zu, %s): U %.17g vs %.17g, p %.17g vs scipy %.17g", name, na, nb,
       method, u, want_u, p, want_p);
    free(a);
    free(b);
}

static void check_hl(const char *name, toks *t)
{
    size_t nb, nx;
    double *b = tarray(t, &nb);
    double *x = tarray(t, &nx);
    arrow(t);
    double want_r = tnum(t), want_lo = tnum(t), want_hi = tnum(t), want_k = tnum(t);
    if (t->bad) { ok(0, "hl %s: malformed vector", name); free(b); free(x); return; }
    double r = 0, lo = 0, hi = 0;
    int rc = ab_ratio_hl(b, nb, x, nx, &r, &lo, &hi);
    size_t k = ab_hl_ci_rank(nx, nb);
    size_t N = nx * nb;
    if (k > (N + 1) / 2) k = (N + 1) / 2;
    ok(rc == 0 && agree(r, want_r, 0) && agree(lo, want_lo, 0) && agree(hi, want_hi, 0)
       && k == (size_t)want_k,
       "hl %s (%zu vs %zu): ratio %.17g [%.17g, %.17g] k=%zu vs %.17g [%.17g, %.17g] k=%.0f",
       name, nb, nx, r, lo, hi, k, want_r, want_lo, want_hi, want_k);
    free(b);
    free(x);
}

static int run_vectors(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/vectors/stats.txt", dir);
    FILE *f = fopen(path, "r");
    if (!ok(f != NULL, "open %s", path)) return 0;
    char *line = NULL;
    size_t cap = 0;
    int cases = 0;
    while (getline(&line, &cap, f) > 0) {
        if (line[0] == '#' || line[0] == '\n') continue;
        toks t = { NULL, 0 };
        char *kind = strtok_r(line, " \n", &t.save);
        char *name = tok(&t);
        if (!strcmp(kind, "quantile")) check_quantile(name, &t);
        else if (!strcmp(kind, "summary")) check_summary(name, &t);
        else if (!strcmp(kind, "mwu")) check_mwu(name, &t);
        else if (!strcmp(kind, "hl")) check_hl(name, &t);
        else ok(0, "unknown vector kind %s", kind);
        cases++;
    }
    free(line);
    fclose(f);
    return cases;
}

static int all_finite(const ab_summary *s)
{
    return isfinite(s->median) && isfinite(s->mean) && isfinite(s->stddev)
           && isfinite(s->min) && isfinite(s->max) && isfinite(s->ci_low)
           && isfinite(s->ci_high);
}

static void edge_cases(void)
{
    ab_summary s;
    ok(ab_summarize(NULL, 0, &s) == -1 && s.n == 0 && s.median == 0,
       "summary of nothing: -1 and zeroed");
    double one = 7;
    ok(ab_summarize(&one, 1, &s) == 0 && s.median == 7 && s.stddev == 0 && s.ci_low == 7
       && s.ci_high == 7 && s.outliers == 0, "summary of one value");

    double extreme[] = { DBL_MAX, -DBL_MAX, DBL_MAX, -DBL_MAX, 0 };
    ok(ab_summarize(extreme, 5, &s) == 0 && all_finite(&s),
       "summary of +-DBL_MAX stays finite (mean %g sd %g)", s.mean, s.stddev);
    double two[] = { DBL_MAX, -DBL_MAX };
    ok(ab_summarize(two, 2, &s) == 0 && all_finite(&s) && s.median == 0,
       "median of DBL_MAX and -DBL_MAX is 0, not inf-inf");
    double sub[] = { 4.9e-324, 1e-323, 0, 4.9e-324 };
    ok(ab_summarize(sub, 4, &s) == 0 && all_finite(&s), "subnormal values stay finite");

    ok(ab_quantile(NULL, 0, 0.5) == 0, "quantile of nothing is 0");
    double q3[] = { 3, 1, 2 };
    ok(ab_quantile(q3, 3, -1) == 1 && ab_quantile(q3, 3, 2) == 3
       && ab_quantile(q3, 3, NAN) == 1, "quantile clamps q to [0,1]");

    double u = -1;
    ok(ab_mann_whitney_p(NULL, 0, q3, 3, &u) == 1 && u == 0, "mwu with an empty sample: p 1");
    double eq[] = { 5, 5, 5, 5 };
    double p = ab_mann_whitney_p(eq, 4, eq, 4, &u);
    ok(p == 1 && u == 8, "mwu of identical constant samples: p 1, U 8 (p=%g U=%g)", p, u);
    double big[] = { DBL_MAX, DBL_MAX / 2, -DBL_MAX };
    p = ab_mann_whitney_p(big, 3, q3, 3, &u);
    ok(p >= 0 && p <= 1, "mwu of extreme values: p in [0,1]");

    double r, lo, hi;
    double pos[] = { 1, 2 }, withzero[] = { 1, 0 }, withneg[] = { -1, 2 };
    ok(ab_ratio_hl(pos, 2, withzero, 2, &r, &lo, &hi) == -1, "hl refuses a zero value");
    ok(ab_ratio_hl(withneg, 2, pos, 2, &r, &lo, &hi) == -1, "hl refuses a negative value");
    ok(ab_ratio_hl(pos, 0, pos, 2, &r, &lo, &hi) == -1, "hl refuses an empty sample");
    double hugev[] = { DBL_MAX }, tinyv[] = { 4.9e-324 };
    ok(ab_ratio_hl(tinyv, 1, hugev, 1, &r, &lo, &hi) == 0 && isfinite(r) && isfinite(lo)
       && isfinite(hi), "hl ratio DBL_MAX / denormal clamps to a finite value");
    ok(ab_ratio_hl(pos, 2, pos, 2, &r, &lo, &hi) == 0 && r == 1 && lo <= 1 && hi >= 1,
       "hl of a sample against itself: ratio 1 inside its CI");

    ok(ab_median_ci_rank(5) == 1 && ab_median_ci_rank(6) == 1 && ab_median_ci_rank(9) == 2
       && ab_median_ci_rank(100) == 40, "median CI ranks (n=5,6,9,100 -> 1,1,2,40)");
    ok(ab_hl_ci_rank(3, 3) == 1 && ab_hl_ci_rank(5, 5) == 3 && ab_hl_ci_rank(10, 10) == 24,
       "HL CI ranks (3x3, 5x5, 10x10 -> 1, 3, 24)");
}

/* The selection inside ab_ratio_hl against a full sort, on many sizes with heavy ties. */
static void hl_selection_vs_sort(void)
{
    unsigned seed = 7;
    int bad = 0, trials = 0;
    for (int t = 0; t < 300; t++, trials++) {
        size_t nb = 1 + (size_t)rand_r(&seed) % 40, nx = 1 + (size_t)rand_r(&seed) % 40;
        double b[40], x[40];
        int spread = 1 + rand_r(&seed) % 6;   /* few distinct values: many ties */
        for (size_t i = 0; i < nb; i++) b[i] = 1 + rand_r(&seed) % spread;
        for (size_t i = 0; i < nx; i++) x[i] = 1 + rand_r(&seed) % spread;
        size_t N = nb * nx;
        double d[1600];
        for (size_t i = 0; i < nx; i++)
            for (size_t j = 0; j < nb; j++) d[i * nb + j] = log(x[i]) - log(b[j]);
        for (size_t i = 1; i < N; i++)   /* insertion sort: the plain reference */
            for (size_t j = i; j > 0 && d[j - 1] > d[j]; j--) {
                double tmp = d[j]; d[j] = d[j - 1]; d[j - 1] = tmp;
            }
        double med = N % 2 ? d[N / 2] : (d[N / 2 - 1] + d[N / 2]) / 2;
        size_t k = ab_hl_ci_rank(nx, nb);
        if (k > (N + 1) / 2) k = (N + 1) / 2;
        double r, lo, hi;
        if (ab_ratio_hl(b, nb, x, nx, &r, &lo, &hi) != 0 || !close_enough(r, exp(med), 1e-12)
            || lo != exp(d[k - 1]) || hi != exp(d[N - k]))
            bad++;
    }
    ok(bad == 0, "HL by selection equals HL by sorting in %d random tied cases (%d differ)",
       trials, bad);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    int cases = run_vectors(dir);
    ok(cases >= 150, "read %d scipy vectors", cases);
    edge_cases();
    hl_selection_vs_sort();
    return tap_done();
}
