/* baseline.c: `agentbench baseline` (placeholder until the baseline part lands). */
#include <stdio.h>
#include "commands.h"
#include "baseline.h"

int cmd_baseline(int argc, char **argv) { fprintf(stderr, "agentbench baseline: not built yet\n"); return 1; }
int ab_baseline_copy_latest(const char *results_dir, ab_journal *j) { return 0; }
