/* accuracy/accuracy.c: ground truths, frame names, tallies of folded stacks, and the
 * error and its sampling bound (accuracy.h explains the measures). */
#include "accuracy.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* ---- the truth -------------------------------------------------------------------- */

static int name_ok(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > AB_TRUTH_NAME_MAX) return 0;
    for (const char *p = s; *p; p++)
        if (isspace((unsigned char)*p) || *p == ';' || (unsigned char)*p < 32) return 0;
    return 1;
}

int rn_truth_add(ab_truth *t, const char *function, const char *value, char *err, size_t errlen) {
    if (!name_ok(function)) {
        snprintf(err, errlen,
                 "truth.%s: not a function name (1 to %d characters, no spaces "
                 "or ';')",
                 function, AB_TRUTH_NAME_MAX);
        return -1;
    }
    char *end;
    double v = strtod(value, &end);
    if (end != value && *end == '%') end++;
    if (end == value || *end || !(v > 0 && v <= 100)) {
        snprintf(err, errlen,
                 "truth.%s = %s: the share must be a percentage above 0 and at "
                 "most 100",
                 function, value);
        return -1;
    }
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->fn[i], function)) {
            snprintf(err, errlen, "truth.%s is given twice", function);
            return -1;
        }
    if (t->n == AB_TRUTH_MAX) {
        snprintf(err, errlen, "truth.%s: at most %d functions in a ground truth", function,
                 AB_TRUTH_MAX);
        return -1;
    }
    char *copy = strdup(function);
    if (!copy) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    t->fn[t->n] = copy;
    t->share[t->n++] = v;
    return 0;
}

double rn_truth_sum(const ab_truth *t) {
    double sum = 0;
    for (size_t i = 0; i < t->n; i++) sum += t->share[i];
    return sum;
}

int rn_truth_check(const ab_truth *t, char *err, size_t errlen) {
    double sum = rn_truth_sum(t);
    if (sum > 100 + 1e-9) {
        snprintf(err, errlen,
                 "the ground truth's shares (truth.*) sum to %g%%, more than 100%% "
                 "of the CPU time",
                 sum);
        return -1;
    }
    return 0;
}

size_t rn_truth_categories(const ab_truth *t) {
    return t->n + (rn_truth_sum(t) < 100 - 1e-9 ? 1 : 0);
}

void rn_truth_free(ab_truth *t) {
    for (size_t i = 0; i < t->n; i++) free(t->fn[i]);
    memset(t, 0, sizeof *t);
}

/* ---- frame names ------------------------------------------------------------------- */

static int same(const char *s, size_t len, const char *fn) {
    return len == strlen(fn) && !memcmp(s, fn, len);
}

/* "JS:*name path:line:col" and V8's other code kinds of a JavaScript function. */
static int v8_perf_map_names(const char *f, size_t len, const char *fn) {
    static const char *const kinds[] = {
        "JS:", "LazyCompile:", "Function:", "InterpretedFunction:", "Script:", NULL};
    for (int k = 0; kinds[k]; k++) {
        size_t kl = strlen(kinds[k]);
        if (len <= kl || memcmp(f, kinds[k], kl)) continue;
        const char *name = f + kl, *end = f + len;
        if (name < end && strchr("*~^+", *name)) name++;
        const char *sp = memchr(name, ' ', (size_t)(end - name));
        return same(name, (size_t)((sp ? sp : end) - name), fn);
    }
    return 0;
}

/* "name file:line:col": a V8 perf-map frame as the flame graph folding names it in every
 * process (runner/flamegraph/fold_frame.c). */
static int folded_jit_names(const char *f, size_t len, const char *fn) {
    const char *end = f + len, *sp = memchr(f, ' ', len);
    if (!sp || !same(f, (size_t)(sp - f), fn)) return 0;
    const char *p = end;
    while (p > sp && isdigit((unsigned char)p[-1])) p--;
    return p < end && p > sp + 1 && p[-1] == ':';
}

/* "path:name:line" (Pyroscope's Node.js frames). */
static int path_name_line_names(const char *f, size_t len, const char *fn) {
    const char *end = f + len, *p = end;
    while (p > f && isdigit((unsigned char)p[-1])) p--;
    if (p == end || p == f || p[-1] != ':') return 0;
    const char *name_end = p - 1, *q = name_end;
    while (q > f && q[-1] != ':') q--;
    return q > f && same(q, (size_t)(name_end - q), fn);
}

int rn_frame_names(const char *frame, size_t len, const char *fn) {
    if (same(frame, len, fn)) return 1;
    const char *dot = memchr(frame, '.', len);
    if (dot && dot > frame && same(frame, (size_t)(dot - frame), fn)) return 1;
    return v8_perf_map_names(frame, len, fn) || folded_jit_names(frame, len, fn) ||
           path_name_line_names(frame, len, fn);
}

/* ---- tallies ----------------------------------------------------------------------- */

/* The truth function nearest the leaf of stack (len bytes, root first), or -1. */
static int attribute(const ab_truth *t, const char *stack, size_t len) {
    const char *end = stack + len;
    while (end > stack) {
        const char *start = end;
        while (start > stack && start[-1] != ';') start--;
        for (size_t i = 0; i < t->n; i++)
            if (rn_frame_names(start, (size_t)(end - start), t->fn[i])) return (int)i;
        end = start > stack ? start - 1 : stack;
    }
    return -1;
}

/* "stack COUNT": the stack's length and the count. 0, or -1 when malformed. */
static int split_line(const char *line, size_t n, size_t *stack_len, unsigned long long *count) {
    const char *sp = n ? memrchr(line, ' ', n) : NULL;
    if (!sp || sp == line || sp + 1 == line + n) return -1;
    unsigned long long v = 0;
    for (const char *p = sp + 1; p < line + n; p++) {
        if (!isdigit((unsigned char)*p) || v > (~0ULL - 9) / 10) return -1;
        v = v * 10 + (unsigned long long)(*p - '0');
    }
    *stack_len = (size_t)(sp - line);
    *count = v;
    return 0;
}

int rn_tally_folded(const ab_truth *t, FILE *in, ab_tally *ty) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, in)) >= 0) {
        size_t n = (size_t)got;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--;
        if (n == 0 || line[0] == '#') continue;
        size_t stack_len;
        unsigned long long count;
        if (split_line(line, n, &stack_len, &count) < 0) {
            ty->bad_lines++;
            continue;
        }
        int i = attribute(t, line, stack_len);
        if (i >= 0) ty->count[i] += count;
        else ty->other += count;
        ty->total += count;
    }
    int failed = ferror(in);
    free(line);
    return failed ? -1 : 0;
}

int rn_tally_diff(const ab_tally *after, const ab_tally *before, ab_tally *d) {
    memset(d, 0, sizeof *d);
    for (size_t i = 0; i < AB_TRUTH_MAX; i++) {
        if (after->count[i] < before->count[i]) return -1;
        d->count[i] = after->count[i] - before->count[i];
    }
    if (after->other < before->other || after->total < before->total) return -1;
    d->other = after->other - before->other;
    d->total = after->total - before->total;
    d->bad_lines = after->bad_lines >= before->bad_lines ? after->bad_lines - before->bad_lines : 0;
    return 0;
}

/* ---- the error and its bound -------------------------------------------------------- */

double rn_chi2_999(size_t df) {
    static const double q[AB_TRUTH_MAX] = {
        10.828, 13.816, 16.266, 18.467, 20.515, 22.458, 24.322, 26.124, 27.877, 29.588, 31.264,
        32.909, 34.528, 36.123, 37.697, 39.252, 40.790, 42.312, 43.820, 45.315, 46.797, 48.268,
        49.728, 51.179, 52.620, 54.052, 55.476, 56.892, 58.301, 59.703, 61.098, 62.487};
    if (df < 1) df = 1;
    if (df > AB_TRUTH_MAX) df = AB_TRUTH_MAX;
    return q[df - 1];
}

double rn_accuracy_bound_pct(size_t categories, double n) {
    if (!(n >= 1)) return 100;
    double b = 50 * sqrt(rn_chi2_999(categories > 1 ? categories - 1 : 1) / n);
    return b > 100 ? 100 : b;
}

int rn_accuracy_of(const ab_truth *t, const ab_tally *ty, double weight, ab_accuracy *a) {
    memset(a, 0, sizeof *a);
    if (ty->total == 0) return -1;
    double total = (double)ty->total, err = 0;
    for (size_t i = 0; i < t->n; i++) {
        a->share[i] = 100 * (double)ty->count[i] / total;
        err += fabs(a->share[i] - t->share[i]);
    }
    a->other = 100 * (double)ty->other / total;
    double other_truth = 100 - rn_truth_sum(t);
    err += fabs(a->other - (other_truth > 0 ? other_truth : 0));
    a->error_pct = err / 2;
    a->samples = total / (weight >= 1 ? weight : 1);
    a->bound_pct = rn_accuracy_bound_pct(rn_truth_categories(t), a->samples);
    return 0;
}
