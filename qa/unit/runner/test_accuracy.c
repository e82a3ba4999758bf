/* test_accuracy.c: ground truths (parsing, the sum), frame names in every profiler's
 * spelling, attribution of folded stacks to the truth function nearest the leaf, tallies
 * and their differences, the error (total variation distance) and its sampling bound
 * (checked against scipy's chi-square quantiles and by simulation). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "accuracy/accuracy.h"
#include "../tap.h"

static ab_truth mix(void) {
    ab_truth t = {0};
    char err[200];
    rn_truth_add(&t, "work_a", "50", err, sizeof err);
    rn_truth_add(&t, "work_b", "30%", err, sizeof err);
    rn_truth_add(&t, "work_c", "15", err, sizeof err);
    rn_truth_add(&t, "work_d", "5", err, sizeof err);
    return t;
}

static void test_truth(void) {
    ab_truth t = {0};
    char err[200];
    CHECK(rn_truth_add(&t, "work_a", "50", err, sizeof err) == 0 && t.n == 1 && t.share[0] == 50,
          "a share");
    CHECK(rn_truth_add(&t, "work_b", "12.5%", err, sizeof err) == 0 && t.share[1] == 12.5,
          "a share with '%%'");
    CHECK(rn_truth_add(&t, "work_a", "1", err, sizeof err) < 0 && strstr(err, "twice"),
          "a function named twice");
    CHECK(rn_truth_add(&t, "x", "0", err, sizeof err) < 0 && strstr(err, "above 0"), "share 0");
    CHECK(rn_truth_add(&t, "x", "101", err, sizeof err) < 0, "share above 100");
    CHECK(rn_truth_add(&t, "x", "ten", err, sizeof err) < 0 && strstr(err, "truth.x = ten"),
          "a share that is no number, quoted");
    CHECK(rn_truth_add(&t, "x", "nan", err, sizeof err) < 0, "NaN");
    CHECK(rn_truth_add(&t, "a b", "1", err, sizeof err) < 0 && strstr(err, "function name"),
          "a name with a space");
    CHECK(rn_truth_add(&t, "", "1", err, sizeof err) < 0, "an empty name");
    CHECK(rn_truth_check(&t, err, sizeof err) == 0 && rn_truth_categories(&t) == 3,
          "62.5%% in all: two functions and other");
    CHECK(rn_truth_add(&t, "work_c", "40", err, sizeof err) == 0 &&
              rn_truth_check(&t, err, sizeof err) < 0 && strstr(err, "102.5%"),
          "a sum above 100%% is an error that says the sum");
    rn_truth_free(&t);
    CHECK(t.n == 0, "freed");
    ab_truth m = mix();
    CHECK(rn_truth_check(&m, err, sizeof err) == 0 && rn_truth_categories(&m) == 4,
          "50/30/15/5: exactly 100%%, no other category");
    rn_truth_free(&m);
    char name[AB_TRUTH_NAME_MAX + 2];
    memset(name, 'f', sizeof name - 1);
    name[sizeof name - 1] = 0;
    CHECK(rn_truth_add(&t, name, "1", err, sizeof err) < 0, "a name too long");
    for (int i = 0; i < AB_TRUTH_MAX; i++) {
        char fn[16];
        snprintf(fn, sizeof fn, "f%d", i);
        rn_truth_add(&t, fn, "1", err, sizeof err);
    }
    CHECK(t.n == AB_TRUTH_MAX && rn_truth_add(&t, "one_more", "1", err, sizeof err) < 0 &&
              strstr(err, "at most"),
          "at most AB_TRUTH_MAX functions");
    rn_truth_free(&t);
}

static int names(const char *frame, const char *fn) {
    return rn_frame_names(frame, strlen(frame), fn);
}

static void test_frames(void) {
    CHECK(names("work_a", "work_a") && !names("work_ab", "work_a") && !names("work", "work_a"),
          "C: the frame itself");
    CHECK(names("work_a.constprop.0", "work_a") && names("work_a.cold", "work_a"),
          "C: gcc clone suffixes");
    CHECK(names("JS:*workA /work/wt/benchmarks/nodejs/mix.js:22:15", "workA") &&
              names("JS:~workA /x.js:1:1", "workA") && names("JS:^workA /x.js:1:1", "workA") &&
              names("LazyCompile:*workA /x.js:1", "workA") && names("Function:workA", "workA"),
          "V8 perf map: code kind, tier mark, path");
    CHECK(!names("JS:*workAB /x.js:1:1", "workA") && !names("JS:*run /work/x.js:1:1", "work"),
          "V8 perf map: no prefix match, no match in the path");
    CHECK(names("workA mix.js:23:15", "workA") && names("workA /x/mix.js:23:15", "workA") &&
              !names("workAB mix.js:23:15", "workA") && !names("run workA.js:1:1", "workA") &&
              !names("workA mix.js", "workA"),
          "V8 perf map as folded: name file:line:col");
    CHECK(names("./benchmarks/nodejs/mix.js:workD:35", "workD") &&
              names("node:internal/timers:processImmediate:438", "processImmediate"),
          "Pyroscope Node.js: path:name:line");
    CHECK(!names("./benchmarks/work/mix.js:run:35", "work") &&
              !names("./benchmarks/nodejs/mix.js:workD:35", "mix"),
          "Pyroscope Node.js: no match in the path");
    CHECK(!names("[libc.so.6]", "libc") && !names("", "x"), "objects and empty frames");
}

static ab_tally tally_of(const ab_truth *t, const char *text) {
    ab_tally ty;
    memset(&ty, 0, sizeof ty);
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    rn_tally_folded(t, f, &ty);
    fclose(f);
    return ty;
}

static void test_tally(void) {
    ab_truth t = mix();
    ab_tally ty = tally_of(
        &t, "# a comment\n"
            "[libc.so.6];main;run_rounds;work_a 50\n"
            "mix;main;run_rounds;via_b1;work_b;[kernel];page_fault 30\n" /* kernel above */
            "main;run_rounds;via_c2;via_c1;work_c 15\n"
            "main;run_rounds;work_d;work_a 2\n" /* nearest the leaf */
            "main;work_d 3\r\n"
            "main;run_rounds 7\n"
            "\n"
            "no count\n"
            "main;x 12x\n");
    CHECK(ty.count[0] == 52 && ty.count[1] == 30 && ty.count[2] == 15 && ty.count[3] == 3,
          "each sample counts for the truth function nearest its leaf");
    CHECK(ty.other == 7 && ty.total == 107 && ty.bad_lines == 2, "other, total, bad lines");
    ab_tally before = tally_of(&t, "main;work_a 10\nmain 1\n"), d;
    CHECK(rn_tally_diff(&ty, &before, &d) == 0 && d.count[0] == 42 && d.other == 6 && d.total == 96,
          "the difference of two readings of a growing profile");
    CHECK(rn_tally_diff(&before, &ty, &d) < 0, "a profile that shrank is no difference");

    ab_accuracy a;
    CHECK(rn_accuracy_of(&t, &(ab_tally){0}, 1, &a) < 0, "an empty profile has no accuracy");
    ab_tally exact = tally_of(&t, "work_a 500\nwork_b 300\nwork_c 150\nwork_d 50\n");
    CHECK(rn_accuracy_of(&t, &exact, 1, &a) == 0 && a.error_pct == 0 && a.other == 0 &&
              a.samples == 1000,
          "a perfect profile: error 0");
    ab_tally skew = tally_of(&t, "work_a 250\nwork_b 300\nwork_c 150\nwork_d 50\n");
    CHECK(rn_accuracy_of(&t, &skew, 1, &a) == 0 && fabs(a.error_pct - 50.0 / 3) < 1e-9 &&
              fabs(a.share[0] - 100.0 / 3) < 1e-9,
          "every other sample of work_a dropped: error 16.67 points");
    ab_tally none = tally_of(&t, "main 10\n");
    CHECK(rn_accuracy_of(&t, &none, 1, &a) == 0 && a.error_pct == 100 && a.other == 100,
          "nothing of the truth: error 100");
    CHECK(rn_accuracy_of(&t, &exact, 4, &a) == 0 && a.samples == 250 &&
              fabs(a.bound_pct - 50 * sqrt(16.266 / 250)) < 1e-9,
          "weighted samples: N is the total over the mean weight, the bound follows");
    rn_truth_free(&t);
    ab_truth part = {0};
    char err[100];
    rn_truth_add(&part, "f", "60", err, sizeof err);
    ab_tally pt = tally_of(&part, "f 60\ng 40\n");
    CHECK(rn_accuracy_of(&part, &pt, 1, &a) == 0 && a.error_pct == 0 &&
              fabs(a.bound_pct - 50 * sqrt(10.828 / 100)) < 1e-9,
          "a truth below 100%%: other is a category of its own (df 1)");
    rn_truth_free(&part);
}

/* The bound against scipy (chi2.ppf(0.999, df)) and against a simulation: multinomial
 * samples of the truth itself exceed it about once in a thousand. */
static void test_bound(void) {
    CHECK(fabs(rn_chi2_999(1) - 10.828) < 1e-3 && fabs(rn_chi2_999(3) - 16.266) < 1e-3 &&
              fabs(rn_chi2_999(32) - 62.487) < 1e-3,
          "chi-square 99.9%% quantiles");
    CHECK(rn_accuracy_bound_pct(4, 0) == 100 && rn_accuracy_bound_pct(4, 0.5) == 100,
          "no samples: the bound is 100");
    CHECK(fabs(rn_accuracy_bound_pct(4, 400) - 50 * sqrt(16.266 / 400)) < 1e-12,
          "the bound shrinks as 1/sqrt(N)");
    ab_truth t = mix();
    unsigned long long state = 88172645463325252ULL;
    int over = 0, trials = 4000;
    double sum = 0;
    for (int k = 0; k < trials; k++) {
        ab_tally ty;
        memset(&ty, 0, sizeof ty);
        for (int s = 0; s < 300; s++) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            double u = (double)(state >> 11) / 9007199254740992.0 * 100;
            int i = u < 50 ? 0 : u < 80 ? 1 : u < 95 ? 2 : 3;
            ty.count[i]++;
            ty.total++;
        }
        ab_accuracy a;
        rn_accuracy_of(&t, &ty, 1, &a);
        sum += a.error_pct;
        if (a.error_pct > a.bound_pct) over++;
    }
    double mean = sum / trials,
           expect = 50 * sqrt(2 / (M_PI * 300)) *
                    (sqrt(.5 * .5) + sqrt(.3 * .7) + sqrt(.15 * .85) + sqrt(.05 * .95));
    CHECK(over <= 12, "a correct profiler of 300 samples exceeds the bound rarely (<= 0.3%%)");
    CHECK(fabs(mean - expect) < 0.1 * expect,
          "the mean error of a correct profiler is the multinomial expectation");
    rn_truth_free(&t);
}

int main(void) {
    test_truth();
    test_frames();
    test_tally();
    test_bound();
    return TAP_DONE();
}
