/* fuzz_parsers.c: libFuzzer target for the runner's parsers of what other programs
 * write: bench.conf, `perf script` text, bpftrace's map printout, folded stacks (the
 * ingester's --store files), the ingester's ready line, the measuring helper's "end"
 * report line, and RESULTS/baseline.json. The first byte picks the parser; the rest is
 * its input. Crashes, sanitizer reports, and counts that do not add up are failures.
 * (The runner's /stats parsing is lib's reader: lib/'s fuzz_ingester_stats.) Built and
 * run by `make -C runner fuzz`. */
#include "baseline/baseline.h"
#include "benchdir.h"
#include "flamegraph/fold.h"
#include "ingester.h"
#include "journal.h"
#include "measure.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char results_dir[] = "/tmp/agentbench-fuzz-runner.XXXXXX";

static void cleanup(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/baseline.json", results_dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/journal.jsonl", results_dir);
    unlink(path);
    rmdir(results_dir);
}

static void fold(int which, const uint8_t *data, size_t size, int drop_idle)
{
    FILE *in = fmemopen((void *)data, size ? size : 1, "r");
    fg_stacks *s = fg_stacks_new();
    fg_fold_stats st = {0};
    if (!in || !s)
        abort();
    if (size == 0)
        getc(in);   /* an empty stream */
    int rc = which == 1 ? fg_fold_perf_script(s, in, drop_idle, &st)
           : which == 2 ? fg_fold_bpftrace(s, in, drop_idle, &st)
                        : fg_fold_read_folded(s, in, &st);
    fclose(in);
    if (rc == 0 && (st.kept > st.samples || st.kept + st.idle > st.samples + st.kept))
        abort();
    size_t n;
    const fg_stack_entry *e = fg_stacks_sorted(s, &n);
    for (size_t i = 1; i < n; i++)
        if (strcmp(e[i - 1].stack, e[i].stack) >= 0)
            abort();   /* sorted and distinct */
    FILE *out = fopen("/dev/null", "w");
    if (out && fg_stacks_write(s, out) < 0)
        abort();
    if (out)
        fclose(out);
    fg_stacks_free(s);
}

static void baseline_json(const uint8_t *data, size_t size)
{
    char path[256], err[256];
    snprintf(path, sizeof path, "%s/baseline.json", results_dir);
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/journal.jsonl", results_dir);
    unlink(path);
    ab_journal *j = ab_journal_open(path, err, sizeof err);
    if (!j)
        abort();
    if (ab_baseline_copy_latest(results_dir, j) < 0)
        abort();
    ab_journal_close(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        if (!mkdtemp(results_dir))
            abort();
        atexit(cleanup);
        ready = 1;
    }
    if (size == 0)
        return 0;
    int which = data[0] % 7, flag = (data[0] >> 4) & 1;
    data++;
    size--;
    char *text = malloc(size + 1);   /* the text parsers take a string */
    memcpy(text, data, size);
    text[size] = '\0';
    char err[256], a[256], b[256];
    switch (which) {
    case 0: {
        benchmark *bm = calloc(1, sizeof *bm);
        benchconf_parse(bm, text, err, sizeof err);
        if (bm->timeout < 0 || bm->expected_duration < 0)
            abort();
        benchmark_free(bm);
        break;
    }
    case 1: case 2: case 3:
        fold(which, data, size, flag);
        break;
    case 4: {
        int pid = 0;
        if (ingester_parse_ready(text, a, sizeof a, b, sizeof b, &pid) == 0 &&
            (!memchr(a, '\0', sizeof a) || !memchr(b, '\0', sizeof b)))
            abort();
        break;
    }
    case 5: {
        run_result r;
        memset(&r, 0, sizeof r);
        if (measure_parse_end(text, &r) == 0 && !r.reported)
            abort();
        break;
    }
    default:
        baseline_json(data, size);
        break;
    }
    free(text);
    return 0;
}
