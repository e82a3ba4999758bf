/* measure.h: one measured run of a benchmark, through the static helper
 * agentbench-measure: one helper process per suite (--serve) that fork/execs each run in
 * a process group of its own, wait4()s it and reports its rusage on a pipe; the runner
 * supervises it on the libuv loop with a timeout that kills the run's whole process group.
 * doc/measurement.md explains the choice. */
#ifndef AB_RUNNER_MEASURE_H
#define AB_RUNNER_MEASURE_H

#include <uv.h>

typedef struct run_spec {
    char **argv;             /* program and arguments, NULL-terminated */
    char **env;              /* environment, NULL-terminated */
    const char *cwd;
    const char *cpus;        /* CPU list for the run, NULL or "" for no pinning */
    const char *out_path;    /* the run's stdout and stderr are appended to this file */
    double timeout_s;        /* 0 = none */
} run_spec;

typedef struct run_result {
    int reported;            /* the helper reported the end of the run */
    int timed_out, interrupted;
    int exited, exit_code, signal;
    double wall_s, user_s, sys_s;
    long maxrss_kb, nvcsw, nivcsw, minflt, majflt;
    long leftover;           /* processes that outlived the run (the helper killed them) */
    long long log_cut;       /* bytes of the run's output cut from the log */
    char tracking[16];       /* how they were found: "cgroup" or "tree" */
    char leftover_names[200];/* "sleep[1234],server[1240]": the first few */
    long long migrations;    /* CPU migrations of the run's processes; -1: not counted */
} run_result;

/* Run spec to completion on loop (starting the helper on first use). Returns 0 when the
 * run was carried out (whatever its outcome; see res), -1 when it could not be started
 * (message in err). */
int measure_run(uv_loop_t *loop, const run_spec *spec, run_result *res, char *err,
                size_t errlen);

/* Stop the helper (end of suite). */
void measure_shutdown(uv_loop_t *loop);

/* Kill the run in progress (its whole process group) and mark it interrupted; safe to
 * call from a uv signal callback. No-op when no run is in progress. */
void measure_interrupt(void);

/* Parse the helper's "end KEY=VALUE..." line (doc/measurement.md) into res: every field
 * checked (status exited|signaled, code 0..255, signal 0..127, finite non-negative times,
 * non-negative counts; unknown keys ignored). 0, or -1 with res untouched. */
int measure_parse_end(const char *line, run_result *res);
/* One line of the helper's reports as measure_run reads it ("end ...", "fail"): 1 when it
 * ends the run in progress (*failed set for "fail"), 0 when it is not a report. */
int measure_take_line(const char *line, size_t len, int has_nul, run_result *res,
                      int *failed);

/* Serialise a request for `agentbench-measure --serve` (malloc'd, length in *len). */
char *measure_request(const run_spec *spec, size_t *len);

/* Path of agentbench-measure: next to the agentbench binary, else PREFIX/libexec/agentbench. */
const char *measure_helper_path(void);

#endif
