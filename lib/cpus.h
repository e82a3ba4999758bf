/* cpus.h: CPU lists ("0-2,5": CPUs and inclusive ranges, comma-separated, as Linux
 * prints them in /sys and taskset -c reads them), parsed one way by every part: the
 * runner's CPU placement options, its run helper's pinning, the
 * ingester's --cpu. Strict: no empty list, no empty item ("1,"), no reversed range. */
#ifndef AB_CPUS_H
#define AB_CPUS_H

#include <sched.h>

/* Parses S into SET (cleared first). NCPUS > 0 also refuses a CPU >= NCPUS (one the host
 * lacks); every CPU must be below CPU_SETSIZE. SET NULL: only the syntax is checked (any
 * CPU number, so that a caller can say "a CPU this host lacks" later). 0, or -1 when S
 * is no such list. */
int ab_cpus_parse(const char *s, int ncpus, cpu_set_t *set);

#endif
