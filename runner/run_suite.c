/* run_suite.c: the loop of a suite. Benchmark by benchmark: build it (once, journaled;
 * a failed build, or a ground truth perf contradicts, skips its runs), run its warm-ups
 * (baseline first: its checksum is the reference), then its measured runs, either in
 * rounds with the variants in a shuffled order (plan.h: a fresh order per round,
 * reproducible from the seed) or blocked (all of one variant, then the next); with
 * --target-ci a variant stops once its CI is tight enough. A service benchmark's warm-up
 * also fixes its load rate. A resumed suite replays what its journal holds instead of
 * running it again. When a benchmark is done its summaries are written and, with
 * --flamegraph, its flame graphs captured. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "events.h"
#include "measure.h"
#include "plan.h"
#include "progress.h"
#include "report.h"
#include "run.h"
#include "util.h"

extern char **environ;

/* Run the benchmark's build script; 0 built (or nothing to build), 1 failed, -1
 * interrupted. */
static int build_benchmark(suite *s, int bi) {
    benchmark *b = s->bench[bi];
    ab_ev_build ev = {.benchmark = b->name, .status = "none"};
    if (!b->has_build) {
        char err[512];
        if (rn_suite_check_truth(s, bi, err, sizeof err) < 0) {
            rn_progress_warn("%s: %s; its runs are skipped", b->name, err);
            s->build_failed = 1;
            ev.status = "failed";
            ev.message = err;
        }
        rn_suite_emit(s, ab_ev_build_json(&ev));
        return ev.message ? 1 : 0;
    }
    rn_progress_info("%s: building", b->name);
    char *logpath = rn_xasprintf("%s/logs/%s.build.log", s->dir, b->name);
    char *build = rn_xasprintf("%s/build", b->dir);
    char *argv[] = {build, NULL};
    run_spec spec = {.argv = argv,
                     .env = environ,
                     .cwd = b->dir,
                     .cpus = NULL,
                     .out_path = logpath,
                     .timeout_s = 1800};
    run_result r;
    char err[512] = "";
    int rc = rn_measure_run(&s->loop, &spec, &r, err, sizeof err);
    free(build);
    if (s->interrupted) {
        free(logpath);
        return -1;
    }
    if (rc == 0 && r.leftover > 0)
        rn_progress_warn("%s: its build left %ld process%s running (killed): %s", b->name,
                         r.leftover, r.leftover == 1 ? "" : "es", r.leftover_names);
    int ok = rc == 0 && r.exited && r.exit_code == 0;
    if (!ok) {
        if (rc == 0)
            snprintf(err, sizeof err, "build %s (see %s)",
                     r.timed_out ? "timed out"
                     : r.exited  ? "failed"
                                 : "crashed",
                     logpath);
        rn_progress_warn("%s: %s; its runs are skipped", b->name, err);
        s->build_failed = 1;
    }
    if (ok && rn_suite_check_truth(s, bi, err, sizeof err) < 0) {
        rn_progress_warn("%s: %s; its runs are skipped", b->name, err);
        s->build_failed = 1;
        ok = 0;
    }
    ev.status = ok ? "ok" : "failed";
    ev.seconds = r.wall_s;
    ev.message = ok ? NULL : err;
    rn_suite_emit(s, ab_ev_build_json(&ev));
    free(logpath);
    return ok ? 0 : 1;
}

/* Is the variant's 95% CI of the median within +-target% of the median? (Of the wall
 * time; of the throughput for a service.) */
static int ci_tight(suite *s, int bi, int vi, int min_runs) {
    ab_cell *c = ab_results_find(s->results, s->bench[bi]->name, s->o.variants.v[vi]);
    if (!c || (int)c->n < min_runs || c->n < 6) return 0;
    ab_cell_stats st;
    ab_results_cell_stats(s->results, c, &st);
    const ab_summary *m = c->is_service ? &st.v2[AB_V2_THROUGHPUT] : &st.wall;
    if (m->median <= 0) return 1;
    double half = (m->ci_high - m->ci_low) / 2;
    return half / m->median * 100 <= s->o.target_ci;
}

/* Runs of cell (bi,vi) so far: replayed from the journal count first. */
static int take_resumed(int *counter) {
    if (*counter > 0) {
        (*counter)--;
        return 1;
    }
    return 0;
}

/* The plan of one benchmark's measured runs. */
typedef struct bench_plan {
    int bi, planned, min_runs, target;
    int *resumed; /* measured runs already in the journal, per variant */
    int *count;   /* measured runs so far (replayed or run), per variant */
} bench_plan;

/* One measured run of variant vi (or its replay from the journal). */
static void measured_run(suite *s, bench_plan *p, int vi, int run) {
    p->count[vi]++;
    if (!take_resumed(&p->resumed[vi])) rn_run_one(s, p->bi, vi, run, p->planned, 0);
}

/* The warm-up rounds (baseline first). A service benchmark's latency phase needs its
 * offered rate: --load-rate's, or the baseline warm-up run's share of its capacity (one
 * more baseline warm-up run when none fixed it: with --warmup 0, or when they failed). */
static void warm_up(suite *s, int bi, int planned) {
    int service = s->bench[bi]->kind == KIND_SERVICE;
    if (service && s->load_rate[bi] <= 0 && s->o.load_rate > 0)
        rn_suite_fix_load_rate(s, bi, s->o.load_rate, 0, "", "option");
    int *resumed = s->resumed_warmup + bi * s->nvar;
    for (int w = 0; w < s->o.warmup && !s->stop; w++)
        for (int vi = 0; vi < s->nvar && !s->stop; vi++)
            if (!take_resumed(&resumed[vi])) rn_run_one(s, bi, vi, 0, planned, 1);
    if (service && s->load_rate[bi] <= 0 && !s->interrupted) rn_run_one(s, bi, 0, 0, planned, 1);
}

/* Rounds of every variant once, in a fresh shuffled order per round. */
static void run_shuffled(suite *s, bench_plan *p) {
    int nv = s->nvar;
    int *order = rn_xcalloc((size_t)nv, sizeof *order);
    rng r;
    rn_plan_rng(&r, s->o.seed, p->bi);
    for (int round = 1; round <= p->planned && !s->stop; round++) {
        rn_plan_round(&r, 1, order, nv);
        for (int k = 0; k < nv && !s->stop; k++) measured_run(s, p, order[k], round);
        if (p->target && round >= p->min_runs) {
            int all = 1;
            for (int vi = 0; vi < nv && all; vi++) all = ci_tight(s, p->bi, vi, p->min_runs);
            if (all) break;
        }
    }
    free(order);
}

/* All runs of one variant, then the next. */
static void run_blocked(suite *s, bench_plan *p) {
    for (int vi = 0; vi < s->nvar && !s->stop; vi++)
        for (int run = 1; run <= p->planned && !s->stop; run++) {
            measured_run(s, p, vi, run);
            if (p->target && run >= p->min_runs && ci_tight(s, p->bi, vi, p->min_runs)) break;
        }
}

static void write_summaries(suite *s, int bi) {
    if (s->summarized[bi]) return;
    s->summarized[bi] = 1;
    if (!s->analysis) s->analysis = ab_analysis_new(NULL);
    /* incremental: only the cells whose runs changed since the last summaries */
    if (!s->analysis || ab_analysis_update(s->analysis, s->results) < 0) return;
    for (int vi = 0; vi < s->nvar; vi++) {
        ab_cell *c = ab_results_find(s->results, s->bench[bi]->name, s->o.variants.v[vi]);
        if (!c) continue;
        json_t *figures = rn_report_cell_json(s->analysis, s->results, c);
        ab_ev_summary e = {.benchmark = c->benchmark, .variant = c->variant, .figures = figures};
        rn_suite_emit(s, ab_ev_summary_json(&e));
        json_decref(figures);
    }
    rn_suite_check_measured(s, bi);
}

static int run_benchmark(suite *s, int bi) {
    int target = s->o.target_ci > 0;
    bench_plan p = {.bi = bi,
                    .planned = s->o.runs, /* max_runs with a target CI */
                    .min_runs = target ? s->o.min_runs : s->o.runs,
                    .target = target,
                    .resumed = s->resumed_measured + bi * s->nvar,
                    .count = rn_xcalloc((size_t)s->nvar, sizeof(int))};
    warm_up(s, bi, p.planned);
    if (s->o.shuffled) run_shuffled(s, &p);
    else run_blocked(s, &p);
    if (!s->stop && target) {
        /* stopped early: the runs not needed leave the plan */
        unsigned long unused = 0;
        for (int vi = 0; vi < s->nvar; vi++) unused += (unsigned long)(p.planned - p.count[vi]);
        s->total -= unused < s->total ? unused : 0;
    }
    free(p.count);
    if (s->stop) return -1;
    write_summaries(s, bi);
    if (s->o.flamegraph && s->bench[bi]->kind == KIND_SERVICE)
        rn_progress_warn("%s: no flame graphs of a service benchmark (not implemented)",
                         s->bench[bi]->name);
    else if (s->o.flamegraph) rn_suite_capture_flamegraphs(s, bi);
    return 0;
}

/* Has benchmark bi runs left to do? (A resumed suite with a target CI always has: the CI
 * decides, replaying the runs in the journal first.) */
static int runs_left(suite *s, int bi) {
    if (s->o.target_ci > 0 && s->resumed) return 1;
    for (int vi = 0; vi < s->nvar; vi++)
        if (s->resumed_measured[bi * s->nvar + vi] < s->o.runs) return 1;
    return 0;
}

int rn_suite_run_all(suite *s) {
    for (int bi = 0; bi < s->nbench && !s->stop; bi++) {
        if (!runs_left(s, bi)) {
            write_summaries(s, bi);
            continue;
        }
        int b = build_benchmark(s, bi);
        if (b < 0) break;
        if (b > 0) {
            s->total -= (unsigned long)s->nvar * (unsigned long)s->o.runs;
            continue;
        }
        run_benchmark(s, bi);
    }
    return s->stop ? -1 : 0;
}
