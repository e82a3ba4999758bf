/* metrics.c: agentbench.* metrics: the table, instance domains and the fetch, instance,
 * store and label callbacks. Only the PMDA's thread runs this code. */
#include "metrics.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "capture.h"
#include "fetchbuf.h"
#include "poller.h"
#include "results.h"
#include "source.h"

#define U_NONE  PMDA_PMUNITS(0, 0, 0, 0, 0, 0)
#define U_COUNT PMDA_PMUNITS(0, 0, 1, 0, 0, PM_COUNT_ONE)
#define U_SEC   PMDA_PMUNITS(0, 1, 0, 0, PM_TIME_SEC, 0)
#define U_MSEC  PMDA_PMUNITS(0, 1, 0, 0, PM_TIME_MSEC, 0)
#define U_BYTE  PMDA_PMUNITS(1, 0, 0, PM_SPACE_BYTE, 0, 0)
#define U_KBYTE PMDA_PMUNITS(1, 0, 0, PM_SPACE_KBYTE, 0, 0)
#define U_RATE  PMDA_PMUNITS(0, -1, 1, 0, PM_TIME_SEC, PM_COUNT_ONE)

#define M(cl, it, type, indom, sem, units) \
    { NULL, { PMDA_PMID(cl, it), type, indom, sem, units } }
#define NOI PM_INDOM_NULL

static pmdaIndom indomtab[NUM_INDOMS] = {
    { RUN_INDOM, 0, NULL },
    { INGESTER_INDOM, 0, NULL },
    { BASELINE_INDOM, 0, NULL },
};

static pmdaMetric metrictab[] = {
    /* agentbench.runner.* */
    M(CL_RUNNER, 0, PM_TYPE_STRING, NOI, PM_SEM_DISCRETE, U_NONE),   /* state */
    M(CL_RUNNER, 1, PM_TYPE_U32, NOI, PM_SEM_DISCRETE, U_NONE),      /* state_code */
    M(CL_RUNNER, 2, PM_TYPE_STRING, NOI, PM_SEM_DISCRETE, U_NONE),   /* suite */
    M(CL_RUNNER, 3, PM_TYPE_STRING, NOI, PM_SEM_DISCRETE, U_NONE),   /* host */
    M(CL_RUNNER, 4, PM_TYPE_STRING, NOI, PM_SEM_INSTANT, U_NONE),    /* benchmark */
    M(CL_RUNNER, 5, PM_TYPE_STRING, NOI, PM_SEM_INSTANT, U_NONE),    /* variant */
    M(CL_RUNNER, 6, PM_TYPE_U64, NOI, PM_SEM_COUNTER, U_COUNT),      /* runs.done */
    M(CL_RUNNER, 7, PM_TYPE_U64, NOI, PM_SEM_DISCRETE, U_COUNT),     /* runs.total */
    M(CL_RUNNER, 8, PM_TYPE_U64, NOI, PM_SEM_COUNTER, U_COUNT),      /* runs.failed */
    M(CL_RUNNER, 9, PM_TYPE_DOUBLE, NOI, PM_SEM_INSTANT, U_NONE),    /* progress */
    M(CL_RUNNER, 10, PM_TYPE_DOUBLE, NOI, PM_SEM_INSTANT, U_SEC),    /* eta */
    M(CL_RUNNER, 11, PM_TYPE_DOUBLE, NOI, PM_SEM_DISCRETE, U_SEC),   /* last_update */
    M(CL_RUNNER, 12, PM_TYPE_DOUBLE, NOI, PM_SEM_DISCRETE, U_SEC),   /* started */
    M(CL_RUNNER, 13, PM_TYPE_U64, NOI, PM_SEM_COUNTER, U_COUNT),     /* errors */
    M(CL_RUNNER, 14, PM_TYPE_DOUBLE, NOI, PM_SEM_INSTANT, U_SEC),    /* age */

    /* agentbench.run.* */
    M(CL_RUN, 0, PM_TYPE_U64, RUN_INDOM, PM_SEM_COUNTER, U_COUNT),   /* count */
    M(CL_RUN, 1, PM_TYPE_U64, RUN_INDOM, PM_SEM_COUNTER, U_COUNT),   /* failed */
    M(CL_RUN, 2, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_SEC),  /* last */
    M(CL_RUN, 3, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_SEC),  /* median */
    M(CL_RUN, 4, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_SEC),  /* mean */
    M(CL_RUN, 5, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_SEC),  /* stddev */
    M(CL_RUN, 6, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_SEC),  /* min */
    M(CL_RUN, 7, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_SEC),  /* max */
    M(CL_RUN, 8, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_SEC),  /* ci_low */
    M(CL_RUN, 9, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_SEC),  /* ci_high */
    M(CL_RUN, 10, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_SEC), /* user_median */
    M(CL_RUN, 11, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_SEC), /* sys_median */
    M(CL_RUN, 12, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_SEC), /* cpu_median */
    M(CL_RUN, 13, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_KBYTE), /* rss_median */
    M(CL_RUN, 14, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE), /* overhead */
    M(CL_RUN, 15, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE), /* overhead_ci_low */
    M(CL_RUN, 16, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE), /* overhead_ci_high */
    M(CL_RUN, 17, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE), /* pvalue */
    M(CL_RUN, 18, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE), /* cpu_overhead */
    M(CL_RUN, 19, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE), /* cpu_pvalue */
    M(CL_RUN, 20, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE), /* rss_overhead */
    M(CL_RUN, 21, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE), /* rss_pvalue */
    M(CL_RUN, 22, PM_TYPE_U64, RUN_INDOM, PM_SEM_COUNTER, U_COUNT),  /* profiles */
    M(CL_RUN, 23, PM_TYPE_U64, RUN_INDOM, PM_SEM_COUNTER, U_COUNT),  /* samples */
    M(CL_RUN, 24, PM_TYPE_U64, RUN_INDOM, PM_SEM_COUNTER, U_COUNT),  /* no_profiles */
    M(CL_RUN, 25, PM_TYPE_U32, RUN_INDOM, PM_SEM_INSTANT, U_COUNT),  /* outliers */
    /* the v2 figures (lib/results.h), 7 items each from 26: value (median), ci_low,
     * ci_high, overhead, overhead_ci_low, overhead_ci_high, pvalue; then exit_blocked */
    M(CL_RUN, 26, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_RATE),  /* throughput */
    M(CL_RUN, 27, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_RATE),  /* throughput_ci_low */
    M(CL_RUN, 28, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_RATE),  /* throughput_ci_high */
    M(CL_RUN, 29, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE),  /* throughput_overhead */
    M(CL_RUN, 30, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE),  /* throughput_overhead_ci_low */
    M(CL_RUN, 31, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE),  /* throughput_overhead_ci_high */
    M(CL_RUN, 32, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE),  /* throughput_pvalue */
    M(CL_RUN, 33, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_SEC),   /* latency_p99 */
    M(CL_RUN, 34, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_SEC),   /* latency_p99_ci_low */
    M(CL_RUN, 35, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_SEC),   /* latency_p99_ci_high */
    M(CL_RUN, 36, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE),  /* latency_p99_overhead */
    M(CL_RUN, 37, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE),  /* latency_p99_overhead_ci_low */
    M(CL_RUN, 38, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE),  /* latency_p99_overhead_ci_high */
    M(CL_RUN, 39, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE),  /* latency_p99_pvalue */
    M(CL_RUN, 40, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_SEC),   /* cpu_per_request */
    M(CL_RUN, 41, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_SEC),   /* cpu_per_request_ci_low */
    M(CL_RUN, 42, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_SEC),   /* cpu_per_request_ci_high */
    M(CL_RUN, 43, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE),  /* cpu_per_request_overhead */
    M(CL_RUN, 44, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE),  /* cpu_per_request_overhead_ci_low */
    M(CL_RUN, 45, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE),  /* cpu_per_request_overhead_ci_high */
    M(CL_RUN, 46, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE),  /* cpu_per_request_pvalue */
    M(CL_RUN, 47, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_SEC),   /* exit_delay */
    M(CL_RUN, 48, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_SEC),   /* exit_delay_ci_low */
    M(CL_RUN, 49, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_SEC),   /* exit_delay_ci_high */
    M(CL_RUN, 50, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE),  /* exit_delay_overhead */
    M(CL_RUN, 51, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE),  /* exit_delay_overhead_ci_low */
    M(CL_RUN, 52, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE),  /* exit_delay_overhead_ci_high */
    M(CL_RUN, 53, PM_TYPE_DOUBLE, RUN_INDOM, PM_SEM_INSTANT, U_NONE),  /* exit_delay_pvalue */
    M(CL_RUN, 54, PM_TYPE_U64, RUN_INDOM, PM_SEM_COUNTER, U_COUNT),  /* exit_blocked */

    /* agentbench.ingester.* */
    M(CL_INGESTER, 0, PM_TYPE_U32, INGESTER_INDOM, PM_SEM_INSTANT, U_NONE),    /* up */
    M(CL_INGESTER, 1, PM_TYPE_STRING, INGESTER_INDOM, PM_SEM_INSTANT, U_NONE), /* mode */
    M(CL_INGESTER, 2, PM_TYPE_DOUBLE, INGESTER_INDOM, PM_SEM_INSTANT, U_SEC),  /* uptime */
    M(CL_INGESTER, 3, PM_TYPE_U64, INGESTER_INDOM, PM_SEM_INSTANT, U_COUNT),   /* connections.open */
    M(CL_INGESTER, 4, PM_TYPE_U64, INGESTER_INDOM, PM_SEM_COUNTER, U_COUNT),   /* .accepted */
    M(CL_INGESTER, 5, PM_TYPE_U64, INGESTER_INDOM, PM_SEM_COUNTER, U_COUNT),   /* .rejected */
    M(CL_INGESTER, 6, PM_TYPE_U64, INGESTER_INDOM, PM_SEM_COUNTER, U_COUNT),   /* .timed_out */
    M(CL_INGESTER, 7, PM_TYPE_U64, INGESTER_INDOM, PM_SEM_COUNTER, U_COUNT),   /* requests.total */
    M(CL_INGESTER, 8, PM_TYPE_U64, INGESTER_INDOM, PM_SEM_COUNTER, U_COUNT),   /* .success */
    M(CL_INGESTER, 9, PM_TYPE_U64, INGESTER_INDOM, PM_SEM_COUNTER, U_COUNT),   /* .client_error */
    M(CL_INGESTER, 10, PM_TYPE_U64, INGESTER_INDOM, PM_SEM_COUNTER, U_COUNT),  /* .server_error */
    M(CL_INGESTER, 11, PM_TYPE_U64, INGESTER_INDOM, PM_SEM_COUNTER, U_COUNT),  /* .reset */
    M(CL_INGESTER, 12, PM_TYPE_U64, INGESTER_INDOM, PM_SEM_COUNTER, U_COUNT),  /* .dropped */
    M(CL_INGESTER, 13, PM_TYPE_U64, INGESTER_INDOM, PM_SEM_COUNTER, U_BYTE),   /* bytes.received */
    M(CL_INGESTER, 14, PM_TYPE_U64, INGESTER_INDOM, PM_SEM_COUNTER, U_BYTE),   /* bytes.decompressed */
    M(CL_INGESTER, 15, PM_TYPE_U64, INGESTER_INDOM, PM_SEM_COUNTER, U_COUNT),  /* profiles */
    M(CL_INGESTER, 16, PM_TYPE_U64, INGESTER_INDOM, PM_SEM_COUNTER, U_COUNT),  /* samples */
    M(CL_INGESTER, 17, PM_TYPE_U64, INGESTER_INDOM, PM_SEM_COUNTER, U_COUNT),  /* sample_value */
    M(CL_INGESTER, 18, PM_TYPE_U64, INGESTER_INDOM, PM_SEM_COUNTER, U_COUNT),  /* frames */
    M(CL_INGESTER, 19, PM_TYPE_U64, INGESTER_INDOM, PM_SEM_COUNTER, U_COUNT),  /* decode_errors */
    M(CL_INGESTER, 20, PM_TYPE_DOUBLE, INGESTER_INDOM, PM_SEM_INSTANT, U_MSEC), /* latency.p50 */
    M(CL_INGESTER, 21, PM_TYPE_DOUBLE, INGESTER_INDOM, PM_SEM_INSTANT, U_MSEC), /* latency.p90 */
    M(CL_INGESTER, 22, PM_TYPE_DOUBLE, INGESTER_INDOM, PM_SEM_INSTANT, U_MSEC), /* latency.p99 */
    M(CL_INGESTER, 23, PM_TYPE_DOUBLE, INGESTER_INDOM, PM_SEM_INSTANT, U_MSEC), /* latency.max */
    M(CL_INGESTER, 24, PM_TYPE_STRING, INGESTER_INDOM, PM_SEM_DISCRETE, U_NONE), /* listen */

    /* agentbench.flamegraph.* */
    M(CL_FLAMEGRAPH, 0, PM_TYPE_32, NOI, PM_SEM_DISCRETE, U_SEC),      /* control */
    M(CL_FLAMEGRAPH, 1, PM_TYPE_STRING, NOI, PM_SEM_INSTANT, U_NONE),  /* status */
    M(CL_FLAMEGRAPH, 2, PM_TYPE_STRING, NOI, PM_SEM_DISCRETE, U_NONE), /* url */
    M(CL_FLAMEGRAPH, 3, PM_TYPE_U64, NOI, PM_SEM_COUNTER, U_COUNT),    /* captures */
    M(CL_FLAMEGRAPH, 4, PM_TYPE_U64, NOI, PM_SEM_COUNTER, U_COUNT),    /* failures */

    /* agentbench.baseline.* */
    M(CL_BASELINE, 0, PM_TYPE_DOUBLE, BASELINE_INDOM, PM_SEM_DISCRETE, U_NONE), /* value */
    M(CL_BASELINE, 1, PM_TYPE_STRING, BASELINE_INDOM, PM_SEM_DISCRETE, U_NONE), /* unit */
    M(CL_BASELINE, 2, PM_TYPE_U32, NOI, PM_SEM_DISCRETE, U_COUNT),              /* figures */

    /* agentbench.journal.* */
    M(CL_JOURNAL, 0, PM_TYPE_STRING, NOI, PM_SEM_DISCRETE, U_NONE),  /* path */
    M(CL_JOURNAL, 1, PM_TYPE_U64, NOI, PM_SEM_INSTANT, U_BYTE),      /* offset */
    M(CL_JOURNAL, 2, PM_TYPE_U64, NOI, PM_SEM_COUNTER, U_COUNT),     /* events */
    M(CL_JOURNAL, 3, PM_TYPE_U64, NOI, PM_SEM_COUNTER, U_COUNT),     /* bad_lines */
    M(CL_JOURNAL, 4, PM_TYPE_U64, NOI, PM_SEM_COUNTER, U_COUNT),     /* rebuilds */
    M(CL_JOURNAL, 5, PM_TYPE_U64, NOI, PM_SEM_COUNTER, U_COUNT),     /* missing */
    M(CL_JOURNAL, 6, PM_TYPE_U32, NOI, PM_SEM_INSTANT, U_NONE),      /* present */

    /* agentbench.pmda.* */
    M(CL_PMDA, 0, PM_TYPE_U64, NOI, PM_SEM_COUNTER, U_COUNT),        /* fetches */
    M(CL_PMDA, 1, PM_TYPE_U64, NOI, PM_SEM_COUNTER, U_COUNT),        /* polls */
    M(CL_PMDA, 2, PM_TYPE_U64, NOI, PM_SEM_COUNTER, U_COUNT),        /* poll_failures */
    M(CL_PMDA, 3, PM_TYPE_DOUBLE, NOI, PM_SEM_INSTANT, U_MSEC),      /* poll_time */
};

#define NMETRICS (sizeof(metrictab) / sizeof(metrictab[0]))

/* ---- instances ---------------------------------------------------------------------- */

#define RUN_ITEMS 55     /* agentbench.run.* items 0..54 */
#define FIG_ITEM0 26     /* the first of the v2 figures' items, 7 a figure */
static const ab_figure fig_items[] = {AB_FIG_THROUGHPUT, AB_FIG_LATENCY_P99,
                                      AB_FIG_CPU_PER_REQUEST, AB_FIG_EXIT_DELAY};
#define NFIG_ITEMS (sizeof fig_items / sizeof fig_items[0])

typedef struct run_inst {
    const ab_cell *cell;          /* NULL when the instance is not in the current suite */
    const ab_cell *base;          /* the same benchmark's baseline cell, or NULL */
    /* statistics cache, valid while these still match */
    const ab_cell *st_cell;
    size_t st_n, st_base_n;
    unsigned long long st_epoch;
    ab_cell_stats st;
    /* every agentbench.run.* value, computed once per model change (values_gen) */
    unsigned long long values_gen;
    int sts[RUN_ITEMS];
    pmAtomValue val[RUN_ITEMS];
} run_inst;

typedef struct ing_inst {
    char *name, *control, *source;
    int active;
    ingester_stats st;
} ing_inst;

typedef struct bl_inst {
    const ab_baseline_figure *fig;
} bl_inst;

static const abc_config *config;
static unsigned long long fetches;
static pmInDom run_indom, ing_indom, bl_indom;

/* The active instances of each indom in cache order, with their private structs: what a
 * fetch walks, rebuilt only when the instances change (no per-value cache lookups). */
typedef struct inst_index {
    int n, cap;
    int *inst;
    void **priv;
} inst_index;

static inst_index indexes[NUM_INDOMS];

static void rebuild_index(pmInDom indom)
{
    inst_index *ix = &indexes[pmInDom_serial(indom)];
    int inst;
    void *priv;
    ix->n = 0;
    pmdaCacheOp(indom, PMDA_CACHE_WALK_REWIND);
    while ((inst = pmdaCacheOp(indom, PMDA_CACHE_WALK_NEXT)) >= 0) {
        if (pmdaCacheLookup(indom, inst, NULL, &priv) != PMDA_CACHE_ACTIVE)
            continue;
        if (ix->n == ix->cap) {
            int cap = ix->cap ? ix->cap * 2 : 64;
            int *ip = realloc(ix->inst, cap * sizeof(*ip));
            if (ip)
                ix->inst = ip;
            void **pp = realloc(ix->priv, cap * sizeof(*pp));
            if (pp)
                ix->priv = pp;
            if (!ip || !pp)
                break;
            ix->cap = cap;
        }
        ix->inst[ix->n] = inst;
        ix->priv[ix->n] = priv;
        ix->n++;
    }
}

static int is_finite(double d) { return d == d && d <= 1e300 && d >= -1e300; }

static void inactivate_all(pmInDom indom)
{
    pmdaCacheOp(indom, PMDA_CACHE_INACTIVE);
}

/* Make name active with a private struct of `size` bytes (allocated once per name). */
static void *activate(pmInDom indom, const char *name, size_t size)
{
    int inst;
    void *priv = NULL;
    if (pmdaCacheLookupName(indom, name, &inst, &priv) < 0 || priv == NULL)
        priv = calloc(1, size);
    if (!priv || pmdaCacheStore(indom, PMDA_CACHE_ADD, name, priv) < 0)
        return NULL;
    return priv;
}

static void resolve_runs(const ab_results *r)
{
    inactivate_all(run_indom);
    for (size_t i = 0; r && i < r->ncells; i++) {
        const ab_cell *c = r->cells[i];
        char name[512];
        snprintf(name, sizeof(name), "%s/%s", c->benchmark, c->variant);
        run_inst *ri = activate(run_indom, name, sizeof(run_inst));
        if (ri) {
            ri->cell = c;
            ri->base = ab_results_find(r, c->benchmark, "baseline");
        }
    }
    pmdaCacheOp(run_indom, PMDA_CACHE_SAVE);
    rebuild_index(run_indom);
}

static void resolve_baseline(const ab_results *r)
{
    inactivate_all(bl_indom);
    for (size_t i = 0; r && i < r->nbaseline; i++) {
        const ab_baseline_figure *f = r->baseline[i];
        char name[512];
        snprintf(name, sizeof(name), "%s/%s", f->kind ? f->kind : "", f->name ? f->name : "");
        bl_inst *bi = activate(bl_indom, name, sizeof(bl_inst));
        if (bi)
            bi->fig = f;
    }
    pmdaCacheOp(bl_indom, PMDA_CACHE_SAVE);
    rebuild_index(bl_indom);
}

/* Ingesters: the configured ones, then the live ones of the journal. A journal ingester
 * with the name of a configured one at another address is called name@host:port. */
static void resolve_ingesters(const ab_results *r)
{
    const char *urls[ABC_MAX_INGESTERS + 256];
    size_t n = 0;
    inactivate_all(ing_indom);
    for (size_t i = 0; i < config->ningesters; i++) {
        ing_inst *ii = activate(ing_indom, config->ingesters[i].name, sizeof(ing_inst));
        if (!ii)
            continue;
        free(ii->control);
        free(ii->source);
        free(ii->name);
        ii->name = strdup(config->ingesters[i].name);
        ii->control = strdup(config->ingesters[i].control);
        ii->source = strdup("config");
        urls[n++] = ii->control;
    }
    for (size_t i = 0; r && i < r->ningesters && n < sizeof(urls) / sizeof(urls[0]); i++) {
        const ab_ingester *g = r->ingesters[i];
        if (!g->live || !g->control || !g->name)
            continue;
        char control[1024], name[1200];
        snprintf(control, sizeof(control), "%s", g->control);
        size_t len = strlen(control);
        while (len > 0 && control[len - 1] == '/')
            control[--len] = '\0';
        int dup = 0;
        snprintf(name, sizeof(name), "%s", g->name);
        for (size_t k = 0; k < config->ningesters; k++) {
            if (strcmp(config->ingesters[k].name, g->name) != 0)
                continue;
            if (strcmp(config->ingesters[k].control, control) == 0)
                dup = 1;
            else {
                const char *hp = strstr(control, "://");
                snprintf(name, sizeof(name), "%s@%s", g->name, hp ? hp + 3 : control);
            }
        }
        if (dup)
            continue;
        ing_inst *ii = activate(ing_indom, name, sizeof(ing_inst));
        if (!ii)
            continue;
        free(ii->control);
        free(ii->source);
        free(ii->name);
        ii->name = strdup(name);
        ii->control = strdup(control);
        ii->source = strdup("journal");
        urls[n++] = ii->control;
    }
    poller_set_targets(urls, n);
    pmdaCacheOp(ing_indom, PMDA_CACHE_SAVE);
    rebuild_index(ing_indom);
}

/* Everything a fetch or an instance request needs, cheaply when nothing changed. */
static unsigned long long model_gen = 1;   /* bumped whenever the model changes */

static void refresh(int want_ingesters)
{
    static int first = 1;
    capture_poll();
    if (source_refresh() || first) {
        model_gen++;
        const ab_results *r = source_results();
        resolve_runs(r);
        resolve_baseline(r);
        resolve_ingesters(r);
        first = 0;
    }
    const inst_index *ix = &indexes[INGESTER_INDOM];
    if (want_ingesters && ix->n > 0) {
        poller_demand();
        for (int k = 0; k < ix->n; k++) {
            ing_inst *ii = ix->priv[k];
            if (ii)
                poller_get(ii->control, &ii->st);
        }
    }
}

static const ab_cell_stats *run_stats(const ab_results *r, run_inst *ri)
{
    const ab_cell *c = ri->cell;
    size_t base_n = ri->base ? ri->base->n : 0;
    if (ri->st_cell != c || ri->st_n != c->n || ri->st_base_n != base_n ||
        ri->st_epoch != source_epoch()) {
        ab_results_cell_stats(r, c, &ri->st);
        ri->st_cell = c;
        ri->st_n = c->n;
        ri->st_base_n = base_n;
        ri->st_epoch = source_epoch();
    }
    return &ri->st;
}

/* ---- fetch ---------------------------------------------------------------------------- */

#define DOUBLE(x) do { double v_ = (x); if (!is_finite(v_)) return PMDA_FETCH_NOVALUES; \
                       atom->d = v_; return PMDA_FETCH_STATIC; } while (0)
#define U64(x) do { atom->ull = (x); return PMDA_FETCH_STATIC; } while (0)
#define U32(x) do { atom->ul = (x); return PMDA_FETCH_STATIC; } while (0)
#define STRING(x) do { const char *s_ = (x); if (!s_) return PMDA_FETCH_NOVALUES; \
                       atom->cp = (char *)s_; return PMDA_FETCH_STATIC; } while (0)

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fetch_runner(unsigned int item, const ab_results *r, pmAtomValue *atom)
{
    if (!r)
        return PMDA_FETCH_NOVALUES;
    switch (item) {
    case 0: STRING(ab_state_name(r->state));
    case 1: U32((unsigned)r->state);
    case 2: STRING(r->suite);
    case 3: STRING(r->host);
    case 4: STRING(r->state == AB_STATE_RUNNING ? r->benchmark : NULL);
    case 5: STRING(r->state == AB_STATE_RUNNING ? r->variant : NULL);
    case 6: U64(r->runs_done);
    case 7: U64(r->runs_total);
    case 8: U64(r->runs_failed);
    case 9: DOUBLE(ab_results_progress(r));
    case 10: if (r->state != AB_STATE_RUNNING) return PMDA_FETCH_NOVALUES;
             DOUBLE(r->eta_s);
    case 11: if (r->last_update <= 0) return PMDA_FETCH_NOVALUES;
             DOUBLE(r->last_update);
    case 12: if (r->started <= 0) return PMDA_FETCH_NOVALUES;
             DOUBLE(r->started);
    case 13: U64(r->errors);
    case 14: if (r->last_update <= 0) return PMDA_FETCH_NOVALUES;
             { double age = wall_now() - r->last_update; DOUBLE(age < 0 ? 0 : age); }
    }
    return PM_ERR_PMID;
}

/* Item k of the v2 figures (FIG_ITEM0 + k): figure k / 7, its median, CI and overhead. */
static int fetch_figure(unsigned int k, run_inst *ri, const ab_results *r, pmAtomValue *atom)
{
    ab_figure f = fig_items[k / 7];
    if (ri->cell->fig[f].n == 0)
        return PMDA_FETCH_NOVALUES;
    const ab_cell_stats *st = run_stats(r, ri);
    const ab_summary *s = &st->fig[f];
    const ab_ratio *o = &st->over_fig[f];
    switch (k % 7) {
    case 0: DOUBLE(s->median);
    case 1: DOUBLE(s->ci_low);
    case 2: DOUBLE(s->ci_high);
    }
    if (ri->cell->is_baseline || !o->valid)
        return PMDA_FETCH_NOVALUES;
    switch (k % 7) {
    case 3: DOUBLE(o->ratio);
    case 4: DOUBLE(o->ci_low);
    case 5: DOUBLE(o->ci_high);
    default: DOUBLE(o->p);
    }
}

static int fetch_run(unsigned int item, run_inst *ri, const ab_results *r, pmAtomValue *atom)
{
    if (!r || !ri || !ri->cell)
        return PMDA_FETCH_NOVALUES;
    const ab_cell *c = ri->cell;
    switch (item) {
    case 0: U64(c->n);
    case 1: U64(c->failed);
    case 2: if (c->n == 0) return PMDA_FETCH_NOVALUES;
            DOUBLE(c->last_wall);
    case 22: U64(c->profiles);
    case 23: U64(c->samples);
    case 24: U64(c->no_profiles);
    case FIG_ITEM0 + 7 * NFIG_ITEMS: U64(c->exit_blocked);
    }
    if (item >= FIG_ITEM0 && item < FIG_ITEM0 + 7 * NFIG_ITEMS)
        return fetch_figure(item - FIG_ITEM0, ri, r, atom);
    if (c->n == 0 || item > 25)
        return item > 25 ? PM_ERR_PMID : PMDA_FETCH_NOVALUES;
    const ab_cell_stats *st = run_stats(r, ri);
    switch (item) {
    case 3: DOUBLE(st->wall.median);
    case 4: DOUBLE(st->wall.mean);
    case 5: DOUBLE(st->wall.stddev);
    case 6: DOUBLE(st->wall.min);
    case 7: DOUBLE(st->wall.max);
    case 8: DOUBLE(st->wall.ci_low);
    case 9: DOUBLE(st->wall.ci_high);
    case 10: DOUBLE(st->user.median);
    case 11: DOUBLE(st->sys.median);
    case 12: DOUBLE(st->cpu.median);
    case 13: DOUBLE(st->rss.median);
    case 25: U32((unsigned)st->wall.outliers);
    }
    const ab_ratio *ratio = item <= 17 ? &st->over_wall : item <= 19 ? &st->over_cpu
                                                                      : &st->over_rss;
    if (c->is_baseline || !ratio->valid)
        return PMDA_FETCH_NOVALUES;
    switch (item) {
    case 14: case 18: case 20: DOUBLE(ratio->ratio);
    case 15: DOUBLE(ratio->ci_low);
    case 16: DOUBLE(ratio->ci_high);
    case 17: case 19: case 21: DOUBLE(ratio->p);
    }
    return PM_ERR_PMID;
}

/* agentbench.run.* from the values computed the first time they are asked for after a
 * model change: the same fetch_run, once per instance and change instead of per fetch. */
static int fetch_run_cached(unsigned int item, run_inst *ri, const ab_results *r,
                            pmAtomValue *atom)
{
    if (!ri || item >= RUN_ITEMS)
        return fetch_run(item, ri, r, atom);
    if (ri->values_gen != model_gen) {
        for (unsigned int k = 0; k < RUN_ITEMS; k++)
            ri->sts[k] = fetch_run(k, ri, r, &ri->val[k]);
        ri->values_gen = model_gen;
    }
    *atom = ri->val[item];
    return ri->sts[item];
}

static int fetch_ingester(unsigned int item, const ing_inst *ii, pmAtomValue *atom)
{
    if (!ii)
        return PMDA_FETCH_NOVALUES;
    const ingester_stats *s = &ii->st;
    if (item == 0)
        U32(s->up ? 1 : 0);
    if (!s->up)
        return item <= 24 ? PMDA_FETCH_NOVALUES : PM_ERR_PMID;
    switch (item) {
    case 1: STRING(s->mode);
    case 2: DOUBLE(s->uptime_s);
    case 3: U64(s->conn_open);
    case 4: U64(s->conn_accepted);
    case 5: U64(s->conn_rejected);
    case 6: U64(s->conn_timed_out);
    case 7: U64(s->req_total);
    case 8: U64(s->req_2xx);
    case 9: U64(s->req_4xx);
    case 10: U64(s->req_5xx);
    case 11: U64(s->req_reset);
    case 12: U64(s->req_dropped);
    case 13: U64(s->bytes_received);
    case 14: U64(s->bytes_decompressed);
    case 15: U64(s->profiles);
    case 16: U64(s->samples);
    case 17: U64(s->sample_value);
    case 18: U64(s->frames);
    case 19: U64(s->decode_errors);
    case 20: DOUBLE(s->lat_p50);
    case 21: DOUBLE(s->lat_p90);
    case 22: DOUBLE(s->lat_p99);
    case 23: DOUBLE(s->lat_max);
    case 24: STRING(s->listen[0] ? s->listen : NULL);
    }
    return PM_ERR_PMID;
}

static int fetch_baseline(unsigned int item, const bl_inst *bi, const ab_results *r,
                          pmAtomValue *atom)
{
    if (item == 2)
        U32(r ? (unsigned)r->nbaseline : 0);
    if (!r || !bi || !bi->fig)
        return PMDA_FETCH_NOVALUES;
    switch (item) {
    case 0: DOUBLE(bi->fig->value);
    case 1: STRING(bi->fig->unit);
    }
    return PM_ERR_PMID;
}

/* One value: metric (cluster, item) of the instance whose private struct is priv (NULL
 * for singular metrics). PMDA_FETCH_STATIC with *atom set, PMDA_FETCH_NOVALUES, or an
 * error. */
static int fetch_value(unsigned int cluster, unsigned int item, void *priv,
                       const ab_results *r, pmAtomValue *atom)
{
    source_counters sc;
    unsigned long long rounds, failures;
    double ms;

    switch (cluster) {
    case CL_RUNNER: return fetch_runner(item, r, atom);
    case CL_RUN: return fetch_run_cached(item, priv, r, atom);
    case CL_INGESTER: return fetch_ingester(item, priv, atom);
    case CL_BASELINE: return fetch_baseline(item, priv, r, atom);
    case CL_FLAMEGRAPH:
        switch (item) {
        case 0: atom->l = (int)capture_seconds(); return PMDA_FETCH_STATIC;
        case 1: STRING(capture_status());
        case 2: STRING(capture_last_url());
        case 3: U64(capture_started());
        case 4: U64(capture_failed());
        }
        break;
    case CL_JOURNAL:
        source_counters_get(&sc);
        switch (item) {
        case 0: STRING(source_journal_path());
        case 1: if (!r) return PMDA_FETCH_NOVALUES;
                U64(sc.offset);
        case 2: U64(sc.events);
        case 3: U64(sc.bad_lines);
        case 4: U64(sc.rebuilds);
        case 5: U64(sc.missing);
        case 6: U32(r ? 1 : 0);
        }
        break;
    case CL_PMDA:
        poller_counters(&rounds, &failures, &ms);
        switch (item) {
        case 0: U64(fetches);
        case 1: U64(rounds);
        case 2: U64(failures);
        case 3: if (rounds == 0) return PMDA_FETCH_NOVALUES;
                DOUBLE(ms);
        }
        break;
    }
    return PM_ERR_PMID;
}

/* libpcp's profile test (exported by libpcp.so.3, declared only in PCP's internal
 * headers): is inst of indom wanted by the profile pmcd sent? */
extern int __pmInProfile(pmInDom indom, const pmProfile *prof, int inst);

#define MAX_CLUSTER (CL_PMDA + 1)
#define MAX_ITEM 64      /* above every cluster's last item (agentbench.run.*: 54) */
static const pmDesc *desc_of[MAX_CLUSTER][MAX_ITEM];
_Static_assert(RUN_ITEMS <= MAX_ITEM, "agentbench.run.* items must fit desc_of");
static fetchbuf result_buf;

/* The fetch, built here rather than by pmdaFetch: instances come from the index arrays,
 * values go into a pmResult reused from fetch to fetch (result_done leaves it alone).
 * Value sets follow pmdaFetch's rules: instances in cache order, filtered by the
 * profile; numval is the count of values, else 0 (no values) or the error. */
static int ab_fetch(int numpmid, pmID *pmidlist, pmResult **resp, pmdaExt *pmda)
{
    int want_ingesters = 0;
    for (int i = 0; i < numpmid; i++)
        if (pmID_cluster(pmidlist[i]) == CL_INGESTER)
            want_ingesters = 1;
    fetches++;
    refresh(want_ingesters);

    const ab_results *r = source_results();
    pmResult *res = fetchbuf_begin(&result_buf, numpmid);
    if (!res)
        return -ENOMEM;
    unsigned char flags = 0;
    if (pmda->e_flags & PMDA_EXT_LABEL_CHANGE)
        flags |= PMCD_LABEL_CHANGE;
    if (pmda->e_flags & PMDA_EXT_NAMES_CHANGE)
        flags |= PMCD_NAMES_CHANGE;
    if (flags) {    /* the status rides in the timestamp, as pmdaFetch sends it */
        uint64_t status = flags;
        memcpy(&res->timestamp, &status, sizeof(status));
    }

    for (int i = 0; i < numpmid; i++) {
        unsigned int cluster = pmID_cluster(pmidlist[i]), item = pmID_item(pmidlist[i]);
        const pmDesc *d = cluster < MAX_CLUSTER && item < MAX_ITEM ? desc_of[cluster][item]
                                                                   : NULL;
        const inst_index *ix = d && d->indom != PM_INDOM_NULL
                               ? &indexes[pmInDom_serial(d->indom)] : NULL;
        pmValueSet *vs = fetchbuf_vset(&result_buf, i, pmidlist[i], ix ? ix->n : 1);
        if (!vs)
            return -ENOMEM;
        if (!d) {
            vs->numval = PM_ERR_PMID;
            continue;
        }
        pmAtomValue atom;
        int sts = 0;
        if (!ix) {
            if ((sts = fetch_value(cluster, item, NULL, r, &atom)) > 0)
                sts = fetchbuf_put(&result_buf, vs, PM_IN_NULL, d->type, &atom);
        } else {
            for (int k = 0; k < ix->n; k++) {
                if (pmda->e_prof && !__pmInProfile(d->indom, pmda->e_prof, ix->inst[k]))
                    continue;
                if ((sts = fetch_value(cluster, item, ix->priv[k], r, &atom)) > 0)
                    sts = fetchbuf_put(&result_buf, vs, ix->inst[k], d->type, &atom);
                if (sts == -ENOMEM)
                    return sts;
            }
        }
        if (vs->numval == 0)
            vs->numval = sts < 0 ? sts : 0;
    }
    pmda->e_flags &= ~(PMDA_EXT_LABEL_CHANGE | PMDA_EXT_NAMES_CHANGE);
    *resp = res;
    return 0;
}

/* After libpcp_pmda has sent the result: keep it for the next fetch. */
static void result_done(pmResult *res)
{
    (void)res;
}

static int ab_instance(pmInDom indom, int inst, char *name, pmInResult **result,
                       pmdaExt *pmda)
{
    refresh(0);
    return pmdaInstance(indom, inst, name, result, pmda);
}

/* ---- store ---------------------------------------------------------------------------- */

static capture_config capture_cfg;

static int ab_store(pmResult *result, pmdaExt *pmda)
{
    for (int i = 0; i < result->numpmid; i++) {
        pmValueSet *vs = result->vset[i];
        unsigned int cluster = pmID_cluster(vs->pmid), item = pmID_item(vs->pmid);
        int known = 0;
        for (size_t k = 0; k < NMETRICS; k++)
            if (pmID_cluster(metrictab[k].m_desc.pmid) == cluster &&
                pmID_item(metrictab[k].m_desc.pmid) == item)
                known = 1;
        if (!known)
            return PM_ERR_PMID;
        if (!(cluster == CL_FLAMEGRAPH && item == 0))
            return PM_ERR_PERMISSION;
        if (vs->numval != 1 || vs->valfmt != PM_VAL_INSITU ||
            vs->vlist[0].inst != (int)PM_IN_NULL)
            return PM_ERR_BADSTORE;
        int sts = capture_start(&capture_cfg, (long)vs->vlist[0].value.lval);
        if (sts < 0)
            return sts;
    }
    return 0;
}

/* ---- labels --------------------------------------------------------------------------- */

/* Add {"k1":"v1",...} with proper JSON escaping; NULL values are left out. */
static void add_labels(pmLabelSet **lp, const char *k1, const char *v1, const char *k2,
                       const char *v2, const char *k3, const char *v3)
{
    json_t *o = json_object();
    if (v1) json_object_set_new(o, k1, json_string(v1));
    if (k2 && v2) json_object_set_new(o, k2, json_string(v2));
    if (k3 && v3) json_object_set_new(o, k3, json_string(v3));
    if (json_object_size(o) > 0) {
        char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
        if (s)
            pmdaAddLabels(lp, "%s", s);
        free(s);
    }
    json_decref(o);
}

static int ab_label(int ident, int type, pmLabelSet **lpp, pmdaExt *pmda)
{
    const ab_results *r = source_results();
    if (type == PM_LABEL_DOMAIN) {
        pmdaAddLabels(lpp, "{\"agent\":\"agentbench\"}");
    } else if (type == PM_LABEL_CLUSTER && r) {
        unsigned int cluster = pmID_cluster((pmID)ident);
        if (cluster == CL_RUNNER || cluster == CL_RUN)
            add_labels(lpp, "suite", r->suite, "host", r->host, NULL, NULL);
        else if (cluster == CL_BASELINE)
            add_labels(lpp, "host", r->host, NULL, NULL, NULL, NULL);
    } else if (type == PM_LABEL_INDOM) {
        unsigned int serial = pmInDom_serial((pmInDom)ident);
        const char *what = serial == RUN_INDOM ? "benchmark/variant"
                         : serial == INGESTER_INDOM ? "ingester" : "baseline figure";
        add_labels(lpp, "indom_name", what, NULL, NULL, NULL, NULL);
    }
    return pmdaLabel(ident, type, lpp, pmda);
}

static int ab_label_instance(pmInDom indom, unsigned int inst, pmLabelSet **lp)
{
    void *priv = NULL;
    if (pmdaCacheLookup(indom, inst, NULL, &priv) != PMDA_CACHE_ACTIVE || !priv)
        return 0;
    int before = *lp ? (*lp)->nlabels : 0;
    unsigned int serial = pmInDom_serial(indom);
    if (serial == RUN_INDOM) {
        const ab_cell *c = ((run_inst *)priv)->cell;
        if (c)
            add_labels(lp, "benchmark", c->benchmark, "variant", c->variant, NULL, NULL);
    } else if (serial == INGESTER_INDOM) {
        ing_inst *ii = priv;
        add_labels(lp, "ingester", ii->name, "url", ii->control, "source", ii->source);
    } else if (serial == BASELINE_INDOM) {
        const ab_baseline_figure *f = ((bl_inst *)priv)->fig;
        if (f)
            add_labels(lp, "kind", f->kind, "figure", f->name, "unit", f->unit);
    }
    return (*lp ? (*lp)->nlabels : 0) - before;
}

/* ---- setup ---------------------------------------------------------------------------- */

void metrics_init(pmdaInterface *dp, const abc_config *cfg)
{
    config = cfg;
    capture_cfg.program = cfg->agentbench;
    capture_cfg.dir = cfg->flamegraph_dir;
    capture_cfg.url = cfg->flamegraph_url;

    dp->version.seven.fetch = ab_fetch;
    dp->version.seven.instance = ab_instance;
    dp->version.seven.store = ab_store;
    dp->version.seven.label = ab_label;
    pmdaSetResultCallBack(dp, result_done);
    pmdaSetLabelCallBack(dp, ab_label_instance);
    pmdaInit(dp, indomtab, NUM_INDOMS, metrictab, NMETRICS);
    for (size_t k = 0; k < NMETRICS; k++) {
        const pmDesc *d = &metrictab[k].m_desc;
        if (pmID_cluster(d->pmid) < MAX_CLUSTER && pmID_item(d->pmid) < MAX_ITEM)
            desc_of[pmID_cluster(d->pmid)][pmID_item(d->pmid)] = d;
    }

    run_indom = indomtab[RUN_INDOM].it_indom;
    ing_indom = indomtab[INGESTER_INDOM].it_indom;
    bl_indom = indomtab[BASELINE_INDOM].it_indom;
    /* Instance ids that survive restarts: load what an earlier run saved. */
    pmdaCacheOp(run_indom, PMDA_CACHE_LOAD);
    pmdaCacheOp(ing_indom, PMDA_CACHE_LOAD);
    pmdaCacheOp(bl_indom, PMDA_CACHE_LOAD);
}

void metrics_shutdown(void)
{
    capture_shutdown();
    fetchbuf_free(&result_buf);
}
