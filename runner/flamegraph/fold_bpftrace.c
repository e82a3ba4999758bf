/* flamegraph/fold_bpftrace.c: bpftrace's map printout for `@[kstack(perf), ustack(perf),
 * comm] = count()` → folded stacks. Each entry is "@[", kernel frames (one per indented
 * line, leaf first), ",", user frames, ", comm]: COUNT"; an empty stack shows as ", " right
 * after "@[". In perf mode a frame line is perf script's "addr sym+off (dso)", so frames
 * are named as perf's are (fold_frame.c: the object of an unknown symbol, JIT frames from
 * perf maps); bpftrace's default mode ("sym+off") reads too. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fold.h"

typedef struct entry {
    char **frames; /* leaf first: kernel frames, then user frames */
    size_t n, cap;
    int idle, open;
} entry;

static void entry_reset(entry *e) {
    for (size_t i = 0; i < e->n; i++) free(e->frames[i]);
    e->n = 0;
    e->idle = 0;
    e->open = 0;
}

static int entry_push(entry *e, const char *text, fg_fold_stats *stats) {
    char name[1024];
    rn_fg_frame_parse_line(text, name, sizeof name, stats);
    if (rn_fg_frame_is_idle(name)) e->idle = 1;
    return rn_fg_frames_push(&e->frames, &e->n, &e->cap, name);
}

/* Text after "@[" or a separator line: commas, maybe "comm]: COUNT" ending the entry.
 * Returns 1 when the entry ended, 0 when not, -1 on a malformed end, -2 out of memory. */
static int entry_rest(fg_stacks *st, entry *e, const char *p, int drop_idle, fg_fold_stats *stats) {
    while (*p == ',' || *p == ' ' || *p == '\t') p++;
    if (!*p) return 0;
    const char *close = NULL;
    for (const char *q = strstr(p, "]: "); q; q = strstr(q + 1, "]: ")) close = q;
    if (!close) return -1;
    char *end;
    errno = 0;
    unsigned long long count = strtoull(close + 3, &end, 10);
    while (*end && isspace((unsigned char)*end)) end++;
    if (*end || errno || !isdigit((unsigned char)close[3]) || count > FG_COUNT_MAX ||
        count > FG_TOTAL_MAX - stats->samples)
        return -1;
    char comm[256];
    size_t len = (size_t)(close - p);
    if (len >= sizeof comm) len = sizeof comm - 1;
    memcpy(comm, p, len);
    comm[len] = '\0';
    stats->samples += count;
    int rc = 0;
    if (drop_idle && (e->idle || (e->n == 0 && !strncmp(comm, "swapper", 7)))) stats->idle += count;
    else if (count) {
        stats->kept += count;
        rc = rn_fg_stacks_add_frames(st, comm, e->frames, e->n, count) < 0 ? -2 : 0;
    }
    entry_reset(e);
    return rc < 0 ? rc : 1;
}

int rn_fg_fold_bpftrace(fg_stacks *st, FILE *in, int drop_idle, fg_fold_stats *stats) {
    entry e = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0;
    while (rc == 0 && (len = rn_fg_read_line(in, &line, &cap)) >= 0) {
        int r = 0;
        if (!e.open) {
            if (strncmp(line, "@[", 2) != 0) continue; /* "Attaching N probes...", blanks */
            e.open = 1;
            r = entry_rest(st, &e, line + 2, drop_idle, stats);
        } else if (line[0] == ' ' || line[0] == '\t') {
            const char *p = line;
            while (*p == ' ' || *p == '\t') p++;
            if (*p && entry_push(&e, p, stats) < 0) r = -2;
        } else if (line[0] == ',') {
            r = entry_rest(st, &e, line, drop_idle, stats);
        } else if (line[0] == '\0') {
            continue;
        } else {
            r = -1;
        }
        if (r == -2) rc = -1;
        else if (r == -1) {
            stats->bad_lines++;
            entry_reset(&e);
        }
    }
    if (e.open) stats->bad_lines++; /* truncated last entry */
    if (ferror(in)) rc = -1;
    entry_reset(&e);
    free(e.frames);
    free(line);
    return rc;
}
