/* test_parse.c: the runner's parsers: bench.conf, CPU lists, the ingester's ready line and
 * /stats, the helper's report line and request encoding, /proc/stat, checksums. */
#include <stdlib.h>
#include <string.h>
#include "benchdir.h"
#include "../tap.h"
#include "cpulist.h"
#include "http.h"
#include "ingester.h"
#include "measure.h"
#include "run.h"
#include "steal.h"

static void test_benchconf(void) {
    benchmark b;
    char err[200];
    memset(&b, 0, sizeof b);
    const char *conf = "# comment\ndescription = Recursive Fibonacci, CPU bound  \n"
                       "profiler = c   # trailing comment\ntimeout = 60\nargs = 32\n"
                       "quick_args = 25 x\nexpected_duration = 2.5\nunknown = ignored\n\n";
    CHECK(rn_benchconf_parse(&b, conf, err, sizeof err) == 0, "bench.conf parses");
    CHECK(b.description && !strcmp(b.description, "Recursive Fibonacci, CPU bound"),
          "description trimmed");
    CHECK(b.profiler && !strcmp(b.profiler, "c"), "comment after a value dropped");
    CHECK(b.timeout == 60 && b.expected_duration == 2.5, "numbers");
    CHECK(b.quick_args && !strcmp(b.quick_args, "25 x"), "quick_args kept whole");
    free(b.description);
    free(b.profiler);
    free(b.args);
    free(b.quick_args);
    memset(&b, 0, sizeof b);
    CHECK(rn_benchconf_parse(&b, "description = x\nthis line is wrong\n", err, sizeof err) < 0 &&
              strstr(err, "line 2"),
          "a line without '=' is an error naming the line");
    free(b.description);
    memset(&b, 0, sizeof b);
    CHECK(rn_benchconf_parse(&b, "timeout = soon\n", err, sizeof err) < 0,
          "timeout must be a number");
    CHECK(rn_benchconf_parse(&b, "timeout = -1\n", err, sizeof err) < 0, "timeout must be >= 0");
    memset(&b, 0, sizeof b);
    CHECK(rn_benchconf_parse(&b, "truth.work_a = 50\ntruth.work_b = 30%\n", err, sizeof err) == 0 &&
              b.truth.n == 2 && !strcmp(b.truth.fn[1], "work_b") && b.truth.share[1] == 30,
          "truth.FUNCTION = SHARE lines");
    rn_truth_free(&b.truth);
    CHECK(rn_benchconf_parse(&b, "truth.a = 70\ntruth.b = 40\n", err, sizeof err) < 0 &&
              strstr(err, "110%") && strstr(err, "more than 100%"),
          "a ground truth above 100%% is a configuration error saying its sum");
    rn_truth_free(&b.truth);
    CHECK(rn_benchconf_parse(&b, "args = 1\ntruth.a = lots\n", err, sizeof err) < 0 &&
              strstr(err, "line 2") && strstr(err, "truth.a = lots"),
          "a bad share names its line");
    rn_truth_free(&b.truth);
    free(b.args);
    CHECK(rn_benchmark_load("/nonexistent/dir", err, sizeof err) == NULL &&
              strstr(err, "not a benchmark"),
          "a missing directory is not a benchmark");
    CHECK(rn_benchmark_load("/tmp", err, sizeof err) == NULL && strstr(err, "no executable 'run'"),
          "a directory without run is not a benchmark");
}

static void test_cpulist(void) {
    CHECK(rn_cpulist_valid("0", 2) == 0 && rn_cpulist_valid("0-1", 2) == 0, "simple lists");
    CHECK(rn_cpulist_valid("0-2,5,7-8", 0) == 0, "ranges and singles");
    CHECK(rn_cpulist_valid("2", 2) < 0, "a CPU the host lacks");
    CHECK(rn_cpulist_valid("1-0", 0) < 0 && rn_cpulist_valid("a", 0) < 0 &&
              rn_cpulist_valid("1,", 0) < 0 && rn_cpulist_valid("", 0) < 0 &&
              rn_cpulist_valid("-1", 0) < 0,
          "malformed lists");
    char b[32], i[32];
    rn_cpulist_default(1, b, sizeof b, i, sizeof i);
    CHECK(!b[0] && !i[0], "one CPU: no pinning");
    rn_cpulist_default(2, b, sizeof b, i, sizeof i);
    CHECK(!strcmp(b, "0") && !strcmp(i, "1"), "two CPUs: 0 and 1");
    rn_cpulist_default(8, b, sizeof b, i, sizeof i);
    CHECK(!strcmp(b, "0-6") && !strcmp(i, "7"), "eight CPUs: 0-6 and 7");
}

static void test_ingester(void) {
    char d[64], c[64];
    int pid = 0;
    CHECK(rn_ingester_parse_ready(
              "agentbench-ingester ready data=127.0.0.1:4040 control=127.0.0.1:4041 pid=77", d,
              sizeof d, c, sizeof c, &pid) == 0 &&
              !strcmp(d, "127.0.0.1:4040") && !strcmp(c, "127.0.0.1:4041") && pid == 77,
          "ready line");
    CHECK(rn_ingester_parse_ready("agentbench-ingester ready data=127.0.0.1:1 control=- pid=5", d,
                                  sizeof d, c, sizeof c, &pid) == 0 &&
              !strcmp(c, "-"),
          "ready line without control");
    CHECK(rn_ingester_parse_ready("listening on 4040", d, sizeof d, c, sizeof c, &pid) < 0,
          "other lines are not ready lines");
    CHECK(rn_ingester_mode_known("blackhole") && rn_ingester_mode_known("ratelimit") &&
              !rn_ingester_mode_known("baseline") && !rn_ingester_mode_known("turbo"),
          "modes");
    CHECK(!strcmp(rn_ingester_delivery_measure("fast"), "profiles") &&
              !strcmp(rn_ingester_delivery_measure("slow"), "profiles") &&
              !strcmp(rn_ingester_delivery_measure("error"), "requests") &&
              !strcmp(rn_ingester_delivery_measure("hang"), "requests") &&
              rn_ingester_delivery_measure("down") == NULL &&
              rn_ingester_delivery_measure("blackhole") == NULL,
          "what counts as delivered per mode");
}

static void test_measure(void) {
    run_result r;
    memset(&r, 0, sizeof r);
    CHECK(rn_measure_parse_end(
              "end status=signaled code=0 signal=9 wall=1.500000000 user=0.25 sys=0.125 "
              "maxrss=2048 nvcsw=3 nivcsw=4 minflt=5 majflt=6 timedout=1",
              &r) == 0 &&
              !r.exited && r.signal == 9 && r.wall_s == 1.5 && r.user_s == 0.25 &&
              r.sys_s == 0.125 && r.maxrss_kb == 2048 && r.nvcsw == 3 && r.nivcsw == 4 &&
              r.minflt == 5 && r.majflt == 6 && r.timed_out && r.reported && r.migrations == -1,
          "the helper's end line");
    memset(&r, 0, sizeof r);
    CHECK(rn_measure_parse_end("end status=exited code=0 signal=0 wall=1 user=0.5 sys=0.1 maxrss=1 "
                               "nvcsw=0 nivcsw=0 minflt=0 majflt=0 timedout=0 migrations=17",
                               &r) == 0 &&
              r.migrations == 17,
          "the run's CPU migrations, when the helper counted them");
    memset(&r, 0, sizeof r);
    CHECK(rn_measure_parse_end("end status=exited code=0 signal=0 wall=1 user=0.5 sys=0.1 maxrss=1 "
                               "nvcsw=0 nivcsw=0 minflt=0 majflt=0 timedout=0 migrations=x",
                               &r) == 0 &&
              r.migrations == -1,
          "migrations that are not a count: not counted");
    memset(&r, 0, sizeof r);
    CHECK(rn_measure_parse_end("end status=exited code=3", &r) < 0 && !r.reported,
          "a short end line");
    char *argv[] = {"/bin/echo", "a b", NULL}, *env[] = {"X=1", NULL};
    run_spec spec = {.argv = argv,
                     .env = env,
                     .cwd = "/tmp",
                     .cpus = "0",
                     .out_path = "/tmp/log",
                     .timeout_s = 2.5};
    size_t len;
    char *req = rn_measure_request(&spec, &len);
    const char *want = "10\n4\n/tmp8\n/tmp/log1\n05\n2.5005\n0.0001\n29\n/bin/echo3\na b1\n13\nX=1";
    CHECK(len == strlen(want) && !memcmp(req, want, len), "request encoding");
    free(req);
}

static void test_misc(void) {
    cpu_times a, b;
    CHECK(rn_cpu_times_parse("cpu  100 0 50 800 10 0 0 40 0 0", &a) == 0 && a.total == 1000 &&
              a.steal == 40,
          "/proc/stat cpu line");
    CHECK(rn_cpu_times_parse("cpu0 1 2 3 4", &a) < 0, "only the aggregate line");
    rn_cpu_times_parse("cpu  100 0 50 800 10 0 0 40 0 0", &a);
    rn_cpu_times_parse("cpu  150 0 50 830 10 0 0 60 0 0", &b);
    CHECK(rn_steal_pct(&a, &b) == 20.0 && rn_steal_pct(&b, &b) == 0, "steal percent");
    char *c = rn_checksum_scan("hello\nchecksum: 12\nmore\nchecksum:  34  \n");
    CHECK(c && !strcmp(c, "34"), "the last checksum line, trimmed");
    free(c);
    CHECK(rn_checksum_scan("no sum here\n") == NULL && rn_checksum_scan("") == NULL, "no checksum");
    c = rn_checksum_scan("checksum: abc");
    CHECK(c && !strcmp(c, "abc"), "a checksum without a newline");
    free(c);
}

int main(void) {
    test_benchconf();
    test_cpulist();
    test_ingester();
    test_measure();
    test_misc();
    return TAP_DONE();
}
