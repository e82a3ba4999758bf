/* load.c: the load generator's engine (load.h): connections, the open-loop schedule, the
 * window and its drain, and the accounting of every answer.
 *
 * A run goes SETUP (connect every connection) → WINDOW (drive load; t0 is when the last
 * connection came up) → DRAIN (no new requests; those already due still go out and are
 * awaited, for at most timeout_s) → DONE (every handle closed, then `done`).
 *
 * Each connection is a small state machine: DOWN → CONNECTING → IDLE ⇄ BUSY, back to DOWN
 * when the server closes it, an error drops it, or an answer says not to keep it alive;
 * a dropped connection is opened again at once (after 10 ms when a connect failed). Its
 * one timer is the request timeout while BUSY and the reconnect back-off while DOWN.
 *
 * Open loop: request i is due at t0 + i/rate. `scheduled` counts the requests due so far,
 * `next` the ones sent; due requests go to idle connections (a stack, each connection in
 * it at most once) as soon as one is free; a timerfd armed at the next intended time
 * wakes the loop in between (libuv's own timers have millisecond resolution, too coarse
 * for a schedule measured in microseconds). */
#include "load.h"

#include <errno.h>
#include <http_parser.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/timerfd.h>
#include <unistd.h>

enum conn_state {
    C_DOWN,
    C_CONNECTING,
    C_IDLE,
    C_BUSY
};
enum run_phase {
    R_SETUP,
    R_WINDOW,
    R_DRAIN,
    R_DONE
};
enum failure {
    F_SOCKET,
    F_PARSE,
    F_TIMEOUT
};

#define RECONNECT_BACKOFF_MS 10
#define HEADER_NAME_MAX      64
#define HEADER_VALUE_MAX     32

typedef struct conn {
    load_run *run;
    uv_tcp_t tcp;
    uv_timer_t timer; /* BUSY: request timeout; DOWN: reconnect back-off */
    uv_connect_t connect_req;
    uv_write_t write_req;
    http_parser parser;
    enum conn_state state;
    int tcp_open; /* tcp initialized and its close callback not yet run */
    int closing, backoff, in_idle_stack;
    uint64_t intended, sent_at; /* ns, uv_hrtime's clock (CLOCK_MONOTONIC) */
    int head, complete;
    /* the digest header, gathered across reads */
    char hname[HEADER_NAME_MAX], hvalue[HEADER_VALUE_MAX];
    size_t hname_len, hvalue_len;
    int in_value, hoverflow, has_digest;
    uint64_t digest;
    char rbuf[16384];
} conn;

struct load_run {
    uv_loop_t *loop;
    load_config cfg;
    load_done_cb done;
    void *arg;
    load_result *res;
    conn *conns;
    unsigned *idle, nidle;
    unsigned connected, busy;
    enum run_phase phase;
    uint64_t t0, t_end;       /* ns: the window */
    double period_ns;         /* open loop: 1/rate */
    uint64_t scheduled, next; /* open loop: requests due; requests sent (both indices) */
    int tfd;
    uv_poll_t tick;
    uv_timer_t phase_timer; /* SETUP: connect bound; WINDOW: its end; DRAIN: deadline */
    unsigned handles;       /* open libuv handles */
    int done_called;
};

static void conn_connect(conn *c);
static void conn_close(conn *c);
static void check_drained(load_run *r);
static void finish(load_run *r);

/* ---- helpers ---------------------------------------------------------------------- */

static uint64_t intended_at(const load_run *r, uint64_t i) {
    return r->t0 + (uint64_t)((double)i * r->period_ns);
}

static uint64_t ms_ceil(double s) {
    double ms = ceil(s * 1e3);
    return ms < 1 ? 1 : (uint64_t)ms;
}

/* One handle fewer; the last one closed after the run finished calls `done`. */
static void handle_gone(load_run *r) {
    r->handles--;
    if (r->phase == R_DONE && r->handles == 0 && !r->done_called) {
        r->done_called = 1;
        r->done(r, r->arg);
    }
}

static void on_handle_closed(uv_handle_t *h) {
    handle_gone(h->data);
}
static void on_conn_timer_closed(uv_handle_t *h) {
    handle_gone(((conn *)h->data)->run);
}

static void push_idle(conn *c) {
    load_run *r = c->run;
    c->state = C_IDLE;
    if (!c->in_idle_stack) {
        c->in_idle_stack = 1;
        r->idle[r->nidle++] = (unsigned)(c - r->conns);
    }
}

static conn *pop_idle(load_run *r) {
    while (r->nidle > 0) {
        conn *c = &r->conns[r->idle[--r->nidle]];
        c->in_idle_stack = 0;
        if (c->state == C_IDLE) return c;
    }
    return NULL;
}

/* ---- sending ---------------------------------------------------------------------- */

static void on_request_timeout(uv_timer_t *t);

static void fail_busy(conn *c, enum failure f) {
    load_run *r = c->run;
    if (c->state == C_BUSY) {
        r->busy--;
        if (f == F_SOCKET) r->res->err_socket++;
        else if (f == F_PARSE) r->res->err_parse++;
        else r->res->err_timeout++;
    }
    conn_close(c);
    check_drained(r);
}

static void on_write(uv_write_t *w, int status) {
    conn *c = w->data;
    if (status < 0 && status != UV_ECANCELED && c->state == C_BUSY && !c->closing)
        fail_busy(c, F_SOCKET);
}

static void send_request(conn *c, uint64_t index, uint64_t intended, uint64_t now) {
    load_run *r = c->run;
    const load_request *q = &r->cfg.requests[index % r->cfg.nrequests];
    c->state = C_BUSY;
    c->intended = intended;
    c->sent_at = now;
    c->head = q->head;
    c->complete = 0;
    c->hname_len = c->hvalue_len = 0;
    c->in_value = c->hoverflow = c->has_digest = 0;
    http_parser_init(&c->parser, HTTP_RESPONSE);
    c->parser.data = c;
    r->busy++;
    r->res->sent++;
    uv_timer_start(&c->timer, on_request_timeout, ms_ceil(r->cfg.timeout_s), 0);
    uv_buf_t b = uv_buf_init((char *)q->bytes, (unsigned)q->len);
    c->write_req.data = c;
    if (uv_write(&c->write_req, (uv_stream_t *)&c->tcp, &b, 1, on_write) < 0)
        fail_busy(c, F_SOCKET);
}

static void advance_schedule(load_run *r, uint64_t now) {
    while (r->scheduled < r->res->offered && intended_at(r, r->scheduled) <= now) r->scheduled++;
}

static void arm_tick(load_run *r) {
    struct itimerspec its = {0};
    if (r->phase == R_WINDOW && r->scheduled < r->res->offered) {
        uint64_t at = intended_at(r, r->scheduled);
        its.it_value.tv_sec = (time_t)(at / 1000000000u);
        its.it_value.tv_nsec = (long)(at % 1000000000u);
    }
    timerfd_settime(r->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* Open loop: every due request to an idle connection, oldest first. */
static void dispatch(load_run *r) {
    uint64_t now = uv_hrtime();
    advance_schedule(r, now);
    while (r->next < r->scheduled && r->phase != R_DONE) {
        conn *c = pop_idle(r);
        if (!c) break;
        uint64_t i = r->next++;
        send_request(c, i, intended_at(r, i), now);
    }
}

static void on_tick(uv_poll_t *p, int status, int events) {
    load_run *r = p->data;
    uint64_t expirations;
    if (read(r->tfd, &expirations, sizeof expirations) < 0 && errno != EAGAIN) return;
    if (r->phase != R_WINDOW) return;
    dispatch(r);
    arm_tick(r);
}

/* A connection is up and has nothing in flight. */
static void conn_ready(conn *c) {
    load_run *r = c->run;
    if (r->phase == R_WINDOW && !r->res->open_loop) {
        uint64_t now = uv_hrtime();
        send_request(c, r->next++, now, now);
        return;
    }
    push_idle(c);
    if (r->res->open_loop && (r->phase == R_WINDOW || r->phase == R_DRAIN)) dispatch(r);
    check_drained(r);
}

/* ---- answers ---------------------------------------------------------------------- */

static void header_done(conn *c) {
    const char *want = c->run->cfg.digest_header;
    if (want && !c->hoverflow && c->hname_len == strlen(want) &&
        !strncasecmp(c->hname, want, c->hname_len) && c->hvalue_len > 0) {
        c->hvalue[c->hvalue_len] = '\0';
        char *end;
        errno = 0;
        unsigned long long v = strtoull(c->hvalue, &end, 16);
        if (errno == 0 && *end == '\0') {
            c->digest = v;
            c->has_digest = 1;
        }
    }
    c->hname_len = c->hvalue_len = 0;
    c->in_value = c->hoverflow = 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len) {
    conn *c = p->data;
    if (!c->run->cfg.digest_header) return 0;
    if (c->in_value) header_done(c);
    if (c->hname_len + len >= HEADER_NAME_MAX) c->hoverflow = 1;
    else {
        memcpy(c->hname + c->hname_len, at, len);
        c->hname_len += len;
    }
    return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len) {
    conn *c = p->data;
    if (!c->run->cfg.digest_header) return 0;
    c->in_value = 1;
    if (c->hvalue_len + len >= HEADER_VALUE_MAX) c->hoverflow = 1;
    else {
        memcpy(c->hvalue + c->hvalue_len, at, len);
        c->hvalue_len += len;
    }
    return 0;
}

static int on_headers_complete(http_parser *p) {
    conn *c = p->data;
    if (c->in_value) header_done(c);
    return c->head ? 1 : 0; /* 1: the answer to a HEAD has no body */
}

static int on_message_complete(http_parser *p) {
    conn *c = p->data;
    c->complete = 1;
    http_parser_pause(p, 1); /* stop here: bytes after it were never asked for */
    return 0;
}

static const http_parser_settings parser_settings = {
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_message_complete = on_message_complete,
};

/* The answer on c is complete at `now`: account for it; keep the connection or drop it. */
static void answered(conn *c, uint64_t now, int keep) {
    load_run *r = c->run;
    load_result *res = r->res;
    unsigned status = c->parser.status_code;
    res->completed++;
    if (status >= 200 && status < 300) {
        res->status_2xx++;
        if (now <= r->t_end) res->ok_in_window++;
        if (c->has_digest) {
            res->digests++;
            res->digest_sum += c->digest;
        }
    } else {
        res->status_non_2xx++;
    }
    rn_load_hist_record(&res->latency, now > c->intended ? now - c->intended : 0);
    rn_load_hist_record(&res->service, now > c->sent_at ? now - c->sent_at : 0);
    r->busy--;
    c->state = C_IDLE;
    uv_timer_stop(&c->timer);
    if (keep) conn_ready(c);
    else {
        conn_close(c);
        check_drained(r);
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
    conn *c = h->data;
    *buf = uv_buf_init(c->rbuf, sizeof c->rbuf);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
    conn *c = s->data;
    load_run *r = c->run;
    if (r->phase == R_DONE || c->closing || nread == 0) return;
    uint64_t now = uv_hrtime();
    if (nread < 0) {
        if (c->state != C_BUSY) { /* the server closed an idle keep-alive connection */
            conn_close(c);
            return;
        }
        if (nread == UV_EOF) { /* an answer delimited by the end of the connection */
            http_parser_execute(&c->parser, &parser_settings, NULL, 0);
            if (c->complete) {
                answered(c, now, 0);
                return;
            }
        }
        fail_busy(c, F_SOCKET);
        return;
    }
    r->res->bytes_received += (uint64_t)nread;
    if (c->state != C_BUSY) { /* bytes nobody asked for */
        r->res->err_parse++;
        conn_close(c);
        return;
    }
    size_t n = http_parser_execute(&c->parser, &parser_settings, buf->base, (size_t)nread);
    if (c->complete) {
        int extra = n < (size_t)nread; /* more than one answer to one request */
        if (extra) r->res->err_parse++;
        answered(c, now, !extra && http_should_keep_alive(&c->parser));
    } else if (HTTP_PARSER_ERRNO(&c->parser) != HPE_OK) {
        fail_busy(c, F_PARSE);
    }
}

static void on_request_timeout(uv_timer_t *t) {
    conn *c = t->data;
    if (c->state == C_BUSY) fail_busy(c, F_TIMEOUT);
    else if (c->state == C_DOWN && !c->tcp_open && c->run->phase != R_DONE) conn_connect(c);
}

/* ---- connections ------------------------------------------------------------------ */

static void run_fail(load_run *r, const char *fmt, const char *what) {
    r->res->failed = 1;
    snprintf(r->res->error, sizeof r->res->error, fmt, what);
    finish(r);
}

static void window_start(load_run *r);

static void on_connect(uv_connect_t *req, int status) {
    conn *c = req->data;
    load_run *r = c->run;
    if (r->phase == R_DONE || status == UV_ECANCELED) return;
    if (status < 0) {
        if (r->phase == R_SETUP) {
            run_fail(r, "connect: %s", uv_strerror(status));
            return;
        }
        r->res->err_connect++;
        c->backoff = 1;
        conn_close(c);
        return;
    }
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    if (r->phase == R_SETUP) {
        c->state = C_IDLE;
        if (++r->connected == r->cfg.connections) window_start(r);
        return;
    }
    r->res->reconnects++;
    conn_ready(c);
}

static void conn_connect(conn *c) {
    load_run *r = c->run;
    uv_tcp_init(r->loop, &c->tcp);
    c->tcp.data = c;
    c->tcp_open = 1;
    r->handles++;
    uv_tcp_nodelay(&c->tcp, 1);
    c->state = C_CONNECTING;
    c->connect_req.data = c;
    int e = uv_tcp_connect(&c->connect_req, &c->tcp, (const struct sockaddr *)&r->cfg.addr,
                           on_connect);
    if (e < 0) {
        if (r->phase == R_SETUP) {
            run_fail(r, "connect: %s", uv_strerror(e));
            return;
        }
        r->res->err_connect++;
        c->backoff = 1;
        conn_close(c);
    }
}

static void on_tcp_closed(uv_handle_t *h) {
    conn *c = h->data;
    load_run *r = c->run;
    c->tcp_open = 0;
    c->closing = 0;
    if (r->phase == R_DONE) {
        handle_gone(r);
        return;
    }
    r->handles--;
    if (c->backoff) {
        c->backoff = 0;
        uv_timer_start(&c->timer, on_request_timeout, RECONNECT_BACKOFF_MS, 0);
    } else {
        conn_connect(c);
    }
}

static void conn_close(conn *c) {
    if (!c->tcp_open || c->closing) return;
    c->closing = 1;
    c->state = C_DOWN;
    uv_timer_stop(&c->timer);
    uv_read_stop((uv_stream_t *)&c->tcp);
    uv_close((uv_handle_t *)&c->tcp, on_tcp_closed);
}

/* ---- the run ---------------------------------------------------------------------- */

static void on_phase_timer(uv_timer_t *t);

static void window_start(load_run *r) {
    r->phase = R_WINDOW;
    r->t0 = uv_hrtime();
    r->t_end = r->t0 + (uint64_t)(r->cfg.duration_s * 1e9);
    uv_timer_start(&r->phase_timer, on_phase_timer, ms_ceil(r->cfg.duration_s), 0);
    for (unsigned i = 0; i < r->cfg.connections && r->phase == R_WINDOW; i++) {
        conn *c = &r->conns[i];
        if (c->state != C_IDLE) continue;
        if (r->res->open_loop) push_idle(c);
        else conn_ready(c);
    }
    if (r->res->open_loop) {
        uv_poll_start(&r->tick, UV_READABLE, on_tick);
        dispatch(r);
        arm_tick(r);
    }
}

static void check_drained(load_run *r) {
    if (r->phase != R_DRAIN || r->busy > 0) return;
    if (r->res->open_loop && r->next < r->res->offered) return;
    finish(r);
}

static void on_phase_timer(uv_timer_t *t) {
    load_run *r = t->data;
    uint64_t now = uv_hrtime();
    switch (r->phase) {
        case R_SETUP: run_fail(r, "%s", "connecting timed out"); return;
        case R_WINDOW:
            if (now < r->t_end) { /* libuv's clock is coarser: not yet */
                uv_timer_start(&r->phase_timer, on_phase_timer,
                               ms_ceil((double)(r->t_end - now) / 1e9), 0);
                return;
            }
            r->phase = R_DRAIN;
            if (r->res->open_loop) {
                r->scheduled = r->res->offered; /* every intended time is now past */
                arm_tick(r);                    /* disarms */
                dispatch(r);
            }
            uv_timer_start(&r->phase_timer, on_phase_timer, ms_ceil(r->cfg.timeout_s), 0);
            check_drained(r);
            return;
        case R_DRAIN:
            r->res->err_timeout += r->busy;
            if (r->res->open_loop) r->res->unsent += r->res->offered - r->next;
            finish(r);
            return;
        case R_DONE: return;
    }
}

static void close_handle(load_run *r, uv_handle_t *h) {
    if (!uv_is_closing(h)) uv_close(h, on_handle_closed);
}

static void finish(load_run *r) {
    if (r->phase == R_DONE) return;
    load_result *res = r->res;
    if (r->t0) {
        res->elapsed_s = (double)(uv_hrtime() - r->t0) / 1e9;
        res->throughput_rps = (double)res->ok_in_window / r->cfg.duration_s;
    }
    if (!res->open_loop) res->offered = res->sent;
    r->phase = R_DONE;
    for (unsigned i = 0; i < r->cfg.connections; i++) {
        conn *c = &r->conns[i];
        if (c->tcp_open && !c->closing) {
            c->closing = 1;
            uv_read_stop((uv_stream_t *)&c->tcp);
            uv_close((uv_handle_t *)&c->tcp, on_tcp_closed);
        }
        if (!uv_is_closing((uv_handle_t *)&c->timer))
            uv_close((uv_handle_t *)&c->timer, on_conn_timer_closed);
    }
    close_handle(r, (uv_handle_t *)&r->phase_timer);
    if (r->tfd >= 0) {
        uv_poll_stop(&r->tick);
        close_handle(r, (uv_handle_t *)&r->tick);
    }
}

int rn_load_config_check(const load_config *cfg, char *err, size_t errlen) {
    const char *why = NULL;
    int family = cfg->addr.ss_family;
    if (family != AF_INET && family != AF_INET6) why = "the address is neither IPv4 nor IPv6";
    else if (!cfg->requests || cfg->nrequests == 0) why = "no request to send";
    else if (!(cfg->rate >= 0 && cfg->rate <= 1e7))
        why = "the rate must be in [0, 10000000] requests/s";
    else if (!(cfg->duration_s > 0 && cfg->duration_s <= 1e6))
        why = "the duration must be in (0, 1000000] s";
    else if (cfg->connections < 1 || cfg->connections > 10000)
        why = "connections must be in [1, 10000]";
    else if (!(cfg->timeout_s > 0 && cfg->timeout_s <= 3600))
        why = "the timeout must be in (0, 3600] s";
    else if (cfg->digest_header &&
             (!*cfg->digest_header || strlen(cfg->digest_header) >= HEADER_NAME_MAX))
        why = "the digest header name must have 1 to 63 characters";
    else if (cfg->rate * cfg->duration_s > 1e12)
        why = "rate x duration is more than 10^12 requests";
    for (size_t i = 0; !why && i < cfg->nrequests; i++)
        if (!cfg->requests[i].bytes || cfg->requests[i].len == 0 ||
            cfg->requests[i].len > UINT32_MAX)
            why = "a request is empty";
    if (why) {
        snprintf(err, errlen, "%s", why);
        return -1;
    }
    return 0;
}

load_run *rn_load_start(uv_loop_t *loop, const load_config *cfg, load_done_cb done, void *arg,
                        char *err, size_t errlen) {
    if (rn_load_config_check(cfg, err, errlen) < 0) return NULL;
    load_run *r = calloc(1, sizeof *r);
    load_result *res = calloc(1, sizeof *res);
    conn *conns = calloc(cfg->connections, sizeof *conns);
    unsigned *idle = calloc(cfg->connections, sizeof *idle);
    int tfd = cfg->rate > 0 ? timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC) : -1;
    if (!r || !res || !conns || !idle || (cfg->rate > 0 && tfd < 0)) {
        snprintf(err, errlen, "out of memory or file descriptors: %s", strerror(errno));
        free(r), free(res), free(conns), free(idle);
        if (tfd >= 0) close(tfd);
        return NULL;
    }
    r->loop = loop;
    r->cfg = *cfg;
    r->done = done;
    r->arg = arg;
    r->res = res;
    r->conns = conns;
    r->idle = idle;
    r->tfd = tfd;
    rn_load_hist_init(&res->latency);
    rn_load_hist_init(&res->service);
    res->duration_s = cfg->duration_s;
    res->open_loop = cfg->rate > 0;
    if (res->open_loop) {
        r->period_ns = 1e9 / cfg->rate;
        /* request i is in the window when i/rate < duration */
        res->offered = (uint64_t)ceil(cfg->rate * cfg->duration_s * (1 - 1e-12));
        uv_poll_init(loop, &r->tick, tfd);
        r->tick.data = r;
        r->handles++;
    }
    uv_timer_init(loop, &r->phase_timer);
    r->phase_timer.data = r;
    r->handles++;
    uv_timer_start(&r->phase_timer, on_phase_timer, ms_ceil(cfg->timeout_s), 0);
    for (unsigned i = 0; i < cfg->connections; i++) {
        conns[i].run = r;
        uv_timer_init(loop, &conns[i].timer);
        conns[i].timer.data = &conns[i];
        r->handles++;
    }
    for (unsigned i = 0; i < cfg->connections && r->phase == R_SETUP; i++) conn_connect(&conns[i]);
    return r;
}

void rn_load_stop(load_run *r) {
    if (r->phase == R_SETUP) run_fail(r, "%s", "stopped before the window started");
    else if (r->phase == R_WINDOW) {
        r->t_end = uv_hrtime();
        if (r->res->open_loop) {
            advance_schedule(r, r->t_end);
            r->res->offered = r->scheduled;
        }
        on_phase_timer(&r->phase_timer);
    }
}

const load_result *rn_load_result_of(const load_run *r) {
    return r->res;
}

void rn_load_free(load_run *r) {
    if (!r) return;
    if (r->tfd >= 0) close(r->tfd);
    free(r->conns);
    free(r->idle);
    free(r->res);
    free(r);
}

static void blocking_done(load_run *r, void *arg) {
    *(int *)arg = 1;
}

int rn_load_run_blocking(const load_config *cfg, load_result *out, char *err, size_t errlen) {
    uv_loop_t loop;
    if (uv_loop_init(&loop) < 0) {
        snprintf(err, errlen, "cannot create an event loop");
        return -1;
    }
    int finished = 0;
    load_run *r = rn_load_start(&loop, cfg, blocking_done, &finished, err, errlen);
    if (!r) {
        uv_loop_close(&loop);
        return -1;
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    *out = *r->res;
    rn_load_free(r);
    uv_loop_close(&loop);
    if (out->failed) {
        snprintf(err, errlen, "%s", out->error);
        return -1;
    }
    return finished ? 0 : -1;
}

void rn_load_percentiles_of(const load_hist *h, load_percentiles *p) {
    p->p50 = (double)rn_load_hist_quantile(h, 0.50) / 1e9;
    p->p90 = (double)rn_load_hist_quantile(h, 0.90) / 1e9;
    p->p99 = (double)rn_load_hist_quantile(h, 0.99) / 1e9;
    p->p999 = (double)rn_load_hist_quantile(h, 0.999) / 1e9;
    p->max = (double)h->max / 1e9;
    p->mean = rn_load_hist_mean(h) / 1e9;
}
