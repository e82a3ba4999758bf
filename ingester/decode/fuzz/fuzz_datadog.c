/* fuzz_datadog.c: libFuzzer entry point for Datadog's profile intake (see fuzz_targets.h). */
#include "fuzz/fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_run_datadog(data, size);
    return 0;
}
