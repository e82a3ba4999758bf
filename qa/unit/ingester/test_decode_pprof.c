/* test_decode_pprof.c: unit tests of pprof decoding (raw, gzipped, corrupt, bombs,
 * bad references) and of multipart/form-data bodies, with real Profile messages encoded
 * by protobuf-c. */
#include "decode_testlib.h"

static int ingest(const char *format, const char *ct, const void *body, size_t len,
                  const ing_limits *lim, rec *r, ing_error *err) {
    ing_sink sink = rec_sink(r);
    memset(err, 0, sizeof(*err));
    return ing_decode_ingest(format, ct, "svc", body, len, lim, &sink, &r->decoded, err);
}

static const char *standard_stacks = "svc|main;foo;inl;bar 10\nsvc|main;foo;inl 5\n";

static void test_standard(void) {
    rec r;
    ing_error err;
    size_t len, glen;
    uint8_t *raw = tp_standard(&len);
    int rc = ingest("pprof", "application/octet-stream", raw, len, &t_limits, &r, &err);
    CHECK(rc == 0 && r.profiles_called == 1 && strcmp(r.format, "pprof") == 0,
          "pprof raw: accepted (%s)", err.msg);
    CHECK(r.sum.profiles == 1 && r.sum.samples == 2 && r.sum.value == 15 && r.sum.frames == 7,
          "pprof raw: 2 samples, first-type value 15, 7 frames with inlined lines (got %" PRIu64
          " %" PRIu64 " %" PRIu64 ")",
          r.sum.samples, r.sum.value, r.sum.frames);
    CHECK(strcmp(r.stacks, standard_stacks) == 0,
          "pprof raw: stacks root first, inlined expanded (%s)", r.stacks);
    CHECK(r.decoded.body_bytes == len, "pprof raw: body bytes %zu, the body's length",
          r.decoded.body_bytes);

    uint8_t *gz = t_gzip(raw, len, &glen);
    rc = ingest("pprof", NULL, gz, glen, &t_limits, &r, &err);
    CHECK(rc == 0 && r.sum.samples == 2 && r.sum.value == 15 && r.sum.frames == 7 &&
              strcmp(r.stacks, standard_stacks) == 0,
          "pprof gzip: same counts and stacks");
    CHECK(r.decoded.body_bytes == len, "pprof gzip: body bytes %zu, what it inflated to (%zu)",
          r.decoded.body_bytes, len);

    /* Two gzip members back to back: the second is empty-ish but valid. */
    size_t len2;
    uint8_t *gz2 = t_gzip((const uint8_t *)"", 0, &len2);
    uint8_t *cat = malloc(glen + len2);
    memcpy(cat, gz, glen);
    memcpy(cat + glen, gz2, len2);
    rc = ingest("pprof", NULL, cat, glen + len2, &t_limits, &r, &err);
    CHECK(rc == 0 && r.sum.samples == 2, "pprof gzip: concatenated members read as one stream");
    CHECK(r.decoded.body_bytes == len,
          "pprof gzip, two members: body bytes %zu, both members "
          "inflated (%zu), not the last member's trailer",
          r.decoded.body_bytes, len);
    free(cat);
    free(gz2);

    rc = ingest("pprof", NULL, gz, glen - 6, &t_limits, &r, &err);
    CHECK(rc < 0 && err.status == 422 && r.profiles_called == 0,
          "pprof gzip: truncated refused with 422 (%s)", err.msg);
    gz[glen / 2] ^= 0x55;
    rc = ingest("pprof", NULL, gz, glen, &t_limits, &r, &err);
    CHECK(rc < 0 && (err.status == 422), "pprof gzip: corrupted refused with 422 (%s)", err.msg);
    free(gz);

    ing_limits lim = {.max_decompressed = 1 << 20, .max_frames = 3};
    rc = ingest("pprof", NULL, raw, len, &lim, &r, &err);
    CHECK(rc < 0 && err.status == 422 && r.stack_calls == 0,
          "pprof: 4-frame sample over a limit of 3 refused (%s)", err.msg);

    /* Without a stack sink, counts only. */
    ing_sink counts_only = {.arg = &r, .profile = rec_profile, .stack = NULL};
    memset(&r, 0, sizeof(r));
    rc = ing_decode_ingest("pprof", NULL, "svc", raw, len, &t_limits, &counts_only, NULL, &err);
    CHECK(rc == 0 && r.sum.samples == 2 && r.stack_calls == 0,
          "pprof: counts without a stack sink");
    free(raw);
}

static void test_corrupt(void) {
    rec r;
    ing_error err;
    size_t len;
    uint8_t *raw = tp_standard(&len);
    int rc = ingest("pprof", NULL, raw, len - 3, &t_limits, &r, &err);
    CHECK(rc < 0 && err.status == 422, "pprof: truncated protobuf refused with 422 (%s)", err.msg);
    rc = ingest("pprof", NULL, "", 0, &t_limits, &r, &err);
    CHECK(rc < 0 && err.status == 422, "pprof: empty body refused with 422");
    const uint8_t junk[] = {0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01};
    rc = ingest("pprof", NULL, junk, sizeof(junk), &t_limits, &r, &err);
    CHECK(rc < 0 && err.status == 422, "pprof: length past the end refused");
    const char *text = "this is not a profile\n";
    rc = ingest("pprof", NULL, text, strlen(text), &t_limits, &r, &err);
    CHECK(rc < 0 && err.status == 422, "pprof: text refused");
    free(raw);
}

typedef enum {
    BAD_LOC,
    BAD_FUNC,
    BAD_NAME,
    BAD_TYPE,
    BAD_NVALUES,
    ZERO_LOC_ID,
    BAD_STR0
} badness;

static uint8_t *bad_profile(badness how, size_t *len) {
    tp t;
    tp_init(&t);
    tp_sample_type(&t, "samples", "count");
    tp_function(&t, 1, how == BAD_NAME ? 999 : tp_str(&t, "main"));
    tp_location(&t, how == ZERO_LOC_ID ? 0 : 1, 0x10, (uint64_t[]){how == BAD_FUNC ? 7 : 1}, 1);
    tp_sample(&t, (uint64_t[]){how == BAD_LOC ? 42 : 1}, 1, (int64_t[]){3, 4},
              how == BAD_NVALUES ? 2 : 1);
    if (how == BAD_TYPE) t.p.sample_type[0]->unit = -1;
    if (how == BAD_STR0) {
        free(t.p.string_table[0]);
        t.p.string_table[0] = strdup("x");
    }
    uint8_t *b = tp_pack(&t, len);
    tp_free(&t);
    return b;
}

static void test_references(void) {
    static const char *what[] = {"missing location id",
                                 "missing function id",
                                 "name string index out of range",
                                 "sample type string index negative",
                                 "values not matching sample types",
                                 "location id 0",
                                 "string_table[0] not empty"};
    for (badness b = BAD_LOC; b <= BAD_STR0; b++) {
        rec r;
        ing_error err;
        size_t len;
        uint8_t *p = bad_profile(b, &len);
        int rc = ingest("pprof", NULL, p, len, &t_limits, &r, &err);
        CHECK(rc < 0 && err.status == 422 && r.stack_calls == 0 && r.profiles_called == 0,
              "pprof: %s refused with 422 (%s)", what[b], err.msg);
        free(p);
    }
}

static void test_sparse_ids_and_addresses(void) {
    tp t;
    tp_init(&t);
    tp_sample_type(&t, "alloc_space", "bytes");
    tp_function(&t, 1000000000001ULL, tp_str(&t, "weird;name\nhere"));
    tp_function(&t, 7, 0); /* no name: reported as "unknown" */
    tp_location(&t, 900000000000ULL, 0xdead, (uint64_t[]){1000000000001ULL}, 1);
    tp_location(&t, 5, 0xbeef, NULL, 0); /* unsymbolized */
    tp_location(&t, 6, 0xf00, (uint64_t[]){7}, 1);
    tp_sample(&t, (uint64_t[]){5, 900000000000ULL, 6}, 3, (int64_t[]){64}, 1);
    tp_sample(&t, (uint64_t[]){6}, 1, (int64_t[]){-5}, 1); /* negative: counted, adds nothing */
    size_t len;
    uint8_t *b = tp_pack(&t, &len);
    tp_free(&t);
    rec r;
    ing_error err;
    int rc = ingest("pprof", NULL, b, len, &t_limits, &r, &err);
    CHECK(rc == 0, "pprof: sparse ids accepted (%s)", err.msg);
    CHECK(r.sum.samples == 2 && r.sum.value == 64 && r.sum.frames == 4,
          "pprof: sparse ids counted (%" PRIu64 " %" PRIu64 " %" PRIu64 ")", r.sum.samples,
          r.sum.value, r.sum.frames);
    CHECK(strcmp(r.stacks, "svc|unknown;weird:name here;0xbeef 64\n") == 0,
          "pprof: unsymbolized frame by address, ';' and newlines replaced (%s)", r.stacks);
    free(b);
}

static void test_gzip_bomb(void) {
    size_t n = 64 << 20, glen;
    uint8_t *zeros = calloc(1, n);
    uint8_t *gz = t_gzip(zeros, n, &glen);
    free(zeros);
    rec r;
    ing_error err;
    ing_limits lim = {.max_decompressed = 4 << 20, .max_frames = 1024};
    int rc = ingest("pprof", NULL, gz, glen, &lim, &r, &err);
    CHECK(rc < 0 && err.status == 413 && r.profiles_called == 0,
          "pprof: %zu-byte gzip inflating to 64 MiB refused with 413 at a 4 MiB cap (%s)", glen,
          err.msg);
    lim.max_decompressed = 0; /* default cap (256 MiB): inflates, then is not a profile */
    rc = ingest("pprof", NULL, gz, glen, &lim, &r, &err);
    CHECK(rc < 0 && err.status == 422,
          "pprof: 64 MiB of zeros under the default cap is 422, not a profile");
    free(gz);

    /* The cap bounds memory, not one buffer: a profile inflating to exactly the cap
     * inflates, but its decoded tree does not fit beside it. */
    size_t len;
    uint8_t *raw = tp_standard(&len);
    gz = t_gzip(raw, len, &glen);
    lim.max_decompressed = len;
    rc = ingest("pprof", NULL, gz, glen, &lim, &r, &err);
    CHECK(rc < 0 && err.status == 413 && strstr(err.msg, "memory"),
          "pprof: inflating to exactly the cap leaves no memory to decode it: 413 (%s)", err.msg);
    lim.max_decompressed = len - 1;
    rc = ingest("pprof", NULL, gz, glen, &lim, &r, &err);
    CHECK(rc < 0 && err.status == 413 && strstr(err.msg, "inflates"),
          "pprof: one byte over the cap does not inflate: 413 (%s)", err.msg);
    lim.max_decompressed = 64 * len;
    rc = ingest("pprof", NULL, gz, glen, &lim, &r, &err);
    CHECK(rc == 0 && r.sum.samples == 2, "pprof: within a cap of 64 times its size: accepted (%s)",
          err.msg);
    free(gz);
    free(raw);
}

/* A multipart body with the given parts (name, data) and line break. */
static uint8_t *mp_build(const char *boundary, const char *nl, const char **names,
                         const uint8_t **data, const size_t *lens, int n, size_t *outlen) {
    size_t cap = 1024;
    for (int i = 0; i < n; i++) cap += lens[i] + 256;
    uint8_t *b = malloc(cap);
    size_t o = (size_t)sprintf((char *)b, "preamble%s", nl);
    for (int i = 0; i < n; i++) {
        o += (size_t)sprintf(
            (char *)b + o,
            "--%s%sContent-Disposition: form-data; name=\"%s\"; filename=\"%s.bin\"%s"
            "Content-Type: application/octet-stream%s%s",
            boundary, nl, names[i], names[i], nl, nl, nl);
        memcpy(b + o, data[i], lens[i]);
        o += lens[i];
        o += (size_t)sprintf((char *)b + o, "%s", nl);
    }
    o += (size_t)sprintf((char *)b + o, "--%s--%s", boundary, nl);
    *outlen = o;
    return b;
}

static void test_multipart(void) {
    rec r;
    ing_error err;
    size_t len, glen, blen;
    uint8_t *raw = tp_standard(&len);
    uint8_t *gz = t_gzip(raw, len, &glen);
    const char *config =
        "{\"cpu\":{\"units\":\"samples\",\"aggregation\":\"sum\",\"display-name\":\"cpu\"}}";
    const char *ct = "multipart/form-data; boundary=4f3a9c";

    const char *names[] = {"profile", "prev_profile", "sample_type_config"};
    const uint8_t *data[] = {gz, raw, (const uint8_t *)config};
    size_t lens[] = {glen, len, strlen(config)};
    uint8_t *body = mp_build("4f3a9c", "\r\n", names, data, lens, 3, &blen);
    int rc = ingest(NULL, ct, body, blen, &t_limits, &r, &err);
    CHECK(rc == 0 && r.profiles_called == 1 && strcmp(r.format, "pprof") == 0,
          "multipart: accepted (%s)", err.msg);
    CHECK(r.sum.profiles == 1 && r.sum.samples == 2 && r.sum.value == 15 && r.sum.frames == 7 &&
              strcmp(r.stacks, standard_stacks) == 0,
          "multipart: the profile part counted once, prev_profile not");
    CHECK(r.decoded.body_bytes == blen, "multipart: body bytes %zu, the body's own length (%zu)",
          r.decoded.body_bytes, blen);
    rc = ingest("pprof", ct, body, blen, &t_limits, &r, &err);
    CHECK(rc == 0 && r.sum.samples == 2, "multipart: also with format=pprof");
    free(body);

    body = mp_build("quoted boundary", "\n", names, data, lens, 1, &blen);
    rc = ingest(NULL, "multipart/form-data; charset=x; boundary=\"quoted boundary\"", body, blen,
                &t_limits, &r, &err);
    CHECK(rc == 0 && r.sum.samples == 2, "multipart: quoted boundary and bare LF line breaks (%s)",
          err.msg);
    free(body);

    body = mp_build("4f3a9c", "\r\n", names, data, lens, 3, &blen);
    rc = ingest(NULL, "multipart/form-data", body, blen, &t_limits, &r, &err);
    CHECK(rc < 0 && err.status == 422, "multipart: no boundary refused with 422 (%s)", err.msg);
    rc = ingest(NULL, "multipart/form-data; boundary=other", body, blen, &t_limits, &r, &err);
    CHECK(rc < 0 && err.status == 422, "multipart: wrong boundary refused with 422 (%s)", err.msg);
    rc = ingest(NULL, ct, body, blen - 12, &t_limits, &r, &err);
    CHECK(rc < 0 && err.status == 422, "multipart: unterminated body refused with 422 (%s)",
          err.msg);
    free(body);

    body = mp_build("4f3a9c", "\r\n", names + 1, data + 1, lens + 1, 2, &blen);
    rc = ingest(NULL, ct, body, blen, &t_limits, &r, &err);
    CHECK(rc < 0 && err.status == 422 && r.profiles_called == 0,
          "multipart: no profile part refused with 422 (%s)", err.msg);
    free(body);

    const uint8_t *bad_config[] = {gz, (const uint8_t *)"{not json"};
    size_t bad_config_lens[] = {glen, 9};
    const char *cfg_names[] = {"profile", "sample_type_config"};
    body = mp_build("4f3a9c", "\r\n", cfg_names, bad_config, bad_config_lens, 2, &blen);
    rc = ingest(NULL, ct, body, blen, &t_limits, &r, &err);
    CHECK(rc < 0 && err.status == 422, "multipart: invalid sample_type_config refused (%s)",
          err.msg);
    free(body);

    const uint8_t *bad_prev[] = {gz, (const uint8_t *)"\x0a\x7f"};
    size_t bad_prev_lens[] = {glen, 2};
    const char *prev_names[] = {"profile", "prev_profile"};
    body = mp_build("4f3a9c", "\r\n", prev_names, bad_prev, bad_prev_lens, 2, &blen);
    rc = ingest(NULL, ct, body, blen, &t_limits, &r, &err);
    CHECK(rc < 0 && err.status == 422 && strstr(err.msg, "prev_profile"),
          "multipart: corrupt prev_profile refused (%s)", err.msg);
    free(body);

    const uint8_t *bad_profile_part[] = {(const uint8_t *)"garbage!"};
    size_t bad_profile_lens[] = {8};
    body = mp_build("4f3a9c", "\r\n", names, bad_profile_part, bad_profile_lens, 1, &blen);
    rc = ingest(NULL, ct, body, blen, &t_limits, &r, &err);
    CHECK(rc < 0 && err.status == 422, "multipart: corrupt profile part refused (%s)", err.msg);
    free(body);
    free(gz);
    free(raw);
}

int main(void) {
    test_standard();
    test_corrupt();
    test_references();
    test_sparse_ids_and_addresses();
    test_gzip_bomb();
    test_multipart();
    return TAP_DONE();
}
