/* fuzz_targets.h: what each decoder fuzz target does with one input, shared by the
 * libFuzzer entry points (fuzz_*.c) and the unit test that replays the corpus and kept
 * crashes (qa/unit/ingester/test_decode_regress.c). Header only. */
#ifndef ING_FUZZ_TARGETS_H
#define ING_FUZZ_TARGETS_H

#include "decode.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const ing_limits fuzz_limits = {
    .max_decompressed = 1 << 20, .max_frames = 512, .max_stack_bytes = 64 << 10};

/* Reads every byte of what the decoder reports, so that ASan sees any bad pointer. */
static volatile uint64_t fuzz_sink_sum;

/* A profile type is 1..ING_MAX_TYPE_NAME bytes of [A-Za-z0-9._-] (decode.h). */
static void fuzz_check_type(const char *type) {
    size_t n = strlen(type);
    if (n == 0 || n > ING_MAX_TYPE_NAME ||
        strspn(type, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789._-") != n)
        abort();
}

static void fuzz_profile(void *arg, const char *app, const char *format, const char *type,
                         const ing_counts *c) {
    (void)arg;
    fuzz_check_type(type);
    fuzz_sink_sum += strlen(app) + strlen(format) + c->samples + c->frames + c->value;
}

static size_t fuzz_stack_bytes; /* folded text handed to the sink by this input */

static int fuzz_stack(void *arg, const char *app, const char *type, const char *folded, size_t len,
                      uint64_t value) {
    (void)arg;
    fuzz_check_type(type);
    uint64_t s = strlen(app) + value;
    for (size_t i = 0; i < len; i++) s += (unsigned char)folded[i];
    fuzz_sink_sum += s;
    fuzz_stack_bytes += len;
    return ING_STACK_KEPT;
}

static const ing_sink fuzz_sink = {.profile = fuzz_profile, .stack = fuzz_stack};

/* The status must be one of the documented ones, and the work bounded: the stack text
 * handed to the sink is within the request's budget (at most max_decompressed), however
 * the input repeats or nests its names. Returns rc. */
static int fuzz_check(int rc, const ing_error *err) {
    if (rc < 0 && err->status != 400 && err->status != 413 && err->status != 415 &&
        err->status != 422)
        abort();
    if (fuzz_stack_bytes > fuzz_limits.max_decompressed) abort();
    fuzz_stack_bytes = 0;
    return rc;
}

/* POST /ingest with the format chosen by the first byte. */
static int fuzz_run_ingest(const uint8_t *data, size_t size) {
    static const char *formats[] = {"folded", "lines", "trie", "tree", "pprof", "jfr", NULL};
    if (size == 0) return 0;
    const char *format = formats[data[0] % (sizeof(formats) / sizeof(*formats))];
    ing_error err;
    int rc = ing_decode_ingest(format, "application/octet-stream", "fuzz", data + 1, size - 1,
                               &fuzz_limits, &fuzz_sink, NULL, &err);
    return fuzz_check(rc, &err);
}

static int fuzz_run_pprof(const uint8_t *data, size_t size) {
    ing_error err;
    int rc = ing_decode_ingest("pprof", NULL, "fuzz", data, size, &fuzz_limits, &fuzz_sink, NULL,
                               &err);
    return fuzz_check(rc, &err);
}

/* POST /ingest multipart: a short first line not starting with "--" is the Content-Type. */
static int fuzz_run_multipart(const uint8_t *data, size_t size) {
    char ct[128] = "multipart/form-data; boundary=b0undary";
    const uint8_t *nl = memchr(data, '\n', size < 120 ? size : 120);
    if (nl && nl > data && !(size >= 2 && data[0] == '-' && data[1] == '-')) {
        size_t n = (size_t)(nl - data);
        memcpy(ct, data, n);
        ct[n] = '\0';
        size -= n + 1;
        data = nl + 1;
    }
    ing_error err;
    int rc = ing_decode_ingest(NULL, ct, "fuzz", data, size, &fuzz_limits, &fuzz_sink, NULL, &err);
    return fuzz_check(rc, &err);
}

/* POST /push.v1.PusherService/Push: the first byte picks proto or JSON. */
static int fuzz_run_push(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    const char *ct = data[0] & 1 ? "application/json" : "application/proto";
    ing_error err;
    int rc = ing_decode_push(ct, data + 1, size - 1, &fuzz_limits, &fuzz_sink, NULL, &err);
    return fuzz_check(rc, &err);
}

/* POST /profiling/v1/input (Datadog's intake): the fixed boundary "b0undary". */
static int fuzz_run_datadog(const uint8_t *data, size_t size) {
    ing_error err;
    int rc = ing_decode_datadog("multipart/form-data; boundary=b0undary", data, size, &fuzz_limits,
                                &fuzz_sink, NULL, &err);
    return fuzz_check(rc, &err);
}

#endif
