/* decode_testlib.h: helpers for the decoder unit tests (header only, static): TAP-style
 * checks, a sink that records what the decoders report, a pprof builder that encodes
 * real Profile messages with protobuf-c, gzip with zlib, and base64 for push JSON. */
#ifndef DECODE_TESTLIB_H
#define DECODE_TESTLIB_H

#include "decode.h"
#include "proto/profile.pb-c.h"
#include "../tap.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* ---- a sink that records everything ---- */
typedef struct rec {
    int profiles_called;
    char app[128], format[32];
    char types[256];       /* each profile callback's type, space-separated */
    char stack_types[256]; /* the stack callbacks' types, each once, in order */
    ing_counts sum;        /* counts summed over profile callbacks */
    char stacks[65536];    /* "app|stack value\n" per stack callback */
    size_t stacks_len;
    int stack_calls;
    size_t stack_bytes;  /* folded text handed over in all */
    int cut_from;        /* the sink refuses the stack_calls'th stack on (0: none) */
    ing_decoded decoded; /* the decoder's result (ingest wrappers pass it) */
} rec;

/* Appends word and a space to list (size bytes), unless once and it is there already. */
static void rec_word(char *list, size_t size, const char *word, bool once) {
    char key[80], padded[300];
    snprintf(key, sizeof(key), " %s ", word);
    snprintf(padded, sizeof(padded), " %s", list);
    size_t n = strlen(list);
    if (!once || !strstr(padded, key)) snprintf(list + n, size - n, "%s ", word);
}

static void rec_profile(void *arg, const char *app, const char *format, const char *type,
                        const ing_counts *c) {
    rec *r = arg;
    r->profiles_called++;
    rec_word(r->types, sizeof(r->types), type, false);
    snprintf(r->app, sizeof(r->app), "%s", app);
    snprintf(r->format, sizeof(r->format), "%s", format);
    r->sum.profiles += c->profiles;
    r->sum.samples += c->samples;
    r->sum.value += c->value;
    r->sum.frames += c->frames;
}

static int rec_stack(void *arg, const char *app, const char *type, const char *folded, size_t len,
                     uint64_t value) {
    rec *r = arg;
    r->stack_calls++;
    rec_word(r->stack_types, sizeof(r->stack_types), type, true);
    r->stack_bytes += len;
    int n = snprintf(r->stacks + r->stacks_len, sizeof(r->stacks) - r->stacks_len,
                     "%s|%.*s %" PRIu64 "\n", app, (int)len, folded, value);
    if (n > 0 && (size_t)n < sizeof(r->stacks) - r->stacks_len) r->stacks_len += (size_t)n;
    return r->cut_from && r->stack_calls >= r->cut_from ? ING_STACK_CUT : ING_STACK_KEPT;
}

static __attribute__((unused)) ing_sink rec_sink(rec *r) {
    memset(r, 0, sizeof(*r));
    return (ing_sink){.arg = r, .profile = rec_profile, .stack = rec_stack};
}

static const ing_limits t_limits = {.max_decompressed = 8 << 20, .max_frames = 1024};

/* ---- pprof builder ---- */
typedef Perftools__Profiles__Profile PbProfile;

typedef struct tp {
    PbProfile p;
} tp;

#define TP_GROW(arr, n) ((arr) = realloc((arr), ((n) + 1) * sizeof(*(arr))))

static __attribute__((unused)) void tp_init(tp *t) {
    perftools__profiles__profile__init(&t->p);
    TP_GROW(t->p.string_table, t->p.n_string_table);
    t->p.string_table[t->p.n_string_table++] = strdup("");
}

static __attribute__((unused)) int64_t tp_str(tp *t, const char *s) {
    for (size_t i = 0; i < t->p.n_string_table; i++)
        if (strcmp(t->p.string_table[i], s) == 0) return (int64_t)i;
    TP_GROW(t->p.string_table, t->p.n_string_table);
    t->p.string_table[t->p.n_string_table] = strdup(s);
    return (int64_t)t->p.n_string_table++;
}

static __attribute__((unused)) void tp_sample_type(tp *t, const char *type, const char *unit) {
    Perftools__Profiles__ValueType *v = malloc(sizeof(*v));
    perftools__profiles__value_type__init(v);
    v->type = tp_str(t, type);
    v->unit = tp_str(t, unit);
    TP_GROW(t->p.sample_type, t->p.n_sample_type);
    t->p.sample_type[t->p.n_sample_type++] = v;
}

/* A function whose name is at string index name_idx (use tp_str). */
static __attribute__((unused)) void tp_function(tp *t, uint64_t id, int64_t name_idx) {
    Perftools__Profiles__Function *f = malloc(sizeof(*f));
    perftools__profiles__function__init(f);
    f->id = id;
    f->name = name_idx;
    f->system_name = name_idx;
    f->filename = tp_str(t, "file.c");
    TP_GROW(t->p.function, t->p.n_function);
    t->p.function[t->p.n_function++] = f;
}

/* A location whose lines call the given functions (innermost inlined first). */
static __attribute__((unused)) void tp_location(tp *t, uint64_t id, uint64_t address,
                                                const uint64_t *func_ids, size_t nlines) {
    Perftools__Profiles__Location *l = malloc(sizeof(*l));
    perftools__profiles__location__init(l);
    l->id = id;
    l->address = address;
    l->n_line = nlines;
    l->line = nlines ? malloc(nlines * sizeof(*l->line)) : NULL;
    for (size_t i = 0; i < nlines; i++) {
        l->line[i] = malloc(sizeof(**l->line));
        perftools__profiles__line__init(l->line[i]);
        l->line[i]->function_id = func_ids[i];
        l->line[i]->line = (int64_t)(10 + i);
    }
    TP_GROW(t->p.location, t->p.n_location);
    t->p.location[t->p.n_location++] = l;
}

/* A sample: location ids leaf first, then its values. */
static __attribute__((unused)) void tp_sample(tp *t, const uint64_t *locs, size_t nlocs,
                                              const int64_t *values, size_t nvalues) {
    Perftools__Profiles__Sample *s = malloc(sizeof(*s));
    perftools__profiles__sample__init(s);
    s->n_location_id = nlocs;
    s->location_id = malloc((nlocs + 1) * sizeof(uint64_t));
    memcpy(s->location_id, locs, nlocs * sizeof(uint64_t));
    s->n_value = nvalues;
    s->value = malloc((nvalues + 1) * sizeof(int64_t));
    memcpy(s->value, values, nvalues * sizeof(int64_t));
    TP_GROW(t->p.sample, t->p.n_sample);
    t->p.sample[t->p.n_sample++] = s;
}

static __attribute__((unused)) uint8_t *tp_pack(tp *t, size_t *len) {
    *len = perftools__profiles__profile__get_packed_size(&t->p);
    uint8_t *buf = malloc(*len + 1);
    perftools__profiles__profile__pack(&t->p, buf);
    return buf;
}

static __attribute__((unused)) void tp_free(tp *t) {
    PbProfile *p = &t->p;
    for (size_t i = 0; i < p->n_string_table; i++) free(p->string_table[i]);
    free(p->string_table);
    for (size_t i = 0; i < p->n_sample_type; i++) free(p->sample_type[i]);
    free(p->sample_type);
    for (size_t i = 0; i < p->n_function; i++) free(p->function[i]);
    free(p->function);
    for (size_t i = 0; i < p->n_location; i++) {
        for (size_t j = 0; j < p->location[i]->n_line; j++) free(p->location[i]->line[j]);
        free(p->location[i]->line);
        free(p->location[i]);
    }
    free(p->location);
    for (size_t i = 0; i < p->n_sample; i++) {
        free(p->sample[i]->location_id);
        free(p->sample[i]->value);
        free(p->sample[i]);
    }
    free(p->sample);
}

/* The profile most tests use: main → foo (with inl inlined into it) → bar.
 *   sample 1: bar, [inl, foo], main   values {10, 1000}   4 frames
 *   sample 2:      [inl, foo], main   values {5, 500}     3 frames        */
static __attribute__((unused)) uint8_t *tp_standard(size_t *len) {
    tp t;
    tp_init(&t);
    tp_sample_type(&t, "samples", "count");
    tp_sample_type(&t, "cpu", "nanoseconds");
    tp_function(&t, 1, tp_str(&t, "main"));
    tp_function(&t, 2, tp_str(&t, "foo"));
    tp_function(&t, 3, tp_str(&t, "bar"));
    tp_function(&t, 4, tp_str(&t, "inl"));
    tp_location(&t, 1, 0x1000, (uint64_t[]){3}, 1);
    tp_location(&t, 2, 0x2000, (uint64_t[]){4, 2}, 2);
    tp_location(&t, 3, 0x3000, (uint64_t[]){1}, 1);
    tp_sample(&t, (uint64_t[]){1, 2, 3}, 3, (int64_t[]){10, 1000}, 2);
    tp_sample(&t, (uint64_t[]){2, 3}, 2, (int64_t[]){5, 500}, 2);
    uint8_t *b = tp_pack(&t, len);
    tp_free(&t);
    return b;
}

/* ---- gzip and base64 ---- */
static __attribute__((unused)) uint8_t *t_gzip(const uint8_t *in, size_t len, size_t *outlen) {
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    size_t cap = deflateBound(&zs, (uLong)len) + 64;
    uint8_t *out = malloc(cap);
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    deflate(&zs, Z_FINISH);
    *outlen = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

static __attribute__((unused)) char *t_base64(const uint8_t *in, size_t len, bool url, bool pad) {
    const char *abc = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                          : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc(len / 3 * 4 + 8), *o = out;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        *o++ = abc[v >> 18];
        *o++ = abc[(v >> 12) & 63];
        *o++ = abc[(v >> 6) & 63];
        *o++ = abc[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        *o++ = abc[v >> 18];
        *o++ = abc[(v >> 12) & 63];
        if (pad) {
            *o++ = '=';
            *o++ = '=';
        }
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        *o++ = abc[v >> 18];
        *o++ = abc[(v >> 12) & 63];
        *o++ = abc[(v >> 6) & 63];
        if (pad) *o++ = '=';
    }
    *o = '\0';
    return out;
}

#endif
