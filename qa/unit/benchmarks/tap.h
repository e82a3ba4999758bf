/* tap.h: tiny test helpers for the agent's unit tests: "ok N - what" / "not ok N - what"
 * lines, and an exit status that is non-zero when any check failed. */
#ifndef AB_UNIT_TAP_H
#define AB_UNIT_TAP_H

#include <stdio.h>

static int tap_count, tap_failed;

#define CHECK(cond, what)                                                               \
    do {                                                                                \
        tap_count++;                                                                    \
        if (cond) {                                                                     \
            printf("ok %d - %s\n", tap_count, what);                                    \
        } else {                                                                        \
            tap_failed++;                                                               \
            printf("not ok %d - %s (%s:%d: %s)\n", tap_count, what, __FILE__, __LINE__, \
                   #cond);                                                              \
        }                                                                               \
    } while (0)

#define TAP_DONE() (printf("1..%d\n", tap_count), tap_failed ? 1 : 0)

#endif
