/* baseline/parts.h: the pieces of `agentbench baseline`: a list of figures, and one
 * function per part (CPU, memory with its sysbench cross-check, network, disk). */
#ifndef AB_RUNNER_BL_PARTS_H
#define AB_RUNNER_BL_PARTS_H

#include <stddef.h>
#include <jansson.h>

typedef struct bl_opts {
    int quick;            /* tiny sizes and short times (tests, smoke runs) */
    int threads;          /* "all-thread" kernels: online CPUs */
    const char *peer;     /* network: iperf3 server HOST[:PORT], NULL: loopback */
    const char *disk_dir; /* disk: where fio's temporary file goes */
} bl_opts;

typedef struct bl_figure {
    char *kind, *name, *unit;
    double value;
    json_t *detail; /* object, owned */
} bl_figure;

typedef struct bl_figures {
    bl_figure *v;
    size_t n, cap;
} bl_figures;

/* Append a figure; detail (may be NULL) is stolen. */
void rn_bl_add(bl_figures *f, const char *kind, const char *name, double value, const char *unit,
               json_t *detail);
void rn_bl_figures_free(bl_figures *f);
const bl_figure *rn_bl_find(const bl_figures *f, const char *kind, const char *name);

/* Each returns 0 when it added its figures, -1 with err otherwise. */
int rn_bl_cpu(const bl_opts *o, bl_figures *f, char *err, size_t errlen);    /* baseline_cpu.c */
int rn_bl_memory(const bl_opts *o, bl_figures *f, char *err, size_t errlen); /* baseline_mem.c */
/* `sysbench memory` read and write over blocks as large as rn_bl_memory's arrays, as an
 * independent check of the same run's figures. */
int rn_bl_memory_check(const bl_opts *o, bl_figures *f, char *err,
                       size_t errlen); /* baseline_sysbench.c */
int rn_bl_network(const bl_opts *o, bl_figures *f, char *err, size_t errlen); /* baseline_net.c */
int rn_bl_disk(const bl_opts *o, bl_figures *f, char *err, size_t errlen);    /* baseline_disk.c */

/* Size of the largest CPU cache (the last level) from sysfs, bytes; 0 if unknown. */
long long rn_bl_llc_bytes(void);
/* Bytes in each of rn_bl_memory's arrays for these options. */
size_t rn_bl_memory_array_bytes(const bl_opts *o);

/* Run argv (no shell), collecting its stdout (malloc'd, NUL-terminated, into *out) and
 * the last line of its stderr into err on failure. Kills it after timeout_s.
 * Returns the exit status (0..255), or -1 with err (not installed, killed). */
int rn_bl_run_capture(char *const argv[], double timeout_s, char **out, char *err, size_t errlen);

#endif
