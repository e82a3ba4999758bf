/* baseline/store.h: the suite journal and RESULTS_DIR/baseline.json of `agentbench
 * baseline` (doc/baseline.md, doc/journal.md). */
#ifndef AB_RUNNER_BL_STORE_H
#define AB_RUNNER_BL_STORE_H

#include <limits.h>
#include <stddef.h>
#include "parts.h"
#include "events.h"
#include "journal.h"

typedef struct bl_suite {
    const char *results;
    char dir[PATH_MAX], id[128], host[256];
    double started;
    ab_journal *j;
    int write_errno; /* a journal write failed: said once, nothing more is written */
} bl_suite;

/* Create RESULTS/<suite-id>/journal.jsonl, write suite_start, point `latest` at it. */
int rn_bl_suite_open(bl_suite *s, const char *results, int argc, char **argv, char *err,
                     size_t errlen);
/* One "baseline" event for each of f's figures from index `from` on. */
void rn_bl_suite_figures(bl_suite *s, const bl_figures *f, size_t from);
void rn_bl_suite_error(bl_suite *s, const char *part, const char *message);
void rn_bl_suite_close(bl_suite *s, int done, int failed, int total, int interrupted);
int rn_bl_write_json(const bl_suite *s, const bl_figures *f, char *err, size_t errlen);

/* Reading baseline.json, which every later suite's journal gets a copy of: a file of at
 * most BL_JSON_MAX_BYTES, at most BL_JSON_MAX_FIGURES figures (the first ones), each a
 * kind, name and unit of at most BL_JSON_MAX_NAME bytes and a finite value (others are
 * skipped), its detail dropped (replaced by {"dropped_bytes": N}) when it is longer than
 * BL_JSON_MAX_DETAIL bytes: so that each figure's baseline event is one journal line of
 * at most BL_JSON_MAX_LINE bytes. rn_bl_json_figures calls cb with each figure as the event
 * it becomes (detail with host, measured_t and measured_suite added; valid during the
 * call). Returns the figures given to cb, or -1 when text is not a baseline.json. */
#define BL_JSON_MAX_BYTES   (1 << 20)
#define BL_JSON_MAX_FIGURES 64
#define BL_JSON_MAX_NAME    64
#define BL_JSON_MAX_DETAIL  4096
#define BL_JSON_MAX_LINE    8192
typedef void (*bl_json_figure_cb)(const ab_ev_baseline *e, void *arg);
int rn_bl_json_figures(const char *text, size_t len, bl_json_figure_cb cb, void *arg);
/* baseline.json in dir, read whole if at most BL_JSON_MAX_BYTES; NULL otherwise (or
 * missing). *len its size. malloc'd. */
char *rn_bl_json_read(const char *results_dir, size_t *len);

#endif
