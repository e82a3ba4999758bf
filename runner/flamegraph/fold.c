/* flamegraph/fold.c: the folded-stack multiset (a dense array of entries, found by
 * lib/strmap.h keyed by the stack string; sorted by stack in place when asked), folded
 * text reading and writing. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fold.h"
#include "strmap.h"

struct fg_stacks {
    ab_strmap index;         /* stack -> its position in entries (val.u) */
    fg_stack_entry *entries; /* dense; .stack is the index's copy of the key */
    size_t n, cap;
    unsigned long long total;
    int sorted; /* entries are in stack order */
};

fg_stacks *rn_fg_stacks_new(void) {
    return calloc(1, sizeof(fg_stacks));
}

void rn_fg_stacks_free(fg_stacks *s) {
    if (!s) return;
    ab_strmap_free(&s->index);
    free(s->entries);
    free(s);
}

int rn_fg_stacks_add(fg_stacks *s, const char *stack, unsigned long long count) {
    if (count > FG_TOTAL_MAX - s->total) {
        errno = EOVERFLOW;
        return -1;
    }
    if (s->n == s->cap) { /* room first: a new key never lacks its entry */
        size_t cap = s->cap ? s->cap * 2 : 64;
        fg_stack_entry *e = realloc(s->entries, cap * sizeof *e);
        if (!e) return -1;
        s->entries = e;
        s->cap = cap;
    }
    int created;
    ab_strmap_entry *e = ab_strmap_upsert(&s->index, stack, strlen(stack), &created);
    if (!e) return -1;
    if (created) {
        e->val.u = s->n;
        s->entries[s->n++] = (fg_stack_entry){e->key, 0};
        s->sorted = 0;
    }
    s->entries[e->val.u].count += count;
    s->total += count;
    return 0;
}

size_t rn_fg_stacks_distinct(const fg_stacks *s) {
    return s->n;
}
unsigned long long rn_fg_stacks_total(const fg_stacks *s) {
    return s->total;
}

static int cmp_entry(const void *a, const void *b) {
    return strcmp(((const fg_stack_entry *)a)->stack, ((const fg_stack_entry *)b)->stack);
}

/* Sorted in place, then the index follows the entries to their new places. */
const fg_stack_entry *rn_fg_stacks_sorted(fg_stacks *s, size_t *n) {
    if (!s->sorted) {
        if (s->n) qsort(s->entries, s->n, sizeof *s->entries, cmp_entry);
        for (size_t i = 0; i < s->n; i++)
            ab_strmap_find(&s->index, s->entries[i].stack, strlen(s->entries[i].stack))->val.u = i;
        s->sorted = 1;
    }
    *n = s->n;
    return s->entries;
}

int rn_fg_stacks_write(fg_stacks *s, FILE *out) {
    size_t n;
    const fg_stack_entry *e = rn_fg_stacks_sorted(s, &n);
    for (size_t i = 0; i < n; i++)
        if (fprintf(out, "%s %llu\n", e[i].stack, e[i].count) < 0) return -1;
    return fflush(out) == 0 ? 0 : -1;
}

int rn_fg_stacks_write_file(fg_stacks *s, const char *path, char *err, size_t errlen) {
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    int rc = rn_fg_stacks_write(s, f);
    if (fclose(f) != 0) rc = -1;
    if (rc < 0) snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    return rc;
}

/* One folded line: the count is the last space-separated token (frames may hold spaces). */
static int add_folded_line(fg_stacks *s, char *line) {
    size_t len = strlen(line);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' '))
        line[--len] = '\0';
    char *sp = strrchr(line, ' ');
    if (!sp || sp == line) return -1;
    char *end;
    errno = 0;
    unsigned long long count = strtoull(sp + 1, &end, 10);
    if (*end || errno || sp[1] == '-' || sp[1] == '\0' || count > FG_COUNT_MAX) return -1;
    *sp = '\0';
    if (count == 0) return 0;
    return rn_fg_stacks_add(s, line, count) < 0 ? -2 : 0;
}

int rn_fg_fold_read_folded(fg_stacks *s, FILE *in, fg_fold_stats *stats) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0;
    while ((len = getline(&line, &cap, in)) >= 0) {
        if (len == 0 || line[0] == '\n' || line[0] == '#') continue;
        unsigned long long before = rn_fg_stacks_total(s);
        int r = add_folded_line(s, line);
        if (r == -2) {
            rc = -1;
            break;
        }
        if (r == -1) {
            stats->bad_lines++;
            continue;
        }
        stats->samples += rn_fg_stacks_total(s) - before;
        stats->kept += rn_fg_stacks_total(s) - before;
    }
    if (ferror(in)) rc = -1;
    free(line);
    return rc;
}

int rn_fg_stacks_add_frames(fg_stacks *s, const char *comm, char *const *leaf_first, size_t n,
                            unsigned long long count) {
    size_t clen = strlen(comm);
    size_t len = (clen ? clen : 9) + 1; /* an empty comm becomes "[unknown]" */
    for (size_t i = 0; i < n; i++) len += strlen(leaf_first[i]) + 1;
    char *stack = malloc(len + 1), *p = stack;
    if (!stack) return -1;
    for (const char *c = comm; *c; c++) {
        unsigned char u = (unsigned char)*c;
        *p++ = u == ';' ? ':' : (u < 0x20 || u == 0x7f) ? '?' : *c; /* as rn_fg_frame_clean */
    }
    if (p == stack) {
        memcpy(p, "[unknown]", 9);
        p += 9;
    }
    const char *prev = NULL;
    for (size_t i = n; i-- > 0;) {
        /* runs of unwinder garbage (code without frame pointers) become one frame */
        if (prev && !strcmp(prev, "[unknown]") && !strcmp(leaf_first[i], "[unknown]")) continue;
        prev = leaf_first[i];
        *p++ = ';';
        size_t l = strlen(leaf_first[i]);
        memcpy(p, leaf_first[i], l);
        p += l;
    }
    *p = '\0';
    int rc = rn_fg_stacks_add(s, stack, count);
    free(stack);
    return rc;
}
