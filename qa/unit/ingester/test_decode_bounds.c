/* test_decode_bounds.c: unit tests of the decoders' bounds on work and memory (issue 10,
 * item 2): a trie or tree of long keys counted in time linear in the body, keys and stacks
 * over max_stack_bytes refused, the stack text a request may hand the sink (and what is
 * cut beyond it, or refused by the sink, counted), the request's memory budget across
 * inflation, protobuf-c's tree and push JSON, and application names that are validated
 * and quoted as valid JSON text. */
#include "decode_testlib.h"
#include "proto/push.pb-c.h"

#include <jansson.h>

static int ingest(const char *format, const void *body, size_t len, const ing_limits *lim, rec *r,
                  ing_error *err) {
    ing_sink sink = rec_sink(r);
    memset(err, 0, sizeof(*err));
    return ing_decode_ingest(format, NULL, "app", body, len, lim, &sink, &r->decoded, err);
}

static size_t put_uvarint(uint8_t *out, uint64_t x) {
    size_t n = 0;
    do {
        out[n++] = (uint8_t)((x & 0x7f) | (x > 0x7f ? 0x80 : 0));
        x >>= 7;
    } while (x);
    return n;
}

/* A trie (or tree: a root above) with one node named name_len bytes of 'a' above n
 * empty-named children of value 1: the shape whose keys cost O(n * name_len). */
static uint8_t *wide(bool tree, size_t name_len, size_t n, size_t *len) {
    uint8_t *b = malloc(name_len + 3 * n + 64), *p = b;
    if (tree) p += put_uvarint(p, 0), p += put_uvarint(p, 0), p += put_uvarint(p, 1);
    p += put_uvarint(p, name_len);
    memset(p, 'a', name_len);
    p += name_len;
    p += put_uvarint(p, 0);
    p += put_uvarint(p, n);
    for (size_t i = 0; i < n; i++) *p++ = 0, *p++ = 1, *p++ = 0;
    *len = (size_t)(p - b);
    return b;
}

static void test_wide_keys(void) {
    const ing_limits lim = {
        .max_decompressed = 256 << 20, .max_frames = 1024, .max_stack_bytes = 1 << 20};
    ing_sink counts_only = {.profile = rec_profile};
    for (int tree = 0; tree < 2; tree++) {
        const char *f = tree ? "tree" : "trie";
        size_t len, n = 200000, name_len = 500000;
        uint8_t *b = wide(tree, name_len, n, &len);
        rec r;
        ing_error err;
        memset(&r, 0, sizeof(r));
        counts_only.arg = &r;
        int rc = ing_decode_ingest(f, NULL, "app", b, len, &lim, &counts_only, NULL, &err);
        CHECK(rc == 0 && r.sum.samples == n && r.sum.value == n &&
                  r.sum.frames == (tree ? 2 : 1) * n,
              "%s: a %zu-byte name above %zu children counted (%" PRIu64 " samples, %" PRIu64
              " frames)",
              f, name_len, n, r.sum.samples, r.sum.frames);

        /* To the sink: the stack text stays within the request's budget, the rest cut. */
        rc = ingest(f, b, len, &lim, &r, &err);
        size_t budget = 64 * len + (16u << 20);
        CHECK(rc == 0 && r.stack_bytes <= budget && r.stack_bytes + name_len > budget,
              "%s: stacks handed over up to 64 times the body plus 16 MiB (%zu of %zu bytes)", f,
              r.stack_bytes, budget);
        CHECK((uint64_t)r.stack_calls + r.decoded.stacks_cut == n && r.decoded.stacks_cut > 0,
              "%s: every stack kept or counted as cut (%d kept, %" PRIu64 " cut)", f, r.stack_calls,
              r.decoded.stacks_cut);
        free(b);

        b = wide(tree, (1 << 20) + 1, 3, &len);
        rc = ingest(f, b, len, &lim, &r, &err);
        CHECK(rc < 0 && err.status == 422 && r.stack_calls == 0 && strstr(err.msg, "key longer"),
              "%s: a key over max_stack_bytes refused with 422 (%s)", f, err.msg);
        free(b);
    }
}

/* One function named name_len bytes, one location, nsamples samples of depth frames. */
static uint8_t *deep_pprof(size_t name_len, size_t depth, size_t nsamples, size_t *len) {
    tp t;
    tp_init(&t);
    tp_sample_type(&t, "samples", "count");
    char *name = malloc(name_len + 1);
    memset(name, 'f', name_len);
    name[name_len] = '\0';
    tp_function(&t, 1, tp_str(&t, name));
    free(name);
    tp_location(&t, 1, 0x1000, (uint64_t[]){1}, 1);
    uint64_t *locs = malloc(depth * sizeof(*locs));
    for (size_t i = 0; i < depth; i++) locs[i] = 1;
    for (size_t i = 0; i < nsamples; i++) tp_sample(&t, locs, depth, (int64_t[]){1}, 1);
    free(locs);
    uint8_t *b = tp_pack(&t, len);
    tp_free(&t);
    return b;
}

static void test_pprof_stacks(void) {
    ing_limits lim = {
        .max_decompressed = 256 << 20, .max_frames = 65536, .max_stack_bytes = 1 << 20};
    rec r;
    ing_error err;
    size_t len, glen;
    /* issue 10: one sample, one location 65,000 times, a 1 KB name: 65 MB of stack text */
    uint8_t *b = deep_pprof(1024, 65000, 1, &len);
    uint8_t *gz = t_gzip(b, len, &glen);
    int rc = ingest("pprof", gz, glen, &lim, &r, &err);
    CHECK(rc < 0 && err.status == 422 && r.stack_calls == 0 &&
              strstr(err.msg, "bytes of folded text"),
          "pprof: a %zu-byte gzip whose stack is 65 MB of text refused with 422 (%s)", glen,
          err.msg);
    free(b);
    free(gz);

    /* Within the stack limit, but many: the request's stack text budget cuts the rest. */
    b = deep_pprof(1000, 900, 200, &len); /* 900 KB stacks from a ~200 KB profile */
    rc = ingest("pprof", b, len, &lim, &r, &err);
    size_t budget = 64 * len + (16u << 20);
    CHECK(rc == 0 && r.sum.samples == 200 && r.stack_bytes <= budget,
          "pprof: counted in full, stack text within the budget (%zu of %zu bytes)", r.stack_bytes,
          budget);
    CHECK(r.stack_calls + r.decoded.stacks_cut == 200 && r.decoded.stacks_cut > 0,
          "pprof: every stack kept or cut (%d kept, %" PRIu64 " cut)", r.stack_calls,
          r.decoded.stacks_cut);
    free(b);

    /* What the sink refuses is counted too. */
    memset(&r, 0, sizeof(r));
    ing_sink sink = rec_sink(&r);
    r.cut_from = 2;
    rc = ing_decode_ingest(NULL, NULL, "app", (const uint8_t *)"a 1\nb 2\nc 3\n", 12, &lim, &sink,
                           &r.decoded, &err);
    CHECK(rc == 0 && r.stack_calls == 3 && r.decoded.stacks_cut == 2,
          "folded: stacks the sink refuses are counted as cut (%" PRIu64 ")", r.decoded.stacks_cut);

    char line[300];
    memset(line, 'x', 200);
    strcpy(line + 200, " 1\n");
    lim.max_stack_bytes = 199;
    rc = ingest(NULL, line, strlen(line), &lim, &r, &err);
    CHECK(rc < 0 && err.status == 422, "folded: a 200-byte stack over a limit of 199 refused (%s)",
          err.msg);
}

/* The standard profile with one more string of n bytes. */
static uint8_t *big_string_pprof(size_t n, size_t *len) {
    tp t;
    tp_init(&t);
    tp_sample_type(&t, "samples", "count");
    tp_function(&t, 1, tp_str(&t, "main"));
    tp_location(&t, 1, 0x1000, (uint64_t[]){1}, 1);
    tp_sample(&t, (uint64_t[]){1}, 1, (int64_t[]){1}, 1);
    char *s = malloc(n + 1);
    memset(s, 's', n);
    s[n] = '\0';
    tp_str(&t, s);
    free(s);
    uint8_t *b = tp_pack(&t, len);
    tp_free(&t);
    return b;
}

static uint8_t *push_of(const uint8_t *profile, size_t plen, const char *app, size_t *len) {
    Push__V1__PushRequest req = PUSH__V1__PUSH_REQUEST__INIT;
    Push__V1__RawProfileSeries series = PUSH__V1__RAW_PROFILE_SERIES__INIT, *sp = &series;
    Push__V1__LabelPair label = PUSH__V1__LABEL_PAIR__INIT, *lp = &label;
    Push__V1__RawSample sample = PUSH__V1__RAW_SAMPLE__INIT, *smp = &sample;
    label.name = "service_name";
    label.value = (char *)app;
    sample.raw_profile.data = (uint8_t *)profile;
    sample.raw_profile.len = plen;
    series.labels = &lp;
    series.n_labels = 1;
    series.samples = &smp;
    series.n_samples = 1;
    req.series = &sp;
    req.n_series = 1;
    *len = push__v1__push_request__get_packed_size(&req);
    uint8_t *out = malloc(*len + 1);
    push__v1__push_request__pack(&req, out);
    return out;
}

static void test_memory_budget(void) {
    ing_limits lim = {.max_frames = 1024};
    rec r;
    ing_error err;
    size_t len, glen, plen, pglen;
    /* issue 10: a small gzip of a profile with a huge string inflates, then protobuf-c
     * copies the string: two buffers of its size, against one cap */
    uint8_t *b = big_string_pprof(300000, &len), *gz = t_gzip(b, len, &glen);
    lim.max_decompressed = 2 * len; /* inflated + the copy: not quite */
    int rc = ingest("pprof", gz, glen, &lim, &r, &err);
    CHECK(rc < 0 && err.status == 413 && strstr(err.msg, "memory"),
          "pprof: inflated body and its decoded tree held against one cap: 413 (%s)", err.msg);
    lim.max_decompressed = 3 * len;
    rc = ingest("pprof", gz, glen, &lim, &r, &err);
    CHECK(rc == 0 && r.sum.samples == 1, "pprof: accepted when both fit (%s)", err.msg);
    lim.max_decompressed = len;
    rc = ingest("pprof", b, len, &lim, &r, &err);
    CHECK(rc < 0 && err.status == 413, "pprof raw: its tree alone over the cap: 413 (%s)", err.msg);

    /* issue 10: a gzipped push whose profile holds a huge string: the inflated request,
     * protobuf-c's copy of the profile, the profile's tree: three of its size */
    uint8_t *p = push_of(b, len, "big", &plen), *pgz = t_gzip(p, plen, &pglen);
    ing_sink sink = rec_sink(&r);
    lim.max_decompressed = 5 * len / 2;
    rc = ing_decode_push("application/proto", pgz, pglen, &lim, &sink, NULL, &err);
    CHECK(rc < 0 && err.status == 413,
          "push: request, its copy and the profile's tree against one cap: 413 (%s)", err.msg);
    lim.max_decompressed = 4 * len;
    memset(&err, 0, sizeof(err));
    rc = ing_decode_push("application/proto", pgz, pglen, &lim, &sink, NULL, &err);
    CHECK(rc == 0, "push: accepted when all three fit (%s)", err.msg);
    free(p);
    free(pgz);
    free(b);
    free(gz);

    /* A JSON push's tree counts: 200 KB of zeros are megabytes of jansson values. */
    size_t n = 100000, at;
    char *js = malloc(2 * n + 256);
    at = (size_t)sprintf(js,
                         "{\"series\":[{\"labels\":[{\"name\":\"service_name\",\"value\":\"j\"}],"
                         "\"samples\":[{\"rawProfile\":\"AA==\"}]}],\"junk\":[");
    for (size_t i = 0; i < n; i++) at += (size_t)sprintf(js + at, "%s0", i ? "," : "");
    at += (size_t)sprintf(js + at, "]}");
    lim.max_decompressed = 1 << 20;
    rc = ing_decode_push("application/json", (const uint8_t *)js, at, &lim, &sink, NULL, &err);
    CHECK(rc < 0 && err.status == 413,
          "push json: a %zu-byte body whose tree needs more than 1 MiB: 413 (%s)", at, err.msg);
    lim.max_decompressed = 256 << 20;
    rc = ing_decode_push("application/json", (const uint8_t *)js, at, &lim, &sink, NULL, &err);
    CHECK(rc < 0 && err.status == 400 && strstr(err.msg, "profile 1"),
          "push json: parsed within a larger cap (then its one profile is not a profile: %s)",
          err.msg);
    json_malloc_t m;
    json_free_t f;
    json_get_alloc_funcs(&m, &f);
    CHECK(m == malloc && f == free, "push json: jansson's allocation functions are restored");
    free(js);
}

static void test_names(void) {
    char app[256];
    ing_error err;
    int rc = ing_parse_app_name("caf\xc3\xa9{env=x}", app, sizeof app, &err);
    CHECK(rc < 0 && err.status == 400 && strstr(err.msg, "\\xC3") &&
              strstr(err.msg, "caf\\xC3\\xA9"),
          "name: a non-ASCII byte is quoted as \\xNN (%s)", err.msg);
    json_t *j = json_string(err.msg);
    CHECK(j != NULL, "name: the message is valid UTF-8, fit for a JSON error body");
    json_decref(j);
    rc = ing_parse_app_name("a\x01"
                            "b",
                            app, sizeof app, &err);
    CHECK(rc < 0 && strstr(err.msg, "\\x01"), "name: a control character is quoted (%s)", err.msg);
    rc = ing_parse_app_name("app{k\xff=v}", app, sizeof app, &err);
    CHECK(rc < 0 && strstr(err.msg, "\\xFF"), "name: a tag key's bad byte is quoted (%s)", err.msg);

    /* push: service_name validated like the name parameter */
    size_t raw_len, plen;
    uint8_t *raw = tp_standard(&raw_len);
    char long_name[400];
    memset(long_name, 'n', 399);
    long_name[399] = '\0';
    const char *bad[] = {"caf\xc3\xa9", long_name, "a b", "x\ny"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        uint8_t *p = push_of(raw, raw_len, bad[i], &plen);
        rec r;
        ing_sink sink = rec_sink(&r);
        rc = ing_decode_push("application/proto", p, plen, &t_limits, &sink, NULL, &err);
        j = json_string(err.msg);
        CHECK(rc < 0 && err.status == 400 && r.profiles_called == 0 && j,
              "push: service_name %zu refused with 400, a valid message (%s)", i, err.msg);
        json_decref(j);
        free(p);
    }
    uint8_t *p = push_of(raw, raw_len, "my/app-1.x_y", &plen);
    rec r;
    ing_sink sink = rec_sink(&r);
    rc = ing_decode_push("application/proto", p, plen, &t_limits, &sink, NULL, &err);
    CHECK(rc == 0 && strcmp(r.app, "my/app-1.x_y") == 0, "push: a valid service_name accepted");
    free(p);
    const char *js =
        "{\"series\":[{\"labels\":[{\"name\":\"service_name\",\"value\":\"\\u00e9t\\u00e9\"}],"
        "\"samples\":[{\"rawProfile\":\"AA==\"}]}]}";
    rc = ing_decode_push("application/json", (const uint8_t *)js, strlen(js), &t_limits, &sink,
                         NULL, &err);
    CHECK(rc < 0 && err.status == 400 && strstr(err.msg, "\\xC3"),
          "push json: a non-ASCII service_name refused (%s)", err.msg);
    free(raw);
}

int main(void) {
    test_wide_keys();
    test_pprof_stacks();
    test_memory_budget();
    test_names();
    return TAP_DONE();
}
