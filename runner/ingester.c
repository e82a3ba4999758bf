/* ingester.c: starting, checking and stopping the ingesters of a suite. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <jansson.h>
#include "http.h"
#include "clock.h"
#include "ingester.h"
#include "util.h"

static const char *const modes[] = {"fast",      "slow",  "down",  "blackhole", "error",
                                    "ratelimit", "flaky", "reset", "hang",      NULL};

int rn_ingester_mode_known(const char *mode) {
    for (int i = 0; modes[i]; i++)
        if (!strcmp(modes[i], mode)) return 1;
    return 0;
}

const char *rn_ingester_delivery_measure(const char *mode) {
    if (!rn_ingester_mode_known(mode)) return NULL; /* external: nothing to ask */
    if (!strcmp(mode, "fast") || !strcmp(mode, "slow")) return "profiles";
    if (!strcmp(mode, "down") || !strcmp(mode, "blackhole")) return NULL;
    return "requests";
}

const char *rn_ingester_default_binary(void) {
    static char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/../ingester/agentbench-ingester", rn_self_dir());
    if (rn_is_executable_file(path)) return path;
    snprintf(path, sizeof path, "%s/agentbench-ingester", rn_self_dir());
    if (rn_is_executable_file(path)) return path;
    return "agentbench-ingester";
}

/* "host:port" as the ingester prints its addresses. */
static int valid_hostport(const char *s) {
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s) return 0;
    size_t hl = (size_t)(colon - s);
    if (s[0] == '[') {
        if (hl < 3 || s[hl - 1] != ']') return 0;
        for (size_t i = 1; i + 1 < hl; i++)
            if (!strchr("0123456789abcdefABCDEF:.", s[i])) return 0;
    } else {
        for (size_t i = 0; i < hl; i++)
            if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '-') return 0;
    }
    char *end;
    long port = strtol(colon + 1, &end, 10);
    return colon[1] >= '1' && colon[1] <= '9' && !*end && port >= 1 && port <= 65535;
}

int rn_ingester_parse_ready(const char *line, char *data, size_t dlen, char *control, size_t clen,
                            int *pid) {
    char d[256], c[256];
    int p;
    if (sscanf(line, "agentbench-ingester ready data=%255s control=%255s pid=%d", d, c, &p) != 3)
        return -1;
    /* the line exactly as the ingester prints it: nothing missing, nothing more */
    char again[600];
    snprintf(again, sizeof again, "agentbench-ingester ready data=%s control=%s pid=%d", d, c, p);
    if (strcmp(again, line) || !valid_hostport(d) || (strcmp(c, "-") && !valid_hostport(c)) ||
        p <= 0 || p > 4194304)
        return -1;
    snprintf(data, dlen, "%s", d);
    snprintf(control, clen, "%s", c);
    *pid = p;
    return 0;
}

static void on_output_line(const char *line, size_t len, int has_nul, void *arg) {
    ingester *g = arg;
    char data[256], control[256];
    int pid;
    if (g->ready || has_nul ||
        rn_ingester_parse_ready(line, data, sizeof data, control, sizeof control, &pid) < 0)
        return;
    g->url = rn_xasprintf("http://%s", data);
    g->control = strcmp(control, "-") ? rn_xasprintf("http://%s", control) : NULL;
    g->ready = 1;
}

void rn_ingester_take_output(ingester *g, const char *buf, size_t n) {
    if (!g->ready) rn_linebuf_feed(&g->lines, buf, n, on_output_line, g);
}

static void on_exit_cb(uv_process_t *p, int64_t status, int sig) {
    ingester *g = p->data;
    g->exited = 1;
    g->exit_status = sig ? 128 + sig : status;
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
    ingester *g = h->data;
    buf->base = g->rbuf;
    buf->len = sizeof g->rbuf;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
    ingester *g = s->data;
    if (n < 0) {
        g->eof = 1;
        uv_read_stop(s);
        return;
    }
    rn_ingester_take_output(g, buf->base, (size_t)n);
}

static void on_timer(uv_timer_t *t) {
    *(int *)t->data = 1;
}
static void on_close(uv_handle_t *h) {
    ((ingester *)h->data)->closing--;
}
static void on_close_timer(uv_handle_t *h) {
    (void)h;
}

/* Run the loop until *flag or timeout; returns 1 when flag became true. */
static int run_until(uv_loop_t *loop, int *flag, double timeout_s) {
    int expired = 0;
    uv_timer_t t;
    uv_timer_init(loop, &t);
    t.data = &expired;
    uv_timer_start(&t, on_timer, (uint64_t)(timeout_s * 1000), 0);
    while (!*flag && !expired) uv_run(loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&t, on_close_timer);
    uv_run(loop, UV_RUN_NOWAIT);
    return *flag;
}

int rn_url_connection_refused(const char *url) {
    const char *hp = strstr(url, "://");
    hp = hp ? hp + 3 : url;
    char host[128];
    int port;
    if (sscanf(hp, "%127[^:]:%d", host, &port) != 2) return 0;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) return 0;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    int rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
    int refused = rc < 0 && errno == ECONNREFUSED;
    close(fd);
    return refused;
}

int rn_ingester_wait_healthy(const char *control, double timeout_s) {
    char *url = rn_xasprintf("%s/healthz", control);
    double end = ab_mono_s() + timeout_s;
    int ok = 0;
    char err[256];
    do {
        if (rn_http_call("GET", url, NULL, 1.0, NULL, err, sizeof err) == 200) {
            ok = 1;
            break;
        }
        usleep(20000);
    } while (ab_mono_s() < end);
    free(url);
    return ok ? 0 : -1;
}

/* The command line: the ingester under the run helper's --exec (so it is reaped like a
 * run), on any free ports of 127.0.0.1, in mode. */
static void ingester_args(strlist *args, const char *binary, const char *helper, const char *mode,
                          double delay, const char *cpus, const char *store) {
    const char *fixed[] = {helper,      "--exec",      "--",     binary, "--listen", "127.0.0.1:0",
                           "--control", "127.0.0.1:0", "--mode", mode,   NULL};
    for (int i = 0; fixed[i]; i++) rn_strlist_add(args, fixed[i]);
    if (!strcmp(mode, "slow")) {
        rn_strlist_add(args, "--delay");
        rn_strlist_add_take(args, rn_xasprintf("%g", delay));
    }
    if (cpus && *cpus) {
        rn_strlist_add(args, "--cpu");
        rn_strlist_add(args, cpus);
    }
    if (store) {
        rn_strlist_add(args, "--store");
        rn_strlist_add(args, store);
    }
    rn_strlist_add(args, "--quiet");
}

/* Spawn it with its stdout on a pipe (the ready line) and stderr into logfd. */
static int spawn(uv_loop_t *loop, ingester *g, char **args, int logfd) {
    uv_pipe_init(loop, &g->out, 0);
    g->out.data = g;
    uv_stdio_container_t stdio[3];
    stdio[0].flags = UV_IGNORE;
    stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    stdio[1].data.stream = (uv_stream_t *)&g->out;
    stdio[2].flags = logfd >= 0 ? UV_INHERIT_FD : UV_IGNORE;
    stdio[2].data.fd = logfd;
    uv_process_options_t o = {0};
    o.file = args[0];
    o.args = args;
    o.stdio = stdio;
    o.stdio_count = 3;
    o.exit_cb = on_exit_cb;
    o.flags = UV_PROCESS_DETACHED; /* a terminal's Ctrl-C reaches the runner only */
    g->proc.data = g;
    int rc = uv_spawn(loop, &g->proc, &o);
    g->spawned = 1;
    if (rc < 0) {
        g->exited = g->eof = 1;
        return rc;
    }
    g->pid = g->proc.pid;
    uv_read_start((uv_stream_t *)&g->out, on_alloc, on_read);
    return 0;
}

/* Until the ready line (or the child's exit), at most 10 s. Then: a control address that
 * answers /healthz and, in mode down, nothing listening on the data address. */
static int await_ready(uv_loop_t *loop, ingester *g, const char *binary, const char *mode,
                       char *err, size_t errlen) {
    double end = ab_mono_s() + 10;
    while (!g->ready && !g->exited && ab_mono_s() < end) {
        int fl = 0;
        run_until(loop, &fl, 0.05);
    }
    if (!g->ready) {
        if (g->exited)
            snprintf(err, errlen, "%s (mode %s) exited with status %d before it was ready", binary,
                     mode, (int)g->exit_status);
        else snprintf(err, errlen, "%s (mode %s) printed no ready line within 10 s", binary, mode);
        return -1;
    }
    if (!g->control) {
        snprintf(err, errlen, "%s gave no control address", binary);
        return -1;
    }
    if (rn_ingester_wait_healthy(g->control, 5) < 0) {
        snprintf(err, errlen, "%s (mode %s): %s/healthz does not answer", binary, mode, g->control);
        return -1;
    }
    if (!strcmp(mode, "down") && !rn_url_connection_refused(g->url)) {
        snprintf(err, errlen, "mode down: something still listens on %s", g->url);
        return -1;
    }
    return 0;
}

int rn_ingester_start(uv_loop_t *loop, ingester *g, const char *binary, const char *helper,
                      const char *name, const char *mode, double delay, const char *cpus,
                      const char *store, int logfd, char *err, size_t errlen) {
    memset(g, 0, sizeof *g);
    g->name = rn_xstrdup(name);
    g->mode = rn_xstrdup(mode);
    strlist args = {0};
    ingester_args(&args, binary, helper, mode, delay, cpus, store);
    int rc = spawn(loop, g, args.v, logfd);
    rn_strlist_free(&args);
    if (rc < 0) snprintf(err, errlen, "cannot start %s: %s", binary, uv_strerror(rc));
    if (rc < 0 || await_ready(loop, g, binary, mode, err, errlen) < 0) {
        rn_ingester_stop(loop, g);
        return -1;
    }
    return 0;
}

void rn_ingester_stop(uv_loop_t *loop, ingester *g) {
    if (!g->spawned || g->remote) return;
    g->spawned = 0;
    if (!g->exited) {
        uv_process_kill(&g->proc, SIGTERM);
        if (!run_until(loop, &g->exited, 5.0)) {
            uv_process_kill(&g->proc, SIGKILL);
            run_until(loop, &g->exited, 2.0);
        }
    }
    if (!g->eof) uv_read_stop((uv_stream_t *)&g->out);
    g->closing = 2;
    uv_close((uv_handle_t *)&g->out, on_close);
    uv_close((uv_handle_t *)&g->proc, on_close);
    while (g->closing > 0) uv_run(loop, UV_RUN_ONCE);
}

void rn_ingester_remote(ingester *g, const char *url, const char *control) {
    memset(g, 0, sizeof *g);
    g->remote = 1;
    g->name = rn_xstrdup("remote");
    g->mode = rn_xstrdup("fast");
    g->url = rn_xstrdup(url);
    g->control = rn_xstrdup(control);
}

int rn_ingester_set_mode(const char *control, const char *mode, double delay, char *err,
                         size_t errlen) {
    json_t *o = json_pack("{s:s}", "mode", mode);
    if (!strcmp(mode, "slow")) json_object_set_new(o, "delay_s", json_real(delay));
    char *body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    char *url = rn_xasprintf("%s/mode", control), *answer = NULL;
    int st = rn_http_call("PUT", url, body, 2.0, &answer, err, errlen);
    if (st > 0 && st != 200)
        snprintf(err, errlen, "PUT %s: HTTP %d %s", url, st, answer ? answer : "");
    free(url);
    free(body);
    free(answer);
    return st == 200 ? 0 : -1;
}

void rn_ingester_free(ingester *g) {
    free(g->name);
    free(g->mode);
    free(g->url);
    free(g->control);
    g->name = g->mode = g->url = g->control = NULL;
}
