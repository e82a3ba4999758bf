/* report.c: `agentbench report [--format F] [--alpha A] [--equivalence PCT] [SUITE]`: reads
 * the suite's journal into lib/results.h's model, analyses it (lib/analysis.h, with the
 * verdict rule's options) and prints it in one of the formats of report_text.c and
 * report_json.c. */
#include <getopt.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "report.h"
#include "suitedir.h"
#include "util.h"
#include "variant.h"

static const char *const format_names[] = {"table", "markdown", "csv", "json", "benchstat", NULL};

int rn_report_format_parse(const char *name) {
    for (int i = 0; format_names[i]; i++)
        if (!strcmp(name, format_names[i])) return i;
    return -1;
}

/* A variant profiled into an external server (--server-url): it has no /stats, so what
 * it received is unknown. */
int rn_report_delivery_unknown(const ab_cell *c) {
    char mode[64];
    return !c->is_baseline && !strcmp(rn_variant_mode(c->variant, mode, sizeof mode), "external");
}

static void usage(FILE *f) {
    fputs("usage: agentbench report [--format table|markdown|csv|json|benchstat]\n"
          "                         [--alpha A] [--equivalence PCT] [SUITE]\n"
          "Prints a suite's results. SUITE is a suite directory, its journal.jsonl, or a\n"
          "results directory (its latest suite); default ./results.\n"
          "  --alpha A          family-wise significance level of the verdicts (default 0.05;\n"
          "                     Holm over every wall-time comparison of the suite)\n"
          "  --equivalence PCT  \"no change\" only when the overhead CI lies within +-PCT%\n"
          "                     (default 2); a wider CI is \"inconclusive\"\n"
          "Journal lines that are not events are listed (line, reason); a file with none is\n"
          "refused (exit 1).\n",
          f);
}

/* A number in (lo, hi) from an option's value; 0 or -1 with a message. */
int rn_report_parse_open_range(const char *cmd, const char *opt, const char *arg, double lo,
                               double hi, double *out) {
    char *end;
    double v = strtod(arg, &end);
    if (end == arg || *end || !(v > lo && v < hi)) {
        fprintf(stderr, "agentbench %s: %s must be a number above %g and below %g, not '%s'\n", cmd,
                opt, lo, hi, arg);
        return -1;
    }
    *out = v;
    return 0;
}

int rn_cmd_report(int argc, char **argv) {
    static const struct option longopts[] = {{"format", required_argument, 0, 'f'},
                                             {"alpha", required_argument, 0, 'a'},
                                             {"equivalence", required_argument, 0, 'e'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    int fmt = REPORT_TABLE, c;
    ab_analysis_opts opts;
    ab_analysis_opts_default(&opts);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        if (c == 'a') {
            if (rn_report_parse_open_range("report", "--alpha", optarg, 0, 1, &opts.rule.alpha) < 0)
                return 2;
            continue;
        }
        if (c == 'e') {
            double pct;
            if (rn_report_parse_open_range("report", "--equivalence", optarg, 0, 100, &pct) < 0)
                return 2;
            opts.rule.equivalence = pct / 100;
            continue;
        }
        if (c == 'f') {
            fmt = rn_report_format_parse(optarg);
            if (fmt < 0) {
                fprintf(stderr,
                        "agentbench report: unknown format '%s' (table, markdown, csv, "
                        "json, benchstat)\n",
                        optarg);
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
    /* big scratch arrays (a cell's values) are mmap'd and given back when freed, so the
     * report's peak is the model plus one workspace (glibc would otherwise raise its
     * threshold to the biggest freed block and keep such blocks in the heap) */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    const char *arg = optind < argc ? argv[optind] : "results";
    char err[512];
    char *path = rn_suite_journal_find(arg, err, sizeof err);
    if (!path) {
        fprintf(stderr, "agentbench report: %s\n", err);
        return 1;
    }
    ab_results *r = rn_report_load(path, "agentbench report", err, sizeof err);
    free(path);
    if (!r) {
        fprintf(stderr, "agentbench report: %s\n", err);
        return 1;
    }
    ab_analysis *a = ab_analysis_new(&opts);
    if (!a || ab_analysis_update(a, r) < 0) {
        fprintf(stderr, "agentbench report: out of memory\n");
        ab_analysis_free(a);
        ab_results_free(r);
        return 1;
    }
    rn_report_print(stdout, r, a, (report_format)fmt);
    /* the formats machines read carry it too (json: skipped); stderr always says it */
    if (fmt != REPORT_TABLE) rn_report_print_skipped(stderr, r, "agentbench report: ");
    ab_analysis_free(a);
    ab_results_free(r);
    return 0;
}

ab_results *rn_report_load(const char *journal_path, const char *who, char *err, size_t errlen) {
    ab_results *r = ab_results_load(journal_path, err, errlen);
    if (!r) return NULL;
    if (!r->suite_start) {
        unsigned long skipped = rn_report_skipped_total(r);
        if (r->events == 0)
            snprintf(err, errlen,
                     "%s: not a journal: no line of it is a journal event "
                     "(%lu line%s skipped)",
                     journal_path, skipped, skipped == 1 ? "" : "s");
        else
            snprintf(err, errlen,
                     "%s: not a suite journal: %lu events but no suite_start "
                     "(%lu line%s skipped)",
                     journal_path, r->events, skipped, skipped == 1 ? "" : "s");
        for (size_t i = 0; i < r->nskipped && i < 5; i++)
            fprintf(stderr, "%s: skipped journal line %lu: %s\n", who, r->skipped[i].line,
                    r->skipped[i].reason);
        ab_results_free(r);
        return NULL;
    }
    /* a suite still "running" that no runner holds ended without its suite_end (killed,
     * or stopped by a journal it could not write): what `--resume` continues */
    if ((r->state == AB_STATE_RUNNING || r->state == AB_STATE_BUILDING) &&
        rn_suite_lock_state(journal_path) == 0)
        r->state = AB_STATE_INTERRUPTED;
    return r;
}
