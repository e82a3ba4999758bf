/* measure.c: supervising benchmark runs carried out by `agentbench-measure --serve`. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "measure.h"
#include "util.h"

#ifndef AB_PREFIX
#define AB_PREFIX "/usr/local"
#endif

/* The helper process, alive for the whole suite. */
typedef struct helper {
    uv_process_t proc;
    uv_pipe_t requests;       /* its stdin */
    uv_pipe_t reports;        /* its fd 3 */
    int running, exited, eof, closing;
    int64_t exit_status;
    char buf[2048];
    size_t len;
    /* the run in progress */
    int busy, failed;
    run_result *res;
} helper;

static helper H;
static volatile int interrupt_pending;   /* an interrupt between runs stops the next one */

const char *measure_helper_path(void) {
    static char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/agentbench-measure", self_dir()) < (int)sizeof path &&
        is_executable_file(path))
        return path;
    snprintf(path, sizeof path, "%s/libexec/agentbench/agentbench-measure", AB_PREFIX);
    return path;
}

int measure_parse_end(const char *line, run_result *res) {
    char status[16];
    int timed_out = 0;
    int n = sscanf(line,
                   "end status=%15s code=%d signal=%d wall=%lf user=%lf sys=%lf maxrss=%ld "
                   "nvcsw=%ld nivcsw=%ld minflt=%ld majflt=%ld timedout=%d start=%lf end=%lf "
                   "term=%lf",
                   status, &res->exit_code, &res->signal, &res->wall_s, &res->user_s,
                   &res->sys_s, &res->maxrss_kb, &res->nvcsw, &res->nivcsw, &res->minflt,
                   &res->majflt, &timed_out, &res->t_start, &res->t_end, &res->t_term);
    if (n < 11 || (n > 12 && n != 15)) return -1;
    if (timed_out) res->timed_out = 1;
    res->exited = !strcmp(status, "exited");
    res->reported = 1;
    return 0;
}

static void add_string(char **buf, size_t *len, size_t *cap, const char *s) {
    size_t sl = strlen(s);
    char head[24];
    int hl = snprintf(head, sizeof head, "%zu\n", sl);
    while (*len + (size_t)hl + sl + 1 > *cap) {
        *cap = *cap ? *cap * 2 : 4096;
        *buf = xrealloc(*buf, *cap);
    }
    memcpy(*buf + *len, head, (size_t)hl);
    *len += (size_t)hl;
    memcpy(*buf + *len, s, sl);
    *len += sl;
}

char *measure_request(const run_spec *spec, size_t *len) {
    size_t argc = 0, envc = 0, cap = 0;
    while (spec->argv[argc]) argc++;
    while (spec->env && spec->env[envc]) envc++;
    char *buf = NULL, num[32];
    *len = 0;
    snprintf(num, sizeof num, "%zu", 7 + argc + envc);
    /* the count line is a bare number: write it without a length prefix */
    buf = xmalloc(cap = 4096);
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
void measure_interrupt(void) {
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
    if (H.len >= sizeof H.buf - 1) H.len = 0;   /* garbage: drop it */
    buf->base = H.buf + H.len;
    buf->len = sizeof H.buf - 1 - H.len;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
    if (n < 0) {
        H.eof = 1;
        uv_read_stop(s);
        return;
    }
    H.len += (size_t)n;
    H.buf[H.len] = 0;
    char *nl;
    while ((nl = strchr(H.buf, '\n'))) {
        *nl = 0;
        if (H.busy) {
            if (!strncmp(H.buf, "pid ", 4)) {
                H.res->pid = atoi(H.buf + 4);
            } else if (!strncmp(H.buf, "end ", 4)) {
                measure_parse_end(H.buf, H.res);
                H.busy = 0;
            } else if (!strcmp(H.buf, "fail")) {
                H.failed = 1;
                H.busy = 0;
            }
        }
        size_t used = (size_t)(nl + 1 - H.buf);
        memmove(H.buf, nl + 1, H.len - used + 1);
        H.len -= used;
    }
}

static void on_close(uv_handle_t *h) { H.closing--; }

static int helper_start(uv_loop_t *loop, char *err, size_t errlen) {
    const char *path = measure_helper_path();
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
        measure_shutdown(loop);
        return -1;
    }
    uv_read_start((uv_stream_t *)&H.reports, on_alloc, on_read);
    return 0;
}

static void on_shutdown_timeout(uv_timer_t *t) { *(int *)t->data = 1; }

void measure_shutdown(uv_loop_t *loop) {
    if (!H.running) return;
    H.running = 0;
    H.closing = 4;
    uv_close((uv_handle_t *)&H.requests, on_close);  /* EOF on its stdin: it exits */
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

int measure_start(uv_loop_t *loop, const run_spec *spec, run_result *res, char *err,
                  size_t errlen) {
    memset(res, 0, sizeof *res);
    if (H.running && (H.exited || H.eof)) measure_shutdown(loop);
    if (!H.running && helper_start(loop, err, errlen) < 0) return -1;

    size_t len;
    char *req = measure_request(spec, &len);
    H.res = res;
    H.busy = 1;
    H.failed = 0;
    int rc = send_request(req, len);
    free(req);
    if (rc < 0) {
        H.busy = 0;
        snprintf(err, errlen, "the run helper does not take requests");
        measure_shutdown(loop);
        return -1;
    }
    if (interrupt_pending) {
        res->interrupted = 1;
        kill(H.proc.pid, SIGUSR1);
    }
    return 0;
}

int measure_running(void) { return H.busy && !H.exited && !H.eof; }

void measure_terminate(void) {
    if (measure_running()) kill(H.proc.pid, SIGUSR2);
}

void measure_kill(void) {
    if (measure_running()) kill(H.proc.pid, SIGUSR1);
}

int measure_wait(uv_loop_t *loop, char *err, size_t errlen) {
    run_result *res = H.res;
    while (measure_running()) uv_run(loop, UV_RUN_ONCE);
    if (H.busy) {   /* the helper died under us */
        H.busy = 0;
        if (res->interrupted) return 0;
        snprintf(err, errlen, "the run helper ended (status %d) before the run did",
                 (int)H.exit_status);
        measure_shutdown(loop);
        return -1;
    }
    if (H.failed) {
        snprintf(err, errlen, "the run helper could not start the run (see the run's log)");
        return -1;
    }
    return 0;
}

int measure_run(uv_loop_t *loop, const run_spec *spec, run_result *res, char *err,
                size_t errlen) {
    if (measure_start(loop, spec, res, err, errlen) < 0) return -1;
    return measure_wait(loop, err, errlen);
}
