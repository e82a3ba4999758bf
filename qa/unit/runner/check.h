/* check.h: the tiny test harness of the runner's unit tests: CHECK(cond, what) prints
 * "ok N - what" or "not ok N - what" and the test exits non-zero if any failed. */
#ifndef AB_RUNNER_UNIT_CHECK_H
#define AB_RUNNER_UNIT_CHECK_H

#include <stdio.h>

static int check_n, check_failed;
#define CHECK(cond, what)                                                              \
    do {                                                                               \
        ++check_n;                                                                     \
        if (cond) printf("ok %d - %s\n", check_n, what);                               \
        else {                                                                         \
            printf("not ok %d - %s (%s:%d)\n", check_n, what, __FILE__, __LINE__);     \
            check_failed++;                                                            \
        }                                                                              \
    } while (0)
#define CHECK_DONE() (printf("1..%d\n", check_n), check_failed ? 1 : 0)

#endif
