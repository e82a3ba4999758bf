/* loadphase.h: one load phase of a service run: a child `agentbench load --json` (runner/
 * load/, doc/load.md), pinned to the load CPUs through `agentbench-measure --exec`, run on
 * the caller's libuv loop. A child and not the runner's own loop: the runner also fsyncs
 * the journal and reaps processes, and every millisecond it spent there would count as
 * the service's latency in the open-loop phase. */
#ifndef AB_SERVICE_LOADPHASE_H
#define AB_SERVICE_LOADPHASE_H

#include <stddef.h>
#include <jansson.h>
#include <uv.h>

typedef struct loadphase_spec {
    const char *helper;     /* agentbench-measure */
    const char *agentbench; /* this program */
    const char *cpus;       /* CPU list, "" = not pinned */
    double rate;            /* 0: closed loop (--rate max) */
    double duration_s, timeout_s;
    int connections;
    const char *digest_header; /* NULL: none */
    char **urls;               /* NULL-terminated */
    int logfd;                 /* the child's stderr */
} loadphase_spec;

/* Run one phase to its end. 0 with *json (the child's object, a new reference); -1 with
 * why when it could not be run, failed, or printed no JSON object; -2 when go_on(arg) said
 * stop first (the child is then killed). Bounded: a child still running 2 durations + 3
 * timeouts + 30 s after its start is killed (-1). */
int rn_loadphase_run(uv_loop_t *loop, const loadphase_spec *spec, int (*go_on)(void *), void *arg,
                     json_t **json, char *why, size_t whylen);

#endif
