/* decode.h: the contract of ingester/decode/, the decoding of every profile format the
 * ingester accepts (folded, lines, pprof raw/gzip, multipart, trie, tree, jfr counted,
 * push.v1 proto/json, Datadog's intake). Pure functions over a request body in memory: no sockets,
 * no event loop, nothing of the server. They count what they find and can hand each stack to a sink
 * (for --store). Used by the server's routes and by the fuzz targets in fuzz/. */
#ifndef ING_DECODE_H
#define ING_DECODE_H

#include <stddef.h>
#include <stdint.h>

typedef struct ing_counts {
    uint64_t profiles; /* profiles decoded */
    uint64_t samples;  /* samples (pprof Sample messages; folded/trie/tree lines with value > 0) */
    uint64_t value;    /* sum of sample values (first sample type for pprof) */
    uint64_t frames;   /* stack frames summed over samples */
} ing_counts;

/* What the sink's stack callback says it did with a stack. */
enum {
    ING_STACK_KEPT = 0,
    ING_STACK_CUT = 1
};

/* The longest profile type name (bytes; lib/store_name.h's AB_STORE_MAX_TYPE). A profile's
 * type says what its values are (doc/profile-formats.md, "Profile types"):
 *  - pprof (/ingest, multipart, push, each part of a Datadog upload): the name of its
 *    first sample type, the column that is counted and stored ("samples", "sample",
 *    "cpu", "inuse_objects", "alloc_space", "timeline"...);
 *  - /ingest's text formats (folded, lines, trie, tree): what Pyroscope's ingest reads
 *    from the application name's last ".SUFFIX" ("app.alloc_space" is alloc_space),
 *    "cpu" when there is no suffix Pyroscope knows;
 *  - jfr (not decoded, no samples): "jfr".
 * Bytes other than [A-Za-z0-9._-] become '_', a longer name is cut, an empty one is
 * "unknown": a type name is always 1..ING_MAX_TYPE_NAME bytes of those. */
#define ING_MAX_TYPE_NAME 63
#define ING_TYPE_SIZE     (ING_MAX_TYPE_NAME + 1)

typedef struct ing_sink {
    void *arg;
    /* Called once per decoded profile, with the application it belongs to and its
     * profile type. Required. */
    void (*profile)(void *arg, const char *app, const char *format, const char *type,
                    const ing_counts *c);
    /* Called per stack when not NULL: the profile type of its value, folded text
     * "root;child;leaf" (no trailing newline, not NUL-terminated) and its value. For
     * --store. Returns ING_STACK_KEPT, or ING_STACK_CUT when the store had no room for it
     * (counted in ing_decoded). */
    int (*stack)(void *arg, const char *app, const char *type, const char *folded, size_t len,
                 uint64_t value);
} ing_sink;

/* A request's stacks hand the sink at most this many times the request's decoded bytes
 * of folded text, plus ING_STACK_TEXT_FLOOR, and never more than max_decompressed: a
 * body whose stacks expand further (a trie of long keys, a pprof repeating a long name)
 * costs the store work linear in its size; the stacks past that are cut, and counted. */
#define ING_STACK_TEXT_RATIO 64
#define ING_STACK_TEXT_FLOOR ((size_t)16 << 20)

typedef struct ing_limits {
    /* The memory one request's decoding may hold at once, every buffer together: inflated
     * bodies, protobuf-c's message trees, the JSON of a push, decoded base64, lookup
     * tables, stack text (413 above). Also how far all the gzip data of one request may
     * inflate in all (gzip bomb guard). 0: ING_DEFAULT_MAX_DECOMPRESSED. */
    size_t max_decompressed;
    size_t max_frames;      /* frames in one stack (422 above; 0: no limit) */
    size_t max_stack_bytes; /* folded text of one stack, a trie's key (422 above; 0: none) */
} ing_limits;

/* What decoding a request body gave beyond what the sink was told. A field for each
 * figure the caller counts per request. */
typedef struct ing_decoded {
    size_t body_bytes;   /* the body after decompression: what a gzip body inflated
                          * to, any other body its own length */
    uint64_t stacks_cut; /* stacks not kept: over the request's stack text budget
                          * (ING_STACK_TEXT_RATIO) or refused by the sink */
} ing_decoded;

typedef struct ing_error {
    int status; /* HTTP status to answer: 400, 413, 415, 422 */
    char msg[256];
} ing_error;

/* The longest application name (bytes). */
#define ING_MAX_APP_NAME 255

/* Parse and validate a Pyroscope application name "app{k=v,...}" (the `name` query
 * parameter). Writes the bare application name (before '{') into app. 0 or -1 (400).
 * The error message quotes a byte that is not allowed as \xNN unless it is printable
 * ASCII, so that it is always valid JSON text. */
int ing_parse_app_name(const char *name, char *app, size_t applen, ing_error *err);

/* Check a bare application name (a push series' service_name or __name__): the same
 * characters as ing_parse_app_name's, 1 to ING_MAX_APP_NAME bytes. what names it in the
 * message. 0 or -1 (400). */
int ing_check_app_name(const char *name, size_t len, const char *what, ing_error *err);

/* Decode standard or URL-safe base64, padding optional (protojson's bytes, and the
 * server's Basic credentials). Writes at most *outlen bytes; sets *outlen. -1 on a bad
 * character or length. The ingester's one base64 decoder. */
int ing_base64_decode(const char *in, size_t len, uint8_t *out, size_t *outlen);

/* Parse a from/until value: seconds, ms, us or ns chosen by digit count; result in ns. */
int ing_parse_time(const char *s, int64_t *ns);

/* POST /ingest. format: the `format` query parameter (NULL/"" = folded, or multipart is
 * detected from content_type). app: the parsed application name. Returns 0 with *out
 * filled (out may be NULL), or -1 with err->status 413 (inflates too far), 422
 * (undecodable), 400 (bad request). */
int ing_decode_ingest(const char *format, const char *content_type, const char *app,
                      const uint8_t *body, size_t len, const ing_limits *lim, const ing_sink *sink,
                      ing_decoded *out, ing_error *err);

/* POST /push.v1.PusherService/Push, content_type application/proto or application/json.
 * Application per series: label "service_name", else "__name__", else "unknown". */
int ing_decode_push(const char *content_type, const uint8_t *body, size_t len,
                    const ing_limits *lim, const ing_sink *sink, ing_decoded *out, ing_error *err);

/* POST /profiling/v1/input: Datadog's profile intake (multipart/form-data: an "event"
 * JSON part, one pprof part per profile type, raw or gzipped). One profile per pprof part,
 * format "datadog", under the service tag of the event's tags_profiler ("unknown" without
 * one). Returns 0, or -1 with err->status 400 (not such an upload, a profile that does not
 * decode) or 413 (inflates too far). */
int ing_decode_datadog(const char *content_type, const uint8_t *body, size_t len,
                       const ing_limits *lim, const ing_sink *sink, ing_decoded *out,
                       ing_error *err);

/* POST /ingest's text formats (folded, lines) decoded as the body arrives, never
 * buffered whole (stream.c): ing_stream_begin gives NULL when the format (the same
 * choice as ing_decode_ingest's) does not stream or lim has no max_stack_bytes; feed
 * every chunk; ing_stream_end reports the profile to sink (its stack callback is not
 * used: counting only) and answers as ing_decode_ingest would for the whole body, then
 * frees the stream; ing_stream_free abandons it. ing_stream_held: the bytes it holds now
 * (at most max_stack_bytes and 64 more, and its own state). */
typedef struct ing_stream ing_stream;
ing_stream *ing_stream_begin(const char *format, const char *content_type, const char *app,
                             const ing_limits *lim);
void ing_stream_feed(ing_stream *st, const uint8_t *data, size_t len);
size_t ing_stream_held(const ing_stream *st);
int ing_stream_end(ing_stream *st, const ing_sink *sink, ing_decoded *out, ing_error *err);
void ing_stream_free(ing_stream *st);

#endif
