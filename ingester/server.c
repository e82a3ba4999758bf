/* server.c: the ingester's listeners and their life: the data listener (closed in mode
 * down, replaced by a never-accepting listener with a full queue in mode blackhole, and
 * reopened on the same port when the mode changes back), the control listener, the
 * --store flush timer, and graceful shutdown on SIGTERM/SIGINT. */
#include "server.h"
#include "addr.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define GRACE_MS       5000
#define STORE_FLUSH_MS 1000

void ing_server_log(const ing_server *s, const char *fmt, ...) {
    if (s->opt->quiet) return;
    va_list ap;
    va_start(ap, fmt);
    fputs("agentbench-ingester: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static socklen_t addr_len(const struct sockaddr_storage *ss) {
    return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

static void free_handle(uv_handle_t *h) {
    free(h);
}

static void on_data_connection(uv_stream_t *listener, int status) {
    ing_server *s = listener->data;
    if (status == 0) ing_conn_accept(&s->conns, listener, 0);
}

static void on_control_connection(uv_stream_t *listener, int status) {
    ing_server *s = listener->data;
    if (status == 0) ing_conn_accept(&s->conns, listener, 1);
}

/* Bind and listen on addr (its port is updated when it was 0). */
static uv_tcp_t *open_listener(ing_server *s, struct sockaddr_storage *addr, uv_connection_cb cb,
                               char *err, size_t errlen) {
    uv_tcp_t *t = malloc(sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    uv_tcp_init(s->loop, t);
    t->data = s;
    int r = uv_tcp_bind(t, (const struct sockaddr *)addr, 0);
    if (r == 0) r = uv_listen((uv_stream_t *)t, 1024, cb);
    if (r < 0) {
        char name[64];
        ab_addr_format((const struct sockaddr *)addr, name, sizeof name);
        snprintf(err, errlen, "cannot listen on %s: %s", name, uv_strerror(r));
        uv_close((uv_handle_t *)t, free_handle);
        return NULL;
    }
    int len = sizeof *addr;
    uv_tcp_getsockname(t, (struct sockaddr *)addr, &len);
    return t;
}

static int data_open(ing_server *s, char *err, size_t errlen) {
    if (s->data) return 0;
    s->data = open_listener(s, &s->data_addr, on_data_connection, err, errlen);
    return s->data ? 0 : -1;
}

static void data_close(ing_server *s) {
    if (s->data) {
        uv_close((uv_handle_t *)s->data, free_handle);
        s->data = NULL;
    }
}

static void blackhole_close(ing_server *s) {
    if (s->blackhole_fd >= 0) {
        close(s->blackhole_fd);
        s->blackhole_fd = -1;
    }
    for (int i = 0; i < s->nfill; i++) close(s->fill_fd[i]);
    s->nfill = 0;
}

/* A listener nobody accepts from, with a backlog of 1, filled by connections from this
 * process: the kernel then drops further SYNs, so clients' connects time out. */
static int blackhole_open(ing_server *s, char *err, size_t errlen) {
    int fd = socket(s->data_addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, (struct sockaddr *)&s->data_addr, addr_len(&s->data_addr)) < 0 ||
        listen(fd, 1) < 0) {
        snprintf(err, errlen, "blackhole listener: %s", strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    socklen_t len = sizeof s->data_addr;
    getsockname(fd, (struct sockaddr *)&s->data_addr, &len);
    s->blackhole_fd = fd;
    while (s->nfill < BLACKHOLE_MAX_FILL) {
        int cfd = socket(s->data_addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (cfd < 0) break;
        int r = connect(cfd, (struct sockaddr *)&s->data_addr, addr_len(&s->data_addr));
        if (r < 0 && errno == EINPROGRESS) {
            struct pollfd p = {.fd = cfd, .events = POLLOUT};
            int soerr = 0;
            socklen_t sl = sizeof soerr;
            if (poll(&p, 1, 100) == 1 && getsockopt(cfd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 &&
                soerr == 0)
                r = 0;
        }
        if (r < 0) { /* the queue is full: this connect did not complete */
            close(cfd);
            break;
        }
        s->fill_fd[s->nfill++] = cfd;
    }
    return 0;
}

static void format_names(ing_server *s) {
    ab_addr_format((const struct sockaddr *)&s->data_addr, s->data_name, sizeof s->data_name);
}

int ing_server_set_behaviour(ing_server *s, const ing_behaviour *nb, char *err, size_t errlen) {
    ing_mode old = s->beh.mode, mode = nb->mode;
    if (s->shutting_down) {
        snprintf(err, errlen, "shutting down");
        return -1;
    }
    if (old != mode) {
        int want_data = mode != MODE_DOWN && mode != MODE_BLACKHOLE;
        if (old == MODE_BLACKHOLE) blackhole_close(s);
        if (want_data && data_open(s, err, errlen) < 0) {
            char ignored[64];
            if (old == MODE_BLACKHOLE) blackhole_open(s, ignored, sizeof ignored);
            return -1;
        }
        if (!want_data) {
            data_close(s);
            ing_conn_set_reset_data(&s->conns); /* nothing answers in down or blackhole */
        }
        if (mode == MODE_BLACKHOLE && blackhole_open(s, err, errlen) < 0) {
            char ignored[256];
            s->beh.mode = MODE_DOWN;
            if (old != MODE_DOWN && data_open(s, ignored, sizeof ignored) == 0) s->beh.mode = old;
            return -1;
        }
        ing_server_log(s, "mode %s -> %s", ing_mode_name(old), ing_mode_name(mode));
    }
    s->beh = *nb;
    return 0;
}

static void on_store_timer(uv_timer_t *t) {
    ing_server *s = t->data;
    static int warned;
    if (ing_store_flush(&s->store) < 0 && !warned) {
        warned = 1;
        ing_server_log(s, "cannot write to %s: %s", s->store.dir, strerror(errno));
    }
}

static void on_signal(uv_signal_t *h, int signum) {
    ing_server *s = h->data;
    ing_server_log(s, "%s: shutting down", signum == SIGTERM ? "SIGTERM" : "SIGINT");
    ing_server_shutdown(s);
}

int ing_server_start(ing_server *s, uv_loop_t *loop, const ing_options *opt,
                     const conn_callbacks *app, void *app_arg, char *err, size_t errlen) {
    memset(s, 0, sizeof *s);
    s->loop = loop;
    s->opt = opt;
    s->beh = opt->behaviour;
    s->blackhole_fd = -1;
    s->start_ns = uv_hrtime();
    ing_counters_init(&s->counters);
    conn_limits lim = {.max_body = opt->max_body,
                       .idle_timeout_s = opt->idle_timeout_s,
                       .max_connections = opt->max_connections,
                       .max_buffered = opt->max_buffered};
    ing_conn_set_init(&s->conns, loop, &lim, app, app_arg);
    if (opt->store_dir) {
        ing_store_limits sl = {.max_apps = opt->store_max_apps,
                               .max_bytes = opt->store_max_bytes,
                               .max_app_bytes = opt->store_max_app_bytes,
                               .max_stacks = 1000000};
        if (ing_store_init(&s->store, opt->store_dir, &sl, err, errlen) < 0) return -1;
        s->has_store = 1;
        if (s->store.loaded.files || s->store.loaded.unreadable)
            fprintf(stderr,
                    "agentbench-ingester: --store %s: read back %zu stacks of %zu "
                    "applications from an earlier run (files: %zu, untyped ones of an "
                    "ingester before profile types: %zu; lines past the bounds: %zu, bad "
                    "lines: %zu, other files left alone: %zu)\n",
                    opt->store_dir, s->store.loaded.stacks, s->store.loaded.apps,
                    s->store.loaded.files, s->store.loaded.untyped, s->store.loaded.cut,
                    s->store.loaded.bad_lines, s->store.loaded.unreadable);
    }
    s->data_addr = opt->listen.ss;
    if (s->beh.mode == MODE_BLACKHOLE) {
        if (blackhole_open(s, err, errlen) < 0) return -1;
    } else {
        if (data_open(s, err, errlen) < 0) return -1;
        if (s->beh.mode == MODE_DOWN) data_close(s);
    }
    format_names(s);
    strcpy(s->control_name, "-");
    if (opt->has_control) {
        struct sockaddr_storage caddr = opt->control.ss;
        s->control = open_listener(s, &caddr, on_control_connection, err, errlen);
        if (!s->control) return -1;
        ab_addr_format((const struct sockaddr *)&caddr, s->control_name, sizeof s->control_name);
    }
    uv_signal_init(loop, &s->sigterm);
    uv_signal_init(loop, &s->sigint);
    s->sigterm.data = s->sigint.data = s;
    uv_signal_start(&s->sigterm, on_signal, SIGTERM);
    uv_signal_start(&s->sigint, on_signal, SIGINT);
    uv_timer_init(loop, &s->store_timer);
    uv_timer_init(loop, &s->grace_timer);
    s->store_timer.data = s->grace_timer.data = s;
    if (s->has_store)
        uv_timer_start(&s->store_timer, on_store_timer, STORE_FLUSH_MS, STORE_FLUSH_MS);
    return 0;
}

void ing_server_warn_exposed(const ing_server *s) {
    const ing_options *o = s->opt;
    if (!ing_addr_is_loopback(&o->listen) && !o->auth_token)
        fprintf(stderr,
                "agentbench-ingester: WARNING: the data listener %s is not on loopback "
                "and has no token: anyone who reaches it can send profiles%s "
                "(--auth-token-file)\n",
                s->data_name, o->control_token ? "" : " and read /stats");
    if (o->has_control && !ing_addr_is_loopback(&o->control) && !o->control_token)
        fprintf(stderr,
                "agentbench-ingester: WARNING: the control listener %s is not on "
                "loopback and has no token: anyone who reaches it can change the mode (down, "
                "error, ...) and read /stats (--control-token-file or $%s)\n",
                s->control_name, ING_ENV_CONTROL_TOKEN);
}

/* The last connection is gone after the shutdown began: close what keeps the loop. */
static void finish(void *arg) {
    ing_server *s = arg;
    if (s->finished) return;
    s->finished = 1;
    uv_close((uv_handle_t *)&s->sigterm, NULL);
    uv_close((uv_handle_t *)&s->sigint, NULL);
    uv_close((uv_handle_t *)&s->store_timer, NULL);
    uv_close((uv_handle_t *)&s->grace_timer, NULL);
}

static void on_grace(uv_timer_t *t) {
    ing_server *s = t->data;
    ing_conn_set_close_all(&s->conns);
}

void ing_server_shutdown(ing_server *s) {
    if (s->finished) return;
    if (s->shutting_down) {
        on_grace(&s->grace_timer);
        return;
    }
    s->shutting_down = 1;
    data_close(s);
    blackhole_close(s);
    if (s->control) {
        uv_close((uv_handle_t *)s->control, free_handle);
        s->control = NULL;
    }
    uv_timer_start(&s->grace_timer, on_grace, GRACE_MS, 0);
    ing_conn_set_shutdown(&s->conns, finish, s);
}

void ing_server_free(ing_server *s) {
    if (s->has_store) {
        if (ing_store_flush(&s->store) < 0)
            ing_server_log(s, "cannot write to %s: %s", s->store.dir, strerror(errno));
        ing_store_free(&s->store);
    }
    ing_counters_free(&s->counters);
}
