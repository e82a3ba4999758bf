/* ingester_stats.c: the /stats document's writer and reader (ingester_stats.h), both
 * with jansson. The writer packs the struct in the order doc/ingester-stats.md lists
 * the keys; the reader checks "v" first, then takes every figure through one of three
 * lenient getters, so no caller ever sees a negative count, NaN or Inf. */
#include "ingester_stats.h"
#include "json_get.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- writer ---------------------------------------------------------------------- */

/* jansson's integers are signed: a saturated counter is written as the largest one. */
static json_int_t int_of(uint64_t v) {
    return v > (uint64_t)INT64_MAX ? (json_int_t)INT64_MAX : (json_int_t)v;
}

static double finite_or_zero(double d) {
    return isfinite(d) ? d : 0.0;
}

static json_t *app_json(const ab_ingester_app_stats *a) {
    json_t *formats = json_object(), *types = json_object();
    for (size_t i = 0; formats && i < a->nformats; i++)
        json_object_set_new(formats, a->formats[i].name,
                            json_integer(int_of(a->formats[i].profiles)));
    for (size_t i = 0; types && i < a->ntypes; i++) {
        const ab_ingester_type_stats *t = &a->types[i];
        json_object_set_new(types, t->name,
                            json_pack("{s:I, s:I, s:I}", "profiles", int_of(t->profiles), "samples",
                                      int_of(t->samples), "sample_value", int_of(t->sample_value)));
    }
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "requests",
                     int_of(a->requests), "profiles", int_of(a->profiles), "samples",
                     int_of(a->samples), "sample_value", int_of(a->sample_value), "frames",
                     int_of(a->frames), "bytes", int_of(a->bytes), "decode_errors",
                     int_of(a->decode_errors), "formats", formats, "types", types);
}

static json_t *stats_json(const ab_ingester_stats *s) {
    json_t *apps = s->apps_omitted ? NULL : json_object();
    for (size_t i = 0; apps && i < s->napps; i++)
        json_object_set_new(apps, s->apps[i].name, app_json(&s->apps[i]));
    json_t *doc = json_pack(
        "{s:i, s:s, s:f, s:s,"
        " s:{s:I, s:I, s:I, s:I},"
        " s:{s:I, s:I, s:I, s:I, s:I, s:I},"
        " s:{s:I, s:I},"
        " s:I, s:I, s:I, s:I, s:I,"
        " s:{s:f, s:f, s:f, s:f},"
        " s:{s:I, s:I, s:I, s:I}}",
        "v", AB_INGESTER_STATS_VERSION, "mode", s->mode, "uptime_s", finite_or_zero(s->uptime_s),
        "listen", s->listen, "connections", "open", int_of(s->conn_open), "accepted",
        int_of(s->conn_accepted), "rejected", int_of(s->conn_rejected), "timed_out",
        int_of(s->conn_timed_out), "requests", "total", int_of(s->req_total), "2xx",
        int_of(s->req_2xx), "4xx", int_of(s->req_4xx), "5xx", int_of(s->req_5xx), "reset",
        int_of(s->req_reset), "dropped", int_of(s->req_dropped), "bytes", "received",
        int_of(s->bytes_received), "decompressed", int_of(s->bytes_decompressed), "profiles",
        int_of(s->profiles), "samples", int_of(s->samples), "sample_value", int_of(s->sample_value),
        "frames", int_of(s->frames), "decode_errors", int_of(s->decode_errors), "latency_ms", "p50",
        finite_or_zero(s->lat_p50), "p90", finite_or_zero(s->lat_p90), "p99",
        finite_or_zero(s->lat_p99), "max", finite_or_zero(s->lat_max), "store", "apps",
        int_of(s->store_apps), "stacks", int_of(s->store_stacks), "bytes", int_of(s->store_bytes),
        "stacks_cut", int_of(s->store_stacks_cut));
    if (doc && apps) json_object_set_new(doc, "apps", apps);
    else json_decref(apps);
    return doc;
}

char *ab_ingester_stats_write(const ab_ingester_stats *s, size_t *len) {
    json_t *doc = stats_json(s);
    char *out = ab_json_line(doc, JSON_COMPACT | JSON_REAL_PRECISION(6), len);
    json_decref(doc);
    return out;
}

/* --- reader ---------------------------------------------------------------------- */

static void get_string(json_t *obj, const char *key, char *out, size_t outlen) {
    snprintf(out, outlen, "%s", ab_json_string(obj, key, ""));
}

/* 0 when root is a document of this version; else -1 and why not in err. */
static int check_version(const json_t *root, const json_error_t *jerr, char *err, size_t errlen) {
    json_t *v = json_object_get(root, "v");
    if (!root) snprintf(err, errlen, "not JSON: %s (line %d)", jerr->text, jerr->line);
    else if (!json_is_object(root)) snprintf(err, errlen, "not a JSON object");
    else if (!json_is_integer(v))
        snprintf(err, errlen, "no schema version \"v\": not an ingester /stats document");
    else if (json_integer_value(v) != AB_INGESTER_STATS_VERSION)
        snprintf(err, errlen,
                 "/stats schema version %lld, but this program reads version %d "
                 "only (doc/ingester-stats.md)",
                 (long long)json_integer_value(v), AB_INGESTER_STATS_VERSION);
    else return 0;
    return -1;
}

/* The parsed document when it is one of this version; else NULL and why in err. */
static json_t *load_document(const char *text, size_t len, char *err, size_t errlen) {
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr);
    if (check_version(root, &jerr, err, errlen) < 0) {
        json_decref(root);
        return NULL;
    }
    return root;
}

int ab_ingester_stats_read(const char *text, size_t len, ab_ingester_stats *out, char *err,
                           size_t errlen) {
    memset(out, 0, sizeof *out);
    json_t *root = load_document(text, len, err, errlen);
    if (!root) return -1;
    json_t *conn = json_object_get(root, "connections");
    json_t *req = json_object_get(root, "requests");
    json_t *bytes = json_object_get(root, "bytes");
    json_t *lat = json_object_get(root, "latency_ms");
    json_t *store = json_object_get(root, "store");
    get_string(root, "mode", out->mode, sizeof out->mode);
    get_string(root, "listen", out->listen, sizeof out->listen);
    out->uptime_s = ab_json_number(root, "uptime_s", 0);
    out->conn_open = ab_json_count(conn, "open");
    out->conn_accepted = ab_json_count(conn, "accepted");
    out->conn_rejected = ab_json_count(conn, "rejected");
    out->conn_timed_out = ab_json_count(conn, "timed_out");
    out->req_total = ab_json_count(req, "total");
    out->req_2xx = ab_json_count(req, "2xx");
    out->req_4xx = ab_json_count(req, "4xx");
    out->req_5xx = ab_json_count(req, "5xx");
    out->req_reset = ab_json_count(req, "reset");
    out->req_dropped = ab_json_count(req, "dropped");
    out->bytes_received = ab_json_count(bytes, "received");
    out->bytes_decompressed = ab_json_count(bytes, "decompressed");
    out->profiles = ab_json_count(root, "profiles");
    out->samples = ab_json_count(root, "samples");
    out->sample_value = ab_json_count(root, "sample_value");
    out->frames = ab_json_count(root, "frames");
    out->decode_errors = ab_json_count(root, "decode_errors");
    out->lat_p50 = ab_json_number(lat, "p50", 0);
    out->lat_p90 = ab_json_number(lat, "p90", 0);
    out->lat_p99 = ab_json_number(lat, "p99", 0);
    out->lat_max = ab_json_number(lat, "max", 0);
    out->store_apps = ab_json_count(store, "apps");
    out->store_stacks = ab_json_count(store, "stacks");
    out->store_bytes = ab_json_count(store, "bytes");
    out->store_stacks_cut = ab_json_count(store, "stacks_cut");
    json_decref(root);
    return 0;
}

static int cmp_type_names(const void *a, const void *b) {
    return strcmp(((const ab_ingester_type_stats *)a)->name,
                  ((const ab_ingester_type_stats *)b)->name);
}

int ab_ingester_stats_read_app(const char *text, size_t len, const char *app,
                               ab_ingester_app_stats *out, ab_ingester_type_stats *types,
                               size_t maxtypes, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    json_t *root = load_document(text, len, err, errlen);
    if (!root) return -1;
    json_t *a = json_object_get(json_object_get(root, "apps"), app);
    const char *name;
    json_t *t;
    size_t n = 0;
    json_object_foreach(json_object_get(a, "types"), name, t) {
        if (n >= maxtypes || strlen(name) >= sizeof types[n].name) continue;
        snprintf(types[n].name, sizeof types[n].name, "%s", name);
        types[n].profiles = ab_json_count(t, "profiles");
        types[n].samples = ab_json_count(t, "samples");
        types[n].sample_value = ab_json_count(t, "sample_value");
        n++;
    }
    if (n) qsort(types, n, sizeof *types, cmp_type_names);
    out->types = types;
    out->ntypes = n;
    out->requests = ab_json_count(a, "requests");
    out->profiles = ab_json_count(a, "profiles");
    out->samples = ab_json_count(a, "samples");
    out->sample_value = ab_json_count(a, "sample_value");
    out->frames = ab_json_count(a, "frames");
    out->bytes = ab_json_count(a, "bytes");
    out->decode_errors = ab_json_count(a, "decode_errors");
    json_decref(root);
    return 0;
}

const ab_ingester_type_stats *ab_ingester_app_type(const ab_ingester_app_stats *a,
                                                   const char *type) {
    for (size_t i = 0; i < a->ntypes; i++)
        if (strcmp(a->types[i].name, type) == 0) return &a->types[i];
    return NULL;
}
