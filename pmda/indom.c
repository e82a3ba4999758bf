/* indom.c: the instance domains. Each is a pmdaCache whose entries carry a private struct
 * (metrics.h) that the fetch callback reads. A refresh asks the journal follower
 * (source.h) whether the model changed; only then are the instances re-resolved: every
 * entry is made inactive, the current ones active again (a name keeps its id and its
 * struct), the cache is saved so ids stay stable across restarts, and an index of the
 * active instances in cache order with their structs is rebuilt: what a fetch walks, so
 * no value costs a cache search. Ingester instances also copy the poller's latest
 * answers, but only for fetches that ask for them.
 *
 * Cache failures are logged with pmNotifyErr, once until the operation works again;
 * -D appl0 traces every re-resolution. */
#include "metrics.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "capture.h"
#include "source.h"

pmdaIndom pmda_indomtab[NUM_INDOMS] = {
    {RUN_INDOM, 0, NULL},
    {INGESTER_INDOM, 0, NULL},
    {BASELINE_INDOM, 0, NULL},
    {STACKS_INDOM, 0, NULL}, /* tables: profiles.c fills them */
    {PROFILE_STACKS_INDOM, 0, NULL},
    {PROFILE_INDOM, 0, NULL},
};

static const abc_config *config;
static unsigned long long generation = 1;

/* ---- pmdaCache, with its failures logged ---------------------------------------------- */

/* What can fail, each logged once until it works again. */
enum cache_step {
    STEP_LOAD,
    STEP_SAVE,
    STEP_INACTIVE,
    STEP_STORE,
    STEP_ALLOC,
    STEP_LOOKUP,
    STEP_INDEX,
    NUM_STEPS
};
static const char *const step_name[NUM_STEPS] = {
    "PMDA_CACHE_LOAD",        "PMDA_CACHE_SAVE", "PMDA_CACHE_INACTIVE",        "pmdaCacheStore",
    "allocating an instance", "pmdaCacheLookup", "growing the instance index",
};
static int last_error[NUM_CACHE_INDOMS][NUM_STEPS];

static void cache_result(pmInDom indom, enum cache_step step, int sts) {
    int *last = &last_error[pmInDom_serial(indom)][step];
    if (sts >= 0 || sts == *last) {
        if (sts >= 0) *last = 0;
        return;
    }
    *last = sts;
    pmNotifyErr(LOG_ERR, "instance domain %s: %s failed: %s", pmInDomStr(indom), step_name[step],
                pmErrStr(sts));
}

static void cache_op(pmInDom indom, int op, enum cache_step step) {
    cache_result(indom, step, pmdaCacheOp(indom, op));
}

/* Make name active with a private struct of `size` bytes (allocated once per name and
 * kept). Returns the struct, or NULL (logged). */
static void *activate(pmInDom indom, const char *name, size_t size) {
    int inst, sts;
    void *priv = NULL;
    if (pmdaCacheLookupName(indom, name, &inst, &priv) < 0 || priv == NULL) priv = calloc(1, size);
    cache_result(indom, STEP_ALLOC, priv ? 0 : -ENOMEM);
    if (!priv) return NULL;
    sts = pmdaCacheStore(indom, PMDA_CACHE_ADD, name, priv);
    cache_result(indom, STEP_STORE, sts);
    return sts < 0 ? NULL : priv;
}

static inst_index indexes[NUM_CACHE_INDOMS];

/* The index of indom serial rebuilt from the cache: active entries in cache order. */
static void rebuild_index(int serial) {
    inst_index *ix = &indexes[serial];
    pmInDom indom = INDOM(serial);
    int inst;
    void *priv;
    ix->n = 0;
    pmdaCacheOp(indom, PMDA_CACHE_WALK_REWIND);
    while ((inst = pmdaCacheOp(indom, PMDA_CACHE_WALK_NEXT)) >= 0) {
        if (pmdaCacheLookup(indom, inst, NULL, &priv) != PMDA_CACHE_ACTIVE) continue;
        if (ix->n == ix->cap) {
            int cap = ix->cap ? ix->cap * 2 : 64;
            int *ip = realloc(ix->inst, cap * sizeof(*ip));
            if (ip) ix->inst = ip;
            void **pp = realloc(ix->priv, cap * sizeof(*pp));
            if (pp) ix->priv = pp;
            cache_result(indom, STEP_INDEX, ip && pp ? 0 : -ENOMEM);
            if (!ip || !pp) break;
            ix->cap = cap;
        }
        ix->inst[ix->n] = inst;
        ix->priv[ix->n] = priv;
        ix->n++;
    }
}

/* ---- resolving each instance domain from the model ------------------------------------ */

static void resolve_runs(const ab_results *r) {
    pmInDom indom = INDOM(RUN_INDOM);
    cache_op(indom, PMDA_CACHE_INACTIVE, STEP_INACTIVE);
    for (size_t i = 0; r && i < r->ncells; i++) {
        const ab_cell *c = r->cells[i];
        char name[512];
        snprintf(name, sizeof(name), "%s/%s", c->benchmark, c->variant);
        run_inst *ri = activate(indom, name, sizeof(run_inst));
        if (ri) ri->cell = c;
    }
    cache_op(indom, PMDA_CACHE_SAVE, STEP_SAVE);
    rebuild_index(RUN_INDOM);
}

static void resolve_baseline(const ab_results *r) {
    pmInDom indom = INDOM(BASELINE_INDOM);
    cache_op(indom, PMDA_CACHE_INACTIVE, STEP_INACTIVE);
    for (size_t i = 0; r && i < r->nbaseline; i++) {
        const ab_baseline_figure *f = r->baseline[i];
        char name[512];
        snprintf(name, sizeof(name), "%s/%s", f->kind ? f->kind : "", f->name ? f->name : "");
        bl_inst *bi = activate(indom, name, sizeof(bl_inst));
        if (bi) bi->fig = f;
    }
    cache_op(indom, PMDA_CACHE_SAVE, STEP_SAVE);
    rebuild_index(BASELINE_INDOM);
}

static void set_ingester(ing_inst *ii, const char *name, const char *control, const char *source) {
    free(ii->name);
    free(ii->control);
    free(ii->source);
    ii->name = strdup(name);
    ii->control = strdup(control);
    ii->source = strdup(source);
}

/* Ingesters: the configured ones, then the live ones of the journal. A journal ingester
 * with the name of a configured one at another address is called name@host:port. */
static void resolve_ingesters(const ab_results *r) {
    pmInDom indom = INDOM(INGESTER_INDOM);
    const char *urls[ABC_MAX_INGESTERS + 256], *tokens[ABC_MAX_INGESTERS + 256] = {0};
    size_t n = 0;
    cache_op(indom, PMDA_CACHE_INACTIVE, STEP_INACTIVE);
    for (size_t i = 0; i < config->ningesters; i++) {
        ing_inst *ii = activate(indom, config->ingesters[i].name, sizeof(ing_inst));
        if (!ii) continue;
        set_ingester(ii, config->ingesters[i].name, config->ingesters[i].control, "config");
        tokens[n] = config->ingesters[i].token;
        urls[n++] = ii->control;
    }
    for (size_t i = 0; r && i < r->ningesters && n < sizeof(urls) / sizeof(urls[0]); i++) {
        const ab_ingester *g = r->ingesters[i];
        if (!g->live || !g->control || !g->name) continue;
        char control[1024], name[1200];
        snprintf(control, sizeof(control), "%s", g->control);
        size_t len = strlen(control);
        while (len > 0 && control[len - 1] == '/') control[--len] = '\0';
        int dup = 0;
        snprintf(name, sizeof(name), "%s", g->name);
        for (size_t k = 0; k < config->ningesters; k++) {
            if (strcmp(config->ingesters[k].name, g->name) != 0) continue;
            if (strcmp(config->ingesters[k].control, control) == 0) dup = 1;
            else {
                const char *hp = strstr(control, "://");
                snprintf(name, sizeof(name), "%s@%s", g->name, hp ? hp + 3 : control);
            }
        }
        if (dup) continue;
        ing_inst *ii = activate(indom, name, sizeof(ing_inst));
        if (!ii) continue;
        set_ingester(ii, name, control, "journal");
        urls[n++] = ii->control;
    }
    pmda_poller_set_targets(urls, tokens, n);
    cache_op(indom, PMDA_CACHE_SAVE, STEP_SAVE);
    rebuild_index(INGESTER_INDOM);
}

/* ---- the interface -------------------------------------------------------------------- */

void pmda_indom_init(const abc_config *cfg) {
    config = cfg;
    /* Instance ids that survive restarts: load what an earlier run saved (none the first
     * time: no file is not a failure). */
    for (int serial = 0; serial < NUM_CACHE_INDOMS; serial++) {
        int sts = pmdaCacheOp(INDOM(serial), PMDA_CACHE_LOAD);
        cache_result(INDOM(serial), STEP_LOAD, sts == -ENOENT ? 0 : sts);
    }
}

/* What the instance domains are made of: they are resolved again only when it changes,
 * not on every event. */
typedef struct indom_shape {
    unsigned long long epoch;
    const ab_results *model;
    size_t ncells, nbaseline, ningesters;
    uint64_t live; /* FNV-1a of the ingesters' live flags */
} indom_shape;

static indom_shape shape_of(const ab_results *r) {
    indom_shape s = {pmda_source_epoch(), r, 0, 0, 0, 1469598103934665603ull};
    if (r) {
        s.ncells = r->ncells;
        s.nbaseline = r->nbaseline;
        s.ningesters = r->ningesters;
        for (size_t i = 0; i < r->ningesters; i++)
            s.live = (s.live ^ (uint64_t)(r->ingesters[i]->live ? 1 : 2)) * 1099511628211ull;
    }
    return s;
}

void pmda_indom_refresh(int want_ingesters) {
    static int first = 1;
    static indom_shape last;
    if (pmda_source_refresh() || first) {
        const ab_results *r = pmda_source_results();
        indom_shape now = shape_of(r);
        int other = first || now.epoch != last.epoch || now.model != last.model;
        if (other || now.ncells != last.ncells) resolve_runs(r);
        if (other || now.nbaseline != last.nbaseline) resolve_baseline(r);
        if (other || now.ningesters != last.ningesters || now.live != last.live)
            resolve_ingesters(r);
        last = now;
        first = 0;
        generation++;
        if (pmDebugOptions.appl0)
            pmNotifyErr(LOG_DEBUG, "model changed: %d runs, %d ingesters, %d baseline figures",
                        pmdaCacheOp(INDOM(RUN_INDOM), PMDA_CACHE_SIZE_ACTIVE),
                        pmdaCacheOp(INDOM(INGESTER_INDOM), PMDA_CACHE_SIZE_ACTIVE),
                        pmdaCacheOp(INDOM(BASELINE_INDOM), PMDA_CACHE_SIZE_ACTIVE));
    }
    const inst_index *ix = &indexes[INGESTER_INDOM];
    if (want_ingesters && ix->n > 0) {
        pmda_poller_demand();
        for (int k = 0; k < ix->n; k++) {
            ing_inst *ii = ix->priv[k];
            if (ii) pmda_poller_get(ii->control, &ii->st);
        }
    }
}

const inst_index *pmda_indom_index(int serial) {
    return serial < NUM_CACHE_INDOMS ? &indexes[serial] : pmda_profiles_index(serial);
}

unsigned long long pmda_indom_generation(void) {
    return generation;
}

void *pmda_indom_priv(int serial, unsigned int inst) {
    if (serial >= NUM_CACHE_INDOMS) return NULL;
    void *priv = NULL;
    int sts = pmdaCacheLookup(INDOM(serial), inst, NULL, &priv);
    cache_result(INDOM(serial), STEP_LOOKUP, sts == PM_ERR_INST ? 0 : sts);
    return sts == PMDA_CACHE_ACTIVE ? priv : NULL;
}

int pmda_indom_instance(pmInDom indom, int inst, char *name, pmInResult **result, pmdaExt *pmda) {
    pmda_capture_poll();
    pmda_indom_refresh(0);
    pmda_profiles_refresh(pmda_source_results());
    pmda_labels_refresh(pmda);
    return pmdaInstance(indom, inst, name, result, pmda);
}
