/* service.c: one run of a service benchmark, as service.h lists its steps, written as the
 * sequence it is: each step runs the suite's libuv loop until it is done, the service
 * died (the helper reported its end) or the suite was interrupted. The helper owns the
 * service's process: it starts it, reports its pid, sends the SIGTERM when asked and
 * times the exit, so neither the runner's scheduling nor its journal writes are in the
 * exit delay. */
#include "service.h"
#include "clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "benchdir.h"
#include "http.h"
#include "ingester.h"
#include "loadphase.h"
#include "probe.h"
#include "procstat.h"
#include "profiler.h"
#include "progress.h"
#include "util.h"

#define LOAD_TIMEOUT_S 10 /* a request unanswered this long is a timeout error */

/* ---- small steps ------------------------------------------------------------------- */

/* Go on while the service runs and the suite was not interrupted. */
static int go_on(void *arg) {
    suite *s = arg;
    return rn_measure_running() && !s->interrupted;
}

/* A free port on 127.0.0.1 (bound to port 0, then released for the service). */
static int free_port(struct sockaddr_in *addr, char *err, size_t errlen) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    socklen_t len = sizeof *addr;
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof *addr) < 0 ||
        getsockname(fd, (struct sockaddr *)addr, &len) < 0) {
        snprintf(err, errlen, "no free loopback port: %s", strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/* The agents' upload interval in effect: --upload-interval, else the longest own
 * interval of the profilers benchmark bi runs under in this suite (the window is the same
 * for every variant). */
static double upload_interval(suite *s, int bi) {
    if (s->o.upload_interval > 0) return s->o.upload_interval;
    double iv = 0;
    for (int vi = 0; vi < s->nvar; vi++) {
        const ab_profiler *p = rn_run_profiler(s, bi, vi);
        if (p && p->default_interval_s > iv) iv = p->default_interval_s;
    }
    return iv;
}

/* The latency phase's window: --duration; else bench.conf's, raised to 3 upload intervals
 * (--quick keeps its short one). */
static double window_of(suite *s, const benchmark *b, double interval) {
    if (s->o.duration > 0) return s->o.duration;
    if (s->o.quick) return b->svc.quick_duration_s;
    double d = b->svc.duration_s;
    return interval > 0 && d < 3 * interval ? 3 * interval : d;
}

/* Why the service's run ended before its SIGTERM, as the helper reported it. */
static void died(service_run *sv, const run_result *r, const char *phase) {
    if (r->timed_out) {
        sv->fail_status = "failed";
        snprintf(sv->reason, sizeof sv->reason,
                 "still running at the run's bound during "
                 "the %s (killed)",
                 phase);
    } else if (r->exited) {
        sv->fail_status = "failed";
        snprintf(sv->reason, sizeof sv->reason, "exited with code %d during the %s", r->exit_code,
                 phase);
    } else {
        sv->fail_status = "crashed";
        snprintf(sv->reason, sizeof sv->reason, "killed by signal %d during the %s", r->signal,
                 phase);
    }
}

static void fail(service_run *sv, const char *fmt, const char *a, const char *b) {
    sv->fail_status = "failed";
    snprintf(sv->reason, sizeof sv->reason, fmt, a, b);
}

static double num(json_t *o, const char *path1, const char *path2) {
    json_t *v = json_object_get(o, path1);
    if (path2) v = json_object_get(v, path2);
    return json_is_number(v) ? json_number_value(v) : 0;
}

/* The client's side of the checksum and the failed requests, added up over phases. */
static void add_phase(service_run *sv, json_t *j, int measured) {
    json_t *d = json_object_get(j, "digest");
    const char *sum = json_string_value(json_object_get(d, "sum"));
    if (sum) {
        sv->have_client = 1;
        sv->client_requests += (unsigned long long)num(d, "count", NULL);
        sv->client_sum += (uint64_t)strtoull(sum, NULL, 16);
    }
    sv->abandoned += (unsigned long long)(num(j, "errors", "timeout") + num(j, "errors", "socket"));
    if (!measured) return;
    if (!sv->errors)
        sv->errors = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "non_2xx", (json_int_t)0, "connect",
                               (json_int_t)0, "socket", (json_int_t)0, "parse", (json_int_t)0,
                               "timeout", (json_int_t)0, "unsent", (json_int_t)0);
    const char *k;
    json_t *v;
    json_object_foreach(sv->errors, k, v) {
        double add = !strcmp(k, "non_2xx") ? num(j, "status", "non_2xx") : num(j, "errors", k);
        json_integer_set(v, json_integer_value(v) + (json_int_t)add);
    }
}

typedef struct phase {
    suite *s;
    service_run *sv;
    run_result *r;
    loadphase_spec spec;
} phase;

/* One load phase; 0 with its JSON in *out (may be NULL: not kept), -1 when the run must
 * stop (sv says why). */
static int run_phase(phase *p, const char *name, double rate, double duration, int measured,
                     json_t **out) {
    if (duration <= 0) return 0;
    p->spec.rate = rate;
    p->spec.duration_s = duration;
    json_t *j;
    char why[256];
    int rc = rn_loadphase_run(&p->s->loop, &p->spec, go_on, p->s, &j, why, sizeof why);
    if (rc == -2 || (rc < 0 && !rn_measure_running())) {
        if (!p->s->interrupted) died(p->sv, p->r, name);
        return -1;
    }
    if (rc < 0) {
        fail(p->sv, "%s: %s", name, why);
        return -1;
    }
    if (!rn_measure_running()) { /* it died as the phase ended: nothing of it counts */
        json_decref(j);
        if (!p->s->interrupted) died(p->sv, p->r, name);
        return -1;
    }
    add_phase(p->sv, j, measured);
    if (out) *out = j;
    else json_decref(j);
    return 0;
}

/* The rate of the latency phase: the suite's, or fixed now from this run's capacity (a
 * baseline run, or any run when the baseline could not fix it: see doc/load.md). */
static double latency_rate(suite *s, int bi, int vi, int warmup, double capacity) {
    if (s->load_rate[bi] > 0) return s->load_rate[bi];
    double rate = s->o.load_share * capacity;
    const char *variant = s->o.variants.v[vi];
    int base = rn_strlist_index(&s->o.variants, "baseline");
    if (warmup && base >= 0 && vi != base) return rate; /* the baseline's warm-up fixes it */
    if (base >= 0 && vi != base)
        rn_progress_warn("%s: no baseline run fixed the latency phase's rate; %s's capacity "
                         "does",
                         s->bench[bi]->name, variant);
    rn_suite_fix_load_rate(s, bi, rate, capacity, variant, warmup ? "warmup" : "run");
    return rate;
}

/* The ingester's counters of variant vi now, into c; 0 or -1. */
static int counters_now(suite *s, int vi, ab_ingester_stats *c) {
    const char *control = rn_variant_has_agent(s->o.variants.v[vi]) ? rn_ingester_control_of(s, vi)
                                                                    : NULL;
    char err[256];
    return control && rn_ingester_counters_fetch(control, c, err, sizeof err) == 0 ? 0 : -1;
}

/* ---- the run ----------------------------------------------------------------------- */

/* Steps 2 to 5 while the service runs; -1 when the run stops early (sv says why). */
static int drive(suite *s, int bi, int vi, int warmup, const struct sockaddr_in *addr, phase *p) {
    benchmark *b = s->bench[bi];
    service_run *sv = p->sv;
    char why[256];
    double t0 = ab_mono_s();
    probe_outcome po = rn_probe_ready(&s->loop, addr, b->svc.ready_path, b->svc.ready_timeout,
                                      go_on, s, why, sizeof why);
    if (po == PROBE_ABORTED) {
        if (!s->interrupted) died(sv, p->r, "wait for readiness");
        return -1;
    }
    if (po == PROBE_TIMEOUT) {
        char bound[32];
        snprintf(bound, sizeof bound, "%g s", b->svc.ready_timeout);
        sv->fail_status = "failed";
        snprintf(sv->reason, sizeof sv->reason,
                 "not ready: GET %s did not answer 200 within "
                 "%s (%s)",
                 b->svc.ready_path, bound, why);
        return -1;
    }
    sv->ready_s = ab_mono_s() - t0;
    sv->have_ready = 1;

    int quick = s->o.quick;
    if (run_phase(p, "warm-up", 0, quick ? b->svc.quick_warmup_s : b->svc.warmup_s, 0, NULL) < 0 ||
        run_phase(p, "capacity phase", 0, quick ? b->svc.quick_capacity_s : b->svc.capacity_s, 1,
                  &sv->capacity) < 0)
        return -1;
    sv->throughput_rps = num(sv->capacity, "throughput_rps", NULL);
    sv->have_capacity = 1;
    if (sv->throughput_rps <= 0 && s->load_rate[bi] <= 0) {
        fail(sv, "the capacity phase got no 2xx answer%s%s", "", "");
        return -1;
    }
    sv->rate_rps = latency_rate(s, bi, vi, warmup, sv->throughput_rps);

    ab_ingester_stats c0, c1;
    int counted = counters_now(s, vi, &c0) == 0;
    double cpu0 = rn_pgrp_cpu_seconds(p->r->pid);
    if (run_phase(p, "latency phase", sv->rate_rps, sv->window_s, 1, &sv->latency) < 0) return -1;
    double cpu1 = rn_pgrp_cpu_seconds(p->r->pid);
    if (counted && counters_now(s, vi, &c1) == 0) {
        sv->have_window = 1;
        sv->window_profiles = c1.profiles - c0.profiles;
        sv->window_samples = c1.samples - c0.samples;
    }
    json_t *lat = json_object_get(sv->latency, "latency_s");
    sv->latency_p50_s = num(lat, "p50", NULL);
    sv->latency_p90_s = num(lat, "p90", NULL);
    sv->latency_p99_s = num(lat, "p99", NULL);
    sv->latency_p999_s = num(lat, "p99_9", NULL);
    sv->latency_max_s = num(lat, "max", NULL);
    sv->have_latency = num(lat, "count", NULL) > 0;
    double answers = num(sv->latency, "status", "2xx");
    if (cpu0 >= 0 && cpu1 >= cpu0 && answers > 0) {
        sv->cpu_window_s = cpu1 - cpu0;
        sv->cpu_per_request_s = sv->cpu_window_s / answers;
        sv->have_cpu = 1;
    }
    return 0;
}

int rn_service_measure(suite *s, int bi, int vi, int warmup, char **argv, char **env,
                       const char *logpath, int logfd, run_result *r, service_run *sv, char *err,
                       size_t errlen) {
    benchmark *b = s->bench[bi];
    memset(sv, 0, sizeof *sv);
    memset(r, 0, sizeof *r);
    sv->upload_interval_s = upload_interval(s, bi);
    sv->window_s = window_of(s, b, sv->upload_interval_s);
    if (warmup && sv->upload_interval_s > 0 && sv->window_s < 3 * sv->upload_interval_s)
        rn_progress_warn("%s: the latency window (%g s) is shorter than 3 upload intervals of "
                         "its agent (%g s each): periodic uploads may fall outside it",
                         b->name, sv->window_s, sv->upload_interval_s);
    sv->placement = json_pack("{s:s,s:s,s:s}", "service", s->cpu_bench, "load", s->cpu_load,
                              "ingester", s->cpu_ingester);

    struct sockaddr_in addr;
    if (free_port(&addr, err, errlen) < 0) return -1;
    char host[INET_ADDRSTRLEN];
    uv_ip4_name(&addr, host, sizeof host);
    int port = ntohs(addr.sin_port);
    strlist e = {0}, urls = {0};
    for (char **v = env; v && *v; v++) rn_strlist_add(&e, *v);
    rn_strlist_add_take(&e, rn_xasprintf("AGENTBENCH_SERVICE_ADDR=%s:%d", host, port));
    strlist paths = {0};
    rn_strlist_split(&paths, b->svc.load_paths, 1);
    for (size_t i = 0; i < paths.n; i++)
        rn_strlist_add_take(&urls, rn_xasprintf("http://%s:%d%s", host, port, paths.v[i]));
    rn_strlist_free(&paths);

    double quick = s->o.quick, term = rn_run_timeout(s, bi);
    double phases = (quick ? b->svc.quick_warmup_s + b->svc.quick_capacity_s
                           : b->svc.warmup_s + b->svc.capacity_s) +
                    sv->window_s;
    run_spec spec = {.argv = argv,
                     .env = e.v,
                     .cwd = b->dir,
                     .cpus = s->cpu_bench,
                     .out_path = logpath,
                     .term_timeout_s = term,
                     .timeout_s = b->svc.ready_timeout + phases + 3 * (3 * LOAD_TIMEOUT_S + 10) +
                                  term + 30};
    int rc = rn_measure_start(&s->loop, &spec, r, err, errlen);
    if (rc == 0) {
        phase p = {.s = s,
                   .sv = sv,
                   .r = r,
                   .spec = {.helper = s->helper,
                            .agentbench = rn_xasprintf("%s/agentbench", rn_self_dir()),
                            .cpus = s->cpu_load,
                            .timeout_s = LOAD_TIMEOUT_S,
                            .connections = b->svc.load_connections,
                            .digest_header = b->svc.digest_header,
                            .urls = urls.v,
                            .logfd = logfd}};
        if (drive(s, bi, vi, warmup, &addr, &p) == 0) {
            sv->terminated = 1;
            rn_measure_terminate();
        } else {
            rn_measure_kill();
        }
        rc = rn_measure_wait(&s->loop, err, errlen);
        free((char *)p.spec.agentbench);
    }
    rn_strlist_free(&e);
    rn_strlist_free(&urls);
    return rc;
}

/* ---- after the run ------------------------------------------------------------------ */

void rn_service_take_output(service_run *sv, const char *out) {
    const char *last = NULL;
    for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (!strncmp(p, "requests:", 9)) last = p + 9;
    char *end;
    unsigned long long n = last ? strtoull(last, &end, 10) : 0;
    if (last && end != last) {
        sv->service_requests = n;
        sv->have_service_requests = 1;
    }
}

int rn_service_exit_delay(const run_result *r, double *delay, int *blocked) {
    if (r->t_term <= 0 || r->t_end < r->t_term) return 0;
    *delay = r->t_end - r->t_term;
    *blocked = r->timed_out;
    return 1;
}

const char *rn_service_status(service_run *sv, const run_result *r, const char *checksum) {
    if (sv->fail_status) return sv->fail_status;
    if (!sv->terminated || r->t_term <= 0) {
        fail(sv, "the run ended before its SIGTERM%s%s", "", "");
        return "failed";
    }
    int blocked = r->timed_out;
    if (!blocked && !r->exited) {
        snprintf(sv->reason, sizeof sv->reason, "killed by signal %d after SIGTERM", r->signal);
        return "crashed";
    }
    if (!blocked && r->exit_code != 0) {
        snprintf(sv->reason, sizeof sv->reason, "exited with code %d after SIGTERM", r->exit_code);
        return "failed";
    }
    if (!sv->have_client) return "ok";
    if (!checksum) {
        if (blocked) return "ok"; /* killed before it could say: unverified */
        fail(sv, "printed no checksum line at exit%s%s", "", "");
        return "failed";
    }
    char *end;
    uint64_t sum = (uint64_t)strtoull(checksum, &end, 16);
    int same = end != checksum && !*end && sum == sv->client_sum &&
               (!sv->have_service_requests || sv->service_requests == sv->client_requests);
    unsigned long long extra = sv->service_requests - sv->client_requests;
    if (!same && sv->abandoned && sv->have_service_requests &&
        sv->service_requests >= sv->client_requests && extra <= sv->abandoned) {
        /* the client gave up on requests the service still answered and counted: the
         * sums cannot be compared, but nothing is wrong with the service (a run that
         * overloads it is a figure, not a failure) */
        snprintf(sv->note, sizeof sv->note,
                 "checksum not comparable: the service answered "
                 "%llu requests the client had given up on (%llu abandoned)",
                 extra, sv->abandoned);
        return "ok";
    }
    sv->checked = 1;
    sv->checksum_ok = same;
    if (same) return "ok";
    snprintf(sv->reason, sizeof sv->reason,
             "the service's checksum %s (%llu requests) is not "
             "the client's %016" PRIx64 " (%llu answers)",
             checksum, sv->service_requests, sv->client_sum, sv->client_requests);
    return "checksum";
}

void rn_service_run_end(service_run *sv, ab_ev_run_end *re) {
    static char client[17];
    re->kind = "service";
    re->placement = sv->placement;
#define SET(field, value, cond)  \
    do {                         \
        if (cond) {              \
            re->field = (value); \
            re->has.field = 1;   \
        }                        \
    } while (0)
    SET(upload_interval_s, sv->upload_interval_s, sv->upload_interval_s > 0);
    SET(window_s, sv->window_s, 1);
    SET(ready_s, sv->ready_s, sv->have_ready);
    SET(throughput_rps, sv->throughput_rps, sv->have_capacity);
    SET(rate_rps, sv->rate_rps, sv->have_latency);
    SET(latency_p50_s, sv->latency_p50_s, sv->have_latency);
    SET(latency_p90_s, sv->latency_p90_s, sv->have_latency);
    SET(latency_p99_s, sv->latency_p99_s, sv->have_latency);
    SET(latency_p999_s, sv->latency_p999_s, sv->have_latency);
    SET(latency_max_s, sv->latency_max_s, sv->have_latency);
    SET(cpu_window_s, sv->cpu_window_s, sv->have_cpu);
    SET(cpu_per_request_s, sv->cpu_per_request_s, sv->have_cpu);
    SET(service_requests, (json_int_t)sv->service_requests, sv->have_service_requests);
    SET(client_requests, (json_int_t)sv->client_requests, sv->have_client);
    SET(window_profiles, (json_int_t)sv->window_profiles, sv->have_window);
    SET(window_samples, (json_int_t)sv->window_samples, sv->have_window);
    SET(checksum_ok, sv->checksum_ok, sv->checked);
#undef SET
    if (sv->have_client) {
        snprintf(client, sizeof client, "%016" PRIx64, sv->client_sum);
        re->checksum_client = client;
    }
    re->errors = sv->errors;
    re->capacity = sv->capacity;
    re->latency = sv->latency;
    if (sv->reason[0]) re->reason = sv->reason;
    else if (sv->note[0]) re->reason = sv->note;
}

void rn_service_run_free(service_run *sv) {
    json_decref(sv->capacity);
    json_decref(sv->latency);
    json_decref(sv->errors);
    json_decref(sv->placement);
    memset(sv, 0, sizeof *sv);
}
