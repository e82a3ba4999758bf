/* run_profile.c: what one run's profile says, checked (doc/accuracy.md).
 *
 * For a benchmark with a ground truth (bench.conf truth.*), every profiled run's profile
 * is compared with it (runner/accuracy/accuracy.h: attribution, error, sampling bound):
 *   - an agent's profile is its CPU-time profile type's (cpu, itimer, samples, sample or
 *     wall, the first the application has: cpu_types below): the difference between two
 *     readings of the variant's ingester store (--store SUITE/profiles/VARIANT,
 *     DIR/APP@TYPE.folded, which the ingester rewrites at most once a second), one before
 *     the run and one after it, each taken once the file holds exactly the sample value
 *     /stats reports for that type of the application, so the difference is this run's
 *     samples and no other's (runs are sequential; the application is the benchmark), and
 *     no other type's (heap bytes, objects, timeline events);
 *   - the perf variant's profile is the run's own `perf record` capture, folded into
 *     SUITE/stacks/perf/BENCH-SEQ.folded.
 * A run whose profile cannot be trusted is "unverified: WHY", never accurate: an upload
 * of the application the ingester could not decode, stacks that do not match the
 * counters, a remote ingester whose store is out of reach, nothing delivered, no
 * CPU-time profile type.
 *
 * Lost samples, for every run of a variant with an agent: the agent writes its counters
 * into AGENTBENCH_AGENT_COUNTERS (the C agent does; Node's agents have none) and what it
 * took (sample_value + samples_dropped) less what the ingester received for the
 * application (its sample_value) is what was lost on the way. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "flamegraph/flamegraph.h"
#include "clock.h"
#include "progress.h"
#include "run.h"
#include "store_name.h"
#include "util.h"
#include "variant.h"

#define STORE_WAIT_S 3.0 /* the ingester rewrites its store at most once a second */

char *rn_run_profile_store_dir(suite *s, int vi) {
    char token[256];
    char *dir = rn_xasprintf("%s/profiles/%s", s->dir,
                             rn_variant_file_token(s->o.variants.v[vi], token, sizeof token));
    rn_mkdir_p(dir);
    return dir;
}

/* The profile types whose values are CPU time (or, for single-threaded CPU-bound work,
 * wall time, which is the same), in the order the check prefers them when an
 * application has several (doc/accuracy.md): what the ingester names them (decode.h):
 * the C agent's folded uploads are "cpu" (Pyroscope's type for a name without a
 * suffix), @pyroscope/nodejs's wall profile "samples" (its first sample type,
 * samples/count), dd-trace's wall.pprof "sample" (sample/count); "itimer" and "wall" as
 * Pyroscope's ingest names them from an application name's suffix. Their values are
 * counts of samples: the sampling bound takes them as such. */
static const char *const cpu_types[] = {"cpu", "itimer", "samples", "sample", "wall"};

/* The CPU-time profile type of the application, NULL when it has none. */
static const ab_ingester_type_stats *cpu_type_of(const ab_ingester_app_stats *a) {
    for (size_t i = 0; i < sizeof cpu_types / sizeof cpu_types[0]; i++) {
        const ab_ingester_type_stats *t = ab_ingester_app_type(a, cpu_types[i]);
        if (t) return t;
    }
    return NULL;
}

/* DIR/NAME.folded, NAME the ingester's file name for the application's type
 * (lib/store_name.h); NULL when it would be too long. */
static char *store_file(const char *dir, const char *app, const char *type) {
    char name[AB_STORE_MAX_FILE_NAME + 1];
    if (ab_store_file_name(app, type, name, sizeof name) < 0) return NULL;
    return rn_xasprintf("%s/%s", dir, name);
}

static void unverified(run_profile *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void unverified(run_profile *p, const char *fmt, ...) {
    if (p->why[0]) return; /* the first reason is the one that counts */
    int n = snprintf(p->why, sizeof p->why, "unverified: ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->why + n, sizeof p->why - (size_t)n, fmt, ap);
    va_end(ap);
}

void rn_run_profile_node_cleanup(const char *dir, time_t since) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        int pid = 0;
        size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, "isolate-", 8) || n < 15 || strcmp(e->d_name + n - 7, "-v8.log"))
            continue;
        char *path = rn_xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) == 0 && st.st_mtime >= since) {
            const char *dash = e->d_name + n - 7; /* isolate-0xADDR-PID-v8.log */
            const char *p = dash;
            while (p > e->d_name && p[-1] >= '0' && p[-1] <= '9') p--;
            if (p < dash && p[-1] == '-') pid = atoi(p);
            if (pid > 0) {
                char map[64];
                snprintf(map, sizeof map, "/tmp/perf-%d.map", pid);
                unlink(map);
            }
            unlink(path);
        }
        free(path);
    }
    closedir(d);
}

char *rn_run_profile_node_options(void) {
    const char *node = getenv("NODE_OPTIONS");
    return rn_xasprintf("NODE_OPTIONS=%s%s--perf-basic-prof", node ? node : "",
                        node && *node ? " " : "");
}

void rn_run_profile_begin(suite *s, int bi, int vi, unsigned long seq, run_profile *p) {
    memset(p, 0, sizeof *p);
    benchmark *b = s->bench[bi];
    const char *v = s->o.variants.v[vi];
    p->truth = b->truth.n > 0;
    p->agent = rn_variant_has_agent(v) && rn_benchmark_profiled(b);
    p->perf = !strcmp(v, VARIANT_PERF);
    char *tmp = rn_xasprintf("%s/tmp", s->dir);
    if (p->agent || p->perf) rn_mkdir_p(tmp);
    int k = 0;
    if (p->agent) {
        p->counters_path = rn_xasprintf("%s/counters-%lu", tmp, seq);
        unlink(p->counters_path);
        p->extra_env[k++] = rn_xasprintf("AGENTBENCH_AGENT_COUNTERS=%s", p->counters_path);
        if (p->truth) p->store_dir = rn_run_profile_store_dir(s, vi);
    }
    if (p->perf) {
        p->started = time(NULL);
        p->bench_dir = b->dir;
        p->perf_data = rn_xasprintf("%s/perf-%lu.data", tmp, seq);
        p->extra_env[k++] = rn_run_profile_node_options();
        if (p->truth) {
            char *dir = rn_xasprintf("%s/stacks/perf", s->dir);
            rn_mkdir_p(dir);
            p->perf_folded = rn_xasprintf("%s/%s-%lu.folded", dir, b->name, seq);
            free(dir);
        }
    }
    free(tmp);
}

char **rn_run_profile_argv(suite *s, run_profile *p, char **argv) {
    if (!p->perf) return argv;
    char **pargv = rn_fg_perf_record_argv(argv, p->perf_data);
    pargv[0] = s->perf_bin; /* the run helper execs without a PATH search */
    return pargv;
}

/* The store's stacks of the application's profile type, once they add up to want (the
 * sample value /stats reports for that type), into ty. 0, or -1 with p unverified. */
static int read_store(suite *s, int bi, run_profile *p, const char *type, unsigned long long want,
                      ab_tally *ty) {
    memset(ty, 0, sizeof *ty);
    if (want == 0) return 0; /* nothing yet (a file left by an earlier ingester is not its) */
    char *path = store_file(p->store_dir, s->bench[bi]->name, type);
    if (!path) {
        unverified(p, "the benchmark's name is too long for a --store file name");
        return -1;
    }
    const ab_truth *t = &s->bench[bi]->truth;
    double until = ab_mono_s() + STORE_WAIT_S;
    do {
        memset(ty, 0, sizeof *ty);
        FILE *f = fopen(path, "r");
        if (f) {
            int rc = rn_tally_folded(t, f, ty);
            fclose(f);
            if (rc == 0 && ty->total == want) {
                free(path);
                return 0;
            }
        }
        usleep(50000);
    } while (ab_mono_s() < until);
    unverified(p,
               "the ingester's stored stacks of %s (%llu samples in %s) do not match its "
               "counters (%llu)",
               s->bench[bi]->name, ty->total, path, want);
    free(path);
    return -1;
}

void rn_run_profile_before(suite *s, int bi, run_profile *p, const ab_ingester_app_stats *a0,
                           int counted) {
    if (!p->truth || !p->agent) return;
    const ab_ingester_type_stats *t = counted ? cpu_type_of(a0) : NULL;
    if (s->is_remote) unverified(p, "a remote ingester: its stored stacks are out of reach");
    else if (!counted) unverified(p, "the ingester's /stats could not be read");
    else if (t) {
        snprintf(p->before_type, sizeof p->before_type, "%s", t->name);
        read_store(s, bi, p, t->name, t->sample_value, &p->before);
    }
}

/* "counters: samples=N samples_dropped=N sample_value=N ..." from the agent's file. */
static int read_counters(const char *path, unsigned long long *samples, unsigned long long *dropped,
                         unsigned long long *value) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[1024];
    int n = 0;
    if (fgets(line, sizeof line, f)) {
        const char *keys[] = {" samples=", " samples_dropped=", " sample_value="};
        unsigned long long *out[] = {samples, dropped, value};
        for (int k = 0; k < 3; k++) {
            const char *at = strstr(line, keys[k]);
            if (at && sscanf(at + strlen(keys[k]), "%llu", out[k]) == 1) n++;
        }
    }
    fclose(f);
    return n == 3 ? 0 : -1;
}

/* The shares for run_end: {"FUNCTION": {"truth": T, "share": S}, ..., "(other)": ...}. */
static json_t *shares_json(const ab_truth *t, const ab_accuracy *a) {
    json_t *o = json_object();
    for (size_t i = 0; i < t->n; i++)
        json_object_set_new(o, t->fn[i],
                            json_pack("{s:f,s:f}", "truth", t->share[i], "share", a->share[i]));
    double other = 100 - rn_truth_sum(t);
    json_object_set_new(o, "(other)",
                        json_pack("{s:f,s:f}", "truth", other > 0 ? other : 0, "share", a->other));
    return o;
}

/* The perf variant's capture folded and tallied into ty. 0, or -1 with p unverified. */
static int perf_profile(run_profile *p, const ab_truth *t, ab_tally *ty) {
    char err[512] = "";
    memset(ty, 0, sizeof *ty);
    if (rn_fg_perf_fold(p->perf_data, p->perf_folded, err, sizeof err) < 0) {
        unverified(p, "perf: %s", err);
        return -1;
    }
    FILE *f = fopen(p->perf_folded, "r");
    int rc = f ? rn_tally_folded(t, f, ty) : -1;
    if (f) fclose(f);
    if (rc < 0) unverified(p, "cannot read %s", p->perf_folded);
    return rc;
}

/* The application's profile types, "a, b, c" into buf. */
static const char *type_list(const ab_ingester_app_stats *a, char *buf, size_t size) {
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < a->ntypes && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "", a->types[i].name);
    return buf;
}

/* The agent's stacks of this run: its CPU-time type's in the store after it less the same
 * type's before. */
static int agent_profile(suite *s, int bi, run_profile *p, const ab_ingester_app_stats *a0,
                         const ab_ingester_app_stats *a1, ab_tally *ty) {
    memset(ty, 0, sizeof *ty);
    if (p->why[0]) return -1;
    const ab_ingester_type_stats *t = cpu_type_of(a1);
    if (!t && a1->ntypes) {
        char types[512], cpu[128] = "";
        for (size_t i = 0, n = 0; i < sizeof cpu_types / sizeof cpu_types[0]; i++)
            n += (size_t)snprintf(cpu + n, sizeof cpu - n, "%s%s", i ? ", " : "", cpu_types[i]);
        unverified(p, "the ingester has no CPU-time profile of %s (it has %s; CPU time is %s)",
                   s->bench[bi]->name, type_list(a1, types, sizeof types), cpu);
        return -1;
    }
    if (!t) return 0; /* nothing delivered */
    if (strcmp(t->name, p->before_type) != 0) {
        /* a type the application had no samples of before the run (a preferred one, or
         * its first): nothing of it was stored before */
        const ab_ingester_type_stats *t0 = ab_ingester_app_type(a0, t->name);
        memset(&p->before, 0, sizeof p->before);
        if (t0 && t0->sample_value) {
            unverified(p, "the CPU-time profile type of %s changed during the run (%s, then %s)",
                       s->bench[bi]->name, p->before_type, t->name);
            return -1;
        }
    }
    ab_tally after;
    if (read_store(s, bi, p, t->name, t->sample_value, &after) < 0) return -1;
    if (rn_tally_diff(&after, &p->before, ty) < 0) {
        unverified(p, "the ingester's stored stacks of %s shrank during the run",
                   s->bench[bi]->name);
        return -1;
    }
    return 0;
}

void rn_run_profile_after(suite *s, int bi, run_profile *p, const ab_ingester_app_stats *a0,
                          const ab_ingester_app_stats *a1, int counted) {
    const char *app = s->bench[bi]->name;
    unsigned long long samples = 0, dropped = 0, value = 0;
    int has_counters = p->agent && read_counters(p->counters_path, &samples, &dropped, &value) == 0;
    unsigned long long received = counted && a1->sample_value >= a0->sample_value
                                      ? a1->sample_value - a0->sample_value
                                      : 0;
    if (has_counters && counted) {
        p->has_agent_samples = 1;
        p->agent_samples = (long long)(value + dropped);
        p->samples_lost = value + dropped > received ? (long long)(value + dropped - received) : 0;
    }
    if (p->agent && counted) {
        p->has_decode_errors = 1;
        p->decode_errors = a1->decode_errors >= a0->decode_errors
                               ? (long long)(a1->decode_errors - a0->decode_errors)
                               : 0;
    }
    if (p->perf && !p->truth) unlink(p->perf_data);
    if (!p->truth || (!p->agent && !p->perf)) {
        if (p->perf) rn_run_profile_node_cleanup(p->bench_dir, p->started);
        return;
    }

    if (p->decode_errors > 0)
        unverified(p, "the ingester could not decode %lld upload%s of %s", p->decode_errors,
                   p->decode_errors == 1 ? "" : "s", app);
    if (p->agent && !counted) unverified(p, "the ingester's /stats could not be read");
    ab_tally ty;
    int rc = p->perf ? perf_profile(p, &s->bench[bi]->truth, &ty)
                     : agent_profile(s, bi, p, a0, a1, &ty);
    if (p->perf) rn_run_profile_node_cleanup(p->bench_dir, p->started); /* folded: maps done */
    if (rc == 0 && ty.total == 0)
        unverified(p, "no samples of %s %s", app,
                   p->perf ? "in perf's capture" : "reached the ingester");
    /* the C agent's samples may stand for several intervals each (timer overruns) */
    double weight = has_counters && samples > 0 && value > samples ? (double)value / samples : 1;
    if (rc == 0 && rn_accuracy_of(&s->bench[bi]->truth, &ty, weight, &p->acc) == 0) {
        p->has_accuracy = 1;
        p->shares = shares_json(&s->bench[bi]->truth, &p->acc);
    }
    p->status = p->why[0] ? p->why : "verified";
}

void rn_run_profile_fields(const run_profile *p, ab_ev_run_end *re) {
    re->profile_status = p->status;
    if (p->has_accuracy) {
        re->profile_error_pct = p->acc.error_pct;
        re->profile_bound_pct = p->acc.bound_pct;
        re->profile_samples = p->acc.samples;
        re->has.profile_error_pct = re->has.profile_bound_pct = re->has.profile_samples = 1;
        re->profile_shares = p->shares;
    }
    if (p->has_agent_samples) {
        re->agent_samples = p->agent_samples;
        re->samples_lost = p->samples_lost;
        re->has.agent_samples = re->has.samples_lost = 1;
    }
    if (p->has_decode_errors) {
        re->decode_errors = p->decode_errors;
        re->has.decode_errors = 1;
    }
}

void rn_run_profile_free(run_profile *p) {
    if (p->counters_path) unlink(p->counters_path);
    if (p->perf_data) unlink(p->perf_data);
    char *tmp = p->counters_path ? p->counters_path : p->perf_data;
    if (tmp) {
        *strrchr(tmp, '/') = 0;
        rmdir(tmp); /* SUITE/tmp, once empty */
    }
    free(p->counters_path);
    free(p->perf_data);
    free(p->perf_folded);
    free(p->store_dir);
    for (int k = 0; p->extra_env[k]; k++) free(p->extra_env[k]);
    json_decref(p->shares);
    memset(p, 0, sizeof *p);
}
