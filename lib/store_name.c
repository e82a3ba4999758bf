/* store_name.c: the --store file name of an application (store_name.h). */
#include <string.h>

#include "store_name.h"

int ab_store_file_name(const char *app, char *out, size_t outlen) {
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0, max = outlen < AB_STORE_MAX_FILE_NAME + 1 ? outlen : AB_STORE_MAX_FILE_NAME + 1;
    for (const unsigned char *p = (const unsigned char *)app; *p; p++) {
        unsigned char c = *p;
        int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || (c == '.' && n > 0);
        if (n + (plain ? 1 : 3) + sizeof ".folded" > max) return -1;
        if (plain) {
            out[n++] = (char)c;
        } else {
            out[n++] = '%';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    if (n == 0) {
        if (max < 3 + sizeof ".folded") return -1;
        memcpy(out, "%00", 3); /* the empty name: no other name encodes to it */
        n = 3;
    }
    memcpy(out + n, ".folded", sizeof ".folded");
    return 0;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int ab_store_app_name(const char *file, char *app, size_t applen) {
    size_t len = strlen(file), suffix = sizeof ".folded" - 1, n = 0;
    if (len <= suffix || strcmp(file + len - suffix, ".folded") != 0 || applen == 0) return -1;
    len -= suffix;
    if (len == 3 && !memcmp(file, "%00", 3)) {
        app[0] = '\0';
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)file[i];
        if (c == '%') {
            int hi = i + 2 < len ? hex_value(file[i + 1]) : -1;
            int lo = hi >= 0 ? hex_value(file[i + 2]) : -1;
            if (lo < 0 || (hi == 0 && lo == 0)) return -1;
            c = hi * 16 + lo;
            i += 2;
        }
        if (n + 1 >= applen) return -1;
        app[n++] = (char)c;
    }
    app[n] = '\0';
    /* only the one spelling ab_store_file_name makes (no %41 for A, no plain '+') */
    char again[AB_STORE_MAX_FILE_NAME + 1];
    return ab_store_file_name(app, again, sizeof again) == 0 && !strcmp(again, file) ? 0 : -1;
}
