/* path.c: which file a request for `agentbench web` names, if any.
 *
 * The request path is decoded and checked segment by segment before the file system is
 * asked anything: "." and ".." are refused outright (403), names starting with a dot are
 * hidden (404), and control characters or a decoded NUL make the request bad (400). The
 * joined path is then canonicalised with realpath(), and must still lie under the root
 * and be a regular file: a symbolic link that leads elsewhere, a directory (there is no
 * listing) or a device is "not found". */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "path.h"

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decode src[0..len) into dst (at most cap-1 bytes and a NUL). 0 or -1. */
static int url_decode(const char *src, size_t len, char *dst, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)src[i];
        if (c == '%') {
            int hi = i + 1 < len ? hexval(src[i + 1]) : -1;
            int lo = i + 2 < len ? hexval(src[i + 2]) : -1;
            if (hi < 0 || lo < 0) return -1;
            c = hi * 16 + lo;
            i += 2;
        }
        if (c < 0x20 || c == 0x7f || c == '\\') return -1;
        if (o + 1 >= cap) return -1;
        dst[o++] = (char)c;
    }
    dst[o] = 0;
    return 0;
}

/* Check every segment of a decoded path: 0 fine, else the HTTP status. */
static int check_segments(const char *p) {
    while (*p) {
        while (*p == '/') p++;
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) return 403;
        if (n > 0 && p[0] == '.') return 404;
        p += n;
    }
    return 0;
}

int rn_web_resolve(const char *root, const char *url_path, size_t url_len, char *out,
                   size_t outlen) {
    char path[PATH_MAX];
    if (url_len == 0 || url_path[0] != '/') return 400;
    if (url_decode(url_path, url_len, path, sizeof path - sizeof "index.html") < 0) return 400;
    int st = check_segments(path);
    if (st) return st;
    if (path[strlen(path) - 1] == '/') strcat(path, "index.html");

    char joined[PATH_MAX], real[PATH_MAX];
    size_t rl = strlen(root);
    if (rl + strlen(path) + 1 > sizeof joined) return 400;
    memcpy(joined, root, rl);
    strcpy(joined + rl, path);
    if (!realpath(joined, real)) return 404;
    if (strncmp(real, root, rl) != 0 || (real[rl] != '/' && strcmp(root, "/") != 0)) return 404;
    struct stat sb;
    if (stat(real, &sb) != 0 || !S_ISREG(sb.st_mode)) return 404;
    if (strlen(real) + 1 > outlen) return 404;
    strcpy(out, real);
    return 200;
}

static const struct {
    const char *suffix, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
    {".md", "text/plain; charset=utf-8"},
    {".map", "application/json"},
};

const char *rn_web_content_type(const char *path) {
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t s = strlen(types[i].suffix);
        if (n > s && strcmp(path + n - s, types[i].suffix) == 0) return types[i].type;
    }
    return "application/octet-stream";
}
