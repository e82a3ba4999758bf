/* cpulist.h: CPU lists ("0-2,5") for --cpu-bench and --cpu-ingester, and the default
 * placement: on two or more CPUs the ingester and the benchmark get different CPUs. */
#ifndef AB_RUNNER_CPULIST_H
#define AB_RUNNER_CPULIST_H

#include <stddef.h>

/* Validate a CPU list; with ncpus > 0 also check every CPU is < ncpus. 0 or -1. */
int rn_cpulist_valid(const char *s, int ncpus);
/* Default lists for a host with ncpus CPUs: the ingester on the last CPU, the benchmark
 * on all the others. With one CPU both stay empty (no pinning). */
void rn_cpulist_default(int ncpus, char *bench, size_t blen, char *ingester, size_t ilen);

#endif
