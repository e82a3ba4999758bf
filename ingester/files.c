/* files.c: the small static file server behind GET /flamegraphs/<file>. */
#include "files.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ing_files_name_ok(const char *name) {
    if (!name[0] || name[0] == '.' || strstr(name, "..")) return 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p == '/' || *p == '\\' || *p < 0x20 || *p == 0x7f) return 0;
    return strlen(name) < 256;
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

const char *ing_files_content_type(const char *name) {
    if (ends_with(name, ".svg")) return "image/svg+xml";
    if (ends_with(name, ".folded") || ends_with(name, ".txt")) return "text/plain; charset=utf-8";
    if (ends_with(name, ".html")) return "text/html; charset=utf-8";
    if (ends_with(name, ".png")) return "image/png";
    if (ends_with(name, ".json")) return "application/json";
    return "application/octet-stream";
}

int ing_files_read(const char *dir, const char *name, size_t max, char **data, size_t *len) {
    char path[4096];
    if (!ing_files_name_ok(name) ||
        snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
        close(fd);
        return -1;
    }
    size_t size = (size_t)st.st_size, got = 0;
    char *buf = malloc(size ? size : 1);
    if (!buf) {
        close(fd);
        return -1;
    }
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r <= 0) {
            free(buf);
            close(fd);
            return -1;
        }
        got += (size_t)r;
    }
    close(fd);
    *data = buf;
    *len = got;
    return 0;
}
