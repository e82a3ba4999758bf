/* stats_verdict.c: from numbers to words (lib/stats.h). Holm's family-wise correction
 * and the verdict rule, which claims only what the data shows:
 * a difference needs its CI to exclude 1 and its p-value to survive the correction for
 * every comparison of the suite; "no change" is an equivalence claim (the whole CI inside
 * [1 - e, 1 + e]); a CI below its nominal 95% gives no verdict at all; what remains is
 * "inconclusive". doc/journal.md ("Verdicts") states the rule in words. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

const char *ab_pairing_name(ab_pairing p) {
    return p == AB_PAIRED ? "paired" : "unpaired";
}

/* ---- Holm ------------------------------------------------------------------------- */

typedef struct {
    double p;
    size_t i;
} ranked_p;

static int cmp_ranked(const void *pa, const void *pb) {
    const ranked_p *a = pa, *b = pb;
    if (a->p != b->p) return a->p < b->p ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

int ab_holm(const double *p, size_t m, double *adj) {
    if (m == 0) return 0;
    ranked_p *r = malloc(m * sizeof *r);
    if (!r) return -1;
    for (size_t i = 0; i < m; i++) {
        double v = p[i];
        r[i] = (ranked_p){isnan(v) || v > 1 ? 1 : v < 0 ? 0 : v, i};
    }
    qsort(r, m, sizeof *r, cmp_ranked);
    double running = 0;
    for (size_t l = 0; l < m; l++) { /* l is 0-based: the factor is m - l */
        double a = (double)(m - l) * r[l].p;
        if (a > 1) a = 1;
        if (a > running) running = a;
        adj[r[l].i] = running;
    }
    free(r);
    return 0;
}

/* ---- verdicts ---------------------------------------------------------------------- */

static const char *verdict_names[] = {
    [AB_VERDICT_NONE] = "n/a",
    [AB_VERDICT_TOO_FEW] = "too few runs",
    [AB_VERDICT_SLOWER] = "slower",
    [AB_VERDICT_FASTER] = "faster",
    [AB_VERDICT_NO_CHANGE] = "no change",
    [AB_VERDICT_INCONCLUSIVE] = "inconclusive",
};

const char *ab_verdict_name(ab_verdict v) {
    if ((unsigned)v < sizeof verdict_names / sizeof verdict_names[0]) return verdict_names[v];
    return "n/a";
}

ab_verdict ab_verdict_of(const ab_comparison *c, double p_family, const ab_verdict_rule *rule) {
    double alpha = AB_VERDICT_ALPHA, e = AB_VERDICT_EQUIVALENCE;
    if (rule && rule->alpha > 0 && rule->alpha < 1) alpha = rule->alpha;
    if (rule && rule->equivalence > 0 && rule->equivalence < 1) e = rule->equivalence;
    if (!c || !c->valid) return AB_VERDICT_NONE;
    if (!c->ci_level.nominal) return AB_VERDICT_TOO_FEW;
    int significant = p_family < alpha; /* false for NaN */
    if (significant && c->ci_low > 1) return AB_VERDICT_SLOWER;
    if (significant && c->ci_high < 1) return AB_VERDICT_FASTER;
    if (c->ci_low >= 1 - e && c->ci_high <= 1 + e) return AB_VERDICT_NO_CHANGE;
    return AB_VERDICT_INCONCLUSIVE;
}
