/* serve.c: the read-only HTTP server of `agentbench web` (command.c parses its options),
 * for the web view's static files (runner/web/, installed in PREFIX/share/agentbench/web).
 * The page itself talks to pmproxy's REST API straight from the browser; this server only
 * hands out its files.
 *
 * One libuv loop, one TCP listener. Each connection feeds what it reads to http_parser;
 * a complete request is answered at once from within the parser's callback (files are a
 * few hundred kilobytes at most and local, so they are read synchronously, up to
 * WEB_MAX_FILE), and answers to pipelined requests queue in order on the stream. Only
 * GET and HEAD; a request head over WEB_MAX_HEAD bytes, a request with a body, a parse
 * error or a write queue over WEB_MAX_QUEUED bytes ends the connection after its error
 * answer. Paths are mapped by path.c (no traversal, no listing, no hidden files).
 * Idle connections close after WEB_IDLE_MS; at most WEB_MAX_CONNS are open at once.
 * SIGINT or SIGTERM stops the server (exit 0). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <http_parser.h>
#include <uv.h>
#include "util.h"
#include "path.h"
#include "serve.h"

#define WEB_MAX_HEAD   (8 * 1024)
#define WEB_MAX_FILE   (16 * 1024 * 1024)
#define WEB_MAX_QUEUED (32 * 1024 * 1024)
#define WEB_MAX_CONNS  128
#define WEB_IDLE_MS    30000

typedef struct web_server {
    uv_loop_t *loop;
    uv_tcp_t listener;
    uv_signal_t sigint, sigterm;
    char root[PATH_MAX];
    int conns;
} web_server;

typedef struct web_conn {
    uv_tcp_t tcp;
    uv_timer_t idle;
    http_parser parser;
    web_server *srv;
    char url[WEB_MAX_HEAD];
    size_t url_len, head_bytes;
    int closing, handles_open;
} web_conn;

typedef struct web_write {
    uv_write_t req;
    char *data;
} web_write;

static http_parser_settings settings;
static char read_buf[64 * 1024]; /* libuv calls alloc and read back to back */

static const char *reason(int status) {
    switch (status) {
        case 200: return "OK";
        case 400: return "Bad Request";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 413: return "Content Too Large";
        case 431: return "Request Header Fields Too Large";
        default: return "Internal Server Error";
    }
}

static void on_conn_closed(uv_handle_t *h) {
    web_conn *c = h->data;
    if (--c->handles_open == 0) {
        c->srv->conns--;
        free(c);
    }
}

static void conn_close(web_conn *c) {
    if (c->closing) return;
    c->closing = 1;
    uv_close((uv_handle_t *)&c->idle, on_conn_closed);
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void on_written(uv_write_t *req, int status) {
    web_write *w = (web_write *)req;
    free(w->data);
    free(w);
}

static void on_flushed_then_close(uv_shutdown_t *req, int status) {
    conn_close(req->data);
    free(req);
}

/* Queue head (and len bytes of body, may be 0) as one write. */
static void conn_send(web_conn *c, const char *head, size_t headlen, const char *body, size_t len) {
    web_write *w = rn_xmalloc(sizeof *w);
    w->data = rn_xmalloc(headlen + len);
    memcpy(w->data, head, headlen);
    if (len) memcpy(w->data + headlen, body, len);
    uv_buf_t b = uv_buf_init(w->data, (unsigned)(headlen + len));
    if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_written) < 0) {
        free(w->data);
        free(w);
        conn_close(c);
    }
}

/* Close once everything queued is written (a shutdown waits for pending writes). */
static void conn_finish(web_conn *c) {
    if (c->closing) return;
    uv_read_stop((uv_stream_t *)&c->tcp);
    uv_shutdown_t *req = rn_xmalloc(sizeof *req);
    req->data = c;
    if (uv_shutdown(req, (uv_stream_t *)&c->tcp, on_flushed_then_close) < 0) {
        free(req);
        conn_close(c);
    }
}

static const char common_headers[] =
    "Cache-Control: no-cache\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "Content-Security-Policy: default-src 'self'; connect-src *; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'\r\n";

static void send_error(web_conn *c, int status, int keep_alive) {
    char body[128], head[1024];
    int blen = snprintf(body, sizeof body, "%d %s\n", status, reason(status));
    int hlen = snprintf(head, sizeof head,
                        "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                        "Content-Length: %d\r\n%s%s%s\r\n",
                        status, reason(status), blen, common_headers,
                        status == 405 ? "Allow: GET, HEAD\r\n" : "",
                        keep_alive ? "" : "Connection: close\r\n");
    conn_send(c, head, (size_t)hlen, body, (size_t)blen);
}

/* Read a whole regular file of at most WEB_MAX_FILE bytes; NULL on failure. */
static char *read_file(const char *path, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat sb;
    char *data = NULL;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size <= WEB_MAX_FILE) {
        data = rn_xmalloc((size_t)sb.st_size + 1);
        size_t got = 0;
        while (got < (size_t)sb.st_size) {
            ssize_t n = read(fd, data + got, (size_t)sb.st_size - got);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            got += (size_t)n;
        }
        *len = got;
    }
    close(fd);
    return data;
}

static void answer(web_conn *c, http_parser *p) {
    int keep = http_should_keep_alive(p);
    if (p->method != HTTP_GET && p->method != HTTP_HEAD) {
        send_error(c, 405, keep);
        return;
    }
    struct http_parser_url u;
    http_parser_url_init(&u);
    if (http_parser_parse_url(c->url, c->url_len, 0, &u) != 0 || !(u.field_set & (1 << UF_PATH))) {
        send_error(c, 400, keep);
        return;
    }
    char file[PATH_MAX];
    int status = rn_web_resolve(c->srv->root, c->url + u.field_data[UF_PATH].off,
                                u.field_data[UF_PATH].len, file, sizeof file);
    size_t len = 0;
    char *data = status == 200 ? read_file(file, &len) : NULL;
    if (status == 200 && !data) status = 404;
    if (status != 200) {
        send_error(c, status, keep);
        return;
    }
    char head[1024];
    int hlen = snprintf(
        head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s%s\r\n",
        rn_web_content_type(file), len, common_headers, keep ? "" : "Connection: close\r\n");
    conn_send(c, head, (size_t)hlen, data, p->method == HTTP_HEAD ? 0 : len);
    free(data);
}

/* The parser's callbacks: collect the request target, count the head, answer. */
static int on_message_begin(http_parser *p) {
    web_conn *c = p->data;
    c->url_len = c->head_bytes = 0;
    return 0;
}

static int count_head(web_conn *c, size_t len) {
    c->head_bytes += len;
    return c->head_bytes > WEB_MAX_HEAD;
}

static int on_url(http_parser *p, const char *at, size_t len) {
    web_conn *c = p->data;
    if (count_head(c, len)) return 1;
    memcpy(c->url + c->url_len, at, len);
    c->url_len += len;
    return 0;
}

static int on_header(http_parser *p, const char *at, size_t len) {
    return count_head(p->data, len);
}

static int on_headers_complete(http_parser *p) {
    /* a static file server takes no request bodies (1 would mean "skip the body");
     * without a Content-Length header http_parser sets content_length to ULLONG_MAX */
    int body = (p->flags & F_CHUNKED) || (p->content_length > 0 && p->content_length != ULLONG_MAX);
    return body ? -1 : 0;
}

static int on_message_complete(http_parser *p) {
    web_conn *c = p->data;
    answer(c, p);
    return http_should_keep_alive(p) ? 0 : 1;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
    *buf = uv_buf_init(read_buf, sizeof read_buf);
}

static void on_idle(uv_timer_t *t) {
    conn_close(t->data);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
    web_conn *c = s->data;
    if (n < 0) {
        conn_close(c);
        return;
    }
    if (n == 0) return;
    uv_timer_again(&c->idle);
    size_t done = http_parser_execute(&c->parser, &settings, buf->base, (size_t)n);
    enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
    if (e == HPE_CB_message_complete) {
        conn_finish(c); /* answered; the client asked to close */
    } else if (e != HPE_OK || done != (size_t)n) {
        int status = e == HPE_CB_url || e == HPE_CB_header_field || e == HPE_CB_header_value ? 431
                     : e == HPE_CB_headers_complete                                          ? 413
                                                                                             : 400;
        send_error(c, status, 0);
        conn_finish(c);
    } else if (uv_stream_get_write_queue_size(s) > WEB_MAX_QUEUED) {
        conn_close(c); /* a client that sends requests but does not read answers */
    }
}

static void on_connection(uv_stream_t *server, int status) {
    web_server *srv = server->data;
    if (status < 0) return;
    web_conn *c = rn_xcalloc(1, sizeof *c);
    c->srv = srv;
    uv_tcp_init(srv->loop, &c->tcp);
    uv_timer_init(srv->loop, &c->idle);
    c->tcp.data = c->idle.data = c;
    c->handles_open = 2;
    srv->conns++;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0 || srv->conns > WEB_MAX_CONNS) {
        conn_close(c);
        return;
    }
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    uv_timer_start(&c->idle, on_idle, WEB_IDLE_MS, WEB_IDLE_MS);
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

/* Stop: close the listener, the signal watchers and every connection; uv_run returns. */
static void close_each(uv_handle_t *h, void *arg) {
    web_server *srv = arg;
    if (uv_is_closing(h)) return;
    if (h->type == UV_TCP && h != (uv_handle_t *)&srv->listener) conn_close(h->data);
    else if (h->type != UV_TIMER) uv_close(h, NULL);
}

static void on_signal(uv_signal_t *s, int signum) {
    web_server *srv = s->data;
    uv_walk(srv->loop, close_each, srv);
}

int rn_web_serve(const struct sockaddr *addr, const char *root, const char *listen_text) {
    static web_server srv;
    snprintf(srv.root, sizeof srv.root, "%s", root);
    signal(SIGPIPE, SIG_IGN);
    settings.on_message_begin = on_message_begin;
    settings.on_url = on_url;
    settings.on_header_field = on_header;
    settings.on_header_value = on_header;
    settings.on_headers_complete = on_headers_complete;
    settings.on_message_complete = on_message_complete;

    srv.loop = uv_default_loop();
    uv_tcp_init(srv.loop, &srv.listener);
    srv.listener.data = &srv;
    int r = uv_tcp_bind(&srv.listener, addr, 0);
    if (r == 0) r = uv_listen((uv_stream_t *)&srv.listener, 128, on_connection);
    if (r < 0) {
        fprintf(stderr, "agentbench web: cannot listen on %s: %s\n", listen_text, uv_strerror(r));
        return 1;
    }
    struct sockaddr_storage bound;
    int blen = sizeof bound;
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    uv_tcp_getsockname(&srv.listener, (struct sockaddr *)&bound, &blen);
    if (bound.ss_family == AF_INET6) {
        uv_ip6_name((struct sockaddr_in6 *)&bound, ip, sizeof ip);
        port = ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
    } else {
        uv_ip4_name((struct sockaddr_in *)&bound, ip, sizeof ip);
        port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
    }
    uv_signal_init(srv.loop, &srv.sigint);
    uv_signal_init(srv.loop, &srv.sigterm);
    srv.sigint.data = srv.sigterm.data = &srv;
    uv_signal_start(&srv.sigint, on_signal, SIGINT);
    uv_signal_start(&srv.sigterm, on_signal, SIGTERM);
    printf("agentbench web ready url=http://%s%s%s:%d/ dir=%s pid=%d\n",
           bound.ss_family == AF_INET6 ? "[" : "", ip, bound.ss_family == AF_INET6 ? "]" : "", port,
           srv.root, (int)getpid());
    fflush(stdout);
    uv_run(srv.loop, UV_RUN_DEFAULT);
    uv_loop_close(srv.loop);
    return 0;
}
