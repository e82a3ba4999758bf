/* calibrate.c: the evaluation behind lib/bench/calibrate.sh. Reads every suite under an
 * A/A results directory and a 3% results directory (RESULTS/<suite>/journal.jsonl, one
 * benchmark, variants baseline and fast), pairs the two variants' ok measured runs by
 * round (`run`), and for n = 3 .. rounds takes each suite's first n rounds and asks both
 * analyses of lib/stats.h for a verdict (a family of one: no correction):
 *   unpaired  ab_compare_unpaired (Hodges-Lehmann CI + Mann-Whitney p)
 *   paired    ab_compare_paired   (Walsh-average CI + Wilcoxon signed-rank p)
 * on the A/A suites as measured (a "slower"/"faster" is a false positive), on the A/A
 * suites with the fast variant's wall times multiplied by 1.03 (an injected 3%), and on
 * the 3% suites (benchmarks/testing/slower, 3% more CPU work when profiled). It also
 * counts the old rule (a difference whenever the CI excludes 1, whatever n and p) for
 * the unpaired analysis. Rates come with 95% Clopper-Pearson intervals; where the two
 * analyses disagree on the same suites, the discordant counts and an exact sign test of
 * them (McNemar's test) say whether one claims more often than the other.
 *   calibrate AA_RESULTS_DIR SLOWER_RESULTS_DIR */
#include "journal.h"
#include "stats.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUNDS 1000

typedef struct suite_runs {
    double base[MAX_ROUNDS + 1], fast[MAX_ROUNDS + 1]; /* by round; 0 = missing */
    int max_round;
} suite_runs;

static void on_event(json_t *ev, void *arg) {
    suite_runs *s = arg;
    const char *type = json_string_value(json_object_get(ev, "type"));
    if (!type || strcmp(type, "run_end")) return;
    if (json_is_true(json_object_get(ev, "warmup"))) return;
    const char *status = json_string_value(json_object_get(ev, "status"));
    const char *variant = json_string_value(json_object_get(ev, "variant"));
    json_int_t run = json_integer_value(json_object_get(ev, "run"));
    double wall = json_number_value(json_object_get(ev, "wall_s"));
    if (!status || strcmp(status, "ok") || !variant || run < 1 || run > MAX_ROUNDS || !(wall > 0))
        return;
    if (!strcmp(variant, "baseline")) s->base[run] = wall;
    else if (!strcmp(variant, "fast")) s->fast[run] = wall;
    else return;
    if (run > s->max_round) s->max_round = (int)run;
}

/* The rounds where both runs are ok, in round order: returns how many. */
static int paired_rounds(const suite_runs *s, double *b, double *x) {
    int n = 0;
    for (int r = 1; r <= s->max_round; r++)
        if (s->base[r] > 0 && s->fast[r] > 0) {
            b[n] = s->base[r];
            x[n] = s->fast[r];
            n++;
        }
    return n;
}

/* ---- tallies ----------------------------------------------------------------------- */

enum {
    COND_AA,
    COND_INJECTED,
    COND_SLOWER,
    CONDS
};
static const char *cond_names[] = {"A/A", "A/A x1.03", "slower 3%"};
enum {
    M_UNPAIRED,
    M_PAIRED,
    M_OLD,
    METHODS
};
static const char *method_names[] = {"unpaired", "paired", "unpaired, old rule"};

typedef struct tally {
    int suites;
    int verdicts[AB_VERDICT_INCONCLUSIVE + 1];
} tally;

static tally tallies[CONDS][MAX_ROUNDS + 1][METHODS];
/* suites where only the paired / only the unpaired analysis claims a difference */
static int only_paired[CONDS][MAX_ROUNDS + 1], only_unpaired[CONDS][MAX_ROUNDS + 1];
static double rho_sum[CONDS];
static int rho_count[CONDS];
static double cov_all[2 * 10000]; /* the baseline's coefficient of variation, per suite */
static int ncov;

/* Spearman's rank correlation of two samples (average ranks for ties). */
static double spearman(const double *a, const double *b, int n) {
    double ra[MAX_ROUNDS], rb[MAX_ROUNDS];
    for (int k = 0; k < 2; k++) {
        const double *v = k ? b : a;
        double *r = k ? rb : ra;
        for (int i = 0; i < n; i++) {
            double less = 0, equal = 0;
            for (int j = 0; j < n; j++) {
                less += v[j] < v[i];
                equal += v[j] == v[i];
            }
            r[i] = less + (equal + 1) / 2;
        }
    }
    double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < n; i++) {
        ma += ra[i] / n;
        mb += rb[i] / n;
    }
    for (int i = 0; i < n; i++) {
        sab += (ra[i] - ma) * (rb[i] - mb);
        saa += (ra[i] - ma) * (ra[i] - ma);
        sbb += (rb[i] - mb) * (rb[i] - mb);
    }
    return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : 0;
}

static void evaluate(int cond, const double *b, const double *x, int rounds) {
    if (rounds >= 3) {
        rho_sum[cond] += spearman(b, x, rounds);
        rho_count[cond]++;
    }
    if (cond != COND_INJECTED && ncov < (int)(sizeof cov_all / sizeof cov_all[0])) {
        ab_summary s;
        ab_summarize(b, (size_t)rounds, &s);
        cov_all[ncov++] = s.mean > 0 ? s.stddev / s.mean : 0;
    }
    for (int n = 3; n <= rounds; n++) {
        ab_comparison u, p;
        ab_compare_unpaired(b, (size_t)n, x, (size_t)n, &u);
        ab_compare_paired(b, x, (size_t)n, &p);
        tally *t = tallies[cond][n];
        t[M_UNPAIRED].suites++;
        t[M_UNPAIRED].verdicts[ab_verdict_of(&u, u.p, NULL)]++;
        t[M_PAIRED].suites++;
        ab_verdict vu = ab_verdict_of(&u, u.p, NULL), vp = ab_verdict_of(&p, p.p, NULL);
        t[M_PAIRED].verdicts[vp]++;
        int cu = vu == AB_VERDICT_SLOWER || (cond == COND_AA && vu == AB_VERDICT_FASTER);
        int cp = vp == AB_VERDICT_SLOWER || (cond == COND_AA && vp == AB_VERDICT_FASTER);
        only_paired[cond][n] += cp && !cu;
        only_unpaired[cond][n] += cu && !cp;
        /* the old report: "slower" when ci_low > 1, "faster" when ci_high < 1 */
        t[M_OLD].suites++;
        t[M_OLD].verdicts[!u.valid        ? AB_VERDICT_NONE
                          : u.ci_low > 1  ? AB_VERDICT_SLOWER
                          : u.ci_high < 1 ? AB_VERDICT_FASTER
                                          : AB_VERDICT_NO_CHANGE]++;
    }
}

static int read_dir(const char *dir, int cond) {
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "calibrate: cannot open %s\n", dir);
        return -1;
    }
    struct dirent *e;
    int suites = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "latest")) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s/journal.jsonl", dir, e->d_name);
        static suite_runs s;
        memset(&s, 0, sizeof s);
        unsigned long bad = 0;
        if (ab_journal_read_all(path, on_event, &s, &bad) < 0) continue;
        double b[MAX_ROUNDS], x[MAX_ROUNDS];
        int rounds = paired_rounds(&s, b, x);
        if (rounds < 3) continue;
        suites++;
        evaluate(cond, b, x, rounds);
        if (cond == COND_AA) {
            for (int i = 0; i < rounds; i++) x[i] *= 1.03;
            evaluate(COND_INJECTED, b, x, rounds);
        }
    }
    closedir(d);
    return suites;
}

/* ---- Clopper-Pearson --------------------------------------------------------------- */

/* P(X <= k) for X ~ Binomial(n, p). */
static double binom_cdf(int k, int n, double p) {
    if (k < 0) return 0;
    if (k >= n) return 1;
    if (p <= 0) return 1;
    if (p >= 1) return 0;
    double sum = 0;
    for (int i = 0; i <= k; i++)
        sum += exp(lgamma(n + 1.0) - lgamma(i + 1.0) - lgamma(n - i + 1.0) + i * log(p) +
                   (n - i) * log1p(-p));
    return sum;
}

/* The exact 95% interval of a proportion k / n. */
static void clopper_pearson(int k, int n, double *lo, double *hi) {
    double a = 0, b = 1;
    if (k == 0) *lo = 0;
    else { /* P(X >= k | p) = 0.025 */
        for (int i = 0; i < 100; i++) {
            double m = (a + b) / 2;
            if (1 - binom_cdf(k - 1, n, m) < 0.025) a = m;
            else b = m;
        }
        *lo = a;
    }
    a = 0, b = 1;
    if (k == n) *hi = 1;
    else { /* P(X <= k | p) = 0.025 */
        for (int i = 0; i < 100; i++) {
            double m = (a + b) / 2;
            if (binom_cdf(k, n, m) > 0.025) a = m;
            else b = m;
        }
        *hi = b;
    }
}

/* Two-sided exact sign test of k of n discordant suites going one way. */
static double sign_test(int k, int n) {
    if (n == 0) return 1;
    int lo = k < n - k ? k : n - k;
    double p = 2 * binom_cdf(lo, n, 0.5);
    return p > 1 ? 1 : p;
}

static void print_rate(const char *what, int k, int n) {
    double lo, hi;
    clopper_pearson(k, n, &lo, &hi);
    printf("  %-7s %3d/%-4d %5.1f%% [%4.1f, %5.1f]", what, k, n, 100.0 * k / n, 100 * lo, 100 * hi);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: calibrate AA_RESULTS_DIR SLOWER_RESULTS_DIR\n");
        return 2;
    }
    int aa = read_dir(argv[1], COND_AA), slow = read_dir(argv[2], COND_SLOWER);
    if (aa < 0 || slow < 0) return 1;
    printf("%d A/A suites, %d 3%% suites; wall time, a family of one, alpha 0.05, "
           "band +-2%%\n",
           aa, slow);
    for (int c = 0; c < CONDS; c++)
        if (rho_count[c])
            printf("mean Spearman rho between the rounds' baseline and fast runs, %s: %.2f\n",
                   cond_names[c], rho_sum[c] / rho_count[c]);
    if (ncov) {
        ab_summary s;
        ab_summarize(cov_all, (size_t)ncov, &s);
        printf("the baseline's wall-time CoV in a suite: median %.2f%%, 90th percentile "
               "%.2f%%\n",
               100 * s.median, 100 * ab_quantile(cov_all, (size_t)ncov, 0.9));
    }
    printf("A/A: \"diff\" = slower or faster (false positives); 3%%: \"slower\" (power)\n");
    for (int c = 0; c < CONDS; c++) {
        for (int n = 3; n <= MAX_ROUNDS; n++) {
            for (int m = 0; m < METHODS; m++) {
                tally *t = &tallies[c][n][m];
                if (!t->suites) continue;
                printf("%-10s n=%-3d %-19s", cond_names[c], n, method_names[m]);
                int diff = t->verdicts[AB_VERDICT_SLOWER] + t->verdicts[AB_VERDICT_FASTER];
                if (c == COND_AA) print_rate("diff", diff, t->suites);
                else print_rate("slower", t->verdicts[AB_VERDICT_SLOWER], t->suites);
                if (m != M_OLD)
                    printf("  no change %3d  inconclusive %3d  too few %3d",
                           t->verdicts[AB_VERDICT_NO_CHANGE], t->verdicts[AB_VERDICT_INCONCLUSIVE],
                           t->verdicts[AB_VERDICT_TOO_FEW]);
                if (m == M_PAIRED) {
                    int a = only_paired[c][n], b = only_unpaired[c][n];
                    printf("  only paired %d, only unpaired %d (sign test p %.2g)", a, b,
                           sign_test(a, a + b));
                }
                printf("\n");
            }
        }
    }
    return 0;
}
