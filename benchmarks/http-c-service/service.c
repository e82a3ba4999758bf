/* service.c: http-c-service, the C service benchmark (kind = service): an HTTP/1.1 server
 * on libuv, requests parsed with http_parser, /work done by a pool of worker threads
 * (work.h, pool.h), profiled by agentbench's in-process C agent when the environment asks.
 *
 *   GET  /healthz                      200 "ok" (readiness; not counted)
 *   GET  /work?seed=N&items=K          200 JSON, header X-Agentbench-Digest (work.h)
 *   POST /work  {"seed":N,"items":K}   the same
 *
 * It listens on $AGENTBENCH_SERVICE_ADDR (HOST:PORT, numeric). One request per connection
 * is handled at a time: reading stops while the work runs and bytes already read after the
 * request (pipelining) wait in `pending` until the answer is written. SIGTERM or SIGINT:
 * stop listening, close idle connections, finish and write the answers in progress, join
 * the workers, print (and flush)
 *
 *   requests: N            200 answers to /work written
 *   checksum: HEX          their digests summed mod 2^64 (16 hex digits; work.h)
 *
 * then stop the agent (its last upload, bounded by its flush timeout) and exit 0: the
 * figures are out before the agent's stop, so a stop that never returns still leaves them.
 * The checksum is comparable across runs that received the same requests. */
#include <errno.h>
#include <http_parser.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "abagent.h"
#include "pool.h"
#include "work.h"

#define MAX_URL         4096
#define MAX_BODY        (64 * 1024)
#define DEFAULT_WORKERS 4

typedef struct service {
    uv_loop_t *loop;
    uv_tcp_t listener;
    uv_signal_t sigterm, sigint;
    pool *pool;
    struct conn *conns; /* open connections */
    int stopping, retiring;
    unsigned long long served, bad;
    uint64_t checksum;
} service;

typedef struct conn {
    pool_job job; /* first: a pool_job * is a conn * */
    service *svc;
    struct conn *prev, *next;
    uv_tcp_t tcp;
    uv_write_t write_req;
    http_parser parser;
    char url[MAX_URL];
    size_t url_len;
    char *body;
    size_t body_len;
    int too_long;        /* 414 or 413 */
    int busy;            /* a request is being handled or answered */
    int work_in_flight;  /* its job is in the pool */
    int closing, closed; /* uv_close called; its callback ran */
    int keep_alive;
    char *pending; /* read after the current request */
    size_t pending_len;
    work_params params;
    char *answer; /* work's result */
    size_t answer_len;
    uint64_t digest;
    int counted; /* a /work 200: count it once written */
    char head[256];
} conn;

static char read_buffer[64 * 1024]; /* loop thread only; consumed within on_read */
static http_parser_settings settings;

static void conn_feed(conn *c, const char *data, size_t len);

/* ---- connections ------------------------------------------------------------------ */

static void service_maybe_done(service *s);

static void conn_free(conn *c) {
    free(c->body);
    free(c->pending);
    free(c->answer);
    free(c);
}

static void on_conn_closed(uv_handle_t *h) {
    conn *c = h->data;
    service *s = c->svc;
    if (c->prev) c->prev->next = c->next;
    else s->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    c->closed = 1;
    if (!c->work_in_flight) conn_free(c); /* else the job's done frees it */
    service_maybe_done(s);
}

static void conn_close(conn *c) {
    if (c->closing) return;
    c->closing = 1;
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
    *buf = uv_buf_init(read_buffer, sizeof read_buffer);
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf) {
    conn *c = st->data;
    if (nread < 0) conn_close(c);
    else if (nread > 0) conn_feed(c, buf->base, (size_t)nread);
}

/* ---- answers ---------------------------------------------------------------------- */

static void on_written(uv_write_t *w, int status) {
    conn *c = w->data;
    service *s = c->svc;
    free(c->answer);
    c->answer = NULL;
    if (status == 0 && c->counted) {
        s->served++;
        s->checksum += c->digest;
    }
    c->counted = 0;
    c->busy = 0;
    if (status < 0 || !c->keep_alive || s->stopping) {
        conn_close(c);
        return;
    }
    char *more = c->pending;
    size_t n = c->pending_len;
    c->pending = NULL;
    c->pending_len = 0;
    if (n) conn_feed(c, more, n);
    free(more);
    if (!c->busy && !c->closing) uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

/* Writes the head and c->answer (owned by c until written). */
static void respond(conn *c, int status, const char *reason, const char *type, int with_digest) {
    int n = snprintf(c->head, sizeof c->head,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s", status,
                     reason, type, c->answer_len,
                     c->keep_alive && !c->svc->stopping ? "" : "Connection: close\r\n");
    if (with_digest)
        n += snprintf(c->head + n, sizeof c->head - (size_t)n, "X-Agentbench-Digest: %016llx\r\n",
                      (unsigned long long)c->digest);
    n += snprintf(c->head + n, sizeof c->head - (size_t)n, "\r\n");
    uv_buf_t bufs[2] = {uv_buf_init(c->head, (unsigned)n),
                        uv_buf_init(c->answer, (unsigned)c->answer_len)};
    c->write_req.data = c;
    if (uv_write(&c->write_req, (uv_stream_t *)&c->tcp, bufs, c->answer_len ? 2 : 1, on_written) <
        0) {
        c->busy = 0;
        conn_close(c);
    }
}

static void respond_text(conn *c, int status, const char *reason, const char *type,
                         const char *text) {
    free(c->answer);
    c->answer = strdup(text);
    c->answer_len = c->answer ? strlen(text) : 0;
    respond(c, status, reason, type, 0);
}

static void respond_error(conn *c, int status, const char *reason, const char *why) {
    char body[300];
    snprintf(body, sizeof body, "{\"error\":\"%s\"}", why);
    c->svc->bad++;
    respond_text(c, status, reason, "application/json", body);
}

/* ---- /work ------------------------------------------------------------------------ */

static void job_work(pool_job *j) {
    conn *c = (conn *)j;
    c->answer = work_run(&c->params, &c->answer_len, &c->digest);
}

static void job_done(pool_job *j) {
    conn *c = (conn *)j;
    c->work_in_flight = 0;
    if (c->closing) {                /* the client went away meanwhile */
        if (c->closed) conn_free(c); /* else on_conn_closed will */
        return;
    }
    if (!c->answer) {
        respond_error(c, 500, "Internal Server Error", "out of memory");
        return;
    }
    c->counted = 1;
    respond(c, 200, "OK", "application/json", 1);
}

static void route(conn *c) {
    struct http_parser_url u;
    http_parser_url_init(&u);
    if (http_parser_parse_url(c->url, c->url_len, 0, &u) != 0 || !(u.field_set & (1 << UF_PATH))) {
        respond_error(c, 400, "Bad Request", "malformed URL");
        return;
    }
    const char *path = c->url + u.field_data[UF_PATH].off;
    size_t plen = u.field_data[UF_PATH].len;
    const char *query = (u.field_set & (1 << UF_QUERY)) ? c->url + u.field_data[UF_QUERY].off : "";
    size_t qlen = (u.field_set & (1 << UF_QUERY)) ? u.field_data[UF_QUERY].len : 0;
    char why[160];
    if (plen == 8 && !memcmp(path, "/healthz", 8)) {
        respond_text(c, 200, "OK", "text/plain", "ok\n");
    } else if (plen == 5 && !memcmp(path, "/work", 5)) {
        int r;
        if (c->parser.method == HTTP_GET)
            r = work_params_from_query(query, qlen, &c->params, why, sizeof why);
        else if (c->parser.method == HTTP_POST)
            r = work_params_from_json(c->body ? c->body : "", c->body_len, &c->params, why,
                                      sizeof why);
        else {
            respond_error(c, 405, "Method Not Allowed", "GET or POST");
            return;
        }
        if (r < 0) {
            respond_error(c, 400, "Bad Request", why);
            return;
        }
        c->work_in_flight = 1;
        c->job.work = job_work;
        c->job.done = job_done;
        pool_submit(c->svc->pool, &c->job);
    } else {
        respond_error(c, 404, "Not Found", "no such path: /healthz and /work are served");
    }
}

/* ---- parsing ---------------------------------------------------------------------- */

static int on_message_begin(http_parser *p) {
    conn *c = p->data;
    c->url_len = c->body_len = 0;
    c->too_long = 0;
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t len) {
    conn *c = p->data;
    if (c->url_len + len > MAX_URL) c->too_long = 414;
    else {
        memcpy(c->url + c->url_len, at, len);
        c->url_len += len;
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len) {
    conn *c = p->data;
    if (c->too_long) return 0;
    if (c->body_len + len > MAX_BODY) {
        c->too_long = 413;
        return 0;
    }
    if (!c->body) c->body = malloc(MAX_BODY);
    if (!c->body) return -1;
    memcpy(c->body + c->body_len, at, len);
    c->body_len += len;
    return 0;
}

static int on_message_complete(http_parser *p) {
    http_parser_pause(p, 1);
    return 0;
}

static void save_pending(conn *c, const char *data, size_t len) {
    char *p = realloc(c->pending, c->pending_len + len);
    if (!p) {
        conn_close(c);
        return;
    }
    memcpy(p + c->pending_len, data, len);
    c->pending = p;
    c->pending_len += len;
}

static void conn_feed(conn *c, const char *data, size_t len) {
    if (c->busy) {
        save_pending(c, data, len);
        return;
    }
    size_t n = http_parser_execute(&c->parser, &settings, data, len);
    enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
    if (n > len) n = len;
    if (e == HPE_PAUSED) {
        http_parser_pause(&c->parser, 0);
        if (n < len) save_pending(c, data + n, len - n);
        c->busy = 1;
        c->keep_alive = http_should_keep_alive(&c->parser);
        uv_read_stop((uv_stream_t *)&c->tcp);
        if (c->too_long == 414) respond_error(c, 414, "URI Too Long", "URL longer than 4096 bytes");
        else if (c->too_long == 413)
            respond_error(c, 413, "Payload Too Large", "body larger than 64 KiB");
        else route(c);
    } else if (e != HPE_OK) {
        c->busy = 1;
        c->keep_alive = 0;
        uv_read_stop((uv_stream_t *)&c->tcp);
        respond_error(c, 400, "Bad Request", "malformed HTTP request");
    }
}

static void on_refused_closed(uv_handle_t *h) {
    free(h->data);
}

static void on_connection(uv_stream_t *server, int status) {
    service *s = server->data;
    if (status < 0 || s->stopping) return;
    conn *c = calloc(1, sizeof *c);
    if (!c) return;
    c->svc = s;
    uv_tcp_init(s->loop, &c->tcp);
    c->tcp.data = c;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0) {
        uv_close((uv_handle_t *)&c->tcp, on_refused_closed);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    c->next = s->conns;
    if (s->conns) s->conns->prev = c;
    s->conns = c;
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

/* ---- start and stop --------------------------------------------------------------- */

static void on_pool_closed(void *arg) {
    service *s = arg;
    s->pool = NULL;
    uv_close((uv_handle_t *)&s->sigterm, NULL);
    uv_close((uv_handle_t *)&s->sigint, NULL);
}

/* Once stopping, the listener closed and every connection gone: retire the pool. */
static void service_maybe_done(service *s) {
    if (s->stopping && !s->conns && !s->retiring && uv_is_closing((uv_handle_t *)&s->listener)) {
        s->retiring = 1;
        pool_shutdown(s->pool, on_pool_closed, s);
    }
}

static void on_listener_closed(uv_handle_t *h) {
    service_maybe_done(h->data);
}

static void on_signal(uv_signal_t *sig, int signum) {
    service *s = sig->data;
    if (s->stopping) return;
    s->stopping = 1;
    uv_close((uv_handle_t *)&s->listener, on_listener_closed);
    for (conn *c = s->conns, *next; c; c = next) {
        next = c->next;
        if (!c->busy) conn_close(c); /* busy ones close once answered */
    }
}

static int parse_addr(const char *text, struct sockaddr_storage *ss) {
    char host[256];
    const char *colon = strrchr(text, ':');
    if (!colon || colon == text || (size_t)(colon - text) >= sizeof host) return -1;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535) return -1;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = '\0';
        return uv_ip6_addr(host, (int)port, (struct sockaddr_in6 *)ss) < 0 ? -1 : 0;
    }
    return uv_ip4_addr(host, (int)port, (struct sockaddr_in *)ss) < 0 ? -1 : 0;
}

int main(int argc, char **argv) {
    unsigned workers = DEFAULT_WORKERS;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--workers") && i + 1 < argc) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end || n < 1 || n > 64) {
                fprintf(stderr, "http-c-service: --workers must be in [1, 64]\n");
                return 2;
            }
            workers = (unsigned)n;
        } else {
            printf(
                "usage: http-c-service [--workers N]   (default %d)\n"
                "Serves /healthz and /work on $AGENTBENCH_SERVICE_ADDR until SIGTERM; then prints\n"
                "the requests served and the checksum of the answers.\n",
                DEFAULT_WORKERS);
            return strcmp(argv[i], "--help") && strcmp(argv[i], "-h") ? 2 : 0;
        }
    }
    const char *addr_text = getenv("AGENTBENCH_SERVICE_ADDR");
    struct sockaddr_storage addr;
    if (!addr_text || !*addr_text) {
        fprintf(stderr,
                "http-c-service: AGENTBENCH_SERVICE_ADDR is not set: a service benchmark is "
                "started by agentbench's service runner (HOST:PORT to listen on)\n");
        return 2;
    }
    if (parse_addr(addr_text, &addr) < 0) {
        fprintf(stderr, "http-c-service: AGENTBENCH_SERVICE_ADDR '%s' is not HOST:PORT (numeric)\n",
                addr_text);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    settings.on_message_begin = on_message_begin;
    settings.on_url = on_url;
    settings.on_body = on_body;
    settings.on_message_complete = on_message_complete;

    static service s;
    s.loop = uv_default_loop();
    agent_start();
    s.pool = pool_create(s.loop, workers);
    if (!s.pool) {
        fprintf(stderr, "http-c-service: cannot start %u worker threads: %s\n", workers,
                strerror(errno));
        agent_stop();
        return 1;
    }
    uv_tcp_init(s.loop, &s.listener);
    s.listener.data = &s;
    int e = uv_tcp_bind(&s.listener, (const struct sockaddr *)&addr, 0);
    if (e == 0) e = uv_listen((uv_stream_t *)&s.listener, 1024, on_connection);
    if (e < 0) {
        fprintf(stderr, "http-c-service: cannot listen on %s: %s\n", addr_text, uv_strerror(e));
        return 1; /* the agent's atexit handler stops it */
    }
    uv_signal_init(s.loop, &s.sigterm);
    uv_signal_init(s.loop, &s.sigint);
    s.sigterm.data = s.sigint.data = &s;
    uv_signal_start(&s.sigterm, on_signal, SIGTERM);
    uv_signal_start(&s.sigint, on_signal, SIGINT);
    fprintf(stderr, "http-c-service: listening on %s with %u workers\n", addr_text, workers);

    uv_run(s.loop, UV_RUN_DEFAULT);
    uv_loop_close(s.loop);

    uint64_t totals[WORK_TAGS], all = 0;
    work_tag_totals(totals);
    for (int i = 0; i < WORK_TAGS; i++) all += totals[i];
    printf("http-c-service: %llu /work answers, %llu bad requests, %llu tags counted, %u workers\n",
           s.served, s.bad, (unsigned long long)all, workers);
    printf("requests: %llu\n", s.served);
    printf("checksum: %016llx\n", (unsigned long long)s.checksum);
    fflush(stdout);
    agent_stop();
    return 0;
}
