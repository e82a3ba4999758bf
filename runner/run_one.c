/* run_one.c: one benchmark run: its environment, the ingester counters around it, the
 * measurement through agentbench-measure, its status, and its journal events. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "http.h"
#include "measure.h"
#include "progress.h"
#include "run.h"
#include "steal.h"
#include "util.h"

extern char **environ;

static const char *const our_vars[] = {
    "PYROSCOPE_AGENT_BENCHMARK_ENABLE_PROFILING=", "PYROSCOPE_SERVER_ADDRESS=",
    "PYROSCOPE_APPLICATION_NAME=", "PYROSCOPE_UPLOAD_INTERVAL=", "AGENTBENCH_VARIANT=",
    "AGENTBENCH_RUN=", NULL};

static int ours(const char *kv) {
    for (int i = 0; our_vars[i]; i++)
        if (!strncmp(kv, our_vars[i], strlen(our_vars[i]))) return 1;
    return 0;
}

static const char *variant_url(suite *s, int vi) {
    if (s->is_remote) return s->remote.url;
    return s->ing && s->ing[vi].url ? s->ing[vi].url : NULL;
}

char **run_environment(suite *s, int bi, int vi, int run) {
    strlist env = {0};
    for (char **e = environ; *e; e++)
        if (!ours(*e)) strlist_add(&env, *e);
    const char *variant = s->o.variants.v[vi];
    int profiled = strcmp(variant, "baseline") != 0;
    if (profiled) strlist_add(&env, "PYROSCOPE_AGENT_BENCHMARK_ENABLE_PROFILING=1");
    const char *url = profiled ? variant_url(s, vi) : NULL;
    if (url) strlist_add_take(&env, xasprintf("PYROSCOPE_SERVER_ADDRESS=%s", url));
    strlist_add_take(&env, xasprintf("PYROSCOPE_APPLICATION_NAME=%s", s->bench[bi]->name));
    strlist_add_take(&env, xasprintf("PYROSCOPE_UPLOAD_INTERVAL=%g", s->o.upload_interval));
    strlist_add_take(&env, xasprintf("AGENTBENCH_VARIANT=%s", variant));
    strlist_add_take(&env, xasprintf("AGENTBENCH_RUN=%d", run));
    return env.v;   /* the strlist's array, NULL-terminated */
}

static void env_free(char **env) {
    for (char **e = env; e && *e; e++) free(*e);
    free(env);
}

void run_argv(suite *s, int bi, strlist *argv) {
    benchmark *b = s->bench[bi];
    strlist_add_take(argv, xasprintf("%s/run", b->dir));
    const char *args = s->o.quick && b->quick_args ? b->quick_args : b->args;
    if (args) strlist_split(argv, args, 1);
}

double run_timeout(suite *s, int bi) {
    if (s->o.timeout > 0) return s->o.timeout;
    if (s->bench[bi]->timeout > 0) return s->bench[bi]->timeout;
    return 300;
}

char *checksum_scan(const char *buf) {
    const char *last = NULL, *p = buf;
    while (p && *p) {
        if (!strncmp(p, "checksum:", 9)) last = p + 9;
        p = strchr(p, '\n');
        if (p) p++;
    }
    if (!last) return NULL;
    while (*last == ' ' || *last == '\t') last++;
    size_t len = strcspn(last, "\r\n");
    while (len && (last[len - 1] == ' ' || last[len - 1] == '\t')) len--;
    char *v = xmalloc(len + 1);
    memcpy(v, last, len);
    v[len] = 0;
    return v;
}

/* The tail of the log written by this run (from offset), at most 64 KiB of it. */
static char *read_log_from(int fd, off_t offset) {
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_size <= offset) return xstrdup("");
    off_t from = st.st_size - offset > 65536 ? st.st_size - 65536 : offset;
    size_t len = (size_t)(st.st_size - from);
    char *buf = xmalloc(len + 1);
    ssize_t n = pread(fd, buf, len, from);
    buf[n > 0 ? n : 0] = 0;
    return buf;
}

/* The counters that say "delivered" for this mode. */
static unsigned long long delivered(const char *measure, const ab_ingester_stats *a,
                                    const ab_ingester_stats *b) {
    if (!strcmp(measure, "profiles")) return b->profiles - a->profiles;
    return b->req_total - a->req_total;
}

static double eta(suite *s) {
    if (!s->runs_executed) return 0;
    double per = (mono_now() - s->first_run_at) / (double)s->runs_executed;
    unsigned long left = s->total > s->done ? s->total - s->done : 0;
    return per * (double)left;
}

int run_one(suite *s, int bi, int vi, int run, int planned, int warmup) {
    benchmark *b = s->bench[bi];
    const char *variant = s->o.variants.v[vi];
    int profiled = strcmp(variant, "baseline") != 0;
    char err[512];
    if (!s->first_run_at) s->first_run_at = mono_now();

    /* a remote ingester is switched to the variant's mode */
    if (s->is_remote && profiled && (!s->remote_mode || strcmp(s->remote_mode, variant))) {
        if (ingester_set_mode(s->remote.control, variant, s->o.slow_delay, err, sizeof err) < 0) {
            progress_warn("cannot switch the ingester to %s: %s", variant, err);
            suite_emit(s, "error", json_pack("{s:s,s:s,s:s}", "message", err, "benchmark",
                                             b->name, "variant", variant));
        } else {
            free(s->remote_mode);
            s->remote_mode = xstrdup(variant);
        }
    }

    if (profiled && ingester_ensure(s, vi) < 0)
        progress_warn("%s %s: running without a working ingester", b->name, variant);

    unsigned long seq = ++s->seq;
    suite_emit(s, "run_start",
               json_pack("{s:s,s:s,s:i,s:I,s:b,s:I,s:I}", "benchmark", b->name, "variant",
                         variant, "run", warmup ? 0 : run, "seq", (json_int_t)seq, "warmup",
                         warmup, "done", (json_int_t)s->done, "total", (json_int_t)s->total));
    progress_run_start(b->name, variant, run, planned, warmup, s->done, s->total, eta(s));

    /* the log of this benchmark x variant; the run's output is appended to it */
    char *logpath = xasprintf("%s/logs/%s.%s.log", s->dir, b->name, variant);
    int logfd = open(logpath, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (logfd < 0) {
        progress_warn("%s: %s", logpath, strerror(errno));
        logfd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    }
    dprintf(logfd, "=== %s %s %s %d (seq %lu)\n", b->name, variant, warmup ? "warm-up" : "run",
            run, seq);
    off_t offset = lseek(logfd, 0, SEEK_END);

    /* the ingester's counters before */
    const char *control = s->is_remote ? s->remote.control
                          : (s->ing && s->ing[vi].control ? s->ing[vi].control : NULL);
    const char *measure = profiled ? ingester_delivery_measure(variant) : NULL;
    ab_ingester_stats before = {0}, after = {0};
    int counted = 0;
    if (profiled && control) {
        if (ingester_counters_fetch(control, &before, err, sizeof err) == 0) counted = 1;
        else progress_warn("%s %s: ingester counters: %s", b->name, variant, err);
    }

    strlist argv = {0};
    run_argv(s, bi, &argv);
    char **env = run_environment(s, bi, vi, run);
    run_spec spec = {.argv = argv.v, .env = env, .cwd = b->dir, .cpus = s->cpu_bench,
                     .out_path = logpath, .timeout_s = run_timeout(s, bi)};
    run_result r;
    cpu_times st0 = {0}, st1 = {0};
    cpu_times_read(&st0);
    int rc = measure_run(&s->loop, &spec, &r, err, sizeof err);
    cpu_times_read(&st1);
    strlist_free(&argv);
    env_free(env);

    if (r.interrupted || s->interrupted) {
        close(logfd);
        free(logpath);
        return -1;
    }

    unsigned long long got = 0;
    if (counted) {
        /* what the agent sent just before it exited may still be in the ingester's hands */
        for (int i = 0; i < 10; i++) {
            if (ingester_counters_fetch(control, &after, err, sizeof err) < 0) {
                counted = 0;
                break;
            }
            got = measure ? delivered(measure, &before, &after) : 1;
            if (got || !measure || !benchmark_profiled(b)) break;
            usleep(30000);
        }
    }

    char *out = read_log_from(logfd, offset);
    char *checksum = checksum_scan(out);
    free(out);
    close(logfd);

    const char *status = "ok";
    if (rc < 0) {
        progress_warn("%s %s: %s", b->name, variant, err);
        suite_emit(s, "error", json_pack("{s:s,s:s,s:s}", "message", err, "benchmark", b->name,
                                         "variant", variant));
        status = "failed";
    } else if (r.timed_out) {
        status = "timeout";
    } else if (!r.exited) {
        status = "crashed";
    } else if (r.exit_code != 0) {
        status = "failed";
    }
    if (!strcmp(status, "ok") && checksum) {
        int is_base = !strcmp(variant, "baseline");
        if (!s->ref_checksum[bi] || (is_base && !s->ref_from_baseline[bi])) {
            if (s->ref_checksum[bi] && strcmp(s->ref_checksum[bi], checksum))
                progress_warn("%s: checksum of the baseline (%s) differs from an earlier "
                              "profiled run's (%s)", b->name, checksum, s->ref_checksum[bi]);
            free(s->ref_checksum[bi]);
            s->ref_checksum[bi] = xstrdup(checksum);
            s->ref_from_baseline[bi] = is_base;
        } else if (strcmp(s->ref_checksum[bi], checksum)) {
            status = "checksum";
            progress_warn("%s %s run %d: checksum %s differs from the baseline's %s", b->name,
                          variant, run, checksum, s->ref_checksum[bi]);
        }
    }
    if (!strcmp(status, "ok") && counted && measure && benchmark_profiled(b) && got == 0) {
        status = "no_profiles";
        progress_warn("WARNING: %s %s run %d: profiled, the ingester is reachable, but it "
                      "received no %s: the profiler never ran? (recorded as no_profiles, "
                      "not counted)", b->name, variant, run, measure);
    }

    if (!warmup) s->done++;
    s->runs_executed++;
    double e = eta(s);
    json_t *ev = json_pack(
        "{s:s,s:s,s:i,s:I,s:b,s:s,s:i,s:i,s:f,s:f,s:f,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
        "s:f,s:f}",
        "benchmark", b->name, "variant", variant, "run", warmup ? 0 : run, "seq",
        (json_int_t)seq, "warmup", warmup, "status", status, "exit_code",
        r.exited ? r.exit_code : 0, "signal", r.exited ? 0 : r.signal, "wall_s", r.wall_s,
        "user_s", r.user_s, "sys_s", r.sys_s, "maxrss_kb", (json_int_t)r.maxrss_kb, "nvcsw",
        (json_int_t)r.nvcsw, "nivcsw", (json_int_t)r.nivcsw, "minflt", (json_int_t)r.minflt,
        "majflt", (json_int_t)r.majflt, "profiles",
        (json_int_t)(counted ? after.profiles - before.profiles : 0), "samples",
        (json_int_t)(counted ? after.samples - before.samples : 0), "done",
        (json_int_t)s->done, "total", (json_int_t)s->total, "eta_s", e, "steal_pct",
        steal_pct(&st0, &st1));
    json_object_set_new(ev, "checksum", checksum ? json_string(checksum) : json_null());
    if (counted && measure && strcmp(measure, "profiles"))
        json_object_set_new(ev, "requests",
                            json_integer((json_int_t)(after.req_total - before.req_total)));
    suite_emit(s, "run_end", ev);
    progress_run_end(b->name, variant, run, planned, warmup, status, r.wall_s, s->done,
                     s->total, e);
    free(checksum);
    free(logpath);
    return 0;
}
