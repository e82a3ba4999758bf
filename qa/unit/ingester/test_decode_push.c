/* test_decode_push.c: unit tests of POST /push.v1.PusherService/Push bodies: a real
 * push.v1.PushRequest encoded with protobuf-c, its protojson form (camelCase and
 * original names, standard and URL-safe base64), and bad requests. */
#include "decode_testlib.h"
#include "proto/push.pb-c.h"

typedef struct series_spec {
    const char *label_name;
    const char *app;
    int nsamples;
    bool gzip;
} series_spec;

/* A PushRequest whose samples are all the standard profile. */
static uint8_t *push_request(const series_spec *specs, int nseries, const uint8_t *override,
                             size_t override_len, size_t *len) {
    size_t rawlen, gzlen;
    uint8_t *raw = tp_standard(&rawlen);
    uint8_t *gz = t_gzip(raw, rawlen, &gzlen);
    Push__V1__PushRequest req = PUSH__V1__PUSH_REQUEST__INIT;
    Push__V1__RawProfileSeries series[8];
    Push__V1__RawProfileSeries *series_ptrs[8];
    Push__V1__LabelPair labels[8][2];
    Push__V1__LabelPair *label_ptrs[8][2];
    Push__V1__RawSample samples[8][32];
    Push__V1__RawSample *sample_ptrs[8][32];
    for (int i = 0; i < nseries; i++) {
        push__v1__raw_profile_series__init(&series[i]);
        push__v1__label_pair__init(&labels[i][0]);
        push__v1__label_pair__init(&labels[i][1]);
        labels[i][0].name = "env";
        labels[i][0].value = "test";
        labels[i][1].name = (char *)specs[i].label_name;
        labels[i][1].value = (char *)specs[i].app;
        label_ptrs[i][0] = &labels[i][0];
        label_ptrs[i][1] = &labels[i][1];
        series[i].labels = label_ptrs[i];
        series[i].n_labels = 2;
        for (int j = 0; j < specs[i].nsamples; j++) {
            push__v1__raw_sample__init(&samples[i][j]);
            samples[i][j].raw_profile.data = override        ? (uint8_t *) override
                                             : specs[i].gzip ? gz
                                                             : raw;
            samples[i][j].raw_profile.len = override        ? override_len
                                            : specs[i].gzip ? gzlen
                                                            : rawlen;
            samples[i][j].id = "0f6c1d3a";
            sample_ptrs[i][j] = &samples[i][j];
        }
        series[i].samples = sample_ptrs[i];
        series[i].n_samples = (size_t)specs[i].nsamples;
        series_ptrs[i] = &series[i];
    }
    req.series = series_ptrs;
    req.n_series = (size_t)nseries;
    *len = push__v1__push_request__get_packed_size(&req);
    uint8_t *out = malloc(*len + 1);
    push__v1__push_request__pack(&req, out);
    free(raw);
    free(gz);
    return out;
}

typedef struct app_tally {
    int profiles;
    uint64_t samples;
    char apps[256];
    ing_decoded decoded;
} app_tally;

static void tally_profile(void *arg, const char *app, const char *format, const char *type,
                          const ing_counts *c) {
    app_tally *t = arg;
    t->profiles += (int)c->profiles;
    t->samples += c->samples;
    size_t n = strlen(t->apps);
    snprintf(t->apps + n, sizeof(t->apps) - n, "%s%s:%s", n ? "," : "", app, format);
}

static int push(const char *ct, const void *body, size_t len, const ing_limits *lim, app_tally *t,
                ing_error *err) {
    memset(t, 0, sizeof(*t));
    memset(err, 0, sizeof(*err));
    ing_sink sink = {.arg = t, .profile = tally_profile};
    return ing_decode_push(ct, body, len, lim, &sink, &t->decoded, err);
}

static void test_proto(void) {
    series_spec specs[] = {{"service_name", "checkout", 2, true},
                           {"__name__", "cart", 1, false},
                           {"other", "x", 1, true}};
    size_t len;
    uint8_t *body = push_request(specs, 3, NULL, 0, &len);
    app_tally t;
    ing_error err;
    int rc = push("application/proto", body, len, &t_limits, &t, &err);
    CHECK(rc == 0, "push proto: accepted (%s)", err.msg);
    CHECK(t.decoded.body_bytes == len, "push proto: body bytes %zu, the body's length",
          t.decoded.body_bytes);
    CHECK(t.profiles == 4 && t.samples == 8,
          "push proto: 4 profiles, 8 samples (got %d %" PRIu64 ")", t.profiles, t.samples);
    CHECK(strcmp(t.apps, "checkout:pprof,checkout:pprof,cart:pprof,unknown:pprof") == 0,
          "push proto: app from service_name, else __name__, else unknown (%s)", t.apps);

    rec r;
    ing_sink sink = rec_sink(&r);
    rc = ing_decode_push("application/proto", body, len, &t_limits, &sink, NULL, &err);
    CHECK(rc == 0 && r.stack_calls == 8 &&
              strncmp(r.stacks, "checkout|main;foo;inl;bar 10\n", 29) == 0,
          "push proto: stacks reach the sink under their app");

    size_t glen;
    uint8_t *gz = t_gzip(body, len, &glen);
    rc = push("application/proto", gz, glen, &t_limits, &t, &err);
    CHECK(rc == 0 && t.profiles == 4, "push proto: gzip-compressed request body accepted");
    CHECK(t.decoded.body_bytes == len,
          "push proto, gzipped: body bytes %zu, what it inflated to (%zu)", t.decoded.body_bytes,
          len);
    free(gz);

    rc = push("application/proto", body, len - 5, &t_limits, &t, &err);
    CHECK(rc < 0 && err.status == 400 && t.profiles == 0,
          "push proto: truncated request refused with 400 (%s)", err.msg);
    rc = push("text/plain", body, len, &t_limits, &t, &err);
    CHECK(rc < 0 && err.status == 415, "push: other media type refused with 415");
    rc = push("application/proto", "", 0, &t_limits, &t, &err);
    CHECK(rc < 0 && err.status == 400,
          "push proto: a request without profiles is 400, as Pyroscope (%s)", err.msg);
    free(body);

    body = push_request(specs, 2, (const uint8_t *)"\x0a\x05zz", 4, &len);
    rc = push("application/proto", body, len, &t_limits, &t, &err);
    CHECK(rc < 0 && err.status == 400 && t.profiles == 0,
          "push proto: corrupt profile refused, nothing counted (%s)", err.msg);
    free(body);

    size_t zn = 32 << 20, zlen;
    uint8_t *zeros = calloc(1, zn);
    uint8_t *bomb = t_gzip(zeros, zn, &zlen);
    free(zeros);
    body = push_request(specs, 1, bomb, zlen, &len);
    ing_limits lim = {.max_decompressed = 1 << 20, .max_frames = 100};
    rc = push("application/proto", body, len, &lim, &t, &err);
    CHECK(rc < 0 && err.status == 413 && t.profiles == 0,
          "push proto: gzip bomb profile refused with 413 (%s)", err.msg);
    free(body);
    free(bomb);

    /* Many profiles share one inflate budget per request (and its memory, which holds
     * one decoded profile at a time beside the request's own tree). */
    series_spec many[] = {{"service_name", "a", 32, true}, {"service_name", "b", 32, true}};
    tp pad;
    tp_init(&pad);
    tp_sample_type(&pad, "samples", "count");
    char *filler = calloc(1, 8193);
    memset(filler, 'x', 8192);
    tp_str(&pad, filler); /* compresses well: inflating, not the request's tree, runs out */
    free(filler);
    size_t rawlen, padgz_len;
    uint8_t *padraw = tp_pack(&pad, &rawlen), *padgz = t_gzip(padraw, rawlen, &padgz_len);
    tp_free(&pad);
    body = push_request(many, 2, padgz, padgz_len, &len);
    lim.max_decompressed = rawlen * 64 + 64 * 1024;
    rc = push("application/proto", body, len, &lim, &t, &err);
    CHECK(
        rc == 0 && t.profiles == 64,
        "push proto: 64 profiles inflating to 64 sizes within a budget of 64 sizes and 64 KiB (%s)",
        err.msg);
    lim.max_decompressed = rawlen * 64 - 1;
    rc = push("application/proto", body, len, &lim, &t, &err);
    CHECK(rc < 0 && err.status == 413 && strstr(err.msg, "inflates"),
          "push proto: the request's profiles together inflating over the budget is 413 (%s)",
          err.msg);
    free(body);
    free(padraw);
    free(padgz);
}

static char *json_body(bool camel, bool url) {
    size_t rawlen, gzlen;
    uint8_t *raw = tp_standard(&rawlen);
    uint8_t *gz = t_gzip(raw, rawlen, &gzlen);
    char *b1 = t_base64(gz, gzlen, url, !url);
    char *b2 = t_base64(raw, rawlen, url, !url);
    char *out = malloc(strlen(b1) + strlen(b2) + 1024);
    sprintf(out,
            "{\"series\":[{\"labels\":[{\"name\":\"service_name\",\"value\":\"web\"},{\"name\":"
            "\"x\",\"value\":\"y\"}],"
            "\"samples\":[{\"%s\":\"%s\",\"ID\":\"1\"},{\"%s\":\"%s\"}]},"
            "{\"labels\":[{\"name\":\"__name__\",\"value\":\"db\"}],\"samples\":[],\"annotations\":"
            "null},"
            "{\"labels\":null,\"samples\":null}],\"unknownField\":1}",
            camel ? "rawProfile" : "raw_profile", b1, camel ? "rawProfile" : "raw_profile", b2);
    free(b1);
    free(b2);
    free(gz);
    free(raw);
    return out;
}

static void test_json(void) {
    app_tally t;
    ing_error err;
    for (int v = 0; v < 2; v++) {
        char *body = json_body(v == 0, v == 1);
        int rc = push("application/json; charset=utf-8", body, strlen(body), &t_limits, &t, &err);
        CHECK(rc == 0 && t.profiles == 2 && t.samples == 4 &&
                  strcmp(t.apps, "web:pprof,web:pprof") == 0,
              "push json: %s names, %s base64 (%s %s)", v == 0 ? "camelCase" : "original",
              v == 0 ? "standard padded" : "URL-safe unpadded", err.msg, t.apps);
        free(body);
    }
    const char *bad[] = {"{",
                         "[]",
                         "{\"series\":{}}",
                         "{\"series\":[{\"samples\":[{\"rawProfile\":\"@@@@\"}]}]}",
                         "{\"series\":[{\"samples\":[{\"rawProfile\":12}]}]}",
                         "{\"series\":[{\"labels\":[{\"name\":1}]}]}",
                         "{\"series\":[{\"samples\":[{\"rawProfile\":\"Zm9vYmFy\"}]}]}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        int rc = push("application/json", bad[i], strlen(bad[i]), &t_limits, &t, &err);
        CHECK(rc < 0 && err.status == 400 && t.profiles == 0,
              "push json: bad request %zu refused with 400 (%s)", i, err.msg);
    }
    int rc = push("application/json", "{}", 2, &t_limits, &t, &err);
    CHECK(rc < 0 && err.status == 400, "push json: {} has no profiles: 400");
}

int main(void) {
    test_proto();
    test_json();
    return TAP_DONE();
}
