/* test_decode_stream.c: the streamed text decoder (decode.h ing_stream_*) answers exactly
 * as ing_decode_ingest does for the whole body: the same status, message, counts and
 * decoded bytes, for every way of cutting the body into chunks (at each byte, and byte by
 * byte), for folded and lines bodies good and bad, CRLF, a last line without a break,
 * and lines too long to carry (over the stack limit, without a space, with a bad or a
 * zero value); it holds at most one line of the limit and 64 bytes; formats that do not
 * stream are refused. */
#include "decode_testlib.h"

typedef struct outcome {
    int rc, status;
    char msg[256];
    ing_counts c;
    size_t bytes;
} outcome;

static void whole(const char *format, const char *body, size_t len, const ing_limits *lim,
                  outcome *o) {
    rec r;
    ing_sink sink = rec_sink(&r);
    sink.stack = NULL;
    ing_error err = {0};
    o->rc = ing_decode_ingest(format, NULL, "app", (const uint8_t *)body, len, lim, &sink,
                              &r.decoded, &err);
    o->status = o->rc < 0 ? err.status : 0;
    snprintf(o->msg, sizeof o->msg, "%s", o->rc < 0 ? err.msg : "");
    o->c = r.sum;
    o->bytes = o->rc < 0 ? 0 : r.decoded.body_bytes;
}

/* Streamed in chunks of step bytes, the first one first bytes long. */
static void streamed(const char *format, const char *body, size_t len, const ing_limits *lim,
                     size_t first, size_t step, outcome *o, size_t *held) {
    rec r;
    ing_sink sink = rec_sink(&r);
    ing_error err = {0};
    ing_stream *st = ing_stream_begin(format, NULL, "app", lim);
    *held = 0;
    for (size_t at = 0, n = first; at < len; at += n, n = step) {
        if (n > len - at) n = len - at;
        ing_stream_feed(st, (const uint8_t *)body + at, n);
        if (ing_stream_held(st) > *held) *held = ing_stream_held(st);
    }
    ing_decoded d = {0};
    o->rc = ing_stream_end(st, &sink, &d, &err);
    o->status = o->rc < 0 ? err.status : 0;
    snprintf(o->msg, sizeof o->msg, "%s", o->rc < 0 ? err.msg : "");
    o->c = r.sum;
    o->bytes = o->rc < 0 ? 0 : d.body_bytes;
}

static bool same(const outcome *a, const outcome *b) {
    return a->rc == b->rc && a->status == b->status && strcmp(a->msg, b->msg) == 0 &&
           a->c.profiles == b->c.profiles && a->c.samples == b->c.samples &&
           a->c.value == b->c.value && a->c.frames == b->c.frames && a->bytes == b->bytes;
}

static void check_body(const char *format, const char *body, const ing_limits *lim,
                       const char *what) {
    size_t len = strlen(body), held_max = 0, held;
    outcome w, s;
    whole(format, body, len, lim, &w);
    bool all = true;
    char first_diff[1024] = "";
    for (size_t first = 1; first <= len + 1 && all; first++) {
        streamed(format, body, len, lim, first, len + 1, &s, &held); /* two chunks */
        if (held > held_max) held_max = held;
        if (!same(&w, &s)) {
            all = false;
            snprintf(first_diff, sizeof first_diff, "cut at %zu: %d %s / %d %s", first, w.rc, w.msg,
                     s.rc, s.msg);
        }
    }
    streamed(format, body, len, lim, 1, 1, &s, &held); /* byte by byte */
    if (all && !same(&w, &s)) {
        all = false;
        snprintf(first_diff, sizeof first_diff, "byte by byte: %d %s / %d %s", w.rc, w.msg, s.rc,
                 s.msg);
    }
    CHECK(all, "%s: streamed in any chunks = whole (%s%s)", what, w.rc < 0 ? w.msg : "ok",
          first_diff);
    CHECK(held_max <= lim->max_stack_bytes + 64 + 2048,
          "%s: held at most a line of the limit, 64 "
          "bytes and its state (%zu)",
          what, held_max);
}

int main(void) {
    ing_limits lim = {.max_decompressed = 1 << 20, .max_frames = 8, .max_stack_bytes = 16};
    check_body(NULL, "main;foo;bar 12\r\nmain;foo 3\n\nno-value-line\nmain;idle 0\nmain 1", &lim,
               "folded");
    check_body("lines", "main;foo\nmain;foo\r\n\nmain;bar;baz\n", &lim, "lines");
    check_body(NULL, "ok 1\nbad x\nlater 2\n", &lim, "bad value");
    check_body(NULL, "a;b;c;d;e;f;g;h;i 1\n", &lim, "too many frames");
    check_body(NULL, "", &lim, "empty");
    check_body(NULL, "a;b 1", &lim, "no final line break");
    check_body(NULL, "0123456789abcdefg 1\n", &lim, "a stack one over the limit (carried)");
    /* overlong lines: more than the limit and 64 bytes */
    char body[4096];
    char big[200];
    memset(big, 'x', 150);
    big[150] = '\0';
    snprintf(body, sizeof body, "a 1\n%s 5\nb 2\n", big);
    check_body(NULL, body, &lim, "an overlong stack");
    snprintf(body, sizeof body, "a 1\n%s\nb 2\n", big);
    check_body(NULL, body, &lim, "an overlong line without a space (skipped)");
    snprintf(body, sizeof body, "a 1\n%s 0\r\nb 2\n", big);
    check_body(NULL, body, &lim, "an overlong line of value 0 (skipped)");
    snprintf(body, sizeof body, "a 1\nx %s\nb 2\n", big);
    check_body(NULL, body, &lim, "an overlong value");
    snprintf(body, sizeof body, "a 1\n%s 12x\r\n", big);
    check_body(NULL, body, &lim, "an overlong line with a bad value");
    snprintf(body, sizeof body, "a 1\n%s 99999999999999999999\n", big);
    check_body(NULL, body, &lim, "an overlong line with a value over 64 bits");
    snprintf(body, sizeof body, "a 1\n%s \n", big);
    check_body(NULL, body, &lim, "an overlong line ending in a space");
    snprintf(body, sizeof body, "%s", big);
    check_body("lines", body, &lim, "lines: an overlong line");
    snprintf(body, sizeof body, "a 1\n%s", big);
    check_body(NULL, body, &lim, "an overlong last line without a break (no space)");

    CHECK(ing_stream_begin("pprof", NULL, "app", &lim) == NULL &&
              ing_stream_begin("trie", NULL, "app", &lim) == NULL &&
              ing_stream_begin(NULL, "multipart/form-data; boundary=x", "app", &lim) == NULL &&
              ing_stream_begin(NULL, "binary/octet-stream+tree", "app", &lim) == NULL,
          "pprof, trie, tree and multipart bodies do not stream");
    ing_limits nolimit = {.max_decompressed = 1 << 20};
    CHECK(ing_stream_begin(NULL, NULL, "app", &nolimit) == NULL,
          "without a stack limit, no stream");
    ing_stream *st = ing_stream_begin("folded", NULL, "app", &lim);
    ing_stream_feed(st, (const uint8_t *)"a 1\n", 4);
    ing_stream_free(st);
    CHECK(1, "a stream abandoned is freed (ASan says if not)");
    return TAP_DONE();
}
