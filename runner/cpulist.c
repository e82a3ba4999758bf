/* cpulist.c: validating CPU lists and choosing the default placement. */
#include <stdio.h>
#include <stdlib.h>
#include "cpulist.h"
#include "cpus.h"

int rn_cpulist_valid(const char *s, int ncpus) {
    cpu_set_t set;
    return ab_cpus_parse(s, ncpus, ncpus > 0 ? &set : NULL);
}

void rn_cpulist_default(int ncpus, char *bench, size_t blen, char *ingester, size_t ilen) {
    bench[0] = ingester[0] = 0;
    if (ncpus < 2) return;
    if (ncpus == 2) snprintf(bench, blen, "0");
    else snprintf(bench, blen, "0-%d", ncpus - 2);
    snprintf(ingester, ilen, "%d", ncpus - 1);
}
