/* fuzz_http.c: libFuzzer target for the ingester's request handling (conn.c, routes.c
 * and the decoders behind them): the input is what a client sends on one connection,
 * fed through a socketpair into a real server on a libuv loop. Its first byte picks the
 * listener (data or control), the mode, and the server: a plain one, or one with a data
 * token ("Bearer fuzz-d4ta" or Basic with it as password), a control token ("Bearer
 * fuzz-c0ntrol"), --store and --files (a directory holding x.svg), so that tokens,
 * the store and file serving are fuzzed too; the rest is the byte stream. Owned by the
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

static ing_server servers[2];
static ing_options opts[2];
static char store_dir[] = "/tmp/agentbench-fuzz-store.XXXXXX";
static char files_dir[] = "/tmp/agentbench-fuzz-files.XXXXXX";

static void remove_dir(const char *dir) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) return;
}

static void cleanup(void) {
    remove_dir(store_dir);
    remove_dir(files_dir);
}

static void start(int i, int argc, char **argv) {
    char err[256];
    if (ing_options_parse(argc, argv, &opts[i], stdout, stderr) != 0 ||
        ing_server_start(&servers[i], uv_default_loop(), &opts[i], &ing_routes_callbacks,
                         &servers[i], err, sizeof err) < 0) {
        fprintf(stderr, "fuzz_http: cannot start server %d: %s\n", i, err);
        abort();
    }
}

static void setup(void) {
    char token[] = "fuzz-d4ta"; /* writable: the parser wipes it from argv */
    /* the options and their values kept together */
    /* clang-format off */
    char *plain[] = {"fuzz_http",
                     "--listen", "127.0.0.1:0", "--quiet",
                     "--max-body", "256K", "--max-decompressed", "1M", "--max-buffered", "1M",
                     "--idle-timeout", "0.05",
                     NULL};
    /* clang-format on */
    if (!mkdtemp(store_dir) || !mkdtemp(files_dir)) abort();
    atexit(cleanup);
    char svg[256];
    snprintf(svg, sizeof svg, "%s/x.svg", files_dir);
    FILE *f = fopen(svg, "w");
    if (!f) abort();
    fputs("<svg/>\n", f);
    fclose(f);
    /* clang-format off */
    char *secured[] = {"fuzz_http",
                       "--listen", "127.0.0.1:0", "--quiet",
                       "--max-body", "256K", "--max-decompressed", "1M", "--max-buffered", "1M",
                       "--idle-timeout", "0.05",
                       "--auth-token", token,
                       "--store", store_dir,
                       "--files", files_dir,
                       "--store-max-apps", "4", "--store-max-bytes", "256K",
                       NULL};
    /* clang-format on */
    start(0, 12, plain);
    setenv(ING_ENV_CONTROL_TOKEN, "fuzz-c0ntrol", 1);
    start(1, 22, secured);
    unsetenv(ING_ENV_CONTROL_TOKEN);
}

static void drain(int fd) {
    char buf[65536];
    while (read(fd, buf, sizeof buf) > 0)
        ;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int ready;
    static const ing_mode modes[8] = {MODE_FAST,      MODE_FAST,  MODE_SLOW,  MODE_ERROR,
                                      MODE_RATELIMIT, MODE_FLAKY, MODE_RESET, MODE_HANG};
    if (!ready) {
        setup();
        ready = 1;
    }
    if (size < 1) return 0;
    ing_server *s = &servers[(data[0] >> 4) & 1];
    ing_behaviour b = s->beh;
    b.mode = modes[data[0] & 7];
    b.delay_s = 0.001;
    char err[256];
    if (ing_server_set_behaviour(s, &b, err, sizeof err) < 0) abort();
    int is_control = (data[0] >> 3) & 1;
    data++;
    size--;

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) abort();
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    ing_conn_adopt(&s->conns, sv[0], is_control);
    size_t off = 0;
    for (int i = 0; i < 1000 && off < size; i++) {
        ssize_t w = write(sv[1], data + off, size - off);
        if (w > 0) off += (size_t)w;
        else if (errno != EAGAIN) break;
        uv_run(s->loop, UV_RUN_NOWAIT);
        drain(sv[1]);
    }
    shutdown(sv[1], SHUT_WR);
    for (int i = 0; i < 20 && !conn_set_empty(&s->conns); i++) {
        uv_run(s->loop, UV_RUN_NOWAIT);
        drain(sv[1]);
    }
    close(sv[1]);
    for (int i = 0; i < 200 && !conn_set_empty(&s->conns); i++) uv_run(s->loop, UV_RUN_ONCE);
    uv_run(s->loop, UV_RUN_NOWAIT);          /* close callbacks: the connection is freed */
    if (!conn_set_empty(&s->conns)) abort(); /* a connection that outlives its client */
    return 0;
}
