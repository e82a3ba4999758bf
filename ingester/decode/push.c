/* push.c: POST /push.v1.PusherService/Push (Connect unary). The body is a
 * push.v1.PushRequest, binary (application/proto) or protojson (application/json:
 * camelCase or original field names, bytes in standard or URL-safe base64), gzipped or
 * not. Every series' samples are pprof profiles (usually gzipped). The request is all or
 * nothing: every profile is decoded and validated before any is reported. Errors follow
 * Connect and Pyroscope's distributor: a malformed request or profile, or a request
 * without any profile, is invalid_argument (HTTP 400); profiles inflating past the limit
 * 413; another media type 415. */
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
    ing_counts counts;
} push_item;

typedef struct push_list {
    push_item *items;
    size_t n, cap;
} push_list;

static int push_add(push_list *l, const char *app, const uint8_t *data, size_t len)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        push_item *p = realloc(l->items, cap * sizeof(*p));
        if (p == NULL)
            return -1;
        l->items = p;
        l->cap = cap;
    }
    l->items[l->n++] = (push_item){.app = app, .data = data, .len = len};
    return 0;
}

/* Decode every profile (counting only), then report them all: stacks (decoded again
 * only when the sink wants them) and one profile callback each. */
static int push_decode_all(push_list *l, const ing_limits *lim, const ing_sink *sink,
                           ing_error *err)
{
    size_t cap = lim && lim->max_decompressed ? lim->max_decompressed : ING_DEFAULT_MAX_DECOMPRESSED;
    size_t budget = cap;
    if (l->n == 0)
        return ing_fail(err, 400, "push: no profiles received");
    for (size_t i = 0; i < l->n; i++) {
        push_item *it = &l->items[i];
        ing_target t = {.app = it->app, .lim = lim, .sink = NULL, .budget = &budget};
        it->counts = (ing_counts){.profiles = 1};
        if (ing_decode_pprof(&t, it->data, it->len, &it->counts, err) < 0) {
            char why[sizeof(err->msg)];
            memcpy(why, err->msg, sizeof(why));
            return ing_fail(err, err->status == 413 ? 413 : 400, "profile %zu (%s): %.200s",
                            i + 1, it->app, why);
        }
    }
    if (sink && sink->stack) {
        budget = cap;
        for (size_t i = 0; i < l->n; i++) {
            ing_counts ignored = {0};
            ing_target t = {.app = l->items[i].app, .lim = lim, .sink = sink, .budget = &budget};
            ing_decode_pprof(&t, l->items[i].data, l->items[i].len, &ignored, err);
        }
    }
    if (sink && sink->profile)
        for (size_t i = 0; i < l->n; i++)
            sink->profile(sink->arg, l->items[i].app, "pprof", &l->items[i].counts);
    return 0;
}

/* The application of a series: service_name, else __name__, else "unknown". */
static const char *series_app(const char *service_name, const char *name)
{
    if (service_name && *service_name)
        return service_name;
    if (name && *name)
        return name;
    return "unknown";
}

static int push_proto(const uint8_t *body, size_t len, const ing_limits *lim,
                      const ing_sink *sink, ing_error *err)
{
    ing_arena arena;
    ing_arena_init(&arena);
    Push__V1__PushRequest *req = push__v1__push_request__unpack(&arena.alloc, len, body);
    if (req == NULL) {
        ing_arena_free(&arena);
        return ing_fail(err, 400, "push: not a valid protobuf push.v1.PushRequest message");
    }
    push_list l = {0};
    int rc = 0;
    for (size_t i = 0; i < req->n_series && rc == 0; i++) {
        const Push__V1__RawProfileSeries *s = req->series[i];
        const char *service = NULL, *name = NULL;
        for (size_t j = 0; j < s->n_labels; j++) {
            if (strcmp(s->labels[j]->name, "service_name") == 0)
                service = s->labels[j]->value;
            else if (strcmp(s->labels[j]->name, "__name__") == 0)
                name = s->labels[j]->value;
        }
        const char *app = series_app(service, name);
        for (size_t j = 0; j < s->n_samples && rc == 0; j++)
            if (push_add(&l, app, s->samples[j]->raw_profile.data, s->samples[j]->raw_profile.len) < 0)
                rc = ing_fail(err, 413, "push: out of memory");
    }
    if (rc == 0)
        rc = push_decode_all(&l, lim, sink, err);
    free(l.items);
    ing_arena_free(&arena);
    return rc;
}

/* protojson accepts the lowerCamelCase JSON name and the original field name. */
static json_t *field(json_t *obj, const char *json_name, const char *proto_name)
{
    json_t *v = json_object_get(obj, json_name);
    if (v == NULL && proto_name)
        v = json_object_get(obj, proto_name);
    return json_is_null(v) ? NULL : v;
}

static int json_series_labels(json_t *labels, const char **service, const char **name,
                              size_t si, ing_error *err)
{
    size_t k;
    json_t *lab;
    if (labels == NULL)
        return 0;
    if (!json_is_array(labels))
        return ing_fail(err, 400, "push: series %zu: labels is not an array", si);
    json_array_foreach(labels, k, lab) {
        json_t *n = field(lab, "name", NULL), *v = field(lab, "value", NULL);
        if (!json_is_object(lab) || (n && !json_is_string(n)) || (v && !json_is_string(v)))
            return ing_fail(err, 400, "push: series %zu: label %zu is not {name, value} strings", si, k);
        const char *ns = n ? json_string_value(n) : "", *vs = v ? json_string_value(v) : "";
        if (strcmp(ns, "service_name") == 0)
            *service = vs;
        else if (strcmp(ns, "__name__") == 0)
            *name = vs;
    }
    return 0;
}

static int push_json(const uint8_t *body, size_t len, const ing_limits *lim,
                     const ing_sink *sink, ing_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb((const char *)body, len, 0, &jerr);
    if (root == NULL)
        return ing_fail(err, 400, "push: invalid JSON at line %d: %.100s", jerr.line, jerr.text);
    push_list l = {0};
    uint8_t **decoded = NULL;
    size_t ndecoded = 0;
    int rc = 0;
    json_t *series = json_is_object(root) ? field(root, "series", NULL) : NULL;
    if (!json_is_object(root))
        rc = ing_fail(err, 400, "push: the request is not a JSON object");
    else if (series && !json_is_array(series))
        rc = ing_fail(err, 400, "push: series is not an array");
    size_t si;
    json_t *s;
    if (rc == 0 && series) {
        json_array_foreach(series, si, s) {
            const char *service = NULL, *name = NULL;
            if (!json_is_object(s)) {
                rc = ing_fail(err, 400, "push: series %zu is not an object", si);
                break;
            }
            if ((rc = json_series_labels(field(s, "labels", NULL), &service, &name, si, err)) < 0)
                break;
            const char *app = series_app(service, name);
            json_t *samples = field(s, "samples", NULL);
            if (samples == NULL)
                continue;
            if (!json_is_array(samples)) {
                rc = ing_fail(err, 400, "push: series %zu: samples is not an array", si);
                break;
            }
            size_t k;
            json_t *smp;
            json_array_foreach(samples, k, smp) {
                json_t *raw = json_is_object(smp) ? field(smp, "rawProfile", "raw_profile") : NULL;
                if (!json_is_object(smp) || (raw && !json_is_string(raw))) {
                    rc = ing_fail(err, 400, "push: series %zu sample %zu: rawProfile is not a base64 string", si, k);
                    break;
                }
                const char *b64 = raw ? json_string_value(raw) : "";
                size_t b64len = raw ? json_string_length(raw) : 0;
                size_t outlen = b64len / 4 * 3 + 3;
                uint8_t *bytes = malloc(outlen);
                uint8_t **d = realloc(decoded, (ndecoded + 1) * sizeof(*d));
                if (bytes == NULL || d == NULL) {
                    free(bytes);
                    if (d)
                        decoded = d;
                    rc = ing_fail(err, 413, "push: out of memory");
                    break;
                }
                decoded = d;
                decoded[ndecoded++] = bytes;
                if (ing_base64_decode(b64, b64len, bytes, &outlen) < 0) {
                    rc = ing_fail(err, 400, "push: series %zu sample %zu: rawProfile is not valid base64", si, k);
                    break;
                }
                if (push_add(&l, app, bytes, outlen) < 0) {
                    rc = ing_fail(err, 413, "push: out of memory");
                    break;
                }
            }
            if (rc < 0)
                break;
        }
    }
    if (rc == 0)
        rc = push_decode_all(&l, lim, sink, err);
    for (size_t i = 0; i < ndecoded; i++)
        free(decoded[i]);
    free(decoded);
    free(l.items);
    json_decref(root);
    return rc;
}

int ing_decode_push(const char *content_type, const uint8_t *body, size_t len,
                    const ing_limits *lim, const ing_sink *sink, ing_decoded *out,
                    ing_error *err)
{
    ing_error unused;
    if (err == NULL)
        err = &unused;
    bool proto = ing_content_type_is(content_type, "application/proto") ||
                 ing_content_type_is(content_type, "application/x-protobuf") ||
                 ing_content_type_is(content_type, "application/protobuf");
    bool json = ing_content_type_is(content_type, "application/json");
    if (!proto && !json)
        return ing_fail(err, 415, "push: unsupported Content-Type \"%.64s\" (want application/proto or application/json)",
                        content_type ? content_type : "");
    static const uint8_t empty[1];
    if (body == NULL)
        body = empty, len = 0;
    /* A compressed request body (Content-Encoding: gzip): neither a protobuf message
     * nor JSON can start with the gzip magic bytes. */
    ing_buf plain = {0};
    if (ing_is_gzip(body, len)) {
        size_t cap = lim && lim->max_decompressed ? lim->max_decompressed : ING_DEFAULT_MAX_DECOMPRESSED;
        if (ing_gunzip(body, len, cap, &plain, err) < 0) {
            ing_buf_free(&plain);
            if (err->status == 422)
                err->status = 400;
            return -1;
        }
        body = (const uint8_t *)(plain.data ? plain.data : (const char *)empty);
        len = plain.len;
    }
    int rc = proto ? push_proto(body, len, lim, sink, err) : push_json(body, len, lim, sink, err);
    ing_buf_free(&plain);
    if (rc == 0 && out)
        *out = (ing_decoded){.body_bytes = len};
    return rc;
}
