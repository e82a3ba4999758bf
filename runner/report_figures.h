/* report_figures.h: the schema v2 figures of lib/results.h (a service's throughput, latency
 * percentiles, CPU per request; every run's exit delay) in each format of `report`. Only
 * cells that have them show them, so a suite without them reports as before. */
#ifndef AB_RUNNER_REPORT_FIGURES_H
#define AB_RUNNER_REPORT_FIGURES_H

#include <stdio.h>
#include <jansson.h>
#include "results.h"

/* Does any cell (of benchmark bench, or of the suite when bench is NULL) have figure f
 * (or, with f = AB_NV2FIGS, any v2 figure)? Is the benchmark a service? */
int rn_figures_present(const ab_results *r, const char *bench, ab_v2fig f);
int rn_figures_service(const ab_results *r, const char *bench);

/* s padded with blanks to width characters (not bytes: "µs" and "≥" are one each). */
void rn_figures_pad(char *out, size_t len, const char *s, int width);
/* "5183 req/s", "1.234 ms"; a lower bound (exit blocked) gets "≥ ". */
void rn_figures_fmt(char *buf, size_t len, ab_v2fig f, double v, int lower_bound);
/* "median [lo, hi]" of figure f of cell c, or "-" without values. */
void rn_figures_fmt_ci(char *buf, size_t len, const ab_cell *c, const ab_cell_stats *st,
                       ab_v2fig f);

/* JSON: each figure the cell has, as "NAME": {n, median, ci: [lo, hi], ..., overhead} */
void rn_figures_json(json_t *cell, const ab_cell *c, const ab_cell_stats *st);
/* The variants whose exit was blocked: [{benchmark, variant, runs}] (NULL when none). */
json_t *rn_figures_blocked_json(const ab_results *r);

/* The table block of a service benchmark: per variant, a row per figure. */
void rn_figures_service_table(FILE *f, const ab_results *r, const char *bench);
/* "exit blocked (killed at the timeout): VARIANT (k of n runs), ..." for the benchmark's
 * cells, or nothing. */
void rn_figures_blocked_note(FILE *f, const ab_results *r, const char *bench, const char *indent);
/* Markdown: a second table of the cells with v2 figures. */
void rn_figures_markdown(FILE *f, const ab_results *r);
/* CSV: the extra columns (header, then one cell's values), each starting with ','. */
void rn_figures_csv_header(FILE *f);
void rn_figures_csv_row(FILE *f, const ab_cell *c, const ab_cell_stats *st);
/* Benchstat: the units of run k of cell c (" 5183 req/s 1234567 p99-ns ..."), only for
 * figures every ok run of the cell has. */
void rn_figures_benchstat(FILE *f, const ab_cell *c, size_t k);

#endif
