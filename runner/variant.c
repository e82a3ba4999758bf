/* variant.c: the parts of a variant's name (variant.h). */
#include <stdio.h>
#include <string.h>
#include "variant.h"

const char *rn_variant_mode(const char *v, char *buf, size_t len) {
    size_t n = strcspn(v, "/");
    snprintf(buf, len, "%.*s", (int)n, v);
    return buf;
}

const char *rn_variant_profiler(const char *v) {
    const char *slash = strchr(v, '/');
    return slash && slash[1] ? slash + 1 : NULL;
}

const char *rn_variant_file_token(const char *v, char *buf, size_t len) {
    snprintf(buf, len, "%s", v);
    for (char *p = buf; *p; p++)
        if (*p == '/') *p = '+';
    return buf;
}
