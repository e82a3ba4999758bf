/* baseline/baseline.h: the host baseline part's contract with the rest of the runner:
 * figures (CPU, memory bandwidth, network, disk) measured by `agentbench baseline`
 * (rn_cmd_baseline, in commands.h) and carried into every suite's journal and report header.
 * Inside the folder: one file per part (cpu.c, mem.c, sysbench.c, net.c, disk.c, declared
 * in parts.h), the figure list and tool runner (figures.c), and where figures are kept
 * (store.c). */
#ifndef AB_RUNNER_BASELINE_H
#define AB_RUNNER_BASELINE_H

#include "journal.h"

/* Copy the newest host baseline figures found under results_dir (written by
 * `agentbench baseline`) into journal j as "baseline" events, so a suite carries the host
 * it ran on. Returns the number of figures copied (0 when no baseline was measured). */
int rn_baseline_copy_latest(const char *results_dir, ab_journal *j);

#endif
