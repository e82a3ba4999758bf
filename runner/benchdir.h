/* benchdir.h: benchmark directories (doc/internals.md): an executable `run`, optional
 * `build` and `bench.conf` (key = value). Finding, validating and describing them. */
#ifndef AB_RUNNER_BENCHDIR_H
#define AB_RUNNER_BENCHDIR_H

#include <stddef.h>
#include "accuracy/accuracy.h"
#include "util.h"

typedef struct benchmark {
    char *name;            /* the directory's base name */
    char *dir;             /* absolute path */
    char *description, *profiler, *args, *quick_args;
    double timeout;        /* bench.conf timeout, 0 when not given */
    double expected_duration;
    int has_build;
    ab_truth truth;        /* truth.FUNCTION = SHARE lines; truth.n == 0: none */
} benchmark;

/* Parse bench.conf text into b (unknown keys are ignored; '#' starts a comment).
 * Returns 0, or -1 with a message in err for a line that is not `key = value`, a bad
 * `truth.FUNCTION = SHARE` line, or a ground truth summing to more than 100%. */
int benchconf_parse(benchmark *b, const char *text, char *err, size_t errlen);

/* Load the benchmark in dir. Returns NULL with a message in err when dir is not a
 * directory or has no executable `run`, or bench.conf is malformed. */
benchmark *benchmark_load(const char *dir, char *err, size_t errlen);
void benchmark_free(benchmark *b);

/* Resolve command line arguments to benchmarks: a benchmark directory; a directory
 * holding benchmark directories (each direct child with a `run`); or a name found in the
 * default benchmarks directory. With no arguments, the default benchmarks directory.
 * Returns the count, or -1 with a message in err. */
int benchmarks_resolve(char **args, int nargs, benchmark ***out, char *err, size_t errlen);
void benchmarks_free(benchmark **v, int n);

/* 1 when the benchmark runs a profiler ("profiler" not "none") */
int benchmark_profiled(const benchmark *b);

#endif
