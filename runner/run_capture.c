/* run_capture.c: `agentbench run --flamegraph`. After a benchmark's measured runs, one
 * more run per variant (not measured) under perf, through the flame graph part's
 * interface (runner/flamegraph/flamegraph.h): SUITE/flamegraphs/BENCH-VARIANT.svg and
 * .folded, and for each profiled variant a differential graph against the baseline's
 * capture. Each capture is journaled as a flamegraph event (paths relative to the suite
 * directory), or as an error event when it is impossible here: the suite goes on. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "events.h"
#include "flamegraph/flamegraph.h"
#include "progress.h"
#include "run.h"
#include "util.h"

/* Run benchmark bi in variant vi once under perf, from the benchmark's directory.
 * Returns the samples folded, or -1 with err. */
static long capture_run(suite *s, int bi, int vi, const char *outdir, const char *label,
                        const char *title, char *err, size_t errlen) {
    benchmark *b = s->bench[bi];
    strlist argv = {0};
    run_argv(s, bi, &argv);
    char **env = run_environment(s, bi, vi, 0);
    int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (chdir(b->dir) < 0) {}
    long n = fg_capture_command(argv.v, env, outdir, label, title, err, errlen);
    if (cwd >= 0 && fchdir(cwd) < 0) {}
    if (cwd >= 0) close(cwd);
    run_environment_free(env);
    strlist_free(&argv);
    return n;
}

/* The flamegraph event of a capture of n samples; with base_folded (the baseline's
 * capture), its differential graph too. */
static void emit_capture(suite *s, int bi, int vi, const char *outdir, const char *label,
                         const char *title, long n, const char *base_folded) {
    benchmark *b = s->bench[bi];
    const char *v = s->o.variants.v[vi];
    char *svg = xasprintf("flamegraphs/%s.svg", label);
    char *folded = xasprintf("flamegraphs/%s.folded", label);
    char *diff = NULL;
    if (base_folded) {
        char err[512] = "", *mine = xasprintf("%s/%s.folded", outdir, label);
        if (fg_diff(base_folded, mine, outdir, label, title, err, sizeof err) < 0)
            progress_warn("%s %s: differential flame graph: %s", b->name, v, err);
        else
            diff = xasprintf("flamegraphs/%s.diff.svg", label);
        free(mine);
    }
    ab_ev_flamegraph e = {.benchmark = b->name, .variant = v, .svg = svg, .folded = folded,
                          .samples = n, .diff_svg = diff};
    suite_emit(s, ab_ev_flamegraph_json(&e));
    free(svg);
    free(folded);
    free(diff);
}

void suite_capture_flamegraphs(suite *s, int bi) {
    benchmark *b = s->bench[bi];
    char *outdir = xasprintf("%s/flamegraphs", s->dir);
    mkdir_p(outdir);
    char *base_folded = NULL;   /* the baseline's capture, once there is one */
    for (int vi = 0; vi < s->nvar && !s->stop; vi++) {
        const char *v = s->o.variants.v[vi];
        char *label = xasprintf("%s-%s", b->name, v), *title = xasprintf("%s, %s", b->name, v);
        char err[512] = "";
        progress_info("%s %s: capturing a flame graph", b->name, v);
        long n = capture_run(s, bi, vi, outdir, label, title, err, sizeof err);
        int is_base = !strcmp(v, "baseline");
        if (n < 0) {
            progress_warn("%s %s: flame graph: %s", b->name, v, err);
            suite_error(s, err, b->name, v);
        } else {
            emit_capture(s, bi, vi, outdir, label, title, n, is_base ? NULL : base_folded);
            if (is_base) {
                free(base_folded);
                base_folded = xasprintf("%s/%s.folded", outdir, label);
            }
        }
        free(label);
        free(title);
    }
    free(base_folded);
    free(outdir);
}
