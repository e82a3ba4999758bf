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

/* A growable byte buffer (folded stack text, inflated bodies). */
typedef struct ing_buf {
    char *data;
    size_t len, cap;
} ing_buf;

int ing_buf_reserve(ing_buf *b, size_t extra);
int ing_buf_append(ing_buf *b, const void *p, size_t n);
void ing_buf_free(ing_buf *b);

/* Saturating addition for counters. */
static inline uint64_t ing_add_sat(uint64_t a, uint64_t b)
{
    uint64_t r;
    return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

/* Add one decoded profile's samples, value and frames into a request's counts. */
static inline void ing_counts_add(ing_counts *c, const ing_counts *mine)
{
    c->samples += mine->samples;
    c->value = ing_add_sat(c->value, mine->value);
    c->frames = ing_add_sat(c->frames, mine->frames);
}

/* Where a decoder reports: the application, the sink (may have stack == NULL) and limits.
 * A decoder validates a whole profile before it hands any stack to the sink. */
typedef struct ing_target {
    const char *app;
    const ing_limits *lim;
    const ing_sink *sink;     /* NULL: count only */
    size_t *budget;           /* bytes the request may still inflate to (all of its
                               * compressed profiles together); NULL: lim's cap each */
    size_t *body_inflated;    /* the request body itself (not a part of it): set to its
                               * inflated size when the decoder inflates it; else NULL */
} ing_target;

/* The inflate cap for the next compressed profile of this request. */
size_t ing_inflate_cap(const ing_target *t);

/* True when the Content-Type's media type is want (parameters ignored, any case). */
bool ing_content_type_is(const char *ct, const char *want);

/* Decode standard or URL-safe base64, padding optional (protojson's bytes). Writes at
 * most *outlen bytes; sets *outlen. -1 on a bad character or length. */
int ing_base64_decode(const char *in, size_t len, uint8_t *out, size_t *outlen);

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
int ing_decode_trie(const ing_target *t, const uint8_t *body, size_t len,
                    ing_counts *c, ing_error *err);
int ing_decode_tree(const ing_target *t, const uint8_t *body, size_t len,
                    ing_counts *c, ing_error *err);
/* pprof: raw or gzip (detected by magic bytes). */
int ing_decode_pprof(const ing_target *t, const uint8_t *body, size_t len,
                     ing_counts *c, ing_error *err);
/* multipart/form-data body with the given Content-Type (boundary parameter). */
int ing_decode_multipart(const ing_target *t, const char *content_type,
                         const uint8_t *body, size_t len, ing_counts *c, ing_error *err);
/* jfr: not decoded; the body (or, in a multipart body, its "jfr" part) must not be empty. */
int ing_decode_jfr(const ing_target *t, const char *content_type,
                   const uint8_t *body, size_t len, ing_counts *c, ing_error *err);

#endif
