/* testwork.c: the one program behind the runner's test benchmarks (benchmarks/testing/).
 * It burns a known amount of CPU time, allocates and touches a known amount of memory,
 * and prints a checksum that depends only on its arguments, so the runner's tests can
 * check measurements against known values.
 *
 *   testwork burn CPU_MS [MIB]       touch MIB MiB, then spin until the process used CPU_MS
 *   testwork slower CPU_MS [MIB]     like burn, but 3% more CPU when profiling is enabled
 *   testwork badsum CPU_MS [MIB]     like burn, but a different checksum when profiled
 *   testwork linger CPU_MS MS        like burn, then marks the end of its work
 *                                    (work_end:, as agent_work_done() does) and sleeps MS ms
 *                                    before it exits, as an agent's last upload would
 *   testwork blockexit CPU_MS        like linger, but never exits (an agent that blocks)
 *   testwork crash                   dies of SIGSEGV
 *   testwork hang                    sleeps until killed
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROFILING_ENV "PYROSCOPE_AGENT_BENCHMARK_ENABLE_PROFILING"

static double process_cpu_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Spins until the process has used cpu_ms of CPU time in all (its start and the memory
 * touched count too); returns a value that depends on the work so the compiler cannot drop
 * it (it is not part of the checksum: it varies). */
static uint64_t burn_cpu(double cpu_ms) {
    double until = cpu_ms;
    uint64_t x = 88172645463325252ULL;
    do {
        for (int i = 0; i < 10000; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
    } while (process_cpu_ms() < until);
    return x;
}

/* Allocates mib MiB and writes every page, so resident memory really grows by that much. */
static unsigned char *touch_memory(long mib) {
    if (mib <= 0) return NULL;
    size_t size = (size_t)mib << 20;
    unsigned char *p = malloc(size);
    if (p == NULL) {
        fprintf(stderr, "testwork: cannot allocate %ld MiB\n", mib);
        exit(1);
    }
    for (size_t off = 0; off < size; off += 4096) p[off] = (unsigned char)(off >> 12);
    return p;
}

static long parse_number(const char *s, const char *what) {
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 0) {
        fprintf(stderr, "testwork: %s must be a non-negative integer, not '%s'\n", what, s);
        exit(2);
    }
    return v;
}

static void usage(FILE *f) {
    fprintf(f, "usage: testwork burn|slower|badsum CPU_MS [MIB]\n"
               "       testwork linger CPU_MS MS | blockexit CPU_MS\n"
               "       testwork crash | hang\n");
}

int main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *mode = argv[1];
    int profiled = getenv(PROFILING_ENV) != NULL;

    if (strcmp(mode, "crash") == 0) {
        signal(SIGSEGV, SIG_DFL);
        raise(SIGSEGV);
        return 1;
    }
    if (strcmp(mode, "hang") == 0) {
        for (;;) pause();
    }
    int linger = strcmp(mode, "linger") == 0, blockexit = strcmp(mode, "blockexit") == 0;
    if (strcmp(mode, "burn") != 0 && strcmp(mode, "slower") != 0 && strcmp(mode, "badsum") != 0 &&
        !linger && !blockexit) {
        usage(stderr);
        return 2;
    }
    if (argc < 3 || argc > 4 || (linger && argc != 4) || (blockexit && argc != 3)) {
        usage(stderr);
        return 2;
    }
    long cpu_ms = parse_number(argv[2], "CPU_MS");
    long mib = argc > 3 && !linger ? parse_number(argv[3], "MIB") : 0;
    long linger_ms = linger ? parse_number(argv[3], "MS") : 0;
    double burn_ms = (double)cpu_ms;
    if (strcmp(mode, "slower") == 0 && profiled) burn_ms *= 1.03;

    unsigned char *mem = touch_memory(mib);
    volatile uint64_t sink = burn_cpu(burn_ms);
    (void)sink;
    unsigned long sum = 0;
    if (mem != NULL) {
        for (size_t off = 0; off < ((size_t)mib << 20); off += 4096) sum += mem[off];
        free(mem);
    }
    sum = sum * 1000003UL + (unsigned long)cpu_ms;
    if (strcmp(mode, "badsum") == 0 && profiled) sum += 1;
    printf("burned %ld ms of CPU, touched %ld MiB\n", cpu_ms, mib);
    if (linger || blockexit) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        printf("work_end: %lld.%09ld\n", (long long)now.tv_sec, now.tv_nsec);
    }
    printf("checksum: %lu\n", sum);
    fflush(stdout);
    if (blockexit)
        for (;;) pause();
    if (linger) {
        struct timespec ts = {linger_ms / 1000, (linger_ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0) {}
    }
    return 0;
}
