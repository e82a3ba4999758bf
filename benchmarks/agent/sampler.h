/* sampler.h: CPU-time sampling of registered threads. Each registered thread gets a POSIX
 * timer on its own CPU clock (CLOCK_THREAD_CPUTIME_ID) that sends SIGPROF to that thread
 * (SIGEV_THREAD_ID) carrying a pointer to the thread's ring buffer; the handler unwinds the
 * interrupted stack into the ring. */
#ifndef AGENT_SAMPLER_H
#define AGENT_SAMPLER_H

#include "ring.h"

#include <stdint.h>

/* Installs the SIGPROF handler; rate in Hz. Returns 0 or -1 (message logged). */
int agent_sampler_start(int rate_hz);

/* Registers the calling thread (timer + ring). Returns 0, or -1 (logged). Idempotent. */
int agent_sampler_thread_start(void);

/* Unregisters the calling thread: its timer is deleted; its ring stays until agent_sampler_stop
 * so that a signal already queued for it still finds valid memory. */
void agent_sampler_thread_stop(void);

/* Calls fn on every sample buffered so far, in every ring (collector thread only). */
void agent_sampler_drain(void (*fn)(const agent_sample *, void *), void *arg);

/* Sums the rings' counters (handler_ticks in agent_ticks() units). */
void agent_sampler_counts(uint64_t *taken, uint64_t *dropped, uint64_t *handler_ticks);

/* Stops all timers and the handler (pending SIGPROFs are discarded), waits for handlers
 * still running. Rings stay readable until agent_sampler_free. */
void agent_sampler_stop(void);

/* Frees the rings (after a last drain). */
void agent_sampler_free(void);

#endif
