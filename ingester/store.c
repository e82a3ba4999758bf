/* store.c: per-application, per-profile-type aggregation of folded stacks within the
 * store's bounds, and their atomic rewrite. */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One profile type of an application: one file. */
typedef struct store_series {
    ab_strmap stacks; /* folded stack -> summed value (val.u) */
    int dirty;
    int unnamed; /* its file name would be too long: nothing is kept */
} store_series;

typedef struct store_app {
    ab_strmap types; /* profile type -> store_series* */
    size_t bytes;    /* its stacks' text and overhead, every type's */
    size_t stacks;   /* its distinct stacks, every type's */
} store_app;

static void store_load(ing_store *s);

static const ing_store_limits default_limits = {
    .max_apps = 256,
    .max_bytes = (size_t)256 << 20,
    .max_app_bytes = (size_t)32 << 20,
    .max_stacks = 1000000,
};

/* One file of an earlier ingester's: each "STACK COUNT" line added back. */
static void load_file(ing_store *s, const char *app, const char *type, FILE *f) {
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
        if (ing_store_add(s, app, type, line, (size_t)(space - line), count) < 0) s->loaded.cut++;
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
    char app[AB_STORE_MAX_FILE_NAME + 1], type[AB_STORE_MAX_FILE_NAME + 1], path[4096];
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        size_t len = strlen(name);
        FILE *f = NULL;
        if (name[0] == '.' || len <= 7 || strcmp(name + len - 7, ".folded") != 0) {
            /* not a stack file: ., .., a flush's .NAME.tmp */
        } else if (ab_store_app_name(name, app, sizeof app, type, sizeof type) < 0 ||
                   snprintf(path, sizeof path, "%s/%s", s->dir, name) >= (int)sizeof path ||
                   !(f = fopen(path, "r"))) {
            s->loaded.unreadable++;
        } else {
            s->loaded.files++;
            if (!type[0]) s->loaded.untyped++;
            load_file(s, app, type, f);
            fclose(f);
        }
        free(names[i]);
    }
    free(names);
    s->loaded.apps = s->apps.len;
    s->loaded.stacks = s->stacks;
    ab_strmap_foreach(&s->apps, e) {
        store_app *a = e->val.p;
        if (!a) continue;
        ab_strmap_foreach(&a->types, t) {
            store_series *ser = t->val.p;
            if (ser) ser->dirty = 0;
        }
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
        if (!a) continue;
        ab_strmap_foreach(&a->types, t) {
            store_series *ser = t->val.p;
            if (ser) ab_strmap_free(&ser->stacks);
            free(ser);
        }
        ab_strmap_free(&a->types);
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
    e->val.p = a;
    return a;
}

/* The application's type's entry, created within ING_STORE_MAX_TYPES; NULL when there is
 * no room. */
static store_series *store_series_of(store_app *a, const char *app, const char *type) {
    size_t n = strlen(type);
    ab_strmap_entry *e = ab_strmap_find(&a->types, type, n);
    if (e) return e->val.p;
    if (a->types.len >= ING_STORE_MAX_TYPES) return NULL;
    store_series *ser = calloc(1, sizeof(store_series));
    if (!ser || !(e = ab_strmap_upsert(&a->types, type, n, NULL))) {
        free(ser);
        return NULL;
    }
    char name[AB_STORE_MAX_FILE_NAME + 1];
    ser->unnamed = ab_store_file_name(app, type, name, sizeof name) < 0;
    e->val.p = ser;
    return ser;
}

int ing_store_add(ing_store *s, const char *app, const char *type, const char *folded, size_t len,
                  uint64_t value) {
    if (!s->dir || len == 0 || value == 0) return 0;
    store_app *a = store_app_of(s, app);
    store_series *ser = a ? store_series_of(a, app, type ? type : "") : NULL;
    if (!ser || ser->unnamed) return -1;
    ab_strmap_entry *st = ab_strmap_find(&ser->stacks, folded, len);
    if (!st) {
        size_t cost = len + STORE_STACK_OVERHEAD;
        if (a->stacks >= s->lim.max_stacks || cost > s->lim.max_app_bytes - a->bytes ||
            cost > s->lim.max_bytes - s->bytes)
            return -1;
        if (!(st = ab_strmap_upsert(&ser->stacks, folded, len, NULL))) return -1;
        a->bytes += cost;
        a->stacks++;
        s->bytes += cost;
        s->stacks++;
    }
    st->val.u += value;
    ser->dirty = 1;
    s->dirty = 1;
    return 0;
}

static int cmp_entries(const void *a, const void *b) {
    const ab_strmap_entry *x = *(ab_strmap_entry *const *)a, *y = *(ab_strmap_entry *const *)b;
    return strcmp(x->key, y->key);
}

static int write_series(const ing_store *s, const char *app, const char *type, store_series *a) {
    char name[AB_STORE_MAX_FILE_NAME + 1], path[4096], tmp[4200];
    if (ab_store_file_name(app, type, name, sizeof name) < 0) return 0; /* never kept anything */
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
        if (!a) continue;
        ab_strmap_foreach(&a->types, t) {
            store_series *ser = t->val.p;
            if (!ser || !ser->dirty) continue;
            if (write_series(s, e->key, t->key, ser) < 0) rc = -1;
            else ser->dirty = 0;
        }
    }
    if (rc == 0) s->dirty = 0;
    return rc;
}
