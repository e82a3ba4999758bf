/* fuzz_ingest.c: libFuzzer entry point for the ingester's ingest decoding (see fuzz_targets.h). */
#include "fuzz/fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_run_ingest(data, size);
    return 0;
}
