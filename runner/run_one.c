/* run_one.c: one benchmark run, in steps: make sure the variant's ingester is there;
 * run_start; open the cell's log; take the ingester's counters (and the application's,
 * with the agent's stacks so far for a ground truth: run_profile.c); measure the run
 * through agentbench-measure (with /proc/stat steal around it; under perf in the perf
 * variant; a service benchmark through service/service.h); take the counters again (what
 * the agent sent just before it exited may still be in flight); read the run's checksum
 * (and its work_end line: the exit delay) from its output; its profile against the ground
 * truth and the samples lost; decide its status (failed, crashed, timeout, a checksum
 * other than the baseline's, or profiled with nothing delivered); run_end. A batch run
 * killed at its timeout after its work_end and checksum lines is not a timeout: the agent
 * kept it from exiting, and its exit delay is recorded as a lower bound (exit_blocked). A
 * run interrupted by Ctrl-C or SIGTERM leaves a run_start without its run_end: it never
 * counted. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "events.h"
#include "clock.h"
#include "http.h"
#include "measure.h"
#include "profiler.h"
#include "progress.h"
#include "run.h"
#include "service/service.h"
#include "steal.h"
#include "util.h"
#include "variant.h"

extern char **environ;

static const char *const our_vars[] = {"PYROSCOPE_AGENT_BENCHMARK_ENABLE_PROFILING=",
                                       "PYROSCOPE_SERVER_ADDRESS=",
                                       "PYROSCOPE_APPLICATION_NAME=",
                                       "PYROSCOPE_UPLOAD_INTERVAL=",
                                       "AGENTBENCH_VARIANT=",
                                       "AGENTBENCH_RUN=",
                                       "AGENTBENCH_RUN_ID=",
                                       NULL};

static int ours(const char *kv, char *const *extra) {
    for (int i = 0; our_vars[i]; i++)
        if (!strncmp(kv, our_vars[i], strlen(our_vars[i]))) return 1;
    for (int i = 0; extra && extra[i]; i++) {
        size_t n = strcspn(extra[i], "=") + 1;
        if (!strncmp(kv, extra[i], n)) return 1;
    }
    return rn_profiler_owns_var(kv);
}

const ab_profiler *rn_run_profiler(suite *s, int bi, int vi) {
    return rn_run_profiler_of(s, bi, s->o.variants.v[vi]);
}

const ab_profiler *rn_run_profiler_of(suite *s, int bi, const char *v) {
    if (!rn_variant_has_agent(v) || !rn_benchmark_profiled(s->bench[bi])) return NULL;
    const char *name = rn_variant_profiler(v);
    return rn_profiler_find(name ? name : rn_benchmark_default_profiler(s->bench[bi]));
}

char **rn_run_environment(suite *s, int bi, int vi, int run) {
    const char *variant = s->o.variants.v[vi];
    return rn_run_environment_of(s, bi, variant,
                                 rn_variant_has_agent(variant) ? rn_ingester_url_of(s, vi) : NULL,
                                 run, NULL);
}

char **rn_run_environment_of(suite *s, int bi, const char *variant, const char *url, int run,
                             char *const *extra) {
    strlist env = {0};
    for (char **e = environ; *e; e++)
        if (!ours(*e, extra)) rn_strlist_add(&env, *e);
    for (int i = 0; extra && extra[i]; i++) rn_strlist_add(&env, extra[i]);
    if (rn_variant_has_agent(variant))
        rn_strlist_add(&env, "PYROSCOPE_AGENT_BENCHMARK_ENABLE_PROFILING=1");
    if (url) rn_strlist_add_take(&env, rn_xasprintf("PYROSCOPE_SERVER_ADDRESS=%s", url));
    rn_strlist_add_take(&env, rn_xasprintf("PYROSCOPE_APPLICATION_NAME=%s", s->bench[bi]->name));
    if (s->o.upload_interval > 0) /* else the agents' own: --upload-interval changes them */
        rn_strlist_add_take(&env,
                            rn_xasprintf("PYROSCOPE_UPLOAD_INTERVAL=%g", s->o.upload_interval));
    const ab_profiler *p = rn_run_profiler_of(s, bi, variant);
    if (p) rn_profiler_env(p, &env, url, s->bench[bi]->name, s->o.upload_interval);
    rn_strlist_add_take(&env, rn_xasprintf("AGENTBENCH_VARIANT=%s", variant));
    rn_strlist_add_take(&env, rn_xasprintf("AGENTBENCH_RUN=%d", run));
    /* the run's marker, inherited by whatever it starts: the helper finds its leftovers by
     * it where the host gives no cgroup (doc/measurement.md) */
    rn_strlist_add_take(&env, rn_xasprintf("AGENTBENCH_RUN_ID=%s.%lu", s->id, s->seq));
    return env.v; /* the strlist's array, NULL-terminated */
}

void rn_run_environment_free(char **env) {
    for (char **e = env; e && *e; e++) free(*e);
    free(env);
}

void rn_run_argv(suite *s, int bi, strlist *argv) {
    benchmark *b = s->bench[bi];
    rn_strlist_add_take(argv, rn_xasprintf("%s/run", b->dir));
    const char *args = s->o.quick && b->quick_args ? b->quick_args : b->args;
    if (args) rn_strlist_split(argv, args, 1);
}

double rn_run_timeout(suite *s, int bi) {
    if (s->o.timeout > 0) return s->o.timeout;
    if (s->bench[bi]->timeout > 0) return s->bench[bi]->timeout;
    return 300;
}

char *rn_checksum_scan(const char *buf) {
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
    char *v = rn_xmalloc(len + 1);
    memcpy(v, last, len);
    v[len] = 0;
    return v;
}

int rn_work_end_scan(const char *buf, double *t) {
    const char *last = NULL;
    for (const char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (!strncmp(p, "work_end:", 9)) last = p + 9;
    char *end;
    double v = last ? strtod(last, &end) : 0;
    if (!last || end == last || !(v > 0)) return -1;
    *t = v;
    return 0;
}

/* The tail of the log written by this run (from offset), at most 64 KiB of it. */
static char *read_log_from(int fd, off_t offset) {
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_size <= offset) return rn_xstrdup("");
    off_t from = st.st_size - offset > 65536 ? st.st_size - 65536 : offset;
    size_t len = (size_t)(st.st_size - from);
    char *buf = rn_xmalloc(len + 1);
    ssize_t n = pread(fd, buf, len, from);
    buf[n > 0 ? n : 0] = 0;
    return buf;
}

typedef struct one_run {
    suite *s;
    int bi, vi, run, planned, warmup, profiled;
    benchmark *b;
    const char *variant;
    unsigned long seq;
    char *logpath;
    int logfd;
    off_t log_offset; /* where this run's output starts in the log */
    /* the ingester's counters around the run */
    const char *control, *measure; /* measure: rn_ingester_delivery_measure(), or NULL */
    ab_ingester_stats before, after;
    ab_ingester_app_stats app_before, app_after; /* the benchmark's application */
    ab_ingester_type_stats types_before[AB_INGESTER_MAX_TYPES], types_after[AB_INGESTER_MAX_TYPES];
    int counted;            /* both readings were taken */
    run_profile prof;       /* against the ground truth; the agent's lost samples */
    unsigned long long got; /* delivered, by measure */
    /* the measurement */
    int rc; /* rn_measure_run's */
    run_result r;
    char err[512];
    cpu_times st0, st1;
    char *checksum;
    const char *status;
    /* the exit delay (end of work or SIGTERM to exit) and a service run's figures */
    int has_exit_delay, exit_blocked;
    double exit_delay;
    int is_service;
    service_run svc;
} one_run;

static double eta(suite *s) {
    if (!s->runs_executed) return 0;
    double per = (ab_mono_s() - s->first_run_at) / (double)s->runs_executed;
    unsigned long left = s->total > s->done ? s->total - s->done : 0;
    return per * (double)left;
}

static void emit_run_start(one_run *x) {
    suite *s = x->s;
    ab_ev_run_start e = {.benchmark = x->b->name,
                         .variant = x->variant,
                         .run = x->warmup ? 0 : x->run,
                         .seq = (json_int_t)x->seq,
                         .warmup = x->warmup,
                         .done = (json_int_t)s->done,
                         .total = (json_int_t)s->total};
    rn_suite_emit(s, ab_ev_run_start_json(&e));
    rn_progress_run_start(x->b->name, x->variant, x->run, x->planned, x->warmup, s->done, s->total,
                          eta(s));
}

/* The log of this benchmark x variant, a header line for the run, and where its output
 * will start. */
static void open_log(one_run *x) {
    char token[256];
    x->logpath = rn_xasprintf("%s/logs/%s.%s.log", x->s->dir, x->b->name,
                              rn_variant_file_token(x->variant, token, sizeof token));
    x->logfd = open(x->logpath, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (x->logfd < 0) {
        rn_progress_warn("%s: %s", x->logpath, strerror(errno));
        x->logfd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    }
    dprintf(x->logfd, "=== %s %s %s %d (seq %lu)\n", x->b->name, x->variant,
            x->warmup ? "warm-up" : "run", x->run, x->seq);
    x->log_offset = lseek(x->logfd, 0, SEEK_END);
}

/* The counters that say "delivered" for this mode. */
static unsigned long long delivered(const one_run *x) {
    if (!strcmp(x->measure, "profiles")) return x->after.profiles - x->before.profiles;
    return x->after.req_total - x->before.req_total;
}

static void counters_before(one_run *x) {
    char mode[64];
    x->control = x->profiled ? rn_ingester_control_of(x->s, x->vi) : NULL;
    x->measure = x->profiled
                     ? rn_ingester_delivery_measure(rn_variant_mode(x->variant, mode, sizeof mode))
                     : NULL;
    if (!x->control) return;
    char err[512];
    if (rn_ingester_counters_fetch_app(x->control, x->b->name, &x->before, &x->app_before,
                                       x->types_before, err, sizeof err) == 0)
        x->counted = 1;
    else rn_progress_warn("%s %s: ingester counters: %s", x->b->name, x->variant, err);
}

/* After the run: what the agent sent just before it exited may still be in the
 * ingester's hands, so a profiled run that delivered nothing is asked again (~0.3 s). */
static void counters_after(one_run *x) {
    if (!x->counted) return;
    char err[512];
    for (int i = 0; i < 10; i++) {
        if (rn_ingester_counters_fetch_app(x->control, x->b->name, &x->after, &x->app_after,
                                           x->types_after, err, sizeof err) < 0) {
            x->counted = 0;
            return;
        }
        x->got = x->measure ? delivered(x) : 1;
        if (x->got || !x->measure || !rn_benchmark_profiled(x->b)) return;
        usleep(30000);
    }
}

static void measure(one_run *x) {
    suite *s = x->s;
    strlist argv = {0};
    rn_run_argv(s, x->bi, &argv);
    char **env = rn_run_environment_of(s, x->bi, x->variant,
                                       x->profiled ? rn_ingester_url_of(s, x->vi) : NULL, x->run,
                                       x->prof.extra_env);
    char **args = rn_run_profile_argv(s, &x->prof, argv.v);
    run_spec spec = {.argv = args,
                     .env = env,
                     .cwd = x->b->dir,
                     .cpus = s->cpu_bench,
                     .out_path = x->logpath,
                     .timeout_s = rn_run_timeout(s, x->bi)};
    rn_cpu_times_read(&x->st0);
    if (x->is_service)
        x->rc = rn_service_measure(s, x->bi, x->vi, x->warmup, args, env, x->logpath, x->logfd,
                                   &x->r, &x->svc, x->err, sizeof x->err);
    else x->rc = rn_measure_run(&s->loop, &spec, &x->r, x->err, sizeof x->err);
    rn_cpu_times_read(&x->st1);
    if (args != argv.v) free(args);
    rn_strlist_free(&argv);
    rn_run_environment_free(env);
}

/* The checksum against the benchmark's reference: the first ok run's sets it, and a
 * baseline run's replaces a profiled run's. "checksum" when it differs. */
static const char *check_checksum(one_run *x) {
    suite *s = x->s;
    int bi = x->bi, is_base = !strcmp(x->variant, "baseline");
    if (!s->ref_checksum[bi] || (is_base && !s->ref_from_baseline[bi])) {
        if (s->ref_checksum[bi] && strcmp(s->ref_checksum[bi], x->checksum))
            rn_progress_warn("%s: checksum of the baseline (%s) differs from an earlier "
                             "profiled run's (%s)",
                             x->b->name, x->checksum, s->ref_checksum[bi]);
        free(s->ref_checksum[bi]);
        s->ref_checksum[bi] = rn_xstrdup(x->checksum);
        s->ref_from_baseline[bi] = is_base;
        return "ok";
    }
    if (!strcmp(s->ref_checksum[bi], x->checksum)) return "ok";
    rn_progress_warn("%s %s run %d: checksum %s differs from the baseline's %s", x->b->name,
                     x->variant, x->run, x->checksum, s->ref_checksum[bi]);
    return "checksum";
}

/* The end of the run's work (its work_end line, the helper's clock) to its exit: a batch
 * run's exit delay, when the line is there and falls inside the run. */
static void batch_exit_delay(one_run *x, const char *out) {
    double t;
    if (rn_work_end_scan(out, &t) < 0 || x->r.t_end <= 0) return;
    if (t < x->r.t_start || t > x->r.t_end) {
        rn_progress_warn("%s %s run %d: its work_end (%.6f) is not within the run (%.6f to "
                         "%.6f): no exit delay",
                         x->b->name, x->variant, x->run, t, x->r.t_start, x->r.t_end);
        return;
    }
    x->exit_delay = x->r.t_end - t;
    x->has_exit_delay = 1;
    x->exit_blocked = x->r.timed_out && x->checksum;
}

static const char *run_status(one_run *x) {
    if (x->rc < 0) {
        rn_progress_warn("%s %s: %s", x->b->name, x->variant, x->err);
        rn_suite_error(x->s, x->err, x->b->name, x->variant);
        return "failed";
    }
    if (x->is_service) {
        const char *st = rn_service_status(&x->svc, &x->r, x->checksum);
        if (strcmp(st, "ok")) {
            if (x->warmup)
                rn_progress_warn("%s %s warm-up: %s", x->b->name, x->variant, x->svc.reason);
            else
                rn_progress_warn("%s %s run %d: %s", x->b->name, x->variant, x->run, x->svc.reason);
            return st;
        }
        if (x->svc.note[0]) /* ok, but its checksum was not compared */
            rn_progress_warn("%s %s %s %d: %s", x->b->name, x->variant,
                             x->warmup ? "warm-up" : "run", x->run, x->svc.note);
    } else if (!x->exit_blocked) { /* blocked: killed after its work, checksum printed */
        if (x->r.timed_out) return "timeout";
        if (!x->r.exited) return "crashed";
        if (x->r.exit_code != 0) return "failed";
    }
    if (!x->is_service && x->checksum && strcmp(check_checksum(x), "ok")) return "checksum";
    if (x->counted && x->measure && rn_benchmark_profiled(x->b) && x->got == 0) {
        rn_progress_warn("WARNING: %s %s run %d: profiled, the ingester is reachable, but it "
                         "received no %s: the profiler never ran? (recorded as no_profiles, "
                         "not counted)",
                         x->b->name, x->variant, x->run, x->measure);
        return "no_profiles";
    }
    return "ok";
}

/* What went wrong around the run without failing it: the processes it left running (the
 * helper killed them), its output cut in the log. Each said now, and kept in run_end. */
static json_t *run_warnings(one_run *x) {
    const run_result *r = &x->r;
    json_t *w = json_array();
    char text[400];
    if (r->leftover > 0) {
        snprintf(text, sizeof text,
                 "%ld process%s outlived the run and %s killed (found by "
                 "%s): %s",
                 r->leftover, r->leftover == 1 ? "" : "es", r->leftover == 1 ? "was" : "were",
                 strcmp(r->tracking, "cgroup") ? "process tree and AGENTBENCH_RUN_ID" : "cgroup",
                 r->leftover_names);
        json_array_append_new(w, json_string(text));
    }
    if (r->log_cut > 0) {
        char token[256];
        snprintf(text, sizeof text,
                 "%lld bytes of its output were cut from logs/%s.%s.log "
                 "(its first and last 256 KiB are kept)",
                 r->log_cut, x->b->name, rn_variant_file_token(x->variant, token, sizeof token));
        json_array_append_new(w, json_string(text));
    }
    size_t i;
    json_t *t;
    json_array_foreach(w, i, t)
        rn_progress_warn("%s %s %s %d: %s", x->b->name, x->variant, x->warmup ? "warm-up" : "run",
                         x->run, json_string_value(t));
    return w;
}

static void emit_run_end(one_run *x) {
    suite *s = x->s;
    if (!x->warmup) s->done++;
    s->runs_executed++;
    double e = eta(s);
    const run_result *r = &x->r;
    ab_ev_run_end re = {
        .benchmark = x->b->name,
        .variant = x->variant,
        .run = x->warmup ? 0 : x->run,
        .seq = (json_int_t)x->seq,
        .warmup = x->warmup,
        .status = x->status,
        .exit_code = r->exited ? r->exit_code : 0,
        .signal = r->exited ? 0 : r->signal,
        .wall_s = r->wall_s,
        .user_s = r->user_s,
        .sys_s = r->sys_s,
        .maxrss_kb = r->maxrss_kb,
        .nvcsw = r->nvcsw,
        .nivcsw = r->nivcsw,
        .minflt = r->minflt,
        .majflt = r->majflt,
        .profiles = (json_int_t)(x->counted ? x->after.profiles - x->before.profiles : 0),
        .samples = (json_int_t)(x->counted ? x->after.samples - x->before.samples : 0),
        .done = (json_int_t)s->done,
        .total = (json_int_t)s->total,
        .eta_s = e,
        .steal_pct = rn_steal_pct(&x->st0, &x->st1),
        .checksum = x->checksum};
    const ab_profiler *p = rn_run_profiler(s, x->bi, x->vi);
    if (p) re.profiler = p->name;
    if (x->counted && x->measure && strcmp(x->measure, "profiles")) {
        re.requests = (json_int_t)(x->after.req_total - x->before.req_total);
        re.has.requests = 1;
    }
    if (x->is_service) rn_service_run_end(&x->svc, &re);
    if (x->has_exit_delay) {
        re.exit_delay_s = x->exit_delay;
        re.has.exit_delay_s = 1;
        re.exit_blocked = x->exit_blocked;
        re.has.exit_blocked = 1;
    }
    json_t *warnings = run_warnings(x);
    re.leftover = r->leftover;
    re.has.leftover = r->leftover > 0;
    re.log_cut = r->log_cut;
    re.has.log_cut = r->log_cut > 0;
    re.migrations = r->migrations;
    re.has.migrations = r->reported && r->migrations >= 0;
    re.warnings = json_array_size(warnings) ? warnings : NULL;
    rn_run_profile_fields(&x->prof, &re);
    rn_suite_emit(s, ab_ev_run_end_json(&re));
    json_decref(warnings);
    if (s->journal_errno) { /* not recorded (rn_suite_emit said so): not done either */
        if (!x->warmup) s->done--;
        return;
    }
    rn_progress_run_end(x->b->name, x->variant, x->run, x->planned, x->warmup, x->status, r->wall_s,
                        s->done, s->total, e);
}

int rn_run_one(suite *s, int bi, int vi, int run, int planned, int warmup) {
    one_run x = {.s = s,
                 .bi = bi,
                 .vi = vi,
                 .run = run,
                 .planned = planned,
                 .warmup = warmup,
                 .b = s->bench[bi],
                 .variant = s->o.variants.v[vi]};
    x.profiled = rn_variant_has_agent(x.variant);
    x.is_service = x.b->kind == KIND_SERVICE;
    if (!s->first_run_at) s->first_run_at = ab_mono_s();
    if (x.profiled && rn_ingester_ensure(s, bi, vi) < 0) {
        if (s->stop) return -1; /* stop_why says why; nothing of this run is recorded */
        rn_progress_warn("%s %s: running without a working ingester", x.b->name, x.variant);
    }
    x.seq = ++s->seq;
    emit_run_start(&x);
    if (s->stop) return -1; /* run_start could not be written: the suite stops */
    open_log(&x);
    rn_run_profile_begin(s, bi, vi, x.seq, &x.prof);
    counters_before(&x);
    rn_run_profile_before(s, bi, &x.prof, &x.app_before, x.counted);
    measure(&x);
    int interrupted = x.r.interrupted || s->interrupted;
    if (!interrupted) {
        counters_after(&x);
        char *out = read_log_from(x.logfd, x.log_offset);
        x.checksum = rn_checksum_scan(out);
        if (x.is_service) {
            rn_service_take_output(&x.svc, out);
            x.has_exit_delay = rn_service_exit_delay(&x.r, &x.exit_delay, &x.exit_blocked);
        } else {
            batch_exit_delay(&x, out);
        }
        free(out);
        rn_run_profile_after(s, bi, &x.prof, &x.app_before, &x.app_after, x.counted);
    }
    close(x.logfd);
    if (!interrupted) {
        x.status = run_status(&x);
        emit_run_end(&x);
    }
    rn_run_profile_free(&x.prof);
    free(x.checksum);
    free(x.logpath);
    if (x.is_service) rn_service_run_free(&x.svc);
    return interrupted ? -1 : 0;
}
