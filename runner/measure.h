/* measure.h: one measured run of a benchmark, through the static helper
 * agentbench-measure: one helper process per suite (--serve) that fork/execs each run in
 * a process group of its own, wait4()s it and reports its rusage on a pipe; the runner
 * supervises it on the libuv loop with a timeout that kills the run's whole process group.
 * A service run (term_timeout_s > 0) is started with rn_measure_start(), runs while the caller
 * drives its load on the same loop, and is stopped with rn_measure_terminate() (the helper
 * sends SIGTERM and times the exit). doc/measurement.md explains the choice. */
#ifndef AB_RUNNER_MEASURE_H
#define AB_RUNNER_MEASURE_H

#include <uv.h>

typedef struct run_spec {
    char **argv; /* program and arguments, NULL-terminated */
    char **env;  /* environment, NULL-terminated */
    const char *cwd;
    const char *cpus;      /* CPU list for the run, NULL or "" for no pinning */
    const char *out_path;  /* the run's stdout and stderr are appended to this file */
    double timeout_s;      /* 0 = none */
    double term_timeout_s; /* > 0: a service run (pid reported, SIGTERM on request, then
                            * killed after this long); 0: a batch run */
} run_spec;

typedef struct run_result {
    int reported; /* the helper reported the end of the run */
    int timed_out, interrupted;
    int exited, exit_code, signal;
    double wall_s, user_s, sys_s;
    long maxrss_kb, nvcsw, nivcsw, minflt, majflt;
    /* CLOCK_MONOTONIC (ab_mono_s()) seconds, as the helper took them: the start (before
     * vfork), the end (wait4 returned), the SIGTERM of rn_measure_terminate() (0: none) */
    double t_start, t_end, t_term;
    int pid;                  /* a service run's pid, once the helper reported it; else 0 */
    long leftover;            /* processes that outlived the run (the helper killed them) */
    long long log_cut;        /* bytes of the run's output cut from the log */
    char tracking[16];        /* how they were found: "cgroup" or "tree" */
    char leftover_names[200]; /* "sleep[1234],server[1240]": the first few */
    long long migrations;     /* CPU migrations of the run's processes; -1: not counted */
} run_result;

/* Run spec to completion on loop (starting the helper on first use). Returns 0 when the
 * run was carried out (whatever its outcome; see res), -1 when it could not be started
 * (message in err). */
int rn_measure_run(uv_loop_t *loop, const run_spec *spec, run_result *res, char *err,
                   size_t errlen);

/* The same in steps, for a service run: start it (0, or -1 with err); while
 * rn_measure_running() the caller drives the loop; rn_measure_terminate() asks the helper for
 * the SIGTERM, rn_measure_kill() for a SIGKILL of the run's process group; rn_measure_wait()
 * runs the loop until the run is reported (0), or returns -1 with err when the helper
 * failed it. res is filled as by rn_measure_run(). */
int rn_measure_start(uv_loop_t *loop, const run_spec *spec, run_result *res, char *err,
                     size_t errlen);
int rn_measure_running(void);
void rn_measure_terminate(void);
void rn_measure_kill(void);
int rn_measure_wait(uv_loop_t *loop, char *err, size_t errlen);

/* Stop the helper (end of suite). */
void rn_measure_shutdown(uv_loop_t *loop);

/* Kill the run in progress (its whole process group) and mark it interrupted; safe to
 * call from a uv signal callback. No-op when no run is in progress. */
void rn_measure_interrupt(void);

/* Parse the helper's "end KEY=VALUE..." line (doc/measurement.md) into res: every field
 * checked (status exited|signaled, code 0..255, signal 0..127, finite non-negative times,
 * non-negative counts, the optional start/end/term clock readings; unknown keys ignored). 0, or -1
 * with res untouched. */
int rn_measure_parse_end(const char *line, run_result *res);
/* One line of the helper's reports as rn_measure_run reads it ("end ...", "fail", "pid N"):
 * 1 when it ends the run in progress (*failed set for "fail"), 0 when it does not ("pid N"
 * of a service run sets res->pid). */
int rn_measure_take_line(const char *line, size_t len, int has_nul, run_result *res, int *failed);

/* Serialise a request for `agentbench-measure --serve` (malloc'd, length in *len). */
char *rn_measure_request(const run_spec *spec, size_t *len);

/* Path of agentbench-measure: next to the agentbench binary, else PREFIX/libexec/agentbench. */
const char *rn_measure_helper_path(void);

#endif
