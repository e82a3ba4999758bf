/* command.c: `agentbench web [--listen ADDR:PORT] [--dir DIR]`: checks its options and the
 * page's directory, then hands over to serve.c. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>
#include "addr.h"
#include "commands.h"
#include "util.h"
#include "serve.h"

#ifndef AB_PREFIX
#define AB_PREFIX "/usr/local"
#endif

#define WEB_DEFAULT_LISTEN "127.0.0.1:44380"

static void usage(FILE *f) {
    fprintf(
        f,
        "usage: agentbench web [--listen ADDR:PORT] [--dir DIR]\n"
        "\n"
        "Serves the live web view (static HTML, JavaScript and CSS) over HTTP, read-only. The\n"
        "page runs in the browser and reads pmproxy's REST API (port 44323) of the host named\n"
        "in its host field (default: the host the page came from); this server talks to no one.\n"
        "Prints one line when listening and runs until SIGINT or SIGTERM:\n"
        "  agentbench web ready url=http://ADDR:PORT/ dir=DIR pid=PID\n"
        "\n"
        "  -l, --listen ADDR:PORT  where to listen (default " WEB_DEFAULT_LISTEN
        "; port 0 = any free)\n"
        "  -d, --dir DIR           the page's directory (default: web/ beside the binary in a\n"
        "                          build tree, else " AB_PREFIX "/share/agentbench/web)\n"
        "Exit status: 0 stopped by a signal, 1 cannot listen or no page in DIR, 2 usage.\n");
}

static const char *default_dir(void) {
    static char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/web/index.html", rn_self_dir()) < (int)sizeof path &&
        access(path, R_OK) == 0) {
        path[strlen(path) - strlen("/index.html")] = 0;
        return path;
    }
    snprintf(path, sizeof path, "%s/share/agentbench/web", AB_PREFIX);
    return path;
}

int rn_cmd_web(int argc, char **argv) {
    static const struct option opts[] = {
        {"listen", required_argument, 0, 'l'},
        {"dir", required_argument, 0, 'd'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *listen_at = WEB_DEFAULT_LISTEN, *dir = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "l:d:h", opts, NULL)) != -1) {
        switch (o) {
            case 'l': listen_at = optarg; break;
            case 'd': dir = optarg; break;
            case 'h': usage(stdout); return 0;
            default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "agentbench web: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    struct sockaddr_storage addr;
    if (ab_addr_parse(listen_at, 0, &addr) < 0) {
        fprintf(stderr, "agentbench web: --listen wants ADDR:PORT, not '%s'\n", listen_at);
        return 2;
    }
    if (!dir) dir = default_dir();
    char root[PATH_MAX], index[PATH_MAX + 16];
    if (!realpath(dir, root) ||
        (snprintf(index, sizeof index, "%s/index.html", root), access(index, R_OK) != 0)) {
        fprintf(stderr, "agentbench web: no index.html in %s (build the runner, or give --dir)\n",
                dir);
        return 1;
    }
    return rn_web_serve((const struct sockaddr *)&addr, root, listen_at);
}
