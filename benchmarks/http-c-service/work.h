/* work.h: what one request to http-c-service's /work does, independent of HTTP.
 *
 * From a seed and an item count it generates a document (an array of records: id, a name
 * made of syllables, a score, one to three tags), serializes it with jansson, parses the
 * text back (the JSON work a service does with an upstream's answer), aggregates the
 * parsed records (score sum, name bytes, tag counts, the five best scores after a sort),
 * hashes the text with SHA-256, and answers a compact JSON object. The answer is a pure
 * function of (seed, items), byte for byte the same as http-nodejs-service's (same PRNG,
 * same key order, integers only), so both services give the same digests.
 *
 * Digest of an answer: the first 8 bytes of SHA-256(body), big-endian, sent as the
 * X-Agentbench-Digest header (16 hex digits). A service's checksum is the sum of the digests
 * of its 200 answers to /work, mod 2^64: the same multiset of requests gives the same
 * checksum whatever the order, concurrency or variant.
 *
 * A shared table of tag totals is updated under one mutex per request: a little lock
 * contention between the worker threads, with no effect on any answer. */
#ifndef HTTP_C_SERVICE_WORK_H
#define HTTP_C_SERVICE_WORK_H

#include <stddef.h>
#include <stdint.h>

#define WORK_ITEMS_DEFAULT 64
#define WORK_ITEMS_MAX     1000
#define WORK_TAGS          16

typedef struct work_params {
    uint32_t seed;
    unsigned items;
} work_params;

/* "seed=N&items=K" (either may be absent: seed 0, items 64). 0, or -1 with a message. */
int work_params_from_query(const char *query, size_t len, work_params *out, char *err,
                           size_t errlen);
/* {"seed":N,"items":K} (a JSON object; either key may be absent). 0, or -1 with a message. */
int work_params_from_json(const char *body, size_t len, work_params *out, char *err, size_t errlen);

/* Does the work; returns the answer (malloc'd, *len bytes, not NUL-terminated for HTTP's
 * sake but followed by a NUL) and its digest, or NULL when out of memory. Thread-safe. */
char *work_run(const work_params *p, size_t *len, uint64_t *digest);

/* The tag totals over every request so far (the contended table). */
void work_tag_totals(uint64_t out[WORK_TAGS]);

#endif
