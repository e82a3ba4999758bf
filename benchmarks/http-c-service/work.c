/* work.c: one /work request of http-c-service (work.h): generate, serialize, parse,
 * aggregate, sort, hash. http-nodejs-service (../nodejs/service-work.js) does the same
 * steps and must give the same bytes: keep the two in step. */
#include "work.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const syllables[16] = {"ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi",
                                          "be", "du", "fa", "go", "hi", "ju", "pe", "so"};
static const char *const tags[WORK_TAGS] = {
    "alpha", "bravo",  "charlie", "delta", "echo", "foxtrot",  "golf",  "hotel",
    "india", "juliet", "kilo",    "lima",  "mike", "november", "oscar", "papa"};

static pthread_mutex_t totals_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t totals[WORK_TAGS];

/* xorshift32, seeded by a multiplicative hash of the seed (never 0) */
static uint32_t next_random(uint32_t *x) {
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

static int parse_uint(const char *s, size_t len, unsigned long long max, unsigned long long *out) {
    if (len == 0 || len > 10) return -1;
    unsigned long long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > max) return -1;
    *out = v;
    return 0;
}

int work_params_from_query(const char *q, size_t len, work_params *out, char *err, size_t errlen) {
    out->seed = 0;
    out->items = WORK_ITEMS_DEFAULT;
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && q[end] != '&') end++;
        const char *eq = memchr(q + i, '=', end - i);
        if (eq) {
            size_t klen = (size_t)(eq - (q + i)), vlen = end - (size_t)(eq + 1 - q);
            unsigned long long v;
            if (klen == 4 && !memcmp(q + i, "seed", 4)) {
                if (parse_uint(eq + 1, vlen, UINT32_MAX, &v) < 0) {
                    snprintf(err, errlen, "seed must be an integer in [0, 4294967295]");
                    return -1;
                }
                out->seed = (uint32_t)v;
            } else if (klen == 5 && !memcmp(q + i, "items", 5)) {
                if (parse_uint(eq + 1, vlen, WORK_ITEMS_MAX, &v) < 0 || v == 0) {
                    snprintf(err, errlen, "items must be an integer in [1, %d]", WORK_ITEMS_MAX);
                    return -1;
                }
                out->items = (unsigned)v;
            }
        }
        i = end + 1;
    }
    return 0;
}

int work_params_from_json(const char *body, size_t len, work_params *out, char *err,
                          size_t errlen) {
    out->seed = 0;
    out->items = WORK_ITEMS_DEFAULT;
    json_error_t e;
    json_t *o = json_loadb(body, len, 0, &e);
    if (!json_is_object(o)) {
        snprintf(err, errlen, "the body must be a JSON object: %s", o ? "not an object" : e.text);
        json_decref(o);
        return -1;
    }
    json_t *seed = json_object_get(o, "seed"), *items = json_object_get(o, "items");
    int bad = 0;
    if (seed) {
        if (!json_is_integer(seed) || json_integer_value(seed) < 0 ||
            json_integer_value(seed) > UINT32_MAX) {
            snprintf(err, errlen, "seed must be an integer in [0, 4294967295]");
            bad = 1;
        } else out->seed = (uint32_t)json_integer_value(seed);
    }
    if (items && !bad) {
        if (!json_is_integer(items) || json_integer_value(items) < 1 ||
            json_integer_value(items) > WORK_ITEMS_MAX) {
            snprintf(err, errlen, "items must be an integer in [1, %d]", WORK_ITEMS_MAX);
            bad = 1;
        } else out->items = (unsigned)json_integer_value(items);
    }
    json_decref(o);
    return bad ? -1 : 0;
}

static void sha256(const char *data, size_t len, unsigned char md[32]) {
    unsigned int n = 32;
    EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
}

/* The document: records {id, name, score, tags}, in the PRNG order Node follows. */
static json_t *generate(const work_params *p) {
    uint32_t x = (p->seed * 0x9E3779B1u) ^ 0xA5A5A5A5u;
    if (x == 0) x = 1;
    json_t *doc = json_array();
    for (unsigned i = 0; i < p->items; i++) {
        char name[16] = "";
        unsigned nsyl = 2 + next_random(&x) % 3;
        for (unsigned s = 0; s < nsyl; s++) strcat(name, syllables[next_random(&x) % 16]);
        json_t *rec = json_object();
        json_object_set_new(rec, "id", json_integer(i));
        json_object_set_new(rec, "name", json_string(name));
        json_object_set_new(rec, "score", json_integer(next_random(&x) % 100000));
        json_t *t = json_array();
        unsigned ntags = 1 + next_random(&x) % 3;
        for (unsigned k = 0; k < ntags; k++)
            json_array_append_new(t, json_string(tags[next_random(&x) % WORK_TAGS]));
        json_object_set_new(rec, "tags", t);
        json_array_append_new(doc, rec);
    }
    return doc;
}

typedef struct scored {
    json_int_t score, id;
} scored;

static int by_score_then_id(const void *a, const void *b) {
    const scored *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static int tag_index(const char *name) {
    for (int i = 0; i < WORK_TAGS; i++)
        if (!strcmp(tags[i], name)) return i;
    return -1;
}

char *work_run(const work_params *p, size_t *len, uint64_t *digest) {
    json_t *doc = generate(p);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!text) return NULL;
    json_error_t e;
    json_t *parsed = json_loads(text, 0, &e);
    size_t n = json_array_size(parsed);
    scored *rank = malloc((n ? n : 1) * sizeof *rank);
    if (!parsed || !rank) {
        free(text), free(rank), json_decref(parsed);
        return NULL;
    }
    json_int_t score_sum = 0, name_bytes = 0;
    uint64_t counts[WORK_TAGS] = {0};
    for (size_t i = 0; i < n; i++) {
        json_t *rec = json_array_get(parsed, i);
        rank[i].id = json_integer_value(json_object_get(rec, "id"));
        rank[i].score = json_integer_value(json_object_get(rec, "score"));
        score_sum += rank[i].score;
        name_bytes += (json_int_t)strlen(json_string_value(json_object_get(rec, "name")));
        json_t *t = json_object_get(rec, "tags");
        for (size_t k = 0; k < json_array_size(t); k++) {
            int ti = tag_index(json_string_value(json_array_get(t, k)));
            if (ti >= 0) counts[ti]++;
        }
    }
    qsort(rank, n, sizeof *rank, by_score_then_id);

    unsigned char md[32];
    char hex[65];
    sha256(text, strlen(text), md);
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
    json_t *top = json_array(), *tagobj = json_object();
    for (size_t i = 0; i < n && i < 5; i++) json_array_append_new(top, json_integer(rank[i].id));
    for (int i = 0; i < WORK_TAGS; i++)
        json_object_set_new(tagobj, tags[i], json_integer((json_int_t)counts[i]));
    json_t *answer = json_object();
    json_object_set_new(answer, "seed", json_integer(p->seed));
    json_object_set_new(answer, "items", json_integer(p->items));
    json_object_set_new(answer, "bytes", json_integer((json_int_t)strlen(text)));
    json_object_set_new(answer, "sha256", json_string(hex));
    json_object_set_new(answer, "score_sum", json_integer(score_sum));
    json_object_set_new(answer, "name_bytes", json_integer(name_bytes));
    json_object_set_new(answer, "top", top);
    json_object_set_new(answer, "tags", tagobj);
    char *body = json_dumps(answer, JSON_COMPACT);
    json_decref(answer);
    json_decref(parsed);
    free(rank);
    free(text);
    if (!body) return NULL;

    *len = strlen(body);
    sha256(body, *len, md);
    uint64_t d = 0;
    for (int i = 0; i < 8; i++) d = d << 8 | md[i];
    *digest = d;

    pthread_mutex_lock(&totals_lock);
    for (int i = 0; i < WORK_TAGS; i++) totals[i] += counts[i];
    pthread_mutex_unlock(&totals_lock);
    return body;
}

void work_tag_totals(uint64_t out[WORK_TAGS]) {
    pthread_mutex_lock(&totals_lock);
    memcpy(out, totals, sizeof totals);
    pthread_mutex_unlock(&totals_lock);
}
