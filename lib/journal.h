/* journal.h: the suite journal (doc/journal.md): JSON Lines appended and fsync'd by the
 * runner, and read incrementally (by offset, tolerating a half-written last line) by
 * report, compare, resume and the PMDA. */
#ifndef AB_JOURNAL_H
#define AB_JOURNAL_H

#include <stddef.h>
#include <sys/types.h>
#include <jansson.h>

/* The schema version written (doc/journal.md), and the oldest one still read: a v1
 * journal reads as a v2 one without the fields v2 added. */
#define AB_JOURNAL_VERSION        2
#define AB_JOURNAL_OLDEST_VERSION 1

typedef struct ab_journal ab_journal;

/* Open (create or append) path for writing. On error returns NULL and writes a message
 * into err. If the file ends with an incomplete line (a crash mid-write), that tail is
 * truncated away so the next event starts on a fresh line. */
ab_journal *ab_journal_open(const char *path, char *err, size_t errlen);

/* A new event holding only its head, {"v":2,"type":type,"t":now}, for its fields to
 * follow: the one place an event's time is taken (lib/events.h's builders start here).
 * NULL when out of memory. */
json_t *ab_journal_event(const char *type);

/* Append a whole event (made by ab_journal_event or a lib/events.h builder, its head
 * first) as one line, as it is, and fsync it; without the fsync when durable is 0, for
 * events whose loss in a crash costs nothing (run_start: the next durable write, or
 * ab_journal_close, syncs it too). Does not take the reference: the caller may go on to
 * hand the same event to its model. Returns 0, or -1 with errno set (EINVAL: no head;
 * ENOSPC, EFBIG, EIO...: the write or its fsync failed, and the file was cut back to the
 * end of its last complete line, so no part of the event is in it). */
int ab_journal_put(ab_journal *j, json_t *ev, int durable);

/* Append an event of type made of ev's fields (ev may be NULL: no fields): a head from
 * ab_journal_event, then ev's members in their order except its own "v", "type" and "t".
 * Steals the reference to ev. Returns 0, or -1 with errno set. ab_journal_write is
 * ab_journal_append with durable 1. */
int ab_journal_write(ab_journal *j, const char *type, json_t *ev);
int ab_journal_append(ab_journal *j, const char *type, json_t *ev, int durable);
void ab_journal_close(ab_journal *j);

/* Incremental reader. */
typedef struct ab_journal_reader ab_journal_reader;
typedef void (*ab_journal_event_cb)(json_t *ev, void *arg);
/* A line the reader skipped: its number (from 1) and why ("not JSON (...)", "not a JSON
 * object", "no schema version", "no event type", "longer than 4 MiB", "incomplete: ..."). */
typedef void (*ab_journal_skip_cb)(unsigned long line, const char *reason, void *arg);

ab_journal_reader *ab_journal_reader_new(const char *path);
void ab_journal_reader_free(ab_journal_reader *r);

/* Read every complete line appended since the last call and hand each parsed event to cb
 * (the event is freed after cb returns; json_incref to keep it). Returns the number of
 * events delivered, or -1 when the file cannot be opened (missing). If the file was
 * replaced (other inode) or truncated, returns -2 after rewinding: the caller must drop
 * what it built and call again. Lines that are not JSON objects, or have an unknown "v",
 * are skipped and counted in ab_journal_reader_errors(); "v" 1 and 2 are known. */
int ab_journal_reader_poll(ab_journal_reader *r, ab_journal_event_cb cb, void *arg);
unsigned long ab_journal_reader_errors(const ab_journal_reader *r);
/* A fast path before the JSON parser: each complete, non-blank line of a poll is first
 * given to line_cb (with the poll's arg); when it returns 1 it took the line as an event
 * (lib/events.h's ab_event_scan), which counts as delivered; 0 lets the reader parse the
 * line as JSON and hand it to the poll's callback as usual. NULL: none. */
typedef int (*ab_journal_line_cb)(const char *line, size_t len, void *arg);
void ab_journal_reader_on_line(ab_journal_reader *r, ab_journal_line_cb line_cb);
off_t ab_journal_reader_offset(const ab_journal_reader *r);
/* Each skipped line is also told to cb (NULL: none), with its line number. */
void ab_journal_reader_on_skip(ab_journal_reader *r, ab_journal_skip_cb cb, void *arg);
/* Complete lines consumed so far; bytes after them at the last poll (an incomplete line,
 * left for the next poll). */
unsigned long ab_journal_reader_lines(const ab_journal_reader *r);
off_t ab_journal_reader_pending(const ab_journal_reader *r);

/* Read a whole journal at once (report, compare, resume). Returns the events delivered,
 * or -1 if unreadable. With info: on_skip (in; may be NULL) hears every skipped line, and
 * then, as the last line, an incomplete one (it is not read: a reader of a whole journal
 * says so); the counts are filled in. */
typedef struct ab_journal_read_info {
    ab_journal_skip_cb on_skip;
    void *skip_arg;
    ab_journal_line_cb on_line; /* in: the fast path (ab_journal_reader_on_line), or NULL */
    unsigned long events, errors, lines;
    off_t pending; /* bytes of an incomplete last line, 0 when none */
} ab_journal_read_info;
int ab_journal_read(const char *path, ab_journal_event_cb cb, void *arg,
                    ab_journal_read_info *info);
int ab_journal_read_all(const char *path, ab_journal_event_cb cb, void *arg, unsigned long *errors);

/* Parse the complete lines of buf[0..len) (each ending in '\n'), handing each event to cb
 * as ab_journal_reader_poll does; bad lines add to *errors (may be NULL), delivered events
 * to *events (may be NULL). Returns the number of bytes consumed: up to and including the
 * last '\n'; the rest is an incomplete line. */
size_t ab_journal_parse_buffer(const char *buf, size_t len, ab_journal_event_cb cb, void *arg,
                               unsigned long *errors, int *events);

#endif
