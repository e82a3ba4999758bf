/* report_profile.h: the profile accuracy and lost samples of a suite's cells in each of
 * `report`'s formats (report.c calls these; compare.c the row helper), from lib/results.h's
 * ab_cell_profile (doc/accuracy.md). A cell without a ground truth or agent counters adds
 * nothing but the CSV's empty columns, so reports of other suites read as before. */
#ifndef AB_RUNNER_REPORT_PROFILE_H
#define AB_RUNNER_REPORT_PROFILE_H

#include <stdio.h>
#include <jansson.h>
#include "results.h"
#include "util.h"

/* 1 when the cell has runs with a ground truth (verified or not). */
int rn_report_profile_has(const ab_cell *c);
/* JSON: profile_error_pct (a summary like wall's), profile_bound_pct, profile_verified,
 * profile_unverified (+ _reason), profile_shares {FUNCTION: {truth, median}}; and
 * agent_samples, samples_lost; decode_errors. Added to the cell object o. */
void rn_report_profile_json(const ab_cell *c, json_t *o);
/* Table: the accuracy block of benchmark bench (when a cell of it has one). */
void rn_report_profile_table(FILE *f, const ab_results *r, const char *bench);
/* Table: warnings about cell c (samples lost, unverified profiles, decode errors). */
void rn_report_profile_notes(const ab_cell *c, strlist *notes);
/* Markdown: a second table of the cells with a ground truth or lost samples. */
void rn_report_profile_markdown(FILE *f, const ab_results *r);
/* CSV: the header's and a row's last columns (each starts with ','). */
const char *rn_report_profile_csv_header(void);
void rn_report_profile_csv(FILE *f, const ab_cell *c);
/* Benchstat: " VALUE profile-error-pct" for the cell's k-th ok run, when it has one. */
void rn_report_profile_benchstat(FILE *f, const ab_cell *c, size_t k);
/* "3.36 [2.21, 5.90]": a median with its CI, in points; " (75%)" after it when too few
 * runs make the CI cover less than 95% (lib/stats.h, ci_level). */
void rn_report_profile_fmt_error(char *buf, size_t len, const ab_summary *s);

#endif
