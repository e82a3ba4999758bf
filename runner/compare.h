/* compare.h: the verdict rule of `agentbench compare` (testable on its own). */
#ifndef AB_RUNNER_COMPARE_H
#define AB_RUNNER_COMPARE_H

/* From an old figure's 95% CI to a new one's (lower is better: overhead ratios, times;
 * all > 0), with the equivalence margin e (0.02 = +-2%): "worse" when the new CI lies
 * entirely above the old, "better" entirely below; "no change" when every change the two
 * CIs allow, new_lo / old_hi .. new_hi / old_lo, lies within [1 - e, 1 + e]; else
 * "inconclusive". The caller says "too few runs" first when a CI is not 95%. */
const char *rn_compare_verdict(double old_lo, double old_hi, double new_lo, double new_hi,
                               double e);

#endif
