/* store_name.c: the --store file names of an application's profile types (store_name.h). */
#include <string.h>

#include "store_name.h"

/* Appends name's encoding to out[*n], within max bytes in all (keeping room for
 * ".folded" and its NUL). 0, or -1 when it does not fit. */
static int encode(const char *name, char *out, size_t *n, size_t max) {
    static const char hex[] = "0123456789ABCDEF";
    size_t start = *n;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        unsigned char c = *p;
        int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || (c == '.' && *n > start);
        if (*n + (plain ? 1 : 3) + sizeof ".folded" > max) return -1;
        if (plain) {
            out[(*n)++] = (char)c;
        } else {
            out[(*n)++] = '%';
            out[(*n)++] = hex[c >> 4];
            out[(*n)++] = hex[c & 15];
        }
    }
    if (*n == start) {
        if (*n + 3 + sizeof ".folded" > max) return -1;
        memcpy(out + *n, "%00", 3); /* the empty name: no other name encodes to it */
        *n += 3;
    }
    return 0;
}

int ab_store_file_name(const char *app, const char *type, char *out, size_t outlen) {
    size_t n = 0, max = outlen < AB_STORE_MAX_FILE_NAME + 1 ? outlen : AB_STORE_MAX_FILE_NAME + 1;
    if (encode(app, out, &n, max) < 0) return -1;
    if (type && *type) {
        if (n + 1 + sizeof ".folded" > max) return -1;
        out[n++] = '@';
        if (encode(type, out, &n, max) < 0) return -1;
    }
    memcpy(out + n, ".folded", sizeof ".folded");
    return 0;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes the len bytes at s into out (NUL-terminated). 0, or -1 when they are no
 * encoding or out is too small. */
static int decode(const char *s, size_t len, char *out, size_t outlen) {
    size_t n = 0;
    if (outlen == 0) return -1;
    if (len == 3 && !memcmp(s, "%00", 3)) {
        out[0] = '\0';
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            int hi = i + 2 < len ? hex_value(s[i + 1]) : -1;
            int lo = hi >= 0 ? hex_value(s[i + 2]) : -1;
            if (lo < 0 || (hi == 0 && lo == 0)) return -1;
            c = hi * 16 + lo;
            i += 2;
        }
        if (n + 1 >= outlen) return -1;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return 0;
}

int ab_store_app_name(const char *file, char *app, size_t applen, char *type, size_t typelen) {
    size_t len = strlen(file), suffix = sizeof ".folded" - 1;
    if (len <= suffix || strcmp(file + len - suffix, ".folded") != 0 || typelen == 0) return -1;
    len -= suffix;
    const char *at = memchr(file, '@', len);
    size_t app_len = at ? (size_t)(at - file) : len;
    if (decode(file, app_len, app, applen) < 0) return -1;
    if (!at) type[0] = '\0';
    else if (len - app_len - 1 == 0 || decode(at + 1, len - app_len - 1, type, typelen) < 0 ||
             type[0] == '\0')
        return -1;
    /* only the one spelling ab_store_file_name makes (no %41 for A, no plain '+') */
    char again[AB_STORE_MAX_FILE_NAME + 1];
    return ab_store_file_name(app, type, again, sizeof again) == 0 && !strcmp(again, file) ? 0 : -1;
}
