/* capture_meta.c: a capture's provenance file (capture_meta.h), through jansson. */
#include "capture_meta.h"
#include "json_get.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

void ab_capture_meta_path(const char *folded_path, char *out, size_t outlen) {
    const char *slash = strrchr(folded_path, '/');
    const char *dot = strrchr(slash ? slash + 1 : folded_path, '.');
    size_t stem = dot && dot != (slash ? slash + 1 : folded_path) ? (size_t)(dot - folded_path)
                                                                  : strlen(folded_path);
    snprintf(out, outlen, "%.*s.capture.json", (int)stem, folded_path);
}

int ab_capture_meta_write(const char *path, const ab_capture_meta *m, char *err, size_t errlen) {
    json_t *o = json_pack("{s:i,s:s,s:s,s:f,s:f,s:f,s:I,s:I,s:I}", "v", 1, "tool", m->tool,
                          "target", m->target, "started", m->started, "ended", m->ended, "seconds",
                          m->seconds, "samples", (json_int_t)m->samples, "idle_dropped",
                          (json_int_t)m->idle_dropped, "stacks", (json_int_t)m->stacks);
    if (!o) {
        snprintf(err, errlen, "cannot describe the capture (out of memory or bad text)");
        return -1;
    }
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int rc = json_dump_file(o, tmp, JSON_COMPACT) == 0 ? 0 : -1;
    json_decref(o);
    if (rc == 0 && rename(tmp, path) < 0) rc = -1;
    if (rc < 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
    }
    return rc;
}

int ab_capture_meta_read(const char *path, ab_capture_meta *m, char *err, size_t errlen) {
    memset(m, 0, sizeof *m);
    json_error_t jerr;
    json_t *o = json_load_file(path, 0, &jerr);
    if (!o) {
        snprintf(err, errlen, "%s: %s", path, jerr.text);
        return -1;
    }
    json_t *v = json_object_get(o, "v"), *tool = json_object_get(o, "tool");
    if (!json_is_object(o) || !json_is_integer(v) || json_integer_value(v) != 1 ||
        !json_is_string(tool)) {
        snprintf(err, errlen, "%s: not a version 1 capture description", path);
        json_decref(o);
        return -1;
    }
    snprintf(m->tool, sizeof m->tool, "%s", json_string_value(tool));
    json_t *target = json_object_get(o, "target");
    snprintf(m->target, sizeof m->target, "%s",
             json_is_string(target) ? json_string_value(target) : "");
    m->started = ab_json_number(o, "started", 0);
    m->ended = ab_json_number(o, "ended", 0);
    m->seconds = ab_json_number(o, "seconds", 0);
    m->samples = ab_json_count(o, "samples");
    m->idle_dropped = ab_json_count(o, "idle_dropped");
    m->stacks = ab_json_count(o, "stacks");
    json_decref(o);
    return 0;
}
