/* server.h: the ingester's server state: listeners (data, control, blackhole), the open
 * connections, the current behaviour, the counters and the store; mode switching and
 * graceful shutdown. Connections are in conn.c, request handlers in routes.c. */
#ifndef ING_SERVER_H
#define ING_SERVER_H

#include <stdint.h>
#include <uv.h>

#include "behaviour.h"
#include "counters.h"
#include "options.h"
#include "store.h"

#define BLACKHOLE_MAX_FILL 8

struct ing_conn;

typedef struct ing_server {
    uv_loop_t *loop;
    const ing_options *opt;
    ing_behaviour beh;
    ing_counters counters;
    ing_store store;
    int has_store;

    struct sockaddr_storage data_addr;   /* the data address, with its real port */
    uv_tcp_t *data;                      /* data listener; NULL while closed */
    int blackhole_fd;                    /* listener that never accepts; -1 when none */
    int fill_fd[BLACKHOLE_MAX_FILL];     /* self-connections keeping its queue full */
    int nfill;
    uv_tcp_t *control;                   /* control listener; NULL when none */
    char data_name[64], control_name[64];

    struct ing_conn *conns;              /* every open connection (doubly linked) */
    unsigned data_conns;                 /* open connections from the data listener */
    uint64_t request_serial;

    uv_signal_t sigterm, sigint;
    uv_timer_t store_timer, grace_timer;
    uint64_t start_ns;
    int shutting_down;
    int finished;
} ing_server;

/* Bind the listeners, apply the initial mode, start timers and signal handlers.
 * 0, or -1 with a message in err. */
int server_start(ing_server *s, uv_loop_t *loop, const ing_options *opt, char *err,
                 size_t errlen);

/* Switch to behaviour nb, opening or closing the data listener as its mode needs.
 * 0, or -1 with a message in err (the old behaviour stays). */
int server_set_behaviour(ing_server *s, const ing_behaviour *nb, char *err, size_t errlen);

/* Begin a graceful shutdown (SIGTERM/SIGINT). A second call closes everything at once. */
void server_shutdown(ing_server *s);

/* Called by conn.c when a connection is gone; ends the shutdown when it was the last. */
void server_conn_gone(ing_server *s);

/* Release everything (after the loop has stopped). Flushes the store. */
void server_free(ing_server *s);

/* Log a message on stderr unless --quiet. */
void server_log(const ing_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
