/* access.c: the store allow-list (access.h). A record per client context, indexed by
 * pmcd's context id (small and reused: the table grows to the highest id seen and a
 * context's end clears its record), holding the uid and SASL user name pmcd sent. The
 * check resolves the uid's name when a store comes, so users created later count. */
#include "access.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CONTEXTS 65536

typedef struct creds {
    int has_uid;
    unsigned long uid;
    char *username; /* SASL's, or NULL */
} creds;

static creds *table;
static int ntable;
static const abc_config *config;

void pmda_access_init(const abc_config *cfg) {
    config = cfg;
}

static creds *record(int ctx) {
    if (ctx < 0 || ctx >= MAX_CONTEXTS) return NULL;
    if (ctx >= ntable) {
        int n = ntable ? ntable : 16;
        while (n <= ctx) n *= 2;
        creds *grown = realloc(table, n * sizeof(*grown));
        if (!grown) return NULL;
        memset(grown + ntable, 0, (n - ntable) * sizeof(*grown));
        table = grown;
        ntable = n;
    }
    return &table[ctx];
}

int pmda_access_attribute(int ctx, int attr, const char *value, int length, pmdaExt *pmda) {
    int sts = pmdaAttribute(ctx, attr, value, length, pmda);
    if (sts < 0) return sts;
    if (attr != PMDA_ATTR_USERID && attr != PMDA_ATTR_USERNAME) return 0;
    creds *c = record(ctx);
    if (!c) return -ENOMEM;
    /* pmcd sends strlen + 1 bytes; take no more than were sent in any case */
    char *text = strndup(value ? value : "", length > 0 ? (size_t)length : 0);
    if (!text) return -ENOMEM;
    if (attr == PMDA_ATTR_USERID) {
        char *end;
        unsigned long uid = strtoul(text, &end, 10);
        c->has_uid = end != text && *end == '\0';
        c->uid = uid;
        free(text);
    } else {
        free(c->username);
        c->username = text[0] ? text : NULL;
        if (!c->username) free(text);
    }
    if (pmDebugOptions.appl1)
        pmNotifyErr(LOG_DEBUG, "context %d: %s %.*s", ctx,
                    attr == PMDA_ATTR_USERID ? "uid" : "user", length, value ? value : "");
    return 0;
}

void pmda_access_end_context(int ctx) {
    if (ctx >= 0 && ctx < ntable) {
        free(table[ctx].username);
        memset(&table[ctx], 0, sizeof(table[ctx]));
    }
}

static int listed(const char *name) {
    for (size_t i = 0; name && i < config->nstore_users; i++)
        if (strcmp(config->store_users[i], name) == 0) return 1;
    return 0;
}

int pmda_access_check_store(int ctx, char *who, size_t wholen) {
    const creds *c = ctx >= 0 && ctx < ntable ? &table[ctx] : NULL;
    if (!c || (!c->has_uid && !c->username)) {
        snprintf(who, wholen,
                 "client context %d has no PCP credentials (not a local "
                 "socket, no SASL login)",
                 ctx);
        return PM_ERR_PERMISSION;
    }
    char uidtext[32] = "";
    const char *uidname = NULL;
    if (c->has_uid) {
        snprintf(uidtext, sizeof(uidtext), "%lu", c->uid);
        struct passwd pw, *found = NULL;
        char buf[1024];
        if (getpwuid_r((uid_t)c->uid, &pw, buf, sizeof(buf), &found) == 0 && found)
            uidname = found->pw_name;
        if (listed(uidname) || listed(uidtext)) return 0;
    }
    if (listed(c->username)) return 0;
    snprintf(who, wholen, "client context %d%s%s%s%s%s%s%s is not in store_users", ctx,
             c->username ? " user " : "", c->username ? c->username : "", c->has_uid ? " uid " : "",
             uidtext, uidname ? " (" : "", uidname ? uidname : "", uidname ? ")" : "");
    return PM_ERR_PERMISSION;
}
