/* capture.c: the flame graph capture state machine (see capture.h). */
#include "capture.h"
#include "clock.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <pcp/pmapi.h>

extern char **environ;

enum cstate {
    C_IDLE,
    C_RUNNING,
    C_DONE,
    C_ERROR
};

static enum cstate state = C_IDLE;
static pid_t child;
static int errfd = -1; /* the child's stderr, an unlinked temporary file */
static double started_at;
static unsigned int seconds_n;
static char svg_path[4096], target_url[4096], last_url[4096];
static char status_text[4200];
static unsigned long long nstarted, nfailed, ndone;

static void set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void set_error(const char *fmt, ...) {
    char why[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    /* one line, printable */
    for (char *p = why; *p; p++)
        if ((unsigned char)*p < 0x20) *p = ' ';
    state = C_ERROR;
    nfailed++;
    snprintf(status_text, sizeof(status_text), "ERROR %s", why);
}

static int mkdir_p(const char *path) {
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) < 0 && errno != EEXIST) return -1;
            *p = '/';
        }
    return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* The last non-empty line of the child's stderr, trimmed, into out. */
static void last_stderr_line(char *out, size_t outlen) {
    out[0] = '\0';
    if (errfd < 0) return;
    off_t size = lseek(errfd, 0, SEEK_END);
    off_t from = size > 2048 ? size - 2048 : 0;
    char buf[2049];
    ssize_t n = pread(errfd, buf, sizeof(buf) - 1, from);
    if (n <= 0) return;
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    char *line = strrchr(buf, '\n');
    line = line ? line + 1 : buf;
    size_t len = strlen(line);
    if (len >= outlen) len = outlen - 1;
    memcpy(out, line, len);
    out[len] = '\0';
}

int pmda_capture_start(const capture_config *cfg, long seconds) {
    pmda_capture_poll();
    if (seconds < 0 || seconds > CAPTURE_MAX_SECONDS) return PM_ERR_BADSTORE;
    if (seconds == 0) {
        if (state == C_RUNNING) {
            kill(-child, SIGTERM);
            kill(child, SIGTERM);
        } else {
            state = C_IDLE;
        }
        return 0;
    }
    if (state == C_RUNNING) return PM_ERR_AGAIN;

    seconds_n = (unsigned int)seconds;
    nstarted++;
    if (!cfg->program || access(cfg->program, X_OK) != 0) {
        set_error("cannot run %s: %s", cfg->program ? cfg->program : "agentbench",
                  cfg->program ? strerror(errno) : "not found");
        return 0;
    }
    if (mkdir_p(cfg->dir) < 0) {
        set_error("cannot create %s: %s", cfg->dir, strerror(errno));
        return 0;
    }
    char name[64];
    struct tm tm;
    time_t t = time(NULL);
    gmtime_r(&t, &tm);
    snprintf(name, sizeof(name), "system-%04d%02d%02d-%02d%02d%02d-%llu", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nstarted);
    snprintf(svg_path, sizeof(svg_path), "%s/%s.svg", cfg->dir, name);
    if (cfg->url) snprintf(target_url, sizeof(target_url), "%s/%s.svg", cfg->url, name);
    else snprintf(target_url, sizeof(target_url), "%s", svg_path);

    if (errfd >= 0) close(errfd);
    errfd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (errfd < 0) {
        set_error("cannot create a temporary file: %s", strerror(errno));
        return 0;
    }
    char secs[16];
    snprintf(secs, sizeof(secs), "%ld", seconds);
    char *argv[] = {
        (char *)cfg->program, "flamegraph", "--seconds", secs, "--all", "-o", svg_path, NULL};

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, errfd, 2);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                        POSIX_SPAWN_SETPGROUP);
    int rc = posix_spawn(&child, cfg->program, &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        set_error("cannot start %s: %s", cfg->program, strerror(rc));
        return 0;
    }
    state = C_RUNNING;
    started_at = ab_mono_s();
    snprintf(status_text, sizeof(status_text), "RUNNING 0/%u", seconds_n);
    if (pmDebugOptions.appl2)
        pmNotifyErr(LOG_DEBUG, "capture %llu: %s flamegraph --seconds %s --all -o %s (pid %d)",
                    nstarted, cfg->program, secs, svg_path, (int)child);
    return 0;
}

void pmda_capture_poll(void) {
    if (state != C_RUNNING) return;
    int wstatus;
    pid_t got = waitpid(child, &wstatus, WNOHANG);
    double elapsed = ab_mono_s() - started_at;
    if (got == 0) {
        if (elapsed > seconds_n + CAPTURE_GRACE_S) {
            kill(-child, SIGKILL);
            kill(child, SIGKILL);
            waitpid(child, &wstatus, 0);
            set_error("capture still running %u s after it should have ended; killed",
                      (unsigned)CAPTURE_GRACE_S);
            return;
        }
        unsigned int s = elapsed < seconds_n ? (unsigned int)elapsed : seconds_n;
        snprintf(status_text, sizeof(status_text), "RUNNING %u/%u", s, seconds_n);
        return;
    }
    if (got < 0) {
        set_error("lost the capture process: %s", strerror(errno));
        return;
    }
    char line[1024];
    last_stderr_line(line, sizeof(line));
    struct stat st;
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) {
        if (stat(svg_path, &st) == 0 && st.st_size > 0) {
            state = C_DONE;
            ndone++;
            snprintf(last_url, sizeof(last_url), "%s", target_url);
            snprintf(status_text, sizeof(status_text), "DONE %s", target_url);
        } else {
            set_error("agentbench flamegraph exited 0 but wrote no %s", svg_path);
        }
    } else if (WIFEXITED(wstatus)) {
        set_error("agentbench flamegraph exited %d%s%s", WEXITSTATUS(wstatus), line[0] ? ": " : "",
                  line);
    } else {
        set_error("agentbench flamegraph killed by signal %d%s%s", WTERMSIG(wstatus),
                  line[0] ? ": " : "", line);
    }
    if (pmDebugOptions.appl2)
        pmNotifyErr(LOG_DEBUG, "capture %llu ended after %.1f s: %s", nstarted, elapsed,
                    status_text);
}

const char *pmda_capture_status(void) {
    return state == C_IDLE ? "IDLE" : status_text;
}

unsigned int pmda_capture_seconds(void) {
    return seconds_n;
}
const char *pmda_capture_last_url(void) {
    return last_url[0] ? last_url : NULL;
}
unsigned long long pmda_capture_started(void) {
    return nstarted;
}
unsigned long long pmda_capture_failed(void) {
    return nfailed;
}
unsigned long long pmda_capture_done(void) {
    return ndone;
}

capture_state_e pmda_capture_state(void) {
    return state == C_RUNNING ? CAPTURE_RUNNING
           : state == C_DONE  ? CAPTURE_DONE
           : state == C_ERROR ? CAPTURE_ERROR
                              : CAPTURE_IDLE;
}

const char *pmda_capture_last_file(void) {
    const char *slash = strrchr(svg_path, '/');
    return svg_path[0] ? (slash ? slash + 1 : svg_path) : NULL;
}

void pmda_capture_last_folded(char *out, size_t outlen) {
    size_t n = strlen(svg_path);
    if (n > 4 && strcmp(svg_path + n - 4, ".svg") == 0) n -= 4;
    snprintf(out, outlen, "%.*s.folded", (int)n, svg_path);
}

void pmda_capture_shutdown(void) {
    if (state == C_RUNNING) {
        kill(-child, SIGTERM);
        kill(child, SIGTERM);
    }
}
