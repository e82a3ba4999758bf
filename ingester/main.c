/* main.c: agentbench-ingester, a fake Pyroscope server for benchmarking profiling agents.
 * Parses the command line, pins the CPUs, starts the server with routes.c as the user of
 * its connections (the one place that knows both), prints the ready line and runs the
 * event loop until SIGTERM/SIGINT. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <uv.h>

#include "options.h"
#include "routes.h"
#include "server.h"

static void raise_fd_limit(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(int argc, char **argv) {
    ing_options opt;
    int rc = ing_options_parse(argc, argv, &opt, stdout, stderr);
    if (rc == 1) return 0;
    if (rc != 0) return 2;
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    if (opt.has_cpus && sched_setaffinity(0, sizeof opt.cpus, &opt.cpus) < 0) {
        fprintf(stderr, "agentbench-ingester: --cpu: %s\n", strerror(errno));
        return 1;
    }

    uv_loop_t *loop = uv_default_loop();
    static ing_server server;
    char err[256];
    if (ing_server_start(&server, loop, &opt, &ing_routes_callbacks, &server, err, sizeof err) <
        0) {
        fprintf(stderr, "agentbench-ingester: %s\n", err);
        return 1;
    }
    ing_server_warn_exposed(&server);
    printf("agentbench-ingester ready data=%s control=%s pid=%d\n", server.data_name,
           server.control_name, (int)getpid());
    fflush(stdout);
    ing_server_log(&server, "mode %s", ing_mode_name(server.beh.mode));

    uv_run(loop, UV_RUN_DEFAULT);
    ing_server_free(&server);
    uv_loop_close(loop);
    ing_options_free(&opt);
    return 0;
}
