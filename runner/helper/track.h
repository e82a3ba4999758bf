/* track.h: every process a run starts, found and ended when the run ends, so that a
 * benchmark that leaves a daemon behind (`setsid server &`) cannot pollute the runs after
 * it. Where the host lets the helper make one, each run gets a cgroup (v2) of its own,
 * which nothing it forks can leave; else the
 * helper is the runs' child subreaper (an orphaned descendant becomes the helper's child,
 * whatever session it made) and /proc is scanned for the helper's children, the run's
 * process group and the processes carrying the run's marker (AGENTBENCH_RUN_ID=..., which
 * a daemon inherits). The run is born in its cgroup: the helper moves itself in before
 * the run (a move can take milliseconds) and back after it. Library-free, like the rest
 * of the helper. */
#ifndef AB_HELPER_TRACK_H
#define AB_HELPER_TRACK_H

#include <sys/types.h>

typedef struct track {
    int cgroup; /* the run has its own cgroup (dir) */
    char dir[512];
    int procs_fd;                   /* its cgroup.procs: -1 none */
    int kill_fd;                    /* its cgroup.kill (Linux 5.14+), -1 none */
    int joined;                     /* the helper is in it: the run will be */
    const char *marker;             /* "AGENTBENCH_RUN_ID=..." from the run's environment */
    pid_t pgid;                     /* the run's process group (its pid) */
    unsigned long long start_ticks; /* when the run began, in /proc's clock ticks */
    /* what track_end found */
    int found;       /* processes that outlived the run */
    char names[200]; /* "sleep[1234],server[1240]": the first few */
} track;

/* Once per helper: be the child subreaper of the runs; find where run cgroups can go
 * (none when AGENTBENCH_NO_CGROUP is set); remove the empty cgroups of dead helpers. */
void rn_track_setup(void);
/* Before a run (env: its environment, for the marker): its cgroup, if one can be made,
 * with the helper in it, so that the run starts there. */
void rn_track_begin(track *t, char **env);
/* After the run's wait4: find what it left running, count and name it, kill it, reap it,
 * and remove the run's cgroup. */
void rn_track_end(track *t);
/* How t found processes: "cgroup", or "tree" (process tree, group and marker). */
const char *rn_track_method(const track *t);

#endif
