/* variant.h: what a variant's name says. "baseline" runs without a profiler; a profiled
 * variant is named after the ingester behaviour it runs against ("fast", "slow", ...,
 * "external" for --server-url) and, when the suite runs several profilers
 * (`agentbench run --profiler A,B`), the profiler after a slash: "fast/datadog-nodejs".
 * Journal, report, compare and the PMDA's "benchmark/variant" instances carry the name as
 * it is; files named after a variant use rn_variant_file_token. */
#ifndef AB_RUNNER_VARIANT_H
#define AB_RUNNER_VARIANT_H

#include <stddef.h>

/* The behaviour part of v ("fast" of "fast/datadog-nodejs"), in buf. */
const char *rn_variant_mode(const char *v, char *buf, size_t len);
/* The profiler part of v (after the slash), or NULL when it names none. */
const char *rn_variant_profiler(const char *v);
/* v for a file name: '/' becomes '+' ("fast+datadog-nodejs"). */
const char *rn_variant_file_token(const char *v, char *buf, size_t len);

#endif
