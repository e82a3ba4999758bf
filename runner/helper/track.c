/* track.c: finding and ending what a run left running (track.h). Two ways, chosen per
 * run: the run's cgroup (cgroup.procs lists every process in it; cgroup.kill ends them
 * all at once), or, where no cgroup can be made (no cgroup2 mount, no permission,
 * AGENTBENCH_NO_CGROUP), rounds of a /proc scan for the helper's own children (orphans
 * come to the subreaper), the run's process group and the run's marker in a process's
 * environment, each round killing what it found and reaping it, until a scan finds
 * nothing. Either way a process is counted once, and zombies (already dead) not at all. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "track.h"

static char base[400];   /* where run cgroups are made; "" = nowhere */
static int home_fd = -1; /* base's cgroup.procs: the helper's way back */
static unsigned long cgroup_seq;

/* Up to len - 1 bytes of a (small) file, NUL-terminated; the length or -1. */
static ssize_t read_small(const char *path, char *buf, size_t len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t n = 0;
    while (n + 1 < len) {
        ssize_t r = read(fd, buf + n, len - 1 - n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = 0;
    return (ssize_t)n;
}

static void pause_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
}

static void reap_children(void) {
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
}

/* The cgroup2 mount point (the first one) into out. 0 or -1. */
static int cgroup2_mount(char *out, size_t len) {
    static char mounts[32768];
    if (read_small("/proc/self/mounts", mounts, sizeof mounts) <= 0) return -1;
    for (char *line = mounts; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        char dev[64], dir[400], type[32];
        if (sscanf(line, "%63s %399s %31s", dev, dir, type) == 3 && !strcmp(type, "cgroup2") &&
            !strchr(dir, '\\')) {
            snprintf(out, len, "%s", dir);
            return 0;
        }
        line = nl ? nl + 1 : NULL;
    }
    return -1;
}

/* Kill what a dead helper's cgroup still holds and remove it. */
static void remove_cgroup(const char *dir) {
    char path[1024];
    if (snprintf(path, sizeof path, "%s/cgroup.kill", dir) >= (int)sizeof path) return;
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (write(fd, "1", 1) < 0) {}
        close(fd);
    }
    for (int i = 0; i < 100 && rmdir(dir) < 0 && errno == EBUSY; i++) pause_ms(2);
}

/* The cgroups of helpers that are gone (killed with their runner mid-run). */
static void remove_stale(void) {
    DIR *d = opendir(base);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        int pid;
        unsigned long n;
        if (sscanf(e->d_name, "agentbench-run.%d.%lu", &pid, &n) != 2 || pid <= 0) continue;
        if (kill(pid, 0) == 0 || errno != ESRCH) continue;
        char dir[sizeof base + 300];
        snprintf(dir, sizeof dir, "%s/%s", base, e->d_name);
        remove_cgroup(dir);
    }
    closedir(d);
}

void rn_track_setup(void) {
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    base[0] = 0;
    const char *off = getenv("AGENTBENCH_NO_CGROUP");
    if (off && *off) return;
    char mnt[400], self[512];
    if (cgroup2_mount(mnt, sizeof mnt) < 0) return;
    if (read_small("/proc/self/cgroup", self, sizeof self) <= 0) return;
    /* "0::/path" is our place in the v2 hierarchy */
    char *line = strstr(self, "0::");
    if (!line || (line != self && line[-1] != '\n')) return;
    char *path = line + 3;
    path[strcspn(path, "\n")] = 0;
    int n = snprintf(base, sizeof base, "%s%s", mnt, strcmp(path, "/") ? path : "");
    if (n < 0 || (size_t)n >= sizeof base) {
        base[0] = 0;
        return;
    }
    char procs[sizeof base + 16];
    snprintf(procs, sizeof procs, "%s/cgroup.procs", base);
    if ((home_fd = open(procs, O_WRONLY | O_CLOEXEC)) < 0) {
        base[0] = 0;
        return;
    }
    remove_stale();
}

void rn_track_begin(track *t, char **env) {
    memset(t, 0, sizeof *t);
    t->procs_fd = t->kill_fd = -1;
    struct timespec now;
    long hz = sysconf(_SC_CLK_TCK);
    if (clock_gettime(CLOCK_BOOTTIME, &now) == 0 && hz > 0)
        t->start_ticks = (unsigned long long)now.tv_sec * (unsigned long long)hz +
                         (unsigned long long)now.tv_nsec / (1000000000ULL / (unsigned long long)hz);
    for (char **e = env; e && *e; e++)
        if (!strncmp(*e, "AGENTBENCH_RUN_ID=", 18)) t->marker = *e;
    if (!*base) return;
    snprintf(t->dir, sizeof t->dir, "%s/agentbench-run.%d.%lu", base, (int)getpid(), ++cgroup_seq);
    if (mkdir(t->dir, 0755) < 0) {
        if (errno != EEXIST) base[0] = 0; /* not allowed here: not for later runs either */
        return;
    }
    char path[600];
    snprintf(path, sizeof path, "%s/cgroup.procs", t->dir);
    t->procs_fd = open(path, O_WRONLY | O_CLOEXEC);
    /* the helper goes in, so that the run is born there: moving a process between
     * cgroups can take milliseconds (an RCU grace period), and not in the timed span */
    if (t->procs_fd < 0 || write(t->procs_fd, "0", 1) != 1) {
        if (t->procs_fd >= 0) close(t->procs_fd);
        t->procs_fd = -1;
        rmdir(t->dir);
        base[0] = 0;
        return;
    }
    snprintf(path, sizeof path, "%s/cgroup.kill", t->dir);
    t->kill_fd = open(path, O_WRONLY | O_CLOEXEC);
    t->cgroup = t->joined = 1;
}

/* The helper back in its own cgroup (after the run, out of the timed span). */
static void go_home(track *t) {
    if (home_fd >= 0 && write(home_fd, "0", 1) == 1) return;
    base[0] = 0; /* stuck in the run's cgroup: no more cgroups (it cannot be removed) */
}

const char *rn_track_method(const track *t) {
    return t->cgroup && t->joined ? "cgroup" : "tree";
}

/* /proc/PID/stat: state, parent, process group, name, start (clock ticks since boot).
 * 0 or -1 (gone). */
static int proc_stat(pid_t pid, char *state, pid_t *ppid, pid_t *pgrp, char *comm, size_t commlen,
                     unsigned long long *start) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if (read_small(path, buf, sizeof buf) <= 0) return -1;
    char *open = strchr(buf, '('), *close = strrchr(buf, ')');
    if (!open || !close || close < open) return -1;
    size_t n = (size_t)(close - open - 1);
    if (n >= commlen) n = commlen - 1;
    memcpy(comm, open + 1, n);
    comm[n] = 0;
    int pp, pg;
    unsigned long long st = 0;
    int got = sscanf(close + 1,
                     " %c %d %d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
                     "%*d %*d %*d %*d %llu",
                     state, &pp, &pg, &st);
    if (got < 3) return -1;
    *ppid = pp;
    *pgrp = pg;
    if (start) *start = got == 4 ? st : ~0ULL;
    return 0;
}

/* Does pid's environment hold the entry marker? Read as a stream of NUL-ended entries. */
static int environ_has(pid_t pid, const char *marker) {
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    size_t len = strlen(marker);
    long matched = 0; /* bytes of marker matched in this entry; -1: not this entry */
    int found = 0;
    ssize_t r;
    while (!found && (r = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < r && !found; i++) {
            if (buf[i] == 0) {
                found = matched == (long)len;
                matched = 0;
            } else if (matched >= 0) {
                matched = (size_t)matched < len && buf[i] == marker[matched] ? matched + 1 : -1;
            }
        }
    }
    close(fd);
    return found;
}

/* Count pid (once) and name the first few: "name[pid],...". */
static pid_t seen[512];
static size_t nseen;

static void note(track *t, pid_t pid, const char *comm) {
    for (size_t i = 0; i < nseen; i++)
        if (seen[i] == pid) return;
    if (nseen < sizeof seen / sizeof *seen) seen[nseen++] = pid;
    t->found++;
    size_t used = strlen(t->names);
    if (t->found > 4) {
        if (t->found == 5 && used + 4 < sizeof t->names) strcat(t->names, ",...");
        return;
    }
    char clean[32];
    size_t k = 0;
    for (const char *c = comm; *c && k + 1 < sizeof clean; c++)
        clean[k++] = (*c > ' ' && *c < 0x7f && *c != ',' && *c != '=') ? *c : '_';
    clean[k] = 0;
    snprintf(t->names + used, sizeof t->names - used, "%s%s[%d]", used ? "," : "", clean, (int)pid);
}

/* The live (not zombie) members of the run's cgroup: noted when note_them, killed one by
 * one when kill_them. Their count. */
static int cgroup_members(track *t, int note_them, int kill_them) {
    char path[600];
    snprintf(path, sizeof path, "%s/cgroup.procs", t->dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[4096];
    size_t have = 0;
    int count = 0;
    for (;;) {
        ssize_t r = read(fd, buf + have, sizeof buf - 1 - have);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        have += (size_t)r;
        buf[have] = 0;
        char *p = buf, *nl;
        while ((nl = strchr(p, '\n'))) {
            pid_t pid = (pid_t)atoi(p);
            p = nl + 1;
            char state, comm[64];
            pid_t pp, pg;
            if (pid <= 0 || pid == getpid() ||
                proc_stat(pid, &state, &pp, &pg, comm, sizeof comm, NULL) < 0 || state == 'Z')
                continue;
            count++;
            if (note_them) note(t, pid, comm);
            if (kill_them) kill(pid, SIGKILL);
        }
        have = strlen(p);
        memmove(buf, p, have);
        if (have >= sizeof buf - 1) have = 0; /* not a pid list */
    }
    close(fd);
    return count;
}

static void end_cgroup(track *t) {
    int left = cgroup_members(t, 1, 0);
    if (t->pgid > 0) kill(-t->pgid, SIGKILL);
    for (int i = 0; left && i < 2000; i++) { /* ~2 s at most */
        if (t->kill_fd < 0 || write(t->kill_fd, "1", 1) < 0) cgroup_members(t, 0, 1);
        reap_children();
        if (!(left = cgroup_members(t, 0, 0))) break;
        pause_ms(1);
    }
    reap_children();
    for (int i = 0; i < 200 && rmdir(t->dir) < 0 && errno == EBUSY; i++) {
        reap_children();
        pause_ms(1);
    }
}

/* One scan of /proc: kill (and note) the helper's children, the run's process group and
 * the carriers of its marker. Their count. */
static int scan_proc(track *t) {
    DIR *d = opendir("/proc");
    if (!d) return 0;
    pid_t self = getpid();
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        pid_t pid = (pid_t)atoi(e->d_name), pp, pg;
        char state, comm[64];
        unsigned long long start;
        /* the run's processes all started after it: the rest need no closer look */
        if (pid == self || proc_stat(pid, &state, &pp, &pg, comm, sizeof comm, &start) < 0 ||
            state == 'Z' || start + 1 < t->start_ticks)
            continue;
        if (pp == self || (t->pgid > 0 && pg == t->pgid) ||
            (t->marker && environ_has(pid, t->marker))) {
            note(t, pid, comm);
            kill(pid, SIGKILL);
            count++;
        }
    }
    closedir(d);
    return count;
}

void rn_track_end(track *t) {
    nseen = 0;
    if (t->cgroup && t->joined) {
        go_home(t);
        end_cgroup(t);
    } else {
        if (t->cgroup) rmdir(t->dir); /* made, but the run could not join it */
        for (int round = 0; round < 200; round++) {
            int n = scan_proc(t);
            reap_children();
            if (!n) break;
            pause_ms(1);
        }
    }
    reap_children();
    if (t->procs_fd >= 0) close(t->procs_fd);
    if (t->kill_fd >= 0) close(t->kill_fd);
    t->procs_fd = t->kill_fd = -1;
}
