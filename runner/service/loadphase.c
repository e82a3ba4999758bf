/* loadphase.c: the load phase child of loadphase.h: spawned with its stdout on a pipe
 * (the JSON object, read whole) and its stderr in the run's log; awaited until it has
 * exited and its pipe is at EOF; killed when the caller gives up or its bound passes. */
#include "loadphase.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define OUT_MAX (4u << 20)

typedef struct child {
    uv_process_t proc;
    uv_pipe_t out;
    uv_timer_t bound;
    char *buf;
    size_t len, cap;
    int exited, eof, killed_late, handles;
    int64_t status;
    int term_signal;
} child;

static void on_exit_cb(uv_process_t *p, int64_t status, int sig) {
    child *c = p->data;
    c->exited = 1;
    c->status = status;
    c->term_signal = sig;
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
    child *c = h->data;
    if (c->cap - c->len < 65536 && c->cap < OUT_MAX) {
        c->cap = c->cap ? c->cap * 2 : 65536;
        c->buf = rn_xrealloc(c->buf, c->cap + 1);
    }
    buf->base = c->buf + c->len;
    buf->len = c->cap - c->len;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
    child *c = s->data;
    if (n < 0 || (n == 0 && buf->len == 0)) { /* EOF, an error, or no room left */
        c->eof = 1;
        uv_read_stop(s);
        return;
    }
    c->len += (size_t)n;
}

static void on_bound(uv_timer_t *t) {
    child *c = t->data;
    if (c->exited) return;
    c->killed_late = 1;
    uv_process_kill(&c->proc, SIGKILL);
}

static void on_closed(uv_handle_t *h) {
    ((child *)h->data)->handles--;
}

static void add_num(strlist *a, const char *opt, double v) {
    rn_strlist_add(a, opt);
    rn_strlist_add_take(a, rn_xasprintf("%.6g", v));
}

int rn_loadphase_run(uv_loop_t *loop, const loadphase_spec *spec, int (*go_on)(void *), void *arg,
                     json_t **json, char *why, size_t whylen) {
    *json = NULL;
    strlist a = {0};
    rn_strlist_add(&a, spec->helper);
    rn_strlist_add(&a, "--exec");
    if (spec->cpus && *spec->cpus) {
        rn_strlist_add(&a, "--cpu");
        rn_strlist_add(&a, spec->cpus);
    }
    rn_strlist_add(&a, "--");
    rn_strlist_add(&a, spec->agentbench);
    rn_strlist_add(&a, "load");
    rn_strlist_add(&a, "--json");
    if (spec->rate > 0) add_num(&a, "--rate", spec->rate);
    else {
        rn_strlist_add(&a, "--rate");
        rn_strlist_add(&a, "max");
    }
    add_num(&a, "--duration", spec->duration_s);
    add_num(&a, "--timeout", spec->timeout_s);
    add_num(&a, "--connections", spec->connections);
    if (spec->digest_header) {
        rn_strlist_add(&a, "--digest-header");
        rn_strlist_add(&a, spec->digest_header);
    }
    for (char **u = spec->urls; u && *u; u++) rn_strlist_add(&a, *u);

    child c;
    memset(&c, 0, sizeof c);
    uv_pipe_init(loop, &c.out, 0);
    c.out.data = c.proc.data = c.bound.data = &c;
    uv_stdio_container_t stdio[3];
    stdio[0].flags = UV_IGNORE;
    stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    stdio[1].data.stream = (uv_stream_t *)&c.out;
    stdio[2].flags = UV_INHERIT_FD;
    stdio[2].data.fd = spec->logfd >= 0 ? spec->logfd : 2;
    uv_process_options_t o;
    memset(&o, 0, sizeof o);
    o.file = spec->helper;
    o.args = a.v;
    o.stdio = stdio;
    o.stdio_count = 3;
    o.exit_cb = on_exit_cb;
    int rc = uv_spawn(loop, &c.proc, &o);
    rn_strlist_free(&a);
    c.handles = 1; /* the pipe */
    if (rc < 0) {
        snprintf(why, whylen, "cannot start the load generator: %s", uv_strerror(rc));
        uv_close((uv_handle_t *)&c.out, on_closed);
        while (c.handles > 0) uv_run(loop, UV_RUN_ONCE);
        return -1;
    }
    c.handles += 2; /* the process and the timer */
    uv_timer_init(loop, &c.bound);
    /* connect, window, drain: duration + 2 timeouts when all goes well; a starved host
     * may stretch it, so the bound is generous (a hung child, not a slow one) */
    double bound = 2 * spec->duration_s + 3 * spec->timeout_s + 30;
    uv_timer_start(&c.bound, on_bound, (uint64_t)(bound * 1000), 0);
    uv_read_start((uv_stream_t *)&c.out, on_alloc, on_read);

    int aborted = 0;
    while (!c.exited || !c.eof) {
        if (!aborted && go_on && !go_on(arg)) {
            aborted = 1;
            if (!c.exited) uv_process_kill(&c.proc, SIGKILL);
        }
        uv_run(loop, UV_RUN_ONCE);
    }
    uv_close((uv_handle_t *)&c.bound, on_closed);
    uv_close((uv_handle_t *)&c.out, on_closed);
    uv_close((uv_handle_t *)&c.proc, on_closed);
    while (c.handles > 0) uv_run(loop, UV_RUN_ONCE);

    int result = -1;
    if (aborted) result = -2;
    else if (c.killed_late)
        snprintf(why, whylen,
                 "the load generator was still running %.0f s after its start "
                 "(killed)",
                 bound);
    else if (c.term_signal)
        snprintf(why, whylen, "the load generator died of signal %d", c.term_signal);
    else if (c.status != 0)
        snprintf(why, whylen, "the load generator failed (exit %d; see the run's log)",
                 (int)c.status);
    else {
        json_error_t e;
        json_t *j = c.buf ? json_loadb(c.buf, c.len, 0, &e) : NULL;
        if (json_is_object(j)) {
            *json = j;
            result = 0;
        } else {
            json_decref(j);
            snprintf(why, whylen, "the load generator printed no JSON object");
        }
    }
    free(c.buf);
    return result;
}
