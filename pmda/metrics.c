/* metrics.c: the agentbench.* PMDA put together: the fetch, instance, store and label
 * callbacks of metrics.h's parts wired into the pmdaInterface, the tables handed to
 * pmdaInit (metrics found by a hashed PMID lookup, for the instance and label callbacks),
 * the saved instance ids loaded, pmcd asked for each client's credentials (access.h). */
#include "metrics.h"

#include "access.h"
#include "capture.h"
#include "vector.h"

/* A context's end: its Vector record and its credentials go. */
static void end_context(int ctx) {
    pmda_vector_end_context(ctx);
    pmda_access_end_context(ctx);
}

void pmda_metrics_init(pmdaInterface *dp, const abc_config *cfg) {
    pmda_store_init(cfg);
    pmda_access_init(cfg);
    dp->version.seven.fetch = pmda_fetch_metrics;
    dp->version.seven.instance = pmda_indom_instance;
    dp->version.seven.store = pmda_store_metrics;
    dp->version.seven.label = pmda_labels_metric;
    pmdaSetResultCallBack(dp, pmda_fetch_result_done);
    pmdaSetLabelCallBack(dp, pmda_labels_instance);
    dp->version.seven.attribute = pmda_access_attribute;
    pmdaSetCommFlags(dp, PMDA_FLAG_AUTHORIZE); /* pmcd sends each client's credentials */
    pmdaSetEndContextCallBack(dp, end_context);
    pmdaSetFlags(dp, PMDA_EXT_FLAG_HASHED);
    pmdaInit(dp, pmda_indomtab, NUM_INDOMS, pmda_metrictab, pmda_nmetrics);
    pmda_indom_init(cfg);
    pmda_profiles_init(cfg);
}

void pmda_metrics_shutdown(void) {
    pmda_capture_shutdown();
    pmda_fetch_free();
}
