/* metrics.c: the agentbench.* PMDA put together: the fetch, instance, store and label
 * callbacks of metrics.h's parts wired into the pmdaInterface, the tables handed to
 * pmdaInit (metrics found by a hashed PMID lookup, for the instance and label callbacks),
 * the saved instance ids loaded, pmcd asked for each client's credentials (access.h). */
#include "metrics.h"

#include "access.h"
#include "capture.h"
#include "vector.h"

/* A context's end: its Vector record and its credentials go. */
static void end_context(int ctx)
{
    vector_end_context(ctx);
    access_end_context(ctx);
}

void metrics_init(pmdaInterface *dp, const abc_config *cfg)
{
    store_init(cfg);
    access_init(cfg);
    dp->version.seven.fetch = fetch_metrics;
    dp->version.seven.instance = indom_instance;
    dp->version.seven.store = store_metrics;
    dp->version.seven.label = labels_metric;
    pmdaSetResultCallBack(dp, fetch_result_done);
    pmdaSetLabelCallBack(dp, labels_instance);
    dp->version.seven.attribute = access_attribute;
    pmdaSetCommFlags(dp, PMDA_FLAG_AUTHORIZE);   /* pmcd sends each client's credentials */
    pmdaSetEndContextCallBack(dp, end_context);
    pmdaSetFlags(dp, PMDA_EXT_FLAG_HASHED);
    pmdaInit(dp, indomtab, NUM_INDOMS, metrictab, nmetrics);
    indom_init(cfg);
    profiles_init(cfg);
}

void metrics_shutdown(void)
{
    capture_shutdown();
    fetch_free();
}
