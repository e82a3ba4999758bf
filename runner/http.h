/* http.h: the runner's few HTTP calls to an ingester's control endpoint (libcurl, bounded
 * timeouts): GET /healthz, GET /stats, PUT /mode. */
#ifndef AB_RUNNER_HTTP_H
#define AB_RUNNER_HTTP_H

#include <stddef.h>

#include "ingester_stats.h"

/* Perform method (GET/PUT) on url with an optional JSON body. Returns the HTTP status
 * (>0), or -1 with a message in err. *body (may be NULL) receives the answer (malloc'd). */
int rn_http_call(const char *method, const char *url, const char *json_body, double timeout_s,
                 char **body, char *err, size_t errlen);

/* GET control/stats and read it with lib's reader (a document of another schema version
 * is refused). 0 or -1 with err. */
int rn_ingester_counters_fetch(const char *control_url, ab_ingester_stats *stats, char *err,
                               size_t errlen);
/* The same, and application app's figures (apps.APP) into *app_stats, its profile types
 * into types (AB_INGESTER_MAX_TYPES of them), which app_stats->types points at. */
int rn_ingester_counters_fetch_app(const char *control_url, const char *app,
                                   ab_ingester_stats *stats, ab_ingester_app_stats *app_stats,
                                   ab_ingester_type_stats *types, char *err, size_t errlen);

#endif
