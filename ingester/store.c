/* store.c: per-application aggregation of folded stacks within the store's bounds, and
 * their atomic rewrite. */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct store_app {
    ab_strmap stacks; /* folded stack -> summed value (val.u) */
    size_t bytes;     /* its stacks' text and overhead */
    int dirty;
    int unnamed; /* its file name would be too long: nothing is kept */
} store_app;

static void store_load(ing_store *s);

static const ing_store_limits default_limits = {
    .max_apps = 256,
    .max_bytes = (size_t)256 << 20,
    .max_app_bytes = (size_t)32 << 20,
    .max_stacks = 1000000,
};

/* One file of an earlier ingester's: each "STACK COUNT" line added back. */
static void load_file(ing_store *s, const char *app, FILE *f) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] == '\n') line[--len] = '\0';
        char *space = strrchr(line, ' '), *end;
        errno = 0;
        unsigned long long count = space ? strtoull(space + 1, &end, 10) : 0;
        if (!space || space == line || space[1] < '0' || space[1] > '9' || *end || errno ||
            count == 0) {
            s->loaded.bad_lines++;
            continue;
        }
        if (ing_store_add(s, app, line, (size_t)(space - line), count) < 0) s->loaded.cut++;
    }
    free(line);
}

/* Reads back DIR's NAME.folded files, in name order (so that which ones fit the bounds
 * does not depend on the file system); the applications come back clean (their files
 * already say what they hold). */
static void store_load(ing_store *s) {
    struct dirent **names;
    int n = scandir(s->dir, &names, NULL, alphasort);
    if (n < 0) return;
    char app[AB_STORE_MAX_FILE_NAME + 1], path[4096];
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        size_t len = strlen(name);
        FILE *f = NULL;
        if (name[0] == '.' || len <= 7 || strcmp(name + len - 7, ".folded") != 0) {
            /* not a stack file: ., .., a flush's .NAME.tmp */
        } else if (ab_store_app_name(name, app, sizeof app) < 0 ||
                   snprintf(path, sizeof path, "%s/%s", s->dir, name) >= (int)sizeof path ||
                   !(f = fopen(path, "r"))) {
            s->loaded.unreadable++;
        } else {
            s->loaded.files++;
            load_file(s, app, f);
            fclose(f);
        }
        free(names[i]);
    }
    free(names);
    s->loaded.apps = s->apps.len;
    s->loaded.stacks = s->stacks;
    ab_strmap_foreach(&s->apps, e) {
        store_app *a = e->val.p;
        if (a) a->dirty = 0;
    }
    s->dirty = 0;
}

int ing_store_init(ing_store *s, const char *dir, const ing_store_limits *lim, char *err,
                   size_t errlen) {
    memset(s, 0, sizeof *s);
    s->lim = lim ? *lim : default_limits;
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    struct stat st;
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s is not a directory", dir);
        return -1;
    }
    s->dir = strdup(dir);
    if (!s->dir) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    store_load(s);
    return 0;
}

void ing_store_free(ing_store *s) {
    ab_strmap_foreach(&s->apps, e) {
        store_app *a = e->val.p;
        if (a) ab_strmap_free(&a->stacks);
        free(a);
    }
    ab_strmap_free(&s->apps);
    free(s->dir);
    s->dir = NULL;
}

/* The application's entry, created within max_apps; NULL when there is no room. */
static store_app *store_app_of(ing_store *s, const char *app) {
    size_t n = strlen(app);
    ab_strmap_entry *e = ab_strmap_find(&s->apps, app, n);
    if (e) return e->val.p;
    if (s->apps.len >= s->lim.max_apps) return NULL;
    store_app *a = calloc(1, sizeof(store_app));
    if (!a || !(e = ab_strmap_upsert(&s->apps, app, n, NULL))) {
        free(a);
        return NULL;
    }
    char name[AB_STORE_MAX_FILE_NAME + 1];
    a->unnamed = ab_store_file_name(app, name, sizeof name) < 0;
    e->val.p = a;
    return a;
}

int ing_store_add(ing_store *s, const char *app, const char *folded, size_t len, uint64_t value) {
    if (!s->dir || len == 0 || value == 0) return 0;
    store_app *a = store_app_of(s, app);
    if (!a || a->unnamed) return -1;
    ab_strmap_entry *st = ab_strmap_find(&a->stacks, folded, len);
    if (!st) {
        size_t cost = len + STORE_STACK_OVERHEAD;
        if (a->stacks.len >= s->lim.max_stacks || cost > s->lim.max_app_bytes - a->bytes ||
            cost > s->lim.max_bytes - s->bytes)
            return -1;
        if (!(st = ab_strmap_upsert(&a->stacks, folded, len, NULL))) return -1;
        a->bytes += cost;
        s->bytes += cost;
        s->stacks++;
    }
    st->val.u += value;
    a->dirty = 1;
    s->dirty = 1;
    return 0;
}

static int cmp_entries(const void *a, const void *b) {
    const ab_strmap_entry *x = *(ab_strmap_entry *const *)a, *y = *(ab_strmap_entry *const *)b;
    return strcmp(x->key, y->key);
}

static int write_app(const ing_store *s, const char *app, store_app *a) {
    char name[AB_STORE_MAX_FILE_NAME + 1], path[4096], tmp[4200];
    if (ab_store_file_name(app, name, sizeof name) < 0) return 0; /* never kept anything */
    snprintf(path, sizeof path, "%s/%s", s->dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", s->dir, name);
    ab_strmap_entry **v = malloc((a->stacks.len ? a->stacks.len : 1) * sizeof *v);
    if (!v) return -1;
    size_t n = 0;
    ab_strmap_foreach(&a->stacks, e) v[n++] = e;
    qsort(v, n, sizeof *v, cmp_entries);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        free(v);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s %llu\n", v[i]->key, (unsigned long long)v[i]->val.u);
    free(v);
    int rc = fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -1;
    if (fclose(f) != 0) rc = -1;
    if (rc == 0 && rename(tmp, path) < 0) rc = -1;
    if (rc < 0) unlink(tmp);
    return rc;
}

int ing_store_flush(ing_store *s) {
    if (!s->dir || !s->dirty) return 0;
    int rc = 0;
    ab_strmap_foreach(&s->apps, e) {
        store_app *a = e->val.p;
        if (!a || !a->dirty) continue;
        if (write_app(s, e->key, a) < 0) rc = -1;
        else a->dirty = 0;
    }
    if (rc == 0) s->dirty = 0;
    return rc;
}
