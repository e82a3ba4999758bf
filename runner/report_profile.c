/* report_profile.c: profile accuracy and lost samples in `report`'s formats
 * (report_profile.h). The error is a median over the verified runs with its 95% CI, like
 * every other figure; unverified runs are counted and named, never averaged in. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "report_profile.h"

static double fin(double x) {
    return isfinite(x) ? x : 0;
}

int rn_report_profile_has(const ab_cell *c) {
    return c->profile.verified + c->profile.unverified > 0;
}

static int has_lost(const ab_cell *c) {
    return c->profile.lost_runs > 0;
}

void rn_report_profile_fmt_error(char *buf, size_t len, const ab_summary *s) {
    int n = snprintf(buf, len, "%.2f [%.2f, %.2f]", s->median, s->ci_low, s->ci_high);
    if (!s->ci_level.nominal && n > 0 && (size_t)n < len) /* too few runs for 95% */
        snprintf(buf + n, len - (size_t)n, " (%.0f%%)", 100 * s->ci_level.coverage);
}

void rn_report_profile_json(const ab_cell *c, json_t *o) {
    const ab_cell_profile *p = &c->profile;
    if (rn_report_profile_has(c)) {
        ab_profile_stats ps;
        ab_results_profile_stats(c, &ps);
        const ab_summary *s = &ps.error;
        json_object_set_new(
            o, "profile_error_pct",
            p->verified ? json_pack("{s:I,s:f,s:f,s:f,s:f,s:f,s:f,s:f}", "n", (json_int_t)s->n,
                                    "median", fin(s->median), "mean", fin(s->mean), "stddev",
                                    fin(s->stddev), "min", fin(s->min), "max", fin(s->max),
                                    "ci_low", fin(s->ci_low), "ci_high", fin(s->ci_high))
                        : json_null());
        json_object_set_new(o, "profile_bound_pct",
                            p->verified ? json_real(fin(ps.bound)) : json_null());
        json_object_set_new(o, "profile_verified", json_integer((json_int_t)p->verified));
        json_object_set_new(o, "profile_unverified", json_integer((json_int_t)p->unverified));
        if (p->unverified_why)
            json_object_set_new(o, "profile_unverified_reason", json_string(p->unverified_why));
        json_t *shares = json_object();
        for (size_t f = 0; f < p->nfn; f++)
            json_object_set_new(
                shares, p->fn[f],
                json_pack("{s:f,s:f}", "truth", fin(p->truth[f]), "median", fin(ps.share[f])));
        json_object_set_new(o, "profile_shares", shares);
    }
    if (has_lost(c)) {
        json_object_set_new(o, "agent_samples", json_integer((json_int_t)p->agent_samples));
        json_object_set_new(o, "samples_lost", json_integer((json_int_t)p->samples_lost));
    }
    if (p->decode_errors || has_lost(c))
        json_object_set_new(o, "decode_errors", json_integer((json_int_t)p->decode_errors));
}

/* The functions of the benchmark's cells, in first appearance: the first cell with a
 * profile names them (a ground truth is the benchmark's, the same in every variant). */
static const ab_cell *first_with_profile(const ab_results *r, const char *bench) {
    for (size_t i = 0; i < r->ncells; i++)
        if (!strcmp(r->cells[i]->benchmark, bench) && r->cells[i]->profile.nfn) return r->cells[i];
    return NULL;
}

/* A table line, built up piece by piece and printed without its trailing spaces. */
typedef struct line {
    char buf[2048];
    size_t len;
} line;
static void add(line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(line *l, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(l->buf + l->len, sizeof l->buf - l->len, fmt, ap);
    va_end(ap);
    if (n > 0) l->len = l->len + (size_t)n < sizeof l->buf ? l->len + (size_t)n : sizeof l->buf - 1;
}
static void put(FILE *f, line *l) {
    while (l->len && l->buf[l->len - 1] == ' ') l->len--;
    fprintf(f, "%.*s\n", (int)l->len, l->buf);
    l->len = 0;
}

/* A function's column: its header "NAME TRUTH%" and its width. */
static int column(const ab_cell *names, size_t k, char *head, size_t len) {
    int w = snprintf(head, len, "%s %g%%", names->profile.fn[k], names->profile.truth[k]);
    return w < 10 ? 10 : w;
}

static void shares_row(line *l, const ab_cell *names, const ab_cell *c,
                       const ab_profile_stats *ps) {
    for (size_t k = 0; k < names->profile.nfn; k++) {
        char head[256], cell[32] = "-";
        int w = column(names, k, head, sizeof head);
        for (size_t j = 0; j < c->profile.nfn && c->profile.verified; j++)
            if (!strcmp(c->profile.fn[j], names->profile.fn[k]))
                snprintf(cell, sizeof cell, "%.1f", ps->share[j]);
        add(l, "  %-*s", w, cell);
    }
}

void rn_report_profile_table(FILE *f, const ab_results *r, const char *bench) {
    int any = 0;
    for (size_t i = 0; i < r->ncells; i++)
        if (!strcmp(r->cells[i]->benchmark, bench) && rn_report_profile_has(r->cells[i])) any = 1;
    if (!any) return;
    const ab_cell *names = first_with_profile(r, bench);
    line l = {.len = 0};
    add(&l, "  profile against the ground truth (error: total variation distance, points; "
            "bound: what sampling alone explains)");
    put(f, &l);
    add(&l, "  %-10s %-18s %-32s %-7s", "variant", "runs", "error median [95% CI]", "bound");
    for (size_t k = 0; names && k < names->profile.nfn; k++) {
        char head[256];
        int w = column(names, k, head, sizeof head);
        add(&l, "  %-*s", w, head);
    }
    put(f, &l);
    for (size_t i = 0; i < r->ncells; i++) {
        const ab_cell *c = r->cells[i];
        if (strcmp(c->benchmark, bench) || !rn_report_profile_has(c)) continue;
        ab_profile_stats ps;
        ab_results_profile_stats(c, &ps);
        char runs[48], err[64] = "-", bound[16] = "-";
        if (c->profile.unverified)
            snprintf(runs, sizeof runs, "%zu (%zu unverified)", c->profile.verified,
                     c->profile.unverified);
        else snprintf(runs, sizeof runs, "%zu", c->profile.verified);
        if (c->profile.verified) {
            rn_report_profile_fmt_error(err, sizeof err, &ps.error);
            snprintf(bound, sizeof bound, "%.2f", ps.bound);
        }
        add(&l, "  %-10s %-18s %-32s %-7s", c->variant, runs, err, bound);
        if (names) shares_row(&l, names, c, &ps);
        put(f, &l);
    }
}

void rn_report_profile_notes(const ab_cell *c, strlist *notes) {
    const ab_cell_profile *p = &c->profile;
    if (p->samples_lost)
        rn_strlist_add_take(
            notes, rn_xasprintf("WARNING: %s: %llu of the %llu samples the agent took "
                                "never reached the ingester (%.1f%%)",
                                c->variant, p->samples_lost, p->agent_samples,
                                p->agent_samples
                                    ? 100.0 * (double)p->samples_lost / (double)p->agent_samples
                                    : 0));
    if (p->unverified)
        rn_strlist_add_take(notes,
                            rn_xasprintf("WARNING: %s: %zu run%s with an unverified profile, "
                                         "not counted as accurate (%s)",
                                         c->variant, p->unverified, p->unverified == 1 ? "" : "s",
                                         p->unverified_why ? p->unverified_why : "?"));
    else if (p->decode_errors)
        rn_strlist_add_take(notes, rn_xasprintf("WARNING: %s: the ingester could not decode %llu "
                                                "upload%s",
                                                c->variant, p->decode_errors,
                                                p->decode_errors == 1 ? "" : "s"));
}

void rn_report_profile_markdown(FILE *f, const ab_results *r) {
    int any = 0;
    for (size_t i = 0; i < r->ncells; i++) {
        const ab_cell *c = r->cells[i];
        if (!rn_report_profile_has(c) && !has_lost(c)) continue;
        if (!any++)
            fprintf(f, "\n| benchmark | variant | verified runs | unverified | profile error "
                       "median [95%% CI], points | bound | samples lost |\n"
                       "|---|---|--:|--:|--:|--:|--:|\n");
        ab_profile_stats ps;
        ab_results_profile_stats(c, &ps);
        char err[64] = "-", bound[16] = "-", lost[64] = "-";
        if (c->profile.verified) {
            rn_report_profile_fmt_error(err, sizeof err, &ps.error);
            snprintf(bound, sizeof bound, "%.2f", ps.bound);
        }
        if (has_lost(c))
            snprintf(lost, sizeof lost, "%llu of %llu", c->profile.samples_lost,
                     c->profile.agent_samples);
        fprintf(f, "| %s | %s | %zu | %zu | %s | %s | %s |\n", c->benchmark, c->variant,
                c->profile.verified, c->profile.unverified, err, bound, lost);
    }
}

const char *rn_report_profile_csv_header(void) {
    return ",profile_verified,profile_unverified,profile_error_median_pct,"
           "profile_error_ci_low_pct,profile_error_ci_high_pct,profile_bound_pct,"
           "agent_samples,samples_lost,decode_errors";
}

void rn_report_profile_csv(FILE *f, const ab_cell *c) {
    const ab_cell_profile *p = &c->profile;
    if (!rn_report_profile_has(c)) fprintf(f, ",,,,,,");
    else if (!p->verified) fprintf(f, ",0,%zu,,,,", p->unverified);
    else {
        ab_profile_stats ps;
        ab_results_profile_stats(c, &ps);
        fprintf(f, ",%zu,%zu,%.6f,%.6f,%.6f,%.6f", p->verified, p->unverified, ps.error.median,
                ps.error.ci_low, ps.error.ci_high, ps.bound);
    }
    if (has_lost(c))
        fprintf(f, ",%llu,%llu,%llu", p->agent_samples, p->samples_lost, p->decode_errors);
    else fprintf(f, ",,,");
}

void rn_report_profile_benchstat(FILE *f, const ab_cell *c, size_t k) {
    if (k < c->profile.n && c->profile.error && !isnan(c->profile.error[k]))
        fprintf(f, " %.4f profile-error-pct", c->profile.error[k]);
}
