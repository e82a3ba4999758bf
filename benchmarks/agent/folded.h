/* folded.h: aggregation of stack samples into "folded" stacks (Brendan Gregg's format, the
 * one Pyroscope's /ingest?format=folded reads): one line per distinct stack, frames from
 * the root to the leaf separated by ';', a space, and the number of samples.
 * Frames are interned names; a stack is the sequence of their ids. Its hash tables are its
 * own, not lib/strmap.h: the agent is linked into the programs it measures and depends on
 * nothing of agentbench's (they run in the collector thread, never in the signal handler,
 * so async-signal safety is not the reason). */
#ifndef AGENT_FOLDED_H
#define AGENT_FOLDED_H

#include <stddef.h>
#include <stdint.h>

typedef struct agent_folded agent_folded;

agent_folded *agent_folded_new(void);
void agent_folded_free(agent_folded *f);

/* The id of a frame name (interned; ';' and newlines become '_' and spaces '_' so a name
 * cannot break the format). Returns UINT32_MAX when out of memory. Ids stay valid until
 * agent_folded_free. */
uint32_t agent_folded_intern(agent_folded *f, const char *name);
const char *agent_folded_name(const agent_folded *f, uint32_t id);

/* Adds count samples of the stack ids[0..n) given leaf first. Returns 0 or -1 (no memory:
 * the sample is lost and counted in lost). */
int agent_folded_add(agent_folded *f, const uint32_t *ids, size_t n, uint64_t count);

size_t agent_folded_stacks(const agent_folded *f);    /* distinct stacks since the last reset */
uint64_t agent_folded_samples(const agent_folded *f); /* samples since the last reset */
uint64_t agent_folded_lost(const agent_folded *f);

/* Renders the stacks (root first) as text; *len gets its length. The caller frees it.
 * NULL when out of memory. */
char *agent_folded_render(const agent_folded *f, size_t *len);

/* Forgets the stacks (not the interned names). */
void agent_folded_reset(agent_folded *f);

#endif
