/* query.c: URL query parsing with percent-decoding. */
#include "query.h"

#include <string.h>

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

long ing_query_unescape(char *s, int plus_is_space) {
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (*r == '%') {
            int hi = hexval(r[1]), lo = hi < 0 ? -1 : hexval(r[2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return -1;
            *w++ = (char)(hi * 16 + lo);
            r += 2;
        } else if (*r == '+' && plus_is_space) {
            *w++ = ' ';
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return (long)(w - s);
}

int ing_query_parse(char *buf, query_param *out, int max) {
    int n = 0;
    char *p = buf;
    while (p && *p) {
        char *amp = strchr(p, '&');
        if (amp) *amp = '\0';
        if (*p) {
            if (n == max) return -1;
            char *eq = strchr(p, '=');
            if (eq) *eq = '\0';
            if (ing_query_unescape(p, 1) < 0) return -1;
            const char *val = "";
            if (eq) {
                if (ing_query_unescape(eq + 1, 1) < 0) return -1;
                val = eq + 1;
            }
            out[n].key = p;
            out[n].val = val;
            n++;
        }
        p = amp ? amp + 1 : NULL;
    }
    return n;
}

const char *ing_query_get(const query_param *p, int n, const char *key) {
    for (int i = 0; i < n; i++)
        if (strcmp(p[i].key, key) == 0) return p[i].val;
    return NULL;
}
