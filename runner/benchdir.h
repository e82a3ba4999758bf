/* benchdir.h: benchmark directories (doc/internals.md): an executable `run`, optional
 * `build` and `bench.conf` (key = value). Finding, validating and describing them. */
#ifndef AB_RUNNER_BENCHDIR_H
#define AB_RUNNER_BENCHDIR_H

#include <stddef.h>
#include "accuracy/accuracy.h"
#include "util.h"

/* A service benchmark's bench.conf keys (doc/internals.md, "Service benchmarks"). */
typedef struct service_conf {
    char *ready_path;                        /* GET it answers 200 once ready (default /healthz) */
    double ready_timeout;                    /* seconds (default 10) */
    double warmup_s, capacity_s, duration_s; /* defaults 5, 10, 30 */
    double quick_warmup_s, quick_capacity_s, quick_duration_s; /* 0.5, 1, 2 */
    int load_connections;                                      /* default 16 */
    char *load_paths;    /* white-space separated GET paths (default /) */
    char *digest_header; /* NULL: no checksum from the client's side */
} service_conf;

typedef enum bench_kind {
    KIND_BATCH,
    KIND_SERVICE
} bench_kind;

typedef struct benchmark {
    char *name; /* the directory's base name */
    char *dir;  /* absolute path */
    char *description, *profiler, *args, *quick_args;
    strlist profilers; /* bench.conf `profiler = A, B`: the profilers it can run
                        * under (profiler.h names), its default first; empty: none */
    double timeout;    /* bench.conf timeout, 0 when not given (a service: from
                        * SIGTERM to exit) */
    double expected_duration;
    int has_build;
    bench_kind kind;  /* bench.conf kind: batch (default) or service */
    service_conf svc; /* kind service */
    ab_truth truth;   /* truth.FUNCTION = SHARE lines; truth.n == 0: none */
} benchmark;

/* Parse bench.conf text into b (unknown keys are ignored; '#' starts a comment).
 * Returns 0, or -1 with a message in err for a line that is not `key = value`, a bad
 * `truth.FUNCTION = SHARE` line, or a ground truth summing to more than 100%. */
int rn_benchconf_parse(benchmark *b, const char *text, char *err, size_t errlen);

/* Load the benchmark in dir. Returns NULL with a message in err when dir is not a
 * directory or has no executable `run`, or bench.conf is malformed. */
benchmark *rn_benchmark_load(const char *dir, char *err, size_t errlen);
void rn_benchmark_free(benchmark *b);

/* Resolve command line arguments to benchmarks: a benchmark directory; a directory
 * holding benchmark directories (each direct child with a `run`); or a name found in the
 * default benchmarks directory. With no arguments, the default benchmarks directory.
 * Returns the count, or -1 with a message in err. */
int rn_benchmarks_resolve(char **args, int nargs, benchmark ***out, char *err, size_t errlen);
void rn_benchmarks_free(benchmark **v, int n);

/* 1 when the benchmark runs a profiler ("profiler" not "none") */
int rn_benchmark_profiled(const benchmark *b);
/* The profiler its profiled runs use unless the suite names one: the first listed, or
 * NULL for none. */
const char *rn_benchmark_default_profiler(const benchmark *b);
/* 1 when the benchmark can run under the named profiler. */
int rn_benchmark_supports(const benchmark *b, const char *profiler);
/* "batch" or "service" */
const char *rn_benchmark_kind_name(const benchmark *b);

#endif
