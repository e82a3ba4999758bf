/* decode.c: the public entry points of decode.h: the application name and time
 * parameters of POST /ingest, and the choice of decoder for its body (format parameter,
 * multipart content type, gzip magic bytes). */
#include "decode_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static bool tag_key_char(unsigned char ch) {
    return isalnum(ch) || ch == '_' || ch == '.';
}

static bool app_name_char(unsigned char ch) {
    return tag_key_char(ch) || ch == '-' || ch == '/';
}

static void trim(const char **s, const char **e) {
    while (*s < *e && isspace((unsigned char)**s)) (*s)++;
    while (*e > *s && isspace((unsigned char)(*e)[-1])) (*e)--;
}

/* Up to 40 bytes of a name as an error message quotes them: printable ASCII as itself,
 * anything else (and '"', '\\') as \xNN, so that the message is always valid JSON text
 * (a byte of UTF-8 alone is not). */
static const char *quoted(const char *s, size_t n, char *buf, size_t size) {
    size_t o = 0;
    for (size_t i = 0; i < n && i < 40 && o + 5 < size; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= ' ' && ch < 0x7f && ch != '"' && ch != '\\') buf[o++] = (char)ch;
        else o += (size_t)snprintf(buf + o, size - o, "\\x%02X", ch);
    }
    buf[o] = '\0';
    return buf;
}

/* The application name grammar: letters, digits and "._-/", 1 to ING_MAX_APP_NAME
 * bytes. what names it in messages. */
static int check_app_chars(const char *s, size_t n, const char *what, ing_error *err) {
    char q[8], name[404];
    for (size_t i = 0; i < n; i++)
        if (!app_name_char((unsigned char)s[i]))
            return ing_fail(err, 400, "invalid %s \"%s\": character '%s' is not allowed", what,
                            quoted(s, n, name, sizeof name), quoted(s + i, 1, q, sizeof q));
    if (n > ING_MAX_APP_NAME)
        return ing_fail(err, 400, "%s is longer than %d bytes", what, ING_MAX_APP_NAME);
    return 0;
}

int ing_check_app_name(const char *name, size_t len, const char *what, ing_error *err) {
    if (len == 0) return ing_fail(err, 400, "%s is empty", what);
    return check_app_chars(name, len, what, err);
}

/* Pyroscope's segment key grammar: "app{key=value,key=value}". The application name
 * is letters, digits and "._-/"; tag keys are letters, digits and "._" (or __name__). */
int ing_parse_app_name(const char *name, char *app, size_t applen, ing_error *err) {
    if (name == NULL) return ing_fail(err, 400, "missing application name (name parameter)");
    const char *brace = strchr(name, '{');
    const char *s = name, *e = brace ? brace : name + strlen(name);
    trim(&s, &e);
    if (s == e) return ing_fail(err, 400, "application name is required");
    if (check_app_chars(s, (size_t)(e - s), "application name", err) < 0) return -1;
    if ((size_t)(e - s) >= applen)
        return ing_fail(err, 400, "application name is longer than %zu bytes", applen - 1);

    if (brace) {
        /* key=value pairs up to '}'; each key must be a valid tag key. */
        const char *p = brace + 1;
        while (*p && *p != '}') {
            const char *eq = p;
            while (*eq && *eq != '=' && *eq != '}') eq++;
            if (*eq != '=') {
                break; /* a key without value: Pyroscope ignores it */
            }
            const char *ks = p, *ke = eq;
            trim(&ks, &ke);
            const char *v = eq + 1;
            while (*v && *v != ',' && *v != '}') v++;
            bool reserved = (size_t)(ke - ks) == 8 && memcmp(ks, "__name__", 8) == 0;
            if (!reserved) {
                if (ks == ke) return ing_fail(err, 400, "invalid tag: empty key");
                char q[8], key[404];
                for (const char *k = ks; k < ke; k++)
                    if (!tag_key_char((unsigned char)*k))
                        return ing_fail(err, 400,
                                        "invalid tag key \"%s\": character '%s' is not allowed",
                                        quoted(ks, (size_t)(ke - ks), key, sizeof key),
                                        quoted(k, 1, q, sizeof q));
            }
            if (*v == '\0') break;
            p = v + 1;
            if (*v == '}') break;
        }
    }
    memcpy(app, s, (size_t)(e - s));
    app[e - s] = '\0';
    return 0;
}

int ing_parse_time(const char *s, int64_t *ns) {
    if (s == NULL || *s == '\0') return -1;
    size_t n = strlen(s);
    if (n > 19) return -1;
    uint64_t v = 0; /* 19 digits always fit in 64 unsigned bits */
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    uint64_t mul = n <= 10 ? 1000000000 : n <= 13 ? 1000000 : n <= 16 ? 1000 : 1;
    if (v > (uint64_t)INT64_MAX / mul) return -1;
    *ns = (int64_t)(v * mul);
    return 0;
}

static void report(const ing_sink *sink, const char *app, const char *format, const char *type,
                   const ing_counts *c) {
    if (sink && sink->profile) sink->profile(sink->arg, app, format, type, c);
}

int ing_decode_ingest(const char *format, const char *content_type, const char *app,
                      const uint8_t *body, size_t len, const ing_limits *lim, const ing_sink *sink,
                      ing_decoded *out, ing_error *err) {
    ing_error unused;
    if (err == NULL) err = &unused;
    ing_budget budget;
    ing_budget_init(&budget, lim);
    char type[ING_TYPE_SIZE];
    ing_target t = {.app = app && *app ? app : "unknown",
                    .type = type,
                    .lim = lim,
                    .sink = sink,
                    .budget = &budget};
    ing_type_of_app(t.app, type); /* a pprof body's own type replaces it */
    ing_counts c = {.profiles = 1};
    const char *name;
    int rc;
    static const uint8_t empty[1];
    if (body == NULL) body = empty, len = 0;
    size_t body_bytes = len; /* unless the decoder inflates the body */

    /* The order of Pyroscope's ingest handler: format first, then content type. */
    bool multipart = ing_content_type_is(content_type, "multipart/form-data");
    if (format == NULL) format = "";
    if (strcmp(format, "trie") == 0 ||
        ing_content_type_is(content_type, "binary/octet-stream+trie")) {
        name = "trie";
        rc = ing_decode_trie(&t, body, len, &c, err);
    } else if (strcmp(format, "tree") == 0 ||
               ing_content_type_is(content_type, "binary/octet-stream+tree")) {
        name = "tree";
        rc = ing_decode_tree(&t, body, len, &c, err);
    } else if (strcmp(format, "lines") == 0) {
        name = "lines";
        rc = ing_decode_folded(&t, body, len, true, &c, err);
    } else if (strcmp(format, "jfr") == 0) {
        name = "jfr";
        snprintf(type, sizeof type, "jfr");
        rc = ing_decode_jfr(&t, content_type, body, len, &c, err);
    } else if (strcmp(format, "pprof") == 0 && !multipart) {
        name = "pprof";
        t.body_inflated = &body_bytes;
        rc = ing_decode_pprof(&t, body, len, &c, err);
    } else if (multipart) {
        name = "pprof";
        rc = ing_decode_multipart(&t, content_type, body, len, &c, err);
    } else {
        /* "folded", "groups", none, or any other value: Pyroscope's default. */
        name = "folded";
        rc = ing_decode_folded(&t, body, len, false, &c, err);
    }
    if (rc < 0) return -1;
    report(sink, t.app, name, type, &c);
    if (out) *out = (ing_decoded){.body_bytes = body_bytes, .stacks_cut = budget.stacks_cut};
    return 0;
}
