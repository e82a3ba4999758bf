/* run_journal.c: where a suite's record goes. RESULTS_DIR/<suite-id>/ holds journal.jsonl
 * and logs/, with a lock so that only one runner appends to it (a --resume while the
 * first still runs would interleave their runs). Every event the suite writes is made by
 * a lib/events.h builder and handed by rn_suite_emit() to the journal and then, the same
 * object, to the results model: the file and the model never disagree, not even on "t". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "baseline/baseline.h"
#include "clock.h"
#include "events.h"
#include "progress.h"
#include "run.h"
#include "suitedir.h"
#include "util.h"

/* The first failed write: say what happened, what is kept, and how to go on. */
static void journal_failed(suite *s, json_t *ev, int e) {
    s->journal_errno = e;
    s->stop = 1;
    ab_ev_run_end r;
    ab_ev_run_end_read(ev, &r);
    char what[300];
    if (r.benchmark && r.variant)
        snprintf(what, sizeof what, "its %s event (%s %s %s %lld)", ab_event_type(ev), r.benchmark,
                 r.variant, r.warmup ? "warm-up" : "run", (long long)r.run);
    else snprintf(what, sizeof what, "its %s event", ab_event_type(ev));
    rn_progress_clear();
    fprintf(stderr,
            "agentbench run: cannot write the journal %s: %s\n"
            "agentbench run: stopping the suite: the %lu measured runs recorded "
            "before are kept; %s is not recorded, and no part of it is in the "
            "journal; once there is room, `agentbench run --resume %s` continues\n",
            s->journal_path, strerror(e), s->results->runs_done, what, s->dir);
}

/* Append ev; 0, or -1 (the first failure says so and stops the suite). */
static int journal_put(suite *s, json_t *ev) {
    if (!s->journal) return -1;
    /* every event is fsync'd before the runner goes on, except run_start: losing it in a
     * crash loses nothing measured, and the run's run_end (fsync'd) syncs it too */
    if (ab_journal_put(s->journal, ev, ab_event_id_of(ev) != AB_EV_RUN_START) == 0) return 0;
    if (!s->journal_errno) journal_failed(s, ev, errno);
    return -1;
}

void rn_suite_emit(suite *s, json_t *ev) {
    if (!ev) return;
    /* the model holds what the file holds: the same event, with the file's "t" */
    if (!s->journal_errno && journal_put(s, ev) == 0) ab_results_add(s->results, ev);
    json_decref(ev);
}

void rn_suite_error(suite *s, const char *message, const char *benchmark, const char *variant) {
    ab_ev_error e = {.message = message, .benchmark = benchmark, .variant = variant};
    rn_suite_emit(s, ab_ev_error_json(&e));
}

/* A new suite: RESULTS_DIR/<id>/, its id and its journal's path. 0 or the exit status. */
static int create_dir(suite *s) {
    char err[1024];
    if (rn_mkdir_p(s->o.results) < 0 || !realpath(s->o.results, s->results_dir)) {
        fprintf(stderr, "agentbench run: cannot create %s: %s\n", s->o.results, strerror(errno));
        return 1;
    }
    rn_suite_id_make(s->id, sizeof s->id, ab_wall_s(), s->o.seed);
    if (rn_suite_dir_create(s->results_dir, s->id, s->dir, sizeof s->dir, err, sizeof err) < 0) {
        fprintf(stderr, "agentbench run: %s\n", err);
        return 1;
    }
    const char *base = strrchr(s->dir, '/');
    snprintf(s->id, sizeof s->id, "%s", base + 1);
    if (snprintf(s->journal_path, sizeof s->journal_path, "%s/journal.jsonl", s->dir) >=
        (int)sizeof s->journal_path) {
        fprintf(stderr, "agentbench run: path too long\n");
        return 1;
    }
    return 0;
}

int rn_suite_open(suite *s) {
    int rc = s->resumed ? 0 : create_dir(s);
    if (rc) return rc;
    char *logs = rn_xasprintf("%s/logs", s->dir);
    rn_mkdir_p(logs);
    free(logs);
    if (rn_suite_lock(s->dir) < 0) {
        fprintf(stderr, "agentbench run: suite %s is being run by another agentbench (locked)\n",
                s->dir);
        return 1;
    }
    char err[1024];
    s->journal = ab_journal_open(s->journal_path, err, sizeof err);
    if (!s->journal) {
        fprintf(stderr, "agentbench run: %s\n", err);
        return 1;
    }
    rn_suite_latest_update(s->results_dir, s->dir);
    if (!s->results) s->results = ab_results_new(); /* a resume has read its own */
    return 0;
}

static json_t *strlist_json(const strlist *l) {
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++) json_array_append_new(a, json_string(l->v[i]));
    return a;
}

void rn_suite_emit_start(suite *s) {
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    json_t *names = json_array(), *dirs = json_array();
    for (int i = 0; i < s->nbench; i++) {
        json_array_append_new(names, json_string(s->bench[i]->name));
        json_array_append_new(dirs, json_string(s->bench[i]->dir));
    }
    json_t *variants = strlist_json(&s->o.variants);
    json_t *profilers = s->o.profilers.n ? strlist_json(&s->o.profilers) : NULL;
    /* on a resume, the original argv: a second resume must still find the options */
    ab_ev_suite_start first;
    ab_ev_suite_start_read(s->resumed ? s->results->suite_start : NULL, &first);
    json_t *args = first.argv ? json_incref(first.argv) : strlist_json(&s->argv);
    ab_ev_suite_start e = {.suite = s->id,
                           .host = host,
                           .seed = (json_int_t)s->o.seed,
                           .order = s->o.shuffled ? "shuffled" : "blocked",
                           .benchmarks = names,
                           .variants = variants,
                           .warmup = s->o.warmup,
                           .runs = s->o.runs,
                           .min_runs = s->o.target_ci > 0 ? s->o.min_runs : s->o.runs,
                           .max_runs = s->o.runs,
                           .target_ci = s->o.target_ci,
                           .total_runs = (json_int_t)s->total,
                           .slow_delay = s->o.slow_delay,
                           .timeout = s->o.timeout,
                           .argv = args,
                           .benchmark_dirs = dirs,
                           .cpu_bench = s->cpu_bench,
                           .cpu_ingester = s->cpu_ingester,
                           .cpu_load = s->cpu_load,
                           .upload_interval = s->o.upload_interval,
                           .quick = s->o.quick,
                           .resumed = s->resumed,
                           .profilers = profilers,
                           .server_url = s->o.server_url,
                           .has = {.upload_interval = s->o.upload_interval > 0,
                                   .quick = 1,
                                   .resumed = (unsigned char)s->resumed}};
    rn_suite_emit(s, ab_ev_suite_start_json(&e));
    json_decref(names);
    json_decref(dirs);
    json_decref(variants);
    json_decref(profilers);
    json_decref(args);
    /* (on a resume, the killed runner's ingesters died with it: suite_start says so) */
    if (!s->resumed) rn_baseline_copy_latest(s->results_dir, s->journal);
}

void rn_suite_fix_load_rate(suite *s, int bi, double rate, double capacity, const char *variant,
                            const char *source) {
    s->load_rate[bi] = rate;
    ab_ev_load_rate e = {.benchmark = s->bench[bi]->name,
                         .rate_rps = rate,
                         .capacity_rps = capacity,
                         .share = capacity > 0 ? rate / capacity : 0,
                         .variant = variant,
                         .source = source};
    rn_suite_emit(s, ab_ev_load_rate_json(&e));
    if (capacity > 0)
        rn_progress_info("%s: the latency phase runs at %.1f requests/s (%.0f%% of the %s "
                         "capacity, %.1f requests/s, from a %s run)",
                         s->bench[bi]->name, rate, 100 * rate / capacity, variant, capacity,
                         source);
    else
        rn_progress_info("%s: the latency phase runs at %.1f requests/s (--load-rate)",
                         s->bench[bi]->name, rate);
}

void rn_suite_emit_end(suite *s, const char *status) {
    ab_ev_suite_end e = {.status = status,
                         .done = (json_int_t)s->done,
                         .failed = (json_int_t)s->results->runs_failed,
                         .total = (json_int_t)s->total,
                         .seconds = ab_mono_s() - s->started};
    json_t *ev = ab_ev_suite_end_json(&e);
    if (ev && journal_put(s, ev) == 0) ab_results_add(s->results, ev);
    json_decref(ev);
    ab_journal_close(s->journal);
    s->journal = NULL;
}
