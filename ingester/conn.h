/* conn.h: one HTTP/1.x connection: reading with http_parser (keep-alive, pipelining,
 * chunked bodies), limits and timeouts while reading, and writing answers. */
#ifndef ING_CONN_H
#define ING_CONN_H

#include <http_parser.h>
#include <stdint.h>
#include <uv.h>

#include "server.h"

typedef enum conn_state {
    CONN_READING,    /* reading requests (or idle between them) */
    CONN_WAITING,    /* a request is being answered later (slow) or never (hang) */
    CONN_DRAINING,   /* answered with Connection: close; discarding input until EOF */
    CONN_CLOSED,
} conn_state;

enum { HDR_NONE, HDR_CONTENT_TYPE, HDR_AUTHORIZATION, HDR_EXPECT, HDR_OTHER };

/* The request being read or answered. Allocated at its first byte, freed once answered. */
typedef struct ing_request {
    uint64_t t0_ns;                 /* first byte */
    uint64_t serial;
    int counted;                    /* counts in /stats requests (data endpoints) */
    int complete;                   /* on_message_complete seen */
    int reject_status;              /* set while reading: 413 */
    int expect_continue;
    char *url;
    size_t url_len, url_cap;
    char hdr_name[24];
    size_t hdr_name_len;
    int last_was_value, hdr_which;
    char content_type[256];
    size_t content_type_len;
    char *authorization;            /* malloc'd when present */
    size_t authorization_len, authorization_cap;
    char expect[32];
    size_t expect_len;
    uint8_t *body;
    size_t body_len, body_cap;
    /* a deferred answer (mode slow) */
    int deferred_status;
    char *deferred_body;
    size_t deferred_len;
    const char *deferred_type;
    int hanging;                    /* mode hang: never answered */
} ing_request;

typedef struct ing_conn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    http_parser parser;
    ing_server *srv;
    struct ing_conn *prev, *next;
    int is_control;
    int over_cap;                   /* accepted over --max-connections: 503 then close */
    conn_state state;
    int closing_handles;
    unsigned writes_pending;
    int read_stopped;
    uint64_t deadline;              /* loop time (ms) when the timer's purpose is due */
    ing_request *req;
    char *pending;                  /* input received while a request is answered later */
    size_t pending_len, pending_cap;
} ing_conn;

/* Accept a connection from listener (a uv_tcp_t server). */
void conn_accept(ing_server *s, uv_stream_t *listener, int is_control);

/* Serve an already connected stream socket (tests and the fuzz target). */
void conn_adopt(ing_server *s, int fd, int is_control);

/* Answer the current request: status, content type (NULL: none), extra header lines
 * ("Name: value\r\n"..., may be NULL) and body. Then go on with the next request, or
 * close when the request or the shutdown asks for it. */
void conn_reply(ing_conn *c, int status, const char *content_type, const char *extra_headers,
                const void *body, size_t len);

/* Answer with a JSON error body {"code":"...","message":"..."}. */
void conn_reply_error(ing_conn *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* {"code":"...","message":"..."} plus a newline, malloc'd; NULL when out of memory. */
char *conn_error_body(int status, const char *message, size_t *len);

/* Answer later (mode slow): keep the answer, arm the timer for delay_s. Takes body. */
void conn_defer(ing_conn *c, double delay_s, int status, const char *content_type, char *body,
                size_t len);

/* Mode hang: never answer this request (the connection stays open). */
void conn_hang(ing_conn *c);

/* Close at once with a TCP RST (SO_LINGER 0). */
void conn_reset(ing_conn *c);

/* Close at once (FIN). */
void conn_close(ing_conn *c);

/* Shutdown: answer a deferred request now; drop a hanging one; close an idle one. */
void conn_shutdown(ing_conn *c);

#endif
