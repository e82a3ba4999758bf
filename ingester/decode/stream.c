/* stream.c: POST /ingest's text formats (folded, lines) decoded as the body arrives,
 * so that a large body is never buffered whole: each chunk is split into lines, a line
 * cut by a chunk's end waits in a carry buffer, and every complete line goes through the
 * same code as a buffered body's (folded.c), so counts and errors are the same.
 *
 * The carry buffer holds at most one line of max_stack_bytes plus 64 bytes (the value,
 * its spaces): a longer line can only be refused (its stack is over the limit) or
 * skipped (folded: no space in it), and what decides which is its length, whether it has
 * a space, and what follows the last one; those are kept as it streams past, never the
 * line itself. The first error stops the counting; the rest of the body is only counted
 * in bytes. Nothing is reported before ing_stream_end, which answers as
 * ing_decode_ingest would have for the whole body. Counting only: a body for --store is
 * buffered (the store keeps nothing of a body refused at its end). */
#include "decode_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAIL_MAX 64 /* bytes kept after an overlong line's last space */

struct ing_stream {
    ing_limits lim;
    ing_budget budget;
    ing_target t;
    char app[ING_MAX_APP_NAME + 1];
    char type[ING_TYPE_SIZE];
    const char *format; /* "folded" or "lines" */
    bool lines;
    ing_counts counts;
    size_t lineno, total;
    ing_buf carry; /* the current line, while it fits in carry_max */
    size_t carry_max;
    /* the current line once it is overlong: its length so far, its last space, the
     * bytes after that space, its last byte */
    bool overlong, has_space, tail_over;
    size_t long_len, space_at, tail_len;
    char tail[TAIL_MAX];
    char last;
    bool failed;
    ing_error err;
};

/* The same choice of format as ing_decode_ingest: only folded and lines stream. */
static const char *stream_format(const char *format, const char *content_type) {
    if (format == NULL) format = "";
    if (strcmp(format, "trie") == 0 ||
        ing_content_type_is(content_type, "binary/octet-stream+trie") ||
        strcmp(format, "tree") == 0 ||
        ing_content_type_is(content_type, "binary/octet-stream+tree"))
        return NULL;
    if (strcmp(format, "lines") == 0) return "lines";
    if (strcmp(format, "jfr") == 0 || strcmp(format, "pprof") == 0 ||
        ing_content_type_is(content_type, "multipart/form-data"))
        return NULL;
    return "folded";
}

ing_stream *ing_stream_begin(const char *format, const char *content_type, const char *app,
                             const ing_limits *lim) {
    const char *name = stream_format(format, content_type);
    if (name == NULL || lim == NULL || lim->max_stack_bytes == 0 || strlen(app) > ING_MAX_APP_NAME)
        return NULL;
    ing_stream *st = calloc(1, sizeof(*st));
    if (st == NULL) return NULL;
    st->lim = *lim;
    ing_budget_init(&st->budget, &st->lim);
    snprintf(st->app, sizeof(st->app), "%s", *app ? app : "unknown");
    ing_type_of_app(st->app, st->type);
    st->t = (ing_target){.app = st->app, .type = st->type, .lim = &st->lim, .budget = &st->budget};
    st->format = name;
    st->lines = strcmp(name, "lines") == 0;
    st->carry_max = lim->max_stack_bytes + TAIL_MAX;
    return st;
}

size_t ing_stream_held(const ing_stream *st) {
    return sizeof(*st) + st->carry.cap;
}

/* An overlong line ended: what the buffered path decides for it, from what was kept. */
static void overlong_end(ing_stream *st) {
    size_t n = st->long_len;
    if (st->last == '\r') {
        n--;
        if (st->tail_len && !st->tail_over)
            st->tail_len--; /* (past TAIL_MAX the value is bad anyway) */
    }
    size_t stack_len = n;
    if (!st->lines) {
        if (!st->has_space) return; /* skipped, as a line without a space is */
        /* its value, checked by folded.c on a line "x VALUE" */
        char line[TAIL_MAX + 2] = "x ";
        memcpy(line + 2, st->tail, st->tail_len);
        ing_counts probe = {0};
        ing_error e;
        ing_limits none = {0};
        ing_target t = {.lim = &none, .budget = &st->budget};
        if (st->tail_over ||
            ing_folded_line(&t, line, 2 + st->tail_len, st->lineno, false, &probe, &e) < 0) {
            st->failed = true;
            ing_fail(&st->err, 422, "folded line %zu: bad sample value \"%.*s\"", st->lineno,
                     (int)(st->tail_len > 40 ? 40 : st->tail_len), st->tail);
            return;
        }
        if (probe.samples == 0) return; /* value 0 */
        stack_len = st->space_at;
    }
    if (stack_len == 0) return;
    st->failed = true;
    ing_fail(&st->err, 422, "line %zu: a stack of %zu bytes, over the limit of %zu", st->lineno,
             stack_len, st->lim.max_stack_bytes);
}

/* n more bytes of an overlong line (no line break among them). */
static void overlong_add(ing_stream *st, const char *p, size_t n) {
    if (n == 0) return;
    const char *sp = memrchr(p, ' ', n), *after = p;
    if (sp) {
        st->has_space = true;
        st->space_at = st->long_len + (size_t)(sp - p);
        st->tail_len = 0;
        st->tail_over = false;
        after = sp + 1;
    }
    /* the first TAIL_MAX bytes after the space (the message quotes 40 of them) */
    size_t rest = (size_t)(p + n - after), room = TAIL_MAX - st->tail_len;
    if (rest > room) st->tail_over = true;
    memcpy(st->tail + st->tail_len, after, rest < room ? rest : room);
    st->tail_len += rest < room ? rest : room;
    st->long_len += n;
    st->last = p[n - 1];
}

static void line_end(ing_stream *st) {
    st->lineno++;
    if (st->overlong) {
        overlong_end(st);
        st->overlong = false;
    } else if (ing_folded_line(&st->t, st->carry.data ? st->carry.data : "", st->carry.len,
                               st->lineno, st->lines, &st->counts, &st->err) < 0) {
        st->failed = true;
    }
    st->carry.len = 0;
}

void ing_stream_feed(ing_stream *st, const uint8_t *data, size_t len) {
    st->total += len;
    const char *p = (const char *)data, *end = p + len;
    while (p < end && !st->failed) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *seg_end = nl ? nl : end;
        size_t n = (size_t)(seg_end - p);
        if (!st->overlong && st->carry.len + n > st->carry_max) {
            /* too long to be kept: from now on only its length, last space and tail */
            st->overlong = true;
            st->long_len = 0;
            st->has_space = st->tail_over = false;
            st->tail_len = 0;
            overlong_add(st, st->carry.data, st->carry.len);
            st->carry.len = 0;
        }
        if (st->overlong) {
            overlong_add(st, p, n);
        } else {
            /* grow by doubling, but never past carry_max */
            size_t need = st->carry.len + n, cap = st->carry.cap ? st->carry.cap * 2 : 256;
            if (need > st->carry.cap &&
                ing_buf_reserve_exact(&st->carry, cap < need            ? need
                                                  : cap > st->carry_max ? st->carry_max
                                                                        : cap) < 0) {
                st->failed = true;
                ing_budget_fail(&st->budget, &st->err, "folded");
                break;
            }
            ing_buf_append(&st->carry, p, n);
        }
        if (nl) line_end(st);
        p = nl ? nl + 1 : end;
    }
}

int ing_stream_end(ing_stream *st, const ing_sink *sink, ing_decoded *out, ing_error *err) {
    if (!st->failed && (st->carry.len || st->overlong))
        line_end(st); /* the last line, without a line break */
    int rc = 0;
    if (st->failed) {
        if (err) *err = st->err;
        rc = -1;
    } else {
        st->counts.profiles = 1;
        if (sink && sink->profile)
            sink->profile(sink->arg, st->app, st->format, st->type, &st->counts);
        if (out) *out = (ing_decoded){.body_bytes = st->total};
    }
    ing_stream_free(st);
    return rc;
}

void ing_stream_free(ing_stream *st) {
    if (st == NULL) return;
    ing_buf_free(&st->carry);
    free(st);
}
