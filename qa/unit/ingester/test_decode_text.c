/* test_decode_text.c: unit tests of the ingester's text and legacy binary formats
 * (folded, lines, trie, tree, jfr) and of the name/from/until parameters. */
#include "decode_testlib.h"

static int ingest(const char *format, const char *ct, const void *body, size_t len,
                  const ing_limits *lim, rec *r, ing_error *err) {
    ing_sink sink = rec_sink(r);
    memset(err, 0, sizeof(*err));
    return ing_decode_ingest(format, ct, "app", body, len, lim, &sink, &r->decoded, err);
}

static void test_folded(void) {
    rec r;
    ing_error err;
    const char *body = "main;foo;bar 12\r\nmain;foo 3\n\nno-value-line\nmain;idle 0\nmain 1";
    int rc = ingest(NULL, "text/plain", body, strlen(body), &t_limits, &r, &err);
    CHECK(rc == 0, "folded: accepted (%s)", err.msg);
    CHECK(r.profiles_called == 1 && strcmp(r.format, "folded") == 0 && strcmp(r.app, "app") == 0,
          "folded: one profile reported as folded for app");
    CHECK(r.sum.profiles == 1 && r.sum.samples == 3 && r.sum.value == 16 && r.sum.frames == 6,
          "folded: 3 samples, value 16, 6 frames (got %" PRIu64 " %" PRIu64 " %" PRIu64 ")",
          r.sum.samples, r.sum.value, r.sum.frames);
    CHECK(strcmp(r.stacks, "app|main;foo;bar 12\napp|main;foo 3\napp|main 1\n") == 0,
          "folded: stacks handed to the sink without CR or zero lines");
    CHECK(r.decoded.body_bytes == strlen(body),
          "folded: the result's body bytes are the body's length");

    rc = ingest("groups", NULL, "a;b 2\n", 6, &t_limits, &r, &err);
    CHECK(rc == 0 && r.sum.value == 2, "folded: format=groups is folded");
    rc = ingest("speedscope-or-other", NULL, "a;b 2\n", 6, &t_limits, &r, &err);
    CHECK(rc == 0 && strcmp(r.format, "folded") == 0,
          "folded: unknown formats fall back to folded, as Pyroscope does");

    const char *bad[] = {"a;b x1\n", "a;b -1\n", "a;b 99999999999999999999999\n", "a;b 1.5\n",
                         "a;b \n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        rc = ingest("folded", NULL, bad[i], strlen(bad[i]), &t_limits, &r, &err);
        CHECK(rc < 0 && err.status == 422 && r.profiles_called == 0 && r.stack_calls == 0,
              "folded: bad value line %zu refused with 422, nothing reported (%s)", i, err.msg);
    }
    rc = ingest("folded", NULL, "ok 1\nbad x\n", 11, &t_limits, &r, &err);
    CHECK(rc < 0 && r.stack_calls == 0, "folded: no stack reported when a later line is bad");
    CHECK(strstr(err.msg, "line 2") != NULL, "folded: the error names the line (%s)", err.msg);

    ing_limits small = {.max_decompressed = 1 << 20, .max_frames = 3};
    rc = ingest("folded", NULL, "a;b;c 1\n", 8, &small, &r, &err);
    CHECK(rc == 0, "folded: 3 frames at a limit of 3 accepted");
    rc = ingest("folded", NULL, "a;b;c;d 1\n", 10, &small, &r, &err);
    CHECK(rc < 0 && err.status == 422, "folded: 4 frames over a limit of 3 refused with 422");

    rc = ingest(NULL, NULL, "", 0, &t_limits, &r, &err);
    CHECK(rc == 0 && r.sum.profiles == 1 && r.sum.samples == 0,
          "folded: empty body is an empty profile");
    rc = ingest(NULL, NULL, NULL, 0, &t_limits, &r, &err);
    CHECK(rc == 0, "folded: NULL body accepted");
}

static void test_lines(void) {
    rec r;
    ing_error err;
    const char *body = "main;foo\nmain;foo\r\n\nmain;bar;baz\n";
    int rc = ingest("lines", NULL, body, strlen(body), &t_limits, &r, &err);
    CHECK(rc == 0 && strcmp(r.format, "lines") == 0, "lines: accepted");
    CHECK(r.sum.samples == 3 && r.sum.value == 3 && r.sum.frames == 7,
          "lines: each line counts 1 (3 samples, value 3, 7 frames)");
    CHECK(strcmp(r.stacks, "app|main;foo 1\napp|main;foo 1\napp|main;bar;baz 1\n") == 0,
          "lines: stacks with value 1");
    rc = ingest("lines", NULL, "a 12\n", 5, &t_limits, &r, &err);
    CHECK(rc == 0 && r.sum.value == 1, "lines: a trailing number is part of the stack");
}

/* Encode one trie/tree node. */
static size_t node(uint8_t *out, const char *name, uint64_t value, uint64_t children) {
    size_t n = 0, len = strlen(name);
    uint64_t v[3] = {len, value, children};
    for (int k = 0; k < 3; k++) {
        uint64_t x = v[k];
        do {
            out[n++] = (uint8_t)((x & 0x7f) | (x > 0x7f ? 0x80 : 0));
            x >>= 7;
        } while (x);
        if (k == 0) {
            memcpy(out + n, name, len);
            n += len;
        }
    }
    return n;
}

static void test_trie(void) {
    rec r;
    ing_error err;
    uint8_t b[512];
    size_t n = 0;
    /* keys: "main;foo" 2, "main;fob" 300 (prefix "main;fo" shared), "idle" 1 */
    n += node(b + n, "", 0, 2);
    n += node(b + n, "main;fo", 0, 2);
    n += node(b + n, "o", 2, 0);
    n += node(b + n, "b", 300, 0);
    n += node(b + n, "idle", 1, 0);
    int rc = ingest("trie", NULL, b, n, &t_limits, &r, &err);
    CHECK(rc == 0 && strcmp(r.format, "trie") == 0, "trie: accepted (%s)", err.msg);
    CHECK(r.sum.samples == 3 && r.sum.value == 303 && r.sum.frames == 5,
          "trie: 3 stacks, value 303, 5 frames (got %" PRIu64 " %" PRIu64 " %" PRIu64 ")",
          r.sum.samples, r.sum.value, r.sum.frames);
    CHECK(strcmp(r.stacks, "app|main;foo 2\napp|main;fob 300\napp|idle 1\n") == 0,
          "trie: keys rebuilt from prefixes (%s)", r.stacks);
    rc = ingest(NULL, "binary/octet-stream+trie", b, n, &t_limits, &r, &err);
    CHECK(rc == 0 && strcmp(r.format, "trie") == 0,
          "trie: detected by Content-Type binary/octet-stream+trie");

    /* Two tries back to back are read as one stream. */
    memcpy(b + n, b, n);
    rc = ingest("trie", NULL, b, 2 * n, &t_limits, &r, &err);
    CHECK(rc == 0 && r.sum.samples == 6, "trie: concatenated tries are all read");

    rc = ingest("trie", NULL, b, n - 2, &t_limits, &r, &err);
    CHECK(rc < 0 && err.status == 422 && r.stack_calls == 0,
          "trie: truncated node refused with 422");
    uint8_t big[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 'a'};
    rc = ingest("trie", NULL, big, sizeof(big), &t_limits, &r, &err);
    CHECK(rc < 0 && err.status == 422, "trie: name length past the end refused");
    uint8_t longvarint[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    rc = ingest("trie", NULL, longvarint, sizeof(longvarint), &t_limits, &r, &err);
    CHECK(rc < 0 && err.status == 422, "trie: overlong varint refused");
}

static void test_tree(void) {
    rec r;
    ing_error err;
    uint8_t b[512];
    size_t n = 0;
    n += node(b + n, "", 0, 2);
    n += node(b + n, "main", 1, 2);
    n += node(b + n, "foo", 2, 1);
    n += node(b + n, "bar", 7, 0);
    n += node(b + n, "baz", 3, 0);
    n += node(b + n, "idle", 4, 0);
    int rc = ingest("tree", NULL, b, n, &t_limits, &r, &err);
    CHECK(rc == 0 && strcmp(r.format, "tree") == 0, "tree: accepted (%s)", err.msg);
    CHECK(r.sum.samples == 5 && r.sum.value == 17 && r.sum.frames == 1 + 2 + 3 + 2 + 1,
          "tree: 5 nodes with self > 0, value 17, 9 frames (got %" PRIu64 " %" PRIu64 " %" PRIu64
          ")",
          r.sum.samples, r.sum.value, r.sum.frames);
    CHECK(strcmp(r.stacks,
                 "app|main 1\napp|main;foo 2\napp|main;foo;bar 7\napp|main;baz 3\napp|idle 4\n") ==
              0,
          "tree: stacks are the paths below the root (%s)", r.stacks);
    rc = ingest(NULL, "binary/octet-stream+tree", b, n, &t_limits, &r, &err);
    CHECK(rc == 0 && strcmp(r.format, "tree") == 0, "tree: detected by Content-Type");

    rc = ingest("tree", NULL, b, n - 5, &t_limits, &r, &err);
    CHECK(rc < 0 && err.status == 422 && r.stack_calls == 0,
          "tree: missing children refused with 422 (%s)", err.msg);
    memcpy(b + n, b, n);
    rc = ingest("tree", NULL, b, 2 * n, &t_limits, &r, &err);
    CHECK(rc < 0 && err.status == 422, "tree: data after the root refused");

    /* A deep tree, over the frame limit. */
    size_t m = 0;
    static uint8_t deep[20000];
    m += node(deep + m, "", 0, 1);
    for (int i = 0; i < 2000; i++) m += node(deep + m, "f", i == 1999 ? 1 : 0, i == 1999 ? 0 : 1);
    rc = ingest("tree", NULL, deep, m, &t_limits, &r, &err);
    CHECK(rc < 0 && err.status == 422, "tree: a 2000-frame stack over the 1024 limit refused (%s)",
          err.msg);
    ing_limits unlimited = {.max_decompressed = 1 << 20, .max_frames = 0};
    rc = ingest("tree", NULL, deep, m, &unlimited, &r, &err);
    CHECK(rc == 0 && r.sum.frames == 2000, "tree: the same accepted without a frame limit");
}

static void test_jfr(void) {
    rec r;
    ing_error err;
    int rc = ingest("jfr", "application/octet-stream", "FLR\0", 4, &t_limits, &r, &err);
    CHECK(rc == 0 && r.sum.profiles == 1 && r.sum.samples == 0 && strcmp(r.format, "jfr") == 0,
          "jfr: counted as one profile of unknown samples");
    rc = ingest("jfr", NULL, "", 0, &t_limits, &r, &err);
    CHECK(rc < 0 && err.status == 422 && r.profiles_called == 0,
          "jfr: empty body refused with 422");
    const char *mp = "--xx\r\nContent-Disposition: form-data; name=\"jfr\"; "
                     "filename=\"jfr\"\r\n\r\nFLR\r\n--xx--\r\n";
    rc = ingest("jfr", "multipart/form-data; boundary=xx", mp, strlen(mp), &t_limits, &r, &err);
    CHECK(rc == 0 && r.sum.profiles == 1, "jfr: multipart with a jfr part accepted");
    const char *mp2 =
        "--xx\r\nContent-Disposition: form-data; name=\"labels\"\r\n\r\nx\r\n--xx--\r\n";
    rc = ingest("jfr", "multipart/form-data; boundary=xx", mp2, strlen(mp2), &t_limits, &r, &err);
    CHECK(rc < 0 && err.status == 422, "jfr: multipart without a jfr part refused");
}

static void test_app_name(void) {
    char app[64];
    ing_error err;
    CHECK(ing_parse_app_name("myapp.cpu{env=prod,region=eu-west}", app, sizeof(app), &err) == 0 &&
              strcmp(app, "myapp.cpu") == 0,
          "name: app{tags} gives the app");
    CHECK(ing_parse_app_name(" my-app/x_1 ", app, sizeof(app), &err) == 0 &&
              strcmp(app, "my-app/x_1") == 0,
          "name: trimmed, '-' '/' '_' allowed");
    CHECK(ing_parse_app_name("app{__name__=x, spaced = v }", app, sizeof(app), &err) == 0,
          "name: __name__ and spaced tags accepted");
    CHECK(ing_parse_app_name("", app, sizeof(app), &err) < 0 && err.status == 400,
          "name: empty refused with 400");
    CHECK(ing_parse_app_name(NULL, app, sizeof(app), &err) < 0 && err.status == 400,
          "name: missing refused");
    CHECK(ing_parse_app_name("my app", app, sizeof(app), &err) < 0 && err.status == 400,
          "name: space inside refused");
    CHECK(ing_parse_app_name("{env=x}", app, sizeof(app), &err) < 0,
          "name: tags without app refused");
    CHECK(ing_parse_app_name("app{bad-key=1}", app, sizeof(app), &err) < 0 && err.status == 400,
          "name: tag key with '-' refused");
    char small[4];
    CHECK(ing_parse_app_name("toolong", small, sizeof(small), &err) < 0,
          "name: longer than the buffer refused");
}

static void test_time(void) {
    int64_t ns = 0;
    CHECK(ing_parse_time("1700000000", &ns) == 0 && ns == 1700000000LL * 1000000000,
          "time: seconds");
    CHECK(ing_parse_time("1700000000123", &ns) == 0 && ns == 1700000000123LL * 1000000,
          "time: milliseconds");
    CHECK(ing_parse_time("1700000000123456", &ns) == 0 && ns == 1700000000123456LL * 1000,
          "time: microseconds");
    CHECK(ing_parse_time("1700000000123456789", &ns) == 0 && ns == 1700000000123456789LL,
          "time: nanoseconds");
    CHECK(ing_parse_time("", &ns) < 0 && ing_parse_time("12a", &ns) < 0 &&
              ing_parse_time("-5", &ns) < 0 && ing_parse_time("99999999999999999999", &ns) < 0 &&
              ing_parse_time(NULL, &ns) < 0 && ing_parse_time("9999999999999999999", &ns) < 0,
          "time: empty, non-digits, negative, overlong, over int64 refused");
    CHECK(ing_parse_time("9223372036", &ns) == 0 && ns == 9223372036000000000LL &&
              ing_parse_time("9223372037", &ns) < 0,
          "time: seconds up to the int64 limit");
    CHECK(ing_decode_ingest(NULL, NULL, NULL, (const uint8_t *)"a 1", 3, NULL, NULL, NULL, NULL) ==
              0,
          "ingest: NULL app, limits, sink, result and error are tolerated");
}

int main(void) {
    test_folded();
    test_lines();
    test_trie();
    test_tree();
    test_jfr();
    test_app_name();
    test_time();
    return TAP_DONE();
}
