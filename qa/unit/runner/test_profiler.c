/* test_profiler.c: unit tests of the profiler table (runner/profiler.c), the parts of a
 * variant's name (runner/variant.c) and --profiler / --server-url in run_options.c: names
 * and aliases, each profiler's environment (dd-trace's upload period in whole seconds, at
 * least 1), what is never inherited, variant expansion MODE/PROFILER. */
#include <string.h>
#include "../tap.h"
#include "profiler.h"
#include "run_options.h"
#include "variant.h"

static int has(const strlist *l, const char *kv) {
    return rn_strlist_index(l, kv) >= 0;
}

static void test_table(void) {
    CHECK(rn_profiler_find("c") && rn_profiler_find("c")->default_interval_s == 10,
          "c: the C agent, 10 s");
    CHECK(rn_profiler_find("nodejs") == rn_profiler_find("pyroscope-nodejs"),
          "nodejs is pyroscope-nodejs");
    CHECK(rn_profiler_find("pyroscope-nodejs")->default_interval_s == 60,
          "@pyroscope/nodejs: 60 s");
    CHECK(rn_profiler_find("datadog-nodejs")->default_interval_s == 65, "dd-trace: 65 s");
    CHECK(rn_profiler_find("none") == NULL && rn_profiler_find("rust") == NULL, "unknown names");
}

static void test_env(void) {
    strlist env = {0};
    rn_profiler_env(rn_profiler_find("c"), &env, "http://127.0.0.1:9", "fib", 0);
    CHECK(env.n == 1 && has(&env, "AGENTBENCH_PROFILER=c"), "c: only AGENTBENCH_PROFILER");
    rn_strlist_free(&env);
    rn_profiler_env(rn_profiler_find("datadog-nodejs"), &env, "http://127.0.0.1:9", "fib", 0);
    CHECK(has(&env, "DD_PROFILING_ENABLED=true") &&
              has(&env, "DD_TRACE_AGENT_URL=http://127.0.0.1:9") && has(&env, "DD_SERVICE=fib") &&
              has(&env, "DD_REMOTE_CONFIGURATION_ENABLED=false") &&
              has(&env, "DD_INSTRUMENTATION_TELEMETRY_ENABLED=false"),
          "dd-trace: its environment");
    int period = 0;
    for (size_t i = 0; i < env.n; i++)
        period |= !strncmp(env.v[i], "DD_PROFILING_UPLOAD_PERIOD=", 27);
    CHECK(!period, "dd-trace: its own upload period unless one is given");
    rn_strlist_free(&env);
    rn_profiler_env(rn_profiler_find("datadog-nodejs"), &env, NULL, "fib", 0.4);
    CHECK(has(&env, "DD_PROFILING_UPLOAD_PERIOD=1"),
          "dd-trace: 0.4 s becomes 1 (whole seconds, >= 1)");
    rn_strlist_free(&env);
    rn_profiler_env(rn_profiler_find("datadog-nodejs"), &env, NULL, "fib", 2.5);
    CHECK(has(&env, "DD_PROFILING_UPLOAD_PERIOD=3"), "dd-trace: 2.5 s rounds up to 3");
    rn_strlist_free(&env);
    CHECK(rn_profiler_owns_var("DD_TRACE_ENABLED=false") &&
              rn_profiler_owns_var("DD_PROFILING_ENABLED=1") &&
              rn_profiler_owns_var("AGENTBENCH_PROFILER=x") &&
              !rn_profiler_owns_var("DD_ENV=prod") && !rn_profiler_owns_var("PATH=/bin"),
          "the variables not passed on");
}

static void test_variant(void) {
    char buf[64];
    CHECK(!strcmp(rn_variant_mode("fast/datadog-nodejs", buf, sizeof buf), "fast") &&
              !strcmp(rn_variant_mode("slow", buf, sizeof buf), "slow"),
          "rn_variant_mode");
    CHECK(!strcmp(rn_variant_profiler("fast/datadog-nodejs"), "datadog-nodejs") &&
              rn_variant_profiler("fast") == NULL && rn_variant_profiler("fast/") == NULL,
          "rn_variant_profiler");
    CHECK(!strcmp(rn_variant_file_token("fast/c", buf, sizeof buf), "fast+c"),
          "rn_variant_file_token");
}

static int parse(run_options *o, const char *const *args, int n) {
    char *argv[16];
    for (int i = 0; i < n; i++) argv[i] = (char *)args[i];
    argv[n] = NULL;
    FILE *saved = stderr;
    stderr = fopen("/dev/null", "w");
    int rc = rn_run_options_parse(o, n, argv);
    fclose(stderr);
    stderr = saved;
    return rc;
}

static void test_options(void) {
    run_options o;
    const char *a[] = {"run", "--variants", "baseline,fast,down", "--profiler",
                       "nodejs,datadog-nodejs,nodejs"};
    CHECK(parse(&o, a, 5) == 0 && o.profilers.n == 2 && o.variants.n == 5 &&
              !strcmp(o.variants.v[0], "baseline") &&
              !strcmp(o.variants.v[1], "fast/pyroscope-nodejs") &&
              !strcmp(o.variants.v[2], "fast/datadog-nodejs") &&
              !strcmp(o.variants.v[4], "down/datadog-nodejs"),
          "--profiler: every profiled variant once per profiler, duplicates dropped");
    CHECK(o.upload_interval == 0, "no --upload-interval: 0, the agents' own");
    rn_run_options_free(&o);
    const char *b[] = {"run", "--server-url", "http://h:4040"};
    CHECK(parse(&o, b, 3) == 0 && o.variants.n == 2 && !strcmp(o.variants.v[1], "external"),
          "--server-url: baseline and external");
    rn_run_options_free(&o);
    const char *c[] = {"run", "--server-url", "http://h:4040", "--profiler", "c,datadog-nodejs"};
    CHECK(parse(&o, c, 5) == 0 && o.variants.n == 3 &&
              !strcmp(o.variants.v[2], "external/datadog-nodejs"),
          "--server-url with --profiler: external per profiler");
    rn_run_options_free(&o);
    const char *d[] = {"run", "--profiler", "golang"};
    CHECK(parse(&o, d, 3) == 2, "--profiler: unknown name is a usage error");
    rn_run_options_free(&o);
    const char *e[] = {"run", "--variants", "external"};
    CHECK(parse(&o, e, 3) == 2, "external without --server-url is a usage error");
    rn_run_options_free(&o);
    const char *f[] = {"run", "--server-url", "ftp://h"};
    CHECK(parse(&o, f, 3) == 2, "--server-url: an http(s) URL");
    rn_run_options_free(&o);
}

int main(void) {
    test_table();
    test_env();
    test_variant();
    test_options();
    return TAP_DONE();
}
