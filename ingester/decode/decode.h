/* decode.h: the contract of ingester/decode/, the decoding of every profile format the
 * ingester accepts (folded, lines, pprof raw/gzip, multipart, trie, tree, jfr counted,
 * push.v1 proto/json). Pure functions over a request body in memory: no sockets, no event
 * loop, nothing of the server. They count what they find and can hand each stack to a
 * sink (for --store). Used by the server's routes and by the fuzz targets in fuzz/. */
#ifndef ING_DECODE_H
#define ING_DECODE_H

#include <stddef.h>
#include <stdint.h>

typedef struct ing_counts {
    uint64_t profiles;   /* profiles decoded */
    uint64_t samples;    /* samples (pprof Sample messages; folded/trie/tree lines with value > 0) */
    uint64_t value;      /* sum of sample values (first sample type for pprof) */
    uint64_t frames;     /* stack frames summed over samples */
} ing_counts;

typedef struct ing_sink {
    void *arg;
    /* Called once per decoded profile, with the application it belongs to. Required. */
    void (*profile)(void *arg, const char *app, const char *format, const ing_counts *c);
    /* Called per stack when not NULL: folded text "root;child;leaf" (no trailing newline,
     * not NUL-terminated) and its value. For --store. */
    void (*stack)(void *arg, const char *app, const char *folded, size_t len, uint64_t value);
} ing_sink;

typedef struct ing_limits {
    size_t max_decompressed;   /* bytes one body may inflate to (gzip bomb guard) */
    size_t max_frames;         /* frames in one stack before it is refused */
} ing_limits;

/* What decoding a request body gave beyond what the sink was told. A field for each
 * figure the caller counts per request (issue: what was cut by a bound goes here too). */
typedef struct ing_decoded {
    size_t body_bytes;         /* the body after decompression: what a gzip body inflated
                                * to, any other body its own length */
} ing_decoded;

typedef struct ing_error {
    int status;                /* HTTP status to answer: 400, 413, 415, 422 */
    char msg[256];
} ing_error;

/* Parse and validate a Pyroscope application name "app{k=v,...}" (the `name` query
 * parameter). Writes the bare application name (before '{') into app. 0 or -1 (400). */
int ing_parse_app_name(const char *name, char *app, size_t applen, ing_error *err);

/* Parse a from/until value: seconds, ms, us or ns chosen by digit count; result in ns. */
int ing_parse_time(const char *s, int64_t *ns);

/* POST /ingest. format: the `format` query parameter (NULL/"" = folded, or multipart is
 * detected from content_type). app: the parsed application name. Returns 0 with *out
 * filled (out may be NULL), or -1 with err->status 413 (inflates too far), 422
 * (undecodable), 400 (bad request). */
int ing_decode_ingest(const char *format, const char *content_type, const char *app,
                      const uint8_t *body, size_t len, const ing_limits *lim,
                      const ing_sink *sink, ing_decoded *out, ing_error *err);

/* POST /push.v1.PusherService/Push, content_type application/proto or application/json.
 * Application per series: label "service_name", else "__name__", else "unknown". */
int ing_decode_push(const char *content_type, const uint8_t *body, size_t len,
                    const ing_limits *lim, const ing_sink *sink, ing_decoded *out,
                    ing_error *err);

#endif
