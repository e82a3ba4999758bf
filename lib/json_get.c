/* json_get.c: one-line documents and lenient member readers (json_get.h). */
#include "json_get.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

uint64_t ab_json_count(const json_t *o, const char *key) {
    const json_t *v = json_object_get(o, key);
    if (json_is_integer(v)) return json_integer_value(v) < 0 ? 0 : (uint64_t)json_integer_value(v);
    if (json_is_real(v) && json_real_value(v) >= 0 && json_real_value(v) < 1.8e19)
        return (uint64_t)json_real_value(v);
    return 0;
}

double ab_json_number(const json_t *o, const char *key, double dflt) {
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) && isfinite(json_number_value(v)) ? json_number_value(v) : dflt;
}

const char *ab_json_string(const json_t *o, const char *key, const char *dflt) {
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : dflt;
}

char *ab_json_line(const json_t *j, size_t flags, size_t *len) {
    char *text = j ? json_dumps(j, flags) : NULL;
    if (!text) return NULL;
    size_t n = strlen(text);
    char *out = realloc(text, n + 2);
    if (!out) {
        free(text);
        return NULL;
    }
    out[n] = '\n';
    out[n + 1] = '\0';
    *len = n + 1;
    return out;
}
