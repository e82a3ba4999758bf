/* fuzz_baseline_json.c: libFuzzer entry point of the runner's baseline_json target
 * (fuzz_targets.h). */
#include "fuzz/fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    return fuzz_baseline_json(data, size);
}
