/* options.h: agentbench-ingester's command line (doc/internals.md, doc/agentbench-ingester.1). */
#ifndef ING_OPTIONS_H
#define ING_OPTIONS_H

#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

#include "behaviour.h"

typedef struct ing_addr {
    struct sockaddr_storage ss; /* AF_INET or AF_INET6, port in network order */
} ing_addr;

typedef struct ing_options {
    ing_addr listen;
    int has_control;
    ing_addr control;
    ing_behaviour behaviour;  /* initial mode and its parameters */
    size_t max_body;          /* bytes of one request body (413 above) */
    size_t max_decompressed;  /* memory one request's decoding may hold (413 above) */
    size_t max_buffered;      /* bytes of request bodies held at once (503 above) */
    unsigned max_connections; /* open data connections (503 above) */
    double idle_timeout_s;    /* idle keep-alive / slow request deadline */
    char *auth_token;         /* data endpoints' token (malloc'd), or NULL */
    char *control_token;      /* /mode's and /stats' token (malloc'd), or NULL */
    const char *store_dir;
    size_t store_max_apps, store_max_bytes, store_max_app_bytes;
    const char *files_dir;
    int has_cpus;
    cpu_set_t cpus;
    int quiet;
} ing_options;

/* The environment variables a token may come from (never only the command line, which
 * every user sees in ps). */
#define ING_ENV_AUTH_TOKEN    "AGENTBENCH_INGESTER_AUTH_TOKEN"
#define ING_ENV_CONTROL_TOKEN "AGENTBENCH_INGESTER_CONTROL_TOKEN"

/* Parse argv (and the token variables of the environment). Returns 0 to run, 1 when
 * --help or --version was printed (exit 0), 2 on a usage error (message already printed
 * on err). The value of --auth-token is overwritten in argv once copied. */
int ing_options_parse(int argc, char **argv, ing_options *o, FILE *out, FILE *err);
void ing_options_free(ing_options *o);

/* A token from the first line of a file (trailing spaces and line break dropped): 0 with
 * *token malloc'd, or -1 with why. A file other users may read is a warning in warn
 * (empty when none). */
int ing_read_token_file(const char *path, char **token, char *why, size_t whylen, char *warn,
                        size_t warnlen);

/* True when a is a loopback address (127.0.0.0/8, ::1). */
int ing_addr_is_loopback(const ing_addr *a);

/* "ADDR:PORT", "[V6]:PORT", ":PORT" or "PORT" (address 127.0.0.1); "localhost" allowed. */
int ing_parse_addr(const char *s, ing_addr *a);

/* Byte sizes: plain number or with K, M, G suffix (KiB, MiB, GiB; optional "iB"/"B"). */
int ing_parse_size(const char *s, size_t *out);

/* "0", "0,2", "1-3,5" → CPU set. */
int ing_parse_cpu_list(const char *s, cpu_set_t *set);

#endif
