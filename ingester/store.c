/* store.c: per-application aggregation of folded stacks and their atomic rewrite. */
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct store_app {
    strmap stacks;          /* folded stack -> summed value (val.u) */
    int dirty;
} store_app;

int store_init(ing_store *s, const char *dir, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->max_stacks = 1000000;
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
    return s->dir ? 0 : -1;
}

void store_free(ing_store *s)
{
    strmap_foreach(&s->apps, e) {
        store_app *a = e->val.p;
        strmap_free(&a->stacks);
        free(a);
    }
    strmap_free(&s->apps);
    free(s->dir);
    s->dir = NULL;
}

void store_add(ing_store *s, const char *app, const char *folded, size_t len, uint64_t value)
{
    if (!s->dir || len == 0 || value == 0)
        return;
    int created;
    strmap_entry *e = strmap_upsert(&s->apps, app, strlen(app), &created);
    if (!e)
        return;
    if (created && !(e->val.p = calloc(1, sizeof(store_app))))
        return;
    store_app *a = e->val.p;
    if (!a)
        return;
    strmap_entry *st = strmap_find(&a->stacks, folded, len);
    if (!st) {
        if (a->stacks.len >= s->max_stacks) {
            s->dropped++;
            return;
        }
        if (!(st = strmap_upsert(&a->stacks, folded, len, NULL)))
            return;
    }
    st->val.u += value;
    a->dirty = 1;
    s->dirty = 1;
}

void store_file_name(const char *app, char *out, size_t outlen)
{
    size_t n = 0;
    for (const char *p = app; *p && n + 8 < outlen; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-' || (c == '.' && n > 0);
        out[n++] = ok ? c : '_';
    }
    if (n == 0)
        out[n++] = '_';
    snprintf(out + n, outlen - n, ".folded");
}

static int cmp_entries(const void *a, const void *b)
{
    const strmap_entry *x = *(strmap_entry *const *)a, *y = *(strmap_entry *const *)b;
    return strcmp(x->key, y->key);
}

static int write_app(const ing_store *s, const char *app, store_app *a)
{
    char name[300], path[4096], tmp[4200];
    store_file_name(app, name, sizeof name);
    snprintf(path, sizeof path, "%s/%s", s->dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", s->dir, name);
    strmap_entry **v = malloc((a->stacks.len ? a->stacks.len : 1) * sizeof *v);
    if (!v)
        return -1;
    size_t n = 0;
    strmap_foreach(&a->stacks, e)
        v[n++] = e;
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
    if (fclose(f) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) < 0)
        rc = -1;
    if (rc < 0)
        unlink(tmp);
    return rc;
}

int store_flush(ing_store *s)
{
    if (!s->dir || !s->dirty)
        return 0;
    int rc = 0;
    strmap_foreach(&s->apps, e) {
        store_app *a = e->val.p;
        if (!a || !a->dirty)
            continue;
        if (write_app(s, e->key, a) < 0)
            rc = -1;
        else
            a->dirty = 0;
    }
    if (rc == 0)
        s->dirty = 0;
    return rc;
}
