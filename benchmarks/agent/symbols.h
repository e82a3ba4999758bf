/* symbols.h: turns code addresses into function names for the collector thread. Reads the
 * ELF symbol table (.symtab, so static functions resolve; else .dynsym) of every loaded
 * object found with dl_iterate_phdr, and falls back to dladdr. Not thread-safe: one owner. */
#ifndef AGENT_SYMBOLS_H
#define AGENT_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

typedef struct agent_symbols agent_symbols;

agent_symbols *agent_symbols_new(void);
void agent_symbols_free(agent_symbols *syms);

/* Writes the name of the function containing addr into buf (always terminated). Returns 1
 * for a function name, 0 when only the object is known ("[libc.so.6]") or nothing
 * ("[unknown]"). */
int agent_symbols_lookup(agent_symbols *syms, uintptr_t addr, char *buf, size_t len);

/* A table of one object read from an ELF64 image in memory (not copied: it must outlive
 * the table), at load bias 0, for the fuzz target and tests: agent_symbols_lookup then
 * resolves the image's own addresses. NULL when out of memory. */
agent_symbols *agent_symbols_from_image(const void *image, size_t size);

/* Whether ret is the return address of a call to the function containing pc: the bytes
 * before ret are a direct call (or a call through the GOT, or through a PLT stub) whose
 * target is that function. Used to recover the caller of a leaf function that keeps no
 * frame pointer (gcc omits it in leaves even with -fno-omit-frame-pointer). x86-64 only;
 * elsewhere it answers 0. */
int agent_symbols_is_call_to(agent_symbols *syms, uintptr_t ret, uintptr_t pc);

#endif
