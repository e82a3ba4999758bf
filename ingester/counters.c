/* counters.c: the ingester's counters (counters.h: one function per thing that
 * happened, in the order of the /stats document), and their /stats document through the
 * one writer in lib/ingester_stats.h. Applications are a hash table of their own
 * counters; a request counts once per application, by its serial number. */
#include "counters.h"
#include "ingester_stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The decoders (which link nothing of lib/) name types within lib's bound for them. */
_Static_assert(ING_MAX_TYPE_NAME == AB_STORE_MAX_TYPE, "a profile type name has one bound");

#define OTHER_APP  "_other"
#define OTHER_TYPE "_other"

void ing_counters_init(ing_counters *c) {
    memset(c, 0, sizeof *c);
    c->max_apps = 10000;
    c->max_types = 10000;
}

void ing_counters_free(ing_counters *c) {
    ab_strmap_foreach(&c->apps, e) {
        app_counters *a = e->val.p;
        ab_strmap_free(&a->formats);
        ab_strmap_foreach(&a->types, t) free(t->val.p);
        ab_strmap_free(&a->types);
        free(a);
    }
    ab_strmap_free(&c->apps);
}

void ing_counters_conn_opened(ing_counters *c) {
    c->conn_open++;
    c->conn_accepted++;
}

void ing_counters_conn_closed(ing_counters *c) {
    c->conn_open--;
}

void ing_counters_conn_refused(ing_counters *c) {
    c->conn_rejected++;
    c->req_dropped++;
}

void ing_counters_conn_timed_out(ing_counters *c) {
    c->conn_timed_out++;
}

void ing_counters_received(ing_counters *c, size_t bytes) {
    c->bytes_received += bytes;
}

uint64_t ing_counters_request(ing_counters *c) {
    c->req_total++;
    return ++c->last_serial;
}

void ing_counters_answer(ing_counters *c, int status, uint64_t elapsed_ns) {
    if (status >= 200 && status < 300) c->req_2xx++;
    else if (status >= 400 && status < 500) c->req_4xx++;
    else if (status >= 500) c->req_5xx++;
    ing_latency_record(&c->latency, elapsed_ns);
}

void ing_counters_reset(ing_counters *c) {
    c->req_reset++;
}

void ing_counters_dropped(ing_counters *c) {
    c->req_dropped++;
}

/* The counters of an application, created on first use. NULL only when out of memory. */
static app_counters *counters_app(ing_counters *c, const char *app) {
    ab_strmap_entry *e = ab_strmap_find(&c->apps, app, strlen(app));
    if (e) return e->val.p;
    if (c->apps.len >= c->max_apps) app = OTHER_APP;
    int created;
    e = ab_strmap_upsert(&c->apps, app, strlen(app), &created);
    if (!e) return NULL;
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

void ing_counters_app_request(ing_counters *c, const char *app, uint64_t request, uint64_t bytes) {
    app_counters *a = counters_app(c, app);
    if (!a || a->last_request == request) return;
    a->last_request = request;
    a->requests++;
    a->bytes += bytes;
}

/* The counters of an application's profile type, created on first use (within
 * AB_INGESTER_MAX_TYPES, the last of them "_other", and max_types in all, so that /stats
 * stays bounded). NULL only when out of memory. */
static type_counters *counters_type(ing_counters *c, app_counters *a, const char *type) {
    ab_strmap_entry *e = ab_strmap_find(&a->types, type, strlen(type));
    if (e) return e->val.p;
    if (a->types.len >= AB_INGESTER_MAX_TYPES - 1 || c->type_entries >= c->max_types)
        type = OTHER_TYPE;
    int created;
    e = ab_strmap_upsert(&a->types, type, strlen(type), &created);
    if (!e) return NULL;
    if (created) {
        e->val.p = calloc(1, sizeof(type_counters));
        c->type_entries++;
    }
    return e->val.p;
}

void ing_counters_profile(ing_counters *c, uint64_t request, const char *app, const char *format,
                          const char *type, const ing_counts *n) {
    c->profiles += n->profiles;
    c->samples += n->samples;
    c->value += n->value;
    c->frames += n->frames;
    app_counters *a = counters_app(c, app);
    if (!a) return;
    if (a->last_request != request) {
        a->last_request = request;
        a->requests++;
    }
    a->profiles += n->profiles;
    a->samples += n->samples;
    a->value += n->value;
    a->frames += n->frames;
    ab_strmap_entry *f = ab_strmap_upsert(&a->formats, format, strlen(format), NULL);
    if (f) f->val.u += n->profiles;
    type_counters *t = counters_type(c, a, type);
    if (t) {
        t->profiles += n->profiles;
        t->samples += n->samples;
        t->value += n->value;
    }
}

void ing_counters_decode_error(ing_counters *c, const char *app) {
    c->decode_errors++;
    if (app) {
        app_counters *a = counters_app(c, app);
        if (a) a->decode_errors++;
    }
}

void ing_counters_decoded(ing_counters *c, const ing_decoded *d) {
    c->bytes_decompressed += d->body_bytes;
    c->stacks_cut += d->stacks_cut;
}

static int cmp_keys(const void *a, const void *b) {
    return strcmp((*(const ab_strmap_entry *const *)a)->key,
                  (*(const ab_strmap_entry *const *)b)->key);
}

/* The entries of m sorted by key (malloc'd array of m->len pointers; NULL when empty or
 * out of memory). */
static ab_strmap_entry **sorted(const ab_strmap *m) {
    ab_strmap_entry **v = m->len ? malloc(m->len * sizeof *v) : NULL;
    size_t n = 0;
    if (!v) return NULL;
    ab_strmap_foreach(m, e) v[n++] = e;
    qsort(v, n, sizeof *v, cmp_keys);
    return v;
}

/* One application's figures, its formats sorted into *formats and its types into
 * *types (malloc'd, the caller frees them). 0, or -1 when out of memory. */
static int app_stats(const char *name, const app_counters *a, ab_ingester_app_stats *out,
                     ab_ingester_format_count **formats, ab_ingester_type_stats **types) {
    size_t n = a->formats.len, nt = a->types.len;
    ab_strmap_entry **fs = sorted(&a->formats), **ts = sorted(&a->types);
    *formats = malloc((n ? n : 1) * sizeof **formats);
    *types = malloc((nt ? nt : 1) * sizeof **types);
    if (!*formats || !*types || (n && !fs) || (nt && !ts)) {
        free(fs);
        free(ts);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        (*formats)[i] = (ab_ingester_format_count){.name = fs[i]->key, .profiles = fs[i]->val.u};
    for (size_t i = 0; i < nt; i++) {
        const type_counters *t = ts[i]->val.p;
        ab_ingester_type_stats *o = &(*types)[i];
        snprintf(o->name, sizeof o->name, "%s", ts[i]->key);
        o->profiles = t ? t->profiles : 0;
        o->samples = t ? t->samples : 0;
        o->sample_value = t ? t->value : 0;
    }
    free(fs);
    free(ts);
    *out = (ab_ingester_app_stats){
        .name = name,
        .requests = a->requests,
        .profiles = a->profiles,
        .samples = a->samples,
        .sample_value = a->value,
        .frames = a->frames,
        .bytes = a->bytes,
        .decode_errors = a->decode_errors,
        .formats = *formats,
        .nformats = n,
        .types = *types,
        .ntypes = nt,
    };
    return 0;
}

char *ing_counters_stats_document(const ing_counters *c, const counters_doc_info *info,
                                  size_t *len) {
    const latency_hist *h = &c->latency;
    ab_ingester_stats st = {
        .uptime_s = info->uptime_s,
        .conn_open = c->conn_open,
        .conn_accepted = c->conn_accepted,
        .conn_rejected = c->conn_rejected,
        .conn_timed_out = c->conn_timed_out,
        .req_total = c->req_total,
        .req_2xx = c->req_2xx,
        .req_4xx = c->req_4xx,
        .req_5xx = c->req_5xx,
        .req_reset = c->req_reset,
        .req_dropped = c->req_dropped,
        .bytes_received = c->bytes_received,
        .bytes_decompressed = c->bytes_decompressed,
        .profiles = c->profiles,
        .samples = c->samples,
        .sample_value = c->value,
        .frames = c->frames,
        .decode_errors = c->decode_errors,
        .lat_p50 = ing_latency_quantile_ms(h, 0.50),
        .lat_p90 = ing_latency_quantile_ms(h, 0.90),
        .lat_p99 = ing_latency_quantile_ms(h, 0.99),
        .lat_max = (double)h->max_ns / 1e6,
        .store_apps = info->store_apps,
        .store_stacks = info->store_stacks,
        .store_bytes = info->store_bytes,
        .store_stacks_cut = c->stacks_cut,
        .apps_omitted = !info->with_apps,
    };
    snprintf(st.mode, sizeof st.mode, "%s", info->mode);
    snprintf(st.listen, sizeof st.listen, "%s", info->listen);
    if (!info->with_apps) return ab_ingester_stats_write(&st, len);

    size_t n = c->apps.len, done = 0;
    ab_strmap_entry **as = sorted(&c->apps);
    ab_ingester_app_stats *apps = calloc(n ? n : 1, sizeof *apps);
    ab_ingester_format_count **formats = calloc(n ? n : 1, sizeof *formats);
    ab_ingester_type_stats **types = calloc(n ? n : 1, sizeof *types);
    char *text = NULL;
    if (apps && formats && types && (as || !n)) {
        while (done < n && app_stats(as[done]->key, as[done]->val.p, &apps[done], &formats[done],
                                     &types[done]) == 0)
            done++;
        st.apps = apps;
        st.napps = n;
        if (done == n) text = ab_ingester_stats_write(&st, len);
    }
    for (size_t i = 0; formats && i <= done && i < n; i++) free(formats[i]);
    for (size_t i = 0; types && i <= done && i < n; i++) free(types[i]);
    free(formats);
    free(types);
    free(apps);
    free(as);
    return text;
}
