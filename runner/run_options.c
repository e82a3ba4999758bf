/* run_options.c: parsing and checking `agentbench run`'s options. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cpulist.h"
#include "duration.h"
#include "ingester.h"
#include "profiler.h"
#include "run_options.h"

int rn_variant_has_agent(const char *v) {
    return strcmp(v, "baseline") && strcmp(v, VARIANT_PERF);
}

void rn_run_usage(FILE *f) {
    fputs(
        "usage: agentbench run [OPTIONS] BENCHMARK_DIR...\n"
        "       agentbench run --resume SUITE_DIR [--quiet] BENCHMARK_DIR... [--ingester PATH]\n"
        "       agentbench run --resume SUITE_DIR [--quiet] --trust-journal\n"
        "Runs each benchmark in the baseline variant (profiler off) and in profiled variants\n"
        "against an ingester in each behaviour, measures every run, writes the suite journal\n"
        "RESULTS/<suite-id>/journal.jsonl and prints the report.\n"
        "\n"
        "  --variants LIST        baseline,fast,slow,down (default); also blackhole, error,\n"
        "                         ratelimit, flaky, reset, hang, and perf (the benchmark under\n"
        "                         perf record, its profiler off: the reference sampler of\n"
        "                         ground-truth benchmarks)\n"
        "  --slow-delay SECS      the slow ingester's answer delay (default 30)\n"
        "  --order ORDER          shuffled (default: variants interleaved, shuffled per round)\n"
        "                         or blocked (all runs of a variant, then the next)\n"
        "  --seed N               the shuffle's seed (default: random, printed)\n"
        "  --warmup N             warm-up runs per variant, not counted (default 1)\n"
        "  --runs N               measured runs per variant (default 10)\n"
        "  --min-runs N --max-runs N --target-ci PCT\n"
        "                         run at least N, at most N, stopping once every variant's 95%\n"
        "                         CI of the median is within +-PCT% of the median\n"
        "  --timeout SECS         per run (default: bench.conf timeout, else 300); the run's\n"
        "                         process group is killed and the run recorded as timeout\n"
        "  --cpu-bench LIST       CPUs for the benchmark (default: all but the last)\n"
        "  --cpu-ingester LIST    CPUs for the ingesters (default: the last); 'none' = no pinning\n"
        "  --quick                run bench.conf's quick_args (short runs)\n"
        "  --upload-interval SECS change the agents' upload interval (PYROSCOPE_UPLOAD_INTERVAL,\n"
        "                         DD_PROFILING_UPLOAD_PERIOD); default: each agent's own\n"
        "  --profiler LIST        run the profiled variants under each of these profilers (c,\n"
        "                         pyroscope-nodejs, datadog-nodejs), named VARIANT/PROFILER;\n"
        "                         default: each benchmark's first bench.conf profiler\n"
        "  --server-url URL       profile into that external Pyroscope-compatible server (no\n"
        "                         control endpoint, no /stats): variants baseline and external\n"
        "  --results DIR          where suites go (default ./results)\n"
        "  --resume DIR           continue the suite in DIR (a suite or results directory); its\n"
        "                         options come from its journal, but the programs it runs are\n"
        "                         confirmed by you: name the suite's benchmark directories (and\n"
        "                         its --ingester PATH, --ingester-url/--ingester-control, if it\n"
        "                         had them) as the journal does, or give --trust-journal\n"
        "  --trust-journal        with --resume: run what the journal names (it is printed)\n"
        "  --ingester PATH        the agentbench-ingester binary\n"
        "  --ingester-url URL --ingester-control URL\n"
        "                         use that running ingester, switching its mode per variant\n"
        "                         (its control token: $AGENTBENCH_INGESTER_CONTROL_TOKEN_FILE)\n"
        "  --flamegraph           after a benchmark's runs, a captured run per variant (flame and\n"
        "                         differential graphs); ingesters keep the agents' stacks too\n"
        "  --quiet                no progress or log lines\n"
        "Service benchmarks (kind = service in bench.conf):\n"
        "  --duration SECS        the latency phase's window (default bench.conf duration_s,\n"
        "                         at least 3 upload intervals of the agent)\n"
        "  --load-rate R|P%       the latency phase's offered rate: R requests/s, or P% of the\n"
        "                         baseline's capacity measured in warm-up (default 60%)\n"
        "  --cpu-load LIST        CPUs for the load generator (default: the ingesters')\n"
        "  --help\n",
        f);
}

enum {
    O_VARIANTS = 256,
    O_SLOW_DELAY,
    O_ORDER,
    O_SEED,
    O_WARMUP,
    O_RUNS,
    O_MIN_RUNS,
    O_MAX_RUNS,
    O_TARGET_CI,
    O_TIMEOUT,
    O_CPU_BENCH,
    O_CPU_INGESTER,
    O_QUICK,
    O_RESULTS,
    O_RESUME,
    O_INGESTER_URL,
    O_INGESTER_CONTROL,
    O_INGESTER,
    O_FLAMEGRAPH,
    O_QUIET,
    O_UPLOAD,
    O_DURATION,
    O_LOAD_RATE,
    O_CPU_LOAD,
    O_TRUST,
    O_PROFILER,
    O_SERVER_URL,
    O_HELP
};

static const struct option longopts[] = {
    {"variants", required_argument, 0, O_VARIANTS},
    {"slow-delay", required_argument, 0, O_SLOW_DELAY},
    {"order", required_argument, 0, O_ORDER},
    {"seed", required_argument, 0, O_SEED},
    {"warmup", required_argument, 0, O_WARMUP},
    {"runs", required_argument, 0, O_RUNS},
    {"min-runs", required_argument, 0, O_MIN_RUNS},
    {"max-runs", required_argument, 0, O_MAX_RUNS},
    {"target-ci", required_argument, 0, O_TARGET_CI},
    {"timeout", required_argument, 0, O_TIMEOUT},
    {"cpu-bench", required_argument, 0, O_CPU_BENCH},
    {"cpu-ingester", required_argument, 0, O_CPU_INGESTER},
    {"quick", no_argument, 0, O_QUICK},
    {"results", required_argument, 0, O_RESULTS},
    {"resume", required_argument, 0, O_RESUME},
    {"ingester-url", required_argument, 0, O_INGESTER_URL},
    {"ingester-control", required_argument, 0, O_INGESTER_CONTROL},
    {"ingester", required_argument, 0, O_INGESTER},
    {"flamegraph", no_argument, 0, O_FLAMEGRAPH},
    {"quiet", no_argument, 0, O_QUIET},
    {"upload-interval", required_argument, 0, O_UPLOAD},
    {"duration", required_argument, 0, O_DURATION},
    {"load-rate", required_argument, 0, O_LOAD_RATE},
    {"cpu-load", required_argument, 0, O_CPU_LOAD},
    {"trust-journal", no_argument, 0, O_TRUST},
    {"profiler", required_argument, 0, O_PROFILER},
    {"server-url", required_argument, 0, O_SERVER_URL},
    {"help", no_argument, 0, O_HELP},
    {0, 0, 0, 0},
};

static int bad(const char *fmt, const char *arg) {
    fputs("agentbench run: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(agentbench run --help lists the options)\n", stderr);
    return 2;
}

static int parse_int(const char *s, int min, int *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < min || v > 1000000) return -1;
    *out = (int)v;
    return 0;
}

static int parse_pct(const char *s, double *out) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v > 0 && v < 100)) return -1;
    *out = v;
    return 0;
}

/* A duration option (duration.h). 0, or 2 with the message printed. */
static int take_duration(const char *opt, const char *a, int zero_ok, double *out) {
    char err[160];
    if (rn_duration_parse(a, zero_ok, out, err, sizeof err) == 0) return 0;
    fprintf(stderr, "agentbench run: %s %s\n(agentbench run --help lists the options)\n", opt, err);
    return 2;
}

static void set_str(char **dst, const char *s) {
    free(*dst);
    *dst = rn_xstrdup(s);
}

/* One option c with its argument a (argv for the messages). 0, 1 after --help, 2 on a
 * usage error (message printed). */
static int take_option(run_options *o, int c, const char *a, char **argv, int *have_variants) {
    switch (c) {
        case O_VARIANTS:
            rn_strlist_free(&o->variants);
            rn_strlist_split(&o->variants, a, 0);
            *have_variants = 1;
            break;
        case O_SLOW_DELAY: return take_duration("--slow-delay", a, 1, &o->slow_delay);
        case O_ORDER:
            if (!strcmp(a, "shuffled")) o->shuffled = 1;
            else if (!strcmp(a, "blocked")) o->shuffled = 0;
            else return bad("--order '%s': use shuffled or blocked", a);
            break;
        case O_SEED: {
            char *end;
            unsigned long long v = strtoull(a, &end, 0);
            if (end == a || *end || a[0] == '-')
                return bad("--seed '%s': not an unsigned number", a);
            o->seed = v;
            o->seed_given = 1;
            break;
        }
        case O_WARMUP:
            if (parse_int(a, 0, &o->warmup) < 0) return bad("--warmup '%s': not a count", a);
            break;
        case O_RUNS:
            if (parse_int(a, 1, &o->runs) < 0) return bad("--runs '%s': need a count >= 1", a);
            break;
        case O_MIN_RUNS:
            if (parse_int(a, 2, &o->min_runs) < 0)
                return bad("--min-runs '%s': need a count >= 2", a);
            break;
        case O_MAX_RUNS:
            if (parse_int(a, 2, &o->max_runs) < 0)
                return bad("--max-runs '%s': need a count >= 2", a);
            break;
        case O_TARGET_CI:
            if (parse_pct(a, &o->target_ci) < 0)
                return bad("--target-ci '%s': need a percentage above 0 and below 100", a);
            break;
        case O_TIMEOUT: return take_duration("--timeout", a, 0, &o->timeout);
        case O_CPU_BENCH:
        case O_CPU_INGESTER:
        case O_CPU_LOAD: {
            const char *v = strcmp(a, "none") ? a : "";
            if (*v && rn_cpulist_valid(v, 0) < 0)
                return bad("'%s': not a CPU list (like 0-2,5)", a);
            set_str(c == O_CPU_BENCH  ? &o->cpu_bench
                    : c == O_CPU_LOAD ? &o->cpu_load
                                      : &o->cpu_ingester,
                    v);
            break;
        }
        case O_DURATION: return take_duration("--duration", a, 0, &o->duration);
        case O_LOAD_RATE: {
            char *end;
            double v = strtod(a, &end);
            int pct = *end == '%';
            if (end == a || (pct ? end[1] : *end) || !(v > 0) || v > (pct ? 100 : 1e7))
                return bad("--load-rate '%s': need requests/s above 0, or a percentage (60%%)", a);
            if (pct) {
                o->load_share = v / 100;
                o->load_rate = 0;
            } else {
                o->load_rate = v;
            }
            break;
        }
        case O_QUICK: o->quick = 1; break;
        case O_RESULTS: set_str(&o->results, a); break;
        case O_RESUME: set_str(&o->resume, a); break;
        case O_INGESTER_URL: set_str(&o->ingester_url, a); break;
        case O_INGESTER_CONTROL: set_str(&o->ingester_control, a); break;
        case O_INGESTER: set_str(&o->ingester_bin, a); break;
        case O_FLAMEGRAPH: o->flamegraph = 1; break;
        case O_QUIET: o->quiet = 1; break;
        case O_TRUST: o->trust_journal = 1; break;
        case O_UPLOAD: return take_duration("--upload-interval", a, 0, &o->upload_interval);
        case O_PROFILER: {
            strlist names = {0};
            rn_strlist_split(&names, a, 0);
            rn_strlist_free(&o->profilers);
            for (size_t i = 0; i < names.n; i++) {
                const ab_profiler *p = rn_profiler_find(names.v[i]);
                if (!p) {
                    int rc = bad("--profiler: unknown profiler '%s' (c, pyroscope-nodejs, "
                                 "datadog-nodejs)",
                                 names.v[i]);
                    rn_strlist_free(&names);
                    return rc;
                }
                if (rn_strlist_index(&o->profilers, p->name) < 0)
                    rn_strlist_add(&o->profilers, p->name);
            }
            rn_strlist_free(&names);
            if (!o->profilers.n) return bad("--profiler '%s': no profiler named", a);
            break;
        }
        case O_SERVER_URL:
            if (strncmp(a, "http://", 7) && strncmp(a, "https://", 8))
                return bad("--server-url '%s': need an http:// or https:// URL", a);
            set_str(&o->server_url, a);
            break;
        case O_HELP: rn_run_usage(stdout); return 1;
        default:
            if (optopt && optopt < 256) {
                char s[2] = {(char)optopt, 0};
                return bad("unknown option -%s", s);
            }
            return bad("unknown option or missing value in '%s'", argv[optind - 1]);
    }
    return 0;
}

/* With --profiler: every profiled variant once per profiler, "MODE/PROFILER". */
static void expand_profilers(run_options *o) {
    if (!o->profilers.n) return;
    strlist all = {0};
    for (size_t i = 0; i < o->variants.n; i++) {
        const char *v = o->variants.v[i];
        if (!rn_variant_has_agent(v)) {
            rn_strlist_add(&all, v);
            continue;
        }
        for (size_t k = 0; k < o->profilers.n; k++)
            rn_strlist_add_take(&all, rn_xasprintf("%s/%s", v, o->profilers.v[k]));
    }
    rn_strlist_free(&o->variants);
    o->variants = all;
}

/* After the options: the defaults that depend on others, and the checks of the whole. */
static int check_options(run_options *o, int have_variants) {
    if (!o->results) o->results = rn_xstrdup("results");
    if (!have_variants)
        rn_strlist_split(&o->variants,
                         o->server_url ? "baseline,external" : "baseline,fast,slow,down", 0);
    if (o->resume) return 0; /* the rest comes from the suite's own argv */

    if (o->variants.n == 0) return bad("--variants '%s': no variant named", "");
    if (o->server_url && o->ingester_url)
        return bad("--server-url and --ingester-url exclude each other%s", "");
    for (size_t i = 0; i < o->variants.n; i++) {
        const char *v = o->variants.v[i];
        if (o->server_url && rn_variant_has_agent(v) && strcmp(v, "external"))
            return bad("--server-url: the server has no control endpoint, so the variants are "
                       "baseline, external and perf (not '%s')",
                       v);
        if (!o->server_url && !strcmp(v, "external"))
            return bad("variant '%s' needs --server-url URL", v);
        if (rn_variant_has_agent(v) && strcmp(v, "external") && !rn_ingester_mode_known(v))
            return bad("unknown variant '%s' (baseline, fast, slow, down, blackhole, error, "
                       "ratelimit, flaky, reset, hang, perf)",
                       v);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(o->variants.v[j], v)) return bad("variant '%s' named twice", v);
    }
    /* baseline first: its checksum is the reference and it is the overheads' base */
    int bi = rn_strlist_index(&o->variants, "baseline");
    if (bi > 0) {
        char *b = o->variants.v[bi];
        memmove(o->variants.v + 1, o->variants.v, (size_t)bi * sizeof *o->variants.v);
        o->variants.v[0] = b;
    }
    if (o->target_ci > 0 || o->min_runs || o->max_runs) {
        if (!o->min_runs) o->min_runs = 5;
        if (!o->max_runs) o->max_runs = o->min_runs > 100 ? o->min_runs : 100;
        if (o->min_runs > o->max_runs) return bad("--min-runs is above --max-runs%s", "");
        if (o->target_ci <= 0) return bad("--min-runs/--max-runs need --target-ci PCT%s", "");
        o->runs = o->max_runs;
    }
    if (!o->ingester_url != !o->ingester_control)
        return bad("--ingester-url and --ingester-control go together%s", "");
    expand_profilers(o);
    return 0;
}

int rn_run_options_parse(run_options *o, int argc, char **argv) {
    memset(o, 0, sizeof *o);
    o->slow_delay = 30;
    o->shuffled = 1;
    o->warmup = 1;
    o->runs = 10;
    o->load_share = 0.6;
    int have_variants = 0;

    optind = 0; /* GNU: full re-initialisation (parsed twice on --resume) */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        int rc = take_option(o, c, optarg, argv, &have_variants);
        if (rc) return rc;
    }
    for (int i = optind; i < argc; i++) rn_strlist_add(&o->dirs, argv[i]);
    return check_options(o, have_variants);
}

void rn_run_options_free(run_options *o) {
    rn_strlist_free(&o->variants);
    rn_strlist_free(&o->dirs);
    rn_strlist_free(&o->profilers);
    free(o->server_url);
    free(o->cpu_bench);
    free(o->cpu_ingester);
    free(o->cpu_load);
    free(o->results);
    free(o->resume);
    free(o->ingester_url);
    free(o->ingester_control);
    free(o->ingester_bin);
    memset(o, 0, sizeof *o);
}
