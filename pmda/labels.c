/* labels.c: agentbench's labels: {"agent":"agentbench"} for the domain, the suite and host
 * for the runner and run clusters (the host for baseline), an indom_name per instance
 * domain, and per instance what its name is made of (benchmark and variant; ingester, url
 * and source; kind, figure and unit). Values are JSON-escaped by jansson. */
#include "metrics.h"

#include <stdlib.h>
#include <jansson.h>
#include "source.h"

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

int labels_metric(int ident, int type, pmLabelSet **lpp, pmdaExt *pmda)
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
        else if (cluster == CL_PROFILE)
            add_labels(lpp, "suite", r->suite, "host", r->host, NULL, NULL);
    } else if (type == PM_LABEL_INDOM) {
        unsigned int serial = pmInDom_serial((pmInDom)ident);
        static const char *const what_of[NUM_INDOMS] = {
            [RUN_INDOM] = "benchmark/variant", [INGESTER_INDOM] = "ingester",
            [BASELINE_INDOM] = "baseline figure", [STACKS_INDOM] = "stack",
            [PROFILE_STACKS_INDOM] = "benchmark/variant/source,stack",
            [PROFILE_INDOM] = "benchmark/variant/source",
        };
        const char *what = serial < NUM_INDOMS ? what_of[serial] : NULL;
        add_labels(lpp, "indom_name", what, NULL, NULL, NULL, NULL);
    }
    return pmdaLabel(ident, type, lpp, pmda);
}

int labels_instance(pmInDom indom, unsigned int inst, pmLabelSet **lp)
{
    unsigned int serial = pmInDom_serial(indom);
    int before = *lp ? (*lp)->nlabels : 0;
    if (serial == PROFILE_INDOM || serial == PROFILE_STACKS_INDOM) {
        const profile_group *g = profiles_group_of(serial, inst);
        if (g)
            add_labels(lp, "benchmark", g->benchmark, "variant", g->variant, "source",
                       g->source);
        return (*lp ? (*lp)->nlabels : 0) - before;
    }
    void *priv = indom_priv(serial, inst);
    if (!priv)
        return 0;
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
