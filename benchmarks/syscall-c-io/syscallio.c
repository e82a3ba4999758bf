/* syscallio.c: the syscall-c-io benchmark: many small system calls, most of the time spent
 * off the CPU. The main thread sends ROUNDS 64-byte messages through a pipe to an echo
 * thread and blocks reading each answer from a second pipe (two context switches per
 * round); every 16th round it also appends the message to a scratch file, and every 128th
 * round it calls fdatasync on it. The scratch file lives in $TMPDIR (default /tmp) and is
 * removed at once. The checksum sums the echoed bytes and the file's final size. */
#include "abagent.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MESSAGE 64

static int to_echo[2], from_echo[2];

static int read_full(int fd, unsigned char *buf, size_t len) {
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        got += (size_t)n;
    }
    return 0;
}

static int write_full(int fd, const unsigned char *buf, size_t len) {
    size_t put = 0;
    while (put < len) {
        ssize_t n = write(fd, buf + put, len - put);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        put += (size_t)n;
    }
    return 0;
}

/* Echoes every message back with each byte incremented, until the pipe closes. */
static void *echo_main(void *arg) {
    (void)arg;
    unsigned char buf[MESSAGE];
    while (read_full(to_echo[0], buf, MESSAGE) == 0) {
        for (int i = 0; i < MESSAGE; i++) buf[i]++;
        if (write_full(from_echo[1], buf, MESSAGE) < 0) break;
    }
    close(from_echo[1]);
    return NULL;
}

static __attribute__((noinline)) uint64_t exchange(long rounds, int file) {
    unsigned char msg[MESSAGE], answer[MESSAGE];
    uint64_t sum = 0;
    for (long r = 0; r < rounds; r++) {
        for (int i = 0; i < MESSAGE; i++) msg[i] = (unsigned char)(r + i);
        if (write_full(to_echo[1], msg, MESSAGE) < 0 ||
            read_full(from_echo[0], answer, MESSAGE) < 0) {
            fprintf(stderr, "syscallio: pipe failed: %s\n", strerror(errno));
            exit(1);
        }
        for (int i = 0; i < MESSAGE; i++) sum += answer[i];
        if (r % 16 == 0 && write_full(file, answer, MESSAGE) < 0) {
            fprintf(stderr, "syscallio: write: %s\n", strerror(errno));
            exit(1);
        }
        if (r % 128 == 127) fdatasync(file);
    }
    return sum;
}

int main(int argc, char **argv) {
    if (argc > 1 && argv[1][0] == '-') {
        printf("usage: syscallio [ROUNDS]   pipe round trips + file appends (default 150000)\n");
        return strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    char *end = NULL;
    long rounds = argc > 1 ? strtol(argv[1], &end, 10) : 150000;
    if ((argc > 1 && *end != '\0') || rounds < 0) {
        fprintf(stderr, "syscallio: ROUNDS must be a non-negative integer\n");
        return 2;
    }
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char path[4096];
    snprintf(path, sizeof path, "%s/syscallio.XXXXXX", dir);
    int file = mkstemp(path);
    if (file < 0) {
        fprintf(stderr, "syscallio: cannot create a file in %s: %s\n", dir, strerror(errno));
        return 1;
    }
    unlink(path);
    if (pipe(to_echo) < 0 || pipe(from_echo) < 0) {
        fprintf(stderr, "syscallio: pipe: %s\n", strerror(errno));
        return 1;
    }

    agent_start();
    pthread_t echo;
    int err = agent_pthread_create(&echo, NULL, echo_main, NULL);
    if (err != 0) {
        fprintf(stderr, "syscallio: pthread_create: %s\n", strerror(err));
        return 1;
    }
    uint64_t sum = exchange(rounds, file);
    close(to_echo[1]);
    pthread_join(echo, NULL);

    struct stat st;
    fstat(file, &st);
    close(file);
    printf("%ld round trips, %lld bytes written\n", rounds, (long long)st.st_size);
    agent_work_done("checksum: %llu\n", (unsigned long long)(sum * 1000003 + (uint64_t)st.st_size));
    agent_stop();
    return 0;
}
