/* results.h: the model of a suite built from its journal events: runner state and progress,
 * the ok runs of every benchmark x variant (their figures, compactly), live ingesters and
 * host baseline figures; lib/analysis.h computes the statistics from it. Shared by `agentbench
 * report`, `compare`, `run --resume` and pmdaagentbench, so they all give the same numbers. */
#ifndef AB_RESULTS_H
#define AB_RESULTS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "stats.h"

typedef enum ab_state {
    AB_STATE_IDLE,
    AB_STATE_BUILDING,
    AB_STATE_RUNNING,
    AB_STATE_DONE,
    AB_STATE_FAILED,
    AB_STATE_INTERRUPTED
} ab_state;
const char *ab_state_name(ab_state s);

/* An overhead versus baseline (lib/stats.h): valid (0 when there is no baseline or fewer
 * than 2 ok runs on a side), ratio profiled / baseline with its CI, the two-sided p-value
 * (Mann-Whitney U unpaired, Wilcoxon signed-rank paired), the analysis used, and what the
 * CI really covers (ci_level). */
typedef ab_comparison ab_ratio;

/* The figures every ok run has, one table (lib/results.c): what a report summarises, and
 * which of them are compared with the baseline. A figure added here (and to the cell's
 * storage) gets summaries, comparisons, verdicts and every report format's columns. */
typedef enum ab_figure {
    AB_FIG_WALL,
    AB_FIG_USER,
    AB_FIG_SYS,
    AB_FIG_CPU,
    AB_FIG_RSS,
    AB_NFIGURES
} ab_figure;
typedef struct ab_figure_info {
    const char *name; /* "wall", "user", "sys", "cpu", "rss" (JSON keys) */
    const char *unit; /* "s", "KiB" */
    int compared;     /* has an overhead versus the baseline */
    int verdict;      /* its comparisons get verdicts and form the family (wall) */
} ab_figure_info;
const ab_figure_info *ab_figure_get(ab_figure f);

/* A cell's ok measured runs, in journal order: 38 bytes a run. */
/* A cell's profile accuracy and lost samples (doc/accuracy.md), from the run_end fields
 * profile_*, agent_samples, samples_lost and decode_errors (lib/results_profile.c). The
 * per-run series are aligned with the cell's ok runs (wall[k] ...): NaN where that run
 * has no verified profile. */
#define AB_PROFILE_FN_MAX 40 /* functions (with "(other)") a cell keeps shares of */
typedef struct ab_cell_profile {
    size_t verified, unverified; /* ok measured runs with a ground truth, by status */
    char *unverified_why;        /* the newest unverified run's reason */
    size_t n, cap;               /* series length: the cell's ok runs */
    double *error, *bound;       /* profile_error_pct, profile_bound_pct */
    size_t nfn;
    char *fn[AB_PROFILE_FN_MAX]; /* functions as the journal names them, "(other)" too */
    double truth[AB_PROFILE_FN_MAX];
    double *share[AB_PROFILE_FN_MAX];
    size_t lost_runs; /* measured runs (ok or not) with agent_samples */
    unsigned long long agent_samples, samples_lost, decode_errors; /* summed */
} ab_cell_profile;

/* A cell's profile figures: the error over its verified runs, the median bound and the
 * median share of each function. */
typedef struct ab_profile_stats {
    ab_summary error;
    double bound;
    size_t nfn;
    double share[AB_PROFILE_FN_MAX]; /* medians, NaN-free (0 when never seen) */
} ab_profile_stats;

/* The figures of schema v2 a cell keeps besides wall, CPU and RSS (doc/journal.md): each is
 * the run_end field of the same name, kept for the ok measured runs that have it (service
 * runs; exit_delay_s also batch runs whose benchmark marks the end of its work).
 * X(ID, field, unit): the unit is for people ("s", "req/s"). */
#define AB_V2FIGS(X)                           \
    X(THROUGHPUT, throughput_rps, "req/s")     \
    X(LATENCY_P50, latency_p50_s, "s")         \
    X(LATENCY_P90, latency_p90_s, "s")         \
    X(LATENCY_P99, latency_p99_s, "s")         \
    X(LATENCY_P999, latency_p999_s, "s")       \
    X(CPU_PER_REQUEST, cpu_per_request_s, "s") \
    X(EXIT_DELAY, exit_delay_s, "s")

#define AB_V2FIG_ID_(id, field, unit) AB_V2_##id,
typedef enum ab_v2fig {
    AB_V2FIGS(AB_V2FIG_ID_) AB_NV2FIGS
} ab_v2fig;
/* "throughput_rps" ..., and "req/s" ... */
const char *ab_v2fig_name(ab_v2fig f);
const char *ab_v2fig_unit(ab_v2fig f);

/* The values of one figure over a cell's ok measured runs that have it. */
typedef struct ab_series {
    size_t n, cap;
    double *v;
} ab_series;

typedef struct ab_cell {
    char *benchmark, *variant;
    size_t n, cap;
    double *wall, *user, *sys;            /* seconds; cpu = user + sys (ab_cell_values) */
    uint32_t *rss_kb;                     /* maxrss_kb */
    uint32_t *run;                        /* run_end.run: the round, for the paired analysis */
    uint16_t *steal_cpct;                 /* steal_pct in hundredths of a percent */
    uint32_t *migrations;                 /* CPU migrations of the run, AB_NO_MIGRATIONS if not
                                           * recorded */
    size_t failed;                        /* measured runs not ok (any non-ok status) */
    size_t no_profiles;                   /* runs flagged no_profiles */
    double last_wall;                     /* wall_s of the last ok run, 0 if none */
    unsigned long long profiles, samples; /* delivered, summed over measured runs
                                           * (ok or not; warm-ups excluded) */
    int is_baseline;                      /* variant == "baseline" */
    size_t index;                         /* in ab_results.cells */
    unsigned long changes;                /* bumped by every run_end it counts */
    struct ab_cell *hash_next;
    /* schema v2 */
    int is_service;           /* a run_end with kind "service" was seen */
    ab_series v2[AB_NV2FIGS]; /* the v2 figures of its ok measured runs */
    size_t exit_blocked;      /* ok measured runs killed at the timeout after their
                               * work: their exit_delay_s is a lower bound */
    double blocked_min;       /* the smallest of those lower bounds */
    double rate_rps;          /* the latency phase's offered rate (last run) */
    size_t warned;            /* measured runs whose run_end has warnings */
    char *warning;            /* the first of them (run N: text), or NULL */
    ab_cell_profile profile;
    int summarized; /* its summary event was written: runs all done */
} ab_cell;
#define AB_NO_MIGRATIONS UINT32_MAX

/* Figure f of c's k-th ok run; of every ok run into out[0..c->n). */
static inline double ab_cell_value(const ab_cell *c, ab_figure f, size_t k) {
    switch (f) {
        case AB_FIG_WALL: return c->wall[k];
        case AB_FIG_USER: return c->user[k];
        case AB_FIG_SYS: return c->sys[k];
        case AB_FIG_CPU: return c->user[k] + c->sys[k];
        case AB_FIG_RSS: return c->rss_kb[k];
        default: return 0;
    }
}
void ab_cell_values(const ab_cell *c, ab_figure f, double *out);

/* The noise of a cell's runs, shown beside its figures (doc/journal.md, "Noise"). */
typedef struct ab_noise {
    double steal_median, steal_max; /* steal_pct over the ok runs, percent */
    size_t migrations_n;            /* ok runs that recorded their CPU migrations */
    double migrations_median, migrations_max;
    double migrations_per_s;   /* median of migrations / wall_s */
    double cov;                /* wall time: stddev / mean (0 when n < 2) */
    int drift_valid;           /* n >= 3 and the wall times are not all equal */
    double drift_rho, drift_p; /* Spearman's rho of wall time against the run's place
                                * in the suite, and its two-sided p-value */
} ab_noise;

/* The statistics of one cell: a summary of every figure, its comparisons with the
 * baseline (paired by round in a shuffled suite with >= AB_PAIRED_MIN_ROUNDS complete
 * rounds, else unpaired), and its noise. fig[] and the named members are the same. */
typedef struct ab_cell_stats {
    union {
        ab_summary fig[AB_NFIGURES];
        struct {
            ab_summary wall, user, sys, cpu, rss;
        };
    };
    union {
        ab_ratio over[AB_NFIGURES]; /* valid only for compared figures */
        struct {
            ab_ratio over_wall, over_user, over_sys, over_cpu, over_rss;
        };
    };
    size_t pairs; /* complete rounds with the baseline */
    ab_noise noise;
    /* the schema v2 figures, each over the ok runs that have it, compared unpaired
     * (ab_results_v2_stats); n = 0: the cell has no such figure */
    ab_summary v2[AB_NV2FIGS];
    ab_ratio over_v2[AB_NV2FIGS];
} ab_cell_stats;
#define AB_PAIRED_MIN_ROUNDS 6

typedef struct ab_ingester {
    char *name, *mode, *url, *control;
    char *store; /* its --store directory (suite-relative), or NULL */
    int live;    /* started and not yet stopped */
} ab_ingester;

/* A flame graph the suite captured (a flamegraph event; the newest per benchmark and
 * variant). Paths are relative to the suite directory. */
typedef struct ab_flamegraph {
    char *benchmark, *variant; /* variant NULL: a system-wide capture */
    char *svg, *folded;
    unsigned long long samples;
    double t; /* when it was journaled */
} ab_flamegraph;

typedef struct ab_baseline_figure {
    char *kind, *name, *unit;
    double value;
} ab_baseline_figure;

/* A journal line ab_results_load skipped: its number (from 1) and why. */
typedef struct ab_skipped_line {
    unsigned long line;
    char *reason;
} ab_skipped_line;
#define AB_RESULTS_SKIPPED_MAX 100

typedef struct ab_results {
    char *suite, *host;
    ab_state state;
    char *benchmark, *variant; /* current (last run_start), NULL if none */
    unsigned long runs_done, runs_total, runs_failed;
    double eta_s, last_update; /* last_update: "t" of the newest event */
    double started;            /* "t" of the first suite_start */
    size_t ncells;
    ab_cell **cells; /* suite_start's benchmarks x variants (benchmark-
                      * major), then others by first appearance */
    size_t ningesters;
    ab_ingester **ingesters;
    size_t nbaseline;
    ab_baseline_figure **baseline;
    size_t nflamegraphs;
    ab_flamegraph **flamegraphs;
    unsigned long errors;  /* "error" events seen */
    json_t *warnings;      /* the "warning" events, in order (owned), or NULL */
    json_t *suite_start;   /* the first suite_start event (owned), or NULL */
    int shuffled;          /* suite_start.order is "shuffled": rounds pair */
    unsigned long changes; /* bumped by every event that changes the model */
    size_t hash_size;
    ab_cell **hash; /* cells by (benchmark, variant) */
    size_t scratch_len;
    char *scratch;
    unsigned long events;                /* events fed */
    unsigned long bad_lines;             /* complete journal lines ab_results_load skipped */
    unsigned long long incomplete_bytes; /* ... and the bytes of an incomplete last line */
    size_t nskipped;                     /* the first AB_RESULTS_SKIPPED_MAX skipped lines,
                                          * the incomplete one included */
    ab_skipped_line *skipped;
} ab_results;

ab_results *ab_results_new(void);
void ab_results_free(ab_results *r);
/* Feed one journal event. Unknown types are ignored. */
void ab_results_add(ab_results *r, json_t *ev);
/* Convenience: an ab_journal_event_cb whose arg is an ab_results *. */
void ab_results_add_cb(json_t *ev, void *results);
/* An ab_journal_line_cb whose arg is an ab_results *: the events lib/events.h's fast
 * reader takes go straight into the model (1), the others are left to the JSON path (0).
 * A reader feeding a model sets it with ab_journal_reader_on_line. */
int ab_results_add_line(const char *line, size_t len, void *results);
/* Load a whole journal file, keeping what it skipped (bad_lines, skipped). Returns NULL
 * and fills err if unreadable. */
ab_results *ab_results_load(const char *journal_path, char *err, size_t errlen);
/* An ab_journal_skip_cb whose arg is an ab_results *: keeps a skipped line (the first
 * AB_RESULTS_SKIPPED_MAX). */
void ab_results_skipped_cb(unsigned long line, const char *reason, void *results);

/* The cell of (benchmark, variant), by hash; NULL if none. */
ab_cell *ab_results_find(const ab_results *r, const char *benchmark, const char *variant);
/* The baseline cell of c's benchmark (NULL for a baseline or when there is none). */
const ab_cell *ab_results_baseline_of(const ab_results *r, const ab_cell *c);
/* Statistics of one cell (comparisons against ab_results_baseline_of; lib/analysis.c).
 * Family-wise verdicts need every cell: lib/analysis.h. */
void ab_results_cell_stats(const ab_results *r, const ab_cell *c, ab_cell_stats *out);
/* 1 when the summary of figure f of a cell is a lower bound: its median is at or above
 * the exit delay of a run killed at the timeout (exit_delay_s only). */
int ab_v2fig_censored(const ab_cell *c, const ab_summary *s, ab_v2fig f);
/* The v2 figures' part of ab_results_cell_stats: out->v2 and out->over_v2 (unpaired:
 * a figure's runs are not every run of its round). */
void ab_results_v2_stats(const ab_results *r, const ab_cell *c, ab_cell_stats *out);
/* The suite is over: suite_end seen (done, failed or interrupted) and no resume since.
 * Before that every figure is interim, and no verdict is given (lib/analysis.h). */
int ab_results_final(const ab_results *r);
/* The profile figures of a cell (zeros when it has no verified run). */
void ab_results_profile_stats(const ab_cell *c, ab_profile_stats *out);

/* Percent of planned measured runs done, 0..100. */
double ab_results_progress(const ab_results *r);

#endif
