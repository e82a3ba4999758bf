/* flamegraph/command.c: `agentbench flamegraph`, in steps: parse the options, check
 * their combination, then draw from one source: a capture (perf or bpftrace, system-wide
 * or one process), a perf script text, a folded file or the ingester's store (the
 * profiling agent's own view) into FILE.svg and FILE.folded; or two folded files into a
 * differential graph; or one command run under perf (rn_fg_capture_command). */
#include <dirent.h>
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
#include "capture_meta.h"
#include "clock.h"
#include "commands.h"
#include "capture.h"
#include "render.h"
#include "flamegraph.h"
#include "store_name.h"
#include "util.h"

static void usage(FILE *f) {
    fprintf(
        f,
        "usage: agentbench flamegraph --seconds N [--pid P | --all] [--backend perf|bpftrace]\n"
        "                             [-o FILE.svg] [--title T] [--keep-idle] [--no-script]\n"
        /* one usage line a source line */
        /* clang-format off */
        "       agentbench flamegraph --from-ingester APP[@TYPE] --store DIR [-o FILE.svg] [--title T]\n"
        "       agentbench flamegraph --folded FILE | --perf-script FILE [-o FILE.svg] [--title T]\n"
        /* clang-format on */
        "       agentbench flamegraph --diff BASELINE.folded PROFILED.folded [-o DIR/LABEL.svg]\n"
        "       agentbench flamegraph [-o DIR/LABEL.svg] [--title T] -- COMMAND [ARGS...]\n"
        "\n"
        "Samples stacks at 99 Hz (perf record -g -e cpu-clock, or bpftrace profile:hz:99) for N\n"
        "seconds on every CPU (--all, the default) or in one process (--pid), drops idle CPU\n"
        "samples, and writes an SVG flame graph (default flamegraph.svg) with the folded stacks\n"
        "beside it (FILE.folded) and how they were captured (FILE.capture.json).\n"
        "--from-ingester renders the stacks the profiling agent delivered to `agentbench-ingester\n"
        "--store DIR` (DIR/APP@TYPE.folded): of profile type TYPE, or the application's only\n"
        "type (or its untyped DIR/APP.folded). --diff writes DIR/LABEL.diff.svg (red: more in\n"
        "PROFILED, blue: less) and DIR/LABEL.diff.txt.\n"
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
        "Exit status: 0 written, 1 failed (tool missing, no samples, unreadable input), 2 "
        "usage.\n");
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
    if (rn_fg_diff(base, prof, dir, label, title, err, sizeof err) < 0) {
        fprintf(stderr, "agentbench flamegraph: %s\n", err);
        return 1;
    }
    printf("wrote %s/%s.diff.svg and %s/%s.diff.txt\n", dir, label, dir, label);
    return 0;
}

/* -- COMMAND: DIR/LABEL.svg names where rn_fg_capture_command writes. */
static int run_command(char **cmd, const char *out, const char *title) {
    char dir[PATH_MAX], label[256], err[PATH_MAX + 1024];
    if (split_output(out, 0, dir, sizeof dir, label, sizeof label) < 0) return 2;
    long samples = rn_fg_capture_command(cmd, NULL, dir, label, title, err, sizeof err);
    if (samples < 0) {
        fprintf(stderr, "agentbench flamegraph: %s\n", err);
        return 1;
    }
    printf("wrote %s/%s.svg and %s/%s.folded: %ld samples\n", dir, label, dir, label, samples);
    return samples > 0 ? 0 : 1;
}

/* What the command line asks for. */
typedef struct fg_args {
    long seconds, pid;
    int all, keep_idle, script, command;
    fg_backend backend;
    const char *out, *title, *app, *store, *folded_in, *perf_in, *diff_base;
    char **rest; /* after the options: the command, or --diff's 2nd file */
    int nrest;
} fg_args;

/* Returns -1 to go on, else the exit status (0 after --help). */
static int parse_args(fg_args *a, int argc, char **argv) {
    static const struct option opts[] = {{"seconds", required_argument, 0, 's'},
                                         {"pid", required_argument, 0, 'p'},
                                         {"all", no_argument, 0, 'a'},
                                         {"backend", required_argument, 0, 'b'},
                                         {"output", required_argument, 0, 'o'},
                                         {"title", required_argument, 0, 't'},
                                         {"from-ingester", required_argument, 0, 'I'},
                                         {"store", required_argument, 0, 'S'},
                                         {"folded", required_argument, 0, 'F'},
                                         {"perf-script", required_argument, 0, 'P'},
                                         {"diff", required_argument, 0, 'D'},
                                         {"keep-idle", no_argument, 0, 'K'},
                                         {"no-script", no_argument, 0, 'N'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    a->script = 1;
    a->backend = FG_BACKEND_PERF;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "s:p:ab:o:t:h", opts, NULL)) != -1) {
        switch (c) {
            case 's':
                if (parse_int(optarg, 1, 86400, &a->seconds) < 0) {
                    fprintf(stderr, "agentbench flamegraph: --seconds wants 1..86400, not '%s'\n",
                            optarg);
                    return 2;
                }
                break;
            case 'p':
                if (parse_int(optarg, 1, INT_MAX, &a->pid) < 0) {
                    fprintf(stderr, "agentbench flamegraph: bad --pid '%s'\n", optarg);
                    return 2;
                }
                break;
            case 'a': a->all = 1; break;
            case 'b':
                if (!strcmp(optarg, "perf")) a->backend = FG_BACKEND_PERF;
                else if (!strcmp(optarg, "bpftrace")) a->backend = FG_BACKEND_BPFTRACE;
                else {
                    fprintf(stderr,
                            "agentbench flamegraph: --backend is perf or bpftrace, not "
                            "'%s'\n",
                            optarg);
                    return 2;
                }
                break;
            case 'o': a->out = optarg; break;
            case 't': a->title = optarg; break;
            case 'I': a->app = optarg; break;
            case 'S': a->store = optarg; break;
            case 'F': a->folded_in = optarg; break;
            case 'P': a->perf_in = optarg; break;
            case 'D': a->diff_base = optarg; break;
            case 'K': a->keep_idle = 1; break;
            case 'N': a->script = 0; break;
            case 'h': usage(stdout); return 0;
            default: usage(stderr); return 2;
        }
    }
    a->command = optind < argc && !strcmp(argv[optind - 1], "--");
    a->rest = argv + optind;
    a->nrest = argc - optind;
    return -1;
}

/* What is wrong with the combination of options, or NULL. */
static const char *args_problem(const fg_args *a) {
    int sources = (a->seconds > 0) + (a->app != NULL) + (a->folded_in != NULL) +
                  (a->perf_in != NULL) + (a->diff_base != NULL) + a->command;
    if (a->nrest > 0 && !a->diff_base && !a->command) return "unexpected argument";
    if ((a->pid || a->all || a->backend != FG_BACKEND_PERF) && !a->seconds)
        return "--pid, --all and --backend go with --seconds";
    if (sources == 0)
        return "say what to draw: --seconds N, --from-ingester, --folded, --perf-script, "
               "--diff or -- COMMAND";
    if (sources > 1)
        return "give only one of --seconds, --from-ingester, --folded, --perf-script, --diff, "
               "-- COMMAND";
    if (a->pid && a->all) return "--pid and --all exclude each other";
    if (a->app && !a->store) return "--from-ingester needs --store DIR";
    if (a->store && !a->app) return "--store goes with --from-ingester";
    if (a->app && (!*a->app || strchr(a->app, '/') || a->app[0] == '.'))
        return "bad application name";
    if (a->diff_base && a->nrest != 1)
        return "--diff needs two files: BASELINE.folded PROFILED.folded";
    return NULL;
}

/* Where the graph goes, and the stacks it is drawn from, with their story. */
typedef struct fg_job {
    char svg_path[PATH_MAX], folded_path[PATH_MAX];
    int write_folded;  /* 0: the input is the folded file already */
    const char *input; /* the file read, for messages (NULL: a capture) */
    char store_path[PATH_MAX];
    char title[512], subtitle[1024];
    fg_stacks *stacks;
    fg_fold_stats st;
    ab_capture_meta meta; /* a capture's provenance (tool[0] set: written) */
    char err[PATH_MAX + 1024];
} fg_job;

/* A capture must not be thrown away for want of a place to write it: check first. */
static int output_writable(const char *svg_path) {
    char out_dir[PATH_MAX];
    const char *slash = strrchr(svg_path, '/');
    if (slash == svg_path) snprintf(out_dir, sizeof out_dir, "/");
    else
        snprintf(out_dir, sizeof out_dir, "%.*s", slash ? (int)(slash - svg_path) : 1,
                 slash ? svg_path : ".");
    if (access(out_dir, W_OK) != 0) {
        fprintf(stderr, "agentbench flamegraph: cannot write into %s: %s\n", out_dir,
                strerror(errno));
        return -1;
    }
    return 0;
}

/* --seconds: sample the system (or --pid) with perf or bpftrace. 0, 1 (no such
 * process: message printed) or -1 with j->err. */
static int gather_capture(const fg_args *a, fg_job *j) {
    if (a->pid && kill((pid_t)a->pid, 0) < 0 && errno == ESRCH) {
        fprintf(stderr, "agentbench flamegraph: no process %ld\n", a->pid);
        return 1;
    }
    fg_capture_opts o = {a->backend, (int)a->seconds, (pid_t)a->pid, 1};
    const char *tool = a->backend == FG_BACKEND_PERF ? "perf" : "bpftrace";
    if (a->pid)
        fprintf(stderr, "capturing %ld s of process %ld with %s...\n", a->seconds, a->pid, tool);
    else fprintf(stderr, "capturing %ld s on every CPU with %s...\n", a->seconds, tool);
    ab_capture_meta *m = &j->meta;
    snprintf(m->tool, sizeof m->tool, "%s", tool);
    if (a->pid) snprintf(m->target, sizeof m->target, "pid %ld", a->pid);
    else snprintf(m->target, sizeof m->target, "all");
    m->started = ab_wall_s();
    int rc = rn_fg_capture_system(&o, j->stacks, &j->st, j->err, sizeof j->err);
    m->ended = ab_wall_s();
    m->seconds = (double)a->seconds;
    m->samples = rn_fg_stacks_total(j->stacks);
    m->idle_dropped = j->st.idle;
    m->stacks = rn_fg_stacks_distinct(j->stacks);
    char where[512];
    host_and_time(where, sizeof where);
    if (a->pid) snprintf(j->title, sizeof j->title, "CPU flame graph of process %ld", a->pid);
    else snprintf(j->title, sizeof j->title, "System-wide CPU flame graph");
    snprintf(j->subtitle, sizeof j->subtitle,
             "%s, %s, %ld s at 99 Hz: %llu samples, %llu idle dropped", where, tool, a->seconds,
             j->st.kept, j->st.idle);
    return rc;
}

/* --perf-script FILE (or - for stdin). 0 or -1 with j->err. */
static int gather_perf_script(const fg_args *a, fg_job *j) {
    int rc;
    FILE *f = strcmp(a->perf_in, "-") ? fopen(a->perf_in, "r") : stdin;
    if (!f) {
        snprintf(j->err, sizeof j->err, "cannot read %s: %s", a->perf_in, strerror(errno));
        rc = -1;
    } else {
        rc = rn_fg_fold_perf_script(j->stacks, f, !a->keep_idle, &j->st);
        if (rc < 0) snprintf(j->err, sizeof j->err, "cannot read %s", a->perf_in);
        if (f != stdin) fclose(f);
    }
    snprintf(j->title, sizeof j->title, "CPU flame graph");
    snprintf(j->subtitle, sizeof j->subtitle, "%llu samples, %llu idle dropped", j->st.kept,
             j->st.idle);
    j->input = a->perf_in;
    return rc;
}

static int cmp_names(const void *a, const void *b) {
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    return strcmp(x ? x : "", y ? y : "");
}

/* The file of --from-ingester APP[@TYPE] in --store DIR (lib/store_name.h): APP's of
 * profile type TYPE; without a type, APP's untyped file of an ingester before profile
 * types when there is one, else APP's only type's. 0, or -1 with err (APP has several
 * types: which). */
static int store_input(const char *dir, const char *spec, char *path, size_t size, char *err,
                       size_t errlen) {
    char app[AB_STORE_MAX_FILE_NAME + 1], name[AB_STORE_MAX_FILE_NAME + 1];
    const char *at = strchr(spec, '@');
    snprintf(app, sizeof app, "%.*s", at ? (int)(at - spec) : (int)strlen(spec), spec);
    if (ab_store_file_name(app, at ? at + 1 : NULL, name, sizeof name) < 0) {
        snprintf(err, errlen, "the application name is too long for a --store file name");
        return -1;
    }
    snprintf(path, size, "%s/%s", dir, name);
    struct stat st;
    if (at || stat(path, &st) == 0) return 0;
    DIR *d = opendir(dir);
    char file_app[AB_STORE_MAX_FILE_NAME + 1], type[AB_STORE_MAX_FILE_NAME + 1];
    char *types[64];
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (ab_store_app_name(e->d_name, file_app, sizeof file_app, type, sizeof type) == 0 &&
            !strcmp(file_app, app) && type[0]) {
            if (n == 0) snprintf(path, size, "%s/%s", dir, e->d_name);
            if (n < 64) types[n] = strdup(type);
            n++;
        }
    if (d) closedir(d);
    int listed = n < 64 ? n : 64;
    qsort(types, (size_t)listed, sizeof *types, cmp_names);
    char list[512] = "";
    for (int i = 0; i < listed; i++) {
        size_t len = strlen(list);
        if (types[i]) snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "", types[i]);
        free(types[i]);
    }
    if (n <= 1) return 0; /* its one type, or no file at all (the untyped name's error) */
    snprintf(err, errlen, "%s has %d profile types in %s (%s): name one, --from-ingester %s@TYPE",
             app, n, dir, list, app);
    return -1;
}

/* --folded FILE, or --from-ingester APP[@TYPE] --store DIR (store_input's file). */
static int gather_folded(const fg_args *a, fg_job *j) {
    if (a->app) {
        if (store_input(a->store, a->app, j->store_path, sizeof j->store_path, j->err,
                        sizeof j->err) < 0)
            return -1;
        j->input = j->store_path;
        snprintf(j->title, sizeof j->title, "%s as seen by its profiling agent", a->app);
    } else {
        j->input = a->folded_in;
        j->write_folded = 0;
        snprintf(j->title, sizeof j->title, "Flame graph");
    }
    int rc = rn_fg_read_folded_file(j->input, j->stacks, &j->st, j->err, sizeof j->err);
    snprintf(j->subtitle, sizeof j->subtitle, "%llu samples, %zu distinct stacks",
             rn_fg_stacks_total(j->stacks), rn_fg_stacks_distinct(j->stacks));
    if (a->app && rc == 0 && same_file(j->input, j->folded_path)) j->write_folded = 0;
    return rc;
}

/* Draw the gathered stacks and say what was written. The exit status. */
static int draw(const fg_args *a, fg_job *j, int rc) {
    if (rc == 0 && j->st.bad_lines)
        fprintf(stderr, "agentbench flamegraph: warning: %llu line%s not understood in %s\n",
                j->st.bad_lines, j->st.bad_lines == 1 ? "" : "s",
                j->input ? j->input : "the capture");
    if (rc == 0 && rn_fg_stacks_total(j->stacks) == 0) {
        if (a->seconds)
            snprintf(j->err, sizeof j->err, "no samples captured (%llu idle samples dropped)",
                     j->st.idle);
        else snprintf(j->err, sizeof j->err, "no samples in %s", j->input);
        rc = -1;
    }
    long drawn = -1;
    if (rc == 0)
        drawn = rn_fg_write_graph(j->stacks, j->svg_path, j->write_folded ? j->folded_path : NULL,
                                  a->title ? a->title : j->title, j->subtitle, a->script, j->err,
                                  sizeof j->err);
    char meta_path[PATH_MAX];
    if (drawn >= 0 && j->meta.tool[0]) {
        ab_capture_meta_path(j->folded_path, meta_path, sizeof meta_path);
        if (ab_capture_meta_write(meta_path, &j->meta, j->err, sizeof j->err) < 0) drawn = -1;
    }
    if (drawn < 0) {
        fprintf(stderr, "agentbench flamegraph: %s\n", j->err);
        return 1;
    }
    printf("wrote %s (%ld frames)", j->svg_path, drawn);
    if (j->write_folded) printf(" and %s", j->folded_path);
    printf(": %llu samples, %zu stacks", rn_fg_stacks_total(j->stacks),
           rn_fg_stacks_distinct(j->stacks));
    if (j->st.idle) printf(", %llu idle samples dropped", j->st.idle);
    printf("\n");
    return 0;
}

/* --seconds, --perf-script, --folded, --from-ingester: stacks in, one graph out. */
static int draw_from_source(const fg_args *a) {
    fg_job job = {0}, *j = &job;
    const char *out = a->out ? a->out : a->app ? a->app : "flamegraph.svg";
    snprintf(j->svg_path, sizeof j->svg_path, "%s%s", out,
             a->app && out == a->app ? ".agent.svg" : "");
    rn_fg_folded_path_for(j->svg_path, j->folded_path, sizeof j->folded_path);
    j->write_folded = 1;
    if (output_writable(j->svg_path) < 0) return 1;
    if (!(j->stacks = rn_fg_stacks_new())) {
        fprintf(stderr, "agentbench flamegraph: out of memory\n");
        return 1;
    }
    int rc = a->seconds   ? gather_capture(a, j)
             : a->perf_in ? gather_perf_script(a, j)
                          : gather_folded(a, j);
    rc = rc > 0 ? 1 : draw(a, j, rc);
    rn_fg_stacks_free(j->stacks);
    return rc;
}

int rn_cmd_flamegraph(int argc, char **argv) {
    fg_args a;
    int rc = parse_args(&a, argc, argv);
    if (rc >= 0) return rc;
    const char *why = args_problem(&a);
    if (why) {
        fprintf(stderr, "agentbench flamegraph: %s (see --help)\n", why);
        return 2;
    }
    const char *out = a.out ? a.out : "flamegraph.svg";
    if (a.command) return run_command(a.rest, out, a.title);
    if (a.diff_base) return run_diff(a.diff_base, a.rest[0], out, a.title);
    return draw_from_source(&a);
}
