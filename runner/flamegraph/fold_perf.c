/* flamegraph/fold_perf.c: `perf script` text → folded stacks. A sample is a header line
 * (process name, pid, cpu, time, event), indented frame lines "addr sym+off (dso)" leaf
 * first, and a blank line. Comm names may contain spaces, so the header is split at the pid
 * token. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "fold.h"

#define FRAME_MAX 512

typedef struct sample {
    char comm[256];
    char **frames; /* leaf first, cleaned */
    size_t n, cap;
    int idle, open;
} sample;

static int all_digits(const char *s, size_t n) {
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i])) return 0;
    return 1;
}

/* "1234" or "1234/1235" */
static int is_pid_token(const char *t, size_t n) {
    const char *slash = memchr(t, '/', n);
    if (!slash) return all_digits(t, n);
    return all_digits(t, (size_t)(slash - t)) && all_digits(slash + 1, n - (size_t)(slash - t) - 1);
}

/* "[001]" or "596.453316:" */
static int is_cpu_or_time_token(const char *t, size_t n) {
    if (n >= 3 && t[0] == '[' && t[n - 1] == ']') return all_digits(t + 1, n - 2);
    if (n >= 2 && t[n - 1] == ':') {
        const char *dot = memchr(t, '.', n);
        if (dot)
            return all_digits(t, (size_t)(dot - t)) &&
                   all_digits(dot + 1, n - 1 - (size_t)(dot - t) - 1);
    }
    return 0;
}

static void parse_header(const char *line, char *comm, size_t commlen) {
    const char *tok[64];
    size_t toklen[64], nt = 0;
    for (const char *p = line; *p && nt < 64;) {
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) break;
        tok[nt] = p;
        while (*p && *p != ' ' && *p != '\t') p++;
        toklen[nt] = (size_t)(p - tok[nt]);
        nt++;
    }
    if (nt == 0) {
        comm[0] = '\0';
        return;
    }
    const char *start = tok[0], *stop = tok[0] + toklen[0]; /* comm: up to the pid */
    for (size_t i = 1; i + 1 < nt; i++)
        if (is_pid_token(tok[i], toklen[i]) && is_cpu_or_time_token(tok[i + 1], toklen[i + 1])) {
            stop = tok[i - 1] + toklen[i - 1];
            break;
        }
    size_t end = (size_t)(stop - start);
    if (end >= commlen) end = commlen - 1;
    memcpy(comm, start, end);
    comm[end] = '\0';
}

static void sample_reset(sample *s) {
    for (size_t i = 0; i < s->n; i++) free(s->frames[i]);
    s->n = 0;
    s->idle = 0;
    s->open = 0;
    s->comm[0] = '\0';
}

static int sample_push(sample *s, const char *name) {
    if (s->n == FRAME_MAX)
        return 0; /* beyond FRAME_MAX (perf stops at 127 anyway) the
                     root-most frames are dropped, as perf does */
    return rn_fg_frames_push(&s->frames, &s->n, &s->cap, name);
}

/* "ffffffff813c38a6 do_idle+0x136 ([kernel.kallsyms])" */
static int parse_frame(sample *s, const char *line, fg_fold_stats *stats) {
    char name[1024];
    rn_fg_frame_parse_line(line, name, sizeof name, stats);
    if (rn_fg_frame_is_idle(name)) s->idle = 1;
    return sample_push(s, name);
}

static int sample_flush(fg_stacks *st, sample *s, int drop_idle, fg_fold_stats *stats) {
    if (!s->open) return 0;
    stats->samples++;
    int idle = s->idle || (s->n == 0 && !strncmp(s->comm, "swapper", 7));
    int rc = 0;
    if (drop_idle && idle) stats->idle++;
    else {
        rc = rn_fg_stacks_add_frames(st, s->comm, s->frames, s->n, 1);
        stats->kept++;
    }
    sample_reset(s);
    return rc;
}

int rn_fg_fold_perf_script(fg_stacks *st, FILE *in, int drop_idle, fg_fold_stats *stats) {
    sample s = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0;
    while (rc == 0 && (len = rn_fg_read_line(in, &line, &cap)) >= 0) {
        size_t k = 0;
        while (line[k] == ' ' || line[k] == '\t') k++;
        if (line[k] == '\0') {
            rc = sample_flush(st, &s, drop_idle, stats);
        } else if (k > 0) {
            if (s.open) rc = parse_frame(&s, line, stats);
            else stats->bad_lines++;
        } else if (line[0] == '#') {
            continue; /* perf script --header comments */
        } else {
            rc = sample_flush(st, &s, drop_idle, stats);
            parse_header(line, s.comm, sizeof s.comm);
            s.open = 1;
        }
    }
    if (rc == 0) rc = sample_flush(st, &s, drop_idle, stats);
    if (ferror(in)) rc = -1;
    sample_reset(&s);
    free(s.frames);
    free(line);
    return rc;
}
