/* flamegraph/svg_tree.c: the frame tree behind a flame graph, built from folded stacks;
 * children are merged by name and sorted alphabetically, as flame graphs order them. */
#include <stdlib.h>
#include <string.h>
#include "svg.h"

static fg_node *node_new(const char *name, size_t len) {
    fg_node *n = calloc(1, sizeof *n);
    if (!n) return NULL;
    if (!(n->name = strndup(name, len))) {
        free(n);
        return NULL;
    }
    return n;
}

void rn_fg_tree_free(fg_node *root) {
    if (!root) return;
    for (size_t i = 0; i < root->nkids; i++) rn_fg_tree_free(root->kids[i]);
    free(root->kids);
    free(root->name);
    free(root);
}

static fg_node *find_kid(fg_node *p, const char *name, size_t len) {
    for (size_t i = p->nkids; i-- > 0;) { /* newest first: sorted input hits at once */
        fg_node *k = p->kids[i];
        if (strlen(k->name) == len && !memcmp(k->name, name, len)) return k;
    }
    return NULL;
}

static fg_node *add_kid(fg_node *p, const char *name, size_t len) {
    if (p->nkids == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4;
        fg_node **k = realloc(p->kids, cap * sizeof *k);
        if (!k) return NULL;
        p->kids = k;
        p->cap = cap;
    }
    fg_node *k = node_new(name, len);
    if (k) p->kids[p->nkids++] = k;
    return k;
}

/* Walk stack's frames from root; create missing nodes when create, else stop. */
static int add_path(fg_node *root, const char *stack, unsigned long long count, int other) {
    fg_node *n = root;
    if (other) n->other += count;
    else n->value += count;
    for (const char *p = stack; *p;) {
        const char *e = strchr(p, ';');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        fg_node *k = find_kid(n, p, len);
        if (!k) {
            if (other) return 0;
            if (!(k = add_kid(n, p, len))) return -1;
        }
        if (other) k->other += count;
        else k->value += count;
        n = k;
        p += len;
        if (*p == ';') p++;
    }
    return 0;
}

static int cmp_node(const void *a, const void *b) {
    return strcmp((*(fg_node *const *)a)->name, (*(fg_node *const *)b)->name);
}

static void sort_tree(fg_node *n) {
    if (n->nkids > 1) qsort(n->kids, n->nkids, sizeof *n->kids, cmp_node);
    for (size_t i = 0; i < n->nkids; i++) sort_tree(n->kids[i]);
}

fg_node *rn_fg_tree_build(fg_stacks *s) {
    fg_node *root = node_new("all", 3);
    if (!root) return NULL;
    size_t n;
    const fg_stack_entry *e = rn_fg_stacks_sorted(s, &n);
    for (size_t i = 0; i < n; i++)
        if (add_path(root, e[i].stack, e[i].count, 0) < 0) {
            rn_fg_tree_free(root);
            return NULL;
        }
    sort_tree(root);
    return root;
}

int rn_fg_tree_add_other(fg_node *root, fg_stacks *other) {
    size_t n;
    const fg_stack_entry *e = rn_fg_stacks_sorted(other, &n);
    for (size_t i = 0; i < n; i++)
        if (add_path(root, e[i].stack, e[i].count, 1) < 0) return -1;
    return 0;
}

static size_t count_rec(const fg_node *n, size_t depth, size_t *max_depth) {
    if (depth > *max_depth) *max_depth = depth;
    size_t c = 1;
    for (size_t i = 0; i < n->nkids; i++) c += count_rec(n->kids[i], depth + 1, max_depth);
    return c;
}

size_t rn_fg_tree_count(const fg_node *root, size_t *max_depth) {
    size_t d = 0;
    size_t c = count_rec(root, 0, &d);
    if (max_depth) *max_depth = d;
    return c;
}
