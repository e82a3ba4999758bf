/* baseline/net.c: network throughput with iperf3 (Debian's iperf3): on loopback we start
 * a one-shot server (`iperf3 -s -1 -B 127.0.0.1 -p PORT` on a free port) ourselves, wait
 * until it listens (from /proc/net/tcp, without spending its one connection), then run
 * the client with -J and read its JSON with jansson; with --peer HOST[:PORT] the client
 * goes to a server already running there. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "parts.h"
#include "tool.h"

static int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* Is something listening on 127.0.0.1:port? (/proc/net/tcp state 0A) */
static int listening(int port) {
    FILE *f = fopen("/proc/net/tcp", "r");
    if (!f) return 0;
    char line[512], want[32];
    snprintf(want, sizeof want, "0100007F:%04X", port);
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        char local[64], remote[64], st[8];
        if (sscanf(line, "%*d: %63s %63s %7s", local, remote, st) == 3 && !strcmp(local, want) &&
            !strcmp(st, "0A"))
            found = 1;
    }
    fclose(f);
    return found;
}

static int parse_iperf(const char *out, const char *target, double secs, bl_figures *f, char *err,
                       size_t errlen) {
    json_error_t je;
    json_t *root = out ? json_loads(out, 0, &je) : NULL;
    if (!root) {
        snprintf(err, errlen, "iperf3 printed no JSON");
        return -1;
    }
    const char *ierr = json_string_value(json_object_get(root, "error"));
    json_t *end = json_object_get(root, "end");
    json_t *recv = json_object_get(end, "sum_received"), *sent = json_object_get(end, "sum_sent");
    double rbps = json_number_value(json_object_get(recv, "bits_per_second"));
    double sbps = json_number_value(json_object_get(sent, "bits_per_second"));
    int rc = 0;
    if (ierr || rbps <= 0) {
        snprintf(err, errlen, "iperf3: %s", ierr ? ierr : "no throughput in its report");
        rc = -1;
    } else {
        rn_bl_add(f, "network", "tcp_mbit_s", rbps / 1e6, "Mbit/s",
                  json_pack("{s:s, s:s, s:f, s:f, s:I}", "tool", "iperf3", "target", target,
                            "seconds", secs, "sender_mbit_s", sbps / 1e6, "retransmits",
                            (json_int_t)json_integer_value(json_object_get(sent, "retransmits"))));
    }
    json_decref(root);
    return rc;
}

int rn_bl_network(const bl_opts *o, bl_figures *f, char *err, size_t errlen) {
    double secs = o->quick ? 1 : 5;
    char host[256] = "127.0.0.1", port[16] = "5201", t[16];
    snprintf(t, sizeof t, "%.0f", secs);
    pid_t server = -1;
    if (o->peer) {
        if (o->peer[0] == '-' || strlen(o->peer) >= sizeof host) {
            snprintf(err, errlen, "bad --peer '%s'", o->peer);
            return -1;
        }
        snprintf(host, sizeof host, "%s", o->peer);
        char *colon = strrchr(host, ':');
        if (colon && !strchr(colon + 1, ']') && strchr(host, ':') == colon) {
            *colon = '\0';
            snprintf(port, sizeof port, "%.15s", colon + 1);
        }
    } else {
        int p = free_port();
        if (p < 0) {
            snprintf(err, errlen, "no free port: %s", strerror(errno));
            return -1;
        }
        snprintf(port, sizeof port, "%d", p);
        char *sargv[] = {"iperf3", "-s", "-1", "-B", "127.0.0.1", "-p", port, NULL};
        server = rn_tool_spawn(sargv, NULL, -1, -1);
        if (server < 0) {
            snprintf(err, errlen,
                     errno == ENOENT ? "iperf3 is not installed (Debian package "
                                       "iperf3)"
                                     : "cannot start iperf3: %s",
                     strerror(errno));
            return -1;
        }
        int i;
        for (i = 0; i < 150 && !listening(p); i++) usleep(20000);
        if (i == 150) {
            kill(server, SIGKILL);
            rn_tool_wait(server, 0, NULL, NULL, NULL);
            snprintf(err, errlen, "iperf3 server did not listen on 127.0.0.1:%d", p);
            return -1;
        }
    }
    char *cargv[] = {"iperf3", "-c", host, "-p", port, "-J", "-t", t, NULL};
    char *out = NULL;
    int rc = rn_bl_run_capture(cargv, secs + 20, &out, err, errlen);
    char target[300];
    snprintf(target, sizeof target, "%s:%s", host, port);
    /* iperf3 -J exits 1 on errors but still prints JSON with an "error" to report */
    if (rc >= 0) rc = parse_iperf(out, target, secs, f, err, errlen);
    free(out);
    if (server > 0)
        rn_tool_wait(server, 5, NULL, NULL, NULL); /* one-shot: exits after the client */
    return rc < 0 ? -1 : 0;
}
