/* flamegraph/capture.c: the perf and bpftrace drivers. perf records into a private
 * temporary directory, then `perf script` is read through a pipe into the folder; bpftrace
 * prints its map at exit into a file that is then folded. No shell is involved: every
 * argument is built from validated integers. SIGINT during a capture ends the capture early
 * and still keeps what was sampled. rn_fg_capture_command (flamegraph.h) captures one command
 * and draws it; a command (and every process it starts) runs with NODE_OPTIONS
 * --perf-basic-prof, so that Node's JIT frames are named through /tmp/perf-PID.map, and
 * the maps of the processes sampled are removed once perf script has read them. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "capture.h"
#include "clock.h"
#include "capture_meta.h"
#include "flamegraph.h"
#include "render.h"
#include "tool.h"
#include "util.h"

static volatile sig_atomic_t interrupted;
static void on_sigint(int sig) {
    (void)sig;
    interrupted = 1;
}

typedef struct progress {
    int seconds;
    int tty;
    int last;
} progress;

static void tick(double el, void *arg) {
    progress *p = arg;
    int s = (int)el;
    if (s > p->seconds || s == p->last) return;
    p->last = s;
    if (p->tty) fprintf(stderr, "\rcapturing: %d/%d s ", s, p->seconds);
    else if (s % 10 == 0) fprintf(stderr, "capturing: %d/%d s\n", s, p->seconds);
}

static int make_workdir(char *dir, size_t len, char *err, size_t errlen) {
    const char *t = getenv("TMPDIR");
    snprintf(dir, len, "%s/agentbench-fg.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir)) {
        snprintf(err, errlen, "cannot create a temporary directory: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static void remove_workdir(const char *dir) {
    const char *names[] = {"perf.data",  "perf.data.old", "record.log",
                           "script.log", "bpftrace.out",  "bpftrace.log"};
    char p[4200];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

static void describe_failure(const char *tool, int status, const char *log, char *err,
                             size_t errlen) {
    char last[400];
    rn_tool_last_line(log, last, sizeof last);
    if (WIFEXITED(status))
        snprintf(err, errlen, "%s failed (exit %d)%s%s", tool, WEXITSTATUS(status),
                 last[0] ? ": " : "", last);
    else
        snprintf(err, errlen, "%s was killed by signal %d%s%s", tool,
                 WIFSIGNALED(status) ? WTERMSIG(status) : 0, last[0] ? ": " : "", last);
}

static void spawn_error(const char *tool, const char *package, char *err, size_t errlen) {
    if (errno == ENOENT)
        snprintf(err, errlen, "%s is not installed (Debian package %s)", tool, package);
    else snprintf(err, errlen, "cannot start %s: %s", tool, strerror(errno));
}

int rn_fg_perf_script_fold(const char *perf_data, fg_stacks *s, fg_fold_stats *st, char *err,
                           size_t errlen) {
    char log[4200];
    snprintf(log, sizeof log, "%s.script.log", perf_data);
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    int lfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    char *argv[] = {"perf", "script", "-i", (char *)perf_data, NULL};
    pid_t pid = rn_tool_spawn(argv, NULL, pfd[1], lfd);
    close(pfd[1]);
    if (pid < 0) {
        spawn_error("perf", "linux-perf", err, errlen);
        close(pfd[0]);
        if (lfd >= 0) close(lfd);
        unlink(log);
        return -1;
    }
    FILE *in = fdopen(pfd[0], "r");
    int rc = in ? rn_fg_fold_perf_script(s, in, 1, st) : -1;
    if (in) fclose(in);
    else close(pfd[0]);
    int status = rn_tool_wait(pid, 0, NULL, NULL, NULL);
    if (lfd >= 0) close(lfd);
    if (rc < 0) snprintf(err, errlen, "out of memory or read error folding perf script");
    else if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        describe_failure("perf script", status, log, err, errlen);
        if (st->kept > 0) /* keep what was read (a truncated file) */
            fprintf(stderr, "agentbench: warning: %s; using the %llu samples read\n", err,
                    st->kept);
        else rc = -1;
    }
    unlink(log);
    return rc;
}

static int capture_perf(const fg_capture_opts *o, const char *dir, progress *pr, fg_stacks *s,
                        fg_fold_stats *st, char *err, size_t errlen) {
    char data[4200], log[4200], secs[32], pid[32];
    snprintf(data, sizeof data, "%s/perf.data", dir);
    snprintf(log, sizeof log, "%s/record.log", dir);
    snprintf(secs, sizeof secs, "%d", o->seconds);
    snprintf(pid, sizeof pid, "%d", (int)o->pid);
    char *argv[24];
    int n = 0;
    argv[n++] = "perf";
    argv[n++] = "record";
    if (o->pid > 0) {
        argv[n++] = "-p";
        argv[n++] = pid;
    } else argv[n++] = "-a";
    argv[n++] = "-g";
    argv[n++] = "-e";
    argv[n++] = "cpu-clock";
    argv[n++] = "-F";
    argv[n++] = "99";
    argv[n++] = "-o";
    argv[n++] = data;
    argv[n++] = "--";
    argv[n++] = "sleep";
    argv[n++] = secs;
    argv[n] = NULL;
    int lfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    pid_t child = rn_tool_spawn(argv, NULL, lfd, lfd);
    if (lfd >= 0) close(lfd);
    if (child < 0) {
        spawn_error("perf", "linux-perf", err, errlen);
        return -1;
    }
    int status = rn_tool_wait(child, o->seconds + 60.0, &interrupted, o->progress ? tick : NULL,
                              pr);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        struct stat sb;
        if (!(interrupted && stat(data, &sb) == 0 && sb.st_size > 0)) {
            describe_failure("perf record", status, log, err, errlen);
            return -1;
        }
    }
    return rn_fg_perf_script_fold(data, s, st, err, errlen);
}

static int capture_bpftrace(const fg_capture_opts *o, const char *dir, progress *pr, fg_stacks *s,
                            fg_fold_stats *st, char *err, size_t errlen) {
    char out[4200], log[4200], prog[256];
    snprintf(out, sizeof out, "%s/bpftrace.out", dir);
    snprintf(log, sizeof log, "%s/bpftrace.log", dir);
    if (o->pid > 0)
        snprintf(prog, sizeof prog,
                 "profile:hz:99 /pid == %d/ { @[kstack(perf), ustack(perf), "
                 "comm] = count(); } interval:s:%d { exit(); }",
                 (int)o->pid, o->seconds);
    else
        snprintf(prog, sizeof prog,
                 "profile:hz:99 { @[kstack(perf), ustack(perf), comm] = "
                 "count(); } interval:s:%d { exit(); }",
                 o->seconds);
    char *argv[] = {"bpftrace", "-o", out, "-e", prog, NULL};
    int lfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    pid_t child = rn_tool_spawn(argv, NULL, lfd, lfd);
    if (lfd >= 0) close(lfd);
    if (child < 0) {
        spawn_error("bpftrace", "bpftrace", err, errlen);
        return -1;
    }
    int status = rn_tool_wait(child, o->seconds + 60.0, &interrupted, o->progress ? tick : NULL,
                              pr);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (!interrupted) {
            describe_failure("bpftrace", status, log, err, errlen);
            return -1;
        }
    }
    FILE *f = fopen(out, "r");
    if (!f) {
        snprintf(err, errlen, "bpftrace wrote no output: %s", strerror(errno));
        return -1;
    }
    int rc = rn_fg_fold_bpftrace(s, f, 1, st);
    fclose(f);
    if (rc < 0) snprintf(err, errlen, "cannot read bpftrace output");
    return rc;
}

int rn_fg_capture_system(const fg_capture_opts *o, fg_stacks *s, fg_fold_stats *st, char *err,
                         size_t errlen) {
    char dir[4096];
    if (make_workdir(dir, sizeof dir, err, errlen) < 0) return -1;
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    interrupted = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    progress pr = {o->seconds, isatty(2), -1};
    int rc = o->backend == FG_BACKEND_BPFTRACE ? capture_bpftrace(o, dir, &pr, s, st, err, errlen)
                                               : capture_perf(o, dir, &pr, s, st, err, errlen);
    if (o->progress && pr.tty) fputc('\n', stderr);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    remove_workdir(dir);
    return rc;
}

extern char **environ;

/* envp (or ours) with NODE_OPTIONS gaining --perf-basic-prof (unless it has it); free
 * with free_env. */
static char **env_with_perf_maps(char *const envp[]) {
    char *const *e = envp ? envp : environ;
    size_t n = 0;
    while (e[n]) n++;
    char **out = calloc(n + 2, sizeof *out);
    if (!out) return NULL;
    const char *old = "";
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strncmp(e[i], "NODE_OPTIONS=", 13)) old = e[i] + 13;
        else out[k++] = strdup(e[i]);
    }
    size_t len = strlen(old) + 64;
    if (strstr(old, "--perf-basic-prof")) {
        if ((out[k] = malloc(len))) snprintf(out[k], len, "NODE_OPTIONS=%s", old);
    } else if ((out[k] = malloc(len))) {
        snprintf(out[k], len, "NODE_OPTIONS=%s%s--perf-basic-prof", old, *old ? " " : "");
    }
    return out;
}

static void free_env(char **env) {
    for (size_t i = 0; env && env[i]; i++) free(env[i]);
    free(env);
}

/* The perf maps of the processes sampled: they were started here with --perf-basic-prof
 * and left their maps in /tmp (V8's fixed place), which perf script has read now, and
 * their V8 logs (isolate-ADDR-PID-v8.log) in the directory they ran in, ours. */
static void remove_perf_maps(const fg_fold_stats *st) {
    char path[64];
    for (size_t i = 0; i < st->njit_pids; i++) {
        snprintf(path, sizeof path, "/tmp/perf-%d.map", st->jit_pids[i]);
        unlink(path);
        glob_t g;
        snprintf(path, sizeof path, "isolate-0x*-%d-v8.log", st->jit_pids[i]);
        if (glob(path, GLOB_NOSORT, NULL, &g) == 0)
            for (size_t k = 0; k < g.gl_pathc; k++) unlink(g.gl_pathv[k]);
        globfree(&g);
    }
}

char **rn_fg_perf_record_argv(char *const argv[], const char *perf_data) {
    size_t n = 0;
    while (argv[n]) n++;
    char *pre[] = {"perf", "record",          "-g", "-e", "cpu-clock", "-F", "99",
                   "-o",   (char *)perf_data, "--"};
    size_t npre = sizeof pre / sizeof pre[0];
    char **pargv = calloc(npre + n + 1, sizeof *pargv);
    if (!pargv) return NULL;
    for (size_t k = 0; k < npre; k++) pargv[k] = pre[k];
    for (size_t i = 0; i < n; i++) pargv[npre + i] = argv[i];
    return pargv;
}

/* perf record's data and the .old copy perf leaves beside it. */
static void remove_perf_data(const char *perf_data) {
    unlink(perf_data);
    char old[4200];
    snprintf(old, sizeof old, "%s.old", perf_data);
    unlink(old);
}

long rn_fg_perf_fold(const char *perf_data, const char *folded, char *err, size_t errlen) {
    fg_stacks *s = rn_fg_stacks_new();
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    fg_fold_stats st = {0};
    long rc = rn_fg_perf_script_fold(perf_data, s, &st, err, errlen);
    if (rc == 0)
        rc = rn_fg_stacks_write_file(s, folded, err, errlen) < 0 ? -1 : (long)rn_fg_stacks_total(s);
    rn_fg_stacks_free(s);
    remove_perf_data(perf_data);
    return rc;
}

int rn_fg_capture_argv(char *const argv[], char *const envp[], const char *perf_data, fg_stacks *s,
                       fg_fold_stats *st, char *err, size_t errlen) {
    if (!argv[0]) {
        snprintf(err, errlen, "no command to profile");
        return -1;
    }
    char **pargv = rn_fg_perf_record_argv(argv, perf_data);
    if (!pargv) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char log[4200];
    snprintf(log, sizeof log, "%s.record.log", perf_data);
    int lfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    char **env = env_with_perf_maps(envp);
    pid_t child = env ? rn_tool_spawn(pargv, env, -1, lfd) : -1;
    free_env(env);
    free(pargv);
    if (lfd >= 0) close(lfd);
    if (child < 0) {
        spawn_error("perf", "linux-perf", err, errlen);
        unlink(log);
        return -1;
    }
    int status = rn_tool_wait(child, 0, NULL, NULL, NULL);
    struct stat sb;
    int rc;
    if (stat(perf_data, &sb) != 0 || sb.st_size == 0) { /* the command's exit status is
                                                             its own business */
        describe_failure("perf record", status, log, err, errlen);
        rc = -1;
    } else {
        rc = rn_fg_perf_script_fold(perf_data, s, st, err, errlen);
    }
    remove_perf_maps(st);
    unlink(log);
    remove_perf_data(perf_data);
    return rc;
}

long rn_fg_capture_command(char *const argv[], char *const envp[], const char *outdir,
                           const char *label, const char *title, char *err, size_t errlen) {
    if (!argv || !argv[0]) {
        snprintf(err, errlen, "no command to profile");
        return -1;
    }
    if (!label || !*label || strchr(label, '/')) {
        snprintf(err, errlen, "bad label '%s'", label ? label : "");
        return -1;
    }
    if (mkdir(outdir, 0755) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", outdir, strerror(errno));
        return -1;
    }
    char data[PATH_MAX], svg[PATH_MAX], folded[PATH_MAX], sub[512];
    snprintf(data, sizeof data, "%s/%s.perf.data", outdir, label);
    snprintf(svg, sizeof svg, "%s/%s.svg", outdir, label);
    snprintf(folded, sizeof folded, "%s/%s.folded", outdir, label);
    fg_stacks *s = rn_fg_stacks_new();
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    fg_fold_stats st = {0};
    ab_capture_meta m = {.tool = "perf"};
    const char *base = strrchr(argv[0], '/');
    snprintf(m.target, sizeof m.target, "command %s", base ? base + 1 : argv[0]);
    m.started = ab_wall_s();
    long rc = rn_fg_capture_argv(argv, envp, data, s, &st, err, errlen);
    m.ended = ab_wall_s();
    m.seconds = m.ended - m.started;
    if (rc == 0) {
        snprintf(sub, sizeof sub, "%s: %llu samples at 99 Hz (perf, cpu-clock)", argv[0],
                 rn_fg_stacks_total(s));
        m.samples = rn_fg_stacks_total(s);
        m.idle_dropped = st.idle;
        m.stacks = rn_fg_stacks_distinct(s);
        char meta_path[PATH_MAX];
        ab_capture_meta_path(folded, meta_path, sizeof meta_path);
        if (rn_fg_write_graph(s, svg, folded, title && *title ? title : label, sub, 1, err,
                              errlen) < 0 ||
            ab_capture_meta_write(meta_path, &m, err, errlen) < 0)
            rc = -1;
        else rc = (long)rn_fg_stacks_total(s);
    }
    rn_fg_stacks_free(s);
    return rc;
}
