/* benchdir.c: loading benchmark directories and their bench.conf. */
#include <ctype.h>
#include <stddef.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "benchdir.h"
#include "duration.h"
#include "kv.h"
#include "profiler.h"

/* A duration for key (duration.h; 0: not given, the default), or an error message. */
static int conf_seconds(const char *key, const char *val, int lineno, double *out, char *err,
                        size_t errlen) {
    char why[160];
    if (rn_duration_parse(val, 1, out, why, sizeof why) < 0) {
        snprintf(err, errlen, "bench.conf line %d: %s: %s", lineno, key, why);
        return -1;
    }
    return 0;
}

/* The number keys: where each goes (seconds, or a count when count is set). */
static double *seconds_slot(benchmark *b, const char *key) {
    static const struct {
        const char *key;
        size_t off;
    } keys[] = {
        {"timeout", offsetof(benchmark, timeout)},
        {"expected_duration", offsetof(benchmark, expected_duration)},
        {"ready_timeout", offsetof(benchmark, svc.ready_timeout)},
        {"warmup_s", offsetof(benchmark, svc.warmup_s)},
        {"capacity_s", offsetof(benchmark, svc.capacity_s)},
        {"duration_s", offsetof(benchmark, svc.duration_s)},
        {"quick_warmup_s", offsetof(benchmark, svc.quick_warmup_s)},
        {"quick_capacity_s", offsetof(benchmark, svc.quick_capacity_s)},
        {"quick_duration_s", offsetof(benchmark, svc.quick_duration_s)},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(key, keys[i].key)) return (double *)((char *)b + keys[i].off);
    return NULL;
}

static char **string_slot(benchmark *b, const char *key) {
    if (!strcmp(key, "description")) return &b->description;
    if (!strcmp(key, "profiler")) return &b->profiler;
    if (!strcmp(key, "args")) return &b->args;
    if (!strcmp(key, "quick_args")) return &b->quick_args;
    if (!strcmp(key, "ready_path")) return &b->svc.ready_path;
    if (!strcmp(key, "load_paths")) return &b->svc.load_paths;
    if (!strcmp(key, "digest_header")) return &b->svc.digest_header;
    return NULL;
}

/* kind and load_connections: 0, or -1 with err */
static int other_key(benchmark *b, const char *key, const char *val, int lineno, char *err,
                     size_t errlen) {
    if (!strcmp(key, "kind")) {
        if (!strcmp(val, "batch")) b->kind = KIND_BATCH;
        else if (!strcmp(val, "service")) b->kind = KIND_SERVICE;
        else {
            snprintf(err, errlen, "bench.conf line %d: kind must be batch or service", lineno);
            return -1;
        }
    } else if (!strcmp(key, "load_connections")) {
        char *end;
        long v = strtol(val, &end, 10);
        if (end == val || *end || v < 1 || v > 10000) {
            snprintf(err, errlen,
                     "bench.conf line %d: load_connections must be a count in "
                     "[1, 10000]",
                     lineno);
            return -1;
        }
        b->svc.load_connections = (int)v;
    }
    return 0; /* unknown keys are ignored */
}

/* The defaults of the service keys bench.conf did not give. */
static void service_defaults(benchmark *b) {
    service_conf *c = &b->svc;
    if (!c->ready_path) c->ready_path = rn_xstrdup("/healthz");
    if (!c->load_paths) c->load_paths = rn_xstrdup("/");
    if (c->ready_timeout <= 0) c->ready_timeout = 10;
    if (c->warmup_s <= 0) c->warmup_s = 5;
    if (c->capacity_s <= 0) c->capacity_s = 10;
    if (c->duration_s <= 0) c->duration_s = 30;
    if (c->quick_warmup_s <= 0) c->quick_warmup_s = 0.5;
    if (c->quick_capacity_s <= 0) c->quick_capacity_s = 1;
    if (c->quick_duration_s <= 0) c->quick_duration_s = 2;
    if (c->load_connections <= 0) c->load_connections = 16;
}

int rn_benchconf_parse(benchmark *b, const char *text, char *err, size_t errlen) {
    char *copy = rn_xstrdup(text), *save = NULL;
    int lineno = 0, rc = 0;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *key, *val;
        int kind = ab_kv_line(line, &key, &val);
        if (kind == AB_KV_BLANK) continue;
        if (kind == AB_KV_MALFORMED) {
            snprintf(err, errlen, "bench.conf line %d: expected 'key = value'", lineno);
            rc = -1;
            break;
        }
        char **slot = string_slot(b, key);
        double *secs = seconds_slot(b, key);
        if (!strncmp(key, "truth.", 6)) {
            char msg[300];
            if (rn_truth_add(&b->truth, key + 6, val, msg, sizeof msg) < 0) {
                snprintf(err, errlen, "bench.conf line %d: %s", lineno, msg);
                rc = -1;
                break;
            }
            continue;
        }
        if (slot) {
            free(*slot);
            *slot = rn_xstrdup(val);
        } else if (secs ? conf_seconds(key, val, lineno, secs, err, errlen) < 0
                        : other_key(b, key, val, lineno, err, errlen) < 0) {
            rc = -1;
            break;
        }
    }
    free(copy);
    if (rc == 0 && b->kind == KIND_SERVICE) service_defaults(b);
    char msg[300];
    if (rc == 0 && rn_truth_check(&b->truth, msg, sizeof msg) < 0) {
        snprintf(err, errlen, "bench.conf: %s", msg);
        rc = -1;
    }
    return rc;
}

/* b->profiler ("c", "none", "pyroscope-nodejs, datadog-nodejs") into b->profilers, each
 * name checked and spelled as profiler.h does. 0, or -1 with a message. */
static int profilers_parse(benchmark *b, char *msg, size_t msglen) {
    strlist names = {0};
    rn_strlist_split(&names, b->profiler, 0);
    int rc = 0;
    for (size_t i = 0; i < names.n && rc == 0; i++) {
        char *name = ab_trim(names.v[i]);
        const ab_profiler *p = rn_profiler_find(name);
        if (!strcmp(name, "none") && names.n == 1) break;
        if (!p) {
            snprintf(msg, msglen, "unknown profiler '%s' (%s, or none)", name, rn_profiler_names());
            rc = -1;
        } else if (rn_strlist_index(&b->profilers, p->name) < 0) {
            rn_strlist_add(&b->profilers, p->name);
        }
    }
    rn_strlist_free(&names);
    return rc;
}

/* A bench.conf is a few lines: a larger file is not one (and is not read whole). */
#define BENCHCONF_MAX (64 << 10)

/* The file's text, or NULL: missing (*too_big 0) or over BENCHCONF_MAX (*too_big 1). */
static char *read_small_file(const char *path, int *too_big) {
    *too_big = 0;
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *buf = rn_xmalloc(BENCHCONF_MAX + 2);
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

benchmark *rn_benchmark_load(const char *dir, char *err, size_t errlen) {
    char abs[PATH_MAX], path[PATH_MAX + 32];
    if (!rn_is_dir(dir)) {
        snprintf(err, errlen, "%s: not a benchmark directory (no such directory)", dir);
        return NULL;
    }
    if (!realpath(dir, abs)) {
        snprintf(err, errlen, "%s: cannot resolve path", dir);
        return NULL;
    }
    snprintf(path, sizeof path, "%s/run", abs);
    if (!rn_is_executable_file(path)) {
        snprintf(err, errlen, "%s: not a benchmark directory (no executable 'run' in it)", dir);
        return NULL;
    }
    benchmark *b = rn_xcalloc(1, sizeof *b);
    b->dir = rn_xstrdup(abs);
    const char *base = strrchr(abs, '/');
    b->name = rn_xstrdup(base && base[1] ? base + 1 : abs);
    snprintf(path, sizeof path, "%s/build", abs);
    b->has_build = rn_is_executable_file(path);
    snprintf(path, sizeof path, "%s/bench.conf", abs);
    int too_big;
    char *text = read_small_file(path, &too_big);
    if (too_big) {
        snprintf(err, errlen, "%s: bench.conf is larger than %d KiB: not a bench.conf", dir,
                 BENCHCONF_MAX >> 10);
        rn_benchmark_free(b);
        return NULL;
    }
    if (text) {
        char msg[200];
        if (rn_benchconf_parse(b, text, msg, sizeof msg) < 0) {
            snprintf(err, errlen, "%s: %s", dir, msg);
            free(text);
            rn_benchmark_free(b);
            return NULL;
        }
        free(text);
    }
    if (!b->description) b->description = rn_xstrdup("");
    if (!b->profiler) b->profiler = rn_xstrdup("c");
    char msg[300];
    if (profilers_parse(b, msg, sizeof msg) < 0) {
        snprintf(err, errlen, "%s: bench.conf: %s", dir, msg);
        rn_benchmark_free(b);
        return NULL;
    }
    return b;
}

void rn_benchmark_free(benchmark *b) {
    if (!b) return;
    free(b->name);
    free(b->dir);
    free(b->description);
    free(b->profiler);
    free(b->args);
    free(b->quick_args);
    rn_strlist_free(&b->profilers);
    free(b->svc.ready_path);
    free(b->svc.load_paths);
    free(b->svc.digest_header);
    rn_truth_free(&b->truth);
    free(b);
}

int rn_benchmark_profiled(const benchmark *b) {
    return b->profilers.n > 0;
}

const char *rn_benchmark_default_profiler(const benchmark *b) {
    return b->profilers.n ? b->profilers.v[0] : NULL;
}

int rn_benchmark_supports(const benchmark *b, const char *profiler) {
    const ab_profiler *p = rn_profiler_find(profiler);
    return p && rn_strlist_index(&b->profilers, p->name) >= 0;
}

const char *rn_benchmark_kind_name(const benchmark *b) {
    return b->kind == KIND_SERVICE ? "service" : "batch";
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void push(benchmark ***v, int *n, benchmark *b) {
    *v = rn_xrealloc(*v, (size_t)(*n + 1) * sizeof **v);
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
        char *p = rn_xasprintf("%s/%s/run", dir, e->d_name);
        if (rn_is_executable_file(p)) rn_strlist_add(&names, e->d_name);
        free(p);
    }
    closedir(d);
    if (names.n) qsort(names.v, names.n, sizeof *names.v, cmp_str);
    int added = 0;
    for (size_t i = 0; i < names.n; i++) {
        char *p = rn_xasprintf("%s/%s", dir, names.v[i]);
        benchmark *b = rn_benchmark_load(p, err, errlen);
        free(p);
        if (!b) {
            rn_strlist_free(&names);
            return -1;
        }
        push(v, n, b);
        added++;
    }
    rn_strlist_free(&names);
    return added;
}

/* The benchmark at dir, if it has an executable run: 1 added, 0 not one, -1 with err. */
static int add_if_benchmark(const char *dir, benchmark ***v, int *n, char *err, size_t errlen) {
    char *run = rn_xasprintf("%s/run", dir);
    int direct = rn_is_executable_file(run);
    free(run);
    if (!direct) return 0;
    benchmark *b = rn_benchmark_load(dir, err, errlen);
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
    if (rn_is_dir(a)) {
        k = add_children(a, v, n, err, errlen);
        if (k < 0) return -1;
        if (k == 0) {
            snprintf(err, errlen, "%s: not a benchmark directory (no executable 'run' in it)", a);
            return -1;
        }
        return 0;
    }
    if (defdir && !strchr(a, '/')) {
        char *p = rn_xasprintf("%s/%s", defdir, a);
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

int rn_benchmarks_resolve(char **args, int nargs, benchmark ***out, char *err, size_t errlen) {
    benchmark **v = NULL;
    int n = 0;
    const char *defdir = rn_default_benchmarks_dir();
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
    rn_benchmarks_free(v, n);
    return -1;
}

void rn_benchmarks_free(benchmark **v, int n) {
    for (int i = 0; i < n; i++) rn_benchmark_free(v[i]);
    free(v);
}
