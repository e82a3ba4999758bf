/* cpulist.c: validating CPU lists and choosing the default placement. */
#include <stdio.h>
#include <stdlib.h>
#include "cpulist.h"

int cpulist_valid(const char *s, int ncpus) {
    if (!s || !*s) return -1;
    while (*s) {
        char *end;
        long a = strtol(s, &end, 10), b;
        if (end == s || a < 0 || (ncpus > 0 && a >= ncpus)) return -1;
        b = a;
        if (*end == '-') {
            s = end + 1;
            b = strtol(s, &end, 10);
            if (end == s || b < a || (ncpus > 0 && b >= ncpus)) return -1;
        }
        if (*end == ',') {
            end++;
            if (!*end) return -1;
        } else if (*end) {
            return -1;
        }
        s = end;
    }
    return 0;
}

void cpulist_default(int ncpus, char *bench, size_t blen, char *ingester, size_t ilen) {
    bench[0] = ingester[0] = 0;
    if (ncpus < 2) return;
    if (ncpus == 2) snprintf(bench, blen, "0");
    else snprintf(bench, blen, "0-%d", ncpus - 2);
    snprintf(ingester, ilen, "%d", ncpus - 1);
}
