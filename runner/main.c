/* main.c: `agentbench`, the command line entry point: dispatches to a subcommand. A new
 * subcommand is a row in the table below and its declaration in commands.h. */
#include <stdio.h>
#include <string.h>
#include "commands.h"

#ifndef AB_VERSION
#define AB_VERSION "0.1"
#endif

static const struct command {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} commands[] = {
    {"run", rn_cmd_run, "run benchmarks as baseline and profiled variants"},
    {"report", rn_cmd_report, "print a suite's results (table, markdown, csv, json, benchstat)"},
    {"compare", rn_cmd_compare, "compare the overheads of two suites"},
    {"list", rn_cmd_list, "list the benchmarks found and their descriptions"},
    {"flamegraph", rn_cmd_flamegraph, "capture stacks and render a flame graph"},
    {"baseline", rn_cmd_baseline, "characterise this host: CPU, memory, network, disk"},
    {"load", rn_cmd_load, "drive HTTP load at a server: throughput, errors, latency percentiles"},
    {"web", rn_cmd_web, "serve the live web view that reads pmproxy (port 44323)"},
};

static void usage(FILE *f) {
    fprintf(f, "usage: agentbench COMMAND [OPTIONS] [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(f,
            "\n'agentbench COMMAND --help' describes a command; man agentbench(1) has it all.\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("agentbench %s\n", AB_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "agentbench: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
