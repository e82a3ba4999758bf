/* report.h: a suite's results as a human table, markdown, CSV, JSON or Go benchmark
 * (benchstat) lines, all computed with lib/analysis.h like the PMDA. report.c has the
 * command and its options, report_json.c the JSON (also the journal's summary event),
 * report_text.c the other formats. */
#ifndef AB_RUNNER_REPORT_H
#define AB_RUNNER_REPORT_H

#include <stdio.h>
#include <jansson.h>
#include "analysis.h"
#include "results.h"

typedef enum report_format {
    REPORT_TABLE,
    REPORT_MARKDOWN,
    REPORT_CSV,
    REPORT_JSON,
    REPORT_BENCHSTAT
} report_format;

/* "table" ... -> format; -1 when unknown */
int rn_report_format_parse(const char *name);
/* r's analysis a (brought up to date by the caller) in format fmt. */
void rn_report_print(FILE *f, const ab_results *r, const ab_analysis *a, report_format fmt);
/* The same with a fresh analysis of r with the default options (the runner's report). */
void rn_report_print_default(FILE *f, const ab_results *r, report_format fmt);

/* One benchmark x variant with every statistic (also the journal's summary event). */
json_t *rn_report_cell_json(const ab_analysis *a, const ab_results *r, const ab_cell *c);
/* The whole suite as JSON (report --format json): as one document, or printed cell by
 * cell (the same text, in the memory of one cell). */
json_t *rn_report_json(const ab_results *r, const ab_analysis *a);
void rn_report_json_print(FILE *f, const ab_results *r, const ab_analysis *a);

/* 1 for a variant profiled into an external server (--server-url): no /stats, so its
 * profiles and samples are unknown (table "?", JSON null). */
int rn_report_delivery_unknown(const ab_cell *c);
/* "0.012", "<0.001", or "-" without a valid comparison. */
void rn_report_fmt_p(char *buf, size_t len, const ab_ratio *o);
/* A suite's journal for report and compare: NULL with err when unreadable or not a
 * suite journal at all (no suite_start; the first skipped lines are printed on stderr,
 * prefixed by who). A suite left running by no runner reads as interrupted. */
ab_results *rn_report_load(const char *journal_path, const char *who, char *err, size_t errlen);
/* The journal lines r skipped: "PREFIXskipped journal line N: REASON" lines, and how many
 * more there were. rn_report_skipped_total: how many in all. */
void rn_report_print_skipped(FILE *f, const ab_results *r, const char *prefix);
unsigned long rn_report_skipped_total(const ab_results *r);
/* [{"line": N, "reason": "..."}] of the lines r skipped (a new reference). */
json_t *rn_report_skipped_json(const ab_results *r);

/* Text pieces the formats share (report_text.c). A CI is labelled with its coverage
 * ("1.2 s [1.1 s, 1.3 s], 75%") only when it is not the nominal 95%. */
void rn_report_fmt_summary_ci(char *buf, size_t len, const ab_summary *s);
void rn_report_fmt_overhead_ci(char *buf, size_t len, const ab_ratio *o);
/* "67%", "93.8%": a coverage as a report prints it. */
void rn_report_fmt_coverage(char *buf, size_t len, double coverage);
/* The names of a cell's warnings (ab_warning bits): "cov", "drift", "steal", "migrations". */
const char *rn_report_warning_name(unsigned bit);
/* A number strictly between lo and hi from option opt's value arg, for command cmd:
 * 0, or -1 after a message on stderr. */
int rn_report_parse_open_range(const char *cmd, const char *opt, const char *arg, double lo,
                               double hi, double *out);
/* "FibonacciCCpu" from "fibonacci-c-cpu" */
void rn_report_camel(char *buf, size_t len, const char *name);

#endif
