/* push.c: POST /push.v1.PusherService/Push (Connect unary). The body is a
 * push.v1.PushRequest, binary (application/proto) or protojson (application/json:
 * camelCase or original field names, bytes in standard or URL-safe base64), gzipped or
 * not. Every series' samples are pprof profiles (usually gzipped). The request is all or
 * nothing: every profile is decoded and validated before any is reported. Errors follow
 * Connect and Pyroscope's distributor: a malformed request or profile, an application
 * name (service_name, else __name__) that /ingest's name parameter would refuse, or a
 * request without any profile, is invalid_argument (HTTP 400); a request whose decoding
 * needs more than its budget 413; another media type 415.
 *
 * One budget (decode_internal.h) bounds everything the request holds at once: the
 * inflated body, protobuf-c's tree of it (or jansson's, through allocation functions
 * that count while a JSON body is parsed), decoded base64, each profile inflated and
 * decoded. With a stack sink, each profile stays inflated after the counting pass, so
 * that the stack pass replays it without inflating it again. */
#include "decode_internal.h"
#include "pprof_arena.h"
#include "proto/push.pb-c.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* One profile of the request, wherever it came from. */
typedef struct push_item {
    const char *app;
    const uint8_t *data;
    size_t len;
    ing_buf plain; /* data inflated, when it was gzipped and stacks are wanted */
    ing_counts counts;
    char type[ING_TYPE_SIZE]; /* its profile type (decode.h) */
} push_item;

typedef struct push_list {
    push_item *items;
    size_t n, cap;
    ing_budget *budget;
} push_list;

static int push_add(push_list *l, const char *app, const uint8_t *data, size_t len) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        push_item *p = ing_budget_realloc(l->budget, l->items, l->cap * sizeof(*p),
                                          cap * sizeof(*p));
        if (p == NULL) return -1;
        l->items = p;
        l->cap = cap;
    }
    l->items[l->n++] = (push_item){.app = app, .data = data, .len = len};
    return 0;
}

static void push_list_free(push_list *l) {
    for (size_t i = 0; i < l->n; i++) ing_buf_free(&l->items[i].plain);
    ing_budget_free(l->budget, l->items, l->cap * sizeof(*l->items));
}

/* Decode every profile (counting only), then report them all: stacks (decoded again
 * from the inflated copies kept for that, only when the sink wants them) and one
 * profile callback each. */
static int push_decode_all(push_list *l, const ing_limits *lim, const ing_sink *sink,
                           ing_error *err) {
    bool stacks = sink && sink->stack;
    if (l->n == 0) return ing_fail(err, 400, "push: no profiles received");
    for (size_t i = 0; i < l->n; i++) {
        push_item *it = &l->items[i];
        ing_target t = {
            .app = it->app, .type = it->type, .lim = lim, .sink = NULL, .budget = l->budget};
        it->counts = (ing_counts){.profiles = 1};
        int rc;
        if (stacks && ing_is_gzip(it->data, it->len)) {
            it->plain.budget = l->budget;
            rc = ing_inflate(&t, it->data, it->len, &it->plain, err);
            if (rc == 0) {
                it->data = (const uint8_t *)it->plain.data;
                it->len = it->plain.len;
                rc = ing_decode_pprof(&t, it->data, it->len, &it->counts, err);
            }
        } else {
            rc = ing_decode_pprof(&t, it->data, it->len, &it->counts, err);
        }
        if (rc < 0) {
            char why[sizeof(err->msg)];
            memcpy(why, err->msg, sizeof(why));
            return ing_fail(err, err->status == 413 ? 413 : 400, "profile %zu (%s): %.200s", i + 1,
                            it->app, why);
        }
    }
    if (stacks) {
        for (size_t i = 0; i < l->n; i++) {
            ing_counts ignored = {0};
            ing_target t = {.app = l->items[i].app,
                            .type = l->items[i].type,
                            .lim = lim,
                            .sink = sink,
                            .budget = l->budget};
            ing_decode_pprof(&t, l->items[i].data, l->items[i].len, &ignored, err);
        }
    }
    if (sink && sink->profile)
        for (size_t i = 0; i < l->n; i++)
            sink->profile(sink->arg, l->items[i].app, "pprof", l->items[i].type,
                          &l->items[i].counts);
    return 0;
}

/* The application of a series: service_name, else __name__, else "unknown"; 400 when
 * the one chosen is not an application name /ingest would take. */
static int series_app(const char *service_name, size_t service_len, const char *name,
                      size_t name_len, size_t si, const char **app, ing_error *err) {
    const char *what = "service_name";
    *app = "unknown";
    if (service_name && service_len) {
        *app = service_name;
    } else if (name && name_len) {
        *app = name, service_len = name_len;
        what = "__name__";
    } else {
        return 0;
    }
    char label[64];
    snprintf(label, sizeof(label), "%s of series %zu", what, si);
    if (strlen(*app) != service_len)
        return ing_fail(err, 400, "push: %s contains a NUL byte", label);
    if (ing_check_app_name(*app, service_len, label, err) < 0) {
        char why[sizeof(err->msg)];
        memcpy(why, err->msg, sizeof(why));
        return ing_fail(err, 400, "push: %.240s", why);
    }
    return 0;
}

static int push_proto(const uint8_t *body, size_t len, const ing_limits *lim, const ing_sink *sink,
                      ing_budget *budget, ing_error *err) {
    ing_arena arena;
    ing_arena_init(&arena);
    ing_arena_set_budget(&arena, budget);
    Push__V1__PushRequest *req = push__v1__push_request__unpack(&arena.alloc, len, body);
    if (req == NULL) {
        ing_arena_free(&arena);
        if (budget->refused) return ing_budget_fail(budget, err, "push");
        return ing_fail(err, 400, "push: not a valid protobuf push.v1.PushRequest message");
    }
    push_list l = {.budget = budget};
    int rc = 0;
    for (size_t i = 0; i < req->n_series && rc == 0; i++) {
        const Push__V1__RawProfileSeries *s = req->series[i];
        const char *service = NULL, *name = NULL, *app;
        for (size_t j = 0; j < s->n_labels; j++) {
            if (strcmp(s->labels[j]->name, "service_name") == 0) service = s->labels[j]->value;
            else if (strcmp(s->labels[j]->name, "__name__") == 0) name = s->labels[j]->value;
        }
        rc = series_app(service, service ? strlen(service) : 0, name, name ? strlen(name) : 0, i,
                        &app, err);
        for (size_t j = 0; j < s->n_samples && rc == 0; j++)
            if (push_add(&l, app, s->samples[j]->raw_profile.data, s->samples[j]->raw_profile.len) <
                0)
                rc = ing_budget_fail(budget, err, "push");
    }
    if (rc == 0) rc = push_decode_all(&l, lim, sink, err);
    push_list_free(&l);
    ing_arena_free(&arena);
    return rc;
}

/* --- protojson ---------------------------------------------------------------------- */

/* While a JSON body is parsed and used, jansson allocates through these, which hold
 * every byte (and a 16-byte header recording it) against the request's budget. They are
 * installed around that stretch only, and everything allocated in it is freed in it. */
static ing_budget *json_budget;

static void *json_budget_malloc(size_t n) {
    size_t total = n + 16;
    if (total < n || ing_budget_take(json_budget, total) < 0) return NULL;
    size_t *p = malloc(total);
    if (p == NULL) {
        ing_budget_give(json_budget, total);
        return NULL;
    }
    p[0] = total;
    return (char *)p + 16;
}

static void json_budget_free(void *q) {
    if (q == NULL) return;
    size_t *p = (size_t *)((char *)q - 16);
    ing_budget_give(json_budget, p[0]);
    free(p);
}

/* protojson accepts the lowerCamelCase JSON name and the original field name. */
static json_t *field(json_t *obj, const char *json_name, const char *proto_name) {
    json_t *v = json_object_get(obj, json_name);
    if (v == NULL && proto_name) v = json_object_get(obj, proto_name);
    return json_is_null(v) ? NULL : v;
}

static int json_series_labels(json_t *labels, json_t **service, json_t **name, size_t si,
                              ing_error *err) {
    size_t k;
    json_t *lab;
    if (labels == NULL) return 0;
    if (!json_is_array(labels))
        return ing_fail(err, 400, "push: series %zu: labels is not an array", si);
    json_array_foreach(labels, k, lab) {
        json_t *n = field(lab, "name", NULL), *v = field(lab, "value", NULL);
        if (!json_is_object(lab) || (n && !json_is_string(n)) || (v && !json_is_string(v)))
            return ing_fail(err, 400, "push: series %zu: label %zu is not {name, value} strings",
                            si, k);
        const char *ns = n ? json_string_value(n) : "";
        if (strcmp(ns, "service_name") == 0) *service = v;
        else if (strcmp(ns, "__name__") == 0) *name = v;
    }
    return 0;
}

/* Every series' samples into l, their base64 decoded into budgeted copies (decoded). */
static int json_series(json_t *series, push_list *l, ing_buf **decoded, size_t *ndecoded,
                       ing_error *err) {
    ing_budget *budget = l->budget;
    size_t si;
    json_t *s;
    json_array_foreach(series, si, s) {
        json_t *service = NULL, *name = NULL;
        const char *app;
        if (!json_is_object(s)) return ing_fail(err, 400, "push: series %zu is not an object", si);
        if (json_series_labels(field(s, "labels", NULL), &service, &name, si, err) < 0 ||
            series_app(json_string_value(service), json_string_length(service),
                       json_string_value(name), json_string_length(name), si, &app, err) < 0)
            return -1;
        json_t *samples = field(s, "samples", NULL);
        if (samples == NULL) continue;
        if (!json_is_array(samples))
            return ing_fail(err, 400, "push: series %zu: samples is not an array", si);
        size_t k;
        json_t *smp;
        json_array_foreach(samples, k, smp) {
            json_t *raw = json_is_object(smp) ? field(smp, "rawProfile", "raw_profile") : NULL;
            if (!json_is_object(smp) || (raw && !json_is_string(raw)))
                return ing_fail(err, 400,
                                "push: series %zu sample %zu: rawProfile is not a base64 string",
                                si, k);
            const char *b64 = raw ? json_string_value(raw) : "";
            size_t b64len = raw ? json_string_length(raw) : 0;
            size_t outlen = b64len / 4 * 3 + 3;
            ing_buf *d = ing_budget_realloc(budget, *decoded, *ndecoded * sizeof(*d),
                                            (*ndecoded + 1) * sizeof(*d));
            if (d == NULL) return ing_budget_fail(budget, err, "push");
            *decoded = d;
            ing_buf *copy = &d[(*ndecoded)++];
            *copy = (ing_buf){.budget = budget};
            if (ing_buf_reserve_exact(copy, outlen) < 0)
                return ing_budget_fail(budget, err, "push");
            uint8_t *bytes = (uint8_t *)copy->data;
            if (ing_base64_decode(b64, b64len, bytes, &outlen) < 0)
                return ing_fail(
                    err, 400, "push: series %zu sample %zu: rawProfile is not valid base64", si, k);
            if (push_add(l, app, bytes, outlen) < 0) return ing_budget_fail(budget, err, "push");
        }
    }
    return 0;
}

static int push_json(const uint8_t *body, size_t len, const ing_limits *lim, const ing_sink *sink,
                     ing_budget *budget, ing_error *err) {
    json_malloc_t saved_malloc;
    json_free_t saved_free;
    json_get_alloc_funcs(&saved_malloc, &saved_free);
    json_budget = budget;
    json_set_alloc_funcs(json_budget_malloc, json_budget_free);

    json_error_t jerr;
    json_t *root = json_loadb((const char *)body, len, 0, &jerr);
    push_list l = {.budget = budget};
    ing_buf *decoded = NULL;
    size_t ndecoded = 0;
    int rc = 0;
    json_t *series = json_is_object(root) ? field(root, "series", NULL) : NULL;
    if (root == NULL && budget->refused) rc = ing_budget_fail(budget, err, "push");
    else if (root == NULL)
        rc = ing_fail(err, 400, "push: invalid JSON at line %d: %.100s", jerr.line, jerr.text);
    else if (!json_is_object(root))
        rc = ing_fail(err, 400, "push: the request is not a JSON object");
    else if (series && !json_is_array(series))
        rc = ing_fail(err, 400, "push: series is not an array");
    if (rc == 0 && series) rc = json_series(series, &l, &decoded, &ndecoded, err);
    if (rc == 0) rc = push_decode_all(&l, lim, sink, err);
    for (size_t i = 0; i < ndecoded; i++) ing_buf_free(&decoded[i]);
    ing_budget_free(budget, decoded, ndecoded * sizeof(*decoded));
    push_list_free(&l);
    json_decref(root);

    json_set_alloc_funcs(saved_malloc, saved_free);
    json_budget = NULL;
    return rc;
}

int ing_decode_push(const char *content_type, const uint8_t *body, size_t len,
                    const ing_limits *lim, const ing_sink *sink, ing_decoded *out, ing_error *err) {
    ing_error unused;
    if (err == NULL) err = &unused;
    bool proto = ing_content_type_is(content_type, "application/proto") ||
                 ing_content_type_is(content_type, "application/x-protobuf") ||
                 ing_content_type_is(content_type, "application/protobuf");
    bool json = ing_content_type_is(content_type, "application/json");
    if (!proto && !json)
        return ing_fail(
            err, 415,
            "push: unsupported Content-Type \"%.64s\" (want application/proto or application/json)",
            content_type ? content_type : "");
    static const uint8_t empty[1];
    if (body == NULL) body = empty, len = 0;
    /* A compressed request body (Content-Encoding: gzip): neither a protobuf message
     * nor JSON can start with the gzip magic bytes. */
    ing_budget budget;
    ing_budget_init(&budget, lim);
    ing_buf plain = {.budget = &budget};
    if (ing_is_gzip(body, len)) {
        ing_target t = {.lim = lim, .budget = &budget};
        if (ing_inflate(&t, body, len, &plain, err) < 0) {
            ing_buf_free(&plain);
            if (err->status == 422) err->status = 400;
            return -1;
        }
        body = (const uint8_t *)(plain.data ? plain.data : (const char *)empty);
        len = plain.len;
    }
    int rc = proto ? push_proto(body, len, lim, sink, &budget, err)
                   : push_json(body, len, lim, sink, &budget, err);
    ing_buf_free(&plain);
    if (rc == 0 && out) *out = (ing_decoded){.body_bytes = len, .stacks_cut = budget.stacks_cut};
    return rc;
}
