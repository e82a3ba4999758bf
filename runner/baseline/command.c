/* baseline/command.c: `agentbench baseline`: characterise this host (CPU, memory bandwidth
 * with a sysbench cross-check, network, disk), record the figures in a suite journal and
 * RESULTS_DIR/baseline.json, and print them as a table. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "baseline.h"
#include "parts.h"
#include "store.h"
#include "commands.h"

static void usage(FILE *f) {
    fprintf(
        f,
        "usage: agentbench baseline [--cpu] [--memory] [--network [--peer HOST[:PORT]]]\n"
        "                           [--disk DIR] [--results DIR] [--quick]\n"
        "\n"
        "Measures this host so every overhead figure carries the machine it was measured on:\n"
        "  --cpu             integer and floating-point kernels, one thread and all threads\n"
        "  --memory          copy/scale/add/triad (STREAM manner) plus fill and read, arrays of\n"
        "                    4x the last-level cache, best of 10, MB/s; checked against\n"
        "                    `sysbench memory` in the same run\n"
        "  --network         iperf3 TCP throughput on loopback (a server started here), or to\n"
        "  --peer HOST[:PORT]  an iperf3 server running there (default port 5201)\n"
        "  --disk DIR        fio sequential and random read/write on a temporary file in DIR\n"
        "  --results DIR     where the suite journal and baseline.json go (default ./results)\n"
        "  --quick           tiny sizes and short runs (seconds in all; figures are rough)\n"
        "With no part named: --cpu --memory --network.\n"
        "Exit status: 0 all parts measured, 1 a part failed (the others are still recorded),\n"
        "2 usage.\n");
}

static volatile sig_atomic_t stop;
static void on_signal(int sig) {
    (void)sig;
    stop = 1;
}

static void print_table(const bl_suite *s, const bl_figures *f, int threads) {
    printf("host %s (%d CPUs), suite %s\n", s->host, threads, s->id);
    printf("%-8s %-24s %14s  %s\n", "kind", "figure", "value", "unit");
    for (size_t i = 0; i < f->n; i++)
        printf("%-8s %-24s %14.1f  %s\n", f->v[i].kind, f->v[i].name, f->v[i].value, f->v[i].unit);
    static const struct {
        const char *ours, *sys, *diff;
    } checks[] = {
        {"fill_mb_s", "sysbench_write_mb_s", "sysbench_write_diff_pct"},
        {"read_mb_s", "sysbench_read_mb_s", "sysbench_read_diff_pct"},
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        const bl_figure *o = rn_bl_find(f, "memory", checks[i].ours);
        const bl_figure *x = rn_bl_find(f, "memory", checks[i].sys);
        const bl_figure *d = rn_bl_find(f, "memory", checks[i].diff);
        if (o && x && d)
            printf("memory check: %s %.0f MB/s vs %s %.0f MB/s: %+.1f%% apart\n", checks[i].ours,
                   o->value, checks[i].sys, x->value, d->value);
    }
}

/* What the command line asks for. */
typedef struct bl_args {
    int cpu, mem, net;
    const char *results;
    bl_opts o;
} bl_args;

/* Returns -1 to go on, else the exit status (0 after --help). */
static int parse_args(bl_args *a, int argc, char **argv) {
    static const struct option opts[] = {{"cpu", no_argument, 0, 'c'},
                                         {"memory", no_argument, 0, 'm'},
                                         {"network", no_argument, 0, 'n'},
                                         {"peer", required_argument, 0, 'P'},
                                         {"disk", required_argument, 0, 'd'},
                                         {"results", required_argument, 0, 'r'},
                                         {"quick", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    *a = (bl_args){.results = "results", .o = {.threads = ncpu > 0 ? (int)ncpu : 1}};
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
            case 'c': a->cpu = 1; break;
            case 'm': a->mem = 1; break;
            case 'n': a->net = 1; break;
            case 'P':
                a->o.peer = optarg;
                a->net = 1;
                break;
            case 'd': a->o.disk_dir = optarg; break;
            case 'r': a->results = optarg; break;
            case 'q': a->o.quick = 1; break;
            case 'h': usage(stdout); return 0;
            default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "agentbench baseline: unexpected argument '%s' (see --help)\n",
                argv[optind]);
        return 2;
    }
    struct stat sb;
    const char *disk = a->o.disk_dir;
    if (disk && (!*disk || stat(disk, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
        fprintf(stderr, "agentbench baseline: --disk needs a directory, not '%s'\n", disk);
        return 2;
    }
    if (!a->cpu && !a->mem && !a->net && !disk) a->cpu = a->mem = a->net = 1;
    return -1;
}

/* Each part asked for, in order, into f (and the suite's journal: what a part measured
 * is kept even when it fails later). Counts the parts done, failed and asked for. */
static void measure_parts(const bl_args *a, bl_suite *s, bl_figures *f, int *done, int *failed,
                          int *total) {
    struct part {
        int on;
        const char *name;
        int (*fn)(const bl_opts *, bl_figures *, char *, size_t);
    } parts[] = {
        {a->cpu, "cpu", rn_bl_cpu},
        {a->mem, "memory", rn_bl_memory},
        {a->mem, "memory check", rn_bl_memory_check},
        {a->net, "network", rn_bl_network},
        {a->o.disk_dir != NULL, "disk", rn_bl_disk},
    };
    char err[1024];
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (!parts[i].on) continue;
        (*total)++;
        if (stop || s->write_errno) continue;
        fprintf(stderr, "baseline: %s...\n", parts[i].name);
        size_t before = f->n;
        err[0] = '\0';
        if (parts[i].fn(&a->o, f, err, sizeof err) == 0) {
            (*done)++;
        } else {
            (*failed)++;
            fprintf(stderr, "agentbench baseline: %s: %s\n", parts[i].name, err);
            rn_bl_suite_error(s, parts[i].name, err);
        }
        rn_bl_suite_figures(s, f, before);
    }
}

int rn_cmd_baseline(int argc, char **argv) {
    bl_args a;
    int rc = parse_args(&a, argc, argv);
    if (rc >= 0) return rc;
    bl_suite s;
    char err[1024];
    if (rn_bl_suite_open(&s, a.results, argc - 1, argv + 1, err, sizeof err) < 0) {
        fprintf(stderr, "agentbench baseline: %s\n", err);
        return 1;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    bl_figures f = {0};
    int done = 0, failed = 0, total = 0;
    measure_parts(&a, &s, &f, &done, &failed, &total);
    rn_bl_suite_close(&s, done, failed, total, stop);
    rc = failed || stop || s.write_errno ? 1 : 0;
    if (f.n && rn_bl_write_json(&s, &f, err, sizeof err) < 0) {
        fprintf(stderr, "agentbench baseline: %s\n", err);
        rc = 1;
    }
    print_table(&s, &f, a.o.threads);
    rn_bl_figures_free(&f);
    return rc;
}
