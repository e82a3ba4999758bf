/* flamegraph/command.c: `agentbench flamegraph`: capture stacks system-wide or for one process
 * (perf or bpftrace), or take them from a perf script text, a folded file, the ingester's
 * store (the profiling agent's own view), or two folded files to compare; then write
 * FILE.svg and FILE.folded. Also fg_capture_command(), used by `agentbench run
 * --flamegraph`. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "commands.h"
#include "capture.h"
#include "render.h"
#include "flamegraph.h"

static void usage(FILE *f) {
    fprintf(f,
"usage: agentbench flamegraph --seconds N [--pid P | --all] [--backend perf|bpftrace]\n"
"                             [-o FILE.svg] [--title T] [--keep-idle] [--no-script]\n"
"       agentbench flamegraph --from-ingester APP --store DIR [-o FILE.svg] [--title T]\n"
"       agentbench flamegraph --folded FILE | --perf-script FILE [-o FILE.svg] [--title T]\n"
"       agentbench flamegraph --diff BASELINE.folded PROFILED.folded [-o DIR/LABEL.svg]\n"
"       agentbench flamegraph [-o DIR/LABEL.svg] [--title T] -- COMMAND [ARGS...]\n"
"\n"
"Samples stacks at 99 Hz (perf record -g -e cpu-clock, or bpftrace profile:hz:99) for N\n"
"seconds on every CPU (--all, the default) or in one process (--pid), drops idle CPU\n"
"samples, and writes an SVG flame graph (default flamegraph.svg) with the folded stacks\n"
"beside it (FILE.folded). --from-ingester renders DIR/APP.folded, the stacks the\n"
"profiling agent delivered to `agentbench-ingester --store DIR`. --diff writes\n"
"DIR/LABEL.diff.svg (red: more in PROFILED, blue: less) and DIR/LABEL.diff.txt.\n"
"With -- COMMAND, runs the command once under perf record and draws its stacks.\n"
"\n"
"  -s, --seconds N         capture length, 1..86400\n"
"  -p, --pid P             only this process (and its threads)\n"
"  -a, --all               every process on every CPU (default)\n"
"  -b, --backend B         perf (default) or bpftrace\n"
"  -o, --output FILE.svg   where to write (the .folded goes beside it)\n"
"  -t, --title T           the graph's title\n"
"      --keep-idle         keep idle CPU samples (--perf-script only)\n"
"      --no-script         no search/zoom script in the SVG\n"
"Exit status: 0 written, 1 failed (tool missing, no samples, unreadable input), 2 usage.\n");
}

static int parse_int(const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static void host_and_time(char *out, size_t len) {
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
    snprintf(out, len, "%s, %s", host, when);
}

static int same_file(const char *a, const char *b) {
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* --diff: -o DIR/LABEL.svg (or DIR/LABEL.diff.svg) names the outputs. */
/* Split an output path DIR/LABEL.svg into its directory and label, dropping the suffix
 * ".diff.svg" (when diff) or ".svg". Returns 0, or -1 (with a message) for an empty label. */
static int split_output(const char *out, int diff, char *dir, size_t dirlen, char *label,
                        size_t labellen) {
    const char *slash = strrchr(out, '/');
    if (slash == out) snprintf(dir, dirlen, "/");
    else snprintf(dir, dirlen, "%.*s", slash ? (int)(slash - out) : 1, slash ? out : ".");
    snprintf(label, labellen, "%s", slash ? slash + 1 : out);
    size_t n = strlen(label);
    if (diff && n > 9 && !strcmp(label + n - 9, ".diff.svg")) label[n - 9] = '\0';
    else if (n > 4 && !strcmp(label + n - 4, ".svg")) label[n - 4] = '\0';
    if (!*label) {
        fprintf(stderr, "agentbench flamegraph: bad output name '%s'\n", out);
        return -1;
    }
    return 0;
}

static int run_diff(const char *base, const char *prof, const char *out, const char *title) {
    char dir[PATH_MAX], label[256], err[PATH_MAX + 1024];
    if (split_output(out, 1, dir, sizeof dir, label, sizeof label) < 0) return 2;
    if (fg_diff(base, prof, dir, label, title, err, sizeof err) < 0) {
        fprintf(stderr, "agentbench flamegraph: %s\n", err);
        return 1;
    }
    printf("wrote %s/%s.diff.svg and %s/%s.diff.txt\n", dir, label, dir, label);
    return 0;
}

/* -- COMMAND: DIR/LABEL.svg names where fg_capture_command writes. */
static int run_command(char **cmd, const char *out, const char *title) {
    char dir[PATH_MAX], label[256], err[PATH_MAX + 1024];
    if (split_output(out, 0, dir, sizeof dir, label, sizeof label) < 0) return 2;
    long samples = fg_capture_command(cmd, NULL, dir, label, title, err, sizeof err);
    if (samples < 0) {
        fprintf(stderr, "agentbench flamegraph: %s\n", err);
        return 1;
    }
    printf("wrote %s/%s.svg and %s/%s.folded: %ld samples\n", dir, label, dir, label, samples);
    return samples > 0 ? 0 : 1;
}

int cmd_flamegraph(int argc, char **argv) {
    static const struct option opts[] = {
        {"seconds", required_argument, 0, 's'}, {"pid", required_argument, 0, 'p'},
        {"all", no_argument, 0, 'a'},           {"backend", required_argument, 0, 'b'},
        {"output", required_argument, 0, 'o'},  {"title", required_argument, 0, 't'},
        {"from-ingester", required_argument, 0, 'I'}, {"store", required_argument, 0, 'S'},
        {"folded", required_argument, 0, 'F'},  {"perf-script", required_argument, 0, 'P'},
        {"diff", required_argument, 0, 'D'},    {"keep-idle", no_argument, 0, 'K'},
        {"no-script", no_argument, 0, 'N'},     {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    long seconds = 0, pid = 0;
    int all = 0, keep_idle = 0, script = 1;
    fg_backend backend = FG_BACKEND_PERF;
    const char *out = NULL, *title = NULL, *app = NULL, *store = NULL, *folded_in = NULL,
               *perf_in = NULL, *diff_base = NULL;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "s:p:ab:o:t:h", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (parse_int(optarg, 1, 86400, &seconds) < 0) {
                fprintf(stderr, "agentbench flamegraph: --seconds wants 1..86400, not '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case 'p':
            if (parse_int(optarg, 1, INT_MAX, &pid) < 0) {
                fprintf(stderr, "agentbench flamegraph: bad --pid '%s'\n", optarg);
                return 2;
            }
            break;
        case 'a': all = 1; break;
        case 'b':
            if (!strcmp(optarg, "perf")) backend = FG_BACKEND_PERF;
            else if (!strcmp(optarg, "bpftrace")) backend = FG_BACKEND_BPFTRACE;
            else {
                fprintf(stderr, "agentbench flamegraph: --backend is perf or bpftrace, not "
                        "'%s'\n", optarg);
                return 2;
            }
            break;
        case 'o': out = optarg; break;
        case 't': title = optarg; break;
        case 'I': app = optarg; break;
        case 'S': store = optarg; break;
        case 'F': folded_in = optarg; break;
        case 'P': perf_in = optarg; break;
        case 'D': diff_base = optarg; break;
        case 'K': keep_idle = 1; break;
        case 'N': script = 0; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    int command = optind < argc && !strcmp(argv[optind - 1], "--");
    int sources = (seconds > 0) + (app != NULL) + (folded_in != NULL) + (perf_in != NULL) +
                  (diff_base != NULL) + command;
    const char *why = NULL;
    if (optind < argc && !diff_base && !command) why = "unexpected argument";
    else if ((pid || all || backend != FG_BACKEND_PERF) && !seconds)
        why = "--pid, --all and --backend go with --seconds";
    else if (sources == 0) why = "say what to draw: --seconds N, --from-ingester, --folded, "
                                 "--perf-script, --diff or -- COMMAND";
    else if (sources > 1) why = "give only one of --seconds, --from-ingester, --folded, "
                                "--perf-script, --diff, -- COMMAND";
    else if (pid && all) why = "--pid and --all exclude each other";
    else if (app && !store) why = "--from-ingester needs --store DIR";
    else if (store && !app) why = "--store goes with --from-ingester";
    else if (app && (!*app || strchr(app, '/') || app[0] == '.'))
        why = "bad application name";
    else if (diff_base && optind + 1 != argc)
        why = "--diff needs two files: BASELINE.folded PROFILED.folded";
    if (why) {
        fprintf(stderr, "agentbench flamegraph: %s (see --help)\n", why);
        return 2;
    }
    if (command) return run_command(argv + optind, out ? out : "flamegraph.svg", title);
    if (diff_base) return run_diff(diff_base, argv[optind], out ? out : "flamegraph.svg", title);
    if (!out) out = app ? app : "flamegraph.svg";
    char svg_path[PATH_MAX], folded_path[PATH_MAX], default_title[512], sub[1024];
    snprintf(svg_path, sizeof svg_path, "%s%s", out,
             app && out == app ? ".agent.svg" : "");
    fg_folded_path_for(svg_path, folded_path, sizeof folded_path);

    /* a capture must not be thrown away for want of a place to write it: check first */
    char out_dir[PATH_MAX];
    const char *slash = strrchr(svg_path, '/');
    if (slash == svg_path) snprintf(out_dir, sizeof out_dir, "/");
    else snprintf(out_dir, sizeof out_dir, "%.*s", slash ? (int)(slash - svg_path) : 1,
                  slash ? svg_path : ".");
    if (access(out_dir, W_OK) != 0) {
        fprintf(stderr, "agentbench flamegraph: cannot write into %s: %s\n", out_dir,
                strerror(errno));
        return 1;
    }
    fg_stacks *s = fg_stacks_new();
    if (!s) {
        fprintf(stderr, "agentbench flamegraph: out of memory\n");
        return 1;
    }
    fg_fold_stats st = {0};
    char err[PATH_MAX + 1024] = "", where[512];
    int rc = 0, write_folded = 1;
    const char *input = NULL;
    if (seconds) {
        if (pid && kill((pid_t)pid, 0) < 0 && errno == ESRCH) {
            fprintf(stderr, "agentbench flamegraph: no process %ld\n", pid);
            fg_stacks_free(s);
            return 1;
        }
        fg_capture_opts o = {backend, (int)seconds, (pid_t)pid, 1};
        const char *tool = backend == FG_BACKEND_PERF ? "perf" : "bpftrace";
        if (pid) fprintf(stderr, "capturing %ld s of process %ld with %s...\n", seconds, pid, tool);
        else fprintf(stderr, "capturing %ld s on every CPU with %s...\n", seconds, tool);
        rc = fg_capture_system(&o, s, &st, err, sizeof err);
        host_and_time(where, sizeof where);
        if (pid) snprintf(default_title, sizeof default_title, "CPU flame graph of process %ld",
                          pid);
        else snprintf(default_title, sizeof default_title, "System-wide CPU flame graph");
        snprintf(sub, sizeof sub, "%s, %s, %ld s at 99 Hz: %llu samples, %llu idle dropped",
                 where, tool, seconds, st.kept, st.idle);
    } else if (perf_in) {
        FILE *f = strcmp(perf_in, "-") ? fopen(perf_in, "r") : stdin;
        if (!f) {
            snprintf(err, sizeof err, "cannot read %s: %s", perf_in, strerror(errno));
            rc = -1;
        } else {
            rc = fg_fold_perf_script(s, f, !keep_idle, &st);
            if (rc < 0) snprintf(err, sizeof err, "cannot read %s", perf_in);
            if (f != stdin) fclose(f);
        }
        snprintf(default_title, sizeof default_title, "CPU flame graph");
        snprintf(sub, sizeof sub, "%llu samples, %llu idle dropped", st.kept, st.idle);
        input = perf_in;
    } else {
        char store_path[PATH_MAX];
        if (app) {
            snprintf(store_path, sizeof store_path, "%s/%s.folded", store, app);
            input = store_path;
            snprintf(default_title, sizeof default_title,
                     "%s as seen by its profiling agent", app);
        } else {
            input = folded_in;
            write_folded = 0;
            snprintf(default_title, sizeof default_title, "Flame graph");
        }
        rc = fg_read_folded_file(input, s, &st, err, sizeof err);
        snprintf(sub, sizeof sub, "%llu samples, %zu distinct stacks", fg_stacks_total(s),
                 fg_stacks_distinct(s));
        if (app && rc == 0 && same_file(input, folded_path)) write_folded = 0;
    }
    if (rc == 0 && st.bad_lines)
        fprintf(stderr, "agentbench flamegraph: warning: %llu line%s not understood in %s\n",
                st.bad_lines, st.bad_lines == 1 ? "" : "s", input ? input : "the capture");
    if (rc == 0 && fg_stacks_total(s) == 0) {
        if (seconds) snprintf(err, sizeof err, "no samples captured (%llu idle samples dropped)",
                              st.idle);
        else snprintf(err, sizeof err, "no samples in %s", input);
        rc = -1;
    }
    long drawn = -1;
    if (rc == 0)
        drawn = fg_write_graph(s, svg_path, write_folded ? folded_path : NULL,
                               title ? title : default_title, sub, script, err, sizeof err);
    if (drawn < 0) {
        fprintf(stderr, "agentbench flamegraph: %s\n", err);
        fg_stacks_free(s);
        return 1;
    }
    printf("wrote %s (%ld frames)", svg_path, drawn);
    if (write_folded) printf(" and %s", folded_path);
    printf(": %llu samples, %zu stacks", fg_stacks_total(s), fg_stacks_distinct(s));
    if (st.idle) printf(", %llu idle samples dropped", st.idle);
    printf("\n");
    fg_stacks_free(s);
    return 0;
}

long fg_capture_command(char *const argv[], char *const envp[], const char *outdir,
                        const char *label, const char *title, char *err, size_t errlen) {
    if (!argv || !argv[0]) {
        snprintf(err, errlen, "no command to profile");
        return -1;
    }
    if (!label || !*label || strchr(label, '/')) {
        snprintf(err, errlen, "bad label '%s'", label ? label : "");
        return -1;
    }
    if (mkdir(outdir, 0755) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", outdir, strerror(errno));
        return -1;
    }
    char data[PATH_MAX], svg[PATH_MAX], folded[PATH_MAX], sub[512];
    snprintf(data, sizeof data, "%s/%s.perf.data", outdir, label);
    snprintf(svg, sizeof svg, "%s/%s.svg", outdir, label);
    snprintf(folded, sizeof folded, "%s/%s.folded", outdir, label);
    fg_stacks *s = fg_stacks_new();
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    fg_fold_stats st = {0};
    long rc = fg_capture_argv(argv, envp, data, s, &st, err, errlen);
    if (rc == 0) {
        snprintf(sub, sizeof sub, "%s: %llu samples at 99 Hz (perf, cpu-clock)", argv[0],
                 fg_stacks_total(s));
        if (fg_write_graph(s, svg, folded, title && *title ? title : label, sub, 1, err,
                           errlen) < 0)
            rc = -1;
        else
            rc = (long)fg_stacks_total(s);
    }
    fg_stacks_free(s);
    return rc;
}
