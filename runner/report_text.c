/* report_text.c: the table, markdown, CSV and benchstat formats of `agentbench report`.
 * Every number comes from lib/analysis.h. A CI is called 95% only when it is: below the
 * runs that reach it, it is printed with its real coverage, and the verdict says how many
 * runs it needs. The noise of a cell is shown (steal, in the table and every format) and
 * explained in warnings that carry a number: CoV, drift, steal, CPU migrations. The schema
 * v2 figures (a service's, and exit delays) come from report_figures.h: a service
 * benchmark gets its block of figures instead of wall-time rows (its wall time is its
 * whole life), a batch benchmark with exit delays a column for them. */
#include <ctype.h>
#include <math.h>
#include <string.h>
#include "events.h"
#include "report.h"
#include "report_figures.h"
#include "report_profile.h"
#include "util.h"

void rn_report_camel(char *buf, size_t len, const char *name) {
    size_t n = 0;
    int up = 1;
    for (const char *p = name; *p && n + 1 < len; p++) {
        if (!isalnum((unsigned char)*p)) {
            up = 1;
            continue;
        }
        buf[n++] = up ? (char)toupper((unsigned char)*p) : *p;
        up = 0;
    }
    buf[n] = 0;
}

const char *rn_report_warning_name(unsigned bit) {
    switch (bit) {
        case AB_WARN_COV: return "cov";
        case AB_WARN_DRIFT: return "drift";
        case AB_WARN_STEAL: return "steal";
        case AB_WARN_MIGRATIONS: return "migrations";
        default: return "?";
    }
}

void rn_report_fmt_coverage(char *buf, size_t len, double coverage) {
    snprintf(buf, len, "%.3g%%", coverage * 100);
}

/* ", 75%" after a CI that is not the nominal 95%, else "". */
static void coverage_suffix(char *buf, size_t len, const ab_ci_level *l) {
    char c[16];
    rn_report_fmt_coverage(c, sizeof c, l->coverage);
    if (l->nominal) buf[0] = 0;
    else snprintf(buf, len, ", %s", c);
}

void rn_report_fmt_summary_ci(char *buf, size_t len, const ab_summary *s) {
    char m[32], lo[32], hi[32], cov[24];
    rn_fmt_seconds(m, sizeof m, s->median);
    rn_fmt_seconds(lo, sizeof lo, s->ci_low);
    rn_fmt_seconds(hi, sizeof hi, s->ci_high);
    coverage_suffix(cov, sizeof cov, &s->ci_level);
    snprintf(buf, len, "%s [%s, %s]%s", m, lo, hi, cov);
}

void rn_report_fmt_overhead_ci(char *buf, size_t len, const ab_ratio *o) {
    if (!o->valid) {
        snprintf(buf, len, "-");
        return;
    }
    char a[24], b[24], c[24], cov[24];
    rn_fmt_pct(a, sizeof a, o->ratio);
    rn_fmt_pct(b, sizeof b, o->ci_low);
    rn_fmt_pct(c, sizeof c, o->ci_high);
    coverage_suffix(cov, sizeof cov, &o->ci_level);
    snprintf(buf, len, "%s [%s, %s]%s", a, b, c, cov);
}

static void fmt_p(char *buf, size_t len, double p) {
    if (p < 0.001) snprintf(buf, len, "<0.001");
    else snprintf(buf, len, "%.3f", p);
}

void rn_report_fmt_p(char *buf, size_t len, const ab_ratio *o) {
    if (!o->valid) snprintf(buf, len, "-");
    else fmt_p(buf, len, o->p);
}

/* ---- one row of the table / markdown -------------------------------------------------- */

typedef struct row {
    char n[48], wall[128], over[128], test[12], p[16], padj[16], cpu[32], rss[32], steal[32],
        prof[32], verdict[48];
    char exit[128]; /* the exit delay, for benchmarks that have it */
} row;

static void make_row(const ab_analysis *a, const ab_cell *c, row *w) {
    const ab_cell_analysis *ca = ab_analysis_cell(a, c);
    const ab_cell_stats *st = &ca->st;
    if (c->failed) snprintf(w->n, sizeof w->n, "%zu (%zu failed)", c->n, c->failed);
    else snprintf(w->n, sizeof w->n, "%zu", c->n);
    if (c->n) {
        rn_report_fmt_summary_ci(w->wall, sizeof w->wall, &st->wall);
        rn_fmt_seconds(w->cpu, sizeof w->cpu, st->cpu.median);
        rn_fmt_kib(w->rss, sizeof w->rss, st->rss.median);
        snprintf(w->steal, sizeof w->steal, "%.2f/%.2f%%", st->noise.steal_median,
                 st->noise.steal_max);
        rn_figures_fmt_ci(w->exit, sizeof w->exit, c, st, AB_V2_EXIT_DELAY);
    } else {
        strcpy(w->wall, "-");
        strcpy(w->cpu, "-");
        strcpy(w->rss, "-");
        strcpy(w->steal, "-");
        strcpy(w->exit, "-");
    }
    const ab_ratio *o = &st->over_wall;
    strcpy(w->over, "-");
    strcpy(w->test, "-");
    strcpy(w->p, "-");
    strcpy(w->padj, "-");
    strcpy(w->prof, "-");
    w->verdict[0] = 0;
    if (c->is_baseline) return;
    if (rn_report_delivery_unknown(c)) snprintf(w->prof, sizeof w->prof, "?");
    else snprintf(w->prof, sizeof w->prof, "%llu", c->profiles);
    ab_analysis_verdict_text(a, ca, AB_FIG_WALL, w->verdict, sizeof w->verdict);
    if (!o->valid) return;
    rn_report_fmt_overhead_ci(w->over, sizeof w->over, o);
    snprintf(w->test, sizeof w->test, "%s", ab_pairing_name(o->pairing));
    fmt_p(w->p, sizeof w->p, o->p);
    if (ca->in_family[AB_FIG_WALL]) fmt_p(w->padj, sizeof w->padj, ca->p_adjusted[AB_FIG_WALL]);
}

/* The warnings of a cell, one line each, into notes; the cell named by its variant (the
 * table, under its benchmark) or, with whole, benchmark/variant. */
static void cell_notes(const ab_analysis *a, const ab_cell *c, int whole, strlist *notes) {
    const ab_cell_analysis *ca = ab_analysis_cell(a, c);
    char name[512];
    if (whole) snprintf(name, sizeof name, "%s/%s", c->benchmark, c->variant);
    else snprintf(name, sizeof name, "%s", c->variant);
    const ab_noise *nz = &ca->st.noise;
    const ab_analysis_opts *o = &a->opts;
    if (ca->warnings & AB_WARN_COV)
        rn_strlist_add_take(notes, rn_xasprintf("warning: %s: wall time varies by %.1f%% (CoV > "
                                                "%.0f%%): a noisy machine; its CIs are wide",
                                                name, nz->cov * 100, o->cov_warn * 100));
    if (ca->warnings & AB_WARN_DRIFT)
        rn_strlist_add_take(notes, rn_xasprintf("warning: %s: wall time drifts across the suite "
                                                "(Spearman rho %+.2f against run order, p %.2g)",
                                                name, nz->drift_rho, nz->drift_p));
    if (ca->warnings & AB_WARN_STEAL)
        rn_strlist_add_take(notes,
                            rn_xasprintf("warning: %s: CPU steal up to %.2f%% during its runs "
                                         "(median %.2f%%; > %.2g%%): another guest took the "
                                         "CPU",
                                         name, nz->steal_max, nz->steal_median, o->steal_warn_pct));
    if (ca->warnings & AB_WARN_MIGRATIONS)
        rn_strlist_add_take(notes,
                            rn_xasprintf("warning: %s: %.1f CPU migrations per second of run "
                                         "(median; > %.0f/s): the benchmark moves between "
                                         "CPUs (pin it: --cpu-bench)",
                                         name, nz->migrations_per_s, o->migrations_warn_per_s));
    if (c->no_profiles)
        rn_strlist_add_take(notes,
                            rn_xasprintf("WARNING: %s: %zu profiled run%s delivered nothing "
                                         "to the ingester (not counted)",
                                         name, c->no_profiles, c->no_profiles == 1 ? "" : "s"));
    if (c->warned && !whole) /* markdown lists them on its own (print_markdown) */
        rn_strlist_add_take(notes,
                            rn_xasprintf("WARNING: %s: %zu run%s with warnings, the first: %s",
                                         name, c->warned, c->warned == 1 ? "" : "s",
                                         c->warning ? c->warning : ""));
    if (!whole) rn_report_profile_notes(c, notes); /* markdown: rn_report_profile_markdown */
}

unsigned long rn_report_skipped_total(const ab_results *r) {
    return r->bad_lines + (r->incomplete_bytes > 0);
}

void rn_report_print_skipped(FILE *f, const ab_results *r, const char *prefix) {
    for (size_t i = 0; i < r->nskipped; i++)
        fprintf(f, "%sskipped journal line %lu: %s\n", prefix, r->skipped[i].line,
                r->skipped[i].reason);
    unsigned long total = rn_report_skipped_total(r);
    if (total > r->nskipped)
        fprintf(f, "%s... and %lu more skipped lines\n", prefix, total - r->nskipped);
}

static void header(FILE *f, const ab_results *r, const ab_analysis *a) {
    fprintf(f, "suite %s on %s: %s, %lu of %lu runs done, %lu failed\n", r->suite ? r->suite : "?",
            r->host ? r->host : "?", ab_state_name(r->state), r->runs_done, r->runs_total,
            r->runs_failed);
    if (!a->final) fprintf(f, "interim: the suite is not over; verdicts come once it is\n");
    for (size_t i = 0; i < r->nbaseline; i++)
        fprintf(f, "host %s %s: %g %s\n", r->baseline[i]->kind, r->baseline[i]->name,
                r->baseline[i]->value, r->baseline[i]->unit ? r->baseline[i]->unit : "");
}

/* How to read the numbers and the verdicts: the rule, and the family it was applied to. */
static void legend(FILE *f, const ab_analysis *a) {
    fprintf(f,
            "CIs: 95%% unless a coverage follows (too few runs). Overheads: paired by round "
            "(Wilcoxon signed-rank)\nin a shuffled suite with >= %zu complete rounds, else "
            "unpaired (Mann-Whitney U). Verdicts: wall time,\nHolm-adjusted p < %g over a "
            "family of %zu comparison%s; no change: the CI within +-%g%%.\n",
            a->min_pairs, a->opts.rule.alpha, a->family, a->family == 1 ? "" : "s",
            a->opts.rule.equivalence * 100);
    if (a->planned > 1)
        fprintf(f,
                "With %zu comparisons a difference can survive Holm from %zu runs a variant "
                "(unpaired) or %zu rounds (paired).\n",
                a->planned, a->min_runs, a->min_pairs);
}

/* The benchmark's warning events (bench NULL: the suite's), one line each. */
static void print_warnings(FILE *f, const ab_results *r, const char *bench, const char *indent) {
    json_t *w;
    size_t i;
    json_array_foreach(r->warnings, i, w) {
        ab_ev_warning e;
        ab_ev_warning_read(w, &e);
        if (!e.message ||
            (bench ? !e.benchmark || strcmp(e.benchmark, bench) : e.benchmark != NULL))
            continue;
        fprintf(f, "%swarning: %s\n", indent, e.message);
    }
}

/* The width of the variant column: the longest name, at least 10. */
static int variant_width(const ab_results *r) {
    size_t w = 10;
    for (size_t i = 0; i < r->ncells; i++)
        if (strlen(r->cells[i]->variant) > w) w = strlen(r->cells[i]->variant);
    return (int)w;
}

static void print_table(FILE *f, const ab_results *r, const ab_analysis *a) {
    header(f, r, a);
    const char *bench = NULL;
    int vw = variant_width(r);
    strlist notes = {0};
    int exitcol = 0, service = 0;
    for (size_t i = 0; i < r->ncells; i++) {
        const ab_cell *c = r->cells[i];
        if (!bench || strcmp(bench, c->benchmark)) {
            if (bench) rn_report_profile_table(f, r, bench);
            for (size_t k = 0; k < notes.n; k++) fprintf(f, "  %s\n", notes.v[k]);
            rn_strlist_free(&notes);
            if (bench && exitcol && !service) rn_figures_blocked_note(f, r, bench, "  ");
            if (bench) print_warnings(f, r, bench, "  ");
            bench = c->benchmark;
            if ((service = rn_figures_service(r, bench))) rn_figures_service_table(f, r, bench);
            exitcol = rn_figures_present(r, bench, AB_V2_EXIT_DELAY);
            if (!service)
                fprintf(f,
                        "\n%s\n  %-*s %-14s %-36s %-34s %-8s %-7s %-7s %-10s %-10s %-12s "
                        "%s%-9s %s\n",
                        bench, vw, "variant", "n", "wall median [CI]", "overhead [CI]", "analysis",
                        "p", "p Holm", "CPU", "max RSS", "steal",
                        exitcol ? "exit delay [95% CI]                  " : "", "profiles",
                        "verdict");
        }
        if (service) continue;
        row w;
        make_row(a, c, &w);
        char line[800], exit[160] = "";
        if (exitcol) {
            rn_figures_pad(exit, sizeof exit - 1, w.exit, 36);
            strcat(exit, " ");
        }
        int len = snprintf(line, sizeof line,
                           "  %-*s %-14s %-36s %-34s %-8s %-7s %-7s %-10s %-10s %-12s %s%-9s %s",
                           vw, c->variant, w.n, w.wall, w.over, w.test, w.p, w.padj, w.cpu, w.rss,
                           w.steal, exit, w.prof, w.verdict);
        if (len >= (int)sizeof line) len = (int)sizeof line - 1;
        while (len > 0 && line[len - 1] == ' ') line[--len] = 0;
        fprintf(f, "%s\n", line);
        cell_notes(a, c, 0, &notes);
    }
    if (bench) rn_report_profile_table(f, r, bench);
    for (size_t k = 0; k < notes.n; k++) fprintf(f, "  %s\n", notes.v[k]);
    rn_strlist_free(&notes);
    if (bench && exitcol && !service) rn_figures_blocked_note(f, r, bench, "  ");
    if (bench) print_warnings(f, r, bench, "  ");
    if (!r->ncells) fprintf(f, "\n(no runs)\n");
    print_warnings(f, r, NULL, "");
    if (rn_report_skipped_total(r)) {
        fputc('\n', f);
        rn_report_print_skipped(f, r, "WARNING: ");
    }
    if (r->ncells) {
        fputc('\n', f);
        legend(f, a);
    }
}

static void print_markdown(FILE *f, const ab_results *r, const ab_analysis *a) {
    fprintf(f, "### agentbench suite %s on %s (%s%s)\n\n", r->suite ? r->suite : "?",
            r->host ? r->host : "?", ab_state_name(r->state), a->final ? "" : ", interim");
    size_t batch = 0; /* a service's wall time is its whole life: its figures say more */
    for (size_t i = 0; i < r->ncells; i++) batch += !r->cells[i]->is_service;
    if (batch || !r->ncells) {
        fprintf(f, "| benchmark | variant | n | wall median [CI] | overhead [CI] | analysis | p | "
                   "p Holm | CPU | max RSS | steal median/max | profiles | verdict |\n");
        fprintf(f, "|---|---|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|---|\n");
    }
    strlist notes = {0};
    for (size_t i = 0; i < r->ncells; i++) {
        if (r->cells[i]->is_service) continue;
        row w;
        make_row(a, r->cells[i], &w);
        fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                r->cells[i]->benchmark, r->cells[i]->variant, w.n, w.wall, w.over, w.test, w.p,
                w.padj, w.cpu, w.rss, w.steal, w.prof, w.verdict);
        cell_notes(a, r->cells[i], 1, &notes);
    }
    rn_figures_markdown(f, r);
    int warned = 0;
    for (size_t i = 0; i < r->ncells; i++) warned += r->cells[i]->warned > 0;
    if (notes.n || warned || rn_report_skipped_total(r)) fputc('\n', f);
    for (size_t k = 0; k < notes.n; k++) fprintf(f, "- %s\n", notes.v[k]);
    rn_strlist_free(&notes);
    for (size_t i = 0; i < r->ncells; i++)
        if (r->cells[i]->warned)
            fprintf(f, "- **warning** %s %s: %zu run%s with warnings, the first: %s\n",
                    r->cells[i]->benchmark, r->cells[i]->variant, r->cells[i]->warned,
                    r->cells[i]->warned == 1 ? "" : "s",
                    r->cells[i]->warning ? r->cells[i]->warning : "");
    rn_report_print_skipped(f, r, "- **warning** ");
    rn_report_profile_markdown(f, r);
    fputc('\n', f);
    legend(f, a);
}

/* ---- CSV: one row per cell, the columns follow the figure table ------------------------ */

static void csv_header(FILE *f, int figures) {
    fprintf(f, "benchmark,variant,n,failed,no_profiles,wall_median_s,wall_ci_low_s,"
               "wall_ci_high_s,wall_ci_coverage,wall_ci_nominal,wall_mean_s,wall_stddev_s,"
               "wall_min_s,wall_max_s,wall_outliers,cpu_median_s,user_median_s,sys_median_s,"
               "maxrss_median_kb");
    for (int fig = 0; fig < AB_NFIGURES; fig++) {
        if (!ab_figure_get((ab_figure)fig)->compared) continue;
        const char *n = ab_figure_get((ab_figure)fig)->name;
        fprintf(f,
                ",overhead_%s_ratio,overhead_%s_ci_low,overhead_%s_ci_high,overhead_%s_p,"
                "overhead_%s_analysis,overhead_%s_ci_coverage,overhead_%s_ci_nominal,"
                "overhead_%s_need,overhead_%s_p_adjusted",
                n, n, n, n, n, n, n, n, n);
    }
    fprintf(f, ",verdict,steal_median_pct,steal_max_pct,migrations_median,migrations_max,"
               "wall_cov,drift_rho,drift_p,warnings,profiles,samples");
    if (figures) rn_figures_csv_header(f);
    fprintf(f, "%s\n", rn_report_profile_csv_header());
}

static void csv_ratio(FILE *f, const ab_cell_analysis *ca, ab_figure fig) {
    const ab_ratio *o = &ca->st.over[fig];
    if (!o->valid) {
        fprintf(f, ",,,,,,,,,");
        return;
    }
    fprintf(f, ",%.6f,%.6f,%.6f,%.6g,%s,%.6g,%d,%zu,%.6g", o->ratio, o->ci_low, o->ci_high, o->p,
            ab_pairing_name(o->pairing), o->ci_level.coverage, o->ci_level.nominal,
            o->ci_level.need, ca->p_adjusted[fig]);
}

static void print_csv(FILE *f, const ab_results *r, const ab_analysis *a) {
    int figures = rn_figures_present(r, NULL, AB_NV2FIGS);
    csv_header(f, figures);
    for (size_t i = 0; i < r->ncells; i++) {
        const ab_cell *c = r->cells[i];
        const ab_cell_analysis *ca = ab_analysis_cell(a, c);
        const ab_cell_stats *st = &ca->st;
        fprintf(f,
                "%s,%s,%zu,%zu,%zu,%.9f,%.9f,%.9f,%.6g,%d,%.9f,%.9f,%.9f,%.9f,%zu,%.6f,%.6f,"
                "%.6f,%.0f",
                c->benchmark, c->variant, c->n, c->failed, c->no_profiles, st->wall.median,
                st->wall.ci_low, st->wall.ci_high, st->wall.ci_level.coverage,
                st->wall.ci_level.nominal, st->wall.mean, st->wall.stddev, st->wall.min,
                st->wall.max, st->wall.outliers, st->cpu.median, st->user.median, st->sys.median,
                st->rss.median);
        for (int fig = 0; fig < AB_NFIGURES; fig++)
            if (ab_figure_get((ab_figure)fig)->compared) csv_ratio(f, ca, (ab_figure)fig);
        char v[48] = "";
        if (!c->is_baseline) ab_analysis_verdict_text(a, ca, AB_FIG_WALL, v, sizeof v);
        const ab_noise *nz = &st->noise;
        fprintf(f, ",%s,%.2f,%.2f,", v, nz->steal_median, nz->steal_max);
        if (nz->migrations_n) fprintf(f, "%.0f,%.0f", nz->migrations_median, nz->migrations_max);
        else fputc(',', f);
        fprintf(f, ",%.6f,", nz->cov);
        if (nz->drift_valid) fprintf(f, "%.6f,%.6g", nz->drift_rho, nz->drift_p);
        else fputc(',', f);
        fputc(',', f);
        const char *sep = "";
        for (unsigned bit = 1; bit <= AB_WARN_MIGRATIONS; bit <<= 1)
            if (ca->warnings & bit) {
                fprintf(f, "%s%s", sep, rn_report_warning_name(bit));
                sep = " ";
            }
        fprintf(f, ",%llu,%llu", c->profiles, c->samples);
        if (figures) rn_figures_csv_row(f, c, st);
        rn_report_profile_csv(f, c);
        fputc('\n', f);
    }
}

static void print_benchstat(FILE *f, const ab_results *r) {
    fprintf(f, "goos: linux\npkg: agentbench\nsuite: %s\nhost: %s\n", r->suite ? r->suite : "",
            r->host ? r->host : "");
    for (size_t i = 0; i < r->ncells; i++) {
        const ab_cell *c = r->cells[i];
        char name[256];
        rn_report_camel(name, sizeof name, c->benchmark);
        for (size_t k = 0; k < c->n; k++) {
            fprintf(f, "Benchmark%s/variant=%s 1 %.0f ns/op %.0f cpu-ns/op %.0f maxrss-B/op", name,
                    c->variant, c->wall[k] * 1e9, (c->user[k] + c->sys[k]) * 1e9,
                    (double)c->rss_kb[k] * 1024);
            rn_report_profile_benchstat(f, c, k);
            rn_figures_benchstat(f, c, k);
            fputc('\n', f);
        }
    }
}

void rn_report_print(FILE *f, const ab_results *r, const ab_analysis *a, report_format fmt) {
    switch (fmt) {
        case REPORT_TABLE: print_table(f, r, a); break;
        case REPORT_MARKDOWN: print_markdown(f, r, a); break;
        case REPORT_CSV: print_csv(f, r, a); break;
        case REPORT_BENCHSTAT: print_benchstat(f, r); break;
        case REPORT_JSON: rn_report_json_print(f, r, a); break;
    }
}

void rn_report_print_default(FILE *f, const ab_results *r, report_format fmt) {
    ab_analysis *a = ab_analysis_new(NULL);
    if (!a || ab_analysis_update(a, r) < 0) {
        fprintf(stderr, "agentbench: out of memory for the report\n");
        ab_analysis_free(a);
        return;
    }
    rn_report_print(f, r, a, fmt);
    ab_analysis_free(a);
}
