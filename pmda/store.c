/* store.c: pmstore into agentbench.*: only agentbench.flamegraph.control takes a value
 * (seconds of a system-wide capture, capture.h); every other agentbench metric is read
 * only (PM_ERR_PERMISSION), anything else unknown (PM_ERR_PMID). -D appl1 traces stores. */
#include "metrics.h"

#include "capture.h"

static capture_config capture_cfg;

void store_init(const abc_config *cfg)
{
    capture_cfg.program = cfg->agentbench;
    capture_cfg.dir = cfg->flamegraph_dir;
    capture_cfg.url = cfg->flamegraph_url;
}

int store_metrics(pmResult *result, pmdaExt *pmda)
{
    for (int i = 0; i < result->numpmid; i++) {
        pmValueSet *vs = result->vset[i];
        if (!metric_desc(vs->pmid))
            return PM_ERR_PMID;
        if (pmID_cluster(vs->pmid) != CL_FLAMEGRAPH || pmID_item(vs->pmid) != FLAMEGRAPH_CONTROL)
            return PM_ERR_PERMISSION;
        if (vs->numval != 1 || vs->valfmt != PM_VAL_INSITU ||
            vs->vlist[0].inst != (int)PM_IN_NULL)
            return PM_ERR_BADSTORE;
        long seconds = (long)vs->vlist[0].value.lval;
        int sts = capture_start(&capture_cfg, seconds);
        if (pmDebugOptions.appl1)
            pmNotifyErr(LOG_DEBUG, "store %ld into agentbench.flamegraph.control: %s", seconds,
                        sts < 0 ? pmErrStr(sts) : "accepted");
        if (sts < 0)
            return sts;
    }
    return 0;
}
