/* poller.c: the ingester /stats poller thread (see poller.h). Only this thread touches
 * libcurl handles; the shared table is guarded by one mutex; nothing here touches PMDA
 * structures. Answers are read by lib/ingester_stats.h, the document's one reader. */
#include "poller.h"
#include "clock.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_BODY      (1 << 20)
#define DEMAND_IDLE_S 30.0 /* stop polling when nobody fetched for this long */

typedef struct target {
    char *url;               /* control base URL */
    char *stats_url;         /* url + "/stats?apps=0" (no applications: bounded size) */
    struct curl_slist *auth; /* "Authorization: Bearer TOKEN" when it has a token */
    ingester_stats stats;    /* last answer (guarded by lock) */
    int wanted;
    /* poller-thread only: */
    CURL *easy;
    char *body;
    size_t len;
    int overflow;
    int complete; /* the transfer ended without a libcurl error */
} target;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER; /* to the thread */
static pthread_cond_t round_done = PTHREAD_COND_INITIALIZER;
static pthread_t thread;
static int running, stopping;
static target **targets;
static size_t ntargets;
static double last_demand, last_round;
static unsigned long long rounds, generation, failures;
static double last_round_ms;
static int never_polled; /* a wanted target has no answer yet */

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg) {
    target *t = arg;
    size_t n = size * nmemb;
    if (t->overflow || t->len + n > MAX_BODY) {
        t->overflow = 1;
        return n;
    }
    char *grown = realloc(t->body, t->len + n + 1);
    if (!grown) {
        t->overflow = 1;
        return n;
    }
    t->body = grown;
    memcpy(t->body + t->len, data, n);
    t->len += n;
    t->body[t->len] = '\0';
    return n;
}

static void target_free(target *t) {
    if (t->easy) curl_easy_cleanup(t->easy);
    free(t->url);
    free(t->stats_url);
    curl_slist_free_all(t->auth);
    free(t->body);
    free(t);
}

/* One round: every wanted target at once, bounded by POLL_TIMEOUT_MS. Called with the
 * lock held; drops it while the network is used. The targets array may only grow or be
 * replaced by pmda_poller_set_targets under the lock, so the round works on its own list. */
static void poll_round(CURLM *multi) {
    size_t n = 0;
    target **batch = calloc(ntargets ? ntargets : 1, sizeof(*batch));
    for (size_t i = 0; i < ntargets; i++)
        if (targets[i]->wanted) batch[n++] = targets[i];
    /* Keep them alive while unlocked: pmda_poller_set_targets only marks unwanted ones and
     * frees them from this thread (see reap_unwanted). */
    pthread_mutex_unlock(&lock);

    double t0 = ab_mono_s();
    for (size_t i = 0; i < n; i++) {
        target *t = batch[i];
        if (!t->easy) {
            t->easy = curl_easy_init();
            curl_easy_setopt(t->easy, CURLOPT_URL, t->stats_url);
            curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
            curl_easy_setopt(t->easy, CURLOPT_NOPROXY, "*");
            curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)POLL_TIMEOUT_MS);
            curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, (long)POLL_TIMEOUT_MS);
            curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, on_body);
            curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
            curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
            if (t->auth) curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->auth);
        }
        t->len = 0;
        t->overflow = 0;
        t->complete = 0;
        curl_multi_add_handle(multi, t->easy);
    }
    int still = 1;
    while (still) {
        curl_multi_perform(multi, &still);
        if (still) curl_multi_poll(multi, NULL, 0, 50, NULL);
        if (ab_mono_s() - t0 > (POLL_TIMEOUT_MS + 100) / 1000.0)
            break; /* libcurl's own timeouts should have ended it already */
    }
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
        target *done = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&done);
        if (done && msg->msg == CURLMSG_DONE && msg->data.result == CURLE_OK) done->complete = 1;
    }
    ingester_stats *answers = calloc(n ? n : 1, sizeof(*answers));
    unsigned long long failed = 0;
    for (size_t i = 0; i < n; i++) {
        target *t = batch[i];
        long code = 0;
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
        char why[256];
        if (t->complete && code == 200 && !t->overflow && t->body && t->len > 0)
            answers[i].up = ab_ingester_stats_read(t->body, t->len, &answers[i].doc, why,
                                                   sizeof why) == 0;
        curl_multi_remove_handle(multi, t->easy);
    }
    double now = ab_mono_s();
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < n; i++) {
        if (answers[i].up != 1) {
            memset(&answers[i], 0, sizeof(answers[i]));
            failed++;
        }
        answers[i].polled_at = now;
        batch[i]->stats = answers[i];
    }
    failures += failed;
    last_round_ms = (now - t0) * 1000.0;
    free(answers);
    free(batch);
}

static void reap_unwanted(void) {
    size_t k = 0;
    for (size_t i = 0; i < ntargets; i++) {
        if (targets[i]->wanted) targets[k++] = targets[i];
        else target_free(targets[i]);
    }
    ntargets = k;
}

static void *poller_main(void *arg) {
    CURLM *multi = curl_multi_init();
    pthread_mutex_lock(&lock);
    while (!stopping) {
        double now = ab_mono_s();
        int demanded = now - last_demand < DEMAND_IDLE_S;
        if (demanded && (never_polled || now - last_round >= POLL_INTERVAL_S)) {
            reap_unwanted();
            never_polled = 0;
            poll_round(multi);
            last_round = ab_mono_s();
            rounds++;
            generation++;
            pthread_cond_broadcast(&round_done);
            continue;
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        double wait_s = demanded ? POLL_INTERVAL_S - (now - last_round) : 5.0;
        if (wait_s < 0.01) wait_s = 0.01;
        until.tv_sec += (time_t)wait_s;
        until.tv_nsec += (long)((wait_s - (time_t)wait_s) * 1e9);
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&wake, &lock, &until);
    }
    for (size_t i = 0; i < ntargets; i++) target_free(targets[i]);
    free(targets);
    targets = NULL;
    ntargets = 0;
    pthread_mutex_unlock(&lock);
    curl_multi_cleanup(multi);
    return arg;
}

int pmda_poller_start(void) {
    if (running) return 0;
    if (pthread_create(&thread, NULL, poller_main, NULL) != 0) return -1;
    running = 1;
    return 0;
}

void pmda_poller_stop(void) {
    if (!running) return;
    pthread_mutex_lock(&lock);
    stopping = 1;
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&lock);
    pthread_join(thread, NULL);
    running = 0;
}

void pmda_poller_set_targets(const char *const *urls, const char *const *tokens, size_t n) {
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < ntargets; i++) targets[i]->wanted = 0;
    for (size_t k = 0; k < n; k++) {
        target *found = NULL;
        for (size_t i = 0; i < ntargets && !found; i++)
            if (strcmp(targets[i]->url, urls[k]) == 0) found = targets[i];
        if (!found) {
            target **grown = realloc(targets, (ntargets + 1) * sizeof(*targets));
            found = calloc(1, sizeof(*found));
            if (!grown || !found) {
                free(found);
                if (grown) targets = grown;
                continue;
            }
            targets = grown;
            found->url = strdup(urls[k]);
            size_t len = strlen(urls[k]) + sizeof("/stats?apps=0");
            found->stats_url = malloc(len);
            snprintf(found->stats_url, len, "%s/stats?apps=0", urls[k]);
            if (tokens && tokens[k]) {
                char hdr[1100];
                snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", tokens[k]);
                found->auth = curl_slist_append(NULL, hdr);
            }
            targets[ntargets++] = found;
            never_polled = 1;
        }
        found->wanted = 1;
    }
    pthread_mutex_unlock(&lock);
}

void pmda_poller_demand(void) {
    pthread_mutex_lock(&lock);
    double now = ab_mono_s();
    last_demand = now;
    if (ntargets > 0 && (never_polled || now - last_round > POLL_INTERVAL_S * 1.5)) {
        unsigned long long want = generation + 1;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        long ns = until.tv_nsec + (POLL_TIMEOUT_MS + 30) * 1000000L;
        until.tv_sec += ns / 1000000000L;
        until.tv_nsec = ns % 1000000000L;
        pthread_cond_signal(&wake);
        while (generation < want)
            if (pthread_cond_timedwait(&round_done, &lock, &until) != 0) break;
    }
    pthread_mutex_unlock(&lock);
}

void pmda_poller_get(const char *url, ingester_stats *out) {
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < ntargets; i++)
        if (strcmp(targets[i]->url, url) == 0) {
            *out = targets[i]->stats;
            break;
        }
    pthread_mutex_unlock(&lock);
    if (out->up && ab_mono_s() - out->polled_at > POLL_FRESH_S) out->up = 0;
    if (!out->up) {
        double at = out->polled_at;
        memset(out, 0, sizeof(*out));
        out->polled_at = at;
    }
}

void pmda_poller_counters(unsigned long long *r, unsigned long long *f, double *ms) {
    pthread_mutex_lock(&lock);
    *r = rounds;
    *f = failures;
    *ms = last_round_ms;
    pthread_mutex_unlock(&lock);
}
