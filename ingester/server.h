/* server.h: the ingester's server state: listeners (data, control, blackhole), the open
 * connections (a conn_set of the transport, conn.h), the current behaviour, the counters
 * and the store; mode switching and graceful shutdown. The server knows nothing of
 * requests: whoever starts it (main.c) gives it the callbacks its connections hand their
 * requests to (routes.c's). */
#ifndef ING_SERVER_H
#define ING_SERVER_H

#include <stdint.h>
#include <uv.h>

#include "behaviour.h"
#include "conn.h"
#include "counters.h"
#include "options.h"
#include "store.h"

#define BLACKHOLE_MAX_FILL 8

typedef struct ing_server {
    uv_loop_t *loop;
    const ing_options *opt;
    ing_behaviour beh;
    ing_counters counters;
    ing_store store;
    int has_store;

    struct sockaddr_storage data_addr; /* the data address, with its real port */
    uv_tcp_t *data;                    /* data listener; NULL while closed */
    int blackhole_fd;                  /* listener that never accepts; -1 when none */
    int fill_fd[BLACKHOLE_MAX_FILL];   /* self-connections keeping its queue full */
    int nfill;
    uv_tcp_t *control; /* control listener; NULL when none */
    char data_name[64], control_name[64];

    conn_set conns; /* every open connection */

    uv_signal_t sigterm, sigint;
    uv_timer_t store_timer, grace_timer;
    uint64_t start_ns;
    int shutting_down;
    int finished;
} ing_server;

/* Bind the listeners, apply the initial mode, start timers and signal handlers; the
 * connections hand their requests and events to app (with app_arg). 0, or -1 with a
 * message in err. */
int ing_server_start(ing_server *s, uv_loop_t *loop, const ing_options *opt,
                     const conn_callbacks *app, void *app_arg, char *err, size_t errlen);

/* On stderr, whatever --quiet says: each listener on an address other than loopback
 * that has no token (anyone on the network could use it). */
void ing_server_warn_exposed(const ing_server *s);

/* Switch to behaviour nb, opening or closing the data listener as its mode needs.
 * 0, or -1 with a message in err (the old behaviour stays). */
int ing_server_set_behaviour(ing_server *s, const ing_behaviour *nb, char *err, size_t errlen);

/* Begin a graceful shutdown (SIGTERM/SIGINT). A second call closes everything at once. */
void ing_server_shutdown(ing_server *s);

/* Release everything (after the loop has stopped). Flushes the store. */
void ing_server_free(ing_server *s);

/* Log a message on stderr unless --quiet. */
void ing_server_log(const ing_server *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
