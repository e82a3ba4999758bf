/* flamegraph.h: stack capture (perf, bpftrace), folding and SVG rendering, as used by
 * `agentbench flamegraph` and by `agentbench run --flamegraph`. */
#ifndef AB_FLAMEGRAPH_H
#define AB_FLAMEGRAPH_H

#include <stddef.h>

/* Run argv (with envp) once under `perf record -g -e cpu-clock -F 99` (not measured),
 * then fold its stacks into OUTDIR/LABEL.folded and render OUTDIR/LABEL.svg titled TITLE.
 * Returns the number of samples folded (>= 0), or -1 with a message in err. */
long fg_capture_command(char *const argv[], char *const envp[], const char *outdir,
                        const char *label, const char *title, char *err, size_t errlen);

/* Differential view: frames the profiled capture spends more samples in than the baseline
 * capture (both .folded files, normalised to their totals). Writes OUTDIR/LABEL.diff.svg
 * (red = more in profiled, blue = less) and OUTDIR/LABEL.diff.txt (top frames by extra
 * share). Returns 0 or -1 with err. */
int fg_diff(const char *baseline_folded, const char *profiled_folded, const char *outdir,
            const char *label, const char *title, char *err, size_t errlen);

#endif
