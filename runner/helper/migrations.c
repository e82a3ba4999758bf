/* migrations.c: the helper's CPU migrations counter (migrations.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "migrations.h"

#include <linux/perf_event.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int counter_fd = -2; /* -2: not opened yet, -1: refused */

long long rn_migrations_now(void) {
    if (counter_fd == -2) {
        struct perf_event_attr a;
        memset(&a, 0, sizeof a);
        a.size = sizeof a;
        a.type = PERF_TYPE_SOFTWARE;
        a.config = PERF_COUNT_SW_CPU_MIGRATIONS;
        a.inherit = 1;
        a.disabled = 1;
        a.enable_on_exec = 1;
        counter_fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
        if (counter_fd < 0) counter_fd = -1;
    }
    uint64_t v;
    if (counter_fd < 0 || read(counter_fd, &v, sizeof v) != (ssize_t)sizeof v) return -1;
    return (long long)v;
}
