/* report.c: `agentbench report SUITE [--format F]` and the formats it prints. */
#include <ctype.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "events.h"
#include "report.h"
#include "report_figures.h"
#include "report_profile.h"
#include "suitedir.h"
#include "util.h"

static const char *const format_names[] = {"table", "markdown", "csv", "json", "benchstat", NULL};

int report_format_parse(const char *name) {
    for (int i = 0; format_names[i]; i++)
        if (!strcmp(name, format_names[i])) return i;
    return -1;
}

const char *report_verdict(const ab_ratio *o) {
    if (!o->valid) return "n/a";
    if (o->ci_low > 1) return "slower";
    if (o->ci_high < 1) return "faster";
    return "no change";
}

void report_camel(char *buf, size_t len, const char *name) {
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

/* ---- JSON -------------------------------------------------------------------------- */

static double fin(double x) { return isfinite(x) ? x : 0; }

static json_t *summary_json(const ab_summary *s) {
    return json_pack("{s:I,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:I}", "n", (json_int_t)s->n, "median",
                     fin(s->median), "mean", fin(s->mean), "stddev", fin(s->stddev), "min",
                     fin(s->min), "max", fin(s->max), "ci_low", fin(s->ci_low), "ci_high",
                     fin(s->ci_high), "outliers", (json_int_t)s->outliers);
}

static json_t *ratio_json(const ab_ratio *o) {
    if (!o->valid) return json_null();
    return json_pack("{s:f,s:f,s:f,s:f,s:f}", "ratio", fin(o->ratio), "ci_low", fin(o->ci_low),
                     "ci_high", fin(o->ci_high), "p", fin(o->p), "percent",
                     fin((o->ratio - 1) * 100));
}

json_t *report_cell_json(const ab_results *r, const ab_cell *c) {
    ab_cell_stats st;
    ab_results_cell_stats(r, c, &st);
    json_t *o = json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:o}", "benchmark",
                          c->benchmark, "variant", c->variant, "n", (json_int_t)c->n, "failed",
                          (json_int_t)c->failed, "no_profiles", (json_int_t)c->no_profiles,
                          "profiles", (json_int_t)c->profiles, "samples", (json_int_t)c->samples,
                          "wall", summary_json(&st.wall), "user", summary_json(&st.user), "sys",
                          summary_json(&st.sys), "cpu", summary_json(&st.cpu), "rss",
                          summary_json(&st.rss));
    if (c->warned) {
        json_object_set_new(o, "warned_runs", json_integer((json_int_t)c->warned));
        json_object_set_new(o, "warning", json_string(c->warning ? c->warning : ""));
    }
    if (!c->is_baseline) {
        json_object_set_new(o, "overhead",
                            json_pack("{s:o,s:o,s:o}", "wall", ratio_json(&st.over_wall), "cpu",
                                      ratio_json(&st.over_cpu), "rss", ratio_json(&st.over_rss)));
        if (!c->is_service)   /* a service's wall time is its whole life, no verdict */
            json_object_set_new(o, "verdict", json_string(report_verdict(&st.over_wall)));
    }
    figures_json(o, c, &st);
    report_profile_json(c, o);
    return o;
}

json_t *report_json(const ab_results *r) {
    json_t *cells = json_array(), *base = json_array();
    for (size_t i = 0; i < r->ncells; i++)
        json_array_append_new(cells, report_cell_json(r, r->cells[i]));
    for (size_t i = 0; i < r->nbaseline; i++) {
        ab_baseline_figure *f = r->baseline[i];
        json_array_append_new(base, json_pack("{s:s,s:s,s:f,s:s}", "kind", f->kind, "name",
                                              f->name, "value", fin(f->value), "unit",
                                              f->unit ? f->unit : ""));
    }
    json_t *ings = json_array();
    for (size_t i = 0; i < r->ningesters; i++) {
        ab_ingester *g = r->ingesters[i];
        json_array_append_new(ings, json_pack("{s:s,s:s,s:s,s:s,s:b}", "name", g->name, "mode",
                                              g->mode ? g->mode : "", "url", g->url ? g->url : "",
                                              "control", g->control ? g->control : "", "live",
                                              g->live));
    }
    json_t *o = json_pack("{s:i,s:s,s:s,s:s,s:I,s:I,s:I,s:f,s:o,s:o,s:o}", "v", 1, "suite",
                          r->suite ? r->suite : "", "host", r->host ? r->host : "", "state",
                          ab_state_name(r->state), "runs_done", (json_int_t)r->runs_done,
                          "runs_total", (json_int_t)r->runs_total, "runs_failed",
                          (json_int_t)r->runs_failed, "progress", fin(ab_results_progress(r)),
                          "cells", cells, "host_baseline", base, "ingesters", ings);
    ab_ev_suite_start ss;
    ab_ev_suite_start_read(r->suite_start, &ss);
    if (ss.has.seed) json_object_set_new(o, "seed", json_integer(ss.seed));
    json_t *blocked = figures_blocked_json(r);
    if (blocked) json_object_set_new(o, "exit_blocked", blocked);
    json_object_set_new(o, "skipped", report_skipped_json(r));
    json_object_set_new(o, "skipped_lines", json_integer((json_int_t)report_skipped_total(r)));
    return o;
}

json_t *report_skipped_json(const ab_results *r) {
    json_t *skipped = json_array();
    for (size_t i = 0; i < r->nskipped; i++)
        json_array_append_new(skipped, json_pack("{s:I,s:s}", "line",
                                                 (json_int_t)r->skipped[i].line, "reason",
                                                 r->skipped[i].reason));
    return skipped;
}

unsigned long report_skipped_total(const ab_results *r) {
    return r->bad_lines + (r->incomplete_bytes > 0);
}

void report_print_skipped(FILE *f, const ab_results *r, const char *prefix) {
    for (size_t i = 0; i < r->nskipped; i++)
        fprintf(f, "%sskipped journal line %lu: %s\n", prefix, r->skipped[i].line,
                r->skipped[i].reason);
    unsigned long total = report_skipped_total(r);
    if (total > r->nskipped)
        fprintf(f, "%s... and %lu more skipped lines\n", prefix, total - r->nskipped);
}

/* ---- text formats ------------------------------------------------------------------ */

static void fmt_ci(char *buf, size_t len, const ab_summary *s) {
    char m[32], lo[32], hi[32];
    fmt_seconds(m, sizeof m, s->median);
    fmt_seconds(lo, sizeof lo, s->ci_low);
    fmt_seconds(hi, sizeof hi, s->ci_high);
    snprintf(buf, len, "%s [%s, %s]", m, lo, hi);
}

static void fmt_over(char *buf, size_t len, const ab_ratio *o) {
    if (!o->valid) {
        snprintf(buf, len, "-");
        return;
    }
    char a[24], b[24], c[24];
    fmt_pct(a, sizeof a, o->ratio);
    fmt_pct(b, sizeof b, o->ci_low);
    fmt_pct(c, sizeof c, o->ci_high);
    snprintf(buf, len, "%s [%s, %s]", a, b, c);
}

static void fmt_p(char *buf, size_t len, const ab_ratio *o) {
    if (!o->valid) snprintf(buf, len, "-");
    else if (o->p < 0.001) snprintf(buf, len, "<0.001");
    else snprintf(buf, len, "%.3f", o->p);
}

void report_fmt_ratio(char *buf, size_t len, const ab_ratio *o) { fmt_over(buf, len, o); }
void report_fmt_p(char *buf, size_t len, const ab_ratio *o) { fmt_p(buf, len, o); }

typedef struct row {
    char n[48], wall[128], over[128], p[16], cpu[32], rss[32], prof[32], verdict[16];
    char exit[128];   /* the exit delay, for benchmarks that have it */
} row;

static void make_row(const ab_results *r, const ab_cell *c, row *w, ab_cell_stats *st) {
    ab_results_cell_stats(r, c, st);
    if (c->failed) snprintf(w->n, sizeof w->n, "%zu (%zu failed)", c->n, c->failed);
    else snprintf(w->n, sizeof w->n, "%zu", c->n);
    if (c->n) {
        fmt_ci(w->wall, sizeof w->wall, &st->wall);
        figures_fmt_ci(w->exit, sizeof w->exit, c, st, AB_V2_EXIT_DELAY);
        fmt_seconds(w->cpu, sizeof w->cpu, st->cpu.median);
        fmt_kib(w->rss, sizeof w->rss, st->rss.median);
    } else {
        strcpy(w->wall, "-");
        strcpy(w->cpu, "-");
        strcpy(w->rss, "-");
        strcpy(w->exit, "-");
    }
    if (c->is_baseline) {
        strcpy(w->over, "-");
        strcpy(w->p, "-");
        strcpy(w->prof, "-");
        strcpy(w->verdict, "");
    } else {
        fmt_over(w->over, sizeof w->over, &st->over_wall);
        fmt_p(w->p, sizeof w->p, &st->over_wall);
        snprintf(w->prof, sizeof w->prof, "%llu", c->profiles);
        snprintf(w->verdict, sizeof w->verdict, "%s", report_verdict(&st->over_wall));
    }
}

static void header(FILE *f, const ab_results *r) {
    fprintf(f, "suite %s on %s: %s, %lu of %lu runs done, %lu failed\n",
            r->suite ? r->suite : "?", r->host ? r->host : "?", ab_state_name(r->state),
            r->runs_done, r->runs_total, r->runs_failed);
    for (size_t i = 0; i < r->nbaseline; i++)
        fprintf(f, "host %s %s: %g %s\n", r->baseline[i]->kind, r->baseline[i]->name,
                r->baseline[i]->value, r->baseline[i]->unit ? r->baseline[i]->unit : "");
}

/* A batch benchmark's table; one whose runs had an exit delay gets a column for it. */
static void print_table(FILE *f, const ab_results *r) {
    header(f, r);
    const char *bench = NULL;
    strlist notes = {0};
    int exitcol = 0, service = 0;
    for (size_t i = 0; i < r->ncells; i++) {
        const ab_cell *c = r->cells[i];
        if (!bench || strcmp(bench, c->benchmark)) {
            if (bench) report_profile_table(f, r, bench);
            for (size_t k = 0; k < notes.n; k++) fprintf(f, "  %s\n", notes.v[k]);
            strlist_free(&notes);
            if (bench && exitcol && !service) figures_blocked_note(f, r, bench, "  ");
            bench = c->benchmark;
            if ((service = figures_service(r, bench))) figures_service_table(f, r, bench);
            exitcol = figures_present(r, bench, AB_V2_EXIT_DELAY);
            if (!service)
                fprintf(f, "\n%s\n  %-10s %-14s %-36s %-30s %-7s %-10s %-10s %s%-9s %s\n", bench,
                        "variant", "n", "wall median [95% CI]", "overhead [95% CI]", "p", "CPU",
                        "max RSS", exitcol ? "exit delay [95% CI]                  " : "",
                        "profiles", "verdict");
        }
        if (service) continue;
        row w;
        ab_cell_stats st;
        make_row(r, c, &w, &st);
        char line[640], exit[160] = "";
        if (exitcol) {
            figures_pad(exit, sizeof exit - 1, w.exit, 36);
            strcat(exit, " ");
        }
        int len = snprintf(line, sizeof line, "  %-10s %-14s %-36s %-30s %-7s %-10s %-10s %s%-9s %s",
                           c->variant, w.n, w.wall, w.over, w.p, w.cpu, w.rss, exit, w.prof,
                           w.verdict);
        if (len >= (int)sizeof line) len = (int)sizeof line - 1;
        while (len > 0 && line[len - 1] == ' ') line[--len] = 0;
        fprintf(f, "%s\n", line);
        if (st.wall.outliers)
            strlist_add_take(&notes, xasprintf("warning: %s: %zu statistical outlier%s in wall "
                                               "time (noise? see the runs in the journal)",
                                               c->variant, st.wall.outliers,
                                               st.wall.outliers == 1 ? "" : "s"));
        if (c->no_profiles)
            strlist_add_take(&notes, xasprintf("WARNING: %s: %zu profiled run%s delivered "
                                               "nothing to the ingester (not counted)",
                                               c->variant, c->no_profiles,
                                               c->no_profiles == 1 ? "" : "s"));
        if (c->warned)
            strlist_add_take(&notes, xasprintf("WARNING: %s: %zu run%s with warnings, the "
                                               "first: %s", c->variant, c->warned,
                                               c->warned == 1 ? "" : "s",
                                               c->warning ? c->warning : ""));
        report_profile_notes(c, &notes);
    }
    if (bench) report_profile_table(f, r, bench);
    for (size_t k = 0; k < notes.n; k++) fprintf(f, "  %s\n", notes.v[k]);
    strlist_free(&notes);
    if (bench && exitcol && !service) figures_blocked_note(f, r, bench, "  ");
    if (!r->ncells) fprintf(f, "\n(no runs)\n");
    if (report_skipped_total(r)) {
        fputc('\n', f);
        report_print_skipped(f, r, "WARNING: ");
    }
}

static void print_markdown(FILE *f, const ab_results *r) {
    fprintf(f, "### agentbench suite %s on %s (%s)\n\n", r->suite ? r->suite : "?",
            r->host ? r->host : "?", ab_state_name(r->state));
    size_t batch = 0;   /* a service's wall time is its whole life: its figures say more */
    for (size_t i = 0; i < r->ncells; i++) batch += !r->cells[i]->is_service;
    if (batch || !r->ncells) {
        fprintf(f, "| benchmark | variant | n | wall median [95%% CI] | overhead [95%% CI] | p | "
                   "CPU | max RSS | profiles | verdict |\n");
        fprintf(f, "|---|---|--:|--:|--:|--:|--:|--:|--:|---|\n");
    }
    for (size_t i = 0; i < r->ncells; i++) {
        if (r->cells[i]->is_service) continue;
        row w;
        ab_cell_stats st;
        make_row(r, r->cells[i], &w, &st);
        fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                r->cells[i]->benchmark, r->cells[i]->variant, w.n, w.wall, w.over, w.p, w.cpu,
                w.rss, w.prof, w.verdict);
    }
    figures_markdown(f, r);
    int notes = 0;
    for (size_t i = 0; i < r->ncells; i++)
        if (r->cells[i]->warned)
            fprintf(f, "%s- **warning** %s %s: %zu run%s with warnings, the first: %s\n",
                    notes++ ? "" : "\n", r->cells[i]->benchmark, r->cells[i]->variant,
                    r->cells[i]->warned, r->cells[i]->warned == 1 ? "" : "s",
                    r->cells[i]->warning ? r->cells[i]->warning : "");
    if (report_skipped_total(r)) {
        fprintf(f, "%s", notes ? "" : "\n");
        report_print_skipped(f, r, "- **warning** ");
    }
    report_profile_markdown(f, r);
}

static void csv_ratio(FILE *f, const ab_ratio *o) {
    if (o->valid) fprintf(f, ",%.6f,%.6f,%.6f,%.6g", o->ratio, o->ci_low, o->ci_high, o->p);
    else fprintf(f, ",,,,");
}

static void print_csv(FILE *f, const ab_results *r) {
    fprintf(f, "benchmark,variant,n,failed,no_profiles,wall_median_s,wall_ci_low_s,"
               "wall_ci_high_s,wall_mean_s,wall_stddev_s,wall_min_s,wall_max_s,wall_outliers,"
               "cpu_median_s,user_median_s,sys_median_s,maxrss_median_kb,"
               "overhead_wall_ratio,overhead_wall_ci_low,overhead_wall_ci_high,overhead_wall_p,"
               "overhead_cpu_ratio,overhead_cpu_ci_low,overhead_cpu_ci_high,overhead_cpu_p,"
               "overhead_rss_ratio,overhead_rss_ci_low,overhead_rss_ci_high,overhead_rss_p,"
               "profiles,samples");
    int figures = figures_present(r, NULL, AB_NV2FIGS);
    if (figures) figures_csv_header(f);
    fprintf(f, "%s\n", report_profile_csv_header());
    for (size_t i = 0; i < r->ncells; i++) {
        const ab_cell *c = r->cells[i];
        ab_cell_stats st;
        ab_results_cell_stats(r, c, &st);
        fprintf(f, "%s,%s,%zu,%zu,%zu,%.9f,%.9f,%.9f,%.9f,%.9f,%.9f,%.9f,%zu,%.6f,%.6f,%.6f,%.0f",
                c->benchmark, c->variant, c->n, c->failed, c->no_profiles, st.wall.median,
                st.wall.ci_low, st.wall.ci_high, st.wall.mean, st.wall.stddev, st.wall.min,
                st.wall.max, st.wall.outliers, st.cpu.median, st.user.median, st.sys.median,
                st.rss.median);
        csv_ratio(f, &st.over_wall);
        csv_ratio(f, &st.over_cpu);
        csv_ratio(f, &st.over_rss);
        fprintf(f, ",%llu,%llu", c->profiles, c->samples);
        if (figures) figures_csv_row(f, c, &st);
        report_profile_csv(f, c);
        fputc('\n', f);
    }
}

static void print_benchstat(FILE *f, const ab_results *r) {
    fprintf(f, "goos: linux\npkg: agentbench\nsuite: %s\nhost: %s\n", r->suite ? r->suite : "",
            r->host ? r->host : "");
    for (size_t i = 0; i < r->ncells; i++) {
        const ab_cell *c = r->cells[i];
        char name[256];
        report_camel(name, sizeof name, c->benchmark);
        for (size_t k = 0; k < c->n; k++) {
            fprintf(f, "Benchmark%s/variant=%s 1 %.0f ns/op %.0f cpu-ns/op %.0f maxrss-B/op",
                    name, c->variant, c->wall[k] * 1e9, c->cpu[k] * 1e9, c->rss_kb[k] * 1024);
            report_profile_benchstat(f, c, k);
            figures_benchstat(f, c, k);
            fputc('\n', f);
        }
    }
}

void report_print(FILE *f, const ab_results *r, report_format fmt) {
    switch (fmt) {
    case REPORT_TABLE: print_table(f, r); break;
    case REPORT_MARKDOWN: print_markdown(f, r); break;
    case REPORT_CSV: print_csv(f, r); break;
    case REPORT_BENCHSTAT: print_benchstat(f, r); break;
    case REPORT_JSON: {
        json_t *o = report_json(r);
        json_dumpf(o, f, JSON_INDENT(1) | JSON_REAL_PRECISION(12));
        fputc('\n', f);
        json_decref(o);
        break;
    }
    }
}

static void usage(FILE *f) {
    fputs("usage: agentbench report [--format table|markdown|csv|json|benchstat] [SUITE]\n"
          "Prints a suite's results. SUITE is a suite directory, its journal.jsonl, or a\n"
          "results directory (its latest suite); default ./results. Journal lines that are\n"
          "not events are listed (line, reason); a file with none is refused (exit 1).\n", f);
}

int cmd_report(int argc, char **argv) {
    static const struct option longopts[] = {
        {"format", required_argument, 0, 'f'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int fmt = REPORT_TABLE, c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        if (c == 'f') {
            fmt = report_format_parse(optarg);
            if (fmt < 0) {
                fprintf(stderr, "agentbench report: unknown format '%s' (table, markdown, csv, "
                                "json, benchstat)\n", optarg);
                return 2;
            }
            continue;
        }
        fprintf(stderr, "agentbench report: unknown option or missing value in '%s'\n",
                argv[optind - 1]);
        usage(stderr);
        return 2;
    }
    if (argc - optind > 1) {
        usage(stderr);
        return 2;
    }
    const char *arg = optind < argc ? argv[optind] : "results";
    char err[512];
    char *path = suite_journal_find(arg, err, sizeof err);
    if (!path) {
        fprintf(stderr, "agentbench report: %s\n", err);
        return 1;
    }
    ab_results *r = report_load(path, "agentbench report", err, sizeof err);
    free(path);
    if (!r) {
        fprintf(stderr, "agentbench report: %s\n", err);
        return 1;
    }
    report_print(stdout, r, (report_format)fmt);
    /* the formats machines read carry it too (json: skipped); stderr always says it */
    if (fmt != REPORT_TABLE) report_print_skipped(stderr, r, "agentbench report: ");
    ab_results_free(r);
    return 0;
}

ab_results *report_load(const char *journal_path, const char *who, char *err, size_t errlen) {
    ab_results *r = ab_results_load(journal_path, err, errlen);
    if (!r) return NULL;
    if (!r->suite_start) {
        unsigned long skipped = report_skipped_total(r);
        if (r->events == 0)
            snprintf(err, errlen, "%s: not a journal: no line of it is a journal event "
                     "(%lu line%s skipped)", journal_path, skipped, skipped == 1 ? "" : "s");
        else
            snprintf(err, errlen, "%s: not a suite journal: %lu events but no suite_start "
                     "(%lu line%s skipped)", journal_path, r->events, skipped,
                     skipped == 1 ? "" : "s");
        for (size_t i = 0; i < r->nskipped && i < 5; i++)
            fprintf(stderr, "%s: skipped journal line %lu: %s\n", who, r->skipped[i].line,
                    r->skipped[i].reason);
        ab_results_free(r);
        return NULL;
    }
    /* a suite still "running" that no runner holds ended without its suite_end (killed,
     * or stopped by a journal it could not write): what `--resume` continues */
    if ((r->state == AB_STATE_RUNNING || r->state == AB_STATE_BUILDING) &&
        suite_lock_state(journal_path) == 0)
        r->state = AB_STATE_INTERRUPTED;
    return r;
}
