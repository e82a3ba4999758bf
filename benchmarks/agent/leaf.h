/* leaf.h: recovering the caller of a leaf function that keeps no frame pointer. gcc omits
 * the frame in leaves that need no stack even with -fno-omit-frame-pointer, and libc's
 * code has none at all; the frame pointer then still points at the caller's frame and the
 * chain skips the caller. Its return address is then among the first words at the stack
 * pointer (the handler copies them); one that follows a call to the interrupted function
 * is taken as the caller. */
#ifndef AGENT_LEAF_H
#define AGENT_LEAF_H

#include "ring.h"
#include "symbols.h"

#include <stdint.h>

/* The return address into the leaf's caller, or 0 when there is none to add (the frame
 * chain already has it, or no word qualifies). */
uintptr_t agent_leaf_caller(agent_symbols *syms, const agent_sample *s);

#endif
