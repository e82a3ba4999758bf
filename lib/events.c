/* events.c: the builders and readers of lib/events.h, generated from its field lists:
 * each field becomes one put_KIND() call in its type's builder and one get_KIND() call in
 * its reader, so the compiler checks every member's C type against its JSON kind. */
#include "events.h"
#include "journal.h"

#include <math.h>
#include <string.h>

/* ---- writing one field -------------------------------------------------------------- */

static void put(json_t *ev, const char *key, json_t *value) {
    if (value) json_object_set_new(ev, key, value); /* NULL: bad UTF-8, NaN: left out */
}

static void put_STR(json_t *ev, const char *key, const char *v, int has) {
    if (v) put(ev, key, json_string(v));
}

static void put_STR_NULL(json_t *ev, const char *key, const char *v, int has) {
    put(ev, key, v ? json_string(v) : json_null());
}

static void put_INT(json_t *ev, const char *key, json_int_t v, int has) {
    put(ev, key, json_integer(v));
}

static void put_REAL(json_t *ev, const char *key, double v, int has) {
    put(ev, key, json_real(v));
}

static void put_BOOL(json_t *ev, const char *key, int v, int has) {
    put(ev, key, json_boolean(v));
}

static void put_OPT_INT(json_t *ev, const char *key, json_int_t v, int has) {
    if (has) put_INT(ev, key, v, has);
}

static void put_OPT_REAL(json_t *ev, const char *key, double v, int has) {
    if (has) put_REAL(ev, key, v, has);
}

static void put_OPT_BOOL(json_t *ev, const char *key, int v, int has) {
    if (has) put_BOOL(ev, key, v, has);
}

static void put_ARRAY(json_t *ev, const char *key, json_t *v, int has) {
    if (json_is_array(v)) json_object_set(ev, key, v);
}

static void put_OBJECT(json_t *ev, const char *key, json_t *v, int has) {
    if (json_is_object(v)) json_object_set(ev, key, v);
}

/* The members of v, after the fields written so far (which win over v's own). */
static void put_MERGE(json_t *ev, const char *key, json_t *v, int has) {
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x) {
        if (!json_object_get(ev, k)) json_object_set(ev, k, x);
    }
}

/* ---- reading one field: 1 when present with the kind's type ------------------------- */

static int get_STR(json_t *ev, const char *key, const char **out) {
    *out = json_string_value(json_object_get(ev, key));
    return *out != NULL;
}

static int get_STR_NULL(json_t *ev, const char *key, const char **out) {
    return get_STR(ev, key, out);
}

static int get_REAL(json_t *ev, const char *key, double *out) {
    json_t *v = json_object_get(ev, key);
    if (!json_is_number(v) || !isfinite(json_number_value(v))) return 0;
    *out = json_number_value(v);
    return 1;
}

static int get_INT(json_t *ev, const char *key, json_int_t *out) {
    json_t *v = json_object_get(ev, key);
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 1;
    }
    double d;
    if (!get_REAL(ev, key, &d)) return 0;
    const double top = 9.2e18; /* just under JSON_INTEGER_MAX, exact in a double */
    *out = d >= top ? (json_int_t)top : d <= -top ? -(json_int_t)top : (json_int_t)d;
    return 1;
}

static int get_BOOL(json_t *ev, const char *key, int *out) {
    json_t *v = json_object_get(ev, key);
    if (json_is_boolean(v)) *out = json_is_true(v);
    else if (json_is_number(v)) *out = json_number_value(v) != 0;
    else return 0;
    return 1;
}

static int get_OPT_INT(json_t *ev, const char *key, json_int_t *out) {
    return get_INT(ev, key, out);
}

static int get_OPT_REAL(json_t *ev, const char *key, double *out) {
    return get_REAL(ev, key, out);
}

static int get_OPT_BOOL(json_t *ev, const char *key, int *out) {
    return get_BOOL(ev, key, out);
}

static int get_ARRAY(json_t *ev, const char *key, json_t **out) {
    json_t *v = json_object_get(ev, key);
    *out = json_is_array(v) ? v : NULL;
    return *out != NULL;
}

static int get_OBJECT(json_t *ev, const char *key, json_t **out) {
    json_t *v = json_object_get(ev, key);
    *out = json_is_object(v) ? v : NULL;
    return *out != NULL;
}

static int get_MERGE(json_t *ev, const char *key, json_t **out) {
    *out = ev;
    return 1;
}

/* ---- each type's builder and reader --------------------------------------------------- */

#define PUT_FIELD(kind, name) put_##kind(ev, #name, e->name, e->has.name);
#define GET_FIELD(kind, name) e->has.name = (unsigned char)get_##kind(ev, #name, &e->name);

#define DEFINE_TYPE(id, type, st, FIELDS)                 \
    json_t *ab_ev_##type##_json(const ab_ev_##st *e) {    \
        json_t *ev = ab_journal_event(#type);             \
        if (ev) {                                         \
            FIELDS(PUT_FIELD)                             \
        }                                                 \
        return ev;                                        \
    }                                                     \
    void ab_ev_##type##_read(json_t *ev, ab_ev_##st *e) { \
        memset(e, 0, sizeof *e);                          \
        if (json_is_object(ev)) {                         \
            FIELDS(GET_FIELD)                             \
        }                                                 \
    }
AB_EVENT_TYPES(DEFINE_TYPE)

/* ---- the schema tables ------------------------------------------------------------- */

#define FIELD_ROW(kind, name) {#name, AB_KIND_##kind},
#define FIELD_TABLE(id, type, st, FIELDS) \
    static const ab_event_field type##_fields[] = {FIELDS(FIELD_ROW)};
AB_EVENT_TYPES(FIELD_TABLE)

#define SCHEMA_ROW(id, type, st, FIELDS) \
    {AB_EV_##id, #type, type##_fields, sizeof type##_fields / sizeof type##_fields[0]},
static const ab_event_schema schemas[] = {AB_EVENT_TYPES(SCHEMA_ROW)};

const ab_event_schema *ab_event_schemas(size_t *n) {
    if (n) *n = sizeof schemas / sizeof schemas[0];
    return schemas;
}

/* ---- any event ---------------------------------------------------------------------- */

const char *ab_event_type(json_t *ev) {
    return json_string_value(json_object_get(ev, "type"));
}

ab_event_id ab_event_id_of(json_t *ev) {
    const char *type = ab_event_type(ev);
    for (size_t i = 0; type && i < sizeof schemas / sizeof schemas[0]; i++)
        if (!strcmp(type, schemas[i].type)) return schemas[i].id;
    return AB_EV_UNKNOWN;
}

double ab_event_time(json_t *ev) {
    double t = 0;
    return get_REAL(ev, "t", &t) ? t : 0;
}
