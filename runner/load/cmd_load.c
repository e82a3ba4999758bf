/* cmd_load.c: `agentbench load URL... --rate R|max --duration S`: the load generator of
 * load.h on the command line. Builds the request bytes from the URLs and options, runs one
 * window on a private loop and prints the figures as a table or one JSON object. */
#include <errno.h>
#include <getopt.h>
#include <http_parser.h>
#include <jansson.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../commands.h"
#include "../duration.h"
#include "load.h"

#define BODY_MAX (16u << 20)

static void usage(FILE *f) {
    fprintf(
        f,
        "usage: agentbench load [OPTIONS] --rate R|max URL [URL...]\n"
        "Drives HTTP/1.1 keep-alive load at one server for a fixed window and prints what it\n"
        "measured: requests, errors by kind, throughput and latency percentiles.\n"
        "  --rate R           open loop: R requests/s on a fixed schedule; each latency counts\n"
        "                     from the request's intended send time, so a stall shows as every\n"
        "                     request it delayed (coordinated omission accounted for)\n"
        "  --rate max         closed loop: each connection sends again as soon as it is answered\n"
        "                     (the server's capacity, like wrk)\n"
        "  --duration S       the measured window in seconds (default 10)\n"
        "  --connections N    keep-alive connections, one request in flight each (default 10)\n"
        "  --timeout S        a request unanswered for S s is an error; also bounds connecting "
        "and\n"
        "                     the drain after the window (default 10)\n"
        "  --method M         request method (default GET, or POST with a body)\n"
        "  --header 'K: V'    add a request header (repeatable)\n"
        "  --body TEXT        request body          --body-file FILE   request body from FILE\n"
        "  --digest-header H  sum the hex values of response header H over 2xx answers\n"
        "  --json             one JSON object instead of the table\n"
        "Several URLs (same host and port) are sent in turn. Exit status: 0 when the run\n"
        "happened (errors are among its figures), 1 when it could not start, 2 on bad usage.\n");
}

typedef struct target {
    char host[256], port[8], authority[300];
} target;

/* Splits an http:// URL; fills t (host, port, Host header) and returns the path+query. */
static char *split_url(const char *url, target *t, char *err, size_t errlen) {
    struct http_parser_url u;
    http_parser_url_init(&u);
    if (http_parser_parse_url(url, strlen(url), 0, &u) != 0 || !(u.field_set & (1 << UF_HOST)) ||
        !(u.field_set & (1 << UF_SCHEMA))) {
        snprintf(err, errlen, "'%s' is not an http:// URL", url);
        return NULL;
    }
    if (u.field_data[UF_SCHEMA].len != 4 ||
        strncasecmp(url + u.field_data[UF_SCHEMA].off, "http", 4) != 0) {
        snprintf(err, errlen, "'%s': only http:// is supported", url);
        return NULL;
    }
    if (u.field_data[UF_HOST].len >= sizeof t->host) {
        snprintf(err, errlen, "'%s': host name too long", url);
        return NULL;
    }
    memcpy(t->host, url + u.field_data[UF_HOST].off, u.field_data[UF_HOST].len);
    t->host[u.field_data[UF_HOST].len] = '\0';
    snprintf(t->port, sizeof t->port, "%u", (u.field_set & (1 << UF_PORT)) ? u.port : 80u);
    int v6 = strchr(t->host, ':') != NULL;
    snprintf(t->authority, sizeof t->authority, "%s%s%s:%s", v6 ? "[" : "", t->host, v6 ? "]" : "",
             t->port);
    size_t start = (u.field_set & (1 << UF_PATH)) ? u.field_data[UF_PATH].off : 0;
    size_t end = start;
    if (u.field_set & (1 << UF_PATH)) end = u.field_data[UF_PATH].off + u.field_data[UF_PATH].len;
    if (u.field_set & (1 << UF_QUERY)) {
        if (!(u.field_set & (1 << UF_PATH))) start = u.field_data[UF_QUERY].off - 1;
        end = u.field_data[UF_QUERY].off + u.field_data[UF_QUERY].len;
    }
    if (end == start) return strdup("/");
    char *path = malloc(end - start + 2);
    if (!path) return NULL;
    size_t n = 0;
    if (url[start] != '/') path[n++] = '/';
    memcpy(path + n, url + start, end - start);
    path[n + end - start] = '\0';
    return path;
}

static int read_file(const char *path, char **out, size_t *len, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *buf = malloc(BODY_MAX + 1);
    size_t n = buf ? fread(buf, 1, BODY_MAX + 1, f) : 0;
    int bad = !buf || ferror(f) || n > BODY_MAX;
    fclose(f);
    if (bad) {
        snprintf(err, errlen, "%s: %s", path,
                 buf ? "unreadable or larger than 16 MiB" : "out of memory");
        free(buf);
        return -1;
    }
    *out = buf;
    *len = n;
    return 0;
}

static json_t *percentiles_json(const load_hist *h) {
    load_percentiles p;
    rn_load_percentiles_of(h, &p);
    return json_pack("{s:I,s:f,s:f,s:f,s:f,s:f,s:f}", "count", (json_int_t)h->count, "p50", p.p50,
                     "p90", p.p90, "p99", p.p99, "p99_9", p.p999, "max", p.max, "mean", p.mean);
}

static void print_json(const load_result *r, const char *url, size_t nurls, double rate,
                       unsigned connections, const char *digest_header) {
    char sum[17];
    snprintf(sum, sizeof sum, "%016llx", (unsigned long long)r->digest_sum);
    json_t *o = json_pack(
        "{s:s,s:I,s:s,s:o,s:f,s:I,s:f,s:I,s:I,s:I,s:{s:I,s:I},s:{s:I,s:I,s:I,s:I,s:I},"
        "s:I,s:I,s:f,s:o,s:o}",
        "url", url, "urls", (json_int_t)nurls, "mode", r->open_loop ? "open" : "closed", "rate",
        r->open_loop ? json_real(rate) : json_null(), "duration_s", r->duration_s, "connections",
        (json_int_t)connections, "elapsed_s", r->elapsed_s, "offered", (json_int_t)r->offered,
        "sent", (json_int_t)r->sent, "completed", (json_int_t)r->completed, "status", "2xx",
        (json_int_t)r->status_2xx, "non_2xx", (json_int_t)r->status_non_2xx, "errors", "connect",
        (json_int_t)r->err_connect, "socket", (json_int_t)r->err_socket, "parse",
        (json_int_t)r->err_parse, "timeout", (json_int_t)r->err_timeout, "unsent",
        (json_int_t)r->unsent, "reconnects", (json_int_t)r->reconnects, "bytes_received",
        (json_int_t)r->bytes_received, "throughput_rps", r->throughput_rps, "latency_s",
        percentiles_json(&r->latency), "service_time_s", percentiles_json(&r->service));
    if (digest_header)
        json_object_set_new(o, "digest",
                            json_pack("{s:s,s:I,s:s}", "header", digest_header, "count",
                                      (json_int_t)r->digests, "sum", sum));
    char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(9));
    printf("%s\n", s);
    free(s);
    json_decref(o);
}

static void print_percentiles(const char *name, const load_hist *h, const char *what) {
    load_percentiles p;
    rn_load_percentiles_of(h, &p);
    printf("%-11s p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms  (%s)\n", name,
           p.p50 * 1e3, p.p90 * 1e3, p.p99 * 1e3, p.p999 * 1e3, p.max * 1e3, what);
}

static void print_table(const load_result *r, const char *url, size_t nurls, double rate,
                        unsigned connections, const char *digest_header) {
    if (r->open_loop)
        printf("agentbench load: %s%s: open loop, %g req/s for %g s over %u connections\n", url,
               nurls > 1 ? " (and more)" : "", rate, r->duration_s, connections);
    else
        printf("agentbench load: %s%s: closed loop for %g s over %u connections\n", url,
               nurls > 1 ? " (and more)" : "", r->duration_s, connections);
    printf("%-11s offered %llu  sent %llu  answered %llu (2xx %llu, other %llu)\n", "requests",
           (unsigned long long)r->offered, (unsigned long long)r->sent,
           (unsigned long long)r->completed, (unsigned long long)r->status_2xx,
           (unsigned long long)r->status_non_2xx);
    printf("%-11s connect %llu  socket %llu  parse %llu  timeout %llu  unsent %llu  (reconnects "
           "%llu)\n",
           "errors", (unsigned long long)r->err_connect, (unsigned long long)r->err_socket,
           (unsigned long long)r->err_parse, (unsigned long long)r->err_timeout,
           (unsigned long long)r->unsent, (unsigned long long)r->reconnects);
    printf("%-11s %.1f req/s (2xx answered inside the window)\n", "throughput", r->throughput_rps);
    print_percentiles("latency", &r->latency,
                      r->open_loop ? "from each request's intended send time"
                                   : "from its send time");
    if (r->open_loop)
        print_percentiles("service", &r->service, "from the actual send time: hides stalls");
    if (digest_header)
        printf("%-11s %s: %llu answers, sum %016llx\n", "digest", digest_header,
               (unsigned long long)r->digests, (unsigned long long)r->digest_sum);
}

/* A duration option, through the runner's one duration parser, at most hi seconds. */
static int parse_duration(const char *opt, const char *s, double hi, double *out) {
    char err[160];
    double v;
    if (rn_duration_parse(s, 0, &v, err, sizeof err) == 0) {
        if (v <= hi) {
            *out = v;
            return 0;
        }
        snprintf(err, sizeof err, "'%.40s' is beyond %g s", s, hi);
    }
    fprintf(stderr, "agentbench load: %s %s\n", opt, err);
    return -1;
}

static int parse_number(const char *opt, const char *s, double lo, double hi, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi)) {
        fprintf(stderr, "agentbench load: %s must be a number in [%g, %g], not '%s'\n", opt, lo, hi,
                s);
        return -1;
    }
    *out = v;
    return 0;
}

int rn_cmd_load(int argc, char **argv) {
    static const struct option opts[] = {
        {"rate", required_argument, NULL, 'r'},
        {"duration", required_argument, NULL, 'd'},
        {"connections", required_argument, NULL, 'c'},
        {"timeout", required_argument, NULL, 't'},
        {"method", required_argument, NULL, 'm'},
        {"header", required_argument, NULL, 'H'},
        {"body", required_argument, NULL, 'b'},
        {"body-file", required_argument, NULL, 'B'},
        {"digest-header", required_argument, NULL, 'D'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    double rate = -1, duration = 10, connections = 10, timeout = 10;
    const char *method = NULL, *digest_header = NULL, *body_text = NULL, *body_file = NULL;
    int json = 0, c;
    size_t headers_len = 0;
    char headers[8192] = "";
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
            case 'r':
                if (!strcmp(optarg, "max")) rate = 0;
                else if (parse_number("--rate", optarg, 0.001, 1e7, &rate) < 0) return 2;
                break;
            case 'd':
                if (parse_duration("--duration", optarg, 1e6, &duration) < 0) return 2;
                break;
            case 'c':
                if (parse_number("--connections", optarg, 1, 10000, &connections) < 0) return 2;
                break;
            case 't':
                if (parse_duration("--timeout", optarg, 3600, &timeout) < 0) return 2;
                break;
            case 'm': method = optarg; break;
            case 'H': {
                size_t n = strlen(optarg);
                if (!strchr(optarg, ':') || strpbrk(optarg, "\r\n") ||
                    headers_len + n + 3 > sizeof headers) {
                    fprintf(
                        stderr,
                        "agentbench load: --header wants 'Name: value' (8 KiB in all), not '%s'\n",
                        optarg);
                    return 2;
                }
                headers_len += (size_t)snprintf(headers + headers_len, sizeof headers - headers_len,
                                                "%s\r\n", optarg);
                break;
            }
            case 'b': body_text = optarg; break;
            case 'B': body_file = optarg; break;
            case 'D': digest_header = optarg; break;
            case 'j': json = 1; break;
            case 'h': usage(stdout); return 0;
            default:
                fprintf(stderr, "agentbench load: unknown option or missing value '%s'\n",
                        argv[optind - 1]);
                usage(stderr);
                return 2;
        }
    }
    if (rate < 0 || optind >= argc) {
        fprintf(stderr, "agentbench load: %s\n",
                rate < 0 ? "--rate R or --rate max is required" : "no URL");
        usage(stderr);
        return 2;
    }
    if (connections != (unsigned)connections) {
        fprintf(stderr, "agentbench load: --connections must be a whole number\n");
        return 2;
    }
    if (body_text && body_file) {
        fprintf(stderr, "agentbench load: --body and --body-file exclude each other\n");
        return 2;
    }
    if (method && (!*method || strpbrk(method, " \r\n"))) {
        fprintf(stderr, "agentbench load: '%s' is not a method\n", method);
        return 2;
    }

    char err[512];
    char *body = NULL;
    size_t body_len = 0;
    if (body_file && read_file(body_file, &body, &body_len, err, sizeof err) < 0) {
        fprintf(stderr, "agentbench load: %s\n", err);
        return 2;
    }
    if (body_text) {
        body = strdup(body_text);
        body_len = strlen(body_text);
    }
    int has_body = body_file || body_text;
    if (!method) method = has_body ? "POST" : "GET";

    size_t nurls = (size_t)(argc - optind);
    load_request *reqs = calloc(nurls, sizeof *reqs);
    target first = {0};
    int status = 2;
    load_result *res = NULL;
    for (size_t i = 0; i < nurls; i++) {
        target t;
        char *path = split_url(argv[optind + i], &t, err, sizeof err);
        if (!path) {
            fprintf(stderr, "agentbench load: %s\n", err);
            goto out;
        }
        if (i == 0) first = t;
        else if (strcmp(t.host, first.host) || strcmp(t.port, first.port)) {
            fprintf(stderr,
                    "agentbench load: every URL must name the same host and port as the first\n");
            free(path);
            goto out;
        }
        char clen[48] = "";
        if (has_body) snprintf(clen, sizeof clen, "Content-Length: %zu\r\n", body_len);
        int n = asprintf((char **)&reqs[i].bytes,
                         "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: agentbench-load\r\n%s%s\r\n",
                         method, path, t.authority, headers, clen);
        free(path);
        if (n < 0) goto out;
        reqs[i].len = (size_t)n;
        if (has_body) {
            char *whole = realloc((char *)reqs[i].bytes, reqs[i].len + body_len);
            if (!whole) goto out;
            memcpy(whole + reqs[i].len, body, body_len);
            reqs[i].bytes = whole;
            reqs[i].len += body_len;
        }
        reqs[i].head = !strcasecmp(method, "HEAD");
    }

    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    int gai = getaddrinfo(first.host, first.port, &hints, &ai);
    if (gai != 0 || !ai) {
        fprintf(stderr, "agentbench load: %s: %s\n", first.host, gai_strerror(gai));
        status = 1;
        goto out;
    }
    load_config cfg = {
        .requests = reqs,
        .nrequests = nurls,
        .rate = rate,
        .duration_s = duration,
        .connections = (unsigned)connections,
        .timeout_s = timeout,
        .digest_header = digest_header,
    };
    memcpy(&cfg.addr, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);

    signal(SIGPIPE, SIG_IGN); /* a server that closes mid-write is an error, not our death */
    res = calloc(1, sizeof *res);
    if (!res) goto out;
    if (rn_load_run_blocking(&cfg, res, err, sizeof err) < 0) {
        fprintf(stderr, "agentbench load: %s: %s\n", argv[optind], err);
        status = res->failed ? 1 : 2;
        goto out;
    }
    if (json) print_json(res, argv[optind], nurls, rate, cfg.connections, digest_header);
    else print_table(res, argv[optind], nurls, rate, cfg.connections, digest_header);
    status = fflush(stdout) == 0 ? 0 : 1;
out:
    for (size_t i = 0; reqs && i < nurls; i++) free((char *)reqs[i].bytes);
    free(reqs);
    free(body);
    free(res);
    return status;
}
