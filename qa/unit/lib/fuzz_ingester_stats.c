/* fuzz_ingester_stats.c: libFuzzer target for the one /stats reader
 * (ab_ingester_stats_read, lib/ingester_stats.h), which the runner and the PMDA run on
 * whatever an ingester (or anything at its address) answers: any input is read or
 * refused without a crash, with its strings terminated and its figures finite; a
 * document read is written again and reads back with the same figures (the writer and
 * the reader agree). Built and run by `make -C lib fuzz` (FUZZ_SECONDS); seeds in
 * qa/fuzz-corpus/lib/fuzz_ingester_stats/. */
#include "ingester_stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void must_be_finite(double v) {
    if (!isfinite(v)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ab_ingester_stats s, back;
    char err[256];
    if (ab_ingester_stats_read((const char *)data, size, &s, err, sizeof err) < 0) {
        if (!memchr(err, '\0', sizeof err) || s.profiles || s.req_total)
            abort(); /* refused: a message, and nothing read */
        return 0;
    }
    if (!memchr(s.mode, '\0', sizeof s.mode) || !memchr(s.listen, '\0', sizeof s.listen) ||
        s.apps || s.napps)
        abort();
    must_be_finite(s.uptime_s);
    must_be_finite(s.lat_p50);
    must_be_finite(s.lat_p90);
    must_be_finite(s.lat_p99);
    must_be_finite(s.lat_max);
    size_t len;
    char *text = ab_ingester_stats_write(&s, &len);
    if (!text) return 0; /* out of memory (the mode or listen may not be UTF-8: NULL too) */
    if (ab_ingester_stats_read(text, len, &back, err, sizeof err) < 0 ||
        back.profiles != s.profiles || back.req_total != s.req_total ||
        back.store_stacks_cut != s.store_stacks_cut || back.bytes_received != s.bytes_received ||
        strcmp(back.mode, s.mode) != 0)
        abort();
    free(text);
    return 0;
}
