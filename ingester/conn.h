/* conn.h: the ingester's HTTP/1.x transport: accepting connections, reading requests
 * with http_parser (keep-alive, pipelining, chunked bodies, limits and timeouts while
 * reading) and writing answers. It knows nothing of routes or counters. Like a libuv
 * stream calling back its user, it hands every complete request to the on_request
 * callback it was set up with, and tells its user what it did on its own through
 * on_event (connections accepted, refused, timed out, closed; body bytes received; a held
 * request dropped) and on_answered (an answer written, and how long after the request's
 * first byte). The user answers each request it is handed with exactly one of
 * ing_conn_reply, ing_conn_reply_error, ing_conn_defer, ing_conn_hang or ing_conn_reset.
 *
 * A request the transport could not read to its end (malformed HTTP, a malformed URL, a
 * body over max_body, a body the set's budget max_buffered has no room for) is handed
 * over too, with refused_status and refused_why set, so that it is counted and answered
 * in the one place every request is. */
#ifndef ING_CONN_H
#define ING_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct ing_conn ing_conn;

/* A request as the transport hands it over. Strings are NUL-terminated and belong to the
 * request until it is answered; the user may rewrite path and query in place (decoding
 * them). Headers are only those a route needs; another one is one more field here. */
typedef struct ing_request {
    const char *method;        /* "GET", "POST", ...; "" when refused before it was read */
    char *path;                /* "/ingest" (an absolute-form target reduced to its path) */
    char *query;               /* what follows '?', without any '#...'; "" when none */
    const char *content_type;  /* Content-Type; "" when absent */
    const char *authorization; /* Authorization; NULL when absent */
    const uint8_t *body;       /* the whole body (NULL when empty or streamed) */
    size_t body_len;           /* its length (streamed too); at on_headers: the
                                * Content-Length, or SIZE_MAX for a chunked body */
    void *stream;              /* the ctx of the sink on_headers gave (the user's from
                                * hand-over on, also when refused); NULL: buffered */
    int is_control;            /* arrived on the control listener */
    int refused_status;        /* 0, or 400 (malformed HTTP or URL) / 413 (body over
                                * max_body) / 503 (no room in max_buffered): the
                                * request could not be read as one */
    const char *refused_why;   /* what was wrong, when refused_status is set */
    int refused_retry_after_s; /* > 0: the answer carries Retry-After: this (503) */
    uint64_t tag;              /* the user's (0 at first); the transport never reads it */
} ing_request;

/* What the transport did on its own (see on_event). */
typedef enum conn_event {
    CONN_ACCEPTED,   /* a connection is open (data ones: within max_connections) */
    CONN_REFUSED,    /* a data connection over max_connections: answered 503, closed */
    CONN_TIMED_OUT,  /* closed by the idle timeout while reading or idle */
    CONN_CLOSED,     /* an accepted connection is gone */
    CONN_BODY_BYTES, /* n more request body bytes arrived */
    CONN_DROPPED,    /* a request held by ing_conn_hang was closed without an answer */
} conn_event;

/* Where a streamed body goes (see on_headers). */
typedef struct conn_body_sink {
    /* len more bytes of the body; returns the bytes the sink holds now, which are held
     * against the set's budget as a buffered body is (503 when they do not fit). */
    size_t (*chunk)(void *ctx, const uint8_t *data, size_t len);
    /* The request will not be handed over (its connection went first): free ctx. */
    void (*discard)(void *ctx);
    void *ctx;
} conn_body_sink;

typedef struct conn_callbacks {
    /* A request to answer (see the top of this file). Required. */
    void (*on_request)(void *arg, ing_conn *c, ing_request *req);
    /* The answer to req, with this status, was written elapsed_ns after its first byte.
     * May be NULL. */
    void (*on_answered)(void *arg, const ing_request *req, int status, uint64_t elapsed_ns);
    /* ev happened on a connection of the control listener (is_control) or a data one;
     * n: the bytes of CONN_BODY_BYTES. May be NULL. */
    void (*on_event)(void *arg, conn_event ev, int is_control, size_t n);
    /* A request's headers are read (req: method, path, query, headers, body_len as
     * announced; nothing may be changed): return 1 with *sink filled to take its body as
     * it arrives, 0 to have it buffered. May be NULL (every body buffered). */
    int (*on_headers)(void *arg, const ing_request *req, conn_body_sink *sink);
} conn_callbacks;

typedef struct conn_limits {
    size_t max_body;          /* bytes of one request body (413 above) */
    double idle_timeout_s;    /* idle keep-alive, and the whole of a slow request */
    unsigned max_connections; /* open data connections (control ones are not capped) */
    size_t max_buffered;      /* bytes of request bodies (and input kept for later)
                               * held at once by every connection together (0: no bound) */
} conn_limits;

/* The connections of one server and what they share. Fields are the transport's. */
typedef struct conn_set {
    uv_loop_t *loop;
    conn_limits lim;
    const conn_callbacks *cb;
    void *cb_arg;
    ing_conn *head;              /* every open connection (doubly linked) */
    unsigned data_conns;         /* open connections from the data listener, within the cap */
    size_t buffered;             /* bytes held against lim.max_buffered */
    int closing;                 /* shutting down: every answer closes its connection */
    void (*on_empty)(void *arg); /* ing_conn_set_shutdown's callback, once the set is empty */
    void *on_empty_arg;
} conn_set;

void ing_conn_set_init(conn_set *set, uv_loop_t *loop, const conn_limits *lim,
                       const conn_callbacks *cb, void *cb_arg);

/* Accept a connection from listener (a uv_tcp_t server). */
void ing_conn_accept(conn_set *set, uv_stream_t *listener, int is_control);

/* Serve an already connected stream socket (the request fuzz target's socketpair). */
void ing_conn_adopt(conn_set *set, int fd, int is_control);

static inline int conn_set_empty(const conn_set *set) {
    return set->head == NULL;
}

/* Close every data connection at once with a RST (the data listener went away). */
void ing_conn_set_reset_data(conn_set *set);

/* Graceful shutdown: answer deferred requests now, drop held ones, close idle
 * connections, and close each of the others after its answer. done(arg) is called once
 * the last connection is gone (at once when there is none). */
void ing_conn_set_shutdown(conn_set *set, void (*done)(void *arg), void *arg);

/* Close every connection at once (the shutdown's grace period is over). */
void ing_conn_set_close_all(conn_set *set);

/* Answer the request c is serving: status, content type (NULL: none), extra header lines
 * ("Name: value\r\n"..., may be NULL) and body. Then go on with the next request, or close
 * when the request or the shutdown asks for it. */
void ing_conn_reply(ing_conn *c, int status, const char *content_type, const char *extra_headers,
                    const void *body, size_t len);

/* Answer with a JSON error body {"code":"...","message":"..."}. */
void ing_conn_reply_error(ing_conn *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* {"code":"...","message":"..."} plus a newline, malloc'd; NULL when out of memory. A
 * message that is not valid UTF-8 (a name quoted from a request) has its bytes outside
 * printable ASCII written as \xNN, so that the answer always has its body. */
char *ing_conn_error_body(int status, const char *message, size_t *len);

/* Answer later (mode slow): keep the answer, arm the timer for delay_s. Takes body. */
void ing_conn_defer(ing_conn *c, double delay_s, int status, const char *content_type, char *body,
                    size_t len);

/* Never answer this request (mode hang); the connection stays open until shutdown. */
void ing_conn_hang(ing_conn *c);

/* Close at once with a TCP RST (SO_LINGER 0), without an answer. */
void ing_conn_reset(ing_conn *c);

#endif
