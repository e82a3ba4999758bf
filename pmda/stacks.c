/* stacks.c: folded stacks into a bounded set of instances (stacks.h). The file is read
 * once, line by line, into a min-heap of the max best stacks so far (more samples first;
 * at equal counts the earlier line, and folded files are sorted, so the result does not
 * depend on anything but the file); a stack's name is built only when it enters the heap.
 * At the end the kept stacks are merged by name (two lines can clean to the same name),
 * sorted, and the samples of the rest become the other instance. */
#include "stacks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const INDENT = "    ";

size_t pmda_stacks_name(const char *group, const char *folded, size_t len, char *out) {
    size_t n = 0, cap = STACKS_NAME_MAX - 1;
    if (group) n = (size_t)snprintf(out, STACKS_NAME_MAX, "%s,", group);
    if (n > cap - 1) n = cap - 1;
    out[n++] = '\n';
    /* frames from the leaf (the last) back to the root (the first) */
    size_t end = len;
    while (end > 0) {
        size_t start = end;
        while (start > 0 && folded[start - 1] != ';') start--;
        size_t flen = end - start;
        /* trimmed as grafana-pcp will trim it: an empty frame is left out */
        const char *f = folded + start;
        while (flen > 0 && (*f == ' ' || *f == '\t')) {
            f++;
            flen--;
        }
        while (flen > 0 && (f[flen - 1] == ' ' || f[flen - 1] == '\t')) flen--;
        if (flen > 0) {
            const char *more = "[...]";
            size_t need = 4 + flen + 1, tail = 4 + strlen(more) + 1;
            if (n + need + tail > cap) { /* no room: say so and stop */
                if (n + tail <= cap) {
                    memcpy(out + n, INDENT, 4);
                    memcpy(out + n + 4, more, strlen(more));
                    n += tail;
                    out[n - 1] = '\n';
                }
                break;
            }
            memcpy(out + n, INDENT, 4);
            n += 4;
            for (size_t i = 0; i < flen; i++) {
                unsigned char c = (unsigned char)f[i];
                out[n++] = c == ',' ? ':' : c < 0x20 || c == 0x7f ? '?' : (char)c;
            }
            out[n++] = '\n';
        }
        end = start > 0 ? start - 1 : 0;
    }
    out[n] = '\0';
    return n;
}

/* ---- the heap of the best stacks so far --------------------------------------------- */

typedef struct entry {
    unsigned long long count;
    unsigned long long seq; /* line number: earlier wins a tie */
    char *name;
} entry;

/* a is worse than b: fewer samples, or as many and later */
static int worse(const entry *a, const entry *b) {
    return a->count < b->count || (a->count == b->count && a->seq > b->seq);
}

static void sift_down(entry *h, size_t n, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && worse(&h[l], &h[m])) m = l;
        if (r < n && worse(&h[r], &h[m])) m = r;
        if (m == i) return;
        entry t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static void sift_up(entry *h, size_t i) {
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!worse(&h[i], &h[p])) return;
        entry t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

static int by_name(const void *a, const void *b) {
    return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

static int by_count(const void *a, const void *b) {
    const stack_inst *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* "stack COUNT": the stack's length, or -1 when the line is not one. */
static long parse_line(const char *line, size_t len, unsigned long long *count) {
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
    size_t sp = len;
    while (sp > 0 && line[sp - 1] != ' ') sp--;
    if (sp < 2 || sp == len) return -1;
    unsigned long long v = 0;
    for (size_t i = sp; i < len; i++) {
        if (line[i] < '0' || line[i] > '9' || v > (~0ULL - 9) / 10) return -1;
        v = v * 10 + (unsigned)(line[i] - '0');
    }
    *count = v;
    return (long)(sp - 1);
}

void pmda_stacks_free(stack_set *s) {
    for (size_t i = 0; i < s->n; i++) free(s->v[i].name);
    free(s->v);
    memset(s, 0, sizeof(*s));
}

static int fail(stack_set *s, entry *heap, size_t n, FILE *f, char *err, size_t errlen,
                const char *fmt, const char *path, const char *why) {
    for (size_t i = 0; i < n; i++) free(heap[i].name);
    free(heap);
    if (f) fclose(f);
    pmda_stacks_free(s);
    snprintf(err, errlen, fmt, path, why);
    return -1;
}

int pmda_stacks_load(stack_set *s, const char *path, const char *group, size_t max, char *err,
                     size_t errlen) {
    pmda_stacks_free(s);
    if (max < 1) max = 1;
    struct stat st;
    FILE *f = fopen(path, "r");
    if (!f || fstat(fileno(f), &st) < 0)
        return fail(s, NULL, 0, f, err, errlen, "%s: %s", path, strerror(errno));
    if (st.st_size > STACKS_FILE_MAX)
        return fail(s, NULL, 0, f, err, errlen, "%s: %s", path,
                    "bigger than 16 MiB: not published");
    entry *heap = malloc(max * sizeof(*heap));
    char *line = malloc(STACKS_LINE_MAX), *name = malloc(STACKS_NAME_MAX);
    if (!heap || !line || !name) {
        free(line);
        free(name);
        return fail(s, heap, 0, f, err, errlen, "%s: %s", path, "out of memory");
    }
    size_t n = 0;
    unsigned long long seq = 0;
    int oom = 0;
    while (!oom && fgets(line, STACKS_LINE_MAX, f)) {
        size_t len = strlen(line);
        if (len == STACKS_LINE_MAX - 1 && line[len - 1] != '\n') {
            int c; /* too long: skip the rest of it */
            while ((c = getc(f)) != EOF && c != '\n') {}
            s->bad_lines++;
            continue;
        }
        if (len <= 1 || line[0] == '#') continue;
        unsigned long long count;
        long slen = parse_line(line, len, &count);
        if (slen < 0) {
            s->bad_lines++;
            continue;
        }
        if (count == 0) continue;
        s->distinct++;
        s->samples += count;
        entry e = {count, seq++, NULL};
        if (n == max && !worse(&heap[0], &e)) continue;
        pmda_stacks_name(group, line, (size_t)slen, name);
        if (!(e.name = strdup(name))) {
            oom = 1;
            break;
        }
        if (n < max) {
            heap[n] = e;
            sift_up(heap, n++);
        } else {
            free(heap[0].name);
            heap[0] = e;
            sift_down(heap, n, 0);
        }
    }
    free(line);
    free(name);
    if (oom || ferror(f))
        return fail(s, heap, n, f, err, errlen, "%s: %s", path,
                    oom ? "out of memory" : "read error");
    fclose(f);

    /* merge equal names, then most samples first */
    qsort(heap, n, sizeof(*heap), by_name);
    s->v = calloc(n + 1, sizeof(*s->v));
    if (!s->v) return fail(s, heap, n, NULL, err, errlen, "%s: %s", path, "out of memory");
    unsigned long long kept = 0;
    for (size_t i = 0; i < n; i++) {
        kept += heap[i].count;
        if (s->n > 0 && !strcmp(s->v[s->n - 1].name, heap[i].name)) {
            s->v[s->n - 1].count += heap[i].count;
            free(heap[i].name);
            continue;
        }
        s->v[s->n].name = heap[i].name;
        s->v[s->n].count = heap[i].count;
        s->n++;
    }
    free(heap);
    qsort(s->v, s->n, sizeof(*s->v), by_count);
    s->other = s->samples - kept;
    if (s->other > 0) {
        size_t glen = group ? strlen(group) + 1 : 0;
        char *o = malloc(glen + sizeof("other"));
        if (!o) return fail(s, NULL, 0, NULL, err, errlen, "%s: %s", path, "out of memory");
        snprintf(o, glen + sizeof("other"), "%s%sother", group ? group : "", group ? "," : "");
        s->v[s->n].name = o;
        s->v[s->n].count = s->other;
        s->n++;
    }
    return 0;
}
