/* source.c: follow the latest suite's journal (see source.h). */
#include "source.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "journal.h"

static char *results_dir;
static char latest_link[PATH_MAX];
static char suite_dir[PATH_MAX]; /* what `latest` resolved to, "" if nothing */
static char journal_path[PATH_MAX + 32];
static ab_journal_reader *reader;
static ab_results *model;
static int present; /* the last poll found the journal */
static unsigned long long epoch;
static unsigned long reader_errors_seen;
static source_counters counters;

void pmda_source_init(const char *dir) {
    results_dir = strdup(dir);
    snprintf(latest_link, sizeof(latest_link), "%s/latest", dir);
    snprintf(journal_path, sizeof(journal_path), "%s/journal.jsonl", latest_link);
}

static void drop_model(void) {
    if (model) ab_results_free(model);
    model = NULL;
    epoch++;
}

static void drop_reader(void) {
    if (reader) {
        counters.bad_lines += ab_journal_reader_errors(reader) - reader_errors_seen;
        ab_journal_reader_free(reader);
    }
    reader = NULL;
    reader_errors_seen = 0;
    counters.offset = 0;
}

void pmda_source_free(void) {
    drop_reader();
    drop_model();
    free(results_dir);
    results_dir = NULL;
}

static void count_event(json_t *ev, void *arg) {
    counters.events++;
    ab_results_add((ab_results *)arg, ev);
}

/* The fast path: the plain run lines straight into the model (lib/events.h). */
static int count_line(const char *line, size_t len, void *arg) {
    if (!ab_results_add_line(line, len, arg)) return 0;
    counters.events++;
    return 1;
}

int pmda_source_refresh(void) {
    char resolved[PATH_MAX];
    int changed = 0;

    /* A new `latest` target is a new suite: start over. */
    if (!realpath(latest_link, resolved)) resolved[0] = '\0';
    if (strcmp(resolved, suite_dir) != 0) {
        snprintf(suite_dir, sizeof(suite_dir), "%s", resolved);
        drop_reader();
        if (model || present) counters.rebuilds++;
        drop_model();
        present = 0;
        changed = 1;
        if (resolved[0]) snprintf(journal_path, sizeof(journal_path), "%s/journal.jsonl", resolved);
        else snprintf(journal_path, sizeof(journal_path), "%s/journal.jsonl", latest_link);
    }
    if (!suite_dir[0]) {
        counters.missing++;
        return changed;
    }
    if (!reader && !(reader = ab_journal_reader_new(journal_path))) {
        counters.missing++;
        return changed;
    }
    ab_journal_reader_on_line(reader, count_line);
    if (!model) {
        model = ab_results_new();
        changed = 1;
    }
    int n = ab_journal_reader_poll(reader, count_event, model);
    if (n == -2) { /* replaced or truncated: rebuild */
        counters.rebuilds++;
        drop_model();
        model = ab_results_new();
        changed = 1;
        n = ab_journal_reader_poll(reader, count_event, model);
    }
    unsigned long errs = ab_journal_reader_errors(reader);
    if (errs >= reader_errors_seen) counters.bad_lines += errs - reader_errors_seen;
    reader_errors_seen = errs;
    if (n == -1) { /* gone: start from the top when it is back */
        counters.missing++;
        drop_reader();
        if (present || model) {
            drop_model();
            changed = 1;
        }
        present = 0;
        return changed;
    }
    present = 1;
    counters.offset = (unsigned long long)ab_journal_reader_offset(reader);
    return changed || n > 0;
}

const ab_results *pmda_source_results(void) {
    return present ? model : NULL;
}

const char *pmda_source_journal_path(void) {
    return journal_path;
}
const char *pmda_source_suite_dir(void) {
    return suite_dir[0] ? suite_dir : NULL;
}
unsigned long long pmda_source_epoch(void) {
    return epoch;
}
void pmda_source_counters_get(source_counters *out) {
    *out = counters;
}
