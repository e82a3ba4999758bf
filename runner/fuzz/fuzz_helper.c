/* fuzz_helper.c: libFuzzer target for the measuring helper's side of its protocol
 * (runner/helper/agentbench-measure.c, doc/measurement.md): the requests it reads on its
 * stdin, "COUNT\n" then COUNT times "LEN\nBYTES", through its own read_strings on a pipe
 * holding the input, until it refuses one or the input ends; then the same strings are
 * checked the way its serve loop checks a request (cwd, out, cpus, timeout, argc,
 * argv..., envc, env...). The helper's file is included whole (its main renamed), so
 * this is its code, not a copy; nothing is executed. Built and run by `make -C runner
 * fuzz`. */
#define main agentbench_measure_main
#include "../helper/agentbench-measure.c"
#undef main

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    int p[2];
    if (size > 60000 || pipe(p) < 0) /* a pipe holds 64 KiB: write it all at once */
        return 0;
    if (write(p[1], data, size) != (ssize_t)size) abort();
    close(p[1]);
    in.pos = in.len = 0;
    for (int requests = 0; requests < 1000; requests++) {
        long n;
        char **s = read_strings(p[0], &n);
        if (!s) break;
        long argc = n > 4 ? atol(s[4]) : -1, envc;
        int wellformed = !(argc < 1 || 5 + argc >= n || (envc = atol(s[5 + argc])) < 0 ||
                           6 + argc + envc != n);
        if (wellformed && (!s[0] || !s[5 + argc] || s[n] != NULL)) abort();
        for (long i = 0; i < n; i++) free(s[i]);
        free(s);
    }
    close(p[0]);
    return 0;
}
