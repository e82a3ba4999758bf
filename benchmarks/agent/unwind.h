/* unwind.h: frame-pointer stack walking, safe to call from a signal handler: it only reads
 * words inside the interrupted thread's stack, between its stack pointer and the stack's
 * top, and stops at the first frame pointer that is out of bounds, misaligned or not
 * strictly increasing. */
#ifndef AGENT_UNWIND_H
#define AGENT_UNWIND_H

#include <stddef.h>
#include <stdint.h>

/* Writes pc, then the return address of each frame found from fp, into pcs[0..max).
 * [sp, stack_hi) is the readable stack. Returns the number of entries (>= 1 when max > 0). */
size_t agent_unwind_fp(uintptr_t pc, uintptr_t fp, uintptr_t sp, uintptr_t stack_hi, uintptr_t *pcs,
                       size_t max);

/* Copies up to max words from [sp, stack_hi) into out; returns how many. */
size_t agent_copy_stack_words(uintptr_t sp, uintptr_t stack_hi, uintptr_t *out, size_t max);

/* The pc, frame pointer and stack pointer saved in a signal handler's ucontext.
 * Returns 0, or -1 on an architecture this file does not know. */
int agent_unwind_regs(const void *ucontext, uintptr_t *pc, uintptr_t *fp, uintptr_t *sp);

#endif
