/* fuzz_targets.h: what each of the runner's fuzz targets does with one input, shared by
 * the libFuzzer entry points (fuzz_*.c, `make -C runner fuzz`) and the unit test that
 * replays their corpora and kept inputs under ASan+UBSan in `make check`
 * (qa/unit/runner/test_fuzz_regress.c). Each reads the input as one kind of text the
 * runner takes from outside (bench.conf, perf script and bpftrace output, the ingester's
 * ready line, the run helper's reports, baseline.json) and abort()s when the parser's
 * result breaks what the runner relies on: a sanitizer report or a libFuzzer timeout is a
 * failure too. Header only: one static function per target. */
#ifndef AB_RUNNER_FUZZ_TARGETS_H
#define AB_RUNNER_FUZZ_TARGETS_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "baseline/store.h"
#include "benchdir.h"
#include "duration.h"
#include "events.h"
#include "flamegraph/fold.h"
#include "ingester.h"
#include "journal.h"
#include "measure.h"

static void fuzz_require(int ok) {
    if (!ok) abort();
}

/* The input as a C string (bytes after a NUL are dropped, as a text reader would). */
static char *fuzz_text(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1);
    if (!s) abort();
    memcpy(s, data, size);
    s[size] = 0;
    return s;
}

static int fuzz_duration_ok(double v) {
    return v == 0 || (isfinite(v) && v >= DURATION_MIN && v <= DURATION_MAX);
}

/* bench.conf: parsed or refused; a duration is 0 (not given) or within range. */
static int fuzz_benchconf(const uint8_t *data, size_t size) {
    char *text = fuzz_text(data, size), err[256];
    benchmark *b = rn_xcalloc(1, sizeof *b);
    if (rn_benchconf_parse(b, text, err, sizeof err) == 0) {
        fuzz_require(fuzz_duration_ok(b->timeout) && fuzz_duration_ok(b->expected_duration));
        fuzz_require(!b->args || strlen(b->args) <= size);
    } else {
        fuzz_require(strlen(err) > 0);
    }
    rn_benchmark_free(b); /* every member, the ground truth too */
    free(text);
    return 0;
}

/* Every stack a parser added: frames root first, no empty name, no control character. */
static void fuzz_check_stacks(fg_stacks *st) {
    size_t n;
    const fg_stack_entry *e = rn_fg_stacks_sorted(st, &n);
    unsigned long long total = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = e[i].stack;
        fuzz_require(*s && e[i].count > 0);
        for (const char *p = s; *p; p++) {
            fuzz_require((unsigned char)*p >= 0x20 && *p != 0x7f);
            if (*p == ';') fuzz_require(p[1] && p[1] != ';');
        }
        total += e[i].count;
    }
    fuzz_require(total == rn_fg_stacks_total(st));
}

/* perf script text (the first byte: drop idle samples or not). */
static int fuzz_fold_perf(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    FILE *in = fmemopen((void *)(data + 1), size - 1, "r");
    if (!in) return 0;
    fg_stacks *st = rn_fg_stacks_new();
    fg_fold_stats stats = {0};
    if (rn_fg_fold_perf_script(st, in, data[0] & 1, &stats) == 0) {
        fuzz_require(stats.kept + stats.idle == stats.samples);
        fuzz_require(stats.kept == rn_fg_stacks_total(st));
        fuzz_check_stacks(st);
    }
    rn_fg_stacks_free(st);
    fclose(in);
    return 0;
}

/* bpftrace's @[kstack, ustack, comm] = count() printout. */
static int fuzz_fold_bpftrace(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    FILE *in = fmemopen((void *)(data + 1), size - 1, "r");
    if (!in) return 0;
    fg_stacks *st = rn_fg_stacks_new();
    fg_fold_stats stats = {0};
    if (rn_fg_fold_bpftrace(st, in, data[0] & 1, &stats) == 0) {
        fuzz_require(stats.kept + stats.idle <= stats.samples);
        fuzz_require(stats.kept == rn_fg_stacks_total(st));
        fuzz_check_stacks(st);
    }
    rn_fg_stacks_free(st);
    fclose(in);
    return 0;
}

/* "host:port" with a port 1..65535, as the runner then uses it in URLs. */
static void fuzz_check_url(const char *url) {
    fuzz_require(url && !strncmp(url, "http://", 7));
    const char *hp = url + 7, *colon = strrchr(hp, ':');
    fuzz_require(colon && colon > hp);
    for (const char *p = hp; *p; p++)
        fuzz_require((unsigned char)*p > ' ' && *p != '/' && *p != '@' && *p != '?' && *p != '#' &&
                     (unsigned char)*p < 0x7f);
    char *end;
    long port = strtol(colon + 1, &end, 10);
    fuzz_require(!*end && port >= 1 && port <= 65535);
}

/* An ingester's stdout, in pieces of the sizes its first bytes give. */
static int fuzz_ready(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    ingester g;
    memset(&g, 0, sizeof g);
    size_t step = (size_t)data[0] % 64 + 1, off = 1;
    while (off < size) {
        size_t n = size - off < step ? size - off : step;
        rn_ingester_take_output(&g, (const char *)data + off, n);
        off += n;
    }
    if (g.ready) {
        fuzz_check_url(g.url);
        if (g.control) fuzz_check_url(g.control);
    } else {
        fuzz_require(!g.url && !g.control);
    }
    free(g.url);
    free(g.control);
    return 0;
}

/* What the runner does with the run helper's fd 3: lines, then each through the report
 * reader, as measure.c's on_read does. */
typedef struct fuzz_measure_state {
    run_result r;
    int failed, ended;
} fuzz_measure_state;

static void fuzz_measure_line(const char *line, size_t len, int has_nul, void *arg) {
    fuzz_measure_state *m = arg;
    if (rn_measure_take_line(line, len, has_nul, &m->r, &m->failed)) m->ended++;
}

static int fuzz_measure(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    linebuf lb;
    memset(&lb, 0, sizeof lb);
    fuzz_measure_state m;
    memset(&m, 0, sizeof m);
    size_t step = (size_t)data[0] % 200 + 1, off = 1;
    while (off < size) {
        size_t n = size - off < step ? size - off : step;
        rn_linebuf_feed(&lb, (const char *)data + off, n, fuzz_measure_line, &m);
        off += n;
    }
    const run_result *r = &m.r;
    if (r->reported) {
        fuzz_require(isfinite(r->wall_s) && r->wall_s >= 0 && isfinite(r->user_s) &&
                     r->user_s >= 0 && isfinite(r->sys_s) && r->sys_s >= 0);
        fuzz_require(r->exit_code >= 0 && r->exit_code <= 255 && r->signal >= 0 && r->signal < 128);
        fuzz_require(r->maxrss_kb >= 0 && r->nvcsw >= 0 && r->nivcsw >= 0 && r->minflt >= 0 &&
                     r->majflt >= 0 && r->leftover >= 0 && r->log_cut >= 0);
        for (const char *p = r->leftover_names; *p; p++)
            fuzz_require((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
    }
    return 0;
}

/* baseline.json (RESULTS_DIR/baseline.json): the figures every later suite's journal gets
 * a copy of: a bounded number of them, each one journal line of bounded size. */
typedef struct fuzz_baseline_state {
    size_t n;
} fuzz_baseline_state;

static void fuzz_baseline_figure(const ab_ev_baseline *e, void *arg) {
    fuzz_baseline_state *b = arg;
    b->n++;
    fuzz_require(e->kind && e->name && e->unit && isfinite(e->value));
    json_t *ev = ab_ev_baseline_json(e);
    char *line = json_dumps(ev, JSON_COMPACT);
    fuzz_require(line && strlen(line) <= BL_JSON_MAX_LINE);
    free(line);
    json_decref(ev);
}

static int fuzz_baseline_json(const uint8_t *data, size_t size) {
    fuzz_baseline_state b = {0};
    rn_bl_json_figures((const char *)data, size, fuzz_baseline_figure, &b);
    fuzz_require(b.n <= BL_JSON_MAX_FIGURES);
    return 0;
}

#endif
