/* query.h: splitting a URL query string into percent-decoded key/value pairs, and
 * percent-decoding of path segments. */
#ifndef ING_QUERY_H
#define ING_QUERY_H

#include <stddef.h>

typedef struct query_param {
    const char *key;
    const char *val; /* "" when the pair had no '=' */
} query_param;

/* Decode %XX escapes (and '+' as space when plus_is_space) in place; returns the new
 * length, or -1 on a bad escape or an escaped NUL. */
long ing_query_unescape(char *s, int plus_is_space);

/* Parse "a=1&b=x%20y" in place (buf is modified). Fills at most max pairs; returns their
 * count, or -1 on a bad escape or more than max pairs. */
int ing_query_parse(char *buf, query_param *out, int max);

/* The value of the first pair named key, or NULL. */
const char *ing_query_get(const query_param *p, int n, const char *key);

#endif
