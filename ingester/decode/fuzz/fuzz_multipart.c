/* fuzz_multipart.c: libFuzzer entry point for the ingester's multipart decoding (see
 * fuzz_targets.h). */
#include "fuzz/fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_run_multipart(data, size);
    return 0;
}
