/* journal.c: the suite journal of doc/journal.md. An event's head ("v", "type" and the
 * time "t") is made in one place, ab_journal_event(); the writer appends one compact JSON
 * object per line with a single write() and fsync()s it (or, for events that need not
 * survive a crash, leaves that to the next durable write). The writer knows where its last
 * complete line ends: a write that fails (a full disk, a file size limit) is cut back to
 * there, so the file never holds half an event for the next one to be glued to. The
 * reader follows the file by offset, numbers its lines, says which it skipped and why,
 * leaves a half-written last line for later, and notices a replaced or truncated file. */
#include "journal.h"
#include "json_get.h"
#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A line longer than this is not an event: it is skipped and counted as an error. */
#define AB_JOURNAL_MAX_LINE (4u << 20)

struct ab_journal {
    int fd;
    off_t end; /* where the last complete line ends: a failed write is cut
                * back to here */
};

/* If the file does not end with '\n', cut it back to just after its last '\n'. */
static int truncate_incomplete_tail(int fd) {
    struct stat st;
    if (fstat(fd, &st) < 0) return -1;
    off_t end = st.st_size;
    if (end == 0) return 0;
    char buf[4096];
    off_t pos = end;
    int first = 1;
    while (pos > 0) {
        size_t chunk = pos > (off_t)sizeof buf ? sizeof buf : (size_t)pos;
        pos -= (off_t)chunk;
        ssize_t got = pread(fd, buf, chunk, pos);
        if (got != (ssize_t)chunk) return -1;
        for (size_t i = chunk; i-- > 0;) {
            if (buf[i] == '\n') {
                if (first && pos + (off_t)i == end - 1) return 0; /* complete */
                return ftruncate(fd, pos + (off_t)i + 1);
            }
            first = 0;
        }
    }
    return ftruncate(fd, 0); /* a single incomplete line */
}

/* fsync the directory holding path, so that a new file's name survives a crash. */
static void sync_parent_dir(const char *path) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == dir) dir[1] = 0;
    else *slash = 0;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
}

ab_journal *ab_journal_open(const char *path, char *err, size_t errlen) {
    int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) sync_parent_dir(path);
    }
    if (fd < 0) {
        snprintf(err, errlen, "cannot open journal %s: %s", path, strerror(errno));
        return NULL;
    }
    /* pread needs read access: look at the tail through a second descriptor */
    int rfd = open(path, O_RDWR | O_CLOEXEC);
    if (rfd < 0 || truncate_incomplete_tail(rfd) < 0) {
        snprintf(err, errlen, "cannot repair the end of journal %s: %s", path, strerror(errno));
        if (rfd >= 0) close(rfd);
        close(fd);
        return NULL;
    }
    close(rfd);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        snprintf(err, errlen, "cannot stat journal %s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    ab_journal *j = malloc(sizeof *j);
    if (!j) {
        snprintf(err, errlen, "out of memory");
        close(fd);
        return NULL;
    }
    j->fd = fd;
    j->end = st.st_size;
    return j;
}

json_t *ab_journal_event(const char *type) {
    json_t *ev = json_object();
    if (!ev || json_object_set_new(ev, "v", json_integer(AB_JOURNAL_VERSION)) ||
        json_object_set_new(ev, "type", json_string(type)) ||
        json_object_set_new(ev, "t", json_real(ab_wall_s()))) {
        json_decref(ev);
        return NULL;
    }
    return ev;
}

/* Write buf[0..len) with one write(2), looping only if the kernel writes less. */
static int write_all(int fd, const char *buf, size_t len) {
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, buf + off, len - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        off += (size_t)w;
    }
    return 0;
}

int ab_journal_put(ab_journal *j, json_t *ev, int durable) {
    json_t *v = json_object_get(ev, "v");
    if (!j || !json_is_integer(v) || json_integer_value(v) != AB_JOURNAL_VERSION ||
        !json_is_string(json_object_get(ev, "type"))) {
        errno = EINVAL;
        return -1;
    }
    size_t len;
    char *buf = ab_json_line(ev, JSON_COMPACT | JSON_ENSURE_ASCII, &len);
    if (!buf) {
        errno = ENOMEM;
        return -1;
    }
    int rc = write_all(j->fd, buf, len);
    while (rc == 0 && durable && fsync(j->fd) < 0)
        if (errno != EINTR) rc = -1;
    int e = errno;
    free(buf);
    if (rc < 0) {
        /* the event is not in the journal: nor is any part of it (a partial write) */
        if (ftruncate(j->fd, j->end) < 0) {
            /* cannot cut it either: the next ab_journal_open() will */
        }
        errno = e;
        return -1;
    }
    j->end += (off_t)len;
    return 0;
}

int ab_journal_append(ab_journal *j, const char *type, json_t *ev, int durable) {
    if (!j || !type || (ev && !json_is_object(ev))) {
        json_decref(ev);
        errno = EINVAL;
        return -1;
    }
    /* the head first, then the event's own fields in their order */
    json_t *line = ab_journal_event(type);
    if (!line) {
        json_decref(ev);
        errno = ENOMEM;
        return -1;
    }
    if (ev) {
        const char *key;
        json_t *val;
        json_object_foreach(ev, key, val) {
            if (strcmp(key, "v") && strcmp(key, "type") && strcmp(key, "t"))
                json_object_set(line, key, val);
        }
        json_decref(ev);
    }
    int rc = ab_journal_put(j, line, durable);
    int e = errno;
    json_decref(line);
    errno = e;
    return rc;
}

int ab_journal_write(ab_journal *j, const char *type, json_t *ev) {
    return ab_journal_append(j, type, ev, 1);
}

void ab_journal_close(ab_journal *j) {
    if (!j) return;
    fsync(j->fd);
    close(j->fd);
    free(j);
}

/* ---- reading ---------------------------------------------------------------------- */

struct ab_journal_reader {
    char *path;
    off_t offset; /* start of the first byte not yet consumed */
    dev_t dev;
    ino_t ino;
    int have_id;
    char head[64]; /* the file's first bytes, to notice a rewrite in place */
    size_t headlen;
    unsigned long errors;
    unsigned long lines; /* complete lines consumed (the next line's number - 1) */
    off_t pending;       /* bytes after offset at the last poll: an incomplete line */
    int skipping;        /* inside an over-long line: drop bytes up to its '\n' */
    ab_journal_skip_cb on_skip;
    void *skip_arg;
    ab_journal_line_cb line_cb;
};

/* How lines are parsed: where the events go, and what is counted and said. */
typedef struct line_sink {
    ab_journal_event_cb cb;
    void *arg;
    unsigned long *errors, *lines;
    int *events;
    ab_journal_skip_cb on_skip;
    void *skip_arg;
    ab_journal_line_cb line_cb; /* the fast path, tried first (NULL: none) */
} line_sink;

static void skipped(const line_sink *k, const char *reason) {
    (*k->errors)++;
    if (k->on_skip) k->on_skip(*k->lines, reason, k->skip_arg);
}

/* Parse one line (without its '\n', numbered *k->lines); deliver it or say why not. */
static void handle_line(const char *line, size_t len, const line_sink *k) {
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) i++;
    if (i == len) return; /* blank line: nothing */
    if (k->line_cb && k->line_cb(line, len, k->arg)) {
        if (k->events) (*k->events)++;
        return;
    }
    json_error_t jerr;
    json_t *ev = json_loadb(line, len, 0, &jerr);
    char why[200];
    if (!ev) {
        snprintf(why, sizeof why, "not JSON (%s at column %d)", jerr.text, jerr.column);
        /* jansson quotes the bad token: keep the reason printable ASCII */
        for (char *p = why; *p; p++)
            if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) *p = '?';
        skipped(k, why);
        return;
    }
    json_t *v = json_object_get(ev, "v");
    if (!json_is_object(ev)) skipped(k, "not a JSON object");
    else if (!json_is_integer(v) || json_integer_value(v) < AB_JOURNAL_OLDEST_VERSION ||
             json_integer_value(v) > AB_JOURNAL_VERSION)
        skipped(k, v ? "not schema version 1 or 2 (\"v\")" : "no schema version (\"v\")");
    else if (!json_is_string(json_object_get(ev, "type"))) skipped(k, "no event type (\"type\")");
    else {
        if (k->cb) k->cb(ev, k->arg);
        if (k->events) (*k->events)++;
    }
    json_decref(ev);
}

/* The complete lines of buf[0..len); returns the bytes consumed (through the last '\n'). */
static size_t parse_lines(const char *buf, size_t len, const line_sink *k) {
    size_t start = 0;
    while (start < len) {
        const char *nl = memchr(buf + start, '\n', len - start);
        if (!nl) break;
        size_t end = (size_t)(nl - buf);
        (*k->lines)++;
        if (end - start > AB_JOURNAL_MAX_LINE) skipped(k, "longer than 4 MiB");
        else handle_line(buf + start, end - start, k);
        start = end + 1;
    }
    return start;
}

size_t ab_journal_parse_buffer(const char *buf, size_t len, ab_journal_event_cb cb, void *arg,
                               unsigned long *errors, int *events) {
    unsigned long dummy = 0, lines = 0;
    line_sink k = {.cb = cb,
                   .arg = arg,
                   .errors = errors ? errors : &dummy,
                   .lines = &lines,
                   .events = events};
    return parse_lines(buf, len, &k);
}

ab_journal_reader *ab_journal_reader_new(const char *path) {
    ab_journal_reader *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->path = strdup(path);
    if (!r->path) {
        free(r);
        return NULL;
    }
    return r;
}

void ab_journal_reader_free(ab_journal_reader *r) {
    if (!r) return;
    free(r->path);
    free(r);
}

void ab_journal_reader_on_line(ab_journal_reader *r, ab_journal_line_cb line_cb) {
    if (r) r->line_cb = line_cb;
}

void ab_journal_reader_on_skip(ab_journal_reader *r, ab_journal_skip_cb cb, void *arg) {
    r->on_skip = cb;
    r->skip_arg = arg;
}

unsigned long ab_journal_reader_errors(const ab_journal_reader *r) {
    return r ? r->errors : 0;
}

off_t ab_journal_reader_offset(const ab_journal_reader *r) {
    return r ? r->offset : 0;
}

unsigned long ab_journal_reader_lines(const ab_journal_reader *r) {
    return r ? r->lines : 0;
}

off_t ab_journal_reader_pending(const ab_journal_reader *r) {
    return r ? r->pending : 0;
}

/* The file was replaced or rewritten: forget what was read, so the next poll reads it
 * from the start. Closes fd; returns -2, ab_journal_reader_poll's "start over". */
static int reader_start_over(ab_journal_reader *r, int fd) {
    r->offset = 0;
    r->errors = 0;
    r->lines = 0;
    r->pending = 0;
    r->headlen = 0;
    r->skipping = 0;
    close(fd);
    return -2;
}

int ab_journal_reader_poll(ab_journal_reader *r, ab_journal_event_cb cb, void *arg) {
    int fd = open(r->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        close(fd);
        return -1;
    }
    if (r->have_id && (st.st_dev != r->dev || st.st_ino != r->ino || st.st_size < r->offset)) {
        /* replaced or truncated: start over */
        r->dev = st.st_dev;
        r->ino = st.st_ino;
        return reader_start_over(r, fd);
    }
    if (r->have_id && r->headlen > 0) {
        char now[sizeof r->head];
        if (pread(fd, now, r->headlen, 0) != (ssize_t)r->headlen ||
            memcmp(now, r->head, r->headlen)) {
            /* same inode, rewritten from the start (truncated, then grew again) */
            return reader_start_over(r, fd);
        }
    }
    r->dev = st.st_dev;
    r->ino = st.st_ino;
    r->have_id = 1;

    int events = 0;
    line_sink k = {.cb = cb,
                   .arg = arg,
                   .errors = &r->errors,
                   .lines = &r->lines,
                   .events = &events,
                   .on_skip = r->on_skip,
                   .skip_arg = r->skip_arg,
                   .line_cb = r->line_cb};
    size_t cap = 1 << 16, have = 0;
    char *buf = malloc(cap);
    if (!buf) {
        close(fd);
        return 0;
    }
    off_t pos = r->offset;
    for (;;) {
        if (have == cap) {
            if (cap >= AB_JOURNAL_MAX_LINE) {
                /* one line fills the buffer: say so once and skip to its end */
                if (!r->skipping) {
                    r->lines++;
                    skipped(&k, "longer than 4 MiB");
                }
                r->skipping = 1;
                r->offset += (off_t)have;
                have = 0;
            } else {
                char *nb = realloc(buf, cap * 2);
                if (!nb) break;
                buf = nb;
                cap *= 2;
            }
        }
        ssize_t got = pread(fd, buf + have, cap - have, pos);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        pos += got;
        have += (size_t)got;
        size_t used = 0;
        if (r->skipping) {
            char *nl = memchr(buf, '\n', have);
            if (nl) {
                used = (size_t)(nl - buf) + 1;
                r->skipping = 0;
            } else used = have;
        }
        if (!r->skipping) used += parse_lines(buf + used, have - used, &k);
        r->offset += (off_t)used;
        memmove(buf, buf + used, have - used);
        have -= used;
    }
    r->pending = pos - r->offset;
    if (r->headlen < sizeof r->head && r->offset > 0) {
        size_t want = r->offset < (off_t)sizeof r->head ? (size_t)r->offset : sizeof r->head;
        ssize_t got = pread(fd, r->head, want, 0);
        r->headlen = got > 0 ? (size_t)got : 0;
    }
    free(buf);
    close(fd);
    return events;
}

int ab_journal_read(const char *path, ab_journal_event_cb cb, void *arg,
                    ab_journal_read_info *info) {
    ab_journal_reader *r = ab_journal_reader_new(path);
    if (!r) return -1;
    if (info) {
        ab_journal_reader_on_skip(r, info->on_skip, info->skip_arg);
        ab_journal_reader_on_line(r, info->on_line);
    }
    int n = ab_journal_reader_poll(r, cb, arg);
    if (info) {
        info->events = n > 0 ? (unsigned long)n : 0;
        info->errors = r->errors;
        info->lines = r->lines;
        info->pending = r->pending;
        if (r->pending > 0 && info->on_skip) {
            char why[160];
            snprintf(why, sizeof why,
                     "incomplete: %lld bytes without an end of line (cut "
                     "by a crash or a full disk, or still being written)",
                     (long long)r->pending);
            info->on_skip(r->lines + 1, why, info->skip_arg);
        }
    }
    ab_journal_reader_free(r);
    return n;
}

int ab_journal_read_all(const char *path, ab_journal_event_cb cb, void *arg,
                        unsigned long *errors) {
    ab_journal_read_info info = {0};
    int n = ab_journal_read(path, cb, arg, &info);
    if (errors) *errors = info.errors;
    return n;
}
