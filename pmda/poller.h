/* poller.h: polls every ingester's GET /stats from a thread of its own (libcurl multi,
 * connect and total timeout 250 ms, at most one round a second) and keeps the last answer
 * of each. The PMDA's thread reads copies of those answers; it never waits for the
 * network except, for at most ~250 ms, when nothing fresh has been polled yet. */
#ifndef PMDA_AB_POLLER_H
#define PMDA_AB_POLLER_H

#include <stddef.h>

#include "ingester_stats.h"

#define POLL_TIMEOUT_MS 250
#define POLL_INTERVAL_S 1.0
#define POLL_FRESH_S    3.0 /* older answers count as no answer (never show stale) */

/* The last answer of one ingester: its /stats document, read by lib's reader. */
typedef struct ingester_stats {
    int up;                /* 1 when the last poll got a valid /stats document */
    double polled_at;      /* CLOCK_MONOTONIC seconds of that poll, 0 = never */
    ab_ingester_stats doc; /* all zero unless up */
} ingester_stats;

/* Start the thread. Returns 0 or -1. */
int pmda_poller_start(void);
void pmda_poller_stop(void);

/* Replace the set of control URLs to poll (NULL-free array of n strings, copied), each
 * with its control token or NULL (tokens may be NULL: none has one). */
void pmda_poller_set_targets(const char *const *urls, const char *const *tokens, size_t n);

/* Called once per fetch: marks demand (the thread polls only while someone fetches) and,
 * if no round finished in the last POLL_INTERVAL_S*1.5 or a target was never polled,
 * waits for the next round, at most POLL_TIMEOUT_MS + a little. */
void pmda_poller_demand(void);

/* Copy the last answer for url into out; out->up is 0 when it is down, never polled or
 * the answer is older than POLL_FRESH_S. */
void pmda_poller_get(const char *url, ingester_stats *out);

/* Counters for agentbench.pmda.*: rounds done, requests that failed, last round in ms. */
void pmda_poller_counters(unsigned long long *rounds, unsigned long long *failures,
                          double *last_round_ms);

#endif
