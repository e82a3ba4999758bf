/* run_options.h: the options of `agentbench run`, parsed from its command line (or, on
 * --resume, from the argv the suite was started with, kept in its suite_start event). */
#ifndef AB_RUNNER_RUN_OPTIONS_H
#define AB_RUNNER_RUN_OPTIONS_H

#include <stdint.h>
#include <stdio.h>
#include "util.h"

typedef struct run_options {
    strlist variants;  /* "baseline" first when present; with --profiler, every
                        * profiled mode once per profiler ("fast/datadog-nodejs") */
    strlist profilers; /* --profiler: profiler.h names; empty = each benchmark's own */
    char *server_url;  /* --server-url: an external server, no control endpoint */
    double slow_delay; /* --slow-delay, seconds */
    int shuffled;      /* --order shuffled (1) | blocked (0) */
    uint64_t seed;
    int seed_given;
    int warmup, runs, min_runs, max_runs;
    double target_ci;               /* percent, 0 = off */
    double timeout;                 /* --timeout seconds, 0 = bench.conf's or 300 */
    char *cpu_bench, *cpu_ingester; /* NULL = default placement, "" = none */
    int quick, quiet, flamegraph;
    int trust_journal; /* --resume: run what the journal names, unconfirmed */
    char *results;     /* --results DIR */
    char *resume;      /* --resume DIR */
    char *ingester_url, *ingester_control, *ingester_bin;
    double upload_interval; /* --upload-interval (PYROSCOPE_UPLOAD_INTERVAL...); 0 = the
                             * agents' own */
    /* service benchmarks */
    char *cpu_load;    /* --cpu-load: NULL = the ingesters' CPUs, "" = none */
    double duration;   /* --duration: the latency phase's window, 0 = bench.conf's */
    double load_rate;  /* --load-rate R: fixed offered rate, 0 = measured */
    double load_share; /* --load-rate P%: share of the baseline's capacity (0.6) */
    strlist dirs;      /* benchmark directories */
} run_options;

/* The variant `perf`: the benchmark under `perf record` (the reference sampler of
 * profile accuracy, doc/accuracy.md), its own profiler off, no ingester. */
#define VARIANT_PERF "perf"
/* 1 when variant v runs the benchmark's profiler against an ingester: not baseline, not
 * perf. */
int rn_variant_has_agent(const char *v);

/* Parse argv (argv[0] is "run"). Returns 0, 1 when --help was printed, or 2 on a usage
 * error (message printed). */
int rn_run_options_parse(run_options *o, int argc, char **argv);
void rn_run_options_free(run_options *o);
void rn_run_usage(FILE *f);

#endif
