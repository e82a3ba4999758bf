/* suitedir.c: suite ids, suite directories and the `latest` symlink. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "suitedir.h"
#include "util.h"

void rn_suite_id_make(char *buf, size_t len, double t, uint64_t seed) {
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    char d[32];
    strftime(d, sizeof d, "%Y%m%d-%H%M%S", &tm);
    snprintf(buf, len, "%s-%04x", d, (unsigned)(seed & 0xffff));
}

int rn_suite_dir_create(const char *results, const char *id, char *out, size_t outlen, char *err,
                        size_t errlen) {
    if (rn_mkdir_p(results) < 0) {
        snprintf(err, errlen, "cannot create results directory %s: %s", results, strerror(errno));
        return -1;
    }
    for (int i = 1; i < 100; i++) {
        if (i == 1) snprintf(out, outlen, "%s/%s", results, id);
        else snprintf(out, outlen, "%s/%s-%d", results, id, i);
        if (mkdir(out, 0755) == 0) return 0;
        if (errno != EEXIST) break;
    }
    snprintf(err, errlen, "cannot create suite directory %s: %s", out, strerror(errno));
    return -1;
}

int rn_suite_latest_update(const char *results, const char *suite_dir) {
    const char *base = strrchr(suite_dir, '/');
    base = base ? base + 1 : suite_dir;
    char tmp[PATH_MAX], link[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s/.latest.%d", results, (int)getpid());
    snprintf(link, sizeof link, "%s/latest", results);
    unlink(tmp);
    if (symlink(base, tmp) < 0) return -1;
    if (rename(tmp, link) < 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

char *rn_suite_journal_find(const char *arg, char *err, size_t errlen) {
    struct stat st;
    if (stat(arg, &st) < 0) {
        snprintf(err, errlen, "%s: %s", arg, strerror(errno));
        return NULL;
    }
    if (S_ISREG(st.st_mode)) return rn_xstrdup(arg);
    char *p = rn_xasprintf("%s/journal.jsonl", arg);
    if (stat(p, &st) == 0) return p;
    free(p);
    p = rn_xasprintf("%s/latest/journal.jsonl", arg);
    if (stat(p, &st) == 0) return p;
    free(p);
    snprintf(err, errlen, "%s: no journal.jsonl in it (not a suite or results directory)", arg);
    return NULL;
}

static struct flock whole_file(short type) {
    struct flock l;
    memset(&l, 0, sizeof l);
    l.l_type = type;
    l.l_whence = SEEK_SET; /* l_start 0, l_len 0: the whole file */
    return l;
}

int rn_suite_lock(const char *suite_dir) {
    char *path = rn_xasprintf("%s/.runner.lock", suite_dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    free(path);
    if (fd < 0) return -1;
    struct flock l = whole_file(F_WRLCK);
    if (fcntl(fd, F_OFD_SETLK, &l) < 0) {
        close(fd);
        return -1;
    }
    return 0; /* fd stays open: the lock lives as long as the process */
}

int rn_suite_lock_state(const char *journal_path) {
    char *dir = rn_xstrdup(journal_path);
    char *slash = strrchr(dir, '/');
    char *path = slash ? (*slash = 0, rn_xasprintf("%s/.runner.lock", dir))
                       : rn_xstrdup(".runner.lock");
    free(dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    free(path);
    if (fd < 0) return -1;
    struct flock l = whole_file(F_WRLCK);
    int rc = fcntl(fd, F_OFD_GETLK, &l);
    close(fd);
    if (rc < 0) return -1;
    return l.l_type != F_UNLCK;
}
