/* procstat.h: the CPU time a service has used so far, read from /proc while it runs: the
 * user + system time of every process in its process group (each process's figure covers
 * all its threads, those that already ended included). Differences of two readings give
 * the CPU of a window, which the run's rusage (one figure for its whole life) cannot. */
#ifndef AB_SERVICE_PROCSTAT_H
#define AB_SERVICE_PROCSTAT_H

/* Seconds of CPU of process group pgid (clock-tick resolution), or -1 when no process of
 * the group is found. */
double rn_pgrp_cpu_seconds(int pgid);

/* From the text of /proc/PID/stat: its process group and user + system ticks. 0 or -1. */
int rn_procstat_parse(const char *stat, int *pgrp, unsigned long long *ticks);

#endif
