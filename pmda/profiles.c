/* profiles.c: flame graphs published as metrics (stacks.h gives one file's instances).
 *
 * The system-wide capture: when a capture started by agentbench.flamegraph.control (or
 * .vector) ends in DONE, its DIR/NAME.folded becomes agentbench.flamegraph.stacks and its
 * DIR/NAME.capture.json (lib/capture_meta.h) agentbench.flamegraph.last.*; both stay
 * until the next capture ends.
 *
 * The suite's profiles, one group per benchmark/variant/source (agentbench.profile.*):
 *   source "perf"       a flamegraph event of `agentbench run --flamegraph` (the variant's
 *                       run under perf): its folded file and the .capture.json beside it;
 *   source "agent.X"    what the variant's profiling agent delivered to its ingester,
 *                       kept by `--store` (the ingester_start event's store directory):
 *                       STORE/BENCH@X.folded, X the profile type (lib/store_name.h; source
 *                       "agent" for the untyped STORE/BENCH.folded an ingester before
 *                       profile types wrote), once the benchmark's runs of that variant are
 *                       all done (its summary event); read again when the file changes.
 * Files are looked at again when the journal's model changes and at most once a second;
 * one is read only when its size or time changed. A file that cannot be read leaves its
 * group without stacks, and is logged once.
 *
 * The three instance domains are tables (pmdaIndom it_set), not pmdaCache: a stack's name
 * starts with a newline and is only unique as a whole, and pmdaCache keys names up to
 * their first space. Instance ids are a hash of the name (FNV-1a, 31 bits; a collision
 * takes the next free id), so a stack keeps its id across captures and PMDA restarts.
 * -D appl2 traces every file read. */
#include "metrics.h"
#include "clock.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "capture.h"
#include "source.h"
#include "store_name.h"

static const abc_config *config;

static profile_group system_group; /* the last system-wide capture */
static unsigned long long system_done_seen;

static profile_group **groups; /* the suite's, sorted by name */
static size_t ngroups;
static const ab_results *groups_model;
static unsigned long long groups_generation;
static double last_scan;

/* the tables: STACKS_INDOM, PROFILE_STACKS_INDOM, PROFILE_INDOM */
typedef struct table {
    inst_index ix;
    pmdaInstid *ids;
} table;
static table tables[NUM_INDOMS];
static unsigned long long tables_generation; /* bumped by every table_set */

/* ---- one group: its file, read when it changed ---------------------------------------- */

static void group_clear(profile_group *g) {
    pmda_stacks_free(&g->set);
    memset(&g->meta, 0, sizeof(g->meta));
    g->has_meta = g->loaded = 0;
    g->size = -1;
}

static void group_free(profile_group *g) {
    group_clear(g);
    free(g->name);
    free(g->benchmark);
    free(g->variant);
    free(g->source);
    free(g->path);
    free(g->error);
    free(g);
}

/* Read g->path if it changed since it was read. Returns 1 when g changed. */
static int group_load(profile_group *g, double fallback_time) {
    struct stat st;
    if (stat(g->path, &st) < 0) {
        int changed = g->loaded || g->size != -2;
        group_clear(g);
        g->size = -2; /* known missing */
        if (changed) {
            free(g->error);
            g->error = strdup(strerror(errno));
            pmNotifyErr(LOG_WARNING, "flame graph %s: %s: %s", g->name ? g->name : "capture",
                        g->path, strerror(errno));
        }
        return changed;
    }
    if (g->loaded && st.st_size == g->size && st.st_mtim.tv_sec == g->mtime.tv_sec &&
        st.st_mtim.tv_nsec == g->mtime.tv_nsec)
        return 0;
    char err[4200];
    group_clear(g);
    g->size = st.st_size;
    g->mtime = st.st_mtim;
    if (pmda_stacks_load(&g->set, g->path, g->name, (size_t)config->stacks_max, err, sizeof(err)) <
        0) {
        if (!g->error || strcmp(g->error, err) != 0)
            pmNotifyErr(LOG_WARNING, "flame graph %s: %s", g->name ? g->name : "capture", err);
        free(g->error);
        g->error = strdup(err);
        return 1;
    }
    free(g->error);
    g->error = NULL;
    g->loaded = 1;
    char meta_path[4200];
    ab_capture_meta_path(g->path, meta_path, sizeof(meta_path));
    g->has_meta = !g->is_agent && ab_capture_meta_read(meta_path, &g->meta, err, sizeof(err)) == 0;
    g->time = g->has_meta   ? g->meta.ended
              : g->is_agent ? st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9
                            : fallback_time;
    if (pmDebugOptions.appl2)
        pmNotifyErr(LOG_DEBUG,
                    "flame graph %s: read %s: %llu samples, %llu stacks, %zu "
                    "instances%s",
                    g->name ? g->name : "capture", g->path, g->set.samples, g->set.distinct,
                    g->set.n, g->has_meta ? ", with its capture.json" : "");
    return 1;
}

/* ---- the tables ----------------------------------------------------------------------- */

static int name_id(const char *name) {
    unsigned int h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= 16777619u;
    }
    return (int)(h & 0x7fffffff);
}

typedef struct id_set {
    int *slot; /* -1: free */
    size_t mask;
} id_set;

/* An id for name not yet in ids (the hash, else the next free one); -1 out of memory. */
static int unique_id(id_set *ids, const char *name) {
    int id = name_id(name);
    for (;;) {
        size_t i = (size_t)id & ids->mask;
        while (ids->slot[i] != -1 && ids->slot[i] != id) i = (i + 1) & ids->mask;
        if (ids->slot[i] == -1) {
            ids->slot[i] = id;
            return id;
        }
        id = (id + 1) & 0x7fffffff;
    }
}

/* Make table serial hold n instances: names[k] with private struct privs[k]. */
static void table_set(int serial, size_t n, char **names, void **privs) {
    table *t = &tables[serial];
    inst_index *ix = &t->ix;
    size_t cap = 16;
    while (cap < 2 * n + 2) cap *= 2;
    id_set ids = {malloc(cap * sizeof(int)), cap - 1};
    int *inst = malloc((n ? n : 1) * sizeof(*inst));
    void **priv = malloc((n ? n : 1) * sizeof(*priv));
    pmdaInstid *set = malloc((n ? n : 1) * sizeof(*set));
    if (!ids.slot || !inst || !priv || !set) {
        pmNotifyErr(LOG_ERR, "instance domain %s: out of memory: no instances",
                    pmInDomStr(INDOM(serial)));
        free(inst);
        free(priv);
        free(set);
        n = 0;
        inst = NULL;
        priv = NULL;
        set = NULL;
    } else {
        memset(ids.slot, 0xff, cap * sizeof(int));
        for (size_t k = 0; k < n; k++) {
            inst[k] = unique_id(&ids, names[k]);
            priv[k] = privs[k];
            set[k].i_inst = inst[k];
            set[k].i_name = names[k];
        }
    }
    free(ids.slot);
    free(ix->inst);
    free(ix->priv);
    free(t->ids);
    ix->inst = inst;
    ix->priv = priv;
    ix->n = ix->cap = (int)n;
    t->ids = set;
    pmda_indomtab[serial].it_numinst = (int)n;
    pmda_indomtab[serial].it_set = set;
    tables_generation++;
}

static void rebuild_system(void) {
    const stack_set *s = &system_group.set;
    char **names = malloc((s->n ? s->n : 1) * sizeof(*names));
    void **privs = malloc((s->n ? s->n : 1) * sizeof(*privs));
    size_t n = 0;
    for (size_t k = 0; names && privs && k < s->n; k++, n++) {
        names[n] = s->v[k].name;
        privs[n] = &s->v[k];
    }
    table_set(STACKS_INDOM, n, names, privs);
    free(names);
    free(privs);
}

static void rebuild_groups(void) {
    size_t nstacks = 0;
    for (size_t i = 0; i < ngroups; i++) nstacks += groups[i]->set.n;
    char **names = malloc((nstacks + ngroups + 1) * sizeof(*names));
    void **privs = malloc((nstacks + ngroups + 1) * sizeof(*privs));
    size_t n = 0;
    for (size_t i = 0; names && privs && i < ngroups; i++)
        for (size_t k = 0; k < groups[i]->set.n; k++, n++) {
            names[n] = groups[i]->set.v[k].name;
            privs[n] = &groups[i]->set.v[k];
        }
    table_set(PROFILE_STACKS_INDOM, names && privs ? n : 0, names, privs);
    n = 0;
    for (size_t i = 0; names && privs && i < ngroups; i++, n++) {
        names[n] = groups[i]->name;
        privs[n] = groups[i];
    }
    table_set(PROFILE_INDOM, names && privs ? n : 0, names, privs);
    free(names);
    free(privs);
}

/* ---- the suite's groups --------------------------------------------------------------- */

static profile_group *group_find(const char *name) {
    for (size_t i = 0; i < ngroups; i++)
        if (strcmp(groups[i]->name, name) == 0) return groups[i];
    return NULL;
}

/* The group benchmark/variant/source reading path, marked seen (added if new). */
static profile_group *group_want(const char *benchmark, const char *variant, const char *source,
                                 const char *path, int is_agent) {
    char name[1024];
    snprintf(name, sizeof(name), "%s/%s/%s", benchmark, variant, source);
    profile_group *g = group_find(name);
    if (g && strcmp(g->path, path) != 0) {
        free(g->path);
        g->path = strdup(path);
        group_clear(g);
    }
    if (!g) {
        profile_group **grown = realloc(groups, (ngroups + 1) * sizeof(*groups));
        if (!grown || !(g = calloc(1, sizeof(*g)))) return NULL;
        groups = grown;
        g->name = strdup(name);
        g->benchmark = strdup(benchmark);
        g->variant = strdup(variant);
        g->source = strdup(source);
        g->path = strdup(path);
        g->is_agent = is_agent;
        g->size = -1;
        if (!g->name || !g->benchmark || !g->variant || !g->source || !g->path) {
            group_free(g);
            return NULL;
        }
        groups[ngroups++] = g;
    }
    g->seen = 1;
    return g;
}

static int by_group_name(const void *a, const void *b) {
    return strcmp((*(profile_group *const *)a)->name, (*(profile_group *const *)b)->name);
}

/* The agent's files of benchmark in store dir, one per profile type (lib/store_name.h):
 * BENCH@X.folded (source "agent.X"), and the untyped BENCH.folded of an ingester before
 * profile types (source "agent"). */
static void want_agent_files(const char *dir, const char *benchmark, const char *variant) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char app[AB_STORE_MAX_FILE_NAME + 1], type[AB_STORE_MAX_FILE_NAME + 1];
    while ((e = readdir(d))) {
        if (ab_store_app_name(e->d_name, app, sizeof app, type, sizeof type) < 0 ||
            strcmp(app, benchmark) != 0)
            continue;
        char source[300], path[4400];
        snprintf(source, sizeof(source), "agent%s%s", type[0] ? "." : "", type);
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path)) continue;
        group_want(benchmark, variant, source, path, 1);
    }
    closedir(d);
}

/* Which groups the model has, then read what changed. Returns 1 when anything did. */
static int scan_groups(const ab_results *r) {
    const char *suite = pmda_source_suite_dir();
    for (size_t i = 0; i < ngroups; i++) groups[i]->seen = 0;
    char path[4200];
    for (size_t i = 0; r && suite && i < r->nflamegraphs; i++) {
        const ab_flamegraph *f = r->flamegraphs[i];
        if (!f->benchmark || !f->variant || !f->folded) continue;
        snprintf(path, sizeof(path), "%s/%s", suite, f->folded);
        profile_group *g = group_want(f->benchmark, f->variant, "perf", path, 0);
        if (g) g->event_time = f->t;
    }
    for (size_t i = 0; r && suite && i < r->ningesters; i++) {
        const ab_ingester *ing = r->ingesters[i];
        if (!ing->store || !ing->name) continue;
        snprintf(path, sizeof(path), "%s/%s", suite, ing->store);
        for (size_t k = 0; k < r->ncells; k++)
            if (r->cells[k]->summarized && strcmp(r->cells[k]->variant, ing->name) == 0)
                want_agent_files(path, r->cells[k]->benchmark, ing->name);
    }
    int changed = 0;
    size_t kept = 0;
    for (size_t i = 0; i < ngroups; i++) {
        if (!groups[i]->seen) {
            group_free(groups[i]);
            changed = 1;
            continue;
        }
        groups[kept++] = groups[i];
    }
    ngroups = kept;
    if (ngroups > 1) qsort(groups, ngroups, sizeof(*groups), by_group_name);
    for (size_t i = 0; i < ngroups; i++) changed |= group_load(groups[i], groups[i]->event_time);
    return changed;
}

/* ---- the interface -------------------------------------------------------------------- */

void pmda_profiles_init(const abc_config *cfg) {
    config = cfg;
    system_group.size = -1;
    for (int serial = STACKS_INDOM; serial < NUM_INDOMS; serial++) table_set(serial, 0, NULL, NULL);
}

void pmda_profiles_refresh(const ab_results *r) {
    if (pmda_capture_done() != system_done_seen) {
        system_done_seen = pmda_capture_done();
        char folded[4200];
        pmda_capture_last_folded(folded, sizeof(folded));
        free(system_group.path);
        system_group.path = strdup(folded);
        group_clear(&system_group);
        if (system_group.path) group_load(&system_group, 0);
        rebuild_system();
    }
    double now = ab_mono_s();
    if (r != groups_model || pmda_indom_generation() != groups_generation || now - last_scan >= 1) {
        groups_model = r;
        groups_generation = pmda_indom_generation();
        last_scan = now;
        if (scan_groups(r)) rebuild_groups();
    }
}

unsigned long long pmda_profiles_generation(void) {
    return tables_generation;
}

const inst_index *pmda_profiles_index(int serial) {
    return &tables[serial].ix;
}

const profile_group *pmda_profiles_system(void) {
    return system_group.loaded ? &system_group : NULL;
}

const profile_group *pmda_profiles_group_of(int serial, unsigned int inst) {
    const inst_index *ix = &tables[serial].ix;
    for (int k = 0; k < ix->n; k++) {
        if (ix->inst[k] != (int)inst) continue;
        if (serial == PROFILE_INDOM) return ix->priv[k];
        const stack_inst *si = ix->priv[k];
        for (size_t i = 0; i < ngroups; i++)
            if (si >= groups[i]->set.v && si < groups[i]->set.v + groups[i]->set.n)
                return groups[i];
    }
    return NULL;
}
