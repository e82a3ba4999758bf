/* test_decode_types.c: the profile type every decoder hands the sink with each profile
 * and each stack (decode.h, "profile type"): a pprof's first sample type (through
 * /ingest, multipart, push and every part of a Datadog upload, which may differ from part
 * to part), the application name's suffix for /ingest's text formats as Pyroscope's ingest
 * reads it ("cpu" without one it knows), "jfr", and the type name's rule (bytes other
 * than [A-Za-z0-9._-] are '_', at most ING_MAX_TYPE_NAME bytes, never empty). */
#include "decode_testlib.h"
#include "proto/push.pb-c.h"

/* A profile of one sample (main;work, values 3 and 300) whose sample types are first
 * (and "cpu"/"nanoseconds" second); first NULL: no sample type at all. */
static uint8_t *typed_profile(const char *first, size_t *len) {
    tp t;
    tp_init(&t);
    if (first) {
        tp_sample_type(&t, first, "count");
        tp_sample_type(&t, "cpu", "nanoseconds");
    }
    tp_function(&t, 1, tp_str(&t, "main"));
    tp_function(&t, 2, tp_str(&t, "work"));
    tp_location(&t, 1, 0x1000, (uint64_t[]){2}, 1);
    tp_location(&t, 2, 0x2000, (uint64_t[]){1}, 1);
    tp_sample(&t, (uint64_t[]){1, 2}, 2, (int64_t[]){3, 300}, first ? 2 : 1);
    uint8_t *b = tp_pack(&t, len);
    tp_free(&t);
    return b;
}

static int ingest(const char *format, const char *ct, const char *app, const void *body, size_t len,
                  rec *r) {
    ing_sink sink = rec_sink(r);
    ing_error err = {0};
    return ing_decode_ingest(format, ct, app, body, len, &t_limits, &sink, NULL, &err);
}

static void test_text_formats(void) {
    rec r;
    static const struct {
        const char *format, *app, *type;
    } cases[] = {
        {"folded", "fib", "cpu"},   /* no suffix: Pyroscope's cpu */
        {NULL, "myapp.cpu", "cpu"}, /* the suffix Pyroscope reads */
        {"folded", "myapp.wall", "wall"},
        {"lines", "svc.alloc_space", "alloc_space"},
        {"folded", "svc.inuse_objects", "inuse_objects"},
        {"folded", "other.app", "cpu"}, /* a suffix Pyroscope does not know */
        {"folded", "a.b.itimer", "itimer"},
        {"folded", "x.", "cpu"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *body = "main;work 3\nmain;idle 1\n";
        int rc = ingest(cases[i].format, NULL, cases[i].app, body, strlen(body), &r);
        char want[80];
        snprintf(want, sizeof want, "%s ", cases[i].type);
        CHECK(rc == 0 && !strcmp(r.types, want) && !strcmp(r.stack_types, want),
              "%s %s: profile and stacks of type %s (profile '%s', stacks '%s')",
              cases[i].format ? cases[i].format : "(none)", cases[i].app, cases[i].type, r.types,
              r.stack_types);
    }
    /* trie: one node "main;work" of value 3 */
    const uint8_t trie[] = {9, 'm', 'a', 'i', 'n', ';', 'w', 'o', 'r', 'k', 3, 0};
    CHECK(ingest("trie", NULL, "t.alloc_objects", trie, sizeof trie, &r) == 0 &&
              !strcmp(r.types, "alloc_objects ") && !strcmp(r.stack_types, "alloc_objects "),
          "trie: the name's suffix too ('%s')", r.types);
    CHECK(ingest("jfr", NULL, "j.cpu", "x", 1, &r) == 0 && !strcmp(r.types, "jfr "),
          "jfr, not decoded: type jfr ('%s')", r.types);
}

static void test_pprof(void) {
    rec r;
    size_t len;
    uint8_t *p = typed_profile("inuse_objects", &len);
    CHECK(ingest("pprof", NULL, "app.cpu", p, len, &r) == 0 && !strcmp(r.types, "inuse_objects ") &&
              !strcmp(r.stack_types, "inuse_objects ") && strstr(r.stacks, "main;work 3\n"),
          "pprof: its first sample type, whatever the name says, with that column's value "
          "('%s')",
          r.types);
    size_t glen;
    uint8_t *gz = t_gzip(p, len, &glen);
    CHECK(ingest("pprof", NULL, "app", gz, glen, &r) == 0 && !strcmp(r.types, "inuse_objects "),
          "gzipped pprof: the same");
    free(gz);
    free(p);
    p = typed_profile(NULL, &len);
    CHECK(ingest("pprof", NULL, "app", p, len, &r) == 0 && !strcmp(r.types, "unknown ") &&
              !strcmp(r.stack_types, "unknown "),
          "pprof without sample types: unknown ('%s')", r.types);
    free(p);
    p = typed_profile("wall time/µs;x", &len);
    CHECK(ingest("pprof", NULL, "app", p, len, &r) == 0 && !strcmp(r.types, "wall_time___s_x ") &&
              !strcmp(r.stack_types, "wall_time___s_x "),
          "each byte outside [A-Za-z0-9._-] is _ (µ is two) (%s)", r.types);
    free(p);
    char longname[200];
    memset(longname, 'L', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    p = typed_profile(longname, &len);
    CHECK(ingest("pprof", NULL, "app", p, len, &r) == 0 && strlen(r.types) == ING_MAX_TYPE_NAME + 1,
          "a long sample type name is cut at %d bytes (%zu)", ING_MAX_TYPE_NAME,
          strlen(r.types) - 1);
    free(p);
    p = typed_profile("", &len);
    CHECK(ingest("pprof", NULL, "app", p, len, &r) == 0 && !strcmp(r.types, "unknown "),
          "an empty sample type name: unknown");
    free(p);

    /* multipart (the Go agent): the profile part's type; prev_profile's is not reported */
    size_t plen, qlen;
    uint8_t *prof = typed_profile("samples", &plen), *prev = typed_profile("objects", &qlen);
    char *body = malloc(plen + qlen + 1024);
    int n = sprintf(body, "--B\r\nContent-Disposition: form-data; name=\"prev_profile\"\r\n\r\n");
    memcpy(body + n, prev, qlen);
    n += (int)qlen;
    n += sprintf(body + n, "\r\n--B\r\nContent-Disposition: form-data; name=\"profile\"\r\n\r\n");
    memcpy(body + n, prof, plen);
    n += (int)plen;
    n += sprintf(body + n, "\r\n--B--\r\n");
    CHECK(ingest(NULL, "multipart/form-data; boundary=B", "go.app", body, (size_t)n, &r) == 0 &&
              !strcmp(r.types, "samples ") && !strcmp(r.stack_types, "samples "),
          "multipart: the profile part's type ('%s', stacks '%s')", r.types, r.stack_types);
    free(body);
    free(prof);
    free(prev);
}

/* Two series of one application, each a profile of another type. */
static void test_push(void) {
    size_t alen, blen;
    uint8_t *a = typed_profile("cpu", &alen), *b = typed_profile("alloc_space", &blen);
    Push__V1__PushRequest req = PUSH__V1__PUSH_REQUEST__INIT;
    Push__V1__RawProfileSeries series[2], *sp[2];
    Push__V1__LabelPair label[2], *lp[2][1];
    Push__V1__RawSample sample[2], *smp[2][1];
    for (int i = 0; i < 2; i++) {
        push__v1__raw_profile_series__init(&series[i]);
        push__v1__label_pair__init(&label[i]);
        push__v1__raw_sample__init(&sample[i]);
        label[i].name = "service_name";
        label[i].value = "checkout";
        lp[i][0] = &label[i];
        sample[i].raw_profile.data = i ? b : a;
        sample[i].raw_profile.len = i ? blen : alen;
        smp[i][0] = &sample[i];
        series[i].labels = lp[i];
        series[i].n_labels = 1;
        series[i].samples = smp[i];
        series[i].n_samples = 1;
        sp[i] = &series[i];
    }
    req.series = sp;
    req.n_series = 2;
    size_t len = push__v1__push_request__get_packed_size(&req);
    uint8_t *body = malloc(len);
    push__v1__push_request__pack(&req, body);
    rec r;
    ing_sink sink = rec_sink(&r);
    ing_error err = {0};
    CHECK(ing_decode_push("application/proto", body, len, &t_limits, &sink, NULL, &err) == 0 &&
              !strcmp(r.types, "cpu alloc_space ") && !strcmp(r.stack_types, "cpu alloc_space "),
          "push: each raw profile its own type ('%s', stacks '%s')", r.types, r.stack_types);
    free(body);
    free(a);
    free(b);
}

/* dd-trace's upload: space, wall and events parts, three types under one service. */
static void test_datadog(void) {
    static const char *names[] = {"space.pprof", "wall.pprof", "events.pprof"};
    static const char *firsts[] = {"inuse_objects", "sample", "timeline"};
    char *body = malloc(1 << 16);
    int n = sprintf(body,
                    "--B\r\nContent-Disposition: form-data; name=\"event\"; filename=\"event.json\""
                    "\r\nContent-Type: application/json\r\n\r\n{\"attachments\":[\"space.pprof\","
                    "\"wall.pprof\",\"events.pprof\"],\"tags_profiler\":\"service:mix\"}\r\n");
    for (int i = 0; i < 3; i++) {
        size_t plen;
        uint8_t *p = typed_profile(firsts[i], &plen);
        n += sprintf(body + n,
                     "--B\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                     "Content-Type: application/octet-stream\r\n\r\n",
                     names[i], names[i]);
        memcpy(body + n, p, plen);
        n += (int)plen;
        n += sprintf(body + n, "\r\n");
        free(p);
    }
    n += sprintf(body + n, "--B--\r\n");
    rec r;
    ing_sink sink = rec_sink(&r);
    ing_error err = {0};
    int rc = ing_decode_datadog("multipart/form-data; boundary=B", (const uint8_t *)body, (size_t)n,
                                &t_limits, &sink, NULL, &err);
    CHECK(rc == 0 && !strcmp(r.types, "inuse_objects sample timeline ") &&
              !strcmp(r.stack_types, "inuse_objects sample timeline "),
          "datadog: each part its own type (%s; '%s', stacks '%s')", err.msg, r.types,
          r.stack_types);
    free(body);
}

static void test_stream(void) {
    ing_limits lim = {.max_decompressed = 1 << 20, .max_stack_bytes = 1 << 16};
    ing_stream *st = ing_stream_begin("folded", NULL, "svc.alloc_objects", &lim);
    CHECK(st != NULL, "a stream");
    if (!st) return;
    ing_stream_feed(st, (const uint8_t *)"a;b 2\n", 6);
    rec r;
    ing_sink sink = rec_sink(&r);
    ing_error err;
    CHECK(ing_stream_end(st, &sink, NULL, &err) == 0 && !strcmp(r.types, "alloc_objects "),
          "a streamed folded body: the name's suffix ('%s')", r.types);
}

int main(void) {
    test_text_formats();
    test_pprof();
    test_push();
    test_datadog();
    test_stream();
    return TAP_DONE();
}
