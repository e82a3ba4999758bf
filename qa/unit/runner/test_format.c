/* test_format.c: the runner's pure formatting and decision code: numbers, verdicts,
 * names for benchstat, shuffling, string lists. */
#include <stdlib.h>
#include <string.h>
#include "../tap.h"
#include "compare.h"
#include "plan.h"
#include "report.h"
#include "util.h"

static void test_fmt(void) {
    char b[64];
    rn_fmt_seconds(b, sizeof b, 1.23456);
    CHECK(!strcmp(b, "1.235 s"), "seconds");
    rn_fmt_seconds(b, sizeof b, 0.0123456);
    CHECK(!strcmp(b, "12.35 ms"), "milliseconds");
    rn_fmt_seconds(b, sizeof b, 0.000123456);
    CHECK(!strcmp(b, "123.5 µs"), "microseconds");
    rn_fmt_kib(b, sizeof b, 512);
    CHECK(!strcmp(b, "512 KiB"), "KiB");
    rn_fmt_kib(b, sizeof b, 10240);
    CHECK(!strcmp(b, "10 MiB"), "MiB");
    rn_fmt_pct(b, sizeof b, 1.0312);
    CHECK(!strcmp(b, "+3.12%"), "overhead percent");
    rn_fmt_pct(b, sizeof b, 0.95);
    CHECK(!strcmp(b, "-5.00%"), "negative overhead");
}

static void test_verdicts(void) {
    CHECK(!strcmp(rn_compare_verdict(1.01, 1.05, 1.10, 1.20, 0.02), "worse"),
          "new CI above: worse");
    CHECK(!strcmp(rn_compare_verdict(1.10, 1.20, 1.01, 1.05, 0.02), "better"),
          "new CI below: better");
    CHECK(!strcmp(rn_compare_verdict(1.01, 1.05, 1.04, 1.09, 0.02), "inconclusive"),
          "overlap, but a change of up to 8%% allowed: inconclusive");
    CHECK(!strcmp(rn_compare_verdict(1.040, 1.050, 1.041, 1.049, 0.02), "no change"),
          "every change the CIs allow within 2%%: no change");
    CHECK(!strcmp(rn_compare_verdict(1.040, 1.050, 1.041, 1.049, 0.005), "inconclusive"),
          "the same within 0.5%%: inconclusive");
    char b[64];
    ab_summary s = {.n = 3,
                    .median = 1,
                    .ci_low = 0.9,
                    .ci_high = 1.2,
                    .ci_level = {.coverage = 0.75, .nominal = 0, .need = 6}};
    rn_report_fmt_summary_ci(b, sizeof b, &s);
    CHECK(!strcmp(b, "1 s [900 ms, 1.2 s], 75%"), "a median CI below 95%% shows its coverage");
    s.ci_level = (ab_ci_level){.coverage = 0.97, .nominal = 1};
    rn_report_fmt_summary_ci(b, sizeof b, &s);
    CHECK(!strcmp(b, "1 s [900 ms, 1.2 s]"), "a 95%% CI has no label");
    ab_ratio o = {.valid = 1,
                  .ratio = 1.03,
                  .ci_low = 0.99,
                  .ci_high = 1.05,
                  .ci_level = {.coverage = 2.0 / 3, .nominal = 0, .need = 4}};
    rn_report_fmt_overhead_ci(b, sizeof b, &o);
    CHECK(!strcmp(b, "+3.00% [-1.00%, +5.00%], 66.7%"),
          "an overhead CI below 95%% shows its coverage");
    o.valid = 0;
    rn_report_fmt_overhead_ci(b, sizeof b, &o);
    CHECK(!strcmp(b, "-"), "no ratio: -");
    CHECK(rn_report_format_parse("benchstat") == REPORT_BENCHSTAT &&
              rn_report_format_parse("yaml") < 0,
          "format names");
    char n[64];
    rn_report_camel(n, sizeof n, "fibonacci-c-cpu");
    CHECK(!strcmp(n, "FibonacciCCpu"), "benchstat name FibonacciCCpu");
    rn_report_camel(n, sizeof n, "lock_c.contention");
    CHECK(!strcmp(n, "LockCContention"), "any separator");
}

static void test_plan(void) {
    rng a, b;
    rn_plan_rng(&a, 42, 0);
    rn_plan_rng(&b, 42, 0);
    int same = 1;
    for (int i = 0; i < 100; i++) same &= rn_rng_next(&a) == rn_rng_next(&b);
    CHECK(same, "same seed, same stream");
    rn_plan_rng(&a, 42, 0);
    rn_plan_rng(&b, 42, 1);
    CHECK(rn_rng_next(&a) != rn_rng_next(&b), "each benchmark its own stream");
    int order[4], seen_first[4] = {0}, ok = 1;
    rn_plan_rng(&a, 7, 0);
    for (int round = 0; round < 400; round++) {
        rn_plan_round(&a, 1, order, 4);
        int mask = 0;
        for (int i = 0; i < 4; i++) mask |= 1 << order[i];
        ok &= mask == 15;
        seen_first[order[0]]++;
    }
    CHECK(ok, "every round is a permutation");
    CHECK(seen_first[0] > 60 && seen_first[1] > 60 && seen_first[2] > 60 && seen_first[3] > 60,
          "every variant comes first sometimes");
    rn_plan_round(&a, 0, order, 4);
    CHECK(order[0] == 0 && order[1] == 1 && order[2] == 2 && order[3] == 3, "blocked: in order");
    int hist[3] = {0};
    rn_rng_seed(&a, 1);
    for (int i = 0; i < 3000; i++) hist[rn_rng_below(&a, 3)]++;
    CHECK(hist[0] > 900 && hist[1] > 900 && hist[2] > 900, "rn_rng_below is roughly uniform");
}

static void test_strlist(void) {
    strlist l = {0};
    rn_strlist_split(&l, "baseline,,fast, slow", 0);
    CHECK(l.n == 3 && !strcmp(l.v[1], "fast") && !strcmp(l.v[2], " slow") && l.v[3] == NULL,
          "split at commas, empty items skipped");
    CHECK(rn_strlist_index(&l, "fast") == 1 && rn_strlist_index(&l, "down") == -1, "index");
    rn_strlist_free(&l);
    rn_strlist_split(&l, "  25   x\ty\n", 1);
    CHECK(l.n == 3 && !strcmp(l.v[0], "25") && !strcmp(l.v[2], "y"), "split at white space");
    rn_strlist_free(&l);
    CHECK(l.n == 0 && l.v == NULL, "freed");
}

int main(void) {
    test_fmt();
    test_verdicts();
    test_plan();
    test_strlist();
    return TAP_DONE();
}
