/* test_capture_meta.c: lib/capture_meta.c, a capture's provenance beside its stacks: the
 * path beside a folded file, a write read back, and what a reader refuses. */
#include "capture_meta.h"
#include "../tap.h"

#include <string.h>
#include <unistd.h>

int main(void) {
    char out[256], err[512], path[64];
    ab_capture_meta_path("dir/system-1.folded", out, sizeof out);
    CHECK(!strcmp(out, "dir/system-1.capture.json"), "DIR/NAME.folded -> %s", out);
    ab_capture_meta_path("d.x/run", out, sizeof out);
    CHECK(!strcmp(out, "d.x/run.capture.json"), "no extension: %s", out);

    snprintf(path, sizeof path, "/tmp/test_capture_meta.%d", (int)getpid());
    ab_capture_meta m = {.tool = "perf",
                         .target = "command fib \"x\"",
                         .started = 1000.25,
                         .ended = 1004.5,
                         .seconds = 4,
                         .samples = 395,
                         .idle_dropped = 12,
                         .stacks = 87},
                    back;
    CHECK(ab_capture_meta_write(path, &m, err, sizeof err) == 0, "written: %s", err);
    CHECK(ab_capture_meta_read(path, &back, err, sizeof err) == 0, "read back: %s", err);
    CHECK(!strcmp(back.tool, "perf") && !strcmp(back.target, m.target) && back.started == 1000.25 &&
              back.ended == 1004.5 && back.seconds == 4 && back.samples == 395 &&
              back.idle_dropped == 12 && back.stacks == 87,
          "every member round-trips");

    FILE *f = fopen(path, "w");
    fputs("{\"v\":2,\"tool\":\"perf\"}", f);
    fclose(f);
    CHECK(ab_capture_meta_read(path, &back, err, sizeof err) < 0 && strstr(err, "version 1"),
          "another version is refused: %s", err);
    CHECK(ab_capture_meta_read("/nonexistent/x.capture.json", &back, err, sizeof err) < 0,
          "a missing file: %s", err);
    remove(path);
    return TAP_DONE();
}
