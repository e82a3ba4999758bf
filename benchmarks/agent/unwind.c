/* unwind.c: frame-pointer stack walking for the SIGPROF handler (async-signal-safe: no
 * locks, no allocation, no calls into libc). The frame record layout is the same on x86-64
 * and AArch64: [fp] = the caller's fp, [fp + 8] = the return address. */
#include "unwind.h"

#include <ucontext.h>

/* Reading another function's stack frame is the point here: AddressSanitizer would see
 * its redzones as stack-buffer-underflows, so these two readers are not instrumented. */
#define NOT_ASAN __attribute__((no_sanitize_address))

NOT_ASAN size_t agent_unwind_fp(uintptr_t pc, uintptr_t fp, uintptr_t sp, uintptr_t stack_hi,
                                uintptr_t *pcs, size_t max) {
    size_t n = 0;
    if (max == 0) return 0;
    pcs[n++] = pc;
    uintptr_t lo = sp;
    while (n < max) {
        if (fp < lo || fp % sizeof(uintptr_t) != 0 || stack_hi < 2 * sizeof(uintptr_t) ||
            fp > stack_hi - 2 * sizeof(uintptr_t))
            break;
        const uintptr_t *frame = (const uintptr_t *)fp;
        uintptr_t next = frame[0];
        uintptr_t ret = frame[1];
        if (ret == 0) break;
        pcs[n++] = ret;
        if (next <= fp) break;
        lo = fp + 2 * sizeof(uintptr_t);
        fp = next;
    }
    return n;
}

NOT_ASAN size_t agent_copy_stack_words(uintptr_t sp, uintptr_t stack_hi, uintptr_t *out,
                                       size_t max) {
    size_t n = 0;
    if (sp % sizeof(uintptr_t) != 0) return 0;
    const uintptr_t *w = (const uintptr_t *)sp;
    while (n < max && sp + (n + 1) * sizeof(uintptr_t) <= stack_hi) {
        out[n] = w[n];
        n++;
    }
    return n;
}

int agent_unwind_regs(const void *ucontext, uintptr_t *pc, uintptr_t *fp, uintptr_t *sp) {
    const ucontext_t *uc = ucontext;
#if defined(__x86_64__)
    *pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    *fp = (uintptr_t)uc->uc_mcontext.gregs[REG_RBP];
    *sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
    return 0;
#elif defined(__aarch64__)
    *pc = (uintptr_t)uc->uc_mcontext.pc;
    *fp = (uintptr_t)uc->uc_mcontext.regs[29];
    *sp = (uintptr_t)uc->uc_mcontext.sp;
    return 0;
#else
    (void)uc;
    *pc = *fp = *sp = 0;
    return -1;
#endif
}
