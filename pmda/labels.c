/* labels.c: agentbench's labels: {"agent":"agentbench"} for the domain, the suite and host
 * for the runner and run clusters (the host for baseline), an indom_name per instance
 * domain, and per instance what its name is made of (benchmark and variant; ingester, url
 * and source; kind, figure and unit). Values are JSON-escaped by jansson.
 *
 * Labels follow the suite: after every refresh (fetch, instance and label requests) a
 * digest of what the labels are made of (suite, host, and the instances of every instance
 * domain with labels) is compared with the last one; when it differs, PMDA_EXT_LABEL_CHANGE
 * marks the PMDA's next fetch result with PMCD_LABEL_CHANGE (fetch.c), pmcd passes it to
 * every client with its next fetch, and clients that cache labels may ask again (PCP
 * 6.0.3's pmlogger re-logs only context labels: doc/pcp.md). The digest is recomputed only
 * when the model or a table changed. -D appl0 traces a change. */
#include "metrics.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "capture.h"
#include "source.h"

/* Add {"k1":"v1",...} with proper JSON escaping; NULL values are left out. */
static void add_labels(pmLabelSet **lp, const char *k1, const char *v1, const char *k2,
                       const char *v2, const char *k3, const char *v3) {
    json_t *o = json_object();
    if (v1) json_object_set_new(o, k1, json_string(v1));
    if (k2 && v2) json_object_set_new(o, k2, json_string(v2));
    if (k3 && v3) json_object_set_new(o, k3, json_string(v3));
    if (json_object_size(o) > 0) {
        char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
        if (s) pmdaAddLabels(lp, "%s", s);
        free(s);
    }
    json_decref(o);
}

int pmda_labels_metric(int ident, int type, pmLabelSet **lpp, pmdaExt *pmda) {
    pmda_capture_poll();
    pmda_indom_refresh(0);
    pmda_profiles_refresh(pmda_source_results());
    pmda_labels_refresh(pmda);
    const ab_results *r = pmda_source_results();
    if (type == PM_LABEL_DOMAIN) {
        pmdaAddLabels(lpp, "{\"agent\":\"agentbench\"}");
    } else if (type == PM_LABEL_CLUSTER && r) {
        unsigned int cluster = pmID_cluster((pmID)ident);
        if (cluster == CL_RUNNER || cluster == CL_RUN)
            add_labels(lpp, "suite", r->suite, "host", r->host, NULL, NULL);
        else if (cluster == CL_BASELINE) add_labels(lpp, "host", r->host, NULL, NULL, NULL, NULL);
        else if (cluster == CL_PROFILE)
            add_labels(lpp, "suite", r->suite, "host", r->host, NULL, NULL);
    } else if (type == PM_LABEL_INDOM) {
        unsigned int serial = pmInDom_serial((pmInDom)ident);
        static const char *const what_of[NUM_INDOMS] = {
            [RUN_INDOM] = "benchmark/variant",
            [INGESTER_INDOM] = "ingester",
            [BASELINE_INDOM] = "baseline figure",
            [STACKS_INDOM] = "stack",
            [PROFILE_STACKS_INDOM] = "benchmark/variant/source,stack",
            [PROFILE_INDOM] = "benchmark/variant/source",
        };
        const char *what = serial < NUM_INDOMS ? what_of[serial] : NULL;
        add_labels(lpp, "indom_name", what, NULL, NULL, NULL, NULL);
    }
    return pmdaLabel(ident, type, lpp, pmda);
}

int pmda_labels_instance(pmInDom indom, unsigned int inst, pmLabelSet **lp) {
    unsigned int serial = pmInDom_serial(indom);
    int before = *lp ? (*lp)->nlabels : 0;
    if (serial == PROFILE_INDOM || serial == PROFILE_STACKS_INDOM) {
        const profile_group *g = pmda_profiles_group_of(serial, inst);
        if (g)
            add_labels(lp, "benchmark", g->benchmark, "variant", g->variant, "source", g->source);
        return (*lp ? (*lp)->nlabels : 0) - before;
    }
    void *priv = pmda_indom_priv(serial, inst);
    if (!priv) return 0;
    if (serial == RUN_INDOM) {
        const ab_cell *c = ((run_inst *)priv)->cell;
        if (c) add_labels(lp, "benchmark", c->benchmark, "variant", c->variant, NULL, NULL);
    } else if (serial == INGESTER_INDOM) {
        ing_inst *ii = priv;
        add_labels(lp, "ingester", ii->name, "url", ii->control, "source", ii->source);
    } else if (serial == BASELINE_INDOM) {
        const ab_baseline_figure *f = ((bl_inst *)priv)->fig;
        if (f) add_labels(lp, "kind", f->kind, "figure", f->name, "unit", f->unit);
    }
    return (*lp ? (*lp)->nlabels : 0) - before;
}

/* ---- label changes -------------------------------------------------------------------- */

static uint64_t fnv(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

static uint64_t fnv_str(uint64_t h, const char *s) {
    return s ? fnv(h, s, strlen(s) + 1) : fnv(h, "", 1);
}

/* What every label of the PMDA is made of, as one number. */
static uint64_t label_digest(const ab_results *r) {
    static const int with_labels[] = {RUN_INDOM, INGESTER_INDOM, BASELINE_INDOM,
                                      PROFILE_STACKS_INDOM, PROFILE_INDOM};
    uint64_t h = 0xcbf29ce484222325ULL;
    h = fnv_str(h, r ? r->suite : NULL);
    h = fnv_str(h, r ? r->host : NULL);
    for (size_t k = 0; k < sizeof(with_labels) / sizeof(with_labels[0]); k++) {
        const inst_index *ix = pmda_indom_index(with_labels[k]);
        h = fnv(h, &ix->n, sizeof(ix->n));
        if (ix->n > 0) h = fnv(h, ix->inst, (size_t)ix->n * sizeof(*ix->inst));
    }
    return h;
}

void pmda_labels_refresh(pmdaExt *pmda) {
    static unsigned long long seen_model, seen_tables;
    static uint64_t digest;
    static int have_digest;
    if (have_digest && seen_model == pmda_indom_generation() &&
        seen_tables == pmda_profiles_generation())
        return;
    seen_model = pmda_indom_generation();
    seen_tables = pmda_profiles_generation();
    const ab_results *r = pmda_source_results();
    uint64_t now = label_digest(r);
    if (have_digest && now != digest) {
        pmdaExtSetFlags(pmda, PMDA_EXT_LABEL_CHANGE);
        if (pmDebugOptions.appl0)
            pmNotifyErr(LOG_DEBUG, "labels changed: suite %s, host %s",
                        r && r->suite ? r->suite : "(none)", r && r->host ? r->host : "(none)");
    }
    digest = now;
    have_digest = 1;
}
