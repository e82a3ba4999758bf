/* util.c: allocation, string lists, clocks, paths and number formatting for the runner. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "util.h"

#ifndef AB_PREFIX
#define AB_PREFIX "/usr/local"
#endif

static void oom(void) {
    fputs("agentbench: out of memory\n", stderr);
    abort();
}

void *rn_xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) oom();
    return p;
}

void *rn_xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) oom();
    return p;
}

void *rn_xrealloc(void *p, size_t n) {
    p = realloc(p, n ? n : 1);
    if (!p) oom();
    return p;
}

char *rn_xstrdup(const char *s) {
    char *d = strdup(s ? s : "");
    if (!d) oom();
    return d;
}

char *rn_xasprintf(const char *fmt, ...) {
    va_list ap;
    char *s;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0) oom();
    va_end(ap);
    return s;
}

void rn_strlist_add_take(strlist *l, char *s) {
    if (l->n + 2 > l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->v = rn_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = s;
    l->v[l->n] = NULL;
}

void rn_strlist_add(strlist *l, const char *s) {
    rn_strlist_add_take(l, rn_xstrdup(s));
}

void rn_strlist_free(strlist *l) {
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

int rn_strlist_index(const strlist *l, const char *s) {
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], s)) return (int)i;
    return -1;
}

void rn_strlist_split(strlist *l, const char *s, int ws) {
    const char *seps = ws ? " \t\r\n" : ",";
    while (*s) {
        size_t skip = strspn(s, seps), len;
        s += skip;
        len = strcspn(s, seps);
        if (len) {
            char *item = rn_xmalloc(len + 1);
            memcpy(item, s, len);
            item[len] = 0;
            rn_strlist_add_take(l, item);
        }
        s += len;
    }
}

const char *rn_self_dir(void) {
    static char dir[PATH_MAX];
    if (!dir[0]) {
        ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
        if (n <= 0) {
            strcpy(dir, ".");
        } else {
            dir[n] = 0;
            char *slash = strrchr(dir, '/');
            if (slash && slash != dir) *slash = 0;
            else strcpy(dir, "/");
        }
    }
    return dir;
}

int rn_is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int rn_is_executable_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

const char *rn_default_benchmarks_dir(void) {
    static char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/../benchmarks", rn_self_dir()) < (int)sizeof path &&
        rn_is_dir(path))
        return path;
    if (rn_is_dir("benchmarks")) return "benchmarks";
    snprintf(path, sizeof path, "%s/share/agentbench/benchmarks", AB_PREFIX);
    if (rn_is_dir(path)) return path;
    return NULL;
}

int rn_mkdir_p(const char *path) {
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0755) < 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(buf, 0755) < 0 && errno != EEXIST) return -1;
    return 0;
}

void rn_fmt_seconds(char *buf, size_t len, double s) {
    double a = s < 0 ? -s : s;
    if (a >= 1 || a == 0) snprintf(buf, len, "%.4g s", s);
    else if (a >= 1e-3) snprintf(buf, len, "%.4g ms", s * 1e3);
    else snprintf(buf, len, "%.4g µs", s * 1e6);
}

void rn_fmt_kib(char *buf, size_t len, double kib) {
    if (kib >= 1024 * 1024) snprintf(buf, len, "%.3g GiB", kib / (1024 * 1024));
    else if (kib >= 1024) snprintf(buf, len, "%.3g MiB", kib / 1024);
    else snprintf(buf, len, "%.0f KiB", kib);
}

void rn_fmt_pct(char *buf, size_t len, double ratio) {
    snprintf(buf, len, "%+.2f%%", (ratio - 1) * 100);
}
