/* profiler.h: the profiling agents a benchmark can run under (bench.conf `profiler = NAME
 * [, NAME...]`, `agentbench run --profiler`), one row each: the name, the agent that runs,
 * its own upload interval (what the runner assumes when --upload-interval is not given),
 * and the environment a profiled run of it gets beyond DESIGN.md's PYROSCOPE_* contract.
 * The one home of "which agent, configured how". */
#ifndef AB_RUNNER_PROFILER_H
#define AB_RUNNER_PROFILER_H

#include "util.h"

typedef struct ab_profiler {
    const char *name;          /* c, pyroscope-nodejs, datadog-nodejs */
    const char *agent;         /* what runs, for messages */
    double default_interval_s; /* the agent's own upload interval, seconds */
} ab_profiler;

/* The row of name ("nodejs" is the old name of pyroscope-nodejs), or NULL. */
const ab_profiler *rn_profiler_find(const char *name);
/* "c, pyroscope-nodejs, datadog-nodejs": the names, for messages. */
const char *rn_profiler_names(void);

/* What a profiled run of profiler p needs besides the PYROSCOPE_* variables: the server
 * (url, may be NULL when there is none), the application or service name, and the upload
 * interval (0: the agent's own; dd-trace takes whole seconds, so it gets the interval
 * rounded up, at least 1). Appends KEY=VALUE strings to env. */
void rn_profiler_env(const ab_profiler *p, strlist *env, const char *url, const char *app,
                     double upload_interval);
/* 1 when KEY=VALUE is a variable some profiler's runs get (or that would change a
 * profiler's behaviour, e.g. an inherited DD_PROFILING_ENABLED): the runner does not pass
 * it on from its own environment. */
int rn_profiler_owns_var(const char *kv);

#endif
