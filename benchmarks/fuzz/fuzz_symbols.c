/* fuzz_symbols.c: libFuzzer target for the C agent's ELF symbol reader
 * (agent/symbols.c), which maps every object a profiled program loads: the input is the
 * file. Its symbol table is read with read_elf_functions, then looked up by scanning and,
 * past the scan threshold, by bisection, at addresses taken from the input; every name
 * found must lie in the file and be terminated there, contain the address, and the two
 * lookups must agree among aliases (symbols of one start; for overlapping symbols of
 * different starts bisection looks at the last start only, by design). The
 * reader's file is included whole, so this is its code. Built and run by
 * `make -C benchmarks fuzz`. */
#include "../agent/symbols.c"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* mmap gives page-aligned memory; so does this (the reader casts to ELF structs) */
    void *copy = NULL;
    if (size == 0 || posix_memalign(&copy, 4096, size) != 0)
        return 0;
    memcpy(copy, data, size);
    module m;
    memset(&m, 0, sizeof m);
    m.map = copy;
    m.map_size = size;
    read_elf_functions(&m);
    const char *lo = copy, *hi = lo + size;
    for (size_t i = 0; i < m.nfuncs; i++)
        if (m.funcs[i].name < lo || m.funcs[i].name >= hi ||
            !memchr(m.funcs[i].name, '\0', (size_t)(hi - m.funcs[i].name)))
            abort();
    uintptr_t probe[40];
    for (int k = 0; k < 40; k++)
        probe[k] = m.nfuncs ? m.funcs[(size_t)k * 7919 % m.nfuncs].start + (uintptr_t)k % 3
                            : (uintptr_t)k;
    for (int k = 0; k < 40; k++) {
        const func_symbol *p = scan_function(&m, probe[k]);
        func_symbol scanned = p ? *p : (func_symbol){0};   /* the sort below moves *p */
        const func_symbol *found = find_function(&m, probe[k]);   /* sorts after 32 */
        if ((p && !contains(&scanned, probe[k])) || (found && !contains(found, probe[k])) ||
            (p && found && scanned.start == found->start && strcmp(scanned.name, found->name)))
            abort();
    }
    free(m.funcs);
    free(copy);
    return 0;
}
