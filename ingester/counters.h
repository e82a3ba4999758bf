/* counters.h: everything the ingester counts, in total and per application, and the
 * GET /stats JSON document built from it (schema in doc/ingester-stats.md). */
#ifndef ING_COUNTERS_H
#define ING_COUNTERS_H

#include <stdint.h>

#include "decode.h"
#include "latency.h"
#include "strmap.h"

typedef struct app_counters {
    uint64_t requests, profiles, samples, value, frames, bytes, decode_errors;
    strmap formats;          /* format name -> profiles (val.u) */
    uint64_t last_request;   /* serial of the last request counted in `requests` */
} app_counters;

typedef struct ing_counters {
    uint64_t conn_open, conn_accepted, conn_rejected, conn_timed_out;
    uint64_t req_total, req_2xx, req_4xx, req_5xx, req_reset, req_dropped;
    uint64_t bytes_received, bytes_decompressed;
    uint64_t profiles, samples, value, frames, decode_errors;
    latency_hist latency;
    strmap apps;             /* application -> app_counters* (val.p) */
    unsigned max_apps;       /* beyond this many, new names count under "_other" */
} ing_counters;

void counters_init(ing_counters *c);
void counters_free(ing_counters *c);

/* The counters of an application, created on first use. NULL only when out of memory. */
app_counters *counters_app(ing_counters *c, const char *app);

/* A request (serial number `request`) concerning app: counts it once per app. */
void counters_app_request(ing_counters *c, const char *app, uint64_t request, uint64_t bytes);

/* A decoded profile (the decoder sink's profile callback). */
void counters_profile(ing_counters *c, uint64_t request, const char *app, const char *format,
                      const ing_counts *n);

/* A decode error for app (NULL: no application known). */
void counters_decode_error(ing_counters *c, const char *app);

/* A request answered with this HTTP status. */
void counters_answer(ing_counters *c, int status);

/* The whole /stats document (lib/ingester_stats.h's writer): malloc'd text, its length
 * in *len; NULL when out of memory. */
char *counters_stats_document(const ing_counters *c, const char *mode, double uptime_s,
                              const char *listen, size_t *len);

#endif
