/* config.c: parse agentbench.conf (see config.h and pmdaagentbench(1)). */
#include "config.h"
#include "kv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_RESULTS        "/var/lib/agentbench/results"
#define DEFAULT_FLAMEGRAPH_DIR "/var/lib/agentbench/flamegraphs"

void pmda_config_defaults(abc_config *c) {
    memset(c, 0, sizeof(*c));
    c->results = strdup(DEFAULT_RESULTS);
    c->flamegraph_dir = strdup(DEFAULT_FLAMEGRAPH_DIR);
    c->stacks_max = ABC_DEFAULT_STACKS;
    c->store_users[c->nstore_users++] = strdup(ABC_DEFAULT_STORE_USERS);
}

void pmda_config_free(abc_config *c) {
    free(c->results);
    free(c->flamegraph_dir);
    free(c->flamegraph_url);
    free(c->agentbench);
    for (size_t i = 0; i < c->nstore_users; i++) free(c->store_users[i]);
    for (size_t i = 0; i < c->ningesters; i++) {
        free(c->ingesters[i].name);
        free(c->ingesters[i].control);
        free(c->ingesters[i].token);
    }
    memset(c, 0, sizeof(*c));
}

static void replace(char **slot, const char *value) {
    free(*slot);
    *slot = strdup(value);
}

/* Drop trailing slashes from a URL so "base + /stats" is well formed. */
static void strip_slashes(char *s) {
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '/') s[--n] = '\0';
}

static int valid_name(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || strchr("-_.:@", *s))) return 0;
    return 1;
}

/* The first line of path (an ingester's control token), trimmed: malloc'd, or NULL. */
static char *read_token(const char *path, char *why, size_t whylen) {
    char line[1100] = "";
    FILE *f = path[0] == '/' ? fopen(path, "r") : NULL;
    if (!f || !fgets(line, sizeof(line), f) || !*ab_trim(line) || strpbrk(ab_trim(line), " \t")) {
        snprintf(why, whylen, "token_file %s: %s", path,
                 path[0] != '/' ? "must be an absolute path"
                 : !f           ? strerror(errno)
                                : "no token on its first line");
        if (f) fclose(f);
        return NULL;
    }
    fclose(f);
    return strdup(ab_trim(line));
}

static int add_ingester(abc_config *c, char *value, char *why, size_t whylen) {
    char *name = value, *url = value, *opt;
    while (*url && !isspace((unsigned char)*url)) url++;
    if (*url) *url++ = '\0';
    url = ab_trim(url);
    if (!*url) {
        snprintf(why, whylen, "ingester needs `NAME URL [token_file=PATH]`");
        return -1;
    }
    for (opt = url; *opt && !isspace((unsigned char)*opt); opt++)
        ;
    if (*opt) *opt++ = '\0';
    opt = ab_trim(opt);
    char *token = NULL;
    if (*opt && strncmp(opt, "token_file=", 11) != 0) {
        snprintf(why, whylen, "ingester: unknown option '%s' (want token_file=PATH)", opt);
        return -1;
    }
    if (!valid_name(name)) {
        snprintf(why, whylen, "ingester name '%s' must be letters, digits or -_.:@", name);
        return -1;
    }
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        snprintf(why, whylen, "ingester URL '%s' must start with http:// or https://", url);
        return -1;
    }
    for (size_t i = 0; i < c->ningesters; i++)
        if (strcmp(c->ingesters[i].name, name) == 0) {
            snprintf(why, whylen, "ingester '%s' given twice", name);
            return -1;
        }
    if (c->ningesters == ABC_MAX_INGESTERS) {
        snprintf(why, whylen, "more than %d ingesters", ABC_MAX_INGESTERS);
        return -1;
    }
    if (*opt && !(token = read_token(opt + 11, why, whylen))) return -1;
    abc_ingester *ing = &c->ingesters[c->ningesters++];
    ing->name = strdup(name);
    ing->control = strdup(url);
    ing->token = token;
    strip_slashes(ing->control);
    return 0;
}

/* store_users = NAME ...: replaces the list (names of local or SASL users, or uids), "none"
 * alone for nobody. */
static int set_store_users(abc_config *c, char *value, char *why, size_t whylen) {
    char *names[ABC_MAX_STORE_USERS], *save = NULL;
    size_t n = 0;
    for (char *w = strtok_r(value, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
        if (n == ABC_MAX_STORE_USERS) {
            snprintf(why, whylen, "store_users: more than %d users", ABC_MAX_STORE_USERS);
            return -1;
        }
        if (!valid_name(w)) {
            snprintf(why, whylen, "store_users: '%s' must be letters, digits or -_.:@", w);
            return -1;
        }
        names[n++] = w;
    }
    if (n == 1 && strcmp(names[0], "none") == 0) n = 0;
    for (size_t i = 0; i < c->nstore_users; i++) free(c->store_users[i]);
    for (size_t i = 0; i < n; i++) c->store_users[i] = strdup(names[i]);
    c->nstore_users = n;
    return 0;
}

int pmda_config_load(abc_config *c, const char *path, int optional, char *err, size_t errlen) {
    FILE *f = fopen(path, "r");
    if (!f) {
        if (optional && errno == ENOENT) return 0;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[4096], why[256];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        char *key, *value;
        int kind = ab_kv_line(line, &key, &value);
        if (kind == AB_KV_BLANK) continue;
        if (kind == AB_KV_MALFORMED) {
            snprintf(err, errlen, "%s:%d: expected `key = value`", path, lineno);
            rc = -1;
            break;
        }
        why[0] = '\0';
        if (!*value) snprintf(why, sizeof(why), "%s has no value", key);
        else if (strcmp(key, "results") == 0) replace(&c->results, value);
        else if (strcmp(key, "flamegraph_dir") == 0) replace(&c->flamegraph_dir, value);
        else if (strcmp(key, "flamegraph_url") == 0) {
            replace(&c->flamegraph_url, value);
            strip_slashes(c->flamegraph_url);
        } else if (strcmp(key, "agentbench") == 0) replace(&c->agentbench, value);
        else if (strcmp(key, "ingester") == 0) add_ingester(c, value, why, sizeof(why));
        else if (strcmp(key, "store_users") == 0) set_store_users(c, value, why, sizeof(why));
        else if (strcmp(key, "stacks_max") == 0) {
            char *end;
            long n = strtol(value, &end, 10);
            if (*end || n < 1 || n > ABC_MAX_STACKS)
                snprintf(why, sizeof(why), "stacks_max wants 1..%d, not '%s'", ABC_MAX_STACKS,
                         value);
            else c->stacks_max = (int)n;
        } else snprintf(why, sizeof(why), "unknown key '%s'", key);
        if (why[0]) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
            rc = -1;
            break;
        }
    }
    fclose(f);
    return rc;
}
