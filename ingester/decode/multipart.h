/* multipart.h: a multipart/form-data splitter over a body held in memory (no copies:
 * parts point into the body). Used by the /ingest decoder and its fuzz target. */
#ifndef ING_MULTIPART_H
#define ING_MULTIPART_H

#include "decode_internal.h"

typedef struct ing_part {
    char name[64]; /* Content-Disposition name, truncated; "" when absent */
    const uint8_t *data;
    size_t len;
} ing_part;

/* Split body into at most max_parts parts using the boundary of content_type.
 * 0, or -1 with err (422) when the body is not well-formed multipart. */
#define ING_MULTIPART_MAX_PARTS 64

int ing_multipart_parse(const char *content_type, const uint8_t *body, size_t len, ing_part *parts,
                        size_t max_parts, size_t *nparts, ing_error *err);

/* The first part with this name, or NULL. */
const ing_part *ing_multipart_find(const ing_part *parts, size_t n, const char *name);

#endif
