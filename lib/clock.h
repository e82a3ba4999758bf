/* clock.h: the two clocks agentbench reads, in seconds as a double, one name each for
 * every part (runner, its static run helper, the PMDA, lib/):
 *   ab_mono_s()  CLOCK_MONOTONIC: durations, deadlines, rates (never jumps);
 *   ab_wall_s()  CLOCK_REALTIME: timestamps a reader compares with other hosts' (the
 *                journal's `t`, ingester time ranges, capture times).
 * Header-only (static inline), so the library-free run helper uses it too. The C agent
 * keeps its own (it is linked into the programs it measures and depends on nothing of
 * agentbench's); the ingester times with libuv's uv_hrtime(). */
#ifndef AB_CLOCK_H
#define AB_CLOCK_H

#include <time.h>

static inline double ab_mono_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline double ab_wall_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
