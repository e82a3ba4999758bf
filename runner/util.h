/* util.h: small helpers the runner's files share: allocation that cannot fail silently,
 * growable string lists, clocks, paths and human-readable numbers. */
#ifndef AB_RUNNER_UTIL_H
#define AB_RUNNER_UTIL_H

#include <stddef.h>

void *rn_xmalloc(size_t n);
void *rn_xcalloc(size_t n, size_t size);
void *rn_xrealloc(void *p, size_t n);
char *rn_xstrdup(const char *s);
char *rn_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

typedef struct strlist {
    size_t n, cap;
    char **v; /* NULL-terminated */
} strlist;
void rn_strlist_add(strlist *l, const char *s); /* copies s */
void rn_strlist_add_take(strlist *l, char *s);  /* takes ownership of s */
void rn_strlist_free(strlist *l);
int rn_strlist_index(const strlist *l, const char *s); /* -1 when absent */
/* Split s at commas (skipping empty items) or, with ws, at white space. */
void rn_strlist_split(strlist *l, const char *s, int ws);

/* Directory of the running executable (from /proc/self/exe), or "." */
const char *rn_self_dir(void);
/* The benchmarks directory: ../benchmarks next to the binary's tree, then ./benchmarks,
 * then PREFIX/share/agentbench/benchmarks. Returns NULL when none exists. */
const char *rn_default_benchmarks_dir(void);
int rn_is_dir(const char *path);
int rn_is_executable_file(const char *path);
/* mkdir -p; returns 0 or -1 with errno */
int rn_mkdir_p(const char *path);

/* "1.234 s", "12.3 ms", "456 µs" with 4 significant digits */
void rn_fmt_seconds(char *buf, size_t len, double s);
/* "12.3 MiB" from KiB */
void rn_fmt_kib(char *buf, size_t len, double kib);
/* "+1.23%" from a ratio (1.0123) */
void rn_fmt_pct(char *buf, size_t len, double ratio);

#endif
