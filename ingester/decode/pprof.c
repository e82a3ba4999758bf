/* pprof.c: decoding of pprof profiles (perftools.profiles.Profile, see proto/profile.proto)
 * with protobuf-c, raw or gzipped (detected by the gzip magic bytes). Every reference is
 * checked before use (sample → location → line → function → string table), so a corrupt
 * profile is refused with 422 and never read out of bounds. Counts: one Sample message
 * is one sample; its value is the first sample type's (negative values add nothing); its
 * frames are its locations expanded into their lines (inlined functions count each; a
 * location without lines counts 1). Stacks go to the sink root first, as folded text of
 * function names, with the first sample type's value; that sample type's name is the
 * profile's type (decode.h), written into the target's type.
 *
 * Work and memory are linear in the profile: every string's length is taken once, each
 * location's folded text length is known from its functions' before any sample is read,
 * so a sample's stack length (max_stack_bytes, 422 above) costs its depth, and a
 * location's text is built once, the first time a stack uses it. The inflated profile,
 * protobuf-c's tree and every table are held against the request's budget (413 past it). */
#include "decode_internal.h"
#include "pprof_arena.h"
#include "proto/profile.pb-c.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Function Function;
typedef Perftools__Profiles__Sample Sample;

/* id → index lookup: a dense table when ids are small (the usual 1..N), else a sorted
 * array searched by bisection. */
typedef struct id_pair {
    uint64_t id;
    uint32_t index;
} id_pair;

typedef struct id_index {
    int32_t *dense; /* dense[id] = index or -1 */
    size_t dense_len;
    id_pair *sorted;
    size_t n;
} id_index;

static int cmp_pair(const void *a, const void *b) {
    const id_pair *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int index_build(id_index *ix, size_t n, uint64_t (*id_of)(void *const *items, size_t i),
                       void *const *items, ing_budget *budget) {
    memset(ix, 0, sizeof(*ix));
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t id = id_of(items, i);
        if (id > max) max = id;
    }
    if (max <= (uint64_t)n * 4 + 1024) {
        ix->dense_len = (size_t)max + 1;
        ix->dense = ing_budget_alloc(budget, ix->dense_len * sizeof(int32_t));
        if (ix->dense == NULL) return -1;
        memset(ix->dense, 0xff, ix->dense_len * sizeof(int32_t));
        for (size_t i = 0; i < n; i++) ix->dense[id_of(items, i)] = (int32_t)i;
        return 0;
    }
    ix->sorted = ing_budget_alloc(budget, (n ? n : 1) * sizeof(id_pair));
    if (ix->sorted == NULL) return -1;
    for (size_t i = 0; i < n; i++) ix->sorted[i] = (id_pair){id_of(items, i), (uint32_t)i};
    qsort(ix->sorted, n, sizeof(id_pair), cmp_pair);
    ix->n = n;
    return 0;
}

/* Index of the item with this id, or -1. Id 0 is never valid. */
static inline int64_t index_find(const id_index *ix, uint64_t id) {
    if (id == 0) return -1;
    if (ix->dense) return id < ix->dense_len ? ix->dense[id] : -1;
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->sorted[mid].id < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < ix->n && ix->sorted[lo].id == id ? (int64_t)ix->sorted[lo].index : -1;
}

static void index_free(id_index *ix, ing_budget *budget) {
    ing_budget_free(budget, ix->dense, ix->dense_len * sizeof(int32_t));
    ing_budget_free(budget, ix->sorted, (ix->n ? ix->n : 1) * sizeof(id_pair));
}

static uint64_t location_id(void *const *items, size_t i) {
    return ((Location *const *)items)[i]->id;
}

static uint64_t function_id(void *const *items, size_t i) {
    return ((Function *const *)items)[i]->id;
}

typedef struct pprof_ctx {
    const Profile *p;
    id_index locs, funcs;
    uint32_t *loc_frames;   /* frames of each location (its lines, or 1) */
    size_t *loc_text;       /* bytes of each location's folded text */
    size_t max_loc_text;    /* the longest of them */
    int32_t *line_func;     /* function index of every line of every location, flat */
    size_t *loc_line_start; /* where each location's lines start in line_func */
    size_t total_lines;
    ing_budget *budget;
    ing_error *err;
} pprof_ctx;

/* Saturating size_t addition (stack text lengths). */
static inline size_t add_size(size_t a, size_t b) {
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static bool string_ok(const Profile *p, int64_t i) {
    return i == 0 || (i > 0 && (uint64_t)i < p->n_string_table);
}

static const char *string_at(const Profile *p, int64_t i) {
    return i > 0 && (uint64_t)i < p->n_string_table ? p->string_table[i] : "";
}

/* Validate everything samples may refer to and build the lookups. */
static int pprof_prepare(pprof_ctx *x) {
    const Profile *p = x->p;
    if (p->n_string_table > 0 && p->string_table[0][0] != '\0')
        return ing_fail(x->err, 422, "pprof: string_table[0] must be the empty string");
    for (size_t i = 0; i < p->n_sample_type; i++)
        if (!string_ok(p, p->sample_type[i]->type) || !string_ok(p, p->sample_type[i]->unit))
            return ing_fail(x->err, 422, "pprof: sample_type %zu: string index out of range", i);
    if (p->n_location > INT32_MAX || p->n_function > INT32_MAX)
        return ing_fail(x->err, 422, "pprof: too many locations or functions");
    for (size_t i = 0; i < p->n_function; i++) {
        const Function *f = p->function[i];
        if (f->id == 0) return ing_fail(x->err, 422, "pprof: function %zu has id 0", i);
        if (!string_ok(p, f->name) || !string_ok(p, f->system_name) || !string_ok(p, f->filename))
            return ing_fail(x->err, 422,
                            "pprof: function id %" PRIu64 ": string index out of range", f->id);
    }
    for (size_t i = 0; i < p->n_location; i++)
        if (p->location[i]->id == 0)
            return ing_fail(x->err, 422, "pprof: location %zu has id 0", i);
    ing_budget *b = x->budget;
    if (index_build(&x->funcs, p->n_function, function_id, (void *const *)p->function, b) < 0 ||
        index_build(&x->locs, p->n_location, location_id, (void *const *)p->location, b) < 0)
        return ing_budget_fail(b, x->err, "pprof");

    /* The folded text length of every function's frame, from every string's length
     * taken once (a name shared by many functions is not measured again). */
    size_t *str_len = ing_budget_alloc(b, (p->n_string_table + 1) * sizeof(size_t));
    size_t *func_text = ing_budget_alloc(b, (p->n_function + 1) * sizeof(size_t));
    int rc = 0;
    if (!str_len || !func_text) rc = ing_budget_fail(b, x->err, "pprof");
    for (size_t i = 0; rc == 0 && i < p->n_string_table; i++)
        str_len[i] = strlen(p->string_table[i]);
    for (size_t i = 0; rc == 0 && i < p->n_function; i++) {
        const Function *f = p->function[i];
        size_t n = f->name > 0 ? str_len[f->name] : 0;
        if (n == 0 && f->system_name > 0) n = str_len[f->system_name];
        func_text[i] = n ? n : sizeof("unknown") - 1;
    }

    size_t total_lines = 0;
    for (size_t i = 0; i < p->n_location; i++) total_lines += p->location[i]->n_line;
    x->total_lines = total_lines;
    if (rc == 0) {
        x->loc_frames = ing_budget_alloc(b, (p->n_location + 1) * sizeof(uint32_t));
        x->loc_text = ing_budget_alloc(b, (p->n_location + 1) * sizeof(size_t));
        x->loc_line_start = ing_budget_alloc(b, (p->n_location + 1) * sizeof(size_t));
        x->line_func = ing_budget_alloc(b, (total_lines + 1) * sizeof(int32_t));
        if (!x->loc_frames || !x->loc_text || !x->loc_line_start || !x->line_func)
            rc = ing_budget_fail(b, x->err, "pprof");
    }
    size_t at = 0;
    for (size_t i = 0; rc == 0 && i < p->n_location; i++) {
        const Location *l = p->location[i];
        x->loc_line_start[i] = at;
        x->loc_frames[i] = l->n_line ? (uint32_t)(l->n_line > UINT32_MAX ? UINT32_MAX : l->n_line)
                                     : 1;
        /* an unsymbolized location is its address, 0x and up to 16 hex digits */
        size_t text = l->n_line ? l->n_line - 1 : 18;
        for (size_t j = 0; j < l->n_line; j++) {
            uint64_t fid = l->line[j]->function_id;
            int64_t fi = -1;
            if (fid != 0 && (fi = index_find(&x->funcs, fid)) < 0) {
                rc = ing_fail(x->err, 422,
                              "pprof: location id %" PRIu64
                              " refers to missing function id %" PRIu64,
                              l->id, fid);
                break;
            }
            x->line_func[at++] = (int32_t)fi;
            text = add_size(text, fi < 0 ? sizeof("unknown") - 1 : func_text[fi]);
        }
        x->loc_text[i] = text;
        if (text > x->max_loc_text) x->max_loc_text = text;
    }
    ing_budget_free(b, str_len, (p->n_string_table + 1) * sizeof(size_t));
    ing_budget_free(b, func_text, (p->n_function + 1) * sizeof(size_t));
    return rc;
}

static void pprof_ctx_free(pprof_ctx *x) {
    ing_budget *b = x->budget;
    size_t n = x->p->n_location + 1;
    index_free(&x->locs, b);
    index_free(&x->funcs, b);
    ing_budget_free(b, x->loc_frames, n * sizeof(uint32_t));
    ing_budget_free(b, x->loc_text, n * sizeof(size_t));
    ing_budget_free(b, x->loc_line_start, n * sizeof(size_t));
    ing_budget_free(b, x->line_func, (x->total_lines + 1) * sizeof(int32_t));
}

/* Count every sample, checking its location references, its depth and its length. */
static int pprof_count(pprof_ctx *x, const ing_limits *lim, ing_counts *c) {
    const Profile *p = x->p;
    size_t max_frames = lim && lim->max_frames ? lim->max_frames : SIZE_MAX;
    size_t max_bytes = lim && lim->max_stack_bytes ? lim->max_stack_bytes : SIZE_MAX;
    for (size_t i = 0; i < p->n_sample; i++) {
        const Sample *s = p->sample[i];
        if (p->n_sample_type && s->n_value != p->n_sample_type)
            return ing_fail(x->err, 422, "pprof: sample %zu has %zu values for %zu sample types", i,
                            s->n_value, p->n_sample_type);
        uint64_t frames = 0;
        /* its text length matters only when its depth times the longest location's text
         * could pass the limit (for real profiles: never) */
        bool measure = s->n_location_id > max_bytes / (x->max_loc_text + 1);
        size_t bytes = s->n_location_id ? s->n_location_id - 1 : 0;
        for (size_t j = 0; j < s->n_location_id; j++) {
            int64_t li = index_find(&x->locs, s->location_id[j]);
            if (li < 0)
                return ing_fail(x->err, 422,
                                "pprof: sample %zu refers to missing location id %" PRIu64, i,
                                s->location_id[j]);
            frames += x->loc_frames[li];
            if (measure) bytes = add_size(bytes, x->loc_text[li]);
        }
        if (frames > max_frames)
            return ing_fail(x->err, 422,
                            "pprof: sample %zu has %" PRIu64 " frames, over the limit of %zu", i,
                            frames, max_frames);
        if (bytes > max_bytes)
            return ing_fail(x->err, 422,
                            "pprof: sample %zu's stack is %zu bytes of folded text, over "
                            "the limit of %zu",
                            i, bytes, max_bytes);
        c->samples++;
        c->frames = ing_add_sat(c->frames, frames);
        if (s->n_value && s->value[0] > 0) c->value = ing_add_sat(c->value, (uint64_t)s->value[0]);
    }
    return 0;
}

/* Append a frame name fit for folded text: no ';' (the separator), no line breaks. */
static int append_frame(ing_buf *b, const char *name) {
    size_t n = strlen(name);
    if (n == 0) {
        name = "unknown";
        n = 7;
    }
    if (ing_buf_reserve(b, n + 1) < 0) return -1;
    char *out = b->data + b->len;
    memcpy(out, name, n);
    for (char *c = out; (c = memchr(c, ';', (size_t)(out + n - c))) != NULL; c++) *c = ':';
    for (size_t i = 0; i < n; i++)
        if (out[i] == '\n' || out[i] == '\r') out[i] = ' ';
    b->len += n;
    return 0;
}

static const char *function_name(const Profile *p, int32_t fi) {
    if (fi < 0) return "";
    const Function *f = p->function[fi];
    const char *name = string_at(p, f->name);
    return *name ? name : string_at(p, f->system_name);
}

/* Location li's frames as folded text, root first (its lines reversed), appended to segs
 * the first time a stack uses it: seg_off/seg_len find it afterwards. -1 when the budget
 * has no room for it. */
static int build_segment(pprof_ctx *x, size_t li, ing_buf *segs, size_t *seg_off,
                         uint32_t *seg_len) {
    const Location *l = x->p->location[li];
    size_t start = segs->len;
    char addr[32];
    if (ing_buf_reserve(segs, x->loc_text[li]) < 0) return -1;
    if (l->n_line == 0) {
        snprintf(addr, sizeof(addr), "0x%" PRIx64, l->address);
        if (append_frame(segs, addr) < 0) return -1;
    }
    const int32_t *funcs = x->line_func + x->loc_line_start[li];
    for (size_t k = l->n_line; k-- > 0;) {
        if (segs->len > start && ing_buf_append(segs, ";", 1) < 0) return -1;
        if (append_frame(segs, function_name(x->p, funcs[k])) < 0) return -1;
    }
    seg_off[li] = start;
    seg_len[li] = (uint32_t)(segs->len - start);
    return 0;
}

#define SEG_UNBUILT UINT32_MAX

/* Hand every sample with a positive value to the sink as a root-first folded stack. A
 * stack the budget has no room to build is cut (and so are the rest). */
static void pprof_emit(pprof_ctx *x, const ing_target *t) {
    const Profile *p = x->p;
    ing_budget *budget = t->budget;
    ing_buf segs = {.budget = budget}, b = {.budget = budget};
    size_t n = p->n_location + 1;
    size_t *seg_off = ing_budget_alloc(budget, n * sizeof(size_t));
    uint32_t *seg_len = ing_budget_alloc(budget, n * sizeof(uint32_t));
    size_t i = 0;
    if (seg_off == NULL || seg_len == NULL) goto out;
    memset(seg_len, 0xff, n * sizeof(uint32_t));
    for (; i < p->n_sample; i++) {
        const Sample *s = p->sample[i];
        if (s->n_value == 0 || s->value[0] <= 0) continue;
        b.len = 0;
        for (size_t j = s->n_location_id; j-- > 0;) {
            size_t li = (size_t)index_find(&x->locs, s->location_id[j]);
            if (seg_len[li] == SEG_UNBUILT && build_segment(x, li, &segs, seg_off, seg_len) < 0)
                goto out;
            if (ing_buf_reserve(&b, seg_len[li] + 1) < 0) goto out;
            if (b.len) b.data[b.len++] = ';';
            memcpy(b.data + b.len, segs.data + seg_off[li], seg_len[li]);
            b.len += seg_len[li];
        }
        if (b.len) ing_emit(t, b.data, b.len, (uint64_t)s->value[0]);
    }
out:
    for (; i < p->n_sample; i++) /* those the budget had no room for */
        if (p->sample[i]->n_value && p->sample[i]->value[0] > 0 && p->sample[i]->n_location_id)
            budget->stacks_cut++;
    ing_buf_free(&b);
    ing_buf_free(&segs);
    ing_budget_free(budget, seg_off, n * sizeof(size_t));
    ing_budget_free(budget, seg_len, n * sizeof(uint32_t));
}

/* Decode one uncompressed profile. */
static int pprof_decode_raw(const ing_target *t, const uint8_t *data, size_t len, ing_counts *c,
                            ing_error *err) {
    if (len == 0) return ing_fail(err, 422, "pprof: empty profile");
    /* One arena per thread, reset after each profile: no page faults for the next. */
    static __thread ing_arena arena;
    static __thread bool arena_ready;
    if (!arena_ready) {
        ing_arena_init(&arena);
        arena_ready = true;
    }
    t->budget->decoded += len;
    ing_arena_set_budget(&arena, t->budget);
    Profile *p = perftools__profiles__profile__unpack(&arena.alloc, len, data);
    if (p == NULL) {
        ing_arena_reset(&arena);
        if (t->budget->refused) return ing_budget_fail(t->budget, err, "pprof");
        return ing_fail(err, 422, "pprof: not a valid protobuf Profile message");
    }
    pprof_ctx x = {.p = p, .budget = t->budget, .err = err};
    ing_counts mine = {0};
    int rc = pprof_prepare(&x);
    if (rc == 0 && t->type) {
        /* the profile's type: its first sample type's, the column counted and stored */
        const char *name = p->n_sample_type ? string_at(p, p->sample_type[0]->type) : "";
        ing_type_name(name, strlen(name), t->type);
    }
    if (rc == 0) rc = pprof_count(&x, t->lim, &mine);
    if (rc == 0 && ing_wants_stacks(t)) pprof_emit(&x, t);
    pprof_ctx_free(&x);
    ing_arena_reset(&arena);
    if (rc < 0) return -1;
    ing_counts_add(c, &mine);
    return 0;
}

int ing_decode_pprof(const ing_target *t, const uint8_t *body, size_t len, ing_counts *c,
                     ing_error *err) {
    if (!ing_is_gzip(body, len)) return pprof_decode_raw(t, body, len, c, err);
    /* The inflated profile goes to a per-thread buffer kept between requests (up to
     * 8 MiB); pprof_decode_raw does not come back here, so it is not in use twice. */
    static __thread ing_buf plain;
    int rc = ing_inflate(t, body, len, &plain, err);
    size_t held = rc == 0 ? plain.len : 0;
    if (rc == 0 && t->body_inflated) *t->body_inflated = plain.len;
    if (rc == 0) rc = pprof_decode_raw(t, (const uint8_t *)plain.data, plain.len, c, err);
    ing_budget_give(t->budget, held);
    if (plain.cap > 8u * 1024 * 1024) ing_buf_free(&plain);
    plain.len = 0;
    return rc;
}
