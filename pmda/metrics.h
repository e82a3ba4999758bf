/* metrics.h: the agentbench.* metric table, instance domains and the PMDA callbacks
 * (fetch, instance, store, labels). Cluster and item numbers here match pmns. */
#ifndef PMDA_AB_METRICS_H
#define PMDA_AB_METRICS_H

#include <pcp/pmapi.h>
#include <pcp/pmda.h>
#include "config.h"

enum { CL_RUNNER = 0, CL_RUN = 1, CL_INGESTER = 2, CL_FLAMEGRAPH = 3, CL_BASELINE = 4,
       CL_JOURNAL = 5, CL_PMDA = 6 };
enum { RUN_INDOM = 0, INGESTER_INDOM = 1, BASELINE_INDOM = 2, NUM_INDOMS };

/* Set up tables, callbacks, the indom caches (loaded from disk: stable ids). The
 * configuration must outlive the PMDA. */
void metrics_init(pmdaInterface *dp, const abc_config *cfg);
void metrics_shutdown(void);

#endif
