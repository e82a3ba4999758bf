/* workend.c: agent_work_done() (abagent.h), the batch benchmarks' end-of-work marker for
 * agentbench's exit delay (doc/measurement.md, "Exit delay"). Not part of the agent: it
 * is printed whether the agent runs or not, so every variant has the same figure. */
#include "abagent.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

void agent_work_done(const char *fmt, ...) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    printf("work_end: %lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}
