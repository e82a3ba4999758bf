/* conn.c: one HTTP/1.x connection of the ingester. http_parser reads requests straight
 * from a shared read buffer; the parser pauses at the end of each request so that it is
 * handled outside the callbacks, and input that arrives while an answer is delayed is
 * kept until that answer is written (pipelining). Body limits are enforced while the
 * body streams in; over the limit the request is answered 413 and the rest discarded. */
#include "conn.h"
#include "routes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_URL (8 * 1024)
#define MAX_AUTHORIZATION (8 * 1024)
#define MAX_PENDING (64 * 1024)
#define DRAIN_TIMEOUT_MS 2000

/* Every connection reads into this buffer: libuv calls alloc and read back to back on
 * one thread, and whatever must outlive the read callback is copied out. Idle
 * connections therefore cost no buffer at all. */
static char read_buf[64 * 1024];

static http_parser_settings settings;

static void on_timer(uv_timer_t *t);
static void conn_read_start(ing_conn *c);
static void conn_feed(ing_conn *c, const char *data, size_t len);

static uint64_t ms_of(double s)
{
    double ms = s * 1000.0;
    return ms < 1 ? 1 : (uint64_t)ms;
}

/* The connection's one timer: idle and request deadlines, slow answers, draining. Moving
 * a deadline later (every request does) costs no timer operation: the timer fires at the
 * old time, sees the new deadline and sleeps again. */
static void conn_arm(ing_conn *c, uint64_t ms)
{
    c->deadline = uv_now(c->srv->loop) + ms;
    if (!uv_is_active((uv_handle_t *)&c->timer) || uv_timer_get_due_in(&c->timer) > ms)
        uv_timer_start(&c->timer, on_timer, ms, 0);
}

static void req_free(ing_request *r)
{
    if (!r)
        return;
    free(r->url);
    free(r->authorization);
    free(r->body);
    free(r->deferred_body);
    free(r);
}

static ing_request *req_get(ing_conn *c)
{
    if (!c->req) {
        c->req = calloc(1, sizeof *c->req);
        if (c->req)
            c->req->t0_ns = uv_hrtime();
    }
    return c->req;
}

/* --- closing --------------------------------------------------------------------- */

static void on_handle_closed(uv_handle_t *h)
{
    ing_conn *c = h->data;
    if (--c->closing_handles == 0)
        free(c);
}

void conn_close(ing_conn *c)
{
    if (c->state == CONN_CLOSED)
        return;
    ing_server *s = c->srv;
    c->state = CONN_CLOSED;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (!c->is_control && !c->over_cap) {
        s->data_conns--;
        s->counters.conn_open--;
    }
    req_free(c->req);
    c->req = NULL;
    free(c->pending);
    c->pending = NULL;
    c->closing_handles = 2;
    uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
    uv_close((uv_handle_t *)&c->timer, on_handle_closed);
    server_conn_gone(s);
}

void conn_reset(ing_conn *c)
{
    uv_os_fd_t fd;
    if (c->state != CONN_CLOSED && uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0) {
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    conn_close(c);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    ing_conn *c = req->data;
    free(req);
    if (status < 0 && status != UV_ECANCELED)
        conn_close(c);
}

/* The answer is on its way and the connection ends: send FIN after it, then discard
 * input until the client closes (or 2 s pass), so that the client reads the answer
 * instead of a reset caused by unread input. */
static void conn_drain(ing_conn *c)
{
    if (c->state == CONN_CLOSED || c->state == CONN_DRAINING)
        return;
    c->state = CONN_DRAINING;
    conn_arm(c, DRAIN_TIMEOUT_MS);
    if (c->read_stopped) {
        c->read_stopped = 0;
        conn_read_start(c);
    }
    uv_shutdown_t *req = malloc(sizeof *req);
    if (!req) {
        conn_close(c);
        return;
    }
    req->data = c;
    if (uv_shutdown(req, (uv_stream_t *)&c->tcp, on_shutdown) < 0) {
        free(req);
        conn_close(c);
    }
}

/* --- writing --------------------------------------------------------------------- */

typedef struct write_req {
    uv_write_t req;
    ing_conn *conn;
    char data[];
} write_req;

static void on_write(uv_write_t *w, int status)
{
    write_req *wr = (write_req *)w;
    ing_conn *c = wr->conn;
    free(wr);
    if (c->state == CONN_CLOSED)
        return;
    c->writes_pending--;
    if (status < 0)
        conn_close(c);
}

/* Write a then b; what the socket does not take at once is copied and queued. */
static int conn_send(ing_conn *c, const char *a, size_t alen, const char *b, size_t blen)
{
    if (c->state == CONN_CLOSED)
        return -1;
    size_t total = alen + blen, done = 0;
    if (c->writes_pending == 0) {
        uv_buf_t bufs[2] = {uv_buf_init((char *)a, (unsigned)alen),
                            uv_buf_init((char *)b, (unsigned)blen)};
        int r = uv_try_write((uv_stream_t *)&c->tcp, bufs, blen ? 2 : 1);
        if (r >= 0)
            done = (size_t)r;
        else if (r != UV_EAGAIN && r != UV_ENOSYS) {
            conn_close(c);
            return -1;
        }
    }
    if (done == total)
        return 0;
    size_t rest = total - done;
    write_req *wr = malloc(sizeof *wr + rest);
    if (!wr) {
        conn_close(c);
        return -1;
    }
    size_t off = 0;
    if (done < alen) {
        memcpy(wr->data, a + done, alen - done);
        off = alen - done;
        if (blen)
            memcpy(wr->data + off, b, blen);
    } else {
        memcpy(wr->data, b + (done - alen), rest);
    }
    wr->conn = c;
    uv_buf_t buf = uv_buf_init(wr->data, (unsigned)rest);
    if (uv_write(&wr->req, (uv_stream_t *)&c->tcp, &buf, 1, on_write) < 0) {
        free(wr);
        conn_close(c);
        return -1;
    }
    c->writes_pending++;
    return 0;
}

static const char *reason(int status)
{
    switch (status) {
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    default: {
        const char *r = http_status_str((enum http_status)status);
        return r && r[0] != '<' ? r : "Status";
    }
    }
}

static void request_done(ing_conn *c, int keep_alive)
{
    req_free(c->req);
    c->req = NULL;
    if (!keep_alive) {
        conn_drain(c);
        return;
    }
    c->state = CONN_READING;
    conn_arm(c, ms_of(c->srv->opt->idle_timeout_s));
    if (c->read_stopped) {
        c->read_stopped = 0;
        conn_read_start(c);
    }
}

void conn_reply(ing_conn *c, int status, const char *content_type, const char *extra_headers,
                const void *body, size_t len)
{
    if (c->state == CONN_CLOSED || c->state == CONN_DRAINING)
        return;
    ing_server *s = c->srv;
    ing_request *r = c->req;
    int keep = !s->shutting_down && !c->over_cap && !c->parser.upgrade &&
               HTTP_PARSER_ERRNO(&c->parser) == HPE_OK && !(r && r->reject_status) &&
               (!r || r->complete) && http_should_keep_alive(&c->parser);
    const char *conn_hdr = !keep ? "Connection: close\r\n"
                           : c->parser.http_minor == 0 ? "Connection: keep-alive\r\n" : "";
    if (status == 204 || status == 304)
        len = 0;   /* these never carry a body */
    char hdr[1024];
    static const char ok_empty[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    int n;
    if (status == 200 && len == 0 && !content_type && !extra_headers && !*conn_hdr) {
        /* the common answer to an agent, without formatting */
        memcpy(hdr, ok_empty, sizeof ok_empty - 1);
        n = (int)sizeof ok_empty - 1;
    } else
        n = snprintf(hdr, sizeof hdr, "HTTP/1.1 %d %s\r\n%s%s%sContent-Length: %zu\r\n%s%s\r\n",
                     status, reason(status), content_type ? "Content-Type: " : "",
                     content_type ? content_type : "", content_type ? "\r\n" : "", len,
                     conn_hdr, extra_headers ? extra_headers : "");
    if (n < 0 || n >= (int)sizeof hdr)
        n = snprintf(hdr, sizeof hdr, "HTTP/1.1 500 Internal Server Error\r\n"
                                      "Content-Length: 0\r\nConnection: close\r\n\r\n"),
        len = 0, keep = 0;
    if (r && r->counted) {
        counters_answer(&s->counters, status);
        latency_record(&s->counters.latency, uv_hrtime() - r->t0_ns);
    }
    if (conn_send(c, hdr, (size_t)n, body, len) < 0)
        return;
    request_done(c, keep);
}

static const char *error_code(int status)
{
    switch (status) {
    case 400: case 415: case 422: return "invalid_argument";
    case 401: return "unauthenticated";
    case 403: return "permission_denied";
    case 404: return "not_found";
    case 405: case 501: return "unimplemented";
    case 408: case 504: return "deadline_exceeded";
    case 409: return "already_exists";
    case 413: case 429: return "resource_exhausted";
    case 503: return "unavailable";
    default: return status < 500 ? "invalid_argument" : status == 500 ? "internal" : "unknown";
    }
}

char *conn_error_body(int status, const char *message, size_t *len)
{
    json_t *o = json_pack("{s:s, s:s}", "code", error_code(status), "message", message);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!text)
        return NULL;
    size_t n = strlen(text);
    char *out = realloc(text, n + 2);
    if (!out) {
        free(text);
        return NULL;
    }
    out[n] = '\n';
    out[n + 1] = '\0';
    *len = n + 1;
    return out;
}

void conn_reply_error(ing_conn *c, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t len = 0;
    char *body = conn_error_body(status, msg, &len);
    conn_reply(c, status, "application/json", NULL, body ? body : "", body ? len : 0);
    free(body);
}

void conn_defer(ing_conn *c, double delay_s, int status, const char *content_type, char *body,
                size_t len)
{
    ing_request *r = c->req;
    r->deferred_status = status;
    r->deferred_type = content_type;
    r->deferred_body = body;
    r->deferred_len = len;
    c->state = CONN_WAITING;
    conn_arm(c, ms_of(delay_s));
}

void conn_hang(ing_conn *c)
{
    c->req->hanging = 1;
    c->state = CONN_WAITING;
    c->deadline = UINT64_MAX;
    uv_timer_stop(&c->timer);
}

/* Answer a deferred request now, then go on with input that arrived meanwhile. */
static void conn_answer_deferred(ing_conn *c)
{
    ing_request *r = c->req;
    conn_reply(c, r->deferred_status, r->deferred_type, NULL, r->deferred_body,
               r->deferred_len);
    if (c->state == CONN_READING && c->pending_len) {
        char *p = c->pending;
        size_t n = c->pending_len;
        c->pending = NULL;
        c->pending_len = c->pending_cap = 0;
        conn_feed(c, p, n);
        free(p);
    }
}

void conn_shutdown(ing_conn *c)
{
    switch (c->state) {
    case CONN_READING:
        if (!c->req)
            conn_close(c);
        break;
    case CONN_WAITING:
        if (c->req->hanging) {
            c->srv->counters.req_dropped++;
            conn_close(c);
        } else {
            conn_answer_deferred(c);
        }
        break;
    default:
        break;
    }
}

static void on_timer(uv_timer_t *t)
{
    ing_conn *c = t->data;
    uint64_t now = uv_now(c->srv->loop);
    if (now < c->deadline) {
        if (c->deadline != UINT64_MAX)
            uv_timer_start(t, on_timer, c->deadline - now, 0);
        return;
    }
    switch (c->state) {
    case CONN_READING:
        if (!c->is_control)
            c->srv->counters.conn_timed_out++;
        conn_close(c);
        break;
    case CONN_WAITING:
        conn_answer_deferred(c);
        break;
    default:
        conn_close(c);
        break;
    }
}

/* --- reading ---------------------------------------------------------------------- */

static int append(char **buf, size_t *len, size_t *cap, const char *p, size_t n, size_t max)
{
    if (*len + n > max)
        return -1;
    if (*len + n + 1 > *cap) {
        size_t ncap = *cap ? *cap : 256;
        while (ncap < *len + n + 1)
            ncap *= 2;
        char *nb = realloc(*buf, ncap);
        if (!nb)
            return -1;
        *buf = nb;
        *cap = ncap;
    }
    memcpy(*buf + *len, p, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 0;
}

static void save_pending(ing_conn *c, const char *data, size_t len)
{
    if (append(&c->pending, &c->pending_len, &c->pending_cap, data, len, SIZE_MAX) < 0) {
        conn_close(c);
        return;
    }
    if (c->pending_len >= MAX_PENDING && !c->read_stopped) {
        uv_read_stop((uv_stream_t *)&c->tcp);
        c->read_stopped = 1;
    }
}

static int on_message_begin(http_parser *p)
{
    ing_conn *c = p->data;
    ing_request *r = req_get(c);
    if (!r)
        return -1;
    r->t0_ns = uv_hrtime();
    /* the whole request must arrive within the idle timeout (slowloris) */
    conn_arm(c, ms_of(c->srv->opt->idle_timeout_s));
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
    ing_conn *c = p->data;
    ing_request *r = c->req;
    return append(&r->url, &r->url_len, &r->url_cap, at, len, MAX_URL);
}

static void fixed_append(char *buf, size_t *len, size_t size, const char *at, size_t n)
{
    if (*len + n >= size)
        n = *len + 1 < size ? size - 1 - *len : 0;
    memcpy(buf + *len, at, n);
    *len += n;
    buf[*len] = '\0';
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
    ing_request *r = ((ing_conn *)p->data)->req;
    if (r->last_was_value || r->hdr_which == HDR_NONE) {
        r->last_was_value = 0;
        r->hdr_name_len = 0;
        r->hdr_which = HDR_OTHER;
    }
    fixed_append(r->hdr_name, &r->hdr_name_len, sizeof r->hdr_name, at, len);
    return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
    ing_request *r = ((ing_conn *)p->data)->req;
    if (!r->last_was_value) {
        r->last_was_value = 1;
        if (strcasecmp(r->hdr_name, "content-type") == 0) {
            r->hdr_which = HDR_CONTENT_TYPE;
            r->content_type_len = 0;
        } else if (strcasecmp(r->hdr_name, "authorization") == 0) {
            r->hdr_which = HDR_AUTHORIZATION;
            r->authorization_len = 0;
        } else if (strcasecmp(r->hdr_name, "expect") == 0) {
            r->hdr_which = HDR_EXPECT;
            r->expect_len = 0;
        } else {
            r->hdr_which = HDR_OTHER;
        }
    }
    switch (r->hdr_which) {
    case HDR_CONTENT_TYPE:
        fixed_append(r->content_type, &r->content_type_len, sizeof r->content_type, at, len);
        break;
    case HDR_AUTHORIZATION:
        if (append(&r->authorization, &r->authorization_len, &r->authorization_cap, at, len,
                   MAX_AUTHORIZATION) < 0)
            return -1;
        break;
    case HDR_EXPECT:
        fixed_append(r->expect, &r->expect_len, sizeof r->expect, at, len);
        break;
    default:
        break;
    }
    return 0;
}

static int on_headers_complete(http_parser *p)
{
    ing_conn *c = p->data;
    ing_request *r = c->req;
    size_t max = c->srv->opt->max_body;
    r->expect_continue = strcasecmp(r->expect, "100-continue") == 0;
    if (p->content_length != ULLONG_MAX && p->content_length > max) {
        r->reject_status = 413;
        http_parser_pause(p, 1);
        return 0;
    }
    if (p->content_length != ULLONG_MAX && p->content_length > 0) {
        r->body = malloc((size_t)p->content_length);
        if (!r->body)
            return -1;
        r->body_cap = (size_t)p->content_length;
    }
    if (r->expect_continue && p->http_major == 1 && p->http_minor >= 1) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        conn_send(c, cont, sizeof cont - 1, NULL, 0);
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    ing_conn *c = p->data;
    ing_request *r = c->req;
    size_t max = c->srv->opt->max_body;
    if (r->body_len + len > max) {
        r->reject_status = 413;
        http_parser_pause(p, 1);
        return 0;
    }
    if (r->body_len + len > r->body_cap) {
        size_t ncap = r->body_cap ? r->body_cap * 2 : 4096;
        while (ncap < r->body_len + len)
            ncap *= 2;
        if (ncap > max)
            ncap = max;
        uint8_t *nb = realloc(r->body, ncap);
        if (!nb)
            return -1;
        r->body = nb;
        r->body_cap = ncap;
    }
    memcpy(r->body + r->body_len, at, len);
    r->body_len += len;
    if (!c->is_control)
        c->srv->counters.bytes_received += len;
    /* progress: the body may take as long as it keeps coming */
    conn_arm(c, ms_of(c->srv->opt->idle_timeout_s));
    return 0;
}

static int on_message_complete(http_parser *p)
{
    ing_conn *c = p->data;
    c->req->complete = 1;
    http_parser_pause(p, 1);
    return 0;
}

/* A request that cannot be read any further: count it, answer, close. */
static void conn_bad_request(ing_conn *c, int status, const char *why)
{
    ing_request *r = req_get(c);
    if (r && !c->is_control && !r->counted) {
        r->counted = 1;
        c->srv->counters.req_total++;
    }
    conn_reply_error(c, status, "%s", why);
    if (c->state == CONN_READING)
        conn_drain(c);
}

static void conn_feed(ing_conn *c, const char *data, size_t len)
{
    while (len > 0) {
        if (c->state == CONN_WAITING) {
            save_pending(c, data, len);
            return;
        }
        if (c->state != CONN_READING)
            return;
        size_t n = http_parser_execute(&c->parser, &settings, data, len);
        enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
        if (n > len)
            n = len;
        data += n;
        len -= n;
        if (e == HPE_PAUSED) {
            http_parser_pause(&c->parser, 0);
            ing_request *r = c->req;
            if (r && r->reject_status) {
                conn_bad_request(c, r->reject_status, "request body is larger than --max-body");
                return;
            }
            if (r && r->complete)
                routes_dispatch(c);
            continue;
        }
        if (e != HPE_OK) {
            char why[160];
            if (e == HPE_CB_url)
                snprintf(why, sizeof why, "request URL longer than %d bytes", MAX_URL);
            else if (e == HPE_CB_header_value)
                snprintf(why, sizeof why, "Authorization header longer than %d bytes",
                         MAX_AUTHORIZATION);
            else
                snprintf(why, sizeof why, "malformed HTTP request: %s",
                         http_errno_description(e));
            conn_bad_request(c, 400, why);
            return;
        }
        if (c->parser.upgrade) {
            conn_drain(c);
            return;
        }
        if (n == 0)
            return;
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    buf->base = read_buf;
    buf->len = sizeof read_buf;
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
    ing_conn *c = st->data;
    if (nread == 0)
        return;
    if (nread < 0) {
        conn_close(c);
        return;
    }
    switch (c->state) {
    case CONN_READING:
        conn_feed(c, buf->base, (size_t)nread);
        break;
    case CONN_WAITING:
        save_pending(c, buf->base, (size_t)nread);
        break;
    default:
        break;   /* draining: discard */
    }
}

static void conn_read_start(ing_conn *c)
{
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0)
        conn_close(c);
}

static void init_settings(void)
{
    if (settings.on_message_complete)
        return;
    settings.on_message_begin = on_message_begin;
    settings.on_url = on_url;
    settings.on_header_field = on_header_field;
    settings.on_header_value = on_header_value;
    settings.on_headers_complete = on_headers_complete;
    settings.on_body = on_body;
    settings.on_message_complete = on_message_complete;
    http_parser_set_max_header_size(32 * 1024);
}

/* Take a new connection: accepted from listener, or an open socket fd when listener is
 * NULL (the request-handling fuzz target uses a socketpair). */
static void conn_start(ing_server *s, uv_stream_t *listener, int fd, int is_control)
{
    init_settings();
    ing_conn *c = calloc(1, sizeof *c);
    if (!c) {
        if (fd >= 0)
            close(fd);
        return;
    }
    c->srv = s;
    c->is_control = is_control;
    uv_tcp_init(s->loop, &c->tcp);
    uv_timer_init(s->loop, &c->timer);
    c->tcp.data = c->timer.data = c;
    int r = listener ? uv_accept(listener, (uv_stream_t *)&c->tcp)
                     : uv_tcp_open(&c->tcp, (uv_os_sock_t)fd);
    if (r < 0) {
        if (!listener)
            close(fd);
        c->state = CONN_CLOSED;
        c->closing_handles = 2;
        uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
        uv_close((uv_handle_t *)&c->timer, on_handle_closed);
        return;
    }
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    uv_tcp_nodelay(&c->tcp, 1);
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0) {
        c->over_cap = 1;   /* not counted yet */
        conn_close(c);
        return;
    }
    if (!is_control) {
        if (s->data_conns >= s->opt->max_connections) {
            c->over_cap = 1;
            s->counters.conn_rejected++;
            s->counters.req_dropped++;
            conn_reply_error(c, 503, "too many connections (--max-connections %u)",
                             s->opt->max_connections);
            return;
        }
        s->data_conns++;
        s->counters.conn_open++;
        s->counters.conn_accepted++;
    }
    conn_arm(c, ms_of(s->opt->idle_timeout_s));
}

void conn_accept(ing_server *s, uv_stream_t *listener, int is_control)
{
    conn_start(s, listener, -1, is_control);
}

void conn_adopt(ing_server *s, int fd, int is_control)
{
    conn_start(s, NULL, fd, is_control);
}
