/* run.c: `agentbench run`: the suite: options, results directory and journal, ingesters,
 * and the loop over benchmarks, rounds and variants (shuffled or blocked, fixed counts or
 * until the CIs are tight), with Ctrl-C/SIGTERM handling and --resume. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/random.h>
#include "baseline/baseline.h"
#include "commands.h"
#include "cpulist.h"
#include "events.h"
#include "flamegraph/flamegraph.h"
#include "measure.h"
#include "plan.h"
#include "progress.h"
#include "report.h"
#include "run.h"
#include "suitedir.h"
#include "util.h"

void suite_emit(suite *s, json_t *ev) {
    if (!ev) return;
    /* every event is fsync'd before the runner goes on, except run_start: losing it in a
     * crash loses nothing measured, and the run's run_end (fsync'd) syncs it too */
    if (ab_journal_put(s->journal, ev, ab_event_id_of(ev) != AB_EV_RUN_START) < 0)
        progress_warn("cannot write the journal: %s", strerror(errno));
    ab_results_add(s->results, ev);   /* the same event: the model keeps the file's "t" */
    json_decref(ev);
}

void suite_error(suite *s, const char *message, const char *benchmark, const char *variant) {
    ab_ev_error e = {.message = message, .benchmark = benchmark, .variant = variant};
    suite_emit(s, ab_ev_error_json(&e));
}

/* ingester_start or ingester_stop (as built by build) of g, in mode. */
static void emit_ingester(suite *s, json_t *(*build)(const ab_ev_ingester *), const ingester *g,
                          const char *mode) {
    ab_ev_ingester e = {.name = g->name, .mode = mode, .url = g->url, .control = g->control,
                        .pid = g->pid};
    suite_emit(s, build(&e));
}

static void on_signal(uv_signal_t *h, int signum) {
    suite *s = h->data;
    if (!s->interrupted)
        progress_warn("%s: stopping (the run in progress is not counted)",
                      signum == SIGINT ? "interrupted" : "terminated");
    s->interrupted = signum;
    measure_interrupt();
}

/* ---- setting up ------------------------------------------------------------------- */

static json_t *strlist_json(const strlist *l) {
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++) json_array_append_new(a, json_string(l->v[i]));
    return a;
}

/* --resume: take the suite's options from its first suite_start. */
static int load_resume(suite *s, const char *arg, char *journal_out, size_t jlen) {
    char err[512];
    char *jp = suite_journal_find(arg, err, sizeof err);
    if (!jp) {
        fprintf(stderr, "agentbench run --resume: %s\n", err);
        return 2;
    }
    snprintf(journal_out, jlen, "%s", jp);
    free(jp);
    ab_results *r = ab_results_load(journal_out, err, sizeof err);
    if (!r || !r->suite_start) {
        fprintf(stderr, "agentbench run --resume: %s: %s\n", journal_out,
                r ? "no suite_start event in it" : err);
        ab_results_free(r);
        return 2;
    }
    json_t *ss = r->suite_start;
    strlist args = {0};
    strlist_add(&args, "run");
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(ss, "argv"), i, a)
        if (json_is_string(a)) strlist_add(&args, json_string_value(a));
    int quiet = s->o.quiet;
    run_options_free(&s->o);
    int rc = run_options_parse(&s->o, (int)args.n, args.v);
    strlist_free(&args);
    if (rc) {
        ab_results_free(r);
        return 2;
    }
    s->o.quiet |= quiet;
    /* the benchmark directories as resolved then (the cwd may differ now) */
    json_t *dirs = json_object_get(ss, "benchmark_dirs");
    if (json_array_size(dirs)) {
        strlist_free(&s->o.dirs);
        json_array_foreach(dirs, i, a)
            if (json_is_string(a)) strlist_add(&s->o.dirs, json_string_value(a));
    }
    s->o.seed = (uint64_t)json_integer_value(json_object_get(ss, "seed"));
    s->o.seed_given = 1;
    const char *id = json_string_value(json_object_get(ss, "suite"));
    snprintf(s->id, sizeof s->id, "%s", id ? id : "");
    ab_results_free(r);

    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s", journal_out) >= (int)sizeof tmp) return 2;
    snprintf(s->dir, sizeof s->dir, "%s", dirname(tmp));
    char abs[PATH_MAX];
    if (realpath(s->dir, abs)) snprintf(s->dir, sizeof s->dir, "%s", abs);
    snprintf(tmp, sizeof tmp, "%s", s->dir);
    snprintf(s->results_dir, sizeof s->results_dir, "%s", dirname(tmp));
    return 0;
}

static int start_one_ingester(suite *s, int vi) {
    char err[512];
    const char *v = s->o.variants.v[vi];
    char *logpath = xasprintf("%s/logs/ingester-%s.log", s->dir, v);
    int logfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    free(logpath);
    int rc = ingester_start(&s->loop, &s->ing[vi], s->ingester_bin, s->helper, v, v,
                            s->o.slow_delay, s->cpu_ingester, logfd, err, sizeof err);
    if (logfd >= 0) close(logfd);
    if (rc < 0) {
        progress_warn("variant %s: %s", v, err);
        suite_error(s, err, NULL, v);
        return -1;
    }
    emit_ingester(s, ab_ev_ingester_start_json, &s->ing[vi], v);
    return 0;
}

static int start_ingesters(suite *s) {
    char err[512];
    if (s->is_remote) {
        ingester_remote(&s->remote, s->o.ingester_url, s->o.ingester_control);
        if (ingester_wait_healthy(s->remote.control, 5) < 0) {
            snprintf(err, sizeof err, "the ingester's control endpoint %s/healthz does not answer",
                     s->remote.control);
            progress_warn("%s", err);
            suite_error(s, err, NULL, NULL);
            return -1;
        }
        emit_ingester(s, ab_ev_ingester_start_json, &s->remote, "fast");
        return 0;
    }
    s->ing = xcalloc((size_t)s->nvar, sizeof *s->ing);
    for (int vi = 0; vi < s->nvar && !s->interrupted; vi++) {
        if (!strcmp(s->o.variants.v[vi], "baseline")) continue;
        if (start_one_ingester(s, vi) < 0) return -1;
    }
    return 0;
}

int ingester_ensure(suite *s, int vi) {
    if (s->is_remote || !s->ing || !s->ing[vi].spawned || !s->ing[vi].exited) return 0;
    ingester *g = &s->ing[vi];
    char *msg = xasprintf("the %s ingester (pid %d) exited with status %d; restarting it",
                          g->name, g->pid, (int)g->exit_status);
    progress_warn("%s", msg);
    suite_error(s, msg, NULL, g->name);
    free(msg);
    ingester_stop(&s->loop, g);
    emit_ingester(s, ab_ev_ingester_stop_json, g, g->mode);
    ingester_free(g);
    return start_one_ingester(s, vi);
}

static void stop_ingesters(suite *s) {
    if (s->is_remote) {
        if (s->remote.control) {
            emit_ingester(s, ab_ev_ingester_stop_json, &s->remote,
                          s->remote_mode ? s->remote_mode : "fast");
            ingester_free(&s->remote);
        }
        return;
    }
    for (int vi = 0; s->ing && vi < s->nvar; vi++) {
        ingester *g = &s->ing[vi];
        if (!g->spawned) continue;
        ingester_stop(&s->loop, g);
        emit_ingester(s, ab_ev_ingester_stop_json, g, g->mode);
        ingester_free(g);
    }
}

/* ---- the loop ----------------------------------------------------------------------- */

static int build_benchmark(suite *s, int bi) {
    benchmark *b = s->bench[bi];
    ab_ev_build ev = {.benchmark = b->name, .status = "none"};
    if (!b->has_build) {
        suite_emit(s, ab_ev_build_json(&ev));
        return 0;
    }
    progress_info("%s: building", b->name);
    char *logpath = xasprintf("%s/logs/%s.build.log", s->dir, b->name);
    char *build = xasprintf("%s/build", b->dir);
    char *argv[] = {build, NULL};
    extern char **environ;
    run_spec spec = {.argv = argv, .env = environ, .cwd = b->dir, .cpus = NULL,
                     .out_path = logpath, .timeout_s = 1800};
    run_result r;
    char err[512] = "";
    int rc = measure_run(&s->loop, &spec, &r, err, sizeof err);
    free(build);
    if (s->interrupted) {
        free(logpath);
        return -1;
    }
    int ok = rc == 0 && r.exited && r.exit_code == 0;
    if (!ok) {
        if (rc == 0)
            snprintf(err, sizeof err, "build %s (see %s)",
                     r.timed_out ? "timed out" : r.exited ? "failed" : "crashed", logpath);
        progress_warn("%s: %s; its runs are skipped", b->name, err);
        s->build_failed = 1;
    }
    ev.status = ok ? "ok" : "failed";
    ev.seconds = r.wall_s;
    ev.message = ok ? NULL : err;
    suite_emit(s, ab_ev_build_json(&ev));
    free(logpath);
    return ok ? 0 : 1;
}

/* Is the variant's 95% CI of the median within +-target% of the median? */
static int ci_tight(suite *s, int bi, int vi, int min_runs) {
    ab_cell *c = ab_results_find(s->results, s->bench[bi]->name, s->o.variants.v[vi]);
    if (!c || (int)c->n < min_runs || c->n < 6) return 0;
    ab_cell_stats st;
    ab_results_cell_stats(s->results, c, &st);
    if (st.wall.median <= 0) return 1;
    double half = (st.wall.ci_high - st.wall.ci_low) / 2;
    return half / st.wall.median * 100 <= s->o.target_ci;
}

/* Runs of cell (bi,vi) so far: replayed from the journal count first. */
static int take_resumed(int *counter) {
    if (*counter > 0) {
        (*counter)--;
        return 1;
    }
    return 0;
}

static void write_summaries(suite *s, int bi) {
    if (s->summarized[bi]) return;
    s->summarized[bi] = 1;
    for (int vi = 0; vi < s->nvar; vi++) {
        ab_cell *c = ab_results_find(s->results, s->bench[bi]->name, s->o.variants.v[vi]);
        if (!c) continue;
        json_t *figures = report_cell_json(s->results, c);
        ab_ev_summary e = {.benchmark = c->benchmark, .variant = c->variant, .figures = figures};
        suite_emit(s, ab_ev_summary_json(&e));
        json_decref(figures);
    }
}

static void capture_flamegraphs(suite *s, int bi) {
    benchmark *b = s->bench[bi];
    char *outdir = xasprintf("%s/flamegraphs", s->dir);
    mkdir_p(outdir);
    int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char *base_folded = NULL;
    for (int vi = 0; vi < s->nvar && !s->interrupted; vi++) {
        const char *v = s->o.variants.v[vi];
        char *label = xasprintf("%s-%s", b->name, v), *title = xasprintf("%s, %s", b->name, v);
        strlist argv = {0};
        run_argv(s, bi, &argv);
        char **env = run_environment(s, bi, vi, 0);
        char err[512] = "";
        progress_info("%s %s: capturing a flame graph", b->name, v);
        if (chdir(b->dir) < 0) {}
        long n = fg_capture_command(argv.v, env, outdir, label, title, err, sizeof err);
        if (cwd >= 0 && fchdir(cwd) < 0) {}
        if (n < 0) {
            progress_warn("%s %s: flame graph: %s", b->name, v, err);
            suite_error(s, err, b->name, v);
        } else {
            char *folded = xasprintf("%s/%s.folded", outdir, label);
            char *svg_rel = xasprintf("flamegraphs/%s.svg", label);
            char *folded_rel = xasprintf("flamegraphs/%s.folded", label);
            char *diff_rel = NULL;
            if (!strcmp(v, "baseline")) {
                free(base_folded);
                base_folded = xstrdup(folded);
            } else if (base_folded) {
                if (fg_diff(base_folded, folded, outdir, label, title, err, sizeof err) < 0)
                    progress_warn("%s %s: differential flame graph: %s", b->name, v, err);
                else
                    diff_rel = xasprintf("flamegraphs/%s.diff.svg", label);
            }
            ab_ev_flamegraph e = {.benchmark = b->name, .variant = v, .svg = svg_rel,
                                  .folded = folded_rel, .samples = n, .diff_svg = diff_rel};
            suite_emit(s, ab_ev_flamegraph_json(&e));
            free(svg_rel);
            free(folded_rel);
            free(diff_rel);
            free(folded);
        }
        for (char **e = env; *e; e++) free(*e);
        free(env);
        strlist_free(&argv);
        free(label);
        free(title);
    }
    if (cwd >= 0) close(cwd);
    free(base_folded);
    free(outdir);
}

static int run_benchmark(suite *s, int bi) {
    int nv = s->nvar;
    int *res_m = s->resumed_measured + bi * nv, *res_w = s->resumed_warmup + bi * nv;
    int target = s->o.target_ci > 0;
    int planned = s->o.runs;                /* max_runs with a target CI */
    int min_runs = target ? s->o.min_runs : planned;
    int *order = xcalloc((size_t)nv, sizeof *order);
    int *count = xcalloc((size_t)nv, sizeof *count);   /* measured runs per variant */
    rng r;
    plan_rng(&r, s->o.seed, bi);

    /* warm-up: baseline first (its checksum is the reference), never counted */
    for (int w = 0; w < s->o.warmup && !s->interrupted; w++)
        for (int vi = 0; vi < nv && !s->interrupted; vi++)
            if (!take_resumed(&res_w[vi])) run_one(s, bi, vi, 0, planned, 1);

    if (s->o.shuffled) {
        for (int round = 1; round <= planned && !s->interrupted; round++) {
            plan_round(&r, 1, order, nv);
            for (int k = 0; k < nv && !s->interrupted; k++) {
                int vi = order[k];
                count[vi]++;
                if (!take_resumed(&res_m[vi])) run_one(s, bi, vi, round, planned, 0);
            }
            if (target && round >= min_runs) {
                int all = 1;
                for (int vi = 0; vi < nv && all; vi++) all = ci_tight(s, bi, vi, min_runs);
                if (all) break;
            }
        }
    } else {
        for (int vi = 0; vi < nv && !s->interrupted; vi++)
            for (int run = 1; run <= planned && !s->interrupted; run++) {
                count[vi]++;
                if (!take_resumed(&res_m[vi])) run_one(s, bi, vi, run, planned, 0);
                if (target && run >= min_runs && ci_tight(s, bi, vi, min_runs)) break;
            }
    }
    if (!s->interrupted && target) {
        /* stopped early: the runs not needed leave the plan */
        unsigned long unused = 0;
        for (int vi = 0; vi < nv; vi++) unused += (unsigned long)(planned - count[vi]);
        s->total -= unused < s->total ? unused : 0;
    }
    free(order);
    free(count);
    if (s->interrupted) return -1;
    write_summaries(s, bi);
    if (s->o.flamegraph) capture_flamegraphs(s, bi);
    return 0;
}

/* ---- the command -------------------------------------------------------------------- */

static uint64_t random_seed(void) {
    uint64_t v = 0;
    if (getrandom(&v, sizeof v, 0) != sizeof v) v = (uint64_t)(wall_now() * 1e6) ^ (uint64_t)getpid();
    return v & 0xffffffffffffULL;   /* short enough to type */
}

static void print_measured(suite *s) {
    progress_clear();
    fflush(stderr);
    report_print(stdout, s->results, REPORT_TABLE);
    printf("suite: %s\n", s->dir);
    fflush(stdout);
}

int cmd_run(int argc, char **argv) {
    static suite S;
    suite *s = &S;
    char err[1024], journal_path[PATH_MAX + 32];
    int rc = run_options_parse(&s->o, argc, argv);
    if (rc) return rc == 1 ? 0 : 2;
    int resumed = s->o.resume != NULL;
    for (int i = 1; i < argc; i++) strlist_add(&s->argv, argv[i]);
    if (resumed) {
        /* the suite's options come from its journal: nothing else may be given */
        for (int i = 1; i < argc; i++) {
            if (!strcmp(argv[i], "--quiet") || !strncmp(argv[i], "--resume=", 9)) continue;
            if (!strcmp(argv[i], "--resume") && i + 1 < argc) {
                i++;
                continue;
            }
            fprintf(stderr, "agentbench run: --resume takes the suite's options from its "
                            "journal; only --quiet may go with it (not '%s')\n", argv[i]);
            return 2;
        }
        char *arg = xstrdup(s->o.resume);
        rc = load_resume(s, arg, journal_path, sizeof journal_path);
        free(arg);
        if (rc) return rc;
    }
    progress_init(s->o.quiet, -1);

    s->nbench = benchmarks_resolve(s->o.dirs.v, (int)s->o.dirs.n, &s->bench, err, sizeof err);
    if (s->nbench < 0) {
        fprintf(stderr, "agentbench run: %s\n", err);
        return 2;
    }
    s->nvar = (int)s->o.variants.n;
    s->helper = measure_helper_path();
    if (!is_executable_file(s->helper)) {
        fprintf(stderr, "agentbench run: the run helper %s is missing (make -C runner)\n",
                s->helper);
        return 1;
    }
    s->is_remote = s->o.ingester_url != NULL;
    s->ingester_bin = s->o.ingester_bin ? s->o.ingester_bin : ingester_default_binary();

    /* CPU placement */
    int ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
    cpulist_default(ncpus, s->cpu_bench, sizeof s->cpu_bench, s->cpu_ingester,
                    sizeof s->cpu_ingester);
    if (s->o.cpu_bench) snprintf(s->cpu_bench, sizeof s->cpu_bench, "%s", s->o.cpu_bench);
    if (s->o.cpu_ingester) snprintf(s->cpu_ingester, sizeof s->cpu_ingester, "%s", s->o.cpu_ingester);
    if ((*s->cpu_bench && cpulist_valid(s->cpu_bench, ncpus) < 0) ||
        (*s->cpu_ingester && cpulist_valid(s->cpu_ingester, ncpus) < 0)) {
        fprintf(stderr, "agentbench run: a CPU list names a CPU this host lacks (it has %d)\n",
                ncpus);
        return 2;
    }
    if (!s->o.seed_given) s->o.seed = random_seed();

    /* the suite's directory and journal */
    if (!resumed) {
        if (mkdir_p(s->o.results) < 0 || !realpath(s->o.results, s->results_dir)) {
            fprintf(stderr, "agentbench run: cannot create %s: %s\n", s->o.results, strerror(errno));
            return 1;
        }
        suite_id_make(s->id, sizeof s->id, wall_now(), s->o.seed);
        if (suite_dir_create(s->results_dir, s->id, s->dir, sizeof s->dir, err, sizeof err) < 0) {
            fprintf(stderr, "agentbench run: %s\n", err);
            return 1;
        }
        const char *base = strrchr(s->dir, '/');
        snprintf(s->id, sizeof s->id, "%s", base + 1);
        if (snprintf(journal_path, sizeof journal_path, "%s/journal.jsonl", s->dir) >=
            (int)sizeof journal_path) {
            fprintf(stderr, "agentbench run: path too long\n");
            return 1;
        }
    }
    char *logs = xasprintf("%s/logs", s->dir);
    mkdir_p(logs);
    free(logs);
    /* one runner per suite: a second one (a --resume while the first still runs) would
     * interleave its runs with the first's in the journal */
    char *lockpath = xasprintf("%s/.runner.lock", s->dir);
    int lockfd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    free(lockpath);
    if (lockfd < 0 || flock(lockfd, LOCK_EX | LOCK_NB) < 0) {
        fprintf(stderr, "agentbench run: suite %s is being run by another agentbench (locked)\n",
                s->dir);
        return 1;
    }
    s->journal = ab_journal_open(journal_path, err, sizeof err);
    if (!s->journal) {
        fprintf(stderr, "agentbench run: %s\n", err);
        return 1;
    }
    suite_latest_update(s->results_dir, s->dir);

    s->resumed_measured = xcalloc((size_t)(s->nbench * s->nvar), sizeof(int));
    s->resumed_warmup = xcalloc((size_t)(s->nbench * s->nvar), sizeof(int));
    s->ref_checksum = xcalloc((size_t)s->nbench, sizeof(char *));
    s->ref_from_baseline = xcalloc((size_t)s->nbench, sizeof(int));
    s->summarized = xcalloc((size_t)s->nbench, sizeof(int));
    if (resumed) {
        s->results = ab_results_load(journal_path, err, sizeof err);
        if (!s->results || suite_resume_scan(s, journal_path, err, sizeof err) < 0) {
            fprintf(stderr, "agentbench run --resume: %s\n", err);
            return 1;
        }
    } else {
        s->results = ab_results_new();
    }
    s->total = (unsigned long)s->nbench * (unsigned long)s->nvar * (unsigned long)s->o.runs;

    uv_loop_init(&s->loop);
    uv_signal_init(&s->loop, &s->sigint);
    uv_signal_init(&s->loop, &s->sigterm);
    s->sigint.data = s->sigterm.data = s;
    uv_signal_start(&s->sigint, on_signal, SIGINT);
    uv_signal_start(&s->sigterm, on_signal, SIGTERM);
    s->started = mono_now();

    /* suite_start */
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    json_t *names = json_array(), *dirs = json_array();
    for (int i = 0; i < s->nbench; i++) {
        json_array_append_new(names, json_string(s->bench[i]->name));
        json_array_append_new(dirs, json_string(s->bench[i]->dir));
    }
    json_t *variants = strlist_json(&s->o.variants);
    /* on a resume, the original argv: a second resume must still find the options */
    json_t *first = resumed ? json_object_get(s->results->suite_start, "argv") : NULL;
    json_t *args = first ? json_incref(first) : strlist_json(&s->argv);
    ab_ev_suite_start ss = {
        .suite = s->id, .host = host, .seed = (json_int_t)s->o.seed,
        .order = s->o.shuffled ? "shuffled" : "blocked", .benchmarks = names,
        .variants = variants, .warmup = s->o.warmup, .runs = s->o.runs,
        .min_runs = s->o.target_ci > 0 ? s->o.min_runs : s->o.runs, .max_runs = s->o.runs,
        .target_ci = s->o.target_ci, .total_runs = (json_int_t)s->total,
        .slow_delay = s->o.slow_delay, .timeout = s->o.timeout, .argv = args,
        .benchmark_dirs = dirs, .cpu_bench = s->cpu_bench, .cpu_ingester = s->cpu_ingester,
        .upload_interval = s->o.upload_interval, .quick = s->o.quick, .resumed = resumed,
        .has = {.upload_interval = 1, .quick = 1, .resumed = (unsigned char)resumed}};
    suite_emit(s, ab_ev_suite_start_json(&ss));
    json_decref(names);
    json_decref(dirs);
    json_decref(variants);
    json_decref(args);
    /* (on a resume, the killed runner's ingesters died with it: suite_start says so) */
    if (!resumed) ab_baseline_copy_latest(s->results_dir, s->journal);

    progress_info("suite %s (seed %llu, order %s): %d benchmark%s x %d variant%s, %lu runs%s",
                  s->id, (unsigned long long)s->o.seed, s->o.shuffled ? "shuffled" : "blocked",
                  s->nbench, s->nbench == 1 ? "" : "s", s->nvar, s->nvar == 1 ? "" : "s",
                  s->total, resumed ? " (resumed)" : "");
    if (resumed) progress_info("resuming: %lu measured runs already in the journal", s->done);

    int status_failed = 0;
    int need_ingesters = 0;
    for (int vi = 0; vi < s->nvar; vi++)
        if (strcmp(s->o.variants.v[vi], "baseline")) need_ingesters = 1;
    if (need_ingesters && start_ingesters(s) < 0) status_failed = 1;

    for (int bi = 0; bi < s->nbench && !s->interrupted && !status_failed; bi++) {
        int left = 0;
        for (int vi = 0; vi < s->nvar; vi++)
            if (s->resumed_measured[bi * s->nvar + vi] < s->o.runs) left = 1;
        if (s->o.target_ci > 0 && resumed) left = 1;   /* the CI decides; replayed below */
        if (!left) {
            write_summaries(s, bi);
            continue;
        }
        int b = build_benchmark(s, bi);
        if (b < 0) break;
        if (b > 0) {
            s->total -= (unsigned long)s->nvar * (unsigned long)s->o.runs;
            continue;
        }
        run_benchmark(s, bi);
    }

    measure_shutdown(&s->loop);
    stop_ingesters(s);
    const char *status = s->interrupted ? "interrupted"
                         : (status_failed || s->build_failed) ? "failed" : "done";
    ab_ev_suite_end se = {.status = status, .done = (json_int_t)s->done,
                          .failed = (json_int_t)s->results->runs_failed,
                          .total = (json_int_t)s->total, .seconds = mono_now() - s->started};
    suite_emit(s, ab_ev_suite_end_json(&se));
    ab_journal_close(s->journal);
    if (s->interrupted) progress_warn("interrupted: %lu measured runs were recorded", s->done);
    print_measured(s);

    uv_close((uv_handle_t *)&s->sigint, NULL);
    uv_close((uv_handle_t *)&s->sigterm, NULL);
    uv_run(&s->loop, UV_RUN_NOWAIT);
    uv_loop_close(&s->loop);
    int interrupted = s->interrupted;
    ab_results_free(s->results);
    benchmarks_free(s->bench, s->nbench);
    for (int i = 0; i < s->nbench; i++) free(s->ref_checksum[i]);
    free(s->ref_checksum);
    free(s->ref_from_baseline);
    free(s->summarized);
    free(s->resumed_measured);
    free(s->resumed_warmup);
    free(s->ing);
    free(s->remote_mode);
    strlist_free(&s->argv);
    run_options_free(&s->o);
    if (interrupted) return 128 + interrupted;
    return strcmp(status, "done") ? 1 : 0;
}
