/* track.h: every process a run starts, found and ended when the run ends, so that a
 * benchmark that leaves a daemon behind (`setsid server &`) cannot pollute the runs after
 * it. Where the host lets the helper make one, each run gets a cgroup (v2) of its own,
 * which the run joins before its exec and which nothing it forks can leave; else the
 * helper is the runs' child subreaper (an orphaned descendant becomes the helper's child,
 * whatever session it made) and /proc is scanned for the helper's children, the run's
 * process group and the processes carrying the run's marker (AGENTBENCH_RUN_ID=..., which
 * a daemon inherits). Library-free, like the rest of the helper. */
#ifndef AB_HELPER_TRACK_H
#define AB_HELPER_TRACK_H

#include <sys/types.h>

typedef struct track {
    int cgroup;                   /* the run has its own cgroup (dir) */
    char dir[512];
    int procs_fd;                 /* its cgroup.procs, for the child to join: -1 none */
    int kill_fd;                  /* its cgroup.kill (Linux 5.14+), -1 none */
    volatile int joined;          /* set by the child once it is in the cgroup */
    const char *marker;           /* "AGENTBENCH_RUN_ID=..." from the run's environment */
    pid_t pgid;                   /* the run's process group (its pid) */
    /* what track_end found */
    int found;                    /* processes that outlived the run */
    char names[200];              /* "sleep[1234],server[1240]": the first few */
} track;

/* Once per helper: be the child subreaper of the runs; find where run cgroups can go
 * (none when AGENTBENCH_NO_CGROUP is set); remove the empty cgroups of dead helpers. */
void track_setup(void);
/* Before a run (env: its environment, for the marker): its cgroup, if one can be made. */
void track_begin(track *t, char **env);
/* In the run's vfork child, before exec: join the cgroup. Async-signal-safe. */
void track_join(track *t);
/* After the run's wait4: find what it left running, count and name it, kill it, reap it,
 * and remove the run's cgroup. */
void track_end(track *t);
/* How t found processes: "cgroup", or "tree" (process tree, group and marker). */
const char *track_method(const track *t);

#endif
