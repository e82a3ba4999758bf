/* pool.h: http-c-service's worker pool: a fixed number of threads (registered with the
 * profiling agent) take jobs from one queue under one mutex and hand them back to the
 * libuv loop through a uv_async, where each job's `done` runs. Jobs are the caller's
 * structs with a pool_job inside; the pool never allocates per job. */
#ifndef HTTP_C_SERVICE_POOL_H
#define HTTP_C_SERVICE_POOL_H

#include <uv.h>

typedef struct pool_job {
    struct pool_job *next;
    void (*work)(struct pool_job *job); /* on a worker thread */
    void (*done)(struct pool_job *job); /* on the loop thread, after work */
} pool_job;

typedef struct pool pool;

/* Starts nthreads workers; NULL with errno when a thread or the async cannot start. */
pool *pool_create(uv_loop_t *loop, unsigned nthreads);
void pool_submit(pool *p, pool_job *job); /* loop thread */
/* Finishes queued jobs, joins the threads and closes the async; `closed` runs on the
 * loop once it is gone (the pool is freed by then). */
void pool_shutdown(pool *p, void (*closed)(void *arg), void *arg);

#endif
