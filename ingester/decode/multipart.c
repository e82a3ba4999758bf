/* multipart.c: multipart/form-data bodies of POST /ingest, as Pyroscope's Go agent sends
 * them: part "profile" (pprof, maybe gzipped; required), "prev_profile" (the previous
 * cumulative profile: decoded to validate it, not counted) and "sample_type_config"
 * (JSON object; validated with jansson). Line breaks may be CRLF or bare LF, as Go's
 * mime/multipart accepts. */
#include "decode_internal.h"
#include "multipart.h"

#include <ctype.h>
#include <jansson.h>
#include <string.h>
#include <strings.h>

#define MAX_BOUNDARY 200

/* The boundary parameter of a Content-Type, unquoted. */
static int parse_boundary(const char *ct, char *out, size_t outlen) {
    const char *p = ct;
    while ((p = strchr(p, ';')) != NULL) {
        p++;
        while (*p == ' ' || *p == '\t') p++;
        if (strncasecmp(p, "boundary=", 9) != 0) continue;
        p += 9;
        size_t n = 0;
        if (*p == '"') {
            p++;
            while (p[n] && p[n] != '"') n++;
            if (p[n] != '"') return -1;
        } else {
            while (p[n] && p[n] != ';' && p[n] != ' ' && p[n] != '\t') n++;
        }
        if (n == 0 || n >= outlen) return -1;
        memcpy(out, p, n);
        out[n] = '\0';
        return 0;
    }
    return -1;
}

/* The value of name="..." in a Content-Disposition header value. */
static void disposition_name(const char *v, size_t n, char *out, size_t outlen) {
    out[0] = '\0';
    for (size_t i = 0; i + 5 <= n; i++) {
        if (strncasecmp(v + i, "name=", 5) != 0 ||
            (i > 0 && (isalnum((unsigned char)v[i - 1]) || v[i - 1] == '_')))
            continue;
        const char *s = v + i + 5, *end = v + n;
        size_t k = 0;
        if (s < end && *s == '"') {
            s++;
            while (s + k < end && s[k] != '"') k++;
        } else {
            while (s + k < end && s[k] != ';' && s[k] != ' ') k++;
        }
        if (k >= outlen) k = outlen - 1;
        memcpy(out, s, k);
        out[k] = '\0';
        return;
    }
}

int ing_multipart_parse(const char *content_type, const uint8_t *body, size_t len, ing_part *parts,
                        size_t max_parts, size_t *nparts, ing_error *err) {
    char boundary[MAX_BOUNDARY];
    char delim[MAX_BOUNDARY + 4];
    if (content_type == NULL || parse_boundary(content_type, boundary, sizeof(boundary)) < 0)
        return ing_fail(err, 422, "multipart: no boundary in Content-Type");
    size_t dlen = (size_t)snprintf(delim, sizeof(delim), "\n--%s", boundary);
    const char *b = (const char *)body, *end = b + len;
    *nparts = 0;

    /* The first delimiter: at the very start, or after a preamble line. */
    const char *p;
    if ((size_t)(end - b) >= dlen - 1 && memcmp(b, delim + 1, dlen - 1) == 0) p = b + dlen - 1;
    else if ((p = memmem(b, len, delim, dlen)) != NULL) p += dlen;
    else return ing_fail(err, 422, "multipart: no part delimited by the boundary");

    for (;;) {
        /* p is just after a "--boundary". */
        if (end - p >= 2 && p[0] == '-' && p[1] == '-') return 0; /* the closing delimiter */
        while (p < end && (*p == ' ' || *p == '\t')) p++;
        if (p < end && *p == '\r') p++;
        if (p >= end || *p != '\n') return ing_fail(err, 422, "multipart: malformed boundary line");
        p++;

        ing_part part = {0};
        /* Headers, up to an empty line. */
        for (;;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            if (nl == NULL) return ing_fail(err, 422, "multipart: part headers are not terminated");
            size_t n = (size_t)(nl - p);
            if (n && p[n - 1] == '\r') n--;
            if (n == 0) {
                p = nl + 1;
                break;
            }
            if (n > 20 && strncasecmp(p, "content-disposition:", 20) == 0)
                disposition_name(p + 20, n - 20, part.name, sizeof(part.name));
            p = nl + 1;
        }
        /* Content, up to the next delimiter (its line break belongs to the delimiter). */
        const char *next = memmem(p, (size_t)(end - p), delim, dlen);
        if (next == NULL)
            return ing_fail(err, 422, "multipart: part \"%s\" is not terminated by the boundary",
                            part.name);
        const char *cend = next;
        if (cend > p && cend[-1] == '\r') cend--;
        part.data = (const uint8_t *)p;
        part.len = (size_t)(cend - p);
        if (*nparts == max_parts)
            return ing_fail(err, 422, "multipart: more than %zu parts", max_parts);
        parts[(*nparts)++] = part;
        p = next + dlen;
    }
}

const ing_part *ing_multipart_find(const ing_part *parts, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(parts[i].name, name) == 0) return &parts[i];
    return NULL;
}

int ing_decode_multipart(const ing_target *t, const char *content_type, const uint8_t *body,
                         size_t len, ing_counts *c, ing_error *err) {
    ing_part parts[ING_MULTIPART_MAX_PARTS];
    size_t n;
    if (ing_multipart_parse(content_type, body, len, parts, ING_MULTIPART_MAX_PARTS, &n, err) < 0)
        return -1;
    const ing_part *profile = ing_multipart_find(parts, n, "profile");
    const ing_part *prev = ing_multipart_find(parts, n, "prev_profile");
    const ing_part *config = ing_multipart_find(parts, n, "sample_type_config");
    if (profile == NULL || profile->len == 0)
        return ing_fail(err, 422, "multipart: no \"profile\" part");
    if (config) {
        json_error_t jerr;
        json_t *j = json_loadb((const char *)config->data, config->len, 0, &jerr);
        bool ok = j && json_is_object(j);
        json_decref(j);
        if (!ok) return ing_fail(err, 422, "multipart: sample_type_config is not a JSON object");
    }
    if (prev && prev->len) {
        /* Validated, not counted: it is the previous cumulative profile. */
        ing_target quiet = {.app = t->app, .lim = t->lim, .sink = NULL, .budget = t->budget};
        ing_counts ignored = {0};
        if (ing_decode_pprof(&quiet, prev->data, prev->len, &ignored, err) < 0) {
            char why[sizeof(err->msg)];
            memcpy(why, err->msg, sizeof(why));
            return ing_fail(err, err->status, "prev_profile: %.200s", why);
        }
    }
    return ing_decode_pprof(t, profile->data, profile->len, c, err);
}
