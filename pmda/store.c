/* store.c: pmstore into agentbench.*: agentbench.flamegraph.control (a number) and
 * agentbench.flamegraph.vector (a string, Vector 2's protocol, vector.h) take the seconds
 * of a system-wide capture (capture.h), from users store_users allows (access.h) only;
 * every other agentbench metric is read only (PM_ERR_PERMISSION), anything else unknown
 * (PM_ERR_PMID). Refusals are logged; -D appl1 traces stores. */
#include "metrics.h"

#include "access.h"
#include "capture.h"
#include "vector.h"

static capture_config capture_cfg;

void pmda_store_init(const abc_config *cfg) {
    capture_cfg.program = cfg->agentbench;
    capture_cfg.dir = cfg->flamegraph_dir;
    capture_cfg.url = cfg->flamegraph_url;
}

int pmda_store_metrics(pmResult *result, pmdaExt *pmda) {
    for (int i = 0; i < result->numpmid; i++) {
        pmValueSet *vs = result->vset[i];
        if (!pmda_metric_desc(vs->pmid)) return PM_ERR_PMID;
        unsigned int item = pmID_item(vs->pmid);
        if (pmID_cluster(vs->pmid) != CL_FLAMEGRAPH ||
            (item != FLAMEGRAPH_CONTROL && item != FLAMEGRAPH_VECTOR))
            return PM_ERR_PERMISSION;
        char who[256];
        int allowed = pmda_access_check_store(pmda->e_context, who, sizeof(who));
        if (allowed < 0) {
            pmNotifyErr(LOG_WARNING, "store into agentbench.flamegraph.%s refused: %s",
                        item == FLAMEGRAPH_VECTOR ? "vector" : "control", who);
            return allowed;
        }
        long seconds;
        if (item == FLAMEGRAPH_VECTOR) {
            int sts = pmda_vector_parse_store(vs, &seconds);
            if (sts < 0) return sts;
        } else {
            if (vs->numval != 1 || vs->valfmt != PM_VAL_INSITU ||
                vs->vlist[0].inst != (int)PM_IN_NULL)
                return PM_ERR_BADSTORE;
            seconds = (long)vs->vlist[0].value.lval;
        }
        int sts = pmda_capture_start(&capture_cfg, seconds);
        if (pmDebugOptions.appl1)
            pmNotifyErr(LOG_DEBUG, "store %ld into agentbench.flamegraph.%s: %s", seconds,
                        item == FLAMEGRAPH_VECTOR ? "vector" : "control",
                        sts < 0 ? pmErrStr(sts) : "accepted");
        if (sts < 0) return sts;
    }
    return 0;
}
