/* measure.c: supervising benchmark runs carried out by `agentbench-measure --serve`. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "linebuf.h"
#include "measure.h"
#include "util.h"

#ifndef AB_PREFIX
#define AB_PREFIX "/usr/local"
#endif

/* The helper process, alive for the whole suite. */
typedef struct helper {
    uv_process_t proc;
    uv_pipe_t requests; /* its stdin */
    uv_pipe_t reports;  /* its fd 3 */
    int running, exited, eof, closing;
    int64_t exit_status;
    linebuf lines;   /* what comes on fd 3, as lines */
    char rbuf[4096]; /* libuv reads into it */
    /* the run in progress */
    int busy, failed;
    run_result *res;
} helper;

static helper H;
static volatile int interrupt_pending; /* an interrupt between runs stops the next one */

const char *rn_measure_helper_path(void) {
    static char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/agentbench-measure", rn_self_dir()) < (int)sizeof path &&
        rn_is_executable_file(path))
        return path;
    snprintf(path, sizeof path, "%s/libexec/agentbench/agentbench-measure", AB_PREFIX);
    return path;
}

/* "KEY=VALUE" tokens: strict numbers within bounds. */
static int take_long(const char *v, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (end == v || *end || errno || x < lo || x > hi) return -1;
    *out = x;
    return 0;
}

static int take_secs(const char *v, double *out) {
    char *end;
    double x = strtod(v, &end);
    if (end == v || *end || !isfinite(x) || x < 0 || x > 1e9) return -1;
    *out = x;
    return 0;
}

/* a CLOCK_MONOTONIC reading: seconds since boot */
static int take_clock(const char *v, double *out) {
    char *end;
    double x = strtod(v, &end);
    if (end == v || *end || !isfinite(x) || x < 0) return -1;
    *out = x;
    return 0;
}

int rn_measure_parse_end(const char *line, run_result *res) {
    if (strncmp(line, "end ", 4)) return -1;
    run_result r = *res;
    enum {
        STATUS,
        CODE,
        SIGNAL,
        WALL,
        USER,
        SYS,
        MAXRSS,
        NVCSW,
        NIVCSW,
        MINFLT,
        MAJFLT,
        NREQ
    };
    static const char *const required[NREQ] = {"status", "code",   "signal", "wall",
                                               "user",   "sys",    "maxrss", "nvcsw",
                                               "nivcsw", "minflt", "majflt"};
    long *counts[] = {&r.maxrss_kb, &r.nvcsw, &r.nivcsw, &r.minflt, &r.majflt};
    double *times[] = {&r.wall_s, &r.user_s, &r.sys_s};
    int have = 0, clocks = 0; /* start, end and term come together, or none */
    long v = 0, timed_out = 0;
    r.leftover = 0;
    r.log_cut = 0;
    r.migrations = -1;
    r.tracking[0] = r.leftover_names[0] = 0;
    r.t_start = r.t_end = r.t_term = 0;
    char tok[256];
    for (const char *p = line + 4; *p;) {
        while (*p == ' ') p++;
        size_t n = strcspn(p, " ");
        if (!n) break;
        if (n >= sizeof tok) return -1;
        memcpy(tok, p, n);
        tok[n] = 0;
        p += n;
        char *eq = strchr(tok, '=');
        if (!eq) return -1;
        *eq = 0;
        const char *key = tok, *val = eq + 1;
        int k = 0;
        while (k < NREQ && strcmp(key, required[k])) k++;
        if (k == STATUS) {
            if (strcmp(val, "exited") && strcmp(val, "signaled")) return -1;
            r.exited = !strcmp(val, "exited");
        } else if (k == CODE || k == SIGNAL) {
            if (take_long(val, 0, k == CODE ? 255 : 127, &v) < 0) return -1;
            *(k == CODE ? &r.exit_code : &r.signal) = (int)v;
        } else if (k >= WALL && k <= SYS) {
            if (take_secs(val, times[k - WALL]) < 0) return -1;
        } else if (k >= MAXRSS && k < NREQ) {
            if (take_long(val, 0, LONG_MAX, counts[k - MAXRSS]) < 0) return -1;
        } else if (!strcmp(key, "timedout")) {
            if (take_long(val, 0, 1, &timed_out) < 0) return -1;
        } else if (!strcmp(key, "leftover")) {
            if (take_long(val, 0, 1000000, &r.leftover) < 0) return -1;
        } else if (!strcmp(key, "logcut")) {
            if (take_long(val, 0, LONG_MAX, &v) < 0) return -1;
            r.log_cut = v;
        } else if (!strcmp(key, "tracking")) {
            if (strcmp(val, "cgroup") && strcmp(val, "tree")) return -1;
            snprintf(r.tracking, sizeof r.tracking, "%s", val);
        } else if (!strcmp(key, "start") || !strcmp(key, "end") || !strcmp(key, "term")) {
            double *t = key[0] == 's' ? &r.t_start : key[0] == 'e' ? &r.t_end : &r.t_term;
            if (take_clock(val, t) < 0) return -1;
            clocks++;
        } else if (!strcmp(key, "migrations")) {
            long long m;
            char *end;
            errno = 0;
            m = strtoll(val, &end, 10);
            r.migrations = end != val && !*end && !errno && m >= 0 ? m : -1;
        } else if (!strcmp(key, "names")) {
            snprintf(r.leftover_names, sizeof r.leftover_names, "%s", val);
            for (char *c = r.leftover_names; *c; c++)
                if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f) *c = '?';
        }
        if (k < NREQ) have |= 1 << k;
    }
    if (have != (1 << NREQ) - 1 || (clocks && clocks != 3)) return -1;
    r.timed_out = res->timed_out || timed_out;
    r.reported = 1;
    *res = r;
    return 0;
}

int rn_measure_take_line(const char *line, size_t len, int has_nul, run_result *res, int *failed) {
    if (has_nul) return 0;
    if (len == 4 && !strcmp(line, "fail")) {
        *failed = 1;
        return 1;
    }
    if (!strncmp(line, "pid ", 4)) { /* a service run started: not its end */
        long pid;
        if (take_long(line + 4, 1, INT_MAX, &pid) == 0) res->pid = (int)pid;
        return 0;
    }
    return rn_measure_parse_end(line, res) == 0;
}

static void add_string(char **buf, size_t *len, size_t *cap, const char *s) {
    size_t sl = strlen(s);
    char head[24];
    int hl = snprintf(head, sizeof head, "%zu\n", sl);
    while (*len + (size_t)hl + sl + 1 > *cap) {
        *cap = *cap ? *cap * 2 : 4096;
        *buf = rn_xrealloc(*buf, *cap);
    }
    memcpy(*buf + *len, head, (size_t)hl);
    *len += (size_t)hl;
    memcpy(*buf + *len, s, sl);
    *len += sl;
}

char *rn_measure_request(const run_spec *spec, size_t *len) {
    size_t argc = 0, envc = 0, cap = 0;
    while (spec->argv[argc]) argc++;
    while (spec->env && spec->env[envc]) envc++;
    char *buf = NULL, num[32];
    *len = 0;
    snprintf(num, sizeof num, "%zu", 7 + argc + envc);
    /* the count line is a bare number: write it without a length prefix */
    buf = rn_xmalloc(cap = 4096);
    *len = (size_t)snprintf(buf, cap, "%s\n", num);
    add_string(&buf, len, &cap, spec->cwd ? spec->cwd : "");
    add_string(&buf, len, &cap, spec->out_path ? spec->out_path : "");
    add_string(&buf, len, &cap, spec->cpus ? spec->cpus : "");
    snprintf(num, sizeof num, "%.3f", spec->timeout_s > 0 ? spec->timeout_s : 0);
    add_string(&buf, len, &cap, num);
    snprintf(num, sizeof num, "%.3f", spec->term_timeout_s > 0 ? spec->term_timeout_s : 0);
    add_string(&buf, len, &cap, num);
    snprintf(num, sizeof num, "%zu", argc);
    add_string(&buf, len, &cap, num);
    for (size_t i = 0; i < argc; i++) add_string(&buf, len, &cap, spec->argv[i]);
    snprintf(num, sizeof num, "%zu", envc);
    add_string(&buf, len, &cap, num);
    for (size_t i = 0; i < envc; i++) add_string(&buf, len, &cap, spec->env[i]);
    return buf;
}

/* The helper kills the run's process group on SIGUSR1 (and at the run's timeout). */
void rn_measure_interrupt(void) {
    interrupt_pending = 1;
    if (!H.busy) return;
    H.res->interrupted = 1;
    if (H.running && !H.exited) kill(H.proc.pid, SIGUSR1);
}

static void on_exit_cb(uv_process_t *p, int64_t status, int sig) {
    H.exited = 1;
    H.exit_status = sig ? 128 + sig : status;
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
    buf->base = H.rbuf;
    buf->len = sizeof H.rbuf;
}

static void on_report_line(const char *line, size_t len, int has_nul, void *arg) {
    if (H.busy && rn_measure_take_line(line, len, has_nul, H.res, &H.failed)) H.busy = 0;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
    if (n < 0) {
        H.eof = 1;
        uv_read_stop(s);
        return;
    }
    rn_linebuf_feed(&H.lines, buf->base, (size_t)n, on_report_line, NULL);
}

static void on_close(uv_handle_t *h) {
    H.closing--;
}

static int helper_start(uv_loop_t *loop, char *err, size_t errlen) {
    const char *path = rn_measure_helper_path();
    memset(&H, 0, sizeof H);
    uv_pipe_init(loop, &H.requests, 0);
    uv_pipe_init(loop, &H.reports, 0);
    uv_stdio_container_t stdio[4];
    stdio[0].flags = UV_CREATE_PIPE | UV_READABLE_PIPE;
    stdio[0].data.stream = (uv_stream_t *)&H.requests;
    stdio[1].flags = UV_IGNORE;
    stdio[2].flags = UV_INHERIT_FD;
    stdio[2].data.fd = 2;
    stdio[3].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    stdio[3].data.stream = (uv_stream_t *)&H.reports;
    char *args[] = {(char *)path, "--serve", NULL};
    uv_process_options_t o = {0};
    o.file = path;
    o.args = args;
    o.stdio = stdio;
    o.stdio_count = 4;
    o.exit_cb = on_exit_cb;
    int rc = uv_spawn(loop, &H.proc, &o);
    H.running = 1;
    if (rc < 0) {
        snprintf(err, errlen, "cannot start %s: %s", path, uv_strerror(rc));
        H.exited = 1;
        rn_measure_shutdown(loop);
        return -1;
    }
    uv_read_start((uv_stream_t *)&H.reports, on_alloc, on_read);
    return 0;
}

static void on_shutdown_timeout(uv_timer_t *t) {
    *(int *)t->data = 1;
}

void rn_measure_shutdown(uv_loop_t *loop) {
    if (!H.running) return;
    H.running = 0;
    H.closing = 4;
    uv_close((uv_handle_t *)&H.requests, on_close); /* EOF on its stdin: it exits */
    /* wait for its exit (no polling: the exit callback or the 2 s timer wakes us) */
    int late = 0;
    uv_timer_t timer;
    uv_timer_init(loop, &timer);
    timer.data = &late;
    uv_timer_start(&timer, on_shutdown_timeout, 2000, 0);
    while (!H.exited && !late) uv_run(loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&timer, on_close);
    if (!H.exited) {
        uv_process_kill(&H.proc, SIGKILL);
        while (!H.exited) uv_run(loop, UV_RUN_ONCE);
    }
    if (!H.eof) uv_read_stop((uv_stream_t *)&H.reports);
    uv_close((uv_handle_t *)&H.reports, on_close);
    uv_close((uv_handle_t *)&H.proc, on_close);
    while (H.closing > 0) uv_run(loop, UV_RUN_ONCE);
}

/* A plain blocking write of the whole request on the helper's stdin. */
static int send_request(const char *buf, size_t len) {
    uv_os_fd_t fd;
    if (uv_fileno((uv_handle_t *)&H.requests, &fd) < 0) return -1;
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0 && (errno == EINTR || errno == EAGAIN)) {
            if (errno == EAGAIN) usleep(1000);
            continue;
        }
        if (w <= 0) return -1;
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

int rn_measure_start(uv_loop_t *loop, const run_spec *spec, run_result *res, char *err,
                     size_t errlen) {
    memset(res, 0, sizeof *res);
    if (H.running && (H.exited || H.eof)) rn_measure_shutdown(loop);
    if (!H.running && helper_start(loop, err, errlen) < 0) return -1;

    size_t len;
    char *req = rn_measure_request(spec, &len);
    H.res = res;
    H.busy = 1;
    H.failed = 0;
    int rc = send_request(req, len);
    free(req);
    if (rc < 0) {
        H.busy = 0;
        snprintf(err, errlen, "the run helper does not take requests");
        rn_measure_shutdown(loop);
        return -1;
    }
    if (interrupt_pending) {
        res->interrupted = 1;
        kill(H.proc.pid, SIGUSR1);
    }
    return 0;
}

int rn_measure_running(void) {
    return H.busy && !H.exited && !H.eof;
}

void rn_measure_terminate(void) {
    if (rn_measure_running()) kill(H.proc.pid, SIGUSR2);
}

void rn_measure_kill(void) {
    if (rn_measure_running()) kill(H.proc.pid, SIGUSR1);
}

int rn_measure_wait(uv_loop_t *loop, char *err, size_t errlen) {
    run_result *res = H.res;
    while (rn_measure_running()) uv_run(loop, UV_RUN_ONCE);
    if (H.busy) { /* the helper died under us */
        H.busy = 0;
        if (res->interrupted) return 0;
        snprintf(err, errlen, "the run helper ended (status %d) before the run did",
                 (int)H.exit_status);
        rn_measure_shutdown(loop);
        return -1;
    }
    if (H.failed) {
        snprintf(err, errlen, "the run helper could not start the run (see the run's log)");
        return -1;
    }
    return 0;
}

int rn_measure_run(uv_loop_t *loop, const run_spec *spec, run_result *res, char *err,
                   size_t errlen) {
    if (rn_measure_start(loop, spec, res, err, errlen) < 0) return -1;
    return rn_measure_wait(loop, err, errlen);
}
