/* cpus.c: CPU lists (cpus.h). Only libc: the static run helper compiles it in. */
#include "cpus.h"

#include <errno.h>
#include <stdlib.h>

/* One CPU number at *s: its value, or -1 (and *s unchanged) when there is none. */
static long cpu_number(const char **s, int ncpus, int any) {
    char *end;
    errno = 0;
    long v = strtol(*s, &end, 10);
    if (end == *s || errno || v < 0 || (!any && v >= CPU_SETSIZE) || (ncpus > 0 && v >= ncpus) ||
        **s == '+' || **s == ' ')
        return -1;
    *s = end;
    return v;
}

int ab_cpus_parse(const char *s, int ncpus, cpu_set_t *set) {
    if (set) CPU_ZERO(set);
    if (!s || !*s) return -1;
    for (;;) {
        long lo = cpu_number(&s, ncpus, !set), hi = lo;
        if (lo < 0) return -1;
        if (*s == '-') {
            s++;
            if ((hi = cpu_number(&s, ncpus, !set)) < lo) return -1;
        }
        for (long c = lo; set && c <= hi; c++) CPU_SET((int)c, set);
        if (!*s) return 0;
        if (*s != ',' || !*++s) return -1;
    }
}
