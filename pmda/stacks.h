/* stacks.h: a flame graph as PCP instances. A folded file ("root;...;leaf COUNT" lines, as
 * `agentbench flamegraph` and `agentbench-ingester --store` write them) becomes a bounded
 * set of (instance name, sample count): the `max` stacks with the most samples, and one
 * "other" instance holding the samples of all the rest.
 *
 * The instance name is the stack in the form PCP's bpftrace PMDA gives the keys of a map
 * like @[ustack] (bpftrace's JSON output, checked with bpftrace 0.17): a newline, then one
 * line per frame, leaf first, each indented by four spaces and ended by a newline:
 *
 *     "\n    leaf\n    caller\n    ...\n    main\n    comm\n"
 *
 * The folded stack's first frame (the process name in agentbench's captures) is the last
 * line. With a group (agentbench.profile.stacks: "benchmark/variant/source") the name is
 * the group, a comma, then the stack, as bpftrace writes a map @[key, ustack]:
 * "fib/fast/perf,\n    leaf\n ...". The other instance is "other" (with a group,
 * "GROUP,other"). grafana-pcp's flame graph transform splits a name at every newline and
 * comma and trims each piece, so a frame's own commas become ':' (as the folder already
 * turns ';' into ':'), control characters '?', empty frames are left out, and a name longer
 * than STACKS_NAME_MAX keeps its leaf-most frames and ends with a "[...]" frame.
 * Pure code: no PCP calls (unit-tested in qa/unit/pmda/test_stacks.c). */
#ifndef PMDA_AB_STACKS_H
#define PMDA_AB_STACKS_H

#include <stddef.h>

#define STACKS_NAME_MAX 8192       /* bytes of an instance name, with its NUL */
#define STACKS_LINE_MAX 65536      /* longer folded lines are skipped as bad */
#define STACKS_FILE_MAX (16 << 20) /* bigger files are refused: a fetch must stay short */

typedef struct stack_inst {
    char *name;               /* the instance name */
    unsigned long long count; /* samples */
    int inst;                 /* instance id (given by the caller) */
} stack_inst;

typedef struct stack_set {
    stack_inst *v; /* by count, most first (ties: by name), "other" last */
    size_t n;
    unsigned long long samples;   /* samples in the file, all stacks */
    unsigned long long distinct;  /* stacks read (distinct lines) */
    unsigned long long other;     /* samples in the other instance (0: there is none) */
    unsigned long long bad_lines; /* lines that were not "stack COUNT" */
} stack_set;

/* The instance name of folded stack text (len bytes, frames root first, ';' between them)
 * under group (NULL for none), into out (STACKS_NAME_MAX bytes). Returns its length. */
size_t pmda_stacks_name(const char *group, const char *folded, size_t len, char *out);

/* Read path into s (emptied first), keeping at most max stacks. 0, or -1 with a message in
 * err (missing, unreadable, bigger than STACKS_FILE_MAX, out of memory); s is then
 * empty. */
int pmda_stacks_load(stack_set *s, const char *path, const char *group, size_t max, char *err,
                     size_t errlen);

void pmda_stacks_free(stack_set *s);

#endif
