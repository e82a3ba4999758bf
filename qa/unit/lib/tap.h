/* tap.h: the tiny test protocol of agentbench's unit tests: `ok N - what` or
 * `not ok N - what` per check, a plan line at the end, exit status 1 on any failure. */
#ifndef AB_TAP_H
#define AB_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_n, tap_failed;

static void tap_vreport(int pass, const char *fmt, va_list ap)
{
    printf("%sok %d - ", pass ? "" : "not ", ++tap_n);
    vprintf(fmt, ap);
    putchar('\n');
    if (!pass) tap_failed++;
    fflush(stdout);
}

/* ok(cond, "what %d", ...) */
static __attribute__((format(printf, 2, 3), unused)) int ok(int pass, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_vreport(pass, fmt, ap);
    va_end(ap);
    return pass;
}

/* diag("what %d", ...): a "# what" comment line, for detail a reader of a failure needs. */
static __attribute__((format(printf, 1, 2), unused)) void diag(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("# ", stdout);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
}

/* Agreement of two doubles: |got - want| <= tol * max(1, |want|). */
static __attribute__((unused)) int close_enough(double got, double want, double tol)
{
    if (got == want) return 1;
    double scale = fabs(want) > 1 ? fabs(want) : 1;
    return fabs(got - want) <= tol * scale;
}

/* Print the plan and return the process's exit status. */
static __attribute__((unused)) int tap_done(void)
{
    printf("1..%d\n", tap_n);
    if (tap_failed) printf("# %d of %d failed\n", tap_failed, tap_n);
    return tap_failed ? 1 : 0;
}

#endif
