/* ingester.h: the ingesters a suite talks to: one agentbench-ingester child per profiled
 * variant (started in that variant's mode, ready line read, /healthz awaited, stopped with
 * SIGTERM), or one remote ingester whose mode is switched through its control endpoint. */
#ifndef AB_RUNNER_INGESTER_H
#define AB_RUNNER_INGESTER_H

#include <uv.h>
#include "linebuf.h"

typedef struct ingester {
    char *name, *mode;
    char *url;     /* data address, http://127.0.0.1:PORT */
    char *control; /* control address, http://127.0.0.1:PORT */
    int pid;       /* 0 for a remote ingester */
    int remote;
    /* child process state */
    uv_process_t proc;
    uv_pipe_t out;
    linebuf lines;  /* its stdout, as lines (the ready line) */
    char rbuf[512]; /* libuv reads into it */
    int ready, exited, eof, closing, spawned;
    int64_t exit_status;
} ingester;

/* Every mode the ingester knows, and whether a variant's profiler is expected to deliver
 * something to it: "profiles" (fast, slow), "requests" (error, ratelimit, flaky, reset,
 * hang: requests received, any outcome), or NULL (down, blackhole: nothing can arrive). */
int rn_ingester_mode_known(const char *mode);
const char *rn_ingester_delivery_measure(const char *mode);

/* Path of agentbench-ingester: ../ingester/ next to agentbench, next to agentbench, or
 * "agentbench-ingester" (PATH). */
const char *rn_ingester_default_binary(void);

/* Start a local ingester child in mode (delay for slow; with store, --store store: the
 * stacks it receives kept in store/APP.folded). Blocks (running loop) until it is ready
 * and healthy, up to ~10 s. logfd receives its stderr. 0, or -1 with err. */
int rn_ingester_start(uv_loop_t *loop, ingester *g, const char *binary, const char *helper,
                      const char *name, const char *mode, double delay, const char *cpus,
                      const char *store, int logfd, char *err, size_t errlen);
/* SIGTERM, wait up to 5 s (then SIGKILL), close the handles. */
void rn_ingester_stop(uv_loop_t *loop, ingester *g);

/* Remote: describe it (no process). */
void rn_ingester_remote(ingester *g, const char *url, const char *control);
/* PUT control/mode {"mode":..., "delay_s":...}. 0 or -1 with err. */
int rn_ingester_set_mode(const char *control, const char *mode, double delay, char *err,
                         size_t errlen);
/* GET control/healthz until 200 or timeout. 0 or -1. */
int rn_ingester_wait_healthy(const char *control, double timeout_s);
/* 1 when a TCP connect to the http://host:port url is refused (nothing listens). */
int rn_url_connection_refused(const char *url);

/* Parse "agentbench-ingester ready data=H:P control=H:P pid=N" (control=- when there is
 * none), exactly: H an IPv4 address, a [bracketed] IPv6 one or a host name, P 1..65535,
 * N a pid. 0 or -1. */
int rn_ingester_parse_ready(const char *line, char *data, size_t dlen, char *control, size_t clen,
                            int *pid);
/* Bytes of a child's stdout: when they complete its ready line, g->url, g->control and
 * g->ready are set; anything after it is ignored. */
void rn_ingester_take_output(ingester *g, const char *buf, size_t n);

void rn_ingester_free(ingester *g);

#endif
