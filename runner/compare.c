/* compare.c: `agentbench compare OLD NEW`: per benchmark x variant, how the overhead (or,
 * for the baseline, the wall time) changed, with a verdict from the 95% CIs: better (the
 * new CI lies entirely below the old one), worse (entirely above), or no change. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "compare.h"
#include "report.h"
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
    ab_results *r = ab_results_load(path, err, sizeof err);
    free(path);
    if (!r) fprintf(stderr, "agentbench compare: %s\n", err);
    return r;
}

static void usage(FILE *f) {
    fputs("usage: agentbench compare [--format table|json] OLD NEW\n"
          "Compares two suites (suite directories, journals, or results directories):\n"
          "per benchmark x variant the overhead versus baseline (for the baseline itself, the\n"
          "median wall time) with its 95% CI in both, the change, and a verdict: better or\n"
          "worse when the CIs do not overlap, else no change.\n", f);
}

static double pct(double ratio) { return (ratio - 1) * 100; }

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
    json_t *rows = json_array();
    if (!json)
        printf("compare %s -> %s\n%-22s %-10s %-32s %-32s %-10s %s\n", old->suite ? old->suite : "?",
               new->suite ? new->suite : "?", "benchmark", "variant", "old [95% CI]",
               "new [95% CI]", "change", "verdict");
    int rows_printed = 0;
    for (size_t i = 0; i < new->ncells; i++) {
        const ab_cell *nc = new->cells[i];
        const ab_cell *oc = ab_results_find(old, nc->benchmark, nc->variant);
        if (!oc) continue;
        ab_cell_stats ns, os;
        ab_results_cell_stats(new, nc, &ns);
        ab_results_cell_stats(old, oc, &os);
        char o[160], n[160], ch[32];
        const char *verdict;
        json_t *row;
        if (nc->is_baseline) {
            if (!nc->n || !oc->n) continue;
            char a[32], b[32], d[32];
            fmt_seconds(a, sizeof a, os.wall.median);
            fmt_seconds(b, sizeof b, os.wall.ci_low);
            fmt_seconds(d, sizeof d, os.wall.ci_high);
            snprintf(o, sizeof o, "%s [%s, %s]", a, b, d);
            fmt_seconds(a, sizeof a, ns.wall.median);
            fmt_seconds(b, sizeof b, ns.wall.ci_low);
            fmt_seconds(d, sizeof d, ns.wall.ci_high);
            snprintf(n, sizeof n, "%s [%s, %s]", a, b, d);
            double change = os.wall.median > 0 ? pct(ns.wall.median / os.wall.median) : 0;
            snprintf(ch, sizeof ch, "%+.2f%%", change);
            verdict = compare_verdict(os.wall.ci_low, os.wall.ci_high, ns.wall.ci_low,
                                      ns.wall.ci_high);
            row = json_pack("{s:s,s:s,s:s,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:s}", "benchmark",
                            nc->benchmark, "variant", nc->variant, "measure", "wall_median_s",
                            "old", os.wall.median, "old_ci_low", os.wall.ci_low, "old_ci_high",
                            os.wall.ci_high, "new", ns.wall.median, "new_ci_low",
                            ns.wall.ci_low, "new_ci_high", ns.wall.ci_high, "change_pct",
                            change, "verdict", verdict);
        } else {
            const ab_ratio *a = &os.over_wall, *b = &ns.over_wall;
            if (!a->valid || !b->valid) continue;
            char x[24], y[24], z[24];
            fmt_pct(x, sizeof x, a->ratio);
            fmt_pct(y, sizeof y, a->ci_low);
            fmt_pct(z, sizeof z, a->ci_high);
            snprintf(o, sizeof o, "%s [%s, %s]", x, y, z);
            fmt_pct(x, sizeof x, b->ratio);
            fmt_pct(y, sizeof y, b->ci_low);
            fmt_pct(z, sizeof z, b->ci_high);
            snprintf(n, sizeof n, "%s [%s, %s]", x, y, z);
            double change = pct(b->ratio) - pct(a->ratio);
            snprintf(ch, sizeof ch, "%+.2f pp", change);
            verdict = compare_verdict(a->ci_low, a->ci_high, b->ci_low, b->ci_high);
            row = json_pack("{s:s,s:s,s:s,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:s}", "benchmark",
                            nc->benchmark, "variant", nc->variant, "measure",
                            "overhead_wall_ratio", "old", a->ratio, "old_ci_low", a->ci_low,
                            "old_ci_high", a->ci_high, "new", b->ratio, "new_ci_low", b->ci_low,
                            "new_ci_high", b->ci_high, "change_pp", change, "verdict", verdict);
        }
        rows_printed++;
        if (json) json_array_append_new(rows, row);
        else {
            json_decref(row);
            printf("%-22s %-10s %-32s %-32s %-10s %s\n", nc->benchmark, nc->variant, o, n, ch,
                   verdict);
        }
    }
    if (json) {
        json_t *doc = json_pack("{s:s,s:s,s:o}", "old", old->suite ? old->suite : "", "new",
                                new->suite ? new->suite : "", "rows", rows);
        json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(12));
        putchar('\n');
        json_decref(doc);
    } else {
        json_decref(rows);
        if (!rows_printed) printf("(no benchmark x variant with results in both suites)\n");
    }
    ab_results_free(old);
    ab_results_free(new);
    return 0;
}
