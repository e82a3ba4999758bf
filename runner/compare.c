/* compare.c: `agentbench compare OLD NEW`: per benchmark x variant, how the overhead (or,
 * for the baseline, the median wall time) changed, with a verdict from the two 95% CIs
 * (compare.h): better, worse, no change (an equivalence claim), inconclusive, or "too few
 * runs (need N)" when a CI is not 95%. Two CIs that do not overlap are a conservative
 * test (about 0.6% false alarms per row), so no family-wise correction is applied; the
 * man page says so. Benchmarks with a ground truth also get their profile error
 * compared, judged the same way. Cells with schema v2 figures (a service's throughput, p99
 * latency, CPU per request; any run's exit delay) get a row per figure too, throughput
 * judged the other way round (more is better); a service's wall time (its whole life) is
 * not compared. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "compare.h"
#include "report.h"
#include "report_figures.h"
#include "report_profile.h"
#include "suitedir.h"
#include "util.h"

const char *rn_compare_verdict(double old_lo, double old_hi, double new_lo, double new_hi,
                               double e) {
    if (new_lo > old_hi) return "worse";
    if (new_hi < old_lo) return "better";
    if (old_lo > 0 && old_hi > 0 && new_lo / old_hi >= 1 - e && new_hi / old_lo <= 1 + e)
        return "no change";
    return "inconclusive";
}

/* The verdict of a row: "too few runs (need N)" when a CI is below 95%. */
static const char *row_verdict(char *buf, size_t len, const ab_ci_level *o, const ab_ci_level *n,
                               double old_lo, double old_hi, double new_lo, double new_hi,
                               double e) {
    if (!o->nominal || !n->nominal) {
        snprintf(buf, len, "too few runs (need %zu)", o->need > n->need ? o->need : n->need);
        return buf;
    }
    return rn_compare_verdict(old_lo, old_hi, new_lo, new_hi, e);
}

static ab_results *load(const char *arg) {
    char err[512];
    char *path = rn_suite_journal_find(arg, err, sizeof err);
    if (!path) {
        fprintf(stderr, "agentbench compare: %s\n", err);
        return NULL;
    }
    ab_results *r = rn_report_load(path, "agentbench compare", err, sizeof err);
    free(path);
    if (!r) fprintf(stderr, "agentbench compare: %s\n", err);
    else rn_report_print_skipped(stderr, r, "agentbench compare: ");
    return r;
}

static void usage(FILE *f) {
    fputs("usage: agentbench compare [--format table|json] [--equivalence PCT] OLD NEW\n"
          "Compares two suites (suite directories, journals, or results directories):\n"
          "per benchmark x variant the overhead versus baseline (for the baseline itself, the\n"
          "median wall time) with its CI in both, the change, and a verdict: better or worse\n"
          "when the 95% CIs do not overlap; no change when every change they allow is within\n"
          "+-PCT% (default 2); else inconclusive; too few runs (need N) below 95%.\n"
          "Benchmarks with a ground truth also get their profile error (median over verified\n"
          "runs, points) compared.\n",
          f);
}

static double pct(double ratio) {
    return (ratio - 1) * 100;
}

/* One benchmark x variant in both suites: the two figures with their CIs, the change,
 * the verdict (text), and the same as a JSON row. */
typedef struct row {
    char old[160], new[160], change[32], vbuf[48];
    const char *verdict;
    json_t *json;
} row;

/* The baseline itself: its median wall time. */
static void baseline_row(const ab_cell *c, const ab_summary *o, const ab_summary *n, double e,
                         row *r) {
    rn_report_fmt_summary_ci(r->old, sizeof r->old, o);
    rn_report_fmt_summary_ci(r->new, sizeof r->new, n);
    double change = o->median > 0 ? pct(n->median / o->median) : 0;
    snprintf(r->change, sizeof r->change, "%+.2f%%", change);
    r->verdict = row_verdict(r->vbuf, sizeof r->vbuf, &o->ci_level, &n->ci_level, o->ci_low,
                             o->ci_high, n->ci_low, n->ci_high, e);
    r->json = json_pack("{s:s,s:s,s:s,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:s}", "benchmark", c->benchmark,
                        "variant", c->variant, "measure", "wall_median_s", "old", o->median,
                        "old_ci_low", o->ci_low, "old_ci_high", o->ci_high, "new", n->median,
                        "new_ci_low", n->ci_low, "new_ci_high", n->ci_high, "change_pct", change,
                        "verdict", r->verdict);
}

/* A profiled variant: its wall time overhead versus the baseline. */
static void overhead_row(const ab_cell *c, const ab_ratio *a, const ab_ratio *b, double e, row *r) {
    rn_report_fmt_overhead_ci(r->old, sizeof r->old, a);
    rn_report_fmt_overhead_ci(r->new, sizeof r->new, b);
    double change = pct(b->ratio) - pct(a->ratio);
    snprintf(r->change, sizeof r->change, "%+.2f pp", change);
    r->verdict = row_verdict(r->vbuf, sizeof r->vbuf, &a->ci_level, &b->ci_level, a->ci_low,
                             a->ci_high, b->ci_low, b->ci_high, e);
    r->json = json_pack("{s:s,s:s,s:s,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:s}", "benchmark", c->benchmark,
                        "variant", c->variant, "measure", "overhead_wall_ratio", "old", a->ratio,
                        "old_ci_low", a->ci_low, "old_ci_high", a->ci_high, "new", b->ratio,
                        "new_ci_low", b->ci_low, "new_ci_high", b->ci_high, "change_pp", change,
                        "verdict", r->verdict);
}

/* The v2 figures compared, and whether more of one is better. */
static const ab_v2fig compared[] = {AB_V2_THROUGHPUT, AB_V2_LATENCY_P99, AB_V2_CPU_PER_REQUEST,
                                    AB_V2_EXIT_DELAY};

static const char *verdict_for(row *r, ab_v2fig f, const ab_ci_level *ol, const ab_ci_level *nl,
                               double olo, double ohi, double nlo, double nhi, double e) {
    if (f != AB_V2_THROUGHPUT || !(olo > 0) || !(nlo > 0))
        return row_verdict(r->vbuf, sizeof r->vbuf, ol, nl, olo, ohi, nlo, nhi, e);
    /* more requests/s is better: judged as their reciprocals, time per request */
    return row_verdict(r->vbuf, sizeof r->vbuf, ol, nl, 1 / ohi, 1 / olo, 1 / nhi, 1 / nlo, e);
}

/* The row of figure f for cells oc (old) and nc (new): the baseline's median, a profiled
 * variant's overhead. 1, or 0 when either suite lacks it. */
static int figure_row(const ab_cell *oc, const ab_cell *nc, const ab_cell_stats *os,
                      const ab_cell_stats *ns, ab_v2fig f, double e, row *r) {
    const char *name = ab_v2fig_name(f);
    char measure[64];
    if (nc->is_baseline) {
        const ab_summary *o = &os->v2[f], *n = &ns->v2[f];
        if (!o->n || !n->n) return 0;
        rn_figures_fmt_ci(r->old, sizeof r->old, oc, os, f);
        rn_figures_fmt_ci(r->new, sizeof r->new, nc, ns, f);
        double change = o->median > 0 ? pct(n->median / o->median) : 0;
        snprintf(r->change, sizeof r->change, "%+.2f%%", change);
        r->verdict = verdict_for(r, f, &o->ci_level, &n->ci_level, o->ci_low, o->ci_high, n->ci_low,
                                 n->ci_high, e);
        snprintf(measure, sizeof measure, "%s_median", name);
        r->json = json_pack("{s:s,s:s,s:s,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:s}", "benchmark",
                            nc->benchmark, "variant", nc->variant, "measure", measure, "old",
                            o->median, "old_ci_low", o->ci_low, "old_ci_high", o->ci_high, "new",
                            n->median, "new_ci_low", n->ci_low, "new_ci_high", n->ci_high,
                            "change_pct", change, "verdict", r->verdict);
        return 1;
    }
    const ab_ratio *a = &os->over_v2[f], *b = &ns->over_v2[f];
    if (!a->valid || !b->valid) return 0;
    rn_report_fmt_overhead_ci(r->old, sizeof r->old, a);
    rn_report_fmt_overhead_ci(r->new, sizeof r->new, b);
    double change = pct(b->ratio) - pct(a->ratio);
    snprintf(r->change, sizeof r->change, "%+.2f pp", change);
    r->verdict = verdict_for(r, f, &a->ci_level, &b->ci_level, a->ci_low, a->ci_high, b->ci_low,
                             b->ci_high, e);
    snprintf(measure, sizeof measure, "overhead_%s_ratio", name);
    r->json = json_pack("{s:s,s:s,s:s,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:s}", "benchmark", nc->benchmark,
                        "variant", nc->variant, "measure", measure, "old", a->ratio, "old_ci_low",
                        a->ci_low, "old_ci_high", a->ci_high, "new", b->ratio, "new_ci_low",
                        b->ci_low, "new_ci_high", b->ci_high, "change_pp", change, "verdict",
                        r->verdict);
    return 1;
}

/* The row of new's cell nc, if old has it too and both have figures, with each suite's
 * statistics as its own report gives them (its analysis: oa, na). 1, or 0 if none. */
static int row_of(const ab_results *old, const ab_analysis *oa, const ab_analysis *na,
                  const ab_cell *nc, double e, row *r) {
    const ab_cell *oc = ab_results_find(old, nc->benchmark, nc->variant);
    const ab_cell_analysis *ocs = ab_analysis_cell(oa, oc), *ncs = ab_analysis_cell(na, nc);
    if (!oc || !ocs || !ncs) return 0;
    const ab_cell_stats *os = &ocs->st, *ns = &ncs->st;
    if (nc->is_baseline) {
        if (!nc->n || !oc->n) return 0;
        baseline_row(nc, &os->wall, &ns->wall, e, r);
    } else {
        if (!os->over_wall.valid || !ns->over_wall.valid) return 0;
        overhead_row(nc, &os->over_wall, &ns->over_wall, e, r);
    }
    return 1;
}

static void put_row(row *r, const ab_cell *nc, const char *what, json_t *rows, int json) {
    if (json) {
        json_array_append_new(rows, r->json);
        return;
    }
    json_decref(r->json);
    char variant[64];
    snprintf(variant, sizeof variant, "%s%s%s", nc->variant, what ? " " : "", what ? what : "");
    printf("%-22s %-10s %-38s %-38s %-10s %s\n", nc->benchmark, variant, r->old, r->new, r->change,
           r->verdict);
}

/* The profile error of new's cell nc against old's, when both have verified runs. */
static int profile_row_of(const ab_results *old, const ab_cell *nc, double e, row *r) {
    const ab_cell *oc = ab_results_find(old, nc->benchmark, nc->variant);
    if (!oc || !oc->profile.verified || !nc->profile.verified) return 0;
    ab_profile_stats os, ns;
    ab_results_profile_stats(oc, &os);
    ab_results_profile_stats(nc, &ns);
    rn_report_profile_fmt_error(r->old, sizeof r->old, &os.error);
    rn_report_profile_fmt_error(r->new, sizeof r->new, &ns.error);
    double change = ns.error.median - os.error.median;
    snprintf(r->change, sizeof r->change, "%+.2f pts", change);
    r->verdict = !os.error.ci_level.nominal || !ns.error.ci_level.nominal
                     ? ab_verdict_name(AB_VERDICT_TOO_FEW) /* a CI below 95% judges nothing */
                     : rn_compare_verdict(os.error.ci_low, os.error.ci_high, ns.error.ci_low,
                                          ns.error.ci_high, e);
    r->json = json_pack("{s:s,s:s,s:s,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:s}", "benchmark", nc->benchmark,
                        "variant", nc->variant, "measure", "profile_error_pct", "old",
                        os.error.median, "old_ci_low", os.error.ci_low, "old_ci_high",
                        os.error.ci_high, "new", ns.error.median, "new_ci_low", ns.error.ci_low,
                        "new_ci_high", ns.error.ci_high, "change_pp", change, "verdict",
                        r->verdict);
    return 1;
}

/* The profile error rows (text: a section of their own); how many. */
static int compare_profiles(const ab_results *old, const ab_results *new, json_t *rows, int json,
                            double e) {
    int printed = 0;
    for (size_t i = 0; i < new->ncells; i++) {
        row r;
        if (!profile_row_of(old, new->cells[i], e, &r)) continue;
        if (json) {
            json_array_append_new(rows, r.json);
            printed++;
            continue;
        }
        json_decref(r.json);
        if (!printed++)
            printf("\nprofile error against the ground truth (total variation distance, "
                   "points)\n%-22s %-10s %-32s %-32s %-10s %s\n",
                   "benchmark", "variant", "old [95% CI]", "new [95% CI]", "change", "verdict");
        printf("%-22s %-10s %-32s %-32s %-10s %s\n", new->cells[i]->benchmark,
               new->cells[i]->variant, r.old, r.new, r.change, r.verdict);
    }
    return printed;
}

static void compare(const ab_results *old, const ab_analysis *oa, const ab_results *new,
                    const ab_analysis *na, int json, double e) {
    json_t *rows = json_array();
    if (!json)
        printf("compare %s -> %s\n%-22s %-10s %-38s %-38s %-10s %s\n",
               old->suite ? old->suite : "?", new->suite ? new->suite : "?", "benchmark", "variant",
               "old [CI]", "new [CI]", "change", "verdict");
    int rows_printed = 0;
    for (size_t i = 0; i < new->ncells; i++) {
        const ab_cell *nc = new->cells[i];
        row r;
        if (!nc->is_service && row_of(old, oa, na, nc, e, &r)) {
            rows_printed++;
            put_row(&r, nc, NULL, rows, json);
        }
        const ab_cell *oc = ab_results_find(old, nc->benchmark, nc->variant);
        const ab_cell_analysis *ocs = ab_analysis_cell(oa, oc), *ncs = ab_analysis_cell(na, nc);
        if (!oc || !ocs || !ncs) continue;
        for (size_t k = 0; k < sizeof compared / sizeof *compared; k++) {
            if (!figure_row(oc, nc, &ocs->st, &ncs->st, compared[k], e, &r)) continue;
            rows_printed++;
            put_row(&r, nc, ab_v2fig_name(compared[k]), rows, json);
        }
    }
    int profile_rows = compare_profiles(old, new, rows, json, e);
    if (json) {
        json_t *doc = json_pack("{s:s,s:s,s:o,s:{s:o,s:o}}", "old", old->suite ? old->suite : "",
                                "new", new->suite ? new->suite : "", "rows", rows, "skipped", "old",
                                rn_report_skipped_json(old), "new", rn_report_skipped_json(new));
        json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(12));
        putchar('\n');
        json_decref(doc);
    } else {
        json_decref(rows);
        if (!rows_printed && !profile_rows)
            printf("(no benchmark x variant with results in both suites)\n");
    }
}

int rn_cmd_compare(int argc, char **argv) {
    static const struct option longopts[] = {{"format", required_argument, 0, 'f'},
                                             {"equivalence", required_argument, 0, 'e'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    int json = 0, c;
    double e = AB_VERDICT_EQUIVALENCE, pctv;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        if (c == 'e') {
            if (rn_report_parse_open_range("compare", "--equivalence", optarg, 0, 100, &pctv) < 0)
                return 2;
            e = pctv / 100;
            continue;
        }
        if (c == 'f' && (!strcmp(optarg, "table") || !strcmp(optarg, "json"))) {
            json = !strcmp(optarg, "json");
            continue;
        }
        fprintf(stderr, "agentbench compare: bad option '%s'\n", argv[optind - 1]);
        usage(stderr);
        return 2;
    }
    if (argc - optind != 2) {
        usage(stderr);
        return 2;
    }
    ab_results *old = load(argv[optind]), *new = old ? load(argv[optind + 1]) : NULL;
    if (!old || !new) {
        ab_results_free(old);
        return 1;
    }
    ab_analysis *oa = ab_analysis_new(NULL), *na = ab_analysis_new(NULL);
    int rc = 0;
    if (!oa || !na || ab_analysis_update(oa, old) < 0 || ab_analysis_update(na, new) < 0) {
        fprintf(stderr, "agentbench compare: out of memory\n");
        rc = 1;
    } else {
        compare(old, oa, new, na, json, e);
    }
    ab_analysis_free(oa);
    ab_analysis_free(na);
    ab_results_free(old);
    ab_results_free(new);
    return rc;
}
