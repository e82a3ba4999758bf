/* files.h: --files DIR: which names GET /flamegraphs/<file> may serve, their content
 * types, and reading them. */
#ifndef ING_FILES_H
#define ING_FILES_H

#include <stddef.h>

/* 1 when name (already percent-decoded) is a plain file name: not empty, no '/', no
 * '\\', no "..", no leading '.', no control characters. */
int ing_files_name_ok(const char *name);

/* Content type by extension: .svg image/svg+xml, .folded/.txt text/plain, .html
 * text/html, .png image/png, .json application/json, else application/octet-stream. */
const char *ing_files_content_type(const char *name);

/* Read DIR/name (a regular file of at most max bytes) into a malloc'd buffer.
 * 0, or -1 (missing, not regular, unreadable or too large). */
int ing_files_read(const char *dir, const char *name, size_t max, char **data, size_t *len);

#endif
