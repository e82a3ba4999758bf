/* pool.c: the worker pool of pool.h. Two lists, each under its own mutex: `queue`
 * (loop → workers, with a condition variable) and `finished` (workers → loop, with a
 * uv_async_send, which coalesces wake-ups; the async callback takes the whole list). */
#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "abagent.h"

struct pool {
    uv_loop_t *loop;
    uv_async_t async;
    pthread_mutex_t lock; /* queue, stopping */
    pthread_cond_t cond;
    pool_job *head, *tail;
    int stopping;
    pthread_mutex_t finished_lock; /* finished */
    pool_job *finished;
    pthread_t *threads;
    unsigned nthreads;
    void (*closed)(void *);
    void *closed_arg;
};

static void *worker(void *arg) {
    pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        while (!p->head && !p->stopping) pthread_cond_wait(&p->cond, &p->lock);
        pool_job *j = p->head;
        if (j) {
            p->head = j->next;
            if (!p->head) p->tail = NULL;
        }
        pthread_mutex_unlock(&p->lock);
        if (!j) return NULL; /* stopping and nothing left */
        j->work(j);
        pthread_mutex_lock(&p->finished_lock);
        j->next = p->finished;
        p->finished = j;
        pthread_mutex_unlock(&p->finished_lock);
        uv_async_send(&p->async);
    }
}

static void on_async(uv_async_t *a) {
    pool *p = a->data;
    pthread_mutex_lock(&p->finished_lock);
    pool_job *j = p->finished;
    p->finished = NULL;
    pthread_mutex_unlock(&p->finished_lock);
    while (j) {
        pool_job *next = j->next;
        j->done(j);
        j = next;
    }
}

pool *pool_create(uv_loop_t *loop, unsigned nthreads) {
    pool *p = calloc(1, sizeof *p);
    if (!p || !(p->threads = calloc(nthreads, sizeof *p->threads))) {
        free(p);
        errno = ENOMEM;
        return NULL;
    }
    p->loop = loop;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    pthread_mutex_init(&p->finished_lock, NULL);
    uv_async_init(loop, &p->async, on_async);
    p->async.data = p;
    for (; p->nthreads < nthreads; p->nthreads++) {
        int e = agent_pthread_create(&p->threads[p->nthreads], NULL, worker, p);
        if (e) {
            errno = e;
            pool_shutdown(p, NULL, NULL);
            return NULL;
        }
    }
    return p;
}

void pool_submit(pool *p, pool_job *j) {
    j->next = NULL;
    pthread_mutex_lock(&p->lock);
    if (p->tail) p->tail->next = j;
    else p->head = j;
    p->tail = j;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

static void on_closed(uv_handle_t *h) {
    pool *p = h->data;
    void (*closed)(void *) = p->closed;
    void *arg = p->closed_arg;
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->finished_lock);
    free(p->threads);
    free(p);
    if (closed) closed(arg);
}

void pool_shutdown(pool *p, void (*closed)(void *), void *arg) {
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < p->nthreads; i++) pthread_join(p->threads[i], NULL);
    on_async(&p->async); /* the jobs finished since the last wake-up */
    p->closed = closed;
    p->closed_arg = arg;
    uv_close((uv_handle_t *)&p->async, on_closed);
}
