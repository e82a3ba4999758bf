/* run_resume.c: what a killed suite already did, read back from its journal: the runs per
 * benchmark x variant (so none is repeated), the sequence number, the reference checksums. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "run.h"
#include "util.h"

typedef struct scan { suite *s; } scan;

static int index_of_bench(suite *s, const char *name) {
    for (int i = 0; i < s->nbench; i++)
        if (!strcmp(s->bench[i]->name, name)) return i;
    return -1;
}

static void on_event(json_t *ev, void *arg) {
    suite *s = ((scan *)arg)->s;
    const char *type = json_string_value(json_object_get(ev, "type"));
    if (type && !strcmp(type, "summary")) {
        const char *bn = json_string_value(json_object_get(ev, "benchmark"));
        int bi = bn ? index_of_bench(s, bn) : -1;
        if (bi >= 0) s->summarized[bi] = 1;
        return;
    }
    if (!type || strcmp(type, "run_end")) return;
    json_int_t seq = json_integer_value(json_object_get(ev, "seq"));
    if (seq > 0 && (unsigned long)seq > s->seq) s->seq = (unsigned long)seq;
    const char *bn = json_string_value(json_object_get(ev, "benchmark"));
    const char *vn = json_string_value(json_object_get(ev, "variant"));
    if (!bn || !vn) return;
    int bi = index_of_bench(s, bn), vi = strlist_index(&s->o.variants, vn);
    if (bi < 0 || vi < 0) return;
    int warmup = json_is_true(json_object_get(ev, "warmup"));
    if (warmup) s->resumed_warmup[bi * s->nvar + vi]++;
    else {
        s->resumed_measured[bi * s->nvar + vi]++;
        s->done++;
    }
    const char *status = json_string_value(json_object_get(ev, "status"));
    const char *sum = json_string_value(json_object_get(ev, "checksum"));
    if (!sum || !status || !strcmp(status, "checksum") || !strcmp(status, "failed") ||
        !strcmp(status, "crashed") || !strcmp(status, "timeout"))
        return;
    int is_base = !strcmp(vn, "baseline");
    if (!s->ref_checksum[bi] || (is_base && !s->ref_from_baseline[bi])) {
        free(s->ref_checksum[bi]);
        s->ref_checksum[bi] = xstrdup(sum);
        s->ref_from_baseline[bi] = is_base;
    }
}

int suite_resume_scan(suite *s, const char *journal_path, char *err, size_t errlen) {
    scan sc = {s};
    unsigned long bad = 0;
    if (ab_journal_read_all(journal_path, on_event, &sc, &bad) < 0) {
        snprintf(err, errlen, "cannot read %s", journal_path);
        return -1;
    }
    return 0;
}
