/* vector.h: agentbench.flamegraph.vector, the flame graph protocol of Netflix Vector 2's
 * CPU flame graph widget (src/app/components/Charts/Flamegraph.jsx): one string metric it
 * polls for a status and stores a duration into.
 *
 *   - Vector stores the seconds into the metric itself, through pmproxy:
 *     /pmapi/<ctx>/_store?name=agentbench.flamegraph.vector&value=<seconds> (a string
 *     value, "5"): 1..3600 starts a system-wide capture (the one agentbench.flamegraph.
 *     control starts), 0 cancels one, anything else is PM_ERR_BADSTORE; while one runs,
 *     PM_ERR_AGAIN.
 *   - It reads the status: IDLE, RUNNING s/N, ERROR <why>, and when a capture is done,
 *     DONE <path> for one fetch of each client context, IDLE after it (Vector keeps the
 *     path it saw for its link, and enables "Start capture" only on IDLE or ERROR).
 *     <path> is flamegraphs/NAME.svg, relative, one word: Vector links to
 *     http://<its pmproxy host:port>/<path>.
 * Contexts are pmcd's client contexts (pmproxy opens one per REST context); a context that
 * ends is forgotten (pmdaSetEndContextCallBack). */
#ifndef PMDA_AB_VECTOR_H
#define PMDA_AB_VECTOR_H

#include <pcp/pmapi.h>

/* The status for a fetch from context ctx (the string lives until the next call). */
const char *pmda_vector_status(int ctx);

/* The seconds stored in vs (one string value, no instance). 0 with *seconds set, or
 * PM_ERR_BADSTORE. */
int pmda_vector_parse_store(const pmValueSet *vs, long *seconds);

void pmda_vector_end_context(int ctx);

#endif
