/* conn.c: the ingester's HTTP/1.x transport (conn.h). http_parser reads requests straight
 * from a shared read buffer; the parser pauses at the end of each request so that it is
 * handed to the user outside the parser's callbacks, and input that arrives while an
 * answer is delayed is kept until that answer is written (pipelining). Body limits are
 * enforced while the body streams in; over the limit the request is handed over refused
 * (413) and the rest of the input discarded once it is answered.
 *
 * Memory: every body buffered and all input kept for later (pipelining) are held
 * against one budget of the whole set, max_buffered bytes (a Content-Length is taken
 * whole when the headers end, a chunked body as it grows). A request whose body does not
 * fit is handed over refused (503, with a Retry-After) without reading its body; input
 * kept for later stops the connection's reading while the budget is spent. So however
 * many connections send at once, their bodies never hold more than max_buffered (plus
 * at most one read, 64 KiB, per connection waiting on an answer).
 *
 * Everything this file counts on its own is for its own limits (the open data
 * connections, the bytes buffered); what the ingester counts, the user counts from the
 * callbacks. */
#include "conn.h"
#include "json_get.h"

#include <http_parser.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_URL           (8 * 1024)
#define MAX_AUTHORIZATION (8 * 1024)
#define MAX_PENDING       (64 * 1024)
#define DRAIN_TIMEOUT_MS  2000

typedef enum conn_state {
    STATE_READING,  /* reading requests (or idle between them) */
    STATE_WAITING,  /* a request is being answered later (slow) or never (hang) */
    STATE_DRAINING, /* answered with Connection: close; discarding input until EOF */
    STATE_CLOSED,
} conn_state;

enum {
    HDR_NONE,
    HDR_CONTENT_TYPE,
    HDR_AUTHORIZATION,
    HDR_EXPECT,
    HDR_OTHER
};

/* The request being read or answered: what the user sees (view) and the reading state
 * behind it. Allocated at its first byte, freed once answered. */
typedef struct conn_request {
    ing_request view;
    uint64_t t0_ns; /* first byte */
    int complete;   /* on_message_complete seen */
    int refuse;     /* 413 (the body went over max_body) or 503 (over the
                     * set's budget): answered so, then close */
    char *url;
    size_t url_len, url_cap;
    char hdr_name[24];
    size_t hdr_name_len;
    int last_was_value, hdr_which;
    char content_type[256];
    size_t content_type_len;
    char *authorization; /* malloc'd when present */
    size_t authorization_len, authorization_cap;
    char expect[32];
    size_t expect_len;
    uint8_t *body;
    size_t body_len, body_cap; /* body_cap is held against the set's budget */
    conn_body_sink sink;       /* a streamed body (sink.chunk set) */
    size_t sink_held;          /* what the sink holds, against the set's budget */
    int handed;                /* handed over: a streamed body's ctx is the user's */
    int target_split;          /* path and query cut out of url (done once) */
    char none[1];              /* "" for a missing path or query */
    char why[160];             /* view.refused_why */
    char slash[2];             /* "/" for an absolute-form target without a path */
    /* a deferred answer (mode slow) */
    int deferred_status;
    char *deferred_body;
    size_t deferred_len;
    const char *deferred_type;
    int hanging; /* mode hang: never answered */
} conn_request;

struct ing_conn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    http_parser parser;
    conn_set *set;
    struct ing_conn *prev, *next;
    int is_control;
    int over_cap; /* accepted over max_connections: 503 then close */
    conn_state state;
    int closing_handles;
    unsigned writes_pending;
    int read_stopped;
    uint64_t deadline; /* loop time (ms) when the timer's purpose is due */
    conn_request *req;
    char *pending;                   /* input received while a request is answered later */
    size_t pending_len, pending_cap; /* pending_cap is held against the set's budget */
};

/* Every connection reads into this buffer: libuv calls alloc and read back to back on
 * one thread, and whatever must outlive the read callback is copied out. Idle
 * connections therefore cost no buffer at all. */
static char read_buf[64 * 1024];

static http_parser_settings settings;

static void on_timer(uv_timer_t *t);
static void conn_read_start(ing_conn *c);
static void conn_feed(ing_conn *c, const char *data, size_t len);
static void conn_close(ing_conn *c);

static void report(ing_conn *c, conn_event ev, size_t n) {
    if (c->set->cb->on_event) c->set->cb->on_event(c->set->cb_arg, ev, c->is_control, n);
}

static uint64_t ms_of(double s) {
    double ms = s * 1000.0;
    return ms < 1 ? 1 : (uint64_t)ms;
}

/* The connection's one timer: idle and request deadlines, slow answers, draining. Moving
 * a deadline later (every request does) costs no timer operation: the timer fires at the
 * old time, sees the new deadline and sleeps again. */
static void conn_arm(ing_conn *c, uint64_t ms) {
    c->deadline = uv_now(c->set->loop) + ms;
    if (!uv_is_active((uv_handle_t *)&c->timer) || uv_timer_get_due_in(&c->timer) > ms)
        uv_timer_start(&c->timer, on_timer, ms, 0);
}

/* The set's budget for buffered bytes: take n (0, or -1 when it does not fit), give n. */
static int buffered_take(conn_set *set, size_t n) {
    if (set->buffered >= set->lim.max_buffered || n > set->lim.max_buffered - set->buffered)
        return -1;
    set->buffered += n;
    return 0;
}

static void buffered_give(conn_set *set, size_t n) {
    set->buffered -= n < set->buffered ? n : set->buffered;
}

static void req_free(conn_set *set, conn_request *r) {
    if (!r) return;
    buffered_give(set, r->body_cap + r->sink_held);
    if (r->sink.ctx && !r->handed && r->sink.discard) r->sink.discard(r->sink.ctx);
    free(r->url);
    free(r->authorization);
    free(r->body);
    free(r->deferred_body);
    free(r);
}

static conn_request *req_get(ing_conn *c) {
    if (!c->req) {
        c->req = calloc(1, sizeof *c->req);
        if (c->req) c->req->t0_ns = uv_hrtime();
    }
    return c->req;
}

/* --- closing --------------------------------------------------------------------- */

static void on_handle_closed(uv_handle_t *h) {
    ing_conn *c = h->data;
    if (--c->closing_handles == 0) free(c);
}

static void conn_close(ing_conn *c) {
    if (c->state == STATE_CLOSED) return;
    conn_set *set = c->set;
    c->state = STATE_CLOSED;
    if (c->prev) c->prev->next = c->next;
    else set->head = c->next;
    if (c->next) c->next->prev = c->prev;
    if (!c->over_cap) {
        if (!c->is_control) set->data_conns--;
        report(c, CONN_CLOSED, 0);
    }
    req_free(set, c->req);
    c->req = NULL;
    buffered_give(set, c->pending_cap);
    free(c->pending);
    c->pending = NULL;
    c->closing_handles = 2;
    uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
    uv_close((uv_handle_t *)&c->timer, on_handle_closed);
    if (set->closing && !set->head && set->on_empty) {
        void (*done)(void *) = set->on_empty;
        set->on_empty = NULL;
        done(set->on_empty_arg);
    }
}

void ing_conn_reset(ing_conn *c) {
    uv_os_fd_t fd;
    if (c->state != STATE_CLOSED && uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0) {
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    conn_close(c);
}

static void on_shutdown(uv_shutdown_t *req, int status) {
    ing_conn *c = req->data;
    free(req);
    if (status < 0 && status != UV_ECANCELED) conn_close(c);
}

/* The answer is on its way and the connection ends: send FIN after it, then discard
 * input until the client closes (or 2 s pass), so that the client reads the answer
 * instead of a reset caused by unread input. */
static void conn_drain(ing_conn *c) {
    if (c->state == STATE_CLOSED || c->state == STATE_DRAINING) return;
    c->state = STATE_DRAINING;
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

static void on_write(uv_write_t *w, int status) {
    write_req *wr = (write_req *)w;
    ing_conn *c = wr->conn;
    free(wr);
    if (c->state == STATE_CLOSED) return;
    c->writes_pending--;
    if (status < 0) conn_close(c);
}

/* Write a then b; what the socket does not take at once is copied and queued. */
static int conn_send(ing_conn *c, const char *a, size_t alen, const char *b, size_t blen) {
    if (c->state == STATE_CLOSED) return -1;
    size_t total = alen + blen, done = 0;
    if (c->writes_pending == 0) {
        uv_buf_t bufs[2] = {uv_buf_init((char *)a, (unsigned)alen),
                            uv_buf_init((char *)b, (unsigned)blen)};
        int r = uv_try_write((uv_stream_t *)&c->tcp, bufs, blen ? 2 : 1);
        if (r >= 0) done = (size_t)r;
        else if (r != UV_EAGAIN && r != UV_ENOSYS) {
            conn_close(c);
            return -1;
        }
    }
    if (done == total) return 0;
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
        if (blen) memcpy(wr->data + off, b, blen);
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

static const char *reason(int status) {
    switch (status) {
        case 422: return "Unprocessable Entity";
        case 429: return "Too Many Requests";
        default: {
            const char *r = http_status_str((enum http_status)status);
            return r && r[0] != '<' ? r : "Status";
        }
    }
}

static void request_done(ing_conn *c, int keep_alive) {
    req_free(c->set, c->req);
    c->req = NULL;
    if (!keep_alive) {
        conn_drain(c);
        return;
    }
    c->state = STATE_READING;
    conn_arm(c, ms_of(c->set->lim.idle_timeout_s));
    if (c->read_stopped) {
        c->read_stopped = 0;
        conn_read_start(c);
    }
}

void ing_conn_reply(ing_conn *c, int status, const char *content_type, const char *extra_headers,
                    const void *body, size_t len) {
    if (c->state == STATE_CLOSED || c->state == STATE_DRAINING) return;
    conn_set *set = c->set;
    conn_request *r = c->req;
    int keep = !set->closing && !c->over_cap && !c->parser.upgrade &&
               HTTP_PARSER_ERRNO(&c->parser) == HPE_OK && !(r && r->refuse) &&
               (!r || r->complete) && http_should_keep_alive(&c->parser);
    const char *conn_hdr = !keep                       ? "Connection: close\r\n"
                           : c->parser.http_minor == 0 ? "Connection: keep-alive\r\n"
                                                       : "";
    if (status == 204 || status == 304) len = 0; /* these never carry a body */
    char hdr[1024];
    static const char ok_empty[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    int n;
    if (status == 200 && len == 0 && !content_type && !extra_headers && !*conn_hdr) {
        /* the common answer to an agent, without formatting */
        memcpy(hdr, ok_empty, sizeof ok_empty - 1);
        n = (int)sizeof ok_empty - 1;
    } else {
        n = snprintf(hdr, sizeof hdr, "HTTP/1.1 %d %s\r\n%s%s%sContent-Length: %zu\r\n%s%s\r\n",
                     status, reason(status), content_type ? "Content-Type: " : "",
                     content_type ? content_type : "", content_type ? "\r\n" : "", len, conn_hdr,
                     extra_headers ? extra_headers : "");
    }
    if (n < 0 || n >= (int)sizeof hdr) {
        n = snprintf(hdr, sizeof hdr,
                     "HTTP/1.1 500 Internal Server Error\r\n"
                     "Content-Length: 0\r\nConnection: close\r\n\r\n");
        len = 0;
        keep = 0;
    }
    if (r && set->cb->on_answered)
        set->cb->on_answered(set->cb_arg, &r->view, status, uv_hrtime() - r->t0_ns);
    if (conn_send(c, hdr, (size_t)n, body, len) < 0) return;
    request_done(c, keep);
}

static const char *error_code(int status) {
    switch (status) {
        case 400:
        case 415:
        case 422: return "invalid_argument";
        case 401: return "unauthenticated";
        case 403: return "permission_denied";
        case 404: return "not_found";
        case 405:
        case 501: return "unimplemented";
        case 408:
        case 504: return "deadline_exceeded";
        case 409: return "already_exists";
        case 413:
        case 429: return "resource_exhausted";
        case 503: return "unavailable";
        default: return status < 500 ? "invalid_argument" : status == 500 ? "internal" : "unknown";
    }
}

char *ing_conn_error_body(int status, const char *message, size_t *len) {
    json_t *o = json_pack("{s:s, s:s}", "code", error_code(status), "message", message);
    char ascii[2048];
    if (!o) { /* not UTF-8 (jansson refuses it): quote what is not printable ASCII */
        size_t n = 0;
        for (const unsigned char *p = (const unsigned char *)message; *p && n + 5 < sizeof ascii;
             p++)
            n += (size_t)(*p >= ' ' && *p < 0x7f ? snprintf(ascii + n, 2, "%c", *p)
                                                 : snprintf(ascii + n, 5, "\\x%02X", *p));
        ascii[n] = '\0';
        o = json_pack("{s:s, s:s}", "code", error_code(status), "message", ascii);
    }
    char *out = ab_json_line(o, JSON_COMPACT, len);
    json_decref(o);
    return out;
}

void ing_conn_reply_error(ing_conn *c, int status, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t len = 0;
    char *body = ing_conn_error_body(status, msg, &len);
    ing_conn_reply(c, status, "application/json", NULL, body ? body : "", body ? len : 0);
    free(body);
}

void ing_conn_defer(ing_conn *c, double delay_s, int status, const char *content_type, char *body,
                    size_t len) {
    conn_request *r = c->req;
    r->deferred_status = status;
    r->deferred_type = content_type;
    r->deferred_body = body;
    r->deferred_len = len;
    c->state = STATE_WAITING;
    conn_arm(c, ms_of(delay_s));
}

void ing_conn_hang(ing_conn *c) {
    c->req->hanging = 1;
    c->state = STATE_WAITING;
    c->deadline = UINT64_MAX;
    uv_timer_stop(&c->timer);
}

/* Answer a deferred request now, then go on with input that arrived meanwhile. */
static void conn_answer_deferred(ing_conn *c) {
    conn_request *r = c->req;
    ing_conn_reply(c, r->deferred_status, r->deferred_type, NULL, r->deferred_body,
                   r->deferred_len);
    if (c->state == STATE_READING && c->pending_len) {
        char *p = c->pending;
        size_t n = c->pending_len;
        buffered_give(c->set, c->pending_cap);
        c->pending = NULL;
        c->pending_len = c->pending_cap = 0;
        conn_feed(c, p, n);
        free(p);
    }
}

/* Shutdown: answer a deferred request now; drop a hanging one; close an idle one. */
static void conn_shutdown(ing_conn *c) {
    switch (c->state) {
        case STATE_READING:
            if (!c->req) conn_close(c);
            break;
        case STATE_WAITING:
            if (c->req->hanging) {
                report(c, CONN_DROPPED, 0);
                conn_close(c);
            } else {
                conn_answer_deferred(c);
            }
            break;
        default: break;
    }
}

static void on_timer(uv_timer_t *t) {
    ing_conn *c = t->data;
    uint64_t now = uv_now(c->set->loop);
    if (now < c->deadline) {
        if (c->deadline != UINT64_MAX) uv_timer_start(t, on_timer, c->deadline - now, 0);
        return;
    }
    switch (c->state) {
        case STATE_READING:
            report(c, CONN_TIMED_OUT, 0);
            conn_close(c);
            break;
        case STATE_WAITING: conn_answer_deferred(c); break;
        default: conn_close(c); break;
    }
}

/* --- reading ---------------------------------------------------------------------- */

static int append(char **buf, size_t *len, size_t *cap, const char *p, size_t n, size_t max) {
    if (*len + n > max) return -1;
    if (*len + n + 1 > *cap) {
        size_t ncap = *cap ? *cap : 256;
        while (ncap < *len + n + 1) ncap *= 2;
        char *nb = realloc(*buf, ncap);
        if (!nb) return -1;
        *buf = nb;
        *cap = ncap;
    }
    memcpy(*buf + *len, p, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 0;
}

static void save_pending(ing_conn *c, const char *data, size_t len) {
    conn_set *set = c->set;
    size_t cap = c->pending_cap;
    if (append(&c->pending, &c->pending_len, &c->pending_cap, data, len, SIZE_MAX) < 0) {
        conn_close(c);
        return;
    }
    /* already read, so kept even past the budget; but no more is read while it is spent */
    set->buffered += c->pending_cap - cap;
    int spent = set->buffered >= set->lim.max_buffered;
    if ((spent || c->pending_len >= MAX_PENDING) && !c->read_stopped) {
        uv_read_stop((uv_stream_t *)&c->tcp);
        c->read_stopped = 1;
    }
}

static int on_message_begin(http_parser *p) {
    ing_conn *c = p->data;
    conn_request *r = req_get(c);
    if (!r) return -1;
    r->t0_ns = uv_hrtime();
    /* the whole request must arrive within the idle timeout (slowloris) */
    conn_arm(c, ms_of(c->set->lim.idle_timeout_s));
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t len) {
    ing_conn *c = p->data;
    conn_request *r = c->req;
    return append(&r->url, &r->url_len, &r->url_cap, at, len, MAX_URL);
}

static void fixed_append(char *buf, size_t *len, size_t size, const char *at, size_t n) {
    if (*len + n >= size) n = *len + 1 < size ? size - 1 - *len : 0;
    memcpy(buf + *len, at, n);
    *len += n;
    buf[*len] = '\0';
}

static int on_header_field(http_parser *p, const char *at, size_t len) {
    conn_request *r = ((ing_conn *)p->data)->req;
    if (r->last_was_value || r->hdr_which == HDR_NONE) {
        r->last_was_value = 0;
        r->hdr_name_len = 0;
        r->hdr_which = HDR_OTHER;
    }
    fixed_append(r->hdr_name, &r->hdr_name_len, sizeof r->hdr_name, at, len);
    return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len) {
    conn_request *r = ((ing_conn *)p->data)->req;
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
        case HDR_EXPECT: fixed_append(r->expect, &r->expect_len, sizeof r->expect, at, len); break;
        default: break;
    }
    return 0;
}

static void make_view(ing_conn *c, conn_request *r, int status, const char *why);

/* The user may take the body as it arrives (conn_callbacks.on_headers). */
static int offer_body(ing_conn *c, conn_request *r, http_parser *p) {
    const conn_callbacks *cb = c->set->cb;
    int chunked = (p->flags & F_CHUNKED) != 0;
    if (!cb->on_headers ||
        (!chunked && (p->content_length == 0 || p->content_length == ULLONG_MAX)))
        return 0; /* no body */
    make_view(c, r, 0, NULL);
    if (r->view.refused_status) return 0;
    r->view.body_len = chunked ? SIZE_MAX : (size_t)p->content_length;
    conn_body_sink sink = {0};
    if (!cb->on_headers(c->set->cb_arg, &r->view, &sink) || !sink.chunk) return 0;
    r->sink = sink;
    r->view.stream = sink.ctx;
    return 1;
}

static int on_headers_complete(http_parser *p) {
    ing_conn *c = p->data;
    conn_request *r = c->req;
    size_t max = c->set->lim.max_body;
    int expect_continue = strcasecmp(r->expect, "100-continue") == 0;
    if (p->content_length != ULLONG_MAX && p->content_length > max) {
        r->refuse = 413;
        http_parser_pause(p, 1);
        return 0;
    }
    /* The one place a body's memory is taken, against the set's budget: a body that does
     * not fit is refused before it is read (and before 100 Continue is sent); a body the
     * user takes as it arrives holds only what its sink does. */
    if (!offer_body(c, r, p) && p->content_length != ULLONG_MAX && p->content_length > 0) {
        if (buffered_take(c->set, (size_t)p->content_length) < 0) {
            r->refuse = 503;
            http_parser_pause(p, 1);
            return 0;
        }
        r->body = malloc((size_t)p->content_length);
        if (!r->body) {
            buffered_give(c->set, (size_t)p->content_length);
            return -1;
        }
        r->body_cap = (size_t)p->content_length;
    }
    if (expect_continue && p->http_major == 1 && p->http_minor >= 1) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        conn_send(c, cont, sizeof cont - 1, NULL, 0);
    }
    return 0;
}

/* A streamed body's bytes go to the user's sink; what it then holds is held against the
 * set's budget. */
static int body_to_sink(ing_conn *c, conn_request *r, const char *at, size_t len) {
    size_t held = r->sink.chunk(r->sink.ctx, (const uint8_t *)at, len);
    if (held > r->sink_held && buffered_take(c->set, held - r->sink_held) < 0) return -1;
    if (held < r->sink_held) buffered_give(c->set, r->sink_held - held);
    r->sink_held = held;
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len) {
    ing_conn *c = p->data;
    conn_request *r = c->req;
    size_t max = c->set->lim.max_body;
    if (r->body_len + len > max) {
        r->refuse = 413;
        http_parser_pause(p, 1);
        return 0;
    }
    if (r->sink.chunk) {
        if (body_to_sink(c, r, at, len) < 0) {
            r->refuse = 503;
            http_parser_pause(p, 1);
            return 0;
        }
        r->body_len += len;
        report(c, CONN_BODY_BYTES, len);
        conn_arm(c, ms_of(c->set->lim.idle_timeout_s));
        return 0;
    }
    if (r->body_len + len > r->body_cap) {
        /* a chunked body: it grows against the budget too */
        size_t ncap = r->body_cap ? r->body_cap * 2 : 4096;
        while (ncap < r->body_len + len) ncap *= 2;
        if (ncap > max) ncap = max;
        if (buffered_take(c->set, ncap - r->body_cap) < 0) {
            r->refuse = 503;
            http_parser_pause(p, 1);
            return 0;
        }
        uint8_t *nb = realloc(r->body, ncap);
        if (!nb) {
            buffered_give(c->set, ncap - r->body_cap);
            return -1;
        }
        r->body = nb;
        r->body_cap = ncap;
    }
    memcpy(r->body + r->body_len, at, len);
    r->body_len += len;
    report(c, CONN_BODY_BYTES, len);
    /* progress: the body may take as long as it keeps coming */
    conn_arm(c, ms_of(c->set->lim.idle_timeout_s));
    return 0;
}

static int on_message_complete(http_parser *p) {
    ing_conn *c = p->data;
    c->req->complete = 1;
    http_parser_pause(p, 1);
    return 0;
}

/* Path and query of the request target, NUL-terminated in place in r->url: origin form
 * "/p?q#f" directly, absolute form through http_parser. 0, or -1 when malformed. */
static int split_target(conn_request *r) {
    char *url = r->url;
    if (!url) return -1;
    if (url[0] == '/') {
        size_t plen = strcspn(url, "?#");
        char *q = url[plen] == '?' ? url + plen + 1 : r->none;
        url[plen] = '\0';
        q[strcspn(q, "#")] = '\0';
        r->view.path = url;
        r->view.query = q;
        return 0;
    }
    struct http_parser_url u;
    http_parser_url_init(&u);
    if (http_parser_parse_url(url, r->url_len, 0, &u) != 0) return -1;
    strcpy(r->slash, "/");
    r->view.path = r->slash;
    r->view.query = r->none;
    /* the path ends before the query starts: cutting one leaves the other whole */
    if (u.field_set & (1 << UF_PATH)) {
        r->view.path = url + u.field_data[UF_PATH].off;
        r->view.path[u.field_data[UF_PATH].len] = '\0';
    }
    if (u.field_set & (1 << UF_QUERY)) {
        r->view.query = url + u.field_data[UF_QUERY].off;
        r->view.query[u.field_data[UF_QUERY].len] = '\0';
    }
    return 0;
}

/* Fill the user's view of r: the whole request, or (status set) one that could not be
 * read. */
static void make_view(ing_conn *c, conn_request *r, int status, const char *why) {
    ing_request *v = &r->view;
    v->method = "";
    v->content_type = r->content_type;
    v->authorization = r->authorization;
    v->body = r->body_len && !r->sink.chunk ? r->body : NULL;
    v->body_len = r->body_len;
    v->is_control = c->is_control;
    v->refused_status = status;
    v->refused_why = why;
    if (status) {
        v->path = v->query = r->none;
        return;
    }
    v->method = http_method_str((enum http_method)c->parser.method);
    if (r->target_split) return; /* path and query were cut out of url already (at on_headers) */
    r->target_split = 1;
    v->path = v->query = r->none;
    if (split_target(r) < 0) {
        v->path = v->query = r->none;
        v->refused_status = 400;
        v->refused_why = "malformed request URL";
        r->target_split = 0;
    }
}

/* Hand the request c is reading to the user: complete, or refused with status. */
static void hand_over(ing_conn *c, conn_request *r, int status, const char *why) {
    if (why) {
        snprintf(r->why, sizeof r->why, "%s", why);
        why = r->why;
    }
    make_view(c, r, status, why);
    r->handed = 1;
    c->set->cb->on_request(c->set->cb_arg, c, &r->view);
}

/* A request that cannot be read any further: the user answers it; then close. */
static void conn_bad_request(ing_conn *c, int status, const char *why) {
    conn_request *r = req_get(c);
    if (r) hand_over(c, r, status, why);
    else ing_conn_reply_error(c, status, "%s", why);
    if (c->state == STATE_READING) conn_drain(c);
}

static void conn_feed(ing_conn *c, const char *data, size_t len) {
    while (len > 0) {
        if (c->state == STATE_WAITING) {
            save_pending(c, data, len);
            return;
        }
        if (c->state != STATE_READING) return;
        size_t n = http_parser_execute(&c->parser, &settings, data, len);
        enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
        if (n > len) n = len;
        data += n;
        len -= n;
        if (e == HPE_PAUSED) {
            http_parser_pause(&c->parser, 0);
            conn_request *r = c->req;
            if (r && r->refuse == 413) {
                conn_bad_request(c, 413, "request body is larger than --max-body");
                return;
            }
            if (r && r->refuse == 503) {
                r->view.refused_retry_after_s = 1;
                conn_bad_request(c, 503,
                                 "the ingester holds as many request bodies as "
                                 "--max-buffered allows: retry later");
                return;
            }
            if (r && r->complete) hand_over(c, r, 0, NULL);
            continue;
        }
        if (e != HPE_OK) {
            char why[160];
            if (e == HPE_CB_url)
                snprintf(why, sizeof why, "request URL longer than %d bytes", MAX_URL);
            else if (e == HPE_CB_header_value)
                snprintf(why, sizeof why, "Authorization header longer than %d bytes",
                         MAX_AUTHORIZATION);
            else snprintf(why, sizeof why, "malformed HTTP request: %s", http_errno_description(e));
            conn_bad_request(c, 400, why);
            return;
        }
        if (c->parser.upgrade) {
            conn_drain(c);
            return;
        }
        if (n == 0) return;
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
    buf->base = read_buf;
    buf->len = sizeof read_buf;
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf) {
    ing_conn *c = st->data;
    if (nread == 0) return;
    if (nread < 0) {
        conn_close(c);
        return;
    }
    switch (c->state) {
        case STATE_READING: conn_feed(c, buf->base, (size_t)nread); break;
        case STATE_WAITING: save_pending(c, buf->base, (size_t)nread); break;
        default: break; /* draining: discard */
    }
}

static void conn_read_start(ing_conn *c) {
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0) conn_close(c);
}

static void init_settings(void) {
    if (settings.on_message_complete) return;
    settings.on_message_begin = on_message_begin;
    settings.on_url = on_url;
    settings.on_header_field = on_header_field;
    settings.on_header_value = on_header_value;
    settings.on_headers_complete = on_headers_complete;
    settings.on_body = on_body;
    settings.on_message_complete = on_message_complete;
    http_parser_set_max_header_size(32 * 1024);
}

/* --- the set of connections --------------------------------------------------------- */

void ing_conn_set_init(conn_set *set, uv_loop_t *loop, const conn_limits *lim,
                       const conn_callbacks *cb, void *cb_arg) {
    memset(set, 0, sizeof *set);
    set->loop = loop;
    set->lim = *lim;
    if (set->lim.max_buffered == 0) set->lim.max_buffered = SIZE_MAX; /* no bound */
    set->cb = cb;
    set->cb_arg = cb_arg;
    init_settings();
}

/* Take a new connection: accepted from listener, or an open socket fd when listener is
 * NULL (the request-handling fuzz target uses a socketpair). */
static void conn_start(conn_set *set, uv_stream_t *listener, int fd, int is_control) {
    ing_conn *c = calloc(1, sizeof *c);
    if (!c) {
        if (fd >= 0) close(fd);
        return;
    }
    c->set = set;
    c->is_control = is_control;
    uv_tcp_init(set->loop, &c->tcp);
    uv_timer_init(set->loop, &c->timer);
    c->tcp.data = c->timer.data = c;
    int r = listener ? uv_accept(listener, (uv_stream_t *)&c->tcp)
                     : uv_tcp_open(&c->tcp, (uv_os_sock_t)fd);
    if (r < 0) {
        if (!listener) close(fd);
        c->state = STATE_CLOSED;
        c->closing_handles = 2;
        uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
        uv_close((uv_handle_t *)&c->timer, on_handle_closed);
        return;
    }
    c->next = set->head;
    if (set->head) set->head->prev = c;
    set->head = c;
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    uv_tcp_nodelay(&c->tcp, 1);
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0) {
        c->over_cap = 1; /* not counted yet */
        conn_close(c);
        return;
    }
    if (!is_control) {
        if (set->data_conns >= set->lim.max_connections) {
            c->over_cap = 1;
            report(c, CONN_REFUSED, 0);
            ing_conn_reply_error(c, 503, "too many connections (--max-connections %u)",
                                 set->lim.max_connections);
            return;
        }
        set->data_conns++;
    }
    report(c, CONN_ACCEPTED, 0);
    conn_arm(c, ms_of(set->lim.idle_timeout_s));
}

void ing_conn_accept(conn_set *set, uv_stream_t *listener, int is_control) {
    conn_start(set, listener, -1, is_control);
}

void ing_conn_adopt(conn_set *set, int fd, int is_control) {
    conn_start(set, NULL, fd, is_control);
}

void ing_conn_set_reset_data(conn_set *set) {
    ing_conn *c = set->head, *next;
    for (; c; c = next) {
        next = c->next;
        if (!c->is_control) ing_conn_reset(c);
    }
}

void ing_conn_set_shutdown(conn_set *set, void (*done)(void *arg), void *arg) {
    set->closing = 1;
    set->on_empty = done;
    set->on_empty_arg = arg;
    ing_conn *c = set->head, *next;
    for (; c; c = next) {
        next = c->next;
        conn_shutdown(c);
    }
    if (!set->head && set->on_empty) {
        set->on_empty = NULL;
        done(arg);
    }
}

void ing_conn_set_close_all(conn_set *set) {
    ing_conn *c = set->head, *next;
    for (; c; c = next) {
        next = c->next;
        conn_close(c);
    }
}
