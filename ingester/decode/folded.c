/* folded.c: the text formats of POST /ingest. "folded" (the default): one
 * "frame;frame;frame VALUE" per line, split at the last space as Pyroscope does; lines
 * without a space are skipped. "lines": one stack per line, each counting 1. */
#include "decode_internal.h"

#include <string.h>

/* Frames in a folded stack: its ';'-separated parts. */
static size_t count_frames(const char *s, size_t n) {
    size_t frames = 1;
    for (const char *p = s, *end = s + n; (p = memchr(p, ';', (size_t)(end - p))) != NULL; p++)
        frames++;
    return frames;
}

/* A non-negative decimal number that fits in 64 bits, nothing else. */
static int parse_value(const char *s, size_t n, uint64_t *v) {
    uint64_t r = 0;
    if (n == 0) return -1;
    if (*s == '+' && n > 1) {
        s++;
        n--;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        if (r > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10) return -1;
        r = r * 10 + (uint64_t)(s[i] - '0');
    }
    *v = r;
    return 0;
}

/* One line (without its line break) of folded text: split, checked and counted into c
 * (emit == false), or handed to the sink (emit == true: the body is known to be valid). */
static int folded_line(const ing_target *t, const char *line, size_t n, size_t lineno,
                       bool lines_format, bool emit, ing_counts *c, ing_error *err) {
    if (n && line[n - 1] == '\r') n--;
    if (n == 0) return 0;
    size_t stack_len = n;
    uint64_t value = 1;
    if (!lines_format) {
        const char *sp = memrchr(line, ' ', n);
        if (sp == NULL) return 0;
        stack_len = (size_t)(sp - line);
        const char *num = sp + 1;
        if (parse_value(num, (size_t)(line + n - num), &value) < 0)
            return ing_fail(err, 422, "folded line %zu: bad sample value \"%.*s\"", lineno,
                            (int)((line + n - num) > 40 ? 40 : (line + n - num)), num);
    }
    if (value == 0 || stack_len == 0) return 0;
    if (emit) {
        ing_emit(t, line, stack_len, value);
        return 0;
    }
    if (t->lim && t->lim->max_stack_bytes && stack_len > t->lim->max_stack_bytes)
        return ing_fail(err, 422, "line %zu: a stack of %zu bytes, over the limit of %zu", lineno,
                        stack_len, t->lim->max_stack_bytes);
    size_t frames = count_frames(line, stack_len);
    if (t->lim && t->lim->max_frames && frames > t->lim->max_frames)
        return ing_fail(err, 422, "line %zu: stack of %zu frames is over the limit of %zu", lineno,
                        frames, t->lim->max_frames);
    c->samples++;
    c->value = ing_add_sat(c->value, value);
    c->frames = ing_add_sat(c->frames, frames);
    return 0;
}

int ing_folded_line(const ing_target *t, const char *line, size_t n, size_t lineno,
                    bool lines_format, ing_counts *c, ing_error *err) {
    return folded_line(t, line, n, lineno, lines_format, false, c, err);
}

/* One pass over the body: validate and count (emit == false), or hand every stack to the
 * sink (emit == true). */
static int folded_pass(const ing_target *t, const char *body, size_t len, bool lines_format,
                       bool emit, ing_counts *c, ing_error *err) {
    size_t lineno = 0;
    const char *p = body, *end = body + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        if (folded_line(t, p, (size_t)(eol - p), ++lineno, lines_format, emit, c, err) < 0)
            return -1;
        p = nl ? nl + 1 : end;
    }
    return 0;
}

int ing_decode_folded(const ing_target *t, const uint8_t *body, size_t len, bool lines_format,
                      ing_counts *c, ing_error *err) {
    ing_counts mine = {0};
    t->budget->decoded += len;
    if (folded_pass(t, (const char *)body, len, lines_format, false, &mine, err) < 0) return -1;
    if (ing_wants_stacks(t)) folded_pass(t, (const char *)body, len, lines_format, true, NULL, err);
    ing_counts_add(c, &mine);
    return 0;
}
