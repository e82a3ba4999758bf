/* test_server_conn.c: the transport (conn.h) on its own, with callbacks of the test's
 * instead of routes.c, on real sockets (socketpairs) and a real libuv loop: pipelined
 * requests reach on_request as views (method, path, query without the fragment, an
 * absolute-form target reduced to its path, headers, body), in order; on_answered sees
 * each answer with the user's tag; on_event reports the connection accepted, its body
 * bytes and its close; a body over max_body is handed over refused (413) and the
 * connection closes after the answer; a data connection over max_connections is refused
 * with 503 while a control one is not capped; a body the set's max_buffered has no room
 * for (beside one still arriving) is handed over refused (503, Retry-After 1) without
 * being read, and fits again once the other is answered; shutdown calls back once all
 * are gone. */
#include "conn.h"
#include "../tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_SEEN 8

typedef struct seen_request {
    char method[16], path[64], query[64], content_type[64], authorization[64], body[64];
    int refused_status, is_control, retry_after;
} seen_request;

static seen_request seen[MAX_SEEN];
static int nseen, answered[MAX_SEEN], answered_status[MAX_SEEN], nanswered;
static int events[CONN_DROPPED + 1];
static size_t body_bytes;
static int shutdown_done;

static void on_request(void *arg, ing_conn *c, ing_request *r) {
    seen_request *s = &seen[nseen < MAX_SEEN ? nseen : MAX_SEEN - 1];
    snprintf(s->method, sizeof s->method, "%s", r->method);
    snprintf(s->path, sizeof s->path, "%s", r->path);
    snprintf(s->query, sizeof s->query, "%s", r->query);
    snprintf(s->content_type, sizeof s->content_type, "%s", r->content_type);
    snprintf(s->authorization, sizeof s->authorization, "%s",
             r->authorization ? r->authorization : "(none)");
    snprintf(s->body, sizeof s->body, "%.*s", (int)r->body_len,
             r->body ? (const char *)r->body : "");
    s->refused_status = r->refused_status;
    s->is_control = r->is_control;
    s->retry_after = r->refused_retry_after_s;
    r->tag = (uint64_t)++nseen;
    if (r->refused_status) ing_conn_reply_error(c, r->refused_status, "%s", r->refused_why);
    else ing_conn_reply(c, 200, "text/plain", NULL, r->path, strlen(r->path));
}

static void on_answered(void *arg, const ing_request *r, int status, uint64_t elapsed_ns) {
    if (nanswered < MAX_SEEN) {
        answered[nanswered] = (int)r->tag;
        answered_status[nanswered] = status;
    }
    nanswered++;
}

static void on_event(void *arg, conn_event ev, int is_control, size_t n) {
    events[ev]++;
    if (ev == CONN_BODY_BYTES) body_bytes += n;
}

static void on_shutdown_done(void *arg) {
    shutdown_done++;
}

static const conn_callbacks callbacks = {on_request, on_answered, on_event, NULL};

/* A connected socketpair: the transport gets one end, the test keeps *client. */
static void adopt(conn_set *set, int is_control, int *client) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) abort();
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    ing_conn_adopt(set, sv[0], is_control);
    *client = sv[1];
}

/* Run the loop, collecting what fd receives, until it holds want (or EOF, or ~2 s). */
static void collect(conn_set *set, int fd, char *buf, size_t size, const char *want, int *eof) {
    size_t len = strlen(buf);
    for (int i = 0; i < 2000 && !strstr(buf, want) && !*eof; i++) {
        uv_run(set->loop, UV_RUN_NOWAIT);
        ssize_t n = read(fd, buf + len, size - 1 - len);
        if (n > 0) {
            len += (size_t)n;
            buf[len] = '\0';
        } else if (n == 0) {
            *eof = 1;
        } else if (errno == EAGAIN) {
            usleep(1000);
        }
    }
}

static int count(const char *hay, const char *needle) {
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

int main(void) {
    uv_loop_t *loop = uv_default_loop();
    conn_set set;
    conn_limits lim = {.max_body = 64, .idle_timeout_s = 5, .max_connections = 1};
    ing_conn_set_init(&set, loop, &lim, &callbacks, NULL);

    int a, eof = 0;
    char got[8192] = "";
    adopt(&set, 0, &a);
    const char two[] =
        "POST /ingest?name=app&x=%41#frag HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\n"
        "Authorization: Bearer tok\r\nContent-Length: 5\r\n\r\nhello"
        "GET http://h:1/p/q?k=v HTTP/1.1\r\nHost: h\r\n\r\n";
    CHECK(write(a, two, sizeof two - 1) == (ssize_t)(sizeof two - 1),
          "two pipelined requests sent");
    collect(&set, a, got, sizeof got, "/p/q", &eof);
    CHECK(nseen == 2 && count(got, "HTTP/1.1 200 OK") == 2,
          "both reach on_request and are answered, "
          "in order (%d requests)",
          nseen);
    CHECK(strcmp(seen[0].method, "POST") == 0 && strcmp(seen[0].path, "/ingest") == 0 &&
              strcmp(seen[0].query, "name=app&x=%41") == 0,
          "view: method, path, query without the "
          "fragment (%s %s ? %s)",
          seen[0].method, seen[0].path, seen[0].query);
    CHECK(strcmp(seen[0].content_type, "text/plain") == 0 &&
              strcmp(seen[0].authorization, "Bearer tok") == 0 &&
              strcmp(seen[0].body, "hello") == 0 && !seen[0].is_control && !seen[0].refused_status,
          "view: headers and body");
    CHECK(strcmp(seen[1].method, "GET") == 0 && strcmp(seen[1].path, "/p/q") == 0 &&
              strcmp(seen[1].query, "k=v") == 0 && strcmp(seen[1].authorization, "(none)") == 0 &&
              seen[1].body[0] == '\0',
          "view: an absolute-form target reduced to path and query");
    CHECK(nanswered == 2 && answered[0] == 1 && answered[1] == 2 && answered_status[0] == 200,
          "on_answered: each answer, with the tag the user gave its request");
    CHECK(events[CONN_ACCEPTED] == 1 && body_bytes == 5 && events[CONN_CLOSED] == 0,
          "on_event: accepted, 5 body bytes, still open (keep-alive)");

    /* Over the cap of one data connection: 503 and closed; a control one is not capped. */
    int b, c, beof = 0, ceof = 0;
    char bgot[1024] = "", cgot[1024] = "";
    adopt(&set, 0, &b);
    collect(&set, b, bgot, sizeof bgot, "\n}", &beof);
    CHECK(strstr(bgot, "HTTP/1.1 503 ") && strstr(bgot, "Connection: close") &&
              events[CONN_REFUSED] == 1 && nseen == 2,
          "a second data connection: 503, closed, "
          "reported refused, no request handed over");
    adopt(&set, 1, &c);
    const char ctl[] = "GET /stats HTTP/1.1\r\nHost: h\r\n\r\n";
    CHECK(write(c, ctl, sizeof ctl - 1) == (ssize_t)(sizeof ctl - 1), "a control request sent");
    collect(&set, c, cgot, sizeof cgot, "/stats", &ceof);
    CHECK(nseen == 3 && seen[2].is_control && strstr(cgot, "HTTP/1.1 200 OK"),
          "a control connection is served whatever the data cap");

    /* A body over max_body: handed over refused, answered, then the connection closes. */
    const char big[] = "POST /ingest HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n";
    got[0] = '\0';
    CHECK(write(a, big, sizeof big - 1) == (ssize_t)(sizeof big - 1),
          "a request over max_body sent");
    collect(&set, a, got, sizeof got, "\n}", &eof);
    CHECK(nseen == 4 && seen[3].refused_status == 413 && strstr(got, "HTTP/1.1 413 ") &&
              strstr(got, "Connection: close") && strstr(got, "--max-body"),
          "over max_body: on_request gets it refused (413, with the reason), the answer closes");
    CHECK(nanswered == 4 && answered_status[3] == 413, "the refusal's answer is reported too "
                                                       "(the over-cap 503 answered no request)");

    /* A budget of 100 buffered bytes for the set: a 60-byte body still arriving holds 60,
     * so another 60-byte one is refused before its body is read; once the first is
     * answered, it fits. */
    conn_set small;
    conn_limits slim = {
        .max_body = 64, .idle_timeout_s = 5, .max_connections = 4, .max_buffered = 100};
    ing_conn_set_init(&small, loop, &slim, &callbacks, NULL);
    int d, e, deof = 0, eeof = 0;
    char dgot[1024] = "", egot[1024] = "";
    adopt(&small, 0, &d);
    adopt(&small, 0, &e);
    const char part[] = "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 60\r\n\r\n0123456789";
    CHECK(write(d, part, sizeof part - 1) == (ssize_t)(sizeof part - 1), "a 60-byte body begun");
    for (int i = 0; i < 50; i++) uv_run(loop, UV_RUN_NOWAIT);
    CHECK(small.buffered == 60, "the body in progress holds 60 of the 100 bytes (%zu)",
          small.buffered);
    const char next[] = "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 60\r\n\r\n";
    CHECK(write(e, next, sizeof next - 1) == (ssize_t)(sizeof next - 1),
          "another 60-byte body announced");
    collect(&small, e, egot, sizeof egot, "\n}", &eeof);
    CHECK(nseen == 5 && seen[4].refused_status == 503 && seen[4].retry_after == 1 &&
              strstr(egot, "HTTP/1.1 503 ") && strstr(egot, "Connection: close") &&
              strstr(egot, "--max-buffered"),
          "no room for it: handed over refused, 503, Retry-After 1, the answer closes");
    char rest[51];
    memset(rest, 'x', 50);
    CHECK(write(d, rest, 50) == 50, "the first body ends");
    collect(&small, d, dgot, sizeof dgot, "/a", &deof);
    CHECK(nseen == 6 && !seen[5].refused_status && strlen(seen[5].body) == 60 &&
              small.buffered == 0,
          "the first is served, and its 60 bytes given back (%zu held)", small.buffered);
    const char again[] = "POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 60\r\n\r\n"
                         "012345678901234567890123456789012345678901234567890123456789";
    dgot[0] = '\0';
    CHECK(write(d, again, sizeof again - 1) == (ssize_t)(sizeof again - 1), "a 60-byte body again");
    collect(&small, d, dgot, sizeof dgot, "/c", &deof);
    CHECK(nseen == 7 && !seen[6].refused_status, "it fits now");
    close(d);
    close(e);
    ing_conn_set_shutdown(&small, on_shutdown_done, NULL);
    for (int i = 0; i < 2000 && !conn_set_empty(&small); i++) {
        uv_run(loop, UV_RUN_NOWAIT);
        usleep(500);
    }
    shutdown_done = 0;

    /* The clients of the two draining connections go; the idle control one is left to
     * the shutdown. */
    close(a);
    close(b);
    ing_conn_set_shutdown(&set, on_shutdown_done, NULL);
    for (int i = 0; i < 2000 && !conn_set_empty(&set); i++) {
        uv_run(loop, UV_RUN_NOWAIT);
        usleep(500);
    }
    uv_run(loop, UV_RUN_NOWAIT);
    CHECK(conn_set_empty(&set) && shutdown_done == 1,
          "shutdown: every connection closed, done called once");
    CHECK(events[CONN_ACCEPTED] == 4 && events[CONN_CLOSED] == 4,
          "closed reported for the four "
          "accepted connections, not the refused one (%d)",
          events[CONN_CLOSED]);
    close(c);
    uv_run(loop, UV_RUN_NOWAIT);
    return TAP_DONE();
}
