/* fuzz_benchconf.c: libFuzzer entry point of the runner's benchconf target (fuzz_targets.h). */
#include "fuzz/fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    return fuzz_benchconf(data, size);
}
