/* fuzz_fold_bpftrace.c: libFuzzer entry point of the runner's fold_bpftrace target
 * (fuzz_targets.h). */
#include "fuzz/fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    return fuzz_fold_bpftrace(data, size);
}
