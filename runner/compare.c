/* compare.c: `agentbench compare OLD NEW`: per benchmark x variant, how the overhead (or,
 * for the baseline, the wall time) changed, with a verdict from the 95% CIs: better (the
 * new CI lies entirely below the old one), worse (entirely above), or no change; and, for
 * benchmarks with a ground truth, how the profile error changed, judged the same way.
 * Cells with schema v2 figures (a service's throughput, p99 latency, CPU per request; any
 * run's exit delay) get a row per figure too, throughput's verdict the other way round
 * (more is better). */
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

const char *compare_verdict(double old_lo, double old_hi, double new_lo, double new_hi) {
    if (new_lo > old_hi) return "worse";
    if (new_hi < old_lo) return "better";
    return "no change";
}

static ab_results *load(const char *arg) {
    char err[512];
    char *path = suite_journal_find(arg, err, sizeof err);
    if (!path) {
        fprintf(stderr, "agentbench compare: %s\n", err);
        return NULL;
    }
    ab_results *r = report_load(path, "agentbench compare", err, sizeof err);
    free(path);
    if (!r) fprintf(stderr, "agentbench compare: %s\n", err);
    else report_print_skipped(stderr, r, "agentbench compare: ");
    return r;
}

static void usage(FILE *f) {
    fputs("usage: agentbench compare [--format table|json] OLD NEW\n"
          "Compares two suites (suite directories, journals, or results directories):\n"
          "per benchmark x variant the overhead versus baseline (for the baseline itself, the\n"
          "median wall time) with its 95% CI in both, the change, and a verdict: better or\n"
          "worse when the CIs do not overlap, else no change. Benchmarks with a ground truth\n"
          "also get their profile error (median over verified runs, points) compared.\n", f);
}

static double pct(double ratio) { return (ratio - 1) * 100; }

/* One benchmark x variant in both suites: the two figures with their CIs, the change,
 * the verdict (text), and the same as a JSON row. */
typedef struct row {
    char old[160], new[160], change[32];
    const char *verdict;
    json_t *json;
} row;

static void seconds_ci(char *out, size_t len, const ab_summary *w) {
    char a[32], b[32], c[32];
    fmt_seconds(a, sizeof a, w->median);
    fmt_seconds(b, sizeof b, w->ci_low);
    fmt_seconds(c, sizeof c, w->ci_high);
    snprintf(out, len, "%s [%s, %s]", a, b, c);
}

static void ratio_ci(char *out, size_t len, const ab_ratio *r) {
    char a[24], b[24], c[24];
    fmt_pct(a, sizeof a, r->ratio);
    fmt_pct(b, sizeof b, r->ci_low);
    fmt_pct(c, sizeof c, r->ci_high);
    snprintf(out, len, "%s [%s, %s]", a, b, c);
}

/* The baseline itself: its median wall time. */
static void baseline_row(const ab_cell *c, const ab_summary *o, const ab_summary *n, row *r) {
    seconds_ci(r->old, sizeof r->old, o);
    seconds_ci(r->new, sizeof r->new, n);
    double change = o->median > 0 ? pct(n->median / o->median) : 0;
    snprintf(r->change, sizeof r->change, "%+.2f%%", change);
    r->verdict = compare_verdict(o->ci_low, o->ci_high, n->ci_low, n->ci_high);
    r->json = json_pack("{s:s,s:s,s:s,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:s}", "benchmark",
                        c->benchmark, "variant", c->variant, "measure", "wall_median_s", "old",
                        o->median, "old_ci_low", o->ci_low, "old_ci_high", o->ci_high, "new",
                        n->median, "new_ci_low", n->ci_low, "new_ci_high", n->ci_high,
                        "change_pct", change, "verdict", r->verdict);
}

/* A profiled variant: its wall time overhead versus the baseline. */
static void overhead_row(const ab_cell *c, const ab_ratio *a, const ab_ratio *b, row *r) {
    ratio_ci(r->old, sizeof r->old, a);
    ratio_ci(r->new, sizeof r->new, b);
    double change = pct(b->ratio) - pct(a->ratio);
    snprintf(r->change, sizeof r->change, "%+.2f pp", change);
    r->verdict = compare_verdict(a->ci_low, a->ci_high, b->ci_low, b->ci_high);
    r->json = json_pack("{s:s,s:s,s:s,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:s}", "benchmark",
                        c->benchmark, "variant", c->variant, "measure", "overhead_wall_ratio",
                        "old", a->ratio, "old_ci_low", a->ci_low, "old_ci_high", a->ci_high,
                        "new", b->ratio, "new_ci_low", b->ci_low, "new_ci_high", b->ci_high,
                        "change_pp", change, "verdict", r->verdict);
}

/* The v2 figures compared, and whether more of one is better. */
static const ab_v2fig compared[] = {AB_V2_THROUGHPUT, AB_V2_LATENCY_P99,
                                     AB_V2_CPU_PER_REQUEST, AB_V2_EXIT_DELAY};

static const char *verdict_for(ab_v2fig f, double olo, double ohi, double nlo, double nhi) {
    if (f != AB_V2_THROUGHPUT) return compare_verdict(olo, ohi, nlo, nhi);
    return compare_verdict(-ohi, -olo, -nhi, -nlo);   /* more requests/s is better */
}

/* The row of figure f for cells oc (old) and nc (new): the baseline's median, a profiled
 * variant's overhead. 1, or 0 when either suite lacks it. */
static int figure_row(const ab_cell *oc, const ab_cell *nc, const ab_cell_stats *os,
                      const ab_cell_stats *ns, ab_v2fig f, row *r) {
    const char *name = ab_v2fig_name(f);
    char measure[64];
    if (nc->is_baseline) {
        const ab_summary *o = &os->v2[f], *n = &ns->v2[f];
        if (!o->n || !n->n) return 0;
        figures_fmt_ci(r->old, sizeof r->old, oc, os, f);
        figures_fmt_ci(r->new, sizeof r->new, nc, ns, f);
        double change = o->median > 0 ? pct(n->median / o->median) : 0;
        snprintf(r->change, sizeof r->change, "%+.2f%%", change);
        r->verdict = verdict_for(f, o->ci_low, o->ci_high, n->ci_low, n->ci_high);
        snprintf(measure, sizeof measure, "%s_median", name);
        r->json = json_pack("{s:s,s:s,s:s,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:s}", "benchmark",
                            nc->benchmark, "variant", nc->variant, "measure", measure, "old",
                            o->median, "old_ci_low", o->ci_low, "old_ci_high", o->ci_high,
                            "new", n->median, "new_ci_low", n->ci_low, "new_ci_high",
                            n->ci_high, "change_pct", change, "verdict", r->verdict);
        return 1;
    }
    const ab_ratio *a = &os->over_v2[f], *b = &ns->over_v2[f];
    if (!a->valid || !b->valid) return 0;
    ratio_ci(r->old, sizeof r->old, a);
    ratio_ci(r->new, sizeof r->new, b);
    double change = pct(b->ratio) - pct(a->ratio);
    snprintf(r->change, sizeof r->change, "%+.2f pp", change);
    r->verdict = verdict_for(f, a->ci_low, a->ci_high, b->ci_low, b->ci_high);
    snprintf(measure, sizeof measure, "overhead_%s_ratio", name);
    r->json = json_pack("{s:s,s:s,s:s,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:s}", "benchmark",
                        nc->benchmark, "variant", nc->variant, "measure", measure, "old",
                        a->ratio, "old_ci_low", a->ci_low, "old_ci_high", a->ci_high, "new",
                        b->ratio, "new_ci_low", b->ci_low, "new_ci_high", b->ci_high,
                        "change_pp", change, "verdict", r->verdict);
    return 1;
}

/* The row of new's cell nc, if old has it too and both have figures. 1, or 0 if none. */
static int row_of(const ab_results *old, const ab_results *new, const ab_cell *nc, row *r) {
    const ab_cell *oc = ab_results_find(old, nc->benchmark, nc->variant);
    if (!oc) return 0;
    ab_cell_stats ns, os;
    ab_results_cell_stats(new, nc, &ns);
    ab_results_cell_stats(old, oc, &os);
    if (nc->is_baseline) {
        if (!nc->n || !oc->n) return 0;
        baseline_row(nc, &os.wall, &ns.wall, r);
    } else {
        if (!os.over_wall.valid || !ns.over_wall.valid) return 0;
        overhead_row(nc, &os.over_wall, &ns.over_wall, r);
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
    printf("%-22s %-10s %-32s %-32s %-10s %s\n", nc->benchmark, variant, r->old, r->new,
           r->change, r->verdict);
}

/* The profile error of new's cell nc against old's, when both have verified runs. */
static int profile_row_of(const ab_results *old, const ab_cell *nc, row *r) {
    const ab_cell *oc = ab_results_find(old, nc->benchmark, nc->variant);
    if (!oc || !oc->profile.verified || !nc->profile.verified) return 0;
    ab_profile_stats os, ns;
    ab_results_profile_stats(oc, &os);
    ab_results_profile_stats(nc, &ns);
    report_profile_fmt_error(r->old, sizeof r->old, &os.error);
    report_profile_fmt_error(r->new, sizeof r->new, &ns.error);
    double change = ns.error.median - os.error.median;
    snprintf(r->change, sizeof r->change, "%+.2f pts", change);
    r->verdict = !os.error.ci_level.nominal || !ns.error.ci_level.nominal
                     ? ab_verdict_name(AB_VERDICT_TOO_FEW)   /* a CI below 95% judges nothing */
                     : compare_verdict(os.error.ci_low, os.error.ci_high, ns.error.ci_low,
                                       ns.error.ci_high);
    r->json = json_pack("{s:s,s:s,s:s,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:s}", "benchmark",
                        nc->benchmark, "variant", nc->variant, "measure", "profile_error_pct",
                        "old", os.error.median, "old_ci_low", os.error.ci_low, "old_ci_high",
                        os.error.ci_high, "new", ns.error.median, "new_ci_low", ns.error.ci_low,
                        "new_ci_high", ns.error.ci_high, "change_pp", change, "verdict",
                        r->verdict);
    return 1;
}

/* The profile error rows (text: a section of their own); how many. */
static int compare_profiles(const ab_results *old, const ab_results *new, json_t *rows,
                             int json) {
    int printed = 0;
    for (size_t i = 0; i < new->ncells; i++) {
        row r;
        if (!profile_row_of(old, new->cells[i], &r)) continue;
        if (json) {
            json_array_append_new(rows, r.json);
            printed++;
            continue;
        }
        json_decref(r.json);
        if (!printed++)
            printf("\nprofile error against the ground truth (total variation distance, "
                   "points)\n%-22s %-10s %-32s %-32s %-10s %s\n", "benchmark", "variant",
                   "old [95% CI]", "new [95% CI]", "change", "verdict");
        printf("%-22s %-10s %-32s %-32s %-10s %s\n", new->cells[i]->benchmark,
               new->cells[i]->variant, r.old, r.new, r.change, r.verdict);
    }
    return printed;
}

static void compare(const ab_results *old, const ab_results *new, int json) {
    json_t *rows = json_array();
    if (!json)
        printf("compare %s -> %s\n%-22s %-10s %-32s %-32s %-10s %s\n", old->suite ? old->suite : "?",
               new->suite ? new->suite : "?", "benchmark", "variant", "old [95% CI]",
               "new [95% CI]", "change", "verdict");
    int rows_printed = 0;
    for (size_t i = 0; i < new->ncells; i++) {
        const ab_cell *nc = new->cells[i];
        row r;
        if (!nc->is_service && row_of(old, new, nc, &r)) {
            rows_printed++;
            put_row(&r, nc, NULL, rows, json);
        }
        const ab_cell *oc = ab_results_find(old, nc->benchmark, nc->variant);
        if (!oc) continue;
        ab_cell_stats os, ns;
        ab_results_cell_stats(old, oc, &os);
        ab_results_cell_stats(new, nc, &ns);
        for (size_t k = 0; k < sizeof compared / sizeof *compared; k++) {
            if (!figure_row(oc, nc, &os, &ns, compared[k], &r)) continue;
            rows_printed++;
            put_row(&r, nc, ab_v2fig_name(compared[k]), rows, json);
        }
    }
    int profile_rows = compare_profiles(old, new, rows, json);
    if (json) {
        json_t *doc = json_pack("{s:s,s:s,s:o,s:{s:o,s:o}}", "old", old->suite ? old->suite : "",
                                "new", new->suite ? new->suite : "", "rows", rows, "skipped",
                                "old", report_skipped_json(old), "new", report_skipped_json(new));
        json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(12));
        putchar('\n');
        json_decref(doc);
    } else {
        json_decref(rows);
        if (!rows_printed && !profile_rows)
            printf("(no benchmark x variant with results in both suites)\n");
    }
}

int cmd_compare(int argc, char **argv) {
    static const struct option longopts[] = {
        {"format", required_argument, 0, 'f'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int json = 0, c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return 0;
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
    compare(old, new, json);
    ab_results_free(old);
    ab_results_free(new);
    return 0;
}
