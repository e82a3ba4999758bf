/* flamegraph/flamegraph.h: the flame graph part's contract with the rest of the runner:
 * what `agentbench run --flamegraph` calls (the `agentbench flamegraph` command itself is
 * rn_cmd_flamegraph, in commands.h). Everything else in this folder is its inside: capture
 * (capture.c: perf, bpftrace), folding (fold*.c: stacks as "root;...;leaf COUNT"),
 * rendering (svg*.c, render.c) and the differential view (diff.c). */
#ifndef AB_RUNNER_FLAMEGRAPH_H
#define AB_RUNNER_FLAMEGRAPH_H

#include <stddef.h>

/* Run argv (with envp) once under `perf record -g -e cpu-clock -F 99` (not measured),
 * then fold its stacks into OUTDIR/LABEL.folded and render OUTDIR/LABEL.svg titled TITLE.
 * Returns the number of samples folded (>= 0), or -1 with a message in err. */
long rn_fg_capture_command(char *const argv[], char *const envp[], const char *outdir,
                           const char *label, const char *title, char *err, size_t errlen);

/* The reference sampler of `agentbench run`'s perf variant: argv under `perf record -g -e
 * cpu-clock -F 99 -o perf_data` (the capture above), as a new NULL-terminated array whose
 * strings are argv's and perf_data (free() the array only). */
char **rn_fg_perf_record_argv(char *const argv[], const char *perf_data);
/* Fold perf_data (`perf script`, idle dropped) into the folded file folded; perf_data is
 * removed. Returns the samples folded (>= 0), or -1 with a message in err. */
long rn_fg_perf_fold(const char *perf_data, const char *folded, char *err, size_t errlen);

/* Differential view: frames the profiled capture spends more samples in than the baseline
 * capture (both .folded files, normalised to their totals). Writes OUTDIR/LABEL.diff.svg
 * (red = more in profiled, blue = less) and OUTDIR/LABEL.diff.txt (top frames by extra
 * share). Returns 0 or -1 with err. */
int rn_fg_diff(const char *baseline_folded, const char *profiled_folded, const char *outdir,
               const char *label, const char *title, char *err, size_t errlen);

#endif
