/* abagent.h: the public API of agentbench's in-process CPU profiling agent for C programs.
 *
 * A program calls agent_start() early in main() and agent_stop() before it returns.
 * Nothing happens unless PYROSCOPE_AGENT_BENCHMARK_ENABLE_PROFILING is set; then the agent
 * samples the CPU time of every registered thread at PYROSCOPE_SAMPLE_RATE Hz and pushes
 * folded stacks to PYROSCOPE_SERVER_ADDRESS every PYROSCOPE_UPLOAD_INTERVAL seconds.
 * The calling thread of agent_start() is registered; other threads register themselves
 * with agent_thread_start()/agent_thread_stop(), or are created with
 * agent_pthread_create(), which does both. See README.md for the environment. */
#ifndef AGENT_H
#define AGENT_H

#include <pthread.h>
#include <stdint.h>

/* Starts the agent if profiling is enabled in the environment. Returns 0 when it runs or is
 * disabled, -1 (after a message on stderr) when it is enabled but cannot start; the program
 * may carry on unprofiled. */
int agent_start(void);

/* Stops sampling, uploads the last profile waiting at most the flush timeout, prints the
 * counters at PYROSCOPE_LOG_LEVEL=debug (and into the file AGENTBENCH_AGENT_COUNTERS names),
 * and releases everything. Safe when not started. */
void agent_stop(void);

/* Registers / unregisters the calling thread for sampling (no-ops when the agent is off). */
void agent_thread_start(void);
void agent_thread_stop(void);

/* pthread_create() whose thread is registered for its whole life. */
int agent_pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
                         void *arg);

/* The agent's counters (all zero when it never ran). */
typedef struct agent_counters {
    uint64_t samples;         /* stacks captured by the signal handler */
    uint64_t samples_dropped; /* lost because a thread's ring buffer was full */
    uint64_t sample_value;    /* what the captured samples stand for: the sum of their
                               * weights (1 + timer overruns), as the profiles count them */
    uint64_t profiles;        /* profiles cut (one per upload interval with samples) */
    uint64_t uploads_ok;      /* answered 2xx */
    uint64_t uploads_failed;  /* refused, timed out, or answered non-2xx */
    uint64_t uploads_dropped; /* never sent: queue full, or abandoned at exit */
    uint64_t bytes_sent;      /* request bodies of successful uploads */
    uint64_t agent_cpu_us;    /* CPU time of the agent's own threads (collector and
                               * uploader), known after stop; the signal handler's
                               * time is spent in the sampled threads: */
    uint64_t handler_us;      /* time spent in the signal handler, all threads (x86-64:
                               * TSC; the kernel's signal delivery is not included) */
} agent_counters;

void agent_get_counters(agent_counters *out);

/* The end of a batch benchmark's work, for agentbench's exit delay (the time from here to
 * the process's exit: what the agent's stop costs; doc/measurement.md). Prints
 * "work_end: T" (T: CLOCK_MONOTONIC, seconds), then fmt as printf does (the checksum line,
 * which stays the last line), and flushes stdout, so both are out even if the program
 * never gets to exit. Call it in place of the checksum's printf, before agent_stop().
 * Works with the agent off. */
void agent_work_done(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
