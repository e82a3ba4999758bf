/* analysis.c: a suite's statistics (lib/analysis.h) and one cell's (ab_results_cell_stats,
 * lib/results.h). A cell's figures are gathered from its compact storage into one scratch
 * array at a time, so the memory beyond the model is a few arrays of the biggest cell.
 * The analysis of a comparison is chosen per cell: paired by round when the suite is
 * shuffled and at least AB_PAIRED_MIN_ROUNDS rounds have an ok run on both sides (the
 * better-calibrated analysis, doc/journal.md) and, with the suite's family of m
 * comparisons, enough rounds that its exact test can be significant after Holm's
 * correction (2^(1 - n) m < alpha); else unpaired. */
#include "analysis.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- one cell ----------------------------------------------------------------------- */

static double max_of(const double *x, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++)
        if (x[i] > m) m = x[i];
    return m;
}

/* The noise figures but the drift (cell_stats computes that first, before it takes its
 * scratch array v). */
static void noise_of(const ab_cell *c, const ab_summary *wall, double *v, ab_noise *out) {
    size_t n = c->n;
    out->cov = n >= 2 && wall->mean > 0 ? wall->stddev / wall->mean : 0;
    for (size_t k = 0; k < n; k++) v[k] = c->steal_cpct[k] / 100.0;
    out->steal_median = n ? ab_median(v, n) : 0;
    out->steal_max = max_of(v, n);
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (c->migrations[k] != AB_NO_MIGRATIONS) v[m++] = c->migrations[k];
    out->migrations_n = m;
    out->migrations_median = m ? ab_median(v, m) : 0;
    out->migrations_max = max_of(v, m);
    m = 0;
    for (size_t k = 0; k < n; k++)
        if (c->migrations[k] != AB_NO_MIGRATIONS && c->wall[k] > 0)
            v[m++] = c->migrations[k] / c->wall[k];
    out->migrations_per_s = m ? ab_median(v, m) : 0;
}

static int increasing(const uint32_t *run, size_t n) {
    for (size_t i = 1; i < n; i++)
        if (run[i] <= run[i - 1]) return 0;
    return 1;
}

/* The rounds both cells have, by a merge of their run numbers (both increasing: the
 * runner's order, so no index arrays), and with d the per-round log ratios of figure f
 * into it. Returns the pairs, or 0 when a value is not > 0 and finite. */
static size_t merge_rounds(const ab_cell *b, const ab_cell *c, ab_figure f, double *d) {
    size_t k = 0;
    for (size_t i = 0, j = 0; i < b->n && j < c->n;) {
        if (b->run[i] < c->run[j]) i++;
        else if (b->run[i] > c->run[j]) j++;
        else {
            if (d) {
                double vb = ab_cell_value(b, f, i), vx = ab_cell_value(c, f, j);
                if (!(vb > 0) || !(vx > 0) || !isfinite(vb) || !isfinite(vx)) return 0;
                d[k] = log(vx) - log(vb);
            }
            i++, j++, k++;
        }
    }
    return k;
}

/* The per-round log ratios of figure f into d (room for the pairs): by merge_rounds, or
 * through ab_pair_rounds' indices (ib, ix) when the run numbers are not in order. */
static size_t log_ratios(const ab_cell *b, const ab_cell *c, ab_figure f, int merge,
                         const uint32_t *ib, const uint32_t *ix, size_t pairs, double *d) {
    if (merge) return merge_rounds(b, c, f, d);
    size_t k = 0;
    for (; k < pairs; k++) {
        double vb = ab_cell_value(b, f, ib[k]), vx = ab_cell_value(c, f, ix[k]);
        if (!(vb > 0) || !(vx > 0) || !isfinite(vb) || !isfinite(vx)) return 0;
        d[k] = log(vx) - log(vb);
    }
    return k;
}

/* The comparisons of c with its baseline b for every compared figure, paired when the
 * suite is shuffled and at least min_pairs rounds pair. The memory beyond the model: one
 * array of the pairs (paired) or one of each cell's values (unpaired), which the
 * comparison then reorders in place, and its own workspace. */
static void compare_cells(const ab_results *r, const ab_cell *b, const ab_cell *c, size_t min_pairs,
                          ab_cell_stats *out) {
    size_t nb = b->n, nx = c->n, most = nb < nx ? nb : nx;
    uint32_t *ib = NULL, *ix = NULL;
    size_t pairs = 0;
    int merge = 0;
    if (r->shuffled && most > 0) {
        merge = increasing(b->run, nb) && increasing(c->run, nx);
        if (merge) pairs = merge_rounds(b, c, AB_FIG_WALL, NULL);
        else if ((ib = malloc(most * sizeof *ib)) && (ix = malloc(most * sizeof *ix))) {
            pairs = ab_pair_rounds(b->run, nb, c->run, nx, ib, ix);
        }
    }
    out->pairs = pairs;
    if (pairs >= min_pairs) {
        double *d = malloc(pairs * sizeof *d);
        for (int f = 0; d && f < AB_NFIGURES; f++) {
            if (!ab_figure_get((ab_figure)f)->compared) continue;
            if (log_ratios(b, c, (ab_figure)f, merge, ib, ix, pairs, d) == pairs)
                ab_compare_paired_logs(d, pairs, &out->over[f]);
        }
        free(d);
    } else if (nb >= 2 && nx >= 2) {
        double *vb = malloc(nb * sizeof *vb), *vx = malloc(nx * sizeof *vx);
        for (int f = 0; vb && vx && f < AB_NFIGURES; f++) {
            if (!ab_figure_get((ab_figure)f)->compared) continue;
            ab_cell_values(b, (ab_figure)f, vb);
            ab_cell_values(c, (ab_figure)f, vx);
            ab_compare_unpaired_inplace(vb, nb, vx, nx, &out->over[f]);
        }
        free(vb);
        free(vx);
    }
    free(ib);
    free(ix);
}

static void cell_stats(const ab_results *r, const ab_cell *c, size_t min_pairs,
                       ab_cell_stats *out) {
    memset(out, 0, sizeof *out);
    if (!c) return;
    ab_noise *nz = &out->noise;
    nz->drift_valid = ab_spearman_trend(c->wall, c->n, &nz->drift_rho, &nz->drift_p) == 0;
    if (!nz->drift_valid) nz->drift_rho = 0, nz->drift_p = 1;
    double *v = malloc((c->n ? c->n : 1) * sizeof *v);
    if (!v) return;
    for (int f = 0; f < AB_NFIGURES; f++) {
        ab_cell_values(c, (ab_figure)f, v);
        ab_summarize(v, c->n, &out->fig[f]);
    }
    noise_of(c, &out->wall, v, &out->noise);
    free(v);
    const ab_cell *b = ab_results_baseline_of(r, c);
    if (b) compare_cells(r, b, c, min_pairs, out);
    ab_results_v2_stats(r, c, out);
}

void ab_results_cell_stats(const ab_results *r, const ab_cell *c, ab_cell_stats *out) {
    cell_stats(r, c, AB_PAIRED_MIN_ROUNDS, out); /* a family of one */
}

/* ---- what a family needs ------------------------------------------------------------- */

/* The fewest rounds with which a paired comparison can be significant in a family of m at
 * level alpha (its exact test's smallest p is 2^(1 - n), and Holm's first step asks for
 * p < alpha / m), and at least the rounds of a 95% CI. */
static size_t paired_rounds_for(size_t m, double alpha) {
    size_t n = AB_PAIRED_MIN_ROUNDS;
    while (n < 64 && ldexp(1, 1 - (int)n) * (double)(m ? m : 1) >= alpha) n++;
    return n;
}

/* The same for an unpaired one with t runs a variant (smallest p 2 / C(2t, t)). */
static size_t unpaired_runs_for(size_t m, double alpha) {
    size_t t = 2;
    double c = 6; /* C(2t, t) */
    while (t < 64 && 2 / c * (double)(m ? m : 1) >= alpha) {
        c = c * (double)(2 * t + 1) * (double)(2 * t + 2) / ((double)(t + 1) * (double)(t + 1));
        t++;
    }
    return t;
}

/* The comparisons the suite plans a verdict for: profiled cells of a verdict figure with a
 * baseline, both with >= 2 ok runs (counts only, never values: the choice of the analysis
 * that follows from it is made before looking at the data). */
static size_t planned_family(const ab_results *r) {
    size_t m = 0, figures = 0;
    for (int f = 0; f < AB_NFIGURES; f++) figures += (size_t)ab_figure_get((ab_figure)f)->verdict;
    for (size_t i = 0; i < r->ncells; i++) {
        const ab_cell *c = r->cells[i], *b = ab_results_baseline_of(r, c);
        if (b && b->n >= 2 && c->n >= 2) m += figures;
    }
    return m;
}

/* ---- the suite ---------------------------------------------------------------------- */

void ab_analysis_opts_default(ab_analysis_opts *o) {
    memset(o, 0, sizeof *o);
    o->rule.alpha = AB_VERDICT_ALPHA;
    o->rule.equivalence = AB_VERDICT_EQUIVALENCE;
    o->cov_warn = 0.05;
    o->drift_p = 0.01;
    o->steal_warn_pct = 0;
    o->migrations_warn_per_s = 10;
}

ab_analysis *ab_analysis_new(const ab_analysis_opts *opts) {
    ab_analysis *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    ab_analysis_opts_default(&a->opts);
    if (opts) {
        ab_analysis_opts_default(&a->opts);
        a->opts = *opts;
        ab_analysis_opts def;
        ab_analysis_opts_default(&def);
        if (!(a->opts.rule.alpha > 0 && a->opts.rule.alpha < 1))
            a->opts.rule.alpha = def.rule.alpha;
        if (!(a->opts.rule.equivalence > 0 && a->opts.rule.equivalence < 1))
            a->opts.rule.equivalence = def.rule.equivalence;
    }
    if (!(a->opts.steal_warn_pct > 0)) a->opts.steal_warn_pct = 100 * a->opts.rule.equivalence;
    a->seen = (unsigned long)-1;
    return a;
}

void ab_analysis_free(ab_analysis *a) {
    if (!a) return;
    free(a->cells);
    free(a);
}

const ab_cell_analysis *ab_analysis_cell(const ab_analysis *a, const ab_cell *c) {
    if (!a || !c || c->index >= a->ncells) return NULL;
    return &a->cells[c->index];
}

static unsigned warnings_of(const ab_analysis_opts *o, const ab_cell_stats *st) {
    unsigned w = 0;
    const ab_noise *nz = &st->noise;
    if (st->wall.n >= 2 && nz->cov > o->cov_warn) w |= AB_WARN_COV;
    if (nz->drift_valid && nz->drift_p < o->drift_p) w |= AB_WARN_DRIFT;
    if (nz->steal_max > o->steal_warn_pct) w |= AB_WARN_STEAL;
    if (nz->migrations_n && nz->migrations_per_s > o->migrations_warn_per_s)
        w |= AB_WARN_MIGRATIONS;
    return w;
}

/* The family, Holm's adjustment over it, and (once final) the verdicts. */
static int judge(ab_analysis *a, const ab_results *r) {
    size_t m = 0;
    for (size_t i = 0; i < a->ncells; i++) {
        ab_cell_analysis *ca = &a->cells[i];
        for (int f = 0; f < AB_NFIGURES; f++) {
            const ab_ratio *o = &ca->st.over[f];
            ca->in_family[f] = !r->cells[i]->is_baseline && ab_figure_get((ab_figure)f)->verdict &&
                               o->valid && o->ci_level.nominal;
            ca->p_adjusted[f] = o->p;
            ca->verdict[f] = AB_VERDICT_NONE;
            m += (size_t)ca->in_family[f];
        }
    }
    a->family = m;
    double *p = malloc((m ? m : 1) * sizeof *p);
    if (!p) return -1;
    size_t k = 0;
    for (size_t i = 0; i < a->ncells; i++)
        for (int f = 0; f < AB_NFIGURES; f++)
            if (a->cells[i].in_family[f]) p[k++] = a->cells[i].st.over[f].p;
    if (ab_holm(p, m, p) < 0) {
        free(p);
        return -1;
    }
    k = 0;
    for (size_t i = 0; i < a->ncells; i++) {
        ab_cell_analysis *ca = &a->cells[i];
        for (int f = 0; f < AB_NFIGURES; f++) {
            if (ca->in_family[f]) ca->p_adjusted[f] = p[k++];
            if (a->final && !r->cells[i]->is_baseline && ab_figure_get((ab_figure)f)->verdict)
                ca->verdict[f] = ab_verdict_of(&ca->st.over[f], ca->p_adjusted[f], &a->opts.rule);
        }
    }
    free(p);
    return 0;
}

int ab_analysis_update(ab_analysis *a, const ab_results *r) {
    if (!a || !r) return -1;
    if (a->seen == r->changes && a->ncells == r->ncells) return 0;
    if (r->ncells > a->ncells) {
        ab_cell_analysis *cells = realloc(a->cells, r->ncells * sizeof *cells);
        if (!cells) return -1;
        memset(cells + a->ncells, 0, (r->ncells - a->ncells) * sizeof *cells);
        a->cells = cells;
        a->ncells = r->ncells;
    }
    /* the analysis each comparison uses follows from the family's size: when that
     * changes, every cell is computed again */
    size_t planned = planned_family(r);
    size_t min_pairs = paired_rounds_for(planned, a->opts.rule.alpha);
    int all = min_pairs != a->min_pairs;
    a->planned = planned;
    a->min_pairs = min_pairs;
    a->min_runs = unpaired_runs_for(planned, a->opts.rule.alpha);
    for (size_t i = 0; i < r->ncells; i++) {
        const ab_cell *c = r->cells[i];
        const ab_cell *b = ab_results_baseline_of(r, c);
        unsigned long base_changes = b ? b->changes + 1 : 0; /* +1: a baseline appeared */
        ab_cell_analysis *ca = &a->cells[i];
        if (!all && ca->computed && ca->seen == c->changes && ca->seen_base == base_changes)
            continue;
        cell_stats(r, c, min_pairs, &ca->st);
        ca->warnings = warnings_of(&a->opts, &ca->st);
        ca->seen = c->changes;
        ca->seen_base = base_changes;
        ca->computed = 1;
    }
    a->final = ab_results_final(r);
    a->seen = r->changes;
    return judge(a, r);
}

const char *ab_analysis_verdict_text(const ab_analysis *a, const ab_cell_analysis *ca, ab_figure f,
                                     char *buf, size_t len) {
    const ab_ratio *o = &ca->st.over[f];
    if (!o->valid) snprintf(buf, len, "n/a");
    else if (!a->final) snprintf(buf, len, "interim");
    else if (ca->verdict[f] == AB_VERDICT_TOO_FEW)
        snprintf(buf, len, "too few runs (need %zu)", o->ci_level.need);
    else snprintf(buf, len, "%s", ab_verdict_name(ca->verdict[f]));
    return buf;
}
