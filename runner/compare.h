/* compare.h: the verdict rule of `agentbench compare` (testable on its own). */
#ifndef AB_RUNNER_COMPARE_H
#define AB_RUNNER_COMPARE_H

/* "worse" when the new CI lies entirely above the old, "better" entirely below, else
 * "no change" (lower is better: overhead ratios and times). */
const char *compare_verdict(double old_lo, double old_hi, double new_lo, double new_hi);

#endif
