/* steal.h: CPU steal time from /proc/stat, recorded beside every run (cloud VMs). */
#ifndef AB_RUNNER_STEAL_H
#define AB_RUNNER_STEAL_H

typedef struct cpu_times {
    unsigned long long total, steal;
} cpu_times;
/* Read the aggregate "cpu" line; 0 or -1. */
int rn_cpu_times_read(cpu_times *t);
/* Parse a "cpu  user nice system idle iowait irq softirq steal ..." line; 0 or -1. */
int rn_cpu_times_parse(const char *line, cpu_times *t);
/* Steal between two readings in percent of all CPU time (0 when nothing elapsed). */
double rn_steal_pct(const cpu_times *a, const cpu_times *b);

#endif
