/* run.h: the state of one `agentbench run` suite, shared by run.c (the command and its
 * loop over benchmarks, rounds and variants), run_one.c (one run: environment, ingester
 * counters, measurement, status, journal) and run_resume.c (replaying a journal). */
#ifndef AB_RUNNER_RUN_H
#define AB_RUNNER_RUN_H

#include <limits.h>
#include <uv.h>
#include <jansson.h>
#include "benchdir.h"
#include "ingester.h"
#include "journal.h"
#include "results.h"
#include "run_options.h"

typedef struct suite {
    run_options o;
    strlist argv;                  /* the options as given (kept in suite_start) */
    benchmark **bench;
    int nbench, nvar;
    uv_loop_t loop;
    uv_signal_t sigint, sigterm;
    int interrupted;               /* the signal that interrupted the suite, or 0 */
    ab_journal *journal;
    ab_results *results;           /* the model, fed with every event we write */
    char results_dir[PATH_MAX], dir[PATH_MAX], id[80];
    const char *helper, *ingester_bin;
    ingester *ing;                 /* per variant (index), NULL entries for baseline */
    ingester remote;
    int is_remote;
    char *remote_mode;             /* the remote ingester's current mode */
    char cpu_bench[256], cpu_ingester[256];
    unsigned long seq, done, total;
    unsigned long runs_executed;   /* in this process, for the ETA */
    double first_run_at;           /* mono time the first run of this process started */
    double started;                /* mono time the suite (this process) started */
    int build_failed;
    /* resume: runs already in the journal per benchmark x variant */
    int *resumed_measured, *resumed_warmup;
    char **ref_checksum;           /* per benchmark */
    int *summarized;               /* per benchmark: its summary events are in the journal */
    int *ref_from_baseline;
} suite;

/* Write an event (made by a lib/events.h builder) to the journal and feed the same event
 * to the results model. Steals ev (NULL: nothing). */
void suite_emit(suite *s, json_t *ev);
/* An error event (benchmark, variant may be NULL). */
void suite_error(suite *s, const char *message, const char *benchmark, const char *variant);

/* One run of benchmark bi in variant vi (run number within the cell, planned count, or
 * run 0 for a warm-up). Returns 0, or -1 when the suite was interrupted meanwhile. */
int run_one(suite *s, int bi, int vi, int run, int planned, int warmup);
/* The environment of a run of benchmark bi in variant vi (malloc'd, NULL-terminated). */
char **run_environment(suite *s, int bi, int vi, int run);
/* argv of a benchmark's run, honouring --quick. */
void run_argv(suite *s, int bi, strlist *argv);
/* Seconds per run allowed for benchmark bi. */
double run_timeout(suite *s, int bi);
/* Last "checksum: X" line in buf (malloc'd), or NULL. */
char *checksum_scan(const char *buf);

/* Make sure variant vi's local ingester is alive (restarting it, journaled, if it died).
 * Returns 0, or -1 when it cannot be restarted. */
int ingester_ensure(suite *s, int vi);

/* Resume: count the runs in the journal (fills resumed_*, ref_checksum, summarized, seq,
 * done). */
int suite_resume_scan(suite *s, const char *journal_path, char *err, size_t errlen);

#endif
