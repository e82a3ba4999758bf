/* datadog.c: POST /profiling/v1/input, Datadog's profile intake as its agent serves it to
 * the tracers (dd-trace-js 5.x: packages/dd-trace/src/profiling/exporters/agent.js; what
 * it sent here was captured and is what qa/unit/ingester/test_decode_datadog.c rebuilds).
 * The body is multipart/form-data:
 *   - part "event" (filename event.json): a JSON object, the upload's metadata:
 *     "attachments" (the file names of the profile parts), "tags_profiler" ("k:v,k:v,...",
 *     with "service:NAME"), "start", "end", "family", "version" "4", "info", ...;
 *   - one part per profile type, named as its file ("wall.pprof", "space.pprof",
 *     "events.pprof"...): a pprof profile, gzipped (dd-trace's default on Node < 24) or raw.
 * Every profile is a pprof Profile, decoded and validated like /ingest's; the upload is
 * all or nothing (each part decoded before any is reported), and its service is the
 * "service" tag of tags_profiler ("unknown" without one). The profiles are the parts the
 * event lists in "attachments" (each must be there), or, without that list, every part
 * whose name ends in ".pprof". zstd-compressed parts (dd-trace's default from Node 24)
 * are refused with a clear message: this build has no zstd decoder.
 * Errors are the intake's: a body that is not such an upload, or a profile that does
 * not decode, is 400 Bad Request; profiles inflating past the cap 413. */
#include "decode_internal.h"
#include "multipart.h"

#include <jansson.h>
#include <string.h>

#define DD_MAX_PROFILES 16
#define DD_FORMAT       "datadog"

/* The value of key in a "k:v,k:v" tag list, into out ("" when absent). */
static void tag_value(const char *tags, const char *key, char *out, size_t outlen) {
    size_t klen = strlen(key);
    out[0] = '\0';
    for (const char *p = tags; p && *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n && *p == ' ') p++, n--;
        if (n > klen && strncmp(p, key, klen) == 0 && p[klen] == ':') {
            size_t vlen = n - klen - 1;
            if (vlen >= outlen) vlen = outlen - 1;
            memcpy(out, p + klen + 1, vlen);
            out[vlen] = '\0';
            return;
        }
        p = end ? end + 1 : NULL;
    }
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static bool is_zstd(const uint8_t *b, size_t len) {
    return len >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd;
}

/* The event part: the service (validated like an application name) and the profile
 * parts it lists, as indexes into parts. */
static int read_event(const ing_part *event, const ing_part *parts, size_t nparts, char *service,
                      size_t servicelen, size_t *profile_idx, size_t *nprofiles, ing_error *err) {
    json_error_t jerr;
    json_t *ev = json_loadb((const char *)event->data, event->len, 0, &jerr);
    int rc = 0;
    if (!json_is_object(ev)) {
        rc = ing_fail(err, 400, "datadog: the event part is not a JSON object%s%.100s",
                      ev ? "" : ": ", ev ? "" : jerr.text);
        goto out;
    }
    json_t *tags = json_object_get(ev, "tags_profiler");
    char name[ING_MAX_APP_NAME + 2] = ""; /* one byte more: a longer tag is refused, not cut */
    if (tags && !json_is_string(tags)) {
        rc = ing_fail(err, 400, "datadog: event.tags_profiler is not a string");
        goto out;
    }
    if (tags) tag_value(json_string_value(tags), "service", name, sizeof(name));
    if (ing_parse_app_name(name[0] ? name : "unknown", service, servicelen, err) < 0) {
        char why[sizeof(err->msg)];
        memcpy(why, err->msg, sizeof(why));
        rc = ing_fail(err, 400, "datadog: service tag: %.200s", why);
        goto out;
    }
    json_t *att = json_object_get(ev, "attachments");
    *nprofiles = 0;
    if (att) {
        if (!json_is_array(att)) {
            rc = ing_fail(err, 400, "datadog: event.attachments is not an array");
            goto out;
        }
        size_t i;
        json_t *a;
        json_array_foreach(att, i, a) {
            const char *file = json_string_value(a);
            const ing_part *p = file ? ing_multipart_find(parts, nparts, file) : NULL;
            if (!file || !*file) {
                rc = ing_fail(err, 400, "datadog: event.attachments[%zu] is not a file name", i);
                goto out;
            }
            if (!p) {
                rc = ing_fail(err, 400,
                              "datadog: attachment \"%.64s\" listed in the event is missing", file);
                goto out;
            }
            if (*nprofiles == DD_MAX_PROFILES) {
                rc = ing_fail(err, 400, "datadog: more than %d attachments", DD_MAX_PROFILES);
                goto out;
            }
            profile_idx[(*nprofiles)++] = (size_t)(p - parts);
        }
    } else {
        for (size_t i = 0; i < nparts && *nprofiles < DD_MAX_PROFILES; i++)
            if (ends_with(parts[i].name, ".pprof")) profile_idx[(*nprofiles)++] = i;
    }
    if (*nprofiles == 0) rc = ing_fail(err, 400, "datadog: the upload has no profile");
out:
    json_decref(ev);
    return rc;
}

int ing_decode_datadog(const char *content_type, const uint8_t *body, size_t len,
                       const ing_limits *lim, const ing_sink *sink, ing_decoded *out,
                       ing_error *err) {
    ing_error unused;
    if (err == NULL) err = &unused;
    static const uint8_t empty[1];
    if (body == NULL) body = empty, len = 0;
    if (!ing_content_type_is(content_type, "multipart/form-data"))
        return ing_fail(err, 400, "datadog: the intake takes multipart/form-data, not \"%.64s\"",
                        content_type ? content_type : "");
    ing_part parts[ING_MULTIPART_MAX_PARTS];
    size_t nparts;
    if (ing_multipart_parse(content_type, body, len, parts, ING_MULTIPART_MAX_PARTS, &nparts, err) <
        0) {
        err->status = 400;
        return -1;
    }
    const ing_part *event = ing_multipart_find(parts, nparts, "event");
    if (event == NULL)
        return ing_fail(err, 400, "datadog: no \"event\" part (the upload's JSON metadata)");
    char service[256];
    size_t idx[DD_MAX_PROFILES], n = 0;
    if (read_event(event, parts, nparts, service, sizeof(service), idx, &n, err) < 0) return -1;

    /* Every profile decoded (counting only) before any is reported, under one budget for
     * the whole upload (memory held, inflation: --max-decompressed); then, for --store,
     * decoded again into the sink under a fresh one (it passed once, so it passes again). */
    ing_budget budget;
    ing_budget_init(&budget, lim);
    ing_counts counts[DD_MAX_PROFILES];
    char types[DD_MAX_PROFILES][ING_TYPE_SIZE];
    for (size_t i = 0; i < n; i++) {
        const ing_part *p = &parts[idx[i]];
        if (is_zstd(p->data, p->len))
            return ing_fail(err, 400,
                            "datadog: %s is zstd-compressed, which this ingester does not "
                            "decode (dd-trace: DD_PROFILING_DEBUG_UPLOAD_COMPRESSION=gzip)",
                            p->name);
        ing_target t = {
            .app = service, .type = types[i], .lim = lim, .sink = NULL, .budget = &budget};
        counts[i] = (ing_counts){.profiles = 1};
        if (ing_decode_pprof(&t, p->data, p->len, &counts[i], err) < 0) {
            char why[sizeof(err->msg)];
            memcpy(why, err->msg, sizeof(why));
            return ing_fail(err, err->status == 413 ? 413 : 400, "datadog: %s: %.200s", p->name,
                            why);
        }
    }
    uint64_t stacks_cut = 0;
    if (sink && sink->stack) {
        ing_budget_init(&budget, lim);
        for (size_t i = 0; i < n; i++) {
            ing_counts ignored = {0};
            ing_target t = {
                .app = service, .type = types[i], .lim = lim, .sink = sink, .budget = &budget};
            ing_decode_pprof(&t, parts[idx[i]].data, parts[idx[i]].len, &ignored, err);
        }
        stacks_cut = budget.stacks_cut;
    }
    if (sink && sink->profile)
        for (size_t i = 0; i < n; i++)
            sink->profile(sink->arg, service, DD_FORMAT, types[i], &counts[i]);
    if (out)
        *out = (ing_decoded){.body_bytes = len, /* as /ingest's multipart: the parts are
                                                 * compressed, the body is not */
                             .stacks_cut = stacks_cut};
    return 0;
}
