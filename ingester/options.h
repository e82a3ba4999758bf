/* options.h: agentbench-ingester's command line (doc/internals.md, doc/agentbench-ingester.1). */
#ifndef ING_OPTIONS_H
#define ING_OPTIONS_H

#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

#include "behaviour.h"

typedef struct ing_addr {
    struct sockaddr_storage ss;   /* AF_INET or AF_INET6, port in network order */
} ing_addr;

typedef struct ing_options {
    ing_addr listen;
    int has_control;
    ing_addr control;
    ing_behaviour behaviour;      /* initial mode and its parameters */
    size_t max_body;              /* bytes of one request body (413 above) */
    size_t max_decompressed;      /* bytes one body may inflate to (413 above) */
    unsigned max_connections;     /* open data connections (503 above) */
    double idle_timeout_s;        /* idle keep-alive / slow request deadline */
    const char *auth_token;
    const char *store_dir;
    const char *files_dir;
    int has_cpus;
    cpu_set_t cpus;
    int quiet;
} ing_options;

/* Parse argv. Returns 0 to run, 1 when --help or --version was printed (exit 0), 2 on a
 * usage error (message already printed on err). */
int ing_options_parse(int argc, char **argv, ing_options *o, FILE *out, FILE *err);

/* "ADDR:PORT", "[V6]:PORT", ":PORT" or "PORT" (address 127.0.0.1); "localhost" allowed. */
int ing_parse_addr(const char *s, ing_addr *a);

/* "ADDR:PORT" text of an address. */
void ing_addr_format(const struct sockaddr *sa, char *buf, size_t len);

/* Byte sizes: plain number or with K, M, G suffix (KiB, MiB, GiB; optional "iB"/"B"). */
int ing_parse_size(const char *s, size_t *out);

/* "0", "0,2", "1-3,5" → CPU set. */
int ing_parse_cpu_list(const char *s, cpu_set_t *set);

#endif
