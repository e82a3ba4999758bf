/* fuzz_push.c: libFuzzer entry point for the ingester's push decoding (see fuzz_targets.h). */
#include "fuzz/fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_run_push(data, size);
    return 0;
}
