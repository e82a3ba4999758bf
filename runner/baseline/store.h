/* baseline/store.h: the suite journal and RESULTS_DIR/baseline.json of `agentbench
 * baseline` (doc/baseline.md, doc/journal.md). */
#ifndef AB_RUNNER_BL_STORE_H
#define AB_RUNNER_BL_STORE_H

#include <limits.h>
#include <stddef.h>
#include "parts.h"
#include "journal.h"

typedef struct bl_suite {
    const char *results;
    char dir[PATH_MAX], id[128], host[256];
    double started;
    ab_journal *j;
} bl_suite;

/* Create RESULTS/<suite-id>/journal.jsonl, write suite_start, point `latest` at it. */
int bl_suite_open(bl_suite *s, const char *results, int argc, char **argv, char *err,
                  size_t errlen);
/* One "baseline" event for each of f's figures from index `from` on. */
void bl_suite_figures(bl_suite *s, const bl_figures *f, size_t from);
void bl_suite_error(bl_suite *s, const char *part, const char *message);
void bl_suite_close(bl_suite *s, int done, int failed, int total, int interrupted);
int bl_write_json(const bl_suite *s, const bl_figures *f, char *err, size_t errlen);

#endif
