/* run.h: the state of one `agentbench run` suite and the steps that share it:
 *   run.c           the command: options, benchmarks, CPU placement, then the steps below
 *   run_resume.c    --resume: the suite's options and what it already did, from one read
 *                   of its journal
 *   run_journal.c   the suite's directory, lock and journal; every event goes through
 *                   rn_suite_emit() to the journal and to the results model
 *   run_ingesters.c the ingesters' lifecycle: started per variant (or one remote one,
 *                   switched per variant), restarted if one dies, stopped at the end
 *   run_suite.c     the loop: per benchmark its build, warm-up and rounds of runs
 *                   (shuffled or blocked, fixed counts or until the CIs are tight) and
 *                   its summaries
 *   run_capture.c   run --flamegraph: after a benchmark's runs, one captured run per
 *                   variant, through runner/flamegraph/flamegraph.h
 *   run_one.c       one run: environment, ingester counters, measurement, status, events
 *   run_checks.c    whether the runs span what they should (expected_duration, 3 upload
 *                   intervals of the agent): warning events
 *   run_profile.c   a run's profile against the benchmark's ground truth, the perf
 *                   variant's capture, and the samples the agent lost (doc/accuracy.md)
 *   service/        one run of a service benchmark: ready, warm-up, capacity, latency,
 *                   SIGTERM (service/service.h), called by run_one.c
 */
#ifndef AB_RUNNER_RUN_H
#define AB_RUNNER_RUN_H

#include <limits.h>
#include <time.h>
#include <uv.h>
#include <jansson.h>
#include "accuracy/accuracy.h"
#include "benchdir.h"
#include "events.h"
#include "ingester.h"
#include "ingester_stats.h"
#include "journal.h"
#include "analysis.h"
#include "results.h"
#include "run_options.h"

typedef struct resume_tally resume_tally; /* run_resume.c */

typedef struct suite {
    run_options o;
    strlist argv; /* the options as given (kept in suite_start) */
    int resumed;  /* --resume: options and runs come from the journal */
    benchmark **bench;
    int nbench, nvar;
    uv_loop_t loop;
    uv_signal_t sigint, sigterm;
    int interrupted;     /* the signal that interrupted the suite, or 0 */
    int journal_errno;   /* a journal write failed (errno): the suite stops */
    int stop;            /* stop after what runs now: interrupted,
                          * journal_errno or stop_why */
    char stop_why[1024]; /* why the suite stopped itself, or "" */
    ab_journal *journal;
    ab_results *results;   /* the model, fed with every event we write */
    ab_analysis *analysis; /* its statistics, updated for each summary event */
    char results_dir[PATH_MAX], dir[PATH_MAX], id[80];
    char journal_path[PATH_MAX + 32];
    const char *helper, *ingester_bin;
    ingester *ing; /* per variant (index), NULL entries for baseline */
    ingester remote;
    int is_remote;
    char *remote_mode; /* the remote ingester's current mode */
    char cpu_bench[256], cpu_ingester[256];
    char cpu_load[256]; /* the load generator's (service benchmarks) */
    unsigned long seq, done, total;
    unsigned long runs_executed; /* in this process, for the ETA */
    double first_run_at;         /* mono time the first run of this process started */
    double started;              /* mono time the suite (this process) started */
    int build_failed;
    int has_truth;           /* a benchmark declares a ground truth */
    char perf_bin[PATH_MAX]; /* perf's path ("" = not installed) */
    /* resume: runs already in the journal per benchmark x variant */
    int *resumed_measured, *resumed_warmup;
    char **ref_checksum; /* per benchmark */
    int *summarized;     /* per benchmark: its summary events are in the journal */
    int *ref_from_baseline;
    double *load_rate;   /* per benchmark: the latency phase's fixed offered rate
                          * (service benchmarks; 0 = not fixed yet) */
    resume_tally *tally; /* the journal read by name, until rn_suite_resume_apply */
} suite;

/* ---- run_journal.c ---- */
/* The suite's directory (created unless resumed), its logs/, the lock that keeps a second
 * runner out, the journal (opened for appending) and `latest`. 0, or the exit status. */
int rn_suite_open(suite *s);
/* Write an event (made by a lib/events.h builder) to the journal and feed the same event
 * to the results model. Steals ev (NULL: nothing). If the write fails (a full disk), the
 * event is in neither (the journal was cut back to its last complete line), the error is
 * said once, and the suite stops (journal_errno, stop): nothing more is written. */
void rn_suite_emit(suite *s, json_t *ev);
/* An error event (benchmark, variant may be NULL). */
void rn_suite_error(suite *s, const char *message, const char *benchmark, const char *variant);
/* The suite_start event (on a resume, a second one, with the first one's argv), then the
 * host baseline figures. */
void rn_suite_emit_start(suite *s);
/* The suite_end event with status (tried even after a failed write: there may be room
 * again); closes the journal. */
void rn_suite_emit_end(suite *s, const char *status);

/* ---- run_resume.c ---- */
/* --resume ARG: read the suite's journal once into s->results and a tally, and take the
 * suite's options, id and directories from it. 0, or the exit status (message printed). */
int rn_suite_resume_load(suite *s, const char *arg);
/* What the resuming user named on the command line. */
typedef struct resume_named {
    strlist dirs;                                         /* benchmark directories (as given) */
    char *ingester_bin, *ingester_url, *ingester_control; /* NULL: not given */
    int trust;                                            /* --trust-journal */
} resume_named;
/* After rn_suite_resume_load: the programs the journal names (its benchmark directories,
 * its --ingester, its remote ingester) against what the user named. Each named one must
 * be the journal's; and unless --trust-journal, all must be named. 0, or 2 with the
 * difference (or what to name) printed. arg: the --resume argument, for the messages. */
int rn_suite_resume_confirm(suite *s, const resume_named *named, const char *arg);
/* Once the benchmarks are resolved: the tally into resumed_*, ref_checksum, summarized,
 * seq and done. */
void rn_suite_resume_apply(suite *s);

/* ---- run_ingesters.c ---- */
/* Start an ingester per profiled variant (or check the remote one). 0, or -1. */
int rn_ingesters_start(suite *s);
/* Before a profiled run of benchmark bi in variant vi: a remote ingester is switched to
 * the variant's mode (when it refuses: an error event, and the suite stops with stop_why),
 * a local one that died is restarted (journaled). 0, or -1 when the remote one refused or
 * the local one cannot be restarted. */
int rn_ingester_ensure(suite *s, int bi, int vi);
/* The control URL of variant vi's ingester, or NULL. */
const char *rn_ingester_control_of(suite *s, int vi);
/* The data URL profiled runs of variant vi send to, or NULL. */
const char *rn_ingester_url_of(suite *s, int vi);
void rn_ingesters_stop(suite *s);

/* The offered rate of benchmark bi's latency phase is fixed (journaled as load_rate): from
 * the capacity a run measured (source "warmup" or "run", variant), or as given. */
void rn_suite_fix_load_rate(suite *s, int bi, double rate, double capacity, const char *variant,
                            const char *source);

/* ---- run_suite.c ---- */
/* Every benchmark's build and runs. Returns 0, or -1 when the suite was interrupted. */
int rn_suite_run_all(suite *s);

/* ---- run_capture.c ---- */
/* One run per variant of benchmark bi under perf: flame graphs, differential ones against
 * the baseline's, a flamegraph (or error) event each. */
void rn_suite_capture_flamegraphs(suite *s, int bi);

/* One run of benchmark bi under perf (its profiler off), before its measured runs, when
 * it declares a ground truth: a truth function perf never sees, where it should have
 * seen it ten times over, is a configuration error (-1, message in err). 0 otherwise
 * (checked, or not checkable here: a warning says why). */
int rn_suite_check_truth(suite *s, int bi, char *err, size_t errlen);

/* ---- run_checks.c ---- */
/* Before the runs: benchmarks whose expected_duration spans fewer than 3 upload
 * intervals of a profiler they run under. After benchmark bi's runs: runs shorter than
 * its expected_duration or than 3 intervals. Each a warning event. Not with --quick. */
void rn_suite_check_plan(suite *s);
void rn_suite_check_measured(suite *s, int bi);

/* ---- run_profile.c ---- */
/* One run's profile against the ground truth, and the samples its agent lost. */
typedef struct run_profile {
    int truth, agent, perf;        /* a ground truth; the variant runs the agent / perf */
    char *counters_path;           /* the agent's AGENTBENCH_AGENT_COUNTERS file */
    char *perf_data, *perf_folded; /* the perf variant's capture and its folded stacks */
    char *store_dir;               /* the variant's ingester store (the agent's stacks) */
    char before_type[64];          /* the CPU-time profile type read before the run */
    char *extra_env[3];            /* what the run's environment gets, NULL-terminated */
    const char *bench_dir;         /* perf: where Node.js leaves its V8 log */
    time_t started;
    ab_tally before; /* the store's stacks before the run */
    char why[512];   /* "unverified: ..." once something failed, else "" */
    /* for run_end */
    const char *status; /* "verified", or why; NULL without a ground truth */
    int has_accuracy, has_agent_samples, has_decode_errors;
    ab_accuracy acc;
    long long agent_samples, samples_lost, decode_errors;
    json_t *shares;
} run_profile;

/* "NODE_OPTIONS=... --perf-basic-prof" (the inherited options kept), malloc'd: what a
 * run under perf gets, so that Node.js names its JIT frames in /tmp/perf-PID.map. */
char *rn_run_profile_node_options(void);
/* After a run under perf, its perf stacks folded: with --perf-basic-prof Node.js leaves a
 * V8 log isolate-ADDR-PID-v8.log in its directory and /tmp/perf-PID.map; the ones in dir
 * written since then go. */
void rn_run_profile_node_cleanup(const char *dir, time_t since);
/* The variant's ingester store (--store), created, malloc'd. */
char *rn_run_profile_store_dir(suite *s, int vi);
/* Before run number seq of benchmark bi in variant vi: what to collect, and where. */
void rn_run_profile_begin(suite *s, int bi, int vi, unsigned long seq, run_profile *p);
/* The run's argv: under perf in the perf variant (a new array to free(); else argv). */
char **rn_run_profile_argv(suite *s, run_profile *p, char **argv);
/* The agent's stacks before the run, given the application's figures (counted: they
 * were read). */
void rn_run_profile_before(suite *s, int bi, run_profile *p, const ab_ingester_app_stats *a0,
                           int counted);
/* After the run: the counters file, the application's figures after it, the profile. */
void rn_run_profile_after(suite *s, int bi, run_profile *p, const ab_ingester_app_stats *a0,
                          const ab_ingester_app_stats *a1, int counted);
/* Its fields into re (valid until rn_run_profile_free). */
void rn_run_profile_fields(const run_profile *p, ab_ev_run_end *re);
void rn_run_profile_free(run_profile *p);

/* ---- run_one.c ---- */
/* One run of benchmark bi in variant vi (run number within the cell, planned count, or
 * run 0 for a warm-up). Returns 0, or -1 when the suite was interrupted meanwhile. */
int rn_run_one(suite *s, int bi, int vi, int run, int planned, int warmup);
/* The profiler of benchmark bi's runs in variant vi: the variant's ("fast/datadog-nodejs"),
 * else the benchmark's default; NULL for the baseline or an unprofiled benchmark. */
const struct ab_profiler *rn_run_profiler(suite *s, int bi, int vi);
/* The same for a variant by name. */
const struct ab_profiler *rn_run_profiler_of(suite *s, int bi, const char *variant);
/* The environment of a run of benchmark bi in variant vi (malloc'd, NULL-terminated;
 * rn_run_environment_free). */
char **rn_run_environment(suite *s, int bi, int vi, int run);
/* The same for a variant by name sending to url (NULL: none), with extra "NAME=value"
 * entries (NULL-terminated, or NULL) that replace the inherited ones of those names. */
char **rn_run_environment_of(suite *s, int bi, const char *variant, const char *url, int run,
                             char *const *extra);
void rn_run_environment_free(char **env);
/* argv of a benchmark's run, honouring --quick. */
void rn_run_argv(suite *s, int bi, strlist *argv);
/* Seconds per run allowed for benchmark bi. */
double rn_run_timeout(suite *s, int bi);
/* Last "checksum: X" line in buf (malloc'd), or NULL. */
char *rn_checksum_scan(const char *buf);
/* The last "work_end: T" line in buf: T (CLOCK_MONOTONIC seconds, > 0) into *t; 0, or -1
 * when there is none. */
int rn_work_end_scan(const char *buf, double *t);

#endif
