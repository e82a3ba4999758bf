/* run_checks.c: does what the suite measures span what it should? An agent is measured
 * as it is (its own upload interval unless --upload-interval changes it), so a run must
 * last at least 3 of its upload intervals for the periodic uploads (and Node's heap
 * profile) to be part of what is measured. Two checks, each journaled as a `warning`
 * event (the report prints them) and shown on stderr:
 *   - before the runs: a profiled benchmark whose expected_duration (bench.conf) is below
 *     3 upload intervals of a profiler it runs under (kind few_uploads);
 *   - after a benchmark's runs: its median wall time (the baseline's, the work itself)
 *     more than 25% below its expected_duration (kind short_run: a faster machine, or
 *     bench.conf's args no longer match it), and a profiled variant whose runs were
 *     shorter than 3 of its agent's intervals (few_uploads) unless the first check said
 *     so already.
 * --quick runs are test-sized on purpose (quick_args): neither check applies to them. */
#include <stdio.h>
#include <string.h>
#include "events.h"
#include "profiler.h"
#include "progress.h"
#include "run.h"

#define MIN_INTERVALS   3
#define SHORT_RUN_SLACK 0.75 /* median < 75% of expected_duration: short_run */

static void warn(suite *s, const char *kind, const char *benchmark, const char *variant,
                 const char *message) {
    rn_progress_warn("warning: %s", message);
    ab_ev_warning e = {
        .message = message, .benchmark = benchmark, .variant = variant, .kind = kind};
    rn_suite_emit(s, ab_ev_warning_json(&e));
}

static double interval_of(const suite *s, const ab_profiler *p) {
    return s->o.upload_interval > 0 ? s->o.upload_interval : p->default_interval_s;
}

static const char *interval_source(const suite *s) {
    return s->o.upload_interval > 0 ? "--upload-interval" : "its own default";
}

void rn_suite_check_plan(suite *s) {
    if (s->o.quick) return;
    for (int bi = 0; bi < s->nbench; bi++) {
        benchmark *b = s->bench[bi];
        const ab_profiler *seen[8];
        size_t nseen = 0;
        for (int vi = 0; vi < s->nvar && b->expected_duration > 0; vi++) {
            const ab_profiler *p = rn_run_profiler(s, bi, vi);
            int dup = 0;
            for (size_t k = 0; k < nseen; k++) dup |= seen[k] == p;
            if (!p || dup || nseen == sizeof seen / sizeof *seen) continue;
            seen[nseen++] = p;
            double iv = interval_of(s, p);
            if (b->expected_duration >= MIN_INTERVALS * iv) continue;
            char msg[512];
            snprintf(msg, sizeof msg,
                     "%s: its runs (expected_duration %g s) span fewer than "
                     "%d upload intervals of %s (%g s, %s): its periodic uploads are not "
                     "measured; give it longer args or --upload-interval",
                     b->name, b->expected_duration, MIN_INTERVALS, p->agent, iv,
                     interval_source(s));
            warn(s, "few_uploads", b->name, NULL, msg);
        }
    }
}

static int warned_already(const suite *s, const char *benchmark, const char *kind) {
    json_t *w = s->results->warnings, *ev;
    size_t i;
    json_array_foreach(w, i, ev) {
        ab_ev_warning e;
        ab_ev_warning_read(ev, &e);
        if (e.benchmark && e.kind && !strcmp(e.benchmark, benchmark) && !strcmp(e.kind, kind))
            return 1;
    }
    return 0;
}

static double median_wall(const suite *s, const ab_cell *c) {
    ab_cell_stats st;
    ab_results_cell_stats(s->results, c, &st);
    return st.wall.median;
}

void rn_suite_check_measured(suite *s, int bi) {
    if (s->o.quick) return;
    benchmark *b = s->bench[bi];
    int few_planned = warned_already(s, b->name, "few_uploads");
    int checked_duration = 0;
    char msg[512];
    for (int vi = 0; vi < s->nvar; vi++) {
        const char *v = s->o.variants.v[vi];
        ab_cell *c = ab_results_find(s->results, b->name, v);
        if (!c || !c->n) continue;
        double med = median_wall(s, c);
        if (!checked_duration && b->expected_duration > 0) { /* the baseline comes first */
            checked_duration = 1;
            if (med < SHORT_RUN_SLACK * b->expected_duration) {
                snprintf(msg, sizeof msg,
                         "%s: its runs took %.3g s (median, %s), shorter "
                         "than its expected_duration of %g s",
                         b->name, med, v, b->expected_duration);
                warn(s, "short_run", b->name, v, msg);
            }
        }
        const ab_profiler *p = rn_run_profiler(s, bi, vi);
        if (!p || few_planned || med >= MIN_INTERVALS * interval_of(s, p)) continue;
        snprintf(msg, sizeof msg,
                 "%s %s: its runs took %.3g s (median), fewer than %d upload "
                 "intervals of %s (%g s, %s): its periodic uploads are under-represented",
                 b->name, v, med, MIN_INTERVALS, p->agent, interval_of(s, p), interval_source(s));
        warn(s, "few_uploads", b->name, v, msg);
    }
}
