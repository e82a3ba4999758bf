/* load.h: agentbench's HTTP/1.1 load generator, an engine on a libuv loop.
 *
 * A run drives one target address for a fixed window over a fixed pool of keep-alive
 * connections, one request in flight per connection (no pipelining), the request bytes
 * given by the caller and rotated in order (request k of the run is requests[k % n]).
 * Responses are parsed with http_parser (libhttp-parser), the library the ingester uses.
 *
 * Two modes:
 *   - closed loop (rate 0): each connection sends its next request as soon as the answer
 *     to the previous one is in: the server's capacity, like wrk.
 *   - open loop (rate R): request i has an intended send time t0 + i/R, whatever happens
 *     to the answers; it goes out on the first idle connection at or after that time
 *     (a timerfd wakes the loop at each intended time, at nanosecond resolution). When
 *     every connection is busy (the server stalls) requests wait, and their latency is
 *     counted from their *intended* time, so a stall shows in the percentiles as every
 *     request it delayed, not as the few that were in flight (coordinated omission).
 *     The same run also keeps the latency from each request's *actual* send time
 *     ("service time"): what a tool that ignores coordinated omission reports.
 *
 * After the window, requests already due are still sent and awaited ("drain") for at
 * most timeout_s; what is left then counts as errors (timeout, unsent). Nothing measured
 * is lost to an error: every completed request is in the histograms and the counters.
 *
 * Callbacks go up: rn_load_start() returns at once and `done` is called on the loop once the
 * run has finished and every handle it opened is closed; then read rn_load_result_of() and
 * rn_load_free(). rn_load_run_blocking() does all of it on a private loop (the CLI's way). */
#ifndef AB_LOAD_H
#define AB_LOAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "hist.h"

typedef struct load_request {
    const char *bytes; /* a whole HTTP/1.1 request; the caller keeps it alive */
    size_t len;
    int head; /* a HEAD request: its answer has no body */
} load_request;

typedef struct load_config {
    struct sockaddr_storage addr; /* the target (IPv4 or IPv6) */
    const load_request *requests; /* rotated in order; the caller keeps them alive */
    size_t nrequests;
    double rate;       /* open loop: requests per second; 0: closed loop */
    double duration_s; /* the measured window */
    unsigned connections;
    double timeout_s;          /* a request unanswered this long is a timeout error;
                                * also the bound of the connect phase and of the drain */
    const char *digest_header; /* NULL, or a response header whose value (hex, up to
                                * 64 bits) is summed over 2xx answers: digest_sum */
} load_config;

typedef struct load_result {
    int failed; /* the run could not start (see error); no figures */
    char error[256];
    int open_loop;
    double duration_s;        /* the window asked */
    double elapsed_s;         /* from the window's start to the end of the drain */
    uint64_t offered;         /* open loop: requests whose intended time fell in the
                               * window (floor(rate * duration)); closed: sent */
    uint64_t sent, completed; /* requests written; answers parsed (any status) */
    uint64_t status_2xx, status_non_2xx;
    uint64_t ok_in_window; /* 2xx answers received inside the window */
    double throughput_rps; /* ok_in_window / duration_s */
    uint64_t err_connect;  /* a (re)connect refused or failed */
    uint64_t err_socket;   /* read/write error, or closed by the server mid-answer */
    uint64_t err_parse;    /* an answer http_parser rejects, or bytes nobody asked for */
    uint64_t err_timeout;  /* no answer within timeout_s */
    uint64_t unsent;       /* open loop: due but never sent (all connections busy
                            * until the end of the drain) */
    uint64_t reconnects;   /* connections opened again (server closed keep-alive) */
    uint64_t bytes_received;
    uint64_t digests, digest_sum; /* digest_header: answers that had it; their sum mod 2^64 */
    load_hist latency;            /* ns: from the intended send time (open loop) or from
                                   * the send time (closed loop): what a user waits */
    load_hist service;            /* ns: from the actual send time */
} load_result;

typedef struct load_run load_run;
typedef void (*load_done_cb)(load_run *run, void *arg);

/* 0, or -1 with a message: a configuration the engine cannot run. */
int rn_load_config_check(const load_config *cfg, char *err, size_t errlen);

/* Starts a run on loop (connects every connection first; the window starts once all are
 * up). Returns NULL with a message for a bad configuration; otherwise `done` will be
 * called exactly once, also when the run fails to start (rn_load_result_of()->failed). */
load_run *rn_load_start(uv_loop_t *loop, const load_config *cfg, load_done_cb done, void *arg,
                        char *err, size_t errlen);

/* Ends the window now (the drain still happens); `done` follows as usual. */
void rn_load_stop(load_run *run);

const load_result *rn_load_result_of(const load_run *run);
void rn_load_free(load_run *run); /* after done */

/* Runs one run to its end on a private loop and copies the result into *out (which holds
 * two histograms: ~140 KiB, allocate it). Returns 0, or -1 with a message (a bad
 * configuration, or a run that failed to start: then out->failed is set too). */
int rn_load_run_blocking(const load_config *cfg, load_result *out, char *err, size_t errlen);

/* Fills a result's percentiles in seconds: p50, p90, p99, p99.9, max. */
typedef struct load_percentiles {
    double p50, p90, p99, p999, max, mean;
} load_percentiles;
void rn_load_percentiles_of(const load_hist *h, load_percentiles *out);

#endif
