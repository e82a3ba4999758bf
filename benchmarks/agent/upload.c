/* upload.c: the uploader thread. It runs each POST through a curl multi handle polled in
 * short steps, so that agent_uploader_stop can interrupt a hung upload at once
 * (curl_multi_wakeup) instead of waiting for curl's own timeout. */
#include "upload.h"
#include "log.h"

#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct job {
    char *body;
    size_t len;
    double from, until;
} job;

struct agent_uploader {
    agent_config cfg;
    agent_upload_counters *counters;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed; /* a job was queued, or one finished, or stop */
    job *queue;             /* ring of cfg.queue_size jobs */
    size_t head, count;
    int busy;              /* a job is being uploaded */
    int stopping;          /* no more jobs will be queued */
    _Atomic int abort_now; /* give up the upload in flight and the queue */
    CURLM *multi;          /* created by the uploader thread (under lock) */
    int curl_ready;        /* curl_global_init succeeded: stop must clean up */
};

static size_t discard_body(char *p, size_t size, size_t n, void *arg) {
    (void)p;
    (void)arg;
    return size * n;
}

int agent_upload_url(const agent_config *cfg, double from, double until, char *buf, size_t len) {
    char *name = curl_easy_escape(NULL, cfg->app_name, 0);
    if (name == NULL) return -1;
    long long f = (long long)floor(from), u = (long long)ceil(until);
    if (u <= f) u = f + 1;
    int n = snprintf(buf, len,
                     "%s/ingest?format=folded&name=%s&from=%lld&until=%lld"
                     "&spyName=agentbench-c&sampleRate=%d&units=samples&aggregationType=sum",
                     cfg->server, name, f, u, cfg->sample_rate);
    curl_free(name);
    return n > 0 && (size_t)n < len ? 0 : -1;
}

/* One POST. Returns 1 when answered 2xx, 0 on failure, -1 when aborted. */
static int post_profile(agent_uploader *up, CURL *easy, const job *j) {
    char url[1024];
    if (agent_upload_url(&up->cfg, j->from, j->until, url, sizeof url) < 0) {
        agent_log(AGENT_LOG_WARN, "upload URL too long");
        return 0;
    }
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: text/plain");
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, j->body);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)j->len);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, (long)(up->cfg.connect_timeout * 1000));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)(up->cfg.upload_timeout * 1000));
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard_body);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "agentbench-c-agent/1");

    curl_multi_add_handle(up->multi, easy);
    int running = 1, aborted = 0;
    while (running) {
        if (curl_multi_perform(up->multi, &running) != CURLM_OK) break;
        if (!running) break;
        if (atomic_load(&up->abort_now)) {
            aborted = 1;
            break;
        }
        curl_multi_poll(up->multi, NULL, 0, 100, NULL);
    }
    CURLcode rc = CURLE_OK;
    int done = 0;
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(up->multi, &left)) != NULL)
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy) {
            rc = msg->data.result;
            done = 1;
        }
    curl_multi_remove_handle(up->multi, easy);
    curl_slist_free_all(headers);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, NULL);
    if (aborted || !done) {
        agent_log(AGENT_LOG_DEBUG, "upload of %zu bytes abandoned at exit", j->len);
        return -1;
    }
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK) {
        agent_log(AGENT_LOG_INFO, "upload failed: %s", curl_easy_strerror(rc));
        return 0;
    }
    if (status < 200 || status > 299) {
        agent_log(AGENT_LOG_INFO, "upload answered HTTP %ld", status);
        return 0;
    }
    agent_log(AGENT_LOG_DEBUG, "uploaded %zu bytes: HTTP %ld", j->len, status);
    return 1;
}

static void *uploader_main(void *arg) {
    agent_uploader *up = arg;
    /* libcurl's global set-up (OpenSSL's included, ~1 ms) happens here, off the program's
     * own thread; libcurl >= 7.84 makes it thread-safe. */
    CURLM *multi = NULL;
    int global_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    if (global_ok) multi = curl_multi_init();
    if (multi == NULL)
        agent_log(AGENT_LOG_ERROR, "cannot set up libcurl: nothing will be uploaded");
    CURL *easy = multi != NULL ? curl_easy_init() : NULL;
    pthread_mutex_lock(&up->lock);
    up->multi = multi;
    up->curl_ready = global_ok;
    for (;;) {
        while (up->count == 0 && !up->stopping) pthread_cond_wait(&up->changed, &up->lock);
        if (up->count == 0 || atomic_load(&up->abort_now)) break;
        job j = up->queue[up->head];
        up->head = (up->head + 1) % (size_t)up->cfg.queue_size;
        up->count--;
        up->busy = 1;
        pthread_mutex_unlock(&up->lock);

        int result = easy != NULL ? post_profile(up, easy, &j) : 0;
        if (result == 1) {
            atomic_fetch_add(&up->counters->ok, 1);
            atomic_fetch_add(&up->counters->bytes, j.len);
        } else if (result == 0) {
            atomic_fetch_add(&up->counters->failed, 1);
        } else {
            atomic_fetch_add(&up->counters->dropped, 1);
        }
        free(j.body);

        pthread_mutex_lock(&up->lock);
        up->busy = 0;
        pthread_cond_broadcast(&up->changed);
    }
    /* Whatever is still queued is abandoned. */
    while (up->count > 0) {
        free(up->queue[up->head].body);
        up->head = (up->head + 1) % (size_t)up->cfg.queue_size;
        up->count--;
        atomic_fetch_add(&up->counters->dropped, 1);
    }
    pthread_cond_broadcast(&up->changed);
    pthread_mutex_unlock(&up->lock);
    if (easy != NULL) curl_easy_cleanup(easy);
    struct timespec cpu;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
    atomic_store(&up->counters->thread_cpu_us,
                 (uint64_t)cpu.tv_sec * 1000000 + (uint64_t)cpu.tv_nsec / 1000);
    return NULL;
}

agent_uploader *agent_uploader_start(const agent_config *cfg, agent_upload_counters *counters) {
    agent_uploader *up = calloc(1, sizeof *up);
    if (up == NULL) return NULL;
    up->cfg = *cfg;
    up->counters = counters;
    up->queue = calloc((size_t)cfg->queue_size, sizeof(job));
    if (up->queue == NULL) {
        agent_log(AGENT_LOG_ERROR, "cannot set up the uploader");
        goto fail;
    }
    pthread_mutex_init(&up->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&up->changed, &ca);
    pthread_condattr_destroy(&ca);
    int err = pthread_create(&up->thread, NULL, uploader_main, up);
    if (err != 0) {
        agent_log(AGENT_LOG_ERROR, "cannot start the uploader thread: %s", strerror(err));
        pthread_cond_destroy(&up->changed);
        pthread_mutex_destroy(&up->lock);
        goto fail;
    }
    return up;
fail:
    free(up->queue);
    free(up);
    return NULL;
}

int agent_uploader_enqueue(agent_uploader *up, char *body, size_t len, double from, double until) {
    pthread_mutex_lock(&up->lock);
    if (up->count == (size_t)up->cfg.queue_size || up->stopping) {
        pthread_mutex_unlock(&up->lock);
        free(body);
        atomic_fetch_add(&up->counters->dropped, 1);
        agent_log(AGENT_LOG_INFO, "upload queue full: profile of %zu bytes dropped", len);
        return -1;
    }
    size_t tail = (up->head + up->count) % (size_t)up->cfg.queue_size;
    up->queue[tail] = (job){.body = body, .len = len, .from = from, .until = until};
    up->count++;
    pthread_cond_broadcast(&up->changed);
    pthread_mutex_unlock(&up->lock);
    return 0;
}

void agent_uploader_stop(agent_uploader *up, double wait_s) {
    if (up == NULL) return;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    double whole = floor(wait_s);
    deadline.tv_sec += (time_t)whole;
    deadline.tv_nsec += (long)((wait_s - whole) * 1e9);
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&up->lock);
    up->stopping = 1;
    pthread_cond_broadcast(&up->changed);
    while (up->count > 0 || up->busy) {
        if (pthread_cond_timedwait(&up->changed, &up->lock, &deadline) == ETIMEDOUT) break;
    }
    if (up->count > 0 || up->busy)
        agent_log(AGENT_LOG_DEBUG, "flush timeout (%gs): abandoning %zu queued profile(s)%s",
                  wait_s, up->count, up->busy ? " and the upload in flight" : "");
    atomic_store(&up->abort_now, 1);
    if (up->multi != NULL) curl_multi_wakeup(up->multi);
    pthread_mutex_unlock(&up->lock);
    pthread_join(up->thread, NULL);
    if (up->multi != NULL) curl_multi_cleanup(up->multi);
    if (up->curl_ready) curl_global_cleanup();
    pthread_cond_destroy(&up->changed);
    pthread_mutex_destroy(&up->lock);
    free(up->queue);
    free(up);
}
