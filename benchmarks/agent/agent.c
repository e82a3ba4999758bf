/* agent.c: the agent's life cycle (agent_start/stop) and its collector thread, which
 * drains the threads' sample rings every 50-500 ms, symbolizes each new address once, adds the
 * stacks to the current profile and, every upload interval, hands the profile (folded
 * text) to the uploader. At stop the counters go to the debug log and, when
 * AGENTBENCH_AGENT_COUNTERS names a file, into it (so a runner can compare what the agent
 * took with what its server received). AGENTBENCH_AGENT_TEST_FAULT makes the agent wrong
 * on purpose, for agentbench's tests only: drop-every-other:FUNCTION drops every other
 * sample whose leaf is FUNCTION (a biased sampler), corrupt-first-upload sends a first
 * profile the server cannot decode. */
#include "abagent.h"
#include "config.h"
#include "folded.h"
#include "log.h"
#include "sampler.h"
#include "symbols.h"
#include "upload.h"
#include "leaf.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ENABLE_ENV "PYROSCOPE_AGENT_BENCHMARK_ENABLE_PROFILING"

/* How often the collector drains the rings: often enough that a ring (AGENT_RING_SLOTS
 * samples) never fills at the sample rate, and a few times per upload interval, but not
 * more than 20 times a second (each wake-up costs the program a little CPU). */
static double drain_period(const agent_config *cfg) {
    double p = cfg->upload_interval / 4;
    double ring = (AGENT_RING_SLOTS / 2.0) / cfg->sample_rate;
    if (p > ring) p = ring;
    if (p > 0.5) p = 0.5;
    return p < 0.05 ? 0.05 : p;
}

typedef struct pc_entry {
    uintptr_t pc; /* 0: empty */
    uint32_t id;
} pc_entry;

static struct {
    int running;
    agent_config cfg;
    pthread_t collector;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stopping;
    agent_folded *profile;
    agent_symbols *symbols;
    pc_entry *pcs; /* pc -> frame id cache (collector thread only) */
    size_t pcs_cap, pcs_used;
    double profile_start;
    uint64_t profiles;
    agent_uploader *uploader;
    agent_upload_counters upload_counters;
    agent_counters final;      /* kept after stop for agent_get_counters */
    uint64_t collector_cpu_us; /* the collector thread's CPU time, set when it ends */
    uint64_t ticks0;           /* agent_ticks() and CLOCK_MONOTONIC at start, to convert */
    double mono0;
    _Atomic uint64_t sample_value; /* weights of the samples drained (collector thread) */
    uint32_t fault_leaf;           /* test fault: the frame id of FUNCTION, or UINT32_MAX */
    unsigned fault_seen;           /* its samples seen so far */
    int fault_corrupt_pending;     /* test fault: the next profile is corrupted */
} agent = {.lock = PTHREAD_MUTEX_INITIALIZER};

static double now_unix(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *real_getenv(const char *name) {
    return getenv(name);
}

/* The frame id of a code address: pc for the interrupted instruction, ret - 1 for return
 * addresses (so a call at the very end of a function still resolves to it). */
static uint32_t frame_id(uintptr_t addr) {
    if (agent.pcs_used * 2 >= agent.pcs_cap) {
        size_t cap = agent.pcs_cap ? agent.pcs_cap * 2 : 1024;
        pc_entry *t = calloc(cap, sizeof *t);
        if (t == NULL) return UINT32_MAX;
        for (size_t k = 0; k < agent.pcs_cap; k++) {
            if (agent.pcs[k].pc == 0) continue;
            size_t i = (agent.pcs[k].pc * 0x9E3779B97F4A7C15ULL >> 20) & (cap - 1);
            while (t[i].pc != 0) i = (i + 1) & (cap - 1);
            t[i] = agent.pcs[k];
        }
        free(agent.pcs);
        agent.pcs = t;
        agent.pcs_cap = cap;
    }
    size_t i = (addr * 0x9E3779B97F4A7C15ULL >> 20) & (agent.pcs_cap - 1);
    for (; agent.pcs[i].pc != 0; i = (i + 1) & (agent.pcs_cap - 1))
        if (agent.pcs[i].pc == addr) return agent.pcs[i].id;
    char name[256];
    agent_symbols_lookup(agent.symbols, addr, name, sizeof name);
    uint32_t id = agent_folded_intern(agent.profile, name);
    if (id == UINT32_MAX) return id;
    agent.pcs[i] = (pc_entry){.pc = addr, .id = id};
    agent.pcs_used++;
    return id;
}

static void add_sample(const agent_sample *s, void *arg) {
    (void)arg;
    uint32_t ids[AGENT_MAX_FRAMES + 1];
    size_t n = 0;
    if (s->depth == 0) return;
    atomic_fetch_add_explicit(&agent.sample_value, s->weight ? s->weight : 1, memory_order_relaxed);
    ids[n++] = frame_id(s->pcs[0]);
    if (ids[0] != UINT32_MAX && ids[0] == agent.fault_leaf && agent.fault_seen++ % 2 == 1)
        return; /* test fault drop-every-other */
    uintptr_t ret = agent_leaf_caller(agent.symbols, s);
    if (ret != 0) ids[n++] = frame_id(ret - 1);
    for (uint32_t k = 1; k < s->depth && k < AGENT_MAX_FRAMES; k++)
        ids[n++] = frame_id(s->pcs[k] - 1);
    for (size_t k = 0; k < n; k++)
        if (ids[k] == UINT32_MAX) n = k;
    agent_folded_add(agent.profile, ids, n, s->weight ? s->weight : 1);
}

/* Cuts the current profile and queues it for upload (nothing is sent for an empty one). */
static void cut_profile(double until) {
    if (agent_folded_samples(agent.profile) > 0) {
        size_t len = 0;
        char *body = agent_folded_render(agent.profile, &len);
        agent.profiles++;
        if (body != NULL && agent.fault_corrupt_pending && len > 0) {
            body[len - 2] = 'x'; /* test fault: the last line's count is no number */
            agent.fault_corrupt_pending = 0;
        }
        if (body != NULL) {
            agent_log(AGENT_LOG_DEBUG, "profile: %llu samples in %zu stacks, %zu bytes",
                      (unsigned long long)agent_folded_samples(agent.profile),
                      agent_folded_stacks(agent.profile), len);
            agent_uploader_enqueue(agent.uploader, body, len, agent.profile_start, until);
        } else {
            atomic_fetch_add(&agent.upload_counters.dropped, 1);
        }
    }
    agent_folded_reset(agent.profile);
    agent.profile_start = until;
}

static void *collector_main(void *arg) {
    (void)arg;
    double next_upload = agent.profile_start + agent.cfg.upload_interval;
    long period_ns = (long)(drain_period(&agent.cfg) * 1e9);
    pthread_mutex_lock(&agent.lock);
    while (!agent.stopping) {
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_nsec += period_ns;
        while (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
        int rc = 0;
        while (!agent.stopping && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&agent.wake, &agent.lock, &deadline);
        if (agent.stopping) break;
        pthread_mutex_unlock(&agent.lock);
        agent_sampler_drain(add_sample, NULL);
        double t = now_unix();
        if (t >= next_upload) {
            cut_profile(t);
            next_upload = t + agent.cfg.upload_interval;
        }
        pthread_mutex_lock(&agent.lock);
    }
    pthread_mutex_unlock(&agent.lock);
    struct timespec cpu;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
    agent.collector_cpu_us = (uint64_t)cpu.tv_sec * 1000000 + (uint64_t)cpu.tv_nsec / 1000;
    return NULL;
}

static double now_mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fill_counters(agent_counters *c) {
    memset(c, 0, sizeof *c);
    uint64_t ticks;
    agent_sampler_counts(&c->samples, &c->samples_dropped, &ticks);
    c->sample_value = atomic_load(&agent.sample_value);
    double elapsed = now_mono() - agent.mono0;
    uint64_t elapsed_ticks = agent_ticks() - agent.ticks0;
    if (elapsed > 0 && elapsed_ticks > 0)
        c->handler_us = (uint64_t)((double)ticks / ((double)elapsed_ticks / elapsed) * 1e6);
    c->profiles = agent.profiles;
    c->uploads_ok = atomic_load(&agent.upload_counters.ok);
    c->uploads_failed = atomic_load(&agent.upload_counters.failed);
    c->uploads_dropped = atomic_load(&agent.upload_counters.dropped);
    c->bytes_sent = atomic_load(&agent.upload_counters.bytes);
    c->agent_cpu_us = agent.collector_cpu_us + atomic_load(&agent.upload_counters.thread_cpu_us);
}

/* "counters: samples=N ..." (README.md), the debug line and the counters file's line. */
static void format_counters(const agent_counters *c, char *buf, size_t len) {
    snprintf(buf, len,
             "counters: samples=%llu samples_dropped=%llu sample_value=%llu profiles=%llu "
             "uploads_ok=%llu uploads_failed=%llu uploads_dropped=%llu bytes_sent=%llu "
             "agent_cpu_us=%llu handler_us=%llu",
             (unsigned long long)c->samples, (unsigned long long)c->samples_dropped,
             (unsigned long long)c->sample_value, (unsigned long long)c->profiles,
             (unsigned long long)c->uploads_ok, (unsigned long long)c->uploads_failed,
             (unsigned long long)c->uploads_dropped, (unsigned long long)c->bytes_sent,
             (unsigned long long)c->agent_cpu_us, (unsigned long long)c->handler_us);
}

/* The line into path, whole or not at all (a temporary file renamed over it). */
static void write_counters_file(const char *path, const char *line) {
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int ok = f != NULL && fprintf(f, "%s\n", line) > 0;
    if (f != NULL && fclose(f) != 0) ok = 0;
    if (ok && rename(tmp, path) == 0) return;
    agent_log(AGENT_LOG_WARN, "cannot write the counters to %s: %s", path, strerror(errno));
    unlink(tmp);
}

int agent_start(void) {
    if (getenv(ENABLE_ENV) == NULL || agent.running) return 0;
    char err[256];
    if (agent_config_load(&agent.cfg, real_getenv, err, sizeof err) < 0) {
        fprintf(stderr, "abagent: error: %s; profiling disabled\n", err);
        return -1;
    }
    agent_log_set_level(agent.cfg.log_level);
    memset(&agent.final, 0, sizeof agent.final);
    agent.profiles = 0;
    atomic_store(&agent.upload_counters.ok, 0);
    atomic_store(&agent.upload_counters.failed, 0);
    atomic_store(&agent.upload_counters.dropped, 0);
    atomic_store(&agent.upload_counters.bytes, 0);
    atomic_store(&agent.upload_counters.thread_cpu_us, 0);
    agent.collector_cpu_us = 0;
    atomic_store(&agent.sample_value, 0);
    agent.fault_seen = 0;
    agent.fault_corrupt_pending = agent.cfg.fault_corrupt_first;
    agent.ticks0 = agent_ticks();
    agent.mono0 = now_mono();
    agent.profile = agent_folded_new();
    agent.symbols = agent_symbols_new();
    if (agent.profile == NULL || agent.symbols == NULL) goto fail;
    agent.fault_leaf = agent.cfg.fault_drop_fn[0]
                           ? agent_folded_intern(agent.profile, agent.cfg.fault_drop_fn)
                           : UINT32_MAX;
    if (agent.cfg.fault_drop_fn[0] || agent.cfg.fault_corrupt_first)
        agent_log(AGENT_LOG_WARN, "AGENTBENCH_AGENT_TEST_FAULT is set: this agent is wrong on "
                                  "purpose (a test)");
    agent.uploader = agent_uploader_start(&agent.cfg, &agent.upload_counters);
    if (agent.uploader == NULL) goto fail;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&agent.wake, &ca);
    pthread_condattr_destroy(&ca);
    agent.stopping = 0;
    agent.profile_start = now_unix();
    /* The collector and uploader threads are never sampled: they have no timer. */
    if (pthread_create(&agent.collector, NULL, collector_main, NULL) != 0) {
        agent_log(AGENT_LOG_ERROR, "cannot start the collector thread");
        agent_uploader_stop(agent.uploader, 0);
        pthread_cond_destroy(&agent.wake);
        goto fail;
    }
    if (agent_sampler_start(agent.cfg.sample_rate, agent.cfg.sampler) < 0) {
        agent.running = 1;
        agent_stop();
        return -1;
    }
    agent.running = 1;
    static int atexit_registered;
    if (!atexit_registered && atexit(agent_stop) == 0)
        atexit_registered = 1; /* a program that exits without agent_stop still flushes */
    agent_sampler_thread_start();
    agent_log(AGENT_LOG_INFO, "profiling %s at %d Hz (%s clock), uploading to %s every %gs",
              agent.cfg.app_name, agent.cfg.sample_rate, agent_sampler_clock(), agent.cfg.server,
              agent.cfg.upload_interval);
    return 0;
fail:
    agent_folded_free(agent.profile);
    agent_symbols_free(agent.symbols);
    agent.profile = NULL;
    agent.symbols = NULL;
    agent.uploader = NULL;
    return -1;
}

void agent_stop(void) {
    if (!agent.running) return;
    agent_sampler_stop();
    pthread_mutex_lock(&agent.lock);
    agent.stopping = 1;
    pthread_cond_broadcast(&agent.wake);
    pthread_mutex_unlock(&agent.lock);
    pthread_join(agent.collector, NULL);

    agent_sampler_drain(add_sample, NULL);
    cut_profile(now_unix());
    agent_uploader_stop(agent.uploader, agent.cfg.flush_timeout);
    agent.uploader = NULL;

    fill_counters(&agent.final);
    char line[512];
    format_counters(&agent.final, line, sizeof line);
    agent_log(AGENT_LOG_DEBUG, "%s", line);
    if (agent.cfg.counters_path[0]) write_counters_file(agent.cfg.counters_path, line);

    agent_sampler_free();
    agent_folded_free(agent.profile);
    agent_symbols_free(agent.symbols);
    free(agent.pcs);
    agent.pcs = NULL;
    agent.pcs_cap = agent.pcs_used = 0;
    agent.profile = NULL;
    agent.symbols = NULL;
    pthread_cond_destroy(&agent.wake);
    agent.running = 0;
}

void agent_thread_start(void) {
    if (agent.running) agent_sampler_thread_start();
}

void agent_thread_stop(void) {
    agent_sampler_thread_stop();
}

void agent_get_counters(agent_counters *out) {
    if (agent.running) fill_counters(out);
    else *out = agent.final;
}

typedef struct thread_start {
    void *(*start)(void *);
    void *arg;
} thread_start;

static void *registered_thread(void *p) {
    thread_start ts = *(thread_start *)p;
    free(p);
    agent_thread_start();
    void *result = ts.start(ts.arg);
    agent_thread_stop();
    return result;
}

int agent_pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
                         void *arg) {
    thread_start *ts = malloc(sizeof *ts);
    if (ts == NULL) return ENOMEM;
    ts->start = start;
    ts->arg = arg;
    int err = pthread_create(thread, attr, registered_thread, ts);
    if (err != 0) free(ts);
    return err;
}
