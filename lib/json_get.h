/* json_get.h: agentbench's two JSON idioms. A document written as one line (ab_json_line:
 * the journal's events, the ingester's answers and /stats). And reading one member of a
 * JSON object the way every reader of agentbench's
 * documents does (the /stats reader, capture descriptions, the results model): a member
 * that is missing or of another type reads as the default, never as an error, because a
 * newer writer may add or change members and an older reader must still read the rest.
 * Typed journal events have their own, stricter readers (events.h). */
#ifndef AB_JSON_GET_H
#define AB_JSON_GET_H

#include <jansson.h>
#include <stdint.h>

/* J dumped with FLAGS (json_dumps's) and a '\n': malloc'd, NUL-terminated, *len without
 * the NUL; NULL when out of memory (or j NULL). */
char *ab_json_line(const json_t *j, size_t flags, size_t *len);

/* A count: a non-negative integer (or a real with such a value below 2^64), else 0. */
uint64_t ab_json_count(const json_t *o, const char *key);

/* A number (integer or real, finite), else dflt. */
double ab_json_number(const json_t *o, const char *key, double dflt);

/* A string, else dflt (which may be NULL). */
const char *ab_json_string(const json_t *o, const char *key, const char *dflt);

#endif
