/* run.c: `agentbench run`, the command, as its steps: take the options (or, with
 * --resume, the suite's own, from its journal), resolve the benchmarks and the run helper,
 * place the benchmark and the ingesters on CPUs, open the suite (run_journal.c), write
 * suite_start, start the ingesters (run_ingesters.c), run every benchmark (run_suite.c),
 * then stop the ingesters, write suite_end and print the report. Ctrl-C and SIGTERM
 * interrupt the run in progress (it is not counted) and end the suite "interrupted". */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include "commands.h"
#include "clock.h"
#include "cpulist.h"
#include "measure.h"
#include "profiler.h"
#include "progress.h"
#include "report.h"
#include "run.h"
#include "tool.h"
#include "util.h"

/* --resume takes the suite's options from its journal: only what names the programs it
 * runs (to confirm them), --trust-journal and --quiet may be given. */
static int resume_args_check(int argc, char **argv) {
    static const char *const with_value[] = {"--resume", "--ingester", "--ingester-url",
                                             "--ingester-control", NULL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !strcmp(a, "--quiet") || !strcmp(a, "--trust-journal")) continue;
        int ok = 0;
        for (int k = 0; with_value[k] && !ok; k++) {
            size_t n = strlen(with_value[k]);
            if (!strncmp(a, with_value[k], n) && a[n] == '=') ok = 1;
            else if (!strcmp(a, with_value[k]) && i + 1 < argc) ok = 1, i++;
        }
        if (ok) continue;
        fprintf(stderr,
                "agentbench run: --resume takes the suite's options from its "
                "journal; only the benchmark directories, --ingester, "
                "--ingester-url, --ingester-control (to confirm what it runs), "
                "--trust-journal and --quiet may go with it (not '%s')\n",
                a);
        return 2;
    }
    return 0;
}

/* The options. Returns -1 to go on, else the exit status to end with (0 after --help). */
static int take_options(suite *s, int argc, char **argv) {
    int rc = rn_run_options_parse(&s->o, argc, argv);
    if (rc) return rc == 1 ? 0 : 2;
    for (int i = 1; i < argc; i++) rn_strlist_add(&s->argv, argv[i]);
    s->resumed = s->o.resume != NULL;
    if (!s->resumed) return -1;
    if ((rc = resume_args_check(argc, argv))) return rc;
    /* what the user names: the journal's options replace s->o */
    resume_named named = {.ingester_bin = s->o.ingester_bin,
                          .ingester_url = s->o.ingester_url,
                          .ingester_control = s->o.ingester_control,
                          .trust = s->o.trust_journal,
                          .dirs = s->o.dirs};
    s->o.ingester_bin = s->o.ingester_url = s->o.ingester_control = NULL;
    memset(&s->o.dirs, 0, sizeof s->o.dirs);
    char *arg = rn_xstrdup(s->o.resume);
    rc = rn_suite_resume_load(s, arg);
    if (!rc) rc = rn_suite_resume_confirm(s, &named, arg);
    free(arg);
    free(named.ingester_bin);
    free(named.ingester_url);
    free(named.ingester_control);
    rn_strlist_free(&named.dirs);
    return rc ? rc : -1;
}

/* The benchmarks, the run helper and the ingester binary. 0 or the exit status. */
static int resolve(suite *s) {
    char err[1024];
    s->nbench = rn_benchmarks_resolve(s->o.dirs.v, (int)s->o.dirs.n, &s->bench, err, sizeof err);
    if (s->nbench < 0) {
        fprintf(stderr, "agentbench run: %s\n", err);
        return 2;
    }
    s->nvar = (int)s->o.variants.n;
    for (size_t k = 0; k < s->o.profilers.n; k++)
        for (int i = 0; i < s->nbench; i++)
            if (!rn_benchmark_supports(s->bench[i], s->o.profilers.v[k])) {
                fprintf(stderr,
                        "agentbench run: --profiler %s: benchmark %s runs under %s "
                        "only (bench.conf profiler)\n",
                        s->o.profilers.v[k], s->bench[i]->name, s->bench[i]->profiler);
                return 2;
            }
    for (int bi = 0; bi < s->nbench; bi++)
        if (s->bench[bi]->truth.n) s->has_truth = 1;
    if (rn_tool_find("perf", s->perf_bin, sizeof s->perf_bin) < 0) s->perf_bin[0] = 0;
    if (rn_strlist_index(&s->o.variants, VARIANT_PERF) >= 0 && !s->perf_bin[0]) {
        fprintf(stderr, "agentbench run: the variant perf needs perf, which is not in PATH "
                        "(Debian package linux-perf)\n");
        return 2;
    }
    s->helper = rn_measure_helper_path();
    if (!rn_is_executable_file(s->helper)) {
        fprintf(stderr, "agentbench run: the run helper %s is missing (make -C runner)\n",
                s->helper);
        return 1;
    }
    s->is_remote = s->o.ingester_url != NULL;
    s->ingester_bin = s->o.ingester_bin ? s->o.ingester_bin : rn_ingester_default_binary();
    return 0;
}

/* The CPUs of the benchmark and the ingesters: all but the last and the last, unless the
 * options say otherwise. 0, or 2 when a list names a CPU this host lacks. */
static int place_cpus(suite *s) {
    int ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
    rn_cpulist_default(ncpus, s->cpu_bench, sizeof s->cpu_bench, s->cpu_ingester,
                       sizeof s->cpu_ingester);
    if (s->o.cpu_bench) snprintf(s->cpu_bench, sizeof s->cpu_bench, "%s", s->o.cpu_bench);
    if (s->o.cpu_ingester)
        snprintf(s->cpu_ingester, sizeof s->cpu_ingester, "%s", s->o.cpu_ingester);
    /* a service's load generator shares the ingesters' CPUs (idle between uploads) */
    snprintf(s->cpu_load, sizeof s->cpu_load, "%s",
             s->o.cpu_load ? s->o.cpu_load : s->cpu_ingester);
    if ((*s->cpu_bench && rn_cpulist_valid(s->cpu_bench, ncpus) < 0) ||
        (*s->cpu_ingester && rn_cpulist_valid(s->cpu_ingester, ncpus) < 0) ||
        (*s->cpu_load && rn_cpulist_valid(s->cpu_load, ncpus) < 0)) {
        fprintf(stderr, "agentbench run: a CPU list names a CPU this host lacks (it has %d)\n",
                ncpus);
        return 2;
    }
    return 0;
}

static uint64_t random_seed(void) {
    uint64_t v = 0;
    if (getrandom(&v, sizeof v, 0) != sizeof v)
        v = (uint64_t)(ab_wall_s() * 1e6) ^ (uint64_t)getpid();
    return v & 0xffffffffffffULL; /* short enough to type */
}

/* The per-benchmark and per-cell counts, with what a resumed journal already holds. */
static void plan(suite *s) {
    size_t cells = (size_t)s->nbench * (size_t)s->nvar;
    s->resumed_measured = rn_xcalloc(cells, sizeof(int));
    s->resumed_warmup = rn_xcalloc(cells, sizeof(int));
    s->ref_checksum = rn_xcalloc((size_t)s->nbench, sizeof(char *));
    s->ref_from_baseline = rn_xcalloc((size_t)s->nbench, sizeof(int));
    s->summarized = rn_xcalloc((size_t)s->nbench, sizeof(int));
    s->load_rate = rn_xcalloc((size_t)s->nbench, sizeof(double));
    rn_suite_resume_apply(s);
    s->total = (unsigned long)s->nbench * (unsigned long)s->nvar * (unsigned long)s->o.runs;
}

static void on_signal(uv_signal_t *h, int signum) {
    suite *s = h->data;
    if (!s->interrupted)
        rn_progress_warn("%s: stopping (the run in progress is not counted)",
                         signum == SIGINT ? "interrupted" : "terminated");
    s->interrupted = signum;
    s->stop = 1;
    rn_measure_interrupt();
}

static void loop_open(suite *s) {
    uv_loop_init(&s->loop);
    uv_signal_init(&s->loop, &s->sigint);
    uv_signal_init(&s->loop, &s->sigterm);
    s->sigint.data = s->sigterm.data = s;
    uv_signal_start(&s->sigint, on_signal, SIGINT);
    uv_signal_start(&s->sigterm, on_signal, SIGTERM);
    s->started = ab_mono_s();
}

static void loop_close(suite *s) {
    uv_close((uv_handle_t *)&s->sigint, NULL);
    uv_close((uv_handle_t *)&s->sigterm, NULL);
    uv_run(&s->loop, UV_RUN_NOWAIT);
    uv_loop_close(&s->loop);
}

static void announce(suite *s) {
    rn_progress_info("suite %s (seed %llu, order %s): %d benchmark%s x %d variant%s, %lu runs%s",
                     s->id, (unsigned long long)s->o.seed, s->o.shuffled ? "shuffled" : "blocked",
                     s->nbench, s->nbench == 1 ? "" : "s", s->nvar, s->nvar == 1 ? "" : "s",
                     s->total, s->resumed ? " (resumed)" : "");
    if (s->resumed) rn_progress_info("resuming: %lu measured runs already in the journal", s->done);
}

/* The ingesters if a variant needs one, then every benchmark. 0, or -1 when the
 * ingesters could not be started (nothing ran). */
static int run_suite(suite *s) {
    int need_ingesters = 0;
    for (int vi = 0; vi < s->nvar; vi++)
        if (rn_variant_has_agent(s->o.variants.v[vi])) need_ingesters = 1;
    if (s->stop) return -1; /* suite_start could not be written */
    if (need_ingesters && rn_ingesters_start(s) < 0) return -1;
    rn_suite_run_all(s);
    return 0;
}

static void print_measured(suite *s) {
    rn_progress_clear();
    fflush(stderr);
    rn_report_print_default(stdout, s->results, REPORT_TABLE);
    printf("suite: %s\n", s->dir);
    fflush(stdout);
}

static void suite_free(suite *s) {
    ab_results_free(s->results);
    ab_analysis_free(s->analysis);
    rn_benchmarks_free(s->bench, s->nbench);
    for (int i = 0; i < s->nbench; i++) free(s->ref_checksum[i]);
    free(s->ref_checksum);
    free(s->ref_from_baseline);
    free(s->summarized);
    free(s->load_rate);
    free(s->resumed_measured);
    free(s->resumed_warmup);
    free(s->remote_mode);
    rn_strlist_free(&s->argv);
    rn_run_options_free(&s->o);
}

/* Stop what runs, write suite_end, print the report. The exit status. */
static int finish(suite *s, int failed) {
    rn_measure_shutdown(&s->loop);
    rn_ingesters_stop(s);
    const char *status = s->interrupted ? "interrupted"
                         : (failed || s->build_failed || s->journal_errno || s->stop_why[0])
                             ? "failed"
                             : "done";
    int write_failed = s->journal_errno;
    rn_suite_emit_end(s, status);
    if (s->interrupted) rn_progress_warn("interrupted: %lu measured runs were recorded", s->done);
    /* without its suite_end the journal says what `report` will say: interrupted */
    if (write_failed && s->results->state != AB_STATE_FAILED)
        s->results->state = AB_STATE_INTERRUPTED;
    print_measured(s);
    if (write_failed)
        fprintf(stderr,
                "agentbench run: stopped: cannot write the journal (%s); %lu measured "
                "runs are recorded in it\n",
                strerror(write_failed), s->results->runs_done);
    else if (s->stop_why[0])
        fprintf(stderr, "agentbench run: stopped: %s; %lu measured runs are recorded\n",
                s->stop_why, s->results->runs_done);
    loop_close(s);
    int interrupted = s->interrupted, done = !strcmp(status, "done");
    suite_free(s);
    if (interrupted) return 128 + interrupted;
    return done ? 0 : 1;
}

int rn_cmd_run(int argc, char **argv) {
    static suite S;
    suite *s = &S;
    int rc = take_options(s, argc, argv);
    if (rc >= 0) return rc;
    rn_progress_init(s->o.quiet, -1);
    /* a file size limit makes a journal write fail with EFBIG (handled) instead of killing */
    signal(SIGXFSZ, SIG_IGN);
    if ((rc = resolve(s)) || (rc = place_cpus(s))) return rc;
    if (!s->o.seed_given) s->o.seed = random_seed();
    if ((rc = rn_suite_open(s))) return rc;
    plan(s);
    loop_open(s);
    rn_suite_emit_start(s);
    announce(s);
    if (!s->resumed) rn_suite_check_plan(s);
    return finish(s, run_suite(s) < 0);
}
