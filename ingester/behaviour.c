/* behaviour.c: modes, their parameters and the control endpoint's JSON. */
#include "behaviour.h"
#include "query.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const mode_names[MODE_COUNT] = {
    [MODE_FAST] = "fast",   [MODE_SLOW] = "slow",           [MODE_DOWN] = "down",
    [MODE_ERROR] = "error", [MODE_RATELIMIT] = "ratelimit", [MODE_FLAKY] = "flaky",
    [MODE_RESET] = "reset", [MODE_HANG] = "hang",           [MODE_BLACKHOLE] = "blackhole",
};

void ing_behaviour_init(ing_behaviour *b) {
    memset(b, 0, sizeof *b);
    b->mode = MODE_FAST;
    b->delay_s = 30;
    b->status = 503;
    b->error_rate = 0.5;
    b->retry_after_s = 1;
    b->seed = 1;
    ing_behaviour_reseed(b);
}

const char *ing_mode_name(ing_mode m) {
    return (unsigned)m < MODE_COUNT ? mode_names[m] : "unknown";
}

int ing_mode_parse(const char *s, ing_mode *m) {
    for (int i = 0; i < MODE_COUNT; i++)
        if (strcmp(s, mode_names[i]) == 0) {
            *m = (ing_mode)i;
            return 0;
        }
    return -1;
}

static int parse_double(const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

static int parse_long(const char *s, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno) return -1;
    *out = v;
    return 0;
}

int ing_parse_delay(const char *s, double *out) {
    double v;
    if (parse_double(s, &v) < 0 || v < 0 || v > 86400) return -1;
    *out = v;
    return 0;
}

int ing_parse_status(const char *s, int *out) {
    long v;
    if (parse_long(s, &v) < 0 || v < 200 || v > 599) return -1;
    *out = (int)v;
    return 0;
}

int ing_parse_rate(const char *s, double *out) {
    double v;
    if (parse_double(s, &v) < 0 || v < 0 || v > 1) return -1;
    *out = v;
    return 0;
}

int ing_parse_retry_after(const char *s, int *out) {
    long v;
    if (parse_long(s, &v) < 0 || v < 0 || v > 86400) return -1;
    *out = (int)v;
    return 0;
}

json_t *ing_behaviour_json(const ing_behaviour *b) {
    /* whole seconds print as integers: {"delay_s":30} */
    json_t *delay = b->delay_s == floor(b->delay_s) ? json_integer((json_int_t)b->delay_s)
                                                    : json_real(b->delay_s);
    return json_pack("{s:s, s:o, s:i, s:f, s:i}", "mode", ing_mode_name(b->mode), "delay_s", delay,
                     "status", b->status, "error_rate", b->error_rate, "retry_after_s",
                     b->retry_after_s);
}

/* Apply one field given as text; shared by the JSON and query forms. */
static int apply_field(ing_behaviour *nb, const char *key, const char *val, char *err,
                       size_t errlen) {
    int ok;
    if (strcmp(key, "mode") == 0) ok = ing_mode_parse(val, &nb->mode) == 0;
    else if (strcmp(key, "delay_s") == 0 || strcmp(key, "delay") == 0)
        ok = ing_parse_delay(val, &nb->delay_s) == 0;
    else if (strcmp(key, "status") == 0) ok = ing_parse_status(val, &nb->status) == 0;
    else if (strcmp(key, "error_rate") == 0 || strcmp(key, "error-rate") == 0)
        ok = ing_parse_rate(val, &nb->error_rate) == 0;
    else if (strcmp(key, "retry_after_s") == 0 || strcmp(key, "retry_after") == 0 ||
             strcmp(key, "retry-after") == 0)
        ok = ing_parse_retry_after(val, &nb->retry_after_s) == 0;
    else {
        snprintf(err, errlen, "unknown field \"%.64s\"", key);
        return -1;
    }
    if (!ok) {
        if (strcmp(key, "mode") == 0)
            snprintf(err, errlen,
                     "bad mode \"%.64s\" (fast, slow, down, error, ratelimit, flaky, reset, "
                     "hang, blackhole)",
                     val);
        else snprintf(err, errlen, "bad value \"%.64s\" for %s", val, key);
        return -1;
    }
    return 0;
}

static int known_field(const char *key) {
    static const char *const names[] = {"mode",          "delay_s",     "delay",
                                        "status",        "error_rate",  "error-rate",
                                        "retry_after_s", "retry_after", "retry-after"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(key, names[i]) == 0) return 1;
    return 0;
}

static void commit(ing_behaviour *b, ing_behaviour *nb) {
    *b = *nb;
    if (b->mode == MODE_FLAKY) ing_behaviour_reseed(b);
}

int ing_behaviour_update_json(ing_behaviour *b, const char *body, size_t len, char *err,
                              size_t errlen) {
    json_error_t jerr;
    json_t *obj = json_loadb(body, len, 0, &jerr);
    if (!obj) {
        snprintf(err, errlen, "invalid JSON: %s", jerr.text);
        return -1;
    }
    if (!json_is_object(obj)) {
        json_decref(obj);
        snprintf(err, errlen, "expected a JSON object");
        return -1;
    }
    ing_behaviour nb = *b;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        char text[64];
        if (json_is_string(v)) snprintf(text, sizeof text, "%s", json_string_value(v));
        else if (json_is_integer(v))
            snprintf(text, sizeof text, "%lld", (long long)json_integer_value(v));
        else if (json_is_real(v)) snprintf(text, sizeof text, "%.17g", json_real_value(v));
        else {
            snprintf(err, errlen, "bad type for field \"%.64s\"", key);
            json_decref(obj);
            return -1;
        }
        if (strcmp(key, "mode") != 0 && json_is_string(v) && known_field(key)) {
            snprintf(err, errlen, "field \"%.64s\" must be a number", key);
            json_decref(obj);
            return -1;
        }
        /* an integral real (e.g. 503.0) is a fine status */
        if (json_is_real(v) && (strcmp(key, "status") == 0 || strncmp(key, "retry", 5) == 0)) {
            double d = json_real_value(v);
            if (d == floor(d) && fabs(d) < 1e9) snprintf(text, sizeof text, "%lld", (long long)d);
        }
        if (apply_field(&nb, key, text, err, errlen) < 0) {
            json_decref(obj);
            return -1;
        }
    }
    json_decref(obj);
    commit(b, &nb);
    return 0;
}

int ing_behaviour_update_query(ing_behaviour *b, char *query, char *err, size_t errlen) {
    query_param p[16];
    int n = ing_query_parse(query, p, 16);
    if (n < 0) {
        snprintf(err, errlen, "malformed query string");
        return -1;
    }
    ing_behaviour nb = *b;
    for (int i = 0; i < n; i++)
        if (apply_field(&nb, p[i].key, p[i].val, err, errlen) < 0) return -1;
    commit(b, &nb);
    return 0;
}

void ing_behaviour_reseed(ing_behaviour *b) {
    b->prng = b->seed;
}

/* splitmix64: small, fast, and the same sequence on every platform. */
static uint64_t next_u64(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

int ing_behaviour_flaky_fails(ing_behaviour *b) {
    double u = (double)(next_u64(&b->prng) >> 11) * 0x1.0p-53;
    return u < b->error_rate;
}
