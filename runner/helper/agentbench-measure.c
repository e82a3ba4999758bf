/* agentbench-measure: the tiny, statically linked helper through which `agentbench run`
 * starts every benchmark run (doc/measurement.md explains why).
 *
 *   agentbench-measure [--cpu LIST] [--report-fd N] -- PROGRAM [ARGS...]
 *       vfork/exec PROGRAM in a process group of its own (pgid = its pid), wait4() for it
 *       and write its rusage (which includes every descendant it waited for) as one line
 *       on fd N (default 3):
 *           pid PID
 *           end status=exited|signaled code=C signal=S wall=SECS user=SECS sys=SECS
 *               maxrss=KIB nvcsw=N nivcsw=N minflt=N majflt=N ... [migrations=N]
 *               (one line; migrations: of PROGRAM and all it starts, migrations.h)
 *   agentbench-measure --serve
 *       the same for one run after another, as `agentbench run` uses it (one helper per
 *       suite: no fork of the big runner, no exec of a helper per run). Requests come on
 *       stdin, each a list of strings: "N\n" then N times "LEN\nBYTES":
 *           cwd, output file (appended to; stdout and stderr), CPU list or "",
 *           timeout in seconds ("0": none), term timeout in seconds ("0": a batch run),
 *           argc, argv..., envc, env...
 *       and each run is reported on fd 3 with one "end ... timedout=0|1 start=T end=T
 *       term=T leftover=N logcut=BYTES tracking=cgroup|tree names=..." line (absolute
 *       CLOCK_MONOTONIC times; term=0 when no SIGTERM was sent), written after the run:
 *       nothing wakes the runner while a batch run is measured. At the timeout, or on
 *       SIGUSR1 from the runner, the run's process group is killed. A service run (term
 *       timeout > 0) is also reported as "pid PID" once started, and on SIGUSR2 from the
 *       runner its process group gets SIGTERM and the timer is armed again with the term
 *       timeout: the time from that SIGTERM to the exit is the service's exit delay,
 *       measured here, on the run's side. The CPU list pins the helper itself (runs
 *       inherit it); the output file is opened before the clock starts, and the run's
 *       output reaches it through a pipe, bounded (outlog.h). What the run leaves running
 *       is found, counted and killed (track.h: its cgroup, else its process tree, group
 *       and AGENTBENCH_RUN_ID).
 *   agentbench-measure --exec [--cpu LIST] -- PROGRAM [ARGS...]
 *       exec PROGRAM with a parent-death signal (SIGTERM), for the ingesters.
 *
 * Being a fresh, static, library-free process, its own resident set (which a child's
 * ru_maxrss starts from after vfork+exec) is a few hundred KiB, and its exec costs a
 * fraction of a millisecond. Both processes die with the runner (PR_SET_PDEATHSIG). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include "cpus.h"
#include "../../lib/clock.h"
#include "migrations.h"
#include "outlog.h"
#include "track.h"

static void usage(FILE *f) {
    fprintf(f, "usage: agentbench-measure [--cpu LIST] [--report-fd N] -- PROGRAM [ARGS...]\n"
               "       agentbench-measure --serve     (requests on stdin; see the source)\n"
               "       agentbench-measure --exec [--cpu LIST] -- PROGRAM [ARGS...]\n"
               "Runs PROGRAM for `agentbench run` and reports its rusage on fd N (default 3).\n");
}

static double tv_s(struct timeval tv) {
    return tv.tv_sec + tv.tv_usec / 1e6;
}

/* write the whole buffer, retrying on EINTR; the reader may be gone (EPIPE ignored) */
static void write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        buf += w;
        len -= (size_t)w;
    }
}

/* the run in progress, for the signal handlers */
static volatile sig_atomic_t current_pid, kill_requested, timed_out, term_requested;

static void on_alarm(int sig) {
    (void)sig;
    timed_out = 1;
    if (current_pid > 0) kill(-current_pid, SIGKILL);
}

static void on_usr1(int sig) {
    (void)sig;
    kill_requested = 1;
    if (current_pid > 0) kill(-current_pid, SIGKILL);
}

static void set_timer(double secs) {
    struct itimerval it = {{0, 0}, {(time_t)secs, (suseconds_t)((secs - (time_t)secs) * 1e6)}};
    if (secs > 0 && it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0) it.it_value.tv_usec = 1;
    setitimer(ITIMER_REAL, &it, NULL);
}

/* SIGUSR2: stop the service run in progress: the time, SIGTERM to its process group, and
 * the timer armed again with its term timeout (clock_gettime, kill and setitimer are
 * system calls, safe here); once per run */
static volatile double term_timeout_now, term_sent_at;

static void on_usr2(int sig) {
    (void)sig;
    if (current_pid <= 0 || term_timeout_now <= 0 || term_requested) return;
    term_requested = 1;
    term_sent_at = ab_mono_s();
    kill(-current_pid, SIGTERM);
    set_timer(term_timeout_now);
}

/* What the child of one run needs, prepared by the helper before the clock starts. */
typedef struct spawn {
    char **argv, **env;
    const char *cwd;
    int out_fd, null_fd; /* stdout+stderr (the output pipe), stdin; -1: the helper's */
    int report_fd;
    const sigset_t *mask; /* the signal mask to restore before exec */
} spawn;

/* a message on the (already redirected) stderr of a vfork child: no stdio, no malloc */
static void child_say(const char *what, const char *arg, int err) {
    const char *e = strerrordesc_np(err);
    const char *parts[] = {"agentbench-measure: ", what, arg, ": ", e ? e : "error", "\n"};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
        write_all(2, parts[i], strlen(parts[i]));
}

/* The child between vfork() and exec: it shares the helper's memory (the helper is
 * suspended until the exec), so only system calls, no stdio, malloc or handlers. */
static void __attribute__((noreturn)) child_exec(const spawn *sp) {
    setpgid(0, 0);
    /* the helper's handlers must not run in here; exec resets the rest */
    signal(SIGALRM, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    sigprocmask(SIG_SETMASK, sp->mask, NULL);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (sp->null_fd >= 0) dup2(sp->null_fd, 0);
    if (sp->out_fd >= 0) {
        dup2(sp->out_fd, 1);
        dup2(sp->out_fd, 2);
    }
    if (sp->cwd && *sp->cwd && chdir(sp->cwd) < 0) {
        child_say("cd ", sp->cwd, errno);
        _exit(127);
    }
    if (sp->report_fd > 2) close(sp->report_fd);
    if (sp->env) execve(sp->argv[0], sp->argv, sp->env);
    else execvp(sp->argv[0], sp->argv);
    child_say("cannot run ", sp->argv[0], errno);
    _exit(127);
}

/* vfork() in a function of its own: the child never returns from here (it execs or exits),
 * and the caller's variables are out of vfork's reach. */
static pid_t __attribute__((noinline)) start_child(const spawn *sp) {
    pid_t pid = vfork();
    if (pid == 0) child_exec(sp);
    return pid;
}

/* SIGCHLD wakes the wait below through a pipe (the self-pipe trick): a run's end and its
 * output are waited for in one poll(). */
static int chld_pipe[2] = {-1, -1};

static void on_chld(int sig) {
    (void)sig;
    int e = errno;
    if (write(chld_pipe[1], "c", 1) < 0) {} /* full: a wake-up is pending anyway */
    errno = e;
}

static int chld_setup(void) {
    if (pipe2(chld_pipe, O_CLOEXEC | O_NONBLOCK) < 0) return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_chld;
    sa.sa_flags = SA_NOCLDSTOP;
    return sigaction(SIGCHLD, &sa, NULL);
}

static char out_buf[16384];

/* Move what the run printed into its log; 0 at end of file (every writer is gone). */
static int read_output(int fd, outlog *log) {
    ssize_t r = read(fd, out_buf, sizeof out_buf);
    if (r > 0) rn_outlog_take(log, out_buf, (size_t)r);
    return r > 0 || (r < 0 && (errno == EAGAIN || errno == EINTR));
}

/* Until pid ends (its status, rusage and the time it was reaped), moving its output. */
static int wait_run(pid_t pid, int out_r, outlog *log, int *status, struct rusage *ru,
                    double *t_end) {
    struct pollfd p[2] = {{chld_pipe[0], POLLIN, 0}, {out_r, POLLIN, 0}};
    nfds_t n = out_r >= 0 ? 2 : 1;
    for (;;) {
        pid_t w = wait4(pid, status, WNOHANG, ru);
        if (w == pid) {
            *t_end = ab_mono_s();
            return 0;
        }
        if (w < 0 && errno != EINTR) return -1;
        if (poll(p, n, -1) < 0) {
            if (errno == EINTR) continue; /* the timer, SIGUSR1, SIGCHLD */
            return -1;
        }
        if (p[0].revents) {
            char c[64];
            while (read(chld_pipe[0], c, sizeof c) > 0) {}
        }
        if (n == 2 && p[1].revents && !read_output(out_r, log)) n = 1;
    }
}

/* The rest of the output once nothing of the run is left (at most ~1 s, should a writer
 * have escaped). */
static void drain_output(int out_r, outlog *log) {
    double until = ab_mono_s() + 1;
    struct pollfd p = {out_r, POLLIN, 0};
    while (ab_mono_s() < until) {
        int r = poll(&p, 1, 100);
        if (r < 0 && errno != EINTR) return;
        if (r > 0 && !read_output(out_r, log)) return;
    }
}

/* Start one run and report it on report_fd. The child gets its own process group (and,
 * where one can be made, its own cgroup). Everything that can be done before the clock
 * starts is (the log is opened and the output pipe made, the CPU placement is the
 * helper's own and is inherited); the clock then covers vfork to the reaping of the run,
 * the span hyperfine measures around its own spawn. After it, whatever the run left
 * running is found, counted and killed, and the rest of its output logged. A service run
 * (term_timeout > 0) is stopped by SIGUSR2 (on_usr2): the clock readings of its start,
 * end and SIGTERM are reported for its exit delay. */
static int measure_one(char **argv, char **env, const char *cwd, const char *out, double timeout,
                       double term_timeout, int serving, int report_fd, int null_fd) {
    extern char **environ;
    track trk;
    spawn sp = {
        .argv = argv, .env = env, .cwd = cwd, .out_fd = -1, .null_fd = -1, .report_fd = report_fd};
    int log_fd = -1, pipe_fd[2] = {-1, -1};
    if (out) {
        log_fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (log_fd < 0 || pipe2(pipe_fd, O_CLOEXEC) < 0) {
            fprintf(stderr, "agentbench-measure: %s: %s\n", out, strerror(errno));
            if (log_fd >= 0) close(log_fd);
            return -1;
        }
        fcntl(pipe_fd[0], F_SETFL, O_NONBLOCK);
        sp.out_fd = pipe_fd[1];
        sp.null_fd = null_fd;
    }
    rn_track_begin(&trk, env ? env : environ);
    /* no handler may run in the child before it has reset them */
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    sp.mask = &old;
    timed_out = 0;
    term_requested = 0;
    term_sent_at = 0;
    term_timeout_now = term_timeout;
    long long mig0 = rn_migrations_now();

    double t0 = ab_mono_s();
    pid_t pid = start_child(&sp);
    if (pid < 0) {
        int e = errno;
        sigprocmask(SIG_SETMASK, &old, NULL);
        fprintf(stderr, "agentbench-measure: vfork: %s\n", strerror(e));
        rn_track_end(&trk);
        for (int i = 0; i < 2; i++)
            if (pipe_fd[i] >= 0) close(pipe_fd[i]);
        if (log_fd >= 0) close(log_fd);
        return -1;
    }
    /* the child has exec'd (or exited): its process group exists */
    current_pid = pid;
    trk.pgid = pid;
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (pipe_fd[1] >= 0) close(pipe_fd[1]); /* the run holds the write end */
    if (kill_requested) kill(-pid, SIGKILL);
    if (timeout > 0) set_timer(timeout);

    char line[1024];
    int n;
    if (!serving || term_timeout > 0) {
        n = snprintf(line, sizeof line, "pid %d\n", (int)pid);
        write_all(report_fd, line, (size_t)n);
    }

    outlog log;
    rn_outlog_begin(&log, log_fd);
    int status = 0;
    struct rusage ru;
    double t1 = 0;
    int rc = wait_run(pid, pipe_fd[0], &log, &status, &ru, &t1);
    double wall = t1 - t0;
    term_timeout_now = 0; /* no SIGTERM for a run that is over */
    double t_term = term_sent_at;
    if (timeout > 0 || term_requested) set_timer(0); /* on_usr2 may have armed it */
    current_pid = 0;
    kill_requested = 0;
    if (rc < 0) fprintf(stderr, "agentbench-measure: waiting for the run: %s\n", strerror(errno));
    /* whatever the run left running (its process group included) is counted, then goes */
    rn_track_end(&trk);
    if (pipe_fd[0] >= 0) {
        drain_output(pipe_fd[0], &log);
        close(pipe_fd[0]);
    }
    unsigned long long cut = rn_outlog_end(&log);
    if (log_fd >= 0) close(log_fd);
    if (rc < 0) return -1;
    long long mig1 = mig0 >= 0 ? rn_migrations_now() : -1;
    char migrations[40] = "";
    if (mig0 >= 0 && mig1 >= mig0)
        snprintf(migrations, sizeof migrations, "migrations=%lld ", mig1 - mig0);

    n = snprintf(
        line, sizeof line,
        "end status=%s code=%d signal=%d wall=%.9f user=%.6f sys=%.6f maxrss=%ld "
        "nvcsw=%ld nivcsw=%ld minflt=%ld majflt=%ld timedout=%d start=%.9f "
        "end=%.9f term=%.9f leftover=%d logcut=%llu tracking=%s %snames=%s\n",
        WIFSIGNALED(status) ? "signaled" : "exited", WIFEXITED(status) ? WEXITSTATUS(status) : 0,
        WIFSIGNALED(status) ? WTERMSIG(status) : 0, wall, tv_s(ru.ru_utime), tv_s(ru.ru_stime),
        ru.ru_maxrss, ru.ru_nvcsw, ru.ru_nivcsw, ru.ru_minflt, ru.ru_majflt, (int)timed_out, t0, t1,
        t_term, trk.found, cut, rn_track_method(&trk), migrations, trk.names);
    write_all(report_fd, line, (size_t)n);
    return 0;
}

/* ---- --serve: requests on stdin ---- */

/* stdin, buffered: a request (its environment included) arrives in one or two reads */
static struct {
    char buf[65536];
    size_t pos, len;
} in;

static int in_fill(int fd) {
    for (;;) {
        ssize_t r = read(fd, in.buf, sizeof in.buf);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        in.pos = 0;
        in.len = (size_t)r;
        return 0;
    }
}

static int read_full(int fd, char *buf, size_t len) {
    while (len > 0) {
        if (in.pos == in.len && in_fill(fd) < 0) return -1;
        size_t n = in.len - in.pos < len ? in.len - in.pos : len;
        memcpy(buf, in.buf + in.pos, n);
        in.pos += n;
        buf += n;
        len -= n;
    }
    return 0;
}

/* "LEN\n" (a decimal number and a newline) */
static long read_len(int fd) {
    long v = 0;
    int digits = 0;
    for (;;) {
        if (in.pos == in.len && in_fill(fd) < 0) return -1;
        char c = in.buf[in.pos++];
        if (c == '\n') return digits ? v : -1;
        if (c < '0' || c > '9' || ++digits > 9) return -1;
        v = v * 10 + (c - '0');
    }
}

/* Read one request's strings; NULL at end of input or on garbage. */
static char **read_strings(int fd, long *count) {
    long n = read_len(fd);
    if (n < 0 || n > 100000) return NULL;
    char **v = calloc((size_t)n + 1, sizeof *v);
    if (!v) return NULL;
    for (long i = 0; i < n; i++) {
        long len = read_len(fd);
        if (len < 0 || len > (1 << 20) || !(v[i] = malloc((size_t)len + 1)) ||
            read_full(fd, v[i], (size_t)len) < 0) {
            for (long k = 0; k <= i; k++) free(v[k]);
            free(v);
            return NULL;
        }
        v[i][len] = 0;
    }
    *count = n;
    return v;
}

/* The runs' CPU placement is the helper's own (a run inherits it), changed only when a
 * request asks for another: no sched_setaffinity per run, none in the timed span. */
static cpu_set_t initial_cpus, current_cpus;
static int have_initial_cpus;

static void place_runs(const char *list) {
    cpu_set_t want;
    if (*list) {
        if (ab_cpus_parse(list, 0, &want) < 0) {
            fprintf(stderr, "agentbench-measure: bad CPU list '%s'\n", list);
            return;
        }
    } else {
        if (!have_initial_cpus) return;
        want = initial_cpus;
    }
    if (CPU_EQUAL(&want, &current_cpus)) return;
    if (sched_setaffinity(0, sizeof want, &want) < 0)
        fprintf(stderr, "agentbench-measure: sched_setaffinity: %s\n", strerror(errno));
    else current_cpus = want;
}

static int serve(int report_fd) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART: wait4 returns, then retries */
    sigaction(SIGALRM, &sa, NULL);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = on_usr2;
    sigaction(SIGUSR2, &sa, NULL);
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd < 0) {
        fprintf(stderr, "agentbench-measure: /dev/null: %s\n", strerror(errno));
        return 1;
    }
    if (sched_getaffinity(0, sizeof initial_cpus, &initial_cpus) == 0) {
        have_initial_cpus = 1;
        current_cpus = initial_cpus;
    }
    for (;;) {
        long n;
        char **s = read_strings(0, &n);
        if (!s) return 0; /* the runner closed our stdin: done */
        /* cwd, out, cpus, timeout, term timeout, argc, argv..., envc, env... */
        long argc = n > 5 ? atol(s[5]) : -1, envc;
        if (argc < 1 || 6 + argc >= n || (envc = atol(s[6 + argc])) < 0 || 7 + argc + envc != n) {
            fprintf(stderr, "agentbench-measure: malformed request\n");
            return 1;
        }
        char **argv = calloc((size_t)argc + 1, sizeof *argv);
        char **env = calloc((size_t)envc + 1, sizeof *env);
        if (!argv || !env) return 1;
        for (long i = 0; i < argc; i++) argv[i] = s[6 + i];
        for (long i = 0; i < envc; i++) env[i] = s[7 + argc + i];
        place_runs(s[2]);
        char *end;
        double timeout = strtod(s[3], &end);
        if (end == s[3] || *end || !(timeout >= 0 && timeout <= 1e7)) {
            fprintf(stderr, "agentbench-measure: malformed request (timeout '%s')\n", s[3]);
            return 1;
        }
        double term_timeout = strtod(s[4], &end);
        if (end == s[4] || *end || !(term_timeout >= 0 && term_timeout <= 1e7)) {
            fprintf(stderr, "agentbench-measure: malformed request (term timeout '%s')\n", s[4]);
            return 1;
        }
        if (measure_one(argv, env, s[0], s[1][0] ? s[1] : NULL, timeout, term_timeout, 1, report_fd,
                        null_fd) < 0)
            write_all(report_fd, "fail\n", 5);
        free(argv);
        free(env);
        for (long i = 0; i < n; i++) free(s[i]);
        free(s);
    }
}

int main(int argc, char **argv) {
    int report_fd = 3, exec_only = 0, have_cpus = 0, serving = 0, i;
    cpu_set_t cpus;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        }
        if (!strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--exec")) {
            exec_only = 1;
            continue;
        }
        if (!strcmp(argv[i], "--serve")) {
            serving = 1;
            continue;
        }
        if (!strcmp(argv[i], "--cpu") && i + 1 < argc) {
            if (ab_cpus_parse(argv[++i], 0, &cpus) < 0) {
                fprintf(stderr, "agentbench-measure: bad CPU list '%s'\n", argv[i]);
                return 2;
            }
            have_cpus = 1;
            continue;
        }
        if (!strcmp(argv[i], "--report-fd") && i + 1 < argc) {
            report_fd = atoi(argv[++i]);
            continue;
        }
        usage(stderr);
        return 2;
    }
    if (i >= argc && !serving) {
        usage(stderr);
        return 2;
    }

    /* die with the runner: a SIGKILLed runner leaves no benchmark or ingester behind */
    prctl(PR_SET_PDEATHSIG, exec_only ? SIGTERM : SIGKILL);
    if (getppid() == 1) return 1;
    if (have_cpus && sched_setaffinity(0, sizeof cpus, &cpus) < 0)
        fprintf(stderr, "agentbench-measure: sched_setaffinity: %s\n", strerror(errno));

    if (exec_only) {
        execvp(argv[i], argv + i);
        fprintf(stderr, "agentbench-measure: cannot run %s: %s\n", argv[i], strerror(errno));
        return 127;
    }

    /* The runner handles Ctrl-C itself (it kills the run's process group); keep reporting. */
    signal(SIGINT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);

    rn_track_setup();
    if (chld_setup() < 0) {
        fprintf(stderr, "agentbench-measure: SIGCHLD: %s\n", strerror(errno));
        return 1;
    }
    if (serving) return serve(report_fd);
    return measure_one(argv + i, NULL, NULL, NULL, 0, 0, 0, report_fd, -1) < 0 ? 1 : 0;
}
