/* routes.c: request handlers. Data endpoints first meet the behaviour (error, ratelimit,
 * flaky, reset, hang answer without looking at the request); fast and slow check the
 * token, decode the body through decode.h into the counters (and --store), and answer
 * like Pyroscope: 200 with an empty body, or a JSON error. Mode slow holds the answer
 * back for --delay seconds on a timer. */
#include "routes.h"
#include "auth.h"
#include "decode.h"
#include "files.h"
#include "query.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE_SIZE (256u << 20)
#define MAX_STACK_FRAMES 65536

typedef struct answer {
    int status;
    const char *type;
    char *body;        /* malloc'd or NULL */
    size_t len;
} answer;

typedef struct sink_ctx {
    ing_server *srv;
    uint64_t serial;
    size_t bytes;
    int bytes_given;
} sink_ctx;

static void answer_error(answer *a, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void answer_error(answer *a, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    a->status = status;
    a->type = "application/json";
    a->body = conn_error_body(status, msg, &a->len);
    if (!a->body)
        a->len = 0;
}

/* Send the answer now, or after the delay in mode slow. */
static void deliver(ing_conn *c, answer *a)
{
    ing_server *s = c->srv;
    if (s->beh.mode == MODE_SLOW && !s->shutting_down) {
        conn_defer(c, s->beh.delay_s, a->status, a->type, a->body, a->len);
        return;
    }
    conn_reply(c, a->status, a->type, NULL, a->body ? a->body : "", a->len);
    free(a->body);
}

/* The behaviours that answer without looking at the request. 1 when handled. */
static int failure_mode(ing_conn *c)
{
    ing_server *s = c->srv;
    ing_behaviour *b = &s->beh;
    char hdr[64];
    switch (b->mode) {
    case MODE_ERROR:
        conn_reply_error(c, b->status, "the ingester is in mode error (status %d)", b->status);
        return 1;
    case MODE_RATELIMIT: {
        size_t len = 0;
        char *body = conn_error_body(429, "rate limited: the ingester is in mode ratelimit", &len);
        snprintf(hdr, sizeof hdr, "Retry-After: %d\r\n", b->retry_after_s);
        conn_reply(c, 429, "application/json", hdr, body ? body : "", body ? len : 0);
        free(body);
        return 1;
    }
    case MODE_FLAKY:
        if (!ing_behaviour_flaky_fails(b))
            return 0;
        conn_reply_error(c, b->status, "the ingester is in mode flaky and failed this request");
        return 1;
    case MODE_RESET:
    case MODE_DOWN:
    case MODE_BLACKHOLE:
        s->counters.req_reset++;
        conn_reset(c);
        return 1;
    case MODE_HANG:
        conn_hang(c);
        return 1;
    default:
        return 0;
    }
}

static void sink_profile(void *arg, const char *app, const char *format, const ing_counts *n)
{
    sink_ctx *x = arg;
    if (!x->bytes_given) {
        counters_app_request(&x->srv->counters, app, x->serial, x->bytes);
        x->bytes_given = 1;
    }
    counters_profile(&x->srv->counters, x->serial, app, format, n);
}

static void sink_stack(void *arg, const char *app, const char *folded, size_t len,
                       uint64_t value)
{
    sink_ctx *x = arg;
    store_add(&x->srv->store, app, folded, len, value);
}

static int authorized(ing_conn *c, answer *a)
{
    const char *token = c->srv->opt->auth_token;
    if (!token || auth_ok(c->req->authorization, token))
        return 1;
    answer_error(a, 401, "missing or wrong authorization token");
    return 0;
}

static void handle_ingest(ing_conn *c, char *query)
{
    ing_server *s = c->srv;
    ing_request *r = c->req;
    answer a = {.status = 200};
    query_param p[32];
    int n = query_parse(query, p, 32);
    ing_error err = {0};
    char app[256];
    if (!authorized(c, &a)) {
        /* answered 401 */
    } else if (n < 0) {
        answer_error(&a, 400, "malformed query string");
    } else if (ing_parse_app_name(query_get(p, n, "name"), app, sizeof app, &err) < 0) {
        answer_error(&a, err.status ? err.status : 400, "%s", err.msg);
    } else {
        counters_app_request(&s->counters, app, r->serial, r->body_len);
        sink_ctx x = {.srv = s, .serial = r->serial, .bytes = r->body_len, .bytes_given = 1};
        ing_sink sink = {.arg = &x, .profile = sink_profile,
                         .stack = s->has_store ? sink_stack : NULL};
        ing_limits lim = {.max_decompressed = s->opt->max_decompressed,
                          .max_frames = MAX_STACK_FRAMES};
        const char *ct = r->content_type[0] ? r->content_type : NULL;
        ing_decoded got;
        if (ing_decode_ingest(query_get(p, n, "format"), ct, app, r->body, r->body_len, &lim,
                              &sink, &got, &err) < 0) {
            counters_decode_error(&s->counters, app);
            answer_error(&a, err.status ? err.status : 422, "%s", err.msg);
        } else {
            s->counters.bytes_decompressed += got.body_bytes;
        }
    }
    deliver(c, &a);
}

static void handle_push(ing_conn *c)
{
    ing_server *s = c->srv;
    ing_request *r = c->req;
    answer a = {.status = 200};
    if (authorized(c, &a)) {
        const char *ct = r->content_type[0] ? r->content_type : "application/proto";
        sink_ctx x = {.srv = s, .serial = r->serial, .bytes = r->body_len};
        ing_sink sink = {.arg = &x, .profile = sink_profile,
                         .stack = s->has_store ? sink_stack : NULL};
        ing_limits lim = {.max_decompressed = s->opt->max_decompressed,
                          .max_frames = MAX_STACK_FRAMES};
        ing_error err = {0};
        ing_decoded got;
        if (ing_decode_push(ct, r->body, r->body_len, &lim, &sink, &got, &err) < 0) {
            counters_decode_error(&s->counters, NULL);
            answer_error(&a, err.status ? err.status : 422, "%s", err.msg);
        } else if (strstr(ct, "json")) {
            s->counters.bytes_decompressed += got.body_bytes;
            a.type = "application/json";
            a.body = strdup("{}");
            a.len = a.body ? 2 : 0;
        } else {
            s->counters.bytes_decompressed += got.body_bytes;
            a.type = "application/proto";
        }
    }
    deliver(c, &a);
}

/* A request the behaviour refuses still counts for its application (when it names one). */
static void count_app_request(ing_conn *c, const char *query)
{
    char *q = strdup(query);
    query_param p[32];
    char app[256];
    ing_error err;
    int n = q ? query_parse(q, p, 32) : -1;
    if (n >= 0 && ing_parse_app_name(query_get(p, n, "name"), app, sizeof app, &err) == 0)
        counters_app_request(&c->srv->counters, app, c->req->serial, c->req->body_len);
    free(q);
}

static void reply_json(ing_conn *c, int status, json_t *j)
{
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
    json_decref(j);
    if (!text) {
        conn_reply_error(c, 500, "out of memory");
        return;
    }
    size_t n = strlen(text);
    char *body = realloc(text, n + 2);
    if (!body) {
        free(text);
        conn_reply_error(c, 500, "out of memory");
        return;
    }
    body[n] = '\n';
    body[n + 1] = '\0';
    conn_reply(c, status, "application/json", NULL, body, n + 1);
    free(body);
}

static void handle_stats(ing_conn *c)
{
    ing_server *s = c->srv;
    double uptime = (double)(uv_hrtime() - s->start_ns) / 1e9;
    size_t len = 0;
    char *doc = counters_stats_document(&s->counters, ing_mode_name(s->beh.mode), uptime,
                                        s->data_name, &len);
    if (!doc) {
        conn_reply_error(c, 500, "out of memory");
        return;
    }
    conn_reply(c, 200, "application/json", NULL, doc, len);
    free(doc);
}

static void handle_healthz(ing_conn *c)
{
    reply_json(c, 200, json_pack("{s:s, s:s}", "status", "ok", "mode",
                                 ing_mode_name(c->srv->beh.mode)));
}

static void handle_mode(ing_conn *c, char *query)
{
    ing_server *s = c->srv;
    ing_request *r = c->req;
    if (c->parser.method == HTTP_GET) {
        reply_json(c, 200, ing_behaviour_json(&s->beh));
        return;
    }
    ing_behaviour nb = s->beh;
    char err[256];
    int rc;
    if (query[0])
        rc = ing_behaviour_update_query(&nb, query, err, sizeof err);
    else if (r->body_len)
        rc = ing_behaviour_update_json(&nb, (const char *)r->body, r->body_len, err, sizeof err);
    else {
        snprintf(err, sizeof err, "nothing to change: send JSON fields or ?mode=...");
        rc = -1;
    }
    if (rc < 0) {
        conn_reply_error(c, 400, "%s", err);
        return;
    }
    if (server_set_behaviour(s, &nb, err, sizeof err) < 0) {
        conn_reply_error(c, 500, "%s", err);
        return;
    }
    reply_json(c, 200, ing_behaviour_json(&s->beh));
}

static void handle_file(ing_conn *c, char *name)
{
    const char *dir = c->srv->opt->files_dir;
    char *data = NULL;
    size_t len = 0;
    if (!dir || query_unescape(name, 0) < 0 || !files_name_ok(name) ||
        files_read(dir, name, MAX_FILE_SIZE, &data, &len) < 0) {
        conn_reply_error(c, 404, "no such file");
        return;
    }
    conn_reply(c, 200, files_content_type(name), NULL, data, len);
    free(data);
}

static void method_not_allowed(ing_conn *c, const char *allow)
{
    char hdr[64];
    size_t len = 0;
    snprintf(hdr, sizeof hdr, "Allow: %s\r\n", allow);
    char *body = conn_error_body(405, "method not allowed", &len);
    conn_reply(c, 405, "application/json", hdr, body ? body : "", body ? len : 0);
    free(body);
}

/* Copy a URL component out of r->url. */
static char *url_part(const ing_request *r, const struct http_parser_url *u, int field,
                      const char *dflt)
{
    if (!(u->field_set & (1 << field)))
        return strdup(dflt);
    return strndup(r->url + u->field_data[field].off, u->field_data[field].len);
}

/* Path and query of the request target (origin form "/p?q" directly, absolute form
 * through http_parser). 1, or 0 when malformed. */
static int split_url(const ing_request *r, char **path, char **query)
{
    if (!r->url)
        return 0;
    if (r->url[0] == '/') {
        size_t plen = strcspn(r->url, "?#");
        const char *q = r->url[plen] == '?' ? r->url + plen + 1 : "";
        *path = strndup(r->url, plen);
        *query = strndup(q, strcspn(q, "#"));
    } else {
        struct http_parser_url u;
        http_parser_url_init(&u);
        if (http_parser_parse_url(r->url, r->url_len, 0, &u) != 0)
            return 0;
        *path = url_part(r, &u, UF_PATH, "/");
        *query = url_part(r, &u, UF_QUERY, "");
    }
    return *path && *query;
}

void routes_dispatch(ing_conn *c)
{
    ing_server *s = c->srv;
    ing_request *r = c->req;
    int method = c->parser.method;
    char *path = NULL, *query = NULL;
    if (!split_url(r, &path, &query)) {
        if (!c->is_control) {
            r->counted = 1;
            s->counters.req_total++;
        }
        conn_reply_error(c, 400, "malformed request URL");
        goto out;
    }
    int is_ingest = strcmp(path, "/ingest") == 0 || strcmp(path, "/pyroscope/ingest") == 0;
    int is_push = strcmp(path, "/push.v1.PusherService/Push") == 0;
    int is_file = strncmp(path, "/flamegraphs/", 13) == 0;
    int is_info = strcmp(path, "/stats") == 0 || strcmp(path, "/healthz") == 0 || is_file;
    if (!c->is_control && !is_info) {
        r->counted = 1;
        r->serial = ++s->request_serial;
        s->counters.req_total++;
    }

    if (is_info || (c->is_control && strcmp(path, "/mode") == 0)) {
        if (strcmp(path, "/mode") == 0) {
            if (method != HTTP_GET && method != HTTP_PUT && method != HTTP_POST)
                method_not_allowed(c, "GET, PUT, POST");
            else
                handle_mode(c, query);
        } else if (method != HTTP_GET) {
            method_not_allowed(c, "GET");
        } else if (is_file) {
            handle_file(c, path + 13);
        } else if (strcmp(path, "/stats") == 0) {
            handle_stats(c);
        } else {
            handle_healthz(c);
        }
    } else if (!c->is_control && (is_ingest || is_push)) {
        if (method != HTTP_POST)
            method_not_allowed(c, "POST");
        else if (is_ingest && s->beh.mode != MODE_FAST && s->beh.mode != MODE_SLOW &&
                 (count_app_request(c, query), failure_mode(c))) {
            /* answered (or not) by the behaviour */
        } else if (is_push && failure_mode(c)) {
            /* answered (or not) by the behaviour */
        } else {
            if (is_ingest)
                handle_ingest(c, query);
            else
                handle_push(c);
        }
    } else {
        conn_reply_error(c, 404, "no such endpoint: %.200s", path);
    }
out:
    free(path);
    free(query);
}
