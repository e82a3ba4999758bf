/* probe.c: the readiness probe of probe.h. One try at a time: connect, send the GET, read
 * until the status line is in, then close; a failed try closes its connection and the
 * next one starts 20 ms after the close. Every handle is closed before rn_probe_ready()
 * returns, so the caller's loop is left as it was. */
#include "probe.h"
#include "clock.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

#define TRY_MS   1000
#define PAUSE_MS 20

typedef struct probe {
    uv_loop_t *loop;
    struct sockaddr_in addr;
    char request[600];
    uv_buf_t reqbuf;
    uv_tcp_t tcp;
    uv_connect_t connect;
    uv_write_t write;
    uv_timer_t timer; /* a try's bound, then the pause before the next try */
    int in_try;       /* a try is under way (its callbacks count) */
    int tcp_open;     /* tcp initialised, not yet closed */
    int handles;      /* handles not yet closed */
    int finished;     /* ready, or given up: no further try */
    int ready;
    double deadline; /* ab_mono_s() time */
    char status[256];
    size_t len;
    char why[128];
} probe;

static void start_try(probe *p);

static void on_pause(uv_timer_t *t) {
    start_try(t->data);
}

static void on_tcp_closed(uv_handle_t *h) {
    probe *p = h->data;
    p->tcp_open = 0;
    p->handles--;
    if (!p->finished) uv_timer_start(&p->timer, on_pause, PAUSE_MS, 0);
}

/* The try is over: ok, or failed for why (NULL: the last try's reason stays). */
static void end_try(probe *p, int ok, const char *why) {
    if (!p->in_try) return;
    p->in_try = 0;
    uv_timer_stop(&p->timer);
    if (ok) p->ready = p->finished = 1;
    else if (why) snprintf(p->why, sizeof p->why, "%s", why); /* NULL: keep the last */
    if (p->tcp_open && !uv_is_closing((uv_handle_t *)&p->tcp))
        uv_close((uv_handle_t *)&p->tcp, on_tcp_closed);
}

static void on_try_timeout(uv_timer_t *t) {
    end_try(t->data, 0, "no answer in time");
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
    probe *p = h->data;
    buf->base = p->status + p->len;
    buf->len = sizeof p->status - 1 - p->len;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
    probe *p = s->data;
    if (!p->in_try) return;
    if (n < 0) {
        end_try(p, 0, "the connection closed without an answer");
        return;
    }
    p->len += (size_t)n;
    p->status[p->len] = 0;
    if (!strstr(p->status, "\r\n") && p->len < sizeof p->status - 1) return;
    int minor, code;
    char why[64];
    if (sscanf(p->status, "HTTP/1.%d %d", &minor, &code) != 2) {
        end_try(p, 0, "an answer that is not HTTP/1.x");
        return;
    }
    snprintf(why, sizeof why, "status %d", code);
    end_try(p, code == 200, why);
}

static void on_written(uv_write_t *w, int status) {
    (void)w;
    (void)status;
}

static void on_connect(uv_connect_t *c, int status) {
    probe *p = c->data;
    if (!p->in_try) return;
    if (status < 0) {
        end_try(p, 0, uv_strerror(status));
        return;
    }
    uv_read_start((uv_stream_t *)&p->tcp, on_alloc, on_read);
    if (uv_write(&p->write, (uv_stream_t *)&p->tcp, &p->reqbuf, 1, on_written) < 0)
        end_try(p, 0, "cannot send the request");
}

static void start_try(probe *p) {
    if (p->finished) return;
    double left = p->deadline - ab_mono_s();
    uint64_t bound = left * 1000 < TRY_MS ? (uint64_t)(left > 0 ? left * 1000 + 1 : 1) : TRY_MS;
    p->len = 0;
    p->status[0] = 0;
    uv_tcp_init(p->loop, &p->tcp);
    p->tcp.data = p;
    p->tcp_open = 1;
    p->handles++;
    p->in_try = 1;
    p->connect.data = p;
    uv_timer_start(&p->timer, on_try_timeout, bound, 0);
    int rc = uv_tcp_connect(&p->connect, &p->tcp, (const struct sockaddr *)&p->addr, on_connect);
    if (rc < 0) end_try(p, 0, uv_strerror(rc));
}

static void on_timer_closed(uv_handle_t *h) {
    ((probe *)h->data)->handles--;
}

probe_outcome rn_probe_ready(uv_loop_t *loop, const struct sockaddr_in *addr, const char *path,
                             double timeout_s, int (*go_on)(void *), void *arg, char *why,
                             size_t whylen) {
    probe p;
    memset(&p, 0, sizeof p);
    p.loop = loop;
    p.addr = *addr;
    char host[INET_ADDRSTRLEN] = "";
    uv_ip4_name(addr, host, sizeof host);
    int n = snprintf(p.request, sizeof p.request,
                     "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: agentbench-run\r\n"
                     "Connection: close\r\n\r\n",
                     path, host, ntohs(addr->sin_port));
    p.reqbuf = uv_buf_init(p.request, (unsigned)(n < (int)sizeof p.request ? n : 0));
    snprintf(p.why, sizeof p.why, "no answer in time");
    p.deadline = ab_mono_s() + timeout_s;
    uv_timer_init(loop, &p.timer);
    p.timer.data = &p;
    p.handles = 1;
    start_try(&p);

    probe_outcome out = PROBE_TIMEOUT;
    for (;;) {
        if (p.ready) {
            out = PROBE_READY;
            break;
        }
        if (go_on && !go_on(arg)) {
            out = PROBE_ABORTED;
            break;
        }
        if (ab_mono_s() >= p.deadline) break;
        uv_run(loop, UV_RUN_ONCE);
    }
    p.finished = 1;
    if (p.in_try) end_try(&p, 0, NULL); /* cut short: the last failure says more */
    uv_timer_stop(&p.timer);
    uv_close((uv_handle_t *)&p.timer, on_timer_closed);
    while (p.handles > 0) uv_run(loop, UV_RUN_ONCE);
    if (why) snprintf(why, whylen, "%s", p.why);
    return out;
}
