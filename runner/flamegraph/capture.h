/* flamegraph/capture.h: capturing stacks with perf or bpftrace, system-wide, for one
 * process, or for one command, folded straight into a stack set. */
#ifndef AB_RUNNER_FG_CAPTURE_H
#define AB_RUNNER_FG_CAPTURE_H

#include <stddef.h>
#include <sys/types.h>
#include "fold.h"

typedef enum fg_backend {
    FG_BACKEND_PERF,
    FG_BACKEND_BPFTRACE
} fg_backend;

typedef struct fg_capture_opts {
    fg_backend backend;
    int seconds;  /* 1..86400 */
    pid_t pid;    /* 0: every CPU, every process */
    int progress; /* print progress on stderr */
} fg_capture_opts;

/* Sample stacks at 99 Hz for o->seconds and fold them (idle dropped) into s.
 * Returns 0, or -1 with a message in err. */
int rn_fg_capture_system(const fg_capture_opts *o, fg_stacks *s, fg_fold_stats *st, char *err,
                         size_t errlen);

/* Run argv (with envp) under `perf record -g -e cpu-clock -F 99 -o perf_data` and fold
 * its stacks into s (perf_data is removed afterwards). Returns 0 or -1 with err. */
int rn_fg_capture_argv(char *const argv[], char *const envp[], const char *perf_data, fg_stacks *s,
                       fg_fold_stats *st, char *err, size_t errlen);

/* `perf script -i perf_data` folded into s. Returns 0 or -1 with err. */
int rn_fg_perf_script_fold(const char *perf_data, fg_stacks *s, fg_fold_stats *st, char *err,
                           size_t errlen);

#endif
