/* sampler.h: CPU-time sampling of registered threads. Each registered thread gets its own
 * CPU-time clock that sends SIGPROF to that thread every interval of its CPU time; the
 * handler unwinds the interrupted stack into the thread's ring buffer. Two clocks
 * (AGENTBENCH_AGENT_SAMPLER; sampler.c says why perf is the default):
 *   perf   a perf_event task-clock counter of the thread (an hrtimer while it runs) whose
 *          overflow signals the thread (F_SETOWN_EX, F_OWNER_TID);
 *   timer  a POSIX timer on CLOCK_THREAD_CPUTIME_ID (SIGEV_THREAD_ID) carrying a pointer
 *          to the ring. Also where perf_event_open is refused (perf_event_paranoid). */
#ifndef AGENT_SAMPLER_H
#define AGENT_SAMPLER_H

#include "config.h"
#include "ring.h"

#include <stdint.h>

/* Installs the SIGPROF handler; rate in Hz, clock AGENT_SAMPLER_PERF or _TIMER (config.h).
 * Returns 0 or -1 (message logged). */
int agent_sampler_start(int rate_hz, int clock);

/* The clock threads are sampled with: "perf", or "timer" (asked for, or perf refused). */
const char *agent_sampler_clock(void);

/* Registers the calling thread (clock + ring). Returns 0, or -1 (logged). Idempotent. */
int agent_sampler_thread_start(void);

/* Unregisters the calling thread: its clock is closed; its ring stays until agent_sampler_stop
 * so that a signal already queued for it still finds valid memory. */
void agent_sampler_thread_stop(void);

/* Calls fn on every sample buffered so far, in every ring (collector thread only). */
void agent_sampler_drain(void (*fn)(const agent_sample *, void *), void *arg);

/* Sums the rings' counters (handler_ticks in agent_ticks() units). */
void agent_sampler_counts(uint64_t *taken, uint64_t *dropped, uint64_t *handler_ticks);

/* Stops all clocks and the handler (pending SIGPROFs are discarded), waits for handlers
 * still running. Rings stay readable until agent_sampler_free. */
void agent_sampler_stop(void);

/* Frees the rings (after a last drain). */
void agent_sampler_free(void);

#endif
