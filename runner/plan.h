/* plan.h: the order of a benchmark's runs: variants interleaved and shuffled per round with
 * a seeded generator (the default), or blocked (all runs of one variant, then the next). */
#ifndef AB_RUNNER_PLAN_H
#define AB_RUNNER_PLAN_H

#include <stddef.h>
#include <stdint.h>

typedef struct rng {
    uint64_t s;
} rng;
void rn_rng_seed(rng *r, uint64_t seed);
uint64_t rn_rng_next(rng *r);
/* uniform in [0, n) */
uint64_t rn_rng_below(rng *r, uint64_t n);
/* Fisher-Yates shuffle of idx[0..n) */
void rn_rng_shuffle(rng *r, int *idx, int n);

/* The generator of a benchmark's round orders, derived from the suite seed and the
 * benchmark's position, so a resumed suite replays exactly the same order. */
void rn_plan_rng(rng *r, uint64_t suite_seed, int benchmark_index);
/* Fill order[0..nvariants) with the variant indexes of one round. shuffled != 0: a fresh
 * permutation from r; otherwise 0,1,2,... */
void rn_plan_round(rng *r, int shuffled, int *order, int nvariants);

#endif
