/* options.c: command-line parsing and validation for agentbench-ingester, and the
 * tokens, which come from a file or the environment (a command line is public: ps shows
 * it to every user), or for the data token still from --auth-token, whose value is then
 * overwritten in argv. */
#include "options.h"
#include "addr.h"
#include "cpus.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_text[] =
    "Usage: agentbench-ingester [OPTION]...\n"
    "A fake Pyroscope server for benchmarking profiling agents: it accepts every profile\n"
    "format Pyroscope ingests, answers according to a behaviour (mode) that can be switched\n"
    "at run time, and counts everything it receives (GET /stats).\n"
    "\n"
    "  --listen ADDR:PORT      data listener (default 127.0.0.1:4040; port 0 = any free)\n"
    "  --control ADDR:PORT     control listener: /mode, /stats, /healthz (default none)\n"
    "  --mode MODE             fast, slow, down, error, ratelimit, flaky, reset, hang,\n"
    "                          blackhole (default fast)\n"
    "  --delay SECS            answer delay in mode slow (default 30)\n"
    "  --status N              HTTP status in mode error and for flaky failures (default 503)\n"
    "  --error-rate F          share of requests failing in mode flaky, 0..1 (default 0.5)\n"
    "  --seed N                seed of flaky's deterministic choice (default 1)\n"
    "  --retry-after SECS      Retry-After in mode ratelimit (default 1)\n"
    "  --max-body BYTES        largest request body, K/M/G suffixes (default 16M)\n"
    "  --max-decompressed BYTES  memory one request's decoding may hold, and how far its\n"
    "                          gzip data may inflate (default 256M)\n"
    "  --max-buffered BYTES    request bodies held at once by all connections; a body\n"
    "                          that does not fit gets 503 + Retry-After (default 128M)\n"
    "  --max-connections N     open connections allowed (default 4096)\n"
    "  --idle-timeout SECS     close idle or too slow connections (default 60)\n"
    "  --auth-token-file FILE  ingest and push require Authorization: Bearer TOKEN (or\n"
    "                          Basic with password TOKEN), TOKEN the file's first line;\n"
    "                          or $" ING_ENV_AUTH_TOKEN "\n"
    "  --auth-token T          the same with T (visible in ps until the ingester starts:\n"
    "                          prefer the file or the environment)\n"
    "  --control-token-file FILE  /mode and /stats require Authorization: Bearer TOKEN;\n"
    "                          or $" ING_ENV_CONTROL_TOKEN "\n"
    "  --store DIR             keep each application's stacks, one file per profile type,\n"
    "                          in DIR/<app>@<type>.folded\n"
    "  --store-max-apps N      applications kept (default 256)\n"
    "  --store-max-bytes BYTES   stacks kept in all (default 256M)\n"
    "  --store-max-app-bytes BYTES  stacks kept per application (default 32M)\n"
    "  --files DIR             serve GET /flamegraphs/<file> from DIR\n"
    "  --cpu LIST              pin to these CPUs (e.g. 0 or 1-3,5)\n"
    "  --quiet                 no log messages on stderr\n"
    "  -h, --help              this help\n"
    "  -V, --version           version\n"
    "\n"
    "Once listening it prints one line on stdout:\n"
    "  agentbench-ingester ready data=ADDR:PORT control=ADDR:PORT pid=PID\n"
    "A listener on an address other than loopback without a token is warned about on\n"
    "stderr (also with --quiet).\n"
    "SIGTERM or SIGINT: stop accepting, finish answers in flight (bounded), exit 0.\n"
    "See agentbench-ingester(1).\n";

enum {
    OPT_LISTEN = 256,
    OPT_CONTROL,
    OPT_MODE,
    OPT_DELAY,
    OPT_STATUS,
    OPT_ERROR_RATE,
    OPT_SEED,
    OPT_RETRY_AFTER,
    OPT_MAX_BODY,
    OPT_MAX_DECOMPRESSED,
    OPT_MAX_CONNECTIONS,
    OPT_IDLE_TIMEOUT,
    OPT_AUTH_TOKEN,
    OPT_STORE,
    OPT_FILES,
    OPT_CPU,
    OPT_QUIET,
    OPT_MAX_BUFFERED,
    OPT_AUTH_TOKEN_FILE,
    OPT_CONTROL_TOKEN_FILE,
    OPT_STORE_MAX_APPS,
    OPT_STORE_MAX_BYTES,
    OPT_STORE_MAX_APP_BYTES,
};

static const struct option long_opts[] = {
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"control", required_argument, NULL, OPT_CONTROL},
    {"mode", required_argument, NULL, OPT_MODE},
    {"delay", required_argument, NULL, OPT_DELAY},
    {"status", required_argument, NULL, OPT_STATUS},
    {"error-rate", required_argument, NULL, OPT_ERROR_RATE},
    {"seed", required_argument, NULL, OPT_SEED},
    {"retry-after", required_argument, NULL, OPT_RETRY_AFTER},
    {"max-body", required_argument, NULL, OPT_MAX_BODY},
    {"max-decompressed", required_argument, NULL, OPT_MAX_DECOMPRESSED},
    {"max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS},
    {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
    {"auth-token", required_argument, NULL, OPT_AUTH_TOKEN},
    {"auth-token-file", required_argument, NULL, OPT_AUTH_TOKEN_FILE},
    {"control-token-file", required_argument, NULL, OPT_CONTROL_TOKEN_FILE},
    {"max-buffered", required_argument, NULL, OPT_MAX_BUFFERED},
    {"store", required_argument, NULL, OPT_STORE},
    {"store-max-apps", required_argument, NULL, OPT_STORE_MAX_APPS},
    {"store-max-bytes", required_argument, NULL, OPT_STORE_MAX_BYTES},
    {"store-max-app-bytes", required_argument, NULL, OPT_STORE_MAX_APP_BYTES},
    {"files", required_argument, NULL, OPT_FILES},
    {"cpu", required_argument, NULL, OPT_CPU},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

int ing_parse_addr(const char *s, ing_addr *a) {
    return ab_addr_parse(s, AB_ADDR_LOOPBACK_DEFAULTS, &a->ss);
}

int ing_parse_size(const char *s, size_t *out) {
    char *end;
    errno = 0;
    if (!*s || *s == '-') return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s) return -1;
    unsigned long long mult = 1;
    switch (*end) {
        case 'k':
        case 'K':
            mult = 1ULL << 10;
            end++;
            break;
        case 'm':
        case 'M':
            mult = 1ULL << 20;
            end++;
            break;
        case 'g':
        case 'G':
            mult = 1ULL << 30;
            end++;
            break;
        default: break;
    }
    if (mult > 1 && end[0] == 'i' && end[1] == 'B') end += 2;
    else if (*end == 'B') end++;
    if (*end || (v && mult > (unsigned long long)SIZE_MAX / v)) return -1;
    *out = (size_t)(v * mult);
    return 0;
}

int ing_parse_cpu_list(const char *s, cpu_set_t *set) {
    return ab_cpus_parse(s, 0, set);
}

int ing_addr_is_loopback(const ing_addr *a) {
    if (a->ss.ss_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)&a->ss;
        return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
    }
    if (a->ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&a->ss;
        return IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
    }
    return 0;
}

/* A token is printable ASCII without spaces, 1 to 1000 bytes (auth.c compares it with
 * what a header carries). */
static int token_ok(const char *t, char *why, size_t whylen) {
    size_t n = strlen(t);
    if (n == 0 || n > 1000) {
        snprintf(why, whylen, "a token must be 1 to 1000 characters");
        return 0;
    }
    for (const char *p = t; *p; p++)
        if (*p <= ' ' || *p >= 0x7f) {
            snprintf(why, whylen, "a token must be printable ASCII without spaces");
            return 0;
        }
    return 1;
}

int ing_read_token_file(const char *path, char **token, char *why, size_t whylen, char *warn,
                        size_t warnlen) {
    warn[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        snprintf(why, whylen, "%s is not a regular file", path);
        return -1;
    }
    if (st.st_mode & 077)
        snprintf(warn, warnlen, "%s may be read by other users (mode %03o): chmod 600 it", path,
                 (unsigned)(st.st_mode & 0777));
    char buf[1100];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n < 0) {
        snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    for (size_t len = strlen(buf); len && isspace((unsigned char)buf[len - 1]);) buf[--len] = '\0';
    char what[200];
    if (!token_ok(buf, what, sizeof what)) {
        snprintf(why, whylen, "%s: %s", path, what);
        return -1;
    }
    *token = strdup(buf);
    return *token ? 0 : -1;
}

void ing_options_free(ing_options *o) {
    free(o->auth_token);
    free(o->control_token);
    o->auth_token = o->control_token = NULL;
}

static int bad(FILE *err, const char *opt, const char *val, const char *why) {
    fprintf(err, "agentbench-ingester: bad value \"%s\" for --%s: %s\n", val, opt, why);
    fprintf(err, "Try 'agentbench-ingester --help'.\n");
    return 2;
}

int ing_options_parse(int argc, char **argv, ing_options *o, FILE *out, FILE *err) {
    memset(o, 0, sizeof *o);
    ing_parse_addr("127.0.0.1:4040", &o->listen);
    ing_behaviour_init(&o->behaviour);
    o->max_body = 16u << 20;
    o->max_decompressed = 256u << 20;
    o->max_buffered = 128u << 20;
    o->max_connections = 4096;
    o->idle_timeout_s = 60;
    o->store_max_apps = 256;
    o->store_max_bytes = (size_t)256 << 20;
    o->store_max_app_bytes = (size_t)32 << 20;
    const char *auth_file = NULL, *control_file = NULL;
    char why[512], warn[512];

    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":hV", long_opts, NULL)) != -1) {
        const char *name = optind > 1 ? argv[optind - 1] + 2 : "";
        for (const struct option *lo = long_opts; lo->name; lo++)
            if (lo->val == c) name = lo->name;
        switch (c) {
            case OPT_LISTEN:
                if (ing_parse_addr(optarg, &o->listen) < 0)
                    return bad(err, name, optarg, "expected ADDR:PORT");
                break;
            case OPT_CONTROL:
                if (ing_parse_addr(optarg, &o->control) < 0)
                    return bad(err, name, optarg, "expected ADDR:PORT");
                o->has_control = 1;
                break;
            case OPT_MODE:
                if (ing_mode_parse(optarg, &o->behaviour.mode) < 0)
                    return bad(err, name, optarg,
                               "one of fast, slow, down, error, ratelimit, flaky, reset, hang, "
                               "blackhole");
                break;
            case OPT_DELAY:
                if (ing_parse_delay(optarg, &o->behaviour.delay_s) < 0)
                    return bad(err, name, optarg, "expected seconds >= 0");
                break;
            case OPT_STATUS:
                if (ing_parse_status(optarg, &o->behaviour.status) < 0)
                    return bad(err, name, optarg, "expected an HTTP status 200..599");
                break;
            case OPT_ERROR_RATE:
                if (ing_parse_rate(optarg, &o->behaviour.error_rate) < 0)
                    return bad(err, name, optarg, "expected a number from 0 to 1");
                break;
            case OPT_SEED: {
                char *end;
                errno = 0;
                unsigned long long v = strtoull(optarg, &end, 0);
                if (!*optarg || *end || errno || *optarg == '-')
                    return bad(err, name, optarg, "expected an unsigned integer");
                o->behaviour.seed = v;
                ing_behaviour_reseed(&o->behaviour);
                break;
            }
            case OPT_RETRY_AFTER:
                if (ing_parse_retry_after(optarg, &o->behaviour.retry_after_s) < 0)
                    return bad(err, name, optarg, "expected whole seconds 0..86400");
                break;
            case OPT_MAX_BODY:
                if (ing_parse_size(optarg, &o->max_body) < 0 || o->max_body == 0)
                    return bad(err, name, optarg, "expected a size in bytes (K, M, G suffixes)");
                break;
            case OPT_MAX_DECOMPRESSED:
                if (ing_parse_size(optarg, &o->max_decompressed) < 0 || o->max_decompressed == 0)
                    return bad(err, name, optarg, "expected a size in bytes (K, M, G suffixes)");
                break;
            case OPT_MAX_CONNECTIONS: {
                char *end;
                errno = 0;
                long v = strtol(optarg, &end, 10);
                if (!*optarg || *end || errno || v < 1 || v > 1000000)
                    return bad(err, name, optarg, "expected 1..1000000");
                o->max_connections = (unsigned)v;
                break;
            }
            case OPT_IDLE_TIMEOUT:
                if (ing_parse_delay(optarg, &o->idle_timeout_s) < 0 || o->idle_timeout_s <= 0)
                    return bad(err, name, optarg, "expected seconds > 0");
                break;
            case OPT_AUTH_TOKEN:
                if (!token_ok(optarg, why, sizeof why)) return bad(err, name, "...", why);
                free(o->auth_token);
                o->auth_token = strdup(optarg);
                /* out of ps from now on (it was visible until here: prefer a file) */
                memset(optarg, 'x', strlen(optarg));
                break;
            case OPT_AUTH_TOKEN_FILE: auth_file = optarg; break;
            case OPT_CONTROL_TOKEN_FILE: control_file = optarg; break;
            case OPT_MAX_BUFFERED:
                if (ing_parse_size(optarg, &o->max_buffered) < 0 || o->max_buffered == 0)
                    return bad(err, name, optarg, "expected a size in bytes (K, M, G suffixes)");
                break;
            case OPT_STORE_MAX_APPS: {
                char *end;
                errno = 0;
                long v = strtol(optarg, &end, 10);
                if (!*optarg || *end || errno || v < 1 || v > 1000000)
                    return bad(err, name, optarg, "expected 1..1000000");
                o->store_max_apps = (size_t)v;
                break;
            }
            case OPT_STORE_MAX_BYTES:
            case OPT_STORE_MAX_APP_BYTES: {
                size_t *to = c == OPT_STORE_MAX_BYTES ? &o->store_max_bytes
                                                      : &o->store_max_app_bytes;
                if (ing_parse_size(optarg, to) < 0 || *to == 0)
                    return bad(err, name, optarg, "expected a size in bytes (K, M, G suffixes)");
                break;
            }
            case OPT_STORE: o->store_dir = optarg; break;
            case OPT_FILES: o->files_dir = optarg; break;
            case OPT_CPU:
                if (ing_parse_cpu_list(optarg, &o->cpus) < 0)
                    return bad(err, name, optarg, "expected a CPU list like 0 or 1-3,5");
                o->has_cpus = 1;
                break;
            case OPT_QUIET: o->quiet = 1; break;
            case 'h': fputs(usage_text, out); return 1;
            case 'V': fprintf(out, "agentbench-ingester 1.0\n"); return 1;
            case ':':
                fprintf(err, "agentbench-ingester: option %s needs a value\n", argv[optind - 1]);
                fprintf(err, "Try 'agentbench-ingester --help'.\n");
                return 2;
            default:
                fprintf(err, "agentbench-ingester: unknown option %s\n", argv[optind - 1]);
                fprintf(err, "Try 'agentbench-ingester --help'.\n");
                return 2;
        }
    }
    if (optind < argc) {
        fprintf(err, "agentbench-ingester: unexpected argument \"%s\"\n", argv[optind]);
        fprintf(err, "Try 'agentbench-ingester --help'.\n");
        return 2;
    }
    /* The tokens: a file, else the environment (else, for data, --auth-token). */
    struct {
        const char *opt, *file, *env;
        char **token;
    } tokens[] = {
        {"auth-token-file", auth_file, ING_ENV_AUTH_TOKEN, &o->auth_token},
        {"control-token-file", control_file, ING_ENV_CONTROL_TOKEN, &o->control_token},
    };
    for (size_t i = 0; i < 2; i++) {
        const char *env = getenv(tokens[i].env);
        if (tokens[i].file) {
            if (*tokens[i].token)
                return bad(err, tokens[i].opt, tokens[i].file,
                           "--auth-token gives the token already");
            if (ing_read_token_file(tokens[i].file, tokens[i].token, why, sizeof why, warn,
                                    sizeof warn) < 0)
                return bad(err, tokens[i].opt, tokens[i].file, why);
            if (warn[0]) fprintf(err, "agentbench-ingester: warning: %s\n", warn);
        } else if (!*tokens[i].token && env && *env) {
            if (!token_ok(env, why, sizeof why)) {
                fprintf(err, "agentbench-ingester: bad value in $%s: %s\n", tokens[i].env, why);
                return 2;
            }
            *tokens[i].token = strdup(env);
        }
    }
    return 0;
}
