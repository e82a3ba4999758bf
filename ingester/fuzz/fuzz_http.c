/* fuzz_http.c: libFuzzer target for the ingester's request handling (conn.c, routes.c
 * and the decoders behind them): the input is what a client sends on one connection,
 * fed through a socketpair into a real server on a libuv loop. Its first byte picks the
 * listener (data or control) and the mode; the rest is the byte stream. Owned by the
 * server side (see ingester/GNUmakefile's fuzz target). */
#include "options.h"
#include "routes.h"
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static ing_server srv;
static ing_options opt;

static void setup(void)
{
    char *argv[] = {"fuzz_http", "--listen", "127.0.0.1:0", "--quiet", "--max-body", "64K",
                    "--max-decompressed", "1M", "--idle-timeout", "0.05", NULL};
    char err[256];
    if (ing_options_parse(10, argv, &opt, stdout, stderr) != 0 ||
        server_start(&srv, uv_default_loop(), &opt, &routes_callbacks, &srv, err, sizeof err) < 0) {
        fprintf(stderr, "fuzz_http: cannot start the server\n");
        abort();
    }
}

static void drain(int fd)
{
    char buf[65536];
    while (read(fd, buf, sizeof buf) > 0)
        ;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    static const ing_mode modes[8] = {MODE_FAST, MODE_FAST, MODE_SLOW, MODE_ERROR,
                                      MODE_RATELIMIT, MODE_FLAKY, MODE_RESET, MODE_HANG};
    if (!ready) {
        setup();
        ready = 1;
    }
    if (size < 1)
        return 0;
    ing_behaviour b = srv.beh;
    b.mode = modes[data[0] & 7];
    b.delay_s = 0.001;
    char err[256];
    if (server_set_behaviour(&srv, &b, err, sizeof err) < 0)
        abort();
    int is_control = (data[0] >> 3) & 1;
    data++;
    size--;

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        abort();
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    conn_adopt(&srv.conns, sv[0], is_control);
    size_t off = 0;
    for (int i = 0; i < 1000 && off < size; i++) {
        ssize_t w = write(sv[1], data + off, size - off);
        if (w > 0)
            off += (size_t)w;
        else if (errno != EAGAIN)
            break;
        uv_run(srv.loop, UV_RUN_NOWAIT);
        drain(sv[1]);
    }
    shutdown(sv[1], SHUT_WR);
    for (int i = 0; i < 20 && !conn_set_empty(&srv.conns); i++) {
        uv_run(srv.loop, UV_RUN_NOWAIT);
        drain(sv[1]);
    }
    close(sv[1]);
    for (int i = 0; i < 200 && !conn_set_empty(&srv.conns); i++)
        uv_run(srv.loop, UV_RUN_ONCE);
    uv_run(srv.loop, UV_RUN_NOWAIT);   /* close callbacks: the connection is freed */
    if (!conn_set_empty(&srv.conns))
        abort();   /* a connection that outlives its client */
    return 0;
}
