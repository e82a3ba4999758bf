/* http.h: the runner's few HTTP calls to an ingester's control endpoint (libcurl, bounded
 * timeouts): GET /healthz, GET /stats, PUT /mode. */
#ifndef AB_RUNNER_HTTP_H
#define AB_RUNNER_HTTP_H

#include <stddef.h>

/* The counters of an ingester's /stats the runner takes deltas of. */
typedef struct ingester_counters {
    unsigned long long requests, profiles, samples;
} ingester_counters;

/* Perform method (GET/PUT) on url with an optional JSON body. Returns the HTTP status
 * (>0), or -1 with a message in err. *body (may be NULL) receives the answer (malloc'd). */
int http_call(const char *method, const char *url, const char *json_body, double timeout_s,
              char **body, char *err, size_t errlen);

/* Parse a /stats document (doc/internals.md). 0 or -1. */
int ingester_counters_parse(const char *json, ingester_counters *c);
/* GET control/stats and parse it. 0 or -1 with err. */
int ingester_counters_fetch(const char *control_url, ingester_counters *c, char *err,
                            size_t errlen);

#endif
