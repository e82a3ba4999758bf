/* decode_internal.h: what the ingester's format decoders share and nothing else sees:
 * the error helper, a growable buffer for folded stack text, the per-format entry points
 * and the bounded gzip inflater. decode.h is the public contract. */
#ifndef ING_DECODE_INTERNAL_H
#define ING_DECODE_INTERNAL_H

#include "decode.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The inflate cap when the limits give none. */
#define ING_DEFAULT_MAX_DECOMPRESSED ((size_t)256 * 1024 * 1024)

/* Fill err (status and printf-style message) and return -1. */
int ing_fail(ing_error *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One request's budget (ing_limits.max_decompressed = limit), shared by every decoder
 * the request goes through:
 *  - memory: held is what its decoding holds now (inflated bodies, protobuf-c arenas,
 *    push JSON, tables, buffers); a take that would go over limit fails, and the request
 *    is answered 413;
 *  - inflation: inflated is what its gzip data inflated to so far, also at most limit;
 *  - stack text: what its stacks handed the sink, at most text_limit (fixed, from the
 *    bytes decoded so far, at the first stack: ING_STACK_TEXT_RATIO); stacks past it,
 *    and those the sink refused, are counted in stacks_cut. */
typedef struct ing_budget {
    size_t limit;
    size_t held, peak;
    size_t inflated;
    size_t decoded;          /* bytes of profile data decoded (text, raw pprof) */
    size_t text, text_limit; /* text_limit 0: not fixed yet */
    uint64_t stacks_cut;
    bool refused; /* a take failed */
} ing_budget;

/* A budget of lim's max_decompressed (or the default). */
void ing_budget_init(ing_budget *b, const ing_limits *lim);

/* Hold n more bytes: 0, or -1 (nothing held, refused set) when that goes over limit. */
int ing_budget_take(ing_budget *b, size_t n);
void ing_budget_give(ing_budget *b, size_t n);

/* malloc / realloc / free of memory held against b (b may be NULL: not counted). */
void *ing_budget_alloc(ing_budget *b, size_t n);
void *ing_budget_realloc(ing_budget *b, void *p, size_t old_n, size_t new_n);
void ing_budget_free(ing_budget *b, void *p, size_t n);

/* Fill err for a request over its budget (413) and return -1. */
int ing_budget_fail(const ing_budget *b, ing_error *err, const char *what);

/* A growable byte buffer (folded stack text, inflated bodies). With a budget, every byte
 * of its capacity is held against it. */
typedef struct ing_buf {
    char *data;
    size_t len, cap;
    ing_budget *budget; /* NULL: not counted */
} ing_buf;

int ing_buf_reserve(ing_buf *b, size_t extra);
/* Grow the capacity to exactly cap bytes (no doubling), when it is smaller. */
int ing_buf_reserve_exact(ing_buf *b, size_t cap);
int ing_buf_append(ing_buf *b, const void *p, size_t n);
void ing_buf_free(ing_buf *b);

/* Saturating addition for counters. */
static inline uint64_t ing_add_sat(uint64_t a, uint64_t b) {
    uint64_t r;
    return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

/* Add one decoded profile's samples, value and frames into a request's counts. */
static inline void ing_counts_add(ing_counts *c, const ing_counts *mine) {
    c->samples += mine->samples;
    c->value = ing_add_sat(c->value, mine->value);
    c->frames = ing_add_sat(c->frames, mine->frames);
}

/* Where a decoder reports: the application, the sink (may have stack == NULL), the
 * limits and the request's budget. A decoder validates a whole profile before it hands
 * any stack to the sink. */
typedef struct ing_target {
    const char *app;
    char *type; /* ING_TYPE_SIZE bytes: the profile type of the stacks and counts; the
                 * caller fills it for a text format, the pprof decoder writes its own
                 * (NULL: "unknown", and pprof writes nothing) */
    const ing_limits *lim;
    const ing_sink *sink;  /* NULL: count only */
    ing_budget *budget;    /* the request's (never NULL) */
    size_t *body_inflated; /* the request body itself (not a part of it): set to its
                            * inflated size when the decoder inflates it; else NULL */
} ing_target;

/* The inflate cap for the next compressed profile of this request: what is left of its
 * memory and of its inflation budget. */
size_t ing_inflate_cap(const ing_target *t);

/* Inflate a gzip body for target t into out, counted as inflated and held against the
 * budget: a budgeted buffer's capacity as it grows, another one's length (the caller
 * gives that back): 0, or -1 with err (413 over the budget). */
int ing_inflate(const ing_target *t, const uint8_t *in, size_t len, ing_buf *out, ing_error *err);

/* Hand one stack to the sink, within the request's stack text budget; a stack past it,
 * or refused by the sink, is counted as cut. */
void ing_emit(const ing_target *t, const char *folded, size_t len, uint64_t value);

/* A profile type name from the n bytes at raw (decode.h's rule), into out
 * (ING_TYPE_SIZE bytes). */
void ing_type_name(const char *raw, size_t n, char *out);

/* The profile type of /ingest's text formats for application app: its last ".SUFFIX"
 * when Pyroscope's ingest knows it as a type, else "cpu". Into out (ING_TYPE_SIZE). */
void ing_type_of_app(const char *app, char *out);

/* True when the sink wants stacks. */
static inline bool ing_wants_stacks(const ing_target *t) {
    return t->sink && t->sink->stack;
}

/* True when the Content-Type's media type is want (parameters ignored, any case). */
bool ing_content_type_is(const char *ct, const char *want);

/* True when b starts with the gzip magic bytes. */
bool ing_is_gzip(const uint8_t *b, size_t len);

/* Inflate a gzip (or zlib) body into out, never growing it beyond max_out bytes: 413 when
 * the body inflates further, 422 when it is not valid gzip. A single-member gzip body whose
 * trailer says it fits goes through libdeflate in one call; the rest through zlib. */
int ing_gunzip(const uint8_t *in, size_t len, size_t max_out, ing_buf *out, ing_error *err);
/* The same with zlib's streaming inflate only (the fallback, and the bench's reference). */
int ing_gunzip_stream(const uint8_t *in, size_t len, size_t max_out, ing_buf *out, ing_error *err);

/* The formats. Each counts into *c (adding) and emits stacks to t->sink->stack when set. */
int ing_decode_folded(const ing_target *t, const uint8_t *body, size_t len, bool lines_format,
                      ing_counts *c, ing_error *err);
/* One line of folded (or lines) text, without its line break, checked and counted into
 * c: what a buffered body's pass does per line (folded.c; stream.c uses it too). */
int ing_folded_line(const ing_target *t, const char *line, size_t n, size_t lineno,
                    bool lines_format, ing_counts *c, ing_error *err);
int ing_decode_trie(const ing_target *t, const uint8_t *body, size_t len, ing_counts *c,
                    ing_error *err);
int ing_decode_tree(const ing_target *t, const uint8_t *body, size_t len, ing_counts *c,
                    ing_error *err);
/* pprof: raw or gzip (detected by magic bytes). */
int ing_decode_pprof(const ing_target *t, const uint8_t *body, size_t len, ing_counts *c,
                     ing_error *err);
/* multipart/form-data body with the given Content-Type (boundary parameter). */
int ing_decode_multipart(const ing_target *t, const char *content_type, const uint8_t *body,
                         size_t len, ing_counts *c, ing_error *err);
/* jfr: not decoded; the body (or, in a multipart body, its "jfr" part) must not be empty. */
int ing_decode_jfr(const ing_target *t, const char *content_type, const uint8_t *body, size_t len,
                   ing_counts *c, ing_error *err);

#endif
