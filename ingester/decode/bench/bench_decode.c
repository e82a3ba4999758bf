/* bench_decode.c: pprof decode throughput of the ingester (goal >= 200 MB/s of
 * decompressed profile). Generates a realistic CPU profile (thousands of samples, deep
 * stacks, inlined frames, labels), then times in one run:
 *   reference  protobuf-c unpack + free alone (malloc allocator), zlib inflate alone,
 *              libdeflate inflate alone, and gzipped decode the zlib way (streaming zlib
 *              inflate with ing_gunzip_stream, then the raw decoder: the path before
 *              libdeflate, and still the fallback)
 *   decoder    ing_decode_ingest(format=pprof) raw, gzipped (as agents send it), and
 *              gzipped with a stack sink (the --store path)
 * and prints MB of decompressed profile per CPU second, and each ratio to the reference.
 * Usage: bench_decode [SECONDS_PER_CASE] (default 1). */
#include "decode.h"
#include "decode_internal.h"
#include "decode_testlib.h" /* t_gzip: the unit tests' gzip encoder */
#include "proto/profile.pb-c.h"

#include <libdeflate.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

typedef Perftools__Profiles__Profile Profile;

#define N_FUNCS   4000
#define N_LOCS    12000
#define N_SAMPLES 8000
#define MIN_DEPTH 16
#define MAX_DEPTH 72

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint32_t rnd(uint32_t n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static uint8_t *make_profile(size_t *len) {
    Profile p = PERFTOOLS__PROFILES__PROFILE__INIT;
    size_t nstr = N_FUNCS + 16;
    p.string_table = calloc(nstr, sizeof(char *));
    p.string_table[p.n_string_table++] = strdup("");
    const char *fixed[] = {"samples", "count", "cpu", "nanoseconds", "thread", "main.go"};
    for (size_t i = 0; i < 6; i++) p.string_table[p.n_string_table++] = strdup(fixed[i]);
    Perftools__Profiles__ValueType vt[2];
    Perftools__Profiles__ValueType *vtp[2] = {&vt[0], &vt[1]};
    for (int i = 0; i < 2; i++) {
        perftools__profiles__value_type__init(&vt[i]);
        vt[i].type = 1 + 2 * i;
        vt[i].unit = 2 + 2 * i;
    }
    p.sample_type = vtp;
    p.n_sample_type = 2;
    p.period_type = &vt[1];
    p.period = 10000000;

    Perftools__Profiles__Function *funcs = calloc(N_FUNCS, sizeof(*funcs));
    p.function = calloc(N_FUNCS, sizeof(*p.function));
    for (size_t i = 0; i < N_FUNCS; i++) {
        char name[96];
        snprintf(name, sizeof(name),
                 "github.com/example/service/pkg%zu.(*Handler%zu).ServeRequest%zu", i % 37, i % 113,
                 i);
        perftools__profiles__function__init(&funcs[i]);
        funcs[i].id = i + 1;
        funcs[i].name = funcs[i].system_name = (int64_t)p.n_string_table;
        funcs[i].filename = 6;
        p.string_table[p.n_string_table++] = strdup(name);
        p.function[p.n_function++] = &funcs[i];
    }
    Perftools__Profiles__Location *locs = calloc(N_LOCS, sizeof(*locs));
    Perftools__Profiles__Line *lines = calloc(N_LOCS * 3, sizeof(*lines));
    Perftools__Profiles__Line **line_ptrs = calloc(N_LOCS * 3, sizeof(*line_ptrs));
    p.location = calloc(N_LOCS, sizeof(*p.location));
    size_t nl = 0;
    for (size_t i = 0; i < N_LOCS; i++) {
        perftools__profiles__location__init(&locs[i]);
        locs[i].id = i + 1;
        locs[i].address = 0x400000 + i * 16;
        size_t k = 1 + (rnd(10) == 0) + (rnd(20) == 0); /* some inlined frames */
        locs[i].line = &line_ptrs[nl];
        locs[i].n_line = k;
        for (size_t j = 0; j < k; j++) {
            perftools__profiles__line__init(&lines[nl]);
            lines[nl].function_id = 1 + rnd(N_FUNCS);
            lines[nl].line = 1 + rnd(900);
            line_ptrs[nl] = &lines[nl];
            nl++;
        }
        p.location[p.n_location++] = &locs[i];
    }
    /* Stacks are paths in a synthetic call tree (each node a call site, i.e. a location),
     * children picked with a skew, as real programs spend their time in few paths. */
    enum {
        FANOUT = 4
    };
    uint32_t(*child)[FANOUT] = calloc(N_LOCS + 1, sizeof(*child));
    uint32_t next_loc = 2, root = 1;
    Perftools__Profiles__Sample *samples = calloc(N_SAMPLES, sizeof(*samples));
    Perftools__Profiles__Label *labels = calloc(N_SAMPLES, sizeof(*labels));
    Perftools__Profiles__Label **label_ptrs = calloc(N_SAMPLES, sizeof(*label_ptrs));
    p.sample = calloc(N_SAMPLES, sizeof(*p.sample));
    uint64_t path[MAX_DEPTH];
    for (size_t i = 0; i < N_SAMPLES; i++) {
        perftools__profiles__sample__init(&samples[i]);
        size_t depth = MIN_DEPTH + rnd(MAX_DEPTH - MIN_DEPTH + 1);
        uint32_t node = root;
        path[0] = node;
        for (size_t d = 1; d < depth; d++) {
            uint32_t r = rnd(16), c = r < 8 ? 0 : r < 12 ? 1 : r < 14 ? 2 : 3;
            if (child[node][c] == 0)
                child[node][c] = next_loc < N_LOCS ? next_loc++ : 1 + rnd(N_LOCS);
            node = child[node][c];
            path[d] = node;
        }
        samples[i].location_id = malloc(depth * sizeof(uint64_t));
        samples[i].n_location_id = depth;
        for (size_t d = 0; d < depth; d++) /* leaf first */
            samples[i].location_id[d] = path[depth - 1 - d];
        samples[i].value = malloc(2 * sizeof(int64_t));
        samples[i].n_value = 2;
        samples[i].value[0] = 1 + rnd(5);
        samples[i].value[1] = samples[i].value[0] * 10000000;
        perftools__profiles__label__init(&labels[i]);
        labels[i].key = 5;
        labels[i].num = rnd(16);
        label_ptrs[i] = &labels[i];
        samples[i].label = &label_ptrs[i];
        samples[i].n_label = 1;
        p.sample[p.n_sample++] = &samples[i];
    }
    free(child);
    *len = perftools__profiles__profile__get_packed_size(&p);
    uint8_t *out = malloc(*len);
    perftools__profiles__profile__pack(&p, out);
    for (size_t i = 0; i < N_SAMPLES; i++) {
        free(samples[i].location_id);
        free(samples[i].value);
    }
    for (size_t i = 0; i < p.n_string_table; i++) free(p.string_table[i]);
    free(p.string_table), free(funcs), free(p.function), free(locs), free(lines), free(line_ptrs);
    free(p.location), free(samples), free(labels), free(label_ptrs), free(p.sample);
    return out;
}

static double clock_s(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
static double now(void) {
    return clock_s(CLOCK_MONOTONIC);
}
static double cpu_now(void) {
    return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

static const uint8_t *g_raw, *g_gz;
static size_t g_rawlen, g_gzlen;
static ing_limits g_lim = {.max_decompressed = 256 << 20, .max_frames = 4096};
static ing_counts g_counts;
static volatile uint64_t g_sink;

static void on_profile(void *arg, const char *app, const char *format, const char *type,
                       const ing_counts *c) {
    (void)arg, (void)app, (void)format, (void)type;
    g_counts = *c;
}

static int on_stack(void *arg, const char *app, const char *type, const char *folded, size_t len,
                    uint64_t value) {
    (void)arg, (void)app, (void)type;
    g_sink += len + value + (unsigned char)folded[0];
    return ING_STACK_KEPT;
}

static int run_unpack(void) {
    Profile *p = perftools__profiles__profile__unpack(NULL, g_rawlen, g_raw);
    if (p == NULL) return -1;
    perftools__profiles__profile__free_unpacked(p, NULL);
    return 0;
}

static int run_inflate(void) {
    static uint8_t *buf;
    if (buf == NULL) buf = malloc(g_rawlen + 64);
    uLongf n = (uLongf)g_rawlen + 64;
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    inflateInit2(&zs, 15 + 32);
    zs.next_in = (Bytef *)g_gz;
    zs.avail_in = (uInt)g_gzlen;
    zs.next_out = buf;
    zs.avail_out = (uInt)n;
    int rc = inflate(&zs, Z_FINISH);
    inflateEnd(&zs);
    return rc == Z_STREAM_END ? 0 : -1;
}

static int run_libdeflate(void) {
    static uint8_t *buf;
    if (buf == NULL) buf = malloc(g_rawlen + 64);
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    enum libdeflate_result rc = libdeflate_gzip_decompress(d, g_gz, g_gzlen, buf, g_rawlen, NULL);
    libdeflate_free_decompressor(d);
    return rc == LIBDEFLATE_SUCCESS ? 0 : -1;
}

static int decode(const uint8_t *b, size_t n, bool stacks) {
    ing_sink sink = {.profile = on_profile, .stack = stacks ? on_stack : NULL};
    ing_error err;
    if (ing_decode_ingest("pprof", "application/octet-stream", "bench", b, n, &g_lim, &sink, NULL,
                          &err) < 0) {
        fprintf(stderr, "bench_decode: decode failed: %s\n", err.msg);
        return -1;
    }
    return 0;
}
static int run_decode_raw(void) {
    return decode(g_raw, g_rawlen, false);
}
static int run_decode_gz(void) {
    return decode(g_gz, g_gzlen, false);
}
static int run_decode_gz_stacks(void) {
    return decode(g_gz, g_gzlen, true);
}

/* The zlib path: streaming inflate into a kept buffer, then the raw decoder. */
static int run_decode_gz_zlib(void) {
    static ing_buf plain;
    ing_error err;
    if (ing_gunzip_stream(g_gz, g_gzlen, g_lim.max_decompressed, &plain, &err) < 0) {
        fprintf(stderr, "bench_decode: inflate failed: %s\n", err.msg);
        return -1;
    }
    return decode((const uint8_t *)plain.data, plain.len, false);
}

/* MB of decompressed profile per second of this thread's CPU time (what the code costs,
 * robust on a shared machine), best of 3 rounds of about seconds/3 each. */
static double measure(int (*fn)(void), double seconds) {
    double best = 0;
    for (int round = 0; round < 3; round++) {
        double t0 = now(), c0 = cpu_now();
        long n = 0;
        do {
            if (fn() < 0) exit(1);
            n++;
        } while (now() - t0 < seconds / 3);
        double mbs = (double)g_rawlen * (double)n / (cpu_now() - c0) / 1e6;
        if (mbs > best) best = mbs;
    }
    return best;
}

/* A profile from a file (raw or gzipped pprof, e.g. one a real agent sent). */
static int bench_file(const char *path, double secs) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    static uint8_t buf[64 << 20];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    g_gz = buf, g_gzlen = n;
    if (decode(buf, n, false) < 0) return 1;
    /* The decompressed size, for MB/s: count it once. */
    ing_counts c = g_counts;
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    uint8_t *out = malloc(256 << 20);
    inflateInit2(&zs, 15 + 32);
    zs.next_in = buf, zs.avail_in = (uInt)n, zs.next_out = out, zs.avail_out = 256 << 20;
    g_rawlen = inflate(&zs, Z_FINISH) == Z_STREAM_END ? zs.total_out : n;
    inflateEnd(&zs);
    free(out);
    double mbs = measure(run_decode_gz, secs);
    printf("%s: %zu bytes (%zu decompressed), %llu samples, %llu frames: %.1f MB/s, %.0f "
           "profiles/s (CPU time)\n",
           path, n, g_rawlen, (unsigned long long)c.samples, (unsigned long long)c.frames, mbs,
           mbs * 1e6 / (double)g_rawlen);
    return 0;
}

static const char *loadavg(void) {
    static char buf[64] = "?";
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%63s", buf) != 1) snprintf(buf, sizeof(buf), "?");
        fclose(f);
    }
    return buf;
}

int main(int argc, char **argv) {
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf(
            "usage: bench_decode [SECONDS_PER_CASE [raw|gzip|zlib|stacks|unpack | --file PPROF]]\n"
            "Times pprof decoding of a generated profile and prints MB/s (decompressed)\n"
            "against protobuf-c unpack, zlib and libdeflate inflate, and gzipped decode\n"
            "through zlib's streaming inflate, measured in the same run.\n");
        return 0;
    }
    double secs = argc > 1 ? atof(argv[1]) : 1.0;
    if (secs <= 0) secs = 1.0;
    if (argc > 3 && strcmp(argv[2], "--file") == 0) return bench_file(argv[3], secs);
    size_t rawlen, gzlen;
    uint8_t *raw = make_profile(&rawlen);
    uint8_t *gz = t_gzip(raw, rawlen, &gzlen);
    g_raw = raw, g_rawlen = rawlen, g_gz = gz, g_gzlen = gzlen;
    if (decode(raw, rawlen, false) < 0) return 1;
    printf("MB/s below: MB of decompressed profile per second of CPU time (load average %s)\n",
           loadavg());
    printf(
        "profile: %zu bytes (%zu gzipped), %d samples, %llu frames, %d functions, %d locations\n",
        rawlen, gzlen, N_SAMPLES, (unsigned long long)g_counts.frames, N_FUNCS, N_LOCS);

    if (argc > 2) { /* one case only, for perf record */
        int (*fn)(void) = strcmp(argv[2], "raw") == 0      ? run_decode_raw
                          : strcmp(argv[2], "gzip") == 0   ? run_decode_gz
                          : strcmp(argv[2], "zlib") == 0   ? run_decode_gz_zlib
                          : strcmp(argv[2], "stacks") == 0 ? run_decode_gz_stacks
                                                           : run_unpack;
        printf("%s: %.1f MB/s\n", argv[2], measure(fn, secs));
        return 0;
    }
    double unpack = measure(run_unpack, secs);
    double inflate = measure(run_inflate, secs);
    double ldeflate = measure(run_libdeflate, secs);
    double d_zlib = measure(run_decode_gz_zlib, secs);
    double d_raw = measure(run_decode_raw, secs);
    double d_gz = measure(run_decode_gz, secs);
    double d_stacks = measure(run_decode_gz_stacks, secs);
    double ref_gz = 1.0 / (1.0 / unpack + 1.0 / inflate); /* inflate then unpack, serially */
    printf("reference protobuf-c unpack+free       %8.1f MB/s\n", unpack);
    printf("reference zlib inflate                 %8.1f MB/s\n", inflate);
    printf("reference libdeflate inflate           %8.1f MB/s  %.2fx zlib\n", ldeflate,
           ldeflate / inflate);
    printf("reference inflate+unpack (combined)    %8.1f MB/s\n", ref_gz);
    printf("reference decode pprof gzip via zlib   %8.1f MB/s  (streaming zlib, then decode raw)\n",
           d_zlib);
    printf("decode pprof raw                       %8.1f MB/s  %.2fx unpack\n", d_raw,
           d_raw / unpack);
    printf(
        "decode pprof gzip                      %8.1f MB/s  %.2fx inflate+unpack, %.2fx via zlib\n",
        d_gz, d_gz / ref_gz, d_gz / d_zlib);
    printf("decode pprof gzip + stacks (--store)   %8.1f MB/s  %.2fx inflate+unpack\n", d_stacks,
           d_stacks / ref_gz);
    printf("goal >= 200 MB/s decompressed: raw %s (%.0f), gzipped %s (%.0f; via zlib %.0f, zlib "
           "inflate alone %.0f)\n",
           d_raw >= 200 ? "met" : "NOT met", d_raw, d_gz >= 200 ? "met" : "NOT met", d_gz, d_zlib,
           inflate);
    free(raw);
    free(gz);
    return 0;
}
