/* test_symbols_regress.c: replays the ELF symbol reader's fuzz corpus
 * (qa/fuzz-corpus/benchmarks/symbols/: seeds, and inputs that once broke it, kept as
 * regression inputs) through the fuzz target's own code (benchmarks/fuzz/fuzz_symbols.h),
 * so `make unit` (and `make unit-san`, where a misaligned read is a failure) catches a
 * fixed bug coming back. Each input must finish within a minute: the one that was
 * quadratic (20000 aliases of a 500 KB name) took over two minutes; now milliseconds. */
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include "../tap.h"
#include "../../../benchmarks/fuzz/fuzz_symbols.h"

static const char *current;

static void on_alarm(int sig) {
    (void)sig;
    static const char msg[] = "not ok - an input took over a minute: ";
    if (write(1, msg, sizeof msg - 1) < 0 || write(1, current, strlen(current)) < 0 ||
        write(1, "\n", 1) < 0) {}
    _exit(1);
}

int main(void) {
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", __FILE__);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0;
    else snprintf(dir, sizeof dir, ".");
    strncat(dir, "/../../fuzz-corpus/benchmarks/symbols", sizeof dir - strlen(dir) - 1);
    signal(SIGALRM, on_alarm);
    DIR *d = opendir(dir);
    CHECK(d != NULL, "the corpus directory is there");
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[PATH_MAX + 256];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f) continue;
        fseek(f, 0, SEEK_END);
        long len = ftell(f);
        rewind(f);
        uint8_t *data = malloc(len > 0 ? (size_t)len : 1);
        size_t got = data ? fread(data, 1, (size_t)len, f) : 0;
        fclose(f);
        current = path;
        alarm(60);
        fuzz_symbols(data, got); /* aborts on a broken promise */
        alarm(0);
        free(data);
        n++;
    }
    if (d) closedir(d);
    CHECK(n >= 3, "every corpus input replayed");
    return TAP_DONE();
}
