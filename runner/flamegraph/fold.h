/* flamegraph/fold.h: folded stacks ("root;child;leaf COUNT", root first), the common
 * currency of the flame graph code: a multiset of stacks, parsers filling it from `perf
 * script` text, bpftrace map output or folded text, a writer. Pure code, no processes. */
#ifndef AB_RUNNER_FG_FOLD_H
#define AB_RUNNER_FG_FOLD_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

typedef struct fg_stacks fg_stacks;

typedef struct fg_stack_entry {
    const char *stack; /* "a;b;c", root first */
    unsigned long long count;
} fg_stack_entry;

/* A sample count beyond FG_COUNT_MAX is not one (a parser counts its line as bad), and the
 * samples of a multiset never add up past FG_TOTAL_MAX: sums cannot wrap. */
#define FG_COUNT_MAX 1000000000000000ULL
#define FG_TOTAL_MAX (1ULL << 62)

fg_stacks *rn_fg_stacks_new(void);
void rn_fg_stacks_free(fg_stacks *s);
/* Add count samples of stack (copied). Returns 0, or -1 when out of memory or when the
 * total would pass FG_TOTAL_MAX (errno EOVERFLOW). */
int rn_fg_stacks_add(fg_stacks *s, const char *stack, unsigned long long count);
/* Add count samples of one stack given leaf first (as perf and bpftrace print it), with
 * comm (the process name, cleaned of ';') as the root frame. A run of "[unknown]" frames
 * (unwinding through code without frame pointers) is kept as one. */
int rn_fg_stacks_add_frames(fg_stacks *s, const char *comm, char *const *leaf_first, size_t n,
                            unsigned long long count);
size_t rn_fg_stacks_distinct(const fg_stacks *s);
unsigned long long rn_fg_stacks_total(const fg_stacks *s);
/* The entries sorted by stack (byte order); valid until the next add or free. */
const fg_stack_entry *rn_fg_stacks_sorted(fg_stacks *s, size_t *n);
/* Write "stack COUNT\n" lines, sorted. Returns 0 or -1 (errno). */
int rn_fg_stacks_write(fg_stacks *s, FILE *out);
int rn_fg_stacks_write_file(fg_stacks *s, const char *path, char *err, size_t errlen);

/* What a parser saw, for messages and tests. */
typedef struct fg_fold_stats {
    unsigned long long samples;   /* samples read */
    unsigned long long idle;      /* samples dropped as idle */
    unsigned long long kept;      /* samples added */
    unsigned long long bad_lines; /* lines that could not be understood */
    int jit_pids[64];             /* processes whose JIT frames came from /tmp/perf-PID.map */
    size_t njit_pids;
} fg_fold_stats;

/* Folded text ("frame;frame COUNT" lines, as written above and by the ingester's --store).
 * Blank lines and lines starting with '#' are skipped; malformed lines are counted in
 * stats->bad_lines. Returns 0, or -1 on a read error. */
int rn_fg_fold_read_folded(fg_stacks *s, FILE *in, fg_fold_stats *stats);

/* `perf script` text: a header line per sample ("comm pid[/tid] [cpu] time: period
 * event:"), then indented frame lines "addr symbol+off (dso)", leaf first; a blank line
 * ends the sample. Each sample is added root first with the process name as the first
 * frame. With drop_idle, samples of an idle CPU (do_idle, cpu_idle, intel_idle, ...)
 * are dropped. Returns 0, or -1 on a read error. */
int rn_fg_fold_perf_script(fg_stacks *s, FILE *in, int drop_idle, fg_fold_stats *stats);

/* bpftrace's printout of `@[kstack(perf), ustack(perf), comm] = count()` (or without
 * perf): blocks "@[" kernel frames "," user frames "," comm "]: COUNT". Returns 0, or -1 on
 * a read error. */
int rn_fg_fold_bpftrace(fg_stacks *s, FILE *in, int drop_idle, fg_fold_stats *stats);

/* Frame helpers (fold_frame.c). */
/* 1 when sym (without offset) is a function only an idle CPU runs. */
int rn_fg_frame_is_idle(const char *sym);
/* Clean a raw symbol into out: strip "+0x1f"/"+123" offsets, map ';' to ':' and control
 * characters to '?', "[unknown]" or bare hex addresses to "[unknown]" or "[dso]". */
void rn_fg_frame_clean(const char *sym, size_t symlen, const char *dso, size_t dsolen, char *out,
                       size_t outlen);
/* One frame line of perf script (or bpftrace's perf mode), "addr sym+off (dso)" (address
 * and object optional), into a clean name as rn_fg_frame_clean makes it. A frame of a JIT
 * perf map (/tmp/perf-PID.map: Node run with --perf-basic-prof) is named the same in
 * every process: V8's tag and tier dropped and the script's directory too ("JS:*fib
 * /x/fib.js:8:13" is "fib fib.js:8:13"), "[jit]" when the map did not name it; its PID is
 * added to stats->jit_pids (stats may be NULL). */
void rn_fg_frame_parse_line(const char *line, char *out, size_t outlen, fg_fold_stats *stats);
/* getline() without the line's trailing "\n" or "\r\n": its length, or -1 at end of
 * file or on a read error. */
ssize_t rn_fg_read_line(FILE *in, char **line, size_t *cap);
/* Append a copy of name to a growing array of frame names (*frames, *n used, *cap
 * allocated), as the parsers collect one stack. 0, or -1 when out of memory. */
int rn_fg_frames_push(char ***frames, size_t *n, size_t *cap, const char *name);

#endif
