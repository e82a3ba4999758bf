/* metrics.c: the agentbench.* PMDA put together: the fetch, instance, store and label
 * callbacks of metrics.h's parts wired into the pmdaInterface, the tables handed to
 * pmdaInit (metrics found by a hashed PMID lookup, for the instance and label callbacks),
 * the saved instance ids loaded. */
#include "metrics.h"

#include "capture.h"
#include "vector.h"

void metrics_init(pmdaInterface *dp, const abc_config *cfg)
{
    store_init(cfg);
    dp->version.seven.fetch = fetch_metrics;
    dp->version.seven.instance = indom_instance;
    dp->version.seven.store = store_metrics;
    dp->version.seven.label = labels_metric;
    pmdaSetResultCallBack(dp, fetch_result_done);
    pmdaSetLabelCallBack(dp, labels_instance);
    pmdaSetEndContextCallBack(dp, vector_end_context);
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
