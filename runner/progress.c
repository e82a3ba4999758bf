/* progress.c: the run command's progress line and log lines (on stderr). */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include "progress.h"
#include "util.h"

static int quiet, tty, line_shown;

void rn_progress_init(int q, int t) {
    quiet = q;
    tty = t < 0 ? isatty(2) : t;
}

void rn_fmt_eta(char *buf, unsigned long len, double s) {
    long x = (long)(s + 0.5);
    if (x < 0) x = 0;
    if (x >= 3600) snprintf(buf, len, "%ldh%02ldm", x / 3600, x / 60 % 60);
    else if (x >= 60) snprintf(buf, len, "%ldm%02lds", x / 60, x % 60);
    else snprintf(buf, len, "%lds", x);
}

void rn_progress_clear(void) {
    if (line_shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        line_shown = 0;
    }
}

static void show_line(const char *bench, const char *variant, int run, int planned, int warmup,
                      unsigned long done, unsigned long total, double eta_s) {
    char eta[32];
    rn_fmt_eta(eta, sizeof eta, eta_s);
    int pct = total ? (int)(100.0 * done / total) : 0;
    if (warmup) fprintf(stderr, "\r\033[K[%3d%%] %s %s warm-up  ETA %s", pct, bench, variant, eta);
    else
        fprintf(stderr, "\r\033[K[%3d%%] %s %s run %d/%d  ETA %s", pct, bench, variant, run,
                planned, eta);
    fflush(stderr);
    line_shown = 1;
}

void rn_progress_run_start(const char *bench, const char *variant, int run, int planned, int warmup,
                           unsigned long done, unsigned long total, double eta_s) {
    if (quiet || !tty) return;
    show_line(bench, variant, run, planned, warmup, done, total, eta_s);
}

void rn_progress_run_end(const char *bench, const char *variant, int run, int planned, int warmup,
                         const char *status, double wall_s, unsigned long done, unsigned long total,
                         double eta_s) {
    if (quiet) return;
    if (tty) {
        show_line(bench, variant, run, planned, warmup, done, total, eta_s);
        return;
    }
    char w[32];
    rn_fmt_seconds(w, sizeof w, wall_s);
    if (warmup) fprintf(stderr, "%s %s warm-up: %s %s\n", bench, variant, status, w);
    else fprintf(stderr, "%s %s run %d/%d: %s %s\n", bench, variant, run, planned, status, w);
}

void rn_progress_info(const char *fmt, ...) {
    if (quiet) return;
    rn_progress_clear();
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void rn_progress_warn(const char *fmt, ...) {
    rn_progress_clear();
    va_list ap;
    va_start(ap, fmt);
    fputs("agentbench: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
