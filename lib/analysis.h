/* analysis.h: the statistics of a whole suite, from its model (lib/results.h): each cell's
 * summaries, comparisons and noise (ab_results_cell_stats), the family of comparisons
 * that get verdicts, Holm's adjustment over it, the verdicts, and the noise warnings.
 * report, compare and pmdaagentbench all take their numbers and words from here.
 *
 * It is incremental: ab_analysis_update recomputes only the cells whose runs (or whose
 * baseline's runs) changed since the last update, so a live reader (the PMDA) pays for
 * what a new event changed, not for the whole suite. Verdicts need the whole family and
 * a suite that will not grow: before the suite is final (ab_results_final) every cell's
 * verdict is AB_VERDICT_NONE and `final` is 0, the "interim" state (the stopping rule:
 * a verdict read while the runs still come in would be read at a time of the reader's
 * choosing, which is not the test the p-value describes). doc/journal.md, "Verdicts". */
#ifndef AB_ANALYSIS_H
#define AB_ANALYSIS_H

#include "results.h"

/* Warnings about a cell's noise: what makes its figures less trustworthy. */
typedef enum ab_warning {
    AB_WARN_COV = 1 << 0,        /* wall time CoV above cov_warn */
    AB_WARN_DRIFT = 1 << 1,      /* wall time trends across the suite (Spearman p) */
    AB_WARN_STEAL = 1 << 2,      /* steal above steal_warn_pct in a run */
    AB_WARN_MIGRATIONS = 1 << 3, /* CPU migrations above migrations_warn_per_s */
} ab_warning;

typedef struct ab_analysis_opts {
    ab_verdict_rule rule;         /* alpha (0.05), equivalence (0.02) */
    double cov_warn;              /* 0.05: a CoV of 5% leaves little of a 2% band */
    double drift_p;               /* 0.01 */
    double steal_warn_pct;        /* 0: 100 x the equivalence margin (2%) */
    double migrations_warn_per_s; /* 10 */
} ab_analysis_opts;
void ab_analysis_opts_default(ab_analysis_opts *o);

typedef struct ab_cell_analysis {
    ab_cell_stats st;
    int in_family[AB_NFIGURES];      /* a valid comparison with a nominal CI, of a verdict
                                      * figure (ab_figure_info.verdict) */
    double p_adjusted[AB_NFIGURES];  /* Holm over the family; the raw p outside it */
    ab_verdict verdict[AB_NFIGURES]; /* of verdict figures of profiled cells, once final */
    unsigned warnings;               /* ab_warning bits */
    unsigned long seen, seen_base;   /* the cell's and its baseline's `changes` then */
    int computed;
} ab_cell_analysis;

typedef struct ab_analysis {
    ab_analysis_opts opts;
    int final;     /* ab_results_final at the last update */
    size_t family; /* comparisons in the family */
    size_t ncells; /* cells[i] is r->cells[i]'s */
    ab_cell_analysis *cells;
    unsigned long seen; /* r->changes at the last update */
    size_t planned;     /* the comparisons planned for the family: profiled
                         * cells with a baseline, >= 2 ok runs each */
    size_t min_pairs;   /* rounds from which a comparison is paired: >= 6 and
                         * 2^(1 - n) planned < alpha (a paired difference
                         * can survive Holm) */
    size_t min_runs;    /* runs a variant an unpaired difference needs for
                         * the same (2 / C(2t, t) planned < alpha) */
} ab_analysis;

/* opts NULL: the defaults. NULL when out of memory. */
ab_analysis *ab_analysis_new(const ab_analysis_opts *opts);
/* Bring a up to date with r (the same model every time; a new model needs a new
 * analysis). Returns 0, or -1 when out of memory. */
int ab_analysis_update(ab_analysis *a, const ab_results *r);
const ab_cell_analysis *ab_analysis_cell(const ab_analysis *a, const ab_cell *c);
void ab_analysis_free(ab_analysis *a);

/* The verdict of a cell's figure as a report prints it: "interim" before the suite is
 * final; "too few runs (need N)"; else ab_verdict_name. buf needs 40 bytes. */
const char *ab_analysis_verdict_text(const ab_analysis *a, const ab_cell_analysis *ca, ab_figure f,
                                     char *buf, size_t len);

#endif
