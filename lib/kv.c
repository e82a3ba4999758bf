/* kv.c: "key = value" lines (kv.h). */
#include "kv.h"

#include <ctype.h>
#include <string.h>

char *ab_trim(char *s) {
    while (isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
    return s;
}

int ab_kv_line(char *line, char **key, char **value) {
    char *hash = strchr(line, '#');
    if (hash) *hash = '\0';
    char *s = ab_trim(line);
    if (!*s) return AB_KV_BLANK;
    char *eq = strchr(s, '=');
    if (!eq) return AB_KV_MALFORMED;
    *eq = '\0';
    *key = ab_trim(s);
    *value = ab_trim(eq + 1);
    return AB_KV_PAIR;
}
