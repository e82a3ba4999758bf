/* trie.c: Pyroscope's legacy binary formats for POST /ingest, both uvarint framed.
 *  trie: depth-first nodes {uvarint name_len, name, uvarint value, uvarint child_count};
 *        a node's key is its ancestors' names concatenated with its own (prefix
 *        compression of the folded text); every node with value > 0 is a stack. Several
 *        tries may follow one another until the end of the body.
 *  tree: the same node framing, but a node's name is one frame; the first node is the
 *        root (its name ignored) and a stack is the path of names below it, joined
 *        by ';'. Only the node counts; every node with self value > 0 is a stack.
 * The walk is linear in the body: a node costs its own name, never its key's (the key's
 * frames are counted as names are appended and kept per level), and a key longer than
 * max_stack_bytes is refused (422), so a long name above a million children costs what
 * it weighs. Handing stacks to the sink costs their text, within the request's stack
 * text budget (ing_emit). */
#include "decode_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct reader {
    const uint8_t *p, *end;
} reader;

static int read_uvarint(reader *r, uint64_t *v) {
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end) return -1;
        uint8_t b = *r->p++;
        if (shift == 63 && b > 1) return -1;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

typedef struct level {
    uint64_t children_left;
    size_t key_len_before; /* key length before this node's name was appended */
    size_t semis_before;   /* ';' in the key before it */
} level;

typedef struct walk {
    const ing_target *t;
    bool emit, tree;
    ing_counts *c;
    ing_error *err;
    ing_buf key;
    size_t semis; /* ';' in the key */
    level *levels;
    size_t depth, cap;
} walk;

static int push_level(walk *w, uint64_t children, size_t before, size_t semis_before) {
    if (w->depth == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        level *l = ing_budget_realloc(w->t->budget, w->levels, w->cap * sizeof(*l),
                                      cap * sizeof(*l));
        if (l == NULL) return ing_budget_fail(w->t->budget, w->err, w->tree ? "tree" : "trie");
        w->levels = l;
        w->cap = cap;
    }
    w->levels[w->depth++] = (level){children, before, semis_before};
    return 0;
}

static size_t count_semis(const uint8_t *s, size_t n) {
    size_t k = 0;
    for (const uint8_t *p = s, *end = s + n; (p = memchr(p, ';', (size_t)(end - p))) != NULL; p++)
        k++;
    return k;
}

static int stack_found(walk *w, const char *fmt_name, uint64_t value) {
    const char *s = w->key.data;
    size_t n = w->key.len;
    if (w->tree) {
        /* The key is ";frame;frame..." below the root: drop the leading ';'. */
        if (n == 0) return 0;
        s++;
        n--;
    }
    if (n == 0 || value == 0) return 0;
    if (w->emit) {
        ing_emit(w->t, s, n, value);
        return 0;
    }
    /* a tree's key starts with the ';' before its first frame */
    size_t frames = w->tree ? w->semis : w->semis + 1;
    const ing_limits *lim = w->t->lim;
    if (lim && lim->max_frames && frames > lim->max_frames)
        return ing_fail(w->err, 422, "%s: stack of %zu frames is over the limit of %zu", fmt_name,
                        frames, lim->max_frames);
    w->c->samples++;
    w->c->value = ing_add_sat(w->c->value, value);
    w->c->frames = ing_add_sat(w->c->frames, frames);
    return 0;
}

static int walk_nodes(walk *w, const uint8_t *body, size_t len) {
    const char *fmt_name = w->tree ? "tree" : "trie";
    reader r = {body, body + len};
    bool root_seen = false;
    w->key.len = 0;
    w->semis = 0;
    w->depth = 0;
    while (r.p < r.end) {
        uint64_t name_len, value, children;
        if (read_uvarint(&r, &name_len) < 0)
            return ing_fail(w->err, 422, "%s: bad name length", fmt_name);
        if (name_len > (uint64_t)(r.end - r.p))
            return ing_fail(w->err, 422, "%s: name runs past the end of the body", fmt_name);
        const uint8_t *name = r.p;
        r.p += name_len;
        if (read_uvarint(&r, &value) < 0 || read_uvarint(&r, &children) < 0)
            return ing_fail(w->err, 422, "%s: truncated node", fmt_name);

        size_t before = w->key.len, semis_before = w->semis;
        size_t max_key = w->t->lim && w->t->lim->max_stack_bytes ? w->t->lim->max_stack_bytes
                                                                 : SIZE_MAX;
        if (name_len + (w->tree ? 1 : 0) > max_key - before)
            return ing_fail(w->err, 422, "%s: a key longer than the limit of %zu bytes", fmt_name,
                            max_key);
        if (w->tree) {
            if (!root_seen) {
                /* The root: its name is not a frame, and a tree has one root. */
                if (w->depth != 0 || before != 0)
                    return ing_fail(w->err, 422, "tree: more than one root");
                root_seen = true;
                if (children == 0)
                    return r.p == r.end ? 0 : ing_fail(w->err, 422, "tree: data after the root");
                if (push_level(w, children, 0, 0) < 0) return -1;
                continue;
            }
            if (ing_buf_append(&w->key, ";", 1) < 0)
                return ing_budget_fail(w->t->budget, w->err, fmt_name);
            w->semis++;
        }
        if (ing_buf_append(&w->key, name, (size_t)name_len) < 0)
            return ing_budget_fail(w->t->budget, w->err, fmt_name);
        if (!w->emit) w->semis += count_semis(name, (size_t)name_len);
        if (stack_found(w, fmt_name, value) < 0) return -1;
        if (children) {
            if (push_level(w, children, before, semis_before) < 0) return -1;
            continue;
        }
        /* A leaf: cut its name, then close every ancestor that has no children left. */
        w->key.len = before;
        w->semis = semis_before;
        while (w->depth > 0) {
            level *top = &w->levels[w->depth - 1];
            if (--top->children_left > 0) break;
            w->key.len = top->key_len_before;
            w->semis = top->semis_before;
            w->depth--;
        }
        if (w->tree && w->depth == 0)
            return r.p == r.end ? 0 : ing_fail(w->err, 422, "tree: data after the root");
    }
    if (w->tree && w->depth > 0)
        return ing_fail(w->err, 422, "tree: truncated (%zu levels still open)", w->depth);
    return 0;
}

static int decode_nodes(const ing_target *t, const uint8_t *body, size_t len, bool tree,
                        ing_counts *c, ing_error *err) {
    ing_counts mine = {0};
    walk w = {.t = t, .tree = tree, .c = &mine, .err = err, .key = {.budget = t->budget}};
    t->budget->decoded += len;
    int rc = walk_nodes(&w, body, len);
    if (rc == 0 && ing_wants_stacks(t)) {
        w.emit = true;
        walk_nodes(&w, body, len);
    }
    ing_buf_free(&w.key);
    ing_budget_free(t->budget, w.levels, w.cap * sizeof(*w.levels));
    if (rc < 0) return -1;
    ing_counts_add(c, &mine);
    return 0;
}

int ing_decode_trie(const ing_target *t, const uint8_t *body, size_t len, ing_counts *c,
                    ing_error *err) {
    return decode_nodes(t, body, len, false, c, err);
}

int ing_decode_tree(const ing_target *t, const uint8_t *body, size_t len, ing_counts *c,
                    ing_error *err) {
    return decode_nodes(t, body, len, true, c, err);
}
