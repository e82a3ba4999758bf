/* duration.c: parsing durations (duration.h): strtod, and only after the text has been
 * seen to be a plain decimal number (no "inf", "nan", hex floats or trailing junk), then
 * the range. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "duration.h"

/* digits with at most one '.', then an optional exponent: 2, 0.25, .5, 1e3, 2.5E-1 */
static int plain_decimal(const char *s) {
    int digits = 0, dot = 0;
    for (; *s && *s != 'e' && *s != 'E'; s++) {
        if (*s >= '0' && *s <= '9') digits++;
        else if (*s == '.' && !dot) dot = 1;
        else return 0;
    }
    if (!digits) return 0;
    if (!*s) return 1;
    s++;
    if (*s == '+' || *s == '-') s++;
    if (!*s) return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return 0;
    return 1;
}

int rn_duration_parse(const char *text, int zero_ok, double *out, char *err, size_t errlen) {
    if (!plain_decimal(text)) {
        snprintf(err, errlen, "'%.40s' is not a number of seconds (like 2, 0.25 or 1e3)", text);
        return -1;
    }
    errno = 0;
    double v = strtod(text, NULL);
    if (v == 0 && errno != ERANGE) { /* "0", "0.0", "0e5" */
        if (zero_ok) {
            *out = 0;
            return 0;
        }
        snprintf(err, errlen, "'%.40s': need seconds above 0", text);
        return -1;
    }
    if (!isfinite(v) || v > DURATION_MAX) {
        snprintf(err, errlen, "'%.40s' is beyond %.0f s, the longest duration", text, DURATION_MAX);
        return -1;
    }
    if (v < DURATION_MIN) {
        snprintf(err, errlen, "'%.40s' is below %g s, the shortest duration", text, DURATION_MIN);
        return -1;
    }
    *out = v;
    return 0;
}
