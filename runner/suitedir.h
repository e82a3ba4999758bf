/* suitedir.h: the results directory: RESULTS_DIR/<suite-id>/journal.jsonl, the `latest`
 * symlink, and finding a suite's journal from what a user names on the command line. */
#ifndef AB_RUNNER_SUITEDIR_H
#define AB_RUNNER_SUITEDIR_H

#include <stddef.h>
#include <stdint.h>

/* "20261123-110102-4f2a": UTC date and time, 4 hex digits of the seed. */
void rn_suite_id_make(char *buf, size_t len, double t, uint64_t seed);
/* Create RESULTS_DIR/<id> (adding -2, -3... if taken); its path into out. 0 or -1. */
int rn_suite_dir_create(const char *results, const char *id, char *out, size_t outlen, char *err,
                        size_t errlen);
/* Point RESULTS_DIR/latest at the suite directory (atomically). 0 or -1. */
int rn_suite_latest_update(const char *results, const char *suite_dir);
/* The journal of what the user named: a journal file, a suite directory, or a results
 * directory (its `latest`). Returns a malloc'd path, or NULL with err. */
char *rn_suite_journal_find(const char *arg, char *err, size_t errlen);

/* The runner's lock on a suite, DIR/.runner.lock: an open file description lock, held
 * until the process exits, so only one runner appends to a journal. rn_suite_lock: 0 taken,
 * -1 held by another process (or cannot be made). rn_suite_lock_state(journal_path): 1 a
 * runner holds it, 0 nobody does (a journal without suite_end is then a suite whose
 * runner ended without one: killed, or stopped by a full disk), -1 unknown (no lock
 * file: not a suite directory the runner made). Testing takes no lock. */
int rn_suite_lock(const char *suite_dir);
int rn_suite_lock_state(const char *journal_path);

#endif
