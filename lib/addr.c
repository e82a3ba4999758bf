/* addr.c: HOST:PORT parsing and printing (addr.h). inet_pton, never getaddrinfo. */
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Splits S into HOST (copied, brackets removed) and the port's text; -1 when malformed. */
static int split(const char *s, int flags, char *host, size_t hostlen, const char **port) {
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= hostlen) return -1;
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = '\0';
        *port = close + 2;
        return 0;
    }
    const char *colon = strrchr(s, ':');
    if (!colon) {
        if (!(flags & AB_ADDR_LOOPBACK_DEFAULTS)) return -1;
        snprintf(host, hostlen, "127.0.0.1");
        *port = s;
        return 0;
    }
    if ((size_t)(colon - s) >= hostlen) return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    *port = colon + 1;
    if ((flags & AB_ADDR_LOOPBACK_DEFAULTS) && (!host[0] || strcmp(host, "localhost") == 0))
        snprintf(host, hostlen, "127.0.0.1");
    return 0;
}

int ab_addr_parse(const char *s, int flags, struct sockaddr_storage *ss) {
    char host[128];
    const char *port;
    memset(ss, 0, sizeof *ss);
    if (split(s, flags, host, sizeof host, &port) < 0) return -1;
    char *end;
    errno = 0;
    long p = strtol(port, &end, 10);
    if (!*port || *end || errno || p < 0 || p > 65535) return -1;
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)p);
        return 0;
    }
    memset(ss, 0, sizeof *ss);
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)p);
        return 0;
    }
    return -1;
}

void ab_addr_format(const struct sockaddr *sa, char *buf, size_t len) {
    char host[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
        snprintf(buf, len, "%s:%u", host, ntohs(v4->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
        snprintf(buf, len, "[%s]:%u", host, ntohs(v6->sin6_port));
    } else {
        snprintf(buf, len, "-");
    }
}
