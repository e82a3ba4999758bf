/* test_decode_regress.c: replays the decoder fuzz corpus (qa/fuzz-corpus/ingester/
 * <target>/) through the same code the fuzz targets run: every seed-* input must decode,
 * every other input (regress-* of issue 10, made by make_seeds.py, crash-* kept by
 * `make fuzz`, or inputs added by hand) must be
 * answered without crashing (run it under ASan+UBSan to make that mean something).
 * Usage: test_decode_regress [CORPUS_DIR] */
#include "decode_testlib.h"
#include "fuzz/fuzz_targets.h"

#include <dirent.h>
#include <limits.h>

typedef int (*fuzz_fn)(const uint8_t *, size_t);

static uint8_t *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    size_t cap = 4096, n = 0;
    uint8_t *b = malloc(cap);
    size_t got;
    while ((got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) b = realloc(b, cap *= 2);
    }
    fclose(f);
    *len = n;
    return b;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void replay(const char *corpus, const char *target, fuzz_fn fn) {
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s/%s", corpus, target);
    DIR *d = opendir(dir);
    if (!CHECK(d != NULL, "%s: corpus directory %s exists", target, dir)) return;
    char *names[4096];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 4096)
        if (e->d_name[0] != '.') names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_str);
    int seeds = 0, others = 0, seeds_ok = 0;
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX + 256];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        size_t len;
        uint8_t *data = slurp(path, &len);
        if (data) {
            int rc = fn(data, len);
            if (strncmp(names[i], "seed-", 5) == 0) {
                seeds++;
                seeds_ok += rc == 0;
                if (rc != 0) printf("# %s: seed %s does not decode\n", target, names[i]);
            } else {
                others++;
            }
            free(data);
        }
        free(names[i]);
    }
    CHECK(seeds > 0 && seeds_ok == seeds, "%s: all %d seeds decode", target, seeds);
    CHECK(1, "%s: %d other inputs (kept crashes) answered without crashing", target, others);
}

int main(int argc, char **argv) {
    char corpus[PATH_MAX];
    if (argc > 1) {
        snprintf(corpus, sizeof(corpus), "%s", argv[1]);
    } else {
        /* qa/unit/ingester/this.c → qa/fuzz-corpus/ingester */
        snprintf(corpus, sizeof(corpus), "%s", __FILE__);
        char *cut = strstr(corpus, "/unit/ingester/");
        if (cut) strcpy(cut, "/fuzz-corpus/ingester");
        else snprintf(corpus, sizeof(corpus), "qa/fuzz-corpus/ingester");
    }
    replay(corpus, "fuzz_ingest", fuzz_run_ingest);
    replay(corpus, "fuzz_pprof", fuzz_run_pprof);
    replay(corpus, "fuzz_multipart", fuzz_run_multipart);
    replay(corpus, "fuzz_push", fuzz_run_push);
    replay(corpus, "fuzz_datadog", fuzz_run_datadog);
    return TAP_DONE();
}
