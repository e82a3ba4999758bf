/* ingester_stats.h: the ingester's GET /stats document (schema version 2,
 * doc/ingester-stats.md) as one struct, with its one writer and its one reader: the
 * ingester answers /stats with ab_ingester_stats_write; the runner and the PMDA poll it
 * and read the answer with ab_ingester_stats_read. A program that needs another figure
 * adds it here, to the writer and to the reader at once, so the three never drift apart.
 *
 * The reader checks the schema version before anything else and refuses a document of
 * another version (or of none) with a message naming what it found: a reader of v1 must
 * never take a v3 document's figures for its own. Within v2 it is as lenient as a poller
 * needs: a missing, negative, non-numeric or out-of-range figure reads as 0 and a
 * missing string as "", so nothing it returns is NaN or infinite. A number JSON cannot
 * hold (1e999) makes the whole document unreadable. */
#ifndef AB_INGESTER_STATS_H
#define AB_INGESTER_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "store_name.h"

/* 2: apps.NAME.types, the figures per profile type (v1 had none). */
#define AB_INGESTER_STATS_VERSION 2

/* Profile types listed per application: the ingester counts more under "_other". */
#define AB_INGESTER_MAX_TYPES 32

/* Profiles of one application in one format ("folded", "pprof", ...). */
typedef struct ab_ingester_format_count {
    const char *name;
    uint64_t profiles;
} ab_ingester_format_count;

/* The figures of one profile type of one application (`apps.NAME.types.TYPE`): its
 * profiles, samples and their values, all of one kind (CPU samples, bytes, objects...:
 * the ingester's decode.h). The same type's stacks are the application's --store file of
 * that type (store_name.h). */
typedef struct ab_ingester_type_stats {
    char name[AB_STORE_MAX_TYPE + 1];
    uint64_t profiles, samples, sample_value;
} ab_ingester_type_stats;

/* The figures of one application (`apps.NAME`): its totals over every profile type, and
 * each type's. */
typedef struct ab_ingester_app_stats {
    const char *name;
    uint64_t requests, profiles, samples, sample_value, frames, bytes, decode_errors;
    const ab_ingester_format_count *formats; /* sorted by name */
    size_t nformats;
    const ab_ingester_type_stats *types; /* sorted by name */
    size_t ntypes;
} ab_ingester_app_stats;

/* The document. Names follow the JSON: conn_* is `connections.*`, req_* `requests.*`,
 * bytes_* `bytes.*`, lat_* `latency_ms.*` (milliseconds), store_* `store.*`. */
typedef struct ab_ingester_stats {
    char mode[32]; /* fast, slow, down, ... */
    double uptime_s;
    char listen[96]; /* the data address ADDR:PORT */
    uint64_t conn_open, conn_accepted, conn_rejected, conn_timed_out;
    uint64_t req_total, req_2xx, req_4xx, req_5xx, req_reset, req_dropped;
    uint64_t bytes_received, bytes_decompressed;
    uint64_t profiles, samples, sample_value, frames, decode_errors;
    double lat_p50, lat_p90, lat_p99, lat_max;
    /* --store: applications and distinct stacks kept, their bytes; stacks not kept (a
     * store bound, or the request's stack text budget): what was cut. */
    uint64_t store_apps, store_stacks, store_bytes, store_stacks_cut;
    /* Per application, sorted by name: filled by the writer's caller, with memory it
     * owns. The reader leaves them empty (no reader needs them, and a struct that owns
     * nothing can be copied by value, as the PMDA's poller does). */
    const ab_ingester_app_stats *apps;
    size_t napps;
    int apps_omitted; /* the writer leaves "apps" out (GET /stats?apps=0) */
} ab_ingester_stats;

/* The document of s: compact JSON and a newline, keys in the documented order, numbers
 * with up to 6 significant digits (a non-finite one is written as 0), without "apps" when
 * apps_omitted (a document of bounded size, whatever the applications: what pollers
 * that read no application ask for). malloc'd, with its length in *len; NULL when out of
 * memory. */
char *ab_ingester_stats_write(const ab_ingester_stats *s, size_t *len);

/* Read the len bytes at text (no NUL needed) into *out. 0, or -1 with *out zeroed and a
 * message in err: not JSON, not an object, no schema version, another version. */
int ab_ingester_stats_read(const char *text, size_t len, ab_ingester_stats *out, char *err,
                           size_t errlen);

/* The figures of one application, apps.APP, from the same document (the same checks,
 * the same leniency): out->name is NULL and it has no formats; its profile types (at most
 * maxtypes, sorted by name) go into the caller's types, which out->types points at, so it
 * owns nothing. An application the document does not list reads as all zeros, with no
 * types (it sent nothing yet). 0, or -1 with *out zeroed and a message in err. */
int ab_ingester_stats_read_app(const char *text, size_t len, const char *app,
                               ab_ingester_app_stats *out, ab_ingester_type_stats *types,
                               size_t maxtypes, char *err, size_t errlen);

/* The figures of a's profile type TYPE, or NULL when a has none of it. */
const ab_ingester_type_stats *ab_ingester_app_type(const ab_ingester_app_stats *a,
                                                   const char *type);

#endif
