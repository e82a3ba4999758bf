/* fuzz_fold_perf.c: libFuzzer entry point of the runner's fold_perf target (fuzz_targets.h). */
#include "fuzz/fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    return fuzz_fold_perf(data, size);
}
