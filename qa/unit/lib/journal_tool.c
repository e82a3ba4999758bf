/* journal_tool.c: a small driver of lib/journal.c for qa tests that need real processes
 * (qa/301): a writer that can be SIGKILLed mid-stream, a follower reading while it writes.
 *
 *   journal_tool write PATH N        append N run_end events (run 1..N), printing each run
 *                                     number on stdout once its write and fsync returned
 *   journal_tool count PATH          "events E errors X first F last L in_order yes|no"
 *   journal_tool follow PATH N SECS  poll until N events were seen (or SECS passed):
 *                                     "followed E events in order|OUT OF ORDER, polls P" */
#include "journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    long events, first, last;
    int in_order;
} tally;

static void count_cb(json_t *ev, void *arg) {
    tally *t = arg;
    long run = (long)json_integer_value(json_object_get(ev, "run"));
    if (t->events == 0) t->first = run;
    else if (run != t->last + 1) t->in_order = 0;
    t->last = run;
    t->events++;
}

static int usage(void) {
    fprintf(stderr, "usage: journal_tool write PATH N | count PATH | follow PATH N SECS\n");
    return 2;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage();
        return 0;
    }
    if (argc == 4 && !strcmp(argv[1], "write")) {
        char err[512];
        ab_journal *j = ab_journal_open(argv[2], err, sizeof err);
        if (!j) {
            fprintf(stderr, "journal_tool: %s\n", err);
            return 1;
        }
        long n = atol(argv[3]);
        for (long i = 1; i <= n; i++) {
            json_t *ev = json_pack("{s:s, s:s, s:I, s:b, s:s, s:f}", "benchmark", "fib", "variant",
                                   "fast", "run", (json_int_t)i, "warmup", 0, "status", "ok",
                                   "wall_s", 1.0 + (double)i / 1e6);
            if (ab_journal_write(j, "run_end", ev) < 0) {
                perror("journal_tool: write");
                return 1;
            }
            printf("%ld\n", i);
            fflush(stdout);
        }
        ab_journal_close(j);
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "count")) {
        tally t = {0, 0, 0, 1};
        unsigned long errors = 0;
        if (ab_journal_read_all(argv[2], count_cb, &t, &errors) < 0) {
            fprintf(stderr, "journal_tool: cannot read %s\n", argv[2]);
            return 1;
        }
        printf("events %ld errors %lu first %ld last %ld in_order %s\n", t.events, errors, t.first,
               t.last, t.in_order ? "yes" : "no");
        return 0;
    }
    if (argc == 5 && !strcmp(argv[1], "follow")) {
        ab_journal_reader *r = ab_journal_reader_new(argv[2]);
        tally t = {0, 0, 0, 1};
        long want = atol(argv[3]), polls = 0;
        double deadline = now() + atof(argv[4]);
        while (t.events < want && now() < deadline) {
            int n = ab_journal_reader_poll(r, count_cb, &t);
            polls++;
            if (n == -2) t = (tally){0, 0, 0, 1};
            if (n <= 0) usleep(2000);
        }
        printf("followed %ld events %s, %s\n", t.events,
               t.in_order && t.first == 1 ? "in order" : "OUT OF ORDER",
               polls > 1 ? "polled more than once" : "polled once");
        ab_journal_reader_free(r);
        return t.events == want ? 0 : 1;
    }
    return usage();
}
