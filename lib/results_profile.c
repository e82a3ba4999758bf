/* results_profile.c: a cell's profile accuracy (results.h, ab_cell_profile): per ok run
 * the error, its bound and each function's share, NaN where the run's profile is not
 * verified, so the series stay aligned with the cell's other figures; the statistics
 * are taken over the values only. */
#include "results_profile.h"
#include "json_get.h"
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Every series one slot longer (NaN). Until a run has a profile status nothing is
 * allocated, only counted (most cells never have one: a suite of a million runs keeps
 * its 38 bytes a run). 0, or -1 when out of memory. */
static int grow(ab_cell_profile *p) {
    if (!p->error) {
        p->n++;
        return 0;
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        double **series[2 + AB_PROFILE_FN_MAX];
        size_t k = 0;
        series[k++] = &p->error;
        series[k++] = &p->bound;
        for (size_t f = 0; f < p->nfn; f++) series[k++] = &p->share[f];
        for (size_t i = 0; i < k; i++) {
            double *a = realloc(*series[i], cap * sizeof *a);
            if (!a) return -1;
            *series[i] = a;
        }
        p->cap = cap;
    }
    p->error[p->n] = p->bound[p->n] = NAN;
    for (size_t f = 0; f < p->nfn; f++) p->share[f][p->n] = NAN;
    p->n++;
    return 0;
}

/* The error and bound series made, NaN so far, when the first run with a profile status
 * comes. 0, or -1 when out of memory. */
static int materialise(ab_cell_profile *p) {
    if (p->error) return 0;
    size_t cap = p->n > 16 ? p->n : 16;
    double *error = malloc(cap * sizeof *error), *bound = malloc(cap * sizeof *bound);
    if (!error || !bound) {
        free(error);
        free(bound);
        return -1;
    }
    for (size_t k = 0; k < p->n; k++) error[k] = bound[k] = NAN;
    p->error = error;
    p->bound = bound;
    p->cap = cap;
    return 0;
}

/* The slot of function fn (added, NaN so far, when new), or -1. */
static int fn_slot(ab_cell_profile *p, const char *fn) {
    for (size_t f = 0; f < p->nfn; f++)
        if (!strcmp(p->fn[f], fn)) return (int)f;
    if (p->nfn == AB_PROFILE_FN_MAX) return -1;
    double *a = malloc((p->cap ? p->cap : 1) * sizeof *a);
    char *name = strdup(fn);
    if (!a || !name) {
        free(a);
        free(name);
        return -1;
    }
    for (size_t k = 0; k < p->n; k++) a[k] = NAN;
    p->fn[p->nfn] = name;
    p->share[p->nfn] = a;
    p->truth[p->nfn] = 0;
    return (int)p->nfn++;
}

void ab_cell_profile_add(ab_cell_profile *p, const ab_ev_run_end *e, int ok) {
    if (e->has.agent_samples && e->agent_samples >= 0) {
        p->lost_runs++;
        p->agent_samples += (unsigned long long)e->agent_samples;
        if (e->has.samples_lost && e->samples_lost > 0)
            p->samples_lost += (unsigned long long)e->samples_lost;
    }
    if (e->has.decode_errors && e->decode_errors > 0)
        p->decode_errors += (unsigned long long)e->decode_errors;
    if (!ok || grow(p) < 0) return;
    if (!e->profile_status || materialise(p) < 0) return;
    size_t k = p->n - 1;
    if (strcmp(e->profile_status, "verified")) {
        p->unverified++;
        char *why = strdup(e->profile_status);
        if (why) {
            free(p->unverified_why);
            p->unverified_why = why;
        }
        return;
    }
    if (!e->has.profile_error_pct) return;
    p->verified++;
    p->error[k] = e->profile_error_pct;
    p->bound[k] = e->has.profile_bound_pct ? e->profile_bound_pct : NAN;
    const char *fn;
    json_t *v;
    json_object_foreach(e->profile_shares, fn, v) {
        int f = fn_slot(p, fn);
        if (f < 0) continue;
        double t = ab_json_number(v, "truth", NAN), share = ab_json_number(v, "share", NAN);
        if (!isnan(t)) p->truth[f] = t;
        p->share[f][k] = share;
    }
}

void ab_cell_profile_free(ab_cell_profile *p) {
    free(p->unverified_why);
    free(p->error);
    free(p->bound);
    for (size_t f = 0; f < p->nfn; f++) {
        free(p->fn[f]);
        free(p->share[f]);
    }
    memset(p, 0, sizeof *p);
}

/* The values of series x[0..n) that are numbers, into out; their count. */
static size_t values(const double *x, size_t n, double *out) {
    size_t m = 0;
    for (size_t k = 0; x && k < n; k++) /* NULL: no run had a profile */
        if (!isnan(x[k])) out[m++] = x[k];
    return m;
}

void ab_results_profile_stats(const ab_cell *c, ab_profile_stats *out) {
    memset(out, 0, sizeof *out);
    const ab_cell_profile *p = &c->profile;
    double *tmp = p->n ? malloc(p->n * sizeof *tmp) : NULL;
    if (!tmp) return;
    ab_summarize(tmp, values(p->error, p->n, tmp), &out->error);
    size_t m = values(p->bound, p->n, tmp);
    out->bound = m ? ab_median(tmp, m) : 0;
    out->nfn = p->nfn;
    for (size_t f = 0; f < p->nfn; f++) {
        m = values(p->share[f], p->n, tmp);
        out->share[f] = m ? ab_median(tmp, m) : 0;
    }
    free(tmp);
}
