/* test_server_options.c: agentbench-ingester's command line: addresses, sizes, CPU lists,
 * defaults and rejected values; tokens from a file or the environment, --auth-token's
 * value wiped from argv; loopback addresses. */
#include "options.h"
#include "addr.h"
#include "../tap.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char *last_argv[32]; /* the writable copies the last parse got */

static int parse(const char *const *args, ing_options *o) {
    static int parsed; /* o is the same each time: free what the last parse kept */
    if (parsed++) ing_options_free(o);
    for (int i = 1; last_argv[i]; i++) free(last_argv[i]);
    char *argv[32];
    int argc = 0;
    argv[argc++] = "agentbench-ingester";
    for (; *args; args++) argv[argc++] = strdup(*args);
    argv[argc] = NULL;
    memcpy(last_argv, argv, (size_t)(argc + 1) * sizeof *argv);
    FILE *devnull = fopen("/dev/null", "w");
    int rc = ing_options_parse(argc, argv, o, devnull, devnull);
    fclose(devnull);
    return rc;
}

static int port_of(const ing_addr *a) {
    return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
}

int main(void) {
    ing_addr a;
    char buf[64];
    CHECK(ing_parse_addr("127.0.0.1:4040", &a) == 0 && port_of(&a) == 4040, "ADDR:PORT");
    ab_addr_format((struct sockaddr *)&a.ss, buf, sizeof buf);
    CHECK(strcmp(buf, "127.0.0.1:4040") == 0, "formatted back: %s", buf);
    CHECK(ing_parse_addr(":0", &a) == 0 && port_of(&a) == 0, ":0 is loopback, any port");
    ab_addr_format((struct sockaddr *)&a.ss, buf, sizeof buf);
    CHECK(strcmp(buf, "127.0.0.1:0") == 0, ":0 -> %s", buf);
    CHECK(ing_parse_addr("localhost:80", &a) == 0, "localhost");
    CHECK(ing_parse_addr("[::1]:4041", &a) == 0 && a.ss.ss_family == AF_INET6, "[::1]:PORT");
    ab_addr_format((struct sockaddr *)&a.ss, buf, sizeof buf);
    CHECK(strcmp(buf, "[::1]:4041") == 0, "v6 formatted: %s", buf);
    CHECK(ing_parse_addr("127.0.0.1:65536", &a) < 0, "port too big");
    CHECK(ing_parse_addr("127.0.0.1:x", &a) < 0, "port not a number");
    CHECK(ing_parse_addr("nohost:80", &a) < 0, "names other than localhost refused");
    CHECK(ing_parse_addr("127.0.0.1:", &a) < 0, "empty port");

    size_t sz;
    CHECK(ing_parse_size("16M", &sz) == 0 && sz == 16u << 20, "16M");
    CHECK(ing_parse_size("1KiB", &sz) == 0 && sz == 1024, "1KiB");
    CHECK(ing_parse_size("100", &sz) == 0 && sz == 100, "plain bytes");
    CHECK(ing_parse_size("2G", &sz) == 0 && sz == 2ull << 30, "2G");
    CHECK(ing_parse_size("-1", &sz) < 0 && ing_parse_size("1X", &sz) < 0 &&
              ing_parse_size("", &sz) < 0,
          "bad sizes refused");

    cpu_set_t set;
    CHECK(ing_parse_cpu_list("0", &set) == 0 && CPU_COUNT(&set) == 1 && CPU_ISSET(0, &set),
          "cpu 0");
    CHECK(ing_parse_cpu_list("1-3,5", &set) == 0 && CPU_COUNT(&set) == 4 && CPU_ISSET(5, &set) &&
              !CPU_ISSET(4, &set),
          "cpu 1-3,5");
    CHECK(ing_parse_cpu_list("3-1", &set) < 0 && ing_parse_cpu_list("a", &set) < 0 &&
              ing_parse_cpu_list("1,", &set) < 0 && ing_parse_cpu_list("", &set) < 0,
          "bad CPU lists refused");

    ing_options o;
    const char *none[] = {NULL};
    CHECK(parse(none, &o) == 0, "no arguments");
    CHECK(port_of(&o.listen) == 4040 && !o.has_control && o.behaviour.mode == MODE_FAST &&
              o.behaviour.delay_s == 30 && o.behaviour.status == 503 &&
              o.behaviour.error_rate == 0.5 && o.max_body == 16u << 20,
          "defaults: 4040, no control, fast, 30 s, 503, 0.5, 16 MiB");
    const char *all[] = {"--listen",
                         "127.0.0.1:0",
                         "--control",
                         "127.0.0.1:0",
                         "--mode",
                         "slow",
                         "--delay",
                         "0.25",
                         "--status",
                         "500",
                         "--error-rate",
                         "0.1",
                         "--retry-after",
                         "7",
                         "--max-body",
                         "1M",
                         "--max-connections",
                         "10",
                         "--idle-timeout",
                         "2",
                         "--auth-token",
                         "s3cret",
                         "--cpu",
                         "0",
                         "--seed",
                         "42",
                         "--quiet",
                         NULL};
    CHECK(parse(all, &o) == 0, "every option");
    CHECK(o.has_control && o.behaviour.mode == MODE_SLOW && o.behaviour.delay_s == 0.25 &&
              o.behaviour.status == 500 && o.behaviour.error_rate == 0.1 &&
              o.behaviour.retry_after_s == 7 && o.max_body == 1u << 20 && o.max_connections == 10 &&
              o.idle_timeout_s == 2 && o.quiet && o.has_cpus && o.behaviour.seed == 42 &&
              strcmp(o.auth_token, "s3cret") == 0,
          "every option's value kept");
    const char *bad1[] = {"--mode", "sideways", NULL};
    const char *bad2[] = {"--status", "99", NULL};
    const char *bad3[] = {"--error-rate", "1.5", NULL};
    const char *bad4[] = {"--bogus", NULL};
    const char *bad5[] = {"--delay", NULL};
    const char *bad6[] = {"extra", NULL};
    CHECK(parse(bad1, &o) == 2 && parse(bad2, &o) == 2 && parse(bad3, &o) == 2 &&
              parse(bad4, &o) == 2 && parse(bad5, &o) == 2 && parse(bad6, &o) == 2,
          "bad mode, status, rate, unknown option, missing value, extra argument: usage error");
    const char *help[] = {"--help", NULL};
    CHECK(parse(help, &o) == 1, "--help");

    int rc = parse(all, &o);
    CHECK(rc == 0 && strcmp(last_argv[22], "xxxxxx") == 0 && strcmp(o.auth_token, "s3cret") == 0,
          "--auth-token's value is kept, and wiped from argv (ps): %s", last_argv[22]);
    char path[] = "/tmp/test_server_token.XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0 && write(fd, "c0ntrol-t0ken \nsecond line\n", 27) == 27, "a token file");
    close(fd);
    chmod(path, 0600);
    const char *files[] = {"--control-token-file", path, "--auth-token-file", path, NULL};
    CHECK(parse(files, &o) == 0 && strcmp(o.control_token, "c0ntrol-t0ken") == 0 &&
              strcmp(o.auth_token, "c0ntrol-t0ken") == 0,
          "tokens from a file: its first line, trimmed");
    const char *both[] = {"--auth-token", "x", "--auth-token-file", path, NULL};
    CHECK(parse(both, &o) == 2, "--auth-token and --auth-token-file together: usage error");
    const char *missing[] = {"--control-token-file", "/nonexistent/token", NULL};
    CHECK(parse(missing, &o) == 2, "a missing token file: usage error");
    char why[256], warn[256], *tok = NULL;
    chmod(path, 0644);
    CHECK(ing_read_token_file(path, &tok, why, sizeof why, warn, sizeof warn) == 0 &&
              strstr(warn, "other users"),
          "a token file others may read: a warning (%s)", warn);
    free(tok);
    fd = open(path, O_WRONLY | O_TRUNC);
    CHECK(write(fd, "two words\n", 10) == 10, "a bad token");
    close(fd);
    CHECK(ing_read_token_file(path, &tok, why, sizeof why, warn, sizeof warn) < 0 &&
              strstr(why, "spaces"),
          "a token with a space refused (%s)", why);
    unlink(path);
    setenv(ING_ENV_CONTROL_TOKEN, "from-env", 1);
    setenv(ING_ENV_AUTH_TOKEN, "data-env", 1);
    CHECK(parse(none, &o) == 0 && strcmp(o.control_token, "from-env") == 0 &&
              strcmp(o.auth_token, "data-env") == 0,
          "tokens from the environment");
    setenv(ING_ENV_CONTROL_TOKEN, "bad token", 1);
    CHECK(parse(none, &o) == 2, "a bad token in the environment: usage error");
    unsetenv(ING_ENV_CONTROL_TOKEN);
    unsetenv(ING_ENV_AUTH_TOKEN);
    CHECK(parse(none, &o) == 0 && !o.control_token && !o.auth_token &&
              o.max_buffered == 128u << 20 && o.store_max_apps == 256,
          "no token by default; the new bounds' defaults");

    ing_addr l;
    CHECK(ing_parse_addr("127.0.0.1:1", &l) == 0 && ing_addr_is_loopback(&l) &&
              ing_parse_addr("127.9.9.9:1", &l) == 0 && ing_addr_is_loopback(&l) &&
              ing_parse_addr("[::1]:1", &l) == 0 && ing_addr_is_loopback(&l),
          "loopback addresses");
    CHECK(ing_parse_addr("0.0.0.0:1", &l) == 0 && !ing_addr_is_loopback(&l) &&
              ing_parse_addr("[::]:1", &l) == 0 && !ing_addr_is_loopback(&l) &&
              ing_parse_addr("10.0.0.1:1", &l) == 0 && !ing_addr_is_loopback(&l),
          "other addresses");
    ing_options_free(&o);
    for (int i = 1; last_argv[i]; i++) free(last_argv[i]);
    return TAP_DONE();
}
