/* baseline/mem.c: memory bandwidth in the manner of STREAM (copy, scale, add, triad), plus
 * a write-only fill and a read-only sum to set beside sysbench's write and read figures.
 * Three arrays of doubles, each at least four times the last-level cache (read from
 * sysfs), split across every online CPU (each thread first-touches its own slice), timed
 * between barriers; the best of N repetitions after the first counts. MB = 10^6 bytes. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "parts.h"
#include "clock.h"

enum {
    K_COPY,
    K_SCALE,
    K_ADD,
    K_TRIAD,
    K_FILL,
    K_READ,
    NKERNELS
};
static const struct {
    const char *name;
    double bytes_per_elem;
} kernels[NKERNELS] = {
    {"copy", 16}, {"scale", 16}, {"add", 24}, {"triad", 24}, {"fill", 8}, {"read", 8},
};
#define NTIMES_MAX 20

typedef struct mem_run {
    double *a, *b, *c;
    size_t n;
    int nthreads, ntimes;
    pthread_barrier_t bar;
    pthread_mutex_t gate; /* threads start once all are created */
    pthread_cond_t go_cond;
    int go;
    double best[NKERNELS];
    volatile double sums[256];
} mem_run;

typedef struct slice {
    mem_run *r;
    int id;
    pthread_t tid;
} slice;

static void *mem_thread(void *arg) {
    slice *s = arg;
    mem_run *r = s->r;
    pthread_mutex_lock(&r->gate);
    while (!r->go) pthread_cond_wait(&r->go_cond, &r->gate);
    pthread_mutex_unlock(&r->gate);
    if (r->go < 0) return NULL;
    size_t lo = r->n * (size_t)s->id / (size_t)r->nthreads;
    size_t hi = r->n * (size_t)(s->id + 1) / (size_t)r->nthreads;
    double *a = r->a, *b = r->b, *c = r->c;
    const double q = 3.0;
    for (size_t j = lo; j < hi; j++) {
        a[j] = 1.0;
        b[j] = 2.0;
        c[j] = 0.0;
    }
    for (int k = 0; k < r->ntimes; k++)
        for (int kn = 0; kn < NKERNELS; kn++) {
            pthread_barrier_wait(&r->bar);
            double t0 = s->id == 0 ? ab_mono_s() : 0, sum = 0;
            switch (kn) {
                case K_COPY:
                    for (size_t j = lo; j < hi; j++) c[j] = a[j];
                    break;
                case K_SCALE:
                    for (size_t j = lo; j < hi; j++) b[j] = q * c[j];
                    break;
                case K_ADD:
                    for (size_t j = lo; j < hi; j++) c[j] = a[j] + b[j];
                    break;
                case K_TRIAD:
                    for (size_t j = lo; j < hi; j++) a[j] = b[j] + q * c[j];
                    break;
                case K_FILL:
                    for (size_t j = lo; j < hi; j++) c[j] = q;
                    break;
                case K_READ: { /* independent sums: bound by memory, not by add latency */
                    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                    size_t j = lo;
                    for (; j + 4 <= hi; j += 4) {
                        s0 += a[j];
                        s1 += a[j + 1];
                        s2 += a[j + 2];
                        s3 += a[j + 3];
                    }
                    for (; j < hi; j++) s0 += a[j];
                    sum = s0 + s1 + s2 + s3;
                    break;
                }
            }
            r->sums[s->id] = sum;
            pthread_barrier_wait(&r->bar);
            if (s->id == 0 && (k > 0 || r->ntimes == 1)) {
                double t = ab_mono_s() - t0;
                if (r->best[kn] == 0 || t < r->best[kn]) r->best[kn] = t;
            }
        }
    return NULL;
}

static long long parse_size(const char *s) {
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end == 'K') v *= 1024;
    else if (*end == 'M') v *= 1024 * 1024;
    else if (*end == 'G') v *= 1024LL * 1024 * 1024;
    return v;
}

long long rn_bl_llc_bytes(void) {
    const char *dir = "/sys/devices/system/cpu/cpu0/cache";
    DIR *d = opendir(dir);
    if (!d) return 0;
    long long best = 0;
    int best_level = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "index", 5) != 0) continue;
        char path[512], buf[64] = "";
        int level = 0;
        snprintf(path, sizeof path, "%s/%s/level", dir, e->d_name);
        FILE *f = fopen(path, "r");
        if (f) {
            if (fscanf(f, "%d", &level) != 1) level = 0;
            fclose(f);
        }
        snprintf(path, sizeof path, "%s/%s/size", dir, e->d_name);
        f = fopen(path, "r");
        if (f) {
            if (!fgets(buf, sizeof buf, f)) buf[0] = '\0';
            fclose(f);
        }
        long long size = parse_size(buf);
        if (level > best_level || (level == best_level && size > best)) {
            best_level = level;
            best = size;
        }
    }
    closedir(d);
    return best;
}

size_t rn_bl_memory_array_bytes(const bl_opts *o) {
    if (o->quick) return 4u << 20;
    long long llc = rn_bl_llc_bytes();
    long long want = llc > 0 ? 4 * llc : 256LL << 20;
    if (want < (64LL << 20)) want = 64LL << 20;
    return (size_t)want;
}

int rn_bl_memory(const bl_opts *o, bl_figures *f, char *err, size_t errlen) {
    mem_run r = {0};
    size_t bytes = rn_bl_memory_array_bytes(o);
    r.n = bytes / sizeof(double);
    r.nthreads = o->threads < 1 ? 1 : o->threads > 256 ? 256 : o->threads;
    r.ntimes = o->quick ? 3 : 10;
    r.a = malloc(r.n * sizeof(double));
    r.b = malloc(r.n * sizeof(double));
    r.c = malloc(r.n * sizeof(double));
    int rc = -1, started = 0;
    slice sl[256];
    if (!r.a || !r.b || !r.c) {
        snprintf(err, errlen, "cannot allocate 3 arrays of %zu MB", bytes >> 20);
        goto out;
    }
    pthread_mutex_init(&r.gate, NULL);
    pthread_cond_init(&r.go_cond, NULL);
    for (int i = 0; i < r.nthreads; i++) {
        sl[i] = (slice){&r, i, 0};
        if (pthread_create(&sl[i].tid, NULL, mem_thread, &sl[i]) != 0) break;
        started++;
    }
    pthread_mutex_lock(&r.gate);
    if (started > 0) {
        r.nthreads = started; /* fewer threads than asked: use those */
        pthread_barrier_init(&r.bar, NULL, (unsigned)started);
        r.go = 1;
    } else {
        r.go = -1;
    }
    pthread_cond_broadcast(&r.go_cond);
    pthread_mutex_unlock(&r.gate);
    for (int i = 0; i < started; i++) pthread_join(sl[i].tid, NULL);
    pthread_mutex_destroy(&r.gate);
    pthread_cond_destroy(&r.go_cond);
    if (started == 0) {
        snprintf(err, errlen, "cannot start a thread");
        goto out;
    }
    pthread_barrier_destroy(&r.bar);
    long long llc = rn_bl_llc_bytes();
    for (int k = 0; k < NKERNELS; k++) {
        char name[32];
        snprintf(name, sizeof name, "%s_mb_s", kernels[k].name);
        double mbs = r.best[k] > 0 ? kernels[k].bytes_per_elem * r.n / r.best[k] / 1e6 : 0;
        rn_bl_add(f, "memory", name, mbs, "MB/s",
                  json_pack("{s:i, s:I, s:I, s:i, s:f, s:b}", "threads", r.nthreads, "array_bytes",
                            (json_int_t)(r.n * sizeof(double)), "llc_bytes", (json_int_t)llc,
                            "repetitions", r.ntimes, "best_s", r.best[k], "quick", o->quick));
    }
    rc = 0;
out:
    free(r.a);
    free(r.b);
    free(r.c);
    return rc;
}
