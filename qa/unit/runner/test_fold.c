/* test_fold.c: unit tests of the stack folding (runner/flamegraph/fold*.c): perf script
 * and bpftrace text to folded stacks, idle removal, frame cleaning, folded text round
 * trip. */
#include <stdio.h>
#include <stdlib.h>
#include "../tap.h"
#include <string.h>
#include "flamegraph/fold.h"
#include "test_fold_fixtures.h"

/* Folded text of s, malloc'd. */
static char *folded_text(fg_stacks *s) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    rn_fg_stacks_write(s, f);
    fclose(f);
    return buf;
}

static fg_stacks *fold_string(const char *text, int perf, int drop_idle, fg_fold_stats *st) {
    fg_stacks *s = rn_fg_stacks_new();
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    memset(st, 0, sizeof *st);
    int rc = perf ? rn_fg_fold_perf_script(s, f, drop_idle, st)
                  : rn_fg_fold_bpftrace(s, f, drop_idle, st);
    fclose(f);
    if (rc != 0) printf("# parser returned %d\n", rc);
    return s;
}

static void expect_text(const char *got, const char *want, const char *what) {
    int same = got && !strcmp(got, want);
    CHECK(same, what);
    if (!same) printf("# got:\n%s# want:\n%s", got ? got : "(null)\n", want);
}

static void test_perf(void) {
    fg_fold_stats st;
    fg_stacks *s = fold_string(perf_script_text, 1, 1, &st);
    char *t = folded_text(s);
    expect_text(t, perf_script_folded, "perf script folded, idle dropped, root first");
    CHECK(st.samples == 5 && st.idle == 1 && st.kept == 4, "perf script: 5 samples, 1 idle");
    CHECK(rn_fg_stacks_total(s) == 4 && rn_fg_stacks_distinct(s) == 3, "perf script: totals");
    free(t);
    rn_fg_stacks_free(s);

    s = fold_string(perf_script_text, 1, 0, &st);
    t = folded_text(s);
    expect_text(t, perf_script_folded_with_idle, "perf script with idle kept");
    free(t);
    rn_fg_stacks_free(s);

    /* a last sample without its blank line still counts; stray frame lines do not */
    const char *tail =
        "\tffff stray+0x1 (x)\nbash 12 [000] 1.5: 1 cpu-clock:\n\t 10 f+0x1 (/bin/bash)";
    s = fold_string(tail, 1, 1, &st);
    t = folded_text(s);
    expect_text(t, "bash;f 1\n", "perf script: unterminated last sample");
    CHECK(st.bad_lines == 1, "perf script: frame before any header is counted as bad");
    free(t);
    rn_fg_stacks_free(s);
}

static void test_bpftrace(void) {
    fg_fold_stats st;
    fg_stacks *s = fold_string(bpftrace_text, 0, 1, &st);
    char *t = folded_text(s);
    expect_text(t, bpftrace_folded, "bpftrace map folded, idle dropped, kernel above user");
    CHECK(st.samples == 191 && st.idle == 180 && st.kept == 11, "bpftrace: counts");
    free(t);
    rn_fg_stacks_free(s);
    s = fold_string("@[\n    f+1\n, \n", 0, 1, &st);
    CHECK(rn_fg_stacks_total(s) == 0 && st.bad_lines == 1, "bpftrace: truncated entry is bad");
    rn_fg_stacks_free(s);
}

static void test_frames(void) {
    char out[64];
    rn_fg_frame_clean("do_idle+0x136", 13, NULL, 0, out, sizeof out);
    CHECK(!strcmp(out, "do_idle"), "clean: hex offset");
    rn_fg_frame_clean("vfs_read+570", 12, NULL, 0, out, sizeof out);
    CHECK(!strcmp(out, "vfs_read"), "clean: decimal offset");
    rn_fg_frame_clean("operator+", 9, NULL, 0, out, sizeof out);
    CHECK(!strcmp(out, "operator+"), "clean: a '+' that is no offset stays");
    rn_fg_frame_clean("0x7f1f06dab738", 14, NULL, 0, out, sizeof out);
    CHECK(!strcmp(out, "[unknown]"), "clean: bare address");
    rn_fg_frame_clean("[unknown]", 9, "/usr/lib/libc.so.6", 18, out, sizeof out);
    CHECK(!strcmp(out, "[libc.so.6]"), "clean: unknown symbol named by its dso");
    rn_fg_frame_clean("[unknown]", 9, "[kernel.kallsyms]", 17, out, sizeof out);
    CHECK(!strcmp(out, "[kernel.kallsyms]"), "clean: bracketed dso not doubled");
    rn_fg_frame_clean("a;b\tc", 5, NULL, 0, out, sizeof out);
    CHECK(!strcmp(out, "a:b?c"), "clean: separator and control characters");
    rn_fg_frame_clean("averyveryverylongname", 21, NULL, 0, out, 8);
    CHECK(!strcmp(out, "averyve"), "clean: bounded output");
    CHECK(rn_fg_frame_is_idle("intel_idle") && rn_fg_frame_is_idle("do_idle") &&
              !rn_fg_frame_is_idle("do_idle_not") && !rn_fg_frame_is_idle("main"),
          "idle function list");
}

/* JIT frames of Node's perf maps are named the same in every process (PIDs, V8 tiers and
 * script directories differ between two runs of the same program). */
static void test_jit_frames(void) {
    char out[128];
    fg_fold_stats st = {0};
    rn_fg_frame_parse_line("\t7f6b34005a13 JS:*fib /work/x/benchmarks/nodejs/fibonacci.js:7:13+275 "
                           "(/tmp/perf-9561.map)",
                           out, sizeof out, &st);
    CHECK(!strcmp(out, "fib fibonacci.js:7:13"),
          "jit: TurboFan frame: tag, tier, directory dropped");
    char other[128];
    rn_fg_frame_parse_line(
        "  fb28af0e336 JS:~fib /elsewhere/fibonacci.js:7:13+0x2c (/tmp/perf-12.map)", other,
        sizeof other, &st);
    CHECK(!strcmp(out, other), "jit: interpreted frame of another process: the same name");
    rn_fg_frame_parse_line("7f0 LazyCompile:^run /a/b.js:3:1 (/tmp/perf-12.map)", out, sizeof out,
                           &st);
    CHECK(!strcmp(out, "run b.js:3:1"), "jit: older V8 tag (LazyCompile:)");
    rn_fg_frame_parse_line("7f0 JS:~ /a/anon.js:3:5+9 (/tmp/perf-77.map)", out, sizeof out, &st);
    CHECK(!strcmp(out, "(anonymous) anon.js:3:5"), "jit: anonymous function");
    rn_fg_frame_parse_line("18cfd1c Builtin:InterpreterEntryTrampoline+220 (/tmp/perf-77.map)", out,
                           sizeof out, &st);
    CHECK(!strcmp(out, "Builtin:InterpreterEntryTrampoline"), "jit: builtins keep their name");
    rn_fg_frame_parse_line("7f6b34005a13 [unknown] (/tmp/perf-5305.map)", out, sizeof out, &st);
    char again[128];
    rn_fg_frame_parse_line("7f6b34005a14 [unknown] (/tmp/perf-5306.map)", again, sizeof again, &st);
    CHECK(!strcmp(out, "[jit]") && !strcmp(again, "[jit]"),
          "jit: unnamed JIT code is [jit], not [perf-PID.map]");
    CHECK(st.njit_pids == 5 && st.jit_pids[0] == 9561 && st.jit_pids[4] == 5306,
          "jit: the PIDs of the maps read, each once");
    rn_fg_frame_parse_line("7f00 [unknown] (/tmp/perf-x.map)", out, sizeof out, &st);
    CHECK(!strcmp(out, "[perf-x.map]") && st.njit_pids == 5,
          "jit: not a PID map: named by its object");
    rn_fg_frame_parse_line("ffffffff813c38a6 do_idle+0x136 ([kernel.kallsyms])", out, sizeof out,
                           NULL);
    CHECK(!strcmp(out, "do_idle"), "frame line: kernel symbol, no stats");
}

/* bpftrace's perf stack mode: frames as perf script prints them, named as perf's. */
static void test_bpftrace_perf_mode(void) {
    const char *text = "Attaching 2 probes...\n\n\n"
                       "@[\n\tffffffff81c0 asm_sysvec_apic_timer_interrupt+22 ([kernel.kallsyms])\n"
                       ", \n\t7f9775fc5b88 JS:*fib /x/fibonacci.js:7:13+8 (/tmp/perf-9796.map)\n"
                       "\t7f9775fc5c5c JS:*fib /x/fibonacci.js:7:13+220 (/tmp/perf-9796.map)\n"
                       "\t7f1f06dab738 [unknown] (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
                       ", node]: 3\n"
                       "@[, \n\t7f9775fc5b88 [unknown] (/tmp/perf-9796.map)\n, node]: 2\n";
    fg_fold_stats st;
    fg_stacks *s = fold_string(text, 0, 1, &st);
    char *t = folded_text(s);
    expect_text(t,
                "node;[jit] 2\n"
                "node;[libc.so.6];fib fibonacci.js:7:13;fib fibonacci.js:7:13;"
                "asm_sysvec_apic_timer_interrupt 3\n",
                "bpftrace perf mode: objects and JIT frames as perf names them");
    CHECK(st.kept == 5 && st.njit_pids == 1 && st.jit_pids[0] == 9796,
          "bpftrace perf mode: counts");
    free(t);
    rn_fg_stacks_free(s);
}

static void test_folded(void) {
    const char *in = "# comment\n\na;b 3\nx y;z w 2\na;b 4\nbad line\nnocount \nneg -1\n"
                     "a;c 0\ntrailing;cr 5\r\n";
    fg_stacks *s = rn_fg_stacks_new();
    fg_fold_stats st = {0};
    FILE *f = fmemopen((void *)in, strlen(in), "r");
    CHECK(rn_fg_fold_read_folded(s, f, &st) == 0, "folded: read");
    fclose(f);
    char *t = folded_text(s);
    expect_text(t, "a;b 7\ntrailing;cr 5\nx y;z w 2\n", "folded: merged, spaces kept");
    CHECK(st.bad_lines == 3, "folded: three malformed lines counted");
    free(t);
    rn_fg_stacks_free(s);

    s = rn_fg_stacks_new();
    char stack[64];
    for (int i = 0; i < 20000; i++) {
        snprintf(stack, sizeof stack, "root;f%d", i % 5000);
        rn_fg_stacks_add(s, stack, 1);
    }
    size_t cnt;
    const fg_stack_entry *e = rn_fg_stacks_sorted(s, &cnt);
    CHECK(cnt == 5000 && rn_fg_stacks_total(s) == 20000 && e[0].count == 4, "hash table grows");
    rn_fg_stacks_add(s, "root;f0", 1); /* adding after sorting still merges */
    e = rn_fg_stacks_sorted(s, &cnt);
    CHECK(cnt == 5000 && !strcmp(e[0].stack, "root;f0") && e[0].count == 5, "add after sort");
    rn_fg_stacks_free(s);

    s = rn_fg_stacks_new(); /* an empty process name (fuzz_parsers found it overflowing) */
    char *leaf[] = {"f"};
    CHECK(rn_fg_stacks_add_frames(s, "", leaf, 1, 1) == 0 &&
              !strcmp(rn_fg_stacks_sorted(s, &cnt)[0].stack, "[unknown];f"),
          "an empty comm is the root [unknown]");
    rn_fg_stacks_free(s);
}

int main(void) {
    test_perf();
    test_bpftrace();
    test_frames();
    test_jit_frames();
    test_bpftrace_perf_mode();
    test_folded();
    return TAP_DONE();
}
