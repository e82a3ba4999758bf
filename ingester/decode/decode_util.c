/* decode_util.c: small helpers shared by the ingester's decoders: error messages, the
 * request's budget (memory held, inflation, stack text) and the buffers that draw on it,
 * inflating and emitting within it, content types and base64. */
#include "decode_internal.h"
#include <ctype.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int ing_fail(ing_error *err, int status, const char *fmt, ...) {
    if (err == NULL) return -1;
    va_list ap;
    err->status = status;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return -1;
}

/* --- the request's budget --------------------------------------------------------- */

void ing_budget_init(ing_budget *b, const ing_limits *lim) {
    memset(b, 0, sizeof(*b));
    b->limit = lim && lim->max_decompressed ? lim->max_decompressed : ING_DEFAULT_MAX_DECOMPRESSED;
}

int ing_budget_take(ing_budget *b, size_t n) {
    if (b == NULL) return 0;
    if (n > b->limit - b->held) {
        b->refused = true;
        return -1;
    }
    b->held += n;
    if (b->held > b->peak) b->peak = b->held;
    return 0;
}

void ing_budget_give(ing_budget *b, size_t n) {
    if (b) b->held -= n < b->held ? n : b->held;
}

void *ing_budget_alloc(ing_budget *b, size_t n) {
    if (ing_budget_take(b, n) < 0) return NULL;
    void *p = malloc(n ? n : 1);
    if (p == NULL) ing_budget_give(b, n);
    return p;
}

void *ing_budget_realloc(ing_budget *b, void *p, size_t old_n, size_t new_n) {
    if (new_n > old_n && ing_budget_take(b, new_n - old_n) < 0) return NULL;
    void *q = realloc(p, new_n ? new_n : 1);
    if (q == NULL && new_n > old_n) ing_budget_give(b, new_n - old_n);
    else if (q && new_n < old_n) ing_budget_give(b, old_n - new_n);
    return q;
}

void ing_budget_free(ing_budget *b, void *p, size_t n) {
    if (p) ing_budget_give(b, n);
    free(p);
}

int ing_budget_fail(const ing_budget *b, ing_error *err, const char *what) {
    return ing_fail(err, 413,
                    "%s: decoding needs more than the %zu bytes of memory a request "
                    "may use (--max-decompressed)",
                    what, b->limit);
}

/* --- buffers ------------------------------------------------------------------------ */

int ing_buf_reserve_exact(ing_buf *b, size_t cap) {
    if (cap <= b->cap) return 0;
    char *p = ing_budget_realloc(b->budget, b->data, b->cap, cap);
    if (p == NULL) return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int ing_buf_reserve(ing_buf *b, size_t extra) {
    if (b->cap - b->len >= extra) return 0;
    if (extra > SIZE_MAX / 2 - b->len) return -1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < extra) cap *= 2;
    return ing_buf_reserve_exact(b, cap);
}

int ing_buf_append(ing_buf *b, const void *p, size_t n) {
    if (ing_buf_reserve(b, n) < 0) return -1;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

void ing_buf_free(ing_buf *b) {
    ing_budget_free(b->budget, b->data, b->cap);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* --- inflating and emitting ----------------------------------------------------------- */

size_t ing_inflate_cap(const ing_target *t) {
    const ing_budget *b = t->budget;
    size_t memory = b->limit - b->held, inflation = b->limit - b->inflated;
    return memory < inflation ? memory : inflation;
}

int ing_inflate(const ing_target *t, const uint8_t *in, size_t len, ing_buf *out, ing_error *err) {
    ing_budget *b = t->budget;
    size_t cap = ing_inflate_cap(t);
    if (ing_gunzip(in, len, cap, out, err) < 0) {
        if (err->status == 413 && cap < b->limit)
            ing_fail(err, 413,
                     "body inflates beyond what is left of the %zu bytes a request "
                     "may use (--max-decompressed)",
                     b->limit);
        return -1;
    }
    b->inflated += out->len;
    /* A budgeted buffer held its capacity as it grew (within cap). Another one (kept from
     * an earlier request, maybe larger) holds what was written now: the request's part. */
    if (out->budget == NULL && ing_budget_take(b, out->len) < 0)
        return ing_budget_fail(b, err, "gzip");
    return 0;
}

void ing_emit(const ing_target *t, const char *folded, size_t len, uint64_t value) {
    ing_budget *b = t->budget;
    if (b->text_limit == 0) {
        size_t ratio = b->decoded > (SIZE_MAX - ING_STACK_TEXT_FLOOR) / ING_STACK_TEXT_RATIO
                           ? SIZE_MAX
                           : b->decoded * ING_STACK_TEXT_RATIO + ING_STACK_TEXT_FLOOR;
        b->text_limit = ratio < b->limit ? ratio : b->limit;
    }
    if (len > b->text_limit - b->text) {
        b->stacks_cut++;
        return;
    }
    b->text += len;
    const char *type = t->type && t->type[0] ? t->type : "unknown";
    if (t->sink->stack(t->sink->arg, t->app, type, folded, len, value) != ING_STACK_KEPT)
        b->stacks_cut++;
}

/* --- profile types ---------------------------------------------------------------- */

void ing_type_name(const char *raw, size_t n, char *out) {
    if (n > ING_MAX_TYPE_NAME) n = ING_MAX_TYPE_NAME;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)raw[i];
        out[i] = isalnum(c) || c == '.' || c == '_' || c == '-' ? (char)c : '_';
    }
    out[n] = '\0';
    if (n == 0) snprintf(out, ING_TYPE_SIZE, "unknown");
}

/* The suffixes Pyroscope's ingest takes as a profile type (grafana/pyroscope,
 * pkg/ingester/pyroscope/ingest_adapter.go, convertMetadata: any other suffix it
 * refuses; this ingester takes the body, as cpu). */
static const char pyroscope_types[] =
    "|cpu|wall|itimer|inuse_objects|inuse_space|alloc_objects|alloc_space|goroutines"
    "|mutex_count|mutex_duration|block_count|block_duration|lock_count|lock_duration|live"
    "|exceptions|seconds|nanoseconds|microseconds|milliseconds|bytes"
    "|alloc_in_new_tlab_objects|alloc_in_new_tlab_bytes|alloc_outside_tlab_objects"
    "|alloc_outside_tlab_bytes|";

void ing_type_of_app(const char *app, char *out) {
    const char *dot = strrchr(app, '.');
    char key[ING_TYPE_SIZE + 2];
    if (dot && dot[1] && !strchr(dot, '|') &&
        (size_t)snprintf(key, sizeof key, "|%s|", dot + 1) < sizeof key &&
        strstr(pyroscope_types, key))
        ing_type_name(dot + 1, strlen(dot + 1), out);
    else snprintf(out, ING_TYPE_SIZE, "cpu");
}

bool ing_content_type_is(const char *ct, const char *want) {
    if (ct == NULL) return false;
    while (*ct == ' ' || *ct == '\t') ct++;
    size_t n = strlen(want);
    return strncasecmp(ct, want, n) == 0 &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t');
}

static int base64_value(unsigned char ch) {
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '+' || ch == '-') return 62;
    if (ch == '/' || ch == '_') return 63;
    return -1;
}

int ing_base64_decode(const char *in, size_t len, uint8_t *out, size_t *outlen) {
    size_t pad = 0;
    while (len > 0 && in[len - 1] == '=' && pad < 2) {
        len--;
        pad++;
    }
    if (len % 4 == 1 || (pad && (len + pad) % 4 != 0)) return -1;
    size_t need = len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
    if (need > *outlen) return -1;
    uint32_t acc = 0;
    size_t bits = 0, o = 0;
    for (size_t i = 0; i < len; i++) {
        int v = base64_value((unsigned char)in[i]);
        if (v < 0) return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    *outlen = o;
    return 0;
}
