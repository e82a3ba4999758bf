/* source.h: the journal side of pmdaagentbench: follows RESULTS_DIR/latest/journal.jsonl
 * by offset (lib/journal.h), feeds every event into one results model (lib/results.h, the
 * same code `agentbench report` uses), and notices a new `latest` suite or a replaced or
 * truncated journal, after which the model is rebuilt from the start. */
#ifndef PMDA_AB_SOURCE_H
#define PMDA_AB_SOURCE_H

#include "results.h"

typedef struct source_counters {
    unsigned long long events;    /* events read */
    unsigned long long bad_lines; /* lines skipped: not JSON, or an unknown "v" */
    unsigned long long rebuilds;  /* model thrown away: new suite, replaced/truncated file */
    unsigned long long missing;   /* refreshes that found no journal */
    unsigned long long offset;    /* bytes of the current journal read so far */
} source_counters;

void pmda_source_init(const char *results_dir);
void pmda_source_free(void);

/* Read what is new. Returns 1 when the model changed (events added or rebuilt), else 0. */
int pmda_source_refresh(void);

/* The model, or NULL when there is no journal (missing latest, unreadable file). */
const ab_results *pmda_source_results(void);
/* Path of the journal followed (may not exist). */
const char *pmda_source_journal_path(void);
/* The suite directory `latest` points at (journal paths are relative to it), or NULL. */
const char *pmda_source_suite_dir(void);
/* Bumped whenever the model is rebuilt from scratch (instances must be re-resolved). */
unsigned long long pmda_source_epoch(void);
void pmda_source_counters_get(source_counters *out);

#endif
