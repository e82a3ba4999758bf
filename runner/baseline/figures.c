/* baseline/figures.c: the list of figures a baseline run gathers, and running a tool
 * (fio, iperf3, sysbench) to collect its output. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "parts.h"
#include "tool.h"

void rn_bl_add(bl_figures *f, const char *kind, const char *name, double value, const char *unit,
               json_t *detail) {
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        bl_figure *v = realloc(f->v, cap * sizeof *v);
        if (!v) {
            json_decref(detail);
            return;
        }
        f->v = v;
        f->cap = cap;
    }
    f->v[f->n++] = (bl_figure){strdup(kind), strdup(name), strdup(unit), value,
                               detail ? detail : json_object()};
}

void rn_bl_figures_free(bl_figures *f) {
    for (size_t i = 0; i < f->n; i++) {
        free(f->v[i].kind);
        free(f->v[i].name);
        free(f->v[i].unit);
        json_decref(f->v[i].detail);
    }
    free(f->v);
    f->v = NULL;
    f->n = f->cap = 0;
}

const bl_figure *rn_bl_find(const bl_figures *f, const char *kind, const char *name) {
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->v[i].kind, kind) && !strcmp(f->v[i].name, name)) return &f->v[i];
    return NULL;
}

int rn_bl_run_capture(char *const argv[], double timeout_s, char **out, char *err, size_t errlen) {
    *out = NULL;
    char log[] = "/tmp/agentbench-baseline-log.XXXXXX";
    int lfd = mkstemp(log);
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        if (lfd >= 0) {
            close(lfd);
            unlink(log);
        }
        return -1;
    }
    pid_t pid = rn_tool_spawn(argv, NULL, pfd[1], lfd);
    close(pfd[1]);
    if (pid < 0) {
        if (errno == ENOENT) snprintf(err, errlen, "%s is not installed", argv[0]);
        else snprintf(err, errlen, "cannot start %s: %s", argv[0], strerror(errno));
        close(pfd[0]);
        if (lfd >= 0) {
            close(lfd);
            unlink(log);
        }
        return -1;
    }
    /* Read everything (tools print little), then reap with the deadline. A tool that
     * hangs while keeping stdout open is cut off by the alarm-free poll below. */
    size_t len = 0, cap = 65536;
    char *buf = malloc(cap);
    fcntl(pfd[0], F_SETFL, O_NONBLOCK);
    int status = -1, reaped = 0;
    double waited = 0;
    for (;;) {
        if (buf && len + 4096 > cap) {
            char *nb = realloc(buf, cap * 2);
            if (nb) {
                buf = nb;
                cap *= 2;
            }
        }
        ssize_t r = buf ? read(pfd[0], buf + len, cap - len - 1) : -1;
        if (r > 0) {
            len += (size_t)r;
            continue;
        }
        if (r == 0) break;
        if (errno != EAGAIN && errno != EINTR) break;
        if (!reaped && waitpid(pid, &status, WNOHANG) == pid) reaped = 1;
        if (waited > timeout_s + 5) break;
        if (waited > timeout_s) kill(pid, waited > timeout_s + 3 ? SIGKILL : SIGTERM);
        usleep(20000);
        waited += 0.02;
    }
    close(pfd[0]);
    if (!reaped) status = rn_tool_wait(pid, 3, NULL, NULL, NULL);
    if (buf) buf[len] = '\0';
    *out = buf;
    int rc;
    if (status != -1 && WIFEXITED(status)) {
        rc = WEXITSTATUS(status);
        if (rc != 0) {
            char last[400];
            rn_tool_last_line(log, last, sizeof last);
            snprintf(err, errlen, "%s failed (exit %d)%s%s", argv[0], rc, last[0] ? ": " : "",
                     last);
        }
    } else {
        snprintf(err, errlen, "%s was stopped after %.0f s", argv[0], timeout_s);
        rc = -1;
    }
    if (lfd >= 0) {
        close(lfd);
        unlink(log);
    }
    return rc;
}
