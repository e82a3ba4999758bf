/* tap.h: the one test harness of agentbench's C unit tests (qa/unit/PART/test_*.c, header
 * only). Every check prints a TAP line, "ok N - what" or "not ok N - what"; a failure adds
 * "#" lines with where it failed and, for the comparing checks, both values (as libuv's
 * ASSERT_EQ does), so a failing CI log says what was got and what was wanted. TAP_DONE()
 * prints the plan and gives main()'s exit status (1 when any check failed).
 *
 *   CHECK(cond, "what %d", ...)               any condition
 *   CHECK_INT(got, want, "what", ...)         integers, compared as intmax_t
 *   CHECK_STR(got, want, "what", ...)         C strings (NULL allowed)
 *   CHECK_NEAR(got, want, tol, "what", ...)   doubles: |got - want| <= tol * max(1, |want|)
 *   diag("detail %s", ...)                    a "# detail" line
 *   tap_file_text("%s/%s", dir, name)         a file's text (up to 64 KiB; NULL when it
 *                                             cannot be read), in a buffer the next call reuses
 * Each check returns whether it passed, so a test can stop early when the rest would be
 * meaningless: `if (!CHECK(p != NULL, "parsed")) return TAP_DONE();`. */
#ifndef AB_UNIT_TAP_H
#define AB_UNIT_TAP_H

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static __attribute__((format(printf, 4, 0), unused)) int tap_vcheck(int pass, const char *file,
                                                                    int line, const char *fmt,
                                                                    va_list ap) {
    printf("%sok %d - ", pass ? "" : "not ", ++tap_n);
    vprintf(fmt, ap);
    putchar('\n');
    if (!pass) {
        tap_failed++;
        printf("#   failed at %s:%d\n", file, line);
    }
    fflush(stdout);
    return pass;
}

static __attribute__((format(printf, 4, 5), unused)) int tap_check(int pass, const char *file,
                                                                   int line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    tap_vcheck(pass, file, line, fmt, ap);
    va_end(ap);
    return pass;
}

static __attribute__((format(printf, 5, 6), unused)) int tap_check_int(intmax_t got, intmax_t want,
                                                                       const char *file, int line,
                                                                       const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    tap_vcheck(got == want, file, line, fmt, ap);
    va_end(ap);
    if (got != want) printf("#   got  %" PRIdMAX "\n#   want %" PRIdMAX "\n", got, want);
    return got == want;
}

static __attribute__((format(printf, 5, 6), unused)) int tap_check_str(const char *got,
                                                                       const char *want,
                                                                       const char *file, int line,
                                                                       const char *fmt, ...) {
    int pass = got == want || (got && want && strcmp(got, want) == 0);
    va_list ap;
    va_start(ap, fmt);
    tap_vcheck(pass, file, line, fmt, ap);
    va_end(ap);
    if (!pass)
        printf("#   got  %s%s%s\n#   want %s%s%s\n", got ? "\"" : "", got ? got : "NULL",
               got ? "\"" : "", want ? "\"" : "", want ? want : "NULL", want ? "\"" : "");
    return pass;
}

/* Agreement of two doubles: |got - want| <= tol * max(1, |want|). */
static __attribute__((unused)) int close_enough(double got, double want, double tol) {
    if (got == want) return 1;
    double scale = fabs(want) > 1 ? fabs(want) : 1;
    return fabs(got - want) <= tol * scale;
}

static __attribute__((format(printf, 6, 7), unused)) int tap_check_near(double got, double want,
                                                                        double tol,
                                                                        const char *file, int line,
                                                                        const char *fmt, ...) {
    int pass = close_enough(got, want, tol);
    va_list ap;
    va_start(ap, fmt);
    tap_vcheck(pass, file, line, fmt, ap);
    va_end(ap);
    if (!pass) printf("#   got  %.17g\n#   want %.17g (tolerance %g)\n", got, want, tol);
    return pass;
}

/* diag("what %d", ...): a "# what" comment line, for detail a reader of a failure needs. */
static __attribute__((format(printf, 1, 2), unused)) void diag(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("# ", stdout);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
}

/* Prints the plan; main()'s exit status. */
static __attribute__((format(printf, 1, 2), unused)) const char *tap_file_text(const char *fmt,
                                                                               ...) {
    static char buf[1 << 16];
    char path[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static __attribute__((unused)) int tap_done(void) {
    printf("1..%d\n", tap_n);
    if (tap_failed) printf("# %d of %d failed\n", tap_failed, tap_n);
    fflush(stdout);
    return tap_failed ? 1 : 0;
}

#define CHECK(cond, ...) tap_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_INT(got, want, ...) \
    tap_check_int((intmax_t)(got), (intmax_t)(want), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_STR(got, want, ...) tap_check_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_NEAR(got, want, tol, ...) \
    tap_check_near((got), (want), (tol), __FILE__, __LINE__, __VA_ARGS__)
#define TAP_DONE() tap_done()

#endif
