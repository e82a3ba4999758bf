/* report.h: a suite's results as a human table, markdown, CSV, JSON or Go benchmark
 * (benchstat) lines, all computed with lib/results.h like the PMDA. */
#ifndef AB_RUNNER_REPORT_H
#define AB_RUNNER_REPORT_H

#include <stdio.h>
#include <jansson.h>
#include "results.h"

typedef enum report_format {
    REPORT_TABLE, REPORT_MARKDOWN, REPORT_CSV, REPORT_JSON, REPORT_BENCHSTAT
} report_format;

/* "table" ... -> format; -1 when unknown */
int report_format_parse(const char *name);
void report_print(FILE *f, const ab_results *r, report_format fmt);

/* One benchmark x variant with every statistic (also the journal's summary event). */
json_t *report_cell_json(const ab_results *r, const ab_cell *c);
/* The whole suite as JSON (report --format json). */
json_t *report_json(const ab_results *r);

/* "+1.23% [+0.50%, +2.00%]" or "-"; "0.012", "<0.001" or "-". */
void report_fmt_ratio(char *buf, size_t len, const ab_ratio *o);
void report_fmt_p(char *buf, size_t len, const ab_ratio *o);
/* A suite's journal for report and compare: NULL with err when unreadable or not a
 * suite journal at all (no suite_start; the first skipped lines are printed on stderr,
 * prefixed by who). A suite left running by no runner reads as interrupted. */
ab_results *report_load(const char *journal_path, const char *who, char *err, size_t errlen);
/* The journal lines r skipped: "PREFIXskipped journal line N: REASON" lines, and how many
 * more there were. report_skipped_total: how many in all. */
void report_print_skipped(FILE *f, const ab_results *r, const char *prefix);
unsigned long report_skipped_total(const ab_results *r);
/* [{"line": N, "reason": "..."}] of the lines r skipped (a new reference). */
json_t *report_skipped_json(const ab_results *r);

/* "slower", "faster" or "no change" from an overhead CI; "n/a" when invalid. */
const char *report_verdict(const ab_ratio *o);
/* "FibonacciCCpu" from "fibonacci-c-cpu" */
void report_camel(char *buf, size_t len, const char *name);

#endif
