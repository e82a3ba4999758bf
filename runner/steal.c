/* steal.c: reading CPU steal time from /proc/stat. */
#include <stdio.h>
#include <string.h>
#include "steal.h"

int rn_cpu_times_parse(const char *line, cpu_times *t) {
    unsigned long long v[8] = {0};
    if (strncmp(line, "cpu ", 4)) return -1;
    int n = sscanf(line + 4, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                   &v[4], &v[5], &v[6], &v[7]);
    if (n < 4) return -1;
    t->total = 0;
    for (int i = 0; i < n; i++) t->total += v[i];
    t->steal = n >= 8 ? v[7] : 0;
    return 0;
}

int rn_cpu_times_read(cpu_times *t) {
    char line[512];
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return -1;
    int rc = fgets(line, sizeof line, f) ? rn_cpu_times_parse(line, t) : -1;
    fclose(f);
    return rc;
}

double rn_steal_pct(const cpu_times *a, const cpu_times *b) {
    if (b->total <= a->total) return 0;
    return 100.0 * (double)(b->steal - a->steal) / (double)(b->total - a->total);
}
