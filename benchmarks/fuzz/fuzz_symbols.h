/* fuzz_symbols.h: the C agent's ELF symbol reader (agent/symbols.c) on one input read as
 * the file of a loaded object, as the libFuzzer target (fuzz_symbols.c, `make -C
 * benchmarks fuzz`) and the unit test replaying its corpus (qa/unit/benchmarks/
 * test_symbols_regress.c) run it: the image is read, then looked up at the addresses its
 * words hold (its symbols' among them), past the first lookups' scan into the sorted
 * table's bisection. A name is what agent_symbols_lookup promised: terminated, within the
 * buffer. Header only. */
#ifndef AB_FUZZ_SYMBOLS_H
#define AB_FUZZ_SYMBOLS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "symbols.h"

static int fuzz_symbols(const uint8_t *data, size_t size) {
    /* the loaded file is page-aligned memory: so is this copy */
    void *image = NULL;
    if (posix_memalign(&image, 4096, size ? size : 1) != 0) abort();
    memcpy(image, data, size);
    agent_symbols *syms = agent_symbols_from_image(image, size);
    if (!syms) abort();
    char name[128];
    /* addresses: the image's 8-byte words (a symbol's st_value is one of them), each
     * looked up, and one byte past it, at most 4096 of them spread over the image */
    size_t words = size / 8, stride = words / 4096 + 1;
    for (size_t w = 0; w < words; w += stride) {
        uint64_t a;
        memcpy(&a, data + w * 8, sizeof a);
        for (int d = 0; d < 2; d++) {
            int rc = agent_symbols_lookup(syms, (uintptr_t)(a + (uint64_t)d), name, sizeof name);
            if ((rc != 0 && rc != 1) || memchr(name, 0, sizeof name) == NULL) abort();
        }
    }
    agent_symbols_free(syms);
    free(image);
    return 0;
}

#endif
