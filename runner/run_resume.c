/* run_resume.c: `agentbench run --resume`: what a killed suite already did, from one read
 * of its journal, and the programs it will run, confirmed by the user (a journal is data:
 * whoever can write to the results directory must not get code run by whoever resumes). That read
 * feeds the suite's results model and, at the same time, a tally by name (runs per benchmark x
 * variant, the highest sequence number, the reference checksums, the summaries written, a service's
 * fixed load rate), because the benchmarks are only known once the options in the first suite_start
 * have been parsed again. rn_suite_resume_apply() then turns the tally into the suite's per-index
 * counts, so no run is repeated. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "benchdir.h"
#include "events.h"
#include "run.h"
#include "suitedir.h"
#include "util.h"

typedef struct resumed_cell {
    char *benchmark, *variant;
    int measured, warmup;
} resumed_cell;

typedef struct resumed_bench {
    char *name;
    char *checksum;    /* the reference checksum so far, or NULL */
    int from_baseline; /* ... taken from a baseline run */
    int summarized;    /* its summary events are in the journal */
    double load_rate;  /* a service's fixed offered rate (load_rate), or 0 */
} resumed_bench;

struct resume_tally {
    resumed_cell *cells;
    size_t ncells;
    resumed_bench *bench;
    size_t nbench;
    unsigned long seq;
};

typedef struct reading {
    ab_results *results;
    resume_tally *tally;
} reading;

static resumed_bench *bench_of(resume_tally *t, const char *name) {
    for (size_t i = 0; i < t->nbench; i++)
        if (!strcmp(t->bench[i].name, name)) return &t->bench[i];
    t->bench = rn_xrealloc(t->bench, (t->nbench + 1) * sizeof *t->bench);
    resumed_bench *b = &t->bench[t->nbench++];
    memset(b, 0, sizeof *b);
    b->name = rn_xstrdup(name);
    return b;
}

static resumed_cell *cell_of(resume_tally *t, const char *benchmark, const char *variant) {
    for (size_t i = 0; i < t->ncells; i++)
        if (!strcmp(t->cells[i].benchmark, benchmark) && !strcmp(t->cells[i].variant, variant))
            return &t->cells[i];
    t->cells = rn_xrealloc(t->cells, (t->ncells + 1) * sizeof *t->cells);
    resumed_cell *c = &t->cells[t->ncells++];
    memset(c, 0, sizeof *c);
    c->benchmark = rn_xstrdup(benchmark);
    c->variant = rn_xstrdup(variant);
    return c;
}

/* A run_end: one more run of its cell, and perhaps the benchmark's reference checksum
 * (the baseline's wins over an earlier profiled run's), as rn_run_one() would have kept it. */
static void tally_run_end(resume_tally *t, json_t *ev) {
    ab_ev_run_end e;
    ab_ev_run_end_read(ev, &e);
    if (e.seq > 0 && (unsigned long)e.seq > t->seq) t->seq = (unsigned long)e.seq;
    if (!e.benchmark || !e.variant) return;
    resumed_cell *c = cell_of(t, e.benchmark, e.variant);
    if (e.warmup) c->warmup++;
    else c->measured++;
    if (!e.checksum || !e.status || !strcmp(e.status, "checksum") || !strcmp(e.status, "failed") ||
        !strcmp(e.status, "crashed") || !strcmp(e.status, "timeout"))
        return;
    resumed_bench *b = bench_of(t, e.benchmark);
    int is_base = !strcmp(e.variant, "baseline");
    if (!b->checksum || (is_base && !b->from_baseline)) {
        free(b->checksum);
        b->checksum = rn_xstrdup(e.checksum);
        b->from_baseline = is_base;
    }
}

static void on_event(json_t *ev, void *arg) {
    reading *rd = arg;
    ab_results_add(rd->results, ev);
    switch (ab_event_id_of(ev)) {
        case AB_EV_SUMMARY: {
            ab_ev_summary e;
            ab_ev_summary_read(ev, &e);
            if (e.benchmark) bench_of(rd->tally, e.benchmark)->summarized = 1;
            break;
        }
        case AB_EV_RUN_END: tally_run_end(rd->tally, ev); break;
        case AB_EV_LOAD_RATE: { /* fixed once: a resumed suite keeps it */
            ab_ev_load_rate e;
            ab_ev_load_rate_read(ev, &e);
            if (e.benchmark && e.rate_rps > 0)
                bench_of(rd->tally, e.benchmark)->load_rate = e.rate_rps;
            break;
        }
        default: break;
    }
}

/* The options the suite was started with, from its first suite_start: its argv parsed
 * again, then the benchmark directories as resolved then (the cwd may differ now), the
 * seed and the suite id. 0, or 2 (usage) with a message. */
static int options_from(suite *s, json_t *ss) {
    ab_ev_suite_start e;
    ab_ev_suite_start_read(ss, &e);
    strlist args = {0};
    rn_strlist_add(&args, "run");
    size_t i;
    json_t *a;
    json_array_foreach(e.argv, i, a) if (json_is_string(a))
        rn_strlist_add(&args, json_string_value(a));
    int quiet = s->o.quiet;
    rn_run_options_free(&s->o);
    int rc = rn_run_options_parse(&s->o, (int)args.n, args.v);
    rn_strlist_free(&args);
    if (rc) return 2;
    if (s->o.resume) {
        fprintf(stderr, "agentbench run --resume: the journal's options hold --resume: not "
                        "the options of a suite\n");
        return 2;
    }
    s->o.quiet |= quiet;
    if (json_array_size(e.benchmark_dirs)) {
        rn_strlist_free(&s->o.dirs);
        json_array_foreach(e.benchmark_dirs, i, a) if (json_is_string(a))
            rn_strlist_add(&s->o.dirs, json_string_value(a));
    }
    s->o.seed = (uint64_t)e.seed;
    s->o.seed_given = 1;
    snprintf(s->id, sizeof s->id, "%s", e.suite ? e.suite : "");
    return 0;
}

/* The suite directory is the journal's; the results directory is above it. */
static int dirs_from(suite *s) {
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s", s->journal_path) >= (int)sizeof tmp) return 2;
    snprintf(s->dir, sizeof s->dir, "%s", dirname(tmp));
    char abs[PATH_MAX];
    if (realpath(s->dir, abs)) snprintf(s->dir, sizeof s->dir, "%s", abs);
    snprintf(tmp, sizeof tmp, "%s", s->dir);
    snprintf(s->results_dir, sizeof s->results_dir, "%s", dirname(tmp));
    return 0;
}

int rn_suite_resume_load(suite *s, const char *arg) {
    char err[512];
    char *jp = rn_suite_journal_find(arg, err, sizeof err);
    if (!jp) {
        fprintf(stderr, "agentbench run --resume: %s\n", err);
        return 2;
    }
    snprintf(s->journal_path, sizeof s->journal_path, "%s", jp);
    free(jp);
    s->results = ab_results_new();
    s->tally = rn_xcalloc(1, sizeof *s->tally);
    reading rd = {s->results, s->tally};
    unsigned long bad = 0;
    int n = ab_journal_read_all(s->journal_path, on_event, &rd, &bad);
    s->results->bad_lines = bad;
    if (n < 0) {
        fprintf(stderr, "agentbench run --resume: %s: cannot read journal %s\n", s->journal_path,
                s->journal_path);
        return 2;
    }
    if (!s->results->suite_start) {
        fprintf(stderr, "agentbench run --resume: %s: no suite_start event in it\n",
                s->journal_path);
        return 2;
    }
    if (options_from(s, s->results->suite_start)) return 2;
    return dirs_from(s);
}

static int index_of_bench(suite *s, const char *name) {
    for (int i = 0; i < s->nbench; i++)
        if (!strcmp(s->bench[i]->name, name)) return i;
    return -1;
}

void rn_suite_resume_apply(suite *s) {
    resume_tally *t = s->tally;
    if (!t) return;
    s->seq = t->seq;
    for (size_t i = 0; i < t->ncells; i++) {
        resumed_cell *c = &t->cells[i];
        int bi = index_of_bench(s, c->benchmark), vi = rn_strlist_index(&s->o.variants, c->variant);
        if (bi >= 0 && vi >= 0) {
            s->resumed_measured[bi * s->nvar + vi] += c->measured;
            s->resumed_warmup[bi * s->nvar + vi] += c->warmup;
            s->done += (unsigned long)c->measured;
        }
        free(c->benchmark);
        free(c->variant);
    }
    for (size_t i = 0; i < t->nbench; i++) {
        resumed_bench *b = &t->bench[i];
        int bi = index_of_bench(s, b->name);
        if (bi >= 0) {
            s->summarized[bi] = b->summarized;
            s->ref_checksum[bi] = b->checksum;
            s->ref_from_baseline[bi] = b->from_baseline;
            s->load_rate[bi] = b->load_rate;
        } else {
            free(b->checksum);
        }
        free(b->name);
    }
    free(t->cells);
    free(t->bench);
    free(t);
    s->tally = NULL;
}

/* ---- what the journal names, against what the user named ---------------------------- */

/* The canonical form of a path (realpath when it exists), malloc'd. */
static char *canonical(const char *path) {
    char buf[PATH_MAX];
    return rn_xstrdup(realpath(path, buf) ? buf : path);
}

/* The absolute directories of the benchmarks the user's arguments name. 0, or -1. */
static int named_dirs(const strlist *args, strlist *out) {
    benchmark **v;
    char err[1024];
    int n = rn_benchmarks_resolve(args->v, (int)args->n, &v, err, sizeof err);
    if (n < 0) {
        fprintf(stderr, "agentbench run --resume: %s\n", err);
        return -1;
    }
    for (int i = 0; i < n; i++) rn_strlist_add_take(out, canonical(v[i]->dir));
    rn_benchmarks_free(v, n);
    return 0;
}

/* One program or address the journal names (jv, NULL: the default) against the user's
 * (uv, NULL: not given). Adds the difference to diff. */
static void compare_one(strlist *diff, const char *what, const char *jv, const char *uv,
                        int is_path) {
    if (!uv) return;
    char *a = jv ? (is_path ? canonical(jv) : rn_xstrdup(jv)) : NULL;
    char *b = is_path ? canonical(uv) : rn_xstrdup(uv);
    if (!a || strcmp(a, b))
        rn_strlist_add_take(diff, rn_xasprintf("%s: the journal has %s, your command line %s", what,
                                               jv ? jv : "none (the default)", uv));
    free(a);
    free(b);
}

/* What the journal makes a resume run or contact, one line each. */
static void journal_programs(const suite *s, strlist *out) {
    for (size_t i = 0; i < s->o.dirs.n; i++)
        rn_strlist_add_take(
            out, rn_xasprintf("benchmark %s (its run, and build if it has one)", s->o.dirs.v[i]));
    if (s->o.ingester_bin)
        rn_strlist_add_take(out, rn_xasprintf("--ingester %s", s->o.ingester_bin));
    if (s->o.ingester_url)
        rn_strlist_add_take(out, rn_xasprintf("--ingester-url %s --ingester-control %s",
                                              s->o.ingester_url,
                                              s->o.ingester_control ? s->o.ingester_control : ""));
}

/* The command line that confirms them. */
static char *confirming_command(const suite *s, const char *arg) {
    char *cmd = rn_xasprintf("agentbench run --resume %s", arg);
    for (size_t i = 0; i < s->o.dirs.n; i++) {
        char *next = rn_xasprintf("%s %s", cmd, s->o.dirs.v[i]);
        free(cmd);
        cmd = next;
    }
    char *next = rn_xasprintf("%s%s%s%s%s%s%s", cmd, s->o.ingester_bin ? " --ingester " : "",
                              s->o.ingester_bin ? s->o.ingester_bin : "",
                              s->o.ingester_url ? " --ingester-url " : "",
                              s->o.ingester_url ? s->o.ingester_url : "",
                              s->o.ingester_control ? " --ingester-control " : "",
                              s->o.ingester_control ? s->o.ingester_control : "");
    free(cmd);
    return next;
}

int rn_suite_resume_confirm(suite *s, const resume_named *named, const char *arg) {
    strlist diff = {0}, mine = {0}, theirs = {0};
    int rc = 0;
    if (named->dirs.n) {
        if (named_dirs(&named->dirs, &mine) < 0) {
            rc = 2;
            goto out;
        }
        for (size_t i = 0; i < s->o.dirs.n; i++)
            rn_strlist_add_take(&theirs, canonical(s->o.dirs.v[i]));
        for (size_t i = 0; i < theirs.n; i++)
            if (rn_strlist_index(&mine, theirs.v[i]) < 0)
                rn_strlist_add_take(&diff, rn_xasprintf("benchmark %s: in the journal, not on your "
                                                        "command line",
                                                        s->o.dirs.v[i]));
        for (size_t i = 0; i < mine.n; i++)
            if (rn_strlist_index(&theirs, mine.v[i]) < 0)
                rn_strlist_add_take(&diff,
                                    rn_xasprintf("benchmark %s: on your command line, not in "
                                                 "the journal",
                                                 mine.v[i]));
    }
    compare_one(&diff, "--ingester", s->o.ingester_bin, named->ingester_bin, 1);
    compare_one(&diff, "--ingester-url", s->o.ingester_url, named->ingester_url, 0);
    compare_one(&diff, "--ingester-control", s->o.ingester_control, named->ingester_control, 0);
    if (diff.n) {
        fprintf(stderr,
                "agentbench run --resume: %s: the journal names other programs than "
                "your command line; nothing was run:\n",
                s->journal_path);
        for (size_t i = 0; i < diff.n; i++) fprintf(stderr, "  %s\n", diff.v[i]);
        rc = 2;
        goto out;
    }
    /* everything named matches; is everything the journal names confirmed? */
    int unconfirmed = (!named->dirs.n && s->o.dirs.n) ||
                      (s->o.ingester_bin && !named->ingester_bin) ||
                      (s->o.ingester_url && !named->ingester_url) ||
                      (s->o.ingester_control && !named->ingester_control);
    strlist programs = {0};
    journal_programs(s, &programs);
    if (unconfirmed && !named->trust) {
        char *cmd = confirming_command(s, arg);
        fprintf(stderr, "agentbench run --resume: resuming runs what the journal %s names:\n",
                s->journal_path);
        for (size_t i = 0; i < programs.n; i++) fprintf(stderr, "  %s\n", programs.v[i]);
        fprintf(stderr,
                "confirm it by naming it:\n  %s\nor run it as the journal says with "
                "--trust-journal. Nothing was run.\n",
                cmd);
        free(cmd);
        rc = 2;
    } else if (unconfirmed) { /* said even with --quiet: it runs what no one named */
        fprintf(stderr, "agentbench run --resume: --trust-journal: running what the journal "
                        "names:\n");
        for (size_t i = 0; i < programs.n; i++) fprintf(stderr, "  %s\n", programs.v[i]);
    }
    rn_strlist_free(&programs);
out:
    rn_strlist_free(&diff);
    rn_strlist_free(&mine);
    rn_strlist_free(&theirs);
    return rc;
}
