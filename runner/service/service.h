/* service.h: one run of a service benchmark (kind = service; doc/internals.md, "Service
 * benchmarks"), the part run_one.c calls instead of a batch measurement:
 *
 *   1. a free loopback port → AGENTBENCH_SERVICE_ADDR; the service started through the
 *      measuring helper (its rusage as for every run), pinned to the benchmark's CPUs;
 *   2. ready: GET ready_path answers 200 within ready_timeout (else a failed run);
 *   3. warm-up: closed-loop load for warmup_s (not measured);
 *   4. capacity: closed-loop load for capacity_s → throughput (requests/s);
 *   5. latency: open-loop load at the suite's fixed rate for the window → latency
 *      percentiles from intended send times; the service's CPU over the window (from
 *      /proc) per 2xx answer; the profiles the ingester received meanwhile;
 *   6. SIGTERM (sent and timed by the helper) → exit delay; killed after the run's
 *      timeout, the exit delay is recorded as a lower bound (exit_blocked).
 * Each load phase is a child `agentbench load --json` on the load CPUs (loadphase.h).
 * A service that dies, a phase that fails, or a suite interrupted stops the run at once. */
#ifndef AB_SERVICE_SERVICE_H
#define AB_SERVICE_SERVICE_H

#include <jansson.h>
#include <stdint.h>
#include "events.h"
#include "measure.h"
#include "run.h"

typedef struct service_run {
    /* what went wrong, when something did: the status and why, in words */
    const char *fail_status; /* "failed" or "crashed"; NULL: the run got through */
    char reason[512];
    /* figures */
    double upload_interval_s, window_s, ready_s, rate_rps, throughput_rps;
    double latency_p50_s, latency_p90_s, latency_p99_s, latency_p999_s, latency_max_s;
    double cpu_window_s, cpu_per_request_s;
    int have_ready, have_capacity, have_latency, have_cpu;
    /* the client's side of the checksum: answers with a digest, their sum mod 2^64 */
    int have_client;
    unsigned long long client_requests;
    uint64_t client_sum;
    unsigned long long abandoned; /* requests the client gave up on (timeout, socket
                                   * error), all phases: the service may have answered
                                   * and counted them */
    /* the service's side, from its output: its requests: line */
    int have_service_requests;
    unsigned long long service_requests;
    int checked, checksum_ok; /* both sides were compared (rn_service_status()) */
    char note[160];           /* why the checksum could not be compared, or "" */
    /* profiles the ingester received during the latency phase */
    int have_window;
    unsigned long long window_profiles, window_samples;
    json_t *capacity, *latency; /* the phases' load JSON (owned) */
    json_t *errors;             /* failed requests of the measured phases, by kind */
    json_t *placement;          /* {service, load, ingester} CPU lists */
    int terminated;             /* the SIGTERM was asked for after the latency phase */
} service_run;

/* One run of service benchmark bi in variant vi: argv (rn_run_argv's) with environment env
 * (rn_run_environment's) and output to logpath (logfd open on it, for the load generator's
 * messages). Fills r as rn_measure_run() does and sv. Returns 0 when the run was carried out
 * (whatever happened to it: see sv->fail_status), -1 when the helper could not run it (message in
 * err). */
int rn_service_measure(suite *s, int bi, int vi, int warmup, char **argv, char **env,
                       const char *logpath, int logfd, run_result *r, service_run *sv, char *err,
                       size_t errlen);

/* After the run, from its output: the service's requests: line. */
void rn_service_take_output(service_run *sv, const char *out);

/* The run's status ("ok", "failed", "crashed", "checksum") and, when not ok, why (in
 * sv->reason), from what rn_service_measure() saw, the helper's report and the service's
 * checksum line (NULL when it printed none). An ok run whose checksum could not be
 * compared (the service answered no more requests beyond the client's than the client
 * abandoned) says why in sv->note. */
const char *rn_service_status(service_run *sv, const run_result *r, const char *checksum);

/* The exit delay of the run (1), or 0 when it has none; *blocked when it is a lower bound. */
int rn_service_exit_delay(const run_result *r, double *delay, int *blocked);

/* The run's service figures into its run_end (borrowed: valid while sv lives). */
void rn_service_run_end(service_run *sv, ab_ev_run_end *re);

void rn_service_run_free(service_run *sv);

#endif
