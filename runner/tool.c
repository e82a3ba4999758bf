/* tool.c: posix_spawnp-based process start (it reports a missing program as an error
 * instead of a child exiting 127), and a polling wait with deadline and progress. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tool.h"
#include "clock.h"

extern char **environ;

pid_t rn_tool_spawn(char *const argv[], char *const envp[], int out_fd, int err_fd) {
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (out_fd >= 0) posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    else posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    if (err_fd >= 0) posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
    else posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    sigset_t def; /* children start with default handlers */
    sigemptyset(&def);
    sigaddset(&def, SIGINT);
    sigaddset(&def, SIGTERM);
    sigaddset(&def, SIGPIPE);
    posix_spawnattr_setsigdefault(&at, &def);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, &at, argv, envp ? envp : environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    return pid;
}

int rn_tool_wait(pid_t pid, double deadline_s, const volatile sig_atomic_t *stop,
                 void (*tick)(double, void *), void *arg) {
    double start = ab_mono_s(), next_tick = 1, interrupted_at = 0;
    for (;;) {
        int status;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return status;
        if (r < 0 && errno != EINTR) return -1;
        double el = ab_mono_s() - start;
        if (tick && el >= next_tick) {
            tick(el, arg);
            next_tick += 1;
        }
        if ((deadline_s > 0 && el > deadline_s) || (stop && *stop)) {
            if (interrupted_at == 0) {
                kill(pid, SIGINT);
                interrupted_at = el;
            } else if (el > interrupted_at + 5) {
                kill(pid, SIGKILL);
            }
        }
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

void rn_tool_last_line(const char *path, char *out, size_t outlen) {
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == ' ' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n) snprintf(out, outlen, "%s", line);
    }
    fclose(f);
}

int rn_tool_find(const char *name, char *path, size_t len) {
    const char *dirs = getenv("PATH");
    if (!dirs || !*dirs) dirs = "/usr/local/bin:/usr/bin:/bin";
    while (*dirs) {
        size_t n = strcspn(dirs, ":");
        snprintf(path, len, "%.*s/%s", (int)n, n ? dirs : ".", name);
        if (access(path, X_OK) == 0) return 0;
        dirs += n + (dirs[n] == ':');
    }
    return -1;
}
