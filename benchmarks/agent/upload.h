/* upload.h: the agent's uploader: a bounded queue of finished profiles and one thread that
 * POSTs them with libcurl (connect and total timeouts). A profile that finds the queue
 * full is dropped and counted; the program never waits for the network, except at exit
 * for at most the flush timeout. */
#ifndef AGENT_UPLOAD_H
#define AGENT_UPLOAD_H

#include "config.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef struct agent_upload_counters {
    _Atomic uint64_t ok, failed, dropped, bytes;
    _Atomic uint64_t thread_cpu_us; /* the uploader thread's CPU time, set when it ends */
} agent_upload_counters;

typedef struct agent_uploader agent_uploader;

/* Starts the uploader thread. NULL on failure (logged). */
agent_uploader *agent_uploader_start(const agent_config *cfg, agent_upload_counters *counters);

/* Queues body[0..len) (ownership passes to the uploader; freed in every case) for the
 * time range [from, until) in Unix seconds. Returns 0, or -1 when dropped (queue full). */
int agent_uploader_enqueue(agent_uploader *up, char *body, size_t len, double from, double until);

/* Waits up to wait_s seconds for the queue to empty, then abandons what is left (counted as
 * dropped) and interrupts an upload in flight, joins the thread and frees everything. */
void agent_uploader_stop(agent_uploader *up, double wait_s);

/* The URL for one profile: SERVER/ingest?format=folded&name=..&from=..&until=..&... */
int agent_upload_url(const agent_config *cfg, double from, double until, char *buf, size_t len);

#endif
