/* list.c: `agentbench list [DIR...]`: the benchmarks found, their kind (batch or
 * service), profiler and description. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "benchdir.h"
#include "commands.h"
#include "util.h"

int rn_cmd_list(int argc, char **argv) {
    int names_only = 0, ndirs = 0;
    char **dirs = rn_xcalloc((size_t)argc + 1, sizeof *dirs);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: agentbench list [--names] [DIR...]\n"
                   "Lists the benchmarks in the named directories (a benchmark directory or a\n"
                   "directory of them; default: %s) with their kind (batch or service),\n"
                   "profiler and description.\n"
                   "  --names   only the names, one a line\n",
                   rn_default_benchmarks_dir() ? rn_default_benchmarks_dir() : "./benchmarks");
            free(dirs);
            return 0;
        }
        if (!strcmp(argv[i], "--names")) names_only = 1;
        else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "agentbench list: unknown option '%s'\n", argv[i]);
            free(dirs);
            return 2;
        } else dirs[ndirs++] = argv[i];
    }
    benchmark **v;
    char err[512];
    int n = rn_benchmarks_resolve(dirs, ndirs, &v, err, sizeof err);
    free(dirs);
    if (n < 0) {
        fprintf(stderr, "agentbench list: %s\n", err);
        return 1;
    }
    if (!names_only) printf("%-26s %-8s %-9s %s\n", "BENCHMARK", "KIND", "PROFILER", "DESCRIPTION");
    for (int i = 0; i < n; i++) {
        if (names_only) printf("%s\n", v[i]->name);
        else {
            char profilers[256] = "none"; /* "pyroscope-nodejs,datadog-nodejs" */
            for (size_t k = 0, n = 0; k < v[i]->profilers.n; k++)
                n += (size_t)snprintf(profilers + n,
                                      n < sizeof profilers ? sizeof profilers - n : 0, "%s%s",
                                      k ? "," : "", v[i]->profilers.v[k]);
            printf("%-26s %-8s %-9s %s\n", v[i]->name, rn_benchmark_kind_name(v[i]), profilers,
                   v[i]->description);
        }
    }
    rn_benchmarks_free(v, n);
    return 0;
}
