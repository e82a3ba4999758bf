/* server_tap.h: minimal TAP checks for the ingester server's unit tests (header only):
 * CHECK(cond, fmt, ...) prints "ok N - what" or "not ok N - what"; TAP_DONE() ends with
 * the plan and the exit status. */
#ifndef SERVER_TAP_H
#define SERVER_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_n, tap_failed;

static __attribute__((format(printf, 4, 5), unused)) int
tap_check(int ok, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    printf("%s %d - ", ok ? "ok" : "not ok", ++tap_n);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!ok) {
        tap_failed++;
        printf("#   failed at %s:%d\n", file, line);
    }
    return ok;
}

#define CHECK(cond, ...) tap_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define TAP_DONE() (printf("1..%d\n", tap_n), tap_failed ? 1 : 0)

#endif
