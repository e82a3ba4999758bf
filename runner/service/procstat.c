/* procstat.c: the process-group CPU reading of procstat.h, one pass over /proc. */
#include "procstat.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rn_procstat_parse(const char *stat, int *pgrp, unsigned long long *ticks) {
    /* "PID (COMM) STATE PPID PGRP ...": COMM may hold spaces and ')', so fields count
     * from the last ')'; utime and stime are fields 14 and 15 */
    const char *p = strrchr(stat, ')');
    if (!p) return -1;
    unsigned long long utime, stime;
    int ppid, group;
    char state;
    if (sscanf(p + 1, " %c %d %d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &state, &ppid, &group,
               &utime, &stime) != 5)
        return -1;
    *pgrp = group;
    *ticks = utime + stime;
    return 0;
}

double rn_pgrp_cpu_seconds(int pgid) {
    DIR *d = opendir("/proc");
    if (!d || pgid <= 0) {
        if (d) closedir(d);
        return -1;
    }
    unsigned long long total = 0;
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0])) continue;
        char path[300], buf[1024];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0) continue;
        buf[n] = 0;
        int group;
        unsigned long long ticks;
        if (rn_procstat_parse(buf, &group, &ticks) == 0 && group == pgid) {
            total += ticks;
            found = 1;
        }
    }
    closedir(d);
    long hz = sysconf(_SC_CLK_TCK);
    return found ? (double)total / (double)(hz > 0 ? hz : 100) : -1;
}
