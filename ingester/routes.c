/* routes.c: what the ingester does with a request and with what its transport reports:
 * the conn_callbacks (conn.h) that main.c gives the server. It is the one place that
 * counts (through counters.h): every request the transport hands over, every answer it
 * writes, every connection event it reports.
 *
 * A table maps each path to the methods it allows, the listeners it answers on, whether
 * it counts in /stats, and its handler: a new endpoint is one row and one handler, which
 * gets the request view (method, path, query, the headers it needs, body). Data endpoints
 * (ingest, push, Datadog's profiling intake) first meet the behaviour: error, ratelimit, flaky,
 * reset and hang answer without looking at the body. In fast and slow they check the token, decode
 * the body through decode.h into the counters (and --store), and answer like Pyroscope: 200 with an
 * empty body, or a JSON error. Mode slow holds the answer back for --delay seconds on the
 * transport's timer.
 *
 * A large folded or lines body for /ingest (over STREAM_MIN, or chunked) without --store
 * is decoded as it arrives (decode.h's ing_stream, the transport's on_headers): it is
 * never buffered whole, and gives the same answer and counts as when it is.
 *
 * Tokens: a row says which one its requests need. The data endpoints check --auth-token
 * themselves, after the behaviour (a mode that refuses everything refuses without
 * looking); the control ones (/mode, and /stats on both listeners) need the control
 * token, when there is one, before anything else. /healthz and /flamegraphs stay open
 * (health checks; a browser following a flame graph link sends no token). */
#include "routes.h"
#include "json_get.h"
#include "auth.h"
#include "decode.h"
#include "files.h"
#include "query.h"
#include "server.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE_SIZE    (256u << 20)
#define MAX_STACK_FRAMES 65536
#define MAX_STACK_BYTES  ((size_t)1 << 20) /* a stack's folded text, a trie's key */
#define MAX_QUERY_PARAMS 32
#define STREAM_MIN       (64 * 1024) /* smaller bodies are buffered: as cheap, and no stream */
#define MAX_URL_QUERY    (8 * 1024)  /* a URL is at most 8 KiB (conn.c) */

typedef struct answer {
    int status;
    const char *type;
    char *body; /* malloc'd or NULL */
    size_t len;
} answer;

static void answer_error(answer *a, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void answer_error(answer *a, int status, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    a->status = status;
    a->type = "application/json";
    a->body = ing_conn_error_body(status, msg, &a->len);
    if (!a->body) a->len = 0;
}

/* Send the answer now, or after the delay in mode slow. */
static void deliver(ing_server *s, ing_conn *c, answer *a) {
    if (s->beh.mode == MODE_SLOW && !s->shutting_down) {
        ing_conn_defer(c, s->beh.delay_s, a->status, a->type, a->body, a->len);
        return;
    }
    ing_conn_reply(c, a->status, a->type, NULL, a->body ? a->body : "", a->len);
    free(a->body);
}

static void reply_json(ing_conn *c, int status, json_t *j) {
    size_t n;
    char *body = ab_json_line(j, JSON_COMPACT | JSON_REAL_PRECISION(6), &n);
    json_decref(j);
    if (!body) {
        ing_conn_reply_error(c, 500, "out of memory");
        return;
    }
    ing_conn_reply(c, status, "application/json", NULL, body, n);
    free(body);
}

/* --- the behaviour ---------------------------------------------------------------- */

/* Fast and slow serve every request; the other modes may answer it themselves. */
static int behaviour_serves_all(const ing_server *s) {
    return s->beh.mode == MODE_FAST || s->beh.mode == MODE_SLOW;
}

/* The behaviours that answer without looking at the request. 1 when answered (or, for
 * reset and hang, dealt with). */
static int behaviour_answers(ing_server *s, ing_conn *c) {
    ing_behaviour *b = &s->beh;
    char hdr[64];
    switch (b->mode) {
        case MODE_ERROR:
            ing_conn_reply_error(c, b->status, "the ingester is in mode error (status %d)",
                                 b->status);
            return 1;
        case MODE_RATELIMIT: {
            size_t len = 0;
            char *body = ing_conn_error_body(429, "rate limited: the ingester is in mode ratelimit",
                                             &len);
            snprintf(hdr, sizeof hdr, "Retry-After: %d\r\n", b->retry_after_s);
            ing_conn_reply(c, 429, "application/json", hdr, body ? body : "", body ? len : 0);
            free(body);
            return 1;
        }
        case MODE_FLAKY:
            if (!ing_behaviour_flaky_fails(b)) return 0;
            ing_conn_reply_error(c, b->status,
                                 "the ingester is in mode flaky and failed this request");
            return 1;
        case MODE_RESET:
        case MODE_DOWN:
        case MODE_BLACKHOLE:
            ing_counters_reset(&s->counters);
            ing_conn_reset(c);
            return 1;
        case MODE_HANG: ing_conn_hang(c); return 1;
        default: return 0;
    }
}

/* --- decoding into the counters ------------------------------------------------------ */

/* What the decoders' sink needs to count a request's profiles. */
typedef struct sink_ctx {
    ing_server *srv;
    uint64_t serial;
    size_t bytes;
    int bytes_given; /* the request's bytes are counted (for the first application) */
} sink_ctx;

static void sink_profile(void *arg, const char *app, const char *format, const char *type,
                         const ing_counts *n) {
    sink_ctx *x = arg;
    if (!x->bytes_given) {
        ing_counters_app_request(&x->srv->counters, app, x->serial, x->bytes);
        x->bytes_given = 1;
    }
    ing_counters_profile(&x->srv->counters, x->serial, app, format, type, n);
}

static int sink_stack(void *arg, const char *app, const char *type, const char *folded, size_t len,
                      uint64_t value) {
    sink_ctx *x = arg;
    return ing_store_add(&x->srv->store, app, type, folded, len, value) == 0 ? ING_STACK_KEPT
                                                                             : ING_STACK_CUT;
}

static ing_sink request_sink(const ing_server *s, sink_ctx *x) {
    return (ing_sink){.arg = x, .profile = sink_profile, .stack = s->has_store ? sink_stack : NULL};
}

static ing_limits request_limits(const ing_server *s) {
    return (ing_limits){.max_decompressed = s->opt->max_decompressed,
                        .max_frames = MAX_STACK_FRAMES,
                        .max_stack_bytes = MAX_STACK_BYTES};
}

static int authorized(const ing_server *s, const ing_request *r, answer *a) {
    const char *token = s->opt->auth_token;
    if (!token || ing_auth_ok(r->authorization, token)) return 1;
    answer_error(a, 401, "missing or wrong authorization token");
    return 0;
}

/* --- handlers ------------------------------------------------------------------------ */

/* POST /ingest, /pyroscope/ingest: its body buffered, or streamed (st, taken from the
 * request: once answered, the request is gone; NULL once decoded). */
static void ingest(ing_server *s, ing_conn *c, ing_request *r, ing_stream **stp) {
    query_param p[MAX_QUERY_PARAMS];
    int n = ing_query_parse(r->query, p, MAX_QUERY_PARAMS);
    ing_error err = {0};
    char app[256];
    int named = n >= 0 &&
                ing_parse_app_name(ing_query_get(p, n, "name"), app, sizeof app, &err) == 0;
    if (!behaviour_serves_all(s)) {
        /* whether the behaviour refuses it or not, it counts for the application it names */
        if (named) ing_counters_app_request(&s->counters, app, r->tag, r->body_len);
        if (behaviour_answers(s, c)) return;
    }
    answer a = {.status = 200};
    if (!authorized(s, r, &a)) {
        /* answered 401 */
    } else if (n < 0) {
        answer_error(&a, 400, "malformed query string");
    } else if (!named) {
        answer_error(&a, err.status ? err.status : 400, "%s", err.msg);
    } else {
        ing_counters_app_request(&s->counters, app, r->tag, r->body_len);
        sink_ctx x = {.srv = s, .serial = r->tag, .bytes = r->body_len, .bytes_given = 1};
        ing_sink sink = request_sink(s, &x);
        ing_limits lim = request_limits(s);
        const char *ct = r->content_type[0] ? r->content_type : NULL;
        ing_decoded got;
        ing_stream *st = *stp;
        *stp = NULL; /* ing_stream_end frees it */
        if ((st ? ing_stream_end(st, &sink, &got, &err)
                : ing_decode_ingest(ing_query_get(p, n, "format"), ct, app, r->body, r->body_len,
                                    &lim, &sink, &got, &err)) < 0) {
            ing_counters_decode_error(&s->counters, app);
            answer_error(&a, err.status ? err.status : 422, "%s", err.msg);
        } else {
            ing_counters_decoded(&s->counters, &got);
        }
    }
    deliver(s, c, &a);
}

static void handle_ingest(ing_server *s, ing_conn *c, ing_request *r, char *rest) {
    ing_stream *st = r->stream;
    r->stream = NULL;
    ingest(s, c, r, &st);
    ing_stream_free(st); /* not decoded: refused first */
}

/* POST /push.v1.PusherService/Push. */
static void handle_push(ing_server *s, ing_conn *c, ing_request *r, char *rest) {
    if (behaviour_answers(s, c)) return;
    answer a = {.status = 200};
    if (authorized(s, r, &a)) {
        const char *ct = r->content_type[0] ? r->content_type : "application/proto";
        sink_ctx x = {.srv = s, .serial = r->tag, .bytes = r->body_len};
        ing_sink sink = request_sink(s, &x);
        ing_limits lim = request_limits(s);
        ing_error err = {0};
        ing_decoded got;
        if (ing_decode_push(ct, r->body, r->body_len, &lim, &sink, &got, &err) < 0) {
            ing_counters_decode_error(&s->counters, NULL);
            answer_error(&a, err.status ? err.status : 422, "%s", err.msg);
        } else {
            ing_counters_decoded(&s->counters, &got);
            if (strstr(ct, "json")) {
                a.type = "application/json";
                a.body = strdup("{}");
                a.len = a.body ? 2 : 0;
            } else {
                a.type = "application/proto";
            }
        }
    }
    deliver(s, c, &a);
}

/* POST /profiling/v1/input: Datadog's profile intake, answered as the Datadog agent
 * answers its tracers: 200 (the agent turns the intake's 202 into 200), 400 for an
 * upload the intake could not take, 413 past the inflate cap; the behaviours as for push. */
static void handle_datadog(ing_server *s, ing_conn *c, ing_request *r, char *rest) {
    if (behaviour_answers(s, c)) return;
    answer a = {.status = 200};
    if (authorized(s, r, &a)) {
        sink_ctx x = {.srv = s, .serial = r->tag, .bytes = r->body_len};
        ing_sink sink = request_sink(s, &x);
        ing_limits lim = request_limits(s);
        ing_error err = {0};
        ing_decoded got;
        if (ing_decode_datadog(r->content_type, r->body, r->body_len, &lim, &sink, &got, &err) <
            0) {
            ing_counters_decode_error(&s->counters, NULL);
            answer_error(&a, err.status ? err.status : 400, "%s", err.msg);
        } else {
            ing_counters_decoded(&s->counters, &got);
        }
    }
    deliver(s, c, &a);
}

/* POST /dogstatsd/v2/proxy: dd-trace's metrics client posts its own telemetry to the
 * agent (every 10 s and at exit). Not a profile: answered 200 at once, whatever the
 * behaviour, and not counted, so that only the profiler meets the behaviour. */
static void handle_dogstatsd(ing_server *s, ing_conn *c, ing_request *r, char *rest) {
    ing_conn_reply(c, 200, "text/plain", NULL, "", 0);
}

/* GET /stats, or /stats?apps=0: the same without the applications (bounded size). */
static void handle_stats(ing_server *s, ing_conn *c, ing_request *r, char *rest) {
    query_param p[MAX_QUERY_PARAMS];
    int n = ing_query_parse(r->query, p, MAX_QUERY_PARAMS);
    const char *apps = n >= 0 ? ing_query_get(p, n, "apps") : NULL;
    counters_doc_info info = {
        .mode = ing_mode_name(s->beh.mode),
        .uptime_s = (double)(uv_hrtime() - s->start_ns) / 1e9,
        .listen = s->data_name,
        .store_apps = s->store.apps.len,
        .store_stacks = s->store.stacks,
        .store_bytes = s->store.bytes,
        .with_apps = !(apps && (strcmp(apps, "0") == 0 || strcmp(apps, "false") == 0)),
    };
    size_t len = 0;
    char *doc = ing_counters_stats_document(&s->counters, &info, &len);
    if (!doc) {
        ing_conn_reply_error(c, 500, "out of memory");
        return;
    }
    ing_conn_reply(c, 200, "application/json", NULL, doc, len);
    free(doc);
}

static void handle_healthz(ing_server *s, ing_conn *c, ing_request *r, char *rest) {
    reply_json(c, 200, json_pack("{s:s, s:s}", "status", "ok", "mode", ing_mode_name(s->beh.mode)));
}

/* GET /flamegraphs/<rest>: a file of --files DIR. */
static void handle_file(ing_server *s, ing_conn *c, ing_request *r, char *rest) {
    const char *dir = s->opt->files_dir;
    char *data = NULL;
    size_t len = 0;
    if (!dir || ing_query_unescape(rest, 0) < 0 || !ing_files_name_ok(rest) ||
        ing_files_read(dir, rest, MAX_FILE_SIZE, &data, &len) < 0) {
        ing_conn_reply_error(c, 404, "no such file");
        return;
    }
    ing_conn_reply(c, 200, ing_files_content_type(rest), NULL, data, len);
    free(data);
}

/* GET /mode, or PUT/POST /mode with JSON fields or ?mode=... (control listener). */
static void handle_mode(ing_server *s, ing_conn *c, ing_request *r, char *rest) {
    if (strcmp(r->method, "GET") == 0) {
        reply_json(c, 200, ing_behaviour_json(&s->beh));
        return;
    }
    ing_behaviour nb = s->beh;
    char err[256];
    int rc;
    if (r->query[0]) rc = ing_behaviour_update_query(&nb, r->query, err, sizeof err);
    else if (r->body_len)
        rc = ing_behaviour_update_json(&nb, (const char *)r->body, r->body_len, err, sizeof err);
    else {
        snprintf(err, sizeof err, "nothing to change: send JSON fields or ?mode=...");
        rc = -1;
    }
    if (rc < 0) {
        ing_conn_reply_error(c, 400, "%s", err);
        return;
    }
    if (ing_server_set_behaviour(s, &nb, err, sizeof err) < 0) {
        ing_conn_reply_error(c, 500, "%s", err);
        return;
    }
    reply_json(c, 200, ing_behaviour_json(&s->beh));
}

/* --- the table ----------------------------------------------------------------------- */

enum {
    ON_DATA = 1,
    ON_CONTROL = 2,
    ON_BOTH = ON_DATA | ON_CONTROL
};
/* The token a route's requests need: none, the data token (checked by the handler, after
 * the behaviour), the control token (checked before the handler). */
enum {
    TOKEN_NONE,
    TOKEN_DATA,
    TOKEN_CONTROL
};

typedef void route_handler(ing_server *s, ing_conn *c, ing_request *r, char *rest);

typedef struct route {
    const char *path;    /* exact, or a prefix when it ends with '/' (rest: what follows) */
    const char *methods; /* those allowed, as the Allow header of a 405 lists them */
    unsigned listeners;  /* ON_DATA, ON_CONTROL or ON_BOTH */
    int counted;         /* counts in /stats requests (on the data listener) */
    int token;           /* TOKEN_NONE, TOKEN_DATA or TOKEN_CONTROL */
    route_handler *handle;
} route;

static const route routes[] = {
    {"/ingest", "POST", ON_DATA, 1, TOKEN_DATA, handle_ingest},
    {"/pyroscope/ingest", "POST", ON_DATA, 1, TOKEN_DATA, handle_ingest},
    {"/push.v1.PusherService/Push", "POST", ON_DATA, 1, TOKEN_DATA, handle_push},
    {"/profiling/v1/input", "POST", ON_DATA, 1, TOKEN_DATA, handle_datadog},
    {"/dogstatsd/v2/proxy", "POST", ON_DATA, 0, TOKEN_NONE, handle_dogstatsd},
    {"/stats", "GET", ON_BOTH, 0, TOKEN_CONTROL, handle_stats},
    {"/healthz", "GET", ON_BOTH, 0, TOKEN_NONE, handle_healthz},
    {"/flamegraphs/", "GET", ON_BOTH, 0, TOKEN_NONE, handle_file},
    {"/mode", "GET, PUT, POST", ON_CONTROL, 0, TOKEN_CONTROL, handle_mode},
};

/* The route serving path on this listener, with *rest after a prefix; NULL: none. */
static const route *route_of(char *path, int is_control, char **rest) {
    unsigned listener = is_control ? ON_CONTROL : ON_DATA;
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        const route *rt = &routes[i];
        size_t n = strlen(rt->path);
        int prefix = rt->path[n - 1] == '/';
        if (!(rt->listeners & listener) ||
            (prefix ? strncmp(path, rt->path, n) != 0 : strcmp(path, rt->path) != 0))
            continue;
        *rest = path + (prefix ? n : strlen(path));
        return rt;
    }
    return NULL;
}

/* True when method is one of the comma-separated list. */
static int method_allowed(const char *methods, const char *method) {
    size_t n = strlen(method);
    for (const char *m = methods; *m; m += strspn(m, ", ")) {
        size_t len = strcspn(m, ",");
        if (len == n && strncmp(m, method, n) == 0) return 1;
        m += len;
    }
    return 0;
}

static void method_not_allowed(ing_conn *c, const char *allow) {
    char hdr[64];
    size_t len = 0;
    snprintf(hdr, sizeof hdr, "Allow: %s\r\n", allow);
    char *body = ing_conn_error_body(405, "method not allowed", &len);
    ing_conn_reply(c, 405, "application/json", hdr, body ? body : "", body ? len : 0);
    free(body);
}

/* --- the transport's callbacks --------------------------------------------------------- */

static void on_request(void *arg, ing_conn *c, ing_request *r) {
    ing_server *s = arg;
    char *rest = NULL;
    const route *rt = r->refused_status ? NULL : route_of(r->path, r->is_control, &rest);
    /* Nothing on the control listener counts; on the data listener, all but the routes
     * that report on the ingester itself (a refused request and a 404 count too). */
    if (!r->is_control && (!rt || rt->counted)) r->tag = ing_counters_request(&s->counters);
    const char *control_token = s->opt->control_token;
    int token_ok = !rt || rt->token != TOKEN_CONTROL || !control_token ||
                   ing_auth_ok(r->authorization, control_token);
    int to_handler = !r->refused_status && rt && method_allowed(rt->methods, r->method) && token_ok;
    if (!to_handler) {
        /* a streamed body is its handler's to decode (handle_ingest takes it from r);
         * any other answer frees it first: once answered, the request is gone */
        ing_stream_free(r->stream);
        r->stream = NULL;
    }
    if (r->refused_status && r->refused_retry_after_s > 0) {
        char hdr[64];
        size_t len = 0;
        char *body = ing_conn_error_body(r->refused_status, r->refused_why, &len);
        snprintf(hdr, sizeof hdr, "Retry-After: %d\r\n", r->refused_retry_after_s);
        ing_conn_reply(c, r->refused_status, "application/json", hdr, body ? body : "",
                       body ? len : 0);
        free(body);
    } else if (r->refused_status) ing_conn_reply_error(c, r->refused_status, "%s", r->refused_why);
    else if (!rt) ing_conn_reply_error(c, 404, "no such endpoint: %.200s", r->path);
    else if (!method_allowed(rt->methods, r->method)) method_not_allowed(c, rt->methods);
    else if (!token_ok)
        ing_conn_reply_error(c, 401,
                             "missing or wrong control token (Authorization: Bearer TOKEN)");
    else rt->handle(s, c, r, rest);
}

static void on_answered(void *arg, const ing_request *r, int status, uint64_t elapsed_ns) {
    ing_server *s = arg;
    if (r->tag) ing_counters_answer(&s->counters, status, elapsed_ns);
}

static void on_event(void *arg, conn_event ev, int is_control, size_t n) {
    ing_server *s = arg;
    if (is_control) return; /* nothing on the control listener counts */
    switch (ev) {
        case CONN_ACCEPTED: ing_counters_conn_opened(&s->counters); break;
        case CONN_REFUSED: ing_counters_conn_refused(&s->counters); break;
        case CONN_TIMED_OUT: ing_counters_conn_timed_out(&s->counters); break;
        case CONN_CLOSED: ing_counters_conn_closed(&s->counters); break;
        case CONN_BODY_BYTES: ing_counters_received(&s->counters, n); break;
        case CONN_DROPPED: ing_counters_dropped(&s->counters); break;
    }
}

static size_t stream_chunk(void *ctx, const uint8_t *data, size_t len) {
    ing_stream_feed(ctx, data, len);
    return ing_stream_held(ctx);
}

static void stream_discard(void *ctx) {
    ing_stream_free(ctx);
}

/* Take the body of a large folded or lines /ingest as it arrives, when the request will
 * be decoded (fast or slow, its name valid, its token right) and nothing is stored. */
static int on_headers(void *arg, const ing_request *r, conn_body_sink *sink) {
    ing_server *s = arg;
    char *rest;
    if (r->is_control || r->body_len < STREAM_MIN || s->has_store || !behaviour_serves_all(s) ||
        strcmp(r->method, "POST") != 0)
        return 0;
    const route *rt = route_of(r->path, 0, &rest);
    answer a = {0};
    if (!rt || rt->handle != handle_ingest || !authorized(s, r, &a)) {
        free(a.body);
        return 0;
    }
    char query[MAX_URL_QUERY];
    if (strlen(r->query) >= sizeof query) return 0;
    strcpy(query, r->query); /* the handler decodes the request's own later */
    query_param p[MAX_QUERY_PARAMS];
    int n = ing_query_parse(query, p, MAX_QUERY_PARAMS);
    char app[256];
    ing_error err;
    if (n < 0 || ing_parse_app_name(ing_query_get(p, n, "name"), app, sizeof app, &err) < 0)
        return 0;
    ing_limits lim = request_limits(s);
    ing_stream *st = ing_stream_begin(ing_query_get(p, n, "format"),
                                      r->content_type[0] ? r->content_type : NULL, app, &lim);
    if (!st) return 0;
    *sink = (conn_body_sink){.chunk = stream_chunk, .discard = stream_discard, .ctx = st};
    return 1;
}

const conn_callbacks ing_routes_callbacks = {
    .on_request = on_request,
    .on_answered = on_answered,
    .on_event = on_event,
    .on_headers = on_headers,
};
