/* config.h: pmdaagentbench's configuration ($PCP_SYSCONF_DIR/agentbench/agentbench.conf,
 * `key = value` lines, '#' comments): where results live, which ingesters to poll, where
 * flame graphs go and how a browser reaches them, which `agentbench` runs captures, and
 * how many stacks each published flame graph keeps, and who may start a capture. */
#ifndef PMDA_AB_CONFIG_H
#define PMDA_AB_CONFIG_H

#include <stddef.h>

#define ABC_MAX_INGESTERS       64
#define ABC_DEFAULT_STACKS      100 /* stacks_max: instances per flame graph, "other" aside */
#define ABC_MAX_STACKS          10000
#define ABC_MAX_STORE_USERS     64
#define ABC_DEFAULT_STORE_USERS "root"

typedef struct abc_ingester {
    char *name;
    char *control; /* control base URL, e.g. http://127.0.0.1:4041 (no trailing /) */
    char *token;   /* its control token (from token_file=PATH), or NULL */
} abc_ingester;

typedef struct abc_config {
    char *results;        /* results directory whose `latest` suite is published */
    char *flamegraph_dir; /* where captures are written */
    char *flamegraph_url; /* base URL under which flamegraph_dir is served, or NULL */
    char *agentbench;     /* the agentbench program to run for captures, or NULL */
    int stacks_max;       /* stacks published per flame graph (the rest: "other") */
    size_t nstore_users;  /* store_users: who may pmstore (names or numeric uids) */
    char *store_users[ABC_MAX_STORE_USERS];
    size_t ningesters;
    abc_ingester ingesters[ABC_MAX_INGESTERS];
} abc_config;

/* Set the built-in defaults. */
void pmda_config_defaults(abc_config *c);

/* Read path into c (keys override the defaults). A missing file is not an error when
 * `optional` is set. Returns 0, or -1 with a message in err (file:line: why). Unknown
 * keys and malformed lines are errors, so typos are noticed. */
int pmda_config_load(abc_config *c, const char *path, int optional, char *err, size_t errlen);

void pmda_config_free(abc_config *c);

#endif
