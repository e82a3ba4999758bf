/* events_scan.c: the fast reader of lib/events.h. A journal of a million runs is two
 * million lines, nearly all run_start and run_end in the one form the writer gives them:
 * a flat object of plain ASCII strings, numbers and booleans. Parsing those into a
 * jansson tree (an allocation per member, a hash table per line) costs most of a report's
 * time, so this reader fills the typed struct straight from the text, through a table of
 * member offsets generated from the same X-macro field lists as the builders.
 *
 * It is conservative: it takes only what it can read exactly as jansson would (no escape
 * in a string, no byte outside 0x20..0x7e, integers of at most 18 digits, no array or
 * object value, "type" before any field, not a type with merged fields) and answers 0
 * for anything else, which the caller then parses with jansson: the general path stays
 * the definition, this one is an exact shortcut (qa/unit/lib/test_events.c compares both
 * on every line of the fixtures and on mutated lines). The conversions of a value to a
 * field's kind are lib/events.c's (ab_ev_*_read): a number read as INT is truncated and
 * clamped, REAL takes only finite numbers, BOOL also takes a number; a field of another
 * type reads as absent; a key given twice counts with its last value, as in jansson. */
#include "events.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- the tables: each scalar field's name, kind and place in its struct ------------- */

typedef struct scan_field {
    const char *name;
    size_t len;
    ab_field_kind kind;
    size_t at, has_at; /* offsetof the member and of its has flag */
} scan_field;

typedef struct scan_type {
    ab_event_id id;
    const char *type;
    size_t type_len;
    const scan_field *fields;
    size_t nfields;
    int scannable; /* no MERGE field (an ARRAY or OBJECT one is read as absent:
                    * a line that has its value goes to jansson) */
} scan_type;

#define SCAN_ROW(kind, name) \
    {#name, sizeof #name - 1, AB_KIND_##kind, offsetof(S, name), offsetof(S, has.name)},
#define SCAN_TABLE(id, type, st, FIELDS)                     \
    static const scan_field *type##_scan_fields(size_t *n) { \
        typedef ab_ev_##st S;                                \
        static const scan_field rows[] = {FIELDS(SCAN_ROW)}; \
        *n = sizeof rows / sizeof rows[0];                   \
        return rows;                                         \
    }
AB_EVENT_TYPES(SCAN_TABLE)

static scan_type types[AB_EV_NTYPES];
static size_t ntypes;

static void tables_init(void) {
    if (ntypes) return;
    size_t n = 0;
#define SCAN_TYPE(id, type, st, FIELDS)                                      \
    types[n] = (scan_type){AB_EV_##id, #type, sizeof #type - 1, NULL, 0, 1}; \
    types[n].fields = type##_scan_fields(&types[n].nfields);                 \
    n++;
    AB_EVENT_TYPES(SCAN_TYPE)
    for (size_t i = 0; i < n; i++)
        for (size_t f = 0; f < types[i].nfields; f++) {
            ab_field_kind k = types[i].fields[f].kind;
            if (k == AB_KIND_MERGE) types[i].scannable = 0;
        }
    ntypes = n; /* last: a concurrent first call at worst fills the same table twice */
}

/* ---- values ------------------------------------------------------------------------- */

typedef enum {
    V_STR,
    V_NULL,
    V_INT,
    V_REAL,
    V_TRUE,
    V_FALSE
} vtype;
typedef struct value {
    vtype type;
    const char *s; /* V_STR: its bytes in the line (no NUL) */
    size_t slen;
    json_int_t i;
    double d;
} value;

typedef struct cursor {
    const char *p, *end;
    char *scratch; /* room for every string of the line and its NUL */
} cursor;

static void skip_ws(cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
        c->p++;
}

/* A string without escapes, of bytes 0x20..0x7e (its span in the line). */
static int read_string(cursor *c, value *v) {
    if (c->p >= c->end || *c->p != '"') return 0;
    const char *s = ++c->p;
    while (c->p < c->end) {
        unsigned char ch = (unsigned char)*c->p;
        if (ch == '"') break;
        if (ch == '\\' || ch < 0x20 || ch > 0x7e) return 0;
        c->p++;
    }
    if (c->p >= c->end) return 0;
    v->type = V_STR;
    v->s = s;
    v->slen = (size_t)(c->p - s);
    c->p++;
    return 1;
}

/* A string value kept: copied into the scratch buffer with its NUL. */
static const char *keep_string(cursor *c, const value *v) {
    char *out = c->scratch;
    memcpy(out, v->s, v->slen);
    out[v->slen] = 0;
    c->scratch += v->slen + 1;
    return out;
}

static int is_digit(char ch) {
    return ch >= '0' && ch <= '9';
}

/* Clinger's fast path: a decimal of at most 15 significant digits d and a power of ten
 * 10^e with |e| <= 22 are both exact doubles, so d * 10^e or d / 10^-e is one correctly
 * rounded operation: the very double strtod gives (the journal's times and figures
 * nearly all are such). 0 when the number is not of that form. */
static int exact_decimal(const char *s, const char *end, double *out) {
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = s;
    int neg = *p == '-';
    if (neg) p++;
    uint64_t m = 0;
    int digits = 0, scale = 0;
    for (; p < end && is_digit(*p); p++) {
        if (m || *p != '0') digits++;
        m = m * 10 + (uint64_t)(*p - '0');
        if (digits > 15) return 0;
    }
    if (p < end && *p == '.')
        for (p++; p < end && is_digit(*p); p++) {
            if (m || *p != '0') digits++;
            m = m * 10 + (uint64_t)(*p - '0');
            scale--;
            if (digits > 15) return 0;
        }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        int eneg = *p == '-', e = 0;
        if (*p == '+' || *p == '-') p++;
        for (; p < end && is_digit(*p); p++) {
            e = e * 10 + (*p - '0');
            if (e > 400) return 0;
        }
        scale += eneg ? -e : e;
    }
    if (p != end || scale < -22 || scale > 22) return 0;
    double d = (double)m;
    d = scale < 0 ? d / pow10[-scale] : d * pow10[scale];
    *out = neg ? -d : d;
    return 1;
}

/* A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?. Integers (no fraction, no
 * exponent) of up to 18 digits are V_INT; others go through strtod, as jansson's do, and
 * an overflow (which jansson refuses) is left to jansson. */
static int read_number(cursor *c, value *v) {
    const char *s = c->p, *p = s;
    if (p < c->end && *p == '-') p++;
    if (p >= c->end || !is_digit(*p)) return 0;
    const char *digits = p;
    if (*p == '0') p++;
    else
        while (p < c->end && is_digit(*p)) p++;
    size_t ndigits = (size_t)(p - digits);
    int real = 0;
    if (p < c->end && *p == '.') {
        p++;
        if (p >= c->end || !is_digit(*p)) return 0;
        while (p < c->end && is_digit(*p)) p++;
        real = 1;
    }
    if (p < c->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < c->end && (*p == '+' || *p == '-')) p++;
        if (p >= c->end || !is_digit(*p)) return 0;
        while (p < c->end && is_digit(*p)) p++;
        real = 1;
    }
    c->p = p;
    if (!real) {
        if (ndigits > 18) return 0;
        json_int_t x = 0;
        for (const char *q = digits; q < p; q++) x = x * 10 + (*q - '0');
        v->type = V_INT;
        v->i = *s == '-' ? -x : x;
        return 1;
    }
    v->type = V_REAL;
    if (exact_decimal(s, p, &v->d)) return 1;
    char buf[64];
    size_t len = (size_t)(p - s);
    if (len >= sizeof buf) return 0;
    memcpy(buf, s, len);
    buf[len] = 0;
    v->d = strtod(buf, NULL);
    return isfinite(v->d);
}

static int read_literal(cursor *c, const char *word, size_t len) {
    if ((size_t)(c->end - c->p) < len || memcmp(c->p, word, len)) return 0;
    c->p += len;
    return 1;
}

/* A scalar value; 0 for an array, an object or anything this reader leaves to jansson. */
static int read_value(cursor *c, value *v) {
    if (c->p >= c->end) return 0;
    switch (*c->p) {
        case '"': return read_string(c, v);
        case 't': v->type = V_TRUE; return read_literal(c, "true", 4);
        case 'f': v->type = V_FALSE; return read_literal(c, "false", 5);
        case 'n': v->type = V_NULL; return read_literal(c, "null", 4);
        default: return read_number(c, v);
    }
}

/* ---- a value into a field, as lib/events.c's get_KIND() reads it -------------------- */

static int as_real(const value *v, double *out) {
    if (v->type == V_INT) *out = (double)v->i;
    else if (v->type == V_REAL) *out = v->d;
    else return 0;
    return 1;
}

static void set_field(cursor *c, void *st, const scan_field *f, const value *v) {
    char *base = st;
    unsigned char *has = (unsigned char *)(base + f->has_at);
    void *at = base + f->at;
    double d;
    switch (f->kind) {
        case AB_KIND_STR:
        case AB_KIND_STR_NULL:
            *(const char **)at = v->type == V_STR ? keep_string(c, v) : NULL;
            *has = v->type == V_STR;
            break;
        case AB_KIND_REAL:
        case AB_KIND_OPT_REAL:
            *has = (unsigned char)as_real(v, &d);
            *(double *)at = *has ? d : 0;
            break;
        case AB_KIND_INT:
        case AB_KIND_OPT_INT: {
            json_int_t x = 0;
            if (v->type == V_INT) x = v->i, *has = 1;
            else if (as_real(v, &d)) {
                const double top = 9.2e18; /* as lib/events.c */
                x = d >= top ? (json_int_t)top : d <= -top ? -(json_int_t)top : (json_int_t)d;
                *has = 1;
            } else *has = 0;
            *(json_int_t *)at = x;
            break;
        }
        case AB_KIND_BOOL:
        case AB_KIND_OPT_BOOL:
            *has = 1;
            if (v->type == V_TRUE || v->type == V_FALSE) *(int *)at = v->type == V_TRUE;
            else if (as_real(v, &d)) *(int *)at = d != 0;
            else *(int *)at = 0, *has = 0;
            break;
        default: break;
    }
}

static int same_name(const char *a, const char *b, size_t len) {
    for (size_t i = 0; i < len; i++) /* short names: no call to memcmp */
        if (a[i] != b[i]) return 0;
    return 1;
}

static const scan_field *find_field(const scan_type *t, const char *key, size_t len, size_t *hint) {
    /* the writer puts the fields in their list's order: try the next one first */
    for (size_t k = 0; k < t->nfields; k++) {
        size_t i = (*hint + k) % t->nfields;
        const scan_field *f = &t->fields[i];
        if (f->len == len && same_name(f->name, key, len)) {
            *hint = i + 1;
            return f;
        }
    }
    return NULL;
}

static const scan_type *find_type(const char *s, size_t len) {
    for (size_t i = 0; i < ntypes; i++)
        if (types[i].type_len == len && !memcmp(types[i].type, s, len)) return &types[i];
    return NULL;
}

int ab_event_scan(const char *line, size_t len, char *scratch, ab_event_scanned *out) {
    tables_init();
    cursor c = {line, line + len, scratch};
    const scan_type *type = NULL;
    value v, key;
    json_int_t version = 0;
    int have_version = 0;
    size_t hint = 0;
    out->id = AB_EV_UNKNOWN;
    out->t = 0;
    skip_ws(&c);
    if (c.p >= c.end || *c.p++ != '{') return 0;
    for (;;) {
        skip_ws(&c);
        if (!read_string(&c, &key)) return 0;
        skip_ws(&c);
        if (c.p >= c.end || *c.p++ != ':') return 0;
        skip_ws(&c);
        if (!read_value(&c, &v)) return 0;
        if (key.slen == 1 && key.s[0] == 'v') {
            have_version = v.type == V_INT;
            version = v.i;
        } else if (key.slen == 1 && key.s[0] == 't') {
            double t;
            out->t = as_real(&v, &t) ? t : 0;
        } else if (key.slen == 4 && !memcmp(key.s, "type", 4)) {
            if (type || v.type != V_STR) return 0;
            type = find_type(v.s, v.slen);
            if (!type || !type->scannable) return 0;
            memset(&out->e, 0, sizeof out->e);
            out->id = type->id;
        } else {
            if (!type) return 0; /* a field before "type": the general path */
            const scan_field *f = find_field(type, key.s, key.slen, &hint);
            if (f) set_field(&c, &out->e, f, &v);
        }
        skip_ws(&c);
        if (c.p >= c.end) return 0;
        if (*c.p == ',') {
            c.p++;
            continue;
        }
        if (*c.p++ != '}') return 0;
        break;
    }
    skip_ws(&c);
    if (c.p != c.end || !type || !have_version || version != 1) return 0;
    return 1;
}
