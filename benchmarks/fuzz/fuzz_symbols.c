/* fuzz_symbols.c: libFuzzer entry point of the ELF symbol reader target (fuzz_symbols.h). */
#include "fuzz_symbols.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    return fuzz_symbols(data, size);
}
