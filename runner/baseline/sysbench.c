/* baseline/sysbench.c: an independent check of the memory figures: `sysbench memory`
 * (Debian's sysbench) writing and reading sequentially with one block per thread as large
 * as rn_bl_memory's arrays, in the same run, best of three (like our best of ten). The
 * figures go beside ours, with how far apart they are: (ours - sysbench) / sysbench,
 * percent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parts.h"

/* "64.00 MiB transferred (12528.63 MiB/sec)" → MB/s (10^6 bytes), or -1. */
static double parse_mib_per_s(const char *out) {
    const char *p = out ? strstr(out, "MiB/sec)") : NULL;
    if (!p) return -1;
    const char *open = p;
    while (open > out && *open != '(') open--;
    if (*open != '(') return -1;
    double mib = strtod(open + 1, NULL);
    return mib > 0 ? mib * 1048576.0 / 1e6 : -1;
}

static int run_sysbench(const bl_opts *o, const char *oper, double *mb_s, char *err,
                        size_t errlen) {
    size_t block = rn_bl_memory_array_bytes(o);
    unsigned long long total = (unsigned long long)block * (o->quick ? 16 : 32);
    char bs[64], ts[64], th[32];
    snprintf(bs, sizeof bs, "--memory-block-size=%zuK", block >> 10);
    snprintf(ts, sizeof ts, "--memory-total-size=%lluK", total >> 10);
    snprintf(th, sizeof th, "--threads=%d", o->threads);
    char op[64];
    snprintf(op, sizeof op, "--memory-oper=%s", oper);
    char *argv[] = {
        "sysbench", "memory",   bs,    ts,  op, "--memory-access-mode=seq", "--memory-scope=local",
        th,         "--time=0", "run", NULL};
    char *out = NULL;
    int rc = rn_bl_run_capture(argv, 120, &out, err, errlen);
    if (rc == 0) {
        *mb_s = parse_mib_per_s(out);
        if (*mb_s <= 0) {
            snprintf(err, errlen, "sysbench memory printed no MiB/sec figure");
            rc = -1;
        }
    } else {
        rc = -1;
    }
    free(out);
    return rc;
}

int rn_bl_memory_check(const bl_opts *o, bl_figures *f, char *err, size_t errlen) {
    static const struct {
        const char *oper, *ours;
    } pairs[] = {
        {"write", "fill_mb_s"},
        {"read", "read_mb_s"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        double mbs = 0, one; /* best of N, like our kernels */
        int reps = o->quick ? 1 : 3;
        for (int r = 0; r < reps; r++) {
            if (run_sysbench(o, pairs[i].oper, &one, err, errlen) < 0) return -1;
            if (one > mbs) mbs = one;
        }
        char name[64];
        snprintf(name, sizeof name, "sysbench_%s_mb_s", pairs[i].oper);
        rn_bl_add(f, "memory", name, mbs, "MB/s",
                  json_pack("{s:s, s:I, s:i, s:i}", "tool", "sysbench memory", "block_bytes",
                            (json_int_t)rn_bl_memory_array_bytes(o), "threads", o->threads,
                            "best_of", reps));
        const bl_figure *ours = rn_bl_find(f, "memory", pairs[i].ours);
        if (ours && mbs > 0) {
            snprintf(name, sizeof name, "sysbench_%s_diff_pct", pairs[i].oper);
            rn_bl_add(f, "memory", name, 100.0 * (ours->value - mbs) / mbs, "%",
                      json_pack("{s:s, s:f, s:s, s:f}", "ours", pairs[i].ours, "ours_mb_s",
                                ours->value, "sysbench_oper", pairs[i].oper, "sysbench_mb_s", mbs));
        }
    }
    return 0;
}
