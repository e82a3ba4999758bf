/* baseline/store.c: where baseline figures go: a suite journal of their own
 * (suite_start, one "baseline" event per figure, errors, suite_end; RESULTS_DIR/latest
 * updated) and RESULTS_DIR/baseline.json, the newest figure of each kind, which
 * rn_baseline_copy_latest() copies into every later suite's journal. */
#include <errno.h>
#include <math.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "baseline.h"
#include "clock.h"
#include "store.h"
#include "events.h"
#include "suitedir.h"

/* Append a built event (NULL: out of memory) and drop it. */
static int put(ab_journal *j, json_t *ev) {
    int rc = ev ? ab_journal_put(j, ev, 1) : -1;
    json_decref(ev);
    return rc;
}

/* Append to the suite's journal; the first failure is said and ends the writing (the
 * journal was cut back to its last complete line). */
static void suite_put(bl_suite *s, json_t *ev) {
    if (s->write_errno) {
        json_decref(ev);
        return;
    }
    if (put(s->j, ev) == 0) return;
    s->write_errno = errno ? errno : EIO;
    fprintf(stderr,
            "agentbench baseline: cannot write the journal of %s: %s; the figures "
            "measured so far stay in it, the rest are not recorded\n",
            s->dir, strerror(s->write_errno));
}

int rn_bl_suite_open(bl_suite *s, const char *results, int argc, char **argv, char *err,
                     size_t errlen) {
    memset(s, 0, sizeof *s);
    s->results = results;
    s->started = ab_wall_s();
    gethostname(s->host, sizeof s->host - 1);
    uint64_t seed = (uint64_t)getpid() * 2654435761u ^ (uint64_t)(s->started * 1e6);
    char id[64];
    rn_suite_id_make(id, sizeof id, s->started, seed);
    if (rn_suite_dir_create(results, id, s->dir, sizeof s->dir, err, errlen) < 0) return -1;
    const char *base = strrchr(s->dir, '/');
    snprintf(s->id, sizeof s->id, "%.100s", base ? base + 1 : s->dir);
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/journal.jsonl", s->dir);
    if (!(s->j = ab_journal_open(path, err, errlen))) return -1;
    json_t *av = json_array(), *none = json_array();
    json_array_append_new(av, json_string("agentbench"));
    for (int i = 0; i < argc; i++) json_array_append_new(av, json_string(argv[i]));
    /* a suite_start as `agentbench run` writes it, with no runs: kind says what it is */
    ab_ev_suite_start ss = {.suite = s->id,
                            .host = s->host,
                            .seed = (json_int_t)(seed & 0xffff),
                            .order = "blocked",
                            .benchmarks = none,
                            .variants = none,
                            .argv = av,
                            .kind = "baseline"};
    int rc = put(s->j, ab_ev_suite_start_json(&ss));
    json_decref(av);
    json_decref(none);
    if (rc < 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    if (rn_suite_latest_update(results, s->dir) < 0)
        fprintf(stderr, "agentbench baseline: warning: cannot update %s/latest: %s\n", results,
                strerror(errno));
    return 0;
}

void rn_bl_suite_figures(bl_suite *s, const bl_figures *f, size_t from) {
    for (size_t i = from; i < f->n; i++) {
        const bl_figure *x = &f->v[i];
        ab_ev_baseline e = {.kind = x->kind,
                            .name = x->name,
                            .value = x->value,
                            .unit = x->unit,
                            .detail = x->detail};
        suite_put(s, ab_ev_baseline_json(&e));
    }
}

void rn_bl_suite_error(bl_suite *s, const char *part, const char *message) {
    ab_ev_error e = {.message = message, .part = part};
    suite_put(s, ab_ev_error_json(&e));
}

void rn_bl_suite_close(bl_suite *s, int done, int failed, int total, int interrupted) {
    ab_ev_suite_end e = {.status = interrupted ? "interrupted"
                                   : failed    ? "failed"
                                               : "done",
                         .done = done,
                         .failed = failed,
                         .total = total,
                         .seconds = ab_wall_s() - s->started};
    suite_put(s, ab_ev_suite_end_json(&e));
    ab_journal_close(s->j);
    s->j = NULL;
}

/* baseline.json: this run's figures, plus the previous file's figures of kinds this run
 * did not measure (so `--disk` alone keeps the CPU figures). */
int rn_bl_write_json(const bl_suite *s, const bl_figures *f, char *err, size_t errlen) {
    char path[PATH_MAX], tmp[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/baseline.json", s->results);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    json_t *figs = json_array();
    double now = ab_wall_s();
    for (size_t i = 0; i < f->n; i++)
        json_array_append_new(figs, json_pack("{s:s, s:s, s:f, s:s, s:O, s:s, s:f}", "kind",
                                              f->v[i].kind, "name", f->v[i].name, "value",
                                              f->v[i].value, "unit", f->v[i].unit, "detail",
                                              f->v[i].detail, "suite", s->id, "t", now));
    size_t oldlen = 0;
    char *oldtext = rn_bl_json_read(s->results, &oldlen);
    json_t *old = oldtext ? json_loadb(oldtext, oldlen, 0, NULL) : NULL;
    free(oldtext);
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(old, "figures"), i, x) {
        const char *kind = json_string_value(json_object_get(x, "kind"));
        int measured = 0;
        for (size_t k = 0; kind && k < f->n && !measured; k++)
            measured = !strcmp(f->v[k].kind, kind);
        if (kind && !measured) json_array_append(figs, x);
    }
    json_decref(old);
    json_t *root = json_pack("{s:i, s:s, s:f, s:s, s:o}", "v", 1, "host", s->host, "t", now,
                             "suite", s->id, "figures", figs);
    int rc = root && json_dump_file(root, tmp, JSON_INDENT(1) | JSON_SORT_KEYS) == 0 &&
                     rename(tmp, path) == 0
                 ? 0
                 : -1;
    if (rc < 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
    }
    json_decref(root);
    return rc;
}

char *rn_bl_json_read(const char *results_dir, size_t *len) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/baseline.json", results_dir);
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *buf = malloc(BL_JSON_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, BL_JSON_MAX_BYTES + 1, f) : 0;
    fclose(f);
    if (!buf || n > BL_JSON_MAX_BYTES) {
        if (buf)
            fprintf(stderr, "agentbench: %s is larger than %d bytes: not read\n", path,
                    BL_JSON_MAX_BYTES);
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

/* A string member of at most BL_JSON_MAX_NAME bytes, else NULL. */
static const char *short_string(json_t *o, const char *key) {
    const char *v = json_string_value(json_object_get(o, key));
    return v && strlen(v) <= BL_JSON_MAX_NAME ? v : NULL;
}

/* The detail of figure x as its event carries it: bounded, with where it came from. */
static json_t *figure_detail(json_t *x, const char *host) {
    json_t *detail = json_object_get(x, "detail");
    char *text = json_is_object(detail) ? json_dumps(detail, JSON_COMPACT) : NULL;
    size_t bytes = text ? strlen(text) : 0;
    free(text);
    if (bytes > BL_JSON_MAX_DETAIL) detail = json_pack("{s:I}", "dropped_bytes", (json_int_t)bytes);
    else detail = json_is_object(detail) ? json_deep_copy(detail) : json_object();
    if (host && strlen(host) <= 255) json_object_set_new(detail, "host", json_string(host));
    json_t *t = json_object_get(x, "t");
    const char *suite = short_string(x, "suite");
    if (json_is_number(t)) json_object_set(detail, "measured_t", t);
    if (suite) json_object_set_new(detail, "measured_suite", json_string(suite));
    return detail;
}

int rn_bl_json_figures(const char *text, size_t len, bl_json_figure_cb cb, void *arg) {
    if (len > BL_JSON_MAX_BYTES) return -1;
    json_t *root = json_loadb(text, len, 0, NULL);
    json_t *figures = json_object_get(root, "figures");
    if (!json_is_array(figures)) {
        json_decref(root);
        return -1;
    }
    const char *host = json_string_value(json_object_get(root, "host"));
    int given = 0;
    size_t i;
    json_t *x;
    json_array_foreach(figures, i, x) {
        if (given >= BL_JSON_MAX_FIGURES) break;
        const char *kind = short_string(x, "kind"), *name = short_string(x, "name");
        const char *unit = short_string(x, "unit");
        json_t *value = json_object_get(x, "value");
        if (!kind || !name || !json_is_number(value) || !isfinite(json_number_value(value)))
            continue;
        json_t *detail = figure_detail(x, host);
        ab_ev_baseline e = {.kind = kind,
                            .name = name,
                            .value = json_number_value(value),
                            .unit = unit ? unit : "",
                            .detail = detail};
        cb(&e, arg);
        given++;
        json_decref(detail);
    }
    json_decref(root);
    return given;
}

typedef struct copying {
    ab_journal *j;
    int copied;
} copying;

static void copy_figure(const ab_ev_baseline *e, void *arg) {
    copying *c = arg;
    if (put(c->j, ab_ev_baseline_json(e)) == 0) c->copied++;
}

int rn_baseline_copy_latest(const char *results_dir, ab_journal *j) {
    size_t len;
    char *text = rn_bl_json_read(results_dir, &len);
    if (!text) return 0;
    copying c = {j, 0};
    rn_bl_json_figures(text, len, copy_figure, &c);
    free(text);
    return c.copied;
}
