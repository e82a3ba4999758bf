/* progress.h: what `agentbench run` tells a person while it works: one progress line
 * updated in place on a terminal, plain log lines otherwise, nothing with --quiet. */
#ifndef AB_RUNNER_PROGRESS_H
#define AB_RUNNER_PROGRESS_H

/* quiet: only warnings and errors. tty < 0: detect on stderr. */
void rn_progress_init(int quiet, int tty);
/* A measured or warm-up run is starting. */
void rn_progress_run_start(const char *bench, const char *variant, int run, int planned, int warmup,
                           unsigned long done, unsigned long total, double eta_s);
/* A run ended (status and wall time). */
void rn_progress_run_end(const char *bench, const char *variant, int run, int planned, int warmup,
                         const char *status, double wall_s, unsigned long done, unsigned long total,
                         double eta_s);
/* An informational line (not in quiet mode). */
void rn_progress_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A warning or error line: always printed, on stderr. */
void rn_progress_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Erase the progress line (before printing a report). */
void rn_progress_clear(void);

/* "1h02m", "3m05s", "42s" */
void rn_fmt_eta(char *buf, unsigned long len, double s);

#endif
