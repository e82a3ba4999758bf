/* test_decode_datadog.c: unit tests of POST /profiling/v1/input bodies (decode/datadog.c):
 * uploads built as dd-trace-js 5.132 sends them (captured on the build VM: boundary,
 * part headers with filename and Content-Type, an event.json part, gzipped space.pprof,
 * wall.pprof and events.pprof parts), with real pprof profiles encoded by protobuf-c, and
 * bad uploads: each refused with the intake's status and nothing reported. */
#include "decode_testlib.h"

#define BOUNDARY "3f5043553a65398e"
static const char *ct = "multipart/form-data; boundary=" BOUNDARY;

typedef struct body {
    char *data;
    size_t len, cap;
} body;

static void put(body *b, const void *p, size_t n) {
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->data = realloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void put_str(body *b, const char *s) {
    put(b, s, strlen(s));
}

/* One part as dd-trace's form-data writer makes it. */
static void part(body *b, const char *name, const char *type, const void *data, size_t len) {
    char head[512];
    snprintf(head, sizeof(head),
             "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"%s\"; "
             "filename=\"%s\"\r\nContent-Type: %s\r\n\r\n",
             name, name, type);
    put_str(b, head);
    put(b, data, len);
    put_str(b, "\r\n");
}

static void event(body *b, const char *json) {
    part(b, "event", "application/json", json, strlen(json));
}

static void end(body *b) {
    put_str(b, "--" BOUNDARY "--\r\n");
}

static const char *event_json =
    "{\"attachments\":[\"space.pprof\",\"wall.pprof\"],\"start\":\"2026-12-01T09:53:46.355Z\","
    "\"end\":\"2026-12-01T09:53:47.378Z\",\"family\":\"node\",\"version\":\"4\","
    "\"tags_profiler\":\"language:javascript,runtime:nodejs,process_id:9986,"
    "profiler_version:5.132.0,format:pprof,version:1.0.0,service:fibonacci-nodejs-cpu,"
    "runtime-id:9052a836,snapshot:periodic,profile_seq:0\",\"endpoint_counts\":{},"
    "\"info\":{\"application\":{\"service\":\"fibonacci-nodejs-cpu\"}}}";

/* An upload with the standard profile as space.pprof (gzipped) and wall.pprof (raw). */
static body upload(const char *ev, bool with_wall) {
    body b = {0};
    size_t rawlen, gzlen;
    uint8_t *raw = tp_standard(&rawlen);
    uint8_t *gz = t_gzip(raw, rawlen, &gzlen);
    event(&b, ev);
    part(&b, "space.pprof", "application/octet-stream", gz, gzlen);
    if (with_wall) part(&b, "wall.pprof", "application/octet-stream", raw, rawlen);
    end(&b);
    free(raw);
    free(gz);
    return b;
}

static int decode(const body *b, const char *type, const ing_limits *lim, rec *r, ing_error *err) {
    ing_sink sink = rec_sink(r);
    memset(err, 0, sizeof(*err));
    return ing_decode_datadog(type, (const uint8_t *)b->data, b->len, lim, &sink, &r->decoded, err);
}

static void test_upload(void) {
    body b = upload(event_json, true);
    rec r;
    ing_error err;
    int rc = decode(&b, ct, &t_limits, &r, &err);
    CHECK(rc == 0, "datadog: dd-trace's upload accepted (%s)", err.msg);
    CHECK(r.profiles_called == 2 && r.sum.profiles == 2, "datadog: one profile per attachment (%d)",
          r.profiles_called);
    CHECK(r.sum.samples == 4 && r.sum.frames == 14 && r.sum.value == 30,
          "datadog: samples, frames, value of both pprof parts (%" PRIu64 " %" PRIu64 " %" PRIu64
          ")",
          r.sum.samples, r.sum.frames, r.sum.value);
    CHECK(strcmp(r.app, "fibonacci-nodejs-cpu") == 0 && strcmp(r.format, "datadog") == 0,
          "datadog: service from tags_profiler, format datadog (%s, %s)", r.app, r.format);
    CHECK(r.stack_calls == 4 &&
              strncmp(r.stacks, "fibonacci-nodejs-cpu|main;foo;inl;bar 10\n", 41) == 0,
          "datadog: stacks reach the sink under the service");
    CHECK(r.decoded.body_bytes == b.len, "datadog: body bytes are the body's");
    rc = decode(&b, "multipart/form-data; boundary=\"" BOUNDARY "\"", &t_limits, &r, &err);
    CHECK(rc == 0 && r.sum.profiles == 2, "datadog: quoted boundary");
    free(b.data);

    /* the Node 20 default: events.pprof too, all gzipped */
    b = upload("{\"attachments\":[\"space.pprof\"],\"tags_profiler\":\"env:x, service:svc.a/b\"}",
               false);
    rc = decode(&b, ct, &t_limits, &r, &err);
    CHECK(rc == 0 && r.sum.profiles == 1 && strcmp(r.app, "svc.a/b") == 0,
          "datadog: one attachment; a service tag after a space (%s)", r.app);
    free(b.data);

    b = upload("{\"tags_profiler\":\"service:nolist\"}", true);
    rc = decode(&b, ct, &t_limits, &r, &err);
    CHECK(rc == 0 && r.sum.profiles == 2, "datadog: without attachments, every *.pprof part");
    free(b.data);

    b = upload("{\"attachments\":[\"space.pprof\",\"wall.pprof\"]}", true);
    rc = decode(&b, ct, &t_limits, &r, &err);
    CHECK(rc == 0 && strcmp(r.app, "unknown") == 0, "datadog: no service tag: unknown");
    free(b.data);
}

static void refused(const body *b, const char *type, const ing_limits *lim, int status,
                    const char *what) {
    rec r;
    ing_error err;
    int rc = decode(b, type, lim, &r, &err);
    CHECK(rc < 0 && err.status == status && r.profiles_called == 0 && r.stack_calls == 0,
          "datadog: %s: %d, nothing reported (%d: %s)", what, status, err.status, err.msg);
}

static void test_bad(void) {
    body b = upload(event_json, true);
    refused(&b, "application/octet-stream", &t_limits, 400, "not multipart");
    refused(&b, "multipart/form-data", &t_limits, 400, "no boundary");
    body cut = {0};
    put(&cut, b.data, b.len - 30);
    refused(&cut, ct, &t_limits, 400, "cut short");
    free(cut.data);
    free(b.data);

    b = upload(event_json, false);
    refused(&b, ct, &t_limits, 400, "an attachment listed is missing");
    free(b.data);
    b = upload("{\"attachments\":\"wall.pprof\"}", true);
    refused(&b, ct, &t_limits, 400, "attachments not an array");
    free(b.data);
    b = upload("[1,2]", true);
    refused(&b, ct, &t_limits, 400, "event not an object");
    free(b.data);
    b = upload("{\"attachments\":[\"space.pprof\"],\"tags_profiler\":\"service:bad name!\"}", true);
    refused(&b, ct, &t_limits, 400, "a service name with bad characters");
    free(b.data);
    b = upload("{\"attachments\":[]}", true);
    refused(&b, ct, &t_limits, 400, "no profile");
    free(b.data);

    b = (body){0};
    size_t rawlen;
    uint8_t *raw = tp_standard(&rawlen);
    part(&b, "wall.pprof", "application/octet-stream", raw, rawlen);
    end(&b);
    refused(&b, ct, &t_limits, 400, "no event part");
    free(b.data);

    /* one good profile and one corrupt: all or nothing */
    b = (body){0};
    event(&b, event_json);
    part(&b, "space.pprof", "application/octet-stream", raw, rawlen);
    part(&b, "wall.pprof", "application/octet-stream", "\x0a\x05zz", 4);
    end(&b);
    refused(&b, ct, &t_limits, 400, "a corrupt profile after a good one");
    free(b.data);

    b = (body){0};
    event(&b, "{\"attachments\":[\"wall.pprof\"]}");
    part(&b, "wall.pprof", "application/octet-stream", "\x28\xb5\x2f\xfd\x00\x00", 6);
    end(&b);
    refused(&b, ct, &t_limits, 400, "a zstd part (not decoded here)");
    free(b.data);

    size_t zn = 32 << 20, zlen;
    uint8_t *zeros = calloc(1, zn);
    uint8_t *bomb = t_gzip(zeros, zn, &zlen);
    free(zeros);
    b = (body){0};
    event(&b, "{\"attachments\":[\"wall.pprof\"]}");
    part(&b, "wall.pprof", "application/octet-stream", bomb, zlen);
    end(&b);
    ing_limits lim = {.max_decompressed = 1 << 20, .max_frames = 100};
    refused(&b, ct, &lim, 413, "a gzip bomb");
    free(b.data);
    free(bomb);

    /* the inflate cap is for the whole upload, not each part (and its memory, which holds
     * one decoded profile at a time): a profile of an 8 KiB string, which compresses well,
     * so that inflating, not decoding, runs out */
    tp pad;
    tp_init(&pad);
    tp_sample_type(&pad, "samples", "count");
    char *filler = calloc(1, 8193);
    memset(filler, 'x', 8192);
    tp_str(&pad, filler);
    free(filler);
    size_t padlen, gzlen;
    uint8_t *padraw = tp_pack(&pad, &padlen), *gz = t_gzip(padraw, padlen, &gzlen);
    tp_free(&pad);
    b = (body){0};
    event(&b, "{}");
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof(name), "p%d.pprof", i);
        part(&b, name, "application/octet-stream", gz, gzlen);
    }
    end(&b);
    lim.max_decompressed = padlen * 3 + 64 * 1024;
    rec r;
    ing_error err;
    CHECK(decode(&b, ct, &lim, &r, &err) == 0 && r.sum.profiles == 3,
          "datadog: three parts inflating to 3 sizes within a cap of 3 sizes and 64 KiB (%s)",
          err.msg);
    lim.max_decompressed = padlen * 3 - 1;
    CHECK(decode(&b, ct, &lim, &r, &err) < 0 && err.status == 413 && strstr(err.msg, "inflates"),
          "datadog: three parts together inflating past the cap: 413 (%s)", err.msg);
    refused(&b, ct, &lim, 413, "three parts together past the cap");
    free(b.data);
    free(gz);
    free(padraw);
    free(raw);
}

int main(void) {
    test_upload();
    test_bad();
    return TAP_DONE();
}
