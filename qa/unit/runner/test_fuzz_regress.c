/* test_fuzz_regress.c: replays the runner's fuzz corpora (qa/fuzz-corpus/runner/<target>/:
 * seeds, and the inputs that once crashed a target or made it take too long, kept as
 * regression inputs) through the same code the libFuzzer targets run (runner/fuzz/
 * fuzz_targets.h), so `make check` (and, under ASan+UBSan, `make unit-san`) fails when a
 * fixed bug comes back. A target aborts on a broken invariant; an input must also finish
 * within a minute (a parser gone quadratic on a kept 1 MiB input takes hours; a linear
 * one, milliseconds). */
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "../tap.h"
#include "fuzz/fuzz_targets.h"

typedef int (*fuzz_fn)(const uint8_t *, size_t);

static const char *current;

static void on_alarm(int sig) {
    (void)sig;
    static const char msg[] = "not ok - an input took over a minute: ";
    if (write(1, msg, sizeof msg - 1) < 0 || write(1, current, strlen(current)) < 0 ||
        write(1, "\n", 1) < 0) {}
    _exit(1);
}

static uint8_t *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0, got;
    uint8_t *b = malloc(cap);
    while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) b = realloc(b, cap *= 2);
    }
    fclose(f);
    *len = n;
    return b;
}

static void replay(const char *corpus, const char *target, fuzz_fn fn) {
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/%s", corpus, target);
    DIR *d = opendir(dir);
    CHECK(d != NULL, target);
    if (!d) return;
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[PATH_MAX + 256];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t len;
        uint8_t *data = slurp(path, &len);
        if (!data) continue;
        current = path;
        alarm(60);
        fn(data, len); /* aborts on a broken invariant */
        alarm(0);
        free(data);
        n++;
    }
    closedir(d);
    char what[300];
    snprintf(what, sizeof what, "%s: %d corpus inputs replayed", target, n);
    CHECK(n > 0, what);
}

int main(void) {
    char corpus[PATH_MAX];
    snprintf(corpus, sizeof corpus, "%s", __FILE__);
    char *slash = strrchr(corpus, '/');
    snprintf(slash ? slash : corpus, sizeof corpus - (size_t)(slash ? slash - corpus : 0), "%s",
             slash ? "/../../fuzz-corpus/runner" : "../../fuzz-corpus/runner");
    signal(SIGALRM, on_alarm);
    replay(corpus, "benchconf", fuzz_benchconf);
    replay(corpus, "fold_perf", fuzz_fold_perf);
    replay(corpus, "fold_bpftrace", fuzz_fold_bpftrace);
    replay(corpus, "ready", fuzz_ready);
    replay(corpus, "measure", fuzz_measure);
    replay(corpus, "baseline_json", fuzz_baseline_json);
    return TAP_DONE();
}
