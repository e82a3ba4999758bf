/* linebuf.h: lines out of a child's pipe (the run helper's reports, an ingester's ready
 * line), fed as libuv hands the bytes over: a line is handed on whole, at most
 * LINEBUF_MAX bytes; a longer one is dropped whole (counted), never cut into pieces that
 * could pass for lines of their own, and bytes after a NUL are not lost. */
#ifndef AB_RUNNER_LINEBUF_H
#define AB_RUNNER_LINEBUF_H

#include <stddef.h>

#define LINEBUF_MAX 2048

typedef struct linebuf {
    char buf[LINEBUF_MAX + 1];
    size_t len;
    int dropping;          /* inside an over-long line: up to its end */
    unsigned long dropped; /* over-long lines dropped */
} linebuf;

/* line[0..len) without its '\n', and a NUL at line[len]; has_nul: the line holds a NUL
 * byte (so it is not text: a parser should refuse it). */
typedef void (*linebuf_cb)(const char *line, size_t len, int has_nul, void *arg);

void rn_linebuf_feed(linebuf *lb, const char *data, size_t n, linebuf_cb cb, void *arg);

#endif
