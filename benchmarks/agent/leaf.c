/* leaf.c: finds the return address into a frameless leaf's caller (see leaf.h). */
#include "leaf.h"

uintptr_t agent_leaf_caller(agent_symbols *syms, const agent_sample *s) {
    if (s->depth == 0) return 0;
    for (uint32_t i = 0; i < s->nwords && i < AGENT_STACK_WORDS; i++) {
        uintptr_t w = s->stack_words[i];
        if (w == 0) continue;
        if (s->depth >= 2 && w == s->pcs[1])
            return 0; /* the frame chain already goes through the caller */
        if (agent_symbols_is_call_to(syms, w, s->pcs[0])) return w;
    }
    return 0;
}
