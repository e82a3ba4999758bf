/* capture_meta.h: where a flame graph capture's stacks come from, written beside them.
 * Every capture of `agentbench flamegraph` (system-wide, one process, one command, and so
 * every run of `agentbench run --flamegraph`) writes DIR/NAME.capture.json next to
 * DIR/NAME.svg and DIR/NAME.folded:
 *
 *   {"v":1,"tool":"perf","target":"all","started":1764580000.25,"ended":1764580004.31,
 *    "seconds":4.06,"samples":395,"idle_dropped":12,"stacks":87}
 *
 * tool: perf or bpftrace; target: "all", "pid N" or "command NAME"; started, ended:
 * wall-clock Unix seconds around the whole capture (tool start-up and folding included);
 * seconds: how long stacks were sampled (the N of --seconds N; for a command, the whole
 * capture: its run under perf and the folding); samples: samples kept in NAME.folded (the sum of
 * its counts); idle_dropped: idle CPU samples left out; stacks: distinct stacks. pmdaagentbench
 * publishes these beside the stacks themselves (agentbench.flamegraph.last.*,
 * agentbench.profile.*). Written atomically (a temporary file renamed); a reader ignores members it
 * does not know. */
#ifndef AB_CAPTURE_META_H
#define AB_CAPTURE_META_H

#include <stddef.h>

typedef struct ab_capture_meta {
    char tool[16];
    char target[256];
    double started, ended; /* Unix seconds */
    double seconds;        /* sampled for */
    unsigned long long samples, idle_dropped, stacks;
} ab_capture_meta;

/* DIR/NAME.folded (or any DIR/NAME.EXT, or DIR/NAME) -> DIR/NAME.capture.json. */
void ab_capture_meta_path(const char *folded_path, char *out, size_t outlen);

/* Write m to path. 0, or -1 with a message in err. */
int ab_capture_meta_write(const char *path, const ab_capture_meta *m, char *err, size_t errlen);

/* Read path into m (zeroed first). 0, or -1 with a message in err (missing, not JSON,
 * not version 1, no tool). */
int ab_capture_meta_read(const char *path, ab_capture_meta *m, char *err, size_t errlen);

#endif
