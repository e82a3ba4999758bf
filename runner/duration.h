/* duration.h: the one parser of durations in seconds, for every option and bench.conf key
 * that takes one (--timeout, --slow-delay, --upload-interval, --duration; bench.conf
 * timeout, expected_duration and a service's ready_timeout, warmup_s, capacity_s,
 * duration_s and their quick_ forms). A duration is a plain decimal number of seconds ("2", "0.25",
 * "1e3"), finite, from DURATION_MIN to DURATION_MAX: below the millisecond the runner's
 * helper rounds a timeout to 0, which means none, and past DURATION_MAX a timer never
 * fires in any run's life. Zero is allowed only where it means something (no delay, "not
 * given"). */
#ifndef AB_RUNNER_DURATION_H
#define AB_RUNNER_DURATION_H

#include <stddef.h>

#define DURATION_MIN 0.001     /* seconds: the run helper's resolution */
#define DURATION_MAX 1000000.0 /* seconds: 11.6 days */

/* Parse text into *out. zero_ok: "0" is accepted (as 0). 0, or -1 with a message in err
 * (without the option's name: "'1e-9' is below 0.001 s, the shortest duration"). */
int rn_duration_parse(const char *text, int zero_ok, double *out, char *err, size_t errlen);

#endif
