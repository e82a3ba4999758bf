/* fibonacci.c: the fibonacci-c-cpu benchmark: naive recursive Fibonacci, CPU bound with no
 * allocation and stacks N frames deep; profiled by the agent when the environment asks. */
#include "abagent.h"

#include <stdio.h>
#include <stdlib.h>

/* At -O2 gcc turns this recursion into loops (fib(35) in a few ms, stacks 2 frames deep);
 * -O1 for this one function keeps the real recursion, N frames deep, that profilers must
 * unwind. */
#if defined(__clang__)
static unsigned long fib(unsigned n) __attribute__((noinline, optnone));
#else
static unsigned long fib(unsigned n) __attribute__((noinline, optimize("O1")));
#endif

static unsigned long fib(unsigned n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(int argc, char **argv) {
    if (argc > 1 && (argv[1][0] == '-')) {
        printf("usage: fibonacci [N]   computes fib(N) recursively (default 42)\n");
        return argv[1][1] == '-' && argv[1][2] == 'h' ? 0 : 2;
    }
    char *end = NULL;
    long n = argc > 1 ? strtol(argv[1], &end, 10) : 42;
    if ((argc > 1 && *end != '\0') || n < 0 || n > 60) {
        fprintf(stderr, "fibonacci: N must be an integer in [0, 60]\n");
        return 2;
    }
    agent_start();
    unsigned long result = fib((unsigned)n);
    printf("fib(%ld) = %lu\n", n, result);
    agent_work_done("checksum: %lu\n", result);
    agent_stop();
    return 0;
}
