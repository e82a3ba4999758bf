/* plan.c: seeded shuffling of the variants within each round (splitmix64). */
#include "plan.h"

void rn_rng_seed(rng *r, uint64_t seed) {
    r->s = seed;
}

uint64_t rn_rng_next(rng *r) {
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t rn_rng_below(rng *r, uint64_t n) {
    if (n == 0) return 0;
    uint64_t limit = UINT64_MAX - UINT64_MAX % n, x;
    do x = rn_rng_next(r);
    while (x >= limit);
    return x % n;
}

void rn_rng_shuffle(rng *r, int *idx, int n) {
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rn_rng_below(r, (uint64_t)i + 1);
        int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}

void rn_plan_rng(rng *r, uint64_t suite_seed, int benchmark_index) {
    rn_rng_seed(r, suite_seed ^ (0x5851f42d4c957f2dULL * (uint64_t)(benchmark_index + 1)));
    rn_rng_next(r);
}

void rn_plan_round(rng *r, int shuffled, int *order, int nvariants) {
    for (int i = 0; i < nvariants; i++) order[i] = i;
    if (shuffled) rn_rng_shuffle(r, order, nvariants);
}
