/* tool.h: starting an outside tool (perf, bpftrace for flame graphs; fio, iperf3,
 * sysbench for the host baseline) without a shell, and waiting for it with a deadline and
 * a progress tick. Shared by runner/flamegraph/ and runner/baseline/, which know nothing
 * of each other. */
#ifndef AB_RUNNER_TOOL_H
#define AB_RUNNER_TOOL_H

#include <signal.h>
#include <sys/types.h>

/* Start argv (argv[0] searched in PATH) with envp (NULL: ours), stdin from /dev/null,
 * stdout to out_fd and stderr to err_fd (-1: /dev/null). Returns the pid, or -1 with errno
 * (ENOENT when the program is not installed). */
pid_t rn_tool_spawn(char *const argv[], char *const envp[], int out_fd, int err_fd);

/* Wait for pid. tick(elapsed seconds, arg) is called about once a second (tick may be
 * NULL). After deadline_s seconds (0: none), or once *stop (may be NULL) becomes non-zero,
 * the child gets SIGINT, and SIGKILL 5 s later. Returns the wait status, or -1. */
int rn_tool_wait(pid_t pid, double deadline_s, const volatile sig_atomic_t *stop,
                 void (*tick)(double, void *), void *arg);

/* The path of program name in PATH (an executable file) into path. 0, or -1 when it is
 * not installed. */
int rn_tool_find(const char *name, char *path, size_t len);

/* Read the last non-empty line of a log file into out (for error messages). */
void rn_tool_last_line(const char *path, char *out, size_t outlen);

#endif
