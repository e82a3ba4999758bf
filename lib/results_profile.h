/* results_profile.h: the part of lib/results.c that keeps a cell's profile accuracy and
 * lost samples (ab_cell_profile, results.h) from its run_end events. Internal to lib. */
#ifndef AB_RESULTS_PROFILE_H
#define AB_RESULTS_PROFILE_H

#include "events.h"
#include "results.h"

/* One measured run_end of the cell: ok runs extend the series (NaN where the run has no
 * verified profile) and count as verified or unverified when they have a profile_status;
 * every run adds its agent_samples, samples_lost and decode_errors. */
void ab_cell_profile_add(ab_cell_profile *p, const ab_ev_run_end *e, int ok);
void ab_cell_profile_free(ab_cell_profile *p);

#endif
