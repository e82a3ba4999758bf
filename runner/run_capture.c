/* run_capture.c: `agentbench run --flamegraph`. After a benchmark's measured runs, one
 * more run per variant (not measured; the perf variant, already perf's, is left out)
 * under perf, through the flame graph part's interface (runner/flamegraph/flamegraph.h):
 * SUITE/flamegraphs/BENCH-VARIANT.svg and .folded, and for each profiled variant a
 * differential graph against the baseline's capture. Each capture is journaled as a
 * flamegraph event (paths relative to the suite directory), or as an error event when
 * it is impossible here: the suite goes on.
 * Also the check of a ground truth before a benchmark's runs: one run under perf, its
 * profiler off, in which every truth function must show (BENCH-truth-check.svg). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "events.h"
#include "flamegraph/flamegraph.h"
#include "progress.h"
#include "run.h"
#include "run_options.h"
#include "util.h"
#include "variant.h"

/* Run benchmark bi once under perf with env, from the benchmark's directory. Returns
 * the samples folded, or -1 with err. */
static long capture_run(suite *s, int bi, char **env, const char *outdir, const char *label,
                        const char *title, char *err, size_t errlen) {
    benchmark *b = s->bench[bi];
    strlist argv = {0};
    rn_run_argv(s, bi, &argv);
    int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (chdir(b->dir) < 0) {}
    long n = rn_fg_capture_command(argv.v, env, outdir, label, title, err, errlen);
    if (cwd >= 0 && fchdir(cwd) < 0) {}
    if (cwd >= 0) close(cwd);
    rn_strlist_free(&argv);
    return n;
}

/* The flamegraph event of a capture of n samples; with base_folded (the baseline's
 * capture), its differential graph too. */
static void emit_capture(suite *s, int bi, int vi, const char *outdir, const char *label,
                         const char *title, long n, const char *base_folded) {
    benchmark *b = s->bench[bi];
    const char *v = s->o.variants.v[vi];
    char *svg = rn_xasprintf("flamegraphs/%s.svg", label);
    char *folded = rn_xasprintf("flamegraphs/%s.folded", label);
    char *diff = NULL;
    if (base_folded) {
        char err[512] = "", *mine = rn_xasprintf("%s/%s.folded", outdir, label);
        if (rn_fg_diff(base_folded, mine, outdir, label, title, err, sizeof err) < 0)
            rn_progress_warn("%s %s: differential flame graph: %s", b->name, v, err);
        else diff = rn_xasprintf("flamegraphs/%s.diff.svg", label);
        free(mine);
    }
    ab_ev_flamegraph e = {.benchmark = b->name,
                          .variant = v,
                          .svg = svg,
                          .folded = folded,
                          .samples = n,
                          .diff_svg = diff};
    rn_suite_emit(s, ab_ev_flamegraph_json(&e));
    free(svg);
    free(folded);
    free(diff);
}

void rn_suite_capture_flamegraphs(suite *s, int bi) {
    benchmark *b = s->bench[bi];
    char *outdir = rn_xasprintf("%s/flamegraphs", s->dir);
    rn_mkdir_p(outdir);
    char *base_folded = NULL; /* the baseline's capture, once there is one */
    for (int vi = 0; vi < s->nvar && !s->stop; vi++) {
        const char *v = s->o.variants.v[vi];
        if (!strcmp(v, VARIANT_PERF)) continue;
        char token[256];
        char *label = rn_xasprintf("%s-%s", b->name, rn_variant_file_token(v, token, sizeof token));
        char *title = rn_xasprintf("%s, %s", b->name, v);
        char err[512] = "";
        rn_progress_info("%s %s: capturing a flame graph", b->name, v);
        char **env = rn_run_environment(s, bi, vi, 0);
        long n = capture_run(s, bi, env, outdir, label, title, err, sizeof err);
        rn_run_environment_free(env);
        int is_base = !strcmp(v, "baseline");
        if (n < 0) {
            rn_progress_warn("%s %s: flame graph: %s", b->name, v, err);
            rn_suite_error(s, err, b->name, v);
        } else {
            emit_capture(s, bi, vi, outdir, label, title, n, is_base ? NULL : base_folded);
            if (is_base) {
                free(base_folded);
                base_folded = rn_xasprintf("%s/%s.folded", outdir, label);
            }
        }
        free(label);
        free(title);
    }
    free(base_folded);
    free(outdir);
}

/* Samples a truth function must expect in the check before its absence means anything:
 * a Poisson count with mean 10 is 0 with probability 5e-5. */
#define TRUTH_CHECK_MIN_EXPECTED 10.0

int rn_suite_check_truth(suite *s, int bi, char *err, size_t errlen) {
    benchmark *b = s->bench[bi];
    if (!b->truth.n) return 0;
    if (!s->perf_bin[0]) {
        rn_progress_warn("%s: its ground truth is not checked against perf: perf is not in PATH "
                         "(Debian package linux-perf)",
                         b->name);
        return 0;
    }
    char *outdir = rn_xasprintf("%s/flamegraphs", s->dir),
         *label = rn_xasprintf("%s-truth-check", b->name);
    char *title = rn_xasprintf("%s, perf (the ground truth check)", b->name);
    char *extra[] = {rn_run_profile_node_options(), NULL};
    char **env = rn_run_environment_of(s, bi, "truth-check", NULL, 0, extra);
    rn_mkdir_p(outdir);
    rn_progress_info("%s: checking its ground truth against perf", b->name);
    char why[512] = "";
    time_t started = time(NULL);
    long n = capture_run(s, bi, env, outdir, label, title, why, sizeof why);
    rn_run_profile_node_cleanup(b->dir, started);
    rn_run_environment_free(env);
    free(extra[0]);
    int rc = 0;
    ab_tally ty = {0};
    char *folded = rn_xasprintf("%s/%s.folded", outdir, label);
    FILE *f = n > 0 ? fopen(folded, "r") : NULL;
    if (n < 0 || !f || rn_tally_folded(&b->truth, f, &ty) < 0) {
        rn_progress_warn("%s: its ground truth is not checked against perf: %s", b->name,
                         n < 0    ? why
                         : n == 0 ? "perf sampled nothing"
                                  : "cannot read its capture");
    } else {
        for (size_t i = 0; i < b->truth.n && rc == 0; i++) {
            double expected = b->truth.share[i] / 100 * (double)ty.total;
            if (ty.count[i] > 0) continue;
            if (expected < TRUTH_CHECK_MIN_EXPECTED) {
                rn_progress_warn("%s: truth.%s: perf saw no sample of it in %llu, too few to tell "
                                 "(use longer runs)",
                                 b->name, b->truth.fn[i], ty.total);
                continue;
            }
            snprintf(err, errlen,
                     "ground truth: bench.conf's truth.%s = %g%%, but perf never "
                     "saw %s in a run (0 of %llu samples; flamegraphs/%s.svg): a misspelt, "
                     "inlined or never-called function (configuration error)",
                     b->truth.fn[i], b->truth.share[i], b->truth.fn[i], ty.total, label);
            rc = -1;
        }
    }
    if (f) fclose(f);
    free(folded);
    free(outdir);
    free(label);
    free(title);
    return rc;
}
