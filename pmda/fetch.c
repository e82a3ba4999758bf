/* fetch.c: the fetch. pmda_fetch_metrics brings the sources up to date (capture state,
 * journal model and instances, and the poller's answers when ingester metrics are asked
 * for), then builds the result itself, by pmdaFetch's rules: instances in cache order
 * (pmda_indom_index), filtered by the profile pmcd sent (libpcp's __pmInProfile); numval the
 * count of values, else 0 (no values) or the error. Values go into a pmResult kept from
 * fetch to fetch (fetchbuf.h), which libpcp_pmda sends and pmda_fetch_result_done leaves alone.
 * agentbench.run.* values are computed once per model change, not per fetch, from the
 * suite's analysis (lib/analysis.h: paired or unpaired, Holm over the family, verdicts
 * only once the suite is final, noise), which recomputes only the cells whose runs changed.
 *
 * Why not pmdaFetch with a fetch callback, as PCP's simple and podman PMDAs do: it was
 * tried (the same value functions as a callback, instance structs found by an index or
 * a cache lookup, not a search) and missed the p99 <= 2 ms goal at 200 instances in most
 * runs. `make -C pmda bench` (200 benchmark/variant instances and 10 ingesters, 85 to 101
 * metrics, 5084 values per fetch, 1000 or 3000 fetches a run, through pmcd), the two
 * builds run alternately, on the 2-CPU VM shared with other jobs, 2026-12-01:
 *     pmdaFetch:  11 runs, p50 0.66-1.00 ms, p99 1.12-8.66 ms: goal met in 2
 *     this path:  19 runs, p50 0.37-0.58 ms, p99 0.55-4.28 ms: goal met in 14
 * In each of the 11 alternations pmdaFetch had the higher p50 (1.6-2x) and p99; its two
 * runs under 2 ms came in the quietest minutes (p99 1.12 ms beside this path's 0.66). perf
 * puts the difference in pmdaFetch's per-value work: a malloc'd pmValueBlock for every
 * 64-bit, double or string value, freed after each send (malloc and free took 28% of the
 * PMDA's CPU time), and a pmdaCache walk of each metric's instances twice (count, then
 * fill). Going back is small: fetch_value is already the per-value callback's body.
 *
 * The value functions return PMDA_FETCH_STATIC with the value in *atom,
 * PMDA_FETCH_NOVALUES when the source has none (never NaN or Inf, never an old value), or
 * PM_ERR_PMID. -D appl1 traces every fetch. */
#include "metrics.h"
#include "clock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "analysis.h"
#include "capture.h"
#include "fetchbuf.h"
#include "poller.h"
#include "source.h"
#include "vector.h"

static unsigned long long fetches;
static int fetch_context; /* pmcd's client context of the fetch being answered */

static int is_finite(double d) {
    return d == d && d <= 1e300 && d >= -1e300;
}

#define DOUBLE(x)                                       \
    do {                                                \
        double v_ = (x);                                \
        if (!is_finite(v_)) return PMDA_FETCH_NOVALUES; \
        atom->d = v_;                                   \
        return PMDA_FETCH_STATIC;                       \
    } while (0)
#define U64(x)                    \
    do {                          \
        atom->ull = (x);          \
        return PMDA_FETCH_STATIC; \
    } while (0)
#define U32(x)                    \
    do {                          \
        atom->ul = (x);           \
        return PMDA_FETCH_STATIC; \
    } while (0)
#define I32(x)                    \
    do {                          \
        atom->l = (x);            \
        return PMDA_FETCH_STATIC; \
    } while (0)
#define STRING(x)                            \
    do {                                     \
        const char *s_ = (x);                \
        if (!s_) return PMDA_FETCH_NOVALUES; \
        atom->cp = (char *)s_;               \
        return PMDA_FETCH_STATIC;            \
    } while (0)

static int fetch_runner(unsigned int item, const ab_results *r, pmAtomValue *atom) {
    if (!r) return PMDA_FETCH_NOVALUES;
    switch ((runner_item_e)item) {
        case RUNNER_STATE: STRING(ab_state_name(r->state));
        case RUNNER_STATE_CODE: U32((unsigned)r->state);
        case RUNNER_SUITE: STRING(r->suite);
        case RUNNER_HOST: STRING(r->host);
        case RUNNER_BENCHMARK: STRING(r->state == AB_STATE_RUNNING ? r->benchmark : NULL);
        case RUNNER_VARIANT: STRING(r->state == AB_STATE_RUNNING ? r->variant : NULL);
        case RUNNER_RUNS_DONE: U64(r->runs_done);
        case RUNNER_RUNS_TOTAL: U64(r->runs_total);
        case RUNNER_RUNS_FAILED: U64(r->runs_failed);
        case RUNNER_PROGRESS: DOUBLE(ab_results_progress(r));
        case RUNNER_ETA:
            if (r->state != AB_STATE_RUNNING) return PMDA_FETCH_NOVALUES;
            DOUBLE(r->eta_s);
        case RUNNER_LAST_UPDATE:
            if (r->last_update <= 0) return PMDA_FETCH_NOVALUES;
            DOUBLE(r->last_update);
        case RUNNER_STARTED:
            if (r->started <= 0) return PMDA_FETCH_NOVALUES;
            DOUBLE(r->started);
        case RUNNER_ERRORS: U64(r->errors);
        case RUNNER_FINAL: U32(ab_results_final(r) ? 1 : 0);
        case RUNNER_AGE: {
            if (r->last_update <= 0) return PMDA_FETCH_NOVALUES;
            double age = ab_wall_s() - r->last_update;
            DOUBLE(age < 0 ? 0 : age);
        }
        case NUM_RUNNER_ITEMS: break;
    }
    return PM_ERR_PMID;
}

/* The statistics of the model, brought up to date incrementally (lib/analysis.h: only
 * the cells whose runs changed); a new model (another suite, a rewritten journal) gets a
 * new analysis. */
static ab_analysis *analysis;
static unsigned long long analysis_epoch;

static const ab_analysis *current_analysis(const ab_results *r) {
    if (!r) return NULL;
    if (!analysis || analysis_epoch != pmda_source_epoch()) {
        ab_analysis_free(analysis);
        analysis = ab_analysis_new(NULL);
        analysis_epoch = pmda_source_epoch();
    }
    if (analysis && ab_analysis_update(analysis, r) < 0) return NULL;
    return analysis;
}

/* agentbench.run.warnings: the warning bits by name, space-separated, into ri->warnings. */
static const char *warning_names(run_inst *ri, unsigned warnings) {
    size_t n = 0;
    ri->warnings[0] = '\0';
    for (unsigned bit = 1; bit <= AB_WARN_MIGRATIONS; bit <<= 1)
        if (warnings & bit)
            n += (size_t)snprintf(ri->warnings + n, sizeof(ri->warnings) - n, "%s%s", n ? " " : "",
                                  bit == AB_WARN_COV     ? "cov"
                                  : bit == AB_WARN_DRIFT ? "drift"
                                  : bit == AB_WARN_STEAL ? "steal"
                                                         : "migrations");
    return ri->warnings;
}

/* One figure of an overhead ratio: none for the baseline itself or without a valid
 * comparison. */
static int overhead_value(const ab_cell *c, const ab_ratio *ratio, double figure,
                          pmAtomValue *atom) {
    if (c->is_baseline || !ratio->valid) return PMDA_FETCH_NOVALUES;
    DOUBLE(figure);
}

/* The v2 figures, in their items' order (metrics.h: RUN_FIGURE_ITEMS each from
 * RUN_FIGURE_FIRST). */
static const ab_v2fig fig_items[] = {AB_V2_THROUGHPUT, AB_V2_LATENCY_P99, AB_V2_CPU_PER_REQUEST,
                                     AB_V2_EXIT_DELAY};
#define NFIG_ITEMS (sizeof fig_items / sizeof fig_items[0])
_Static_assert(RUN_FIGURE_FIRST + RUN_FIGURE_ITEMS * NFIG_ITEMS == RUN_EXIT_BLOCKED,
               "metrics.h's figure items are fig_items'");

/* Item k of the v2 figures (RUN_FIGURE_FIRST + k): its median, CI, overhead. A figure
 * has values from its first run that had it (a service's; any run's exit delay). */
static int fetch_figure(unsigned int k, run_inst *ri, const ab_results *r, pmAtomValue *atom) {
    ab_v2fig f = fig_items[k / RUN_FIGURE_ITEMS];
    const ab_cell_analysis *ca = ab_analysis_cell(current_analysis(r), ri->cell);
    if (ri->cell->v2[f].n == 0 || !ca) return PMDA_FETCH_NOVALUES;
    const ab_cell_stats *st = &ca->st;
    const ab_summary *s = &st->v2[f];
    const ab_ratio *o = &st->over_v2[f];
    switch (k % RUN_FIGURE_ITEMS) {
        case 0: DOUBLE(s->median);
        case 1: DOUBLE(s->ci_low);
        case 2: DOUBLE(s->ci_high);
        case 3: return overhead_value(ri->cell, o, o->ratio, atom);
        case 4: return overhead_value(ri->cell, o, o->ci_low, atom);
        case 5: return overhead_value(ri->cell, o, o->ci_high, atom);
        default: return overhead_value(ri->cell, o, o->p, atom);
    }
}

static int fetch_run(unsigned int item, run_inst *ri, const ab_results *r, pmAtomValue *atom) {
    if (!r || !ri || !ri->cell) return PMDA_FETCH_NOVALUES;
    const ab_cell *c = ri->cell;
    /* the counts have values from the first run on; everything else needs an ok run */
    switch ((run_item_e)item) {
        case RUN_COUNT: U64(c->n);
        case RUN_FAILED: U64(c->failed);
        case RUN_PROFILES: U64(c->profiles);
        case RUN_SAMPLES: U64(c->samples);
        case RUN_NO_PROFILES: U64(c->no_profiles);
        case RUN_EXIT_BLOCKED: U64(c->exit_blocked);
        case RUN_PROFILE_ERROR: {
            if (!c->profile.verified) return PMDA_FETCH_NOVALUES;
            ab_profile_stats ps;
            ab_results_profile_stats(c, &ps);
            DOUBLE(ps.error.median);
        }
        default: break;
    }
    if (item >= NUM_RUN_ITEMS) return PM_ERR_PMID;
    if (item >= RUN_FIGURE_FIRST && item < RUN_EXIT_BLOCKED)
        return fetch_figure(item - RUN_FIGURE_FIRST, ri, r, atom);
    const ab_analysis *a = current_analysis(r);
    const ab_cell_analysis *ca = ab_analysis_cell(a, c);
    if (c->n == 0 || !ca) return PMDA_FETCH_NOVALUES;
    const ab_cell_stats *st = &ca->st;
    const ab_noise *nz = &st->noise;
    const ab_ratio *ow = &st->over_wall;
    switch ((run_item_e)item) {
        case RUN_LAST: DOUBLE(c->last_wall);
        case RUN_MEDIAN: DOUBLE(st->wall.median);
        case RUN_MEAN: DOUBLE(st->wall.mean);
        case RUN_STDDEV: DOUBLE(st->wall.stddev);
        case RUN_MIN: DOUBLE(st->wall.min);
        case RUN_MAX: DOUBLE(st->wall.max);
        case RUN_CI_LOW: DOUBLE(st->wall.ci_low);
        case RUN_CI_HIGH: DOUBLE(st->wall.ci_high);
        case RUN_USER_MEDIAN: DOUBLE(st->user.median);
        case RUN_SYS_MEDIAN: DOUBLE(st->sys.median);
        case RUN_CPU_MEDIAN: DOUBLE(st->cpu.median);
        case RUN_RSS_MEDIAN: DOUBLE(st->rss.median);
        case RUN_OUTLIERS: U32((unsigned)st->wall.outliers);
        case RUN_OVERHEAD: return overhead_value(c, &st->over_wall, st->over_wall.ratio, atom);
        case RUN_OVERHEAD_CI_LOW:
            return overhead_value(c, &st->over_wall, st->over_wall.ci_low, atom);
        case RUN_OVERHEAD_CI_HIGH:
            return overhead_value(c, &st->over_wall, st->over_wall.ci_high, atom);
        case RUN_PVALUE: return overhead_value(c, &st->over_wall, st->over_wall.p, atom);
        case RUN_CPU_OVERHEAD: return overhead_value(c, &st->over_cpu, st->over_cpu.ratio, atom);
        case RUN_CPU_PVALUE: return overhead_value(c, &st->over_cpu, st->over_cpu.p, atom);
        case RUN_RSS_OVERHEAD: return overhead_value(c, &st->over_rss, st->over_rss.ratio, atom);
        case RUN_RSS_PVALUE: return overhead_value(c, &st->over_rss, st->over_rss.p, atom);
        case RUN_CI_COVERAGE: DOUBLE(st->wall.ci_level.coverage);
        case RUN_STEAL_MEDIAN: DOUBLE(nz->steal_median);
        case RUN_STEAL_MAX: DOUBLE(nz->steal_max);
        case RUN_MIGRATIONS:
            if (!nz->migrations_n) return PMDA_FETCH_NOVALUES;
            DOUBLE(nz->migrations_median);
        case RUN_WARNINGS: STRING(warning_names(ri, ca->warnings));
        default: break;
    }
    if (c->is_baseline || !ow->valid)
        return PMDA_FETCH_NOVALUES; /* the rest describe the wall-time comparison */
    switch ((run_item_e)item) {
        case RUN_ANALYSIS: STRING(ab_pairing_name(ow->pairing));
        case RUN_OVERHEAD_CI_COVERAGE: DOUBLE(ow->ci_level.coverage);
        case RUN_NEED: U32((unsigned)ow->ci_level.need);
        case RUN_PVALUE_ADJUSTED:
            if (!ca->in_family[AB_FIG_WALL]) return PMDA_FETCH_NOVALUES;
            DOUBLE(ca->p_adjusted[AB_FIG_WALL]);
        case RUN_VERDICT: /* the stopping rule: no verdict in PCP before the suite is over */
            if (!a->final) return PMDA_FETCH_NOVALUES;
            STRING(ab_analysis_verdict_text(a, ca, AB_FIG_WALL, ri->verdict, sizeof(ri->verdict)));
        default: break;
    }
    return PM_ERR_PMID;
}

static int fetch_ingester(unsigned int item, const ing_inst *ii, pmAtomValue *atom) {
    if (!ii) return PMDA_FETCH_NOVALUES;
    if (item == INGESTER_UP) U32(ii->st.up ? 1 : 0);
    if (item >= NUM_INGESTER_ITEMS) return PM_ERR_PMID;
    if (!ii->st.up) return PMDA_FETCH_NOVALUES; /* a source that is down gives no values */
    const ab_ingester_stats *s = &ii->st.doc;
    switch ((ingester_item_e)item) {
        case INGESTER_MODE: STRING(s->mode);
        case INGESTER_UPTIME: DOUBLE(s->uptime_s);
        case INGESTER_CONN_OPEN: U64(s->conn_open);
        case INGESTER_CONN_ACCEPTED: U64(s->conn_accepted);
        case INGESTER_CONN_REJECTED: U64(s->conn_rejected);
        case INGESTER_CONN_TIMED_OUT: U64(s->conn_timed_out);
        case INGESTER_REQ_TOTAL: U64(s->req_total);
        case INGESTER_REQ_SUCCESS: U64(s->req_2xx);
        case INGESTER_REQ_CLIENT_ERROR: U64(s->req_4xx);
        case INGESTER_REQ_SERVER_ERROR: U64(s->req_5xx);
        case INGESTER_REQ_RESET: U64(s->req_reset);
        case INGESTER_REQ_DROPPED: U64(s->req_dropped);
        case INGESTER_BYTES_RECEIVED: U64(s->bytes_received);
        case INGESTER_BYTES_DECOMPRESSED: U64(s->bytes_decompressed);
        case INGESTER_PROFILES: U64(s->profiles);
        case INGESTER_SAMPLES: U64(s->samples);
        case INGESTER_SAMPLE_VALUE: U64(s->sample_value);
        case INGESTER_FRAMES: U64(s->frames);
        case INGESTER_DECODE_ERRORS: U64(s->decode_errors);
        case INGESTER_LATENCY_P50: DOUBLE(s->lat_p50);
        case INGESTER_LATENCY_P90: DOUBLE(s->lat_p90);
        case INGESTER_LATENCY_P99: DOUBLE(s->lat_p99);
        case INGESTER_LATENCY_MAX: DOUBLE(s->lat_max);
        case INGESTER_LISTEN: STRING(s->listen[0] ? s->listen : NULL);
        default: break;
    }
    return PM_ERR_PMID;
}

/* What a published flame graph says about itself: for the system capture (last.*) and
 * each group of the suite (profile.*), the same figures. An agent's stored profile has no
 * capture.json: no tool duration or idle count, its time is the file's. */
typedef enum {
    ABOUT_TIME,
    ABOUT_TOOL,
    ABOUT_SECONDS,
    ABOUT_SAMPLES,
    ABOUT_IDLE_DROPPED,
    ABOUT_DISTINCT,
    ABOUT_FILE
} about_e;

static int fetch_about(about_e what, const profile_group *g, pmAtomValue *atom) {
    if (!g || !g->loaded) return PMDA_FETCH_NOVALUES;
    switch (what) {
        case ABOUT_TIME:
            if (g->time <= 0) return PMDA_FETCH_NOVALUES;
            DOUBLE(g->time);
        case ABOUT_TOOL: STRING(g->has_meta ? g->meta.tool : g->is_agent ? "agent" : "perf");
        case ABOUT_SECONDS:
            if (!g->has_meta) return PMDA_FETCH_NOVALUES;
            DOUBLE(g->meta.seconds);
        case ABOUT_SAMPLES: U64(g->set.samples);
        case ABOUT_IDLE_DROPPED:
            if (!g->has_meta) return PMDA_FETCH_NOVALUES;
            U64(g->meta.idle_dropped);
        case ABOUT_DISTINCT: U64(g->set.distinct);
        case ABOUT_FILE: STRING(g->path);
    }
    return PM_ERR_PMID;
}

static int fetch_stack(const stack_inst *si, pmAtomValue *atom) {
    if (!si) return PMDA_FETCH_NOVALUES;
    U64(si->count);
}

static int fetch_flamegraph(unsigned int item, void *priv, pmAtomValue *atom) {
    const profile_group *sys = pmda_profiles_system();
    switch ((flamegraph_item_e)item) {
        case FLAMEGRAPH_CONTROL: I32((int)pmda_capture_seconds());
        case FLAMEGRAPH_STATUS: STRING(pmda_capture_status());
        case FLAMEGRAPH_URL: STRING(pmda_capture_last_url());
        case FLAMEGRAPH_CAPTURES: U64(pmda_capture_started());
        case FLAMEGRAPH_FAILURES: U64(pmda_capture_failed());
        case FLAMEGRAPH_STACKS: return fetch_stack(priv, atom);
        case FLAMEGRAPH_LAST_TIME: return fetch_about(ABOUT_TIME, sys, atom);
        case FLAMEGRAPH_LAST_TOOL: return fetch_about(ABOUT_TOOL, sys, atom);
        case FLAMEGRAPH_LAST_SECONDS: return fetch_about(ABOUT_SECONDS, sys, atom);
        case FLAMEGRAPH_LAST_SAMPLES: return fetch_about(ABOUT_SAMPLES, sys, atom);
        case FLAMEGRAPH_LAST_IDLE_DROPPED: return fetch_about(ABOUT_IDLE_DROPPED, sys, atom);
        case FLAMEGRAPH_LAST_DISTINCT: return fetch_about(ABOUT_DISTINCT, sys, atom);
        case FLAMEGRAPH_VECTOR: STRING(pmda_vector_status(fetch_context));
        case NUM_FLAMEGRAPH_ITEMS: break;
    }
    return PM_ERR_PMID;
}

static int fetch_profile(unsigned int item, void *priv, pmAtomValue *atom) {
    switch ((profile_item_e)item) {
        case PROFILE_STACKS: return fetch_stack(priv, atom);
        case PROFILE_TIME: return fetch_about(ABOUT_TIME, priv, atom);
        case PROFILE_TOOL: return fetch_about(ABOUT_TOOL, priv, atom);
        case PROFILE_SECONDS: return fetch_about(ABOUT_SECONDS, priv, atom);
        case PROFILE_SAMPLES: return fetch_about(ABOUT_SAMPLES, priv, atom);
        case PROFILE_IDLE_DROPPED: return fetch_about(ABOUT_IDLE_DROPPED, priv, atom);
        case PROFILE_DISTINCT: return fetch_about(ABOUT_DISTINCT, priv, atom);
        case PROFILE_FILE: return fetch_about(ABOUT_FILE, priv, atom);
        case NUM_PROFILE_ITEMS: break;
    }
    return PM_ERR_PMID;
}

static int fetch_baseline(unsigned int item, const bl_inst *bi, const ab_results *r,
                          pmAtomValue *atom) {
    if (item == BASELINE_FIGURES) U32(r ? (unsigned)r->nbaseline : 0);
    if (item >= NUM_BASELINE_ITEMS) return PM_ERR_PMID;
    if (!r || !bi || !bi->fig) return PMDA_FETCH_NOVALUES;
    switch ((baseline_item_e)item) {
        case BASELINE_VALUE: DOUBLE(bi->fig->value);
        case BASELINE_UNIT: STRING(bi->fig->unit);
        default: break;
    }
    return PM_ERR_PMID;
}

static int fetch_journal(unsigned int item, const ab_results *r, pmAtomValue *atom) {
    source_counters sc;
    pmda_source_counters_get(&sc);
    switch ((journal_item_e)item) {
        case JOURNAL_PATH: STRING(pmda_source_journal_path());
        case JOURNAL_OFFSET:
            if (!r) return PMDA_FETCH_NOVALUES;
            U64(sc.offset);
        case JOURNAL_EVENTS: U64(sc.events);
        case JOURNAL_BAD_LINES: U64(sc.bad_lines);
        case JOURNAL_REBUILDS: U64(sc.rebuilds);
        case JOURNAL_MISSING: U64(sc.missing);
        case JOURNAL_PRESENT: U32(r ? 1 : 0);
        case NUM_JOURNAL_ITEMS: break;
    }
    return PM_ERR_PMID;
}

static int fetch_self(unsigned int item, pmAtomValue *atom) {
    unsigned long long rounds, failures;
    double ms;
    pmda_poller_counters(&rounds, &failures, &ms);
    switch ((self_item_e)item) {
        case SELF_FETCHES: U64(fetches);
        case SELF_POLLS: U64(rounds);
        case SELF_POLL_FAILURES: U64(failures);
        case SELF_POLL_TIME:
            if (rounds == 0) return PMDA_FETCH_NOVALUES;
            DOUBLE(ms);
        case NUM_SELF_ITEMS: break;
    }
    return PM_ERR_PMID;
}

/* agentbench.run.* from the values computed the first time they are asked for after a
 * model change: fetch_run once per instance and change instead of once per fetch. */
static int fetch_run_cached(unsigned int item, run_inst *ri, const ab_results *r,
                            pmAtomValue *atom) {
    if (!ri || item >= NUM_RUN_ITEMS) return fetch_run(item, ri, r, atom);
    if (ri->values_gen != pmda_indom_generation()) {
        for (unsigned int k = 0; k < NUM_RUN_ITEMS; k++)
            ri->sts[k] = fetch_run(k, ri, r, &ri->val[k]);
        ri->values_gen = pmda_indom_generation();
    }
    *atom = ri->val[item];
    return ri->sts[item];
}

/* One value: metric (cluster, item) of the instance whose private struct is priv (NULL
 * for singular metrics). */
static int fetch_value(unsigned int cluster, unsigned int item, void *priv, const ab_results *r,
                       pmAtomValue *atom) {
    switch (cluster) {
        case CL_RUNNER: return fetch_runner(item, r, atom);
        case CL_RUN: return fetch_run_cached(item, priv, r, atom);
        case CL_INGESTER: return fetch_ingester(item, priv, atom);
        case CL_FLAMEGRAPH: return fetch_flamegraph(item, priv, atom);
        case CL_BASELINE: return fetch_baseline(item, priv, r, atom);
        case CL_JOURNAL: return fetch_journal(item, r, atom);
        case CL_PMDA: return fetch_self(item, atom);
        case CL_PROFILE: return fetch_profile(item, priv, atom);
    }
    return PM_ERR_PMID;
}

/* libpcp's profile test (exported by libpcp.so.3, declared only in PCP's internal
 * headers): is inst of indom wanted by the profile pmcd sent? */
extern int __pmInProfile(pmInDom indom, const pmProfile *prof, int inst);

static fetchbuf result_buf;

int pmda_fetch_metrics(int numpmid, pmID *pmidlist, pmResult **resp, pmdaExt *pmda) {
    int want_ingesters = 0;
    for (int i = 0; i < numpmid; i++)
        if (pmID_cluster(pmidlist[i]) == CL_INGESTER) want_ingesters = 1;
    fetches++;
    fetch_context = pmda->e_context;
    if (pmDebugOptions.appl1)
        pmNotifyErr(LOG_DEBUG, "fetch %llu: %d metrics%s", fetches, numpmid,
                    want_ingesters ? ", ingesters polled" : "");
    pmda_capture_poll();
    pmda_indom_refresh(want_ingesters);
    const ab_results *r = pmda_source_results();
    pmda_profiles_refresh(r);
    pmda_labels_refresh(pmda);

    pmResult *res = pmda_fetchbuf_begin(&result_buf, numpmid);
    if (!res) return -ENOMEM;
    unsigned char flags = 0;
    if (pmda->e_flags & PMDA_EXT_LABEL_CHANGE) flags |= PMCD_LABEL_CHANGE;
    if (pmda->e_flags & PMDA_EXT_NAMES_CHANGE) flags |= PMCD_NAMES_CHANGE;
    if (flags) { /* the status rides in the timestamp, as pmdaFetch sends it */
        uint64_t status = flags;
        memcpy(&res->timestamp, &status, sizeof(status));
    }

    for (int i = 0; i < numpmid; i++) {
        unsigned int cluster = pmID_cluster(pmidlist[i]), item = pmID_item(pmidlist[i]);
        const pmDesc *d = pmda_metric_desc(pmidlist[i]);
        const inst_index *ix = d && d->indom != PM_INDOM_NULL
                                   ? pmda_indom_index(pmInDom_serial(d->indom))
                                   : NULL;
        pmValueSet *vs = pmda_fetchbuf_vset(&result_buf, i, pmidlist[i], ix ? ix->n : 1);
        if (!vs) return -ENOMEM;
        if (!d) {
            vs->numval = PM_ERR_PMID;
            continue;
        }
        pmAtomValue atom;
        int sts = 0;
        if (!ix) {
            if ((sts = fetch_value(cluster, item, NULL, r, &atom)) > 0)
                sts = pmda_fetchbuf_put(&result_buf, vs, PM_IN_NULL, d->type, &atom);
        } else {
            for (int k = 0; k < ix->n; k++) {
                if (pmda->e_prof && !__pmInProfile(d->indom, pmda->e_prof, ix->inst[k])) continue;
                if ((sts = fetch_value(cluster, item, ix->priv[k], r, &atom)) > 0)
                    sts = pmda_fetchbuf_put(&result_buf, vs, ix->inst[k], d->type, &atom);
                if (sts == -ENOMEM) return sts;
            }
        }
        if (vs->numval == 0) vs->numval = sts < 0 ? sts : 0;
    }
    pmda->e_flags &= ~(PMDA_EXT_LABEL_CHANGE | PMDA_EXT_NAMES_CHANGE);
    *resp = res;
    return 0;
}

void pmda_fetch_result_done(pmResult *result) {
    (void)result; /* kept for the next fetch */
}

void pmda_fetch_free(void) {
    pmda_fetchbuf_free(&result_buf);
    ab_analysis_free(analysis);
    analysis = NULL;
}
