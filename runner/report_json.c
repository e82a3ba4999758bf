/* report_json.c: a suite's results as JSON (`report --format json`, and each cell's
 * object in the journal's summary event). Every figure of lib/results.h's table, every
 * comparison with its analysis, CI coverage, family-adjusted p and verdict, and the noise
 * of each cell (steal, CPU migrations, CoV, drift) with its warnings. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "report_figures.h"
#include "report_profile.h"
#include "events.h"

static double fin(double x) {
    return isfinite(x) ? x : 0;
}

static json_t *level_json(json_t *o, const ab_ci_level *l) {
    json_object_set_new(o, "ci_coverage", json_real(fin(l->coverage)));
    json_object_set_new(o, "ci_nominal", json_boolean(l->nominal));
    json_object_set_new(o, "need", json_integer((json_int_t)l->need));
    return o;
}

static json_t *summary_json(const ab_summary *s) {
    json_t *o = json_pack("{s:I,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:I}", "n", (json_int_t)s->n, "median",
                          fin(s->median), "mean", fin(s->mean), "stddev", fin(s->stddev), "min",
                          fin(s->min), "max", fin(s->max), "ci_low", fin(s->ci_low), "ci_high",
                          fin(s->ci_high), "outliers", (json_int_t)s->outliers);
    return s->n ? level_json(o, &s->ci_level) : o;
}

static json_t *ratio_json(const ab_analysis *a, const ab_cell_analysis *ca, ab_figure f) {
    const ab_ratio *o = &ca->st.over[f];
    if (!o->valid) return json_null();
    json_t *j = json_pack("{s:f,s:f,s:f,s:f,s:f,s:s,s:I,s:I}", "ratio", fin(o->ratio), "ci_low",
                          fin(o->ci_low), "ci_high", fin(o->ci_high), "p", fin(o->p), "percent",
                          fin((o->ratio - 1) * 100), "analysis", ab_pairing_name(o->pairing),
                          "n_base", (json_int_t)o->n_base, "n", (json_int_t)o->n_x);
    level_json(j, &o->ci_level);
    if (ab_figure_get(f)->verdict) {
        char v[48];
        json_object_set_new(j, "in_family", json_boolean(ca->in_family[f]));
        json_object_set_new(j, "p_adjusted", json_real(fin(ca->p_adjusted[f])));
        json_object_set_new(j, "verdict",
                            json_string(ab_analysis_verdict_text(a, ca, f, v, sizeof v)));
    }
    return j;
}

static json_t *noise_json(const ab_noise *nz) {
    json_t *o = json_object();
    json_object_set_new(
        o, "steal_pct",
        json_pack("{s:f,s:f}", "median", fin(nz->steal_median), "max", fin(nz->steal_max)));
    json_object_set_new(o, "migrations",
                        nz->migrations_n
                            ? json_pack("{s:I,s:f,s:f,s:f}", "n", (json_int_t)nz->migrations_n,
                                        "median", fin(nz->migrations_median), "max",
                                        fin(nz->migrations_max), "per_s", fin(nz->migrations_per_s))
                            : json_null());
    json_object_set_new(o, "cov", json_real(fin(nz->cov)));
    json_object_set_new(
        o, "drift",
        nz->drift_valid ? json_pack("{s:f,s:f}", "rho", fin(nz->drift_rho), "p", fin(nz->drift_p))
                        : json_null());
    return o;
}

json_t *rn_report_cell_json(const ab_analysis *a, const ab_results *r, const ab_cell *c) {
    (void)r;
    const ab_cell_analysis *ca = ab_analysis_cell(a, c);
    json_t *o = json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I}", "benchmark", c->benchmark, "variant",
                          c->variant, "n", (json_int_t)c->n, "failed", (json_int_t)c->failed,
                          "no_profiles", (json_int_t)c->no_profiles, "profiles",
                          (json_int_t)c->profiles, "samples", (json_int_t)c->samples);
    if (rn_report_delivery_unknown(c)) { /* an external server: nobody counted */
        json_object_set_new(o, "profiles", json_null());
        json_object_set_new(o, "samples", json_null());
    }
    if (c->warned) {
        json_object_set_new(o, "warned_runs", json_integer((json_int_t)c->warned));
        json_object_set_new(o, "warning", json_string(c->warning ? c->warning : ""));
    }
    if (!ca) return o;
    for (int f = 0; f < AB_NFIGURES; f++)
        json_object_set_new(o, ab_figure_get((ab_figure)f)->name, summary_json(&ca->st.fig[f]));
    json_t *noise = noise_json(&ca->st.noise), *warnings = json_array();
    json_object_update(o, noise);
    json_decref(noise);
    for (unsigned bit = 1; bit <= AB_WARN_MIGRATIONS; bit <<= 1)
        if (ca->warnings & bit)
            json_array_append_new(warnings, json_string(rn_report_warning_name(bit)));
    json_object_set_new(o, "warnings", warnings);
    if (!c->is_baseline) {
        json_t *over = json_object();
        for (int f = 0; f < AB_NFIGURES; f++)
            if (ab_figure_get((ab_figure)f)->compared)
                json_object_set_new(over, ab_figure_get((ab_figure)f)->name,
                                    ratio_json(a, ca, (ab_figure)f));
        json_object_set_new(o, "overhead", over);
        const ab_ratio *w = &ca->st.over[AB_FIG_WALL];
        char v[48];
        json_object_set_new(o, "analysis",
                            w->valid ? json_string(ab_pairing_name(w->pairing)) : json_null());
        json_object_set_new(o, "pairs", json_integer((json_int_t)ca->st.pairs));
        if (!c->is_service) /* a service's wall time is its whole life, no verdict */
            json_object_set_new(
                o, "verdict",
                json_string(ab_analysis_verdict_text(a, ca, AB_FIG_WALL, v, sizeof v)));
    }
    rn_figures_json(o, c, &ca->st);
    rn_report_profile_json(c, o);
    return o;
}

/* How the verdicts are reached: the rule's parameters and the family. */
static json_t *rule_json(const ab_analysis *a) {
    json_t *figs = json_array();
    for (int f = 0; f < AB_NFIGURES; f++)
        if (ab_figure_get((ab_figure)f)->verdict)
            json_array_append_new(figs, json_string(ab_figure_get((ab_figure)f)->name));
    return json_pack("{s:f,s:f,s:s,s:I,s:I,s:o,s:I,s:I}", "alpha", a->opts.rule.alpha,
                     "equivalence", a->opts.rule.equivalence, "correction", "holm", "family",
                     (json_int_t)a->family, "planned", (json_int_t)a->planned, "family_figures",
                     figs, "paired_min_rounds", (json_int_t)a->min_pairs, "unpaired_min_runs",
                     (json_int_t)a->min_runs);
}

/* The suite without its cells (rn_report_json adds them; rn_report_json_print streams them). */
static json_t *suite_json(const ab_results *r, const ab_analysis *a) {
    json_t *base = json_array();
    for (size_t i = 0; i < r->nbaseline; i++) {
        ab_baseline_figure *f = r->baseline[i];
        json_array_append_new(base,
                              json_pack("{s:s,s:s,s:f,s:s}", "kind", f->kind, "name", f->name,
                                        "value", fin(f->value), "unit", f->unit ? f->unit : ""));
    }
    json_t *ings = json_array();
    for (size_t i = 0; i < r->ningesters; i++) {
        ab_ingester *g = r->ingesters[i];
        json_array_append_new(ings,
                              json_pack("{s:s,s:s,s:s,s:s,s:b}", "name", g->name, "mode",
                                        g->mode ? g->mode : "", "url", g->url ? g->url : "",
                                        "control", g->control ? g->control : "", "live", g->live));
    }
    json_t *o = json_pack("{s:i,s:s,s:s,s:s,s:b,s:I,s:I,s:I,s:f,s:o,s:[],s:o,s:o}", "v", 1, "suite",
                          r->suite ? r->suite : "", "host", r->host ? r->host : "", "state",
                          ab_state_name(r->state), "final", a->final, "runs_done",
                          (json_int_t)r->runs_done, "runs_total", (json_int_t)r->runs_total,
                          "runs_failed", (json_int_t)r->runs_failed, "progress",
                          fin(ab_results_progress(r)), "verdict_rule", rule_json(a), "cells",
                          "host_baseline", base, "ingesters", ings);
    ab_ev_suite_start ss;
    ab_ev_suite_start_read(r->suite_start, &ss);
    if (ss.has.seed) json_object_set_new(o, "seed", json_integer(ss.seed));
    json_t *blocked = rn_figures_blocked_json(r);
    if (blocked) json_object_set_new(o, "exit_blocked", blocked);
    json_t *events = json_array(), *w;
    size_t wi;
    json_array_foreach(r->warnings, wi, w) { /* the suite's warning events */
        ab_ev_warning e;
        ab_ev_warning_read(w, &e);
        json_t *one = json_pack("{s:s,s:s}", "kind", e.kind ? e.kind : "", "message",
                                e.message ? e.message : "");
        if (e.benchmark) json_object_set_new(one, "benchmark", json_string(e.benchmark));
        if (e.variant) json_object_set_new(one, "variant", json_string(e.variant));
        json_array_append_new(events, one);
    }
    if (json_array_size(events)) json_object_set(o, "warnings", events);
    json_decref(events);
    json_object_set_new(o, "skipped", rn_report_skipped_json(r));
    json_object_set_new(o, "skipped_lines", json_integer((json_int_t)rn_report_skipped_total(r)));
    return o;
}

json_t *rn_report_skipped_json(const ab_results *r) {
    json_t *skipped = json_array();
    for (size_t i = 0; i < r->nskipped; i++)
        json_array_append_new(skipped,
                              json_pack("{s:I,s:s}", "line", (json_int_t)r->skipped[i].line,
                                        "reason", r->skipped[i].reason));
    return skipped;
}

json_t *rn_report_json(const ab_results *r, const ab_analysis *a) {
    json_t *o = suite_json(r, a), *cells = json_object_get(o, "cells");
    for (size_t i = 0; i < r->ncells; i++)
        json_array_append_new(cells, rn_report_cell_json(a, r, r->cells[i]));
    return o;
}

#define DUMP_FLAGS (JSON_INDENT(1) | JSON_REAL_PRECISION(12))

/* Each line of text after the first, indented by two more spaces (an item of the cells
 * array of an indent-1 document). */
static void put_indented(FILE *f, const char *text) {
    for (const char *p = text; *p; p++) {
        fputc(*p, f);
        if (*p == '\n') fputs("  ", f);
    }
}

void rn_report_json_print(FILE *f, const ab_results *r, const ab_analysis *a) {
    /* the text jansson gives the whole document, one cell at a time: a suite of 10,000
     * cells never holds more than one cell's objects */
    json_t *o = suite_json(r, a);
    char *text = json_dumps(o, DUMP_FLAGS);
    json_decref(o);
    const char *hole = text ? strstr(text, "\"cells\": []") : NULL;
    if (!hole) {
        free(text);
        return;
    }
    size_t at = (size_t)(hole - text) + strlen("\"cells\": [");
    fwrite(text, 1, at, f);
    for (size_t i = 0; i < r->ncells; i++) {
        json_t *c = rn_report_cell_json(a, r, r->cells[i]);
        char *ct = json_dumps(c, DUMP_FLAGS);
        json_decref(c);
        fputs(i ? ",\n  " : "\n  ", f);
        if (ct) put_indented(f, ct);
        free(ct);
    }
    fputs(r->ncells ? "\n ]" : "]", f);
    fputs(text + at + 1, f);
    fputc('\n', f);
    free(text);
}
