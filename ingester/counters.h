/* counters.h: everything the ingester counts, in total and per application, and the
 * GET /stats document built from it (lib/ingester_stats.h, doc/ingester-stats.md). This
 * API is the only way to change a counter: one function per thing that happened, called
 * by routes.c (the transport and the decoders report to routes, never here), so that what
 * each figure means is written once, below and in counters.c. */
#ifndef ING_COUNTERS_H
#define ING_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "latency.h"
#include "strmap.h"

/* One profile type of an application. */
typedef struct type_counters {
    uint64_t profiles, samples, value;
} type_counters;

typedef struct app_counters {
    uint64_t requests, profiles, samples, value, frames, bytes, decode_errors;
    ab_strmap formats;     /* format name -> profiles (val.u) */
    ab_strmap types;       /* profile type -> type_counters* (val.p); beyond
                            * AB_INGESTER_MAX_TYPES - 1 of them, new ones count as "_other" */
    uint64_t last_request; /* serial of the last request counted in `requests` */
} app_counters;

/* Written by counters.c only. */
typedef struct ing_counters {
    uint64_t conn_open, conn_accepted, conn_rejected, conn_timed_out;
    uint64_t req_total, req_2xx, req_4xx, req_5xx, req_reset, req_dropped;
    uint64_t bytes_received, bytes_decompressed;
    uint64_t profiles, samples, value, frames, decode_errors;
    uint64_t stacks_cut; /* stacks --store did not keep */
    latency_hist latency;
    uint64_t last_serial; /* of the last request counted in req_total */
    ab_strmap apps;       /* application -> app_counters* (val.p) */
    unsigned max_apps;    /* beyond this many, new names count under "_other" */
    size_t type_entries;  /* (application, profile type) pairs counted, every application's */
    size_t max_types;     /* beyond this many pairs, an application's new types count as
                           * "_other" (as beyond AB_INGESTER_MAX_TYPES - 1 of its own) */
} ing_counters;

void ing_counters_init(ing_counters *c);
void ing_counters_free(ing_counters *c);

/* Data connections: accepted within --max-connections (open now), closed, refused over
 * it (its request counts as dropped), closed by --idle-timeout. */
void ing_counters_conn_opened(ing_counters *c);
void ing_counters_conn_closed(ing_counters *c);
void ing_counters_conn_refused(ing_counters *c);
void ing_counters_conn_timed_out(ing_counters *c);

/* Request body bytes received on the data listener, as sent. */
void ing_counters_received(ing_counters *c, size_t bytes);

/* A request that counts in requests.total (see doc/ingester-stats.md, "What counts"):
 * returns its serial number, never 0, for the per-application calls below. */
uint64_t ing_counters_request(ing_counters *c);

/* A counted request answered with this status, elapsed_ns after its first byte. */
void ing_counters_answer(ing_counters *c, int status, uint64_t elapsed_ns);

/* A counted request closed with a RST instead of an answer (mode reset). */
void ing_counters_reset(ing_counters *c);

/* A request closed without an answer on purpose (held by mode hang at shutdown). */
void ing_counters_dropped(ing_counters *c);

/* Request `request` (a serial) concerns app: counts it, and its body bytes, once per app. */
void ing_counters_app_request(ing_counters *c, const char *app, uint64_t request, uint64_t bytes);

/* A decoded profile of request `request`, of profile type `type` (the decoder sink's
 * profile callback). */
void ing_counters_profile(ing_counters *c, uint64_t request, const char *app, const char *format,
                          const char *type, const ing_counts *n);

/* A request body decoded: what the decoder says it gave (its decompressed bytes, the
 * stacks --store did not keep). */
void ing_counters_decoded(ing_counters *c, const ing_decoded *d);

/* A decode error for app (NULL: no application known). */
void ing_counters_decode_error(ing_counters *c, const char *app);

/* What the /stats document says besides the counters. */
typedef struct counters_doc_info {
    const char *mode;
    double uptime_s;
    const char *listen;
    uint64_t store_apps, store_stacks, store_bytes; /* --store's state now */
    int with_apps;                                  /* 0: leave "apps" out (?apps=0) */
} counters_doc_info;

/* The whole /stats document (lib/ingester_stats.h's writer): malloc'd text, its length
 * in *len; NULL when out of memory. */
char *ing_counters_stats_document(const ing_counters *c, const counters_doc_info *info,
                                  size_t *len);

#endif
