/* results.c: builds the model of a suite (lib/results.h) from its journal events, as
 * doc/journal.md defines them, read through lib/events.h's typed readers: the JSON ones,
 * or for the plain run_start/run_end lines that are nearly all of a big journal, the fast
 * reader (ab_results_add_line), both into the same handlers. Cells are found by a hash of
 * (benchmark, variant); each keeps its ok runs as arrays of compact figures (38 bytes a
 * run), grown by a 32nd at a time so that a big cell wastes little. The statistics are
 * lib/analysis.c's. */
#include "results.h"
#include "events.h"
#include "journal.h"
#include "results_profile.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *state_names[] = {
    [AB_STATE_IDLE] = "idle",       [AB_STATE_BUILDING] = "building",
    [AB_STATE_RUNNING] = "running", [AB_STATE_DONE] = "done",
    [AB_STATE_FAILED] = "failed",   [AB_STATE_INTERRUPTED] = "interrupted",
};

const char *ab_state_name(ab_state s) {
    if ((unsigned)s < sizeof state_names / sizeof state_names[0] && state_names[s])
        return state_names[s];
    return "unknown";
}

/* ---- figures --------------------------------------------------------------------- */

static const ab_figure_info figures[AB_NFIGURES] = {
    [AB_FIG_WALL] = {"wall", "s", 1, 1}, [AB_FIG_USER] = {"user", "s", 0, 0},
    [AB_FIG_SYS] = {"sys", "s", 0, 0},   [AB_FIG_CPU] = {"cpu", "s", 1, 0},
    [AB_FIG_RSS] = {"rss", "KiB", 1, 0},
};

const ab_figure_info *ab_figure_get(ab_figure f) {
    return (unsigned)f < AB_NFIGURES ? &figures[f] : &figures[AB_FIG_WALL];
}

void ab_cell_values(const ab_cell *c, ab_figure f, double *out) {
    for (size_t k = 0; k < c->n; k++) out[k] = ab_cell_value(c, f, k);
}

/* ---- small helpers ------------------------------------------------------------------ */

/* A count read from an event: negative values give 0. */
static unsigned long long count_of(json_int_t v) {
    return v > 0 ? (unsigned long long)v : 0;
}

static void set_str(char **dst, const char *src) {
    if (!src) return;
    if (*dst && !strcmp(*dst, src)) return;
    char *copy = strdup(src);
    if (!copy) return;
    free(*dst);
    *dst = copy;
}

/* Append to a pointer array whose room is the next power of two of its length; 0 or -1. */
static int push_ptr(void ***arr, size_t *n, void *item) {
    if ((*n & (*n - 1)) == 0) { /* 0, 1, 2, 4, ...: full */
        void **a = realloc(*arr, (*n ? *n * 2 : 1) * sizeof *a);
        if (!a) return -1;
        *arr = a;
    }
    (*arr)[(*n)++] = item;
    return 0;
}

/* ---- the v2 figures --------------------------------------------------------------- */

#define FIGURE_NAME_(id, field, unit) #field,
#define FIGURE_UNIT_(id, field, unit) unit,
static const char *const figure_names[] = {AB_V2FIGS(FIGURE_NAME_)};
static const char *const figure_units[] = {AB_V2FIGS(FIGURE_UNIT_)};

const char *ab_v2fig_name(ab_v2fig f) {
    return (unsigned)f < AB_NV2FIGS ? figure_names[f] : "?";
}

const char *ab_v2fig_unit(ab_v2fig f) {
    return (unsigned)f < AB_NV2FIGS ? figure_units[f] : "";
}

static void series_add(ab_series *s, double v) {
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        double *a = realloc(s->v, cap * sizeof *a);
        if (!a) return;
        s->v = a;
        s->cap = cap;
    }
    s->v[s->n++] = v;
}

/* The v2 figures of an ok measured run (each run_end field of the figure's name). */
static void add_figures(ab_cell *c, const ab_ev_run_end *e) {
#define FIGURE_ADD_(id, field, unit) \
    if (e->has.field) series_add(&c->v2[AB_V2_##id], e->field);
    AB_V2FIGS(FIGURE_ADD_)
#undef FIGURE_ADD_
    if (e->has.rate_rps) c->rate_rps = e->rate_rps;
    if (e->exit_blocked && e->has.exit_delay_s) {
        if (!c->exit_blocked || e->exit_delay_s < c->blocked_min) c->blocked_min = e->exit_delay_s;
        c->exit_blocked++;
    }
}

int ab_v2fig_censored(const ab_cell *c, const ab_summary *s, ab_v2fig f) {
    return f == AB_V2_EXIT_DELAY && c && s && s->n && c->exit_blocked &&
           s->median >= c->blocked_min;
}

void ab_results_v2_stats(const ab_results *r, const ab_cell *c, ab_cell_stats *out) {
    memset(out->v2, 0, sizeof out->v2);
    memset(out->over_v2, 0, sizeof out->over_v2);
    if (!c) return;
    for (int f = 0; f < AB_NV2FIGS; f++) ab_summarize(c->v2[f].v, c->v2[f].n, &out->v2[f]);
    const ab_cell *b = ab_results_baseline_of(r, c);
    if (!b) return;
    for (int f = 0; f < AB_NV2FIGS; f++)
        if (b->v2[f].n >= 2 && c->v2[f].n >= 2)
            ab_compare_unpaired(b->v2[f].v, b->v2[f].n, c->v2[f].v, c->v2[f].n, &out->over_v2[f]);
}

/* ---- lifecycle --------------------------------------------------------------------- */

ab_results *ab_results_new(void) {
    return calloc(1, sizeof(ab_results));
}

static void cell_free(ab_cell *c) {
    if (!c) return;
    free(c->benchmark);
    free(c->variant);
    free(c->warning);
    free(c->wall);
    free(c->user);
    free(c->sys);
    free(c->rss_kb);
    free(c->run);
    free(c->steal_cpct);
    free(c->migrations);
    for (int f = 0; f < AB_NV2FIGS; f++) free(c->v2[f].v);
    ab_cell_profile_free(&c->profile);
    free(c);
}

void ab_results_free(ab_results *r) {
    if (!r) return;
    free(r->suite);
    free(r->host);
    free(r->benchmark);
    free(r->variant);
    for (size_t i = 0; i < r->ncells; i++) cell_free(r->cells[i]);
    free(r->cells);
    free(r->hash);
    free(r->scratch);
    for (size_t i = 0; i < r->ningesters; i++) {
        ab_ingester *g = r->ingesters[i];
        free(g->name);
        free(g->mode);
        free(g->url);
        free(g->control);
        free(g->store);
        free(g);
    }
    free(r->ingesters);
    json_decref(r->warnings);
    for (size_t i = 0; i < r->nflamegraphs; i++) {
        ab_flamegraph *f = r->flamegraphs[i];
        free(f->benchmark);
        free(f->variant);
        free(f->svg);
        free(f->folded);
        free(f);
    }
    free(r->flamegraphs);
    for (size_t i = 0; i < r->nbaseline; i++) {
        ab_baseline_figure *f = r->baseline[i];
        free(f->kind);
        free(f->name);
        free(f->unit);
        free(f);
    }
    free(r->baseline);
    for (size_t i = 0; i < r->nskipped; i++) free(r->skipped[i].reason);
    free(r->skipped);
    json_decref(r->suite_start);
    free(r);
}

/* ---- cells ------------------------------------------------------------------------- */

/* FNV-1a of benchmark, a NUL, variant. */
static size_t cell_hash(const char *benchmark, const char *variant) {
    uint64_t h = 1469598103934665603ull;
    for (const char *p = benchmark; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    h *= 1099511628211ull;
    for (const char *p = variant; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return (size_t)(h ^ (h >> 29));
}

ab_cell *ab_results_find(const ab_results *r, const char *benchmark, const char *variant) {
    if (!r || !benchmark || !variant || !r->hash_size) return NULL;
    for (ab_cell *c = r->hash[cell_hash(benchmark, variant) & (r->hash_size - 1)]; c;
         c = c->hash_next)
        if (!strcmp(c->benchmark, benchmark) && !strcmp(c->variant, variant)) return c;
    return NULL;
}

const ab_cell *ab_results_baseline_of(const ab_results *r, const ab_cell *c) {
    if (!c || c->is_baseline) return NULL;
    return ab_results_find(r, c->benchmark, "baseline");
}

/* Room for one more cell in the hash (load factor <= 1, a power of two); 0 or -1. */
static int hash_grow(ab_results *r) {
    if (r->ncells < r->hash_size) return 0;
    size_t size = r->hash_size ? r->hash_size * 2 : 64;
    ab_cell **h = calloc(size, sizeof *h);
    if (!h) return -1;
    for (size_t i = 0; i < r->ncells; i++) {
        ab_cell *c = r->cells[i];
        size_t b = cell_hash(c->benchmark, c->variant) & (size - 1);
        c->hash_next = h[b];
        h[b] = c;
    }
    free(r->hash);
    r->hash = h;
    r->hash_size = size;
    return 0;
}

static ab_cell *cell_get(ab_results *r, const char *benchmark, const char *variant) {
    ab_cell *c = ab_results_find(r, benchmark, variant);
    if (c) return c;
    if (hash_grow(r) < 0) return NULL;
    c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->benchmark = strdup(benchmark);
    c->variant = strdup(variant);
    c->is_baseline = !strcmp(variant, "baseline");
    c->index = r->ncells;
    if (!c->benchmark || !c->variant || push_ptr((void ***)&r->cells, &r->ncells, c) < 0) {
        cell_free(c);
        return NULL;
    }
    size_t b = cell_hash(benchmark, variant) & (r->hash_size - 1);
    c->hash_next = r->hash[b];
    r->hash[b] = c;
    r->changes++;
    return c;
}

static int grow(void **a, size_t cap, size_t size) {
    void *p = realloc(*a, cap * size);
    if (!p) return -1;
    *a = p;
    return 0;
}

/* The figures of one ok run. */
typedef struct run_figures {
    double wall, user, sys, rss_kb, steal_pct;
    long long run, migrations; /* migrations < 0: not recorded */
} run_figures;

static uint32_t clamp_u32(double v) {
    return !(v > 0) ? 0 : v >= (double)(UINT32_MAX - 1) ? UINT32_MAX - 1 : (uint32_t)v;
}

static int cell_append(ab_cell *c, const run_figures *f) {
    if (c->n == c->cap) {
        /* a 32nd more at a time (at least 16): a big cell's arrays are mmap'd blocks, which
         * realloc grows by mremap without copying, and a growing cell wastes at most 3% */
        size_t cap = c->cap + (c->cap / 32 > 16 ? c->cap / 32 : 16);
        if (grow((void **)&c->wall, cap, sizeof *c->wall) < 0 ||
            grow((void **)&c->user, cap, sizeof *c->user) < 0 ||
            grow((void **)&c->sys, cap, sizeof *c->sys) < 0 ||
            grow((void **)&c->rss_kb, cap, sizeof *c->rss_kb) < 0 ||
            grow((void **)&c->run, cap, sizeof *c->run) < 0 ||
            grow((void **)&c->steal_cpct, cap, sizeof *c->steal_cpct) < 0 ||
            grow((void **)&c->migrations, cap, sizeof *c->migrations) < 0)
            return -1;
        c->cap = cap;
    }
    size_t k = c->n;
    c->wall[k] = f->wall;
    c->user[k] = f->user;
    c->sys[k] = f->sys;
    c->rss_kb[k] = clamp_u32(f->rss_kb);
    c->run[k] = f->run < 0 ? 0 : f->run >= UINT32_MAX ? UINT32_MAX - 1 : (uint32_t)f->run;
    double steal = f->steal_pct > 100 ? 100 : f->steal_pct;
    c->steal_cpct[k] = steal > 0 ? (uint16_t)lround(steal * 100) : 0;
    c->migrations[k] = f->migrations < 0 ? AB_NO_MIGRATIONS : clamp_u32((double)f->migrations);
    c->n++;
    c->changes++;
    return 0;
}

/* ---- events ------------------------------------------------------------------------ */

/* "done" and "total" as the newest event carrying them says. */
static void take_progress(ab_results *r, int has_done, json_int_t done, int has_total,
                          json_int_t total) {
    if (has_done) r->runs_done = (unsigned long)count_of(done);
    if (has_total) r->runs_total = (unsigned long)count_of(total);
}

static void on_suite_start(ab_results *r, json_t *ev) {
    ab_ev_suite_start e;
    ab_ev_suite_start_read(ev, &e);
    if (!r->suite_start) {
        r->suite_start = json_incref(ev);
        r->started = ab_event_time(ev);
    }
    set_str(&r->suite, e.suite);
    set_str(&r->host, e.host);
    if (e.order) r->shuffled = !strcmp(e.order, "shuffled");
    take_progress(r, 0, 0, e.has.total_runs, e.total_runs);
    r->state = AB_STATE_BUILDING;
    r->eta_s = 0;
    /* a resumed runner started again: the ingesters of the one before are gone */
    for (size_t i = 0; i < r->ningesters; i++) r->ingesters[i]->live = 0;
    /* one cell per planned benchmark x variant, in the planned order */
    size_t i, j;
    json_t *b, *v;
    json_array_foreach(e.benchmarks, i, b) {
        if (!json_is_string(b)) continue;
        json_array_foreach(e.variants, j, v) {
            if (json_is_string(v)) cell_get(r, json_string_value(b), json_string_value(v));
        }
    }
}

static void run_start(ab_results *r, const ab_ev_run_start *e) {
    if (!e->benchmark || !e->variant) return;
    set_str(&r->benchmark, e->benchmark);
    set_str(&r->variant, e->variant);
    cell_get(r, e->benchmark, e->variant);
    r->state = AB_STATE_RUNNING;
    take_progress(r, e->has.done, e->done, e->has.total, e->total);
}

static void run_end(ab_results *r, const ab_ev_run_end *e) {
    if (!e->benchmark || !e->variant) return;
    ab_cell *c = cell_get(r, e->benchmark, e->variant);
    take_progress(r, e->has.done, e->done, e->has.total, e->total);
    if (e->has.eta_s) r->eta_s = fmax(0, e->eta_s);
    if (c && e->kind && !strcmp(e->kind, "service")) c->is_service = 1;
    if (!c || e->warmup) return;

    c->profiles += count_of(e->profiles);
    c->samples += count_of(e->samples);
    json_t *w = json_array_get(e->warnings, 0); /* NULL from the fast reader: none */
    if (json_is_string(w)) {
        c->warned++;
        if (!c->warning) {
            char text[400];
            snprintf(text, sizeof text, "run %lld: %s", (long long)e->run, json_string_value(w));
            c->warning = strdup(text);
        }
    }
    int ok = e->status && !strcmp(e->status, "ok") && e->has.wall_s && e->wall_s >= 0;
    if (ok) {
        run_figures f = {e->wall_s,
                         fmax(0, e->user_s),
                         fmax(0, e->sys_s),
                         fmax(0, (double)e->maxrss_kb),
                         fmax(0, e->steal_pct),
                         e->run,
                         e->has.migrations ? e->migrations : -1};
        if (cell_append(c, &f) == 0) {
            c->last_wall = e->wall_s;
            ab_cell_profile_add(&c->profile, e, 1);
        }
        add_figures(c, e);
    } else {
        ab_cell_profile_add(&c->profile, e, 0);
        c->failed++;
        c->changes++;
        r->runs_failed++;
        if (e->status && !strcmp(e->status, "no_profiles")) c->no_profiles++;
    }
}

static void on_run_start(ab_results *r, json_t *ev) {
    ab_ev_run_start e;
    ab_ev_run_start_read(ev, &e);
    run_start(r, &e);
}

static void on_run_end(ab_results *r, json_t *ev) {
    ab_ev_run_end e;
    ab_ev_run_end_read(ev, &e);
    run_end(r, &e);
}

static void on_ingester(ab_results *r, json_t *ev, int live) {
    ab_ev_ingester e;
    ab_ev_ingester_start_read(ev, &e); /* ingester_stop has the same fields */
    if (!e.name) return;
    ab_ingester *g = NULL;
    for (size_t i = 0; i < r->ningesters; i++)
        if (!strcmp(r->ingesters[i]->name, e.name)) g = r->ingesters[i];
    if (!g) {
        g = calloc(1, sizeof *g);
        if (!g) return;
        g->name = strdup(e.name);
        if (!g->name || push_ptr((void ***)&r->ingesters, &r->ningesters, g) < 0) {
            free(g->name);
            free(g);
            return;
        }
    }
    set_str(&g->mode, e.mode);
    set_str(&g->url, e.url);
    set_str(&g->control, e.control);
    set_str(&g->store, e.store);
    g->live = live;
}

static void on_baseline(ab_results *r, json_t *ev) {
    ab_ev_baseline e;
    ab_ev_baseline_read(ev, &e);
    if (!e.kind || !e.name || !e.has.value) return;
    ab_baseline_figure *f = NULL;
    for (size_t i = 0; i < r->nbaseline; i++)
        if (!strcmp(r->baseline[i]->kind, e.kind) && !strcmp(r->baseline[i]->name, e.name))
            f = r->baseline[i];
    if (!f) {
        f = calloc(1, sizeof *f);
        if (!f) return;
        f->kind = strdup(e.kind);
        f->name = strdup(e.name);
        if (!f->kind || !f->name || push_ptr((void ***)&r->baseline, &r->nbaseline, f) < 0) {
            free(f->kind);
            free(f->name);
            free(f);
            return;
        }
    }
    set_str(&f->unit, e.unit);
    if (!f->unit) set_str(&f->unit, "");
    f->value = e.value;
}

static void on_summary(ab_results *r, json_t *ev) {
    ab_ev_summary e;
    ab_ev_summary_read(ev, &e);
    ab_cell *c = e.benchmark && e.variant ? cell_get(r, e.benchmark, e.variant) : NULL;
    if (c) c->summarized = 1;
}

static int same_or_both_null(const char *a, const char *b) {
    return a && b ? !strcmp(a, b) : a == b;
}

static void on_flamegraph(ab_results *r, json_t *ev) {
    ab_ev_flamegraph e;
    ab_ev_flamegraph_read(ev, &e);
    if (!e.folded) return;
    ab_flamegraph *f = NULL;
    for (size_t i = 0; i < r->nflamegraphs; i++)
        if (same_or_both_null(r->flamegraphs[i]->benchmark, e.benchmark) &&
            same_or_both_null(r->flamegraphs[i]->variant, e.variant))
            f = r->flamegraphs[i];
    if (!f) {
        f = calloc(1, sizeof *f);
        if (!f) return;
        if ((e.benchmark && !(f->benchmark = strdup(e.benchmark))) ||
            (e.variant && !(f->variant = strdup(e.variant))) ||
            push_ptr((void ***)&r->flamegraphs, &r->nflamegraphs, f) < 0) {
            free(f->benchmark);
            free(f->variant);
            free(f);
            return;
        }
    }
    set_str(&f->svg, e.svg);
    set_str(&f->folded, e.folded);
    f->samples = count_of(e.samples);
    f->t = ab_event_time(ev);
}

static void on_suite_end(ab_results *r, json_t *ev) {
    ab_ev_suite_end e;
    ab_ev_suite_end_read(ev, &e);
    if (e.status && !strcmp(e.status, "failed")) r->state = AB_STATE_FAILED;
    else if (e.status && !strcmp(e.status, "interrupted")) r->state = AB_STATE_INTERRUPTED;
    else r->state = AB_STATE_DONE;
    take_progress(r, e.has.done, e.done, e.has.total, e.total);
    r->eta_s = 0;
    for (size_t i = 0; i < r->ningesters; i++) r->ingesters[i]->live = 0;
}

void ab_results_add(ab_results *r, json_t *ev) {
    if (!r || !json_is_object(ev) || !ab_event_type(ev)) return;
    r->events++;
    double t = ab_event_time(ev);
    if (t > r->last_update) r->last_update = t;
    r->changes++;

    switch (ab_event_id_of(ev)) {
        case AB_EV_SUITE_START: on_suite_start(r, ev); break;
        case AB_EV_RUN_START: on_run_start(r, ev); break;
        case AB_EV_RUN_END: on_run_end(r, ev); break;
        case AB_EV_INGESTER_START: on_ingester(r, ev, 1); break;
        case AB_EV_INGESTER_STOP: on_ingester(r, ev, 0); break;
        case AB_EV_BASELINE: on_baseline(r, ev); break;
        case AB_EV_SUMMARY: on_summary(r, ev); break;
        case AB_EV_FLAMEGRAPH: on_flamegraph(r, ev); break;
        case AB_EV_ERROR: r->errors++; break;
        case AB_EV_WARNING:
            if (!r->warnings) r->warnings = json_array();
            json_array_append(r->warnings, ev);
            break;
        case AB_EV_SUITE_END: on_suite_end(r, ev); break;
        default: break; /* build and unknown types change nothing here */
    }
}

void ab_results_add_cb(json_t *ev, void *results) {
    ab_results_add(results, ev);
}

int ab_results_add_line(const char *line, size_t len, void *results) {
    ab_results *r = results;
    if (len + 1 > r->scratch_len) {
        size_t cap = len + 1 > 4096 ? len + 1 : 4096;
        char *p = realloc(r->scratch, cap);
        if (!p) return 0;
        r->scratch = p;
        r->scratch_len = cap;
    }
    ab_event_scanned ev;
    if (!ab_event_scan(line, len, r->scratch, &ev)) return 0;
    switch (ev.id) {
        case AB_EV_RUN_START: run_start(r, &ev.e.run_start); break;
        case AB_EV_RUN_END: run_end(r, &ev.e.run_end); break;
        default: return 0; /* the rarer types: the JSON path, one handler each */
    }
    if (ev.t > r->last_update) r->last_update = ev.t;
    r->events++;
    r->changes++;
    return 1;
}

/* A journal read whole: each cell's arrays cut to its runs (realloc of an mmap'd block is
 * an mremap, no copy), so the model is 38 bytes a run and no more. */
static void cells_fit(ab_results *r) {
    for (size_t i = 0; i < r->ncells; i++) {
        ab_cell *c = r->cells[i];
        if (c->n == c->cap || c->n == 0) continue;
        /* a shrink that fails leaves its array as it was, larger: cap = n stays true */
        grow((void **)&c->wall, c->n, sizeof *c->wall);
        grow((void **)&c->user, c->n, sizeof *c->user);
        grow((void **)&c->sys, c->n, sizeof *c->sys);
        grow((void **)&c->rss_kb, c->n, sizeof *c->rss_kb);
        grow((void **)&c->run, c->n, sizeof *c->run);
        grow((void **)&c->steal_cpct, c->n, sizeof *c->steal_cpct);
        grow((void **)&c->migrations, c->n, sizeof *c->migrations);
        c->cap = c->n;
    }
}

ab_results *ab_results_load(const char *journal_path, char *err, size_t errlen) {
    ab_results *r = ab_results_new();
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ab_journal_read_info info = {
        .on_skip = ab_results_skipped_cb, .skip_arg = r, .on_line = ab_results_add_line};
    if (ab_journal_read(journal_path, ab_results_add_cb, r, &info) < 0) {
        snprintf(err, errlen, "cannot read journal %s", journal_path);
        ab_results_free(r);
        return NULL;
    }
    r->bad_lines = info.errors;
    r->incomplete_bytes = (unsigned long long)info.pending;
    cells_fit(r);
    return r;
}

void ab_results_skipped_cb(unsigned long line, const char *reason, void *results) {
    ab_results *r = results;
    if (r->nskipped >= AB_RESULTS_SKIPPED_MAX) return;
    ab_skipped_line *a = realloc(r->skipped, (r->nskipped + 1) * sizeof *a);
    if (!a) return;
    r->skipped = a;
    if ((a[r->nskipped].reason = strdup(reason))) a[r->nskipped++].line = line;
}

int ab_results_final(const ab_results *r) {
    return r && (r->state == AB_STATE_DONE || r->state == AB_STATE_FAILED ||
                 r->state == AB_STATE_INTERRUPTED);
}

double ab_results_progress(const ab_results *r) {
    if (!r) return 0;
    if (r->state == AB_STATE_DONE) return 100;
    if (r->runs_total == 0) return 0;
    double p = 100.0 * (double)r->runs_done / (double)r->runs_total;
    return p > 100 ? 100 : p < 0 ? 0 : p;
}
