/* profiler.c: the table of profiling agents (profiler.h) and the environment each one's
 * profiled runs get. The C agent and @pyroscope/nodejs read DESIGN.md's PYROSCOPE_*
 * variables (set by run_one.c for every profiler); dd-trace reads its own DD_* ones:
 *   DD_PROFILING_ENABLED=true        the profiler on (the benchmark loads dd-trace)
 *   DD_TRACE_AGENT_URL=URL           "the agent" is the variant's ingester
 *   DD_SERVICE=NAME                  the benchmark's name: the service tag it uploads with
 *   DD_REMOTE_CONFIGURATION_ENABLED=false, DD_INSTRUMENTATION_TELEMETRY_ENABLED=false
 *                                    no remote-config polling and no telemetry posts to
 *                                    the agent: those are the tracer's, not the profiler's
 *   DD_PROFILING_UPLOAD_PERIOD=N     only with --upload-interval (whole seconds, >= 1)
 * Tracing itself cannot be switched off by the environment (DD_TRACE_ENABLED=false turns
 * dd-trace into a no-op, profiler included): the benchmark initialises dd-trace with no
 * integrations (benchmarks/nodejs/profiling.js), so no spans are made. */
#include <math.h>
#include <string.h>
#include "profiler.h"

static const ab_profiler profilers[] = {
    {"c", "the C agent", 10},
    {"pyroscope-nodejs", "@pyroscope/nodejs", 60},
    {"datadog-nodejs", "dd-trace", 65},
};
#define NPROFILERS (sizeof profilers / sizeof profilers[0])

const ab_profiler *rn_profiler_find(const char *name) {
    if (!strcmp(name, "nodejs")) name = "pyroscope-nodejs";
    for (size_t i = 0; i < NPROFILERS; i++)
        if (!strcmp(profilers[i].name, name)) return &profilers[i];
    return NULL;
}

const char *rn_profiler_names(void) {
    return "c, pyroscope-nodejs, datadog-nodejs";
}

static const char *const dd_vars[] = {"DD_PROFILING_ENABLED=",
                                      "DD_TRACE_AGENT_URL=",
                                      "DD_SERVICE=",
                                      "DD_REMOTE_CONFIGURATION_ENABLED=",
                                      "DD_INSTRUMENTATION_TELEMETRY_ENABLED=",
                                      "DD_PROFILING_UPLOAD_PERIOD=",
                                      "DD_TRACE_ENABLED=",
                                      "DD_AGENT_HOST=",
                                      "DD_TRACE_AGENT_PORT=",
                                      "AGENTBENCH_PROFILER=",
                                      NULL};

int rn_profiler_owns_var(const char *kv) {
    for (int i = 0; dd_vars[i]; i++)
        if (!strncmp(kv, dd_vars[i], strlen(dd_vars[i]))) return 1;
    return 0;
}

void rn_profiler_env(const ab_profiler *p, strlist *env, const char *url, const char *app,
                     double upload_interval) {
    rn_strlist_add_take(env, rn_xasprintf("AGENTBENCH_PROFILER=%s", p->name));
    if (strcmp(p->name, "datadog-nodejs")) return;
    rn_strlist_add(env, "DD_PROFILING_ENABLED=true");
    if (url) rn_strlist_add_take(env, rn_xasprintf("DD_TRACE_AGENT_URL=%s", url));
    rn_strlist_add_take(env, rn_xasprintf("DD_SERVICE=%s", app));
    rn_strlist_add(env, "DD_REMOTE_CONFIGURATION_ENABLED=false");
    rn_strlist_add(env, "DD_INSTRUMENTATION_TELEMETRY_ENABLED=false");
    if (upload_interval > 0) {
        double whole = ceil(upload_interval);
        rn_strlist_add_take(env,
                            rn_xasprintf("DD_PROFILING_UPLOAD_PERIOD=%.0f", whole < 1 ? 1 : whole));
    }
}
