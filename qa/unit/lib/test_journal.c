/* test_journal.c: lib/journal.c on real files: a write/read round trip, a journal cut
 * mid-line (for the reader and for the writer reopening it), corrupt lines (with their
 * numbers and reasons), a rotated and a truncated file, a missing file, an over-long line,
 * a write that fails half-way (a file size limit) and is cut back.
 * Usage: test_journal [UNIT_DIR] */
#include "journal.h"
#include "../tap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/ab-test-journal.XXXXXX";

typedef struct {
    int n;
    char types[64][32];
    json_int_t runs[64];
} seen;

static void collect(json_t *ev, void *arg) {
    seen *s = arg;
    if (s->n < 64) {
        snprintf(s->types[s->n], sizeof s->types[0], "%s",
                 json_string_value(json_object_get(ev, "type")));
        s->runs[s->n] = json_integer_value(json_object_get(ev, "run"));
    }
    s->n++;
}

static char *path_in(const char *name) {
    static char buf[8][256];
    static int i;
    char *p = buf[i++ % 8];
    snprintf(p, sizeof buf[0], "%s/%s", dir, name);
    return p;
}

static void append_raw(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) perror(path);
    if (fd >= 0) close(fd);
}

static off_t file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

static char *slurp(const char *path) {
    static char buf[1 << 16];
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : 0;
    if (fd >= 0) close(fd);
    buf[n > 0 ? n : 0] = 0;
    return buf;
}

static json_t *run_event(int run) {
    return json_pack("{s:s, s:s, s:i, s:b}", "benchmark", "fib", "variant", "fast", "run", run,
                     "warmup", 0);
}

static void round_trip(void) {
    char err[256] = "";
    const char *p = path_in("rt.jsonl");
    ab_journal *j = ab_journal_open(p, err, sizeof err);
    if (!CHECK(j != NULL, "open a new journal for writing %s", err)) return;
    /* the event's own v/type/t are overridden by the writer */
    CHECK(ab_journal_write(j, "suite_start",
                           json_pack("{s:s, s:i, s:s}", "suite", "s1", "v", 99, "type", "bogus")) ==
              0,
          "write suite_start");
    CHECK(ab_journal_write(j, "run_end", run_event(1)) == 0, "write run_end 1");
    CHECK(ab_journal_write(j, "run_end", run_event(2)) == 0, "write run_end 2");
    CHECK(ab_journal_write(j, "suite_end", NULL) == 0, "write an event with no fields");
    ab_journal_close(j);

    const char *text = slurp(p);
    CHECK(!strncmp(text, "{\"v\":2,\"type\":\"suite_start\",\"t\":", 32),
          "lines start with v, type, t: %.40s", text);
    int lines = 0;
    for (const char *c = text; *c; c++) lines += *c == '\n';
    CHECK(lines == 4 && text[strlen(text) - 1] == '\n', "4 lines, each ending in a newline");

    seen s = {0};
    unsigned long errors = 99;
    int n = ab_journal_read_all(p, collect, &s, &errors);
    CHECK(n == 4 && s.n == 4 && errors == 0, "read_all delivers 4 events, 0 errors (%d, %lu)", n,
          errors);
    CHECK(!strcmp(s.types[0], "suite_start") && !strcmp(s.types[1], "run_end") && s.runs[2] == 2 &&
              !strcmp(s.types[3], "suite_end"),
          "events in order, fields kept");

    /* reopening for append keeps what is there */
    j = ab_journal_open(p, err, sizeof err);
    CHECK(j && ab_journal_write(j, "error", json_pack("{s:s}", "message", "x")) == 0,
          "reopen and append");
    ab_journal_close(j);
    s.n = 0;
    CHECK(ab_journal_read_all(p, collect, &s, NULL) == 5 && !strcmp(s.types[4], "error"),
          "reopened journal has 5 events");

    /* a non-durable append (run_start) is written at once, like a durable one */
    j = ab_journal_open(p, err, sizeof err);
    CHECK(j && ab_journal_append(j, "run_start", run_event(3), 0) == 0 &&
              ab_journal_append(j, "run_end", run_event(3), 1) == 0,
          "append without and with fsync");
    ab_journal_close(j);
    s.n = 0;
    CHECK(ab_journal_read_all(p, collect, &s, NULL) == 7 && !strcmp(s.types[5], "run_start") &&
              !strcmp(s.types[6], "run_end") && s.runs[5] == 3,
          "both appends are read back, in order");

    CHECK(ab_journal_open(path_in("no/such/dir/j.jsonl"), err, sizeof err) == NULL &&
              strstr(err, "cannot open journal") != NULL,
          "unwritable path: %s", err);
}

static void cut_mid_line(void) {
    const char *p = path_in("cut.jsonl");
    append_raw(p, "{\"v\":1,\"type\":\"run_end\",\"t\":1,\"run\":1}\n"
                  "{\"v\":1,\"type\":\"run_end\",\"t\":2,\"run\":2}\n"
                  "{\"v\":1,\"type\":\"run_e");
    off_t two_lines = 2 * (off_t)strlen("{\"v\":1,\"type\":\"run_end\",\"t\":1,\"run\":1}\n");
    ab_journal_reader *r = ab_journal_reader_new(p);
    seen s = {0};
    int n = ab_journal_reader_poll(r, collect, &s);
    CHECK(n == 2 && ab_journal_reader_offset(r) == two_lines && ab_journal_reader_errors(r) == 0,
          "reader stops before the incomplete last line (n=%d offset=%lld)", n,
          (long long)ab_journal_reader_offset(r));
    CHECK(ab_journal_reader_poll(r, collect, &s) == 0, "polling again gives nothing new");
    append_raw(p, "nd\",\"t\":3,\"run\":3}\n");
    n = ab_journal_reader_poll(r, collect, &s);
    CHECK(n == 1 && s.n == 3 && s.runs[2] == 3, "the completed line is read later (n=%d)", n);
    CHECK(ab_journal_reader_offset(r) == file_size(p), "offset at the end of the file");
    ab_journal_reader_free(r);

    /* the writer repairs a crash mid-write: cut back to the last newline */
    const char *w = path_in("crash.jsonl");
    append_raw(w, "{\"v\":1,\"type\":\"run_end\",\"t\":1,\"run\":1}\n{\"v\":1,\"type\":\"ru");
    char err[256];
    ab_journal *j = ab_journal_open(w, err, sizeof err);
    CHECK(j && file_size(w) == two_lines / 2, "open truncates the incomplete tail (size %lld)",
          (long long)file_size(w));
    ab_journal_write(j, "run_end", run_event(2));
    ab_journal_close(j);
    unsigned long errors = 9;
    s.n = 0;
    n = ab_journal_read_all(w, collect, &s, &errors);
    CHECK(n == 2 && errors == 0 && s.runs[1] == 2, "after the repair: 2 good events, 0 errors");

    const char *only = path_in("only-partial.jsonl");
    append_raw(only, "{\"v\":1,\"ty");
    j = ab_journal_open(only, err, sizeof err);
    CHECK(j && file_size(only) == 0, "a journal holding only a partial line is emptied");
    ab_journal_close(j);
}

static void corrupt_lines(void) {
    const char *p = path_in("corrupt.jsonl");
    append_raw(p, "garbage here\n"
                  "[1,2,3]\n"
                  "{\"v\":3,\"type\":\"run_end\",\"t\":1}\n"
                  "{\"v\":0,\"type\":\"run_end\",\"t\":1}\n"
                  "{\"v\":1,\"t\":1}\n"
                  "{\"v\":\"1\",\"type\":\"run_end\"}\n"
                  "\n"
                  "{\"v\":1,\"type\":\"run_end\",\"t\":1,\"run\":7}\n"
                  "{\"v\":1,\"type\":\"run_end\"} trailing\n"
                  "{\"v\":2,\"type\":\"run_end\",\"t\":1,\"run\":8}\n"
                  "{\"v\":1,\"type\":\"suite_end\",\"t\":2}\n");
    seen s = {0};
    unsigned long errors = 0;
    int n = ab_journal_read_all(p, collect, &s, &errors);
    CHECK(n == 3 && s.runs[0] == 7 && s.runs[1] == 8 && !strcmp(s.types[2], "suite_end"),
          "good events (v 1 and v 2) around corrupt lines are delivered (n=%d)", n);
    CHECK(errors == 7,
          "7 bad lines counted: not JSON, array, v 3, v 0, no type, v string, "
          "trailing garbage (got %lu; a blank line is no error)",
          errors);

    unsigned long e2 = 0;
    int events = 0;
    const char buf[] = "{\"v\":1,\"type\":\"a\"}\nnope\n{\"v\":1,\"type\":\"b\"}\n{\"v\":1,";
    size_t used = ab_journal_parse_buffer(buf, sizeof buf - 1, NULL, NULL, &e2, &events);
    CHECK(used == strlen("{\"v\":1,\"type\":\"a\"}\nnope\n{\"v\":1,\"type\":\"b\"}\n") &&
              events == 2 && e2 == 1,
          "parse_buffer consumes complete lines only");
}

static void rotated_and_truncated(void) {
    const char *p = path_in("rot.jsonl"), *other = path_in("rot.new");
    char err[256];
    ab_journal *j = ab_journal_open(p, err, sizeof err);
    for (int i = 1; i <= 3; i++) ab_journal_write(j, "run_end", run_event(i));
    ab_journal_close(j);

    ab_journal_reader *r = ab_journal_reader_new(p);
    seen s = {0};
    CHECK(ab_journal_reader_poll(r, collect, &s) == 3, "3 events before rotation");

    j = ab_journal_open(other, err, sizeof err);
    ab_journal_write(j, "suite_start", NULL);
    ab_journal_close(j);
    CHECK(rename(other, p) == 0, "replace the journal by another file");
    s.n = 0;
    int n = ab_journal_reader_poll(r, collect, &s);
    CHECK(n == -2 && s.n == 0 && ab_journal_reader_offset(r) == 0,
          "a replaced file (new inode) gives -2 and rewinds (n=%d)", n);
    n = ab_journal_reader_poll(r, collect, &s);
    CHECK(n == 1 && !strcmp(s.types[0], "suite_start"), "then the new file is read from its start");

    /* same inode, shrunk */
    j = ab_journal_open(p, err, sizeof err);
    for (int i = 1; i <= 3; i++) ab_journal_write(j, "run_end", run_event(i));
    ab_journal_close(j);
    s.n = 0;
    CHECK(ab_journal_reader_poll(r, collect, &s) == 3, "3 more events appended");
    CHECK(truncate(p, 0) == 0, "truncate the journal");
    append_raw(p, "{\"v\":1,\"type\":\"suite_start\",\"t\":5}\n");
    n = ab_journal_reader_poll(r, collect, &s);
    CHECK(n == -2, "a shrunk file gives -2 (n=%d)", n);
    s.n = 0;
    CHECK(ab_journal_reader_poll(r, collect, &s) == 1 && s.n == 1, "and is read again");

    /* same inode, truncated and grown past the old offset before the next poll */
    append_raw(p, "{\"v\":1,\"type\":\"run_end\",\"t\":6,\"run\":1}\n");
    CHECK(ab_journal_reader_poll(r, collect, &s) == 1, "one more event");
    CHECK(truncate(p, 0) == 0, "truncate again");
    for (int i = 0; i < 5; i++) append_raw(p, "{\"v\":1,\"type\":\"run_end\",\"t\":7,\"run\":2}\n");
    n = ab_journal_reader_poll(r, collect, &s);
    CHECK(n == -2, "a file rewritten in place past the old offset gives -2 (n=%d)", n);
    s.n = 0;
    CHECK(ab_journal_reader_poll(r, collect, &s) == 5, "and is read again from its start");

    CHECK(unlink(p) == 0 && ab_journal_reader_poll(r, collect, &s) == -1,
          "a missing file gives -1");
    append_raw(p, "{\"v\":1,\"type\":\"suite_start\",\"t\":6}\n");
    n = ab_journal_reader_poll(r, collect, &s);
    if (n == -2) n = ab_journal_reader_poll(r, collect, &s);
    CHECK(n == 1, "a recreated file is read from the start");
    ab_journal_reader_free(r);

    ab_journal_reader *missing = ab_journal_reader_new(path_in("never.jsonl"));
    CHECK(ab_journal_reader_poll(missing, collect, &s) == -1 &&
              ab_journal_read_all(path_in("never.jsonl"), collect, &s, NULL) == -1,
          "a journal that never existed: -1");
    ab_journal_reader_free(missing);
}

static void long_line(void) {
    const char *p = path_in("long.jsonl");
    size_t big = (5u << 20);
    char *line = malloc(big + 64);
    strcpy(line, "{\"v\":1,\"type\":\"x\",\"pad\":\"");
    size_t len = strlen(line);
    memset(line + len, 'a', big);
    strcpy(line + len + big, "\"}\n");
    append_raw(p, "{\"v\":1,\"type\":\"before\"}\n");
    append_raw(p, line);
    append_raw(p, "{\"v\":1,\"type\":\"after\"}\n");
    free(line);
    seen s = {0};
    unsigned long errors = 0;
    int n = ab_journal_read_all(p, collect, &s, &errors);
    CHECK(n == 2 && errors == 1 && !strcmp(s.types[1], "after"),
          "a 5 MiB line is skipped as one error, the next line is read (n=%d errors=%lu)", n,
          errors);

    /* the same while the long line is still being written */
    const char *q = path_in("long2.jsonl");
    char *chunk = malloc(3u << 20);
    memset(chunk, 'b', 3u << 20);
    chunk[(3u << 20) - 1] = 0;
    append_raw(q, "{\"v\":1,\"type\":\"x\",\"pad\":\"");
    ab_journal_reader *r = ab_journal_reader_new(q);
    s.n = 0;
    int polls_ok = 1;
    for (int i = 0; i < 3; i++) { /* 9 MiB, polled after each 3 MiB */
        append_raw(q, chunk);
        polls_ok &= ab_journal_reader_poll(r, collect, &s) == 0;
    }
    append_raw(q, "\"}\n{\"v\":1,\"type\":\"after\"}\n");
    n = ab_journal_reader_poll(r, collect, &s);
    CHECK(polls_ok && n == 1 && s.n == 1 && ab_journal_reader_errors(r) == 1 &&
              ab_journal_reader_offset(r) == file_size(q),
          "an over-long line growing across polls is one error (errors %lu), then reading goes on",
          ab_journal_reader_errors(r));
    ab_journal_reader_free(r);
    free(chunk);
}

static void incremental(void) {
    const char *p = path_in("inc.jsonl");
    char err[256];
    ab_journal *j = ab_journal_open(p, err, sizeof err);
    ab_journal_reader *r = ab_journal_reader_new(p);
    seen s = {0};
    int total = 0, polls_ok = 1;
    for (int i = 1; i <= 50; i++) {
        ab_journal_write(j, "run_end", run_event(i));
        if (i % 7 == 0) {
            int n = ab_journal_reader_poll(r, collect, &s);
            if (n < 0) polls_ok = 0;
            else total += n;
        }
    }
    total += ab_journal_reader_poll(r, collect, &s);
    int in_order = 1;
    for (int i = 0; i < 50; i++) in_order &= s.runs[i < 64 ? i : 63] == i + 1;
    CHECK(polls_ok && total == 50 && s.n == 50 && in_order,
          "polling while writing sees each of 50 events once, in order");
    ab_journal_reader_free(r);
    ab_journal_close(j);
}

typedef struct {
    int n;
    unsigned long line[16];
    char reason[16][160];
} skips;

static void on_skip(unsigned long line, const char *reason, void *arg) {
    skips *k = arg;
    if (k->n < 16) {
        k->line[k->n] = line;
        snprintf(k->reason[k->n], sizeof k->reason[0], "%s", reason);
    }
    k->n++;
}

/* Every skipped line is told with its number and why; an incomplete last line too. */
static void skip_reasons(void) {
    const char *p = path_in("skips.jsonl");
    append_raw(p, "{\"v\":1,\"type\":\"suite_start\"}\n"       /* 1 */
                  "garbage\n"                                  /* 2 */
                  "\n"                                         /* 3: blank, not skipped */
                  "[1,2]\n"                                    /* 4 */
                  "{\"v\":3,\"type\":\"run_end\"}\n"           /* 5 */
                  "{\"type\":\"run_end\"}\n"                   /* 6 */
                  "{\"v\":1}\n"                                /* 7 */
                  "{\"v\":1,\"type\":\"run_end\",\"run\":1}\n" /* 8 */
                  "{\"v\":1,\"type\":\"run_e");                /* 9: incomplete */
    seen s = {0};
    skips k = {0};
    ab_journal_read_info info = {.on_skip = on_skip, .skip_arg = &k};
    int n = ab_journal_read(p, collect, &s, &info);
    CHECK(n == 2 && info.events == 2 && info.errors == 5 && info.lines == 8 && info.pending == 20,
          "2 events, 5 bad lines of 8, 24 bytes pending (got %d %lu %lu %lld)", n, info.errors,
          info.lines, (long long)info.pending);
    CHECK(k.n == 6 && k.line[0] == 2 && !strncmp(k.reason[0], "not JSON (", 10) && k.line[1] == 4 &&
              !strcmp(k.reason[1], "not a JSON object") && k.line[2] == 5 &&
              !strcmp(k.reason[2], "not schema version 1 or 2 (\"v\")") && k.line[3] == 6 &&
              !strcmp(k.reason[3], "no schema version (\"v\")") && k.line[4] == 7 &&
              !strcmp(k.reason[4], "no event type (\"type\")") && k.line[5] == 9 &&
              !strncmp(k.reason[5], "incomplete: 20 bytes", 20),
          "each skipped line with its number and reason (%d: %lu %s / %lu %s)", k.n, k.line[0],
          k.reason[0], k.line[5], k.reason[5]);
}

/* A write that fails half-way (here a file size limit: EFBIG after a partial write, as a
 * full disk gives ENOSPC) is cut back: the file ends with its last complete line, and the
 * next event, once there is room, starts on a line of its own. */
static void failed_write(void) {
    char err[256] = "";
    const char *p = path_in("full.jsonl");
    ab_journal *j = ab_journal_open(p, err, sizeof err);
    if (!CHECK(j != NULL, "open %s", err)) return;
    CHECK(ab_journal_write(j, "run_end", run_event(1)) == 0, "first event written");
    off_t good = file_size(p);
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = (rlim_t)good + 20; /* room for 20 bytes of the next line */
    signal(SIGXFSZ, SIG_IGN);
    setrlimit(RLIMIT_FSIZE, &lim);
    errno = 0;
    int rc = ab_journal_write(j, "run_end", run_event(2));
    int e = errno;
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, SIG_DFL);
    CHECK(rc == -1 && e == EFBIG, "the write fails with EFBIG (rc %d, %s)", rc, strerror(e));
    CHECK(file_size(p) == good, "and is cut back to the last complete line (%lld, want %lld)",
          (long long)file_size(p), (long long)good);
    CHECK(ab_journal_write(j, "run_end", run_event(3)) == 0, "the next write, with room, works");
    ab_journal_close(j);
    seen s = {0};
    unsigned long errors = 9;
    CHECK(ab_journal_read_all(p, collect, &s, &errors) == 2 && errors == 0 && s.runs[0] == 1 &&
              s.runs[1] == 3,
          "the file holds runs 1 and 3, no broken line (%d events, %lu bad)", s.n, errors);
}

int main(void) {
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    skip_reasons();
    failed_write();
    round_trip();
    cut_mid_line();
    corrupt_lines();
    rotated_and_truncated();
    long_line();
    incremental();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return TAP_DONE();
}
