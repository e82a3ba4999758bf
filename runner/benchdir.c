/* benchdir.c: loading benchmark directories and their bench.conf. */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "benchdir.h"
#include "duration.h"

static char *trim(char *s) {
    while (isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = 0;
    return s;
}

int benchconf_parse(benchmark *b, const char *text, char *err, size_t errlen) {
    char *copy = xstrdup(text), *save = NULL;
    int lineno = 0, rc = 0;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *l = trim(line);
        if (!*l) continue;
        char *eq = strchr(l, '=');
        if (!eq) {
            snprintf(err, errlen, "bench.conf line %d: expected 'key = value'", lineno);
            rc = -1;
            break;
        }
        *eq = 0;
        char *key = trim(l), *val = trim(eq + 1);
        char **slot = NULL;
        if (!strcmp(key, "description")) slot = &b->description;
        else if (!strcmp(key, "profiler")) slot = &b->profiler;
        else if (!strcmp(key, "args")) slot = &b->args;
        else if (!strcmp(key, "quick_args")) slot = &b->quick_args;
        else if (!strcmp(key, "timeout") || !strcmp(key, "expected_duration")) {
            /* 0: not given (the default timeout; no expected duration) */
            double v;
            char why[160];
            if (duration_parse(val, 1, &v, why, sizeof why) < 0) {
                snprintf(err, errlen, "bench.conf line %d: %s: %s", lineno, key, why);
                rc = -1;
                break;
            }
            if (!strcmp(key, "timeout")) b->timeout = v;
            else b->expected_duration = v;
        }
        else if (!strncmp(key, "truth.", 6)) {
            char msg[300];
            if (ab_truth_add(&b->truth, key + 6, val, msg, sizeof msg) < 0) {
                snprintf(err, errlen, "bench.conf line %d: %s", lineno, msg);
                rc = -1;
                break;
            }
        }
        if (slot) {
            free(*slot);
            *slot = xstrdup(val);
        }
    }
    free(copy);
    char msg[300];
    if (rc == 0 && ab_truth_check(&b->truth, msg, sizeof msg) < 0) {
        snprintf(err, errlen, "bench.conf: %s", msg);
        rc = -1;
    }
    return rc;
}

/* A bench.conf is a few lines: a larger file is not one (and is not read whole). */
#define BENCHCONF_MAX (64 << 10)

/* The file's text, or NULL: missing (*too_big 0) or over BENCHCONF_MAX (*too_big 1). */
static char *read_small_file(const char *path, int *too_big) {
    *too_big = 0;
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *buf = xmalloc(BENCHCONF_MAX + 2);
    size_t n = fread(buf, 1, BENCHCONF_MAX + 1, f);
    fclose(f);
    if (n > BENCHCONF_MAX) {
        *too_big = 1;
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    return buf;
}

benchmark *benchmark_load(const char *dir, char *err, size_t errlen) {
    char abs[PATH_MAX], path[PATH_MAX + 32];
    if (!is_dir(dir)) {
        snprintf(err, errlen, "%s: not a benchmark directory (no such directory)", dir);
        return NULL;
    }
    if (!realpath(dir, abs)) {
        snprintf(err, errlen, "%s: cannot resolve path", dir);
        return NULL;
    }
    snprintf(path, sizeof path, "%s/run", abs);
    if (!is_executable_file(path)) {
        snprintf(err, errlen, "%s: not a benchmark directory (no executable 'run' in it)", dir);
        return NULL;
    }
    benchmark *b = xcalloc(1, sizeof *b);
    b->dir = xstrdup(abs);
    const char *base = strrchr(abs, '/');
    b->name = xstrdup(base && base[1] ? base + 1 : abs);
    snprintf(path, sizeof path, "%s/build", abs);
    b->has_build = is_executable_file(path);
    snprintf(path, sizeof path, "%s/bench.conf", abs);
    int too_big;
    char *text = read_small_file(path, &too_big);
    if (too_big) {
        snprintf(err, errlen, "%s: bench.conf is larger than %d KiB: not a bench.conf", dir,
                 BENCHCONF_MAX >> 10);
        benchmark_free(b);
        return NULL;
    }
    if (text) {
        char msg[200];
        if (benchconf_parse(b, text, msg, sizeof msg) < 0) {
            snprintf(err, errlen, "%s: %s", dir, msg);
            free(text);
            benchmark_free(b);
            return NULL;
        }
        free(text);
    }
    if (!b->description) b->description = xstrdup("");
    if (!b->profiler) b->profiler = xstrdup("c");
    return b;
}

void benchmark_free(benchmark *b) {
    if (!b) return;
    free(b->name); free(b->dir); free(b->description); free(b->profiler);
    free(b->args); free(b->quick_args);
    ab_truth_free(&b->truth);
    free(b);
}

int benchmark_profiled(const benchmark *b) { return strcmp(b->profiler, "none") != 0; }

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void push(benchmark ***v, int *n, benchmark *b) {
    *v = xrealloc(*v, (size_t)(*n + 1) * sizeof **v);
    (*v)[(*n)++] = b;
}

/* Add every direct child of dir that is a benchmark; returns how many. */
static int add_children(const char *dir, benchmark ***v, int *n, char *err, size_t errlen) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    strlist names = {0};
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char *p = xasprintf("%s/%s/run", dir, e->d_name);
        if (is_executable_file(p)) strlist_add(&names, e->d_name);
        free(p);
    }
    closedir(d);
    if (names.n) qsort(names.v, names.n, sizeof *names.v, cmp_str);
    int added = 0;
    for (size_t i = 0; i < names.n; i++) {
        char *p = xasprintf("%s/%s", dir, names.v[i]);
        benchmark *b = benchmark_load(p, err, errlen);
        free(p);
        if (!b) { strlist_free(&names); return -1; }
        push(v, n, b);
        added++;
    }
    strlist_free(&names);
    return added;
}

/* The benchmark at dir, if it has an executable run: 1 added, 0 not one, -1 with err. */
static int add_if_benchmark(const char *dir, benchmark ***v, int *n, char *err,
                            size_t errlen) {
    char *run = xasprintf("%s/run", dir);
    int direct = is_executable_file(run);
    free(run);
    if (!direct) return 0;
    benchmark *b = benchmark_load(dir, err, errlen);
    if (!b) return -1;
    push(v, n, b);
    return 1;
}

/* What one argument names: a benchmark directory, a directory of them, or a benchmark of
 * the default directory by its name. 0, or -1 with err. */
static int add_named(const char *a, const char *defdir, benchmark ***v, int *n, char *err,
                     size_t errlen) {
    int k = add_if_benchmark(a, v, n, err, errlen);
    if (k) return k < 0 ? -1 : 0;
    if (is_dir(a)) {
        k = add_children(a, v, n, err, errlen);
        if (k < 0) return -1;
        if (k == 0) {
            snprintf(err, errlen, "%s: not a benchmark directory (no executable 'run' in it)", a);
            return -1;
        }
        return 0;
    }
    if (defdir && !strchr(a, '/')) {
        char *p = xasprintf("%s/%s", defdir, a);
        k = add_if_benchmark(p, v, n, err, errlen);
        free(p);
        if (k) return k < 0 ? -1 : 0;
    }
    snprintf(err, errlen, "%s: no such benchmark directory", a);
    return -1;
}

/* One name, one benchmark: results are keyed by name. 0, or -1 with err. */
static int names_unique(benchmark **v, int n, char *err, size_t errlen) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (!strcmp(v[i]->name, v[j]->name)) {
                snprintf(err, errlen, "two benchmarks named '%s' (%s and %s)", v[i]->name,
                         v[j]->dir, v[i]->dir);
                return -1;
            }
    return 0;
}

int benchmarks_resolve(char **args, int nargs, benchmark ***out, char *err, size_t errlen) {
    benchmark **v = NULL;
    int n = 0;
    const char *defdir = default_benchmarks_dir();
    if (nargs == 0) {
        if (!defdir) {
            snprintf(err, errlen, "no benchmarks directory found; name benchmark directories");
            return -1;
        }
        if (add_children(defdir, &v, &n, err, errlen) < 0) goto fail;
        if (n == 0) {
            snprintf(err, errlen, "%s: no benchmarks in it", defdir);
            goto fail;
        }
        *out = v;
        return n;
    }
    for (int i = 0; i < nargs; i++)
        if (add_named(args[i], defdir, &v, &n, err, errlen) < 0) goto fail;
    if (names_unique(v, n, err, errlen) < 0) goto fail;
    *out = v;
    return n;
fail:
    benchmarks_free(v, n);
    return -1;
}

void benchmarks_free(benchmark **v, int n) {
    for (int i = 0; i < n; i++) benchmark_free(v[i]);
    free(v);
}
