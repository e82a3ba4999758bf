/* fuzz_ready.c: libFuzzer entry point of the runner's ready target (fuzz_targets.h). */
#include "fuzz/fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    return fuzz_ready(data, size);
}
