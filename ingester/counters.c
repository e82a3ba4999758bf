/* counters.c: the ingester's counters and their /stats JSON. */
#include "counters.h"

#include <stdlib.h>
#include <string.h>

#define OTHER_APP "_other"

void counters_init(ing_counters *c)
{
    memset(c, 0, sizeof *c);
    c->max_apps = 10000;
}

void counters_free(ing_counters *c)
{
    strmap_foreach(&c->apps, e) {
        app_counters *a = e->val.p;
        strmap_free(&a->formats);
        free(a);
    }
    strmap_free(&c->apps);
}

app_counters *counters_app(ing_counters *c, const char *app)
{
    strmap_entry *e = strmap_find(&c->apps, app, strlen(app));
    if (e)
        return e->val.p;
    if (c->apps.len >= c->max_apps)
        app = OTHER_APP;
    int created;
    e = strmap_upsert(&c->apps, app, strlen(app), &created);
    if (!e)
        return NULL;
    if (created) {
        e->val.p = calloc(1, sizeof(app_counters));
        if (!e->val.p) {
            e->val.p = NULL;
            return NULL;
        }
        ((app_counters *)e->val.p)->last_request = UINT64_MAX;
    }
    return e->val.p;
}

void counters_app_request(ing_counters *c, const char *app, uint64_t request, uint64_t bytes)
{
    app_counters *a = counters_app(c, app);
    if (!a || a->last_request == request)
        return;
    a->last_request = request;
    a->requests++;
    a->bytes += bytes;
}

void counters_profile(ing_counters *c, uint64_t request, const char *app, const char *format,
                      const ing_counts *n)
{
    c->profiles += n->profiles;
    c->samples += n->samples;
    c->value += n->value;
    c->frames += n->frames;
    app_counters *a = counters_app(c, app);
    if (!a)
        return;
    if (a->last_request != request) {
        a->last_request = request;
        a->requests++;
    }
    a->profiles += n->profiles;
    a->samples += n->samples;
    a->value += n->value;
    a->frames += n->frames;
    strmap_entry *f = strmap_upsert(&a->formats, format, strlen(format), NULL);
    if (f)
        f->val.u += n->profiles;
}

void counters_decode_error(ing_counters *c, const char *app)
{
    c->decode_errors++;
    if (app) {
        app_counters *a = counters_app(c, app);
        if (a)
            a->decode_errors++;
    }
}

void counters_answer(ing_counters *c, int status)
{
    if (status >= 200 && status < 300)
        c->req_2xx++;
    else if (status >= 400 && status < 500)
        c->req_4xx++;
    else if (status >= 500)
        c->req_5xx++;
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp((*(const strmap_entry *const *)a)->key, (*(const strmap_entry *const *)b)->key);
}

/* The entries of m sorted by key (malloc'd array of m->len pointers; NULL when empty). */
static strmap_entry **sorted(const strmap *m)
{
    strmap_entry **v = m->len ? malloc(m->len * sizeof *v) : NULL;
    size_t n = 0;
    if (!v)
        return NULL;
    strmap_foreach(m, e)
        v[n++] = e;
    qsort(v, n, sizeof *v, cmp_keys);
    return v;
}

static json_t *app_json(const app_counters *a)
{
    json_t *formats = json_object();
    strmap_entry **fs = sorted(&a->formats);
    for (size_t i = 0; fs && i < a->formats.len; i++)
        json_object_set_new(formats, fs[i]->key, json_integer((json_int_t)fs[i]->val.u));
    free(fs);
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
                     "requests", (json_int_t)a->requests, "profiles", (json_int_t)a->profiles,
                     "samples", (json_int_t)a->samples, "sample_value", (json_int_t)a->value,
                     "frames", (json_int_t)a->frames, "bytes", (json_int_t)a->bytes,
                     "decode_errors", (json_int_t)a->decode_errors, "formats", formats);
}

json_t *counters_json(const ing_counters *c, const char *mode, double uptime_s,
                      const char *listen)
{
    json_t *apps = json_object();
    strmap_entry **as = sorted(&c->apps);
    for (size_t i = 0; as && i < c->apps.len; i++)
        json_object_set_new(apps, as[i]->key, app_json(as[i]->val.p));
    free(as);
    const latency_hist *h = &c->latency;
    return json_pack(
        "{s:i, s:s, s:f, s:s,"
        " s:{s:I, s:I, s:I, s:I},"
        " s:{s:I, s:I, s:I, s:I, s:I, s:I},"
        " s:{s:I, s:I},"
        " s:I, s:I, s:I, s:I, s:I,"
        " s:{s:f, s:f, s:f, s:f},"
        " s:o}",
        "v", 1, "mode", mode, "uptime_s", uptime_s, "listen", listen,
        "connections", "open", (json_int_t)c->conn_open, "accepted",
        (json_int_t)c->conn_accepted, "rejected", (json_int_t)c->conn_rejected, "timed_out",
        (json_int_t)c->conn_timed_out,
        "requests", "total", (json_int_t)c->req_total, "2xx", (json_int_t)c->req_2xx, "4xx",
        (json_int_t)c->req_4xx, "5xx", (json_int_t)c->req_5xx, "reset",
        (json_int_t)c->req_reset, "dropped", (json_int_t)c->req_dropped,
        "bytes", "received", (json_int_t)c->bytes_received, "decompressed",
        (json_int_t)c->bytes_decompressed,
        "profiles", (json_int_t)c->profiles, "samples", (json_int_t)c->samples,
        "sample_value", (json_int_t)c->value, "frames", (json_int_t)c->frames,
        "decode_errors", (json_int_t)c->decode_errors,
        "latency_ms", "p50", latency_quantile_ms(h, 0.50), "p90", latency_quantile_ms(h, 0.90),
        "p99", latency_quantile_ms(h, 0.99), "max", (double)h->max_ns / 1e6,
        "apps", apps);
}
