/* test_decode_gzip.c: unit tests of the bounded gzip inflater (ingester/decode/gzip.c): the
 * libdeflate one-shot path and the streaming zlib fallback give the same bytes, the cap
 * holds whatever the gzip trailer claims (honest, lying low, lying high, absurd), several
 * members read as one stream, and corrupt or truncated bodies are 422. */
#include "decode_testlib.h"
#include "decode_internal.h"

/* Overwrite a gzip body's ISIZE trailer. */
static void set_isize(uint8_t *gz, size_t len, uint32_t isize) {
    for (int i = 0; i < 4; i++) gz[len - 4 + i] = (uint8_t)(isize >> (8 * i));
}

/* Compressible but not trivial bytes. */
static uint8_t *t_text(size_t n) {
    uint8_t *b = malloc(n);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245 + 12345;
        b[i] = (uint8_t)("abcdefgh;\n"[(x >> 16) % 10]);
    }
    return b;
}

static int gunzip(const uint8_t *gz, size_t glen, size_t cap, ing_buf *out, ing_error *err) {
    ing_buf_free(out);
    memset(err, 0, sizeof(*err));
    return ing_gunzip(gz, glen, cap, out, err);
}

static void test_roundtrip(void) {
    size_t n = 300000, glen;
    uint8_t *raw = t_text(n);
    uint8_t *gz = t_gzip(raw, n, &glen);
    ing_buf out = {0}, ref = {0};
    ing_error err;
    int rc = gunzip(gz, glen, n, &out, &err);
    CHECK(rc == 0 && out.len == n && memcmp(out.data, raw, n) == 0,
          "gzip: one member inflates exactly (%s)", err.msg);
    rc = ing_gunzip_stream(gz, glen, n, &ref, &err);
    CHECK(rc == 0 && ref.len == out.len && memcmp(ref.data, out.data, n) == 0,
          "gzip: zlib streaming gives the same bytes");
    rc = gunzip(gz, glen, n - 1, &out, &err);
    CHECK(rc < 0 && err.status == 413 && out.len <= n - 1,
          "gzip: one byte over the cap is 413 (%s)", err.msg);

    /* A buffer already bigger than the body is reused as it is. */
    ing_buf_free(&out);
    ing_buf_reserve(&out, 2 * n);
    rc = ing_gunzip(gz, glen, n, &out, &err);
    CHECK(rc == 0 && out.len == n && memcmp(out.data, raw, n) == 0,
          "gzip: inflates into a larger kept buffer");

    /* zlib framing (not gzip) goes the streaming way. */
    uLongf zlen = compressBound((uLong)n);
    uint8_t *z = malloc(zlen);
    compress(z, &zlen, raw, (uLong)n);
    rc = gunzip(z, zlen, n, &out, &err);
    CHECK(rc == 0 && out.len == n && memcmp(out.data, raw, n) == 0,
          "gzip: a zlib-framed body inflates too");
    free(z);
    ing_buf_free(&out);
    ing_buf_free(&ref);
    free(gz);
    free(raw);
}

static void test_lying_isize(void) {
    size_t n = 200000, glen;
    uint8_t *raw = t_text(n);
    uint8_t *gz = t_gzip(raw, n, &glen);
    ing_buf out = {0};
    ing_error err;

    set_isize(gz, glen, 1000); /* claims less than it holds */
    int rc = gunzip(gz, glen, 64 << 20, &out, &err);
    CHECK(rc < 0 && err.status == 422, "gzip: ISIZE lower than the data is 422 (%s)", err.msg);
    rc = gunzip(gz, glen, 50000, &out, &err);
    CHECK(rc < 0 && err.status == 413 && out.len <= 50000,
          "gzip: ISIZE lower than the data, over the cap: 413 (%s)", err.msg);

    set_isize(gz, glen, (uint32_t)n + 5000); /* claims more than it holds */
    rc = gunzip(gz, glen, 64 << 20, &out, &err);
    CHECK(rc < 0 && err.status == 422, "gzip: ISIZE higher than the data is 422 (%s)", err.msg);

    set_isize(gz, glen, UINT32_MAX); /* more than deflate could expand to */
    rc = gunzip(gz, glen, (size_t)8 << 30, &out, &err);
    CHECK(rc < 0 && err.status == 422 && out.cap < ((size_t)1 << 30),
          "gzip: absurd ISIZE is 422 and no buffer for it (cap %zu)", out.cap);
    ing_buf_free(&out);
    free(gz);
    free(raw);
}

static void test_bomb(void) {
    size_t n = 64 << 20, glen;
    uint8_t *zeros = calloc(1, n);
    uint8_t *gz = t_gzip(zeros, n, &glen);
    ing_buf out = {0};
    ing_error err;
    size_t cap = 4 << 20;
    int rc = gunzip(gz, glen, cap, &out, &err);
    CHECK(rc < 0 && err.status == 413 && out.cap <= 2 * cap,
          "gzip: honest 64 MiB bomb is 413 at a 4 MiB cap, buffer %zu (%s)", out.cap, err.msg);
    set_isize(gz, glen, 4096);
    rc = gunzip(gz, glen, cap, &out, &err);
    CHECK(rc < 0 && err.status == 413 && out.cap <= 2 * cap,
          "gzip: bomb with a small lying ISIZE is 413 too, buffer %zu (%s)", out.cap, err.msg);
    set_isize(gz, glen, (uint32_t)n);
    rc = gunzip(gz, glen, n, &out, &err);
    CHECK(rc == 0 && out.len == n && memcmp(out.data, zeros, n) == 0,
          "gzip: the same under a 64 MiB cap inflates");
    ing_buf_free(&out);
    free(gz);
    free(zeros);
}

static void test_members(void) {
    size_t na = 100000, nb = 10, la, lb;
    uint8_t *a = t_text(na), *b = t_text(nb);
    uint8_t *ga = t_gzip(a, na, &la), *gb = t_gzip(b, nb, &lb);
    uint8_t *cat = malloc(la + lb + 16);
    ing_buf out = {0};
    ing_error err;
    /* Big member first: the trailer's ISIZE (the last member's) is too small. */
    memcpy(cat, ga, la);
    memcpy(cat + la, gb, lb);
    int rc = gunzip(cat, la + lb, na + nb, &out, &err);
    CHECK(rc == 0 && out.len == na + nb && memcmp(out.data, a, na) == 0 &&
              memcmp(out.data + na, b, nb) == 0,
          "gzip: big member then small one read as one stream (%s)", err.msg);
    rc = gunzip(cat, la + lb, na + nb - 1, &out, &err);
    CHECK(rc < 0 && err.status == 413, "gzip: two members over the cap together are 413");
    /* Small member first: the ISIZE covers only the last one. */
    memcpy(cat, gb, lb);
    memcpy(cat + lb, ga, la);
    rc = gunzip(cat, la + lb, na + nb, &out, &err);
    CHECK(rc == 0 && out.len == na + nb && memcmp(out.data, b, nb) == 0 &&
              memcmp(out.data + nb, a, na) == 0,
          "gzip: small member then big one read as one stream (%s)", err.msg);
    rc = gunzip(cat, la + lb, na, &out, &err);
    CHECK(rc < 0 && err.status == 413,
          "gzip: the last member's ISIZE within the cap does not let the whole through");
    /* Garbage after a member. */
    memcpy(cat, ga, la);
    memcpy(cat + la, "garbage!", 8);
    rc = gunzip(cat, la + 8, na + 100, &out, &err);
    CHECK(rc < 0 && err.status == 422, "gzip: trailing garbage is 422 (%s)", err.msg);
    ing_buf_free(&out);
    free(cat), free(ga), free(gb), free(a), free(b);
}

static void test_corrupt(void) {
    size_t n = 100000, glen;
    uint8_t *raw = t_text(n);
    uint8_t *gz = t_gzip(raw, n, &glen);
    ing_buf out = {0};
    ing_error err;
    int rc = gunzip(gz, glen - 9, n, &out, &err);
    CHECK(rc < 0 && err.status == 422, "gzip: truncated is 422 (%s)", err.msg);
    gz[glen / 2] ^= 0x55;
    rc = gunzip(gz, glen, n, &out, &err);
    CHECK(rc < 0 && err.status == 422, "gzip: corrupted is 422 (%s)", err.msg);
    gz[glen / 2] ^= 0x55;
    gz[glen - 6] ^= 1; /* CRC32 */
    rc = gunzip(gz, glen, n, &out, &err);
    CHECK(rc < 0 && err.status == 422, "gzip: bad CRC is 422 (%s)", err.msg);
    rc = gunzip(gz, 12, n, &out, &err);
    CHECK(rc < 0 && err.status == 422, "gzip: a bare header is 422 (%s)", err.msg);
    ing_buf_free(&out);
    free(gz);
    free(raw);
}

int main(void) {
    test_roundtrip();
    test_lying_isize();
    test_bomb();
    test_members();
    test_corrupt();
    return TAP_DONE();
}
