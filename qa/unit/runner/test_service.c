/* test_service.c: the pure parts of a service run and of the exit delay: a service's
 * bench.conf keys and their defaults, the agents' own upload intervals, /proc/PID/stat,
 * the helper's end line with its clock readings, the work_end marker, and the process
 * group's CPU of this very process. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "benchdir.h"
#include "../tap.h"
#include "measure.h"
#include "profiler.h"
#include "run.h"
#include "service/procstat.h"
#include "service/service.h"

static void test_conf(void) {
    benchmark b;
    char err[200];
    memset(&b, 0, sizeof b);
    const char *conf = "kind = service\nready_path = /ready\nready_timeout = 2.5\n"
                       "duration_s = 40\nquick_capacity_s = 0.25\nload_connections = 8\n"
                       "load_paths = /a /b?x=1\ndigest_header = X-D\n";
    CHECK(rn_benchconf_parse(&b, conf, err, sizeof err) == 0, "a service's bench.conf parses");
    CHECK(b.kind == KIND_SERVICE && !strcmp(rn_benchmark_kind_name(&b), "service"), "kind service");
    CHECK(!strcmp(b.svc.ready_path, "/ready") && b.svc.ready_timeout == 2.5 &&
              b.svc.duration_s == 40 && b.svc.quick_capacity_s == 0.25 &&
              b.svc.load_connections == 8 && !strcmp(b.svc.load_paths, "/a /b?x=1") &&
              !strcmp(b.svc.digest_header, "X-D"),
          "the keys given");
    CHECK(b.svc.warmup_s == 5 && b.svc.capacity_s == 10 && b.svc.quick_warmup_s == 0.5 &&
              b.svc.quick_duration_s == 2,
          "the defaults of the others");
    free(b.svc.ready_path);
    free(b.svc.load_paths);
    free(b.svc.digest_header);
    memset(&b, 0, sizeof b);
    CHECK(rn_benchconf_parse(&b, "description = x\n", err, sizeof err) == 0 &&
              b.kind == KIND_BATCH && !strcmp(rn_benchmark_kind_name(&b), "batch") &&
              !b.svc.ready_path,
          "batch by default");
    free(b.description);
    memset(&b, 0, sizeof b);
    CHECK(rn_benchconf_parse(&b, "kind = daemon\n", err, sizeof err) < 0 && strstr(err, "kind"),
          "an unknown kind is an error");
    CHECK(rn_benchconf_parse(&b, "load_connections = 0\n", err, sizeof err) < 0 &&
              rn_benchconf_parse(&b, "warmup_s = soon\n", err, sizeof err) < 0,
          "bad numbers");
    CHECK(rn_profiler_find("c")->default_interval_s == 10 &&
              rn_profiler_find("nodejs")->default_interval_s == 60 && !rn_profiler_find("none"),
          "the agents' own upload intervals (runner/profiler.h)");
}

static void test_procstat(void) {
    int g;
    unsigned long long t;
    const char *stat = "4242 (my (odd) prog) S 1 4240 4240 0 -1 4194560 100 0 0 0 250 31 0 0 "
                       "20 0 3 0 12345 1000 200";
    CHECK(rn_procstat_parse(stat, &g, &t) == 0 && g == 4240 && t == 281,
          "/proc/PID/stat: process group, user + system ticks, a name with ')' in it");
    CHECK(rn_procstat_parse("garbage", &g, &t) < 0, "not a stat line");
    /* this process, after burning CPU: its group's CPU grew */
    double a = rn_pgrp_cpu_seconds(getpgrp());
    struct timespec ts, now;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    do clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    while ((now.tv_sec - ts.tv_sec) * 1e9 + (now.tv_nsec - ts.tv_nsec) < 60e6);
    double b = rn_pgrp_cpu_seconds(getpgrp());
    CHECK(a >= 0 && b - a >= 0.03, "the process group's CPU, read from /proc, grows");
    CHECK(rn_pgrp_cpu_seconds(0) < 0, "no such group");
}

static void test_end_line(void) {
    run_result r;
    memset(&r, 0, sizeof r);
    CHECK(rn_measure_parse_end(
              "end status=exited code=0 signal=0 wall=2.5 user=1 sys=0.5 maxrss=9 "
              "nvcsw=1 nivcsw=2 minflt=3 majflt=4 timedout=1 start=100.25 end=102.75 "
              "term=101.5",
              &r) == 0 &&
              r.t_start == 100.25 && r.t_end == 102.75 && r.t_term == 101.5 && r.timed_out,
          "the end line's clock readings");
    CHECK(rn_measure_parse_end("end status=exited code=0 signal=0 wall=2.5 user=1 sys=0.5 maxrss=9 "
                               "nvcsw=1 nivcsw=2 minflt=3 majflt=4 timedout=0 start=1",
                               &r) < 0,
          "a torn end line");
    double t = 0;
    CHECK(rn_work_end_scan("fib = 5\nwork_end: 123.5\nchecksum: 5\n", &t) == 0 && t == 123.5,
          "the work_end line");
    CHECK(rn_work_end_scan("work_end: 1\nwork_end: 7.25\n", &t) == 0 && t == 7.25, "the last one");
    CHECK(rn_work_end_scan("checksum: 5\n", &t) < 0 && rn_work_end_scan("work_end: soon\n", &t) < 0,
          "none, or not a time");
}

/* The service's checksum against the client's: equal, different, or not comparable when
 * the client abandoned requests the service still answered and counted. */
static void test_checksum(void) {
    run_result r;
    memset(&r, 0, sizeof r);
    r.exited = 1;
    r.t_term = 5;
    service_run sv;
    memset(&sv, 0, sizeof sv);
    sv.terminated = sv.have_client = sv.have_service_requests = 1;
    sv.client_requests = sv.service_requests = 100;
    sv.client_sum = 0xabc;
    CHECK(!strcmp(rn_service_status(&sv, &r, "0000000000000abc"), "ok") && sv.checked &&
              sv.checksum_ok && !sv.note[0],
          "the same sum and count: ok, compared");
    memset(&sv.reason, 0, sizeof sv.reason);
    sv.checked = sv.checksum_ok = 0;
    sv.service_requests = 103;
    sv.abandoned = 5;
    CHECK(!strcmp(rn_service_status(&sv, &r, "0000000000000fff"), "ok") && !sv.checked &&
              strstr(sv.note, "3 requests the client had given up on (5 abandoned)"),
          "3 more answered, 5 abandoned: ok, not compared (%s)", sv.note);
    sv.note[0] = 0;
    sv.abandoned = 2;
    CHECK(!strcmp(rn_service_status(&sv, &r, "0000000000000fff"), "checksum") && sv.checked &&
              !sv.checksum_ok && strstr(sv.reason, "is not the client's"),
          "3 more answered, 2 abandoned: a checksum failure");
    sv.abandoned = 0;
    sv.service_requests = 100;
    CHECK(!strcmp(rn_service_status(&sv, &r, "0000000000000abd"), "checksum"),
          "nothing abandoned, another sum: a checksum failure");
}

int main(void) {
    test_conf();
    test_procstat();
    test_end_line();
    test_checksum();
    return TAP_DONE();
}
