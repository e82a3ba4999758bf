/* baseline.h: host baseline figures (CPU, memory bandwidth, network, disk) as measured by
 * `agentbench baseline` and carried into every suite's journal and report header. */
#ifndef AB_BASELINE_H
#define AB_BASELINE_H

#include "journal.h"

/* Copy the newest host baseline figures found under results_dir (written by
 * `agentbench baseline`) into journal j as "baseline" events, so a suite carries the host
 * it ran on. Returns the number of figures copied (0 when no baseline was measured). */
int ab_baseline_copy_latest(const char *results_dir, ab_journal *j);

#endif
