/* report_figures.c: the v2 figures in every format of `report` (report_figures.h). A
 * figure is a lib/results.h series; its statistics and overheads come from
 * ab_results_cell_stats(), exactly as the wall time's do. Exit delays of runs killed at
 * the timeout are lower bounds: a median at or above one is printed as "≥". */
#include "report_figures.h"

#include <math.h>
#include <string.h>

#include "report.h"
#include "util.h"

static const char *const labels[AB_NV2FIGS] = {
    [AB_V2_THROUGHPUT] = "throughput",      [AB_V2_LATENCY_P50] = "p50 latency",
    [AB_V2_LATENCY_P90] = "p90 latency",    [AB_V2_LATENCY_P99] = "p99 latency",
    [AB_V2_LATENCY_P999] = "p99.9 latency", [AB_V2_CPU_PER_REQUEST] = "CPU/request",
    [AB_V2_EXIT_DELAY] = "exit delay",
};

static double fin(double x) {
    return isfinite(x) ? x : 0;
}

static int cell_has(const ab_cell *c, ab_v2fig f) {
    if (f < AB_NV2FIGS) return c->v2[f].n > 0;
    for (int k = 0; k < AB_NV2FIGS; k++)
        if (c->v2[k].n) return 1;
    return 0;
}

int rn_figures_present(const ab_results *r, const char *bench, ab_v2fig f) {
    for (size_t i = 0; i < r->ncells; i++)
        if ((!bench || !strcmp(r->cells[i]->benchmark, bench)) && cell_has(r->cells[i], f))
            return 1;
    return 0;
}

int rn_figures_service(const ab_results *r, const char *bench) {
    for (size_t i = 0; i < r->ncells; i++)
        if (!strcmp(r->cells[i]->benchmark, bench) && r->cells[i]->is_service) return 1;
    return 0;
}

void rn_figures_fmt(char *buf, size_t len, ab_v2fig f, double v, int lower_bound) {
    const char *ge = lower_bound ? "≥ " : "";
    if (f == AB_V2_THROUGHPUT) {
        snprintf(buf, len, v >= 100 ? "%s%.0f req/s" : "%s%.3g req/s", ge, v);
        return;
    }
    char s[32];
    rn_fmt_seconds(s, sizeof s, v);
    snprintf(buf, len, "%s%s", ge, s);
}

void rn_figures_fmt_ci(char *buf, size_t len, const ab_cell *c, const ab_cell_stats *st,
                       ab_v2fig f) {
    const ab_summary *s = &st->v2[f];
    if (!s->n) {
        snprintf(buf, len, "-");
        return;
    }
    char m[40], lo[40], hi[40];
    rn_figures_fmt(m, sizeof m, f, s->median, ab_v2fig_censored(c, s, f));
    rn_figures_fmt(lo, sizeof lo, f, s->ci_low, 0);
    rn_figures_fmt(hi, sizeof hi, f, s->ci_high, 0);
    snprintf(buf, len, "%s [%s, %s]", m, lo, hi);
}

/* ---- JSON ---------------------------------------------------------------------------- */

static json_t *ci_pair(double lo, double hi) {
    return json_pack("[f,f]", fin(lo), fin(hi));
}

void rn_figures_json(json_t *cell, const ab_cell *c, const ab_cell_stats *st) {
    if (c->is_service) json_object_set_new(cell, "kind", json_string("service"));
    if (c->rate_rps > 0) json_object_set_new(cell, "rate_rps", json_real(c->rate_rps));
    for (int f = 0; f < AB_NV2FIGS; f++) {
        const ab_summary *s = &st->v2[f];
        if (!s->n) continue;
        json_t *o = json_pack("{s:I,s:f,s:o,s:f,s:f,s:f,s:f,s:f,s:f,s:I}", "n", (json_int_t)s->n,
                              "median", fin(s->median), "ci", ci_pair(s->ci_low, s->ci_high),
                              "ci_low", fin(s->ci_low), "ci_high", fin(s->ci_high), "mean",
                              fin(s->mean), "stddev", fin(s->stddev), "min", fin(s->min), "max",
                              fin(s->max), "outliers", (json_int_t)s->outliers);
        if (f == AB_V2_EXIT_DELAY) {
            json_object_set_new(o, "blocked", json_integer((json_int_t)c->exit_blocked));
            json_object_set_new(o, "lower_bound",
                                json_boolean(ab_v2fig_censored(c, s, (ab_v2fig)f)));
        }
        const ab_ratio *ov = &st->over_v2[f];
        if (!c->is_baseline) {
            json_t *ovj = json_null();
            if (ov->valid)
                ovj = json_pack("{s:f,s:o,s:f,s:f,s:f,s:f}", "ratio", fin(ov->ratio), "ci",
                                ci_pair(ov->ci_low, ov->ci_high), "ci_low", fin(ov->ci_low),
                                "ci_high", fin(ov->ci_high), "p", fin(ov->p), "percent",
                                fin((ov->ratio - 1) * 100));
            json_object_set_new(o, "overhead", ovj);
        }
        json_object_set_new(cell, ab_v2fig_name((ab_v2fig)f), o);
    }
}

json_t *rn_figures_blocked_json(const ab_results *r) {
    json_t *a = NULL;
    for (size_t i = 0; i < r->ncells; i++) {
        const ab_cell *c = r->cells[i];
        if (!c->exit_blocked) continue;
        if (!a) a = json_array();
        json_array_append_new(a,
                              json_pack("{s:s,s:s,s:I,s:I}", "benchmark", c->benchmark, "variant",
                                        c->variant, "runs", (json_int_t)c->exit_blocked, "of",
                                        (json_int_t)c->v2[AB_V2_EXIT_DELAY].n));
    }
    return a;
}

/* ---- table ----------------------------------------------------------------------------- */

/* Overhead and p of figure f (or "-"); rss when f == AB_NV2FIGS. */
static void over_cols(char *ov, size_t olen, char *p, size_t plen, const ab_cell *c,
                      const ab_ratio *o) {
    if (c->is_baseline) {
        snprintf(ov, olen, "-");
        snprintf(p, plen, "-");
        return;
    }
    rn_report_fmt_overhead_ci(ov, olen, o);
    rn_report_fmt_p(p, plen, o);
}

void rn_figures_pad(char *out, size_t len, const char *s, int width) {
    int chars = 0;
    for (const char *p = s; *p; p++) chars += ((unsigned char)*p & 0xC0) != 0x80;
    snprintf(out, len, "%s%*s", s, width > chars ? width - chars : 0, "");
}

/* s and blanks up to width characters, then one */
static void column(FILE *f, const char *s, int width) {
    char buf[256];
    rn_figures_pad(buf, sizeof buf, s, width);
    fprintf(f, "%s ", buf);
}

static void line(FILE *f, const char *variant, const char *n, const char *what, const char *value,
                 const char *ov, const char *p) {
    fputs("  ", f);
    column(f, variant, 10);
    column(f, n, 14);
    if (!*value) {
        fprintf(f, "%s\n", what);
        return;
    }
    column(f, what, 14);
    if (!*ov) {
        fprintf(f, "%s\n", value);
        return;
    }
    column(f, value, 40);
    column(f, ov, 30);
    fprintf(f, "%s\n", p);
}

void rn_figures_service_table(FILE *f, const ab_results *r, const char *bench) {
    double rate = 0;
    for (size_t i = 0; i < r->ncells; i++)
        if (!strcmp(r->cells[i]->benchmark, bench) && r->cells[i]->rate_rps > 0)
            rate = r->cells[i]->rate_rps;
    if (rate > 0) fprintf(f, "\n%s (service; latency at a fixed %.0f requests/s)\n", bench, rate);
    else fprintf(f, "\n%s (service)\n", bench);
    line(f, "variant", "n", "figure", "median [95% CI]", "overhead [95% CI]", "p");
    for (size_t i = 0; i < r->ncells; i++) {
        const ab_cell *c = r->cells[i];
        if (strcmp(c->benchmark, bench)) continue;
        ab_cell_stats st;
        ab_results_cell_stats(r, c, &st);
        char n[48], value[160], ov[128], p[16];
        if (c->failed) snprintf(n, sizeof n, "%zu (%zu failed)", c->n, c->failed);
        else snprintf(n, sizeof n, "%zu", c->n);
        int first = 1;
        for (int k = 0; k < AB_NV2FIGS; k++) {
            if (k == AB_V2_LATENCY_P90) continue; /* in the JSON; the table keeps 4 */
            if (k == AB_V2_EXIT_DELAY && c->n) {  /* max RSS goes before it */
                char m[32], lo[32], hi[32];
                rn_fmt_kib(m, sizeof m, st.rss.median);
                rn_fmt_kib(lo, sizeof lo, st.rss.ci_low);
                rn_fmt_kib(hi, sizeof hi, st.rss.ci_high);
                snprintf(value, sizeof value, "%s [%s, %s]", m, lo, hi);
                over_cols(ov, sizeof ov, p, sizeof p, c, &st.over_rss);
                line(f, first ? c->variant : "", first ? n : "", "max RSS", value, ov, p);
                first = 0;
            }
            if (!st.v2[k].n) continue;
            rn_figures_fmt_ci(value, sizeof value, c, &st, (ab_v2fig)k);
            over_cols(ov, sizeof ov, p, sizeof p, c, &st.over_v2[k]);
            line(f, first ? c->variant : "", first ? n : "", labels[k], value, ov, p);
            first = 0;
        }
        if (first) line(f, c->variant, n, "-", "", "", "");
        else if (!c->is_baseline) {
            snprintf(value, sizeof value, "%llu", c->profiles);
            line(f, "", "", "profiles", value, "", "");
        }
    }
    rn_figures_blocked_note(f, r, bench, "  ");
}

void rn_figures_blocked_note(FILE *f, const ab_results *r, const char *bench, const char *indent) {
    strlist parts = {0};
    for (size_t i = 0; i < r->ncells; i++) {
        const ab_cell *c = r->cells[i];
        if (strcmp(c->benchmark, bench) || !c->exit_blocked) continue;
        rn_strlist_add_take(&parts, rn_xasprintf("%s (%zu of %zu runs)", c->variant,
                                                 c->exit_blocked, c->v2[AB_V2_EXIT_DELAY].n));
    }
    if (!parts.n) return;
    fprintf(f, "%sexit blocked (killed at the timeout; exit delay a lower bound):", indent);
    for (size_t k = 0; k < parts.n; k++) fprintf(f, "%s %s", k ? "," : "", parts.v[k]);
    fputc('\n', f);
    rn_strlist_free(&parts);
}

/* ---- markdown, CSV, benchstat --------------------------------------------------------- */

static const ab_v2fig md_figs[] = {AB_V2_THROUGHPUT, AB_V2_LATENCY_P99, AB_V2_CPU_PER_REQUEST,
                                   AB_V2_EXIT_DELAY};

void rn_figures_markdown(FILE *f, const ab_results *r) {
    if (!rn_figures_present(r, NULL, AB_NV2FIGS)) return;
    fprintf(f, "\n| benchmark | variant | n | max RSS |");
    for (size_t k = 0; k < sizeof md_figs / sizeof *md_figs; k++)
        fprintf(f, " %s [95%% CI] | overhead [95%% CI] |", labels[md_figs[k]]);
    fprintf(f, "\n|---|---|--:|--:|");
    for (size_t k = 0; k < sizeof md_figs / sizeof *md_figs; k++) fprintf(f, "--:|--:|");
    fputc('\n', f);
    for (size_t i = 0; i < r->ncells; i++) {
        const ab_cell *c = r->cells[i];
        if (!cell_has(c, AB_NV2FIGS)) continue;
        ab_cell_stats st;
        ab_results_cell_stats(r, c, &st);
        char rss[32] = "-";
        if (c->n) rn_fmt_kib(rss, sizeof rss, st.rss.median);
        fprintf(f, "| %s | %s | %zu | %s |", c->benchmark, c->variant, c->n, rss);
        for (size_t k = 0; k < sizeof md_figs / sizeof *md_figs; k++) {
            char v[160], ov[128] = "-";
            rn_figures_fmt_ci(v, sizeof v, c, &st, md_figs[k]);
            if (!c->is_baseline) rn_report_fmt_overhead_ci(ov, sizeof ov, &st.over_v2[md_figs[k]]);
            fprintf(f, " %s | %s |", v, ov);
        }
        fputc('\n', f);
    }
    for (size_t i = 0; i < r->ncells; i++)
        if (r->cells[i]->exit_blocked &&
            (i == 0 || strcmp(r->cells[i - 1]->benchmark, r->cells[i]->benchmark))) {
            fputc('\n', f);
            rn_figures_blocked_note(f, r, r->cells[i]->benchmark, "");
        }
}

void rn_figures_csv_header(FILE *f) {
    for (int k = 0; k < AB_NV2FIGS; k++) {
        const char *n = ab_v2fig_name((ab_v2fig)k);
        fprintf(f,
                ",%s_n,%s_median,%s_ci_low,%s_ci_high,overhead_%s_ratio,"
                "overhead_%s_ci_low,overhead_%s_ci_high,overhead_%s_p",
                n, n, n, n, n, n, n, n);
    }
    fprintf(f, ",exit_blocked");
}

void rn_figures_csv_row(FILE *f, const ab_cell *c, const ab_cell_stats *st) {
    for (int k = 0; k < AB_NV2FIGS; k++) {
        const ab_summary *s = &st->v2[k];
        if (s->n) fprintf(f, ",%zu,%.9g,%.9g,%.9g", s->n, s->median, s->ci_low, s->ci_high);
        else fprintf(f, ",0,,,");
        const ab_ratio *o = &st->over_v2[k];
        if (o->valid) fprintf(f, ",%.6f,%.6f,%.6f,%.6g", o->ratio, o->ci_low, o->ci_high, o->p);
        else fprintf(f, ",,,,");
    }
    fprintf(f, ",%zu", c->exit_blocked);
}

void rn_figures_benchstat(FILE *f, const ab_cell *c, size_t k) {
    static const struct {
        ab_v2fig fig;
        const char *unit;
        double scale;
    } units[] = {
        {AB_V2_THROUGHPUT, "req/s", 1},
        {AB_V2_LATENCY_P99, "p99-ns", 1e9},
        {AB_V2_CPU_PER_REQUEST, "cpu-ns/req", 1e9},
        {AB_V2_EXIT_DELAY, "exit-ns", 1e9},
    };
    for (size_t u = 0; u < sizeof units / sizeof *units; u++) {
        const ab_series *s = &c->v2[units[u].fig];
        if (s->n == c->n && k < s->n)
            fprintf(f, " %.0f %s", s->v[k] * units[u].scale, units[u].unit);
    }
}
